/*
 * qr: EMVCo QRCPS-MPM v1.1 payload decode and encode (see qr.h).
 *
 * Clause references are to EMV QRCPS Merchant-Presented Mode v1.1: the data
 * object format (ID "00"-"99", length "01"-"99" in characters, value), the
 * data object tables of the root (IDs 00-99), of the Merchant Account
 * Information templates (26-51), the Additional Data Field Template (62),
 * the Merchant Information - Language Template (64) and the Unreserved
 * Templates (80-99), and the CRC (ID 63) computed over the payload including
 * its own ID and length "6304".
 */
#include "qr.h"

#include <stdio.h>
#include <string.h>

#include "crc16.h"
#include "error.h"
#include "hex.h"

/* Character sets of the data object tables: N numeric, ans the EMV Common
 * Character Set (0x20-0x7E), S any Unicode character as UTF-8. */
enum qr__fmt { QR__N, QR__ANS, QR__S };

struct qr__rule {
    enum qr__fmt fmt;
    unsigned min, max; /* characters */
};

/* Which IDs are templates at a depth (parent_id: the enclosing template). */
static bool qr__is_template(unsigned depth, unsigned parent_id, unsigned id)
{
    if (depth == 0)
        return (id >= 26 && id <= 51) || id == 62 || id == 64 || id >= 80;
    if (depth == 1)
        return parent_id == 62 && id >= 50; /* Payment System specific templates */
    return false;
}

static int qr__path(unsigned depth, int parent_path, unsigned id)
{
    return depth == 0 ? (int)id : parent_path * 100 + (int)id;
}

/* The size and character set of a primitive data object; false for IDs
 * the specification reserves (RFU) or does not define at that place. */
static bool qr__rule_of(unsigned depth, unsigned parent_id, unsigned id, struct qr__rule *r)
{
    static const struct {
        uint8_t id;
        uint8_t fmt, min, max;
    } root[] = {
        {0, QR__N, 2, 2},     {1, QR__N, 2, 2},     {52, QR__N, 4, 4},    {53, QR__N, 3, 3},
        {54, QR__ANS, 1, 13}, {55, QR__N, 2, 2},    {56, QR__ANS, 1, 13}, {57, QR__ANS, 1, 5},
        {58, QR__ANS, 2, 2},  {59, QR__ANS, 1, 25}, {60, QR__ANS, 1, 15}, {61, QR__ANS, 1, 10},
        {63, QR__ANS, 4, 4},
    };
    size_t i;

    r->fmt = QR__S;
    r->min = 1;
    r->max = 99;
    if (depth == 0) {
        if (id >= 2 && id <= 25) { /* primitive Merchant Account Information */
            r->fmt = QR__ANS;
            return true;
        }
        for (i = 0; i < sizeof(root) / sizeof(root[0]); i++)
            if (root[i].id == id) {
                r->fmt = (enum qr__fmt)root[i].fmt;
                r->min = root[i].min;
                r->max = root[i].max;
                return true;
            }
        return false; /* 65-79 RFU; templates are not primitives */
    }
    if (depth == 1 && parent_id == 62) {
        r->fmt = QR__ANS;
        if (id >= 1 && id <= 8) { /* Bill Number .. Purpose of Transaction */
            r->max = 25;
            return true;
        }
        if (id == 9) { /* Additional Consumer Data Request */
            r->max = 3;
            return true;
        }
        if (id == 10) { /* Merchant Tax ID */
            r->max = 20;
            return true;
        }
        if (id == 11) { /* Merchant Channel */
            r->min = r->max = 3;
            return true;
        }
        return false; /* 00, 12-49 RFU */
    }
    if (depth == 1 && parent_id == 64) {
        if (id == 0) { /* Language Preference, ISO 639 alpha-2 */
            r->fmt = QR__ANS;
            r->min = r->max = 2;
            return true;
        }
        if (id == 1 || id == 2) { /* Merchant Name / City - Alternate Language */
            r->max = id == 1 ? 25 : 15;
            return true;
        }
        return false;
    }
    /* 26-51, 80-99 and 62/50-99: 00 Globally Unique Identifier (ans up to
     * 32), 01-99 payment system / context specific (S) */
    if (id == 0) {
        r->fmt = QR__ANS;
        r->max = 32;
    }
    return true;
}

