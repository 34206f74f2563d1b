/*
 * dukpt_aes: ANSI X9.24-3-2017 AES DUKPT. Every derivation is the
 * "derive key" function of §6.3.1 (B.4.1): AES-ECB of the derivation data
 * under the deriving key, one block per 128 bits of output, over a struct
 * block_key re-keyed per step.
 */
#include "crypto/dukpt_aes.h"

#include <string.h>

#include "mem.h"

#define DUKPT_AES_DATA_LEN 16

static unsigned dukpt_aes__ones(uint32_t v)
{
    return (unsigned)__builtin_popcount(v);
}

size_t dukpt_aes_key_len(enum dukpt_aes_key_type t)
{
    switch (t) {
    case DUKPT_AES_2TDEA:
    case DUKPT_AES_AES128:
        return 16;
    case DUKPT_AES_3TDEA:
    case DUKPT_AES_AES192:
        return 24;
    case DUKPT_AES_AES256:
        return 32;
    }
    return 0;
}

int dukpt_aes_bdk_type(size_t key_len, enum dukpt_aes_key_type *t)
{
    switch (key_len) {
    case 16:
        *t = DUKPT_AES_AES128;
        return POS_OK;
    case 24:
        *t = DUKPT_AES_AES192;
        return POS_OK;
    case 32:
        *t = DUKPT_AES_AES256;
        return POS_OK;
    }
    return POS_ERR_KEY_LENGTH;
}

uint32_t dukpt_aes_ksn_counter(const uint8_t *ksn)
{
    return ((uint32_t)ksn[8] << 24) | ((uint32_t)ksn[9] << 16) | ((uint32_t)ksn[10] << 8) | ksn[11];
}

void dukpt_aes_ksn_set_counter(const uint8_t *ksn, uint32_t counter, uint8_t *out)
{
    if (out != ksn)
        memcpy(out, ksn, DUKPT_AES_IKID_LEN);
    out[8] = (uint8_t)(counter >> 24);
    out[9] = (uint8_t)(counter >> 16);
    out[10] = (uint8_t)(counter >> 8);
    out[11] = (uint8_t)counter;
}

bool dukpt_aes_counter_is_valid(uint32_t counter)
{
    return counter != 0 && dukpt_aes__ones(counter) <= DUKPT_AES_MAX_ONE_BITS;
}

int dukpt_aes_ksn_check(const uint8_t *ksn, struct pos_errdetail *d)
{
    uint32_t c = dukpt_aes_ksn_counter(ksn);

    if (c == 0)
        return pos_errdetail_set(d, POS_ERR_KSN, -1, 8,
                                 "counter is 0: the initial KSN names no transaction");
    if (dukpt_aes__ones(c) > DUKPT_AES_MAX_ONE_BITS)
        return pos_errdetail_set(d, POS_ERR_KSN, -1, 8, "counter %08X has %u one-bits (at most %d)",
                                 (unsigned)c, dukpt_aes__ones(c), DUKPT_AES_MAX_ONE_BITS);
    return POS_OK;
}

int dukpt_aes_ksn_next(const uint8_t *ksn, uint8_t *out)
{
    uint64_t c = (uint64_t)dukpt_aes_ksn_counter(ksn) + 1;

    /* B.6.3 "update state for next transaction": past a counter of 16
     * one-bits, add its lowest one-bit (which never adds one-bits). */
    while (c <= UINT32_MAX && dukpt_aes__ones((uint32_t)c) > DUKPT_AES_MAX_ONE_BITS)
        c += c & (~c + 1);
    if (c > UINT32_MAX) {
        if (out != ksn)
            memcpy(out, ksn, DUKPT_AES_KSN_LEN);
        return POS_ERR_DUKPT_EXHAUSTED;
    }
    dukpt_aes_ksn_set_counter(ksn, (uint32_t)c, out);
    return POS_OK;
}

