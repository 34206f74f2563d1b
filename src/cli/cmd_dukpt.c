/*
 * pos dukpt: DUKPT keys and PIN encipherment (DESIGN.md §6; docs/dukpt.md).
 *
 *   pos dukpt keys --bdk K --ksn KSN                 TDES (ANSI X9.24-1-2009)
 *     -> {"ipek","transaction","pin","mac_request","mac_response",
 *         "data_request","data_response"}
 *   pos dukpt keys --bdk K --ksn KSN --aes128|--aes256   AES (X9.24-3-2017)
 *     -> {"initial_key","pin","mac_generation","mac_verification",
 *         "data_encryption","data_decryption"}
 *   pos dukpt encrypt-pin --bdk K --ksn KSN --pin P --pan PAN [--aes128|--aes256]
 *     -> the enciphered PIN block (ISO 9564 format 0 for TDES, 4 for AES)
 *   pos dukpt decrypt-pin --bdk K --ksn KSN --block B --pan PAN [--aes128|--aes256]
 *     -> the PIN; exit 1 when the block is not valid for that PAN
 *   pos dukpt ksn-next --ksn KSN  -> the KSN a device uses next
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "crypto/block.h"
#include "crypto/dukpt.h"
#include "crypto/dukpt_aes.h"
#include "crypto/pinblock.h"
#include "error.h"
#include "hex.h"
#include "mem.h"

#define WHAT "dukpt"

struct dukpt_cli {
    const char *bdk, *ksn, *pin, *pan, *block;
    int aes; /* 0 (TDES), 128 or 256: the AES working keys' type */
    bool json;
    /* decoded */
    uint8_t bdk_bin[DUKPT_AES_MAX_KEY];
    size_t bdk_len;
    uint8_t ksn_bin[DUKPT_AES_KSN_LEN];
    size_t ksn_len;
};

static void dukpt_cli_usage(FILE *f)
{
    fputs("usage: pos dukpt keys --bdk K --ksn KSN [--aes128|--aes256]\n"
          "       pos dukpt encrypt-pin --bdk K --ksn KSN --pin P --pan PAN [--aes128|--aes256]"
          " [--json]\n"
          "       pos dukpt decrypt-pin --bdk K --ksn KSN --block B --pan PAN"
          " [--aes128|--aes256] [--json]\n"
          "       pos dukpt ksn-next --ksn KSN [--json]\n"
          "\n"
          "keys         the keys of one transaction as JSON. TDES (ANSI X9.24-1-2009):\n"
          "             ipek, transaction (current) key and its PIN, MAC and data variants.\n"
          "             AES (X9.24-3-2017, with --aes128 or --aes256): initial_key and the\n"
          "             working keys of that type for PIN, MAC and data\n"
          "encrypt-pin  the ISO 9564 PIN block enciphered under the transaction's PIN key:\n"
          "             format 0 (TDES) or format 4 (AES), as hex\n"
          "decrypt-pin  the reverse: the PIN of an enciphered block; exit 1 when the block\n"
          "             is not a valid block for that PAN (wrong key, KSN or PAN)\n"
          "ksn-next     the next KSN a device uses: counters of more than 10 (TDES) or 16\n"
          "             (AES) one-bits are skipped; exit 1 when the device is exhausted\n"
          "\n"
          "  --bdk K     base derivation key (hex): TDES 16 bytes; AES 16, 24 or 32 bytes\n"
          "              (AES-128, AES-192, AES-256: the BDK's type follows its length)\n"
          "  --ksn KSN   key serial number (hex): TDES 10 bytes (21-bit counter), AES 12\n"
          "              bytes (8-byte initial key ID, 32-bit counter)\n"
          "  --aes128, --aes256  AES DUKPT with working keys of that type (AES-256 needs an\n"
          "              AES-256 BDK); without either, TDES DUKPT\n"
          "  --pin P     4 to 12 digits\n"
          "  --pan PAN   the card number the PIN block binds\n"
          "  --block B   enciphered PIN block (hex; 8 bytes TDES, 16 bytes AES)\n"
          "  --json      print JSON ({\"pin_block\",\"ksn\"}, {\"pin\"} or {\"ksn\",\"counter\"})\n"
          "\n"
          "A KSN whose counter is 0 or has too many one-bits names no transaction: exit 1.\n",
          f);
}

