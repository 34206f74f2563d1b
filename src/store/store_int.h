/*
 * store_int: what the store module's files share and nothing else sees: the
 * backend table (struct store_ops) and the common head of a connection and
 * of a statement, which each backend embeds as its first member.
 *
 * A backend allocates its connection (with pos_malloc) in open, embedding
 * struct store first, and its statements in prepare, embedding struct
 * store_stmt first; store.c fills the common fields and owns the statement
 * cache. Backend functions report failures through store__fail so the
 * message lands in s->err.
 */
#ifndef POS_STORE_INT_H
#define POS_STORE_INT_H

#include "store/store.h"

struct store_ops {
    const char *name;
    /* target is the URL with its scheme removed; d may be NULL */
    int (*open)(const char *target, const struct store_options *opt, struct store **out,
                struct pos_errdetail *d);
    void (*close)(struct store *s); /* statements already finalized */
    int (*exec)(struct store *s, const char *sql);
    int (*prepare)(struct store *s, const char *sql, struct store_stmt **out);
    void (*finalize)(struct store_stmt *st);
    int (*bind_int64)(struct store_stmt *st, int idx, int64_t v);
    int (*bind_text)(struct store_stmt *st, int idx, const char *text, size_t len);
    int (*bind_blob)(struct store_stmt *st, int idx, const void *blob, size_t len);
    int (*bind_null)(struct store_stmt *st, int idx);
    int (*clear)(struct store_stmt *st); /* reset and clear bindings */
    int (*step)(struct store_stmt *st);
    int (*reset)(struct store_stmt *st);
    int (*column_count)(struct store_stmt *st);
    bool (*column_is_null)(struct store_stmt *st, int col);
    int64_t (*column_int64)(struct store_stmt *st, int col);
    const char *(*column_text)(struct store_stmt *st, int col, size_t *len);
    const uint8_t *(*column_blob)(struct store_stmt *st, int col, size_t *len);
    int64_t (*changes)(struct store *s);
    int64_t (*last_insert_id)(struct store *s);
    const char *begin_sql; /* the statement that starts a write transaction */
    bool (*is_in_transaction)(struct store *s);
    int (*table_exists)(struct store *s, const char *name, bool *exists);
    /* Optional (NULL: not offered), for the group-commit writer's pipelined
     * sync (writer.h). defer_sync, called once with no transaction open,
     * makes later COMMITs return before their work is durable (it is
     * visible at once); sync then makes everything committed before it was
     * called durable. sync runs on another thread than the one using s and
     * must not touch the connection itself. POS_ERR_UNSUPPORTED from
     * defer_sync: this connection cannot (e.g. an in-memory database). */
    int (*defer_sync)(struct store *s);
    int (*sync)(struct store *s);
};

struct store_stmt {
    struct store *s;
    struct store_stmt *next; /* hash chain of the cache */
    uint64_t hash;
    char *sql;           /* owned copy of the text, the cache key */
    const char *last;    /* the caller's pointer it was last found by */
};

#define STORE_RECENT 64 /* slots of the by-pointer fast path (a power of two) */

struct store {
    const struct store_ops *ops;
    struct pos_errdetail err;
    struct store_stmt **buckets; /* the statement cache: chained hash table */
    size_t nbuckets;             /* a power of two */
    size_t nstmts;
    size_t stmt_cache_max;
    /* Statements by the address of the caller's text: hot paths pass the
     * same literal every time, so a pointer and a strcmp find it without
     * hashing the text. A hint only: the text is always compared. */
    struct store_stmt *recent[STORE_RECENT];
    bool writer_owned; /* the group-commit writer is running a unit */
};

extern const struct store_ops store__sqlite_ops;

/* Records a failure in s->err and returns code. The text must never hold a
 * bound value. */
int store__fail(struct store *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* POS_ERR_DB for a statement that answered a row where none was expected. */
int store__unexpected_row(struct store *s);

/* Marks s as owned by the writer (store_begin/commit/rollback refused). */
void store__set_writer_owned(struct store *s, bool owned);

#endif
