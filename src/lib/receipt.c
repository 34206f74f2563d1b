/*
 * receipt: the receipt model, its layout and the plain-text renderer (see
 * receipt.h and docs/receipts.md).
 *
 * The layout is written once and drives both renderers: it produces lines
 * (text, alignment, bold, large) through a callback; receipt_render_text
 * pads them with spaces, escpos.c turns them into printer commands. Every
 * piece of caller text is first copied through receipt_clean, which turns
 * ill-formed UTF-8 and control characters into '?', so the width measured
 * is the width printed and no caller byte becomes a printer command.
 */
#include "receipt.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "card.h"
#include "error.h"
#include "money.h"
#include "textwidth.h"

/* Room for a composed label: a field and a few words around it. */
#define RECEIPT_LABEL_MAX (RECEIPT_FIELD_MAX + 64u)
#define RECEIPT_MONEY_BUF (MONEY_FORMAT_MAX + 8u)

struct receipt_ls {
    const struct receipt *r;
    unsigned width;
    bool printer;
    receipt_emit_fn emit;
    void *ctx;
    char line[RECEIPT_LINE_MAX];
    char field[RECEIPT_QR_MAX];
    char val[RECEIPT_LABEL_MAX];
};

/* Copies s[0..len) to out (at least len bytes): well-formed characters
 * other than controls as they are, a tab as a space, anything else as one
 * '?' per ill-formed subpart or control. Never longer than the input. */
static size_t receipt_clean(const char *s, size_t len, char *out)
{
    size_t off = 0, n = 0;

    while (off < len) {
        uint32_t cp;
        bool ok;
        size_t k = textwidth_decode(s + off, len - off, &cp, &ok);

        if (cp == '\t')
            out[n++] = ' ';
        else if (!ok || cp < 0x20u || (cp >= 0x7Fu && cp < 0xA0u))
            out[n++] = '?';
        else {
            memmove(out + n, s + off, k); /* out may be s: n <= off */
            n += k;
        }
        off += k;
    }
    return n;
}

static bool receipt_has(const char *s)
{
    return s != NULL && s[0] != '\0';
}

static size_t receipt_cols(const struct receipt_ls *st, bool large)
{
    return large && st->printer ? st->width / 2 : st->width;
}

static int receipt_emit(struct receipt_ls *st, enum receipt_line_kind kind,
                        enum receipt_align align, bool bold, bool large, const char *text,
                        size_t len)
{
    struct receipt_line l;

    l.kind = kind;
    l.align = align;
    l.bold = bold;
    l.large = large;
    l.text = text;
    l.len = len;
    l.width = kind == RECEIPT_LINE_TEXT ? textwidth_of(text, len) : 0;
    l.cols = receipt_cols(st, large);
    return st->emit(st->ctx, &l);
}

static bool receipt_is_wide_at(const char *s, size_t len, size_t off)
{
    uint32_t cp;

    if (off >= len)
        return false;
    textwidth_decode(s + off, len - off, &cp, NULL);
    return textwidth_cp(cp) == 2;
}

/* Start of the character before off (off > 0), stepping over continuation
 * bytes of cleaned (well-formed) text. */
static size_t receipt_prev(const char *s, size_t off)
{
    do
        off--;
    while (off > 0 && ((unsigned char)s[off] & 0xC0u) == 0x80u);
    return off;
}

/* Where to break s[0..len) to fit cols: *seg gets the bytes of the first
 * line (trailing spaces dropped). Breaks at the last space that fits, or
 * between two characters when either is wide (CJK text has no spaces), or,
 * for a word longer than the line, at the edge. Returns the offset where
 * the next line starts (leading spaces skipped). */
static size_t receipt_wrap(const char *s, size_t len, size_t cols, size_t *seg)
{
    size_t fit = textwidth_fit(s, len, cols, NULL), cut, p;

    if (fit == 0) /* cols < 2 and a wide character: force it */
        fit = textwidth_decode(s, len, NULL, NULL);
    cut = fit;
    if (fit < len && s[fit] != ' ' && !receipt_is_wide_at(s, len, fit) &&
        !receipt_is_wide_at(s, len, receipt_prev(s, fit))) {
        for (p = fit; p > 0; p = receipt_prev(s, p)) /* character boundaries only */
            if (s[p - 1] == ' ' || receipt_is_wide_at(s, len, p) ||
                receipt_is_wide_at(s, len, receipt_prev(s, p))) {
                cut = s[p - 1] == ' ' ? p - 1 : p;
                break;
            }
        if (p == 0)
            cut = fit;
    }
    *seg = cut;
    while (*seg > 0 && s[*seg - 1] == ' ')
        (*seg)--;
    if (*seg == 0 && cut == 0) /* only spaces before the break */
        cut = fit;
    while (cut < len && s[cut] == ' ')
        cut++;
    return cut;
}

