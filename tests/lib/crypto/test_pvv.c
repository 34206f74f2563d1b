/* Tests for src/lib/crypto/pvv.c (Visa PVV, IBM 3624 offset). */
#include "testutil.h"

#include <string.h>

#include "crypto/pvv.h"
#include "error.h"

#define PVK "0123456789ABCDEFFEDCBA9876543210"

static int setup(void **state)
{
    static struct pvv_key k;
    size_t n;
    const uint8_t *pvk = tu_hex(PVK, &n);

    if (pvv_key_init(&k, pvk, n) != POS_OK)
        return -1;
    *state = &k;
    return 0;
}

static int teardown(void **state)
{
    pvv_key_clear(*state);
    return 0;
}

struct visa_case {
    unsigned pvki;
    const char *pin;
    const char *pan;
    const char *pvv;
};

/* Visa PVV under PVK pair 0123456789ABCDEF / FEDCBA9876543210. No Visa
 * document with worked numbers is public; these are the published test
 * values of the psec project (tests/test_pin.py, test_generate_visa_pvv),
 * an independent implementation. */
static const struct visa_case visa_cases[] = {
    {1, "4524", "1122334455667788", "8523"},
    {2, "1912", "1122334455667788", "3244"},
    {1, "0570", "1122334455667718", "3144"},
    {1, "8299", "1122334455667708", "4422"},
};

static void test_visa_vectors(void **state)
{
    struct pvv_key *k = *state;
    char pvv[PVV_LEN + 1];
    size_t i;

    for (i = 0; i < sizeof(visa_cases) / sizeof(visa_cases[0]); i++) {
        const struct visa_case *c = &visa_cases[i];
        assert_int_equal(
            pvv_visa_generate(k, c->pan, strlen(c->pan), c->pvki, c->pin, strlen(c->pin), pvv),
            POS_OK);
        assert_string_equal(pvv, c->pvv);
        assert_int_equal(
            pvv_visa_verify(k, c->pan, strlen(c->pan), c->pvki, c->pin, strlen(c->pin), c->pvv, 4),
            POS_OK);
    }
}

static void test_visa_verify_failures(void **state)
{
    struct pvv_key *k = *state;
    const char *pan = "1122334455667788";
    char pvv[PVV_LEN + 1];

    assert_int_equal(pvv_visa_verify(k, pan, 16, 1, "4525", 4, "8523", 4), POS_ERR_PIN_MISMATCH);
    assert_int_equal(pvv_visa_verify(k, pan, 16, 2, "4524", 4, "8523", 4), POS_ERR_PIN_MISMATCH);
    assert_int_equal(pvv_visa_verify(k, "1122334455667798", 16, 1, "4524", 4, "8523", 4),
                     POS_ERR_PIN_MISMATCH);
    assert_int_equal(pvv_visa_verify(k, pan, 16, 1, "4524", 4, "8524", 4), POS_ERR_PIN_MISMATCH);
    /* only the first four PIN digits take part */
    assert_int_equal(pvv_visa_verify(k, pan, 16, 1, "452499", 6, "8523", 4), POS_OK);
    /* input errors */
    assert_int_equal(pvv_visa_verify(k, pan, 16, 1, "4524", 4, "852", 3), POS_ERR_SYNTAX);
    assert_int_equal(pvv_visa_verify(k, pan, 16, 1, "4524", 4, "85A3", 4), POS_ERR_SYNTAX);
    assert_int_equal(pvv_visa_generate(k, pan, 11, 1, "4524", 4, pvv), POS_ERR_CARD_PAN);
    assert_int_equal(pvv_visa_generate(k, "11223344556677A8", 16, 1, "4524", 4, pvv),
                     POS_ERR_CARD_PAN);
    assert_int_equal(pvv_visa_generate(k, pan, 16, 1, "452", 3, pvv), POS_ERR_PIN_LENGTH);
    assert_int_equal(pvv_visa_generate(k, pan, 16, 1, "1234567890123", 13, pvv),
                     POS_ERR_PIN_LENGTH);
    assert_int_equal(pvv_visa_generate(k, pan, 16, 1, "45A4", 4, pvv), POS_ERR_DIGIT);
    assert_int_equal(pvv_visa_generate(k, pan, 16, 0, "4524", 4, pvv), POS_ERR_RANGE);
    assert_int_equal(pvv_visa_generate(k, pan, 16, 7, "4524", 4, pvv), POS_ERR_RANGE);
    assert_int_equal(pvv_visa_generate(NULL, pan, 16, 1, "4524", 4, pvv), POS_ERR_INVAL);
    assert_int_equal(pvv_visa_verify(k, pan, 16, 1, "4524", 4, NULL, 0), POS_ERR_INVAL);
}

struct ibm_case {
    const char *vd;
    char pad;
    const char *pin;
    const char *offset;
};

/* IBM 3624 under the same PVK with decimalisation table 1234567890123456:
 * the psec project's published test values (tests/test_pin.py,
 * test_generate_ibm3624_offset), validation data taken from PAN
 * 1122334455667788 at the offsets and lengths used there. */
