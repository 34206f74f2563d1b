/* Tests for src/lib/crypto/pinblock.c against published examples (sources
 * named beside each). */
#include "testutil.h"

#include <string.h>

#include "crypto/pinblock.h"
#include "error.h"

#define S(x) (x), (sizeof(x) - 1) /* a string literal and its length */

static void key_init(struct block_key *k, enum block_alg alg, const char *hex)
{
    size_t kl;
    const uint8_t *key = tu_hex(hex, &kl);

    assert_int_equal(block_key_init(k, alg, key, kl), POS_OK);
}

/* Clear blocks of fixed content (formats 0, 2 and CUP SM4). */
static void test_clear_fixed(void **state)
{
    uint8_t out[16];
    size_t n = 0, wl;
    const uint8_t *want;

    (void)state;
    /* ANSI X9.24-1-2009 Annex A.4: PIN 1234, PAN 4012345678909 */
    assert_int_equal(
        pinblock_encode(PINBLOCK_ISO0, S("1234"), S("4012345678909"), out, sizeof(out), &n),
        POS_OK);
    assert_int_equal(n, 8);
    assert_bytes_equal(out, tu_hex("041274EDCBA9876F", &wl), 8);
    /* psec (pyca-style payment library) doctests of ISO 9564 format 0/2 */
    assert_int_equal(pinblock_encode(PINBLOCK_ISO0, S("1234"), S("5544332211009966"), out, 8, &n),
                     POS_OK);
    assert_bytes_equal(out, tu_hex("041277CDDEEFF669", &wl), 8);
    assert_int_equal(pinblock_encode(PINBLOCK_ISO2, S("1234"), NULL, 0, out, 8, &n), POS_OK);
    assert_bytes_equal(out, tu_hex("241234FFFFFFFFFF", &wl), 8);
    /* the ANSI X9.8 example of the Chinese PIN-block tutorials: PIN 123456,
     * PAN 123456789012345678 -> 06 12 53 DF FE DC BA 98 */
    assert_int_equal(
        pinblock_encode(PINBLOCK_ISO0, S("123456"), S("123456789012345678"), out, 8, &n), POS_OK);
    assert_bytes_equal(out, tu_hex("061253DFFEDCBA98", &wl), 8);
    /* UnionPay SM4 PIN block ("银行卡密码键盘 SM4 ECB模式+ANSI X9.8 格式",
     * blog.csdn.net/M_Kerry/article/details/104625499): PIN 123654, PAN
     * 6230606601007726888 -> 06123654FFFFFFFFFFFF99FEFF88D977 */
    assert_int_equal(pinblock_encode(PINBLOCK_CUP_SM4, S("123654"), S("6230606601007726888"), out,
                                     sizeof(out), &n),
                     POS_OK);
    assert_int_equal(n, 16);
    want = tu_hex("06123654FFFFFFFFFFFF99FEFF88D977", &wl);
    assert_bytes_equal(out, want, 16);
    /* 12-digit PIN fills the block; a short PAN is zero-padded on the left */
    assert_int_equal(pinblock_encode(PINBLOCK_ISO0, S("123456789012"), S("12345"), out, 8, &n),
                     POS_OK);
    assert_bytes_equal(out, tu_hex("0C123456789000CB", &wl), 8);
}

static void expect_pin(enum pinblock_format f, const char *block_hex, const char *pan,
                       const char *want)
{
    size_t bl, pin_len = 0;
    const uint8_t *block = tu_hex(block_hex, &bl);
    char pin[PINBLOCK_PIN_CAP];

    assert_int_equal(
        pinblock_decode(f, block, bl, pan, pan ? strlen(pan) : 0, pin, sizeof(pin), &pin_len),
        POS_OK);
    assert_string_equal(pin, want);
    assert_int_equal(pin_len, strlen(want));
}

