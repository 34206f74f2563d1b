/*
 * pos pvv: PIN verification values (docs/keys.md):
 *
 *   pos pvv generate --pvk K --pan PAN --pin P --pvki N              -> 8523
 *   pos pvv verify   --pvk K --pan PAN --pin P --pvki N --pvv NNNN   -> {"valid":true}
 *   pos pvv offset   --pvk K --validation-data HEX --pin P [--pad C] [--dectab T]
 *                                                                     -> 7710
 *   pos pvv offset-verify ... --offset NNNN                          -> {"valid":true}
 *
 * --pin - reads the PIN from standard input (keeps it out of the process
 * list). Exit 1 when a verification fails, 2 on bad input.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "crypto/pvv.h"
#include "error.h"
#include "hex.h"
#include "mem.h"

struct pvv_cli_opts {
    const char *pvk, *pan, *pin, *pvki, *pvv, *vd, *pad, *dectab, *offset;
    bool json;
};

static void pvv_cli_usage(FILE *f)
{
    fputs("usage: pos pvv generate --pvk HEX --pan PAN --pin PIN --pvki N [--json]\n"
          "       pos pvv verify   --pvk HEX --pan PAN --pin PIN --pvki N --pvv NNNN\n"
          "       pos pvv offset   --pvk HEX --validation-data HEX --pin PIN\n"
          "                        [--pad C] [--dectab DIGITS] [--json]\n"
          "       pos pvv offset-verify --pvk HEX --validation-data HEX --pin PIN\n"
          "                        [--pad C] [--dectab DIGITS] --offset DIGITS\n"
          "\n"
          "generate/verify  Visa PVV: TDES under the PVK pair (32 hex digits) of the 11\n"
          "                 rightmost PAN digits without the check digit, the PVKI and\n"
          "                 the first 4 PIN digits, decimalised to 4 digits\n"
          "offset/offset-verify\n"
          "                 IBM 3624 PIN offset: the validation data (1 to 16 hex digits,\n"
          "                 padded on the right with --pad, default F) encrypted under\n"
          "                 the PVK, decimalised with --dectab (16 digits, default\n"
          "                 0123456789012345) gives the natural PIN; the offset is\n"
          "                 PIN - natural PIN, digit by digit mod 10 (PIN length digits)\n"
          "\n"
          "  --pin PIN   4 to 12 digits; '-' reads it from standard input\n"
          "  --pvki N    PIN verification key index, 1 to 6\n"
          "  --json      generate/offset print {\"pvv\":..} / {\"offset\":..}\n"
          "\n"
          "verify and offset-verify print {\"valid\":true} and exit 0, or exit 1 when the\n"
          "PIN does not match; bad input exits 2\n",
          f);
}

static int pvv_cli_parse(int argc, char **argv, struct pvv_cli_opts *o)
{
    static const struct option opts[] = {
        {"pvk", required_argument, NULL, 'k'},    {"pan", required_argument, NULL, 'p'},
        {"pin", required_argument, NULL, 'P'},    {"pvki", required_argument, NULL, 'i'},
        {"pvv", required_argument, NULL, 'v'},    {"validation-data", required_argument, NULL, 'd'},
        {"pad", required_argument, NULL, 'a'},    {"dectab", required_argument, NULL, 't'},
        {"offset", required_argument, NULL, 'o'}, {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    int c;

    memset(o, 0, sizeof(*o));
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            pvv_cli_usage(stdout);
            return -1;
        case 'k':
            o->pvk = optarg;
            break;
        case 'p':
            o->pan = optarg;
            break;
        case 'P':
            o->pin = optarg;
            break;
        case 'i':
            o->pvki = optarg;
            break;
        case 'v':
            o->pvv = optarg;
            break;
        case 'd':
            o->vd = optarg;
            break;
        case 'a':
            o->pad = optarg;
            break;
        case 't':
            o->dectab = optarg;
            break;
        case 'o':
            o->offset = optarg;
            break;
        case 'j':
            o->json = true;
            break;
        case ':':
            return cli_error(CLI_USAGE, "pvv", "option %s needs a value", argv[optind - 1]);
        default:
            return cli_error(CLI_USAGE, "pvv", "unknown option %s (see pos pvv --help)",
                             argv[optind - 1]);
        }
    }
    if (optind != argc)
        return cli_error(CLI_USAGE, "pvv", "unexpected argument (see pos pvv --help)");
    if (o->pvk == NULL || o->pin == NULL)
        return cli_error(CLI_USAGE, "pvv", "needs --pvk and --pin");
    return CLI_OK;
}

/* The PIN from the option or, for "-", from the first line of stdin. */
static int pvv_cli_pin(const char *opt, char *pin, size_t cap, size_t *len)
{
    size_t n;

    if (strcmp(opt, "-") != 0) {
        n = strlen(opt);
        if (n >= cap)
            return cli_error(CLI_USAGE, "pvv", "--pin must be 4 to 12 digits");
        memcpy(pin, opt, n + 1);
    } else {
        if (fgets(pin, (int)cap, stdin) == NULL)
            return cli_error(CLI_USAGE, "pvv", "--pin -: no PIN on standard input");
        n = strcspn(pin, "\r\n");
        pin[n] = '\0';
    }
    if (n < PVV_PIN_MIN || n > PVV_PIN_MAX || !pos_is_digits(pin, n))
        return cli_error(CLI_USAGE, "pvv", "--pin must be 4 to 12 digits");
    *len = n;
    return CLI_OK;
}

