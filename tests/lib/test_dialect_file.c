/* Tests for src/lib/dialect_file.c: the shipped dialect files reproduce the
 * built-ins, format/parse round trips, every error names its line. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "dialect_file.h"
#include "error.h"
#include "iso8583.h"
#include "mem.h"
#include "test_iso8583_vectors.h"

static void assert_same_dialect(const struct iso8583_dialect *a, const struct iso8583_dialect *b)
{
    int k;

    assert_string_equal(a->name, b->name);
    assert_true(iso8583_dialect_is_same_wire(a, b));
    for (k = 2; k <= ISO8583_MAX_FIELD; k++)
        if (a->f[k].type != ISO8583_T_NONE && a->f[k].log != b->f[k].log)
            fail_msg("field %d: log %d vs %d", k, a->f[k].log, b->f[k].log);
    assert_memory_equal(a->tpdu, b->tpdu, a->tpdu_len);
    assert_memory_equal(a->header, b->header, a->header_len);
}

/* decodes and re-encodes hex with both dialects: same fields, same bytes */
static void assert_same_behaviour(const struct iso8583_dialect *a, const struct iso8583_dialect *b,
                                  const char *hex)
{
    struct iso8583_msg ma, mb;
    uint8_t oa[1024], ob[1024];
    size_t len, na = 0, nb = 0;
    const uint8_t *bytes = tu_hex(hex, &len);
    char ta[1024], tb[1024];
    int k;

    assert_int_equal(iso8583_decode(a, bytes, len, &ma, NULL), POS_OK);
    assert_int_equal(iso8583_decode(b, bytes, len, &mb, NULL), POS_OK);
    for (k = iso8583_next(&ma, 1); k != 0; k = iso8583_next(&ma, k)) {
        assert_true(iso8583_has(&mb, k));
        assert_int_equal(iso8583_get_text(&ma, k, ta, sizeof(ta), NULL), POS_OK);
        assert_int_equal(iso8583_get_text(&mb, k, tb, sizeof(tb), NULL), POS_OK);
        assert_string_equal(ta, tb);
    }
    assert_int_equal(iso8583_encode(&ma, oa, sizeof(oa), &na, NULL), POS_OK);
    assert_int_equal(iso8583_encode(&mb, ob, sizeof(ob), &nb, NULL), POS_OK);
    assert_buf_equal(oa, na, ob, nb);
    assert_int_equal(iso8583_format_log(&ma, ta, sizeof(ta)), POS_OK);
    assert_int_equal(iso8583_format_log(&mb, tb, sizeof(tb)), POS_OK);
    assert_string_equal(ta, tb);
}

static void test_shipped_files(void **state)
{
    static const char *const names[] = {"iso87a", "iso87b", "cup"};
    static const char *const hexes[] = {TV_ISO87A, TV_ISO87B, TV_CUP};
    size_t i;

    (void)state;
    for (i = 0; i < 3; i++) {
        char rel[64];
        struct iso8583_dialect *d = NULL;
        struct pos_errdetail det;

        snprintf(rel, sizeof(rel), "dialects/%s.dialect", names[i]);
        pos_errdetail_init(&det);
        if (dialect_file_load(tu_source_path(rel), &d, &det) != POS_OK)
            fail_msg("%s: %s", rel, det.what);
        assert_same_dialect(d, iso8583_dialect_find(names[i]));
        assert_same_behaviour(d, iso8583_dialect_find(names[i]), hexes[i]);
        if (i == 2)
            assert_same_behaviour(d, iso8583_dialect_find(names[i]), TV_CUP_REAL);
        dialect_file_free(d);
    }
    dialect_file_free(NULL);
}

