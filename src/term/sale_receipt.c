/* sale_receipt: a completed sale as a receipt.h model (sale.h). */
#include "term/sale.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "card.h"

int sale_receipt_fill(const struct sale *s, const char *merchant_name, struct sale_receipt *out)
{
    struct receipt *r = &out->r;
    time_t t;
    struct tm tm;
    size_t i;

    if (s->status != SALE_PAID)
        return POS_ERR_STATE;
    receipt_init(r);
    r->cur = s->cur;
    r->merchant_name = merchant_name;
    snprintf(out->operator_id, sizeof(out->operator_id), "%lld", (long long)s->employee_number);
    r->operator_id = out->operator_id;
    t = (time_t)(s->closed_at / 1000);
    if (gmtime_r(&t, &tm) == NULL ||
        strftime(out->datetime, sizeof(out->datetime), "%Y-%m-%d %H:%M:%S", &tm) == 0)
        out->datetime[0] = '\0';
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

int sale_receipt_cards(struct store *db, const struct sale *s, struct sale_receipt *out)
{
    struct receipt *r = &out->r;
    struct store_stmt *st;
    char entry[8], *b;
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
            snprintf(out->brand, sizeof(out->brand), "%s",
                     card_brand_name(card_brand_of(out->pans[i], 6)));
            for (b = out->brand; *b != '\0'; b++)
                *b = (char)(*b >= 'a' && *b <= 'z' ? *b - 'a' + 'A' : *b);
            r->pan = out->pans[i];
            r->card_brand = out->brand;
            r->entry = sr_entry(entry);
            r->batch = out->batch;
            r->trace = out->trace;
            r->rrn = out->rrn[0] != '\0' ? out->rrn : NULL;
            r->auth_code = out->auth;
            r->txn = RECEIPT_TXN_SALE;
        }
        store_reset(st);
    }
    if (first)
        return POS_OK;
    rc = store_prepare(db, "SELECT tid, mid FROM pay_terminal LIMIT 1", &st);
    if (rc != POS_OK)
        return rc;
    rc = store_step(st);
    if (rc == STORE_ROW) {
        sr_text(st, 0, out->tid, sizeof(out->tid));
        sr_text(st, 1, out->mid, sizeof(out->mid));
        r->terminal_id = out->tid;
        r->merchant_id = out->mid;
        store_reset(st);
    } else if (rc != STORE_DONE) {
        return rc < 0 ? rc : POS_ERR_DB;
    }
    return POS_OK;
}

static const char *sr_copy(enum receipt_copy copy)
{
    return copy == RECEIPT_COPY_MERCHANT ? "merchant" : "customer";
}

int sale_receipt_printed(struct store *db, int64_t sale_id, enum receipt_copy copy, bool *before)
{
    struct store_stmt *st;
    int rc = store_prepare(
        db, "SELECT 1 FROM receipt_prints WHERE sale_id = ? AND copy = ? LIMIT 1", &st);

    *before = false;
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, sale_id);
    store_bind_text(st, 2, sr_copy(copy), strlen(sr_copy(copy)));
    rc = store_step(st);
    if (rc == STORE_ROW) {
        *before = true;
        store_reset(st);
        return POS_OK;
    }
    return rc == STORE_DONE ? POS_OK : rc < 0 ? rc : POS_ERR_DB;
}

int sale_receipt_mark(struct store *db, int64_t sale_id, enum receipt_copy copy, int64_t now_ms)
{
    struct store_stmt *st;
    int rc = store_prepare(
        db, "INSERT INTO receipt_prints (sale_id, copy, printed_at) VALUES (?, ?, ?)", &st);

    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, sale_id);
    store_bind_text(st, 2, sr_copy(copy), strlen(sr_copy(copy)));
    store_bind_int64(st, 3, now_ms);
    rc = store_step(st);
    return rc == STORE_DONE ? POS_OK : rc < 0 ? rc : POS_ERR_DB;
}
