/*
 * escpos: ESC/POS command builder and receipt renderer (see escpos.h; the
 * command bytes are Epson's ESC/POS Command Reference, cited per function).
 */
#include "escpos.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>

#include "error.h"
#include "receipt.h"
#include "textwidth.h"

#define ESC 0x1B
#define GS  0x1D
#define FS  0x1C

void escpos_writer_init(struct escpos_writer *w, uint8_t *out, size_t cap, enum escpos_encoding enc)
{
    w->out = out;
    w->cap = out == NULL ? 0 : cap;
    w->len = 0;
    w->err = out == NULL ? POS_ERR_INVAL : POS_OK;
    w->enc = enc;
}

int escpos_writer_finish(const struct escpos_writer *w, size_t *out_len)
{
    if (out_len != NULL)
        *out_len = w->len;
    return w->err;
}

/* Fails the writer (sticky) with rc unless it failed already. */
static int escpos_fail(struct escpos_writer *w, int rc)
{
    if (w->err == POS_OK)
        w->err = rc;
    return w->err;
}

/* Room for n more bytes? (w->len <= w->cap always holds.) */
static int escpos_room(struct escpos_writer *w, size_t n)
{
    if (w->err != POS_OK)
        return w->err;
    if (n > w->cap - w->len)
        return escpos_fail(w, POS_ERR_NOSPACE);
    return POS_OK;
}

int escpos_raw(struct escpos_writer *w, const uint8_t *bytes, size_t len)
{
    int rc = escpos_room(w, len);

    if (rc != POS_OK)
        return rc;
    if (len > 0 && bytes == NULL)
        return escpos_fail(w, POS_ERR_INVAL);
    if (len > 0)
        memcpy(w->out + w->len, bytes, len);
    w->len += len;
    return POS_OK;
}

int escpos_initialize(struct escpos_writer *w)
{
    static const uint8_t cmd[] = {ESC, '@'}; /* ESC @ */

    return escpos_raw(w, cmd, sizeof(cmd));
}

int escpos_lf(struct escpos_writer *w)
{
    static const uint8_t cmd[] = {0x0A}; /* LF */

    return escpos_raw(w, cmd, sizeof(cmd));
}

int escpos_feed(struct escpos_writer *w, uint8_t lines)
{
    const uint8_t cmd[] = {ESC, 'd', lines}; /* ESC d n: print and feed n lines */

    return escpos_raw(w, cmd, sizeof(cmd));
}

int escpos_align(struct escpos_writer *w, enum escpos_align a)
{
    uint8_t cmd[] = {ESC, 'a', 0}; /* ESC a n: 0 left, 1 centered, 2 right */

    if ((unsigned)a > ESCPOS_RIGHT)
        return escpos_fail(w, POS_ERR_INVAL);
    cmd[2] = (uint8_t)a;
    return escpos_raw(w, cmd, sizeof(cmd));
}

int escpos_bold(struct escpos_writer *w, bool on)
{
    const uint8_t cmd[] = {ESC, 'E', on ? 1 : 0}; /* ESC E n: emphasized mode */

    return escpos_raw(w, cmd, sizeof(cmd));
}

int escpos_size(struct escpos_writer *w, unsigned width_mul, unsigned height_mul)
{
    uint8_t cmd[] = {GS, '!', 0}; /* GS ! n: bits 4-6 width, 0-2 height (times - 1) */

    if (width_mul < 1 || width_mul > 8 || height_mul < 1 || height_mul > 8)
        return escpos_fail(w, POS_ERR_INVAL);
    cmd[2] = (uint8_t)(((width_mul - 1) << 4) | (height_mul - 1));
    return escpos_raw(w, cmd, sizeof(cmd));
}

int escpos_cut(struct escpos_writer *w, bool partial, uint8_t feed)
{
    /* GS V m n, function B: m 65 full cut, 66 partial cut, after feeding n */
    const uint8_t cmd[] = {GS, 'V', partial ? 66 : 65, feed};

    return escpos_raw(w, cmd, sizeof(cmd));
}

