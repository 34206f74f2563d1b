/*
 * error: the one error enum of libpos (STYLE.md rule 7).
 *
 * POS_OK is 0; every failure is negative. The list is append-only: a new code
 * goes at the end (just above the marker line), never in the middle, so the
 * numbers of existing codes never change. Values are assigned from the list
 * order: the Nth entry (counting POS_OK as 0) is -N.
 *
 * A decline (an ISO 8583 response code such as 51) is an outcome, not an
 * error, and is never represented here.
 *
 * Details (which field, which offset, which line) go to an optional
 * caller-owned struct pos_errdetail; they never carry secrets.
 */
#ifndef POS_ERROR_H
#define POS_ERROR_H

#include <stddef.h>

#define POS_ERRORS(X)                                                                              \
    X(POS_OK, "success")                                                                           \
    X(POS_ERR_NOMEM, "out of memory")                                                              \
    X(POS_ERR_INVAL, "invalid argument")                                                           \
    X(POS_ERR_NOSPACE, "no space in output buffer")                                                \
    X(POS_ERR_TRUNCATED, "input truncated")                                                        \
    X(POS_ERR_TRAILING, "trailing bytes after the end")                                            \
    X(POS_ERR_OVERFLOW, "arithmetic overflow")                                                     \
    X(POS_ERR_RANGE, "value out of range")                                                         \
    X(POS_ERR_SYNTAX, "syntax error")                                                              \
    X(POS_ERR_HEX, "invalid hex")                                                                  \
    X(POS_ERR_DIGIT, "non-digit in numeric data")                                                  \
    X(POS_ERR_BCD, "invalid BCD nibble")                                                           \
    X(POS_ERR_LENGTH, "invalid length")                                                            \
    X(POS_ERR_NOT_FOUND, "not found")                                                              \
    X(POS_ERR_UNSUPPORTED, "unsupported")                                                          \
    X(POS_ERR_IO, "input/output error")                                                            \
    X(POS_ERR_CURRENCY, "unknown currency")                                                        \
    X(POS_ERR_ISO_MTI, "invalid message type indicator")                                           \
    X(POS_ERR_ISO_BITMAP, "invalid bitmap")                                                        \
    X(POS_ERR_ISO_FIELD_UNDEFINED, "field not defined in dialect")                                 \
    X(POS_ERR_ISO_FIELD_LENGTH, "field length invalid")                                            \
    X(POS_ERR_ISO_FIELD_CHARSET, "field character not allowed by its type")                        \
    X(POS_ERR_ISO_HEADER, "invalid message header")                                                \
    X(POS_ERR_DIALECT, "invalid dialect definition")                                               \
    X(POS_ERR_TLV_TAG, "invalid TLV tag")                                                          \
    X(POS_ERR_TLV_LENGTH, "invalid TLV length")                                                    \
    X(POS_ERR_TLV_DEPTH, "TLV nesting too deep")                                                   \
    X(POS_ERR_CARD_LUHN, "PAN fails the Luhn check")                                               \
    X(POS_ERR_CARD_PAN, "invalid PAN")                                                             \
    X(POS_ERR_CARD_TRACK, "invalid track data")                                                    \
    X(POS_ERR_CARD_EXPIRY, "invalid expiry date")                                                  \
    X(POS_ERR_CARD_EXPIRED, "card expired")                                                        \
    X(POS_ERR_QR_CRC, "QR CRC mismatch")                                                           \
    X(POS_ERR_QR_FORMAT, "invalid QR payload")                                                     \
    X(POS_ERR_QR_MISSING, "mandatory QR element missing")                                          \
    X(POS_ERR_CRYPTO, "cryptographic library failure")                                             \
    X(POS_ERR_KEY, "invalid key")                                                                  \
    X(POS_ERR_KEY_LENGTH, "invalid key length")                                                    \
    X(POS_ERR_KEY_PARITY, "key fails odd parity")                                                  \
    X(POS_ERR_KEY_USAGE, "key usage not permitted by its header")                                  \
    X(POS_ERR_KCV_MISMATCH, "key check value mismatch")                                            \
    X(POS_ERR_MAC_MISMATCH, "MAC mismatch")                                                        \
    X(POS_ERR_PIN_FORMAT, "invalid PIN block")                                                     \
    X(POS_ERR_PIN_LENGTH, "PIN length out of range")                                               \
    X(POS_ERR_PIN_PAN, "PIN block does not match the PAN")                                         \
    X(POS_ERR_PIN_MISMATCH, "PIN verification failed")                                             \
    X(POS_ERR_CVV_MISMATCH, "card verification value mismatch")                                    \
    X(POS_ERR_KSN, "invalid key serial number")                                                    \
    X(POS_ERR_DUKPT_EXHAUSTED, "DUKPT key space exhausted")                                        \
    X(POS_ERR_KEYBLOCK, "invalid key block")                                                       \
    X(POS_ERR_KEYBLOCK_MAC, "key block authentication failed")                                     \
    X(POS_ERR_AUTH, "authentication failed")                                                       \
    X(POS_ERR_CURRENCY_MISMATCH, "amounts in different currencies")                                \
    X(POS_ERR_DB, "database error")                                                                \
    X(POS_ERR_CONSTRAINT, "database constraint violated")                                          \
    X(POS_ERR_BUSY, "resource busy")                                                               \
    X(POS_ERR_CLOSED, "closed or shutting down")                                                   \
    X(POS_ERR_SCHEMA, "database schema version not supported")                                     \
    X(POS_ERR_CONFIG, "invalid configuration")                                                     \
    X(POS_ERR_TLS, "TLS failure")                                                                  \
    X(POS_ERR_FRAME, "invalid frame")                                                              \
    X(POS_ERR_STATE, "not allowed in the current state")                                           \
    X(POS_ERR_MSG_FORMAT, "reply not decodable")                                                   \
    X(POS_ERR_MSG_MTI, "reply MTI does not answer the request")                                    \
    X(POS_ERR_MSG_MISMATCH, "reply does not match the request")                                    \
    X(POS_ERR_CHECK_DIGIT, "check digit mismatch")                                                 \
    X(POS_ERR_LOCKED, "locked out after too many failures")                                        \
    X(POS_ERR_DENIED, "not permitted for this role")                                               \
    X(POS_ERR_STOCK, "insufficient stock")                                                         \
    X(POS_ERR_STALE, "data changed since it was read")                                             \
    /* append new errors above this line, never in the middle */

