/* Tests for src/lib/crypto/dukpt.c (ANSI X9.24-1-2009 TDES DUKPT). */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "crypto/block.h"
#include "crypto/dukpt.h"
#include "error.h"

/* ANSI X9.24-1-2009 Annex A.4 "DUKPT Test Data Examples": BDK, initial KSN,
 * the IPEK, and the PIN block of PIN 1234 for PAN 4012345678909 (format 0). */
#define BDK             "0123456789ABCDEFFEDCBA9876543210"
#define IKSN            "FFFF9876543210E00000"
#define IPEK            "6AC292FAA1315B4D858AB3A3D7D5933A"
#define CLEAR_PIN_BLOCK "041274EDCBA9876F"

struct vector {
    const char *ksn, *key, *enc;
};

/* X9.24-1-2009 A.4.2, the initial sequence: KSN, the current (transaction)
 * key, and the PIN block above enciphered under its PIN variant. */
static const struct vector initial_seq[] = {
    {"FFFF9876543210E00001", "042666B49184CFA368DE9628D0397BC9", "1B9C1845EB993A7A"},
    {"FFFF9876543210E00002", "C46551CEF9FD24B0AA9AD834130D3BC7", "10A01C8D02C69107"},
    {"FFFF9876543210E00003", "0DF3D9422ACA56E547676D07AD6BADFA", "18DC07B94797B466"},
    {"FFFF9876543210E00004", "279C0F6AEED0BE652B2C733E1383AE91", "0BC79509D5645DF7"},
    {"FFFF9876543210E00005", "5F8DC6D2C845C125508DDC048093B83F", "5BC0AF22AD87B327"},
    {"FFFF9876543210E00006", "5E415CB0BAF9F03CD0C14B63FB62FF43", "A16DF70AE36158D8"},
    {"FFFF9876543210E00007", "0C8F780B7C8B49D0AE84A9EB2A6CE660", "27711C16CB257F8E"},
    {"FFFF9876543210E00008", "27F66D5244FF62E1AA6F6120EDEB4280", "50E55547A5027551"},
    {"FFFF9876543210E00009", "27E31064FDC565698900E2057F658E7E", "536CF7F678ACFC8D"},
    {"FFFF9876543210E0000A", "6CF2500A22507C7CC776CEADC1E33014", "EDABBA23221833FE"},
    {"FFFF9876543210E0000B", "3E8260BA04B2D620C01482B3819A18B7", "2328981C57B4BDBA"},
    {"FFFF9876543210E0000C", "B716E1E11CF53D80726CAEE75C3A624F", "038D03CC926CF286"},
    {"FFFF9876543210E0000D", "E072EDF95340535FB6C581C58FBF2533", "6C8AA97088B62C68"},
    {"FFFF9876543210E0000E", "A80046087F5B8F245AAD95E18429084F", "F17C9E1D72CD4950"},
    {"FFFF9876543210E0000F", "93DD5B956C4878472E453AAEFD32A5AA", "B170F6E7F7F2F64A"},
    {"FFFF9876543210E00010", "59598DCBD9BD94C094165CE453585F57", "D5D9638559EF53D6"},
    {"FFFF9876543210E00011", "2B5F01F4F0CC05EA639D523231BF1BA2", "D544F8CDD292C863"},
    {"FFFF9876543210E00012", "9CF640F279C2AEE615F725EEEAC2CBAF", "7A21BD10F36DC41D"},
    {"FFFF9876543210E00013", "C3DF489FDF1153B4F03DE97C27DC4C2F", "78649BD17D0DFA60"},
    {"FFFF9876543210E00014", "658488507721B3F14737FA93F923CBD2", "7E7E16EA0C31AD56"},
    {"FFFF9876543210E00015", "E161D1956A61F6D2F37AFD7F9CC3699A", "72105C22EBC791E6"},
};