static void test_format_roundtrip(void **state)
{
    static char text[32768];
    size_t i, n = 0;

    (void)state;
    for (i = 0; iso8583_dialect_at(i) != NULL; i++) {
        const struct iso8583_dialect *b = iso8583_dialect_at(i);
        struct iso8583_dialect *d = NULL;

        assert_int_equal(dialect_file_format(b, text, sizeof(text), &n), POS_OK);
        assert_int_equal(strlen(text), n);
        assert_int_equal(dialect_file_parse(text, n, &d, NULL), POS_OK);
        assert_same_dialect(d, b);
        dialect_file_free(d);
        assert_int_equal(dialect_file_format(b, text, 100, &n), POS_ERR_NOSPACE);
        assert_string_equal(text, "");
    }
    assert_int_equal(dialect_file_format(iso8583_dialect_at(0), text, 0, &n), POS_ERR_NOSPACE);
}

static void test_minimal_and_comments(void **state)
{
    static const char txt[] =
        "# a comment line\n"
        "\n"
        "dialect tiny   # trailing comment\r\n"
        "mti ebcdic\n"
        "bitmap hex\n"
        "tpdu 2\n"
        "header 1 7F\n"
        "\tfield 3 n fixed 6 data=ebcdic\n"
        "field 2 n LLLL 1000 data=bcd prefix=binary pad=right fill=F log=clear\n"
        "field 64 b fixed 8";
    struct iso8583_dialect *d = NULL;
    struct pos_errdetail det;

    (void)state;
    pos_errdetail_init(&det);
    assert_int_equal(dialect_file_parse(txt, sizeof(txt) - 1, &d, &det), POS_OK);
    assert_string_equal(d->name, "tiny");
    assert_int_equal(d->mti_enc, ISO8583_ENC_EBCDIC);
    assert_int_equal(d->bitmap_enc, ISO8583_ENC_HEX);
    assert_int_equal(d->tpdu_len, 2);
    assert_int_equal(d->tpdu[0], 0);
    assert_int_equal(d->header_len, 1);
    assert_int_equal(d->header[0], 0x7F);
    assert_int_equal(d->f[3].data_enc, ISO8583_ENC_EBCDIC);
    assert_int_equal(d->f[2].var, 4);
    assert_int_equal(d->f[2].max, 1000);
    assert_int_equal(d->f[2].prefix_enc, ISO8583_ENC_BINARY);
    assert_int_equal(d->f[2].pad_left, 0);
    assert_int_equal(d->f[2].fill, 0xF);
    assert_int_equal(d->f[2].log, ISO8583_LOG_CLEAR);
    assert_int_equal(d->f[64].data_enc, ISO8583_ENC_BINARY);
    assert_int_equal(d->f[64].log, ISO8583_LOG_HIDE); /* by default */
    assert_int_equal(d->f[4].type, ISO8583_T_NONE);
    dialect_file_free(d);
}

struct bad {
    const char *text;
    int code;
    int field;
    const char *what; /* expected start of det.what */
};

#define HEAD "dialect x\nmti ascii\nbitmap binary\n"

