/* Tests of src/term/sale*.c: the arithmetic in tables (gross, tax included
 * and excluded with its half cases, promotions, discounts, overflow), the
 * draft's changes and every refusal, completion with stock in one
 * transaction, a SIGKILL at random points of completion, the receipt. */
#include "testutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "mem.h"
#include "term/catalog.h"
#include "term/promo.h"
#include "term/sale.h"
#include "term/staff.h"
#include "term/stock.h"
#include "term/tstore.h"

/* ---- pure arithmetic --------------------------------------------------- */

static struct sale *calc_new(bool included)
{
    struct sale *s = pos_malloc(sizeof(*s));

    assert_non_null(s);
    memset(s, 0, sizeof(*s));
    s->cur = money_currency_by_numeric(156);
    s->tax_included = included;
    return s;
}

static struct sale_line *calc_line(struct sale *s, int64_t item, const char *cat, int64_t qty,
                                   int64_t price, uint32_t bps)
{
    struct sale_line *l = &s->lines[s->n_lines++];

    memset(l, 0, sizeof(*l));
    l->line_no = (int64_t)s->n_lines;
    l->item_id = item;
    snprintf(l->category, sizeof(l->category), "%s", cat);
    l->qty = qty;
    l->unit_price = price;
    l->tax_bps = bps;
    return l;
}

struct tax_case {
    bool included;
    int64_t qty, price;
    uint32_t bps;
    int64_t gross, tax, total;
};

static void test_tax_table(void **state)
{
    static const struct tax_case cases[] = {
        /* tax included: tax = net x r / (10000 + r), half up */
        {true, 1000, 1130, 1300, 1130, 130, 1130}, /* 11.30 incl. 13 % = 1.30 */
        {true, 1000, 1000, 1300, 1000, 115, 1000}, /* 115.04 -> 115 */
        {true, 1000, 1, 10000, 1, 1, 1},           /* 0.5 -> 1 (half up) */
        {true, 1000, 3, 10000, 3, 2, 3},           /* 1.5 -> 2 */
        {true, 1000, 2120, 600, 2120, 120, 2120},  /* 120.00 exactly */
        {true, 1000, 500, 0, 500, 0, 500},         /* zero rate */
        /* tax excluded: tax = net x r / 10000, half up, added */
        {false, 1000, 50, 100, 50, 1, 51},    /* 0.50 -> 1 */
        {false, 1000, 49, 100, 49, 0, 49},    /* 0.49 -> 0 */
        {false, 1000, 150, 100, 150, 2, 152}, /* 1.50 -> 2 */
        {false, 1000, 1000, 1300, 1000, 130, 1130},
        {false, 2000, 1234, 900, 2468, 222, 2690}, /* 222.12 -> 222 */
        /* quantity x price, half up: weighed goods */
        {true, 1500, 1, 0, 2, 0, 2},              /* 1.5 -> 2 */
        {true, 500, 1, 0, 1, 0, 1},               /* 0.5 -> 1 */
        {true, 499, 1, 0, 0, 0, 0},               /* 0.499 -> 0 */
        {true, 1250, 2580, 900, 3225, 266, 3225}, /* 1.250 kg x 25.80 = 32.25; 266.28 */
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct tax_case *c = &cases[i];
        struct sale *s = calc_new(c->included);

        calc_line(s, 1, "", c->qty, c->price, c->bps);
        assert_int_equal(sale_compute(s, NULL, 0, NULL), POS_OK);
        if (s->lines[0].gross != c->gross || s->tax_total != c->tax || s->total != c->total)
            fail_msg("case %zu: gross %lld tax %lld total %lld, want %lld %lld %lld", i,
                     (long long)s->lines[0].gross, (long long)s->tax_total, (long long)s->total,
                     (long long)c->gross, (long long)c->tax, (long long)c->total);
        sale_free(s);
    }
}

static void test_tax_per_rate(void **state)
{
    struct sale *s = calc_new(true);

    (void)state;
    calc_line(s, 1, "", 1000, 1130, 1300);
    calc_line(s, 2, "", 1000, 2120, 600);
    calc_line(s, 3, "", 2000, 565, 1300);
    assert_int_equal(sale_compute(s, NULL, 0, NULL), POS_OK);
    assert_int_equal(s->n_taxes, 2);
    assert_int_equal(s->taxes[0].rate_bps, 1300);
    assert_int_equal(s->taxes[0].amount, 130 + 130);
    assert_int_equal(s->taxes[0].base, 1000 + 1000);
    assert_int_equal(s->taxes[1].rate_bps, 600);
    assert_int_equal(s->taxes[1].amount, 120);
    assert_int_equal(s->total, 1130 + 2120 + 1130);
    sale_free(s);
}

