/* pos pay / void / refund / reversal / saf: card payments through the
 * terminal's payment client (docs/payments.md). */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "mem.h"
#include "paycli.h"
#include "termcli.h"
#include "term/tstore.h"

static const struct termcli_opt pay_opts[] = {
    {"--amount", TERMCLI_VALUE}, {"--track2", TERMCLI_VALUE}, {"--pan", TERMCLI_VALUE},
    {"--expiry", TERMCLI_VALUE}, {"--pin", TERMCLI_VALUE},    {"--stan", TERMCLI_VALUE},
    {"--rrn", TERMCLI_VALUE},    {"--lmk", TERMCLI_VALUE},    {"--host", TERMCLI_VALUE},
    {NULL, TERMCLI_VALUE},
};

static void pay_usage(FILE *f, const char *cmd)
{
    if (strcmp(cmd, "pay") == 0)
        fprintf(f, "usage: pos pay [balance|preauth|complete|cancel] [--amount A]"
                   " (--track2 T | --pan P --expiry YYMM) [--pin P|-] [--stan N]\n"
                   "       [--db PATH] [--lmk FILE] [--host HOST:PORT]\n"
                   "A purchase without a subcommand; complete and cancel name the"
                   " pre-authorization by --stan.\n");
    else if (strcmp(cmd, "void") == 0)
        fprintf(f, "usage: pos void --stan N [--amount A] [card] [--db PATH] [--lmk FILE]\n");
    else if (strcmp(cmd, "refund") == 0)
        fprintf(f, "usage: pos refund --rrn R --amount A [card] [--db PATH] [--lmk FILE]\n");
    else
        fprintf(f, "usage: pos %s flush [--db PATH] [--lmk FILE] [--host HOST:PORT]\n", cmd);
}

/* Runs one operation of kind k from the parsed arguments. */
static int pay_op(const char *what, enum posmsg_kind k, const struct termcli_args *a)
{
    struct payclient_op op;
    struct payclient_result res;
    struct pos_errdetail d;
    struct store *db = NULL;
    struct payclient *pc = NULL;
    const struct currency *cur = NULL;
    const char *amt = termcli_get(a, pay_opts, "--amount");
    const char *stan = termcli_get(a, pay_opts, "--stan");
    const char *pinarg = termcli_get(a, pay_opts, "--pin");
    char pin[16];
    int64_t v = 0;
    int rc, ret;

    memset(&op, 0, sizeof(op));
    memset(pin, 0, sizeof(pin));
    pos_errdetail_init(&d);
    op.kind = k;
    op.track2 = termcli_get(a, pay_opts, "--track2");
    op.pan = termcli_get(a, pay_opts, "--pan");
    op.expiry = termcli_get(a, pay_opts, "--expiry");
    op.orig_rrn = termcli_get(a, pay_opts, "--rrn");
    if (op.track2 != NULL && op.pan != NULL) {
        ret = cli_error(CLI_USAGE, what, "give --track2 or --pan, not both");
        goto out;
    }
    if (op.pan != NULL && op.expiry == NULL) {
        ret = cli_error(CLI_USAGE, what, "--pan needs --expiry YYMM");
        goto out;
    }
    if (amt == NULL && k != POSMSG_BALANCE && k != POSMSG_VOID && k != POSMSG_PREAUTH_CANCEL) {
        ret = cli_error(CLI_USAGE, what, "--amount is required");
        goto out;
    }
    if ((k == POSMSG_VOID || k == POSMSG_COMPLETION || k == POSMSG_PREAUTH_CANCEL) &&
        stan == NULL) {
        ret = cli_error(CLI_USAGE, what, "--stan (the original's) is required");
        goto out;
    }
    if (k == POSMSG_REFUND && op.orig_rrn == NULL) {
        ret = cli_error(CLI_USAGE, what, "--rrn (the original's) is required");
        goto out;
    }
    if (stan != NULL) {
        if ((ret = termcli_int(what, "--stan", stan, 1, 999999, &v)) != CLI_OK)
            goto out;
        op.orig_stan = (uint32_t)v;
    }
    if (pinarg != NULL) {
        if ((ret = termcli_pin(what, pinarg, pin, sizeof(pin))) != CLI_OK)
            goto out;
        op.pin = pin;
    }
    if ((ret = paycli_open(what, a->db, termcli_get(a, pay_opts, "--lmk"),
                           termcli_get(a, pay_opts, "--host"), &db, &pc, &cur)) != CLI_OK)
        goto out;
    if (amt != NULL && (ret = termcli_money(what, "--amount", amt, cur, &op.amount)) != CLI_OK)
        goto out;
    rc = payclient_run(pc, &op, &res, &d);
    if (rc == POS_OK)
        ret = paycli_print_result(what, &res, cur);
    else
        ret = paycli_fail(what, rc, &d);
out:
    pos_wipe(pin, sizeof(pin));
    payclient_close(pc);
    tstore_close(db);
    return ret;
}

