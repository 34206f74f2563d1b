/* Tests for src/host/admin*.c: a host database in a temporary directory. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/block.h"
#include "crypto/dukpt.h"
#include "crypto/dukpt_aes.h"
#include "crypto/kcv.h"
#include "crypto/keyblock.h"
#include "crypto/lmk.h"
#include "error.h"
#include "hex.h"
#include "host/admin.h"
#include "host/engine.h"
#include "host/keystore.h"
#include "host/schema.h"
#include "secretscan.h"
#include "store/migrate.h"
#include "store/store.h"

#define LMK_HEX "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"
#define NOW_MS  1773576000000LL /* 2026-03-15 12:00:00 UTC */
#define MID     "123456789012345"

struct fx {
    char dir[64], db[96], ktk[96];
    struct lmk lmk;
    struct admin_options o;
    struct admin *a;
    json_t *init;
};

static struct fx F;

static int setup(void **state)
{
    struct admin_init_params p = {NULL, NULL};
    struct pos_errdetail d;

    (void)state;
    memset(&F, 0, sizeof(F));
    assert_int_equal(pos_crypto_init(), POS_OK);
    snprintf(F.dir, sizeof(F.dir), "/tmp/pos-admin-XXXXXX");
    assert_non_null(mkdtemp(F.dir));
    snprintf(F.db, sizeof(F.db), "%s/host.db", F.dir);
    snprintf(F.ktk, sizeof(F.ktk), "%s/ktk", F.dir);
    assert_int_equal(lmk_load_hex(&F.lmk, LMK_HEX, strlen(LMK_HEX), NULL), POS_OK);
    F.o.actor = "tester";
    F.o.now_ms = NOW_MS;
    p.ktk_out = F.ktk;
    pos_errdetail_init(&d);
    if (admin_init(F.db, &F.lmk, &F.o, &p, &F.init, &d) != POS_OK)
        fail_msg("init: %s", d.what);
    assert_int_equal(admin_open(F.db, &F.lmk, &F.o, &F.a, NULL), POS_OK);
    return 0;
}

static int teardown(void **state)
{
    struct ledger_check_report r;
    char cmd[160];

    (void)state;
    if (F.a != NULL) {
        assert_int_equal(admin_check(F.a, &r), POS_OK);
        if (!ledger_check_is_sound(&r))
            fail_msg("books not sound: %s", r.first);
    }
    admin_close(F.a);
    json_decref(F.init);
    lmk_clear(&F.lmk);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", F.dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static int64_t count(const char *sql)
{
    struct store_stmt *st;
    int64_t v;

    assert_int_equal(store_prepare(admin_store(F.a), sql, &st), POS_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    v = store_column_int64(st, 0);
    store_reset(st);
    return v;
}

/* Rows of every table that changes: a refused change must leave all equal. */
static int64_t changes_fingerprint(void)
{
    return count("SELECT (SELECT COUNT(*) FROM merchants) * 1000000 +"
                 " (SELECT COUNT(*) FROM terminals) * 100000 + (SELECT COUNT(*) FROM keys) * 10000"
                 " + (SELECT COUNT(*) FROM accounts) * 1000 + (SELECT COUNT(*) FROM cards) * 100"
                 " + (SELECT COUNT(*) FROM txns) * 10 + (SELECT COUNT(*) FROM audit_log)");
}

static const char *jstr(json_t *j, const char *k)
{
    const char *s = json_string_value(json_object_get(j, k));

    if (s == NULL)
        fail_msg("no string %s in JSON", k);
    return s;
}

static void read_ktk(uint8_t ktk[16])
{
    char buf[64];
    size_t n = 0;
    FILE *f = fopen(F.ktk, "r");

    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof(buf), f));
    fclose(f);
    assert_int_equal(strlen(buf), 33);
    assert_int_equal(buf[32], '\n');
    assert_int_equal(pos_hex_decode(buf, 32, ktk, 16, &n), POS_OK);
}

static void kcv_hex(enum block_alg alg, const uint8_t *key, size_t len, char hex[7])
{
    uint8_t v[3];

    assert_int_equal(kcv_compute(alg, key, len, v, 3), POS_OK);
    pos_hex_encode(v, 3, hex, 7);
}

static void add_merchant(const char *mid)
{
    struct admin_merchant m = {mid, "Corner Shop", "Shanghai", "5411", "CNY", "60", "BANK-1"};
    json_t *j = NULL;

    assert_int_equal(admin_merchant_add(F.a, &m, &j, NULL), POS_OK);
    json_decref(j);
}

/* ---- init and open ---------------------------------------------------------- */

