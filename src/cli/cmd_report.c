/* pos report: X and Z reports and the sales report (src/term/report.h;
 * docs/reports.md). X and Z print from their JSON, so a reprint of a Z
 * shows exactly what was printed. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "error.h"
#include "mem.h"
#include "term/catalog.h"
#include "term/report.h"
#include "term/staff.h"
#include "term/tstore.h"
#include "termcli.h"
#include "textwidth.h"

static const char report_usage[] =
    "usage: pos report x [--json]\n"
    "       pos report z --employee N --pin P [--json]\n"
    "       pos report z --show ID|last [--json]\n"
    "       pos report sales --from DATE --to DATE --by item|category|hour|employee|tender\n"
    "                        [--format table|csv|json]\n"
    "\n"
    "x: the open shift so far (nothing written). z: closes the day (an employee with\n"
    "the reports right; no shift and no draft sale open) and stores the report;\n"
    "--show reprints a stored one. sales: the paid sales closed and the returns\n"
    "made in [--from, --to) grouped by --by. DATE is local time, YYYY-MM-DD or\n"
    "YYYY-MM-DDTHH:MM; a date alone as --to includes that whole day. --pin - reads\n"
    "the PIN from stdin. Options: --db PATH, --json (= --format json). Exit status:\n"
    "0 ok, 1 refused (no shift open, a shift or draft open, wrong PIN, not\n"
    "permitted, no such report), 2 bad input.\n";

static const struct termcli_opt report_opts[] = {
    {"--employee", TERMCLI_VALUE}, {"--pin", TERMCLI_VALUE}, {"--show", TERMCLI_VALUE},
    {"--from", TERMCLI_VALUE},     {"--to", TERMCLI_VALUE},  {"--by", TERMCLI_VALUE},
    {"--format", TERMCLI_VALUE},   {NULL, TERMCLI_VALUE},
};

/* ---- X and Z as text ------------------------------------------------------ */

/* The member at a dotted path of o ("tenders.cash.net"), NULL when absent. */
static json_t *rp_get(json_t *o, const char *path)
{
    char key[64];
    const char *dot;
    size_t n;

    while (o != NULL && (dot = strchr(path, '.')) != NULL) {
        n = (size_t)(dot - path);
        if (n >= sizeof(key))
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        o = json_object_get(o, key);
        path = dot + 1;
    }
    return o != NULL ? json_object_get(o, path) : NULL;
}

/* A member as text: strings as they are, integers in decimal, else "-".
 * buf: one of the caller's buffers (the result may point into it). */
static const char *rp_s(json_t *o, const char *path, char *buf, size_t cap)
{
    json_t *v = rp_get(o, path);

    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    return "-";
}

static void rp_time(json_t *o, const char *path, char *buf, size_t cap)
{
    json_t *v = rp_get(o, path);
    time_t t;
    struct tm tm;

    snprintf(buf, cap, "-");
    if (!json_is_integer(v))
        return;
    t = (time_t)(json_integer_value(v) / 1000);
    if (localtime_r(&t, &tm) != NULL)
        strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm);
}

/* Eight text buffers used in turn, so one printf may show eight members. */
struct rp_ring {
    char b[8][32];
    unsigned i;
};

static const char *rp_r(json_t *o, const char *path, struct rp_ring *r)
{
    char *buf = r->b[r->i++ % 8];

    return rp_s(o, path, buf, sizeof(r->b[0]));
}

#define RP(path) rp_r(o, path, &ring)

static void rp_cash(json_t *o)
{
    struct rp_ring ring = {.i = 0};

    printf("  float %s  cash sales %s  returned %s  expected %s", RP("float"), RP("sales"),
           RP("returned"), RP("expected"));
    if (rp_get(o, "counted") != NULL)
        printf("  counted %s  difference %s", RP("counted"), RP("difference"));
    putchar('\n');
}

