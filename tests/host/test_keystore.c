/* Tests for src/host/keystore.c on a real (in-memory) SQLite database. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "crypto/block.h"
#include "crypto/kcv.h"
#include "crypto/keyblock.h"
#include "crypto/lmk.h"
#include "error.h"
#include "hex.h"
#include "host/keystore.h"
#include "host/schema.h"
#include "store/migrate.h"
#include "store/store.h"

#define LMK_HEX  "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"
#define LMK2_HEX "1F1E1D1C1B1A191817161514131211100F0E0D0C0B0A09080706050403020100"

struct fx {
    struct store *s;
    struct lmk lmk, other;
};

static struct fx F;

static int setup(void **state)
{
    const struct store_migration *m;
    size_t n;

    (void)state;
    memset(&F, 0, sizeof(F));
    assert_int_equal(pos_crypto_init(), POS_OK);
    assert_int_equal(store_open("sqlite::memory:", NULL, &F.s, NULL), POS_OK);
    m = schema_migrations(&n);
    assert_int_equal(store_migrate(F.s, m, n, NULL, NULL), POS_OK);
    assert_int_equal(lmk_load_hex(&F.lmk, LMK_HEX, strlen(LMK_HEX), NULL), POS_OK);
    assert_int_equal(lmk_load_hex(&F.other, LMK2_HEX, strlen(LMK2_HEX), NULL), POS_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    store_close(F.s);
    lmk_clear(&F.lmk);
    lmk_clear(&F.other);
    return 0;
}

static const struct keystore_spec PVK = {"pvk", "V2", KEYSTORE_TDES, 'C', false};

/* The test key 0123456789ABCDEF FEDCBA9876543210 and its widely published
 * TDES check value 08D7B4 (E(K, 0^8) = 08D7B4FB629D0885; the example key of
 * HSM manuals and of ANSI X9.24-1-2009 Annex A's DUKPT BDK). */
static void test_put_get_round_trip(void **state)
{
    size_t klen = 0, len = 0;
    const uint8_t *key = tu_hex("0123456789ABCDEFFEDCBA9876543210", &klen);
    uint8_t k[16], out[32];
    char kcv[KEYSTORE_KCV_HEX];
    int64_t id = 0;
    struct keystore_entry e;

    (void)state;
    memcpy(k, key, sizeof(k));
    assert_int_equal(keystore_put(F.s, &F.lmk, &PVK, k, sizeof(k), 1234, &id, kcv), POS_OK);
    assert_true(id > 0);
    assert_string_equal(kcv, "08D7B4");
    assert_int_equal(keystore_get(F.s, &F.lmk, "pvk", "V2", 'V', out, sizeof(out), &len, NULL),
                     POS_OK);
    assert_buf_equal(out, len, k, sizeof(k));
    memset(out, 0, sizeof(out));
    assert_int_equal(keystore_get_id(F.s, &F.lmk, id, "V2", 'G', out, sizeof(out), &len, NULL),
                     POS_OK);
    assert_buf_equal(out, len, k, sizeof(k));
    assert_int_equal(keystore_find(F.s, "pvk", &e), POS_OK);
    assert_int_equal(e.id, id);
    assert_string_equal(e.usage, "V2");
    assert_int_equal(e.algorithm, 'T');
    assert_int_equal(e.mode, 'C');
    assert_int_equal(e.exportability, 'N');
    assert_string_equal(e.kcv, "08D7B4");
    assert_int_equal(e.created_at, 1234);
}