static void promo_set(struct promo *p, int64_t id, enum promo_kind k, int64_t item, const char *cat)
{
    promo_init(p);
    p->id = id;
    snprintf(p->name, sizeof(p->name), "P%lld", (long long)id);
    p->kind = k;
    p->item_id = item;
    snprintf(p->category, sizeof(p->category), "%s", item != 0 ? "" : cat);
}

static void test_promotions_best_and_order(void **state)
{
    struct promo ps[4];
    struct sale *s = calc_new(true);
    struct sale_discount *dc;

    (void)state;
    promo_set(&ps[0], 1, PROMO_PERCENT, 0, "drinks"); /* 10 % off drinks */
    ps[0].percent_bps = 1000;
    promo_set(&ps[1], 2, PROMO_BUY_GET, 7, ""); /* item 7: buy 2 get 1 */
    ps[1].buy_n = 2;
    ps[1].get_m = 1;
    promo_set(&ps[2], 3, PROMO_AMOUNT, 8, ""); /* item 8: 0.50 off each */
    ps[2].amount = 50;
    promo_set(&ps[3], 4, PROMO_BUNDLE, 8, ""); /* item 8: 2 for 5.00 */
    ps[3].buy_n = 2;
    ps[3].amount = 500;
    ps[3].active = true;

    calc_line(s, 7, "drinks", 3000, 400, 0); /* 12.00: 10 % = 1.20, 3-for-2 = 4.00 */
    calc_line(s, 8, "food", 3000, 300, 0);   /* 9.00: 0.50 x 3 = 1.50, bundle 1 x 1.00 */
    calc_line(s, 9, "drinks", 1000, 999, 0); /* 9.99: 10 % = 1.00 (0.999) */
    assert_int_equal(sale_compute(s, ps, 4, NULL), POS_OK);
    assert_int_equal(s->lines[0].promo_id, 2);
    assert_int_equal(s->lines[0].promo_discount, 400);
    assert_int_equal(s->lines[1].promo_id, 3);
    assert_int_equal(s->lines[1].promo_discount, 150);
    assert_int_equal(s->lines[2].promo_id, 1);
    assert_int_equal(s->lines[2].promo_discount, 100);
    assert_int_equal(s->promo_total, 650);

    /* then the line discount on what is left: 10 % of 7.50 = 0.75 */
    dc = &s->discounts[s->n_discounts++];
    memset(dc, 0, sizeof(*dc));
    dc->line_no = 2;
    dc->kind = SALE_DISC_PERCENT;
    dc->value = 1000;
    /* then the sale's amount, shared: 1.00 over 8.00 + 6.75 + 8.99 */
    dc = &s->discounts[s->n_discounts++];
    memset(dc, 0, sizeof(*dc));
    dc->line_no = 0;
    dc->kind = SALE_DISC_AMOUNT;
    dc->value = 100;
    assert_int_equal(sale_compute(s, ps, 4, NULL), POS_OK);
    assert_int_equal(s->lines[1].line_discount, 75);
    assert_int_equal(
        s->lines[0].sale_discount + s->lines[1].sale_discount + s->lines[2].sale_discount, 100);
    /* 800/2374 x 100 = 33.7, 675/2374 = 28.4, 899/2374 = 37.9: floors 33+28+37 = 98,
     * the two largest fractions (0.9 and 0.7) get one more */
    assert_int_equal(s->lines[0].sale_discount, 34);
    assert_int_equal(s->lines[1].sale_discount, 28);
    assert_int_equal(s->lines[2].sale_discount, 38);
    assert_int_equal(s->total, 2374 - 100);
    assert_int_equal(s->discount_total, 175);
    assert_int_equal(s->subtotal, 1200 + 900 + 999);

    /* a sale percent is taken off each line, half up per line */
    s->discounts[1].kind = SALE_DISC_PERCENT;
    s->discounts[1].value = 500; /* 5 % of 8.00, 6.75, 8.99 = 0.40, 0.3375, 0.4495 */
    assert_int_equal(sale_compute(s, ps, 4, NULL), POS_OK);
    assert_int_equal(s->lines[0].sale_discount, 40);
    assert_int_equal(s->lines[1].sale_discount, 34);
    assert_int_equal(s->lines[2].sale_discount, 45);
    assert_int_equal(s->discounts[1].amount, 119);

    /* equal thirds: 1.00 over three equal lines is 34 + 33 + 33 */
    s->n_discounts = 0;
    s->n_lines = 0;
    calc_line(s, 1, "", 1000, 500, 0);
    calc_line(s, 2, "", 1000, 500, 0);
    calc_line(s, 3, "", 1000, 500, 0);
    dc = &s->discounts[s->n_discounts++];
    memset(dc, 0, sizeof(*dc));
    dc->kind = SALE_DISC_AMOUNT;
    dc->value = 100;
    assert_int_equal(sale_compute(s, NULL, 0, NULL), POS_OK);
    assert_int_equal(s->lines[0].sale_discount, 34);
    assert_int_equal(s->lines[1].sale_discount, 33);
    assert_int_equal(s->lines[2].sale_discount, 33);
    sale_free(s);
}

