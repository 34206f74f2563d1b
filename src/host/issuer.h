/*
 * issuer: the host as card issuer (DESIGN.md §4): cardholder accounts, card
 * issuing, top-ups, card status, PIN resets and daily limits.
 *
 * Issuing a card makes
 *   - the PAN: the BIN (default ISSUER_BIN_DEFAULT, a UnionPay-style test
 *     BIN), an account-number part and the Luhn check digit (ISO/IEC
 *     7812-1:2017 Annex B); unique among the host's cards by its keyed hash;
 *   - the expiry YYMM (ISSUER_YEARS_DEFAULT years after the issue month);
 *   - the service code (default ISSUER_SERVICE_CODE_DEFAULT "220", ISO/IEC
 *     7813:2006 §10.3: digit 1 = 2 international interchange, integrated
 *     circuit card; digit 2 = 2 authorization online by the issuer; digit
 *     3 = 0 no restrictions, PIN required: a chip card with PIN on a host
 *     that authorizes everything online; see docs/admin.md);
 *   - the PIN (given, or 6 random digits) and its Visa PVV with PVKI 1
 *     under the PVK (crypto/pvv.h);
 *   - CVV2 (service code 000) and the track CVV (the card's service code)
 *     under the CVK (crypto/cvv.h);
 *   - the track 2 equivalent data (ISO/IEC 7813 track 2, '=' separator):
 *       PAN '=' YYMM service-code PVKI(1) PVV(4) CVV(3)
 *     the discretionary data laid out as Visa cards carry it.
 * The database keeps ONLY the PAN's AES-256-GCM ciphertext, its keyed hash
 * and masked form (crypto/panprot.h), expiry, service code, PVKI, PVV and
 * limits: never the PAN, PIN, CVV2, CVV or track. The caller gets those once
 * in struct issuer_card and wipes them (issuer_card_clear).
 *
 * All functions run on the caller's connection inside the caller's
 * transaction (they never begin or commit); on an error the caller rolls
 * back. Amounts are minor units of the account's currency.
 */
#ifndef POSD_ISSUER_H
#define POSD_ISSUER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/cvv.h"
#include "crypto/lmk.h"
#include "crypto/panprot.h"
#include "crypto/pvv.h"
#include "store/store.h"

struct pos_errdetail;

#define ISSUER_BIN_DEFAULT          "622202"
#define ISSUER_BIN_MIN              6
#define ISSUER_BIN_MAX              11
#define ISSUER_PAN_LEN_DEFAULT      16
#define ISSUER_YEARS_DEFAULT        3
#define ISSUER_YEARS_MAX            20
#define ISSUER_SERVICE_CODE_DEFAULT "220"
#define ISSUER_PVKI                 1
#define ISSUER_PIN_LEN_DEFAULT      6
#define ISSUER_TRACK2_MAX           40 /* ISO/IEC 7813, sentinels included */

/* Key names in the key store (keystore.h) and the usages they are read for. */
#define ISSUER_KEY_PVK      "pvk"      /* V2 TDES 16 bytes, mode C */
#define ISSUER_KEY_CVK      "cvk"      /* C0 TDES 16 bytes, mode C */
#define ISSUER_KEY_PAN_DATA "pan-data" /* D0 AES-256, mode B */
#define ISSUER_KEY_PAN_HASH "pan-hash" /* M7 HMAC 32 bytes, mode C */

/* The issuer's keys in clear, loaded for one piece of work. */
struct issuer_keys {
    struct pvv_key pvk; /* private */
    uint8_t cvk[CVV_CVK_LEN];
    struct panprot_keys pan;
    struct panprot_lookup_ctx lookup; /* keyed with pan's hash key */
    bool loaded;
};

/* Unwraps the PVK, CVK and PAN keys from the key store (keystore_get with
 * their usages). Returns POS_OK or the key store's error (k cleared; d names
 * the key). */
int issuer_keys_load(struct issuer_keys *k, struct store *s, const struct lmk *lmk,
                     struct pos_errdetail *d);

/* Wipes k (k may be zeroed or cleared already). */
void issuer_keys_clear(struct issuer_keys *k);

/* true for a cardholder account kind: "debit", "credit" or "prepaid". */
bool issuer_account_kind_is_valid(const char *kind);

/* Opens a cardholder account (kind debit, credit or prepaid) in currency
 * (ISO 4217 numeric). credit_limit must be 0 unless kind is credit. Makes
 * sure the currency has a funding account. Returns POS_OK, POS_ERR_INVAL
 * (detail says what) or a database error. */
int issuer_account_open(struct store *s, const char *kind, const char *name, uint16_t currency,
                        int64_t credit_limit, int64_t now_ms, int64_t *id, struct pos_errdetail *d);

/* The funding account (where top-ups come from) of currency, opened when
 * missing. */
int issuer_funding_account(struct store *s, uint16_t currency, int64_t now_ms, int64_t *id);

struct issuer_card_params {
    int64_t account_id;       /* a debit, credit or prepaid account */
    const char *bin;          /* 6..11 digits; NULL: ISSUER_BIN_DEFAULT */
    size_t pan_len;           /* 0: ISSUER_PAN_LEN_DEFAULT; else 12..19, a length the brand has */
    const char *pin;          /* 4..12 digits; NULL: ISSUER_PIN_LEN_DEFAULT random digits */
    const char *service_code; /* 3 digits; NULL: ISSUER_SERVICE_CODE_DEFAULT */
    unsigned years;           /* validity; 0: ISSUER_YEARS_DEFAULT; at most ISSUER_YEARS_MAX */
    int64_t daily_limit;      /* minor units, >= 0 (0: none) */
    int64_t now_ms;           /* issue time (Unix ms, UTC month gives the expiry) */
};

