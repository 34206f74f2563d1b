/* Tests for src/lib/crypto/panprot.c (PAN encryption, keyed lookup, SM3). */
#include "testutil.h"

#include <string.h>

#include "crypto/panprot.h"
#include "error.h"

#define PAN "4111111111111111"

static bool contains(const uint8_t *hay, size_t n, const char *needle, size_t m)
{
    size_t i;

    for (i = 0; i + m <= n; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return true;
    return false;
}

/* data key 00..1F, hash key 20..3F, nonce 00..0B */
static void keys_init(struct panprot_keys *k, enum panprot_hash h)
{
    size_t i;

    for (i = 0; i < PANPROT_KEY_LEN; i++) {
        k->data_key[i] = (uint8_t)i;
        k->hash_key[i] = (uint8_t)(i + 32);
    }
    k->hash = h;
}

/* Known answers computed independently with pyca/cryptography 48
 * (hmac.HMAC(hash key, SHA256 / SM3) over the PAN digits; AESGCM(data
 * key).encrypt(nonce, PAN, lookup)). */
#define LOOKUP_SHA256 "FBA1C1BD2FB45C25A27551394013981853946AFBE0225B3DF27FCC2AD15D5047"
#define LOOKUP_SM3    "4CF75889ECDD12E4F495A8275BA73F769E6D2AFEB3A88F2B98B25FC4336E116B"
#define STORED                                                                                     \
    "000102030405060708090A0B7333E72AF4D4F32ABC70A6BA80D8495C2B7350FDBE1FCCC5A3651A995AF3964C"

static void test_known_answer(void **state)
{
    struct panprot_keys k;
    uint8_t lookup[32], out[PANPROT_STORED_MAX], nonce[12];
    char pan[20];
    size_t n = 0, wl, i;
    const uint8_t *want;

    (void)state;
    keys_init(&k, 0);
    for (i = 0; i < sizeof(nonce); i++)
        nonce[i] = (uint8_t)i;
    assert_int_equal(panprot_encrypt(&k, PAN, 16, nonce, out, sizeof(out), &n, lookup), POS_OK);
    want = tu_hex(STORED, &wl);
    assert_buf_equal(out, n, want, wl);
    want = tu_hex(LOOKUP_SHA256, &wl);
    assert_buf_equal(lookup, sizeof(lookup), want, wl);
    assert_int_equal(panprot_decrypt(&k, out, n, lookup, pan, sizeof(pan), &wl), POS_OK);
    assert_int_equal(wl, 16);
    assert_string_equal(pan, PAN);
    keys_init(&k, PANPROT_HMAC_SM3);
    assert_int_equal(panprot_lookup(&k, PAN, 16, lookup), POS_OK);
    want = tu_hex(LOOKUP_SM3, &wl);
    assert_buf_equal(lookup, sizeof(lookup), want, wl);
    panprot_keys_clear(&k);
}

/* The reusable lookup context: the known answers of both hashes, again and
 * again on one context, and the same refusals as panprot_lookup. */
static void test_lookup_ctx(void **state)
{
    struct panprot_lookup_ctx c = {0};
    struct panprot_keys k;
    uint8_t lookup[32], again[32];
    const uint8_t *want;
    size_t wl;
    int i;

    (void)state;
    assert_int_equal(panprot_lookup_with(&c, PAN, 16, lookup), POS_ERR_INVAL); /* not ready */
    keys_init(&k, 0);
    assert_int_equal(panprot_lookup_ctx_init(&c, &k), POS_OK);
    want = tu_hex(LOOKUP_SHA256, &wl);
    for (i = 0; i < 3; i++) {
        assert_int_equal(panprot_lookup_with(&c, PAN, 16, lookup), POS_OK);
        assert_buf_equal(lookup, sizeof(lookup), want, wl);
        assert_int_equal(panprot_lookup_with(&c, "6212345678901234567", 19, lookup), POS_OK);
        assert_int_equal(panprot_lookup(&k, "6212345678901234567", 19, again), POS_OK);
        assert_buf_equal(lookup, sizeof(lookup), again, sizeof(again));
    }
    assert_int_equal(panprot_lookup_with(&c, "12345678901", 11, lookup), POS_ERR_CARD_PAN);
    assert_int_equal(panprot_lookup_with(&c, "62123456789012a4", 16, lookup), POS_ERR_CARD_PAN);
    assert_int_equal(panprot_lookup_with(&c, NULL, 16, lookup), POS_ERR_CARD_PAN);
    panprot_lookup_ctx_clear(&c);
    assert_null(c.mac);
    panprot_lookup_ctx_clear(&c); /* twice is harmless */
    keys_init(&k, PANPROT_HMAC_SM3);
    assert_int_equal(panprot_lookup_ctx_init(&c, &k), POS_OK);
    assert_int_equal(panprot_lookup_with(&c, PAN, 16, lookup), POS_OK);
    want = tu_hex(LOOKUP_SM3, &wl);
    assert_buf_equal(lookup, sizeof(lookup), want, wl);
    panprot_lookup_ctx_clear(&c);
    assert_int_equal(panprot_lookup_ctx_init(NULL, &k), POS_ERR_INVAL);
    assert_int_equal(panprot_lookup_ctx_init(&c, NULL), POS_ERR_INVAL);
    panprot_keys_clear(&k);
}

static void test_round_trip_random_nonce(void **state)
{
    struct panprot_keys k;
    uint8_t l1[32], l2[32], a[PANPROT_STORED_MAX], b[PANPROT_STORED_MAX];
    size_t na = 0, nb = 0, pl;
    char pan[20], masked[20];
    const char *p19 = "6212345678901234567";

    (void)state;
    keys_init(&k, 0);
    assert_int_equal(panprot_encrypt(&k, p19, 19, NULL, a, sizeof(a), &na, l1), POS_OK);
    assert_int_equal(na, PANPROT_STORED_MAX);
    assert_int_equal(panprot_encrypt(&k, p19, 19, NULL, b, sizeof(b), &nb, l2), POS_OK);
    /* same PAN: same lookup, different nonce and ciphertext */
    assert_memory_equal(l1, l2, 32);
    assert_memory_not_equal(a, b, 12);
    assert_memory_not_equal(a + 12, b + 12, 19);
    assert_int_equal(panprot_decrypt(&k, b, nb, l2, pan, sizeof(pan), &pl), POS_OK);
    assert_string_equal(pan, p19);
    assert_int_equal(panprot_decrypt_masked(&k, a, na, l1, masked, sizeof(masked)), POS_OK);
    assert_string_equal(masked, "621234*********4567");
    /* the ciphertext holds no clear PAN digits */
    assert_false(contains(a, na, p19, 19));
    assert_false(contains(a, na, "12345678", 8));
}

/* Changing any part (nonce, ciphertext, tag, associated data) or the key is
 * detected: POS_ERR_AUTH and nothing returned. */
static void test_tamper(void **state)
{
    struct panprot_keys k;
    uint8_t lookup[32], out[PANPROT_STORED_MAX], bad[PANPROT_STORED_MAX], badl[32];
    size_t n = 0, pl = 99, i;
    char pan[20];
    static const size_t spots[] = {0, 11, 12, 20, 27, 28, 35, 43};
    static const char zeros[20];

    (void)state;
    keys_init(&k, 0);
    assert_int_equal(panprot_encrypt(&k, PAN, 16, NULL, out, sizeof(out), &n, lookup), POS_OK);
    for (i = 0; i < sizeof(spots) / sizeof(spots[0]); i++) {
        memcpy(bad, out, n);
        bad[spots[i]] ^= 0x01;
        memset(pan, 'x', sizeof(pan));
        assert_int_equal(panprot_decrypt(&k, bad, n, lookup, pan, sizeof(pan), &pl), POS_ERR_AUTH);
        assert_int_equal(pl, 0);
        assert_memory_equal(pan, zeros, sizeof(pan));
    }
    memcpy(badl, lookup, 32);
    badl[31] ^= 0x80;
    assert_int_equal(panprot_decrypt(&k, out, n, badl, pan, sizeof(pan), &pl), POS_ERR_AUTH);
    k.data_key[0] ^= 1;
    assert_int_equal(panprot_decrypt(&k, out, n, lookup, pan, sizeof(pan), &pl), POS_ERR_AUTH);
    assert_int_equal(panprot_decrypt_masked(&k, out, n, lookup, pan, sizeof(pan)), POS_ERR_AUTH);
    k.data_key[0] ^= 1;
    /* truncated or overlong */
    assert_int_equal(panprot_decrypt(&k, out, n - 1, lookup, pan, sizeof(pan), &pl), POS_ERR_AUTH);
    assert_int_equal(panprot_decrypt(&k, out, 39, lookup, pan, sizeof(pan), &pl), POS_ERR_LENGTH);
    assert_int_equal(panprot_decrypt(&k, out, 48, lookup, pan, sizeof(pan), &pl), POS_ERR_LENGTH);
    assert_int_equal(panprot_decrypt(&k, out, n, lookup, pan, 16, &pl), POS_ERR_NOSPACE);
    assert_int_equal(panprot_decrypt(NULL, out, n, lookup, pan, 16, &pl), POS_ERR_INVAL);
}

static void test_input_errors(void **state)
{
    struct panprot_keys k;
    uint8_t lookup[32], out[PANPROT_STORED_MAX];
    size_t n;

    (void)state;
    keys_init(&k, 0);
    assert_int_equal(panprot_encrypt(&k, "41111111111", 11, NULL, out, sizeof(out), &n, lookup),
                     POS_ERR_CARD_PAN);
    assert_int_equal(
        panprot_encrypt(&k, "41111111111111111111", 20, NULL, out, sizeof(out), &n, lookup),
        POS_ERR_CARD_PAN);
    assert_int_equal(
        panprot_encrypt(&k, "4111 11111111111", 16, NULL, out, sizeof(out), &n, lookup),
        POS_ERR_CARD_PAN);
    assert_int_equal(panprot_encrypt(&k, PAN, 16, NULL, out, 43, &n, lookup), POS_ERR_NOSPACE);
    assert_int_equal(panprot_encrypt(NULL, PAN, 16, NULL, out, 44, &n, lookup), POS_ERR_INVAL);
    assert_int_equal(panprot_lookup(&k, NULL, 16, lookup), POS_ERR_CARD_PAN);
    assert_int_equal(panprot_lookup(NULL, PAN, 16, lookup), POS_ERR_INVAL);
}

/* SM3: GM/T 0004-2012 Appendix A examples 1 ("abc") and 2 ("abcd" x 16). */
static void test_sm3(void **state)
{
    uint8_t md[32];
    const uint8_t *want;
    size_t wl;
    char msg[65];
    int i;

    (void)state;
    assert_int_equal(panprot_sm3((const uint8_t *)"abc", 3, md), POS_OK);
    want = tu_hex("66C7F0F4 62EEEDD9 D1F2D46B DC10E4E2 4167C487 5CF2F7A2 297DA02B 8F4BA8E0", &wl);
    assert_buf_equal(md, 32, want, wl);
    for (i = 0; i < 16; i++)
        memcpy(msg + 4 * i, "abcd", 4);
    assert_int_equal(panprot_sm3((const uint8_t *)msg, 64, md), POS_OK);
    want = tu_hex("DEBE9FF9 2275B8A1 38604889 C18E5A4D 6FDB70E5 387E5765 293DCBA3 9C0C5732", &wl);
    assert_buf_equal(md, 32, want, wl);
    assert_int_equal(panprot_sm3(NULL, 3, md), POS_ERR_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answer), cmocka_unit_test(test_round_trip_random_nonce),
        cmocka_unit_test(test_tamper),       cmocka_unit_test(test_input_errors),
        cmocka_unit_test(test_sm3),          cmocka_unit_test(test_lookup_ctx),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
