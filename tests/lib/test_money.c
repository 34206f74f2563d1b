/* Tests for src/lib/money.c and src/lib/currency_table.c. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "money.h"

static const struct currency *cur(const char *alpha)
{
    const struct currency *c = money_currency_by_alpha(alpha, strlen(alpha));
    assert_non_null(c);
    return c;
}

static void test_table_consistent(void **state)
{
    size_t i, j, n = money_currency_count();
    const struct currency *c, *p = NULL;
    char lower[4];

    (void)state;
    /* ISO 4217 list one published 2026-01-01: 178 distinct codes */
    assert_int_equal(n, 178);
    assert_null(money_currency_at(n));
    for (i = 0; i < n; i++) {
        c = money_currency_at(i);
        assert_non_null(c);
        assert_int_equal(strlen(c->alpha), 3);
        for (j = 0; j < 3; j++)
            assert_true(c->alpha[j] >= 'A' && c->alpha[j] <= 'Z');
        assert_true(c->numeric >= 1 && c->numeric <= 999);
        assert_true(c->exponent <= MONEY_EXPONENT_MAX || c->exponent == MONEY_EXPONENT_NA);
        assert_non_null(c->name);
        assert_true(strlen(c->name) > 0);
        if (p != NULL)
            assert_true(strcmp(p->alpha, c->alpha) < 0); /* sorted, no duplicate alpha */
        p = c;
        /* alpha <-> numeric lookups agree for every code */
        assert_ptr_equal(money_currency_by_alpha(c->alpha, 3), c);
        assert_ptr_equal(money_currency_by_numeric(c->numeric), c);
        for (j = 0; j < 3; j++)
            lower[j] = (char)(c->alpha[j] - 'A' + 'a');
        lower[3] = '\0';
        assert_ptr_equal(money_currency_by_alpha(lower, 3), c);
        for (j = 0; j < i; j++)
            assert_int_not_equal(money_currency_at(j)->numeric, c->numeric);
    }
}

static void test_table_entries(void **state)
{
    /* ISO 4217 list one (SIX, published 2026-01-01): code, number, minor unit */
    static const struct {
        const char *alpha;
        unsigned numeric;
        unsigned exponent;
    } known[] = {
        {"CNY", 156, 2},
        {"JPY", 392, 0},
        {"KWD", 414, 3},
        {"BHD", 48, 3},
        {"JOD", 400, 3},
        {"OMR", 512, 3},
        {"TND", 788, 3},
        {"LYD", 434, 3},
        {"IQD", 368, 3},
        {"CLF", 990, 4},
        {"UYW", 927, 4},
        {"ISK", 352, 0},
        {"KRW", 410, 0},
        {"VND", 704, 0},
        {"XAF", 950, 0},
        {"XOF", 952, 0},
        {"XPF", 953, 0},
        {"UGX", 800, 0},
        {"USD", 840, 2},
        {"EUR", 978, 2},
        {"GBP", 826, 2},
        {"HKD", 344, 2},
        {"XCG", 532, 2},
        {"ZWG", 924, 2},
        {"SLE", 925, 2},
        {"XAD", 396, 2},
        {"VED", 926, 2},
        {"UYI", 940, 0},
        {"CLP", 152, 0},
        {"PYG", 600, 0},
        {"XAU", 959, MONEY_EXPONENT_NA},
        {"XDR", 960, MONEY_EXPONENT_NA},
        {"XAG", 961, MONEY_EXPONENT_NA},
        {"XPT", 962, MONEY_EXPONENT_NA},
        {"XPD", 964, MONEY_EXPONENT_NA},
        {"XTS", 963, MONEY_EXPONENT_NA},
        {"XXX", 999, MONEY_EXPONENT_NA},
        {"XBA", 955, MONEY_EXPONENT_NA},
        {"XSU", 994, MONEY_EXPONENT_NA},
        {"XUA", 965, MONEY_EXPONENT_NA},
    };
    /* moved to the historic list (A.3) by the amendments before 2026-01-01 */
    static const char *const historic[] = {"BGN", "ANG", "HRK", "CUC", "SLL", "ZWL", "VEF", "MRO"};
    const struct currency *c;
    char num[4];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        c = cur(known[i].alpha);
        assert_int_equal(c->numeric, known[i].numeric);
        assert_int_equal(c->exponent, known[i].exponent);
        assert_ptr_equal(money_currency_by_numeric(known[i].numeric), c);
    }
    for (i = 0; i < sizeof(historic) / sizeof(historic[0]); i++)
        assert_null(money_currency_by_alpha(historic[i], 3));
    c = cur("BHD");
    money_currency_numeric_format(c, num);
    assert_string_equal(num, "048");
    assert_int_equal(money_currency_digits(c), 3);
    assert_true(money_currency_has_minor_unit(c));
    c = cur("XAU");
    assert_int_equal(money_currency_digits(c), 0);
    assert_false(money_currency_has_minor_unit(c));
    assert_false(money_currency_has_minor_unit(NULL));
    assert_int_equal(money_currency_digits(NULL), 0);
    assert_string_equal(cur("CNY")->name, "Yuan Renminbi");
}

