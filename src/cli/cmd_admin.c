/*
 * pos admin: administer a host's database (docs/admin.md, src/host/admin.h).
 *
 *   pos admin --db PATH [--lmk FILE | --lmk-env VAR] [--actor NAME] COMMAND ...
 *
 * Queries print JSON; changes print the changed object as JSON. Errors are
 * one line `pos: admin: <command>: <why>`; exit 0 success, 1 a refused or
 * failed operation (duplicate, wrong state, wrong LMK, unsound books,
 * database failure), 2 bad usage or bad input (nothing is changed).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "crypto/lmk.h"
#include "error.h"
#include "hex.h"
#include "host/admin.h"
#include "mem.h"

enum adm_opt {
    O_MID,
    O_NAME,
    O_CITY,
    O_MCC,
    O_CURRENCY,
    O_MDR,
    O_PAYOUT,
    O_TID,
    O_DIALECT,
    O_SCHEME,
    O_HOST,
    O_OUT,
    O_KIND,
    O_CREDIT,
    O_ACCOUNT,
    O_PIN,
    O_BIN,
    O_DAILY,
    O_SC,
    O_PANLEN,
    O_YEARS,
    O_CARD,
    O_PAN,
    O_AMOUNT,
    O_TERMINAL,
    O_MERCHANT,
    O_LIMIT,
    O_KTK_OUT,
    O__COUNT
};

#define M(o) (1u << (o))

static const struct option adm_long[] = {
    {"mid", required_argument, NULL, O_MID},
    {"name", required_argument, NULL, O_NAME},
    {"city", required_argument, NULL, O_CITY},
    {"mcc", required_argument, NULL, O_MCC},
    {"currency", required_argument, NULL, O_CURRENCY},
    {"mdr", required_argument, NULL, O_MDR},
    {"payout", required_argument, NULL, O_PAYOUT},
    {"tid", required_argument, NULL, O_TID},
    {"dialect", required_argument, NULL, O_DIALECT},
    {"key-scheme", required_argument, NULL, O_SCHEME},
    {"host", required_argument, NULL, O_HOST},
    {"out", required_argument, NULL, O_OUT},
    {"kind", required_argument, NULL, O_KIND},
    {"credit-limit", required_argument, NULL, O_CREDIT},
    {"account", required_argument, NULL, O_ACCOUNT},
    {"pin", required_argument, NULL, O_PIN},
    {"bin", required_argument, NULL, O_BIN},
    {"daily-limit", required_argument, NULL, O_DAILY},
    {"service-code", required_argument, NULL, O_SC},
    {"pan-length", required_argument, NULL, O_PANLEN},
    {"years", required_argument, NULL, O_YEARS},
    {"card", required_argument, NULL, O_CARD},
    {"pan", required_argument, NULL, O_PAN},
    {"amount", required_argument, NULL, O_AMOUNT},
    {"terminal", required_argument, NULL, O_TERMINAL},
    {"merchant", required_argument, NULL, O_MERCHANT},
    {"limit", required_argument, NULL, O_LIMIT},
    {"ktk-out", required_argument, NULL, O_KTK_OUT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct adm_ctx {
    const char *db;
    const char *lmk_file;
    const char *lmk_env;
    const char *actor;
    struct lmk lmk;
    bool have_lmk;
    bool lmk_created; /* init made the LMK file */
};

struct adm_args {
    const char *what; /* "merchant add" */
    const char *v[O__COUNT];
    const char *pos; /* the positional argument, if any */
};

struct adm_cmd {
    const char *group; /* "merchant", or NULL for a top-level command */
    const char *name;  /* "add" */
    unsigned allowed;  /* options it takes */
    unsigned required; /* options it needs */
    int positional;    /* 0 none, 1 optional, 2 required */
    int (*run)(struct adm_ctx *c, struct adm_args *a);
    const char *usage;
};

/* ---- errors and helpers ---------------------------------------------------- */

/* Exit 2 for input errors (nothing changed), 1 for refused or failed work. */
static int adm_exit_of(int rc)
{
    switch (rc) {
    case POS_ERR_INVAL:
    case POS_ERR_SYNTAX:
    case POS_ERR_DIGIT:
    case POS_ERR_LENGTH:
    case POS_ERR_RANGE:
    case POS_ERR_OVERFLOW:
    case POS_ERR_HEX:
    case POS_ERR_CURRENCY:
    case POS_ERR_CARD_PAN:
    case POS_ERR_CARD_LUHN:
    case POS_ERR_PIN_LENGTH:
    case POS_ERR_NOT_FOUND:
    case POS_ERR_KEY:
    case POS_ERR_KEY_LENGTH:
    case POS_ERR_IO:
        return CLI_USAGE;
    default:
        return CLI_FAILED;
    }
}

