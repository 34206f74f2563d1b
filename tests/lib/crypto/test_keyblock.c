/* Tests for src/lib/crypto/keyblock.c (ANSI X9.143 / TR-31 versions B and D). */
#include "testutil.h"

#include <string.h>

#include "crypto/keyblock.h"
#include "error.h"
#include "hex.h"

struct kb_vector {
    const char *source;
    const char *kbpk;
    const char *block;
    const char *key;
    const char *padding; /* the random padding the block holds (found by decrypting) */
};

/* Published examples. Sources:
 *  - ASC X9 TR-31-2018 Annex A.7.2.2 (version B), A.7.3.2 (version B with a
 *    KS optional block) and A.7.4 (version D);
 *  - ANSI X9.143-2021 §8.1 (version D, key length masked to 32 bytes) and
 *    §8.4.2 (version B, KS block, masked key length);
 *  - blocks made by a Thales payShield 10k HSM, published with the openemv
 *    tr31 project's tests (test/tr31_decrypt_test.c). */
static const struct kb_vector kb_vectors[] = {
    {"TR-31-2018 A.7.2.2", "DD7515F2BFC17F85CE48F3CA25CB21F6",
     "B0080P0TE00E000094B420079CC80BA3461F86FE26EFC4A3B8E4FA4C5F5341176EED7B727B8A248E",
     "3F419E1CB7079442AA37474C2EFBF8B8", "1C2965473CE2"},
    {"TR-31-2018 A.7.3.2", "1D22BF32387C600AD97F9B97A51311AC",
     "B0104B0TX12S0100KS1800604B120F9292800000BB68BE8680A400D9191AD4ECE45B6E6C0D21C4738A52190E2"
     "48719E24B433627",
     "E8BC63E5479455E26577F715D587FE68", "30111D18CC4C"},
    {"TR-31-2018 A.7.4", "88E1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F44657DE6",
     "D0112P0AE00E0000B82679114F470F540165EDFBF7E250FCEA43F810D215F8D207E2E417C07156A27E8E31DA05F"
     "7425509593D03A457DC34",
     "3F419E1CB7079442AA37474C2EFBF8B8", "1C2965473CE206BB855B01533782"},
    {"X9.143-2021 8.1", "88E1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F44657DE6",
     "D0144P0AE00E00002C77FA3F4A553BED6E88AE5C172A4166E3D4ACA8E2AC71C158A476FAC12C13C3829DE55D3AB"
     "54C48F4C4FEF7AC75E90FC47F1B77E7B19A73ED46E64410082557",
     "3F419E1CB7079442AA37474C2EFBF8B8",
     "1A87BBFA2CFE78D383E5F4C6AA83473C1C2965473CE206BB855B01533782"},
    {"X9.143-2021 8.4.2", "1D22BF32387C600AD97F9B97A51311AC",
     "B0120B0TX12S0100KS1800604B120F929280000015CEB14B76D551F21EC43A75390FA118A98C6CB049E3B9E864A"
     "5F4A8B9A5108A6DB5635C95B042D7",
     "E8BC63E5479455E26577F715D587FE68", NULL},
    {"payShield 10k, D block holding a TDES BDK",
     "4141414141414141414141414141414141414141414141414141414141414141",
     "D0112B0TN00N000037DB9B046B7B0048785690759580ABC3B9842AB4BB7717B49E92528E575785D8123559376A2"
     "553B27BE94F054F4E971C",
     "1FA1F7CEC798D91545DA8AE0C7796BD9", NULL},
    {"payShield 10k, D block holding an AES-256 key",
     "4141414141414141414141414141414141414141414141414141414141414141",
     "D0144D0AN00N0000127862F945C2DED04530FAF7CDBC8B0BA10C7AA79BD5E0C2C5D6AC173BF588E4B19ACF1357"
     "178D50EA0AB193228E13958304FC6149632DFDCADF3A5B3D57E814",
     "BE19E6A07A760F10EF8E83A226B63AAD141F463FDDD4F47DB244B4023EC3CACC", NULL},
    {"payShield 10k, B block", "EFE0853B256B583D868F251CE99EA1D9",
     "B0080K0TN00N00001C414014375212C24995E405B5EE052CB92B67F455EA2680F6751088F9F1C228",
     "5DB50B454F8389ADCE573BE50861F2BF", NULL},
};

