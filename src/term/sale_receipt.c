/* sale_receipt: a completed sale as a receipt.h model (sale.h). */
#include "term/sale.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "card.h"

/* A receipt's date and time (UTC) of ms since the epoch; "" when out of range. */
static void sr_datetime(int64_t ms, char *out, size_t cap)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL || strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm) == 0)
        out[0] = '\0';
}

int sale_receipt_fill(const struct sale *s, const char *merchant_name, struct sale_receipt *out)
{
    struct receipt *r = &out->r;
    size_t i;

    if (s->status != SALE_PAID)
        return POS_ERR_STATE;
    receipt_init(r);
    r->cur = s->cur;
    r->merchant_name = merchant_name;
    snprintf(out->operator_id, sizeof(out->operator_id), "%lld", (long long)s->employee_number);
    r->operator_id = out->operator_id;
    sr_datetime(s->closed_at, out->datetime, sizeof(out->datetime));
    r->datetime = out->datetime;
    snprintf(out->footer, sizeof(out->footer), "Sale %lld", (long long)s->id);
    r->footer = out->footer;
    for (i = 0; i < s->n_lines; i++) {
        const struct sale_line *l = &s->lines[i];
        struct receipt_item *it = &out->items[i];

        it->name = l->name;
        it->qty_milli = l->qty;
        it->unit = strcmp(l->unit, "ea") == 0 ? NULL : l->unit;
        it->unit_price = l->unit_price;
        it->total = l->net;
        it->discount = l->promo_discount + l->line_discount + l->sale_discount;
    }
    r->items = out->items;
    r->item_count = s->n_lines;
    r->has_subtotal = true;
    r->subtotal = s->subtotal;
    for (i = 0; i < s->n_taxes; i++) {
        out->taxes[i].label = "VAT";
        out->taxes[i].rate_bps = s->taxes[i].rate_bps;
        out->taxes[i].amount = s->taxes[i].amount;
        out->taxes[i].included = s->tax_included;
    }
    r->taxes = out->taxes;
    r->tax_count = s->n_taxes;
    r->has_total = true;
    r->total = s->total;
    for (i = 0; i < s->n_tenders; i++) {
        const struct sale_tender *t2 = &s->tenders[i];
        struct receipt_tender *rt = &out->tenders[i];

        rt->kind = t2->kind == SALE_TENDER_CASH   ? RECEIPT_TENDER_CASH
                   : t2->kind == SALE_TENDER_CARD ? RECEIPT_TENDER_CARD
                                                  : RECEIPT_TENDER_WALLET;
        rt->amount = t2->amount;
        rt->change = t2->change;
        rt->detail = t2->kind == SALE_TENDER_CARD ? NULL : t2->reference;
    }
    r->tenders = out->tenders;
    r->tender_count = s->n_tenders;
    return POS_OK;
}

static void sr_text(struct store_stmt *st, int col, char *out, size_t cap)
{
    const char *t = store_column_text(st, col, NULL);

    snprintf(out, cap, "%s", t != NULL ? t : "");
}

static enum receipt_entry sr_entry(const char *e)
{
    if (strcmp(e, "swipe") == 0)
        return RECEIPT_ENTRY_SWIPE;
    if (strcmp(e, "chip") == 0)
        return RECEIPT_ENTRY_CHIP;
    if (strcmp(e, "keyed") == 0)
        return RECEIPT_ENTRY_KEYED;
    return RECEIPT_ENTRY_NONE;
}

/* The card brand of a masked PAN (its first six digits), in capitals. */
static void sr_brand(struct sale_receipt *out, const char *pan_masked)
{
    char *b;

    snprintf(out->brand, sizeof(out->brand), "%s",
             card_brand_name(card_brand_of(pan_masked, strlen(pan_masked) >= 6 ? 6 : 0)));
    for (b = out->brand; *b != '\0'; b++)
        *b = (char)(*b >= 'a' && *b <= 'z' ? *b - 'a' + 'A' : *b);
    out->r.card_brand = out->brand;
}