static int adm_fail(const char *what, int rc, const struct pos_errdetail *d)
{
    char buf[256];

    pos_errdetail_format(rc, d, buf, sizeof(buf));
    return cli_error(adm_exit_of(rc), "admin", "%s: %s", what, buf);
}

/* A positive row id from text. */
static int adm_id(const char *what, const char *opt, const char *text, int64_t *id)
{
    uint64_t v = 0;
    size_t n = text != NULL ? strlen(text) : 0;

    if (n == 0 || n > 18 || pos_parse_digits_u64(text, n, &v) != POS_OK || v == 0)
        return cli_error(CLI_USAGE, "admin", "%s: %s must be a positive number", what, opt);
    *id = (int64_t)v;
    return CLI_OK;
}

/* A small positive number (--limit, --years, --pan-length) or 0 when absent. */
static int adm_num(const char *what, const char *opt, const char *text, int64_t max, int64_t *v)
{
    *v = 0;
    if (text == NULL)
        return CLI_OK;
    if (adm_id(what, opt, text, v) != CLI_OK)
        return CLI_USAGE;
    if (*v > max)
        return cli_error(CLI_USAGE, "admin", "%s: %s must be at most %lld", what, opt,
                         (long long)max);
    return CLI_OK;
}

/* The PIN from the option, or for "-" from the first line of stdin, into
 * pin (13 bytes). NULL when no --pin was given. */
static int adm_pin(const struct adm_args *a, char *pin, const char **out)
{
    const char *p = a->v[O_PIN];
    size_t n;

    *out = NULL;
    if (p == NULL)
        return CLI_OK;
    if (strcmp(p, "-") == 0) {
        char line[64];
        if (fgets(line, sizeof(line), stdin) == NULL)
            return cli_error(CLI_USAGE, "admin", "%s: --pin -: no PIN on standard input", a->what);
        n = strcspn(line, "\r\n");
        line[n] = '\0';
        p = line;
        if (n > 12) {
            pos_wipe(line, sizeof(line));
            return cli_error(CLI_USAGE, "admin", "%s: the PIN must have 4 to 12 digits", a->what);
        }
        memcpy(pin, line, n + 1);
        pos_wipe(line, sizeof(line));
    } else {
        n = strlen(p);
        if (n > 12)
            return cli_error(CLI_USAGE, "admin", "%s: the PIN must have 4 to 12 digits", a->what);
        memcpy(pin, p, n + 1);
    }
    *out = pin;
    return CLI_OK;
}

/* Is the default LMK variable set (and not empty)? */
static bool adm_env_lmk(void)
{
    const char *v = getenv(LMK_ENV_DEFAULT);

    return v != NULL && v[0] != '\0';
}

static int adm_load_lmk(struct adm_ctx *c, bool create)
{
    struct pos_errdetail d;
    struct stat sb;
    int rc = POS_OK;

    pos_errdetail_init(&d);
    if (c->lmk_file != NULL) {
        if (create && lstat(c->lmk_file, &sb) != 0 && errno == ENOENT) {
            rc = lmk_create_file(&c->lmk, c->lmk_file, &d);
            c->lmk_created = rc == POS_OK;
        } else {
            rc = lmk_load_file(&c->lmk, c->lmk_file, &d);
        }
    } else if (c->lmk_env != NULL || adm_env_lmk()) {
        rc = lmk_load_env(&c->lmk, c->lmk_env, &d);
    } else {
        return CLI_OK;
    }
    if (rc != POS_OK)
        return cli_error(CLI_USAGE, "admin", "%s: %s", c->lmk_file != NULL ? "--lmk" : "--lmk-env",
                         pos_errdetail_format(rc, &d, (char[256]){0}, 256));
    c->have_lmk = true;
    return CLI_OK;
}

static int adm_open(struct adm_ctx *c, const char *what, struct admin **a)
{
    struct admin_options o;
    struct pos_errdetail d;
    int rc;

    pos_errdetail_init(&d);
    memset(&o, 0, sizeof(o));
    o.actor = c->actor;
    rc = adm_load_lmk(c, false);
    if (rc != CLI_OK)
        return rc;
    rc = admin_open(c->db, c->have_lmk ? &c->lmk : NULL, &o, a, &d);
    if (rc != POS_OK)
        return adm_fail(what, rc, &d);
    return CLI_OK;
}

/* Runs a query or change that yields JSON and prints it. */
static int adm_print(const char *what, int rc, json_t *j, const struct pos_errdetail *d)
{
    if (rc != POS_OK) {
        json_decref(j);
        return adm_fail(what, rc, d);
    }
    return cli_print_json(j);
}

