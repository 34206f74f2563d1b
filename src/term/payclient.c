/*
 * payclient: identity, keys at rest, sessions and the state machine's
 * decisions. The wire is payclient_net.c, the journal payclient_journal.c,
 * the operations payclient_ops.c.
 */
#include "term/payclient.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <openssl/rand.h>

#include "crypto/kcv.h"
#include "crypto/keyblock.h"
#include "hex.h"
#include "mem.h"
#include "money.h"
#include "term/payclient_int.h"
#include "term/tstore.h"

#define PAYCLIENT_BLOCK_MAX 256

/* ---- provisioning ---- */

static int pc_jstr(json_t *o, const char *name, char *out, size_t cap, bool required,
                   struct pos_errdetail *d)
{
    json_t *v = json_object_get(o, name);
    const char *s;
    size_t n;

    out[0] = '\0';
    if (v == NULL && !required)
        return POS_OK;
    if (!json_is_string(v))
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "provisioning file: \"%s\" missing or not a string", name);
    s = json_string_value(v);
    n = strlen(s);
    if (n >= cap)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "provisioning file: \"%s\" too long", name);
    memcpy(out, s, n + 1);
    return POS_OK;
}

/* Wraps key under lmk with usage/algorithm/mode into block, and its KCV. */
static int pc_wrap(const struct lmk *lmk, const char *usage, char alg, char mode,
                   const uint8_t *key, size_t key_len, char *block, size_t cap,
                   struct pos_errdetail *d)
{
    struct keyblock_params p;
    size_t n = 0;
    int rc;

    memset(&p, 0, sizeof(p));
    p.version = 'D';
    p.usage = usage;
    p.algorithm = alg;
    p.mode = mode;
    p.exportability = 'N';
    p.add_kcv = alg == 'T';
    rc = lmk_wrap(lmk, &p, key, key_len, block, cap - 1, &n, d);
    if (rc == POS_OK)
        block[n] = '\0';
    return rc;
}

static int pc_key_insert(struct store *db, const char *name, const char *block, const char *kcv)
{
    struct store_stmt *st;
    int rc = store_prepare(db, "INSERT INTO pay_keys (name, block, kcv) VALUES (?, ?, ?)", &st);

    if (rc != POS_OK)
        return rc;
    store_bind_text(st, 1, name, strlen(name));
    store_bind_text(st, 2, block, strlen(block));
    store_bind_text(st, 3, kcv, strlen(kcv));
    rc = store_step(st);
    return rc == STORE_DONE ? POS_OK : rc;
}

/* Makes a random 32-byte key, wraps it and stores it as name. */
static int pc_new_key(struct store *db, const struct lmk *lmk, const char *name, const char *usage,
                      char alg, char mode, struct pos_errdetail *d)
{
    uint8_t key[32];
    char block[PAYCLIENT_BLOCK_MAX];
    int rc;

    if (RAND_bytes(key, (int)sizeof(key)) != 1) {
        rc = pos_errdetail_set(d, POS_ERR_CRYPTO, -1, POS_NO_OFFSET, "no random bytes");
        goto out;
    }
    if ((rc = pc_wrap(lmk, usage, alg, mode, key, sizeof(key), block, sizeof(block), d)) != POS_OK)
        goto out;
    rc = pc_key_insert(db, name, block, "");
out:
    pos_wipe(key, sizeof(key));
    return rc;
}