/* Emits text (caller's, uncleaned) wrapped to the line's columns. */
static int receipt_text(struct receipt_ls *st, const char *s, enum receipt_align align, bool bold,
                        bool large)
{
    size_t len = receipt_clean(s, strlen(s), st->field), off = 0, cols = receipt_cols(st, large);
    int rc;

    if (len == 0)
        return receipt_emit(st, RECEIPT_LINE_TEXT, align, bold, large, "", 0);
    while (off < len) {
        size_t seg, next = off + receipt_wrap(st->field + off, len - off, cols, &seg);

        if (seg > 0) { /* a run of spaces at a break prints nothing */
            rc = receipt_emit(st, RECEIPT_LINE_TEXT, align, bold, large, st->field + off, seg);
            if (rc != 0)
                return rc;
        }
        off = next;
    }
    return POS_OK;
}

/* Appends n bytes to st->line at *off (overflow-proof: the callers' inputs
 * are bounded, this is the belt to those braces). */
static int receipt_put(struct receipt_ls *st, size_t *off, const char *s, size_t n)
{
    if (*off > sizeof(st->line) || n > sizeof(st->line) - *off)
        return POS_ERR_LENGTH;
    memcpy(st->line + *off, s, n);
    *off += n;
    return POS_OK;
}

static int receipt_pad(struct receipt_ls *st, size_t *off, size_t n)
{
    if (*off > sizeof(st->line) || n > sizeof(st->line) - *off)
        return POS_ERR_LENGTH;
    memset(st->line + *off, ' ', n);
    *off += n;
    return POS_OK;
}

/* A label on the left and a value on the right. A label too long wraps;
 * the value goes on its last line when it fits there, else on a line of
 * its own, right-aligned. */
static int receipt_pair(struct receipt_ls *st, const char *label, const char *value, bool bold,
                        bool large)
{
    size_t cols = receipt_cols(st, large), llen, vlen, vw, off = 0, n = 0, seg, next, lw;
    int rc;

    llen = receipt_clean(label, strlen(label), st->field);
    vlen = receipt_clean(value, strlen(value), st->val);
    vw = textwidth_of(st->val, vlen);
    for (;;) {
        next = off + receipt_wrap(st->field + off, llen - off, cols, &seg);
        lw = textwidth_of(st->field + off, seg);
        if (next >= llen)
            break;
        rc = seg == 0 ? 0
                      : receipt_emit(st, RECEIPT_LINE_TEXT, RECEIPT_ALIGN_LEFT, bold, large,
                                     st->field + off, seg);
        if (rc != 0)
            return rc;
        off = next;
    }
    if (vw > cols || lw + 1 > cols - vw) {
        rc = receipt_emit(st, RECEIPT_LINE_TEXT, RECEIPT_ALIGN_LEFT, bold, large, st->field + off,
                          seg);
        if (rc != 0)
            return rc;
        if (vw > cols) {
            memcpy(st->field, st->val, vlen);
            st->field[vlen] = '\0';
            return receipt_text(st, st->field, RECEIPT_ALIGN_RIGHT, bold, large);
        }
        return receipt_emit(st, RECEIPT_LINE_TEXT, RECEIPT_ALIGN_RIGHT, bold, large, st->val, vlen);
    }
    if ((rc = receipt_put(st, &n, st->field + off, seg)) != POS_OK ||
        (rc = receipt_pad(st, &n, cols - lw - vw)) != POS_OK ||
        (rc = receipt_put(st, &n, st->val, vlen)) != POS_OK)
        return rc;
    return receipt_emit(st, RECEIPT_LINE_TEXT, RECEIPT_ALIGN_LEFT, bold, large, st->line, n);
}

static int receipt_rule(struct receipt_ls *st, char c)
{
    size_t cols = st->width;

    memset(st->line, c, cols);
    return receipt_emit(st, RECEIPT_LINE_TEXT, RECEIPT_ALIGN_LEFT, false, false, st->line, cols);
}

