/* sale_return: voids, refunds and returns without a receipt (sale_return.h). */
#include "term/sale_return.h"

#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "term/catalog.h"
#include "term/sale_int.h"
#include "term/staff.h"
#include "term/stock.h"
#include "term/tstore.h"

#define SRET_PARTS_MAX (SALE_TENDERS_MAX * 4)

struct sret_line {
    int64_t sale_line_id; /* 0: without a receipt */
    int64_t item_id, qty, amount, tax;
    char sku[CATALOG_SKU_MAX + 1];
    char name[CATALOG_NAME_MAX + 1];
    char category[CATALOG_CATEGORY_MAX + 1];
};

struct sret_part {
    int64_t journal_id; /* the void or refund row */
    int64_t amount;
    char reference[SALE_REF_MAX + 1];
};

struct sret_plan {
    const char *kind; /* "void" or "refund" */
    int64_t sale_id;  /* 0: none */
    uint16_t currency;
    bool tax_included, restock;
    int64_t employee_id, authorized_by, shift_id;
    size_t n_lines, n_parts;
    struct sret_line lines[SALE_LINES_MAX];
    struct sret_part parts[SRET_PARTS_MAX];
    int64_t total, tax, card;
};

static int sret_err(struct pos_errdetail *d, int rc, const char *what)
{
    return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "%s", what);
}

int sret_prorata(int64_t v, int64_t num, int64_t den, int64_t *out)
{
    int64_t p;

    *out = 0;
    if (v < 0 || num < 0 || den <= 0)
        return POS_ERR_INVAL;
    if (__builtin_mul_overflow(v, num, &p) || p > INT64_MAX - den / 2)
        return POS_ERR_OVERFLOW;
    *out = (p + den / 2) / den; /* half up: non-negative operands */
    return POS_OK;
}

/* The sale line's id and what was returned of it so far. */
static int sret_line_done(struct store *db, int64_t sale_id, int64_t line_no, int64_t *line_id,
                          int64_t done[3])
{
    struct store_stmt *st;
    int rc = sale__one_int(db, "SELECT id FROM sale_lines WHERE sale_id = ? AND line_no = ?",
                           sale_id, line_no, line_id);

    if (rc != POS_OK)
        return rc;
    rc = store_prepare(
        db,
        "SELECT COALESCE(SUM(qty), 0), COALESCE(SUM(amount), 0), COALESCE(SUM(tax), 0)"
        " FROM return_lines WHERE sale_line_id = ?",
        &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, *line_id);
    if ((rc = store_step(st)) != STORE_ROW)
        return rc < 0 ? rc : POS_ERR_DB;
    done[0] = store_column_int64(st, 0);
    done[1] = store_column_int64(st, 1);
    done[2] = store_column_int64(st, 2);
    store_reset(st);
    return POS_OK;
}

int sret_qty_left(struct store *db, int64_t sale_id, int64_t line_no, int64_t *left)
{
    int64_t id, qty, done[3];
    int rc = sret_line_done(db, sale_id, line_no, &id, done);

    *left = 0;
    if (rc == POS_OK)
        rc = sale__one_int(db, "SELECT qty FROM sale_lines WHERE id = ?", id, INT64_MIN, &qty);
    if (rc == POS_OK)
        *left = qty - done[0];
    return rc;
}

/* The open shift, its employee and the supervisor's authorization. */
static int sret_who(struct store *db, const struct sret_auth *a, enum staff_right right,
                    int64_t now_ms, struct sret_plan *p, struct pos_errdetail *d)
{
    struct staff_shift sh;
    struct staff_employee e;
    size_t i, n = a->reason != NULL ? strlen(a->reason) : 0;
    int rc;

    if (n > SRET_REASON_MAX)
        return sret_err(d, POS_ERR_LENGTH, "reason: at most 128 characters");
    for (i = 0; i < n; i++)
        if ((unsigned char)a->reason[i] < 0x20 || a->reason[i] == 0x7f)
            return sret_err(d, POS_ERR_INVAL, "reason: no control characters");
    if (a->sup_pin == NULL)
        return sret_err(d, POS_ERR_DENIED,
                        "a supervisor is needed (--supervisor N"
                        " --supervisor-pin P)");
    rc = staff_shift_current(db, &sh);
    if (rc == POS_ERR_NOT_FOUND)
        return sret_err(d, POS_ERR_STATE, "no open shift: the cash comes out of a shift's drawer");
    if (rc != POS_OK || (rc = staff_get(db, sh.employee_number, &e)) != POS_OK)
        return rc;
    p->shift_id = sh.id;
    p->employee_id = e.id;
    rc = staff_authorize(db, a->sup_number, a->sup_pin, right, now_ms, &e, d);
    p->authorized_by = e.id;
    return rc;
}

