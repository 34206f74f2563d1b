/* keyblock: ANSI X9.143 (TR-31) key blocks, versions B and D (see keyblock.h). */
#include "crypto/keyblock.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "crypto/block.h"
#include "crypto/kcv.h"
#include "error.h"
#include "hex.h"
#include "mem.h"

/* Largest clear key data: the whole block is hex, so half of it. */
#define KB__DATA_MAX (KEYBLOCK_MAX_LEN / 2)

struct kb__usage {
    const char code[3];
    const char *name;
};

/* ANSI X9.143-2021 Table 2 (key usage), the entries a payment system meets. */
static const struct kb__usage kb__usages[] = {
    {"B0", "BDK base derivation key"},
    {"B1", "initial DUKPT key"},
    {"B2", "base key variant key"},
    {"B3", "key derivation key"},
    {"C0", "CVK card verification key"},
    {"D0", "symmetric data encryption"},
    {"D1", "asymmetric data encryption"},
    {"D2", "data encryption for decimalization table"},
    {"D3", "data encryption for sensitive data"},
    {"E0", "EMV/chip master key: application cryptograms"},
    {"E1", "EMV/chip master key: secure messaging for confidentiality"},
    {"E2", "EMV/chip master key: secure messaging for integrity"},
    {"E3", "EMV/chip master key: data authentication code"},
    {"E4", "EMV/chip master key: dynamic numbers"},
    {"E5", "EMV/chip master key: card personalization"},
    {"E6", "EMV/chip master key: other"},
    {"E7", "EMV asymmetric key pair master personalization key"},
    {"I0", "initialization vector"},
    {"K0", "key encryption or wrapping"},
    {"K1", "TR-31 key block protection key"},
    {"K2", "TR-34 asymmetric key"},
    {"K3", "asymmetric key for key agreement or wrapping"},
    {"K4", "ISO 20038 key block protection key"},
    {"M0", "ISO 16609 MAC algorithm 1 (TDEA)"},
    {"M1", "ISO 9797-1 MAC algorithm 1"},
    {"M2", "ISO 9797-1 MAC algorithm 2"},
    {"M3", "ISO 9797-1 MAC algorithm 3 (X9.19)"},
    {"M4", "ISO 9797-1 MAC algorithm 4"},
    {"M5", "ISO 9797-1:1999 MAC algorithm 5"},
    {"M6", "ISO 9797-1:2011 MAC algorithm 5 (CMAC)"},
    {"M7", "HMAC"},
    {"M8", "ISO 9797-1:2011 MAC algorithm 6"},
    {"P0", "PIN encryption"},
    {"S0", "asymmetric key pair for digital signature"},
    {"S1", "asymmetric key pair, CA key"},
    {"S2", "asymmetric key pair, non-X9.24 key"},
    {"V0", "PIN verification, other algorithm"},
    {"V1", "PIN verification, IBM 3624"},
    {"V2", "PIN verification, Visa PVV"},
    {"V3", "PIN verification, X9.132 algorithm 1"},
    {"V4", "PIN verification, X9.132 algorithm 2"},
};

const char *keyblock_usage_name(const char *usage)
{
    size_t i;

    if (usage == NULL)
        return NULL;
    for (i = 0; i < sizeof(kb__usages) / sizeof(kb__usages[0]); i++)
        if (usage[0] == kb__usages[i].code[0] && usage[0] != '\0' &&
            usage[1] == kb__usages[i].code[1])
            return kb__usages[i].name;
    return NULL;
}

static bool kb__is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool kb__is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A usage is known, or numeric (reserved for proprietary use). */
static bool kb__usage_ok(const char *u)
{
    return keyblock_usage_name(u) != NULL || (kb__is_digit(u[0]) && kb__is_digit(u[1]));
}

static bool kb__algorithm_ok(char c)
{
    return c != '\0' && strchr("ADEHRST", c) != NULL;
}

static bool kb__mode_ok(char c)
{
    return c != '\0' && strchr("BCDEGNSTVXY", c) != NULL;
}

static bool kb__export_ok(char c)
{
    return c == 'E' || c == 'N' || c == 'S';
}

bool keyblock_mode_permits(char have, char want)
{
    if (!kb__mode_ok(have) || !kb__mode_ok(want))
        return false;
    if (have == want || have == 'N')
        return true;
    if (have == 'B')
        return want == 'E' || want == 'D';
    if (have == 'C')
        return want == 'G' || want == 'V';
    if (have == 'T')
        return want == 'S' || want == 'D';
    return false;
}