/* The card named by --card ID, --pan PAN or the positional ID. */
static int adm_card_id(struct admin *adm, struct adm_args *a, int64_t *id)
{
    struct pos_errdetail d;
    int rc, n = (a->v[O_CARD] != NULL) + (a->v[O_PAN] != NULL) + (a->pos != NULL);

    if (n != 1)
        return cli_error(CLI_USAGE, "admin", "%s: name the card once: --card ID, --pan PAN or ID",
                         a->what);
    if (a->v[O_PAN] == NULL)
        return adm_id(a->what, "the card", a->v[O_CARD] != NULL ? a->v[O_CARD] : a->pos, id);
    pos_errdetail_init(&d);
    rc = admin_card_find(adm, a->v[O_PAN], id, &d);
    return rc == POS_OK ? CLI_OK : adm_fail(a->what, rc, &d);
}

/* ---- init ------------------------------------------------------------------ */

static int adm_init(struct adm_ctx *c, struct adm_args *a)
{
    struct admin_init_params p;
    struct admin_options o;
    struct pos_errdetail d;
    char *ktk = NULL;
    json_t *sum = NULL;
    size_t n;
    int rc;

    if (c->lmk_file == NULL && c->lmk_env == NULL && !adm_env_lmk())
        return cli_error(CLI_USAGE, "admin",
                         "init: needs --lmk FILE (created when missing) or"
                         " --lmk-env VAR");
    pos_errdetail_init(&d);
    memset(&o, 0, sizeof(o));
    memset(&p, 0, sizeof(p));
    o.actor = c->actor;
    p.currency = a->v[O_CURRENCY];
    p.ktk_out = a->v[O_KTK_OUT];
    if (p.ktk_out == NULL) {
        n = strlen(c->db) + 5;
        ktk = malloc(n);
        if (ktk == NULL)
            return cli_error(CLI_FAILED, "admin", "init: out of memory");
        snprintf(ktk, n, "%s.ktk", c->db);
        p.ktk_out = ktk;
    }
    rc = adm_load_lmk(c, true);
    if (rc != CLI_OK) {
        free(ktk);
        return rc;
    }
    rc = admin_init(c->db, &c->lmk, &o, &p, &sum, &d);
    if (rc != POS_OK && c->lmk_created)
        unlink(c->lmk_file);
    if (rc == POS_OK && c->lmk_created)
        json_object_set_new(sum, "lmk_file", json_string(c->lmk_file));
    free(ktk);
    return adm_print("init", rc, sum, &d);
}

/* ---- merchants and terminals ----------------------------------------------- */

static int adm_merchant_add(struct adm_ctx *c, struct adm_args *a)
{
    struct admin_merchant m = {a->v[O_MID],      a->v[O_NAME], a->v[O_CITY],  a->v[O_MCC],
                               a->v[O_CURRENCY], a->v[O_MDR],  a->v[O_PAYOUT]};
    struct pos_errdetail d;
    struct admin *adm = NULL;
    json_t *j = NULL;
    int rc;

    rc = adm_open(c, a->what, &adm);
    if (rc != CLI_OK)
        return rc;
    pos_errdetail_init(&d);
    rc = admin_merchant_add(adm, &m, &j, &d);
    admin_close(adm);
    return adm_print(a->what, rc, j, &d);
}

/* list, show, suspend, resume of merchants and terminals. */
static int adm_party(struct adm_ctx *c, struct adm_args *a)
{
    bool merchant = strncmp(a->what, "merchant", 8) == 0;
    const char *verb = strchr(a->what, ' ') + 1;
    struct pos_errdetail d;
    struct admin *adm = NULL;
    json_t *j = NULL;
    int rc;

    rc = adm_open(c, a->what, &adm);
    if (rc != CLI_OK)
        return rc;
    pos_errdetail_init(&d);
    if (strcmp(verb, "list") == 0)
        rc = merchant ? admin_merchant_list(adm, &j) : admin_terminal_list(adm, &j);
    else if (strcmp(verb, "show") == 0)
        rc = merchant ? admin_merchant_show(adm, a->pos, &j, &d)
                      : admin_terminal_show(adm, a->pos, &j, &d);
    else
        rc = merchant ? admin_merchant_set_active(adm, a->pos, verb[0] == 'r', &j, &d)
                      : admin_terminal_set_active(adm, a->pos, verb[0] == 'r', &j, &d);
    admin_close(adm);
    return adm_print(a->what, rc, j, &d);
}

