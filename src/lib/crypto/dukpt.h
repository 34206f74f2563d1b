/*
 * dukpt: TDES DUKPT, Derived Unique Key Per Transaction, as ANSI X9.24-1-2009
 * Annex A defines it (the same algorithm is ANSI X9.24-3-2017 Annex C).
 *
 * Terms (X9.24-1-2009 A.1):
 *   BDK   base derivation key, double-length TDES (16 bytes).
 *   KSN   key serial number, 10 bytes: a 59-bit initial KSN (the device's
 *         identity) and a 21-bit encryption counter (the rightmost bits).
 *   IPEK  initial PIN encryption key ("initial key"), 16 bytes, derived from
 *         the BDK and the initial KSN (A.6) and loaded into one device.
 *   transaction key  the "current key" of a counter: the IPEK run through the
 *         non-reversible key generation process (A.2) once per one-bit of the
 *         counter, high to low. A usable counter has at most 10 one-bits.
 *   variants  the working keys the device actually uses are the transaction
 *         key XOR a mask (A.4.1 table A-1; X9.24-3-2017 C.5.2 table 5):
 *           PIN                 00000000000000FF 00000000000000FF
 *           MAC request/both    000000000000FF00 000000000000FF00
 *           MAC response        00000000FF000000 00000000FF000000
 *           data request/both   0000000000FF0000 0000000000FF0000
 *           data response       000000FF00000000 000000FF00000000
 *         the data keys are then one-way: each half of the variant is
 *         TDES-encrypted under the variant itself (X9.24-3-2017 C.5.2).
 *
 * Three ways in:
 *   - stateless: dukpt_ipek(), dukpt_derive() (up to 10 steps per call);
 *   - host, per terminal: struct dukpt_host caches the IPEK, the derivation
 *     path of the last counter and its cipher contexts, so the next counter
 *     of the same terminal costs one step (the hot path of a payment host);
 *   - device: struct dukpt_device holds the 21 future-key registers of A.2
 *     and walks the counter the way a PIN pad does, skipping counters of more
 *     than 10 one-bits and stopping at exhaustion (after counter 0x1FF800).
 *
 * All state is caller-allocated (stack or a per-terminal cache) and owns
 * OpenSSL contexts: release it with the matching _clear(), which also wipes
 * every key. No allocation beyond OpenSSL's EVP contexts; no I/O.
 *
 * Speed: each key generation is two single-DES encryptions under two keys.
 * They run on one encrypt-only EVP context re-keyed in place: plain DES
 * when the program has loaded OpenSSL's legacy provider into the default
 * library context, else TDES with K1 = K2 = K3 (same result, slower).
 */
#ifndef POS_CRYPTO_DUKPT_H
#define POS_CRYPTO_DUKPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/block.h"
#include "error.h"

#define DUKPT_KSN_LEN      10
#define DUKPT_KEY_LEN      16
#define DUKPT_NUM_REG      21        /* future key registers = counter bits */
#define DUKPT_COUNTER_MASK 0x1FFFFFu /* the 21-bit encryption counter */
#define DUKPT_MAX_ONE_BITS 10        /* X9.24-1-2009 A.2 "New Key" */
#define DUKPT_COUNTER_LAST 0x1FF800u /* the last usable counter */

/* The key usages of X9.24-1-2009 A.4.1 table A-1. */
enum dukpt_usage {
    DUKPT_USAGE_PIN = 1,
    DUKPT_USAGE_MAC_REQUEST = 2, /* request or both ways */
    DUKPT_USAGE_MAC_RESPONSE = 3,
    DUKPT_USAGE_DATA_REQUEST = 4, /* request or both ways */
    DUKPT_USAGE_DATA_RESPONSE = 5,
};

/* ---- KSN helpers ---------------------------------------------------------- */

/* The 21-bit encryption counter of ksn (DUKPT_KSN_LEN bytes). */
uint32_t dukpt_ksn_counter(const uint8_t *ksn);

