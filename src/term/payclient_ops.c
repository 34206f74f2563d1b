/*
 * payclient_ops: the operations and their state machine (payclient.h):
 * sign-on, card requests, reversals, store-and-forward, settlement.
 */
#include <stdio.h>
#include <string.h>

#include "card.h"
#include "hex.h"
#include "mem.h"
#include "term/payclient_int.h"
#include "term/tstore.h"

/* A request on the wire: what po_send built and what came back. */
struct po_xfer {
    uint8_t msg[POSMSG_MAX];
    size_t len;
    struct posmsg_sent sent;
    struct posmsg_reply r;
    int64_t journal_id;
};

static void po_xfer_clear(struct po_xfer *x)
{
    pos_wipe(x->msg, sizeof(x->msg));
    posmsg_sent_clear(&x->sent);
}

static int po_commit_or_rollback(struct store *db, int rc)
{
    if (rc == POS_OK)
        rc = store_commit(db);
    if (rc != POS_OK && store_is_in_transaction(db))
        store_rollback(db);
    return rc;
}

/* Builds rq and records it durably (counters; journal row e when not NULL;
 * a pending reversal when reversible) in one transaction, then exchanges
 * it. Returns POS_OK with *outcome set, or an error before anything was
 * sent (bad input; nothing recorded). */
static int po_send(struct payclient *pc, struct posmsg_request *rq, struct payclient__entry *e,
                   struct po_xfer *x, enum payclient_outcome *outcome, struct pos_errdetail *d)
{
    char when[11];
    uint32_t stan0 = posmsg_terminal_stan(&pc->t);
    int rc;

    payclient__when(when);
    rq->when = when;
    x->journal_id = 0;
    rc = posmsg_build(&pc->t, rq, x->msg, sizeof(x->msg), &x->len, &x->sent, d);
    if (rc != POS_OK)
        return rc;
    if ((rc = store_begin(pc->db)) != POS_OK)
        goto out;
    rc = payclient__save_counters(pc);
    if (rc == POS_OK && e != NULL) {
        e->batch = posmsg_terminal_batch(&pc->t);
        e->stan = posmsg_terminal_stan(&pc->t);
        memcpy(e->when, when, sizeof(e->when));
        e->status = "pending";
        rc = payclient__journal_add(pc, e, &x->journal_id);
    }
    if (rc == POS_OK && e != NULL && payclient_kind_is_reversible(rq->kind))
        rc = payclient__reversal_add(pc, x->journal_id, &x->sent);
    rc = po_commit_or_rollback(pc->db, rc);
out:
    if (rc != POS_OK) {
        posmsg_terminal_set_stan(&pc->t, stan0);
        return rc;
    }
    *outcome = payclient__exchange(pc, x->msg, x->len, &x->sent, &x->r);
    return POS_OK;
}

/* Records a good answer for journal row id: its outcome, the reversal
 * cleared, the original voided when a void or cancel was approved. */
static int po_record(struct payclient *pc, int64_t id, int64_t orig_id, enum posmsg_kind kind,
                     const struct posmsg_reply *r)
{
    struct store_stmt *st;
    bool ok = posmsg_reply_is_approved(r);
    int rc;

    if ((rc = store_begin(pc->db)) != POS_OK)
        return rc;
    rc = payclient__journal_answer(pc, id, ok ? "approved" : "declined", r);
    if (rc == POS_OK &&
        (rc = store_prepare(pc->db, "DELETE FROM pay_reversals WHERE journal_id = ?", &st)) ==
            POS_OK) {
        store_bind_int64(st, 1, id);
        rc = store_step(st) == STORE_DONE ? POS_OK : POS_ERR_DB;
    }
    if (rc == POS_OK && ok && orig_id > 0 &&
        (kind == POSMSG_VOID || kind == POSMSG_PREAUTH_CANCEL || kind == POSMSG_COMPLETION)) {
        rc = store_prepare(pc->db,
                           "UPDATE pay_journal SET status = 'voided' WHERE id = ? AND status ="
                           " 'approved'",
                           &st);
        if (rc == POS_OK) {
            store_bind_int64(st, 1, orig_id);
            rc = store_step(st) == STORE_DONE ? POS_OK : POS_ERR_DB;
        }
    }
    return po_commit_or_rollback(pc->db, rc);
}

