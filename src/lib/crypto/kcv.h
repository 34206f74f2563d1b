/*
 * kcv: key check values, the short fingerprint that lets two parties confirm
 * they hold the same key without revealing it.
 *
 *   TDES: the leftmost bytes of E(K, 00..00) over one 8-byte zero block
 *         (ANSI X9.24-1-2009 Annex A; the classic 6-hex-digit KCV).
 *   AES:  the leftmost bytes of AES-CMAC(K, 16 zero bytes), the CMAC-based
 *         KCV of ANSI X9.24-1-2017 §7.7 and ANSI X9.143 (TR-31) (NIST
 *         SP 800-38B / RFC 4493 CMAC).
 *   SM4:  the leftmost bytes of SM4(K, 16 zero bytes), as UnionPay terminals
 *         check SM4 working keys.
 *
 * The usual length is 3 bytes (6 hex digits); X9.24-1-2017 allows up to 5
 * for AES. Stateless: no allocation beyond OpenSSL's own per call.
 */
#ifndef POS_CRYPTO_KCV_H
#define POS_CRYPTO_KCV_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/block.h"

#define KCV_LEN 3 /* the customary check value length in bytes */

/* Writes the first out_len bytes (1..block size) of key's check value.
 * Returns POS_OK, POS_ERR_KEY_LENGTH, POS_ERR_INVAL or POS_ERR_CRYPTO. */
int kcv_compute(enum block_alg alg, const uint8_t *key, size_t key_len, uint8_t *out,
                size_t out_len);

/* POS_OK when key's first kcv_len check value bytes equal kcv (constant
 * time), POS_ERR_KCV_MISMATCH otherwise (or an error of kcv_compute). */
int kcv_verify(enum block_alg alg, const uint8_t *key, size_t key_len, const uint8_t *kcv,
               size_t kcv_len);

#endif