static int receipt_money(const struct receipt *r, int64_t minor, bool code, char *out, size_t cap)
{
    struct money m;
    size_t n = 0;

    m.minor = minor;
    m.cur = r->cur;
    if (code) {
        int k = snprintf(out, cap, "%s ", r->cur->alpha);

        if (k < 0 || (size_t)k >= cap)
            return POS_ERR_NOSPACE;
        n = (size_t)k;
    }
    return money_format(&m, out + n, cap - n, NULL);
}

/* A label and an amount. */
static int receipt_pair_money(struct receipt_ls *st, const char *label, int64_t minor, bool code,
                              bool bold, bool large)
{
    char v[RECEIPT_MONEY_BUF];
    int rc = receipt_money(st->r, minor, code, v, sizeof(v));

    return rc != POS_OK ? rc : receipt_pair(st, label, v, bold, large);
}

static int receipt_pair_opt(struct receipt_ls *st, const char *label, const char *value)
{
    return receipt_has(value) ? receipt_pair(st, label, value, false, false) : POS_OK;
}

static const char *const receipt_entry_labels[] = {"", "SWIPE 刷卡", "CHIP 插卡",
                                                   "CONTACTLESS 挥卡", "KEYED 手输"};

/* A card slip's copies are the UnionPay 商户存根 / 持卡人存根; a receipt
 * without a card says 商户联 / 顾客联. */
static const char *receipt_copy_label(const struct receipt *r)
{
    if (receipt_has(r->pan))
        return r->copy == RECEIPT_COPY_MERCHANT ? "MERCHANT COPY 商户存根"
                                                : "CUSTOMER COPY 持卡人存根";
    return r->copy == RECEIPT_COPY_MERCHANT ? "MERCHANT COPY 商户联" : "CUSTOMER COPY 顾客联";
}

static int receipt_lay_header(struct receipt_ls *st)
{
    const struct receipt *r = st->r;
    char pan[RECEIPT_PAN_BUF];
    int rc;

    if (r->reprint &&
        (rc = receipt_text(st, "REPRINT / 重印", RECEIPT_ALIGN_CENTER, true, true)) != 0)
        return rc;
    if ((rc = receipt_text(st, r->merchant_name, RECEIPT_ALIGN_CENTER, true, true)) != 0 ||
        (rc = receipt_text(st, receipt_copy_label(r), RECEIPT_ALIGN_CENTER, false, false)) != 0 ||
        (rc = receipt_rule(st, '-')) != 0 ||
        (rc = receipt_pair_opt(st, "MERCHANT ID 商户号", r->merchant_id)) != 0 ||
        (rc = receipt_pair_opt(st, "TERMINAL ID 终端号", r->terminal_id)) != 0 ||
        (rc = receipt_pair_opt(st, "OPERATOR 操作员", r->operator_id)) != 0)
        return rc;
    if (receipt_has(r->pan)) {
        if ((rc = receipt_pan_display(r->pan, pan)) != POS_OK ||
            (rc = receipt_pair_opt(st, "CARD TYPE 卡类别", r->card_brand)) != 0 ||
            (rc = receipt_pair(st, "CARD NO. 卡号", pan, true, false)) != 0)
            return rc;
        if (r->entry != RECEIPT_ENTRY_NONE &&
            (rc = receipt_pair(st, "ENTRY 输入方式", receipt_entry_labels[r->entry], false,
                               false)) != 0)
            return rc;
    }
    if (r->txn != RECEIPT_TXN_NONE &&
        (rc = receipt_pair(st, "TYPE 交易类型", receipt_txn_label(r->txn), true, false)) != 0)
        return rc;
    if ((rc = receipt_pair_opt(st, "BATCH NO. 批次号", r->batch)) != 0 ||
        (rc = receipt_pair_opt(st, "TRACE NO. 凭证号", r->trace)) != 0 ||
        (rc = receipt_pair_opt(st, "REF. NO. 参考号", r->rrn)) != 0 ||
        (rc = receipt_pair_opt(st, "AUTH NO. 授权码", r->auth_code)) != 0 ||
        (rc = receipt_pair_opt(st, "DATE/TIME 日期时间", r->datetime)) != 0)
        return rc;
    if (r->has_amount)
        return receipt_pair_money(st, "AMOUNT 金额", r->amount, true, true, true);
    return POS_OK;
}