static void test_overflow(void **state)
{
    struct pos_errdetail d;
    struct sale *s = calc_new(true);
    int i;

    (void)state;
    pos_errdetail_init(&d);
    calc_line(s, 1, "", SALE_QTY_MAX, CATALOG_PRICE_MAX, 0);
    assert_int_equal(sale_compute(s, NULL, 0, &d), POS_ERR_OVERFLOW);
    assert_non_null(strstr(d.what, "line 1"));
    s->lines[0].qty = 1000000; /* 1000 units x 10^11 = 10^14 > 10^13 */
    assert_int_equal(sale_compute(s, NULL, 0, NULL), POS_ERR_RANGE);
    s->lines[0].qty = 0;
    assert_int_equal(sale_compute(s, NULL, 0, NULL), POS_ERR_RANGE);
    /* 200 lines of 10^13: the sale's total over 10^15 */
    s->n_lines = 0;
    for (i = 0; i < 200; i++)
        calc_line(s, 1, "", 100000, CATALOG_PRICE_MAX, 0);
    assert_int_equal(sale_compute(s, NULL, 0, NULL), POS_ERR_RANGE);
    /* 17 rates do not fit */
    s->n_lines = 0;
    for (i = 0; i < 17; i++)
        calc_line(s, 1, "", 1000, 100, (uint32_t)i);
    assert_int_equal(sale_compute(s, NULL, 0, NULL), POS_ERR_NOSPACE);
    sale_free(s);
}

/* ---- the database ------------------------------------------------------ */

static struct store *db;
static int64_t item_a, item_b, item_w;

static void fixture(struct store *s)
{
    struct catalog_item it;
    struct stock_req q = {STOCK_RECEIVE, 0, 10000, NULL, "DN-1", 0};

    assert_int_equal(tstore_setting_set(s, "staff.pin_iterations", "1000"), POS_OK);
    assert_int_equal(tstore_setting_set(s, "merchant.name", "Corner Shop"), POS_OK);
    assert_int_equal(staff_add(s, 1, "Li", STAFF_CASHIER, "1111", NULL, NULL), POS_OK);
    assert_int_equal(staff_add(s, 2, "Wang", STAFF_SUPERVISOR, "2222", NULL, NULL), POS_OK);
    assert_int_equal(staff_add(s, 3, "Zhao", STAFF_CASHIER, "3333", NULL, NULL), POS_OK);
    catalog_item_init(&it);
    snprintf(it.sku, sizeof(it.sku), "A1");
    snprintf(it.name, sizeof(it.name), "Apple Juice");
    snprintf(it.category, sizeof(it.category), "drinks");
    it.price = 1000;
    it.tax_bps = 1300;
    assert_int_equal(catalog_item_add_barcode(&it, "4006381333931", 13), POS_OK);
    assert_int_equal(catalog_add(s, &it, &item_a, NULL), POS_OK);
    catalog_item_init(&it);
    snprintf(it.sku, sizeof(it.sku), "B2");
    snprintf(it.name, sizeof(it.name), "Biscuits");
    snprintf(it.category, sizeof(it.category), "snacks");
    it.price = 333;
    it.tax_bps = 600;
    assert_int_equal(catalog_add(s, &it, &item_b, NULL), POS_OK);
    catalog_item_init(&it);
    snprintf(it.sku, sizeof(it.sku), "W");
    snprintf(it.name, sizeof(it.name), "Beef");
    snprintf(it.unit, sizeof(it.unit), "kg");
    it.price = 2580;
    it.tax_bps = 900;
    it.plu = 123;
    assert_int_equal(catalog_add(s, &it, &item_w, NULL), POS_OK);
    q.item_id = item_a;
    assert_int_equal(stock_apply(s, &q, NULL, NULL), POS_OK);
    q.item_id = item_b;
    assert_int_equal(stock_apply(s, &q, NULL, NULL), POS_OK);
    q.item_id = item_w;
    q.qty = 5000;
    assert_int_equal(stock_apply(s, &q, NULL, NULL), POS_OK);
}

