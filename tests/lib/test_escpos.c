/* Tests for src/lib/escpos.c: ESC/POS commands, GB18030 text and receipts.
 *
 * Command bytes are those of Epson's "ESC/POS Command Reference for TM
 * Printers" (download.epson-biz.com, the pages of ESC @, LF, ESC d, ESC a,
 * ESC E, GS !, ESC p, GS V, GS ( k <Function 165/167/169/180/181> for QR
 * Code, FS &, FS ., FS ( C <Function 48>). GB18030 bytes are those of
 * GB 18030-2005: the two-byte table (GB 2312 / GBK area) and the four-byte
 * linear mapping (§6.3: U+0080 is 81 30 81 30, U+10000 is 90 30 81 30,
 * U+10FFFF is E3 32 9A 35). */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "escpos.h"
#include "money.h"
#include "receipt.h"

static uint8_t buf[64 * 1024];

typedef int (*cmd_fn)(struct escpos_writer *w);

static int c_init(struct escpos_writer *w)
{
    return escpos_initialize(w);
}
static int c_lf(struct escpos_writer *w)
{
    return escpos_lf(w);
}
static int c_feed(struct escpos_writer *w)
{
    return escpos_feed(w, 4);
}
static int c_center(struct escpos_writer *w)
{
    return escpos_align(w, ESCPOS_CENTER);
}
static int c_right(struct escpos_writer *w)
{
    return escpos_align(w, ESCPOS_RIGHT);
}
static int c_left(struct escpos_writer *w)
{
    return escpos_align(w, ESCPOS_LEFT);
}
static int c_bold(struct escpos_writer *w)
{
    return escpos_bold(w, true);
}
static int c_unbold(struct escpos_writer *w)
{
    return escpos_bold(w, false);
}
static int c_double(struct escpos_writer *w)
{
    return escpos_size(w, 2, 2);
}
static int c_normal(struct escpos_writer *w)
{
    return escpos_size(w, 1, 1);
}
static int c_w3h2(struct escpos_writer *w)
{
    return escpos_size(w, 3, 2);
}
static int c_pcut(struct escpos_writer *w)
{
    return escpos_cut(w, true, 0);
}
static int c_fcut(struct escpos_writer *w)
{
    return escpos_cut(w, false, 3);
}
static int c_kick2(struct escpos_writer *w)
{
    return escpos_drawer_kick(w, 2, 50, 500);
}
static int c_kick5(struct escpos_writer *w)
{
    return escpos_drawer_kick(w, 5, 100, 200);
}
static int c_cn(struct escpos_writer *w)
{
    return escpos_chinese_mode(w, true);
}
static int c_uncn(struct escpos_writer *w)
{
    return escpos_chinese_mode(w, false);
}
static int c_utf8(struct escpos_writer *w)
{
    return escpos_utf8_mode(w, true);
}
static int c_cp(struct escpos_writer *w)
{
    return escpos_utf8_mode(w, false);
}
static int c_qr(struct escpos_writer *w)
{
    return escpos_qr(w, (const uint8_t *)"hello", 5, 6, ESCPOS_QR_M);
}
static int c_text(struct escpos_writer *w)
{
    return escpos_text(w, "Hi \xE6\xB6\x88", 6);
}

static const struct {
    const char *name;
    cmd_fn fn;
    const char *hex;
} cmds[] = {
    {"ESC @", c_init, "1B40"},
    {"LF", c_lf, "0A"},
    {"ESC d 4", c_feed, "1B6404"},
    {"ESC a 1", c_center, "1B6101"},
    {"ESC a 2", c_right, "1B6102"},
    {"ESC a 0", c_left, "1B6100"},
    {"ESC E 1", c_bold, "1B4501"},
    {"ESC E 0", c_unbold, "1B4500"},
    {"GS ! 0x11", c_double, "1D2111"},
    {"GS ! 0", c_normal, "1D2100"},
    {"GS ! 0x21", c_w3h2, "1D2121"},
    {"GS V 66 0", c_pcut, "1D564200"},
    {"GS V 65 3", c_fcut, "1D564103"},
    {"ESC p 0 25 250", c_kick2, "1B700019FA"},
    {"ESC p 1 50 100", c_kick5, "1B70013264"},
    {"FS &", c_cn, "1C26"},
    {"FS .", c_uncn, "1C2E"},
    {"FS ( C 48 2", c_utf8, "1C284302003002"},
    {"FS ( C 48 1", c_cp, "1C284302003001"},
    /* GS ( k: model 2; module 6; level M (49); store "hello" (pL 8 = 5 + 3);
     * print */
    {"GS ( k QR", c_qr,
     "1D286B0400314132 00 1D286B0300314306 1D286B0300314531 1D286B080031503068656C6C6F "
     "1D286B0300315130"},
    {"text UTF-8", c_text, "486920E6B688"},
};

