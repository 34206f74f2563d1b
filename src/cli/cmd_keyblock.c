/*
 * pos keyblock: ANSI X9.143 (TR-31) key blocks, versions B and D
 * (docs/keys.md):
 *
 *   pos keyblock wrap --kbpk K --key K2 --usage P0 --alg T --mode E
 *                     [--export E|N|S] [--version-id B|D] [--key-version NN]
 *                     [--ksn HEX] [--kcv] [--mask-length]      -> the block
 *   pos keyblock unwrap --kbpk K --block B [--usage P0 --mode E]
 *       -> {"version":"D","usage":"P0","algorithm":"T","mode":"E",
 *           "key_version":"00","exportability":"E","key":"..","kcv":"..",
 *           "optional_blocks":{"KS":".."}}
 *
 * Exit 1 when the MAC fails or the header forbids the requested use; 2 on
 * malformed input.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "crypto/kcv.h"
#include "crypto/keyblock.h"
#include "error.h"
#include "mem.h"

struct kb_cli_opts {
    const char *kbpk, *key, *usage, *alg, *mode, *exp, *version, *key_version, *ksn, *block;
    bool kcv, mask;
};

static void kb_cli_usage(FILE *f)
{
    fputs("usage: pos keyblock wrap --kbpk HEX --key HEX --usage U --alg A --mode M\n"
          "                         [--export E|N|S] [--version-id B|D] [--key-version NN]\n"
          "                         [--ksn HEX] [--kcv] [--mask-length]\n"
          "       pos keyblock unwrap --kbpk HEX --block BLOCK [--usage U] [--mode M]\n"
          "\n"
          "ANSI X9.143 (TR-31) key blocks. Version D: AES key block protection key\n"
          "(16, 24 or 32 bytes); version B: TDES KBPK (16 or 24 bytes). Default D.\n"
          "\n"
          "wrap    prints the key block\n"
          "unwrap  verifies the MAC and prints the header fields, the key and its check\n"
          "        value as JSON; with --usage/--mode, refuses (exit 1) a key whose\n"
          "        header does not allow that use\n"
          "\n"
          "  --usage U        key usage: B0 BDK, B1 initial DUKPT key, C0 CVK, D0 data,\n"
          "                   E0-E6 EMV, K0 KEK, K1 KBPK, M0-M8 MAC (M3 X9.19, M6 CMAC,\n"
          "                   M7 HMAC), P0 PIN encryption, V1 IBM 3624 PVK, V2 Visa PVK\n"
          "  --alg A          algorithm of the wrapped key: T TDES, A AES, D DES, H HMAC,\n"
          "                   R RSA, E EC, S DSA\n"
          "  --mode M         mode of use: B both, E encrypt/wrap, D decrypt/unwrap,\n"
          "                   G generate MAC, V verify MAC, C generate+verify, N none,\n"
          "                   S sign, T sign+decrypt, X derive keys, Y key variants\n"
          "                   (unwrap: the use required, e.g. E or G)\n"
          "  --export E|N|S   exportability (default E)\n"
          "  --key-version NN key version number (default 00)\n"
          "  --ksn HEX        add a KS optional block (DUKPT key serial number)\n"
          "  --kcv            add a KC optional block with the key's check value\n"
          "  --mask-length    pad as if the key had its algorithm's largest length\n"
          "\n"
          "exit 0 ok, 1 MAC failure or use forbidden by the header, 2 bad input\n",
          f);
}

/* Returns CLI_OK, -1 after --help, or an exit code after an error. */
static int kb_cli_parse(int argc, char **argv, struct kb_cli_opts *o)
{
    static const struct option opts[] = {{"kbpk", required_argument, NULL, 'k'},
                                         {"key", required_argument, NULL, 'K'},
                                         {"usage", required_argument, NULL, 'u'},
                                         {"alg", required_argument, NULL, 'a'},
                                         {"mode", required_argument, NULL, 'm'},
                                         {"export", required_argument, NULL, 'e'},
                                         {"version-id", required_argument, NULL, 'v'},
                                         {"key-version", required_argument, NULL, 'n'},
                                         {"ksn", required_argument, NULL, 's'},
                                         {"block", required_argument, NULL, 'b'},
                                         {"kcv", no_argument, NULL, 'c'},
                                         {"mask-length", no_argument, NULL, 'M'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c;

    memset(o, 0, sizeof(*o));
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            kb_cli_usage(stdout);
            return -1;
        case 'k':
            o->kbpk = optarg;
            break;
        case 'K':
            o->key = optarg;
            break;
        case 'u':
            o->usage = optarg;
            break;
        case 'a':
            o->alg = optarg;
            break;
        case 'm':
            o->mode = optarg;
            break;
        case 'e':
            o->exp = optarg;
            break;
        case 'v':
            o->version = optarg;
            break;
        case 'n':
            o->key_version = optarg;
            break;
        case 's':
            o->ksn = optarg;
            break;
        case 'b':
            o->block = optarg;
            break;
        case 'c':
            o->kcv = true;
            break;
        case 'M':
            o->mask = true;
            break;
        case ':':
            return cli_error(CLI_USAGE, "keyblock", "option %s needs a value", argv[optind - 1]);
        default:
            return cli_error(CLI_USAGE, "keyblock", "unknown option %s (see pos keyblock --help)",
                             argv[optind - 1]);
        }
    }
    if (optind != argc)
        return cli_error(CLI_USAGE, "keyblock", "unexpected argument %s", argv[optind]);
    return CLI_OK;
}

