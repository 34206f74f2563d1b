/* Tests for src/lib/iso8583*.c: known messages, round trips, every error. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "hex.h"
#include "iso8583.h"
#include "test_iso8583_vectors.h"

/* values set from text live here until encode */
static uint8_t store[ISO8583_MAX_FIELD + 1][1024];

static const struct iso8583_dialect *dia(const char *name)
{
    const struct iso8583_dialect *d = iso8583_dialect_find(name);

    assert_non_null(d);
    return d;
}

static void check_fields(const struct iso8583_msg *m, const struct tv_field *tf)
{
    char txt[2048];
    size_t i, n = 0;
    int k = 1;

    for (i = 0; tf[i].fld != 0; i++) {
        k = iso8583_next(m, k);
        assert_int_equal(k, tf[i].fld);
        assert_int_equal(iso8583_get_text(m, tf[i].fld, txt, sizeof(txt), &n), POS_OK);
        if (strcmp(txt, tf[i].text) != 0)
            fail_msg("field %d: got '%s', want '%s'", tf[i].fld, txt, tf[i].text);
        assert_int_equal(n, strlen(tf[i].text));
    }
    assert_int_equal(iso8583_next(m, k), 0);
}

/* Builds the message of tf in dialect d from text (b fields from hex). */
static void build(struct iso8583_msg *m, const struct iso8583_dialect *d, const char *mti,
                  const struct tv_field *tf)
{
    size_t i, n;

    iso8583_msg_init(m, d);
    assert_int_equal(iso8583_set_mti(m, mti), POS_OK);
    for (i = 0; tf[i].fld != 0; i++) {
        int k = tf[i].fld;
        if (d->f[k].type == ISO8583_T_B) {
            assert_int_equal(
                pos_hex_decode(tf[i].text, strlen(tf[i].text), store[k], sizeof(store[k]), &n),
                POS_OK);
            assert_int_equal(iso8583_set(m, k, store[k], n), POS_OK);
        } else {
            assert_int_equal(iso8583_set_str(m, k, tf[i].text), POS_OK);
        }
    }
}

/* decode(vector) gives the fields; encode(decoded) and encode(built from
 * text) both give the vector back, byte for byte. */
static void check_vector(const char *dname, const char *hex, const struct tv_field *tf)
{
    const struct iso8583_dialect *d = dia(dname);
    struct iso8583_msg m, b;
    struct pos_errdetail det;
    uint8_t out[2048];
    size_t len, n = 0;
    const uint8_t *bytes = tu_hex(hex, &len);

    pos_errdetail_init(&det);
    assert_int_equal(iso8583_decode(d, bytes, len, &m, &det), POS_OK);
    assert_string_equal(iso8583_get_mti(&m), "0200");
    check_fields(&m, tf);
    assert_int_equal(iso8583_encode(&m, out, sizeof(out), &n, &det), POS_OK);
    assert_buf_equal(out, n, bytes, len);

    build(&b, d, "0200", tf);
    assert_int_equal(iso8583_encode(&b, out, sizeof(out), &n, &det), POS_OK);
    assert_buf_equal(out, n, bytes, len);
}

static void test_iso87a_vector(void **state)
{
    (void)state;
    check_vector("iso87a", TV_ISO87A, tv_purchase_fields);
}

static void test_iso87b_vector(void **state)
{
    (void)state;
    check_vector("iso87b", TV_ISO87B, tv_purchase_fields);
}

static void test_cup_vector(void **state)
{
    struct iso8583_msg m;
    size_t len, n;
    const uint8_t *bytes, *p;

    (void)state;
    check_vector("cup", TV_CUP, tv_purchase_fields);
    bytes = tu_hex(TV_CUP, &len);
    assert_int_equal(iso8583_decode(dia("cup"), bytes, len, &m, NULL), POS_OK);
    p = iso8583_get_tpdu(&m, &n);
    assert_int_equal(n, 5);
    assert_bytes_equal(p, tu_hex("6000000000", &n), 5);
    p = iso8583_get_header(&m, &n);
    assert_int_equal(n, 6);
    assert_bytes_equal(p, tu_hex("603100000000", &n), 6);
}

/* The published UnionPay purchase (TV_CUP_REAL): decodes field by field as
 * the article breaks it down, and re-encodes to the same bytes. */
static void test_cup_real_message(void **state)
{
    static const struct tv_field want[] = {
        {2, "6224242900000113"},
        {3, "000000"},
        {4, "000000000001"},
        {11, "000403"},
        {14, "2806"},
        {22, "071"},
        {23, "000"},
        {25, "00"},
        {26, "12"},
        {35, "6224242900000113=2806201394903101"
             "3"},
        {41, "10000019"},
        {42, "850100082410002"},
        {48, "0"},
        {49, "156"},
        {52, "D1EEF419D0AE2609"},
        {53, "2600000000000000"},
        {0, NULL},
    };
    const struct iso8583_dialect *d = dia("cup");
    struct iso8583_msg m;
    uint8_t out[1024];
    char txt[1024];
    size_t len, n = 0, i;
    const uint8_t *bytes = tu_hex(TV_CUP_REAL, &len);

    (void)state;
    assert_int_equal(len, 426);
    assert_int_equal(iso8583_decode(d, bytes, len, &m, NULL), POS_OK);
    for (i = 0; want[i].fld != 0; i++) {
        assert_int_equal(iso8583_get_text(&m, want[i].fld, txt, sizeof(txt), NULL), POS_OK);
        if (strcmp(txt, want[i].text) != 0)
            fail_msg("field %d: got '%s', want '%s'", want[i].fld, txt, want[i].text);
    }
    assert_int_equal(iso8583_field_len(&m, 55), 139);
    assert_int_equal(iso8583_field_len(&m, 59), 153);
    assert_int_equal(iso8583_get_text(&m, 60, txt, sizeof(txt), NULL), POS_OK);
    assert_string_equal(txt, "22000024000600");
    assert_int_equal(iso8583_get_text(&m, 64, txt, sizeof(txt), NULL), POS_OK);
    assert_string_equal(txt, "3846363531423236");
    assert_int_equal(iso8583_encode(&m, out, sizeof(out), &n, NULL), POS_OK);
    assert_buf_equal(out, n, bytes, len);
}

