/* Tests for src/lib/crypto/dukpt_aes.c (ANSI X9.24-3-2017 AES DUKPT).
 *
 * Vectors: the ANSI X9.24-3-2017 supplement test vectors (ASC X9, "X9.24-3
 * 2017 Test Vectors", 2018-01-29, the output of the standard's Annex B
 * reference code) for BDK FEDCBA9876543210F1F1F1F1F1F1F1F1 (AES-128) and
 * FEDCBA9876543210F1F1F1F1F1F1F1F1 FEDCBA9876543210F1F1F1F1F1F1F1F1
 * (AES-256), initial key ID 1234567890123456, as reproduced in the test
 * suites of openemv/dukpt (test/dukpt_aes128_test.c, dukpt_aes_test.c). */
#include "testutil.h"

#include <string.h>

#include "crypto/dukpt_aes.h"
#include "error.h"

#define BDK128 "FEDCBA9876543210F1F1F1F1F1F1F1F1"
#define BDK256 BDK128 BDK128
#define IKID   "1234567890123456"
#define IK128  "1273671EA26AC29AFA4D1084127652A1"
#define IK256  "CE9CE0C101D1138F97FB6CAD4DF045A7083D4EAE2D35A31789D01CCF0949550F"

#define NVEC(a) (sizeof(a) / sizeof((a)[0]))

static void hex_to(const char *hex, uint8_t *out, size_t n)
{
    size_t len;
    const uint8_t *b = tu_hex(hex, &len);

    assert_int_equal(len, n);
    memcpy(out, b, n);
}

static void ksn_of(uint32_t counter, uint8_t *ksn)
{
    hex_to(IKID "00000000", ksn, 12);
    dukpt_aes_ksn_set_counter(ksn, counter, ksn);
}

struct dk_vector {
    uint32_t counter;
    const char *dk, *pin; /* intermediate derivation key, PIN key (or NULL) */
};

/* AES-128 BDK: intermediate derivation keys and AES-128 PIN encryption
 * keys. Counter 1FFFF of the supplement is left out: it has 17 one-bits,
 * which §6.1 forbids (the reference code's "<= MAX_WORK" lets it through);
 * this implementation refuses it (test_bad_inputs). */
static const struct dk_vector aes128[] = {
    {1, "4F21B565BAD9835E112B6465635EAE44", "AF8CB133A78F8DC2D1359F18527593FB"},
    {2, "2F34D68DE10F68D38091A73B9E7C437C", "D30BDC73EC9714B000BEC66BDB7B6D09"},
    {3, "031504E530365CF81264238540518318", "7D69F01F3B45449F62C7816ECE723268"},
    {4, "0EEFC7ADA628BA68878DA9165A8A1887", NULL},
    {5, "C2A7AC328A5DA2D6002D62465BFC028B", NULL},
    {6, "D30F7D9351DA58448A2F5E92B4EE3B7D", NULL},
    {7, "A8253CEED9AC042C54F75D35C8352278", NULL},
    {8, "718EE6CF0B27E53D5F7AF99C4D8146A2", "4D9DF3FBEE3448FC3E676D04320A90F5"},
    {0x1FFFE, "E21E8C8D347F8561A2BE752DAA85A111", NULL},
    {0x20000, "F7AE9025468A25D37B7249CFFED224C8", NULL},
    {0x20001, "692C8EA4013645135B36497131DF9D2C", NULL},
    {0xFFFE2000, "48E585B694EB0B18D5C35443E163C0BA", NULL},
    {0xFFFE4000, "396C2C7CA1EA701C03B86B7D41F0C562", "6239A27F572DEDB17BCA1AC413EF9FE9"},
    {0xFFFE8000, "0387625F189B58AE03EF0E8CCA41105E", "F10C1404137A80718FCCE8BD90FF9F67"},
    {0xFFFF0000, "F6BA59389BD14A9855BE9727E7C52E3C", "27EFAC1D158632588F4AC69E45C247C4"},
};

