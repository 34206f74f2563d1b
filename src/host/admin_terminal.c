/*
 * admin: terminals and their provisioning files (see admin.h, docs/admin.md).
 *
 * A terminal's key material leaves the host only as a TR-31 key block
 * (ANSI X9.143-2021, version B: the KTK is a double-length TDES key) under
 * the key-transport key:
 *   master/session  the TMK: usage K0 (key encryption), mode D (the terminal
 *                   only decrypts the working keys of its sign-on), algorithm
 *                   T (TDES), A (AES) or A for SM4 (TR-31 has no SM4 code);
 *   DUKPT TDES      the IPEK (ANSI X9.24-1-2009 A.6): usage B1 (initial DUKPT
 *                   key), mode X, optional block KS = the initial KSN
 *                   (X9.143-2021 §6.3.2 "KS": 20 hex digits);
 *   DUKPT AES       the initial key (ANSI X9.24-3-2017 §6.3.1): usage B1,
 *                   algorithm A, mode X, KS = the initial key ID (16 hex).
 * The block carries a KC optional block (its check value) for TDES and AES
 * keys; the file repeats the KCV for the installer to compare.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>

#include "crypto/dukpt.h"
#include "crypto/dukpt_aes.h"
#include "crypto/keyblock.h"
#include "error.h"
#include "hex.h"
#include "host/admin_int.h"
#include "host/keystore.h"
#include "mem.h"

#define ADMIN__KSN_TRIES 4096 /* device IDs looked at before giving up */

struct admin__scheme {
    const char *name;
    bool dukpt;
    enum keystore_alg alg; /* of the TMK, or of the BDK */
    const char *alg_name;
    const char *host; /* default address hint */
};

static const struct admin__scheme admin__schemes[] = {
    {"mksk-tdes", false, KEYSTORE_TDES, "tdes", "127.0.0.1:5800"},
    {"mksk-sm4", false, KEYSTORE_SM4, "sm4", "127.0.0.1:5800"},
    {"mksk-aes", false, KEYSTORE_AES, "aes", "127.0.0.1:5800"},
    {"dukpt-tdes", true, KEYSTORE_TDES, "tdes", "127.0.0.1:5801"},
    {"dukpt-aes", true, KEYSTORE_AES, "aes", "127.0.0.1:5801"},
};

static const struct admin__scheme *admin__scheme_of(const char *name)
{
    size_t i;

    for (i = 0; name != NULL && i < sizeof(admin__schemes) / sizeof(admin__schemes[0]); i++)
        if (strcmp(name, admin__schemes[i].name) == 0)
            return &admin__schemes[i];
    return NULL;
}

/* What the terminal gets, built during the add. */
struct admin__kit {
    char block[KEYSTORE_BLOCK_MAX];
    char kcv[KEYSTORE_KCV_HEX];
    char ksn[2 * DUKPT_AES_KSN_LEN + 1]; /* "" for master/session */
    const char *type;                    /* "tmk", "ipek", "initial_key" */
    const char *usage;
    int64_t tmk_id, bdk_id;
};

/* Wraps key under the KTK for transport (see the top of this file). */
static int admin__wrap(const uint8_t *ktk, const struct admin__scheme *sc, const uint8_t *key,
                       size_t len, const char *ks, struct admin__kit *kit, struct pos_errdetail *d)
{
    struct keyblock_params p;
    size_t n = 0;

    memset(&p, 0, sizeof(p));
    p.version = 'B';
    p.usage = kit->usage;
    p.algorithm = keystore_alg_letter(sc->alg);
    p.mode = sc->dukpt ? 'X' : 'D';
    p.exportability = 'N';
    p.ksn = ks;
    p.add_kcv = sc->alg != KEYSTORE_SM4;
    return keyblock_wrap(ktk, 16, &p, key, len, kit->block, sizeof(kit->block), &n, d);
}