/* The cipher behind a version: B is TDES, D is AES (X9.143-2021 §6.2). */
static enum block_alg kb__alg(char version)
{
    return version == 'B' ? BLOCK_TDES : BLOCK_AES;
}

static bool kb__kbpk_len_ok(char version, size_t len)
{
    if (version == 'B')
        return len == 16 || len == 24;
    return len == 16 || len == 24 || len == 32;
}

/* CMAC (NIST SP 800-38B) of a || b under key with the version's cipher;
 * writes the full block-size tag. TDES keys are expanded to K1K2K1. */
static int kb__cmac(char version, const uint8_t *key, size_t key_len, const uint8_t *a,
                    size_t a_len, const uint8_t *b, size_t b_len, uint8_t *mac)
{
    EVP_MAC *m = NULL;
    EVP_MAC_CTX *ctx = NULL;
    OSSL_PARAM params[2];
    uint8_t k[32];
    size_t kl = key_len, outl = 0, bl = block_alg_block_len(kb__alg(version));
    const char *cipher;
    int rc = POS_ERR_CRYPTO;

    memcpy(k, key, key_len);
    if (version == 'B') {
        cipher = "DES-EDE3-CBC";
        if (key_len == 16) {
            memcpy(k + 16, key, 8);
            kl = 24;
        }
    } else {
        cipher = key_len == 16 ? "AES-128-CBC" : key_len == 24 ? "AES-192-CBC" : "AES-256-CBC";
    }
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, (char *)cipher, 0);
    params[1] = OSSL_PARAM_construct_end();
    m = EVP_MAC_fetch(NULL, "CMAC", NULL);
    if (m == NULL || (ctx = EVP_MAC_CTX_new(m)) == NULL)
        goto out;
    if (EVP_MAC_init(ctx, k, kl, params) != 1 || EVP_MAC_update(ctx, a, a_len) != 1 ||
        (b_len > 0 && EVP_MAC_update(ctx, b, b_len) != 1) ||
        EVP_MAC_final(ctx, mac, &outl, bl) != 1 || outl != bl)
        goto out;
    rc = POS_OK;
out:
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(m);
    pos_wipe(k, sizeof(k));
    return rc;
}

/* TR-31-2018 §5.3.2: KBEK and KBAK from the KBPK, CMAC in counter mode over
 * the 8-byte input counter || usage (2) || 00 || algorithm (2) || bits (2). */
static int kb__derive(char version, const uint8_t *kbpk, size_t len, uint8_t kbek[32],
                      uint8_t kbak[32])
{
    uint8_t in[8], out[64];
    size_t bl = block_alg_block_len(kb__alg(version)), n, i, bits = len * 8;
    unsigned alg, use;
    int rc = POS_OK;

    if (version == 'B')
        alg = len == 16 ? 0 : 1;
    else
        alg = len == 16 ? 2 : len == 24 ? 3 : 4;
    n = (len + bl - 1) / bl;
    for (use = 0; use < 2 && rc == POS_OK; use++) {
        for (i = 0; i < n && rc == POS_OK; i++) {
            in[0] = (uint8_t)(i + 1);
            in[1] = 0;
            in[2] = (uint8_t)use;
            in[3] = 0;
            in[4] = 0;
            in[5] = (uint8_t)alg;
            in[6] = (uint8_t)(bits >> 8);
            in[7] = (uint8_t)bits;
            rc = kb__cmac(version, kbpk, len, in, sizeof(in), NULL, 0, out + i * bl);
        }
        if (rc == POS_OK)
            memcpy(use == 0 ? kbek : kbak, out, len);
    }
    pos_wipe(out, sizeof(out));
    return rc;
}

static int kb__bad(struct pos_errdetail *d, size_t off, const char *what)
{
    return pos_errdetail_set(d, POS_ERR_KEYBLOCK, -1, off, "%s", what);
}

static int kb__hexval(const char *s, size_t n, size_t *out)
{
    size_t i, v = 0;

    for (i = 0; i < n; i++) {
        int x = pos_hex_value(s[i]);
        if (x < 0)
            return -1;
        v = v * 16 + (size_t)x;
    }
    *out = v;
    return 0;
}

/* One optional block at off (X9.143-2021 §6.3): ID (2), length (2 hex), or
 * "00" + length-of-length (2 hex, in bytes: 1 or 2) + length; the length
 * counts the whole block. */
