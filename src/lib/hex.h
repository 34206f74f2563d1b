/*
 * hex: hexadecimal and BCD-digit helpers shared by every module.
 * Output hex is uppercase; input hex is case-insensitive (DESIGN.md §6).
 */
#ifndef POS_HEX_H
#define POS_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes 2*len uppercase hex characters and a NUL to out (cap bytes, so
 * cap >= 2*len+1). Returns POS_OK or POS_ERR_NOSPACE (out untouched). */
int pos_hex_encode(const uint8_t *in, size_t len, char *out, size_t cap);

/* Decodes hex text (len characters, even, [0-9A-Fa-f]) into out (cap bytes).
 * *out_len receives len/2. Returns POS_OK, POS_ERR_HEX (odd length or a bad
 * character) or POS_ERR_NOSPACE. */
int pos_hex_decode(const char *hex, size_t len, uint8_t *out, size_t cap, size_t *out_len);

/* 0..15 for a hex digit of either case, -1 otherwise. */
int pos_hex_value(char c);

/* true when all len characters of s are '0'..'9' (true for len 0). */
bool pos_is_digits(const char *s, size_t len);

/* Parses exactly len decimal digits (len <= 18) into *out; POS_ERR_DIGIT on a
 * non-digit, POS_ERR_LENGTH when len is 0 or over 18. */
int pos_parse_digits_u64(const char *s, size_t len, uint64_t *out);

#endif
