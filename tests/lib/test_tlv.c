/* Tests for src/lib/tlv.c: EMV BER-TLV decode and encode. */
#include "testutil.h"

#include <string.h>

#include "error.h"
#include "tlv.h"

/* Published trace: javaemvreader "ExampleOutput" wiki page
 * (code.google.com/p/javaemvreader/wiki/ExampleOutput), step 2: the FCI
 * returned for SELECT 1PAY.SYS.DDF01. */
static const char fci_pse[] = "6F 20 84 0E 31 50 41 59 2E 53 59 53 2E 44 44 46 30 31 A5 0E 88 01 02"
                              " 5F 2D 04 6E 6F 65 6E 9F 11 01 01";

/* Same page, step 3: READ RECORD of SFI 2, record 1 (70 holding 61). */
static const char record_psd[] = "70 23 61 21 4F 07 A1 23 45 67 89 10 10 50 04 56 49 53 41 9F 12"
                                 " 0C 56 49 53 41 20 43 6C 61 73 73 69 63 87 01 02";

/* A field 55 of an ARQC purchase request, built for this test in the shape
 * terminals send (EMV Book 3 Annex A tags, the usual order). */
static const char field55[] = "9F26 08 1122334455667788"
                              "9F27 01 80"
                              "9F10 12 0110A00003220000000000000000000000FF"
                              "9F37 04 A1B2C3D4"
                              "9F36 02 0001"
                              "95 05 0000008000"
                              "9A 03 250615"
                              "9C 01 00"
                              "9F02 06 000000001000"
                              "5F2A 02 0156"
                              "82 02 3900"
                              "9F1A 02 0156"
                              "9F03 06 000000000000"
                              "9F33 03 E0F8C8"
                              "9F34 03 420300"
                              "9F35 01 22"
                              "9F1E 08 3132333435363738"
                              "84 07 A0000003330101"
                              "9F09 02 0020"
                              "9F41 04 00000001";

struct want {
    uint32_t tag;
    size_t len;
    size_t offset;
    unsigned depth;
};

/* Walks buf depth first (pre-order) and compares with want[0..n). */
static void check_walk(const uint8_t *buf, size_t len, const struct want *want, size_t n)
{
    struct tlv_iter stack[TLV_DEPTH_MAX];
    struct tlv t;
    size_t sp = 0, i = 0;
    int r;

    tlv_iter_init(&stack[0], buf, len);
    for (;;) {
        r = tlv_iter_next(&stack[sp], &t, NULL);
        assert_true(r >= 0);
        if (r == 0) {
            if (sp == 0)
                break;
            sp--;
            continue;
        }
        assert_true(i < n);
        assert_int_equal(tlv_tag(&t), want[i].tag);
        assert_int_equal(tlv_len(&t), want[i].len);
        assert_int_equal(tlv_offset(&t), want[i].offset);
        assert_int_equal(tlv_depth(&t), want[i].depth);
        assert_ptr_equal(tlv_value(&t), buf + tlv_offset(&t) + tlv_header_len(&t));
        i++;
        if (tlv_is_constructed(&t)) {
            assert_int_equal(tlv_iter_children(&stack[sp], &t, &stack[sp + 1], NULL), POS_OK);
            sp++;
        }
    }
    assert_int_equal(i, n);
}

static void test_decode_published_fci(void **state)
{
    static const struct want want[] = {
        {0x6F, 0x20, 0, 1}, {0x84, 14, 2, 2},   {0xA5, 14, 18, 2},
        {0x88, 1, 20, 3},   {0x5F2D, 4, 23, 3}, {0x9F11, 1, 30, 3},
    };
    size_t n;
    const uint8_t *b = tu_hex(fci_pse, &n);
    struct tlv t;

    (void)state;
    check_walk(b, n, want, sizeof(want) / sizeof(want[0]));
    assert_int_equal(tlv_find(b, n, 0x84, &t, NULL), POS_OK);
    assert_bytes_equal(tlv_value(&t), "1PAY.SYS.DDF01", 14);
    assert_int_equal(tlv_find(b, n, 0x5F2D, &t, NULL), POS_OK);
    assert_bytes_equal(tlv_value(&t), "noen", 4);
    assert_int_equal(tlv_header_len(&t), 3);
}