static int receipt_lay_item(struct receipt_ls *st, const struct receipt_item *it)
{
    char q[24], p[RECEIPT_MONEY_BUF], label[RECEIPT_LABEL_MAX];
    int rc, k;

    if ((rc = receipt_pair_money(st, it->name, it->total, false, false, false)) != 0)
        return rc;
    if (it->qty_milli != 1000 || receipt_has(it->unit)) {
        if ((rc = receipt_qty_format(it->qty_milli, q, sizeof(q))) != POS_OK ||
            (rc = receipt_money(st->r, it->unit_price, false, p, sizeof(p))) != POS_OK)
            return rc;
        k = snprintf(label, sizeof(label), "  %s%s%s x %s", q, receipt_has(it->unit) ? " " : "",
                     receipt_has(it->unit) ? it->unit : "", p);
        if (k < 0 || (size_t)k >= sizeof(label))
            return POS_ERR_LENGTH;
        if ((rc = receipt_text(st, label, RECEIPT_ALIGN_LEFT, false, false)) != 0)
            return rc;
    }
    if (it->discount != 0) {
        /* a discount is printed as the minus amount it takes off */
        if ((rc = receipt_money(st->r, it->discount, false, p, sizeof(p))) != POS_OK)
            return rc;
        k = snprintf(label, sizeof(label), "%s%s", it->discount > 0 ? "-" : "", p);
        if (k < 0 || (size_t)k >= sizeof(label))
            return POS_ERR_LENGTH;
        return receipt_pair(st, "  DISCOUNT 折扣", label, false, false);
    }
    return POS_OK;
}

static void receipt_rate_format(uint32_t bps, char *out, size_t cap)
{
    if (bps % 100u == 0)
        snprintf(out, cap, "%" PRIu32 "%%", bps / 100u);
    else if (bps % 10u == 0)
        snprintf(out, cap, "%" PRIu32 ".%" PRIu32 "%%", bps / 100u, bps % 100u / 10u);
    else
        snprintf(out, cap, "%" PRIu32 ".%02" PRIu32 "%%", bps / 100u, bps % 100u);
}

static int receipt_lay_totals(struct receipt_ls *st)
{
    const struct receipt *r = st->r;
    char label[RECEIPT_LABEL_MAX], rate[16], pan[RECEIPT_PAN_BUF];
    size_t i;
    int rc, k;

    if (r->item_count > 0 && (rc = receipt_rule(st, '-')) != 0)
        return rc;
    for (i = 0; i < r->item_count; i++)
        if ((rc = receipt_lay_item(st, &r->items[i])) != 0)
            return rc;
    if ((r->has_subtotal || r->tax_count > 0 || r->has_total) && (rc = receipt_rule(st, '-')) != 0)
        return rc;
    if (r->has_subtotal &&
        (rc = receipt_pair_money(st, "SUBTOTAL 小计", r->subtotal, false, false, false)) != 0)
        return rc;
    for (i = 0; i < r->tax_count; i++) {
        receipt_rate_format(r->taxes[i].rate_bps, rate, sizeof(rate));
        k = snprintf(label, sizeof(label), "%s %s%s", r->taxes[i].label, rate,
                     r->taxes[i].included ? " incl. 含税" : "");
        if (k < 0 || (size_t)k >= sizeof(label))
            return POS_ERR_LENGTH;
        if ((rc = receipt_pair_money(st, label, r->taxes[i].amount, false, false, false)) != 0)
            return rc;
    }
    if (r->has_total &&
        (rc = receipt_pair_money(st, "TOTAL 合计", r->total, true, true, true)) != 0)
        return rc;
    for (i = 0; i < r->tender_count; i++) {
        const struct receipt_tender *t = &r->tenders[i];

        if (t->kind == RECEIPT_TENDER_CASH)
            k = snprintf(label, sizeof(label), "CASH 现金");
        else if (t->kind == RECEIPT_TENDER_WALLET)
            k = snprintf(label, sizeof(label), "WALLET 扫码%s%s", receipt_has(t->detail) ? " " : "",
                         receipt_has(t->detail) ? t->detail : "");
        else {
            pan[0] = '\0';
            if (receipt_has(t->detail) && (rc = receipt_pan_display(t->detail, pan)) != POS_OK)
                return rc;
            k = snprintf(label, sizeof(label), "CARD 银行卡%s%s", pan[0] ? " " : "", pan);
        }
        if (k < 0 || (size_t)k >= sizeof(label))
            return POS_ERR_LENGTH;
        if ((rc = receipt_pair_money(st, label, t->amount, false, false, false)) != 0)
            return rc;
        if (t->kind == RECEIPT_TENDER_CASH && t->change != 0 &&
            (rc = receipt_pair_money(st, "CHANGE 找零", t->change, false, true, false)) != 0)
            return rc;
    }
    return POS_OK;
}

