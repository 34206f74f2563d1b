/* Tests of src/term/sale_return.c without a host (cash sales): the pro-rata
 * rule and its rounding, a line refunded in parts summing to the line,
 * voids and refunds with stock and the shift's cash, returns without a
 * receipt, and every refusal leaving nothing behind. Card voids and
 * refunds run against a real posd in tests/cli/test_sale_card.py and
 * tests/cli/test_day.py. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "term/catalog.h"
#include "term/sale.h"
#include "term/sale_return.h"
#include "term/staff.h"
#include "term/stock.h"
#include "term/tstore.h"

static struct store *db;
static int64_t item_a, item_b;

static int setup(void **state)
{
    struct catalog_item it;
    struct stock_req q = {STOCK_RECEIVE, 0, 10000, NULL, "DN-1", 0};

    (void)state;
    assert_int_equal(tstore_open("sqlite::memory:", &db, NULL), POS_OK);
    assert_int_equal(tstore_setting_set(db, "staff.pin_iterations", "1000"), POS_OK);
    assert_int_equal(staff_add(db, 1, "Li", STAFF_CASHIER, "1111", NULL, NULL), POS_OK);
    assert_int_equal(staff_add(db, 2, "Wang", STAFF_SUPERVISOR, "2222", NULL, NULL), POS_OK);
    catalog_item_init(&it);
    snprintf(it.sku, sizeof(it.sku), "A1");
    snprintf(it.name, sizeof(it.name), "Apple Juice");
    snprintf(it.category, sizeof(it.category), "drinks");
    it.price = 1000;
    it.tax_bps = 1300;
    assert_int_equal(catalog_add(db, &it, &item_a, NULL), POS_OK);
    catalog_item_init(&it);
    snprintf(it.sku, sizeof(it.sku), "B2");
    snprintf(it.name, sizeof(it.name), "Biscuits");
    snprintf(it.category, sizeof(it.category), "snacks");
    it.price = 333;
    it.tax_bps = 600;
    assert_int_equal(catalog_add(db, &it, &item_b, NULL), POS_OK);
    q.item_id = item_a;
    assert_int_equal(stock_apply(db, &q, NULL, NULL), POS_OK);
    q.item_id = item_b;
    assert_int_equal(stock_apply(db, &q, NULL, NULL), POS_OK);
    assert_int_equal(staff_shift_open(db, 1, "1111", 20000, 1000, NULL, NULL), POS_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tstore_close(db);
    db = NULL;
    return 0;
}

static int64_t one(const char *sql)
{
    struct store_stmt *st;
    int64_t n;

    assert_int_equal(store_prepare(db, sql, &st), POS_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    n = store_column_int64(st, 0);
    store_reset(st);
    return n;
}

static int64_t qty_of(int64_t item)
{
    int64_t q;

    assert_int_equal(stock_qty(db, item, &q), POS_OK);
    return q;
}

static int64_t drawer(void)
{
    struct staff_shift sh;
    int64_t cash;

    assert_int_equal(staff_shift_current(db, &sh), POS_OK);
    assert_int_equal(sale_shift_cash(NULL, db, sh.id, &cash), POS_OK);
    return cash;
}

/* A paid cash sale: 3 x A1 with 1.00 off the sale (net 29.00), 2 x B2. */
static int64_t paid_sale(void)
{
    struct sale_tender_result r;
    int64_t id;

    assert_int_equal(sale_open(db, 1, "1111", 2000, &id, NULL), POS_OK);
    assert_int_equal(sale_add_code(db, id, "A1", 3000, NULL, NULL), POS_OK);
    assert_int_equal(sale_add_code(db, id, "B2", 2000, NULL, NULL), POS_OK);
    assert_int_equal(sale_discount(db, id, 0, SALE_DISC_AMOUNT, 100, 0, NULL, 2000, NULL), POS_OK);
    assert_int_equal(sale_add_tender(db, id, SALE_TENDER_CASH, 50000, NULL, 3000, &r, NULL),
                     POS_OK);
    assert_true(r.completed);
    return id;
}

static const struct sret_auth SUP = {2, "2222", "customer changed mind"};

