/* panprot: PAN encryption with a keyed-hash lookup (see panprot.h). */
#include "crypto/panprot.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "card.h"
#include "error.h"
#include "hex.h"
#include "mem.h"

void panprot_keys_clear(struct panprot_keys *k)
{
    if (k != NULL)
        pos_wipe(k, sizeof(*k));
}

static bool panprot__pan_ok(const char *pan, size_t len)
{
    return pan != NULL && len >= 12 && len <= PANPROT_PAN_MAX && pos_is_digits(pan, len);
}

int panprot_lookup_ctx_init(struct panprot_lookup_ctx *c, const struct panprot_keys *k)
{
    EVP_MAC *m;
    EVP_MAC_CTX *ctx = NULL;
    OSSL_PARAM params[2];
    const char *digest;

    if (c == NULL || k == NULL)
        return POS_ERR_INVAL;
    c->mac = NULL;
    digest = k->hash == PANPROT_HMAC_SM3 ? "SM3" : "SHA256";
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    m = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (m != NULL)
        ctx = EVP_MAC_CTX_new(m);
    EVP_MAC_free(m); /* the context keeps its own reference */
    if (ctx == NULL || EVP_MAC_init(ctx, k->hash_key, PANPROT_KEY_LEN, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        return POS_ERR_CRYPTO;
    }
    c->mac = ctx;
    return POS_OK;
}

int panprot_lookup_with(struct panprot_lookup_ctx *c, const char *pan, size_t pan_len,
                        uint8_t lookup[PANPROT_LOOKUP_LEN])
{
    size_t outl = 0;

    if (c == NULL || c->mac == NULL || lookup == NULL)
        return POS_ERR_INVAL;
    if (!panprot__pan_ok(pan, pan_len))
        return POS_ERR_CARD_PAN;
    /* a NULL key re-initialises with the key already set */
    if (EVP_MAC_init(c->mac, NULL, 0, NULL) != 1 ||
        EVP_MAC_update(c->mac, (const uint8_t *)pan, pan_len) != 1 ||
        EVP_MAC_final(c->mac, lookup, &outl, PANPROT_LOOKUP_LEN) != 1 ||
        outl != PANPROT_LOOKUP_LEN)
        return POS_ERR_CRYPTO;
    return POS_OK;
}

void panprot_lookup_ctx_clear(struct panprot_lookup_ctx *c)
{
    if (c == NULL)
        return;
    EVP_MAC_CTX_free(c->mac); /* OpenSSL cleanses the HMAC key */
    c->mac = NULL;
}

int panprot_lookup(const struct panprot_keys *k, const char *pan, size_t pan_len,
                   uint8_t lookup[PANPROT_LOOKUP_LEN])
{
    struct panprot_lookup_ctx c;
    int rc;

    if (k == NULL || lookup == NULL)
        return POS_ERR_INVAL;
    if (!panprot__pan_ok(pan, pan_len))
        return POS_ERR_CARD_PAN;
    rc = panprot_lookup_ctx_init(&c, k);
    if (rc == POS_OK)
        rc = panprot_lookup_with(&c, pan, pan_len, lookup);
    panprot_lookup_ctx_clear(&c);
    return rc;
}

/* AES-256-GCM (SP 800-38D) one-shot; encrypt selects the direction. For
 * decryption tag is read, for encryption written. */
static int panprot__gcm(bool encrypt, const uint8_t key[PANPROT_KEY_LEN], const uint8_t *nonce,
                        const uint8_t *aad, const uint8_t *in, size_t len, uint8_t *out,
                        uint8_t *tag)
{
    EVP_CIPHER_CTX *c = NULL;
    int n = 0, rc = POS_ERR_CRYPTO;

    c = EVP_CIPHER_CTX_new();
    if (c == NULL)
        goto out;
    if (EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, encrypt ? 1 : 0) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, PANPROT_NONCE_LEN, NULL) != 1 ||
        EVP_CipherInit_ex(c, NULL, NULL, key, nonce, -1) != 1 ||
        EVP_CipherUpdate(c, NULL, &n, aad, PANPROT_LOOKUP_LEN) != 1 ||
        EVP_CipherUpdate(c, out, &n, in, (int)len) != 1)
        goto out;
    if (!encrypt && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, PANPROT_TAG_LEN, tag) != 1)
        goto out;
    if (EVP_CipherFinal_ex(c, out + n, &n) != 1) {
        rc = encrypt ? POS_ERR_CRYPTO : POS_ERR_AUTH;
        goto out;
    }
    if (encrypt && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, PANPROT_TAG_LEN, tag) != 1)
        goto out;
    rc = POS_OK;
