/* pos stock: stock movements, quantities and the low-stock report
 * (src/term/stock.h). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "error.h"
#include "term/catalog.h"
#include "term/stock.h"
#include "term/tstore.h"
#include "termcli.h"

static const char stock_usage[] =
    "usage: pos stock receive SKU QTY [--ref R] [--reason R]\n"
    "       pos stock adjust SKU QTY --reason R [--ref R]\n"
    "       pos stock count SKU QTY [--reason R]\n"
    "       pos stock show SKU [--limit N]\n"
    "       pos stock low\n"
    "       pos stock check\n"
    "\n"
    "Every change is a movement. receive adds QTY (> 0) from a supplier (--ref: the\n"
    "delivery note); adjust adds a signed QTY (-2 takes two off) and needs a reason;\n"
    "count sets the quantity to QTY, recording the difference. QTY has at most\n"
    "three decimals (1.250 kg). Stock never goes below zero by an adjustment; a\n"
    "sale may when the setting stock.allow_negative is true. show lists the last\n"
    "movements (default 20); low lists items at or below their reorder level;\n"
    "check proves every item's quantity equals the sum of its movements (exit 1\n"
    "when not). Options everywhere: --db PATH, --json.\n";

static const struct termcli_opt stock_opts[] = {
    {"--reason", TERMCLI_VALUE},
    {"--ref", TERMCLI_VALUE},
    {"--limit", TERMCLI_VALUE},
    {NULL, TERMCLI_VALUE},
};

static int stock_cli_item(const char *what, struct store *db, const char *sku,
                          struct catalog_item *it)
{
    int rc = catalog_get(db, sku, it);

    if (rc == POS_ERR_NOT_FOUND)
        return cli_error(CLI_FAILED, what, "no item with SKU '%s'", sku);
    if (rc != POS_OK)
        return termcli_fail(what, rc, NULL);
    return CLI_OK;
}

static int stock_cli_move(const struct termcli_args *a, struct store *db, enum stock_kind kind)
{
    char what[32];
    struct pos_errdetail d;
    struct catalog_item it;
    struct stock_req q;
    struct stock_result res;
    int rc;

    snprintf(what, sizeof(what), "stock %s", stock_kind_name(kind));
    if (a->npos != 2)
        return cli_error(CLI_USAGE, what, "usage: pos %s SKU QTY", what);
    memset(&q, 0, sizeof(q));
    q.kind = kind;
    rc = termcli_qty(what, "QTY", a->pos[1], &q.qty);
    if (rc != CLI_OK)
        return rc;
    rc = stock_cli_item(what, db, a->pos[0], &it);
    if (rc != CLI_OK)
        return rc;
    q.item_id = it.id;
    q.reason = termcli_get(a, stock_opts, "--reason");
    q.ref = termcli_get(a, stock_opts, "--ref");
    pos_errdetail_init(&d);
    rc = stock_apply(db, &q, &res, &d);
    if (rc != POS_OK)
        return termcli_fail(what, rc, &d);
    if (a->json)
        return cli_print_json(json_pack(
            "{s:s, s:s, s:o, s:o}", "sku", it.sku, "kind", stock_kind_name(kind), "change",
            termcli_qty_json(res.delta), "qty", termcli_qty_json(res.qty_after)));
    {
        char ch[CATALOG_QTY_TEXT_MAX], after[CATALOG_QTY_TEXT_MAX];
        termcli_qty_text(res.delta, ch, sizeof(ch));
        termcli_qty_text(res.qty_after, after, sizeof(after));
        printf("%s %s: change %s%s, now %s %s\n", it.sku, stock_kind_name(kind),
               res.delta > 0 ? "+" : "", ch, after, it.unit);
    }
    return CLI_OK;
}

struct stock_cli_out {
    bool json;
    json_t *arr;
};

static int stock_cli_move_out(void *arg, const struct stock_movement *m)
{
    struct stock_cli_out *o = arg;
    char ch[CATALOG_QTY_TEXT_MAX], after[CATALOG_QTY_TEXT_MAX];

    if (o->json)
        return json_array_append_new(
                   o->arr,
                   json_pack("{s:I, s:s, s:o, s:o, s:s, s:s, s:I}", "id", (json_int_t)m->id, "kind",
                             stock_kind_name(m->kind), "change", termcli_qty_json(m->qty),
                             "qty_after", termcli_qty_json(m->qty_after), "reason", m->reason,
                             "ref", m->ref, "at_ms", (json_int_t)m->created_at)) == 0
                   ? POS_OK
                   : POS_ERR_NOMEM;
    termcli_qty_text(m->qty, ch, sizeof(ch));
    termcli_qty_text(m->qty_after, after, sizeof(after));
    printf("  #%-6lld %-8s %10s %10s  %s%s%s\n", (long long)m->id, stock_kind_name(m->kind), ch,
           after, m->reason, m->ref[0] != '\0' ? " ref " : "", m->ref);
    return POS_OK;
}

static int stock_cli_show(const struct termcli_args *a, struct store *db,
                          const struct currency *cur)
{
    struct stock_cli_out o = {a->json, NULL};
    struct catalog_item it;
    int64_t limit = 20;
    json_t *j;
    int rc;

    if (a->npos != 1)
        return cli_error(CLI_USAGE, "stock show", "usage: pos stock show SKU [--limit N]");
    if (termcli_get(a, stock_opts, "--limit") != NULL &&
        termcli_int("stock show", "--limit", termcli_get(a, stock_opts, "--limit"), 1, 100000,
                    &limit) != CLI_OK)
        return CLI_USAGE;
    rc = stock_cli_item("stock show", db, a->pos[0], &it);
    if (rc != CLI_OK)
        return rc;
    if (a->json) {
        o.arr = json_array();
    } else {
        char q[CATALOG_QTY_TEXT_MAX], r[CATALOG_QTY_TEXT_MAX];
        termcli_qty_text(it.qty, q, sizeof(q));
        termcli_qty_text(it.reorder_level, r, sizeof(r));
        printf("%s %s: %s %s in stock (reorder level %s)\n", it.sku, it.name, q, it.unit, r);
        printf("  %-7s %-8s %10s %10s  %s\n", "MOVE", "KIND", "CHANGE", "AFTER", "REASON/REF");
    }
    rc = stock_history(db, it.id, (size_t)limit, stock_cli_move_out, &o);
    if (rc != POS_OK) {
        json_decref(o.arr);
        return termcli_fail("stock show", rc, NULL);
    }
    if (!a->json)
        return CLI_OK;
    j = termcli_item_json(&it, cur);
    if (j != NULL)
        json_object_set_new(j, "moves", o.arr);
    else
        json_decref(o.arr);
    return cli_print_json(j);
}

static int stock_cli_low_out(void *arg, const struct stock_low_item *it)
{
    struct stock_cli_out *o = arg;
    char q[CATALOG_QTY_TEXT_MAX], r[CATALOG_QTY_TEXT_MAX], name[TERMCLI_PAD_MAX];

    if (o->json)
        return json_array_append_new(o->arr, json_pack("{s:s, s:s, s:o, s:o}", "sku", it->sku,
                                                       "name", it->name, "qty",
                                                       termcli_qty_json(it->qty), "reorder_level",
                                                       termcli_qty_json(it->reorder_level))) == 0
                   ? POS_OK
                   : POS_ERR_NOMEM;
    termcli_qty_text(it->qty, q, sizeof(q));
    termcli_qty_text(it->reorder_level, r, sizeof(r));
    printf("%-16s %s %10s %10s\n", it->sku, termcli_pad(it->name, 28, name, sizeof(name)), q, r);
    return POS_OK;
}

static int stock_cli_low(const struct termcli_args *a, struct store *db)
{
    struct stock_cli_out o = {a->json, NULL};
    int rc;

    if (a->npos != 0)
        return cli_error(CLI_USAGE, "stock low", "unexpected argument '%s'", a->pos[0]);
    if (a->json)
        o.arr = json_array();
    else
        printf("%-16s %-28s %10s %10s\n", "SKU", "NAME", "QTY", "REORDER");
    rc = stock_low(db, stock_cli_low_out, &o);
    if (rc != POS_OK) {
        json_decref(o.arr);
        return termcli_fail("stock low", rc, NULL);
    }
    return a->json ? cli_print_json(o.arr) : CLI_OK;
}

static int stock_cli_check(const struct termcli_args *a, struct store *db)
{
    struct stock_check_report r;
    bool ok;
    int rc;

    rc = stock_check(db, &r);
    if (rc != POS_OK)
        return termcli_fail("stock check", rc, NULL);
    ok = r.mismatches == 0 && r.chain_breaks == 0;
    if (a->json)
        rc = cli_print_json(json_pack("{s:b, s:I, s:I, s:I, s:I}", "ok", ok, "items",
                                      (json_int_t)r.items, "moves", (json_int_t)r.moves,
                                      "mismatches", (json_int_t)r.mismatches, "chain_breaks",
                                      (json_int_t)r.chain_breaks));
    else
        printf("%lld items, %lld movements: %s\n", (long long)r.items, (long long)r.moves,
               ok ? "every quantity equals the sum of its movements" : "MISMATCH");
    if (!ok)
        return cli_error(CLI_FAILED, "stock check",
                         "%lld item(s) whose quantity is not the sum of their movements (first:"
                         " item id %lld), %lld broken running totals",
                         (long long)r.mismatches, (long long)r.first_item,
                         (long long)r.chain_breaks);
    return rc;
}

int cmd_stock(int argc, char **argv)
{
    const struct currency *cur = NULL;
    struct store *db = NULL;
    struct termcli_args a;
    enum stock_kind kind = STOCK_RECEIVE;
    const char *sub;
    int rc;

    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(stock_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    sub = argv[1];
    if (strcmp(sub, "show") != 0 && strcmp(sub, "low") != 0 && strcmp(sub, "check") != 0 &&
        (stock_kind_parse(sub, &kind) != POS_OK || kind == STOCK_SALE || kind == STOCK_RETURN))
        return cli_error(CLI_USAGE, "stock", "unknown subcommand '%s' (see pos stock --help)", sub);
    rc = termcli_parse("stock", argc, argv, 2, stock_opts, &a);
    if (rc != CLI_OK)
        return rc;
    rc = termcli_open("stock", &a, &db, &cur);
    if (rc != CLI_OK)
        return rc;
    if (strcmp(sub, "show") == 0)
        rc = stock_cli_show(&a, db, cur);
    else if (strcmp(sub, "low") == 0)
        rc = stock_cli_low(&a, db);
    else if (strcmp(sub, "check") == 0)
        rc = stock_cli_check(&a, db);
    else
        rc = stock_cli_move(&a, db, kind);
    tstore_close(db);
    return rc;
}
