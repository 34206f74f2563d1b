/* pos terminal init|status: the payment identity of this terminal
 * (docs/payments.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "hex.h"
#include "mem.h"
#include "paycli.h"
#include "termcli.h"
#include "term/tstore.h"

static const struct termcli_opt term_opts[] = {
    {"--provision", TERMCLI_VALUE}, {"--ktk", TERMCLI_VALUE}, {"--host", TERMCLI_VALUE},
    {"--lmk", TERMCLI_VALUE},       {NULL, TERMCLI_VALUE},
};

static void term_usage(FILE *f)
{
    fprintf(f, "usage: pos terminal init --provision FILE --ktk FILE --host HOST:PORT"
               " [--db PATH] [--lmk FILE]\n"
               "       pos terminal status [--db PATH]\n"
               "       pos terminal set pay.floor_limit|pay.timeout_ms VALUE [--db PATH]\n"
               "         (floor limit in minor units, 0 = no offline approvals;"
               " timeout in ms)\n"
               "The LMK (--lmk FILE, created 0600 if missing, or $POS_LMK) keeps the keys.\n");
}

/* Reads a small file (at most cap-1 bytes) into buf, NUL-terminated. */
static int term_read(const char *what, const char *path, char *buf, size_t cap, size_t *len)
{
    FILE *f = fopen(path, "rb");
    size_t n;

    if (f == NULL)
        return cli_error(CLI_USAGE, what, "cannot open %s", path);
    n = fread(buf, 1, cap - 1, f);
    if (!feof(f)) {
        fclose(f);
        return cli_error(CLI_USAGE, what, "%s is too large", path);
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return CLI_OK;
}

static json_t *term_status_json(const struct payclient_status *st)
{
    json_t *j = json_object();

    if (j == NULL)
        return NULL;
    json_object_set_new(j, "tid", json_string(st->id.tid));
    json_object_set_new(j, "mid", json_string(st->id.mid));
    json_object_set_new(j, "merchant_name", json_string(st->id.merchant_name));
    json_object_set_new(j, "currency", json_string(st->id.currency));
    json_object_set_new(j, "dialect", json_string(st->id.dialect));
    json_object_set_new(j, "scheme", json_string(st->id.scheme));
    json_object_set_new(j, "host", json_string(st->id.host));
    json_object_set_new(j, "batch", json_integer(st->id.batch));
    json_object_set_new(j, "stan", json_integer(st->id.stan));
    json_object_set_new(j, "key_kcv", json_string(st->id.key_kcv));
    if (st->id.ksn[0] != '\0')
        json_object_set_new(j, "ksn", json_string(st->id.ksn));
    json_object_set_new(j, "pending_reversals", json_integer(st->pending_reversals));
    json_object_set_new(j, "saf", json_integer(st->saf_count));
    json_object_set_new(j, "batch_count", json_integer(st->batch_count));
    return j;
}

static int term_init(int argc, char **argv)
{
    const char *what = "terminal init";
    struct termcli_args a;
    struct pos_errdetail d;
    struct store *db = NULL;
    struct payclient *pc = NULL;
    struct payclient_status st;
    struct payclient_result res;
    struct lmk l;
    const char *prov, *ktkf, *host;
    char *json = NULL, ktkhex[128];
    uint8_t ktk[16];
    size_t n = 0, kn = 0;
    json_t *j;
    int rc, ret;

    memset(&l, 0, sizeof(l));
    memset(ktk, 0, sizeof(ktk));
    pos_errdetail_init(&d);
    if ((ret = termcli_parse(what, argc, argv, 2, term_opts, &a)) != CLI_OK)
        goto out;
    prov = termcli_get(&a, term_opts, "--provision");
    ktkf = termcli_get(&a, term_opts, "--ktk");
    host = termcli_get(&a, term_opts, "--host");
    if (prov == NULL || ktkf == NULL || host == NULL) {
        ret = cli_error(CLI_USAGE, what, "--provision, --ktk and --host are required");
        goto out;
    }
    if ((json = malloc(65536)) == NULL) {
        ret = cli_error(CLI_FAILED, what, "out of memory");
        goto out;
    }
    if ((ret = term_read(what, prov, json, 65536, &n)) != CLI_OK ||
        (ret = term_read(what, ktkf, ktkhex, sizeof(ktkhex), &kn)) != CLI_OK)
        goto out;
    while (kn > 0 && (ktkhex[kn - 1] == '\n' || ktkhex[kn - 1] == '\r' || ktkhex[kn - 1] == ' '))
        kn--;
    if (pos_hex_decode(ktkhex, kn, ktk, sizeof(ktk), &kn) != POS_OK || kn != sizeof(ktk)) {
        ret = cli_error(CLI_USAGE, what, "the KTK file must hold 32 hex digits");
        goto out;
    }
    if ((ret = paycli_lmk(what, termcli_get(&a, term_opts, "--lmk"), true, &l)) != CLI_OK)
        goto out;
    if ((rc = tstore_open(tstore_path(a.db), &db, &d)) != POS_OK ||
        (rc = payclient_provision(db, &l, json, n, ktk, sizeof(ktk), host, &d)) != POS_OK ||
        (rc = payclient_open(db, &l, &pc, &d)) != POS_OK) {
        ret = paycli_fail(what, rc, &d);
        goto out;
    }
    pos_errdetail_init(&d);
    rc = payclient_signon(pc, &res, &d);
    if ((rc = payclient_status(db, &st, &d)) != POS_OK) {
        ret = paycli_fail(what, rc, &d);
        goto out;
    }
    j = term_status_json(&st);
    if (j != NULL)
        json_object_set_new(j, "signed_on", json_boolean(strcmp(res.status, "approved") == 0));
    ret = cli_print_json(j);
out:
    pos_wipe(ktk, sizeof(ktk));
    pos_wipe(ktkhex, sizeof(ktkhex));
    lmk_clear(&l);
    payclient_close(pc);
    tstore_close(db);
    free(json);
    return ret;
}

static int term_status(int argc, char **argv)
{
    const char *what = "terminal status";
    struct termcli_args a;
    struct pos_errdetail d;
    struct store *db = NULL;
    struct payclient_status st;
    int rc, ret;

    pos_errdetail_init(&d);
    if ((ret = termcli_parse(what, argc, argv, 2, term_opts, &a)) != CLI_OK)
        return ret;
    if ((rc = tstore_open(tstore_path(a.db), &db, &d)) != POS_OK ||
        (rc = payclient_status(db, &st, &d)) != POS_OK)
        ret = paycli_fail(what, rc, &d);
    else
        ret = cli_print_json(term_status_json(&st));
    tstore_close(db);
    return ret;
}

static int term_set(int argc, char **argv)
{
    const char *what = "terminal set";
    struct termcli_args a;
    struct store *db = NULL;
    struct pos_errdetail d;
    int64_t v = 0;
    int rc, ret;

    pos_errdetail_init(&d);
    if ((ret = termcli_parse(what, argc, argv, 2, term_opts, &a)) != CLI_OK)
        return ret;
    if (a.npos != 2)
        return cli_error(CLI_USAGE, what, "usage: pos terminal set KEY VALUE");
    if (strcmp(a.pos[0], "pay.floor_limit") != 0 && strcmp(a.pos[0], "pay.timeout_ms") != 0)
        return cli_error(CLI_USAGE, what, "unknown setting '%s' (pay.floor_limit, pay.timeout_ms)",
                         a.pos[0]);
    if ((ret = termcli_int(what, a.pos[0], a.pos[1],
                           strcmp(a.pos[0], "pay.timeout_ms") == 0 ? 1 : 0,
                           strcmp(a.pos[0], "pay.timeout_ms") == 0 ? 600000 : 999999999999LL,
                           &v)) != CLI_OK)
        return ret;
    if ((rc = tstore_open(tstore_path(a.db), &db, &d)) != POS_OK ||
        (rc = tstore_setting_set(db, a.pos[0], a.pos[1])) != POS_OK) {
        ret = paycli_fail(what, rc, &d);
    } else {
        json_t *j = json_object();

        if (j != NULL)
            json_object_set_new(j, a.pos[0], json_integer(v));
        ret = cli_print_json(j);
    }
    tstore_close(db);
    return ret;
}

int cmd_terminal(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        term_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "init") == 0)
        return term_init(argc, argv);
    if (strcmp(argv[1], "status") == 0)
        return term_status(argc, argv);
    if (strcmp(argv[1], "set") == 0)
        return term_set(argc, argv);
    return cli_error(CLI_USAGE, "terminal", "unknown subcommand '%s'", argv[1]);
}