out:
    EVP_CIPHER_CTX_free(c);
    return rc;
}

int panprot_encrypt(const struct panprot_keys *k, const char *pan, size_t pan_len,
                    const uint8_t *nonce, uint8_t *out, size_t cap, size_t *out_len,
                    uint8_t lookup[PANPROT_LOOKUP_LEN])
{
    size_t need = PANPROT_NONCE_LEN + pan_len + PANPROT_TAG_LEN;
    int rc;

    if (k == NULL || out == NULL || out_len == NULL || lookup == NULL)
        return POS_ERR_INVAL;
    if (!panprot__pan_ok(pan, pan_len))
        return POS_ERR_CARD_PAN;
    if (cap < need)
        return POS_ERR_NOSPACE;
    rc = panprot_lookup(k, pan, pan_len, lookup);
    if (rc != POS_OK)
        return rc;
    if (nonce != NULL)
        memcpy(out, nonce, PANPROT_NONCE_LEN);
    else if (RAND_bytes(out, PANPROT_NONCE_LEN) != 1)
        return POS_ERR_CRYPTO;
    rc = panprot__gcm(true, k->data_key, out, lookup, (const uint8_t *)pan, pan_len,
                      out + PANPROT_NONCE_LEN, out + PANPROT_NONCE_LEN + pan_len);
    if (rc != POS_OK) {
        pos_wipe(out, need);
        pos_wipe(lookup, PANPROT_LOOKUP_LEN);
        return rc;
    }
    *out_len = need;
    return POS_OK;
}

int panprot_decrypt(const struct panprot_keys *k, const uint8_t *stored, size_t len,
                    const uint8_t lookup[PANPROT_LOOKUP_LEN], char *pan, size_t cap,
                    size_t *pan_len)
{
    uint8_t tag[PANPROT_TAG_LEN];
    size_t n;
    int rc;

    if (k == NULL || stored == NULL || lookup == NULL || pan == NULL || pan_len == NULL)
        return POS_ERR_INVAL;
    *pan_len = 0;
    if (len < PANPROT_NONCE_LEN + 12 + PANPROT_TAG_LEN || len > PANPROT_STORED_MAX)
        return POS_ERR_LENGTH;
    n = len - PANPROT_NONCE_LEN - PANPROT_TAG_LEN;
    if (cap < n + 1)
        return POS_ERR_NOSPACE;
    memcpy(tag, stored + len - PANPROT_TAG_LEN, PANPROT_TAG_LEN);
    rc = panprot__gcm(false, k->data_key, stored, lookup, stored + PANPROT_NONCE_LEN, n,
                      (uint8_t *)pan, tag);
    /* an authentic value always holds digits; anything else is not ours */
    if (rc == POS_OK && !pos_is_digits(pan, n))
        rc = POS_ERR_AUTH;
    if (rc == POS_OK) {
        pan[n] = '\0';
        *pan_len = n;
    } else {
        pos_wipe(pan, cap);
    }
    return rc;
}

int panprot_decrypt_masked(const struct panprot_keys *k, const uint8_t *stored, size_t len,
                           const uint8_t lookup[PANPROT_LOOKUP_LEN], char *out, size_t cap)
{
    char pan[PANPROT_PAN_MAX + 1];
    size_t n = 0;
    int rc;

    if (out == NULL)
        return POS_ERR_INVAL;
    rc = panprot_decrypt(k, stored, len, lookup, pan, sizeof(pan), &n);
    if (rc == POS_OK)
        rc = card_pan_mask(pan, n, out, cap);
    pos_wipe(pan, sizeof(pan));
    return rc;
}

int panprot_sm3(const uint8_t *data, size_t len, uint8_t out[PANPROT_SM3_LEN])
{
    EVP_MD *md = NULL;
    unsigned int n = 0;
    int rc = POS_ERR_CRYPTO;

    if ((data == NULL && len > 0) || out == NULL)
        return POS_ERR_INVAL;
    md = EVP_MD_fetch(NULL, "SM3", NULL);
    if (md != NULL && EVP_Digest(data, len, out, &n, md, NULL) == 1 && n == PANPROT_SM3_LEN)
        rc = POS_OK;
    EVP_MD_free(md);
    return rc;
}
