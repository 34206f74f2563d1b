/* mac: ISO/IEC 9797-1 MAC algorithms 1 and 3 (X9.19), CMAC (SP 800-38B),
 * and the China UnionPay POS ECB MACs (TDES and SM4), streaming over
 * reusable struct block_key contexts. */
#include "crypto/mac.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "error.h"
#include "hex.h"
#include "mem.h"

enum mac__kind { MAC__CBC, MAC__CMAC, MAC__CUP };

struct mac__info {
    enum mac_alg alg;
    const char *name;
    enum block_alg cipher;
    enum mac__kind kind;
};

static const struct mac__info mac__table[] = {
    {MAC_ISO9797_ALG1, "iso9797-1-alg1", BLOCK_TDES, MAC__CBC},
    {MAC_ISO9797_ALG3, "iso9797-1-alg3", BLOCK_TDES, MAC__CBC},
    {MAC_SM4_ALG1, "iso9797-1-alg1-sm4", BLOCK_SM4, MAC__CBC},
    {MAC_AES_CMAC, "aes-cmac", BLOCK_AES, MAC__CMAC},
    {MAC_TDES_CMAC, "tdes-cmac", BLOCK_TDES, MAC__CMAC},
    {MAC_SM4_CMAC, "sm4-cmac", BLOCK_SM4, MAC__CMAC},
    {MAC_CUP_ECB, "cup-ecb", BLOCK_TDES, MAC__CUP},
    {MAC_CUP_SM4, "cup-sm4", BLOCK_SM4, MAC__CUP},
};

#define MAC__COUNT (sizeof(mac__table) / sizeof(mac__table[0]))

static const struct mac__info *mac__find(enum mac_alg alg)
{
    size_t i;

    for (i = 0; i < MAC__COUNT; i++)
        if (mac__table[i].alg == alg)
            return &mac__table[i];
    return NULL;
}

int mac_alg_parse(const char *name, enum mac_alg *alg)
{
    size_t i;

    if (name == NULL)
        return POS_ERR_UNSUPPORTED;
    if (strcmp(name, "x919") == 0) {
        *alg = MAC_ISO9797_ALG3;
        return POS_OK;
    }
    for (i = 0; i < MAC__COUNT; i++) {
        if (strcmp(name, mac__table[i].name) == 0) {
            *alg = mac__table[i].alg;
            return POS_OK;
        }
    }
    return POS_ERR_UNSUPPORTED;
}

const char *mac_alg_name(enum mac_alg alg)
{
    const struct mac__info *in = mac__find(alg);

    return in != NULL ? in->name : "unknown";
}

size_t mac_alg_len(enum mac_alg alg)
{
    const struct mac__info *in = mac__find(alg);

    if (in == NULL)
        return 0;
    return in->kind == MAC__CUP ? 8 : block_alg_block_len(in->cipher);
}

bool mac_alg_key_len_ok(enum mac_alg alg, size_t key_len)
{
    switch (alg) {
    case MAC_ISO9797_ALG1:
        return key_len == 8 || key_len == 16 || key_len == 24;
    case MAC_ISO9797_ALG3: /* K || K' */
        return key_len == 16;
    case MAC_TDES_CMAC: /* SP 800-38B names TDEA keying options 1 and 2 */
        return key_len == 16 || key_len == 24;
    case MAC_CUP_ECB: /* single or double length MAK */
        return key_len == 8 || key_len == 16;
    case MAC_AES_CMAC:
        return key_len == 16 || key_len == 24 || key_len == 32;
    case MAC_SM4_ALG1:
    case MAC_SM4_CMAC:
    case MAC_CUP_SM4:
        return key_len == 16;
    }
    return false;
}

static enum mac__kind mac__kind_of(const struct mac_ctx *ctx)
{
    return (enum mac__kind)ctx->kind;
}

static const uint8_t mac__zero_iv[8];

/* Plain single DES-CBC from OpenSSL's legacy provider when the program
 * loaded it into the default library context; NULL otherwise (the error a
 * failed fetch queues is dropped so callers' error queues stay clean). The
 * CBC context chains the message blocks itself, so a run of blocks costs one
 * EVP call instead of one per block (ISO 9797-1 §7.2 iterations). */