/* The provisioning file's fields into id (checked) and its key block. */
static int pc_parse_provision(json_t *root, struct payclient_identity *id, char *block, size_t cap,
                              char *kcv_ktk, char *kcv_key, struct pos_errdetail *d)
{
    char fmt[32], cur[8], ksn[32];
    const struct currency *c;
    json_t *key, *bn;
    int rc;

    memset(id, 0, sizeof(*id));
    if ((rc = pc_jstr(root, "format", fmt, sizeof(fmt), true, d)) != POS_OK)
        return rc;
    if (strcmp(fmt, "pos-provision-1") != 0)
        return pos_errdetail_set(d, POS_ERR_UNSUPPORTED, -1, POS_NO_OFFSET,
                                 "provisioning file: format is not pos-provision-1");
    if ((rc = pc_jstr(root, "tid", id->tid, sizeof(id->tid), true, d)) != POS_OK ||
        (rc = pc_jstr(root, "mid", id->mid, sizeof(id->mid), true, d)) != POS_OK ||
        (rc = pc_jstr(root, "merchant_name", id->merchant_name, sizeof(id->merchant_name), false,
                      d)) != POS_OK ||
        (rc = pc_jstr(root, "currency", cur, sizeof(cur), true, d)) != POS_OK ||
        (rc = pc_jstr(root, "dialect", id->dialect, sizeof(id->dialect), true, d)) != POS_OK ||
        (rc = pc_jstr(root, "key_scheme", id->scheme, sizeof(id->scheme), true, d)) != POS_OK ||
        (rc = pc_jstr(root, "host", id->host, sizeof(id->host), false, d)) != POS_OK ||
        (rc = pc_jstr(root, "ktk_kcv", kcv_ktk, 7, true, d)) != POS_OK ||
        (rc = pc_jstr(root, "ksn", ksn, sizeof(ksn), false, d)) != POS_OK)
        return rc;
    c = money_currency_by_alpha(cur, strlen(cur));
    if (c == NULL)
        return pos_errdetail_set(d, POS_ERR_CURRENCY, -1, POS_NO_OFFSET,
                                 "provisioning file: unknown currency");
    snprintf(id->currency, sizeof(id->currency), "%03u", (unsigned)(c->numeric % 1000u));
    if (strcmp(id->scheme, "mksk-tdes") != 0 && strcmp(id->scheme, "dukpt-tdes") != 0)
        return pos_errdetail_set(d, POS_ERR_UNSUPPORTED, -1, POS_NO_OFFSET,
                                 "key scheme not supported by the terminal (mksk-tdes, dukpt-tdes)");
    if (strcmp(id->scheme, "dukpt-tdes") == 0) {
        if (strlen(ksn) != 2 * DUKPT_KSN_LEN)
            return pos_errdetail_set(d, POS_ERR_KSN, -1, POS_NO_OFFSET,
                                     "provisioning file: ksn must be 20 hex digits");
        memcpy(id->ksn, ksn, sizeof(id->ksn));
    }
    bn = json_object_get(root, "batch_no");
    if (!json_is_integer(bn) || json_integer_value(bn) < 1 || json_integer_value(bn) > 999999)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "provisioning file: batch_no must be 1..999999");
    id->batch = (uint32_t)json_integer_value(bn);
    key = json_object_get(root, "key");
    if (!json_is_object(key))
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "provisioning file: \"key\" missing");
    if ((rc = pc_jstr(key, "block", block, cap, true, d)) != POS_OK ||
        (rc = pc_jstr(key, "kcv", kcv_key, 7, true, d)) != POS_OK)
        return rc;
    return POS_OK;
}

static int pc_kcv_hex(const uint8_t *key, size_t len, char out[7])
{
    uint8_t k[3];
    int rc = kcv_compute(BLOCK_TDES, key, len, k, sizeof(k));

    if (rc == POS_OK)
        rc = pos_hex_encode(k, sizeof(k), out, 7);
    return rc;
}

int payclient_provision(struct store *db, const struct lmk *lmk, const char *json, size_t len,
                        const uint8_t *ktk, size_t ktk_len, const char *host,
                        struct pos_errdetail *d)
{
    struct payclient_identity id;
    char block[PAYCLIENT_BLOCK_MAX], wrapped[PAYCLIENT_BLOCK_MAX];
    char kcv_ktk[8], kcv_key[8], kcv_have[8];
    uint8_t key[POSMSG_KEY_LEN];
    size_t key_len = 0;
    bool dukpt, exists = false, began = false;
    json_error_t je;
    json_t *root = NULL;
    struct store_stmt *st;
    int rc;

