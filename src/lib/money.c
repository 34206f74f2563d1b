/* money: ISO 4217 amounts in minor units (see money.h for the contract). */
#include "money.h"

#include <string.h>

#include "error.h"
#include "money_int.h"

static char money__upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

size_t money_currency_count(void)
{
    return money__currency_count;
}

const struct currency *money_currency_at(size_t i)
{
    return i < money__currency_count ? &money__currencies[i] : NULL;
}

const struct currency *money_currency_by_alpha(const char *alpha, size_t len)
{
    char key[3];
    size_t lo = 0, hi = money__currency_count, i;

    if (alpha == NULL || len != 3)
        return NULL;
    for (i = 0; i < 3; i++)
        key[i] = money__upper(alpha[i]);
    /* bisection over the table, sorted by alpha code */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strncmp(key, money__currencies[mid].alpha, 3);
        if (c == 0)
            return &money__currencies[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const struct currency *money_currency_by_numeric(unsigned numeric)
{
    size_t i;

    for (i = 0; i < money__currency_count; i++)
        if (money__currencies[i].numeric == numeric)
            return &money__currencies[i];
    return NULL;
}

int money_currency_parse(const char *code, size_t len, const struct currency **out,
                         struct pos_errdetail *d)
{
    const struct currency *c = NULL;

    if (code == NULL || out == NULL)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "no currency code");
    if (len == 3 && code[0] >= '0' && code[0] <= '9') {
        /* ISO 8583 field 49 / EMV QR ID 53: exactly three digits */
        if (code[1] >= '0' && code[1] <= '9' && code[2] >= '0' && code[2] <= '9')
            c = money_currency_by_numeric(
                (unsigned)((code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0')));
    } else {
        c = money_currency_by_alpha(code, len);
    }
    if (c == NULL)
        return pos_errdetail_set(d, POS_ERR_CURRENCY, -1, POS_NO_OFFSET,
                                 "'%.*s' is not an ISO 4217 code", len > 8 ? 8 : (int)len, code);
    *out = c;
    return POS_OK;
}

unsigned money_currency_digits(const struct currency *c)
{
    if (c == NULL || c->exponent == MONEY_EXPONENT_NA || c->exponent > MONEY_EXPONENT_MAX)
        return 0;
    return c->exponent;
}

bool money_currency_has_minor_unit(const struct currency *c)
{
    return c != NULL && c->exponent != MONEY_EXPONENT_NA;
}

void money_currency_numeric_format(const struct currency *c, char out[4])
{
    unsigned n = c != NULL ? c->numeric % 1000u : 0;

    out[0] = (char)('0' + n / 100);
    out[1] = (char)('0' + n / 10 % 10);
    out[2] = (char)('0' + n % 10);
    out[3] = '\0';
}

/* Accumulates one digit into *acc (non-negative), refusing INT64_MAX+. */
static bool money__push_digit(int64_t *acc, int digit)
{
    if (*acc > (INT64_MAX - digit) / 10)
        return false;
    *acc = *acc * 10 + digit;
    return true;
}

int money_parse(const char *s, size_t len, const struct currency *cur, struct money *out,
                struct pos_errdetail *d)
{
    unsigned digits = money_currency_digits(cur);
    int64_t acc = 0;
    size_t i = 0, int_digits = 0, frac_digits = 0;
    bool neg = false, point = false;

    if (cur == NULL || out == NULL || (s == NULL && len > 0))
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "no currency");
    if (len > 0 && s[0] == '-') {
        neg = true;
        i = 1;
    }
    for (; i < len; i++) {
        char c = s[i];
        if (c == '.' && !point) {
            if (int_digits == 0)
                return pos_errdetail_set(d, POS_ERR_SYNTAX, -1, i, "no digit before '.'");
            point = true;
            continue;
        }
        if (c < '0' || c > '9')
            return pos_errdetail_set(d, POS_ERR_SYNTAX, -1, i, "'%c' is not allowed in an amount",
                                     (c >= 0x20 && c < 0x7F) ? c : '?');
        if (point && ++frac_digits > digits)
            return pos_errdetail_set(d, POS_ERR_RANGE, -1, i,
                                     "%s has %u decimal%s, the amount has more", cur->alpha, digits,
                                     digits == 1 ? "" : "s");
        if (!point)
            int_digits++;
        if (!money__push_digit(&acc, c - '0'))
            return pos_errdetail_set(d, POS_ERR_OVERFLOW, -1, i, "amount too large");
    }
    if (int_digits == 0)
        return pos_errdetail_set(d, POS_ERR_SYNTAX, -1, i, "no digits");
    if (point && frac_digits == 0)
        return pos_errdetail_set(d, POS_ERR_SYNTAX, -1, i, "no digit after '.'");
    /* scale a short fraction up to the currency's exponent ("12.5" -> 1250) */
    for (; frac_digits < digits; frac_digits++)
        if (!money__push_digit(&acc, 0))
            return pos_errdetail_set(d, POS_ERR_OVERFLOW, -1, len, "amount too large");
    out->minor = neg ? -acc : acc;
    out->cur = cur;
    return POS_OK;
}

int money_format(const struct money *m, char *out, size_t cap, size_t *out_len)
{
    char tmp[MONEY_FORMAT_MAX];
    size_t n = 0, i, j;
    unsigned digits;
    uint64_t v;

    if (m == NULL || m->cur == NULL || m->minor == INT64_MIN || out == NULL)
        return POS_ERR_INVAL;
    digits = money_currency_digits(m->cur);
    v = m->minor < 0 ? (uint64_t)(-m->minor) : (uint64_t)m->minor;
    /* digits in reverse, at least digits+1 of them so "0.05" gets its 0 */
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
        if (n == digits)
            tmp[n++] = '.';
    } while (v != 0 || n <= digits + (digits > 0 ? 1u : 0u));
    if (m->minor < 0)
        tmp[n++] = '-';
    if (n + 1 > cap)
        return POS_ERR_NOSPACE;
    for (i = 0, j = n; i < n; i++)
        out[i] = tmp[--j];
    out[n] = '\0';
    if (out_len != NULL)
        *out_len = n;
    return POS_OK;
}

static int money__check(const struct money *a)
{
    if (a == NULL || a->cur == NULL || a->minor == INT64_MIN)
        return POS_ERR_INVAL;
    return POS_OK;
}

static int money__check2(const struct money *a, const struct money *b)
{
    if (money__check(a) != POS_OK || money__check(b) != POS_OK)
        return POS_ERR_INVAL;
    if (a->cur != b->cur)
        return POS_ERR_CURRENCY_MISMATCH;
    return POS_OK;
}

int money_add(const struct money *a, const struct money *b, struct money *out)
{
    int64_t r;
    int rc = money__check2(a, b);

    if (rc != POS_OK || out == NULL)
        return rc != POS_OK ? rc : POS_ERR_INVAL;
    if (__builtin_add_overflow(a->minor, b->minor, &r) || r == INT64_MIN)
        return POS_ERR_OVERFLOW;
    out->cur = a->cur;
    out->minor = r;
    return POS_OK;
}

int money_sub(const struct money *a, const struct money *b, struct money *out)
{
    int64_t r;
    int rc = money__check2(a, b);

    if (rc != POS_OK || out == NULL)
        return rc != POS_OK ? rc : POS_ERR_INVAL;
    if (__builtin_sub_overflow(a->minor, b->minor, &r) || r == INT64_MIN)
        return POS_ERR_OVERFLOW;
    out->cur = a->cur;
    out->minor = r;
    return POS_OK;
}

int money_mul(const struct money *a, int64_t qty, struct money *out)
{
    int64_t r;

    if (money__check(a) != POS_OK || out == NULL)
        return POS_ERR_INVAL;
    if (__builtin_mul_overflow(a->minor, qty, &r) || r == INT64_MIN)
        return POS_ERR_OVERFLOW;
    out->cur = a->cur;
    out->minor = r;
    return POS_OK;
}

int money_neg(const struct money *a, struct money *out)
{
    if (money__check(a) != POS_OK || out == NULL)
        return POS_ERR_INVAL;
    out->cur = a->cur;
    out->minor = -a->minor;
    return POS_OK;
}

/* Rounds q + rem/10000 (0 <= rem < 10000, q >= 0: magnitudes) by rule. */
static uint64_t money__round(uint64_t q, uint64_t rem, enum money_round rule)
{
    switch (rule) {
    case MONEY_ROUND_HALF_UP:
        return q + (rem >= 5000 ? 1 : 0);
    case MONEY_ROUND_HALF_EVEN:
        return q + ((rem > 5000 || (rem == 5000 && (q & 1) != 0)) ? 1 : 0);
    case MONEY_ROUND_DOWN:
        return q;
    case MONEY_ROUND_UP:
        return q + (rem != 0 ? 1 : 0);
    }
    return q;
}

int money_fee_bps(const struct money *amount, uint32_t bps, enum money_round rule,
                  struct money *fee)
{
    uint64_t mag, q, r, part, rem, res;

    if (money__check(amount) != POS_OK || fee == NULL || (unsigned)rule > MONEY_ROUND_UP)
        return POS_ERR_INVAL;
    if (bps > 10000)
        return POS_ERR_RANGE;
    /* work on the magnitude so every rule is symmetric around zero;
     * mag * bps / 10000 = (mag / 10000) * bps + (mag % 10000) * bps / 10000,
     * and neither product can overflow: the first is <= mag, the second
     * < 10^8. */
    mag = amount->minor < 0 ? (uint64_t)(-amount->minor) : (uint64_t)amount->minor;
    q = mag / 10000;
    r = mag % 10000;
    part = r * bps;
    rem = part % 10000;
    res = money__round(q * bps + part / 10000, rem, rule);
    fee->cur = amount->cur;
    fee->minor = amount->minor < 0 ? -(int64_t)res : (int64_t)res;
    return POS_OK;
}

int money_iso8583_amount_parse(const char *s, size_t len, int64_t *minor)
{
    int64_t v = 0;
    size_t i;

    if (s == NULL || minor == NULL)
        return POS_ERR_INVAL;
    if (len != MONEY_ISO8583_AMOUNT_LEN)
        return POS_ERR_LENGTH;
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return POS_ERR_DIGIT;
        v = v * 10 + (s[i] - '0');
    }
    *minor = v;
    return POS_OK;
}

int money_iso8583_amount_format(int64_t minor, char out[13])
{
    int i;

    if (minor < 0 || minor > 999999999999LL)
        return POS_ERR_RANGE;
    for (i = 11; i >= 0; i--) {
        out[i] = (char)('0' + minor % 10);
        minor /= 10;
    }
    out[12] = '\0';
    return POS_OK;
}