static EVP_CIPHER_CTX *mac__des_new(void)
{
    EVP_CIPHER *c;
    EVP_CIPHER_CTX *x;

    ERR_set_mark();
    c = EVP_CIPHER_fetch(NULL, "DES-CBC", NULL);
    ERR_pop_to_mark();
    if (c == NULL)
        return NULL;
    x = EVP_CIPHER_CTX_new();
    if (x != NULL && EVP_EncryptInit_ex2(x, c, NULL, NULL, NULL) != 1) {
        EVP_CIPHER_CTX_free(x);
        x = NULL;
    }
    EVP_CIPHER_free(c); /* the context holds its own reference */
    return x;
}

/* ctx->state = E(state) under the chaining key. */
static void mac__encrypt_state(struct mac_ctx *ctx)
{
    if (block_ecb_encrypt(&ctx->chain, ctx->state, ctx->bl, ctx->state) != POS_OK)
        ctx->failed = true;
}

/* n whole 8-byte blocks through the single-DES CBC context; the last
 * output is the new chaining value. */
static void mac__des_run(struct mac_ctx *ctx, const uint8_t *data, size_t n)
{
    uint8_t out[256];
    int outl = 0;
    size_t k;

    while (n > 0) {
        k = n < sizeof(out) / 8 ? n : sizeof(out) / 8;
        if (EVP_EncryptUpdate(ctx->des, out, &outl, data, (int)(k * 8)) != 1 ||
            outl != (int)(k * 8)) {
            ctx->failed = true;
            break;
        }
        memcpy(ctx->state, out + (k - 1) * 8, 8);
        data += k * 8;
        n -= k;
    }
    pos_wipe(out, sizeof(out));
}

/* One full block of the message: CBC step (§7.2 iteration) or, for the
 * UnionPay MACs, the plain XOR sum. */
static void mac__chain(struct mac_ctx *ctx, const uint8_t *blk)
{
    if (ctx->des != NULL && mac__kind_of(ctx) == MAC__CBC) {
        mac__des_run(ctx, blk, 1);
        return;
    }
    block_xor(ctx->state, blk, ctx->bl);
    if (mac__kind_of(ctx) != MAC__CUP)
        mac__encrypt_state(ctx);
}

/* CMAC subkey doubling in GF(2^n) (SP 800-38B §6.1): shift left one bit,
 * XOR R_b (0x87 for 128-bit blocks, 0x1B for 64-bit) when the top bit was
 * set. Branch-free on the secret bit. */
static void mac__dbl(const uint8_t *in, uint8_t *out, size_t bl)
{
    uint8_t rb = bl == 16 ? 0x87 : 0x1B;
    uint8_t mask = (uint8_t)(0 - (in[0] >> 7));
    size_t i;

    for (i = 0; i + 1 < bl; i++)
        out[i] = (uint8_t)((in[i] << 1) | (in[i + 1] >> 7));
    out[bl - 1] = (uint8_t)((in[bl - 1] << 1) ^ (rb & mask));
}

/* Everything that follows from the key once the block_keys hold it. */
static int mac__setup_key(struct mac_ctx *ctx, const uint8_t *key)
{
    uint8_t l[BLOCK_MAX_LEN] = {0};
    int rc = POS_OK;

    if (ctx->des != NULL) {
        if (EVP_EncryptInit_ex2(ctx->des, NULL, key, mac__zero_iv, NULL) != 1 ||
            EVP_CIPHER_CTX_set_padding(ctx->des, 0) != 1)
            rc = POS_ERR_CRYPTO;
    }
    if (rc == POS_OK && mac__kind_of(ctx) == MAC__CMAC) {
        /* L = E(K, 0^n); K1 = dbl(L); K2 = dbl(K1) */
        rc = block_ecb_encrypt(&ctx->chain, l, ctx->bl, l);
        if (rc == POS_OK) {
            mac__dbl(l, ctx->k1, ctx->bl);
            mac__dbl(ctx->k1, ctx->k2, ctx->bl);
        }
    }
    pos_wipe(l, sizeof(l));
    return rc;
}