static void test_decode_published_record(void **state)
{
    static const struct want want[] = {
        {0x70, 0x23, 0, 1}, {0x61, 0x21, 2, 2},  {0x4F, 7, 4, 3},
        {0x50, 4, 13, 3},   {0x9F12, 12, 19, 3}, {0x87, 1, 34, 3},
    };
    size_t n;
    const uint8_t *b = tu_hex(record_psd, &n);
    struct tlv t;

    (void)state;
    check_walk(b, n, want, sizeof(want) / sizeof(want[0]));
    assert_int_equal(tlv_find(b, n, 0x9F12, &t, NULL), POS_OK);
    assert_bytes_equal(tlv_value(&t), "VISA Classic", 12);
    assert_int_equal(tlv_find(b, n, 0x87, &t, NULL), POS_OK);
    assert_int_equal(tlv_value(&t)[0], 2);
    assert_int_equal(tlv_depth(&t), 3);
}

static void test_decode_field55(void **state)
{
    static const uint32_t tags[] = {0x9F26, 0x9F27, 0x9F10, 0x9F37, 0x9F36, 0x95,   0x9A,
                                    0x9C,   0x9F02, 0x5F2A, 0x82,   0x9F1A, 0x9F03, 0x9F33,
                                    0x9F34, 0x9F35, 0x9F1E, 0x84,   0x9F09, 0x9F41};
    size_t n, i = 0;
    const uint8_t *b = tu_hex(field55, &n);
    struct tlv_iter it;
    struct tlv t;
    int r;

    (void)state;
    tlv_iter_init(&it, b, n);
    while ((r = tlv_iter_next(&it, &t, NULL)) == 1) {
        assert_true(i < sizeof(tags) / sizeof(tags[0]));
        assert_int_equal(tlv_tag(&t), tags[i]);
        assert_false(tlv_is_constructed(&t));
        i++;
    }
    assert_int_equal(r, 0);
    assert_int_equal(i, sizeof(tags) / sizeof(tags[0]));
    /* the end is sticky */
    assert_int_equal(tlv_iter_next(&it, &t, NULL), 0);
    assert_int_equal(tlv_find(b, n, 0x9F02, &t, NULL), POS_OK);
    b = tu_hex("000000001000", &i);
    assert_buf_equal(tlv_value(&t), tlv_len(&t), b, i);
}

static void test_decode_long_and_nonminimal_lengths(void **state)
{
    uint8_t buf[300];
    struct tlv_iter it;
    struct tlv t;
    size_t n;
    const uint8_t *b;

    (void)state;
    /* 81 05: non-minimal long form, accepted (real cards send it) */
    b = tu_hex("5F2D 81 05 656E667264", &n);
    tlv_iter_init(&it, b, n);
    assert_int_equal(tlv_iter_next(&it, &t, NULL), 1);
    assert_int_equal(tlv_len(&t), 5);
    assert_int_equal(tlv_header_len(&t), 4);
    /* 82 00 03, 83 00 00 02, 84 00 00 00 01 */
    b = tu_hex("9F10 82 0003 010203  50 83 000002 4142  9C 84 00000001 00", &n);
    tlv_iter_init(&it, b, n);
    assert_int_equal(tlv_iter_next(&it, &t, NULL), 1);
    assert_int_equal(tlv_len(&t), 3);
    assert_int_equal(tlv_iter_next(&it, &t, NULL), 1);
    assert_int_equal(tlv_tag(&t), 0x50);
    assert_int_equal(tlv_len(&t), 2);
    assert_int_equal(tlv_iter_next(&it, &t, NULL), 1);
    assert_int_equal(tlv_tag(&t), 0x9C);
    assert_int_equal(tlv_header_len(&t), 6);
    assert_int_equal(tlv_iter_next(&it, &t, NULL), 0);
    /* 81 80: a 128-byte value; 82 01 00: 256 bytes (minimal long forms) */
    memset(buf, 0xAB, sizeof(buf));
    buf[0] = 0x90;
    buf[1] = 0x81;
    buf[2] = 0x80;
    tlv_iter_init(&it, buf, 3 + 128);
    assert_int_equal(tlv_iter_next(&it, &t, NULL), 1);
    assert_int_equal(tlv_len(&t), 128);
    buf[1] = 0x82;
    buf[2] = 0x01;
    buf[3] = 0x00;
    tlv_iter_init(&it, buf, 4 + 256);
    assert_int_equal(tlv_iter_next(&it, &t, NULL), 1);
    assert_int_equal(tlv_len(&t), 256);
    assert_int_equal(tlv_iter_next(&it, &t, NULL), 0);
}