static const uint8_t *hexbuf(const char *s, size_t *n)
{
    return tu_hex(s, n);
}

static void test_unwrap_published(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(kb_vectors) / sizeof(kb_vectors[0]); i++) {
        const struct kb_vector *v = &kb_vectors[i];
        struct keyblock_header h;
        struct pos_errdetail d;
        uint8_t key[KEYBLOCK_MAX_KEY];
        size_t kl, wl, n = 0;
        const uint8_t *kbpk = hexbuf(v->kbpk, &kl);
        const uint8_t *want = hexbuf(v->key, &wl);
        int rc;

        pos_errdetail_init(&d);
        rc = keyblock_unwrap(kbpk, kl, v->block, strlen(v->block), &h, key, sizeof(key), &n, &d);
        if (rc != POS_OK)
            fail_msg("%s: %s (%s)", v->source, pos_errname(rc), d.what);
        assert_buf_equal(key, n, want, wl);
    }
}

static void test_unwrap_header_fields(void **state)
{
    const struct kb_vector *v = &kb_vectors[1];
    struct keyblock_header h;
    uint8_t key[32];
    size_t kl, n;
    const uint8_t *kbpk = hexbuf(v->kbpk, &kl);
    const char *ks;
    size_t ks_len;

    (void)state;
    assert_int_equal(
        keyblock_unwrap(kbpk, kl, v->block, strlen(v->block), &h, key, sizeof(key), &n, NULL),
        POS_OK);
    assert_int_equal(h.version, 'B');
    assert_int_equal(h.length, 104);
    assert_string_equal(h.usage, "B0");
    assert_int_equal(h.algorithm, 'T');
    assert_int_equal(h.mode, 'X');
    assert_string_equal(h.key_version, "12");
    assert_int_equal(h.exportability, 'S');
    assert_int_equal(h.opt_count, 1);
    assert_int_equal(h.header_len, 40);
    assert_true(keyblock_opt_find(&h, "KS", &ks, &ks_len));
    assert_int_equal(ks_len, 20);
    assert_memory_equal(ks, "00604B120F9292800000", 20);
    assert_false(keyblock_opt_find(&h, "KC", NULL, NULL));
    assert_false(keyblock_opt_find(NULL, "KS", NULL, NULL));
}

/* Wrapping with the padding the published block holds reproduces it byte
 * for byte. */
static void wrap_known(const struct kb_vector *v, const char *usage, char alg, char mode,
                       const char *kv, char exp, const char *ksn, bool mask)
{
    struct keyblock_params p;
    char out[256];
    size_t kl, keyl, pl, n = 0;
    const uint8_t *kbpk = hexbuf(v->kbpk, &kl);
    const uint8_t *key = hexbuf(v->key, &keyl);
    const uint8_t *pad = hexbuf(v->padding, &pl);

    memset(&p, 0, sizeof(p));
    p.version = v->block[0];
    p.usage = usage;
    p.algorithm = alg;
    p.mode = mode;
    p.key_version = kv;
    p.exportability = exp;
    p.ksn = ksn;
    p.mask_key_len = mask;
    p.padding = pad;
    p.padding_len = pl;
    assert_int_equal(keyblock_wrap(kbpk, kl, &p, key, keyl, out, sizeof(out), &n, NULL), POS_OK);
    assert_int_equal(n, strlen(v->block));
    assert_string_equal(out, v->block);
}

