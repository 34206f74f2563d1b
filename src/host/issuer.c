/* issuer: cardholder accounts and cards (see issuer.h). */
#include "host/issuer.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "card.h"
#include "error.h"
#include "hex.h"
#include "host/keystore.h"
#include "host/ledger.h"
#include "mem.h"

#define ISSUER__PAN_TRIES 1000 /* PAN candidates looked at before giving up */

/* ---- keys ------------------------------------------------------------------ */

int issuer_keys_load(struct issuer_keys *k, struct store *s, const struct lmk *lmk,
                     struct pos_errdetail *d)
{
    uint8_t pvk[KEYSTORE_KEY_MAX];
    size_t len = 0;
    int rc;

    if (k == NULL)
        return POS_ERR_INVAL;
    memset(k, 0, sizeof(*k));
    rc = keystore_get(s, lmk, ISSUER_KEY_PVK, "V2", 'G', pvk, sizeof(pvk), &len, d);
    if (rc == POS_OK)
        rc = pvv_key_init(&k->pvk, pvk, len);
    if (rc != POS_OK)
        goto out;
    rc = keystore_get(s, lmk, ISSUER_KEY_CVK, "C0", 'G', k->cvk, sizeof(k->cvk), &len, d);
    if (rc == POS_OK && len != CVV_CVK_LEN)
        rc = POS_ERR_KEY_LENGTH;
    if (rc == POS_OK)
        rc = keystore_get(s, lmk, ISSUER_KEY_PAN_DATA, "D0", 'B', k->pan.data_key,
                          sizeof(k->pan.data_key), &len, d);
    if (rc == POS_OK && len != PANPROT_KEY_LEN)
        rc = POS_ERR_KEY_LENGTH;
    if (rc == POS_OK)
        rc = keystore_get(s, lmk, ISSUER_KEY_PAN_HASH, "M7", 'G', k->pan.hash_key,
                          sizeof(k->pan.hash_key), &len, d);
    if (rc == POS_OK && len != PANPROT_KEY_LEN)
        rc = POS_ERR_KEY_LENGTH;
    k->pan.hash = PANPROT_HMAC_SHA256;
    if (rc == POS_OK)
        rc = panprot_lookup_ctx_init(&k->lookup, &k->pan);
    k->loaded = rc == POS_OK;
out:
    pos_wipe(pvk, sizeof(pvk));
    if (rc != POS_OK)
        issuer_keys_clear(k);
    return rc;
}

void issuer_keys_clear(struct issuer_keys *k)
{
    if (k == NULL)
        return;
    pvv_key_clear(&k->pvk);
    panprot_lookup_ctx_clear(&k->lookup);
    panprot_keys_clear(&k->pan);
    pos_wipe(k, sizeof(*k));
}

/* ---- accounts -------------------------------------------------------------- */

bool issuer_account_kind_is_valid(const char *kind)
{
    return kind != NULL && (strcmp(kind, "debit") == 0 || strcmp(kind, "credit") == 0 ||
                            strcmp(kind, "prepaid") == 0);
}

int issuer_funding_account(struct store *s, uint16_t currency, int64_t now_ms, int64_t *id)
{
    struct store_stmt *st;
    char name[32];
    int rc;

    rc = store_prepare(s,
                       "SELECT id FROM accounts WHERE kind = 'funding' AND currency = ?"
                       " ORDER BY id LIMIT 1",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, currency);
    rc = store_step(st);
    if (rc == STORE_ROW) {
        *id = store_column_int64(st, 0);
        return store_reset(st);
    }
    if (rc != STORE_DONE)
        return rc;
    snprintf(name, sizeof(name), "funding %03u", (unsigned)currency);
    return ledger_account_open(s, "funding", name, currency, 0, now_ms, id);
}

