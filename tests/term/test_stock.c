/* Tests of src/term/stock.c. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "term/catalog.h"
#include "term/stock.h"
#include "term/tstore.h"

static struct store *db;
static int64_t item_a, item_b;

static int setup(void **state)
{
    struct catalog_item it;

    (void)state;
    assert_int_equal(tstore_open("sqlite::memory:", &db, NULL), POS_OK);
    catalog_item_init(&it);
    snprintf(it.sku, sizeof(it.sku), "A");
    snprintf(it.name, sizeof(it.name), "Apple");
    it.reorder_level = 5000;
    assert_int_equal(catalog_add(db, &it, &item_a, NULL), POS_OK);
    snprintf(it.sku, sizeof(it.sku), "B");
    snprintf(it.name, sizeof(it.name), "Beef");
    snprintf(it.unit, sizeof(it.unit), "kg");
    it.reorder_level = 0;
    assert_int_equal(catalog_add(db, &it, &item_b, NULL), POS_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tstore_close(db);
    db = NULL;
    return 0;
}

static int apply(enum stock_kind k, int64_t item, int64_t qty, const char *reason,
                 struct stock_result *res, struct pos_errdetail *d)
{
    struct stock_req q = {k, item, qty, reason, "REF-1", 0};

    return stock_apply(db, &q, res, d);
}

static void assert_sound(void)
{
    struct stock_check_report r;

    assert_int_equal(stock_check(db, &r), POS_OK);
    assert_int_equal(r.mismatches, 0);
    assert_int_equal(r.chain_breaks, 0);
}

static void test_kinds(void **state)
{
    struct stock_result res;
    enum stock_kind k;
    int64_t q;

    (void)state;
    assert_int_equal(apply(STOCK_RECEIVE, item_a, 10000, NULL, &res, NULL), POS_OK);
    assert_int_equal(res.delta, 10000);
    assert_int_equal(res.qty_after, 10000);
    assert_int_equal(apply(STOCK_SALE, item_a, 3000, NULL, &res, NULL), POS_OK);
    assert_int_equal(res.delta, -3000);
    assert_int_equal(apply(STOCK_RETURN, item_a, 1000, NULL, &res, NULL), POS_OK);
    assert_int_equal(apply(STOCK_ADJUST, item_a, -500, "broken", &res, NULL), POS_OK);
    assert_int_equal(res.qty_after, 7500);
    assert_int_equal(apply(STOCK_COUNT, item_a, 7000, NULL, &res, NULL), POS_OK);
    assert_int_equal(res.delta, -500);
    assert_int_equal(apply(STOCK_COUNT, item_a, 7000, NULL, &res, NULL), POS_OK);
    assert_int_equal(res.delta, 0);
    assert_int_equal(stock_qty(db, item_a, &q), POS_OK);
    assert_int_equal(q, 7000);
    assert_int_equal(stock_qty(db, 999, &q), POS_ERR_NOT_FOUND);
    assert_sound();

    assert_string_equal(stock_kind_name(STOCK_RETURN), "return");
    assert_string_equal(stock_kind_name((enum stock_kind)9), "?");
    assert_int_equal(stock_kind_parse("count", &k), POS_OK);
    assert_int_equal(k, STOCK_COUNT);
    assert_int_equal(stock_kind_parse("steal", &k), POS_ERR_INVAL);
    assert_int_equal(stock_kind_parse(NULL, &k), POS_ERR_INVAL);
}

static void test_refusals_change_nothing(void **state)
{
    struct pos_errdetail d;
    struct stock_result res;
    char big[STOCK_TEXT_MAX + 2];
    int64_t q;

    (void)state;
    assert_int_equal(apply(STOCK_RECEIVE, item_a, 2000, NULL, &res, NULL), POS_OK);
#define REFUSED(call, code, frag)                                                                  \
    do {                                                                                           \
        pos_errdetail_init(&d);                                                                    \
        assert_int_equal(call, code);                                                              \
        assert_non_null(strstr(d.what, frag));                                                     \
    } while (0)
    REFUSED(apply(STOCK_SALE, item_a, 3000, NULL, &res, &d), POS_ERR_STOCK, "only 2 in stock");
    REFUSED(apply(STOCK_ADJUST, item_a, -3000, "x", &res, &d), POS_ERR_STOCK, "only 2");
    REFUSED(apply(STOCK_RECEIVE, item_a, 0, NULL, &res, &d), POS_ERR_INVAL, "greater than zero");
    REFUSED(apply(STOCK_SALE, item_a, -1, NULL, &res, &d), POS_ERR_INVAL, "greater than zero");
    REFUSED(apply(STOCK_RETURN, item_a, 0, NULL, &res, &d), POS_ERR_INVAL, "greater than zero");
    REFUSED(apply(STOCK_ADJUST, item_a, 0, "x", &res, &d), POS_ERR_INVAL, "not be zero");
    REFUSED(apply(STOCK_ADJUST, item_a, 5, NULL, &res, &d), POS_ERR_INVAL, "needs a reason");
    REFUSED(apply(STOCK_ADJUST, item_a, 5, "", &res, &d), POS_ERR_INVAL, "needs a reason");
    REFUSED(apply(STOCK_COUNT, item_a, -1, NULL, &res, &d), POS_ERR_INVAL, "negative");
    REFUSED(apply(STOCK_RECEIVE, item_a, CATALOG_QTY_MAX + 1, NULL, &res, &d), POS_ERR_RANGE,
            "out of range");
    REFUSED(apply(STOCK_RECEIVE, item_a, CATALOG_QTY_MAX, NULL, &res, &d), POS_ERR_RANGE,
            "resulting");
    REFUSED(apply(STOCK_RECEIVE, 999, 1, NULL, &res, &d), POS_ERR_NOT_FOUND, "no such item");
    REFUSED(apply((enum stock_kind)7, item_a, 1, NULL, &res, &d), POS_ERR_INVAL, "kind");
    memset(big, 'r', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    REFUSED(apply(STOCK_ADJUST, item_a, 1, big, &res, &d), POS_ERR_INVAL, "at most");
#undef REFUSED
    assert_int_equal(stock_qty(db, item_a, &q), POS_OK);
    assert_int_equal(q, 2000);
    assert_sound();

    /* the setting allows a sale below zero, never an adjustment */
    assert_int_equal(tstore_setting_set(db, "stock.allow_negative", "true"), POS_OK);
    assert_int_equal(apply(STOCK_SALE, item_a, 3000, NULL, &res, NULL), POS_OK);
    assert_int_equal(res.qty_after, -1000);
    assert_int_equal(apply(STOCK_ADJUST, item_a, -1, "x", &res, NULL), POS_ERR_STOCK);
    assert_int_equal(apply(STOCK_COUNT, item_a, 0, NULL, &res, NULL), POS_OK);
    assert_int_equal(res.delta, 1000);
    assert_int_equal(tstore_setting_set(db, "stock.allow_negative", "perhaps"), POS_OK);
    assert_int_equal(apply(STOCK_SALE, item_a, 1, NULL, &res, NULL), POS_ERR_SYNTAX);
    assert_sound();
}

