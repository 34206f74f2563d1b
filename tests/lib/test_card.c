/* Tests for src/lib/card.c: Luhn, brands, masking, expiry, service codes,
 * track 1 and track 2. */
#include "testutil.h"

#include <string.h>

#include "card.h"
#include "error.h"

#define S(str) (str), strlen(str)

struct pan_case {
    const char *pan;
    enum card_brand brand;
};

/* Published test card numbers, all Luhn-valid:
 * [stripe] docs.stripe.com/testing ("Cards by brand");
 * [braintree] developer.paypal.com/braintree/docs/reference/general/testing
 *             ("Credit card numbers");
 * [authnet] developer.authorize.net/hello_world/testing_guide (13-digit Visa). */
static const struct pan_case published[] = {
    {"4242424242424242", CARD_BRAND_VISA},        /* stripe */
    {"4000056655665556", CARD_BRAND_VISA},        /* stripe, debit */
    {"4111111111111111", CARD_BRAND_VISA},        /* braintree */
    {"4012888888881881", CARD_BRAND_VISA},        /* braintree */
    {"4222222222222", CARD_BRAND_VISA},           /* authnet, 13 digits */
    {"5555555555554444", CARD_BRAND_MASTERCARD},  /* stripe */
    {"2223003122003222", CARD_BRAND_MASTERCARD},  /* stripe, 2-series */
    {"5200828282828210", CARD_BRAND_MASTERCARD},  /* stripe, debit */
    {"5105105105105100", CARD_BRAND_MASTERCARD},  /* stripe, prepaid */
    {"378282246310005", CARD_BRAND_AMEX},         /* stripe */
    {"371449635398431", CARD_BRAND_AMEX},         /* stripe */
    {"378734493671000", CARD_BRAND_AMEX},         /* braintree */
    {"6011111111111117", CARD_BRAND_DISCOVER},    /* stripe */
    {"6011000990139424", CARD_BRAND_DISCOVER},    /* stripe */
    {"3056930009020004", CARD_BRAND_DINERS},      /* stripe */
    {"36227206271667", CARD_BRAND_DINERS},        /* stripe, 14 digits */
    {"30569309025904", CARD_BRAND_DINERS},        /* braintree */
    {"38520000023237", CARD_BRAND_DINERS},        /* braintree */
    {"3566002020360505", CARD_BRAND_JCB},         /* stripe */
    {"3530111333300000", CARD_BRAND_JCB},         /* braintree */
    {"6200000000000005", CARD_BRAND_UNIONPAY},    /* stripe */
    {"6205500000000000004", CARD_BRAND_UNIONPAY}, /* stripe, 19 digits */
    {"6304000000000000", CARD_BRAND_MAESTRO},     /* braintree */
};

static void test_luhn_published(void **state)
{
    size_t i;
    enum card_brand b;

    (void)state;
    for (i = 0; i < sizeof(published) / sizeof(published[0]); i++) {
        const char *p = published[i].pan;
        print_message("PAN %zu\n", i);
        assert_true(card_luhn_is_valid(S(p)));
        assert_int_equal(card_brand_of(S(p)), published[i].brand);
        b = CARD_BRAND_UNKNOWN;
        assert_int_equal(card_pan_check(S(p), &b, NULL), POS_OK);
        assert_int_equal(b, published[i].brand);
    }
}

static void test_luhn(void **state)
{
    char digit = 0;
    char pan[70];

    (void)state;
    /* the worked example of the Luhn algorithm: 7992739871 + check digit 3 */
    assert_true(card_luhn_is_valid(S("79927398713")));
    assert_false(card_luhn_is_valid(S("79927398710")));
    assert_false(card_luhn_is_valid(S("4111111111111112")));
    assert_true(card_luhn_is_valid(S("00")));
    assert_false(card_luhn_is_valid(S("0")));
    assert_false(card_luhn_is_valid(S("")));
    assert_false(card_luhn_is_valid(NULL, 16));
    assert_false(card_luhn_is_valid(S("41111111111111a1")));
    memset(pan, '0', 64);
    assert_true(card_luhn_is_valid(pan, 64));
    memset(pan, '0', 65);
    assert_false(card_luhn_is_valid(pan, 65));

    assert_int_equal(card_luhn_check_digit(S("7992739871"), &digit), POS_OK);
    assert_int_equal(digit, '3');
    assert_int_equal(card_luhn_check_digit(S("411111111111111"), &digit), POS_OK);
    assert_int_equal(digit, '1');
    assert_int_equal(card_luhn_check_digit(S("620000000000000"), &digit), POS_OK);
    assert_int_equal(digit, '5');
    assert_int_equal(card_luhn_check_digit(S("0"), &digit), POS_OK);
    assert_int_equal(digit, '0');
    assert_int_equal(card_luhn_check_digit(S("41x1"), &digit), POS_ERR_DIGIT);
    assert_int_equal(card_luhn_check_digit(S(""), &digit), POS_ERR_LENGTH);
    assert_int_equal(card_luhn_check_digit(pan, 64, &digit), POS_ERR_LENGTH);
    assert_int_equal(card_luhn_check_digit(pan, 63, &digit), POS_OK);
}

