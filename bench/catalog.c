/* bench-catalog: the terminal catalog at 100,000 items.
 *
 * Prints (DESIGN.md §8, one `name value unit` line each):
 *   catalog.import.100k <seconds> s          CSV import of 100,000 items
 *                                            with a barcode each, one file
 *                                            database (WAL, synchronous=FULL)
 *   catalog.lookup.barcode <us> us           p50 of catalog_find_by_barcode
 *   catalog.lookup.name_prefix <us> us       p50 of a 4-character name-prefix
 *                                            search returning up to 10 items
 * Usage: bench-catalog [DIR] (the database goes to DIR, default /tmp). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "money.h"
#include "term/barcode.h"
#include "term/catalog.h"
#include "term/tstore.h"

#define BENCH_ITEMS   100000
#define BENCH_LOOKUPS 20000

static double bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static void bench_code(size_t i, char out[14])
{
    snprintf(out, 14, "%012zu", (size_t)690000000000 + i);
    barcode_check_digit(out, 12, &out[12]);
    out[13] = '\0';
}

static int bench_count(void *arg, const struct catalog_item *it)
{
    (void)it;
    ++*(size_t *)arg;
    return POS_OK;
}

int main(int argc, char **argv)
{
    static const char *const words[] = {"apple", "banana", "cherry", "durian", "eggplant",
                                        "fennel", "grape", "honey", "ice tea", "jasmine"};
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    struct pos_errdetail d;
    struct catalog_item it;
    struct store *db = NULL;
    double *lat = NULL, t0, t;
    char path[512], wal[530], shm[530], code[14], prefix[8];
    size_t cap = (size_t)BENCH_ITEMS * 96 + 64, off, i, n, found = 0;
    char *csv = NULL;
    int rc = 1;

    snprintf(path, sizeof(path), "%s/bench-catalog-%ld.db", dir, (long)getpid());
    snprintf(wal, sizeof(wal), "%s-wal", path);
    snprintf(shm, sizeof(shm), "%s-shm", path);
    csv = malloc(cap);
    lat = malloc(sizeof(double) * BENCH_LOOKUPS);
    if (csv == NULL || lat == NULL)
        goto out;
    off = (size_t)snprintf(csv, cap, "sku,name,price,tax_bps,category,barcodes\n");
    for (i = 0; i < BENCH_ITEMS; i++) {
        bench_code(i, code);
        off += (size_t)snprintf(csv + off, cap - off, "S%06zu,%s %06zu,%zu.%02zu,1300,c%zu,%s\n",
                                i, words[i % 10], i, 1 + i % 500, i % 100, i % 20, code);
    }
    if (tstore_open(path, &db, NULL) != POS_OK)
        goto out;
    pos_errdetail_init(&d);
    t0 = bench_now();
    if (catalog_import_csv(db, csv, off, money_currency_by_alpha("CNY", 3), &n, &d) != POS_OK) {
        fprintf(stderr, "bench-catalog: import: %s\n", d.what);
        goto out;
    }
    printf("catalog.import.100k %.2f s\n", bench_now() - t0);

    srand(1);
    for (i = 0; i < BENCH_LOOKUPS; i++) {
        bench_code((size_t)rand() % BENCH_ITEMS, code);
        t = bench_now();
        if (catalog_find_by_barcode(db, code, &it) != POS_OK)
            goto out;
        lat[i] = bench_now() - t;
    }
    qsort(lat, BENCH_LOOKUPS, sizeof(double), bench_cmp);
    printf("catalog.lookup.barcode %.1f us\n", lat[BENCH_LOOKUPS / 2] * 1e6);

    for (i = 0; i < BENCH_LOOKUPS; i++) {
        size_t k = (size_t)rand() % BENCH_ITEMS;
        /* "Ch 0" style prefixes: the word's first letters, any case */
        snprintf(prefix, sizeof(prefix), "%.4s", words[k % 10]);
        prefix[0] = (char)(prefix[0] - 'a' + 'A');
        t = bench_now();
        if (catalog_find_by_name_prefix(db, prefix, 10, bench_count, &found) != POS_OK)
            goto out;
        lat[i] = bench_now() - t;
    }
    qsort(lat, BENCH_LOOKUPS, sizeof(double), bench_cmp);
    printf("catalog.lookup.name_prefix %.1f us\n", lat[BENCH_LOOKUPS / 2] * 1e6);
    rc = found > 0 ? 0 : 1;
out:
    tstore_close(db);
    unlink(path);
    unlink(wal);
    unlink(shm);
    free(lat);
    free(csv);
    return rc;
}
