/* pos employee: staff, roles, PIN login (src/term/staff.h). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "error.h"
#include "mem.h"
#include "term/staff.h"
#include "term/tstore.h"
#include "termcli.h"

static const char employee_usage[] =
    "usage: pos employee add --number N --name NAME --role cashier|supervisor|manager --pin P\n"
    "       pos employee list\n"
    "       pos employee disable N\n"
    "       pos employee login N --pin P\n"
    "       pos employee authorize N --pin P --right RIGHT\n"
    "       pos employee unlock N --manager M --pin P\n"
    "\n"
    "PINs are 4 to 12 digits, stored only as a PBKDF2-HMAC-SHA256 hash; --pin - reads\n"
    "the PIN from the first line of stdin (keeps it out of the process list).\n"
    "Five wrong PINs in a row lock an employee out for 15 minutes; a manager's\n"
    "unlock (with the manager's own PIN) ends it earlier. RIGHT: void, refund,\n"
    "discount, price_override, settle, reports, admin. Exit status: 0 ok, 1 wrong\n"
    "PIN, locked out, not permitted, unknown or duplicate employee, 2 bad input.\n"
    "Options everywhere: --db PATH, --json.\n";

static const struct termcli_opt employee_opts[] = {
    {"--number", TERMCLI_VALUE}, {"--name", TERMCLI_VALUE},    {"--role", TERMCLI_VALUE},
    {"--pin", TERMCLI_VALUE},    {"--manager", TERMCLI_VALUE}, {"--right", TERMCLI_VALUE},
    {NULL, TERMCLI_VALUE},
};

static json_t *employee_json(const struct staff_employee *e)
{
    return json_pack("{s:I, s:s, s:s, s:b, s:I, s:b}", "number", (json_int_t)e->number, "name",
                     e->name, "role", staff_role_name(e->role), "active", e->active,
                     "failed_logins", (json_int_t)e->failed_logins, "locked",
                     e->locked_until > tstore_now_ms());
}

static int employee_number(const char *what, const char *text, int64_t *n)
{
    if (text == NULL)
        return cli_error(CLI_USAGE, what, "an employee number is required");
    return termcli_int(what, "employee number", text, 1, STAFF_NUMBER_MAX, n);
}

static int employee_add(const struct termcli_args *a, struct store *db, char *pin, size_t cap)
{
    const char *what = "employee add";
    struct pos_errdetail d;
    struct staff_employee e;
    enum staff_role role;
    int64_t number;
    int rc;

    if (a->npos != 0)
        return cli_error(CLI_USAGE, what, "unexpected argument '%s'", a->pos[0]);
    rc = employee_number(what, termcli_get(a, employee_opts, "--number"), &number);
    if (rc != CLI_OK)
        return rc;
    if (termcli_get(a, employee_opts, "--name") == NULL)
        return cli_error(CLI_USAGE, what, "--name is required");
    if (staff_role_parse(termcli_get(a, employee_opts, "--role"), &role) != POS_OK)
        return cli_error(CLI_USAGE, what, "--role: cashier, supervisor or manager");
    rc = termcli_pin(what, termcli_get(a, employee_opts, "--pin"), pin, cap);
    if (rc != CLI_OK)
        return rc;
    pos_errdetail_init(&d);
    rc = staff_add(db, number, termcli_get(a, employee_opts, "--name"), role, pin, NULL, &d);
    if (rc != POS_OK)
        return termcli_fail(what, rc, &d);
    rc = staff_get(db, number, &e);
    if (rc != POS_OK)
        return termcli_fail(what, rc, NULL);
    if (a->json)
        return cli_print_json(employee_json(&e));
    printf("added employee %lld %s (%s)\n", (long long)e.number, e.name, staff_role_name(e.role));
    return CLI_OK;
}

struct employee_out {
    bool json;
    json_t *arr;
};

static int employee_out_one(void *arg, const struct staff_employee *e)
{
    struct employee_out *o = arg;
    char name[TERMCLI_PAD_MAX];

    if (o->json)
        return json_array_append_new(o->arr, employee_json(e)) == 0 ? POS_OK : POS_ERR_NOMEM;
    printf("%-8lld %s %-10s %-8s %s\n", (long long)e->number,
           termcli_pad(e->name, 24, name, sizeof(name)), staff_role_name(e->role),
           e->active ? "active" : "disabled", e->locked_until > tstore_now_ms() ? "locked" : "");
    return POS_OK;
}

static int employee_list(const struct termcli_args *a, struct store *db)
{
    struct employee_out o = {a->json, NULL};
    int rc;

    if (a->npos != 0)
        return cli_error(CLI_USAGE, "employee list", "unexpected argument '%s'", a->pos[0]);
    if (a->json)
        o.arr = json_array();
    else
        printf("%-8s %-24s %-10s %-8s %s\n", "NUMBER", "NAME", "ROLE", "STATUS", "");
    rc = staff_list(db, employee_out_one, &o);
    if (rc != POS_OK) {
        json_decref(o.arr);
        return termcli_fail("employee list", rc, NULL);
    }
    return a->json ? cli_print_json(o.arr) : CLI_OK;
}

/* login, authorize, unlock, disable: one employee number as the argument. */
static int employee_one(const char *sub, const struct termcli_args *a, struct store *db, char *pin,
                        size_t cap)
{
    char what[32];
    struct pos_errdetail d;
    struct staff_employee e;
    enum staff_right right = STAFF_RIGHT_ADMIN;
    int64_t number, manager;
    int rc;

    snprintf(what, sizeof(what), "employee %s", sub);
    if (a->npos != 1)
        return cli_error(CLI_USAGE, what, "usage: pos employee %s N", sub);
    rc = employee_number(what, a->pos[0], &number);
    if (rc != CLI_OK)
        return rc;
    pos_errdetail_init(&d);
    if (strcmp(sub, "disable") == 0) {
        rc = staff_disable(db, number);
        if (rc == POS_ERR_NOT_FOUND)
            return cli_error(CLI_FAILED, what, "no employee %lld", (long long)number);
        if (rc != POS_OK)
            return termcli_fail(what, rc, NULL);
        rc = staff_get(db, number, &e);
        if (rc != POS_OK)
            return termcli_fail(what, rc, NULL);
        if (a->json)
            return cli_print_json(employee_json(&e));
        printf("employee %lld disabled\n", (long long)number);
        return CLI_OK;
    }
    if (strcmp(sub, "authorize") == 0 &&
        staff_right_parse(termcli_get(a, employee_opts, "--right"), &right) != POS_OK)
        return cli_error(CLI_USAGE, what,
                         "--right: void, refund, discount, price_override, settle, reports or"
                         " admin");
    manager = number;
    if (strcmp(sub, "unlock") == 0) {
        rc = employee_number(what, termcli_get(a, employee_opts, "--manager"), &manager);
        if (rc != CLI_OK)
            return rc;
    }
    rc = termcli_pin(what, termcli_get(a, employee_opts, "--pin"), pin, cap);
    if (rc != CLI_OK)
        return rc;
    if (strcmp(sub, "login") == 0)
        rc = staff_login(db, number, pin, tstore_now_ms(), &e, &d);
    else
        rc = staff_authorize(db, manager, pin, right, tstore_now_ms(), &e, &d);
    if (rc == POS_OK && strcmp(sub, "unlock") == 0) {
        rc = staff_unlock(db, number);
        if (rc == POS_ERR_NOT_FOUND)
            return cli_error(CLI_FAILED, what, "no employee %lld", (long long)number);
        if (rc == POS_OK)
            rc = staff_get(db, number, &e);
    }
    if (rc != POS_OK)
        return termcli_fail(what, rc, &d);
    if (a->json)
        return cli_print_json(employee_json(&e));
    printf("employee %lld %s (%s): %s\n", (long long)e.number, e.name, staff_role_name(e.role),
           strcmp(sub, "login") == 0 ? "logged in"
                                     : (strcmp(sub, "unlock") == 0 ? "unlocked" : "authorized"));
    return CLI_OK;
}

