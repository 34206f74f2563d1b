/*
 * dukpt_aes: AES DUKPT as ANSI X9.24-3-2017 defines it (§6 and Annex B, the
 * reference processing routines).
 *
 * Terms:
 *   BDK   base derivation key: AES-128, AES-192 or AES-256 (16, 24 or 32
 *         bytes). Only AES derives keys (§6.1); its type follows its length.
 *   KSN   12 bytes: the initial key ID (8 bytes: BDK ID 4 + derivation ID 4)
 *         and a 32-bit transaction counter (big-endian). A usable counter
 *         has 1 to 16 one-bits (§6.1; NUMREG 32, MAX_WORK 16 of Annex B).
 *   initial key  derived from the BDK and the initial key ID (§6.3.1, B.5).
 *   intermediate derivation key  of a counter: the initial key run through
 *         one derivation per one-bit of the counter, high to low, with key
 *         usage 8000 (key derivation) and the counter so far.
 *   working key  derived from the intermediate derivation key of the
 *         transaction's counter for one usage and one key type.
 *
 * Derivation data (§6.3.2, 16 bytes), each derivation one AES-ECB
 * encryption per 16 bytes of derived key under the deriving key (§6.3.1):
 *   byte 0     version 01
 *   byte 1     key block counter 01, 02 (256-bit and 192-bit keys need two)
 *   bytes 2-3  key usage indicator (enum dukpt_aes_usage)
 *   bytes 4-5  algorithm indicator (enum dukpt_aes_key_type)
 *   bytes 6-7  length of the derived key in bits
 *   bytes 8-15 initial key: the initial key ID; otherwise the derivation ID
 *              (initial key ID bytes 4-7) then the counter.
 *
 * A working key is never stronger than the key it comes from (§6.1.3):
 * AES-256 working keys need an AES-256 BDK; TDES working keys (2TDEA,
 * 3TDEA) come from any AES BDK.
 *
 * As in crypto/dukpt.h: stateless functions, a per-terminal host cache
 * (struct dukpt_aes_host: consecutive counters cost one derivation) and the
 * device's 32 intermediate derivation key registers (struct
 * dukpt_aes_device). Caller-allocated state owning OpenSSL contexts:
 * release with _clear(), which wipes every key. No allocation, no I/O.
 */
#ifndef POS_CRYPTO_DUKPT_AES_H
#define POS_CRYPTO_DUKPT_AES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/block.h"
#include "error.h"

#define DUKPT_AES_KSN_LEN      12
#define DUKPT_AES_IKID_LEN     8
#define DUKPT_AES_MAX_KEY      32
#define DUKPT_AES_NUM_REG      32
#define DUKPT_AES_MAX_ONE_BITS 16
#define DUKPT_AES_COUNTER_LAST 0xFFFF0000u /* the last usable counter */

/* Key types; the values are the algorithm indicators of §6.3.2 table 2. */
enum dukpt_aes_key_type {
    DUKPT_AES_2TDEA = 0,
    DUKPT_AES_3TDEA = 1,
    DUKPT_AES_AES128 = 2,
    DUKPT_AES_AES192 = 3,
    DUKPT_AES_AES256 = 4,
};

/* Key usage indicators of §6.3.2 table 2 (and Annex B's enumeration). */
enum dukpt_aes_usage {
    DUKPT_AES_USAGE_KEK = 0x0002,
    DUKPT_AES_USAGE_PIN = 0x1000,
    DUKPT_AES_USAGE_MAC_GENERATION = 0x2000,
    DUKPT_AES_USAGE_MAC_VERIFICATION = 0x2001,
    DUKPT_AES_USAGE_MAC_BOTH = 0x2002,
    DUKPT_AES_USAGE_DATA_ENCRYPT = 0x3000,
    DUKPT_AES_USAGE_DATA_DECRYPT = 0x3001,
    DUKPT_AES_USAGE_DATA_BOTH = 0x3002,
    DUKPT_AES_USAGE_KEY_DERIVATION = 0x8000,
    DUKPT_AES_USAGE_INITIAL_KEY = 0x8001,
};

/* Length in bytes of a key of type t (16, 24 or 32); 0 for an unknown type. */
size_t dukpt_aes_key_len(enum dukpt_aes_key_type t);

