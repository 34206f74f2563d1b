/*
 * sesskey: master/session working keys, delivered the China UnionPay way at
 * sign-on (签到): the host generates a PIN key (PIK), a MAC key (MAK) and
 * optionally a track data key (TDK), encrypts each under the terminal master
 * key (TMK) and sends them with check values in field 62 of the 0810; the
 * terminal decrypts them, verifies every check value and only then loads
 * them.
 *
 * Field 62 layouts (China UnionPay POS terminal specification, sign-on 0810
 * field 62, selected by field 60.3 "network management information code"):
 *
 *   TDES 001 (single length)  24 bytes: PIK(8) CV(4) MAK(8) CV(4)
 *   TDES 003 (double length)  40 bytes: PIK(16) CV(4) MAK(8) 00*8 CV(4)
 *                             (a double-length MAK fills all 16 bytes)
 *   TDES 004 (with TDK)       60 bytes: the 40 above + TDK(16) CV(4)
 *   SM4 / AES                 40 bytes: PIK(16) CV(4) MAK(16) CV(4)
 *                             60 bytes: + TDK(16) CV(4)
 *
 * Each key field is E(TMK, key) in ECB mode under the scheme's cipher
 * (TDES, SM4 - GB/T 32907-2016 - or AES). CV is the first 4 bytes of the
 * key's check value: TDES E(K, 0^8); SM4 SM4(K, 0^16); AES the CMAC-based
 * check value of X9.24-1-2017 (kcv.h). The SM4 and AES layouts follow the
 * TDES 004 one with 16-byte keys, as SM4 terminals use it; see docs/keys.md.
 *
 * Sans-I/O, no allocation. struct sesskey_set holds clear keys: wipe it with
 * sesskey_set_clear.
 */
#ifndef POS_CRYPTO_SESSKEY_H
#define POS_CRYPTO_SESSKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/block.h"

struct pos_errdetail;

/* A terminal's key scheme: the cipher of its TMK and working keys. Shared by
 * the host and the terminal (stored per terminal). */
enum key_scheme {
    KEY_SCHEME_TDES = 1,
    KEY_SCHEME_AES = 2,
    KEY_SCHEME_SM4 = 3,
};

#define SESSKEY_CV_LEN  4  /* check value bytes in field 62 */
#define SESSKEY_KEY_MAX 16 /* longest working key */
#define SESSKEY_F62_MAX 60 /* longest field 62 */

/* sesskey_generate flags */
#define SESSKEY_SINGLE     0x1 /* TDES only: single-length PIK and MAK (001) */
#define SESSKEY_TDK        0x2 /* also a track data key */
#define SESSKEY_MAK_DOUBLE 0x4 /* TDES only: a double-length MAK */

struct sesskey_set {
    enum key_scheme scheme;
    uint8_t pik[SESSKEY_KEY_MAX];
    size_t pik_len;
    uint8_t mak[SESSKEY_KEY_MAX];
    size_t mak_len;
    uint8_t tdk[SESSKEY_KEY_MAX];
    size_t tdk_len; /* 0: no TDK */
};

/* The block cipher of a scheme (0 for an unknown scheme). */
enum block_alg sesskey_scheme_alg(enum key_scheme s);

/* "tdes", "aes", "sm4"; NULL for an unknown scheme. */
const char *sesskey_scheme_name(enum key_scheme s);

/* Parses "tdes", "aes" or "sm4" (case-insensitive) into *s. Returns POS_OK
 * or POS_ERR_UNSUPPORTED. */
int sesskey_scheme_parse(const char *name, enum key_scheme *s);

/* true when tmk_len is a valid TMK length for s (TDES 8, 16 or 24; AES 16,
 * 24 or 32; SM4 16). */
bool sesskey_tmk_len_ok(enum key_scheme s, size_t tmk_len);

/* Host side: generates random working keys (TDES keys with odd parity).
 * flags: SESSKEY_*. Returns POS_OK, POS_ERR_INVAL (a flag the scheme does
 * not allow) or POS_ERR_CRYPTO; on failure *ks is wiped. */
int sesskey_generate(struct sesskey_set *ks, enum key_scheme s, unsigned flags);

/* The field 60.3 network management information code of the layout that
 * sesskey_f62_encode writes for ks ("001", "003" or "004"; SM4 and AES:
 * "003"/"004" as well). */
const char *sesskey_f60_3(const struct sesskey_set *ks);

/* Host side: field 62 payload for ks under tmk into out (cap bytes, at most
 * SESSKEY_F62_MAX needed); *out_len gets its length. Returns POS_OK,
 * POS_ERR_KEY_LENGTH (TMK or key lengths wrong for the scheme),
 * POS_ERR_NOSPACE, POS_ERR_INVAL or POS_ERR_CRYPTO. */
int sesskey_f62_encode(const struct sesskey_set *ks, const uint8_t *tmk, size_t tmk_len,
                       uint8_t *out, size_t cap, size_t *out_len);

/* Terminal side: decrypts the field 62 payload (len bytes: 24, 40 or 60
 * for TDES; 40 or 60 for AES/SM4) under tmk and verifies every check value
 * before it fills *ks. On any failure *ks is wiped (nothing is loaded).
 * Returns POS_OK, POS_ERR_KCV_MISMATCH (detail: which key, field 62 offset
 * of its check value), POS_ERR_LENGTH (a length no layout has; field 62),
 * POS_ERR_KEY_LENGTH (TMK), POS_ERR_INVAL or POS_ERR_CRYPTO. */
int sesskey_f62_decode(enum key_scheme s, const uint8_t *tmk, size_t tmk_len, const uint8_t *f62,
                       size_t len, struct sesskey_set *ks, struct pos_errdetail *d);

/* Wipes ks. */
void sesskey_set_clear(struct sesskey_set *ks);

#endif