/* Parses the options; returns CLI_OK, -1 after printing help, or an exit code. */
static int dukpt_cli_opts(int argc, char **argv, struct dukpt_cli *o)
{
    static const struct option opts[] = {
        {"bdk", required_argument, NULL, 'b'},   {"ksn", required_argument, NULL, 'k'},
        {"pin", required_argument, NULL, 'p'},   {"pan", required_argument, NULL, 'a'},
        {"block", required_argument, NULL, 'B'}, {"aes128", no_argument, NULL, '1'},
        {"aes256", no_argument, NULL, '2'},      {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    int c;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            dukpt_cli_usage(stdout);
            return -1;
        case 'b':
            o->bdk = optarg;
            break;
        case 'k':
            o->ksn = optarg;
            break;
        case 'p':
            o->pin = optarg;
            break;
        case 'a':
            o->pan = optarg;
            break;
        case 'B':
            o->block = optarg;
            break;
        case '1':
        case '2':
            if (o->aes != 0)
                return cli_error(CLI_USAGE, WHAT, "%s: give one of --aes128 and --aes256", argv[0]);
            o->aes = c == '1' ? 128 : 256;
            break;
        case 'j':
            o->json = true;
            break;
        case ':':
            return cli_error(CLI_USAGE, WHAT, "%s: option %s needs a value", argv[0],
                             argv[optind - 1]);
        default:
            return cli_error(CLI_USAGE, WHAT, "%s: unknown option %s (see pos dukpt --help)",
                             argv[0], argv[optind - 1]);
        }
    }
    if (optind != argc)
        return cli_error(CLI_USAGE, WHAT, "%s: unexpected argument %s (see pos dukpt --help)",
                         argv[0], argv[optind]);
    return CLI_OK;
}

/* Checks that the options the subcommand needs are there and decodes the BDK
 * and the KSN with their lengths for the scheme (TDES, or AES when o->aes). */
static int dukpt_cli_inputs(const char *sub, struct dukpt_cli *o, bool need_bdk)
{
    size_t want_ksn = o->aes ? DUKPT_AES_KSN_LEN : DUKPT_KSN_LEN;
    int rc;

    if (need_bdk && o->bdk == NULL)
        return cli_error(CLI_USAGE, WHAT, "%s: --bdk is required", sub);
    if (o->ksn == NULL)
        return cli_error(CLI_USAGE, WHAT, "%s: --ksn is required", sub);
    rc = cli_hex_arg(WHAT, "--ksn", o->ksn, o->ksn_bin, sizeof(o->ksn_bin), &o->ksn_len);
    if (rc != CLI_OK)
        return rc;
    if (o->ksn_len != want_ksn)
        return cli_error(
            CLI_USAGE, WHAT, "--ksn: a%s KSN is %zu bytes (%zu hex digits), got %zu bytes",
            o->aes ? "n AES DUKPT" : " TDES DUKPT", want_ksn, 2 * want_ksn, o->ksn_len);
    if (!need_bdk)
        return CLI_OK;
    rc = cli_hex_arg(WHAT, "--bdk", o->bdk, o->bdk_bin, sizeof(o->bdk_bin), &o->bdk_len);
    if (rc != CLI_OK)
        return rc;
    if (!o->aes && o->bdk_len != DUKPT_KEY_LEN)
        return cli_error(CLI_USAGE, WHAT,
                         "--bdk: a TDES BDK is 16 bytes (32 hex digits), got %zu bytes",
                         o->bdk_len);
    if (o->aes && o->bdk_len != 16 && o->bdk_len != 24 && o->bdk_len != 32)
        return cli_error(CLI_USAGE, WHAT, "--bdk: an AES BDK is 16, 24 or 32 bytes, got %zu bytes",
                         o->bdk_len);
    if (o->aes == 256 && o->bdk_len != 32)
        return cli_error(CLI_USAGE, WHAT,
                         "--aes256: AES-256 working keys need an AES-256 BDK (32 bytes; "
                         "X9.24-3-2017 6.1.3), got %zu bytes",
                         o->bdk_len);
    return CLI_OK;
}