static void test_init(void **state)
{
    static const char *const want[][3] = {
        {"pvk", "V2", "T"},  {"cvk", "C0", "T"},  {"pan-data", "D0", "A"}, {"pan-hash", "M7", "H"},
        {"bdk:", "B0", "T"}, {"bdk:", "B0", "A"}, {"ktk", "K0", "T"},
    };
    json_t *keys = json_object_get(F.init, "keys");
    uint8_t ktk[16], v[3];
    char hex[7], other[112];
    struct admin_init_params p = {NULL, NULL};
    struct pos_errdetail d;
    struct stat sb;
    size_t i;

    (void)state;
    assert_int_equal(json_array_size(keys), 7);
    for (i = 0; i < 7; i++) {
        json_t *k = json_array_get(keys, i);
        assert_int_equal(strncmp(jstr(k, "name"), want[i][0], strlen(want[i][0])), 0);
        assert_string_equal(jstr(k, "usage"), want[i][1]);
        assert_string_equal(jstr(k, "algorithm"), want[i][2]);
        assert_null(json_object_get(k, "block"));
    }
    /* the KTK file: 0600, the key whose check value init printed */
    assert_int_equal(stat(F.ktk, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    read_ktk(ktk);
    kcv_hex(BLOCK_TDES, ktk, 16, hex);
    assert_string_equal(jstr(F.init, "ktk_kcv"), hex);
    assert_int_equal(lmk_kcv(&F.lmk, v), POS_OK);
    pos_hex_encode(v, 3, hex, sizeof(hex));
    assert_string_equal(jstr(F.init, "lmk_kcv"), hex);
    assert_int_equal(
        count("SELECT COUNT(*) FROM accounts WHERE kind = 'funding' AND currency = 156"), 1);
    assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE action = 'init'"
                           " AND actor = 'tester'"),
                     1);
    /* once only: an initialised database, an existing KTK file */
    pos_errdetail_init(&d);
    snprintf(other, sizeof(other), "%s/ktk2", F.dir);
    p.ktk_out = other;
    assert_int_equal(admin_init(F.db, &F.lmk, &F.o, &p, NULL, &d), POS_ERR_STATE);
    assert_non_null(strstr(d.what, "already initialised"));
    assert_int_equal(access(other, F_OK), -1);
    p.ktk_out = F.ktk;
    snprintf(other, sizeof(other), "%s/new.db", F.dir);
    assert_int_equal(admin_init(other, &F.lmk, &F.o, &p, NULL, &d), POS_ERR_STATE);
    assert_non_null(strstr(d.what, "exported once"));
    assert_int_equal(access(other, F_OK), -1);
    p.currency = "XYZ";
    snprintf(other + strlen(other), 8, "k");
    p.ktk_out = other;
    assert_int_equal(admin_init(other, &F.lmk, &F.o, &p, NULL, &d), POS_ERR_CURRENCY);
    assert_int_equal(admin_init(other, NULL, &F.o, &p, NULL, &d), POS_ERR_INVAL);
    p.ktk_out = NULL;
    assert_int_equal(admin_init(other, &F.lmk, &F.o, &p, NULL, &d), POS_ERR_INVAL);
}

/* init in another currency, and a KTK file in a missing directory: nothing
 * is kept (the transaction rolls back, no key is left). */
static void test_init_other_currency_and_io_error(void **state)
{
    struct admin_init_params p = {NULL, "USD"};
    char db[112], ktk[128];
    struct admin *b = NULL;
    struct pos_errdetail d;
    json_t *sum = NULL;

    (void)state;
    snprintf(db, sizeof(db), "%s/usd.db", F.dir);
    snprintf(ktk, sizeof(ktk), "%s/missing/ktk", F.dir);
    p.ktk_out = ktk;
    pos_errdetail_init(&d);
    assert_int_equal(admin_init(db, &F.lmk, &F.o, &p, NULL, &d), POS_ERR_IO);
    assert_int_equal(admin_open(db, &F.lmk, &F.o, &b, NULL), POS_ERR_STATE); /* no keys kept */
    snprintf(ktk, sizeof(ktk), "%s/usd.ktk", F.dir);
    assert_int_equal(admin_init(db, &F.lmk, &F.o, &p, &sum, &d), POS_OK);
    json_decref(sum);
    assert_int_equal(admin_open(db, &F.lmk, &F.o, &b, NULL), POS_OK);
    assert_int_equal(store_exec(admin_store(b), "SELECT 1"), POS_OK);
    admin_close(b);
}

static void test_open_errors(void **state)
{
    struct admin *b = NULL;
    struct lmk other;
    struct store *s = NULL;
    const struct store_migration *m;
    struct admin_options o = {"bad\001actor", 0};
    struct pos_errdetail d;
    char path[112];
    size_t n;
    const char *hex = "1F1E1D1C1B1A191817161514131211100F0E0D0C0B0A09080706050403020100";

    (void)state;
    pos_errdetail_init(&d);
    snprintf(path, sizeof(path), "%s/none.db", F.dir);
    assert_int_equal(admin_open(path, NULL, &F.o, &b, &d), POS_ERR_NOT_FOUND);
    assert_null(b);
    assert_int_equal(access(path, F_OK), -1); /* not created */
    assert_int_equal(lmk_load_hex(&other, hex, strlen(hex), NULL), POS_OK);
    assert_int_equal(admin_open(F.db, &other, &F.o, &b, &d), POS_ERR_KEYBLOCK_MAC);
    assert_non_null(strstr(d.what, "local master key"));
    lmk_clear(&other);
    assert_int_equal(admin_open(F.db, &F.lmk, &o, &b, &d), POS_ERR_INVAL);
    assert_int_equal(admin_open(NULL, &F.lmk, &F.o, &b, &d), POS_ERR_INVAL);
    /* a database with the schema but no keys */
    snprintf(path, sizeof(path), "%s/empty.db", F.dir);
    assert_int_equal(store_open(path, NULL, &s, NULL), POS_OK);
    m = schema_migrations(&n);
    assert_int_equal(store_migrate(s, m, n, NULL, NULL), POS_OK);
    store_close(s);
    assert_int_equal(admin_open(path, NULL, &F.o, &b, &d), POS_ERR_STATE);
    assert_non_null(strstr(d.what, "not initialised"));
    /* no LMK: queries work, key work is refused */
    assert_int_equal(admin_open(F.db, NULL, NULL, &b, NULL), POS_OK);
    {
        struct admin_terminal t = {"T0000001", MID, "cup", "mksk-tdes", NULL};
        json_t *j = NULL;
        add_merchant(MID);
        assert_int_equal(admin_terminal_add(b, &t, &j, &d), POS_ERR_KEY);
        assert_non_null(strstr(d.what, "local master key"));
        assert_int_equal(admin_merchant_list(b, &j), POS_OK);
        assert_int_equal(json_array_size(j), 1);
        json_decref(j);
    }
    admin_close(b);
}