static void test_brand_edges(void **state)
{
    static const struct pan_case cases[] = {
        {"2220990000000000", CARD_BRAND_UNKNOWN},
        {"2221000000000000", CARD_BRAND_MASTERCARD},
        {"2720990000000000", CARD_BRAND_MASTERCARD},
        {"2721000000000000", CARD_BRAND_UNKNOWN},
        {"5000000000000000", CARD_BRAND_MAESTRO},
        {"5100000000000000", CARD_BRAND_MASTERCARD},
        {"5599999999999999", CARD_BRAND_MASTERCARD},
        {"5600000000000000", CARD_BRAND_MAESTRO},
        {"5899999999999999", CARD_BRAND_MAESTRO},
        {"5900000000000000", CARD_BRAND_UNKNOWN},
        {"3400000000000000", CARD_BRAND_AMEX},
        {"3500000000000000", CARD_BRAND_UNKNOWN},
        {"3527990000000000", CARD_BRAND_UNKNOWN},
        {"3528000000000000", CARD_BRAND_JCB},
        {"3589990000000000", CARD_BRAND_JCB},
        {"3590000000000000", CARD_BRAND_UNKNOWN},
        {"3000000000000000", CARD_BRAND_DINERS},
        {"3059990000000000", CARD_BRAND_DINERS},
        {"3060000000000000", CARD_BRAND_UNKNOWN},
        {"3095000000000000", CARD_BRAND_DINERS},
        {"3600000000000000", CARD_BRAND_DINERS},
        {"3800000000000000", CARD_BRAND_DINERS},
        {"3999999999999999", CARD_BRAND_DINERS},
        {"6010990000000000", CARD_BRAND_UNKNOWN},
        {"6011000000000000", CARD_BRAND_DISCOVER},
        {"6430000000000000", CARD_BRAND_UNKNOWN},
        {"6440000000000000", CARD_BRAND_DISCOVER},
        {"6499999999999999", CARD_BRAND_DISCOVER},
        {"6500000000000000", CARD_BRAND_DISCOVER},
        {"6200000000000000", CARD_BRAND_UNIONPAY},
        {"6221250000000000", CARD_BRAND_UNIONPAY},
        {"6221260000000000", CARD_BRAND_UNIONPAY},
        {"6229250000000000", CARD_BRAND_UNIONPAY},
        {"6229260000000000", CARD_BRAND_UNIONPAY},
        {"6303990000000000", CARD_BRAND_UNKNOWN},
        {"6304000000000000", CARD_BRAND_MAESTRO},
        {"6759000000000000", CARD_BRAND_MAESTRO},
        {"6763000000000000", CARD_BRAND_MAESTRO},
        {"8100000000000000", CARD_BRAND_UNIONPAY},
        {"8171990000000000", CARD_BRAND_UNIONPAY},
        {"8172000000000000", CARD_BRAND_UNKNOWN},
        {"4000000000000", CARD_BRAND_VISA},
        {"1000000000000000", CARD_BRAND_UNKNOWN},
        {"9000000000000000", CARD_BRAND_UNKNOWN},
        {"4", CARD_BRAND_VISA},
        {"62", CARD_BRAND_UNIONPAY},
        {"6", CARD_BRAND_UNKNOWN},
        {"", CARD_BRAND_UNKNOWN},
        {"4a00000000000000", CARD_BRAND_UNKNOWN},
        {"x111111111111111", CARD_BRAND_UNKNOWN},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("case %zu: %s\n", i, cases[i].pan);
        assert_int_equal(card_brand_of(S(cases[i].pan)), cases[i].brand);
    }
    assert_int_equal(card_brand_of(NULL, 16), CARD_BRAND_UNKNOWN);
    /* 622126-622925: UnionPay cards that Discover accepts */
    assert_int_equal(card_brand_cobrand_of(S("6221250000000000")), CARD_BRAND_UNKNOWN);
    assert_int_equal(card_brand_cobrand_of(S("6221260000000000")), CARD_BRAND_DISCOVER);
    assert_int_equal(card_brand_cobrand_of(S("6229250000000000")), CARD_BRAND_DISCOVER);
    assert_int_equal(card_brand_cobrand_of(S("6229260000000000")), CARD_BRAND_UNKNOWN);
    assert_int_equal(card_brand_cobrand_of(S("62212")), CARD_BRAND_UNKNOWN);
    assert_int_equal(card_brand_cobrand_of(S("62212x0000000000")), CARD_BRAND_UNKNOWN);
    assert_int_equal(card_brand_cobrand_of(NULL, 0), CARD_BRAND_UNKNOWN);
}