static void test_currency_parse(void **state)
{
    const struct currency *c = NULL;
    struct pos_errdetail d;

    (void)state;
    assert_int_equal(money_currency_parse("156", 3, &c, NULL), POS_OK);
    assert_string_equal(c->alpha, "CNY");
    assert_int_equal(money_currency_parse("048", 3, &c, NULL), POS_OK);
    assert_string_equal(c->alpha, "BHD");
    assert_int_equal(money_currency_parse("jpy", 3, &c, NULL), POS_OK);
    assert_string_equal(c->alpha, "JPY");
    assert_int_equal(money_currency_parse("kWd", 3, &c, NULL), POS_OK);
    assert_int_equal(c->numeric, 414);
    pos_errdetail_init(&d);
    assert_int_equal(money_currency_parse("ZZZ", 3, &c, &d), POS_ERR_CURRENCY);
    assert_string_equal(d.what, "'ZZZ' is not an ISO 4217 code");
    assert_int_equal(money_currency_parse("000", 3, &c, NULL), POS_ERR_CURRENCY);
    assert_int_equal(money_currency_parse("975", 3, &c, NULL), POS_ERR_CURRENCY); /* BGN */
    assert_int_equal(money_currency_parse("15a", 3, &c, NULL), POS_ERR_CURRENCY);
    assert_int_equal(money_currency_parse("1560", 4, &c, NULL), POS_ERR_CURRENCY);
    assert_int_equal(money_currency_parse("CN", 2, &c, NULL), POS_ERR_CURRENCY);
    assert_int_equal(money_currency_parse("", 0, &c, NULL), POS_ERR_CURRENCY);
    assert_int_equal(money_currency_parse(NULL, 3, &c, NULL), POS_ERR_INVAL);
    assert_null(money_currency_by_alpha(NULL, 3));
    assert_null(money_currency_by_alpha("CNYX", 4));
    assert_null(money_currency_by_numeric(0));
    assert_null(money_currency_by_numeric(1000));
}

struct parse_case {
    const char *text;
    const char *alpha;
    int rc;
    int64_t minor;
    size_t offset; /* error offset */
};

