/*
 * store: the backend-neutral half of the storage interface: URL dispatch,
 * the per-connection prepared-statement cache, transactions and savepoints
 * (ISO/IEC 9075-2:2016 clause 17), argument checks. Every database call goes
 * through s->ops, so a backend implements only struct store_ops.
 */
#include "store/store_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "mem.h"

void store_options_init(struct store_options *o)
{
    memset(o, 0, sizeof(*o));
    o->busy_timeout_ms = STORE_DEFAULT_BUSY_TIMEOUT_MS;
    o->cache_kib = STORE_DEFAULT_CACHE_KIB;
    o->stmt_cache_max = STORE_DEFAULT_STMT_CACHE_MAX;
}

int store__fail(struct store *s, int code, const char *fmt, ...)
{
    va_list ap;

    pos_errdetail_init(&s->err);
    va_start(ap, fmt);
    vsnprintf(s->err.what, sizeof(s->err.what), fmt, ap);
    va_end(ap);
    return code;
}

int store__unexpected_row(struct store *s)
{
    return store__fail(s, POS_ERR_DB, "statement returned a row where none was expected");
}

void store__set_writer_owned(struct store *s, bool owned)
{
    s->writer_owned = owned;
}

static bool store_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int store_open(const char *url, const struct store_options *opt, struct store **out,
               struct pos_errdetail *d)
{
    struct store_options defaults;
    const struct store_ops *ops = &store__sqlite_ops;
    const char *target = url;
    struct store *s = NULL;
    size_t n = 16;
    int rc;

    pos_errdetail_init(d);
    if (out != NULL)
        *out = NULL;
    if (url == NULL || out == NULL) {
        rc = pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "no database URL");
        goto out;
    }
    if (opt == NULL) {
        store_options_init(&defaults);
        opt = &defaults;
    }
    if (opt->busy_timeout_ms < 0 || opt->cache_kib < 0 || opt->stmt_cache_max == 0 ||
        opt->stmt_cache_max > 65536) {
        rc = pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "bad store options");
        goto out;
    }
    if (store_has_prefix(url, "postgresql://") || store_has_prefix(url, "postgres://")) {
        rc = pos_errdetail_set(d, POS_ERR_UNSUPPORTED, -1, POS_NO_OFFSET,
                               "the PostgreSQL backend is not built yet");
        goto out;
    }
    if (store_has_prefix(url, "sqlite:"))
        target = url + strlen("sqlite:");
    else if (strstr(url, "://") != NULL) {
        rc = pos_errdetail_set(d, POS_ERR_UNSUPPORTED, -1, POS_NO_OFFSET,
                               "unknown database URL scheme");
        goto out;
    }
    if (*target == '\0') {
        rc = pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "empty database path");
        goto out;
    }
    if (opt->page_size != 0 && (opt->page_size < 512 || opt->page_size > 65536 ||
                                (opt->page_size & (opt->page_size - 1)) != 0)) {
        rc = pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                               "page size must be a power of two from 512 to 65536");
        goto out;
    }
    rc = ops->open(target, opt, &s, d);
    if (rc != POS_OK)
        goto out;
    while (n < opt->stmt_cache_max)
        n *= 2;
    s->ops = ops;
    pos_errdetail_init(&s->err);
    s->stmt_cache_max = opt->stmt_cache_max;
    s->nbuckets = n;
    s->buckets = pos_calloc(n, sizeof(*s->buckets));
    if (s->buckets == NULL) {
        rc = pos_errdetail_set(d, POS_ERR_NOMEM, -1, POS_NO_OFFSET, "statement cache");
        goto out;
    }
    *out = s;
    s = NULL;
out:
    if (s != NULL)
        s->ops->close(s);
    return rc;
}

static void store_cache_clear(struct store *s)
{
    struct store_stmt *st, *next;
    size_t i;

    for (i = 0; i < s->nbuckets; i++) {
        for (st = s->buckets[i]; st != NULL; st = next) {
            char *sql = st->sql;

            next = st->next;
            s->ops->finalize(st);
            pos_free(sql);
        }
        s->buckets[i] = NULL;
    }
    memset(s->recent, 0, sizeof(s->recent));
    s->nstmts = 0;
}

void store_close(struct store *s)
{
    if (s == NULL)
        return;
    if (s->buckets != NULL)
        store_cache_clear(s);
    pos_free(s->buckets);
    s->buckets = NULL;
    s->ops->close(s);
}

const char *store_backend(const struct store *s)
{
    return s->ops->name;
}

const struct pos_errdetail *store_error(const struct store *s)
{
    return &s->err;
}

int store_exec(struct store *s, const char *sql)
{
    if (sql == NULL)
        return store__fail(s, POS_ERR_INVAL, "no SQL");
    return s->ops->exec(s, sql);
}


