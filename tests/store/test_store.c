/* Tests for src/store/store.c and src/store/sqlite.c: the storage interface
 * on its SQLite backend. */
#include "testutil.h"

#include <stdint.h>
#include <string.h>

#include "storetest.h"
#include "store/store.h"

struct fx {
    char dir[256];
    char db[512];
    char url[600];
    struct store *s;
};

static int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    st_tmpdir_make(f->dir, sizeof(f->dir));
    st_path(f->dir, "t.db", f->db, sizeof(f->db));
    snprintf(f->url, sizeof(f->url), "sqlite:%s", f->db);
    if (store_open(f->url, NULL, &f->s, NULL) != POS_OK)
        return -1;
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    struct fx *f = *state;

    store_close(f->s);
    st_tmpdir_remove(f->dir);
    free(f);
    return 0;
}

/* Runs a one-value query and returns its integer. */
static int64_t q_int(struct store *s, const char *sql)
{
    struct store_stmt *st;
    int64_t v;

    assert_int_equal(store_prepare(s, sql, &st), POS_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    v = store_column_int64(st, 0);
    assert_int_equal(store_reset(st), POS_OK);
    return v;
}

static const char *q_text(struct store *s, const char *sql, char *buf, size_t cap)
{
    struct store_stmt *st;
    const char *t;

    assert_int_equal(store_prepare(s, sql, &st), POS_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    t = store_column_text(st, 0, NULL);
    assert_non_null(t);
    snprintf(buf, cap, "%s", t);
    assert_int_equal(store_reset(st), POS_OK);
    return buf;
}

static void test_open_settings(void **state)
{
    struct fx *f = *state;
    char buf[64];

    assert_string_equal(store_backend(f->s), "sqlite");
    assert_string_equal(store_error(f->s)->what, "");
    assert_string_equal(q_text(f->s, "PRAGMA journal_mode", buf, sizeof(buf)), "wal");
    assert_int_equal(q_int(f->s, "PRAGMA synchronous"), 2); /* 2 = FULL */
    assert_int_equal(q_int(f->s, "PRAGMA foreign_keys"), 1);
    assert_int_equal(q_int(f->s, "PRAGMA busy_timeout"), STORE_DEFAULT_BUSY_TIMEOUT_MS);
    assert_int_equal(q_int(f->s, "PRAGMA cache_size"), -STORE_DEFAULT_CACHE_KIB);
    assert_false(store_is_in_transaction(f->s));
}

static void test_open_urls(void **state)
{
    struct fx *f = *state;
    struct store_options o;
    struct pos_errdetail d;
    struct store *s = (struct store *)&d; /* must be set to NULL on failure */
    char path[600];
    FILE *fp;

    /* a bare path and the sqlite: form open the same file */
    assert_int_equal(store_open(f->db, NULL, &s, &d), POS_OK);
    assert_int_equal(store_exec(s, "CREATE TABLE t (x INTEGER)"), POS_OK);
    store_close(s);
    assert_int_equal(store_open("sqlite::memory:", NULL, &s, &d), POS_OK);
    store_close(s);
    store_close(NULL);

    assert_int_equal(store_open("postgresql://localhost/pos", NULL, &s, &d), POS_ERR_UNSUPPORTED);
    assert_null(s);
    assert_non_null(strstr(d.what, "PostgreSQL"));
    assert_int_equal(store_open("postgres://x", NULL, &s, &d), POS_ERR_UNSUPPORTED);
    assert_int_equal(store_open("mysql://x/y", NULL, &s, &d), POS_ERR_UNSUPPORTED);
    assert_int_equal(store_open("", NULL, &s, &d), POS_ERR_INVAL);
    assert_int_equal(store_open("sqlite:", NULL, &s, &d), POS_ERR_INVAL);
    assert_string_equal(d.what, "empty database path");
    assert_int_equal(store_open(NULL, NULL, &s, &d), POS_ERR_INVAL);
    assert_int_equal(store_open(f->db, NULL, NULL, NULL), POS_ERR_INVAL);

    store_options_init(&o);
    o.stmt_cache_max = 0;
    assert_int_equal(store_open(f->db, &o, &s, &d), POS_ERR_INVAL);
    store_options_init(&o);
    o.busy_timeout_ms = -1;
    assert_int_equal(store_open(f->db, &o, &s, &d), POS_ERR_INVAL);
    store_options_init(&o);
    o.cache_kib = -5;
    assert_int_equal(store_open(f->db, &o, &s, &d), POS_ERR_INVAL);

    /* missing files: readers and no_create never create one */
    st_path(f->dir, "missing.db", path, sizeof(path));
    store_options_init(&o);
    o.read_only = true;
    assert_int_equal(store_open(path, &o, &s, &d), POS_ERR_DB);
    assert_null(s);
    assert_non_null(strstr(d.what, "open"));
    store_options_init(&o);
    o.no_create = true;
    assert_int_equal(store_open(path, &o, &s, &d), POS_ERR_DB);
    assert_int_equal(access(path, F_OK), -1);

    /* a directory, and a file that is not a database */
    assert_int_equal(store_open(f->dir, NULL, &s, &d), POS_ERR_DB);
    st_path(f->dir, "garbage.db", path, sizeof(path));
    fp = fopen(path, "w");
    assert_non_null(fp);
    for (int i = 0; i < 200; i++)
        fputs("this is not an SQLite database file\n", fp);
    fclose(fp);
    assert_int_equal(store_open(path, NULL, &s, &d), POS_ERR_DB);
    assert_null(s);
    assert_non_null(strstr(d.what, "not a database"));
}

static void test_exec(void **state)
{
    struct fx *f = *state;
    bool exists = true;

    assert_int_equal(store_table_exists(f->s, "t", &exists), POS_OK);
    assert_false(exists);
    assert_int_equal(store_exec(f->s, "CREATE TABLE t (a INTEGER); CREATE TABLE u (b TEXT);"),
                     POS_OK);
    assert_int_equal(store_table_exists(f->s, "t", &exists), POS_OK);
    assert_true(exists);
    assert_int_equal(store_table_exists(f->s, "u", &exists), POS_OK);
    assert_true(exists);
    assert_int_equal(store_table_exists(f->s, NULL, &exists), POS_ERR_INVAL);
    assert_int_equal(store_exec(f->s, "CREATE TABLEX v (a)"), POS_ERR_DB);
    assert_non_null(strstr(store_error(f->s)->what, "syntax error"));
    assert_int_equal(store_exec(f->s, "SELECT * FROM nowhere"), POS_ERR_DB);
    assert_non_null(strstr(store_error(f->s)->what, "no such table: nowhere"));
    assert_int_equal(store_exec(f->s, NULL), POS_ERR_INVAL);
}

static void test_types_roundtrip(void **state)
{
    static const uint8_t blob[] = {0x00, 0x01, 0x00, 0xFF, 0x00};
    static const char text[] = "caf\xC3\xA9 \xE6\x94\xB6\xE9\x93\xB6"; /* café 收银 */
    static const int64_t ints[] = {INT64_MIN, INT64_MAX, 0, -1, 1, 4294967296LL};
    struct fx *f = *state;
    struct store_stmt *st;
    const uint8_t *b;
    const char *t;
    size_t len, i;

    assert_int_equal(store_exec(f->s, "CREATE TABLE v (id INTEGER PRIMARY KEY, i INTEGER,"
                                      " t TEXT, b BLOB)"),
                     POS_OK);
    assert_int_equal(store_prepare(f->s, "INSERT INTO v (id, i, t, b) VALUES (?, ?, ?, ?)", &st),
                     POS_OK);
    for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        assert_int_equal(store_bind_int64(st, 1, (int64_t)i + 1), POS_OK);
        assert_int_equal(store_bind_int64(st, 2, ints[i]), POS_OK);
        assert_int_equal(store_bind_text(st, 3, text, strlen(text)), POS_OK);
        assert_int_equal(store_bind_blob(st, 4, blob, sizeof(blob)), POS_OK);
        assert_int_equal(store_step(st), STORE_DONE);
        assert_int_equal(store_changes(f->s), 1);
        assert_int_equal(store_last_insert_id(f->s), (int64_t)i + 1);
    }
    /* empty text and blob (NULL pointers with length 0) are not SQL NULL */
    assert_int_equal(store_bind_int64(st, 1, 100), POS_OK);
    assert_int_equal(store_bind_null(st, 2), POS_OK);
    assert_int_equal(store_bind_text(st, 3, NULL, 0), POS_OK);
    assert_int_equal(store_bind_blob(st, 4, NULL, 0), POS_OK);
    assert_int_equal(store_step(st), STORE_DONE);
    /* SQL NULL everywhere; text that is not NUL-terminated */
    assert_int_equal(store_bind_int64(st, 1, 101), POS_OK);
    assert_int_equal(store_bind_null(st, 2), POS_OK);
    assert_int_equal(store_bind_text(st, 3, "abcdef", 3), POS_OK);
    assert_int_equal(store_bind_null(st, 4), POS_OK);
    assert_int_equal(store_step(st), STORE_DONE);

    assert_int_equal(store_prepare(f->s, "SELECT i, t, b FROM v WHERE id = ?", &st), POS_OK);
    assert_int_equal(store_column_count(st), 3);
    for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        assert_int_equal(store_bind_int64(st, 1, (int64_t)i + 1), POS_OK);
        assert_int_equal(store_step(st), STORE_ROW);
        assert_false(store_column_is_null(st, 0));
        assert_true(store_column_int64(st, 0) == ints[i]);
        t = store_column_text(st, 1, &len);
        assert_buf_equal(t, len, text, strlen(text));
        assert_int_equal(t[len], '\0');
        b = store_column_blob(st, 2, &len);
        assert_buf_equal(b, len, blob, sizeof(blob));
        assert_int_equal(store_step(st), STORE_DONE);
    }
    assert_int_equal(store_bind_int64(st, 1, 100), POS_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_true(store_column_is_null(st, 0));
    assert_int_equal(store_column_int64(st, 0), 0);
    t = store_column_text(st, 1, &len);
    assert_non_null(t);
    assert_int_equal(len, 0);
    assert_false(store_column_is_null(st, 2));
    b = store_column_blob(st, 2, &len);
    assert_non_null(b);
    assert_int_equal(len, 0);
    /* out of range columns read as NULL */
    assert_true(store_column_is_null(st, 3));
    assert_true(store_column_is_null(st, -1));
    assert_int_equal(store_column_int64(st, 7), 0);
    len = 99;
    assert_null(store_column_text(st, 3, &len));
    assert_int_equal(len, 0);
    assert_null(store_column_blob(st, -2, NULL));
    assert_int_equal(store_reset(st), POS_OK);

    assert_int_equal(store_bind_int64(st, 1, 101), POS_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    t = store_column_text(st, 1, &len);
    assert_string_equal(t, "abc");
    assert_int_equal(len, 3);
    len = 99;
    assert_null(store_column_blob(st, 2, &len));
    assert_int_equal(len, 0);
    assert_true(store_column_is_null(st, 2));
    assert_int_equal(store_reset(st), POS_OK);

    /* a missing row */
    assert_int_equal(store_bind_int64(st, 1, 999), POS_OK);
    assert_int_equal(store_step(st), STORE_DONE);
}

static void test_prepare_cache(void **state)
{
    struct fx *f = *state;
    struct store_options o;
    struct store_stmt *a, *b, *c;
    struct store *s;

    assert_int_equal(store_exec(f->s, "CREATE TABLE n (x INTEGER);"
                                      "INSERT INTO n VALUES (1), (2), (3)"),
                     POS_OK);
    assert_int_equal(store_prepare(f->s, "SELECT x FROM n WHERE x >= ? ORDER BY x", &a), POS_OK);
    assert_int_equal(store_bind_int64(a, 1, 2), POS_OK);
    assert_int_equal(store_step(a), STORE_ROW);
    assert_int_equal(store_column_int64(a, 0), 2);
    /* the same text is the same statement, reset and with bindings cleared */
    assert_int_equal(store_prepare(f->s, "SELECT x FROM n WHERE x >= ? ORDER BY x", &b), POS_OK);
    assert_ptr_equal(a, b);
    assert_int_equal(store_step(b), STORE_DONE); /* x >= NULL matches nothing */
    assert_int_equal(store_bind_int64(b, 1, 1), POS_OK);
    assert_int_equal(store_step(b), STORE_ROW);
    assert_int_equal(store_column_int64(b, 0), 1);
    assert_int_equal(store_reset(b), POS_OK);
    assert_int_equal(store_prepare(f->s, "SELECT x FROM n WHERE x > ? ORDER BY x", &c), POS_OK);
    assert_ptr_not_equal(a, c);

    /* one buffer holding one text, then another: each its own statement
     * (a cached pointer is only a hint) */
    {
        char sql[64];
        struct store_stmt *d, *e;

        snprintf(sql, sizeof(sql), "SELECT %d", 41);
        assert_int_equal(store_prepare(f->s, sql, &d), POS_OK);
        snprintf(sql, sizeof(sql), "SELECT %d", 42);
        assert_int_equal(store_prepare(f->s, sql, &e), POS_OK);
        assert_ptr_not_equal(d, e);
        assert_int_equal(store_step(e), STORE_ROW);
        assert_int_equal(store_column_int64(e, 0), 42);
        assert_int_equal(store_reset(e), POS_OK);
        snprintf(sql, sizeof(sql), "SELECT %d", 41);
        assert_int_equal(store_prepare(f->s, sql, &e), POS_OK);
        assert_ptr_equal(d, e);
        assert_int_equal(store_step(e), STORE_ROW);
        assert_int_equal(store_column_int64(e, 0), 41);
        assert_int_equal(store_reset(e), POS_OK);
    }

    /* binding errors */
    assert_int_equal(store_bind_int64(a, 2, 1), POS_ERR_RANGE);
    assert_int_equal(store_bind_int64(a, 0, 1), POS_ERR_RANGE);
    assert_int_equal(store_bind_text(a, 1, NULL, 3), POS_ERR_INVAL);
    assert_int_equal(store_bind_blob(a, 1, NULL, 3), POS_ERR_INVAL);

    /* bad texts */
    assert_int_equal(store_prepare(f->s, "SELEC 1", &c), POS_ERR_DB);
    assert_null(c);
    assert_int_equal(store_prepare(f->s, "", &c), POS_ERR_INVAL);
    assert_int_equal(store_prepare(f->s, "  -- nothing\n", &c), POS_ERR_INVAL);
    assert_int_equal(store_prepare(f->s, "SELECT 1; SELECT 2", &c), POS_ERR_INVAL);
    assert_non_null(strstr(store_error(f->s)->what, "more than one statement"));
    assert_int_equal(store_prepare(f->s, "SELECT 1 ; ", &c), POS_OK);
    assert_int_equal(store_prepare(f->s, NULL, &c), POS_ERR_INVAL);

    /* a full cache refuses new texts, still serves known ones */
    store_options_init(&o);
    o.stmt_cache_max = 2;
    assert_int_equal(store_open(f->url, &o, &s, NULL), POS_OK);
    assert_int_equal(store_prepare(s, "SELECT 1", &a), POS_OK);
    assert_int_equal(store_prepare(s, "SELECT 2", &b), POS_OK);
    assert_int_equal(store_prepare(s, "SELECT 3", &c), POS_ERR_NOSPACE);
    assert_null(c);
    assert_non_null(strstr(store_error(s)->what, "statement cache full"));
    assert_int_equal(store_prepare(s, "SELECT 1", &c), POS_OK);
    assert_ptr_equal(a, c);
    store_close(s);
}

static void test_constraints(void **state)
{
    static const char secret[] = "4761739001010119"; /* looks like a PAN: never echoed */
    struct fx *f = *state;
    struct store_stmt *st;
    const char *what = store_error(f->s)->what;

    assert_int_equal(store_exec(f->s, "CREATE TABLE p (id INTEGER PRIMARY KEY);"
                                      "CREATE TABLE c (k TEXT NOT NULL UNIQUE,"
                                      " n INTEGER CHECK (n >= 0),"
                                      " p INTEGER REFERENCES p (id));"
                                      "INSERT INTO p VALUES (1)"),
                     POS_OK);
    assert_int_equal(store_prepare(f->s, "INSERT INTO c (k, n, p) VALUES (?, ?, ?)", &st), POS_OK);
    assert_int_equal(store_bind_text(st, 1, secret, strlen(secret)), POS_OK);
    assert_int_equal(store_bind_int64(st, 2, 5), POS_OK);
    assert_int_equal(store_bind_int64(st, 3, 1), POS_OK);
    assert_int_equal(store_step(st), STORE_DONE);
    /* unique */
    assert_int_equal(store_step(st), POS_ERR_CONSTRAINT);
    assert_string_equal(what, "UNIQUE constraint failed: c.k");
    assert_null(strstr(what, secret));
    /* check */
    assert_int_equal(store_bind_text(st, 1, "x", 1), POS_OK);
    assert_int_equal(store_bind_int64(st, 2, -1), POS_OK);
    assert_int_equal(store_step(st), POS_ERR_CONSTRAINT);
    assert_non_null(strstr(what, "CHECK constraint failed"));
    /* foreign key */
    assert_int_equal(store_bind_int64(st, 2, 1), POS_OK);
    assert_int_equal(store_bind_int64(st, 3, 42), POS_OK);
    assert_int_equal(store_step(st), POS_ERR_CONSTRAINT);
    assert_string_equal(what, "FOREIGN KEY constraint failed");
    /* not null */
    assert_int_equal(store_bind_null(st, 1), POS_OK);
    assert_int_equal(store_bind_int64(st, 3, 1), POS_OK);
    assert_int_equal(store_step(st), POS_ERR_CONSTRAINT);
    assert_string_equal(what, "NOT NULL constraint failed: c.k");
    /* the statement is usable again after a failure */
    assert_int_equal(store_bind_text(st, 1, "y", 1), POS_OK);
    assert_int_equal(store_step(st), STORE_DONE);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM c"), 2);
}

static void test_upsert_returning(void **state)
{
    struct fx *f = *state;
    struct store_stmt *st;
    int64_t id;

    assert_int_equal(store_exec(f->s, "CREATE TABLE bal (id INTEGER PRIMARY KEY,"
                                      " acct TEXT NOT NULL UNIQUE, amount INTEGER NOT NULL)"),
                     POS_OK);
    assert_int_equal(store_prepare(f->s,
                                   "INSERT INTO bal (acct, amount) VALUES (?, ?)"
                                   " ON CONFLICT (acct) DO UPDATE SET amount = amount + "
                                   "excluded.amount RETURNING id, amount",
                                   &st),
                     POS_OK);
    assert_int_equal(store_bind_text(st, 1, "m1", 2), POS_OK);
    assert_int_equal(store_bind_int64(st, 2, 100), POS_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    id = store_column_int64(st, 0);
    assert_int_equal(store_column_int64(st, 1), 100);
    assert_int_equal(store_step(st), STORE_DONE);
    assert_int_equal(store_bind_int64(st, 2, -30), POS_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_int_equal(store_column_int64(st, 0), id);
    assert_int_equal(store_column_int64(st, 1), 70);
    assert_int_equal(store_reset(st), POS_OK);
    assert_int_equal(q_int(f->s, "SELECT amount FROM bal WHERE acct = 'm1'"), 70);

    assert_int_equal(store_prepare(f->s,
                                   "INSERT INTO bal (acct, amount) VALUES (?, 1)"
                                   " ON CONFLICT (acct) DO NOTHING",
                                   &st),
                     POS_OK);
    assert_int_equal(store_bind_text(st, 1, "m1", 2), POS_OK);
    assert_int_equal(store_step(st), STORE_DONE);
    assert_int_equal(store_changes(f->s), 0);
    assert_int_equal(store_bind_text(st, 1, "m2", 2), POS_OK);
    assert_int_equal(store_step(st), STORE_DONE);
    assert_int_equal(store_changes(f->s), 1);
}

static void test_transactions(void **state)
{
    struct fx *f = *state;
    struct store_options o;
    struct store *r, *w2;

    assert_int_equal(store_exec(f->s, "CREATE TABLE t (x INTEGER)"), POS_OK);
    store_options_init(&o);
    o.read_only = true;
    assert_int_equal(store_open(f->url, &o, &r, NULL), POS_OK);

    assert_int_equal(store_begin(f->s), POS_OK);
    assert_true(store_is_in_transaction(f->s));
    assert_int_equal(store_exec(f->s, "INSERT INTO t VALUES (1)"), POS_OK);
    /* WAL: the reader sees the last commit, not the open transaction */
    assert_int_equal(q_int(r, "SELECT count(*) FROM t"), 0);
    /* a second writer is refused once its busy timeout (0 ms) passes */
    store_options_init(&o);
    o.busy_timeout_ms = 0;
    assert_int_equal(store_open(f->url, &o, &w2, NULL), POS_OK);
    assert_int_equal(store_begin(w2), POS_ERR_BUSY);
    assert_non_null(strstr(store_error(w2)->what, "locked"));
    assert_int_equal(store_exec(w2, "INSERT INTO t VALUES (9)"), POS_ERR_BUSY);
    /* nested BEGIN is an error */
    assert_int_equal(store_begin(f->s), POS_ERR_DB);
    assert_int_equal(store_commit(f->s), POS_OK);
    assert_false(store_is_in_transaction(f->s));
    assert_int_equal(q_int(r, "SELECT count(*) FROM t"), 1);

    assert_int_equal(store_begin(f->s), POS_OK);
    assert_int_equal(store_exec(f->s, "INSERT INTO t VALUES (2)"), POS_OK);
    assert_int_equal(store_rollback(f->s), POS_OK);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM t"), 1);
    assert_int_equal(store_commit(f->s), POS_ERR_DB);
    assert_int_equal(store_rollback(f->s), POS_ERR_DB);

    /* the second writer gets its turn once the lock is free */
    assert_int_equal(store_begin(w2), POS_OK);
    assert_int_equal(store_exec(w2, "INSERT INTO t VALUES (3)"), POS_OK);
    /* closing with an open transaction rolls it back */
    store_close(w2);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM t"), 1);

    /* a reader cannot write */
    assert_int_equal(store_exec(r, "INSERT INTO t VALUES (4)"), POS_ERR_DB);
    assert_non_null(strstr(store_error(r)->what, "readonly"));
    store_close(r);
}

static void test_savepoints(void **state)
{
    struct fx *f = *state;
    char name[40];

    assert_int_equal(store_exec(f->s, "CREATE TABLE t (x INTEGER)"), POS_OK);
    assert_int_equal(store_begin(f->s), POS_OK);
    assert_int_equal(store_savepoint(f->s, "a"), POS_OK);
    assert_int_equal(store_exec(f->s, "INSERT INTO t VALUES (1)"), POS_OK);
    assert_int_equal(store_savepoint(f->s, "b_2"), POS_OK);
    assert_int_equal(store_exec(f->s, "INSERT INTO t VALUES (2)"), POS_OK);
    assert_int_equal(store_rollback_to(f->s, "b_2"), POS_OK);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM t"), 1);
    /* rolled back to, still open: more work, then undo again */
    assert_int_equal(store_exec(f->s, "INSERT INTO t VALUES (3)"), POS_OK);
    assert_int_equal(store_rollback_to(f->s, "b_2"), POS_OK);
    assert_int_equal(store_release(f->s, "b_2"), POS_OK);
    assert_int_equal(store_release(f->s, "b_2"), POS_ERR_DB); /* gone */
    assert_non_null(strstr(store_error(f->s)->what, "no such savepoint"));
    assert_int_equal(store_release(f->s, "a"), POS_OK);
    assert_true(store_is_in_transaction(f->s));
    assert_int_equal(store_commit(f->s), POS_OK);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM t"), 1);
    assert_int_equal(q_int(f->s, "SELECT x FROM t"), 1);

    /* bad names */
    assert_int_equal(store_savepoint(f->s, ""), POS_ERR_INVAL);
    assert_int_equal(store_savepoint(f->s, NULL), POS_ERR_INVAL);
    assert_int_equal(store_savepoint(f->s, "1a"), POS_ERR_INVAL);
    assert_int_equal(store_savepoint(f->s, "a-b"), POS_ERR_INVAL);
    assert_int_equal(store_release(f->s, "a;DROP TABLE t"), POS_ERR_INVAL);
    assert_int_equal(store_rollback_to(f->s, "a b"), POS_ERR_INVAL);
    memset(name, 'a', STORE_SAVEPOINT_NAME_MAX);
    name[STORE_SAVEPOINT_NAME_MAX] = '\0';
    assert_int_equal(store_savepoint(f->s, name), POS_OK); /* outside BEGIN: its own tx */
    assert_int_equal(store_release(f->s, name), POS_OK);
    name[STORE_SAVEPOINT_NAME_MAX] = 'a';
    name[STORE_SAVEPOINT_NAME_MAX + 1] = '\0';
    assert_int_equal(store_savepoint(f->s, name), POS_ERR_INVAL);
    assert_false(store_is_in_transaction(f->s));
}

/* Every heap allocation of the store (connection, cache, statement, SQL
 * copy) failing in turn gives POS_ERR_NOMEM and leaks nothing (ASan). */
static void test_alloc_failures(void **state)
{
    struct fx *f = *state;
    struct pos_errdetail d;
    struct store_stmt *st;
    struct store *s;
    long n;
    int rc = POS_ERR_NOMEM;

    for (n = 0; rc != POS_OK; n++) {
        assert_true(n < 50);
        tu_alloc_fail_after(n);
        rc = store_open(f->url, NULL, &s, &d);
        if (rc == POS_OK) {
            rc = store_prepare(s, "SELECT 1", &st);
            if (rc != POS_OK)
                assert_null(st);
            store_close(s);
        } else {
            assert_null(s);
        }
        tu_alloc_reset();
        assert_true(rc == POS_OK || rc == POS_ERR_NOMEM);
    }
    assert_true(n >= 4); /* connection, cache, SQL copy, statement */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_settings, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_open_urls, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_exec, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_types_roundtrip, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_prepare_cache, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_constraints, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_upsert_returning, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_transactions, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_savepoints, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_alloc_failures, fx_setup, fx_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
