/* Tests for src/host/ledger.c and src/host/schema.c on a real SQLite database. */
#include "testutil.h"

#include <stdint.h>
#include <string.h>

#include "error.h"
#include "host/ledger.h"
#include "host/schema.h"
#include "store/migrate.h"
#include "store/store.h"

#define CNY 156
#define USD 840

struct fx {
    struct store *s;
    int64_t funding, card, merchant, fee, usd;
};

static int64_t new_txn(struct store *s, const char *kind, int64_t amount, uint16_t currency,
                       int64_t original)
{
    struct store_stmt *st;
    int64_t id;

    assert_int_equal(store_prepare(s,
                                   "INSERT INTO txns (mti, kind, amount, currency, rc,"
                                   " original_id, created_at) VALUES ('0200', ?, ?, ?, '00', ?,"
                                   " 1) RETURNING id",
                                   &st),
                     POS_OK);
    store_bind_text(st, 1, kind, strlen(kind));
    store_bind_int64(st, 2, amount);
    store_bind_int64(st, 3, currency);
    if (original > 0)
        store_bind_int64(st, 4, original);
    else
        store_bind_null(st, 4);
    assert_int_equal(store_step(st), STORE_ROW);
    id = store_column_int64(st, 0);
    store_reset(st);
    return id;
}

static int setup(void **state)
{
    static struct fx f;
    const struct store_migration *m;
    size_t n;
    int64_t v = 0;

    memset(&f, 0, sizeof(f));
    assert_int_equal(store_open("sqlite::memory:", NULL, &f.s, NULL), POS_OK);
    m = schema_migrations(&n);
    assert_int_equal(store_migrate(f.s, m, n, &v, NULL), POS_OK);
    assert_int_equal(v, 3);
    assert_int_equal(store_begin(f.s), POS_OK);
    assert_int_equal(ledger_account_open(f.s, "funding", "issuer funding", CNY, 0, 1, &f.funding),
                     POS_OK);
    assert_int_equal(ledger_account_open(f.s, "debit", "card 1", CNY, 0, 1, &f.card), POS_OK);
    assert_int_equal(ledger_account_open(f.s, "merchant", "shop", CNY, 0, 1, &f.merchant), POS_OK);
    assert_int_equal(ledger_account_open(f.s, "fee", "fees", CNY, 0, 1, &f.fee), POS_OK);
    assert_int_equal(ledger_account_open(f.s, "debit", "usd card", USD, 0, 1, &f.usd), POS_OK);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    store_close(f->s);
    return 0;
}

static void assert_sound(struct store *s)
{
    struct ledger_check_report r;

    assert_int_equal(ledger_check(s, &r), POS_OK);
    if (!ledger_check_is_sound(&r))
        fail_msg("books not sound: %s", r.first);
}

static void test_topup_purchase_balances(void **state)
{
    struct fx *f = *state;
    struct ledger_account a;
    struct ledger_posting p[3];
    int64_t t, avail;

    assert_int_equal(ledger_transfer(f->s, "topup", f->funding, f->card, 100000, CNY, "demo", 2,
                                     &t),
                     POS_OK);
    t = new_txn(f->s, "purchase", 2500, CNY, 0);
    p[0] = (struct ledger_posting){f->card, -2500};
    p[1] = (struct ledger_posting){f->merchant, 2500};
    assert_int_equal(ledger_post(f->s, t, p, 2), POS_OK);
    assert_int_equal(ledger_account_get(f->s, f->card, &a), POS_OK);
    assert_int_equal(a.balance, 97500);
    assert_string_equal(a.kind, "debit");
    assert_int_equal(a.currency, CNY);
    assert_int_equal(ledger_available(&a, &avail), POS_OK);
    assert_int_equal(avail, 97500);
    assert_int_equal(ledger_account_get(f->s, f->merchant, &a), POS_OK);
    assert_int_equal(a.balance, 2500);

    /* three-way: merchant pays the fee out of a settlement */
    t = new_txn(f->s, "fee", 15, CNY, 0);
    p[0] = (struct ledger_posting){f->merchant, -15};
    p[1] = (struct ledger_posting){f->fee, 10};
    p[2] = (struct ledger_posting){f->fee, 5}; /* same account twice folds */
    assert_int_equal(ledger_post(f->s, t, p, 3), POS_OK);
    assert_int_equal(ledger_account_get(f->s, f->fee, &a), POS_OK);
    assert_int_equal(a.balance, 15);
    assert_sound(f->s);
}

