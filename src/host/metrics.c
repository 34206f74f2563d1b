/* metrics: lock-free counters and histograms, Prometheus text 0.0.4. */
#include "metrics.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "mem.h"

static const struct {
    const char *name, *type, *help;
} metrics_simple_info[METRICS__SIMPLE_COUNT] = {
#define METRICS__INFO(id, name, type, help) {name, type, help},
    METRICS_SIMPLE(METRICS__INFO)
#undef METRICS__INFO
};

/* Request MTIs of DESIGN.md §3 (the requests, not the answers). */
static const char *const metrics_mtis[METRICS_MTI_COUNT] = {"0100", "0120", "0200", "0220",
                                                            "0320", "0400", "0420", "0500",
                                                            "0520", "0800", "0820", "other"};

/* The response codes of DESIGN.md §3, plus 03 and 06. */
static const char *const metrics_rcs[METRICS_RC_COUNT] = {
    "00", "03", "05", "06", "12", "13", "14", "25", "30", "41", "43", "51", "54",
    "55", "57", "58", "59", "61", "64", "65", "75", "77", "94", "96", "A0", "other"};

/* 0.5 ms .. 1 s, the range a card authorization lives in. */
static const uint64_t metrics_duration_bounds[METRICS_DURATION_BUCKETS] = {
    500000ull,   1000000ull,   2500000ull,   5000000ull,   10000000ull,  25000000ull,
    50000000ull, 100000000ull, 250000000ull, 500000000ull, 1000000000ull};
