/*
 * dukpt: ANSI X9.24-1-2009 Annex A TDES DUKPT (= ANSI X9.24-3-2017 Annex C).
 *
 * Every key generation is the "non-reversible key generation process" of
 * A.2 over single DES. Its two DES encryptions run on an encrypt-only EVP
 * context re-keyed in place (EVP_EncryptInit_ex2 with no cipher keeps the
 * provider context: no allocation and one direction's key schedule per
 * key), so no EVP context is created on the hot path.
 */
#include "crypto/dukpt.h"

#include <string.h>

#include <openssl/err.h>

#include "mem.h"

/* A.6 and A.2: the key register mask C0C0C0C000000000 C0C0C0C000000000. */
static const uint8_t dukpt__c0[DUKPT_KEY_LEN] = {0xC0, 0xC0, 0xC0, 0xC0, 0, 0, 0, 0,
                                                 0xC0, 0xC0, 0xC0, 0xC0, 0, 0, 0, 0};

static unsigned dukpt__ones(uint32_t v)
{
    return (unsigned)__builtin_popcount(v);
}

uint32_t dukpt_ksn_counter(const uint8_t *ksn)
{
    return ((uint32_t)(ksn[7] & 0x1F) << 16) | ((uint32_t)ksn[8] << 8) | ksn[9];
}

void dukpt_ksn_set_counter(const uint8_t *ksn, uint32_t counter, uint8_t *out)
{
    counter &= DUKPT_COUNTER_MASK;
    if (out != ksn)
        memcpy(out, ksn, 7);
    out[7] = (uint8_t)((ksn[7] & 0xE0) | (counter >> 16));
    out[8] = (uint8_t)(counter >> 8);
    out[9] = (uint8_t)counter;
}

bool dukpt_counter_is_valid(uint32_t counter)
{
    return counter != 0 && counter <= DUKPT_COUNTER_MASK &&
           dukpt__ones(counter) <= DUKPT_MAX_ONE_BITS;
}

int dukpt_ksn_check(const uint8_t *ksn, struct pos_errdetail *d)
{
    uint32_t c = dukpt_ksn_counter(ksn);

    if (c == 0)
        return pos_errdetail_set(d, POS_ERR_KSN, -1, 7,
                                 "counter is 0: the initial KSN names no transaction");
    if (dukpt__ones(c) > DUKPT_MAX_ONE_BITS)
        return pos_errdetail_set(d, POS_ERR_KSN, -1, 7, "counter %06X has %u one-bits (at most %d)",
                                 (unsigned)c, dukpt__ones(c), DUKPT_MAX_ONE_BITS);
    return POS_OK;
}

int dukpt_ksn_next(const uint8_t *ksn, uint8_t *out)
{
    uint32_t c = dukpt_ksn_counter(ksn) + 1;

    /* A.2 "New Key": a counter of 10 one-bits is followed by itself plus its
     * lowest one-bit; adding the lowest one-bit never adds one-bits. */
    while (c <= DUKPT_COUNTER_MASK && dukpt__ones(c) > DUKPT_MAX_ONE_BITS)
        c += c & (~c + 1);
    if (c > DUKPT_COUNTER_MASK) {
        if (out != ksn)
            memcpy(out, ksn, DUKPT_KSN_LEN);
        return POS_ERR_DUKPT_EXHAUSTED;
    }
    dukpt_ksn_set_counter(ksn, c, out);
    return POS_OK;
}

/* The rightmost 64 bits of the KSN register with the counter cleared: the
 * base of crypto register-1 (A.2 "New Key-3" step 1). */
static uint64_t dukpt__r8(const uint8_t *ksn)
{
    uint64_t v = 0;
    int i;

    for (i = 2; i < DUKPT_KSN_LEN; i++)
        v = (v << 8) | ksn[i];
    return v & ~(uint64_t)DUKPT_COUNTER_MASK;
}

