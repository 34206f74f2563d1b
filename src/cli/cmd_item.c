/* pos item: the terminal's catalog (src/term/catalog.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "error.h"
#include "term/catalog.h"
#include "term/tstore.h"
#include "termcli.h"

#define ITEM_CSV_MAX (256u << 20) /* largest CSV file read, bytes */

static const char item_usage[] =
    "usage: pos item add --sku S --name N --price 12.34 [--barcode B]... [--tax-bps 1300]\n"
    "                    [--category C] [--unit ea|kg|...] [--reorder-level Q] [--plu CODE]\n"
    "       pos item edit SKU [--sku NEW] [--name N] [--price P] [--barcode B]... [--tax-bps T]\n"
    "                    [--category C] [--unit U] [--reorder-level Q] [--plu CODE|0]\n"
    "                    [--active true|false]\n"
    "       pos item show SKU\n"
    "       pos item list [--category C] [--all]\n"
    "       pos item find BARCODE | --name PREFIX [--limit N]\n"
    "       pos item deactivate SKU\n"
    "       pos item import FILE.csv\n"
    "       pos item export [FILE]\n"
    "\n"
    "Every subcommand takes --db PATH (default $POS_DB, else ./pos-terminal.db) and\n"
    "--json (JSON instead of a table). Prices are decimal amounts in the terminal\n"
    "currency (setting 'currency', default CNY). Quantities are decimals with up to\n"
    "three places (2.5 kg). --barcode on edit replaces the item's barcodes. --plu\n"
    "is the 5-digit code of weight (21...) and price (22...) embedded EAN-13\n"
    "labels; find resolves those to the item with the label's weight or price.\n"
    "CSV columns: sku,name,price[,tax_bps,category,unit,barcodes,plu,reorder_level,\n"
    "active] (barcodes separated by ';'); import is all or nothing.\n"
    "Exit status: 0 ok, 1 refused (unknown or duplicate SKU or barcode), 2 bad input.\n";

static const struct termcli_opt item_opts[] = {
    {"--sku", TERMCLI_VALUE},     {"--name", TERMCLI_VALUE},
    {"--price", TERMCLI_VALUE},   {"--barcode", TERMCLI_MULTI},
    {"--tax-bps", TERMCLI_VALUE}, {"--category", TERMCLI_VALUE},
    {"--unit", TERMCLI_VALUE},    {"--reorder-level", TERMCLI_VALUE},
    {"--plu", TERMCLI_VALUE},     {"--active", TERMCLI_VALUE},
    {"--all", TERMCLI_FLAG},      {"--limit", TERMCLI_VALUE},
    {NULL, TERMCLI_VALUE},
};

#define GET(name) termcli_get(a, item_opts, name)

static void item_row(const struct catalog_item *it, const struct currency *cur)
{
    char price[MONEY_FORMAT_MAX], qty[CATALOG_QTY_TEXT_MAX];
    char name[TERMCLI_PAD_MAX], cat[TERMCLI_PAD_MAX];
    size_t i;

    termcli_money_text(it->price, cur, price, sizeof(price));
    termcli_qty_text(it->qty, qty, sizeof(qty));
    printf("%-16s %s %12s %10s %-4s %s %s", it->sku, termcli_pad(it->name, 28, name, sizeof(name)),
           price, qty, it->unit, termcli_pad(it->category, 12, cat, sizeof(cat)),
           it->active ? "" : "(inactive) ");
    for (i = 0; i < it->n_barcodes; i++)
        printf("%s%s", i ? "," : "", it->barcodes[i]);
    putchar('\n');
}

static void item_header(void)
{
    printf("%-16s %-28s %12s %10s %-4s %-12s %s\n", "SKU", "NAME", "PRICE", "QTY", "UNIT",
           "CATEGORY", "BARCODES");
}

struct item_out {
    const struct currency *cur;
    bool json;
    json_t *arr;
    size_t n;
};

static int item_out_one(void *arg, const struct catalog_item *it)
{
    struct item_out *o = arg;

    o->n++;
    if (o->json)
        return json_array_append_new(o->arr, termcli_item_json(it, o->cur)) == 0 ? POS_OK
                                                                                 : POS_ERR_NOMEM;
    item_row(it, o->cur);
    return POS_OK;
}

static int item_copy(const char *what, const char *opt, char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);

    if (n >= cap)
        return cli_error(CLI_USAGE, what, "%s: at most %zu bytes", opt, cap - 1);
    memcpy(dst, src, n + 1);
    return CLI_OK;
}

