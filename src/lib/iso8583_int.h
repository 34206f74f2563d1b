/*
 * iso8583_int: helpers shared by the iso8583 module's files (iso8583.c,
 * iso8583_enc.c, iso8583_fmt.c, iso8583_chars.c, iso8583_dialects.c).
 * Not part of the public API.
 */
#ifndef POS_ISO8583_INT_H
#define POS_ISO8583_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "iso8583.h"

/* IBM-1047 (the EBCDIC code page jPOS uses for its EBCDIC interpreters) for
 * printable ASCII: ascii -> ebcdic for 0x20..0x7E (0 elsewhere), and
 * ebcdic -> ascii (0 for bytes that are not a printable ASCII character). */
extern const uint8_t iso8583__a2e[128];
extern const uint8_t iso8583__e2a[256];

/* Character classes: iso8583__cls[c] has bit ISO8583__C_x set when c is
 * allowed in a value of that class. */
enum {
    ISO8583__C_N = 1,     /* '0'-'9' */
    ISO8583__C_Z = 2,     /* digits, '=' and 'D' (track separator) */
    ISO8583__C_AN = 4,    /* letters, digits, space */
    ISO8583__C_ANS = 8,   /* printable ASCII 0x20-0x7E */
    ISO8583__C_SIGN = 16, /* 'C', 'D': the sign of x+n */
    ISO8583__C_HEX = 32   /* '0'-'9', 'A'-'F', 'a'-'f' */
};
extern const uint8_t iso8583__cls[256];

/* The class a character at position i of a value of type t must have
 * (0xFF for b: any byte). */
static inline unsigned iso8583__class_of(unsigned type, size_t i)
{
    switch (type) {
    case ISO8583_T_N:
        return ISO8583__C_N;
    case ISO8583_T_Z:
        return ISO8583__C_Z;
    case ISO8583_T_XN:
        return i == 0 ? ISO8583__C_SIGN : ISO8583__C_N;
    case ISO8583_T_AN:
        return ISO8583__C_AN;
    case ISO8583_T_ANS:
        return ISO8583__C_ANS;
    default:
        return 0xFF;
    }
}

/* true when character c may stand at position i of a value of type t
 * (text form: '=' or 'D' as z separator, 'C'/'D' sign first in x+n). */
static inline bool iso8583__char_ok(unsigned type, size_t i, uint8_t c)
{
    return type == ISO8583_T_B || (iso8583__cls[c] & iso8583__class_of(type, i)) != 0;
}

/* SWAR helpers (8 bytes at once): non-zero when some byte of x is below n
 * (n <= 128), or above n (n <= 127). */
#define ISO8583__ONES 0x0101010101010101ULL
#define ISO8583__HIGH 0x8080808080808080ULL
static inline uint64_t iso8583__has_below(uint64_t x, unsigned n)
{
    return (x - ISO8583__ONES * n) & ~x & ISO8583__HIGH;
}
static inline uint64_t iso8583__has_above(uint64_t x, unsigned n)
{
    return ((x + ISO8583__ONES * (127 - n)) | x) & ISO8583__HIGH;
}

/* Index of the first of the n characters at p (from position first of the
 * value) not allowed by type, or n when all are. Digits and printable ASCII
 * are checked 8 bytes at a time. */
static inline size_t iso8583__scan(unsigned type, const uint8_t *p, size_t n, size_t first)
{
    size_t i = 0;
    unsigned cls, lo = 0, hi = 0;

    if (type == ISO8583_T_B)
        return n;
    if (type == ISO8583_T_XN && first == 0 && n > 0) {
        if (!(iso8583__cls[p[0]] & ISO8583__C_SIGN))
            return 0;
        i = 1;
    }
    cls = iso8583__class_of(type, 1);
    if (cls == ISO8583__C_N) {
        lo = '0';
        hi = '9';
    } else if (cls == ISO8583__C_ANS) {
        lo = 0x20;
        hi = 0x7E;
    }
    if (hi != 0) {
        for (; n - i >= 8; i += 8) {
            uint64_t x;
            memcpy(&x, p + i, 8);
            if (iso8583__has_below(x, lo) | iso8583__has_above(x, hi))
                break;
        }
    }
    for (; i < n; i++)
        if (!(iso8583__cls[p[i]] & cls))
            break;
    return i;
}

/* The BCD nibble of a validated n/z character: digits, and D for '=' or 'D'. */
static inline unsigned iso8583__nibble(uint8_t c)
{
    return c <= '9' ? (unsigned)(c - '0') : 0xDu;
}

/* The smallest field number > after whose bit is set in bits (16 bytes,
 * MSB-first, bit 1 = field 1), or 0. Field 1 is never returned. */
static inline int iso8583__next(const uint8_t *bits, int after)
{
    int k = after < 1 ? 1 : after; /* 0-based index of the next candidate */

    while (k < ISO8583_MAX_FIELD) {
        unsigned byte = bits[k >> 3] & (0xFFu >> (k & 7));
        if (byte != 0)
            return (k & ~7) + (__builtin_clz(byte) - 24) + 1;
        k = (k | 7) + 1;
    }
    return 0;
}

/* The error a bad character of type t gets: POS_ERR_DIGIT for digit types
 * (except the x+n sign), POS_ERR_ISO_FIELD_CHARSET otherwise. */
int iso8583__char_err(unsigned type, size_t i);

/* Bytes the data of a field of n units takes on the wire (no prefix). */
static inline size_t iso8583__wire_len(const struct iso8583_field_def *f, size_t n)
{
    switch (f->data_enc) {
    case ISO8583_ENC_BCD:
        if (f->type == ISO8583_T_XN)
            return n == 0 ? 0 : 1 + n / 2; /* sign byte + (n-1) digits, padded */
        return (n + 1) / 2;
    case ISO8583_ENC_HEX:
        return 2 * n;
    default:
        return n;
    }
}

/* Bytes of a field's length prefix (0 when fixed). */
static inline size_t iso8583__prefix_len(const struct iso8583_field_def *f)
{
    if (f->var == 0)
        return 0;
    switch (f->prefix_enc) {
    case ISO8583_ENC_BCD:
        return (f->var + 1u) / 2u;
    case ISO8583_ENC_BINARY:
        return f->var == 2 ? 1 : 2;
    default:
        return f->var;
    }
}

/* The unit-by-unit text of a wire-encoded field (already validated by
 * decode): writes n units (characters, or bytes for b) to out. out must hold
 * v->n bytes. */
void iso8583__wire_to_value(const struct iso8583_field_def *f, const struct iso8583_view *v,
                            uint8_t *out);

/* Masks the PAN-like text s (n chars) into out (cap >= n + 1). */
void iso8583__mask_pan(const char *s, size_t n, char *out, size_t cap);

#endif