void mac_reset(struct mac_ctx *ctx)
{
    pos_wipe(ctx->state, sizeof(ctx->state));
    pos_wipe(ctx->hold, sizeof(ctx->hold));
    ctx->hold_len = 0;
    ctx->total = 0;
    ctx->declared = 0;
    ctx->has_declared = false;
    ctx->failed = false;
    /* restart the single-DES chain from a zero IV, keeping its key */
    if (ctx->des != NULL && EVP_EncryptInit_ex2(ctx->des, NULL, NULL, mac__zero_iv, NULL) != 1)
        ctx->failed = true;
}

void mac_clear(struct mac_ctx *ctx)
{
    if (ctx == NULL)
        return;
    block_key_clear(&ctx->chain);
    block_key_clear(&ctx->final);
    EVP_CIPHER_CTX_free(ctx->des); /* cleanses its key schedule */
    pos_wipe(ctx, sizeof(*ctx));
}

int mac_init(struct mac_ctx *ctx, enum mac_alg alg, const uint8_t *key, size_t key_len,
             enum mac_padding pad)
{
    const struct mac__info *in = mac__find(alg);
    int rc;

    memset(ctx, 0, sizeof(*ctx));
    if (in == NULL || (unsigned)pad > MAC_PAD_3)
        return POS_ERR_INVAL;
    if (in->kind != MAC__CBC && pad != MAC_PAD_DEFAULT)
        return POS_ERR_INVAL;
    if (key == NULL || !mac_alg_key_len_ok(alg, key_len))
        return POS_ERR_KEY_LENGTH;
    ctx->alg = alg;
    ctx->kind = (int)in->kind;
    ctx->pad = in->kind == MAC__CBC && pad == MAC_PAD_DEFAULT ? MAC_PAD_1 : pad;
    ctx->bl = block_alg_block_len(in->cipher);
    if (alg == MAC_ISO9797_ALG3) {
        /* chain under K alone; the last block under K || K' (EDE) */
        rc = block_key_init(&ctx->chain, BLOCK_TDES, key, 8);
        if (rc == POS_OK)
            rc = block_key_init(&ctx->final, BLOCK_TDES, key, 16);
    } else {
        rc = block_key_init(&ctx->chain, in->cipher, key, key_len);
    }
    if (rc == POS_OK && (alg == MAC_ISO9797_ALG3 || (alg == MAC_ISO9797_ALG1 && key_len == 8)))
        ctx->des = mac__des_new();
    if (rc == POS_OK)
        rc = mac__setup_key(ctx, key);
    if (rc != POS_OK)
        mac_clear(ctx);
    return rc;
}

int mac_rekey(struct mac_ctx *ctx, const uint8_t *key, size_t key_len)
{
    int rc;

    if (mac__find(ctx->alg) == NULL || block_key_block_len(&ctx->chain) == 0)
        return POS_ERR_INVAL;
    if (key == NULL || !mac_alg_key_len_ok(ctx->alg, key_len)) {
        rc = POS_ERR_KEY_LENGTH;
        goto out;
    }
    mac_reset(ctx);
    if (ctx->alg == MAC_ISO9797_ALG3) {
        rc = block_key_rekey(&ctx->chain, key, 8);
        if (rc == POS_OK)
            rc = block_key_rekey(&ctx->final, key, 16);
    } else {
        rc = block_key_rekey(&ctx->chain, key, key_len);
    }
    if (rc == POS_OK && ctx->alg == MAC_ISO9797_ALG1 && key_len != 8 && ctx->des != NULL) {
        EVP_CIPHER_CTX_free(ctx->des); /* TDES key now: no single DES */
        ctx->des = NULL;
    } else if (rc == POS_OK && ctx->alg == MAC_ISO9797_ALG1 && key_len == 8 && ctx->des == NULL) {
        ctx->des = mac__des_new();
    }
    if (rc == POS_OK)
        rc = mac__setup_key(ctx, key);
out:
    if (rc != POS_OK)
        mac_clear(ctx);
    return rc;
}

