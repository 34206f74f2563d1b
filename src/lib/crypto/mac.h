/*
 * mac: message authentication codes of card payments, over messages of any
 * length, streaming, on reusable keyed contexts.
 *
 *   MAC_ISO9797_ALG1   ISO/IEC 9797-1:2011 §7.2 MAC algorithm 1 (CBC-MAC,
 *                      initial transformation 1, output transformation 1)
 *                      with DES (8-byte key: ANSI X9.9) or TDES (16/24).
 *   MAC_ISO9797_ALG3   ISO/IEC 9797-1:2011 §7.4 MAC algorithm 3 (the retail
 *                      MAC): CBC with single DES under K, then
 *                      G = E(K, D(K', H_q)); key K || K' (16 bytes). With
 *                      padding method 1 this is ANSI X9.19.
 *   MAC_SM4_ALG1       MAC algorithm 1 with SM4 (GB/T 15852.1-2020, the
 *                      Chinese adoption of ISO/IEC 9797-1), key 16 bytes.
 *   MAC_AES_CMAC       NIST SP 800-38B CMAC with AES (RFC 4493), 16/24/32.
 *   MAC_TDES_CMAC      NIST SP 800-38B CMAC with TDES (64-bit block), 16/24.
 *   MAC_SM4_CMAC       CMAC with SM4 (GB/T 15852.1-2020 MAC algorithm 5).
 *   MAC_CUP_ECB        the China UnionPay POS "ECB" MAC (中国银联 POS 终端
 *                      规范): XOR of the 8-byte blocks of the MAB (the last
 *                      zero-padded); the result as 16 uppercase hex
 *                      characters; E(MAK, first 8) XOR last 8; E(MAK, that);
 *                      as hex; the first 8 characters are the MAC. MAK is
 *                      8 bytes (DES) or 16 (TDES).
 *   MAC_CUP_SM4        the same with SM4 and 16-byte blocks (32 hex
 *                      characters, halves of 16); the MAC is again the first
 *                      8 characters. MAK 16 bytes.
 *
 * Padding (ISO/IEC 9797-1:2011 §6.3) for the three CBC-MAC algorithms:
 *   method 1: zero bits, as few as possible, but an empty message becomes
 *             one zero block; method 2: one 1 bit then zero bits (always
 *             adds at least one bit); method 3: a first block holding the
 *             message length in bits (big-endian), then the message with
 *             zero bits as for method 1 (none for an empty message). Method
 *             3 needs the length before the data: call mac_set_length().
 * CMAC pads itself (SP 800-38B §6.2); the UnionPay MACs zero-pad. For them
 * only MAC_PAD_DEFAULT is accepted.
 *
 * Output, the full MAC: the last cipher block for the CBC-MAC algorithms
 * and CMAC (8 bytes for DES/TDES, 16 for AES/SM4); callers truncate (ISO
 * 8583 field 64 carries the leftmost 8 bytes; X9.19 users often send 4).
 * For the UnionPay MACs the output is the 8 ASCII characters the spec calls
 * the MAC (uppercase hex digits of the first 4 bytes of the last block),
 * exactly the 8 bytes a CUP message carries in field 64.
 *
 * Speed: a struct mac_ctx owns its cipher contexts (struct block_key) and is
 * reused for every message under the same key (mac_final leaves it ready
 * for the next message; mac_rekey swaps keys). Algorithms 1 and 3 run single
 * DES for the CBC chain. OpenSSL 3 keeps plain DES in its legacy provider:
 * when the program has loaded it into the default library context
 * (OSSL_PROVIDER_load(NULL, "legacy") and "default"), the chain uses it;
 * otherwise the same single DES runs as TDES with K1 = K2 = K3 (identical
 * results, about 2.6 times slower).
 *
 * Keys are wiped with the contexts (mac_clear). No allocation besides
 * OpenSSL's own contexts.
 */
#ifndef POS_CRYPTO_MAC_H
#define POS_CRYPTO_MAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "crypto/block.h"

enum mac_alg {
    MAC_ISO9797_ALG1 = 1,
    MAC_ISO9797_ALG3 = 2,
    MAC_SM4_ALG1 = 3,
    MAC_AES_CMAC = 4,
    MAC_TDES_CMAC = 5,
    MAC_SM4_CMAC = 6,
    MAC_CUP_ECB = 7,
    MAC_CUP_SM4 = 8,
};

enum mac_padding {
    MAC_PAD_DEFAULT = 0, /* method 1 for the CBC-MACs; the algorithm's own otherwise */
    MAC_PAD_1 = 1,
    MAC_PAD_2 = 2,
    MAC_PAD_3 = 3,
};

#define MAC_MAX_LEN    16 /* longest full MAC (AES/SM4 block) */
#define MAC_MIN_VERIFY 4  /* shortest MAC mac_verify accepts (32 bits) */