/* Writes j and a newline to the already created file fd. */
static int adm_write_json(int fd, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
    size_t n, off = 0;
    ssize_t w;
    int rc = 0;

    if (s == NULL)
        return -1;
    n = strlen(s);
    s[n] = '\n';
    while (off < n + 1 && rc == 0) {
        w = write(fd, s + off, n + 1 - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            rc = -1;
        else
            off += (size_t)w;
    }
    s[n] = '\0';
    free(s);
    if (rc == 0 && fsync(fd) != 0)
        rc = -1;
    return rc;
}

/* The provisioning file j into the new file fd (out), replaced in *j by a
 * short summary. Returns CLI_OK or CLI_FAILED (the terminal exists). */
static int adm_provision_file(struct adm_args *a, const char *out, int fd, json_t **j)
{
    json_t *sum;

    if (adm_write_json(fd, *j) != 0)
        return cli_error(CLI_FAILED, "admin", "%s: --out %s: %s (the terminal was added)", a->what,
                         out, strerror(errno));
    sum = json_pack("{s:s,s:s,s:O,s:O}", "tid", a->v[O_TID], "provision_file", out, "kcv",
                    json_object_get(json_object_get(*j, "key"), "kcv"), "ktk_kcv",
                    json_object_get(*j, "ktk_kcv"));
    json_decref(*j);
    *j = sum;
    return CLI_OK;
}

static int adm_terminal_add(struct adm_ctx *c, struct adm_args *a)
{
    struct admin_terminal t = {a->v[O_TID], a->v[O_MID], a->v[O_DIALECT], a->v[O_SCHEME],
                               a->v[O_HOST]};
    const char *out = a->v[O_OUT];
    struct pos_errdetail d;
    struct admin *adm = NULL;
    json_t *j = NULL;
    int rc, fd = -1;

    rc = adm_open(c, a->what, &adm);
    if (rc != CLI_OK)
        return rc;
    /* the file first: an unusable --out refuses before anything changes */
    if (out != NULL) {
        fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) {
            rc = cli_error(CLI_USAGE, "admin", "%s: --out %s: %s", a->what, out, strerror(errno));
            goto out;
        }
    }
    pos_errdetail_init(&d);
    rc = admin_terminal_add(adm, &t, &j, &d);
    if (rc != POS_OK) {
        rc = adm_fail(a->what, rc, &d);
        if (fd >= 0)
            unlink(out);
        goto out;
    }
    if (fd >= 0)
        rc = adm_provision_file(a, out, fd, &j);
    if (rc == CLI_OK) {
        rc = cli_print_json(j);
        j = NULL;
    }
out:
    if (fd >= 0)
        close(fd);
    json_decref(j);
    admin_close(adm);
    return rc;
}

/* ---- accounts and cards ---------------------------------------------------- */

static int adm_account(struct adm_ctx *c, struct adm_args *a)
{
    struct admin_account p = {a->v[O_KIND], a->v[O_NAME], a->v[O_CURRENCY], a->v[O_CREDIT]};
    struct pos_errdetail d;
    struct admin *adm = NULL;
    json_t *j = NULL;
    int64_t id = 0;
    int rc;

    if (a->pos != NULL && adm_id(a->what, "the account", a->pos, &id) != CLI_OK)
        return CLI_USAGE;
    rc = adm_open(c, a->what, &adm);
    if (rc != CLI_OK)
        return rc;
    pos_errdetail_init(&d);
    if (strcmp(a->what, "account add") == 0)
        rc = admin_account_add(adm, &p, &j, &d);
    else
        rc = admin_account_show(adm, id, &j, &d);
    admin_close(adm);
    return adm_print(a->what, rc, j, &d);
}

#define ADM_WARNING "shown once: the host keeps no copy of the PAN, PIN, CVV2 or track 2"

static int adm_card_issue(struct adm_ctx *c, struct adm_args *a)
{
    struct admin_card_issue p;
    struct issuer_card card;
    struct pos_errdetail d;
    struct admin *adm = NULL;
    char pin[13];
    int64_t years = 0, panlen = 0;
    int rc;

    memset(&p, 0, sizeof(p));
    memset(&card, 0, sizeof(card));
    memset(pin, 0, sizeof(pin));
    if (adm_id(a->what, "--account", a->v[O_ACCOUNT], &p.account_id) != CLI_OK ||
        adm_num(a->what, "--years", a->v[O_YEARS], ISSUER_YEARS_MAX, &years) != CLI_OK ||
        adm_num(a->what, "--pan-length", a->v[O_PANLEN], 19, &panlen) != CLI_OK ||
        adm_pin(a, pin, &p.pin) != CLI_OK)
        return CLI_USAGE;
    p.bin = a->v[O_BIN];
    p.service_code = a->v[O_SC];
    p.daily_limit = a->v[O_DAILY];
    p.years = (unsigned)years;
    p.pan_len = (size_t)panlen;
    rc = adm_open(c, a->what, &adm);
    if (rc == CLI_OK) {
        pos_errdetail_init(&d);
        rc = admin_card_issue(adm, &p, &card, &d);
        admin_close(adm);
        if (rc != POS_OK)
            rc = adm_fail(a->what, rc, &d);
        else
            printf("{\"card_id\":%lld,\"account_id\":%lld,\"pan\":\"%s\",\"pan_masked\":\"%s\","
                   "\"expiry\":\"%s\",\"service_code\":\"%s\",\"pin\":\"%s\",\"cvv2\":\"%s\","
                   "\"track2\":\"%s\",\"pvki\":%d,\"warning\":\"%s\"}\n",
                   (long long)card.id, (long long)card.account_id, card.pan, card.pan_masked,
                   card.expiry, card.service_code, card.pin, card.cvv2, card.track2, ISSUER_PVKI,
                   ADM_WARNING);
        fflush(stdout);
    }
    issuer_card_clear(&card);
    pos_wipe(pin, sizeof(pin));
    return rc;
}