    memset(key, 0, sizeof(key));
    if (db == NULL || lmk == NULL || json == NULL || ktk == NULL || ktk_len != 16) {
        rc = pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "missing argument or KTK not 16 bytes");
        goto out;
    }
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(root)) {
        rc = pos_errdetail_set(d, POS_ERR_SYNTAX, -1, POS_NO_OFFSET,
                               "provisioning file: not a JSON object");
        goto out;
    }
    if ((rc = pc_parse_provision(root, &id, block, sizeof(block), kcv_ktk, kcv_key, d)) != POS_OK)
        goto out;
    if (host != NULL) {
        if (strlen(host) > PAYCLIENT_HOST_MAX || strchr(host, ':') == NULL) {
            rc = pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "host must be HOST:PORT");
            goto out;
        }
        snprintf(id.host, sizeof(id.host), "%s", host);
    }
    if (id.host[0] == '\0') {
        rc = pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "no host address");
        goto out;
    }
    if ((rc = pc_kcv_hex(ktk, ktk_len, kcv_have)) != POS_OK)
        goto out;
    if (strcasecmp(kcv_have, kcv_ktk) != 0) {
        rc = pos_errdetail_set(d, POS_ERR_KCV_MISMATCH, -1, POS_NO_OFFSET,
                               "the KTK's check value %s is not the file's %s", kcv_have,
                               kcv_ktk);
        goto out;
    }
    dukpt = strcmp(id.scheme, "dukpt-tdes") == 0;
    rc = keyblock_unwrap_for(ktk, ktk_len, block, strlen(block), dukpt ? "B1" : "K0",
                             dukpt ? 'X' : 'D', NULL, key, sizeof(key), &key_len, d);
    if (rc != POS_OK)
        goto out;
    if (key_len != POSMSG_KEY_LEN) {
        rc = pos_errdetail_set(d, POS_ERR_KEY_LENGTH, -1, POS_NO_OFFSET,
                               "the terminal key must be a double-length TDES key");
        goto out;
    }
    if ((rc = pc_kcv_hex(key, key_len, kcv_have)) != POS_OK)
        goto out;
    if (strcasecmp(kcv_have, kcv_key) != 0) {
        rc = pos_errdetail_set(d, POS_ERR_KCV_MISMATCH, -1, POS_NO_OFFSET,
                               "the key's check value %s is not the file's %s", kcv_have, kcv_key);
        goto out;
    }
    memcpy(id.key_kcv, kcv_have, sizeof(id.key_kcv));
    if ((rc = pc_wrap(lmk, dukpt ? "B1" : "K0", 'T', dukpt ? 'X' : 'D', key, key_len, wrapped,
                      sizeof(wrapped), d)) != POS_OK)
        goto out;
    if ((rc = store_table_exists(db, "pay_terminal", &exists)) != POS_OK || !exists) {
        rc = pos_errdetail_set(d, POS_ERR_SCHEMA, -1, POS_NO_OFFSET, "no payment tables");
        goto out;
    }
    if ((rc = store_begin(db)) != POS_OK)
        goto out;
    began = true;
    if ((rc = store_prepare(db, "SELECT tid FROM pay_terminal", &st)) != POS_OK)
        goto out;
    rc = store_step(st);
    if (rc == STORE_ROW) {
        store_reset(st);
        rc = pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET,
                               "this terminal store is already provisioned");
        goto out;
    }
    if (rc != STORE_DONE)
        goto out;
    rc = store_prepare(db,
                       "INSERT INTO pay_terminal (id, tid, mid, merchant_name, currency, dialect,"
                       " scheme, host, batch, stan, initial_ksn, dukpt_counter, key_kcv,"
                       " created_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 0, ?, ?)",
                       &st);
    if (rc != POS_OK)
        goto out;
    store_bind_text(st, 1, id.tid, strlen(id.tid));
    store_bind_text(st, 2, id.mid, strlen(id.mid));
    store_bind_text(st, 3, id.merchant_name, strlen(id.merchant_name));
    store_bind_int64(st, 4, (int64_t)strtol(id.currency, NULL, 10));
    store_bind_text(st, 5, id.dialect, strlen(id.dialect));
    store_bind_text(st, 6, id.scheme, strlen(id.scheme));
    store_bind_text(st, 7, id.host, strlen(id.host));
    store_bind_int64(st, 8, id.batch);
    store_bind_text(st, 9, id.ksn, strlen(id.ksn));
    store_bind_text(st, 10, id.key_kcv, strlen(id.key_kcv));
    store_bind_int64(st, 11, tstore_now_ms());
    if ((rc = store_step(st)) != STORE_DONE)
        goto out;
    if ((rc = pc_key_insert(db, "terminal", wrapped, id.key_kcv)) != POS_OK)
        goto out;
    if ((rc = pc_new_key(db, lmk, "pan-data", "D0", 'A', 'B', d)) != POS_OK)
        goto out;
    if ((rc = pc_new_key(db, lmk, "pan-hash", "M7", 'H', 'C', d)) != POS_OK)
        goto out;
    rc = store_commit(db);
    began = rc != POS_OK;