/* ---- merchants -------------------------------------------------------------- */

static void test_merchant_life_cycle(void **state)
{
    struct admin_merchant m = {MID, "Corner Shop", "Shanghai", "5411", "156", "60", "BANK-1"};
    struct pos_errdetail d;
    json_t *j = NULL;

    (void)state;
    pos_errdetail_init(&d);
    assert_int_equal(admin_merchant_add(F.a, &m, &j, &d), POS_OK);
    assert_string_equal(jstr(j, "mid"), MID);
    assert_string_equal(jstr(j, "currency"), "CNY");
    assert_string_equal(jstr(j, "status"), "active");
    assert_string_equal(jstr(j, "balance"), "0.00");
    assert_int_equal(json_integer_value(json_object_get(j, "mdr_bps")), 60);
    assert_int_equal(count("SELECT COUNT(*) FROM accounts WHERE kind = 'merchant'"), 1);
    json_decref(j);
    assert_int_equal(admin_merchant_add(F.a, &m, &j, &d), POS_ERR_CONSTRAINT);
    assert_int_equal(admin_merchant_set_active(F.a, MID, false, &j, &d), POS_OK);
    assert_string_equal(jstr(j, "status"), "suspended");
    json_decref(j);
    assert_int_equal(admin_merchant_set_active(F.a, MID, false, &j, &d), POS_ERR_STATE);
    assert_int_equal(admin_merchant_set_active(F.a, MID, true, &j, &d), POS_OK);
    assert_string_equal(jstr(j, "status"), "active");
    json_decref(j);
    assert_int_equal(admin_merchant_set_active(F.a, "999999999999999", true, &j, &d),
                     POS_ERR_NOT_FOUND);
    assert_int_equal(admin_merchant_show(F.a, "999999999999999", &j, &d), POS_ERR_NOT_FOUND);
    assert_int_equal(admin_merchant_list(F.a, &j), POS_OK);
    assert_int_equal(json_array_size(j), 1);
    json_decref(j);
    assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE object = '" MID "'"), 3);
}

/* Every bad field is refused with its error and nothing changes. */
static void test_merchant_bad_input(void **state)
{
    static const struct {
        struct admin_merchant m;
        int rc;
    } cases[] = {
        {{"12345678901234", "S", "", "5411", "CNY", "60", "B"}, POS_ERR_SYNTAX},
        {{"12345678901234!", "S", "", "5411", "CNY", "60", "B"}, POS_ERR_SYNTAX},
        {{MID, "", "", "5411", "CNY", "60", "B"}, POS_ERR_SYNTAX},
        {{MID, "Shop\n", "", "5411", "CNY", "60", "B"}, POS_ERR_SYNTAX},
        {{MID, "S", "A city name that is far too long to fit in", "5411", "CNY", "60", "B"},
         POS_ERR_SYNTAX},
        {{MID, "S", "", "541", "CNY", "60", "B"}, POS_ERR_SYNTAX},
        {{MID, "S", "", "54a1", "CNY", "60", "B"}, POS_ERR_SYNTAX},
        {{MID, "S", "", "5411", "QQQ", "60", "B"}, POS_ERR_CURRENCY},
        {{MID, "S", "", "5411", NULL, "60", "B"}, POS_ERR_CURRENCY},
        {{MID, "S", "", "5411", "CNY", "10001", "B"}, POS_ERR_RANGE},
        {{MID, "S", "", "5411", "CNY", "-1", "B"}, POS_ERR_RANGE},
        {{MID, "S", "", "5411", "CNY", "", "B"}, POS_ERR_RANGE},
        {{MID, "S", "", "5411", "CNY", "60", ""}, POS_ERR_SYNTAX},
    };
    struct pos_errdetail d;
    int64_t before = changes_fingerprint();
    json_t *j = NULL;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pos_errdetail_init(&d);
        if (admin_merchant_add(F.a, &cases[i].m, &j, &d) != cases[i].rc)
            fail_msg("case %zu: want %s", i, pos_errname(cases[i].rc));
        assert_null(j);
        assert_true(d.what[0] != '\0');
    }
    assert_int_equal(changes_fingerprint(), before);
}

/* ---- terminals -------------------------------------------------------------- */

/* Unwraps the provisioning file's block under the KTK (file) as the
 * terminal will, checks its KCV and returns the key. */
