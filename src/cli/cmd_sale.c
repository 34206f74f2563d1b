/* pos sale: the cashier's sale from the command line (src/term/sale.h;
 * docs/sales.md). Each invocation works on a draft kept in the database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "error.h"
#include "escpos.h"
#include "hex.h"
#include "mem.h"
#include "paycli.h"
#include "receiptout.h"
#include "tlv.h"
#include "term/catalog.h"
#include "term/sale.h"
#include "term/sale_return.h"
#include "term/staff.h"
#include "term/tstore.h"
#include "termcli.h"

static const char sale_usage[] =
    "usage: pos sale open --employee N --pin P\n"
    "       pos sale add SALE CODE [--qty Q]          CODE: SKU, barcode or scale label\n"
    "       pos sale remove SALE LINE\n"
    "       pos sale discount SALE [--line N] (--percent P | --amount A)\n"
    "                         [--supervisor N --supervisor-pin P]\n"
    "       pos sale price SALE LINE PRICE --supervisor N --supervisor-pin P\n"
    "       pos sale show SALE\n"
    "       pos sale pay SALE --cash AMOUNT\n"
    "       pos sale pay SALE --card (--track2 T | --emv HEX | --pan P --expiry YYMM\n"
    "                         [--cvv2 C]) [--pin P|-] [--amount A] [--lmk FILE]\n"
    "       pos sale cancel SALE [--lmk FILE]        card tenders are voided first\n"
    "       pos sale void SALE --supervisor N --supervisor-pin P [--reason R] [--lmk FILE]\n"
    "       pos sale refund SALE [--line N[:Q]]... [--qty Q] [--no-restock]\n"
    "                         --supervisor N --supervisor-pin P [--reason R] [--lmk FILE]\n"
    "       pos sale refund --sku SKU [--qty Q] [--no-restock] --supervisor N\n"
    "                         --supervisor-pin P [--reason R]\n"
    "       pos sale receipt SALE|last|--return N [--copy customer|merchant]\n"
    "                         [--width 32|42|48] [--escpos [--drawer] [--no-cut]]\n"
    "                         [--gb18030] [--out FILE]\n"
    "\n"
    "A sale is opened by a logged-in employee within the open shift and stays a\n"
    "draft until tenders cover its total: then it is completed at once (stock\n"
    "taken, tenders recorded) and prints its change. Promotions apply by\n"
    "themselves; a discount over the cashier's limit (5 %) or a price override\n"
    "needs a supervisor. --pin - and --supervisor-pin - read the PIN from stdin.\n"
    "Options: --db PATH, --json. Exit status: 0 ok, 1 refused (unknown item,\n"
    "wrong PIN, not permitted, not enough stock, sale not open), 2 bad input.\n";

static const struct termcli_opt sale_opts[] = {
    {"--employee", TERMCLI_VALUE},   {"--pin", TERMCLI_VALUE},
    {"--qty", TERMCLI_VALUE},        {"--line", TERMCLI_MULTI},
    {"--percent", TERMCLI_VALUE},    {"--amount", TERMCLI_VALUE},
    {"--supervisor", TERMCLI_VALUE}, {"--supervisor-pin", TERMCLI_VALUE},
    {"--cash", TERMCLI_VALUE},       {"--width", TERMCLI_VALUE},
    {"--escpos", TERMCLI_FLAG},      {"--gb18030", TERMCLI_FLAG},
    {"--card", TERMCLI_FLAG},        {"--track2", TERMCLI_VALUE},
    {"--emv", TERMCLI_VALUE},        {"--pan", TERMCLI_VALUE},
    {"--expiry", TERMCLI_VALUE},     {"--cvv2", TERMCLI_VALUE},
    {"--lmk", TERMCLI_VALUE},        {"--host", TERMCLI_VALUE},
    {"--sku", TERMCLI_VALUE},        {"--no-restock", TERMCLI_FLAG},
    {"--reason", TERMCLI_VALUE},     {"--copy", TERMCLI_VALUE},
    {"--drawer", TERMCLI_FLAG},      {"--no-cut", TERMCLI_FLAG},
    {"--out", TERMCLI_VALUE},        {"--return", TERMCLI_VALUE},
    {NULL, TERMCLI_VALUE},
};

#define SALE_ID_MAX INT64_C(999999999999)

struct sale_cli {
    const char *what;
    struct termcli_args a;
    struct store *db;
    struct store *pdb; /* the payment session's connection (paycli_open) */
    struct payclient *pc;
    const struct currency *cur;
    struct pos_errdetail d;
    char pin[STAFF_PIN_MAX + 8];
};

static const char *sale_opt(const struct sale_cli *c, const char *name)
{
    return termcli_get(&c->a, sale_opts, name);
}

static int sale_npos(const struct sale_cli *c, int n, const char *names)
{
    if (c->a.npos != n)
        return cli_error(CLI_USAGE, c->what, "expected %s (see pos sale --help)", names);
    return CLI_OK;
}

static json_t *sale_line_json(const struct sale_line *l, const struct currency *cur)
{
    json_t *j = json_pack(
        "{s:I, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:o}", "line",
        (json_int_t)l->line_no, "sku", l->sku, "name", l->name, "qty", termcli_qty_json(l->qty),
        "unit", l->unit, "unit_price", termcli_money_json(l->unit_price, cur), "gross",
        termcli_money_json(l->gross, cur), "discount",
        termcli_money_json(l->line_discount + l->sale_discount, cur), "net",
        termcli_money_json(l->net, cur), "tax", termcli_money_json(l->tax, cur), "tax_bps",
        (json_int_t)l->tax_bps, "promotion",
        l->promo_id == 0
            ? json_null()
            : json_pack("{s:I, s:s, s:o}", "id", (json_int_t)l->promo_id, "name", l->promo_name,
                        "amount", termcli_money_json(l->promo_discount, cur)));

    if (j != NULL && l->override_by != 0)
        json_object_set_new(j, "price_override", json_true());
    return j;
}

