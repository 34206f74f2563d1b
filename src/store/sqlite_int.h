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

/* Stops the checkpointer and frees q->sync (NULL: no-op). Called by
 * sq_close before it closes the connection. */
void sq_sync_free(struct store_sqlite *q);

#endif