static void expect_fail(enum pinblock_format f, const char *block_hex, const char *pan, int rc)
{
    size_t bl, pin_len = 99;
    const uint8_t *block = tu_hex(block_hex, &bl);
    char pin[PINBLOCK_PIN_CAP];

    memset(pin, 'X', sizeof(pin));
    assert_int_equal(
        pinblock_decode(f, block, bl, pan, pan ? strlen(pan) : 0, pin, sizeof(pin), &pin_len), rc);
    /* the output buffer is wiped on failure */
    assert_int_equal(pin[0], 0);
    assert_int_equal(pin[sizeof(pin) - 1], 0);
}

static void test_decode_published(void **state)
{
    (void)state;
    expect_pin(PINBLOCK_ISO0, "041274EDCBA9876F", "4012345678909", "1234");    /* X9.24-1 A.4 */
    expect_pin(PINBLOCK_ISO0, "041277CDDEEFF669", "5544332211009966", "1234"); /* psec */
    expect_pin(PINBLOCK_ISO2, "2C123456789012FF", NULL, "123456789012");       /* psec */
    expect_pin(PINBLOCK_ISO3, "341277EEEFCCB43C", "5544332211009966", "1234"); /* psec */
    expect_pin(PINBLOCK_CUP_SM4, "06123654FFFFFFFFFFFF99FEFF88D977", "6230606601007726888",
               "123654");
    /* format 1 and the clear format 4 PIN field: psec's example field
     * 441234AAAAAAAAAA548ED7FD65495950 */
    expect_pin(PINBLOCK_ISO1, "1412340123456789", NULL, "1234");
    expect_pin(PINBLOCK_ISO4, "441234AAAAAAAAAA548ED7FD65495950", NULL, "1234");
}

/* Every decode failure, each with its documented code. */
static void test_decode_errors(void **state)
{
    size_t pin_len;
    char pin[PINBLOCK_PIN_CAP], small[4];
    const uint8_t blk[8] = {0x04, 0x12, 0x74, 0xED, 0xCB, 0xA9, 0x87, 0x6F};

    (void)state;
    /* wrong PAN (X9.24 block, last PAN digit before the check digit
     * changed): the fill no longer reads F */
    expect_fail(PINBLOCK_ISO0, "041274EDCBA9876F", "4012345678919", POS_ERR_PIN_PAN);
    /* wrong PAN under a PIN digit that stops being a digit (7 ^ 9 = E) */
    expect_fail(PINBLOCK_ISO0, "041274EDCBA9876F", "9012345678909", POS_ERR_PIN_PAN);
    /* control nibble: format 3 block read as format 0 and vice versa */
    expect_fail(PINBLOCK_ISO0, "341277EEEFCCB43C", "5544332211009966", POS_ERR_PIN_FORMAT);
    expect_fail(PINBLOCK_ISO3, "041277CDDEEFF669", "5544332211009966", POS_ERR_PIN_FORMAT);
    /* length nibble out of 4..12 */
    expect_fail(PINBLOCK_ISO2, "231234FFFFFFFFFF", NULL, POS_ERR_PIN_LENGTH);
    expect_fail(PINBLOCK_ISO2, "2D123456789012FF", NULL, POS_ERR_PIN_LENGTH);
    /* non-digit PIN nibble, bad fills */
    expect_fail(PINBLOCK_ISO2, "24123AFFFFFFFFFF", NULL, POS_ERR_PIN_FORMAT);
    expect_fail(PINBLOCK_ISO2, "241234FFFFFFFFFE", NULL, POS_ERR_PIN_FORMAT);
    expect_fail(PINBLOCK_ISO1, "14A2340123456789", NULL, POS_ERR_PIN_FORMAT);
    expect_fail(PINBLOCK_ISO4, "441234AAAAAAAAAB548ED7FD65495950", NULL, POS_ERR_PIN_FORMAT);
    /* a PIN nibble not covered by the PAN field stays a format error */
    expect_fail(PINBLOCK_ISO0, "04B274EDCBA9876F", "4012345678909", POS_ERR_PIN_FORMAT);
    /* format 3 fill must be A-F: a format 0 block with its control nibble
     * set to 3 has F fill (fine) but an explicit 9 in the fill is not */
    expect_fail(PINBLOCK_ISO3, "34127799999999F9", "5544332211009966", POS_ERR_PIN_PAN);
    /* CUP SM4: wrong PAN shows in the last 12 nibbles */
    expect_fail(PINBLOCK_CUP_SM4, "06123654FFFFFFFFFFFF99FEFF88D977", "6230606601007726898",
                POS_ERR_PIN_PAN);
    expect_fail(PINBLOCK_CUP_SM4, "16123654FFFFFFFFFFFF99FEFF88D977", "6230606601007726888",
                POS_ERR_PIN_FORMAT);
    /* wrong block size, unknown format, bad PAN */
    expect_fail(PINBLOCK_ISO0, "041274EDCBA987", "4012345678909", POS_ERR_LENGTH);
    expect_fail(PINBLOCK_ISO4, "041274EDCBA9876F", NULL, POS_ERR_LENGTH);
    expect_fail((enum pinblock_format)5, "041274EDCBA9876F", "4012345678909", POS_ERR_INVAL);
    expect_fail(PINBLOCK_ISO0, "041274EDCBA9876F", NULL, POS_ERR_CARD_PAN);
    expect_fail(PINBLOCK_ISO0, "041274EDCBA9876F", "40123456789O9", POS_ERR_CARD_PAN);
    expect_fail(PINBLOCK_ISO0, "041274EDCBA9876F", "40123456789012345678", POS_ERR_CARD_PAN);
    /* no room for the PIN and its NUL */
    assert_int_equal(
        pinblock_decode(PINBLOCK_ISO0, blk, 8, S("4012345678909"), small, sizeof(small), &pin_len),
        POS_ERR_NOSPACE);
    assert_int_equal(
        pinblock_decode(PINBLOCK_ISO0, NULL, 8, S("4012345678909"), pin, sizeof(pin), &pin_len),
        POS_ERR_LENGTH);
}