static json_t *sale_json(const struct sale *s)
{
    json_t *j, *lines = json_array(), *taxes = json_array(), *tenders = json_array();
    const struct currency *cur = s->cur;
    size_t i;

    for (i = 0; lines != NULL && i < s->n_lines; i++)
        json_array_append_new(lines, sale_line_json(&s->lines[i], cur));
    for (i = 0; taxes != NULL && i < s->n_taxes; i++)
        json_array_append_new(taxes, json_pack("{s:I, s:o, s:o}", "rate_bps",
                                               (json_int_t)s->taxes[i].rate_bps, "base",
                                               termcli_money_json(s->taxes[i].base, cur), "amount",
                                               termcli_money_json(s->taxes[i].amount, cur)));
    for (i = 0; tenders != NULL && i < s->n_tenders; i++)
        json_array_append_new(tenders,
                              json_pack("{s:s, s:o, s:o, s:s}", "kind",
                                        sale_tender_kind_name(s->tenders[i].kind), "amount",
                                        termcli_money_json(s->tenders[i].amount, cur), "change",
                                        termcli_money_json(s->tenders[i].change, cur), "reference",
                                        s->tenders[i].reference));
    j = json_pack(
        "{s:I, s:s, s:I, s:s, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
        "s:o, s:o}",
        "sale", (json_int_t)s->id, "status", sale_status_name(s->status), "employee",
        (json_int_t)s->employee_number, "currency", cur->alpha, "tax_included", s->tax_included,
        "lines", lines != NULL ? lines : json_array(), "subtotal",
        termcli_money_json(s->subtotal, cur), "promotions", termcli_money_json(s->promo_total, cur),
        "discounts", termcli_money_json(s->discount_total, cur), "taxes",
        taxes != NULL ? taxes : json_array(), "tax", termcli_money_json(s->tax_total, cur), "total",
        termcli_money_json(s->total, cur), "paid", termcli_money_json(s->paid, cur), "due",
        termcli_money_json(s->status == SALE_OPEN && s->total > s->paid ? s->total - s->paid : 0,
                           cur),
        "change", termcli_money_json(s->change, cur), "tenders",
        tenders != NULL ? tenders : json_array(), "completed",
        json_boolean(s->status == SALE_PAID));
    return j;
}

static void sale_text_line(const struct sale_line *l, const struct currency *cur)
{
    char q[CATALOG_QTY_TEXT_MAX], p[MONEY_FORMAT_MAX], n[MONEY_FORMAT_MAX], x[MONEY_FORMAT_MAX];
    char name[TERMCLI_PAD_MAX];

    termcli_qty_text(l->qty, q, sizeof(q));
    termcli_money_text(l->unit_price, cur, p, sizeof(p));
    termcli_money_text(l->net, cur, n, sizeof(n));
    printf("%3lld  %-12s %s %8s %-3s x %10s %12s\n", (long long)l->line_no, l->sku,
           termcli_pad(l->name, 24, name, sizeof(name)), q, l->unit, p, n);
    if (l->promo_id != 0) {
        termcli_money_text(-l->promo_discount, cur, x, sizeof(x));
        printf("     promotion %lld \"%s\" %s\n", (long long)l->promo_id, l->promo_name, x);
    }
    if (l->line_discount + l->sale_discount != 0) {
        termcli_money_text(-(l->line_discount + l->sale_discount), cur, x, sizeof(x));
        printf("     discount %s\n", x);
    }
}

static void sale_text_amount(const char *label, int64_t v, const struct currency *cur)
{
    char m[MONEY_FORMAT_MAX];

    termcli_money_text(v, cur, m, sizeof(m));
    printf("%-14s %12s\n", label, m);
}

static int sale_print(const struct sale_cli *c, int64_t id)
{
    struct sale *s = NULL;
    size_t i;
    int rc = sale_load(c->db, id, &s);

    if (rc == POS_ERR_NOT_FOUND)
        return cli_error(CLI_FAILED, c->what, "no sale %lld", (long long)id);
    if (rc != POS_OK)
        return termcli_fail(c->what, rc, NULL);
    if (c->a.json) {
        rc = cli_print_json(sale_json(s));
        goto out;
    }
    printf("sale %lld (%s) employee %lld %s, prices %s tax\n", (long long)s->id,
           sale_status_name(s->status), (long long)s->employee_number, s->cur->alpha,
           s->tax_included ? "include" : "exclude");
    for (i = 0; i < s->n_lines; i++)
        sale_text_line(&s->lines[i], s->cur);
    sale_text_amount("subtotal", s->subtotal, s->cur);
    if (s->promo_total != 0)
        sale_text_amount("promotions", -s->promo_total, s->cur);
    if (s->discount_total != 0)
        sale_text_amount("discounts", -s->discount_total, s->cur);
    for (i = 0; i < s->n_taxes; i++) {
        char label[32];

        snprintf(label, sizeof(label), "tax %u.%02u%%", s->taxes[i].rate_bps / 100,
                 s->taxes[i].rate_bps % 100);
        sale_text_amount(label, s->taxes[i].amount, s->cur);
    }
    sale_text_amount("total", s->total, s->cur);
    sale_text_amount("paid", s->paid, s->cur);
    if (s->status == SALE_OPEN)
        sale_text_amount("due", s->total > s->paid ? s->total - s->paid : 0, s->cur);
    if (s->change != 0)
        sale_text_amount("change", s->change, s->cur);
    rc = CLI_OK;
out:
    sale_free(s);
    return rc;
}