/* A dialect exercising every type, encoding and prefix kind. */
static struct iso8583_dialect every;

static void every_init(void)
{
    static const struct iso8583_field_def defs[] = {
        /* type, var, data, prefix, pad_left, fill, log, max */
        [2] = {ISO8583_T_N, 2, ISO8583_ENC_BCD, ISO8583_ENC_BCD, 0, 0xF, 1, 19},
        [3] = {ISO8583_T_N, 0, ISO8583_ENC_BCD, 0, 1, 0, 0, 5},
        [4] = {ISO8583_T_N, 0, ISO8583_ENC_EBCDIC, 0, 1, 0, 0, 4},
        [5] = {ISO8583_T_N, 3, ISO8583_ENC_ASCII, ISO8583_ENC_EBCDIC, 1, 0, 0, 120},
        [6] = {ISO8583_T_N, 4, ISO8583_ENC_BCD, ISO8583_ENC_BCD, 1, 0xF, 0, 2000},
        [7] = {ISO8583_T_AN, 2, ISO8583_ENC_EBCDIC, ISO8583_ENC_BINARY, 0, 0, 0, 30},
        [8] = {ISO8583_T_ANS, 3, ISO8583_ENC_ASCII, ISO8583_ENC_BINARY, 0, 0, 0, 999},
        [9] = {ISO8583_T_ANS, 4, ISO8583_ENC_EBCDIC, ISO8583_ENC_ASCII, 0, 0, 0, 1200},
        [10] = {ISO8583_T_Z, 2, ISO8583_ENC_BCD, ISO8583_ENC_BCD, 0, 0xF, 2, 37},
        [11] = {ISO8583_T_Z, 3, ISO8583_ENC_EBCDIC, ISO8583_ENC_ASCII, 0, 0, 2, 104},
        [12] = {ISO8583_T_B, 0, ISO8583_ENC_BINARY, 0, 0, 0, 0, 4},
        [13] = {ISO8583_T_B, 2, ISO8583_ENC_HEX, ISO8583_ENC_ASCII, 0, 0, 0, 16},
        [14] = {ISO8583_T_XN, 0, ISO8583_ENC_BCD, 0, 1, 0, 0, 10},
        [15] = {ISO8583_T_XN, 0, ISO8583_ENC_ASCII, 0, 1, 0, 0, 5},
        [16] = {ISO8583_T_XN, 2, ISO8583_ENC_EBCDIC, ISO8583_ENC_BCD, 1, 0, 0, 13},
        [17] = {ISO8583_T_B, 3, ISO8583_ENC_BINARY, ISO8583_ENC_BCD, 0, 0, 0, 300},
        [70] = {ISO8583_T_N, 0, ISO8583_ENC_ASCII, 0, 1, 0, 0, 3},
        [128] = {ISO8583_T_B, 0, ISO8583_ENC_BINARY, 0, 0, 0, 2, 8},
    };
    memset(&every, 0, sizeof(every));
    memcpy(every.name, "every", 6);
    every.mti_enc = ISO8583_ENC_EBCDIC;
    every.bitmap_enc = ISO8583_ENC_HEX;
    every.tpdu_len = 2;
    every.header_len = 1;
    every.tpdu[0] = 0xAB;
    memcpy(every.f, defs, sizeof(defs));
}

