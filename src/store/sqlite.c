/*
 * sqlite: the SQLite backend of struct store_ops.
 *
 * Settings (https://sqlite.org/pragma.html, https://sqlite.org/wal.html):
 * journal_mode=WAL so readers never block the writer nor it them;
 * synchronous=FULL so that in WAL mode every COMMIT syncs the WAL before it
 * returns (NORMAL would only sync at checkpoints: a power loss could undo an
 * acknowledged commit, which the host must never do) -- except on a
 * group-commit writer's connection with a pipelined sync, where the writer's
 * sync thread makes each COMMIT durable itself (sqlite_sync.c); foreign_keys=ON;
 * page_size (new databases only) when the options ask for one;
 * busy_timeout; a per-connection page cache; temp_store=MEMORY. A connection
 * is used by one thread at a time, so it is opened SQLITE_OPEN_NOMUTEX.
 */
#include "store/sqlite_int.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"

struct store_sqlite_stmt {
    struct store_stmt base; /* first */
    sqlite3_stmt *h;
};

static sqlite3 *sq_db(struct store *s)
{
    return ((struct store_sqlite *)s)->db;
}

static sqlite3_stmt *sq_h(struct store_stmt *st)
{
    return ((struct store_sqlite_stmt *)st)->h;
}

/* SQLite result code (extended codes too) to enum pos_err. */
static int sq_code(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
        return POS_OK;
    case SQLITE_CONSTRAINT:
        return POS_ERR_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return POS_ERR_BUSY;
    case SQLITE_NOMEM:
        return POS_ERR_NOMEM;
    case SQLITE_RANGE:
        return POS_ERR_RANGE;
    case SQLITE_TOOBIG:
        return POS_ERR_LENGTH;
    case SQLITE_MISUSE:
        return POS_ERR_INVAL;
    default:
        return POS_ERR_DB;
    }
}

/* Records the connection's message. SQLite's messages name tables, columns
 * and constraints ("UNIQUE constraint failed: card.pan_hash"), never the
 * bound values. */
static int sq_fail(struct store *s, int rc)
{
    return store__fail(s, sq_code(rc), "%s", sqlite3_errmsg(sq_db(s)));
}

/* journal_mode=WAL answers the mode in force: a file that cannot use WAL
 * (an in-memory database answers "memory") keeps its old mode silently. */
static int sq_check_wal(sqlite3 *db, struct pos_errdetail *d)
{
    sqlite3_stmt *h = NULL;
    const char *mode = "";
    int rc;

    rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &h, NULL);
    if (rc == SQLITE_OK && sqlite3_step(h) == SQLITE_ROW)
        mode = (const char *)sqlite3_column_text(h, 0);
    if (mode == NULL)
        mode = "";
    if (strcmp(mode, "wal") == 0 || strcmp(mode, "memory") == 0)
        rc = POS_OK;
    else
        rc = pos_errdetail_set(d, POS_ERR_DB, -1, POS_NO_OFFSET,
                               "settings: journal mode is \"%s\", not WAL", mode);
    sqlite3_finalize(h);
    return rc;
}

static int sq_pragmas(sqlite3 *db, const struct store_options *opt, struct pos_errdetail *d)
{
    char sql[320], page[40] = "";
    char *msg = NULL;
    int rc;

    /* page_size only acts on a database with no table yet, and must come
     * before WAL mode; journal_mode=WAL is persistent in the file; a reader
     * leaves both alone. */
    if (!opt->read_only && opt->page_size != 0)
        snprintf(page, sizeof(page), "PRAGMA page_size=%u; ", opt->page_size);
    snprintf(sql, sizeof(sql),
             "%s%sPRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-%d;"
             " PRAGMA temp_store=MEMORY;",
             page, opt->read_only ? "" : "PRAGMA journal_mode=WAL; ", opt->cache_kib);
    rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        rc = pos_errdetail_set(d, sq_code(rc), -1, POS_NO_OFFSET, "settings: %s",
                               msg != NULL ? msg : sqlite3_errstr(rc));
        goto out;
    }
    rc = opt->read_only ? POS_OK : sq_check_wal(db, d);
out:
    sqlite3_free(msg);
    return rc;
}

/* Once per process, before SQLite initializes: no memory statistics. With
 * them every allocation takes a global mutex, which the writer, the
 * readers and the checkpointer would all contend for; nothing here reads
 * them. If SQLite is already initialized (by someone else) the call is
 * refused and the default stays. */