static int receipt_lay_signature(struct receipt_ls *st)
{
    int rc;

    if ((rc = receipt_rule(st, '-')) != 0 ||
        (rc = receipt_text(st, "CARDHOLDER SIGNATURE 持卡人签名:", RECEIPT_ALIGN_LEFT, false,
                           false)) != 0 ||
        (rc = receipt_text(st, "", RECEIPT_ALIGN_LEFT, false, false)) != 0 ||
        (rc = receipt_text(st, "", RECEIPT_ALIGN_LEFT, false, false)) != 0 ||
        (rc = receipt_rule(st, '_')) != 0)
        return rc;
    return receipt_text(st,
                        "I ACKNOWLEDGE SATISFACTORY RECEIPT OF RELATIVE GOODS/SERVICES "
                        "本人确认以上交易,同意将其记入本卡账户",
                        RECEIPT_ALIGN_LEFT, false, false);
}

static int receipt_lay_tail(struct receipt_ls *st)
{
    const struct receipt *r = st->r;
    char line[RECEIPT_FOOTER_MAX + 1];
    const char *s, *nl;
    size_t len;
    int rc;

    if (r->copy == RECEIPT_COPY_MERCHANT && receipt_has(r->pan) &&
        (rc = receipt_lay_signature(st)) != 0)
        return rc;
    if (receipt_has(r->footer)) {
        if ((rc = receipt_rule(st, '-')) != 0)
            return rc;
        for (s = r->footer; *s != '\0'; s = *nl ? nl + 1 : nl) {
            nl = strchr(s, '\n');
            if (nl == NULL)
                nl = s + strlen(s);
            len = (size_t)(nl - s);
            memcpy(line, s, len); /* len <= strlen(footer) <= RECEIPT_FOOTER_MAX */
            line[len] = '\0';
            if ((rc = receipt_text(st, line, RECEIPT_ALIGN_CENTER, false, false)) != 0)
                return rc;
        }
    }
    if (receipt_has(r->qr)) {
        if (st->printer)
            return receipt_emit(st, RECEIPT_LINE_QR, RECEIPT_ALIGN_CENTER, false, false, r->qr,
                                strlen(r->qr));
        return receipt_text(st, r->qr, RECEIPT_ALIGN_LEFT, false, false);
    }
    return POS_OK;
}

void receipt_init(struct receipt *r)
{
    if (r != NULL)
        memset(r, 0, sizeof(*r));
}

/* d names the field: "rrn", or "items[3].name" when array is not NULL. */
static int receipt_check_str(const char *s, size_t max, const char *array, size_t idx,
                             const char *name, struct pos_errdetail *d)
{
    if (s != NULL && strnlen(s, max + 1) > max) {
        if (array == NULL)
            return pos_errdetail_set(d, POS_ERR_LENGTH, -1, POS_NO_OFFSET,
                                     "%s: longer than %zu bytes", name, max);
        return pos_errdetail_set(d, POS_ERR_LENGTH, -1, POS_NO_OFFSET,
                                 "%s[%zu].%s: longer than %zu bytes", array, idx, name, max);
    }
    return POS_OK;
}