static int kb__parse_opt(const char *b, size_t len, size_t *off, struct keyblock_opt *o,
                         struct pos_errdetail *d)
{
    size_t p = *off, blen, hdr = 4, i;

    if (p > len || 4 > len - p)
        return kb__bad(d, p, "optional block truncated");
    if (!kb__is_alnum(b[p]) || !kb__is_alnum(b[p + 1]))
        return kb__bad(d, p, "optional block ID must be two alphanumerics");
    if (kb__hexval(b + p + 2, 2, &blen) != 0)
        return kb__bad(d, p + 2, "optional block length is not hex");
    if (blen == 0) {
        size_t ll;
        if (2 > len - p - 4 || kb__hexval(b + p + 4, 2, &ll) != 0 || ll == 0 || ll > 2)
            return kb__bad(d, p + 4, "optional block length-of-length invalid");
        if (2 * ll > len - p - 6 || kb__hexval(b + p + 6, 2 * ll, &blen) != 0)
            return kb__bad(d, p + 6, "optional block extended length invalid");
        hdr = 6 + 2 * ll;
    }
    if (blen < hdr)
        return kb__bad(d, p + 2, "optional block length shorter than its own header");
    if (blen > len - p)
        return kb__bad(d, p + 2, "optional block runs past the end of the block");
    for (i = p + hdr; i < p + blen; i++)
        if (b[i] < 0x20 || b[i] > 0x7E)
            return kb__bad(d, i, "optional block data is not printable ASCII");
    o->id[0] = b[p];
    o->id[1] = b[p + 1];
    o->id[2] = '\0';
    o->data = b + p + hdr;
    o->data_len = blen - hdr;
    *off = p + blen;
    return POS_OK;
}

int keyblock_header_parse(const char *b, size_t len, struct keyblock_header *h,
                          struct pos_errdetail *d)
{
    size_t i, off, bl, field_len;
    uint64_t v;

    if (b == NULL || h == NULL)
        return POS_ERR_INVAL;
    memset(h, 0, sizeof(*h));
    if (len < KEYBLOCK_HEADER_LEN)
        return kb__bad(d, len, "shorter than the 16-character header");
    if (len > KEYBLOCK_MAX_LEN)
        return kb__bad(d, 0, "longer than 9999 characters");
    for (i = 0; i < KEYBLOCK_HEADER_LEN; i++)
        if (!kb__is_alnum(b[i]))
            return kb__bad(d, i, "header must be alphanumeric");
    h->version = b[0];
    if (h->version == 'A' || h->version == 'C')
        return pos_errdetail_set(d, POS_ERR_UNSUPPORTED, -1, 0,
                                 "key block version %c (variant binding) is deprecated",
                                 h->version);
    if (h->version != 'B' && h->version != 'D')
        return pos_errdetail_set(d, POS_ERR_UNSUPPORTED, -1, 0, "key block version %c", h->version);
    if (pos_parse_digits_u64(b + 1, 4, &v) != POS_OK)
        return kb__bad(d, 1, "length field must be 4 digits");
    field_len = (size_t)v;
    h->length = field_len;
    if (field_len != len)
        return pos_errdetail_set(d, POS_ERR_KEYBLOCK, -1, 1,
                                 "length field says %zu, block has %zu characters", field_len, len);
    h->usage[0] = b[5];
    h->usage[1] = b[6];
    h->algorithm = b[7];
    h->mode = b[8];
    h->key_version[0] = b[9];
    h->key_version[1] = b[10];
    h->exportability = b[11];
    h->reserved[0] = b[14];
    h->reserved[1] = b[15];
    if (!kb__usage_ok(h->usage))
        return kb__bad(d, 5, "unknown key usage");
    if (!kb__algorithm_ok(h->algorithm))
        return kb__bad(d, 7, "unknown algorithm");
    if (!kb__mode_ok(h->mode))
        return kb__bad(d, 8, "unknown mode of use");
    if (!kb__export_ok(h->exportability))
        return kb__bad(d, 11, "exportability must be E, N or S");
    if (pos_parse_digits_u64(b + 12, 2, &v) != POS_OK)
        return kb__bad(d, 12, "optional block count must be 2 digits");
    h->opt_count = (unsigned)v;
    if (!kb__is_digit(b[14]) || !kb__is_digit(b[15]))
        return kb__bad(d, 14, "reserved field must be 2 digits");
    off = KEYBLOCK_HEADER_LEN;
    for (i = 0; i < h->opt_count; i++) {
        struct keyblock_opt tmp = {{0}, NULL, 0};
        int rc = kb__parse_opt(b, len, &off, &tmp, d);
        if (rc != POS_OK)
            return rc;
        if (i < KEYBLOCK_MAX_OPT)
            h->opt[i] = tmp;
        else if (strcmp(tmp.id, "PB") != 0)
            return kb__bad(d, off, "more than 16 optional blocks");
    }
    h->header_len = off;
    bl = block_alg_block_len(kb__alg(h->version));
    if (off % bl != 0)
        return pos_errdetail_set(d, POS_ERR_KEYBLOCK, -1, off,
                                 "header with optional blocks is %zu characters, not a multiple "
                                 "of %zu",
                                 off, bl);
    return POS_OK;
}

