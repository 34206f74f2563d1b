/* tlv: EMV BER-TLV decode and encode (see tlv.h for the rules and errors). */
#include "tlv.h"

#include <string.h>

#include "error.h"
#include "hex.h"

/* Length fields hold at most 4 bytes (EMV Book 3 Annex B2: "81".."84"). */
#define TLV__LEN_BYTES_MAX 4
#define TLV__LEN_MAX       0xFFFFFFFFu

/* EMV Book 3 Annex B: '00' may precede, separate or follow objects;
 * ISO/IEC 7816-4:2005 §5.2.2.1 adds 'FF'. */
static bool tlv__is_padding(uint8_t b)
{
    return b == 0x00 || b == 0xFF;
}

static size_t tlv__abs(const struct tlv_iter *it, size_t off)
{
    return (size_t)(it->buf_ - it->origin_) + off;
}

/* Reads the tag starting at it->buf_[off] (a non-padding byte, off < len).
 * ISO/IEC 8825-1 §8.1.2.4 / EMV Book 3 Annex B1: bits 5..1 of the first byte
 * all 1 announce subsequent bytes; bit 8 of each subsequent byte says
 * another follows. */
static int tlv__read_tag(const struct tlv_iter *it, size_t off, uint32_t *tag, size_t *next,
                         struct pos_errdetail *d)
{
    const uint8_t *p = it->buf_;
    size_t i = off + 1, n = 1;
    uint32_t t = p[off];
    uint8_t b = p[off];

    if ((b & 0x1F) == 0x1F) {
        do {
            if (i >= it->len_)
                return pos_errdetail_set(d, POS_ERR_TRUNCATED, -1, tlv__abs(it, off),
                                         "tag %X... runs past the end", (unsigned)t);
            if (n == TLV_TAG_MAX)
                return pos_errdetail_set(d, POS_ERR_TLV_TAG, -1, tlv__abs(it, off),
                                         "tag %X... longer than %d bytes", (unsigned)t,
                                         TLV_TAG_MAX);
            b = p[i++];
            t = (t << 8) | b;
            n++;
        } while ((b & 0x80) != 0);
    }
    *tag = t;
    *next = i;
    return POS_OK;
}

/* Reads the length field at it->buf_[off] for the object at obj_off.
 * ISO/IEC 8825-1 §8.1.3 / EMV Book 3 Annex B2: short form 00..7F; long form
 * 8n followed by n bytes, n 1..4 here; 80 (indefinite) is not used by EMV. */
static int tlv__read_length(const struct tlv_iter *it, size_t obj_off, uint32_t tag, size_t off,
                            size_t *vlen, size_t *next, struct pos_errdetail *d)
{
    const uint8_t *p = it->buf_;
    size_t n, i;
    uint32_t v = 0;

    if (off >= it->len_)
        return pos_errdetail_set(d, POS_ERR_TRUNCATED, -1, tlv__abs(it, obj_off),
                                 "tag %X: length missing", (unsigned)tag);
    if (p[off] < 0x80) {
        *vlen = p[off];
        *next = off + 1;
        return POS_OK;
    }
    n = p[off] & 0x7Fu;
    if (n == 0)
        return pos_errdetail_set(d, POS_ERR_TLV_LENGTH, -1, tlv__abs(it, off),
                                 "tag %X: indefinite length (80) not allowed", (unsigned)tag);
    if (n > TLV__LEN_BYTES_MAX)
        return pos_errdetail_set(d, POS_ERR_TLV_LENGTH, -1, tlv__abs(it, off),
                                 "tag %X: length field %02X has %zu bytes (at most 4)",
                                 (unsigned)tag, p[off], n);
    if (n > it->len_ - off - 1)
        return pos_errdetail_set(d, POS_ERR_TRUNCATED, -1, tlv__abs(it, off),
                                 "tag %X: length field runs past the end", (unsigned)tag);
    /* a non-minimal form such as 81 05 is accepted (real cards send it) */
    for (i = 1; i <= n; i++)
        v = (v << 8) | p[off + i];
    *vlen = (size_t)v;
    *next = off + 1 + n;
    return POS_OK;
}

