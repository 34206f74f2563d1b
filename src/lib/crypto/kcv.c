/* kcv: key check values (TDES, AES CMAC-based, SM4). */
#include "crypto/kcv.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "error.h"
#include "mem.h"

/* AES-CMAC of one zero block (NIST SP 800-38B §6.2, RFC 4493 §2.4). */
static int kcv__aes_cmac_zero(const uint8_t *key, size_t key_len, uint8_t mac[16])
{
    static const uint8_t zero[16];
    EVP_MAC *m = NULL;
    EVP_MAC_CTX *ctx = NULL;
    OSSL_PARAM params[2];
    const char *cipher = key_len == 16 ? "AES-128-CBC" : key_len == 24 ? "AES-192-CBC"
                                                                       : "AES-256-CBC";
    size_t outl = 0;
    int rc = POS_ERR_CRYPTO;

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, (char *)cipher, 0);
    params[1] = OSSL_PARAM_construct_end();
    m = EVP_MAC_fetch(NULL, "CMAC", NULL);
    if (m == NULL || (ctx = EVP_MAC_CTX_new(m)) == NULL)
        goto out;
    if (EVP_MAC_init(ctx, key, key_len, params) != 1 || EVP_MAC_update(ctx, zero, 16) != 1 ||
        EVP_MAC_final(ctx, mac, &outl, 16) != 1 || outl != 16)
        goto out;
    rc = POS_OK;
out:
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(m);
    return rc;
}

int kcv_compute(enum block_alg alg, const uint8_t *key, size_t key_len, uint8_t *out,
                size_t out_len)
{
    uint8_t block[BLOCK_MAX_LEN] = {0};
    size_t bl = block_alg_block_len(alg);
    int rc;

    if (bl == 0)
        return POS_ERR_INVAL;
    if (out_len == 0 || out_len > bl)
        return POS_ERR_LENGTH;
    if (key == NULL || !block_alg_key_len_ok(alg, key_len))
        return POS_ERR_KEY_LENGTH;
    if (alg == BLOCK_AES)
        rc = kcv__aes_cmac_zero(key, key_len, block);
    else
        rc = block_ecb(alg, key, key_len, true, block, bl, block);
    if (rc == POS_OK)
        memcpy(out, block, out_len);
    pos_wipe(block, sizeof(block));
    return rc;
}

int kcv_verify(enum block_alg alg, const uint8_t *key, size_t key_len, const uint8_t *kcv,
               size_t kcv_len)
{
    uint8_t got[BLOCK_MAX_LEN];
    int rc = kcv_compute(alg, key, key_len, got, kcv_len);

    if (rc == POS_OK && CRYPTO_memcmp(got, kcv, kcv_len) != 0)
        rc = POS_ERR_KCV_MISMATCH;
    pos_wipe(got, sizeof(got));
    return rc;
}