static void test_parse(void **state)
{
    static const struct parse_case cases[] = {
        {"12.34", "CNY", POS_OK, 1234, 0},
        {"12.3", "CNY", POS_OK, 1230, 0},
        {"12", "CNY", POS_OK, 1200, 0},
        {"0.01", "CNY", POS_OK, 1, 0},
        {"-0.5", "CNY", POS_OK, -50, 0},
        {"-0", "CNY", POS_OK, 0, 0},
        {"007.10", "USD", POS_OK, 710, 0},
        {"1234", "JPY", POS_OK, 1234, 0},
        {"-1234", "JPY", POS_OK, -1234, 0},
        {"1.234", "KWD", POS_OK, 1234, 0},
        {"1.2", "KWD", POS_OK, 1200, 0},
        {"0.0001", "CLF", POS_OK, 1, 0},
        {"12.3456", "UYW", POS_OK, 123456, 0},
        {"5", "XAU", POS_OK, 5, 0},
        {"92233720368547758.07", "CNY", POS_OK, INT64_MAX, 0},
        {"-92233720368547758.07", "CNY", POS_OK, -INT64_MAX, 0},
        {"9223372036854775807", "JPY", POS_OK, INT64_MAX, 0},
        {"922337203685477.5807", "CLF", POS_OK, INT64_MAX, 0},
        /* errors */
        {"", "CNY", POS_ERR_SYNTAX, 0, 0},
        {"-", "CNY", POS_ERR_SYNTAX, 0, 1},
        {".5", "CNY", POS_ERR_SYNTAX, 0, 0},
        {"5.", "CNY", POS_ERR_SYNTAX, 0, 2},
        {"1.2.3", "CNY", POS_ERR_SYNTAX, 0, 3},
        {"+1", "CNY", POS_ERR_SYNTAX, 0, 0},
        {"1,000.00", "USD", POS_ERR_SYNTAX, 0, 1},
        {" 1", "CNY", POS_ERR_SYNTAX, 0, 0},
        {"1 ", "CNY", POS_ERR_SYNTAX, 0, 1},
        {"1e3", "CNY", POS_ERR_SYNTAX, 0, 1},
        {"--1", "CNY", POS_ERR_SYNTAX, 0, 1},
        {"12.345", "CNY", POS_ERR_RANGE, 0, 5},
        {"1.5", "JPY", POS_ERR_RANGE, 0, 2},
        {"1.2345", "KWD", POS_ERR_RANGE, 0, 5},
        {"1.0", "XAU", POS_ERR_RANGE, 0, 2},
        {"92233720368547758.08", "CNY", POS_ERR_OVERFLOW, 0, 19},
        {"-92233720368547758.08", "CNY", POS_ERR_OVERFLOW, 0, 20},
        {"9223372036854775808", "JPY", POS_ERR_OVERFLOW, 0, 18},
        {"92233720368547759", "USD", POS_ERR_OVERFLOW, 0, 17}, /* x100 overflows */
        {"99999999999999999999999", "JPY", POS_ERR_OVERFLOW, 0, 18},
    };
    struct pos_errdetail d;
    struct money m;
    size_t i;
    int rc;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct parse_case *t = &cases[i];
        m.minor = 777;
        m.cur = NULL;
        pos_errdetail_init(&d);
        rc = money_parse(t->text, strlen(t->text), cur(t->alpha), &m, &d);
        if (rc != t->rc)
            fail_msg("case %zu \"%s\" %s: rc %s, want %s", i, t->text, t->alpha, pos_errname(rc),
                     pos_errname(t->rc));
        if (rc == POS_OK) {
            assert_true(m.minor == t->minor);
            assert_ptr_equal(m.cur, cur(t->alpha));
        } else {
            assert_true(m.minor == 777); /* untouched */
            if (d.offset != t->offset)
                fail_msg("case %zu \"%s\": offset %zu, want %zu", i, t->text, d.offset, t->offset);
        }
    }
    assert_int_equal(money_parse("1", 1, NULL, &m, NULL), POS_ERR_INVAL);
    assert_int_equal(money_parse("1", 1, cur("CNY"), NULL, NULL), POS_ERR_INVAL);
    assert_int_equal(money_parse(NULL, 1, cur("CNY"), &m, NULL), POS_ERR_INVAL);
    /* a length shorter than the string: only len characters count */
    assert_int_equal(money_parse("12.345", 5, cur("CNY"), &m, NULL), POS_OK);
    assert_true(m.minor == 1234);
}

