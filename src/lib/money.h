/*
 * money: amounts in minor units of an ISO 4217 currency.
 *
 * Standards: ISO 4217:2015 "Codes for the representation of currencies",
 * its current code list (Table A.1, "list one", as published by the
 * maintenance agency SIX on 2026-01-01; see currency_table.c), and
 * ISO 8583:1987 field 4 (amount, transaction: n 12, minor units, no sign)
 * and field 49 (currency code, transaction: n 3).
 *
 * An amount is an int64 count of minor units (cents, fen, fils) with its
 * currency. The range is symmetric: -INT64_MAX .. INT64_MAX; INT64_MIN is
 * never produced and every function refuses it (POS_ERR_OVERFLOW), so
 * negation never overflows. Arithmetic is checked: an overflow is
 * POS_ERR_OVERFLOW and never a wrap; mixing currencies is
 * POS_ERR_CURRENCY_MISMATCH.
 *
 * Text form (money_parse/money_format): `[-]DIGITS[.DIGITS]` in the
 * currency's exponent, '.' as the decimal point, no sign '+', no grouping
 * (no "1,000.00"), no spaces, no exponent notation. A fraction with more
 * digits than the currency has is refused (POS_ERR_RANGE), never rounded;
 * fewer digits are fine ("12.5" CNY = 1250). Format always writes exactly
 * `exponent` decimals ("1234.50" CNY, "1234" JPY, "1.234" KWD).
 *
 * ISO 4217 lists some codes (gold XAU, SDR XDR, test XTS, no-currency XXX,
 * bond units XBA..XBD, XSU, XUA, silver, platinum, palladium) with minor unit
 * "N.A.". Their exponent field is MONEY_EXPONENT_NA; amounts in them are
 * counted in whole units (money_currency_digits() returns 0).
 *
 * No allocation; the currency table is static and read-only, and every
 * struct currency pointer handed out points into it (valid forever).
 */
#ifndef POS_MONEY_H
#define POS_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pos_errdetail;

/* The exponent of a currency whose ISO 4217 minor unit is "N.A.". */
#define MONEY_EXPONENT_NA 0xFFu

/* Largest exponent in the ISO 4217 list (CLF and UYW have 4). */
#define MONEY_EXPONENT_MAX 4u

/* Buffer size that holds any money_format output and its NUL:
 * sign, 19 digits, point, padding zeros of a 4-decimal currency. */
#define MONEY_FORMAT_MAX 32u

/* Characters of an ISO 8583 field 4 amount (n 12), without the NUL. */
#define MONEY_ISO8583_AMOUNT_LEN 12u

struct currency {
    char alpha[4];    /* "CNY", NUL-terminated, uppercase */
    uint16_t numeric; /* 156 (ISO 4217 numeric code, 1..999) */
    uint8_t exponent; /* minor unit digits 0..4, or MONEY_EXPONENT_NA */
    const char *name; /* "Yuan Renminbi" (ISO 4217 English name, ASCII) */
};

struct money {
    int64_t minor;              /* amount in minor units */
    const struct currency *cur; /* never NULL in a valid amount */
};

/* How money_fee_bps rounds a result that falls between two minor units. */
enum money_round {
    /* pos's fee rule: round half away from zero (0.5 -> 1, -0.5 -> -1),
     * the commercial "round half up" of merchant statements (四舍五入). */
    MONEY_ROUND_HALF_UP = 0,
    /* round half to even (banker's rounding): 0.5 -> 0, 1.5 -> 2 */
    MONEY_ROUND_HALF_EVEN,
    /* truncate toward zero */
    MONEY_ROUND_DOWN,
    /* away from zero: any fraction rounds to the next unit */
    MONEY_ROUND_UP,
};

/* --- the ISO 4217 table ------------------------------------------------ */

/* Number of currencies in the table (178 in the 2026-01-01 list). */
size_t money_currency_count(void);

/* The i-th currency (sorted by alpha code), NULL when i >= count. */
const struct currency *money_currency_at(size_t i);

/* The currency with this alpha code (len characters, case-insensitive), or
 * NULL when there is none. */
