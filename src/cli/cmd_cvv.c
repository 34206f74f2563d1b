/*
 * pos cvv: CVV, CVV2 and iCVV under a CVK pair (docs/keys.md):
 *
 *   pos cvv generate --cvk K --pan PAN --expiry YYMM --service-code SSS   -> 561
 *   pos cvv verify   --cvk K --pan PAN --expiry YYMM --service-code SSS --cvv NNN
 *                                                              -> {"valid":true}
 *
 * --cvv2 means service code 000, --icvv 999. Exit 1 when verify finds a
 * mismatch, 2 on bad input.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "crypto/cvv.h"
#include "error.h"
#include "hex.h"
#include "mem.h"

struct cvv_cli_opts {
    const char *cvk, *pan, *expiry, *sc, *cvv;
    bool json;
};

static void cvv_cli_usage(FILE *f)
{
    fputs("usage: pos cvv generate --cvk HEX --pan PAN --expiry YYMM\n"
          "                        (--service-code SSS | --cvv2 | --icvv) [--json]\n"
          "       pos cvv verify   --cvk HEX --pan PAN --expiry YYMM\n"
          "                        (--service-code SSS | --cvv2 | --icvv) --cvv NNN\n"
          "\n"
          "Card verification values with the Visa CVV algorithm (Mastercard CVC):\n"
          "PAN || expiry || service code under the CVK pair A/B (32 hex digits).\n"
          "\n"
          "  --cvk HEX            CVK A || CVK B, a double-length TDES key\n"
          "  --pan PAN            12 to 19 digits\n"
          "  --expiry YYMM        as on the magnetic stripe\n"
          "  --service-code SSS   the track's service code (CVV)\n"
          "  --cvv2               service code 000 (the printed CVV2)\n"
          "  --icvv               service code 999 (the chip's iCVV)\n"
          "  --cvv NNN            the value to verify\n"
          "  --json               generate prints {\"cvv\":\"NNN\"}\n"
          "\n"
          "generate prints the 3 digits; verify prints {\"valid\":true} and exits 0, or\n"
          "exits 1 on a mismatch; bad input exits 2\n",
          f);
}

static int cvv_cli_parse(int argc, char **argv, struct cvv_cli_opts *o)
{
    static const struct option opts[] = {
        {"cvk", required_argument, NULL, 'k'},    {"pan", required_argument, NULL, 'p'},
        {"expiry", required_argument, NULL, 'e'}, {"service-code", required_argument, NULL, 's'},
        {"cvv2", no_argument, NULL, '2'},         {"icvv", no_argument, NULL, 'i'},
        {"cvv", required_argument, NULL, 'c'},    {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    int c;

    memset(o, 0, sizeof(*o));
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            cvv_cli_usage(stdout);
            return -1;
        case 'k':
            o->cvk = optarg;
            break;
        case 'p':
            o->pan = optarg;
            break;
        case 'e':
            o->expiry = optarg;
            break;
        case 's':
            o->sc = optarg;
            break;
        case '2':
            o->sc = CVV_SERVICE_CVV2;
            break;
        case 'i':
            o->sc = CVV_SERVICE_ICVV;
            break;
        case 'c':
            o->cvv = optarg;
            break;
        case 'j':
            o->json = true;
            break;
        case ':':
            return cli_error(CLI_USAGE, "cvv", "option %s needs a value", argv[optind - 1]);
        default:
            return cli_error(CLI_USAGE, "cvv", "unknown option %s (see pos cvv --help)",
                             argv[optind - 1]);
        }
    }
    if (optind != argc)
        return cli_error(CLI_USAGE, "cvv", "unexpected argument (see pos cvv --help)");
    if (o->cvk == NULL || o->pan == NULL || o->expiry == NULL || o->sc == NULL)
        return cli_error(CLI_USAGE, "cvv", "needs --cvk, --pan, --expiry and a service code");
    return CLI_OK;
}

static const char *cvv_cli_why(int rc)
{
    switch (rc) {
    case POS_ERR_KEY_LENGTH:
        return "--cvk must be 32 hex digits (CVK A || CVK B)";
    case POS_ERR_CARD_PAN:
        return "--pan must be 12 to 19 digits";
    case POS_ERR_CARD_EXPIRY:
        return "--expiry must be 4 digits (YYMM)";
    default:
        return NULL;
    }
}

int cmd_cvv(int argc, char **argv)
{
    struct cvv_cli_opts o;
    uint8_t cvk[32];
    size_t kl = 0;
    char out[CVV_LEN + 1];
    bool verify;
    int rc;

    if (argc < 2)
        return cli_error(CLI_USAGE, "cvv", "missing subcommand (generate or verify)");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        cvv_cli_usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "generate") != 0 && strcmp(argv[1], "verify") != 0)
        return cli_error(CLI_USAGE, "cvv", "unknown subcommand %s (generate or verify)", argv[1]);
    verify = strcmp(argv[1], "verify") == 0;
    rc = cvv_cli_parse(argc - 1, argv + 1, &o);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (verify && o.cvv == NULL)
        return cli_error(CLI_USAGE, "cvv", "verify needs --cvv");
    if (verify && (strlen(o.cvv) != CVV_LEN || !pos_is_digits(o.cvv, CVV_LEN)))
        return cli_error(CLI_USAGE, "cvv", "--cvv must be 3 digits");
    if (strlen(o.sc) != 3 || !pos_is_digits(o.sc, 3))
        return cli_error(CLI_USAGE, "cvv", "--service-code must be 3 digits");
    rc = cli_hex_arg("cvv", "--cvk", o.cvk, cvk, sizeof(cvk), &kl);
    if (rc != CLI_OK)
        goto out;
    if (verify)
        rc = cvv_verify(cvk, kl, o.pan, strlen(o.pan), o.expiry, o.sc, o.cvv, strlen(o.cvv));
    else
        rc = cvv_generate(cvk, kl, o.pan, strlen(o.pan), o.expiry, o.sc, out);
    if (rc == POS_ERR_CVV_MISMATCH) {
        rc = cli_error_pos(CLI_FAILED, "cvv", rc, NULL);
    } else if (rc != POS_OK) {
        const char *why = cvv_cli_why(rc);
        rc = why != NULL ? cli_error(CLI_USAGE, "cvv", "%s", why)
                         : cli_error_pos(CLI_FAILED, "cvv", rc, NULL);
    } else if (verify) {
        rc = cli_print_json(json_pack("{s:b}", "valid", 1));
    } else if (o.json) {
        rc = cli_print_json(json_pack("{s:s}", "cvv", out));
    } else {
        printf("%s\n", out);
        rc = CLI_OK;
    }
out:
    pos_wipe(cvk, sizeof(cvk));
    pos_wipe(out, sizeof(out));
    return rc;
}