static void test_command_bytes(void **state)
{
    struct escpos_writer w;
    size_t i, len, want_len, cap;
    const uint8_t *want;

    (void)state;
    for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        want = tu_hex(cmds[i].hex, &want_len);
        escpos_writer_init(&w, buf, sizeof(buf), ESCPOS_UTF8);
        assert_int_equal(cmds[i].fn(&w), POS_OK);
        assert_int_equal(escpos_writer_finish(&w, &len), POS_OK);
        assert_buf_equal(buf, len, want, want_len);
        /* one byte short: nothing written, the error sticks */
        for (cap = 0; cap < want_len; cap++) {
            escpos_writer_init(&w, buf, cap, ESCPOS_UTF8);
            assert_int_equal(cmds[i].fn(&w), POS_ERR_NOSPACE);
            assert_int_equal(w.len, 0);
            assert_int_equal(escpos_lf(&w), POS_ERR_NOSPACE);
            assert_int_equal(escpos_writer_finish(&w, &len), POS_ERR_NOSPACE);
            assert_int_equal(len, 0);
        }
    }
}

static void test_qr_long(void **state)
{
    static uint8_t data[ESCPOS_QR_DATA_MAX + 1];
    struct escpos_writer w;
    size_t len;

    (void)state;
    memset(data, 'A', sizeof(data));
    escpos_writer_init(&w, buf, sizeof(buf), ESCPOS_UTF8);
    assert_int_equal(escpos_qr(&w, data, 300, 8, ESCPOS_QR_H), POS_OK);
    escpos_writer_finish(&w, &len);
    assert_int_equal(len, 9 + 8 + 8 + 8 + 300 + 8);
    /* store: pL pH = 303 = 0x012F, little-endian */
    assert_bytes_equal(buf + 25, tu_hex("1D286B2F01315030", NULL), 8);
    assert_int_equal(buf[16], 8);    /* module size */
    assert_int_equal(buf[24], 0x33); /* level H */
    escpos_writer_init(&w, buf, sizeof(buf), ESCPOS_UTF8);
    assert_int_equal(escpos_qr(&w, data, ESCPOS_QR_DATA_MAX, 3, ESCPOS_QR_L), POS_OK);
    assert_bytes_equal(buf + 25, tu_hex("1D286BB41B315030", NULL), 8); /* 7092 = 0x1BB4 */
}

static void test_bad_arguments(void **state)
{
    struct escpos_writer w;
    size_t len;

    (void)state;
#define EXPECT_INVAL(call)                                                                         \
    do {                                                                                           \
        escpos_writer_init(&w, buf, sizeof(buf), ESCPOS_UTF8);                                     \
        assert_int_equal((call), POS_ERR_INVAL);                                                   \
        assert_int_equal(w.len, 0);                                                                \
        assert_int_equal(escpos_initialize(&w), POS_ERR_INVAL); /* sticky */                       \
        assert_int_equal(escpos_writer_finish(&w, &len), POS_ERR_INVAL);                           \
    } while (0)
    EXPECT_INVAL(escpos_align(&w, (enum escpos_align)3));
    EXPECT_INVAL(escpos_size(&w, 0, 1));
    EXPECT_INVAL(escpos_size(&w, 1, 9));
    EXPECT_INVAL(escpos_drawer_kick(&w, 3, 50, 500));
    EXPECT_INVAL(escpos_drawer_kick(&w, 2, 1, 500));
    EXPECT_INVAL(escpos_drawer_kick(&w, 2, 50, 511));
    EXPECT_INVAL(escpos_qr(&w, (const uint8_t *)"x", 0, 6, ESCPOS_QR_M));
    EXPECT_INVAL(escpos_qr(&w, NULL, 1, 6, ESCPOS_QR_M));
    EXPECT_INVAL(escpos_qr(&w, buf, ESCPOS_QR_DATA_MAX + 1, 6, ESCPOS_QR_M));
    EXPECT_INVAL(escpos_qr(&w, (const uint8_t *)"x", 1, 0, ESCPOS_QR_M));
    EXPECT_INVAL(escpos_qr(&w, (const uint8_t *)"x", 1, 17, ESCPOS_QR_M));
    EXPECT_INVAL(escpos_qr(&w, (const uint8_t *)"x", 1, 6, (enum escpos_qr_ecc)47));
    EXPECT_INVAL(escpos_raw(&w, NULL, 1));
    /* text cannot carry a command: ESC, LF, GS, a C1 control */
    EXPECT_INVAL(escpos_text(&w, "a\x1B@", 3));
    EXPECT_INVAL(escpos_text(&w, "a\n", 2));
    EXPECT_INVAL(escpos_text(&w, "\x1DV", 2));
    EXPECT_INVAL(escpos_text(&w, "\xC2\x9B", 2));
    EXPECT_INVAL(escpos_text(&w, NULL, 1));
#undef EXPECT_INVAL
    escpos_writer_init(&w, buf, sizeof(buf), ESCPOS_UTF8);
    assert_int_equal(escpos_text(&w, "a\xE6\xB6", 3), POS_ERR_SYNTAX);
    assert_int_equal(w.len, 0);
    escpos_writer_init(&w, NULL, 10, ESCPOS_UTF8);
    assert_int_equal(escpos_lf(&w), POS_ERR_INVAL);
}