/* AES-256 BDK: intermediate derivation keys and AES-256 PIN keys. */
static const struct dk_vector aes256[] = {
    {1, "54AC2B32B145EA4A554CB8BC44B17467063A799856B1CCC2A138D36E8DBF78B3",
     "8C1AB7BEE973829E30242E0BBBDD4946D540C98FC1B5BDCF94790001A23FD502"},
    {2, "5DD5A0253842BBBE1D7C0DA27021412C6F1FAB53FB928DEAE56DA06090A9DE97",
     "3583D6CD02FC38822CC71A8D7678E04F4A8556335E6CC66863D3DADC5AEE2C62"},
    {3, "8EEEF7C464AE415BB1D73FAED21993CD669F7999092A579EC6DD3CC680C65171",
     "96A1AB5D37CB7CF81DDE64F66C46E0389B833E7AD5F4E44C791F04FAFDA6DA0E"},
    {0xFFFE4000, "FF20E1BB575539ACCB44E3111BE8757F83AE8549A2DD71B441A4A424F7FFD4B1",
     "F388FF9FB1D66E8812BC67CA5B85CE5554063E09A2440EC1AF4EB433CCFBAF35"},
    {0xFFFE8000, "630535C9C53E1EC6524016930B56F6728909C45403536B419AEBCB25B7351C07",
     "FAC4E05A67AB1522505CF0E94E5977B99D0E5B116D76ABB6B8A64F0D785FF6DF"},
    {0xFFFF0000, "6D6DB7AAAE8B3EA90E57A39E4BBA71E173B21B446B30A78D64BFC6A8806C55EE",
     "88B82556AEF4A681E0687F443A4C4F305AF9203B114470DFC77C7F08BC43F9DA"},
};

static void test_initial_key(void **state)
{
    uint8_t bdk[32], ikid[8], ik[32], want[32];
    enum dukpt_aes_key_type t;

    (void)state;
    hex_to(BDK256, bdk, 32);
    hex_to(IKID, ikid, 8);
    hex_to(IK128, want, 16);
    assert_int_equal(dukpt_aes_initial_key(bdk, 16, ikid, ik), POS_OK);
    assert_bytes_equal(ik, want, 16);
    hex_to(IK256, want, 32);
    assert_int_equal(dukpt_aes_initial_key(bdk, 32, ikid, ik), POS_OK);
    assert_bytes_equal(ik, want, 32);
    /* AES-192 BDK: 24-byte initial key from two blocks */
    assert_int_equal(dukpt_aes_initial_key(bdk, 24, ikid, ik), POS_OK);
    /* TDES-length or odd BDKs are not AES keys */
    assert_int_equal(dukpt_aes_initial_key(bdk, 20, ikid, ik), POS_ERR_KEY_LENGTH);
    assert_int_equal(dukpt_aes_bdk_type(8, &t), POS_ERR_KEY_LENGTH);
    assert_int_equal(dukpt_aes_bdk_type(24, &t), POS_OK);
    assert_int_equal(t, DUKPT_AES_AES192);
    assert_int_equal(dukpt_aes_key_len(DUKPT_AES_3TDEA), 24);
    assert_int_equal(dukpt_aes_key_len((enum dukpt_aes_key_type)7), 0);
}

/* §6.3.2 derivation data, as printed in the supplement for the AES-128 PIN
 * key of counters 1 and FFFF0000, and the initial key's. */
static void test_derivation_data(void **state)
{
    uint8_t ksn[12], data[16], want[16];

    (void)state;
    ksn_of(1, ksn);
    assert_int_equal(dukpt_aes_derivation_data(DUKPT_AES_USAGE_PIN, DUKPT_AES_AES128, ksn, 1, data),
                     POS_OK);
    hex_to("01011000000200809012345600000001", want, 16);
    assert_bytes_equal(data, want, 16);
    assert_int_equal(
        dukpt_aes_derivation_data(DUKPT_AES_USAGE_PIN, DUKPT_AES_AES128, ksn, 0xFFFF0000, data),
        POS_OK);
    hex_to("010110000002008090123456FFFF0000", want, 16);
    assert_bytes_equal(data, want, 16);
    assert_int_equal(
        dukpt_aes_derivation_data(DUKPT_AES_USAGE_INITIAL_KEY, DUKPT_AES_AES256, ksn, 0, data),
        POS_OK);
    hex_to("01018001000401001234567890123456", want, 16);
    assert_bytes_equal(data, want, 16);
    assert_int_equal(
        dukpt_aes_derivation_data((enum dukpt_aes_usage)0x1234, DUKPT_AES_AES128, ksn, 1, data),
        POS_ERR_INVAL);
    assert_int_equal(
        dukpt_aes_derivation_data(DUKPT_AES_USAGE_PIN, (enum dukpt_aes_key_type)5, ksn, 1, data),
        POS_ERR_INVAL);
}

