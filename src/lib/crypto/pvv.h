/*
 * pvv: PIN verification without storing PINs.
 *
 *   Visa PVV (Visa PIN Verification Value; Visa Payment Technology Standards
 *   Manual, "PVV generation algorithm"): the transformed security parameter
 *   TSP = the 11 rightmost PAN digits excluding the check digit || PVKI (one
 *   digit, 1..6) || the 4 leftmost PIN digits, 16 digits packed into 8
 *   bytes, TDES-encrypted under the PVK pair; the 16 hex digits of the
 *   result are decimalised by two scans (first the decimal digits left to
 *   right, then the digits A..F minus 10) and the first 4 form the PVV.
 *
 *   IBM 3624 PIN offset (IBM 3624 Consumer Transaction Facility; IBM CCA
 *   "IBM-PIN / IBM-PINO"): validation data (1..16 hex digits, padded on the
 *   right with the pad digit to 16) is encrypted under the PVK; each hex
 *   digit of the result is replaced through the 16-digit decimalisation
 *   table; the leftmost PIN-length digits are the natural PIN, and the
 *   offset is (customer PIN - natural PIN) mod 10, digit by digit.
 *
 * Verification recomputes and compares in constant time: POS_OK or
 * POS_ERR_PIN_MISMATCH. PINs and PANs are secrets: this module wipes its
 * copies; error details never hold them.
 *
 * A struct pvv_key keeps the PVK's cipher context so a host verifying many
 * PINs does not re-key (the hot path of bench/crypto); release it with
 * pvv_key_clear. No allocation besides OpenSSL's context in pvv_key_init.
 */
#ifndef POS_CRYPTO_PVV_H
#define POS_CRYPTO_PVV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/block.h"

#define PVV_LEN            4
#define PVV_PIN_MIN        4
#define PVV_PIN_MAX        12
#define PVV_DECTAB_DEFAULT "0123456789012345"

struct pvv_key {
    struct block_key bk; /* private */
};

/* Keys a PVK (TDES: 16 or 24 bytes; 8 for a single-DES IBM 3624 PVK).
 * Returns POS_OK, POS_ERR_KEY_LENGTH or POS_ERR_CRYPTO. */
int pvv_key_init(struct pvv_key *k, const uint8_t *pvk, size_t pvk_len);

/* Releases and wipes k. */
void pvv_key_clear(struct pvv_key *k);

/* Visa PVV of pin (pin_len digits, 4..12; the first 4 are used) for pan
 * (12..19 digits) under PVKI pvki (1..6), written as 4 digits and a NUL
 * into pvv (5 bytes). Returns POS_OK, POS_ERR_CARD_PAN, POS_ERR_PIN_LENGTH,
 * POS_ERR_DIGIT (a non-digit in the PIN), POS_ERR_RANGE (PVKI), POS_ERR_INVAL
 * or POS_ERR_CRYPTO. */
int pvv_visa_generate(struct pvv_key *k, const char *pan, size_t pan_len, unsigned pvki,
                      const char *pin, size_t pin_len, char pvv[PVV_LEN + 1]);

/* POS_OK when pvv (pvv_len characters, 4 digits) is the PVV of pin, else
 * POS_ERR_PIN_MISMATCH (constant-time compare). Input errors as
 * pvv_visa_generate, and POS_ERR_SYNTAX for a pvv that is not 4 digits. */
int pvv_visa_verify(struct pvv_key *k, const char *pan, size_t pan_len, unsigned pvki,
                    const char *pin, size_t pin_len, const char *pvv, size_t pvv_len);

/* IBM 3624 parameters. */
struct pvv_ibm3624 {
    const char *dectab;          /* 16 decimal digits; NULL: PVV_DECTAB_DEFAULT */
    const char *validation_data; /* 1..16 hex digits (often PAN digits) */
    size_t validation_len;
    char pad; /* hex digit padding validation data on the right */
};

/* The natural PIN of length pin_len (4..12) into out (pin_len + 1 bytes,
 * NUL-terminated). Returns POS_OK, POS_ERR_SYNTAX (decimalisation table,
 * validation data or pad), POS_ERR_PIN_LENGTH, POS_ERR_INVAL or
 * POS_ERR_CRYPTO. */
int pvv_ibm3624_natural_pin(struct pvv_key *k, const struct pvv_ibm3624 *p, size_t pin_len,
                            char *out);

/* The offset of pin (pin_len digits, 4..12) into offset (pin_len + 1 bytes,
 * NUL-terminated). Errors as pvv_ibm3624_natural_pin, and POS_ERR_DIGIT. */
int pvv_ibm3624_offset(struct pvv_key *k, const struct pvv_ibm3624 *p, const char *pin,
                       size_t pin_len, char *offset);

/* POS_OK when offset (offset_len digits, equal to pin_len) matches pin,
 * else POS_ERR_PIN_MISMATCH (constant time). POS_ERR_SYNTAX for an offset
 * that is not pin_len digits. */
int pvv_ibm3624_verify(struct pvv_key *k, const struct pvv_ibm3624 *p, const char *pin,
                       size_t pin_len, const char *offset, size_t offset_len);

#endif
