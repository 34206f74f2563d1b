/* Tests of src/term/barcode.c: GS1 check digits and embedded labels. */
#include "testutil.h"

#include <string.h>

#include "error.h"
#include "term/barcode.h"

/* Published examples:
 *  - GS1 General Specifications §7.9.1 (and the GS1 check digit calculator):
 *    data 629104150021 -> check digit 3 (GTIN-13 6291041500213);
 *  - EAN-13 4006381333931 and EAN-8 73513537: the worked examples of the
 *    Wikipedia articles "International Article Number" and "EAN-8";
 *  - UPC-A 036000291452: the worked example of Wikipedia "Universal Product
 *    Code";
 *  - ISBN-13 978-0-306-40615-7: the example of Wikipedia "ISBN" (an EAN-13);
 *  - GTIN-14 10614141000415: GS1 US "GTIN-14" example (indicator 1 on
 *    0614141000418... as printed in GS1 guidelines). */
static const struct {
    const char *code;
} good[] = {
    {"6291041500213"}, {"4006381333931"}, {"73513537"},
    {"036000291452"},  {"9780306406157"}, {"10614141000415"},
};

static void test_check_digit_published(void **state)
{
    size_t i;
    char k;

    (void)state;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        size_t n = strlen(good[i].code);
        assert_int_equal(barcode_check_digit(good[i].code, n - 1, &k), POS_OK);
        assert_int_equal(k, good[i].code[n - 1]);
        assert_int_equal(barcode_validate(good[i].code, n), POS_OK);
        assert_true(barcode_is_gtin(good[i].code, n));
    }
}

static void test_check_digit_errors(void **state)
{
    char k = 'x';

    (void)state;
    assert_int_equal(barcode_check_digit("", 0, &k), POS_ERR_LENGTH);
    assert_int_equal(barcode_check_digit("123456789012345678", 18, &k), POS_ERR_LENGTH);
    assert_int_equal(barcode_check_digit("12a4", 4, &k), POS_ERR_DIGIT);
    assert_int_equal(k, 'x');
    assert_int_equal(barcode_validate("4006381333932", 13), POS_ERR_CHECK_DIGIT);
    assert_int_equal(barcode_validate("73513538", 8), POS_ERR_CHECK_DIGIT);
    assert_int_equal(barcode_validate("036000291453", 12), POS_ERR_CHECK_DIGIT);
    assert_int_equal(barcode_validate("12345", 5), POS_ERR_LENGTH);
    assert_int_equal(barcode_validate("40063813339X1", 13), POS_ERR_DIGIT);
    assert_int_equal(barcode_validate("400638133393X", 13), POS_ERR_DIGIT);
    assert_false(barcode_is_gtin("ABC12345", 8));
    assert_false(barcode_is_gtin("1234567", 7));
}

static void test_embedded_roundtrip(void **state)
{
    struct barcode_embedded e = {BARCODE_EMBEDDED_WEIGHT, 123, 512}, got;
    char out[BARCODE_EAN13_LEN + 1];

    (void)state;
    assert_int_equal(barcode_embedded_encode(&e, out), POS_OK);
    assert_string_equal(out, "2100123005123");
    assert_int_equal(barcode_validate(out, 13), POS_OK);
    assert_true(barcode_is_embedded(out, 13));
    assert_int_equal(barcode_embedded_decode(out, 13, &got), POS_OK);
    assert_int_equal(got.kind, BARCODE_EMBEDDED_WEIGHT);
    assert_int_equal(got.item_code, 123);
    assert_int_equal(got.value, 512);

    e.kind = BARCODE_EMBEDDED_PRICE;
    e.item_code = 99999;
    e.value = 99999;
    assert_int_equal(barcode_embedded_encode(&e, out), POS_OK);
    assert_memory_equal(out, "229999999999", 12);
    assert_int_equal(barcode_embedded_decode(out, 13, &got), POS_OK);
    assert_int_equal(got.kind, BARCODE_EMBEDDED_PRICE);
    assert_int_equal(got.item_code, 99999);
    assert_int_equal(got.value, 99999);
}

static void test_embedded_errors(void **state)
{
    struct barcode_embedded e = {BARCODE_EMBEDDED_WEIGHT, 1, 0}, got = {0, 7, 7};
    char out[BARCODE_EAN13_LEN + 1];

    (void)state;
    /* not embedded: another prefix, length, letters */
    assert_int_equal(barcode_embedded_decode("2000123005121", 13, &got), POS_ERR_UNSUPPORTED);
    assert_int_equal(barcode_embedded_decode("4006381333931", 13, &got), POS_ERR_UNSUPPORTED);
    assert_int_equal(barcode_embedded_decode("210012300512", 12, &got), POS_ERR_UNSUPPORTED);
    assert_int_equal(barcode_embedded_decode("21001230051X8", 13, &got), POS_ERR_UNSUPPORTED);
    /* wrong check digit, item code zero */
    assert_int_equal(barcode_embedded_decode("2100123005129", 13, &got), POS_ERR_CHECK_DIGIT);
    e.item_code = 1;
    assert_int_equal(barcode_embedded_encode(&e, out), POS_OK);
    out[6] = '0'; /* item code 00000 */
    assert_int_equal(barcode_check_digit(out, 12, &out[12]), POS_OK);
    assert_int_equal(barcode_embedded_decode(out, 13, &got), POS_ERR_RANGE);
    assert_int_equal(got.item_code, 7); /* untouched */
    /* encoder bounds */
    e.item_code = 0;
    assert_int_equal(barcode_embedded_encode(&e, out), POS_ERR_RANGE);
    e.item_code = 100000;
    assert_int_equal(barcode_embedded_encode(&e, out), POS_ERR_RANGE);
    e.item_code = 1;
    e.value = 100000;
    assert_int_equal(barcode_embedded_encode(&e, out), POS_ERR_RANGE);
    e.value = 1;
    e.kind = (enum barcode_embedded_kind)9;
    assert_int_equal(barcode_embedded_encode(&e, out), POS_ERR_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_digit_published),
        cmocka_unit_test(test_check_digit_errors),
        cmocka_unit_test(test_embedded_roundtrip),
        cmocka_unit_test(test_embedded_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
