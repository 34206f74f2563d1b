/*
 * card: payment card data — PAN checks (Luhn), brand by IIN, masking, track
 * 1 and track 2 parsing, expiry dates and service codes.
 *
 * Standards:
 *  - ISO/IEC 7812-1:2017 (a PAN has at most 19 digits) and its Annex B (the
 *    Luhn formula for the check digit);
 *  - ISO/IEC 7813:2006, the magnetic track record layouts: track 1 format
 *    code B ('%' 'B' PAN '^' name '^' YYMM service-code discretionary '?',
 *    at most 79 characters) and track 2 (';' PAN '=' YYMM service-code
 *    discretionary '?', at most 40 characters); the expiry date and the
 *    service code may each be replaced by the field separator when absent;
 *    and the meaning of the three service code digits;
 *  - EMV 4.4 Book 3 Annex A (tag 57): track 2 equivalent data use 'D' as
 *    separator and may end with one 'F' pad nibble;
 *  - PCI DSS v4.0 req. 3.4.1 (display masking: first six, last four digits).
 *
 * Brands by IIN prefix (longest prefix wins; valid lengths in brackets):
 *   visa 4 [13,16,19]; mastercard 51-55, 2221-2720 [16];
 *   unionpay 62, 8100-8171 [16-19]; amex 34, 37 [15];
 *   jcb 3528-3589 [16-19]; discover 6011, 644-649, 65 [16-19];
 *   diners 300-305, 3095, 36, 38-39 [14-19];
 *   maestro 50, 56-58, 6304, 67 [12-19]; else unknown [12-19].
 * The range 622126-622925 is UnionPay's, accepted on the Discover network by
 * agreement: the brand is unionpay (the issuer's network, which a UnionPay
 * acquirer routes to) and card_brand_cobrand_of reports discover.
 *
 * Everything here is sans-I/O and allocation-free. A PAN is passed as (chars,
 * len), not NUL-terminated. PANs and track data are secrets: struct
 * card_track holds copies which card_track_clear wipes; errors never quote
 * them.
 */
#ifndef POS_CARD_H
#define POS_CARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pos_errdetail;

/* Shortest and longest PAN accepted (ISO/IEC 7812-1:2017: at most 19
 * digits; 12 is the shortest payment networks issue). */
#define CARD_PAN_MIN 12
#define CARD_PAN_MAX 19
/* Longest cardholder name on track 1 (ISO/IEC 7813: 2 to 26 characters). */
#define CARD_NAME_MAX 26
/* Longest tracks, sentinels included (ISO/IEC 7813). */
#define CARD_TRACK1_MAX 79
#define CARD_TRACK2_MAX 40

/* Masks pan (pan_len characters) for display into out (cap bytes) and
 * NUL-terminates it. A PAN of CARD_PAN_MIN..CARD_PAN_MAX decimal digits keeps
 * its first 6 and last 4 digits, every other digit becomes '*'
 * ("4111111111111111" -> "411111******1111"). Anything else (shorter, longer,
 * or holding a non-digit) is masked in full: every character becomes '*', so
 * a log formatter never leaks a malformed PAN. The output always has pan_len
 * characters. Returns POS_OK, POS_ERR_INVAL (pan or out NULL) or
 * POS_ERR_NOSPACE (cap < pan_len + 1; out is then set to "" when cap > 0). */
int card_pan_mask(const char *pan, size_t pan_len, char *out, size_t cap);

/* true when pan is 2..64 decimal digits whose Luhn sum (ISO/IEC 7812-1
 * Annex B, check digit rightmost) is a multiple of 10. false for NULL, a
 * non-digit, len < 2 or len > 64. Lengths are not checked against a brand:
 * see card_pan_check. */
bool card_luhn_is_valid(const char *pan, size_t len);

/* Computes the Luhn check digit to append to partial (len 1..63 digits) and
 * stores it ('0'..'9') in *digit. Returns POS_OK, POS_ERR_DIGIT or
 * POS_ERR_LENGTH. */
int card_luhn_check_digit(const char *partial, size_t len, char *digit);

enum card_brand {
    CARD_BRAND_UNKNOWN,
    CARD_BRAND_VISA,
    CARD_BRAND_MASTERCARD,
    CARD_BRAND_UNIONPAY,
    CARD_BRAND_AMEX,
    CARD_BRAND_JCB,
    CARD_BRAND_DISCOVER,
    CARD_BRAND_DINERS,
    CARD_BRAND_MAESTRO
};