static int sale_id_arg(const struct sale_cli *c, int idx, int64_t *id)
{
    return termcli_int(c->what, "SALE", c->a.pos[idx], 1, SALE_ID_MAX, id);
}

static int sale_cmd_open(struct sale_cli *c)
{
    int64_t number, id;
    json_t *j;
    int rc;

    if ((rc = sale_npos(c, 0, "no argument")) != CLI_OK)
        return rc;
    if (sale_opt(c, "--employee") == NULL)
        return cli_error(CLI_USAGE, c->what, "--employee is required");
    if ((rc = termcli_int(c->what, "--employee", sale_opt(c, "--employee"), 1, STAFF_NUMBER_MAX,
                          &number)) != CLI_OK ||
        (rc = termcli_pin(c->what, sale_opt(c, "--pin"), c->pin, sizeof(c->pin))) != CLI_OK)
        return rc;
    rc = sale_open(c->db, number, c->pin, tstore_now_ms(), &id, &c->d);
    if (rc != POS_OK)
        return termcli_fail(c->what, rc, &c->d);
    if (c->a.json) {
        j = json_pack("{s:I, s:s}", "sale", (json_int_t)id, "status", "open");
        return cli_print_json(j);
    }
    printf("%lld\n", (long long)id);
    return CLI_OK;
}

static int sale_cmd_add(struct sale_cli *c)
{
    int64_t id, qty = 0;
    int rc;

    if ((rc = sale_npos(c, 2, "SALE CODE")) != CLI_OK || (rc = sale_id_arg(c, 0, &id)) != CLI_OK)
        return rc;
    if (sale_opt(c, "--qty") != NULL) {
        if ((rc = termcli_qty(c->what, "--qty", sale_opt(c, "--qty"), &qty)) != CLI_OK)
            return rc;
        if (qty <= 0 || qty > SALE_QTY_MAX)
            return cli_error(CLI_USAGE, c->what,
                             "--qty '%s': more than 0 and at most 100000 per line",
                             sale_opt(c, "--qty"));
    }
    rc = sale_add_code(c->db, id, c->a.pos[1], qty, NULL, &c->d);
    if (rc == POS_ERR_NOT_FOUND && c->d.what[0] != '\0' && strstr(c->d.what, "SKU") != NULL)
        return cli_error(CLI_FAILED, c->what, "'%s': no item with this SKU or barcode",
                         c->a.pos[1]);
    if (rc != POS_OK)
        return termcli_fail(c->what, rc, &c->d);
    return sale_print(c, id);
}

static int sale_cmd_remove(struct sale_cli *c)
{
    int64_t id, line;
    int rc;

    if ((rc = sale_npos(c, 2, "SALE LINE")) != CLI_OK || (rc = sale_id_arg(c, 0, &id)) != CLI_OK ||
        (rc = termcli_int(c->what, "LINE", c->a.pos[1], 1, SALE_LINES_MAX * 1000, &line)) != CLI_OK)
        return rc;
    rc = sale_remove_line(c->db, id, line, &c->d);
    if (rc != POS_OK)
        return termcli_fail(c->what, rc, &c->d);
    return sale_print(c, id);
}

/* A percentage with up to two decimals ("10", "12.5") in basis points. */
static int sale_percent(const struct sale_cli *c, const char *text, int64_t *bps)
{
    int64_t milli = 0;

    if (catalog_qty_parse(text, strlen(text), &milli) != POS_OK || milli % 10 != 0 || milli <= 0 ||
        milli > 100000)
        return cli_error(CLI_USAGE, c->what,
                         "--percent '%s': a percentage over 0 and at most 100 (2 decimals)", text);
    *bps = milli / 10;
    return CLI_OK;
}

/* The optional --supervisor N --supervisor-pin P pair into *number, c->pin
 * (*have false when neither is given). */
static int sale_supervisor(struct sale_cli *c, int64_t *number, bool *have)
{
    const char *n = sale_opt(c, "--supervisor"), *p = sale_opt(c, "--supervisor-pin");
    int rc;

    *have = false;
    *number = 0;
    if (n == NULL && p == NULL)
        return CLI_OK;
    if (n == NULL || p == NULL)
        return cli_error(CLI_USAGE, c->what, "--supervisor and --supervisor-pin go together");
    if ((rc = termcli_int(c->what, "--supervisor", n, 1, STAFF_NUMBER_MAX, number)) != CLI_OK)
        return rc;
    rc = termcli_pin(c->what, p, c->pin, sizeof(c->pin));
    *have = rc == CLI_OK;
    return rc;
}

