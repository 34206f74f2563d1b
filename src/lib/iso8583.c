/*
 * iso8583: messages (set, get, copy) and the decoder.
 *
 * Layout decoded (ISO 8583:1987 §4.1): [TPDU][header] MTI, primary bitmap
 * (bit 1 announces the secondary bitmap), [secondary bitmap], then each
 * present field in ascending order: [length prefix] data. The decoder
 * records views into the input; it never copies or allocates.
 */
#include "iso8583.h"

#include <string.h>

#include "error.h"
#include "hex.h"
#include "iso8583_int.h"

#define NO_OFF ((size_t)-1)

static bool bit_get(const uint8_t *bits, int k)
{
    return (bits[(k - 1) >> 3] >> (7 - ((k - 1) & 7))) & 1u;
}

static void bit_set(uint8_t *bits, int k)
{
    bits[(k - 1) >> 3] |= (uint8_t)(0x80u >> ((k - 1) & 7));
}

static void bit_clear(uint8_t *bits, int k)
{
    bits[(k - 1) >> 3] &= (uint8_t) ~(0x80u >> ((k - 1) & 7));
}

void iso8583_msg_init(struct iso8583_msg *m, const struct iso8583_dialect *d)
{
    m->d = d;
    memcpy(m->mti, "0000", 5);
    m->secondary = 0;
    m->tpdu = NULL;
    m->header = NULL;
    m->mti_off = NO_OFF;
    m->mac_off = NO_OFF;
    memset(m->bits, 0, sizeof(m->bits));
}

int iso8583_set_mti(struct iso8583_msg *m, const char *mti)
{
    if (mti == NULL || strlen(mti) != 4 || !pos_is_digits(mti, 4))
        return POS_ERR_ISO_MTI;
    memcpy(m->mti, mti, 5);
    return POS_OK;
}

const char *iso8583_get_mti(const struct iso8583_msg *m)
{
    return m->mti;
}

int iso8583_set_tpdu(struct iso8583_msg *m, const uint8_t *p, size_t len)
{
    if (p == NULL || len != m->d->tpdu_len)
        return POS_ERR_ISO_HEADER;
    m->tpdu = p;
    return POS_OK;
}

int iso8583_set_header(struct iso8583_msg *m, const uint8_t *p, size_t len)
{
    if (p == NULL || len != m->d->header_len)
        return POS_ERR_ISO_HEADER;
    m->header = p;
    return POS_OK;
}

const uint8_t *iso8583_get_tpdu(const struct iso8583_msg *m, size_t *len)
{
    *len = m->d->tpdu_len;
    return m->tpdu != NULL ? m->tpdu : m->d->tpdu;
}

const uint8_t *iso8583_get_header(const struct iso8583_msg *m, size_t *len)
{
    *len = m->d->header_len;
    return m->header != NULL ? m->header : m->d->header;
}

int iso8583_set(struct iso8583_msg *m, int fld, const void *value, size_t len)
{
    const struct iso8583_field_def *f;

    if (fld < 2 || fld > ISO8583_MAX_FIELD || (value == NULL && len > 0))
        return POS_ERR_INVAL;
    f = &m->d->f[fld];
    if (f->type == ISO8583_T_NONE)
        return POS_ERR_ISO_FIELD_UNDEFINED;
    if (f->var == 0 ? len != f->max : len > f->max)
        return POS_ERR_ISO_FIELD_LENGTH;
    m->v[fld].p = value;
    m->v[fld].len = (uint16_t)len;
    m->v[fld].n = (uint16_t)len;
    m->v[fld].wire = 0;
    bit_set(m->bits, fld);
    return POS_OK;
}

int iso8583_set_str(struct iso8583_msg *m, int fld, const char *s)
{
    if (s == NULL)
        return POS_ERR_INVAL;
    return iso8583_set(m, fld, s, strlen(s));
}