static void test_brand_names_and_lengths(void **state)
{
    (void)state;
    assert_string_equal(card_brand_name(CARD_BRAND_VISA), "visa");
    assert_string_equal(card_brand_name(CARD_BRAND_MASTERCARD), "mastercard");
    assert_string_equal(card_brand_name(CARD_BRAND_UNIONPAY), "unionpay");
    assert_string_equal(card_brand_name(CARD_BRAND_AMEX), "amex");
    assert_string_equal(card_brand_name(CARD_BRAND_JCB), "jcb");
    assert_string_equal(card_brand_name(CARD_BRAND_DISCOVER), "discover");
    assert_string_equal(card_brand_name(CARD_BRAND_DINERS), "diners");
    assert_string_equal(card_brand_name(CARD_BRAND_MAESTRO), "maestro");
    assert_string_equal(card_brand_name(CARD_BRAND_UNKNOWN), "unknown");
    assert_string_equal(card_brand_name((enum card_brand)42), "unknown");

    assert_true(card_brand_length_is_valid(CARD_BRAND_VISA, 13));
    assert_false(card_brand_length_is_valid(CARD_BRAND_VISA, 14));
    assert_true(card_brand_length_is_valid(CARD_BRAND_VISA, 16));
    assert_true(card_brand_length_is_valid(CARD_BRAND_VISA, 19));
    assert_false(card_brand_length_is_valid(CARD_BRAND_MASTERCARD, 15));
    assert_true(card_brand_length_is_valid(CARD_BRAND_MASTERCARD, 16));
    assert_false(card_brand_length_is_valid(CARD_BRAND_MASTERCARD, 17));
    assert_true(card_brand_length_is_valid(CARD_BRAND_AMEX, 15));
    assert_false(card_brand_length_is_valid(CARD_BRAND_AMEX, 16));
    assert_false(card_brand_length_is_valid(CARD_BRAND_UNIONPAY, 15));
    assert_true(card_brand_length_is_valid(CARD_BRAND_UNIONPAY, 19));
    assert_true(card_brand_length_is_valid(CARD_BRAND_JCB, 16));
    assert_true(card_brand_length_is_valid(CARD_BRAND_DISCOVER, 19));
    assert_false(card_brand_length_is_valid(CARD_BRAND_DINERS, 13));
    assert_true(card_brand_length_is_valid(CARD_BRAND_DINERS, 14));
    assert_true(card_brand_length_is_valid(CARD_BRAND_MAESTRO, 12));
    assert_false(card_brand_length_is_valid(CARD_BRAND_MAESTRO, 11));
    assert_true(card_brand_length_is_valid(CARD_BRAND_UNKNOWN, 12));
    assert_false(card_brand_length_is_valid(CARD_BRAND_UNKNOWN, 20));
    assert_false(card_brand_length_is_valid(CARD_BRAND_UNKNOWN, 200));
}

static void test_pan_check_errors(void **state)
{
    struct pos_errdetail d;
    enum card_brand b = CARD_BRAND_VISA;

    (void)state;
    pos_errdetail_init(&d);
    assert_int_equal(card_pan_check(S("4111 1111 1111 1111"), &b, &d), POS_ERR_DIGIT);
    assert_int_equal(d.offset, 4);
    assert_int_equal(card_pan_check(S("41111111111"), &b, &d), POS_ERR_CARD_PAN);
    assert_non_null(strstr(d.what, "11 digits"));
    assert_int_equal(card_pan_check(S("41111111111111111111"), &b, &d), POS_ERR_CARD_PAN);
    assert_int_equal(card_pan_check(S(""), &b, &d), POS_ERR_CARD_PAN);
    /* right overall length, wrong for the brand: a 16-digit amex */
    b = CARD_BRAND_UNKNOWN;
    assert_int_equal(card_pan_check(S("3782822463100053"), &b, &d), POS_ERR_CARD_PAN);
    assert_int_equal(b, CARD_BRAND_AMEX);
    assert_non_null(strstr(d.what, "amex"));
    assert_int_equal(card_pan_check(S("4111111111111112"), &b, &d), POS_ERR_CARD_LUHN);
    assert_int_equal(d.offset, 15);
    assert_int_equal(b, CARD_BRAND_VISA);
    assert_int_equal(card_pan_check(NULL, 16, &b, &d), POS_ERR_INVAL);
    assert_int_equal(card_pan_check(S("4111111111111111"), NULL, NULL), POS_OK);
}