static int receipt_check_items(const struct receipt *r, struct pos_errdetail *d)
{
    size_t i;
    int rc;

    for (i = 0; i < r->item_count; i++) {
        const struct receipt_item *it = &r->items[i];

        if (!receipt_has(it->name))
            return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                     "items[%zu].name: missing", i);
        if ((rc = receipt_check_str(it->name, RECEIPT_FIELD_MAX, "items", i, "name", d)) != 0 ||
            (rc = receipt_check_str(it->unit, RECEIPT_FIELD_MAX, "items", i, "unit", d)) != 0)
            return rc;
        if (it->qty_milli == INT64_MIN || it->unit_price == INT64_MIN || it->total == INT64_MIN ||
            it->discount == INT64_MIN)
            return pos_errdetail_set(d, POS_ERR_RANGE, -1, POS_NO_OFFSET,
                                     "items[%zu]: amount out of range", i);
    }
    for (i = 0; i < r->tax_count; i++) {
        if (!receipt_has(r->taxes[i].label))
            return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                     "taxes[%zu].label: missing", i);
        if ((rc = receipt_check_str(r->taxes[i].label, RECEIPT_FIELD_MAX, "taxes", i, "label",
                                    d)) != 0)
            return rc;
        if (r->taxes[i].rate_bps > 10000u || r->taxes[i].amount == INT64_MIN)
            return pos_errdetail_set(d, POS_ERR_RANGE, -1, POS_NO_OFFSET,
                                     "taxes[%zu]: rate over 100%% or amount out of range", i);
    }
    for (i = 0; i < r->tender_count; i++) {
        const struct receipt_tender *t = &r->tenders[i];

        if ((unsigned)t->kind > RECEIPT_TENDER_WALLET)
            return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                     "tenders[%zu].type: unknown", i);
        if ((rc = receipt_check_str(t->detail, RECEIPT_FIELD_MAX, "tenders", i, "detail", d)) != 0)
            return rc;
        if (t->amount == INT64_MIN || t->change == INT64_MIN)
            return pos_errdetail_set(d, POS_ERR_RANGE, -1, POS_NO_OFFSET,
                                     "tenders[%zu]: amount out of range", i);
    }
    return POS_OK;
}

int receipt_check(const struct receipt *r, struct pos_errdetail *d)
{
    size_t i;
    int rc;

    if (r == NULL)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "no receipt");
    const struct {
        const char *s;
        size_t max;
        const char *name;
    } f[] = {
        {r->merchant_name, RECEIPT_FIELD_MAX, "merchant_name"},
        {r->merchant_id, RECEIPT_FIELD_MAX, "merchant_id"},
        {r->terminal_id, RECEIPT_FIELD_MAX, "terminal_id"},
        {r->operator_id, RECEIPT_FIELD_MAX, "operator"},
        {r->datetime, RECEIPT_FIELD_MAX, "datetime"},
        {r->batch, RECEIPT_FIELD_MAX, "batch"},
        {r->trace, RECEIPT_FIELD_MAX, "trace"},
        {r->rrn, RECEIPT_FIELD_MAX, "rrn"},
        {r->auth_code, RECEIPT_FIELD_MAX, "auth_code"},
        {r->card_brand, RECEIPT_FIELD_MAX, "card_brand"},
        {r->pan, RECEIPT_FIELD_MAX, "pan"},
        {r->footer, RECEIPT_FOOTER_MAX, "footer"},
        {r->qr, RECEIPT_QR_MAX, "qr"},
    };

    if (r->cur == NULL)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "currency: missing");
    if (!receipt_has(r->merchant_name))
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "merchant_name: missing");
    for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        if ((rc = receipt_check_str(f[i].s, f[i].max, NULL, 0, f[i].name, d)) != POS_OK)
            return rc;
    if ((unsigned)r->copy > RECEIPT_COPY_MERCHANT || (unsigned)r->txn > RECEIPT_TXN_BALANCE ||
        (unsigned)r->entry > RECEIPT_ENTRY_KEYED)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "copy, type or entry: unknown value");
    if (r->item_count > RECEIPT_ITEMS_MAX || r->tax_count > RECEIPT_TAXES_MAX ||
        r->tender_count > RECEIPT_TENDERS_MAX)
        return pos_errdetail_set(d, POS_ERR_RANGE, -1, POS_NO_OFFSET,
                                 "more than %u items, %u taxes or %u tenders", RECEIPT_ITEMS_MAX,
                                 RECEIPT_TAXES_MAX, RECEIPT_TENDERS_MAX);
    if ((r->item_count > 0 && r->items == NULL) || (r->tax_count > 0 && r->taxes == NULL) ||
        (r->tender_count > 0 && r->tenders == NULL))
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "an array is NULL");
    if ((r->has_amount && r->amount == INT64_MIN) ||
        (r->has_subtotal && r->subtotal == INT64_MIN) || (r->has_total && r->total == INT64_MIN))
        return pos_errdetail_set(d, POS_ERR_RANGE, -1, POS_NO_OFFSET, "amount out of range");
    return receipt_check_items(r, d);
}

