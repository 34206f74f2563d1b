/*
 * textwidth: UTF-8 decoding and the display width of text in a monospaced
 * receipt font (a terminal, a thermal printer).
 *
 * Standards:
 *  - RFC 3629 / Unicode 14.0 §3.9 (D92, Table 3-7): well-formed UTF-8. No
 *    overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
 *    An ill-formed sequence decodes as U+FFFD REPLACEMENT CHARACTER using
 *    the "maximal subpart" practice of Unicode §3.9 (U+FFFD substitution of
 *    maximal subparts): each maximal subpart of a would-be sequence, or one
 *    byte, becomes one U+FFFD.
 *  - Unicode Standard Annex #11 (East Asian Width), Unicode 14.0: characters
 *    whose East_Asian_Width is W (Wide) or F (Fullwidth) take 2 columns;
 *    unassigned code points in the CJK ideograph blocks and planes 2 and 3
 *    default to W as UAX #11 §4.2 says. Emoji with default emoji
 *    presentation are W since Unicode 9 and so take 2. Ambiguous (A)
 *    characters take 1 (the non-East-Asian context, what thermal printers
 *    in UTF-8 mode do).
 *  - Zero columns: nonspacing and enclosing combining marks (General
 *    Category Mn, Me), format characters (Cf, except U+00AD SOFT HYPHEN,
 *    which takes 1), U+200B ZERO WIDTH SPACE and the Hangul Jamo medial
 *    vowels and final consonants U+1160..U+11FF (they join the preceding
 *    leading consonant). C0 and C1 controls and DEL also report 0: they do
 *    not print; callers that print text replace them first.
 *  The tables in textwidth.c were generated from the Unicode 14.0 character
 *  database (EastAsianWidth.txt, UnicodeData.txt).
 *
 * Everything is sans-I/O, allocation-free and never reads past len. Text is
 * passed as (s, len); it need not be NUL-terminated.
 */
#ifndef POS_TEXTWIDTH_H
#define POS_TEXTWIDTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* U+FFFD, what an ill-formed sequence decodes to. */
#define TEXTWIDTH_REPLACEMENT 0xFFFDu

/* Longest UTF-8 sequence (bytes). */
#define TEXTWIDTH_UTF8_MAX 4u

/* Decodes the character at s (len bytes available). Returns the number of
 * bytes it uses (1..4; 0 only when len is 0 or s NULL) and stores the code
 * point in *cp (may be NULL): the scalar value of a well-formed sequence, or
 * TEXTWIDTH_REPLACEMENT for an ill-formed one (then the return value is the
 * length of its maximal subpart, at least 1). *valid (may be NULL) says
 * which of the two it was (a well-formed U+FFFD is valid). */
size_t textwidth_decode(const char *s, size_t len, uint32_t *cp, bool *valid);

/* Encodes cp (a Unicode scalar value: 0..0x10FFFF, not a surrogate) as
 * UTF-8 into out[4]. Returns the number of bytes (1..4), or 0 when cp is not
 * a scalar value (out untouched). */
size_t textwidth_encode(uint32_t cp, char out[TEXTWIDTH_UTF8_MAX]);

/* Columns of one code point: 0, 1 or 2 (see the top comment). Values above
 * 0x10FFFF and surrogates report 1 (they print as U+FFFD). */
unsigned textwidth_cp(uint32_t cp);

/* Columns of the text s[0..len): the sum of textwidth_cp over its decoded
 * characters, U+FFFD (1 column) for each ill-formed subpart. */
size_t textwidth_of(const char *s, size_t len);

/* true when s[0..len) is well-formed UTF-8 (the empty string is). */
bool textwidth_is_valid(const char *s, size_t len);

/* The longest prefix of s[0..len) that fits in cols columns, never ending
 * inside a UTF-8 sequence nor cutting a double-width character: a character
 * of width 2 that would cross the edge is left for the next line. Zero-width
 * characters (combining marks) following the last character that fits stay
 * with it. Returns the prefix length in bytes; *width (may be NULL) gets its
 * columns (<= cols). A character wider than cols (cols 1, a wide character)
 * is not forced in: the result is then 0, so a caller must treat cols < 2
 * itself. */
size_t textwidth_fit(const char *s, size_t len, size_t cols, size_t *width);

#endif
