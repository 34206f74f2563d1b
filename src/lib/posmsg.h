/*
 * posmsg: the terminal side of the terminal-host protocol (docs/protocol.md)
 * as pure functions over bytes: build a terminal's requests, check the
 * host's replies. Used by the `pos` terminal and by `pos-load`.
 *
 * Dialects: every built-in one (iso87a, iso87b, cup; iso8583.h). Field usage
 * follows docs/protocol.md, itself the China UnionPay POS terminal message
 * conventions (中国银联 POS 终端规范): field 60 = 60.1 message type code n2,
 * 60.2 batch n6, 60.3 network management code n3; field 61 = original batch,
 * STAN and date; cup carries 12/13 for the time, iso87a/iso87b 7, 12 and 13;
 * a reversal repeats the original's 3, 4, 11, 12, 13 in cup and names it in
 * field 90 (ISO 8583:1987 "original data elements") in iso87a/iso87b.
 *
 * Key schemes on the wire:
 *   POSMSG_MKSK_TDES   master/session: a TDES terminal master key (TMK);
 *                      the 0810 sign-on reply carries the PIN and MAC
 *                      working keys in field 62 (sesskey.h), loaded only
 *                      after every check value verifies. PIN blocks ISO
 *                      9564-1:2017 §9.3.2 format 0 under the PIK (TDES
 *                      ECB); MACs the UnionPay POS ECB MAC under the MAK
 *                      (mac.h MAC_CUP_ECB) both ways.
 *   POSMSG_DUKPT_TDES  ANSI X9.24-1-2009 DUKPT: each MACed request takes the
 *                      device's next transaction key (dukpt.h); the PIN
 *                      block is format 0 under its PIN variant, the MAC ANSI
 *                      X9.19 (ISO/IEC 9797-1 MAC algorithm 3, padding 1)
 *                      under its MAC-request variant, the reply's MAC under
 *                      the MAC-response variant of the same KSN. The KSN
 *                      rides in field 62: 10 bytes where 62 is binary (cup),
 *                      20 uppercase hex characters where it is text (iso87a,
 *                      iso87b).
 * Sign-on (0800) and echo (0820) carry no MAC; every other request does, and
 * its reply must.
 *
 * MAC procedure (docs/protocol.md): field 64 set to 8 zero bytes, encode,
 * compute over iso8583_mac_span (MTI up to field 64, TPDU and header
 * excluded), patch the 8 bytes (16 hex characters in iso87a).
 *
 * Sans-I/O: no sockets, no clock (the caller passes the local time of every
 * request), no allocation besides OpenSSL's cipher contexts held by the
 * terminal. A struct posmsg_terminal belongs to one thread at a time.
 *
 * Secrets: the TMK, working keys and DUKPT registers live in the terminal
 * struct and are wiped by posmsg_terminal_clear; PINs, PANs, tracks and clear
 * PIN blocks pass through the stack and are wiped on every path; a struct
 * posmsg_sent holds the DUKPT MAC-response key of its request (wipe it with
 * posmsg_sent_clear). Error details name fields and offsets, never values.
 */
#ifndef POS_POSMSG_H
#define POS_POSMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/block.h"
#include "crypto/dukpt.h"
#include "crypto/mac.h"
#include "crypto/sesskey.h"
#include "iso8583.h"

struct pos_errdetail;

#define POSMSG_MAX      1024 /* enough for any request or reply posmsg builds */
#define POSMSG_ICC_MAX  255  /* chip data bytes (field 55) */
#define POSMSG_STAN_MAX 999999u
#define POSMSG_KEY_LEN  16 /* TMK, IPEK: double-length TDES */

enum posmsg_scheme {
    POSMSG_MKSK_TDES = 1,
    POSMSG_DUKPT_TDES = 2,
};

/* What a request is (docs/protocol.md "Messages"). */
enum posmsg_kind {
    POSMSG_SIGNON = 1,     /* 0800 */
    POSMSG_ECHO,           /* 0820 */
    POSMSG_PURCHASE,       /* 0200 000000 */
    POSMSG_BALANCE,        /* 0200 310000 */
    POSMSG_PREAUTH,        /* 0100 030000, 25=06 */
    POSMSG_PREAUTH_CANCEL, /* 0100 200000, 25=06, 61 */
    POSMSG_COMPLETION,     /* 0200 000000, 25=06, 61 */
    POSMSG_VOID,           /* 0200 200000, 61 */
    POSMSG_REFUND,         /* 0220 200000, 37 = original RRN, 61 */
    POSMSG_ADVICE,         /* 0220 000000, an offline purchase (no PIN) */
    POSMSG_REVERSAL,       /* 0400 or 0420: posmsg_build_reversal */
    POSMSG_SETTLE,         /* 0500, 48 = totals */
    POSMSG_UPLOAD,         /* 0320, one transaction of the batch */
};