/* The brand whose IIN ranges (see the top of this file) hold pan's leading
 * digits; CARD_BRAND_UNKNOWN when none does or pan holds a non-digit. */
enum card_brand card_brand_of(const char *pan, size_t len);

/* A second network that accepts the card (CARD_BRAND_DISCOVER for
 * 622126-622925), else CARD_BRAND_UNKNOWN. */
enum card_brand card_brand_cobrand_of(const char *pan, size_t len);

/* "visa", "mastercard", "unionpay", "amex", "jcb", "discover", "diners",
 * "maestro" or "unknown". Never NULL. */
const char *card_brand_name(enum card_brand brand);

/* true when len is a PAN length the brand issues (see the top). */
bool card_brand_length_is_valid(enum card_brand brand, size_t len);

/* Full PAN check: digits only (POS_ERR_DIGIT), CARD_PAN_MIN..CARD_PAN_MAX
 * digits (POS_ERR_CARD_PAN), a length its brand issues (POS_ERR_CARD_PAN),
 * Luhn (POS_ERR_CARD_LUHN). *brand (may be NULL) gets the brand whenever the
 * digits and overall length are right. Returns POS_OK or the first failure. */
int card_pan_check(const char *pan, size_t len, enum card_brand *brand, struct pos_errdetail *d);

/* Parses an expiry date YYMM (exactly 4 digits, month 01..12) into
 * *year (2000 + YY) and *month. Returns POS_OK or POS_ERR_CARD_EXPIRY. */
int card_expiry_parse(const char *yymm, size_t len, unsigned *year, unsigned *month,
                      struct pos_errdetail *d);

/* true when a card expiring in (exp_year, exp_month) is expired in
 * (now_year, now_month): a card is valid through the last day of its expiry
 * month, so it is expired only in a later month. */
bool card_expiry_is_expired(unsigned exp_year, unsigned exp_month, unsigned now_year,
                            unsigned now_month);

/* Parses yymm and checks it against (now_year, now_month), e.g. (2025, 12).
 * Returns POS_OK, POS_ERR_CARD_EXPIRY (bad text or now_month not 1..12) or
 * POS_ERR_CARD_EXPIRED. */
int card_expiry_check(const char *yymm, size_t len, unsigned now_year, unsigned now_month,
                      struct pos_errdetail *d);

/* Service code digit 1: interchange and technology (ISO/IEC 7813). */
enum card_sc_interchange {
    CARD_SC_INTERCHANGE_INTERNATIONAL, /* 1, 2 */
    CARD_SC_INTERCHANGE_NATIONAL,      /* 5, 6: national except by agreement */
    CARD_SC_INTERCHANGE_PRIVATE,       /* 7: none except by bilateral agreement */
    CARD_SC_INTERCHANGE_TEST,          /* 9 */
    CARD_SC_INTERCHANGE_RESERVED       /* 0, 3, 4, 8 */
};

/* Service code digit 2: authorization processing. */
enum card_sc_authorization {
    CARD_SC_AUTH_NORMAL,               /* 0 */
    CARD_SC_AUTH_ONLINE,               /* 2: by issuer (online) */
    CARD_SC_AUTH_ONLINE_UNLESS_AGREED, /* 4: by issuer except by bilateral agreement */
    CARD_SC_AUTH_RESERVED              /* 1, 3, 5-9 */
};

/* Service code digit 3: allowed services. */
enum card_sc_services {
    CARD_SC_SERVICES_ALL,     /* 0, 1, 6: no restrictions */
    CARD_SC_SERVICES_GOODS,   /* 2, 5, 7: goods and services only (no cash) */
    CARD_SC_SERVICES_ATM,     /* 3: ATM only */
    CARD_SC_SERVICES_CASH,    /* 4: cash only */
    CARD_SC_SERVICES_RESERVED /* 8, 9 */
};

/* Service code digit 3: PIN requirement. */
enum card_sc_pin {
    CARD_SC_PIN_NONE,        /* 1, 2, 4: no PIN requirement */
    CARD_SC_PIN_REQUIRED,    /* 0, 3, 5 */
    CARD_SC_PIN_IF_FEASIBLE, /* 6, 7: prompt for PIN if the device can */
    CARD_SC_PIN_RESERVED     /* 8, 9 */
};

/* The meaning of a 3-digit service code. Plain data, fields public. */
struct card_service_code {
    char digits[4]; /* NUL-terminated */
    enum card_sc_interchange interchange;
    bool chip; /* digit 1 is 2 or 6: integrated circuit card, use the chip */
    enum card_sc_authorization authorization;
    enum card_sc_services services;
    enum card_sc_pin pin;
};

