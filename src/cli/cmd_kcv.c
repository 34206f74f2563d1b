/* pos kcv: key check values (DESIGN.md §6). The key never appears in an
 * error line and is wiped, with its argv copy, before exiting. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "crypto/kcv.h"
#include "error.h"
#include "hex.h"
#include "mem.h"

#define WHAT "kcv"

static void kcv_usage(FILE *f)
{
    fprintf(f, "usage: pos kcv --key HEX [--aes|--sm4] [--len N] [--verify KCV] [--json]\n\n"
               "Prints the key check value as hex (6 digits unless --len N bytes):\n"
               "  TDES (default; 8, 16 or 24 bytes)  E(K, 0^8), ANSI X9.24-1\n"
               "  --aes (16, 24 or 32 bytes)         AES-CMAC(K, 0^16), X9.24-1-2017 / TR-31\n"
               "  --sm4 (16 bytes)                   SM4(K, 0^16), as UnionPay checks keys\n"
               "--len N: 1 to 8 bytes (TDES) or 1 to 16 (AES, SM4).\n"
               "--verify KCV: exit 0 and OK when the key has this check value (as many\n"
               "bytes as given), exit 1 when it does not.\n");
}

struct kcv_args {
    enum block_alg alg;
    uint8_t key[BLOCK_MAX_KEY];
    size_t key_len, len;
    bool has_key, json;
    const char *verify;
};

static int kcv_parse(int argc, char **argv, struct kcv_args *a)
{
    static const struct option opts[] = {
        {"key", required_argument, NULL, 'k'},    {"aes", no_argument, NULL, 'A'},
        {"sm4", no_argument, NULL, 'S'},          {"len", required_argument, NULL, 'l'},
        {"verify", required_argument, NULL, 'v'}, {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    uint64_t v;
    int c, rc;
    size_t n;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'k':
            n = strlen(optarg);
            rc = cli_hex_arg(WHAT, "--key", optarg, a->key, sizeof(a->key), &a->key_len);
            pos_wipe(optarg, n);
            if (rc != CLI_OK)
                return rc;
            a->has_key = true;
            break;
        case 'A':
        case 'S':
            if (a->alg != BLOCK_TDES)
                return cli_error(CLI_USAGE, WHAT, "--aes and --sm4 exclude each other");
            a->alg = c == 'A' ? BLOCK_AES : BLOCK_SM4;
            break;
        case 'l':
            if (pos_parse_digits_u64(optarg, strlen(optarg), &v) != POS_OK || v == 0 || v > 16)
                return cli_error(CLI_USAGE, WHAT, "--len: must be a number of bytes, 1 to 16");
            a->len = (size_t)v;
            break;
        case 'v':
            a->verify = optarg;
            break;
        case 'j':
            a->json = true;
            break;
        default:
            return cli_error(CLI_USAGE, WHAT,
                             "unknown or incomplete option '%s' (see pos kcv --help)",
                             argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_error(CLI_USAGE, WHAT, "unexpected argument '%s'", argv[optind]);
    return CLI_OK;
}

static int kcv_main(struct kcv_args *a)
{
    static const char *const names[] = {"", "TDES (8, 16 or 24 bytes)", "AES (16, 24 or 32 bytes)",
                                        "SM4 (16 bytes)"};
    uint8_t out[BLOCK_MAX_LEN], want[BLOCK_MAX_LEN];
    char text[2 * BLOCK_MAX_LEN + 1];
    size_t bl = block_alg_block_len(a->alg), want_len = 0;
    json_t *j;
    int rc;

    if (!a->has_key)
        return cli_error(CLI_USAGE, WHAT, "--key is required");
    if (!block_alg_key_len_ok(a->alg, a->key_len))
        return cli_error(CLI_USAGE, WHAT, "--key: %zu bytes is not a %s key", a->key_len,
                         names[a->alg]);
    if (a->len > bl)
        return cli_error(CLI_USAGE, WHAT, "--len: at most %zu bytes for this key type", bl);
    if (a->verify != NULL) {
        if (cli_hex_arg(WHAT, "--verify", a->verify, want, bl, &want_len) != CLI_OK)
            return CLI_USAGE;
        if (want_len == 0)
            return cli_error(CLI_USAGE, WHAT, "--verify: empty check value");
        rc = kcv_verify(a->alg, a->key, a->key_len, want, want_len);
        if (rc == POS_ERR_KCV_MISMATCH)
            return cli_error(CLI_FAILED, WHAT, "key check value mismatch");
        if (rc != POS_OK)
            return cli_error_pos(CLI_FAILED, WHAT, rc, NULL);
        if (a->json)
            return cli_print_json(json_pack("{s:b}", "verified", 1));
        puts("OK");
        return CLI_OK;
    }
    rc = kcv_compute(a->alg, a->key, a->key_len, out, a->len);
    if (rc != POS_OK)
        return cli_error_pos(CLI_FAILED, WHAT, rc, NULL);
    pos_hex_encode(out, a->len, text, sizeof(text));
    if (!a->json) {
        printf("%s\n", text);
        return CLI_OK;
    }
    j = json_object();
    if (j != NULL && json_object_set_new(j, "kcv", json_string(text)) != 0) {
        json_decref(j);
        j = NULL;
    }
    return cli_print_json(j);
}

int cmd_kcv(int argc, char **argv)
{
    struct kcv_args a;
    int rc;

    memset(&a, 0, sizeof(a));
    a.alg = BLOCK_TDES;
    a.len = KCV_LEN;
    if (cli_wants_help(argc, argv)) {
        kcv_usage(stdout);
        return CLI_OK;
    }
    if (argc < 2) {
        kcv_usage(stderr);
        return CLI_USAGE;
    }
    rc = kcv_parse(argc, argv, &a);
    if (rc == CLI_OK)
        rc = kcv_main(&a);
    pos_wipe(&a, sizeof(a));
    return rc;
}