static void test_gb18030(void **state)
{
    static const struct {
        const char *utf8;
        const char *hex;
    } v[] = {
        {"\xE6\xB6\x88\xE8\xB4\xB9", "CFFBB7D1"}, /* 消费 (GB 2312 row 47, row 23) */
        {"\xE9\x87\x8D\xE5\x8D\xB0", "D6D8D3A1"}, /* 重印 */
        {"\xE6\x92\xA4\xE9\x94\x80", "B3B7CFFA"}, /* 撤销 */
        {"\xE9\x80\x80\xE8\xB4\xA7", "CDCBBBF5"}, /* 退货 */
        {"SALE 1.00", "53414C4520312E3030"},      /* ASCII as itself */
        {"\xE2\x82\xAC", "A2E3"},                 /* € (GB 18030-2005 two-byte) */
        {"\xEF\xBC\xA1", "A3C1"},                 /* Ａ FULLWIDTH A */
        {"\xC2\x80", "81308130"},                 /* first four-byte BMP code */
        {"\xF0\x90\x80\x80", "90308130"},         /* U+10000 */
        {"\xF4\x8F\xBF\xBF", "E3329A35"},         /* U+10FFFF */
        {"\xF0\x9F\x98\x80", "9439FC36"},         /* U+1F600 */
    };
    uint8_t out[64];
    size_t i, n, want_len;
    const uint8_t *want;

    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        want = tu_hex(v[i].hex, &want_len);
        assert_int_equal(escpos_gb18030_encode(v[i].utf8, strlen(v[i].utf8), out, sizeof(out), &n),
                         POS_OK);
        assert_buf_equal(out, n, want, want_len);
        assert_int_equal(escpos_gb18030_encode(v[i].utf8, strlen(v[i].utf8), out, want_len - 1, &n),
                         POS_ERR_NOSPACE);
    }
    assert_int_equal(escpos_gb18030_encode("", 0, out, sizeof(out), &n), POS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(escpos_gb18030_encode("\xFF", 1, out, sizeof(out), &n), POS_ERR_SYNTAX);
    assert_int_equal(escpos_gb18030_encode("\xED\xA0\x80", 3, out, sizeof(out), &n),
                     POS_ERR_SYNTAX);
    assert_int_equal(escpos_gb18030_encode(NULL, 1, out, sizeof(out), &n), POS_ERR_INVAL);
    assert_int_equal(escpos_gb18030_encode("a", 1, NULL, 0, &n), POS_ERR_INVAL);
    assert_int_equal(escpos_gb18030_encode("a", 1, out, sizeof(out), NULL), POS_ERR_INVAL);
}

static void test_text_gb18030_writer(void **state)
{
    struct escpos_writer w;
    size_t len;

    (void)state;
    escpos_writer_init(&w, buf, sizeof(buf), ESCPOS_GB18030);
    assert_int_equal(escpos_text(&w, "SALE \xE6\xB6\x88\xE8\xB4\xB9", 11), POS_OK);
    assert_int_equal(escpos_writer_finish(&w, &len), POS_OK);
    assert_buf_equal(buf, len, tu_hex("53414C4520 CFFBB7D1", NULL), 9);
    escpos_writer_init(&w, buf, 8, ESCPOS_GB18030);
    assert_int_equal(escpos_text(&w, "SALE \xE6\xB6\x88\xE8\xB4\xB9", 11), POS_ERR_NOSPACE);
    assert_int_equal(escpos_writer_finish(&w, &len), POS_ERR_NOSPACE);
    assert_int_equal(len, 0);
}

static const struct receipt_item items[] = {
    {"\xE6\xB6\x88\xE8\xB4\xB9\xE5\x93\x81 Goods", 2000, NULL, 150, 300, 0}, /* 消费品 */
};
static const struct receipt_tender tenders[] = {
    {RECEIPT_TENDER_CARD, 300, 0, "4111111111111111"},
};