static void check_suite(const char *bdk_hex, size_t bdk_len, const struct dk_vector *v, size_t n,
                        enum dukpt_aes_key_type pin_type)
{
    struct dukpt_aes_host h;
    uint8_t bdk[32], ik[32], ksn[12], dk[32], want[32], key[32];
    size_t i, len, klen = dukpt_aes_key_len(pin_type);

    hex_to(bdk_hex, bdk, bdk_len);
    ksn_of(0, ksn);
    assert_int_equal(dukpt_aes_initial_key(bdk, bdk_len, ksn, ik), POS_OK);
    assert_int_equal(dukpt_aes_host_init_bdk(&h, bdk, bdk_len, ksn), POS_OK);
    assert_int_equal(dukpt_aes_host_key_len(&h), bdk_len);
    for (i = 0; i < n; i++) {
        ksn_of(v[i].counter, ksn);
        hex_to(v[i].dk, want, bdk_len);
        assert_int_equal(dukpt_aes_derive(ik, bdk_len, ksn, dk, NULL), POS_OK);
        assert_bytes_equal(dk, want, bdk_len);
        memset(dk, 0, sizeof(dk));
        assert_int_equal(dukpt_aes_host_derive(&h, ksn, dk, NULL), POS_OK);
        assert_bytes_equal(dk, want, bdk_len);
        if (v[i].pin == NULL)
            continue;
        hex_to(v[i].pin, want, klen);
        assert_int_equal(dukpt_aes_working_key(dk, bdk_len, ksn, DUKPT_AES_USAGE_PIN, pin_type, key,
                                               sizeof(key), &len),
                         POS_OK);
        assert_int_equal(len, klen);
        assert_bytes_equal(key, want, klen);
        memset(key, 0, sizeof(key));
        assert_int_equal(dukpt_aes_host_working_key(&h, ksn, DUKPT_AES_USAGE_PIN, pin_type, key,
                                                    sizeof(key), &len, NULL),
                         POS_OK);
        assert_bytes_equal(key, want, klen);
    }
    dukpt_aes_host_clear(&h);
}

/* Other usages of counter 1 under the AES-256 BDK (supplement values as
 * reproduced in published DUKPT reference notes). */
static void test_aes256_other_usages(void **state)
{
    uint8_t dk[32], ksn[12], key[32], want[32];
    size_t len;

    (void)state;
    hex_to(aes256[0].dk, dk, 32);
    ksn_of(1, ksn);
    assert_int_equal(dukpt_aes_working_key(dk, 32, ksn, DUKPT_AES_USAGE_MAC_GENERATION,
                                           DUKPT_AES_AES256, key, sizeof(key), &len),
                     POS_OK);
    hex_to("61DABDF4B340CF461EE860B1D1AB55357142BD2D6977306859CF49AEFE8F1549", want, 32);
    assert_bytes_equal(key, want, 32);
    assert_int_equal(dukpt_aes_working_key(dk, 32, ksn, DUKPT_AES_USAGE_DATA_ENCRYPT,
                                           DUKPT_AES_AES256, key, sizeof(key), &len),
                     POS_OK);
    hex_to("71EB36C9A6B7F801D1D1700C29741FC5A5C4E9B45D742DA7AF6992B8AA29AF58", want, 32);
    assert_bytes_equal(key, want, 32);
}

static void test_supplement_aes128(void **state)
{
    (void)state;
    check_suite(BDK128, 16, aes128, NVEC(aes128), DUKPT_AES_AES128);
}

static void test_supplement_aes256(void **state)
{
    (void)state;
    check_suite(BDK256, 32, aes256, NVEC(aes256), DUKPT_AES_AES256);
}

/* Every usage of counter 1 under the AES-128 BDK, AES-128 keys (supplement;
 * reproduced in several independent implementations' tests), and the 2TDEA
 * and 3TDEA suites ("2-key / 3-key TDEA keys from AES-128 BDK"). */
