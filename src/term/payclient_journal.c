/*
 * payclient_journal: the payment journal, pending reversals, the counters
 * and the batch totals in the terminal store (tschema_pay.c).
 */
#include <stdio.h>
#include <string.h>

#include "term/payclient_int.h"
#include "term/tstore.h"

static const char *const pj_kinds[] = {
    [POSMSG_PURCHASE] = "purchase", [POSMSG_BALANCE] = "balance",
    [POSMSG_PREAUTH] = "preauth",   [POSMSG_PREAUTH_CANCEL] = "cancel",
    [POSMSG_COMPLETION] = "completion", [POSMSG_VOID] = "void",
    [POSMSG_REFUND] = "refund",     [POSMSG_ADVICE] = "purchase",
};

const char *payclient__kind_text(enum posmsg_kind k)
{
    if ((size_t)k < sizeof(pj_kinds) / sizeof(pj_kinds[0]) && pj_kinds[k] != NULL)
        return pj_kinds[k];
    return NULL;
}

static int pj_done(int rc)
{
    return rc == STORE_DONE ? POS_OK : rc;
}

int payclient__save_counters(struct payclient *pc)
{
    struct store_stmt *st;
    int rc = store_prepare(pc->db,
                           "UPDATE pay_terminal SET stan = ?, batch = ?, dukpt_counter = ?"
                           " WHERE id = 1",
                           &st);
    uint32_t counter = 0;

    if (rc != POS_OK)
        return rc;
    if (strcmp(pc->id.scheme, "dukpt-tdes") == 0) {
        /* the counter the next request will use; 0: exhausted (kept so) */
        counter = posmsg_terminal_dukpt_counter(&pc->t);
        if (counter == 0)
            counter = 0x1FFFFF;
    }
    pc->id.stan = posmsg_terminal_stan(&pc->t);
    pc->id.batch = posmsg_terminal_batch(&pc->t);
    store_bind_int64(st, 1, pc->id.stan);
    store_bind_int64(st, 2, pc->id.batch);
    store_bind_int64(st, 3, counter);
    return pj_done(store_step(st));
}

