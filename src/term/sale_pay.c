/* sale_pay: card tenders of a sale through the payment client, their
 * recovery after a crash, their voids (sale.h; docs/sales.md). */
#include "term/sale.h"

#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "term/sale_int.h"

static int sp_err(struct pos_errdetail *d, int rc, const char *what)
{
    return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "%s", what);
}

/* A journal row as the void and recovery need it. */
struct sp_row {
    char kind[12], status[10], rrn[13], auth[7];
    int64_t sale_id, amount;
    uint32_t batch, stan;
};

static int sp_row_read(struct store *db, int64_t id, struct sp_row *r)
{
    struct store_stmt *st;
    const char *t;
    int rc = store_prepare(db,
                           "SELECT kind, status, rrn, auth, COALESCE(sale_id, 0), amount, batch,"
                           " stan FROM pay_journal WHERE id = ?",
                           &st);

    memset(r, 0, sizeof(*r));
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, id);
    rc = store_step(st);
    if (rc != STORE_ROW)
        return rc == STORE_DONE ? POS_ERR_NOT_FOUND : rc;
    t = store_column_text(st, 0, NULL);
    snprintf(r->kind, sizeof(r->kind), "%s", t != NULL ? t : "");
    t = store_column_text(st, 1, NULL);
    snprintf(r->status, sizeof(r->status), "%s", t != NULL ? t : "");
    t = store_column_text(st, 2, NULL);
    snprintf(r->rrn, sizeof(r->rrn), "%s", t != NULL ? t : "");
    t = store_column_text(st, 3, NULL);
    snprintf(r->auth, sizeof(r->auth), "%s", t != NULL ? t : "");
    r->sale_id = store_column_int64(st, 4);
    r->amount = store_column_int64(st, 5);
    r->batch = (uint32_t)store_column_int64(st, 6);
    r->stan = (uint32_t)store_column_int64(st, 7);
    store_reset(st);
    return POS_OK;
}

/* The approved void of journal row id, or 0. */
static int sp_void_of(struct store *db, int64_t id, int64_t *void_id)
{
    int rc = sale__one_int(db,
                           "SELECT id FROM pay_journal WHERE orig_id = ? AND kind = 'void'"
                           " AND status = 'approved' ORDER BY id LIMIT 1",
                           id, INT64_MIN, void_id);

    return rc == POS_ERR_NOT_FOUND ? POS_OK : rc;
}

int sale_card_void(struct store *db, struct payclient *pc, int64_t journal_id, int64_t *void_id,
                   struct pos_errdetail *d)
{
    struct payclient_status ps;
    struct payclient_result res;
    struct payclient_op op;
    struct sp_row r;
    int rc;

    *void_id = 0;
    if ((rc = sp_row_read(db, journal_id, &r)) != POS_OK)
        return rc;
    if (strcmp(r.status, "voided") == 0) {
        /* voided before (a crash after the host's answer): done */
        if ((rc = sp_void_of(db, journal_id, void_id)) != POS_OK)
            return rc;
        return *void_id > 0 ? POS_OK : sp_err(d, POS_ERR_STATE, "the payment's void is missing");
    }
    if (strcmp(r.status, "offline") == 0)
        return pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET,
                                 "card payment STAN %06u was approved offline and is not yet at"
                                 " the host: upload it first (pos saf flush)",
                                 (unsigned)r.stan);
    if (strcmp(r.status, "approved") != 0)
        return pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET,
                                 "card payment STAN %06u is %s: it cannot be voided",
                                 (unsigned)r.stan, r.status);
    if ((rc = payclient_status(db, &ps, d)) != POS_OK)
        return rc;
    if (r.batch != ps.id.batch)
        return sp_err(d, POS_ERR_STATE, "payment settled: refund it instead");
    if (pc == NULL)
        return sp_err(d, POS_ERR_STATE,
                      "a card payment must be voided: the payment client"
                      " is needed (--lmk)");
    memset(&op, 0, sizeof(op));
    op.kind = POSMSG_VOID;
    op.orig_stan = r.stan;
    if ((rc = payclient_run(pc, &op, &res, d)) != POS_OK)
        return rc;
    if (strcmp(res.status, "approved") != 0)
        return pos_errdetail_set(d, POS_ERR_STATE, 39, POS_NO_OFFSET,
                                 "the host declined the void: response code %s", res.rc);
    *void_id = res.journal_id;
    return POS_OK;
}

