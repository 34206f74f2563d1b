/* admin: opening and creating a host's database, merchants, accounts (see admin.h). */
#include "host/admin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "error.h"
#include "hex.h"
#include "host/admin_int.h"
#include "host/keystore.h"
#include "host/schema.h"
#include "mem.h"
#include "store/migrate.h"

/* ---- shared helpers -------------------------------------------------------- */

int64_t admin__now(const struct admin *a)
{
    struct timespec ts;

    if (a != NULL && a->fixed_now != 0)
        return a->fixed_now;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int admin__begin(struct admin *a)
{
    return store_begin(a->s);
}

int admin__end(struct admin *a, int rc)
{
    if (rc == POS_OK) {
        rc = store_commit(a->s);
        if (rc == POS_OK)
            return POS_OK;
    }
    if (store_is_in_transaction(a->s))
        store_rollback(a->s);
    return rc;
}

int admin__step_done(struct store_stmt *st)
{
    int rc = store_step(st);

    if (rc == STORE_DONE)
        return POS_OK;
    if (rc == STORE_ROW) {
        store_reset(st);
        return POS_ERR_DB;
    }
    return rc;
}

int admin__audit(struct admin *a, const char *action, const char *object, json_t *detail)
{
    struct store_stmt *st;
    char *text = NULL;
    int rc;

    if (detail == NULL)
        detail = json_object();
    text = detail != NULL ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(detail);
    if (text == NULL)
        return POS_ERR_NOMEM;
    rc = store_prepare(a->s,
                       "INSERT INTO audit_log (at, actor, action, object, detail)"
                       " VALUES (?, ?, ?, ?, ?)",
                       &st);
    if (rc == POS_OK) {
        store_bind_int64(st, 1, admin__now(a));
        store_bind_text(st, 2, a->actor, strlen(a->actor));
        store_bind_text(st, 3, action, strlen(action));
        store_bind_text(st, 4, object, strlen(object));
        store_bind_text(st, 5, text, strlen(text));
        rc = admin__step_done(st);
    }
    free(text);
    return rc;
}

int admin__need_lmk(struct admin *a, struct pos_errdetail *d)
{
    if (a->lmk.loaded)
        return POS_OK;
    return pos_errdetail_set(d, POS_ERR_KEY, -1, POS_NO_OFFSET,
                             "this needs the local master key (--lmk FILE or --lmk-env VAR)");
}

bool admin__is_alnum(const char *s, size_t len)
{
    size_t i;

    if (s == NULL || strlen(s) != len)
        return false;
    for (i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            return false;
    }
    return true;
}

bool admin__is_text(const char *s, size_t max, bool empty_ok)
{
    size_t i, n;

    if (s == NULL)
        return false;
    n = strlen(s);
    if (n > max || (n == 0 && !empty_ok))
        return false;
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
            return false;
    return true;
}

const char *admin__alpha(uint16_t currency)
{
    const struct currency *c = money_currency_by_numeric(currency);

    return c != NULL ? c->alpha : "???";
}

json_t *admin__money(int64_t minor, uint16_t currency)
{
    struct money m;
    char buf[MONEY_FORMAT_MAX];

    m.minor = minor;
    m.cur = money_currency_by_numeric(currency);
    if (m.cur == NULL || money_format(&m, buf, sizeof(buf), NULL) != POS_OK)
        return json_string("?");
    return json_string(buf);
}

int admin__parse_amount(const char *text, uint16_t currency, const char *field, int64_t *minor,
                        struct pos_errdetail *d)
{
    const struct currency *c = money_currency_by_numeric(currency);
    struct pos_errdetail pd;
    struct money m;
    int rc;

    if (text == NULL || c == NULL)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "%s missing", field);
    pos_errdetail_init(&pd);
    rc = money_parse(text, strlen(text), c, &m, &pd);
    if (rc == POS_ERR_RANGE)
        return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "%s: %s has %u decimals", field,
                                 c->alpha, money_currency_digits(c));
    if (rc != POS_OK)
        return pos_errdetail_set(d, rc, -1, pd.offset, "%s: not an amount in %s", field, c->alpha);
    if (m.minor < 0)
        return pos_errdetail_set(d, POS_ERR_RANGE, -1, POS_NO_OFFSET, "%s must not be negative",
                                 field);
    *minor = m.minor;
    return POS_OK;
}

