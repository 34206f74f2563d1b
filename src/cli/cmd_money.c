/* pos money: parse, format and compute amounts in ISO 4217 currencies. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "error.h"
#include "money.h"

static const char money_usage[] =
    "usage: pos money parse AMOUNT --currency CUR\n"
    "       pos money format MINOR --currency CUR\n"
    "       pos money fee AMOUNT --bps BPS --currency CUR [--rounding RULE]\n"
    "       pos money add|sub AMOUNT AMOUNT --currency CUR\n"
    "       pos money mul AMOUNT QUANTITY --currency CUR\n"
    "       pos money iso8583 AMOUNT --currency CUR\n"
    "       pos money currency CODE | --all\n"
    "\n"
    "Amounts are plain decimals in the currency's minor unit: [-]DIGITS[.DIGITS]\n"
    "with at most as many decimals as the currency has (CNY 2, JPY 0, KWD 3,\n"
    "CLF 4); no '+', no grouping, no rounding of extra decimals. CUR is an ISO\n"
    "4217 alpha code (any case) or its 3-digit numeric code (\"156\").\n"
    "\n"
    "  parse     the amount in minor units: {\"currency\":\"CNY\",\"numeric\":\"156\",\n"
    "            \"exponent\":2,\"minor\":1234,\"text\":\"12.34\"}\n"
    "  format    the same from minor units (MINOR is an integer)\n"
    "  fee       BPS basis points (0-10000, 1 bp = 0.01 %) of AMOUNT, rounded to a\n"
    "            minor unit by RULE: half-up (default: half away from zero),\n"
    "            half-even, down (toward zero) or up (away from zero); adds \"fee\"\n"
    "            and \"net\" (AMOUNT - fee)\n"
    "  add, sub  checked sum or difference (overflow is an error, never a wrap)\n"
    "  mul       AMOUNT times an integer QUANTITY, checked\n"
    "  iso8583   the amount as ISO 8583 field 4 (12 digits, minor units, no sign)\n"
    "  currency  the currency's codes, exponent (null when ISO 4217 says N.A.)\n"
    "            and name; --all lists the whole table\n"
    "\n"
    "Negative amounts are allowed (\"-0.50\"). Exit status: 0 ok, 2 bad input\n"
    "(syntax, too many decimals, overflow, unknown currency).\n";

struct money_args {
    const char *pos[2];
    int npos;
    const char *currency;
    const char *bps;
    const char *rounding;
    bool all;
};

/* A small parser of its own rather than getopt: "-0.50" is an amount here,
 * not an option. */
static int money_parse_args(int argc, char **argv, struct money_args *a)
{
    int i;

    memset(a, 0, sizeof(*a));
    for (i = 2; i < argc; i++) {
        const char *s = argv[i];
        const char **slot = NULL;
        const char *eq = NULL;
        size_t n;

        if (strncmp(s, "--", 2) != 0 || s[2] == '\0') {
            if (strcmp(s, "--") == 0)
                continue;
            if (a->npos == 2)
                return cli_error(CLI_USAGE, "money", "unexpected argument '%s'", s);
            a->pos[a->npos++] = s;
            continue;
        }
        eq = strchr(s, '=');
        n = eq != NULL ? (size_t)(eq - s) : strlen(s);
        if (n == 10 && strncmp(s, "--currency", n) == 0)
            slot = &a->currency;
        else if (n == 5 && strncmp(s, "--bps", n) == 0)
            slot = &a->bps;
        else if (n == 10 && strncmp(s, "--rounding", n) == 0)
            slot = &a->rounding;
        else if (n == 5 && strncmp(s, "--all", n) == 0 && eq == NULL) {
            a->all = true;
            continue;
        } else
            return cli_error(CLI_USAGE, "money", "unknown option '%.*s'", (int)n, s);
        if (eq != NULL)
            *slot = eq + 1;
        else if (i + 1 < argc)
            *slot = argv[++i];
        else
            return cli_error(CLI_USAGE, "money", "%s needs a value", s);
    }
    return CLI_OK;
}

static int money_get_currency(const struct money_args *a, const struct currency **cur)
{
    struct pos_errdetail d;
    int rc;

    if (a->currency == NULL)
        return cli_error(CLI_USAGE, "money", "--currency is required (e.g. --currency CNY)");
    pos_errdetail_init(&d);
    rc = money_currency_parse(a->currency, strlen(a->currency), cur, &d);
    if (rc != POS_OK)
        return cli_error(CLI_USAGE, "money", "--currency: %s", d.what);
    return CLI_OK;
}

