/* card: PAN checks, brand, masking, expiry, service code, tracks (see card.h). */
#include "card.h"

#include <string.h>

#include "error.h"
#include "hex.h"
#include "mem.h"

#define CARD__LUHN_MAX 64

/* ISO/IEC 7812-1:2017 Annex B: from the rightmost digit leftwards, double
 * every second digit (starting with the rightmost when double_first), add
 * the digits of the products. Returns the sum mod 10, or -1 when s holds a
 * non-digit. */
static int card__luhn_sum(const char *s, size_t len, bool double_first)
{
    size_t i;
    unsigned sum = 0;
    bool dbl = double_first;

    for (i = len; i > 0; i--) {
        unsigned dig;
        if (s[i - 1] < '0' || s[i - 1] > '9')
            return -1;
        dig = (unsigned)(s[i - 1] - '0');
        if (dbl) {
            dig *= 2;
            if (dig > 9)
                dig -= 9;
        }
        sum += dig;
        dbl = !dbl;
    }
    return (int)(sum % 10);
}

bool card_luhn_is_valid(const char *pan, size_t len)
{
    if (pan == NULL || len < 2 || len > CARD__LUHN_MAX)
        return false;
    return card__luhn_sum(pan, len, false) == 0;
}

int card_luhn_check_digit(const char *partial, size_t len, char *digit)
{
    int sum;

    if (partial == NULL || len == 0 || len >= CARD__LUHN_MAX)
        return POS_ERR_LENGTH;
    /* the digit to append will be undoubled, so the last one here doubles */
    sum = card__luhn_sum(partial, len, true);
    if (sum < 0)
        return POS_ERR_DIGIT;
    *digit = (char)('0' + (10 - sum) % 10);
    return POS_OK;
}

int card_pan_mask(const char *pan, size_t pan_len, char *out, size_t cap)
{
    size_t i;
    bool keep_ends;

    if (pan == NULL || out == NULL)
        return POS_ERR_INVAL;
    if (cap == 0 || pan_len > cap - 1) {
        if (cap > 0)
            out[0] = '\0';
        return POS_ERR_NOSPACE;
    }
    /* PCI DSS v4.0 req. 3.4.1: at most the first 6 and last 4 shown */
    keep_ends = pan_len >= CARD_PAN_MIN && pan_len <= CARD_PAN_MAX && pos_is_digits(pan, pan_len);
    for (i = 0; i < pan_len; i++) {
        if (keep_ends && (i < 6 || i >= pan_len - 4))
            out[i] = pan[i];
        else
            out[i] = '*';
    }
    out[pan_len] = '\0';
    return POS_OK;
}

/* IIN ranges: the first `digits` digits of the PAN in [lo, hi]. Checked
 * longest prefix first, so 6304 (maestro) wins over nothing and 622126
 * (cobrand) is looked at before 62. */
struct card__range {
    uint8_t digits;
    uint32_t lo, hi;
    enum card_brand brand;
};

static const struct card__range card__ranges[] = {
    {4, 2221, 2720, CARD_BRAND_MASTERCARD},
    {4, 3095, 3095, CARD_BRAND_DINERS},
    {4, 3528, 3589, CARD_BRAND_JCB},
    {4, 6011, 6011, CARD_BRAND_DISCOVER},
    {4, 6304, 6304, CARD_BRAND_MAESTRO},
    {4, 8100, 8171, CARD_BRAND_UNIONPAY}, /* UnionPay 8-series IINs */
    {3, 300, 305, CARD_BRAND_DINERS},
    {3, 644, 649, CARD_BRAND_DISCOVER},
    {2, 34, 34, CARD_BRAND_AMEX},
    {2, 36, 36, CARD_BRAND_DINERS},
    {2, 37, 37, CARD_BRAND_AMEX},
    {2, 38, 39, CARD_BRAND_DINERS},
    {2, 50, 50, CARD_BRAND_MAESTRO},
    {2, 51, 55, CARD_BRAND_MASTERCARD},
    {2, 56, 58, CARD_BRAND_MAESTRO},
    {2, 62, 62, CARD_BRAND_UNIONPAY},
    {2, 65, 65, CARD_BRAND_DISCOVER},
    {2, 67, 67, CARD_BRAND_MAESTRO},
    {1, 4, 4, CARD_BRAND_VISA},
};