/* A terminal: caller-owned (stack or heap), fields private. */
struct posmsg_terminal {
    const struct iso8583_dialect *d;
    enum posmsg_scheme scheme;
    char tid[9];
    char mid[16];
    char currency[4]; /* ISO 4217 numeric, 3 digits */
    uint32_t batch;   /* 1..999999 */
    uint32_t stan;    /* the last STAN used; 0: none yet */
    bool signed_on;   /* mksk: working keys loaded */
    uint8_t tmk[POSMSG_KEY_LEN];
    struct block_key pik; /* mksk: PIN key; dukpt: re-keyed per transaction */
    struct mac_ctx mak;   /* mksk: MAK (cup-ecb); dukpt: MAC-request key (x9.19) */
    struct mac_ctx rsp;   /* dukpt: MAC-response key, re-keyed per reply */
    bool has_pik, has_mak, has_rsp;
    struct dukpt_device dukpt;
};

/* The card of a request. Exactly one of track2 and pan (with expiry);
 * icc adds chip data. All strings NUL-terminated, owned by the caller. */
struct posmsg_card {
    const char *track2; /* "PAN=YYMMSSS..." (swipe; the track 2 equivalent of a chip card) */
    const char *pan;    /* keyed PAN (12..19 digits), used when track2 is NULL */
    const char *expiry; /* keyed: YYMM */
    const uint8_t *icc; /* EMV data (BER-TLV) for field 55, or NULL */
    size_t icc_len;     /* 1..POSMSG_ICC_MAX */
    bool contactless;   /* chip data read contactless: entry mode 07 (else 05) */
    const char *pin;    /* 4..12 digits, or NULL: no PIN (field 52 absent) */
};

/* The original of a void, completion, pre-auth cancel or refund (field 61,
 * and field 37 for a refund). */
struct posmsg_orig {
    uint32_t batch;   /* 1..999999 */
    uint32_t stan;    /* 1..999999 */
    const char *date; /* MMDD */
    const char *rrn;  /* refund: the original's 12-character RRN */
};

/* Settlement totals (field 48 of the 0500). */
struct posmsg_totals {
    uint32_t debit_count; /* 0..999 */
    int64_t debit_amount; /* 0..999999999999 minor units */
    uint32_t credit_count;
    int64_t credit_amount;
};

/* A request to build (posmsg_build). */
struct posmsg_request {
    enum posmsg_kind kind;          /* any but POSMSG_REVERSAL */
    const char *when;               /* local time MMDDhhmmss (10 digits): 7, 12, 13 */
    int64_t amount;                 /* minor units of the terminal's currency, 1..999999999999 */
    const struct posmsg_card *card; /* required for purchase, balance, pre-auth, advice,
                                     * upload; optional for the others */
    const struct posmsg_orig *orig; /* void, completion, cancel, refund */
    const struct posmsg_totals *totals; /* settle */
    uint32_t upload_stan;    /* upload: the uploaded transaction's STAN (its `when` is when) */
    const char *upload_proc; /* upload: its processing code; NULL: "000000" */
};

/* What a built request was: kept by the caller to check the reply and, if
 * no good reply comes, to reverse it. Holds a key: posmsg_sent_clear. */
struct posmsg_sent {
    enum posmsg_kind kind;
    char mti[5];
    char proc[7];  /* "" when field 3 is absent */
    char stan[7];  /* field 11 as sent */
    char when[11]; /* MMDDhhmmss as sent */
    char cond[3];  /* field 25, "" when absent */
    char f60[20];  /* field 60 as sent, "" when absent */
    bool has_amount;
    int64_t amount;
    bool mac; /* the request is MACed: so must the reply be */
    bool has_ksn;
    uint8_t ksn[DUKPT_KSN_LEN];
    uint8_t mac_rsp[POSMSG_KEY_LEN]; /* dukpt: the reply's MAC key (secret) */
};

/* What a reply said (posmsg_reply_check). Text fields NUL-terminated, ""
 * when absent. */
struct posmsg_reply {
    char mti[5];
    char rc[3];       /* field 39 */
    char rrn[13];     /* 37 */
    char auth[7];     /* 38 */
    bool has_balance; /* 54: available balance */
    int64_t balance;  /* minor units, negative for 'D' */
    uint16_t balance_currency;
    int settle_result; /* 48's last digit: 1 balanced, 2 not; 0 absent */
    uint32_t batch;    /* 60.2, 0 when absent */
    bool keys_loaded;  /* an 0810 whose working keys were loaded */
};

/* ---- terminal ---- */

/* Sets up t for a master/session terminal: dialect name ("cup", "iso87a",
 * "iso87b"), TID (8 printable characters), MID (15), currency (ISO 4217
 * numeric, 3 digits), batch (1..999999), TMK (16 bytes, copied; the caller
 * wipes its own). The STAN starts at 0 (first request 000001). Returns
 * POS_OK, POS_ERR_INVAL (d names the parameter) or POS_ERR_KEY_LENGTH; t is
 * cleared on failure. */
int posmsg_terminal_init_mksk(struct posmsg_terminal *t, const char *dialect, const char *tid,
                              const char *mid, const char *currency, uint32_t batch,
                              const uint8_t *tmk, size_t tmk_len, struct pos_errdetail *d);

/* Same for a DUKPT terminal: the IPEK (16 bytes) and the KSN (10 bytes) of
 * the next transaction (counter 0: the initial KSN, the first transaction
 * uses counter 1). Adds POS_ERR_KSN and POS_ERR_CRYPTO. */