static const struct bad bads[] = {
    {"dialect x\nmti ascii\nbitmap binary\nbogus 1\n", POS_ERR_SYNTAX, -1,
     "line 4: unknown keyword"},
    {HEAD "field 1 n fixed 3\n", POS_ERR_SYNTAX, -1, "line 4: field number must be 2..128"},
    {HEAD "field 129 n fixed 3\n", POS_ERR_SYNTAX, -1, "line 4: field number"},
    {HEAD "field x n fixed 3\n", POS_ERR_SYNTAX, -1, "line 4: field number"},
    {HEAD "field 3 n fixed\n", POS_ERR_SYNTAX, -1, "line 4: expected: field NUM"},
    {HEAD "field 3 q fixed 3\n", POS_ERR_SYNTAX, 3, "line 4: unknown type"},
    {HEAD "field 3 n LLLLL 3\n", POS_ERR_SYNTAX, 3, "line 4: length must be"},
    {HEAD "field 3 n fixed 12345\n", POS_ERR_SYNTAX, 3, "line 4: bad maximum"},
    {HEAD "field 3 n fixed -1\n", POS_ERR_SYNTAX, 3, "line 4: bad maximum"},
    {HEAD "field 3 n fixed 3 data\n", POS_ERR_SYNTAX, 3, "line 4: expected key=value"},
    {HEAD "field 3 n fixed 3 colour=red\n", POS_ERR_SYNTAX, 3, "line 4: unknown key 'colour'"},
    {HEAD "field 3 n fixed 3 data=utf8\n", POS_ERR_SYNTAX, 3, "line 4: bad value 'data=utf8'"},
    {HEAD "field 3 n fixed 3 pad=middle\n", POS_ERR_SYNTAX, 3, "line 4: bad value"},
    {HEAD "field 3 n fixed 3 fill=7\n", POS_ERR_SYNTAX, 3, "line 4: bad value"},
    {HEAD "field 3 n fixed 3 log=maybe\n", POS_ERR_SYNTAX, 3, "line 4: bad value"},
    {HEAD "field 3 n fixed 3\nfield 3 n fixed 3\n", POS_ERR_DIALECT, 3,
     "line 5: field defined twice"},
    {HEAD "\n\nfield 52 b fixed 8 data=bcd\n", POS_ERR_DIALECT, 52, "line 6: data encoding"},
    {HEAD "field 2 n LL 100\n", POS_ERR_DIALECT, 2, "line 4: length 100 not in 1..99"},
    {HEAD "field 2 n LL 0\n", POS_ERR_DIALECT, 2, "line 4: length 0"},
    {HEAD "field 2 n LL 19 prefix=hex\n", POS_ERR_DIALECT, 2, "line 4: prefix encoding"},
    {HEAD "field 41 ans fixed 8 data=bcd\n", POS_ERR_DIALECT, 41, "line 4: data encoding"},
    {"dialect x\ndialect y\n", POS_ERR_SYNTAX, -1, "line 2: defined twice"},
    {"dialect x y\n", POS_ERR_SYNTAX, -1, "line 1: expected: dialect NAME"},
    {"dialect a/b\n", POS_ERR_SYNTAX, -1, "line 1: name may hold"},
    {"dialect 0123456789012345678901234567890123\n", POS_ERR_SYNTAX, -1, "line 1: expected"},
    {"dialect x\nmti hex\n", POS_ERR_SYNTAX, -1, "line 2: expected one of ascii ebcdic bcd 'hex'"},
    {"dialect x\nmti\n", POS_ERR_SYNTAX, -1, "line 2: expected one of ascii"},
    {"dialect x\nmti binary\nbitmap hex\n", POS_ERR_SYNTAX, -1, "line 2: expected one of"},
    {"dialect x\nmti ascii\nbitmap bcd\n", POS_ERR_SYNTAX, -1,
     "line 3: expected one of binary hex"},
    {"dialect x\nmti ascii\nmti ascii\n", POS_ERR_SYNTAX, -1, "line 3: defined twice"},
    {HEAD "tpdu 33\n", POS_ERR_SYNTAX, -1, "line 4: length must be 0..32"},
    {HEAD "tpdu 2 ABCDEF\n", POS_ERR_SYNTAX, -1, "line 4: default must be"},
    {HEAD "header 1 ZZ\n", POS_ERR_SYNTAX, -1, "line 4: default must be"},
    {HEAD "header\n", POS_ERR_SYNTAX, -1, "line 4: expected: LENGTH"},
    {HEAD "tpdu 1 00\ntpdu 1 00\n", POS_ERR_SYNTAX, -1, "line 5: defined twice"},
    {HEAD "header 1 00\nheader 1 00\n", POS_ERR_SYNTAX, -1, "line 5: defined twice"},
    {HEAD "field 2 n LL 19 a=1 a=1 a=1 a=1 a=1 a=1 a=1 a=1\n", POS_ERR_SYNTAX, -1,
     "line 4: too many words"},
    {"mti ascii\nbitmap binary\n", POS_ERR_DIALECT, -1, "missing 'dialect' line"},
    {"dialect x\nbitmap binary\n", POS_ERR_DIALECT, -1, "missing 'mti' line"},
    {"dialect x\nmti bcd\n", POS_ERR_DIALECT, -1, "missing 'bitmap' line"},
    {"", POS_ERR_DIALECT, -1, "missing 'dialect' line"},
};