void iso8583_unset(struct iso8583_msg *m, int fld)
{
    if (fld >= 2 && fld <= ISO8583_MAX_FIELD)
        bit_clear(m->bits, fld);
}

bool iso8583_has(const struct iso8583_msg *m, int fld)
{
    return fld >= 2 && fld <= ISO8583_MAX_FIELD && bit_get(m->bits, fld);
}

int iso8583_next(const struct iso8583_msg *m, int after)
{
    return iso8583__next(m->bits, after);
}

size_t iso8583_field_len(const struct iso8583_msg *m, int fld)
{
    return iso8583_has(m, fld) ? m->v[fld].n : 0;
}

int iso8583_get_value(const struct iso8583_msg *m, int fld, uint8_t *out, size_t cap,
                      size_t *out_len)
{
    const struct iso8583_view *v;

    if (!iso8583_has(m, fld))
        return POS_ERR_NOT_FOUND;
    v = &m->v[fld];
    if (v->n > cap)
        return POS_ERR_NOSPACE;
    iso8583__wire_to_value(&m->d->f[fld], v, out);
    *out_len = v->n;
    return POS_OK;
}

int iso8583_get_text(const struct iso8583_msg *m, int fld, char *out, size_t cap, size_t *out_len)
{
    const struct iso8583_view *v;
    size_t n, i;

    if (!iso8583_has(m, fld))
        return POS_ERR_NOT_FOUND;
    v = &m->v[fld];
    n = v->n;
    if (m->d->f[fld].type != ISO8583_T_B) {
        if (n >= cap)
            return POS_ERR_NOSPACE;
        iso8583__wire_to_value(&m->d->f[fld], v, (uint8_t *)out);
        out[n] = '\0';
    } else {
        static const char hx[] = "0123456789ABCDEF";
        if (cap < 1 || n > (cap - 1) / 2)
            return POS_ERR_NOSPACE;
        /* convert in place from the tail: raw bytes at out, hex after */
        iso8583__wire_to_value(&m->d->f[fld], v, (uint8_t *)out);
        for (i = n; i-- > 0;) {
            uint8_t b = (uint8_t)out[i];
            out[2 * i] = hx[b >> 4];
            out[2 * i + 1] = hx[b & 15];
        }
        n *= 2;
        out[n] = '\0';
    }
    if (out_len != NULL)
        *out_len = n;
    return POS_OK;
}

static bool field_same_wire(const struct iso8583_field_def *a, const struct iso8583_field_def *b)
{
    bool bcd_odd = a->data_enc == ISO8583_ENC_BCD;

    return a->type == b->type && a->data_enc == b->data_enc &&
           (!bcd_odd || (a->pad_left == b->pad_left && a->fill == b->fill));
}

int iso8583_copy_field(struct iso8583_msg *dst, const struct iso8583_msg *src, int fld)
{
    const struct iso8583_field_def *fd;

    if (fld < 2 || fld > ISO8583_MAX_FIELD)
        return POS_ERR_INVAL;
    if (!iso8583_has(src, fld)) {
        iso8583_unset(dst, fld);
        return POS_OK;
    }
    fd = &dst->d->f[fld];
    if (fd->type == ISO8583_T_NONE)
        return POS_ERR_ISO_FIELD_UNDEFINED;
    if (src->v[fld].wire && dst->d != src->d && !field_same_wire(fd, &src->d->f[fld]))
        return POS_ERR_UNSUPPORTED;
    if (fd->var == 0 ? src->v[fld].n != fd->max : src->v[fld].n > fd->max)
        return POS_ERR_ISO_FIELD_LENGTH;
    dst->v[fld] = src->v[fld];
    bit_set(dst->bits, fld);
    return POS_OK;
}

int iso8583_mac_span(const struct iso8583_msg *m, size_t *start, size_t *end)
{
    if (m->mac_off == NO_OFF || m->mti_off == NO_OFF)
        return POS_ERR_NOT_FOUND;
    *start = m->mti_off;
    *end = m->mac_off;
    return POS_OK;
}