/* The sale: paid, and no void of it (nor, for a void, any return). */
static int sret_sale(struct store *db, int64_t sale_id, bool for_void, struct sale **s,
                     struct pos_errdetail *d)
{
    int64_t voids, all;
    int rc = sale_load(db, sale_id, s);

    if (rc == POS_ERR_NOT_FOUND)
        return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "no sale %lld", (long long)sale_id);
    if (rc != POS_OK)
        return rc;
    if ((*s)->status != SALE_PAID)
        return pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET,
                                 "sale %lld is %s: only a paid sale", (long long)sale_id,
                                 sale_status_name((*s)->status));
    if ((rc = sale__one_int(db, "SELECT COUNT(*) FROM returns WHERE sale_id = ? AND kind = 'void'",
                            sale_id, INT64_MIN, &voids)) != POS_OK ||
        (rc = sale__one_int(db, "SELECT COUNT(*) FROM returns WHERE sale_id = ?", sale_id,
                            INT64_MIN, &all)) != POS_OK)
        return rc;
    if (voids > 0)
        return pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET, "sale %lld is already voided",
                                 (long long)sale_id);
    if (for_void && all > 0)
        return pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET,
                                 "sale %lld has refunds: refund the rest instead",
                                 (long long)sale_id);
    return POS_OK;
}

static void sret_line_of(struct sret_line *r, const struct sale_line *l)
{
    r->item_id = l->item_id;
    snprintf(r->sku, sizeof(r->sku), "%s", l->sku);
    snprintf(r->name, sizeof(r->name), "%s", l->name);
    snprintf(r->category, sizeof(r->category), "%s", l->category);
}

/* ---- the one local transaction ---- */

static int sret_insert_return(struct store *db, const struct sret_plan *p, const char *reason,
                              int64_t now_ms, int64_t *id)
{
    struct store_stmt *st;
    int rc =
        store_prepare(db,
                      "INSERT INTO returns (kind, sale_id, employee_id, authorized_by, shift_id,"
                      " currency, total, tax_total, reason, created_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      &st);

    if (rc != POS_OK)
        return rc;
    store_bind_text(st, 1, p->kind, strlen(p->kind));
    if (p->sale_id > 0)
        store_bind_int64(st, 2, p->sale_id);
    else
        store_bind_null(st, 2);
    store_bind_int64(st, 3, p->employee_id);
    store_bind_int64(st, 4, p->authorized_by);
    store_bind_int64(st, 5, p->shift_id);
    store_bind_int64(st, 6, p->currency);
    store_bind_int64(st, 7, p->total);
    store_bind_int64(st, 8, p->tax);
    store_bind_text(st, 9, reason != NULL ? reason : "", reason != NULL ? strlen(reason) : 0);
    store_bind_int64(st, 10, now_ms);
    if ((rc = store_step(st)) != STORE_ROW)
        return rc < 0 ? rc : POS_ERR_DB;
    *id = store_column_int64(st, 0);
    store_reset(st);
    return POS_OK;
}

static int sret_insert_line(struct store *db, int64_t rid, const struct sret_line *l, bool restock,
                            const char *ref, int64_t employee_id, struct pos_errdetail *d)
{
    struct store_stmt *st;
    int rc = store_prepare(db,
                           "INSERT INTO return_lines (return_id, sale_line_id, item_id, sku, name,"
                           " category, qty, amount, tax, restock) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
                           " ?, ?)",
                           &st);

    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, rid);
    if (l->sale_line_id > 0)
        store_bind_int64(st, 2, l->sale_line_id);
    else
        store_bind_null(st, 2);
    store_bind_int64(st, 3, l->item_id);
    store_bind_text(st, 4, l->sku, strlen(l->sku));
    store_bind_text(st, 5, l->name, strlen(l->name));
    store_bind_text(st, 6, l->category, strlen(l->category));
    store_bind_int64(st, 7, l->qty);
    store_bind_int64(st, 8, l->amount);
    store_bind_int64(st, 9, l->tax);
    store_bind_int64(st, 10, restock ? 1 : 0);
    if ((rc = store_step(st)) != STORE_DONE)
        return rc < 0 ? rc : POS_ERR_DB;
    if (restock) {
        struct stock_req q = {STOCK_RETURN, l->item_id, l->qty, NULL, ref, employee_id};

        rc = stock_move(db, &q, NULL, d);
    }
    return rc;
}