out:
    if (began)
        store_rollback(db);
    if (rc == POS_ERR_DB && d != NULL && db != NULL && d->what[0] == '\0' &&
        store_error(db) != NULL)
        *d = *store_error(db);
    pos_wipe(key, sizeof(key));
    json_decref(root);
    return rc;
}

/* ---- status and sessions ---- */

static int pc_load_identity(struct store *db, struct payclient_identity *id, uint32_t *counter,
                            struct pos_errdetail *d)
{
    struct store_stmt *st;
    const char *s;
    int rc;

    memset(id, 0, sizeof(*id));
    rc = store_prepare(db,
                       "SELECT tid, mid, merchant_name, currency, dialect, scheme, host, batch,"
                       " stan, key_kcv, initial_ksn, dukpt_counter FROM pay_terminal WHERE id = 1",
                       &st);
    if (rc != POS_OK)
        return rc;
    rc = store_step(st);
    if (rc == STORE_DONE)
        return pos_errdetail_set(d, POS_ERR_NOT_FOUND, -1, POS_NO_OFFSET,
                                 "the terminal is not provisioned (pos terminal init)");
    if (rc != STORE_ROW)
        return rc;
#define PC_COL(i, f)                                                                               \
    do {                                                                                           \
        s = store_column_text(st, i, NULL);                                                        \
        snprintf(f, sizeof(f), "%s", s != NULL ? s : "");                                          \
    } while (0)
    PC_COL(0, id->tid);
    PC_COL(1, id->mid);
    PC_COL(2, id->merchant_name);
    snprintf(id->currency, sizeof(id->currency), "%03u",
             (unsigned)(store_column_int64(st, 3) % 1000));
    PC_COL(4, id->dialect);
    PC_COL(5, id->scheme);
    PC_COL(6, id->host);
    id->batch = (uint32_t)store_column_int64(st, 7);
    id->stan = (uint32_t)store_column_int64(st, 8);
    PC_COL(9, id->key_kcv);
    PC_COL(10, id->ksn);
#undef PC_COL
    *counter = (uint32_t)store_column_int64(st, 11);
    return store_reset(st);
}

static int pc_count(struct store *db, const char *sql, int64_t batch, int64_t *n)
{
    struct store_stmt *st;
    int rc = store_prepare(db, sql, &st);

    if (rc != POS_OK)
        return rc;
    if (batch >= 0)
        store_bind_int64(st, 1, batch);
    rc = store_step(st);
    if (rc != STORE_ROW)
        return rc == STORE_DONE ? POS_ERR_DB : rc;
    *n = store_column_int64(st, 0);
    return store_reset(st);
}