static void rp_print(json_t *o)
{
    static const char *const kinds[] = {"cash", "card", "wallet", "other"};
    struct rp_ring ring = {.i = 0};
    char b[8][32], t1[32], t2[32], path[64];
    json_t *arr, *e;
    size_t i;
    bool z = strcmp(RP("type"), "z") == 0;

    rp_time(o, "from_ms", t1, sizeof(t1));
    rp_time(o, "to_ms", t2, sizeof(t2));
    if (z)
        printf("Z REPORT %s%s  closed by %s %s\n", RP("id"),
               json_is_true(rp_get(o, "reprint")) ? "  ** REPRINT **" : "",
               RP("closed_by.number"), RP("closed_by.name"));
    else
        printf("X REPORT  shift %s  employee %s\n", RP("shift"), RP("employee"));
    printf("period %s .. %s  currency %s\n", t1, t2, RP("currency"));
    printf("sales       count %s  total %s  gross %s\n", RP("sales.count"), RP("sales.total"),
           RP("sales.gross"));
    printf("promotions  %s\n", RP("promotions.total"));
    printf("discounts   %s\n", RP("discounts.total"));
    printf("tax         total %s  returned %s  net %s\n", RP("tax.total"), RP("tax.returned"),
           RP("tax.net"));
    arr = rp_get(o, "tax.rates");
    for (i = 0; i < json_array_size(arr); i++) {
        e = json_array_get(arr, i);
        printf("  rate %s bps  base %s  tax %s\n", rp_s(e, "rate_bps", b[0], sizeof(b[0])),
               rp_s(e, "base", b[1], sizeof(b[1])), rp_s(e, "tax", b[2], sizeof(b[2])));
    }
    printf("refunds     count %s  total %s\n", RP("refunds.count"), RP("refunds.total"));
    printf("voids       count %s  total %s\n", RP("voids.count"), RP("voids.total"));
    printf("net         %s\n", RP("net"));
    printf("tenders     %-8s %12s %12s %12s %12s\n", "", "tendered", "change", "returned", "net");
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        e = rp_get(o, "tenders");
        e = json_object_get(e, kinds[i]);
        printf("            %-8s %12s %12s %12s %12s\n", kinds[i],
               rp_s(e, "tendered", b[0], sizeof(b[0])), rp_s(e, "change", b[1], sizeof(b[1])),
               rp_s(e, "returned", b[2], sizeof(b[2])), rp_s(e, "net", b[3], sizeof(b[3])));
    }
    printf("employees\n");
    arr = rp_get(o, "employees");
    for (i = 0; i < json_array_size(arr); i++) {
        e = json_array_get(arr, i);
        printf("  %s %s  count %s  total %s  refunds %s  voids %s  net %s\n",
               rp_s(e, "number", b[0], sizeof(b[0])), rp_s(e, "name", b[1], sizeof(b[1])),
               rp_s(e, "count", b[2], sizeof(b[2])), rp_s(e, "total", b[3], sizeof(b[3])),
               rp_s(e, "refunds", b[4], sizeof(b[4])), rp_s(e, "voids", b[5], sizeof(b[5])),
               rp_s(e, "net", b[6], sizeof(b[6])));
    }
    printf("hours\n");
    arr = rp_get(o, "hours");
    for (i = 0; i < json_array_size(arr); i++) {
        e = json_array_get(arr, i);
        printf("  %2s:00  count %s  total %s\n", rp_s(e, "hour", b[0], sizeof(b[0])),
               rp_s(e, "count", b[1], sizeof(b[1])), rp_s(e, "total", b[2], sizeof(b[2])));
    }
    printf("cash\n");
    rp_cash(rp_get(o, "cash"));
    arr = rp_get(o, "shifts");
    for (i = 0; i < json_array_size(arr); i++) {
        e = json_array_get(arr, i);
        snprintf(path, sizeof(path), "shift %s employee %s",
                 rp_s(e, "id", b[0], sizeof(b[0])), rp_s(e, "employee", b[1], sizeof(b[1])));
        printf("%s\n", path);
        rp_cash(e);
    }
}