int payclient_signon(struct payclient *pc, struct payclient_result *res, struct pos_errdetail *d)
{
    struct posmsg_request rq;
    struct po_xfer x;
    enum payclient_outcome o = PAYCLIENT_UNREACHABLE;
    int rc;

    memset(res, 0, sizeof(*res));
    memset(&rq, 0, sizeof(rq));
    memset(&x, 0, sizeof(x));
    snprintf(res->status, sizeof(res->status), "failed");
    if (payclient__connect(pc) != POS_OK) {
        rc = pos_errdetail_set(d, POS_ERR_IO, -1, POS_NO_OFFSET, "cannot reach the host %s",
                               pc->id.host);
        goto out;
    }
    rq.kind = strcmp(pc->id.scheme, "mksk-tdes") == 0 ? POSMSG_SIGNON : POSMSG_ECHO;
    if ((rc = po_send(pc, &rq, NULL, &x, &o, d)) != POS_OK)
        goto out;
    if (o != PAYCLIENT_ANSWERED) {
        rc = pos_errdetail_set(d, POS_ERR_IO, -1, POS_NO_OFFSET, "no answer from the host %s to the %s",
                               pc->id.host, posmsg_kind_name(rq.kind));
        goto out;
    }
    snprintf(res->rc, sizeof(res->rc), "%s", x.r.rc);
    snprintf(res->status, sizeof(res->status), "%s",
             posmsg_reply_is_approved(&x.r) ? "approved" : "declined");
    res->stan = posmsg_terminal_stan(&pc->t);
    rc = payclient__save_counters(pc); /* the host's batch, from the 0810 */
    res->batch = posmsg_terminal_batch(&pc->t);
out:
    po_xfer_clear(&x);
    return rc;
}

/* Connects and signs on when the terminal has no working keys. */
static int po_ready(struct payclient *pc, struct pos_errdetail *d)
{
    struct payclient_result r;
    int rc;

    if (payclient__connect(pc) != POS_OK)
        return pos_errdetail_set(d, POS_ERR_IO, -1, POS_NO_OFFSET, "cannot reach the host %s",
                                 pc->id.host);
    if (posmsg_terminal_is_ready(&pc->t))
        return POS_OK;
    if ((rc = payclient_signon(pc, &r, d)) != POS_OK)
        return rc;
    if (strcmp(r.status, "approved") != 0)
        return pos_errdetail_set(d, POS_ERR_DENIED, 39, POS_NO_OFFSET,
                                 "sign-on refused by the host (response code %s)", r.rc);
    return POS_OK;
}

/* ---- reversals ---- */

/* The oldest pending reversal into *s; *found false when none. */
static int po_next_reversal(struct payclient *pc, struct posmsg_sent *s, int64_t *jid, int *tries,
                            bool *found)
{
    struct store_stmt *st;
    const char *v;
    int rc = store_prepare(pc->db,
                           "SELECT journal_id, kind, mti, proc, stan, sent_time, cond, f60,"
                           " has_amount, amount, mac, tries FROM pay_reversals ORDER BY id LIMIT 1",
                           &st);

    *found = false;
    memset(s, 0, sizeof(*s));
    if (rc != POS_OK)
        return rc;
    rc = store_step(st);
    if (rc == STORE_DONE)
        return POS_OK;
    if (rc != STORE_ROW)
        return rc;
    *jid = store_column_int64(st, 0);
    s->kind = (enum posmsg_kind)store_column_int64(st, 1);
#define PO_TXT(i, f)                                                                               \
    do {                                                                                           \
        v = store_column_text(st, i, NULL);                                                        \
        snprintf(f, sizeof(f), "%s", v != NULL ? v : "");                                          \
    } while (0)
    PO_TXT(2, s->mti);
    PO_TXT(3, s->proc);
    PO_TXT(4, s->stan);
    PO_TXT(5, s->when);
    PO_TXT(6, s->cond);
    PO_TXT(7, s->f60);
#undef PO_TXT
    s->has_amount = store_column_int64(st, 8) != 0;
    s->amount = store_column_int64(st, 9);
    s->mac = store_column_int64(st, 10) != 0;
    *tries = (int)store_column_int64(st, 11);
    *found = true;
    return store_reset(st);
}

static int po_exec_id(struct payclient *pc, const char *sql, int64_t id)
{
    struct store_stmt *st;
    int rc = store_prepare(pc->db, sql, &st);

    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, id);
    return store_step(st) == STORE_DONE ? POS_OK : POS_ERR_DB;
}