static void test_every_type_roundtrip(void **state)
{
    static uint8_t big[2000];
    static const uint8_t bin[4] = {0x00, 0xFF, 0x80, 0x7F};
    static const uint8_t bytes17[3] = {1, 2, 3};
    struct {
        int fld;
        const void *v;
        size_t len;
    } vals[] = {
        {2, "1234567", 7},
        {3, "12345", 5},
        {4, "0042", 4},
        {5, "99", 2},
        {6, NULL, 1999},
        {7, "Abc 12", 6},
        {8, "a|b~c{}[]^\\`", 12},
        {9, "EBCDIC [text] ^ ok!", 19},
        {10, "123=4567D89", 11},
        {11, "0011=22", 7},
        {12, bin, 4},
        {13, bin, 3},
        {14, "D000001234", 10},
        {15, "C1234", 5},
        {16, "D12345", 6},
        {17, bytes17, 3},
        {70, "301", 3},
        {128, "\x01\x02\x03\x04\x05\x06\x07\x08", 8},
    };
    struct iso8583_msg m, r, r2;
    struct pos_errdetail det;
    uint8_t out[8192], out2[8192], val[2048];
    size_t n = 0, n2 = 0, got = 0, i;

    (void)state;
    every_init();
    assert_int_equal(iso8583_dialect_check(&every, &det), POS_OK);
    memset(big, '7', sizeof(big));
    vals[4].v = big;
    iso8583_msg_init(&m, &every);
    assert_int_equal(iso8583_set_mti(&m, "0820"), POS_OK);
    for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
        assert_int_equal(iso8583_set(&m, vals[i].fld, vals[i].v, vals[i].len), POS_OK);
    assert_int_equal(iso8583_encode(&m, out, sizeof(out), &n, &det), POS_OK);
    /* header defaults, EBCDIC MTI, hex bitmap with the secondary bit */
    assert_bytes_equal(out, tu_hex("AB0000 F0F8F2F0", &got), 7);
    assert_bytes_equal(out + 7, "FFFF", 4);
    assert_int_equal(iso8583_decode(&every, out, n, &r, &det), POS_OK);
    assert_string_equal(iso8583_get_mti(&r), "0820");
    for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        const char *want = vals[i].v;
        assert_int_equal(iso8583_get_value(&r, vals[i].fld, val, sizeof(val), &got), POS_OK);
        if (vals[i].fld == 10) /* z reads back with '=' as separator */
            want = "123=4567=89";
        assert_buf_equal(val, got, want, vals[i].len);
    }
    /* pack(unpack(bytes)) == bytes */
    assert_int_equal(iso8583_encode(&r, out2, sizeof(out2), &n2, &det), POS_OK);
    assert_buf_equal(out2, n2, out, n);
    /* and through the text path again */
    iso8583_msg_init(&r2, &every);
    assert_int_equal(iso8583_set_mti(&r2, "0820"), POS_OK);
    for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
        assert_int_equal(iso8583_copy_field(&r2, &r, vals[i].fld), POS_OK);
    assert_int_equal(iso8583_encode(&r2, out2, sizeof(out2), &n2, &det), POS_OK);
    assert_buf_equal(out2, n2, out, n);
}

/* Errors in the encodings the built-ins do not use (EBCDIC data, MTI and
 * prefix, binary prefix, x+n without its sign), on the `every` dialect. */
static void test_every_type_errors(void **state)
{
    static const struct {
        int fld;
        const char *value;
        size_t at;  /* byte to change (from the start of the message) */
        uint8_t to; /* its new value */
        int code;
        int efld;
        size_t eoff;
    } cases[] = {
        {4, "0042", 25, 0xC1, POS_ERR_DIGIT, 4, 25},                  /* EBCDIC 'A' in n */
        {4, "0042", 25, 0x00, POS_ERR_DIGIT, 4, 25},                  /* unmapped EBCDIC byte */
        {9, "abc", 29, 0x05, POS_ERR_ISO_FIELD_CHARSET, 9, 29},       /* EBCDIC control in ans */
        {16, "D12345", 23, 0x00, POS_ERR_ISO_FIELD_LENGTH, 16, 23},   /* x+n of length 0 */
        {16, "D12345", 24, 0xE3, POS_ERR_ISO_FIELD_CHARSET, 16, 24},  /* sign 'T' */
        {7, "Ab", 23, 31, POS_ERR_ISO_FIELD_LENGTH, 7, 23},           /* binary LL over 30 */
        {5, "99", 24, 0xC1, POS_ERR_ISO_FIELD_LENGTH, 5, 24},         /* EBCDIC prefix digit */
        {3, "12345", 3, 0xC1, POS_ERR_ISO_MTI, -1, 3},                /* EBCDIC MTI */
        {3, "12345", 7, 'x', POS_ERR_ISO_BITMAP, 1, 7},               /* hex bitmap */
        {13, "\x01\xAB", 25, 'g', POS_ERR_ISO_FIELD_CHARSET, 13, 25}, /* b as hex */
    };
    size_t i;

    (void)state;
    every_init();
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct iso8583_msg m;
        struct pos_errdetail det;
        uint8_t out[128];
        size_t n = 0;
        int rc;

        iso8583_msg_init(&m, &every);
        assert_int_equal(iso8583_set_str(&m, cases[i].fld, cases[i].value), POS_OK);
        assert_int_equal(iso8583_encode(&m, out, sizeof(out), &n, NULL), POS_OK);
        assert_int_equal(iso8583_decode(&every, out, n, &m, NULL), POS_OK);
        out[cases[i].at] = cases[i].to;
        pos_errdetail_init(&det);
        rc = iso8583_decode(&every, out, n, &m, &det);
        if (rc != cases[i].code || det.field != cases[i].efld || det.offset != cases[i].eoff)
            fail_msg("case %zu: got %s field %d offset %zu, want %s field %d offset %zu", i,
                     pos_errname(rc), det.field, det.offset, pos_errname(cases[i].code),
                     cases[i].efld, cases[i].eoff);
    }
}

/* Odd BCD lengths: pad side and fill nibble as the dialect says. */
static void test_bcd_padding(void **state)
{
    struct iso8583_msg m;
    uint8_t out[64];
    size_t n = 0, hl, wlen = 0;
    const uint8_t *want;

    (void)state;
    every_init();
    iso8583_msg_init(&m, &every);
    assert_int_equal(iso8583_set_str(&m, 2, "123"), POS_OK);   /* LL BCD, pad right, fill F */
    assert_int_equal(iso8583_set_str(&m, 3, "12345"), POS_OK); /* fixed 5, pad left, fill 0 */
    assert_int_equal(iso8583_encode(&m, out, sizeof(out), &n, NULL), POS_OK);
    hl = 2 + 1 + 4 + 16; /* TPDU, header, EBCDIC MTI, hex bitmap */
    want = tu_hex("03 123F 012345", &wlen);
    assert_buf_equal(out + hl, n - hl, want, wlen);
}

