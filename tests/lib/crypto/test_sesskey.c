/* Tests for src/lib/crypto/sesskey.c (UnionPay sign-on field 62). */
#include "testutil.h"

#include <string.h>

#include "crypto/sesskey.h"
#include "error.h"

#define TMK   "0123456789ABCDEFFEDCBA9876543210"
#define PIK   "89E88CF7931444F334BD7547FC3F380C"
#define MAK8  "F039121BEC83D26B"
#define MAK16 "F039121BEC83D26B169BDCD5B22AAF8F"
#define TDK   "3F419E1CB7079442AA37474C2EFBF8B8"

/* No published field 62 sample with its clear keys exists that we could
 * find. These payloads were built independently with pyca/cryptography
 * (TripleDES / SM4 / AES in ECB; TDES and SM4 check values E(K, 0); AES the
 * CMAC of a zero block), laid out as the UnionPay spec describes. */
#define F62_TDES_60                                                                                \
    "CFF5852E9A2DCC4E4AC9C15F5A5CE07DD1D81278C3C69451C0685DB80000000000000000DCCBCC15D2CFB5FA6D1B" \
    "6"                                                                                            \
    "1670B93BAEA00440C9F57C40986"
#define F62_DES_24 "03F5DA03794918172D2303FC4E78F2A18D67F3F3DCCBCC15"
#define F62_SM4_60                                                                                 \
    "0605AD29822E2CE1947D20C52AD483C54C5D63FB7D2D6F7FD76EEAA4E91D3D42A65FFA09E9FEE7B910C9A44808ED" \
    "0"                                                                                            \
    "93863C87F080A8AFF49FCC0FEBC"
#define F62_AES_40                                                                                 \
    "7C03E05799D66DEA59193CE10DAEC0D6CCA48E57A30AC8177EAD51EC7233403DEFB173FE2A54457C"

static void set_keys(struct sesskey_set *ks, enum key_scheme s, const char *pik, const char *mak,
                     const char *tdk)
{
    const uint8_t *p;
    size_t n;

    memset(ks, 0, sizeof(*ks));
    ks->scheme = s;
    p = tu_hex(pik, &n);
    memcpy(ks->pik, p, n);
    ks->pik_len = n;
    p = tu_hex(mak, &n);
    memcpy(ks->mak, p, n);
    ks->mak_len = n;
    if (tdk != NULL) {
        p = tu_hex(tdk, &n);
        memcpy(ks->tdk, p, n);
        ks->tdk_len = n;
    }
}

static void known(enum key_scheme s, const char *tmk_hex, const char *pik, const char *mak,
                  const char *tdk, const char *f62_hex, const char *f603)
{
    struct sesskey_set ks, got;
    uint8_t out[SESSKEY_F62_MAX];
    size_t tl, fl, n = 0;
    const uint8_t *tmk = tu_hex(tmk_hex, &tl);
    const uint8_t *f62 = tu_hex(f62_hex, &fl);

    set_keys(&ks, s, pik, mak, tdk);
    assert_int_equal(sesskey_f62_encode(&ks, tmk, tl, out, sizeof(out), &n), POS_OK);
    assert_buf_equal(out, n, f62, fl);
    assert_string_equal(sesskey_f60_3(&ks), f603);
    assert_int_equal(sesskey_f62_decode(s, tmk, tl, f62, fl, &got, NULL), POS_OK);
    assert_int_equal(got.scheme, s);
    assert_buf_equal(got.pik, got.pik_len, ks.pik, ks.pik_len);
    assert_buf_equal(got.mak, got.mak_len, ks.mak, ks.mak_len);
    assert_buf_equal(got.tdk, got.tdk_len, ks.tdk, ks.tdk_len);
    sesskey_set_clear(&got);
}