int receipt_pan_display(const char *pan, char out[RECEIPT_PAN_BUF])
{
    size_t len, i, digits = 0, stars = 0;
    bool masked = true;

    if (pan == NULL || out == NULL)
        return POS_ERR_INVAL;
    out[0] = '\0';
    len = strnlen(pan, CARD_PAN_MAX + 1);
    if (len > CARD_PAN_MAX)
        return POS_ERR_CARD_PAN;
    for (i = 0; i < len; i++) {
        if (pan[i] >= '0' && pan[i] <= '9') {
            digits++;
            /* PCI DSS 3.4.1: at most the first six and the last four */
            if (i >= 6 && i < len - 4)
                masked = false;
        } else if (pan[i] == '*')
            stars++;
        else
            masked = false;
    }
    if (digits < len && masked && stars > 0 && len >= CARD_PAN_MIN) {
        memcpy(out, pan, len);
        out[len] = '\0';
        return POS_OK;
    }
    /* all digits: first 6 and last 4; anything else: every character '*' */
    return card_pan_mask(pan, len, out, RECEIPT_PAN_BUF);
}

int receipt_layout(const struct receipt *r, unsigned width, bool printer, receipt_emit_fn emit,
                   void *ctx, struct pos_errdetail *d)
{
    struct receipt_ls st;
    int rc;

    pos_errdetail_init(d);
    if (emit == NULL)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "no emit function");
    if (width != 32 && width != 42 && width != 48)
        return pos_errdetail_set(d, POS_ERR_RANGE, -1, POS_NO_OFFSET,
                                 "width %u: must be 32, 42 or 48", width);
    rc = receipt_check(r, d);
    if (rc != POS_OK)
        return rc;
    st.r = r;
    st.width = width;
    st.printer = printer;
    st.emit = emit;
    st.ctx = ctx;
    rc = receipt_lay_header(&st);
    if (rc == POS_OK)
        rc = receipt_lay_totals(&st);
    if (rc == POS_OK)
        rc = receipt_lay_tail(&st);
    if (rc == POS_ERR_CARD_PAN)
        pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "pan: longer than %d characters", CARD_PAN_MAX);
    return rc;
}

struct receipt_textbuf {
    char *out;
    size_t cap;
    size_t len;
};

static int receipt_text_line(void *ctx, const struct receipt_line *l)
{
    struct receipt_textbuf *b = ctx;
    size_t pad = 0;

    if (l->kind != RECEIPT_LINE_TEXT)
        return POS_OK;
    if (l->len == 0)
        pad = 0; /* an empty line stays empty: no trailing spaces */
    else if (l->align == RECEIPT_ALIGN_CENTER && l->width < l->cols)
        pad = (l->cols - l->width) / 2;
    else if (l->align == RECEIPT_ALIGN_RIGHT && l->width < l->cols)
        pad = l->cols - l->width;
    /* pad + text + '\n' + the final NUL must fit */
    if (b->len > b->cap || pad > b->cap - b->len || l->len > b->cap - b->len - pad ||
        2 > b->cap - b->len - pad - l->len)
        return POS_ERR_NOSPACE;
    memset(b->out + b->len, ' ', pad);
    memcpy(b->out + b->len + pad, l->text, l->len);
    b->len += pad + l->len;
    b->out[b->len++] = '\n';
    return POS_OK;
}

int receipt_render_text(const struct receipt *r, unsigned width, char *out, size_t cap,
                        size_t *out_len, struct pos_errdetail *d)
{
    struct receipt_textbuf b;
    int rc;

    if (out == NULL)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "no output buffer");
    b.out = out;
    b.cap = cap;
    b.len = 0;
    rc = receipt_layout(r, width, false, receipt_text_line, &b, d);
    if (rc == POS_ERR_NOSPACE)
        pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "receipt longer than %zu bytes", cap);
    if (rc != POS_OK) {
        if (cap > 0)
            out[0] = '\0';
        return rc;
    }
    out[b.len] = '\0';
    if (out_len != NULL)
        *out_len = b.len;
    return POS_OK;
}

static const char *const receipt_txn_labels[] = {"",
                                                 "SALE 消费",
                                                 "VOID 撤销",
                                                 "REFUND 退货",
                                                 "PRE-AUTH 预授权",
                                                 "COMPLETION 预授权完成",
                                                 "BALANCE 余额查询"};

