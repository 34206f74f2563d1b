/*
 * payclient: the terminal's payment client (DESIGN.md §5, issue 5): its
 * identity and keys, card payments to posd over TCP (docs/protocol.md,
 * built and checked by posmsg.h), reversals, store-and-forward and
 * settlement. User documentation: docs/payments.md.
 *
 * Durability rules, all kept in the terminal store (schema version 3,
 * tschema_pay.c), each committed BEFORE the bytes it protects are sent:
 *   - the STAN, batch and DUKPT counter move on in the same transaction
 *     that records the request, so no STAN is ever used twice;
 *   - a request that may move money (purchase, pre-auth, cancel,
 *     completion, void, refund, advice) is a journal row `pending` plus a
 *     pending reversal; a good (MAC-verified) answer records the outcome
 *     and clears the reversal in one transaction;
 *   - an answer that never came (timeout, connection lost, bad MAC) leaves
 *     the reversal pending: it is sent (0400, then 0420 repeats) before any
 *     other request of any later session, until the host answers it;
 *   - a purchase the host cannot be reached for (nothing was sent) at or
 *     under the floor limit (setting pay.floor_limit, minor units, 0 = off)
 *     is approved offline (auth code "Y1" + 4 STAN digits) and queued;
 *     payclient_flush_saf uploads each as an 0220 advice with its own STAN
 *     and time, so a resent advice is answered from the host's journal.
 *
 * Keys at rest: the TMK (mksk-tdes) or IPEK (dukpt-tdes) from the
 * provisioning file, and an AES-256-GCM data key + HMAC key (panprot.h) for
 * the PANs store-and-forward and batch upload need, each a TR-31 version D
 * block under the terminal's LMK (lmk.h). Working keys (mksk) live only in
 * memory: a session signs on before its first MACed request. The journal
 * keeps masked PANs; the PAN of an entry of the open batch is kept only
 * encrypted, and dropped when the batch settles. Track data, PINs and PIN
 * blocks are never stored.
 *
 * Settings: pay.timeout_ms (default 30000: connect and each answer),
 * pay.floor_limit (default 0).
 *
 * A struct payclient is an opaque session owned by one thread; it borrows
 * the store connection, which must outlive it.
 */
#ifndef POS_TERM_PAYCLIENT_H
#define POS_TERM_PAYCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/lmk.h"
#include "error.h"
#include "posmsg.h"
#include "store/store.h"

#define PAYCLIENT_TIMEOUT_DEFAULT_MS 30000
#define PAYCLIENT_HOST_MAX           127
#define PAYCLIENT_RECONNECTS         3 /* connect attempts, 100 ms back-off doubling */

struct payclient;

/* What a provisioning file said (docs/admin.md, format pos-provision-1). */
struct payclient_identity {
    char tid[9];
    char mid[16];
    char merchant_name[64];
    char currency[4]; /* numeric, 3 digits */
    char dialect[8];
    char scheme[12]; /* "mksk-tdes" or "dukpt-tdes" */
    char host[PAYCLIENT_HOST_MAX + 1];
    uint32_t batch;
    uint32_t stan;
    char key_kcv[7];
    char ksn[21]; /* dukpt: the next KSN, hex; "" for mksk */
};

/* payclient_status's answer. */
struct payclient_status {
    struct payclient_identity id;
    char lmk_kcv[7]; /* "" unless an LMK was given */
    int64_t pending_reversals;
    int64_t saf_count;
    int64_t batch_count; /* approved entries of the open batch */
};

/* A card operation (payclient_run). Strings NUL-terminated, caller-owned. */
struct payclient_op {
    enum posmsg_kind kind; /* PURCHASE, BALANCE, PREAUTH, PREAUTH_CANCEL,
                            * COMPLETION, VOID, REFUND */
    int64_t amount;        /* minor units; VOID: 0 = the original's amount */
    const char *track2;    /* a card: track2, or pan + expiry; optional for void */
    const char *pan;
    const char *expiry;
    const char *pin;       /* or NULL */
    uint32_t orig_stan;    /* void, completion, cancel: the original's STAN (this batch) */
    const char *orig_rrn;  /* refund: the original's RRN */
    const uint8_t *icc;    /* chip data (BER-TLV) for field 55, or NULL */
    size_t icc_len;        /* 1..POSMSG_ICC_MAX when icc is set */
    int64_t sale_id;       /* > 0: pay_journal.sale_id of the row, written with it
                            * before anything is sent (sale_pay.c) */
};

/* The outcome of an operation. */
struct payclient_result {
    char status[10]; /* approved, declined, offline, failed (no good answer) */
    char rc[3];      /* field 39; "" when none */
    char rrn[13];
    char auth[7];
    char pan_masked[20];
    uint32_t stan;
    uint32_t batch;
    int64_t amount;
    int64_t journal_id;
    bool has_balance;
    int64_t balance;
    int reversals_sent; /* pending reversals cleared first */
};

/* Settlement outcome. */
struct payclient_settle_result {
    uint32_t batch;     /* the batch settled */
    uint32_t new_batch; /* the batch now open */
    struct posmsg_totals totals;
    bool balanced;
    bool uploaded; /* an 0320 upload was needed */
    int upload_count;
    int reversals_sent;
    int saf_sent;
};

