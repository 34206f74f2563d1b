/* pos receipt: render a receipt (JSON, docs/receipts.md) as text or ESC/POS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "error.h"
#include "escpos.h"
#include "money.h"
#include "receipt.h"
#include "receiptout.h"

static const char receipt_usage[] =
    "usage: pos receipt render [--width 32|42|48] [--escpos] [--gb18030]\n"
    "                          [--copy customer|merchant] [--reprint] [--drawer]\n"
    "                          [--no-cut] [--out FILE|DEVICE] < receipt.json\n"
    "\n"
    "Reads a receipt as JSON (schema in docs/receipts.md) and prints it: plain\n"
    "UTF-8 text of --width columns (default 42; Chinese characters count two),\n"
    "or with --escpos the ESC/POS bytes for a thermal printer (initialise,\n"
    "alignment, bold, double size, QR code, partial cut; --drawer kicks the\n"
    "cash drawer, --no-cut leaves the paper uncut). --gb18030 encodes the text\n"
    "as GB18030 (Chinese printers; with --escpos it selects Chinese mode with\n"
    "FS &). --copy and --reprint override the JSON. The PAN is always printed\n"
    "masked. Output goes to stdout or --out (a file or a printer device such\n"
    "as /dev/usb/lp0). Bad JSON or a missing field: exit 2 naming it.\n";


struct receipt_cli {
    struct receipt r;
    struct receipt_item items[RECEIPT_ITEMS_MAX];
    struct receipt_tax taxes[RECEIPT_TAXES_MAX];
    struct receipt_tender tenders[RECEIPT_TENDERS_MAX];
};

static bool rcli_known(const char *key, const char *const *keys)
{
    for (; *keys != NULL; keys++)
        if (strcmp(key, *keys) == 0)
            return true;
    return false;
}

/* Refuses keys of obj not in keys (a typo must not silently drop a line). */
static int rcli_keys(json_t *obj, const char *const *keys, const char *where)
{
    const char *key;
    json_t *v;

    json_object_foreach(obj, key, v)
    {
        (void)v;
        if (!rcli_known(key, keys))
            return cli_error(CLI_USAGE, "receipt", "%s%sunknown field \"%s\"", where,
                             where[0] ? ": " : "", key);
    }
    return CLI_OK;
}

/* *out = the string at key (NULL when absent and optional). */
static int rcli_str(json_t *obj, const char *key, bool required, const char **out,
                    const char *where)
{
    json_t *v = json_object_get(obj, key);

    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        if (required)
            return cli_error(CLI_USAGE, "receipt", "%s%s\"%s\": missing required field", where,
                             where[0] ? "." : "", key);
        return CLI_OK;
    }
    if (!json_is_string(v))
        return cli_error(CLI_USAGE, "receipt", "%s%s\"%s\": must be a string", where,
                         where[0] ? "." : "", key);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return cli_error(CLI_USAGE, "receipt", "%s%s\"%s\": contains a NUL character", where,
                         where[0] ? "." : "", key);
    *out = json_string_value(v);
    return CLI_OK;
}

/* *minor = the amount string at key in cur; *present says whether given. */
static int rcli_money(json_t *obj, const char *key, bool required, const struct currency *cur,
                      int64_t *minor, bool *present, const char *where)
{
    struct pos_errdetail d;
    struct money m;
    const char *s;
    int rc = rcli_str(obj, key, required, &s, where);

    *minor = 0;
    if (present != NULL)
        *present = s != NULL;
    if (rc != CLI_OK || s == NULL)
        return rc;
    pos_errdetail_init(&d);
    rc = money_parse(s, strlen(s), cur, &m, &d);
    if (rc != POS_OK)
        return cli_error(CLI_USAGE, "receipt", "%s%s\"%s\": %s: \"%s\" is not an amount in %s",
                         where, where[0] ? "." : "", key, pos_strerror(rc), s, cur->alpha);
    *minor = m.minor;
    return CLI_OK;
}

static int rcli_bool(json_t *obj, const char *key, bool *out)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL || json_is_null(v))
        return CLI_OK;
    if (!json_is_boolean(v))
        return cli_error(CLI_USAGE, "receipt", "\"%s\": must be true or false", key);
    *out = json_is_true(v);
    return CLI_OK;
}

/* The array at key (NULL when absent), at most max elements. */
static int rcli_array(json_t *root, const char *key, size_t max, json_t **out)
{
    json_t *v = json_object_get(root, key);

    *out = NULL;
    if (v == NULL || json_is_null(v))
        return CLI_OK;
    if (!json_is_array(v))
        return cli_error(CLI_USAGE, "receipt", "\"%s\": must be an array", key);
    if (json_array_size(v) > max)
        return cli_error(CLI_USAGE, "receipt", "\"%s\": more than %zu entries", key, max);
    *out = v;
    return CLI_OK;
}