static void test_encode_errors(void **state)
{
    uint8_t out[16];
    size_t n = 0;

    (void)state;
    assert_int_equal(pinblock_encode(PINBLOCK_ISO0, S("123"), S("4012345678909"), out, 8, &n),
                     POS_ERR_PIN_LENGTH);
    assert_int_equal(
        pinblock_encode(PINBLOCK_ISO0, S("1234567890123"), S("4012345678909"), out, 8, &n),
        POS_ERR_PIN_LENGTH);
    assert_int_equal(pinblock_encode(PINBLOCK_ISO0, NULL, 4, S("4012345678909"), out, 8, &n),
                     POS_ERR_PIN_LENGTH);
    assert_int_equal(pinblock_encode(PINBLOCK_ISO2, S("12a4"), NULL, 0, out, 8, &n), POS_ERR_DIGIT);
    assert_int_equal(pinblock_encode(PINBLOCK_ISO3, S("1234"), NULL, 0, out, 8, &n),
                     POS_ERR_CARD_PAN);
    assert_int_equal(pinblock_encode(PINBLOCK_ISO3, S("1234"), S("4012 45678909"), out, 8, &n),
                     POS_ERR_CARD_PAN);
    assert_int_equal(pinblock_encode(PINBLOCK_ISO0, S("1234"), S("4012345678909"), out, 7, &n),
                     POS_ERR_NOSPACE);
    assert_int_equal(pinblock_encode(PINBLOCK_CUP_SM4, S("1234"), S("4012345678909"), out, 8, &n),
                     POS_ERR_NOSPACE);
    assert_int_equal(pinblock_encode((enum pinblock_format)7, S("1234"), NULL, 0, out, 8, &n),
                     POS_ERR_INVAL);
    assert_int_equal(pinblock_format_len((enum pinblock_format)7), 0);
    assert_int_equal(pinblock_format_alg(PINBLOCK_ISO4), BLOCK_AES);
    assert_int_equal(pinblock_format_alg(PINBLOCK_CUP_SM4), BLOCK_SM4);
    assert_int_equal(pinblock_format_alg((enum pinblock_format)7), 0);
    assert_true(pinblock_format_has_pan(PINBLOCK_ISO3));
    assert_false(pinblock_format_has_pan(PINBLOCK_ISO1));
}

