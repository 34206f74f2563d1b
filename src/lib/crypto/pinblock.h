/*
 * pinblock: PIN blocks of ISO 9564-1:2017 §9 (formats 0, 1, 2, 3 and 4) and
 * the China UnionPay SM4 PIN block, clear and enciphered.
 *
 *   format 0 (§9.3.2)  PIN field (0, N, PIN, F fill) XOR PAN field (four 0
 *                      nibbles, then the 12 rightmost PAN digits excluding
 *                      the check digit, zero-padded on the left). 8 bytes.
 *   format 1 (§9.3.3)  PIN field (1, N, PIN, transaction field): the fill is
 *                      random here (RAND_bytes), any nibble 0-F. No PAN.
 *   format 2 (§9.3.4)  PIN field (2, N, PIN, F fill): ICC offline PIN. No PAN.
 *   format 3 (§9.3.5)  like format 0 with a random fill of nibbles A-F.
 *   format 4 (§9.4.2)  16 bytes for AES: PIN field (4, N, PIN, A fill to
 *                      nibble 15, then 8 random bytes); PAN field (M = PAN
 *                      length - 12, or 0 below 12 digits; then the whole
 *                      PAN, left-justified, zero fill; a PAN under 12 digits
 *                      is right-justified in the 12 digits after M);
 *                      enciphered block = E(K, E(K, PIN field) XOR PAN field)
 *                      (§9.4.2.3) and deciphered in reverse (§9.4.2.4).
 *                      The clear form of format 4 is the PIN field alone: the
 *                      PAN is bound only inside the encipherment.
 *   CUP SM4            the UnionPay SM4 PIN block: format 0 widened to the
 *                      16-byte SM4 block: PIN field (0, N, PIN, F fill to 32
 *                      nibbles) XOR PAN field (20 zero nibbles, then the 12
 *                      rightmost PAN digits excluding the check digit),
 *                      enciphered with SM4-ECB (GB/T 32907-2016).
 *
 * PINs are 4 to 12 decimal digits (§8.1); PANs 1 to 19 decimal digits
 * (ISO/IEC 7812-1), as ASCII text. Formats 0 to 3 encipher with TDES, format
 * 4 with AES, CUP SM4 with SM4; a key of another algorithm is POS_ERR_KEY.
 *
 * Decoding rules (what a caller sees for a bad block), checked nibble by
 * nibble from the left, the first failure deciding:
 *   - a nibble that does not depend on the PAN: wrong control nibble or a
 *     non-digit PIN nibble or a wrong fill -> POS_ERR_PIN_FORMAT; a length
 *     nibble outside 4..12 -> POS_ERR_PIN_LENGTH;
 *   - a nibble that the PAN field covers (formats 0 and 3: nibbles 4..15; CUP
 *     SM4: nibbles 20..31; enciphered format 4: every nibble, because the PAN
 *     is bound inside the encipherment) -> POS_ERR_PIN_PAN ("does not match
 *     the PAN"): a wrong PAN, a wrong key or a corrupted block cannot be told
 *     apart there.
 * Fill checks: F for formats 0, 2 and CUP SM4; A-F for format 3; A up to
 * nibble 15 for format 4; none for format 1 (its fill is arbitrary). A wrong
 * PAN that differs from the right one only under the PIN digits of a format
 * 0 or 3 block changes the PIN without breaking the fill: those formats
 * cannot detect it (format 4 and the fill checks catch everything else).
 *
 * Secrets: every PIN, PIN field and clear block in here lives on the stack
 * and is wiped (pos_wipe) on every path; PIN output buffers are wiped on
 * failure. No allocation; RAND_bytes for the random fills.
 */
#ifndef POS_CRYPTO_PINBLOCK_H
#define POS_CRYPTO_PINBLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/block.h"

enum pinblock_format {
    PINBLOCK_ISO0 = 0,
    PINBLOCK_ISO1 = 1,
    PINBLOCK_ISO2 = 2,
    PINBLOCK_ISO3 = 3,
    PINBLOCK_ISO4 = 4,
    PINBLOCK_CUP_SM4 = 16,
};

#define PINBLOCK_MAX_LEN 16 /* largest block (format 4, CUP SM4) */
#define PINBLOCK_PIN_MIN 4
#define PINBLOCK_PIN_MAX 12
#define PINBLOCK_PAN_MAX 19
#define PINBLOCK_PIN_CAP (PINBLOCK_PIN_MAX + 1) /* PIN digits and a NUL */

