/*
 * bench/codec: ISO 8583 decode and encode speed of a typical purchase (0200,
 * 20 fields including track 2 (35), the PIN block (52) and chip data (55))
 * in each built-in dialect, on one core, and heap allocations per message
 * (DESIGN.md §8: one `name value unit` line per figure):
 *
 *   codec.<dialect>.decode <N> msg/s
 *   codec.<dialect>.encode <N> msg/s        (msg_init + 20 setters + encode)
 *   codec.<dialect>.allocs_per_msg <N> allocs
 *
 * Allocations are counted by this program's own malloc/calloc/realloc/free,
 * which forward to glibc's __libc_* functions (not under sanitizers, whose
 * runtime owns the allocator: the count is then reported as -1).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "hex.h"
#include "iso8583.h"

#if defined(__SANITIZE_ADDRESS__)
#define BENCH_NO_ALLOC_HOOKS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BENCH_NO_ALLOC_HOOKS 1
#endif
#endif

static size_t bench_allocs;

#ifndef BENCH_NO_ALLOC_HOOKS
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t c, size_t n);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

void *malloc(size_t n)
{
    bench_allocs++;
    return __libc_malloc(n);
}

void *calloc(size_t c, size_t n)
{
    bench_allocs++;
    return __libc_calloc(c, n);
}

void *realloc(void *p, size_t n)
{
    bench_allocs++;
    return __libc_realloc(p, n);
}

void free(void *p)
{
    __libc_free(p);
}
#endif

struct bench_field {
    int fld;
    const char *value; /* text; b fields as hex */
};

static const struct bench_field purchase[] = {
    {2, "6212345678901234"},
    {3, "000000"},
    {4, "000000012345"},
    {11, "000042"},
    {12, "143015"},
    {13, "1122"},
    {14, "2812"},
    {22, "051"},
    {23, "001"},
    {25, "00"},
    {26, "12"},
    {35, "6212345678901234=28122201234567890"},
    {41, "POS00001"},
    {42, "898310048990001"},
    {49, "156"},
    {52, "8F3A6B2C1D0E9F47"},
    {53, "2600000000000000"},
    {55, "9F2608A1B2C3D4E5F607189F2701809F101307010103A000000000000000000000000000009F37"
         "0412345678950500000000009A032611229C01009F02060000000123455F2A0201569F1A020156"},
    {60, "22000001000"},
    {64, "0000000000000000"},
    {0, NULL},
};

struct prepared {
    int fld[32];
    const uint8_t *val[32];
    size_t len[32];
    size_t count;
    uint8_t raw[32][128];
};

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void prepare(const struct iso8583_dialect *d, struct prepared *p)
{
    size_t i;

    memset(p, 0, sizeof(*p));
    for (i = 0; purchase[i].fld != 0; i++) {
        int k = purchase[i].fld;
        size_t n = strlen(purchase[i].value);
        p->fld[i] = k;
        if (d->f[k].type == ISO8583_T_B) {
            if (pos_hex_decode(purchase[i].value, n, p->raw[i], sizeof(p->raw[i]), &n) != POS_OK)
                abort();
            p->val[i] = p->raw[i];
        } else {
            p->val[i] = (const uint8_t *)purchase[i].value;
        }
        p->len[i] = n;
    }
    p->count = i;
}

static int encode_one(const struct iso8583_dialect *d, const struct prepared *p, uint8_t *out,
                      size_t cap, size_t *n)
{
    struct iso8583_msg m;
    size_t i;

    iso8583_msg_init(&m, d);
    iso8583_set_mti(&m, "0200");
    for (i = 0; i < p->count; i++)
        if (iso8583_set(&m, p->fld[i], p->val[i], p->len[i]) != POS_OK)
            return -1;
    return iso8583_encode(&m, out, cap, n, NULL);
}

static void bench_dialect(const struct iso8583_dialect *d)
{
    static struct prepared p;
    uint8_t out[2048];
    struct iso8583_msg m;
    size_t n = 0, total = 0, msgs = 0, allocs, i;
    volatile size_t sink = 0;
    double t0, t;

    prepare(d, &p);
    if (encode_one(d, &p, out, sizeof(out), &n) != POS_OK)
        abort();
    allocs = bench_allocs;

    t0 = now();
    do {
        for (i = 0; i < 20000; i++) {
            if (iso8583_decode(d, out, n, &m, NULL) != POS_OK)
                abort();
            sink += m.v[4].len;
        }
        total += 20000;
    } while ((t = now() - t0) < 1.0);
    printf("codec.%s.decode %.0f msg/s\n", d->name, (double)total / t);
    msgs += total;

    total = 0;
    t0 = now();
    do {
        for (i = 0; i < 20000; i++) {
            size_t len = 0;
            if (encode_one(d, &p, out, sizeof(out), &len) != POS_OK)
                abort();
            sink += len;
        }
        total += 20000;
    } while ((t = now() - t0) < 1.0);
    printf("codec.%s.encode %.0f msg/s\n", d->name, (double)total / t);
    msgs += total;

#ifdef BENCH_NO_ALLOC_HOOKS
    (void)allocs;
    (void)msgs;
    printf("codec.%s.allocs_per_msg -1 allocs\n", d->name);
#else
    printf("codec.%s.allocs_per_msg %.0f allocs\n", d->name,
           (double)(bench_allocs - allocs) / (double)msgs);
#endif
    printf("codec.%s.bytes %zu bytes\n", d->name, n);
    fflush(stdout);
    (void)sink;
}

int main(void)
{
    size_t i;

    for (i = 0; iso8583_dialect_at(i) != NULL; i++)
        bench_dialect(iso8583_dialect_at(i));
    return 0;
}