static int rcli_items(struct receipt_cli *c, json_t *root)
{
    static const char *const keys[] = {"name", "qty", "unit", "price", "total", "discount", NULL};
    json_t *arr, *it;
    char where[32];
    size_t i;
    int rc = rcli_array(root, "items", RECEIPT_ITEMS_MAX, &arr);

    if (rc != CLI_OK || arr == NULL)
        return rc;
    json_array_foreach(arr, i, it)
    {
        struct receipt_item *x = &c->items[i];
        const char *qty;

        snprintf(where, sizeof(where), "items[%zu]", i);
        if (!json_is_object(it))
            return cli_error(CLI_USAGE, "receipt", "%s: must be an object", where);
        x->qty_milli = 1000;
        if ((rc = rcli_keys(it, keys, where)) != CLI_OK ||
            (rc = rcli_str(it, "name", true, &x->name, where)) != CLI_OK ||
            (rc = rcli_str(it, "unit", false, &x->unit, where)) != CLI_OK ||
            (rc = rcli_str(it, "qty", false, &qty, where)) != CLI_OK ||
            (rc = rcli_money(it, "total", true, c->r.cur, &x->total, NULL, where)) != CLI_OK ||
            (rc = rcli_money(it, "price", false, c->r.cur, &x->unit_price, NULL, where)) !=
                CLI_OK ||
            (rc = rcli_money(it, "discount", false, c->r.cur, &x->discount, NULL, where)) != CLI_OK)
            return rc;
        if (qty != NULL && receipt_qty_parse(qty, strlen(qty), &x->qty_milli) != POS_OK)
            return cli_error(CLI_USAGE, "receipt",
                             "%s.\"qty\": \"%s\" is not a quantity (up to 3 decimals)", where, qty);
    }
    c->r.items = c->items;
    c->r.item_count = json_array_size(arr);
    return CLI_OK;
}

static int rcli_taxes(struct receipt_cli *c, json_t *root)
{
    static const char *const keys[] = {"label", "rate", "amount", "included", NULL};
    json_t *arr, *it;
    char where[32];
    size_t i;
    int rc = rcli_array(root, "taxes", RECEIPT_TAXES_MAX, &arr);

    if (rc != CLI_OK || arr == NULL)
        return rc;
    json_array_foreach(arr, i, it)
    {
        struct receipt_tax *x = &c->taxes[i];
        const char *rate;
        int64_t milli = 0;
        json_t *inc;

        snprintf(where, sizeof(where), "taxes[%zu]", i);
        if (!json_is_object(it))
            return cli_error(CLI_USAGE, "receipt", "%s: must be an object", where);
        if ((rc = rcli_keys(it, keys, where)) != CLI_OK ||
            (rc = rcli_str(it, "label", true, &x->label, where)) != CLI_OK ||
            (rc = rcli_str(it, "rate", true, &rate, where)) != CLI_OK ||
            (rc = rcli_money(it, "amount", true, c->r.cur, &x->amount, NULL, where)) != CLI_OK)
            return rc;
        /* a percentage with up to 2 decimals: "13", "6.5", "0.01" -> bps */
        if (receipt_qty_parse(rate, strlen(rate), &milli) != POS_OK || milli % 10 != 0 ||
            milli > 100000)
            return cli_error(CLI_USAGE, "receipt",
                             "%s.\"rate\": \"%s\" is not a percentage 0..100 (2 decimals)", where,
                             rate);
        x->rate_bps = (uint32_t)(milli / 10);
        inc = json_object_get(it, "included");
        if (inc != NULL && !json_is_boolean(inc))
            return cli_error(CLI_USAGE, "receipt", "%s.\"included\": must be true or false", where);
        x->included = json_is_true(inc);
    }
    c->r.taxes = c->taxes;
    c->r.tax_count = json_array_size(arr);
    return CLI_OK;
}

