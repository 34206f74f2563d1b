/*
 * cvv: card verification values CVV, CVV2 and iCVV (Visa CVV; Mastercard
 * calls the same algorithm CVC1/CVC2), under a CVK pair A/B (a double-length
 * TDES key KA || KB).
 *
 * The algorithm (Visa Payment Technology Standards Manual, "CVV generation";
 * the same in every HSM manual):
 *   1. data = PAN || expiry (YYMM) || service code, right-filled with '0' to
 *      32 digits, packed into two 8-byte blocks B1, B2;
 *   2. R = DES(KA, B1); R = R xor B2; R = DES(KA, DES^-1(KB, DES(KA, R)));
 *   3. decimalise the 16 hex digits of R (decimal digits left to right, then
 *      A..F minus 10) and keep the first 3.
 * CVV uses the track's service code; CVV2 uses "000"; iCVV (the chip's
 * track 2 equivalent) uses "999".
 *
 * Verification compares in constant time: POS_OK or POS_ERR_CVV_MISMATCH.
 * Stateless, no allocation; PAN copies are wiped.
 */
#ifndef POS_CRYPTO_CVV_H
#define POS_CRYPTO_CVV_H

#include <stddef.h>
#include <stdint.h>

#define CVV_LEN          3
#define CVV_CVK_LEN      16
#define CVV_SERVICE_CVV2 "000"
#define CVV_SERVICE_ICVV "999"

/* The 3-digit value into out (4 bytes, NUL-terminated) for pan (12..19
 * digits), expiry (4 digits, YYMM) and service_code (3 digits) under cvk
 * (16 bytes: KA || KB). Returns POS_OK, POS_ERR_KEY_LENGTH,
 * POS_ERR_CARD_PAN, POS_ERR_CARD_EXPIRY, POS_ERR_SYNTAX (service code),
 * POS_ERR_INVAL or POS_ERR_CRYPTO. */
int cvv_generate(const uint8_t *cvk, size_t cvk_len, const char *pan, size_t pan_len,
                 const char *expiry, const char *service_code, char out[CVV_LEN + 1]);

/* POS_OK when cvv (cvv_len characters, 3 digits) is the value for these
 * inputs, POS_ERR_CVV_MISMATCH when not (constant time), POS_ERR_SYNTAX for
 * a cvv that is not 3 digits, or an error of cvv_generate. */
int cvv_verify(const uint8_t *cvk, size_t cvk_len, const char *pan, size_t pan_len,
               const char *expiry, const char *service_code, const char *cvv, size_t cvv_len);

#endif