json_t *admin__col_text(struct store_stmt *st, int col)
{
    const char *t = store_column_text(st, col, NULL);

    return json_string(t != NULL ? t : "");
}

static int admin__id_of(struct admin *a, const char *sql, const char *key, const char *what,
                        int64_t *id, uint16_t *currency, struct pos_errdetail *d)
{
    struct store_stmt *st;
    int rc;

    rc = store_prepare(a->s, sql, &st);
    if (rc != POS_OK)
        return rc;
    store_bind_text(st, 1, key, strlen(key));
    rc = store_step(st);
    if (rc == STORE_DONE)
        return pos_errdetail_set(d, POS_ERR_NOT_FOUND, -1, POS_NO_OFFSET, "no %s %.40s", what, key);
    if (rc != STORE_ROW)
        return rc;
    if (id != NULL)
        *id = store_column_int64(st, 0);
    if (currency != NULL)
        *currency = (uint16_t)store_column_int64(st, 1);
    return store_reset(st);
}

int admin__merchant_id(struct admin *a, const char *mid, int64_t *id, uint16_t *currency,
                       struct pos_errdetail *d)
{
    if (mid == NULL)
        return POS_ERR_INVAL;
    return admin__id_of(a, "SELECT id, currency FROM merchants WHERE mid = ?", mid, "merchant", id,
                        currency, d);
}

int admin__terminal_id(struct admin *a, const char *tid, int64_t *id, struct pos_errdetail *d)
{
    if (tid == NULL)
        return POS_ERR_INVAL;
    return admin__id_of(a, "SELECT id, 0 FROM terminals WHERE tid = ?", tid, "terminal", id, NULL,
                        d);
}

/* ---- open, close ----------------------------------------------------------- */

static int admin__actor(struct admin *a, const struct admin_options *o, struct pos_errdetail *d)
{
    const char *actor = o != NULL ? o->actor : NULL;

    if (actor == NULL)
        actor = getenv("USER");
    if (actor == NULL || actor[0] == '\0')
        actor = "unknown";
    if (!admin__is_text(actor, ADMIN_ACTOR_MAX, false))
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "actor: 1 to %d characters, no control characters",
                                 ADMIN_ACTOR_MAX);
    snprintf(a->actor, sizeof(a->actor), "%s", actor);
    a->fixed_now = o != NULL ? o->now_ms : 0;
    return POS_OK;
}

/* Opens db (create: may make it) and brings its schema up to date. */
static int admin__connect(struct admin *a, const char *db, bool create, struct pos_errdetail *d)
{
    struct store_options so;
    const struct store_migration *m;
    struct stat sb;
    size_t n;
    int rc;

    if (db == NULL || db[0] == '\0')
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "no database given");
    if (!create && strncmp(db, "sqlite::memory:", 15) != 0 && strstr(db, "://") == NULL &&
        stat(strncmp(db, "sqlite:", 7) == 0 ? db + 7 : db, &sb) != 0)
        return pos_errdetail_set(d, POS_ERR_NOT_FOUND, -1, POS_NO_OFFSET,
                                 "no database %.80s (pos admin init creates one)", db);
    store_options_init(&so);
    so.no_create = !create;
    so.page_size = SCHEMA_PAGE_SIZE;
    rc = store_open(db, &so, &a->s, d);
    if (rc != POS_OK)
        return rc;
    m = schema_migrations(&n);
    return store_migrate(a->s, m, n, NULL, d);
}

static int admin__check_lmk(struct admin *a, const struct lmk *lmk, struct pos_errdetail *d)
{
    uint8_t key[KEYSTORE_KEY_MAX], kcv[3];
    char hex[7] = "";
    size_t len = 0;
    int rc;

    rc = keystore_get(a->s, lmk, ISSUER_KEY_PAN_HASH, NULL, 0, key, sizeof(key), &len, d);
    pos_wipe(key, sizeof(key));
    if (rc == POS_ERR_KEYBLOCK_MAC) {
        if (lmk_kcv(lmk, kcv) == POS_OK)
            pos_hex_encode(kcv, sizeof(kcv), hex, sizeof(hex));
        return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET,
                                 "the local master key (KCV %s) is not this database's", hex);
    }
    return rc;
}