int mac_set_length(struct mac_ctx *ctx, uint64_t len)
{
    uint64_t bits;
    size_t i;

    if (ctx->pad != MAC_PAD_3 || ctx->total != 0 || ctx->hold_len != 0)
        return POS_ERR_INVAL;
    if (len > UINT64_MAX / 8)
        return POS_ERR_RANGE;
    /* ISO/IEC 9797-1:2011 §6.3.3: a first block holding L_D in bits,
     * right-justified; it is chained like any other block. */
    bits = len * 8;
    memset(ctx->hold, 0, sizeof(ctx->hold));
    for (i = 0; i < 8; i++)
        ctx->hold[ctx->bl - 1 - i] = (uint8_t)(bits >> (8 * i));
    ctx->hold_len = ctx->bl;
    ctx->declared = len;
    ctx->has_declared = true;
    return POS_OK;
}

void mac_update(struct mac_ctx *ctx, const uint8_t *data, size_t len)
{
    size_t n;

    if (ctx->bl == 0)
        return; /* a cleared context: mac_final reports POS_ERR_INVAL */
    ctx->total += len;
    if (ctx->des != NULL && mac__kind_of(ctx) == MAC__CBC) {
        /* the fast path: every whole block but the last in one run */
        if (ctx->hold_len == ctx->bl && len > 0) {
            mac__chain(ctx, ctx->hold);
            ctx->hold_len = 0;
        }
        if (ctx->hold_len == 0 && len > ctx->bl) {
            n = (len - 1) / ctx->bl;
            mac__des_run(ctx, data, n);
            data += n * ctx->bl;
            len -= n * ctx->bl;
        }
    }
    while (len > 0) {
        /* keep the last block back: only final knows it is the last */
        if (ctx->hold_len == ctx->bl) {
            mac__chain(ctx, ctx->hold);
            ctx->hold_len = 0;
        }
        n = ctx->bl - ctx->hold_len;
        if (n > len)
            n = len;
        memcpy(ctx->hold + ctx->hold_len, data, n);
        ctx->hold_len += n;
        data += n;
        len -= n;
    }
}

/* Pads the held block with zeros (after an optional first byte). */
static void mac__pad_hold(struct mac_ctx *ctx, bool bit)
{
    if (bit)
        ctx->hold[ctx->hold_len++] = 0x80;
    memset(ctx->hold + ctx->hold_len, 0, ctx->bl - ctx->hold_len);
    ctx->hold_len = ctx->bl;
}

/* The CBC-MACs: padding, last block, output transformation. */
static void mac__final_cbc(struct mac_ctx *ctx, uint8_t *out)
{
    if (ctx->pad == MAC_PAD_2 && ctx->hold_len == ctx->bl) {
        mac__chain(ctx, ctx->hold); /* method 2 adds a whole block */
        ctx->hold_len = 0;
    }
    mac__pad_hold(ctx, ctx->pad == MAC_PAD_2);
    block_xor(ctx->state, ctx->hold, ctx->bl);
    if (ctx->alg == MAC_ISO9797_ALG3) {
        /* §7.4: G = E(K, D(K', H_q)); the last CBC step E(K, .) with it is
         * EDE under K || K' */
        if (block_ecb_encrypt(&ctx->final, ctx->state, 8, ctx->state) != POS_OK)
            ctx->failed = true;
    } else {
        mac__encrypt_state(ctx);
    }
    memcpy(out, ctx->state, ctx->bl);
}

/* SP 800-38B §6.2 steps 3-6. */
static void mac__final_cmac(struct mac_ctx *ctx, uint8_t *out)
{
    if (ctx->total > 0 && ctx->hold_len == ctx->bl) {
        block_xor(ctx->hold, ctx->k1, ctx->bl);
    } else {
        mac__pad_hold(ctx, true);
        block_xor(ctx->hold, ctx->k2, ctx->bl);
    }
    block_xor(ctx->state, ctx->hold, ctx->bl);
    mac__encrypt_state(ctx);
    memcpy(out, ctx->state, ctx->bl);
}