/* Walks n UTF-8 characters of buf[off..end). Returns POS_OK with *bytes,
 * POS_ERR_TRUNCATED when end comes first, POS_ERR_QR_FORMAT (and *bad) on
 * a byte sequence that is not UTF-8 (RFC 3629 §4). */
static int qr__utf8_span(const uint8_t *buf, size_t off, size_t end, size_t n, size_t *bytes,
                         size_t *bad)
{
    size_t p = off, i, k, j;

    for (i = 0; i < n; i++) {
        uint8_t c, lo = 0x80, hi = 0xBF;
        if (p >= end)
            return POS_ERR_TRUNCATED;
        c = buf[p];
        if (c < 0x80) {
            p++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            k = 1;
        else if (c >= 0xE0 && c <= 0xEF)
            k = 2;
        else if (c >= 0xF0 && c <= 0xF4)
            k = 3;
        else
            goto bad;
        if (k > end - p - 1)
            return POS_ERR_TRUNCATED;
        if (c == 0xE0)
            lo = 0xA0; /* no overlong 3-byte forms */
        else if (c == 0xED)
            hi = 0x9F; /* no surrogates */
        else if (c == 0xF0)
            lo = 0x90; /* no overlong 4-byte forms */
        else if (c == 0xF4)
            hi = 0x8F; /* nothing above U+10FFFF */
        if (buf[p + 1] < lo || buf[p + 1] > hi)
            goto bad;
        for (j = 2; j <= k; j++)
            if ((buf[p + j] & 0xC0) != 0x80)
                goto bad;
        p += k + 1;
    }
    *bytes = p - off;
    return POS_OK;
bad:
    *bad = p;
    return POS_ERR_QR_FORMAT;
}

/* Number of UTF-8 characters in len bytes; false if not UTF-8. */
static bool qr__utf8_count(const uint8_t *v, size_t len, size_t *chars)
{
    size_t p = 0, n = 0, step, bad;

    while (p < len) {
        if (qr__utf8_span(v, p, len, 1, &step, &bad) != POS_OK)
            return false;
        p += step;
        n++;
    }
    *chars = n;
    return true;
}

/* Mandatory IDs of one level (depth, parent_id) absent from seen[]:
 * their paths go to miss[] (at most 8). */
static size_t qr__level_missing(unsigned depth, unsigned parent_id, int parent_path,
                                const bool seen[100], int miss[8])
{
    static const uint8_t root[] = {0, 52, 53, 58, 59, 60, 63};
    size_t n = 0, i;
    bool account = false;

    if (depth == 0) {
        for (i = 2; i <= 51; i++)
            account = account || seen[i];
        for (i = 0; i < sizeof(root); i++) {
            if (root[i] == 52 && !account)
                miss[n++] = QR_PATH_ACCOUNT_ANY;
            if (!seen[root[i]])
                miss[n++] = root[i];
        }
        return n;
    }
    if (parent_id == 62 && depth == 1)
        return 0;
    if (!seen[0])
        miss[n++] = qr__path(depth, parent_path, 0);
    if (parent_id == 64 && !seen[1])
        miss[n++] = qr__path(depth, parent_path, 1);
    return n;
}

/* ---- decode ------------------------------------------------------------ */

struct qr__dec {
    const uint8_t *buf;
    struct qr_elem *elems;
    size_t cap;
    struct qr_info *info;
    struct pos_errdetail *d;
};

static void qr__add_missing(struct qr_info *info, const int *miss, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (info->missing_count < QR_MISSING_MAX)
            info->missing[info->missing_count] = miss[i];
        info->missing_count++;
    }
}

static int qr__dec_crc(struct qr__dec *s, size_t off, size_t vlen)
{
    uint8_t raw[2];
    size_t got;

    /* ID 63: 4 hex characters; the CRC covers everything before them */
    if (vlen != 4 || pos_hex_decode((const char *)s->buf + off + 4, 4, raw, 2, &got) != POS_OK)
        return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, 63, off,
                                 "the CRC must be 4 hex characters");
    s->info->crc_present = true;
    s->info->crc_stated = (uint16_t)(raw[0] << 8 | raw[1]);
    s->info->crc_computed = crc16_ccitt_false(s->buf, off + 4);
    s->info->crc_ok = s->info->crc_stated == s->info->crc_computed;
    return POS_OK;
}