static void sp_reference(char *out, size_t cap, const char *rrn, const char *auth)
{
    snprintf(out, cap, "RRN %s AUTH %s", rrn[0] != '\0' ? rrn : "-", auth);
}

/* The approved/offline purchases of sales without a tender, one at a
 * time after journal row `after` (0 when none is left). */
static int sp_next_orphan(struct store *db, int64_t after, int64_t *id)
{
    int rc = sale__one_int(db,
                           "SELECT j.id FROM pay_journal j WHERE j.id > ? AND j.sale_id IS NOT NULL"
                           " AND j.kind = 'purchase' AND j.status IN ('approved', 'offline')"
                           " AND NOT EXISTS (SELECT 1 FROM tenders t WHERE t.pay_journal_id = j.id)"
                           " ORDER BY j.id LIMIT 1",
                           after, INT64_MIN, id);

    return rc == POS_ERR_NOT_FOUND ? POS_OK : rc;
}

int sale_card_recover(struct store *db, struct payclient *pc, int64_t now_ms, int *attached,
                      int *voided, struct pos_errdetail *d)
{
    struct pos_errdetail td;
    char ref[SALE_REF_MAX + 1];
    struct sp_row r;
    int64_t id = 0, vid;
    int na = 0, nv = 0, rc;

    for (;;) {
        if ((rc = sp_next_orphan(db, id, &id)) != POS_OK || id == 0)
            break;
        if ((rc = sp_row_read(db, id, &r)) != POS_OK)
            break;
        sp_reference(ref, sizeof(ref), r.rrn, r.auth);
        pos_errdetail_init(&td);
        rc =
            sale__add_tender(db, r.sale_id, SALE_TENDER_CARD, r.amount, ref, id, now_ms, NULL, &td);
        if (rc == POS_OK) {
            na++;
            continue;
        }
        if (rc != POS_ERR_STATE && rc != POS_ERR_RANGE && rc != POS_ERR_STOCK &&
            rc != POS_ERR_NOT_FOUND)
            break;
        /* the sale cannot take it: give the money back */
        if (pc == NULL || strcmp(r.status, "approved") != 0) {
            rc = POS_OK;
            continue;
        }
        if ((rc = sale_card_void(db, pc, id, &vid, d)) != POS_OK)
            break;
        nv++;
    }
    if (attached != NULL)
        *attached = na;
    if (voided != NULL)
        *voided = nv;
    return rc;
}

int sale_pay_card(struct store *db, struct payclient *pc, int64_t sale_id,
                  const struct sale_card *card, int64_t amount, int64_t now_ms,
                  struct sale_card_result *res, struct pos_errdetail *d)
{
    struct pos_errdetail vd;
    struct payclient_op op;
    struct sale *s = NULL;
    char ref[SALE_REF_MAX + 1];
    int64_t due, vid;
    int rc;

