/* Tests for src/lib/crypto/cvv.c (CVV, CVV2, iCVV). */
#include "testutil.h"

#include <string.h>

#include "crypto/cvv.h"
#include "error.h"

struct cvv_case {
    const char *source;
    const char *cvk;
    const char *pan;
    const char *expiry;
    const char *sc;
    const char *cvv;
};

/* Sources: the classic worked example of the Visa CVV algorithm (CVK A
 * 0123456789ABCDEF, CVK B FEDCBA9876543210, PAN 4123456789012345, expiry
 * 8701, service code 101 -> 561), reproduced in HSM manuals and in the
 * EFTlab and Thales CVV descriptions; and the psec project's test value
 * (tests/test_cvv.py). */
static const struct cvv_case cvv_cases[] = {
    {"Visa CVV worked example", "0123456789ABCDEFFEDCBA9876543210", "4123456789012345", "8701",
     "101", "561"},
    {"psec test_generate_cvv", "99999999999999998888888888888888", "2222222222222222", "3333",
     "111", "361"},
};

static void test_vectors(void **state)
{
    size_t i, kl;
    char out[CVV_LEN + 1];

    (void)state;
    for (i = 0; i < sizeof(cvv_cases) / sizeof(cvv_cases[0]); i++) {
        const struct cvv_case *c = &cvv_cases[i];
        const uint8_t *cvk = tu_hex(c->cvk, &kl);
        assert_int_equal(cvv_generate(cvk, kl, c->pan, strlen(c->pan), c->expiry, c->sc, out),
                         POS_OK);
        if (strcmp(out, c->cvv) != 0)
            fail_msg("%s: got %s, want %s", c->source, out, c->cvv);
        assert_int_equal(cvv_verify(cvk, kl, c->pan, strlen(c->pan), c->expiry, c->sc, c->cvv, 3),
                         POS_OK);
    }
}

/* CVV2 and iCVV are the same algorithm with service codes 000 and 999:
 * their values differ from the track CVV and from each other. */
static void test_cvv2_icvv(void **state)
{
    size_t kl;
    const uint8_t *cvk = tu_hex("0123456789ABCDEFFEDCBA9876543210", &kl);
    char cvv[4], cvv2[4], icvv[4];
    const char *pan = "4123456789012345";

    (void)state;
    assert_int_equal(cvv_generate(cvk, kl, pan, 16, "8701", "101", cvv), POS_OK);
    assert_int_equal(cvv_generate(cvk, kl, pan, 16, "8701", CVV_SERVICE_CVV2, cvv2), POS_OK);
    assert_int_equal(cvv_generate(cvk, kl, pan, 16, "8701", CVV_SERVICE_ICVV, icvv), POS_OK);
    assert_false(strcmp(cvv, cvv2) == 0 && strcmp(cvv2, icvv) == 0);
    assert_int_equal(cvv_verify(cvk, kl, pan, 16, "8701", "000", cvv2, 3), POS_OK);
    assert_int_equal(cvv_verify(cvk, kl, pan, 16, "8701", "999", icvv, 3), POS_OK);
    /* 19-digit PAN: 26 digits of data */
    assert_int_equal(cvv_generate(cvk, kl, "6212345678901234567", 19, "2512", "201", cvv), POS_OK);
    assert_int_equal(strlen(cvv), 3);
}

static void test_failures(void **state)
{
    size_t kl;
    const uint8_t *cvk = tu_hex("0123456789ABCDEFFEDCBA9876543210", &kl);
    const char *pan = "4123456789012345";
    char out[4];
    uint8_t other[16];

    (void)state;
    assert_int_equal(cvv_verify(cvk, kl, pan, 16, "8701", "101", "562", 3), POS_ERR_CVV_MISMATCH);
    assert_int_equal(cvv_verify(cvk, kl, pan, 16, "8702", "101", "561", 3), POS_ERR_CVV_MISMATCH);
    assert_int_equal(cvv_verify(cvk, kl, pan, 16, "8701", "201", "561", 3), POS_ERR_CVV_MISMATCH);
    assert_int_equal(cvv_verify(cvk, kl, "4123456789012346", 16, "8701", "101", "561", 3),
                     POS_ERR_CVV_MISMATCH);
    memcpy(other, cvk, 16);
    other[15] ^= 0x02;
    assert_int_equal(cvv_verify(other, 16, pan, 16, "8701", "101", "561", 3), POS_ERR_CVV_MISMATCH);
    assert_int_equal(cvv_verify(cvk, kl, pan, 16, "8701", "101", "56", 2), POS_ERR_SYNTAX);
    assert_int_equal(cvv_verify(cvk, kl, pan, 16, "8701", "101", "5x1", 3), POS_ERR_SYNTAX);
    assert_int_equal(cvv_verify(cvk, kl, pan, 16, "8701", "101", NULL, 3), POS_ERR_INVAL);
    assert_int_equal(cvv_generate(cvk, 8, pan, 16, "8701", "101", out), POS_ERR_KEY_LENGTH);
    assert_int_equal(cvv_generate(cvk, 24, pan, 16, "8701", "101", out), POS_ERR_KEY_LENGTH);
    assert_int_equal(cvv_generate(cvk, kl, pan, 11, "8701", "101", out), POS_ERR_CARD_PAN);
    assert_int_equal(cvv_generate(cvk, kl, "41234567890123456789", 20, "8701", "101", out),
                     POS_ERR_CARD_PAN);
    assert_int_equal(cvv_generate(cvk, kl, "412345678901234X", 16, "8701", "101", out),
                     POS_ERR_CARD_PAN);
    assert_int_equal(cvv_generate(cvk, kl, pan, 16, "870", "101", out), POS_ERR_CARD_EXPIRY);
    assert_int_equal(cvv_generate(cvk, kl, pan, 16, "87O1", "101", out), POS_ERR_CARD_EXPIRY);
    assert_int_equal(cvv_generate(cvk, kl, pan, 16, "8701", "1011", out), POS_ERR_SYNTAX);
    assert_int_equal(cvv_generate(cvk, kl, pan, 16, "8701", "1A1", out), POS_ERR_SYNTAX);
    assert_int_equal(cvv_generate(NULL, kl, pan, 16, "8701", "101", out), POS_ERR_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_cvv2_icvv),
        cmocka_unit_test(test_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
