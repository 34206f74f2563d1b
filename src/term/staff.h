/*
 * staff: employees, roles and rights, PIN login with lockout, supervisor
 * authorization, and shifts.
 *
 * Roles and their rights (a table in staff.c):
 *   right            cashier  supervisor  manager
 *   void                -         x          x
 *   refund              -         x          x
 *   discount (over
 *     the limit)        -         x          x     cashier's limit: 5 %
 *   price override      -         x          x
 *   settle              -         -          x
 *   reports             -         x          x
 *   admin               -         -          x
 *
 * PINs (4 to 12 digits) are never stored: the database keeps
 * PBKDF2-HMAC-SHA256 (RFC 8018 §5.2, "PKCS #5: Password-Based Cryptography
 * Specification Version 2.1", January 2017) of the PIN under a random
 * 16-byte salt per employee, 32 bytes, with the iteration count stored
 * beside it. New PINs use the setting staff.pin_iterations, default
 * STAFF_PBKDF2_ITERATIONS (310,000: the OWASP Password Storage Cheat Sheet's
 * 2021 figure for PBKDF2-HMAC-SHA256; about 0.4 s per login on one core, the
 * cost a cashier can wait for), never fewer than
 * STAFF_PBKDF2_MIN_ITERATIONS. Hashes are compared in constant time.
 *
 * Login: STAFF_MAX_FAILURES (5) wrong PINs in a row lock the employee out
 * for STAFF_LOCKOUT_MS (15 minutes); a manager can unlock earlier
 * (staff_unlock). While locked, logins are refused without checking the
 * PIN and without counting. A right PIN resets the count. An unknown
 * number costs the same KDF as a known one and answers like a wrong PIN.
 *
 * Shifts: at most one open shift per terminal. Opened with a cash float by
 * a logged-in employee; closed by the same employee or a manager with the
 * counted cash. The expected cash is the float plus the shift's net cash
 * taking, which the sales module supplies through a staff_cash_fn (until it
 * exists, callers pass NULL and the expected cash is the float).
 *
 * Error codes: POS_ERR_AUTH (wrong number or PIN), POS_ERR_LOCKED,
 * POS_ERR_DENIED (the role lacks the right; the employee is disabled),
 * POS_ERR_INVAL (bad input: d says which), POS_ERR_CONSTRAINT (number
 * taken), POS_ERR_NOT_FOUND, POS_ERR_STATE (a shift already open / none
 * open), POS_ERR_CRYPTO, store errors. No PIN ever goes into d.
 */
#ifndef POS_TERM_STAFF_H
#define POS_TERM_STAFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "store/store.h"

#define STAFF_PIN_MIN               4
#define STAFF_PIN_MAX               12
#define STAFF_SALT_LEN              16
#define STAFF_HASH_LEN              32
#define STAFF_PBKDF2_ITERATIONS     310000
#define STAFF_PBKDF2_MIN_ITERATIONS 1000
#define STAFF_PBKDF2_MAX_ITERATIONS 10000000
#define STAFF_MAX_FAILURES          5
#define STAFF_LOCKOUT_MS            (15 * 60 * 1000)
#define STAFF_NAME_MAX              64
#define STAFF_NUMBER_MAX            99999999
#define STAFF_CASHIER_DISCOUNT_BPS  500

enum staff_role {
    STAFF_CASHIER = 0,
    STAFF_SUPERVISOR,
    STAFF_MANAGER,
};

enum staff_right {
    STAFF_RIGHT_VOID = 0,
    STAFF_RIGHT_REFUND,
    STAFF_RIGHT_DISCOUNT, /* a discount over the role's limit */
    STAFF_RIGHT_PRICE_OVERRIDE,
    STAFF_RIGHT_SETTLE,
    STAFF_RIGHT_REPORTS,
    STAFF_RIGHT_ADMIN,
};

/* Names: "cashier", "supervisor", "manager"; "void", "refund", "discount",
 * "price_override", "settle", "reports", "admin". "?" for a bad value.
 * The parsers return POS_ERR_INVAL for an unknown name. */
const char *staff_role_name(enum staff_role r);
int staff_role_parse(const char *s, enum staff_role *out);
const char *staff_right_name(enum staff_right r);
int staff_right_parse(const char *s, enum staff_right *out);

/* Whether role r has right x (the table above). */
bool staff_role_has_right(enum staff_role r, enum staff_right x);