/* Random fills: format 1 any nibble, format 3 A-F, format 4 A then random;
 * two encodings differ; every one decodes back. */
static void test_random_fills(void **state)
{
    uint8_t a[16], b[16];
    size_t n, i, j, pin_len;
    char pin[PINBLOCK_PIN_CAP];
    unsigned seen3 = 0;

    (void)state;
    for (i = 0; i < 200; i++) {
        assert_int_equal(pinblock_encode(PINBLOCK_ISO3, S("1234"), S("5544332211009966"), a, 8, &n),
                         POS_OK);
        /* remove the PAN field by decoding with the PAN: the fill nibbles
         * of the clear PIN field are A-F, all six values eventually */
        assert_int_equal(
            pinblock_decode(PINBLOCK_ISO3, a, 8, S("5544332211009966"), pin, sizeof(pin), &pin_len),
            POS_OK);
        assert_string_equal(pin, "1234");
        /* bytes 0..1 are not covered by the PAN field: 34 12 */
        assert_int_equal(a[0], 0x34);
        /* nibble 15 of the block = fill XOR the last PAN-field digit, '6'
         * (the PAN without its check digit ends ...0099 6) */
        seen3 |= 1u << ((a[7] & 0x0F) ^ 0x06);
    }
    assert_int_equal(seen3, 0xFC00); /* exactly A..F */
    assert_int_equal(pinblock_encode(PINBLOCK_ISO1, S("1234"), NULL, 0, a, 8, &n), POS_OK);
    assert_int_equal(pinblock_encode(PINBLOCK_ISO1, S("1234"), NULL, 0, b, 8, &n), POS_OK);
    assert_int_equal(a[0], 0x14);
    assert_int_equal(a[1], 0x12);
    assert_memory_not_equal(a + 3, b + 3, 5); /* 40 random bits */
    assert_int_equal(pinblock_encode(PINBLOCK_ISO4, S("12345"), NULL, 0, a, 16, &n), POS_OK);
    assert_int_equal(n, 16);
    /* ISO 9564-1:2017 §9.4.2.2.2 layout, as the X9.24-3-2017 supplement's
     * example 441234AAAAAAAAAA shows for PIN 1234 */
    assert_bytes_equal(a, tu_hex("4512345AAAAAAAAA", &j), 8);
    assert_int_equal(pinblock_encode(PINBLOCK_ISO4, S("12345"), NULL, 0, b, 16, &n), POS_OK);
    assert_memory_not_equal(a + 8, b + 8, 8);
}

