/*
 * keystore: the host's named keys, each stored as an ANSI X9.143-2021
 * (TR-31) version D key block under the local master key (crypto/lmk.h) in
 * the `keys` table (schema.c), with its usage and key check value.
 *
 * A key is fetched for one purpose: keystore_get unwraps with
 * lmk_unwrap_for, so the block's header decides: a key asked for under
 * another usage (X9.143-2021 §6.2 Table 1 byte 5-6, "key usage"), or for an
 * operation its mode of use (byte 8, Table 1) does not permit, is refused
 * with POS_ERR_KEY_USAGE and nothing is returned. A database alone reveals no
 * key; a block altered in the database, or a wrong LMK, fails the block's
 * MAC (POS_ERR_KEYBLOCK_MAC).
 *
 * Key check values (stored and listed; safe to show): TDES the classic
 * E(K, 0^8) of ANSI X9.24-1-2009 Annex A; AES the CMAC-based value of
 * X9.24-1-2017 §7.7; SM4 SM4(K, 0^16); HMAC keys (no standard KCV) the first
 * bytes of HMAC-SHA-256(K, 0^16). Always 3 bytes, 6 hex digits.
 *
 * TR-31 has no algorithm code for SM4: an SM4 key is labelled 'A' in its
 * header (same 16-byte key and block) and its KCV is the SM4 one; whoever
 * stores it records the scheme elsewhere (a terminal's key_scheme).
 *
 * Every function runs on the caller's connection inside the caller's
 * transaction (never begins or commits). Clear keys pass through caller
 * buffers only: this module wipes its own copies on every path, and zeroes
 * the caller's output buffer on failure.
 */
#ifndef POSD_KEYSTORE_H
#define POSD_KEYSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/lmk.h"
#include "store/store.h"

#define KEYSTORE_NAME_MAX  64  /* characters of a key name */
#define KEYSTORE_KCV_LEN   3   /* bytes of the stored check value */
#define KEYSTORE_KCV_HEX   7   /* its hex form and the NUL */
#define KEYSTORE_KEY_MAX   32  /* longest key kept (AES-256, HMAC) */
#define KEYSTORE_BLOCK_MAX 512 /* longest stored block text and its NUL */

/* The cipher (or MAC) a stored key belongs to. */
enum keystore_alg {
    KEYSTORE_TDES = 1, /* 8, 16 or 24 bytes; header 'T' */
    KEYSTORE_AES = 2,  /* 16, 24 or 32 bytes; header 'A' */
    KEYSTORE_SM4 = 3,  /* 16 bytes; header 'A' (see above) */
    KEYSTORE_HMAC = 4, /* 16 to 32 bytes; header 'H' */
};

/* What a key is, for keystore_put and keystore_generate. */
struct keystore_spec {
    const char *name;  /* 1..KEYSTORE_NAME_MAX printable characters, no space */
    const char *usage; /* TR-31 key usage, two characters ("V2", "K0", ...) */
    enum keystore_alg alg;
    char mode;       /* TR-31 mode of use: 'B', 'C', 'E', 'D', 'X', 'N' ... */
    bool exportable; /* header exportability 'E' (else 'N') */
};

/* A stored key's public facts (no key material). */
struct keystore_entry {
    int64_t id;
    char name[KEYSTORE_NAME_MAX + 1];
    char usage[3];
    char algorithm;     /* header letter: 'T', 'A', 'H' */
    char mode;          /* header mode of use */
    char exportability; /* 'E' or 'N' */
    char kcv[KEYSTORE_KCV_HEX];
    int64_t created_at; /* Unix milliseconds */
};

/* The header letter of alg ('T', 'A', 'H'; 0 for an unknown alg). */
char keystore_alg_letter(enum keystore_alg alg);

/* true when len is a key length keystore_put accepts for alg. */
bool keystore_len_is_valid(enum keystore_alg alg, size_t len);

/* The check value of key (len bytes) for alg as 6 uppercase hex digits and
 * a NUL in kcv. Returns POS_OK, POS_ERR_KEY_LENGTH, POS_ERR_INVAL or
 * POS_ERR_CRYPTO. */
int keystore_kcv(enum keystore_alg alg, const uint8_t *key, size_t len, char kcv[KEYSTORE_KCV_HEX]);

/* Fills key (len bytes) with random bytes (RAND_priv_bytes); TDES keys get
 * odd parity in every byte (ANSI X9.52). Returns POS_OK, POS_ERR_KEY_LENGTH,
 * POS_ERR_INVAL or POS_ERR_CRYPTO (key zeroed). */
int keystore_random_key(enum keystore_alg alg, uint8_t *key, size_t len);

/* Wraps key (len bytes) under the LMK as sp says and stores it with its
 * check value and created_at now_ms. *id (may be NULL) gets the row; kcv
 * (may be NULL) the check value. Returns POS_OK; POS_ERR_INVAL (bad name,
 * usage or mode; an unknown alg), POS_ERR_KEY_LENGTH (len wrong for alg),
 * POS_ERR_KEY (LMK not loaded), POS_ERR_CONSTRAINT (the name exists), a
 * key block error, or a database error. */
int keystore_put(struct store *s, const struct lmk *lmk, const struct keystore_spec *sp,
                 const uint8_t *key, size_t len, int64_t now_ms, int64_t *id,
                 char kcv[KEYSTORE_KCV_HEX]);

/* A new random key of len bytes (keystore_random_key), stored as
 * keystore_put does. Same returns. */
int keystore_generate(struct store *s, const struct lmk *lmk, const struct keystore_spec *sp,
                      size_t len, int64_t now_ms, int64_t *id, char kcv[KEYSTORE_KCV_HEX]);

/* Unwraps the key called name for usage (two characters; NULL: any) and an
 * operation of mode (0: any) into key (cap bytes), *len bytes. Returns
 * POS_OK; POS_ERR_NOT_FOUND (no such key), POS_ERR_KEY_USAGE (the header
 * forbids the use), POS_ERR_KEYBLOCK_MAC (wrong LMK or altered block),
 * POS_ERR_KEY (LMK not loaded), POS_ERR_NOSPACE (cap too small), another key
 * block error or a database error; key is zeroed on failure. d (may be
 * NULL) names the key, never its bytes. */
int keystore_get(struct store *s, const struct lmk *lmk, const char *name, const char *usage,
                 char mode, uint8_t *key, size_t cap, size_t *len, struct pos_errdetail *d);

/* keystore_get by row id (terminals.tmk_key_id, bdk_key_id). */
int keystore_get_id(struct store *s, const struct lmk *lmk, int64_t id, const char *usage,
                    char mode, uint8_t *key, size_t cap, size_t *len, struct pos_errdetail *d);

/* The public facts of the key called name (no unwrapping). POS_OK or
 * POS_ERR_NOT_FOUND, a database error, or POS_ERR_KEYBLOCK for a stored
 * block whose header does not parse. */
int keystore_find(struct store *s, const char *name, struct keystore_entry *e);

/* The newest key of usage whose header algorithm letter is algorithm (e.g.
 * the AES BDK: "B0", 'A'). POS_ERR_NOT_FOUND when there is none. */
int keystore_find_usage(struct store *s, const char *usage, char algorithm,
                        struct keystore_entry *e);

/* Calls fn for every stored key in id order (facts only). Stops at and
 * returns the first non-zero value fn returns; else POS_OK or a database
 * error. */
int keystore_list(struct store *s, int (*fn)(void *arg, const struct keystore_entry *e), void *arg);

#endif
