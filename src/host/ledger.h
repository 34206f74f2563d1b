/*
 * ledger: the host's double-entry books (DESIGN.md §4).
 *
 * Every money movement is a transaction (a row of txns) with postings that
 * sum to zero; an account's balance is the sum of its postings, and the
 * accounts table caches it (and the sum of active pre-authorization holds)
 * so authorization reads one row. ledger_check proves the caches and the
 * invariants from the postings themselves.
 *
 * Sign convention: a posting adds its amount to the account's balance. A
 * purchase posts -amount to the payer and +amount to the merchant; a top-up
 * posts -amount to the funding account and +amount to the card's account.
 *
 * Available funds: debit, prepaid and wallet accounts: balance - held;
 * credit accounts: balance + credit_limit - held (balance goes negative as
 * the card is used).
 *
 * All functions run on the caller's connection inside the caller's
 * transaction (a group-commit unit, or store_begin/commit in tools): they
 * never begin or commit. Amounts are int64 minor units; every sum is
 * overflow-checked (POS_ERR_OVERFLOW), never wrapped or turned into floating
 * point by the database.
 */
#ifndef POSD_LEDGER_H
#define POSD_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define LEDGER_KIND_MAX 12
#define LEDGER_STATUS_MAX 12
#define LEDGER_MAX_POSTINGS 8

struct ledger_account {
    int64_t id;
    char kind[LEDGER_KIND_MAX];     /* debit, credit, prepaid, wallet, merchant, fee, ... */
    char status[LEDGER_STATUS_MAX]; /* active, frozen, closed */
    uint16_t currency;              /* ISO 4217 numeric */
    int64_t balance;
    int64_t held;
    int64_t credit_limit;
};

struct ledger_posting {
    int64_t account_id;
    int64_t amount; /* non-zero */
};

/* true when kind is one of the account kinds of schema.c. */
bool ledger_kind_is_valid(const char *kind);

/* Opens an account; *id gets its id. POS_ERR_INVAL for an unknown kind, a
 * currency outside 1..999 or a negative credit limit (a credit limit is only
 * meaningful on credit accounts; others must pass 0). */
int ledger_account_open(struct store *s, const char *kind, const char *name, uint16_t currency,
                        int64_t credit_limit, int64_t now_ms, int64_t *id);

/* Reads account id. POS_ERR_NOT_FOUND when there is none. */
int ledger_account_get(struct store *s, int64_t id, struct ledger_account *out);

/* Funds available to spend (see above). POS_ERR_OVERFLOW if it cannot be
 * represented. */
int ledger_available(const struct ledger_account *a, int64_t *out);

/* Inserts the n postings (2..LEDGER_MAX_POSTINGS) of transaction txn_id and
 * updates the cached balances. Refuses, changing nothing: POS_ERR_INVAL for
 * n out of range, a zero amount or an unknown transaction; POS_ERR_NOT_FOUND
 * for an unknown account; POS_ERR_CURRENCY_MISMATCH when an account's
 * currency is not the transaction's; POS_ERR_RANGE when the amounts do not
 * sum to zero; POS_ERR_OVERFLOW when a sum or a balance would overflow. */
int ledger_post(struct store *s, int64_t txn_id, const struct ledger_posting *p, size_t n);

/* ledger_post for a caller that has just written transaction txn_id, in
 * currency, and read some of the accounts in the same database transaction:
 * the nknown accounts of known (may be NULL when nknown is 0) stand for
 * reading them again, and txn_id is not looked up. The same refusals. */
int ledger_post_known(struct store *s, int64_t txn_id, uint16_t currency,
                      const struct ledger_posting *p, size_t n, const struct ledger_account *known,
                      size_t nknown);

/* A back-office movement of amount (> 0) from one account to another: a txns
 * row of the given kind ("topup", "fee", "payout", "adjust") with rc "00"
 * and no terminal, and its two postings. *txn_id (may be NULL) gets the row. */
int ledger_transfer(struct store *s, const char *kind, int64_t from, int64_t to, int64_t amount,
                    uint16_t currency, const char *reason, int64_t now_ms, int64_t *txn_id);

/* Places a hold of amount (> 0) on account for transaction txn_id; updates
 * the cached held sum. *hold_id (may be NULL) gets the hold. */
int ledger_hold_place(struct store *s, int64_t account_id, int64_t txn_id, int64_t amount,
                      int64_t now_ms, int64_t *hold_id);

/* Ends an active hold: status "completed", "cancelled" or "expired".
 * POS_ERR_NOT_FOUND if the hold is not active (already ended: nothing is
 * released twice). *amount (may be NULL) gets the amount that was held. */
int ledger_hold_release(struct store *s, int64_t hold_id, const char *status, int64_t *amount);

/* What ledger_check found. Counts of problems are zero when the books are
 * sound; first names the first problem found (ids only, never card data). */
struct ledger_check_report {
    int64_t txns;
    int64_t postings;
    int64_t accounts;
    int64_t unbalanced_txns;     /* postings of a transaction not summing to zero */
    int64_t total;               /* sum of all postings (must be 0) */
    int64_t balance_mismatches;  /* cached balance != sum of postings */
    int64_t held_mismatches;     /* cached held != sum of active holds */
    int64_t currency_mismatches; /* a posting to an account of another currency */
    int64_t orphan_reversals;    /* a reversal or void that moved money without an original */
    int64_t double_reversals;    /* an original undone by more than one money-moving reversal */
    char first[200];
};

/* Proves the books (read-only). Returns POS_OK when the checks ran, whatever
 * they found (see ledger_check_is_sound), or a database error. */
int ledger_check(struct store *s, struct ledger_check_report *r);

/* true when r found nothing wrong. */
bool ledger_check_is_sound(const struct ledger_check_report *r);

#endif