/* Block length in bytes of format f (8 or 16), 0 for an unknown format. */
size_t pinblock_format_len(enum pinblock_format f);

/* The cipher that enciphers format f (TDES, AES or SM4); 0 if unknown. */
enum block_alg pinblock_format_alg(enum pinblock_format f);

/* true when format f binds the PAN (0, 3, 4 and CUP SM4). */
bool pinblock_format_has_pan(enum pinblock_format f);

/* Builds the clear PIN block of format f for the PIN (pin_len ASCII digits)
 * and, for formats that bind it (not format 4, whose clear form is its PIN
 * field), the PAN (pan_len ASCII digits; ignored and may be NULL for formats
 * 1, 2 and 4). Writes pinblock_format_len(f) bytes to out (cap bytes).
 * Returns POS_OK, POS_ERR_INVAL (unknown format), POS_ERR_PIN_LENGTH,
 * POS_ERR_DIGIT (non-digit PIN), POS_ERR_CARD_PAN (PAN missing, non-digit or
 * over 19 digits), POS_ERR_NOSPACE or POS_ERR_CRYPTO (RAND_bytes). out is
 * wiped on failure. */
int pinblock_encode(enum pinblock_format f, const char *pin, size_t pin_len, const char *pan,
                    size_t pan_len, uint8_t *out, size_t cap, size_t *out_len);

/* Extracts the PIN from the clear block (len bytes) of format f, checked as
 * the header describes, for the PAN (formats 0, 3 and CUP SM4; ignored
 * otherwise). Writes the digits and a NUL to pin (pin_cap bytes; 13 always
 * suffice) and their count to *pin_len. Returns POS_OK, POS_ERR_INVAL,
 * POS_ERR_LENGTH (block of the wrong size), POS_ERR_CARD_PAN,
 * POS_ERR_PIN_FORMAT, POS_ERR_PIN_LENGTH, POS_ERR_PIN_PAN or
 * POS_ERR_NOSPACE. pin is wiped on failure. */
int pinblock_decode(enum pinblock_format f, const uint8_t *block, size_t len, const char *pan,
                    size_t pan_len, char *pin, size_t pin_cap, size_t *pin_len);

/* Builds and enciphers the block of format f under k (an initialised
 * struct block_key of pinblock_format_alg(f); the caller keeps it, so a
 * DUKPT or session PIN key context is reused). Format 4 needs the PAN here.
 * Returns what pinblock_encode returns, or POS_ERR_KEY (k of the wrong
 * algorithm). out is wiped on failure. */
int pinblock_encrypt(struct block_key *k, enum pinblock_format f, const char *pin, size_t pin_len,
                     const char *pan, size_t pan_len, uint8_t *out, size_t cap, size_t *out_len);

/* Deciphers the block of format f under k and extracts the PIN, as
 * pinblock_decode (format 4 needs the PAN here). Returns what
 * pinblock_decode returns, or POS_ERR_KEY. pin is wiped on failure. */
int pinblock_decrypt(struct block_key *k, enum pinblock_format f, const uint8_t *block, size_t len,
                     const char *pan, size_t pan_len, char *pin, size_t pin_cap, size_t *pin_len);

/* Checks that the block (enciphered under k, or clear when k is NULL)
 * carries the PIN (pin_len ASCII digits): the PIN comparison is constant
 * time and the extracted PIN never leaves this function. Returns POS_OK,
 * POS_ERR_PIN_MISMATCH, or an error of pinblock_decrypt/decode. */
int pinblock_verify(struct block_key *k, enum pinblock_format f, const uint8_t *block, size_t len,
                    const char *pan, size_t pan_len, const char *pin, size_t pin_len);

/* Re-enciphers a PIN block from (from, from_f) to (to, to_f) for the same
 * PAN without the PIN leaving this function (a PIN translation as an
 * acquirer does between zones). from or to may be NULL for a clear block.
 * Returns POS_OK or an error of pinblock_decrypt or pinblock_encrypt; out is
 * wiped on failure. */
int pinblock_translate(struct block_key *from, enum pinblock_format from_f, const uint8_t *in,
                       size_t in_len, struct block_key *to, enum pinblock_format to_f,
                       const char *pan, size_t pan_len, uint8_t *out, size_t cap, size_t *out_len);

#endif