int admin_open(const char *db, const struct lmk *lmk, const struct admin_options *o,
               struct admin **out, struct pos_errdetail *d)
{
    struct keystore_entry e;
    struct admin *a;
    int rc;

    if (out == NULL)
        return POS_ERR_INVAL;
    *out = NULL;
    a = pos_calloc(1, sizeof(*a));
    if (a == NULL)
        return POS_ERR_NOMEM;
    rc = admin__actor(a, o, d);
    if (rc == POS_OK)
        rc = admin__connect(a, db, false, d);
    if (rc == POS_OK) {
        rc = keystore_find(a->s, ADMIN_KEY_KTK, &e);
        if (rc == POS_ERR_NOT_FOUND)
            rc = pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET,
                                   "database not initialised (pos admin init)");
    }
    if (rc == POS_OK && lmk != NULL) {
        rc = admin__check_lmk(a, lmk, d);
        if (rc == POS_OK)
            a->lmk = *lmk;
    }
    if (rc != POS_OK) {
        admin_close(a);
        return rc;
    }
    *out = a;
    return POS_OK;
}

void admin_close(struct admin *a)
{
    if (a == NULL)
        return;
    store_close(a->s);
    lmk_clear(&a->lmk);
    pos_free_secret(a, sizeof(*a));
}

struct store *admin_store(struct admin *a)
{
    return a != NULL ? a->s : NULL;
}

/* ---- init ------------------------------------------------------------------ */

/* Writes the KTK's hex and a newline to a new file, mode 0600. */
static int admin__write_ktk(const char *path, const uint8_t *ktk, size_t len,
                            struct pos_errdetail *d)
{
    char hex[2 * KEYSTORE_KEY_MAX + 2];
    size_t n = 2 * len + 1, off = 0;
    ssize_t w;
    int fd, rc = POS_OK;

    pos_hex_encode(ktk, len, hex, sizeof(hex));
    hex[2 * len] = '\n';
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc =
            pos_errdetail_set(d, POS_ERR_IO, -1, POS_NO_OFFSET, "%.80s: %s", path, strerror(errno));
        goto out;
    }
    while (off < n && rc == POS_OK) {
        w = write(fd, hex + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            rc = POS_ERR_IO;
        else
            off += (size_t)w;
    }
    if (rc == POS_OK && (fchmod(fd, 0600) != 0 || fsync(fd) != 0))
        rc = POS_ERR_IO;
    if (close(fd) != 0 && rc == POS_OK)
        rc = POS_ERR_IO;
    if (rc != POS_OK) {
        pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "%.80s: %s", path, strerror(errno));
        unlink(path);
    }
out:
    pos_wipe(hex, sizeof(hex));
    return rc;
}

/* The host keys of admin_init but the KTK. */
static int admin__init_keys(struct admin *a, const struct lmk *lmk)
{
    struct keystore_spec sp[6] = {
        {ISSUER_KEY_PVK, "V2", KEYSTORE_TDES, 'C', false},
        {ISSUER_KEY_CVK, "C0", KEYSTORE_TDES, 'C', false},
        {ISSUER_KEY_PAN_DATA, "D0", KEYSTORE_AES, 'B', false},
        {ISSUER_KEY_PAN_HASH, "M7", KEYSTORE_HMAC, 'C', false},
        {NULL, "B0", KEYSTORE_TDES, 'X', false},
        {NULL, "B0", KEYSTORE_AES, 'X', false},
    };
    static const size_t lens[6] = {16, 16, 32, 32, 16, 16};
    uint8_t id[5];
    char hex[11], tdes_name[16], aes_name[16];
    size_t i;
    int rc = POS_OK;

    /* BDK identifiers: the TDES key set identifier (KSI, the KSN's leftmost 5
     * bytes) and the AES BDK ID (the initial key ID's leftmost 4 bytes). */
    if (RAND_bytes(id, sizeof(id)) != 1)
        return POS_ERR_CRYPTO;
    pos_hex_encode(id, 5, hex, sizeof(hex));
    snprintf(tdes_name, sizeof(tdes_name), "bdk:%s", hex);
    if (RAND_bytes(id, sizeof(id)) != 1)
        return POS_ERR_CRYPTO;
    pos_hex_encode(id, 4, hex, sizeof(hex));
    snprintf(aes_name, sizeof(aes_name), "bdk:%s", hex);
    sp[4].name = tdes_name;
    sp[5].name = aes_name;
    for (i = 0; i < 6 && rc == POS_OK; i++)
        rc = keystore_generate(a->s, lmk, &sp[i], lens[i], admin__now(a), NULL, NULL);
    return rc;
}