/* A libpos failure of the derivation: an unusable KSN counter or exhaustion
 * is a failed operation (1), a key length bad input (2). */
static int dukpt_cli_fail(int rc, const struct pos_errdetail *d)
{
    int exit_code = rc == POS_ERR_KEY_LENGTH || rc == POS_ERR_INVAL ? CLI_USAGE : CLI_FAILED;

    return cli_error_pos(exit_code, WHAT, rc, d);
}

static int dukpt_cli_put(json_t *j, const char *name, const uint8_t *key, size_t len)
{
    json_t *v = cli_json_hex(key, len);

    return v != NULL && json_object_set_new(j, name, v) == 0 ? POS_OK : POS_ERR_NOMEM;
}

static int dukpt_cli_keys_tdes(struct dukpt_cli *o, json_t *j, struct pos_errdetail *d)
{
    static const struct {
        const char *name;
        enum dukpt_usage usage;
    } variants[] = {{"pin", DUKPT_USAGE_PIN},
                    {"mac_request", DUKPT_USAGE_MAC_REQUEST},
                    {"mac_response", DUKPT_USAGE_MAC_RESPONSE},
                    {"data_request", DUKPT_USAGE_DATA_REQUEST},
                    {"data_response", DUKPT_USAGE_DATA_RESPONSE}};
    uint8_t ipek[DUKPT_KEY_LEN], tk[DUKPT_KEY_LEN], wk[DUKPT_KEY_LEN];
    size_t i;
    int rc;

    rc = dukpt_ipek(o->bdk_bin, o->bdk_len, o->ksn_bin, ipek);
    if (rc == POS_OK)
        rc = dukpt_derive(ipek, o->ksn_bin, tk, d);
    if (rc == POS_OK)
        rc = dukpt_cli_put(j, "ipek", ipek, sizeof(ipek));
    if (rc == POS_OK)
        rc = dukpt_cli_put(j, "transaction", tk, sizeof(tk));
    for (i = 0; rc == POS_OK && i < sizeof(variants) / sizeof(variants[0]); i++) {
        rc = dukpt_variant(tk, variants[i].usage, wk);
        if (rc == POS_OK)
            rc = dukpt_cli_put(j, variants[i].name, wk, sizeof(wk));
    }
    pos_wipe(ipek, sizeof(ipek));
    pos_wipe(tk, sizeof(tk));
    pos_wipe(wk, sizeof(wk));
    return rc;
}

static int dukpt_cli_keys_aes(struct dukpt_cli *o, json_t *j, struct pos_errdetail *d)
{
    static const struct {
        const char *name;
        enum dukpt_aes_usage usage;
    } usages[] = {{"pin", DUKPT_AES_USAGE_PIN},
                  {"mac_generation", DUKPT_AES_USAGE_MAC_GENERATION},
                  {"mac_verification", DUKPT_AES_USAGE_MAC_VERIFICATION},
                  {"data_encryption", DUKPT_AES_USAGE_DATA_ENCRYPT},
                  {"data_decryption", DUKPT_AES_USAGE_DATA_DECRYPT}};
    enum dukpt_aes_key_type t = o->aes == 256 ? DUKPT_AES_AES256 : DUKPT_AES_AES128;
    uint8_t ik[DUKPT_AES_MAX_KEY], dk[DUKPT_AES_MAX_KEY], wk[DUKPT_AES_MAX_KEY];
    size_t i, wk_len = 0;
    int rc;

    rc = dukpt_aes_initial_key(o->bdk_bin, o->bdk_len, o->ksn_bin, ik);
    if (rc == POS_OK)
        rc = dukpt_aes_derive(ik, o->bdk_len, o->ksn_bin, dk, d);
    if (rc == POS_OK)
        rc = dukpt_cli_put(j, "initial_key", ik, o->bdk_len);
    for (i = 0; rc == POS_OK && i < sizeof(usages) / sizeof(usages[0]); i++) {
        rc = dukpt_aes_working_key(dk, o->bdk_len, o->ksn_bin, usages[i].usage, t, wk, sizeof(wk),
                                   &wk_len);
        if (rc == POS_OK)
            rc = dukpt_cli_put(j, usages[i].name, wk, wk_len);
    }
    pos_wipe(ik, sizeof(ik));
    pos_wipe(dk, sizeof(dk));
    pos_wipe(wk, sizeof(wk));
    return rc;
}

