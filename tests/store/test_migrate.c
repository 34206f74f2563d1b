/* Tests for src/store/migrate.c: versioned migrations. */
#include "testutil.h"

#include <pthread.h>
#include <string.h>

#include "storetest.h"
#include "store/migrate.h"

/* A test schema, in three versions. */
static const char *const v1_sql[] = {
    "CREATE TABLE merchant (id INTEGER PRIMARY KEY, mid TEXT NOT NULL UNIQUE)",
    NULL,
};
static const char *const v2_sql[] = {
    "CREATE TABLE terminal (id INTEGER PRIMARY KEY, tid TEXT NOT NULL UNIQUE,"
    " merchant_id INTEGER NOT NULL REFERENCES merchant (id))",
    "INSERT INTO merchant (mid) VALUES ('000000000000001')",
    NULL,
};
static const char *const v3_sql[] = {
    "ALTER TABLE terminal ADD COLUMN dialect TEXT NOT NULL DEFAULT 'cup'",
    "CREATE INDEX terminal_merchant ON terminal (merchant_id)",
    NULL,
};
static const char *const bad_sql[] = {
    "CREATE TABLE journal (id INTEGER PRIMARY KEY)",
    "INSERT INTO journal (id) VALUES (1)",
    "CREATE TABLEX oops (x)",
    NULL,
};
static const char *const none_sql[] = {NULL};

static const struct store_migration schema[] = {
    {1, "merchants", v1_sql},
    {2, "terminals", v2_sql},
    {3, "terminal dialect", v3_sql},
};

struct fx {
    char dir[256];
    char url[600];
    struct store *s;
};

static int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    char db[512];

    if (f == NULL)
        return -1;
    st_tmpdir_make(f->dir, sizeof(f->dir));
    snprintf(f->url, sizeof(f->url), "sqlite:%s", st_path(f->dir, "m.db", db, sizeof(db)));
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

static bool has_table(struct store *s, const char *name)
{
    bool exists = false;

    assert_int_equal(store_table_exists(s, name, &exists), POS_OK);
    return exists;
}

static void test_fresh(void **state)
{
    struct fx *f = *state;
    struct pos_errdetail d;
    struct store_stmt *st;
    int64_t v = -1;

    assert_int_equal(store_migrate_version(f->s, &v), POS_OK);
    assert_int_equal(v, 0);
    assert_false(has_table(f->s, "schema_version"));
    assert_int_equal(store_migrate(f->s, schema, 3, &v, &d), POS_OK);
    assert_int_equal(v, 3);
    assert_true(has_table(f->s, "merchant"));
    assert_true(has_table(f->s, "terminal"));
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM merchant"), 1);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM pragma_table_info('terminal')"
                                 " WHERE name = 'dialect'"),
                     1);
    assert_int_equal(store_prepare(f->s,
                                   "SELECT version, name, applied_at FROM schema_version"
                                   " ORDER BY version",
                                   &st),
                     POS_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(store_step(st), STORE_ROW);
        assert_int_equal(store_column_int64(st, 0), schema[i].version);
        assert_string_equal(store_column_text(st, 1, NULL), schema[i].name);
        assert_true(store_column_int64(st, 2) > 1600000000);
    }
    assert_int_equal(store_step(st), STORE_DONE);
    assert_false(store_is_in_transaction(f->s));
}

static void test_reapply_and_incremental(void **state)
{
    struct fx *f = *state;
    int64_t v = -1;

    /* version 1 and 2 first, then the whole list: only 3 is new */
    assert_int_equal(store_migrate(f->s, schema, 2, &v, NULL), POS_OK);
    assert_int_equal(v, 2);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM pragma_table_info('terminal')"
                                 " WHERE name = 'dialect'"),
                     0);
    assert_int_equal(store_migrate(f->s, schema, 3, &v, NULL), POS_OK);
    assert_int_equal(v, 3);
    /* again and again: nothing re-runs (the seed row is not duplicated) */
    assert_int_equal(store_migrate(f->s, schema, 3, &v, NULL), POS_OK);
    assert_int_equal(store_migrate(f->s, schema, 3, NULL, NULL), POS_OK);
    assert_int_equal(v, 3);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM merchant"), 1);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM schema_version"), 3);
}

