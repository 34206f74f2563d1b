/*
 * iso8583: a table-driven ISO 8583 message codec (DESIGN.md §3).
 *
 * Standard: ISO 8583:1987 "Bank card originated messages — Interchange
 * message specifications — Content for financial transactions": §4.1 message
 * structure (MTI, primary and secondary bitmaps, data elements in bit order),
 * §4.2 data element attributes (n, an, ans, b, z, x+n; fixed, LLVAR, LLLVAR).
 * ISO 8583 fixes what the elements mean, not how they are encoded on the
 * wire; a dialect (struct iso8583_dialect) says that, field by field:
 * ASCII, EBCDIC (IBM-1047), packed BCD or binary data; ASCII, EBCDIC, BCD or
 * binary length prefixes; the MTI and bitmap encodings; an optional TPDU and
 * message header in front. Built-in dialects (iso8583_dialects.c):
 *   iso87a  byte-compatible with jPOS ISO87APackager (ASCII)
 *   iso87b  byte-compatible with jPOS ISO87BPackager (BCD/binary)
 *   cup     China UnionPay POS (TPDU, header, BCD, binary bitmap)
 * Dialects can also be read from text files (dialect_file.h).
 *
 * Zero allocation. iso8583_decode fills a caller-owned (stack) message whose
 * fields are views into the input buffer: the buffer must outlive the
 * message. Setters store views too: the caller keeps every value alive until
 * iso8583_encode has run. Accessors convert a field to text or bytes into a
 * caller buffer on demand. Nothing here allocates, does I/O or keeps state.
 *
 * Validation (decode and encode alike): digits only in n, digits and the
 * separator ('=' / BCD nibble D) in z, BCD nibbles 0-9, the pad nibble of an
 * odd-length BCD field equal to the dialect's fill, 'C'/'D' then digits in
 * x+n, printable ASCII in ans, letters/digits/space in an; fixed lengths
 * exact; length prefixes made of valid digits and within the field maximum;
 * every field in the bitmap defined by the dialect; a message consumed
 * exactly (trailing bytes are an error). Every error fills the optional
 * struct pos_errdetail with the field number and the byte offset (decode:
 * in the input; encode: in the output being written); details never hold
 * field contents.
 */
#ifndef POS_ISO8583_H
#define POS_ISO8583_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pos_errdetail;

#define ISO8583_MAX_FIELD 128  /* fields 2..128; field 1 is the secondary bitmap */
#define ISO8583_MAX_LEN   9999 /* largest field length (units) any dialect may declare */
#define ISO8583_MAX_HDR   32   /* largest TPDU or message header (bytes) */
#define ISO8583_NAME_MAX  32   /* dialect name, NUL included */
#define ISO8583_LOG_MIN   64   /* smallest useful iso8583_format_log buffer */

/* Data element types, ISO 8583:1987 §4.2. */
enum iso8583_type {
    ISO8583_T_NONE = 0, /* not defined in this dialect */
    ISO8583_T_N,        /* numeric digits */
    ISO8583_T_AN,       /* letters, digits, space */
    ISO8583_T_ANS,      /* printable ASCII 0x20-0x7E */
    ISO8583_T_Z,        /* track 2/3 data: digits and the '=' separator (BCD nibble D) */
    ISO8583_T_B,        /* binary; length counts bytes */
    ISO8583_T_XN        /* amount: 'C' (credit) or 'D' (debit), then digits; length counts both */
};

/* Encodings of data, MTI, bitmap and length prefixes. */
enum iso8583_enc {
    ISO8583_ENC_ASCII = 0, /* one ASCII byte per character or digit */
    ISO8583_ENC_EBCDIC,    /* one IBM-1047 byte per character or digit */
    ISO8583_ENC_BCD,       /* two digits per byte (packed BCD) */
    ISO8583_ENC_BINARY,    /* raw bytes (b data, binary bitmaps, binary length prefixes) */
    ISO8583_ENC_HEX        /* b data or bitmap as uppercase ASCII hex, two characters per byte */
};

/* How iso8583_format_log shows a field. */
enum iso8583_log {
    ISO8583_LOG_CLEAR = 0, /* the value */
    ISO8583_LOG_PAN,       /* masked: first 6 and last 4 digits (card_pan_mask) */
    ISO8583_LOG_HIDE       /* only the length */
};

/* One field of a dialect. Lengths are in units: digits (n, z, x+n including
 * its sign), characters (an, ans) or bytes (b). */