static int admin__init_work(struct admin *a, const struct lmk *lmk,
                            const struct admin_init_params *p, uint16_t currency, json_t *sum,
                            struct pos_errdetail *d)
{
    static const struct keystore_spec ktk_spec = {ADMIN_KEY_KTK, "K0", KEYSTORE_TDES, 'B', false};
    uint8_t ktk[16];
    char kcv[KEYSTORE_KCV_HEX];
    json_t *keys = NULL;
    int64_t funding = 0;
    int rc;

    rc = admin__init_keys(a, lmk);
    if (rc == POS_OK)
        rc = keystore_random_key(KEYSTORE_TDES, ktk, sizeof(ktk));
    if (rc == POS_OK)
        rc = keystore_put(a->s, lmk, &ktk_spec, ktk, sizeof(ktk), admin__now(a), NULL, kcv);
    if (rc == POS_OK)
        rc = issuer_funding_account(a->s, currency, admin__now(a), &funding);
    if (rc == POS_OK)
        rc =
            admin__audit(a, "init", "host",
                         json_pack("{s:s,s:s,s:I}", "ktk_kcv", kcv, "currency",
                                   admin__alpha(currency), "funding_account", (json_int_t)funding));
    if (rc == POS_OK)
        rc = admin__keys_json(a->s, &keys);
    if (rc == POS_OK) {
        json_object_set_new(sum, "ktk_kcv", json_string(kcv));
        json_object_set_new(sum, "ktk_file", json_string(p->ktk_out));
        json_object_set_new(sum, "funding_account", json_integer(funding));
        json_object_set_new(sum, "keys", keys);
        rc = admin__write_ktk(p->ktk_out, ktk, sizeof(ktk), d);
    }
    pos_wipe(ktk, sizeof(ktk));
    return rc;
}

int admin_init(const char *db, const struct lmk *lmk, const struct admin_options *o,
               const struct admin_init_params *p, json_t **summary, struct pos_errdetail *d)
{
    const struct currency *cur = NULL;
    struct keystore_entry e;
    struct admin a;
    uint8_t lkcv[3];
    char hex[7];
    json_t *sum = NULL;
    struct stat sb;
    bool wrote = false;
    int rc;

    memset(&a, 0, sizeof(a));
    if (summary != NULL)
        *summary = NULL;
    if (lmk == NULL || !lmk->loaded || p == NULL || p->ktk_out == NULL)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "init needs the local master key and a KTK file");
    rc = money_currency_parse(p->currency != NULL ? p->currency : ADMIN_CURRENCY_INIT,
                              strlen(p->currency != NULL ? p->currency : ADMIN_CURRENCY_INIT), &cur,
                              d);
    if (rc != POS_OK)
        return rc;
    if (lstat(p->ktk_out, &sb) == 0)
        return pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET,
                                 "%.80s exists: the KTK is exported once, into a new file",
                                 p->ktk_out);
    rc = admin__actor(&a, o, d);
    if (rc == POS_OK)
        rc = admin__connect(&a, db, true, d);
    if (rc == POS_OK) {
        rc = keystore_find(a.s, ADMIN_KEY_KTK, &e);
        if (rc == POS_OK)
            rc = pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET,
                                   "database already initialised");
        else if (rc == POS_ERR_NOT_FOUND)
            rc = POS_OK;
    }
    sum = json_object();
    if (rc == POS_OK && sum == NULL)
        rc = POS_ERR_NOMEM;
    if (rc == POS_OK)
        rc = admin__begin(&a);
    if (rc != POS_OK)
        goto out;
    rc = admin__init_work(&a, lmk, p, cur->numeric, sum, d);
    wrote = rc == POS_OK;
    rc = admin__end(&a, rc);
    if (rc != POS_OK && wrote)
        unlink(p->ktk_out);
    if (rc == POS_OK && lmk_kcv(lmk, lkcv) == POS_OK) {
        pos_hex_encode(lkcv, sizeof(lkcv), hex, sizeof(hex));
        json_object_set_new(sum, "lmk_kcv", json_string(hex));
    }
    json_object_set_new(sum, "db", json_string(db));