int issuer_account_open(struct store *s, const char *kind, const char *name, uint16_t currency,
                        int64_t credit_limit, int64_t now_ms, int64_t *id, struct pos_errdetail *d)
{
    int64_t funding;
    int rc;

    if (!issuer_account_kind_is_valid(kind))
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "kind must be debit, credit or prepaid");
    if (credit_limit < 0 || (credit_limit != 0 && strcmp(kind, "credit") != 0))
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "a credit limit needs a credit account and must not be negative");
    if (name == NULL || name[0] == '\0')
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "name is empty");
    rc = issuer_funding_account(s, currency, now_ms, &funding);
    if (rc == POS_OK)
        rc = ledger_account_open(s, kind, name, currency, credit_limit, now_ms, id);
    return rc;
}

/* ---- helpers --------------------------------------------------------------- */

/* n random decimal digits and a NUL into out (rejection sampling: bytes
 * 250..255 are drawn again, so every digit is uniform). */
static int issuer__random_digits(char *out, size_t n)
{
    uint8_t buf[32];
    size_t got = 0, i;
    int rc = POS_OK;

    while (got < n) {
        if (RAND_priv_bytes(buf, sizeof(buf)) != 1) {
            rc = POS_ERR_CRYPTO;
            break;
        }
        for (i = 0; i < sizeof(buf) && got < n; i++)
            if (buf[i] < 250)
                out[got++] = (char)('0' + buf[i] % 10);
    }
    out[rc == POS_OK ? n : 0] = '\0';
    pos_wipe(buf, sizeof(buf));
    return rc;
}

/* The PIN given (checked) or a random one, into pin (13 bytes). */
static int issuer__pin(const char *given, char pin[13], struct pos_errdetail *d)
{
    size_t n;

    if (given == NULL)
        return issuer__random_digits(pin, ISSUER_PIN_LEN_DEFAULT);
    n = strlen(given);
    if (n < PVV_PIN_MIN || n > PVV_PIN_MAX)
        return pos_errdetail_set(d, POS_ERR_PIN_LENGTH, -1, POS_NO_OFFSET,
                                 "the PIN must have 4 to 12 digits");
    if (!pos_is_digits(given, n))
        return pos_errdetail_set(d, POS_ERR_DIGIT, -1, POS_NO_OFFSET,
                                 "the PIN must be digits only");
    memcpy(pin, given, n + 1);
    return POS_OK;
}

/* Is there a card whose keyed hash is lookup? */
static int issuer__hash_taken(struct store *s, const uint8_t *lookup, bool *taken)
{
    struct store_stmt *st;
    int rc;

    rc = store_prepare(s, "SELECT id FROM cards WHERE pan_hash = ?", &st);
    if (rc != POS_OK)
        return rc;
    store_bind_blob(st, 1, lookup, PANPROT_LOOKUP_LEN);
    rc = store_step(st);
    *taken = rc == STORE_ROW;
    if (rc == STORE_ROW)
        return store_reset(st);
    return rc == STORE_DONE ? POS_OK : rc;
}

/* Builds pan (pan_len digits) from bin and account number n (digits
 * account digits) and its Luhn check digit (ISO/IEC 7812-1:2017 Annex B). */
static int issuer__pan_build(const char *bin, size_t bin_len, uint64_t n, size_t digits, char *pan)
{
    size_t i;

    memcpy(pan, bin, bin_len);
    for (i = digits; i > 0; i--) {
        pan[bin_len + i - 1] = (char)('0' + n % 10);
        n /= 10;
    }
    pan[bin_len + digits + 1] = '\0';
    return card_luhn_check_digit(pan, bin_len + digits, &pan[bin_len + digits]);
}

/* A PAN under bin no card has yet: a random account number, then the next
 * ones, so a nearly full range still finds its free numbers. */