static int rp_out(const struct termcli_args *a, json_t *o)
{
    if (a->json)
        return cli_print_json(o);
    rp_print(o);
    json_decref(o);
    return CLI_OK;
}

/* ---- sales report --------------------------------------------------------- */

enum rp_format { RP_TABLE = 0, RP_CSV, RP_JSON };

#define RP_COLS 10

struct rp_cells {
    const char *c[RP_COLS];
    char buf[RP_COLS][40];
};

static const char *const rp_head[RP_COLS] = {"key",   "name", "count",   "quantity", "gross",
                                             "discounts", "tax", "sales", "refunds", "net"};

static void rp_cells(const struct report_row *r, const struct currency *cur, struct rp_cells *x)
{
    const int64_t money[6] = {r->gross, r->discounts, r->tax, r->sales, r->refunds, r->net};
    int i;

    x->c[0] = r->key;
    x->c[1] = r->label;
    snprintf(x->buf[2], sizeof(x->buf[2]), "%lld", (long long)r->count);
    x->c[2] = x->buf[2];
    x->c[3] = "";
    if (r->has_qty) {
        termcli_qty_text(r->qty, x->buf[3], sizeof(x->buf[3]));
        x->c[3] = x->buf[3];
    }
    for (i = 0; i < 6; i++) {
        x->c[4 + i] = "";
        if (!r->has_detail && i < 3)
            continue;
        termcli_money_text(money[i], cur, x->buf[4 + i], sizeof(x->buf[4 + i]));
        x->c[4 + i] = x->buf[4 + i];
    }
}