/* Copies ksn to out (both DUKPT_KSN_LEN bytes; may alias) with the counter
 * replaced by counter & DUKPT_COUNTER_MASK. */
void dukpt_ksn_set_counter(const uint8_t *ksn, uint32_t counter, uint8_t *out);

/* true when counter names a transaction: 1..0x1FFFFF with at most 10 one-bits. */
bool dukpt_counter_is_valid(uint32_t counter);

/* Checks that ksn's counter is valid. Returns POS_OK or POS_ERR_KSN (d says
 * why: counter 0, or how many one-bits). */
int dukpt_ksn_check(const uint8_t *ksn, struct pos_errdetail *d);

/* The KSN a device uses after ksn: the next counter with at most 10 one-bits
 * (X9.24-1-2009 A.2 "New Key": +1, or + the lowest one-bit when the counter
 * already has 10). Writes out (may alias ksn). Returns POS_OK, or
 * POS_ERR_DUKPT_EXHAUSTED when ksn's counter is 0x1FF800 or beyond (out then
 * holds ksn unchanged). */
int dukpt_ksn_next(const uint8_t *ksn, uint8_t *out);

/* ---- stateless derivations ------------------------------------------------ */

/* IPEK from bdk (bdk_len must be 16) and any KSN of the device (its counter
 * bits are ignored), X9.24-1-2009 A.6. Writes DUKPT_KEY_LEN bytes to ipek
 * (zeroed on failure). Returns POS_OK, POS_ERR_KEY_LENGTH or POS_ERR_CRYPTO. */
int dukpt_ipek(const uint8_t *bdk, size_t bdk_len, const uint8_t *ksn, uint8_t *ipek);

/* Transaction key of ksn's counter from the IPEK (16 bytes), the host's
 * derivation of X9.24-1-2009 A.3/A.2. Writes DUKPT_KEY_LEN bytes to key
 * (zeroed on failure). Returns POS_OK, POS_ERR_KSN (counter 0 or more than 10
 * one-bits; d says which) or POS_ERR_CRYPTO. */
int dukpt_derive(const uint8_t *ipek, const uint8_t *ksn, uint8_t *key, struct pos_errdetail *d);

/* Working key for usage from a transaction key (both DUKPT_KEY_LEN bytes; may
 * alias). Returns POS_OK, POS_ERR_INVAL (unknown usage) or POS_ERR_CRYPTO
 * (data keys only); out is zeroed on failure. */
int dukpt_variant(const uint8_t *key, enum dukpt_usage usage, uint8_t *out);

/* ---- host: per-terminal cache --------------------------------------------- */

/* One terminal's derivation state. Fields are private. Size ~400 bytes. */
struct dukpt_host {
    uint8_t iksn[DUKPT_KSN_LEN]; /* initial KSN (counter bits 0) */
    uint8_t ipek[DUKPT_KEY_LEN];
    uint8_t path[DUKPT_NUM_REG][DUKPT_KEY_LEN]; /* key after each one-bit */
    uint32_t path_counter;                      /* counter whose path is cached */
    unsigned path_len;                          /* one-bits of path_counter */
    unsigned last_steps;                        /* key generations in the last call */
    EVP_CIPHER_CTX *des;                        /* single-DES steps, re-keyed */
    EVP_CIPHER_CTX *pin;                        /* TDES PIN-key decryption, re-keyed */
};

/* Sets up h for the device whose IPEK is ipek (16 bytes) and whose KSN (any
 * counter) is ksn. On failure h is cleared. Returns POS_OK or POS_ERR_CRYPTO. */
int dukpt_host_init(struct dukpt_host *h, const uint8_t *ipek, const uint8_t *ksn);

/* Same, deriving the IPEK from the BDK (bdk_len 16). Adds POS_ERR_KEY_LENGTH. */
int dukpt_host_init_bdk(struct dukpt_host *h, const uint8_t *bdk, size_t bdk_len,
                        const uint8_t *ksn);