static size_t unwrap_provision(json_t *prov, const char *usage, char mode, enum block_alg alg,
                               uint8_t *key, struct keyblock_header *h)
{
    json_t *k = json_object_get(prov, "key");
    const char *block = jstr(k, "block");
    uint8_t ktk[16];
    char hex[7];
    size_t len = 0;

    read_ktk(ktk);
    assert_int_equal(
        keyblock_unwrap_for(ktk, 16, block, strlen(block), usage, mode, h, key, 32, &len, NULL),
        POS_OK);
    assert_int_equal(h->version, 'B');
    assert_int_equal(h->exportability, 'N');
    kcv_hex(alg, key, len, hex);
    assert_string_equal(jstr(k, "kcv"), hex);
    assert_string_equal(jstr(prov, "ktk_kcv"), jstr(F.init, "ktk_kcv"));
    return len;
}

static void test_terminal_mksk(void **state)
{
    static const struct {
        const char *tid, *scheme, *alg;
        enum block_alg balg;
        char letter;
    } cases[] = {
        {"T0000001", "mksk-tdes", "tdes", BLOCK_TDES, 'T'},
        {"T0000002", "mksk-aes", "aes", BLOCK_AES, 'A'},
        {"T0000003", "mksk-sm4", "sm4", BLOCK_SM4, 'A'},
    };
    struct keyblock_header h;
    uint8_t key[32], stored[32];
    char name[32];
    size_t i, len, slen = 0;
    json_t *j = NULL;

    (void)state;
    add_merchant(MID);
    for (i = 0; i < 3; i++) {
        struct admin_terminal t = {cases[i].tid, MID, "cup", cases[i].scheme, NULL};
        assert_int_equal(admin_terminal_add(F.a, &t, &j, NULL), POS_OK);
        assert_string_equal(jstr(j, "format"), ADMIN_PROVISION_FORMAT);
        assert_string_equal(jstr(j, "tid"), cases[i].tid);
        assert_string_equal(jstr(j, "mid"), MID);
        assert_string_equal(jstr(j, "merchant_name"), "Corner Shop");
        assert_string_equal(jstr(j, "dialect"), "cup");
        assert_string_equal(jstr(j, "key_scheme"), cases[i].scheme);
        assert_string_equal(jstr(j, "host"), "127.0.0.1:5800");
        assert_int_equal(json_integer_value(json_object_get(j, "batch_no")), 1);
        assert_null(json_object_get(j, "ksn"));
        assert_string_equal(jstr(json_object_get(j, "key"), "type"), "tmk");
        assert_string_equal(jstr(json_object_get(j, "key"), "algorithm"), cases[i].alg);
        len = unwrap_provision(j, "K0", 'D', cases[i].balg, key, &h);
        assert_int_equal(len, 16);
        assert_int_equal(h.algorithm, cases[i].letter);
        /* the host's copy (under the LMK) is the same key */
        snprintf(name, sizeof(name), "tmk:%s", cases[i].tid);
        assert_int_equal(keystore_get(admin_store(F.a), &F.lmk, name, "K0", 'E', stored,
                                      sizeof(stored), &slen, NULL),
                         POS_OK);
        assert_buf_equal(stored, slen, key, len);
        json_decref(j);
    }
    assert_int_equal(count("SELECT COUNT(*) FROM terminals WHERE tmk_key_id IS NOT NULL"
                           " AND bdk_key_id IS NULL AND initial_ksn IS NULL"),
                     3);
}

