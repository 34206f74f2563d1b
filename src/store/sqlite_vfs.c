/*
 * sqlite_vfs: a VFS over the default one that gathers the writes of a
 * WAL into one system call per commit (sqlite_int.h).
 *
 * SQLite writes each WAL frame as two writes (its 24-byte header, then the
 * page), so a commit of N pages costs 2N pwrite calls. Here the WAL file
 * keeps consecutive writes in a buffer and writes them out at once:
 *
 *  - before SQLite publishes a commit. A commit becomes visible to other
 *    connections only when the writer stores the new WAL-index header in
 *    shared memory, and walIndexWriteHdr calls xShmBarrier on the
 *    database file between the two copies of that header: the database
 *    file's xShmBarrier (and xShmLock, xShmUnmap) write out every WAL
 *    buffer of that database first. So no reader can be told of a frame
 *    that is not in the file, and a process killed before the barrier
 *    loses only a commit nobody could see (as if it had died before
 *    writing it);
 *  - before any read, size, truncation, sync, file control or close of
 *    that WAL file, and before a write that does not follow the buffer
 *    (a frame rewritten in place);
 *  - when the buffer is full.
 *
 * A write-out that fails at the barrier cannot fail the commit (SQLite is
 * publishing it): the error sticks to the WAL file, every later call on it
 * returns it, and sq_sync (sqlite_sync.c) asks sq_vfs_wal_error after its
 * fdatasync, so an answer waiting for that sync is never released: the
 * writer stops, as after any failed sync.
 *
 * Databases and journals other than WALs pass straight through.
 */
#include "store/sqlite_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SQV_NAME "pos-gather"
/* SQLite's unix VFS writes at most 128 KiB - 1 bytes in one call (it masks
 * the length with 0x1ffff): a larger write would come back short. */
#define SQV_BUF_MAX (64 * 1024)

struct sqv_file {
    sqlite3_file base; /* first: what SQLite holds */
    sqlite3_file *real;
    bool wal;
    char *db_name; /* wal: its database's name (the WAL's without "-wal") */
    /* wal: the buffered bytes [off, off + len) */
    pthread_mutex_t mu;
    unsigned char *buf;
    sqlite3_int64 off;
    int len;
    int err;                      /* a failed write-out: reported by the next call */
    struct sqv_file *next, *prev; /* every open WAL */
};

static sqlite3_vfs *sqv_real;
static pthread_mutex_t sqv_list_mu = PTHREAD_MUTEX_INITIALIZER;
static struct sqv_file *sqv_wals;

/* Writes the buffer out; under f->mu. */
static int sqv_flush_locked(struct sqv_file *f)
{
    int rc;

    if (f->len == 0)
        return f->err;
    rc = f->real->pMethods->xWrite(f->real, f->buf, f->len, f->off);
    f->len = 0;
    if (rc != SQLITE_OK && f->err == SQLITE_OK)
        f->err = rc;
    return f->err;
}

static int sqv_flush(struct sqv_file *f)
{
    int rc;

    if (!f->wal)
        return SQLITE_OK;
    pthread_mutex_lock(&f->mu);
    rc = sqv_flush_locked(f);
    pthread_mutex_unlock(&f->mu);
    return rc;
}

/* Writes out every WAL buffer of database name. */
static int sqv_flush_db(const char *name)
{
    struct sqv_file *w;
    int rc = SQLITE_OK, r;

    if (name == NULL)
        return SQLITE_OK;
    pthread_mutex_lock(&sqv_list_mu);
    for (w = sqv_wals; w != NULL; w = w->next)
        if (strcmp(w->db_name, name) == 0 && (r = sqv_flush(w)) != SQLITE_OK)
            rc = r;
    pthread_mutex_unlock(&sqv_list_mu);
    return rc;
}

int sq_vfs_wal_error(const char *db_name)
{
    struct sqv_file *w;
    int rc = SQLITE_OK;

    pthread_mutex_lock(&sqv_list_mu);
    for (w = sqv_wals; w != NULL && rc == SQLITE_OK; w = w->next)
        if (strcmp(w->db_name, db_name) == 0) {
            pthread_mutex_lock(&w->mu);
            rc = w->err;
            pthread_mutex_unlock(&w->mu);
        }
    pthread_mutex_unlock(&sqv_list_mu);
    return rc;
}

/* ---- io methods ---- */

