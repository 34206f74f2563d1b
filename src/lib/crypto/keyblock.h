/*
 * keyblock: ANSI X9.143 (TR-31) key blocks, versions B and D.
 *
 * A key block carries a key wrapped under a key block protection key (KBPK)
 * together with a clear header that says what the key may be used for; the
 * header is bound to the key by a MAC, so it cannot be changed.
 *
 *   Version B  TDES KBPK (16 or 24 bytes). KBEK/KBAK derived with TDES-CMAC
 *              (NIST SP 800-108 counter mode, PRF = CMAC, SP 800-38B); the
 *              clear key data is encrypted with TDES-CBC, the IV being the
 *              8-byte MAC; MAC = TDES-CMAC over header || clear key data.
 *   Version D  AES KBPK (16, 24 or 32 bytes). Same construction with
 *              AES-CMAC, AES-CBC and a 16-byte MAC.
 *
 * Standards: ANSI X9.143-2021 §6.2 Table 1 (header), §6.3 (optional blocks
 * KS, KC, KP, PB and the extended length form), ASC X9 TR-31-2018 §5.3.2
 * (key derivation binding method: derivation input counter || usage
 * (0000 encryption, 0001 MAC) || 00 || algorithm (0000 2TDEA, 0001 3TDEA,
 * 0002/0003/0004 AES-128/192/256) || length in bits) and Annex A examples.
 * Versions A and C (variant binding) are deliberately not supported: they
 * are deprecated and refused with POS_ERR_UNSUPPORTED.
 *
 * A block is printable ASCII: header (16 characters), optional blocks, the
 * encrypted key data in hex, the MAC in hex. Encrypted key data = 2-byte key
 * length in bits || key || random padding to the cipher's block size.
 *
 * Sans-I/O: no allocation. A parsed header holds views into the block text,
 * valid while the caller keeps the text. Keys are secrets: the caller wipes
 * its buffers; this module wipes its own on every path.
 */
#ifndef POS_CRYPTO_KEYBLOCK_H
#define POS_CRYPTO_KEYBLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pos_errdetail;

#define KEYBLOCK_HEADER_LEN 16
#define KEYBLOCK_MAX_LEN    9999 /* the 4-digit length field */
#define KEYBLOCK_MAX_KEY    64   /* largest key this module wraps or returns */
#define KEYBLOCK_MAX_OPT    16   /* optional blocks kept in a parsed header */

/* One optional block: a view into the block text (not NUL-terminated). */
struct keyblock_opt {
    char id[3];
    const char *data;
    size_t data_len;
};

/* A parsed header (X9.143-2021 §6.2 Table 1). Character fields are
 * NUL-terminated copies; opt[] point into the parsed text. */
struct keyblock_header {
    char version;   /* 'B' or 'D' */
    size_t length;  /* total block length in characters (the field) */
    char usage[3];  /* e.g. "P0" */
    char algorithm; /* 'T' TDES, 'A' AES, 'D' DES, 'H' HMAC, 'R', 'E', 'S' */
    char mode;      /* mode of use: B C D E G N S T V X Y */
    char key_version[3];
    char exportability; /* 'E', 'N' or 'S' */
    char reserved[3];
    unsigned opt_count; /* optional blocks in the block (PB included) */
    size_t header_len;  /* header + optional blocks, in characters */
    struct keyblock_opt opt[KEYBLOCK_MAX_OPT];
};

/* What keyblock_wrap writes into the header. */
struct keyblock_params {
    char version;            /* 'B' (TDES KBPK) or 'D' (AES KBPK) */
    const char *usage;       /* two characters, a known usage (keyblock_usage_name) */
    char algorithm;          /* of the wrapped key: 'T', 'A', ... */
    char mode;               /* mode of use */
    const char *key_version; /* two alphanumerics; NULL means "00" */
    char exportability;      /* 'E', 'N' or 'S' */
    const char *ksn;         /* value of a KS optional block (hex digits), or NULL */
    bool add_kcv;            /* add a KC block with the wrapped key's check value */
    bool mask_key_len;       /* pad as if the key had the largest length of its
                                algorithm (hides the key length) */
    const uint8_t *padding;  /* NULL: random padding. Otherwise the padding
                                bytes to use (for known-answer tests) */
    size_t padding_len;      /* bytes available at padding */
};

