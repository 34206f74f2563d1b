/* pos mac: compute or verify a MAC (DESIGN.md §6). The key never appears in
 * an error line and is wiped, with its argv copy, before exiting. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "crypto/mac.h"
#include "error.h"
#include "hex.h"
#include "mem.h"

#define WHAT "mac"

static void mac_usage(FILE *f)
{
    fprintf(f, "usage: pos mac --alg ALG --key HEX [--data HEX] [--padding 1|2|3]\n"
               "               [--verify MAC] [--json]\n\n"
               "Prints the full MAC of the message (--data, or hex on standard input) as\n"
               "uppercase hex. With --verify, checks MAC (its leftmost 4 or more bytes)\n"
               "instead: exit 0 and OK when it matches, exit 1 when it does not.\n\n"
               "ALG                  standard                                  key bytes\n"
               "  x919, iso9797-1-alg3  ANSI X9.19 / ISO 9797-1 MAC algorithm 3  16\n"
               "  iso9797-1-alg1     ISO 9797-1 MAC algorithm 1 (DES or TDES)    8, 16, 24\n"
               "  iso9797-1-alg1-sm4 MAC algorithm 1 with SM4 (GB/T 15852.1)     16\n"
               "  aes-cmac           NIST SP 800-38B / RFC 4493                  16, 24, 32\n"
               "  tdes-cmac          NIST SP 800-38B with TDES                   16, 24\n"
               "  sm4-cmac           CMAC with SM4 (GB/T 15852.1 algorithm 5)    16\n"
               "  cup-ecb            China UnionPay POS ECB MAC                  8, 16\n"
               "  cup-sm4            China UnionPay POS SM4 MAC                  16\n\n"
               "--padding (ISO 9797-1 methods; the four ISO 9797-1 algorithms only):\n"
               "  1 zeros (default), 2 a 80 byte then zeros, 3 a length block first.\n"
               "cup-ecb and cup-sm4 print the 8-character MAC of the UnionPay spec (the\n"
               "hex digits of the first 4 bytes of the last block): field 64 carries\n"
               "these 8 ASCII characters.\n");
}

struct mac_args {
    const char *alg_name, *data, *verify;
    int padding; /* 0 when not given */
    bool json;
    uint8_t key[BLOCK_MAX_KEY];
    size_t key_len;
    bool has_key;
};