/* X9.24-1-2009 A.4.3, the sequence around a counter of 10 one-bits: after
 * 0FF800 (9 one-bits) each KSN has 10 one-bits, so the device adds the
 * lowest one-bit until the carry reaches counter 100000. */
static const struct vector rollover_seq[] = {
    {"FFFF9876543210EFF800", "F9CDFEBF4F5B1D9EB3EC12454527E176", "33365F5CC6F23C35"},
    {"FFFF9876543210EFF801", "5BEE92627E97825C911BF619DF72CA3B", "3A86BF003F835C9D"},
    {"FFFF9876543210EFF802", "64CA2F8AB93F61B01620B00BF77C7301", "3DB977D05C36DF3F"},
    {"FFFF9876543210EFF804", "35A168695B3BA83307E871C42021DD37", "BA83243305712099"},
    {"FFFF9876543210EFF808", "12C380FCB72ED3C26FC6079AF63F4787", "B0DA04AC90A36D85"},
    {"FFFF9876543210EFF810", "D8007C833A1E3C49C6889B97A68C54FF", "2CF02BD9C309EEDA"},
    {"FFFF9876543210EFF820", "A9C9FF9B735FDD49591F296B0BF0FD70", "9D1E2F77AEEE81C6"},
    {"FFFF9876543210EFF840", "0E3E221062CB5E03A384602783A004FA", "40870B0F8BA2011C"},
    {"FFFF9876543210EFF880", "CA8225C587124DFBB87F279C0BE29727", "22E340D6ABB40981"},
    {"FFFF9876543210EFF900", "906AAC1751D4971A144D52C76C6E1F97", "1A4C10AFBA03A430"},
    {"FFFF9876543210EFFA00", "2B9E2CE7C2750337E10B54D2989EA6AF", "849763B43E5F9CFF"},
    {"FFFF9876543210EFFC00", "F9430DF975082491C77BE4EF4FDB91EE", "DEFC6F09F8927B71"},
    {"FFFF9876543210F00000", "AA4D58DB653EC74A48C75F2F047DD2B5", "73EC88AD0AC5830E"},
};

#define NVEC(a) (sizeof(a) / sizeof((a)[0]))

/* Decodes hex (spaces allowed) into out, which must be exactly n bytes. */
static void hex_to(const char *hex, uint8_t *out, size_t n)
{
    size_t len;
    const uint8_t *b = tu_hex(hex, &len);

    assert_int_equal(len, n);
    memcpy(out, b, n);
}

/* E(PIN variant of key, CLEAR_PIN_BLOCK): the device's PIN encipherment. */
static void encipher_pin(const uint8_t *key, uint8_t *out)
{
    uint8_t pin_key[DUKPT_KEY_LEN], clear[8];

    hex_to(CLEAR_PIN_BLOCK, clear, 8);
    assert_int_equal(dukpt_variant(key, DUKPT_USAGE_PIN, pin_key), POS_OK);
    assert_int_equal(block_ecb(BLOCK_TDES, pin_key, 16, true, clear, 8, out), POS_OK);
}

static void check_vectors(const struct vector *v, size_t n, struct dukpt_host *h)
{
    uint8_t ipek[16], ksn[10], want[16], key[16], enc[8], want_enc[8], dec[8], clear[8];
    size_t i;

    hex_to(IPEK, ipek, 16);
    hex_to(CLEAR_PIN_BLOCK, clear, 8);
    for (i = 0; i < n; i++) {
        hex_to(v[i].ksn, ksn, 10);
        hex_to(v[i].key, want, 16);
        hex_to(v[i].enc, want_enc, 8);
        /* stateless derivation */
        assert_int_equal(dukpt_derive(ipek, ksn, key, NULL), POS_OK);
        assert_bytes_equal(key, want, 16);
        encipher_pin(key, enc);
        assert_bytes_equal(enc, want_enc, 8);
        /* the per-terminal cache */
        memset(key, 0, sizeof(key));
        assert_int_equal(dukpt_host_derive(h, ksn, key, NULL), POS_OK);
        assert_bytes_equal(key, want, 16);
        assert_int_equal(dukpt_host_decrypt_pin(h, ksn, want_enc, dec, NULL), POS_OK);
        assert_bytes_equal(dec, clear, 8);
    }
}