/* A card as issued: the one-time data. Secret: issuer_card_clear. */
struct issuer_card {
    int64_t id;
    int64_t account_id;
    char pan[20];
    char pan_masked[20];
    char expiry[5]; /* YYMM */
    char service_code[4];
    char pin[13];
    char pvv[5];
    char cvv2[4];
    char track2[ISSUER_TRACK2_MAX + 1]; /* without sentinels */
};

void issuer_card_clear(struct issuer_card *c);

/* Issues a card (see the top). Returns POS_OK with *out filled, or (nothing
 * stored, *out wiped): POS_ERR_NOT_FOUND (no such account), POS_ERR_INVAL
 * (not a cardholder account; a bad parameter), POS_ERR_SYNTAX (BIN or
 * service code not digits), POS_ERR_CARD_PAN (BIN and length make no PAN of
 * its brand), POS_ERR_PIN_LENGTH, POS_ERR_DIGIT (the PIN), POS_ERR_STATE
 * (the account is not active, or no unused PAN is left under the BIN), a key
 * or database error. d says which parameter (never a secret). */
int issuer_card_issue(struct store *s, struct issuer_keys *k, const struct issuer_card_params *p,
                      struct issuer_card *out, struct pos_errdetail *d);

/* The card whose PAN is pan (pan_len digits), by its keyed hash. POS_OK,
 * POS_ERR_NOT_FOUND, POS_ERR_CARD_PAN (not 12..19 digits) or an error. */
int issuer_card_find(struct store *s, struct issuer_keys *k, const char *pan, size_t pan_len,
                     int64_t *card_id);

/* The keyed hash a card is found by: POS_OK, POS_ERR_CARD_PAN (not 12..19
 * digits), POS_ERR_INVAL or a crypto error (lookup wiped). */
int issuer_card_lookup(struct issuer_keys *k, const char *pan, size_t pan_len,
                       uint8_t lookup[PANPROT_LOOKUP_LEN]);

/* What checking a PIN needs of a card (nothing secret: the PVV is what the
 * database keeps instead of the PIN). */
struct issuer_card_pin {
    int64_t id;
    int64_t pvki;
    char pvv[8];
    char service_code[4];
};

/* The card whose keyed hash is lookup, with its PIN verification data.
 * POS_OK, POS_ERR_NOT_FOUND or a database error. */
int issuer_card_pin_get(struct store *s, const uint8_t lookup[PANPROT_LOOKUP_LEN],
                        struct issuer_card_pin *out);

/* What the host knows of a card (nothing secret). */
struct issuer_card_info {
    int64_t id;
    int64_t account_id;
    char pan_masked[20];
    char expiry[5];
    char service_code[4];
    char status[12]; /* active, blocked, lost, stolen, closed */
    int64_t pvki;
    int64_t pin_tries;
    int64_t pin_try_limit;
    int64_t daily_limit;
    uint16_t currency; /* the account's */
    int64_t created_at;
};

/* Reads card id. POS_ERR_NOT_FOUND when there is none. */
int issuer_card_get(struct store *s, int64_t id, struct issuer_card_info *out);

/* Moves amount (> 0, minor units) from the funding account of the card's
 * currency to the card's account: a "topup" transaction (ledger_transfer)
 * tied to the card. *txn_id (may be NULL) gets it. POS_ERR_NOT_FOUND,
 * POS_ERR_INVAL (amount <= 0), POS_ERR_STATE (card lost, stolen or closed),
 * POS_ERR_OVERFLOW, or a ledger error. */
int issuer_card_topup(struct store *s, int64_t card_id, int64_t amount, int64_t now_ms,
                      int64_t *txn_id);

/* Card status changes:
 *   "blocked" from active;  "active" (unblock, PIN tries reset) from blocked;
 *   "lost" / "stolen" from active or blocked (final);  "closed" from any but
 *   closed. Returns POS_OK, POS_ERR_NOT_FOUND, POS_ERR_INVAL (unknown
 *   status) or POS_ERR_STATE (not allowed from the card's status; d says
 *   which). *old (may be NULL, 12 bytes) gets the status before. */
int issuer_card_set_status(struct store *s, int64_t card_id, const char *status, char *old,
                           struct pos_errdetail *d);

/* A new PIN for the card: pin (4..12 digits) or, when NULL, random
 * digits; the PVV is recomputed from the PAN (decrypted for the purpose,
 * then wiped) and the PIN try counter reset. out_pin (13 bytes) gets the new
 * PIN (the caller wipes it). Returns POS_OK, POS_ERR_NOT_FOUND,
 * POS_ERR_PIN_LENGTH, POS_ERR_DIGIT, POS_ERR_STATE (lost, stolen or closed
 * card), POS_ERR_AUTH (the stored PAN does not decrypt) or an error. */
int issuer_card_pin_reset(struct store *s, struct issuer_keys *k, int64_t card_id, const char *pin,
                          char out_pin[13], struct pos_errdetail *d);

/* Sets the card's daily amount limit (minor units, >= 0; 0 = none). */
int issuer_card_set_daily_limit(struct store *s, int64_t card_id, int64_t limit);

#endif