static void test_terminal_dukpt(void **state)
{
    struct admin_terminal t1 = {"D0000001", MID, "iso87b", "dukpt-tdes", "pos.example:5801"};
    struct admin_terminal t2 = {"D0000002", MID, "iso87b", "dukpt-tdes", NULL};
    struct admin_terminal t3 = {"A0000001", MID, "iso87a", "dukpt-aes", NULL};
    struct keystore_entry e;
    struct keyblock_header h;
    uint8_t key[32], bdk[32], ksn[12], want[32];
    char ksn1[32], bdkname[KEYSTORE_NAME_MAX + 1];
    const char *ks;
    size_t len, n = 0, kslen = 0;
    json_t *j = NULL;

    (void)state;
    add_merchant(MID);
    /* TDES: IPEK = X9.24-1-2009 A.6 of the BDK and the initial KSN in KS */
    assert_int_equal(admin_terminal_add(F.a, &t1, &j, NULL), POS_OK);
    assert_string_equal(jstr(j, "host"), "pos.example:5801");
    assert_string_equal(jstr(json_object_get(j, "key"), "type"), "ipek");
    len = unwrap_provision(j, "B1", 'X', BLOCK_TDES, key, &h);
    assert_int_equal(len, 16);
    assert_true(keyblock_opt_find(&h, "KS", &ks, &kslen));
    assert_int_equal(kslen, 20);
    assert_memory_equal(ks, jstr(j, "ksn"), 20);
    snprintf(ksn1, sizeof(ksn1), "%s", jstr(j, "ksn"));
    assert_int_equal(pos_hex_decode(ksn1, 20, ksn, sizeof(ksn), &n), POS_OK);
    assert_int_equal(dukpt_ksn_counter(ksn), 0);
    assert_int_equal(keystore_find_usage(admin_store(F.a), "B0", 'T', &e), POS_OK);
    assert_memory_equal(e.name + 4, ksn1, 10); /* the KSI names the BDK */
    assert_int_equal(
        keystore_get(admin_store(F.a), &F.lmk, e.name, "B0", 'X', bdk, sizeof(bdk), &n, NULL),
        POS_OK);
    assert_int_equal(dukpt_ipek(bdk, 16, ksn, want), POS_OK);
    assert_buf_equal(key, len, want, 16);
    json_decref(j);
    /* another terminal, another device ID */
    assert_int_equal(admin_terminal_add(F.a, &t2, &j, NULL), POS_OK);
    assert_string_not_equal(jstr(j, "ksn"), ksn1);
    json_decref(j);
    /* the same TID again (the first renamed) collides on its device ID and moves on */
    assert_int_equal(store_exec(admin_store(F.a),
                                "UPDATE terminals SET tid = 'D000000X' WHERE tid = 'D0000001'"),
                     POS_OK);
    assert_int_equal(store_exec(admin_store(F.a), "DELETE FROM keys WHERE name = 'x'"), POS_OK);
    assert_int_equal(admin_terminal_add(F.a, &t1, &j, NULL), POS_OK);
    assert_string_not_equal(jstr(j, "ksn"), ksn1);
    assert_memory_equal(jstr(j, "ksn"), ksn1, 10);
    json_decref(j);
    /* AES: initial key = X9.24-3-2017 §6.3.1 of the BDK and the initial key ID in KS */
    assert_int_equal(admin_terminal_add(F.a, &t3, &j, NULL), POS_OK);
    assert_string_equal(jstr(json_object_get(j, "key"), "type"), "initial_key");
    assert_string_equal(jstr(j, "host"), "127.0.0.1:5801");
    len = unwrap_provision(j, "B1", 'X', BLOCK_AES, key, &h);
    assert_int_equal(len, 16);
    assert_int_equal(h.algorithm, 'A');
    assert_int_equal(strlen(jstr(j, "ksn")), 24);
    assert_true(keyblock_opt_find(&h, "KS", &ks, &kslen));
    assert_int_equal(kslen, 16);
    assert_memory_equal(ks, jstr(j, "ksn"), 16);
    assert_int_equal(pos_hex_decode(jstr(j, "ksn"), 24, ksn, sizeof(ksn), &n), POS_OK);
    assert_int_equal(dukpt_aes_ksn_counter(ksn), 0);
    assert_int_equal(keystore_find_usage(admin_store(F.a), "B0", 'A', &e), POS_OK);
    snprintf(bdkname, sizeof(bdkname), "%s", e.name);
    assert_memory_equal(bdkname + 4, jstr(j, "ksn"), 8);
    assert_int_equal(
        keystore_get(admin_store(F.a), &F.lmk, bdkname, "B0", 'X', bdk, sizeof(bdk), &n, NULL),
        POS_OK);
    assert_int_equal(dukpt_aes_initial_key(bdk, 16, ksn, want), POS_OK);
    assert_buf_equal(key, len, want, 16);
    json_decref(j);
    assert_int_equal(count("SELECT COUNT(*) FROM terminals WHERE bdk_key_id IS NOT NULL"
                           " AND initial_ksn IS NOT NULL AND tmk_key_id IS NULL"),
                     4);
}

static void test_terminal_refusals_and_status(void **state)
{
    static const struct {
        struct admin_terminal t;
        int rc;
    } cases[] = {
        {{"T000001", MID, "cup", "mksk-tdes", NULL}, POS_ERR_SYNTAX},
        {{"T000000-1", MID, "cup", "mksk-tdes", NULL}, POS_ERR_SYNTAX},
        {{"T0000001", "12345", "cup", "mksk-tdes", NULL}, POS_ERR_SYNTAX},
        {{"T0000001", "999999999999999", "cup", "mksk-tdes", NULL}, POS_ERR_NOT_FOUND},
        {{"T0000001", MID, "iso93", "mksk-tdes", NULL}, POS_ERR_INVAL},
        {{"T0000001", MID, "cup", "mksk-des", NULL}, POS_ERR_INVAL},
        {{"T0000001", MID, "cup", NULL, NULL}, POS_ERR_INVAL},
        {{"T0000001", MID, "cup", "mksk-tdes", ""}, POS_ERR_SYNTAX},
        {{"T0000009", MID, "cup", "mksk-tdes", NULL}, POS_ERR_CONSTRAINT},
    };
    struct admin_terminal ok = {"T0000009", MID, "cup", "mksk-tdes", NULL};
    struct pos_errdetail d;
    json_t *j = NULL;
    int64_t before;
    size_t i;

    (void)state;
    add_merchant(MID);
    assert_int_equal(admin_terminal_add(F.a, &ok, &j, NULL), POS_OK);
    json_decref(j);
    before = changes_fingerprint();
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pos_errdetail_init(&d);
        if (admin_terminal_add(F.a, &cases[i].t, &j, &d) != cases[i].rc)
            fail_msg("case %zu: want %s", i, pos_errname(cases[i].rc));
        assert_null(j);
    }
    assert_int_equal(changes_fingerprint(), before);
    assert_int_equal(admin_terminal_set_active(F.a, "T0000009", false, &j, &d), POS_OK);
    assert_string_equal(jstr(j, "status"), "suspended");
    json_decref(j);
    assert_int_equal(admin_terminal_set_active(F.a, "T0000009", false, &j, &d), POS_ERR_STATE);
    assert_int_equal(admin_terminal_set_active(F.a, "T0000009", true, &j, &d), POS_OK);
    json_decref(j);
    assert_int_equal(admin_terminal_set_active(F.a, "NOPE0000", true, &j, &d), POS_ERR_NOT_FOUND);
    assert_int_equal(admin_terminal_show(F.a, "NOPE0000", &j, &d), POS_ERR_NOT_FOUND);
    assert_int_equal(admin_terminal_show(F.a, "T0000009", &j, &d), POS_OK);
    assert_string_equal(jstr(j, "key"), "tmk:T0000009");
    assert_int_equal(strlen(jstr(j, "key_kcv")), 6);
    assert_true(json_is_null(json_object_get(j, "initial_ksn")));
    json_decref(j);
    assert_int_equal(admin_terminal_list(F.a, &j), POS_OK);
    assert_int_equal(json_array_size(j), 1);
    json_decref(j);
    assert_int_equal(count("SELECT COUNT(*) FROM audit_log WHERE object = 'T0000009'"), 3);
}

