/* sale_calc: the sale's arithmetic (sale.h steps 1-5; docs/sales.md). Pure:
 * no database, no clock. */
#include "term/sale.h"

#include <stdio.h>
#include <string.h>

static const char *const sale_status_names[] = {"open", "paid", "cancelled"};
static const char *const sale_tender_names[] = {"cash", "card", "wallet", "other"};

const char *sale_status_name(enum sale_status s)
{
    return (unsigned)s < 3 ? sale_status_names[s] : "?";
}

const char *sale_tender_kind_name(enum sale_tender_kind k)
{
    return (unsigned)k < 4 ? sale_tender_names[k] : "?";
}

int sale_tender_kind_parse(const char *s, enum sale_tender_kind *out)
{
    unsigned i;

    for (i = 0; i < 4; i++)
        if (strcmp(s, sale_tender_names[i]) == 0) {
            *out = (enum sale_tender_kind)i;
            return POS_OK;
        }
    return POS_ERR_INVAL;
}

/* round(a * b / c) half up, for a, b >= 0 and c > 0; the product in 128 bits
 * (a GCC/Clang extension) so no intermediate can overflow. */
static int sale_muldiv(int64_t a, int64_t b, int64_t c, int64_t *out)
{
    unsigned __int128 p = (unsigned __int128)(uint64_t)a * (uint64_t)b;

    p = (p + (unsigned __int128)(uint64_t)(c / 2)) / (uint64_t)c;
    if (p > (unsigned __int128)INT64_MAX)
        return POS_ERR_OVERFLOW;
    *out = (int64_t)p;
    return POS_OK;
}

static int sale_fee(int64_t amount, int64_t bps, int64_t *out)
{
    return sale_muldiv(amount, bps, 10000, out);
}

static struct sale_discount *sale_find_discount(struct sale *s, int64_t line_no)
{
    size_t i;

    for (i = 0; i < s->n_discounts; i++)
        if (s->discounts[i].line_no == line_no)
            return &s->discounts[i];
    return NULL;
}

/* Step 1 and 2: gross and the best promotion of line l. */
static int sale_line_gross(struct sale_line *l, const struct promo *promos, size_t n_promos,
                           struct pos_errdetail *d)
{
    int64_t x, off;
    size_t k;
    int rc;

    if (l->qty <= 0 || l->qty > SALE_QTY_MAX || l->unit_price < 0)
        return pos_errdetail_set(d, POS_ERR_RANGE, -1, POS_NO_OFFSET, "line %lld: bad quantity",
                                 (long long)l->line_no);
    if (__builtin_mul_overflow(l->qty, l->unit_price, &x) || __builtin_add_overflow(x, 500, &x))
        return pos_errdetail_set(d, POS_ERR_OVERFLOW, -1, POS_NO_OFFSET,
                                 "line %lld: quantity x price overflows", (long long)l->line_no);
    l->gross = x / 1000;
    if (l->gross > SALE_AMOUNT_MAX)
        return pos_errdetail_set(d, POS_ERR_RANGE, -1, POS_NO_OFFSET,
                                 "line %lld: amount over 10^13 minor units", (long long)l->line_no);
    l->promo_id = 0;
    l->promo_name[0] = '\0';
    l->promo_discount = 0;
    for (k = 0; k < n_promos; k++) {
        if (!promo_applies(&promos[k], l->item_id, l->category))
            continue;
        rc = promo_discount(&promos[k], l->qty, l->unit_price, l->gross, &off);
        if (rc != POS_OK)
            return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "line %lld: promotion %lld",
                                     (long long)l->line_no, (long long)promos[k].id);
        /* best for the customer; on a tie the older promotion (lower id) */
        if (off > l->promo_discount) {
            l->promo_discount = off;
            l->promo_id = promos[k].id;
            snprintf(l->promo_name, sizeof(l->promo_name), "%s", promos[k].name);
        }
    }
    return POS_OK;
}

/* Step 3: the manual discount of line l, on base = gross - promotion. */
static int sale_line_discount(struct sale *s, struct sale_line *l)
{
    struct sale_discount *dc = sale_find_discount(s, l->line_no);
    int64_t base = l->gross - l->promo_discount, off = 0;
    int rc = POS_OK;

    if (dc != NULL) {
        if (dc->kind == SALE_DISC_PERCENT)
            rc = sale_fee(base, dc->value, &off);
        else
            off = dc->value;
        if (off > base)
            off = base;
        dc->amount = off;
    }
    l->line_discount = off;
    return rc;
}