    memset(res, 0, sizeof(*res));
    if (amount < 0 || amount > SALE_TOTAL_MAX)
        return sp_err(d, POS_ERR_RANGE, "amount: more than 0");
    if ((rc = sale_card_recover(db, pc, now_ms, NULL, NULL, d)) != POS_OK)
        return rc;
    if ((rc = sale_load(db, sale_id, &s)) != POS_OK) {
        if (rc == POS_ERR_NOT_FOUND)
            pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "no sale %lld", (long long)sale_id);
        goto out;
    }
    if (s->status != SALE_OPEN) {
        rc = pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET, "sale %lld is %s",
                               (long long)sale_id, sale_status_name(s->status));
        goto out;
    }
    due = s->total - s->paid;
    if (s->n_lines == 0 || due <= 0) {
        rc = sp_err(d, POS_ERR_STATE, "the sale has nothing to pay");
        goto out;
    }
    if (s->n_tenders == SALE_TENDERS_MAX) {
        rc = sp_err(d, POS_ERR_RANGE, "a sale takes at most 16 tenders");
        goto out;
    }
    if (amount == 0)
        amount = due;
    if (amount > due) {
        rc = sp_err(d, POS_ERR_RANGE, "a card pays at most the amount due");
        goto out;
    }
    /* the common refusal before any money moves */
    if (amount == due && (rc = sale_stock_check(db, sale_id, d)) != POS_OK)
        goto out;
    memset(&op, 0, sizeof(op));
    op.kind = POSMSG_PURCHASE;
    op.amount = amount;
    op.track2 = card->track2;
    op.pan = card->pan;
    op.expiry = card->expiry;
    op.pin = card->pin;
    op.icc = card->icc;
    op.icc_len = card->icc_len;
    op.sale_id = sale_id;
    rc = payclient_run(pc, &op, &res->pay, d);
    if (rc != POS_OK ||
        (strcmp(res->pay.status, "approved") != 0 && strcmp(res->pay.status, "offline") != 0))
        goto out;
    sp_reference(ref, sizeof(ref), res->pay.rrn, res->pay.auth);
    rc = sale__add_tender(db, sale_id, SALE_TENDER_CARD, amount, ref, res->pay.journal_id, now_ms,
                          &res->tender, d);
    res->tendered = rc == POS_OK;
    if (rc == POS_OK || strcmp(res->pay.status, "approved") != 0)
        goto out;
    /* approved but the sale cannot take it (a stock race): give it back */
    pos_errdetail_init(&vd);
    if (sale_card_void(db, pc, res->pay.journal_id, &vid, &vd) == POS_OK) {
        res->voided = true;
        pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "%s: the card payment was voided",
                          d != NULL && d->what[0] != '\0' ? d->what : pos_strerror(rc));
    }
out:
    sale_free(s);
    return rc;
}

int sale_cancel_cards(struct store *db, struct payclient *pc, int64_t sale_id, int64_t now_ms,
                      struct pos_errdetail *d)
{
    struct store_stmt *st;
    bool began = false;
    int64_t ids[SALE_TENDERS_MAX], vid;
    size_t n = 0, i;
    int rc;

    if ((rc =
             store_prepare(db,
                           "SELECT t.pay_journal_id FROM tenders t JOIN sales s ON s.id = t.sale_id"
                           " WHERE t.sale_id = ? AND s.status = 'open' AND t.kind = 'card'"
                           " AND t.pay_journal_id IS NOT NULL ORDER BY t.id",
                           &st)) != POS_OK)
        return rc;
    store_bind_int64(st, 1, sale_id);
    while (n < SALE_TENDERS_MAX && (rc = store_step(st)) == STORE_ROW)
        ids[n++] = store_column_int64(st, 0);
    if (rc == STORE_ROW)
        store_reset(st);
    else if (rc < 0)
        return rc;
    if (n == 0)
        return sale_cancel(db, sale_id, now_ms, d);
    for (i = 0; i < n; i++)
        if ((rc = sale_card_void(db, pc, ids[i], &vid, d)) != POS_OK)
            return rc;
    /* every card tender voided: the draft goes (its tenders stay, pointing
     * at their voided journal rows) */
    if ((rc = store_begin(db)) != POS_OK)
        return rc;
    began = true;
    rc = store_prepare(db,
                       "UPDATE sales SET status = 'cancelled', closed_at = ? WHERE id = ?"
                       " AND status = 'open'",
                       &st);
    if (rc == POS_OK) {
        store_bind_int64(st, 1, now_ms);
        store_bind_int64(st, 2, sale_id);
        rc = store_step(st) == STORE_DONE ? POS_OK : POS_ERR_DB;
    }
    if (rc == POS_OK && store_changes(db) != 1)
        rc = sp_err(d, POS_ERR_STATE, "the sale is no longer open");
    if (rc == POS_OK) {
        rc = store_commit(db);
        began = rc != POS_OK;
    }
    if (began)
        store_rollback(db);
    return rc;
}
