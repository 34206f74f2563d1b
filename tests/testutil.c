/* testutil: helpers for the cmocka unit tests. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "mem.h"

static void tu_print_hex(const char *label, const uint8_t *p, size_t n)
{
    size_t i;

    fprintf(stderr, "  %s (%zu): ", label, n);
    for (i = 0; i < n; i++)
        fprintf(stderr, "%02X", p[i]);
    fputc('\n', stderr);
}

void tu_assert_buf(const void *got, size_t got_len, const void *want, size_t want_len,
                   const char *file, int line)
{
    if (got_len == want_len && (want_len == 0 || memcmp(got, want, want_len) == 0))
        return;
    fprintf(stderr, "%s:%d: bytes differ\n", file, line);
    tu_print_hex("got ", got, got_len);
    tu_print_hex("want", want, want_len);
    fail_msg("bytes differ at %s:%d", file, line);
}

void tu_assert_bytes(const void *got, const void *want, size_t n, const char *file, int line)
{
    tu_assert_buf(got, n, want, n, file, line);
}

const uint8_t *tu_hex(const char *hex, size_t *len)
{
    static uint8_t bufs[8][4096];
    static unsigned next;
    char clean[8192 + 1];
    size_t n = 0, i;
    uint8_t *out = bufs[next++ % 8];

    for (i = 0; hex[i] != '\0'; i++) {
        if (hex[i] == ' ' || hex[i] == '\n')
            continue;
        if (n >= sizeof(clean) - 1)
            fail_msg("tu_hex: literal too long");
        clean[n++] = hex[i];
    }
    clean[n] = '\0';
    if (pos_hex_decode(clean, n, out, 4096, len) != 0)
        fail_msg("tu_hex: bad hex literal \"%s\"", hex);
    return out;
}

static long tu_fail_after = -1;
static long tu_count;

static void *tu_malloc(size_t n)
{
    tu_count++;
    if (tu_fail_after >= 0 && tu_count > tu_fail_after)
        return NULL;
    return malloc(n);
}

static void *tu_realloc(void *p, size_t n)
{
    tu_count++;
    if (tu_fail_after >= 0 && tu_count > tu_fail_after)
        return NULL;
    return realloc(p, n);
}

void tu_alloc_fail_after(long n)
{
    static const struct pos_mem_hooks hooks = {tu_malloc, tu_realloc, free};

    tu_fail_after = n;
    tu_count = 0;
    pos_mem_set_hooks(&hooks);
}

void tu_alloc_reset(void)
{
    tu_fail_after = -1;
    tu_count = 0;
    pos_mem_set_hooks(NULL);
}

long tu_alloc_count(void)
{
    return tu_count;
}

const char *tu_source_path(const char *rel)
{
    static char path[4096];

    snprintf(path, sizeof(path), "%s/%s", POS_SOURCE_DIR, rel);
    return path;
}