static int mac_parse(int argc, char **argv, struct mac_args *a)
{
    static const struct option opts[] = {
        {"alg", required_argument, NULL, 'a'},    {"key", required_argument, NULL, 'k'},
        {"data", required_argument, NULL, 'd'},   {"padding", required_argument, NULL, 'p'},
        {"verify", required_argument, NULL, 'v'}, {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    int c, rc;
    size_t n;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'a':
            a->alg_name = optarg;
            break;
        case 'k':
            n = strlen(optarg);
            rc = cli_hex_arg(WHAT, "--key", optarg, a->key, sizeof(a->key), &a->key_len);
            pos_wipe(optarg, n);
            if (rc != CLI_OK)
                return rc;
            a->has_key = true;
            break;
        case 'd':
            a->data = optarg;
            break;
        case 'p':
            if (strlen(optarg) != 1 || optarg[0] < '1' || optarg[0] > '3')
                return cli_error(CLI_USAGE, WHAT, "--padding: must be 1, 2 or 3");
            a->padding = optarg[0] - '0';
            break;
        case 'v':
            a->verify = optarg;
            break;
        case 'j':
            a->json = true;
            break;
        default:
            return cli_error(CLI_USAGE, WHAT,
                             "unknown or incomplete option '%s' (see pos mac --help)",
                             argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_error(CLI_USAGE, WHAT, "unexpected argument '%s'", argv[optind]);
    return CLI_OK;
}

static const char *mac_key_lengths(enum mac_alg alg)
{
    switch (alg) {
    case MAC_ISO9797_ALG1:
        return "8, 16 or 24";
    case MAC_TDES_CMAC:
        return "16 or 24";
    case MAC_CUP_ECB:
        return "8 or 16";
    case MAC_AES_CMAC:
        return "16, 24 or 32";
    default:
        return "16";
    }
}

/* The message: --data as hex, or hex on standard input. Heap (free()). */
static int mac_message(const struct mac_args *a, uint8_t **msg, size_t *len)
{
    size_t n;

    if (a->data == NULL)
        return cli_read_stdin(WHAT, true, msg, len);
    n = strlen(a->data) / 2 + 1;
    *msg = malloc(n);
    if (*msg == NULL)
        return cli_error(CLI_FAILED, WHAT, "out of memory");
    if (cli_hex_arg(WHAT, "--data", a->data, *msg, n, len) != CLI_OK) {
        free(*msg);
        *msg = NULL;
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* The expected MAC of --verify: hex, or for the UnionPay MACs the MAC's
 * characters themselves (hex digits, any case). */
static int mac_expected(const struct mac_args *a, enum mac_alg alg, uint8_t *out, size_t *len)
{
    size_t n = strlen(a->verify), i;

    if (alg == MAC_CUP_ECB || alg == MAC_CUP_SM4) {
        if (n < MAC_MIN_VERIFY || n > 8)
            return cli_error(CLI_USAGE, WHAT, "--verify: a %s MAC is 4 to 8 hex digits",
                             mac_alg_name(alg));
        for (i = 0; i < n; i++) {
            int v = pos_hex_value(a->verify[i]);
            if (v < 0)
                return cli_error(CLI_USAGE, WHAT, "--verify: invalid hex");
            out[i] = (uint8_t) "0123456789ABCDEF"[v];
        }
        *len = n;
        return CLI_OK;
    }
    if (cli_hex_arg(WHAT, "--verify", a->verify, out, MAC_MAX_LEN, len) != CLI_OK)
        return CLI_USAGE;
    if (*len < MAC_MIN_VERIFY || *len > mac_alg_len(alg))
        return cli_error(CLI_USAGE, WHAT, "--verify: a %s MAC is %d to %zu bytes",
                         mac_alg_name(alg), MAC_MIN_VERIFY, mac_alg_len(alg));
    return CLI_OK;
}

static int mac_output(const struct mac_args *a, enum mac_alg alg, const uint8_t *mac, size_t n)
{
    char text[2 * MAC_MAX_LEN + 1];
    json_t *j;

    if (alg == MAC_CUP_ECB || alg == MAC_CUP_SM4) {
        memcpy(text, mac, n); /* already the MAC's 8 hex characters */
        text[n] = '\0';
    } else {
        pos_hex_encode(mac, n, text, sizeof(text));
    }
    if (!a->json) {
        printf("%s\n", text);
        return CLI_OK;
    }
    j = json_object();
    if (j != NULL && (json_object_set_new(j, "alg", json_string(mac_alg_name(alg))) != 0 ||
                      json_object_set_new(j, "mac", json_string(text)) != 0)) {
        json_decref(j);
        j = NULL;
    }
    return cli_print_json(j);
}

static int mac_main(struct mac_args *a)
{
    struct mac_ctx ctx;
    enum mac_alg alg;
    uint8_t *msg = NULL, mac[MAC_MAX_LEN], want[MAC_MAX_LEN];
    size_t msg_len = 0, n = 0, want_len = 0;
    int rc = CLI_USAGE, prc;
    bool ctx_ok = false;

    if (a->alg_name == NULL)
        return cli_error(CLI_USAGE, WHAT, "--alg is required (see pos mac --help)");
    if (mac_alg_parse(a->alg_name, &alg) != POS_OK)
        return cli_error(CLI_USAGE, WHAT, "--alg: unknown algorithm '%s' (see pos mac --help)",
                         a->alg_name);
    if (!a->has_key)
        return cli_error(CLI_USAGE, WHAT, "--key is required");
    if (!mac_alg_key_len_ok(alg, a->key_len))
        return cli_error(CLI_USAGE, WHAT, "--key: %zu bytes is not a %s key (%s bytes)", a->key_len,
                         mac_alg_name(alg), mac_key_lengths(alg));
    if (a->padding != 0 && alg != MAC_ISO9797_ALG1 && alg != MAC_ISO9797_ALG3 &&
        alg != MAC_SM4_ALG1)
        return cli_error(CLI_USAGE, WHAT, "--padding does not apply to %s", mac_alg_name(alg));
    if (a->verify != NULL && mac_expected(a, alg, want, &want_len) != CLI_OK)
        return CLI_USAGE;
    rc = mac_message(a, &msg, &msg_len);
    if (rc != CLI_OK)
        goto out;
    prc = mac_init(&ctx, alg, a->key, a->key_len, (enum mac_padding)a->padding);
    if (prc == POS_OK) {
        ctx_ok = true;
        if (a->padding == 3)
            prc = mac_set_length(&ctx, msg_len);
    }
    if (prc == POS_OK) {
        mac_update(&ctx, msg, msg_len);
        prc = a->verify != NULL ? mac_verify(&ctx, want, want_len)
                                : mac_final(&ctx, mac, sizeof(mac), &n);
    }
    if (prc == POS_ERR_MAC_MISMATCH) {
        rc = cli_error(CLI_FAILED, WHAT, "MAC mismatch");
    } else if (prc != POS_OK) {
        rc = cli_error_pos(CLI_FAILED, WHAT, prc, NULL);
    } else if (a->verify != NULL) {
        rc = a->json ? cli_print_json(json_pack("{s:b}", "verified", 1)) : CLI_OK;
        if (!a->json)
            puts("OK");
    } else {
        rc = mac_output(a, alg, mac, n);
    }
out:
    if (ctx_ok)
        mac_clear(&ctx);
    free(msg);
    pos_wipe(mac, sizeof(mac));
    return rc;
}

int cmd_mac(int argc, char **argv)
{
    struct mac_args a;
    int rc;

    memset(&a, 0, sizeof(a));
    if (cli_wants_help(argc, argv)) {
        mac_usage(stdout);
        return CLI_OK;
    }
    if (argc < 2) {
        mac_usage(stderr);
        return CLI_USAGE;
    }
    rc = mac_parse(argc, argv, &a);
    if (rc == CLI_OK)
        rc = mac_main(&a);
    pos_wipe(&a, sizeof(a));
    return rc;
}