/* ---- decoding ---- */

static int dec_mti(const struct iso8583_dialect *d, const uint8_t *buf, size_t len, size_t *off,
                   struct iso8583_msg *m, struct pos_errdetail *det)
{
    size_t o = *off, need = d->mti_enc == ISO8583_ENC_BCD ? 2 : 4, i;

    if (need > len - o)
        return pos_errdetail_set(det, POS_ERR_TRUNCATED, -1, o, "MTI needs %zu bytes", need);
    for (i = 0; i < 4; i++) {
        unsigned c;
        if (d->mti_enc == ISO8583_ENC_BCD)
            c = (i & 1) ? (buf[o + i / 2] & 0x0Fu) : (unsigned)(buf[o + i / 2] >> 4);
        else if (d->mti_enc == ISO8583_ENC_EBCDIC)
            c = (unsigned)buf[o + i] - 0xF0u;
        else
            c = (unsigned)buf[o + i] - '0';
        if (c > 9)
            return pos_errdetail_set(det, POS_ERR_ISO_MTI, -1,
                                     o + (d->mti_enc == ISO8583_ENC_BCD ? i / 2 : i),
                                     "MTI digit %zu is not 0-9", i + 1);
        m->mti[i] = (char)('0' + c);
    }
    m->mti[4] = '\0';
    *off = o + need;
    return POS_OK;
}

static int dec_bitmap_part(const struct iso8583_dialect *d, const uint8_t *buf, size_t len,
                           size_t *off, uint8_t *bits, struct pos_errdetail *det)
{
    size_t o = *off, i;

    if (d->bitmap_enc == ISO8583_ENC_BINARY) {
        if (8 > len - o)
            return pos_errdetail_set(det, POS_ERR_TRUNCATED, 1, o, "bitmap needs 8 bytes");
        memcpy(bits, buf + o, 8);
        *off = o + 8;
        return POS_OK;
    }
    if (16 > len - o)
        return pos_errdetail_set(det, POS_ERR_TRUNCATED, 1, o, "bitmap needs 16 hex digits");
    for (i = 0; i < 8; i++) {
        int hi = pos_hex_value((char)buf[o + 2 * i]), lo = pos_hex_value((char)buf[o + 2 * i + 1]);
        if (hi < 0 || lo < 0)
            return pos_errdetail_set(det, POS_ERR_ISO_BITMAP, 1, o + 2 * i + (hi < 0 ? 0 : 1),
                                     "bitmap is not hex");
        bits[i] = (uint8_t)(hi << 4 | lo);
    }
    *off = o + 16;
    return POS_OK;
}

static int dec_prefix(const struct iso8583_field_def *f, int fld, const uint8_t *buf, size_t len,
                      size_t *off, size_t *n_out, struct pos_errdetail *det)
{
    size_t o = *off, plen = iso8583__prefix_len(f), n = 0, i;

    if (plen > len - o)
        return pos_errdetail_set(det, POS_ERR_TRUNCATED, fld, o, "length prefix needs %zu bytes",
                                 plen);
    switch (f->prefix_enc) {
    case ISO8583_ENC_BINARY:
        n = plen == 1 ? buf[o] : ((size_t)buf[o] << 8 | buf[o + 1]);
        break;
    case ISO8583_ENC_BCD:
        for (i = 0; i < 2 * plen; i++) {
            unsigned nib = (i & 1) ? (buf[o + i / 2] & 0x0Fu) : (unsigned)(buf[o + i / 2] >> 4);
            if (nib > 9 || (i == 0 && (f->var & 1) && nib != 0))
                return pos_errdetail_set(det, POS_ERR_ISO_FIELD_LENGTH, fld, o + i / 2,
                                         "length prefix is not BCD");
            n = n * 10 + nib;
        }
        break;
    default:
        for (i = 0; i < plen; i++) {
            unsigned c = f->prefix_enc == ISO8583_ENC_EBCDIC ? (unsigned)buf[o + i] - 0xF0u
                                                             : (unsigned)buf[o + i] - '0';
            if (c > 9)
                return pos_errdetail_set(det, POS_ERR_ISO_FIELD_LENGTH, fld, o + i,
                                         "length prefix digit is not 0-9");
            n = n * 10 + c;
        }
        break;
    }
    if (n > f->max)
        return pos_errdetail_set(det, POS_ERR_ISO_FIELD_LENGTH, fld, o,
                                 "length %zu over the maximum %u", n, (unsigned)f->max);
    *n_out = n;
    *off = o + plen;
    return POS_OK;
}