static int sale_cmd_discount(struct sale_cli *c)
{
    const char *pct = sale_opt(c, "--percent"), *amt = sale_opt(c, "--amount");
    int64_t id, line = 0, value, sup;
    bool have;
    int rc;

    if ((rc = sale_npos(c, 1, "SALE")) != CLI_OK || (rc = sale_id_arg(c, 0, &id)) != CLI_OK)
        return rc;
    if ((pct == NULL) == (amt == NULL))
        return cli_error(CLI_USAGE, c->what, "give one of --percent and --amount");
    if (c->a.nmulti > 1)
        return cli_error(CLI_USAGE, c->what, "--line: once");
    if (c->a.nmulti == 1 && (rc = termcli_int(c->what, "--line", c->a.multi[0], 1,
                                              SALE_LINES_MAX * 1000, &line)) != CLI_OK)
        return rc;
    if (pct != NULL)
        rc = sale_percent(c, pct, &value);
    else
        rc = termcli_money(c->what, "--amount", amt, c->cur, &value);
    if (rc != CLI_OK)
        return rc;
    if (value == 0)
        return cli_error(CLI_USAGE, c->what, "--amount: must be more than 0");
    if ((rc = sale_supervisor(c, &sup, &have)) != CLI_OK)
        return rc;
    rc = sale_discount(c->db, id, line, pct != NULL ? SALE_DISC_PERCENT : SALE_DISC_AMOUNT, value,
                       sup, have ? c->pin : NULL, tstore_now_ms(), &c->d);
    if (rc != POS_OK)
        return termcli_fail(c->what, rc, &c->d);
    return sale_print(c, id);
}

static int sale_cmd_price(struct sale_cli *c)
{
    int64_t id, line, price, sup;
    bool have;
    int rc;

    if ((rc = sale_npos(c, 3, "SALE LINE PRICE")) != CLI_OK ||
        (rc = sale_id_arg(c, 0, &id)) != CLI_OK ||
        (rc = termcli_int(c->what, "LINE", c->a.pos[1], 1, SALE_LINES_MAX * 1000, &line)) !=
            CLI_OK ||
        (rc = termcli_money(c->what, "PRICE", c->a.pos[2], c->cur, &price)) != CLI_OK ||
        (rc = sale_supervisor(c, &sup, &have)) != CLI_OK)
        return rc;
    rc = sale_price_override(c->db, id, line, price, sup, have ? c->pin : NULL, tstore_now_ms(),
                             &c->d);
    if (rc != POS_OK)
        return termcli_fail(c->what, rc, &c->d);
    return sale_print(c, id);
}

static int sale_cash(struct sale_cli *c, int64_t id)
{
    struct sale_tender_result r;
    char ch[MONEY_FORMAT_MAX], due[MONEY_FORMAT_MAX];
    int64_t cash;
    int rc;

    if ((rc = termcli_money(c->what, "--cash", sale_opt(c, "--cash"), c->cur, &cash)) != CLI_OK)
        return rc;
    if (cash == 0)
        return cli_error(CLI_USAGE, c->what, "--cash: must be more than 0");
    rc = sale_add_tender(c->db, id, SALE_TENDER_CASH, cash, NULL, tstore_now_ms(), &r, &c->d);
    if (rc != POS_OK)
        return termcli_fail(c->what, rc, &c->d);
    if (c->a.json)
        return cli_print_json(json_pack("{s:I, s:b, s:o, s:o}", "sale", (json_int_t)id, "completed",
                                        r.completed, "change", termcli_money_json(r.change, c->cur),
                                        "due", termcli_money_json(r.due, c->cur)));
    termcli_money_text(r.change, c->cur, ch, sizeof(ch));
    termcli_money_text(r.due, c->cur, due, sizeof(due));
    if (r.completed)
        printf("sale %lld completed, change %s\n", (long long)id, ch);
    else
        printf("sale %lld: %s still due\n", (long long)id, due);
    return CLI_OK;
}

/* Opens the payment session (paycli_open) once; its connection c->pdb is
 * the one the card operations use. */
static int sale_pc(struct sale_cli *c)
{
    const struct currency *cur;

    if (c->pc != NULL)
        return CLI_OK;
    return paycli_open(c->what, c->a.db, sale_opt(c, "--lmk"), sale_opt(c, "--host"), &c->pdb,
                       &c->pc, &cur);
}

/* Track 2 equivalent data (EMV tag 57: PAN, 'D', YYMM, service code, ...,
 * padded with 'F'; EMV Book 3 Annex A) of chip data icc as track 2 text. */
static int sale_emv_track2(struct sale_cli *c, const uint8_t *icc, size_t len, char *out,
                           size_t cap)
{
    static const char digits[] = "0123456789=====F";
    struct tlv t;
    const uint8_t *v;
    size_t i, n = 0, vl;
    int nib;

    if (tlv_find(icc, len, 0x57, &t, NULL) != POS_OK)
        return cli_error(CLI_USAGE, c->what, "--emv: no track 2 equivalent data (tag 57)");
    v = tlv_value(&t);
    vl = tlv_len(&t);
    for (i = 0; i < vl * 2; i++) {
        nib = i % 2 == 0 ? v[i / 2] >> 4 : v[i / 2] & 0x0f;
        if (nib == 0x0f && i + 1 >= vl * 2)
            break;
        if ((nib > 9 && nib != 0x0d) || n + 1 >= cap)
            return cli_error(CLI_USAGE, c->what, "--emv: bad track 2 equivalent data (tag 57)");
        out[n++] = digits[nib];
    }
    out[n] = '\0';
    return CLI_OK;
}