static void test_known_payloads(void **state)
{
    (void)state;
    known(KEY_SCHEME_TDES, TMK, PIK, MAK8, TDK, F62_TDES_60, "004");
    known(KEY_SCHEME_TDES, "0123456789ABCDEF", "89E88CF7931444F3", MAK8, NULL, F62_DES_24, "001");
    known(KEY_SCHEME_SM4, TMK, PIK, MAK16, TDK, F62_SM4_60, "004");
    known(KEY_SCHEME_AES, TMK, PIK, MAK16, NULL, F62_AES_40, "003");
}

static void round_trip(enum key_scheme s, unsigned flags, size_t tmk_len, size_t want_len)
{
    struct sesskey_set ks, got;
    uint8_t tmk[32], out[SESSKEY_F62_MAX];
    size_t n = 0, i;

    for (i = 0; i < sizeof(tmk); i++)
        tmk[i] = (uint8_t)(0x11 * i + 3);
    assert_int_equal(sesskey_generate(&ks, s, flags), POS_OK);
    assert_int_equal(sesskey_f62_encode(&ks, tmk, tmk_len, out, sizeof(out), &n), POS_OK);
    assert_int_equal(n, want_len);
    assert_int_equal(sesskey_f62_decode(s, tmk, tmk_len, out, n, &got, NULL), POS_OK);
    assert_buf_equal(got.pik, got.pik_len, ks.pik, ks.pik_len);
    assert_buf_equal(got.mak, got.mak_len, ks.mak, ks.mak_len);
    assert_buf_equal(got.tdk, got.tdk_len, ks.tdk, ks.tdk_len);
    if (s == KEY_SCHEME_TDES) {
        /* generated DES keys have odd parity */
        for (i = 0; i < ks.pik_len; i++)
            assert_int_equal(__builtin_popcount(ks.pik[i]) % 2, 1);
    }
    sesskey_set_clear(&ks);
    sesskey_set_clear(&got);
}

static void test_round_trips(void **state)
{
    (void)state;
    round_trip(KEY_SCHEME_TDES, 0, 16, 40);
    round_trip(KEY_SCHEME_TDES, SESSKEY_TDK, 16, 60);
    round_trip(KEY_SCHEME_TDES, SESSKEY_MAK_DOUBLE | SESSKEY_TDK, 24, 60);
    round_trip(KEY_SCHEME_TDES, SESSKEY_SINGLE, 8, 24);
    round_trip(KEY_SCHEME_SM4, 0, 16, 40);
    round_trip(KEY_SCHEME_SM4, SESSKEY_TDK, 16, 60);
    round_trip(KEY_SCHEME_AES, SESSKEY_TDK, 32, 60);
}

/* A bad check value anywhere loads nothing. */
static void test_bad_check_values(void **state)
{
    static const size_t cv_offsets[] = {16, 36, 56};
    static const char *names[] = {"PIK", "MAK", "TDK"};
    struct sesskey_set got;
    struct pos_errdetail d;
    uint8_t f62[60], zero[sizeof(got)];
    size_t tl, fl, i;
    const uint8_t *tmk = tu_hex(TMK, &tl);
    const uint8_t *good = tu_hex(F62_TDES_60, &fl);

    (void)state;
    memset(zero, 0, sizeof(zero));
    for (i = 0; i < 3; i++) {
        memcpy(f62, good, fl);
        f62[cv_offsets[i] + 3] ^= 0x01;
        memset(&got, 0x5A, sizeof(got));
        pos_errdetail_init(&d);
        assert_int_equal(sesskey_f62_decode(KEY_SCHEME_TDES, tmk, tl, f62, fl, &got, &d),
                         POS_ERR_KCV_MISMATCH);
        assert_memory_equal(&got, zero, sizeof(got));
        assert_int_equal(d.field, 62);
        assert_int_equal(d.offset, cv_offsets[i]);
        assert_non_null(strstr(d.what, names[i]));
    }
    /* a corrupted key ciphertext fails its check value too */
    memcpy(f62, good, fl);
    f62[2] ^= 0x80;
    assert_int_equal(sesskey_f62_decode(KEY_SCHEME_TDES, tmk, tl, f62, fl, &got, &d),
                     POS_ERR_KCV_MISMATCH);
    /* the wrong TMK */
    memcpy(f62, good, fl);
    tmk = tu_hex(PIK, &tl);
    assert_int_equal(sesskey_f62_decode(KEY_SCHEME_TDES, tmk, tl, f62, fl, &got, &d),
                     POS_ERR_KCV_MISMATCH);
    assert_memory_equal(&got, zero, sizeof(got));
}

