/* keystore: named keys under the local master key (see keystore.h). */
#include "host/keystore.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "crypto/kcv.h"
#include "crypto/keyblock.h"
#include "error.h"
#include "hex.h"
#include "mem.h"

char keystore_alg_letter(enum keystore_alg alg)
{
    switch (alg) {
    case KEYSTORE_TDES:
        return 'T';
    case KEYSTORE_AES:
    case KEYSTORE_SM4:
        return 'A';
    case KEYSTORE_HMAC:
        return 'H';
    }
    return 0;
}

bool keystore_len_is_valid(enum keystore_alg alg, size_t len)
{
    switch (alg) {
    case KEYSTORE_TDES:
        return len == 8 || len == 16 || len == 24;
    case KEYSTORE_AES:
        return len == 16 || len == 24 || len == 32;
    case KEYSTORE_SM4:
        return len == 16;
    case KEYSTORE_HMAC:
        return len >= 16 && len <= KEYSTORE_KEY_MAX;
    }
    return false;
}

/* HMAC keys have no standard check value: HMAC-SHA-256(K, 0^16), leftmost. */
static int keystore__hmac_kcv(const uint8_t *key, size_t len, uint8_t *out)
{
    static const uint8_t zero[16];
    uint8_t mac[EVP_MAX_MD_SIZE];
    unsigned mac_len = 0;
    int rc = POS_OK;

    if (HMAC(EVP_sha256(), key, (int)len, zero, sizeof(zero), mac, &mac_len) == NULL ||
        mac_len < KEYSTORE_KCV_LEN)
        rc = POS_ERR_CRYPTO;
    else
        memcpy(out, mac, KEYSTORE_KCV_LEN);
    pos_wipe(mac, sizeof(mac));
    return rc;
}

int keystore_kcv(enum keystore_alg alg, const uint8_t *key, size_t len, char kcv[KEYSTORE_KCV_HEX])
{
    uint8_t v[KEYSTORE_KCV_LEN];
    int rc;

    if (key == NULL || kcv == NULL)
        return POS_ERR_INVAL;
    kcv[0] = '\0';
    if (!keystore_len_is_valid(alg, len))
        return keystore_alg_letter(alg) == 0 ? POS_ERR_INVAL : POS_ERR_KEY_LENGTH;
    switch (alg) {
    case KEYSTORE_TDES:
        rc = kcv_compute(BLOCK_TDES, key, len, v, sizeof(v));
        break;
    case KEYSTORE_AES:
        rc = kcv_compute(BLOCK_AES, key, len, v, sizeof(v));
        break;
    case KEYSTORE_SM4:
        rc = kcv_compute(BLOCK_SM4, key, len, v, sizeof(v));
        break;
    default:
        rc = keystore__hmac_kcv(key, len, v);
        break;
    }
    if (rc == POS_OK)
        rc = pos_hex_encode(v, sizeof(v), kcv, KEYSTORE_KCV_HEX);
    return rc;
}

/* ANSI X9.52: each byte of a DES key has an odd number of one-bits. */
static void keystore__odd_parity(uint8_t *key, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned b = key[i] & 0xFEu, ones = 0, x;
        for (x = b; x != 0; x >>= 1)
            ones += x & 1u;
        key[i] = (uint8_t)(b | ((ones & 1u) == 0 ? 1u : 0u));
    }
}

int keystore_random_key(enum keystore_alg alg, uint8_t *key, size_t len)
{
    if (key == NULL)
        return POS_ERR_INVAL;
    if (!keystore_len_is_valid(alg, len))
        return keystore_alg_letter(alg) == 0 ? POS_ERR_INVAL : POS_ERR_KEY_LENGTH;
    if (RAND_priv_bytes(key, (int)len) != 1) {
        pos_wipe(key, len);
        return POS_ERR_CRYPTO;
    }
    if (alg == KEYSTORE_TDES)
        keystore__odd_parity(key, len);
    return POS_OK;
}

static bool keystore__name_ok(const char *name)
{
    size_t i, n;

    if (name == NULL)
        return false;
    n = strlen(name);
    if (n == 0 || n > KEYSTORE_NAME_MAX)
        return false;
    for (i = 0; i < n; i++)
        if (name[i] <= ' ' || name[i] > '~')
            return false;
    return true;
}