static pthread_once_t sq_config_once = PTHREAD_ONCE_INIT;
static const char *sq_vfs_name; /* sqlite_vfs.c; NULL: SQLite's default */

static void sq_config(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sq_vfs_name = getenv("POS_STORE_PLAIN_VFS") != NULL ? NULL : sq_vfs_register();
}

const char *sq_vfs(void)
{
    pthread_once(&sq_config_once, sq_config);
    return sq_vfs_name;
}

static int sq_open(const char *target, const struct store_options *opt, struct store **out,
                   struct pos_errdetail *d)
{
    struct store_sqlite *q = NULL;
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_NOMUTEX;
    int rc;

    if (opt->read_only)
        flags |= SQLITE_OPEN_READONLY;
    else
        flags |= SQLITE_OPEN_READWRITE | (opt->no_create ? 0 : SQLITE_OPEN_CREATE);
    q = pos_calloc(1, sizeof(*q));
    if (q == NULL) {
        rc = pos_errdetail_set(d, POS_ERR_NOMEM, -1, POS_NO_OFFSET, "connection");
        goto out;
    }
    rc = sqlite3_open_v2(target, &db, flags, sq_vfs());
    if (rc != SQLITE_OK) {
        rc = pos_errdetail_set(d, sq_code(rc), -1, POS_NO_OFFSET, "open: %s",
                               db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        goto out;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, opt->busy_timeout_ms);
    rc = sq_pragmas(db, opt, d);
    if (rc != POS_OK)
        goto out;
    q->db = db;
    db = NULL;
    *out = &q->base;
    q = NULL;
out:
    sqlite3_close(db);
    pos_free(q);
    return rc;
}

static void sq_close(struct store *s)
{
    sq_sync_free((struct store_sqlite *)s);
    /* sqlite3_close_v2 rolls back an open transaction. */
    sqlite3_close_v2(sq_db(s));
    pos_free(s);
}

static int sq_exec(struct store *s, const char *sql)
{
    int rc = sqlite3_exec(sq_db(s), sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? POS_OK : sq_fail(s, rc);
}

static int sq_prepare(struct store *s, const char *sql, struct store_stmt **out)
{
    struct store_sqlite_stmt *q = NULL;
    sqlite3_stmt *h = NULL;
    const char *tail = NULL;
    int rc;

    rc = sqlite3_prepare_v3(sq_db(s), sql, -1, SQLITE_PREPARE_PERSISTENT, &h, &tail);
    if (rc != SQLITE_OK) {
        rc = sq_fail(s, rc);
        goto out;
    }
    if (h == NULL) {
        rc = store__fail(s, POS_ERR_INVAL, "no statement in the SQL text");
        goto out;
    }
    while (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == '\r' || *tail == ';')
        tail++;
    if (*tail != '\0') {
        rc = store__fail(s, POS_ERR_INVAL, "more than one statement in the SQL text");
        goto out;
    }
    q = pos_calloc(1, sizeof(*q));
    if (q == NULL) {
        rc = store__fail(s, POS_ERR_NOMEM, "statement");
        goto out;
    }
    q->h = h;
    h = NULL;
    *out = &q->base;
    rc = POS_OK;
out:
    sqlite3_finalize(h);
    return rc;
}

static void sq_finalize(struct store_stmt *st)
{
    sqlite3_finalize(sq_h(st));
    pos_free(st);
}

static int sq_bind_rc(struct store_stmt *st, int rc)
{
    return rc == SQLITE_OK ? POS_OK : sq_fail(st->s, rc);
}

static int sq_bind_int64(struct store_stmt *st, int idx, int64_t v)
{
    return sq_bind_rc(st, sqlite3_bind_int64(sq_h(st), idx, v));
}

static int sq_bind_text(struct store_stmt *st, int idx, const char *text, size_t len)
{
    return sq_bind_rc(st,
                      sqlite3_bind_text64(sq_h(st), idx, text, len, SQLITE_TRANSIENT, SQLITE_UTF8));
}

static int sq_bind_blob(struct store_stmt *st, int idx, const void *blob, size_t len)
{
    /* A NULL pointer would bind SQL NULL: an empty blob is a zeroblob(0). */
    if (len == 0)
        return sq_bind_rc(st, sqlite3_bind_zeroblob(sq_h(st), idx, 0));
    return sq_bind_rc(st, sqlite3_bind_blob64(sq_h(st), idx, blob, len, SQLITE_TRANSIENT));
}

static int sq_bind_null(struct store_stmt *st, int idx)
{
    return sq_bind_rc(st, sqlite3_bind_null(sq_h(st), idx));
}

static int sq_clear(struct store_stmt *st)
{
    sqlite3_reset(sq_h(st));
    sqlite3_clear_bindings(sq_h(st));
    return POS_OK;
}

static int sq_step(struct store_stmt *st)
{
    sqlite3_stmt *h = sq_h(st);
    int rc = sqlite3_step(h);

    if (rc == SQLITE_ROW)
        return STORE_ROW;
    if (rc == SQLITE_DONE) {
        sqlite3_reset(h);
        return STORE_DONE;
    }
    rc = sq_fail(st->s, rc);
    sqlite3_reset(h);
    return rc;
}

static int sq_reset(struct store_stmt *st)
{
    /* The error of a failed step was reported by store_step already. */
    sqlite3_reset(sq_h(st));
    return POS_OK;
}

static int sq_column_count(struct store_stmt *st)
{
    return sqlite3_column_count(sq_h(st));
}

static bool sq_col_ok(struct store_stmt *st, int col)
{
    return col >= 0 && col < sqlite3_data_count(sq_h(st));
}

static bool sq_column_is_null(struct store_stmt *st, int col)
{
    return !sq_col_ok(st, col) || sqlite3_column_type(sq_h(st), col) == SQLITE_NULL;
}

static int64_t sq_column_int64(struct store_stmt *st, int col)
{
    return sq_col_ok(st, col) ? sqlite3_column_int64(sq_h(st), col) : 0;
}

static const char *sq_column_text(struct store_stmt *st, int col, size_t *len)
{
    const char *p = NULL;
    size_t n = 0;

    if (!sq_column_is_null(st, col)) {
        p = (const char *)sqlite3_column_text(sq_h(st), col);
        n = p != NULL ? (size_t)sqlite3_column_bytes(sq_h(st), col) : 0;
    }
    if (len != NULL)
        *len = n;
    return p;
}

static const uint8_t *sq_column_blob(struct store_stmt *st, int col, size_t *len)
{
    static const uint8_t empty[1];
    const uint8_t *p = NULL;
    size_t n = 0;

    if (!sq_column_is_null(st, col)) {
        p = sqlite3_column_blob(sq_h(st), col);
        n = (size_t)sqlite3_column_bytes(sq_h(st), col);
        if (p == NULL)
            p = empty; /* SQLite returns NULL for a zero-length blob */
    }
    if (len != NULL)
        *len = n;
    return p;
}

static int64_t sq_changes(struct store *s)
{
    return sqlite3_changes64(sq_db(s));
}

static int64_t sq_last_insert_id(struct store *s)
{
    return sqlite3_last_insert_rowid(sq_db(s));
}

static bool sq_is_in_transaction(struct store *s)
{
    return sqlite3_get_autocommit(sq_db(s)) == 0;
}

static int sq_table_exists(struct store *s, const char *name, bool *exists)
{
    struct store_stmt *st;
    int rc;

    rc = store_prepare(s, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", &st);
    if (rc == POS_OK)
        rc = store_bind_text(st, 1, name, strlen(name));
    if (rc == POS_OK)
        rc = store_step(st);
    if (rc == STORE_ROW) {
        *exists = true;
        rc = store_reset(st);
    }
    return rc;
}

const struct store_ops store__sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .exec = sq_exec,
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .bind_int64 = sq_bind_int64,
    .bind_text = sq_bind_text,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .clear = sq_clear,
    .step = sq_step,
    .reset = sq_reset,
    .column_count = sq_column_count,
    .column_is_null = sq_column_is_null,
    .column_int64 = sq_column_int64,
    .column_text = sq_column_text,
    .column_blob = sq_column_blob,
    .changes = sq_changes,
    .last_insert_id = sq_last_insert_id,
    .begin_sql = "BEGIN IMMEDIATE",
    .is_in_transaction = sq_is_in_transaction,
    .table_exists = sq_table_exists,
    .defer_sync = sq_defer_sync,
    .sync = sq_sync,
};
