/* sesskey: master/session working keys and the sign-on field 62 (see sesskey.h). */
#include "crypto/sesskey.h"

#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "crypto/kcv.h"
#include "error.h"
#include "mem.h"

enum block_alg sesskey_scheme_alg(enum key_scheme s)
{
    switch (s) {
    case KEY_SCHEME_TDES:
        return BLOCK_TDES;
    case KEY_SCHEME_AES:
        return BLOCK_AES;
    case KEY_SCHEME_SM4:
        return BLOCK_SM4;
    }
    return (enum block_alg)0;
}

const char *sesskey_scheme_name(enum key_scheme s)
{
    switch (s) {
    case KEY_SCHEME_TDES:
        return "tdes";
    case KEY_SCHEME_AES:
        return "aes";
    case KEY_SCHEME_SM4:
        return "sm4";
    }
    return NULL;
}

int sesskey_scheme_parse(const char *name, enum key_scheme *s)
{
    if (name == NULL || s == NULL)
        return POS_ERR_INVAL;
    if (strcasecmp(name, "tdes") == 0)
        *s = KEY_SCHEME_TDES;
    else if (strcasecmp(name, "aes") == 0)
        *s = KEY_SCHEME_AES;
    else if (strcasecmp(name, "sm4") == 0)
        *s = KEY_SCHEME_SM4;
    else
        return POS_ERR_UNSUPPORTED;
    return POS_OK;
}

bool sesskey_tmk_len_ok(enum key_scheme s, size_t tmk_len)
{
    enum block_alg a = sesskey_scheme_alg(s);

    return a != 0 && block_alg_key_len_ok(a, tmk_len);
}

void sesskey_set_clear(struct sesskey_set *ks)
{
    if (ks != NULL)
        pos_wipe(ks, sizeof(*ks));
}

/* DES keys carry odd parity in the low bit of each byte (FIPS 46-3 §2). */
static void sesskey__odd_parity(uint8_t *k, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        uint8_t b = k[i] & 0xFE, p = b;
        p ^= p >> 4;
        p ^= p >> 2;
        p ^= p >> 1;
        k[i] = (uint8_t)(b | ((p & 1) ^ 1));
    }
}

static int sesskey__rand_key(enum key_scheme s, uint8_t *k, size_t n)
{
    if (RAND_priv_bytes(k, (int)n) != 1)
        return POS_ERR_CRYPTO;
    if (s == KEY_SCHEME_TDES)
        sesskey__odd_parity(k, n);
    return POS_OK;
}

int sesskey_generate(struct sesskey_set *ks, enum key_scheme s, unsigned flags)
{
    size_t n;
    int rc;

    if (ks == NULL || sesskey_scheme_alg(s) == 0)
        return POS_ERR_INVAL;
    sesskey_set_clear(ks);
    if (s != KEY_SCHEME_TDES && (flags & (SESSKEY_SINGLE | SESSKEY_MAK_DOUBLE)) != 0)
        return POS_ERR_INVAL;
    if ((flags & SESSKEY_SINGLE) != 0 && (flags & (SESSKEY_TDK | SESSKEY_MAK_DOUBLE)) != 0)
        return POS_ERR_INVAL;
    ks->scheme = s;
    n = (flags & SESSKEY_SINGLE) != 0 ? 8 : 16;
    ks->pik_len = n;
    ks->mak_len = s == KEY_SCHEME_TDES && (flags & SESSKEY_MAK_DOUBLE) == 0 ? 8 : 16;
    ks->tdk_len = (flags & SESSKEY_TDK) != 0 ? 16 : 0;
    rc = sesskey__rand_key(s, ks->pik, ks->pik_len);
    if (rc == POS_OK)
        rc = sesskey__rand_key(s, ks->mak, ks->mak_len);
    if (rc == POS_OK && ks->tdk_len > 0)
        rc = sesskey__rand_key(s, ks->tdk, ks->tdk_len);
    if (rc != POS_OK)
        sesskey_set_clear(ks);
    return rc;
}

const char *sesskey_f60_3(const struct sesskey_set *ks)
{
    if (ks == NULL)
        return NULL;
    if (ks->pik_len == 8)
        return "001";
    return ks->tdk_len > 0 ? "004" : "003";
}

/* One key field: E(TMK, key) (ECB), zero-filled to field bytes, then the
 * 4-byte check value of the key. */
static int sesskey__put(enum block_alg a, const uint8_t *tmk, size_t tmk_len, const uint8_t *key,
                        size_t key_len, size_t field, uint8_t *out)
{
    int rc;

    memset(out, 0, field);
    rc = block_ecb(a, tmk, tmk_len, true, key, key_len, out);
    if (rc == POS_OK)
        rc = kcv_compute(a, key, key_len, out + field, SESSKEY_CV_LEN);
    return rc;
}

