/*
 * sqlite_int: what the SQLite backend's two files share: the connection
 * (sqlite.c) and its deferred sync (sqlite_sync.c).
 */
#ifndef POS_STORE_SQLITE_INT_H
#define POS_STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "store/store_int.h"

struct sq_sync;

struct store_sqlite {
    struct store base; /* first: a struct store * is a struct store_sqlite * */
    sqlite3 *db;
    struct sq_sync *sync; /* NULL unless sq_defer_sync ran */
};

/* store_ops.defer_sync and .sync (store_int.h) for SQLite. */
int sq_defer_sync(struct store *s);
int sq_sync(struct store *s);

/* sqlite_vfs.c: registers the VFS that gathers a commit's WAL writes into
 * one (once; before any connection) and returns its name, or NULL when it
 * could not be registered (SQLite's default is used). */
const char *sq_vfs_register(void);

/* SQLITE_OK, or the error of a failed gathered write of a WAL of database
 * db_name (its full path), which sticks until that WAL file is closed. */
int sq_vfs_wal_error(const char *db_name);

/* The VFS every connection opens with (registered on first use; the
 * environment variable POS_STORE_PLAIN_VFS selects SQLite's default, for
 * comparisons). */
const char *sq_vfs(void);

/* Stops the checkpointer and frees q->sync (NULL: no-op). Called by
 * sq_close before it closes the connection. */
void sq_sync_free(struct store_sqlite *q);

#endif