static int issuer__pan_new(struct store *s, const struct issuer_keys *k, const char *bin,
                           size_t pan_len, char *pan, uint8_t *lookup, struct pos_errdetail *d)
{
    size_t bin_len = strlen(bin), digits, i;
    uint64_t space = 1, start, tries;
    uint8_t rnd[8];
    bool taken = true;
    int rc;

    digits = pan_len - bin_len - 1;
    for (i = 0; i < digits; i++)
        space *= 10;
    if (RAND_bytes(rnd, sizeof(rnd)) != 1)
        return POS_ERR_CRYPTO;
    start = 0;
    for (i = 0; i < sizeof(rnd); i++)
        start = (start << 8) | rnd[i];
    start %= space;
    tries = space < ISSUER__PAN_TRIES ? space : ISSUER__PAN_TRIES;
    for (i = 0; i < tries && taken; i++) {
        rc = issuer__pan_build(bin, bin_len, (start + i) % space, digits, pan);
        if (rc == POS_OK && i == 0)
            rc = card_pan_check(pan, pan_len, NULL, NULL);
        if (rc == POS_ERR_CARD_PAN)
            return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET,
                                     "BIN %s makes no %zu-digit PAN of its brand", bin, pan_len);
        if (rc == POS_OK)
            rc = panprot_lookup(&k->pan, pan, pan_len, lookup);
        if (rc == POS_OK)
            rc = issuer__hash_taken(s, lookup, &taken);
        if (rc != POS_OK)
            return rc;
    }
    if (taken)
        return pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET,
                                 "no unused PAN left under BIN %s", bin);
    return POS_OK;
}

/* The expiry YYMM years after the UTC month of now_ms. */
static int issuer__expiry(int64_t now_ms, unsigned years, char out[5])
{
    time_t t = (time_t)(now_ms / 1000);
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL)
        return POS_ERR_RANGE;
    snprintf(out, 5, "%02u%02u", (unsigned)(tm.tm_year + 1900 + (int)years) % 100,
             (unsigned)tm.tm_mon + 1);
    return POS_OK;
}

static int issuer__check_params(const struct issuer_card_params *p, const char **bin,
                                size_t *pan_len, const char **sc, unsigned *years,
                                struct pos_errdetail *d)
{
    size_t n;

    *bin = p->bin != NULL ? p->bin : ISSUER_BIN_DEFAULT;
    *sc = p->service_code != NULL ? p->service_code : ISSUER_SERVICE_CODE_DEFAULT;
    *pan_len = p->pan_len != 0 ? p->pan_len : ISSUER_PAN_LEN_DEFAULT;
    *years = p->years != 0 ? p->years : ISSUER_YEARS_DEFAULT;
    n = strlen(*bin);
    if (n < ISSUER_BIN_MIN || n > ISSUER_BIN_MAX || !pos_is_digits(*bin, n))
        return pos_errdetail_set(d, POS_ERR_SYNTAX, -1, POS_NO_OFFSET,
                                 "the BIN must be %d to %d digits", ISSUER_BIN_MIN, ISSUER_BIN_MAX);
    if (*pan_len < CARD_PAN_MIN || *pan_len > CARD_PAN_MAX || *pan_len < n + 2)
        return pos_errdetail_set(d, POS_ERR_CARD_PAN, -1, POS_NO_OFFSET,
                                 "PAN length %zu: must be 12 to 19 and longer than the BIN",
                                 *pan_len);
    if (strlen(*sc) != 3 || !pos_is_digits(*sc, 3))
        return pos_errdetail_set(d, POS_ERR_SYNTAX, -1, POS_NO_OFFSET,
                                 "the service code must be 3 digits");
    if (*years > ISSUER_YEARS_MAX)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "validity must be 1 to %d years", ISSUER_YEARS_MAX);
    if (p->daily_limit < 0)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "the daily limit must not be negative");
    return POS_OK;
}

/* The account a card is issued on: it exists, is a cardholder's, is active. */
static int issuer__card_account(struct store *s, int64_t id, struct pos_errdetail *d)
{
    struct ledger_account a;
    int rc;

    rc = ledger_account_get(s, id, &a);
    if (rc == POS_ERR_NOT_FOUND)
        return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "no account %lld", (long long)id);
    if (rc != POS_OK)
        return rc;
    if (!issuer_account_kind_is_valid(a.kind))
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "account %lld is a %s account, not a cardholder's", (long long)id,
                                 a.kind);
    if (strcmp(a.status, "active") != 0)
        return pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET, "account %lld is %s",
                                 (long long)id, a.status);
    return POS_OK;
}

/* ---- issuing --------------------------------------------------------------- */

void issuer_card_clear(struct issuer_card *c)
{
    if (c != NULL)
        pos_wipe(c, sizeof(*c));
}