/* Parses the data objects of buf[off..end) at depth; *nchildren gets how
 * many there were at this level. Recursion is bounded by QR_DEPTH_MAX. */
static int qr__dec_list(struct qr__dec *s, size_t off, size_t end, unsigned depth,
                        unsigned parent_id, int parent_path, uint16_t *nchildren)
{
    bool seen[100] = {false};
    bool after_crc = false;
    int miss[8];
    uint16_t count = 0;
    int rc;

    while (off < end) {
        struct qr_elem *e;
        size_t idx, vbytes = 0, bad = 0;
        unsigned id, n;
        int path;

        if (end - off < 4)
            return pos_errdetail_set(s->d, POS_ERR_TRUNCATED, depth ? parent_path : -1, off,
                                     "%zu character%s left where an ID and a length need 4",
                                     end - off, end - off == 1 ? "" : "s");
        if (!pos_is_digits((const char *)s->buf + off, 2))
            return pos_errdetail_set(s->d, POS_ERR_DIGIT, depth ? parent_path : -1, off,
                                     "an ID must be 2 digits");
        id = (unsigned)((s->buf[off] - '0') * 10 + (s->buf[off + 1] - '0'));
        path = qr__path(depth, parent_path, id);
        if (!pos_is_digits((const char *)s->buf + off + 2, 2))
            return pos_errdetail_set(s->d, POS_ERR_DIGIT, path, off + 2,
                                     "a length must be 2 digits");
        n = (unsigned)((s->buf[off + 2] - '0') * 10 + (s->buf[off + 3] - '0'));
        if (after_crc)
            return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, path, off,
                                     "data after the CRC (ID 63 must be last)");
        if (seen[id])
            return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, path, off, "duplicate ID");
        if (depth == 0 && id == 0 && count != 0)
            return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, path, off,
                                     "ID 00 must be the first element");
        rc = qr__utf8_span(s->buf, off + 4, end, n, &vbytes, &bad);
        if (rc == POS_ERR_TRUNCATED)
            return pos_errdetail_set(s->d, rc, path, off, "the value (%u characters) runs past %s",
                                     n, depth ? "its template" : "the end");
        if (rc != POS_OK)
            return pos_errdetail_set(s->d, rc, path, bad, "the value is not UTF-8");
        if (s->info->count >= s->cap)
            return pos_errdetail_set(s->d, POS_ERR_NOSPACE, path, off, "more than %zu elements",
                                     s->cap);
        idx = s->info->count++;
        e = &s->elems[idx];
        memset(e, 0, sizeof(*e));
        e->id = (uint8_t)id;
        e->depth = (uint8_t)depth;
        e->path = path;
        e->value = s->buf + off + 4;
        e->value_len = vbytes;
        e->offset = off;
        e->is_template = qr__is_template(depth, parent_id, id);
        seen[id] = true;
        count++;
        if (e->is_template) {
            uint16_t kids = 0;
            rc = qr__dec_list(s, off + 4, off + 4 + vbytes, depth + 1, id, path, &kids);
            if (rc != POS_OK)
                return rc;
            e = &s->elems[idx];
            e->children = kids;
            e->descendants = (uint16_t)(s->info->count - idx - 1);
        }
        if (depth == 0 && id == 63) {
            rc = qr__dec_crc(s, off, vbytes);
            if (rc != POS_OK)
                return rc;
            after_crc = true;
        }
        off += 4 + vbytes;
    }
    qr__add_missing(s->info, miss, qr__level_missing(depth, parent_id, parent_path, seen, miss));
    *nchildren = count;
    return POS_OK;
}

int qr_decode(const uint8_t *buf, size_t len, struct qr_elem *elems, size_t cap,
              struct qr_info *info, struct pos_errdetail *d)
{
    struct qr__dec s;
    uint16_t top = 0;
    int rc;