int dukpt_aes_derivation_data(enum dukpt_aes_usage usage, enum dukpt_aes_key_type t,
                              const uint8_t *ikid, uint32_t counter, uint8_t out[16])
{
    size_t bits = dukpt_aes_key_len(t) * 8;

    switch (usage) {
    case DUKPT_AES_USAGE_KEK:
    case DUKPT_AES_USAGE_PIN:
    case DUKPT_AES_USAGE_MAC_GENERATION:
    case DUKPT_AES_USAGE_MAC_VERIFICATION:
    case DUKPT_AES_USAGE_MAC_BOTH:
    case DUKPT_AES_USAGE_DATA_ENCRYPT:
    case DUKPT_AES_USAGE_DATA_DECRYPT:
    case DUKPT_AES_USAGE_DATA_BOTH:
    case DUKPT_AES_USAGE_KEY_DERIVATION:
    case DUKPT_AES_USAGE_INITIAL_KEY:
        break;
    default:
        return POS_ERR_INVAL;
    }
    if (bits == 0)
        return POS_ERR_INVAL;
    out[0] = 0x01; /* version */
    out[1] = 0x01; /* key block counter: set per block by the derivation */
    out[2] = (uint8_t)((unsigned)usage >> 8);
    out[3] = (uint8_t)usage;
    out[4] = 0x00;
    out[5] = (uint8_t)t;
    out[6] = (uint8_t)(bits >> 8);
    out[7] = (uint8_t)bits;
    if (usage == DUKPT_AES_USAGE_INITIAL_KEY) {
        memcpy(out + 8, ikid, DUKPT_AES_IKID_LEN);
    } else {
        memcpy(out + 8, ikid + 4, 4);
        out[12] = (uint8_t)(counter >> 24);
        out[13] = (uint8_t)(counter >> 16);
        out[14] = (uint8_t)(counter >> 8);
        out[15] = (uint8_t)counter;
    }
    return POS_OK;
}

/* §6.3.1 / B.4.1 derive key: out_len bytes (16..32) of
 * AES(key, data with block counter 1) || AES(key, data with counter 2)... */
static int dukpt_aes__derive_key(struct block_key *k, const uint8_t *key, size_t key_len,
                                 uint8_t *data, size_t out_len, uint8_t *out)
{
    uint8_t buf[DUKPT_AES_MAX_KEY];
    size_t off;
    int rc;

    rc = block_key_rekey(k, key, key_len);
    for (off = 0; rc == POS_OK && off < out_len; off += DUKPT_AES_DATA_LEN) {
        data[1] = (uint8_t)(off / DUKPT_AES_DATA_LEN + 1);
        rc = block_ecb_encrypt(k, data, DUKPT_AES_DATA_LEN, buf + off);
    }
    if (rc == POS_OK)
        memcpy(out, buf, out_len);
    pos_wipe(buf, sizeof(buf));
    return rc;
}

/* From key (the intermediate derivation key of counter have, key_len bytes),
 * derives the keys of want's one-bits below have's, high to low (B.5
 * "host derive working key" loop); stores each in path[k - 1] (k counted
 * from have's one-bits) when path is not NULL; the last into out. */
static int dukpt_aes__walk(struct block_key *k, const uint8_t *key, size_t key_len,
                           const uint8_t *ikid, uint32_t have, uint32_t want,
                           uint8_t (*path)[DUKPT_AES_MAX_KEY], uint8_t *out, unsigned *steps)
{
    uint8_t kr[DUKPT_AES_MAX_KEY], data[DUKPT_AES_DATA_LEN];
    enum dukpt_aes_key_type kt = DUKPT_AES_AES128;
    uint32_t bit, reg = have;
    unsigned idx = dukpt_aes__ones(have), n = 0;
    int rc;

    memcpy(kr, key, key_len);
    rc = dukpt_aes_bdk_type(key_len, &kt);
    for (bit = 0x80000000u; rc == POS_OK && bit != 0; bit >>= 1) {
        if (!(want & bit) || (have & bit))
            continue;
        reg |= bit;
        rc = dukpt_aes_derivation_data(DUKPT_AES_USAGE_KEY_DERIVATION, kt, ikid, reg, data);
        if (rc == POS_OK)
            rc = dukpt_aes__derive_key(k, kr, key_len, data, key_len, kr);
        if (rc != POS_OK)
            break;
        n++;
        if (path != NULL)
            memcpy(path[idx], kr, key_len);
        idx++;
    }
    if (rc == POS_OK)
        memcpy(out, kr, key_len);
    if (steps != NULL)
        *steps = n;
    pos_wipe(kr, sizeof(kr));
    pos_wipe(data, sizeof(data));
    return rc;
}

