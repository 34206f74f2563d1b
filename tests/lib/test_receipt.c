/* Tests for src/lib/receipt.c: the receipt model, layout and text renderer.
 *
 * The golden receipts in tests/lib/receipt/ (the .txt files) were reviewed by eye
 * column by column; tests/cli/test_receipt.py renders the same receipts
 * from the .json files there and compares them with the same files. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "money.h"
#include "receipt.h"
#include "textwidth.h"

#define OUT_CAP (64 * 1024)

static char out[OUT_CAP];

static const struct receipt_item sale_items[] = {
    {"农夫山泉矿泉水 550ml", 2000, NULL, 200, 400, 0},
    {"Fuji apples 富士苹果 (organic, from Yantai orchards)", 350, "kg", 3980, 1393, 0},
    {"青岛啤酒经典系列十度五百毫升罐装啤酒", 6000, NULL, 650, 3900, 300},
    {"Notebook", 1000, NULL, 0, 4200, 0},
};
static const struct receipt_tax sale_taxes[] = {
    {"VAT 增值税", 1300, 1104, true},
    {"Service", 71, 68, false},
};
static const struct receipt_tender sale_tenders[] = {
    {RECEIPT_TENDER_CARD, 9661, 0, "6222021234567890123"},
};

/* The receipt of tests/lib/receipt/sale.json. */
static void sale(struct receipt *r)
{
    receipt_init(r);
    r->cur = money_currency_by_alpha("CNY", 3);
    r->merchant_name = "北京好运便利店 Lucky Mart";
    r->merchant_id = "898110041110001";
    r->terminal_id = "10000001";
    r->operator_id = "01";
    r->txn = RECEIPT_TXN_SALE;
    r->datetime = "2026-01-31 14:05:09";
    r->batch = "000123";
    r->trace = "000456";
    r->rrn = "603114000456";
    r->auth_code = "A1B2C3";
    r->card_brand = "UNIONPAY";
    r->pan = "6222021234567890123"; /* clear on purpose: must print masked */
    r->entry = RECEIPT_ENTRY_CHIP;
    r->has_amount = true;
    r->amount = 9661;
    r->items = sale_items;
    r->item_count = 4;
    r->has_subtotal = true;
    r->subtotal = 9593;
    r->taxes = sale_taxes;
    r->tax_count = 2;
    r->has_total = true;
    r->total = 9661;
    r->tenders = sale_tenders;
    r->tender_count = 1;
    r->footer = "谢谢惠顾 Thank you!\nwww.luckymart.example";
    r->qr = "https://luckymart.example/r/000456";
}

static const struct receipt_item cash_items[] = {
    {"五常大米 Wuchang rice", 1250, "kg", 880, 1100, 0},
    {"鸡蛋", 10000, NULL, 90, 900, 50},
};
static const struct receipt_tax cash_taxes[] = {{"VAT 增值税", 900, 161, true}};
static const struct receipt_tender cash_tenders[] = {
    {RECEIPT_TENDER_WALLET, 1000, 0, "Alipay 支付宝"},
    {RECEIPT_TENDER_CASH, 2000, 1050, NULL},
};

/* The receipt of tests/lib/receipt/cash.json. */
static void cash(struct receipt *r)
{
    receipt_init(r);
    r->reprint = true;
    r->cur = money_currency_by_alpha("CNY", 3);
    r->merchant_name = "好运来超市";
    r->terminal_id = "10000001";
    r->operator_id = "07";
    r->datetime = "2026-02-01 09:30:00";
    r->items = cash_items;
    r->item_count = 2;
    r->has_subtotal = true;
    r->subtotal = 1950;
    r->taxes = cash_taxes;
    r->tax_count = 1;
    r->has_total = true;
    r->total = 1950;
    r->tenders = cash_tenders;
    r->tender_count = 2;
    r->footer = "欢迎再次光临";
}

static char *read_golden(const char *name, size_t *len)
{
    char rel[128];
    FILE *f;
    char *buf = malloc(OUT_CAP);

    assert_non_null(buf);
    snprintf(rel, sizeof(rel), "tests/lib/receipt/%s", name);
    f = fopen(tu_source_path(rel), "rb");
    assert_non_null(f);
    *len = fread(buf, 1, OUT_CAP - 1, f);
    fclose(f);
    buf[*len] = '\0';
    return buf;
}