bool keyblock_opt_find(const struct keyblock_header *h, const char *id, const char **data,
                       size_t *len)
{
    unsigned i, n;

    if (h == NULL || id == NULL)
        return false;
    n = h->opt_count < KEYBLOCK_MAX_OPT ? h->opt_count : KEYBLOCK_MAX_OPT;
    for (i = 0; i < n; i++) {
        if (h->opt[i].id[0] == id[0] && h->opt[i].id[1] == id[1] && id[0] != '\0') {
            if (data != NULL)
                *data = h->opt[i].data;
            if (len != NULL)
                *len = h->opt[i].data_len;
            return true;
        }
    }
    return false;
}

/* Key lengths allowed for a wrapped key of algorithm alg; 0 max = any. */
static bool kb__key_len_ok(char alg, size_t len, size_t *max)
{
    *max = KEYBLOCK_MAX_KEY;
    if (alg == 'T') {
        *max = 24;
        return len == 8 || len == 16 || len == 24;
    }
    if (alg == 'A') {
        *max = 32;
        return len == 16 || len == 24 || len == 32;
    }
    return len >= 1 && len <= KEYBLOCK_MAX_KEY;
}

/* Appends an optional block id + 2-hex length + data at out[*off]. */
static int kb__put_opt(char *out, size_t cap, size_t *off, const char *id, const char *data,
                       size_t n)
{
    size_t blen = 4 + n;

    if (blen > 255 || *off > cap || blen > cap - *off)
        return POS_ERR_NOSPACE;
    out[*off] = id[0];
    out[*off + 1] = id[1];
    out[*off + 2] = "0123456789ABCDEF"[blen >> 4];
    out[*off + 3] = "0123456789ABCDEF"[blen & 15];
    memcpy(out + *off + 4, data, n);
    *off += blen;
    return POS_OK;
}

/* The KC block value: "00" + legacy KCV (TDES, 3 bytes) or "01" + CMAC KCV
 * (AES, 5 bytes) (X9.143-2021 §6.3, KC). */
static int kb__kc_value(char alg, const uint8_t *key, size_t key_len, char *val, size_t *n)
{
    uint8_t kcv[5];
    size_t kl = alg == 'A' ? 5 : 3;
    int rc;

    if (alg != 'A' && alg != 'T')
        return POS_ERR_UNSUPPORTED;
    rc = kcv_compute(alg == 'A' ? BLOCK_AES : BLOCK_TDES, key, key_len, kcv, kl);
    if (rc != POS_OK)
        return rc;
    val[0] = '0';
    val[1] = alg == 'A' ? '1' : '0';
    pos_hex_encode(kcv, kl, val + 2, 11);
    *n = 2 + 2 * kl;
    return POS_OK;
}