static void test_prorata(void **state)
{
    static const struct {
        int64_t v, num, den, want;
        int rc;
    } cases[] = {
        {2900, 1, 3, 967, POS_OK},  /* 966.67 */
        {2900, 2, 3, 1933, POS_OK}, /* 1933.33 */
        {5, 1, 2, 3, POS_OK},       /* 2.5: half up */
        {7, 1, 2, 4, POS_OK},       /* 3.5 */
        {0, 1, 3, 0, POS_OK},
        {1000, 3, 3, 1000, POS_OK},
        {100, 0, 3, 0, POS_OK},
        {-1, 1, 3, 0, POS_ERR_INVAL},
        {1, -1, 3, 0, POS_ERR_INVAL},
        {1, 1, 0, 0, POS_ERR_INVAL},
        {INT64_MAX, 2, 3, 0, POS_ERR_OVERFLOW},
    };
    size_t i;
    int64_t out;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        out = -1;
        assert_int_equal(sret_prorata(cases[i].v, cases[i].num, cases[i].den, &out), cases[i].rc);
        assert_int_equal(out, cases[i].want);
    }
}

/* A line refunded one unit at a time gives back exactly the line. */
static void test_refund_in_parts(void **state)
{
    struct sret_req one_a = {1, 1000};
    struct sret_result r[3];
    struct sale *s = NULL;
    int64_t id = paid_sale(), net, tax, cash0 = drawer(), left, got = 0, gtax = 0;
    int i;

    (void)state;
    assert_int_equal(sale_load(db, id, &s), POS_OK);
    net = s->lines[0].net;
    tax = s->lines[0].tax;
    assert_true(net % 3 != 0); /* the sale discount makes the thirds uneven */
    sale_free(s);
    for (i = 0; i < 3; i++) {
        assert_int_equal(sret_refund(db, NULL, id, &one_a, 1, true, &SUP, 4000 + i, &r[i], NULL),
                         POS_OK);
        assert_int_equal(r[i].card, 0);
        assert_int_equal(r[i].cash, r[i].total);
        got += r[i].total;
        gtax += r[i].tax;
    }
    assert_int_equal(r[0].total, (net + 1) / 3); /* half up */
    assert_int_equal(got, net);
    assert_int_equal(gtax, tax);
    assert_int_equal(drawer(), cash0 - net);
    assert_int_equal(qty_of(item_a), 10000); /* all three back */
    assert_int_equal(sret_qty_left(db, id, 1, &left), POS_OK);
    assert_int_equal(left, 0);
    /* nothing left: refused, nothing written */
    assert_int_equal(sret_refund(db, NULL, id, &one_a, 1, true, &SUP, 5000, NULL, NULL),
                     POS_ERR_STATE);
    assert_int_equal(one("SELECT COUNT(*) FROM returns"), 3);
    assert_int_equal(one("SELECT COUNT(*) FROM stock_moves WHERE kind = 'return'"), 3);
}

static void test_void_cash_sale(void **state)
{
    struct sret_result r;
    struct sale *s = NULL;
    int64_t id = paid_sale(), cash0 = drawer(), total;

    (void)state;
    assert_int_equal(sale_load(db, id, &s), POS_OK);
    total = s->total;
    sale_free(s);
    assert_int_equal(qty_of(item_a), 7000);
    assert_int_equal(sret_void(db, NULL, id, &SUP, 5000, &r, NULL), POS_OK);
    assert_int_equal(r.total, total);
    assert_int_equal(r.cash, total);
    assert_int_equal(qty_of(item_a), 10000);
    assert_int_equal(qty_of(item_b), 10000);
    assert_int_equal(drawer(), cash0 - total);
    assert_int_equal(one("SELECT COUNT(*) FROM return_lines"), 2);
    assert_int_equal(one("SELECT SUM(amount) FROM return_tenders WHERE kind = 'cash'"), total);
    /* twice: refused */
    assert_int_equal(sret_void(db, NULL, id, &SUP, 6000, &r, NULL), POS_ERR_STATE);
    assert_int_equal(sret_refund(db, NULL, id, NULL, 0, true, &SUP, 6000, &r, NULL), POS_ERR_STATE);
    assert_int_equal(one("SELECT COUNT(*) FROM returns"), 1);
}

