/* block: ECB/CBC block-cipher contexts over OpenSSL EVP. */
#include "crypto/block.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/provider.h>

#include "error.h"
#include "mem.h"

/* The providers pos_crypto_init loaded: the one process-wide state of
 * libpos, released at exit so leak checkers see a clean process. */
static OSSL_PROVIDER *pos__prov_default;
static OSSL_PROVIDER *pos__prov_legacy;

static void pos__crypto_unload(void)
{
    if (pos__prov_legacy != NULL)
        OSSL_PROVIDER_unload(pos__prov_legacy);
    if (pos__prov_default != NULL)
        OSSL_PROVIDER_unload(pos__prov_default);
    pos__prov_legacy = pos__prov_default = NULL;
}

int pos_crypto_init(void)
{
    if (pos__prov_default != NULL)
        return POS_OK;
    /* Loading any provider explicitly stops OpenSSL from loading the default
     * one implicitly, so both are named. */
    pos__prov_default = OSSL_PROVIDER_load(NULL, "default");
    if (pos__prov_default == NULL)
        return POS_ERR_CRYPTO;
    pos__prov_legacy = OSSL_PROVIDER_load(NULL, "legacy");
    atexit(pos__crypto_unload);
    return POS_OK;
}

size_t block_alg_block_len(enum block_alg alg)
{
    switch (alg) {
    case BLOCK_TDES:
        return 8;
    case BLOCK_AES:
    case BLOCK_SM4:
        return 16;
    }
    return 0;
}

bool block_alg_key_len_ok(enum block_alg alg, size_t key_len)
{
    switch (alg) {
    case BLOCK_TDES:
        return key_len == 8 || key_len == 16 || key_len == 24;
    case BLOCK_AES:
        return key_len == 16 || key_len == 24 || key_len == 32;
    case BLOCK_SM4:
        return key_len == 16;
    }
    return false;
}

static const char *block__cipher_name(enum block_alg alg, size_t key_len)
{
    switch (alg) {
    case BLOCK_TDES:
        /* Single and double length run as three-key EDE with K3 = K1 (and
         * K2 = K1 for single): ANSI X9.52 keying options 2 and 3. Plain DES
         * lives in OpenSSL 3's legacy provider; this needs only the default. */
        return "DES-EDE3-ECB";
    case BLOCK_AES:
        return key_len == 16 ? "AES-128-ECB" : key_len == 24 ? "AES-192-ECB" : "AES-256-ECB";
    case BLOCK_SM4:
        return "SM4-ECB";
    }
    return NULL;
}

/* The EVP key for alg: TDES keys are expanded to 24 bytes. */
static void block__evp_key(enum block_alg alg, const uint8_t *key, size_t key_len,
                           uint8_t out[BLOCK_MAX_KEY], size_t *out_len)
{
    if (alg == BLOCK_TDES) {
        if (key_len == 8) {
            memcpy(out, key, 8);
            memcpy(out + 8, key, 8);
            memcpy(out + 16, key, 8);
        } else if (key_len == 16) {
            memcpy(out, key, 16);
            memcpy(out + 16, key, 8);
        } else {
            memcpy(out, key, 24);
        }
        *out_len = 24;
        return;
    }
    memcpy(out, key, key_len);
    *out_len = key_len;
}

void block_key_clear(struct block_key *k)
{
    if (k == NULL)
        return;
    EVP_CIPHER_CTX_free(k->enc); /* frees the key schedule (cleansed by OpenSSL) */
    EVP_CIPHER_CTX_free(k->dec);
    EVP_CIPHER_free(k->cipher);
    memset(k, 0, sizeof(*k));
}

static int block__set_key(struct block_key *k, const uint8_t *key, size_t key_len)
{
    uint8_t ek[BLOCK_MAX_KEY];
    size_t ek_len = 0;
    int rc = POS_ERR_CRYPTO;

    block__evp_key(k->alg, key, key_len, ek, &ek_len);
    if ((size_t)EVP_CIPHER_get_key_length(k->cipher) != ek_len) {
        rc = POS_ERR_KEY_LENGTH;
        goto out;
    }
    if (k->key_len != 0) {
        /* Re-key: the contexts already hold the cipher; passing it again
         * would make OpenSSL tear them down and rebuild them. */
        if (EVP_EncryptInit_ex2(k->enc, NULL, ek, NULL, NULL) != 1 ||
            EVP_DecryptInit_ex2(k->dec, NULL, ek, NULL, NULL) != 1)
            goto out;
    } else {
        if (EVP_EncryptInit_ex2(k->enc, k->cipher, ek, NULL, NULL) != 1 ||
            EVP_DecryptInit_ex2(k->dec, k->cipher, ek, NULL, NULL) != 1)
            goto out;
        EVP_CIPHER_CTX_set_padding(k->enc, 0);
        EVP_CIPHER_CTX_set_padding(k->dec, 0);
    }
    k->key_len = key_len;
    rc = POS_OK;
out:
    pos_wipe(ek, sizeof(ek));
    return rc;
}