static void test_ipek(void **state)
{
    uint8_t bdk[16], ksn[10], ipek[16], want[16];

    (void)state;
    hex_to(BDK, bdk, 16);
    hex_to(IPEK, want, 16);
    hex_to(IKSN, ksn, 10);
    assert_int_equal(dukpt_ipek(bdk, 16, ksn, ipek), POS_OK);
    assert_bytes_equal(ipek, want, 16);
    /* the counter bits of the KSN do not enter the IPEK */
    hex_to("FFFF9876543210FFFFFF", ksn, 10);
    assert_int_equal(dukpt_ipek(bdk, 16, ksn, ipek), POS_OK);
    assert_bytes_equal(ipek, want, 16);
    /* ... but the three initial-KSN bits of byte 7 do */
    hex_to("FFFF9876543210C00000", ksn, 10);
    assert_int_equal(dukpt_ipek(bdk, 16, ksn, ipek), POS_OK);
    assert_memory_not_equal(ipek, want, 16);
    /* X9.24-1-2009 uses a double-length BDK only */
    memset(ipek, 0xAA, sizeof(ipek));
    assert_int_equal(dukpt_ipek(bdk, 8, ksn, ipek), POS_ERR_KEY_LENGTH);
    assert_int_equal(dukpt_ipek(bdk, 24, ksn, ipek), POS_ERR_KEY_LENGTH);
    assert_true(ipek[0] == 0 && ipek[15] == 0);
}

static void test_annex_a_sequences(void **state)
{
    struct dukpt_host h;
    uint8_t bdk[16], ksn[10];

    (void)state;
    hex_to(BDK, bdk, 16);
    hex_to(IKSN, ksn, 10);
    assert_int_equal(dukpt_host_init_bdk(&h, bdk, 16, ksn), POS_OK);
    check_vectors(initial_seq, NVEC(initial_seq), &h);
    check_vectors(rollover_seq, NVEC(rollover_seq), &h);
    dukpt_host_clear(&h);
}

/* The device walks the published sequences: from the initial load, and from
 * counter 0FF800 (resumed) through the 10-one-bit skips to 100000. */
static void test_device_annex_a(void **state)
{
    struct dukpt_device dev;
    uint8_t ipek[16], ksn[10], key[16], want[16], want_ksn[10], enc[8], want_enc[8];
    size_t i;

    (void)state;
    hex_to(IPEK, ipek, 16);
    hex_to(IKSN, ksn, 10);
    assert_int_equal(dukpt_device_load(&dev, ipek, ksn), POS_OK);
    assert_int_equal(dukpt_device_counter(&dev), 1);
    for (i = 0; i < NVEC(initial_seq); i++) {
        assert_int_equal(dukpt_device_next(&dev, key, ksn), POS_OK);
        hex_to(initial_seq[i].ksn, want_ksn, 10);
        hex_to(initial_seq[i].key, want, 16);
        hex_to(initial_seq[i].enc, want_enc, 8);
        assert_bytes_equal(ksn, want_ksn, 10);
        assert_bytes_equal(key, want, 16);
        encipher_pin(key, enc);
        assert_bytes_equal(enc, want_enc, 8);
    }
    dukpt_device_clear(&dev);

    hex_to(rollover_seq[0].ksn, ksn, 10);
    assert_int_equal(dukpt_device_resume(&dev, ipek, ksn, NULL), POS_OK);
    for (i = 0; i < NVEC(rollover_seq); i++) {
        assert_int_equal(dukpt_device_next(&dev, key, ksn), POS_OK);
        hex_to(rollover_seq[i].ksn, want_ksn, 10);
        hex_to(rollover_seq[i].key, want, 16);
        assert_bytes_equal(ksn, want_ksn, 10);
        assert_bytes_equal(key, want, 16);
    }
    assert_int_equal(dukpt_device_counter(&dev), 0x100001);
    dukpt_device_clear(&dev);
}

