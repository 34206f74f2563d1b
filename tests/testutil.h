/*
 * testutil: helpers for the cmocka unit tests.
 *
 * Include after <stdarg.h>, <stddef.h>, <stdint.h>, <setjmp.h> and
 * <cmocka.h> (cmocka's own requirement), or just include this header first:
 * it includes them in the right order.
 */
#ifndef POS_TESTUTIL_H
#define POS_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Fails the test, printing both sides as uppercase hex, unless the n bytes at
 * got equal the n bytes at want. */
#define assert_bytes_equal(got, want, n) tu_assert_bytes((got), (want), (n), __FILE__, __LINE__)
void tu_assert_bytes(const void *got, const void *want, size_t n, const char *file, int line);

/* Fails unless got_len == want_len and the bytes match (hex printed). */
#define assert_buf_equal(got, got_len, want, want_len)                                             \
    tu_assert_buf((got), (got_len), (want), (want_len), __FILE__, __LINE__)
void tu_assert_buf(const void *got, size_t got_len, const void *want, size_t want_len,
                   const char *file, int line);

/* Decodes a hex literal (spaces allowed) into a static-duration scratch
 * buffer chosen round-robin among 8 (so a few can be live at once); *len gets
 * its length. Fails the test on bad hex. At most 4096 bytes. */
const uint8_t *tu_hex(const char *hex, size_t *len);

/* Allocation failure injection through pos_mem_set_hooks: after
 * tu_alloc_fail_after(n), the first n allocations succeed and every later one
 * fails, until tu_alloc_reset(). tu_alloc_count() is the number of
 * allocations attempted since the last reset. */
void tu_alloc_fail_after(long n);
void tu_alloc_reset(void);
long tu_alloc_count(void);

/* Path of a file under the source tree (POS_SOURCE_DIR), in a static buffer. */
const char *tu_source_path(const char *rel);

#endif