void tlv_iter_init(struct tlv_iter *it, const uint8_t *buf, size_t len)
{
    static const uint8_t empty[1] = {0};

    if (buf == NULL) {
        buf = empty;
        len = 0;
    }
    it->origin_ = buf;
    it->buf_ = buf;
    it->len_ = len;
    it->off_ = 0;
    it->depth_ = 1;
}

int tlv_iter_next(struct tlv_iter *it, struct tlv *out, struct pos_errdetail *d)
{
    size_t off, vstart = 0, vlen = 0;
    uint32_t tag = 0;
    int rc;

    off = it->off_;
    while (off < it->len_ && tlv__is_padding(it->buf_[off]))
        off++;
    if (off >= it->len_) {
        it->off_ = it->len_;
        return 0;
    }
    it->off_ = off; /* stay at the object: a retry reports the same error */
    rc = tlv__read_tag(it, off, &tag, &vstart, d);
    if (rc != POS_OK)
        return rc;
    rc = tlv__read_length(it, off, tag, vstart, &vlen, &vstart, d);
    if (rc != POS_OK)
        return rc;
    if (vlen > it->len_ - vstart) {
        /* at the top level the input ended early; inside a constructed
         * object the length contradicts its container (EMV Book 3 B2) */
        if (it->depth_ == 1)
            return pos_errdetail_set(d, POS_ERR_TRUNCATED, -1, tlv__abs(it, off),
                                     "tag %X: value of %zu bytes runs past the end (%zu left)",
                                     (unsigned)tag, vlen, it->len_ - vstart);
        return pos_errdetail_set(d, POS_ERR_TLV_LENGTH, -1, tlv__abs(it, off),
                                 "tag %X: value of %zu bytes runs past its container (%zu left)",
                                 (unsigned)tag, vlen, it->len_ - vstart);
    }
    out->tag_ = tag;
    out->value_ = it->buf_ + vstart;
    out->len_ = vlen;
    out->offset_ = tlv__abs(it, off);
    out->header_len_ = vstart - off;
    out->depth_ = it->depth_;
    it->off_ = vstart + vlen;
    return 1;
}

int tlv_iter_children(const struct tlv_iter *parent, const struct tlv *t, struct tlv_iter *child,
                      struct pos_errdetail *d)
{
    if (!tlv_is_constructed(t))
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, t->offset_, "tag %X is primitive",
                                 (unsigned)t->tag_);
    if (t->depth_ >= TLV_DEPTH_MAX)
        return pos_errdetail_set(d, POS_ERR_TLV_DEPTH, -1, t->offset_,
                                 "tag %X: nesting deeper than %d levels", (unsigned)t->tag_,
                                 TLV_DEPTH_MAX);
    child->origin_ = parent->origin_;
    child->buf_ = t->value_;
    child->len_ = t->len_;
    child->off_ = 0;
    child->depth_ = t->depth_ + 1;
    return POS_OK;
}

uint32_t tlv_tag(const struct tlv *t)
{
    return t->tag_;
}

const uint8_t *tlv_value(const struct tlv *t)
{
    return t->value_;
}

size_t tlv_len(const struct tlv *t)
{
    return t->len_;
}

size_t tlv_offset(const struct tlv *t)
{
    return t->offset_;
}

size_t tlv_header_len(const struct tlv *t)
{
    return t->header_len_;
}

unsigned tlv_depth(const struct tlv *t)
{
    return t->depth_;
}

bool tlv_is_constructed(const struct tlv *t)
{
    return tlv_tag_is_constructed(t->tag_);
}

size_t tlv_tag_size(uint32_t tag)
{
    if (tag > 0xFFFFFFu)
        return 4;
    if (tag > 0xFFFFu)
        return 3;
    if (tag > 0xFFu)
        return 2;
    return 1;
}

static uint8_t tlv__tag_byte(uint32_t tag, size_t n, size_t i)
{
    return (uint8_t)(tag >> (8 * (n - 1 - i)));
}

/* ISO/IEC 8825-1 §8.1.2.2: bit 6 of the first byte is "constructed". */
bool tlv_tag_is_constructed(uint32_t tag)
{
    return (tlv__tag_byte(tag, tlv_tag_size(tag), 0) & 0x20) != 0;
}

