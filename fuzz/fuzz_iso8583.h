/*
 * fuzz_iso8583: the round trip shared by the per-dialect fuzz targets
 * (fuzz_iso87a.c, fuzz_iso87b.c, fuzz_cup.c): decode -> encode -> decode ->
 * compare, then the same through the text setters (get_value -> set ->
 * encode -> decode -> compare), and the log formatter. Any disagreement
 * aborts, so the fuzzer reports it.
 */
#ifndef POS_FUZZ_ISO8583_H
#define POS_FUZZ_ISO8583_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "iso8583.h"

#define FUZZ_OUT_CAP (ISO8583_MAX_FIELD * (2 * ISO8583_MAX_LEN + 8) + 256)

static uint8_t fuzz_out1[FUZZ_OUT_CAP], fuzz_out2[FUZZ_OUT_CAP];
static uint8_t fuzz_vals[ISO8583_MAX_FIELD + 1][ISO8583_MAX_LEN];
static uint8_t fuzz_cmp[ISO8583_MAX_LEN];

/* aborts unless a and b hold the same MTI and the same field values */
static void fuzz_iso8583_same(const struct iso8583_msg *a, const struct iso8583_msg *b)
{
    int k;

    if (strcmp(iso8583_get_mti(a), iso8583_get_mti(b)) != 0)
        abort();
    for (k = 2; k <= ISO8583_MAX_FIELD; k++) {
        size_t na = 0, nb = 0;
        if (iso8583_has(a, k) != iso8583_has(b, k))
            abort();
        if (!iso8583_has(a, k))
            continue;
        if (iso8583_get_value(a, k, fuzz_vals[0], sizeof(fuzz_vals[0]), &na) != POS_OK ||
            iso8583_get_value(b, k, fuzz_cmp, sizeof(fuzz_cmp), &nb) != POS_OK || na != nb ||
            memcmp(fuzz_vals[0], fuzz_cmp, na) != 0)
            abort();
    }
}

static int fuzz_iso8583_roundtrip(const char *dialect, const uint8_t *data, size_t size)
{
    const struct iso8583_dialect *d = iso8583_dialect_find(dialect);
    struct iso8583_msg m1, m2, m3, m4;
    struct pos_errdetail det;
    size_t n1 = 0, n2 = 0, tl = 0, hl = 0;
    const uint8_t *tp, *hp;
    char line[512];
    int k;

    if (d == NULL)
        abort();
    if (iso8583_decode(d, data, size, &m1, &det) != POS_OK)
        return 0;
    (void)iso8583_format_log(&m1, line, sizeof(line));
    /* wire path */
    if (iso8583_encode(&m1, fuzz_out1, sizeof(fuzz_out1), &n1, &det) != POS_OK)
        abort();
    if (iso8583_decode(d, fuzz_out1, n1, &m2, &det) != POS_OK)
        abort();
    fuzz_iso8583_same(&m1, &m2);
    /* text path: every value through the setters */
    iso8583_msg_init(&m3, d);
    if (iso8583_set_mti(&m3, iso8583_get_mti(&m1)) != POS_OK)
        abort();
    tp = iso8583_get_tpdu(&m1, &tl);
    hp = iso8583_get_header(&m1, &hl);
    if ((tl > 0 && iso8583_set_tpdu(&m3, tp, tl) != POS_OK) ||
        (hl > 0 && iso8583_set_header(&m3, hp, hl) != POS_OK))
        abort();
    for (k = iso8583_next(&m1, 1); k != 0; k = iso8583_next(&m1, k)) {
        size_t n = 0;
        if (iso8583_get_value(&m1, k, fuzz_vals[k], sizeof(fuzz_vals[k]), &n) != POS_OK ||
            iso8583_set(&m3, k, fuzz_vals[k], n) != POS_OK)
            abort();
    }
    if (iso8583_encode(&m3, fuzz_out2, sizeof(fuzz_out2), &n2, &det) != POS_OK)
        abort();
    if (iso8583_decode(d, fuzz_out2, n2, &m4, &det) != POS_OK)
        abort();
    fuzz_iso8583_same(&m1, &m4);
    /* the secondary bitmap is kept only when a field needs it or the input had it */
    if (n2 > n1)
        abort();
    return 0;
}

#endif
