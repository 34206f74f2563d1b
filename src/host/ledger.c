/* ledger: postings, balances, holds and the proof of the books. */
#include "host/ledger.h"

#include <stdio.h>
#include <string.h>

#include "error.h"

static const char *const ledger_kinds[] = {
    "debit", "credit", "prepaid", "wallet", "merchant", "fee", "funding", "clearing", "suspense",
};

bool ledger_kind_is_valid(const char *kind)
{
    size_t i;

    if (kind == NULL)
        return false;
    for (i = 0; i < sizeof(ledger_kinds) / sizeof(ledger_kinds[0]); i++)
        if (strcmp(kind, ledger_kinds[i]) == 0)
            return true;
    return false;
}

static int ledger__add(int64_t a, int64_t b, int64_t *out)
{
    if (__builtin_add_overflow(a, b, out))
        return POS_ERR_OVERFLOW;
    return POS_OK;
}

/* Runs a prepared statement that returns no rows. */
static int ledger__done(struct store_stmt *st)
{
    int rc = store_step(st);

    if (rc == STORE_ROW) {
        store_reset(st);
        return POS_OK;
    }
    return rc == STORE_DONE ? POS_OK : rc;
}

/* Runs a one-row, one-integer query; *found says whether a row came. */
static int ledger__int(struct store_stmt *st, int64_t *v, bool *found)
{
    int rc = store_step(st);

    *found = false;
    if (rc == STORE_DONE)
        return POS_OK;
    if (rc != STORE_ROW)
        return rc;
    *found = true;
    *v = store_column_int64(st, 0);
    return store_reset(st);
}

int ledger_account_open(struct store *s, const char *kind, const char *name, uint16_t currency,
                        int64_t credit_limit, int64_t now_ms, int64_t *id)
{
    struct store_stmt *st;
    int rc;

    if (!ledger_kind_is_valid(kind) || name == NULL || currency == 0 || currency > 999 ||
        credit_limit < 0 || (credit_limit != 0 && strcmp(kind, "credit") != 0))
        return POS_ERR_INVAL;
    rc = store_prepare(s,
                       "INSERT INTO accounts (kind, name, currency, credit_limit, created_at)"
                       " VALUES (?, ?, ?, ?, ?) RETURNING id",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_text(st, 1, kind, strlen(kind));
    store_bind_text(st, 2, name, strlen(name));
    store_bind_int64(st, 3, currency);
    store_bind_int64(st, 4, credit_limit);
    store_bind_int64(st, 5, now_ms);
    rc = store_step(st);
    if (rc != STORE_ROW)
        return rc == STORE_DONE ? POS_ERR_DB : rc;
    if (id != NULL)
        *id = store_column_int64(st, 0);
    return store_reset(st);
}

static void ledger__copy_text(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src != NULL ? src : "");
}

int ledger_account_get(struct store *s, int64_t id, struct ledger_account *out)
{
    struct store_stmt *st;
    int rc;

    rc = store_prepare(s,
                       "SELECT kind, status, currency, balance, held, credit_limit"
                       " FROM accounts WHERE id = ?",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, id);
    rc = store_step(st);
    if (rc == STORE_DONE)
        return POS_ERR_NOT_FOUND;
    if (rc != STORE_ROW)
        return rc;
    memset(out, 0, sizeof(*out));
    out->id = id;
    ledger__copy_text(out->kind, sizeof(out->kind), store_column_text(st, 0, NULL));
    ledger__copy_text(out->status, sizeof(out->status), store_column_text(st, 1, NULL));
    out->currency = (uint16_t)store_column_int64(st, 2);
    out->balance = store_column_int64(st, 3);
    out->held = store_column_int64(st, 4);
    out->credit_limit = store_column_int64(st, 5);
    return store_reset(st);
}

int ledger_available(const struct ledger_account *a, int64_t *out)
{
    int64_t v = a->balance;

    if (strcmp(a->kind, "credit") == 0 && ledger__add(v, a->credit_limit, &v) != POS_OK)
        return POS_ERR_OVERFLOW;
    if (__builtin_sub_overflow(v, a->held, &v))
        return POS_ERR_OVERFLOW;
    *out = v;
    return POS_OK;
}