static int dukpt_cli_keys(struct dukpt_cli *o)
{
    struct pos_errdetail d;
    json_t *j = NULL;
    int rc;

    rc = dukpt_cli_inputs("keys", o, true);
    if (rc != CLI_OK)
        return rc;
    pos_errdetail_init(&d);
    j = json_object();
    if (j == NULL)
        return cli_error(CLI_FAILED, WHAT, "out of memory");
    rc = o->aes ? dukpt_cli_keys_aes(o, j, &d) : dukpt_cli_keys_tdes(o, j, &d);
    if (rc != POS_OK) {
        json_decref(j);
        return dukpt_cli_fail(rc, &d);
    }
    return cli_print_json(j);
}

/* Keys bk with the PIN key of the transaction: the TDES PIN variant, or the
 * AES PIN working key of the chosen type. */
static int dukpt_cli_pin_key(struct dukpt_cli *o, struct block_key *bk, struct pos_errdetail *d)
{
    enum dukpt_aes_key_type t = o->aes == 256 ? DUKPT_AES_AES256 : DUKPT_AES_AES128;
    uint8_t ik[DUKPT_AES_MAX_KEY], dk[DUKPT_AES_MAX_KEY], wk[DUKPT_AES_MAX_KEY];
    size_t wk_len = 0;
    int rc;

    if (o->aes) {
        rc = dukpt_aes_initial_key(o->bdk_bin, o->bdk_len, o->ksn_bin, ik);
        if (rc == POS_OK)
            rc = dukpt_aes_derive(ik, o->bdk_len, o->ksn_bin, dk, d);
        if (rc == POS_OK)
            rc = dukpt_aes_working_key(dk, o->bdk_len, o->ksn_bin, DUKPT_AES_USAGE_PIN, t, wk,
                                       sizeof(wk), &wk_len);
        if (rc == POS_OK)
            rc = block_key_init(bk, BLOCK_AES, wk, wk_len);
    } else {
        rc = dukpt_ipek(o->bdk_bin, o->bdk_len, o->ksn_bin, ik);
        if (rc == POS_OK)
            rc = dukpt_derive(ik, o->ksn_bin, dk, d);
        if (rc == POS_OK)
            rc = dukpt_variant(dk, DUKPT_USAGE_PIN, wk);
        if (rc == POS_OK)
            rc = block_key_init(bk, BLOCK_TDES, wk, DUKPT_KEY_LEN);
    }
    pos_wipe(ik, sizeof(ik));
    pos_wipe(dk, sizeof(dk));
    pos_wipe(wk, sizeof(wk));
    return rc;
}

/* A PIN block error: bad PIN or PAN text is bad input (2); a block that
 * does not decode for that PAN (wrong BDK, KSN or PAN) is a failed check (1).
 * Neither message carries the PIN or the PAN. */