static void test_decode_padding(void **state)
{
    size_t n;
    const uint8_t *b = tu_hex("00 00 9F27 01 80 00 FF 70 05 00 5A 02 1234 FF 00", &n);
    struct tlv_iter it, child;
    struct tlv t;

    (void)state;
    tlv_iter_init(&it, b, n);
    assert_int_equal(tlv_iter_next(&it, &t, NULL), 1);
    assert_int_equal(tlv_tag(&t), 0x9F27);
    assert_int_equal(tlv_offset(&t), 2);
    assert_int_equal(tlv_iter_next(&it, &t, NULL), 1);
    assert_int_equal(tlv_tag(&t), 0x70);
    assert_int_equal(tlv_iter_children(&it, &t, &child, NULL), POS_OK);
    assert_int_equal(tlv_iter_next(&child, &t, NULL), 1);
    assert_int_equal(tlv_tag(&t), 0x5A);
    assert_int_equal(tlv_offset(&t), 11);
    assert_int_equal(tlv_iter_next(&child, &t, NULL), 0);
    assert_int_equal(tlv_iter_next(&it, &t, NULL), 0);
    /* only padding, and nothing at all */
    b = tu_hex("00 FF 00", &n);
    tlv_iter_init(&it, b, n);
    assert_int_equal(tlv_iter_next(&it, &t, NULL), 0);
    tlv_iter_init(&it, NULL, 0);
    assert_int_equal(tlv_iter_next(&it, &t, NULL), 0);
    assert_int_equal(tlv_find(NULL, 0, 0x5A, &t, NULL), POS_ERR_NOT_FOUND);
}

struct bad {
    const char *hex;
    int err;
    size_t offset;
    const char *what; /* a fragment of the detail */
};

static void test_decode_errors(void **state)
{
    static const struct bad bad[] = {
        {"9F", POS_ERR_TRUNCATED, 0, "tag 9F"},               /* tag cut */
        {"5A 02 1234 9F", POS_ERR_TRUNCATED, 4, "tag 9F"},    /* second tag cut */
        {"9F 81 81 81 01 00", POS_ERR_TLV_TAG, 0, "4 bytes"}, /* 5-byte tag */
        {"9F26", POS_ERR_TRUNCATED, 0, "length missing"},
        {"70 80 5A 00 00 00", POS_ERR_TLV_LENGTH, 1, "indefinite"},
        {"5A 85 0000000001 00", POS_ERR_TLV_LENGTH, 1, "5 bytes"},
        {"5A FF", POS_ERR_TLV_LENGTH, 1, "127 bytes"},
        {"5A 82 01", POS_ERR_TRUNCATED, 1, "length field"},
        {"9F26 08 AABB", POS_ERR_TRUNCATED, 0, "runs past the end"},
        {"5A 84 FFFFFFFF 00", POS_ERR_TRUNCATED, 0, "4294967295 bytes"},
        {"70 03 9F26 08", POS_ERR_TLV_LENGTH, 2, "runs past its container"},
        {"70 06 61 04 4F 05 A0 00", POS_ERR_TLV_LENGTH, 4, "tag 4F"},
    };
    size_t i, n;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const uint8_t *b = tu_hex(bad[i].hex, &n);
        struct pos_errdetail d;
        struct tlv t;

        pos_errdetail_init(&d);
        print_message("case %zu: %s\n", i, bad[i].hex);
        assert_int_equal(tlv_find(b, n, 0xDF7F, &t, &d), bad[i].err);
        assert_int_equal(d.offset, bad[i].offset);
        assert_non_null(strstr(d.what, bad[i].what));
    }
}