int dukpt_aes_initial_key(const uint8_t *bdk, size_t bdk_len, const uint8_t *ikid, uint8_t *ik)
{
    struct block_key k;
    uint8_t data[DUKPT_AES_DATA_LEN];
    enum dukpt_aes_key_type t;
    int rc;

    memset(&k, 0, sizeof(k));
    rc = dukpt_aes_bdk_type(bdk_len, &t);
    if (rc != POS_OK)
        return rc;
    rc = dukpt_aes_derivation_data(DUKPT_AES_USAGE_INITIAL_KEY, t, ikid, 0, data);
    if (rc == POS_OK)
        rc = block_key_init(&k, BLOCK_AES, bdk, bdk_len);
    if (rc == POS_OK)
        rc = dukpt_aes__derive_key(&k, bdk, bdk_len, data, bdk_len, ik);
    if (rc != POS_OK)
        pos_wipe(ik, bdk_len);
    block_key_clear(&k);
    return rc;
}

int dukpt_aes_derive(const uint8_t *ik, size_t ik_len, const uint8_t *ksn, uint8_t *dk,
                     struct pos_errdetail *d)
{
    struct block_key k;
    enum dukpt_aes_key_type t;
    int rc;

    memset(&k, 0, sizeof(k));
    rc = dukpt_aes_bdk_type(ik_len, &t);
    if (rc != POS_OK)
        return rc;
    rc = dukpt_aes_ksn_check(ksn, d);
    if (rc == POS_OK)
        rc = block_key_init(&k, BLOCK_AES, ik, ik_len);
    if (rc == POS_OK)
        rc = dukpt_aes__walk(&k, ik, ik_len, ksn, 0, dukpt_aes_ksn_counter(ksn), NULL, dk, NULL);
    if (rc != POS_OK)
        pos_wipe(dk, ik_len);
    block_key_clear(&k);
    return rc;
}

/* The working-key checks of §6.1.3 and the derivation, under k. */
static int dukpt_aes__working(struct block_key *k, const uint8_t *dk, size_t dk_len,
                              const uint8_t *ksn, enum dukpt_aes_usage usage,
                              enum dukpt_aes_key_type t, uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t data[DUKPT_AES_DATA_LEN];
    size_t len = dukpt_aes_key_len(t);
    int rc;

    if (usage == DUKPT_AES_USAGE_KEY_DERIVATION || usage == DUKPT_AES_USAGE_INITIAL_KEY)
        return POS_ERR_INVAL;
    rc = dukpt_aes_derivation_data(usage, t, ksn, dukpt_aes_ksn_counter(ksn), data);
    if (rc != POS_OK)
        return rc;
    if (dk_len != 16 && dk_len != 24 && dk_len != 32)
        return POS_ERR_KEY_LENGTH;
    /* never stronger than the deriving key: an AES working key is at most
     * as long as it; TDES (at most 112-bit strength) comes from any AES key */
    if ((t == DUKPT_AES_AES192 || t == DUKPT_AES_AES256) && len > dk_len)
        return POS_ERR_KEY_LENGTH;
    if (len > cap)
        return POS_ERR_NOSPACE;
    rc = dukpt_aes__derive_key(k, dk, dk_len, data, len, out);
    if (rc == POS_OK)
        *out_len = len;
    pos_wipe(data, sizeof(data));
    return rc;
}

