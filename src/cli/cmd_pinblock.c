/* pos pinblock: encode and decode ISO 9564-1 PIN blocks (DESIGN.md §6).
 * Never prints a PIN or key in an error line; wipes them (and their argv
 * copies) before exiting. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "crypto/pinblock.h"
#include "error.h"
#include "hex.h"
#include "mem.h"

#define WHAT "pinblock"

static void pinblock_usage(FILE *f)
{
    fprintf(f, "usage: pos pinblock encode --format 0|1|2|3|4 --pin PIN [--pan PAN] [--key HEX]\n"
               "                           [--sm4] [--json]\n"
               "       pos pinblock decode --format 0|1|2|3|4 --block HEX [--pan PAN] [--key HEX]\n"
               "                           [--sm4] [--json]\n\n"
               "ISO 9564-1:2017 PIN blocks. encode prints the block as hex, enciphered under\n"
               "--key when given; decode prints the PIN (exit 1 when the block is not a valid\n"
               "block of that format for that PAN).\n"
               "  format 0  PIN XOR PAN (needs --pan), F fill          TDES key 8/16/24 bytes\n"
               "  format 1  random transaction-field fill, no PAN       TDES\n"
               "  format 2  F fill, no PAN (ICC offline PIN)            TDES\n"
               "  format 3  like 0 with random A-F fill (needs --pan)   TDES\n"
               "  format 4  16-byte AES block; with --key the PAN is bound in the\n"
               "            encipherment (needs --pan); without --key the clear PIN field\n"
               "                                                        AES key 16/24/32 bytes\n"
               "  --sm4     with format 0: the China UnionPay SM4 PIN block (format 0\n"
               "            widened to 16 bytes, needs --pan)           SM4 key 16 bytes\n"
               "  --json    print {\"block\":..} or {\"pin\":..} instead of plain text\n");
}

struct pinblock_args {
    const char *op;
    int format; /* -1 until given */
    bool sm4, json;
    char pin[PINBLOCK_PIN_MAX + 2];
    size_t pin_len;
    bool has_pin;
    const char *pan, *block;
    uint8_t key[BLOCK_MAX_KEY];
    size_t key_len;
    bool has_key;
};

/* Copies a secret argument out of argv and wipes the argv copy. */
static void pinblock_take_secret(char *arg, char *dst, size_t cap, size_t *len)
{
    size_t n = strlen(arg);

    *len = n;
    if (n < cap)
        memcpy(dst, arg, n + 1);
    pos_wipe(arg, n);
}

static int pinblock_parse(int argc, char **argv, struct pinblock_args *a)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"pin", required_argument, NULL, 'p'},
        {"pan", required_argument, NULL, 'a'},
        {"key", required_argument, NULL, 'k'},
        {"block", required_argument, NULL, 'b'},
        {"sm4", no_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, rc;
    size_t n;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strlen(optarg) != 1 || optarg[0] < '0' || optarg[0] > '4')
                return cli_error(CLI_USAGE, WHAT, "--format: must be 0, 1, 2, 3 or 4");
            a->format = optarg[0] - '0';
            break;
        case 'p':
            pinblock_take_secret(optarg, a->pin, sizeof(a->pin), &a->pin_len);
            if (a->pin_len >= sizeof(a->pin))
                return cli_error(CLI_USAGE, WHAT,
                                 "--pin: PIN length out of range (4 to 12 digits)");
            a->has_pin = true;
            break;
        case 'a':
            a->pan = optarg;
            break;
        case 'k':
            n = strlen(optarg);
            rc = cli_hex_arg(WHAT, "--key", optarg, a->key, sizeof(a->key), &a->key_len);
            pos_wipe(optarg, n);
            if (rc != CLI_OK)
                return rc;
            a->has_key = true;
            break;
        case 'b':
            a->block = optarg;
            break;
        case 's':
            a->sm4 = true;
            break;
        case 'j':
            a->json = true;
            break;
        default:
            return cli_error(CLI_USAGE, WHAT,
                             "unknown or incomplete option '%s' (see pos pinblock --help)",
                             argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_error(CLI_USAGE, WHAT, "unexpected argument '%s'", argv[optind]);
    return CLI_OK;
}

/* The libpos error of an argument, as a usage error naming the option. */
static int pinblock_input_error(int rc)
{
    switch (rc) {
    case POS_ERR_PIN_LENGTH:
        return cli_error(CLI_USAGE, WHAT, "--pin: PIN length out of range (4 to 12 digits)");
    case POS_ERR_DIGIT:
        return cli_error(CLI_USAGE, WHAT, "--pin: a PIN is decimal digits only");
    case POS_ERR_CARD_PAN:
        return cli_error(CLI_USAGE, WHAT, "--pan: invalid PAN (1 to 19 decimal digits)");
    default:
        return cli_error_pos(CLI_FAILED, WHAT, rc, NULL);
    }
}

static int pinblock_print(bool json, const char *key, const char *value)
{
    if (json) {
        json_t *j = json_object();
        if (j != NULL && json_object_set_new(j, key, json_string(value)) != 0) {
            json_decref(j);
            j = NULL;
        }
        return cli_print_json(j);
    }
    printf("%s\n", value);
    return CLI_OK;
}