static void test_pan_mask(void **state)
{
    static const struct {
        const char *pan, *want;
    } cases[] = {
        {"4111111111111111", "411111******1111"},
        {"378282246310005", "378282*****0005"},
        {"123456789012", "123456**9012"},
        {"6205500000000000004", "620550*********0004"},
        {"12345678901", "***********"},                   /* 11 digits: all hidden */
        {"12345678901234567890", "********************"}, /* 20 digits */
        {"4111-1111-1111-1111", "*******************"},   /* not digits */
        {"", ""},
    };
    char out[32];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(card_pan_mask(S(cases[i].pan), out, sizeof(out)), POS_OK);
        assert_string_equal(out, cases[i].want);
    }
    assert_int_equal(card_pan_mask(S("4111111111111111"), out, 17), POS_OK);
    assert_int_equal(card_pan_mask(S("4111111111111111"), out, 16), POS_ERR_NOSPACE);
    assert_string_equal(out, "");
    assert_int_equal(card_pan_mask(S("4111111111111111"), out, 0), POS_ERR_NOSPACE);
    assert_int_equal(card_pan_mask(NULL, 4, out, sizeof(out)), POS_ERR_INVAL);
    assert_int_equal(card_pan_mask(S("4111111111111111"), NULL, 32), POS_ERR_INVAL);
}

static void test_expiry(void **state)
{
    struct pos_errdetail d;
    unsigned y = 0, m = 0;

    (void)state;
    assert_int_equal(card_expiry_parse(S("2512"), &y, &m, NULL), POS_OK);
    assert_int_equal(y, 2025);
    assert_int_equal(m, 12);
    assert_int_equal(card_expiry_parse(S("0001"), &y, &m, NULL), POS_OK);
    assert_int_equal(y, 2000);
    assert_int_equal(m, 1);
    pos_errdetail_init(&d);
    assert_int_equal(card_expiry_parse(S("2500"), &y, &m, &d), POS_ERR_CARD_EXPIRY);
    assert_non_null(strstr(d.what, "month 00"));
    assert_int_equal(card_expiry_parse(S("2513"), &y, &m, NULL), POS_ERR_CARD_EXPIRY);
    assert_int_equal(card_expiry_parse(S("251"), &y, &m, NULL), POS_ERR_CARD_EXPIRY);
    assert_int_equal(card_expiry_parse(S("25123"), &y, &m, NULL), POS_ERR_CARD_EXPIRY);
    assert_int_equal(card_expiry_parse(S("25a2"), &y, &m, NULL), POS_ERR_CARD_EXPIRY);
    assert_int_equal(card_expiry_parse(NULL, 4, &y, &m, NULL), POS_ERR_CARD_EXPIRY);

    /* valid through the end of the expiry month */
    assert_false(card_expiry_is_expired(2025, 12, 2025, 12));
    assert_false(card_expiry_is_expired(2025, 12, 2025, 1));
    assert_false(card_expiry_is_expired(2025, 12, 2024, 12));
    assert_true(card_expiry_is_expired(2025, 12, 2026, 1));
    assert_true(card_expiry_is_expired(2025, 6, 2025, 7));
    assert_true(card_expiry_is_expired(2025, 1, 2026, 1));

    assert_int_equal(card_expiry_check(S("2512"), 2025, 12, NULL), POS_OK);
    assert_int_equal(card_expiry_check(S("2512"), 2026, 1, &d), POS_ERR_CARD_EXPIRED);
    assert_non_null(strstr(d.what, "2025-12"));
    assert_int_equal(card_expiry_check(S("2513"), 2025, 1, NULL), POS_ERR_CARD_EXPIRY);
    assert_int_equal(card_expiry_check(S("2512"), 2025, 0, NULL), POS_ERR_CARD_EXPIRY);
    assert_int_equal(card_expiry_check(S("2512"), 2025, 13, NULL), POS_ERR_CARD_EXPIRY);
}