/* The first n digits of s as a number; false when s is shorter or holds a
 * non-digit there. */
static bool card__prefix(const char *s, size_t len, size_t n, uint32_t *out)
{
    size_t i;
    uint32_t v = 0;

    if (s == NULL || len < n)
        return false;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

enum card_brand card_brand_of(const char *pan, size_t len)
{
    size_t i;
    uint32_t p;

    if (pan == NULL || !pos_is_digits(pan, len))
        return CARD_BRAND_UNKNOWN;
    for (i = 0; i < sizeof(card__ranges) / sizeof(card__ranges[0]); i++) {
        const struct card__range *r = &card__ranges[i];
        if (card__prefix(pan, len, r->digits, &p) && p >= r->lo && p <= r->hi)
            return r->brand;
    }
    return CARD_BRAND_UNKNOWN;
}

enum card_brand card_brand_cobrand_of(const char *pan, size_t len)
{
    uint32_t p;

    if (pan != NULL && pos_is_digits(pan, len) && card__prefix(pan, len, 6, &p) && p >= 622126 &&
        p <= 622925)
        return CARD_BRAND_DISCOVER;
    return CARD_BRAND_UNKNOWN;
}

const char *card_brand_name(enum card_brand brand)
{
    switch (brand) {
    case CARD_BRAND_VISA:
        return "visa";
    case CARD_BRAND_MASTERCARD:
        return "mastercard";
    case CARD_BRAND_UNIONPAY:
        return "unionpay";
    case CARD_BRAND_AMEX:
        return "amex";
    case CARD_BRAND_JCB:
        return "jcb";
    case CARD_BRAND_DISCOVER:
        return "discover";
    case CARD_BRAND_DINERS:
        return "diners";
    case CARD_BRAND_MAESTRO:
        return "maestro";
    case CARD_BRAND_UNKNOWN:
        break;
    }
    return "unknown";
}

#define CARD__LEN(n)       (1u << (n))
#define CARD__LENS(lo, hi) ((CARD__LEN((hi) + 1) - 1u) & ~(CARD__LEN(lo) - 1u))

bool card_brand_length_is_valid(enum card_brand brand, size_t len)
{
    uint32_t lens;

    switch (brand) {
    case CARD_BRAND_VISA:
        lens = CARD__LEN(13) | CARD__LEN(16) | CARD__LEN(19);
        break;
    case CARD_BRAND_MASTERCARD:
        lens = CARD__LEN(16);
        break;
    case CARD_BRAND_AMEX:
        lens = CARD__LEN(15);
        break;
    case CARD_BRAND_UNIONPAY:
    case CARD_BRAND_JCB:
    case CARD_BRAND_DISCOVER:
        lens = CARD__LENS(16, 19);
        break;
    case CARD_BRAND_DINERS:
        lens = CARD__LENS(14, 19);
        break;
    default:
        lens = CARD__LENS(CARD_PAN_MIN, CARD_PAN_MAX);
        break;
    }
    return len <= CARD_PAN_MAX && (lens & CARD__LEN(len)) != 0;
}

int card_pan_check(const char *pan, size_t len, enum card_brand *brand, struct pos_errdetail *d)
{
    enum card_brand b;
    size_t i;

    if (pan == NULL)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "no PAN");
    for (i = 0; i < len; i++)
        if (pan[i] < '0' || pan[i] > '9')
            return pos_errdetail_set(d, POS_ERR_DIGIT, -1, i, "PAN holds a non-digit");
    if (len < CARD_PAN_MIN || len > CARD_PAN_MAX)
        return pos_errdetail_set(d, POS_ERR_CARD_PAN, -1, POS_NO_OFFSET,
                                 "PAN has %zu digits (%d to %d allowed)", len, CARD_PAN_MIN,
                                 CARD_PAN_MAX);
    b = card_brand_of(pan, len);
    if (brand != NULL)
        *brand = b;
    if (!card_brand_length_is_valid(b, len))
        return pos_errdetail_set(d, POS_ERR_CARD_PAN, -1, POS_NO_OFFSET,
                                 "%s PANs do not have %zu digits", card_brand_name(b), len);
    if (!card_luhn_is_valid(pan, len))
        return pos_errdetail_set(d, POS_ERR_CARD_LUHN, -1, len - 1, "check digit wrong");
    return POS_OK;
}

