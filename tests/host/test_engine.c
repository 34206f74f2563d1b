/* Tests for src/host/engine.c: every answer it gives, on a real SQLite
 * database with the host schema; the books are proved after each test. */
#include "fixture.h"

static void test_purchase_and_exactly_once(void **state)
{
    struct engine_request rq;
    struct engine_response rs, again;
    char rrn[13];

    (void)state;
    rq_init(&rq, ENGINE_PURCHASE, 2500);
    run(&rq, &rs, "00");
    assert_string_equal(rs.auth_code, "A1B2C3");
    snprintf(rrn, sizeof(rrn), "%012lld", (long long)rs.txn_id);
    assert_string_equal(rs.rrn, rrn);
    assert_false(rs.duplicate);
    assert_int_equal(balance(F.acct), 97500);
    assert_int_equal(balance(F.merchant_acct), 2500);

    /* the same request again: the first answer, no money */
    run(&rq, &again, "00");
    assert_true(again.duplicate);
    assert_int_equal(again.txn_id, rs.txn_id);
    assert_string_equal(again.rrn, rs.rrn);
    assert_string_equal(again.auth_code, rs.auth_code);
    assert_int_equal(balance(F.acct), 97500);

    /* the same key with another amount: 94, nothing recorded */
    rq.amount = 1;
    run(&rq, &again, "94");
    assert_int_equal(again.txn_id, 0);
    assert_int_equal(count("SELECT COUNT(*) FROM txns WHERE kind = 'purchase'"), 1);

    /* same STAN, another transmission time: a new request */
    rq.amount = 2500;
    memcpy(rq.tx_time, "1122999999", 11);
    run(&rq, &again, "00");
    assert_false(again.duplicate);
    assert_int_equal(balance(F.acct), 95000);

    /* the same STAN and time on another terminal: a new request */
    rq.terminal_id = F.terminal2;
    run(&rq, &again, "00");
    assert_int_equal(balance(F.acct), 92500);
}

static void test_card_declines(void **state)
{
    struct engine_request rq;
    struct engine_response rs;
    int64_t before = 0;

    (void)state;
    before = balance(F.acct);
    rq_init(&rq, ENGINE_PURCHASE, 100);
    rq.card_id = 0;
    run(&rq, &rs, "14");
    assert_string_equal(rs.auth_code, "");
    assert_true(rs.txn_id > 0); /* journaled */
    rq_init(&rq, ENGINE_PURCHASE, 100);
    rq.card_id = 987654;
    run(&rq, &rs, "14");
    rq_init(&rq, ENGINE_PURCHASE, 100);
    rq.card_id = add_card(F.acct, "2812", "lost", 0);
    run(&rq, &rs, "41");
    rq_init(&rq, ENGINE_PURCHASE, 100);
    rq.card_id = add_card(F.acct, "2812", "stolen", 0);
    run(&rq, &rs, "43");
    rq_init(&rq, ENGINE_PURCHASE, 100);
    rq.card_id = add_card(F.acct, "2812", "blocked", 0);
    run(&rq, &rs, "05");
    rq_init(&rq, ENGINE_PURCHASE, 100);
    rq.card_id = add_card(F.acct, "2610", "active", 0);
    run(&rq, &rs, "54");
    rq_init(&rq, ENGINE_PURCHASE, 100);
    rq.card_id = add_card(F.acct, "2611", "active", 0); /* valid through its month */
    run(&rq, &rs, "00");
    rq_init(&rq, ENGINE_PURCHASE, 100);
    memcpy(rq.expiry, "2901", 5); /* not the card's expiry */
    run(&rq, &rs, "54");
    rq_init(&rq, ENGINE_PURCHASE, 0);
    run(&rq, &rs, "13");
    rq_init(&rq, ENGINE_PURCHASE, 100);
    rq.currency = USD;
    run(&rq, &rs, "13");
    rq_init(&rq, ENGINE_PURCHASE, 100);
    rq.card_id = F.card_usd;
    run(&rq, &rs, "57");
    rq_init(&rq, ENGINE_PURCHASE, 1000000);
    run(&rq, &rs, "51");
    assert_string_equal(rs.reason, "insufficient funds");
    assert_int_equal(balance(F.acct), before - 100);
    exec_ok("UPDATE accounts SET status = 'frozen' WHERE name = 'alice'");
    rq_init(&rq, ENGINE_PURCHASE, 100);
    run(&rq, &rs, "05");
    exec_ok("UPDATE accounts SET status = 'active' WHERE name = 'alice'");
    assert_int_equal(count("SELECT COUNT(*) FROM postings WHERE txn_id IN (SELECT id FROM txns"
                           " WHERE rc <> '00')"),
                     0);
}