static int issuer__store_card(struct store *s, const struct issuer_card *c, const uint8_t *lookup,
                              const uint8_t *enc, size_t enc_len, int64_t daily_limit,
                              int64_t now_ms, int64_t *id)
{
    struct store_stmt *st;
    int rc;

    rc = store_prepare(s,
                       "INSERT INTO cards (pan_hash, pan_enc, pan_masked, account_id, expiry,"
                       " service_code, pvki, pvv, daily_limit, created_at)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_blob(st, 1, lookup, PANPROT_LOOKUP_LEN);
    store_bind_blob(st, 2, enc, enc_len);
    store_bind_text(st, 3, c->pan_masked, strlen(c->pan_masked));
    store_bind_int64(st, 4, c->account_id);
    store_bind_text(st, 5, c->expiry, 4);
    store_bind_text(st, 6, c->service_code, 3);
    store_bind_int64(st, 7, ISSUER_PVKI);
    store_bind_text(st, 8, c->pvv, PVV_LEN);
    store_bind_int64(st, 9, daily_limit);
    store_bind_int64(st, 10, now_ms);
    rc = store_step(st);
    if (rc == STORE_ROW) {
        *id = store_column_int64(st, 0);
        return store_reset(st);
    }
    return rc == STORE_DONE ? POS_ERR_DB : rc;
}

/* PVV, CVV2, the track CVV and the track 2 data of c (PAN, expiry, service
 * code and PIN set). */
static int issuer__card_values(struct issuer_keys *k, struct issuer_card *c)
{
    size_t pan_len = strlen(c->pan);
    char cvv[CVV_LEN + 1];
    int rc, n;

    rc = pvv_visa_generate(&k->pvk, c->pan, pan_len, ISSUER_PVKI, c->pin, strlen(c->pin), c->pvv);
    if (rc == POS_OK)
        rc = cvv_generate(k->cvk, sizeof(k->cvk), c->pan, pan_len, c->expiry, CVV_SERVICE_CVV2,
                          c->cvv2);
    if (rc == POS_OK)
        rc = cvv_generate(k->cvk, sizeof(k->cvk), c->pan, pan_len, c->expiry, c->service_code, cvv);
    if (rc == POS_OK) {
        /* ISO/IEC 7813 track 2: PAN = YYMM SSS, then the discretionary data
         * PVKI PVV CVV as Visa cards lay it out. */
        n = snprintf(c->track2, sizeof(c->track2), "%s=%s%s%u%s%s", c->pan, c->expiry,
                     c->service_code, (unsigned)ISSUER_PVKI, c->pvv, cvv);
        if (n < 0 || (size_t)n >= sizeof(c->track2))
            rc = POS_ERR_NOSPACE;
    }
    pos_wipe(cvv, sizeof(cvv));
    return rc;
}

int issuer_card_issue(struct store *s, struct issuer_keys *k, const struct issuer_card_params *p,
                      struct issuer_card *out, struct pos_errdetail *d)
{
    uint8_t lookup[PANPROT_LOOKUP_LEN], enc[PANPROT_STORED_MAX];
    size_t pan_len = 0, enc_len = 0;
    const char *bin = NULL, *sc = NULL;
    unsigned years = 0;
    int rc;

    if (s == NULL || k == NULL || !k->loaded || p == NULL || out == NULL)
        return POS_ERR_INVAL;
    memset(out, 0, sizeof(*out));
    rc = issuer__check_params(p, &bin, &pan_len, &sc, &years, d);
    if (rc == POS_OK)
        rc = issuer__card_account(s, p->account_id, d);
    if (rc == POS_OK)
        rc = issuer__pin(p->pin, out->pin, d);
    if (rc != POS_OK)
        goto out;
    out->account_id = p->account_id;
    memcpy(out->service_code, sc, 4);
    rc = issuer__expiry(p->now_ms, years, out->expiry);
    if (rc == POS_OK)
        rc = issuer__pan_new(s, k, bin, pan_len, out->pan, lookup, d);
    if (rc == POS_OK)
        rc = card_pan_mask(out->pan, pan_len, out->pan_masked, sizeof(out->pan_masked));
    if (rc == POS_OK)
        rc = issuer__card_values(k, out);
    if (rc == POS_OK)
        rc = panprot_encrypt(&k->pan, out->pan, pan_len, NULL, enc, sizeof(enc), &enc_len, lookup);
    if (rc == POS_OK)
        rc = issuer__store_card(s, out, lookup, enc, enc_len, p->daily_limit, p->now_ms, &out->id);
out:
    pos_wipe(lookup, sizeof(lookup));
    pos_wipe(enc, sizeof(enc));
    if (rc != POS_OK)
        issuer_card_clear(out);
    return rc;
}

static void issuer__text(struct store_stmt *st, int col, char *dst, size_t cap)
{
    const char *t = store_column_text(st, col, NULL);

    snprintf(dst, cap, "%s", t != NULL ? t : "");
}

int issuer_card_lookup(struct issuer_keys *k, const char *pan, size_t pan_len,
                       uint8_t lookup[PANPROT_LOOKUP_LEN])
{
    int rc;

    if (k == NULL || !k->loaded || pan == NULL || lookup == NULL)
        return POS_ERR_INVAL;
    if (pan_len < CARD_PAN_MIN || pan_len > CARD_PAN_MAX || !pos_is_digits(pan, pan_len))
        return POS_ERR_CARD_PAN;
    rc = panprot_lookup_with(&k->lookup, pan, pan_len, lookup);
    if (rc != POS_OK)
        pos_wipe(lookup, PANPROT_LOOKUP_LEN);
    return rc;
}

int issuer_card_find(struct store *s, struct issuer_keys *k, const char *pan, size_t pan_len,
                     int64_t *card_id)
{
    uint8_t lookup[PANPROT_LOOKUP_LEN];
    struct issuer_card_pin c;
    int rc;

    if (s == NULL || card_id == NULL)
        return POS_ERR_INVAL;
    rc = issuer_card_lookup(k, pan, pan_len, lookup);
    if (rc == POS_OK)
        rc = issuer_card_pin_get(s, lookup, &c);
    if (rc == POS_OK)
        *card_id = c.id;
    pos_wipe(lookup, sizeof(lookup));
    return rc;
}

int issuer_card_pin_get(struct store *s, const uint8_t lookup[PANPROT_LOOKUP_LEN],
                        struct issuer_card_pin *out)
{
    struct store_stmt *st;
    int rc;

    if (s == NULL || lookup == NULL || out == NULL)
        return POS_ERR_INVAL;
    memset(out, 0, sizeof(*out));
    rc = store_prepare(s, "SELECT id, pvki, pvv, service_code FROM cards WHERE pan_hash = ?", &st);
    if (rc != POS_OK)
        return rc;
    store_bind_blob(st, 1, lookup, PANPROT_LOOKUP_LEN);
    rc = store_step(st);
    if (rc == STORE_DONE)
        return POS_ERR_NOT_FOUND;
    if (rc != STORE_ROW)
        return rc;
    out->id = store_column_int64(st, 0);
    out->pvki = store_column_int64(st, 1);
    issuer__text(st, 2, out->pvv, sizeof(out->pvv));
    issuer__text(st, 3, out->service_code, sizeof(out->service_code));
    return store_reset(st);
}

/* ---- what the host knows of a card ----------------------------------------- */

int issuer_card_get(struct store *s, int64_t id, struct issuer_card_info *out)
{
    struct store_stmt *st;
    int rc;

    if (s == NULL || out == NULL)
        return POS_ERR_INVAL;
    memset(out, 0, sizeof(*out));
    rc = store_prepare(s,
                       "SELECT c.id, c.account_id, c.pan_masked, c.expiry, c.service_code,"
                       " c.status, c.pvki, c.pin_tries, c.pin_try_limit, c.daily_limit,"
                       " a.currency, c.created_at FROM cards c"
                       " JOIN accounts a ON a.id = c.account_id WHERE c.id = ?",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, id);
    rc = store_step(st);
    if (rc == STORE_DONE)
        return POS_ERR_NOT_FOUND;
    if (rc != STORE_ROW)
        return rc;
    out->id = store_column_int64(st, 0);
    out->account_id = store_column_int64(st, 1);
    issuer__text(st, 2, out->pan_masked, sizeof(out->pan_masked));
    issuer__text(st, 3, out->expiry, sizeof(out->expiry));
    issuer__text(st, 4, out->service_code, sizeof(out->service_code));
    issuer__text(st, 5, out->status, sizeof(out->status));
    out->pvki = store_column_int64(st, 6);
    out->pin_tries = store_column_int64(st, 7);
    out->pin_try_limit = store_column_int64(st, 8);
    out->daily_limit = store_column_int64(st, 9);
    out->currency = (uint16_t)store_column_int64(st, 10);
    out->created_at = store_column_int64(st, 11);
    return store_reset(st);
}

static bool issuer__is_final(const char *status)
{
    return strcmp(status, "lost") == 0 || strcmp(status, "stolen") == 0 ||
           strcmp(status, "closed") == 0;
}

/* ---- money and status ------------------------------------------------------ */

int issuer_card_topup(struct store *s, int64_t card_id, int64_t amount, int64_t now_ms,
                      int64_t *txn_id)
{
    struct issuer_card_info c;
    struct store_stmt *st;
    int64_t funding = 0, txn = 0;
    char reason[40];
    int rc;

    if (amount <= 0)
        return POS_ERR_INVAL;
    rc = issuer_card_get(s, card_id, &c);
    if (rc != POS_OK)
        return rc;
    if (issuer__is_final(c.status))
        return POS_ERR_STATE;
    rc = issuer_funding_account(s, c.currency, now_ms, &funding);
    snprintf(reason, sizeof(reason), "card %lld", (long long)card_id);
    if (rc == POS_OK)
        rc = ledger_transfer(s, "topup", funding, c.account_id, amount, c.currency, reason, now_ms,
                             &txn);
    if (rc == POS_OK)
        rc = store_prepare(s, "UPDATE txns SET card_id = ? WHERE id = ?", &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, card_id);
    store_bind_int64(st, 2, txn);
    rc = store_step(st);
    if (rc != STORE_DONE)
        return rc == STORE_ROW ? POS_ERR_DB : rc;
    if (txn_id != NULL)
        *txn_id = txn;
    return POS_OK;
}

/* May a card in status from move to status to? */
static bool issuer__transition_ok(const char *from, const char *to)
{
    if (strcmp(to, "blocked") == 0)
        return strcmp(from, "active") == 0;
    if (strcmp(to, "active") == 0)
        return strcmp(from, "blocked") == 0;
    if (strcmp(to, "lost") == 0 || strcmp(to, "stolen") == 0)
        return strcmp(from, "active") == 0 || strcmp(from, "blocked") == 0;
    return strcmp(from, "closed") != 0; /* closed */
}

int issuer_card_set_status(struct store *s, int64_t card_id, const char *status, char *old,
                           struct pos_errdetail *d)
{
    static const char *const known[] = {"active", "blocked", "lost", "stolen", "closed"};
    struct issuer_card_info c;
    struct store_stmt *st;
    size_t i;
    int rc;

    for (i = 0; status != NULL && i < sizeof(known) / sizeof(known[0]); i++)
        if (strcmp(status, known[i]) == 0)
            break;
    if (status == NULL || i == sizeof(known) / sizeof(known[0]))
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "unknown card status");
    rc = issuer_card_get(s, card_id, &c);
    if (rc == POS_ERR_NOT_FOUND)
        return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "no card %lld", (long long)card_id);
    if (rc != POS_OK)
        return rc;
    if (old != NULL)
        snprintf(old, 12, "%s", c.status);
    if (!issuer__transition_ok(c.status, status))
        return pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET,
                                 "card %lld is %s: it cannot become %s", (long long)card_id,
                                 c.status, status);
    rc = store_prepare(s,
                       "UPDATE cards SET status = ?,"
                       " pin_tries = CASE WHEN ? = 'active' THEN 0 ELSE pin_tries END"
                       " WHERE id = ?",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_text(st, 1, status, strlen(status));
    store_bind_text(st, 2, status, strlen(status));
    store_bind_int64(st, 3, card_id);
    rc = store_step(st);
    return rc == STORE_DONE ? POS_OK : (rc == STORE_ROW ? POS_ERR_DB : rc);
}