/* A keyed MAC context. Fields are private. */
struct mac_ctx {
    enum mac_alg alg;
    enum mac_padding pad;
    int kind;                  /* CBC-MAC, CMAC or UnionPay */
    size_t bl;                 /* cipher block length */
    struct block_key chain;    /* CBC/CMAC/CUP cipher (alg 3: K alone) */
    struct block_key final;    /* alg 3: K || K' for the last block */
    EVP_CIPHER_CTX *des;       /* alg 1/3: legacy single DES, or NULL */
    uint8_t k1[BLOCK_MAX_LEN]; /* CMAC subkeys */
    uint8_t k2[BLOCK_MAX_LEN];
    uint8_t state[BLOCK_MAX_LEN]; /* chaining value or XOR sum */
    uint8_t hold[BLOCK_MAX_LEN];  /* the last, not yet chained, block */
    size_t hold_len;
    uint64_t total;    /* message bytes so far */
    uint64_t declared; /* padding 3: announced length */
    bool has_declared;
    bool failed; /* a cipher call failed: final reports it */
};

/* Parses an algorithm name as the CLI spells it: "x919" and
 * "iso9797-1-alg3", "iso9797-1-alg1", "iso9797-1-alg1-sm4", "aes-cmac",
 * "tdes-cmac", "sm4-cmac", "cup-ecb", "cup-sm4". Returns POS_OK or
 * POS_ERR_UNSUPPORTED. */
int mac_alg_parse(const char *name, enum mac_alg *alg);

/* The canonical name of alg ("iso9797-1-alg3", ...), or "unknown". */
const char *mac_alg_name(enum mac_alg alg);

/* Length of alg's full MAC in bytes (8 or 16), 0 for an unknown alg. */
size_t mac_alg_len(enum mac_alg alg);

/* true when key_len is a valid key length for alg (see the list above). */
bool mac_alg_key_len_ok(enum mac_alg alg, size_t key_len);

/* Initialises ctx for alg under key (key_len bytes; copied into the cipher
 * contexts, the caller keeps and wipes its own copy) with padding pad. On
 * failure ctx is left cleared. Returns POS_OK, POS_ERR_INVAL (unknown alg or
 * padding not allowed for alg), POS_ERR_KEY_LENGTH or POS_ERR_CRYPTO. */
int mac_init(struct mac_ctx *ctx, enum mac_alg alg, const uint8_t *key, size_t key_len,
             enum mac_padding pad);

/* Replaces ctx's key (same alg and padding, a valid length for alg) and
 * starts a new message, reusing the cipher contexts. On failure ctx is
 * cleared. Returns POS_OK, POS_ERR_INVAL, POS_ERR_KEY_LENGTH or
 * POS_ERR_CRYPTO. */
int mac_rekey(struct mac_ctx *ctx, const uint8_t *key, size_t key_len);

/* Drops the message in progress; the next update starts a new one. */
void mac_reset(struct mac_ctx *ctx);

/* Padding method 3 only: announces the message length (bytes) before the
 * first update. Returns POS_OK, POS_ERR_INVAL (not padding 3, or data
 * already given) or POS_ERR_RANGE (length in bits over 64 bits). */
int mac_set_length(struct mac_ctx *ctx, uint64_t len);

/* Feeds len bytes of the message (data may be NULL when len is 0). On a
 * cleared context it does nothing (mac_final then fails). */
void mac_update(struct mac_ctx *ctx, const uint8_t *data, size_t len);

/* Writes the full MAC (mac_alg_len bytes) to out (cap bytes) and starts a
 * new message under the same key. Returns POS_OK, POS_ERR_NOSPACE,
 * POS_ERR_LENGTH (padding 3: the data did not match the announced length,
 * or no length was announced) or POS_ERR_CRYPTO. out is zeroed on failure. */
int mac_final(struct mac_ctx *ctx, uint8_t *out, size_t cap, size_t *out_len);

/* Finishes the message like mac_final and compares its leftmost mac_len
 * bytes with mac in constant time. Returns POS_OK, POS_ERR_MAC_MISMATCH,
 * POS_ERR_LENGTH (mac_len under MAC_MIN_VERIFY or over the full MAC) or an
 * error of mac_final. */
int mac_verify(struct mac_ctx *ctx, const uint8_t *mac, size_t mac_len);

/* Releases and wipes ctx (which may be zeroed or cleared already). */
void mac_clear(struct mac_ctx *ctx);

/* One shot: init, (length,) update, final, clear. Returns what those
 * return. */
int mac_compute(enum mac_alg alg, const uint8_t *key, size_t key_len, enum mac_padding pad,
                const uint8_t *data, size_t len, uint8_t *out, size_t cap, size_t *out_len);

#endif