int dukpt_aes_working_key(const uint8_t *dk, size_t dk_len, const uint8_t *ksn,
                          enum dukpt_aes_usage usage, enum dukpt_aes_key_type t, uint8_t *out,
                          size_t cap, size_t *out_len)
{
    struct block_key k;
    int rc = POS_ERR_KEY_LENGTH;

    memset(&k, 0, sizeof(k));
    if (dk_len == 16 || dk_len == 24 || dk_len == 32)
        rc = block_key_init(&k, BLOCK_AES, dk, dk_len);
    if (rc == POS_OK)
        rc = dukpt_aes__working(&k, dk, dk_len, ksn, usage, t, out, cap, out_len);
    if (rc != POS_OK)
        pos_wipe(out, cap);
    block_key_clear(&k);
    return rc;
}

/* ---- host ----------------------------------------------------------------- */

void dukpt_aes_host_clear(struct dukpt_aes_host *h)
{
    if (h == NULL)
        return;
    block_key_clear(&h->aes);
    pos_wipe(h, sizeof(*h));
}

int dukpt_aes_host_init(struct dukpt_aes_host *h, const uint8_t *ik, size_t ik_len,
                        const uint8_t *ksn)
{
    enum dukpt_aes_key_type t;
    int rc;

    memset(h, 0, sizeof(*h));
    rc = dukpt_aes_bdk_type(ik_len, &t);
    if (rc != POS_OK)
        return rc;
    memcpy(h->ikid, ksn, DUKPT_AES_IKID_LEN);
    memcpy(h->ik, ik, ik_len);
    h->key_len = ik_len;
    rc = block_key_init(&h->aes, BLOCK_AES, ik, ik_len);
    if (rc != POS_OK)
        dukpt_aes_host_clear(h);
    return rc;
}

int dukpt_aes_host_init_bdk(struct dukpt_aes_host *h, const uint8_t *bdk, size_t bdk_len,
                            const uint8_t *ksn)
{
    uint8_t ik[DUKPT_AES_MAX_KEY];
    int rc;

    memset(h, 0, sizeof(*h));
    rc = dukpt_aes_initial_key(bdk, bdk_len, ksn, ik);
    if (rc == POS_OK)
        rc = dukpt_aes_host_init(h, ik, bdk_len, ksn);
    pos_wipe(ik, sizeof(ik));
    return rc;
}

int dukpt_aes_host_derive(struct dukpt_aes_host *h, const uint8_t *ksn, uint8_t *dk,
                          struct pos_errdetail *d)
{
    uint32_t c = dukpt_aes_ksn_counter(ksn), diff, above;
    const uint8_t *start;
    unsigned k, steps = 0;
    int rc;

    if (h->key_len == 0) {
        rc = POS_ERR_INVAL;
        goto out;
    }
    if (!pos_mem_eq_ct(ksn, h->ikid, DUKPT_AES_IKID_LEN)) {
        rc = pos_errdetail_set(d, POS_ERR_KSN, -1, 0,
                               "KSN belongs to another device (initial key ID differs)");
        goto out;
    }
    rc = dukpt_aes_ksn_check(ksn, d);
    if (rc != POS_OK)
        goto out;
    diff = c ^ h->path_counter;
    if (diff == 0) {
        memcpy(dk, h->path[h->path_len - 1], h->key_len);
        goto out;
    }
    /* keep the path above the highest bit where the counters differ */
    above = (uint32_t) ~((2ull << (31 - __builtin_clz(diff))) - 1);
    k = dukpt_aes__ones(c & above);
    start = k == 0 ? h->ik : h->path[k - 1];
    h->path_counter = 0;
    rc = dukpt_aes__walk(&h->aes, start, h->key_len, h->ikid, c & above, c, h->path, dk, &steps);
    if (rc != POS_OK)
        goto out;
    h->path_counter = c;
    h->path_len = dukpt_aes__ones(c);
out:
    h->last_steps = steps;
    if (rc != POS_OK && h->key_len != 0)
        pos_wipe(dk, h->key_len);
    return rc;
}