static void test_secondary_bitmap(void **state)
{
    const struct iso8583_dialect *d = dia("iso87a");
    struct iso8583_msg m, r;
    uint8_t out[256], out2[256];
    size_t n = 0, n2 = 0;
    char txt[64];
    static const uint8_t mac[8] = {1, 2, 3, 4, 5, 6, 7, 8};

    (void)state;
    iso8583_msg_init(&m, d);
    assert_int_equal(iso8583_set_mti(&m, "0800"), POS_OK);
    assert_int_equal(iso8583_set_str(&m, 11, "000001"), POS_OK);
    assert_int_equal(iso8583_set_str(&m, 70, "301"), POS_OK);
    assert_int_equal(iso8583_set(&m, 128, mac, 8), POS_OK);
    assert_int_equal(iso8583_encode(&m, out, sizeof(out), &n, NULL), POS_OK);
    /* 0800, bitmap 8020000000000000 0400000000000001 (bits 1, 11; 70, 128) */
    assert_buf_equal(out, n,
                     "0800"
                     "80200000000000000400000000000001"
                     "000001"
                     "301"
                     "0102030405060708",
                     4 + 32 + 6 + 3 + 16);
    assert_int_equal(iso8583_decode(d, out, n, &r, NULL), POS_OK);
    assert_int_equal(iso8583_next(&r, 11), 70);
    assert_int_equal(iso8583_get_text(&r, 128, txt, sizeof(txt), NULL), POS_OK);
    assert_string_equal(txt, "0102030405060708");

    /* a secondary bitmap with no bit set survives a round trip */
    assert_int_equal(iso8583_decode(d,
                                    (const uint8_t *)"0800"
                                                     "8020000000000000"
                                                     "0000000000000000"
                                                     "000001",
                                    4 + 32 + 6, &r, NULL),
                     POS_OK);
    assert_int_equal(iso8583_encode(&r, out2, sizeof(out2), &n2, NULL), POS_OK);
    assert_int_equal(n2, 42);
    assert_bytes_equal(out2 + 4, "80200000000000000000000000000000", 32);
}

static void test_copy_for_reply(void **state)
{
    const struct iso8583_dialect *d = dia("cup");
    struct iso8583_msg req, rsp, other;
    uint8_t out[512];
    size_t len, n = 0;
    const uint8_t *bytes = tu_hex(TV_CUP, &len);
    static const int echo[] = {2, 3, 4, 11, 12, 13, 25, 41, 42, 49, 60, 0};
    char txt[64];
    int i;

    (void)state;
    assert_int_equal(iso8583_decode(d, bytes, len, &req, NULL), POS_OK);
    iso8583_msg_init(&rsp, d);
    assert_int_equal(iso8583_set_mti(&rsp, "0210"), POS_OK);
    for (i = 0; echo[i] != 0; i++)
        assert_int_equal(iso8583_copy_field(&rsp, &req, echo[i]), POS_OK);
    assert_int_equal(iso8583_set_str(&rsp, 37, "123456789012"), POS_OK);
    assert_int_equal(iso8583_set_str(&rsp, 38, "AB12  "), POS_OK);
    assert_int_equal(iso8583_set_str(&rsp, 39, "00"), POS_OK);
    assert_int_equal(iso8583_encode(&rsp, out, sizeof(out), &n, NULL), POS_OK);
    assert_int_equal(iso8583_decode(d, out, n, &other, NULL), POS_OK);
    assert_string_equal(iso8583_get_mti(&other), "0210");
    assert_int_equal(iso8583_get_text(&other, 60, txt, sizeof(txt), NULL), POS_OK);
    assert_string_equal(txt, "22000001");
    assert_int_equal(iso8583_get_text(&other, 39, txt, sizeof(txt), NULL), POS_OK);
    assert_string_equal(txt, "00");

    /* absent in the source: removed from the destination */
    assert_int_equal(iso8583_copy_field(&rsp, &req, 37), POS_OK);
    assert_false(iso8583_has(&rsp, 37));
    /* across dialects: wire views only where both encode alike */
    iso8583_msg_init(&other, dia("iso87a"));
    assert_int_equal(iso8583_copy_field(&other, &req, 3), POS_ERR_UNSUPPORTED);
    assert_int_equal(iso8583_copy_field(&other, &req, 41), POS_OK); /* ASCII in both */
    assert_int_equal(iso8583_copy_field(&other, &req, 1), POS_ERR_INVAL);
    iso8583_msg_init(&other, d);
    iso8583_msg_init(&rsp, dia("iso87a"));
    assert_int_equal(iso8583_set_str(&rsp, 70, "301"), POS_OK);
    assert_int_equal(iso8583_copy_field(&other, &rsp, 70), POS_ERR_ISO_FIELD_UNDEFINED);
    assert_int_equal(iso8583_set_str(&rsp, 60, "123456789012345678901"), POS_OK);
    assert_int_equal(iso8583_copy_field(&other, &rsp, 60), POS_ERR_ISO_FIELD_LENGTH);
    assert_int_equal(iso8583_set_str(&rsp, 60, "1234"), POS_OK);
    assert_int_equal(iso8583_copy_field(&other, &rsp, 60), POS_OK); /* text view */
}

