/*
 * fixture: a host database for engine and settlement tests: the schema on
 * an in-memory SQLite database, one merchant (MDR 60 bp) with two
 * terminals, a funding account, a CNY debit card with 1000.00 and a USD
 * one; helpers to build requests and read balances. setup opens a
 * transaction; teardown proves the books with ledger_check.
 */
#ifndef POS_TESTS_HOST_FIXTURE_H
#define POS_TESTS_HOST_FIXTURE_H

#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "host/engine.h"
#include "host/ledger.h"
#include "host/schema.h"
#include "store/migrate.h"
#include "store/store.h"

#define CNY 156
#define USD 840
#define TODAY_YYMM 2611
#define TODAY_DAY 20414

struct fx {
    struct store *s;
    int64_t funding, merchant_acct, merchant, terminal, terminal2;
    int64_t acct, card;   /* debit card with 1000.00 */
    int64_t acct_usd, card_usd;
    unsigned stan;
};

static struct fx F;

static inline void exec_ok(const char *sql)
{
    int rc = store_exec(F.s, sql);
    if (rc != POS_OK)
        fail_msg("%s: %s", sql, store_error(F.s)->what);
}

static inline int64_t insert_id(const char *sql)
{
    struct store_stmt *st;
    int64_t id;

    assert_int_equal(store_prepare(F.s, sql, &st), POS_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    id = store_column_int64(st, 0);
    store_reset(st);
    return id;
}

static inline int64_t add_card(int64_t account, const char *expiry, const char *status, int64_t daily)
{
    char sql[512];
    static int n;

    snprintf(sql, sizeof(sql),
             "INSERT INTO cards (pan_hash, pan_enc, pan_masked, account_id, expiry,"
             " service_code, pvki, pvv, daily_limit, status, created_at) VALUES"
             " (x'%064d', x'00', '622200******%04d', %lld, '%s', '201', 1, '0000', %lld, '%s', 1)"
             " RETURNING id",
             n + 1, n + 1, (long long)account, expiry, (long long)daily, status);
    n++;
    return insert_id(sql);
}

static inline int setup(void **state)
{
    const struct store_migration *m;
    size_t n;
    char sql[512];

    (void)state;
    memset(&F, 0, sizeof(F));
    assert_int_equal(store_open("sqlite::memory:", NULL, &F.s, NULL), POS_OK);
    m = schema_migrations(&n);
    assert_int_equal(store_migrate(F.s, m, n, NULL, NULL), POS_OK);
    assert_int_equal(store_begin(F.s), POS_OK);
    assert_int_equal(ledger_account_open(F.s, "funding", "funding", CNY, 0, 1, &F.funding), POS_OK);
    assert_int_equal(ledger_account_open(F.s, "merchant", "shop", CNY, 0, 1, &F.merchant_acct),
                     POS_OK);
    snprintf(sql, sizeof(sql),
             "INSERT INTO merchants (mid, name, mcc, currency, mdr_bps, account_id,"
             " payout_account, created_at) VALUES ('123456789012345', 'Shop', '5411', 156, 60,"
             " %lld, 'BANK-1', 1) RETURNING id",
             (long long)F.merchant_acct);
    F.merchant = insert_id(sql);
    snprintf(sql, sizeof(sql),
             "INSERT INTO terminals (tid, merchant_id, dialect, key_scheme, created_at)"
             " VALUES ('T0000001', %lld, 'cup', 'mksk-tdes', 1) RETURNING id",
             (long long)F.merchant);
    F.terminal = insert_id(sql);
    snprintf(sql, sizeof(sql),
             "INSERT INTO terminals (tid, merchant_id, dialect, key_scheme, created_at)"
             " VALUES ('T0000002', %lld, 'iso87b', 'dukpt-tdes', 1) RETURNING id",
             (long long)F.merchant);
    F.terminal2 = insert_id(sql);
    assert_int_equal(ledger_account_open(F.s, "debit", "alice", CNY, 0, 1, &F.acct), POS_OK);
    assert_int_equal(ledger_transfer(F.s, "topup", F.funding, F.acct, 100000, CNY, NULL, 1, NULL),
                     POS_OK);
    F.card = add_card(F.acct, "2812", "active", 0);
    assert_int_equal(ledger_account_open(F.s, "debit", "bob usd", USD, 0, 1, &F.acct_usd), POS_OK);
    F.card_usd = add_card(F.acct_usd, "2812", "active", 0);
    F.stan = 100;
    return 0;
}

static inline int teardown(void **state)
{
    struct ledger_check_report r;

    (void)state;
    assert_int_equal(ledger_check(F.s, &r), POS_OK);
    if (!ledger_check_is_sound(&r))
        fail_msg("books not sound: %s", r.first);
    store_close(F.s);
    return 0;
}

static inline void rq_init(struct engine_request *rq, enum engine_kind kind, int64_t amount)
{
    memset(rq, 0, sizeof(*rq));
    rq->kind = kind;
    rq->terminal_id = F.terminal;
    switch (kind) {
    case ENGINE_PREAUTH:
    case ENGINE_PREAUTH_CANCEL:
        memcpy(rq->mti, "0100", 5);
        break;
    case ENGINE_REFUND:
    case ENGINE_ADVICE:
        memcpy(rq->mti, "0220", 5);
        break;
    case ENGINE_REVERSAL:
        memcpy(rq->mti, "0400", 5);
        break;
    default:
        memcpy(rq->mti, "0200", 5);
    }
    snprintf(rq->proc_code, sizeof(rq->proc_code), "%s",
             kind == ENGINE_BALANCE ? "310000"
             : kind == ENGINE_PREAUTH ? "030000"
             : (kind == ENGINE_VOID || kind == ENGINE_REFUND || kind == ENGINE_PREAUTH_CANCEL)
                 ? "200000"
                 : "000000");
    snprintf(rq->stan, sizeof(rq->stan), "%06u", ++F.stan);
    snprintf(rq->tx_time, sizeof(rq->tx_time), "1122%06u", F.stan);
    rq->card_id = F.card;
    rq->pin = ENGINE_PIN_OK;
    rq->amount = amount;
    rq->currency = CNY;
    rq->batch_no = 1;
    memcpy(rq->auth_code, "A1B2C3", 7);
    rq->now_ms = 1000000;
    rq->today_yymm = TODAY_YYMM;
    rq->today_day = TODAY_DAY;
}

/* Points rq at the original o (void, cancel, completion, reversal). */
static inline void rq_orig(struct engine_request *rq, const struct engine_request *o)
{
    memcpy(rq->orig_stan, o->stan, sizeof(rq->orig_stan));
    memcpy(rq->orig_tx_time, o->tx_time, sizeof(rq->orig_tx_time));
}

static inline void run(const struct engine_request *rq, struct engine_response *rs, const char *want_rc)
{
    assert_int_equal(engine_run(F.s, rq, rs), POS_OK);
    if (strcmp(rs->rc, want_rc) != 0)
        fail_msg("%s: rc %s (%s), want %s", engine_kind_name(rq->kind), rs->rc,
                 rs->reason ? rs->reason : "-", want_rc);
}

static inline int64_t balance(int64_t acct)
{
    struct ledger_account a;

    assert_int_equal(ledger_account_get(F.s, acct, &a), POS_OK);
    return a.balance;
}

static inline int64_t held(int64_t acct)
{
    struct ledger_account a;

    assert_int_equal(ledger_account_get(F.s, acct, &a), POS_OK);
    return a.held;
}

static inline int64_t count(const char *sql)
{
    return insert_id(sql);
}

#endif