/* ---- accounts and cards ----------------------------------------------------- */

static int64_t add_account(const char *kind, const char *currency, const char *limit)
{
    struct admin_account p = {kind, "alice", currency, limit};
    json_t *j = NULL;
    int64_t id;

    assert_int_equal(admin_account_add(F.a, &p, &j, NULL), POS_OK);
    id = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    return id;
}

static void test_accounts(void **state)
{
    struct admin_account bad[] = {
        {"wallet", NULL, "CNY", NULL}, {"debit", NULL, "QQQ", NULL},
        {"debit", NULL, "CNY", "10"},  {"credit", NULL, "CNY", "1.234"},
        {"credit", NULL, "CNY", "-5"}, {"credit", NULL, "CNY", "abc"},
        {"debit", "", "CNY", NULL},
    };
    static const int rcs[] = {POS_ERR_INVAL, POS_ERR_CURRENCY, POS_ERR_INVAL, POS_ERR_RANGE,
                              POS_ERR_RANGE, POS_ERR_SYNTAX,   POS_ERR_SYNTAX};
    struct pos_errdetail d;
    json_t *j = NULL;
    int64_t id, before;
    size_t i;

    (void)state;
    id = add_account("credit", "CNY", "5000");
    assert_int_equal(admin_account_show(F.a, id, &j, &d), POS_OK);
    assert_string_equal(jstr(j, "kind"), "credit");
    assert_string_equal(jstr(j, "credit_limit"), "5000.00");
    assert_string_equal(jstr(j, "available"), "5000.00");
    assert_string_equal(jstr(j, "name"), "alice");
    json_decref(j);
    id = add_account("prepaid", "JPY", NULL);
    assert_int_equal(admin_account_show(F.a, id, &j, &d), POS_OK);
    assert_string_equal(jstr(j, "balance"), "0");
    json_decref(j);
    assert_int_equal(count("SELECT COUNT(*) FROM accounts WHERE kind = 'funding'"), 2);
    before = changes_fingerprint();
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (admin_account_add(F.a, &bad[i], &j, &d) != rcs[i])
            fail_msg("case %zu: want %s", i, pos_errname(rcs[i]));
    assert_int_equal(changes_fingerprint(), before);
    assert_int_equal(admin_account_show(F.a, 999, &j, &d), POS_ERR_NOT_FOUND);
}

static void test_card_life_cycle(void **state)
{
    struct admin_card_issue p;
    struct issuer_card c;
    struct pos_errdetail d;
    json_t *j = NULL;
    int64_t acct, found = 0, before;
    char pin[13];
    int tries;

    (void)state;
    acct = add_account("debit", "CNY", NULL);
    memset(&p, 0, sizeof(p));
    p.account_id = acct;
    p.pin = "739104";
    p.daily_limit = "500";
    pos_errdetail_init(&d);
    /* a CVV2 equal to the service code, or to digits the database holds by
     * design (the account "funding 156"), could not be told from a leak
     * (secretscan.h): issue again. A real leak is found after every issue. */
    for (tries = 0;; tries++) {
        assert_int_equal(admin_card_issue(F.a, &p, &c, &d), POS_OK);
        if (tries == 20 || (strcmp(c.cvv2, c.service_code) != 0 &&
                            scan_database(admin_store(F.a), NULL, NULL, NULL, c.cvv2) == 0))
            break;
        issuer_card_clear(&c);
    }
    assert_int_equal(admin_card_find(F.a, c.pan, &found, &d), POS_OK);
    assert_int_equal(found, c.id);
    assert_int_equal(admin_card_topup(F.a, c.id, "100.50", &j, &d), POS_OK);
    assert_string_equal(jstr(j, "amount"), "100.50");
    json_decref(j);
    assert_int_equal(admin_card_set_status(F.a, c.id, "block", &j, &d), POS_OK);
    assert_string_equal(jstr(j, "status"), "blocked");
    json_decref(j);
    assert_int_equal(admin_card_set_status(F.a, c.id, "unblock", &j, &d), POS_OK);
    json_decref(j);
    assert_int_equal(admin_card_pin_reset(F.a, c.id, "2468", pin, &d), POS_OK);
    assert_string_equal(pin, "2468");
    assert_int_equal(admin_card_set_limit(F.a, c.id, "250.5", &j, &d), POS_OK);
    assert_string_equal(jstr(j, "daily_limit"), "250.50");
    json_decref(j);
    assert_int_equal(admin_card_show(F.a, c.id, &j, &d), POS_OK);
    assert_string_equal(jstr(j, "pan"), c.pan_masked);
    assert_string_equal(jstr(j, "balance"), "100.50");
    assert_string_equal(jstr(j, "status"), "active");
    json_decref(j);
    /* refusals change nothing */
    before = changes_fingerprint();
    assert_int_equal(admin_card_topup(F.a, c.id, "0", &j, &d), POS_ERR_RANGE);
    assert_int_equal(admin_card_topup(F.a, c.id, "-1", &j, &d), POS_ERR_RANGE);
    assert_int_equal(admin_card_topup(F.a, c.id, "1.001", &j, &d), POS_ERR_RANGE);
    assert_int_equal(admin_card_topup(F.a, c.id, "x", &j, &d), POS_ERR_SYNTAX);
    assert_int_equal(admin_card_topup(F.a, 999, "1", &j, &d), POS_ERR_NOT_FOUND);
    assert_int_equal(admin_card_set_status(F.a, c.id, "freeze", &j, &d), POS_ERR_INVAL);
    assert_int_equal(admin_card_set_status(F.a, c.id, "unblock", &j, &d), POS_ERR_STATE);
    assert_int_equal(admin_card_set_limit(F.a, c.id, "-3", &j, &d), POS_ERR_RANGE);
    assert_int_equal(admin_card_pin_reset(F.a, c.id, "12", pin, &d), POS_ERR_PIN_LENGTH);
    assert_int_equal(admin_card_find(F.a, "6222", &found, &d), POS_ERR_CARD_PAN);
    assert_int_equal(admin_card_find(F.a, "6222020000000000", &found, &d), POS_ERR_NOT_FOUND);
    p.account_id = 999;
    assert_int_equal(admin_card_issue(F.a, &p, &c, &d), POS_ERR_NOT_FOUND);
    p.account_id = acct;
    p.daily_limit = "5x";
    assert_int_equal(admin_card_issue(F.a, &p, &c, &d), POS_ERR_SYNTAX);
    assert_int_equal(changes_fingerprint(), before);
    /* lost is final */
    p.daily_limit = NULL;
    assert_int_equal(admin_card_issue(F.a, &p, &c, &d), POS_OK);
    assert_int_equal(admin_card_set_status(F.a, c.id, "lost", &j, &d), POS_OK);
    json_decref(j);
    assert_int_equal(admin_card_set_status(F.a, c.id, "unblock", &j, &d), POS_ERR_STATE);
    assert_int_equal(admin_card_topup(F.a, c.id, "1", &j, &d), POS_ERR_STATE);
    issuer_card_clear(&c);
}