int card_expiry_parse(const char *yymm, size_t len, unsigned *year, unsigned *month,
                      struct pos_errdetail *d)
{
    unsigned yy, mm;

    if (yymm == NULL || len != 4 || !pos_is_digits(yymm, 4))
        return pos_errdetail_set(d, POS_ERR_CARD_EXPIRY, -1, POS_NO_OFFSET,
                                 "expiry must be 4 digits YYMM");
    yy = (unsigned)(yymm[0] - '0') * 10 + (unsigned)(yymm[1] - '0');
    mm = (unsigned)(yymm[2] - '0') * 10 + (unsigned)(yymm[3] - '0');
    if (mm < 1 || mm > 12)
        return pos_errdetail_set(d, POS_ERR_CARD_EXPIRY, -1, 2, "month %02u not 01..12", mm);
    *year = 2000 + yy;
    *month = mm;
    return POS_OK;
}

bool card_expiry_is_expired(unsigned exp_year, unsigned exp_month, unsigned now_year,
                            unsigned now_month)
{
    /* valid through the last day of the expiry month */
    if (now_year != exp_year)
        return now_year > exp_year;
    return now_month > exp_month;
}

int card_expiry_check(const char *yymm, size_t len, unsigned now_year, unsigned now_month,
                      struct pos_errdetail *d)
{
    unsigned y = 0, m = 0;
    int rc;

    if (now_month < 1 || now_month > 12)
        return pos_errdetail_set(d, POS_ERR_CARD_EXPIRY, -1, POS_NO_OFFSET,
                                 "current month %u not 1..12", now_month);
    rc = card_expiry_parse(yymm, len, &y, &m, d);
    if (rc != POS_OK)
        return rc;
    if (card_expiry_is_expired(y, m, now_year, now_month))
        return pos_errdetail_set(d, POS_ERR_CARD_EXPIRED, -1, POS_NO_OFFSET,
                                 "expired after %04u-%02u", y, m);
    return POS_OK;
}

/* ISO/IEC 7813 service code: digit 1 interchange and technology, digit 2
 * authorization processing, digit 3 range of services and PIN. */
