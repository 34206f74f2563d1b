/* Tests for src/lib/crc16.c: CRC-16/CCITT-FALSE. */
#include "testutil.h"

#include <string.h>

#include "crc16.h"

/* Bit-at-a-time reference (the textbook MSB-first shift register), to
 * cross-check the nibble-table implementation on many inputs. */
static uint16_t ref_crc(const uint8_t *p, size_t n)
{
    uint16_t crc = 0xFFFF;
    size_t i;
    int b;

    for (i = 0; i < n; i++) {
        crc ^= (uint16_t)(p[i] << 8);
        for (b = 0; b < 8; b++)
            crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    }
    return crc;
}

static void test_check_values(void **state)
{
    (void)state;
    /* reveng "Catalogue of parametrised CRC algorithms", CRC-16/IBM-3740
     * (alias CRC-16/CCITT-FALSE): check = 0x29B1 for "123456789" */
    assert_int_equal(crc16_ccitt_false((const uint8_t *)"123456789", 9), 0x29B1);
    /* no data: the initial value, no final XOR */
    assert_int_equal(crc16_ccitt_false(NULL, 0), 0xFFFF);
    /* Joe Geluso, "CRC-CCITT -- 16-bit" (sunshine2k / lammertbies tables),
     * initial value 0xFFFF: "A" -> 0xB915 */
    assert_int_equal(crc16_ccitt_false((const uint8_t *)"A", 1), 0xB915);
}

static void test_emvco_example(void **state)
{
    /* EMV QRCPS-MPM, Appendix A example payload: its ID 63 reads "A13A"
     * and covers every byte (UTF-8) up to and including "6304" */
    static const char p[] =
        "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678"
        "520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104\xE6\x9C\x80\xE4\xBD\xB3"
        "\xE8\xBF\x90\xE8\xBE\x93"
        "0202\xE5\x8C\x97\xE4\xBA\xAC"
        "540523.7253031565502016233030412340603***0708A60086670902ME9132001"
        "6A0112233449988770708123456786304";

    (void)state;
    assert_int_equal(crc16_ccitt_false((const uint8_t *)p, strlen(p)), 0xA13A);
}

static void test_incremental_and_reference(void **state)
{
    uint8_t buf[300];
    size_t n, cut;
    uint16_t crc;

    (void)state;
    for (n = 0; n < sizeof(buf); n++)
        buf[n] = (uint8_t)(n * 37 + 11);
    for (n = 0; n <= sizeof(buf); n += 7) {
        assert_int_equal(crc16_ccitt_false(buf, n), ref_crc(buf, n));
        cut = n / 3;
        crc = crc16_ccitt_false_update(CRC16_CCITT_FALSE_INIT, buf, cut);
        crc = crc16_ccitt_false_update(crc, buf + cut, n - cut);
        assert_int_equal(crc, crc16_ccitt_false(buf, n));
    }
    /* every single byte value */
    for (n = 0; n < 256; n++) {
        uint8_t b = (uint8_t)n;
        assert_int_equal(crc16_ccitt_false(&b, 1), ref_crc(&b, 1));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_values),
        cmocka_unit_test(test_emvco_example),
        cmocka_unit_test(test_incremental_and_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
