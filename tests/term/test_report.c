/* Tests of src/term/report*.c: one hand-computed day (two shifts, three
 * employees, four hours, cash, card and a split tender, a line discount,
 * two tax rates, a refund and a void inserted as rows) checked figure by
 * figure in the X report, the Z report and each grouping of the sales
 * report; Z refused (shift open, draft open, wrong PIN, a cashier) writing
 * nothing; two Z reports over disjoint periods; the reprint; dates.
 *
 * The day, 2024-05-01 in UTC (TZ=UTC for the test). Items: A 11.30 at 13 %
 * (food), B 21.20 at 6 % (drink); prices include tax, so tax = price x r /
 * (1 + r): A 1.30 per unit, B 1.20.
 *   shift 1, employee 1 (Li), 08:00, float 200.00
 *     S1 09:15  2 x A = 22.60 (tax 2.60)   cash 30.00, change 7.40
 *     S2 09:45  1 x B = 21.20 (tax 1.20)   card 21.20
 *     closed 12:00, counted 222.60 (expected 200 + 22.60)
 *   shift 2, employee 3 (Zhao), 12:00, float 100.00
 *     S3 13:10  A 11.30 + B 21.20 less 5 % on B (1.06) = 31.44
 *               tax 1.30 + 20.14 x 6/106 = 1.14 (113.99 half up)
 *               split: cash 10.00, card 21.44
 *     S4 14:25  1 x A = 11.30              cash 20.00, change 8.70
 *     R1 15:00  refund of one A of S1: 11.30 (tax 1.30) in cash
 *     V1 15:30  void of S2: 21.20 (tax 1.20) back to the card
 *     closed 16:00, counted 109.50 (expected 100 + 21.30 - 11.30 = 110.00)
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "error.h"
#include "mem.h"
#include "term/catalog.h"
#include "term/report.h"
#include "term/sale.h"
#include "term/staff.h"
#include "term/tstore.h"

#define T0 INT64_C(1714521600000) /* 2024-05-01T00:00:00Z */
#define HM(h, m) (T0 + (int64_t)(h) * 3600000 + (int64_t)(m) * 60000)

static struct store *db;

static void add_item(const char *sku, const char *name, const char *cat, int64_t price,
                     uint32_t bps)
{
    struct catalog_item it;

    catalog_item_init(&it);
    snprintf(it.sku, sizeof(it.sku), "%s", sku);
    snprintf(it.name, sizeof(it.name), "%s", name);
    snprintf(it.category, sizeof(it.category), "%s", cat);
    it.price = price;
    it.tax_bps = bps;
    assert_int_equal(catalog_add(db, &it, NULL, NULL), POS_OK);
}

static int64_t sale_at(int64_t number, const char *pin, int64_t t)
{
    int64_t id = 0;

    assert_int_equal(sale_open(db, number, pin, t, &id, NULL), POS_OK);
    return id;
}

static void tender(int64_t id, enum sale_tender_kind k, int64_t amount, const char *ref,
                   int64_t t, bool completes)
{
    struct sale_tender_result res;
    struct pos_errdetail d;

    pos_errdetail_init(&d);
    if (sale_add_tender(db, id, k, amount, ref, t, &res, &d) != POS_OK)
        fail_msg("tender: %s", d.what);
    assert_int_equal(res.completed, completes);
}

static void exec(const char *sql)
{
    if (store_exec(db, sql) != POS_OK)
        fail_msg("%s: %s", sql, store_error(db)->what);
}