static void test_wrap_published(void **state)
{
    (void)state;
    wrap_known(&kb_vectors[0], "P0", 'T', 'E', NULL, 'E', NULL, false);
    wrap_known(&kb_vectors[1], "B0", 'T', 'X', "12", 'S', "00604B120F9292800000", false);
    wrap_known(&kb_vectors[2], "P0", 'A', 'E', "00", 'E', NULL, false);
    wrap_known(&kb_vectors[3], "P0", 'A', 'E', "00", 'E', NULL, true);
}

/* A KC block, cross-checked: this block was built independently with
 * pyca/cryptography (AES-CMAC derivation, AES-CBC, CMAC over header and
 * clear data) and holds KC = "00" + 08D7B4, the X9.24-1 Annex A KCV of the
 * key 0123456789ABCDEFFEDCBA9876543210. */
#define KB_KBPK_D "88E1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F44657DE6"
#define KB_GOOD_KC                                                                                 \
    "D0128P0TE00E0200KC0C0008D7B4PB04BA7A5E57ECE18E758DBA3212A947696829E5006F949524FB84F7AA72C0F8" \
    "1144E8729640AE01C1DB1FA925941040EDC9"
#define KB_BAD_KC                                                                                  \
    "D0128P0TE00E0200KC0C00000000PB04F9492D6909E3D28F37A8AAC8DFE467B139D1978AFC78D76AD0F2534AA37D" \
    "6A5FD477EDC3A7EE02A6A9E25088BE1CD85A"
#define KB_BAD_LEN                                                                                 \
    "D0112P0TE00E000085AF1A987F4DFF08988CC94D832A9FCF204549CB32F37483B08B1387ADF67B0DC67774AF7C93" \
    "4615182EF412054868BE"

static void test_kc_block(void **state)
{
    struct keyblock_params p;
    struct keyblock_header h;
    struct pos_errdetail d;
    char out[256];
    uint8_t key[32];
    static const uint8_t zeros[16];
    size_t kl, keyl, n = 0;
    const uint8_t *kbpk = hexbuf(KB_KBPK_D, &kl);
    const uint8_t *k = hexbuf("0123456789ABCDEFFEDCBA9876543210", &keyl);

    (void)state;
    memset(&p, 0, sizeof(p));
    p.version = 'D';
    p.usage = "P0";
    p.algorithm = 'T';
    p.mode = 'E';
    p.exportability = 'E';
    p.add_kcv = true;
    p.padding = zeros;
    p.padding_len = sizeof(zeros);
    assert_int_equal(keyblock_wrap(kbpk, kl, &p, k, keyl, out, sizeof(out), &n, NULL), POS_OK);
    assert_string_equal(out, KB_GOOD_KC);
    assert_int_equal(
        keyblock_unwrap(kbpk, kl, KB_GOOD_KC, strlen(KB_GOOD_KC), &h, key, sizeof(key), &n, NULL),
        POS_OK);
    assert_buf_equal(key, n, k, keyl);
    assert_int_equal(h.opt_count, 2);
    assert_string_equal(h.opt[1].id, "PB");
    /* authentic block whose KC does not match its key */
    pos_errdetail_init(&d);
    assert_int_equal(
        keyblock_unwrap(kbpk, kl, KB_BAD_KC, strlen(KB_BAD_KC), &h, key, sizeof(key), &n, &d),
        POS_ERR_KCV_MISMATCH);
    assert_int_equal(n, 0);
    assert_memory_equal(key, zeros, 16);
    /* authentic block whose key length field (768 bits) exceeds its data */
    assert_int_equal(
        keyblock_unwrap(kbpk, kl, KB_BAD_LEN, strlen(KB_BAD_LEN), &h, key, sizeof(key), &n, &d),
        POS_ERR_KEYBLOCK);
    assert_non_null(strstr(d.what, "key length"));
    /* KC is defined for TDES and AES keys only */
    p.algorithm = 'H';
    assert_int_equal(keyblock_wrap(kbpk, kl, &p, k, keyl, out, sizeof(out), &n, NULL),
                     POS_ERR_UNSUPPORTED);
}