/* The audit log names who did what, and neither it nor any other table holds
 * the PAN, track, PIN or CVV2 of a card issued through admin. */
static void test_audit_and_no_secrets(void **state)
{
    struct admin_card_issue p;
    struct issuer_card c;
    json_t *j = NULL;
    char pin[13];
    size_t i;

    (void)state;
    memset(&p, 0, sizeof(p));
    p.account_id = add_account("debit", "CNY", NULL);
    p.pin = "739104";
    do {
        assert_int_equal(admin_card_issue(F.a, &p, &c, NULL), POS_OK);
    } while (strcmp(c.cvv2, c.service_code) == 0);
    assert_int_equal(admin_card_topup(F.a, c.id, "12.34", &j, NULL), POS_OK);
    json_decref(j);
    assert_int_equal(admin_card_pin_reset(F.a, c.id, "739104", pin, NULL), POS_OK);
    assert_int_equal(scan_database(admin_store(F.a), c.pan, c.track2, c.pin, c.cvv2), 0);
    assert_int_equal(admin_audit(F.a, 0, &j), POS_OK);
    assert_true(json_array_size(j) >= 5);
    assert_string_equal(jstr(json_array_get(j, 0), "action"), "card.pin_reset");
    assert_string_equal(jstr(json_array_get(j, 1), "action"), "card.topup");
    assert_string_equal(jstr(json_array_get(j, 2), "action"), "card.issue");
    assert_string_equal(jstr(json_object_get(json_array_get(j, 2), "detail"), "pan"), c.pan_masked);
    assert_string_equal(jstr(json_array_get(j, 3), "action"), "account.add");
    for (i = 0; i < json_array_size(j); i++)
        assert_string_equal(jstr(json_array_get(j, i), "actor"), "tester");
    json_decref(j);
    assert_int_equal(admin_audit(F.a, 2, &j), POS_OK);
    assert_int_equal(json_array_size(j), 2);
    json_decref(j);
    issuer_card_clear(&c);
}

/* ---- queries and the books -------------------------------------------------- */