/* Sends the reversals; needs a ready terminal (po_ready). */
static int po_reverse_all(struct payclient *pc, int *count, struct pos_errdetail *d)
{
    struct posmsg_sent orig;
    struct po_xfer x;
    enum payclient_outcome o;
    char when[11];
    int64_t jid = 0;
    int tries = 0, resigns = 0, rc;
    bool found;

    memset(&x, 0, sizeof(x));
    for (;;) {
        if ((rc = po_next_reversal(pc, &orig, &jid, &tries, &found)) != POS_OK || !found)
            goto out;
        payclient__when(when);
        rc = posmsg_build_reversal(&pc->t, &orig, tries > 0, when, x.msg, sizeof(x.msg), &x.len,
                                   &x.sent, d);
        if (rc != POS_OK)
            goto out;
        if ((rc = store_begin(pc->db)) == POS_OK) {
            rc = payclient__save_counters(pc);
            if (rc == POS_OK)
                rc = po_exec_id(pc, "UPDATE pay_reversals SET tries = tries + 1 WHERE journal_id = ?",
                                jid);
            rc = po_commit_or_rollback(pc->db, rc);
        }
        if (rc != POS_OK)
            goto out;
        o = payclient__exchange(pc, x.msg, x.len, &x.sent, &x.r);
        if (o == PAYCLIENT_ANSWERED && strcmp(x.r.rc, "77") == 0 && resigns++ == 0) {
            struct payclient_result sr;

            if ((rc = payclient_signon(pc, &sr, d)) != POS_OK)
                goto out;
            continue;
        }
        if (o != PAYCLIENT_ANSWERED || (strcmp(x.r.rc, "00") != 0 && strcmp(x.r.rc, "25") != 0)) {
            rc = pos_errdetail_set(d, POS_ERR_IO, -1, POS_NO_OFFSET,
                                   o == PAYCLIENT_ANSWERED
                                       ? "the host refused a reversal (response code %s)"
                                       : "a pending reversal is still unanswered%s",
                                   o == PAYCLIENT_ANSWERED ? x.r.rc : "");
            goto out;
        }
        if ((rc = store_begin(pc->db)) == POS_OK) {
            rc = po_exec_id(pc, "DELETE FROM pay_reversals WHERE journal_id = ?", jid);
            if (rc == POS_OK)
                rc = po_exec_id(pc,
                                "UPDATE pay_journal SET status = 'reversed' WHERE id = ?", jid);
            rc = po_commit_or_rollback(pc->db, rc);
        }
        if (rc != POS_OK)
            goto out;
        (*count)++;
        po_xfer_clear(&x);
    }
out:
    po_xfer_clear(&x);
    return rc;
}

int payclient_flush_reversals(struct payclient *pc, int *sent, struct pos_errdetail *d)
{
    int n = 0, rc = po_ready(pc, d);

    if (rc == POS_OK)
        rc = po_reverse_all(pc, &n, d);
    if (sent != NULL)
        *sent = n;
    return rc;
}

/* ---- card data ---- */

/* Checks the card of op into card and the entry's masked and encrypted
 * PAN. pan is the caller's buffer (wiped by it). */
static int po_card(struct payclient *pc, const struct payclient_op *op, struct posmsg_card *card,
                   struct payclient__entry *e, char *pan, size_t pan_cap, struct pos_errdetail *d)
{
    struct card_track tr;
    const char *p, *x;
    size_t n = 0, xn = 0;
    unsigned yy, mm;
    int rc;

    card_track_init(&tr);
    memset(card, 0, sizeof(*card));
    if (op->track2 != NULL) {
        if ((rc = card_track2_parse(op->track2, strlen(op->track2), &tr, d)) != POS_OK)
            goto out;
        p = card_track_get(&tr, CARD_TRACK_PAN, &n);
        x = card_track_get(&tr, CARD_TRACK_EXPIRY, &xn);
        card->track2 = op->track2;
    } else if (op->pan != NULL && op->expiry != NULL) {
        p = op->pan;
        n = strlen(p);
        x = op->expiry;
        xn = strlen(x);
        card->pan = op->pan;
        card->expiry = op->expiry;
    } else {
        rc = pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                               "a card is needed: track 2, or PAN and expiry");
        goto out;
    }
    if (p == NULL || n >= pan_cap || x == NULL || xn != 4 || !pos_is_digits(x, 4)) {
        rc = pos_errdetail_set(d, POS_ERR_CARD_TRACK, -1, POS_NO_OFFSET,
                               "the card has no PAN or no YYMM expiry");
        goto out;
    }
    /* a keyed expiry is typed by a person: its month must be one (track 2
     * is left as the card carries it: docs/card.md) */
    if (op->track2 == NULL && (rc = card_expiry_parse(x, 4, &yy, &mm, NULL)) != POS_OK) {
        rc = pos_errdetail_set(d, POS_ERR_CARD_EXPIRY, -1, POS_NO_OFFSET,
                               "expiry: YYMM with a month 01 to 12");
        goto out;
    }
    /* the PIN's form before anything is sent (its block is built later) */
    if (op->pin != NULL && (strlen(op->pin) < 4 || strlen(op->pin) > 12)) {
        rc = pos_errdetail_set(d, POS_ERR_PIN_LENGTH, 52, POS_NO_OFFSET,
                               "PIN must be 4 to 12 digits");
        goto out;
    }
    if (op->pin != NULL && !pos_is_digits(op->pin, strlen(op->pin))) {
        rc = pos_errdetail_set(d, POS_ERR_DIGIT, 52, POS_NO_OFFSET, "PIN must be 4 to 12 digits");
        goto out;
    }
    if ((rc = card_pan_check(p, n, NULL, d)) != POS_OK)
        goto out;
    memcpy(pan, p, n);
    pan[n] = '\0';
    memcpy(e->expiry, x, 4);
    e->expiry[4] = '\0';
    if ((rc = card_pan_mask(pan, n, e->pan_masked, sizeof(e->pan_masked))) != POS_OK)
        goto out;
    rc = panprot_encrypt(&pc->pk, pan, n, NULL, e->pan_enc, sizeof(e->pan_enc), &e->pan_enc_len,
                         e->lookup);
    card->pin = op->pin;
    if (rc == POS_OK && op->icc != NULL) {
        if (op->icc_len < 1 || op->icc_len > POSMSG_ICC_MAX) {
            rc = pos_errdetail_set(d, POS_ERR_LENGTH, 55, POS_NO_OFFSET,
                                   "chip data: 1 to 255 bytes");
            goto out;
        }
        card->icc = op->icc;
        card->icc_len = op->icc_len;
    }