/* The stored PAN of card id decrypted into pan (20 bytes). */
static int issuer__pan_of(struct store *s, const struct issuer_keys *k, int64_t id, char *pan,
                          size_t *pan_len)
{
    uint8_t lookup[PANPROT_LOOKUP_LEN];
    struct store_stmt *st;
    const uint8_t *h, *enc;
    size_t hn = 0, en = 0;
    int rc, r2;

    rc = store_prepare(s, "SELECT pan_hash, pan_enc FROM cards WHERE id = ?", &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, id);
    rc = store_step(st);
    if (rc == STORE_DONE)
        return POS_ERR_NOT_FOUND;
    if (rc != STORE_ROW)
        return rc;
    h = store_column_blob(st, 0, &hn);
    enc = store_column_blob(st, 1, &en);
    if (h == NULL || enc == NULL || hn != sizeof(lookup)) {
        rc = POS_ERR_AUTH;
    } else {
        memcpy(lookup, h, sizeof(lookup));
        rc = panprot_decrypt(&k->pan, enc, en, lookup, pan, 20, pan_len);
        if (rc == POS_ERR_LENGTH)
            rc = POS_ERR_AUTH; /* not a stored PAN at all */
    }
    r2 = store_reset(st);
    pos_wipe(lookup, sizeof(lookup));
    return rc != POS_OK ? rc : r2;
}

