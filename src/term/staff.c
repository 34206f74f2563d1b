/* staff: employees, rights, PIN hashing, login and lockout (shifts are in
 * staff_shift.c). */
#include "term/staff.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "mem.h"
#include "term/tstore.h"

static const char *const staff_roles[] = {"cashier", "supervisor", "manager"};
static const char *const staff_rights[] = {"void",   "refund",  "discount", "price_override",
                                           "settle", "reports", "admin"};

#define STAFF_N_ROLES  3u
#define STAFF_N_RIGHTS 7u

/* The rights table: bit x of staff_role_rights[r] is right x. */
#define R(x) (1u << (x))
static const unsigned staff_role_rights[STAFF_N_ROLES] = {
    0, /* cashier: only discounts up to STAFF_CASHIER_DISCOUNT_BPS */
    R(STAFF_RIGHT_VOID) | R(STAFF_RIGHT_REFUND) | R(STAFF_RIGHT_DISCOUNT) |
        R(STAFF_RIGHT_PRICE_OVERRIDE) | R(STAFF_RIGHT_REPORTS),
    R(STAFF_RIGHT_VOID) | R(STAFF_RIGHT_REFUND) | R(STAFF_RIGHT_DISCOUNT) |
        R(STAFF_RIGHT_PRICE_OVERRIDE) | R(STAFF_RIGHT_SETTLE) | R(STAFF_RIGHT_REPORTS) |
        R(STAFF_RIGHT_ADMIN),
};
#undef R

const char *staff_role_name(enum staff_role r)
{
    return (unsigned)r < STAFF_N_ROLES ? staff_roles[r] : "?";
}

int staff_role_parse(const char *s, enum staff_role *out)
{
    unsigned i;

    for (i = 0; s != NULL && i < STAFF_N_ROLES; i++)
        if (strcmp(s, staff_roles[i]) == 0) {
            *out = (enum staff_role)i;
            return POS_OK;
        }
    return POS_ERR_INVAL;
}

const char *staff_right_name(enum staff_right r)
{
    return (unsigned)r < STAFF_N_RIGHTS ? staff_rights[r] : "?";
}

int staff_right_parse(const char *s, enum staff_right *out)
{
    unsigned i;

    for (i = 0; s != NULL && i < STAFF_N_RIGHTS; i++)
        if (strcmp(s, staff_rights[i]) == 0) {
            *out = (enum staff_right)i;
            return POS_OK;
        }
    return POS_ERR_INVAL;
}

bool staff_role_has_right(enum staff_role r, enum staff_right x)
{
    if ((unsigned)r >= STAFF_N_ROLES || (unsigned)x >= STAFF_N_RIGHTS)
        return false;
    return (staff_role_rights[r] & (1u << x)) != 0;
}

uint32_t staff_role_discount_limit_bps(enum staff_role r)
{
    return staff_role_has_right(r, STAFF_RIGHT_DISCOUNT) ? 10000u : STAFF_CASHIER_DISCOUNT_BPS;
}

int staff_pin_hash(const char *pin, size_t pin_len, const uint8_t *salt, size_t salt_len,
                   uint64_t iter, uint8_t out[STAFF_HASH_LEN])
{
    EVP_KDF *kdf = NULL;
    EVP_KDF_CTX *ctx = NULL;
    OSSL_PARAM params[5];
    char digest[] = "SHA256";
    int rc = POS_ERR_CRYPTO;

    memset(out, 0, STAFF_HASH_LEN);
    if (iter == 0 || (pin == NULL && pin_len > 0) || (salt == NULL && salt_len > 0))
        return POS_ERR_INVAL;
    kdf = EVP_KDF_fetch(NULL, "PBKDF2", NULL);
    if (kdf == NULL)
        goto out;
    ctx = EVP_KDF_CTX_new(kdf);
    if (ctx == NULL)
        goto out;
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)pin, pin_len);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    params[2] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_ITER, &iter);
    params[3] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
    params[4] = OSSL_PARAM_construct_end();
    if (EVP_KDF_derive(ctx, out, STAFF_HASH_LEN, params) != 1) {
        pos_wipe(out, STAFF_HASH_LEN);
        goto out;
    }
    rc = POS_OK;
out:
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return rc;
}

static bool staff_pin_ok(const char *pin)
{
    size_t i, n = pin != NULL ? strnlen(pin, STAFF_PIN_MAX + 1) : 0;

    if (n < STAFF_PIN_MIN || n > STAFF_PIN_MAX)
        return false;
    for (i = 0; i < n; i++)
        if (pin[i] < '0' || pin[i] > '9')
            return false;
    return true;
}

