/* sale_receipt: a completed sale as a receipt.h model (sale.h). */
#include "term/sale.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

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