/* ksn-next follows the same published KSN sequences. */
static void test_ksn_next(void **state)
{
    uint8_t ksn[10], want[10];
    size_t i;

    (void)state;
    hex_to(IKSN, ksn, 10);
    for (i = 0; i < NVEC(initial_seq); i++) {
        assert_int_equal(dukpt_ksn_next(ksn, ksn), POS_OK);
        hex_to(initial_seq[i].ksn, want, 10);
        assert_bytes_equal(ksn, want, 10);
    }
    hex_to(rollover_seq[0].ksn, ksn, 10);
    for (i = 1; i < NVEC(rollover_seq); i++) {
        assert_int_equal(dukpt_ksn_next(ksn, ksn), POS_OK);
        hex_to(rollover_seq[i].ksn, want, 10);
        assert_bytes_equal(ksn, want, 10);
    }
    /* the last usable counter, 1FF800 (bits 11..20), has no successor */
    hex_to("FFFF9876543210FFF800", ksn, 10);
    assert_int_equal(dukpt_ksn_counter(ksn), DUKPT_COUNTER_LAST);
    assert_int_equal(dukpt_ksn_next(ksn, want), POS_ERR_DUKPT_EXHAUSTED);
    assert_bytes_equal(want, ksn, 10);
    hex_to("FFFF9876543210FFF7FF", ksn, 10); /* 20 one-bits: next valid is 1FF800 */
    assert_int_equal(dukpt_ksn_next(ksn, want), POS_OK);
    assert_int_equal(dukpt_ksn_counter(want), DUKPT_COUNTER_LAST);
    dukpt_ksn_set_counter(ksn, 0x1FFFFF, ksn);
    assert_int_equal(dukpt_ksn_next(ksn, want), POS_ERR_DUKPT_EXHAUSTED);
    /* set_counter keeps the initial KSN bits of byte 7 */
    dukpt_ksn_set_counter(ksn, 0x12345, want);
    assert_int_equal(want[7], 0xE1);
    assert_int_equal(dukpt_ksn_counter(want), 0x12345);
}

/* X9.24-1-2009 A.4.1 table A-1 variants of the first transaction key. */
static void test_variants(void **state)
{
    static const struct {
        enum dukpt_usage usage;
        const char *want;
    } cases[] = {
        {DUKPT_USAGE_PIN, "042666B49184CF5C68DE9628D0397B36"},
        {DUKPT_USAGE_MAC_REQUEST, "042666B4918430A368DE9628D03984C9"},
        {DUKPT_USAGE_MAC_RESPONSE, "042666B46E84CFA368DE96282F397BC9"},
    };
    uint8_t key[16], out[16], want[16], data_key[16];
    size_t i;

    (void)state;
    hex_to(initial_seq[0].key, key, 16);
    for (i = 0; i < NVEC(cases); i++) {
        hex_to(cases[i].want, want, 16);
        assert_int_equal(dukpt_variant(key, cases[i].usage, out), POS_OK);
        assert_bytes_equal(out, want, 16);
    }
    /* data keys: the variant encrypted under itself, half by half */
    hex_to("042666B4917BCFA368DE9628D0C67BC9", want, 16); /* the bare variant */
    assert_int_equal(block_ecb(BLOCK_TDES, want, 16, true, want, 16, data_key), POS_OK);
    assert_int_equal(dukpt_variant(key, DUKPT_USAGE_DATA_REQUEST, out), POS_OK);
    assert_bytes_equal(out, data_key, 16);
    hex_to("0426664B9184CFA368DE96D7D0397BC9", want, 16);
    assert_int_equal(block_ecb(BLOCK_TDES, want, 16, true, want, 16, data_key), POS_OK);
    assert_int_equal(dukpt_variant(key, DUKPT_USAGE_DATA_RESPONSE, out), POS_OK);
    assert_bytes_equal(out, data_key, 16);
    /* in place */
    memcpy(out, key, 16);
    assert_int_equal(dukpt_variant(out, DUKPT_USAGE_PIN, out), POS_OK);
    hex_to(cases[0].want, want, 16);
    assert_bytes_equal(out, want, 16);
    /* unknown usage */
    assert_int_equal(dukpt_variant(key, (enum dukpt_usage)9, out), POS_ERR_INVAL);
    assert_true(out[0] == 0 && out[15] == 0);
}

