/*
 * mem: heap wrappers, secret wiping, constant-time comparison and a
 * non-cryptographic hash for in-memory tables.
 *
 * All heap use in libpos goes through pos_malloc/pos_calloc/pos_realloc/
 * pos_free so that tests can fail the Nth allocation (pos_mem_set_hooks) and
 * expect a clean POS_ERR_NOMEM and no leak. The hooks are the one piece of
 * process-wide state in libpos: set them once, before any other thread runs
 * (tests do this; programs never do).
 */
#ifndef POS_MEM_H
#define POS_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *pos_malloc(size_t n);
void *pos_calloc(size_t count, size_t size);
void *pos_realloc(void *p, size_t n);
void pos_free(void *p); /* pos_free(NULL) is a no-op */

/* Wipes n bytes at p so the compiler cannot elide it (OPENSSL_cleanse). */
void pos_wipe(void *p, size_t n);

/* Wipes then frees n bytes at p (p may be NULL). */
void pos_free_secret(void *p, size_t n);

/* true when a and b (n bytes each) are equal; time depends on n only. */
bool pos_mem_eq_ct(const void *a, const void *b, size_t n);

/* FNV-1a (64-bit) of n bytes at p: for spreading keys over the buckets of
 * an in-memory table, never for anything an attacker must not forge. */
uint64_t pos_hash64(const void *p, size_t n);

struct pos_mem_hooks {
    void *(*malloc_fn)(size_t n);
    void *(*realloc_fn)(void *p, size_t n);
    void (*free_fn)(void *p);
};

/* Replaces the allocator (NULL restores the C library's). */
void pos_mem_set_hooks(const struct pos_mem_hooks *hooks);

#endif