/* The iteration count for new hashes: the setting, clamped to the bounds. */
static int staff_iterations(struct store *db, uint64_t *iter)
{
    int64_t v;
    int rc;

    rc = tstore_setting_int(db, "staff.pin_iterations", STAFF_PBKDF2_ITERATIONS, &v);
    if (rc != POS_OK)
        return rc;
    if (v < STAFF_PBKDF2_MIN_ITERATIONS)
        v = STAFF_PBKDF2_MIN_ITERATIONS;
    if (v > STAFF_PBKDF2_MAX_ITERATIONS)
        v = STAFF_PBKDF2_MAX_ITERATIONS;
    *iter = (uint64_t)v;
    return POS_OK;
}

int staff_add(struct store *db, int64_t number, const char *name, enum staff_role role,
              const char *pin, int64_t *id, struct pos_errdetail *d)
{
    uint8_t salt[STAFF_SALT_LEN], hash[STAFF_HASH_LEN];
    struct store_stmt *st;
    uint64_t iter = 0;
    int64_t now = tstore_now_ms();
    size_t i, n = name != NULL ? strnlen(name, STAFF_NAME_MAX + 1) : 0;
    int rc;

    if (number <= 0 || number > STAFF_NUMBER_MAX)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "number: must be 1 to %d", STAFF_NUMBER_MAX);
    if (n == 0 || n > STAFF_NAME_MAX)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "name: 1 to %d bytes",
                                 STAFF_NAME_MAX);
    for (i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                     "name: no control characters");
    if ((unsigned)role >= STAFF_N_ROLES)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "unknown role");
    if (!staff_pin_ok(pin))
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "PIN: %d to %d digits", STAFF_PIN_MIN, STAFF_PIN_MAX);
    rc = staff_iterations(db, &iter);
    if (rc != POS_OK)
        return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET,
                                 "setting staff.pin_iterations is not a number");
    if (RAND_bytes(salt, sizeof(salt)) != 1)
        return pos_errdetail_set(d, POS_ERR_CRYPTO, -1, POS_NO_OFFSET, "no random salt");
    rc = staff_pin_hash(pin, strlen(pin), salt, sizeof(salt), iter, hash);
    if (rc != POS_OK)
        goto out;
    rc = store_prepare(db,
                       "INSERT INTO employees (number, name, role, pin_salt, pin_hash, pin_iter,"
                       " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                       &st);
    rc = rc ? rc : store_bind_int64(st, 1, number);
    rc = rc ? rc : store_bind_text(st, 2, name, n);
    rc = rc ? rc : store_bind_text(st, 3, staff_role_name(role), strlen(staff_role_name(role)));
    rc = rc ? rc : store_bind_blob(st, 4, salt, sizeof(salt));
    rc = rc ? rc : store_bind_blob(st, 5, hash, sizeof(hash));
    rc = rc ? rc : store_bind_int64(st, 6, (int64_t)iter);
    rc = rc ? rc : store_bind_int64(st, 7, now);
    rc = rc ? rc : store_bind_int64(st, 8, now);
    rc = rc ? rc : store_step(st);
    if (rc == STORE_ROW) {
        if (id != NULL)
            *id = store_column_int64(st, 0);
        store_reset(st);
        rc = POS_OK;
    } else if (rc == POS_ERR_CONSTRAINT) {
        pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "employee number %lld already exists",
                          (long long)number);
    } else {
        rc = pos_errdetail_set(d, rc < 0 ? rc : POS_ERR_DB, -1, POS_NO_OFFSET, "employees: %s",
                               store_error(db)->what);
    }
out:
    pos_wipe(hash, sizeof(hash));
    return rc;
}

#define STAFF_COLS "id, number, name, role, active, failed_logins, locked_until"

static void staff_row(struct store_stmt *st, struct staff_employee *e)
{
    const char *s;
    size_t n = 0;

    memset(e, 0, sizeof(*e));
    e->id = store_column_int64(st, 0);
    e->number = store_column_int64(st, 1);
    s = store_column_text(st, 2, &n);
    if (s != NULL) {
        if (n > STAFF_NAME_MAX)
            n = STAFF_NAME_MAX;
        memcpy(e->name, s, n);
    }
    if (staff_role_parse(store_column_text(st, 3, NULL), &e->role) != POS_OK)
        e->role = STAFF_CASHIER;
    e->active = store_column_int64(st, 4) != 0;
    e->failed_logins = store_column_int64(st, 5);
    e->locked_until = store_column_int64(st, 6);
}