static void test_errors(void **state)
{
    struct sesskey_set ks, got;
    struct pos_errdetail d;
    uint8_t out[SESSKEY_F62_MAX], f62[60] = {0};
    size_t tl, n;
    const uint8_t *tmk = tu_hex(TMK, &tl);
    enum key_scheme s;

    (void)state;
    pos_errdetail_init(&d);
    assert_int_equal(sesskey_f62_decode(KEY_SCHEME_TDES, tmk, tl, f62, 41, &got, &d),
                     POS_ERR_LENGTH);
    assert_int_equal(d.field, 62);
    assert_int_equal(sesskey_f62_decode(KEY_SCHEME_SM4, tmk, tl, f62, 24, &got, &d),
                     POS_ERR_LENGTH);
    assert_int_equal(sesskey_f62_decode(KEY_SCHEME_SM4, tmk, 24, f62, 40, &got, &d),
                     POS_ERR_KEY_LENGTH);
    assert_int_equal(sesskey_f62_decode((enum key_scheme)9, tmk, tl, f62, 40, &got, &d),
                     POS_ERR_INVAL);
    assert_int_equal(sesskey_generate(&ks, KEY_SCHEME_SM4, SESSKEY_SINGLE), POS_ERR_INVAL);
    assert_int_equal(sesskey_generate(&ks, KEY_SCHEME_TDES, SESSKEY_SINGLE | SESSKEY_TDK),
                     POS_ERR_INVAL);
    assert_int_equal(sesskey_generate(&ks, (enum key_scheme)0, 0), POS_ERR_INVAL);
    assert_int_equal(sesskey_generate(&ks, KEY_SCHEME_TDES, 0), POS_OK);
    assert_int_equal(sesskey_f62_encode(&ks, tmk, 15, out, sizeof(out), &n), POS_ERR_KEY_LENGTH);
    assert_int_equal(sesskey_f62_encode(&ks, tmk, tl, out, 39, &n), POS_ERR_NOSPACE);
    ks.mak_len = 12;
    assert_int_equal(sesskey_f62_encode(&ks, tmk, tl, out, sizeof(out), &n), POS_ERR_KEY_LENGTH);
    ks.scheme = KEY_SCHEME_SM4;
    ks.mak_len = 8;
    assert_int_equal(sesskey_f62_encode(&ks, tmk, tl, out, sizeof(out), &n), POS_ERR_KEY_LENGTH);
    assert_int_equal(sesskey_f62_encode(NULL, tmk, tl, out, sizeof(out), &n), POS_ERR_INVAL);
    sesskey_set_clear(&ks);
    assert_int_equal(sesskey_scheme_parse("SM4", &s), POS_OK);
    assert_int_equal(s, KEY_SCHEME_SM4);
    assert_int_equal(sesskey_scheme_parse("tdes", &s), POS_OK);
    assert_int_equal(sesskey_scheme_parse("aes", &s), POS_OK);
    assert_int_equal(s, KEY_SCHEME_AES);
    assert_int_equal(sesskey_scheme_parse("des", &s), POS_ERR_UNSUPPORTED);
    assert_string_equal(sesskey_scheme_name(KEY_SCHEME_TDES), "tdes");
    assert_null(sesskey_scheme_name((enum key_scheme)7));
    assert_int_equal(sesskey_scheme_alg(KEY_SCHEME_SM4), BLOCK_SM4);
    assert_true(sesskey_tmk_len_ok(KEY_SCHEME_AES, 32));
    assert_false(sesskey_tmk_len_ok(KEY_SCHEME_SM4, 32));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_payloads),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_bad_check_values),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