static void test_error_is_sticky(void **state)
{
    size_t n;
    const uint8_t *b = tu_hex("9F27 01 80 9F26 08 AABB", &n);
    struct tlv_iter it;
    struct tlv t;

    (void)state;
    tlv_iter_init(&it, b, n);
    assert_int_equal(tlv_iter_next(&it, &t, NULL), 1);
    assert_int_equal(tlv_iter_next(&it, &t, NULL), POS_ERR_TRUNCATED);
    assert_int_equal(tlv_iter_next(&it, &t, NULL), POS_ERR_TRUNCATED);
}

/* Builds n nested 70 templates around 9F27 01 80. */
static size_t nest(uint8_t *out, size_t cap, unsigned levels)
{
    struct tlv_builder b;
    size_t len = 0;
    unsigned i;

    tlv_builder_init(&b, out, cap);
    for (i = 0; i < levels; i++)
        tlv_builder_begin(&b, 0x70);
    tlv_builder_add(&b, 0x9F27, (const uint8_t *)"\x80", 1);
    for (i = 0; i < levels; i++)
        tlv_builder_end(&b);
    assert_int_equal(tlv_builder_finish(&b, &len), POS_OK);
    return len;
}

static void test_depth_limit(void **state)
{
    uint8_t buf[64], deeper[64];
    struct pos_errdetail d;
    struct tlv t;
    size_t n;

    (void)state;
    /* 7 templates + the primitive: 8 levels, the limit */
    n = nest(buf, sizeof(buf), TLV_DEPTH_MAX - 1);
    assert_int_equal(tlv_find(buf, n, 0x9F27, &t, NULL), POS_OK);
    assert_int_equal(tlv_depth(&t), TLV_DEPTH_MAX);
    /* 8 templates: the 9th level is refused */
    n = nest(buf, sizeof(buf), TLV_DEPTH_MAX);
    pos_errdetail_init(&d);
    assert_int_equal(tlv_find(buf, n, 0x9F27, &t, &d), POS_ERR_TLV_DEPTH);
    assert_int_equal(d.offset, 2 * (TLV_DEPTH_MAX - 1));
    assert_non_null(strstr(d.what, "tag 70"));
    /* the builder refuses a 9th open template */
    {
        struct tlv_builder b;
        unsigned i;
        tlv_builder_init(&b, deeper, sizeof(deeper));
        for (i = 0; i < TLV_DEPTH_MAX; i++)
            assert_int_equal(tlv_builder_begin(&b, 0x70), POS_OK);
        assert_int_equal(tlv_builder_begin(&b, 0x70), POS_ERR_TLV_DEPTH);
        assert_int_equal(tlv_builder_finish(&b, &n), POS_ERR_TLV_DEPTH);
    }
}

static void test_children_of_primitive(void **state)
{
    size_t n;
    const uint8_t *b = tu_hex("9F27 01 80", &n);
    struct tlv_iter it, child;
    struct tlv t;

    (void)state;
    tlv_iter_init(&it, b, n);
    assert_int_equal(tlv_iter_next(&it, &t, NULL), 1);
    assert_int_equal(tlv_iter_children(&it, &t, &child, NULL), POS_ERR_INVAL);
}

