/*
 * fuzz_keyblock: ANSI X9.143 (TR-31) key block parsing and unwrapping, and
 * the UnionPay sign-on field 62 decoder. The input is a key block text; it
 * is parsed, then unwrapped under the TR-31-2018 Annex A KBPKs (so seeds
 * made from the published blocks reach the MAC check and the key length
 * field). Invariants: a successful unwrap returns a key that re-wraps and
 * unwraps to the same key; a failed one leaves the key buffer zeroed.
 * The same bytes are also decoded as a field 62 under a fixed TMK for each
 * key scheme. A broken invariant aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keyblock.h"
#include "crypto/sesskey.h"
#include "error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t kbpk_b[16] = {0xDD, 0x75, 0x15, 0xF2, 0xBF, 0xC1, 0x7F, 0x85,
                                   0xCE, 0x48, 0xF3, 0xCA, 0x25, 0xCB, 0x21, 0xF6};
static const uint8_t kbpk_d[32] = {0x88, 0xE1, 0xAB, 0x2A, 0x2E, 0x3D, 0xD3, 0x8C, 0x1F, 0xA0, 0x39,
                                   0xA5, 0x36, 0x50, 0x0C, 0xC8, 0xA8, 0x7A, 0xB9, 0xD6, 0x2D, 0xC9,
                                   0x2C, 0x01, 0x05, 0x8F, 0xA7, 0x9F, 0x44, 0x65, 0x7D, 0xE6};

static void all_zero(const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (p[i] != 0)
            abort();
}

static void rewrap(const uint8_t *kbpk, size_t kl, const struct keyblock_header *h,
                   const uint8_t *key, size_t n)
{
    struct keyblock_params p;
    char out[1024];
    uint8_t again[KEYBLOCK_MAX_KEY];
    size_t ol = 0, al = 0;
    char usage[3] = {h->usage[0], h->usage[1], 0};

    memset(&p, 0, sizeof(p));
    p.version = h->version;
    p.usage = usage;
    p.algorithm = h->algorithm;
    p.mode = h->mode;
    p.key_version = h->key_version;
    p.exportability = h->exportability;
    if (keyblock_wrap(kbpk, kl, &p, key, n, out, sizeof(out), &ol, NULL) != POS_OK)
        return; /* e.g. an odd key length the header's algorithm does not allow */
    if (keyblock_unwrap(kbpk, kl, out, ol, NULL, again, sizeof(again), &al, NULL) != POS_OK ||
        al != n || memcmp(again, key, n) != 0)
        abort();
}

static void unwrap(const uint8_t *kbpk, size_t kl, const char *s, size_t len)
{
    struct keyblock_header h;
    uint8_t key[KEYBLOCK_MAX_KEY];
    size_t n = 0;
    int rc = keyblock_unwrap(kbpk, kl, s, len, &h, key, sizeof(key), &n, NULL);

    if (rc != POS_OK) {
        if (n != 0)
            abort();
        all_zero(key, sizeof(key));
        return;
    }
    rewrap(kbpk, kl, &h, key, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t tmk[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,
                                    0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10};
    struct keyblock_header h;
    struct sesskey_set ks;
    const char *s = (const char *)data;
    int sc;

    if (keyblock_header_parse(s, size, &h, NULL) == POS_OK) {
        if (h.header_len > size || h.length != size)
            abort();
    }
    unwrap(kbpk_b, sizeof(kbpk_b), s, size);
    unwrap(kbpk_d, sizeof(kbpk_d), s, size);
    for (sc = KEY_SCHEME_TDES; sc <= KEY_SCHEME_SM4; sc++) {
        int rc = sesskey_f62_decode((enum key_scheme)sc, tmk, sizeof(tmk), data, size, &ks, NULL);
        if (rc != POS_OK)
            all_zero((const uint8_t *)&ks, sizeof(ks));
        sesskey_set_clear(&ks);
    }
    return 0;
}