int issuer_card_pin_reset(struct store *s, struct issuer_keys *k, int64_t card_id, const char *pin,
                          char out_pin[13], struct pos_errdetail *d)
{
    struct issuer_card_info c;
    struct store_stmt *st;
    char pan[20], newpin[13], pvv[PVV_LEN + 1];
    size_t pan_len = 0;
    int rc;

    if (s == NULL || k == NULL || !k->loaded || out_pin == NULL)
        return POS_ERR_INVAL;
    memset(pan, 0, sizeof(pan));
    memset(newpin, 0, sizeof(newpin));
    rc = issuer_card_get(s, card_id, &c);
    if (rc == POS_ERR_NOT_FOUND)
        pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "no card %lld", (long long)card_id);
    if (rc == POS_OK && issuer__is_final(c.status))
        rc = pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET, "card %lld is %s",
                               (long long)card_id, c.status);
    if (rc == POS_OK)
        rc = issuer__pin(pin, newpin, d);
    if (rc == POS_OK)
        rc = issuer__pan_of(s, k, card_id, pan, &pan_len);
    if (rc == POS_OK)
        rc = pvv_visa_generate(&k->pvk, pan, pan_len, ISSUER_PVKI, newpin, strlen(newpin), pvv);
    if (rc == POS_OK)
        rc =
            store_prepare(s, "UPDATE cards SET pvv = ?, pvki = ?, pin_tries = 0 WHERE id = ?", &st);
    if (rc != POS_OK)
        goto out;
    store_bind_text(st, 1, pvv, PVV_LEN);
    store_bind_int64(st, 2, ISSUER_PVKI);
    store_bind_int64(st, 3, card_id);
    rc = store_step(st);
    rc = rc == STORE_DONE ? POS_OK : (rc == STORE_ROW ? POS_ERR_DB : rc);
    if (rc == POS_OK)
        memcpy(out_pin, newpin, sizeof(newpin));
out:
    pos_wipe(pan, sizeof(pan));
    pos_wipe(newpin, sizeof(newpin));
    return rc;
}

int issuer_card_set_daily_limit(struct store *s, int64_t card_id, int64_t limit)
{
    struct store_stmt *st;
    int rc;

    if (s == NULL || limit < 0)
        return POS_ERR_INVAL;
    rc = store_prepare(s, "UPDATE cards SET daily_limit = ? WHERE id = ?", &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, limit);
    store_bind_int64(st, 2, card_id);
    rc = store_step(st);
    if (rc != STORE_DONE)
        return rc == STORE_ROW ? POS_ERR_DB : rc;
    return store_changes(s) == 0 ? POS_ERR_NOT_FOUND : POS_OK;
}