static void test_pin_tries(void **state)
{
    struct engine_request rq;
    struct engine_response rs;
    int64_t card = add_card(F.acct, "2812", "active", 0);

    (void)state;
    rq_init(&rq, ENGINE_PURCHASE, 100);
    rq.card_id = card;
    rq.pin = ENGINE_PIN_BAD;
    run(&rq, &rs, "55");
    rq_init(&rq, ENGINE_PURCHASE, 100);
    rq.card_id = card;
    rq.pin = ENGINE_PIN_OK; /* a right PIN resets the count */
    run(&rq, &rs, "00");
    assert_int_equal(count("SELECT pin_tries FROM cards WHERE id = (SELECT MAX(id) FROM cards)"),
                     0);
    for (int i = 0; i < 2; i++) {
        rq_init(&rq, ENGINE_PURCHASE, 100);
        rq.card_id = card;
        rq.pin = ENGINE_PIN_BAD;
        run(&rq, &rs, "55");
    }
    rq_init(&rq, ENGINE_PURCHASE, 100);
    rq.card_id = card;
    rq.pin = ENGINE_PIN_BAD;
    run(&rq, &rs, "75"); /* the third wrong PIN blocks */
    rq_init(&rq, ENGINE_PURCHASE, 100);
    rq.card_id = card;
    run(&rq, &rs, "75"); /* even the right PIN now */
    rq_init(&rq, ENGINE_PURCHASE, 100);
    rq.pin = ENGINE_PIN_NONE;
    rq.pin_required = true;
    run(&rq, &rs, "55");
    rq.pin_required = false;
    snprintf(rq.stan, sizeof(rq.stan), "%06u", ++F.stan);
    run(&rq, &rs, "00"); /* no PIN needed, none given */
}

static void test_limits_terminal_key(void **state)
{
    struct engine_request rq;
    struct engine_response rs;
    int64_t card = add_card(F.acct, "2812", "active", 5000);

    (void)state;
    rq_init(&rq, ENGINE_PURCHASE, 3000);
    rq.card_id = card;
    run(&rq, &rs, "00");
    rq_init(&rq, ENGINE_PURCHASE, 2001);
    rq.card_id = card;
    run(&rq, &rs, "61");
    rq_init(&rq, ENGINE_PURCHASE, 2000);
    rq.card_id = card;
    run(&rq, &rs, "00");
    rq_init(&rq, ENGINE_PURCHASE, 2000);
    rq.card_id = card;
    rq.today_day = TODAY_DAY + 1; /* a new day */
    run(&rq, &rs, "00");

    exec_ok("UPDATE terminals SET status = 'suspended' WHERE tid = 'T0000001'");
    rq_init(&rq, ENGINE_PURCHASE, 100);
    run(&rq, &rs, "58");
    exec_ok("UPDATE terminals SET status = 'active' WHERE tid = 'T0000001'");
    exec_ok("UPDATE merchants SET status = 'suspended'");
    rq_init(&rq, ENGINE_PURCHASE, 100);
    run(&rq, &rs, "58");
    exec_ok("UPDATE merchants SET status = 'active'");
    rq_init(&rq, ENGINE_PURCHASE, 100);
    rq.terminal_id = 4242;
    run(&rq, &rs, "58");
    assert_int_equal(rs.txn_id, 0);
    rq_init(&rq, ENGINE_PURCHASE, 100);
    rq.stan[0] = '\0';
    run(&rq, &rs, "30");
    rq_init(&rq, ENGINE_PURCHASE, 100);
    memcpy(rq.mti, "0900", 5);
    run(&rq, &rs, "30");
    assert_null(engine_mti_class("020"));
    assert_string_equal(engine_mti_class("0421"), "40");
    assert_string_equal(engine_kind_name((enum engine_kind)0), "unknown");
}

static void test_balance_inquiry(void **state)
{
    struct engine_request rq;
    struct engine_response rs;

    (void)state;
    rq_init(&rq, ENGINE_BALANCE, 0);
    run(&rq, &rs, "00");
    assert_true(rs.has_balance);
    assert_int_equal(rs.balance, 100000);
    assert_int_equal(rs.currency, CNY);
    rq_init(&rq, ENGINE_BALANCE, 0);
    rq.pin = ENGINE_PIN_BAD;
    run(&rq, &rs, "55");
    assert_false(rs.has_balance);
}