int staff_get(struct store *db, int64_t number, struct staff_employee *out)
{
    struct store_stmt *st;
    int rc;

    rc = store_prepare(db, "SELECT " STAFF_COLS " FROM employees WHERE number = ?", &st);
    rc = rc ? rc : store_bind_int64(st, 1, number);
    rc = rc ? rc : store_step(st);
    if (rc == STORE_DONE)
        return POS_ERR_NOT_FOUND;
    if (rc != STORE_ROW)
        return rc;
    staff_row(st, out);
    store_reset(st);
    return POS_OK;
}

int staff_list(struct store *db, int (*fn)(void *arg, const struct staff_employee *e), void *arg)
{
    struct staff_employee e;
    struct store_stmt *st;
    int rc;

    rc = store_prepare(db, "SELECT " STAFF_COLS " FROM employees ORDER BY number", &st);
    if (rc != POS_OK)
        return rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        staff_row(st, &e);
        rc = fn(arg, &e);
        if (rc != POS_OK) {
            store_reset(st);
            return rc;
        }
    }
    return rc == STORE_DONE ? POS_OK : rc;
}

/* Runs an UPDATE of one employee by number: POS_ERR_NOT_FOUND if none. */
static int staff_update(struct store *db, const char *sql, int64_t number)
{
    struct store_stmt *st;
    int rc;

    rc = store_prepare(db, sql, &st);
    rc = rc ? rc : store_bind_int64(st, 1, tstore_now_ms());
    rc = rc ? rc : store_bind_int64(st, 2, number);
    rc = rc ? rc : store_step(st);
    if (rc != STORE_DONE)
        return rc < 0 ? rc : POS_ERR_DB;
    return store_changes(db) == 1 ? POS_OK : POS_ERR_NOT_FOUND;
}

int staff_disable(struct store *db, int64_t number)
{
    return staff_update(db, "UPDATE employees SET active = 0, updated_at = ? WHERE number = ?",
                        number);
}

int staff_unlock(struct store *db, int64_t number)
{
    return staff_update(db,
                        "UPDATE employees SET failed_logins = 0, locked_until = 0,"
                        " updated_at = ? WHERE number = ?",
                        number);
}

/* What login needs of the row. */
struct staff_secret {
    struct staff_employee e;
    uint8_t salt[STAFF_SALT_LEN];
    uint8_t hash[STAFF_HASH_LEN];
    uint64_t iter;
};

static int staff_secret_read(struct store *db, int64_t number, struct staff_secret *s)
{
    const uint8_t *b;
    struct store_stmt *st;
    size_t n;
    int rc;

    rc = store_prepare(db,
                       "SELECT " STAFF_COLS ", pin_salt, pin_hash, pin_iter FROM employees"
                       " WHERE number = ?",
                       &st);
    rc = rc ? rc : store_bind_int64(st, 1, number);
    rc = rc ? rc : store_step(st);
    if (rc == STORE_DONE)
        return POS_ERR_NOT_FOUND;
    if (rc != STORE_ROW)
        return rc;
    staff_row(st, &s->e);
    rc = POS_ERR_DB;
    b = store_column_blob(st, 7, &n);
    if (b != NULL && n == STAFF_SALT_LEN) {
        memcpy(s->salt, b, n);
        b = store_column_blob(st, 8, &n);
        if (b != NULL && n == STAFF_HASH_LEN) {
            memcpy(s->hash, b, n);
            s->iter = (uint64_t)store_column_int64(st, 9);
            rc = s->iter > 0 && s->iter <= STAFF_PBKDF2_MAX_ITERATIONS ? POS_OK : POS_ERR_DB;
        }
    }
    store_reset(st);
    return rc;
}

/* Records a failure: the count restarts after an expired lockout; the
 * STAFF_MAX_FAILURES-th locks the employee until now + STAFF_LOCKOUT_MS. */
static int staff_fail(struct store *db, int64_t id, int64_t now_ms, int64_t *failed)
{
    struct store_stmt *st;
    int rc;

    rc = store_prepare(db,
                       "UPDATE employees SET failed_logins = CASE WHEN locked_until <> 0"
                       " THEN 1 ELSE failed_logins + 1 END,"
                       " locked_until = CASE WHEN locked_until = 0 AND failed_logins + 1 >= ?"
                       " THEN ? ELSE 0 END, updated_at = ? WHERE id = ? RETURNING failed_logins",
                       &st);
    rc = rc ? rc : store_bind_int64(st, 1, STAFF_MAX_FAILURES);
    rc = rc ? rc : store_bind_int64(st, 2, now_ms + STAFF_LOCKOUT_MS);
    rc = rc ? rc : store_bind_int64(st, 3, now_ms);
    rc = rc ? rc : store_bind_int64(st, 4, id);
    rc = rc ? rc : store_step(st);
    if (rc != STORE_ROW)
        return rc < 0 ? rc : POS_ERR_DB;
    *failed = store_column_int64(st, 0);
    store_reset(st);
    return POS_OK;
}

