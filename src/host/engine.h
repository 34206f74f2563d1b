/*
 * engine: the host's authorization and posting logic (DESIGN.md §3-4), as a
 * unit of work for the group-commit writer (src/store/writer.h).
 *
 * The engine sees facts, not messages: the handler for each dialect parses
 * the ISO 8583 request, checks format and MAC, finds the terminal, decrypts
 * and verifies the PIN (CPU work, outside the writer), and fills a struct
 * engine_request. engine_run then decides and records, inside the writer's
 * transaction, in this order:
 *
 *   1. exactly once: a request already answered (same terminal, STAN,
 *      transmission time and message class) gets its first answer again and
 *      changes nothing; the same key with another amount or processing code
 *      is answered 94 (duplicate transmission) and changes nothing;
 *   2. terminal and merchant active (58), the amount and currency (13);
 *   3. the card: known (14), status (41 lost, 43 stolen, 05 blocked or
 *      closed), expiry (54), PIN (75 tries exhausted, 55 wrong or missing;
 *      a wrong PIN counts a try and blocks at the limit; a right one resets
 *      the count), the account's currency (57) and status (05);
 *   4. limits: the card's daily amount limit (61);
 *   5. funds: available balance (51);
 *   6. the effect: postings (payer, merchant), holds, journal row.
 *
 * Every answered request, approved or declined, leaves one journal row
 * (txns) so a retransmission finds it; only approvals move money. RRNs are
 * the journal row's id as 12 digits (unique per host).
 *
 * Reversals (0400/0420) undo their original once: a second reversal of the
 * same original, or a reversal of an original the host never saw, is
 * approved without moving money; an original that arrives after its own
 * reversal is declined (12) so it never moves money.
 */
#ifndef POSD_ENGINE_H
#define POSD_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

enum engine_kind {
    ENGINE_PURCHASE = 1,   /* 0200, processing code 00 */
    ENGINE_BALANCE,        /* 0200, processing code 31 */
    ENGINE_PREAUTH,        /* 0100, processing code 03 */
    ENGINE_PREAUTH_CANCEL, /* 0100, processing code 20 */
    ENGINE_COMPLETION,     /* 0200, pre-authorization completion */
    ENGINE_VOID,           /* 0200, processing code 20 */
    ENGINE_REFUND,         /* 0220, processing code 20 */
    ENGINE_ADVICE,         /* 0220, offline purchase uploaded from store-and-forward */
    ENGINE_REVERSAL,       /* 0400 / 0420 */
};

enum engine_pin {
    ENGINE_PIN_NONE = 0, /* no PIN in the request */
    ENGINE_PIN_OK,       /* the PIN matched the card's verification value */
    ENGINE_PIN_BAD,      /* a PIN came and did not match */
};

#define ENGINE_STAN_LEN 6
#define ENGINE_TIME_LEN 10 /* field 7, MMDDhhmmss */
#define ENGINE_RRN_LEN 12
#define ENGINE_AUTH_LEN 6

struct engine_request {
    enum engine_kind kind;
    int64_t terminal_id;
    char mti[5];
    char proc_code[7];
    char stan[ENGINE_STAN_LEN + 1];
    char tx_time[ENGINE_TIME_LEN + 1];
    int64_t card_id;   /* 0: the PAN is not a card of this host */
    char expiry[5];    /* YYMM from the card data, "" when none came */
    bool pin_required; /* the card or the amount demands a PIN */
    enum engine_pin pin;
    int64_t amount;    /* minor units of currency */
    uint16_t currency; /* ISO 4217 numeric */
    int64_t batch_no;  /* field 60's batch; 0: the terminal's open batch */
    /* void, cancel, completion, reversal: the original's STAN and time (its
     * time may be "" when the message does not carry it); refund: its RRN */
    char orig_stan[ENGINE_STAN_LEN + 1];
    char orig_tx_time[ENGINE_TIME_LEN + 1];
    char orig_rrn[ENGINE_RRN_LEN + 1];
    char auth_code[ENGINE_AUTH_LEN + 1]; /* the code to give if approved (random) */
    int64_t now_ms;                      /* Unix milliseconds */
    int today_yymm;                      /* e.g. 2611, for expiry */
    int64_t today_day;                   /* days since 1970-01-01 (UTC), for daily limits */
    /* What the caller checked the MAC and the PIN against, when it may have
     * read them from a cache: with check_stamps, a terminal whose working
     * keys differ (signed_on_at, pik_block, mak_block: "" for none) or a
     * card whose PIN verification data differ makes engine_run record
     * nothing and return POS_ERR_STALE; the caller reads the rows again and
     * resubmits. */
    bool check_stamps;
    int64_t term_signed_on_at;
    const char *term_pik_block;
    const char *term_mak_block;
    int64_t card_pvki;
    char card_pvv[8];
    char card_service_code[4];
};

struct engine_response {
    char rc[3];
    char auth_code[ENGINE_AUTH_LEN + 1]; /* "" unless approved */
    char rrn[ENGINE_RRN_LEN + 1];
    int64_t txn_id;     /* the journal row (0 when none was written: 94) */
    bool duplicate;     /* a retransmission answered from the journal */
    bool has_balance;   /* balance inquiry: available funds follow */
    int64_t balance;    /* available funds, minor units of currency */
    uint16_t currency;
    const char *reason; /* why declined (static text, no card data) or NULL */
};

/* Decides and records rq on s, inside the caller's transaction (a writer
 * unit). Returns POS_OK with *rs filled for every answered request, declines
 * included; POS_ERR_STALE (nothing recorded) when rq's stamps no longer hold;
 * another negative error only when the database failed (the writer then
 * rolls the unit back and the handler answers 96). */
int engine_run(struct store *s, const struct engine_request *rq, struct engine_response *rs);

/* The message class used in the exactly-once key: "10" (0100/0110), "20"
 * (0200), "22" (0220/0221), "40" (0400, 0401, 0420, 0421), "50" (0500),
 * "32" (0320), "08" (0800/0820); NULL for an MTI the engine does not key. */
const char *engine_mti_class(const char *mti);

/* The engine's name for a kind ("purchase", "void", ...). */
const char *engine_kind_name(enum engine_kind kind);

#endif
