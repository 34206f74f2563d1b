/*
 * proto: the host side of the terminal-host protocol (docs/protocol.md) as
 * pure functions over bytes: parse a request into the facts the engine and
 * settlement need, check its MAC, and build the reply (MAC'd) in the
 * request's dialect. No I/O, no database, no allocation: the glue
 * (app_iso.c) owns the frame buffer, the keys and the threads.
 *
 * A struct proto_req holds views into the frame it was parsed from (the
 * frame must outlive it) and copies of a few short fields. It holds the PAN
 * and the PIN block of the request: proto_req_clear wipes them.
 */
#ifndef POSD_PROTO_H
#define POSD_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/mac.h"
#include "host/engine.h"
#include "host/settle.h"
#include "iso8583.h"

enum proto_op {
    PROTO_UNSUPPORTED = 0, /* a request MTI or processing code the host does not serve: 12 */
    PROTO_SIGNON,          /* 0800 */
    PROTO_ECHO,            /* 0820 */
    PROTO_ENGINE,          /* financial: see kind */
    PROTO_SETTLE,          /* 0500 */
    PROTO_UPLOAD,          /* 0320 */
};

#define PROTO_PAN_MAX 19
#define PROTO_REPLY_MAX 2048

struct proto_req {
    const struct iso8583_dialect *d;
    struct iso8583_msg m;
    enum proto_op op;
    enum engine_kind kind; /* PROTO_ENGINE */
    char mti[5];
    char proc[7];
    char stan[7];
    char tx_time[11]; /* field 7, or 13 + 12 */
    char tid[9];
    char mid[16];
    char cond[3];  /* field 25 */
    char entry[4]; /* field 22 */
    bool has_amount;
    int64_t amount;
    uint16_t currency;
    bool has_card;
    char pan[PROTO_PAN_MAX + 1]; /* secret: wiped by proto_req_clear */
    size_t pan_len;
    char expiry[5];
    bool has_pin;
    uint8_t pinblock[8]; /* secret */
    bool has_ksn;
    uint8_t ksn[10];
    bool has_mac;
    int64_t batch_no; /* field 60.2; 0 when absent */
    char orig_stan[7];
    char orig_time[11];
    char orig_rrn[13];
    bool has_totals;
    struct settle_totals totals; /* field 48 of a 0500 */
};

/* The reply's variable part. */
struct proto_reply {
    char rc[3];
    const char *rrn;       /* field 37, or NULL */
    const char *auth_code; /* field 38, or NULL / "" */
    bool has_balance;      /* field 54 */
    int64_t balance;
    uint16_t currency;
    const uint8_t *f62; /* 0810 working keys */
    size_t f62_len;
    bool has_settle; /* field 48: the request's totals + 1 (balanced) or 2 */
    bool balanced;
    int64_t batch_no; /* field 60.2 of the reply when > 0 (sign-on, settlement) */
};

/* How a message is MACed: alg and key (16 bytes for both wire schemes). */
struct proto_mac {
    enum mac_alg alg;
    const uint8_t *key;
    size_t key_len;
    struct mac_ctx *ctx; /* NULL, or a context already keyed with alg and key
                          * (reused: no cipher contexts built per message) */
};

/* Parses frame (len bytes) in dialect d. Returns POS_OK when the message
 * decoded: *rc is then "" (good) or the code to answer at once ("30" a field
 * missing or malformed, "12" unsupported). A negative error when it does not
 * decode at all (det says where): no reply is possible. */
int proto_parse(const struct iso8583_dialect *d, const uint8_t *frame, size_t len,
                struct proto_req *r, char rc[3], struct pos_errdetail *det);

/* Wipes the request's secrets. */
void proto_req_clear(struct proto_req *r);

/* Checks the request's MAC (field 64) over the frame it was parsed from.
 * POS_OK, POS_ERR_MAC_MISMATCH (absent or wrong), or a crypto error. */
int proto_mac_verify(const struct proto_req *r, const uint8_t *frame, const struct proto_mac *mac);

/* Builds the reply to r (MTI + 10, echoing 3, 4, 7, 11, 12, 13, 25, 41, 42,
 * 49 and 60, with 37, 38, 39, 48, 54, 62 from rp) into out (cap bytes);
 * MACs it when mac is not NULL. cup replies swap the TPDU's addresses. */
int proto_reply_encode(const struct proto_req *r, const struct proto_reply *rp,
                       const struct proto_mac *mac, uint8_t *out, size_t cap, size_t *out_len);

/* One-line masked summary of r for logs (PAN masked, no track or PIN). */
void proto_req_describe(const struct proto_req *r, char *out, size_t cap);

#endif