static void test_post_refusals_change_nothing(void **state)
{
    struct fx *f = *state;
    struct ledger_posting p[2];
    struct ledger_account a;
    struct ledger_check_report r;
    int64_t t;

    t = new_txn(f->s, "purchase", 100, CNY, 0);
    p[0] = (struct ledger_posting){f->card, -100};
    p[1] = (struct ledger_posting){f->merchant, 99};
    assert_int_equal(ledger_post(f->s, t, p, 2), POS_ERR_RANGE);
    p[1] = (struct ledger_posting){f->usd, 100};
    assert_int_equal(ledger_post(f->s, t, p, 2), POS_ERR_CURRENCY_MISMATCH);
    p[1] = (struct ledger_posting){999999, 100};
    assert_int_equal(ledger_post(f->s, t, p, 2), POS_ERR_NOT_FOUND);
    p[1] = (struct ledger_posting){f->merchant, 0};
    assert_int_equal(ledger_post(f->s, t, p, 2), POS_ERR_INVAL);
    p[1] = (struct ledger_posting){f->merchant, 100};
    assert_int_equal(ledger_post(f->s, t, p, 1), POS_ERR_INVAL);
    assert_int_equal(ledger_post(f->s, 424242, p, 2), POS_ERR_INVAL); /* unknown txn */
    p[0] = (struct ledger_posting){f->card, INT64_MIN};
    p[1] = (struct ledger_posting){f->merchant, -1};
    assert_int_equal(ledger_post(f->s, t, p, 2), POS_ERR_OVERFLOW);
    assert_int_equal(ledger_transfer(f->s, "topup", f->card, f->card, 5, CNY, NULL, 1, NULL),
                     POS_ERR_INVAL);
    assert_int_equal(ledger_transfer(f->s, "topup", f->funding, f->card, 0, CNY, NULL, 1, NULL),
                     POS_ERR_INVAL);
    /* nothing was posted */
    assert_int_equal(ledger_check(f->s, &r), POS_OK);
    assert_int_equal(r.postings, 0);
    assert_int_equal(ledger_account_get(f->s, f->card, &a), POS_OK);
    assert_int_equal(a.balance, 0);
    assert_int_equal(ledger_account_get(f->s, 31337, &a), POS_ERR_NOT_FOUND);
    assert_sound(f->s);
}

/* ledger_post_known: an account the caller has just read stands for reading
 * it again; the same refusals, nothing changed by one. */