static void round_trip(char version, const char *kbpk_hex, char alg, size_t key_len, bool kcv,
                       const char *ksn)
{
    struct keyblock_params p;
    struct keyblock_header h;
    char out[512];
    uint8_t key[32], got[32];
    size_t kl, n = 0, gl = 0, i;
    const uint8_t *kbpk = hexbuf(kbpk_hex, &kl);
    const char *v;
    size_t vl;

    for (i = 0; i < key_len; i++)
        key[i] = (uint8_t)(i * 7 + 1);
    memset(&p, 0, sizeof(p));
    p.version = version;
    p.usage = "B1";
    p.algorithm = alg;
    p.mode = 'X';
    p.exportability = 'N';
    p.ksn = ksn;
    p.add_kcv = kcv;
    assert_int_equal(keyblock_wrap(kbpk, kl, &p, key, key_len, out, sizeof(out), &n, NULL), POS_OK);
    assert_int_equal(strlen(out), n);
    assert_int_equal(keyblock_unwrap(kbpk, kl, out, n, &h, got, sizeof(got), &gl, NULL), POS_OK);
    assert_buf_equal(got, gl, key, key_len);
    assert_int_equal(h.header_len % (version == 'B' ? 8 : 16), 0);
    if (ksn != NULL) {
        assert_true(keyblock_opt_find(&h, "KS", &v, &vl));
        assert_int_equal(vl, strlen(ksn));
        assert_memory_equal(v, ksn, vl);
    }
    assert_int_equal(keyblock_opt_find(&h, "KC", NULL, NULL), kcv);
}

static void test_round_trips(void **state)
{
    (void)state;
    round_trip('B', "0123456789ABCDEFFEDCBA9876543210", 'T', 16, false, NULL);
    round_trip('B', "0123456789ABCDEFFEDCBA987654321089ABCDEF01234567", 'T', 24, true,
               "FFFF9876543210E00008");
    round_trip('B', "0123456789ABCDEFFEDCBA9876543210", 'T', 8, true, "FFFF9876543210E00008");
    round_trip('D', "000102030405060708090A0B0C0D0E0F1011121314151617", 'A', 32, true, NULL);
    round_trip('D', "000102030405060708090A0B0C0D0E0F", 'A', 16, false, "123456789012345678901234");
    round_trip('D', KB_KBPK_D, 'H', 32, false, NULL);
}

static void test_mac_failures(void **state)
{
    const struct kb_vector *v = &kb_vectors[2];
    char blk[256];
    uint8_t key[32], zeros[32] = {0};
    size_t kl, n = 99, len = strlen(v->block);
    const uint8_t *kbpk = hexbuf(v->kbpk, &kl);
    uint8_t wrong[32];
    struct pos_errdetail d;
    char msg[256];
    static const size_t flips[] = {20, 60, 100, 111}; /* data, data, MAC, MAC */
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
        memcpy(blk, v->block, len + 1);
        blk[flips[i]] = blk[flips[i]] == '0' ? '1' : '0';
        memset(key, 0xAA, sizeof(key));
        assert_int_equal(keyblock_unwrap(kbpk, kl, blk, len, NULL, key, sizeof(key), &n, NULL),
                         POS_ERR_KEYBLOCK_MAC);
        assert_int_equal(n, 0);
        assert_memory_equal(key, zeros, sizeof(key));
    }
    /* a header changed to another valid header: the MAC catches it */
    memcpy(blk, v->block, len + 1);
    blk[5] = 'D'; /* P0 -> D0 */
    assert_int_equal(keyblock_unwrap(kbpk, kl, blk, len, NULL, key, sizeof(key), &n, NULL),
                     POS_ERR_KEYBLOCK_MAC);
    memcpy(blk, v->block, len + 1);
    blk[11] = 'N'; /* exportability E -> N */
    assert_int_equal(keyblock_unwrap(kbpk, kl, blk, len, NULL, key, sizeof(key), &n, NULL),
                     POS_ERR_KEYBLOCK_MAC);
    /* wrong KBPK; the error names no key */
    memcpy(wrong, kbpk, kl);
    wrong[0] ^= 1;
    pos_errdetail_init(&d);
    assert_int_equal(keyblock_unwrap(wrong, kl, v->block, len, NULL, key, sizeof(key), &n, &d),
                     POS_ERR_KEYBLOCK_MAC);
    pos_errdetail_format(POS_ERR_KEYBLOCK_MAC, &d, msg, sizeof(msg));
    assert_null(strstr(msg, v->key));
    assert_null(strstr(msg, v->kbpk));
    assert_null(strstr(msg, "3F41"));
    /* output too small for the key: NOSPACE, nothing written */
    assert_int_equal(keyblock_unwrap(kbpk, kl, v->block, len, NULL, key, 8, &n, NULL),
                     POS_ERR_NOSPACE);
}