/* Decodes a service code (exactly 3 digits). Returns POS_OK, POS_ERR_LENGTH
 * or POS_ERR_DIGIT. Reserved digit values parse, as the *_RESERVED values. */
int card_service_code_parse(const char *s, size_t len, struct card_service_code *out,
                            struct pos_errdetail *d);

/* Names for JSON: "international", "national", "private", "test",
 * "reserved"; "normal", "online", "online_unless_agreed", "reserved";
 * "all", "goods_and_services", "atm", "cash", "reserved"; "none",
 * "required", "if_feasible", "reserved". */
const char *card_sc_interchange_name(enum card_sc_interchange v);
const char *card_sc_authorization_name(enum card_sc_authorization v);
const char *card_sc_services_name(enum card_sc_services v);
const char *card_sc_pin_name(enum card_sc_pin v);

/* Parsed track data: copies of each field (NUL-terminated), so it can be
 * wiped. Lives on the caller's stack; fields are private (card_track_get). */
struct card_track {
    char pan_[CARD_PAN_MAX + 1];
    char name_[CARD_NAME_MAX + 1];
    char expiry_[5];
    char service_code_[4];
    char discretionary_[CARD_TRACK1_MAX + 1];
    size_t pan_len_;
    size_t name_len_;
    size_t discretionary_len_;
    bool has_expiry_;
    bool has_service_code_;
    unsigned number_; /* 1 or 2; 0 when empty */
};

enum card_track_field {
    CARD_TRACK_PAN,
    CARD_TRACK_NAME, /* track 1 only */
    CARD_TRACK_EXPIRY,
    CARD_TRACK_SERVICE_CODE,
    CARD_TRACK_DISCRETIONARY
};

/* Zeroes *t (an empty track). */
void card_track_init(struct card_track *t);

/* Wipes every byte of *t (pos_wipe) and leaves it empty. */
void card_track_clear(struct card_track *t);

/* The field as a NUL-terminated string inside *t, its length in *len (may be
 * NULL); NULL when absent (no expiry or service code on the track, a name on
 * track 2, an empty track). The discretionary data is "" when empty. */
const char *card_track_get(const struct card_track *t, enum card_track_field f, size_t *len);

/* 1 or 2: which track *t was parsed from; 0 when empty. */
unsigned card_track_number(const struct card_track *t);

/* Parses track 2 (s, len characters): [';'] PAN ('=' | 'D') (YYMM | sep)
 * (SSS | sep) discretionary ['?'], with optionally one 'F' pad before the end;
 * data may end after any complete field. The PAN has CARD_PAN_MIN..
 * CARD_PAN_MAX digits; the expiry is 4 digits (its month is not checked
 * here: see card_expiry_parse); the discretionary data is digits. Returns
 * POS_OK, POS_ERR_CARD_TRACK (syntax, with the offset) or POS_ERR_CARD_PAN
 * (PAN length). On error *t is wiped. */
int card_track2_parse(const char *s, size_t len, struct card_track *t, struct pos_errdetail *d);

/* Parses track 1 format B: ['%'] 'B' PAN '^' name '^' (YYMM | '^')
 * (SSS | '^') discretionary ['?']. Name (CARD_NAME_MAX characters at most)
 * and discretionary data use the ISO/IEC 7813 character set 20..5F except
 * '^', '%', '?'. Same returns as card_track2_parse. */
int card_track1_parse(const char *s, size_t len, struct card_track *t, struct pos_errdetail *d);

/* Writes *t (parsed from track 2) with separator sep ('=' or 'D'), with
 * sentinels ';' and '?' when sentinels is set, into out (cap bytes,
 * NUL-terminated); absent fields become separators. *out_len (may be NULL)
 * gets the length. Returns POS_OK, POS_ERR_INVAL (not a track 2, bad sep) or
 * POS_ERR_NOSPACE (out wiped and set to ""). */
int card_track2_format(const struct card_track *t, char sep, bool sentinels, char *out, size_t cap,
                       size_t *out_len);

/* Writes *t (parsed from track 1) as track 1 format B, with '%' and '?' when
 * sentinels is set. Returns POS_OK, POS_ERR_INVAL (not a track 1) or
 * POS_ERR_NOSPACE (out wiped and set to ""). */
int card_track1_format(const struct card_track *t, bool sentinels, char *out, size_t cap,
                       size_t *out_len);

#endif
