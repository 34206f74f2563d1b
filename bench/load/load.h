/*
 * pos-load: many terminals at once against a real posd (docs/load.md).
 *
 *   input.c  terminals (provisioning files, key blocks unwrapped under the
 *            KTK) and cards (what `pos admin card issue` printed)
 *   hist.c   a log-linear latency histogram (HDR-style fixed buckets)
 *   run.c    the worker threads: one epoll loop each over its terminals'
 *            TCP connections, one request in flight per terminal
 *   main.c   options, the run, the `name value unit` lines
 *
 * Every terminal speaks through libpos posmsg (sans-I/O): this program only
 * frames (2-byte big-endian length), sends, waits, and counts.
 */
#ifndef POS_LOAD_H
#define POS_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "posmsg.h"

#define LOAD_FRAME_MAX    4096
#define LOAD_HIST_BUCKETS (1024 + 32 * 64)

/* One terminal's provisioning, keys in clear (wiped by load_terms_free). */
struct load_term_def {
    char tid[9];
    char mid[16];
    char dialect[8];
    char scheme[12]; /* mksk-tdes | dukpt-tdes */
    char currency[4];
    uint32_t batch;
    uint8_t key[16]; /* TMK or IPEK */
    uint8_t ksn[10]; /* dukpt: initial KSN */
};

struct load_card {
    char pan[20];
    char expiry[5];
    char track2[41];
    char pin[13];
};

/* Reads terminals from every *.json of dir (provisioning files, format
 * pos-provision-1) or from file (a JSON array of provisioning objects, or of
 * objects with clear "tmk" / "ipek"+"ksn" hex for tests). ktk (may be NULL
 * when no key block is met) is the transport key file (32 hex digits).
 * Keeps those matching dialect and scheme (NULL: any). Returns 0 or -1 with
 * a message on stderr. */
int load_terms_read(const char *dir, const char *file, const char *ktk_file, const char *dialect,
                    const char *scheme, struct load_term_def **out, size_t *n);
void load_terms_free(struct load_term_def *t, size_t n);

/* Reads cards: a JSON array or one JSON object a line, each with "pin" and
 * "track2" or "pan"+"expiry". Returns 0 or -1 (message on stderr). */
int load_cards_read(const char *file, struct load_card **out, size_t *n);
void load_cards_free(struct load_card *c, size_t n);

/* Latency histogram in microseconds. */
struct load_hist {
    uint64_t count;
    uint64_t b[LOAD_HIST_BUCKETS];
};
void load_hist_add(struct load_hist *h, uint64_t us);
void load_hist_merge(struct load_hist *into, const struct load_hist *h);
/* The q-quantile (0..1) in microseconds; 0 when empty. */
double load_hist_quantile(const struct load_hist *h, double q);

enum load_mode { LOAD_PURCHASE = 0, LOAD_ECHO = 1 };

struct load_config {
    const char *host; /* "127.0.0.1" */
    unsigned port;
    enum load_mode mode;
    double duration;       /* seconds of sending */
    double drain;          /* seconds to wait for the last answers and reversals */
    double timeout;        /* seconds before a request counts as unanswered */
    uint64_t max_requests; /* 0: no limit */
    int64_t amount;        /* minor units per purchase */
    unsigned threads;
    int record_fd; /* -1: no record */
    const struct load_term_def *terms;
    size_t n_terms;
    const struct load_card *cards;
    size_t n_cards;
};

struct load_stats {
    uint64_t sent, approved, declined, errors, mac_errors, timeouts, disconnects, reversals;
    uint64_t signons;
    struct load_hist hist;
};

/* Runs the load; fills *st (summed over threads) and *elapsed (seconds of
 * the sending phase). Returns 0 or -1. */
int load_run(const struct load_config *c, struct load_stats *st, double *elapsed);

#endif