static void test_post_known(void **state)
{
    struct fx *f = *state;
    struct ledger_posting p[2];
    struct ledger_account card, usd, a;
    int64_t t;

    assert_int_equal(ledger_transfer(f->s, "topup", f->funding, f->card, 1000, CNY, NULL, 2, NULL),
                     POS_OK);
    assert_int_equal(ledger_account_get(f->s, f->card, &card), POS_OK);
    t = new_txn(f->s, "purchase", 300, CNY, 0);
    p[0] = (struct ledger_posting){f->card, -300};
    p[1] = (struct ledger_posting){f->merchant, 300};
    assert_int_equal(ledger_post_known(f->s, t, CNY, p, 2, NULL, 1), POS_ERR_INVAL);
    assert_int_equal(ledger_post_known(f->s, t, USD, p, 2, &card, 1), POS_ERR_CURRENCY_MISMATCH);
    assert_int_equal(ledger_account_get(f->s, f->usd, &usd), POS_OK);
    p[1] = (struct ledger_posting){f->usd, 300};
    assert_int_equal(ledger_post_known(f->s, t, CNY, p, 2, &usd, 1), POS_ERR_CURRENCY_MISMATCH);
    p[1] = (struct ledger_posting){f->merchant, 299};
    assert_int_equal(ledger_post_known(f->s, t, CNY, p, 2, &card, 1), POS_ERR_RANGE);
    assert_int_equal(ledger_account_get(f->s, f->card, &a), POS_OK);
    assert_int_equal(a.balance, 1000);
    /* the known row is the one the new balance is counted from */
    p[1] = (struct ledger_posting){f->merchant, 300};
    assert_int_equal(ledger_post_known(f->s, t, CNY, p, 2, &card, 1), POS_OK);
    assert_int_equal(ledger_account_get(f->s, f->card, &a), POS_OK);
    assert_int_equal(a.balance, 700);
    assert_int_equal(ledger_account_get(f->s, f->merchant, &a), POS_OK);
    assert_int_equal(a.balance, 300);
    /* both accounts known; and one account on both sides (folded) */
    assert_int_equal(ledger_account_get(f->s, f->card, &card), POS_OK);
    assert_int_equal(ledger_account_get(f->s, f->merchant, &a), POS_OK);
    {
        struct ledger_account both[2] = {card, a};
        t = new_txn(f->s, "refund", 100, CNY, 0);
        p[0] = (struct ledger_posting){f->merchant, -100};
        p[1] = (struct ledger_posting){f->card, 100};
        assert_int_equal(ledger_post_known(f->s, t, CNY, p, 2, both, 2), POS_OK);
    }
    t = new_txn(f->s, "adjust", 50, CNY, 0);
    p[0] = (struct ledger_posting){f->card, -50};
    p[1] = (struct ledger_posting){f->card, 50};
    assert_int_equal(ledger_post_known(f->s, t, CNY, p, 2, NULL, 0), POS_OK);
    assert_int_equal(ledger_account_get(f->s, f->card, &a), POS_OK);
    assert_int_equal(a.balance, 800);
    assert_int_equal(ledger_account_get(f->s, f->merchant, &a), POS_OK);
    assert_int_equal(a.balance, 200);
    assert_sound(f->s);
}

static void test_balance_overflow_refused(void **state)
{
    struct fx *f = *state;
    struct ledger_posting p[2];
    int64_t t;

    assert_int_equal(ledger_transfer(f->s, "topup", f->funding, f->card, INT64_MAX, CNY, NULL, 1,
                                     NULL),
                     POS_OK);
    t = new_txn(f->s, "topup", 1, CNY, 0);
    p[0] = (struct ledger_posting){f->funding, -1};
    p[1] = (struct ledger_posting){f->card, 1};
    assert_int_equal(ledger_post(f->s, t, p, 2), POS_ERR_OVERFLOW);
    assert_sound(f->s);
}

static void test_accounts_and_available(void **state)
{
    struct fx *f = *state;
    struct ledger_account a;
    int64_t id, avail, h;

    assert_int_equal(ledger_account_open(f->s, "credit", "credit card", CNY, 500000, 1, &id),
                     POS_OK);
    assert_int_equal(ledger_account_open(f->s, "debit", "x", CNY, 5, 1, &id), POS_ERR_INVAL);
    assert_int_equal(ledger_account_open(f->s, "savings", "x", CNY, 0, 1, &id), POS_ERR_INVAL);
    assert_int_equal(ledger_account_open(f->s, "debit", "x", 0, 0, 1, &id), POS_ERR_INVAL);
    assert_int_equal(ledger_account_open(f->s, "debit", "x", 1000, 0, 1, &id), POS_ERR_INVAL);
    assert_int_equal(ledger_account_open(f->s, "credit", "x", CNY, -1, 1, &id), POS_ERR_INVAL);
    assert_false(ledger_kind_is_valid(NULL));

    /* credit: available = balance + limit - held */
    assert_int_equal(ledger_account_open(f->s, "credit", "c2", CNY, 1000, 1, &id), POS_OK);
    assert_int_equal(ledger_hold_place(f->s, id, new_txn(f->s, "preauth", 300, CNY, 0), 300, 1,
                                       &h),
                     POS_OK);
    assert_int_equal(ledger_account_get(f->s, id, &a), POS_OK);
    assert_int_equal(a.held, 300);
    assert_int_equal(ledger_available(&a, &avail), POS_OK);
    assert_int_equal(avail, 700);
    a.balance = INT64_MAX;
    assert_int_equal(ledger_available(&a, &avail), POS_ERR_OVERFLOW);
    assert_sound(f->s);
}