static int pay_parse(const char *what, int argc, char **argv, int first, struct termcli_args *a)
{
    int ret = termcli_parse(what, argc, argv, first, pay_opts, a);

    if (ret == CLI_OK && a->npos > 0)
        ret = cli_error(CLI_USAGE, what, "unexpected argument '%s'", a->pos[0]);
    return ret;
}

int cmd_pay(int argc, char **argv)
{
    static const struct {
        const char *name;
        enum posmsg_kind kind;
    } subs[] = {
        {"balance", POSMSG_BALANCE},
        {"preauth", POSMSG_PREAUTH},
        {"complete", POSMSG_COMPLETION},
        {"cancel", POSMSG_PREAUTH_CANCEL},
    };
    struct termcli_args a;
    enum posmsg_kind k = POSMSG_PURCHASE;
    int first = 1, ret;
    size_t i;

    if (cli_wants_help(argc, argv)) {
        pay_usage(stdout, "pay");
        return CLI_OK;
    }
    if (argc > 1 && strncmp(argv[1], "--", 2) != 0) {
        for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
            if (strcmp(argv[1], subs[i].name) == 0)
                break;
        if (i == sizeof(subs) / sizeof(subs[0]))
            return cli_error(CLI_USAGE, "pay", "unknown subcommand '%s'", argv[1]);
        k = subs[i].kind;
        first = 2;
    }
    if ((ret = pay_parse("pay", argc, argv, first, &a)) != CLI_OK)
        return ret;
    return pay_op("pay", k, &a);
}

int cmd_void(int argc, char **argv)
{
    struct termcli_args a;
    int ret;

    if (cli_wants_help(argc, argv)) {
        pay_usage(stdout, "void");
        return CLI_OK;
    }
    if ((ret = pay_parse("void", argc, argv, 1, &a)) != CLI_OK)
        return ret;
    return pay_op("void", POSMSG_VOID, &a);
}

int cmd_refund(int argc, char **argv)
{
    struct termcli_args a;
    int ret;

    if (cli_wants_help(argc, argv)) {
        pay_usage(stdout, "refund");
        return CLI_OK;
    }
    if ((ret = pay_parse("refund", argc, argv, 1, &a)) != CLI_OK)
        return ret;
    return pay_op("refund", POSMSG_REFUND, &a);
}

/* pos reversal flush / pos saf flush */
static int pay_flush(const char *what, int argc, char **argv, bool saf)
{
    struct termcli_args a;
    struct pos_errdetail d;
    struct store *db = NULL;
    struct payclient *pc = NULL;
    const struct currency *cur;
    json_t *j;
    int n = 0, rc, ret;

    pos_errdetail_init(&d);
    if (cli_wants_help(argc, argv)) {
        pay_usage(stdout, saf ? "saf" : "reversal");
        return CLI_OK;
    }
    if (argc < 2 || strcmp(argv[1], "flush") != 0)
        return cli_error(CLI_USAGE, what, "usage: pos %s flush", saf ? "saf" : "reversal");
    if ((ret = pay_parse(what, argc, argv, 2, &a)) != CLI_OK)
        return ret;
    if ((ret = paycli_open(what, a.db, termcli_get(&a, pay_opts, "--lmk"),
                           termcli_get(&a, pay_opts, "--host"), &db, &pc, &cur)) != CLI_OK)
        return ret;
    rc = saf ? payclient_flush_saf(pc, &n, &d) : payclient_flush_reversals(pc, &n, &d);
    if (rc != POS_OK) {
        ret = paycli_fail(what, rc, &d);
    } else {
        j = json_object();
        if (j != NULL)
            json_object_set_new(j, saf ? "uploaded" : "reversed", json_integer(n));
        ret = cli_print_json(j);
    }
    payclient_close(pc);
    tstore_close(db);
    return ret;
}

int cmd_reversal(int argc, char **argv)
{
    return pay_flush("reversal", argc, argv, false);
}

int cmd_saf(int argc, char **argv)
{
    return pay_flush("saf", argc, argv, true);
}