static void test_working_keys_counter1(void **state)
{
    static const struct {
        enum dukpt_aes_usage usage;
        enum dukpt_aes_key_type type;
        const char *want;
    } cases[] = {
        {DUKPT_AES_USAGE_PIN, DUKPT_AES_AES128, "AF8CB133A78F8DC2D1359F18527593FB"},
        {DUKPT_AES_USAGE_MAC_GENERATION, DUKPT_AES_AES128, "A2DC23DE6FDE0824A2BC321E08E4B8B7"},
        {DUKPT_AES_USAGE_MAC_VERIFICATION, DUKPT_AES_AES128, "DBB463945B286C07CD3AD82EE96FD9C9"},
        {DUKPT_AES_USAGE_MAC_BOTH, DUKPT_AES_AES128, "85675439D18D7F1158BD8E3EAA3D502B"},
        {DUKPT_AES_USAGE_DATA_ENCRYPT, DUKPT_AES_AES128, "A35C412EFD41FDB98B69797C02DCD08F"},
        {DUKPT_AES_USAGE_DATA_DECRYPT, DUKPT_AES_AES128, "16292C6EA8F64C5420A0584BFBC577BE"},
        {DUKPT_AES_USAGE_DATA_BOTH, DUKPT_AES_AES128, "A308E080DD15A1B741F1721BF67DE11C"},
        {DUKPT_AES_USAGE_KEK, DUKPT_AES_AES128, "36A724B7BEFA5A25F5E7B5782A4554A2"},
        {DUKPT_AES_USAGE_PIN, DUKPT_AES_2TDEA, "630C706D9546E47D4449313F61C4D4AB"},
        {DUKPT_AES_USAGE_MAC_GENERATION, DUKPT_AES_2TDEA, "5D8FD787E8A796D07035FFCA9B5800BB"},
        {DUKPT_AES_USAGE_DATA_ENCRYPT, DUKPT_AES_2TDEA, "BD44121C223F831446A01EE3A4CB58D2"},
        {DUKPT_AES_USAGE_PIN, DUKPT_AES_3TDEA, "EA8B3F37EB9B15831167EF2977FD8762D9B5913F35766F6A"},
    };
    uint8_t dk[16], ksn[12], key[32], want[32];
    size_t i, len;

    (void)state;
    hex_to(aes128[0].dk, dk, 16);
    ksn_of(1, ksn);
    for (i = 0; i < NVEC(cases); i++) {
        size_t n = dukpt_aes_key_len(cases[i].type);
        hex_to(cases[i].want, want, n);
        assert_int_equal(dukpt_aes_working_key(dk, 16, ksn, cases[i].usage, cases[i].type, key,
                                               sizeof(key), &len),
                         POS_OK);
        assert_int_equal(len, n);
        assert_bytes_equal(key, want, n);
    }
}

/* Device and host agree over the first 1000 transactions; each consecutive
 * counter costs the host one derivation. */
static void test_device_host_agree(void **state)
{
    struct dukpt_aes_device dev;
    struct dukpt_aes_host h;
    uint8_t ik[16], ikid[8], ksn[12], prev[12], ddk[16], hdk[16];
    int i;

    (void)state;
    hex_to(IK128, ik, 16);
    hex_to(IKID, ikid, 8);
    ksn_of(0, prev);
    assert_int_equal(dukpt_aes_device_load(&dev, ik, 16, ikid), POS_OK);
    assert_int_equal(dukpt_aes_host_init(&h, ik, 16, prev), POS_OK);
    for (i = 0; i < 1000; i++) {
        assert_int_equal(dukpt_aes_device_next(&dev, ddk, ksn), POS_OK);
        assert_int_equal(dukpt_aes_ksn_next(prev, prev), POS_OK);
        assert_bytes_equal(ksn, prev, 12);
        assert_int_equal(dukpt_aes_host_derive(&h, ksn, hdk, NULL), POS_OK);
        assert_bytes_equal(hdk, ddk, 16);
        assert_int_equal(dukpt_aes_host_last_steps(&h), 1);
        if (i < 8) {
            uint8_t want[16];
            hex_to(aes128[i].dk, want, 16);
            assert_bytes_equal(ddk, want, 16);
        }
    }
    assert_int_equal(dukpt_aes_device_counter(&dev), 1001);
    dukpt_aes_host_clear(&h);
    dukpt_aes_device_clear(&dev);
}

/* The device across the published rollover: 1FFFE has 16 one-bits, so it
 * is followed by 20000 (1FFFF skipped), then 20001. */
static void test_device_rollover(void **state)
{
    struct dukpt_aes_device dev;
    uint8_t ik[16], ksn[12], dk[16], want[16];
    size_t i;

    (void)state;
    hex_to(IK128, ik, 16);
    ksn_of(0x1FFFE, ksn);
    assert_int_equal(dukpt_aes_device_resume(&dev, ik, 16, ksn, NULL), POS_OK);
    for (i = 8; i <= 10; i++) {
        assert_int_equal(dukpt_aes_device_next(&dev, dk, ksn), POS_OK);
        assert_int_equal(dukpt_aes_ksn_counter(ksn), aes128[i].counter);
        hex_to(aes128[i].dk, want, 16);
        assert_bytes_equal(dk, want, 16);
    }
    dukpt_aes_device_clear(&dev);
}