static void test_inside_caller_transaction(void **state)
{
    struct stock_req sale = {STOCK_SALE, 0, 1000, NULL, "sale 1", 0};
    struct stock_result res;
    int64_t q;

    (void)state;
    sale.item_id = item_b;
    assert_int_equal(stock_move(db, &sale, &res, NULL), POS_ERR_STATE); /* no transaction */
    assert_int_equal(store_begin(db), POS_OK);
    assert_int_equal(stock_apply(db, &sale, &res, NULL), POS_ERR_STATE);
    {
        struct stock_req rcv = {STOCK_RECEIVE, item_b, 1500, NULL, NULL, 0};
        assert_int_equal(stock_move(db, &rcv, &res, NULL), POS_OK);
    }
    assert_int_equal(stock_move(db, &sale, &res, NULL), POS_OK);
    sale.qty = 5000; /* refused, the caller's earlier moves stay */
    assert_int_equal(stock_move(db, &sale, &res, NULL), POS_ERR_STOCK);
    assert_true(store_is_in_transaction(db));
    assert_int_equal(stock_qty(db, item_b, &q), POS_OK);
    assert_int_equal(q, 500);
    /* the caller rolls its sale back: every move goes with it */
    assert_int_equal(store_rollback(db), POS_OK);
    assert_int_equal(stock_qty(db, item_b, &q), POS_OK);
    assert_int_equal(q, 0);
    assert_sound();
}