/* The stored block holds no clear key (hex in either case). */
static void test_block_holds_no_clear_key(void **state)
{
    static const struct keystore_spec sp = {"data", "D0", KEYSTORE_AES, 'B', false};
    uint8_t key[32];
    char hex[65];
    struct store_stmt *st;
    const char *block;

    (void)state;
    assert_int_equal(keystore_random_key(KEYSTORE_AES, key, sizeof(key)), POS_OK);
    assert_int_equal(keystore_put(F.s, &F.lmk, &sp, key, sizeof(key), 1, NULL, NULL), POS_OK);
    pos_hex_encode(key, sizeof(key), hex, sizeof(hex));
    assert_int_equal(store_prepare(F.s, "SELECT block FROM keys WHERE name = 'data'", &st), POS_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    block = store_column_text(st, 0, NULL);
    assert_non_null(block);
    assert_int_equal(block[0], 'D'); /* TR-31 version D under the LMK */
    assert_null(strstr(block, hex));
    hex[16] = '\0';
    assert_null(strstr(block, hex));
    store_reset(st);
}

/* A key used against its header is refused, and nothing comes back. */
static void test_usage_enforced(void **state)
{
    uint8_t key[16], out[32];
    size_t len = 99;
    struct pos_errdetail d;

    (void)state;
    assert_int_equal(keystore_random_key(KEYSTORE_TDES, key, sizeof(key)), POS_OK);
    assert_int_equal(keystore_put(F.s, &F.lmk, &PVK, key, sizeof(key), 1, NULL, NULL), POS_OK);
    memset(out, 0xAA, sizeof(out));
    pos_errdetail_init(&d);
    /* a V2 (Visa PVV) key fetched as a P0 (PIN encryption) key */
    assert_int_equal(keystore_get(F.s, &F.lmk, "pvk", "P0", 0, out, sizeof(out), &len, &d),
                     POS_ERR_KEY_USAGE);
    assert_int_equal(len, 0);
    assert_non_null(strstr(d.what, "pvk"));
    for (size_t i = 0; i < sizeof(out); i++)
        assert_int_equal(out[i], 0);
    /* right usage, a mode of use C (generate/verify) does not permit E */
    assert_int_equal(keystore_get(F.s, &F.lmk, "pvk", "V2", 'E', out, sizeof(out), &len, NULL),
                     POS_ERR_KEY_USAGE);
    /* any usage, any mode */
    assert_int_equal(keystore_get(F.s, &F.lmk, "pvk", NULL, 0, out, sizeof(out), &len, NULL),
                     POS_OK);
    assert_buf_equal(out, len, key, sizeof(key));
}

static void test_wrong_lmk_refused(void **state)
{
    uint8_t out[32];
    size_t len = 0;
    struct lmk none;

    (void)state;
    memset(&none, 0, sizeof(none));
    assert_int_equal(keystore_generate(F.s, &F.lmk, &PVK, 16, 1, NULL, NULL), POS_OK);
    assert_int_equal(keystore_get(F.s, &F.other, "pvk", "V2", 0, out, sizeof(out), &len, NULL),
                     POS_ERR_KEYBLOCK_MAC);
    assert_int_equal(keystore_get(F.s, &none, "pvk", "V2", 0, out, sizeof(out), &len, NULL),
                     POS_ERR_KEY);
    assert_int_equal(keystore_generate(F.s, &none, &PVK, 16, 1, NULL, NULL), POS_ERR_KEY);
}

/* A block altered in the database fails its MAC. */
static void test_altered_block_refused(void **state)
{
    uint8_t out[32];
    size_t len = 0;
    int rc;

    (void)state;
    assert_int_equal(keystore_generate(F.s, &F.lmk, &PVK, 16, 1, NULL, NULL), POS_OK);
    /* flip one hex digit of the encrypted key data (after the 16-char header
     * and its optional blocks: the 40th character is inside the key data) */
    assert_int_equal(store_exec(F.s, "UPDATE keys SET block = substr(block, 1, 39) ||"
                                     " (CASE substr(block, 40, 1) WHEN '0' THEN '1' ELSE '0' END)"
                                     " || substr(block, 41)"),
                     POS_OK);
    rc = keystore_get(F.s, &F.lmk, "pvk", "V2", 0, out, sizeof(out), &len, NULL);
    assert_int_equal(rc, POS_ERR_KEYBLOCK_MAC);
    /* a header changed to grant another usage fails the MAC too */
    assert_int_equal(
        keystore_generate(F.s, &F.lmk,
                          &(struct keystore_spec){"k2", "V2", KEYSTORE_TDES, 'C', false}, 16, 1,
                          NULL, NULL),
        POS_OK);
    assert_int_equal(store_exec(F.s, "UPDATE keys SET block = substr(block, 1, 5) || 'P0' ||"
                                     " substr(block, 8) WHERE name = 'k2'"),
                     POS_OK);
    assert_int_equal(keystore_get(F.s, &F.lmk, "k2", "P0", 0, out, sizeof(out), &len, NULL),
                     POS_ERR_KEYBLOCK_MAC);
    /* garbage is a malformed block */
    assert_int_equal(store_exec(F.s, "UPDATE keys SET block = 'XYZ' WHERE name = 'k2'"), POS_OK);
    assert_int_equal(keystore_get(F.s, &F.lmk, "k2", NULL, 0, out, sizeof(out), &len, NULL),
                     POS_ERR_KEYBLOCK);
    assert_int_equal(keystore_find(F.s, "k2", &(struct keystore_entry){0}), POS_ERR_KEYBLOCK);
}

static void test_not_found_and_duplicates(void **state)
{
    uint8_t out[32];
    size_t len = 7;
    struct keystore_entry e;
    struct pos_errdetail d;

    (void)state;
    pos_errdetail_init(&d);
    assert_int_equal(keystore_get(F.s, &F.lmk, "nope", NULL, 0, out, sizeof(out), &len, &d),
                     POS_ERR_NOT_FOUND);
    assert_int_equal(len, 0);
    assert_non_null(strstr(d.what, "nope"));
    assert_int_equal(keystore_get_id(F.s, &F.lmk, 999, NULL, 0, out, sizeof(out), &len, NULL),
                     POS_ERR_NOT_FOUND);
    assert_int_equal(keystore_find(F.s, "nope", &e), POS_ERR_NOT_FOUND);
    assert_int_equal(keystore_find_usage(F.s, "B0", 'T', &e), POS_ERR_NOT_FOUND);
    assert_int_equal(keystore_generate(F.s, &F.lmk, &PVK, 16, 1, NULL, NULL), POS_OK);
    assert_int_equal(keystore_generate(F.s, &F.lmk, &PVK, 16, 1, NULL, NULL), POS_ERR_CONSTRAINT);
}

static void test_bad_parameters(void **state)
{
    uint8_t key[32] = {0}, out[8];
    size_t len = 0;
    struct keystore_spec sp = PVK;
    char longname[KEYSTORE_NAME_MAX + 2];

    (void)state;
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    sp.name = "";
    assert_int_equal(keystore_put(F.s, &F.lmk, &sp, key, 16, 1, NULL, NULL), POS_ERR_INVAL);
    sp.name = "has space";
    assert_int_equal(keystore_put(F.s, &F.lmk, &sp, key, 16, 1, NULL, NULL), POS_ERR_INVAL);
    sp.name = longname;
    assert_int_equal(keystore_put(F.s, &F.lmk, &sp, key, 16, 1, NULL, NULL), POS_ERR_INVAL);
    sp = PVK;
    sp.usage = "ZZ"; /* no such TR-31 usage */
    assert_int_equal(keystore_put(F.s, &F.lmk, &sp, key, 16, 1, NULL, NULL), POS_ERR_INVAL);
    sp.usage = "V22";
    assert_int_equal(keystore_put(F.s, &F.lmk, &sp, key, 16, 1, NULL, NULL), POS_ERR_INVAL);
    sp = PVK;
    sp.mode = 'Q'; /* no such mode of use */
    assert_int_equal(keystore_put(F.s, &F.lmk, &sp, key, 16, 1, NULL, NULL), POS_ERR_INVAL);
    sp = PVK;
    sp.alg = (enum keystore_alg)9;
    assert_int_equal(keystore_put(F.s, &F.lmk, &sp, key, 16, 1, NULL, NULL), POS_ERR_INVAL);
    assert_int_equal(keystore_put(F.s, &F.lmk, &PVK, key, 12, 1, NULL, NULL), POS_ERR_KEY_LENGTH);
    assert_int_equal(keystore_generate(F.s, &F.lmk, &PVK, 64, 1, NULL, NULL), POS_ERR_KEY_LENGTH);
    assert_int_equal(keystore_random_key(KEYSTORE_SM4, key, 32), POS_ERR_KEY_LENGTH);
    assert_int_equal(keystore_random_key(KEYSTORE_HMAC, key, 8), POS_ERR_KEY_LENGTH);
    assert_int_equal(keystore_random_key((enum keystore_alg)0, key, 16), POS_ERR_INVAL);
    /* a 16-byte key does not fit an 8-byte buffer */
    assert_int_equal(keystore_generate(F.s, &F.lmk, &PVK, 16, 1, NULL, NULL), POS_OK);
    assert_int_equal(keystore_get(F.s, &F.lmk, "pvk", "V2", 0, out, sizeof(out), &len, NULL),
                     POS_ERR_NOSPACE);
    assert_int_equal(keystore_get(F.s, &F.lmk, NULL, NULL, 0, out, sizeof(out), &len, NULL),
                     POS_ERR_INVAL);
    /* nothing was stored by the refused calls */
    struct store_stmt *st;
    assert_int_equal(store_prepare(F.s, "SELECT COUNT(*) FROM keys", &st), POS_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_int_equal(store_column_int64(st, 0), 1);
    store_reset(st);
}

/* Check values per algorithm: TDES and AES as crypto/kcv.h computes them,
 * SM4 over 16 zero bytes, HMAC keys HMAC-SHA-256(K, 0^16) — FF9212 for the
 * key 00..1F, computed independently with Python's hmac module. */
static void test_kcv_per_algorithm(void **state)
{
    uint8_t key[32], v[3];
    char hex[7], kcv[KEYSTORE_KCV_HEX];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(key); i++)
        key[i] = (uint8_t)i;
    assert_int_equal(keystore_kcv(KEYSTORE_HMAC, key, 32, kcv), POS_OK);
    assert_string_equal(kcv, "FF9212");
    assert_int_equal(keystore_kcv(KEYSTORE_AES, key, 16, kcv), POS_OK);
    assert_int_equal(kcv_compute(BLOCK_AES, key, 16, v, 3), POS_OK);
    pos_hex_encode(v, 3, hex, sizeof(hex));
    assert_string_equal(kcv, hex);
    assert_int_equal(keystore_kcv(KEYSTORE_SM4, key, 16, kcv), POS_OK);
    assert_int_equal(kcv_compute(BLOCK_SM4, key, 16, v, 3), POS_OK);
    pos_hex_encode(v, 3, hex, sizeof(hex));
    assert_string_equal(kcv, hex);
    assert_int_equal(keystore_kcv(KEYSTORE_TDES, key, 24, kcv), POS_OK);
    assert_int_equal(kcv_compute(BLOCK_TDES, key, 24, v, 3), POS_OK);
    pos_hex_encode(v, 3, hex, sizeof(hex));
    assert_string_equal(kcv, hex);
    assert_int_equal(keystore_kcv(KEYSTORE_SM4, key, 24, kcv), POS_ERR_KEY_LENGTH);
    assert_int_equal(keystore_kcv((enum keystore_alg)7, key, 16, kcv), POS_ERR_INVAL);
    assert_int_equal(keystore_alg_letter(KEYSTORE_SM4), 'A');
    assert_int_equal(keystore_alg_letter(KEYSTORE_HMAC), 'H');
    assert_int_equal(keystore_alg_letter((enum keystore_alg)0), 0);
}

/* ANSI X9.52: random TDES keys have odd parity in every byte. */
static void test_tdes_parity(void **state)
{
    uint8_t key[24];
    int round, i, b, ones;

    (void)state;
    for (round = 0; round < 50; round++) {
        assert_int_equal(keystore_random_key(KEYSTORE_TDES, key, sizeof(key)), POS_OK);
        for (i = 0; i < 24; i++) {
            for (ones = 0, b = 0; b < 8; b++)
                ones += (key[i] >> b) & 1;
            assert_int_equal(ones % 2, 1);
        }
    }
}

struct list_acc {
    int n, stop_at;
    char names[8][KEYSTORE_NAME_MAX + 1];
};

static int list_cb(void *arg, const struct keystore_entry *e)
{
    struct list_acc *a = arg;

    if (a->n == a->stop_at)
        return 42;
    snprintf(a->names[a->n], sizeof(a->names[0]), "%s", e->name);
    a->n++;
    return 0;
}

static void test_list_and_find_usage(void **state)
{
    static const struct keystore_spec bt = {"bdk:0011223344", "B0", KEYSTORE_TDES, 'X', false};
    static const struct keystore_spec ba = {"bdk:55667788", "B0", KEYSTORE_AES, 'X', false};
    static const struct keystore_spec hk = {"pan-hash", "M7", KEYSTORE_HMAC, 'C', false};
    struct list_acc acc;
    struct keystore_entry e;

    (void)state;
    assert_int_equal(keystore_generate(F.s, &F.lmk, &bt, 16, 1, NULL, NULL), POS_OK);
    assert_int_equal(keystore_generate(F.s, &F.lmk, &ba, 16, 2, NULL, NULL), POS_OK);
    assert_int_equal(keystore_generate(F.s, &F.lmk, &hk, 32, 3, NULL, NULL), POS_OK);
    memset(&acc, 0, sizeof(acc));
    acc.stop_at = -1;
    assert_int_equal(keystore_list(F.s, list_cb, &acc), POS_OK);
    assert_int_equal(acc.n, 3);
    assert_string_equal(acc.names[0], "bdk:0011223344");
    assert_string_equal(acc.names[2], "pan-hash");
    memset(&acc, 0, sizeof(acc));
    acc.stop_at = 1;
    assert_int_equal(keystore_list(F.s, list_cb, &acc), 42);
    assert_int_equal(acc.n, 1);
    assert_int_equal(keystore_find_usage(F.s, "B0", 'A', &e), POS_OK);
    assert_string_equal(e.name, "bdk:55667788");
    assert_int_equal(keystore_find_usage(F.s, "B0", 'T', &e), POS_OK);
    assert_string_equal(e.name, "bdk:0011223344");
    assert_int_equal(e.mode, 'X');
    assert_int_equal(keystore_find_usage(F.s, "B0", 'H', &e), POS_ERR_NOT_FOUND);
    assert_int_equal(keystore_find(F.s, "pan-hash", &e), POS_OK);
    assert_int_equal(e.algorithm, 'H');
    assert_int_equal(keystore_list(F.s, NULL, NULL), POS_ERR_INVAL);
}

/* An SM4 key is labelled 'A' and keeps its SM4 check value. */
static void test_sm4_key(void **state)
{
    static const struct keystore_spec sp = {"tmk:T1", "K0", KEYSTORE_SM4, 'B', true};
    uint8_t key[16], out[16], v[3];
    char kcv[KEYSTORE_KCV_HEX], hex[7];
    struct keystore_entry e;
    size_t len = 0;

    (void)state;
    assert_int_equal(keystore_generate(F.s, &F.lmk, &sp, 16, 1, NULL, kcv), POS_OK);
    assert_int_equal(keystore_find(F.s, "tmk:T1", &e), POS_OK);
    assert_int_equal(e.algorithm, 'A');
    assert_int_equal(e.exportability, 'E');
    assert_int_equal(keystore_get(F.s, &F.lmk, "tmk:T1", "K0", 'D', out, sizeof(out), &len, NULL),
                     POS_OK);
    memcpy(key, out, 16);
    assert_int_equal(kcv_compute(BLOCK_SM4, key, 16, v, 3), POS_OK);
    pos_hex_encode(v, 3, hex, sizeof(hex));
    assert_string_equal(kcv, hex);
    assert_string_equal(e.kcv, hex);
}

/* A database failure is reported, not hidden. */
static void test_database_errors(void **state)
{
    uint8_t out[32];
    size_t len = 0;
    struct keystore_entry e;

    (void)state;
    assert_int_equal(store_exec(F.s, "DROP TABLE terminals; DROP TABLE keys"), POS_OK);
    assert_int_equal(keystore_generate(F.s, &F.lmk, &PVK, 16, 1, NULL, NULL), POS_ERR_DB);
    assert_int_equal(keystore_get(F.s, &F.lmk, "pvk", NULL, 0, out, sizeof(out), &len, NULL),
                     POS_ERR_DB);
    assert_int_equal(keystore_find(F.s, "pvk", &e), POS_ERR_DB);
    assert_int_equal(keystore_list(F.s, list_cb, &(struct list_acc){0}), POS_ERR_DB);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_get_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_block_holds_no_clear_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_usage_enforced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_lmk_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_altered_block_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_found_and_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_parameters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kcv_per_algorithm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tdes_parity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_and_find_usage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sm4_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_database_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