int card_service_code_parse(const char *s, size_t len, struct card_service_code *out,
                            struct pos_errdetail *d)
{
    static const enum card_sc_interchange d1[10] = {
        CARD_SC_INTERCHANGE_RESERVED,      CARD_SC_INTERCHANGE_INTERNATIONAL,
        CARD_SC_INTERCHANGE_INTERNATIONAL, CARD_SC_INTERCHANGE_RESERVED,
        CARD_SC_INTERCHANGE_RESERVED,      CARD_SC_INTERCHANGE_NATIONAL,
        CARD_SC_INTERCHANGE_NATIONAL,      CARD_SC_INTERCHANGE_PRIVATE,
        CARD_SC_INTERCHANGE_RESERVED,      CARD_SC_INTERCHANGE_TEST};
    static const enum card_sc_authorization d2[10] = {CARD_SC_AUTH_NORMAL,
                                                      CARD_SC_AUTH_RESERVED,
                                                      CARD_SC_AUTH_ONLINE,
                                                      CARD_SC_AUTH_RESERVED,
                                                      CARD_SC_AUTH_ONLINE_UNLESS_AGREED,
                                                      CARD_SC_AUTH_RESERVED,
                                                      CARD_SC_AUTH_RESERVED,
                                                      CARD_SC_AUTH_RESERVED,
                                                      CARD_SC_AUTH_RESERVED,
                                                      CARD_SC_AUTH_RESERVED};
    static const enum card_sc_services d3s[10] = {
        CARD_SC_SERVICES_ALL,     CARD_SC_SERVICES_ALL,   CARD_SC_SERVICES_GOODS,
        CARD_SC_SERVICES_ATM,     CARD_SC_SERVICES_CASH,  CARD_SC_SERVICES_GOODS,
        CARD_SC_SERVICES_ALL,     CARD_SC_SERVICES_GOODS, CARD_SC_SERVICES_RESERVED,
        CARD_SC_SERVICES_RESERVED};
    static const enum card_sc_pin d3p[10] = {CARD_SC_PIN_REQUIRED,    CARD_SC_PIN_NONE,
                                             CARD_SC_PIN_NONE,        CARD_SC_PIN_REQUIRED,
                                             CARD_SC_PIN_NONE,        CARD_SC_PIN_REQUIRED,
                                             CARD_SC_PIN_IF_FEASIBLE, CARD_SC_PIN_IF_FEASIBLE,
                                             CARD_SC_PIN_RESERVED,    CARD_SC_PIN_RESERVED};
    size_t i;
    int a, b, c;

    if (s == NULL || len != 3)
        return pos_errdetail_set(d, POS_ERR_LENGTH, -1, POS_NO_OFFSET,
                                 "service code has %zu characters, not 3", s == NULL ? 0 : len);
    for (i = 0; i < 3; i++)
        if (s[i] < '0' || s[i] > '9')
            return pos_errdetail_set(d, POS_ERR_DIGIT, -1, i, "service code holds a non-digit");
    a = s[0] - '0';
    b = s[1] - '0';
    c = s[2] - '0';
    memcpy(out->digits, s, 3);
    out->digits[3] = '\0';
    out->interchange = d1[a];
    out->chip = a == 2 || a == 6;
    out->authorization = d2[b];
    out->services = d3s[c];
    out->pin = d3p[c];
    return POS_OK;
}

const char *card_sc_interchange_name(enum card_sc_interchange v)
{
    switch (v) {
    case CARD_SC_INTERCHANGE_INTERNATIONAL:
        return "international";
    case CARD_SC_INTERCHANGE_NATIONAL:
        return "national";
    case CARD_SC_INTERCHANGE_PRIVATE:
        return "private";
    case CARD_SC_INTERCHANGE_TEST:
        return "test";
    case CARD_SC_INTERCHANGE_RESERVED:
        break;
    }
    return "reserved";
}

const char *card_sc_authorization_name(enum card_sc_authorization v)
{
    switch (v) {
    case CARD_SC_AUTH_NORMAL:
        return "normal";
    case CARD_SC_AUTH_ONLINE:
        return "online";
    case CARD_SC_AUTH_ONLINE_UNLESS_AGREED:
        return "online_unless_agreed";
    case CARD_SC_AUTH_RESERVED:
        break;
    }
    return "reserved";
}

const char *card_sc_services_name(enum card_sc_services v)
{
    switch (v) {
    case CARD_SC_SERVICES_ALL:
        return "all";
    case CARD_SC_SERVICES_GOODS:
        return "goods_and_services";
    case CARD_SC_SERVICES_ATM:
        return "atm";
    case CARD_SC_SERVICES_CASH:
        return "cash";
    case CARD_SC_SERVICES_RESERVED:
        break;
    }
    return "reserved";
}

const char *card_sc_pin_name(enum card_sc_pin v)
{
    switch (v) {
    case CARD_SC_PIN_NONE:
        return "none";
    case CARD_SC_PIN_REQUIRED:
        return "required";
    case CARD_SC_PIN_IF_FEASIBLE:
        return "if_feasible";
    case CARD_SC_PIN_RESERVED:
        break;
    }
    return "reserved";
}