/* Transaction key of ksn (which must belong to h's device: same initial KSN)
 * into key (DUKPT_KEY_LEN bytes, zeroed on failure). Reuses the cached path:
 * the counter after the last one costs one key generation. Returns POS_OK,
 * POS_ERR_KSN (other device, counter 0 or > 10 one-bits; d says which) or
 * POS_ERR_CRYPTO. */
int dukpt_host_derive(struct dukpt_host *h, const uint8_t *ksn, uint8_t *key,
                      struct pos_errdetail *d);

/* Derives ksn's PIN key and deciphers one 8-byte PIN block with it (TDES
 * ECB), reusing h's contexts: the host's PIN-translation hot path. block and
 * out may alias; out is zeroed on failure. Returns as dukpt_host_derive. */
int dukpt_host_decrypt_pin(struct dukpt_host *h, const uint8_t *ksn, const uint8_t *block,
                           uint8_t *out, struct pos_errdetail *d);

/* Key generations (non-reversible key generation processes) the last
 * successful dukpt_host_derive made: 0..10. For tests and statistics. */
unsigned dukpt_host_last_steps(const struct dukpt_host *h);

/* Wipes h and releases its contexts (h may be zeroed or cleared already). */
void dukpt_host_clear(struct dukpt_host *h);

/* ---- device: future-key registers ----------------------------------------- */

/* A PIN entry device's DUKPT state (X9.24-1-2009 A.2). fk[i] is the future
 * key register of counter bit (1 << i), the standard's register #(21 - i);
 * the valid mask plays the role of the registers' LRCs. Fields are private. */
struct dukpt_device {
    uint8_t ksn[DUKPT_KSN_LEN]; /* initial KSN, counter bits 0 */
    uint8_t fk[DUKPT_NUM_REG][DUKPT_KEY_LEN];
    uint32_t valid;   /* bit i: fk[i] holds a key */
    uint32_t counter; /* next counter; 0 = exhausted */
    bool loaded;
    EVP_CIPHER_CTX *des; /* single-DES steps, re-keyed */
};

/* "Load Initial Key": fills the 21 future-key registers from ipek (16 bytes)
 * and the device's initial KSN iksn (counter bits ignored); the next
 * transaction uses counter 1. The caller wipes its copy of ipek. On failure
 * dev is cleared. Returns POS_OK or POS_ERR_CRYPTO. */
int dukpt_device_load(struct dukpt_device *dev, const uint8_t *ipek, const uint8_t *iksn);

/* Re-creates from ipek the registers a device holds when the next
 * transaction's KSN is ksn (whose counter must be valid): what the device
 * would hold had it run from counter 1, for restoring a terminal or a test
 * rig. Returns POS_OK, POS_ERR_KSN or POS_ERR_CRYPTO; dev is cleared on
 * failure. */
int dukpt_device_resume(struct dukpt_device *dev, const uint8_t *ipek, const uint8_t *ksn,
                        struct pos_errdetail *d);

/* One transaction: "Request PIN Entry" (the current key and its KSN) then
 * "New Key" (derive the registers below, erase the current one, advance the
 * counter, skipping counters of more than 10 one-bits). Writes the
 * transaction key (DUKPT_KEY_LEN bytes) and the KSN to send (DUKPT_KSN_LEN).
 * Returns POS_OK, POS_ERR_DUKPT_EXHAUSTED (no usable counter is left: the
 * device must be reloaded), POS_ERR_INVAL (not loaded) or POS_ERR_CRYPTO;
 * key is zeroed on failure. */
int dukpt_device_next(struct dukpt_device *dev, uint8_t *key, uint8_t *ksn);

/* The counter the next transaction will use (0 when exhausted). */
uint32_t dukpt_device_counter(const struct dukpt_device *dev);

/* Wipes the registers and releases the context (dev may be zeroed). */
void dukpt_device_clear(struct dukpt_device *dev);

#endif