/* Reads transaction txn_id's currency. */
static int ledger__txn_currency(struct store *s, int64_t txn_id, int64_t *currency)
{
    struct store_stmt *st;
    bool found;
    int rc;

    rc = store_prepare(s, "SELECT currency FROM txns WHERE id = ?", &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, txn_id);
    rc = ledger__int(st, currency, &found);
    if (rc == POS_OK && !found)
        rc = POS_ERR_INVAL;
    return rc;
}

int ledger_post(struct store *s, int64_t txn_id, const struct ledger_posting *p, size_t n)
{
    int64_t currency = 0;
    int rc;

    if (p == NULL || n < 2 || n > LEDGER_MAX_POSTINGS)
        return POS_ERR_INVAL;
    rc = ledger__txn_currency(s, txn_id, &currency);
    if (rc != POS_OK)
        return rc;
    if (currency < 1 || currency > 999)
        return POS_ERR_CURRENCY_MISMATCH;
    return ledger_post_known(s, txn_id, (uint16_t)currency, p, n, NULL, 0);
}

int ledger_post_known(struct store *s, int64_t txn_id, uint16_t currency,
                      const struct ledger_posting *p, size_t n, const struct ledger_account *known,
                      size_t nknown)
{
    struct ledger_account acc[LEDGER_MAX_POSTINGS];
    int64_t sum = 0, nb;
    struct store_stmt *ins, *upd;
    size_t i, j, k;
    int rc;

    if (p == NULL || n < 2 || n > LEDGER_MAX_POSTINGS || (known == NULL && nknown != 0))
        return POS_ERR_INVAL;
    /* Validate everything before writing anything. */
    for (i = 0; i < n; i++) {
        if (p[i].amount == 0)
            return POS_ERR_INVAL;
        if (ledger__add(sum, p[i].amount, &sum) != POS_OK)
            return POS_ERR_OVERFLOW;
        for (k = 0; k < nknown && known[k].id != p[i].account_id; k++)
            ;
        if (k < nknown)
            acc[i] = known[k];
        else if ((rc = ledger_account_get(s, p[i].account_id, &acc[i])) != POS_OK)
            return rc;
        if (acc[i].currency != currency)
            return POS_ERR_CURRENCY_MISMATCH;
    }
    if (sum != 0)
        return POS_ERR_RANGE;
    /* New balances, with repeated accounts folded, checked for overflow. */
    for (i = 0; i < n; i++) {
        for (j = 0; j < i; j++)
            if (acc[j].id == acc[i].id)
                break;
        nb = acc[j].balance;
        if (ledger__add(nb, p[i].amount, &nb) != POS_OK)
            return POS_ERR_OVERFLOW;
        acc[j].balance = nb;
    }
    rc = store_prepare(s, "INSERT INTO postings (txn_id, account_id, amount) VALUES (?, ?, ?)",
                       &ins);
    if (rc != POS_OK)
        return rc;
    for (i = 0; i < n; i++) {
        store_bind_int64(ins, 1, txn_id);
        store_bind_int64(ins, 2, p[i].account_id);
        store_bind_int64(ins, 3, p[i].amount);
        rc = ledger__done(ins);
        if (rc != POS_OK)
            return rc;
    }
    rc = store_prepare(s, "UPDATE accounts SET balance = ? WHERE id = ?", &upd);
    if (rc != POS_OK)
        return rc;
    for (i = 0; i < n; i++) {
        for (j = 0; j < i; j++)
            if (acc[j].id == acc[i].id)
                break;
        if (j < i)
            continue; /* folded into the first occurrence */
        store_bind_int64(upd, 1, acc[i].balance);
        store_bind_int64(upd, 2, acc[i].id);
        rc = ledger__done(upd);
        if (rc != POS_OK)
            return rc;
    }
    return POS_OK;
}

