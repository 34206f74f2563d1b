/* settle: batch totals, balanced or not, batch close and the merchant fee. */
#include "host/settle.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "host/ledger.h"
#include "money.h"

static int settle__exec(struct store_stmt *st)
{
    int rc = store_step(st);

    if (rc == STORE_ROW)
        return store_reset(st);
    return rc == STORE_DONE ? POS_OK : rc;
}

int settle_totals(struct store *s, int64_t terminal_id, int64_t batch_no, struct settle_totals *t)
{
    struct store_stmt *st;
    int rc;

    memset(t, 0, sizeof(*t));
    rc = store_prepare(
        s,
        "SELECT"
        " COALESCE(SUM(CASE WHEN kind IN ('purchase', 'completion', 'advice') THEN 1 END), 0),"
        " COALESCE(SUM(CASE WHEN kind IN ('purchase', 'completion', 'advice') THEN amount END), 0),"
        " COALESCE(SUM(CASE WHEN kind = 'refund' THEN 1 END), 0),"
        " COALESCE(SUM(CASE WHEN kind = 'refund' THEN amount END), 0)"
        " FROM txns WHERE terminal_id = ? AND batch_no = ? AND rc = '00' AND reversed = 0",
        &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, terminal_id);
    store_bind_int64(st, 2, batch_no);
    rc = store_step(st);
    if (rc != STORE_ROW)
        return rc == STORE_DONE ? POS_ERR_DB : rc;
    t->debit_count = store_column_int64(st, 0);
    t->debit_amount = store_column_int64(st, 1);
    t->credit_count = store_column_int64(st, 2);
    t->credit_amount = store_column_int64(st, 3);
    return store_reset(st);
}

bool settle_totals_equal(const struct settle_totals *a, const struct settle_totals *b)
{
    return a->debit_count == b->debit_count && a->debit_amount == b->debit_amount &&
           a->credit_count == b->credit_count && a->credit_amount == b->credit_amount;
}

struct settle__terminal {
    int64_t batch_no;
    int64_t merchant_account;
    int64_t mdr_bps;
    uint16_t currency;
    bool active;
};

static int settle__terminal(struct store *s, int64_t id, struct settle__terminal *t, bool *found)
{
    struct store_stmt *st;
    const char *ts, *ms;
    int rc;

    *found = false;
    rc = store_prepare(s,
                       "SELECT t.batch_no, m.account_id, m.mdr_bps, m.currency, t.status, m.status"
                       " FROM terminals t JOIN merchants m ON m.id = t.merchant_id WHERE t.id = ?",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, id);
    rc = store_step(st);
    if (rc == STORE_DONE)
        return POS_OK;
    if (rc != STORE_ROW)
        return rc;
    *found = true;
    t->batch_no = store_column_int64(st, 0);
    t->merchant_account = store_column_int64(st, 1);
    t->mdr_bps = store_column_int64(st, 2);
    t->currency = (uint16_t)store_column_int64(st, 3);
    ts = store_column_text(st, 4, NULL);
    ms = store_column_text(st, 5, NULL);
    t->active = ts != NULL && ms != NULL && strcmp(ts, "active") == 0 && strcmp(ms, "active") == 0;
    return store_reset(st);
}

/* The host's fee income account in currency, opened on first use. */
static int settle__fee_account(struct store *s, uint16_t currency, int64_t now_ms, int64_t *id)
{
    struct store_stmt *st;
    char name[32];
    int rc;

    rc = store_prepare(s,
                       "SELECT id FROM accounts WHERE kind = 'fee' AND currency = ?"
                       " ORDER BY id LIMIT 1",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, currency);
    rc = store_step(st);
    if (rc == STORE_ROW) {
        *id = store_column_int64(st, 0);
        return store_reset(st);
    }
    if (rc != STORE_DONE)
        return rc;
    snprintf(name, sizeof(name), "fee income %03u", (unsigned)currency);
    return ledger_account_open(s, "fee", name, currency, 0, now_ms, id);
}

/* Is the batch closed already? */
static int settle__is_closed(struct store *s, int64_t terminal_id, int64_t batch_no, bool *closed)
{
    struct store_stmt *st;
    int rc;

    *closed = false;
    rc = store_prepare(s,
                       "SELECT 1 FROM batches WHERE terminal_id = ? AND batch_no = ?"
                       " AND status = 'closed'",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, terminal_id);
    store_bind_int64(st, 2, batch_no);
    rc = store_step(st);
    if (rc == STORE_ROW) {
        *closed = true;
        return store_reset(st);
    }
    return rc == STORE_DONE ? POS_OK : rc;
}

static int settle__journal(struct store *s, const struct settle_request *rq, bool balanced,
                           int64_t net, int64_t *id)
{
    struct store_stmt *st;
    const char *why = balanced ? "balanced" : "unbalanced";
    int rc;

    rc = store_prepare(s,
                       "INSERT INTO txns (terminal_id, stan, tx_time, mti_class, mti, proc_code,"
                       " kind, amount, currency, rc, batch_no, reason, created_at)"
                       " VALUES (?, ?, ?, '50', ?, '', 'settle', ?, ?, '00', ?, ?, ?) RETURNING id",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, rq->terminal_id);
    store_bind_text(st, 2, rq->stan, strlen(rq->stan));
    store_bind_text(st, 3, rq->tx_time, strlen(rq->tx_time));
    store_bind_text(st, 4, rq->mti, strlen(rq->mti));
    store_bind_int64(st, 5, net);
    store_bind_int64(st, 6, rq->currency);
    store_bind_int64(st, 7, rq->batch_no);
    store_bind_text(st, 8, why, strlen(why));
    store_bind_int64(st, 9, rq->now_ms);
    rc = store_step(st);
    if (rc != STORE_ROW)
        return rc == STORE_DONE ? POS_ERR_DB : rc;
    *id = store_column_int64(st, 0);
    return store_reset(st);
}