static void test_preauth_cycle(void **state)
{
    struct engine_request pa, rq;
    struct engine_response rs;

    (void)state;
    rq_init(&pa, ENGINE_PREAUTH, 30000);
    run(&pa, &rs, "00");
    assert_int_equal(held(F.acct), 30000);
    assert_int_equal(balance(F.acct), 100000);
    rq_init(&rq, ENGINE_PURCHASE, 80000); /* 1000 - 300 held < 800 */
    run(&rq, &rs, "51");

    rq_init(&rq, ENGINE_COMPLETION, 30001);
    rq_orig(&rq, &pa);
    run(&rq, &rs, "64");
    rq_init(&rq, ENGINE_PREAUTH_CANCEL, 100);
    rq_orig(&rq, &pa);
    run(&rq, &rs, "64"); /* a cancel names the whole amount */
    rq_init(&rq, ENGINE_COMPLETION, 25000);
    rq_orig(&rq, &pa);
    run(&rq, &rs, "00");
    assert_int_equal(held(F.acct), 0);
    assert_int_equal(balance(F.acct), 75000);
    assert_int_equal(balance(F.merchant_acct), 25000);
    rq_init(&rq, ENGINE_COMPLETION, 1000);
    rq_orig(&rq, &pa);
    run(&rq, &rs, "12"); /* completed already */
    rq_init(&rq, ENGINE_PREAUTH_CANCEL, 30000);
    rq_orig(&rq, &pa);
    run(&rq, &rs, "12");

    rq_init(&pa, ENGINE_PREAUTH, 5000);
    run(&pa, &rs, "00");
    rq_init(&rq, ENGINE_PREAUTH_CANCEL, 5000);
    rq_orig(&rq, &pa);
    run(&rq, &rs, "00");
    assert_int_equal(held(F.acct), 0);
    rq_init(&rq, ENGINE_PREAUTH_CANCEL, 5000);
    rq_orig(&rq, &pa);
    run(&rq, &rs, "12");
    rq_init(&rq, ENGINE_COMPLETION, 5000);
    memcpy(rq.orig_stan, "999999", 7);
    run(&rq, &rs, "25");
    rq_init(&pa, ENGINE_PREAUTH, 200000);
    run(&pa, &rs, "51");
}

static void test_void(void **state)
{
    struct engine_request p, rq;
    struct engine_response rs;

    (void)state;
    rq_init(&p, ENGINE_PURCHASE, 4000);
    run(&p, &rs, "00");
    rq_init(&rq, ENGINE_VOID, 3999);
    rq_orig(&rq, &p);
    run(&rq, &rs, "64");
    rq_init(&rq, ENGINE_VOID, 4000);
    rq_orig(&rq, &p);
    rq.batch_no = 2;
    run(&rq, &rs, "12"); /* not the open batch */
    rq_init(&rq, ENGINE_VOID, 4000);
    rq_orig(&rq, &p);
    rq.card_id = F.card_usd;
    run(&rq, &rs, "14");
    rq_init(&rq, ENGINE_VOID, 4000);
    rq_orig(&rq, &p);
    run(&rq, &rs, "00");
    assert_int_equal(balance(F.acct), 100000);
    assert_int_equal(balance(F.merchant_acct), 0);
    rq_init(&rq, ENGINE_VOID, 4000);
    rq_orig(&rq, &p);
    run(&rq, &rs, "12"); /* voided once only */
    rq_init(&rq, ENGINE_VOID, 4000);
    memcpy(rq.orig_stan, "999998", 7);
    run(&rq, &rs, "25");
}