static int rcli_tenders(struct receipt_cli *c, json_t *root)
{
    static const char *const keys[] = {"type", "amount", "change", "detail", NULL};
    json_t *arr, *it;
    char where[32];
    size_t i;
    int rc = rcli_array(root, "tenders", RECEIPT_TENDERS_MAX, &arr);

    if (rc != CLI_OK || arr == NULL)
        return rc;
    json_array_foreach(arr, i, it)
    {
        struct receipt_tender *x = &c->tenders[i];
        const char *type;

        snprintf(where, sizeof(where), "tenders[%zu]", i);
        if (!json_is_object(it))
            return cli_error(CLI_USAGE, "receipt", "%s: must be an object", where);
        if ((rc = rcli_keys(it, keys, where)) != CLI_OK ||
            (rc = rcli_str(it, "type", true, &type, where)) != CLI_OK ||
            (rc = rcli_money(it, "amount", true, c->r.cur, &x->amount, NULL, where)) != CLI_OK ||
            (rc = rcli_money(it, "change", false, c->r.cur, &x->change, NULL, where)) != CLI_OK ||
            (rc = rcli_str(it, "detail", false, &x->detail, where)) != CLI_OK)
            return rc;
        if (receipt_tender_parse(type, &x->kind) != POS_OK)
            return cli_error(CLI_USAGE, "receipt",
                             "%s.\"type\": \"%s\" is not cash, card or wallet", where, type);
    }
    c->r.tenders = c->tenders;
    c->r.tender_count = json_array_size(arr);
    return CLI_OK;
}

static int rcli_parse(struct receipt_cli *c, json_t *root)
{
    static const char *const keys[] = {
        "copy",      "reprint",    "currency", "merchant_name", "merchant_id", "terminal_id",
        "operator",  "type",       "datetime", "batch",         "trace",       "rrn",
        "auth_code", "card_brand", "pan",      "entry",         "amount",      "items",
        "subtotal",  "taxes",      "total",    "tenders",       "footer",      "qr",
        NULL};
    struct receipt *r = &c->r;
    const char *cur, *copy, *type, *entry;
    int rc;

    if (!json_is_object(root))
        return cli_error(CLI_USAGE, "receipt", "the receipt must be a JSON object");
    if ((rc = rcli_keys(root, keys, "")) != CLI_OK ||
        (rc = rcli_str(root, "currency", true, &cur, "")) != CLI_OK)
        return rc;
    if (money_currency_parse(cur, strlen(cur), &r->cur, NULL) != POS_OK)
        return cli_error(CLI_USAGE, "receipt", "\"currency\": unknown currency \"%s\"", cur);
    if ((rc = rcli_str(root, "merchant_name", true, &r->merchant_name, "")) != CLI_OK ||
        (rc = rcli_str(root, "merchant_id", false, &r->merchant_id, "")) != CLI_OK ||
        (rc = rcli_str(root, "terminal_id", false, &r->terminal_id, "")) != CLI_OK ||
        (rc = rcli_str(root, "operator", false, &r->operator_id, "")) != CLI_OK ||
        (rc = rcli_str(root, "datetime", false, &r->datetime, "")) != CLI_OK ||
        (rc = rcli_str(root, "batch", false, &r->batch, "")) != CLI_OK ||
        (rc = rcli_str(root, "trace", false, &r->trace, "")) != CLI_OK ||
        (rc = rcli_str(root, "rrn", false, &r->rrn, "")) != CLI_OK ||
        (rc = rcli_str(root, "auth_code", false, &r->auth_code, "")) != CLI_OK ||
        (rc = rcli_str(root, "card_brand", false, &r->card_brand, "")) != CLI_OK ||
        (rc = rcli_str(root, "pan", false, &r->pan, "")) != CLI_OK ||
        (rc = rcli_str(root, "footer", false, &r->footer, "")) != CLI_OK ||
        (rc = rcli_str(root, "qr", false, &r->qr, "")) != CLI_OK ||
        (rc = rcli_str(root, "copy", false, &copy, "")) != CLI_OK ||
        (rc = rcli_str(root, "type", false, &type, "")) != CLI_OK ||
        (rc = rcli_str(root, "entry", false, &entry, "")) != CLI_OK ||
        (rc = rcli_bool(root, "reprint", &r->reprint)) != CLI_OK ||
        (rc = rcli_money(root, "amount", false, r->cur, &r->amount, &r->has_amount, "")) !=
            CLI_OK ||
        (rc = rcli_money(root, "subtotal", false, r->cur, &r->subtotal, &r->has_subtotal, "")) !=
            CLI_OK ||
        (rc = rcli_money(root, "total", false, r->cur, &r->total, &r->has_total, "")) != CLI_OK)
        return rc;
    if (copy != NULL && strcmp(copy, "customer") != 0 && strcmp(copy, "merchant") != 0)
        return cli_error(CLI_USAGE, "receipt", "\"copy\": must be customer or merchant");
    if (copy != NULL)
        r->copy = strcmp(copy, "merchant") == 0 ? RECEIPT_COPY_MERCHANT : RECEIPT_COPY_CUSTOMER;
    if (type != NULL && receipt_txn_parse(type, &r->txn) != POS_OK)
        return cli_error(CLI_USAGE, "receipt",
                         "\"type\": \"%s\" is not sale, void, refund, preauth, completion or "
                         "balance",
                         type);
    if (entry != NULL && receipt_entry_parse(entry, &r->entry) != POS_OK)
        return cli_error(CLI_USAGE, "receipt",
                         "\"entry\": \"%s\" is not swipe, chip, contactless or keyed", entry);
    if ((rc = rcli_items(c, root)) != CLI_OK || (rc = rcli_taxes(c, root)) != CLI_OK)
        return rc;
    return rcli_tenders(c, root);
}