/* Every refusal changes nothing: rows, stock, drawer. */
static void test_refusals(void **state)
{
    struct sret_auth cashier = {1, "1111", NULL}, wrong = {2, "9999", NULL};
    struct sret_auth none = {2, NULL, NULL}, long_reason = SUP;
    struct sret_req too_many = {1, 4000}, no_line = {9, 0}, twice[2] = {{1, 1000}, {1, 1000}};
    struct sret_result r;
    struct pos_errdetail d;
    char reason[200];
    int64_t id = paid_sale(), open_id, cash0 = drawer(), qa = qty_of(item_a);

    (void)state;
    memset(reason, 'x', sizeof(reason) - 1);
    reason[sizeof(reason) - 1] = '\0';
    long_reason.reason = reason;
    pos_errdetail_init(&d);
    assert_int_equal(sret_void(db, NULL, id, &cashier, 5000, &r, &d), POS_ERR_DENIED);
    assert_int_equal(sret_void(db, NULL, id, &wrong, 5000, &r, &d), POS_ERR_AUTH);
    assert_int_equal(sret_void(db, NULL, id, &none, 5000, &r, &d), POS_ERR_DENIED);
    assert_int_equal(sret_void(db, NULL, id, &long_reason, 5000, &r, &d), POS_ERR_LENGTH);
    assert_int_equal(sret_void(db, NULL, 999, &SUP, 5000, &r, &d), POS_ERR_NOT_FOUND);
    assert_int_equal(sret_refund(db, NULL, id, &too_many, 1, true, &SUP, 5000, &r, &d),
                     POS_ERR_RANGE);
    assert_non_null(strstr(d.what, "3.000 left"));
    assert_int_equal(sret_refund(db, NULL, id, &no_line, 1, true, &SUP, 5000, &r, &d),
                     POS_ERR_NOT_FOUND);
    assert_int_equal(sret_refund(db, NULL, id, twice, 2, true, &SUP, 5000, &r, &d), POS_ERR_INVAL);
    assert_int_equal(sret_refund_sku(db, "NOPE", 1000, true, &SUP, 5000, &r, &d),
                     POS_ERR_NOT_FOUND);
    assert_int_equal(sret_refund_sku(db, "A1", 0, true, &SUP, 5000, &r, &d), POS_ERR_RANGE);
    /* an open draft is not a sale to return */
    assert_int_equal(sale_open(db, 1, "1111", 2000, &open_id, NULL), POS_OK);
    assert_int_equal(sale_add_code(db, open_id, "A1", 1000, NULL, NULL), POS_OK);
    assert_int_equal(sret_void(db, NULL, open_id, &SUP, 5000, &r, &d), POS_ERR_STATE);
    assert_int_equal(one("SELECT COUNT(*) FROM returns"), 0);
    assert_int_equal(one("SELECT COUNT(*) FROM return_lines"), 0);
    assert_int_equal(qty_of(item_a), qa);
    assert_int_equal(drawer(), cash0);
    /* a partial refund, then a void of the rest is refused (refund it) */
    assert_int_equal(sret_refund(db, NULL, id, twice, 1, true, &SUP, 5000, &r, &d), POS_OK);
    assert_int_equal(sret_void(db, NULL, id, &SUP, 5000, &r, &d), POS_ERR_STATE);
    assert_non_null(strstr(d.what, "refund the rest"));
}

static void test_refund_without_receipt(void **state)
{
    struct sret_result r;
    int64_t cash0 = drawer();

    (void)state;
    /* 2 x B2 at 3.33 with the tax included: 6.66 back in cash, 0.38 of it tax */
    assert_int_equal(sret_refund_sku(db, "B2", 2000, true, &SUP, 5000, &r, NULL), POS_OK);
    assert_int_equal(r.total, 666);
    assert_int_equal(r.tax, 38); /* 666 x 600 / 10600 = 37.7 */
    assert_int_equal(r.cash, 666);
    assert_int_equal(qty_of(item_b), 12000);
    assert_int_equal(drawer(), cash0 - 666);
    /* not restocked: the money goes, the stock stays */
    assert_int_equal(sret_refund_sku(db, "B2", 1000, false, &SUP, 5000, &r, NULL), POS_OK);
    assert_int_equal(qty_of(item_b), 12000);
    assert_int_equal(one("SELECT COUNT(*) FROM returns WHERE sale_id IS NULL"), 2);
}

static void test_no_shift(void **state)
{
    struct staff_shift sh;
    struct sret_result r;
    struct pos_errdetail d;
    int64_t id = paid_sale();

    (void)state;
    assert_int_equal(
        staff_shift_close(db, 1, "1111", drawer() + 20000, sale_shift_cash, NULL, 9000, &sh, NULL),
        POS_OK);
    pos_errdetail_init(&d);
    assert_int_equal(sret_void(db, NULL, id, &SUP, 9500, &r, &d), POS_ERR_STATE);
    assert_non_null(strstr(d.what, "no open shift"));
    assert_int_equal(one("SELECT COUNT(*) FROM returns"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prorata),
        cmocka_unit_test_setup_teardown(test_refund_in_parts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_void_cash_sale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refund_without_receipt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_shift, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