static void test_queries_with_engine(void **state)
{
    struct admin_terminal t = {"T0000001", MID, "cup", "mksk-tdes", NULL};
    struct admin_txn_filter f;
    struct admin_card_issue p;
    struct issuer_card c;
    struct engine_request rq;
    struct engine_response rs;
    struct pos_errdetail d;
    json_t *j = NULL, *x;
    int64_t term = 0;

    (void)state;
    add_merchant(MID);
    assert_int_equal(admin_terminal_add(F.a, &t, &j, NULL), POS_OK);
    json_decref(j);
    memset(&p, 0, sizeof(p));
    p.account_id = add_account("debit", "CNY", NULL);
    assert_int_equal(admin_card_issue(F.a, &p, &c, NULL), POS_OK);
    assert_int_equal(admin_card_topup(F.a, c.id, "100", &j, NULL), POS_OK);
    json_decref(j);
    /* the engine pays with the card admin made (schema agreement) */
    term = count("SELECT id FROM terminals WHERE tid = 'T0000001'");
    memset(&rq, 0, sizeof(rq));
    rq.kind = ENGINE_PURCHASE;
    rq.terminal_id = term;
    memcpy(rq.mti, "0200", 5);
    memcpy(rq.proc_code, "000000", 7);
    memcpy(rq.stan, "000001", 7);
    memcpy(rq.tx_time, "0315120000", 11);
    rq.card_id = c.id;
    memcpy(rq.expiry, c.expiry, 5);
    rq.pin = ENGINE_PIN_OK;
    rq.amount = 2500;
    rq.currency = 156;
    rq.batch_no = 1;
    memcpy(rq.auth_code, "A1B2C3", 7);
    rq.now_ms = NOW_MS;
    rq.today_yymm = 2603;
    rq.today_day = NOW_MS / 86400000;
    assert_int_equal(store_begin(admin_store(F.a)), POS_OK);
    assert_int_equal(engine_run(admin_store(F.a), &rq, &rs), POS_OK);
    assert_int_equal(store_commit(admin_store(F.a)), POS_OK);
    assert_string_equal(rs.rc, "00");
    /* transactions by terminal, merchant, card, account */
    pos_errdetail_init(&d);
    memset(&f, 0, sizeof(f));
    f.tid = "T0000001";
    assert_int_equal(admin_txns(F.a, &f, &j, &d), POS_OK);
    assert_int_equal(json_array_size(j), 1);
    x = json_array_get(j, 0);
    assert_string_equal(jstr(x, "kind"), "purchase");
    assert_string_equal(jstr(x, "amount"), "25.00");
    assert_string_equal(jstr(x, "pan"), c.pan_masked);
    assert_string_equal(jstr(x, "mid"), MID);
    json_decref(j);
    memset(&f, 0, sizeof(f));
    f.card_id = c.id;
    assert_int_equal(admin_txns(F.a, &f, &j, &d), POS_OK);
    assert_int_equal(json_array_size(j), 2); /* the purchase and the top-up, newest first */
    assert_string_equal(jstr(json_array_get(j, 1), "kind"), "topup");
    json_decref(j);
    f.limit = 1;
    assert_int_equal(admin_txns(F.a, &f, &j, &d), POS_OK);
    assert_int_equal(json_array_size(j), 1);
    json_decref(j);
    memset(&f, 0, sizeof(f));
    f.account_id = p.account_id;
    f.mid = MID;
    assert_int_equal(admin_txns(F.a, &f, &j, &d), POS_OK);
    assert_int_equal(json_array_size(j), 1);
    json_decref(j);
    memset(&f, 0, sizeof(f));
    f.tid = "NOPE0000";
    assert_int_equal(admin_txns(F.a, &f, &j, &d), POS_ERR_NOT_FOUND);
    f.tid = NULL;
    f.mid = "999999999999999";
    assert_int_equal(admin_txns(F.a, &f, &j, &d), POS_ERR_NOT_FOUND);
    f.mid = NULL;
    f.card_id = 999;
    assert_int_equal(admin_txns(F.a, &f, &j, &d), POS_ERR_NOT_FOUND);
    f.card_id = 0;
    f.account_id = 999;
    assert_int_equal(admin_txns(F.a, &f, &j, &d), POS_ERR_NOT_FOUND);
    /* the open batch counts the purchase */
    assert_int_equal(admin_batches(F.a, &j), POS_OK);
    assert_int_equal(json_array_size(j), 1);
    x = json_array_get(j, 0);
    assert_int_equal(json_integer_value(json_object_get(x, "debit_count")), 1);
    assert_string_equal(jstr(x, "debit_amount"), "25.00");
    json_decref(j);
    assert_int_equal(admin_keys(F.a, &j), POS_OK);
    assert_int_equal(json_array_size(j), 8); /* init's 7 and tmk:T0000001 */
    json_decref(j);
    issuer_card_clear(&c);
}

static void test_check_finds_corruption(void **state)
{
    struct admin_card_issue p;
    struct issuer_card c;
    struct ledger_check_report r;
    json_t *j = NULL;

    (void)state;
    memset(&p, 0, sizeof(p));
    p.account_id = add_account("debit", "CNY", NULL);
    assert_int_equal(admin_card_issue(F.a, &p, &c, NULL), POS_OK);
    assert_int_equal(admin_card_topup(F.a, c.id, "10", &j, NULL), POS_OK);
    json_decref(j);
    assert_int_equal(admin_check(F.a, &r), POS_OK);
    assert_true(ledger_check_is_sound(&r));
    assert_int_equal(r.txns, 1);
    assert_int_equal(r.postings, 2);
    assert_int_equal(store_exec(admin_store(F.a), "UPDATE accounts SET balance = balance + 1"
                                                  " WHERE kind = 'debit'"),
                     POS_OK);
    assert_int_equal(admin_check(F.a, &r), POS_OK);
    assert_false(ledger_check_is_sound(&r));
    assert_int_equal(r.balance_mismatches, 1);
    assert_int_equal(store_exec(admin_store(F.a), "UPDATE accounts SET balance = balance - 1"
                                                  " WHERE kind = 'debit'"),
                     POS_OK);
    issuer_card_clear(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_other_currency_and_io_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merchant_life_cycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merchant_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_terminal_mksk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_terminal_dukpt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_terminal_refusals_and_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accounts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_card_life_cycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_and_no_secrets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queries_with_engine, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_finds_corruption, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
