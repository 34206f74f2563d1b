/* Tests for src/host/settle.c: totals, balanced and unbalanced batches, the
 * merchant fee, exactly once, on the host schema. */
#include "fixture.h"

#include "host/settle.h"

static void srq_init(struct settle_request *rq, int64_t batch, int64_t dc, int64_t da, int64_t cc,
                     int64_t ca)
{
    memset(rq, 0, sizeof(*rq));
    rq->terminal_id = F.terminal;
    memcpy(rq->mti, "0500", 5);
    snprintf(rq->stan, sizeof(rq->stan), "%06u", ++F.stan);
    snprintf(rq->tx_time, sizeof(rq->tx_time), "1122%06u", F.stan);
    rq->batch_no = batch;
    rq->currency = CNY;
    rq->terminal.debit_count = dc;
    rq->terminal.debit_amount = da;
    rq->terminal.credit_count = cc;
    rq->terminal.credit_amount = ca;
    rq->now_ms = 2000000;
}

static void settle_ok(const struct settle_request *rq, struct settle_response *rs)
{
    assert_int_equal(settle_run(F.s, rq, rs), POS_OK);
    assert_string_equal(rs->rc, "00");
}

/* A batch of: purchases 100.00 + 50.00 (voided) + 30.00 (reversed) +
 * 20.00, a completion of 40.00, an advice of 5.00, a refund of 10.00; a
 * declined purchase and a balance inquiry that count for nothing. */
static void make_batch(void)
{
    struct engine_request rq, o;
    struct engine_response rs, prs;

    rq_init(&rq, ENGINE_PURCHASE, 10000);
    run(&rq, &prs, "00");
    rq_init(&o, ENGINE_PURCHASE, 5000);
    run(&o, &rs, "00");
    rq_init(&rq, ENGINE_VOID, 5000);
    rq_orig(&rq, &o);
    run(&rq, &rs, "00");
    rq_init(&o, ENGINE_PURCHASE, 3000);
    run(&o, &rs, "00");
    rq_init(&rq, ENGINE_REVERSAL, 3000);
    rq_orig(&rq, &o);
    run(&rq, &rs, "00");
    rq_init(&rq, ENGINE_PURCHASE, 2000);
    run(&rq, &rs, "00");
    rq_init(&o, ENGINE_PREAUTH, 6000);
    run(&o, &rs, "00");
    rq_init(&rq, ENGINE_COMPLETION, 4000);
    rq_orig(&rq, &o);
    run(&rq, &rs, "00");
    rq_init(&rq, ENGINE_ADVICE, 500);
    rq.pin = ENGINE_PIN_NONE;
    run(&rq, &rs, "00");
    rq_init(&rq, ENGINE_REFUND, 1000);
    memcpy(rq.orig_rrn, prs.rrn, sizeof(rq.orig_rrn));
    run(&rq, &rs, "00");
    rq_init(&rq, ENGINE_PURCHASE, 99999999);
    run(&rq, &rs, "51");
    rq_init(&rq, ENGINE_BALANCE, 0);
    run(&rq, &rs, "00");
}

static void test_totals(void **state)
{
    struct settle_totals t;

    (void)state;
    make_batch();
    assert_int_equal(settle_totals(F.s, F.terminal, 1, &t), POS_OK);
    assert_int_equal(t.debit_count, 4);
    assert_int_equal(t.debit_amount, 10000 + 2000 + 4000 + 500);
    assert_int_equal(t.credit_count, 1);
    assert_int_equal(t.credit_amount, 1000);
    assert_int_equal(settle_totals(F.s, F.terminal, 2, &t), POS_OK);
    assert_int_equal(t.debit_count + t.credit_count, 0);
    assert_int_equal(settle_totals(F.s, F.terminal2, 1, &t), POS_OK);
    assert_int_equal(t.debit_count, 0);
}

