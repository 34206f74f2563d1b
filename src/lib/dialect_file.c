/*
 * dialect_file: the text format of ISO 8583 dialects (see dialect_file.h
 * and docs/iso8583.md). One definition per line, tokens separated by blanks,
 * '#' to the end of the line is a comment. Every line is checked and every
 * error names its line; the result passes iso8583_dialect_check.
 */
#include "dialect_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "hex.h"
#include "mem.h"

#define MAX_TOKENS 12

struct word {
    const char *name;
    int value;
};

static const struct word type_words[] = {
    {"n", ISO8583_T_N}, {"an", ISO8583_T_AN}, {"ans", ISO8583_T_ANS},
    {"z", ISO8583_T_Z}, {"b", ISO8583_T_B},   {"xn", ISO8583_T_XN},
    {NULL, 0},
};
static const struct word enc_words[] = {
    {"ascii", ISO8583_ENC_ASCII},   {"ebcdic", ISO8583_ENC_EBCDIC}, {"bcd", ISO8583_ENC_BCD},
    {"binary", ISO8583_ENC_BINARY}, {"hex", ISO8583_ENC_HEX},       {NULL, 0},
};
static const struct word mti_words[] = {
    {"ascii", ISO8583_ENC_ASCII},
    {"ebcdic", ISO8583_ENC_EBCDIC},
    {"bcd", ISO8583_ENC_BCD},
    {NULL, 0},
};
static const struct word bitmap_words[] = {
    {"binary", ISO8583_ENC_BINARY},
    {"hex", ISO8583_ENC_HEX},
    {NULL, 0},
};
static const struct word var_words[] = {
    {"fixed", 0}, {"LL", 2}, {"LLL", 3}, {"LLLL", 4}, {NULL, 0},
};
static const struct word pad_words[] = {{"left", 1}, {"right", 0}, {NULL, 0}};
static const struct word fill_words[] = {{"0", 0}, {"F", 0xF}, {"f", 0xF}, {NULL, 0}};
static const struct word log_words[] = {
    {"clear", ISO8583_LOG_CLEAR},
    {"pan", ISO8583_LOG_PAN},
    {"hide", ISO8583_LOG_HIDE},
    {NULL, 0},
};

struct tok {
    const char *p;
    size_t n;
};

struct parser {
    struct iso8583_dialect *d;
    struct pos_errdetail *det;
    size_t line;     /* 1-based */
    size_t line_off; /* byte offset of the line */
    bool seen_name, seen_mti, seen_bitmap, seen_tpdu, seen_header;
    size_t field_line[ISO8583_MAX_FIELD + 1];
};

static bool tok_is(const struct tok *t, const char *s)
{
    return strlen(s) == t->n && memcmp(t->p, s, t->n) == 0;
}

static int lookup(const struct word *w, const struct tok *t, int *out)
{
    for (; w->name != NULL; w++)
        if (tok_is(t, w->name)) {
            *out = w->value;
            return 0;
        }
    return -1;
}

static int perr(struct parser *ps, int code, int fld, const char *why, const struct tok *t)
{
    if (t != NULL)
        return pos_errdetail_set(ps->det, code, fld, ps->line_off, "line %zu: %s '%.*s'", ps->line,
                                 why, (int)(t->n > 40 ? 40 : t->n), t->p);
    return pos_errdetail_set(ps->det, code, fld, ps->line_off, "line %zu: %s", ps->line, why);
}