static void test_holds(void **state)
{
    struct fx *f = *state;
    struct ledger_account a;
    int64_t h, amt = 0, t;

    t = new_txn(f->s, "preauth", 700, CNY, 0);
    assert_int_equal(ledger_hold_place(f->s, f->card, t, 700, 1, &h), POS_OK);
    assert_int_equal(ledger_hold_place(f->s, f->card, t, 0, 1, NULL), POS_ERR_INVAL);
    assert_int_equal(ledger_hold_place(f->s, 9999, t, 10, 1, NULL), POS_ERR_NOT_FOUND);
    assert_sound(f->s);
    assert_int_equal(ledger_hold_release(f->s, h, "bogus", NULL), POS_ERR_INVAL);
    assert_int_equal(ledger_hold_release(f->s, h, "cancelled", &amt), POS_OK);
    assert_int_equal(amt, 700);
    /* released once only */
    assert_int_equal(ledger_hold_release(f->s, h, "completed", &amt), POS_ERR_NOT_FOUND);
    assert_int_equal(ledger_account_get(f->s, f->card, &a), POS_OK);
    assert_int_equal(a.held, 0);
    assert_sound(f->s);
}

/* ledger_check finds each kind of damage: each test corrupts one thing. */
static void test_check_finds_damage(void **state)
{
    struct fx *f = *state;
    struct ledger_check_report r;
    struct ledger_posting p[2];
    int64_t t, rev1, rev2;

    assert_int_equal(ledger_transfer(f->s, "topup", f->funding, f->card, 1000, CNY, NULL, 1, &t),
                     POS_OK);
    assert_sound(f->s);

    /* a cached balance edited behind the ledger's back */
    assert_int_equal(store_exec(f->s, "UPDATE accounts SET balance = balance + 1 WHERE kind ="
                                      " 'debit' AND currency = 156"),
                     POS_OK);
    assert_int_equal(ledger_check(f->s, &r), POS_OK);
    assert_false(ledger_check_is_sound(&r));
    assert_int_equal(r.balance_mismatches, 1);
    assert_non_null(strstr(r.first, "cached balance"));
    assert_int_equal(store_exec(f->s, "UPDATE accounts SET balance = balance - 1 WHERE kind ="
                                      " 'debit' AND currency = 156"),
                     POS_OK);
    assert_sound(f->s);

    /* a posting deleted: the transaction no longer sums to zero */
    assert_int_equal(store_savepoint(f->s, "damage"), POS_OK);
    assert_int_equal(store_exec(f->s, "DELETE FROM postings WHERE amount < 0"), POS_OK);
    assert_int_equal(ledger_check(f->s, &r), POS_OK);
    assert_int_equal(r.unbalanced_txns, 1);
    assert_int_equal(r.total, 1000);
    assert_int_equal(store_rollback_to(f->s, "damage"), POS_OK);
    assert_int_equal(store_release(f->s, "damage"), POS_OK);
    assert_sound(f->s);

    /* a held cache out of step */
    assert_int_equal(store_exec(f->s, "UPDATE accounts SET held = 5 WHERE kind = 'fee'"), POS_OK);
    assert_int_equal(ledger_check(f->s, &r), POS_OK);
    assert_int_equal(r.held_mismatches, 1);
    assert_int_equal(store_exec(f->s, "UPDATE accounts SET held = 0 WHERE kind = 'fee'"), POS_OK);

    /* a reversal that moves money without an original */
    rev1 = new_txn(f->s, "reversal", 10, CNY, 0);
    p[0] = (struct ledger_posting){f->card, 10};
    p[1] = (struct ledger_posting){f->funding, -10};
    assert_int_equal(ledger_post(f->s, rev1, p, 2), POS_OK);
    assert_int_equal(ledger_check(f->s, &r), POS_OK);
    assert_int_equal(r.orphan_reversals, 1);
    assert_int_equal(r.double_reversals, 0);
    assert_int_equal(store_exec(f->s, "DELETE FROM postings WHERE txn_id IN (SELECT id FROM txns"
                                      " WHERE kind = 'reversal')"),
                     POS_OK);
    assert_int_equal(store_exec(f->s, "UPDATE accounts SET balance = (SELECT COALESCE(SUM(amount),"
                                      " 0) FROM postings WHERE account_id = accounts.id)"),
                     POS_OK);
    assert_sound(f->s); /* an acknowledged reversal of an unknown original moves nothing: sound */

    /* the same original undone twice */
    rev1 = new_txn(f->s, "reversal", 10, CNY, t);
    rev2 = new_txn(f->s, "void", 10, CNY, t);
    p[0] = (struct ledger_posting){f->card, -10};
    p[1] = (struct ledger_posting){f->funding, 10};
    assert_int_equal(ledger_post(f->s, rev1, p, 2), POS_OK);
    assert_sound(f->s);
    assert_int_equal(ledger_post(f->s, rev2, p, 2), POS_OK);
    assert_int_equal(ledger_check(f->s, &r), POS_OK);
    assert_int_equal(r.double_reversals, 1);
    assert_false(ledger_check_is_sound(&r));
}