int payclient__journal_add(struct payclient *pc, const struct payclient__entry *e, int64_t *id)
{
    struct store_stmt *st;
    const char *k = payclient__kind_text(e->kind);
    int64_t now = tstore_now_ms();
    int rc;

    if (k == NULL)
        return POS_ERR_INVAL;
    rc = store_prepare(pc->db,
                       "INSERT INTO pay_journal (kind, batch, stan, sent_time, amount, currency,"
                       " pan_masked, expiry, pan_enc, pan_lookup, status, rc, rrn, auth, orig_id,"
                       " created_at, updated_at, sale_id, entry)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', '', ?, ?, ?, ?, ?)",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_text(st, 1, k, strlen(k));
    store_bind_int64(st, 2, e->batch);
    store_bind_int64(st, 3, e->stan);
    store_bind_text(st, 4, e->when, strlen(e->when));
    store_bind_int64(st, 5, e->amount);
    store_bind_int64(st, 6, pc->currency);
    store_bind_text(st, 7, e->pan_masked, strlen(e->pan_masked));
    store_bind_text(st, 8, e->expiry, strlen(e->expiry));
    if (e->pan_enc_len > 0) {
        store_bind_blob(st, 9, e->pan_enc, e->pan_enc_len);
        store_bind_blob(st, 10, e->lookup, sizeof(e->lookup));
    } else {
        store_bind_null(st, 9);
        store_bind_null(st, 10);
    }
    store_bind_text(st, 11, e->status, strlen(e->status));
    if (e->orig_id > 0)
        store_bind_int64(st, 12, e->orig_id);
    else
        store_bind_null(st, 12);
    store_bind_int64(st, 13, now);
    store_bind_int64(st, 14, now);
    if (e->sale_id > 0)
        store_bind_int64(st, 15, e->sale_id);
    else
        store_bind_null(st, 15);
    if (e->entry != NULL)
        store_bind_text(st, 16, e->entry, strlen(e->entry));
    else
        store_bind_null(st, 16);
    if ((rc = pj_done(store_step(st))) == POS_OK)
        *id = store_last_insert_id(pc->db);
    return rc;
}

int payclient__journal_answer(struct payclient *pc, int64_t id, const char *status,
                              const struct posmsg_reply *r)
{
    struct store_stmt *st;
    int rc = store_prepare(pc->db,
                           "UPDATE pay_journal SET status = ?, rc = ?, rrn = ?,"
                           " auth = CASE WHEN ? = '' THEN auth ELSE ? END, updated_at = ?"
                           " WHERE id = ?",
                           &st);

    if (rc != POS_OK)
        return rc;
    store_bind_text(st, 1, status, strlen(status));
    store_bind_text(st, 2, r != NULL ? r->rc : "", r != NULL ? strlen(r->rc) : 0);
    store_bind_text(st, 3, r != NULL ? r->rrn : "", r != NULL ? strlen(r->rrn) : 0);
    store_bind_text(st, 4, r != NULL ? r->auth : "", r != NULL ? strlen(r->auth) : 0);
    store_bind_text(st, 5, r != NULL ? r->auth : "", r != NULL ? strlen(r->auth) : 0);
    store_bind_int64(st, 6, tstore_now_ms());
    store_bind_int64(st, 7, id);
    return pj_done(store_step(st));
}

int payclient__reversal_add(struct payclient *pc, int64_t journal_id, const struct posmsg_sent *s)
{
    struct store_stmt *st;
    int rc = store_prepare(pc->db,
                           "INSERT INTO pay_reversals (journal_id, kind, mti, proc, stan, sent_time,"
                           " cond, f60, has_amount, amount, mac, created_at)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           &st);

    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, journal_id);
    store_bind_int64(st, 2, (int64_t)s->kind);
    store_bind_text(st, 3, s->mti, strlen(s->mti));
    store_bind_text(st, 4, s->proc, strlen(s->proc));
    store_bind_text(st, 5, s->stan, strlen(s->stan));
    store_bind_text(st, 6, s->when, strlen(s->when));
    store_bind_text(st, 7, s->cond, strlen(s->cond));
    store_bind_text(st, 8, s->f60, strlen(s->f60));
    store_bind_int64(st, 9, s->has_amount ? 1 : 0);
    store_bind_int64(st, 10, s->amount);
    store_bind_int64(st, 11, s->mac ? 1 : 0);
    store_bind_int64(st, 12, tstore_now_ms());
    return pj_done(store_step(st));
}

int payclient__find_orig(struct payclient *pc, uint32_t batch, uint32_t stan, int64_t *id,
                         int64_t *amount, char date[5], char kind[12], char status[10])
{
    struct store_stmt *st;
    const char *s;
    int rc = store_prepare(pc->db,
                           "SELECT id, amount, sent_time, kind, status FROM pay_journal"
                           " WHERE batch = ? AND stan = ? ORDER BY id DESC LIMIT 1",
                           &st);

    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, batch);
    store_bind_int64(st, 2, stan);
    rc = store_step(st);
    if (rc == STORE_DONE)
        return POS_ERR_NOT_FOUND;
    if (rc != STORE_ROW)
        return rc;
    *id = store_column_int64(st, 0);
    *amount = store_column_int64(st, 1);
    s = store_column_text(st, 2, NULL);
    snprintf(date, 5, "%.4s", s != NULL ? s : "");
    s = store_column_text(st, 3, NULL);
    snprintf(kind, 12, "%s", s != NULL ? s : "");
    s = store_column_text(st, 4, NULL);
    snprintf(status, 10, "%s", s != NULL ? s : "");
    return store_reset(st);
}

int payclient_totals(struct store *db, uint32_t batch, struct posmsg_totals *t,
                     struct pos_errdetail *d)
{
    struct store_stmt *st;
    int rc;

    (void)d;
    memset(t, 0, sizeof(*t));
    rc = store_prepare(db,
                       "SELECT"
                       " coalesce(sum(CASE WHEN kind IN ('purchase', 'completion') THEN 1 ELSE 0"
                       "  END), 0),"
                       " coalesce(sum(CASE WHEN kind IN ('purchase', 'completion') THEN amount"
                       "  ELSE 0 END), 0),"
                       " coalesce(sum(CASE WHEN kind = 'refund' THEN 1 ELSE 0 END), 0),"
                       " coalesce(sum(CASE WHEN kind = 'refund' THEN amount ELSE 0 END), 0)"
                       " FROM pay_journal WHERE batch = ? AND status IN ('approved', 'offline')",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, batch);
    rc = store_step(st);
    if (rc != STORE_ROW)
        return rc == STORE_DONE ? POS_ERR_DB : rc;
    t->debit_count = (uint32_t)store_column_int64(st, 0);
    t->debit_amount = store_column_int64(st, 1);
    t->credit_count = (uint32_t)store_column_int64(st, 2);
    t->credit_amount = store_column_int64(st, 3);
    return store_reset(st);
}