static void demo(struct receipt *r)
{
    receipt_init(r);
    r->cur = money_currency_by_alpha("CNY", 3);
    r->merchant_name = "\xE5\xA5\xBD\xE8\xBF\x90 Shop"; /* 好运 */
    r->terminal_id = "10000001";
    r->txn = RECEIPT_TXN_SALE;
    r->pan = "4111111111111111";
    r->entry = RECEIPT_ENTRY_CONTACTLESS;
    r->has_amount = true;
    r->amount = 300;
    r->items = items;
    r->item_count = 1;
    r->has_total = true;
    r->total = 300;
    r->tenders = tenders;
    r->tender_count = 1;
    r->qr = "https://e.example/r/1";
}

static bool has(const uint8_t *hay, size_t n, const char *hex)
{
    size_t k, i;
    const uint8_t *needle = tu_hex(hex, &k);

    for (i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return true;
    return false;
}

static void test_render_receipt(void **state)
{
    struct escpos_options o;
    struct receipt r;
    struct pos_errdetail d;
    size_t len = 0, cap, n;
    uint8_t *small;

    (void)state;
    demo(&r);
    escpos_options_init(&o);
    assert_int_equal(o.width, 42);
    o.width = 32;
    o.drawer_kick = true;
    assert_int_equal(escpos_render_receipt(&r, &o, buf, sizeof(buf), &len, &d), POS_OK);
    /* ESC @, FS ( C UTF-8, ESC p; then the first line: centered, bold,
     * double size "好运 Shop" */
    assert_bytes_equal(buf, tu_hex("1B40 1C284302003002 1B700019FA 1B6101 1B4501 1D2111", NULL),
                       23);
    assert_bytes_equal(buf + 23, "\xE5\xA5\xBD\xE8\xBF\x90 Shop\n", 12);
    /* the end: feed 4 lines, partial cut */
    assert_bytes_equal(buf + len - 7, tu_hex("1B6404 1D564200", NULL), 7);
    /* the QR symbol of the payload, centered */
    assert_true(has(buf, len,
                    "1B6101 1D286B0400314132001D286B03003143061D286B0300314531"
                    "1D286B1800315030 68747470733A2F2F652E6578616D706C652F722F31"
                    "1D286B0300315130 0A"));
    /* PAN masked, never in clear */
    assert_false(has(buf, len, "34313131313131313131313131313131"));
    assert_true(has(buf, len, "3431313131312A2A2A2A2A2A31313131")); /* 411111******1111 */
    /* UTF-8 text of 消费 */
    assert_true(has(buf, len, "E6B688E8B4B9"));

    /* every capacity short of the job fails: never a truncated job */
    small = malloc(len);
    assert_non_null(small);
    for (cap = 0; cap < len; cap++) {
        n = 999;
        assert_int_equal(escpos_render_receipt(&r, &o, small, cap, &n, &d), POS_ERR_NOSPACE);
        assert_int_equal(n, 0);
    }
    assert_non_null(strstr(d.what, "longer than"));
    assert_int_equal(escpos_render_receipt(&r, &o, small, len, &n, NULL), POS_OK);
    assert_int_equal(n, len);
    assert_memory_equal(small, buf, len);
    free(small);

    /* GB18030: FS & after ESC @, text converted, no cut */
    o.enc = ESCPOS_GB18030;
    o.drawer_kick = false;
    o.cut = false;
    assert_int_equal(escpos_render_receipt(&r, &o, buf, sizeof(buf), &len, &d), POS_OK);
    assert_bytes_equal(buf, tu_hex("1B40 1C26 1B6101", NULL), 7);
    assert_true(has(buf, len, "CFFBB7D1")); /* 消费 */
    assert_true(has(buf, len, "BAC3D4CB")); /* 好运 */
    assert_false(has(buf, len, "E6B688"));
    assert_bytes_equal(buf + len - 3, tu_hex("1B6404", NULL), 3);

    /* errors of the layout come through */
    o.width = 40;
    assert_int_equal(escpos_render_receipt(&r, &o, buf, sizeof(buf), &len, &d), POS_ERR_RANGE);
    o.width = 32;
    r.cur = NULL;
    assert_int_equal(escpos_render_receipt(&r, &o, buf, sizeof(buf), &len, &d), POS_ERR_INVAL);
    assert_int_equal(escpos_render_receipt(&r, NULL, buf, sizeof(buf), &len, &d), POS_ERR_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_command_bytes),       cmocka_unit_test(test_qr_long),
        cmocka_unit_test(test_bad_arguments),       cmocka_unit_test(test_gb18030),
        cmocka_unit_test(test_text_gb18030_writer), cmocka_unit_test(test_render_receipt),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