    if (info != NULL)
        memset(info, 0, sizeof(*info));
    if ((buf == NULL && len > 0) || elems == NULL || info == NULL)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "NULL argument");
    if (len == 0)
        return pos_errdetail_set(d, POS_ERR_TRUNCATED, -1, 0, "empty payload");
    s.buf = buf;
    s.elems = elems;
    s.cap = cap;
    s.info = info;
    s.d = d;
    rc = qr__dec_list(&s, 0, len, 0, 0, 0, &top);
    if (rc != POS_OK)
        return rc;
    if (info->crc_present && !info->crc_ok)
        return pos_errdetail_set(d, POS_ERR_QR_CRC, 63, POS_NO_OFFSET,
                                 "payload says %04X, computed %04X", info->crc_stated,
                                 info->crc_computed);
    return POS_OK;
}

/* ---- encode ------------------------------------------------------------ */

struct qr__enc {
    const struct qr_elem *elems;
    size_t count;
    size_t idx; /* next element to read */
    uint8_t *out;
    size_t cap;
    size_t n;     /* bytes written */
    size_t chars; /* characters written */
    struct pos_errdetail *d;
};

static int qr__put(struct qr__enc *s, const void *p, size_t len, size_t chars)
{
    if (chars > QR_PAYLOAD_MAX_CHARS - s->chars)
        return pos_errdetail_set(s->d, POS_ERR_LENGTH, -1, POS_NO_OFFSET,
                                 "payload over %u characters", QR_PAYLOAD_MAX_CHARS);
    if (len > s->cap - s->n)
        return pos_errdetail_set(s->d, POS_ERR_NOSPACE, -1, s->n, "output buffer of %zu bytes",
                                 s->cap);
    memcpy(s->out + s->n, p, len);
    s->n += len;
    s->chars += chars;
    return POS_OK;
}

static int qr__put_head(struct qr__enc *s, unsigned id, unsigned len)
{
    char h[4];

    h[0] = (char)('0' + id / 10);
    h[1] = (char)('0' + id % 10);
    h[2] = (char)('0' + len / 10);
    h[3] = (char)('0' + len % 10);
    return qr__put(s, h, 4, 4);
}

/* Index one past the subtree starting at i (children counted, depth
 * bounded), or SIZE_MAX when the list ends inside it. */
static size_t qr__subtree_end(const struct qr_elem *e, size_t count, size_t i, unsigned depth)
{
    size_t j = i + 1, k;

    if (!e[i].is_template)
        return j;
    if (depth >= QR_DEPTH_MAX)
        return SIZE_MAX;
    for (k = 0; k < e[i].children; k++) {
        if (j >= count)
            return SIZE_MAX;
        j = qr__subtree_end(e, count, j, depth + 1);
        if (j == SIZE_MAX)
            return SIZE_MAX;
    }
    return j;
}

/* "digits" or "digits.digits": the amounts of IDs 54, 56 and 57. */
static bool qr__is_decimal(const uint8_t *v, size_t len)
{
    size_t i, dot = SIZE_MAX;

    for (i = 0; i < len; i++) {
        if (v[i] == '.' && dot == SIZE_MAX && i > 0 && i + 1 < len)
            dot = i;
        else if (v[i] < '0' || v[i] > '9')
            return false;
    }
    return len > 0;
}