static int sale_card(struct sale_cli *c, int64_t id)
{
    struct sale_card card;
    struct sale_card_result r;
    const char *amt = sale_opt(c, "--amount"), *emv = sale_opt(c, "--emv");
    const char *cvv2 = sale_opt(c, "--cvv2");
    uint8_t icc[POSMSG_ICC_MAX];
    char t2[64], ch[MONEY_FORMAT_MAX];
    size_t icc_len = 0;
    int64_t amount = 0;
    int n = 0, rc;

    memset(&card, 0, sizeof(card));
    memset(t2, 0, sizeof(t2));
    card.track2 = sale_opt(c, "--track2");
    card.pan = sale_opt(c, "--pan");
    card.expiry = sale_opt(c, "--expiry");
    n = (card.track2 != NULL) + (card.pan != NULL) + (emv != NULL);
    if (n != 1) {
        rc = cli_error(CLI_USAGE, c->what, "give one of --track2, --emv and --pan");
        goto out;
    }
    if (card.pan != NULL && card.expiry == NULL) {
        rc = cli_error(CLI_USAGE, c->what, "--pan needs --expiry YYMM");
        goto out;
    }
    /* the CVV2 is checked for form only: the host messages carry none */
    if (cvv2 != NULL &&
        ((strlen(cvv2) != 3 && strlen(cvv2) != 4) || !pos_is_digits(cvv2, strlen(cvv2)))) {
        rc = cli_error(CLI_USAGE, c->what, "--cvv2: 3 or 4 digits");
        goto out;
    }
    if (emv != NULL) {
        if ((rc = cli_hex_arg(c->what, "--emv", emv, icc, sizeof(icc), &icc_len)) != CLI_OK ||
            (rc = sale_emv_track2(c, icc, icc_len, t2, sizeof(t2))) != CLI_OK)
            goto out;
        card.track2 = t2;
        card.icc = icc;
        card.icc_len = icc_len;
    }
    if (sale_opt(c, "--pin") != NULL) {
        if ((rc = termcli_pin(c->what, sale_opt(c, "--pin"), c->pin, sizeof(c->pin))) != CLI_OK)
            goto out;
        card.pin = c->pin;
    }
    if (amt != NULL) {
        if ((rc = termcli_money(c->what, "--amount", amt, c->cur, &amount)) != CLI_OK)
            goto out;
        if (amount == 0) {
            rc = cli_error(CLI_USAGE, c->what, "--amount: must be more than 0");
            goto out;
        }
    }
    if ((rc = sale_pc(c)) != CLI_OK)
        goto out;
    rc = sale_pay_card(c->pdb, c->pc, id, &card, amount, tstore_now_ms(), &r, &c->d);
    if (rc != POS_OK) {
        rc = paycli_fail(c->what, rc, &c->d);
        goto out;
    }
    if (!r.tendered) {
        rc = cli_error(CLI_FAILED, c->what, "card declined: response code %s; sale %lld still open",
                       r.pay.rc, (long long)id);
        goto out;
    }
    termcli_money_text(r.tender.due, c->cur, ch, sizeof(ch));
    if (c->a.json)
        rc = cli_print_json(json_pack(
            "{s:I, s:b, s:o, s:s, s:s, s:s, s:s, s:I, s:o}", "sale", (json_int_t)id, "completed",
            r.tender.completed, "amount", termcli_money_json(r.pay.amount, c->cur), "status",
            r.pay.status, "rrn", r.pay.rrn, "auth", r.pay.auth, "pan", r.pay.pan_masked, "stan",
            (json_int_t)r.pay.stan, "due", termcli_money_json(r.tender.due, c->cur)));
    else if (r.tender.completed)
        printf("sale %lld completed, card %s RRN %s AUTH %s\n", (long long)id, r.pay.pan_masked,
               r.pay.rrn, r.pay.auth);
    else
        printf("sale %lld: card %s RRN %s AUTH %s, %s still due\n", (long long)id, r.pay.pan_masked,
               r.pay.rrn, r.pay.auth, ch);
    rc = CLI_OK;
out:
    pos_wipe(icc, sizeof(icc));
    pos_wipe(t2, sizeof(t2));
    return rc;
}

static int sale_cmd_pay(struct sale_cli *c)
{
    bool card = termcli_has(&c->a, sale_opts, "--card");
    int64_t id;
    int rc;

    if ((rc = sale_npos(c, 1, "SALE")) != CLI_OK || (rc = sale_id_arg(c, 0, &id)) != CLI_OK)
        return rc;
    if (card == (sale_opt(c, "--cash") != NULL))
        return cli_error(CLI_USAGE, c->what, "give --cash AMOUNT or --card");
    return card ? sale_card(c, id) : sale_cash(c, id);
}

/* Whether sale id holds a tender other than cash. */
static bool sale_has_card(struct sale_cli *c, int64_t id)
{
    struct sale *s = NULL;
    bool yes = false;
    size_t i;

    if (sale_load(c->db, id, &s) == POS_OK)
        for (i = 0; i < s->n_tenders; i++)
            yes = yes || s->tenders[i].kind != SALE_TENDER_CASH;
    sale_free(s);
    return yes;
}

static int sale_cmd_cancel(struct sale_cli *c)
{
    int64_t id;
    int rc;

    if ((rc = sale_npos(c, 1, "SALE")) != CLI_OK || (rc = sale_id_arg(c, 0, &id)) != CLI_OK)
        return rc;
    if (sale_has_card(c, id)) {
        if ((rc = sale_pc(c)) != CLI_OK)
            return rc;
        rc = sale_cancel_cards(c->pdb, c->pc, id, tstore_now_ms(), &c->d);
    } else {
        rc = sale_cancel(c->db, id, tstore_now_ms(), &c->d);
    }
    if (rc != POS_OK)
        return paycli_fail(c->what, rc, &c->d);
    return sale_print(c, id);
}

