/*
 * pos card: PAN checks, track data, expiry dates and service codes
 * (DESIGN.md §6; docs/card.md):
 *
 *   pos card check PAN                 -> {"luhn":..,"brand":..,"masked":..}
 *   pos card track2 [--mask] DATA      -> {"pan":..,"expiry":..,"service_code":..,
 *                                          "discretionary":..}
 *   pos card track1 [--mask] DATA      -> the same with "name"
 *   pos card expiry YYMM [--now YYMM]  -> {"expiry":"2512","expired":false}
 *   pos card service-code NNN          -> its meaning
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "card.h"
#include "cli.h"
#include "error.h"
#include "mem.h"

static void card_cli_usage(FILE *f)
{
    fputs("usage: pos card check PAN\n"
          "       pos card track2 [--mask] DATA\n"
          "       pos card track1 [--mask] DATA\n"
          "       pos card expiry YYMM [--now YYMM]\n"
          "       pos card service-code NNN\n"
          "\n"
          "check         Luhn check (ISO/IEC 7812-1 Annex B), brand by IIN and the masked\n"
          "              PAN; exit 1 when the check digit is wrong (JSON still printed),\n"
          "              2 when the PAN is not 12 to 19 digits\n"
          "track2        parse ISO/IEC 7813 track 2 (';' and '?' optional, '=' or 'D')\n"
          "track1        parse ISO/IEC 7813 track 1 format B ('%' and '?' optional)\n"
          "expiry        is a card expiring YYMM expired now (or in --now YYMM)? a card\n"
          "              is valid through the end of its expiry month; exit 1 if expired\n"
          "service-code  the meaning of a 3-digit service code\n"
          "\n"
          "  --mask      show the PAN masked (first 6 and last 4 digits)\n"
          "  --now YYMM  the current month for expiry (default: the local clock)\n",
          f);
}

/* Parses the common options; *positional gets the one operand. */
static int card_cli_opts(int argc, char **argv, bool *mask, const char **now,
                         const char **positional)
{
    static const struct option opts[] = {{"mask", no_argument, NULL, 'm'},
                                         {"now", required_argument, NULL, 'n'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == 'h') {
            card_cli_usage(stdout);
            return -1;
        }
        if (c == 'm' && mask != NULL) {
            *mask = true;
        } else if (c == 'n' && now != NULL) {
            *now = optarg;
        } else if (c == ':') {
            return cli_error(CLI_USAGE, "card", "%s: option %s needs a value", argv[0],
                             argv[optind - 1]);
        } else {
            return cli_error(CLI_USAGE, "card", "%s: unknown option %s (see pos card --help)",
                             argv[0], argv[optind - 1]);
        }
    }
    if (optind + 1 != argc)
        return cli_error(CLI_USAGE, "card",
                         "%s: expected exactly one argument (see pos card "
                         "--help)",
                         argv[0]);
    *positional = argv[optind];
    return CLI_OK;
}

static int card_cli_check(int argc, char **argv)
{
    struct pos_errdetail d;
    enum card_brand brand, cobrand;
    const char *pan = NULL;
    char masked[CARD_PAN_MAX + 1];
    size_t len;
    bool luhn;
    json_t *j;
    int rc;

    rc = card_cli_opts(argc, argv, NULL, NULL, &pan);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    len = strlen(pan);
    pos_errdetail_init(&d);
    rc = card_pan_check(pan, len, &brand, &d);
    if (rc == POS_ERR_DIGIT ||
        (rc == POS_ERR_CARD_PAN && (len < CARD_PAN_MIN || len > CARD_PAN_MAX)))
        return cli_error_pos(CLI_USAGE, "card", rc, &d);
    brand = card_brand_of(pan, len);
    cobrand = card_brand_cobrand_of(pan, len);
    luhn = card_luhn_is_valid(pan, len);
    card_pan_mask(pan, len, masked, sizeof(masked));
    j = json_object();
    if (j == NULL)
        return cli_error(CLI_FAILED, "card", "out of memory");
    json_object_set_new(j, "luhn", json_boolean(luhn));
    json_object_set_new(j, "brand", json_string(card_brand_name(brand)));
    json_object_set_new(j, "masked", json_string(masked));
    json_object_set_new(j, "length_valid", json_boolean(card_brand_length_is_valid(brand, len)));
    if (cobrand != CARD_BRAND_UNKNOWN)
        json_object_set_new(j, "cobrand", json_string(card_brand_name(cobrand)));
    rc = cli_print_json(j);
    if (rc == CLI_OK && !luhn)
        rc = cli_error_pos(CLI_FAILED, "card", POS_ERR_CARD_LUHN, NULL);
    return rc;
}

static json_t *card_cli_field(const struct card_track *t, enum card_track_field f)
{
    size_t n = 0;
    const char *s = card_track_get(t, f, &n);

    return s == NULL ? json_null() : json_stringn(s, n);
}

/* The field with every character replaced by '*' (null when absent). */
static json_t *card_cli_stars(const struct card_track *t, enum card_track_field f)
{
    char stars[CARD_TRACK1_MAX + 1];
    size_t n = 0;

    if (card_track_get(t, f, &n) == NULL)
        return json_null();
    memset(stars, '*', n);
    return json_stringn(stars, n);
}

