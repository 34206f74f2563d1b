/* paycli: shared helpers of the payment commands. */
#include "paycli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "cli.h"
#include "error.h"
#include "termcli.h"
#include "term/tstore.h"

int paycli_fail(const char *what, int rc, const struct pos_errdetail *d)
{
    int code;

    switch (rc) {
    case POS_ERR_INVAL:
    case POS_ERR_RANGE:
    case POS_ERR_SYNTAX:
    case POS_ERR_DIGIT:
    case POS_ERR_CURRENCY:
    case POS_ERR_CARD_LUHN:
    case POS_ERR_CARD_PAN:
    case POS_ERR_CARD_TRACK:
    case POS_ERR_CARD_EXPIRY:
    case POS_ERR_PIN_LENGTH:
    case POS_ERR_HEX:
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

int paycli_lmk(const char *what, const char *file, bool create, struct lmk *l)
{
    struct pos_errdetail d;
    struct stat sb;
    int rc;

    pos_errdetail_init(&d);
    if (file != NULL) {
        if (create && stat(file, &sb) != 0 && errno == ENOENT)
            rc = lmk_create_file(l, file, &d);
        else
            rc = lmk_load_file(l, file, &d);
    } else {
        rc = lmk_load_env(l, NULL, &d);
        if (rc == POS_ERR_NOT_FOUND)
            return cli_error(CLI_USAGE, what, "the terminal LMK is needed: --lmk FILE or $POS_LMK");
    }
    if (rc != POS_OK)
        return paycli_fail(what, rc, &d);
    return CLI_OK;
}

int paycli_open(const char *what, const char *dbpath, const char *lmkfile, const char *host,
                struct store **db, struct payclient **pc, const struct currency **cur)
{
    struct pos_errdetail d;
    struct payclient_status st;
    struct lmk l;
    int rc, ret = CLI_OK;

    memset(&l, 0, sizeof(l));
    *db = NULL;
    *pc = NULL;
    pos_errdetail_init(&d);
    if ((ret = paycli_lmk(what, lmkfile, false, &l)) != CLI_OK)
        goto out;
    if ((rc = tstore_open(tstore_path(dbpath), db, &d)) != POS_OK) {
        ret = paycli_fail(what, rc, &d);
        goto out;
    }
    if ((rc = payclient_status(*db, &st, &d)) != POS_OK ||
        (rc = payclient_open(*db, &l, pc, &d)) != POS_OK) {
        ret = paycli_fail(what, rc, &d);
        goto out;
    }
    *cur = money_currency_by_numeric((unsigned)strtoul(st.id.currency, NULL, 10));
    if (*cur == NULL) {
        ret = cli_error(CLI_FAILED, what, "unknown terminal currency");
        goto out;
    }
    if (host != NULL && payclient_set_host(*pc, host) != POS_OK)
        ret = cli_error(CLI_USAGE, what, "--host must be HOST:PORT");
out:
    lmk_clear(&l);
    if (ret != CLI_OK) {
        payclient_close(*pc);
        tstore_close(*db);
        *pc = NULL;
        *db = NULL;
    }
    return ret;
}

int paycli_print_result(const char *what, const struct payclient_result *r,
                        const struct currency *cur)
{
    json_t *j = json_object();
    bool ok = strcmp(r->status, "approved") == 0 || strcmp(r->status, "offline") == 0;

    if (j == NULL)
        return CLI_FAILED;
    json_object_set_new(j, "status", json_string(r->status));
    json_object_set_new(j, "rc", json_string(r->rc));
    json_object_set_new(j, "rrn", json_string(r->rrn));
    json_object_set_new(j, "auth", json_string(r->auth));
    json_object_set_new(j, "pan", json_string(r->pan_masked));
    json_object_set_new(j, "stan", json_integer(r->stan));
    json_object_set_new(j, "batch", json_integer(r->batch));
    json_object_set_new(j, "amount", termcli_money_json(r->amount, cur));
    json_object_set_new(j, "currency", json_string(cur->alpha));
    if (r->has_balance)
        json_object_set_new(j, "balance", termcli_money_json(r->balance, cur));
    json_object_set_new(j, "reversals_sent", json_integer(r->reversals_sent));
    cli_print_json(j);
    if (ok)
        return CLI_OK;
    return cli_error(CLI_FAILED, what, "declined: response code %s", r->rc);
}