static int sale_return_print(struct sale_cli *c, const char *kind, const struct sret_result *r)
{
    char t[MONEY_FORMAT_MAX], cash[MONEY_FORMAT_MAX], card[MONEY_FORMAT_MAX];

    if (c->a.json)
        return cli_print_json(json_pack(
            "{s:I, s:s, s:o, s:o, s:o, s:o}", "return", (json_int_t)r->return_id, "kind", kind,
            "total", termcli_money_json(r->total, c->cur), "tax",
            termcli_money_json(r->tax, c->cur), "cash", termcli_money_json(r->cash, c->cur), "card",
            termcli_money_json(r->card, c->cur)));
    termcli_money_text(r->total, c->cur, t, sizeof(t));
    termcli_money_text(r->cash, c->cur, cash, sizeof(cash));
    termcli_money_text(r->card, c->cur, card, sizeof(card));
    printf("return %lld (%s): %s back, cash %s, card %s\n", (long long)r->return_id, kind, t, cash,
           card);
    return CLI_OK;
}

/* The supervisor (required) and reason of a void or refund. */
static int sale_ret_auth(struct sale_cli *c, struct sret_auth *a)
{
    bool have;
    int rc = sale_supervisor(c, &a->sup_number, &have);

    if (rc != CLI_OK)
        return rc;
    if (!have)
        return cli_error(CLI_USAGE, c->what, "--supervisor N --supervisor-pin P are required");
    a->sup_pin = c->pin;
    a->reason = sale_opt(c, "--reason");
    return CLI_OK;
}

static int sale_cmd_void(struct sale_cli *c)
{
    struct sret_auth a;
    struct sret_result r;
    struct store *db = c->db;
    int64_t id;
    int rc;

    if ((rc = sale_npos(c, 1, "SALE")) != CLI_OK || (rc = sale_id_arg(c, 0, &id)) != CLI_OK ||
        (rc = sale_ret_auth(c, &a)) != CLI_OK)
        return rc;
    if (sale_has_card(c, id)) {
        if ((rc = sale_pc(c)) != CLI_OK)
            return rc;
        db = c->pdb;
    }
    rc = sret_void(db, c->pc, id, &a, tstore_now_ms(), &r, &c->d);
    if (rc != POS_OK)
        return paycli_fail(c->what, rc, &c->d);
    return sale_return_print(c, "void", &r);
}

static int sale_cmd_refund(struct sale_cli *c)
{
    struct sret_req reqs[TERMCLI_MULTI_MAX];
    struct sret_auth a;
    struct sret_result r;
    struct store *db = c->db;
    const char *sku = sale_opt(c, "--sku"), *qs = sale_opt(c, "--qty"), *colon;
    bool restock = !termcli_has(&c->a, sale_opts, "--no-restock");
    int64_t id = 0, qty = 0;
    char num[24];
    int i, rc;

    if (sku != NULL ? (rc = sale_npos(c, 0, "no SALE with --sku")) != CLI_OK
                    : (rc = sale_npos(c, 1, "SALE (or --sku SKU)")) != CLI_OK ||
                          (rc = sale_id_arg(c, 0, &id)) != CLI_OK)
        return rc;
    if (qs != NULL && ((rc = termcli_qty(c->what, "--qty", qs, &qty)) != CLI_OK))
        return rc;
    if (qs != NULL && (qty <= 0 || qty > SALE_QTY_MAX))
        return cli_error(CLI_USAGE, c->what, "--qty '%s': more than 0", qs);
    if (sku != NULL && c->a.nmulti > 0)
        return cli_error(CLI_USAGE, c->what, "--line goes with a SALE, not --sku");
    if (qs != NULL && sku == NULL && c->a.nmulti != 1)
        return cli_error(CLI_USAGE, c->what, "--qty goes with one --line (else --line N:Q)");
    for (i = 0; i < c->a.nmulti; i++) {
        const char *l = c->a.multi[i];

        colon = strchr(l, ':');
        snprintf(num, sizeof(num), "%.*s", colon != NULL ? (int)(colon - l) : (int)strlen(l), l);
        reqs[i].qty = qty;
        if ((rc = termcli_int(c->what, "--line", num, 1, SALE_LINES_MAX * 1000,
                              &reqs[i].line_no)) != CLI_OK ||
            (colon != NULL &&
             (rc = termcli_qty(c->what, "--line", colon + 1, &reqs[i].qty)) != CLI_OK))
            return rc;
        if (reqs[i].qty < 0 || reqs[i].qty > SALE_QTY_MAX || (colon != NULL && reqs[i].qty == 0))
            return cli_error(CLI_USAGE, c->what, "--line '%s': quantity more than 0", l);
    }
    if ((rc = sale_ret_auth(c, &a)) != CLI_OK)
        return rc;
    if (sku != NULL) {
        rc = sret_refund_sku(db, sku, qs != NULL ? qty : 1000, restock, &a, tstore_now_ms(), &r,
                             &c->d);
    } else {
        if (sale_has_card(c, id)) {
            if ((rc = sale_pc(c)) != CLI_OK)
                return rc;
            db = c->pdb;
        }
        rc = sret_refund(db, c->pc, id, reqs, (size_t)c->a.nmulti, restock, &a, tstore_now_ms(), &r,
                         &c->d);
    }
    if (rc != POS_OK)
        return paycli_fail(c->what, rc, &c->d);
    return sale_return_print(c, "refund", &r);
}