int dukpt_aes_host_working_key(struct dukpt_aes_host *h, const uint8_t *ksn,
                               enum dukpt_aes_usage usage, enum dukpt_aes_key_type t, uint8_t *out,
                               size_t cap, size_t *out_len, struct pos_errdetail *d)
{
    uint8_t dk[DUKPT_AES_MAX_KEY];
    int rc;

    rc = dukpt_aes_host_derive(h, ksn, dk, d);
    if (rc == POS_OK)
        rc = dukpt_aes__working(&h->aes, dk, h->key_len, ksn, usage, t, out, cap, out_len);
    if (rc != POS_OK)
        pos_wipe(out, cap);
    pos_wipe(dk, sizeof(dk));
    return rc;
}

size_t dukpt_aes_host_key_len(const struct dukpt_aes_host *h)
{
    return h->key_len;
}

unsigned dukpt_aes_host_last_steps(const struct dukpt_aes_host *h)
{
    return h->last_steps;
}

/* ---- device --------------------------------------------------------------- */

void dukpt_aes_device_clear(struct dukpt_aes_device *dev)
{
    if (dev == NULL)
        return;
    block_key_clear(&dev->aes);
    pos_wipe(dev, sizeof(*dev));
}

/* Common set-up of load and resume: the context and the identity. */
static int dukpt_aes__device_start(struct dukpt_aes_device *dev, const uint8_t *ik, size_t ik_len,
                                   const uint8_t *ikid)
{
    enum dukpt_aes_key_type t;
    int rc;

    memset(dev, 0, sizeof(*dev));
    rc = dukpt_aes_bdk_type(ik_len, &t);
    if (rc != POS_OK)
        return rc;
    memcpy(dev->ikid, ikid, DUKPT_AES_IKID_LEN);
    dev->key_len = ik_len;
    return block_key_init(&dev->aes, BLOCK_AES, ik, ik_len);
}

int dukpt_aes_device_load(struct dukpt_aes_device *dev, const uint8_t *ik, size_t ik_len,
                          const uint8_t *ikid)
{
    int rc, i;

    rc = dukpt_aes__device_start(dev, ik, ik_len, ikid);
    /* B.6.3 "load initial key" then "update derivation keys" from register
     * 31 down: register i holds the key of counter (1 << i). */
    for (i = DUKPT_AES_NUM_REG - 1; rc == POS_OK && i >= 0; i--) {
        rc = dukpt_aes__walk(&dev->aes, ik, ik_len, dev->ikid, 0, 1u << i, NULL, dev->reg[i], NULL);
        dev->valid |= 1u << i;
    }
    if (rc != POS_OK) {
        dukpt_aes_device_clear(dev);
        return rc;
    }
    dev->counter = 1;
    dev->loaded = true;
    return POS_OK;
}

int dukpt_aes_device_resume(struct dukpt_aes_device *dev, const uint8_t *ik, size_t ik_len,
                            const uint8_t *ksn, struct pos_errdetail *d)
{
    uint32_t c = dukpt_aes_ksn_counter(ksn), bit, prefix;
    int rc, i, low;

    rc = dukpt_aes__device_start(dev, ik, ik_len, ksn);
    if (rc == POS_OK)
        rc = dukpt_aes_ksn_check(ksn, d);
    if (rc != POS_OK) {
        dukpt_aes_device_clear(dev);
        return rc;
    }
    /* Before counter c: the register of c's lowest one-bit holds key(c);
     * each higher register whose bit is 0 in c holds the key of c's higher
     * bits plus its own; the rest were used and erased. */
    low = __builtin_ctz(c);
    for (i = DUKPT_AES_NUM_REG - 1; rc == POS_OK && i >= low; i--) {
        bit = 1u << i;
        if (i != low && (c & bit))
            continue;
        prefix = c & (uint32_t) ~(((uint64_t)bit << 1) - 1);
        rc = dukpt_aes__walk(&dev->aes, ik, ik_len, dev->ikid, 0, prefix | bit, NULL, dev->reg[i],
                             NULL);
        dev->valid |= bit;
    }
    if (rc != POS_OK) {
        dukpt_aes_device_clear(dev);
        return rc;
    }
    dev->counter = c;
    dev->loaded = true;
    return POS_OK;
}