/* Data keys. No published vector for the data variants was found; the key
 * C39B2778B058AC376FB18DC906F75CBA for KSN FFFF9876543210E00008 (BDK of
 * A.4) is the data-request key of an independent implementation (the test
 * data of SoftwareVerde/java-dukpt, DukptTests.testToDataKey), and was
 * recomputed with the openssl command line (des-ede ECB of the variant under
 * itself). The same project's card-data example, a track 1 enciphered
 * (TDES CBC, zero IV) under the PIN variant of that KSN the way ID TECH
 * readers of that generation did, checks the PIN variant and the host. */
static void test_data_key_and_track(void **state)
{
    static const char track[] = "%B5452300551227189^HOGAN/PAUL      ^08043210000000725000000?";
    uint8_t ipek[16], ksn[10], key[16], want[16], data_key[16], ct[64], pt[64];
    struct block_key k;

    (void)state;
    hex_to(IPEK, ipek, 16);
    hex_to("FFFF9876543210E00008", ksn, 10);
    hex_to("C39B2778B058AC376FB18DC906F75CBA", want, 16);
    hex_to("C25C1D1197D31CAA87285D59A892047426D9182EC11353C051ADD6D0F072A6CB"
           "3436560B3071FC1FD11D9F7E74886742D9BEE0CFD1EA1064C213BB55278B2F12",
           ct, 64);
    assert_int_equal(dukpt_derive(ipek, ksn, key, NULL), POS_OK);
    assert_int_equal(dukpt_variant(key, DUKPT_USAGE_DATA_REQUEST, data_key), POS_OK);
    assert_bytes_equal(data_key, want, 16);
    assert_int_equal(dukpt_variant(key, DUKPT_USAGE_PIN, key), POS_OK);
    assert_int_equal(block_key_init(&k, BLOCK_TDES, key, 16), POS_OK);
    assert_int_equal(block_cbc_decrypt(&k, NULL, ct, 64, pt), POS_OK);
    block_key_clear(&k);
    assert_memory_equal(pt, track, sizeof(track) - 1);
    assert_true(pt[60] == 0 && pt[63] == 0);
}

/* The device and the host agree over the first 1000 transactions, and the
 * host's cache makes each consecutive counter a single key generation. */
static void test_device_host_agree(void **state)
{
    struct dukpt_device dev;
    struct dukpt_host h;
    uint8_t ipek[16], iksn[10], ksn[10], prev[10], dkey[16], hkey[16], skey[16];
    int i;

    (void)state;
    hex_to(IPEK, ipek, 16);
    hex_to(IKSN, iksn, 10);
    assert_int_equal(dukpt_device_load(&dev, ipek, iksn), POS_OK);
    assert_int_equal(dukpt_host_init(&h, ipek, iksn), POS_OK);
    memcpy(prev, iksn, 10);
    for (i = 0; i < 1000; i++) {
        assert_int_equal(dukpt_device_next(&dev, dkey, ksn), POS_OK);
        assert_int_equal(dukpt_ksn_next(prev, prev), POS_OK);
        assert_bytes_equal(ksn, prev, 10);
        assert_int_equal(dukpt_host_derive(&h, ksn, hkey, NULL), POS_OK);
        assert_bytes_equal(hkey, dkey, 16);
        assert_int_equal(dukpt_host_last_steps(&h), 1);
        assert_int_equal(dukpt_derive(ipek, ksn, skey, NULL), POS_OK);
        assert_bytes_equal(skey, dkey, 16);
    }
    /* the same KSN again costs nothing; a jump back re-walks part of the path */
    assert_int_equal(dukpt_host_derive(&h, ksn, hkey, NULL), POS_OK);
    assert_int_equal(dukpt_host_last_steps(&h), 0);
    assert_bytes_equal(hkey, dkey, 16);
    dukpt_ksn_set_counter(ksn, 0x0FF800, ksn);
    assert_int_equal(dukpt_host_derive(&h, ksn, hkey, NULL), POS_OK);
    assert_int_equal(dukpt_host_last_steps(&h), 9);
    hex_to(rollover_seq[0].key, skey, 16);
    assert_bytes_equal(hkey, skey, 16);
    dukpt_host_clear(&h);
    dukpt_device_clear(&dev);
}