static void test_newer_than_code(void **state)
{
    struct fx *f = *state;
    struct pos_errdetail d;
    int64_t v = -1;

    assert_int_equal(store_migrate(f->s, schema, 3, &v, &d), POS_OK);
    assert_int_equal(store_migrate(f->s, schema, 2, &v, &d), POS_ERR_SCHEMA);
    assert_string_equal(d.what, "database at schema version 3, this program knows up to 2");
    assert_int_equal(v, 0);
    assert_int_equal(store_migrate(f->s, NULL, 0, &v, &d), POS_ERR_SCHEMA);
    assert_int_equal(store_migrate_version(f->s, &v), POS_OK);
    assert_int_equal(v, 3);
}

static void test_failing_migration(void **state)
{
    struct fx *f = *state;
    struct pos_errdetail d;
    struct store_migration list[4];
    int64_t v = -1;

    memcpy(list, schema, sizeof(schema));
    list[3].version = 4;
    list[3].name = "journal";
    list[3].sql = bad_sql;
    assert_int_equal(store_migrate(f->s, list, 4, &v, &d), POS_ERR_DB);
    assert_non_null(strstr(d.what, "migration 4 (journal), statement 2: "));
    assert_non_null(strstr(d.what, "syntax error"));
    assert_int_equal(d.offset, 2);
    /* 1..3 stay applied; all of 4 (its first two statements too) is undone */
    assert_int_equal(store_migrate_version(f->s, &v), POS_OK);
    assert_int_equal(v, 3);
    assert_false(has_table(f->s, "journal"));
    assert_false(store_is_in_transaction(f->s));
}

static void test_bad_lists(void **state)
{
    struct fx *f = *state;
    struct pos_errdetail d;
    struct store_migration list[2] = {{1, "a", v1_sql}, {1, "b", v2_sql}};

    assert_int_equal(store_migrate(f->s, list, 2, NULL, &d), POS_ERR_INVAL);
    assert_non_null(strstr(d.what, "not above"));
    list[0].version = 0;
    assert_int_equal(store_migrate(f->s, list, 1, NULL, &d), POS_ERR_INVAL);
    list[0].version = 1;
    list[0].sql = none_sql;
    assert_int_equal(store_migrate(f->s, list, 1, NULL, &d), POS_ERR_INVAL);
    assert_non_null(strstr(d.what, "no statements"));
    list[0].sql = NULL;
    assert_int_equal(store_migrate(f->s, list, 1, NULL, &d), POS_ERR_INVAL);
    assert_int_equal(store_migrate(f->s, NULL, 1, NULL, &d), POS_ERR_INVAL);
    /* nothing was touched */
    assert_false(has_table(f->s, "schema_version"));
    /* not inside a transaction */
    assert_int_equal(store_begin(f->s), POS_OK);
    assert_int_equal(store_migrate(f->s, schema, 3, NULL, &d), POS_ERR_INVAL);
    assert_string_equal(d.what, "a transaction is open");
    assert_int_equal(store_rollback(f->s), POS_OK);
    /* an empty list on an empty database is fine */
    assert_int_equal(store_migrate(f->s, NULL, 0, NULL, &d), POS_OK);
}

static void test_read_only(void **state)
{
    struct fx *f = *state;
    struct store_options o;
    struct pos_errdetail d;
    struct store *r;
    int64_t v = -1;

    assert_int_equal(store_migrate(f->s, schema, 1, NULL, NULL), POS_OK);
    store_options_init(&o);
    o.read_only = true;
    assert_int_equal(store_open(f->url, &o, &r, NULL), POS_OK);
    assert_int_equal(store_migrate_version(r, &v), POS_OK);
    assert_int_equal(v, 1);
    assert_int_equal(store_migrate(r, schema, 3, &v, &d), POS_ERR_DB);
    assert_non_null(strstr(d.what, "readonly"));
    store_close(r);
}

struct racer {
    const char *url;
    int rc;
    int64_t v;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    struct store *s = NULL;

    r->rc = store_open(r->url, NULL, &s, NULL);
    if (r->rc == POS_OK)
        r->rc = store_migrate(s, schema, 3, &r->v, NULL);
    store_close(s);
    return NULL;
}

/* Concurrent migrators: each migration applied once, both succeed. */
static void test_concurrent(void **state)
{
    struct fx *f = *state;
    struct racer r[4];
    pthread_t t[4];
    int i;

    for (i = 0; i < 4; i++) {
        r[i].url = f->url;
        r[i].rc = 1;
        r[i].v = 0;
        assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
    }
    for (i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(r[i].rc, POS_OK);
        assert_int_equal(r[i].v, 3);
    }
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM schema_version"), 3);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM merchant"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fresh, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_reapply_and_incremental, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_newer_than_code, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_failing_migration, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_bad_lists, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_read_only, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_concurrent, fx_setup, fx_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
