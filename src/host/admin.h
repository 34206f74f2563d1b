/*
 * admin: the host's administration (issue 4 item 3; `pos admin`, docs/admin.md)
 * on a host's database: creating it with its keys, merchants, terminals and
 * their provisioning files, cardholder accounts and cards, read-only queries
 * (PANs masked) and the proof of the books (ledger_check).
 *
 * Every change runs in one transaction of its own (store_begin ..
 * store_commit: SQLite's write lock, so it runs next to a live posd in WAL
 * mode) together with its audit_log row: who (the actor), what (action),
 * on what (object) and a JSON detail that never holds a secret. A change
 * that fails is rolled back whole: bad input changes nothing.
 *
 * Keys (keystore.h) are made at admin_init and stay wrapped under the local
 * master key; functions that need a clear key (terminal_add, card issue,
 * PIN reset, find by PAN) need the LMK given to admin_open and fail with
 * POS_ERR_KEY without it. A terminal's provisioning file carries its key
 * material only as a TR-31 (ANSI X9.143-2021) version B key block under the
 * terminal key-transport key (KTK), never in clear; the KTK itself leaves
 * the host once, in clear, into a new 0600 file at admin_init.
 *
 * JSON results are jansson objects the caller owns (json_decref). Money in
 * them is a decimal string in the currency (money_format) with its ISO 4217
 * alpha code. Errors: POS_OK or a negative enum pos_err with d (may be NULL)
 * naming the offending parameter or object; input errors are POS_ERR_INVAL,
 * POS_ERR_SYNTAX, POS_ERR_DIGIT, POS_ERR_LENGTH, POS_ERR_RANGE,
 * POS_ERR_OVERFLOW, POS_ERR_CURRENCY, POS_ERR_CARD_PAN, POS_ERR_PIN_LENGTH and
 * POS_ERR_NOT_FOUND (an unknown merchant, terminal, account or card);
 * POS_ERR_CONSTRAINT is a duplicate (MID, TID); POS_ERR_STATE a change the
 * object's status forbids; the rest are key, database or I/O failures.
 */
#ifndef POSD_ADMIN_H
#define POSD_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "crypto/lmk.h"
#include "host/issuer.h"
#include "host/ledger.h"
#include "store/store.h"

struct pos_errdetail;
struct admin; /* an open database with its LMK and actor (admin_open) */

#define ADMIN_ACTOR_MAX        64
#define ADMIN_KEY_KTK          "ktk"
#define ADMIN_TXNS_DEFAULT     50
#define ADMIN_TXNS_MAX         10000
#define ADMIN_CURRENCY_INIT    "CNY"
#define ADMIN_PROVISION_FORMAT "pos-provision-1"

struct admin_options {
    const char *actor; /* who makes the changes; NULL: $USER, else "unknown" */
    int64_t now_ms;    /* the time of every change; 0: the clock (tests fix it) */
};

/* What admin_init makes. */
struct admin_init_params {
    const char *ktk_out;  /* a new file (created 0600, must not exist) for the clear KTK */
    const char *currency; /* the first funding account's currency; NULL: ADMIN_CURRENCY_INIT */
};

/* Creates (or completes) the database at db: applies the schema
 * migrations, makes the host keys under lmk (PVK V2, CVK C0, PAN data key D0
 * AES-256, PAN hash key M7 HMAC 32 bytes, a TDES BDK and an AES-128 BDK B0,
 * the KTK K0 TDES double length), the funding account, an audit row; then
 * writes the KTK's 32 hex digits and a newline to p->ktk_out (O_EXCL, 0600,
 * fsynced) and commits. *summary (may be NULL) gets {"db":..,"lmk_kcv":..,
 * "ktk_kcv":..,"ktk_file":..,"keys":[..],"funding_account":..}. Refuses a
 * database that already has keys (POS_ERR_STATE) and an existing ktk_out
 * (POS_ERR_STATE), changing nothing. */
int admin_init(const char *db, const struct lmk *lmk, const struct admin_options *o,
               const struct admin_init_params *p, json_t **summary, struct pos_errdetail *d);

/* Opens an initialised database (never creates one: POS_ERR_NOT_FOUND;
 * not initialised: POS_ERR_STATE), bringing its schema up to date. lmk may
 * be NULL (queries need none); when given it is checked against the stored
 * keys (POS_ERR_KEYBLOCK_MAC: not this database's LMK) and copied. */
int admin_open(const char *db, const struct lmk *lmk, const struct admin_options *o,
               struct admin **out, struct pos_errdetail *d);

/* Closes a (wiping its LMK copy). admin_close(NULL) is a no-op. */
void admin_close(struct admin *a);

/* The connection (for tests and tools; not in a transaction between calls). */
struct store *admin_store(struct admin *a);

/* ---- merchants ------------------------------------------------------------ */

struct admin_merchant {
    const char *mid;            /* 15 letters or digits (ISO 8583 field 42) */
    const char *name;           /* 1..40 bytes, no control characters */
    const char *city;           /* 0..40 bytes (NULL: "") */
    const char *mcc;            /* 4 digits (ISO 18245) */
    const char *currency;       /* ISO 4217 alpha or numeric */
    const char *mdr_bps;        /* 0..10000 basis points, digits */
    const char *payout_account; /* 1..64 printable characters */
};

/* Adds a merchant and its "merchant" ledger account. *out: the merchant. */
int admin_merchant_add(struct admin *a, const struct admin_merchant *m, json_t **out,
                       struct pos_errdetail *d);