static void test_mac_span(void **state)
{
    struct iso8583_msg m;
    uint8_t out[512];
    size_t len, n = 0, s = 0, e = 0;
    const uint8_t *bytes = tu_hex(TV_CUP, &len);

    (void)state;
    assert_int_equal(iso8583_decode(dia("cup"), bytes, len, &m, NULL), POS_OK);
    assert_int_equal(iso8583_mac_span(&m, &s, &e), POS_OK);
    assert_int_equal(s, 11);      /* after TPDU and header */
    assert_int_equal(e, len - 8); /* field 64 is the last 8 bytes */
    assert_int_equal(iso8583_encode(&m, out, sizeof(out), &n, NULL), POS_OK);
    s = e = 0;
    assert_int_equal(iso8583_mac_span(&m, &s, &e), POS_OK);
    assert_int_equal(s, 11);
    assert_int_equal(e, n - 8);
    iso8583_unset(&m, 64);
    assert_int_equal(iso8583_encode(&m, out, sizeof(out), &n, NULL), POS_OK);
    assert_int_equal(iso8583_mac_span(&m, &s, &e), POS_ERR_NOT_FOUND);
}

/* ---- errors ---- */

struct bad_case {
    const char *dialect;
    const char *hex;
    int code;
    int field;
    size_t offset;
    const char *why; /* what the case shows */
};

/* iso87a: MTI 0200, bitmap 2000000000000000 (field 3) or 4000... (2) */
static const struct bad_case bad_cases[] = {
    {"iso87a", "", POS_ERR_TRUNCATED, -1, 0, "empty"},
    {"iso87a", "303230", POS_ERR_TRUNCATED, -1, 0, "MTI cut"},
    {"iso87a", "3032413", POS_ERR_ISO_MTI, -1, 2, "MTI non-digit"},
    {"iso87b", "02A0", POS_ERR_ISO_MTI, -1, 1, "MTI bad BCD"},
    {"iso87a", "30323030 32303030", POS_ERR_TRUNCATED, 1, 4, "bitmap cut"},
    {"iso87a", "30323030 32303030303030303030303030303047", POS_ERR_ISO_BITMAP, 1, 19,
     "bitmap not hex"},
    {"iso87a", "30323030 32303030303030303030303030303030 303030", POS_ERR_TRUNCATED, 3, 20,
     "fixed field cut"},
    {"iso87a", "30323030 32303030303030303030303030303030 303041303030", POS_ERR_DIGIT, 3, 22,
     "non-digit in n"},
    {"iso87a", "30323030 34303030303030303030303030303030 3139 3431313131", POS_ERR_TRUNCATED, 2,
     22, "LL prefix past the end"},
    {"iso87a", "30323030 34303030303030303030303030303030 3230 3431313131",
     POS_ERR_ISO_FIELD_LENGTH, 2, 20, "LL prefix over the maximum"},
    {"iso87a", "30323030 34303030303030303030303030303030 3158 3431313131",
     POS_ERR_ISO_FIELD_LENGTH, 2, 21, "LL prefix not digits"},
    {"iso87a", "30323030 34303030303030303030303030303030 31", POS_ERR_TRUNCATED, 2, 20,
     "LL prefix cut"},
    {"iso87a", "30323030 32303030303030303030303030303030 303030303030 3030", POS_ERR_TRAILING, -1,
     26, "trailing bytes"},
    {"iso87a", "30323030 30303030303030303030303030303031 30313233343536373839414243444547",
     POS_ERR_ISO_FIELD_CHARSET, 64, 35, "b field not hex"},
    {"iso87a", "30323030 30303030303030303030383030303030 5445524D0130303031",
     POS_ERR_ISO_FIELD_CHARSET, 41, 24, "control byte in ans"},
    {"iso87a", "30323030 30303030303031303030303030303030 583030303030303030",
     POS_ERR_ISO_FIELD_CHARSET, 28, 20, "amount sign not C/D"},
    {"iso87a", "30323030 30303030303031303030303030303030 433030303030303058", POS_ERR_DIGIT, 28,
     28, "amount digits"},
    {"iso87b", "0200 2000000000000000 00A000", POS_ERR_BCD, 3, 11, "bad BCD nibble"},
    {"iso87b", "0200 0000040000000000 1051", POS_ERR_BCD, 22, 10, "bad pad nibble"},
    {"iso87b", "0200 0000000020000000 33 4111111111111111D2812101123456789F", POS_ERR_BCD, 35, 27,
     "track pad nibble not 0"},
    {"iso87b", "0200 0000000020000000 03 4E10", POS_ERR_BCD, 35, 11, "E nibble in track"},
    {"iso87b", "0200 0000000000000100 1099 41", POS_ERR_ISO_FIELD_LENGTH, 56, 10,
     "LLL BCD prefix with a non-zero pad nibble"},
    {"iso87b", "0200 0000000000000100 0A99 41", POS_ERR_ISO_FIELD_LENGTH, 56, 10,
     "LLL BCD prefix not BCD"},
    {"iso87b", "0200 0000000000000100 0999", POS_ERR_TRUNCATED, 56, 12, "LLL past the end"},
    {"iso87b", "0200 0000000000000000 00", POS_ERR_TRAILING, -1, 10, "trailing"},
    {"cup", "6000000000 603100 0000", POS_ERR_TRUNCATED, -1, 0, "header cut"},
    {"cup", "6000000000 603100000000 0200 0800000000000000 000000000000",
     POS_ERR_ISO_FIELD_UNDEFINED, 5, 21, "bit for an undefined field"},
    {"cup", "6000000000 603100000000 0200 8000000000000000 0000000000000001 00",
     POS_ERR_ISO_FIELD_UNDEFINED, 128, 29, "secondary bit, cup has no 128"},
    {"cup", "6000000000 603100000000 0200 8000000000000000 00000000", POS_ERR_TRUNCATED, 1, 21,
     "secondary bitmap cut"},
    {"cup", "6000000000 603100000000 0200 0000000000000000 0000", POS_ERR_TRAILING, -1, 21,
     "trailing after bitmap"},
    {"cup", "6000000000 603100000000 0200 0000000000000200 0256" /* 55: 256 > 255 */,
     POS_ERR_ISO_FIELD_LENGTH, 55, 21, "LLL over the field maximum"},
    {"cup", "6000000000 603100000000 0200 0000000002000000 412D", POS_ERR_ISO_FIELD_CHARSET, 39, 22,
     "an field with a special character"},
};