/* A device ID derived from the TID (SHA-256, leftmost bits), moved on until
 * no terminal has the initial KSN it makes. ksn holds the BDK's ID part;
 * dukpt: TDES (19-bit device ID after a 5-byte KSI) or AES (32-bit
 * derivation ID after a 4-byte BDK ID). */
static int admin__ksn_new(struct admin *a, const char *tid, bool aes, uint8_t *ksn, char *hex,
                          struct pos_errdetail *d)
{
    uint8_t h[SHA256_DIGEST_LENGTH];
    size_t len = aes ? DUKPT_AES_KSN_LEN : DUKPT_KSN_LEN;
    struct store_stmt *st;
    uint32_t base, dev;
    unsigned i;
    int rc;

    SHA256((const unsigned char *)tid, strlen(tid), h);
    base = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
    rc = store_prepare(a->s, "SELECT 1 FROM terminals WHERE initial_ksn = ?", &st);
    for (i = 0; rc == POS_OK && i < ADMIN__KSN_TRIES; i++) {
        if (aes) {
            dev = base + i; /* X9.24-3-2017 §6.1: BDK ID (4) || derivation ID (4) || counter (4) */
            ksn[4] = (uint8_t)(dev >> 24), ksn[5] = (uint8_t)(dev >> 16);
            ksn[6] = (uint8_t)(dev >> 8), ksn[7] = (uint8_t)dev;
            memset(ksn + 8, 0, 4);
        } else {
            /* KSI (5) || device ID (19 bits) || counter (21 bits) = 0 */
            uint64_t v = (uint64_t)((base + i) & 0x7FFFFu) << 21;
            ksn[5] = (uint8_t)(v >> 32), ksn[6] = (uint8_t)(v >> 24);
            ksn[7] = (uint8_t)(v >> 16), ksn[8] = (uint8_t)(v >> 8), ksn[9] = (uint8_t)v;
        }
        pos_hex_encode(ksn, len, hex, 2 * len + 1);
        store_bind_text(st, 1, hex, 2 * len);
        rc = store_step(st);
        if (rc == STORE_DONE)
            return POS_OK;
        if (rc == STORE_ROW)
            rc = store_reset(st);
    }
    return rc != POS_OK ? rc
                        : pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET,
                                            "no free DUKPT device ID for terminal %s", tid);
}

/* DUKPT: the terminal's initial KSN and initial key under the scheme's BDK. */
static int admin__dukpt_kit(struct admin *a, const char *tid, const struct admin__scheme *sc,
                            const uint8_t *ktk, struct admin__kit *kit, struct pos_errdetail *d)
{
    bool aes = sc->alg == KEYSTORE_AES;
    struct keystore_entry e;
    uint8_t bdk[KEYSTORE_KEY_MAX], ik[DUKPT_AES_MAX_KEY], ksn[DUKPT_AES_KSN_LEN];
    char ks[2 * DUKPT_AES_IKID_LEN + 1];
    size_t bdk_len = 0, id_len = aes ? 4 : 5, n = 0;
    int rc;

    kit->type = aes ? "initial_key" : "ipek";
    kit->usage = "B1";
    rc = keystore_find_usage(a->s, "B0", keystore_alg_letter(sc->alg), &e);
    if (rc == POS_ERR_NOT_FOUND)
        rc = pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET, "no %s BDK", sc->alg_name);
    if (rc == POS_OK && (strncmp(e.name, "bdk:", 4) != 0 || strlen(e.name) != 4 + 2 * id_len ||
                         pos_hex_decode(e.name + 4, 2 * id_len, ksn, sizeof(ksn), &n) != POS_OK))
        rc = pos_errdetail_set(d, POS_ERR_KEY, -1, POS_NO_OFFSET, "BDK name %s", e.name);
    if (rc == POS_OK)
        rc = keystore_get_id(a->s, &a->lmk, e.id, "B0", 'X', bdk, sizeof(bdk), &bdk_len, d);
    if (rc == POS_OK)
        rc = admin__ksn_new(a, tid, aes, ksn, kit->ksn, d);
    if (rc == POS_OK && aes) {
        rc = dukpt_aes_initial_key(bdk, bdk_len, ksn, ik);
        n = bdk_len;
        pos_hex_encode(ksn, DUKPT_AES_IKID_LEN, ks, sizeof(ks));
    } else if (rc == POS_OK) {
        rc = dukpt_ipek(bdk, bdk_len, ksn, ik);
        n = DUKPT_KEY_LEN;
    }
    if (rc == POS_OK)
        rc = keystore_kcv(sc->alg, ik, n, kit->kcv);
    if (rc == POS_OK)
        rc = admin__wrap(ktk, sc, ik, n, aes ? ks : kit->ksn, kit, d);
    kit->bdk_id = e.id;
    pos_wipe(bdk, sizeof(bdk));
    pos_wipe(ik, sizeof(ik));
    return rc;
}