out:
    card_track_clear(&tr);
    return rc;
}

/* Decrypts the PAN of a journal row (pan_enc, lookup) into pan. */
static int po_pan_of(struct payclient *pc, struct store_stmt *st, int col, char *pan, size_t cap)
{
    size_t n = 0, ln = 0, pl = 0;
    const uint8_t *enc = store_column_blob(st, col, &n);
    const uint8_t *lk = store_column_blob(st, col + 1, &ln);

    if (enc == NULL || lk == NULL || ln != PANPROT_LOOKUP_LEN)
        return POS_ERR_NOT_FOUND;
    return panprot_decrypt(&pc->pk, enc, n, lk, pan, cap, &pl);
}

/* ---- operations ---- */

static void po_result(struct payclient_result *res, const struct payclient__entry *e,
                      const struct po_xfer *x, const char *status)
{
    snprintf(res->status, sizeof(res->status), "%s", status);
    snprintf(res->rc, sizeof(res->rc), "%s", x->r.rc);
    snprintf(res->rrn, sizeof(res->rrn), "%s", x->r.rrn);
    snprintf(res->auth, sizeof(res->auth), "%s", x->r.auth);
    snprintf(res->pan_masked, sizeof(res->pan_masked), "%s", e->pan_masked);
    res->stan = e->stan;
    res->batch = e->batch;
    res->amount = e->amount;
    res->journal_id = x->journal_id;
    res->has_balance = x->r.has_balance;
    res->balance = x->r.balance;
}

/* The offline approval of a purchase the host could not be reached for. */
static int po_offline(struct payclient *pc, struct payclient__entry *e,
                      struct payclient_result *res)
{
    struct store_stmt *st;
    uint32_t stan = posmsg_terminal_stan(&pc->t);
    int64_t id = 0;
    int rc;

    stan = stan >= POSMSG_STAN_MAX ? 1 : stan + 1;
    if ((rc = posmsg_terminal_set_stan(&pc->t, stan)) != POS_OK)
        return rc;
    e->stan = stan;
    e->batch = posmsg_terminal_batch(&pc->t);
    e->status = "offline";
    payclient__when(e->when);
    if ((rc = store_begin(pc->db)) != POS_OK)
        return rc;
    rc = payclient__save_counters(pc);
    if (rc == POS_OK)
        rc = payclient__journal_add(pc, e, &id);
    snprintf(res->auth, sizeof(res->auth), "Y1%04u", (unsigned)(stan % 10000));
    if (rc == POS_OK && (rc = store_prepare(pc->db,
                                            "UPDATE pay_journal SET auth = ?, rc = 'Y1' WHERE id = ?",
                                            &st)) == POS_OK) {
        store_bind_text(st, 1, res->auth, strlen(res->auth));
        store_bind_int64(st, 2, id);
        rc = store_step(st) == STORE_DONE ? POS_OK : POS_ERR_DB;
    }
    if (rc == POS_OK && (rc = store_prepare(pc->db,
                                            "INSERT INTO pay_saf (journal_id, created_at)"
                                            " VALUES (?, ?)",
                                            &st)) == POS_OK) {
        store_bind_int64(st, 1, id);
        store_bind_int64(st, 2, tstore_now_ms());
        rc = store_step(st) == STORE_DONE ? POS_OK : POS_ERR_DB;
    }
    if ((rc = po_commit_or_rollback(pc->db, rc)) != POS_OK)
        return rc;
    snprintf(res->status, sizeof(res->status), "offline");
    snprintf(res->rc, sizeof(res->rc), "Y1");
    snprintf(res->pan_masked, sizeof(res->pan_masked), "%s", e->pan_masked);
    res->stan = stan;
    res->batch = e->batch;
    res->amount = e->amount;
    res->journal_id = id;
    return POS_OK;
}