out:
    store_close(a.s);
    if (rc == POS_OK && summary != NULL) {
        *summary = sum;
        sum = NULL;
    }
    json_decref(sum);
    return rc;
}

/* ---- merchants ------------------------------------------------------------- */

#define ADMIN__MERCHANT_COLS                                                                       \
    "SELECT m.mid, m.name, m.city, m.country, m.mcc, m.currency, m.mdr_bps, m.account_id,"         \
    " m.payout_account, m.status, m.created_at, a.balance,"                                        \
    " (SELECT COUNT(*) FROM terminals t WHERE t.merchant_id = m.id)"                               \
    " FROM merchants m JOIN accounts a ON a.id = m.account_id"

static json_t *admin__merchant_json(struct store_stmt *st)
{
    uint16_t cur = (uint16_t)store_column_int64(st, 5);

    return json_pack(
        "{s:o,s:o,s:o,s:o,s:o,s:s,s:I,s:I,s:o,s:o,s:I,s:o,s:I}", "mid", admin__col_text(st, 0),
        "name", admin__col_text(st, 1), "city", admin__col_text(st, 2), "country",
        admin__col_text(st, 3), "mcc", admin__col_text(st, 4), "currency", admin__alpha(cur),
        "mdr_bps", (json_int_t)store_column_int64(st, 6), "account_id",
        (json_int_t)store_column_int64(st, 7), "payout_account", admin__col_text(st, 8), "status",
        admin__col_text(st, 9), "created_at", (json_int_t)store_column_int64(st, 10), "balance",
        admin__money(store_column_int64(st, 11), cur), "terminals",
        (json_int_t)store_column_int64(st, 12));
}

int admin_merchant_show(struct admin *a, const char *mid, json_t **out, struct pos_errdetail *d)
{
    struct store_stmt *st;
    int rc;

    if (a == NULL || mid == NULL || out == NULL)
        return POS_ERR_INVAL;
    *out = NULL;
    rc = store_prepare(a->s, ADMIN__MERCHANT_COLS " WHERE m.mid = ?", &st);
    if (rc != POS_OK)
        return rc;
    store_bind_text(st, 1, mid, strlen(mid));
    rc = store_step(st);
    if (rc == STORE_DONE)
        return pos_errdetail_set(d, POS_ERR_NOT_FOUND, -1, POS_NO_OFFSET, "no merchant %.40s", mid);
    if (rc != STORE_ROW)
        return rc;
    *out = admin__merchant_json(st);
    rc = store_reset(st);
    if (rc == POS_OK && *out == NULL)
        rc = POS_ERR_NOMEM;
    return rc;
}

int admin_merchant_list(struct admin *a, json_t **out)
{
    struct store_stmt *st;
    int rc;

    if (a == NULL || out == NULL)
        return POS_ERR_INVAL;
    *out = NULL;
    rc = store_prepare(a->s, ADMIN__MERCHANT_COLS " ORDER BY m.id", &st);
    if (rc != POS_OK)
        return rc;
    return admin__collect(st, admin__merchant_json, out);
}

static int admin__merchant_check(const struct admin_merchant *m, const struct currency **cur,
                                 uint64_t *mdr, struct pos_errdetail *d)
{
    if (!admin__is_alnum(m->mid, 15))
        return pos_errdetail_set(d, POS_ERR_SYNTAX, -1, POS_NO_OFFSET,
                                 "mid must be 15 letters or digits");
    if (!admin__is_text(m->name, 40, false))
        return pos_errdetail_set(d, POS_ERR_SYNTAX, -1, POS_NO_OFFSET,
                                 "name must be 1 to 40 bytes without control characters");
    if (m->city != NULL && !admin__is_text(m->city, 40, true))
        return pos_errdetail_set(d, POS_ERR_SYNTAX, -1, POS_NO_OFFSET,
                                 "city must be at most 40 bytes without control characters");
    if (m->mcc == NULL || strlen(m->mcc) != 4 || !pos_is_digits(m->mcc, 4))
        return pos_errdetail_set(d, POS_ERR_SYNTAX, -1, POS_NO_OFFSET, "mcc must be 4 digits");
    if (m->currency == NULL ||
        money_currency_parse(m->currency, strlen(m->currency), cur, NULL) != POS_OK)
        return pos_errdetail_set(d, POS_ERR_CURRENCY, -1, POS_NO_OFFSET,
                                 "currency: not an ISO 4217 code");
    if (m->mdr_bps == NULL || strlen(m->mdr_bps) == 0 || strlen(m->mdr_bps) > 5 ||
        pos_parse_digits_u64(m->mdr_bps, strlen(m->mdr_bps), mdr) != POS_OK || *mdr > 10000)
        return pos_errdetail_set(d, POS_ERR_RANGE, -1, POS_NO_OFFSET,
                                 "mdr must be 0 to 10000 basis points");
    if (!admin__is_text(m->payout_account, 64, false))
        return pos_errdetail_set(d, POS_ERR_SYNTAX, -1, POS_NO_OFFSET,
                                 "payout account must be 1 to 64 characters");
    return POS_OK;
}