static void test_balanced_closes_and_charges_fee(void **state)
{
    struct settle_request rq;
    struct settle_response rs, again;
    int64_t merchant_before;

    (void)state;
    make_batch();
    merchant_before = balance(F.merchant_acct);
    assert_int_equal(merchant_before, 16500 - 1000);
    srq_init(&rq, 1, 4, 16500, 1, 1000);
    settle_ok(&rq, &rs);
    assert_true(rs.balanced);
    assert_false(rs.duplicate);
    assert_int_equal(rs.next_batch, 2);
    /* 60 bp of the net 155.00 = 0.93 */
    assert_int_equal(rs.fee, 93);
    assert_int_equal(balance(F.merchant_acct), merchant_before - 93);
    assert_int_equal(count("SELECT batch_no FROM terminals WHERE tid = 'T0000001'"), 2);
    assert_int_equal(count("SELECT COUNT(*) FROM batches WHERE status = 'closed'"), 1);
    assert_int_equal(count("SELECT balance FROM accounts WHERE kind = 'fee'"), 93);

    /* the same 0500 again: the same answer, no second fee */
    settle_ok(&rq, &again);
    assert_true(again.duplicate);
    assert_true(again.balanced);
    assert_int_equal(again.txn_id, rs.txn_id);
    assert_int_equal(balance(F.merchant_acct), merchant_before - 93);
    /* a new 0500 for the closed batch: balanced, nothing more */
    srq_init(&rq, 1, 4, 16500, 1, 1000);
    settle_ok(&rq, &again);
    assert_true(again.balanced);
    assert_int_equal(again.fee, 0);
    assert_int_equal(balance(F.merchant_acct), merchant_before - 93);
    assert_int_equal(count("SELECT batch_no FROM terminals WHERE tid = 'T0000001'"), 2);
}

static void test_unbalanced_then_upload(void **state)
{
    struct settle_request rq;
    struct settle_response rs;
    struct engine_request adv;
    struct engine_response ars;

    (void)state;
    make_batch();
    /* the terminal also approved 7.00 offline and never uploaded it */
    srq_init(&rq, 1, 5, 17200, 1, 1000);
    settle_ok(&rq, &rs);
    assert_false(rs.balanced);
    assert_int_equal(rs.host.debit_count, 4);
    assert_int_equal(rs.fee, 0);
    assert_int_equal(rs.next_batch, 1);
    assert_int_equal(count("SELECT COUNT(*) FROM batches"), 0);
    /* batch upload brings the missing advice; settling again balances */
    rq_init(&adv, ENGINE_ADVICE, 700);
    adv.pin = ENGINE_PIN_NONE;
    run(&adv, &ars, "00");
    srq_init(&rq, 1, 5, 17200, 1, 1000);
    settle_ok(&rq, &rs);
    assert_true(rs.balanced);
    assert_int_equal(rs.next_batch, 2);
    assert_int_equal(rs.fee, 97); /* 60 bp of 162.00 = 0.972 -> 0.97 */
}

static void test_refusal_codes(void **state)
{
    struct settle_request rq;
    struct settle_response rs;

    (void)state;
    srq_init(&rq, 1, 0, 0, 0, 0);
    rq.terminal_id = 999;
    assert_int_equal(settle_run(F.s, &rq, &rs), POS_OK);
    assert_string_equal(rs.rc, "58");
    srq_init(&rq, 1, 0, 0, 0, 0);
    rq.currency = USD;
    assert_int_equal(settle_run(F.s, &rq, &rs), POS_OK);
    assert_string_equal(rs.rc, "13");
    srq_init(&rq, 1, -1, 0, 0, 0);
    assert_int_equal(settle_run(F.s, &rq, &rs), POS_OK);
    assert_string_equal(rs.rc, "13");
    srq_init(&rq, 0, 0, 0, 0, 0);
    assert_int_equal(settle_run(F.s, &rq, &rs), POS_OK);
    assert_string_equal(rs.rc, "30");
    /* an empty batch settles balanced with no fee */
    srq_init(&rq, 1, 0, 0, 0, 0);
    settle_ok(&rq, &rs);
    assert_true(rs.balanced);
    assert_int_equal(rs.fee, 0);
    /* the same key for another batch: 94 */
    rq.batch_no = 7;
    assert_int_equal(settle_run(F.s, &rq, &rs), POS_OK);
    assert_string_equal(rs.rc, "94");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_totals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_balanced_closes_and_charges_fee, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unbalanced_then_upload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusal_codes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