/* Parses 1..4 decimal digits. */
static int tok_uint(const struct tok *t, unsigned *out)
{
    uint64_t v = 0;

    if (t->n == 0 || t->n > 4 || pos_parse_digits_u64(t->p, t->n, &v) != POS_OK)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int default_log(int k)
{
    switch (k) {
    case 2:
    case 34:
        return ISO8583_LOG_PAN;
    case 35:
    case 36:
    case 45:
    case 52:
    case 53:
    case 55:
    case 64:
    case 96:
    case 128:
        return ISO8583_LOG_HIDE;
    default:
        return ISO8583_LOG_CLEAR;
    }
}

static int parse_option(struct parser *ps, struct iso8583_field_def *f, int k, const struct tok *t)
{
    const char *eq = memchr(t->p, '=', t->n);
    struct tok key, val;
    const struct word *table;
    int v;

    if (eq == NULL)
        return perr(ps, POS_ERR_SYNTAX, k, "expected key=value, got", t);
    key.p = t->p;
    key.n = (size_t)(eq - t->p);
    val.p = eq + 1;
    val.n = t->n - key.n - 1;
    if (tok_is(&key, "data") || tok_is(&key, "prefix"))
        table = enc_words;
    else if (tok_is(&key, "pad"))
        table = pad_words;
    else if (tok_is(&key, "fill"))
        table = fill_words;
    else if (tok_is(&key, "log"))
        table = log_words;
    else
        return perr(ps, POS_ERR_SYNTAX, k, "unknown key", &key);
    if (lookup(table, &val, &v) != 0)
        return perr(ps, POS_ERR_SYNTAX, k, "bad value", t);
    if (tok_is(&key, "data"))
        f->data_enc = (uint8_t)v;
    else if (tok_is(&key, "prefix"))
        f->prefix_enc = (uint8_t)v;
    else if (tok_is(&key, "pad"))
        f->pad_left = (uint8_t)v;
    else if (tok_is(&key, "fill"))
        f->fill = (uint8_t)v;
    else
        f->log = (uint8_t)v;
    return POS_OK;
}

static int parse_field(struct parser *ps, const struct tok *t, size_t nt)
{
    struct iso8583_field_def f;
    unsigned num = 0, max = 0;
    int v, rc = POS_OK;
    size_t i;

    if (nt < 5)
        return perr(ps, POS_ERR_SYNTAX, -1, "expected: field NUM TYPE LENGTH MAX [key=value...]",
                    NULL);
    if (tok_uint(&t[1], &num) != 0 || num < 2 || num > ISO8583_MAX_FIELD)
        return perr(ps, POS_ERR_SYNTAX, -1, "field number must be 2..128, got", &t[1]);
    if (ps->field_line[num] != 0)
        return perr(ps, POS_ERR_DIALECT, (int)num, "field defined twice", NULL);
    memset(&f, 0, sizeof(f));
    if (lookup(type_words, &t[2], &v) != 0)
        return perr(ps, POS_ERR_SYNTAX, (int)num, "unknown type (n an ans z b xn)", &t[2]);
    f.type = (uint8_t)v;
    if (lookup(var_words, &t[3], &v) != 0)
        return perr(ps, POS_ERR_SYNTAX, (int)num, "length must be fixed, LL, LLL or LLLL, got",
                    &t[3]);
    f.var = (uint8_t)v;
    if (tok_uint(&t[4], &max) != 0)
        return perr(ps, POS_ERR_SYNTAX, (int)num, "bad maximum length", &t[4]);
    f.max = (uint16_t)max;
    f.data_enc = f.type == ISO8583_T_B ? ISO8583_ENC_BINARY : ISO8583_ENC_ASCII;
    f.prefix_enc = ISO8583_ENC_ASCII;
    f.pad_left = 1;
    f.log = (uint8_t)default_log((int)num);
    for (i = 5; i < nt && rc == POS_OK; i++)
        rc = parse_option(ps, &f, (int)num, &t[i]);
    if (rc != POS_OK)
        return rc;
    ps->d->f[num] = f;
    ps->field_line[num] = ps->line;
    return POS_OK;
}

static int parse_hdr(struct parser *ps, const struct tok *t, size_t nt, uint8_t *len,
                     uint8_t *bytes)
{
    unsigned n = 0;
    size_t got = 0;

    if (nt < 2 || nt > 3)
        return perr(ps, POS_ERR_SYNTAX, -1, "expected: LENGTH [HEX]", NULL);
    if (tok_uint(&t[1], &n) != 0 || n > ISO8583_MAX_HDR)
        return perr(ps, POS_ERR_SYNTAX, -1, "length must be 0..32, got", &t[1]);
    *len = (uint8_t)n;
    memset(bytes, 0, ISO8583_MAX_HDR);
    if (nt == 3 &&
        (pos_hex_decode(t[2].p, t[2].n, bytes, ISO8583_MAX_HDR, &got) != POS_OK || got != n))
        return perr(ps, POS_ERR_SYNTAX, -1, "default must be LENGTH bytes of hex, got", &t[2]);
    return POS_OK;
}

static int parse_name(struct parser *ps, const struct tok *t, size_t nt)
{
    size_t i;

    if (nt != 2 || t[1].n >= ISO8583_NAME_MAX)
        return perr(ps, POS_ERR_SYNTAX, -1, "expected: dialect NAME (1..31 characters)", NULL);
    for (i = 0; i < t[1].n; i++) {
        char c = t[1].p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return perr(ps, POS_ERR_SYNTAX, -1, "name may hold letters, digits, _ - . only", &t[1]);
    }
    memcpy(ps->d->name, t[1].p, t[1].n);
    ps->d->name[t[1].n] = '\0';
    return POS_OK;
}

static int parse_enc_line(struct parser *ps, const struct tok *t, size_t nt,
                          const struct word *allowed, uint8_t *dst)
{
    int v;

    if (nt != 2 || lookup(allowed, &t[1], &v) != 0)
        return perr(ps, POS_ERR_SYNTAX, -1,
                    allowed == mti_words ? "expected one of ascii ebcdic bcd"
                                         : "expected one of binary hex",
                    nt > 1 ? &t[1] : NULL);
    *dst = (uint8_t)v;
    return POS_OK;
}

static int once(struct parser *ps, bool *seen)
{
    if (*seen)
        return perr(ps, POS_ERR_SYNTAX, -1, "defined twice", NULL);
    *seen = true;
    return POS_OK;
}

static int parse_line(struct parser *ps, const char *s, size_t n)
{
    struct tok t[MAX_TOKENS];
    size_t nt = 0, i = 0;
    int rc;

    while (i < n) {
        size_t start;
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r') {
            i++;
            continue;
        }
        if (s[i] == '#')
            break;
        if (nt == MAX_TOKENS)
            return perr(ps, POS_ERR_SYNTAX, -1, "too many words", NULL);
        start = i;
        while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '#')
            i++;
        t[nt].p = s + start;
        t[nt].n = i - start;
        nt++;
    }
    if (nt == 0)
        return POS_OK;
    if (tok_is(&t[0], "field"))
        return parse_field(ps, t, nt);
    if (tok_is(&t[0], "dialect"))
        return (rc = once(ps, &ps->seen_name)) != POS_OK ? rc : parse_name(ps, t, nt);
    if (tok_is(&t[0], "mti"))
        return (rc = once(ps, &ps->seen_mti)) != POS_OK
                   ? rc
                   : parse_enc_line(ps, t, nt, mti_words, &ps->d->mti_enc);
    if (tok_is(&t[0], "bitmap"))
        return (rc = once(ps, &ps->seen_bitmap)) != POS_OK
                   ? rc
                   : parse_enc_line(ps, t, nt, bitmap_words, &ps->d->bitmap_enc);
    if (tok_is(&t[0], "tpdu"))
        return (rc = once(ps, &ps->seen_tpdu)) != POS_OK
                   ? rc
                   : parse_hdr(ps, t, nt, &ps->d->tpdu_len, ps->d->tpdu);
    if (tok_is(&t[0], "header"))
        return (rc = once(ps, &ps->seen_header)) != POS_OK
                   ? rc
                   : parse_hdr(ps, t, nt, &ps->d->header_len, ps->d->header);
    return perr(ps, POS_ERR_SYNTAX, -1, "unknown keyword", &t[0]);
}

