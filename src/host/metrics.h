/*
 * metrics: posd's counters, gauges and histograms, and their Prometheus text
 * exposition (format version 0.0.4, as specified in the Prometheus
 * documentation "Exposition formats", section "Text-based format").
 *
 * Updates are lock-free (C11 atomics, relaxed order: each value is exact,
 * a scrape is not a consistent snapshot across values) and allocate
 * nothing, so any thread (the loop, workers, the HTTP thread) may update or
 * scrape at any time. Label sets are bounded: posd_requests_total is a fixed
 * table keyed by request MTI x response code (values outside the table are
 * counted under "other"), so no peer can grow the process's memory.
 *
 * Families (names are stable: dashboards depend on them):
 *   the simple ones of METRICS_SIMPLE below (connections, frames, ...);
 *   posd_requests_total{mti,rc}           counter
 *   posd_request_duration_seconds         histogram, buckets 0.0005 .. 1 s
 *   posd_commit_batch_size                histogram, buckets 1 .. 512
 */
#ifndef POSD_METRICS_H
#define POSD_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* X(id, name, type, help): the families with one unlabelled value. Append
 * new ones at the end. type is "counter" or "gauge". */
#define METRICS_SIMPLE(X)                                                                          \
    X(METRICS_CONNECTIONS, "posd_connections", "gauge", "Terminal connections open now.")          \
    X(METRICS_CONN_ACCEPTED, "posd_connections_accepted_total", "counter",                         \
      "Terminal connections accepted.")                                                            \
    X(METRICS_CONN_CLOSED, "posd_connections_closed_total", "counter",                             \
      "Terminal connections closed, for any reason.")                                              \
    X(METRICS_CONN_REJECTED, "posd_connections_rejected_total", "counter",                         \
      "Connections refused because the connection limit was reached.")                             \
    X(METRICS_IDLE_TIMEOUTS, "posd_idle_timeouts_total", "counter",                                \
      "Connections closed after the idle timeout.")                                                \
    X(METRICS_FRAMES_IN, "posd_frames_received_total", "counter", "Frames received.")              \
    X(METRICS_FRAMES_OUT, "posd_frames_sent_total", "counter", "Frames queued for sending.")       \
    X(METRICS_FRAMES_OVERSIZE, "posd_frames_oversize_total", "counter",                            \
      "Connections closed for a length prefix over the frame limit.")                              \
    X(METRICS_FRAMES_INVALID, "posd_frames_invalid_total", "counter",                              \
      "Connections closed for a malformed length prefix.")                                         \
    X(METRICS_BACKPRESSURE_CLOSES, "posd_backpressure_closes_total", "counter",                    \
      "Connections closed because their unsent bytes exceeded the hard cap.")                      \
    X(METRICS_TLS_FAILURES, "posd_tls_handshake_failures_total", "counter",                        \
      "TLS handshakes that failed.")                                                               \
    X(METRICS_HTTP_REQUESTS, "posd_http_requests_total", "counter", "HTTP requests answered.")

enum metrics_id {
#define METRICS__ID(id, name, type, help) id,
    METRICS_SIMPLE(METRICS__ID)
#undef METRICS__ID
        METRICS__SIMPLE_COUNT
};

/* Upper bounds of the histograms (inclusive, Prometheus "le"); +Inf is
 * implicit. Durations are recorded in nanoseconds. */
#define METRICS_DURATION_BUCKETS 11
#define METRICS_BATCH_BUCKETS    10
#define METRICS_MAX_BUCKETS      12

/* Request label tables: request MTIs of DESIGN.md §3 and the response codes
 * posd answers, each plus a final "other". */
#define METRICS_MTI_COUNT 12
#define METRICS_RC_COUNT  26

struct metrics_histogram {
    const uint64_t *bounds;    /* nbounds upper bounds, in units */
    const char *const *labels; /* their "le" text */
    size_t nbounds;
    uint64_t units_per_value;                     /* 1e9 for seconds recorded in ns, 1 for counts */
    _Atomic uint64_t counts[METRICS_MAX_BUCKETS]; /* per bucket, not cumulative */
    _Atomic uint64_t sum;                         /* in units */
};

/* Caller-allocated (metrics_init) or heap (metrics_new); never copied once
 * in use. Fields are private: use the functions below. */
struct metrics {
    _Atomic int64_t simple[METRICS__SIMPLE_COUNT];
    _Atomic uint64_t requests[METRICS_MTI_COUNT][METRICS_RC_COUNT];
    struct metrics_histogram duration;
    struct metrics_histogram batch;
};

/* Zeroes *m and sets up its histograms. */
void metrics_init(struct metrics *m);

/* Heap variant: *out gets a new zeroed struct, freed with metrics_free.
 * Returns POS_OK or POS_ERR_NOMEM. */
int metrics_new(struct metrics **out);
void metrics_free(struct metrics *m); /* NULL is a no-op */

/* Adds delta (may be negative for gauges) to a simple family. */
void metrics_add(struct metrics *m, enum metrics_id id, int64_t delta);
int64_t metrics_get(const struct metrics *m, enum metrics_id id);

/* Counts one answered request: mti is the request's 4-digit MTI, rc the
 * 2-character response code (either may be NULL or unknown: "other"), and
 * duration_ns its time from frame in to answer out. */
void metrics_request_observe(struct metrics *m, const char *mti, const char *rc,
                             uint64_t duration_ns);
uint64_t metrics_requests_get(const struct metrics *m, const char *mti, const char *rc);

/* Records one group commit of n transactions (the store feeds this). */
void metrics_commit_batch_observe(struct metrics *m, uint64_t n);

/* Low level, for tests and new families. */
void metrics_histogram_observe(struct metrics_histogram *h, uint64_t units);
uint64_t metrics_histogram_count(const struct metrics_histogram *h);

/* The exposition's Content-Type. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Renders every family as Prometheus text into a new heap buffer *out
 * (NUL-terminated, *out_len bytes without the NUL; the caller pos_free()s
 * it). Returns POS_OK or POS_ERR_NOMEM (*out NULL). */
int metrics_format(const struct metrics *m, char **out, size_t *out_len);

#endif