static void test_service_code(void **state)
{
    /* ISO/IEC 7813 service code digits, position by position */
    static const enum card_sc_interchange d1[10] = {
        CARD_SC_INTERCHANGE_RESERVED,      CARD_SC_INTERCHANGE_INTERNATIONAL,
        CARD_SC_INTERCHANGE_INTERNATIONAL, CARD_SC_INTERCHANGE_RESERVED,
        CARD_SC_INTERCHANGE_RESERVED,      CARD_SC_INTERCHANGE_NATIONAL,
        CARD_SC_INTERCHANGE_NATIONAL,      CARD_SC_INTERCHANGE_PRIVATE,
        CARD_SC_INTERCHANGE_RESERVED,      CARD_SC_INTERCHANGE_TEST};
    static const bool chip[10] = {false, false, true,  false, false,
                                  false, true,  false, false, false};
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
    struct card_service_code sc;
    struct pos_errdetail d;
    char code[4] = "000";
    int i;

    (void)state;
    for (i = 0; i < 10; i++) {
        code[0] = (char)('0' + i);
        code[1] = (char)('0' + i);
        code[2] = (char)('0' + i);
        assert_int_equal(card_service_code_parse(code, 3, &sc, NULL), POS_OK);
        assert_string_equal(sc.digits, code);
        assert_int_equal(sc.interchange, d1[i]);
        assert_int_equal(sc.chip, chip[i]);
        assert_int_equal(sc.authorization, d2[i]);
        assert_int_equal(sc.services, d3s[i]);
        assert_int_equal(sc.pin, d3p[i]);
    }
    /* 201: international chip card, normal authorization, no restrictions */
    assert_int_equal(card_service_code_parse(S("201"), &sc, NULL), POS_OK);
    assert_true(sc.chip);
    assert_int_equal(sc.interchange, CARD_SC_INTERCHANGE_INTERNATIONAL);
    assert_int_equal(sc.authorization, CARD_SC_AUTH_NORMAL);
    assert_int_equal(sc.services, CARD_SC_SERVICES_ALL);
    assert_int_equal(sc.pin, CARD_SC_PIN_NONE);
    /* 620: national chip card, online, PIN required */
    assert_int_equal(card_service_code_parse(S("620"), &sc, NULL), POS_OK);
    assert_true(sc.chip);
    assert_int_equal(sc.interchange, CARD_SC_INTERCHANGE_NATIONAL);
    assert_int_equal(sc.authorization, CARD_SC_AUTH_ONLINE);
    assert_int_equal(sc.pin, CARD_SC_PIN_REQUIRED);

    pos_errdetail_init(&d);
    assert_int_equal(card_service_code_parse(S("20"), &sc, &d), POS_ERR_LENGTH);
    assert_int_equal(card_service_code_parse(S("2011"), &sc, &d), POS_ERR_LENGTH);
    assert_int_equal(card_service_code_parse(NULL, 3, &sc, &d), POS_ERR_LENGTH);
    assert_int_equal(card_service_code_parse(S("2a1"), &sc, &d), POS_ERR_DIGIT);
    assert_int_equal(d.offset, 1);

    assert_string_equal(card_sc_interchange_name(CARD_SC_INTERCHANGE_INTERNATIONAL),
                        "international");
    assert_string_equal(card_sc_interchange_name(CARD_SC_INTERCHANGE_NATIONAL), "national");
    assert_string_equal(card_sc_interchange_name(CARD_SC_INTERCHANGE_PRIVATE), "private");
    assert_string_equal(card_sc_interchange_name(CARD_SC_INTERCHANGE_TEST), "test");
    assert_string_equal(card_sc_interchange_name(CARD_SC_INTERCHANGE_RESERVED), "reserved");
    assert_string_equal(card_sc_authorization_name(CARD_SC_AUTH_NORMAL), "normal");
    assert_string_equal(card_sc_authorization_name(CARD_SC_AUTH_ONLINE), "online");
    assert_string_equal(card_sc_authorization_name(CARD_SC_AUTH_ONLINE_UNLESS_AGREED),
                        "online_unless_agreed");
    assert_string_equal(card_sc_authorization_name(CARD_SC_AUTH_RESERVED), "reserved");
    assert_string_equal(card_sc_services_name(CARD_SC_SERVICES_ALL), "all");
    assert_string_equal(card_sc_services_name(CARD_SC_SERVICES_GOODS), "goods_and_services");
    assert_string_equal(card_sc_services_name(CARD_SC_SERVICES_ATM), "atm");
    assert_string_equal(card_sc_services_name(CARD_SC_SERVICES_CASH), "cash");
    assert_string_equal(card_sc_services_name(CARD_SC_SERVICES_RESERVED), "reserved");
    assert_string_equal(card_sc_pin_name(CARD_SC_PIN_NONE), "none");
    assert_string_equal(card_sc_pin_name(CARD_SC_PIN_REQUIRED), "required");
    assert_string_equal(card_sc_pin_name(CARD_SC_PIN_IF_FEASIBLE), "if_feasible");
    assert_string_equal(card_sc_pin_name(CARD_SC_PIN_RESERVED), "reserved");
}