const char *receipt_txn_label(enum receipt_txn txn)
{
    if ((unsigned)txn >= sizeof(receipt_txn_labels) / sizeof(receipt_txn_labels[0]))
        return "";
    return receipt_txn_labels[txn];
}

static int receipt_lookup(const char *name, const char *const *names, size_t n, int *out)
{
    size_t i, k;

    if (name == NULL)
        return POS_ERR_NOT_FOUND;
    for (i = 0; i < n; i++) {
        for (k = 0; names[i][k] != '\0'; k++) {
            char c = name[k];

            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            if (c != names[i][k])
                break;
        }
        if (names[i][k] == '\0' && name[k] == '\0') {
            *out = (int)i;
            return POS_OK;
        }
    }
    return POS_ERR_NOT_FOUND;
}

int receipt_txn_parse(const char *name, enum receipt_txn *out)
{
    static const char *const names[] = {"sale",       "void",    "refund",  "preauth",
                                        "completion", "balance", "pre-auth"};
    static const enum receipt_txn vals[] = {
        RECEIPT_TXN_SALE,       RECEIPT_TXN_VOID,    RECEIPT_TXN_REFUND, RECEIPT_TXN_PREAUTH,
        RECEIPT_TXN_COMPLETION, RECEIPT_TXN_BALANCE, RECEIPT_TXN_PREAUTH};
    int i, rc = receipt_lookup(name, names, sizeof(names) / sizeof(names[0]), &i);

    if (rc == POS_OK && out != NULL)
        *out = vals[i];
    return rc;
}

int receipt_entry_parse(const char *name, enum receipt_entry *out)
{
    static const char *const names[] = {"swipe", "chip", "contactless", "keyed"};
    int i, rc = receipt_lookup(name, names, sizeof(names) / sizeof(names[0]), &i);

    if (rc == POS_OK && out != NULL)
        *out = (enum receipt_entry)(RECEIPT_ENTRY_SWIPE + i);
    return rc;
}

int receipt_tender_parse(const char *name, enum receipt_tender_kind *out)
{
    static const char *const names[] = {"cash", "card", "wallet"};
    int i, rc = receipt_lookup(name, names, sizeof(names) / sizeof(names[0]), &i);

    if (rc == POS_OK && out != NULL)
        *out = (enum receipt_tender_kind)i;
    return rc;
}

int receipt_qty_parse(const char *s, size_t len, int64_t *qty_milli)
{
    int64_t whole = 0, frac = 0;
    size_t i = 0, fd = 0, wd = 0;

    if (s == NULL || qty_milli == NULL)
        return POS_ERR_INVAL;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, wd++) {
        whole = whole * 10 + (s[i] - '0');
        if (whole > 1000000)
            return POS_ERR_RANGE;
    }
    if (wd == 0)
        return POS_ERR_SYNTAX;
    if (i < len && s[i] == '.') {
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, fd++) {
            if (fd == 3)
                return POS_ERR_RANGE; /* finer than a thousandth: never rounded */
            frac = frac * 10 + (s[i] - '0');
        }
        if (fd == 0)
            return POS_ERR_SYNTAX;
    }
    if (i != len)
        return POS_ERR_SYNTAX;
    for (; fd < 3; fd++)
        frac *= 10;
    if (whole * 1000 + frac > 1000000000)
        return POS_ERR_RANGE;
    *qty_milli = whole * 1000 + frac;
    return POS_OK;
}

int receipt_qty_format(int64_t qty_milli, char *out, size_t cap)
{
    uint64_t m;
    int k;

    if (out == NULL || qty_milli == INT64_MIN)
        return POS_ERR_INVAL;
    m = qty_milli < 0 ? (uint64_t)(-qty_milli) : (uint64_t)qty_milli;
    if (m % 1000u == 0)
        k = snprintf(out, cap, "%s%" PRIu64, qty_milli < 0 ? "-" : "", m / 1000u);
    else
        k = snprintf(out, cap, "%s%" PRIu64 ".%03" PRIu64, qty_milli < 0 ? "-" : "", m / 1000u,
                     m % 1000u);
    if (k < 0 || (size_t)k >= cap) {
        if (cap > 0)
            out[0] = '\0';
        return POS_ERR_NOSPACE;
    }
    return POS_OK;
}