/* A one-character option value. */
static int kb_cli_char(const char *opt, const char *v, char *out)
{
    if (v == NULL || strlen(v) != 1)
        return cli_error(CLI_USAGE, "keyblock", "%s must be one character", opt);
    *out = v[0];
    return CLI_OK;
}

static int kb_cli_exit(int rc)
{
    switch (rc) {
    case POS_ERR_KEYBLOCK_MAC:
    case POS_ERR_KEY_USAGE:
    case POS_ERR_KCV_MISMATCH:
    case POS_ERR_CRYPTO:
    case POS_ERR_NOMEM:
        return CLI_FAILED;
    default:
        return CLI_USAGE;
    }
}

static int kb_cli_wrap(const struct kb_cli_opts *o)
{
    struct keyblock_params p;
    struct pos_errdetail d;
    uint8_t kbpk[32], key[KEYBLOCK_MAX_KEY];
    char out[1024];
    size_t kl = 0, keyl = 0, n = 0;
    int rc;

    if (o->kbpk == NULL || o->key == NULL || o->usage == NULL || o->alg == NULL || o->mode == NULL)
        return cli_error(CLI_USAGE, "keyblock",
                         "wrap needs --kbpk, --key, --usage, --alg and "
                         "--mode");
    memset(&p, 0, sizeof(p));
    p.version = 'D';
    p.exportability = 'E';
    rc = kb_cli_char("--alg", o->alg, &p.algorithm);
    if (rc == CLI_OK)
        rc = kb_cli_char("--mode", o->mode, &p.mode);
    if (rc == CLI_OK && o->exp != NULL)
        rc = kb_cli_char("--export", o->exp, &p.exportability);
    if (rc == CLI_OK && o->version != NULL)
        rc = kb_cli_char("--version-id", o->version, &p.version);
    if (rc == CLI_OK)
        rc = cli_hex_arg("keyblock", "--kbpk", o->kbpk, kbpk, sizeof(kbpk), &kl);
    if (rc == CLI_OK)
        rc = cli_hex_arg("keyblock", "--key", o->key, key, sizeof(key), &keyl);
    if (rc != CLI_OK)
        goto out;
    p.usage = o->usage;
    p.key_version = o->key_version;
    p.ksn = o->ksn;
    p.add_kcv = o->kcv;
    p.mask_key_len = o->mask;
    pos_errdetail_init(&d);
    rc = keyblock_wrap(kbpk, kl, &p, key, keyl, out, sizeof(out), &n, &d);
    if (rc != POS_OK) {
        rc = cli_error_pos(kb_cli_exit(rc), "keyblock", rc, &d);
        goto out;
    }
    fwrite(out, 1, n, stdout);
    fputc('\n', stdout);
    rc = CLI_OK;
out:
    pos_wipe(kbpk, sizeof(kbpk));
    pos_wipe(key, sizeof(key));
    return rc;
}