static int kb__check_params(const uint8_t *kbpk, size_t kbpk_len, const struct keyblock_params *p,
                            const char **kv, struct pos_errdetail *d)
{
    size_t i;

    if (p->version != 'B' && p->version != 'D')
        return pos_errdetail_set(d, POS_ERR_UNSUPPORTED, -1, POS_NO_OFFSET,
                                 "key block version must be B or D");
    if (kbpk == NULL || !kb__kbpk_len_ok(p->version, kbpk_len))
        return pos_errdetail_set(d, POS_ERR_KEY_LENGTH, -1, POS_NO_OFFSET,
                                 "KBPK of %zu bytes for version %c (B: 16 or 24, D: 16, 24 or 32)",
                                 kbpk_len, p->version);
    if (p->usage == NULL || strlen(p->usage) != 2 || !kb__usage_ok(p->usage))
        return kb__bad(d, 5, "unknown key usage");
    if (!kb__algorithm_ok(p->algorithm))
        return kb__bad(d, 7, "unknown algorithm");
    if (!kb__mode_ok(p->mode))
        return kb__bad(d, 8, "unknown mode of use");
    *kv = p->key_version != NULL ? p->key_version : "00";
    if (strlen(*kv) != 2 || !kb__is_alnum((*kv)[0]) || !kb__is_alnum((*kv)[1]))
        return kb__bad(d, 9, "key version must be two alphanumerics");
    if (!kb__export_ok(p->exportability))
        return kb__bad(d, 11, "exportability must be E, N or S");
    if (p->ksn != NULL) {
        size_t n = strlen(p->ksn);
        if (n == 0 || n > 250)
            return kb__bad(d, KEYBLOCK_HEADER_LEN, "KSN must be 1 to 250 hex digits");
        for (i = 0; i < n; i++)
            if (pos_hex_value(p->ksn[i]) < 0)
                return kb__bad(d, KEYBLOCK_HEADER_LEN, "KSN must be hex digits");
    }
    return POS_OK;
}

/* Writes the header and optional blocks into out; *hlen gets their length. */
static int kb__build_header(const struct keyblock_params *p, const char *kv, const uint8_t *key,
                            size_t key_len, char *out, size_t cap, size_t *hlen)
{
    char val[16];
    size_t off = KEYBLOCK_HEADER_LEN, n = 0, bl = block_alg_block_len(kb__alg(p->version));
    unsigned count = 0;
    int rc = POS_OK;

    if (cap < KEYBLOCK_HEADER_LEN)
        return POS_ERR_NOSPACE;
    memcpy(out, "X0000P0TE00E0000", KEYBLOCK_HEADER_LEN);
    out[0] = p->version;
    out[5] = p->usage[0];
    out[6] = p->usage[1];
    out[7] = p->algorithm;
    out[8] = p->mode;
    out[9] = kv[0];
    out[10] = kv[1];
    out[11] = p->exportability;
    if (p->ksn != NULL && rc == POS_OK) {
        rc = kb__put_opt(out, cap, &off, "KS", p->ksn, strlen(p->ksn));
        count++;
    }
    if (p->add_kcv && rc == POS_OK) {
        rc = kb__kc_value(p->algorithm, key, key_len, val, &n);
        if (rc == POS_OK)
            rc = kb__put_opt(out, cap, &off, "KC", val, n);
        count++;
    }
    if (count > 0 && off % bl != 0 && rc == POS_OK) {
        /* PB: pad the optional blocks to the cipher block size */
        size_t pad = bl - off % bl;
        if (pad < 4)
            pad += bl;
        memset(val, '0', sizeof(val));
        rc = kb__put_opt(out, cap, &off, "PB", val, pad - 4);
        count++;
    }
    out[12] = (char)('0' + count / 10);
    out[13] = (char)('0' + count % 10);
    *hlen = off;
    return rc;
}

int keyblock_wrap(const uint8_t *kbpk, size_t kbpk_len, const struct keyblock_params *p,
                  const uint8_t *key, size_t key_len, char *out, size_t cap, size_t *out_len,
                  struct pos_errdetail *d)
{
    uint8_t kbek[32], kbak[32], data[2 + KEYBLOCK_MAX_KEY + 32], mac[16];
    const char *kv = NULL;
    size_t hlen = 0, max = 0, eff, dlen, pad, bl, total, off;
    int rc;