/* The terminal's TID and MID on the slip. */
static int sr_terminal(struct store *db, struct sale_receipt *out)
{
    struct store_stmt *st;
    int rc = store_prepare(db, "SELECT tid, mid FROM pay_terminal LIMIT 1", &st);

    if (rc != POS_OK)
        return rc;
    rc = store_step(st);
    if (rc == STORE_DONE)
        return POS_OK;
    if (rc != STORE_ROW)
        return rc < 0 ? rc : POS_ERR_DB;
    sr_text(st, 0, out->tid, sizeof(out->tid));
    sr_text(st, 1, out->mid, sizeof(out->mid));
    out->r.terminal_id = out->tid;
    out->r.merchant_id = out->mid;
    store_reset(st);
    return POS_OK;
}

int sale_receipt_cards(struct store *db, const struct sale *s, struct sale_receipt *out)
{
    struct receipt *r = &out->r;
    struct store_stmt *st;
    char entry[8];
    size_t i;
    bool first = true;
    int rc;

    for (i = 0; i < s->n_tenders; i++) {
        if (s->tenders[i].kind != SALE_TENDER_CARD)
            continue;
        rc = store_prepare(db,
                           "SELECT j.pan_masked, COALESCE(j.entry, ''), j.batch, j.stan, j.rrn,"
                           " j.auth FROM tenders t JOIN pay_journal j ON j.id = t.pay_journal_id"
                           " WHERE t.id = ?",
                           &st);
        if (rc != POS_OK)
            return rc;
        store_bind_int64(st, 1, s->tenders[i].id);
        rc = store_step(st);
        if (rc == STORE_DONE)
            continue; /* a card tender recorded without its payment */
        if (rc != STORE_ROW)
            return rc < 0 ? rc : POS_ERR_DB;
        sr_text(st, 0, out->pans[i], sizeof(out->pans[i]));
        out->tenders[i].detail = out->pans[i];
        if (first) {
            first = false;
            sr_text(st, 1, entry, sizeof(entry));
            snprintf(out->batch, sizeof(out->batch), "%06lld",
                     (long long)(store_column_int64(st, 2) % 1000000));
            snprintf(out->trace, sizeof(out->trace), "%06lld",
                     (long long)(store_column_int64(st, 3) % 1000000));
            sr_text(st, 4, out->rrn, sizeof(out->rrn));
            sr_text(st, 5, out->auth, sizeof(out->auth));
            sr_brand(out, out->pans[i]);
            r->pan = out->pans[i];
            r->entry = sr_entry(entry);
            r->batch = out->batch;
            r->trace = out->trace;
            r->rrn = out->rrn[0] != '\0' ? out->rrn : NULL;
            r->auth_code = out->auth;
            r->txn = RECEIPT_TXN_SALE;
        }
        store_reset(st);
    }
    return first ? POS_OK : sr_terminal(db, out);
}

static const char *sr_copy(enum receipt_copy copy)
{
    return copy == RECEIPT_COPY_MERCHANT ? "merchant" : "customer";
}

/* Binds the receipt's owner: a sale or a return. */
static void sr_bind_owner(struct store_stmt *st, int64_t sale_id, int64_t return_id)
{
    if (sale_id > 0)
        store_bind_int64(st, 1, sale_id);
    else
        store_bind_null(st, 1);
    if (return_id > 0)
        store_bind_int64(st, 2, return_id);
    else
        store_bind_null(st, 2);
}

int sale_receipt_printed(struct store *db, int64_t sale_id, int64_t return_id,
                         enum receipt_copy copy, bool *before)
{
    struct store_stmt *st;
    int rc;

    *before = false;
    if ((sale_id > 0) == (return_id > 0))
        return POS_ERR_INVAL;
    rc = store_prepare(db,
                       "SELECT 1 FROM receipt_prints WHERE sale_id IS ? AND return_id IS ?"
                       " AND copy = ? LIMIT 1",
                       &st);
    if (rc != POS_OK)
        return rc;
    sr_bind_owner(st, sale_id, return_id);
    store_bind_text(st, 3, sr_copy(copy), strlen(sr_copy(copy)));
    rc = store_step(st);
    if (rc == STORE_ROW) {
        *before = true;
        store_reset(st);
        return POS_OK;
    }
    return rc == STORE_DONE ? POS_OK : rc < 0 ? rc : POS_ERR_DB;
}

