/* Tests of src/term/staff.c and staff_shift.c. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../store/storetest.h"
#include "error.h"
#include "term/staff.h"
#include "term/tstore.h"

static struct store *db;
static char dir[128], path[256];
static const int64_t T0 = INT64_C(1700000000000);

static int setup(void **state)
{
    (void)state;
    st_tmpdir_make(dir, sizeof(dir));
    st_path(dir, "t.db", path, sizeof(path));
    assert_int_equal(tstore_open(path, &db, NULL), POS_OK);
    /* fast hashes for the tests; the default is STAFF_PBKDF2_ITERATIONS */
    assert_int_equal(tstore_setting_set(db, "staff.pin_iterations", "1000"), POS_OK);
    assert_int_equal(staff_add(db, 1, "Wang Fang", STAFF_MANAGER, "918273", NULL, NULL), POS_OK);
    assert_int_equal(staff_add(db, 2, "Li Na", STAFF_SUPERVISOR, "564738", NULL, NULL), POS_OK);
    assert_int_equal(staff_add(db, 3, "Zhang Wei", STAFF_CASHIER, "2468", NULL, NULL), POS_OK);
    assert_int_equal(staff_add(db, 4, "Chen Jie", STAFF_CASHIER, "13579", NULL, NULL), POS_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tstore_close(db);
    db = NULL;
    st_tmpdir_remove(dir);
    return 0;
}

/* RFC 7914 §11 (scrypt) publishes PBKDF2-HMAC-SHA256 test vectors; the
 * first 32 bytes of each 64-byte output are the first PBKDF2 block. */
static void test_pbkdf2_vectors(void **state)
{
    uint8_t out[STAFF_HASH_LEN];
    size_t n;

    (void)state;
    assert_int_equal(staff_pin_hash("passwd", 6, (const uint8_t *)"salt", 4, 1, out), POS_OK);
    assert_bytes_equal(out, tu_hex("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc", &n),
                       32);
    assert_int_equal(staff_pin_hash("Password", 8, (const uint8_t *)"NaCl", 4, 80000, out), POS_OK);
    assert_bytes_equal(out, tu_hex("4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56", &n),
                       32);
    assert_int_equal(staff_pin_hash("1234", 4, (const uint8_t *)"salt", 4, 0, out), POS_ERR_INVAL);
    assert_int_equal(staff_pin_hash(NULL, 4, (const uint8_t *)"salt", 4, 1, out), POS_ERR_INVAL);
}

static void test_roles_and_rights(void **state)
{
    enum staff_right x;
    enum staff_role r;
    unsigned i;

    (void)state;
    for (i = 0; i <= STAFF_RIGHT_ADMIN; i++) {
        x = (enum staff_right)i;
        assert_false(staff_role_has_right(STAFF_CASHIER, x));
        assert_true(staff_role_has_right(STAFF_MANAGER, x));
        assert_int_equal(staff_role_has_right(STAFF_SUPERVISOR, x),
                         x != STAFF_RIGHT_SETTLE && x != STAFF_RIGHT_ADMIN);
        assert_int_equal(staff_right_parse(staff_right_name(x), &x), POS_OK);
        assert_int_equal(x, i);
    }
    assert_false(staff_role_has_right((enum staff_role)5, STAFF_RIGHT_VOID));
    assert_false(staff_role_has_right(STAFF_MANAGER, (enum staff_right)9));
    assert_int_equal(staff_role_discount_limit_bps(STAFF_CASHIER), 500);
    assert_int_equal(staff_role_discount_limit_bps(STAFF_SUPERVISOR), 10000);
    assert_int_equal(staff_role_parse("supervisor", &r), POS_OK);
    assert_int_equal(r, STAFF_SUPERVISOR);
    assert_int_equal(staff_role_parse("boss", &r), POS_ERR_INVAL);
    assert_int_equal(staff_role_parse(NULL, &r), POS_ERR_INVAL);
    assert_int_equal(staff_right_parse("fly", &x), POS_ERR_INVAL);
    assert_string_equal(staff_role_name((enum staff_role)7), "?");
    assert_string_equal(staff_right_name((enum staff_right)7), "?");
    assert_string_equal(staff_right_name(STAFF_RIGHT_PRICE_OVERRIDE), "price_override");
}