/* The newest paid sale (for "last"), or POS_ERR_NOT_FOUND. */
static int sale_last_paid(struct store *db, int64_t *id)
{
    struct store_stmt *st;
    int rc = store_prepare(db,
                           "SELECT id FROM sales WHERE status = 'paid' ORDER BY closed_at DESC,"
                           " id DESC LIMIT 1",
                           &st);

    if (rc != POS_OK)
        return rc;
    rc = store_step(st);
    if (rc == STORE_ROW) {
        *id = store_column_int64(st, 0);
        store_reset(st);
        return POS_OK;
    }
    return rc == STORE_DONE ? POS_ERR_NOT_FOUND : rc;
}

/* The name a receipt heads with: the setting merchant.name, else the
 * merchant the terminal was provisioned for, else "pos". */
static void sale_merchant(struct sale_cli *c, char *out, size_t cap)
{
    struct payclient_status ps;
    bool found = false;

    if (tstore_setting_get(c->db, "merchant.name", out, cap, &found) == POS_OK && found &&
        out[0] != '\0')
        return;
    if (payclient_status(c->db, &ps, NULL) == POS_OK && ps.id.merchant_name[0] != '\0') {
        snprintf(out, cap, "%s", ps.id.merchant_name);
        return;
    }
    snprintf(out, cap, "%s", "pos");
}

static int sale_receipt_opts(struct sale_cli *c, struct receiptout_opts *o, enum receipt_copy *copy)
{
    const char *w = sale_opt(c, "--width"), *cp = sale_opt(c, "--copy");

    memset(o, 0, sizeof(*o));
    o->width = 42;
    if (w != NULL && strcmp(w, "32") != 0 && strcmp(w, "42") != 0 && strcmp(w, "48") != 0)
        return cli_error(CLI_USAGE, c->what, "--width: must be 32, 42 or 48");
    if (w != NULL)
        o->width = (unsigned)((w[0] - '0') * 10 + (w[1] - '0'));
    if (cp != NULL && strcmp(cp, "customer") != 0 && strcmp(cp, "merchant") != 0)
        return cli_error(CLI_USAGE, c->what, "--copy: must be customer or merchant");
    *copy =
        cp != NULL && strcmp(cp, "merchant") == 0 ? RECEIPT_COPY_MERCHANT : RECEIPT_COPY_CUSTOMER;
    o->escpos = termcli_has(&c->a, sale_opts, "--escpos");
    o->gb18030 = termcli_has(&c->a, sale_opts, "--gb18030");
    o->drawer = termcli_has(&c->a, sale_opts, "--drawer");
    o->no_cut = termcli_has(&c->a, sale_opts, "--no-cut");
    o->out = sale_opt(c, "--out");
    if (o->drawer && !o->escpos)
        return cli_error(CLI_USAGE, c->what, "--drawer needs --escpos");
    return CLI_OK;
}

/* Fills r with the receipt of sale id (ret 0) or of return ret. r holds
 * views into *s (the caller frees it after rendering). */
static int sale_receipt_of(struct sale_cli *c, int64_t id, int64_t ret, const char *merchant,
                           struct sale_receipt *r, struct sale **sp)
{
    struct sale *s = NULL;
    int rc;

    if (ret > 0) {
        rc = sale_return_receipt_fill(c->db, ret, merchant, r);
        if (rc == POS_ERR_NOT_FOUND)
            return cli_error(CLI_FAILED, c->what, "no return %lld", (long long)ret);
        return rc != POS_OK ? termcli_fail(c->what, rc, NULL) : CLI_OK;
    }
    rc = sale_load(c->db, id, &s);
    if (rc == POS_ERR_NOT_FOUND)
        return cli_error(CLI_FAILED, c->what, "no sale %lld", (long long)id);
    if (rc != POS_OK)
        return termcli_fail(c->what, rc, NULL);
    if (sale_receipt_fill(s, merchant, r) != POS_OK)
        rc = cli_error(CLI_FAILED, c->what, "sale %lld is %s: only a paid sale has a receipt",
                       (long long)id, sale_status_name(s->status));
    else if ((rc = sale_receipt_cards(c->db, s, r)) != POS_OK)
        rc = termcli_fail(c->what, rc, NULL);
    *sp = s;
    return rc;
}

static int sale_cmd_receipt(struct sale_cli *c)
{
    char merchant[TSTORE_SETTING_VALUE_MAX + 1];
    struct receiptout_opts o;
    struct pos_errdetail d;
    struct sale_receipt *r = NULL;
    struct sale *s = NULL;
    enum receipt_copy copy = RECEIPT_COPY_CUSTOMER;
    const char *rs = sale_opt(c, "--return");
    uint8_t *buf = NULL;
    size_t len = 0;
    bool before = false;
    int64_t id = 0, ret = 0;
    int rc;

    if ((rc = sale_receipt_opts(c, &o, &copy)) != CLI_OK)
        return rc;
    if (rs != NULL) {
        if ((rc = sale_npos(c, 0, "no SALE with --return")) != CLI_OK ||
            (rc = termcli_int(c->what, "--return", rs, 1, INT64_MAX, &ret)) != CLI_OK)
            return rc;
    } else if ((rc = sale_npos(c, 1, "SALE, last or --return N")) != CLI_OK) {
        return rc;
    } else if (strcmp(c->a.pos[0], "last") == 0) {
        if ((rc = sale_last_paid(c->db, &id)) != POS_OK)
            return rc == POS_ERR_NOT_FOUND ? cli_error(CLI_FAILED, c->what, "no paid sale yet")
                                           : termcli_fail(c->what, rc, NULL);
    } else if ((rc = sale_id_arg(c, 0, &id)) != CLI_OK) {
        return rc;
    }
    sale_merchant(c, merchant, sizeof(merchant));
    if ((r = pos_malloc(sizeof(*r))) == NULL)
        return termcli_fail(c->what, POS_ERR_NOMEM, NULL);
    if ((rc = sale_receipt_of(c, id, ret, merchant, r, &s)) != CLI_OK)
        goto out;
    if ((rc = sale_receipt_printed(c->db, id, ret, copy, &before)) != POS_OK) {
        rc = termcli_fail(c->what, rc, NULL);
        goto out;
    }
    r->r.copy = copy;
    r->r.reprint = before;
    pos_errdetail_init(&d);
    rc = receiptout_render(&r->r, &o, &buf, &len, &d);
    if (rc != POS_OK) {
        rc = termcli_fail(c->what, rc == POS_ERR_NOMEM ? rc : POS_ERR_IO, &d);
        goto out;
    }
    if ((rc = receiptout_write(c->what, &o, buf, len)) == CLI_OK &&
        sale_receipt_mark(c->db, id, ret, copy, tstore_now_ms()) != POS_OK)
        rc = cli_error(CLI_FAILED, c->what, "printed, but the print could not be recorded");
out:
    free(buf);
    pos_free(r);
    sale_free(s);
    return rc;
}