/* active = false suspends, true resumes (POS_ERR_STATE if already so). */
int admin_merchant_set_active(struct admin *a, const char *mid, bool active, json_t **out,
                              struct pos_errdetail *d);
int admin_merchant_list(struct admin *a, json_t **out);
int admin_merchant_show(struct admin *a, const char *mid, json_t **out, struct pos_errdetail *d);

/* ---- terminals ------------------------------------------------------------ */

struct admin_terminal {
    const char *tid;        /* 8 letters or digits (ISO 8583 field 41) */
    const char *mid;        /* its merchant */
    const char *dialect;    /* cup, iso87a, iso87b */
    const char *key_scheme; /* mksk-tdes, mksk-sm4, mksk-aes, dukpt-tdes, dukpt-aes */
    const char *host;       /* address hint for the terminal; NULL: per scheme */
};

/* Adds a terminal with its keys (see docs/admin.md): master/session, a
 * fresh TMK stored as "tmk:<TID>"; DUKPT, its initial KSN under the BDK of
 * the scheme and its IPEK / AES initial key. *provision gets the
 * provisioning file (format ADMIN_PROVISION_FORMAT). Needs the LMK. */
int admin_terminal_add(struct admin *a, const struct admin_terminal *t, json_t **provision,
                       struct pos_errdetail *d);
int admin_terminal_set_active(struct admin *a, const char *tid, bool active, json_t **out,
                              struct pos_errdetail *d);
int admin_terminal_list(struct admin *a, json_t **out);
int admin_terminal_show(struct admin *a, const char *tid, json_t **out, struct pos_errdetail *d);

/* ---- accounts and cards --------------------------------------------------- */

struct admin_account {
    const char *kind;         /* debit, credit, prepaid */
    const char *name;         /* NULL: "<kind> account" */
    const char *currency;     /* ISO 4217 alpha or numeric */
    const char *credit_limit; /* decimal in the currency (credit only); NULL: 0 */
};

int admin_account_add(struct admin *a, const struct admin_account *p, json_t **out,
                      struct pos_errdetail *d);
/* The account, its available funds and its cards (masked). */
int admin_account_show(struct admin *a, int64_t id, json_t **out, struct pos_errdetail *d);

struct admin_card_issue {
    int64_t account_id;
    const char *pin;          /* NULL: random */
    const char *bin;          /* NULL: ISSUER_BIN_DEFAULT */
    const char *service_code; /* NULL: ISSUER_SERVICE_CODE_DEFAULT */
    const char *daily_limit;  /* decimal in the account's currency; NULL: none */
    size_t pan_len;           /* 0: ISSUER_PAN_LEN_DEFAULT */
    unsigned years;           /* 0: ISSUER_YEARS_DEFAULT */
};

/* Issues a card (issuer_card_issue) and audits it. *card gets the one-time
 * data (PAN, PIN, CVV2, track 2): the caller shows it once and wipes it with
 * issuer_card_clear. Needs the LMK. */
int admin_card_issue(struct admin *a, const struct admin_card_issue *p, struct issuer_card *card,
                     struct pos_errdetail *d);
/* The card whose PAN is pan (needs the LMK). */
int admin_card_find(struct admin *a, const char *pan, int64_t *card_id, struct pos_errdetail *d);
/* Top-up of amount (decimal in the card's currency). *out: the transaction. */
int admin_card_topup(struct admin *a, int64_t card_id, const char *amount, json_t **out,
                     struct pos_errdetail *d);
/* action: "block", "unblock", "lost", "stolen", "close" (issuer_card_set_status). */
int admin_card_set_status(struct admin *a, int64_t card_id, const char *action, json_t **out,
                          struct pos_errdetail *d);
/* A new PIN (pin, or random when NULL) into out_pin (13 bytes; the caller
 * wipes it). Needs the LMK. */
int admin_card_pin_reset(struct admin *a, int64_t card_id, const char *pin, char out_pin[13],
                         struct pos_errdetail *d);
/* The daily limit (decimal in the card's currency; "0" removes it). */
int admin_card_set_limit(struct admin *a, int64_t card_id, const char *amount, json_t **out,
                         struct pos_errdetail *d);
int admin_card_show(struct admin *a, int64_t card_id, json_t **out, struct pos_errdetail *d);

/* ---- read-only queries ---------------------------------------------------- */

struct admin_txn_filter {
    const char *tid;    /* NULL: any terminal */
    const char *mid;    /* NULL: any merchant */
    int64_t card_id;    /* 0: any card */
    int64_t account_id; /* 0: any; else transactions that posted to it */
    int64_t limit;      /* 0: ADMIN_TXNS_DEFAULT; at most ADMIN_TXNS_MAX */
};

/* The newest transactions matching f, newest first, PANs masked. */
int admin_txns(struct admin *a, const struct admin_txn_filter *f, json_t **out,
               struct pos_errdetail *d);
/* Each active or suspended terminal's open batch with the host's totals. */
int admin_batches(struct admin *a, json_t **out);
/* The keys: names, usages, algorithms, modes, KCVs (never key material). */
int admin_keys(struct admin *a, json_t **out);
/* The newest audit rows (limit 0: ADMIN_TXNS_DEFAULT). */
int admin_audit(struct admin *a, int64_t limit, json_t **out);
/* ledger_check on the database (read-only). */
int admin_check(struct admin *a, struct ledger_check_report *r);

#endif