static void test_add_validation(void **state)
{
    struct pos_errdetail d;
    struct staff_employee e;
    char longname[STAFF_NAME_MAX + 2];

    (void)state;
#define BAD(call, code, frag)                                                                      \
    do {                                                                                           \
        pos_errdetail_init(&d);                                                                    \
        assert_int_equal(call, code);                                                              \
        assert_non_null(strstr(d.what, frag));                                                     \
    } while (0)
    BAD(staff_add(db, 1, "Dup", STAFF_CASHIER, "1111", NULL, &d), POS_ERR_CONSTRAINT,
        "already exists");
    BAD(staff_add(db, 0, "X", STAFF_CASHIER, "1111", NULL, &d), POS_ERR_INVAL, "number");
    BAD(staff_add(db, STAFF_NUMBER_MAX + 1, "X", STAFF_CASHIER, "1111", NULL, &d), POS_ERR_INVAL,
        "number");
    BAD(staff_add(db, 9, "", STAFF_CASHIER, "1111", NULL, &d), POS_ERR_INVAL, "name");
    BAD(staff_add(db, 9, "a\nb", STAFF_CASHIER, "1111", NULL, &d), POS_ERR_INVAL, "control");
    memset(longname, 'n', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    BAD(staff_add(db, 9, longname, STAFF_CASHIER, "1111", NULL, &d), POS_ERR_INVAL, "name");
    BAD(staff_add(db, 9, "X", (enum staff_role)5, "1111", NULL, &d), POS_ERR_INVAL, "role");
    BAD(staff_add(db, 9, "X", STAFF_CASHIER, "123", NULL, &d), POS_ERR_INVAL, "PIN");
    BAD(staff_add(db, 9, "X", STAFF_CASHIER, "1234567890123", NULL, &d), POS_ERR_INVAL, "PIN");
    BAD(staff_add(db, 9, "X", STAFF_CASHIER, "12a4", NULL, &d), POS_ERR_INVAL, "PIN");
    BAD(staff_add(db, 9, "X", STAFF_CASHIER, NULL, NULL, &d), POS_ERR_INVAL, "PIN");
#undef BAD
    assert_int_equal(staff_get(db, 9, &e), POS_ERR_NOT_FOUND);
    assert_int_equal(staff_get(db, 1, &e), POS_OK);
    assert_string_equal(e.name, "Wang Fang");
    assert_int_equal(e.role, STAFF_MANAGER);
    assert_true(e.active);
}

/* Searches the database file (and its WAL) for the bytes of needle. */
static bool file_contains(const char *p, const char *needle)
{
    FILE *f = fopen(p, "rb");
    size_t n = strlen(needle), len;
    char *buf;
    bool found = false;

    if (f == NULL)
        return false;
    buf = malloc(1 << 22);
    assert_non_null(buf);
    len = fread(buf, 1, 1 << 22, f);
    fclose(f);
    for (size_t i = 0; i + n <= len && !found; i++)
        found = memcmp(buf + i, needle, n) == 0;
    free(buf);
    return found;
}

static void test_pin_never_stored(void **state)
{
    struct store_stmt *st;
    const uint8_t *h, *s;
    size_t hl, sl;
    char wal[300];

    (void)state;
    assert_int_equal(store_prepare(db,
                                   "SELECT pin_hash, pin_salt, pin_iter FROM employees"
                                   " WHERE number = 1",
                                   &st),
                     POS_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    h = store_column_blob(st, 0, &hl);
    s = store_column_blob(st, 1, &sl);
    assert_int_equal(hl, STAFF_HASH_LEN);
    assert_int_equal(sl, STAFF_SALT_LEN);
    assert_true(hl != 6 || memcmp(h, "918273", 6) != 0);
    for (size_t i = 0; i + 6 <= hl; i++)
        assert_true(memcmp(h + i, "918273", 6) != 0);
    assert_int_equal(store_column_int64(st, 2), 1000);
    store_reset(st);
    /* the salt differs per employee, so equal PINs would hash differently */
    assert_int_equal(staff_add(db, 5, "Twin", STAFF_CASHIER, "918273", NULL, NULL), POS_OK);
    assert_int_equal(store_prepare(db,
                                   "SELECT COUNT(DISTINCT pin_hash), COUNT(DISTINCT pin_salt)"
                                   " FROM employees WHERE number IN (1, 5)",
                                   &st),
                     POS_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_int_equal(store_column_int64(st, 0), 2);
    assert_int_equal(store_column_int64(st, 1), 2);
    store_reset(st);
    (void)s;
    assert_false(file_contains(path, "918273"));
    snprintf(wal, sizeof(wal), "%s-wal", path);
    assert_false(file_contains(wal, "918273"));
    assert_false(file_contains(wal, "564738"));
}

static void test_login_and_lockout(void **state)
{
    struct pos_errdetail d;
    struct staff_employee e;
    int i;

    (void)state;
    assert_int_equal(staff_login(db, 3, "2468", T0, &e, NULL), POS_OK);
    assert_string_equal(e.name, "Zhang Wei");
    assert_int_equal(e.role, STAFF_CASHIER);
    /* wrong PIN, unknown number, malformed PIN: the same answer, no PIN in it */
    pos_errdetail_init(&d);
    assert_int_equal(staff_login(db, 3, "1111", T0, &e, &d), POS_ERR_AUTH);
    assert_non_null(strstr(d.what, "wrong employee number or PIN"));
    assert_null(strstr(d.what, "1111"));
    assert_int_equal(staff_login(db, 77, "2468", T0, &e, NULL), POS_ERR_AUTH);
    assert_int_equal(staff_login(db, 3, "24", T0, &e, NULL), POS_ERR_AUTH);
    assert_int_equal(staff_login(db, 3, NULL, T0, &e, NULL), POS_ERR_AUTH);
    /* a right PIN resets the count */
    assert_int_equal(staff_login(db, 3, "2468", T0, &e, NULL), POS_OK);
    assert_int_equal(staff_get(db, 3, &e), POS_OK);
    assert_int_equal(e.failed_logins, 0);

    for (i = 1; i < STAFF_MAX_FAILURES; i++)
        assert_int_equal(staff_login(db, 3, "0000", T0 + i, NULL, NULL), POS_ERR_AUTH);
    pos_errdetail_init(&d);
    assert_int_equal(staff_login(db, 3, "0000", T0 + 10, NULL, &d), POS_ERR_AUTH);
    assert_non_null(strstr(d.what, "now locked out"));
    /* locked: even the right PIN is refused, and not counted */
    pos_errdetail_init(&d);
    assert_int_equal(staff_login(db, 3, "2468", T0 + 20, NULL, &d), POS_ERR_LOCKED);
    assert_non_null(strstr(d.what, "locked out"));
    assert_int_equal(staff_get(db, 3, &e), POS_OK);
    assert_int_equal(e.failed_logins, STAFF_MAX_FAILURES);
    assert_int_equal(e.locked_until, T0 + 10 + STAFF_LOCKOUT_MS);
    assert_int_equal(staff_login(db, 3, "2468", T0 + 10 + STAFF_LOCKOUT_MS - 1, NULL, NULL),
                     POS_ERR_LOCKED);
    /* the lock expires: the right PIN works and clears it */
    assert_int_equal(staff_login(db, 3, "2468", T0 + 10 + STAFF_LOCKOUT_MS, &e, NULL), POS_OK);
    assert_int_equal(e.failed_logins, 0);
    assert_int_equal(e.locked_until, 0);

    /* after an expired lock, a wrong PIN starts a new count */
    for (i = 0; i < STAFF_MAX_FAILURES; i++)
        assert_int_equal(staff_login(db, 4, "0000", T0, NULL, NULL), POS_ERR_AUTH);
    assert_int_equal(staff_login(db, 4, "0000", T0 + STAFF_LOCKOUT_MS + 1, NULL, NULL),
                     POS_ERR_AUTH);
    assert_int_equal(staff_get(db, 4, &e), POS_OK);
    assert_int_equal(e.failed_logins, 1);
    assert_int_equal(e.locked_until, 0);

    /* a manager's unlock (one failure is already counted) */
    for (i = 1; i < STAFF_MAX_FAILURES; i++)
        assert_int_equal(staff_login(db, 4, "0000", T0, NULL, NULL), POS_ERR_AUTH);
    assert_int_equal(staff_login(db, 4, "13579", T0, NULL, NULL), POS_ERR_LOCKED);
    assert_int_equal(staff_unlock(db, 4), POS_OK);
    assert_int_equal(staff_login(db, 4, "13579", T0, NULL, NULL), POS_OK);
    assert_int_equal(staff_unlock(db, 99), POS_ERR_NOT_FOUND);

    /* disabled */
    assert_int_equal(staff_disable(db, 4), POS_OK);
    pos_errdetail_init(&d);
    assert_int_equal(staff_login(db, 4, "13579", T0, NULL, &d), POS_ERR_DENIED);
    assert_non_null(strstr(d.what, "disabled"));
    assert_int_equal(staff_login(db, 4, "0000", T0, NULL, NULL), POS_ERR_AUTH);
    assert_int_equal(staff_disable(db, 99), POS_ERR_NOT_FOUND);
}

static void test_authorize(void **state)
{
    struct pos_errdetail d;
    struct staff_employee e;

    (void)state;
    pos_errdetail_init(&d);
    assert_int_equal(staff_authorize(db, 3, "2468", STAFF_RIGHT_VOID, T0, &e, &d), POS_ERR_DENIED);
    assert_non_null(strstr(d.what, "may not void"));
    assert_int_equal(staff_authorize(db, 2, "564738", STAFF_RIGHT_VOID, T0, &e, NULL), POS_OK);
    assert_int_equal(e.number, 2);
    assert_int_equal(staff_authorize(db, 2, "564738", STAFF_RIGHT_REFUND, T0, NULL, NULL), POS_OK);
    assert_int_equal(staff_authorize(db, 2, "564738", STAFF_RIGHT_SETTLE, T0, NULL, NULL),
                     POS_ERR_DENIED);
    assert_int_equal(staff_authorize(db, 1, "918273", STAFF_RIGHT_SETTLE, T0, NULL, NULL), POS_OK);
    assert_int_equal(staff_authorize(db, 2, "000000", STAFF_RIGHT_VOID, T0, NULL, NULL),
                     POS_ERR_AUTH);
    assert_int_equal(staff_authorize(db, 2, "564738", (enum staff_right)9, T0, NULL, NULL),
                     POS_ERR_INVAL);
}

struct roster {
    int n;
    int64_t numbers[8];
};

static int roster_fn(void *arg, const struct staff_employee *e)
{
    struct roster *r = arg;

    r->numbers[r->n++] = e->number;
    return r->n == 3 ? POS_ERR_BUSY : POS_OK;
}

static void test_list(void **state)
{
    struct roster r;

    (void)state;
    memset(&r, 0, sizeof(r));
    assert_int_equal(staff_list(db, roster_fn, &r), POS_ERR_BUSY);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.numbers[0], 1);
    assert_int_equal(r.numbers[2], 3);
}

static int cash_fn(void *arg, struct store *s, int64_t shift_id, int64_t *net)
{
    (void)s;
    (void)shift_id;
    *net = *(int64_t *)arg;
    return *net < 0 ? POS_ERR_DB : POS_OK;
}

static void test_shifts(void **state)
{
    struct pos_errdetail d;
    struct staff_shift s;
    int64_t net = 34320, bad = -1;

    (void)state;
    assert_int_equal(staff_shift_current(db, &s), POS_ERR_NOT_FOUND);
    assert_int_equal(staff_shift_last(db, &s), POS_ERR_NOT_FOUND);
    assert_int_equal(staff_shift_close(db, 3, "2468", 100, NULL, NULL, T0, &s, NULL),
                     POS_ERR_STATE);
    assert_int_equal(staff_shift_open(db, 3, "9999", 20000, T0, &s, NULL), POS_ERR_AUTH);
    assert_int_equal(staff_shift_open(db, 3, "2468", -1, T0, &s, NULL), POS_ERR_RANGE);
    assert_int_equal(staff_shift_current(db, &s), POS_ERR_NOT_FOUND);

    assert_int_equal(staff_shift_open(db, 3, "2468", 20000, T0, &s, NULL), POS_OK);
    assert_true(s.open);
    assert_int_equal(s.employee_number, 3);
    assert_int_equal(s.float_amount, 20000);
    assert_int_equal(s.currency, 156);
    assert_int_equal(s.opened_at, T0);
    assert_false(s.has_close);
    pos_errdetail_init(&d);
    assert_int_equal(staff_shift_open(db, 4, "13579", 100, T0, NULL, &d), POS_ERR_STATE);
    assert_non_null(strstr(d.what, "still open"));

    /* another cashier may not close it; the cash source's failure changes nothing */
    assert_int_equal(staff_shift_close(db, 4, "13579", 100, NULL, NULL, T0, &s, NULL),
                     POS_ERR_DENIED);
    assert_int_equal(staff_shift_close(db, 3, "2468", 100, cash_fn, &bad, T0, &s, NULL),
                     POS_ERR_DB);
    assert_int_equal(staff_shift_close(db, 3, "2468", -5, NULL, NULL, T0, &s, NULL),
                     POS_ERR_RANGE);
    assert_int_equal(staff_shift_close(db, 3, "0000", 100, NULL, NULL, T0, &s, NULL), POS_ERR_AUTH);
    assert_int_equal(staff_shift_current(db, &s), POS_OK);
    assert_true(s.open);

    /* a manager may close it */
    assert_int_equal(staff_shift_close(db, 1, "918273", 54320, cash_fn, &net, T0 + 5, &s, NULL),
                     POS_OK);
    assert_false(s.open);
    assert_true(s.has_close);
    assert_int_equal(s.counted, 54320);
    assert_int_equal(s.expected, 20000 + 34320);
    assert_int_equal(s.closed_by, 1);
    assert_int_equal(s.closed_at, T0 + 5);
    assert_int_equal(staff_shift_current(db, &s), POS_ERR_NOT_FOUND);
    assert_int_equal(staff_shift_last(db, &s), POS_OK);
    assert_int_equal(s.counted, 54320);

    /* the next shift; its own opener closes it, no cash source: expected = float */
    assert_int_equal(staff_shift_open(db, 4, "13579", 10000, T0 + 10, &s, NULL), POS_OK);
    assert_int_equal(staff_shift_close(db, 4, "13579", 9900, NULL, NULL, T0 + 20, &s, NULL),
                     POS_OK);
    assert_int_equal(s.expected, 10000);
    assert_int_equal(s.counted - s.expected, -100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pbkdf2_vectors),
        cmocka_unit_test(test_roles_and_rights),
        cmocka_unit_test_setup_teardown(test_add_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pin_never_stored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_and_lockout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_authorize, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shifts, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