/* Applies the options present in a to *it (add and edit). */
static int item_apply(const char *what, const struct termcli_args *a, const struct currency *cur,
                      struct catalog_item *it)
{
    int64_t v;
    int i, rc = CLI_OK;

    if (GET("--sku") != NULL)
        rc = item_copy(what, "--sku", it->sku, sizeof(it->sku), GET("--sku"));
    if (rc == CLI_OK && GET("--name") != NULL)
        rc = item_copy(what, "--name", it->name, sizeof(it->name), GET("--name"));
    if (rc == CLI_OK && GET("--category") != NULL)
        rc = item_copy(what, "--category", it->category, sizeof(it->category), GET("--category"));
    if (rc == CLI_OK && GET("--unit") != NULL)
        rc = item_copy(what, "--unit", it->unit, sizeof(it->unit), GET("--unit"));
    if (rc == CLI_OK && GET("--price") != NULL) {
        rc = termcli_money(what, "--price", GET("--price"), cur, &v);
        if (rc == CLI_OK && v > CATALOG_PRICE_MAX)
            rc = cli_error(CLI_USAGE, what, "--price '%s': too large", GET("--price"));
        it->price = v;
    }
    if (rc == CLI_OK && GET("--tax-bps") != NULL) {
        rc = termcli_int(what, "--tax-bps", GET("--tax-bps"), 0, 10000, &v);
        it->tax_bps = (uint32_t)v;
    }
    if (rc == CLI_OK && GET("--plu") != NULL) {
        rc = termcli_int(what, "--plu", GET("--plu"), 0, 99999, &v);
        it->plu = v;
    }
    if (rc == CLI_OK && GET("--reorder-level") != NULL) {
        rc = termcli_qty(what, "--reorder-level", GET("--reorder-level"), &v);
        if (rc == CLI_OK && v < 0)
            rc = cli_error(CLI_USAGE, what, "--reorder-level must not be negative");
        it->reorder_level = v;
    }
    if (rc == CLI_OK && GET("--active") != NULL) {
        const char *s = GET("--active");
        if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
            it->active = true;
        else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
            it->active = false;
        else
            rc = cli_error(CLI_USAGE, what, "--active: true or false");
    }
    if (rc == CLI_OK && a->nmulti > 0) {
        it->n_barcodes = 0;
        for (i = 0; rc == CLI_OK && i < a->nmulti; i++)
            if (catalog_item_add_barcode(it, a->multi[i], strlen(a->multi[i])) != POS_OK)
                rc = cli_error(CLI_USAGE, what, "--barcode '%s': too long, empty or too many",
                               a->multi[i]);
    }
    return rc;
}

static int item_print_one(const struct termcli_args *a, const struct catalog_item *it,
                          const struct currency *cur)
{
    if (a->json)
        return cli_print_json(termcli_item_json(it, cur));
    item_header();
    item_row(it, cur);
    return CLI_OK;
}

static int item_add_edit(const struct termcli_args *a, struct store *db, const struct currency *cur,
                         bool add)
{
    const char *what = add ? "item add" : "item edit";
    struct pos_errdetail d;
    struct catalog_item it;
    int rc;

    pos_errdetail_init(&d);
    catalog_item_init(&it);
    if (add) {
        if (a->npos != 0)
            return cli_error(CLI_USAGE, what, "unexpected argument '%s'", a->pos[0]);
        if (GET("--sku") == NULL || GET("--name") == NULL || GET("--price") == NULL)
            return cli_error(CLI_USAGE, what, "--sku, --name and --price are required");
    } else {
        if (a->npos != 1)
            return cli_error(CLI_USAGE, what, "usage: pos item edit SKU [options]");
        rc = catalog_get(db, a->pos[0], &it);
        if (rc == POS_ERR_NOT_FOUND)
            return cli_error(CLI_FAILED, what, "no item with SKU '%s'", a->pos[0]);
        if (rc != POS_OK)
            return termcli_fail(what, rc, NULL);
    }
    rc = item_apply(what, a, cur, &it);
    if (rc != CLI_OK)
        return rc;
    rc = add ? catalog_add(db, &it, NULL, &d) : catalog_edit(db, a->pos[0], &it, &d);
    if (rc != POS_OK)
        return termcli_fail(what, rc, &d);
    rc = catalog_get(db, it.sku, &it);
    if (rc != POS_OK)
        return termcli_fail(what, rc, NULL);
    return item_print_one(a, &it, cur);
}