static void test_decode_errors(void **state)
{
    size_t i;
    char hex[512], msg[256];

    (void)state;
    for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        const struct bad_case *c = &bad_cases[i];
        struct iso8583_msg m;
        struct pos_errdetail det;
        size_t len = 0, k, j = 0;
        const uint8_t *bytes;
        int rc;

        /* an odd digit count is used above for "MTI non-digit": pad it */
        for (k = 0; c->hex[k] != '\0'; k++)
            if (c->hex[k] != ' ')
                hex[j++] = c->hex[k];
        if (j % 2)
            hex[j++] = '0';
        hex[j] = '\0';
        bytes = tu_hex(hex, &len);
        pos_errdetail_init(&det);
        rc = iso8583_decode(iso8583_dialect_find(c->dialect), bytes, len, &m, &det);
        pos_errdetail_format(rc, &det, msg, sizeof(msg));
        if (rc != c->code || det.field != c->field || det.offset != c->offset)
            fail_msg("case %zu (%s): got %s field %d offset %zu (%s), want %s field %d offset %zu",
                     i, c->why, pos_errname(rc), det.field, det.offset, msg, pos_errname(c->code),
                     c->field, c->offset);
    }
}

/* Every prefix of every known message fails cleanly (never reads past the
 * end: ASan checks), and every byte flip either decodes or fails cleanly. */
static void test_truncation_everywhere(void **state)
{
    static const char *const names[] = {"iso87a", "iso87b", "cup", "cup"};
    static const char *const hexes[] = {TV_ISO87A, TV_ISO87B, TV_CUP, TV_CUP_REAL};
    size_t t, cut, i;

    (void)state;
    for (t = 0; t < 4; t++) {
        size_t len;
        const uint8_t *bytes = tu_hex(hexes[t], &len);
        static uint8_t copy[1024];
        struct iso8583_msg m;
        struct pos_errdetail det;

        for (cut = 0; cut < len; cut++) {
            uint8_t *exact = test_malloc(cut + 1);
            int rc;
            memcpy(exact, bytes, cut);
            rc = iso8583_decode(iso8583_dialect_find(names[t]), exact, cut, &m, &det);
            assert_true(rc < 0);
            test_free(exact);
        }
        memcpy(copy, bytes, len);
        for (i = 0; i < len; i++) {
            copy[i] ^= 0x5A;
            (void)iso8583_decode(iso8583_dialect_find(names[t]), copy, len, &m, NULL);
            copy[i] ^= 0x5A;
        }
    }
}