/* Master/session: a fresh TMK, stored as tmk:<TID> and wrapped for transport. */
static int admin__mksk_kit(struct admin *a, const char *tid, const struct admin__scheme *sc,
                           const uint8_t *ktk, struct admin__kit *kit, struct pos_errdetail *d)
{
    struct keystore_spec sp;
    uint8_t tmk[16];
    char name[KEYSTORE_NAME_MAX + 1];
    int rc;

    kit->type = "tmk";
    kit->usage = "K0";
    snprintf(name, sizeof(name), "tmk:%s", tid);
    sp.name = name;
    sp.usage = "K0";
    sp.alg = sc->alg;
    sp.mode = 'B';
    sp.exportable = true;
    rc = keystore_random_key(sc->alg, tmk, sizeof(tmk));
    if (rc == POS_OK)
        rc = keystore_put(a->s, &a->lmk, &sp, tmk, sizeof(tmk), admin__now(a), &kit->tmk_id,
                          kit->kcv);
    if (rc == POS_OK)
        rc = admin__wrap(ktk, sc, tmk, sizeof(tmk), NULL, kit, d);
    pos_wipe(tmk, sizeof(tmk));
    return rc;
}

static int admin__terminal_check(const struct admin_terminal *t, const struct admin__scheme **sc,
                                 struct pos_errdetail *d)
{
    if (!admin__is_alnum(t->tid, 8))
        return pos_errdetail_set(d, POS_ERR_SYNTAX, -1, POS_NO_OFFSET,
                                 "tid must be 8 letters or digits");
    if (t->mid == NULL || !admin__is_alnum(t->mid, 15))
        return pos_errdetail_set(d, POS_ERR_SYNTAX, -1, POS_NO_OFFSET,
                                 "mid must be 15 letters or digits");
    if (t->dialect == NULL ||
        (strcmp(t->dialect, "cup") != 0 && strcmp(t->dialect, "iso87a") != 0 &&
         strcmp(t->dialect, "iso87b") != 0))
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "dialect must be cup, iso87a or iso87b");
    *sc = admin__scheme_of(t->key_scheme);
    if (*sc == NULL)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "key scheme must be mksk-tdes, mksk-sm4, mksk-aes, dukpt-tdes"
                                 " or dukpt-aes");
    if (t->host != NULL && !admin__is_text(t->host, 64, false))
        return pos_errdetail_set(d, POS_ERR_SYNTAX, -1, POS_NO_OFFSET,
                                 "host must be 1 to 64 characters");
    return POS_OK;
}