static int finish(struct parser *ps)
{
    struct pos_errdetail cd;
    int rc;

    ps->line_off = POS_NO_OFFSET;
    if (!ps->seen_name || !ps->seen_mti || !ps->seen_bitmap)
        return pos_errdetail_set(ps->det, POS_ERR_DIALECT, -1, POS_NO_OFFSET, "missing '%s' line",
                                 !ps->seen_name  ? "dialect"
                                 : !ps->seen_mti ? "mti"
                                                 : "bitmap");
    pos_errdetail_init(&cd);
    rc = iso8583_dialect_check(ps->d, &cd);
    if (rc != POS_OK) {
        size_t line = cd.field >= 2 && cd.field <= ISO8583_MAX_FIELD ? ps->field_line[cd.field] : 0;
        if (line != 0)
            return pos_errdetail_set(ps->det, rc, cd.field, POS_NO_OFFSET, "line %zu: %s", line,
                                     cd.what);
        return pos_errdetail_set(ps->det, rc, cd.field, POS_NO_OFFSET, "%s", cd.what);
    }
    return POS_OK;
}

int dialect_file_parse(const char *text, size_t len, struct iso8583_dialect **out,
                       struct pos_errdetail *det)
{
    struct parser ps;
    size_t off = 0;
    int rc = POS_OK;

    if (out == NULL || (text == NULL && len > 0))
        return pos_errdetail_set(det, POS_ERR_INVAL, -1, POS_NO_OFFSET, "NULL argument");
    *out = NULL;
    if (len > DIALECT_FILE_MAX)
        return pos_errdetail_set(det, POS_ERR_LENGTH, -1, POS_NO_OFFSET,
                                 "dialect text over %u bytes", DIALECT_FILE_MAX);
    memset(&ps, 0, sizeof(ps));
    ps.det = det;
    ps.d = pos_calloc(1, sizeof(*ps.d));
    if (ps.d == NULL)
        return pos_errdetail_set(det, POS_ERR_NOMEM, -1, POS_NO_OFFSET, "dialect");
    while (off < len && rc == POS_OK) {
        const char *nl = memchr(text + off, '\n', len - off);
        size_t n = nl != NULL ? (size_t)(nl - (text + off)) : len - off;
        ps.line++;
        ps.line_off = off;
        if (n > DIALECT_FILE_LINE_MAX)
            rc = perr(&ps, POS_ERR_LENGTH, -1, "line too long", NULL);
        else if (memchr(text + off, '\0', n) != NULL)
            rc = perr(&ps, POS_ERR_SYNTAX, -1, "NUL byte in line", NULL);
        else
            rc = parse_line(&ps, text + off, n);
        off += n + (nl != NULL ? 1 : 0);
    }
    if (rc == POS_OK)
        rc = finish(&ps);
    if (rc != POS_OK)
        goto out;
    *out = ps.d;
    ps.d = NULL;
out:
    pos_free(ps.d);
    return rc;
}