/* Validates n units of BCD data at p (fld's data starting at offset o):
 * every nibble 0-9 (or D in z), the pad nibble of an odd length the fill. */
static int check_bcd(const struct iso8583_field_def *f, int fld, const uint8_t *p, size_t n,
                     size_t o, struct pos_errdetail *det)
{
    size_t bytes = (n + 1) / 2, i, padbyte = 0;
    unsigned z = f->type == ISO8583_T_Z, padnib = 0;

    if (n & 1) {
        padbyte = f->pad_left ? 0 : bytes - 1;
        padnib = f->pad_left ? (unsigned)(p[padbyte] >> 4) : (p[padbyte] & 0x0Fu);
        if (padnib != f->fill)
            return pos_errdetail_set(det, POS_ERR_BCD, fld, o + padbyte,
                                     "pad nibble %X, expected %X", padnib, (unsigned)f->fill);
    }
    for (i = 0; i < bytes; i++) {
        unsigned hi = p[i] >> 4, lo = p[i] & 0x0Fu;
        if (hi <= 9 && lo <= 9)
            continue;
        if ((n & 1) && i == padbyte) {
            if (f->pad_left)
                hi = 0;
            else
                lo = 0;
        }
        if ((hi > 9 && !(z && hi == 0xD)) || (lo > 9 && !(z && lo == 0xD)))
            return pos_errdetail_set(det, POS_ERR_BCD, fld, o + i, "nibble %X",
                                     hi > 9 && !(z && hi == 0xD) ? hi : lo);
    }
    return POS_OK;
}

static int check_data(const struct iso8583_field_def *f, int fld, const uint8_t *p, size_t n,
                      size_t o, struct pos_errdetail *det)
{
    size_t i;

    switch (f->data_enc) {
    case ISO8583_ENC_BINARY:
        return POS_OK;
    case ISO8583_ENC_HEX:
        for (i = 0; i < 2 * n; i++)
            if (!(iso8583__cls[p[i]] & ISO8583__C_HEX))
                return pos_errdetail_set(det, POS_ERR_ISO_FIELD_CHARSET, fld, o + i,
                                         "not a hex digit");
        return POS_OK;
    case ISO8583_ENC_BCD:
        if (f->type == ISO8583_T_XN) {
            if (!iso8583__char_ok(ISO8583_T_XN, 0, p[0]))
                return pos_errdetail_set(det, POS_ERR_ISO_FIELD_CHARSET, fld, o,
                                         "amount sign is not C or D");
            return check_bcd(f, fld, p + 1, n - 1, o + 1, det);
        }
        return check_bcd(f, fld, p, n, o, det);
    case ISO8583_ENC_EBCDIC:
        for (i = 0; i < n; i++) {
            uint8_t c = iso8583__e2a[p[i]];
            if (c == 0 || !iso8583__char_ok(f->type, i, c))
                return pos_errdetail_set(det, iso8583__char_err(f->type, i), fld, o + i,
                                         "character not allowed in a %s field",
                                         f->type == ISO8583_T_N ? "numeric" : "text");
        }
        return POS_OK;
    default:
        i = iso8583__scan(f->type, p, n, 0);
        if (i < n)
            return pos_errdetail_set(det, iso8583__char_err(f->type, i), fld, o + i,
                                     "character not allowed in a %s field",
                                     f->type == ISO8583_T_N ? "numeric" : "text");
        return POS_OK;
    }
}