static int sret_insert_tender(struct store *db, int64_t rid, const char *kind, int64_t amount,
                              const char *ref, int64_t journal_id, int64_t now_ms)
{
    struct store_stmt *st;
    int rc = store_prepare(db,
                           "INSERT INTO return_tenders (return_id, kind, amount, reference,"
                           " pay_journal_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                           &st);

    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, rid);
    store_bind_text(st, 2, kind, strlen(kind));
    store_bind_int64(st, 3, amount);
    store_bind_text(st, 4, ref, strlen(ref));
    if (journal_id > 0)
        store_bind_int64(st, 5, journal_id);
    else
        store_bind_null(st, 5);
    store_bind_int64(st, 6, now_ms);
    rc = store_step(st);
    return rc == STORE_DONE ? POS_OK : rc < 0 ? rc : POS_ERR_DB;
}

static int sret_write(struct store *db, const struct sret_plan *p, const char *reason,
                      int64_t now_ms, struct sret_result *res, struct pos_errdetail *d)
{
    char ref[32];
    bool began = false;
    int64_t rid = 0;
    size_t i;
    int rc;

    if (p->total <= 0)
        return sret_err(d, POS_ERR_STATE, "nothing to give back");
    if ((rc = store_begin(db)) != POS_OK)
        return rc;
    began = true;
    if ((rc = sret_insert_return(db, p, reason, now_ms, &rid)) != POS_OK)
        goto out;
    snprintf(ref, sizeof(ref), "return %lld", (long long)rid);
    for (i = 0; i < p->n_lines && rc == POS_OK; i++)
        rc = sret_insert_line(db, rid, &p->lines[i], p->restock, ref, p->employee_id, d);
    for (i = 0; i < p->n_parts && rc == POS_OK; i++)
        rc = sret_insert_tender(db, rid, "card", p->parts[i].amount, p->parts[i].reference,
                                p->parts[i].journal_id, now_ms);
    if (rc == POS_OK && p->total > p->card)
        rc = sret_insert_tender(db, rid, "cash", p->total - p->card, "", 0, now_ms);
    if (rc != POS_OK)
        goto out;
    rc = store_commit(db);
    began = rc != POS_OK;
out:
    if (began)
        store_rollback(db);
    if (rc == POS_OK && res != NULL) {
        res->return_id = rid;
        res->total = p->total;
        res->tax = p->tax;
        res->card = p->card;
        res->cash = p->total - p->card;
    }
    return rc;
}

/* ---- card tenders ---- */

struct sret_card {
    int64_t journal_id, amount;
    uint32_t batch;
    char status[10], rrn[13];
};

static int sret_cards(struct store *db, int64_t sale_id, struct sret_card *c, size_t *n,
                      struct pos_errdetail *d)
{
    struct store_stmt *st;
    const char *t;
    int rc = store_prepare(db,
                           "SELECT COALESCE(t.pay_journal_id, 0), t.amount, COALESCE(j.batch, 0),"
                           " COALESCE(j.status, ''), COALESCE(j.rrn, '') FROM tenders t"
                           " LEFT JOIN pay_journal j ON j.id = t.pay_journal_id"
                           " WHERE t.sale_id = ? AND t.kind <> 'cash' ORDER BY t.id",
                           &st);

    *n = 0;
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, sale_id);
    while ((rc = store_step(st)) == STORE_ROW && *n < SALE_TENDERS_MAX) {
        c[*n].journal_id = store_column_int64(st, 0);
        c[*n].amount = store_column_int64(st, 1);
        c[*n].batch = (uint32_t)store_column_int64(st, 2);
        t = store_column_text(st, 3, NULL);
        snprintf(c[*n].status, sizeof(c[*n].status), "%s", t != NULL ? t : "");
        t = store_column_text(st, 4, NULL);
        snprintf(c[*n].rrn, sizeof(c[*n].rrn), "%s", t != NULL ? t : "");
        if (c[*n].journal_id == 0) {
            store_reset(st);
            return sret_err(d, POS_ERR_STATE,
                            "a tender of the sale has no card payment to"
                            " give back to");
        }
        (*n)++;
    }
    if (rc == STORE_ROW)
        store_reset(st);
    return rc < 0 ? rc : POS_OK;
}