static void test_unwrap_for(void **state)
{
    const struct kb_vector *v = &kb_vectors[2]; /* P0, mode E */
    uint8_t key[32], zeros[32] = {0};
    size_t kl, n = 0, len = strlen(v->block);
    const uint8_t *kbpk = hexbuf(v->kbpk, &kl);
    struct pos_errdetail d;

    (void)state;
    assert_int_equal(
        keyblock_unwrap_for(kbpk, kl, v->block, len, "P0", 'E', NULL, key, sizeof(key), &n, NULL),
        POS_OK);
    assert_int_equal(n, 16);
    assert_int_equal(
        keyblock_unwrap_for(kbpk, kl, v->block, len, NULL, 0, NULL, key, sizeof(key), &n, NULL),
        POS_OK);
    pos_errdetail_init(&d);
    assert_int_equal(
        keyblock_unwrap_for(kbpk, kl, v->block, len, "M3", 'G', NULL, key, sizeof(key), &n, &d),
        POS_ERR_KEY_USAGE);
    assert_non_null(strstr(d.what, "P0"));
    assert_int_equal(n, 0);
    assert_memory_equal(key, zeros, sizeof(key));
    /* an encrypt-only PIN key may not decrypt PIN blocks */
    assert_int_equal(
        keyblock_unwrap_for(kbpk, kl, v->block, len, "P0", 'D', NULL, key, sizeof(key), &n, &d),
        POS_ERR_KEY_USAGE);
    assert_int_equal(n, 0);
    /* a MAC failure is reported as such, not as a usage error */
    assert_int_equal(
        keyblock_unwrap_for(kbpk, 16, v->block, len, "P0", 'E', NULL, key, sizeof(key), &n, NULL),
        POS_ERR_KEYBLOCK_MAC);
}

static void test_mode_permits(void **state)
{
    (void)state;
    assert_true(keyblock_mode_permits('E', 'E'));
    assert_false(keyblock_mode_permits('E', 'D'));
    assert_true(keyblock_mode_permits('B', 'E'));
    assert_true(keyblock_mode_permits('B', 'D'));
    assert_false(keyblock_mode_permits('B', 'G'));
    assert_true(keyblock_mode_permits('C', 'G'));
    assert_true(keyblock_mode_permits('C', 'V'));
    assert_false(keyblock_mode_permits('G', 'V'));
    assert_true(keyblock_mode_permits('N', 'X'));
    assert_true(keyblock_mode_permits('T', 'S'));
    assert_false(keyblock_mode_permits('X', 'E'));
    assert_false(keyblock_mode_permits('Q', 'Q'));
    assert_string_equal(keyblock_usage_name("P0"), "PIN encryption");
    assert_string_equal(keyblock_usage_name("V2"), "PIN verification, Visa PVV");
    assert_null(keyblock_usage_name("ZZ"));
    assert_null(keyblock_usage_name(NULL));
}

struct kb_bad {
    const char *block;
    int rc;
    size_t offset;
};

/* Bad clear parts (the part after the header is never reached). The
 * optional-block cases follow the malformed inputs of the psec project's
 * TR-31 tests. */