static const struct ibm_case ibm_cases[] = {
    {"1122334455667788", 'F', "4524", "0000"}, {"1122334455667788", 'f', "4524", "0000"},
    {"1122334455667788", 'F', "5635", "1111"}, {"1122334455667788", 'F', "0000", "6586"},
    {"1122334455667788", 'F', "1111", "7697"}, {"1122334455667788", 'F', "1234", "7710"},
    {"11223344556677", 'F', "5518", "0000"},   {"12233445566778", '1', "3675", "0000"},
    {"22334455667788", '1', "5550", "0000"},
};

static void test_ibm3624_vectors(void **state)
{
    struct pvv_key *k = *state;
    char off[PVV_PIN_MAX + 1], nat[PVV_PIN_MAX + 1];
    size_t i;

    for (i = 0; i < sizeof(ibm_cases) / sizeof(ibm_cases[0]); i++) {
        const struct ibm_case *c = &ibm_cases[i];
        struct pvv_ibm3624 p = {"1234567890123456", c->vd, strlen(c->vd), c->pad};
        size_t pl = strlen(c->pin);
        assert_int_equal(pvv_ibm3624_offset(k, &p, c->pin, pl, off), POS_OK);
        assert_string_equal(off, c->offset);
        assert_int_equal(pvv_ibm3624_verify(k, &p, c->pin, pl, c->offset, pl), POS_OK);
        if (strcmp(c->offset, "0000") == 0) {
            assert_int_equal(pvv_ibm3624_natural_pin(k, &p, pl, nat), POS_OK);
            assert_string_equal(nat, c->pin);
        }
    }
}

static void test_ibm3624_failures(void **state)
{
    struct pvv_key *k = *state;
    struct pvv_ibm3624 p = {NULL, "1122334455667788", 16, 'F'};
    char off[PVV_PIN_MAX + 1];

    /* default table 0123456789012345; a 6-digit PIN round trip */
    assert_int_equal(pvv_ibm3624_offset(k, &p, "987654", 6, off), POS_OK);
    assert_int_equal(strlen(off), 6);
    assert_int_equal(pvv_ibm3624_verify(k, &p, "987654", 6, off, 6), POS_OK);
    assert_int_equal(pvv_ibm3624_verify(k, &p, "987655", 6, off, 6), POS_ERR_PIN_MISMATCH);
    p.dectab = "1234567890123456";
    assert_int_equal(pvv_ibm3624_verify(k, &p, "1235", 4, "7710", 4), POS_ERR_PIN_MISMATCH);
    assert_int_equal(pvv_ibm3624_verify(k, &p, "1234", 4, "771", 3), POS_ERR_SYNTAX);
    assert_int_equal(pvv_ibm3624_verify(k, &p, "1234", 4, "77A0", 4), POS_ERR_SYNTAX);
    assert_int_equal(pvv_ibm3624_verify(k, &p, "123", 3, "771", 3), POS_ERR_PIN_LENGTH);
    assert_int_equal(pvv_ibm3624_offset(k, &p, "12a4", 4, off), POS_ERR_DIGIT);
    p.dectab = "123456789012345";
    assert_int_equal(pvv_ibm3624_offset(k, &p, "1234", 4, off), POS_ERR_SYNTAX);
    p.dectab = "123456789012345A";
    assert_int_equal(pvv_ibm3624_offset(k, &p, "1234", 4, off), POS_ERR_SYNTAX);
    p.dectab = NULL;
    p.pad = 'X';
    assert_int_equal(pvv_ibm3624_offset(k, &p, "1234", 4, off), POS_ERR_SYNTAX);
    p.pad = 'F';
    p.validation_data = "11223344556677G8";
    assert_int_equal(pvv_ibm3624_offset(k, &p, "1234", 4, off), POS_ERR_SYNTAX);
    p.validation_len = 17;
    assert_int_equal(pvv_ibm3624_offset(k, &p, "1234", 4, off), POS_ERR_SYNTAX);
    p.validation_len = 0;
    assert_int_equal(pvv_ibm3624_offset(k, &p, "1234", 4, off), POS_ERR_SYNTAX);
    assert_int_equal(pvv_ibm3624_natural_pin(k, &p, 13, off), POS_ERR_PIN_LENGTH);
    assert_int_equal(pvv_ibm3624_offset(k, NULL, "1234", 4, off), POS_ERR_INVAL);
}

static void test_key(void **state)
{
    struct pvv_key k;
    uint8_t key[24] = {0};

    (void)state;
    assert_int_equal(pvv_key_init(&k, key, 15), POS_ERR_KEY_LENGTH);
    pvv_key_clear(&k);
    assert_int_equal(pvv_key_init(&k, NULL, 16), POS_ERR_INVAL);
    pvv_key_clear(&k);
    assert_int_equal(pvv_key_init(&k, key, 24), POS_OK);
    pvv_key_clear(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_visa_vectors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_visa_verify_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ibm3624_vectors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ibm3624_failures, setup, teardown),
        cmocka_unit_test(test_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