void card_track_init(struct card_track *t)
{
    memset(t, 0, sizeof(*t));
}

void card_track_clear(struct card_track *t)
{
    if (t != NULL)
        pos_wipe(t, sizeof(*t));
}

const char *card_track_get(const struct card_track *t, enum card_track_field f, size_t *len)
{
    const char *s = NULL;
    size_t n = 0;

    if (t->number_ == 0)
        goto out;
    switch (f) {
    case CARD_TRACK_PAN:
        s = t->pan_;
        n = t->pan_len_;
        break;
    case CARD_TRACK_NAME:
        if (t->number_ == 1) {
            s = t->name_;
            n = t->name_len_;
        }
        break;
    case CARD_TRACK_EXPIRY:
        if (t->has_expiry_) {
            s = t->expiry_;
            n = 4;
        }
        break;
    case CARD_TRACK_SERVICE_CODE:
        if (t->has_service_code_) {
            s = t->service_code_;
            n = 3;
        }
        break;
    case CARD_TRACK_DISCRETIONARY:
        s = t->discretionary_;
        n = t->discretionary_len_;
        break;
    }
out:
    if (len != NULL)
        *len = s == NULL ? 0 : n;
    return s;
}

unsigned card_track_number(const struct card_track *t)
{
    return t->number_;
}

/* A cursor over track text; sep is the field separator ('=' / 'D' / '^'). */
struct card__cur {
    const char *s;
    size_t len; /* end of the data (sentinels and pad excluded) */
    size_t off;
    size_t base; /* offset of s[0] in the caller's text, for error offsets */
};

static int card__track_err(const struct card__cur *c, struct pos_errdetail *d, const char *what)
{
    return pos_errdetail_set(d, POS_ERR_CARD_TRACK, -1, c->base + c->off, "%s", what);
}

/* Reads the PAN (digits up to a separator accepted by is_sep). */
static int card__read_pan(struct card__cur *c, struct card_track *t, bool (*is_sep)(char),
                          struct pos_errdetail *d)
{
    size_t start = c->off;

    while (c->off < c->len && c->s[c->off] >= '0' && c->s[c->off] <= '9')
        c->off++;
    if (c->off - start < CARD_PAN_MIN || c->off - start > CARD_PAN_MAX)
        return pos_errdetail_set(d, POS_ERR_CARD_PAN, -1, c->base + start,
                                 "PAN has %zu digits (%d to %d allowed)", c->off - start,
                                 CARD_PAN_MIN, CARD_PAN_MAX);
    if (c->off >= c->len || !is_sep(c->s[c->off]))
        return card__track_err(c, d, "PAN not followed by a field separator");
    memcpy(t->pan_, c->s + start, c->off - start);
    t->pan_len_ = c->off - start;
    c->off++; /* the separator */
    return POS_OK;
}

/* Reads "YYMM SSS" where each may be replaced by one separator, or the data
 * may end after any complete field (ISO/IEC 7813). */
static int card__read_expiry_sc(struct card__cur *c, struct card_track *t, bool (*is_sep)(char),
                                struct pos_errdetail *d)
{
    if (c->off < c->len && is_sep(c->s[c->off])) {
        c->off++; /* expiry absent */
    } else if (c->off < c->len) {
        /* digits only: the month is checked by card_expiry_parse, so that
         * test tracks with a month such as 82 still parse */
        if (c->len - c->off < 4 || !pos_is_digits(c->s + c->off, 4))
            return card__track_err(c, d, "expiry is not 4 digits YYMM");
        memcpy(t->expiry_, c->s + c->off, 4);
        t->has_expiry_ = true;
        c->off += 4;
    }
    if (c->off < c->len && is_sep(c->s[c->off])) {
        c->off++; /* service code absent */
    } else if (c->off < c->len) {
        if (c->len - c->off < 3 || !pos_is_digits(c->s + c->off, 3))
            return card__track_err(c, d, "service code is not 3 digits");
        memcpy(t->service_code_, c->s + c->off, 3);
        t->has_service_code_ = true;
        c->off += 3;
    }
    return POS_OK;
}