/* The last four usable counters of the supplement, then exhaustion. */
static void test_device_exhaustion(void **state)
{
    struct dukpt_aes_device dev;
    uint8_t ik[32], ksn[12], dk[32], want[32];
    size_t i;

    (void)state;
    hex_to(IK256, ik, 32);
    ksn_of(0xFFFE4000, ksn);
    assert_int_equal(dukpt_aes_device_resume(&dev, ik, 32, ksn, NULL), POS_OK);
    for (i = 3; i < NVEC(aes256); i++) {
        assert_int_equal(dukpt_aes_device_next(&dev, dk, ksn), POS_OK);
        assert_int_equal(dukpt_aes_ksn_counter(ksn), aes256[i].counter);
        hex_to(aes256[i].dk, want, 32);
        assert_bytes_equal(dk, want, 32);
    }
    assert_true(dukpt_aes_device_is_exhausted(&dev));
    memset(dk, 0xAA, sizeof(dk));
    assert_int_equal(dukpt_aes_device_next(&dev, dk, ksn), POS_ERR_DUKPT_EXHAUSTED);
    assert_true(dk[0] == 0 && dk[31] == 0);
    dukpt_aes_device_clear(&dev);
    /* ksn-next agrees */
    ksn_of(0xFFFE8000, ksn);
    assert_int_equal(dukpt_aes_ksn_next(ksn, ksn), POS_OK);
    assert_int_equal(dukpt_aes_ksn_counter(ksn), DUKPT_AES_COUNTER_LAST);
    assert_int_equal(dukpt_aes_ksn_next(ksn, want), POS_ERR_DUKPT_EXHAUSTED);
    assert_bytes_equal(want, ksn, 12);
    ksn_of(0x1FFFE, ksn);
    assert_int_equal(dukpt_aes_ksn_next(ksn, ksn), POS_OK);
    assert_int_equal(dukpt_aes_ksn_counter(ksn), 0x20000);
}

/* A register not in use is skipped (Annex B "generate working keys"). */
static void test_device_bad_register(void **state)
{
    struct dukpt_aes_device dev;
    uint8_t ik[16], ikid[8], ksn[12], dk[16], want[16];

    (void)state;
    hex_to(IK128, ik, 16);
    hex_to(IKID, ikid, 8);
    assert_int_equal(dukpt_aes_device_load(&dev, ik, 16, ikid), POS_OK);
    dev.valid &= ~1u;
    assert_int_equal(dukpt_aes_device_next(&dev, dk, ksn), POS_OK);
    assert_int_equal(dukpt_aes_ksn_counter(ksn), 2);
    hex_to(aes128[1].dk, want, 16);
    assert_bytes_equal(dk, want, 16);
    dev.valid = 0;
    assert_int_equal(dukpt_aes_device_next(&dev, dk, ksn), POS_ERR_DUKPT_EXHAUSTED);
    assert_true(dukpt_aes_device_is_exhausted(&dev));
    dukpt_aes_device_clear(&dev);
}

