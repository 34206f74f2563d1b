/* pos settle: end of day for the terminal's batch (docs/payments.md). */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "paycli.h"
#include "termcli.h"
#include "term/tstore.h"

static const struct termcli_opt settle_opts[] = {
    {"--lmk", TERMCLI_VALUE},
    {"--host", TERMCLI_VALUE},
    {NULL, TERMCLI_VALUE},
};

int cmd_settle(int argc, char **argv)
{
    const char *what = "settle";
    struct termcli_args a;
    struct pos_errdetail d;
    struct payclient_settle_result res;
    struct store *db = NULL;
    struct payclient *pc = NULL;
    const struct currency *cur;
    json_t *j;
    int rc, ret;

    if (cli_wants_help(argc, argv)) {
        printf("usage: pos settle [--db PATH] [--lmk FILE] [--host HOST:PORT]\n"
               "Sends the batch totals (0500); uploads the batch (0320) when the host's differ.\n");
        return CLI_OK;
    }
    pos_errdetail_init(&d);
    if ((ret = termcli_parse(what, argc, argv, 1, settle_opts, &a)) != CLI_OK)
        return ret;
    if (a.npos > 0)
        return cli_error(CLI_USAGE, what, "unexpected argument '%s'", a.pos[0]);
    if ((ret = paycli_open(what, a.db, termcli_get(&a, settle_opts, "--lmk"),
                           termcli_get(&a, settle_opts, "--host"), &db, &pc, &cur)) != CLI_OK)
        return ret;
    rc = payclient_settle(pc, &res, &d);
    if (rc != POS_OK) {
        ret = paycli_fail(what, rc, &d);
        goto out;
    }
    j = json_object();
    if (j != NULL) {
        json_object_set_new(j, "batch", json_integer(res.batch));
        json_object_set_new(j, "balanced", json_boolean(res.balanced));
        json_object_set_new(j, "uploaded", json_boolean(res.uploaded));
        json_object_set_new(j, "upload_count", json_integer(res.upload_count));
        json_object_set_new(j, "debit_count", json_integer(res.totals.debit_count));
        json_object_set_new(j, "debit_amount", termcli_money_json(res.totals.debit_amount, cur));
        json_object_set_new(j, "credit_count", json_integer(res.totals.credit_count));
        json_object_set_new(j, "credit_amount", termcli_money_json(res.totals.credit_amount, cur));
        json_object_set_new(j, "new_batch", json_integer(res.new_batch));
        json_object_set_new(j, "reversals_sent", json_integer(res.reversals_sent));
    }
    ret = cli_print_json(j);
    if (ret == CLI_OK && !res.balanced)
        ret = cli_error(CLI_FAILED, what, "batch %u not balanced after the upload",
                        (unsigned)res.batch);
out:
    payclient_close(pc);
    tstore_close(db);
    return ret;
}