struct track_case {
    const char *text;
    const char *pan, *name, *expiry, *sc, *disc; /* NULL: absent */
};

static void check_track(const struct card_track *t, const struct track_case *c)
{
    const char *want[5];
    static const enum card_track_field f[5] = {CARD_TRACK_PAN, CARD_TRACK_NAME, CARD_TRACK_EXPIRY,
                                               CARD_TRACK_SERVICE_CODE, CARD_TRACK_DISCRETIONARY};
    size_t i, n;

    want[0] = c->pan;
    want[1] = c->name;
    want[2] = c->expiry;
    want[3] = c->sc;
    want[4] = c->disc;
    for (i = 0; i < 5; i++) {
        const char *got = card_track_get(t, f[i], &n);
        if (want[i] == NULL) {
            assert_null(got);
            assert_int_equal(n, 0);
        } else {
            assert_non_null(got);
            assert_string_equal(got, want[i]);
            assert_int_equal(n, strlen(want[i]));
        }
    }
}

static void test_track2(void **state)
{
    static const struct track_case good[] = {
        /* the fields of the Wikipedia "ISO/IEC 7813" track 1 example, on track 2 */
        {";4815881002867896=37829821000123456789?", "4815881002867896", NULL, "3782", "982",
         "1000123456789"},
        {"4815881002867896=37829821000123456789", "4815881002867896", NULL, "3782", "982",
         "1000123456789"},
        /* EMV tag 57 from the README of github.com/HosseinAssaran/Ber-TLV:
         * 'D' separator and an F pad nibble */
        {"1000023100000033D44122011003400000481F", "1000023100000033", NULL, "4412", "201",
         "1003400000481"},
        {"1000023100000033d4412201", "1000023100000033", NULL, "4412", "201", ""},
        /* absent fields replaced by separators (ISO/IEC 7813) */
        {";4111111111111111==101123?", "4111111111111111", NULL, NULL, "101", "123"},
        {"4111111111111111=2512=0042", "4111111111111111", NULL, "2512", NULL, "0042"},
        {"4111111111111111===", "4111111111111111", NULL, NULL, NULL, ""},
        /* data ending after a complete field */
        {"4111111111111111=2512", "4111111111111111", NULL, "2512", NULL, ""},
        {"4111111111111111=", "4111111111111111", NULL, NULL, NULL, ""},
        {";6205500000000000004=2912?", "6205500000000000004", NULL, "2912", NULL, ""},
    };
    struct card_track t;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        print_message("case %zu\n", i);
        assert_int_equal(card_track2_parse(S(good[i].text), &t, NULL), POS_OK);
        assert_int_equal(card_track_number(&t), 2);
        check_track(&t, &good[i]);
        card_track_clear(&t);
    }
}

struct bad_track {
    const char *text;
    int err;
    size_t offset;
};

static void test_track2_errors(void **state)
{
    static const struct bad_track bad[] = {
        {"", POS_ERR_CARD_TRACK, 0},
        {";1234567890123456789=2512101123456789012?", POS_ERR_CARD_TRACK, 40}, /* 41 chars */
        {"41111111111=2512101", POS_ERR_CARD_PAN, 0},                          /* 11 digits */
        {";41111111111111111111=2512", POS_ERR_CARD_PAN, 1},                   /* 20 digits */
        {";?", POS_ERR_CARD_PAN, 1},
        {"4111111111111111", POS_ERR_CARD_TRACK, 16},      /* no separator */
        {"4111111111111111X2512", POS_ERR_CARD_TRACK, 16}, /* bad separator */
        {"4111111111111111=25A2101", POS_ERR_CARD_TRACK, 17},
        {"4111111111111111=25", POS_ERR_CARD_TRACK, 17},
        {"4111111111111111=25121X1", POS_ERR_CARD_TRACK, 21},
        {"4111111111111111=251210", POS_ERR_CARD_TRACK, 21},
        {"4111111111111111=2512101AB", POS_ERR_CARD_TRACK, 24},
        {"4111111111111111=2512101?9", POS_ERR_CARD_TRACK, 24}, /* '?' not last */
        {"4111111111111111=2512101FF", POS_ERR_CARD_TRACK, 24}, /* two pads */
    };
    struct card_track t, zero;
    struct pos_errdetail d;
    size_t i;

    (void)state;
    memset(&zero, 0, sizeof(zero));
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        print_message("case %zu: %s\n", i, bad[i].text);
        pos_errdetail_init(&d);
        assert_int_equal(card_track2_parse(S(bad[i].text), &t, &d), bad[i].err);
        assert_int_equal(d.offset, bad[i].offset);
        /* a failed parse leaves nothing of the track behind */
        assert_memory_equal(&t, &zero, sizeof(t));
        assert_null(card_track_get(&t, CARD_TRACK_PAN, NULL));
        assert_int_equal(card_track_number(&t), 0);
    }
    assert_int_equal(card_track2_parse(NULL, 10, &t, NULL), POS_ERR_CARD_TRACK);
}