int sale_receipt_mark(struct store *db, int64_t sale_id, int64_t return_id, enum receipt_copy copy,
                      int64_t now_ms)
{
    struct store_stmt *st;
    int rc;

    if ((sale_id > 0) == (return_id > 0))
        return POS_ERR_INVAL;
    rc = store_prepare(db,
                       "INSERT INTO receipt_prints (sale_id, return_id, copy, printed_at)"
                       " VALUES (?, ?, ?, ?)",
                       &st);
    if (rc != POS_OK)
        return rc;
    sr_bind_owner(st, sale_id, return_id);
    store_bind_text(st, 3, sr_copy(copy), strlen(sr_copy(copy)));
    store_bind_int64(st, 4, now_ms);
    rc = store_step(st);
    return rc == STORE_DONE ? POS_OK : rc < 0 ? rc : POS_ERR_DB;
}

/* ---- a return's receipt ---- */

/* The return's row: kind, sale, cashier number, currency, total, when. */
static int sr_return_head(struct store *db, int64_t return_id, struct sale_receipt *out,
                          bool *is_void, int64_t *sale_id)
{
    struct receipt *r = &out->r;
    struct store_stmt *st;
    const char *k;
    int rc = store_prepare(db,
                           "SELECT r.kind, COALESCE(r.sale_id, 0), e.number, r.currency, r.total,"
                           " r.created_at FROM returns r JOIN employees e ON e.id = r.employee_id"
                           " WHERE r.id = ?",
                           &st);

    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, return_id);
    rc = store_step(st);
    if (rc != STORE_ROW)
        return rc == STORE_DONE ? POS_ERR_NOT_FOUND : rc < 0 ? rc : POS_ERR_DB;
    k = store_column_text(st, 0, NULL);
    *is_void = k != NULL && strcmp(k, "void") == 0;
    *sale_id = store_column_int64(st, 1);
    snprintf(out->operator_id, sizeof(out->operator_id), "%lld",
             (long long)store_column_int64(st, 2));
    r->cur = money_currency_by_numeric((uint16_t)store_column_int64(st, 3));
    r->has_total = true;
    r->total = store_column_int64(st, 4);
    sr_datetime(store_column_int64(st, 5), out->datetime, sizeof(out->datetime));
    store_reset(st);
    return r->cur != NULL ? POS_OK : POS_ERR_CURRENCY;
}

static int sr_return_lines(struct store *db, int64_t return_id, struct sale_receipt *out)
{
    struct store_stmt *st;
    size_t n = 0;
    int rc = store_prepare(db,
                           "SELECT name, qty, amount FROM return_lines WHERE return_id = ?"
                           " ORDER BY id",
                           &st);

    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, return_id);
    while ((rc = store_step(st)) == STORE_ROW) {
        struct receipt_item *it = &out->items[n];
        int64_t qty = store_column_int64(st, 1), amount = store_column_int64(st, 2);

        if (n == SALE_LINES_MAX) {
            store_reset(st);
            return POS_ERR_NOSPACE;
        }
        sr_text(st, 0, out->names[n], sizeof(out->names[n]));
        memset(it, 0, sizeof(*it));
        it->name = out->names[n];
        it->qty_milli = qty;
        it->total = amount;
        /* the unit price as given back (pro-rata, rounded half up) */
        it->unit_price = qty > 0 ? (amount * 1000 + qty / 2) / qty : amount;
        n++;
    }
    if (rc != STORE_DONE)
        return rc < 0 ? rc : POS_ERR_DB;
    out->r.items = out->items;
    out->r.item_count = n;
    return POS_OK;
}