static int item_list(const struct termcli_args *a, struct store *db, const struct currency *cur,
                     const char *prefix)
{
    struct item_out o = {cur, a->json, NULL, 0};
    int64_t limit = 50;
    int rc;

    if (GET("--limit") != NULL &&
        termcli_int("item", "--limit", GET("--limit"), 1, 100000, &limit) != CLI_OK)
        return CLI_USAGE;
    if (a->json) {
        o.arr = json_array();
        if (o.arr == NULL)
            return cli_error(CLI_FAILED, "item", "out of memory");
    } else {
        item_header();
    }
    if (prefix != NULL)
        rc = catalog_find_by_name_prefix(db, prefix, (size_t)limit, item_out_one, &o);
    else
        rc = catalog_list(db, GET("--category"), termcli_has(a, item_opts, "--all"), item_out_one,
                          &o);
    if (rc != POS_OK) {
        json_decref(o.arr);
        return termcli_fail("item", rc, NULL);
    }
    return a->json ? cli_print_json(o.arr) : CLI_OK;
}

static int item_find(const struct termcli_args *a, struct store *db, const struct currency *cur)
{
    struct catalog_scan scan;
    struct catalog_item it;
    json_t *j;
    int rc;

    if (GET("--name") != NULL) {
        if (a->npos != 0)
            return cli_error(CLI_USAGE, "item find", "give a BARCODE or --name PREFIX, not both");
        return item_list(a, db, cur, GET("--name"));
    }
    if (a->npos != 1)
        return cli_error(CLI_USAGE, "item find", "usage: pos item find BARCODE | --name PREFIX");
    rc = catalog_scan(db, a->pos[0], &it, &scan);
    if (rc == POS_ERR_NOT_FOUND)
        return cli_error(CLI_FAILED, "item find", "no item with barcode '%s'", a->pos[0]);
    if (rc == POS_ERR_CHECK_DIGIT)
        return cli_error(CLI_USAGE, "item find", "barcode '%s': wrong check digit", a->pos[0]);
    if (rc != POS_OK)
        return termcli_fail("item find", rc, NULL);
    if (!a->json) {
        rc = item_print_one(a, &it, cur);
        if (scan.embedded) {
            char q[CATALOG_QTY_TEXT_MAX], p[MONEY_FORMAT_MAX];
            termcli_qty_text(scan.qty, q, sizeof(q));
            termcli_money_text(scan.price, cur, p, sizeof(p));
            printf("label: quantity %s %s, price %s\n", q, it.unit, p);
        }
        return rc;
    }
    j = termcli_item_json(&it, cur);
    if (j != NULL && scan.embedded)
        json_object_set_new(j, "scan",
                            json_pack("{s:b, s:o, s:o}", "embedded", 1, "qty",
                                      termcli_qty_json(scan.qty), "price",
                                      termcli_money_json(scan.price, cur)));
    return cli_print_json(j);
}

/* Reads a whole file (at most ITEM_CSV_MAX bytes) into a malloc'd buffer. */
static int item_read_file(const char *path, char **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1 << 16, n = 0, got;
    char *b = NULL, *nb;
    int rc = CLI_FAILED;

    if (f == NULL)
        return cli_error(CLI_FAILED, "item import", "cannot open '%s'", path);
    b = malloc(cap);
    while (b != NULL) {
        if (n == cap) {
            if (cap >= ITEM_CSV_MAX) {
                rc = cli_error(CLI_USAGE, "item import", "'%s' is larger than %u MiB", path,
                               ITEM_CSV_MAX >> 20);
                goto out;
            }
            nb = realloc(b, cap * 2);
            if (nb == NULL)
                break;
            b = nb;
            cap *= 2;
        }
        got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                rc = cli_error(CLI_FAILED, "item import", "cannot read '%s'", path);
                goto out;
            }
            *buf = b;
            *len = n;
            b = NULL;
            rc = CLI_OK;
            goto out;
        }
    }
    rc = cli_error(CLI_FAILED, "item import", "out of memory");
out:
    free(b);
    fclose(f);
    return rc;
}