/* The value rules beyond size and character set, per data object. */
static int qr__check_value(struct qr__enc *s, unsigned depth, unsigned parent_id, unsigned id,
                           int path, const uint8_t *v, size_t len)
{
    const struct currency *cur;
    size_t i;

    if (depth == 0) {
        switch (id) {
        case 0:
            if (memcmp(v, "01", 2) != 0)
                return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, path, POS_NO_OFFSET,
                                         "the payload format indicator must be \"01\"");
            break;
        case 1:
            if (memcmp(v, "11", 2) != 0 && memcmp(v, "12", 2) != 0)
                return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, path, POS_NO_OFFSET,
                                         "point of initiation must be \"11\" or \"12\"");
            break;
        case 53:
            if (money_currency_parse((const char *)v, len, &cur, NULL) != POS_OK)
                return pos_errdetail_set(s->d, POS_ERR_CURRENCY, path, POS_NO_OFFSET,
                                         "\"%.3s\" is not an ISO 4217 numeric code",
                                         (const char *)v);
            break;
        case 54:
        case 56:
        case 57:
            if (!qr__is_decimal(v, len))
                return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, path, POS_NO_OFFSET,
                                         "not a decimal number (digits, one optional '.')");
            break;
        case 55:
            if (memcmp(v, "01", 2) != 0 && memcmp(v, "02", 2) != 0 && memcmp(v, "03", 2) != 0)
                return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, path, POS_NO_OFFSET,
                                         "tip or convenience indicator must be 01, 02 or 03");
            break;
        case 58:
            if (v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z')
                return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, path, POS_NO_OFFSET,
                                         "the country code must be 2 uppercase letters");
            break;
        default:
            break;
        }
    } else if (depth == 1 && parent_id == 62 && id == 9) {
        /* Additional Consumer Data Request: any of "A", "M", "E", once each */
        for (i = 0; i < len; i++)
            if ((v[i] != 'A' && v[i] != 'M' && v[i] != 'E') || memchr(v, v[i], i) != NULL)
                return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, path, POS_NO_OFFSET,
                                         "only A, M and E, each at most once");
    } else if (depth == 1 && parent_id == 64 && id == 0) {
        for (i = 0; i < 2; i++)
            if (!((v[i] >= 'A' && v[i] <= 'Z') || (v[i] >= 'a' && v[i] <= 'z')))
                return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, path, POS_NO_OFFSET,
                                         "the language must be 2 letters (ISO 639)");
    }
    return POS_OK;
}

static int qr__enc_primitive(struct qr__enc *s, const struct qr_elem *e, unsigned depth,
                             unsigned parent_id, int path)
{
    struct qr__rule r;
    size_t chars = 0, i;
    int rc;

    if (!qr__rule_of(depth, parent_id, e->id, &r))
        return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, path, POS_NO_OFFSET,
                                 "ID reserved for future use (RFU)");
    if (e->value == NULL && e->value_len > 0)
        return pos_errdetail_set(s->d, POS_ERR_INVAL, path, POS_NO_OFFSET, "no value");
    if (!qr__utf8_count(e->value, e->value_len, &chars))
        return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, path, POS_NO_OFFSET,
                                 "the value is not UTF-8");
    if ((chars < r.min || chars > r.max) && r.min == r.max)
        return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, path, POS_NO_OFFSET,
                                 "the value must be %u characters, not %zu", r.min, chars);
    if (chars < r.min || chars > r.max)
        return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, path, POS_NO_OFFSET,
                                 "the value must be %u to %u characters, not %zu", r.min, r.max,
                                 chars);
    for (i = 0; i < e->value_len; i++) {
        uint8_t c = e->value[i];
        bool ok = r.fmt == QR__N     ? (c >= '0' && c <= '9')
                  : r.fmt == QR__ANS ? (c >= 0x20 && c <= 0x7E)
                                     : (c >= 0x20 && c != 0x7F);
        if (!ok)
            return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, path, POS_NO_OFFSET,
                                     "character %zu is not allowed (%s)", i + 1,
                                     r.fmt == QR__N     ? "digits only"
                                     : r.fmt == QR__ANS ? "printable ASCII only"
                                                        : "no control characters");
    }
    rc = qr__check_value(s, depth, parent_id, e->id, path, e->value, e->value_len);
    if (rc != POS_OK)
        return rc;
    rc = qr__put_head(s, e->id, (unsigned)chars);
    if (rc == POS_OK)
        rc = qr__put(s, e->value, e->value_len, chars);
    return rc;
}

static int qr__enc_list(struct qr__enc *s, size_t items, unsigned depth, unsigned parent_id,
                        int parent_path);

static int qr__enc_template(struct qr__enc *s, const struct qr_elem *e, unsigned depth, int path)
{
    size_t head = s->n, start;
    int rc;

    rc = qr__put_head(s, e->id, 0); /* the length is filled in below */
    if (rc != POS_OK)
        return rc;
    start = s->chars;
    rc = qr__enc_list(s, e->children, depth + 1, e->id, path);
    if (rc != POS_OK)
        return rc;
    if (s->chars == start)
        return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, path, POS_NO_OFFSET, "empty template");
    if (s->chars - start > 99)
        return pos_errdetail_set(s->d, POS_ERR_LENGTH, path, POS_NO_OFFSET,
                                 "template content is %zu characters (at most 99)",
                                 s->chars - start);
    s->out[head + 2] = (uint8_t)('0' + (s->chars - start) / 10);
    s->out[head + 3] = (uint8_t)('0' + (s->chars - start) % 10);
    return POS_OK;
}