int sesskey_f62_encode(const struct sesskey_set *ks, const uint8_t *tmk, size_t tmk_len,
                       uint8_t *out, size_t cap, size_t *out_len)
{
    enum block_alg a;
    size_t field, need, off = 0;
    int rc;

    if (ks == NULL || tmk == NULL || out == NULL || out_len == NULL)
        return POS_ERR_INVAL;
    a = sesskey_scheme_alg(ks->scheme);
    if (a == 0)
        return POS_ERR_INVAL;
    if (!sesskey_tmk_len_ok(ks->scheme, tmk_len))
        return POS_ERR_KEY_LENGTH;
    field = ks->pik_len == 8 ? 8 : 16;
    if ((ks->scheme != KEY_SCHEME_TDES && (ks->pik_len != 16 || ks->mak_len != 16)) ||
        (ks->scheme == KEY_SCHEME_TDES && field == 8 && (ks->mak_len != 8 || ks->tdk_len != 0)) ||
        (ks->scheme == KEY_SCHEME_TDES && field == 16 && ks->pik_len != 16) ||
        (ks->mak_len != 8 && ks->mak_len != 16) || (ks->tdk_len != 0 && ks->tdk_len != 16))
        return POS_ERR_KEY_LENGTH;
    need = 2 * (field + SESSKEY_CV_LEN) + (ks->tdk_len > 0 ? 16 + SESSKEY_CV_LEN : 0);
    if (cap < need)
        return POS_ERR_NOSPACE;
    rc = sesskey__put(a, tmk, tmk_len, ks->pik, ks->pik_len, field, out);
    off += field + SESSKEY_CV_LEN;
    if (rc == POS_OK)
        rc = sesskey__put(a, tmk, tmk_len, ks->mak, ks->mak_len, field, out + off);
    off += field + SESSKEY_CV_LEN;
    if (rc == POS_OK && ks->tdk_len > 0)
        rc = sesskey__put(a, tmk, tmk_len, ks->tdk, ks->tdk_len, 16, out + off);
    if (rc != POS_OK) {
        pos_wipe(out, need);
        return rc;
    }
    *out_len = need;
    return POS_OK;
}

static bool sesskey__all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    size_t i;

    for (i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* Decrypts one key field at f62 + off into key and checks its CV. */
static int sesskey__get(enum block_alg a, const uint8_t *tmk, size_t tmk_len, const uint8_t *f62,
                        size_t off, size_t key_len, size_t field, uint8_t *key, const char *name,
                        struct pos_errdetail *d)
{
    int rc = block_ecb(a, tmk, tmk_len, false, f62 + off, key_len, key);

    if (rc == POS_OK)
        rc = kcv_verify(a, key, key_len, f62 + off + field, SESSKEY_CV_LEN);
    if (rc == POS_ERR_KCV_MISMATCH)
        pos_errdetail_set(d, rc, 62, off + field, "%s check value does not match", name);
    return rc;
}

int sesskey_f62_decode(enum key_scheme s, const uint8_t *tmk, size_t tmk_len, const uint8_t *f62,
                       size_t len, struct sesskey_set *ks, struct pos_errdetail *d)
{
    struct sesskey_set tmp;
    enum block_alg a = sesskey_scheme_alg(s);
    size_t field;
    int rc;

    if (tmk == NULL || f62 == NULL || ks == NULL || a == 0)
        return POS_ERR_INVAL;
    sesskey_set_clear(ks);
    memset(&tmp, 0, sizeof(tmp));
    if (!sesskey_tmk_len_ok(s, tmk_len))
        return pos_errdetail_set(d, POS_ERR_KEY_LENGTH, -1, POS_NO_OFFSET,
                                 "TMK of %zu bytes for scheme %s", tmk_len, sesskey_scheme_name(s));
    if (!(len == 40 || len == 60 || (len == 24 && s == KEY_SCHEME_TDES)))
        return pos_errdetail_set(
            d, POS_ERR_LENGTH, 62, POS_NO_OFFSET, "%zu bytes: a %s sign-on field 62 has %s bytes",
            len, sesskey_scheme_name(s), s == KEY_SCHEME_TDES ? "24, 40 or 60" : "40 or 60");
    tmp.scheme = s;
    field = len == 24 ? 8 : 16;
    tmp.pik_len = field;
    /* TDES double layout: a single-length MAK is followed by 8 zero bytes */
    tmp.mak_len = s == KEY_SCHEME_TDES && (field == 8 || sesskey__all_zero(f62 + 28, 8)) ? 8 : 16;
    tmp.tdk_len = len == 60 ? 16 : 0;
    rc = sesskey__get(a, tmk, tmk_len, f62, 0, tmp.pik_len, field, tmp.pik, "PIK", d);
    if (rc == POS_OK)
        rc = sesskey__get(a, tmk, tmk_len, f62, field + SESSKEY_CV_LEN, tmp.mak_len, field, tmp.mak,
                          "MAK", d);
    if (rc == POS_OK && tmp.tdk_len > 0)
        rc = sesskey__get(a, tmk, tmk_len, f62, 40, 16, 16, tmp.tdk, "TDK", d);
    if (rc == POS_OK)
        *ks = tmp;
    sesskey_set_clear(&tmp);
    return rc;
}
