/*
 * fuzz_tlv: EMV BER-TLV decode -> encode -> decode, compared (STYLE.md rule
 * 14). Also runs tlv_find and the display/masking of every primitive value.
 * A mismatch aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emv_tags.h"
#include "error.h"
#include "tlv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct item {
    unsigned depth;
    uint32_t tag;
    const uint8_t *value;
    size_t len;
    int constructed;
};

/* Walks buf pre-order into items (cap entries). Returns the count, or -1 on a
 * decode error. */
static long walk(const uint8_t *buf, size_t len, struct item *items, size_t cap)
{
    struct tlv_iter stack[TLV_DEPTH_MAX];
    struct tlv t;
    size_t sp = 0, n = 0;

    tlv_iter_init(&stack[0], buf, len);
    for (;;) {
        int r = tlv_iter_next(&stack[sp], &t, NULL);
        if (r < 0)
            return -1;
        if (r == 0) {
            if (sp == 0)
                break;
            sp--;
            continue;
        }
        if (n == cap)
            abort(); /* each object takes at least 2 bytes: cannot happen */
        items[n].depth = tlv_depth(&t);
        items[n].tag = tlv_tag(&t);
        items[n].value = tlv_value(&t);
        items[n].len = tlv_len(&t);
        items[n].constructed = tlv_is_constructed(&t);
        n++;
        if (tlv_is_constructed(&t)) {
            if (tlv_iter_children(&stack[sp], &t, &stack[sp + 1], NULL) != POS_OK)
                return -1;
            sp++;
        }
    }
    return (long)n;
}

static void check_values(const struct item *items, long n)
{
    char text[2 * 256 + 1];
    long i;

    for (i = 0; i < n; i++) {
        size_t len = items[i].len > 256 ? 256 : items[i].len, tl = 0;
        bool masked = false;
        if (items[i].constructed)
            continue;
        if (emv_tags_format_value(items[i].tag, items[i].value, len, true, text, sizeof(text), &tl,
                                  &masked) != POS_OK ||
            tl > 2 * len || strlen(text) != tl)
            abort();
        if (masked != emv_tags_is_sensitive(items[i].tag))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t cap = size / 2 + 1, out_len = 0;
    struct item *a = calloc(cap, sizeof(*a)), *b = calloc(cap, sizeof(*b));
    uint8_t *out = malloc(size + 1);
    struct tlv_builder bld;
    struct tlv found;
    long n, m, i;
    unsigned open = 0;

    if (a == NULL || b == NULL || out == NULL)
        goto out;
    if (size > 0)
        (void)tlv_find(data, size, data[0] == 0x9F && size > 1 ? 0x9F00u | data[1] : data[0],
                       &found, NULL);
    n = walk(data, size, a, cap);
    if (n < 0)
        goto out;
    check_values(a, n);
    /* re-encode in minimal form: never longer than the input */
    tlv_builder_init(&bld, out, size + 1);
    for (i = 0; i < n; i++) {
        while (open + 1 > a[i].depth) {
            tlv_builder_end(&bld);
            open--;
        }
        if (a[i].constructed) {
            tlv_builder_begin(&bld, a[i].tag);
            open++;
        } else {
            tlv_builder_add(&bld, a[i].tag, a[i].value, a[i].len);
        }
    }
    while (open > 0) {
        tlv_builder_end(&bld);
        open--;
    }
    if (tlv_builder_finish(&bld, &out_len) != POS_OK || out_len > size)
        abort();
    m = walk(out, out_len, b, cap);
    if (m != n)
        abort();
    for (i = 0; i < n; i++) {
        if (a[i].depth != b[i].depth || a[i].tag != b[i].tag ||
            a[i].constructed != b[i].constructed)
            abort();
        /* a template may shrink (padding dropped, minimal lengths); a
         * primitive value must come back byte for byte */
        if (!a[i].constructed && (a[i].len != b[i].len ||
                                  (a[i].len > 0 && memcmp(a[i].value, b[i].value, a[i].len) != 0)))
            abort();
    }
out:
    free(a);
    free(b);
    free(out);
    return 0;
}
