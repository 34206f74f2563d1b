/* mem: the allocation wrappers and secret handling of libpos. */
#include "mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

static struct pos_mem_hooks pos__hooks = {malloc, realloc, free};

void pos_mem_set_hooks(const struct pos_mem_hooks *hooks)
{
    if (hooks == NULL) {
        pos__hooks.malloc_fn = malloc;
        pos__hooks.realloc_fn = realloc;
        pos__hooks.free_fn = free;
    } else {
        pos__hooks = *hooks;
    }
}

void *pos_malloc(size_t n)
{
    return pos__hooks.malloc_fn(n == 0 ? 1 : n);
}

void *pos_calloc(size_t count, size_t size)
{
    void *p;

    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    p = pos_malloc(count * size);
    if (p != NULL)
        memset(p, 0, count * size);
    return p;
}

void *pos_realloc(void *p, size_t n)
{
    return pos__hooks.realloc_fn(p, n == 0 ? 1 : n);
}

void pos_free(void *p)
{
    if (p != NULL)
        pos__hooks.free_fn(p);
}

void pos_wipe(void *p, size_t n)
{
    if (p != NULL && n > 0)
        OPENSSL_cleanse(p, n);
}

void pos_free_secret(void *p, size_t n)
{
    if (p == NULL)
        return;
    pos_wipe(p, n);
    pos_free(p);
}

bool pos_mem_eq_ct(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

uint64_t pos_hash64(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t h = UINT64_C(14695981039346656037);
    size_t i;

    for (i = 0; i < n; i++)
        h = (h ^ b[i]) * UINT64_C(1099511628211);
    return h;
}