static int admin__merchant_insert(struct admin *a, const struct admin_merchant *m,
                                  const struct currency *cur, uint64_t mdr, struct pos_errdetail *d)
{
    struct store_stmt *st;
    char name[40];
    int64_t acct = 0;
    int rc;

    rc = admin__merchant_id(a, m->mid, NULL, NULL, NULL);
    if (rc == POS_OK)
        return pos_errdetail_set(d, POS_ERR_CONSTRAINT, -1, POS_NO_OFFSET,
                                 "merchant %s exists already", m->mid);
    if (rc != POS_ERR_NOT_FOUND)
        return rc;
    snprintf(name, sizeof(name), "merchant %s", m->mid);
    rc = ledger_account_open(a->s, "merchant", name, cur->numeric, 0, admin__now(a), &acct);
    if (rc == POS_OK)
        rc = store_prepare(a->s,
                           "INSERT INTO merchants (mid, name, city, mcc, currency, mdr_bps,"
                           " account_id, payout_account, created_at)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           &st);
    if (rc != POS_OK)
        return rc;
    store_bind_text(st, 1, m->mid, 15);
    store_bind_text(st, 2, m->name, strlen(m->name));
    store_bind_text(st, 3, m->city != NULL ? m->city : "", m->city != NULL ? strlen(m->city) : 0);
    store_bind_text(st, 4, m->mcc, 4);
    store_bind_int64(st, 5, cur->numeric);
    store_bind_int64(st, 6, (int64_t)mdr);
    store_bind_int64(st, 7, acct);
    store_bind_text(st, 8, m->payout_account, strlen(m->payout_account));
    store_bind_int64(st, 9, admin__now(a));
    rc = admin__step_done(st);
    if (rc == POS_OK)
        rc = admin__audit(a, "merchant.add", m->mid,
                          json_pack("{s:s,s:s,s:s,s:I,s:I}", "name", m->name, "mcc", m->mcc,
                                    "currency", cur->alpha, "mdr_bps", (json_int_t)mdr,
                                    "account_id", (json_int_t)acct));
    return rc;
}

int admin_merchant_add(struct admin *a, const struct admin_merchant *m, json_t **out,
                       struct pos_errdetail *d)
{
    const struct currency *cur = NULL;
    uint64_t mdr = 0;
    int rc;

    if (a == NULL || m == NULL || out == NULL)
        return POS_ERR_INVAL;
    *out = NULL;
    rc = admin__merchant_check(m, &cur, &mdr, d);
    if (rc == POS_OK)
        rc = admin__begin(a);
    if (rc != POS_OK)
        return rc;
    rc = admin__end(a, admin__merchant_insert(a, m, cur, mdr, d));
    if (rc == POS_OK)
        rc = admin_merchant_show(a, m->mid, out, d);
    return rc;
}

/* Sets the status of the row of table (merchants or terminals) whose key
 * column equals key: active <-> suspended. */
static int admin__set_active(struct admin *a, const char *table, const char *key, bool active,
                             struct pos_errdetail *d)
{
    char sql[160];
    struct store_stmt *st;
    const char *want = active ? "active" : "suspended", *from = active ? "suspended" : "active";
    bool merchant = strcmp(table, "merchants") == 0;
    int rc;

    snprintf(sql, sizeof(sql), "UPDATE %s SET status = ? WHERE %s = ? AND status = ?", table,
             merchant ? "mid" : "tid");
    rc = merchant ? admin__merchant_id(a, key, NULL, NULL, d) : admin__terminal_id(a, key, NULL, d);
    if (rc == POS_OK)
        rc = store_prepare(a->s, sql, &st);
    if (rc != POS_OK)
        return rc;
    store_bind_text(st, 1, want, strlen(want));
    store_bind_text(st, 2, key, strlen(key));
    store_bind_text(st, 3, from, strlen(from));
    rc = admin__step_done(st);
    if (rc == POS_OK && store_changes(a->s) == 0)
        rc = pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET, "%s %.40s is not %s",
                               merchant ? "merchant" : "terminal", key, from);
    if (rc == POS_OK)
        rc = admin__audit(a,
                          merchant ? (active ? "merchant.resume" : "merchant.suspend")
                                   : (active ? "terminal.resume" : "terminal.suspend"),
                          key, NULL);
    return rc;
}