/* The UnionPay steps c) to h) after the XOR sum. */
static void mac__final_cup(struct mac_ctx *ctx, uint8_t *out)
{
    char hex[2 * BLOCK_MAX_LEN + 1];
    uint8_t blk[BLOCK_MAX_LEN];
    size_t bl = ctx->bl;

    if (ctx->hold_len > 0) {
        mac__pad_hold(ctx, false);
        block_xor(ctx->state, ctx->hold, bl);
    }
    /* c) the result block as 2*bl uppercase hex characters */
    pos_hex_encode(ctx->state, bl, hex, sizeof(hex));
    /* d) E(MAK, first half); e) XOR the second half; f) E(MAK, .) */
    memcpy(blk, hex, bl);
    if (block_ecb_encrypt(&ctx->chain, blk, bl, blk) != POS_OK)
        ctx->failed = true;
    block_xor(blk, (const uint8_t *)hex + bl, bl);
    if (block_ecb_encrypt(&ctx->chain, blk, bl, blk) != POS_OK)
        ctx->failed = true;
    /* g) as hex; h) the first 8 characters are the MAC */
    pos_hex_encode(blk, 4, hex, sizeof(hex));
    memcpy(out, hex, 8);
    pos_wipe(hex, sizeof(hex));
    pos_wipe(blk, sizeof(blk));
}

int mac_final(struct mac_ctx *ctx, uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t mac[MAC_MAX_LEN];
    size_t n = mac_alg_len(ctx->alg);
    int rc = POS_OK;

    if (n == 0) {
        rc = POS_ERR_INVAL;
        goto out;
    }
    if (cap < n) {
        rc = POS_ERR_NOSPACE;
        goto out;
    }
    if (ctx->pad == MAC_PAD_3 && (!ctx->has_declared || ctx->total != ctx->declared)) {
        rc = POS_ERR_LENGTH;
        goto out;
    }
    switch (mac__kind_of(ctx)) {
    case MAC__CBC:
        mac__final_cbc(ctx, mac);
        break;
    case MAC__CMAC:
        mac__final_cmac(ctx, mac);
        break;
    case MAC__CUP:
        mac__final_cup(ctx, mac);
        break;
    }
    if (ctx->failed) {
        rc = POS_ERR_CRYPTO;
        goto out;
    }
    memcpy(out, mac, n);
    *out_len = n;
out:
    if (rc != POS_OK && out != NULL)
        memset(out, 0, cap < n ? cap : n);
    if (n != 0)
        mac_reset(ctx);
    pos_wipe(mac, sizeof(mac));
    return rc;
}

int mac_verify(struct mac_ctx *ctx, const uint8_t *mac, size_t mac_len)
{
    uint8_t got[MAC_MAX_LEN];
    size_t got_len = 0;
    int rc = mac_final(ctx, got, sizeof(got), &got_len);

    if (rc != POS_OK)
        goto out;
    if (mac == NULL || mac_len < MAC_MIN_VERIFY || mac_len > got_len) {
        rc = POS_ERR_LENGTH;
        goto out;
    }
    if (CRYPTO_memcmp(got, mac, mac_len) != 0)
        rc = POS_ERR_MAC_MISMATCH;
out:
    pos_wipe(got, sizeof(got));
    return rc;
}

int mac_compute(enum mac_alg alg, const uint8_t *key, size_t key_len, enum mac_padding pad,
                const uint8_t *data, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    struct mac_ctx ctx;
    int rc;

    rc = mac_init(&ctx, alg, key, key_len, pad);
    if (rc != POS_OK)
        return rc;
    if (ctx.pad == MAC_PAD_3)
        rc = mac_set_length(&ctx, len);
    if (rc == POS_OK) {
        mac_update(&ctx, data, len);
        rc = mac_final(&ctx, out, cap, out_len);
    }
    mac_clear(&ctx);
    return rc;
}