static int adm_card_pin_reset(struct admin *adm, struct adm_args *a, int64_t id)
{
    struct pos_errdetail d;
    char pin[13], out[13];
    const char *given = NULL;
    int rc;

    memset(pin, 0, sizeof(pin));
    memset(out, 0, sizeof(out));
    rc = adm_pin(a, pin, &given);
    if (rc != CLI_OK)
        return rc;
    pos_errdetail_init(&d);
    rc = admin_card_pin_reset(adm, id, given, out, &d);
    if (rc != POS_OK)
        rc = adm_fail(a->what, rc, &d);
    else
        printf("{\"card_id\":%lld,\"pin\":\"%s\",\"warning\":\"%s\"}\n", (long long)id, out,
               "shown once: the host keeps only the PIN's verification value");
    fflush(stdout);
    pos_wipe(pin, sizeof(pin));
    pos_wipe(out, sizeof(out));
    return rc;
}

/* card topup|block|unblock|lost|stolen|close|pin-reset|limit|show|txns|find */
static int adm_card(struct adm_ctx *c, struct adm_args *a)
{
    const char *verb = a->what + 5;
    struct admin_txn_filter f;
    struct pos_errdetail d;
    struct admin *adm = NULL;
    json_t *j = NULL;
    int64_t id = 0, limit = 0;
    int rc;

    if (adm_num(a->what, "--limit", a->v[O_LIMIT], ADMIN_TXNS_MAX, &limit) != CLI_OK)
        return CLI_USAGE;
    rc = adm_open(c, a->what, &adm);
    if (rc != CLI_OK)
        return rc;
    rc = adm_card_id(adm, a, &id);
    if (rc != CLI_OK) {
        admin_close(adm);
        return rc;
    }
    pos_errdetail_init(&d);
    if (strcmp(verb, "pin-reset") == 0) {
        rc = adm_card_pin_reset(adm, a, id);
        admin_close(adm);
        return rc;
    }
    if (strcmp(verb, "topup") == 0) {
        rc = admin_card_topup(adm, id, a->v[O_AMOUNT], &j, &d);
    } else if (strcmp(verb, "limit") == 0) {
        rc = admin_card_set_limit(adm, id, a->v[O_DAILY], &j, &d);
    } else if (strcmp(verb, "show") == 0) {
        rc = admin_card_show(adm, id, &j, &d);
    } else if (strcmp(verb, "find") == 0) {
        j = json_pack("{s:I}", "card_id", (json_int_t)id);
    } else if (strcmp(verb, "txns") == 0) {
        memset(&f, 0, sizeof(f));
        f.card_id = id;
        f.limit = limit;
        rc = admin_txns(adm, &f, &j, &d);
    } else {
        rc = admin_card_set_status(adm, id, verb, &j, &d);
    }
    admin_close(adm);
    return adm_print(a->what, rc, j, &d);
}

/* ---- queries --------------------------------------------------------------- */

static int adm_txns(struct adm_ctx *c, struct adm_args *a)
{
    struct admin_txn_filter f;
    struct pos_errdetail d;
    struct admin *adm = NULL;
    json_t *j = NULL;
    int rc;

    memset(&f, 0, sizeof(f));
    f.tid = a->v[O_TERMINAL];
    f.mid = a->v[O_MERCHANT];
    if ((a->v[O_CARD] != NULL && adm_id(a->what, "--card", a->v[O_CARD], &f.card_id) != CLI_OK) ||
        (a->v[O_ACCOUNT] != NULL &&
         adm_id(a->what, "--account", a->v[O_ACCOUNT], &f.account_id) != CLI_OK) ||
        adm_num(a->what, "--limit", a->v[O_LIMIT], ADMIN_TXNS_MAX, &f.limit) != CLI_OK)
        return CLI_USAGE;
    rc = adm_open(c, a->what, &adm);
    if (rc != CLI_OK)
        return rc;
    pos_errdetail_init(&d);
    rc = admin_txns(adm, &f, &j, &d);
    admin_close(adm);
    return adm_print(a->what, rc, j, &d);
}