static void test_track1(void **state)
{
    static const struct track_case good[] = {
        /* the two examples of the Wikipedia article "ISO/IEC 7813" */
        {"%B4815881002867896^YATES/EUGENE JOHN         ^37829821000123456789?", "4815881002867896",
         "YATES/EUGENE JOHN         ", "3782", "982", "1000123456789"},
        {"%B4815881002861896^YATES/EUGENE L            ^^^356858      00998000000?",
         "4815881002861896", "YATES/EUGENE L            ", NULL, NULL, "356858      00998000000"},
        {"B4111111111111111^DOE/JOHN^2512101", "4111111111111111", "DOE/JOHN", "2512", "101", ""},
        {"B4111111111111111^DOE/JOHN^", "4111111111111111", "DOE/JOHN", NULL, NULL, ""},
        {"%B4111111111111111^DOE/JOHN^2512^ABC 123?", "4111111111111111", "DOE/JOHN", "2512", NULL,
         "ABC 123"},
    };
    static const struct bad_track bad[] = {
        {"", POS_ERR_CARD_TRACK, 0},
        {"%", POS_ERR_CARD_TRACK, 1},
        {"%A4111111111111111^DOE/JOHN^2512101?", POS_ERR_CARD_TRACK, 1}, /* format A */
        {"4111111111111111^DOE/JOHN^2512101", POS_ERR_CARD_TRACK, 0},    /* no format code */
        {"B41111111111^DOE/JOHN^2512101", POS_ERR_CARD_PAN, 1},
        {"B4111111111111111=DOE/JOHN^2512101", POS_ERR_CARD_TRACK, 17},
        {"B4111111111111111^D^2512101", POS_ERR_CARD_TRACK, 18}, /* 1-char name */
        {"B4111111111111111^ABCDEFGHIJKLMNOPQRSTUVWXYZA^2512", POS_ERR_CARD_TRACK, 18},
        {"B4111111111111111^DOE/JOHN", POS_ERR_CARD_TRACK, 26},         /* name unterminated */
        {"B4111111111111111^Doe/John^2512101", POS_ERR_CARD_TRACK, 18}, /* lowercase */
        {"B4111111111111111^DOE/JOHN^25X2101", POS_ERR_CARD_TRACK, 27},
        {"B4111111111111111^DOE/JOHN^25121X1", POS_ERR_CARD_TRACK, 31},
        {"B4111111111111111^DOE/JOHN^2512101abc", POS_ERR_CARD_TRACK, 34},
        {"B4111111111111111^DOE/JOHN^2512101^", POS_ERR_CARD_TRACK, 34},
        {"%B4111111111111111^DOE/JOHN^2512101%?", POS_ERR_CARD_TRACK, 35},
        {"%B4111111111111111^DOE/JOHN^2512101 0123456789 0123456789 0123456789 0123456789?",
         POS_ERR_CARD_TRACK, 79},
    };
    struct card_track t, zero;
    struct pos_errdetail d;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        print_message("good %zu\n", i);
        assert_int_equal(card_track1_parse(S(good[i].text), &t, NULL), POS_OK);
        assert_int_equal(card_track_number(&t), 1);
        check_track(&t, &good[i]);
    }
    memset(&zero, 0, sizeof(zero));
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        print_message("bad %zu: %s\n", i, bad[i].text);
        pos_errdetail_init(&d);
        assert_int_equal(card_track1_parse(S(bad[i].text), &t, &d), bad[i].err);
        assert_int_equal(d.offset, bad[i].offset);
        assert_memory_equal(&t, &zero, sizeof(t));
    }
    assert_int_equal(card_track1_parse(NULL, 3, &t, NULL), POS_ERR_CARD_TRACK);
}

