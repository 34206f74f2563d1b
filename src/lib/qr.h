/*
 * qr: EMVCo merchant-presented QR code payloads.
 *
 * Standard: EMV QR Code Specification for Payment Systems (EMV QRCPS),
 * Merchant-Presented Mode, version 1.1 (November 2020), "QRCPS-MPM":
 * the payload is a list of data objects, each an ID (2 digits "00".."99"),
 * a length (2 digits, the number of CHARACTERS of the value, so a UTF-8
 * value of the Merchant Information - Language Template counts characters,
 * not bytes) and the value. IDs 26-51 (Merchant Account Information), 62
 * (Additional Data Field Template), 64 (Merchant Information - Language
 * Template) and 80-99 (Unreserved Templates) are templates holding data
 * objects of their own; inside 62, IDs 50-99 (Payment System specific
 * templates) are templates too. ID 63 is the CRC: CRC-16/CCITT-FALSE
 * (crc16.h) over every byte of the payload up to and including "6304",
 * written as 4 uppercase hex characters.
 *
 * Decoding (qr_decode) is lenient the way real codes need, and strict where
 * a wrong reading could cost money:
 *   - fatal: a malformed ID or length (non-digit), an element running past
 *     the end of the payload or of its template, invalid UTF-8, a duplicate
 *     ID at one level, ID 00 anywhere but first, anything after ID 63, an ID
 *     63 that is not 4 hex characters, a template whose content is not a
 *     list of data objects, and a wrong CRC (POS_ERR_QR_CRC);
 *   - reported, not fatal: a missing mandatory element (00, 52, 53, 58, 59,
 *     60, 63, at least one of 02-51; 00 inside 26-51, 80-99 and 62/50-99;
 *     00 and 01 inside 64) goes to qr_info.missing; with no ID 63 there is
 *     no CRC to check (crc_present false);
 *   - accepted as found: value lengths, character sets and value rules
 *     (a PIX code's lowercase GUID, a "02" format indicator, lengths of 00,
 *     RFU IDs 65-79 kept as plain elements, lowercase CRC hex).
 * Encoding (qr_encode) writes only compliant payloads: 00 first and "01",
 * 63 last and computed, every length 01-99, every value in its data
 * object's character set and size, conditional 56/57 consistent with 55,
 * no RFU IDs, the mandatory elements present, at most 512 characters.
 *
 * Sans-I/O: no allocation. Decoded elements are views into the caller's
 * payload buffer, which must outlive them.
 *
 * Paths: an element is named by an int "path" (errors, lookups, the missing
 * list): its ID at the top level (59), parent*100+ID one level down (6205 =
 * ID 05 in 62), grandparent*10000+parent*100+ID two levels down (625001).
 * No top-level template has ID < 26, so paths never collide.
 * QR_PATH_ACCOUNT_ANY stands for "one of 02-51" in the missing list.
 */
#ifndef POS_QR_H
#define POS_QR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "money.h"

struct pos_errdetail;

/* Largest compliant payload, in characters (QRCPS-MPM: at most 512). */
#define QR_PAYLOAD_MAX_CHARS 512u
/* A buffer that holds any compliant payload (UTF-8: up to 4 bytes per
 * character) and a NUL. */
#define QR_PAYLOAD_BUF (4u * QR_PAYLOAD_MAX_CHARS + 1u)
/* Element slots enough for any payload of QR_PAYLOAD_MAX_CHARS characters
 * (every element takes at least 4 characters). */
#define QR_ELEMS_MAX 160u
/* Missing-element slots in struct qr_info. */
#define QR_MISSING_MAX 32u
/* The "one of IDs 02-51" entry of a missing list. */
#define QR_PATH_ACCOUNT_ANY 100
/* Deepest nesting: 0 top, 1 in a template, 2 in a template of 62. */
#define QR_DEPTH_MAX 2u

/* One data object. qr_decode fills every member; qr_encode reads id,
 * is_template, children, value and value_len. Elements are stored in
 * pre-order: a template's children follow it directly. */
struct qr_elem {
    uint8_t id;           /* 0..99 */
    uint8_t depth;        /* 0, 1 or 2 */
    bool is_template;     /* value is a list of data objects (children) */
    uint16_t children;    /* direct children of a template */
    uint16_t descendants; /* all elements nested in it (to skip past it) */
    int path;             /* see "Paths" above */
    const uint8_t *value; /* UTF-8 bytes: a view into the payload (decode)
                             or the caller's bytes (encode; unused for a
                             template) */
    size_t value_len;     /* bytes at value */
    size_t offset;        /* decode: byte offset of the ID in the payload */
};

