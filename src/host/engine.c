/* engine: authorization and posting decisions, inside a writer unit. */
#include "host/engine.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "hex.h"
#include "host/ledger.h"

/* One run's state. */
struct eng {
    struct store *s;
    const struct engine_request *rq;
    struct engine_response *rs;
    int64_t merchant_id;
    int64_t merchant_account;
    uint16_t merchant_currency;
    int64_t batch_no; /* the request's batch, else the terminal's open one */
    bool stale;       /* the terminal's keys are not those the MAC was checked under */
    int64_t card_id; /* the request's card once found in cards, else 0 */
};

struct eng_card {
    int64_t id;
    int64_t account_id;
    char expiry[5];
    char status[12];
    int64_t pin_tries;
    int64_t pin_try_limit;
    int64_t daily_limit;
    int64_t pvki;
    char pvv[8];
    char service_code[4];
};

/* A journal row an action refers to. */
struct eng_orig {
    int64_t id;
    char kind[16];
    char rc[3];
    int64_t amount;
    int64_t reversed;
    int64_t card_id;
    int64_t batch_no;
    int64_t merchant_id;
    int64_t original_id;
};

static const char *const eng_kind_names[] = {
    [ENGINE_PURCHASE] = "purchase", [ENGINE_BALANCE] = "balance",
    [ENGINE_PREAUTH] = "preauth",   [ENGINE_PREAUTH_CANCEL] = "preauth_cancel",
    [ENGINE_COMPLETION] = "completion", [ENGINE_VOID] = "void",
    [ENGINE_REFUND] = "refund",     [ENGINE_ADVICE] = "advice",
    [ENGINE_REVERSAL] = "reversal",
};

const char *engine_kind_name(enum engine_kind kind)
{
    if ((int)kind < ENGINE_PURCHASE || (int)kind > ENGINE_REVERSAL)
        return "unknown";
    return eng_kind_names[kind];
}

const char *engine_mti_class(const char *mti)
{
    if (mti == NULL || strlen(mti) != 4 || mti[0] != '0')
        return NULL;
    switch (mti[1]) {
    case '1':
        return "10";
    case '2':
        return mti[2] == '2' ? "22" : mti[2] == '0' ? "20" : NULL;
    case '3':
        return "32";
    case '4':
        return (mti[2] == '0' || mti[2] == '2') ? "40" : NULL;
    case '5':
        return "50";
    case '8':
        return "08";
    }
    return NULL;
}

static void eng_copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src != NULL ? src : "");
}

static void eng_bind_str(struct store_stmt *st, int idx, const char *v)
{
    if (v == NULL || v[0] == '\0')
        store_bind_null(st, idx);
    else
        store_bind_text(st, idx, v, strlen(v));
}

static void eng_bind_id(struct store_stmt *st, int idx, int64_t v)
{
    if (v <= 0)
        store_bind_null(st, idx);
    else
        store_bind_int64(st, idx, v);
}

static int eng_exec(struct store_stmt *st)
{
    int rc = store_step(st);

    if (rc == STORE_ROW)
        return store_reset(st);
    return rc == STORE_DONE ? POS_OK : rc;
}

static void eng_set_rrn(struct engine_response *rs, int64_t id)
{
    snprintf(rs->rrn, sizeof(rs->rrn), "%012" PRIu64, (uint64_t)id % UINT64_C(1000000000000));
}

