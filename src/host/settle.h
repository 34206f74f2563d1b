/*
 * settle: a terminal's batch settlement (结算, ISO 8583 0500/0510) against the
 * host's journal (DESIGN.md §3-4), as a group-commit unit like the engine.
 *
 * The host's totals of a terminal's batch: debits are the approved
 * purchases, pre-authorization completions and advices (offline purchases)
 * of that batch that were not voided or reversed; credits are its approved
 * refunds not reversed. Voids and reversals count by removing their
 * original; balance inquiries, pre-authorizations and cancels move nothing
 * to settle.
 *
 * settle_run compares the terminal's totals with the host's. Balanced: the
 * batch is closed (batches row), the terminal's batch number moves to the
 * next one, and the merchant's fee (MDR in basis points of the net amount,
 * rounded half up: money_fee_bps) is posted from the merchant's settlement
 * account to the host's fee income account. Unbalanced: the batch stays
 * open; the terminal uploads its transactions (0320) and settles again.
 * A settlement already answered (same terminal, STAN, transmission time) is
 * answered again from the journal; settling a batch that is already closed
 * answers balanced and changes nothing.
 */
#ifndef POSD_SETTLE_H
#define POSD_SETTLE_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

struct settle_totals {
    int64_t debit_count;
    int64_t debit_amount;
    int64_t credit_count;
    int64_t credit_amount;
};

struct settle_request {
    int64_t terminal_id;
    char mti[5];
    char stan[7];
    char tx_time[11];
    int64_t batch_no;
    uint16_t currency;
    struct settle_totals terminal; /* what the terminal counted */
    int64_t now_ms;
};

struct settle_response {
    char rc[3];           /* "00" answered (see balanced), else a decline */
    bool balanced;
    bool duplicate;       /* answered from the journal */
    struct settle_totals host;
    int64_t fee;          /* posted when the batch closed now */
    int64_t next_batch;   /* the terminal's batch number after this */
    int64_t txn_id;       /* the journal row of this settlement */
};

/* The host's totals of terminal_id's batch batch_no. */
int settle_totals(struct store *s, int64_t terminal_id, int64_t batch_no, struct settle_totals *t);

/* true when both totals are equal. */
bool settle_totals_equal(const struct settle_totals *a, const struct settle_totals *b);

/* Settles (see above) inside the caller's transaction. POS_OK with *rs for
 * every answer; an error only when the database failed. Declines: 58 unknown
 * or inactive terminal, 13 wrong currency or negative totals, 30 incomplete
 * request key, 94 the same key for another request. */
int settle_run(struct store *s, const struct settle_request *rq, struct settle_response *rs);

#endif