static void test_refund(void **state)
{
    struct engine_request p, rq;
    struct engine_response rs, prs;

    (void)state;
    rq_init(&p, ENGINE_PURCHASE, 10000);
    run(&p, &prs, "00");
    rq_init(&rq, ENGINE_REFUND, 4000);
    memcpy(rq.orig_rrn, prs.rrn, sizeof(rq.orig_rrn));
    rq.card_id = 0; /* without the card: by the receipt's RRN */
    run(&rq, &rs, "00");
    assert_int_equal(balance(F.acct), 94000);
    assert_int_equal(balance(F.merchant_acct), 6000);
    rq_init(&rq, ENGINE_REFUND, 6001);
    memcpy(rq.orig_rrn, prs.rrn, sizeof(rq.orig_rrn));
    run(&rq, &rs, "64");
    rq_init(&rq, ENGINE_REFUND, 6000);
    memcpy(rq.orig_rrn, prs.rrn, sizeof(rq.orig_rrn));
    run(&rq, &rs, "00");
    assert_int_equal(balance(F.acct), 100000);
    rq_init(&rq, ENGINE_REFUND, 1);
    memcpy(rq.orig_rrn, prs.rrn, sizeof(rq.orig_rrn));
    run(&rq, &rs, "64");
    rq_init(&rq, ENGINE_REFUND, 1);
    memcpy(rq.orig_rrn, "000000777777", 13);
    run(&rq, &rs, "25");
    rq_init(&rq, ENGINE_REFUND, 1);
    memcpy(rq.orig_rrn, "12AB", 5);
    run(&rq, &rs, "25");
    rq_init(&rq, ENGINE_REFUND, 0);
    memcpy(rq.orig_rrn, prs.rrn, sizeof(rq.orig_rrn));
    run(&rq, &rs, "13");
}

static void test_reversals(void **state)
{
    struct engine_request p, rq, v, late, pa;
    struct engine_response rs;

    (void)state;
    /* a purchase undone once, however often the reversal comes */
    rq_init(&p, ENGINE_PURCHASE, 7000);
    run(&p, &rs, "00");
    rq_init(&rq, ENGINE_REVERSAL, 7000);
    rq_orig(&rq, &p);
    run(&rq, &rs, "00");
    assert_int_equal(balance(F.acct), 100000);
    run(&rq, &rs, "00"); /* retransmitted: same answer */
    assert_true(rs.duplicate);
    memcpy(rq.mti, "0420", 5); /* repeated as an advice: same message class */
    run(&rq, &rs, "00");
    assert_true(rs.duplicate);
    rq_init(&rq, ENGINE_REVERSAL, 7000); /* a new reversal of the same original */
    rq_orig(&rq, &p);
    run(&rq, &rs, "00");
    assert_false(rs.duplicate);
    assert_string_equal(rs.reason, "original already reversed");
    assert_int_equal(balance(F.acct), 100000);

    /* a reversal of an original never seen: approved, no money; the late
     * original is refused */
    rq_init(&late, ENGINE_PURCHASE, 5000);
    rq_init(&rq, ENGINE_REVERSAL, 5000);
    rq_orig(&rq, &late);
    run(&rq, &rs, "00");
    assert_string_equal(rs.reason, "original unknown");
    run(&late, &rs, "12");
    assert_int_equal(balance(F.acct), 100000);

    /* a reversal of a declined purchase moves nothing */
    rq_init(&p, ENGINE_PURCHASE, 900000000);
    run(&p, &rs, "51");
    rq_init(&rq, ENGINE_REVERSAL, 900000000);
    rq_orig(&rq, &p);
    run(&rq, &rs, "00");
    assert_string_equal(rs.reason, "original was declined");

    /* reversing a void restores the purchase */
    rq_init(&p, ENGINE_PURCHASE, 1500);
    run(&p, &rs, "00");
    rq_init(&v, ENGINE_VOID, 1500);
    rq_orig(&v, &p);
    run(&v, &rs, "00");
    assert_int_equal(balance(F.acct), 100000);
    rq_init(&rq, ENGINE_REVERSAL, 1500);
    rq_orig(&rq, &v);
    run(&rq, &rs, "00");
    assert_int_equal(balance(F.acct), 98500);
    assert_int_equal(balance(F.merchant_acct), 1500);

    /* reversing a pre-authorization releases its hold */
    rq_init(&pa, ENGINE_PREAUTH, 2000);
    run(&pa, &rs, "00");
    rq_init(&rq, ENGINE_REVERSAL, 2000);
    rq_orig(&rq, &pa);
    run(&rq, &rs, "00");
    assert_int_equal(held(F.acct), 0);

    /* a reversal whose original names no time (CUP) finds the latest */
    rq_init(&p, ENGINE_PURCHASE, 300);
    run(&p, &rs, "00");
    rq_init(&rq, ENGINE_REVERSAL, 300);
    memcpy(rq.orig_stan, p.stan, sizeof(rq.orig_stan));
    run(&rq, &rs, "00");
    assert_int_equal(balance(F.acct), 98500);
    assert_int_equal(count("SELECT COUNT(*) FROM txns WHERE kind = 'reversal'"), 7); /* retransmissions add none */
}