static void test_tag_helpers(void **state)
{
    char txt[TLV_TAG_TEXT_CAP];
    uint32_t tag = 0;

    (void)state;
    assert_int_equal(tlv_tag_size(0x5A), 1);
    assert_int_equal(tlv_tag_size(0x9F26), 2);
    assert_int_equal(tlv_tag_size(0xDF8101), 3);
    assert_int_equal(tlv_tag_size(0xFF818101), 4);
    assert_true(tlv_tag_is_constructed(0x70));
    assert_true(tlv_tag_is_constructed(0xBF0C));
    assert_true(tlv_tag_is_constructed(0xE1));
    assert_false(tlv_tag_is_constructed(0x9F26));
    assert_int_equal(tlv_tag_class(0x5A), TLV_CLASS_APPLICATION);
    assert_int_equal(tlv_tag_class(0x9F26), TLV_CLASS_CONTEXT);
    assert_int_equal(tlv_tag_class(0xDF31), TLV_CLASS_PRIVATE);
    assert_int_equal(tlv_tag_class(0x06), TLV_CLASS_UNIVERSAL);
    assert_true(tlv_tag_is_valid(0x5A));
    assert_true(tlv_tag_is_valid(0x9F26));
    assert_true(tlv_tag_is_valid(0xDF8129));
    assert_true(tlv_tag_is_valid(0x7F818101));
    assert_false(tlv_tag_is_valid(0x00));
    assert_false(tlv_tag_is_valid(0xFF));
    assert_false(tlv_tag_is_valid(0x9F));     /* announces more bytes */
    assert_false(tlv_tag_is_valid(0x5A01));   /* 5A is a one-byte tag */
    assert_false(tlv_tag_is_valid(0x9F81));   /* last byte has bit 8 */
    assert_false(tlv_tag_is_valid(0xDF0101)); /* middle byte lacks bit 8 */
    assert_int_equal(tlv_tag_format(0x9F26, txt, sizeof(txt)), POS_OK);
    assert_string_equal(txt, "9F26");
    assert_int_equal(tlv_tag_format(0x5A, txt, sizeof(txt)), POS_OK);
    assert_string_equal(txt, "5A");
    assert_int_equal(tlv_tag_format(0xDF8101, txt, 6), POS_ERR_NOSPACE);
    assert_int_equal(tlv_tag_parse("9f26", 4, &tag), POS_OK);
    assert_int_equal(tag, 0x9F26);
    assert_int_equal(tlv_tag_parse("9F2", 3, &tag), POS_ERR_HEX);
    assert_int_equal(tlv_tag_parse("", 0, &tag), POS_ERR_HEX);
    assert_int_equal(tlv_tag_parse("9G", 2, &tag), POS_ERR_HEX);
    assert_int_equal(tlv_tag_parse("9F26000000", 10, &tag), POS_ERR_HEX);
    assert_int_equal(tlv_tag_parse("009F", 4, &tag), POS_ERR_TLV_TAG);
    assert_int_equal(tlv_tag_parse("9F", 2, &tag), POS_ERR_TLV_TAG);
}