static void test_bad_inputs(void **state)
{
    struct pos_errdetail d;
    struct dukpt_aes_device dev;
    struct dukpt_aes_host h;
    uint8_t ik[32], ksn[12], dk[32], key[32];
    size_t len;

    (void)state;
    hex_to(IK256, ik, 32);
    pos_errdetail_init(&d);
    /* counter 0 and 17 one-bits (the supplement's 1FFFF) */
    ksn_of(0, ksn);
    assert_int_equal(dukpt_aes_ksn_check(ksn, &d), POS_ERR_KSN);
    assert_non_null(strstr(d.what, "counter is 0"));
    ksn_of(0x1FFFF, ksn);
    memset(dk, 0xAA, sizeof(dk));
    assert_int_equal(dukpt_aes_derive(ik, 16, ksn, dk, &d), POS_ERR_KSN);
    assert_non_null(strstr(d.what, "0001FFFF has 17 one-bits"));
    assert_true(dk[0] == 0 && dk[15] == 0);
    assert_false(dukpt_aes_counter_is_valid(0x1FFFF));
    assert_true(dukpt_aes_counter_is_valid(DUKPT_AES_COUNTER_LAST));
    assert_int_equal(dukpt_aes_device_resume(&dev, ik, 16, ksn, NULL), POS_ERR_KSN);
    dukpt_aes_device_clear(&dev);
    /* key lengths */
    ksn_of(1, ksn);
    assert_int_equal(dukpt_aes_derive(ik, 8, ksn, dk, NULL), POS_ERR_KEY_LENGTH);
    assert_int_equal(dukpt_aes_host_init(&h, ik, 20, ksn), POS_ERR_KEY_LENGTH);
    assert_int_equal(dukpt_aes_host_init_bdk(&h, ik, 15, ksn), POS_ERR_KEY_LENGTH);
    assert_int_equal(dukpt_aes_device_load(&dev, ik, 12, ksn), POS_ERR_KEY_LENGTH);
    dukpt_aes_device_clear(&dev);
    /* working keys: no AES-256 from an AES-128 key (§6.1.3), no derivation
     * usages, an unknown type, too little room, a bad derivation key */
    hex_to(aes128[0].dk, dk, 16);
    memset(key, 0xAA, sizeof(key));
    assert_int_equal(dukpt_aes_working_key(dk, 16, ksn, DUKPT_AES_USAGE_PIN, DUKPT_AES_AES256, key,
                                           sizeof(key), &len),
                     POS_ERR_KEY_LENGTH);
    assert_true(key[0] == 0 && key[31] == 0);
    assert_int_equal(dukpt_aes_working_key(dk, 16, ksn, DUKPT_AES_USAGE_PIN, DUKPT_AES_AES192, key,
                                           sizeof(key), &len),
                     POS_ERR_KEY_LENGTH);
    assert_int_equal(dukpt_aes_working_key(dk, 16, ksn, DUKPT_AES_USAGE_KEY_DERIVATION,
                                           DUKPT_AES_AES128, key, sizeof(key), &len),
                     POS_ERR_INVAL);
    assert_int_equal(dukpt_aes_working_key(dk, 16, ksn, DUKPT_AES_USAGE_PIN,
                                           (enum dukpt_aes_key_type)9, key, sizeof(key), &len),
                     POS_ERR_INVAL);
    assert_int_equal(
        dukpt_aes_working_key(dk, 16, ksn, DUKPT_AES_USAGE_PIN, DUKPT_AES_AES128, key, 15, &len),
        POS_ERR_NOSPACE);
    assert_int_equal(dukpt_aes_working_key(dk, 10, ksn, DUKPT_AES_USAGE_PIN, DUKPT_AES_AES128, key,
                                           sizeof(key), &len),
                     POS_ERR_KEY_LENGTH);
    /* AES-128 working keys from an AES-256 key are fine */
    assert_int_equal(dukpt_aes_working_key(ik, 32, ksn, DUKPT_AES_USAGE_PIN, DUKPT_AES_AES128, key,
                                           sizeof(key), &len),
                     POS_OK);
    assert_int_equal(len, 16);
    /* host: another device, a bad counter, an uninitialised cache */
    assert_int_equal(dukpt_aes_host_init(&h, ik, 32, ksn), POS_OK);
    hex_to("123456789012345700000001", ksn, 12);
    assert_int_equal(dukpt_aes_host_derive(&h, ksn, dk, &d), POS_ERR_KSN);
    assert_non_null(strstr(d.what, "another device"));
    ksn_of(0x1FFFF, ksn);
    assert_int_equal(dukpt_aes_host_working_key(&h, ksn, DUKPT_AES_USAGE_PIN, DUKPT_AES_AES256, key,
                                                sizeof(key), &len, &d),
                     POS_ERR_KSN);
    dukpt_aes_host_clear(&h);
    memset(&h, 0, sizeof(h));
    assert_int_equal(dukpt_aes_host_derive(&h, ksn, dk, NULL), POS_ERR_INVAL);
    /* a device never loaded */
    memset(&dev, 0, sizeof(dev));
    assert_int_equal(dukpt_aes_device_next(&dev, dk, ksn), POS_ERR_INVAL);
    dukpt_aes_device_clear(NULL);
    dukpt_aes_host_clear(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_initial_key),           cmocka_unit_test(test_derivation_data),
        cmocka_unit_test(test_supplement_aes128),     cmocka_unit_test(test_supplement_aes256),
        cmocka_unit_test(test_working_keys_counter1),
        cmocka_unit_test(test_aes256_other_usages), cmocka_unit_test(test_device_host_agree),
        cmocka_unit_test(test_device_rollover),       cmocka_unit_test(test_device_exhaustion),
        cmocka_unit_test(test_device_bad_register),   cmocka_unit_test(test_bad_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