static void test_format(void **state)
{
    static const struct {
        int64_t minor;
        const char *alpha;
        const char *text;
    } cases[] = {
        {123450, "CNY", "1234.50"},
        {5, "CNY", "0.05"},
        {-5, "CNY", "-0.05"},
        {0, "CNY", "0.00"},
        {-50, "CNY", "-0.50"},
        {100, "CNY", "1.00"},
        {1234, "JPY", "1234"},
        {0, "JPY", "0"},
        {-7, "JPY", "-7"},
        {1234, "KWD", "1.234"},
        {1, "KWD", "0.001"},
        {1, "CLF", "0.0001"},
        {-123456, "UYW", "-12.3456"},
        {42, "XAU", "42"},
        {INT64_MAX, "CNY", "92233720368547758.07"},
        {-INT64_MAX, "CNY", "-92233720368547758.07"},
        {INT64_MAX, "JPY", "9223372036854775807"},
        {-INT64_MAX, "CLF", "-922337203685477.5807"},
    };
    char buf[MONEY_FORMAT_MAX];
    struct money m, back;
    size_t i, n = 0;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        m.minor = cases[i].minor;
        m.cur = cur(cases[i].alpha);
        assert_int_equal(money_format(&m, buf, sizeof(buf), &n), POS_OK);
        assert_string_equal(buf, cases[i].text);
        assert_int_equal(n, strlen(cases[i].text));
        /* and back: parse(format(m)) = m */
        assert_int_equal(money_parse(buf, n, m.cur, &back, NULL), POS_OK);
        assert_true(back.minor == m.minor);
    }
    m.minor = 123450;
    m.cur = cur("CNY");
    assert_int_equal(money_format(&m, buf, 8, NULL), POS_OK); /* "1234.50" + NUL */
    assert_int_equal(money_format(&m, buf, 7, NULL), POS_ERR_NOSPACE);
    assert_int_equal(money_format(&m, NULL, 8, NULL), POS_ERR_INVAL);
    m.minor = INT64_MIN;
    assert_int_equal(money_format(&m, buf, sizeof(buf), NULL), POS_ERR_INVAL);
    m.minor = 1;
    m.cur = NULL;
    assert_int_equal(money_format(&m, buf, sizeof(buf), NULL), POS_ERR_INVAL);
    assert_int_equal(money_format(NULL, buf, sizeof(buf), NULL), POS_ERR_INVAL);
}

static void test_arithmetic(void **state)
{
    struct money a = {150, NULL}, b = {-25, NULL}, r, big, other;

    (void)state;
    a.cur = b.cur = cur("CNY");
    assert_int_equal(money_add(&a, &b, &r), POS_OK);
    assert_true(r.minor == 125 && r.cur == a.cur);
    assert_int_equal(money_sub(&a, &b, &r), POS_OK);
    assert_true(r.minor == 175);
    assert_int_equal(money_mul(&a, 3, &r), POS_OK);
    assert_true(r.minor == 450);
    assert_int_equal(money_mul(&a, -2, &r), POS_OK);
    assert_true(r.minor == -300);
    assert_int_equal(money_neg(&b, &r), POS_OK);
    assert_true(r.minor == 25);
    /* out may alias an input */
    r = a;
    assert_int_equal(money_add(&r, &r, &r), POS_OK);
    assert_true(r.minor == 300);

    /* overflow at the bounds is an error, never a wrap */
    big.cur = a.cur;
    big.minor = INT64_MAX;
    other.cur = a.cur;
    other.minor = 1;
    assert_int_equal(money_add(&big, &other, &r), POS_ERR_OVERFLOW);
    assert_int_equal(money_sub(&other, &big, &r), POS_OK);
    assert_true(r.minor == 1 - INT64_MAX);
    big.minor = -INT64_MAX;
    assert_int_equal(money_sub(&big, &other, &r), POS_ERR_OVERFLOW); /* would be INT64_MIN */
    other.minor = -1;
    assert_int_equal(money_add(&big, &other, &r), POS_ERR_OVERFLOW);
    big.minor = INT64_MAX / 2 + 1;
    assert_int_equal(money_mul(&big, 2, &r), POS_ERR_OVERFLOW);
    big.minor = INT64_MAX;
    assert_int_equal(money_mul(&big, -1, &r), POS_OK);
    assert_true(r.minor == -INT64_MAX);
    assert_int_equal(money_mul(&r, -1, &r), POS_OK);
    assert_true(r.minor == INT64_MAX);
    big.minor = 3037000500LL; /* 3037000500^2 > INT64_MAX */
    assert_int_equal(money_mul(&big, 3037000500LL, &r), POS_ERR_OVERFLOW);
    assert_int_equal(money_neg(&big, &r), POS_OK);
    big.minor = -INT64_MAX;
    assert_int_equal(money_neg(&big, &r), POS_OK);
    assert_true(r.minor == INT64_MAX);

    /* mixing currencies */
    other.cur = cur("USD");
    assert_int_equal(money_add(&a, &other, &r), POS_ERR_CURRENCY_MISMATCH);
    assert_int_equal(money_sub(&a, &other, &r), POS_ERR_CURRENCY_MISMATCH);

    /* INT64_MIN and missing currencies are refused */
    big.minor = INT64_MIN;
    assert_int_equal(money_neg(&big, &r), POS_ERR_INVAL);
    assert_int_equal(money_add(&big, &a, &r), POS_ERR_INVAL);
    assert_int_equal(money_mul(&big, 1, &r), POS_ERR_INVAL);
    other.cur = NULL;
    assert_int_equal(money_add(&a, &other, &r), POS_ERR_INVAL);
    assert_int_equal(money_add(&a, &b, NULL), POS_ERR_INVAL);
    assert_int_equal(money_sub(NULL, &b, &r), POS_ERR_INVAL);
    assert_int_equal(money_mul(&a, 2, NULL), POS_ERR_INVAL);
    assert_int_equal(money_neg(NULL, &r), POS_ERR_INVAL);
}