static int dukpt_cli_pin_fail(int rc, bool encrypting)
{
    if (rc == POS_ERR_CARD_PAN)
        return cli_error(CLI_USAGE, WHAT, "--pan: %s (1 to 19 digits)", pos_strerror(rc));
    if (encrypting && (rc == POS_ERR_DIGIT || rc == POS_ERR_PIN_LENGTH))
        return cli_error(CLI_USAGE, WHAT, "--pin: %s (4 to 12 digits)", pos_strerror(rc));
    if (encrypting)
        return cli_error_pos(CLI_FAILED, WHAT, rc, NULL);
    return cli_error(CLI_FAILED, WHAT, "--block: %s (wrong BDK, KSN or PAN?)", pos_strerror(rc));
}

static int dukpt_cli_encrypt_pin(struct dukpt_cli *o)
{
    enum pinblock_format f = o->aes ? PINBLOCK_ISO4 : PINBLOCK_ISO0;
    struct pos_errdetail d;
    struct block_key bk;
    uint8_t block[PINBLOCK_MAX_LEN];
    char hex[2 * PINBLOCK_MAX_LEN + 1], ksn_hex[2 * DUKPT_AES_KSN_LEN + 1];
    size_t len = 0;
    json_t *j;
    int rc;

    memset(&bk, 0, sizeof(bk));
    rc = dukpt_cli_inputs("encrypt-pin", o, true);
    if (rc != CLI_OK)
        return rc;
    if (o->pin == NULL || o->pan == NULL)
        return cli_error(CLI_USAGE, WHAT, "encrypt-pin: --pin and --pan are required");
    pos_errdetail_init(&d);
    rc = dukpt_cli_pin_key(o, &bk, &d);
    if (rc != POS_OK) {
        rc = dukpt_cli_fail(rc, &d);
        goto out;
    }
    rc = pinblock_encrypt(&bk, f, o->pin, strlen(o->pin), o->pan, strlen(o->pan), block,
                          sizeof(block), &len);
    if (rc != POS_OK) {
        rc = dukpt_cli_pin_fail(rc, true);
        goto out;
    }
    pos_hex_encode(block, len, hex, sizeof(hex));
    if (o->json) {
        pos_hex_encode(o->ksn_bin, o->ksn_len, ksn_hex, sizeof(ksn_hex));
        j = json_object();
        if (j != NULL && (json_object_set_new(j, "pin_block", json_string(hex)) != 0 ||
                          json_object_set_new(j, "ksn", json_string(ksn_hex)) != 0)) {
            json_decref(j);
            j = NULL;
        }
        rc = cli_print_json(j);
    } else {
        puts(hex);
        rc = CLI_OK;
    }
out:
    block_key_clear(&bk);
    pos_wipe(block, sizeof(block));
    return rc;
}

static int dukpt_cli_decrypt_pin(struct dukpt_cli *o)
{
    enum pinblock_format f = o->aes ? PINBLOCK_ISO4 : PINBLOCK_ISO0;
    struct pos_errdetail d;
    struct block_key bk;
    uint8_t block[PINBLOCK_MAX_LEN];
    char pin[PINBLOCK_PIN_CAP];
    size_t len = 0, pin_len = 0;
    int rc;

    memset(&bk, 0, sizeof(bk));
    memset(pin, 0, sizeof(pin));
    rc = dukpt_cli_inputs("decrypt-pin", o, true);
    if (rc != CLI_OK)
        return rc;
    if (o->block == NULL || o->pan == NULL)
        return cli_error(CLI_USAGE, WHAT, "decrypt-pin: --block and --pan are required");
    rc = cli_hex_arg(WHAT, "--block", o->block, block, sizeof(block), &len);
    if (rc != CLI_OK)
        goto out;
    if (len != pinblock_format_len(f)) {
        rc = cli_error(CLI_USAGE, WHAT, "--block: a format %d PIN block is %zu bytes, got %zu",
                       (int)f, pinblock_format_len(f), len);
        goto out;
    }
    pos_errdetail_init(&d);
    rc = dukpt_cli_pin_key(o, &bk, &d);
    if (rc != POS_OK) {
        rc = dukpt_cli_fail(rc, &d);
        goto out;
    }
    rc = pinblock_decrypt(&bk, f, block, len, o->pan, strlen(o->pan), pin, sizeof(pin), &pin_len);
    if (rc != POS_OK) {
        rc = dukpt_cli_pin_fail(rc, false);
        goto out;
    }
    if (o->json) {
        json_t *j = json_object();
        if (j != NULL && json_object_set_new(j, "pin", json_stringn(pin, pin_len)) != 0) {
            json_decref(j);
            j = NULL;
        }
        rc = cli_print_json(j);
    } else {
        puts(pin);
        rc = CLI_OK;
    }
out:
    block_key_clear(&bk);
    pos_wipe(block, sizeof(block));
    pos_wipe(pin, sizeof(pin));
    return rc;
}