/* The check value of an unwrapped TDES or AES key; JSON null otherwise. */
static json_t *kb_cli_kcv(char alg, const uint8_t *key, size_t n)
{
    uint8_t kcv[KCV_LEN];
    enum block_alg a = alg == 'T' ? BLOCK_TDES : BLOCK_AES;

    if ((alg != 'T' && alg != 'A') || kcv_compute(a, key, n, kcv, KCV_LEN) != POS_OK)
        return json_null();
    return cli_json_hex(kcv, KCV_LEN);
}

static json_t *kb_cli_header_json(const struct keyblock_header *h)
{
    json_t *j = json_object(), *opt = json_object();
    char c[2] = {0, 0};
    unsigned i;

    if (j == NULL || opt == NULL) {
        json_decref(j);
        json_decref(opt);
        return NULL;
    }
    c[0] = h->version;
    json_object_set_new(j, "version", json_string(c));
    json_object_set_new(j, "usage", json_string(h->usage));
    c[0] = h->algorithm;
    json_object_set_new(j, "algorithm", json_string(c));
    c[0] = h->mode;
    json_object_set_new(j, "mode", json_string(c));
    json_object_set_new(j, "key_version", json_string(h->key_version));
    c[0] = h->exportability;
    json_object_set_new(j, "exportability", json_string(c));
    for (i = 0; i < h->opt_count && i < KEYBLOCK_MAX_OPT; i++)
        if (strcmp(h->opt[i].id, "PB") != 0)
            json_object_set_new(opt, h->opt[i].id,
                                json_stringn(h->opt[i].data, h->opt[i].data_len));
    json_object_set_new(j, "optional_blocks", opt);
    return j;
}

static int kb_cli_unwrap(const struct kb_cli_opts *o)
{
    struct keyblock_header h;
    struct pos_errdetail d;
    uint8_t kbpk[32], key[KEYBLOCK_MAX_KEY];
    size_t kl = 0, n = 0;
    char mode = 0;
    json_t *j;
    int rc;

    if (o->kbpk == NULL || o->block == NULL)
        return cli_error(CLI_USAGE, "keyblock", "unwrap needs --kbpk and --block");
    if (o->usage != NULL && strlen(o->usage) != 2)
        return cli_error(CLI_USAGE, "keyblock", "--usage must be two characters");
    rc = CLI_OK;
    if (o->mode != NULL)
        rc = kb_cli_char("--mode", o->mode, &mode);
    if (rc == CLI_OK)
        rc = cli_hex_arg("keyblock", "--kbpk", o->kbpk, kbpk, sizeof(kbpk), &kl);
    if (rc != CLI_OK)
        goto out;
    pos_errdetail_init(&d);
    rc = keyblock_unwrap_for(kbpk, kl, o->block, strlen(o->block), o->usage, mode, &h, key,
                             sizeof(key), &n, &d);
    if (rc != POS_OK) {
        rc = cli_error_pos(kb_cli_exit(rc), "keyblock", rc, &d);
        goto out;
    }
    j = kb_cli_header_json(&h);
    if (j != NULL) {
        json_object_set_new(j, "key", cli_json_hex(key, n));
        json_object_set_new(j, "kcv", kb_cli_kcv(h.algorithm, key, n));
    }
    rc = cli_print_json(j);
out:
    pos_wipe(kbpk, sizeof(kbpk));
    pos_wipe(key, sizeof(key));
    return rc;
}

int cmd_keyblock(int argc, char **argv)
{
    struct kb_cli_opts o;
    int rc;

    if (argc < 2)
        return cli_error(CLI_USAGE, "keyblock", "missing subcommand (wrap or unwrap)");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        kb_cli_usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "wrap") != 0 && strcmp(argv[1], "unwrap") != 0)
        return cli_error(CLI_USAGE, "keyblock", "unknown subcommand %s (wrap or unwrap)", argv[1]);
    rc = kb_cli_parse(argc - 1, argv + 1, &o);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    return strcmp(argv[1], "wrap") == 0 ? kb_cli_wrap(&o) : kb_cli_unwrap(&o);
}