/* A settlement answered before? */
static int settle__duplicate(struct store *s, const struct settle_request *rq,
                             struct settle_response *rs, bool *answered)
{
    struct store_stmt *st;
    const char *why;
    int rc;

    *answered = false;
    rc = store_prepare(s,
                       "SELECT id, batch_no, reason FROM txns WHERE terminal_id = ? AND stan = ?"
                       " AND tx_time = ? AND mti_class = '50'",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, rq->terminal_id);
    store_bind_text(st, 2, rq->stan, strlen(rq->stan));
    store_bind_text(st, 3, rq->tx_time, strlen(rq->tx_time));
    rc = store_step(st);
    if (rc == STORE_DONE)
        return POS_OK;
    if (rc != STORE_ROW)
        return rc;
    *answered = true;
    if (store_column_int64(st, 1) != rq->batch_no) {
        memcpy(rs->rc, "94", 3);
        return store_reset(st);
    }
    rs->txn_id = store_column_int64(st, 0);
    why = store_column_text(st, 2, NULL);
    rs->balanced = why != NULL && strcmp(why, "balanced") == 0;
    rs->duplicate = true;
    memcpy(rs->rc, "00", 3);
    return store_reset(st);
}

static int settle__close(struct store *s, const struct settle_request *rq,
                         const struct settle__terminal *t, int64_t net, struct settle_response *rs)
{
    struct money amount, fee;
    struct store_stmt *st;
    int64_t fee_account;
    int rc;

    rc = store_prepare(s,
                       "INSERT INTO batches (terminal_id, batch_no, status, opened_at, closed_at)"
                       " VALUES (?, ?, 'closed', ?, ?) ON CONFLICT (terminal_id, batch_no)"
                       " DO UPDATE SET status = 'closed', closed_at = excluded.closed_at",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, rq->terminal_id);
    store_bind_int64(st, 2, rq->batch_no);
    store_bind_int64(st, 3, rq->now_ms);
    store_bind_int64(st, 4, rq->now_ms);
    rc = settle__exec(st);
    if (rc != POS_OK)
        return rc;
    if (t->batch_no == rq->batch_no) {
        rc = store_prepare(s, "UPDATE terminals SET batch_no = ? WHERE id = ?", &st);
        if (rc != POS_OK)
            return rc;
        store_bind_int64(st, 1, rq->batch_no + 1);
        store_bind_int64(st, 2, rq->terminal_id);
        rc = settle__exec(st);
        if (rc != POS_OK)
            return rc;
        rs->next_batch = rq->batch_no + 1;
    }
    amount.minor = net;
    amount.cur = money_currency_by_numeric(t->currency);
    if (net <= 0 || t->mdr_bps == 0 || amount.cur == NULL)
        return POS_OK;
    rc = money_fee_bps(&amount, (uint32_t)t->mdr_bps, MONEY_ROUND_HALF_UP, &fee);
    if (rc != POS_OK || fee.minor == 0)
        return rc;
    rc = settle__fee_account(s, t->currency, rq->now_ms, &fee_account);
    if (rc != POS_OK)
        return rc;
    rs->fee = fee.minor;
    return ledger_transfer(s, "fee", t->merchant_account, fee_account, fee.minor, t->currency,
                           "merchant discount", rq->now_ms, NULL);
}

int settle_run(struct store *s, const struct settle_request *rq, struct settle_response *rs)
{
    struct settle__terminal t;
    const struct settle_totals *tt = &rq->terminal;
    bool found, answered, closed;
    int64_t net;
    int rc;

    memset(rs, 0, sizeof(*rs));
    if (rq->terminal_id <= 0 || strlen(rq->stan) != 6 || rq->tx_time[0] == '\0' ||
        rq->batch_no <= 0) {
        memcpy(rs->rc, "30", 3);
        return POS_OK;
    }
    rc = settle__duplicate(s, rq, rs, &answered);
    if (rc != POS_OK || answered) {
        if (rc == POS_OK && rs->duplicate)
            rc = settle_totals(s, rq->terminal_id, rq->batch_no, &rs->host);
        return rc;
    }
    rc = settle__terminal(s, rq->terminal_id, &t, &found);
    if (rc != POS_OK)
        return rc;
    if (!found || !t.active) {
        memcpy(rs->rc, "58", 3);
        return POS_OK;
    }
    rs->next_batch = t.batch_no;
    if (rq->currency != t.currency || tt->debit_count < 0 || tt->debit_amount < 0 ||
        tt->credit_count < 0 || tt->credit_amount < 0) {
        memcpy(rs->rc, "13", 3);
        return POS_OK;
    }
    rc = settle_totals(s, rq->terminal_id, rq->batch_no, &rs->host);
    if (rc != POS_OK)
        return rc;
    rc = settle__is_closed(s, rq->terminal_id, rq->batch_no, &closed);
    if (rc != POS_OK)
        return rc;
    rs->balanced = closed || settle_totals_equal(&rs->host, tt);
    if (__builtin_sub_overflow(rs->host.debit_amount, rs->host.credit_amount, &net))
        return POS_ERR_OVERFLOW;
    rc = settle__journal(s, rq, rs->balanced, net, &rs->txn_id);
    if (rc != POS_OK)
        return rc;
    memcpy(rs->rc, "00", 3);
    if (!rs->balanced || closed)
        return POS_OK;
    return settle__close(s, rq, &t, net, rs);
}