int posmsg_terminal_init_dukpt(struct posmsg_terminal *t, const char *dialect, const char *tid,
                               const char *mid, const char *currency, uint32_t batch,
                               const uint8_t *ipek, size_t ipek_len, const uint8_t *ksn,
                               struct pos_errdetail *d);

/* Wipes every key of t and releases its contexts (t may be zeroed). */
void posmsg_terminal_clear(struct posmsg_terminal *t);

/* The last STAN used (0: none) / sets it (0..999999, e.g. restored from a
 * journal; POS_ERR_RANGE otherwise). */
uint32_t posmsg_terminal_stan(const struct posmsg_terminal *t);
int posmsg_terminal_set_stan(struct posmsg_terminal *t, uint32_t stan);

/* The batch number / sets it (1..999999, after a settlement; POS_ERR_RANGE). */
uint32_t posmsg_terminal_batch(const struct posmsg_terminal *t);
int posmsg_terminal_set_batch(struct posmsg_terminal *t, uint32_t batch);

/* true when t can send MACed requests: mksk after a good sign-on, dukpt
 * always (while its counter lasts). */
bool posmsg_terminal_is_ready(const struct posmsg_terminal *t);

/* The DUKPT counter the next MACed request will use (0: exhausted or mksk). */
uint32_t posmsg_terminal_dukpt_counter(const struct posmsg_terminal *t);

/* ---- requests ---- */

/* Builds the request rq for t into out (cap bytes; POSMSG_MAX suffices);
 * *out_len gets its length and *sent what the reply check and a reversal
 * need. Takes the next STAN (and DUKPT KSN) only on success: bad input
 * changes nothing. Returns POS_OK or: POS_ERR_INVAL (a missing or malformed
 * parameter; d names it), POS_ERR_STATE (mksk not signed on),
 * POS_ERR_RANGE (amount, counts), POS_ERR_CARD_TRACK, POS_ERR_CARD_PAN,
 * POS_ERR_PIN_LENGTH, POS_ERR_DIGIT, POS_ERR_NOSPACE, POS_ERR_DUKPT_EXHAUSTED,
 * a codec error, or POS_ERR_CRYPTO. out and *sent are wiped on failure. */
int posmsg_build(struct posmsg_terminal *t, const struct posmsg_request *rq, uint8_t *out,
                 size_t cap, size_t *out_len, struct posmsg_sent *sent, struct pos_errdetail *d);

/* Builds the reversal of orig (a request built by posmsg_build that took
 * money or a hold: purchase, pre-auth, completion, void, refund, advice):
 * 0400, or 0420 when advice is true (a repeat after a first reversal got no
 * answer). cup: the original's 3, 4, 11, 12, 13, 25, 49 and 60; iso87a and
 * iso87b: its 3, 4, 25, 49, 60, a new STAN and time `when`, and field 90
 * naming the original's MTI, STAN and time. MACed. Returns as posmsg_build
 * (POS_ERR_INVAL for an original that cannot be reversed). */
int posmsg_build_reversal(struct posmsg_terminal *t, const struct posmsg_sent *orig, bool advice,
                          const char *when, uint8_t *out, size_t cap, size_t *out_len,
                          struct posmsg_sent *sent, struct pos_errdetail *d);

/* Wipes s. */
void posmsg_sent_clear(struct posmsg_sent *s);

/* ---- replies ---- */

/* Checks the host's reply buf (len bytes) to the request sent and fills *r:
 * decoded in t's dialect; MTI the request's + 10 (0200 -> 0210); the same
 * STAN (11), terminal (41), merchant (42), processing code (3) and amount
 * (4) where the reply carries them; field 39 present; the MAC (64) verified
 * when the request was MACed; approved purchases, pre-auths and completions
 * carry an RRN. An approved 0810 loads the working keys of field 62 (mksk,
 * every check value verified, else nothing is loaded) and its batch.
 * Returns POS_OK, or: POS_ERR_MSG_FORMAT (undecodable, or a field missing
 * or malformed: d says which), POS_ERR_MSG_MTI, POS_ERR_MSG_MISMATCH
 * (STAN, terminal, ...: d names the field), POS_ERR_MAC_MISMATCH (absent or
 * wrong: the terminal must treat the reply as never received, and reverse),
 * POS_ERR_KCV_MISMATCH or POS_ERR_LENGTH (0810 keys), POS_ERR_INVAL,
 * POS_ERR_CRYPTO. On POS_ERR_MAC_MISMATCH r->rc holds the unauthenticated
 * code, for logs only; on other errors *r is zeroed. */
int posmsg_reply_check(struct posmsg_terminal *t, const struct posmsg_sent *sent,
                       const uint8_t *buf, size_t len, struct posmsg_reply *r,
                       struct pos_errdetail *d);

/* true when r is an approval (response code 00). */
bool posmsg_reply_is_approved(const struct posmsg_reply *r);

/* "purchase", "sign-on", ...; "unknown" for another value. */
const char *posmsg_kind_name(enum posmsg_kind k);

#endif
