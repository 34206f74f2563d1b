/* Tests of src/term/promo.c: what each kind takes off a line, validation,
 * and the promotions table. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "term/catalog.h"
#include "term/promo.h"
#include "term/tstore.h"

struct promo_case {
    enum promo_kind kind;
    uint32_t bps;
    int64_t amount, buy_n, get_m;
    int64_t qty, unit_price;
    int64_t want; /* what it takes off; gross = qty x price / 1000 half up */
};

static void test_discount_table(void **state)
{
    static const struct promo_case cases[] = {
        /* percent of gross, half up: 10 % of 12.35 = 1.235 -> 1.24 */
        {PROMO_PERCENT, 1000, 0, 0, 0, 1000, 1235, 124},
        {PROMO_PERCENT, 1000, 0, 0, 0, 1000, 1234, 123},
        {PROMO_PERCENT, 10000, 0, 0, 0, 3000, 999, 2997},
        /* amount per unit; weighed: 0.50 off per kg x 1.255 kg = 0.6275 -> 0.63 */
        {PROMO_AMOUNT, 0, 50, 0, 0, 1255, 2000, 63},
        {PROMO_AMOUNT, 0, 100, 0, 0, 3000, 500, 300},
        {PROMO_AMOUNT, 0, 900, 0, 0, 2000, 500, 1000}, /* capped at gross */
        /* buy 2 get 1: 7 units -> 2 groups of 3 -> 2 free */
        {PROMO_BUY_GET, 0, 0, 2, 1, 7000, 300, 600},
        {PROMO_BUY_GET, 0, 0, 2, 1, 2000, 300, 0},
        {PROMO_BUY_GET, 0, 0, 2, 1, 3500, 300, 300}, /* 3.5 units: 3 whole */
        {PROMO_BUY_GET, 0, 0, 1, 1, 4000, 250, 500},
        /* 3 for 10.00 at 4.00 each: 7 units -> 2 bundles x 2.00 */
        {PROMO_BUNDLE, 0, 1000, 3, 0, 7000, 400, 400},
        {PROMO_BUNDLE, 0, 1300, 3, 0, 7000, 400, 0}, /* the bundle is dearer */
        {PROMO_BUNDLE, 0, 0, 2, 0, 2000, 400, 800},  /* free bundle */
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct promo_case *c = &cases[i];
        struct promo p;
        int64_t off = -1, gross = (c->qty * c->unit_price + 500) / 1000;

        promo_init(&p);
        p.kind = c->kind;
        p.percent_bps = c->bps;
        p.amount = c->amount;
        p.buy_n = c->buy_n;
        p.get_m = c->get_m;
        p.item_id = 1;
        assert_int_equal(promo_discount(&p, c->qty, c->unit_price, gross, &off), POS_OK);
        if (off != c->want)
            fail_msg("case %zu: got %lld want %lld", i, (long long)off, (long long)c->want);
    }
}

static void test_discount_bad(void **state)
{
    struct promo p;
    int64_t off;

    (void)state;
    promo_init(&p);
    p.kind = PROMO_AMOUNT;
    p.amount = INT64_MAX / 2;
    assert_int_equal(promo_discount(&p, 1000000, 1, 1000, &off), POS_ERR_OVERFLOW);
    p.kind = PROMO_BUY_GET;
    p.buy_n = 0;
    assert_int_equal(promo_discount(&p, 1000, 1, 1, &off), POS_ERR_INVAL);
    p.kind = PROMO_BUNDLE;
    p.buy_n = 2;
    p.amount = 0;
    assert_int_equal(promo_discount(&p, INT64_C(100000000), INT64_MAX / 2, 1, &off),
                     POS_ERR_OVERFLOW);
    p.kind = (enum promo_kind)9;
    assert_int_equal(promo_discount(&p, 1000, 1, 1, &off), POS_ERR_INVAL);
    assert_int_equal(promo_discount(&p, -1, 1, 1, &off), POS_ERR_INVAL);
}