/* The KSN of the next transaction, from the initial KSN and the counter. */
static int pc_ksn_text(struct payclient_identity *id, uint32_t counter, uint8_t iksn[10])
{
    uint8_t next[DUKPT_KSN_LEN];
    size_t n = 0;

    if (id->ksn[0] == '\0')
        return POS_OK;
    if (pos_hex_decode(id->ksn, strlen(id->ksn), iksn, DUKPT_KSN_LEN, &n) != POS_OK ||
        n != DUKPT_KSN_LEN)
        return POS_ERR_KSN;
    dukpt_ksn_set_counter(iksn, counter, next);
    return pos_hex_encode(next, sizeof(next), id->ksn, sizeof(id->ksn));
}

int payclient_status(struct store *db, struct payclient_status *st, struct pos_errdetail *d)
{
    uint8_t iksn[DUKPT_KSN_LEN];
    uint32_t counter = 0;
    int rc;

    memset(st, 0, sizeof(*st));
    if ((rc = pc_load_identity(db, &st->id, &counter, d)) != POS_OK)
        return rc;
    if ((rc = pc_ksn_text(&st->id, counter, iksn)) != POS_OK)
        return rc;
    if ((rc = pc_count(db, "SELECT count(*) FROM pay_reversals", -1, &st->pending_reversals)) !=
            POS_OK ||
        (rc = pc_count(db, "SELECT count(*) FROM pay_saf", -1, &st->saf_count)) != POS_OK)
        return rc;
    return pc_count(db,
                    "SELECT count(*) FROM pay_journal WHERE batch = ? AND status IN ('approved',"
                    " 'offline')",
                    st->id.batch, &st->batch_count);
}

static int pc_unwrap(struct store *db, const struct lmk *lmk, const char *name, const char *usage,
                     char mode, uint8_t *key, size_t cap, size_t *len, struct pos_errdetail *d)
{
    struct store_stmt *st;
    const char *b;
    size_t n = 0;
    int rc = store_prepare(db, "SELECT block FROM pay_keys WHERE name = ?", &st);

    if (rc != POS_OK)
        return rc;
    store_bind_text(st, 1, name, strlen(name));
    rc = store_step(st);
    if (rc != STORE_ROW)
        return rc == STORE_DONE ? pos_errdetail_set(d, POS_ERR_NOT_FOUND, -1, POS_NO_OFFSET,
                                                    "key %s missing", name)
                                : rc;
    b = store_column_text(st, 0, &n);
    rc = lmk_unwrap_for(lmk, b != NULL ? b : "", n, usage, mode, NULL, key, cap, len, d);
    store_reset(st);
    return rc;
}

int payclient_open(struct store *db, const struct lmk *lmk, struct payclient **out,
                   struct pos_errdetail *d)
{
    struct payclient *pc = NULL;
    uint8_t key[POSMSG_KEY_LEN], ksn[DUKPT_KSN_LEN];
    size_t n = 0;
    uint32_t counter = 0;
    int64_t v = 0;
    bool dukpt;
    int rc;