/* Step 4: the sale discount, shared among the lines. */
static int sale_share_discount(struct sale *s, int64_t base)
{
    struct sale_discount *dc = sale_find_discount(s, 0);
    int64_t total = 0, left, share, rem_best;
    size_t i, best;
    int rc;

    for (i = 0; i < s->n_lines; i++)
        s->lines[i].sale_discount = 0;
    if (dc == NULL || base == 0) {
        if (dc != NULL)
            dc->amount = 0;
        return POS_OK;
    }
    if (dc->kind == SALE_DISC_PERCENT) {
        for (i = 0; i < s->n_lines; i++) {
            struct sale_line *l = &s->lines[i];

            rc = sale_fee(l->gross - l->promo_discount - l->line_discount, dc->value, &share);
            if (rc != POS_OK)
                return rc;
            l->sale_discount = share;
            total += share;
        }
        dc->amount = total;
        return POS_OK;
    }
    /* an amount: floor(D x part / base) per line, then the remainder one
     * minor unit at a time to the lines with the largest fractions (the
     * first line on a tie), so the shares sum to D exactly */
    left = dc->value > base ? base : dc->value;
    dc->amount = left;
    for (i = 0; i < s->n_lines; i++) {
        struct sale_line *l = &s->lines[i];
        int64_t part = l->gross - l->promo_discount - l->line_discount;
        unsigned __int128 p = (unsigned __int128)(uint64_t)dc->amount * (uint64_t)part;

        l->sale_discount = (int64_t)(p / (uint64_t)base);
        total += l->sale_discount;
    }
    left -= total;
    while (left > 0) {
        best = s->n_lines;
        rem_best = -1;
        for (i = 0; i < s->n_lines; i++) {
            struct sale_line *l = &s->lines[i];
            int64_t part = l->gross - l->promo_discount - l->line_discount;
            unsigned __int128 p = (unsigned __int128)(uint64_t)dc->amount * (uint64_t)part;
            int64_t rem = (int64_t)(p % (uint64_t)base);

            if (part - l->sale_discount > 0 && rem > rem_best &&
                l->sale_discount == (int64_t)(p / (uint64_t)base)) {
                rem_best = rem;
                best = i;
            }
        }
        if (best == s->n_lines)
            break; /* cannot happen: left < number of lines with a fraction */
        s->lines[best].sale_discount++;
        left--;
    }
    return POS_OK;
}

/* Step 5: tax of line l, and its rate's total. */
static int sale_line_tax(struct sale *s, struct sale_line *l)
{
    size_t k;
    int rc;

    if (s->tax_included)
        rc = sale_muldiv(l->net, l->tax_bps, 10000 + (int64_t)l->tax_bps, &l->tax);
    else
        rc = sale_fee(l->net, l->tax_bps, &l->tax);
    if (rc != POS_OK)
        return rc;
    for (k = 0; k < s->n_taxes; k++)
        if (s->taxes[k].rate_bps == l->tax_bps)
            break;
    if (k == s->n_taxes) {
        if (k == SALE_TAXES_MAX)
            return POS_ERR_NOSPACE;
        s->taxes[k].rate_bps = l->tax_bps;
        s->taxes[k].base = 0;
        s->taxes[k].amount = 0;
        s->n_taxes++;
    }
    s->taxes[k].base += s->tax_included ? l->net - l->tax : l->net;
    s->taxes[k].amount += l->tax;
    return POS_OK;
}

int sale_compute(struct sale *s, const struct promo *promos, size_t n_promos,
                 struct pos_errdetail *d)
{
    int64_t base = 0, sum_net = 0, sum_tax = 0, sub = 0, promo = 0, disc = 0, paid = 0;
    size_t i;
    int rc = POS_OK;

    s->n_taxes = 0;
    for (i = 0; i < s->n_lines; i++) {
        struct sale_line *l = &s->lines[i];

        if ((rc = sale_line_gross(l, promos, n_promos, d)) != POS_OK ||
            (rc = sale_line_discount(s, l)) != POS_OK)
            goto out;
        /* lines are at most 10^13 and at most SALE_LINES_MAX: no overflow */
        base += l->gross - l->promo_discount - l->line_discount;
    }
    if ((rc = sale_share_discount(s, base)) != POS_OK)
        goto out;
    for (i = 0; i < s->n_lines; i++) {
        struct sale_line *l = &s->lines[i];

        l->net = l->gross - l->promo_discount - l->line_discount - l->sale_discount;
        if ((rc = sale_line_tax(s, l)) != POS_OK)
            goto out;
        sub += l->gross;
        promo += l->promo_discount;
        disc += l->line_discount + l->sale_discount;
        sum_net += l->net;
        sum_tax += l->tax;
    }
    s->subtotal = sub;
    s->promo_total = promo;
    s->discount_total = disc;
    s->tax_total = sum_tax;
    s->total = s->tax_included ? sum_net : sum_net + sum_tax;
    if (s->total > SALE_TOTAL_MAX) {
        rc = pos_errdetail_set(d, POS_ERR_RANGE, -1, POS_NO_OFFSET,
                               "the sale's total is over 10^15 minor units");
        goto out;
    }
    for (i = 0; i < s->n_tenders; i++)
        if (__builtin_add_overflow(paid, s->tenders[i].amount, &paid)) {
            rc = POS_ERR_OVERFLOW;
            goto out;
        }
    s->paid = paid;
out:
    return rc;
}