int keystore_put(struct store *s, const struct lmk *lmk, const struct keystore_spec *sp,
                 const uint8_t *key, size_t len, int64_t now_ms, int64_t *id,
                 char kcv[KEYSTORE_KCV_HEX])
{
    struct keyblock_params p;
    struct store_stmt *st;
    char block[KEYSTORE_BLOCK_MAX], check[KEYSTORE_KCV_HEX];
    size_t block_len = 0;
    int rc;

    if (s == NULL || lmk == NULL || sp == NULL || key == NULL || !keystore__name_ok(sp->name) ||
        sp->usage == NULL || strlen(sp->usage) != 2 || keystore_alg_letter(sp->alg) == 0)
        return POS_ERR_INVAL;
    rc = keystore_kcv(sp->alg, key, len, check);
    if (rc != POS_OK)
        return rc;
    memset(&p, 0, sizeof(p));
    p.version = 'D';
    p.usage = sp->usage;
    p.algorithm = keystore_alg_letter(sp->alg);
    p.mode = sp->mode;
    p.exportability = sp->exportable ? 'E' : 'N';
    /* X9.143-2021 §6.3 KC: the TDES and AES check values; SM4 has none. */
    p.add_kcv = sp->alg == KEYSTORE_TDES || sp->alg == KEYSTORE_AES;
    rc = lmk_wrap(lmk, &p, key, len, block, sizeof(block), &block_len, NULL);
    if (rc == POS_ERR_KEYBLOCK)
        rc = POS_ERR_INVAL; /* a usage or mode the header does not know */
    if (rc != POS_OK)
        goto out;
    rc = store_prepare(s,
                       "INSERT INTO keys (name, usage, kcv, block, created_at)"
                       " VALUES (?, ?, ?, ?, ?) RETURNING id",
                       &st);
    if (rc != POS_OK)
        goto out;
    store_bind_text(st, 1, sp->name, strlen(sp->name));
    store_bind_text(st, 2, sp->usage, 2);
    store_bind_text(st, 3, check, strlen(check));
    store_bind_text(st, 4, block, block_len);
    store_bind_int64(st, 5, now_ms);
    rc = store_step(st);
    if (rc == STORE_ROW) {
        if (id != NULL)
            *id = store_column_int64(st, 0);
        rc = store_reset(st);
    } else if (rc == STORE_DONE) {
        rc = POS_ERR_DB;
    }
    if (rc == POS_OK && kcv != NULL)
        memcpy(kcv, check, KEYSTORE_KCV_HEX);
out:
    pos_wipe(block, sizeof(block));
    return rc;
}

int keystore_generate(struct store *s, const struct lmk *lmk, const struct keystore_spec *sp,
                      size_t len, int64_t now_ms, int64_t *id, char kcv[KEYSTORE_KCV_HEX])
{
    uint8_t key[KEYSTORE_KEY_MAX];
    int rc;

    if (sp == NULL || len > sizeof(key))
        return sp == NULL ? POS_ERR_INVAL : POS_ERR_KEY_LENGTH;
    rc = keystore_random_key(sp->alg, key, len);
    if (rc == POS_OK)
        rc = keystore_put(s, lmk, sp, key, len, now_ms, id, kcv);
    pos_wipe(key, sizeof(key));
    return rc;
}

/* Unwraps the block in the current row of st (column 0: block, 1: name). */
static int keystore__unwrap_row(struct store_stmt *st, const struct lmk *lmk, const char *usage,
                                char mode, uint8_t *key, size_t cap, size_t *len,
                                struct pos_errdetail *d)
{
    char name[KEYSTORE_NAME_MAX + 1];
    const char *block, *n;
    size_t block_len = 0;
    int rc;

    n = store_column_text(st, 1, NULL);
    snprintf(name, sizeof(name), "%s", n != NULL ? n : "");
    block = store_column_text(st, 0, &block_len);
    if (block == NULL)
        rc = POS_ERR_KEYBLOCK;
    else
        rc = lmk_unwrap_for(lmk, block, block_len, usage, mode, NULL, key, cap, len, NULL);
    if (rc != POS_OK)
        pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "key %s", name);
    return rc;
}

static int keystore__get(struct store *s, const struct lmk *lmk, const char *sql, const char *name,
                         int64_t id, const char *usage, char mode, uint8_t *key, size_t cap,
                         size_t *len, struct pos_errdetail *d)
{
    struct store_stmt *st;
    int rc, r2;

    if (s == NULL || lmk == NULL || key == NULL || len == NULL)
        return POS_ERR_INVAL;
    *len = 0;
    rc = store_prepare(s, sql, &st);
    if (rc != POS_OK)
        goto out;
    if (name != NULL)
        store_bind_text(st, 1, name, strlen(name));
    else
        store_bind_int64(st, 1, id);
    rc = store_step(st);
    if (rc == STORE_DONE) {
        rc = name != NULL
                 ? pos_errdetail_set(d, POS_ERR_NOT_FOUND, -1, POS_NO_OFFSET, "no key %.64s", name)
                 : pos_errdetail_set(d, POS_ERR_NOT_FOUND, -1, POS_NO_OFFSET, "no key id %lld",
                                     (long long)id);
        goto out;
    }
    if (rc != STORE_ROW)
        goto out;
    rc = keystore__unwrap_row(st, lmk, usage, mode, key, cap, len, d);
    r2 = store_reset(st);
    if (rc == POS_OK)
        rc = r2;
out:
    if (rc != POS_OK) {
        pos_wipe(key, cap);
        *len = 0;
    }
    return rc;
}