/* Encodes the next `items` elements (with their subtrees) as one level. At
 * the top (depth 0) it skips 00 (written first by qr_encode) and 63. */
static int qr__enc_list(struct qr__enc *s, size_t items, unsigned depth, unsigned parent_id,
                        int parent_path)
{
    bool seen[100] = {false};
    int miss[8];
    size_t k, nmiss, zeros = 0;
    int rc;

    if (depth == 0)
        seen[0] = seen[63] = true; /* written by qr_encode itself */
    for (k = 0; k < items; k++) {
        const struct qr_elem *e;
        int path;

        if (s->idx >= s->count)
            return pos_errdetail_set(s->d, POS_ERR_INVAL, parent_path, POS_NO_OFFSET,
                                     "the element list ends inside a template");
        e = &s->elems[s->idx++];
        if (e->id > 99)
            return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, -1, POS_NO_OFFSET, "ID %u is over 99",
                                     e->id);
        path = qr__path(depth, parent_path, e->id);
        if (depth == 0 && (e->id == 0 || e->id == 63)) {
            size_t end;
            if (e->id == 0 && zeros++ > 0)
                return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, path, POS_NO_OFFSET,
                                         "duplicate ID");
            end = qr__subtree_end(s->elems, s->count, s->idx - 1, 0);
            if (end == SIZE_MAX)
                return pos_errdetail_set(s->d, POS_ERR_INVAL, path, POS_NO_OFFSET,
                                         "the element list ends inside a template");
            s->idx = end;
            continue;
        }
        if (seen[e->id])
            return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, path, POS_NO_OFFSET, "duplicate ID");
        seen[e->id] = true;
        if (e->is_template != qr__is_template(depth, parent_id, e->id))
            return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, path, POS_NO_OFFSET,
                                     e->is_template ? "this ID is not a template"
                                                    : "this ID is a template: give its elements");
        rc = e->is_template ? qr__enc_template(s, e, depth, path)
                            : qr__enc_primitive(s, e, depth, parent_id, path);
        if (rc != POS_OK)
            return rc;
    }
    nmiss = qr__level_missing(depth, parent_id, parent_path, seen, miss);
    if (nmiss > 0)
        return pos_errdetail_set(s->d, POS_ERR_QR_MISSING, miss[0], POS_NO_OFFSET,
                                 "mandatory element missing");
    return POS_OK;
}

/* The top-level element with this ID (subtrees skipped), or NULL. */
static const struct qr_elem *qr__top(const struct qr_elem *elems, size_t count, unsigned id)
{
    size_t i = 0;

    while (i < count) {
        if (elems[i].id == id)
            return &elems[i];
        i = qr__subtree_end(elems, count, i, 0);
    }
    return NULL;
}

/* Rules that tie top-level elements together: 56 and 57 follow 55, and an
 * amount has no more decimals than its currency. */
static int qr__enc_cross(struct qr__enc *s)
{
    const struct qr_elem *e53 = qr__top(s->elems, s->count, 53);
    const struct qr_elem *e54 = qr__top(s->elems, s->count, 54);
    const struct qr_elem *e55 = qr__top(s->elems, s->count, 55);
    const struct qr_elem *e56 = qr__top(s->elems, s->count, 56);
    const struct qr_elem *e57 = qr__top(s->elems, s->count, 57);
    const struct currency *cur = NULL;
    struct pos_errdetail ignore;
    struct money m;
    bool fixed = e55 != NULL && e55->value_len == 2 && memcmp(e55->value, "02", 2) == 0;
    bool percent = e55 != NULL && e55->value_len == 2 && memcmp(e55->value, "03", 2) == 0;

    if ((e56 != NULL) != fixed)
        return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, 56, POS_NO_OFFSET,
                                 fixed ? "ID 55 is \"02\": the fixed fee (56) is required"
                                       : "a fixed fee (56) needs ID 55 = \"02\"");
    if ((e57 != NULL) != percent)
        return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, 57, POS_NO_OFFSET,
                                 percent ? "ID 55 is \"03\": the fee percentage (57) is required"
                                         : "a fee percentage (57) needs ID 55 = \"03\"");
    if (e53 != NULL && e54 != NULL &&
        money_currency_parse((const char *)e53->value, e53->value_len, &cur, NULL) == POS_OK &&
        money_parse((const char *)e54->value, e54->value_len, cur, &m, &ignore) != POS_OK)
        return pos_errdetail_set(s->d, POS_ERR_QR_FORMAT, 54, POS_NO_OFFSET,
                                 "not an amount in %s (%u decimals at most)", cur->alpha,
                                 money_currency_digits(cur));
    return POS_OK;
}

