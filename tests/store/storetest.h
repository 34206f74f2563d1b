/*
 * storetest: temporary directories for the storage tests (static inline so
 * each test file takes what it uses).
 */
#ifndef POS_STORETEST_H
#define POS_STORETEST_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Creates a fresh directory under $TMPDIR (or /tmp) into dir (cap >= 64). */
static inline void st_tmpdir_make(char *dir, size_t cap)
{
    const char *base = getenv("TMPDIR");

    snprintf(dir, cap, "%s/pos-store-XXXXXX", base != NULL && *base != '\0' ? base : "/tmp");
    if (mkdtemp(dir) == NULL)
        fail_msg("mkdtemp %s failed", dir);
}

/* Writes dir/name into buf (cap bytes) and returns buf. */
static inline const char *st_path(const char *dir, const char *name, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/%s", dir, name);
    return buf;
}

/* Removes every file in dir, then dir (no subdirectories are created). */
static inline void st_tmpdir_remove(const char *dir)
{
    char path[512];
    struct dirent *e;
    DIR *d = opendir(dir);

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

#endif