struct iso8583_field_def {
    uint8_t type;       /* enum iso8583_type; ISO8583_T_NONE: field not in the dialect */
    uint8_t var;        /* 0: fixed length; 2, 3 or 4: LL, LLL or LLLL length prefix */
    uint8_t data_enc;   /* n/z/x+n: ASCII, EBCDIC, BCD; an/ans: ASCII, EBCDIC; b: BINARY, HEX */
    uint8_t prefix_enc; /* ASCII, EBCDIC, BCD or BINARY (unused when fixed) */
    uint8_t pad_left;   /* odd-length BCD: 1 = pad nibble first (right-justified), 0 = last */
    uint8_t fill;       /* odd-length BCD: the pad nibble, 0x0 or 0xF */
    uint8_t log;        /* enum iso8583_log */
    uint16_t max;       /* fixed: the exact length; variable: the largest (1..ISO8583_MAX_LEN) */
};

/* A dialect: plain data, no pointers, so it can be copied, compared and
 * built at run time (dialect_file.h). */
struct iso8583_dialect {
    char name[ISO8583_NAME_MAX];
    uint8_t mti_enc;               /* ASCII, EBCDIC or BCD */
    uint8_t bitmap_enc;            /* BINARY or HEX */
    uint8_t tpdu_len;              /* 0..ISO8583_MAX_HDR bytes of TPDU before the message header */
    uint8_t header_len;            /* 0..ISO8583_MAX_HDR bytes of message header before the MTI */
    uint8_t tpdu[ISO8583_MAX_HDR]; /* what encode writes when the message sets none */
    uint8_t header[ISO8583_MAX_HDR];                   /* likewise */
    struct iso8583_field_def f[ISO8583_MAX_FIELD + 1]; /* indexed by field number; 0, 1 unused */
};

/* A field value: a view, never a copy. Private: use the accessors. */
struct iso8583_view {
    const uint8_t *p; /* wire: the encoded data (after any prefix); else the caller's value */
    uint16_t len;     /* bytes at p */
    uint16_t n;       /* logical length in units */
    uint8_t wire;     /* 1: p is in the dialect's wire encoding (from decode or copy) */
};

/* A message: lives on the caller's stack (about 2 KB); members private. */
struct iso8583_msg {
    const struct iso8583_dialect *d;
    char mti[5];
    uint8_t secondary;     /* 1: write the secondary bitmap even with no field above 64 */
    const uint8_t *tpdu;   /* NULL: the dialect's default */
    const uint8_t *header; /* NULL: the dialect's default */
    size_t mti_off;        /* layout of the last decode or encode (iso8583_mac_span) */
    size_t mac_off;
    uint8_t bits[16]; /* bit k-1 (MSB first) set: field k present; bit 0 unused */
    struct iso8583_view v[ISO8583_MAX_FIELD + 1];
};

/* ---- dialects ---- */

/* The built-in dialect called name ("iso87a", "iso87b", "cup"), or NULL. */
const struct iso8583_dialect *iso8583_dialect_find(const char *name);

/* The i-th built-in dialect (i from 0), or NULL past the last. */
const struct iso8583_dialect *iso8583_dialect_at(size_t i);

/* Checks a dialect for consistency (encodings allowed for each type, lengths
 * 1..ISO8583_MAX_LEN, a binary LL prefix max <= 255, fill 0 or F, header
 * lengths...). Returns POS_OK or POS_ERR_DIALECT (det names the field). */
int iso8583_dialect_check(const struct iso8583_dialect *d, struct pos_errdetail *det);

/* true when the two dialects encode every field, the MTI, bitmap and header
 * the same way (names and header defaults aside). */
bool iso8583_dialect_is_same_wire(const struct iso8583_dialect *a, const struct iso8583_dialect *b);

/* ---- messages ---- */

/* Empties m and binds it to dialect d (which must outlive m). MTI "0000". */
void iso8583_msg_init(struct iso8583_msg *m, const struct iso8583_dialect *d);

/* Sets the MTI: exactly 4 digits. POS_OK or POS_ERR_ISO_MTI. */
int iso8583_set_mti(struct iso8583_msg *m, const char *mti);

/* The MTI as a NUL-terminated string of 4 digits (owned by m). */
const char *iso8583_get_mti(const struct iso8583_msg *m);

/* Sets the TPDU / message header bytes (len must be the dialect's length;
 * the view is kept). POS_OK or POS_ERR_ISO_HEADER. */
int iso8583_set_tpdu(struct iso8583_msg *m, const uint8_t *p, size_t len);
int iso8583_set_header(struct iso8583_msg *m, const uint8_t *p, size_t len);

/* The TPDU / header (the message's own, or the dialect default); *len gets
 * the dialect's length (0: none). */
const uint8_t *iso8583_get_tpdu(const struct iso8583_msg *m, size_t *len);
const uint8_t *iso8583_get_header(const struct iso8583_msg *m, size_t *len);

