/* Tests of src/term/payclient*.c: the pure parts — the state machine's
 * decisions, provisioning (a TR-31 block made here under a test KTK, as
 * `pos admin terminal add` makes one), keys re-wrapped under the LMK,
 * status, sessions, and the batch totals from the journal. The wire is
 * tested against a real posd in tests/cli/test_pay.py. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "crypto/block.h"
#include "crypto/kcv.h"
#include "crypto/keyblock.h"
#include "crypto/lmk.h"
#include "error.h"
#include "term/payclient.h"
#include "term/tstore.h"

static const char ktk_hex[] = "0123456789ABCDEFFEDCBA9876543210";
static const char tmk_hex[] = "89ABCDEF0123456776543210FEDCBA98";
static const char lmk_hex[] = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";

static struct store *db;
static struct lmk lmk;
static char prov[2048];

static void make_prov(const char *ktk_kcv, const char *key_kcv, const char *usage)
{
    struct keyblock_params p;
    uint8_t ktk[16], tmk[16];
    char block[256];
    size_t n = 0;

    memcpy(ktk, tu_hex(ktk_hex, NULL), 16);
    memcpy(tmk, tu_hex(tmk_hex, NULL), 16);
    memset(&p, 0, sizeof(p));
    p.version = 'B';
    p.usage = usage;
    p.algorithm = 'T';
    p.mode = 'D';
    p.exportability = 'N';
    assert_int_equal(keyblock_wrap(ktk, 16, &p, tmk, 16, block, sizeof(block) - 1, &n, NULL),
                     POS_OK);
    block[n] = '\0';
    snprintf(prov, sizeof(prov),
             "{\"format\":\"pos-provision-1\",\"tid\":\"T0000001\",\"mid\":\"123456789012345\","
             "\"merchant_name\":\"Shop\",\"currency\":\"CNY\",\"dialect\":\"cup\","
             "\"key_scheme\":\"mksk-tdes\",\"host\":\"127.0.0.1:5800\",\"batch_no\":7,"
             "\"ktk_kcv\":\"%s\",\"key\":{\"type\":\"tmk\",\"usage\":\"%s\",\"block\":\"%s\","
             "\"kcv\":\"%s\"}}",
             ktk_kcv, usage, block, key_kcv);
}

static int setup(void **state)
{
    (void)state;
    assert_int_equal(tstore_open("sqlite::memory:", &db, NULL), POS_OK);
    assert_int_equal(lmk_load_hex(&lmk, lmk_hex, strlen(lmk_hex), NULL), POS_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tstore_close(db);
    lmk_clear(&lmk);
    return 0;
}

static int ktk_kcv(char out[7])
{
    uint8_t k[3];
    int rc = kcv_compute(BLOCK_TDES, tu_hex(ktk_hex, NULL), 16, k, 3);

    snprintf(out, 7, "%02X%02X%02X", k[0], k[1], k[2]);
    return rc;
}

static int tmk_kcv(char out[7])
{
    uint8_t k[3];
    int rc = kcv_compute(BLOCK_TDES, tu_hex(tmk_hex, NULL), 16, k, 3);

    snprintf(out, 7, "%02X%02X%02X", k[0], k[1], k[2]);
    return rc;
}

static int64_t count(const char *sql)
{
    struct store_stmt *st;
    int64_t n;

    assert_int_equal(store_prepare(db, sql, &st), POS_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    n = store_column_int64(st, 0);
    store_reset(st);
    return n;
}

static void test_decide(void **state)
{
    (void)state;
    /* an answer is recorded; 77 signs on again, once */
    assert_int_equal(payclient_decide(POSMSG_PURCHASE, PAYCLIENT_ANSWERED, "00", false, 100, 0),
                     PAYCLIENT_RECORD);
    assert_int_equal(payclient_decide(POSMSG_PURCHASE, PAYCLIENT_ANSWERED, "51", false, 100, 0),
                     PAYCLIENT_RECORD);
    assert_int_equal(payclient_decide(POSMSG_PURCHASE, PAYCLIENT_ANSWERED, "77", false, 100, 0),
                     PAYCLIENT_RESIGN);
    assert_int_equal(payclient_decide(POSMSG_PURCHASE, PAYCLIENT_ANSWERED, "77", true, 100, 0),
                     PAYCLIENT_RECORD);
    /* a lost answer: money-moving requests are reversed, the others not */
    assert_int_equal(payclient_decide(POSMSG_PURCHASE, PAYCLIENT_LOST, NULL, false, 100, 5000),
                     PAYCLIENT_REVERSE);
    assert_int_equal(payclient_decide(POSMSG_VOID, PAYCLIENT_LOST, NULL, false, 100, 0),
                     PAYCLIENT_REVERSE);
    assert_int_equal(payclient_decide(POSMSG_REFUND, PAYCLIENT_LOST, NULL, false, 100, 0),
                     PAYCLIENT_REVERSE);
    assert_int_equal(payclient_decide(POSMSG_BALANCE, PAYCLIENT_LOST, NULL, false, 0, 0),
                     PAYCLIENT_REFUSE);
    /* unreachable: purchases at or under the floor limit go offline */
    assert_int_equal(payclient_decide(POSMSG_PURCHASE, PAYCLIENT_UNREACHABLE, NULL, false, 5000,
                                      5000),
                     PAYCLIENT_OFFLINE);
    assert_int_equal(payclient_decide(POSMSG_PURCHASE, PAYCLIENT_UNREACHABLE, NULL, false, 5001,
                                      5000),
                     PAYCLIENT_REFUSE);
    assert_int_equal(payclient_decide(POSMSG_PURCHASE, PAYCLIENT_UNREACHABLE, NULL, false, 1, 0),
                     PAYCLIENT_REFUSE);
    assert_int_equal(payclient_decide(POSMSG_PREAUTH, PAYCLIENT_UNREACHABLE, NULL, false, 1,
                                      5000),
                     PAYCLIENT_REFUSE);
    assert_true(payclient_kind_is_reversible(POSMSG_ADVICE));
    assert_false(payclient_kind_is_reversible(POSMSG_SETTLE));
    assert_false(payclient_kind_is_reversible(POSMSG_BALANCE));
}

