/* pos promo: the terminal's promotions (src/term/promo.h; docs/sales.md). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "error.h"
#include "term/catalog.h"
#include "term/promo.h"
#include "term/tstore.h"
#include "termcli.h"

static const char promo_usage[] =
    "usage: pos promo add --name N (--sku S | --category C)\n"
    "                     (--percent P | --amount A | --buy N --get M | --bundle N --price P)\n"
    "       pos promo list [--all]\n"
    "       pos promo disable ID\n"
    "\n"
    "--percent: P % off the line; --amount: A off each unit; --buy N --get M:\n"
    "M free in every N + M units; --bundle N --price P: N units for P. Per line\n"
    "the promotion that takes off the most applies (docs/sales.md). Options:\n"
    "--db PATH, --json. Exit status: 0 ok, 1 unknown SKU or promotion, 2 bad input.\n";

static const struct termcli_opt promo_opts[] = {
    {"--name", TERMCLI_VALUE},    {"--sku", TERMCLI_VALUE},    {"--category", TERMCLI_VALUE},
    {"--percent", TERMCLI_VALUE}, {"--amount", TERMCLI_VALUE}, {"--buy", TERMCLI_VALUE},
    {"--get", TERMCLI_VALUE},     {"--bundle", TERMCLI_VALUE}, {"--price", TERMCLI_VALUE},
    {"--all", TERMCLI_FLAG},      {NULL, TERMCLI_VALUE},
};

struct promo_print {
    const struct termcli_args *a;
    const struct currency *cur;
    json_t *arr;
};

static json_t *promo_json(const struct promo *p, const struct currency *cur)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)p->id, "name", p->name, "kind",
                          promo_kind_name(p->kind), "active", p->active);

    if (j == NULL)
        return NULL;
    if (p->item_id != 0)
        json_object_set_new(j, "sku", json_string(p->sku));
    else
        json_object_set_new(j, "category", json_string(p->category));
    switch (p->kind) {
    case PROMO_PERCENT:
        json_object_set_new(j, "percent_bps", json_integer(p->percent_bps));
        break;
    case PROMO_AMOUNT:
        json_object_set_new(j, "amount", termcli_money_json(p->amount, cur));
        break;
    case PROMO_BUY_GET:
        json_object_set_new(j, "buy", json_integer(p->buy_n));
        json_object_set_new(j, "get", json_integer(p->get_m));
        break;
    default:
        json_object_set_new(j, "bundle", json_integer(p->buy_n));
        json_object_set_new(j, "price", termcli_money_json(p->amount, cur));
        break;
    }
    return j;
}

static void promo_text(const struct promo *p, const struct currency *cur)
{
    char m[MONEY_FORMAT_MAX];

    printf("%lld %s \"%s\" %s%s ", (long long)p->id, p->active ? "active" : "disabled", p->name,
           p->item_id != 0 ? "sku " : "category ", p->item_id != 0 ? p->sku : p->category);
    termcli_money_text(p->amount, cur, m, sizeof(m));
    switch (p->kind) {
    case PROMO_PERCENT:
        printf("%u.%02u%% off\n", p->percent_bps / 100, p->percent_bps % 100);
        break;
    case PROMO_AMOUNT:
        printf("%s off each\n", m);
        break;
    case PROMO_BUY_GET:
        printf("buy %lld get %lld free\n", (long long)p->buy_n, (long long)p->get_m);
        break;
    default:
        printf("%lld for %s\n", (long long)p->buy_n, m);
        break;
    }
}

static int promo_each(void *arg, const struct promo *p)
{
    struct promo_print *pp = arg;

    if (pp->arr != NULL)
        json_array_append_new(pp->arr, promo_json(p, pp->cur));
    else
        promo_text(p, pp->cur);
    return 0;
}

static int promo_group(const char *opt, const char *text, int64_t min, int64_t *out)
{
    return termcli_int("promo add", opt, text, min, PROMO_GROUP_MAX, out);
}

static int promo_cmd_add(const struct termcli_args *a, struct store *db, const struct currency *cur)
{
    const char *pct = termcli_get(a, promo_opts, "--percent");
    const char *amt = termcli_get(a, promo_opts, "--amount");
    const char *buy = termcli_get(a, promo_opts, "--buy");
    const char *get = termcli_get(a, promo_opts, "--get");
    const char *bun = termcli_get(a, promo_opts, "--bundle");
    const char *price = termcli_get(a, promo_opts, "--price");
    const char *name = termcli_get(a, promo_opts, "--name");
    const char *sku = termcli_get(a, promo_opts, "--sku");
    const char *cat = termcli_get(a, promo_opts, "--category");
    struct pos_errdetail d;
    struct promo p;
    int64_t milli, id;
    int kinds = (pct != NULL) + (amt != NULL) + (buy != NULL) + (bun != NULL);
    int rc = CLI_OK;

    if (a->npos != 0)
        return cli_error(CLI_USAGE, "promo add", "unexpected argument '%s'", a->pos[0]);
    if (name == NULL)
        return cli_error(CLI_USAGE, "promo add", "--name is required");
    if ((sku == NULL) == (cat == NULL))
        return cli_error(CLI_USAGE, "promo add", "give one of --sku and --category");
    if (kinds != 1 || (buy != NULL) != (get != NULL) || (bun != NULL) != (price != NULL))
        return cli_error(CLI_USAGE, "promo add",
                         "give one of --percent, --amount, --buy with --get, --bundle with "
                         "--price");
    promo_init(&p);
    if (strlen(name) > PROMO_NAME_MAX || strlen(sku != NULL ? sku : cat) > CATALOG_CATEGORY_MAX)
        return cli_error(CLI_USAGE, "promo add", "--name: at most 64 bytes");
    snprintf(p.name, sizeof(p.name), "%s", name);
    if (sku != NULL)
        snprintf(p.sku, sizeof(p.sku), "%s", sku);
    else
        snprintf(p.category, sizeof(p.category), "%s", cat);
    if (pct != NULL) {
        p.kind = PROMO_PERCENT;
        if (catalog_qty_parse(pct, strlen(pct), &milli) != POS_OK || milli % 10 != 0 ||
            milli <= 0 || milli > 100000)
            return cli_error(CLI_USAGE, "promo add",
                             "--percent '%s': over 0 and at most 100 (2 decimals)", pct);
        p.percent_bps = (uint32_t)(milli / 10);
    } else if (amt != NULL) {
        p.kind = PROMO_AMOUNT;
        rc = termcli_money("promo add", "--amount", amt, cur, &p.amount);
    } else if (buy != NULL) {
        p.kind = PROMO_BUY_GET;
        if ((rc = promo_group("--buy", buy, 1, &p.buy_n)) == CLI_OK)
            rc = promo_group("--get", get, 1, &p.get_m);
    } else {
        p.kind = PROMO_BUNDLE;
        if ((rc = promo_group("--bundle", bun, 2, &p.buy_n)) == CLI_OK)
            rc = termcli_money("promo add", "--price", price, cur, &p.amount);
    }
    if (rc != CLI_OK)
        return rc;
    pos_errdetail_init(&d);
    rc = promo_add(db, &p, &id, &d);
    if (rc != POS_OK)
        return termcli_fail("promo add", rc, &d);
    p.id = id;
    if (a->json)
        return cli_print_json(promo_json(&p, cur));
    printf("%lld\n", (long long)id);
    return CLI_OK;
}

int cmd_promo(int argc, char **argv)
{
    const struct currency *cur = NULL;
    struct store *db = NULL;
    struct termcli_args a;
    struct promo_print pp;
    const char *sub;
    int64_t id;
    int rc;

    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(promo_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    sub = argv[1];
    if (strcmp(sub, "add") != 0 && strcmp(sub, "list") != 0 && strcmp(sub, "disable") != 0)
        return cli_error(CLI_USAGE, "promo", "unknown subcommand '%s' (see pos promo --help)", sub);
    rc = termcli_parse("promo", argc, argv, 2, promo_opts, &a);
    if (rc != CLI_OK)
        return rc;
    rc = termcli_open("promo", &a, &db, &cur);
    if (rc != CLI_OK)
        return rc;
    if (strcmp(sub, "add") == 0) {
        rc = promo_cmd_add(&a, db, cur);
    } else if (strcmp(sub, "list") == 0) {
        pp.a = &a;
        pp.cur = cur;
        pp.arr = a.json ? json_array() : NULL;
        rc = promo_list(db, termcli_has(&a, promo_opts, "--all"), promo_each, &pp);
        if (rc != POS_OK) {
            json_decref(pp.arr);
            rc = termcli_fail("promo list", rc, NULL);
        } else {
            rc = a.json ? cli_print_json(pp.arr) : CLI_OK;
        }
    } else if (a.npos != 1) {
        rc = cli_error(CLI_USAGE, "promo disable", "expected ID");
    } else if ((rc = termcli_int("promo disable", "ID", a.pos[0], 1, INT64_C(999999999999), &id)) ==
               CLI_OK) {
        rc = promo_disable(db, id);
        if (rc == POS_ERR_NOT_FOUND)
            rc = cli_error(CLI_FAILED, "promo disable", "no promotion %lld", (long long)id);
        else if (rc != POS_OK)
            rc = termcli_fail("promo disable", rc, NULL);
    }
    tstore_close(db);
    return rc;
}