static int64_t count_closes(void)
{
    struct store_stmt *st;
    int64_t n;

    assert_int_equal(store_prepare(db, "SELECT COUNT(*) FROM day_closes", &st), POS_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    n = store_column_int64(st, 0);
    store_reset(st);
    return n;
}

static int64_t s1, s2, s3, s4;

/* The day up to (and with) the void, shift 2 still open. */
static void day(void)
{
    char sql[1024];
    int64_t line;

    assert_int_equal(staff_shift_open(db, 1, "1111", 20000, HM(8, 0), NULL, NULL), POS_OK);
    s1 = sale_at(1, "1111", HM(9, 10));
    assert_int_equal(sale_add_code(db, s1, "A", 2000, NULL, NULL), POS_OK);
    tender(s1, SALE_TENDER_CASH, 3000, NULL, HM(9, 15), true);
    s2 = sale_at(1, "1111", HM(9, 40));
    assert_int_equal(sale_add_code(db, s2, "B", 0, NULL, NULL), POS_OK);
    tender(s2, SALE_TENDER_CARD, 2120, "RRN000000001", HM(9, 45), true);
    assert_int_equal(staff_shift_close(db, 1, "1111", 22260, sale_shift_cash, NULL, HM(12, 0),
                                       NULL, NULL),
                     POS_OK);

    assert_int_equal(staff_shift_open(db, 3, "3333", 10000, HM(12, 0), NULL, NULL), POS_OK);
    s3 = sale_at(3, "3333", HM(13, 5));
    assert_int_equal(sale_add_code(db, s3, "A", 0, NULL, NULL), POS_OK);
    assert_int_equal(sale_add_code(db, s3, "B", 0, &line, NULL), POS_OK);
    assert_int_equal(sale_discount(db, s3, line, SALE_DISC_PERCENT, 500, 0, NULL, HM(13, 6), NULL),
                     POS_OK);
    tender(s3, SALE_TENDER_CASH, 1000, NULL, HM(13, 8), false);
    tender(s3, SALE_TENDER_CARD, 2144, "RRN000000002", HM(13, 10), true);
    s4 = sale_at(3, "3333", HM(14, 20));
    assert_int_equal(sale_add_code(db, s4, "A", 0, NULL, NULL), POS_OK);
    tender(s4, SALE_TENDER_CASH, 2000, NULL, HM(14, 25), true);

    /* the refund and the void, as sale_return.c will write them */
    snprintf(sql, sizeof(sql),
             "INSERT INTO returns (id, kind, sale_id, employee_id, authorized_by, shift_id,"
             " currency, total, tax_total, reason, created_at) VALUES"
             " (1, 'refund', %lld, (SELECT id FROM employees WHERE number = 3),"
             " (SELECT id FROM employees WHERE number = 2), (SELECT id FROM shifts WHERE"
             " status = 'open'), 156, 1130, 130, 'damaged', %lld),"
             " (2, 'void', %lld, (SELECT id FROM employees WHERE number = 3),"
             " (SELECT id FROM employees WHERE number = 2), (SELECT id FROM shifts WHERE"
             " status = 'open'), 156, 2120, 120, '', %lld)",
             (long long)s1, (long long)HM(15, 0), (long long)s2, (long long)HM(15, 30));
    exec(sql);
    exec("INSERT INTO return_lines (return_id, sale_line_id, item_id, sku, name, category, qty,"
         " amount, tax) SELECT 1, l.id, l.item_id, l.sku, l.name, l.category, 1000, 1130, 130"
         " FROM sale_lines l WHERE l.sku = 'A' ORDER BY l.id LIMIT 1");
    exec("INSERT INTO return_lines (return_id, sale_line_id, item_id, sku, name, category, qty,"
         " amount, tax) SELECT 2, l.id, l.item_id, l.sku, l.name, l.category, 1000, 2120, 120"
         " FROM sale_lines l WHERE l.sku = 'B' ORDER BY l.id LIMIT 1");
    snprintf(sql, sizeof(sql),
             "INSERT INTO return_tenders (return_id, kind, amount, reference, created_at) VALUES"
             " (1, 'cash', 1130, '', %lld), (2, 'card', 2120, 'RRN000000001', %lld)",
             (long long)HM(15, 0), (long long)HM(15, 30));
    exec(sql);
}

static void close_shift2(void)
{
    assert_int_equal(staff_shift_close(db, 3, "3333", 10950, sale_shift_cash, NULL, HM(16, 0),
                                       NULL, NULL),
                     POS_OK);
}

static int setup(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    assert_int_equal(tstore_open("sqlite::memory:", &db, NULL), POS_OK);
    assert_int_equal(tstore_setting_set(db, "staff.pin_iterations", "1000"), POS_OK);
    assert_int_equal(tstore_setting_set(db, "stock.allow_negative", "true"), POS_OK);
    assert_int_equal(staff_add(db, 1, "Li", STAFF_CASHIER, "1111", NULL, NULL), POS_OK);
    assert_int_equal(staff_add(db, 2, "Wang", STAFF_SUPERVISOR, "2222", NULL, NULL), POS_OK);
    assert_int_equal(staff_add(db, 3, "Zhao", STAFF_CASHIER, "3333", NULL, NULL), POS_OK);
    add_item("A", "Apple", "food", 1130, 1300);
    add_item("B", "Beer", "drink", 2120, 600);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tstore_close(db);
    db = NULL;
    return 0;
}

/* ---- JSON helpers --------------------------------------------------------- */

static json_t *jget(json_t *o, const char *path)
{
    char key[64];
    const char *dot;
    size_t n;

    while (o != NULL && (dot = strchr(path, '.')) != NULL) {
        n = (size_t)(dot - path);
        assert_true(n < sizeof(key));
        memcpy(key, path, n);
        key[n] = '\0';
        o = json_is_array(o) ? json_array_get(o, (size_t)strtoul(key, NULL, 10))
                             : json_object_get(o, key);
        path = dot + 1;
    }
    if (o != NULL && json_is_array(o))
        return json_array_get(o, (size_t)strtoul(path, NULL, 10));
    return o != NULL ? json_object_get(o, path) : NULL;
}

#define assert_jstr(o, path, want) jstr_check((o), (path), (want), __LINE__)
#define assert_jint(o, path, want) jint_check((o), (path), (want), __LINE__)

static void jstr_check(json_t *o, const char *path, const char *want, int line)
{
    json_t *v = jget(o, path);

    if (!json_is_string(v) || strcmp(json_string_value(v), want) != 0)
        fail_msg("line %d: %s = %s, want \"%s\"", line, path,
                 json_is_string(v) ? json_string_value(v) : "(not a string)", want);
}

static void jint_check(json_t *o, const char *path, long long want, int line)
{
    json_t *v = jget(o, path);

    if (!json_is_integer(v) || json_integer_value(v) != want)
        fail_msg("line %d: %s = %lld, want %lld", line, path,
                 json_is_integer(v) ? (long long)json_integer_value(v) : -999999LL, want);
}

/* ---- X -------------------------------------------------------------------- */

static void test_x_none_open(void **state)
{
    struct pos_errdetail d;
    json_t *o = NULL;

    (void)state;
    pos_errdetail_init(&d);
    assert_int_equal(report_x(db, HM(7, 0), &o, &d), POS_ERR_STATE);
    assert_null(o);
    assert_string_equal(d.what, "no shift is open");
}

static void test_x_shift2(void **state)
{
    json_t *o = NULL;

    (void)state;
    day();
    assert_int_equal(report_x(db, HM(15, 45), &o, NULL), POS_OK);
    assert_jstr(o, "type", "x");
    assert_jstr(o, "currency", "CNY");
    assert_jint(o, "employee", 3);
    assert_jint(o, "from_ms", HM(12, 0));
    assert_jint(o, "to_ms", HM(15, 45));
    assert_jint(o, "sales.count", 2);
    assert_jstr(o, "sales.total", "42.74");
    assert_jstr(o, "sales.gross", "43.80");
    assert_jstr(o, "promotions.total", "0.00");
    assert_jstr(o, "discounts.total", "1.06");
    assert_jstr(o, "tax.total", "3.74");
    assert_jstr(o, "tax.returned", "2.50");
    assert_jstr(o, "tax.net", "1.24");
    assert_int_equal(json_array_size(jget(o, "tax.rates")), 2);
    assert_jint(o, "tax.rates.0.rate_bps", 600);
    assert_jstr(o, "tax.rates.0.base", "19.00");
    assert_jstr(o, "tax.rates.0.tax", "1.14");
    assert_jint(o, "tax.rates.1.rate_bps", 1300);
    assert_jstr(o, "tax.rates.1.base", "20.00");
    assert_jstr(o, "tax.rates.1.tax", "2.60");
    assert_jint(o, "refunds.count", 1);
    assert_jstr(o, "refunds.total", "11.30");
    assert_jstr(o, "refunds.tax", "1.30");
    assert_jstr(o, "refunds.tenders.cash", "11.30");
    assert_jstr(o, "refunds.tenders.card", "0.00");
    assert_jint(o, "voids.count", 1);
    assert_jstr(o, "voids.total", "21.20");
    assert_jstr(o, "voids.tenders.card", "21.20");
    assert_jstr(o, "net", "10.24");
    assert_jint(o, "tenders.cash.count", 2);
    assert_jstr(o, "tenders.cash.tendered", "30.00");
    assert_jstr(o, "tenders.cash.change", "8.70");
    assert_jstr(o, "tenders.cash.returned", "11.30");
    assert_jstr(o, "tenders.cash.net", "10.00");
    assert_jint(o, "tenders.card.count", 1);
    assert_jstr(o, "tenders.card.tendered", "21.44");
    assert_jstr(o, "tenders.card.returned", "21.20");
    assert_jstr(o, "tenders.card.net", "0.24");
    assert_jstr(o, "tenders.wallet.net", "0.00");
    assert_int_equal(json_array_size(jget(o, "employees")), 1);
    assert_jint(o, "employees.0.number", 3);
    assert_jstr(o, "employees.0.name", "Zhao");
    assert_jint(o, "employees.0.count", 2);
    assert_jstr(o, "employees.0.total", "42.74");
    assert_jstr(o, "employees.0.refunds", "11.30");
    assert_jstr(o, "employees.0.voids", "21.20");
    assert_jstr(o, "employees.0.net", "10.24");
    assert_int_equal(json_array_size(jget(o, "hours")), 2);
    assert_jint(o, "hours.0.hour", 13);
    assert_jint(o, "hours.0.count", 1);
    assert_jstr(o, "hours.0.total", "31.44");
    assert_jint(o, "hours.1.hour", 14);
    assert_jstr(o, "hours.1.total", "11.30");
    assert_jstr(o, "cash.float", "100.00");
    assert_jstr(o, "cash.sales", "21.30");
    assert_jstr(o, "cash.returned", "11.30");
    assert_jstr(o, "cash.expected", "110.00");
    assert_null(jget(o, "cash.counted"));
    assert_null(jget(o, "shifts"));
    json_decref(o);
    assert_int_equal(count_closes(), 0); /* X writes nothing */
}

/* ---- Z -------------------------------------------------------------------- */

static void check_day_z(json_t *o)
{
    assert_jstr(o, "type", "z");
    assert_jint(o, "id", 1);
    assert_jint(o, "closed_by.number", 2);
    assert_jstr(o, "closed_by.name", "Wang");
    assert_jint(o, "from_ms", HM(8, 0));
    assert_jint(o, "to_ms", HM(17, 0));
    assert_jint(o, "sales.count", 4);
    assert_jstr(o, "sales.total", "86.54");
    assert_jstr(o, "sales.gross", "87.60");
    assert_jstr(o, "discounts.total", "1.06");
    assert_jstr(o, "promotions.total", "0.00");
    assert_jstr(o, "tax.total", "7.54");
    assert_jstr(o, "tax.returned", "2.50");
    assert_jstr(o, "tax.net", "5.04");
    assert_jint(o, "tax.rates.0.rate_bps", 600);
    assert_jstr(o, "tax.rates.0.base", "39.00");
    assert_jstr(o, "tax.rates.0.tax", "2.34");
    assert_jint(o, "tax.rates.1.rate_bps", 1300);
    assert_jstr(o, "tax.rates.1.base", "40.00");
    assert_jstr(o, "tax.rates.1.tax", "5.20");
    assert_jint(o, "refunds.count", 1);
    assert_jstr(o, "refunds.total", "11.30");
    assert_jint(o, "voids.count", 1);
    assert_jstr(o, "voids.total", "21.20");
    assert_jstr(o, "net", "54.04");
    assert_jint(o, "tenders.cash.count", 3);
    assert_jstr(o, "tenders.cash.tendered", "60.00");
    assert_jstr(o, "tenders.cash.change", "16.10");
    assert_jstr(o, "tenders.cash.returned", "11.30");
    assert_jstr(o, "tenders.cash.net", "32.60");
    assert_jint(o, "tenders.card.count", 2);
    assert_jstr(o, "tenders.card.tendered", "42.64");
    assert_jstr(o, "tenders.card.returned", "21.20");
    assert_jstr(o, "tenders.card.net", "21.44");
    assert_int_equal(json_array_size(jget(o, "employees")), 2);
    assert_jint(o, "employees.0.number", 1);
    assert_jint(o, "employees.0.count", 2);
    assert_jstr(o, "employees.0.total", "43.80");
    assert_jstr(o, "employees.0.net", "43.80");
    assert_jint(o, "employees.1.number", 3);
    assert_jstr(o, "employees.1.net", "10.24");
    assert_int_equal(json_array_size(jget(o, "hours")), 3);
    assert_jint(o, "hours.0.hour", 9);
    assert_jint(o, "hours.0.count", 2);
    assert_jstr(o, "hours.0.total", "43.80");
    assert_jint(o, "hours.1.hour", 13);
    assert_jint(o, "hours.2.hour", 14);
    assert_jstr(o, "cash.float", "300.00");
    assert_jstr(o, "cash.sales", "43.90");
    assert_jstr(o, "cash.returned", "11.30");
    assert_jstr(o, "cash.expected", "332.60");
    assert_jstr(o, "cash.counted", "332.10");
    assert_jstr(o, "cash.difference", "-0.50");
    assert_int_equal(json_array_size(jget(o, "shifts")), 2);
    assert_jint(o, "shifts.0.employee", 1);
    assert_jstr(o, "shifts.0.float", "200.00");
    assert_jstr(o, "shifts.0.sales", "22.60");
    assert_jstr(o, "shifts.0.expected", "222.60");
    assert_jstr(o, "shifts.0.counted", "222.60");
    assert_jstr(o, "shifts.0.difference", "0.00");
    assert_jint(o, "shifts.1.employee", 3);
    assert_jstr(o, "shifts.1.sales", "21.30");
    assert_jstr(o, "shifts.1.returned", "11.30");
    assert_jstr(o, "shifts.1.expected", "110.00");
    assert_jstr(o, "shifts.1.counted", "109.50");
    assert_jstr(o, "shifts.1.difference", "-0.50");
}

static void test_z_refusals_and_day(void **state)
{
    struct pos_errdetail d;
    json_t *o = NULL, *re = NULL;
    int64_t id = 0;
    char *a, *b;

    (void)state;
    day();
    pos_errdetail_init(&d);
    /* a shift open */
    assert_int_equal(report_z(db, 2, "2222", HM(15, 50), &o, &id, &d), POS_ERR_STATE);
    assert_non_null(strstr(d.what, "is open"));
    close_shift2();
    /* a draft open (inserted: the sale API opens drafts only in a shift) */
    exec("INSERT INTO sales (id, status, employee_id, shift_id, currency, tax_included,"
         " opened_at) VALUES (99, 'open', 1, 1, 156, 1, 0)");
    pos_errdetail_init(&d);
    assert_int_equal(report_z(db, 2, "2222", HM(16, 30), &o, &id, &d), POS_ERR_STATE);
    assert_non_null(strstr(d.what, "draft"));
    exec("DELETE FROM sales WHERE id = 99");
    /* wrong PIN, unknown employee, a cashier */
    assert_int_equal(report_z(db, 2, "9999", HM(16, 40), &o, &id, NULL), POS_ERR_AUTH);
    assert_int_equal(report_z(db, 77, "2222", HM(16, 40), &o, &id, NULL), POS_ERR_AUTH);
    assert_int_equal(report_z(db, 1, "1111", HM(16, 40), &o, &id, NULL), POS_ERR_DENIED);
    assert_int_equal(report_z(db, 2, NULL, HM(16, 40), &o, &id, NULL), POS_ERR_INVAL);
    assert_null(o);
    assert_int_equal(count_closes(), 0);

    assert_int_equal(report_z(db, 2, "2222", HM(17, 0), &o, &id, NULL), POS_OK);
    assert_int_equal(id, 1);
    assert_int_equal(count_closes(), 1);
    assert_true(json_is_false(jget(o, "reprint")));
    check_day_z(o);

    /* the reprint: the same figures, marked */
    assert_int_equal(report_z_show(db, 1, &re, NULL), POS_OK);
    assert_true(json_is_true(jget(re, "reprint")));
    check_day_z(re);
    json_object_set_new(re, "reprint", json_false());
    a = json_dumps(o, JSON_SORT_KEYS);
    b = json_dumps(re, JSON_SORT_KEYS);
    assert_string_equal(a, b);
    free(a);
    free(b);
    json_decref(re);
    assert_int_equal(report_z_show(db, 0, &re, NULL), POS_OK); /* 0: the latest */
    assert_true(json_is_true(jget(re, "reprint")));
    json_decref(re);
    pos_errdetail_init(&d);
    assert_int_equal(report_z_show(db, 5, &re, &d), POS_ERR_NOT_FOUND);
    assert_string_equal(d.what, "no day close 5");
    assert_null(re);
    json_decref(o);
}

static void test_z_disjoint(void **state)
{
    json_t *o = NULL;
    int64_t id = 0, s5;

    (void)state;
    pos_errdetail_init(NULL);
    assert_int_equal(report_z_show(db, 0, &o, NULL), POS_ERR_NOT_FOUND);
    day();
    close_shift2();
    assert_int_equal(report_z(db, 2, "2222", HM(17, 0), NULL, &id, NULL), POS_OK);
    /* a second close at once: nothing in it */
    assert_int_equal(report_z(db, 2, "2222", HM(17, 30), &o, &id, NULL), POS_OK);
    assert_int_equal(id, 2);
    assert_jint(o, "from_ms", HM(17, 0));
    assert_jint(o, "to_ms", HM(17, 30));
    assert_jint(o, "sales.count", 0);
    assert_jstr(o, "sales.total", "0.00");
    assert_jstr(o, "net", "0.00");
    assert_jint(o, "refunds.count", 0);
    assert_int_equal(json_array_size(jget(o, "shifts")), 0);
    assert_jstr(o, "cash.expected", "0.00");
    json_decref(o);
    /* the next day: one shift, one sale */
    assert_int_equal(staff_shift_open(db, 1, "1111", 5000, HM(32, 0), NULL, NULL), POS_OK);
    s5 = sale_at(1, "1111", HM(33, 0));
    assert_int_equal(sale_add_code(db, s5, "B", 2000, NULL, NULL), POS_OK);
    tender(s5, SALE_TENDER_WALLET, 4240, "QR1", HM(33, 1), true);
    assert_int_equal(staff_shift_close(db, 1, "1111", 5000, sale_shift_cash, NULL, HM(34, 0),
                                       NULL, NULL),
                     POS_OK);
    assert_int_equal(report_z(db, 2, "2222", HM(40, 0), &o, &id, NULL), POS_OK);
    assert_int_equal(id, 3);
    assert_jint(o, "from_ms", HM(17, 30));
    assert_jint(o, "sales.count", 1);
    assert_jstr(o, "sales.total", "42.40");
    assert_jstr(o, "tenders.wallet.net", "42.40");
    assert_jstr(o, "tenders.card.net", "0.00");
    assert_jstr(o, "refunds.total", "0.00");
    assert_int_equal(json_array_size(jget(o, "shifts")), 1);
    assert_jstr(o, "cash.difference", "0.00");
    assert_jint(o, "hours.0.hour", 9);
    json_decref(o);
    assert_int_equal(count_closes(), 3);
}

/* ---- sales report ---------------------------------------------------------- */

struct want_row {
    const char *key, *label;
    int64_t count, qty, gross, discounts, tax, sales, refunds, net;
};

static void check_rows(enum report_by by, int64_t from, int64_t to, const struct want_row *w,
                       size_t nw)
{
    struct report_row *rows = NULL, total;
    size_t n = 0, i;

    assert_int_equal(report_sales(db, from, to, by, &rows, &n, &total, NULL), POS_OK);
    if (n + 1 != nw)
        fail_msg("by %s: %zu rows, want %zu", report_by_name(by), n, nw - 1);
    for (i = 0; i < nw; i++) {
        const struct report_row *r = i < n ? &rows[i] : &total;
        const struct want_row *x = &w[i];

        if (strcmp(r->key, x->key) != 0 || strcmp(r->label, x->label) != 0 ||
            r->count != x->count || r->qty != x->qty || r->gross != x->gross ||
            r->discounts != x->discounts || r->tax != x->tax || r->sales != x->sales ||
            r->refunds != x->refunds || r->net != x->net)
            fail_msg("by %s row %zu: %s/%s %lld %lld %lld %lld %lld %lld %lld %lld, want"
                     " %s/%s %lld %lld %lld %lld %lld %lld %lld %lld",
                     report_by_name(by), i, r->key, r->label, (long long)r->count,
                     (long long)r->qty, (long long)r->gross, (long long)r->discounts,
                     (long long)r->tax, (long long)r->sales, (long long)r->refunds,
                     (long long)r->net, x->key, x->label, (long long)x->count,
                     (long long)x->qty, (long long)x->gross, (long long)x->discounts,
                     (long long)x->tax, (long long)x->sales, (long long)x->refunds,
                     (long long)x->net);
    }
    report_rows_free(rows);
}

static void test_sales_by(void **state)
{
    static const struct want_row items[] = {
        {"A", "Apple", 3, 4000, 4520, 0, 520, 4520, 1130, 3390},
        {"B", "Beer", 2, 2000, 4240, 106, 234, 4134, 2120, 2014},
        {"total", "", 5, 6000, 8760, 106, 754, 8654, 3250, 5404},
    };
    static const struct want_row cats[] = {
        {"drink", "", 2, 2000, 4240, 106, 234, 4134, 2120, 2014},
        {"food", "", 3, 4000, 4520, 0, 520, 4520, 1130, 3390},
        {"total", "", 5, 6000, 8760, 106, 754, 8654, 3250, 5404},
    };
    static const struct want_row hours[] = {
        {"2024-05-01T09", "", 2, 0, 4380, 0, 380, 4380, 0, 4380},
        {"2024-05-01T13", "", 1, 0, 3250, 106, 244, 3144, 0, 3144},
        {"2024-05-01T14", "", 1, 0, 1130, 0, 130, 1130, 0, 1130},
        {"2024-05-01T15", "", 0, 0, 0, 0, 0, 0, 3250, -3250},
        {"total", "", 4, 0, 8760, 106, 754, 8654, 3250, 5404},
    };
    static const struct want_row emps[] = {
        {"1", "Li", 2, 0, 4380, 0, 380, 4380, 0, 4380},
        {"3", "Zhao", 2, 0, 4380, 106, 374, 4274, 3250, 1024},
        {"total", "", 4, 0, 8760, 106, 754, 8654, 3250, 5404},
    };
    static const struct want_row tenders[] = {
        {"card", "", 2, 0, 4264, 0, 0, 4264, 2120, 2144},
        {"cash", "", 3, 0, 6000, 0, 0, 4390, 1130, 3260},
        {"total", "", 5, 0, 10264, 0, 0, 8654, 3250, 5404},
    };
    static const struct want_row one_hour[] = {
        {"card", "", 1, 0, 2144, 0, 0, 2144, 0, 2144},
        {"cash", "", 1, 0, 1000, 0, 0, 1000, 0, 1000},
        {"total", "", 2, 0, 3144, 0, 0, 3144, 0, 3144},
    };
    static const struct want_row none[] = {
        {"total", "", 0, 0, 0, 0, 0, 0, 0, 0},
    };
    struct report_row *rows = NULL, total;
    struct pos_errdetail d;
    int64_t from, to;
    size_t n;

    (void)state;
    day();
    close_shift2();
    assert_int_equal(report_time_parse("2024-05-01", false, &from), POS_OK);
    assert_int_equal(report_time_parse("2024-05-01", true, &to), POS_OK);
    check_rows(REPORT_BY_ITEM, from, to, items, 3);
    check_rows(REPORT_BY_CATEGORY, from, to, cats, 3);
    check_rows(REPORT_BY_HOUR, from, to, hours, 5);
    check_rows(REPORT_BY_EMPLOYEE, from, to, emps, 3);
    check_rows(REPORT_BY_TENDER, from, to, tenders, 3);
    /* [13:00, 14:00): S3 only; the end is exclusive */
    check_rows(REPORT_BY_TENDER, HM(13, 0), HM(13, 10), none, 1);
    check_rows(REPORT_BY_TENDER, HM(13, 0), HM(14, 0), one_hour, 3);
    check_rows(REPORT_BY_ITEM, HM(30, 0), HM(40, 0), none, 1);
    pos_errdetail_init(&d);
    assert_int_equal(report_sales(db, to, from, REPORT_BY_ITEM, &rows, &n, &total, &d),
                     POS_ERR_INVAL);
    assert_string_equal(d.what, "the period starts after it ends");
    assert_int_equal(report_sales(db, from, to, (enum report_by)9, &rows, &n, &total, NULL),
                     POS_ERR_INVAL);
    assert_null(rows);
}

static void test_by_names(void **state)
{
    enum report_by b;

    (void)state;
    assert_int_equal(report_by_parse("item", &b), POS_OK);
    assert_int_equal(b, REPORT_BY_ITEM);
    assert_int_equal(report_by_parse("tender", &b), POS_OK);
    assert_int_equal(b, REPORT_BY_TENDER);
    assert_int_equal(report_by_parse("Item", &b), POS_ERR_INVAL);
    assert_int_equal(report_by_parse("", &b), POS_ERR_INVAL);
    assert_int_equal(report_by_parse(NULL, &b), POS_ERR_INVAL);
    assert_string_equal(report_by_name(REPORT_BY_EMPLOYEE), "employee");
    assert_string_equal(report_by_name((enum report_by)42), "?");
}

static void test_time_parse(void **state)
{
    static const struct {
        const char *s;
        bool end;
        int rc;
        int64_t ms;
    } cases[] = {
        {"2024-05-01", false, POS_OK, T0},
        {"2024-05-01", true, POS_OK, T0 + 86400000},
        {"2024-05-01T13:45", false, POS_OK, HM(13, 45)},
        {"2024-05-01T13:45", true, POS_OK, HM(13, 45)}, /* a time: exactly that */
        {"2024-12-31", true, POS_OK, INT64_C(1735689600000)}, /* into the next year */
        {"2024-02-29", false, POS_OK, INT64_C(1709164800000)},
        {"2023-02-29", false, POS_ERR_RANGE, 0},
        {"2024-04-31", false, POS_ERR_RANGE, 0},
        {"2024-13-01", false, POS_ERR_RANGE, 0},
        {"2024-00-10", false, POS_ERR_RANGE, 0},
        {"2024-05-00", false, POS_ERR_RANGE, 0},
        {"2024-05-01T24:00", false, POS_ERR_RANGE, 0},
        {"2024-05-01T12:60", false, POS_ERR_RANGE, 0},
        {"1969-12-31", false, POS_ERR_RANGE, 0},
        {"2024-5-1", false, POS_ERR_SYNTAX, 0},
        {"2024/05/01", false, POS_ERR_SYNTAX, 0},
        {"2024-05-01 13:45", false, POS_ERR_SYNTAX, 0},
        {"2024-05-01T13:45:00", false, POS_ERR_SYNTAX, 0},
        {"2024-05-01T1345", false, POS_ERR_SYNTAX, 0},
        {"20240501", false, POS_ERR_SYNTAX, 0},
        {"", false, POS_ERR_SYNTAX, 0},
        {"yesterday!", false, POS_ERR_SYNTAX, 0},
        {"2024-05-0x", false, POS_ERR_SYNTAX, 0},
    };
    size_t i;
    int64_t ms;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc;

        ms = -1;
        rc = report_time_parse(cases[i].s, cases[i].end, &ms);
        if (rc != cases[i].rc || (rc == POS_OK && ms != cases[i].ms))
            fail_msg("'%s': rc %d ms %lld, want %d %lld", cases[i].s, rc, (long long)ms,
                     cases[i].rc, (long long)cases[i].ms);
    }
    assert_int_equal(report_time_parse(NULL, false, &ms), POS_ERR_INVAL);
}

/* Every allocation failing in turn: a clean error, no leak, nothing written. */
static void test_alloc_failures(void **state)
{
    struct report_row *rows = NULL, total;
    json_t *o = NULL;
    size_t n;
    long i;
    int rc;

    (void)state;
    day();
    for (i = 0; i < 4; i++) {
        tu_alloc_fail_after(i);
        rc = report_sales(db, T0, T0 + 86400000, REPORT_BY_ITEM, &rows, &n, &total, NULL);
        tu_alloc_reset();
        if (rc == POS_OK) {
            report_rows_free(rows);
            rows = NULL;
        } else {
            assert_null(rows);
        }
    }
    assert_int_equal(report_x(db, HM(16, 0), &o, NULL), POS_OK);
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_by_names),
        cmocka_unit_test(test_time_parse),
        cmocka_unit_test_setup_teardown(test_x_none_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_x_shift2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_z_refusals_and_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_z_disjoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sales_by, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alloc_failures, setup, teardown),
    };

    setenv("TZ", "UTC", 1);
    tzset();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