/* The AES derivation key type of a BDK of key_len bytes. Returns POS_OK or
 * POS_ERR_KEY_LENGTH (not 16, 24 or 32). */
int dukpt_aes_bdk_type(size_t key_len, enum dukpt_aes_key_type *t);

/* ---- KSN helpers (ksn is DUKPT_AES_KSN_LEN bytes) ------------------------- */

uint32_t dukpt_aes_ksn_counter(const uint8_t *ksn);

/* Copies ksn to out (may alias) with the counter replaced. */
void dukpt_aes_ksn_set_counter(const uint8_t *ksn, uint32_t counter, uint8_t *out);

/* true for a counter of 1 to 16 one-bits. */
bool dukpt_aes_counter_is_valid(uint32_t counter);

/* POS_OK or POS_ERR_KSN (counter 0 or more than 16 one-bits; d says which). */
int dukpt_aes_ksn_check(const uint8_t *ksn, struct pos_errdetail *d);

/* The next KSN a device uses (the next counter of at most 16 one-bits) into
 * out (may alias). Returns POS_OK or POS_ERR_DUKPT_EXHAUSTED (counter
 * FFFF0000 or beyond; out = ksn). */
int dukpt_aes_ksn_next(const uint8_t *ksn, uint8_t *out);

/* ---- stateless ------------------------------------------------------------ */

/* The 16-byte derivation data of §6.3.2 for usage and the derived key type
 * t: with usage DUKPT_AES_USAGE_INITIAL_KEY, bytes 8-15 are ikid (the
 * initial key ID, 8 bytes); otherwise ikid's bytes 4-7 then counter. ikid
 * may be a whole KSN. Returns POS_OK or POS_ERR_INVAL (unknown usage or
 * type). */
int dukpt_aes_derivation_data(enum dukpt_aes_usage usage, enum dukpt_aes_key_type t,
                              const uint8_t *ikid, uint32_t counter, uint8_t out[16]);

/* The initial key of the device whose initial key ID is ikid (8 bytes; a
 * whole KSN will do) from bdk (16, 24 or 32 bytes): bdk_len bytes into ik
 * (zeroed on failure). Returns POS_OK, POS_ERR_KEY_LENGTH or POS_ERR_CRYPTO. */
int dukpt_aes_initial_key(const uint8_t *bdk, size_t bdk_len, const uint8_t *ikid, uint8_t *ik);

/* The intermediate derivation key of ksn's counter from the initial key ik
 * (ik_len 16, 24 or 32 bytes): ik_len bytes into dk (zeroed on failure).
 * Returns POS_OK, POS_ERR_KEY_LENGTH, POS_ERR_KSN or POS_ERR_CRYPTO. */
int dukpt_aes_derive(const uint8_t *ik, size_t ik_len, const uint8_t *ksn, uint8_t *dk,
                     struct pos_errdetail *d);

/* The working key for usage and type t of the transaction ksn from its
 * intermediate derivation key dk (dk_len bytes): dukpt_aes_key_len(t) bytes
 * into out (cap bytes), their count in *out_len. Returns POS_OK,
 * POS_ERR_INVAL (unknown usage or type, or a derivation usage),
 * POS_ERR_KEY_LENGTH (dk_len, or t stronger than dk), POS_ERR_NOSPACE or
 * POS_ERR_CRYPTO; out is wiped on failure. */
int dukpt_aes_working_key(const uint8_t *dk, size_t dk_len, const uint8_t *ksn,
                          enum dukpt_aes_usage usage, enum dukpt_aes_key_type t, uint8_t *out,
                          size_t cap, size_t *out_len);

/* ---- host: per-terminal cache --------------------------------------------- */

struct dukpt_aes_host {
    uint8_t ikid[DUKPT_AES_IKID_LEN];
    uint8_t ik[DUKPT_AES_MAX_KEY];
    size_t key_len; /* BDK, IK and every DK */
    uint8_t path[DUKPT_AES_NUM_REG][DUKPT_AES_MAX_KEY];
    uint32_t path_counter;
    unsigned path_len;
    unsigned last_steps;
    struct block_key aes; /* re-keyed per derivation */
};