enum pos__err_index {
#define POS__ERR_INDEX(name, msg) name##__INDEX,
    POS_ERRORS(POS__ERR_INDEX)
#undef POS__ERR_INDEX
    POS__ERR_COUNT
};

enum pos_err {
#define POS__ERR_VALUE(name, msg) name = -(int)name##__INDEX,
    POS_ERRORS(POS__ERR_VALUE)
#undef POS__ERR_VALUE
};

/* Where an error was found. Every member is optional for the producer:
 * field is -1 when no field applies, offset is (size_t)-1 when unknown,
 * what is "" when there is nothing to add. Never holds secrets. */
struct pos_errdetail {
    int field;
    size_t offset;
    char what[128];
};

#define POS_NO_OFFSET ((size_t)-1)

/* A static, never-NULL English message for code (any int; unknown codes get
 * "unknown error"). */
const char *pos_strerror(int code);

/* The code's symbolic name, e.g. "POS_ERR_BCD"; "POS_ERR_UNKNOWN" if none. */
const char *pos_errname(int code);

/* Resets *d (d may be NULL): field -1, offset POS_NO_OFFSET, what "". */
void pos_errdetail_init(struct pos_errdetail *d);

/* Fills *d (d may be NULL) and returns code, so producers can write
 * `return pos_errdetail_set(d, POS_ERR_BCD, 35, off, "nibble %X", n);`.
 * The text is truncated to fit; it must never contain a secret. */
int pos_errdetail_set(struct pos_errdetail *d, int code, int field, size_t offset,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Formats "<strerror>[ (field N)][ at offset M][: what]" into buf (cap bytes,
 * always NUL-terminated when cap > 0). Returns buf. */
char *pos_errdetail_format(int code, const struct pos_errdetail *d, char *buf, size_t cap);

#endif