enum tlv_class tlv_tag_class(uint32_t tag)
{
    return (enum tlv_class)(tlv__tag_byte(tag, tlv_tag_size(tag), 0) >> 6);
}

bool tlv_tag_is_valid(uint32_t tag)
{
    size_t n = tlv_tag_size(tag), i;
    uint8_t first = tlv__tag_byte(tag, n, 0);

    if (tlv__is_padding(first))
        return false;
    if (n == 1)
        return (first & 0x1F) != 0x1F;
    if ((first & 0x1F) != 0x1F)
        return false;
    for (i = 1; i + 1 < n; i++)
        if ((tlv__tag_byte(tag, n, i) & 0x80) == 0)
            return false;
    return (tlv__tag_byte(tag, n, n - 1) & 0x80) == 0;
}

int tlv_tag_format(uint32_t tag, char *out, size_t cap)
{
    uint8_t bytes[TLV_TAG_MAX];
    size_t n = tlv_tag_size(tag), i;

    for (i = 0; i < n; i++)
        bytes[i] = tlv__tag_byte(tag, n, i);
    return pos_hex_encode(bytes, n, out, cap);
}

int tlv_tag_parse(const char *text, size_t len, uint32_t *tag)
{
    uint8_t bytes[TLV_TAG_MAX];
    size_t n = 0, i;
    uint32_t t = 0;

    if (len == 0 || len > 2 * TLV_TAG_MAX ||
        pos_hex_decode(text, len, bytes, sizeof(bytes), &n) != POS_OK)
        return POS_ERR_HEX;
    for (i = 0; i < n; i++)
        t = (t << 8) | bytes[i];
    /* "009F" would be the tag 9F: refuse leading zero bytes */
    if (bytes[0] == 0 || !tlv_tag_is_valid(t))
        return POS_ERR_TLV_TAG;
    *tag = t;
    return POS_OK;
}

int tlv_find(const uint8_t *buf, size_t len, uint32_t tag, struct tlv *out, struct pos_errdetail *d)
{
    struct tlv_iter stack[TLV_DEPTH_MAX];
    struct tlv t;
    size_t sp = 0;
    int rc = POS_ERR_NOT_FOUND;

    tlv_iter_init(&stack[0], buf, len);
    for (;;) {
        int r = tlv_iter_next(&stack[sp], &t, d);
        if (r < 0) {
            rc = r;
            goto out;
        }
        if (r == 0) {
            if (sp == 0)
                break;
            sp--;
            continue;
        }
        if (t.tag_ == tag) {
            *out = t;
            rc = POS_OK;
            goto out;
        }
        if (tlv_is_constructed(&t)) {
            /* stack[sp] yields level sp+1 (= t.depth_); tlv_iter_children
             * refuses t.depth_ >= TLV_DEPTH_MAX before writing, so the child
             * slot sp+1 is written only when it is inside the stack */
            r = tlv_iter_children(&stack[sp], &t, stack + sp + 1, d);
            if (r != POS_OK) {
                rc = r;
                goto out;
            }
            sp++;
        }
    }
    pos_errdetail_set(d, POS_ERR_NOT_FOUND, -1, POS_NO_OFFSET, "tag %X", (unsigned)tag);
out:
    return rc;
}

size_t tlv_length_size(size_t len)
{
    if (len < 0x80)
        return 1;
    if (len <= 0xFF)
        return 2;
    if (len <= 0xFFFF)
        return 3;
    if (len <= 0xFFFFFF)
        return 4;
    return 5;
}

/* Writes the minimal length field of len at out (tlv_length_size(len)
 * bytes, room checked by the caller). EMV Book 3 Annex B2. */
static void tlv__put_length(size_t len, uint8_t *out)
{
    size_t n = tlv_length_size(len), i;

    if (n == 1) {
        out[0] = (uint8_t)len;
        return;
    }
    out[0] = (uint8_t)(0x80 | (n - 1));
    for (i = 1; i < n; i++)
        out[i] = (uint8_t)(len >> (8 * (n - 1 - i)));
}

