/*
 * tlv: EMV BER-TLV decode and encode.
 *
 * Implements the subset of ISO/IEC 8825-1:2021 (BER) §8.1.2 (identifier
 * octets) and §8.1.3 (length octets, definite form only) that EMV 4.4 Book 3
 * Annex B (B1 tag field, B2 length field, B3 value field) uses:
 *
 *  - tags of 1 to 4 bytes; when bits 5..1 of the first byte are all 1 more
 *    bytes follow, each with bit 8 set except the last (Annex B1). A tag is
 *    handled as a uint32 holding its bytes big-endian: 9F 26 -> 0x9F26.
 *    The first byte 00 or FF never starts a tag (see padding below).
 *  - lengths: short form 00..7F, long form 81 xx, 82 xx xx, 83 .., 84 ..
 *    (Annex B2). Indefinite length (80) and more than 4 length bytes are
 *    rejected. Non-minimal long forms (81 05) are accepted on decode, as real
 *    cards send them; the encoder always writes the minimal form.
 *  - padding: EMV Book 3 Annex B lets '00' bytes occur before, between and
 *    after data objects; ISO/IEC 7816-4:2005 §5.2.2.1 also allows 'FF'. Both are
 *    skipped silently at every level (so no tag may start with 00 or FF).
 *  - constructed objects (bit 6 of the first tag byte: 70, 77, 61, 6F, A5,
 *    E1, BF0C ...) are opened with tlv_iter_children, at most TLV_DEPTH_MAX
 *    levels deep (POS_ERR_TLV_DEPTH beyond).
 *
 * Sans-I/O, allocation-free: the decoder yields views (struct tlv) into the
 * caller's buffer and never reads past its length; the encoders write into a
 * caller buffer and fail with POS_ERR_NOSPACE instead of truncating.
 *
 * Errors: POS_ERR_TRUNCATED (a tag or length runs past the end of the
 * input, or a value runs past the end of the top-level input),
 * POS_ERR_TLV_LENGTH (indefinite or over-long length form, or a value that
 * runs past its enclosing constructed object), POS_ERR_TLV_TAG (tag longer
 * than 4 bytes; on encode, an invalid tag), POS_ERR_TLV_DEPTH,
 * POS_ERR_NOSPACE, POS_ERR_INVAL (bad arguments). The optional
 * struct pos_errdetail receives the offset (from the start of the outermost
 * buffer) and the tag; never a value.
 */
#ifndef POS_TLV_H
#define POS_TLV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pos_errdetail;

/* Most nested levels: top-level objects are level 1. */
#define TLV_DEPTH_MAX 8
/* Longest tag, in bytes. */
#define TLV_TAG_MAX 4
/* Longest tag + length header: 4 tag bytes + 84 xx xx xx xx. */
#define TLV_HEADER_MAX 9
/* Room for a tag in hex text with its NUL ("9F26", up to 8 digits). */
#define TLV_TAG_TEXT_CAP 9

/* The class of a tag, bits 8-7 of its first byte (ISO/IEC 8825-1 §8.1.2.2). */
enum tlv_class {
    TLV_CLASS_UNIVERSAL = 0,
    TLV_CLASS_APPLICATION = 1,
    TLV_CLASS_CONTEXT = 2,
    TLV_CLASS_PRIVATE = 3
};

/* One decoded data object: a view into the decoded buffer, valid while that
 * buffer is. Fields are private: read them through the accessors below. */
struct tlv {
    uint32_t tag_;
    const uint8_t *value_;
    size_t len_;
    size_t offset_; /* of the tag's first byte, from the outermost buffer */
    size_t header_len_;
    unsigned depth_; /* 1 for a top-level object */
};

/* A cursor over the data objects of one level. Lives on the caller's stack;
 * fields are private. */
struct tlv_iter {
    const uint8_t *origin_; /* start of the outermost buffer (for offsets) */
    const uint8_t *buf_;
    size_t len_;
    size_t off_;
    unsigned depth_; /* level of the objects this iterator yields */
};

/* Starts iterating the top-level objects of buf (len bytes; buf may be NULL
 * when len is 0). The iterator borrows buf. */
void tlv_iter_init(struct tlv_iter *it, const uint8_t *buf, size_t len);

/* Decodes the next object of this level into *out (padding skipped).
 * Returns 1 with *out set, 0 at the end of the level, or a negative POS_ERR_*
 * (see the top of this file) with d filled. After an error the iterator stays
 * at the bad object: calling again returns the same error. */
int tlv_iter_next(struct tlv_iter *it, struct tlv *out, struct pos_errdetail *d);