static void test_encode(void **state)
{
    static uint8_t big[70000], out[70010];
    static const struct {
        size_t len;
        const char *hdr;
    } lens[] = {{0, "5A 00"},          {1, "5A 01"},           {127, "5A 7F"},
                {128, "5A 81 80"},     {255, "5A 81 FF"},      {256, "5A 82 0100"},
                {65535, "5A 82 FFFF"}, {65536, "5A 83 010000"}};
    size_t i, n, hn;
    const uint8_t *h;

    (void)state;
    memset(big, 0x42, sizeof(big));
    for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        h = tu_hex(lens[i].hdr, &hn);
        assert_int_equal(tlv_encode(0x5A, big, lens[i].len, out, sizeof(out), &n), POS_OK);
        assert_int_equal(n, hn + lens[i].len);
        assert_bytes_equal(out, h, hn);
        assert_int_equal(tlv_length_size(lens[i].len), hn - 1);
        /* one byte short: no space, nothing claimed */
        assert_int_equal(tlv_encode(0x5A, big, lens[i].len, out, n - 1, &n), POS_ERR_NOSPACE);
    }
    assert_int_equal(tlv_length_size(0x1000000), 5);
    assert_int_equal(tlv_encode(0x9F26, (const uint8_t *)"\x11\x22", 2, out, sizeof(out), &n),
                     POS_OK);
    h = tu_hex("9F26 02 1122", &hn);
    assert_buf_equal(out, n, h, hn);
    assert_int_equal(tlv_encode(0x00, big, 1, out, sizeof(out), &n), POS_ERR_TLV_TAG);
    assert_int_equal(tlv_encode(0x9F, big, 1, out, sizeof(out), &n), POS_ERR_TLV_TAG);
    assert_int_equal(tlv_encode(0x5A, NULL, 1, out, sizeof(out), &n), POS_ERR_INVAL);
    assert_int_equal(tlv_encode(0x5A, NULL, 0, out, sizeof(out), &n), POS_OK);
    assert_int_equal(tlv_encode(0x5A, NULL, 0, NULL, 0, &n), POS_ERR_NOSPACE);
#if SIZE_MAX > 0xFFFFFFFFu
    assert_int_equal(tlv_encode(0x5A, big, (size_t)0x100000000ULL, out, sizeof(out), &n),
                     POS_ERR_TLV_LENGTH);
#endif
}

static void test_builder(void **state)
{
    uint8_t out[600], value[300];
    struct tlv_builder b;
    struct tlv t;
    size_t n = 0, wn, cap;
    const uint8_t *want = tu_hex("70 0E 9F26 02 1122 61 07 4F 05 A000000333", &wn);

    (void)state;
    tlv_builder_init(&b, out, sizeof(out));
    assert_int_equal(tlv_builder_begin(&b, 0x70), POS_OK);
    assert_int_equal(tlv_builder_add(&b, 0x9F26, (const uint8_t *)"\x11\x22", 2), POS_OK);
    assert_int_equal(tlv_builder_begin(&b, 0x61), POS_OK);
    assert_int_equal(tlv_builder_add(&b, 0x4F, tu_hex("A000000333", &n), 5), POS_OK);
    assert_int_equal(tlv_builder_end(&b), POS_OK);
    assert_int_equal(tlv_builder_end(&b), POS_OK);
    assert_int_equal(tlv_builder_finish(&b, &n), POS_OK);
    assert_buf_equal(out, n, want, wn);

    /* back-patching: a template holding 200 and 300 bytes moves its value */
    memset(value, 0x5C, sizeof(value));
    tlv_builder_init(&b, out, sizeof(out));
    tlv_builder_begin(&b, 0xBF0C);
    tlv_builder_add(&b, 0x9F10, value, 196); /* 9F10 81 C4 + 196 = 200 */
    tlv_builder_end(&b);
    assert_int_equal(tlv_builder_finish(&b, &n), POS_OK);
    assert_int_equal(n, 4 + 200);
    want = tu_hex("BF0C 81 C8 9F10 81 C4", &wn);
    assert_bytes_equal(out, want, wn);
    assert_int_equal(tlv_find(out, n, 0x9F10, &t, NULL), POS_OK);
    assert_int_equal(tlv_len(&t), 196);
    assert_bytes_equal(tlv_value(&t), value, 196);
    tlv_builder_init(&b, out, sizeof(out));
    tlv_builder_begin(&b, 0x77);
    tlv_builder_add(&b, 0x9F4B, value, 296); /* 9F4B 82 0128 + 296 = 301 */
    tlv_builder_end(&b);
    assert_int_equal(tlv_builder_finish(&b, &n), POS_OK);
    want = tu_hex("77 82 012D 9F4B 82 0128", &wn);
    assert_bytes_equal(out, want, wn);
    assert_int_equal(n, 4 + 301);

    /* every capacity short of the need fails with no space */
    for (cap = 0; cap < 4 + 301; cap++) {
        tlv_builder_init(&b, cap == 0 ? NULL : out, cap);
        tlv_builder_begin(&b, 0x77);
        tlv_builder_add(&b, 0x9F4B, value, 296);
        tlv_builder_end(&b);
        assert_int_equal(tlv_builder_finish(&b, &n), POS_ERR_NOSPACE);
    }
}