static void dukpt__put64(uint8_t *out, uint64_t v)
{
    int i;

    for (i = 7; i >= 0; i--) {
        out[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* Opens an encrypt-only single-DES context: "DES-ECB" when the legacy
 * provider is loaded, else "DES-EDE3-ECB" run with K1 = K2 = K3. */
static int dukpt__des_open(EVP_CIPHER_CTX **out)
{
    EVP_CIPHER *c;
    EVP_CIPHER_CTX *x = NULL;
    int rc = POS_ERR_CRYPTO;

    ERR_set_mark();
    c = EVP_CIPHER_fetch(NULL, "DES-ECB", NULL);
    ERR_pop_to_mark(); /* no legacy provider is not an error */
    if (c == NULL)
        c = EVP_CIPHER_fetch(NULL, "DES-EDE3-ECB", NULL);
    x = EVP_CIPHER_CTX_new();
    if (c == NULL || x == NULL || EVP_EncryptInit_ex2(x, c, NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_set_padding(x, 0) != 1)
        goto out;
    *out = x;
    x = NULL;
    rc = POS_OK;
out:
    EVP_CIPHER_CTX_free(x);
    EVP_CIPHER_free(c); /* the context holds its own reference */
    return rc;
}

/* Opens a decrypt-only TDES context for the PIN keys. */
static int dukpt__tdes_open_dec(EVP_CIPHER_CTX **out)
{
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, "DES-EDE3-ECB", NULL);
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int rc = POS_ERR_CRYPTO;

    /* no padding: a re-key with no cipher keeps this setting */
    if (c == NULL || x == NULL || EVP_DecryptInit_ex2(x, c, NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_set_padding(x, 0) != 1)
        goto out;
    *out = x;
    x = NULL;
    rc = POS_OK;
out:
    EVP_CIPHER_CTX_free(x);
    EVP_CIPHER_free(c);
    return rc;
}

/* block (8 bytes, in place) = DES(key8, block), on x re-keyed in place. */
static int dukpt__des_encrypt(EVP_CIPHER_CTX *x, const uint8_t *key8, uint8_t *block)
{
    uint8_t k[24];
    int outl = 0, klen = EVP_CIPHER_CTX_get_key_length(x), rc = POS_ERR_CRYPTO;

    memcpy(k, key8, 8);
    memcpy(k + 8, key8, 8);
    memcpy(k + 16, key8, 8);
    /* whole blocks through EncryptUpdate only: padding never applies */
    if ((klen == 8 || klen == 24) && EVP_EncryptInit_ex2(x, NULL, k, NULL, NULL) == 1 &&
        EVP_EncryptUpdate(x, block, &outl, block, 8) == 1 && outl == 8)
        rc = POS_OK;
    pos_wipe(k, sizeof(k));
    return rc;
}

/* A.2 "Non-reversible Key Generation Process": key register key (16 bytes),
 * crypto register-1 r8; out (16 bytes, may alias key) = CR1 || CR2. */
static int dukpt__nrkgp(EVP_CIPHER_CTX *des, const uint8_t *key, uint64_t r8, uint8_t *out)
{
    uint8_t kr[DUKPT_KEY_LEN], cr1[8], cr2[8];
    int rc;

    memcpy(kr, key, sizeof(kr));
    dukpt__put64(cr1, r8);
    /* 1-3: CR2 = DES(KL, CR1 ^ KR) ^ KR */
    memcpy(cr2, cr1, 8);
    block_xor(cr2, kr + 8, 8);
    rc = dukpt__des_encrypt(des, kr, cr2);
    if (rc != POS_OK)
        goto out;
    block_xor(cr2, kr + 8, 8);
    /* 4: key register ^= C0C0C0C000000000C0C0C0C000000000 */
    block_xor(kr, dukpt__c0, sizeof(kr));
    /* 5-7: CR1 = DES(KL', CR1 ^ KR') ^ KR' */
    block_xor(cr1, kr + 8, 8);
    rc = dukpt__des_encrypt(des, kr, cr1);
    if (rc != POS_OK)
        goto out;
    block_xor(cr1, kr + 8, 8);
    memcpy(out, cr1, 8);
    memcpy(out + 8, cr2, 8);
out:
    pos_wipe(kr, sizeof(kr));
    pos_wipe(cr1, sizeof(cr1));
    pos_wipe(cr2, sizeof(cr2));
    return rc;
}

/* From key (the key of counter have), generates the keys of want's one-bits
 * below have's lowest one-bit, high to low (A.3: each one-bit set in turn in
 * crypto register-1). If path is not NULL, the key after the k-th one-bit of
 * want is stored in path[k - 1], with k counted from have's one-bits. Writes
 * the key of want to out (may alias key). */
static int dukpt__walk(EVP_CIPHER_CTX *des, const uint8_t *key, uint64_t r8, uint32_t have,
                       uint32_t want, uint8_t (*path)[DUKPT_KEY_LEN], uint8_t *out, unsigned *steps)
{
    uint8_t kr[DUKPT_KEY_LEN];
    uint32_t bit, reg = have;
    unsigned k = dukpt__ones(have), n = 0;
    int rc = POS_OK;

    memcpy(kr, key, sizeof(kr));
    for (bit = 1u << (DUKPT_NUM_REG - 1); bit != 0; bit >>= 1) {
        if (!(want & bit) || (have & bit))
            continue;
        reg |= bit;
        rc = dukpt__nrkgp(des, kr, r8 | reg, kr);
        if (rc != POS_OK)
            goto out;
        n++;
        if (path != NULL)
            memcpy(path[k], kr, sizeof(kr));
        k++;
    }
    memcpy(out, kr, sizeof(kr));
out:
    if (steps != NULL)
        *steps = n;
    pos_wipe(kr, sizeof(kr));
    return rc;
}

int dukpt_ipek(const uint8_t *bdk, size_t bdk_len, const uint8_t *ksn, uint8_t *ipek)
{
    struct block_key k;
    uint8_t iksn[8], variant[DUKPT_KEY_LEN];
    int rc;

    memset(&k, 0, sizeof(k));
    memset(ipek, 0, DUKPT_KEY_LEN);
    if (bdk_len != DUKPT_KEY_LEN)
        return POS_ERR_KEY_LENGTH;
    /* A.6: the KSN ANDed with FFFFFFFFFFFFFFE00000, leftmost 64 bits */
    memcpy(iksn, ksn, 8);
    iksn[7] &= 0xE0;
    memcpy(variant, bdk, DUKPT_KEY_LEN);
    block_xor(variant, dukpt__c0, DUKPT_KEY_LEN);
    rc = block_key_init(&k, BLOCK_TDES, bdk, bdk_len);
    if (rc == POS_OK)
        rc = block_ecb_encrypt(&k, iksn, 8, ipek);
    if (rc == POS_OK)
        rc = block_key_rekey(&k, variant, DUKPT_KEY_LEN);
    if (rc == POS_OK)
        rc = block_ecb_encrypt(&k, iksn, 8, ipek + 8);
    if (rc != POS_OK)
        pos_wipe(ipek, DUKPT_KEY_LEN);
    block_key_clear(&k);
    pos_wipe(variant, sizeof(variant));
    return rc;
}

int dukpt_derive(const uint8_t *ipek, const uint8_t *ksn, uint8_t *key, struct pos_errdetail *d)
{
    EVP_CIPHER_CTX *des = NULL;
    int rc;

    rc = dukpt_ksn_check(ksn, d);
    if (rc != POS_OK)
        goto out;
    rc = dukpt__des_open(&des);
    if (rc != POS_OK)
        goto out;
    rc = dukpt__walk(des, ipek, dukpt__r8(ksn), 0, dukpt_ksn_counter(ksn), NULL, key, NULL);
out:
    if (rc != POS_OK)
        pos_wipe(key, DUKPT_KEY_LEN);
    EVP_CIPHER_CTX_free(des); /* cleanses its key schedule */
    return rc;
}

/* A.4.1 table A-1: the byte of each half that the variant mask sets to FF. */
static int dukpt__variant_byte(enum dukpt_usage usage)
{
    switch (usage) {
    case DUKPT_USAGE_PIN:
        return 7;
    case DUKPT_USAGE_MAC_REQUEST:
        return 6;
    case DUKPT_USAGE_MAC_RESPONSE:
        return 4;
    case DUKPT_USAGE_DATA_REQUEST:
        return 5;
    case DUKPT_USAGE_DATA_RESPONSE:
        return 3;
    }
    return -1;
}

int dukpt_variant(const uint8_t *key, enum dukpt_usage usage, uint8_t *out)
{
    uint8_t v[DUKPT_KEY_LEN];
    int b = dukpt__variant_byte(usage), rc = POS_OK;

    if (b < 0) {
        pos_wipe(out, DUKPT_KEY_LEN);
        return POS_ERR_INVAL;
    }
    memcpy(v, key, sizeof(v));
    v[b] ^= 0xFF;
    v[b + 8] ^= 0xFF;
    if (usage == DUKPT_USAGE_DATA_REQUEST || usage == DUKPT_USAGE_DATA_RESPONSE) {
        /* X9.24-3-2017 C.5.2: the data variant encrypts its own halves
         * (TDES ECB under itself), so a data key cannot yield the PIN key. */
        rc = block_ecb(BLOCK_TDES, v, sizeof(v), true, v, sizeof(v), out);
        if (rc != POS_OK)
            pos_wipe(out, DUKPT_KEY_LEN);
    } else {
        memcpy(out, v, sizeof(v));
    }
    pos_wipe(v, sizeof(v));
    return rc;
}

/* ---- host ----------------------------------------------------------------- */

void dukpt_host_clear(struct dukpt_host *h)
{
    if (h == NULL)
        return;
    EVP_CIPHER_CTX_free(h->des); /* cleanses the key schedules */
    EVP_CIPHER_CTX_free(h->pin);
    pos_wipe(h, sizeof(*h));
}

int dukpt_host_init(struct dukpt_host *h, const uint8_t *ipek, const uint8_t *ksn)
{
    int rc;

    memset(h, 0, sizeof(*h));
    dukpt_ksn_set_counter(ksn, 0, h->iksn);
    memcpy(h->ipek, ipek, DUKPT_KEY_LEN);
    rc = dukpt__des_open(&h->des);
    if (rc == POS_OK)
        rc = dukpt__tdes_open_dec(&h->pin);
    if (rc != POS_OK)
        dukpt_host_clear(h);
    return rc;
}

int dukpt_host_init_bdk(struct dukpt_host *h, const uint8_t *bdk, size_t bdk_len,
                        const uint8_t *ksn)
{
    uint8_t ipek[DUKPT_KEY_LEN];
    int rc;

    memset(h, 0, sizeof(*h));
    rc = dukpt_ipek(bdk, bdk_len, ksn, ipek);
    if (rc == POS_OK)
        rc = dukpt_host_init(h, ipek, ksn);
    pos_wipe(ipek, sizeof(ipek));
    return rc;
}

int dukpt_host_derive(struct dukpt_host *h, const uint8_t *ksn, uint8_t *key,
                      struct pos_errdetail *d)
{
    uint8_t iksn[DUKPT_KSN_LEN];
    uint32_t c = dukpt_ksn_counter(ksn), diff, above;
    const uint8_t *start;
    unsigned k, steps = 0;
    int rc;

    dukpt_ksn_set_counter(ksn, 0, iksn);
    if (!pos_mem_eq_ct(iksn, h->iksn, DUKPT_KSN_LEN)) {
        rc = pos_errdetail_set(d, POS_ERR_KSN, -1, 0,
                               "KSN belongs to another device (initial KSN differs)");
        goto out;
    }
    rc = dukpt_ksn_check(ksn, d);
    if (rc != POS_OK)
        goto out;
    /* Reuse the cached path down to the highest bit where c and the cached
     * counter differ: consecutive counters share all but the last step. */
    diff = c ^ h->path_counter;
    if (diff == 0) {
        memcpy(key, h->path[h->path_len - 1], DUKPT_KEY_LEN);
        goto out;
    }
    above = ~((2u << (31 - __builtin_clz(diff))) - 1);
    k = dukpt__ones(c & above);
    start = k == 0 ? h->ipek : h->path[k - 1];
    h->path_counter = 0; /* invalid until the walk completes */
    rc = dukpt__walk(h->des, start, dukpt__r8(ksn), c & above, c, h->path, key, &steps);
    if (rc != POS_OK)
        goto out;
    h->path_counter = c;
    h->path_len = dukpt__ones(c);
out:
    h->last_steps = steps;
    if (rc != POS_OK)
        pos_wipe(key, DUKPT_KEY_LEN);
    return rc;
}

int dukpt_host_decrypt_pin(struct dukpt_host *h, const uint8_t *ksn, const uint8_t *block,
                           uint8_t *out, struct pos_errdetail *d)
{
    uint8_t key[24], in[8];
    int rc, outl = 0;

    memcpy(in, block, sizeof(in));
    rc = dukpt_host_derive(h, ksn, key, d);
    if (rc == POS_OK)
        rc = dukpt_variant(key, DUKPT_USAGE_PIN, key);
    if (rc == POS_OK) {
        /* double-length TDES: K1 K2 K1; the context keeps its cipher */
        memcpy(key + 16, key, 8);
        if (EVP_DecryptInit_ex2(h->pin, NULL, key, NULL, NULL) != 1 ||
            EVP_DecryptUpdate(h->pin, out, &outl, in, sizeof(in)) != 1 || outl != 8)
            rc = POS_ERR_CRYPTO;
    }
    if (rc != POS_OK)
        pos_wipe(out, 8);
    pos_wipe(key, sizeof(key));
    pos_wipe(in, sizeof(in));
    return rc;
}

unsigned dukpt_host_last_steps(const struct dukpt_host *h)
{
    return h->last_steps;
}

/* ---- device --------------------------------------------------------------- */

void dukpt_device_clear(struct dukpt_device *dev)
{
    if (dev == NULL)
        return;
    EVP_CIPHER_CTX_free(dev->des);
    pos_wipe(dev, sizeof(*dev));
}

int dukpt_device_load(struct dukpt_device *dev, const uint8_t *ipek, const uint8_t *iksn)
{
    uint64_t r8;
    int rc, i;

    memset(dev, 0, sizeof(*dev));
    dukpt_ksn_set_counter(iksn, 0, dev->ksn);
    r8 = dukpt__r8(dev->ksn);
    rc = dukpt__des_open(&dev->des);
    /* "Load Initial Key" then "New Key-3" for every register #1..#21: the
     * register of bit b holds the key of counter b. */
    for (i = DUKPT_NUM_REG - 1; rc == POS_OK && i >= 0; i--) {
        rc = dukpt__nrkgp(dev->des, ipek, r8 | (1u << i), dev->fk[i]);
        dev->valid |= 1u << i;
    }
    if (rc != POS_OK) {
        dukpt_device_clear(dev);
        return rc;
    }
    dev->counter = 1;
    dev->loaded = true;
    return POS_OK;
}

int dukpt_device_resume(struct dukpt_device *dev, const uint8_t *ipek, const uint8_t *ksn,
                        struct pos_errdetail *d)
{
    uint32_t c = dukpt_ksn_counter(ksn), bit, prefix;
    uint64_t r8;
    int rc, i, low;

    memset(dev, 0, sizeof(*dev));
    rc = dukpt_ksn_check(ksn, d);
    if (rc != POS_OK)
        return rc;
    dukpt_ksn_set_counter(ksn, 0, dev->ksn);
    r8 = dukpt__r8(dev->ksn);
    rc = dukpt__des_open(&dev->des);
    /* Before counter c is used, the register of c's lowest one-bit holds
     * key(c); every higher register whose bit is 0 in c holds the key of c's
     * higher bits plus its own bit; the others were used and erased. */
    low = __builtin_ctz(c);
    for (i = DUKPT_NUM_REG - 1; rc == POS_OK && i >= low; i--) {
        bit = 1u << i;
        if (i != low && (c & bit))
            continue;
        prefix = c & ~((bit << 1) - 1);
        rc = dukpt__walk(dev->des, ipek, r8, 0, prefix | bit, NULL, dev->fk[i], NULL);
        dev->valid |= bit;
    }
    if (rc != POS_OK) {
        dukpt_device_clear(dev);
        return rc;
    }
    dev->counter = c;
    dev->loaded = true;
    return POS_OK;
}

int dukpt_device_next(struct dukpt_device *dev, uint8_t *key, uint8_t *ksn)
{
    uint8_t cur[DUKPT_KEY_LEN];
    uint32_t c = dev->counter, sr, bit;
    uint64_t r8 = dukpt__r8(dev->ksn);
    int rc = POS_OK, i, j;

    memset(cur, 0, sizeof(cur));
    if (!dev->loaded) {
        rc = POS_ERR_INVAL;
        goto out;
    }
    /* "Request PIN Entry 1": the current key is the register of the counter's
     * rightmost one-bit; a register whose LRC is bad (here: erased) is
     * skipped by adding the shift register to the counter. */
    for (;;) {
        if (c == 0 || c > DUKPT_COUNTER_MASK) {
            dev->counter = 0;
            rc = POS_ERR_DUKPT_EXHAUSTED;
            goto out;
        }
        sr = c & (~c + 1);
        i = __builtin_ctz(c);
        if (dev->valid & sr)
            break;
        c += sr;
    }
    memcpy(cur, dev->fk[i], sizeof(cur));
    /* "New Key": fewer than 10 one-bits, so derive the registers below the
     * current one (New Key-1, New Key-3) and count on by one; otherwise skip
     * the counters that would have more than 10 one-bits. */
    if (dukpt__ones(c) < DUKPT_MAX_ONE_BITS) {
        for (bit = sr >> 1, j = i - 1; bit != 0; bit >>= 1, j--) {
            rc = dukpt__nrkgp(dev->des, cur, r8 | c | bit, dev->fk[j]);
            if (rc != POS_OK)
                goto out; /* counter unchanged: the same key is retried */
            dev->valid |= bit;
        }
    }
    memcpy(key, cur, DUKPT_KEY_LEN);
    dukpt_ksn_set_counter(dev->ksn, c, ksn);
    pos_wipe(dev->fk[i], DUKPT_KEY_LEN);
    dev->valid &= ~sr;
    c += dukpt__ones(c) < DUKPT_MAX_ONE_BITS ? 1 : sr;
    /* "New Key-2": a counter past 21 bits means the device is exhausted. */
    dev->counter = c > DUKPT_COUNTER_MASK ? 0 : c;
out:
    if (rc != POS_OK)
        pos_wipe(key, DUKPT_KEY_LEN);
    pos_wipe(cur, sizeof(cur));
    return rc;
}

uint32_t dukpt_device_counter(const struct dukpt_device *dev)
{
    return dev->counter;
}
