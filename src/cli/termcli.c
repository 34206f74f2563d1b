/* termcli: shared helpers of the terminal's store commands. */
#include "termcli.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "error.h"
#include "term/catalog.h"
#include "term/tstore.h"
#include "textwidth.h"

int termcli_parse(const char *what, int argc, char **argv, int first,
                  const struct termcli_opt *opts, struct termcli_args *a)
{
    int i, k;

    memset(a, 0, sizeof(*a));
    for (i = first; i < argc; i++) {
        const char *s = argv[i];
        const char *eq, *v;
        size_t n;

        if (strncmp(s, "--", 2) != 0 || s[2] == '\0') {
            if (strcmp(s, "--") == 0)
                continue;
            if (a->npos == TERMCLI_POS_MAX)
                return cli_error(CLI_USAGE, what, "unexpected argument '%s'", s);
            a->pos[a->npos++] = s;
            continue;
        }
        eq = strchr(s, '=');
        n = eq != NULL ? (size_t)(eq - s) : strlen(s);
        if (n == 6 && strncmp(s, "--json", n) == 0 && eq == NULL) {
            a->json = true;
            continue;
        }
        for (k = 0; opts[k].name != NULL && k < TERMCLI_OPTS_MAX; k++)
            if (strlen(opts[k].name) == n && strncmp(s, opts[k].name, n) == 0)
                break;
        if ((k == TERMCLI_OPTS_MAX || opts[k].name == NULL) &&
            !(n == 4 && strncmp(s, "--db", n) == 0))
            return cli_error(CLI_USAGE, what, "unknown option '%.*s'", (int)n, s);
        if (k < TERMCLI_OPTS_MAX && opts[k].name != NULL && opts[k].kind == TERMCLI_FLAG) {
            if (eq != NULL)
                return cli_error(CLI_USAGE, what, "%.*s takes no value", (int)n, s);
            a->flag[k] = true;
            continue;
        }
        if (eq != NULL)
            v = eq + 1;
        else if (i + 1 < argc)
            v = argv[++i];
        else
            return cli_error(CLI_USAGE, what, "%s needs a value", s);
        if (k == TERMCLI_OPTS_MAX || opts[k].name == NULL) {
            a->db = v;
        } else if (opts[k].kind == TERMCLI_MULTI) {
            if (a->nmulti == TERMCLI_MULTI_MAX)
                return cli_error(CLI_USAGE, what, "too many %s options", opts[k].name);
            a->multi[a->nmulti++] = v;
        } else {
            a->val[k] = v;
        }
    }
    return CLI_OK;
}

static int termcli_index(const struct termcli_opt *opts, const char *name)
{
    int k;

    for (k = 0; opts[k].name != NULL && k < TERMCLI_OPTS_MAX; k++)
        if (strcmp(opts[k].name, name) == 0)
            return k;
    return -1;
}

const char *termcli_get(const struct termcli_args *a, const struct termcli_opt *opts,
                        const char *name)
{
    int k = termcli_index(opts, name);

    return k < 0 ? NULL : a->val[k];
}

bool termcli_has(const struct termcli_args *a, const struct termcli_opt *opts, const char *name)
{
    int k = termcli_index(opts, name);

    return k >= 0 && (a->flag[k] || a->val[k] != NULL);
}

int termcli_open(const char *what, const struct termcli_args *a, struct store **db,
                 const struct currency **cur)
{
    struct pos_errdetail d;
    const char *path = tstore_path(a->db);
    int rc;

    pos_errdetail_init(&d);
    rc = tstore_open(path, db, &d);
    if (rc != POS_OK)
        return cli_error(CLI_FAILED, what, "cannot open the terminal database '%s': %s%s%s", path,
                         pos_strerror(rc), d.what[0] != '\0' ? ": " : "", d.what);
    if (cur != NULL) {
        rc = tstore_currency(*db, cur);
        if (rc != POS_OK) {
            tstore_close(*db);
            *db = NULL;
            return cli_error(CLI_FAILED, what, "the setting 'currency' is not an ISO 4217 code");
        }
    }
    return CLI_OK;
}

int termcli_fail(const char *what, int rc, const struct pos_errdetail *d)
{
    int code;

    switch (rc) {
    case POS_ERR_INVAL:
    case POS_ERR_RANGE:
    case POS_ERR_SYNTAX:
    case POS_ERR_LENGTH:
    case POS_ERR_DIGIT:
    case POS_ERR_CHECK_DIGIT:
    case POS_ERR_CURRENCY:
    case POS_ERR_OVERFLOW:
        code = CLI_USAGE;
        break;
    default:
        code = CLI_FAILED;
        break;
    }
    if (d != NULL && d->what[0] != '\0')
        return cli_error(code, what, "%s", d->what);
    return cli_error(code, what, "%s", pos_strerror(rc));
}