static void test_errors_name_the_line(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
        struct iso8583_dialect *d = (struct iso8583_dialect *)&d;
        struct pos_errdetail det;
        int rc;

        pos_errdetail_init(&det);
        rc = dialect_file_parse(bads[i].text, strlen(bads[i].text), &d, &det);
        if (rc != bads[i].code || det.field != bads[i].field ||
            strncmp(det.what, bads[i].what, strlen(bads[i].what)) != 0)
            fail_msg("case %zu: got %s field %d '%s', want %s field %d '%s'", i, pos_errname(rc),
                     det.field, det.what, pos_errname(bads[i].code), bads[i].field, bads[i].what);
        assert_null(d);
    }
}

static void test_limits_and_io(void **state)
{
    static char big[DIALECT_FILE_MAX + 2];
    struct iso8583_dialect *d = NULL;
    struct pos_errdetail det;
    static const char nul[] = "dialect x\nmti ascii\0\n";

    (void)state;
    memset(big, '#', sizeof(big));
    assert_int_equal(dialect_file_parse(big, DIALECT_FILE_MAX + 1, &d, &det), POS_ERR_LENGTH);
    big[DIALECT_FILE_LINE_MAX + 1] = '\n';
    assert_int_equal(dialect_file_parse(big, DIALECT_FILE_LINE_MAX + 2, &d, &det), POS_ERR_LENGTH);
    assert_string_equal(det.what, "line 1: line too long");
    assert_int_equal(dialect_file_parse(nul, sizeof(nul) - 1, &d, &det), POS_ERR_SYNTAX);
    assert_string_equal(det.what, "line 2: NUL byte in line");
    assert_int_equal(dialect_file_parse(NULL, 3, &d, &det), POS_ERR_INVAL);
    assert_int_equal(dialect_file_parse("x", 1, NULL, &det), POS_ERR_INVAL);
    assert_int_equal(dialect_file_load("/nonexistent/x.dialect", &d, &det), POS_ERR_IO);
    assert_non_null(strstr(det.what, "cannot open"));
    assert_null(d);
    assert_int_equal(dialect_file_load(NULL, &d, &det), POS_ERR_INVAL);
    /* a directory opens but cannot be read */
    assert_int_equal(dialect_file_load(tu_source_path("dialects"), &d, &det), POS_ERR_IO);
}

/* Allocation failure: a clean POS_ERR_NOMEM and no leak (cmocka and ASan check). */
static void test_alloc_failure(void **state)
{
    struct iso8583_dialect *d = NULL;
    struct pos_errdetail det;
    long n;
    static const char txt[] = HEAD "field 2 n LL 19\n";

    (void)state;
    tu_alloc_fail_after(0);
    assert_int_equal(dialect_file_parse(txt, sizeof(txt) - 1, &d, &det), POS_ERR_NOMEM);
    assert_null(d);
    for (n = 0; n < 2; n++) {
        tu_alloc_fail_after(n);
        assert_int_equal(dialect_file_load(tu_source_path("dialects/cup.dialect"), &d, &det),
                         POS_ERR_NOMEM);
        assert_null(d);
    }
    tu_alloc_reset();
    assert_int_equal(dialect_file_load(tu_source_path("dialects/cup.dialect"), &d, &det), POS_OK);
    dialect_file_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_files),        cmocka_unit_test(test_format_roundtrip),
        cmocka_unit_test(test_minimal_and_comments), cmocka_unit_test(test_errors_name_the_line),
        cmocka_unit_test(test_limits_and_io),        cmocka_unit_test(test_alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