int admin_merchant_set_active(struct admin *a, const char *mid, bool active, json_t **out,
                              struct pos_errdetail *d)
{
    int rc;

    if (a == NULL || mid == NULL || out == NULL)
        return POS_ERR_INVAL;
    *out = NULL;
    rc = admin__begin(a);
    if (rc != POS_OK)
        return rc;
    rc = admin__end(a, admin__set_active(a, "merchants", mid, active, d));
    if (rc == POS_OK)
        rc = admin_merchant_show(a, mid, out, d);
    return rc;
}

int admin_terminal_set_active(struct admin *a, const char *tid, bool active, json_t **out,
                              struct pos_errdetail *d)
{
    int rc;

    if (a == NULL || tid == NULL || out == NULL)
        return POS_ERR_INVAL;
    *out = NULL;
    rc = admin__begin(a);
    if (rc != POS_OK)
        return rc;
    rc = admin__end(a, admin__set_active(a, "terminals", tid, active, d));
    if (rc == POS_OK)
        rc = admin_terminal_show(a, tid, out, d);
    return rc;
}

/* ---- accounts -------------------------------------------------------------- */

int admin_account_add(struct admin *a, const struct admin_account *p, json_t **out,
                      struct pos_errdetail *d)
{
    const struct currency *cur = NULL;
    char name[48];
    int64_t limit = 0, id = 0;
    int rc;

    if (a == NULL || p == NULL || out == NULL)
        return POS_ERR_INVAL;
    *out = NULL;
    if (!issuer_account_kind_is_valid(p->kind))
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "kind must be debit, credit or prepaid");
    if (p->currency == NULL ||
        money_currency_parse(p->currency, strlen(p->currency), &cur, NULL) != POS_OK)
        return pos_errdetail_set(d, POS_ERR_CURRENCY, -1, POS_NO_OFFSET,
                                 "currency: not an ISO 4217 code");
    if (p->name != NULL && !admin__is_text(p->name, 40, false))
        return pos_errdetail_set(d, POS_ERR_SYNTAX, -1, POS_NO_OFFSET,
                                 "name must be 1 to 40 bytes without control characters");
    if (p->name != NULL)
        snprintf(name, sizeof(name), "%s", p->name);
    else
        snprintf(name, sizeof(name), "%s account", p->kind);
    if (p->credit_limit != NULL) {
        rc = admin__parse_amount(p->credit_limit, cur->numeric, "credit limit", &limit, d);
        if (rc != POS_OK)
            return rc;
        if (limit != 0 && strcmp(p->kind, "credit") != 0)
            return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                     "a credit limit needs a credit account");
    }
    rc = admin__begin(a);
    if (rc != POS_OK)
        return rc;
    rc = issuer_account_open(a->s, p->kind, name, cur->numeric, limit, admin__now(a), &id, d);
    if (rc == POS_OK) {
        char obj[32];
        snprintf(obj, sizeof(obj), "account:%lld", (long long)id);
        rc = admin__audit(a, "account.add", obj,
                          json_pack("{s:s,s:s,s:s,s:o}", "kind", p->kind, "name", name, "currency",
                                    cur->alpha, "credit_limit", admin__money(limit, cur->numeric)));
    }
    rc = admin__end(a, rc);
    if (rc == POS_OK)
        rc = admin_account_show(a, id, out, d);
    return rc;
}

int admin_check(struct admin *a, struct ledger_check_report *r)
{
    if (a == NULL || r == NULL)
        return POS_ERR_INVAL;
    return ledger_check(a->s, r);
}