int keystore_get(struct store *s, const struct lmk *lmk, const char *name, const char *usage,
                 char mode, uint8_t *key, size_t cap, size_t *len, struct pos_errdetail *d)
{
    if (name == NULL)
        return POS_ERR_INVAL;
    return keystore__get(s, lmk, "SELECT block, name FROM keys WHERE name = ?", name, 0, usage,
                         mode, key, cap, len, d);
}

int keystore_get_id(struct store *s, const struct lmk *lmk, int64_t id, const char *usage,
                    char mode, uint8_t *key, size_t cap, size_t *len, struct pos_errdetail *d)
{
    return keystore__get(s, lmk, "SELECT block, name FROM keys WHERE id = ?", NULL, id, usage, mode,
                         key, cap, len, d);
}

/* Fills e from a row: id, name, usage, kcv, block, created_at. */
static int keystore__entry(struct store_stmt *st, struct keystore_entry *e)
{
    struct keyblock_header h;
    const char *t;
    size_t n = 0;
    int rc;

    memset(e, 0, sizeof(*e));
    e->id = store_column_int64(st, 0);
    t = store_column_text(st, 1, NULL);
    snprintf(e->name, sizeof(e->name), "%s", t != NULL ? t : "");
    t = store_column_text(st, 2, NULL);
    snprintf(e->usage, sizeof(e->usage), "%s", t != NULL ? t : "");
    t = store_column_text(st, 3, NULL);
    snprintf(e->kcv, sizeof(e->kcv), "%s", t != NULL ? t : "");
    e->created_at = store_column_int64(st, 5);
    t = store_column_text(st, 4, &n);
    if (t == NULL)
        return POS_ERR_KEYBLOCK;
    rc = keyblock_header_parse(t, n, &h, NULL);
    if (rc != POS_OK)
        return POS_ERR_KEYBLOCK;
    e->algorithm = h.algorithm;
    e->mode = h.mode;
    e->exportability = h.exportability;
    return POS_OK;
}

#define KEYSTORE__COLS "SELECT id, name, usage, kcv, block, created_at FROM keys"

int keystore_find(struct store *s, const char *name, struct keystore_entry *e)
{
    struct store_stmt *st;
    int rc, r2;

    if (s == NULL || name == NULL || e == NULL)
        return POS_ERR_INVAL;
    rc = store_prepare(s, KEYSTORE__COLS " WHERE name = ?", &st);
    if (rc != POS_OK)
        return rc;
    store_bind_text(st, 1, name, strlen(name));
    rc = store_step(st);
    if (rc == STORE_DONE)
        return POS_ERR_NOT_FOUND;
    if (rc != STORE_ROW)
        return rc;
    rc = keystore__entry(st, e);
    r2 = store_reset(st);
    return rc != POS_OK ? rc : r2;
}

int keystore_find_usage(struct store *s, const char *usage, char algorithm,
                        struct keystore_entry *e)
{
    struct store_stmt *st;
    int rc;

    if (s == NULL || usage == NULL || e == NULL)
        return POS_ERR_INVAL;
    rc = store_prepare(s, KEYSTORE__COLS " WHERE usage = ? ORDER BY id DESC", &st);
    if (rc != POS_OK)
        return rc;
    store_bind_text(st, 1, usage, strlen(usage));
    while ((rc = store_step(st)) == STORE_ROW) {
        rc = keystore__entry(st, e);
        if (rc == POS_OK && e->algorithm == algorithm)
            return store_reset(st);
    }
    if (rc == STORE_DONE)
        rc = POS_ERR_NOT_FOUND;
    store_reset(st);
    memset(e, 0, sizeof(*e));
    return rc;
}

int keystore_list(struct store *s, int (*fn)(void *arg, const struct keystore_entry *e), void *arg)
{
    struct keystore_entry e;
    struct store_stmt *st;
    int rc;

    if (s == NULL || fn == NULL)
        return POS_ERR_INVAL;
    rc = store_prepare(s, KEYSTORE__COLS " ORDER BY id", &st);
    if (rc != POS_OK)
        return rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        rc = keystore__entry(st, &e);
        if (rc == POS_OK)
            rc = fn(arg, &e);
        if (rc != POS_OK) {
            store_reset(st);
            return rc;
        }
    }
    return rc == STORE_DONE ? POS_OK : rc;
}
