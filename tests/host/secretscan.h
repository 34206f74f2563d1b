/*
 * secretscan: looks through every value of every table of a host database
 * for card secrets (DESIGN.md §8: "PAN, track data, PIN blocks and keys
 * never appear in clear ... the database; tests grep for them").
 *
 * Long secrets (PAN, track 2) are looked for anywhere, in text and blobs,
 * as ASCII, as the hex of their ASCII and (PAN) packed as BCD. Short ones
 * (PIN, CVV2) are looked for as whole digit runs (a value equal to them, or
 * them between non-digits) in every TEXT and BLOB column but those of the
 * keys table (random ciphertext rendered as hex, where any 3-digit string
 * occurs by chance).
 */
#ifndef POS_TESTS_HOST_SECRETSCAN_H
#define POS_TESTS_HOST_SECRETSCAN_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "hex.h"
#include "store/store.h"

static inline bool scan_has(const uint8_t *v, size_t n, const void *needle, size_t m)
{
    size_t i;

    if (m == 0 || m > n)
        return false;
    for (i = 0; i + m <= n; i++)
        if (memcmp(v + i, needle, m) == 0)
            return true;
    return false;
}

static inline bool scan_is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* true when v holds the digits s as a whole run of digits. */
static inline bool scan_has_token(const uint8_t *v, size_t n, const char *s)
{
    size_t m = strlen(s), i;

    for (i = 0; m > 0 && i + m <= n; i++) {
        if (memcmp(v + i, s, m) != 0)
            continue;
        if ((i == 0 || !scan_is_digit(v[i - 1])) && (i + m == n || !scan_is_digit(v[i + m])))
            return true;
    }
    return false;
}

/* The first secret found in one value, or NULL. */
static inline const char *scan_value(const uint8_t *v, size_t n, bool skip_short, const char *pan,
                                     const char *track, const char *pin, const char *cvv2)
{
    char hex[2 * 40 + 1];
    uint8_t bcd[10];
    size_t i, len;

    if (pan != NULL) {
        len = strlen(pan);
        if (scan_has(v, n, pan, len))
            return "PAN";
        pos_hex_encode((const uint8_t *)pan, len, hex, sizeof(hex));
        if (scan_has(v, n, hex, 2 * len))
            return "PAN (hex of ASCII)";
        for (i = 0; i + 1 < len; i += 2)
            bcd[i / 2] = (uint8_t)((pan[i] - '0') << 4 | (pan[i + 1] - '0'));
        if (scan_has(v, n, bcd, len / 2))
            return "PAN (BCD)";
    }
    if (track != NULL && scan_has(v, n, track, strlen(track)))
        return "track 2";
    if (skip_short)
        return NULL;
    if (pin != NULL && scan_has_token(v, n, pin))
        return "PIN";
    if (cvv2 != NULL && scan_has_token(v, n, cvv2))
        return "CVV2";
    return NULL;
}

/* Scans every table; returns the number of findings and prints each (table,
 * column, row: never the value). Short secrets are looked for in TEXT and
 * BLOB columns (the declared type), not in INTEGER ones (ids, amounts, ISO
 * 4217 numeric codes are numbers by design). */
static inline int scan_database(struct store *s, const char *pan, const char *track,
                                const char *pin, const char *cvv2)
{
    char tables[32][64], sql[128];
    bool integer[64];
    struct store_stmt *st, *rows;
    int nt = 0, t, c, found = 0;
    long row;

    if (store_prepare(s, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
                      &st) != POS_OK)
        return -1;
    while (store_step(st) == STORE_ROW && nt < 32) {
        snprintf(tables[nt], sizeof(tables[nt]), "%s", store_column_text(st, 0, NULL));
        nt++;
    }
    for (t = 0; t < nt; t++) {
        memset(integer, 0, sizeof(integer));
        snprintf(sql, sizeof(sql), "PRAGMA table_info(\"%.63s\")", tables[t]);
        if (store_prepare(s, sql, &rows) != POS_OK)
            return -1;
        while (store_step(rows) == STORE_ROW) {
            int64_t cid = store_column_int64(rows, 0);
            const char *type = store_column_text(rows, 2, NULL);
            if (cid >= 0 && cid < 64 && type != NULL)
                integer[cid] = strcmp(type, "INTEGER") == 0;
        }
        snprintf(sql, sizeof(sql), "SELECT * FROM \"%.63s\"", tables[t]);
        if (store_prepare(s, sql, &rows) != POS_OK)
            return -1;
        for (row = 0; store_step(rows) == STORE_ROW; row++) {
            for (c = 0; c < store_column_count(rows) && c < 64; c++) {
                size_t n = 0;
                const uint8_t *v;
                const char *what;
                bool skip_short = integer[c] || strcmp(tables[t], "keys") == 0;
                if (store_column_is_null(rows, c))
                    continue;
                v = store_column_blob(rows, c, &n);
                what = scan_value(v, n, skip_short, pan, track, pin, cvv2);
                if (what != NULL) {
                    fprintf(stderr, "secretscan: %s in table %s, column %d, row %ld\n", what,
                            tables[t], c, row);
                    found++;
                }
            }
        }
    }
    return found;
}

#endif