int dialect_file_load(const char *path, struct iso8583_dialect **out, struct pos_errdetail *det)
{
    FILE *fp = NULL;
    char *buf = NULL;
    size_t n = 0;
    int rc;

    if (out == NULL || path == NULL)
        return pos_errdetail_set(det, POS_ERR_INVAL, -1, POS_NO_OFFSET, "NULL argument");
    *out = NULL;
    fp = fopen(path, "rb");
    if (fp == NULL) {
        rc = pos_errdetail_set(det, POS_ERR_IO, -1, POS_NO_OFFSET, "cannot open: %s",
                               strerror(errno));
        goto out;
    }
    buf = pos_malloc(DIALECT_FILE_MAX + 1);
    if (buf == NULL) {
        rc = pos_errdetail_set(det, POS_ERR_NOMEM, -1, POS_NO_OFFSET, "read buffer");
        goto out;
    }
    n = fread(buf, 1, DIALECT_FILE_MAX + 1, fp);
    if (ferror(fp)) {
        rc = pos_errdetail_set(det, POS_ERR_IO, -1, POS_NO_OFFSET, "cannot read");
        goto out;
    }
    rc = dialect_file_parse(buf, n, out, det);
out:
    pos_free(buf);
    if (fp != NULL)
        fclose(fp);
    return rc;
}

void dialect_file_free(struct iso8583_dialect *d)
{
    pos_free(d);
}

static const char *word_of(const struct word *w, int v)
{
    for (; w->name != NULL; w++)
        if (w->value == v)
            return w->name;
    return "?";
}

struct wbuf {
    char *out;
    size_t cap;
    size_t n;
    bool full;
};

static void wput(struct wbuf *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void wput(struct wbuf *w, const char *fmt, ...)
{
    va_list ap;
    int r;

    if (w->full)
        return;
    va_start(ap, fmt);
    r = vsnprintf(w->out + w->n, w->cap - w->n, fmt, ap);
    va_end(ap);
    if (r < 0 || (size_t)r >= w->cap - w->n) {
        w->full = true;
        return;
    }
    w->n += (size_t)r;
}

static void whex(struct wbuf *w, const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        wput(w, "%02X", p[i]);
}

int dialect_file_format(const struct iso8583_dialect *d, char *out, size_t cap, size_t *out_len)
{
    struct wbuf w = {out, cap, 0, false};
    int k;

    if (cap == 0 || out == NULL)
        return POS_ERR_NOSPACE;
    out[0] = '\0';
    if (iso8583_dialect_check(d, NULL) != POS_OK)
        return POS_ERR_DIALECT;
    wput(&w, "dialect %s\nmti %s\nbitmap %s\n", d->name, word_of(enc_words, d->mti_enc),
         word_of(enc_words, d->bitmap_enc));
    if (d->tpdu_len > 0) {
        wput(&w, "tpdu %u ", (unsigned)d->tpdu_len);
        whex(&w, d->tpdu, d->tpdu_len);
        wput(&w, "\n");
    }
    if (d->header_len > 0) {
        wput(&w, "header %u ", (unsigned)d->header_len);
        whex(&w, d->header, d->header_len);
        wput(&w, "\n");
    }
    for (k = 2; k <= ISO8583_MAX_FIELD; k++) {
        const struct iso8583_field_def *f = &d->f[k];
        if (f->type == ISO8583_T_NONE)
            continue;
        wput(&w, "field %d %s %s %u data=%s prefix=%s pad=%s fill=%s log=%s\n", k,
             word_of(type_words, f->type), word_of(var_words, f->var), (unsigned)f->max,
             word_of(enc_words, f->data_enc), word_of(enc_words, f->prefix_enc),
             f->pad_left ? "left" : "right", f->fill ? "F" : "0", word_of(log_words, f->log));
    }
    if (w.full) {
        out[0] = '\0';
        return POS_ERR_NOSPACE;
    }
    if (out_len != NULL)
        *out_len = w.n;
    return POS_OK;
}