static void assert_golden(const struct receipt *r, unsigned width, const char *name)
{
    struct pos_errdetail d;
    size_t len = 0, glen;
    char *golden = read_golden(name, &glen);
    int rc = receipt_render_text(r, width, out, sizeof(out), &len, &d);

    if (rc != POS_OK)
        fail_msg("%s: %s (%s)", name, pos_strerror(rc), d.what);
    if (len != glen || memcmp(out, golden, len) != 0)
        fail_msg("%s differs from the golden file:\n--- got ---\n%s--- want ---\n%s", name, out,
                 golden);
    assert_int_equal(strlen(out), len);
    free(golden);
}

static void test_golden(void **state)
{
    static const unsigned widths[] = {32, 42, 48};
    struct receipt r;
    char name[64];
    size_t i;

    (void)state;
    for (i = 0; i < 3; i++) {
        sale(&r);
        snprintf(name, sizeof(name), "sale_customer_%u.txt", widths[i]);
        assert_golden(&r, widths[i], name);
        r.copy = RECEIPT_COPY_MERCHANT;
        snprintf(name, sizeof(name), "sale_merchant_%u.txt", widths[i]);
        assert_golden(&r, widths[i], name);
        cash(&r);
        snprintf(name, sizeof(name), "cash_%u.txt", widths[i]);
        assert_golden(&r, widths[i], name);
    }
}

/* Every line: well-formed UTF-8, at most width columns, no trailing space;
 * and the lines that end in an amount end exactly at the right edge. */
static void assert_lines_fit(const char *text, size_t len, unsigned width)
{
    size_t off = 0;

    while (off < len) {
        const char *nl = memchr(text + off, '\n', len - off);
        size_t n;

        assert_non_null(nl);
        n = (size_t)(nl - (text + off));
        assert_true(textwidth_is_valid(text + off, n));
        if (textwidth_of(text + off, n) > width)
            fail_msg("line wider than %u: '%.*s'", width, (int)n, text + off);
        assert_true(n == 0 || text[off + n - 1] != ' ');
        off += n + 1;
    }
}

static void test_chinese_alignment(void **state)
{
    struct receipt r;
    size_t len;

    (void)state;
    sale(&r);
    assert_int_equal(receipt_render_text(&r, 32, out, sizeof(out), &len, NULL), POS_OK);
    assert_lines_fit(out, len, 32);
    /* 18 wide characters + a price: the name wraps after 16 (32 columns),
     * never half a character, and the price ends at column 32 */
    assert_non_null(strstr(out, "\n青岛啤酒经典系列十度五百毫升罐装\n啤酒"
                                "                       39.00\n"));
    /* the Chinese merchant name is centered: 25 columns, (32 - 25) / 2 = 3 spaces */
    assert_memory_equal(out, "   北京好运便利店 Lucky Mart\n",
                        strlen("   北京好运便利店 Lucky Mart\n"));
    /* 18 columns of label, 6 of spaces and 8 of ID */
    assert_non_null(strstr(out, "\nTERMINAL ID 终端号      10000001\n"));
}

static void test_pan_masked(void **state)
{
    struct receipt r;
    size_t len;

    (void)state;
    sale(&r);
    r.copy = RECEIPT_COPY_MERCHANT;
    assert_int_equal(receipt_render_text(&r, 48, out, sizeof(out), &len, NULL), POS_OK);
    assert_null(strstr(out, "6222021234567890123"));
    assert_null(strstr(out, "123456789"));
    assert_non_null(strstr(out, "622202*********0123"));
    /* the merchant copy of a card slip has the signature line */
    assert_non_null(strstr(out, "持卡人签名"));
    sale(&r);
    assert_int_equal(receipt_render_text(&r, 48, out, sizeof(out), &len, NULL), POS_OK);
    assert_null(strstr(out, "持卡人签名"));
}

static void test_pan_display(void **state)
{
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        {"4111111111111111", "411111******1111"},       /* clear: first 6, last 4 */
        {"6222021234567890123", "622202*********0123"}, /* 19 digits */
        {"411111******1111", "411111******1111"},       /* already masked: kept */
        {"************1111", "************1111"},       /* masked harder: kept */
        {"4111111111**1111", "****************"},       /* too many digits shown */
        {"4111 1111 1111 1111", "*******************"}, /* not a PAN: all masked */
        {"41111111111", "***********"},                 /* too short: all masked */
        {"******1111", "**********"},                   /* too short to be masked */
        {"", ""},
    };
    char buf[RECEIPT_PAN_BUF];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(receipt_pan_display(cases[i].in, buf), POS_OK);
        assert_string_equal(buf, cases[i].want);
    }
    assert_int_equal(receipt_pan_display("41111111111111111111", buf), POS_ERR_CARD_PAN);
    assert_string_equal(buf, "");
    assert_int_equal(receipt_pan_display(NULL, buf), POS_ERR_INVAL);
    assert_int_equal(receipt_pan_display("4111", NULL), POS_ERR_INVAL);
}

