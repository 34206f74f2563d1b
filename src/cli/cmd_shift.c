/* pos shift: open and close the cash drawer's shift (src/term/staff.h). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "error.h"
#include "mem.h"
#include "term/sale.h"
#include "term/staff.h"
#include "term/tstore.h"
#include "termcli.h"

static const char shift_usage[] =
    "usage: pos shift open --employee N --pin P --float 200.00\n"
    "       pos shift close --employee N --pin P --counted 543.20\n"
    "       pos shift show\n"
    "\n"
    "One shift is open at a time. open logs the employee in and records the cash\n"
    "float; close (by the same employee or a manager) records the counted cash and\n"
    "the expected cash (the float plus the shift's net cash sales) and their\n"
    "difference. show prints the open shift, else the last one. Amounts are in\n"
    "the terminal currency. --pin - reads the PIN from stdin. Options: --db PATH,\n"
    "--json. Exit status: 0 ok, 1 wrong PIN, locked, a shift already open or none\n"
    "open, 2 bad input.\n";

static const struct termcli_opt shift_opts[] = {
    {"--employee", TERMCLI_VALUE}, {"--pin", TERMCLI_VALUE},  {"--float", TERMCLI_VALUE},
    {"--counted", TERMCLI_VALUE},  {NULL, TERMCLI_VALUE},
};

static int shift_print(const struct termcli_args *a, const struct staff_shift *s)
{
    const struct currency *cur = money_currency_by_numeric(s->currency);
    char fl[MONEY_FORMAT_MAX], co[MONEY_FORMAT_MAX], ex[MONEY_FORMAT_MAX], df[MONEY_FORMAT_MAX];
    json_t *j;

    if (cur == NULL)
        return cli_error(CLI_FAILED, "shift", "shift %lld has an unknown currency %u",
                         (long long)s->id, (unsigned)s->currency);
    if (a->json) {
        j = json_pack("{s:I, s:s, s:I, s:s, s:o, s:I}", "id", (json_int_t)s->id, "status",
                      s->open ? "open" : "closed", "employee", (json_int_t)s->employee_number,
                      "currency", cur->alpha, "float", termcli_money_json(s->float_amount, cur),
                      "opened_at_ms", (json_int_t)s->opened_at);
        if (j != NULL && s->has_close) {
            json_object_set_new(j, "counted", termcli_money_json(s->counted, cur));
            json_object_set_new(j, "expected", termcli_money_json(s->expected, cur));
            json_object_set_new(j, "difference", termcli_money_json(s->counted - s->expected, cur));
            json_object_set_new(j, "closed_by", json_integer(s->closed_by));
            json_object_set_new(j, "closed_at_ms", json_integer(s->closed_at));
        }
        return cli_print_json(j);
    }
    termcli_money_text(s->float_amount, cur, fl, sizeof(fl));
    printf("shift %lld (%s) employee %lld float %s %s\n", (long long)s->id,
           s->open ? "open" : "closed", (long long)s->employee_number, fl, cur->alpha);
    if (s->has_close) {
        termcli_money_text(s->counted, cur, co, sizeof(co));
        termcli_money_text(s->expected, cur, ex, sizeof(ex));
        termcli_money_text(s->counted - s->expected, cur, df, sizeof(df));
        printf("closed by %lld: counted %s expected %s difference %s\n", (long long)s->closed_by,
               co, ex, df);
    }
    return CLI_OK;
}

static int shift_open_close(const struct termcli_args *a, struct store *db,
                            const struct currency *cur, bool open, char *pin, size_t cap)
{
    const char *what = open ? "shift open" : "shift close";
    const char *amount_opt = open ? "--float" : "--counted";
    struct pos_errdetail d;
    struct staff_shift s;
    int64_t number, amount;
    int rc;

    if (a->npos != 0)
        return cli_error(CLI_USAGE, what, "unexpected argument '%s'", a->pos[0]);
    if (termcli_get(a, shift_opts, "--employee") == NULL)
        return cli_error(CLI_USAGE, what, "--employee is required");
    rc = termcli_int(what, "--employee", termcli_get(a, shift_opts, "--employee"), 1,
                     STAFF_NUMBER_MAX, &number);
    if (rc != CLI_OK)
        return rc;
    if (termcli_get(a, shift_opts, amount_opt) == NULL)
        return cli_error(CLI_USAGE, what, "%s is required", amount_opt);
    rc = termcli_money(what, amount_opt, termcli_get(a, shift_opts, amount_opt), cur, &amount);
    if (rc != CLI_OK)
        return rc;
    rc = termcli_pin(what, termcli_get(a, shift_opts, "--pin"), pin, cap);
    if (rc != CLI_OK)
        return rc;
    pos_errdetail_init(&d);
    if (open)
        rc = staff_shift_open(db, number, pin, amount, tstore_now_ms(), &s, &d);
    else
        rc = staff_shift_close(db, number, pin, amount, sale_shift_cash, NULL, tstore_now_ms(), &s, &d);
    if (rc != POS_OK)
        return termcli_fail(what, rc, &d);
    return shift_print(a, &s);
}

int cmd_shift(int argc, char **argv)
{
    char pin[STAFF_PIN_MAX + 8];
    const struct currency *cur = NULL;
    struct store *db = NULL;
    struct staff_shift s;
    struct termcli_args a;
    const char *sub;
    int rc;

    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(shift_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    sub = argv[1];
    if (strcmp(sub, "open") != 0 && strcmp(sub, "close") != 0 && strcmp(sub, "show") != 0)
        return cli_error(CLI_USAGE, "shift", "unknown subcommand '%s' (see pos shift --help)",
                         sub);
    rc = termcli_parse("shift", argc, argv, 2, shift_opts, &a);
    if (rc != CLI_OK)
        return rc;
    rc = termcli_open("shift", &a, &db, &cur);
    if (rc != CLI_OK)
        return rc;
    memset(pin, 0, sizeof(pin));
    if (strcmp(sub, "show") == 0) {
        rc = staff_shift_current(db, &s);
        if (rc == POS_ERR_NOT_FOUND)
            rc = staff_shift_last(db, &s);
        if (rc == POS_ERR_NOT_FOUND)
            rc = cli_error(CLI_FAILED, "shift show", "no shift was ever opened");
        else if (rc != POS_OK)
            rc = termcli_fail("shift show", rc, NULL);
        else
            rc = shift_print(&a, &s);
    } else {
        rc = shift_open_close(&a, db, cur, strcmp(sub, "open") == 0, pin, sizeof(pin));
    }
    pos_wipe(pin, sizeof(pin));
    tstore_close(db);
    return rc;
}