int dukpt_aes_device_next(struct dukpt_aes_device *dev, uint8_t *dk, uint8_t *ksn)
{
    uint8_t cur[DUKPT_AES_MAX_KEY], data[DUKPT_AES_DATA_LEN];
    enum dukpt_aes_key_type kt = DUKPT_AES_AES128;
    uint64_t c = dev->counter;
    uint32_t sr = 0, bit;
    int rc = POS_OK, i = 0, j;

    memset(cur, 0, sizeof(cur));
    if (!dev->loaded) {
        rc = POS_ERR_INVAL;
        goto out;
    }
    /* B.6.3 "set shift register" to the counter's lowest one-bit; a
     * register not in use is skipped by adding the shift register. */
    for (;;) {
        if (dev->exhausted || c == 0 || c > UINT32_MAX) {
            dev->exhausted = true;
            rc = POS_ERR_DUKPT_EXHAUSTED;
            goto out;
        }
        sr = (uint32_t)(c & (~c + 1));
        i = __builtin_ctz(sr);
        if (dev->valid & sr)
            break;
        c += sr;
    }
    memcpy(cur, dev->reg[i], dev->key_len);
    rc = dukpt_aes_bdk_type(dev->key_len, &kt);
    /* "update state for next transaction": fewer than 16 one-bits, so the
     * registers below are derived from the current key and the counter
     * counts on by one; otherwise counters above 16 one-bits are skipped. */
    if (dukpt_aes__ones((uint32_t)c) < DUKPT_AES_MAX_ONE_BITS) {
        for (bit = sr >> 1, j = i - 1; rc == POS_OK && bit != 0; bit >>= 1, j--) {
            rc = dukpt_aes_derivation_data(DUKPT_AES_USAGE_KEY_DERIVATION, kt, dev->ikid,
                                           (uint32_t)c | bit, data);
            if (rc == POS_OK)
                rc = dukpt_aes__derive_key(&dev->aes, cur, dev->key_len, data, dev->key_len,
                                           dev->reg[j]);
            if (rc == POS_OK)
                dev->valid |= bit;
        }
    }
    if (rc != POS_OK)
        goto out; /* counter unchanged: the same key is retried */
    memcpy(dk, cur, dev->key_len);
    memcpy(ksn, dev->ikid, DUKPT_AES_IKID_LEN);
    dukpt_aes_ksn_set_counter(ksn, (uint32_t)c, ksn);
    pos_wipe(dev->reg[i], sizeof(dev->reg[i]));
    dev->valid &= ~sr;
    c += dukpt_aes__ones((uint32_t)c) < DUKPT_AES_MAX_ONE_BITS ? 1 : sr;
    if (c > UINT32_MAX)
        dev->exhausted = true;
    dev->counter = (uint32_t)c;
out:
    if (rc != POS_OK && dev->key_len != 0)
        pos_wipe(dk, dev->key_len);
    pos_wipe(cur, sizeof(cur));
    pos_wipe(data, sizeof(data));
    return rc;
}

uint32_t dukpt_aes_device_counter(const struct dukpt_aes_device *dev)
{
    return dev->counter;
}

bool dukpt_aes_device_is_exhausted(const struct dukpt_aes_device *dev)
{
    return dev->exhausted;
}