static void test_nospace(void **state)
{
    struct receipt r;
    struct pos_errdetail d;
    size_t len = 0, cap, got = 12345;
    char *small;

    (void)state;
    sale(&r);
    assert_int_equal(receipt_render_text(&r, 42, out, sizeof(out), &len, NULL), POS_OK);
    small = malloc(len + 1);
    assert_non_null(small);
    /* every capacity short of len + 1 fails cleanly, never truncates */
    for (cap = 0; cap <= len; cap++) {
        memset(small, 'x', len + 1);
        assert_int_equal(receipt_render_text(&r, 42, small, cap, &got, &d), POS_ERR_NOSPACE);
        if (cap > 0)
            assert_int_equal(small[0], '\0');
        assert_int_equal(got, 12345);
    }
    assert_non_null(strstr(d.what, "longer than"));
    assert_int_equal(receipt_render_text(&r, 42, small, len + 1, &got, NULL), POS_OK);
    assert_int_equal(got, len);
    assert_memory_equal(small, out, len + 1);
    free(small);
}

static void test_bad_input(void **state)
{
    struct receipt r;
    struct pos_errdetail d;
    char long_name[RECEIPT_FIELD_MAX + 2];
    struct receipt_item items[2];
    struct receipt_tax tax;
    struct receipt_tender tender;

    (void)state;
    sale(&r);
    assert_int_equal(receipt_render_text(&r, 40, out, sizeof(out), NULL, &d), POS_ERR_RANGE);
    assert_non_null(strstr(d.what, "32, 42 or 48"));
    assert_int_equal(receipt_render_text(&r, 0, out, sizeof(out), NULL, &d), POS_ERR_RANGE);
    assert_int_equal(receipt_render_text(NULL, 32, out, sizeof(out), NULL, &d), POS_ERR_INVAL);
    assert_int_equal(receipt_render_text(&r, 32, NULL, 10, NULL, &d), POS_ERR_INVAL);
    assert_int_equal(receipt_layout(&r, 32, false, NULL, NULL, &d), POS_ERR_INVAL);

    r.cur = NULL;
    assert_int_equal(receipt_check(&r, &d), POS_ERR_INVAL);
    assert_string_equal(d.what, "currency: missing");
    sale(&r);
    r.merchant_name = "";
    assert_int_equal(receipt_check(&r, &d), POS_ERR_INVAL);
    assert_string_equal(d.what, "merchant_name: missing");

    sale(&r);
    memset(long_name, 'A', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    r.rrn = long_name;
    assert_int_equal(receipt_check(&r, &d), POS_ERR_LENGTH);
    assert_non_null(strstr(d.what, "rrn"));

    sale(&r);
    memcpy(items, sale_items, sizeof(items));
    items[1].name = long_name;
    r.items = items;
    r.item_count = 2;
    assert_int_equal(receipt_check(&r, &d), POS_ERR_LENGTH);
    assert_non_null(strstr(d.what, "items[1].name: longer"));
    items[1].name = NULL;
    assert_int_equal(receipt_check(&r, &d), POS_ERR_INVAL);
    assert_string_equal(d.what, "items[1].name: missing");
    items[1].name = "x";
    items[1].total = INT64_MIN;
    assert_int_equal(receipt_check(&r, &d), POS_ERR_RANGE);
    r.items = NULL;
    assert_int_equal(receipt_check(&r, &d), POS_ERR_INVAL);
    r.items = items;
    r.item_count = RECEIPT_ITEMS_MAX + 1;
    assert_int_equal(receipt_check(&r, &d), POS_ERR_RANGE);

    sale(&r);
    tax = sale_taxes[0];
    tax.rate_bps = 10001;
    r.taxes = &tax;
    r.tax_count = 1;
    assert_int_equal(receipt_check(&r, &d), POS_ERR_RANGE);
    tax.rate_bps = 1300;
    tax.label = NULL;
    assert_int_equal(receipt_check(&r, &d), POS_ERR_INVAL);

    sale(&r);
    tender = sale_tenders[0];
    tender.kind = (enum receipt_tender_kind)7;
    r.tenders = &tender;
    assert_int_equal(receipt_check(&r, &d), POS_ERR_INVAL);
    tender.kind = RECEIPT_TENDER_CASH;
    tender.change = INT64_MIN;
    assert_int_equal(receipt_check(&r, &d), POS_ERR_RANGE);

    sale(&r);
    r.txn = (enum receipt_txn)42;
    assert_int_equal(receipt_check(&r, &d), POS_ERR_INVAL);
    sale(&r);
    r.total = INT64_MIN;
    assert_int_equal(receipt_check(&r, &d), POS_ERR_RANGE);

    /* a PAN longer than 19 characters is refused, not printed */
    sale(&r);
    r.pan = "62220212345678901234";
    assert_int_equal(receipt_render_text(&r, 32, out, sizeof(out), NULL, &d), POS_ERR_CARD_PAN);
    assert_string_equal(out, "");
    assert_null(strstr(d.what, "6222"));
}

static void test_controls_and_bad_utf8(void **state)
{
    struct receipt r;
    size_t len, i;

    (void)state;
    cash(&r);
    r.reprint = false;
    r.merchant_name = "Shop\x1B@\x1D"
                      "V\xFF\xE6\xB6 \xC2\x9B"
                      "end\tX";
    assert_int_equal(receipt_render_text(&r, 32, out, sizeof(out), &len, NULL), POS_OK);
    for (i = 0; i < len; i++)
        assert_true((unsigned char)out[i] >= 0x20 || out[i] == '\n');
    assert_true(textwidth_is_valid(out, len));
    /* ESC, GS, FF, the truncated 消, the C1 CSI: one '?' each; tab: space */
    assert_non_null(strstr(out, "Shop?@?V?? ?end X\n"));
}

struct collect {
    unsigned width;
    bool printer;
    size_t lines;
    size_t qr;
    int stop_after;
};

static int collect_line(void *ctx, const struct receipt_line *l)
{
    struct collect *c = ctx;

    c->lines++;
    if (l->kind == RECEIPT_LINE_QR) {
        c->qr++;
        assert_true(c->printer);
        return 0;
    }
    assert_true(l->width <= l->cols);
    assert_int_equal(l->width, textwidth_of(l->text, l->len));
    assert_true(textwidth_is_valid(l->text, l->len));
    assert_int_equal(l->cols, l->large && c->printer ? c->width / 2 : c->width);
    if (c->stop_after > 0 && c->lines == (size_t)c->stop_after)
        return POS_ERR_IO;
    return 0;
}

/* Long names of every kind wrap inside the line at every width, in text and
 * printer layout (large lines get half the width there). */
static void test_wrap_property(void **state)
{
    static const char *const names[] = {
        "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十",
        "a一b二c三d四e五f六g七h八i九j十a一b二c三d四e五f六g七h八i九j十",
        "Averyveryverylongwordwithoutanyspacesatalltowrapsomewhere and more",
        "e\xCC\x81"
        "e\xCC\x81"
        "e\xCC\x81"
        "e\xCC\x81"
        "e\xCC\x81"
        "e\xCC\x81"
        "e\xCC\x81"
        "e\xCC\x81"
        "e\xCC\x81"
        "e\xCC\x81"
        "e\xCC\x81"
        "e\xCC\x81"
        "e\xCC\x81"
        "e\xCC\x81"
        "e\xCC\x81"
        "e\xCC\x81"
        "e\xCC\x81"
        "e\xCC\x81"
        "e\xCC\x81"
        "e\xCC\x81",
        "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀 smile",
        "x 一 y 二 z 三 ............................................ 四",
        "                                                              lead",
    };
    static const unsigned widths[] = {32, 42, 48};
    struct receipt_item item = {NULL, 1000, NULL, 100, 100, 0};
    struct collect c;
    struct receipt r;
    size_t i, k, len;
    int p;

    (void)state;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        for (k = 0; k < 3; k++)
            for (p = 0; p < 2; p++) {
                sale(&r);
                item.name = names[i];
                r.items = &item;
                r.item_count = 1;
                r.merchant_name = names[i]; /* large and centered */
                r.footer = names[i];
                memset(&c, 0, sizeof(c));
                c.width = widths[k];
                c.printer = p != 0;
                assert_int_equal(receipt_layout(&r, widths[k], p != 0, collect_line, &c, NULL),
                                 POS_OK);
                assert_int_equal(c.qr, p != 0 ? 1 : 0);
                if (p == 0) {
                    assert_int_equal(
                        receipt_render_text(&r, widths[k], out, sizeof(out), &len, NULL), POS_OK);
                    assert_lines_fit(out, len, widths[k]);
                }
            }
    /* an emit error stops the layout and is returned */
    sale(&r);
    memset(&c, 0, sizeof(c));
    c.width = 32;
    c.stop_after = 3;
    assert_int_equal(receipt_layout(&r, 32, false, collect_line, &c, NULL), POS_ERR_IO);
    assert_int_equal(c.lines, 3);
}

static void test_qty_and_names(void **state)
{
    static const struct {
        const char *s;
        int rc;
        int64_t milli;
    } q[] = {
        {"2", POS_OK, 2000},
        {"0.350", POS_OK, 350},
        {"1.5", POS_OK, 1500},
        {"0.001", POS_OK, 1},
        {"1000000", POS_OK, 1000000000},
        {"0", POS_OK, 0},
        {"", POS_ERR_SYNTAX, 0},
        {".5", POS_ERR_SYNTAX, 0},
        {"1.", POS_ERR_SYNTAX, 0},
        {"-1", POS_ERR_SYNTAX, 0},
        {"1.0001", POS_ERR_RANGE, 0},
        {"1000001", POS_ERR_RANGE, 0},
        {"1e3", POS_ERR_SYNTAX, 0},
        {"1 ", POS_ERR_SYNTAX, 0},
        {"99999999999999999999", POS_ERR_RANGE, 0},
    };
    enum receipt_txn t;
    enum receipt_entry e;
    enum receipt_tender_kind k;
    int64_t m;
    char buf[24];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
        m = -7;
        assert_int_equal(receipt_qty_parse(q[i].s, strlen(q[i].s), &m), q[i].rc);
        assert_int_equal(m, q[i].rc == POS_OK ? q[i].milli : -7);
    }
    assert_int_equal(receipt_qty_parse(NULL, 0, &m), POS_ERR_INVAL);
    assert_int_equal(receipt_qty_format(2000, buf, sizeof(buf)), POS_OK);
    assert_string_equal(buf, "2");
    assert_int_equal(receipt_qty_format(350, buf, sizeof(buf)), POS_OK);
    assert_string_equal(buf, "0.350");
    assert_int_equal(receipt_qty_format(-1500, buf, sizeof(buf)), POS_OK);
    assert_string_equal(buf, "-1.500");
    assert_int_equal(receipt_qty_format(INT64_MAX, buf, sizeof(buf)), POS_OK);
    assert_string_equal(buf, "9223372036854775.807");
    assert_int_equal(receipt_qty_format(INT64_MIN, buf, sizeof(buf)), POS_ERR_INVAL);
    assert_int_equal(receipt_qty_format(350, buf, 5), POS_ERR_NOSPACE);
    assert_string_equal(buf, "");

    assert_int_equal(receipt_txn_parse("SALE", &t), POS_OK);
    assert_int_equal(t, RECEIPT_TXN_SALE);
    assert_int_equal(receipt_txn_parse("pre-auth", &t), POS_OK);
    assert_int_equal(t, RECEIPT_TXN_PREAUTH);
    assert_int_equal(receipt_txn_parse("balance", &t), POS_OK);
    assert_int_equal(t, RECEIPT_TXN_BALANCE);
    assert_int_equal(receipt_txn_parse("sales", &t), POS_ERR_NOT_FOUND);
    assert_int_equal(receipt_txn_parse("sal", &t), POS_ERR_NOT_FOUND);
    assert_int_equal(receipt_txn_parse(NULL, &t), POS_ERR_NOT_FOUND);
    assert_int_equal(receipt_entry_parse("Contactless", &e), POS_OK);
    assert_int_equal(e, RECEIPT_ENTRY_CONTACTLESS);
    assert_int_equal(receipt_entry_parse("tap", &e), POS_ERR_NOT_FOUND);
    assert_int_equal(receipt_tender_parse("wallet", &k), POS_OK);
    assert_int_equal(k, RECEIPT_TENDER_WALLET);
    assert_int_equal(receipt_tender_parse("cheque", &k), POS_ERR_NOT_FOUND);
    assert_string_equal(receipt_txn_label(RECEIPT_TXN_COMPLETION), "COMPLETION 预授权完成");
    assert_string_equal(receipt_txn_label(RECEIPT_TXN_VOID), "VOID 撤销");
    assert_string_equal(receipt_txn_label(RECEIPT_TXN_NONE), "");
    assert_string_equal(receipt_txn_label((enum receipt_txn)99), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_chinese_alignment),
        cmocka_unit_test(test_pan_masked),
        cmocka_unit_test(test_pan_display),
        cmocka_unit_test(test_nospace),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_controls_and_bad_utf8),
        cmocka_unit_test(test_wrap_property),
        cmocka_unit_test(test_qty_and_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