static int adm_simple(struct adm_ctx *c, struct adm_args *a)
{
    struct pos_errdetail d;
    struct admin *adm = NULL;
    json_t *j = NULL;
    int64_t limit = 0;
    int rc;

    if (adm_num(a->what, "--limit", a->v[O_LIMIT], ADMIN_TXNS_MAX, &limit) != CLI_OK)
        return CLI_USAGE;
    rc = adm_open(c, a->what, &adm);
    if (rc != CLI_OK)
        return rc;
    pos_errdetail_init(&d);
    if (strcmp(a->what, "keys") == 0)
        rc = admin_keys(adm, &j);
    else if (strcmp(a->what, "audit") == 0)
        rc = admin_audit(adm, limit, &j);
    else
        rc = admin_batches(adm, &j);
    admin_close(adm);
    return adm_print(a->what, rc, j, &d);
}

/* What ledger_check found wrong, as one line. */
static void adm_check_why(const struct ledger_check_report *r, char *buf, size_t cap)
{
    size_t off;

    off = (size_t)snprintf(buf, cap, "books not sound: %s", r->first);
#define ADM_WHY(field, label)                                                                      \
    if (r->field != 0 && off < cap)                                                                \
    off += (size_t)snprintf(buf + off, cap - off, "; %lld %s", (long long)r->field, label)
    ADM_WHY(unbalanced_txns, "unbalanced transactions");
    ADM_WHY(total, "total of all postings (not 0)");
    ADM_WHY(balance_mismatches, "cached balances differing from their postings");
    ADM_WHY(held_mismatches, "cached holds differing from the active holds");
    ADM_WHY(currency_mismatches, "postings in a foreign currency");
    ADM_WHY(orphan_reversals, "reversals without their original");
    ADM_WHY(double_reversals, "originals reversed twice");
#undef ADM_WHY
}

static int adm_check(struct adm_ctx *c, struct adm_args *a)
{
    struct ledger_check_report r;
    struct admin *adm = NULL;
    char why[512];
    bool sound;
    int rc;

    rc = adm_open(c, a->what, &adm);
    if (rc != CLI_OK)
        return rc;
    rc = admin_check(adm, &r);
    admin_close(adm);
    if (rc != POS_OK)
        return adm_fail("check", rc, NULL);
    sound = ledger_check_is_sound(&r);
    rc = cli_print_json(json_pack(
        "{s:b,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "sound", sound, "txns", (json_int_t)r.txns,
        "postings", (json_int_t)r.postings, "accounts", (json_int_t)r.accounts, "unbalanced_txns",
        (json_int_t)r.unbalanced_txns, "total", (json_int_t)r.total, "balance_mismatches",
        (json_int_t)r.balance_mismatches, "held_mismatches", (json_int_t)r.held_mismatches,
        "currency_mismatches", (json_int_t)r.currency_mismatches, "orphan_reversals",
        (json_int_t)r.orphan_reversals, "double_reversals", (json_int_t)r.double_reversals));
    if (rc != CLI_OK || sound)
        return rc;
    adm_check_why(&r, why, sizeof(why));
    return cli_error(CLI_FAILED, "admin", "check: %s", why);
}

/* ---- the command table ----------------------------------------------------- */

#define CARD_SEL (M(O_CARD) | M(O_PAN))