static int sqv_close(sqlite3_file *p)
{
    struct sqv_file *f = (struct sqv_file *)p;
    int rc = sqv_flush(f), r;

    if (f->wal) {
        pthread_mutex_lock(&sqv_list_mu);
        if (f->prev != NULL)
            f->prev->next = f->next;
        else
            sqv_wals = f->next;
        if (f->next != NULL)
            f->next->prev = f->prev;
        pthread_mutex_unlock(&sqv_list_mu);
        pthread_mutex_destroy(&f->mu);
        free(f->buf);
    }
    free(f->db_name);
    r = f->real->pMethods->xClose(f->real);
    free(f->real);
    return rc != SQLITE_OK ? rc : r;
}

static int sqv_read(sqlite3_file *p, void *out, int n, sqlite3_int64 off)
{
    struct sqv_file *f = (struct sqv_file *)p;
    int rc = sqv_flush(f);

    return rc != SQLITE_OK ? rc : f->real->pMethods->xRead(f->real, out, n, off);
}

static int sqv_write(sqlite3_file *p, const void *in, int n, sqlite3_int64 off)
{
    struct sqv_file *f = (struct sqv_file *)p;
    int rc;

    if (!f->wal || n > SQV_BUF_MAX)
        return sqv_flush(f) != SQLITE_OK ? f->err : f->real->pMethods->xWrite(f->real, in, n, off);
    pthread_mutex_lock(&f->mu);
    rc = f->err;
    if (rc == SQLITE_OK && f->len > 0 && (off != f->off + f->len || f->len + n > SQV_BUF_MAX))
        rc = sqv_flush_locked(f);
    if (rc == SQLITE_OK) {
        if (f->len == 0)
            f->off = off;
        memcpy(f->buf + f->len, in, (size_t)n);
        f->len += n;
    }
    pthread_mutex_unlock(&f->mu);
    return rc;
}

static int sqv_truncate(sqlite3_file *p, sqlite3_int64 size)
{
    struct sqv_file *f = (struct sqv_file *)p;
    int rc = sqv_flush(f);

    return rc != SQLITE_OK ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int sqv_sync(sqlite3_file *p, int flags)
{
    struct sqv_file *f = (struct sqv_file *)p;
    int rc = sqv_flush(f);

    return rc != SQLITE_OK ? rc : f->real->pMethods->xSync(f->real, flags);
}

static int sqv_file_size(sqlite3_file *p, sqlite3_int64 *size)
{
    struct sqv_file *f = (struct sqv_file *)p;
    int rc = sqv_flush(f);

    return rc != SQLITE_OK ? rc : f->real->pMethods->xFileSize(f->real, size);
}

static int sqv_lock(sqlite3_file *p, int level)
{
    struct sqv_file *f = (struct sqv_file *)p;

    return f->real->pMethods->xLock(f->real, level);
}

static int sqv_unlock(sqlite3_file *p, int level)
{
    struct sqv_file *f = (struct sqv_file *)p;

    return f->real->pMethods->xUnlock(f->real, level);
}

static int sqv_check_reserved(sqlite3_file *p, int *out)
{
    struct sqv_file *f = (struct sqv_file *)p;

    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int sqv_file_control(sqlite3_file *p, int op, void *arg)
{
    struct sqv_file *f = (struct sqv_file *)p;
    int rc = sqv_flush(f);

    return rc != SQLITE_OK ? rc : f->real->pMethods->xFileControl(f->real, op, arg);
}

static int sqv_sector_size(sqlite3_file *p)
{
    struct sqv_file *f = (struct sqv_file *)p;

    return f->real->pMethods->xSectorSize(f->real);
}

static int sqv_device_chars(sqlite3_file *p)
{
    struct sqv_file *f = (struct sqv_file *)p;

    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

/* The shared-memory methods are the database file's: its WALs are written
 * out before SQLite touches the WAL index (the commit's publication). */
static int sqv_shm_map(sqlite3_file *p, int pg, int pgsz, int extend, void volatile **out)
{
    struct sqv_file *f = (struct sqv_file *)p;

    return f->real->pMethods->xShmMap(f->real, pg, pgsz, extend, out);
}

static int sqv_shm_lock(sqlite3_file *p, int offset, int n, int flags)
{
    struct sqv_file *f = (struct sqv_file *)p;
    int rc = sqv_flush_db(f->db_name);

    return rc != SQLITE_OK ? rc : f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void sqv_shm_barrier(sqlite3_file *p)
{
    struct sqv_file *f = (struct sqv_file *)p;

    /* an error is kept in the WAL file (f->err) and reported by its next
     * call: the barrier cannot fail */
    (void)sqv_flush_db(f->db_name);
    f->real->pMethods->xShmBarrier(f->real);
}

static int sqv_shm_unmap(sqlite3_file *p, int del)
{
    struct sqv_file *f = (struct sqv_file *)p;

    (void)sqv_flush_db(f->db_name);
    return f->real->pMethods->xShmUnmap(f->real, del);
}

static const sqlite3_io_methods sqv_io = {
    2, /* no xFetch/xUnfetch: no memory-mapped I/O */
    sqv_close,
    sqv_read,
    sqv_write,
    sqv_truncate,
    sqv_sync,
    sqv_file_size,
    sqv_lock,
    sqv_unlock,
    sqv_check_reserved,
    sqv_file_control,
    sqv_sector_size,
    sqv_device_chars,
    sqv_shm_map,
    sqv_shm_lock,
    sqv_shm_barrier,
    sqv_shm_unmap,
    NULL,
    NULL,
};

/* ---- the VFS ---- */

static int sqv_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *p, int flags,
                    int *out_flags)
{
    struct sqv_file *f = (struct sqv_file *)p;
    size_t n;
    int rc;

    (void)vfs;
    memset(f, 0, sizeof(*f));
    if ((f->real = calloc(1, (size_t)sqv_real->szOsFile)) == NULL)
        return SQLITE_NOMEM;
    rc = sqv_real->xOpen(sqv_real, name, f->real, flags, out_flags);
    if (rc != SQLITE_OK) {
        free(f->real);
        f->real = NULL;
        return rc;
    }
    f->wal = (flags & SQLITE_OPEN_WAL) != 0;
    if (name != NULL && (flags & (SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_DB)) != 0) {
        n = strlen(name);
        if (f->wal && n > 4 && strcmp(name + n - 4, "-wal") == 0)
            n -= 4;
        if ((f->db_name = malloc(n + 1)) != NULL) {
            memcpy(f->db_name, name, n);
            f->db_name[n] = '\0';
        }
    }
    if (f->wal && (f->db_name == NULL || (f->buf = malloc(SQV_BUF_MAX)) == NULL ||
                   pthread_mutex_init(&f->mu, NULL) != 0)) {
        free(f->buf);
        free(f->db_name);
        f->real->pMethods->xClose(f->real);
        free(f->real);
        return SQLITE_NOMEM;
    }
    if (f->wal) {
        pthread_mutex_lock(&sqv_list_mu);
        f->next = sqv_wals;
        if (sqv_wals != NULL)
            sqv_wals->prev = f;
        sqv_wals = f;
        pthread_mutex_unlock(&sqv_list_mu);
    }
    p->pMethods = &sqv_io;
    return SQLITE_OK;
}

static int sqv_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
    (void)vfs;
    return sqv_real->xDelete(sqv_real, name, sync);
}

static int sqv_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    return sqv_real->xAccess(sqv_real, name, flags, out);
}

static int sqv_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    return sqv_real->xFullPathname(sqv_real, name, n, out);
}

