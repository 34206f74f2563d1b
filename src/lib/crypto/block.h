/*
 * block: keyed block-cipher contexts over OpenSSL EVP for the card-payment
 * algorithms: TDES (ANSI X9.52 / NIST SP 800-67; single-length DES is TDES
 * with K1 = K2 = K3), AES (FIPS 197) and SM4 (GB/T 32907-2016).
 *
 * Every payment algorithm in src/lib/crypto is written over these ECB
 * primitives (CBC is built from ECB here so one context serves both). A
 * struct block_key lives wherever its owner lives (stack, per-terminal
 * cache); it owns two EVP contexts (encrypt, decrypt) and must be released
 * with block_key_clear(), which also wipes them. Re-keying an initialised
 * context with block_key_rekey() reuses the contexts and the fetched cipher:
 * that is the fast path for DUKPT derivations.
 *
 * Keys: TDES 8, 16 or 24 bytes (expanded to K1K2K3); AES 16, 24 or 32; SM4 16.
 */
#ifndef POS_CRYPTO_BLOCK_H
#define POS_CRYPTO_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

enum block_alg {
    BLOCK_TDES = 1,
    BLOCK_AES = 2,
    BLOCK_SM4 = 3,
};

#define BLOCK_MAX_LEN 16 /* largest block size (AES, SM4) */
#define BLOCK_MAX_KEY 32 /* largest key (AES-256) */

struct block_key {
    enum block_alg alg; /* private: read with the accessors */
    size_t key_len;
    EVP_CIPHER *cipher;
    EVP_CIPHER_CTX *enc;
    EVP_CIPHER_CTX *dec;
};

/* Block size in bytes of alg (8 or 16), 0 for an unknown alg. */
size_t block_alg_block_len(enum block_alg alg);

/* true when key_len is a valid key length for alg. */
bool block_alg_key_len_ok(enum block_alg alg, size_t key_len);

/* Initialises k for alg under key (key_len bytes, see above). On failure k
 * is left cleared (block_key_clear on it is harmless). Returns POS_OK,
 * POS_ERR_KEY_LENGTH, POS_ERR_INVAL or POS_ERR_CRYPTO. */
int block_key_init(struct block_key *k, enum block_alg alg, const uint8_t *key, size_t key_len);

/* Replaces the key of an initialised k (same alg; for TDES any of 8/16/24,
 * for AES the same length as before). Returns POS_OK, POS_ERR_KEY_LENGTH or
 * POS_ERR_CRYPTO. */
int block_key_rekey(struct block_key *k, const uint8_t *key, size_t key_len);

/* Releases and wipes k's contexts; k may be zeroed or cleared already. */
void block_key_clear(struct block_key *k);

size_t block_key_block_len(const struct block_key *k);
enum block_alg block_key_alg(const struct block_key *k);

/* ECB over len bytes (a multiple of the block size; in and out may be the
 * same buffer). Returns POS_OK, POS_ERR_LENGTH or POS_ERR_CRYPTO. */
int block_ecb_encrypt(struct block_key *k, const uint8_t *in, size_t len, uint8_t *out);
int block_ecb_decrypt(struct block_key *k, const uint8_t *in, size_t len, uint8_t *out);

/* CBC over len bytes (a multiple of the block size; in == out allowed). iv
 * (block size bytes) is read, not changed; NULL means all zeros. */
int block_cbc_encrypt(struct block_key *k, const uint8_t *iv, const uint8_t *in, size_t len,
                      uint8_t *out);
int block_cbc_decrypt(struct block_key *k, const uint8_t *iv, const uint8_t *in, size_t len,
                      uint8_t *out);

/* One-shot ECB under key without keeping a context (slower; for
 * non-hot paths). encrypt selects the direction. */
int block_ecb(enum block_alg alg, const uint8_t *key, size_t key_len, bool encrypt,
              const uint8_t *in, size_t len, uint8_t *out);

/* Loads OpenSSL's default provider and, when installed, its legacy one
 * (single DES lives there; the X9.19 and ISO 9797-1 MACs run faster with
 * it, and fall back to TDES with K1 = K2 = K3 without it). Programs call this
 * once at start, before any thread uses libpos; it is the one process-wide
 * setting libpos makes. Returns POS_OK, or POS_ERR_CRYPTO when not even the
 * default provider loads. */
int pos_crypto_init(void);

/* XORs n bytes of b into a. */
void block_xor(uint8_t *a, const uint8_t *b, size_t n);

#endif