/* Fills the original of a void, completion, cancel or refund. */
static int po_orig(struct payclient *pc, const struct payclient_op *op, struct posmsg_orig *o,
                   char date[5], int64_t *orig_id, int64_t *orig_amount, struct pos_errdetail *d)
{
    struct store_stmt *st;
    char kind[12], status[10];
    const char *want = op->kind == POSMSG_VOID ? "purchase" : "preauth";
    const char *s;
    int rc;

    if (op->kind == POSMSG_REFUND) {
        if (op->orig_rrn == NULL || strlen(op->orig_rrn) != 12)
            return pos_errdetail_set(d, POS_ERR_INVAL, 37, POS_NO_OFFSET,
                                     "refund: the original's RRN (12 characters) is needed");
        rc = store_prepare(pc->db,
                           "SELECT id, batch, stan, sent_time FROM pay_journal WHERE rrn = ?"
                           " AND status IN ('approved', 'voided') ORDER BY id DESC LIMIT 1",
                           &st);
        if (rc != POS_OK)
            return rc;
        store_bind_text(st, 1, op->orig_rrn, 12);
        if ((rc = store_step(st)) != STORE_ROW)
            return rc == STORE_DONE ? pos_errdetail_set(d, POS_ERR_NOT_FOUND, 37, POS_NO_OFFSET,
                                                        "no payment with that RRN in the journal")
                                    : rc;
        *orig_id = store_column_int64(st, 0);
        o->batch = (uint32_t)store_column_int64(st, 1);
        o->stan = (uint32_t)store_column_int64(st, 2);
        s = store_column_text(st, 3, NULL);
        snprintf(date, 5, "%.4s", s != NULL ? s : "");
        store_reset(st);
        o->date = date;
        o->rrn = op->orig_rrn;
        return POS_OK;
    }
    o->batch = posmsg_terminal_batch(&pc->t);
    o->stan = op->orig_stan;
    rc = payclient__find_orig(pc, o->batch, op->orig_stan, orig_id, orig_amount, date, kind,
                              status);
    if (rc == POS_ERR_NOT_FOUND)
        return pos_errdetail_set(d, POS_ERR_NOT_FOUND, 61, POS_NO_OFFSET,
                                 "no payment with STAN %06u in the open batch",
                                 (unsigned)op->orig_stan);
    if (rc != POS_OK)
        return rc;
    if ((strcmp(kind, want) != 0 && !(op->kind == POSMSG_VOID && strcmp(kind, "completion") == 0)) ||
        strcmp(status, "approved") != 0)
        return pos_errdetail_set(d, POS_ERR_STATE, 61, POS_NO_OFFSET,
                                 "STAN %06u is a %s %s, not an approved %s",
                                 (unsigned)op->orig_stan, status, kind, want);
    o->date = date;
    return POS_OK;
}

int payclient_run(struct payclient *pc, const struct payclient_op *op,
                  struct payclient_result *res, struct pos_errdetail *d)
{
    struct payclient__entry e;
    struct posmsg_card card;
    struct posmsg_orig orig;
    struct posmsg_request rq;
    struct po_xfer x;
    enum payclient_outcome o = PAYCLIENT_UNREACHABLE;
    enum payclient_action act;
    char pan[24], date[5];
    struct payclient_result sr;
    int64_t orig_id = 0, orig_amount = 0;
    bool retried = false, has_card, online;
    int rc;