static void test_builder_errors(void **state)
{
    uint8_t out[32];
    struct tlv_builder b;
    size_t n;

    (void)state;
    tlv_builder_init(&b, out, sizeof(out));
    assert_int_equal(tlv_builder_begin(&b, 0x9F26), POS_ERR_TLV_TAG);      /* primitive */
    assert_int_equal(tlv_builder_add(&b, 0x5A, NULL, 0), POS_ERR_TLV_TAG); /* sticky */
    tlv_builder_init(&b, out, sizeof(out));
    assert_int_equal(tlv_builder_add(&b, 0xFF, NULL, 0), POS_ERR_TLV_TAG);
    tlv_builder_init(&b, out, sizeof(out));
    assert_int_equal(tlv_builder_end(&b), POS_ERR_INVAL); /* nothing open */
    tlv_builder_init(&b, out, sizeof(out));
    assert_int_equal(tlv_builder_begin(&b, 0x70), POS_OK);
    assert_int_equal(tlv_builder_finish(&b, &n), POS_ERR_INVAL); /* still open */
    tlv_builder_init(&b, out, sizeof(out));
    assert_int_equal(tlv_builder_finish(&b, &n), POS_OK);
    assert_int_equal(n, 0);
}

/* decode -> re-encode with the builder -> the same bytes (minimal forms) */
static size_t reencode(struct tlv_iter *it, struct tlv_builder *b)
{
    struct tlv t;
    size_t count = 0;
    int r;

    while ((r = tlv_iter_next(it, &t, NULL)) == 1) {
        count++;
        if (tlv_is_constructed(&t)) {
            struct tlv_iter child;
            assert_int_equal(tlv_iter_children(it, &t, &child, NULL), POS_OK);
            tlv_builder_begin(b, tlv_tag(&t));
            count += reencode(&child, b);
            tlv_builder_end(b);
        } else {
            tlv_builder_add(b, tlv_tag(&t), tlv_value(&t), tlv_len(&t));
        }
    }
    assert_int_equal(r, 0);
    return count;
}

static void test_round_trip(void **state)
{
    const char *cases[] = {fci_pse, record_psd, field55};
    uint8_t out[512];
    size_t i, n, m;

    (void)state;
    for (i = 0; i < 3; i++) {
        const uint8_t *b = tu_hex(cases[i], &n);
        struct tlv_iter it;
        struct tlv_builder bld;
        tlv_iter_init(&it, b, n);
        tlv_builder_init(&bld, out, sizeof(out));
        assert_true(reencode(&it, &bld) > 0);
        assert_int_equal(tlv_builder_finish(&bld, &m), POS_OK);
        assert_buf_equal(out, m, b, n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_published_fci),
        cmocka_unit_test(test_decode_published_record),
        cmocka_unit_test(test_decode_field55),
        cmocka_unit_test(test_decode_long_and_nonminimal_lengths),
        cmocka_unit_test(test_decode_padding),
        cmocka_unit_test(test_decode_errors),
        cmocka_unit_test(test_error_is_sticky),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_children_of_primitive),
        cmocka_unit_test(test_tag_helpers),
        cmocka_unit_test(test_encode),
        cmocka_unit_test(test_builder),
        cmocka_unit_test(test_builder_errors),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