int sret_void(struct store *db, struct payclient *pc, int64_t sale_id, const struct sret_auth *a,
              int64_t now_ms, struct sret_result *res, struct pos_errdetail *d)
{
    struct sret_card cards[SALE_TENDERS_MAX];
    struct payclient_status ps;
    struct sret_plan *p = NULL;
    struct sale *s = NULL;
    size_t n = 0, i;
    int64_t vid;
    int rc;

    if ((rc = sret_sale(db, sale_id, true, &s, d)) != POS_OK)
        goto out;
    if ((rc = sret_cards(db, sale_id, cards, &n, d)) != POS_OK)
        goto out;
    if (n > 0 && (rc = payclient_status(db, &ps, d)) != POS_OK)
        goto out;
    for (i = 0; i < n; i++)
        if (strcmp(cards[i].status, "voided") != 0 && cards[i].batch != ps.id.batch) {
            rc = sret_err(d, POS_ERR_STATE, "payment settled: refund it instead");
            goto out;
        }
    if ((p = pos_malloc(sizeof(*p))) == NULL) {
        rc = POS_ERR_NOMEM;
        goto out;
    }
    memset(p, 0, sizeof(*p));
    p->kind = "void";
    p->sale_id = sale_id;
    p->currency = s->cur->numeric;
    p->tax_included = s->tax_included;
    p->restock = true;
    if ((rc = sret_who(db, a, STAFF_RIGHT_VOID, now_ms, p, d)) != POS_OK)
        goto out;
    for (i = 0; i < s->n_lines; i++) {
        struct sret_line *l = &p->lines[p->n_lines++];
        int64_t done[3];

        sret_line_of(l, &s->lines[i]);
        if ((rc = sret_line_done(db, sale_id, s->lines[i].line_no, &l->sale_line_id, done)) !=
            POS_OK)
            goto out;
        l->qty = s->lines[i].qty;
        l->amount = s->lines[i].net;
        l->tax = s->lines[i].tax;
    }
    p->total = s->total;
    p->tax = s->tax_total;
    /* the host first: each card payment voided (or found voided) */
    for (i = 0; i < n; i++) {
        if ((rc = sale_card_void(db, pc, cards[i].journal_id, &vid, d)) != POS_OK)
            goto out;
        p->parts[p->n_parts].journal_id = vid;
        p->parts[p->n_parts].amount = cards[i].amount;
        snprintf(p->parts[p->n_parts].reference, SALE_REF_MAX + 1, "VOID RRN %s", cards[i].rrn);
        p->n_parts++;
        p->card += cards[i].amount;
    }
    rc = sret_write(db, p, a->reason, now_ms, res, d);
out:
    pos_free(p);
    sale_free(s);
    return rc;
}

/* The approved refunds of purchase row j no return points at (a crash
 * after the host's answer), one after id `after`. */
static int sret_next_orphan(struct store *db, int64_t j, int64_t after, int64_t *id,
                            int64_t *amount)
{
    struct store_stmt *st;
    int rc =
        store_prepare(db,
                      "SELECT r.id, r.amount FROM pay_journal r WHERE r.orig_id = ? AND r.id > ?"
                      " AND r.kind = 'refund' AND r.status = 'approved' AND NOT EXISTS"
                      " (SELECT 1 FROM return_tenders x WHERE x.pay_journal_id = r.id)"
                      " ORDER BY r.id LIMIT 1",
                      &st);

    *id = 0;
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, j);
    store_bind_int64(st, 2, after);
    rc = store_step(st);
    if (rc == STORE_ROW) {
        *id = store_column_int64(st, 0);
        *amount = store_column_int64(st, 1);
        store_reset(st);
        return POS_OK;
    }
    return rc == STORE_DONE ? POS_OK : rc;
}

static int sret_part_add(struct sret_plan *p, int64_t jid, int64_t amount, const char *rrn,
                         struct pos_errdetail *d)
{
    if (p->n_parts == SRET_PARTS_MAX)
        return sret_err(d, POS_ERR_RANGE, "too many card refunds");
    p->parts[p->n_parts].journal_id = jid;
    p->parts[p->n_parts].amount = amount;
    snprintf(p->parts[p->n_parts].reference, SALE_REF_MAX + 1, "REFUND RRN %s", rrn);
    p->n_parts++;
    p->card += amount;
    return POS_OK;
}

/* Gives up to *left back to card c: unrecorded refunds first, then a host
 * refund of what its share still needs. */