static int admin__terminal_insert(struct admin *a, const struct admin_terminal *t, int64_t merchant,
                                  const struct admin__kit *kit)
{
    struct store_stmt *st;
    int rc;

    rc = store_prepare(a->s,
                       "INSERT INTO terminals (tid, merchant_id, dialect, key_scheme, tmk_key_id,"
                       " bdk_key_id, initial_ksn, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_text(st, 1, t->tid, 8);
    store_bind_int64(st, 2, merchant);
    store_bind_text(st, 3, t->dialect, strlen(t->dialect));
    store_bind_text(st, 4, t->key_scheme, strlen(t->key_scheme));
    if (kit->tmk_id != 0)
        store_bind_int64(st, 5, kit->tmk_id);
    else
        store_bind_null(st, 5);
    if (kit->bdk_id != 0)
        store_bind_int64(st, 6, kit->bdk_id);
    else
        store_bind_null(st, 6);
    if (kit->ksn[0] != '\0')
        store_bind_text(st, 7, kit->ksn, strlen(kit->ksn));
    else
        store_bind_null(st, 7);
    store_bind_int64(st, 8, admin__now(a));
    return admin__step_done(st);
}

/* The provisioning file (format in docs/admin.md). */
static json_t *admin__provision(struct admin *a, const struct admin_terminal *t,
                                const struct admin__scheme *sc, const struct admin__kit *kit,
                                const char *ktk_kcv)
{
    json_t *m = NULL, *j;

    if (admin_merchant_show(a, t->mid, &m, NULL) != POS_OK)
        return NULL;
    j = json_pack("{s:s,s:s,s:s,s:O,s:O,s:O,s:O,s:s,s:s,s:s,s:i,s:s,s:{s:s,s:s,s:s,s:s,s:s}}",
                  "format", ADMIN_PROVISION_FORMAT, "tid", t->tid, "mid", t->mid, "merchant_name",
                  json_object_get(m, "name"), "merchant_city", json_object_get(m, "city"), "mcc",
                  json_object_get(m, "mcc"), "currency", json_object_get(m, "currency"), "dialect",
                  t->dialect, "key_scheme", sc->name, "host", t->host != NULL ? t->host : sc->host,
                  "batch_no", 1, "ktk_kcv", ktk_kcv, "key", "type", kit->type, "usage", kit->usage,
                  "algorithm", sc->alg_name, "block", kit->block, "kcv", kit->kcv);
    if (j != NULL && kit->ksn[0] != '\0')
        json_object_set_new(j, "ksn", json_string(kit->ksn));
    json_decref(m);
    return j;
}

static int admin__terminal_work(struct admin *a, const struct admin_terminal *t,
                                const struct admin__scheme *sc, struct admin__kit *kit,
                                char *ktk_kcv, struct pos_errdetail *d)
{
    uint8_t ktk[KEYSTORE_KEY_MAX];
    struct keystore_entry e;
    int64_t merchant = 0;
    size_t len = 0;
    int rc;

    rc = admin__terminal_id(a, t->tid, NULL, NULL);
    if (rc == POS_OK)
        return pos_errdetail_set(d, POS_ERR_CONSTRAINT, -1, POS_NO_OFFSET,
                                 "terminal %s exists already", t->tid);
    if (rc != POS_ERR_NOT_FOUND)
        return rc;
    rc = admin__merchant_id(a, t->mid, &merchant, NULL, d);
    if (rc == POS_OK)
        rc = keystore_get(a->s, &a->lmk, ADMIN_KEY_KTK, "K0", 'E', ktk, sizeof(ktk), &len, d);
    if (rc == POS_OK && len != 16)
        rc = POS_ERR_KEY_LENGTH;
    if (rc == POS_OK)
        rc = keystore_find(a->s, ADMIN_KEY_KTK, &e);
    if (rc == POS_OK) {
        memcpy(ktk_kcv, e.kcv, KEYSTORE_KCV_HEX);
        rc = sc->dukpt ? admin__dukpt_kit(a, t->tid, sc, ktk, kit, d)
                       : admin__mksk_kit(a, t->tid, sc, ktk, kit, d);
    }
    if (rc == POS_OK)
        rc = admin__terminal_insert(a, t, merchant, kit);
    if (rc == POS_OK)
        rc = admin__audit(a, "terminal.add", t->tid,
                          json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "mid", t->mid, "dialect",
                                    t->dialect, "key_scheme", sc->name, "key", kit->type, "kcv",
                                    kit->kcv, "ksn", kit->ksn));
    pos_wipe(ktk, sizeof(ktk));
    return rc;
}