/* Sets field fld (2..128) to value (len bytes): the characters for n, an,
 * ans, z and x+n (z takes '=' or 'D' as separator), the raw bytes for b.
 * Only the view is stored: value must stay valid until encode. Checks the
 * field exists (POS_ERR_ISO_FIELD_UNDEFINED) and the length (exact when
 * fixed, <= max when variable: POS_ERR_ISO_FIELD_LENGTH); the characters are
 * checked by iso8583_encode. POS_ERR_INVAL for fld out of range. */
int iso8583_set(struct iso8583_msg *m, int fld, const void *value, size_t len);

/* iso8583_set with strlen(s). */
int iso8583_set_str(struct iso8583_msg *m, int fld, const char *s);

/* Removes field fld (no-op when absent or out of range). */
void iso8583_unset(struct iso8583_msg *m, int fld);

/* true when field fld is present. */
bool iso8583_has(const struct iso8583_msg *m, int fld);

/* The smallest present field number greater than after (pass 1 to start),
 * or 0 when there is none. */
int iso8583_next(const struct iso8583_msg *m, int after);

/* Logical length (units) of field fld; 0 when absent. */
size_t iso8583_field_len(const struct iso8583_msg *m, int fld);

/* Copies field fld's value into out (cap bytes; no NUL): characters for
 * text types (z separator as '='), raw bytes for b. *out_len gets the length.
 * POS_OK, POS_ERR_NOT_FOUND (absent), POS_ERR_NOSPACE. */
int iso8583_get_value(const struct iso8583_msg *m, int fld, uint8_t *out, size_t cap,
                      size_t *out_len);

/* Like iso8583_get_value, as a NUL-terminated string; b comes out as
 * uppercase hex. out_len (may be NULL) gets strlen. */
int iso8583_get_text(const struct iso8583_msg *m, int fld, char *out, size_t cap, size_t *out_len);

/* Copies field fld from src to dst without converting it: a view into what
 * src views (the same lifetime rule applies). When src holds wire bytes, the
 * two dialects must encode that field the same way, else
 * POS_ERR_UNSUPPORTED (then use get_value + set). Absent in src: removes it
 * from dst. POS_ERR_INVAL for fld out of range, POS_ERR_ISO_FIELD_UNDEFINED
 * when dst's dialect lacks it. */
int iso8583_copy_field(struct iso8583_msg *dst, const struct iso8583_msg *src, int fld);

/* ---- wire ---- */

/* Decodes buf (len bytes) as a message of dialect d into m (overwritten;
 * its views point into buf). Returns POS_OK or: POS_ERR_TRUNCATED,
 * POS_ERR_TRAILING, POS_ERR_ISO_MTI, POS_ERR_ISO_BITMAP,
 * POS_ERR_ISO_FIELD_UNDEFINED, POS_ERR_ISO_FIELD_LENGTH (bad or too long
 * prefix), POS_ERR_DIGIT (n/z/x+n), POS_ERR_BCD (bad nibble or pad),
 * POS_ERR_ISO_FIELD_CHARSET (an/ans/x+n sign), POS_ERR_INVAL (NULL args).
 * det (may be NULL) gets the field and the offset in buf. */
int iso8583_decode(const struct iso8583_dialect *d, const uint8_t *buf, size_t len,
                   struct iso8583_msg *m, struct pos_errdetail *det);

/* Encodes m into out (cap bytes); *out_len gets the length. Fields are
 * validated as on decode. POS_ERR_NOSPACE when out is too small (nothing is
 * truncated: the content of out is then unspecified). Records the layout for
 * iso8583_mac_span. */
int iso8583_encode(struct iso8583_msg *m, uint8_t *out, size_t cap, size_t *out_len,
                   struct pos_errdetail *det);

/* After a decode or an encode of m: the MAC-able region of that buffer.
 * *start is the offset of the MTI (TPDU and header excluded), *end the
 * offset where the MAC field (128 if present, else 64) begins. The MAC is
 * computed over buf[*start..*end). POS_ERR_NOT_FOUND when there is no MAC
 * field. (To send: set the MAC field to zero bytes, encode, compute, patch
 * the bytes at *end.) */
int iso8583_mac_span(const struct iso8583_msg *m, size_t *start, size_t *end);

/* ---- logs ---- */

/* Formats m on one line for a log, e.g.
 *   "0200 2=411111******1111 3=000000 4=000000001000 35=[37] 52=[8]"
 * Fields marked ISO8583_LOG_PAN are masked (first 6, last 4); those marked
 * ISO8583_LOG_HIDE (track data, PIN block, security info, MACs, keys, chip
 * data) show only their length in brackets; b fields as hex. Always
 * NUL-terminates (cap > 0). Returns POS_OK, or POS_ERR_NOSPACE when the line
 * was cut short (it then ends in "..."). */
int iso8583_format_log(const struct iso8583_msg *m, char *out, size_t cap);

#endif