int ledger_transfer(struct store *s, const char *kind, int64_t from, int64_t to, int64_t amount,
                    uint16_t currency, const char *reason, int64_t now_ms, int64_t *txn_id)
{
    struct ledger_posting p[2];
    struct store_stmt *st;
    int64_t id;
    int rc;

    if (kind == NULL || amount <= 0 || from == to)
        return POS_ERR_INVAL;
    rc = store_prepare(s,
                       "INSERT INTO txns (mti, kind, amount, currency, rc, reason, created_at)"
                       " VALUES ('0000', ?, ?, ?, '00', ?, ?) RETURNING id",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_text(st, 1, kind, strlen(kind));
    store_bind_int64(st, 2, amount);
    store_bind_int64(st, 3, currency);
    if (reason != NULL)
        store_bind_text(st, 4, reason, strlen(reason));
    else
        store_bind_null(st, 4);
    store_bind_int64(st, 5, now_ms);
    rc = store_step(st);
    if (rc != STORE_ROW)
        return rc == STORE_DONE ? POS_ERR_DB : rc;
    id = store_column_int64(st, 0);
    rc = store_reset(st);
    if (rc != POS_OK)
        return rc;
    p[0].account_id = from;
    p[0].amount = -amount;
    p[1].account_id = to;
    p[1].amount = amount;
    rc = ledger_post(s, id, p, 2);
    if (rc == POS_OK && txn_id != NULL)
        *txn_id = id;
    return rc;
}

static int ledger__set_held(struct store *s, int64_t account_id, int64_t held)
{
    struct store_stmt *st;
    int rc = store_prepare(s, "UPDATE accounts SET held = ? WHERE id = ?", &st);

    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, held);
    store_bind_int64(st, 2, account_id);
    return ledger__done(st);
}

int ledger_hold_place(struct store *s, int64_t account_id, int64_t txn_id, int64_t amount,
                      int64_t now_ms, int64_t *hold_id)
{
    struct ledger_account a;
    struct store_stmt *st;
    int64_t held, id;
    int rc;

    if (amount <= 0)
        return POS_ERR_INVAL;
    rc = ledger_account_get(s, account_id, &a);
    if (rc != POS_OK)
        return rc;
    if (ledger__add(a.held, amount, &held) != POS_OK)
        return POS_ERR_OVERFLOW;
    rc = store_prepare(s,
                       "INSERT INTO holds (account_id, txn_id, amount, created_at)"
                       " VALUES (?, ?, ?, ?) RETURNING id",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, account_id);
    store_bind_int64(st, 2, txn_id);
    store_bind_int64(st, 3, amount);
    store_bind_int64(st, 4, now_ms);
    rc = store_step(st);
    if (rc != STORE_ROW)
        return rc == STORE_DONE ? POS_ERR_DB : rc;
    id = store_column_int64(st, 0);
    rc = store_reset(st);
    if (rc != POS_OK)
        return rc;
    rc = ledger__set_held(s, account_id, held);
    if (rc == POS_OK && hold_id != NULL)
        *hold_id = id;
    return rc;
}

