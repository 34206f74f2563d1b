/*
 * panprot: PANs at rest. A PAN is stored encrypted and found by a keyed
 * hash, so the database holds no clear PAN and no unkeyed hash a dictionary
 * of PANs could reverse (PCI DSS v4.0 req. 3.5.1: strong cryptography,
 * keyed cryptographic hashes of the entire PAN).
 *
 *   lookup = HMAC-SHA-256(hash key, PAN digits)           (RFC 2104, FIPS 198-1)
 *            or HMAC-SM3 (GM/T 0004-2012) for the SM scheme
 *   stored = nonce (12, random) || AES-256-GCM ciphertext || tag (16)
 *            under the data key, with lookup as associated data
 *            (NIST SP 800-38D)
 *
 * The lookup value indexes the row and, as AAD, binds the ciphertext to it:
 * a stored PAN moved to another row does not decrypt. Decrypt verifies the
 * tag (POS_ERR_AUTH on any change to nonce, ciphertext, tag or lookup).
 * The data key and hash key are separate 32-byte keys (stored wrapped under
 * the LMK, usages D0 and M7). panprot_sm3 is the SM3 digest helper.
 *
 * Stateless, no allocation beyond OpenSSL's per-call contexts (and a
 * panprot_lookup_ctx's own, for hot paths). The clear PAN is a secret:
 * copies made here are wiped.
 */
#ifndef POS_CRYPTO_PANPROT_H
#define POS_CRYPTO_PANPROT_H

#include <stddef.h>
#include <stdint.h>

#define PANPROT_KEY_LEN    32
#define PANPROT_NONCE_LEN  12
#define PANPROT_TAG_LEN    16
#define PANPROT_LOOKUP_LEN 32
#define PANPROT_PAN_MAX    19
#define PANPROT_STORED_MAX (PANPROT_NONCE_LEN + PANPROT_PAN_MAX + PANPROT_TAG_LEN)
#define PANPROT_SM3_LEN    32

enum panprot_hash {
    PANPROT_HMAC_SHA256 = 1,
    PANPROT_HMAC_SM3 = 2,
};

struct panprot_keys {
    uint8_t data_key[PANPROT_KEY_LEN]; /* AES-256-GCM */
    uint8_t hash_key[PANPROT_KEY_LEN]; /* HMAC */
    enum panprot_hash hash;            /* 0 means PANPROT_HMAC_SHA256 */
};

/* Wipes k. */
void panprot_keys_clear(struct panprot_keys *k);

/* The lookup value of pan (12..19 digits) into lookup (32 bytes). Returns
 * POS_OK, POS_ERR_CARD_PAN, POS_ERR_INVAL or POS_ERR_CRYPTO. */
int panprot_lookup(const struct panprot_keys *k, const char *pan, size_t pan_len,
                   uint8_t lookup[PANPROT_LOOKUP_LEN]);

/* A reusable lookup: the HMAC keyed once (building and keying an HMAC
 * context costs several times the hash of a PAN). One thread at a time;
 * release with panprot_lookup_ctx_clear (which also wipes the key it
 * holds). */
struct panprot_lookup_ctx {
    void *mac; /* EVP_MAC_CTX *, NULL when not ready */
};

/* Keys c for k's lookups. POS_OK, POS_ERR_INVAL or POS_ERR_CRYPTO (c left
 * not ready). */
int panprot_lookup_ctx_init(struct panprot_lookup_ctx *c, const struct panprot_keys *k);

/* panprot_lookup on a ready context: the same value, the same errors. */
int panprot_lookup_with(struct panprot_lookup_ctx *c, const char *pan, size_t pan_len,
                        uint8_t lookup[PANPROT_LOOKUP_LEN]);

/* Releases c (ready, cleared or zeroed). */
void panprot_lookup_ctx_clear(struct panprot_lookup_ctx *c);

/* Encrypts pan into out (cap bytes, at most PANPROT_STORED_MAX: pan_len +
 * 28), *out_len bytes, and writes its lookup value. nonce: NULL for a fresh
 * random one (always, except in known-answer tests). Returns POS_OK,
 * POS_ERR_CARD_PAN, POS_ERR_NOSPACE, POS_ERR_INVAL or POS_ERR_CRYPTO. */
int panprot_encrypt(const struct panprot_keys *k, const char *pan, size_t pan_len,
                    const uint8_t *nonce, uint8_t *out, size_t cap, size_t *out_len,
                    uint8_t lookup[PANPROT_LOOKUP_LEN]);

/* Decrypts a stored value (len bytes) bound to lookup into pan (cap bytes;
 * NUL-terminated; *pan_len digits). Returns POS_OK, POS_ERR_AUTH (wrong
 * key, wrong lookup, or any altered byte), POS_ERR_LENGTH (too short or too
 * long to be a stored PAN), POS_ERR_NOSPACE, POS_ERR_INVAL or
 * POS_ERR_CRYPTO. pan is zeroed on failure. */
int panprot_decrypt(const struct panprot_keys *k, const uint8_t *stored, size_t len,
                    const uint8_t lookup[PANPROT_LOOKUP_LEN], char *pan, size_t cap,
                    size_t *pan_len);

/* Decrypts and masks for display (card_pan_mask: first 6, last 4) into out
 * (cap >= 20); the clear PAN never leaves this function. Errors as
 * panprot_decrypt. */
int panprot_decrypt_masked(const struct panprot_keys *k, const uint8_t *stored, size_t len,
                           const uint8_t lookup[PANPROT_LOOKUP_LEN], char *out, size_t cap);

/* SM3 (GM/T 0004-2012) of len bytes at data into out (32 bytes). Returns
 * POS_OK or POS_ERR_CRYPTO. */
int panprot_sm3(const uint8_t *data, size_t len, uint8_t out[PANPROT_SM3_LEN]);

#endif