static const char *const metrics_duration_labels[METRICS_DURATION_BUCKETS] = {
    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1"};

static const uint64_t metrics_batch_bounds[METRICS_BATCH_BUCKETS] = {1,  2,  4,   8,   16,
                                                                     32, 64, 128, 256, 512};
static const char *const metrics_batch_labels[METRICS_BATCH_BUCKETS] = {
    "1", "2", "4", "8", "16", "32", "64", "128", "256", "512"};

static void metrics_histogram_setup(struct metrics_histogram *h, const uint64_t *bounds,
                                    const char *const *labels, size_t n, uint64_t units)
{
    size_t i;

    h->bounds = bounds;
    h->labels = labels;
    h->nbounds = n;
    h->units_per_value = units;
    for (i = 0; i < METRICS_MAX_BUCKETS; i++)
        atomic_init(&h->counts[i], 0);
    atomic_init(&h->sum, 0);
}

void metrics_init(struct metrics *m)
{
    size_t i, j;

    for (i = 0; i < METRICS__SIMPLE_COUNT; i++)
        atomic_init(&m->simple[i], 0);
    for (i = 0; i < METRICS_MTI_COUNT; i++)
        for (j = 0; j < METRICS_RC_COUNT; j++)
            atomic_init(&m->requests[i][j], 0);
    metrics_histogram_setup(&m->duration, metrics_duration_bounds, metrics_duration_labels,
                            METRICS_DURATION_BUCKETS, 1000000000ull);
    metrics_histogram_setup(&m->batch, metrics_batch_bounds, metrics_batch_labels,
                            METRICS_BATCH_BUCKETS, 1);
}

int metrics_new(struct metrics **out)
{
    struct metrics *m = pos_malloc(sizeof(*m));

    *out = NULL;
    if (m == NULL)
        return POS_ERR_NOMEM;
    metrics_init(m);
    *out = m;
    return POS_OK;
}

void metrics_free(struct metrics *m)
{
    pos_free(m);
}

void metrics_add(struct metrics *m, enum metrics_id id, int64_t delta)
{
    if ((unsigned)id < METRICS__SIMPLE_COUNT)
        atomic_fetch_add_explicit(&m->simple[id], delta, memory_order_relaxed);
}

int64_t metrics_get(const struct metrics *m, enum metrics_id id)
{
    if ((unsigned)id >= METRICS__SIMPLE_COUNT)
        return 0;
    return atomic_load_explicit(&m->simple[id], memory_order_relaxed);
}

/* Index of s in table (n entries, the last being "other"), else the last. */
static size_t metrics_index(const char *const *table, size_t n, const char *s)
{
    size_t i;

    if (s != NULL)
        for (i = 0; i + 1 < n; i++)
            if (strcmp(table[i], s) == 0)
                return i;
    return n - 1;
}

void metrics_histogram_observe(struct metrics_histogram *h, uint64_t units)
{
    size_t i = 0;

    while (i < h->nbounds && units > h->bounds[i])
        i++;
    atomic_fetch_add_explicit(&h->counts[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum, units, memory_order_relaxed);
}

uint64_t metrics_histogram_count(const struct metrics_histogram *h)
{
    uint64_t n = 0;
    size_t i;

    for (i = 0; i <= h->nbounds; i++)
        n += atomic_load_explicit(&h->counts[i], memory_order_relaxed);
    return n;
}

void metrics_request_observe(struct metrics *m, const char *mti, const char *rc,
                             uint64_t duration_ns)
{
    size_t i = metrics_index(metrics_mtis, METRICS_MTI_COUNT, mti);
    size_t j = metrics_index(metrics_rcs, METRICS_RC_COUNT, rc);

    atomic_fetch_add_explicit(&m->requests[i][j], 1, memory_order_relaxed);
    metrics_histogram_observe(&m->duration, duration_ns);
}

uint64_t metrics_requests_get(const struct metrics *m, const char *mti, const char *rc)
{
    size_t i = metrics_index(metrics_mtis, METRICS_MTI_COUNT, mti);
    size_t j = metrics_index(metrics_rcs, METRICS_RC_COUNT, rc);

    return atomic_load_explicit(&m->requests[i][j], memory_order_relaxed);
}

void metrics_commit_batch_observe(struct metrics *m, uint64_t n)
{
    metrics_histogram_observe(&m->batch, n);
}

/* A growing text buffer; a failed growth sets failed and drops the rest. */
struct metrics_buf {
    char *p;
    size_t len, cap;
    bool failed;
};

__attribute__((format(printf, 2, 3))) static void metrics_printf(struct metrics_buf *b,
                                                                 const char *fmt, ...)
{
    va_list ap;
    int k;
    char *np;
    size_t ncap;

    if (b->failed)
        return;
    for (;;) {
        va_start(ap, fmt);
        k = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->failed = true;
            return;
        }
        if ((size_t)k < b->cap - b->len) {
            b->len += (size_t)k;
            return;
        }
        ncap = b->cap * 2 + (size_t)k;
        np = pos_realloc(b->p, ncap);
        if (np == NULL) {
            b->failed = true;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
}

static void metrics_header(struct metrics_buf *b, const char *name, const char *type,
                           const char *help)
{
    metrics_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Values are written exactly: integer units, and a decimal fraction when
 * the histogram's unit is smaller than its value's. */
static void metrics_value(struct metrics_buf *b, uint64_t units, uint64_t per)
{
    if (per == 1000000000ull)
        metrics_printf(b, "%llu.%09llu", (unsigned long long)(units / per),
                       (unsigned long long)(units % per));
    else
        metrics_printf(b, "%llu", (unsigned long long)(units / per));
}

static void metrics_histogram_format(struct metrics_buf *b, const struct metrics_histogram *h,
                                     const char *name, const char *help)
{
    uint64_t cum = 0;
    size_t i;

    metrics_header(b, name, "histogram", help);
    for (i = 0; i <= h->nbounds; i++) {
        cum += atomic_load_explicit(&h->counts[i], memory_order_relaxed);
        metrics_printf(b, "%s_bucket{le=\"%s\"} %llu\n", name,
                       i < h->nbounds ? h->labels[i] : "+Inf", (unsigned long long)cum);
    }
    metrics_printf(b, "%s_sum ", name);
    metrics_value(b, atomic_load_explicit(&h->sum, memory_order_relaxed), h->units_per_value);
    metrics_printf(b, "\n%s_count %llu\n", name, (unsigned long long)cum);
}

int metrics_format(const struct metrics *m, char **out, size_t *out_len)
{
    struct metrics_buf b = {NULL, 0, 4096, false};
    size_t i, j;
    uint64_t v;
    int rc = POS_OK;

    *out = NULL;
    *out_len = 0;
    b.p = pos_malloc(b.cap);
    if (b.p == NULL)
        return POS_ERR_NOMEM;
    for (i = 0; i < METRICS__SIMPLE_COUNT; i++) {
        metrics_header(&b, metrics_simple_info[i].name, metrics_simple_info[i].type,
                       metrics_simple_info[i].help);
        metrics_printf(&b, "%s %lld\n", metrics_simple_info[i].name,
                       (long long)atomic_load_explicit(&m->simple[i], memory_order_relaxed));
    }
    metrics_header(&b, "posd_requests_total", "counter",
                   "Requests answered, by request MTI and response code.");
    for (i = 0; i < METRICS_MTI_COUNT; i++) {
        for (j = 0; j < METRICS_RC_COUNT; j++) {
            v = atomic_load_explicit(&m->requests[i][j], memory_order_relaxed);
            if (v != 0)
                metrics_printf(&b, "posd_requests_total{mti=\"%s\",rc=\"%s\"} %llu\n",
                               metrics_mtis[i], metrics_rcs[j], (unsigned long long)v);
        }
    }
    metrics_histogram_format(&b, &m->duration, "posd_request_duration_seconds",
                             "Time from a request frame in to its answer out.");
    metrics_histogram_format(&b, &m->batch, "posd_commit_batch_size",
                             "Transactions folded into one group commit.");
    if (b.failed) {
        pos_free(b.p);
        rc = POS_ERR_NOMEM;
        goto out;
    }
    *out = b.p;
    *out_len = b.len;
out:
    return rc;
}
