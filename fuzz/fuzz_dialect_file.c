/* Fuzz target: the dialect file parser (dialect_file.c). Whatever parses
 * must pass iso8583_dialect_check, format back to text, and parse again into
 * a dialect with the same wire format. Seeds: fuzz/corpus/dialect_file/. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dialect_file.h"
#include "error.h"
#include "iso8583.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char text[65536];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct iso8583_dialect *d = NULL, *e = NULL;
    struct pos_errdetail det;
    size_t n = 0;

    if (dialect_file_parse((const char *)data, size, &d, &det) != POS_OK) {
        if (d != NULL || memchr(det.what, '\0', sizeof(det.what)) == NULL)
            abort();
        return 0;
    }
    if (iso8583_dialect_check(d, NULL) != POS_OK)
        abort();
    if (dialect_file_format(d, text, sizeof(text), &n) != POS_OK)
        abort();
    if (dialect_file_parse(text, n, &e, &det) != POS_OK)
        abort();
    if (!iso8583_dialect_is_same_wire(d, e) || strcmp(d->name, e->name) != 0 ||
        memcmp(d->tpdu, e->tpdu, d->tpdu_len) != 0 ||
        memcmp(d->header, e->header, d->header_len) != 0)
        abort();
    dialect_file_free(e);
    dialect_file_free(d);
    return 0;
}