static const struct kb_bad kb_bads[] = {
    {"B0016P0TE00", POS_ERR_KEYBLOCK, 11},
    {"B0016P0TE00E00_0", POS_ERR_KEYBLOCK, 14},
    {"A0016P0TE00E0000", POS_ERR_UNSUPPORTED, 0},
    {"C0016P0TE00E0000", POS_ERR_UNSUPPORTED, 0},
    {"E0016P0TE00E0000", POS_ERR_UNSUPPORTED, 0},
    {"B001XP0TE00E0000", POS_ERR_KEYBLOCK, 1},
    {"B0017P0TE00E0000", POS_ERR_KEYBLOCK, 1},
    {"B0016ZZTE00E0000", POS_ERR_KEYBLOCK, 5},
    {"B0016P0QE00E0000", POS_ERR_KEYBLOCK, 7},
    {"B0016P0TQ00E0000", POS_ERR_KEYBLOCK, 8},
    {"B0016P0TE00Q0000", POS_ERR_KEYBLOCK, 11},
    {"B0016P0TE00E0X00", POS_ERR_KEYBLOCK, 12},
    {"B0016P0TE00E00AB", POS_ERR_KEYBLOCK, 14},
    {"B0016P0TE00E0100", POS_ERR_KEYBLOCK, 16},
    {"B0018P0TE00E0100K*", POS_ERR_KEYBLOCK, 16},
    {"B0020P0TE00E0100KS1Y", POS_ERR_KEYBLOCK, 18},
    {"B0020P0TE00E0100KS02", POS_ERR_KEYBLOCK, 18},
    {"B0021P0TE00E0100KS071", POS_ERR_KEYBLOCK, 18},
    {"B0022P0TE00E0100KS0000", POS_ERR_KEYBLOCK, 20},
    {"B0022P0TE00E0100KS0003", POS_ERR_KEYBLOCK, 20},
    {"B0023P0TE00E0100KS00010", POS_ERR_KEYBLOCK, 22},
    {"B0024P0TE00E0100KS000101", POS_ERR_KEYBLOCK, 18},
    {"B0024P0TE00E0100KS0001FF", POS_ERR_KEYBLOCK, 18},
    {"B0021P0TE00E0100KS05\x03", POS_ERR_KEYBLOCK, 20},
    {"B0020P0TE00E0100KS04", POS_ERR_KEYBLOCK, 20},     /* header 20: not a multiple of 8 */
    {"D0024P0TE00E0100KS08ABCD", POS_ERR_KEYBLOCK, 24}, /* 24: not a multiple of 16 */
};

static void test_header_errors(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(kb_bads) / sizeof(kb_bads[0]); i++) {
        struct keyblock_header h;
        struct pos_errdetail d;
        int rc;

        pos_errdetail_init(&d);
        rc = keyblock_header_parse(kb_bads[i].block, strlen(kb_bads[i].block), &h, &d);
        if (rc != kb_bads[i].rc || d.offset != kb_bads[i].offset)
            fail_msg("case %zu %s: got %s at %zu (%s)", i, kb_bads[i].block, pos_errname(rc),
                     d.offset, d.what);
    }
    assert_int_equal(keyblock_header_parse(NULL, 0, NULL, NULL), POS_ERR_INVAL);
}

static void test_header_good(void **state)
{
    struct keyblock_header h;
    const char *s;
    size_t n;
    /* extended length form (KS 00 01 16 ...) and several blocks, as in the
     * psec project's TR-31 header tests */
    static const char ext[] = "B0048P0TE00N0200KS00011600604B120F9292PB0A000000";
    static const char multi[] = "B0056P0TE00N0400KS1800604B120F9292800000T104T20600PB0600";

    (void)state;
    assert_int_equal(keyblock_header_parse(ext, strlen(ext), &h, NULL), POS_OK);
    assert_true(keyblock_opt_find(&h, "KS", &s, &n));
    assert_int_equal(n, 14);
    assert_memory_equal(s, "00604B120F9292", 14);
    assert_int_equal(h.header_len, 48);
    assert_int_equal(keyblock_header_parse(multi, strlen(multi), &h, NULL), POS_OK);
    assert_int_equal(h.opt_count, 4);
    assert_true(keyblock_opt_find(&h, "T1", &s, &n));
    assert_int_equal(n, 0);
    assert_true(keyblock_opt_find(&h, "T2", &s, &n));
    assert_int_equal(n, 2);
    assert_int_equal(h.header_len, 56);
}