int qr_encode(const struct qr_elem *elems, size_t count, uint8_t *out, size_t cap, size_t *out_len,
              struct pos_errdetail *d)
{
    struct qr__enc s;
    const struct qr_elem *e00;
    size_t top = 0, i = 0;
    char crc[5];
    int rc;

    if (elems == NULL || out == NULL || out_len == NULL || cap == 0)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "NULL argument");
    memset(&s, 0, sizeof(s));
    s.elems = elems;
    s.count = count;
    s.out = out;
    s.cap = cap - 1; /* room for the NUL */
    s.d = d;
    /* count the top-level elements, checking the tree is well formed */
    while (i < count) {
        i = qr__subtree_end(elems, count, i, 0);
        if (i == SIZE_MAX)
            return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                     "the element list ends inside a template");
        top++;
    }
    e00 = qr__top(elems, count, 0);
    if (e00 == NULL)
        return pos_errdetail_set(d, POS_ERR_QR_MISSING, 0, POS_NO_OFFSET,
                                 "mandatory element missing");
    if (e00->is_template)
        return pos_errdetail_set(d, POS_ERR_QR_FORMAT, 0, POS_NO_OFFSET,
                                 "this ID is not a template");
    rc = qr__enc_primitive(&s, e00, 0, 0, 0); /* 00 first */
    if (rc == POS_OK)
        rc = qr__enc_list(&s, top, 0, 0, 0);
    if (rc == POS_OK)
        rc = qr__enc_cross(&s);
    if (rc == POS_OK)
        rc = qr__put(&s, "6304", 4, 4);
    if (rc != POS_OK)
        return rc;
    /* the CRC covers the payload up to and including "6304" */
    snprintf(crc, sizeof(crc), "%04X", (unsigned)crc16_ccitt_false(s.out, s.n));
    rc = qr__put(&s, crc, 4, 4);
    if (rc != POS_OK)
        return rc;
    out[s.n] = '\0';
    *out_len = s.n;
    return POS_OK;
}

/* ---- lookups and names ------------------------------------------------- */

const struct qr_elem *qr_find(const struct qr_elem *elems, size_t count, int path)
{
    size_t i;

    if (elems == NULL)
        return NULL;
    for (i = 0; i < count; i++)
        if (elems[i].path == path)
            return &elems[i];
    return NULL;
}

const char *qr_elem_name(int path)
{
    static const char *const root[100] = {
        [0] = "Payload Format Indicator",
        [1] = "Point of Initiation Method",
        [52] = "Merchant Category Code",
        [53] = "Transaction Currency",
        [54] = "Transaction Amount",
        [55] = "Tip or Convenience Indicator",
        [56] = "Value of Convenience Fee Fixed",
        [57] = "Value of Convenience Fee Percentage",
        [58] = "Country Code",
        [59] = "Merchant Name",
        [60] = "Merchant City",
        [61] = "Postal Code",
        [62] = "Additional Data Field Template",
        [63] = "CRC",
        [64] = "Merchant Information - Language Template",
    };
    static const char *const adf[12] = {
        NULL,
        "Bill Number",
        "Mobile Number",
        "Store Label",
        "Loyalty Number",
        "Reference Label",
        "Customer Label",
        "Terminal Label",
        "Purpose of Transaction",
        "Additional Consumer Data Request",
        "Merchant Tax ID",
        "Merchant Channel",
    };
    static const char *const lang[3] = {"Language Preference", "Merchant Name - Alternate Language",
                                        "Merchant City - Alternate Language"};
    int id = path % 100, parent = path / 100 % 100;

    if (path < 0 || path >= 1000000)
        return NULL;
    if (path == QR_PATH_ACCOUNT_ANY)
        return "Merchant Account Information";
    if (path < 100) {
        if (id >= 2 && id <= 51)
            return "Merchant Account Information";
        if (id >= 80)
            return "Unreserved Template";
        return root[id];
    }
    if (path < 10000 && parent == 62) {
        if (id >= 50)
            return "Payment System Specific Template";
        return id < 12 ? adf[id] : NULL;
    }
    if (path < 10000 && parent == 64)
        return id < 3 ? lang[id] : NULL;
    return id == 0 ? "Globally Unique Identifier" : NULL;
}