int block_key_init(struct block_key *k, enum block_alg alg, const uint8_t *key, size_t key_len)
{
    const char *name = block__cipher_name(alg, key_len);
    int rc = POS_ERR_CRYPTO;

    memset(k, 0, sizeof(*k));
    if (name == NULL)
        return POS_ERR_INVAL;
    if (key == NULL || !block_alg_key_len_ok(alg, key_len))
        return POS_ERR_KEY_LENGTH;
    k->alg = alg;
    k->cipher = EVP_CIPHER_fetch(NULL, name, NULL);
    k->enc = EVP_CIPHER_CTX_new();
    k->dec = EVP_CIPHER_CTX_new();
    if (k->cipher == NULL || k->enc == NULL || k->dec == NULL)
        goto out;
    rc = block__set_key(k, key, key_len);
out:
    if (rc != POS_OK)
        block_key_clear(k);
    return rc;
}

int block_key_rekey(struct block_key *k, const uint8_t *key, size_t key_len)
{
    if (k->cipher == NULL)
        return POS_ERR_INVAL;
    if (key == NULL || !block_alg_key_len_ok(k->alg, key_len))
        return POS_ERR_KEY_LENGTH;
    if (k->alg != BLOCK_TDES && key_len != k->key_len)
        return POS_ERR_KEY_LENGTH;
    /* For TDES the expanded key is always 24 bytes: the same cipher serves. */
    return block__set_key(k, key, key_len);
}

size_t block_key_block_len(const struct block_key *k)
{
    return block_alg_block_len(k->alg);
}

enum block_alg block_key_alg(const struct block_key *k)
{
    return k->alg;
}

static int block__update(EVP_CIPHER_CTX *ctx, size_t bl, const uint8_t *in, size_t len,
                         uint8_t *out)
{
    int outl = 0;

    if (ctx == NULL)
        return POS_ERR_INVAL;
    if (bl == 0 || len % bl != 0 || len > (size_t)0x7FFFFFF0)
        return POS_ERR_LENGTH;
    if (len == 0)
        return POS_OK;
    if (EVP_CipherUpdate(ctx, out, &outl, in, (int)len) != 1 || (size_t)outl != len)
        return POS_ERR_CRYPTO;
    return POS_OK;
}

int block_ecb_encrypt(struct block_key *k, const uint8_t *in, size_t len, uint8_t *out)
{
    return block__update(k->enc, block_key_block_len(k), in, len, out);
}

int block_ecb_decrypt(struct block_key *k, const uint8_t *in, size_t len, uint8_t *out)
{
    return block__update(k->dec, block_key_block_len(k), in, len, out);
}

void block_xor(uint8_t *a, const uint8_t *b, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        a[i] ^= b[i];
}

int block_cbc_encrypt(struct block_key *k, const uint8_t *iv, const uint8_t *in, size_t len,
                      uint8_t *out)
{
    uint8_t chain[BLOCK_MAX_LEN] = {0};
    size_t bl = block_key_block_len(k), off;
    int rc = POS_OK;

    if (bl == 0 || len % bl != 0)
        return POS_ERR_LENGTH;
    if (iv != NULL)
        memcpy(chain, iv, bl);
    for (off = 0; off < len; off += bl) {
        block_xor(chain, in + off, bl);
        rc = block_ecb_encrypt(k, chain, bl, chain);
        if (rc != POS_OK)
            break;
        memcpy(out + off, chain, bl);
    }
    pos_wipe(chain, sizeof(chain));
    return rc;
}

int block_cbc_decrypt(struct block_key *k, const uint8_t *iv, const uint8_t *in, size_t len,
                      uint8_t *out)
{
    uint8_t prev[BLOCK_MAX_LEN] = {0}, cur[BLOCK_MAX_LEN];
    size_t bl = block_key_block_len(k), off;
    int rc = POS_OK;

    if (bl == 0 || len % bl != 0)
        return POS_ERR_LENGTH;
    if (iv != NULL)
        memcpy(prev, iv, bl);
    for (off = 0; off < len; off += bl) {
        memcpy(cur, in + off, bl); /* in may alias out */
        rc = block_ecb_decrypt(k, cur, bl, out + off);
        if (rc != POS_OK)
            break;
        block_xor(out + off, prev, bl);
        memcpy(prev, cur, bl);
    }
    pos_wipe(prev, sizeof(prev));
    pos_wipe(cur, sizeof(cur));
    return rc;
}

int block_ecb(enum block_alg alg, const uint8_t *key, size_t key_len, bool encrypt,
              const uint8_t *in, size_t len, uint8_t *out)
{
    struct block_key k;
    int rc;

    rc = block_key_init(&k, alg, key, key_len);
    if (rc != POS_OK)
        return rc;
    rc = encrypt ? block_ecb_encrypt(&k, in, len, out) : block_ecb_decrypt(&k, in, len, out);
    block_key_clear(&k);
    return rc;
}