struct qr_info {
    size_t count;                /* elements written to the array */
    size_t missing_count;        /* mandatory elements missing (may exceed
                                    QR_MISSING_MAX; only that many are kept) */
    int missing[QR_MISSING_MAX]; /* their paths, in the order checked */
    bool crc_present;            /* the payload has a well-formed ID 63 */
    bool crc_ok;                 /* ... and it matches */
    uint16_t crc_stated;         /* the CRC written in ID 63 */
    uint16_t crc_computed;       /* the CRC of the bytes up to "6304" */
};

/* Decodes len bytes of payload into elems (cap slots; QR_ELEMS_MAX always
 * suffices for a compliant payload) and *info. Returns:
 *   POS_OK             decoded; info->missing lists what is missing;
 *   POS_ERR_QR_CRC     decoded completely, but the CRC is wrong (elems and
 *                      info are filled so the caller can show both CRCs);
 *   POS_ERR_TRUNCATED  an ID, length or value runs past the end (of the
 *                      payload or of its template), or the payload is empty;
 *   POS_ERR_DIGIT      an ID or a length is not two digits;
 *   POS_ERR_QR_FORMAT  a structural rule above is broken (d says which);
 *   POS_ERR_NOSPACE    more elements than cap;
 *   POS_ERR_INVAL      a NULL argument.
 * d (may be NULL) gets the path of the element (field) and the byte offset.
 * On a fatal error elems and *info hold partial results: do not use them. */
int qr_decode(const uint8_t *buf, size_t len, struct qr_elem *elems, size_t cap,
              struct qr_info *info, struct pos_errdetail *d);

/* Encodes count elements (pre-order, as qr_decode writes them; an element
 * 63 is ignored and the CRC computed) into out (cap bytes; QR_PAYLOAD_BUF
 * always suffices) with a NUL; *out_len gets the length in bytes without it.
 * ID 00 is written first wherever it is in the list, the others in list
 * order, 63 last. Returns POS_OK, or with d naming the element's path:
 *   POS_ERR_QR_MISSING  a mandatory element is absent;
 *   POS_ERR_QR_FORMAT   a value breaks its data object's rules (RFU ID,
 *                       duplicate, character set, size, 56/57 without the
 *                       matching 55, template given without children, ...);
 *   POS_ERR_CURRENCY    53 is not an ISO 4217 numeric code;
 *   POS_ERR_LENGTH      a template's content or the payload is too long;
 *   POS_ERR_NOSPACE     out is too small;
 *   POS_ERR_INVAL       a NULL argument or a malformed element list. */
int qr_encode(const struct qr_elem *elems, size_t count, uint8_t *out, size_t cap, size_t *out_len,
              struct pos_errdetail *d);

/* The first element with this path, or NULL. */
const struct qr_elem *qr_find(const struct qr_elem *elems, size_t count, int path);

/* The data object's name in QRCPS-MPM ("Merchant Name", "Bill Number"),
 * or NULL when the specification gives it none (RFU, scheme-specific). */
const char *qr_elem_name(int path);

/* Writes path as text ("59", "62.05", "62.50.00", "02-51") into buf (cap
 * bytes, NUL-terminated, truncated to fit). Returns buf. */
char *qr_path_format(int path, char *buf, size_t cap);

/* What the host needs to show a customer one order as a merchant-presented
 * code. Strings are NUL-terminated ASCII; NULL means "absent". */
struct qr_order {
    bool dynamic;                    /* 01: "12" one payment, "11" static */
    uint8_t account_id;              /* 26..51: merchant account template ID */
    const char *account_guid;        /* its 00: GUID / AID / reverse domain */
    const char *account_merchant;    /* its 01: merchant ID at that network */
    const char *mcc;                 /* 52: ISO 18245 merchant category code */
    const struct currency *currency; /* 53 */
    const struct money *amount;      /* 54, in currency, > 0; NULL: payer types it */
    const char *country;             /* 58: ISO 3166-1 alpha-2, "CN" */
    const char *merchant_name;       /* 59: up to 25 characters */
    const char *merchant_city;       /* 60: up to 15 characters */
    const char *bill_number;         /* 62/01 */
    const char *reference;           /* 62/05: reference label (order ID) */
    const char *terminal_label;      /* 62/07 */
};

/* Builds the payload of o with qr_encode (same out/cap/out_len/d contract
 * and errors; an amount that is not positive or not in o->currency is
 * POS_ERR_QR_FORMAT at path 54). */
int qr_order_encode(const struct qr_order *o, uint8_t *out, size_t cap, size_t *out_len,
                    struct pos_errdetail *d);

#endif