char *qr_path_format(int path, char *buf, size_t cap)
{
    if (cap == 0)
        return buf;
    if (path == QR_PATH_ACCOUNT_ANY)
        snprintf(buf, cap, "02-51");
    else if (path < 0 || path >= 1000000)
        snprintf(buf, cap, "?");
    else if (path < 100)
        snprintf(buf, cap, "%02d", path);
    else if (path < 10000)
        snprintf(buf, cap, "%02d.%02d", path / 100, path % 100);
    else
        snprintf(buf, cap, "%02d.%02d.%02d", path / 10000, path / 100 % 100, path % 100);
    return buf;
}

/* ---- the host's helper ------------------------------------------------- */

static void qr__set(struct qr_elem *e, uint8_t id, const char *v)
{
    memset(e, 0, sizeof(*e));
    e->id = id;
    e->value = (const uint8_t *)v;
    e->value_len = v != NULL ? strlen(v) : 0;
}

int qr_order_encode(const struct qr_order *o, uint8_t *out, size_t cap, size_t *out_len,
                    struct pos_errdetail *d)
{
    struct qr_elem el[16];
    char amount[MONEY_FORMAT_MAX], numeric[4];
    size_t n = 0, acct, adf;

    if (o == NULL || o->currency == NULL)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "no order or currency");
    if (o->account_id < 26 || o->account_id > 51)
        return pos_errdetail_set(d, POS_ERR_QR_FORMAT, o->account_id, POS_NO_OFFSET,
                                 "the merchant account template must be ID 26 to 51");
    qr__set(&el[n++], 0, "01");
    qr__set(&el[n++], 1, o->dynamic ? "12" : "11");
    acct = n;
    qr__set(&el[n++], o->account_id, NULL);
    el[acct].is_template = true;
    qr__set(&el[n++], 0, o->account_guid);
    if (o->account_merchant != NULL)
        qr__set(&el[n++], 1, o->account_merchant);
    el[acct].children = (uint16_t)(n - acct - 1);
    qr__set(&el[n++], 52, o->mcc);
    money_currency_numeric_format(o->currency, numeric);
    qr__set(&el[n++], 53, numeric);
    if (o->amount != NULL) {
        if (o->amount->cur != o->currency || o->amount->minor <= 0 ||
            money_format(o->amount, amount, sizeof(amount), NULL) != POS_OK)
            return pos_errdetail_set(d, POS_ERR_QR_FORMAT, 54, POS_NO_OFFSET,
                                     "the amount must be positive and in %s", o->currency->alpha);
        qr__set(&el[n++], 54, amount);
    }
    qr__set(&el[n++], 58, o->country);
    qr__set(&el[n++], 59, o->merchant_name);
    qr__set(&el[n++], 60, o->merchant_city);
    if (o->bill_number != NULL || o->reference != NULL || o->terminal_label != NULL) {
        adf = n;
        qr__set(&el[n++], 62, NULL);
        el[adf].is_template = true;
        if (o->bill_number != NULL)
            qr__set(&el[n++], 1, o->bill_number);
        if (o->reference != NULL)
            qr__set(&el[n++], 5, o->reference);
        if (o->terminal_label != NULL)
            qr__set(&el[n++], 7, o->terminal_label);
        el[adf].children = (uint16_t)(n - adf - 1);
    }
    return qr_encode(el, n, out, cap, out_len, d);
}