static void test_provision_refusals(void **state)
{
    struct pos_errdetail d;
    struct payclient_status st;
    char kk[7], tk[7];
    uint8_t ktk[16];

    (void)state;
    memcpy(ktk, tu_hex(ktk_hex, NULL), sizeof(ktk)); /* tu_hex's buffer is reused */
    assert_int_equal(ktk_kcv(kk), POS_OK);
    assert_int_equal(tmk_kcv(tk), POS_OK);
    assert_int_equal(payclient_status(db, &st, NULL), POS_ERR_NOT_FOUND);
    /* not JSON, wrong format, wrong KTK check value, wrong key check value,
     * a block of another usage, a wrong KTK: nothing written */
    assert_int_equal(payclient_provision(db, &lmk, "{", 1, ktk, 16, NULL, NULL), POS_ERR_SYNTAX);
    assert_int_equal(payclient_provision(db, &lmk, "{\"format\":\"x\"}", 14, ktk, 16, NULL, NULL),
                     POS_ERR_UNSUPPORTED);
    make_prov("000000", tk, "K0");
    pos_errdetail_init(&d);
    assert_int_equal(payclient_provision(db, &lmk, prov, strlen(prov), ktk, 16, NULL, &d),
                     POS_ERR_KCV_MISMATCH);
    assert_non_null(strstr(d.what, "KTK"));
    make_prov(kk, "000000", "K0");
    assert_int_equal(payclient_provision(db, &lmk, prov, strlen(prov), ktk, 16, NULL, NULL),
                     POS_ERR_KCV_MISMATCH);
    make_prov(kk, tk, "P0");
    assert_int_equal(payclient_provision(db, &lmk, prov, strlen(prov), ktk, 16, NULL, NULL),
                     POS_ERR_KEY_USAGE);
    make_prov(kk, tk, "K0");
    assert_int_equal(payclient_provision(db, &lmk, prov, strlen(prov), ktk, 16, "nohost", NULL),
                     POS_ERR_INVAL);
    assert_int_equal(count("SELECT count(*) FROM pay_terminal"), 0);
    assert_int_equal(count("SELECT count(*) FROM pay_keys"), 0);
}