static bool card__is_t2_sep(char ch)
{
    return ch == '=' || ch == 'D' || ch == 'd';
}

static bool card__is_t1_sep(char ch)
{
    return ch == '^';
}

/* ISO/IEC 7813 six-bit character set (20..5F) without the sentinels and
 * the separator. */
static bool card__is_t1_char(char ch)
{
    return ch >= 0x20 && ch <= 0x5F && ch != '^' && ch != '%' && ch != '?';
}

int card_track2_parse(const char *s, size_t len, struct card_track *t, struct pos_errdetail *d)
{
    struct card__cur c = {s, len, 0, 0};
    int rc = POS_ERR_CARD_TRACK;

    card_track_init(t);
    if (s == NULL || len == 0) {
        rc = pos_errdetail_set(d, POS_ERR_CARD_TRACK, -1, 0, "empty track 2");
        goto out;
    }
    if (len > CARD_TRACK2_MAX) {
        rc = pos_errdetail_set(d, POS_ERR_CARD_TRACK, -1, CARD_TRACK2_MAX,
                               "track 2 longer than %d characters", CARD_TRACK2_MAX);
        goto out;
    }
    if (s[0] == ';')
        c.off = 1;
    if (c.len > c.off && s[c.len - 1] == '?')
        c.len--;
    /* EMV tag 57 / ISO 8583 field 35 in BCD: one 'F' pad nibble at the end */
    if (c.len > c.off && (s[c.len - 1] == 'F' || s[c.len - 1] == 'f'))
        c.len--;
    rc = card__read_pan(&c, t, card__is_t2_sep, d);
    if (rc != POS_OK)
        goto out;
    rc = card__read_expiry_sc(&c, t, card__is_t2_sep, d);
    if (rc != POS_OK)
        goto out;
    if (!pos_is_digits(s + c.off, c.len - c.off)) {
        while (s[c.off] >= '0' && s[c.off] <= '9')
            c.off++;
        rc = card__track_err(&c, d, "discretionary data holds a non-digit");
        goto out;
    }
    memcpy(t->discretionary_, s + c.off, c.len - c.off);
    t->discretionary_len_ = c.len - c.off;
    t->number_ = 2;
    rc = POS_OK;
out:
    if (rc != POS_OK)
        card_track_clear(t);
    return rc;
}

int card_track1_parse(const char *s, size_t len, struct card_track *t, struct pos_errdetail *d)
{
    struct card__cur c = {s, len, 0, 0};
    size_t start;
    int rc = POS_ERR_CARD_TRACK;

    card_track_init(t);
    if (s == NULL || len == 0) {
        rc = pos_errdetail_set(d, POS_ERR_CARD_TRACK, -1, 0, "empty track 1");
        goto out;
    }
    if (len > CARD_TRACK1_MAX) {
        rc = pos_errdetail_set(d, POS_ERR_CARD_TRACK, -1, CARD_TRACK1_MAX,
                               "track 1 longer than %d characters", CARD_TRACK1_MAX);
        goto out;
    }
    if (s[0] == '%')
        c.off = 1;
    if (c.len > c.off && s[c.len - 1] == '?')
        c.len--;
    if (c.off >= c.len || s[c.off] != 'B') {
        rc = card__track_err(&c, d, "format code is not B");
        goto out;
    }
    c.off++;
    rc = card__read_pan(&c, t, card__is_t1_sep, d);
    if (rc != POS_OK)
        goto out;
    start = c.off;
    while (c.off < c.len && card__is_t1_char(s[c.off]))
        c.off++;
    if (c.off - start < 2 || c.off - start > CARD_NAME_MAX) {
        rc = pos_errdetail_set(d, POS_ERR_CARD_TRACK, -1, start,
                               "name has %zu characters (2 to %d allowed)", c.off - start,
                               CARD_NAME_MAX);
        goto out;
    }
    if (c.off >= c.len || s[c.off] != '^') {
        rc = card__track_err(&c, d, "name not followed by '^'");
        goto out;
    }
    memcpy(t->name_, s + start, c.off - start);
    t->name_len_ = c.off - start;
    c.off++;
    rc = card__read_expiry_sc(&c, t, card__is_t1_sep, d);
    if (rc != POS_OK)
        goto out;
    start = c.off;
    while (c.off < c.len && card__is_t1_char(s[c.off]))
        c.off++;
    if (c.off != c.len) {
        rc = card__track_err(&c, d, "discretionary data holds a character outside ISO/IEC 7813");
        goto out;
    }
    memcpy(t->discretionary_, s + start, c.len - start);
    t->discretionary_len_ = c.len - start;
    t->number_ = 1;
    rc = POS_OK;
out:
    if (rc != POS_OK)
        card_track_clear(t);
    return rc;
}