/* Up to 16 optional blocks are kept; a 17th that is not padding is refused. */
static void test_too_many_blocks(void **state)
{
    struct keyblock_header h;
    struct pos_errdetail d;
    char blk[128];
    int i;

    (void)state;
    memcpy(blk, "B0084P0TE00N1700", 16);
    for (i = 0; i < 17; i++)
        memcpy(blk + 16 + 4 * i, "T004", 4);
    pos_errdetail_init(&d);
    assert_int_equal(keyblock_header_parse(blk, 84, &h, &d), POS_ERR_KEYBLOCK);
    assert_non_null(strstr(d.what, "more than 16"));
    memcpy(blk + 16 + 4 * 16, "PB04", 4);
    assert_int_equal(keyblock_header_parse(blk, 84, &h, &d), POS_ERR_KEYBLOCK);
    assert_non_null(strstr(d.what, "multiple"));
    memcpy(blk, "B0088P0TE00N1700", 16);
    memcpy(blk + 16 + 4 * 16, "PB080000", 8);
    assert_int_equal(keyblock_header_parse(blk, 88, &h, &d), POS_OK);
    assert_int_equal(h.opt_count, 17);
}

static void test_unwrap_errors(void **state)
{
    const struct kb_vector *v = &kb_vectors[2];
    char blk[256];
    uint8_t key[32];
    size_t kl, n, len = strlen(v->block);
    const uint8_t *kbpk = hexbuf(v->kbpk, &kl);
    struct pos_errdetail d;

    (void)state;
    /* KBPK lengths wrong for the version */
    assert_int_equal(keyblock_unwrap(kbpk, 20, v->block, len, NULL, key, sizeof(key), &n, NULL),
                     POS_ERR_KEY_LENGTH);
    assert_int_equal(keyblock_unwrap(kbpk, 32, kb_vectors[0].block, strlen(kb_vectors[0].block),
                                     NULL, key, sizeof(key), &n, NULL),
                     POS_ERR_KEY_LENGTH);
    /* non-hex encrypted data */
    memcpy(blk, v->block, len + 1);
    blk[30] = 'Z';
    pos_errdetail_init(&d);
    assert_int_equal(keyblock_unwrap(kbpk, kl, blk, len, NULL, key, sizeof(key), &n, &d),
                     POS_ERR_KEYBLOCK);
    /* data not a whole number of blocks */
    memcpy(blk, "D0104", 5);
    memcpy(blk + 5, v->block + 5, 11);
    memcpy(blk + 16, v->block + 24, 88);
    blk[104] = '\0';
    assert_int_equal(keyblock_unwrap(kbpk, kl, blk, 104, NULL, key, sizeof(key), &n, NULL),
                     POS_ERR_KEYBLOCK);
    /* header only */
    assert_int_equal(
        keyblock_unwrap(kbpk, kl, "D0016P0AE00E0000", 16, NULL, key, sizeof(key), &n, NULL),
        POS_ERR_KEYBLOCK);
    assert_int_equal(keyblock_unwrap(kbpk, kl, NULL, 0, NULL, key, sizeof(key), &n, NULL),
                     POS_ERR_INVAL);
}