static int dec_field(const struct iso8583_field_def *f, int fld, const uint8_t *buf, size_t len,
                     size_t *off, struct iso8583_view *v, struct pos_errdetail *det)
{
    size_t n = f->max, o = *off, wl;
    int rc;

    if (f->var != 0) {
        rc = dec_prefix(f, fld, buf, len, &o, &n, det);
        if (rc != POS_OK)
            return rc;
    }
    if (f->type == ISO8583_T_XN && n == 0)
        return pos_errdetail_set(det, POS_ERR_ISO_FIELD_LENGTH, fld, *off,
                                 "amount without its sign");
    wl = iso8583__wire_len(f, n);
    if (wl > len - o)
        return pos_errdetail_set(det, POS_ERR_TRUNCATED, fld, o, "needs %zu bytes, %zu left", wl,
                                 len - o);
    rc = check_data(f, fld, buf + o, n, o, det);
    if (rc != POS_OK)
        return rc;
    v->p = buf + o;
    v->len = (uint16_t)wl;
    v->n = (uint16_t)n;
    v->wire = 1;
    *off = o + wl;
    return POS_OK;
}

static int dec_header(const struct iso8583_dialect *d, const uint8_t *buf, size_t len,
                      struct iso8583_msg *m, size_t *off, struct pos_errdetail *det)
{
    if ((size_t)d->tpdu_len + d->header_len > len)
        return pos_errdetail_set(det, POS_ERR_TRUNCATED, -1, 0, "TPDU and header need %u bytes",
                                 (unsigned)(d->tpdu_len + d->header_len));
    m->tpdu = d->tpdu_len ? buf : NULL;
    m->header = d->header_len ? buf + d->tpdu_len : NULL;
    *off = (size_t)d->tpdu_len + d->header_len;
    return POS_OK;
}

int iso8583_decode(const struct iso8583_dialect *d, const uint8_t *buf, size_t len,
                   struct iso8583_msg *m, struct pos_errdetail *det)
{
    size_t off = 0;
    int rc, k;

    if (d == NULL || m == NULL || (buf == NULL && len > 0))
        return pos_errdetail_set(det, POS_ERR_INVAL, -1, POS_NO_OFFSET, "NULL argument");
    iso8583_msg_init(m, d);
    rc = dec_header(d, buf, len, m, &off, det);
    if (rc != POS_OK)
        return rc;
    m->mti_off = off;
    rc = dec_mti(d, buf, len, &off, m, det);
    if (rc == POS_OK)
        rc = dec_bitmap_part(d, buf, len, &off, m->bits, det);
    if (rc == POS_OK && (m->bits[0] & 0x80)) {
        rc = dec_bitmap_part(d, buf, len, &off, m->bits + 8, det);
        m->secondary = 1;
    }
    if (rc != POS_OK)
        return rc;
    for (k = iso8583__next(m->bits, 1); k != 0; k = iso8583__next(m->bits, k)) {
        const struct iso8583_field_def *f = &d->f[k];
        if (f->type == ISO8583_T_NONE)
            return pos_errdetail_set(det, POS_ERR_ISO_FIELD_UNDEFINED, k, off, "bitmap bit %d set",
                                     k);
        if (k == 64 || k == 128)
            m->mac_off = off;
        rc = dec_field(f, k, buf, len, &off, &m->v[k], det);
        if (rc != POS_OK)
            return rc;
    }
    if (off != len)
        return pos_errdetail_set(det, POS_ERR_TRAILING, -1, off, "%zu bytes after the last field",
                                 len - off);
    return POS_OK;
}
