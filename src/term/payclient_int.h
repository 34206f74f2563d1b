/* payclient_int: what the payclient_*.c files share (not a public API). */
#ifndef POS_TERM_PAYCLIENT_INT_H
#define POS_TERM_PAYCLIENT_INT_H

#include "crypto/panprot.h"
#include "term/payclient.h"

struct payclient {
    struct store *db; /* borrowed */
    struct posmsg_terminal t;
    bool t_live; /* t initialised */
    struct panprot_keys pk;
    struct payclient_identity id;
    uint16_t currency;
    uint8_t initial_ksn[DUKPT_KSN_LEN];
    int fd; /* -1: not connected */
    int timeout_ms;
    int64_t floor_limit;
};

/* A journal row to record (payclient_journal.c). */
struct payclient__entry {
    enum posmsg_kind kind;
    uint32_t batch, stan;
    char when[11];
    int64_t amount;
    char pan_masked[20];
    char expiry[5];
    uint8_t pan_enc[PANPROT_STORED_MAX];
    size_t pan_enc_len; /* 0: no encrypted PAN */
    uint8_t lookup[PANPROT_LOOKUP_LEN];
    const char *status;
    int64_t orig_id; /* 0: none */
    int64_t sale_id;   /* 0: none */
    const char *entry; /* "swipe", "chip", "keyed"; NULL: no card read */
};

/* payclient_journal.c */
const char *payclient__kind_text(enum posmsg_kind k);
int payclient__save_counters(struct payclient *pc);
int payclient__journal_add(struct payclient *pc, const struct payclient__entry *e, int64_t *id);
int payclient__journal_answer(struct payclient *pc, int64_t id, const char *status,
                              const struct posmsg_reply *r);
int payclient__reversal_add(struct payclient *pc, int64_t journal_id, const struct posmsg_sent *s);
int payclient__find_orig(struct payclient *pc, uint32_t batch, uint32_t stan, int64_t *id,
                         int64_t *amount, char date[5], char kind[12], char status[10]);

/* payclient_net.c: the wire. payclient__exchange sends msg (len bytes) and
 * waits for the reply to sent, reading until a frame passes
 * posmsg_reply_check or the timeout. Returns the outcome; *r is the reply
 * when PAYCLIENT_ANSWERED. connected: whether a connection existed or
 * could be made first (else PAYCLIENT_UNREACHABLE, nothing sent). */
int payclient__connect(struct payclient *pc);
void payclient__disconnect(struct payclient *pc);
enum payclient_outcome payclient__exchange(struct payclient *pc, const uint8_t *msg, size_t len,
                                           const struct posmsg_sent *sent,
                                           struct posmsg_reply *r);

/* The local time MMDDhhmmss into out (11 bytes). */
void payclient__when(char out[11]);

#endif