    memset(res, 0, sizeof(*res));
    memset(&e, 0, sizeof(e));
    memset(&rq, 0, sizeof(rq));
    memset(&orig, 0, sizeof(orig));
    memset(&x, 0, sizeof(x));
    memset(pan, 0, sizeof(pan));
    snprintf(res->status, sizeof(res->status), "failed");
    rq.kind = op->kind;
    if (payclient__kind_text(op->kind) == NULL || op->kind == POSMSG_ADVICE) {
        rc = pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "not a card operation");
        goto out;
    }
    has_card = op->track2 != NULL || op->pan != NULL;
    if ((has_card || op->kind == POSMSG_PURCHASE || op->kind == POSMSG_BALANCE ||
         op->kind == POSMSG_PREAUTH) &&
        (rc = po_card(pc, op, &card, &e, pan, sizeof(pan), d)) != POS_OK)
        goto out;
    rq.card = has_card ? &card : NULL;
    if (has_card)
        e.entry = op->icc != NULL ? "chip" : op->track2 != NULL ? "swipe" : "keyed";
    if (op->kind == POSMSG_VOID || op->kind == POSMSG_COMPLETION ||
        op->kind == POSMSG_PREAUTH_CANCEL || op->kind == POSMSG_REFUND) {
        if ((rc = po_orig(pc, op, &orig, date, &orig_id, &orig_amount, d)) != POS_OK)
            goto out;
        rq.orig = &orig;
        e.orig_id = orig_id;
    }
    e.kind = op->kind;
    e.amount = op->amount;
    e.sale_id = op->sale_id;
    if ((op->kind == POSMSG_VOID || op->kind == POSMSG_PREAUTH_CANCEL) && e.amount == 0)
        e.amount = orig_amount;
    rq.amount = op->kind == POSMSG_BALANCE ? 0 : e.amount;
    if (op->kind != POSMSG_BALANCE && (rq.amount < 1 || rq.amount > 999999999999LL)) {
        rc = pos_errdetail_set(d, POS_ERR_RANGE, 4, POS_NO_OFFSET, "amount out of range");
        goto out;
    }
    /* the host first: connect, sign on, the reversals owed */
    online = payclient__connect(pc) == POS_OK;
    if (online && (rc = po_ready(pc, d)) != POS_OK && rc != POS_ERR_IO)
        goto out;
    online = online && rc == POS_OK;
    if (online && (rc = po_reverse_all(pc, &res->reversals_sent, d)) != POS_OK &&
        rc != POS_ERR_IO)
        goto out;
    /* no sign-on or a reversal still owed: the host counts as unreachable,
     * nothing of this operation was sent */
    online = online && rc == POS_OK;
    rc = POS_OK;
    for (;;) {
        if (online && (rc = po_send(pc, &rq, &e, &x, &o, d)) != POS_OK)
            goto out;
        act = payclient_decide(op->kind, o, o == PAYCLIENT_ANSWERED ? x.r.rc : NULL, retried,
                               e.amount, pc->floor_limit);
        if (act != PAYCLIENT_RESIGN)
            break;
        if ((rc = po_record(pc, x.journal_id, 0, op->kind, &x.r)) != POS_OK ||
            (rc = payclient_signon(pc, &sr, d)) != POS_OK)
            goto out;
        retried = true;
        po_xfer_clear(&x);
    }
    rc = POS_OK;
    switch (act) {
    case PAYCLIENT_RECORD:
        rc = po_record(pc, x.journal_id, orig_id, op->kind, &x.r);
        po_result(res, &e, &x, posmsg_reply_is_approved(&x.r) ? "approved" : "declined");
        break;
    case PAYCLIENT_OFFLINE:
        rc = po_offline(pc, &e, res);
        break;
    case PAYCLIENT_REVERSE:
        po_result(res, &e, &x, "failed");
        rc = pos_errdetail_set(d, POS_ERR_IO, -1, POS_NO_OFFSET,
                               "no answer from the host: the payment will be reversed");
        break;
    default:
        if (x.journal_id > 0)
            payclient__journal_answer(pc, x.journal_id, "failed", NULL);
        rc = pos_errdetail_set(d, POS_ERR_IO, -1, POS_NO_OFFSET,
                               o == PAYCLIENT_UNREACHABLE
                                   ? "cannot reach the host %s (offline approval: at most the"
                                     " floor limit)"
                                   : "no answer from the host %s",
                               pc->id.host);
        break;
    }
out:
    pos_wipe(pan, sizeof(pan));
    pos_wipe(&e, sizeof(e));
    po_xfer_clear(&x);
    return rc;
}

/* ---- store-and-forward ---- */