/* The largest discount (basis points of the line or sale) r may give
 * without a supervisor: 500 for a cashier, 10000 for the others. */
uint32_t staff_role_discount_limit_bps(enum staff_role r);

struct staff_employee {
    int64_t id; /* employees.id */
    int64_t number;
    char name[STAFF_NAME_MAX + 1];
    enum staff_role role;
    bool active;
    int64_t failed_logins;
    int64_t locked_until; /* Unix ms, 0 = not locked */
};

/* PBKDF2-HMAC-SHA256 of pin (pin_len bytes) with salt and iter iterations
 * into out (STAFF_HASH_LEN bytes) through OpenSSL's EVP_KDF. POS_ERR_INVAL
 * for iter 0, POS_ERR_CRYPTO when OpenSSL fails (out is zeroed). */
int staff_pin_hash(const char *pin, size_t pin_len, const uint8_t *salt, size_t salt_len,
                   uint64_t iter, uint8_t out[STAFF_HASH_LEN]);

/* Adds an employee. number 1..STAFF_NUMBER_MAX, name 1..STAFF_NAME_MAX
 * bytes without control characters, pin 4..12 digits. *id (may be NULL)
 * gets employees.id. */
int staff_add(struct store *db, int64_t number, const char *name, enum staff_role role,
              const char *pin, int64_t *id, struct pos_errdetail *d);

/* Reads employee number into *out. POS_ERR_NOT_FOUND. */
int staff_get(struct store *db, int64_t number, struct staff_employee *out);

/* Calls fn for every employee in number order; a non-zero return stops. */
int staff_list(struct store *db, int (*fn)(void *arg, const struct staff_employee *e), void *arg);

/* Marks the employee inactive (logins refused; history kept). */
int staff_disable(struct store *db, int64_t number);

/* Clears the failure count and the lockout of employee number. */
int staff_unlock(struct store *db, int64_t number);

/* Logs in at time now_ms (Unix ms): POS_OK and *out (may be NULL),
 * POS_ERR_AUTH, POS_ERR_LOCKED, POS_ERR_DENIED (disabled). Writes the
 * failure count (autocommit, or in the caller's transaction). */
int staff_login(struct store *db, int64_t number, const char *pin, int64_t now_ms,
                struct staff_employee *out, struct pos_errdetail *d);

/* staff_login, then POS_ERR_DENIED unless the employee's role has right:
 * a supervisor's override of a void, refund, discount or price. */
int staff_authorize(struct store *db, int64_t number, const char *pin, enum staff_right right,
                    int64_t now_ms, struct staff_employee *out, struct pos_errdetail *d);

struct staff_shift {
    int64_t id;
    int64_t employee_number; /* who opened it */
    bool open;
    uint16_t currency;     /* ISO 4217 numeric */
    int64_t float_amount;  /* minor units */
    bool has_close;        /* the three below are set */
    int64_t counted;       /* minor units */
    int64_t expected;      /* float + net cash */
    int64_t closed_by;     /* employee number */
    int64_t opened_at;     /* Unix ms */
    int64_t closed_at;     /* Unix ms, 0 while open */
};

/* The net cash a shift took (cash tenders minus change and cash refunds,
 * minor units), supplied by the sales module. Returns POS_OK or an error. */
typedef int (*staff_cash_fn)(void *arg, struct store *db, int64_t shift_id, int64_t *net_cash);

/* Opens a shift for employee number (logging in with pin) with a cash
 * float (minor units of the terminal currency, 0..10^11). POS_ERR_STATE
 * when a shift is already open. *out (may be NULL) gets the shift. */
int staff_shift_open(struct store *db, int64_t number, const char *pin, int64_t float_minor,
                     int64_t now_ms, struct staff_shift *out, struct pos_errdetail *d);

/* Closes the open shift: number must have opened it or be a manager;
 * counted (minor units, 0..10^11) is stored, expected = float + what cash
 * (may be NULL: 0) says. POS_ERR_STATE when no shift is open. */
int staff_shift_close(struct store *db, int64_t number, const char *pin, int64_t counted,
                      staff_cash_fn cash, void *cash_arg, int64_t now_ms, struct staff_shift *out,
                      struct pos_errdetail *d);

/* The open shift (POS_ERR_NOT_FOUND when none), or the latest shift. */
int staff_shift_current(struct store *db, struct staff_shift *out);
int staff_shift_last(struct store *db, struct staff_shift *out);

#endif