static int sret_card_refund(struct store *db, struct payclient *pc, const struct sret_card *c,
                            struct sret_plan *p, int64_t *left, struct pos_errdetail *d)
{
    struct payclient_op op;
    struct payclient_result r;
    int64_t back, share, oid = 0, oamt = 0;
    int rc =
        sale__one_int(db,
                      "SELECT COALESCE(SUM(x.amount), 0) FROM return_tenders x JOIN pay_journal"
                      " r ON r.id = x.pay_journal_id WHERE r.orig_id = ? AND r.kind IN"
                      " ('void', 'refund') AND r.status = 'approved'",
                      c->journal_id, INT64_MIN, &back);

    if (rc != POS_OK || strlen(c->rrn) != 12 || strcmp(c->status, "voided") == 0)
        return rc;
    share = c->amount - back < *left ? c->amount - back : *left;
    for (;;) {
        if ((rc = sret_next_orphan(db, c->journal_id, oid, &oid, &oamt)) != POS_OK || oid == 0)
            break;
        if (oamt > share)
            return sret_err(d, POS_ERR_STATE,
                            "an earlier card refund of this sale is not"
                            " recorded and does not fit this return");
        if ((rc = sret_part_add(p, oid, oamt, c->rrn, d)) != POS_OK)
            return rc;
        share -= oamt;
        *left -= oamt;
    }
    if (rc != POS_OK || share <= 0)
        return rc;
    if (pc == NULL)
        return sret_err(d, POS_ERR_STATE, "a card refund needs the payment client (--lmk)");
    memset(&op, 0, sizeof(op));
    op.kind = POSMSG_REFUND;
    op.amount = share;
    op.orig_rrn = c->rrn;
    if ((rc = payclient_run(pc, &op, &r, d)) != POS_OK)
        return rc;
    if (strcmp(r.status, "approved") != 0)
        return pos_errdetail_set(d, POS_ERR_STATE, 39, POS_NO_OFFSET,
                                 "the host declined the card refund: response code %s", r.rc);
    *left -= share;
    return sret_part_add(p, r.journal_id, share, c->rrn, d);
}

/* Adds line_no for qty (0: all that is left) to the plan. */
static int sret_plan_line(struct store *db, const struct sale *s, int64_t line_no, int64_t qty,
                          struct sret_plan *p, struct pos_errdetail *d)
{
    const struct sale_line *l = NULL;
    struct sret_line *r;
    int64_t done[3], left;
    size_t i;
    int rc;

    for (i = 0; i < s->n_lines; i++)
        if (s->lines[i].line_no == line_no)
            l = &s->lines[i];
    if (l == NULL)
        return pos_errdetail_set(d, POS_ERR_NOT_FOUND, -1, POS_NO_OFFSET, "no line %lld",
                                 (long long)line_no);
    if (p->n_lines == SALE_LINES_MAX)
        return sret_err(d, POS_ERR_RANGE, "too many lines");
    r = &p->lines[p->n_lines];
    if ((rc = sret_line_done(db, s->id, line_no, &r->sale_line_id, done)) != POS_OK)
        return rc;
    for (i = 0; i < p->n_lines; i++)
        if (p->lines[i].sale_line_id == r->sale_line_id)
            return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "line %lld given twice",
                                     (long long)line_no);
    left = l->qty - done[0];
    if (left <= 0)
        return pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET,
                                 "line %lld: nothing left to return", (long long)line_no);
    if (qty == 0)
        qty = left;
    if (qty < 0 || qty > left)
        return pos_errdetail_set(
            d, POS_ERR_RANGE, -1, POS_NO_OFFSET, "line %lld: at most %lld.%03lld left to return",
            (long long)line_no, (long long)(left / 1000), (long long)(left % 1000));
    sret_line_of(r, l);
    r->qty = qty;
    if (qty == left) { /* the last of the line: exactly what is left */
        r->amount = l->net - done[1];
        r->tax = l->tax - done[2];
    } else if ((rc = sret_prorata(l->net, qty, l->qty, &r->amount)) != POS_OK ||
               (rc = sret_prorata(l->tax, qty, l->qty, &r->tax)) != POS_OK)
        return rc;
    if (r->amount < 0 || r->tax < 0)
        return sret_err(d, POS_ERR_STATE, "the line's returns exceed it");
    p->total += r->amount + (p->tax_included ? 0 : r->tax);
    p->tax += r->tax;
    p->n_lines++;
    return POS_OK;
}