/* The English name of a key usage ("PIN encryption" for "P0"), or NULL when
 * usage (two characters) is not one this module knows. Numeric usages
 * ("10".."99", proprietary) are accepted by the parser but have no name. */
const char *keyblock_usage_name(const char *usage);

/* true when a key whose header says mode `have` may be used for `want`:
 * equal modes; N (no restriction) permits anything; B (encrypt and decrypt)
 * permits E and D; C (generate and verify) permits G and V; T (sign and
 * decrypt) permits S and D. */
bool keyblock_mode_permits(char have, char want);

/* Parses and checks the clear part of a block (len characters at block):
 * header fields, length field == len, optional blocks (skipping unknown IDs
 * correctly, the extended length form included), header length a multiple
 * of the cipher block size. No cryptography. Returns POS_OK,
 * POS_ERR_KEYBLOCK (detail names the offset), POS_ERR_UNSUPPORTED (version
 * A, C or another) or POS_ERR_INVAL. */
int keyblock_header_parse(const char *block, size_t len, struct keyblock_header *h,
                          struct pos_errdetail *d);

/* Finds optional block id (two characters) in h. Returns true and sets
 * data and len (a view into the block text) when present. */
bool keyblock_opt_find(const struct keyblock_header *h, const char *id, const char **data,
                       size_t *len);

/* Wraps key (key_len bytes, 1..KEYBLOCK_MAX_KEY; 8/16/24 for algorithm 'T',
 * 16/24/32 for 'A') under kbpk (B: 16 or 24 bytes; D: 16, 24 or 32) into
 * out (cap bytes): the block text, NUL-terminated, *out_len characters
 * without the NUL. Returns POS_OK, POS_ERR_KEY_LENGTH, POS_ERR_KEYBLOCK (a
 * bad header parameter; detail names it), POS_ERR_UNSUPPORTED (version),
 * POS_ERR_NOSPACE, POS_ERR_INVAL or POS_ERR_CRYPTO. */
int keyblock_wrap(const uint8_t *kbpk, size_t kbpk_len, const struct keyblock_params *p,
                  const uint8_t *key, size_t key_len, char *out, size_t cap, size_t *out_len,
                  struct pos_errdetail *d);

/* Unwraps a block (len characters): parses the header (h may be NULL),
 * verifies the MAC in constant time and writes the key into key (key_cap
 * bytes), *key_len bytes. On any failure the key buffer is zeroed. Returns
 * POS_OK, POS_ERR_KEYBLOCK (malformed), POS_ERR_UNSUPPORTED,
 * POS_ERR_KEY_LENGTH (KBPK length wrong for the version),
 * POS_ERR_KEYBLOCK_MAC (wrong KBPK or altered block), POS_ERR_NOSPACE,
 * POS_ERR_INVAL or POS_ERR_CRYPTO. */
int keyblock_unwrap(const uint8_t *kbpk, size_t kbpk_len, const char *block, size_t len,
                    struct keyblock_header *h, uint8_t *key, size_t key_cap, size_t *key_len,
                    struct pos_errdetail *d);

/* keyblock_unwrap, then enforces purpose: the header's usage must equal
 * usage (two characters; NULL: any) and its mode of use must permit mode
 * (keyblock_mode_permits; 0: any). Returns what keyblock_unwrap returns, or
 * POS_ERR_KEY_USAGE (key zeroed) when the header forbids the use. */
int keyblock_unwrap_for(const uint8_t *kbpk, size_t kbpk_len, const char *block, size_t len,
                        const char *usage, char mode, struct keyblock_header *h, uint8_t *key,
                        size_t key_cap, size_t *key_len, struct pos_errdetail *d);

#endif