    if (p == NULL || key == NULL || out == NULL || out_len == NULL)
        return POS_ERR_INVAL;
    rc = kb__check_params(kbpk, kbpk_len, p, &kv, d);
    if (rc != POS_OK)
        return rc;
    if (!kb__key_len_ok(p->algorithm, key_len, &max))
        return pos_errdetail_set(d, POS_ERR_KEY_LENGTH, -1, POS_NO_OFFSET,
                                 "a %zu-byte key for algorithm %c", key_len, p->algorithm);
    bl = block_alg_block_len(kb__alg(p->version));
    eff = p->mask_key_len ? max : key_len;
    dlen = (2 + eff + bl - 1) / bl * bl;
    pad = dlen - 2 - key_len;
    rc = kb__build_header(p, kv, key, key_len, out, cap, &hlen);
    if (rc == POS_ERR_NOSPACE)
        return POS_ERR_NOSPACE;
    if (rc != POS_OK)
        return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "cannot build the KC block");
    total = hlen + 2 * dlen + 2 * bl;
    if (total > KEYBLOCK_MAX_LEN)
        return kb__bad(d, 1, "block would exceed 9999 characters");
    if (total >= cap)
        return POS_ERR_NOSPACE;
    if (p->padding != NULL && p->padding_len < pad)
        return POS_ERR_INVAL;
    /* the length field, now known (X9.143-2021 §6.2: 4 decimal digits) */
    out[1] = (char)('0' + total / 1000);
    out[2] = (char)('0' + total / 100 % 10);
    out[3] = (char)('0' + total / 10 % 10);
    out[4] = (char)('0' + total % 10);
    data[0] = (uint8_t)((key_len * 8) >> 8);
    data[1] = (uint8_t)(key_len * 8);
    memcpy(data + 2, key, key_len);
    if (p->padding != NULL)
        memcpy(data + 2 + key_len, p->padding, pad);
    else if (RAND_bytes(data + 2 + key_len, (int)pad) != 1)
        rc = POS_ERR_CRYPTO;
    if (rc == POS_OK)
        rc = kb__derive(p->version, kbpk, kbpk_len, kbek, kbak);
    /* MAC over header || clear key data; it is also the CBC IV */
    if (rc == POS_OK)
        rc = kb__cmac(p->version, kbak, kbpk_len, (const uint8_t *)out, hlen, data, dlen, mac);
    if (rc == POS_OK) {
        struct block_key k;
        rc = block_key_init(&k, kb__alg(p->version), kbek, kbpk_len);
        if (rc == POS_OK)
            rc = block_cbc_encrypt(&k, mac, data, dlen, data);
        block_key_clear(&k);
    }
    if (rc == POS_OK) {
        off = hlen;
        pos_hex_encode(data, dlen, out + off, cap - off);
        off += 2 * dlen;
        pos_hex_encode(mac, bl, out + off, cap - off);
        *out_len = total;
    } else {
        pos_wipe(out, cap);
    }
    pos_wipe(kbek, sizeof(kbek));
    pos_wipe(kbak, sizeof(kbak));
    pos_wipe(data, sizeof(data));
    pos_wipe(mac, sizeof(mac));
    return rc;
}

/* Verifies a KC block (when present and in a known format) against the
 * unwrapped key. */
static int kb__check_kc(const struct keyblock_header *h, const uint8_t *key, size_t key_len,
                        struct pos_errdetail *d)
{
    const char *v;
    size_t n, m;
    char want[16];
    int rc;

    if (!keyblock_opt_find(h, "KC", &v, &n) || (h->algorithm != 'A' && h->algorithm != 'T'))
        return POS_OK;
    if (n < 2 || (v[0] != '0') || (v[1] != '0' && v[1] != '1'))
        return POS_OK; /* a format this module does not know: nothing to check */
    if ((v[1] == '1') != (h->algorithm == 'A'))
        return POS_OK;
    rc = kb__kc_value(h->algorithm, key, key_len, want, &m);
    if (rc != POS_OK)
        return rc;
    if (n > m || n < 4 || CRYPTO_memcmp(want, v, n) != 0)
        return pos_errdetail_set(d, POS_ERR_KCV_MISMATCH, -1, POS_NO_OFFSET,
                                 "KC optional block does not match the key");
    return POS_OK;
}

/* Decrypts and authenticates; writes the clear key data into data. */
static int kb__open(const uint8_t *kbpk, size_t kbpk_len, const char *b,
                    const struct keyblock_header *h, uint8_t *data, size_t dlen, const uint8_t *mac,
                    struct pos_errdetail *d)
{
    uint8_t kbek[32], kbak[32], want[16];
    size_t bl = block_alg_block_len(kb__alg(h->version));
    struct block_key k;
    int rc;

    memset(&k, 0, sizeof(k));
    rc = kb__derive(h->version, kbpk, kbpk_len, kbek, kbak);
    if (rc == POS_OK)
        rc = block_key_init(&k, kb__alg(h->version), kbek, kbpk_len);
    if (rc == POS_OK)
        rc = block_cbc_decrypt(&k, mac, data, dlen, data);
    if (rc == POS_OK)
        rc = kb__cmac(h->version, kbak, kbpk_len, (const uint8_t *)b, h->header_len, data, dlen,
                      want);
    if (rc == POS_OK && CRYPTO_memcmp(want, mac, bl) != 0)
        rc = pos_errdetail_set(d, POS_ERR_KEYBLOCK_MAC, -1, h->length - 2 * bl,
                               "MAC does not verify (wrong KBPK or altered block)");
    block_key_clear(&k);
    pos_wipe(kbek, sizeof(kbek));
    pos_wipe(kbak, sizeof(kbak));
    pos_wipe(want, sizeof(want));
    return rc;
}

