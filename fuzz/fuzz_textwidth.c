/* fuzz_textwidth: UTF-8 decoding, widths and the receipt layout on any text.
 *
 * Any input: decoding consumes every byte exactly once (1..4 at a time);
 * a well-formed character re-encodes to the same bytes; textwidth_of is
 * the sum of the widths; textwidth_fit never ends inside a sequence nor
 * exceeds its columns. Then the input (up to its first NUL) is a merchant
 * name, an item name and a footer of a receipt rendered at each width as
 * text and ESC/POS: it must render, every text line must be well-formed
 * UTF-8 without controls and at most the width, and the card's clear PAN
 * never appears. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "escpos.h"
#include "money.h"
#include "receipt.h"
#include "textwidth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char text[64 * 1024];
static uint8_t job[64 * 1024];
static char name[RECEIPT_FIELD_MAX + 1];

static void fuzz_check(bool ok)
{
    if (!ok)
        abort();
}

static void check_decode(const char *s, size_t len)
{
    size_t off = 0, total = 0, cols;
    char enc[TEXTWIDTH_UTF8_MAX];

    while (off < len) {
        uint32_t cp;
        bool ok;
        size_t n = textwidth_decode(s + off, len - off, &cp, &ok);

        fuzz_check(n >= 1 && n <= 4 && n <= len - off);
        if (ok) {
            fuzz_check(textwidth_encode(cp, enc) == n && memcmp(enc, s + off, n) == 0);
        } else
            fuzz_check(cp == TEXTWIDTH_REPLACEMENT);
        fuzz_check(textwidth_cp(cp) <= 2);
        total += textwidth_cp(cp);
        off += n;
    }
    fuzz_check(total == textwidth_of(s, len));
    for (cols = 0; cols <= 50; cols += 7) {
        size_t w = 99, p = textwidth_fit(s, len, cols, &w);

        fuzz_check(p <= len && w <= cols && w == textwidth_of(s, p));
        /* p is a character boundary: decoding from 0 lands on it */
        for (off = 0; off < p;)
            off += textwidth_decode(s + off, len - off, NULL, NULL);
        fuzz_check(off == p);
    }
}

static void check_lines(const char *t, size_t len, unsigned width)
{
    size_t off = 0, i;

    for (i = 0; i < len; i++)
        fuzz_check((unsigned char)t[i] >= 0x20 || t[i] == '\n');
    while (off < len) {
        const char *nl = memchr(t + off, '\n', len - off);
        size_t n;

        fuzz_check(nl != NULL);
        n = (size_t)(nl - (t + off));
        fuzz_check(textwidth_is_valid(t + off, n) && textwidth_of(t + off, n) <= width);
        off += n + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned widths[] = {32, 42, 48};
    struct receipt_item item = {NULL, 1500, "kg", 1234, 1851, 100};
    struct escpos_options o;
    struct receipt r;
    size_t n, len, i;

    check_decode((const char *)data, size);
    n = strnlen((const char *)data, size < RECEIPT_FIELD_MAX ? size : RECEIPT_FIELD_MAX);
    memcpy(name, data, n);
    name[n] = '\0';
    receipt_init(&r);
    r.cur = money_currency_by_alpha("CNY", 3);
    r.merchant_name = n > 0 ? name : "x";
    r.pan = "6222021234567890123";
    r.txn = RECEIPT_TXN_REFUND;
    item.name = r.merchant_name;
    r.items = &item;
    r.item_count = 1;
    r.footer = name;
    r.qr = n > 0 ? name : NULL;
    for (i = 0; i < 3; i++) {
        fuzz_check(receipt_render_text(&r, widths[i], text, sizeof(text), &len, NULL) == POS_OK);
        check_lines(text, len, widths[i]);
        /* the card's PAN never shows (unless the input itself spells it) */
        fuzz_check(strstr(text, "6222021234567890123") == NULL ||
                   strstr(name, "6222021234567890123") != NULL);
        escpos_options_init(&o);
        o.width = widths[i];
        o.enc = i == 1 ? ESCPOS_GB18030 : ESCPOS_UTF8;
        fuzz_check(escpos_render_receipt(&r, &o, job, sizeof(job), &len, NULL) == POS_OK);
    }
    return 0;
}