static void test_advice_forced(void **state)
{
    struct engine_request rq;
    struct engine_response rs;

    (void)state;
    rq_init(&rq, ENGINE_ADVICE, 150000); /* more than the balance: taken anyway */
    rq.pin = ENGINE_PIN_NONE;
    rq.pin_required = true; /* offline: no PIN to check */
    run(&rq, &rs, "00");
    assert_int_equal(balance(F.acct), -50000);
    run(&rq, &rs, "00"); /* uploaded twice: once only */
    assert_true(rs.duplicate);
    assert_int_equal(balance(F.acct), -50000);
    rq_init(&rq, ENGINE_ADVICE, 100);
    rq.card_id = add_card(F.acct, "2812", "stolen", 0);
    run(&rq, &rs, "43");
}

/* A request decided on remembered rows (check_stamps): recorded only while
 * the terminal's keys and the card's PIN data are still those it was checked
 * against; else POS_ERR_STALE and nothing changes. */
static void test_stamps(void **state)
{
    struct engine_request rq;
    struct engine_response rs;
    int64_t before = balance(F.acct);
    int64_t txns = count("SELECT COUNT(*) FROM txns");

    (void)state;
    exec_ok("UPDATE terminals SET pik_block = 'P1', mak_block = 'M1', signed_on_at = 7");
    rq_init(&rq, ENGINE_PURCHASE, 100);
    rq.check_stamps = true;
    rq.term_signed_on_at = 7;
    rq.term_pik_block = "P1";
    rq.term_mak_block = "M1";
    rq.card_pvki = 1;
    memcpy(rq.card_pvv, "0000", 5);
    memcpy(rq.card_service_code, "201", 4);
    run(&rq, &rs, "00");
    before -= 100;
    txns++;

    struct {
        int64_t signed_on_at;
        const char *pik, *mak, *pvv, *svc;
        int64_t pvki;
    } stale[] = {
        {8, "P1", "M1", "0000", "201", 1}, {7, "P2", "M1", "0000", "201", 1},
        {7, "P1", "M2", "0000", "201", 1}, {7, NULL, "M1", "0000", "201", 1},
        {7, "P1", "M1", "1234", "201", 1}, {7, "P1", "M1", "0000", "101", 1},
        {7, "P1", "M1", "0000", "201", 2},
    };
    for (size_t i = 0; i < sizeof(stale) / sizeof(stale[0]); i++) {
        rq_init(&rq, ENGINE_PURCHASE, 100);
        rq.check_stamps = true;
        rq.term_signed_on_at = stale[i].signed_on_at;
        rq.term_pik_block = stale[i].pik;
        rq.term_mak_block = stale[i].mak;
        rq.card_pvki = stale[i].pvki;
        snprintf(rq.card_pvv, sizeof(rq.card_pvv), "%s", stale[i].pvv);
        snprintf(rq.card_service_code, sizeof(rq.card_service_code), "%s", stale[i].svc);
        if (engine_run(F.s, &rq, &rs) != POS_ERR_STALE)
            fail_msg("stale case %zu: not refused", i);
        assert_int_equal(count("SELECT COUNT(*) FROM txns"), txns);
        assert_int_equal(balance(F.acct), before);
        /* read fresh (no stamps): decided as usual */
        rq.check_stamps = false;
        run(&rq, &rs, "00");
        before -= 100;
        txns++;
    }
    /* keys gone from the database: a remembered key is stale */
    exec_ok("UPDATE terminals SET pik_block = NULL, mak_block = NULL");
    rq_init(&rq, ENGINE_PURCHASE, 100);
    rq.check_stamps = true;
    rq.term_signed_on_at = 7;
    rq.term_pik_block = "P1";
    rq.term_mak_block = "M1";
    assert_int_equal(engine_run(F.s, &rq, &rs), POS_ERR_STALE);
    assert_int_equal(count("SELECT COUNT(*) FROM txns"), txns);

    /* no batch in the request: the terminal's open batch */
    exec_ok("UPDATE terminals SET batch_no = 42");
    rq_init(&rq, ENGINE_PURCHASE, 100);
    rq.batch_no = 0;
    run(&rq, &rs, "00");
    assert_int_equal(count("SELECT batch_no FROM txns ORDER BY id DESC LIMIT 1"), 42);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_purchase_and_exactly_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_card_declines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pin_tries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits_terminal_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_balance_inquiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_preauth_cycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_void, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refund, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reversals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_advice_forced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stamps, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
