/*
 * lmk: the local master key, the one key a program keeps outside its
 * database. Every key the programs store (terminal master keys, BDKs, PVKs,
 * CVKs, PAN data and hash keys) is stored as an ANSI X9.143 (TR-31) version
 * D key block wrapped under it (keyblock.h), so the database alone reveals
 * no key, and a stored key can only be used for the purpose in its header.
 *
 * The LMK is an AES-256 key (32 bytes) held as 64 hex digits:
 *   - in a file readable only by its owner: a file with any group or other
 *     permission bit, not owned by the effective user, or not a regular file
 *     is refused (POS_ERR_KEY), as ssh refuses a private key;
 *   - or in an environment variable (default POS_LMK), for containers whose
 *     secret store injects it.
 * lmk_create_file makes a new random LMK in a new file created 0600.
 *
 * A struct lmk lives where its owner lives; lmk_clear wipes it. The file
 * functions do I/O; nothing here logs, and no error detail carries the key.
 */
#ifndef POS_CRYPTO_LMK_H
#define POS_CRYPTO_LMK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/keyblock.h"

struct pos_errdetail;

#define LMK_KEY_LEN     32
#define LMK_ENV_DEFAULT "POS_LMK"

struct lmk {
    uint8_t key[LMK_KEY_LEN]; /* private */
    bool loaded;
};

/* Loads from hex text (64 hex digits; surrounding whitespace ignored).
 * Returns POS_OK, POS_ERR_KEY_LENGTH or POS_ERR_HEX (l is cleared). */
int lmk_load_hex(struct lmk *l, const char *hex, size_t len, struct pos_errdetail *d);

/* Loads from the environment variable var (NULL: LMK_ENV_DEFAULT).
 * Returns POS_OK, POS_ERR_NOT_FOUND (unset or empty) or lmk_load_hex's
 * errors. */
int lmk_load_env(struct lmk *l, const char *var, struct pos_errdetail *d);

/* Loads from the file at path after checking it is a regular file owned by
 * the effective user with no group/other permission bits. Returns POS_OK,
 * POS_ERR_KEY (unsafe file; detail says why and how to fix it), POS_ERR_IO
 * (cannot open or read; detail has the system error), or lmk_load_hex's
 * errors. */
int lmk_load_file(struct lmk *l, const char *path, struct pos_errdetail *d);

/* Generates a random LMK into l and writes it to a new file at path
 * (created with O_EXCL, mode 0600, fsynced). Returns POS_OK, POS_ERR_IO (the
 * file exists or cannot be written; l is cleared) or POS_ERR_CRYPTO. */
int lmk_create_file(struct lmk *l, const char *path, struct pos_errdetail *d);

/* Wipes l. */
void lmk_clear(struct lmk *l);

/* The LMK's 3-byte AES check value (CMAC-based; safe to log). */
int lmk_kcv(const struct lmk *l, uint8_t kcv[3]);

/* keyblock_wrap under the LMK with version D forced (p->version ignored).
 * POS_ERR_KEY when l is not loaded. */
int lmk_wrap(const struct lmk *l, const struct keyblock_params *p, const uint8_t *key,
             size_t key_len, char *out, size_t cap, size_t *out_len, struct pos_errdetail *d);

/* keyblock_unwrap_for under the LMK; also refuses a block that is not
 * version D (POS_ERR_KEYBLOCK). POS_ERR_KEY when l is not loaded. */
int lmk_unwrap_for(const struct lmk *l, const char *block, size_t len, const char *usage, char mode,
                   struct keyblock_header *h, uint8_t *key, size_t key_cap, size_t *key_len,
                   struct pos_errdetail *d);

#endif