/* The return's tenders; the first card part heads the slip. */
static int sr_return_tenders(struct store *db, int64_t return_id, struct sale_receipt *out,
                             bool *card)
{
    struct receipt *r = &out->r;
    struct store_stmt *st;
    char kind[8];
    size_t n = 0;
    int rc =
        store_prepare(db,
                      "SELECT x.kind, x.amount, COALESCE(NULLIF(j.pan_masked, ''),"
                      " o.pan_masked, ''), j.batch, j.stan, COALESCE(j.rrn, ''),"
                      " COALESCE(j.auth, ''), COALESCE(o.entry, '')"
                      " FROM return_tenders x LEFT JOIN pay_journal j ON j.id = x.pay_journal_id"
                      " LEFT JOIN pay_journal o ON o.id = j.orig_id"
                      " WHERE x.return_id = ? ORDER BY x.id",
                      &st);

    *card = false;
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, return_id);
    while ((rc = store_step(st)) == STORE_ROW) {
        struct receipt_tender *t = &out->tenders[n];

        if (n == SALE_TENDERS_MAX) {
            store_reset(st);
            return POS_ERR_NOSPACE;
        }
        sr_text(st, 0, kind, sizeof(kind));
        memset(t, 0, sizeof(*t));
        t->amount = store_column_int64(st, 1);
        t->kind = strcmp(kind, "cash") == 0   ? RECEIPT_TENDER_CASH
                  : strcmp(kind, "card") == 0 ? RECEIPT_TENDER_CARD
                                              : RECEIPT_TENDER_WALLET;
        if (t->kind == RECEIPT_TENDER_CARD) {
            sr_text(st, 2, out->pans[n], sizeof(out->pans[n]));
            t->detail = out->pans[n];
        }
        if (t->kind == RECEIPT_TENDER_CARD && !*card && !store_column_is_null(st, 3)) {
            char entry[8];

            *card = true;
            snprintf(out->batch, sizeof(out->batch), "%06lld",
                     (long long)(store_column_int64(st, 3) % 1000000));
            snprintf(out->trace, sizeof(out->trace), "%06lld",
                     (long long)(store_column_int64(st, 4) % 1000000));
            sr_text(st, 5, out->rrn, sizeof(out->rrn));
            sr_text(st, 6, out->auth, sizeof(out->auth));
            sr_text(st, 7, entry, sizeof(entry));
            sr_brand(out, out->pans[n]);
            r->pan = out->pans[n];
            r->entry = sr_entry(entry);
            r->batch = out->batch;
            r->trace = out->trace;
            r->rrn = out->rrn[0] != '\0' ? out->rrn : NULL;
            r->auth_code = out->auth;
        }
        n++;
    }
    if (rc != STORE_DONE)
        return rc < 0 ? rc : POS_ERR_DB;
    r->tenders = out->tenders;
    r->tender_count = n;
    return POS_OK;
}

int sale_return_receipt_fill(struct store *db, int64_t return_id, const char *merchant_name,
                             struct sale_receipt *out)
{
    struct receipt *r = &out->r;
    int64_t sale_id = 0;
    bool is_void = false, card = false;
    int rc;

    receipt_init(r);
    r->merchant_name = merchant_name;
    if ((rc = sr_return_head(db, return_id, out, &is_void, &sale_id)) != POS_OK ||
        (rc = sr_return_lines(db, return_id, out)) != POS_OK ||
        (rc = sr_return_tenders(db, return_id, out, &card)) != POS_OK)
        return rc;
    r->operator_id = out->operator_id;
    r->datetime = out->datetime;
    r->txn = is_void ? RECEIPT_TXN_VOID : RECEIPT_TXN_REFUND;
    if (sale_id > 0)
        snprintf(out->footer, sizeof(out->footer), "Return %lld of sale %lld", (long long)return_id,
                 (long long)sale_id);
    else
        snprintf(out->footer, sizeof(out->footer), "Return %lld, without receipt",
                 (long long)return_id);
    r->footer = out->footer;
    return card ? sr_terminal(db, out) : POS_OK;
}