static void *sqv_dl_open(sqlite3_vfs *vfs, const char *name)
{
    (void)vfs;
    return sqv_real->xDlOpen(sqv_real, name);
}

static void sqv_dl_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    sqv_real->xDlError(sqv_real, n, out);
}

static void (*sqv_dl_sym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
    (void)vfs;
    return sqv_real->xDlSym(sqv_real, h, sym);
}

static void sqv_dl_close(sqlite3_vfs *vfs, void *h)
{
    (void)vfs;
    sqv_real->xDlClose(sqv_real, h);
}

static int sqv_randomness(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return sqv_real->xRandomness(sqv_real, n, out);
}

static int sqv_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return sqv_real->xSleep(sqv_real, us);
}

static int sqv_current_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    return sqv_real->xCurrentTime(sqv_real, out);
}

static int sqv_last_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return sqv_real->xGetLastError(sqv_real, n, out);
}

static int sqv_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    return sqv_real->xCurrentTimeInt64(sqv_real, out);
}

static sqlite3_vfs sqv_vfs = {
    2,
    (int)sizeof(struct sqv_file),
    0,
    NULL,
    SQV_NAME,
    NULL,
    sqv_open,
    sqv_delete,
    sqv_access,
    sqv_full_pathname,
    sqv_dl_open,
    sqv_dl_error,
    sqv_dl_sym,
    sqv_dl_close,
    sqv_randomness,
    sqv_sleep,
    sqv_current_time,
    sqv_last_error,
    sqv_current_time64,
    NULL,
    NULL,
    NULL,
};

const char *sq_vfs_register(void)
{
    if (sqv_real == NULL) {
        if ((sqv_real = sqlite3_vfs_find(NULL)) == NULL)
            return NULL;
        sqv_vfs.mxPathname = sqv_real->mxPathname;
        if (sqlite3_vfs_register(&sqv_vfs, 0) != SQLITE_OK) {
            sqv_real = NULL;
            return NULL;
        }
    }
    return SQV_NAME;
}