static int card_cli_track(int argc, char **argv, unsigned number)
{
    struct pos_errdetail d;
    struct card_track t;
    const char *data = NULL, *pan;
    char masked[CARD_PAN_MAX + 1];
    bool mask = false;
    size_t pan_len = 0;
    json_t *j = NULL;
    int rc;

    card_track_init(&t);
    rc = card_cli_opts(argc, argv, &mask, NULL, &data);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    pos_errdetail_init(&d);
    rc = number == 1 ? card_track1_parse(data, strlen(data), &t, &d)
                     : card_track2_parse(data, strlen(data), &t, &d);
    if (rc != POS_OK) {
        rc = cli_error_pos(CLI_USAGE, "card", rc, &d);
        goto out;
    }
    j = json_object();
    if (j == NULL) {
        rc = cli_error(CLI_FAILED, "card", "out of memory");
        goto out;
    }
    pan = card_track_get(&t, CARD_TRACK_PAN, &pan_len);
    if (mask) {
        card_pan_mask(pan, pan_len, masked, sizeof(masked));
        json_object_set_new(j, "pan", json_string(masked));
    } else {
        json_object_set_new(j, "pan", json_stringn(pan, pan_len));
    }
    if (number == 1)
        json_object_set_new(j, "name", card_cli_field(&t, CARD_TRACK_NAME));
    json_object_set_new(j, "expiry", card_cli_field(&t, CARD_TRACK_EXPIRY));
    json_object_set_new(j, "service_code", card_cli_field(&t, CARD_TRACK_SERVICE_CODE));
    json_object_set_new(j, "discretionary",
                        mask ? card_cli_stars(&t, CARD_TRACK_DISCRETIONARY)
                             : card_cli_field(&t, CARD_TRACK_DISCRETIONARY));
    rc = cli_print_json(j);
    j = NULL;
out:
    json_decref(j);
    card_track_clear(&t);
    return rc;
}

/* The current month from the local clock. */
static int card_cli_now(unsigned *year, unsigned *month)
{
    time_t now = time(NULL);
    struct tm tm;

    if (now == (time_t)-1 || localtime_r(&now, &tm) == NULL)
        return cli_error(CLI_FAILED, "card", "cannot read the clock (use --now YYMM)");
    *year = (unsigned)tm.tm_year + 1900;
    *month = (unsigned)tm.tm_mon + 1;
    return CLI_OK;
}

static int card_cli_expiry(int argc, char **argv)
{
    struct pos_errdetail d;
    const char *yymm = NULL, *now = NULL;
    unsigned ey, em, ny, nm;
    json_t *j;
    int rc;

    rc = card_cli_opts(argc, argv, NULL, &now, &yymm);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    pos_errdetail_init(&d);
    rc = card_expiry_parse(yymm, strlen(yymm), &ey, &em, &d);
    if (rc != POS_OK)
        return cli_error_pos(CLI_USAGE, "card", rc, &d);
    if (now != NULL) {
        rc = card_expiry_parse(now, strlen(now), &ny, &nm, &d);
        if (rc != POS_OK)
            return cli_error(CLI_USAGE, "card", "--now: expected YYMM with month 01..12");
    } else {
        rc = card_cli_now(&ny, &nm);
        if (rc != CLI_OK)
            return rc;
    }
    j = json_object();
    if (j == NULL)
        return cli_error(CLI_FAILED, "card", "out of memory");
    json_object_set_new(j, "expiry", json_string(yymm));
    json_object_set_new(j, "expired", json_boolean(card_expiry_is_expired(ey, em, ny, nm)));
    rc = cli_print_json(j);
    if (rc == CLI_OK && card_expiry_is_expired(ey, em, ny, nm))
        rc = cli_error(CLI_FAILED, "card", "card expired (valid through %04u-%02u)", ey, em);
    return rc;
}

static int card_cli_service_code(int argc, char **argv)
{
    struct pos_errdetail d;
    struct card_service_code sc;
    const char *code = NULL;
    json_t *j;
    int rc;

    rc = card_cli_opts(argc, argv, NULL, NULL, &code);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    pos_errdetail_init(&d);
    rc = card_service_code_parse(code, strlen(code), &sc, &d);
    if (rc != POS_OK)
        return cli_error_pos(CLI_USAGE, "card", rc, &d);
    j = json_object();
    if (j == NULL)
        return cli_error(CLI_FAILED, "card", "out of memory");
    json_object_set_new(j, "service_code", json_string(sc.digits));
    json_object_set_new(j, "interchange", json_string(card_sc_interchange_name(sc.interchange)));
    json_object_set_new(j, "chip", json_boolean(sc.chip));
    json_object_set_new(j, "authorization",
                        json_string(card_sc_authorization_name(sc.authorization)));
    json_object_set_new(j, "services", json_string(card_sc_services_name(sc.services)));
    json_object_set_new(j, "pin", json_string(card_sc_pin_name(sc.pin)));
    return cli_print_json(j);
}

int cmd_card(int argc, char **argv)
{
    if (argc < 2)
        return cli_error(CLI_USAGE, "card",
                         "missing subcommand (check, track2, track1, expiry, "
                         "service-code; see pos card --help)");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        card_cli_usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "check") == 0)
        return card_cli_check(argc - 1, argv + 1);
    if (strcmp(argv[1], "track2") == 0)
        return card_cli_track(argc - 1, argv + 1, 2);
    if (strcmp(argv[1], "track1") == 0)
        return card_cli_track(argc - 1, argv + 1, 1);
    if (strcmp(argv[1], "expiry") == 0)
        return card_cli_expiry(argc - 1, argv + 1);
    if (strcmp(argv[1], "service-code") == 0)
        return card_cli_service_code(argc - 1, argv + 1);
    return cli_error(CLI_USAGE, "card", "unknown subcommand %s (see pos card --help)", argv[1]);
}