static int pvv_cli_result(int rc, const char *what)
{
    switch (rc) {
    case POS_ERR_PIN_MISMATCH:
        return cli_error_pos(CLI_FAILED, "pvv", rc, NULL);
    case POS_ERR_CARD_PAN:
        return cli_error(CLI_USAGE, "pvv", "--pan must be 12 to 19 digits");
    case POS_ERR_RANGE:
        return cli_error(CLI_USAGE, "pvv", "--pvki must be 1 to 6");
    case POS_ERR_SYNTAX:
        return cli_error(CLI_USAGE, "pvv", "%s", what);
    case POS_ERR_CRYPTO:
    case POS_ERR_NOMEM:
        return cli_error_pos(CLI_FAILED, "pvv", rc, NULL);
    default:
        return cli_error_pos(CLI_USAGE, "pvv", rc, NULL);
    }
}

static int pvv_cli_visa(const struct pvv_cli_opts *o, struct pvv_key *k, const char *pin,
                        size_t pin_len, bool verify)
{
    char pvv[PVV_LEN + 1];
    int rc;

    if (o->pan == NULL || o->pvki == NULL)
        return cli_error(CLI_USAGE, "pvv", "needs --pan and --pvki");
    if (strlen(o->pvki) != 1 || !pos_is_digits(o->pvki, 1))
        return cli_error(CLI_USAGE, "pvv", "--pvki must be 1 to 6");
    if (verify && o->pvv == NULL)
        return cli_error(CLI_USAGE, "pvv", "verify needs --pvv");
    if (verify)
        rc = pvv_visa_verify(k, o->pan, strlen(o->pan), (unsigned)(o->pvki[0] - '0'), pin, pin_len,
                             o->pvv, strlen(o->pvv));
    else
        rc = pvv_visa_generate(k, o->pan, strlen(o->pan), (unsigned)(o->pvki[0] - '0'), pin,
                               pin_len, pvv);
    if (rc != POS_OK)
        return pvv_cli_result(rc, "--pvv must be 4 digits");
    if (verify)
        return cli_print_json(json_pack("{s:b}", "valid", 1));
    if (o->json)
        return cli_print_json(json_pack("{s:s}", "pvv", pvv));
    printf("%s\n", pvv);
    return CLI_OK;
}

static int pvv_cli_ibm(const struct pvv_cli_opts *o, struct pvv_key *k, const char *pin,
                       size_t pin_len, bool verify)
{
    struct pvv_ibm3624 p;
    char off[PVV_PIN_MAX + 1];
    int rc;

    if (o->vd == NULL)
        return cli_error(CLI_USAGE, "pvv", "needs --validation-data");
    if (o->pad != NULL && strlen(o->pad) != 1)
        return cli_error(CLI_USAGE, "pvv", "--pad must be one hex digit");
    if (verify && o->offset == NULL)
        return cli_error(CLI_USAGE, "pvv", "offset-verify needs --offset");
    p.dectab = o->dectab;
    p.validation_data = o->vd;
    p.validation_len = strlen(o->vd);
    p.pad = o->pad != NULL ? o->pad[0] : 'F';
    if (verify)
        rc = pvv_ibm3624_verify(k, &p, pin, pin_len, o->offset, strlen(o->offset));
    else
        rc = pvv_ibm3624_offset(k, &p, pin, pin_len, off);
    if (rc != POS_OK)
        return pvv_cli_result(rc, "--offset must have as many digits as the PIN; --dectab 16 "
                                  "digits; --validation-data 1 to 16 hex digits; --pad one hex "
                                  "digit");
    if (verify)
        return cli_print_json(json_pack("{s:b}", "valid", 1));
    if (o->json)
        return cli_print_json(json_pack("{s:s}", "offset", off));
    printf("%s\n", off);
    return CLI_OK;
}

int cmd_pvv(int argc, char **argv)
{
    static const char *const subs[] = {"generate", "verify", "offset", "offset-verify"};
    struct pvv_cli_opts o;
    struct pvv_key k;
    uint8_t pvk[24];
    char pin[PVV_PIN_MAX + 2];
    size_t kl = 0, pin_len = 0, i, sub = 4;
    int rc;

    memset(&k, 0, sizeof(k));
    if (argc < 2)
        return cli_error(CLI_USAGE, "pvv",
                         "missing subcommand (generate, verify, offset or "
                         "offset-verify)");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        pvv_cli_usage(stdout);
        return CLI_OK;
    }
    for (i = 0; i < 4; i++)
        if (strcmp(argv[1], subs[i]) == 0)
            sub = i;
    if (sub == 4)
        return cli_error(CLI_USAGE, "pvv", "unknown subcommand %s (see pos pvv --help)", argv[1]);
    rc = pvv_cli_parse(argc - 1, argv + 1, &o);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    rc = cli_hex_arg("pvv", "--pvk", o.pvk, pvk, sizeof(pvk), &kl);
    if (rc == CLI_OK && (kl != 16 && kl != 24 && !(kl == 8 && sub >= 2)))
        rc = cli_error(CLI_USAGE, "pvv", "--pvk must be 32 or 48 hex digits (16 for IBM 3624)");
    if (rc == CLI_OK)
        rc = pvv_cli_pin(o.pin, pin, sizeof(pin), &pin_len);
    if (rc == CLI_OK && pvv_key_init(&k, pvk, kl) != POS_OK)
        rc = cli_error(CLI_FAILED, "pvv", "cannot key the PVK");
    if (rc == CLI_OK)
        rc = sub < 2 ? pvv_cli_visa(&o, &k, pin, pin_len, sub == 1)
                     : pvv_cli_ibm(&o, &k, pin, pin_len, sub == 3);
    pvv_key_clear(&k);
    pos_wipe(pvk, sizeof(pvk));
    pos_wipe(pin, sizeof(pin));
    return rc;
}