int keyblock_unwrap(const uint8_t *kbpk, size_t kbpk_len, const char *block, size_t len,
                    struct keyblock_header *h, uint8_t *key, size_t key_cap, size_t *key_len,
                    struct pos_errdetail *d)
{
    struct keyblock_header local;
    uint8_t data[KB__DATA_MAX], mac[16];
    size_t bl, rest, dlen = 0, klen, n;
    int rc;

    if (block == NULL || key == NULL || key_len == NULL)
        return POS_ERR_INVAL;
    *key_len = 0;
    memset(key, 0, key_cap);
    if (h == NULL)
        h = &local;
    rc = keyblock_header_parse(block, len, h, d);
    if (rc != POS_OK)
        return rc;
    if (kbpk == NULL || !kb__kbpk_len_ok(h->version, kbpk_len))
        return pos_errdetail_set(d, POS_ERR_KEY_LENGTH, -1, POS_NO_OFFSET,
                                 "KBPK of %zu bytes for version %c (B: 16 or 24, D: 16, 24 or 32)",
                                 kbpk_len, h->version);
    bl = block_alg_block_len(kb__alg(h->version));
    rest = len - h->header_len;
    if (rest < 2 * bl + 2 * bl || (rest - 2 * bl) % (2 * bl) != 0)
        return pos_errdetail_set(d, POS_ERR_KEYBLOCK, -1, h->header_len,
                                 "encrypted data and MAC of %zu characters do not fit %zu-byte "
                                 "blocks",
                                 rest, bl);
    if (pos_hex_decode(block + h->header_len, rest - 2 * bl, data, sizeof(data), &dlen) != POS_OK ||
        pos_hex_decode(block + len - 2 * bl, 2 * bl, mac, sizeof(mac), &n) != POS_OK) {
        rc = kb__bad(d, h->header_len, "encrypted data or MAC is not hex");
        goto out;
    }
    rc = kb__open(kbpk, kbpk_len, block, h, data, dlen, mac, d);
    if (rc != POS_OK)
        goto out;
    /* the key length field, in bits (X9.143-2021 §6.4), authenticated now */
    klen = ((size_t)data[0] << 8) | data[1];
    if (klen == 0 || klen % 8 != 0 || klen / 8 > dlen - 2) {
        rc = kb__bad(d, h->header_len, "key length field inconsistent with the data");
        goto out;
    }
    klen /= 8;
    if (klen > key_cap) {
        rc = POS_ERR_NOSPACE;
        goto out;
    }
    rc = kb__check_kc(h, data + 2, klen, d);
    if (rc != POS_OK)
        goto out;
    memcpy(key, data + 2, klen);
    *key_len = klen;
out:
    pos_wipe(data, sizeof(data));
    return rc;
}

int keyblock_unwrap_for(const uint8_t *kbpk, size_t kbpk_len, const char *block, size_t len,
                        const char *usage, char mode, struct keyblock_header *h, uint8_t *key,
                        size_t key_cap, size_t *key_len, struct pos_errdetail *d)
{
    struct keyblock_header local;
    int rc;

    if (h == NULL)
        h = &local;
    rc = keyblock_unwrap(kbpk, kbpk_len, block, len, h, key, key_cap, key_len, d);
    if (rc != POS_OK)
        return rc;
    if (usage != NULL && (usage[0] != h->usage[0] || usage[1] != h->usage[1]))
        rc = pos_errdetail_set(d, POS_ERR_KEY_USAGE, -1, 5, "key usage is %s, %.2s required",
                               h->usage, usage);
    else if (mode != 0 && !keyblock_mode_permits(h->mode, mode))
        rc = pos_errdetail_set(d, POS_ERR_KEY_USAGE, -1, 8, "mode of use %c does not permit %c",
                               h->mode, mode);
    if (rc != POS_OK) {
        pos_wipe(key, key_cap);
        *key_len = 0;
    }
    return rc;
}