/* Loads a provisioning file (json, len bytes) into db: checks its format,
 * unwraps its key with the KTK (16 bytes; usage K0 mode D for a TMK, B1
 * mode X for an IPEK) and checks both check values, re-wraps it under lmk,
 * makes the PAN-protection keys, and records the identity with host (NULL:
 * the file's host). Refuses a store already provisioned (POS_ERR_STATE).
 * One transaction: on any failure nothing is written. Returns POS_OK,
 * POS_ERR_SYNTAX/POS_ERR_INVAL (bad file; d names the field),
 * POS_ERR_KCV_MISMATCH, POS_ERR_KEYBLOCK_MAC (wrong KTK), POS_ERR_KEY_USAGE,
 * POS_ERR_STATE, POS_ERR_DB, POS_ERR_CRYPTO. */
int payclient_provision(struct store *db, const struct lmk *lmk, const char *json, size_t len,
                        const uint8_t *ktk, size_t ktk_len, const char *host,
                        struct pos_errdetail *d);

/* Reads the identity and counters (no key needed). POS_ERR_NOT_FOUND when
 * the store is not provisioned. */
int payclient_status(struct store *db, struct payclient_status *st, struct pos_errdetail *d);

/* Opens a session on db: unwraps the keys under lmk, restores STAN, batch
 * and DUKPT counter, reads the settings. No connection yet. *out is freed
 * with payclient_close. Returns POS_OK, POS_ERR_NOT_FOUND (not
 * provisioned), POS_ERR_KEYBLOCK_MAC (wrong LMK), POS_ERR_NOMEM, ... */
int payclient_open(struct store *db, const struct lmk *lmk, struct payclient **out,
                   struct pos_errdetail *d);

/* Closes the connection, wipes every key, frees pc (NULL: no-op). */
void payclient_close(struct payclient *pc);

/* Sets the host address "HOST:PORT" of this session (not stored). */
int payclient_set_host(struct payclient *pc, const char *host);

/* Signs on (mksk: 0800, loads the working keys and the host's batch; dukpt:
 * an echo test). POS_OK with res->status approved or declined; POS_ERR_IO
 * when the host cannot be reached; other errors as payclient_run. */
int payclient_signon(struct payclient *pc, struct payclient_result *res, struct pos_errdetail *d);

/* Runs op: first every pending reversal (a reversal still unanswered makes
 * op fail with POS_ERR_STATE and nothing sent), then op. A host answer 77
 * signs on again and retries once. An unreachable host gives an offline
 * approval (purchases under the floor limit) or POS_ERR_IO. POS_OK means an
 * answer was recorded in res (approved, declined or offline); a lost
 * answer is POS_ERR_IO with res->status "failed" and the reversal pending.
 * Bad input: POS_ERR_INVAL/POS_ERR_CARD_* and nothing changes (nothing
 * sent, no STAN taken). */
int payclient_run(struct payclient *pc, const struct payclient_op *op,
                  struct payclient_result *res, struct pos_errdetail *d);

/* Sends every pending reversal (0400 first, 0420 for a repeat) until each
 * is answered; *sent gets how many were cleared. POS_ERR_IO when the host
 * cannot be reached or one stays unanswered (it stays pending). */
int payclient_flush_reversals(struct payclient *pc, int *sent, struct pos_errdetail *d);

/* Uploads every queued offline purchase as an 0220 advice (pending
 * reversals first); each is dequeued when the host answers it. *sent gets
 * the count. POS_ERR_IO as payclient_flush_reversals. */
int payclient_flush_saf(struct payclient *pc, int *sent, struct pos_errdetail *d);

/* Settles the open batch: reversals and the queue first, then an 0500 with
 * the journal's totals; unbalanced: every entry of the batch uploaded
 * (0320), then an 0500 again. Balanced: the batch number moves on and the
 * batch's encrypted PANs are dropped. POS_OK with res->balanced false when
 * still not balanced after the upload. */
int payclient_settle(struct payclient *pc, struct payclient_settle_result *res,
                     struct pos_errdetail *d);

/* The totals of a batch from the journal: debits are approved or offline
 * purchases, completions and advices not voided or reversed; credits
 * approved refunds not reversed. */
int payclient_totals(struct store *db, uint32_t batch, struct posmsg_totals *t,
                     struct pos_errdetail *d);

/* ---- the state machine's decisions (pure) ---- */

/* What happened to one request. */
enum payclient_outcome {
    PAYCLIENT_ANSWERED = 1, /* a reply that passed posmsg_reply_check */
    PAYCLIENT_UNREACHABLE,  /* no connection: nothing was sent */
    PAYCLIENT_LOST,         /* sent; no answer, connection lost or bad MAC */
};

enum payclient_action {
    PAYCLIENT_RECORD = 1, /* record the answer, clear the reversal */
    PAYCLIENT_RESIGN,     /* 77: sign on again and retry once */
    PAYCLIENT_REVERSE,    /* keep the reversal pending: reverse before anything else */
    PAYCLIENT_OFFLINE,    /* approve offline and queue an advice */
    PAYCLIENT_REFUSE,     /* host down, no offline approval: fail, nothing recorded */
};

/* The action for kind after outcome; rc is the answer's field 39 (may be
 * NULL unless answered), retried whether this was already the retry after
 * a sign-on; amount and floor_limit (0 = no offline approvals) decide an
 * offline approval (purchases only; a PIN entered is not verified offline). */
enum payclient_action payclient_decide(enum posmsg_kind kind, enum payclient_outcome outcome,
                                       const char *rc, bool retried, int64_t amount,
                                       int64_t floor_limit);

/* true for the kinds that may move money or a hold (reversed when lost). */
bool payclient_kind_is_reversible(enum posmsg_kind kind);

#endif