static int pinblock_run(struct pinblock_args *a, enum pinblock_format f, struct block_key *k)
{
    uint8_t block[PINBLOCK_MAX_LEN];
    char text[2 * PINBLOCK_MAX_LEN + 1], pin[PINBLOCK_PIN_CAP];
    size_t n = 0, bl = pinblock_format_len(f), pan_len = a->pan ? strlen(a->pan) : 0;
    int rc, ret;

    if (strcmp(a->op, "encode") == 0) {
        if (k != NULL)
            rc = pinblock_encrypt(k, f, a->pin, a->pin_len, a->pan, pan_len, block, sizeof(block),
                                  &n);
        else
            rc = pinblock_encode(f, a->pin, a->pin_len, a->pan, pan_len, block, sizeof(block), &n);
        if (rc != POS_OK)
            return pinblock_input_error(rc);
        pos_hex_encode(block, n, text, sizeof(text));
        ret = pinblock_print(a->json, "block", text);
        pos_wipe(block, sizeof(block));
        pos_wipe(text, sizeof(text));
        return ret;
    }
    if (strlen(a->block) != 2 * bl)
        return cli_error(
            CLI_USAGE, WHAT, "--block: a format %s block is %zu bytes (%zu hex digits)",
            f == PINBLOCK_CUP_SM4 ? "0 --sm4" : (f == PINBLOCK_ISO4 ? "4" : "0-3"), bl, 2 * bl);
    if (cli_hex_arg(WHAT, "--block", a->block, block, sizeof(block), &n) != CLI_OK)
        return CLI_USAGE;
    if (k != NULL)
        rc = pinblock_decrypt(k, f, block, n, a->pan, pan_len, pin, sizeof(pin), &n);
    else
        rc = pinblock_decode(f, block, n, a->pan, pan_len, pin, sizeof(pin), &n);
    pos_wipe(block, sizeof(block));
    if (rc == POS_ERR_PIN_FORMAT || rc == POS_ERR_PIN_LENGTH || rc == POS_ERR_PIN_PAN)
        return cli_error_pos(CLI_FAILED, WHAT, rc, NULL);
    if (rc != POS_OK)
        return pinblock_input_error(rc);
    ret = pinblock_print(a->json, "pin", pin);
    pos_wipe(pin, sizeof(pin));
    return ret;
}

static int pinblock_main(struct pinblock_args *a)
{
    struct block_key k;
    enum pinblock_format f;
    enum block_alg alg;
    const char *alg_name;
    int rc;

    if (a->format < 0)
        return cli_error(CLI_USAGE, WHAT, "--format is required (0, 1, 2, 3 or 4)");
    f = (enum pinblock_format)a->format;
    if (a->sm4) {
        if (f != PINBLOCK_ISO0)
            return cli_error(CLI_USAGE, WHAT, "--sm4 applies to format 0 only");
        f = PINBLOCK_CUP_SM4;
    }
    if (strcmp(a->op, "encode") == 0 && !a->has_pin)
        return cli_error(CLI_USAGE, WHAT, "encode needs --pin");
    if (strcmp(a->op, "decode") == 0 && a->block == NULL)
        return cli_error(CLI_USAGE, WHAT, "decode needs --block");
    if (pinblock_format_has_pan(f) && a->pan == NULL && (f != PINBLOCK_ISO4 || a->has_key))
        return cli_error(CLI_USAGE, WHAT, "--pan is required for this format");
    if (!a->has_key)
        return pinblock_run(a, f, NULL);
    alg = pinblock_format_alg(f);
    alg_name = alg == BLOCK_AES   ? "an AES key (16, 24 or 32 bytes)"
               : alg == BLOCK_SM4 ? "an SM4 key (16 bytes)"
                                  : "a TDES key (8, 16 or 24 bytes)";
    if (!block_alg_key_len_ok(alg, a->key_len))
        return cli_error(CLI_USAGE, WHAT, "--key: %zu bytes is not %s", a->key_len, alg_name);
    rc = block_key_init(&k, alg, a->key, a->key_len);
    if (rc != POS_OK)
        return cli_error_pos(CLI_FAILED, WHAT, rc, NULL);
    rc = pinblock_run(a, f, &k);
    block_key_clear(&k);
    return rc;
}

int cmd_pinblock(int argc, char **argv)
{
    struct pinblock_args a;
    int rc;

    memset(&a, 0, sizeof(a));
    a.format = -1;
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        pinblock_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    a.op = argv[1];
    if (strcmp(a.op, "encode") != 0 && strcmp(a.op, "decode") != 0)
        return cli_error(CLI_USAGE, WHAT, "unknown subcommand '%s' (encode or decode)", a.op);
    if (cli_wants_help(argc - 1, argv + 1)) {
        pinblock_usage(stdout);
        return CLI_OK;
    }
    rc = pinblock_parse(argc - 1, argv + 1, &a);
    if (rc == CLI_OK)
        rc = pinblock_main(&a);
    pos_wipe(&a, sizeof(a));
    return rc;
}