int staff_login(struct store *db, int64_t number, const char *pin, int64_t now_ms,
                struct staff_employee *out, struct pos_errdetail *d)
{
    static const uint8_t dummy_salt[STAFF_SALT_LEN];
    struct staff_secret s;
    uint8_t got[STAFF_HASH_LEN];
    int64_t failed = 0;
    uint64_t iter = 0;
    bool known, ok;
    int rc;

    memset(&s, 0, sizeof(s));
    if (!staff_pin_ok(pin)) {
        rc = pos_errdetail_set(d, POS_ERR_AUTH, -1, POS_NO_OFFSET, "wrong employee number or PIN");
        goto out;
    }
    rc = staff_secret_read(db, number, &s);
    if (rc != POS_OK && rc != POS_ERR_NOT_FOUND)
        goto out;
    known = rc == POS_OK;
    if (known && s.e.locked_until > now_ms) {
        rc = pos_errdetail_set(d, POS_ERR_LOCKED, -1, POS_NO_OFFSET,
                               "employee %lld is locked out for %lld more seconds after %d wrong"
                               " PINs (a manager can unlock)",
                               (long long)number, (long long)((s.e.locked_until - now_ms + 999) / 1000),
                               STAFF_MAX_FAILURES);
        goto out;
    }
    if (!known) {
        rc = staff_iterations(db, &iter);
        if (rc != POS_OK)
            goto out;
        rc = staff_pin_hash(pin, strlen(pin), dummy_salt, sizeof(dummy_salt), iter, got);
        if (rc == POS_OK)
            rc = pos_errdetail_set(d, POS_ERR_AUTH, -1, POS_NO_OFFSET,
                                   "wrong employee number or PIN");
        goto out;
    }
    rc = staff_pin_hash(pin, strlen(pin), s.salt, sizeof(s.salt), s.iter, got);
    if (rc != POS_OK)
        goto out;
    ok = pos_mem_eq_ct(got, s.hash, STAFF_HASH_LEN);
    if (!ok) {
        rc = staff_fail(db, s.e.id, now_ms, &failed);
        if (rc != POS_OK)
            goto out;
        if (failed >= STAFF_MAX_FAILURES)
            rc = pos_errdetail_set(d, POS_ERR_AUTH, -1, POS_NO_OFFSET,
                                   "wrong employee number or PIN; employee %lld is now locked out"
                                   " for %d minutes",
                                   (long long)number, STAFF_LOCKOUT_MS / 60000);
        else
            rc = pos_errdetail_set(d, POS_ERR_AUTH, -1, POS_NO_OFFSET,
                                   "wrong employee number or PIN (%lld of %d tries)",
                                   (long long)failed, STAFF_MAX_FAILURES);
        goto out;
    }
    if (!s.e.active) {
        rc = pos_errdetail_set(d, POS_ERR_DENIED, -1, POS_NO_OFFSET, "employee %lld is disabled",
                               (long long)number);
        goto out;
    }
    if (s.e.failed_logins != 0 || s.e.locked_until != 0) {
        rc = staff_unlock(db, number);
        if (rc != POS_OK)
            goto out;
        s.e.failed_logins = 0;
        s.e.locked_until = 0;
    }
    if (out != NULL)
        *out = s.e;
    rc = POS_OK;
out:
    pos_wipe(got, sizeof(got));
    pos_wipe(&s, sizeof(s));
    return rc;
}

int staff_authorize(struct store *db, int64_t number, const char *pin, enum staff_right right,
                    int64_t now_ms, struct staff_employee *out, struct pos_errdetail *d)
{
    struct staff_employee e;
    int rc;

    if ((unsigned)right >= STAFF_N_RIGHTS)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "unknown right");
    rc = staff_login(db, number, pin, now_ms, &e, d);
    if (rc != POS_OK)
        return rc;
    if (!staff_role_has_right(e.role, right))
        return pos_errdetail_set(d, POS_ERR_DENIED, -1, POS_NO_OFFSET,
                                 "employee %lld (%s) may not %s", (long long)number,
                                 staff_role_name(e.role), staff_right_name(right));
    if (out != NULL)
        *out = e;
    return POS_OK;
}