int escpos_drawer_kick(struct escpos_writer *w, unsigned pin, unsigned on_ms, unsigned off_ms)
{
    uint8_t cmd[] = {ESC, 'p', 0, 0, 0}; /* ESC p m t1 t2: pulse t1 x 2 ms on, t2 x 2 ms off */

    if ((pin != 2 && pin != 5) || on_ms < 2 || on_ms > 510 || off_ms < 2 || off_ms > 510)
        return escpos_fail(w, POS_ERR_INVAL);
    cmd[2] = pin == 2 ? 0 : 1;
    cmd[3] = (uint8_t)(on_ms / 2);
    cmd[4] = (uint8_t)(off_ms / 2);
    return escpos_raw(w, cmd, sizeof(cmd));
}

int escpos_chinese_mode(struct escpos_writer *w, bool on)
{
    const uint8_t cmd[] = {FS, on ? '&' : '.'}; /* FS & select / FS . cancel Kanji mode */

    return escpos_raw(w, cmd, sizeof(cmd));
}

int escpos_utf8_mode(struct escpos_writer *w, bool on)
{
    /* FS ( C pL pH fn m, fn 48: select character encode system */
    const uint8_t cmd[] = {FS, '(', 'C', 2, 0, 48, on ? 2 : 1};

    return escpos_raw(w, cmd, sizeof(cmd));
}

int escpos_qr(struct escpos_writer *w, const uint8_t *data, size_t len, unsigned module,
              enum escpos_qr_ecc ecc)
{
    /* GS ( k, cn 49 (QR Code): fn 65 model 2, fn 67 module size, fn 69
     * error correction level, fn 80 store (pL pH count k + 3), fn 81 print */
    const uint8_t model[] = {GS, '(', 'k', 4, 0, 49, 65, 50, 0};
    const uint8_t size[] = {GS, '(', 'k', 3, 0, 49, 67, (uint8_t)module};
    const uint8_t level[] = {GS, '(', 'k', 3, 0, 49, 69, (uint8_t)ecc};
    const uint8_t store[] = {GS, '(', 'k', (uint8_t)((len + 3) & 0xFF), (uint8_t)((len + 3) >> 8),
                             49, 80,  48};
    const uint8_t print[] = {GS, '(', 'k', 3, 0, 49, 81, 48};
    size_t total =
        sizeof(model) + sizeof(size) + sizeof(level) + sizeof(store) + len + sizeof(print);
    int rc;

    if (w->err != POS_OK)
        return w->err;
    if (data == NULL || len == 0 || len > ESCPOS_QR_DATA_MAX || module < 1 || module > 16 ||
        ecc < ESCPOS_QR_L || ecc > ESCPOS_QR_H)
        return escpos_fail(w, POS_ERR_INVAL);
    rc = escpos_room(w, total); /* all or nothing */
    if (rc != POS_OK)
        return rc;
    escpos_raw(w, model, sizeof(model));
    escpos_raw(w, size, sizeof(size));
    escpos_raw(w, level, sizeof(level));
    escpos_raw(w, store, sizeof(store));
    escpos_raw(w, data, len);
    return escpos_raw(w, print, sizeof(print));
}

int escpos_gb18030_encode(const char *s, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    iconv_t cd = (iconv_t)-1;
    char *in = (char *)s, *o = (char *)out;
    size_t inleft = len, outleft = cap;
    int rc = POS_OK;

    if ((s == NULL && len > 0) || out == NULL || out_len == NULL)
        return POS_ERR_INVAL;
    *out_len = 0;
    if (!textwidth_is_valid(s, len))
        return POS_ERR_SYNTAX;
    if (len == 0)
        return POS_OK;
    cd = iconv_open("GB18030", "UTF-8");
    if (cd == (iconv_t)-1)
        return POS_ERR_UNSUPPORTED;
    if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1) {
        rc = errno == E2BIG ? POS_ERR_NOSPACE : POS_ERR_SYNTAX;
        goto out;
    }
    if (iconv(cd, NULL, NULL, &o, &outleft) == (size_t)-1) { /* flush (stateless anyway) */
        rc = POS_ERR_NOSPACE;
        goto out;
    }
    *out_len = cap - outleft;
out:
    iconv_close(cd);
    return rc;
}

