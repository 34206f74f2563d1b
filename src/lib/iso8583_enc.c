/*
 * iso8583_enc: the encoder (ISO 8583:1987 §4.1 layout, the dialect's wire
 * encodings). Writes into the caller's buffer; never truncates, never
 * allocates. Values set by the caller are validated here, character by
 * character, as they are converted.
 */
#include "iso8583.h"

#include <string.h>

#include "error.h"
#include "iso8583_int.h"

struct enc {
    uint8_t *out;
    size_t cap;
    size_t off;
    struct pos_errdetail *det;
};

static int enc_room(struct enc *e, size_t need, int fld)
{
    if (e->off > e->cap || need > e->cap - e->off)
        return pos_errdetail_set(e->det, POS_ERR_NOSPACE, fld, e->off,
                                 "%zu more bytes needed, %zu left", need,
                                 e->off > e->cap ? 0 : e->cap - e->off);
    return POS_OK;
}

static int enc_mti(struct enc *e, const struct iso8583_dialect *d, const char *mti)
{
    size_t i;
    int rc;

    if (strlen(mti) != 4)
        return pos_errdetail_set(e->det, POS_ERR_ISO_MTI, -1, e->off, "MTI is not 4 digits");
    for (i = 0; i < 4; i++)
        if (mti[i] < '0' || mti[i] > '9')
            return pos_errdetail_set(e->det, POS_ERR_ISO_MTI, -1, e->off,
                                     "MTI digit %zu is not 0-9", i + 1);
    rc = enc_room(e, d->mti_enc == ISO8583_ENC_BCD ? 2 : 4, -1);
    if (rc != POS_OK)
        return rc;
    if (d->mti_enc == ISO8583_ENC_BCD) {
        e->out[e->off++] = (uint8_t)((mti[0] - '0') << 4 | (mti[1] - '0'));
        e->out[e->off++] = (uint8_t)((mti[2] - '0') << 4 | (mti[3] - '0'));
        return POS_OK;
    }
    for (i = 0; i < 4; i++)
        e->out[e->off++] =
            d->mti_enc == ISO8583_ENC_EBCDIC ? iso8583__a2e[(uint8_t)mti[i]] : (uint8_t)mti[i];
    return POS_OK;
}

static int enc_bitmap(struct enc *e, const struct iso8583_dialect *d, const uint8_t *bits,
                      size_t nbytes)
{
    static const char hx[] = "0123456789ABCDEF";
    size_t i;
    int rc;

    rc = enc_room(e, d->bitmap_enc == ISO8583_ENC_HEX ? 2 * nbytes : nbytes, 1);
    if (rc != POS_OK)
        return rc;
    if (d->bitmap_enc != ISO8583_ENC_HEX) {
        memcpy(e->out + e->off, bits, nbytes);
        e->off += nbytes;
        return POS_OK;
    }
    for (i = 0; i < nbytes; i++) {
        e->out[e->off++] = (uint8_t)hx[bits[i] >> 4];
        e->out[e->off++] = (uint8_t)hx[bits[i] & 15];
    }
    return POS_OK;
}

static int enc_prefix(struct enc *e, const struct iso8583_field_def *f, int fld, size_t n)
{
    size_t plen = iso8583__prefix_len(f), i;
    uint8_t digits[4];
    size_t v = n;
    int rc;

    if (n > f->max)
        return pos_errdetail_set(e->det, POS_ERR_ISO_FIELD_LENGTH, fld, e->off,
                                 "length %zu over the maximum %u", n, (unsigned)f->max);
    rc = enc_room(e, plen, fld);
    if (rc != POS_OK)
        return rc;
    for (i = f->var; i-- > 0;) {
        digits[i] = (uint8_t)(v % 10);
        v /= 10;
    }
    switch (f->prefix_enc) {
    case ISO8583_ENC_BINARY:
        if (plen == 2)
            e->out[e->off++] = (uint8_t)(n >> 8);
        e->out[e->off++] = (uint8_t)n;
        break;
    case ISO8583_ENC_BCD:
        if (f->var & 1) { /* LLL: 0L LL */
            e->out[e->off++] = digits[0];
            for (i = 1; i < f->var; i += 2)
                e->out[e->off++] = (uint8_t)(digits[i] << 4 | digits[i + 1]);
        } else {
            for (i = 0; i < f->var; i += 2)
                e->out[e->off++] = (uint8_t)(digits[i] << 4 | digits[i + 1]);
        }
        break;
    default:
        for (i = 0; i < f->var; i++)
            e->out[e->off++] =
                (uint8_t)(f->prefix_enc == ISO8583_ENC_EBCDIC ? 0xF0 + digits[i] : '0' + digits[i]);
        break;
    }
    return POS_OK;
}

static int bad_char(struct enc *e, const struct iso8583_field_def *f, int fld, size_t i)
{
    return pos_errdetail_set(e->det, iso8583__char_err(f->type, i), fld, e->off,
                             "character %zu of the value not allowed in a %s field", i + 1,
                             f->type == ISO8583_T_N ? "numeric" : "text");
}

/* Packs n characters of s as BCD at e->out + e->off (room checked). */
static int enc_bcd(struct enc *e, const struct iso8583_field_def *f, int fld, const uint8_t *s,
                   size_t n, size_t first)
{
    uint8_t *o = e->out + e->off;
    size_t i = 0, bytes = (n + 1) / 2;
    size_t bad = iso8583__scan(f->type == ISO8583_T_Z ? ISO8583_T_Z : ISO8583_T_N, s, n, 1);

    if (bad < n)
        return bad_char(e, f, fld, first + bad);
    /* jPOS ISOUtil.str2bcd: '=' (and 'D') become nibble D: ('=' - '0') & 15 = D */
    if ((n & 1) && f->pad_left) {
        *o++ = (uint8_t)(f->fill << 4 | iso8583__nibble(s[0]));
        i = 1;
    }
    for (; i + 1 < n; i += 2)
        *o++ = (uint8_t)(iso8583__nibble(s[i]) << 4 | iso8583__nibble(s[i + 1]));
    if (i < n)
        *o = (uint8_t)(iso8583__nibble(s[i]) << 4 | f->fill);
    e->off += bytes;
    return POS_OK;
}