/* Writes the journal row for this request with answer rc. */
static int eng_journal(struct eng *e, const char *rc, const char *reason, int64_t card_id,
                       int64_t amount, int64_t original_id)
{
    const struct engine_request *rq = e->rq;
    struct store_stmt *st;
    bool approved = strcmp(rc, "00") == 0;
    int r;

    r = store_prepare(e->s,
                      "INSERT INTO txns (terminal_id, stan, tx_time, mti_class, mti, proc_code,"
                      " kind, card_id, merchant_id, amount, currency, rc, auth_code, batch_no,"
                      " original_id, orig_stan, orig_tx_time, reason, created_at)"
                      " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                      &st);
    if (r != POS_OK)
        return r;
    store_bind_int64(st, 1, rq->terminal_id);
    eng_bind_str(st, 2, rq->stan);
    eng_bind_str(st, 3, rq->tx_time);
    eng_bind_str(st, 4, engine_mti_class(rq->mti));
    eng_bind_str(st, 5, rq->mti);
    store_bind_text(st, 6, rq->proc_code, strlen(rq->proc_code));
    eng_bind_str(st, 7, engine_kind_name(rq->kind));
    eng_bind_id(st, 8, card_id);
    eng_bind_id(st, 9, e->merchant_id);
    store_bind_int64(st, 10, amount);
    store_bind_int64(st, 11, rq->currency);
    store_bind_text(st, 12, rc, strlen(rc));
    eng_bind_str(st, 13, approved ? rq->auth_code : NULL);
    store_bind_int64(st, 14, e->batch_no);
    eng_bind_id(st, 15, original_id);
    eng_bind_str(st, 16, rq->orig_stan);
    eng_bind_str(st, 17, rq->orig_tx_time);
    eng_bind_str(st, 18, reason);
    store_bind_int64(st, 19, rq->now_ms);
    /* the row's id from the connection, not RETURNING: SQLite builds a
     * RETURNING result in a table of its own, a sixth of a purchase's
     * work in the writer (bench-engine under callgrind) */
    r = store_step(st);
    if (r != STORE_DONE)
        return r < 0 ? r : POS_ERR_DB;
    e->rs->txn_id = store_last_insert_id(e->s);
    eng_copy(e->rs->rc, sizeof(e->rs->rc), rc);
    eng_copy(e->rs->auth_code, sizeof(e->rs->auth_code), approved ? rq->auth_code : "");
    eng_set_rrn(e->rs, e->rs->txn_id);
    e->rs->reason = reason;
    return POS_OK;
}

static int eng_decline(struct eng *e, const char *rc, const char *reason)
{
    return eng_journal(e, rc, reason, e->card_id, e->rq->amount, 0);
}

/* Step 1: a request answered before. *answered tells whether rs is final. */
static int eng_find_duplicate(struct eng *e, bool *answered)
{
    const struct engine_request *rq = e->rq;
    const char *cls = engine_mti_class(rq->mti);
    struct store_stmt *st;
    size_t pl = 0;
    const char *pc;
    int r;

    *answered = false;
    r = store_prepare(e->s,
                      "SELECT id, rc, auth_code, amount, proc_code FROM txns"
                      " WHERE terminal_id = ? AND stan = ? AND tx_time = ? AND mti_class = ?",
                      &st);
    if (r != POS_OK)
        return r;
    store_bind_int64(st, 1, rq->terminal_id);
    store_bind_text(st, 2, rq->stan, strlen(rq->stan));
    store_bind_text(st, 3, rq->tx_time, strlen(rq->tx_time));
    store_bind_text(st, 4, cls, strlen(cls));
    r = store_step(st);
    if (r == STORE_DONE)
        return POS_OK;
    if (r != STORE_ROW)
        return r;
    *answered = true;
    pc = store_column_text(st, 4, &pl);
    if (store_column_int64(st, 3) != rq->amount || pc == NULL || strcmp(pc, rq->proc_code) != 0) {
        /* the same key for another request: answer, record nothing */
        eng_copy(e->rs->rc, sizeof(e->rs->rc), "94");
        e->rs->reason = "duplicate key for a different request";
        return store_reset(st);
    }
    e->rs->txn_id = store_column_int64(st, 0);
    eng_copy(e->rs->rc, sizeof(e->rs->rc), store_column_text(st, 1, NULL));
    eng_copy(e->rs->auth_code, sizeof(e->rs->auth_code), store_column_text(st, 2, NULL));
    eng_set_rrn(e->rs, e->rs->txn_id);
    e->rs->duplicate = true;
    return store_reset(st);
}

/* Step 2: terminal and merchant. rc gets a decline code or NULL. */
static int eng_terminal(struct eng *e, const char **rc)
{
    struct store_stmt *st;
    const char *ts, *ms;
    int r;

    *rc = NULL;
    r = store_prepare(e->s,
                      "SELECT t.status, m.status, m.id, m.account_id, m.currency, t.batch_no,"
                      " COALESCE(t.signed_on_at, 0), COALESCE(t.pik_block, ''),"
                      " COALESCE(t.mak_block, '')"
                      " FROM terminals t JOIN merchants m ON m.id = t.merchant_id WHERE t.id = ?",
                      &st);
    if (r != POS_OK)
        return r;
    store_bind_int64(st, 1, e->rq->terminal_id);
    r = store_step(st);
    if (r == STORE_DONE) {
        *rc = "58";
        return POS_OK;
    }
    if (r != STORE_ROW)
        return r;
    ts = store_column_text(st, 0, NULL);
    ms = store_column_text(st, 1, NULL);
    e->merchant_id = store_column_int64(st, 2);
    e->merchant_account = store_column_int64(st, 3);
    e->merchant_currency = (uint16_t)store_column_int64(st, 4);
    e->batch_no = e->rq->batch_no > 0 ? e->rq->batch_no : store_column_int64(st, 5);
    if (e->rq->check_stamps) {
        const char *pik = store_column_text(st, 7, NULL), *mak = store_column_text(st, 8, NULL);
        e->stale = store_column_int64(st, 6) != e->rq->term_signed_on_at || pik == NULL ||
                   mak == NULL || e->rq->term_pik_block == NULL ||
                   e->rq->term_mak_block == NULL || strcmp(pik, e->rq->term_pik_block) != 0 ||
                   strcmp(mak, e->rq->term_mak_block) != 0;
    }
    if (ts == NULL || ms == NULL || strcmp(ts, "active") != 0 || strcmp(ms, "active") != 0)
        *rc = "58";
    return store_reset(st);
}

static int eng_card_get(struct eng *e, int64_t card_id, struct eng_card *c, bool *found)
{
    struct store_stmt *st;
    int r;

    *found = false;
    r = store_prepare(e->s,
                      "SELECT account_id, expiry, status, pin_tries, pin_try_limit, daily_limit,"
                      " pvki, pvv, service_code FROM cards WHERE id = ?",
                      &st);
    if (r != POS_OK)
        return r;
    store_bind_int64(st, 1, card_id);
    r = store_step(st);
    if (r == STORE_DONE)
        return POS_OK;
    if (r != STORE_ROW)
        return r;
    *found = true;
    c->id = card_id;
    c->account_id = store_column_int64(st, 0);
    eng_copy(c->expiry, sizeof(c->expiry), store_column_text(st, 1, NULL));
    eng_copy(c->status, sizeof(c->status), store_column_text(st, 2, NULL));
    c->pin_tries = store_column_int64(st, 3);
    c->pin_try_limit = store_column_int64(st, 4);
    c->daily_limit = store_column_int64(st, 5);
    c->pvki = store_column_int64(st, 6);
    eng_copy(c->pvv, sizeof(c->pvv), store_column_text(st, 7, NULL));
    eng_copy(c->service_code, sizeof(c->service_code), store_column_text(st, 8, NULL));
    return store_reset(st);
}

/* Runs "UPDATE ... SET x = ? WHERE id = ?" with value and id. */
static int eng_update(struct eng *e, const char *sql, int64_t value, int64_t id)
{
    struct store_stmt *st;
    int r = store_prepare(e->s, sql, &st);

    if (r != POS_OK)
        return r;
    store_bind_int64(st, 1, value);
    store_bind_int64(st, 2, id);
    return eng_exec(st);
}

static int eng_set_pin_tries(struct eng *e, int64_t card_id, int64_t tries)
{
    return eng_update(e, "UPDATE cards SET pin_tries = ? WHERE id = ?", tries, card_id);
}

/* Step 3: the card. rc and why get a decline, or rc stays NULL. check_pin false
 * for advices (approved offline: no PIN to see). */
static int eng_check_card(struct eng *e, struct eng_card *c, bool check_pin, const char **rc,
                          const char **why)
{
    const struct engine_request *rq = e->rq;
    uint64_t yymm = 0;
    bool found;
    int r;

    *rc = NULL;
    if (rq->card_id <= 0) {
        *rc = "14", *why = "unknown card";
        return POS_OK;
    }
    r = eng_card_get(e, rq->card_id, c, &found);
    if (r != POS_OK)
        return r;
    if (!found) {
        *rc = "14", *why = "unknown card";
        return POS_OK;
    }
    if (rq->check_stamps &&
        (c->pvki != rq->card_pvki || strcmp(c->pvv, rq->card_pvv) != 0 ||
         strcmp(c->service_code, rq->card_service_code) != 0))
        return POS_ERR_STALE; /* the PIN was checked against another PVV */
    e->card_id = c->id;
    if (strcmp(c->status, "lost") == 0) {
        *rc = "41", *why = "card reported lost";
        return POS_OK;
    }
    if (strcmp(c->status, "stolen") == 0) {
        *rc = "43", *why = "card reported stolen";
        return POS_OK;
    }
    if (strcmp(c->status, "active") != 0) {
        *rc = "05", *why = "card blocked";
        return POS_OK;
    }
    /* valid through the last day of its expiry month */
    if (strlen(c->expiry) != 4 || pos_parse_digits_u64(c->expiry, 4, &yymm) != POS_OK ||
        (int64_t)yymm < rq->today_yymm) {
        *rc = "54", *why = "card expired";
        return POS_OK;
    }
    if (rq->expiry[0] != '\0' && strcmp(rq->expiry, c->expiry) != 0) {
        *rc = "54", *why = "expiry does not match the card";
        return POS_OK;
    }
    if (!check_pin)
        return POS_OK;
    if (c->pin_tries >= c->pin_try_limit) {
        *rc = "75", *why = "PIN tries exhausted";
        return POS_OK;
    }
    if (rq->pin == ENGINE_PIN_BAD) {
        c->pin_tries++;
        r = eng_set_pin_tries(e, c->id, c->pin_tries);
        if (r != POS_OK)
            return r;
        if (c->pin_tries >= c->pin_try_limit)
            *rc = "75", *why = "wrong PIN: tries exhausted";
        else
            *rc = "55", *why = "wrong PIN";
        return POS_OK;
    }
    if (rq->pin == ENGINE_PIN_NONE && rq->pin_required) {
        *rc = "55", *why = "PIN required";
        return POS_OK;
    }
    if (rq->pin == ENGINE_PIN_OK && c->pin_tries != 0) {
        c->pin_tries = 0;
        return eng_set_pin_tries(e, c->id, 0);
    }
    return POS_OK;
}

/* The card's account, checked: rc gets 57 (currency) or 05 (status). */
static int eng_check_account(struct eng *e, const struct eng_card *c, struct ledger_account *a,
                             const char **rc, const char **why)
{
    int r = ledger_account_get(e->s, c->account_id, a);

    *rc = NULL;
    if (r != POS_OK)
        return r;
    if (a->currency != e->rq->currency)
        *rc = "57", *why = "card account in another currency";
    else if (strcmp(a->status, "active") != 0)
        *rc = "05", *why = "account not active";
    return POS_OK;
}

static int eng_daily_spent(struct eng *e, int64_t card_id, int64_t *spent)
{
    struct store_stmt *st;
    int r = store_prepare(e->s, "SELECT amount FROM card_daily WHERE card_id = ? AND day = ?", &st);

    *spent = 0;
    if (r != POS_OK)
        return r;
    store_bind_int64(st, 1, card_id);
    store_bind_int64(st, 2, e->rq->today_day);
    r = store_step(st);
    if (r == STORE_DONE)
        return POS_OK;
    if (r != STORE_ROW)
        return r;
    *spent = store_column_int64(st, 0);
    return store_reset(st);
}

static int eng_daily_add(struct eng *e, int64_t card_id, int64_t amount)
{
    struct store_stmt *st;
    int r = store_prepare(e->s,
                          "INSERT INTO card_daily (card_id, day, amount, count) VALUES (?, ?, ?, 1)"
                          " ON CONFLICT (card_id, day) DO UPDATE SET"
                          " amount = card_daily.amount + excluded.amount,"
                          " count = card_daily.count + 1",
                          &st);

    if (r != POS_OK)
        return r;
    store_bind_int64(st, 1, card_id);
    store_bind_int64(st, 2, e->rq->today_day);
    store_bind_int64(st, 3, amount);
    return eng_exec(st);
}

#define ENG_EARLY_WINDOW_MS (INT64_C(24) * 3600 * 1000)

/* An original this terminal reversed before it arrived? */
static int eng_reversed_early(struct eng *e, bool *yes)
{
    const struct engine_request *rq = e->rq;
    struct store_stmt *st;
    int r;

    *yes = false;
    r = store_prepare(e->s,
                      "SELECT 1 FROM txns WHERE terminal_id = ? AND kind = 'reversal'"
                      " AND original_id IS NULL AND orig_stan = ?"
                      " AND (orig_tx_time IS NULL OR orig_tx_time = ?) AND created_at > ?",
                      &st);
    if (r != POS_OK)
        return r;
    store_bind_int64(st, 1, rq->terminal_id);
    store_bind_text(st, 2, rq->stan, strlen(rq->stan));
    store_bind_text(st, 3, rq->tx_time, strlen(rq->tx_time));
    /* only a recent reversal: STANs wrap, and CUP reversals carry no time */
    store_bind_int64(st, 4, rq->now_ms - ENG_EARLY_WINDOW_MS);
    r = store_step(st);
    if (r == STORE_ROW) {
        *yes = true;
        return store_reset(st);
    }
    return r == STORE_DONE ? POS_OK : r;
}

/* Posts amount from one account to another under the journal row just
 * written (in the request's currency); known (may be NULL) is one of the
 * two as this unit read it. */
static int eng_post2(struct eng *e, int64_t from, int64_t to, int64_t amount,
                     const struct ledger_account *known)
{
    struct ledger_posting p[2];

    p[0].account_id = from;
    p[0].amount = -amount;
    p[1].account_id = to;
    p[1].amount = amount;
    return ledger_post_known(e->s, e->rs->txn_id, e->rq->currency, p, 2, known,
                             known != NULL ? 1 : 0);
}

/* Purchase, balance inquiry, pre-authorization and advice. */
static int eng_authorize(struct eng *e)
{
    const struct engine_request *rq = e->rq;
    bool balance = rq->kind == ENGINE_BALANCE, advice = rq->kind == ENGINE_ADVICE;
    const char *rc = NULL, *why = NULL;
    struct ledger_account a;
    struct eng_card c;
    int64_t avail, spent, total;
    int r;

    if (!balance && (rq->amount <= 0 || rq->currency != e->merchant_currency))
        return eng_decline(e, "13", rq->amount <= 0 ? "invalid amount" : "wrong currency");
    r = eng_check_card(e, &c, !advice, &rc, &why);
    if (r != POS_OK)
        return r;
    if (rc != NULL)
        return eng_decline(e, rc, why);
    r = eng_check_account(e, &c, &a, &rc, &why);
    if (r != POS_OK)
        return r;
    if (rc != NULL)
        return eng_decline(e, rc, why);
    r = ledger_available(&a, &avail);
    if (r != POS_OK)
        return r;
    if (balance) {
        r = eng_journal(e, "00", NULL, c.id, 0, 0);
        e->rs->has_balance = true;
        e->rs->balance = avail;
        e->rs->currency = a.currency;
        return r;
    }
    if (!advice && rq->kind != ENGINE_PREAUTH && c.daily_limit > 0) {
        r = eng_daily_spent(e, c.id, &spent);
        if (r != POS_OK)
            return r;
        if (__builtin_add_overflow(spent, rq->amount, &total) || total > c.daily_limit)
            return eng_decline(e, "61", "daily limit exceeded");
    }
    /* An advice was approved offline under the floor limit: the host takes
     * it even when it overdraws the account. */
    if (!advice && avail < rq->amount)
        return eng_decline(e, "51", "insufficient funds");
    r = eng_journal(e, "00", NULL, c.id, rq->amount, 0);
    if (r != POS_OK)
        return r;
    if (rq->kind == ENGINE_PREAUTH)
        return ledger_hold_place(e->s, a.id, e->rs->txn_id, rq->amount, rq->now_ms, NULL);
    r = eng_post2(e, a.id, e->merchant_account, rq->amount, &a);
    if (r != POS_OK)
        return r;
    return eng_daily_add(e, c.id, rq->amount);
}

/* Finds the original of a void, cancel, completion or reversal: this
 * terminal's latest request with STAN orig_stan (and time orig_tx_time when
 * given) among the kinds listed in kinds_sql. */
static int eng_find_orig(struct eng *e, const char *sql, struct eng_orig *o, bool *found)
{
    const struct engine_request *rq = e->rq;
    struct store_stmt *st;
    int r;

    *found = false;
    r = store_prepare(e->s, sql, &st);
    if (r != POS_OK)
        return r;
    store_bind_int64(st, 1, rq->terminal_id);
    store_bind_text(st, 2, rq->orig_stan, strlen(rq->orig_stan));
    store_bind_text(st, 3, rq->orig_tx_time, strlen(rq->orig_tx_time));
    store_bind_text(st, 4, rq->orig_tx_time, strlen(rq->orig_tx_time));
    r = store_step(st);
    if (r == STORE_DONE)
        return POS_OK;
    if (r != STORE_ROW)
        return r;
    *found = true;
    o->id = store_column_int64(st, 0);
    eng_copy(o->kind, sizeof(o->kind), store_column_text(st, 1, NULL));
    eng_copy(o->rc, sizeof(o->rc), store_column_text(st, 2, NULL));
    o->amount = store_column_int64(st, 3);
    o->reversed = store_column_int64(st, 4);
    o->card_id = store_column_is_null(st, 5) ? 0 : store_column_int64(st, 5);
    o->batch_no = store_column_is_null(st, 6) ? 0 : store_column_int64(st, 6);
    o->merchant_id = store_column_is_null(st, 7) ? 0 : store_column_int64(st, 7);
    o->original_id = store_column_is_null(st, 8) ? 0 : store_column_int64(st, 8);
    return store_reset(st);
}

#define ENG_ORIG_COLS "id, kind, rc, amount, reversed, card_id, batch_no, merchant_id, original_id"
#define ENG_ORIG_KEY " WHERE terminal_id = ? AND stan = ? AND (? = '' OR tx_time = ?)"

static int eng_mark_reversed(struct eng *e, int64_t id, int64_t value)
{
    return eng_update(e, "UPDATE txns SET reversed = ? WHERE id = ?", value, id);
}

/* Posts, under the current journal row, the negation of txn_id's postings. */
static int eng_undo_postings(struct eng *e, int64_t txn_id)
{
    struct ledger_posting p[LEDGER_MAX_POSTINGS];
    struct store_stmt *st;
    size_t n = 0;
    int r;

    r = store_prepare(e->s, "SELECT account_id, amount FROM postings WHERE txn_id = ? ORDER BY id",
                      &st);
    if (r != POS_OK)
        return r;
    store_bind_int64(st, 1, txn_id);
    while ((r = store_step(st)) == STORE_ROW) {
        if (n == LEDGER_MAX_POSTINGS) {
            store_reset(st);
            return POS_ERR_RANGE;
        }
        p[n].account_id = store_column_int64(st, 0);
        p[n].amount = -store_column_int64(st, 1);
        n++;
    }
    if (r != STORE_DONE)
        return r;
    if (n == 0)
        return POS_OK;
    return ledger_post(e->s, e->rs->txn_id, p, n);
}

static int eng_active_hold(struct eng *e, int64_t txn_id, int64_t *hold_id, int64_t *amount,
                           bool *found)
{
    struct store_stmt *st;
    int r = store_prepare(e->s,
                          "SELECT id, amount FROM holds WHERE txn_id = ? AND status = 'active'",
                          &st);

    *found = false;
    if (r != POS_OK)
        return r;
    store_bind_int64(st, 1, txn_id);
    r = store_step(st);
    if (r == STORE_DONE)
        return POS_OK;
    if (r != STORE_ROW)
        return r;
    *found = true;
    *hold_id = store_column_int64(st, 0);
    *amount = store_column_int64(st, 1);
    return store_reset(st);
}

/* Void: undo an approved purchase or completion of the open batch. */
static int eng_void(struct eng *e)
{
    const struct engine_request *rq = e->rq;
    struct eng_orig o;
    bool found;
    int r;

    r = eng_find_orig(e,
                      "SELECT " ENG_ORIG_COLS " FROM txns" ENG_ORIG_KEY
                      " AND kind IN ('purchase', 'completion') AND rc = '00'"
                      " ORDER BY id DESC LIMIT 1",
                      &o, &found);
    if (r != POS_OK)
        return r;
    if (!found)
        return eng_decline(e, "25", "original not found");
    if (o.reversed)
        return eng_decline(e, "12", "original already voided or reversed");
    if (o.batch_no != e->batch_no)
        return eng_decline(e, "12", "original is not in the open batch");
    if (rq->card_id > 0 && rq->card_id != o.card_id)
        return eng_decline(e, "14", "card differs from the original's");
    if (rq->amount != o.amount)
        return eng_decline(e, "64", "amount differs from the original");
    r = eng_journal(e, "00", NULL, o.card_id, o.amount, o.id);
    if (r == POS_OK)
        r = eng_undo_postings(e, o.id);
    if (r == POS_OK)
        r = eng_mark_reversed(e, o.id, 1);
    return r;
}

/* Refund: money back to the card of an earlier purchase, found by RRN. */
static int eng_refund(struct eng *e)
{
    const struct engine_request *rq = e->rq;
    struct store_stmt *st;
    struct eng_card c;
    struct eng_orig o;
    uint64_t id = 0;
    int64_t refunded = 0, left;
    bool found = false;
    int r;

    if (rq->amount <= 0 || rq->currency != e->merchant_currency)
        return eng_decline(e, "13", rq->amount <= 0 ? "invalid amount" : "wrong currency");
    if (pos_parse_digits_u64(rq->orig_rrn, strlen(rq->orig_rrn), &id) != POS_OK)
        return eng_decline(e, "25", "original not found");
    r = store_prepare(e->s,
                      "SELECT " ENG_ORIG_COLS " FROM txns WHERE id = ? AND rc = '00'"
                      " AND kind IN ('purchase', 'completion', 'advice')",
                      &st);
    if (r != POS_OK)
        return r;
    store_bind_int64(st, 1, (int64_t)id);
    r = store_step(st);
    if (r == STORE_ROW) {
        found = true;
        o.id = store_column_int64(st, 0);
        o.amount = store_column_int64(st, 3);
        o.reversed = store_column_int64(st, 4);
        o.card_id = store_column_int64(st, 5);
        o.merchant_id = store_column_is_null(st, 7) ? 0 : store_column_int64(st, 7);
        r = store_reset(st);
    } else if (r == STORE_DONE) {
        r = POS_OK;
    }
    if (r != POS_OK)
        return r;
    if (!found || o.merchant_id != e->merchant_id)
        return eng_decline(e, "25", "original not found");
    if (o.reversed)
        return eng_decline(e, "12", "original was voided or reversed");
    if (rq->card_id > 0 && rq->card_id != o.card_id)
        return eng_decline(e, "14", "card differs from the original's");
    r = store_prepare(e->s,
                      "SELECT COALESCE(SUM(amount), 0) FROM txns WHERE original_id = ?"
                      " AND kind = 'refund' AND rc = '00' AND reversed = 0",
                      &st);
    if (r != POS_OK)
        return r;
    store_bind_int64(st, 1, o.id);
    r = store_step(st);
    if (r != STORE_ROW)
        return r == STORE_DONE ? POS_ERR_DB : r;
    refunded = store_column_int64(st, 0);
    r = store_reset(st);
    if (r != POS_OK)
        return r;
    left = o.amount - refunded;
    if (rq->amount > left)
        return eng_decline(e, "64", "refund exceeds what is left of the original");
    r = eng_card_get(e, o.card_id, &c, &found);
    if (r != POS_OK)
        return r;
    if (!found)
        return eng_decline(e, "14", "unknown card");
    r = eng_journal(e, "00", NULL, o.card_id, rq->amount, o.id);
    if (r != POS_OK)
        return r;
    return eng_post2(e, e->merchant_account, c.account_id, rq->amount, NULL);
}

/* Pre-authorization cancel and completion. */
static int eng_preauth_end(struct eng *e)
{
    const struct engine_request *rq = e->rq;
    bool completion = rq->kind == ENGINE_COMPLETION, found;
    int64_t hold_id = 0, held = 0;
    struct eng_card c;
    struct eng_orig o;
    int r;

    r = eng_find_orig(e,
                      "SELECT " ENG_ORIG_COLS " FROM txns" ENG_ORIG_KEY
                      " AND kind = 'preauth' AND rc = '00' ORDER BY id DESC LIMIT 1",
                      &o, &found);
    if (r != POS_OK)
        return r;
    if (!found)
        return eng_decline(e, "25", "pre-authorization not found");
    if (rq->card_id > 0 && rq->card_id != o.card_id)
        return eng_decline(e, "14", "card differs from the pre-authorization's");
    r = eng_active_hold(e, o.id, &hold_id, &held, &found);
    if (r != POS_OK)
        return r;
    if (!found || o.reversed)
        return eng_decline(e, "12", "pre-authorization already ended");
    if (rq->amount <= 0 || (completion ? rq->amount > held : rq->amount != held))
        return eng_decline(e, "64", "amount does not fit the pre-authorization");
    r = eng_card_get(e, o.card_id, &c, &found);
    if (r != POS_OK)
        return r;
    if (!found)
        return eng_decline(e, "14", "unknown card");
    r = eng_journal(e, "00", NULL, o.card_id, rq->amount, o.id);
    if (r != POS_OK)
        return r;
    r = ledger_hold_release(e->s, hold_id, completion ? "completed" : "cancelled", NULL);
    if (r != POS_OK || !completion)
        return r;
    r = eng_post2(e, c.account_id, e->merchant_account, rq->amount, NULL);
    if (r != POS_OK)
        return r;
    return eng_daily_add(e, c.id, rq->amount);
}

/* Reversal: undo the original once. */
static int eng_reversal(struct eng *e)
{
    struct eng_orig o;
    int64_t hold_id, held;
    bool found;
    int r;

    r = eng_find_orig(e,
                      "SELECT " ENG_ORIG_COLS " FROM txns" ENG_ORIG_KEY
                      " AND mti_class IN ('10', '20', '22') ORDER BY id DESC LIMIT 1",
                      &o, &found);
    if (r != POS_OK)
        return r;
    if (!found) /* acknowledged; remembered so a late original is refused */
        return eng_journal(e, "00", "original unknown", 0, e->rq->amount, 0);
    if (strcmp(o.rc, "00") != 0)
        return eng_journal(e, "00", "original was declined", o.card_id, o.amount, o.id);
    if (o.reversed)
        return eng_journal(e, "00", "original already reversed", o.card_id, o.amount, o.id);
    r = eng_journal(e, "00", NULL, o.card_id, o.amount, o.id);
    if (r != POS_OK)
        return r;
    if (strcmp(o.kind, "preauth") == 0) {
        r = eng_active_hold(e, o.id, &hold_id, &held, &found);
        if (r == POS_OK && found)
            r = ledger_hold_release(e->s, hold_id, "cancelled", NULL);
    } else {
        /* purchase, completion, advice, refund, void: negate its postings;
         * undoing a void restores the purchase it had voided */
        r = eng_undo_postings(e, o.id);
        if (r == POS_OK && strcmp(o.kind, "void") == 0 && o.original_id > 0)
            r = eng_mark_reversed(e, o.original_id, 0);
    }
    if (r == POS_OK)
        r = eng_mark_reversed(e, o.id, 1);
    return r;
}

int engine_run(struct store *s, const struct engine_request *rq, struct engine_response *rs)
{
    struct eng e;
    const char *rc = NULL;
    bool answered = false, early = false;
    int r;

    memset(rs, 0, sizeof(*rs));
    memset(&e, 0, sizeof(e));
    e.s = s;
    e.rq = rq;
    e.rs = rs;
    if (engine_mti_class(rq->mti) == NULL || rq->terminal_id <= 0 ||
        strlen(rq->stan) != ENGINE_STAN_LEN || rq->tx_time[0] == '\0') {
        eng_copy(rs->rc, sizeof(rs->rc), "30");
        rs->reason = "request key incomplete";
        return POS_OK;
    }
    r = eng_terminal(&e, &rc);
    if (r != POS_OK)
        return r;
    if (e.stale)
        return POS_ERR_STALE; /* the MAC was checked under keys since replaced */
    r = eng_find_duplicate(&e, &answered);
    if (r != POS_OK || answered)
        return r;
    if (rc != NULL) {
        if (e.merchant_id == 0) { /* no such terminal: nothing to journal against */
            eng_copy(rs->rc, sizeof(rs->rc), rc);
            rs->reason = "terminal unknown";
            return POS_OK;
        }
        return eng_decline(&e, rc, "terminal or merchant not active");
    }
    if (rq->kind != ENGINE_REVERSAL) {
        r = eng_reversed_early(&e, &early);
        if (r != POS_OK)
            return r;
        if (early)
            return eng_decline(&e, "12", "reversed before it arrived");
    }
    switch (rq->kind) {
    case ENGINE_PURCHASE:
    case ENGINE_BALANCE:
    case ENGINE_PREAUTH:
    case ENGINE_ADVICE:
        return eng_authorize(&e);
    case ENGINE_PREAUTH_CANCEL:
    case ENGINE_COMPLETION:
        return eng_preauth_end(&e);
    case ENGINE_VOID:
        return eng_void(&e);
    case ENGINE_REFUND:
        return eng_refund(&e);
    case ENGINE_REVERSAL:
        return eng_reversal(&e);
    }
    return eng_decline(&e, "12", "unsupported transaction");
}