static int item_import(const struct termcli_args *a, struct store *db, const struct currency *cur)
{
    struct pos_errdetail d;
    char *buf = NULL;
    size_t len = 0, n = 0;
    int rc;

    if (a->npos != 1)
        return cli_error(CLI_USAGE, "item import", "usage: pos item import FILE.csv");
    rc = item_read_file(a->pos[0], &buf, &len);
    if (rc != CLI_OK)
        return rc;
    pos_errdetail_init(&d);
    rc = catalog_import_csv(db, buf, len, cur, &n, &d);
    free(buf);
    if (rc != POS_OK) {
        int code = rc == POS_ERR_CONSTRAINT || rc == POS_ERR_DB || rc == POS_ERR_BUSY ||
                           rc == POS_ERR_NOMEM
                       ? CLI_FAILED
                       : CLI_USAGE;
        return cli_error(code, "item import", "%s: %s (nothing imported)", a->pos[0],
                         d.what[0] != '\0' ? d.what : pos_strerror(rc));
    }
    if (a->json)
        return cli_print_json(json_pack("{s:I}", "imported", (json_int_t)n));
    printf("imported %zu items\n", n);
    return CLI_OK;
}

static int item_export(const struct termcli_args *a, struct store *db, const struct currency *cur)
{
    FILE *f = stdout;
    int rc;

    if (a->npos > 1)
        return cli_error(CLI_USAGE, "item export", "usage: pos item export [FILE]");
    if (a->npos == 1) {
        f = fopen(a->pos[0], "w");
        if (f == NULL)
            return cli_error(CLI_FAILED, "item export", "cannot create '%s'", a->pos[0]);
    }
    rc = catalog_export_csv(db, cur, f);
    if (f != stdout && fclose(f) != 0 && rc == POS_OK)
        rc = POS_ERR_IO;
    if (rc != POS_OK)
        return cli_error(CLI_FAILED, "item export", "%s", pos_strerror(rc));
    return CLI_OK;
}

static int item_show(const struct termcli_args *a, struct store *db, const struct currency *cur,
                     bool deactivate)
{
    const char *what = deactivate ? "item deactivate" : "item show";
    struct catalog_item it;
    int rc;

    if (a->npos != 1)
        return cli_error(CLI_USAGE, what, "usage: pos %s SKU", what);
    rc = deactivate ? catalog_deactivate(db, a->pos[0]) : POS_OK;
    if (rc == POS_OK)
        rc = catalog_get(db, a->pos[0], &it);
    if (rc == POS_ERR_NOT_FOUND)
        return cli_error(CLI_FAILED, what, "no item with SKU '%s'", a->pos[0]);
    if (rc != POS_OK)
        return termcli_fail(what, rc, NULL);
    return item_print_one(a, &it, cur);
}

int cmd_item(int argc, char **argv)
{
    const struct currency *cur = NULL;
    struct store *db = NULL;
    struct termcli_args args, *a = &args;
    const char *sub;
    int rc;

    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(item_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    sub = argv[1];
    if (strcmp(sub, "add") != 0 && strcmp(sub, "edit") != 0 && strcmp(sub, "list") != 0 &&
        strcmp(sub, "find") != 0 && strcmp(sub, "import") != 0 && strcmp(sub, "export") != 0 &&
        strcmp(sub, "show") != 0 && strcmp(sub, "deactivate") != 0)
        return cli_error(CLI_USAGE, "item", "unknown subcommand '%s' (see pos item --help)", sub);
    rc = termcli_parse("item", argc, argv, 2, item_opts, a);
    if (rc != CLI_OK)
        return rc;
    rc = termcli_open("item", a, &db, &cur);
    if (rc != CLI_OK)
        return rc;
    if (strcmp(sub, "add") == 0 || strcmp(sub, "edit") == 0)
        rc = item_add_edit(a, db, cur, strcmp(sub, "add") == 0);
    else if (strcmp(sub, "list") == 0)
        rc = a->npos == 0
                 ? item_list(a, db, cur, NULL)
                 : cli_error(CLI_USAGE, "item list", "unexpected argument '%s'", a->pos[0]);
    else if (strcmp(sub, "find") == 0)
        rc = item_find(a, db, cur);
    else if (strcmp(sub, "import") == 0)
        rc = item_import(a, db, cur);
    else if (strcmp(sub, "export") == 0)
        rc = item_export(a, db, cur);
    else
        rc = item_show(a, db, cur, strcmp(sub, "deactivate") == 0);
    tstore_close(db);
    return rc;
}