int payclient_flush_saf(struct payclient *pc, int *sent, struct pos_errdetail *d)
{
    struct posmsg_request rq;
    struct posmsg_card card;
    struct store_stmt *st;
    struct po_xfer x;
    enum payclient_outcome o;
    char pan[24], expiry[5], when[11];
    const char *s;
    uint32_t stan, saved;
    int64_t jid, amount;
    int n = 0, rc;

    memset(&x, 0, sizeof(x));
    memset(pan, 0, sizeof(pan));
    if ((rc = po_ready(pc, d)) != POS_OK || (rc = po_reverse_all(pc, &n, d)) != POS_OK)
        goto out;
    n = 0;
    for (;;) {
        rc = store_prepare(pc->db,
                           "SELECT j.id, j.stan, j.sent_time, j.amount, j.expiry, j.pan_enc,"
                           " j.pan_lookup FROM pay_saf s JOIN pay_journal j ON j.id = s.journal_id"
                           " ORDER BY s.id LIMIT 1",
                           &st);
        if (rc != POS_OK)
            goto out;
        if ((rc = store_step(st)) != STORE_ROW) {
            rc = rc == STORE_DONE ? POS_OK : rc;
            goto out;
        }
        jid = store_column_int64(st, 0);
        stan = (uint32_t)store_column_int64(st, 1);
        s = store_column_text(st, 2, NULL);
        snprintf(when, sizeof(when), "%s", s != NULL ? s : "");
        amount = store_column_int64(st, 3);
        s = store_column_text(st, 4, NULL);
        snprintf(expiry, sizeof(expiry), "%s", s != NULL ? s : "");
        rc = po_pan_of(pc, st, 5, pan, sizeof(pan));
        store_reset(st);
        if (rc != POS_OK)
            goto out;
        memset(&card, 0, sizeof(card));
        card.pan = pan;
        card.expiry = expiry;
        memset(&rq, 0, sizeof(rq));
        rq.kind = POSMSG_ADVICE;
        rq.when = when;
        rq.amount = amount;
        rq.card = &card;
        /* the advice keeps the offline approval's STAN and time, so a resent
         * advice is the same request to the host */
        saved = posmsg_terminal_stan(&pc->t);
        posmsg_terminal_set_stan(&pc->t, stan - 1);
        rc = posmsg_build(&pc->t, &rq, x.msg, sizeof(x.msg), &x.len, &x.sent, d);
        posmsg_terminal_set_stan(&pc->t, saved);
        pos_wipe(pan, sizeof(pan));
        if (rc != POS_OK)
            goto out;
        if ((rc = store_begin(pc->db)) == POS_OK) {
            rc = payclient__save_counters(pc);
            if (rc == POS_OK)
                rc = po_exec_id(pc, "UPDATE pay_saf SET tries = tries + 1 WHERE journal_id = ?",
                                jid);
            if ((rc = po_commit_or_rollback(pc->db, rc)) != POS_OK)
                goto out;
        }
        o = payclient__exchange(pc, x.msg, x.len, &x.sent, &x.r);
        if (o != PAYCLIENT_ANSWERED) {
            rc = pos_errdetail_set(d, POS_ERR_IO, -1, POS_NO_OFFSET,
                                   "no answer to an advice: it stays queued");
            goto out;
        }
        if ((rc = store_begin(pc->db)) == POS_OK) {
            rc = payclient__journal_answer(pc, jid,
                                           posmsg_reply_is_approved(&x.r) ? "approved" : "declined",
                                           &x.r);
            if (rc == POS_OK)
                rc = po_exec_id(pc, "DELETE FROM pay_saf WHERE journal_id = ?", jid);
            if ((rc = po_commit_or_rollback(pc->db, rc)) != POS_OK)
                goto out;
        }
        n++;
        po_xfer_clear(&x);
    }
out:
    if (sent != NULL)
        *sent = n;
    pos_wipe(pan, sizeof(pan));
    po_xfer_clear(&x);
    return rc;
}

/* ---- settlement ---- */

static int po_settle_once(struct payclient *pc, struct posmsg_totals *t, bool *balanced,
                          struct pos_errdetail *d)
{
    struct posmsg_request rq;
    struct po_xfer x;
    enum payclient_outcome o = PAYCLIENT_LOST;
    int rc;

    memset(&rq, 0, sizeof(rq));
    memset(&x, 0, sizeof(x));
    if ((rc = payclient_totals(pc->db, posmsg_terminal_batch(&pc->t), t, d)) != POS_OK)
        goto out;
    rq.kind = POSMSG_SETTLE;
    rq.totals = t;
    if ((rc = po_send(pc, &rq, NULL, &x, &o, d)) != POS_OK)
        goto out;
    if (o != PAYCLIENT_ANSWERED || !posmsg_reply_is_approved(&x.r)) {
        rc = pos_errdetail_set(d, POS_ERR_IO, -1, POS_NO_OFFSET,
                               o == PAYCLIENT_ANSWERED ? "settlement refused (response code %s)"
                                                       : "no answer to the settlement%s",
                               o == PAYCLIENT_ANSWERED ? x.r.rc : "");
        goto out;
    }
    *balanced = x.r.settle_result == 1;
out:
    po_xfer_clear(&x);
    return rc;
}

/* 0320: every entry of the batch the totals count; offline ones leave the
 * queue once the host has them. */