struct rcli_opts {
    struct receiptout_opts ro;
    bool reprint;
    const char *copy;
};

static int rcli_args(int argc, char **argv, struct rcli_opts *o)
{
    int i;

    memset(o, 0, sizeof(*o));
    o->ro.width = 42;
    for (i = 2; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--escpos") == 0)
            o->ro.escpos = true;
        else if (strcmp(a, "--gb18030") == 0)
            o->ro.gb18030 = true;
        else if (strcmp(a, "--reprint") == 0)
            o->reprint = true;
        else if (strcmp(a, "--drawer") == 0)
            o->ro.drawer = true;
        else if (strcmp(a, "--no-cut") == 0)
            o->ro.no_cut = true;
        else if ((strcmp(a, "--width") == 0 || strcmp(a, "--copy") == 0 ||
                  strcmp(a, "--out") == 0) &&
                 i + 1 >= argc)
            return cli_error(CLI_USAGE, "receipt", "%s needs a value", a);
        else if (strcmp(a, "--width") == 0) {
            a = argv[++i];
            if (strcmp(a, "32") == 0 || strcmp(a, "42") == 0 || strcmp(a, "48") == 0)
                o->ro.width = (unsigned)((a[0] - '0') * 10 + (a[1] - '0'));
            else
                return cli_error(CLI_USAGE, "receipt", "--width: must be 32, 42 or 48");
        } else if (strcmp(a, "--copy") == 0) {
            o->copy = argv[++i];
            if (strcmp(o->copy, "customer") != 0 && strcmp(o->copy, "merchant") != 0)
                return cli_error(CLI_USAGE, "receipt", "--copy: must be customer or merchant");
        } else if (strcmp(a, "--out") == 0)
            o->ro.out = argv[++i];
        else
            return cli_error(CLI_USAGE, "receipt", "unknown option '%s' (see pos receipt --help)",
                             a);
    }
    if (o->ro.drawer && !o->ro.escpos)
        return cli_error(CLI_USAGE, "receipt", "--drawer needs --escpos");
    return CLI_OK;
}

static int rcli_render_cmd(int argc, char **argv)
{
    struct receipt_cli *c = NULL;
    struct pos_errdetail d;
    struct rcli_opts o;
    json_error_t jerr;
    json_t *root = NULL;
    uint8_t *in = NULL, *out = NULL;
    size_t len = 0, out_len = 0;
    int rc;

    rc = rcli_args(argc, argv, &o);
    if (rc != CLI_OK)
        return rc;
    rc = cli_read_stdin("receipt", false, &in, &len);
    if (rc != CLI_OK)
        return rc;
    root = json_loadb((const char *)in, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        rc = cli_error(CLI_USAGE, "receipt", "invalid JSON at line %d column %d: %s", jerr.line,
                       jerr.column, jerr.text);
        goto out;
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        rc = cli_error(CLI_FAILED, "receipt", "out of memory");
        goto out;
    }
    receipt_init(&c->r);
    rc = rcli_parse(c, root);
    if (rc != CLI_OK)
        goto out;
    if (o.reprint)
        c->r.reprint = true;
    if (o.copy != NULL)
        c->r.copy = strcmp(o.copy, "merchant") == 0 ? RECEIPT_COPY_MERCHANT : RECEIPT_COPY_CUSTOMER;
    pos_errdetail_init(&d);
    rc = receiptout_render(&c->r, &o.ro, &out, &out_len, &d);
    if (rc != POS_OK) {
        rc = cli_error_pos(rc == POS_ERR_NOMEM ? CLI_FAILED : CLI_USAGE, "receipt", rc, &d);
        goto out;
    }
    rc = receiptout_write("receipt", &o.ro, out, out_len);
out:
    free(out);
    free(c);
    json_decref(root);
    free(in);
    return rc;
}

int cmd_receipt(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(receipt_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "render") != 0)
        return cli_error(CLI_USAGE, "receipt", "unknown subcommand '%s' (see pos receipt --help)",
                         argv[1]);
    return rcli_render_cmd(argc, argv);
}