/* Sets up h for the device of ksn (any counter; its initial key ID is what
 * counts) whose initial key is ik (16, 24 or 32 bytes). Cleared on failure.
 * Returns POS_OK, POS_ERR_KEY_LENGTH or POS_ERR_CRYPTO. */
int dukpt_aes_host_init(struct dukpt_aes_host *h, const uint8_t *ik, size_t ik_len,
                        const uint8_t *ksn);

/* Same from the BDK. */
int dukpt_aes_host_init_bdk(struct dukpt_aes_host *h, const uint8_t *bdk, size_t bdk_len,
                            const uint8_t *ksn);

/* The intermediate derivation key of ksn (same initial key ID as h's) into
 * dk (the BDK's length; zeroed on failure), reusing the cached path.
 * Returns POS_OK, POS_ERR_KSN (another device, counter 0 or more than 16
 * one-bits) or POS_ERR_CRYPTO. */
int dukpt_aes_host_derive(struct dukpt_aes_host *h, const uint8_t *ksn, uint8_t *dk,
                          struct pos_errdetail *d);

/* A working key of ksn (see dukpt_aes_working_key) using h's cache and
 * context. Returns as dukpt_aes_host_derive and dukpt_aes_working_key. */
int dukpt_aes_host_working_key(struct dukpt_aes_host *h, const uint8_t *ksn,
                               enum dukpt_aes_usage usage, enum dukpt_aes_key_type t, uint8_t *out,
                               size_t cap, size_t *out_len, struct pos_errdetail *d);

/* The BDK's key length (16, 24 or 32): the size of h's derivation keys. */
size_t dukpt_aes_host_key_len(const struct dukpt_aes_host *h);

/* Derivations made by the last successful dukpt_aes_host_derive (0..16). */
unsigned dukpt_aes_host_last_steps(const struct dukpt_aes_host *h);

void dukpt_aes_host_clear(struct dukpt_aes_host *h);

/* ---- device: intermediate derivation key registers ------------------------ */

/* reg[i] belongs to counter bit (1 << i) (Annex B's register i). */
struct dukpt_aes_device {
    uint8_t ikid[DUKPT_AES_IKID_LEN];
    uint8_t reg[DUKPT_AES_NUM_REG][DUKPT_AES_MAX_KEY];
    size_t key_len;
    uint32_t valid;   /* bit i: reg[i] in use */
    uint32_t counter; /* the next transaction's counter */
    bool exhausted;
    bool loaded;
    struct block_key aes;
};

/* Annex B "Load Initial Key": from the initial key ik (16, 24 or 32 bytes)
 * and the initial key ID ikid (8 bytes); the next transaction uses counter
 * 1. Cleared on failure. Returns POS_OK, POS_ERR_KEY_LENGTH or
 * POS_ERR_CRYPTO. */
int dukpt_aes_device_load(struct dukpt_aes_device *dev, const uint8_t *ik, size_t ik_len,
                          const uint8_t *ikid);

/* Re-creates from ik the registers the device holds when the next
 * transaction's KSN is ksn (valid counter). Returns POS_OK,
 * POS_ERR_KEY_LENGTH, POS_ERR_KSN or POS_ERR_CRYPTO. */
int dukpt_aes_device_resume(struct dukpt_aes_device *dev, const uint8_t *ik, size_t ik_len,
                            const uint8_t *ksn, struct pos_errdetail *d);

/* One transaction (Annex B "Generate Working Keys" and "Update State for
 * Next Transaction"): the transaction's intermediate derivation key (the
 * key length of the load) into dk and its KSN (12 bytes) into ksn; then the
 * registers below are derived, the current one erased and the counter
 * advanced past counters of more than 16 one-bits. Working keys come from
 * dk with dukpt_aes_working_key. Returns POS_OK, POS_ERR_DUKPT_EXHAUSTED,
 * POS_ERR_INVAL (not loaded) or POS_ERR_CRYPTO; dk is zeroed on failure. */
int dukpt_aes_device_next(struct dukpt_aes_device *dev, uint8_t *dk, uint8_t *ksn);

/* The next transaction's counter; meaningless once exhausted. */
uint32_t dukpt_aes_device_counter(const struct dukpt_aes_device *dev);

bool dukpt_aes_device_is_exhausted(const struct dukpt_aes_device *dev);

void dukpt_aes_device_clear(struct dukpt_aes_device *dev);

#endif