struct hist {
    int n;
    enum stock_kind kinds[8];
    char ref[STOCK_TEXT_MAX + 1];
};

static int hist_fn(void *arg, const struct stock_movement *m)
{
    struct hist *h = arg;

    if (h->n < 8)
        h->kinds[h->n] = m->kind;
    if (h->n == 0)
        snprintf(h->ref, sizeof(h->ref), "%s", m->ref);
    h->n++;
    return h->n == 99 ? POS_ERR_BUSY : POS_OK;
}

struct low {
    int n;
    char sku[8];
};

static int low_fn(void *arg, const struct stock_low_item *it)
{
    struct low *l = arg;

    snprintf(l->sku, sizeof(l->sku), "%s", it->sku);
    l->n++;
    return POS_OK;
}

static void test_history_and_low(void **state)
{
    struct stock_result res;
    struct hist h;
    struct low l;

    (void)state;
    memset(&l, 0, sizeof(l));
    assert_int_equal(stock_low(db, low_fn, &l), POS_OK);
    assert_int_equal(l.n, 1); /* A at 0 <= 5; B has no reorder level */
    assert_string_equal(l.sku, "A");
    assert_int_equal(apply(STOCK_RECEIVE, item_a, 5000, NULL, &res, NULL), POS_OK);
    memset(&l, 0, sizeof(l));
    assert_int_equal(stock_low(db, low_fn, &l), POS_OK);
    assert_int_equal(l.n, 1); /* at the level counts */
    assert_int_equal(apply(STOCK_RECEIVE, item_a, 1, NULL, &res, NULL), POS_OK);
    memset(&l, 0, sizeof(l));
    assert_int_equal(stock_low(db, low_fn, &l), POS_OK);
    assert_int_equal(l.n, 0);
    assert_int_equal(apply(STOCK_SALE, item_a, 2, NULL, &res, NULL), POS_OK);

    memset(&h, 0, sizeof(h));
    assert_int_equal(stock_history(db, item_a, 0, hist_fn, &h), POS_OK);
    assert_int_equal(h.n, 3);
    assert_int_equal(h.kinds[0], STOCK_SALE); /* newest first */
    assert_string_equal(h.ref, "REF-1");
    memset(&h, 0, sizeof(h));
    assert_int_equal(stock_history(db, item_a, 2, hist_fn, &h), POS_OK);
    assert_int_equal(h.n, 2);
}

static void test_check_detects_tampering(void **state)
{
    struct stock_check_report r;
    struct stock_result res;

    (void)state;
    assert_int_equal(apply(STOCK_RECEIVE, item_a, 4000, NULL, &res, NULL), POS_OK);
    assert_int_equal(apply(STOCK_RECEIVE, item_b, 1000, NULL, &res, NULL), POS_OK);
    assert_sound();
    assert_int_equal(store_exec(db, "UPDATE items SET qty = qty + 1 WHERE sku = 'B'"), POS_OK);
    assert_int_equal(stock_check(db, &r), POS_OK);
    assert_int_equal(r.mismatches, 1);
    assert_int_equal(r.first_item, item_b);
    assert_int_equal(r.items, 2);
    assert_int_equal(r.moves, 2);
    /* a movement rewritten (and the cache along with it) breaks the chain */
    assert_int_equal(store_exec(db, "UPDATE items SET qty = qty - 1 WHERE sku = 'B'"), POS_OK);
    assert_int_equal(store_exec(db, "UPDATE stock_moves SET qty = 900 WHERE item_id = 2;"
                                    "UPDATE items SET qty = 900 WHERE sku = 'B'"),
                     POS_OK);
    assert_int_equal(stock_check(db, &r), POS_OK);
    assert_int_equal(r.mismatches, 0);
    assert_int_equal(r.chain_breaks, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inside_caller_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history_and_low, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_detects_tampering, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