static void tlv__put_tag(uint32_t tag, uint8_t *out)
{
    size_t n = tlv_tag_size(tag), i;

    for (i = 0; i < n; i++)
        out[i] = tlv__tag_byte(tag, n, i);
}

int tlv_encode(uint32_t tag, const uint8_t *value, size_t len, uint8_t *out, size_t cap,
               size_t *out_len)
{
    size_t hdr;

    if (!tlv_tag_is_valid(tag))
        return POS_ERR_TLV_TAG;
    if ((uint64_t)len > TLV__LEN_MAX)
        return POS_ERR_TLV_LENGTH;
    if (len > 0 && value == NULL)
        return POS_ERR_INVAL;
    hdr = tlv_tag_size(tag) + tlv_length_size(len);
    if (out == NULL || len > cap || hdr > cap - len)
        return POS_ERR_NOSPACE;
    tlv__put_tag(tag, out);
    tlv__put_length(len, out + tlv_tag_size(tag));
    if (len > 0)
        memmove(out + hdr, value, len);
    if (out_len != NULL)
        *out_len = hdr + len;
    return POS_OK;
}

void tlv_builder_init(struct tlv_builder *b, uint8_t *out, size_t cap)
{
    b->out_ = out;
    b->cap_ = out == NULL ? 0 : cap;
    b->len_ = 0;
    b->depth_ = 0;
    b->err_ = POS_OK;
}

static int tlv__builder_fail(struct tlv_builder *b, int err)
{
    b->err_ = err;
    return err;
}

int tlv_builder_add(struct tlv_builder *b, uint32_t tag, const uint8_t *value, size_t len)
{
    size_t n = 0;
    int rc;

    if (b->err_ != POS_OK)
        return b->err_;
    if (b->out_ == NULL)
        return tlv__builder_fail(b, POS_ERR_NOSPACE);
    rc = tlv_encode(tag, value, len, b->out_ + b->len_, b->cap_ - b->len_, &n);
    if (rc != POS_OK)
        return tlv__builder_fail(b, rc);
    b->len_ += n;
    return POS_OK;
}

int tlv_builder_begin(struct tlv_builder *b, uint32_t tag)
{
    size_t n;

    if (b->err_ != POS_OK)
        return b->err_;
    if (!tlv_tag_is_valid(tag) || !tlv_tag_is_constructed(tag))
        return tlv__builder_fail(b, POS_ERR_TLV_TAG);
    if (b->depth_ >= TLV_DEPTH_MAX)
        return tlv__builder_fail(b, POS_ERR_TLV_DEPTH);
    n = tlv_tag_size(tag);
    if (n + 1 > b->cap_ - b->len_)
        return tlv__builder_fail(b, POS_ERR_NOSPACE);
    tlv__put_tag(tag, b->out_ + b->len_);
    b->len_ += n;
    b->open_[b->depth_++] = b->len_;
    b->out_[b->len_++] = 0; /* placeholder, patched by tlv_builder_end */
    return POS_OK;
}

int tlv_builder_end(struct tlv_builder *b)
{
    size_t pos, vlen, extra;

    if (b->err_ != POS_OK)
        return b->err_;
    if (b->depth_ == 0)
        return tlv__builder_fail(b, POS_ERR_INVAL);
    pos = b->open_[--b->depth_];
    vlen = b->len_ - pos - 1;
    if ((uint64_t)vlen > TLV__LEN_MAX)
        return tlv__builder_fail(b, POS_ERR_TLV_LENGTH);
    extra = tlv_length_size(vlen) - 1;
    if (extra > b->cap_ - b->len_)
        return tlv__builder_fail(b, POS_ERR_NOSPACE);
    if (extra > 0)
        memmove(b->out_ + pos + 1 + extra, b->out_ + pos + 1, vlen);
    tlv__put_length(vlen, b->out_ + pos);
    b->len_ += extra;
    return POS_OK;
}

int tlv_builder_finish(struct tlv_builder *b, size_t *out_len)
{
    if (b->err_ != POS_OK)
        return b->err_;
    if (b->depth_ != 0)
        return tlv__builder_fail(b, POS_ERR_INVAL);
    if (out_len != NULL)
        *out_len = b->len_;
    return POS_OK;
}