/* A device runs every one of its 1,048,575 counters (the number with 1 to
 * 10 one-bits among 21), ends at 1FF800 and then refuses to work. */
static void test_device_exhaustion(void **state)
{
    struct dukpt_device dev;
    struct dukpt_host h;
    uint8_t ipek[16], iksn[10], ksn[10], key[16], hkey[16];
    uint32_t c, prev = 0;
    long n = 0;
    int rc;

    (void)state;
    hex_to(IPEK, ipek, 16);
    hex_to(IKSN, iksn, 10);
    assert_int_equal(dukpt_device_load(&dev, ipek, iksn), POS_OK);
    assert_int_equal(dukpt_host_init(&h, ipek, iksn), POS_OK);
    while ((rc = dukpt_device_next(&dev, key, ksn)) == POS_OK) {
        c = dukpt_ksn_counter(ksn);
        if (c <= prev || !dukpt_counter_is_valid(c))
            fail_msg("counter %06X after %06X", (unsigned)c, (unsigned)prev);
        prev = c;
        n++;
        if ((n & 0xFFF) == 0 || c >= 0x1FF000) {
            assert_int_equal(dukpt_host_derive(&h, ksn, hkey, NULL), POS_OK);
            assert_bytes_equal(hkey, key, 16);
        }
    }
    assert_int_equal(rc, POS_ERR_DUKPT_EXHAUSTED);
    assert_int_equal(n, 1048575);
    assert_int_equal(prev, DUKPT_COUNTER_LAST);
    assert_int_equal(dukpt_device_counter(&dev), 0);
    memset(key, 0xAA, sizeof(key));
    assert_int_equal(dukpt_device_next(&dev, key, ksn), POS_ERR_DUKPT_EXHAUSTED);
    assert_true(key[0] == 0 && key[15] == 0);
    dukpt_host_clear(&h);
    dukpt_device_clear(&dev);
}

/* Resumed at the last counter, the device works once more and stops. */
static void test_device_resume_last(void **state)
{
    struct dukpt_device dev;
    uint8_t ipek[16], ksn[10], key[16], want[16];

    (void)state;
    hex_to(IPEK, ipek, 16);
    hex_to("FFFF9876543210FFF800", ksn, 10);
    assert_int_equal(dukpt_derive(ipek, ksn, want, NULL), POS_OK);
    assert_int_equal(dukpt_device_resume(&dev, ipek, ksn, NULL), POS_OK);
    assert_int_equal(dukpt_device_next(&dev, key, ksn), POS_OK);
    assert_bytes_equal(key, want, 16);
    assert_int_equal(dukpt_device_next(&dev, key, ksn), POS_ERR_DUKPT_EXHAUSTED);
    dukpt_device_clear(&dev);
}

/* "Request PIN Entry": a register whose LRC is bad (here: marked erased) is
 * skipped by adding the shift register to the counter. */