static int enc_value(struct enc *e, const struct iso8583_field_def *f, int fld,
                     const struct iso8583_view *v)
{
    static const char hx[] = "0123456789ABCDEF";
    const uint8_t *s = v->p;
    size_t n = v->n, i;
    int rc;

    if (f->type == ISO8583_T_XN && n == 0)
        return pos_errdetail_set(e->det, POS_ERR_ISO_FIELD_LENGTH, fld, e->off,
                                 "amount without its sign");
    rc = enc_room(e, iso8583__wire_len(f, n), fld);
    if (rc != POS_OK)
        return rc;
    switch (f->data_enc) {
    case ISO8583_ENC_BCD:
        if (f->type == ISO8583_T_XN) {
            if (!iso8583__char_ok(ISO8583_T_XN, 0, s[0]))
                return bad_char(e, f, fld, 0);
            e->out[e->off++] = s[0];
            return enc_bcd(e, f, fld, s + 1, n - 1, 1);
        }
        return enc_bcd(e, f, fld, s, n, 0);
    case ISO8583_ENC_HEX:
        for (i = 0; i < n; i++) {
            e->out[e->off + 2 * i] = (uint8_t)hx[s[i] >> 4];
            e->out[e->off + 2 * i + 1] = (uint8_t)hx[s[i] & 15];
        }
        e->off += 2 * n;
        return POS_OK;
    case ISO8583_ENC_BINARY:
        memcpy(e->out + e->off, s, n);
        e->off += n;
        return POS_OK;
    default:
        i = iso8583__scan(f->type, s, n, 0);
        if (i < n)
            return bad_char(e, f, fld, i);
        if (f->data_enc == ISO8583_ENC_EBCDIC) {
            for (i = 0; i < n; i++)
                e->out[e->off + i] = iso8583__a2e[s[i]];
        } else {
            memcpy(e->out + e->off, s, n);
        }
        e->off += n;
        return POS_OK;
    }
}

static int enc_field(struct enc *e, const struct iso8583_field_def *f, int fld,
                     const struct iso8583_view *v)
{
    int rc;

    if (f->type == ISO8583_T_NONE)
        return pos_errdetail_set(e->det, POS_ERR_ISO_FIELD_UNDEFINED, fld, e->off,
                                 "field not in dialect");
    if (f->var == 0 && v->n != f->max)
        return pos_errdetail_set(e->det, POS_ERR_ISO_FIELD_LENGTH, fld, e->off,
                                 "length %u, fixed length %u", (unsigned)v->n, (unsigned)f->max);
    if (f->var != 0) {
        rc = enc_prefix(e, f, fld, v->n);
        if (rc != POS_OK)
            return rc;
    }
    if (!v->wire)
        return enc_value(e, f, fld, v);
    /* already in this dialect's wire form (decoded or copied): as is */
    rc = enc_room(e, v->len, fld);
    if (rc != POS_OK)
        return rc;
    memcpy(e->out + e->off, v->p, v->len);
    e->off += v->len;
    return POS_OK;
}

static int enc_header(struct enc *e, const struct iso8583_msg *m)
{
    const struct iso8583_dialect *d = m->d;
    size_t n = (size_t)d->tpdu_len + d->header_len;
    int rc = enc_room(e, n, -1);

    if (rc != POS_OK)
        return rc;
    memcpy(e->out + e->off, m->tpdu != NULL ? m->tpdu : d->tpdu, d->tpdu_len);
    e->off += d->tpdu_len;
    memcpy(e->out + e->off, m->header != NULL ? m->header : d->header, d->header_len);
    e->off += d->header_len;
    return POS_OK;
}

int iso8583_encode(struct iso8583_msg *m, uint8_t *out, size_t cap, size_t *out_len,
                   struct pos_errdetail *det)
{
    struct enc e = {out, cap, 0, det};
    uint8_t bits[16];
    size_t nb = 8;
    int rc, k;

    if (m == NULL || m->d == NULL || out_len == NULL || (out == NULL && cap > 0))
        return pos_errdetail_set(det, POS_ERR_INVAL, -1, POS_NO_OFFSET, "NULL argument");
    m->mti_off = (size_t)-1;
    m->mac_off = (size_t)-1;
    memcpy(bits, m->bits, sizeof(bits));
    bits[0] &= 0x7F;
    if (m->secondary ||
        bits[8] | bits[9] | bits[10] | bits[11] | bits[12] | bits[13] | bits[14] | bits[15]) {
        bits[0] |= 0x80;
        nb = 16;
    }
    rc = enc_header(&e, m);
    if (rc != POS_OK)
        return rc;
    m->mti_off = e.off;
    rc = enc_mti(&e, m->d, m->mti);
    if (rc == POS_OK)
        rc = enc_bitmap(&e, m->d, bits, nb);
    for (k = iso8583__next(m->bits, 1); rc == POS_OK && k != 0; k = iso8583__next(m->bits, k)) {
        if (k == 64 || k == 128)
            m->mac_off = e.off;
        rc = enc_field(&e, &m->d->f[k], k, &m->v[k]);
    }
    if (rc != POS_OK) {
        m->mti_off = (size_t)-1;
        m->mac_off = (size_t)-1;
        return rc;
    }
    *out_len = e.off;
    return POS_OK;
}