static void test_wrap_errors(void **state)
{
    struct keyblock_params p;
    struct pos_errdetail d;
    char out[256];
    size_t kl, n;
    const uint8_t *kbpk = hexbuf(KB_KBPK_D, &kl);
    uint8_t key[32] = {1, 2, 3};

    (void)state;
    memset(&p, 0, sizeof(p));
    p.version = 'D';
    p.usage = "P0";
    p.algorithm = 'A';
    p.mode = 'E';
    p.exportability = 'E';
    assert_int_equal(keyblock_wrap(kbpk, kl, &p, key, 16, out, sizeof(out), &n, NULL), POS_OK);
    pos_errdetail_init(&d);
    assert_int_equal(keyblock_wrap(kbpk, kl, &p, key, 15, out, sizeof(out), &n, &d),
                     POS_ERR_KEY_LENGTH);
    assert_int_equal(keyblock_wrap(kbpk, 8, &p, key, 16, out, sizeof(out), &n, NULL),
                     POS_ERR_KEY_LENGTH);
    assert_int_equal(keyblock_wrap(kbpk, kl, &p, key, 16, out, 100, &n, NULL), POS_ERR_NOSPACE);
    assert_int_equal(keyblock_wrap(kbpk, kl, &p, key, 16, out, 10, &n, NULL), POS_ERR_NOSPACE);
    assert_int_equal(keyblock_wrap(kbpk, kl, NULL, key, 16, out, sizeof(out), &n, NULL),
                     POS_ERR_INVAL);
    p.padding = key;
    p.padding_len = 2;
    assert_int_equal(keyblock_wrap(kbpk, kl, &p, key, 16, out, sizeof(out), &n, NULL),
                     POS_ERR_INVAL);
    p.padding = NULL;
    p.version = 'A';
    assert_int_equal(keyblock_wrap(kbpk, 16, &p, key, 16, out, sizeof(out), &n, NULL),
                     POS_ERR_UNSUPPORTED);
    p.version = 'B';
    assert_int_equal(keyblock_wrap(kbpk, 32, &p, key, 16, out, sizeof(out), &n, NULL),
                     POS_ERR_KEY_LENGTH);
    p.version = 'D';
    p.usage = "Q9";
    assert_int_equal(keyblock_wrap(kbpk, kl, &p, key, 16, out, sizeof(out), &n, NULL),
                     POS_ERR_KEYBLOCK);
    p.usage = "P0";
    p.algorithm = '?';
    assert_int_equal(keyblock_wrap(kbpk, kl, &p, key, 16, out, sizeof(out), &n, NULL),
                     POS_ERR_KEYBLOCK);
    p.algorithm = 'A';
    p.mode = 'Q';
    assert_int_equal(keyblock_wrap(kbpk, kl, &p, key, 16, out, sizeof(out), &n, NULL),
                     POS_ERR_KEYBLOCK);
    p.mode = 'E';
    p.exportability = 'X';
    assert_int_equal(keyblock_wrap(kbpk, kl, &p, key, 16, out, sizeof(out), &n, NULL),
                     POS_ERR_KEYBLOCK);
    p.exportability = 'E';
    p.key_version = "0";
    assert_int_equal(keyblock_wrap(kbpk, kl, &p, key, 16, out, sizeof(out), &n, NULL),
                     POS_ERR_KEYBLOCK);
    p.key_version = NULL;
    p.ksn = "12G4";
    assert_int_equal(keyblock_wrap(kbpk, kl, &p, key, 16, out, sizeof(out), &n, NULL),
                     POS_ERR_KEYBLOCK);
    p.ksn = "";
    assert_int_equal(keyblock_wrap(kbpk, kl, &p, key, 16, out, sizeof(out), &n, NULL),
                     POS_ERR_KEYBLOCK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unwrap_published), cmocka_unit_test(test_unwrap_header_fields),
        cmocka_unit_test(test_wrap_published),   cmocka_unit_test(test_kc_block),
        cmocka_unit_test(test_round_trips),      cmocka_unit_test(test_mac_failures),
        cmocka_unit_test(test_unwrap_for),       cmocka_unit_test(test_mode_permits),
        cmocka_unit_test(test_header_errors),    cmocka_unit_test(test_header_good),
        cmocka_unit_test(test_too_many_blocks),  cmocka_unit_test(test_unwrap_errors),
        cmocka_unit_test(test_wrap_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