int admin_terminal_add(struct admin *a, const struct admin_terminal *t, json_t **provision,
                       struct pos_errdetail *d)
{
    const struct admin__scheme *sc = NULL;
    struct admin__kit kit;
    char ktk_kcv[KEYSTORE_KCV_HEX] = "";
    int rc;

    if (a == NULL || t == NULL || provision == NULL)
        return POS_ERR_INVAL;
    *provision = NULL;
    memset(&kit, 0, sizeof(kit));
    rc = admin__terminal_check(t, &sc, d);
    if (rc == POS_OK)
        rc = admin__need_lmk(a, d);
    if (rc == POS_OK)
        rc = admin__begin(a);
    if (rc != POS_OK)
        return rc;
    rc = admin__end(a, admin__terminal_work(a, t, sc, &kit, ktk_kcv, d));
    if (rc == POS_OK) {
        *provision = admin__provision(a, t, sc, &kit, ktk_kcv);
        if (*provision == NULL)
            rc = POS_ERR_NOMEM;
    }
    return rc;
}

#define ADMIN__TERMINAL_COLS                                                                       \
    "SELECT te.tid, m.mid, te.dialect, te.key_scheme, te.status, te.batch_no,"                     \
    " te.signed_on_at, te.initial_ksn, k.name, k.kcv, te.created_at FROM terminals te"             \
    " JOIN merchants m ON m.id = te.merchant_id"                                                   \
    " LEFT JOIN keys k ON k.id = COALESCE(te.tmk_key_id, te.bdk_key_id)"

static json_t *admin__terminal_json(struct store_stmt *st)
{
    json_t *j;

    j = json_pack("{s:o,s:o,s:o,s:o,s:o,s:I,s:o,s:o,s:I}", "tid", admin__col_text(st, 0), "mid",
                  admin__col_text(st, 1), "dialect", admin__col_text(st, 2), "key_scheme",
                  admin__col_text(st, 3), "status", admin__col_text(st, 4), "batch_no",
                  (json_int_t)store_column_int64(st, 5), "key", admin__col_text(st, 8), "key_kcv",
                  admin__col_text(st, 9), "created_at", (json_int_t)store_column_int64(st, 10));
    if (j == NULL)
        return NULL;
    json_object_set_new(j, "signed_on_at",
                        store_column_is_null(st, 6) ? json_null()
                                                    : json_integer(store_column_int64(st, 6)));
    json_object_set_new(j, "initial_ksn",
                        store_column_is_null(st, 7) ? json_null() : admin__col_text(st, 7));
    return j;
}

int admin_terminal_list(struct admin *a, json_t **out)
{
    struct store_stmt *st;
    int rc;

    if (a == NULL || out == NULL)
        return POS_ERR_INVAL;
    *out = NULL;
    rc = store_prepare(a->s, ADMIN__TERMINAL_COLS " ORDER BY te.id", &st);
    if (rc != POS_OK)
        return rc;
    return admin__collect(st, admin__terminal_json, out);
}

int admin_terminal_show(struct admin *a, const char *tid, json_t **out, struct pos_errdetail *d)
{
    struct store_stmt *st;
    int rc;

    if (a == NULL || tid == NULL || out == NULL)
        return POS_ERR_INVAL;
    *out = NULL;
    rc = store_prepare(a->s, ADMIN__TERMINAL_COLS " WHERE te.tid = ?", &st);
    if (rc != POS_OK)
        return rc;
    store_bind_text(st, 1, tid, strlen(tid));
    rc = store_step(st);
    if (rc == STORE_DONE)
        return pos_errdetail_set(d, POS_ERR_NOT_FOUND, -1, POS_NO_OFFSET, "no terminal %.40s", tid);
    if (rc != STORE_ROW)
        return rc;
    *out = admin__terminal_json(st);
    rc = store_reset(st);
    return rc == POS_OK && *out == NULL ? POS_ERR_NOMEM : rc;
}