int cmd_employee(int argc, char **argv)
{
    char pin[STAFF_PIN_MAX + 8];
    struct store *db = NULL;
    struct termcli_args a;
    const char *sub;
    int rc;

    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(employee_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    sub = argv[1];
    if (strcmp(sub, "add") != 0 && strcmp(sub, "list") != 0 && strcmp(sub, "disable") != 0 &&
        strcmp(sub, "login") != 0 && strcmp(sub, "authorize") != 0 && strcmp(sub, "unlock") != 0)
        return cli_error(CLI_USAGE, "employee", "unknown subcommand '%s' (see pos employee --help)",
                         sub);
    rc = termcli_parse("employee", argc, argv, 2, employee_opts, &a);
    if (rc != CLI_OK)
        return rc;
    rc = termcli_open("employee", &a, &db, NULL);
    if (rc != CLI_OK)
        return rc;
    memset(pin, 0, sizeof(pin));
    if (strcmp(sub, "add") == 0)
        rc = employee_add(&a, db, pin, sizeof(pin));
    else if (strcmp(sub, "list") == 0)
        rc = employee_list(&a, db);
    else
        rc = employee_one(sub, &a, db, pin, sizeof(pin));
    pos_wipe(pin, sizeof(pin));
    tstore_close(db);
    return rc;
}