struct sale_sub {
    const char *name;
    int (*run)(struct sale_cli *c);
    const char *opts; /* the options it takes, space-separated */
};

#define SALE_PAY_OPTS " --lmk --host"
#define SALE_SUP_OPTS " --supervisor --supervisor-pin"

static const struct sale_sub sale_subs[] = {
    {"open", sale_cmd_open, "--employee --pin"},
    {"add", sale_cmd_add, "--qty"},
    {"remove", sale_cmd_remove, ""},
    {"discount", sale_cmd_discount, "--percent --amount --line" SALE_SUP_OPTS},
    {"price", sale_cmd_price, SALE_SUP_OPTS},
    {"show", NULL, ""},
    {"pay", sale_cmd_pay,
     "--cash --card --track2 --emv --pan --expiry --cvv2 --pin --amount" SALE_PAY_OPTS},
    {"cancel", sale_cmd_cancel, SALE_PAY_OPTS},
    {"receipt", sale_cmd_receipt,
     "--return --copy --width --escpos --gb18030 --drawer --no-cut --out"},
    {"void", sale_cmd_void, "--reason" SALE_SUP_OPTS SALE_PAY_OPTS},
    {"refund", sale_cmd_refund,
     "--line --qty --no-restock --sku --reason" SALE_SUP_OPTS SALE_PAY_OPTS},
};

/* Refuses an option the subcommand does not take (it would be ignored). */
static int sale_opts_check(const struct sale_cli *c, const struct sale_sub *sub)
{
    size_t k, n, len = strlen(sub->opts);
    const char *p;
    bool given, known;

    for (k = 0; sale_opts[k].name != NULL; k++) {
        given = sale_opts[k].kind == TERMCLI_MULTI ? c->a.nmulti > 0
                                                   : c->a.val[k] != NULL || c->a.flag[k];
        if (!given)
            continue;
        n = strlen(sale_opts[k].name);
        known = false;
        for (p = strstr(sub->opts, sale_opts[k].name); p != NULL && !known;
             p = strstr(p + 1, sale_opts[k].name))
            known = (p == sub->opts || p[-1] == ' ') && (p + n == sub->opts + len || p[n] == ' ');
        if (!known)
            return cli_error(CLI_USAGE, c->what, "%s does not go with pos sale %s (see --help)",
                             sale_opts[k].name, sub->name);
    }
    return CLI_OK;
}

int cmd_sale(int argc, char **argv)
{
    struct sale_cli *c;
    char what[32];
    size_t i, n = sizeof(sale_subs) / sizeof(sale_subs[0]);
    int64_t id;
    int rc;

    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(sale_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    for (i = 0; i < n; i++)
        if (strcmp(argv[1], sale_subs[i].name) == 0)
            break;
    if (i == n)
        return cli_error(CLI_USAGE, "sale", "unknown subcommand '%s' (see pos sale --help)",
                         argv[1]);
    c = pos_malloc(sizeof(*c));
    if (c == NULL)
        return cli_error(CLI_FAILED, "sale", "out of memory");
    memset(c, 0, sizeof(*c));
    snprintf(what, sizeof(what), "sale %s", sale_subs[i].name);
    c->what = what;
    pos_errdetail_init(&c->d);
    rc = termcli_parse(what, argc, argv, 2, sale_opts, &c->a);
    if (rc == CLI_OK)
        rc = sale_opts_check(c, &sale_subs[i]);
    if (rc == CLI_OK)
        rc = termcli_open(what, &c->a, &c->db, &c->cur);
    /* an approved card payment not yet a tender (a crash) joins its sale */
    if (rc == CLI_OK &&
        sale_card_recover(c->db, NULL, tstore_now_ms(), NULL, NULL, &c->d) != POS_OK)
        rc = termcli_fail(what, POS_ERR_DB, &c->d);
    if (rc == CLI_OK) {
        if (sale_subs[i].run != NULL)
            rc = sale_subs[i].run(c);
        else if ((rc = sale_npos(c, 1, "SALE")) == CLI_OK &&
                 (rc = sale_id_arg(c, 0, &id)) == CLI_OK)
            rc = sale_print(c, id);
    }
    payclient_close(c->pc);
    tstore_close(c->pdb);
    tstore_close(c->db);
    pos_wipe(c->pin, sizeof(c->pin));
    pos_free(c);
    return rc;
}