static int setup(void **state)
{
    (void)state;
    assert_int_equal(tstore_open("sqlite::memory:", &db, NULL), POS_OK);
    fixture(db);
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

static int64_t count_rows(const char *sql)
{
    struct store_stmt *st;
    int64_t n;

    assert_int_equal(store_prepare(db, sql, &st), POS_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    n = store_column_int64(st, 0);
    store_reset(st);
    return n;
}

static struct sale *load(int64_t id)
{
    struct sale *s = NULL;

    assert_int_equal(sale_load(db, id, &s), POS_OK);
    return s;
}

static int64_t qty_of(int64_t item)
{
    int64_t q;

    assert_int_equal(stock_qty(db, item, &q), POS_OK);
    return q;
}

static void test_open_refusals(void **state)
{
    struct pos_errdetail d;
    int64_t id = 0;

    (void)state;
    pos_errdetail_init(&d);
    assert_int_equal(sale_open(db, 1, "9999", 2000, &id, &d), POS_ERR_AUTH);
    assert_int_equal(sale_open(db, 77, "1111", 2000, &id, &d), POS_ERR_AUTH);
    assert_int_equal(sale_open(db, 1, "1111", 2000, &id, &d), POS_OK);
    assert_true(id > 0);
    assert_int_equal(
        staff_shift_close(db, 1, "1111", 20000, sale_shift_cash, NULL, 3000, NULL, NULL), POS_OK);
    assert_int_equal(sale_open(db, 1, "1111", 4000, &id, &d), POS_ERR_STATE);
    assert_non_null(strstr(d.what, "no shift"));
    assert_int_equal(tstore_setting_set(db, "tax.included", "maybe"), POS_OK);
    assert_int_equal(staff_shift_open(db, 1, "1111", 0, 5000, NULL, NULL), POS_OK);
    assert_int_equal(sale_open(db, 1, "1111", 6000, &id, &d), POS_ERR_SYNTAX);
}

static void test_lines(void **state)
{
    struct pos_errdetail d;
    struct sale *s;
    int64_t id, line;

    (void)state;
    pos_errdetail_init(&d);
    assert_int_equal(sale_open(db, 1, "1111", 2000, &id, NULL), POS_OK);
    assert_int_equal(sale_add_code(db, id, "A1", 0, &line, NULL), POS_OK);
    assert_int_equal(line, 1);
    assert_int_equal(sale_add_code(db, id, "4006381333931", 2000, &line, NULL), POS_OK);
    assert_int_equal(line, 1); /* the same item joins its line */
    assert_int_equal(sale_add_code(db, id, "B2", 1500, &line, NULL), POS_OK);
    assert_int_equal(line, 2);
    assert_int_equal(sale_add_code(db, id, "2100123012503", 0, &line, NULL), POS_OK);
    assert_int_equal(line, 3);
    /* refusals: nothing changes */
    assert_int_equal(sale_add_code(db, id, "NOPE", 0, NULL, &d), POS_ERR_NOT_FOUND);
    assert_int_equal(sale_add_code(db, id, "2100123012504", 0, NULL, &d), POS_ERR_CHECK_DIGIT);
    assert_int_equal(sale_add_code(db, id, "2100123012503", 1000, NULL, &d), POS_ERR_INVAL);
    assert_int_equal(sale_add_code(db, id, "A1", -1000, NULL, &d), POS_ERR_RANGE);
    assert_int_equal(sale_add_code(db, id, "A1", SALE_QTY_MAX + 1, NULL, &d), POS_ERR_RANGE);
    assert_int_equal(sale_add_code(db, id, "A1", SALE_QTY_MAX, NULL, &d), POS_ERR_RANGE);
    assert_int_equal(sale_add_code(db, id, "", 0, NULL, &d), POS_ERR_INVAL);
    assert_int_equal(sale_add_code(db, 999, "A1", 0, NULL, &d), POS_ERR_NOT_FOUND);
    assert_int_equal(catalog_deactivate(db, "B2"), POS_OK);
    assert_int_equal(sale_add_code(db, id, "B2", 0, NULL, &d), POS_ERR_STATE);

    s = load(id);
    assert_int_equal(s->n_lines, 3);
    assert_int_equal(s->lines[0].qty, 3000);
    assert_int_equal(s->lines[0].gross, 3000);
    assert_int_equal(s->lines[1].gross, 500); /* 1.5 x 3.33 = 4.995 -> 5.00 */
    assert_int_equal(s->lines[2].qty, 1250);
    assert_int_equal(s->lines[2].gross, 3225);
    assert_string_equal(s->lines[2].unit, "kg");
    assert_int_equal(s->total, 3000 + 500 + 3225);
    assert_int_equal(s->status, SALE_OPEN);
    sale_free(s);

    assert_int_equal(sale_remove_line(db, id, 2, NULL), POS_OK);
    assert_int_equal(sale_remove_line(db, id, 2, &d), POS_ERR_NOT_FOUND);
    s = load(id);
    assert_int_equal(s->n_lines, 2);
    assert_int_equal(s->total, 3000 + 3225);
    sale_free(s);
    assert_int_equal(sale_add_code(db, id, "A1", 0, &line, NULL), POS_OK);
    assert_int_equal(line, 1);
}

static void test_discounts_and_override(void **state)
{
    struct pos_errdetail d;
    struct sale *s;
    int64_t id;

    (void)state;
    pos_errdetail_init(&d);
    assert_int_equal(sale_open(db, 1, "1111", 2000, &id, NULL), POS_OK);
    assert_int_equal(sale_add_code(db, id, "A1", 4000, NULL, NULL), POS_OK); /* 40.00 */
    /* within the cashier's 5 %: 2.00 of 40.00 */
    assert_int_equal(sale_discount(db, id, 1, SALE_DISC_AMOUNT, 200, 0, NULL, 3000, &d), POS_OK);
    /* over: 2.01 (5.025 %, rounded up), 6 % of the sale: refused without a supervisor */
    assert_int_equal(sale_discount(db, id, 1, SALE_DISC_AMOUNT, 201, 0, NULL, 3000, &d),
                     POS_ERR_DENIED);
    assert_non_null(strstr(d.what, "supervisor"));
    assert_int_equal(sale_discount(db, id, 0, SALE_DISC_PERCENT, 600, 0, NULL, 3000, &d),
                     POS_ERR_DENIED);
    /* a cashier is no supervisor; a wrong PIN is refused */
    assert_int_equal(sale_discount(db, id, 0, SALE_DISC_PERCENT, 600, 3, "3333", 3000, &d),
                     POS_ERR_DENIED);
    assert_int_equal(sale_discount(db, id, 0, SALE_DISC_PERCENT, 600, 2, "0000", 3000, &d),
                     POS_ERR_AUTH);
    s = load(id);
    assert_int_equal(s->total, 3800);
    assert_int_equal(s->n_discounts, 1);
    sale_free(s);
    assert_int_equal(sale_discount(db, id, 0, SALE_DISC_PERCENT, 1000, 2, "2222", 3000, &d),
                     POS_OK);
    /* bad values */
    assert_int_equal(sale_discount(db, id, 0, SALE_DISC_PERCENT, 0, 0, NULL, 3000, &d),
                     POS_ERR_RANGE);
    assert_int_equal(sale_discount(db, id, 0, SALE_DISC_PERCENT, 10001, 0, NULL, 3000, &d),
                     POS_ERR_RANGE);
    assert_int_equal(sale_discount(db, id, 1, SALE_DISC_AMOUNT, 4001, 2, "2222", 3000, &d),
                     POS_ERR_RANGE);
    assert_int_equal(sale_discount(db, id, 9, SALE_DISC_AMOUNT, 1, 0, NULL, 3000, &d),
                     POS_ERR_NOT_FOUND);
    assert_int_equal(sale_discount(db, id, -1, SALE_DISC_AMOUNT, 1, 0, NULL, 3000, &d),
                     POS_ERR_INVAL);
    assert_int_equal(sale_discount(db, id, 0, (enum sale_disc_kind)5, 1, 0, NULL, 3000, &d),
                     POS_ERR_INVAL);
    s = load(id);
    assert_int_equal(s->lines[0].line_discount, 200);
    assert_int_equal(s->lines[0].sale_discount, 380);
    assert_int_equal(s->total, 3420);
    assert_int_equal(s->discount_total, 580);
    assert_int_equal(s->discounts[0].line_no, 0);
    assert_true(s->discounts[0].authorized_by > 0);
    sale_free(s);

    /* price override: always a supervisor for a cashier */
    assert_int_equal(sale_price_override(db, id, 1, 900, 0, NULL, 3000, &d), POS_ERR_DENIED);
    assert_int_equal(sale_price_override(db, id, 1, 900, 3, "3333", 3000, &d), POS_ERR_DENIED);
    assert_int_equal(sale_price_override(db, id, 7, 900, 2, "2222", 3000, &d), POS_ERR_NOT_FOUND);
    assert_int_equal(sale_price_override(db, id, 1, -1, 2, "2222", 3000, &d), POS_ERR_RANGE);
    assert_int_equal(sale_price_override(db, id, 1, 900, 2, "2222", 3000, &d), POS_OK);
    s = load(id);
    assert_int_equal(s->lines[0].unit_price, 900);
    assert_int_equal(s->lines[0].gross, 3600);
    assert_true(s->lines[0].override_by > 0);
    /* 3600 - 200 = 3400; 10 % = 340 */
    assert_int_equal(s->total, 3060);
    sale_free(s);
    /* an overridden line is not joined by a new scan */
    assert_int_equal(sale_add_code(db, id, "A1", 0, NULL, NULL), POS_OK);
    s = load(id);
    assert_int_equal(s->n_lines, 2);
    sale_free(s);
}

static void test_promotion_applied_and_frozen(void **state)
{
    struct promo p;
    struct sale *s;
    int64_t id, pid;

    (void)state;
    promo_init(&p);
    snprintf(p.name, sizeof(p.name), "3 for 2");
    snprintf(p.sku, sizeof(p.sku), "A1");
    p.kind = PROMO_BUY_GET;
    p.buy_n = 2;
    p.get_m = 1;
    assert_int_equal(promo_add(db, &p, &pid, NULL), POS_OK);
    assert_int_equal(sale_open(db, 1, "1111", 2000, &id, NULL), POS_OK);
    assert_int_equal(sale_add_code(db, id, "A1", 0, NULL, NULL), POS_OK);
    assert_int_equal(sale_add_code(db, id, "A1", 0, NULL, NULL), POS_OK);
    s = load(id);
    assert_int_equal(s->lines[0].promo_discount, 0);
    sale_free(s);
    assert_int_equal(sale_add_code(db, id, "A1", 0, NULL, NULL), POS_OK);
    s = load(id);
    assert_int_equal(s->lines[0].promo_discount, 1000);
    assert_int_equal(s->lines[0].promo_id, pid);
    assert_string_equal(s->lines[0].promo_name, "3 for 2");
    assert_int_equal(s->total, 2000);
    sale_free(s);
    assert_int_equal(sale_add_tender(db, id, SALE_TENDER_CASH, 2000, NULL, 5000, NULL, NULL),
                     POS_OK);
    assert_int_equal(promo_disable(db, pid), POS_OK);
    s = load(id);
    assert_int_equal(s->status, SALE_PAID);
    assert_int_equal(s->lines[0].promo_discount, 1000);
    assert_int_equal(s->total, 2000);
    sale_free(s);
}

static void test_tenders_and_completion(void **state)
{
    struct sale_tender_result r;
    struct pos_errdetail d;
    struct stock_check_report rep;
    struct sale *s;
    int64_t id, cash = 0;

    (void)state;
    pos_errdetail_init(&d);
    assert_int_equal(sale_open(db, 1, "1111", 2000, &id, NULL), POS_OK);
    assert_int_equal(sale_add_tender(db, id, SALE_TENDER_CASH, 100, NULL, 3000, &r, &d),
                     POS_ERR_STATE);                                         /* empty */
    assert_int_equal(sale_add_code(db, id, "A1", 2000, NULL, NULL), POS_OK); /* 20.00 */
    assert_int_equal(sale_add_code(db, id, "2100123012503", 0, NULL, NULL), POS_OK);
    /* total 20.00 + 32.25 = 52.25 */
    assert_int_equal(sale_add_tender(db, id, SALE_TENDER_CARD, 6000, "RRN1", 3000, &r, &d),
                     POS_ERR_RANGE);
    assert_int_equal(sale_add_tender(db, id, SALE_TENDER_CASH, 0, NULL, 3000, &r, &d),
                     POS_ERR_RANGE);
    assert_int_equal(sale_add_tender(db, id, SALE_TENDER_CASH, 100, "bad\nref", 3000, &r, &d),
                     POS_ERR_INVAL);
    assert_int_equal(sale_add_tender(db, id, (enum sale_tender_kind)9, 100, NULL, 3000, &r, &d),
                     POS_ERR_INVAL);
    assert_int_equal(sale_add_tender(db, 999, SALE_TENDER_CASH, 100, NULL, 3000, &r, &d),
                     POS_ERR_NOT_FOUND);
    assert_int_equal(
        sale_add_tender(db, id, SALE_TENDER_CARD, 3000, "RRN 000000123456", 3000, &r, &d), POS_OK);
    assert_false(r.completed);
    assert_int_equal(r.due, 2225);
    assert_int_equal(qty_of(item_a), 10000); /* nothing moves before completion */
    assert_int_equal(sale_add_tender(db, id, SALE_TENDER_CASH, 5000, NULL, 4000, &r, &d), POS_OK);
    assert_true(r.completed);
    assert_int_equal(r.change, 2775);
    assert_int_equal(r.due, 0);
    assert_int_equal(qty_of(item_a), 8000);
    assert_int_equal(qty_of(item_w), 5000 - 1250);
    assert_int_equal(stock_check(db, &rep), POS_OK);
    assert_int_equal(rep.mismatches + rep.chain_breaks, 0);
    s = load(id);
    assert_int_equal(s->status, SALE_PAID);
    assert_int_equal(s->paid, 8000);
    assert_int_equal(s->change, 2775);
    assert_int_equal(s->n_tenders, 2);
    assert_int_equal(s->closed_at, 4000);
    assert_int_equal(s->n_taxes, 2);
    sale_free(s);
    /* a paid sale takes nothing more */
    assert_int_equal(sale_add_tender(db, id, SALE_TENDER_CASH, 100, NULL, 5000, &r, &d),
                     POS_ERR_STATE);
    assert_non_null(strstr(d.what, "paid"));
    assert_int_equal(sale_add_code(db, id, "A1", 0, NULL, &d), POS_ERR_STATE);
    assert_int_equal(sale_discount(db, id, 0, SALE_DISC_PERCENT, 100, 0, NULL, 5000, &d),
                     POS_ERR_STATE);
    assert_int_equal(sale_cancel(db, id, 5000, &d), POS_ERR_STATE);
    assert_int_equal(count_rows("SELECT COUNT(*) FROM stock_moves WHERE kind = 'sale'"), 2);
    /* the shift's cash: 50.00 - 27.75 */
    assert_int_equal(sale_shift_cash(NULL, db, 1, &cash), POS_OK);
    assert_int_equal(cash, 2225);
}

static void test_stock_refusal(void **state)
{
    struct pos_errdetail d;
    struct sale *s;
    int64_t id;

    (void)state;
    pos_errdetail_init(&d);
    assert_int_equal(sale_open(db, 1, "1111", 2000, &id, NULL), POS_OK);
    assert_int_equal(sale_add_code(db, id, "B2", 0, NULL, NULL), POS_OK);
    assert_int_equal(sale_add_code(db, id, "A1", 11000, NULL, NULL), POS_OK); /* 10 in stock */
    assert_int_equal(sale_add_tender(db, id, SALE_TENDER_CASH, 200000, NULL, 3000, NULL, &d),
                     POS_ERR_STOCK);
    assert_int_equal(qty_of(item_a), 10000);
    assert_int_equal(qty_of(item_b), 10000);
    assert_int_equal(count_rows("SELECT COUNT(*) FROM tenders"), 0);
    assert_int_equal(count_rows("SELECT COUNT(*) FROM stock_moves WHERE kind = 'sale'"), 0);
    s = load(id);
    assert_int_equal(s->status, SALE_OPEN);
    assert_int_equal(s->paid, 0);
    sale_free(s);
    assert_int_equal(tstore_setting_set(db, "stock.allow_negative", "true"), POS_OK);
    assert_int_equal(sale_add_tender(db, id, SALE_TENDER_CASH, 200000, NULL, 3000, NULL, &d),
                     POS_OK);
    assert_int_equal(qty_of(item_a), -1000);
}

static void test_cancel(void **state)
{
    struct pos_errdetail d;
    struct sale *s;
    int64_t id, id2;

    (void)state;
    pos_errdetail_init(&d);
    assert_int_equal(sale_open(db, 1, "1111", 2000, &id, NULL), POS_OK);
    assert_int_equal(sale_add_code(db, id, "A1", 0, NULL, NULL), POS_OK);
    assert_int_equal(sale_add_tender(db, id, SALE_TENDER_CASH, 500, NULL, 3000, NULL, NULL),
                     POS_OK);
    assert_int_equal(sale_cancel(db, id, 4000, &d), POS_OK);
    assert_int_equal(sale_cancel(db, id, 4000, &d), POS_ERR_STATE);
    assert_int_equal(sale_add_tender(db, id, SALE_TENDER_CASH, 500, NULL, 3000, NULL, &d),
                     POS_ERR_STATE);
    assert_non_null(strstr(d.what, "cancelled"));
    assert_int_equal(sale_cancel(db, 999, 4000, &d), POS_ERR_NOT_FOUND);
    s = load(id);
    assert_int_equal(s->status, SALE_CANCELLED);
    sale_free(s);
    assert_int_equal(qty_of(item_a), 10000);
    /* a card tender must be voided first */
    assert_int_equal(sale_open(db, 1, "1111", 2000, &id2, NULL), POS_OK);
    assert_int_equal(sale_add_code(db, id2, "A1", 0, NULL, NULL), POS_OK);
    assert_int_equal(sale_add_tender(db, id2, SALE_TENDER_CARD, 500, "RRN", 3000, NULL, NULL),
                     POS_OK);
    assert_int_equal(sale_cancel(db, id2, 4000, &d), POS_ERR_STATE);
}

static void test_tax_excluded_sale(void **state)
{
    struct sale *s;
    int64_t id;

    (void)state;
    assert_int_equal(tstore_setting_set(db, "tax.included", "false"), POS_OK);
    assert_int_equal(sale_open(db, 1, "1111", 2000, &id, NULL), POS_OK);
    assert_int_equal(sale_add_code(db, id, "A1", 0, NULL, NULL), POS_OK);
    assert_int_equal(sale_add_code(db, id, "B2", 0, NULL, NULL), POS_OK);
    s = load(id);
    assert_false(s->tax_included);
    assert_int_equal(s->tax_total, 130 + 20); /* 13 % of 10.00; 6 % of 3.33 = 0.1998 */
    assert_int_equal(s->total, 1000 + 333 + 150);
    sale_free(s);
}

static void test_receipt(void **state)
{
    struct sale_receipt *r = pos_malloc(sizeof(*r));
    char out[4096];
    struct sale *s;
    int64_t id;

    (void)state;
    assert_non_null(r);
    assert_int_equal(sale_open(db, 1, "1111", 2000, &id, NULL), POS_OK);
    assert_int_equal(sale_add_code(db, id, "A1", 0, NULL, NULL), POS_OK);
    s = load(id);
    assert_int_equal(sale_receipt_fill(s, "Corner Shop", r), POS_ERR_STATE);
    sale_free(s);
    assert_int_equal(
        sale_add_tender(db, id, SALE_TENDER_CASH, 2000, NULL, INT64_C(1769868309000), NULL, NULL),
        POS_OK);
    s = load(id);
    assert_int_equal(sale_receipt_fill(s, "Corner Shop", r), POS_OK);
    assert_int_equal(receipt_render_text(&r->r, 32, out, sizeof(out), NULL, NULL), POS_OK);
    assert_non_null(strstr(out, "Corner Shop"));
    assert_non_null(strstr(out, "Apple Juice"));
    assert_non_null(strstr(out, "10.00"));
    assert_non_null(strstr(out, "1.15")); /* the 13 % tax within 10.00 */
    assert_non_null(strstr(out, "2026-01-31 14:05:09"));
    sale_free(s);
    pos_free(r);
}

/* ---- a crash in the middle of completion -------------------------------- */

static void test_kill_during_completion(void **state)
{
    char dir[] = "/tmp/pos-sale-kill-XXXXXX";
    char path[256];
    int round, paid = 0, open = 0;

    (void)state;
    assert_non_null(mkdtemp(dir));
    srand((unsigned)time(NULL));
    for (round = 0; round < 24; round++) {
        struct store *k;
        struct sale *s = NULL;
        struct stock_check_report rep;
        int64_t id, moves, tenders, i;
        pid_t pid;
        int status;

        snprintf(path, sizeof(path), "%s/k%d.db", dir, round);
        assert_int_equal(tstore_open(path, &k, NULL), POS_OK);
        fixture(k);
        assert_int_equal(staff_shift_open(k, 1, "1111", 0, 1000, NULL, NULL), POS_OK);
        assert_int_equal(sale_open(k, 1, "1111", 2000, &id, NULL), POS_OK);
        for (i = 0; i < 3; i++) {
            assert_int_equal(sale_add_code(k, id, "A1", 1000, NULL, NULL), POS_OK);
            assert_int_equal(sale_add_code(k, id, "B2", 1000, NULL, NULL), POS_OK);
            assert_int_equal(sale_add_code(k, id, "2100123012503", 0, NULL, NULL), POS_OK);
        }
        tstore_close(k);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            struct store *c;
            int rc = tstore_open(path, &c, NULL);

            if (rc == POS_OK)
                rc = sale_add_tender(c, id, SALE_TENDER_CASH, 1000000, NULL, 3000, NULL, NULL);
            _exit(rc == POS_OK ? 0 : 3);
        }
        /* kill anywhere from before the open to after the commit */
        usleep((useconds_t)(rand() % (round * 1000 + 1)));
        kill(pid, SIGKILL);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_false(WIFEXITED(status) && WEXITSTATUS(status) != 0);

        assert_int_equal(tstore_open(path, &k, NULL), POS_OK);
        assert_int_equal(sale_load(k, id, &s), POS_OK);
        assert_int_equal(stock_check(k, &rep), POS_OK);
        assert_int_equal(rep.mismatches + rep.chain_breaks, 0);
        {
            struct store_stmt *st;

            assert_int_equal(store_prepare(k,
                                           "SELECT (SELECT COUNT(*) FROM stock_moves WHERE "
                                           "kind = 'sale'), (SELECT COUNT(*) FROM tenders)",
                                           &st),
                             POS_OK);
            assert_int_equal(store_step(st), STORE_ROW);
            moves = store_column_int64(st, 0);
            tenders = store_column_int64(st, 1);
            store_reset(st);
        }
        if (s->status == SALE_PAID) {
            paid++;
            assert_int_equal(moves, (int64_t)s->n_lines); /* 2 joined + 3 labels */
            assert_int_equal(s->n_lines, 5);
            assert_int_equal(tenders, 1);
            assert_int_equal(s->paid, 1000000);
            assert_int_equal(s->change, 1000000 - s->total);
        } else {
            open++;
            assert_int_equal(s->status, SALE_OPEN);
            assert_int_equal(moves, 0);
            assert_int_equal(tenders, 0);
            assert_int_equal(s->paid, 0);
        }
        sale_free(s);
        tstore_close(k);
        unlink(path);
        snprintf(path, sizeof(path), "%s/k%d.db-wal", dir, round);
        unlink(path);
        snprintf(path, sizeof(path), "%s/k%d.db-shm", dir, round);
        unlink(path);
    }
    rmdir(dir);
    print_message("kill test: %d complete, %d still drafts\n", paid, open);
    assert_int_equal(paid + open, 24);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tax_table),
        cmocka_unit_test(test_tax_per_rate),
        cmocka_unit_test(test_promotions_best_and_order),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test_setup_teardown(test_open_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_discounts_and_override, setup, teardown),
        cmocka_unit_test_setup_teardown(test_promotion_applied_and_frozen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tenders_and_completion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stock_refusal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tax_excluded_sale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receipt, setup, teardown),
        cmocka_unit_test(test_kill_during_completion),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