static void test_track_format(void **state)
{
    static const char *t2_same[] = {";4815881002867896=37829821000123456789?",
                                    ";4111111111111111==101123?", ";4111111111111111===?"};
    static const char *t1_same[] = {
        "%B4815881002867896^YATES/EUGENE JOHN         ^37829821000123456789?",
        "%B4815881002861896^YATES/EUGENE L            ^^^356858      00998000000?"};
    char out[100];
    struct card_track t, t2;
    size_t i, n, cap;

    (void)state;
    for (i = 0; i < 3; i++) {
        assert_int_equal(card_track2_parse(S(t2_same[i]), &t, NULL), POS_OK);
        assert_int_equal(card_track2_format(&t, '=', true, out, sizeof(out), &n), POS_OK);
        assert_string_equal(out, t2_same[i]);
        assert_int_equal(n, strlen(t2_same[i]));
    }
    for (i = 0; i < 2; i++) {
        assert_int_equal(card_track1_parse(S(t1_same[i]), &t, NULL), POS_OK);
        assert_int_equal(card_track1_format(&t, true, out, sizeof(out), &n), POS_OK);
        assert_string_equal(out, t1_same[i]);
    }
    /* 'D' and the pad nibble: the pad is not written back */
    assert_int_equal(card_track2_parse(S("1000023100000033D44122011003400000481F"), &t, NULL),
                     POS_OK);
    assert_int_equal(card_track2_format(&t, 'D', false, out, sizeof(out), &n), POS_OK);
    assert_string_equal(out, "1000023100000033D44122011003400000481");
    /* a track ending after the expiry gets a separator for the service code,
     * and parses back to the same fields */
    assert_int_equal(card_track2_parse(S("4111111111111111=2512"), &t, NULL), POS_OK);
    assert_int_equal(card_track2_format(&t, '=', false, out, sizeof(out), &n), POS_OK);
    assert_string_equal(out, "4111111111111111=2512=");
    assert_int_equal(card_track2_parse(out, n, &t2, NULL), POS_OK);
    assert_memory_equal(&t, &t2, sizeof(t));
    assert_int_equal(card_track1_parse(S("B4111111111111111^DOE/JOHN^"), &t, NULL), POS_OK);
    assert_int_equal(card_track1_format(&t, false, out, sizeof(out), &n), POS_OK);
    assert_string_equal(out, "B4111111111111111^DOE/JOHN^^^");

    /* errors: wrong track, bad separator, empty track, no space */
    assert_int_equal(card_track2_format(&t, '=', false, out, sizeof(out), &n), POS_ERR_INVAL);
    assert_int_equal(card_track2_parse(S(t2_same[0]), &t, NULL), POS_OK);
    assert_int_equal(card_track1_format(&t, false, out, sizeof(out), &n), POS_ERR_INVAL);
    assert_int_equal(card_track2_format(&t, '^', false, out, sizeof(out), &n), POS_ERR_INVAL);
    assert_int_equal(card_track2_format(&t, '=', false, NULL, 10, &n), POS_ERR_INVAL);
    for (cap = 0; cap <= strlen(t2_same[0]); cap++) {
        memset(out, 'x', sizeof(out));
        assert_int_equal(card_track2_format(&t, '=', true, out, cap, &n), POS_ERR_NOSPACE);
        if (cap > 0)
            assert_string_equal(out, "");
    }
    assert_int_equal(card_track2_format(&t, '=', true, out, cap, &n), POS_OK);
    assert_int_equal(card_track1_parse(S(t1_same[0]), &t, NULL), POS_OK);
    for (cap = 0; cap <= strlen(t1_same[0]); cap++)
        assert_int_equal(card_track1_format(&t, true, out, cap, &n), POS_ERR_NOSPACE);
    assert_int_equal(card_track1_format(&t, true, out, cap, NULL), POS_OK);
    card_track_init(&t);
    assert_int_equal(card_track2_format(&t, '=', false, out, sizeof(out), &n), POS_ERR_INVAL);
    assert_int_equal(card_track1_format(&t, false, out, sizeof(out), &n), POS_ERR_INVAL);
}

static void test_track_clear_wipes(void **state)
{
    struct card_track t, zero;

    (void)state;
    memset(&zero, 0, sizeof(zero));
    assert_int_equal(card_track1_parse(S("B4111111111111111^DOE/JOHN^2512101SECRET"), &t, NULL),
                     POS_OK);
    assert_null(card_track_get(&t, (enum card_track_field)99, NULL));
    card_track_clear(&t);
    assert_memory_equal(&t, &zero, sizeof(t));
    assert_null(card_track_get(&t, CARD_TRACK_DISCRETIONARY, NULL));
    card_track_clear(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_luhn_published),
        cmocka_unit_test(test_luhn),
        cmocka_unit_test(test_brand_edges),
        cmocka_unit_test(test_brand_names_and_lengths),
        cmocka_unit_test(test_pan_check_errors),
        cmocka_unit_test(test_pan_mask),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_service_code),
        cmocka_unit_test(test_track2),
        cmocka_unit_test(test_track2_errors),
        cmocka_unit_test(test_track1),
        cmocka_unit_test(test_track_format),
        cmocka_unit_test(test_track_clear_wipes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