/* Enciphered blocks against published ciphertexts. */
static void test_enciphered_published(void **state)
{
    struct block_key k;
    uint8_t out[16];
    size_t n = 0, wl, pin_len = 0;
    char pin[PINBLOCK_PIN_CAP];
    const uint8_t *want;

    (void)state;
    /* ANSI X9.24-1-2009 Annex A.4, KSN FFFF9876543210E00001: PIN key
     * 042666B49184CF5C68DE9628D0397B36, encrypted PIN block
     * 1B9C1845EB993A7A (PIN 1234, PAN 4012345678909). */
    key_init(&k, BLOCK_TDES, "042666B49184CF5C68DE9628D0397B36");
    assert_int_equal(
        pinblock_encrypt(&k, PINBLOCK_ISO0, S("1234"), S("4012345678909"), out, sizeof(out), &n),
        POS_OK);
    assert_int_equal(n, 8);
    assert_bytes_equal(out, tu_hex("1B9C1845EB993A7A", &wl), 8);
    assert_int_equal(
        pinblock_decrypt(&k, PINBLOCK_ISO0, out, 8, S("4012345678909"), pin, sizeof(pin), &pin_len),
        POS_OK);
    assert_string_equal(pin, "1234");
    /* ... and KSN FFFF9876543210E00002: 10A01C8D02C69107 */
    want = tu_hex("C46551CEF9FD244FAA9AD834130D3B38", &wl);
    assert_int_equal(block_key_rekey(&k, want, wl), POS_OK);
    assert_int_equal(pinblock_encrypt(&k, PINBLOCK_ISO0, S("1234"), S("4012345678909"), out, 8, &n),
                     POS_OK);
    assert_bytes_equal(out, tu_hex("10A01C8D02C69107", &wl), 8);
    block_key_clear(&k);

    /* ISO 9564-1 format 4 (AES): psec's documented example, key
     * 00112233445566778899AABBCCDDEEFF, PIN 1234, PAN 1234567890123456,
     * random part 1122334455667788 -> 7CDF645C86CAF763AE34637A66997534
     * (re-computed independently with `cryptography`'s AES). */
    key_init(&k, BLOCK_AES, "00112233445566778899AABBCCDDEEFF");
    want = tu_hex("7CDF645C86CAF763AE34637A66997534", &wl);
    assert_int_equal(pinblock_decrypt(&k, PINBLOCK_ISO4, want, 16, S("1234567890123456"), pin,
                                      sizeof(pin), &pin_len),
                     POS_OK);
    assert_string_equal(pin, "1234");
    assert_int_equal(pinblock_verify(&k, PINBLOCK_ISO4, want, 16, S("1234567890123456"), S("1234")),
                     POS_OK);
    /* the same block under the wrong PAN: every nibble depends on it */
    assert_int_equal(pinblock_decrypt(&k, PINBLOCK_ISO4, want, 16, S("1234567890123457"), pin,
                                      sizeof(pin), &pin_len),
                     POS_ERR_PIN_PAN);
    assert_int_equal(pin[0], 0);
    block_key_clear(&k);

    /* UnionPay SM4 (the M_Kerry example above): TMK
     * 1234567890ABCDEFABCDEF0987654321 delivers the PIK
     * F351D490994603795C6EBEE8FAEBB481 whose published check value
     * 861E83E31FAEBF10 is SM4(PIK, 0); the enciphered block
     * CD01D6AD8F0A484C52A9364A0595AD60 is cross-checked with an
     * independent SM4 (Python `cryptography`). */
    key_init(&k, BLOCK_SM4, "F351D490994603795C6EBEE8FAEBB481");
    assert_int_equal(pinblock_encrypt(&k, PINBLOCK_CUP_SM4, S("123654"), S("6230606601007726888"),
                                      out, sizeof(out), &n),
                     POS_OK);
    assert_int_equal(n, 16);
    assert_bytes_equal(out, tu_hex("CD01D6AD8F0A484C52A9364A0595AD60", &wl), 16);
    assert_int_equal(pinblock_decrypt(&k, PINBLOCK_CUP_SM4, out, 16, S("6230606601007726888"), pin,
                                      sizeof(pin), &pin_len),
                     POS_OK);
    assert_string_equal(pin, "123654");
    block_key_clear(&k);
}

/* Format 4 PAN field: the X9.24-3-2017 supplement's example
 * (PAN 4111111111111111 -> 44111111111111111000000000000000) and psec's
 * 18-digit one (61122334455667788990000000000000), checked by undoing the
 * encipherment by hand: D(K, D(K, block) XOR PAN field) must be a valid
 * PIN field. */
static void check_iso4_pan_field(const char *pan, const char *field_hex)
{
    struct block_key k;
    uint8_t block[16], t[16];
    size_t n, fl;
    const uint8_t *field = tu_hex(field_hex, &fl);

    key_init(&k, BLOCK_AES, "000102030405060708090A0B0C0D0E0F");
    assert_int_equal(
        pinblock_encrypt(&k, PINBLOCK_ISO4, S("1234"), pan, strlen(pan), block, 16, &n), POS_OK);
    assert_int_equal(block_ecb_decrypt(&k, block, 16, t), POS_OK);
    block_xor(t, field, 16);
    assert_int_equal(block_ecb_decrypt(&k, t, 16, t), POS_OK);
    assert_bytes_equal(t, tu_hex("441234AAAAAAAAAA", &n), 8);
    block_key_clear(&k);
}

