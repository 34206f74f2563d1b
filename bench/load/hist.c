/* pos-load: a log-linear latency histogram (see load.h). Values under 1024
 * microseconds are exact; above, each power of two is split into 64 buckets
 * (at most 1.6 % error), as HdrHistogram does with 2 significant digits. */
#include "load.h"

static size_t bucket_of(uint64_t us)
{
    unsigned e = 0;
    size_t i;

    if (us < 1024)
        return (size_t)us;
    while ((us >> e) > 1)
        e++; /* e >= 10 */
    i = 1024 + (size_t)(e - 10) * 64 + (size_t)((us >> (e - 6)) & 63);
    return i < LOAD_HIST_BUCKETS ? i : LOAD_HIST_BUCKETS - 1;
}

static double value_of(size_t i)
{
    unsigned e;
    size_t sub;

    if (i < 1024)
        return (double)i;
    e = (unsigned)((i - 1024) / 64) + 10;
    sub = (i - 1024) % 64;
    return (double)((UINT64_C(64) + sub) << (e - 6)) + (double)(UINT64_C(1) << (e - 6)) / 2.0;
}

void load_hist_add(struct load_hist *h, uint64_t us)
{
    h->b[bucket_of(us)]++;
    h->count++;
}

void load_hist_merge(struct load_hist *into, const struct load_hist *h)
{
    size_t i;

    for (i = 0; i < LOAD_HIST_BUCKETS; i++)
        into->b[i] += h->b[i];
    into->count += h->count;
}

double load_hist_quantile(const struct load_hist *h, double q)
{
    uint64_t want, seen = 0;
    size_t i;

    if (h->count == 0)
        return 0.0;
    want = (uint64_t)(q * (double)h->count);
    if (want >= h->count)
        want = h->count - 1;
    for (i = 0; i < LOAD_HIST_BUCKETS; i++) {
        seen += h->b[i];
        if (seen > want)
            return value_of(i);
    }
    return value_of(LOAD_HIST_BUCKETS - 1);
}