static void test_encode_errors(void **state)
{
    const struct iso8583_dialect *a = dia("iso87a"), *b = dia("iso87b"), *cup = dia("cup");
    struct iso8583_msg m;
    struct pos_errdetail det;
    uint8_t out[512];
    size_t n = 0, len, cap;
    const uint8_t *bytes;

    (void)state;
    /* setters */
    iso8583_msg_init(&m, a);
    assert_int_equal(iso8583_set_str(&m, 1, "x"), POS_ERR_INVAL);
    assert_int_equal(iso8583_set_str(&m, 129, "x"), POS_ERR_INVAL);
    assert_int_equal(iso8583_set_str(&m, 3, NULL), POS_ERR_INVAL);
    assert_int_equal(iso8583_set(&m, 3, NULL, 6), POS_ERR_INVAL);
    assert_int_equal(iso8583_set_str(&m, 3, "12345"), POS_ERR_ISO_FIELD_LENGTH);
    assert_int_equal(iso8583_set_str(&m, 2, "12345678901234567890"), POS_ERR_ISO_FIELD_LENGTH);
    assert_int_equal(iso8583_set_mti(&m, "02x0"), POS_ERR_ISO_MTI);
    assert_int_equal(iso8583_set_mti(&m, "020"), POS_ERR_ISO_MTI);
    assert_int_equal(iso8583_set_mti(&m, NULL), POS_ERR_ISO_MTI);
    assert_int_equal(iso8583_set_tpdu(&m, out, 5), POS_ERR_ISO_HEADER);
    iso8583_msg_init(&m, cup);
    assert_int_equal(iso8583_set_str(&m, 5, "000000000000"), POS_ERR_ISO_FIELD_UNDEFINED);
    assert_int_equal(iso8583_set_tpdu(&m, out, 4), POS_ERR_ISO_HEADER);
    assert_int_equal(iso8583_set_header(&m, NULL, 6), POS_ERR_ISO_HEADER);

    /* content checked on encode, the error names the field */
    iso8583_msg_init(&m, b);
    assert_int_equal(iso8583_set_str(&m, 3, "00A000"), POS_OK);
    pos_errdetail_init(&det);
    assert_int_equal(iso8583_encode(&m, out, sizeof(out), &n, &det), POS_ERR_DIGIT);
    assert_int_equal(det.field, 3);
    assert_int_equal(det.offset, 10);
    iso8583_msg_init(&m, a);
    assert_int_equal(iso8583_set_str(&m, 35, "4111=12x"), POS_OK);
    assert_int_equal(iso8583_encode(&m, out, sizeof(out), &n, &det), POS_ERR_DIGIT);
    assert_int_equal(det.field, 35);
    iso8583_msg_init(&m, a);
    assert_int_equal(iso8583_set_str(&m, 41, "TERM\t001"), POS_OK);
    assert_int_equal(iso8583_encode(&m, out, sizeof(out), &n, &det), POS_ERR_ISO_FIELD_CHARSET);
    assert_int_equal(det.field, 41);
    iso8583_msg_init(&m, b);
    assert_int_equal(iso8583_set_str(&m, 28, "X00000001"), POS_OK);
    assert_int_equal(iso8583_encode(&m, out, sizeof(out), &n, &det), POS_ERR_ISO_FIELD_CHARSET);
    assert_int_equal(det.field, 28);
    iso8583_msg_init(&m, cup);
    assert_int_equal(iso8583_set_str(&m, 35, "4111=12?"), POS_OK);
    assert_int_equal(iso8583_encode(&m, out, sizeof(out), &n, &det), POS_ERR_DIGIT);
    assert_int_equal(iso8583_set_str(&m, 35, "4111D12"), POS_OK); /* 'D' accepted as separator */
    assert_int_equal(iso8583_encode(&m, out, sizeof(out), &n, &det), POS_OK);
    memcpy(m.mti, "02A0", 5); /* a corrupted MTI is caught too */
    assert_int_equal(iso8583_encode(&m, out, sizeof(out), &n, &det), POS_ERR_ISO_MTI);
    assert_int_equal(iso8583_encode(NULL, out, sizeof(out), &n, &det), POS_ERR_INVAL);
    assert_int_equal(iso8583_decode(cup, NULL, 3, &m, &det), POS_ERR_INVAL);

    /* no space: every capacity short of the full message fails, none writes past cap */
    bytes = tu_hex(TV_CUP_REAL, &len);
    assert_int_equal(iso8583_decode(cup, bytes, len, &m, NULL), POS_OK);
    for (cap = 0; cap < len; cap++) {
        uint8_t *o = test_malloc(cap + 1);
        pos_errdetail_init(&det);
        assert_int_equal(iso8583_encode(&m, o, cap, &n, &det), POS_ERR_NOSPACE);
        assert_true(det.offset <= cap);
        test_free(o);
    }
    assert_int_equal(iso8583_encode(&m, out, len, &n, &det), POS_OK);
    assert_int_equal(n, len);
}

static void test_accessors(void **state)
{
    struct iso8583_msg m;
    size_t len, n = 0;
    const uint8_t *bytes = tu_hex(TV_ISO87A, &len);
    char txt[64];
    uint8_t raw[64];

    (void)state;
    assert_int_equal(iso8583_decode(dia("iso87a"), bytes, len, &m, NULL), POS_OK);
    assert_int_equal(iso8583_get_text(&m, 5, txt, sizeof(txt), &n), POS_ERR_NOT_FOUND);
    assert_int_equal(iso8583_get_value(&m, 5, raw, sizeof(raw), &n), POS_ERR_NOT_FOUND);
    assert_int_equal(iso8583_get_text(&m, 2, txt, 16, &n), POS_ERR_NOSPACE);
    assert_int_equal(iso8583_get_text(&m, 2, txt, 17, &n), POS_OK);
    assert_int_equal(iso8583_get_text(&m, 52, txt, 16, &n), POS_ERR_NOSPACE);
    assert_int_equal(iso8583_get_text(&m, 52, txt, 17, &n), POS_OK);
    assert_int_equal(iso8583_get_value(&m, 52, raw, 7, &n), POS_ERR_NOSPACE);
    assert_int_equal(iso8583_get_value(&m, 52, raw, 8, &n), POS_OK);
    assert_buf_equal(raw, n, tu_hex("0123456789ABCDEF", &len), 8);
    assert_int_equal(iso8583_field_len(&m, 35), 33);
    assert_int_equal(iso8583_field_len(&m, 36), 0);
    assert_false(iso8583_has(&m, 1));
    assert_false(iso8583_has(&m, 0));
    assert_int_equal(iso8583_next(&m, 0), 2);
    assert_int_equal(iso8583_next(&m, 64), 0);
    assert_int_equal(iso8583_next(&m, 128), 0);
    iso8583_unset(&m, 2);
    iso8583_unset(&m, 200);
    assert_int_equal(iso8583_next(&m, 1), 3);
    assert_null(iso8583_dialect_find("nope"));
    assert_null(iso8583_dialect_find(NULL));
    assert_non_null(iso8583_dialect_at(2));
    assert_null(iso8583_dialect_at(3));
}