int store_prepare(struct store *s, const char *sql, struct store_stmt **out)
{
    struct store_stmt *st = NULL;
    uint64_t h;
    size_t b, len, slot;
    char *copy = NULL;
    int rc;

    *out = NULL;
    if (sql == NULL) {
        rc = store__fail(s, POS_ERR_INVAL, "no SQL");
        goto out;
    }
    slot = ((uintptr_t)sql >> 3) & (STORE_RECENT - 1);
    st = s->recent[slot];
    if (st == NULL || st->last != sql || strcmp(st->sql, sql) != 0) {
        h = pos_hash64(sql, strlen(sql)); /* the cache key is the SQL text */
        b = (size_t)h & (s->nbuckets - 1);
        for (st = s->buckets[b]; st != NULL; st = st->next) {
            if (st->hash == h && strcmp(st->sql, sql) == 0)
                break;
        }
    }
    if (st != NULL) {
        st->last = sql;
        s->recent[slot] = st;
        rc = s->ops->clear(st);
        if (rc == POS_OK)
            *out = st;
        goto out;
    }
    if (s->nstmts >= s->stmt_cache_max) {
        rc = store__fail(s, POS_ERR_NOSPACE, "statement cache full (%zu texts)", s->nstmts);
        goto out;
    }
    len = strlen(sql);
    copy = pos_malloc(len + 1);
    if (copy == NULL) {
        rc = store__fail(s, POS_ERR_NOMEM, "statement cache");
        goto out;
    }
    memcpy(copy, sql, len + 1);
    rc = s->ops->prepare(s, sql, &st);
    if (rc != POS_OK)
        goto out;
    st->s = s;
    st->hash = h;
    st->sql = copy;
    st->last = sql;
    s->recent[slot] = st;
    copy = NULL;
    st->next = s->buckets[b];
    s->buckets[b] = st;
    s->nstmts++;
    *out = st;
out:
    pos_free(copy);
    return rc;
}

int store_bind_int64(struct store_stmt *st, int idx, int64_t v)
{
    return st->s->ops->bind_int64(st, idx, v);
}

int store_bind_text(struct store_stmt *st, int idx, const char *text, size_t len)
{
    if (text == NULL && len != 0)
        return store__fail(st->s, POS_ERR_INVAL, "NULL text with length %zu", len);
    return st->s->ops->bind_text(st, idx, text == NULL ? "" : text, len);
}

int store_bind_blob(struct store_stmt *st, int idx, const void *blob, size_t len)
{
    if (blob == NULL && len != 0)
        return store__fail(st->s, POS_ERR_INVAL, "NULL blob with length %zu", len);
    return st->s->ops->bind_blob(st, idx, blob, len);
}

int store_bind_null(struct store_stmt *st, int idx)
{
    return st->s->ops->bind_null(st, idx);
}

int store_step(struct store_stmt *st)
{
    return st->s->ops->step(st);
}

int store_reset(struct store_stmt *st)
{
    return st->s->ops->reset(st);
}

int store_column_count(struct store_stmt *st)
{
    return st->s->ops->column_count(st);
}

bool store_column_is_null(struct store_stmt *st, int col)
{
    return st->s->ops->column_is_null(st, col);
}

int64_t store_column_int64(struct store_stmt *st, int col)
{
    return st->s->ops->column_int64(st, col);
}

const char *store_column_text(struct store_stmt *st, int col, size_t *len)
{
    return st->s->ops->column_text(st, col, len);
}

const uint8_t *store_column_blob(struct store_stmt *st, int col, size_t *len)
{
    return st->s->ops->column_blob(st, col, len);
}

int64_t store_changes(struct store *s)
{
    return s->ops->changes(s);
}

int64_t store_last_insert_id(struct store *s)
{
    return s->ops->last_insert_id(s);
}

bool store_is_in_transaction(struct store *s)
{
    return s->ops->is_in_transaction(s);
}

int store_table_exists(struct store *s, const char *name, bool *exists)
{
    *exists = false;
    if (name == NULL)
        return store__fail(s, POS_ERR_INVAL, "no table name");
    return s->ops->table_exists(s, name, exists);
}

/* Runs a parameterless statement through the cache, to completion. */
static int store_run(struct store *s, const char *sql)
{
    struct store_stmt *st;
    int rc;

    rc = store_prepare(s, sql, &st);
    if (rc != POS_OK)
        return rc;
    rc = store_step(st);
    if (rc == STORE_ROW)
        rc = store_reset(st);
    return rc;
}

static int store_tx(struct store *s, const char *sql)
{
    if (s->writer_owned)
        return store__fail(s, POS_ERR_INVAL, "the writer owns this connection's transaction");
    return store_run(s, sql);
}

int store_begin(struct store *s)
{
    return store_tx(s, s->ops->begin_sql);
}

int store_commit(struct store *s)
{
    return store_tx(s, "COMMIT");
}

int store_rollback(struct store *s)
{
    return store_tx(s, "ROLLBACK");
}

static bool store_is_identifier(const char *name)
{
    size_t i;

    if (name == NULL || name[0] == '\0' || (name[0] >= '0' && name[0] <= '9'))
        return false;
    for (i = 0; name[i] != '\0'; i++) {
        char c = name[i];

        if (i >= STORE_SAVEPOINT_NAME_MAX)
            return false;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return false;
    }
    return true;
}

/* verb is "SAVEPOINT", "RELEASE SAVEPOINT" or "ROLLBACK TO SAVEPOINT"; the
 * statement text is fixed per name, so it is cached like any other. */
static int store_savepoint_op(struct store *s, const char *verb, const char *name)
{
    char sql[64 + STORE_SAVEPOINT_NAME_MAX];

    if (!store_is_identifier(name))
        return store__fail(s, POS_ERR_INVAL, "bad savepoint name");
    snprintf(sql, sizeof(sql), "%s %s", verb, name);
    return store_run(s, sql);
}

int store_savepoint(struct store *s, const char *name)
{
    return store_savepoint_op(s, "SAVEPOINT", name);
}

int store_release(struct store *s, const char *name)
{
    return store_savepoint_op(s, "RELEASE SAVEPOINT", name);
}

int store_rollback_to(struct store *s, const char *name)
{
    return store_savepoint_op(s, "ROLLBACK TO SAVEPOINT", name);
}