static int dukpt_cli_ksn_next(struct dukpt_cli *o)
{
    uint8_t next[DUKPT_AES_KSN_LEN];
    char hex[2 * DUKPT_AES_KSN_LEN + 1];
    unsigned long counter;
    int rc;

    if (o->ksn == NULL)
        return cli_error(CLI_USAGE, WHAT, "ksn-next: --ksn is required");
    rc = cli_hex_arg(WHAT, "--ksn", o->ksn, o->ksn_bin, sizeof(o->ksn_bin), &o->ksn_len);
    if (rc != CLI_OK)
        return rc;
    if (o->ksn_len == DUKPT_KSN_LEN && !o->aes) {
        rc = dukpt_ksn_next(o->ksn_bin, next);
        counter = dukpt_ksn_counter(next);
    } else if (o->ksn_len == DUKPT_AES_KSN_LEN) {
        rc = dukpt_aes_ksn_next(o->ksn_bin, next);
        counter = dukpt_aes_ksn_counter(next);
    } else {
        return cli_error(CLI_USAGE, WHAT,
                         "--ksn: a KSN is 10 bytes (TDES) or 12 bytes (AES), got %zu bytes",
                         o->ksn_len);
    }
    if (rc != POS_OK)
        return cli_error(CLI_FAILED, WHAT, "%s: no usable counter after %lX", pos_strerror(rc),
                         counter);
    pos_hex_encode(next, o->ksn_len, hex, sizeof(hex));
    if (o->json) {
        json_t *j = json_object();
        if (j != NULL && (json_object_set_new(j, "ksn", json_string(hex)) != 0 ||
                          json_object_set_new(j, "counter", json_integer((json_int_t)counter)))) {
            json_decref(j);
            j = NULL;
        }
        return cli_print_json(j);
    }
    puts(hex);
    return CLI_OK;
}

int cmd_dukpt(int argc, char **argv)
{
    struct dukpt_cli o;
    const char *sub;
    int rc;

    memset(&o, 0, sizeof(o));
    if (argc < 2)
        return cli_error(CLI_USAGE, WHAT, "missing subcommand (see pos dukpt --help)");
    sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        dukpt_cli_usage(stdout);
        return CLI_OK;
    }
    if (strcmp(sub, "keys") != 0 && strcmp(sub, "encrypt-pin") != 0 &&
        strcmp(sub, "decrypt-pin") != 0 && strcmp(sub, "ksn-next") != 0)
        return cli_error(CLI_USAGE, WHAT, "%s: unknown subcommand (see pos dukpt --help)", sub);
    rc = dukpt_cli_opts(argc - 1, argv + 1, &o);
    if (rc != CLI_OK) {
        rc = rc < 0 ? CLI_OK : rc;
    } else if (strcmp(sub, "keys") == 0) {
        rc = dukpt_cli_keys(&o);
    } else if (strcmp(sub, "encrypt-pin") == 0) {
        rc = dukpt_cli_encrypt_pin(&o);
    } else if (strcmp(sub, "decrypt-pin") == 0) {
        rc = dukpt_cli_decrypt_pin(&o);
    } else {
        rc = dukpt_cli_ksn_next(&o);
    }
    pos_wipe(o.bdk_bin, sizeof(o.bdk_bin));
    return rc;
}