static void test_validate_and_applies(void **state)
{
    struct pos_errdetail d;
    struct promo p;
    enum promo_kind k;

    (void)state;
    promo_init(&p);
    pos_errdetail_init(&d);
    assert_int_equal(promo_validate(&p, &d), POS_ERR_INVAL); /* no name */
    snprintf(p.name, sizeof(p.name), "Spring");
    assert_int_equal(promo_validate(&p, &d), POS_ERR_INVAL); /* no target */
    snprintf(p.category, sizeof(p.category), "tea");
    assert_int_equal(promo_validate(&p, &d), POS_ERR_RANGE); /* percent 0 */
    p.percent_bps = 10001;
    assert_int_equal(promo_validate(&p, &d), POS_ERR_RANGE);
    p.percent_bps = 1500;
    assert_int_equal(promo_validate(&p, &d), POS_OK);
    snprintf(p.sku, sizeof(p.sku), "A1");
    assert_int_equal(promo_validate(&p, &d), POS_ERR_INVAL); /* two targets */
    p.sku[0] = '\0';
    p.kind = PROMO_AMOUNT;
    assert_int_equal(promo_validate(&p, &d), POS_ERR_RANGE);
    p.kind = PROMO_BUY_GET;
    p.buy_n = 2;
    assert_int_equal(promo_validate(&p, &d), POS_ERR_RANGE);
    p.get_m = 1;
    assert_int_equal(promo_validate(&p, &d), POS_OK);
    p.kind = PROMO_BUNDLE;
    p.buy_n = 1;
    assert_int_equal(promo_validate(&p, &d), POS_ERR_RANGE);
    p.buy_n = 3;
    assert_int_equal(promo_validate(&p, &d), POS_OK);
    p.name[0] = '\t';
    assert_int_equal(promo_validate(&p, &d), POS_ERR_INVAL);
    p.name[0] = 'S';
    p.kind = (enum promo_kind)7;
    assert_int_equal(promo_validate(&p, &d), POS_ERR_INVAL);

    assert_true(promo_applies(&p, 5, "tea"));
    assert_false(promo_applies(&p, 5, "teas"));
    p.active = false;
    assert_false(promo_applies(&p, 5, "tea"));
    p.active = true;
    p.item_id = 5;
    p.category[0] = '\0';
    assert_true(promo_applies(&p, 5, "x"));
    assert_false(promo_applies(&p, 6, "x"));

    assert_string_equal(promo_kind_name(PROMO_BUY_GET), "buy_get");
    assert_string_equal(promo_kind_name((enum promo_kind)9), "?");
    assert_int_equal(promo_kind_parse("bundle", &k), POS_OK);
    assert_int_equal(k, PROMO_BUNDLE);
    assert_int_equal(promo_kind_parse("bogus", &k), POS_ERR_INVAL);
}

static int count_fn(void *arg, const struct promo *p)
{
    (void)p;
    (*(int *)arg)++;
    return 0;
}

static void test_table(void **state)
{
    struct store *db;
    struct catalog_item it;
    struct promo p, got[4];
    int64_t id1, id2;
    size_t n;
    int count = 0;

    (void)state;
    assert_int_equal(tstore_open("sqlite::memory:", &db, NULL), POS_OK);
    catalog_item_init(&it);
    snprintf(it.sku, sizeof(it.sku), "A1");
    snprintf(it.name, sizeof(it.name), "Apple");
    it.price = 300;
    assert_int_equal(catalog_add(db, &it, NULL, NULL), POS_OK);

    promo_init(&p);
    snprintf(p.name, sizeof(p.name), "3 for 2");
    p.kind = PROMO_BUY_GET;
    p.buy_n = 2;
    p.get_m = 1;
    snprintf(p.sku, sizeof(p.sku), "A1");
    assert_int_equal(promo_add(db, &p, &id1, NULL), POS_OK);
    snprintf(p.sku, sizeof(p.sku), "NOPE");
    assert_int_equal(promo_add(db, &p, NULL, NULL), POS_ERR_NOT_FOUND);
    promo_init(&p);
    snprintf(p.name, sizeof(p.name), "Tea week");
    snprintf(p.category, sizeof(p.category), "tea");
    p.percent_bps = 2000;
    assert_int_equal(promo_add(db, &p, &id2, NULL), POS_OK);

    assert_int_equal(promo_load_active(db, got, 4, &n), POS_OK);
    assert_int_equal(n, 2);
    assert_string_equal(got[0].sku, "A1");
    assert_int_equal(got[0].kind, PROMO_BUY_GET);
    assert_int_equal(got[0].buy_n, 2);
    assert_int_equal(got[1].percent_bps, 2000);
    assert_string_equal(got[1].category, "tea");
    assert_int_equal(promo_load_active(db, got, 1, &n), POS_ERR_NOSPACE);

    assert_int_equal(promo_disable(db, id1), POS_OK);
    assert_int_equal(promo_disable(db, 999), POS_ERR_NOT_FOUND);
    assert_int_equal(promo_list(db, false, count_fn, &count), POS_OK);
    assert_int_equal(count, 1);
    count = 0;
    assert_int_equal(promo_list(db, true, count_fn, &count), POS_OK);
    assert_int_equal(count, 2);
    tstore_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_discount_table),
        cmocka_unit_test(test_discount_bad),
        cmocka_unit_test(test_validate_and_applies),
        cmocka_unit_test(test_table),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