const struct currency *money_currency_by_alpha(const char *alpha, size_t len);

/* The currency with this numeric code, or NULL. */
const struct currency *money_currency_by_numeric(unsigned numeric);

/* Looks up a code given as text: three letters (alpha, any case) or three
 * digits (numeric, as in ISO 8583 field 49 or EMV QR ID 53, "156").
 * Returns POS_OK and *out, or POS_ERR_CURRENCY (unknown or malformed code;
 * d names it). d may be NULL. */
int money_currency_parse(const char *code, size_t len, const struct currency **out,
                         struct pos_errdetail *d);

/* Decimal places of amounts in c: its exponent, or 0 when "N.A.". */
unsigned money_currency_digits(const struct currency *c);

/* true when ISO 4217 gives c a minor unit (exponent is not "N.A."). */
bool money_currency_has_minor_unit(const struct currency *c);

/* Writes the 3-digit numeric code of c and a NUL into out[4] ("048"). */
void money_currency_numeric_format(const struct currency *c, char out[4]);

/* --- text ---------------------------------------------------------------- */

/* Parses len characters of s as an amount in cur (see the top comment).
 * Returns POS_OK with *out set, or: POS_ERR_SYNTAX (empty, a character that
 * is not a digit, '-' or one '.', or no digit before or after the point),
 * POS_ERR_RANGE (more fraction digits than cur has), POS_ERR_OVERFLOW
 * (outside -INT64_MAX..INT64_MAX minor units), POS_ERR_INVAL (cur NULL).
 * d (may be NULL) gets the offset of the offending character. *out is
 * untouched on error. */
int money_parse(const char *s, size_t len, const struct currency *cur, struct money *out,
                struct pos_errdetail *d);

/* Formats m into out (cap bytes; MONEY_FORMAT_MAX always suffices) with a
 * NUL; *out_len (may be NULL) gets the length without it. Returns POS_OK,
 * POS_ERR_NOSPACE or POS_ERR_INVAL (no currency, or INT64_MIN). */
int money_format(const struct money *m, char *out, size_t cap, size_t *out_len);

/* --- arithmetic (out may alias an input) ------------------------------- */

/* *out = a + b. POS_ERR_CURRENCY_MISMATCH, POS_ERR_OVERFLOW, POS_ERR_INVAL. */
int money_add(const struct money *a, const struct money *b, struct money *out);

/* *out = a - b. Same errors as money_add. */
int money_sub(const struct money *a, const struct money *b, struct money *out);

/* *out = a * qty (a line of qty items). POS_ERR_OVERFLOW, POS_ERR_INVAL. */
int money_mul(const struct money *a, int64_t qty, struct money *out);

/* *out = -a. POS_ERR_INVAL only (the range is symmetric). */
int money_neg(const struct money *a, struct money *out);

/* The fee of bps basis points (1 bp = 0.01 %, 0..10000) on amount, rounded
 * to a minor unit by rule (pos uses MONEY_ROUND_HALF_UP for every fee; see
 * docs/money.md), in amount's currency. |fee| <= |amount|, so it cannot
 * overflow; the intermediate product is split so no step can either.
 * fee(-x) = -fee(x) for the symmetric rules. Returns POS_OK, POS_ERR_RANGE
 * (bps > 10000), POS_ERR_INVAL (bad rule, no currency, INT64_MIN). */
int money_fee_bps(const struct money *amount, uint32_t bps, enum money_round rule,
                  struct money *fee);

/* --- ISO 8583 field 4 -------------------------------------------------- */

/* Parses exactly 12 digits ("000000012345") into *minor (0..999999999999).
 * POS_ERR_LENGTH (not 12 characters) or POS_ERR_DIGIT (a non-digit: signs
 * are not allowed). */
int money_iso8583_amount_parse(const char *s, size_t len, int64_t *minor);

/* Writes minor as 12 zero-padded digits and a NUL into out[13].
 * POS_ERR_RANGE when minor is negative or over 999999999999. */
int money_iso8583_amount_format(int64_t minor, char out[13]);

#endif