int ledger_hold_release(struct store *s, int64_t hold_id, const char *status, int64_t *amount)
{
    struct ledger_account a;
    struct store_stmt *st;
    int64_t account_id, amt;
    int rc;

    if (status == NULL || (strcmp(status, "completed") != 0 && strcmp(status, "cancelled") != 0 &&
                           strcmp(status, "expired") != 0))
        return POS_ERR_INVAL;
    rc = store_prepare(s,
                       "UPDATE holds SET status = ? WHERE id = ? AND status = 'active'"
                       " RETURNING account_id, amount",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_text(st, 1, status, strlen(status));
    store_bind_int64(st, 2, hold_id);
    rc = store_step(st);
    if (rc == STORE_DONE)
        return POS_ERR_NOT_FOUND;
    if (rc != STORE_ROW)
        return rc;
    account_id = store_column_int64(st, 0);
    amt = store_column_int64(st, 1);
    rc = store_reset(st);
    if (rc != POS_OK)
        return rc;
    rc = ledger_account_get(s, account_id, &a);
    if (rc != POS_OK)
        return rc;
    if (a.held < amt)
        return POS_ERR_RANGE; /* the cache is wrong: refuse rather than go negative */
    rc = ledger__set_held(s, account_id, a.held - amt);
    if (rc == POS_OK && amount != NULL)
        *amount = amt;
    return rc;
}

/* Runs a counting query into *v; on a non-zero count, records the first
 * offending id (column 1, when the query has one) in r->first. */
static int ledger__count(struct store *s, const char *sql, const char *label, int64_t *v,
                         struct ledger_check_report *r)
{
    struct store_stmt *st;
    int rc;

    rc = store_prepare(s, sql, &st);
    if (rc != POS_OK)
        return rc;
    rc = store_step(st);
    if (rc != STORE_ROW)
        return rc == STORE_DONE ? POS_ERR_DB : rc;
    *v = store_column_int64(st, 0);
    if (*v != 0 && r->first[0] == '\0') {
        if (store_column_count(st) > 1 && !store_column_is_null(st, 1))
            snprintf(r->first, sizeof(r->first), "%s (first: id %lld)", label,
                     (long long)store_column_int64(st, 1));
        else
            snprintf(r->first, sizeof(r->first), "%s", label);
    }
    return store_reset(st);
}

int ledger_check(struct store *s, struct ledger_check_report *r)
{
    int rc;

    memset(r, 0, sizeof(*r));
#define LEDGER__COUNT(sql, label, field)                                                           \
    do {                                                                                           \
        rc = ledger__count(s, sql, label, &r->field, r);                                           \
        if (rc != POS_OK)                                                                          \
            return rc;                                                                             \
    } while (0)
    LEDGER__COUNT("SELECT COUNT(*) FROM txns", "", txns);
    LEDGER__COUNT("SELECT COUNT(*) FROM postings", "", postings);
    LEDGER__COUNT("SELECT COUNT(*) FROM accounts", "", accounts);
    r->first[0] = '\0';
    LEDGER__COUNT("SELECT COUNT(*), MIN(txn_id) FROM"
                  " (SELECT txn_id FROM postings GROUP BY txn_id HAVING SUM(amount) <> 0) u",
                  "transaction postings do not sum to zero", unbalanced_txns);
    LEDGER__COUNT("SELECT COALESCE(SUM(amount), 0) FROM postings",
                  "all postings do not sum to zero", total);
    /* one grouped pass over the postings (they have no index by account) */
    LEDGER__COUNT("SELECT COUNT(*), MIN(a.id) FROM accounts a LEFT JOIN"
                  " (SELECT account_id, SUM(amount) AS total FROM postings GROUP BY account_id) p"
                  " ON p.account_id = a.id WHERE a.balance <> COALESCE(p.total, 0)",
                  "cached balance differs from the sum of postings", balance_mismatches);
    LEDGER__COUNT("SELECT COUNT(*), MIN(a.id) FROM accounts a WHERE a.held <>"
                  " (SELECT COALESCE(SUM(h.amount), 0) FROM holds h"
                  "  WHERE h.account_id = a.id AND h.status = 'active')",
                  "cached held differs from the active holds", held_mismatches);
    LEDGER__COUNT("SELECT COUNT(*), MIN(p.id) FROM postings p"
                  " JOIN accounts a ON a.id = p.account_id JOIN txns t ON t.id = p.txn_id"
                  " WHERE a.currency <> t.currency",
                  "posting to an account of another currency", currency_mismatches);
    LEDGER__COUNT("SELECT COUNT(*), MIN(t.id) FROM txns t WHERE t.kind IN ('reversal', 'void')"
                  " AND EXISTS (SELECT 1 FROM postings p WHERE p.txn_id = t.id)"
                  " AND (t.original_id IS NULL OR NOT EXISTS"
                  "  (SELECT 1 FROM txns o WHERE o.id = t.original_id))",
                  "reversal moved money without its original", orphan_reversals);
    LEDGER__COUNT("SELECT COUNT(*), MIN(original_id) FROM"
                  " (SELECT t.original_id FROM txns t WHERE t.kind IN ('reversal', 'void')"
                  "  AND EXISTS (SELECT 1 FROM postings p WHERE p.txn_id = t.id)"
                  "  GROUP BY t.original_id HAVING COUNT(*) > 1) u",
                  "original reversed more than once", double_reversals);
#undef LEDGER__COUNT
    return POS_OK;
}

bool ledger_check_is_sound(const struct ledger_check_report *r)
{
    return r->unbalanced_txns == 0 && r->total == 0 && r->balance_mismatches == 0 &&
           r->held_mismatches == 0 && r->currency_mismatches == 0 && r->orphan_reversals == 0 &&
           r->double_reversals == 0;
}