static void test_device_bad_register(void **state)
{
    struct dukpt_device dev;
    uint8_t ipek[16], ksn[10], key[16], want[16];

    (void)state;
    hex_to(IPEK, ipek, 16);
    hex_to(IKSN, ksn, 10);
    assert_int_equal(dukpt_device_load(&dev, ipek, ksn), POS_OK);
    dev.valid &= ~1u; /* register #21 (counter 1) fails its LRC */
    assert_int_equal(dukpt_device_next(&dev, key, ksn), POS_OK);
    assert_int_equal(dukpt_ksn_counter(ksn), 2);
    hex_to(initial_seq[1].key, want, 16);
    assert_bytes_equal(key, want, 16);
    /* every register bad: the device cannot find a key */
    dev.valid = 0;
    assert_int_equal(dukpt_device_next(&dev, key, ksn), POS_ERR_DUKPT_EXHAUSTED);
    dukpt_device_clear(&dev);
}

static void test_bad_inputs(void **state)
{
    struct pos_errdetail d;
    struct dukpt_device dev;
    struct dukpt_host h;
    uint8_t ipek[16], ksn[10], key[16];
    char msg[256];

    (void)state;
    hex_to(IPEK, ipek, 16);
    /* counter 0 */
    hex_to(IKSN, ksn, 10);
    pos_errdetail_init(&d);
    assert_int_equal(dukpt_ksn_check(ksn, &d), POS_ERR_KSN);
    assert_non_null(strstr(d.what, "counter is 0"));
    assert_false(dukpt_counter_is_valid(0));
    assert_false(dukpt_counter_is_valid(0x200000));
    assert_true(dukpt_counter_is_valid(DUKPT_COUNTER_LAST));
    /* eleven one-bits */
    hex_to("FFFF9876543210E007FF", ksn, 10);
    memset(key, 0xAA, sizeof(key));
    assert_int_equal(dukpt_derive(ipek, ksn, key, &d), POS_ERR_KSN);
    assert_true(key[0] == 0 && key[15] == 0);
    pos_errdetail_format(POS_ERR_KSN, &d, msg, sizeof(msg));
    assert_non_null(strstr(msg, "0007FF has 11 one-bits"));
    assert_int_equal(dukpt_device_resume(&dev, ipek, ksn, NULL), POS_ERR_KSN);
    dukpt_device_clear(&dev);
    /* host: another device's KSN, then a bad counter */
    hex_to(IKSN, ksn, 10);
    assert_int_equal(dukpt_host_init(&h, ipek, ksn), POS_OK);
    hex_to("FFFF9876543211E00001", ksn, 10);
    memset(key, 0xAA, sizeof(key));
    assert_int_equal(dukpt_host_derive(&h, ksn, key, &d), POS_ERR_KSN);
    assert_non_null(strstr(d.what, "another device"));
    assert_true(key[0] == 0 && key[15] == 0);
    hex_to("FFFF9876543210E007FF", ksn, 10);
    assert_int_equal(dukpt_host_decrypt_pin(&h, ksn, key, key, &d), POS_ERR_KSN);
    dukpt_host_clear(&h);
    /* host from a BDK of the wrong length */
    assert_int_equal(dukpt_host_init_bdk(&h, ipek, 8, ksn), POS_ERR_KEY_LENGTH);
    dukpt_host_clear(&h);
    /* a device that was never loaded */
    memset(&dev, 0, sizeof(dev));
    assert_int_equal(dukpt_device_next(&dev, key, ksn), POS_ERR_INVAL);
    dukpt_device_clear(&dev);
    dukpt_device_clear(NULL);
    dukpt_host_clear(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipek),
        cmocka_unit_test(test_annex_a_sequences),
        cmocka_unit_test(test_device_annex_a),
        cmocka_unit_test(test_ksn_next),
        cmocka_unit_test(test_variants),
        cmocka_unit_test(test_data_key_and_track),
        cmocka_unit_test(test_device_host_agree),
        cmocka_unit_test(test_device_exhaustion),
        cmocka_unit_test(test_device_resume_last),
        cmocka_unit_test(test_device_bad_register),
        cmocka_unit_test(test_bad_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