/* Appends n bytes to out (cap) at *pos; false when they do not fit (with
 * room kept for the final NUL). */
static bool card__put(char *out, size_t cap, size_t *pos, const char *src, size_t n)
{
    if (n >= cap - *pos)
        return false;
    memcpy(out + *pos, src, n);
    *pos += n;
    return true;
}

/* Writes expiry, service code (or separators) and discretionary data. */
static bool card__put_tail(const struct card_track *t, char sep, char *out, size_t cap, size_t *pos)
{
    bool ok = true;

    ok = ok && (t->has_expiry_ ? card__put(out, cap, pos, t->expiry_, 4)
                               : card__put(out, cap, pos, &sep, 1));
    ok = ok && (t->has_service_code_ ? card__put(out, cap, pos, t->service_code_, 3)
                                     : card__put(out, cap, pos, &sep, 1));
    ok = ok && card__put(out, cap, pos, t->discretionary_, t->discretionary_len_);
    return ok;
}

int card_track2_format(const struct card_track *t, char sep, bool sentinels, char *out, size_t cap,
                       size_t *out_len)
{
    size_t pos = 0;
    bool ok;
    int rc = POS_ERR_NOSPACE;

    if (t->number_ != 2 || (sep != '=' && sep != 'D') || out == NULL)
        return POS_ERR_INVAL;
    if (cap == 0)
        return POS_ERR_NOSPACE;
    ok = (!sentinels || card__put(out, cap, &pos, ";", 1)) &&
         card__put(out, cap, &pos, t->pan_, t->pan_len_) && card__put(out, cap, &pos, &sep, 1) &&
         card__put_tail(t, sep, out, cap, &pos) &&
         (!sentinels || card__put(out, cap, &pos, "?", 1));
    if (!ok) {
        pos_wipe(out, cap);
        out[0] = '\0';
        goto out;
    }
    out[pos] = '\0';
    if (out_len != NULL)
        *out_len = pos;
    rc = POS_OK;
out:
    return rc;
}

int card_track1_format(const struct card_track *t, bool sentinels, char *out, size_t cap,
                       size_t *out_len)
{
    size_t pos = 0;
    bool ok;
    int rc = POS_ERR_NOSPACE;

    if (t->number_ != 1 || out == NULL)
        return POS_ERR_INVAL;
    if (cap == 0)
        return POS_ERR_NOSPACE;
    ok = (!sentinels || card__put(out, cap, &pos, "%", 1)) && card__put(out, cap, &pos, "B", 1) &&
         card__put(out, cap, &pos, t->pan_, t->pan_len_) && card__put(out, cap, &pos, "^", 1) &&
         card__put(out, cap, &pos, t->name_, t->name_len_) && card__put(out, cap, &pos, "^", 1) &&
         card__put_tail(t, '^', out, cap, &pos) &&
         (!sentinels || card__put(out, cap, &pos, "?", 1));
    if (!ok) {
        pos_wipe(out, cap);
        out[0] = '\0';
        goto out;
    }
    out[pos] = '\0';
    if (out_len != NULL)
        *out_len = pos;
    rc = POS_OK;
out:
    return rc;
}