int sret_refund(struct store *db, struct payclient *pc, int64_t sale_id,
                const struct sret_req *reqs, size_t n, bool restock, const struct sret_auth *a,
                int64_t now_ms, struct sret_result *res, struct pos_errdetail *d)
{
    struct sret_card cards[SALE_TENDERS_MAX];
    struct sret_plan *p = NULL;
    struct sale *s = NULL;
    size_t nc = 0, i;
    int64_t left, have;
    int rc;

    if ((rc = sret_sale(db, sale_id, false, &s, d)) != POS_OK)
        goto out;
    if ((p = pos_malloc(sizeof(*p))) == NULL) {
        rc = POS_ERR_NOMEM;
        goto out;
    }
    memset(p, 0, sizeof(*p));
    p->kind = "refund";
    p->sale_id = sale_id;
    p->currency = s->cur->numeric;
    p->tax_included = s->tax_included;
    p->restock = restock;
    for (i = 0; i < n && rc == POS_OK; i++)
        rc = sret_plan_line(db, s, reqs[i].line_no, reqs[i].qty, p, d);
    for (i = 0; n == 0 && i < s->n_lines && rc == POS_OK; i++) {
        if ((rc = sret_qty_left(db, sale_id, s->lines[i].line_no, &have)) == POS_OK && have > 0)
            rc = sret_plan_line(db, s, s->lines[i].line_no, 0, p, d);
    }
    if (rc != POS_OK)
        goto out;
    if (p->n_lines == 0) {
        rc = pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET,
                               "sale %lld: nothing left to refund", (long long)sale_id);
        goto out;
    }
    if ((rc = sret_cards(db, sale_id, cards, &nc, d)) != POS_OK ||
        (rc = sret_who(db, a, STAFF_RIGHT_REFUND, now_ms, p, d)) != POS_OK)
        goto out;
    left = p->total;
    for (i = 0; i < nc && left > 0 && rc == POS_OK; i++)
        rc = sret_card_refund(db, pc, &cards[i], p, &left, d);
    if (rc == POS_OK)
        rc = sret_write(db, p, a->reason, now_ms, res, d);
out:
    pos_free(p);
    sale_free(s);
    return rc;
}

int sret_refund_sku(struct store *db, const char *sku, int64_t qty, bool restock,
                    const struct sret_auth *a, int64_t now_ms, struct sret_result *res,
                    struct pos_errdetail *d)
{
    const struct currency *cur = NULL;
    struct catalog_item it;
    struct sret_plan *p = NULL;
    struct sret_line *l;
    int64_t amount, t;
    bool inc = true;
    int rc;

    if (qty <= 0 || qty > SALE_QTY_MAX)
        return sret_err(d, POS_ERR_RANGE, "quantity: more than 0 and at most 100000");
    rc = catalog_get(db, sku, &it);
    if (rc == POS_ERR_NOT_FOUND)
        return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "no item with SKU '%s'", sku);
    if (rc != POS_OK || (rc = tstore_currency(db, &cur)) != POS_OK ||
        (rc = tstore_setting_bool(db, "tax.included", true, &inc)) != POS_OK)
        return rc;
    if ((rc = sret_prorata(it.price, qty, 1000, &amount)) != POS_OK)
        return rc;
    if ((p = pos_malloc(sizeof(*p))) == NULL)
        return POS_ERR_NOMEM;
    memset(p, 0, sizeof(*p));
    p->kind = "refund";
    p->currency = cur->numeric;
    p->tax_included = inc;
    p->restock = restock;
    l = &p->lines[p->n_lines++];
    l->item_id = it.id;
    snprintf(l->sku, sizeof(l->sku), "%s", it.sku);
    snprintf(l->name, sizeof(l->name), "%s", it.name);
    snprintf(l->category, sizeof(l->category), "%s", it.category);
    l->qty = qty;
    l->amount = amount;
    /* tax as sale_compute: within (net x r / (10000 + r)) or on top */
    rc = sret_prorata(amount, it.tax_bps, inc ? 10000 + (int64_t)it.tax_bps : 10000, &t);
    if (rc == POS_OK && !inc && it.tax_bps > 10000)
        rc = POS_ERR_RANGE;
    if (rc != POS_OK)
        goto out;
    l->tax = t;
    p->total = amount + (inc ? 0 : t);
    p->tax = t;
    if ((rc = sret_who(db, a, STAFF_RIGHT_REFUND, now_ms, p, d)) != POS_OK)
        goto out;
    rc = sret_write(db, p, a->reason, now_ms, res, d);
out:
    pos_free(p);
    return rc;
}