/* Reference fee with 128-bit arithmetic: the same rules, written the
 * obvious way. */
static int64_t ref_fee(int64_t amount, uint32_t bps, enum money_round rule)
{
    __int128 mag = amount < 0 ? -(__int128)amount : amount;
    __int128 prod = mag * bps, q = prod / 10000, rem = prod % 10000;

    if ((rule == MONEY_ROUND_HALF_UP && rem >= 5000) ||
        (rule == MONEY_ROUND_HALF_EVEN && (rem > 5000 || (rem == 5000 && (q & 1)))) ||
        (rule == MONEY_ROUND_UP && rem != 0))
        q++;
    return amount < 0 ? -(int64_t)q : (int64_t)q;
}

static void test_fee_bps(void **state)
{
    static const struct {
        int64_t amount;
        uint32_t bps;
        enum money_round rule;
        int64_t fee;
    } cases[] = {
        /* exact halves: 0.5, 1.5, 2.5 minor units */
        {50, 100, MONEY_ROUND_HALF_UP, 1},
        {-50, 100, MONEY_ROUND_HALF_UP, -1},
        {150, 100, MONEY_ROUND_HALF_UP, 2},
        {250, 100, MONEY_ROUND_HALF_UP, 3},
        {-250, 100, MONEY_ROUND_HALF_UP, -3},
        {50, 100, MONEY_ROUND_HALF_EVEN, 0},
        {150, 100, MONEY_ROUND_HALF_EVEN, 2},
        {250, 100, MONEY_ROUND_HALF_EVEN, 2},
        {-250, 100, MONEY_ROUND_HALF_EVEN, -2},
        {350, 100, MONEY_ROUND_HALF_EVEN, 4},
        /* just below and above a half */
        {49, 100, MONEY_ROUND_HALF_UP, 0},
        {51, 100, MONEY_ROUND_HALF_UP, 1},
        {249, 100, MONEY_ROUND_HALF_EVEN, 2},
        {251, 100, MONEY_ROUND_HALF_EVEN, 3},
        {199, 100, MONEY_ROUND_DOWN, 1},
        {-199, 100, MONEY_ROUND_DOWN, -1},
        {101, 100, MONEY_ROUND_UP, 2},
        {-101, 100, MONEY_ROUND_UP, -2},
        {100, 100, MONEY_ROUND_UP, 1},
        /* a 0.6 % MDR on CNY 12.34 is 0.07404 -> 0.07 */
        {1234, 60, MONEY_ROUND_HALF_UP, 7},
        /* a 0.38 % fee on 1000.00 = 3.80 */
        {100000, 38, MONEY_ROUND_HALF_UP, 380},
        {12345, 0, MONEY_ROUND_HALF_UP, 0},
        {12345, 10000, MONEY_ROUND_HALF_UP, 12345},
        {0, 9999, MONEY_ROUND_UP, 0},
        /* the bounds: no intermediate overflow */
        {INT64_MAX, 10000, MONEY_ROUND_HALF_UP, INT64_MAX},
        {-INT64_MAX, 10000, MONEY_ROUND_HALF_UP, -INT64_MAX},
        {INT64_MAX, 9999, MONEY_ROUND_HALF_UP, 9222449699651090329LL},
        {INT64_MAX, 1, MONEY_ROUND_UP, 922337203685478LL},
    };
    struct money a, fee;
    size_t i;
    uint32_t bps;
    int64_t x;
    int r;

    (void)state;
    a.cur = cur("CNY");
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        a.minor = cases[i].amount;
        assert_int_equal(money_fee_bps(&a, cases[i].bps, cases[i].rule, &fee), POS_OK);
        if (fee.minor != cases[i].fee)
            fail_msg("case %zu: fee %lld, want %lld", i, (long long)fee.minor,
                     (long long)cases[i].fee);
        assert_ptr_equal(fee.cur, a.cur);
        assert_true(fee.minor == ref_fee(cases[i].amount, cases[i].bps, cases[i].rule));
    }
    /* many amounts against the 128-bit reference; symmetric around zero */
    for (x = 1, i = 0; i < 2000; i++, x = x * 7 + 12345 + (int64_t)i) {
        if (x < 0 || x > INT64_MAX / 8)
            x = (int64_t)i * 977 + 3;
        for (bps = 0; bps <= 10000; bps += 1249) {
            for (r = MONEY_ROUND_HALF_UP; r <= MONEY_ROUND_UP; r++) {
                a.minor = x;
                assert_int_equal(money_fee_bps(&a, bps, (enum money_round)r, &fee), POS_OK);
                assert_true(fee.minor == ref_fee(x, bps, (enum money_round)r));
                a.minor = -x;
                assert_int_equal(money_fee_bps(&a, bps, (enum money_round)r, &fee), POS_OK);
                assert_true(fee.minor == -ref_fee(x, bps, (enum money_round)r));
            }
        }
    }
    a.minor = 100;
    assert_int_equal(money_fee_bps(&a, 10001, MONEY_ROUND_HALF_UP, &fee), POS_ERR_RANGE);
    assert_int_equal(money_fee_bps(&a, 100, (enum money_round)99, &fee), POS_ERR_INVAL);
    assert_int_equal(money_fee_bps(&a, 100, MONEY_ROUND_HALF_UP, NULL), POS_ERR_INVAL);
    assert_int_equal(money_fee_bps(NULL, 100, MONEY_ROUND_HALF_UP, &fee), POS_ERR_INVAL);
    a.minor = INT64_MIN;
    assert_int_equal(money_fee_bps(&a, 100, MONEY_ROUND_HALF_UP, &fee), POS_ERR_INVAL);
}

