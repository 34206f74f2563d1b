/*
 * emv_tags: a dictionary of the EMV data elements a point of sale meets.
 *
 * Source: EMV 4.4 Book 3 (Application Specification), Annex A1 "Data
 * Elements Dictionary" (name, format, length, source of each tag), plus the
 * contactless and scheme tags seen in ISO 8583 field 55 (EMV Contactless
 * Book C-2/C-3: 9F66, 9F6B, 9F6C, 9F6E, 9F7C, 9F5D; the UnionPay/PBOC
 * tags 9F63, 9F74, 9F79, 9F7A, DF31 of JR/T 0025).
 *
 * Format letters follow EMV Book 3 §4.3: b binary, n numeric BCD, cn
 * compressed numeric (BCD left-justified, padded with F), a alphabetic, an
 * alphanumeric, ans alphanumeric special. Lengths are in bytes.
 *
 * Sensitive elements (PCI DSS v4.0 req. 3: PAN, track data, PIN data) carry a
 * masking rule; emv_tags_format_value applies it:
 *   5A (PAN)                       first 6 and last 4 digits, the rest '*'
 *   57, 9F6B (track 2 equivalent)  the PAN masked as above, 'D' kept, all
 *                                  after it '*'
 *   56 (track 1 data)              shown as text: format code kept, PAN
 *                                  masked, '^' kept, all else '*'
 *   99, 9F1F, 9F20                 every character '*'
 *
 * The table is constant data sorted by tag; lookups are binary searches.
 * No allocation, no mutable state.
 */
#ifndef POS_EMV_TAGS_H
#define POS_EMV_TAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum emv_tags_format {
    EMV_TAGS_FORMAT_B,
    EMV_TAGS_FORMAT_N,
    EMV_TAGS_FORMAT_CN,
    EMV_TAGS_FORMAT_A,
    EMV_TAGS_FORMAT_AN,
    EMV_TAGS_FORMAT_ANS
};

enum emv_tags_source { EMV_TAGS_SOURCE_CARD, EMV_TAGS_SOURCE_TERMINAL, EMV_TAGS_SOURCE_ISSUER };

enum emv_tags_mask {
    EMV_TAGS_MASK_NONE,   /* not sensitive */
    EMV_TAGS_MASK_PAN,    /* cn PAN */
    EMV_TAGS_MASK_TRACK2, /* b: PAN 'D' expiry service code discretionary */
    EMV_TAGS_MASK_TRACK1, /* ans: ISO/IEC 7813 track 1 without sentinels */
    EMV_TAGS_MASK_FULL    /* hide everything */
};

/* One dictionary entry: constant, read-only, owned by the library. */
struct emv_tags_entry {
    uint32_t tag; /* tag bytes big-endian: 0x9F26 */
    const char *name;
    enum emv_tags_format format;
    uint16_t min_len; /* bytes */
    uint16_t max_len; /* bytes */
    enum emv_tags_source source;
    enum emv_tags_mask mask;
};

/* The entry for tag, or NULL when the dictionary does not know it. */
const struct emv_tags_entry *emv_tags_find(uint32_t tag);

/* The name of tag, or NULL when unknown. */
const char *emv_tags_name(uint32_t tag);

/* true when tag's value is sensitive (mask rule other than NONE). */
bool emv_tags_is_sensitive(uint32_t tag);

/* Number of entries, and the i-th (i < count; NULL otherwise), in tag order. */
size_t emv_tags_count(void);
const struct emv_tags_entry *emv_tags_at(size_t i);

/* "b", "n", "cn", "a", "an", "ans"; "card", "terminal", "issuer". */
const char *emv_tags_format_name(enum emv_tags_format f);
const char *emv_tags_source_name(enum emv_tags_source s);

/* Writes the display form of a value into out (cap bytes, NUL-terminated):
 * uppercase hex, or with mask set and a sensitive tag its masked form (see
 * the table at the top). Every masked form fits in 2*len+1 bytes.
 * *out_len (may be NULL) gets the text length; *masked (may be NULL) is set
 * when a masking rule applied. Returns POS_OK, POS_ERR_INVAL (value NULL with
 * len > 0, out NULL) or POS_ERR_NOSPACE (out set to "" when cap > 0). No
 * clear sensitive byte is left in any scratch buffer. */
int emv_tags_format_value(uint32_t tag, const uint8_t *value, size_t len, bool mask, char *out,
                          size_t cap, size_t *out_len, bool *masked);

#endif
