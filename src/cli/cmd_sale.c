/* pos sale: the cashier's sale from the command line (src/term/sale.h;
 * docs/sales.md). Each invocation works on a draft kept in the database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "error.h"
#include "escpos.h"
#include "mem.h"
#include "term/catalog.h"
#include "term/sale.h"
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
    "       pos sale cancel SALE\n"
    "       pos sale receipt SALE [--width 32|42|48] [--escpos] [--gb18030]\n"
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
    {"--qty", TERMCLI_VALUE},        {"--line", TERMCLI_VALUE},
    {"--percent", TERMCLI_VALUE},    {"--amount", TERMCLI_VALUE},
    {"--supervisor", TERMCLI_VALUE}, {"--supervisor-pin", TERMCLI_VALUE},
    {"--cash", TERMCLI_VALUE},       {"--width", TERMCLI_VALUE},
    {"--escpos", TERMCLI_FLAG},      {"--gb18030", TERMCLI_FLAG},
    {NULL, TERMCLI_VALUE},
};

#define SALE_ID_MAX INT64_C(999999999999)

struct sale_cli {
    const char *what;
    struct termcli_args a;
    struct store *db;
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

    termcli_qty_text(l->qty, q, sizeof(q));
    termcli_money_text(l->unit_price, cur, p, sizeof(p));
    termcli_money_text(l->net, cur, n, sizeof(n));
    printf("%3lld  %-12s %-24s %8s %-3s x %10s %12s\n", (long long)l->line_no, l->sku, l->name, q,
           l->unit, p, n);
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
    if (sale_opt(c, "--line") != NULL &&
        (rc = termcli_int(c->what, "--line", sale_opt(c, "--line"), 1, SALE_LINES_MAX * 1000,
                          &line)) != CLI_OK)
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

static int sale_cmd_pay(struct sale_cli *c)
{
    struct sale_tender_result r;
    char ch[MONEY_FORMAT_MAX], due[MONEY_FORMAT_MAX];
    int64_t id, cash;
    int rc;

    if ((rc = sale_npos(c, 1, "SALE")) != CLI_OK || (rc = sale_id_arg(c, 0, &id)) != CLI_OK)
        return rc;
    if (sale_opt(c, "--cash") == NULL)
        return cli_error(CLI_USAGE, c->what, "--cash AMOUNT is required");
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

static int sale_cmd_cancel(struct sale_cli *c)
{
    int64_t id;
    int rc;

    if ((rc = sale_npos(c, 1, "SALE")) != CLI_OK || (rc = sale_id_arg(c, 0, &id)) != CLI_OK)
        return rc;
    rc = sale_cancel(c->db, id, tstore_now_ms(), &c->d);
    if (rc != POS_OK)
        return termcli_fail(c->what, rc, &c->d);
    return sale_print(c, id);
}

/* Renders the receipt into a heap buffer that grows on POS_ERR_NOSPACE. */
static int sale_render(const struct receipt *r, unsigned width, bool escpos, bool gb, uint8_t **buf,
                       size_t *len)
{
    struct escpos_options eo;
    size_t cap = 16384;
    uint8_t *gbuf;
    int rc = POS_ERR_NOSPACE;

    escpos_options_init(&eo);
    eo.width = width;
    eo.enc = gb ? ESCPOS_GB18030 : ESCPOS_UTF8;
    *buf = NULL;
    while (rc == POS_ERR_NOSPACE && cap <= (16u << 20)) {
        free(*buf);
        if ((*buf = malloc(cap)) == NULL)
            return POS_ERR_NOMEM;
        if (escpos)
            rc = escpos_render_receipt(r, &eo, *buf, cap, len, NULL);
        else
            rc = receipt_render_text(r, width, (char *)*buf, cap, len, NULL);
        cap *= 2;
    }
    if (rc != POS_OK || escpos || !gb)
        return rc;
    cap = *len * 2 + 1;
    if ((gbuf = malloc(cap)) == NULL)
        return POS_ERR_NOMEM;
    rc = escpos_gb18030_encode((const char *)*buf, *len, gbuf, cap, len);
    free(*buf);
    *buf = gbuf;
    return rc;
}

static int sale_cmd_receipt(struct sale_cli *c)
{
    char merchant[TSTORE_SETTING_VALUE_MAX + 1];
    struct sale_receipt *r = NULL;
    struct sale *s = NULL;
    const char *w = sale_opt(c, "--width");
    uint8_t *buf = NULL;
    size_t len = 0;
    unsigned width = 42;
    bool found;
    int64_t id;
    int rc;

    if ((rc = sale_npos(c, 1, "SALE")) != CLI_OK || (rc = sale_id_arg(c, 0, &id)) != CLI_OK)
        return rc;
    if (w != NULL && strcmp(w, "32") != 0 && strcmp(w, "42") != 0 && strcmp(w, "48") != 0)
        return cli_error(CLI_USAGE, c->what, "--width: must be 32, 42 or 48");
    if (w != NULL)
        width = (unsigned)((w[0] - '0') * 10 + (w[1] - '0'));
    if (tstore_setting_get(c->db, "merchant.name", merchant, sizeof(merchant), &found) != POS_OK ||
        !found || merchant[0] == '\0')
        snprintf(merchant, sizeof(merchant), "%s", "pos");
    rc = sale_load(c->db, id, &s);
    if (rc == POS_ERR_NOT_FOUND) {
        rc = cli_error(CLI_FAILED, c->what, "no sale %lld", (long long)id);
        goto out;
    }
    if (rc != POS_OK || (r = pos_malloc(sizeof(*r))) == NULL) {
        rc = termcli_fail(c->what, rc != POS_OK ? rc : POS_ERR_NOMEM, NULL);
        goto out;
    }
    if (sale_receipt_fill(s, merchant, r) != POS_OK) {
        rc = cli_error(CLI_FAILED, c->what, "sale %lld is %s: only a paid sale has a receipt",
                       (long long)id, sale_status_name(s->status));
        goto out;
    }
    rc = sale_render(&r->r, width, termcli_has(&c->a, sale_opts, "--escpos"),
                     termcli_has(&c->a, sale_opts, "--gb18030"), &buf, &len);
    if (rc != POS_OK) {
        rc = termcli_fail(c->what, rc == POS_ERR_NOMEM ? rc : POS_ERR_IO, NULL);
        goto out;
    }
    rc = fwrite(buf, 1, len, stdout) == len && fflush(stdout) == 0
             ? CLI_OK
             : cli_error(CLI_FAILED, c->what, "cannot write standard output");
out:
    free(buf);
    pos_free(r);
    sale_free(s);
    return rc;
}

struct sale_sub {
    const char *name;
    int (*run)(struct sale_cli *c);
};

static const struct sale_sub sale_subs[] = {
    {"open", sale_cmd_open},         {"add", sale_cmd_add},       {"remove", sale_cmd_remove},
    {"discount", sale_cmd_discount}, {"price", sale_cmd_price},   {"show", NULL},
    {"pay", sale_cmd_pay},           {"cancel", sale_cmd_cancel}, {"receipt", sale_cmd_receipt},
};

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
        rc = termcli_open(what, &c->a, &c->db, &c->cur);
    if (rc == CLI_OK) {
        if (sale_subs[i].run != NULL)
            rc = sale_subs[i].run(c);
        else if ((rc = sale_npos(c, 1, "SALE")) == CLI_OK &&
                 (rc = sale_id_arg(c, 0, &id)) == CLI_OK)
            rc = sale_print(c, id);
    }
    tstore_close(c->db);
    pos_wipe(c->pin, sizeof(c->pin));
    pos_free(c);
    return rc;
}