static const struct adm_cmd adm_cmds[] = {
    {NULL, "init", M(O_KTK_OUT) | M(O_CURRENCY), 0, 0, adm_init,
     "init [--ktk-out FILE] [--currency CUR]\n"
     "    create the database, the host keys and the funding account; writes the\n"
     "    terminal key-transport key (KTK) once into FILE (default DB.ktk, 0600);\n"
     "    --lmk FILE is created (0600) when it does not exist"},
    {"merchant", "add",
     M(O_MID) | M(O_NAME) | M(O_CITY) | M(O_MCC) | M(O_CURRENCY) | M(O_MDR) | M(O_PAYOUT),
     M(O_MID) | M(O_NAME) | M(O_MCC) | M(O_CURRENCY) | M(O_MDR) | M(O_PAYOUT), 0, adm_merchant_add,
     "merchant add --mid MID --name NAME [--city CITY] --mcc MCC --currency CUR\n"
     "             --mdr BPS --payout ACCOUNT"},
    {"merchant", "list", 0, 0, 0, adm_party, "merchant list"},
    {"merchant", "show", 0, 0, 2, adm_party, "merchant show MID"},
    {"merchant", "suspend", 0, 0, 2, adm_party, "merchant suspend MID"},
    {"merchant", "resume", 0, 0, 2, adm_party, "merchant resume MID"},
    {"terminal", "add", M(O_TID) | M(O_MID) | M(O_DIALECT) | M(O_SCHEME) | M(O_HOST) | M(O_OUT),
     M(O_TID) | M(O_MID) | M(O_DIALECT) | M(O_SCHEME), 0, adm_terminal_add,
     "terminal add --tid TID --mid MID --dialect cup|iso87a|iso87b\n"
     "             --key-scheme mksk-tdes|mksk-sm4|mksk-aes|dukpt-tdes|dukpt-aes\n"
     "             [--host HOST:PORT] [--out FILE]\n"
     "    prints the provisioning file (or writes it to a new FILE, 0600)"},
    {"terminal", "list", 0, 0, 0, adm_party, "terminal list"},
    {"terminal", "show", 0, 0, 2, adm_party, "terminal show TID"},
    {"terminal", "suspend", 0, 0, 2, adm_party, "terminal suspend TID"},
    {"terminal", "resume", 0, 0, 2, adm_party, "terminal resume TID"},
    {"account", "add", M(O_KIND) | M(O_NAME) | M(O_CURRENCY) | M(O_CREDIT),
     M(O_KIND) | M(O_CURRENCY), 0, adm_account,
     "account add --kind debit|credit|prepaid --currency CUR [--name NAME]\n"
     "            [--credit-limit AMOUNT]"},
    {"account", "show", 0, 0, 2, adm_account, "account show ID"},
    {"card", "issue",
     M(O_ACCOUNT) | M(O_PIN) | M(O_BIN) | M(O_DAILY) | M(O_SC) | M(O_PANLEN) | M(O_YEARS),
     M(O_ACCOUNT), 0, adm_card_issue,
     "card issue --account ID [--pin PIN|-] [--bin BIN] [--daily-limit AMOUNT]\n"
     "           [--service-code SSS] [--pan-length N] [--years N]\n"
     "    prints the PAN, expiry, PIN, CVV2 and track 2 ONCE"},
    {"card", "topup", CARD_SEL | M(O_AMOUNT), M(O_AMOUNT), 1, adm_card,
     "card topup (--card ID|--pan PAN|ID) --amount AMOUNT"},
    {"card", "block", CARD_SEL, 0, 1, adm_card, "card block (--card ID|--pan PAN|ID)"},
    {"card", "unblock", CARD_SEL, 0, 1, adm_card, "card unblock (--card ID|--pan PAN|ID)"},
    {"card", "lost", CARD_SEL, 0, 1, adm_card, "card lost (--card ID|--pan PAN|ID)"},
    {"card", "stolen", CARD_SEL, 0, 1, adm_card, "card stolen (--card ID|--pan PAN|ID)"},
    {"card", "close", CARD_SEL, 0, 1, adm_card, "card close (--card ID|--pan PAN|ID)"},
    {"card", "pin-reset", CARD_SEL | M(O_PIN), 0, 1, adm_card,
     "card pin-reset (--card ID|--pan PAN|ID) [--pin PIN|-]"},
    {"card", "limit", CARD_SEL | M(O_DAILY), M(O_DAILY), 1, adm_card,
     "card limit (--card ID|--pan PAN|ID) --daily-limit AMOUNT"},
    {"card", "show", CARD_SEL, 0, 1, adm_card, "card show (--card ID|--pan PAN|ID)"},
    {"card", "txns", CARD_SEL | M(O_LIMIT), 0, 1, adm_card,
     "card txns (--card ID|--pan PAN|ID) [--limit N]"},
    {"card", "find", M(O_PAN), M(O_PAN), 0, adm_card, "card find --pan PAN"},
    {NULL, "txns", M(O_TERMINAL) | M(O_MERCHANT) | M(O_CARD) | M(O_ACCOUNT) | M(O_LIMIT), 0, 0,
     adm_txns, "txns [--terminal TID] [--merchant MID] [--card ID] [--account ID] [--limit N]"},
    {NULL, "batches", 0, 0, 0, adm_simple, "batches\n    open batches with the host's totals"},
    {NULL, "keys", 0, 0, 0, adm_simple, "keys\n    names, usages and check values of the keys"},
    {NULL, "audit", M(O_LIMIT), 0, 0, adm_simple, "audit [--limit N]"},
    {NULL, "check", 0, 0, 0, adm_check,
     "check\n    prove the books: exit 0 when sound, 1 naming what is wrong"},
};

#define ADM_NCMDS (sizeof(adm_cmds) / sizeof(adm_cmds[0]))

static void adm_usage(FILE *f, const char *group)
{
    size_t i;

    if (group == NULL)
        fputs("usage: pos admin --db PATH [--lmk FILE | --lmk-env VAR] [--actor NAME]"
              " COMMAND ...\n\n"
              "Administer a host's database (docs/admin.md). The local master key (LMK)\n"
              "wraps every key; commands that need a clear key (init, terminal add, card\n"
              "issue, pin-reset, --pan) need --lmk FILE, --lmk-env VAR or $POS_LMK.\n"
              "--actor names who makes changes in the audit log (default $USER).\n"
              "Amounts are decimals in the account's currency. Exit 0 ok, 1 refused or\n"
              "failed, 2 bad usage or input (nothing changed).\n\ncommands:\n",
              f);
    for (i = 0; i < ADM_NCMDS; i++)
        if (group == NULL || (adm_cmds[i].group != NULL && strcmp(adm_cmds[i].group, group) == 0))
            fprintf(f, "  pos admin %s\n", adm_cmds[i].usage);
}