static void test_iso4_pan_field(void **state)
{
    (void)state;
    check_iso4_pan_field("4111111111111111", "44111111111111111000000000000000");
    check_iso4_pan_field("112233445566778899", "61122334455667788990000000000000");
    /* under 12 digits: M = 0, right-justified in the 12 digits after M */
    check_iso4_pan_field("12345", "00000000123450000000000000000000");
    check_iso4_pan_field("1234567890123456789", "71234567890123456789000000000000");
}

static void test_keyed_round_trips_and_errors(void **state)
{
    static const enum pinblock_format fmts[] = {PINBLOCK_ISO0, PINBLOCK_ISO1, PINBLOCK_ISO2,
                                                PINBLOCK_ISO3, PINBLOCK_ISO4, PINBLOCK_CUP_SM4};
    struct block_key tdes, aes, sm4, *k;
    uint8_t out[16], out2[16];
    size_t i, n = 0, n2 = 0, pin_len;
    char pin[PINBLOCK_PIN_CAP];

    (void)state;
    key_init(&tdes, BLOCK_TDES, "0123456789ABCDEFFEDCBA9876543210");
    key_init(&aes, BLOCK_AES, "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
    key_init(&sm4, BLOCK_SM4, "0123456789ABCDEFFEDCBA9876543210");
    for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
        k = fmts[i] == PINBLOCK_ISO4 ? &aes : fmts[i] == PINBLOCK_CUP_SM4 ? &sm4 : &tdes;
        assert_int_equal(pinblock_encrypt(k, fmts[i], S("987654321098"), S("6212345678901234567"),
                                          out, sizeof(out), &n),
                         POS_OK);
        assert_int_equal(n, pinblock_format_len(fmts[i]));
        assert_int_equal(pinblock_decrypt(k, fmts[i], out, n, S("6212345678901234567"), pin,
                                          sizeof(pin), &pin_len),
                         POS_OK);
        assert_string_equal(pin, "987654321098");
        assert_int_equal(
            pinblock_verify(k, fmts[i], out, n, S("6212345678901234567"), S("987654321098")),
            POS_OK);
        assert_int_equal(
            pinblock_verify(k, fmts[i], out, n, S("6212345678901234567"), S("987654321099")),
            POS_ERR_PIN_MISMATCH);
        assert_int_equal(
            pinblock_verify(k, fmts[i], out, n, S("6212345678901234567"), S("98765432109")),
            POS_ERR_PIN_MISMATCH);
        /* a key of the wrong algorithm */
        assert_int_equal(pinblock_encrypt(k == &tdes ? &aes : &tdes, fmts[i], S("1234"),
                                          S("6212345678901234567"), out2, sizeof(out2), &n2),
                         POS_ERR_KEY);
        assert_int_equal(pinblock_decrypt(k == &tdes ? &aes : &tdes, fmts[i], out, n,
                                          S("6212345678901234567"), pin, sizeof(pin), &pin_len),
                         POS_ERR_KEY);
    }
    /* verify of a clear block, and a bad expected PIN */
    assert_int_equal(
        pinblock_verify(NULL, PINBLOCK_ISO2, tu_hex("241234FFFFFFFFFF", &n), 8, NULL, 0, S("1234")),
        POS_OK);
    assert_int_equal(
        pinblock_verify(NULL, PINBLOCK_ISO2, tu_hex("241234FFFFFFFFFF", &n), 8, NULL, 0, S("12")),
        POS_ERR_PIN_LENGTH);
    /* translation: TDES format 0 -> AES format 4 -> SM4 -> clear format 3 */
    assert_int_equal(
        pinblock_encrypt(&tdes, PINBLOCK_ISO0, S("4321"), S("4012345678909"), out, 8, &n), POS_OK);
    assert_int_equal(pinblock_translate(&tdes, PINBLOCK_ISO0, out, 8, &aes, PINBLOCK_ISO4,
                                        S("4012345678909"), out2, sizeof(out2), &n2),
                     POS_OK);
    assert_int_equal(pinblock_verify(&aes, PINBLOCK_ISO4, out2, n2, S("4012345678909"), S("4321")),
                     POS_OK);
    assert_int_equal(pinblock_translate(&aes, PINBLOCK_ISO4, out2, n2, &sm4, PINBLOCK_CUP_SM4,
                                        S("4012345678909"), out, sizeof(out), &n),
                     POS_OK);
    assert_int_equal(pinblock_translate(&sm4, PINBLOCK_CUP_SM4, out, n, NULL, PINBLOCK_ISO3,
                                        S("4012345678909"), out2, sizeof(out2), &n2),
                     POS_OK);
    assert_int_equal(pinblock_verify(NULL, PINBLOCK_ISO3, out2, n2, S("4012345678909"), S("4321")),
                     POS_OK);
    /* translation failures: wrong PAN in (last digit 0 -> 8 turns the A-F
     * fill into 2-7), no space out (output wiped) */
    assert_int_equal(pinblock_translate(NULL, PINBLOCK_ISO3, out2, n2, &tdes, PINBLOCK_ISO0,
                                        S("4012345678989"), out, sizeof(out), &n),
                     POS_ERR_PIN_PAN);
    memset(out, 0xEE, sizeof(out));
    assert_int_equal(pinblock_translate(NULL, PINBLOCK_ISO3, out2, n2, &aes, PINBLOCK_ISO4,
                                        S("4012345678909"), out, 8, &n),
                     POS_ERR_NOSPACE);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[7], 0);
    /* encrypt with a NULL key, decrypt of a short block */
    assert_int_equal(
        pinblock_encrypt(NULL, PINBLOCK_ISO0, S("1234"), S("4012345678909"), out, 8, &n),
        POS_ERR_KEY);
    assert_int_equal(
        pinblock_encrypt(&tdes, (enum pinblock_format)9, S("1234"), NULL, 0, out, 8, &n),
        POS_ERR_INVAL);
    assert_int_equal(pinblock_decrypt(&tdes, PINBLOCK_ISO0, out, 7, S("4012345678909"), pin,
                                      sizeof(pin), &pin_len),
                     POS_ERR_LENGTH);
    assert_int_equal(
        pinblock_decrypt(&aes, PINBLOCK_ISO4, out2, 16, NULL, 0, pin, sizeof(pin), &pin_len),
        POS_ERR_CARD_PAN);
    assert_int_equal(pinblock_encrypt(&aes, PINBLOCK_ISO4, S("1234"), NULL, 0, out, 16, &n),
                     POS_ERR_CARD_PAN);
    assert_int_equal(
        pinblock_encrypt(&aes, PINBLOCK_ISO4, S("1234"), S("4012345678909"), out, 15, &n),
        POS_ERR_NOSPACE);
    /* a wrong TDES key usually breaks the control nibble */
    assert_int_equal(pinblock_encrypt(&tdes, PINBLOCK_ISO2, S("1234"), NULL, 0, out, 8, &n),
                     POS_OK);
    assert_int_equal(block_key_rekey(&tdes, tu_hex("1111111111111111", &n2), 8), POS_OK);
    assert_int_not_equal(
        pinblock_decrypt(&tdes, PINBLOCK_ISO2, out, 8, NULL, 0, pin, sizeof(pin), &pin_len),
        POS_OK);
    block_key_clear(&tdes);
    block_key_clear(&aes);
    block_key_clear(&sm4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clear_fixed),    cmocka_unit_test(test_decode_published),
        cmocka_unit_test(test_decode_errors),  cmocka_unit_test(test_encode_errors),
        cmocka_unit_test(test_random_fills),   cmocka_unit_test(test_enciphered_published),
        cmocka_unit_test(test_iso4_pan_field), cmocka_unit_test(test_keyed_round_trips_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