static int po_upload(struct payclient *pc, int *count, struct pos_errdetail *d)
{
    struct posmsg_request rq;
    struct posmsg_card card;
    struct store_stmt *st;
    struct po_xfer x;
    char pan[24], expiry[5], when[11], kind[12];
    const char *s;
    int64_t last = 0, jid, amount;
    uint32_t stan;
    int rc;

    memset(&x, 0, sizeof(x));
    memset(pan, 0, sizeof(pan));
    for (;;) {
        rc = store_prepare(pc->db,
                           "SELECT id, stan, sent_time, amount, expiry, pan_enc, pan_lookup, kind"
                           " FROM pay_journal WHERE batch = ? AND id > ? AND status IN"
                           " ('approved', 'offline') AND kind IN ('purchase', 'completion',"
                           " 'refund') AND pan_enc IS NOT NULL ORDER BY id LIMIT 1",
                           &st);
        if (rc != POS_OK)
            goto out;
        store_bind_int64(st, 1, posmsg_terminal_batch(&pc->t));
        store_bind_int64(st, 2, last);
        if ((rc = store_step(st)) != STORE_ROW) {
            rc = rc == STORE_DONE ? POS_OK : rc;
            goto out;
        }
        jid = last = store_column_int64(st, 0);
        stan = (uint32_t)store_column_int64(st, 1);
        s = store_column_text(st, 2, NULL);
        snprintf(when, sizeof(when), "%s", s != NULL ? s : "");
        amount = store_column_int64(st, 3);
        s = store_column_text(st, 4, NULL);
        snprintf(expiry, sizeof(expiry), "%s", s != NULL ? s : "");
        s = store_column_text(st, 7, NULL);
        snprintf(kind, sizeof(kind), "%s", s != NULL ? s : "");
        rc = po_pan_of(pc, st, 5, pan, sizeof(pan));
        store_reset(st);
        if (rc != POS_OK)
            goto out;
        memset(&card, 0, sizeof(card));
        card.pan = pan;
        card.expiry = expiry;
        memset(&rq, 0, sizeof(rq));
        rq.kind = POSMSG_UPLOAD;
        rq.amount = amount;
        rq.card = &card;
        rq.upload_stan = stan;
        rq.when = when;
        rq.upload_proc = strcmp(kind, "refund") == 0 ? "200000" : "000000";
        rc = posmsg_build(&pc->t, &rq, x.msg, sizeof(x.msg), &x.len, &x.sent, d);
        pos_wipe(pan, sizeof(pan));
        if (rc != POS_OK || (rc = payclient__save_counters(pc)) != POS_OK)
            goto out;
        if (payclient__exchange(pc, x.msg, x.len, &x.sent, &x.r) != PAYCLIENT_ANSWERED) {
            rc = pos_errdetail_set(d, POS_ERR_IO, -1, POS_NO_OFFSET,
                                   "no answer to the batch upload");
            goto out;
        }
        if (posmsg_reply_is_approved(&x.r)) {
            if ((rc = store_begin(pc->db)) == POS_OK) {
                rc = po_exec_id(pc, "DELETE FROM pay_saf WHERE journal_id = ?", jid);
                if (rc == POS_OK)
                    rc = po_exec_id(pc,
                                    "UPDATE pay_journal SET status = 'approved' WHERE id = ?",
                                    jid);
                if ((rc = po_commit_or_rollback(pc->db, rc)) != POS_OK)
                    goto out;
            }
        }
        (*count)++;
        po_xfer_clear(&x);
    }
out:
    pos_wipe(pan, sizeof(pan));
    po_xfer_clear(&x);
    return rc;
}

int payclient_settle(struct payclient *pc, struct payclient_settle_result *res,
                     struct pos_errdetail *d)
{
    uint32_t batch;
    int rc;

    memset(res, 0, sizeof(*res));
    if ((rc = po_ready(pc, d)) != POS_OK ||
        (rc = po_reverse_all(pc, &res->reversals_sent, d)) != POS_OK)
        return rc;
    batch = posmsg_terminal_batch(&pc->t);
    res->batch = res->new_batch = batch;
    if ((rc = po_settle_once(pc, &res->totals, &res->balanced, d)) != POS_OK)
        return rc;
    if (!res->balanced) {
        res->uploaded = true;
        if ((rc = po_upload(pc, &res->upload_count, d)) != POS_OK ||
            (rc = po_settle_once(pc, &res->totals, &res->balanced, d)) != POS_OK)
            return rc;
    }
    if (!res->balanced)
        return POS_OK;
    res->new_batch = batch >= POSMSG_STAN_MAX ? 1 : batch + 1;
    if ((rc = posmsg_terminal_set_batch(&pc->t, res->new_batch)) != POS_OK)
        return rc;
    if ((rc = store_begin(pc->db)) != POS_OK)
        return rc;
    rc = payclient__save_counters(pc);
    if (rc == POS_OK)
        rc = po_exec_id(pc,
                        "UPDATE pay_journal SET pan_enc = NULL, pan_lookup = NULL WHERE batch = ?",
                        batch);
    return po_commit_or_rollback(pc->db, rc);
}