static int money_get_amount(const char *what, const char *s, const struct currency *cur,
                            struct money *m)
{
    struct pos_errdetail d;
    int rc;

    pos_errdetail_init(&d);
    rc = money_parse(s, strlen(s), cur, m, &d);
    if (rc != POS_OK)
        return cli_error(CLI_USAGE, "money", "%s '%s': %s at offset %zu: %s", what, s,
                         pos_strerror(rc), d.offset, d.what);
    return CLI_OK;
}

/* Parses a whole decimal int64 (optional '-') without atoi. */
static bool money_parse_int(const char *s, int64_t *out)
{
    bool neg = s[0] == '-';
    int64_t v = 0;
    size_t i = neg ? 1 : 0;

    if (s[i] == '\0')
        return false;
    for (; s[i] != '\0'; i++) {
        if (s[i] < '0' || s[i] > '9' || v > (INT64_MAX - (s[i] - '0')) / 10)
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = neg ? -v : v;
    return true;
}

static json_t *money_currency_json(const struct currency *c)
{
    char num[4];

    money_currency_numeric_format(c, num);
    return json_pack("{s:s, s:s, s:o, s:s}", "currency", c->alpha, "numeric", num, "exponent",
                     money_currency_has_minor_unit(c) ? json_integer(c->exponent) : json_null(),
                     "name", c->name);
}

/* {"currency","numeric","exponent","minor","text"} of m. */
static json_t *money_json(const struct money *m)
{
    char text[MONEY_FORMAT_MAX];
    json_t *j;

    if (money_format(m, text, sizeof(text), NULL) != POS_OK)
        return NULL;
    j = money_currency_json(m->cur);
    if (j == NULL)
        return NULL;
    json_object_del(j, "name");
    json_object_set_new(j, "minor", json_integer(m->minor));
    json_object_set_new(j, "text", json_string(text));
    return j;
}

static int money_need(const struct money_args *a, int n, const char *usage)
{
    if (a->npos != n)
        return cli_error(CLI_USAGE, "money", "usage: pos money %s", usage);
    return CLI_OK;
}

static int money_cmd_currency(const struct money_args *a)
{
    const struct currency *c;
    json_t *arr;
    size_t i;

    if (a->all) {
        arr = json_array();
        for (i = 0; arr != NULL && i < money_currency_count(); i++)
            json_array_append_new(arr, money_currency_json(money_currency_at(i)));
        return cli_print_json(arr);
    }
    if (a->npos != 1)
        return cli_error(CLI_USAGE, "money", "usage: pos money currency CODE | --all");
    if (money_currency_parse(a->pos[0], strlen(a->pos[0]), &c, NULL) != POS_OK)
        return cli_error(CLI_USAGE, "money", "currency: '%s' is not an ISO 4217 code", a->pos[0]);
    return cli_print_json(money_currency_json(c));
}

static int money_cmd_fee(const struct money_args *a, const struct currency *cur)
{
    static const char *const rules[] = {"half-up", "half-even", "down", "up"};
    enum money_round rule = MONEY_ROUND_HALF_UP;
    struct money amount, fee, net;
    char text[MONEY_FORMAT_MAX];
    int64_t bps;
    json_t *j;
    size_t i;
    int rc;

    if ((rc = money_need(a, 1, "fee AMOUNT --bps BPS --currency CUR")) != CLI_OK ||
        (rc = money_get_amount("amount", a->pos[0], cur, &amount)) != CLI_OK)
        return rc;
    if (a->bps == NULL || !money_parse_int(a->bps, &bps) || bps < 0 || bps > 10000)
        return cli_error(CLI_USAGE, "money", "--bps: give basis points from 0 to 10000");
    if (a->rounding != NULL) {
        for (i = 0; i < 4 && strcmp(a->rounding, rules[i]) != 0; i++)
            ;
        if (i == 4)
            return cli_error(CLI_USAGE, "money",
                             "--rounding: '%s' is not half-up, half-even, down or up", a->rounding);
        rule = (enum money_round)i;
    }
    rc = money_fee_bps(&amount, (uint32_t)bps, rule, &fee);
    if (rc == POS_OK)
        rc = money_sub(&amount, &fee, &net);
    if (rc != POS_OK)
        return cli_error_pos(CLI_USAGE, "money", rc, NULL);
    j = money_json(&amount);
    if (j == NULL)
        return cli_print_json(NULL);
    json_object_set_new(j, "bps", json_integer(bps));
    json_object_set_new(j, "rounding", json_string(rules[rule]));
    money_format(&fee, text, sizeof(text), NULL);
    json_object_set_new(j, "fee", json_string(text));
    json_object_set_new(j, "fee_minor", json_integer(fee.minor));
    money_format(&net, text, sizeof(text), NULL);
    json_object_set_new(j, "net", json_string(text));
    return cli_print_json(j);
}

static int money_cmd_arith(const char *sub, const struct money_args *a, const struct currency *cur)
{
    struct money x, y, r;
    int64_t qty;
    int rc;

    bool mul = strcmp(sub, "mul") == 0;

    rc = money_need(
        a, 2, mul ? "mul AMOUNT QUANTITY --currency CUR" : "add|sub AMOUNT AMOUNT --currency CUR");
    if (rc == CLI_OK)
        rc = money_get_amount("amount", a->pos[0], cur, &x);
    if (rc != CLI_OK)
        return rc;
    if (mul) {
        if (!money_parse_int(a->pos[1], &qty))
            return cli_error(CLI_USAGE, "money", "quantity '%s' is not an integer", a->pos[1]);
        rc = money_mul(&x, qty, &r);
    } else {
        if ((rc = money_get_amount("amount", a->pos[1], cur, &y)) != CLI_OK)
            return rc;
        rc = strcmp(sub, "add") == 0 ? money_add(&x, &y, &r) : money_sub(&x, &y, &r);
    }
    if (rc != POS_OK)
        return cli_error_pos(CLI_USAGE, "money", rc, NULL);
    return cli_print_json(money_json(&r));
}

int cmd_money(int argc, char **argv)
{
    const struct currency *cur = NULL;
    struct money_args a;
    struct money m;
    const char *sub;
    char iso[13];
    int64_t minor;
    json_t *j;
    int rc;

    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(money_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    sub = argv[1];
    if ((rc = money_parse_args(argc, argv, &a)) != CLI_OK)
        return rc;
    if (strcmp(sub, "currency") == 0)
        return money_cmd_currency(&a);
    if (strcmp(sub, "parse") != 0 && strcmp(sub, "format") != 0 && strcmp(sub, "fee") != 0 &&
        strcmp(sub, "add") != 0 && strcmp(sub, "sub") != 0 && strcmp(sub, "mul") != 0 &&
        strcmp(sub, "iso8583") != 0)
        return cli_error(CLI_USAGE, "money", "unknown subcommand '%s' (see pos money --help)", sub);
    if ((rc = money_get_currency(&a, &cur)) != CLI_OK)
        return rc;
    if (strcmp(sub, "fee") == 0)
        return money_cmd_fee(&a, cur);
    if (strcmp(sub, "add") == 0 || strcmp(sub, "sub") == 0 || strcmp(sub, "mul") == 0)
        return money_cmd_arith(sub, &a, cur);
    if ((rc = money_need(&a, 1, "parse|format|iso8583 VALUE --currency CUR")) != CLI_OK)
        return rc;
    if (strcmp(sub, "format") == 0) {
        if (!money_parse_int(a.pos[0], &minor) || minor == INT64_MIN)
            return cli_error(CLI_USAGE, "money", "'%s' is not an integer number of minor units",
                             a.pos[0]);
        m.minor = minor;
        m.cur = cur;
    } else if ((rc = money_get_amount("amount", a.pos[0], cur, &m)) != CLI_OK) {
        return rc;
    }
    j = money_json(&m);
    if (j != NULL && strcmp(sub, "iso8583") == 0) {
        rc = money_iso8583_amount_format(m.minor, iso);
        if (rc != POS_OK) {
            json_decref(j);
            return cli_error(CLI_USAGE, "money",
                             "field 4 holds 0 to 999999999999 minor units, not %lld",
                             (long long)m.minor);
        }
        json_object_set_new(j, "field4", json_string(iso));
    }
    return cli_print_json(j);
}