static void test_dialect_check(void **state)
{
    struct iso8583_dialect d;
    struct pos_errdetail det;
    size_t i;

    (void)state;
    for (i = 0; iso8583_dialect_at(i) != NULL; i++) {
        assert_int_equal(iso8583_dialect_check(iso8583_dialect_at(i), &det), POS_OK);
        assert_true(iso8583_dialect_is_same_wire(iso8583_dialect_at(i), iso8583_dialect_at(i)));
    }
    assert_false(iso8583_dialect_is_same_wire(dia("iso87a"), dia("iso87b")));
    assert_int_equal(iso8583_dialect_check(NULL, &det), POS_ERR_INVAL);

#define BAD(mutate, fld)                                                                           \
    do {                                                                                           \
        d = *dia("iso87b");                                                                        \
        mutate;                                                                                    \
        pos_errdetail_init(&det);                                                                  \
        assert_int_equal(iso8583_dialect_check(&d, &det), POS_ERR_DIALECT);                        \
        assert_int_equal(det.field, fld);                                                          \
    } while (0)
    BAD(d.f[3].data_enc = ISO8583_ENC_HEX, 3);
    BAD(d.f[41].data_enc = ISO8583_ENC_BCD, 41);
    BAD(d.f[52].data_enc = ISO8583_ENC_ASCII, 52);
    BAD(d.f[2].var = 5, 2);
    BAD(d.f[2].prefix_enc = ISO8583_ENC_HEX, 2);
    BAD(d.f[2].max = 100, 2);
    BAD(d.f[3].max = 0, 3);
    BAD(d.f[60].max = 1000, 60);
    BAD((d.f[60].var = 4, d.f[60].max = 10000), 60);
    BAD((d.f[2].prefix_enc = ISO8583_ENC_BINARY, d.f[2].var = 2, d.f[2].max = 99, d.f[3].type = 9),
        3);
    BAD(d.f[28].max = 1, 28);
    BAD(d.f[3].fill = 5, 3);
    BAD(d.f[3].pad_left = 2, 3);
    BAD(d.f[3].log = 7, 3);
    BAD(d.mti_enc = ISO8583_ENC_HEX, -1);
    BAD(d.bitmap_enc = ISO8583_ENC_BCD, 1);
    BAD(d.tpdu_len = 33, -1);
    BAD(d.name[0] = '\0', -1);
    BAD(memset(d.name, 'x', sizeof(d.name)), -1);
    BAD(d.f[1].type = ISO8583_T_B, 1);
#undef BAD
}

static void test_format_log_masks(void **state)
{
    static const char *const names[] = {"iso87a", "iso87b", "cup"};
    static const char *const hexes[] = {TV_ISO87A, TV_ISO87B, TV_CUP};
    char line[1024];
    size_t t;

    (void)state;
    for (t = 0; t < 3; t++) {
        struct iso8583_msg m;
        size_t len;
        const uint8_t *bytes = tu_hex(hexes[t], &len);

        assert_int_equal(iso8583_decode(dia(names[t]), bytes, len, &m, NULL), POS_OK);
        assert_int_equal(iso8583_format_log(&m, line, sizeof(line)), POS_OK);
        /* the secrets never appear */
        assert_null(strstr(line, "4111111111111111"));
        assert_null(strstr(line, "2812101123456789"));
        assert_null(strstr(line, "0123456789ABCDEF"));
        assert_null(strstr(line, "A1B2C3D4E5F60718"));
        assert_null(strstr(line, "9F0206"));
        /* the masked PAN and the lengths do */
        assert_non_null(strstr(line, " 2=411111******1111 "));
        assert_non_null(strstr(line, " 35=[33] "));
        assert_non_null(strstr(line, " 52=[8] "));
        assert_non_null(strstr(line, " 64=[8]"));
        assert_non_null(strstr(line, " 41=TERM0001 "));
        assert_true(strncmp(line, "0200 2=", 7) == 0);
    }
    /* a line cut short says so and stays terminated */
    {
        struct iso8583_msg m;
        size_t len;
        const uint8_t *bytes = tu_hex(TV_CUP, &len);

        assert_int_equal(iso8583_decode(dia("cup"), bytes, len, &m, NULL), POS_OK);
        assert_int_equal(iso8583_format_log(&m, line, 40), POS_ERR_NOSPACE);
        assert_true(strlen(line) < 40);
        assert_non_null(strstr(line, "..."));
        assert_null(strstr(line, "4111111111111111"));
        assert_int_equal(iso8583_format_log(&m, line, 3), POS_ERR_NOSPACE);
        assert_string_equal(line, "");
        assert_int_equal(iso8583_format_log(&m, line, 0), POS_ERR_NOSPACE);
    }
}

/* A PAN of an odd shape is masked in full, never shown. */
static void test_format_log_odd_pan(void **state)
{
    struct iso8583_msg m;
    char line[256];

    (void)state;
    iso8583_msg_init(&m, dia("iso87a"));
    assert_int_equal(iso8583_set_mti(&m, "0100"), POS_OK);
    assert_int_equal(iso8583_set_str(&m, 2, "12345678"), POS_OK);
    assert_int_equal(iso8583_set_str(&m, 45, "B4111111111111111^DOE/J^2812"), POS_OK);
    assert_int_equal(iso8583_format_log(&m, line, sizeof(line)), POS_OK);
    assert_string_equal(line, "0100 2=******** 45=[28]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso87a_vector),        cmocka_unit_test(test_iso87b_vector),
        cmocka_unit_test(test_cup_vector),           cmocka_unit_test(test_cup_real_message),
        cmocka_unit_test(test_every_type_roundtrip), cmocka_unit_test(test_every_type_errors),
        cmocka_unit_test(test_bcd_padding),          cmocka_unit_test(test_secondary_bitmap),
        cmocka_unit_test(test_copy_for_reply),       cmocka_unit_test(test_mac_span),
        cmocka_unit_test(test_decode_errors),        cmocka_unit_test(test_truncation_everywhere),
        cmocka_unit_test(test_encode_errors),        cmocka_unit_test(test_accessors),
        cmocka_unit_test(test_dialect_check),        cmocka_unit_test(test_format_log_masks),
        cmocka_unit_test(test_format_log_odd_pan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
