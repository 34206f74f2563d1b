/* Tests for src/lib/crypto/block.c against published vectors. */
#include "testutil.h"

#include <string.h>

#include "crypto/block.h"
#include "error.h"

/* FIPS 197 Appendix C.1 (AES-128) and C.3 (AES-256) example vectors. */
static void test_aes_fips197(void **state)
{
    size_t kl, pl, cl;
    const uint8_t *key, *pt, *ct;
    uint8_t out[16];

    (void)state;
    key = tu_hex("000102030405060708090a0b0c0d0e0f", &kl);
    pt = tu_hex("00112233445566778899aabbccddeeff", &pl);
    ct = tu_hex("69c4e0d86a7b0430d8cdb78070b4c55a", &cl);
    assert_int_equal(block_ecb(BLOCK_AES, key, kl, true, pt, pl, out), POS_OK);
    assert_bytes_equal(out, ct, 16);
    assert_int_equal(block_ecb(BLOCK_AES, key, kl, false, ct, cl, out), POS_OK);
    assert_bytes_equal(out, pt, 16);

    key = tu_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", &kl);
    ct = tu_hex("8ea2b7ca516745bfeafc49904b496089", &cl);
    assert_int_equal(block_ecb(BLOCK_AES, key, kl, true, pt, pl, out), POS_OK);
    assert_bytes_equal(out, ct, 16);
}

/* GB/T 32907-2016 Appendix A, example 1 (SM4). */
static void test_sm4_gbt32907(void **state)
{
    size_t kl, cl;
    const uint8_t *key, *ct;
    uint8_t out[16];

    (void)state;
    key = tu_hex("0123456789abcdeffedcba9876543210", &kl);
    ct = tu_hex("681edf34d206965e86b3e94f536e4246", &cl);
    assert_int_equal(block_ecb(BLOCK_SM4, key, kl, true, key, kl, out), POS_OK);
    assert_bytes_equal(out, ct, 16);
}

/* Single DES: FIPS 81 / the classic "Now is t" example (key 0123456789ABCDEF,
 * plaintext 4E6F772069732074, ciphertext 3FA40E8A984D4815). TDES with
 * K1 = K2 = K3 must give the same. Double length K1K2 = 0123456789ABCDEF
 * FEDCBA9876543210 must equal E(K1) D(K2) E(K1). */
static void test_tdes(void **state)
{
    size_t kl, pl, cl, k2l;
    const uint8_t *key, *pt, *ct, *k2;
    uint8_t out[8], step[8];
    struct block_key k;

    (void)state;
    key = tu_hex("0123456789ABCDEF", &kl);
    pt = tu_hex("4E6F772069732074", &pl);
    ct = tu_hex("3FA40E8A984D4815", &cl);
    assert_int_equal(block_ecb(BLOCK_TDES, key, kl, true, pt, pl, out), POS_OK);
    assert_bytes_equal(out, ct, 8);

    k2 = tu_hex("0123456789ABCDEFFEDCBA9876543210", &k2l);
    assert_int_equal(block_ecb(BLOCK_TDES, k2, 16, true, pt, 8, out), POS_OK);
    assert_int_equal(block_ecb(BLOCK_TDES, k2, 8, true, pt, 8, step), POS_OK);
    assert_int_equal(block_ecb(BLOCK_TDES, k2 + 8, 8, false, step, 8, step), POS_OK);
    assert_int_equal(block_ecb(BLOCK_TDES, k2, 8, true, step, 8, step), POS_OK);
    assert_bytes_equal(out, step, 8);

    /* rekey switches between lengths and keeps working */
    assert_int_equal(block_key_init(&k, BLOCK_TDES, key, 8), POS_OK);
    assert_int_equal(block_key_rekey(&k, k2, 16), POS_OK);
    assert_int_equal(block_ecb_encrypt(&k, pt, 8, out), POS_OK);
    assert_bytes_equal(out, step, 8);
    assert_int_equal(block_key_rekey(&k, key, 8), POS_OK);
    assert_int_equal(block_ecb_encrypt(&k, pt, 8, out), POS_OK);
    assert_bytes_equal(out, ct, 8);
    assert_int_equal(block_key_rekey(&k, key, 7), POS_ERR_KEY_LENGTH);
    block_key_clear(&k);
    block_key_clear(&k);
}

/* NIST SP 800-38A F.2.1 CBC-AES128.Encrypt, first two blocks. */
static void test_cbc_sp800_38a(void **state)
{
    size_t kl, ivl, pl, cl;
    const uint8_t *key, *iv, *pt, *ct;
    uint8_t out[32];
    struct block_key k;

    (void)state;
    key = tu_hex("2b7e151628aed2a6abf7158809cf4f3c", &kl);
    iv = tu_hex("000102030405060708090a0b0c0d0e0f", &ivl);
    pt = tu_hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51", &pl);
    ct = tu_hex("7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2", &cl);
    assert_int_equal(block_key_init(&k, BLOCK_AES, key, kl), POS_OK);
    assert_int_equal(block_cbc_encrypt(&k, iv, pt, pl, out), POS_OK);
    assert_bytes_equal(out, ct, 32);
    memcpy(out, ct, 32);
    assert_int_equal(block_cbc_decrypt(&k, iv, out, 32, out), POS_OK); /* in place */
    assert_bytes_equal(out, pt, 32);
    assert_int_equal(block_cbc_encrypt(&k, iv, pt, 17, out), POS_ERR_LENGTH);
    assert_int_equal(block_ecb_encrypt(&k, pt, 15, out), POS_ERR_LENGTH);
    assert_int_equal(block_key_rekey(&k, key, 32), POS_ERR_KEY_LENGTH);
    block_key_clear(&k);
}

static void test_bad_keys(void **state)
{
    struct block_key k;
    uint8_t key[32] = {0}, out[16];

    (void)state;
    assert_int_equal(block_key_init(&k, BLOCK_TDES, key, 12), POS_ERR_KEY_LENGTH);
    block_key_clear(&k);
    assert_int_equal(block_key_init(&k, BLOCK_SM4, key, 32), POS_ERR_KEY_LENGTH);
    assert_int_equal(block_key_init(&k, BLOCK_AES, key, 8), POS_ERR_KEY_LENGTH);
    assert_int_equal(block_key_init(&k, (enum block_alg)99, key, 16), POS_ERR_INVAL);
    assert_int_equal(block_ecb(BLOCK_AES, key, 20, true, key, 16, out), POS_ERR_KEY_LENGTH);
    assert_int_equal(block_alg_block_len((enum block_alg)99), 0);
    assert_false(block_alg_key_len_ok((enum block_alg)99, 16));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aes_fips197), cmocka_unit_test(test_sm4_gbt32907),
        cmocka_unit_test(test_tdes),        cmocka_unit_test(test_cbc_sp800_38a),
        cmocka_unit_test(test_bad_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
