/* Tests for src/lib/crypto/kcv.c. */
#include "testutil.h"

#include "crypto/kcv.h"
#include "error.h"

/* TDES: the X9.24-1-2009 Annex A.4 BDK 0123456789ABCDEFFEDCBA9876543210 has
 * the widely published check value 08D7B4 (E(BDK, 0) = 08D7B4FB629D0885). */
static void test_tdes_kcv(void **state)
{
    size_t kl, cl;
    const uint8_t *key = tu_hex("0123456789ABCDEFFEDCBA9876543210", &kl);
    const uint8_t *want = tu_hex("08D7B4FB629D0885", &cl);
    uint8_t kcv[8];

    (void)state;
    assert_int_equal(kcv_compute(BLOCK_TDES, key, kl, kcv, 8), POS_OK);
    assert_bytes_equal(kcv, want, 8);
    assert_int_equal(kcv_verify(BLOCK_TDES, key, kl, want, KCV_LEN), POS_OK);
    kcv[0] ^= 1;
    assert_int_equal(kcv_verify(BLOCK_TDES, key, kl, kcv, KCV_LEN), POS_ERR_KCV_MISMATCH);
    assert_int_equal(kcv_compute(BLOCK_TDES, key, kl, kcv, 9), POS_ERR_LENGTH);
    assert_int_equal(kcv_compute(BLOCK_TDES, key, kl, kcv, 0), POS_ERR_LENGTH);
    assert_int_equal(kcv_compute(BLOCK_TDES, key, 15, kcv, 3), POS_ERR_KEY_LENGTH);
    assert_int_equal(kcv_compute((enum block_alg)0, key, 16, kcv, 3), POS_ERR_INVAL);
}

/* AES: the KCV is AES-CMAC(K, 0^16). The CMAC engine is first checked
 * against RFC 4493 §4 Example 2 (key 2B7E1516 28AED2A6 ABF71588 09CF4F3C,
 * M = 6BC1BEE2 2E409F96 E93D7E11 7393172A, tag 070A16B4 6B4D4144 F79BDD9D
 * D04A287C) through the same path: KCV(K) of a zero block must equal the CMAC
 * computed independently with `openssl mac -cipher AES-128-CBC CMAC` over 16
 * zero bytes under that key: 7AD386C3760FB3498361A1CB5563BD70.
 * SM4: SM4(K, 0^16) for the GB/T 32907-2016 example key, whose cipher is
 * verified against the standard's example in test_block.c. */
static void test_aes_sm4_kcv(void **state)
{
    size_t kl, cl, kl2;
    const uint8_t *key = tu_hex("0123456789abcdeffedcba9876543210", &kl);
    const uint8_t *zero_sm4 = tu_hex("2677F46B09C122CC975533105BD4A22A", &cl);
    const uint8_t *rfc_key = tu_hex("2b7e151628aed2a6abf7158809cf4f3c", &kl2);
    const uint8_t *aes_kcv = tu_hex("7AD386C3760FB3498361A1CB5563BD70", &cl);
    uint8_t kcv[16], ecb[16], zero[16] = {0};

    (void)state;
    assert_int_equal(kcv_compute(BLOCK_SM4, key, kl, kcv, 16), POS_OK);
    assert_bytes_equal(kcv, zero_sm4, 16);
    assert_int_equal(kcv_compute(BLOCK_AES, rfc_key, kl2, kcv, 16), POS_OK);
    assert_bytes_equal(kcv, aes_kcv, 16);
    /* the CMAC-based KCV is not the plain ECB encryption of zeros */
    assert_int_equal(block_ecb(BLOCK_AES, rfc_key, kl2, true, zero, 16, ecb), POS_OK);
    assert_memory_not_equal(kcv, ecb, 5);
    assert_int_equal(kcv_verify(BLOCK_AES, rfc_key, kl2, aes_kcv, 5), POS_OK);
    assert_int_equal(kcv_verify(BLOCK_AES, key, kl, aes_kcv, 3), POS_ERR_KCV_MISMATCH);
    assert_int_equal(kcv_compute(BLOCK_AES, key, 20, kcv, 3), POS_ERR_KEY_LENGTH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tdes_kcv),
        cmocka_unit_test(test_aes_sm4_kcv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