int termcli_money(const char *what, const char *opt, const char *text, const struct currency *cur,
                  int64_t *minor)
{
    struct pos_errdetail d;
    struct money m;
    int rc;

    pos_errdetail_init(&d);
    rc = money_parse(text, strlen(text), cur, &m, &d);
    if (rc != POS_OK)
        return cli_error(CLI_USAGE, what, "%s '%s': not an amount in %s (%s)", opt, text,
                         cur->alpha, pos_strerror(rc));
    if (m.minor < 0)
        return cli_error(CLI_USAGE, what, "%s '%s': must not be negative", opt, text);
    *minor = m.minor;
    return CLI_OK;
}

int termcli_int(const char *what, const char *opt, const char *text, int64_t min, int64_t max,
                int64_t *out)
{
    int64_t v = 0;
    size_t i;

    for (i = 0; text[i] != '\0'; i++)
        if (text[i] < '0' || text[i] > '9' || i >= 18)
            break;
    if (text[0] == '\0' || text[i] != '\0')
        return cli_error(CLI_USAGE, what, "%s '%s': not a whole number", opt, text);
    for (i = 0; text[i] != '\0'; i++)
        v = v * 10 + (text[i] - '0');
    if (v < min || v > max)
        return cli_error(CLI_USAGE, what, "%s '%s': must be %lld to %lld", opt, text,
                         (long long)min, (long long)max);
    *out = v;
    return CLI_OK;
}

int termcli_qty(const char *what, const char *opt, const char *text, int64_t *milli)
{
    int rc = catalog_qty_parse(text, strlen(text), milli);

    if (rc == POS_ERR_RANGE)
        return cli_error(CLI_USAGE, what,
                         "%s '%s': out of range (at most 3 decimals and 10^9 units)", opt, text);
    if (rc != POS_OK)
        return cli_error(CLI_USAGE, what, "%s '%s': not a quantity (e.g. 3 or 1.250)", opt, text);
    return CLI_OK;
}

void termcli_money_text(int64_t minor, const struct currency *cur, char *out, size_t cap)
{
    struct money m = {minor, cur};

    if (money_format(&m, out, cap, NULL) != POS_OK && cap > 0)
        snprintf(out, cap, "%lld", (long long)minor);
}

void termcli_qty_text(int64_t milli, char *out, size_t cap)
{
    if (catalog_qty_format(milli, out, cap) != POS_OK && cap > 0)
        out[0] = '\0';
}

json_t *termcli_money_json(int64_t minor, const struct currency *cur)
{
    char s[MONEY_FORMAT_MAX];

    termcli_money_text(minor, cur, s, sizeof(s));
    return json_string(s);
}

json_t *termcli_qty_json(int64_t milli)
{
    char s[CATALOG_QTY_TEXT_MAX];

    termcli_qty_text(milli, s, sizeof(s));
    return json_string(s);
}

json_t *termcli_item_json(const struct catalog_item *it, const struct currency *cur)
{
    json_t *j, *codes;
    size_t i;

    codes = json_array();
    for (i = 0; codes != NULL && i < it->n_barcodes; i++)
        json_array_append_new(codes, json_string(it->barcodes[i]));
    j = json_pack("{s:s, s:s, s:o, s:s, s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:b}", "sku", it->sku,
                  "name", it->name, "price", termcli_money_json(it->price, cur), "currency",
                  cur->alpha, "tax_bps", (json_int_t)it->tax_bps, "category", it->category, "unit",
                  it->unit, "barcodes", codes != NULL ? codes : json_array(), "plu",
                  it->plu != 0 ? json_integer(it->plu) : json_null(), "reorder_level",
                  termcli_qty_json(it->reorder_level), "qty", termcli_qty_json(it->qty), "active",
                  it->active);
    return j;
}

int termcli_pin(const char *what, const char *arg, char *pin, size_t cap)
{
    size_t n;

    if (arg == NULL)
        return cli_error(CLI_USAGE, what, "--pin is required");
    if (strcmp(arg, "-") == 0) {
        if (fgets(pin, (int)cap, stdin) == NULL)
            return cli_error(CLI_USAGE, what, "--pin -: no PIN on stdin");
        pin[strcspn(pin, "\r\n")] = '\0';
    } else {
        n = strlen(arg);
        if (n >= cap)
            return cli_error(CLI_USAGE, what, "--pin: 4 to 12 digits");
        memcpy(pin, arg, n + 1);
    }
    return CLI_OK;
}

const char *termcli_pad(const char *s, size_t cols, char *out, size_t cap)
{
    size_t n = strlen(s), w = textwidth_of(s, n);

    if (cap == 0)
        return "";
    if (n >= cap)
        n = cap - 1;
    memcpy(out, s, n);
    while (w < cols && n + 1 < cap) {
        out[n++] = ' ';
        w++;
    }
    out[n] = '\0';
    return out;
}