    memset(key, 0, sizeof(key));
    if (out != NULL)
        *out = NULL;
    if (db == NULL || lmk == NULL || out == NULL) {
        rc = POS_ERR_INVAL;
        goto out;
    }
    if ((pc = pos_calloc(1, sizeof(*pc))) == NULL) {
        rc = POS_ERR_NOMEM;
        goto out;
    }
    pc->db = db;
    pc->fd = -1;
    if ((rc = pc_load_identity(db, &pc->id, &counter, d)) != POS_OK)
        goto out;
    pc->currency = (uint16_t)strtoul(pc->id.currency, NULL, 10);
    dukpt = strcmp(pc->id.scheme, "dukpt-tdes") == 0;
    if ((rc = pc_unwrap(db, lmk, "terminal", dukpt ? "B1" : "K0", dukpt ? 'X' : 'D', key,
                        sizeof(key), &n, d)) != POS_OK)
        goto out;
    if (dukpt) {
        if ((rc = pc_ksn_text(&pc->id, 0, pc->initial_ksn)) != POS_OK)
            goto out;
        dukpt_ksn_set_counter(pc->initial_ksn, counter, ksn);
        rc = posmsg_terminal_init_dukpt(&pc->t, pc->id.dialect, pc->id.tid, pc->id.mid,
                                        pc->id.currency, pc->id.batch, key, n, ksn, d);
    } else {
        rc = posmsg_terminal_init_mksk(&pc->t, pc->id.dialect, pc->id.tid, pc->id.mid,
                                       pc->id.currency, pc->id.batch, key, n, d);
    }
    if (rc != POS_OK)
        goto out;
    pc->t_live = true;
    if ((rc = posmsg_terminal_set_stan(&pc->t, pc->id.stan)) != POS_OK)
        goto out;
    if ((rc = pc_unwrap(db, lmk, "pan-data", "D0", 'E', pc->pk.data_key, sizeof(pc->pk.data_key),
                        &n, d)) != POS_OK)
        goto out;
    if ((rc = pc_unwrap(db, lmk, "pan-hash", "M7", 'G', pc->pk.hash_key, sizeof(pc->pk.hash_key),
                        &n, d)) != POS_OK)
        goto out;
    pc->pk.hash = PANPROT_HMAC_SHA256;
    if ((rc = tstore_setting_int(db, "pay.timeout_ms", PAYCLIENT_TIMEOUT_DEFAULT_MS, &v)) !=
        POS_OK)
        goto out;
    pc->timeout_ms = v < 1 ? 1 : v > 600000 ? 600000 : (int)v;
    if ((rc = tstore_setting_int(db, "pay.floor_limit", 0, &pc->floor_limit)) != POS_OK)
        goto out;
    *out = pc;
    pc = NULL;
out:
    pos_wipe(key, sizeof(key));
    payclient_close(pc);
    return rc;
}

void payclient_close(struct payclient *pc)
{
    if (pc == NULL)
        return;
    payclient__disconnect(pc);
    if (pc->t_live)
        posmsg_terminal_clear(&pc->t);
    panprot_keys_clear(&pc->pk);
    pos_free_secret(pc, sizeof(*pc));
}

int payclient_set_host(struct payclient *pc, const char *host)
{
    if (pc == NULL || host == NULL || strlen(host) > PAYCLIENT_HOST_MAX ||
        strchr(host, ':') == NULL)
        return POS_ERR_INVAL;
    payclient__disconnect(pc);
    snprintf(pc->id.host, sizeof(pc->id.host), "%s", host);
    return POS_OK;
}

/* ---- decisions ---- */

bool payclient_kind_is_reversible(enum posmsg_kind kind)
{
    return kind == POSMSG_PURCHASE || kind == POSMSG_PREAUTH || kind == POSMSG_PREAUTH_CANCEL ||
           kind == POSMSG_COMPLETION || kind == POSMSG_VOID || kind == POSMSG_REFUND ||
           kind == POSMSG_ADVICE;
}

enum payclient_action payclient_decide(enum posmsg_kind kind, enum payclient_outcome outcome,
                                       const char *rc, bool retried, int64_t amount,
                                       int64_t floor_limit)
{
    if (outcome == PAYCLIENT_ANSWERED) {
        if (rc != NULL && strcmp(rc, "77") == 0 && !retried)
            return PAYCLIENT_RESIGN;
        return PAYCLIENT_RECORD;
    }
    if (outcome == PAYCLIENT_LOST)
        return payclient_kind_is_reversible(kind) ? PAYCLIENT_REVERSE : PAYCLIENT_REFUSE;
    if (kind == POSMSG_PURCHASE && floor_limit > 0 && amount > 0 && amount <= floor_limit)
        return PAYCLIENT_OFFLINE;
    return PAYCLIENT_REFUSE;
}
