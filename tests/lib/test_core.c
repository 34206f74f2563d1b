/* Tests for src/lib/error.c, src/lib/hex.c and src/lib/mem.c. */
#include "testutil.h"

#include <string.h>

#include "error.h"
#include "hex.h"
#include "mem.h"

static void test_error_values(void **state)
{
    char buf[256];
    struct pos_errdetail d;

    (void)state;
    assert_int_equal(POS_OK, 0);
    assert_int_equal(POS_ERR_NOMEM, -1);
    assert_true(POS_ERR_AUTH < POS_ERR_NOMEM);
    assert_string_equal(pos_strerror(POS_OK), "success");
    assert_string_equal(pos_strerror(POS_ERR_BCD), "invalid BCD nibble");
    assert_string_equal(pos_strerror(1), "unknown error");
    assert_string_equal(pos_strerror(-100000), "unknown error");
    assert_string_equal(pos_errname(POS_ERR_HEX), "POS_ERR_HEX");
    assert_string_equal(pos_errname(7), "POS_ERR_UNKNOWN");

    pos_errdetail_init(&d);
    assert_int_equal(pos_errdetail_set(&d, POS_ERR_BCD, 35, 17, "nibble %X", 0xE), POS_ERR_BCD);
    pos_errdetail_format(POS_ERR_BCD, &d, buf, sizeof(buf));
    assert_string_equal(buf, "invalid BCD nibble (field 35) at offset 17: nibble E");
    pos_errdetail_init(&d);
    pos_errdetail_format(POS_ERR_TRUNCATED, &d, buf, sizeof(buf));
    assert_string_equal(buf, "input truncated");
    pos_errdetail_format(POS_ERR_TRUNCATED, NULL, buf, 6);
    assert_string_equal(buf, "input");
    assert_int_equal(pos_errdetail_set(NULL, POS_ERR_HEX, 1, 2, "x"), POS_ERR_HEX);
}

static void test_hex(void **state)
{
    uint8_t out[8];
    char txt[17];
    size_t n = 0;

    (void)state;
    assert_int_equal(pos_hex_decode("00aBcD", 6, out, sizeof(out), &n), POS_OK);
    assert_int_equal(n, 3);
    assert_int_equal(pos_hex_encode(out, n, txt, sizeof(txt)), POS_OK);
    assert_string_equal(txt, "00ABCD");
    assert_int_equal(pos_hex_decode("0", 1, out, sizeof(out), &n), POS_ERR_HEX);
    assert_int_equal(pos_hex_decode("0G", 2, out, sizeof(out), &n), POS_ERR_HEX);
    assert_int_equal(pos_hex_decode("000000000000000000", 18, out, sizeof(out), &n),
                     POS_ERR_NOSPACE);
    assert_int_equal(pos_hex_encode(out, 8, txt, 16), POS_ERR_NOSPACE);
    assert_int_equal(pos_hex_encode(out, 0, txt, 1), POS_OK);
    assert_string_equal(txt, "");
    assert_int_equal(pos_hex_encode(out, 0, txt, 0), POS_ERR_NOSPACE);
}

static void test_digits(void **state)
{
    uint64_t v = 0;

    (void)state;
    assert_true(pos_is_digits("0123456789", 10));
    assert_true(pos_is_digits("", 0));
    assert_false(pos_is_digits("12a", 3));
    assert_int_equal(pos_parse_digits_u64("000123", 6, &v), POS_OK);
    assert_int_equal(v, 123);
    assert_int_equal(pos_parse_digits_u64("999999999999999999", 18, &v), POS_OK);
    assert_true(v == 999999999999999999ULL);
    assert_int_equal(pos_parse_digits_u64("1234567890123456789", 19, &v), POS_ERR_LENGTH);
    assert_int_equal(pos_parse_digits_u64("", 0, &v), POS_ERR_LENGTH);
    assert_int_equal(pos_parse_digits_u64("1-2", 3, &v), POS_ERR_DIGIT);
}

static void test_mem(void **state)
{
    uint8_t a[4] = {1, 2, 3, 4}, b[4] = {1, 2, 3, 4};
    void *p;

    (void)state;
    assert_true(pos_mem_eq_ct(a, b, 4));
    b[3] = 5;
    assert_false(pos_mem_eq_ct(a, b, 4));
    pos_wipe(a, sizeof(a));
    assert_int_equal(a[0] | a[1] | a[2] | a[3], 0);
    /* FNV-1a 64-bit published values: "" and "a", "foobar" */
    assert_true(pos_hash64("", 0) == UINT64_C(0xcbf29ce484222325));
    assert_true(pos_hash64("a", 1) == UINT64_C(0xaf63dc4c8601ec8c));
    assert_true(pos_hash64("foobar", 6) == UINT64_C(0x85944171f73967e8));
    pos_free(NULL);
    pos_free_secret(NULL, 10);

    tu_alloc_fail_after(1);
    p = pos_malloc(8);
    assert_non_null(p);
    assert_null(pos_malloc(8));
    assert_null(pos_calloc(2, 8));
    assert_int_equal(tu_alloc_count(), 3);
    pos_free(p);
    tu_alloc_reset();
    assert_null(pos_calloc(SIZE_MAX / 2, 4));
    p = pos_calloc(4, 4);
    assert_non_null(p);
    pos_free_secret(p, 16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_values),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_digits),
        cmocka_unit_test(test_mem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