/* RFC 4180 §2: a field with a comma, quote, CR or LF is quoted, quotes doubled */
static void rp_csv_field(const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (; *s != '\0'; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

static void rp_csv_line(const char *const *c)
{
    int i;

    for (i = 0; i < RP_COLS; i++) {
        if (i > 0)
            putchar(',');
        rp_csv_field(c[i]);
    }
    fputs("\r\n", stdout);
}

static size_t rp_width(const char *s)
{
    return textwidth_of(s, strlen(s));
}

static void rp_table_line(const char *const *c, const size_t *w)
{
    size_t k, sw;
    int i;

    for (i = 0; i < RP_COLS; i++) {
        sw = rp_width(c[i]);
        if (i > 0)
            fputs("  ", stdout);
        if (i >= 2) /* numbers right-aligned */
            for (k = sw; k < w[i]; k++)
                putchar(' ');
        fputs(c[i], stdout);
        if (i < 2 && i + 1 < RP_COLS)
            for (k = sw; k < w[i]; k++)
                putchar(' ');
    }
    putchar('\n');
}

static json_t *rp_row_json(const struct report_row *r, const struct currency *cur)
{
    json_t *o = json_object();

    if (o == NULL)
        return NULL;
    json_object_set_new(o, "key", json_string(r->key));
    if (r->label[0] != '\0')
        json_object_set_new(o, "name", json_string(r->label));
    json_object_set_new(o, "count", json_integer(r->count));
    if (r->has_qty)
        json_object_set_new(o, "quantity", termcli_qty_json(r->qty));
    if (r->has_detail) {
        json_object_set_new(o, "gross", termcli_money_json(r->gross, cur));
        json_object_set_new(o, "discounts", termcli_money_json(r->discounts, cur));
        json_object_set_new(o, "tax", termcli_money_json(r->tax, cur));
    }
    json_object_set_new(o, "sales", termcli_money_json(r->sales, cur));
    json_object_set_new(o, "refunds", termcli_money_json(r->refunds, cur));
    json_object_set_new(o, "net", termcli_money_json(r->net, cur));
    return o;
}

static int rp_sales_print(enum rp_format f, const struct report_row *rows, size_t n,
                          const struct report_row *total, const struct currency *cur)
{
    struct rp_cells x;
    size_t w[RP_COLS], i, k;
    json_t *arr, *o;

    if (f == RP_JSON) {
        arr = json_array();
        for (i = 0; i <= n && arr != NULL; i++) {
            o = rp_row_json(i < n ? &rows[i] : total, cur);
            if (o == NULL || json_array_append_new(arr, o) != 0) {
                json_decref(arr);
                arr = NULL;
            }
        }
        return cli_print_json(arr);
    }
    if (f == RP_CSV) {
        rp_csv_line(rp_head);
        for (i = 0; i <= n; i++) {
            rp_cells(i < n ? &rows[i] : total, cur, &x);
            rp_csv_line(x.c);
        }
        return CLI_OK;
    }
    for (k = 0; k < RP_COLS; k++)
        w[k] = rp_width(rp_head[k]);
    for (i = 0; i <= n; i++) {
        rp_cells(i < n ? &rows[i] : total, cur, &x);
        for (k = 0; k < RP_COLS; k++)
            if (rp_width(x.c[k]) > w[k])
                w[k] = rp_width(x.c[k]);
    }
    rp_table_line(rp_head, w);
    for (i = 0; i <= n; i++) {
        rp_cells(i < n ? &rows[i] : total, cur, &x);
        rp_table_line(x.c, w);
    }
    return CLI_OK;
}

static int rp_date(const char *opt, const char *text, bool end, int64_t *ms)
{
    int rc;

    if (text == NULL)
        return cli_error(CLI_USAGE, "report sales", "%s is required", opt);
    rc = report_time_parse(text, end, ms);
    if (rc == POS_ERR_SYNTAX)
        return cli_error(CLI_USAGE, "report sales",
                         "%s '%s': not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)", opt, text);
    if (rc != POS_OK)
        return cli_error(CLI_USAGE, "report sales", "%s '%s': no such local date or time", opt,
                         text);
    return CLI_OK;
}

static int rp_sales(const struct termcli_args *a, struct store *db, const struct currency *cur)
{
    const char *fmt = termcli_get(a, report_opts, "--format");
    const char *by_text = termcli_get(a, report_opts, "--by");
    struct report_row *rows = NULL, total;
    struct pos_errdetail d;
    enum report_by by;
    enum rp_format f = a->json ? RP_JSON : RP_TABLE;
    int64_t from, to;
    size_t n = 0;
    int rc;

    if (fmt != NULL) {
        if (strcmp(fmt, "table") == 0)
            f = RP_TABLE;
        else if (strcmp(fmt, "csv") == 0)
            f = RP_CSV;
        else if (strcmp(fmt, "json") == 0)
            f = RP_JSON;
        else
            return cli_error(CLI_USAGE, "report sales",
                             "--format '%s': not table, csv or json", fmt);
    }
    if (by_text == NULL)
        return cli_error(CLI_USAGE, "report sales", "--by is required");
    if (report_by_parse(by_text, &by) != POS_OK)
        return cli_error(CLI_USAGE, "report sales",
                         "--by '%s': not item, category, hour, employee or tender", by_text);
    rc = rp_date("--from", termcli_get(a, report_opts, "--from"), false, &from);
    if (rc == CLI_OK)
        rc = rp_date("--to", termcli_get(a, report_opts, "--to"), true, &to);
    if (rc != CLI_OK)
        return rc;
    if (from >= to) /* an empty period is a mistake: the dates are swapped or equal */
        return cli_error(CLI_USAGE, "report sales", "--from is not before --to");
    pos_errdetail_init(&d);
    rc = report_sales(db, from, to, by, &rows, &n, &total, &d);
    if (rc != POS_OK)
        return termcli_fail("report sales", rc, &d);
    rc = rp_sales_print(f, rows, n, &total, cur);
    report_rows_free(rows);
    return rc;
}

/* ---- commands ----------------------------------------------------------- */

static int rp_z(const struct termcli_args *a, struct store *db, char *pin, size_t cap)
{
    const char *show = termcli_get(a, report_opts, "--show");
    const char *emp = termcli_get(a, report_opts, "--employee");
    struct pos_errdetail d;
    json_t *o = NULL;
    int64_t number, id = 0;
    int rc;

    pos_errdetail_init(&d);
    if (show != NULL) {
        if (emp != NULL || termcli_get(a, report_opts, "--pin") != NULL)
            return cli_error(CLI_USAGE, "report z", "--show takes no --employee or --pin");
        if (strcmp(show, "last") != 0) {
            rc = termcli_int("report z", "--show", show, 1, INT64_MAX, &id);
            if (rc != CLI_OK)
                return rc;
        }
        rc = report_z_show(db, id, &o, &d);
        return rc != POS_OK ? termcli_fail("report z", rc, &d) : rp_out(a, o);
    }
    if (emp == NULL)
        return cli_error(CLI_USAGE, "report z", "--employee is required (or --show ID)");
    rc = termcli_int("report z", "--employee", emp, 1, STAFF_NUMBER_MAX, &number);
    if (rc != CLI_OK)
        return rc;
    rc = termcli_pin("report z", termcli_get(a, report_opts, "--pin"), pin, cap);
    if (rc != CLI_OK)
        return rc;
    rc = report_z(db, number, pin, tstore_now_ms(), &o, NULL, &d);
    if (rc != POS_OK)
        return termcli_fail("report z", rc, &d);
    return rp_out(a, o);
}

static int rp_only(const struct termcli_args *a, const char *what, const char *const *allowed)
{
    int k, j;
    bool ok;

    if (a->npos != 0)
        return cli_error(CLI_USAGE, what, "unexpected argument '%s'", a->pos[0]);
    for (k = 0; report_opts[k].name != NULL; k++) {
        if (a->val[k] == NULL)
            continue;
        ok = false;
        for (j = 0; allowed[j] != NULL; j++)
            ok = ok || strcmp(allowed[j], report_opts[k].name) == 0;
        if (!ok)
            return cli_error(CLI_USAGE, what, "%s does not apply here", report_opts[k].name);
    }
    return CLI_OK;
}

int cmd_report(int argc, char **argv)
{
    static const char *const x_opts[] = {NULL};
    static const char *const z_opts[] = {"--employee", "--pin", "--show", NULL};
    static const char *const s_opts[] = {"--from", "--to", "--by", "--format", NULL};
    char pin[STAFF_PIN_MAX + 8];
    const struct currency *cur = NULL;
    struct store *db = NULL;
    struct termcli_args a;
    struct pos_errdetail d;
    json_t *o = NULL;
    const char *sub, *what;
    int rc;

    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(report_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    sub = argv[1];
    if (strcmp(sub, "x") == 0)
        what = "report x";
    else if (strcmp(sub, "z") == 0)
        what = "report z";
    else if (strcmp(sub, "sales") == 0)
        what = "report sales";
    else
        return cli_error(CLI_USAGE, "report", "unknown subcommand '%s' (see pos report --help)",
                         sub);
    rc = termcli_parse(what, argc, argv, 2, report_opts, &a);
    if (rc == CLI_OK)
        rc = rp_only(&a, what, sub[0] == 'x' ? x_opts : sub[0] == 'z' ? z_opts : s_opts);
    if (rc != CLI_OK)
        return rc;
    rc = termcli_open(what, &a, &db, &cur);
    if (rc != CLI_OK)
        return rc;
    memset(pin, 0, sizeof(pin));
    pos_errdetail_init(&d);
    if (sub[0] == 'x') {
        rc = report_x(db, tstore_now_ms(), &o, &d);
        rc = rc != POS_OK ? termcli_fail(what, rc, &d) : rp_out(&a, o);
    } else if (sub[0] == 'z') {
        rc = rp_z(&a, db, pin, sizeof(pin));
    } else {
        rc = rp_sales(&a, db, cur);
    }
    pos_wipe(pin, sizeof(pin));
    tstore_close(db);
    return rc;
}