int escpos_text(struct escpos_writer *w, const char *s, size_t len)
{
    size_t off = 0, n = 0;
    int rc;

    if (w->err != POS_OK)
        return w->err;
    if (s == NULL && len > 0)
        return escpos_fail(w, POS_ERR_INVAL);
    while (off < len) {
        uint32_t cp;
        bool ok;

        off += textwidth_decode(s + off, len - off, &cp, &ok);
        if (!ok)
            return escpos_fail(w, POS_ERR_SYNTAX);
        if (cp < 0x20u || (cp >= 0x7Fu && cp < 0xA0u))
            return escpos_fail(w, POS_ERR_INVAL); /* no command smuggled in text */
    }
    if (w->enc != ESCPOS_GB18030)
        return escpos_raw(w, (const uint8_t *)s, len);
    rc = escpos_gb18030_encode(s, len, w->out + w->len, w->cap - w->len, &n);
    if (rc != POS_OK)
        return escpos_fail(w, rc);
    w->len += n;
    return POS_OK;
}

void escpos_options_init(struct escpos_options *o)
{
    o->width = 42;
    o->enc = ESCPOS_UTF8;
    o->drawer_kick = false;
    o->cut = true;
    o->qr_module = 6;
    o->qr_ecc = ESCPOS_QR_M;
}

struct escpos_job {
    struct escpos_writer w;
    const struct escpos_options *o;
    enum escpos_align align;
    bool bold;
    bool large;
};

/* One laid-out line: attribute changes, then the text and LF. */
static int escpos_line(void *ctx, const struct receipt_line *l)
{
    struct escpos_job *j = ctx;
    enum escpos_align a = l->align == RECEIPT_ALIGN_CENTER  ? ESCPOS_CENTER
                          : l->align == RECEIPT_ALIGN_RIGHT ? ESCPOS_RIGHT
                                                            : ESCPOS_LEFT;

    if (a != j->align) {
        escpos_align(&j->w, a);
        j->align = a;
    }
    if (l->kind == RECEIPT_LINE_QR) {
        escpos_qr(&j->w, (const uint8_t *)l->text, l->len,
                  j->o->qr_module == 0 ? 6 : j->o->qr_module,
                  j->o->qr_ecc == 0 ? ESCPOS_QR_M : j->o->qr_ecc);
        escpos_lf(&j->w);
        return j->w.err;
    }
    if (l->bold != j->bold) {
        escpos_bold(&j->w, l->bold);
        j->bold = l->bold;
    }
    if (l->large != j->large) {
        escpos_size(&j->w, l->large ? 2 : 1, l->large ? 2 : 1);
        j->large = l->large;
    }
    escpos_text(&j->w, l->text, l->len);
    escpos_lf(&j->w);
    return j->w.err;
}

int escpos_render_receipt(const struct receipt *r, const struct escpos_options *o, uint8_t *out,
                          size_t cap, size_t *out_len, struct pos_errdetail *d)
{
    struct escpos_job j;
    int rc;

    pos_errdetail_init(d);
    if (o == NULL || out == NULL || out_len == NULL || (unsigned)o->enc > ESCPOS_GB18030)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "bad arguments");
    *out_len = 0;
    escpos_writer_init(&j.w, out, cap, o->enc);
    j.o = o;
    j.align = ESCPOS_LEFT;
    j.bold = false;
    j.large = false;
    escpos_initialize(&j.w);
    if (o->enc == ESCPOS_GB18030)
        escpos_chinese_mode(&j.w, true);
    else
        escpos_utf8_mode(&j.w, true);
    if (o->drawer_kick)
        escpos_drawer_kick(&j.w, 2, 50, 500);
    rc = j.w.err;
    if (rc == POS_OK)
        rc = receipt_layout(r, o->width, true, escpos_line, &j, d);
    if (rc == POS_OK) {
        if (j.bold)
            escpos_bold(&j.w, false);
        if (j.large)
            escpos_size(&j.w, 1, 1);
        if (j.align != ESCPOS_LEFT)
            escpos_align(&j.w, ESCPOS_LEFT);
        escpos_feed(&j.w, 4);
        if (o->cut)
            escpos_cut(&j.w, true, 0);
        rc = j.w.err;
    }
    if (rc == POS_ERR_NOSPACE)
        pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "printer job longer than %zu bytes", cap);
    else if (rc != POS_OK && d != NULL && d->what[0] == '\0')
        pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "rendering the receipt");
    if (rc == POS_OK)
        *out_len = j.w.len;
    return rc;
}