static const struct adm_cmd *adm_find(int argc, char **argv, int *used)
{
    size_t i;

    for (i = 0; i < ADM_NCMDS && argc > 0; i++) {
        const struct adm_cmd *c = &adm_cmds[i];
        if (c->group == NULL && strcmp(argv[0], c->name) == 0) {
            *used = 1;
            return c;
        }
        if (c->group != NULL && strcmp(argv[0], c->group) == 0 && argc > 1 &&
            strcmp(argv[1], c->name) == 0) {
            *used = 2;
            return c;
        }
    }
    return NULL;
}

/* Parses the command's options from argv (argv[0] its last word). */
static int adm_parse(const struct adm_cmd *cmd, int argc, char **argv, struct adm_args *a)
{
    size_t i;
    int c;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", adm_long, NULL)) != -1) {
        if (c == 'h') {
            fprintf(stdout, "usage: pos admin %s\n", cmd->usage);
            return -1;
        }
        if (c == ':')
            return cli_error(CLI_USAGE, "admin", "%s: option %s needs a value", a->what,
                             argv[optind - 1]);
        if (c < 0 || c >= O__COUNT || (cmd->allowed & M(c)) == 0)
            return cli_error(CLI_USAGE, "admin", "%s: unknown option %s (see --help)", a->what,
                             argv[optind - 1]);
        a->v[c] = optarg;
    }
    if (optind < argc)
        a->pos = argv[optind];
    if (argc - optind > 1 || (a->pos != NULL && cmd->positional == 0))
        return cli_error(CLI_USAGE, "admin", "%s: unexpected argument %s", a->what, argv[argc - 1]);
    if (a->pos == NULL && cmd->positional == 2)
        return cli_error(CLI_USAGE, "admin", "%s: missing argument (see --help)", a->what);
    for (i = 0; i < O__COUNT; i++)
        if ((cmd->required & M(i)) != 0 && a->v[i] == NULL)
            return cli_error(CLI_USAGE, "admin", "%s: needs --%s", a->what, adm_long[i].name);
    return CLI_OK;
}

static int adm_global(int argc, char **argv, struct adm_ctx *c)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},      {"lmk", required_argument, NULL, 'l'},
        {"lmk-env", required_argument, NULL, 'e'}, {"actor", required_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    int o;

    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
        switch (o) {
        case 'd':
            c->db = optarg;
            break;
        case 'l':
            c->lmk_file = optarg;
            break;
        case 'e':
            c->lmk_env = optarg;
            break;
        case 'a':
            c->actor = optarg;
            break;
        case 'h':
            adm_usage(stdout, NULL);
            return -1;
        case ':':
            return cli_error(CLI_USAGE, "admin", "option %s needs a value", argv[optind - 1]);
        default:
            return cli_error(CLI_USAGE, "admin", "unknown option %s (see pos admin --help)",
                             argv[optind - 1]);
        }
    }
    if (c->lmk_file != NULL && c->lmk_env != NULL)
        return cli_error(CLI_USAGE, "admin", "give --lmk or --lmk-env, not both");
    return CLI_OK;
}

int cmd_admin(int argc, char **argv)
{
    const struct adm_cmd *cmd;
    struct adm_ctx c;
    struct adm_args a;
    char what[32];
    int rc, used = 0, first;

    memset(&c, 0, sizeof(c));
    memset(&a, 0, sizeof(a));
    rc = adm_global(argc, argv, &c);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    first = optind;
    if (first >= argc)
        return cli_error(CLI_USAGE, "admin", "no command (see pos admin --help)");
    cmd = adm_find(argc - first, argv + first, &used);
    if (cmd == NULL) {
        if (argc - first >= 2 &&
            (strcmp(argv[first + 1], "--help") == 0 || strcmp(argv[first + 1], "-h") == 0)) {
            adm_usage(stdout, argv[first]);
            return CLI_OK;
        }
        return cli_error(CLI_USAGE, "admin", "unknown command %s%s%s (see pos admin --help)",
                         argv[first], argc - first >= 2 ? " " : "",
                         argc - first >= 2 ? argv[first + 1] : "");
    }
    snprintf(what, sizeof(what), "%s%s%s", cmd->group != NULL ? cmd->group : "",
             cmd->group != NULL ? " " : "", cmd->name);
    a.what = what;
    rc = adm_parse(cmd, argc - first - used + 1, argv + first + used - 1, &a);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (c.db == NULL)
        return cli_error(CLI_USAGE, "admin", "%s: needs --db PATH", what);
    rc = cmd->run(&c, &a);
    lmk_clear(&c.lmk);
    return rc;
}