static void test_iso8583_amount(void **state)
{
    char out[13];
    int64_t v = -1;

    (void)state;
    assert_int_equal(money_iso8583_amount_parse("000000012345", 12, &v), POS_OK);
    assert_true(v == 12345);
    assert_int_equal(money_iso8583_amount_parse("999999999999", 12, &v), POS_OK);
    assert_true(v == 999999999999LL);
    assert_int_equal(money_iso8583_amount_parse("000000000000", 12, &v), POS_OK);
    assert_true(v == 0);
    assert_int_equal(money_iso8583_amount_parse("12345", 5, &v), POS_ERR_LENGTH);
    assert_int_equal(money_iso8583_amount_parse("0000000123456", 13, &v), POS_ERR_LENGTH);
    assert_int_equal(money_iso8583_amount_parse("00000001234a", 12, &v), POS_ERR_DIGIT);
    assert_int_equal(money_iso8583_amount_parse("-00000001234", 12, &v), POS_ERR_DIGIT);
    assert_int_equal(money_iso8583_amount_parse("+00000001234", 12, &v), POS_ERR_DIGIT);
    assert_int_equal(money_iso8583_amount_parse(NULL, 12, &v), POS_ERR_INVAL);
    assert_int_equal(money_iso8583_amount_format(12345, out), POS_OK);
    assert_string_equal(out, "000000012345");
    assert_int_equal(money_iso8583_amount_format(0, out), POS_OK);
    assert_string_equal(out, "000000000000");
    assert_int_equal(money_iso8583_amount_format(999999999999LL, out), POS_OK);
    assert_string_equal(out, "999999999999");
    assert_int_equal(money_iso8583_amount_format(1000000000000LL, out), POS_ERR_RANGE);
    assert_int_equal(money_iso8583_amount_format(-1, out), POS_ERR_RANGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_consistent), cmocka_unit_test(test_table_entries),
        cmocka_unit_test(test_currency_parse),   cmocka_unit_test(test_parse),
        cmocka_unit_test(test_format),           cmocka_unit_test(test_arithmetic),
        cmocka_unit_test(test_fee_bps),          cmocka_unit_test(test_iso8583_amount),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