/* Sets *child to iterate the objects inside the constructed object t, which
 * parent yielded. Returns POS_OK, POS_ERR_INVAL (t is primitive) or
 * POS_ERR_TLV_DEPTH (the children would be deeper than TLV_DEPTH_MAX). */
int tlv_iter_children(const struct tlv_iter *parent, const struct tlv *t, struct tlv_iter *child,
                      struct pos_errdetail *d);

/* Accessors of a decoded object. */
uint32_t tlv_tag(const struct tlv *t);
const uint8_t *tlv_value(const struct tlv *t); /* points into the input */
size_t tlv_len(const struct tlv *t);           /* value length in bytes */
size_t tlv_offset(const struct tlv *t);        /* tag offset in the outermost input */
size_t tlv_header_len(const struct tlv *t);    /* tag + length bytes */
unsigned tlv_depth(const struct tlv *t);       /* 1 for top level */
bool tlv_is_constructed(const struct tlv *t);

/* Properties of a tag number. */
bool tlv_tag_is_constructed(uint32_t tag);
enum tlv_class tlv_tag_class(uint32_t tag);
/* Number of bytes of tag (1..4). */
size_t tlv_tag_size(uint32_t tag);
/* true when tag's bytes form one valid EMV tag: first byte not 00/FF, a
 * multi-byte tag only after a first byte with bits 5..1 all 1, bit 8 set on
 * every subsequent byte but the last. */
bool tlv_tag_is_valid(uint32_t tag);
/* Writes the tag as uppercase hex ("9F26") into out (cap >= TLV_TAG_TEXT_CAP
 * is always enough). Returns POS_OK or POS_ERR_NOSPACE. */
int tlv_tag_format(uint32_t tag, char *out, size_t cap);
/* Parses hex text (2, 4, 6 or 8 digits, any case) naming one valid tag.
 * Returns POS_OK, POS_ERR_HEX or POS_ERR_TLV_TAG. */
int tlv_tag_parse(const char *text, size_t len, uint32_t *tag);

/* Finds the first object with this tag, searching depth first through
 * constructed objects (at most TLV_DEPTH_MAX levels). Returns POS_OK with
 * *out set, POS_ERR_NOT_FOUND, or a decode error met before the tag was
 * found. */
int tlv_find(const uint8_t *buf, size_t len, uint32_t tag, struct tlv *out,
             struct pos_errdetail *d);

/* Size of the minimal-form length field for len (1 to 5 bytes). */
size_t tlv_length_size(size_t len);

/* Writes tag, the minimal length and the value (value may be NULL when len
 * is 0) into out (cap bytes); *out_len gets the bytes written. Returns
 * POS_OK, POS_ERR_TLV_TAG, POS_ERR_TLV_LENGTH (len over 0xFFFFFFFF),
 * POS_ERR_INVAL (value NULL with len > 0) or POS_ERR_NOSPACE (nothing
 * written). value may overlap out. */
int tlv_encode(uint32_t tag, const uint8_t *value, size_t len, uint8_t *out, size_t cap,
               size_t *out_len);

/* Builds a TLV sequence with nested constructed objects in a caller buffer.
 * The first error sticks: later calls do nothing and return it, so a caller
 * may check only tlv_builder_finish. Fields are private. */
struct tlv_builder {
    uint8_t *out_;
    size_t cap_;
    size_t len_;
    size_t open_[TLV_DEPTH_MAX]; /* offset of each open object's length byte */
    unsigned depth_;
    int err_;
};

/* Starts building into out (cap bytes, borrowed until finish). */
void tlv_builder_init(struct tlv_builder *b, uint8_t *out, size_t cap);
/* Appends a primitive (or pre-encoded constructed) object. */
int tlv_builder_add(struct tlv_builder *b, uint32_t tag, const uint8_t *value, size_t len);
/* Opens a constructed object (tag must have bit 6 of its first byte set:
 * POS_ERR_TLV_TAG otherwise); POS_ERR_TLV_DEPTH past TLV_DEPTH_MAX. */
int tlv_builder_begin(struct tlv_builder *b, uint32_t tag);
/* Closes the innermost open object, writing its length in minimal form (the
 * value moves right when the length needs more than one byte).
 * POS_ERR_INVAL when nothing is open. */
int tlv_builder_end(struct tlv_builder *b);
/* Ends the build: POS_OK with *out_len the total length, the sticky error,
 * or POS_ERR_INVAL when an object is still open. */
int tlv_builder_finish(struct tlv_builder *b, size_t *out_len);

#endif