static void test_schema_idempotent(void **state)
{
    struct fx *f = *state;
    const struct store_migration *m;
    size_t n;
    int64_t v = 0;

    assert_int_equal(store_commit(f->s), POS_OK);
    m = schema_migrations(&n);
    assert_int_equal(store_migrate(f->s, m, n, &v, NULL), POS_OK);
    assert_int_equal(v, (int64_t)m[n - 1].version);
    assert_int_equal(store_begin(f->s), POS_OK);
}

/* Version 3 drops the postings' index by account; the check's grouped sum
 * still finds a cached balance off, on an account with postings and on one
 * with none. */
static void test_check_without_account_index(void **state)
{
    struct fx *f = *state;
    struct ledger_check_report r;
    struct store_stmt *st;

    assert_int_equal(store_prepare(f->s,
                                   "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index'"
                                   " AND name = 'postings_account'",
                                   &st),
                     POS_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_int_equal(store_column_int64(st, 0), 0);
    assert_int_equal(store_reset(st), POS_OK);
    assert_int_equal(ledger_transfer(f->s, "topup", f->funding, f->card, 700, CNY, NULL, 2, NULL),
                     POS_OK);
    assert_sound(f->s);
    assert_int_equal(store_exec(f->s, "UPDATE accounts SET balance = 5 WHERE name = 'fees'"),
                     POS_OK);
    assert_int_equal(ledger_check(f->s, &r), POS_OK);
    assert_int_equal(r.balance_mismatches, 1);
    assert_int_equal(store_exec(f->s, "UPDATE accounts SET balance = 0 WHERE name = 'fees'"),
                     POS_OK);
    assert_int_equal(store_exec(f->s, "UPDATE accounts SET balance = 699 WHERE name = 'card 1'"),
                     POS_OK);
    assert_int_equal(ledger_check(f->s, &r), POS_OK);
    assert_int_equal(r.balance_mismatches, 1);
    assert_int_equal(store_exec(f->s, "UPDATE accounts SET balance = 700 WHERE name = 'card 1'"),
                     POS_OK);
    assert_sound(f->s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_topup_purchase_balances, setup, teardown),
        cmocka_unit_test_setup_teardown(test_post_refusals_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_post_known, setup, teardown),
        cmocka_unit_test_setup_teardown(test_balance_overflow_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accounts_and_available, setup, teardown),
        cmocka_unit_test_setup_teardown(test_holds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_finds_damage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_without_account_index, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