static void test_provision_and_open(void **state)
{
    struct payclient_status st;
    struct payclient *pc = NULL;
    struct lmk other;
    char kk[7], tk[7];
    uint8_t ktk[16];
    struct store_stmt *s;
    size_t n = 0;
    const char *b;

    (void)state;
    memcpy(ktk, tu_hex(ktk_hex, NULL), sizeof(ktk)); /* tu_hex's buffer is reused */
    assert_int_equal(ktk_kcv(kk), POS_OK);
    assert_int_equal(tmk_kcv(tk), POS_OK);
    make_prov(kk, tk, "K0");
    assert_int_equal(payclient_provision(db, &lmk, prov, strlen(prov), ktk, 16, "10.0.0.1:5800",
                                         NULL),
                     POS_OK);
    assert_int_equal(payclient_status(db, &st, NULL), POS_OK);
    assert_string_equal(st.id.tid, "T0000001");
    assert_string_equal(st.id.currency, "156");
    assert_string_equal(st.id.host, "10.0.0.1:5800");
    assert_string_equal(st.id.key_kcv, tk);
    assert_int_equal(st.id.batch, 7);
    assert_int_equal(st.id.stan, 0);
    assert_int_equal(st.pending_reversals, 0);
    /* the stored key is a version D block under the LMK, not the TMK */
    assert_int_equal(store_prepare(db, "SELECT block FROM pay_keys WHERE name = 'terminal'", &s),
                     POS_OK);
    assert_int_equal(store_step(s), STORE_ROW);
    b = store_column_text(s, 0, &n);
    assert_true(b[0] == 'D');
    assert_null(strstr(b, tmk_hex));
    store_reset(s);
    /* twice: refused */
    assert_int_equal(payclient_provision(db, &lmk, prov, strlen(prov), ktk, 16, NULL, NULL),
                     POS_ERR_STATE);
    /* a session opens under the LMK, not under another */
    assert_int_equal(payclient_open(db, &lmk, &pc, NULL), POS_OK);
    assert_int_equal(payclient_set_host(pc, "bad"), POS_ERR_INVAL);
    payclient_close(pc);
    payclient_close(NULL);
    memset(&other, 0, sizeof(other));
    assert_int_equal(lmk_load_hex(&other, tmk_hex, strlen(tmk_hex), NULL), POS_ERR_KEY_LENGTH);
    assert_int_equal(lmk_load_hex(&other, lmk_hex + 2, 62, NULL) != POS_OK, 1);
    assert_int_equal(
        lmk_load_hex(&other, "FF0102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
                     64, NULL),
        POS_OK);
    pc = NULL;
    assert_int_equal(payclient_open(db, &other, &pc, NULL), POS_ERR_KEYBLOCK_MAC);
    assert_null(pc);
    lmk_clear(&other);
}

static void test_totals(void **state)
{
    struct posmsg_totals t;
    struct payclient_status st;

    (void)state;
    assert_int_equal(store_exec(db,
                                "INSERT INTO pay_journal (kind, batch, stan, sent_time, amount,"
                                " currency, pan_masked, expiry, status, rc, rrn, auth, created_at,"
                                " updated_at) VALUES"
                                " ('purchase', 7, 1, '0101000000', 1000, 156, '', '', 'approved',"
                                "  '00', '', '', 0, 0),"
                                " ('purchase', 7, 2, '0101000000', 200, 156, '', '', 'offline',"
                                "  'Y1', '', '', 0, 0),"
                                " ('purchase', 7, 3, '0101000000', 400, 156, '', '', 'voided', '00',"
                                "  '', '', 0, 0),"
                                " ('purchase', 7, 4, '0101000000', 800, 156, '', '', 'reversed', '',"
                                "  '', '', 0, 0),"
                                " ('purchase', 7, 5, '0101000000', 900, 156, '', '', 'declined',"
                                "  '51', '', '', 0, 0),"
                                " ('preauth', 7, 6, '0101000000', 5000, 156, '', '', 'approved',"
                                "  '00', '', '', 0, 0),"
                                " ('completion', 7, 7, '0101000000', 3000, 156, '', '', 'approved',"
                                "  '00', '', '', 0, 0),"
                                " ('refund', 7, 8, '0101000000', 150, 156, '', '', 'approved', '00',"
                                "  '', '', 0, 0),"
                                " ('purchase', 6, 9, '0101000000', 7000, 156, '', '', 'approved',"
                                "  '00', '', '', 0, 0)"),
                     POS_OK);
    assert_int_equal(payclient_totals(db, 7, &t, NULL), POS_OK);
    assert_int_equal(t.debit_count, 3);
    assert_int_equal(t.debit_amount, 4200);
    assert_int_equal(t.credit_count, 1);
    assert_int_equal(t.credit_amount, 150);
    assert_int_equal(payclient_totals(db, 8, &t, NULL), POS_OK);
    assert_int_equal(t.debit_count, 0);
    assert_int_equal(payclient_status(db, &st, NULL), POS_OK);
    assert_int_equal(st.batch_count, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decide),
        cmocka_unit_test(test_provision_refusals),
        cmocka_unit_test(test_provision_and_open),
        cmocka_unit_test(test_totals),
    };

    if (pos_crypto_init() != 0)
        return 1;
    return cmocka_run_group_tests(tests, setup, teardown);
}
