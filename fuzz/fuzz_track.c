/*
 * fuzz_track: ISO/IEC 7813 track 1 and track 2 parsing, parse -> format ->
 * parse compared; plus the PAN, expiry and service code helpers on the same
 * bytes. A mismatch aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_fields(const struct card_track *a, const struct card_track *b)
{
    int f;

    for (f = CARD_TRACK_PAN; f <= CARD_TRACK_DISCRETIONARY; f++) {
        size_t la = 0, lb = 0;
        const char *sa = card_track_get(a, (enum card_track_field)f, &la);
        const char *sb = card_track_get(b, (enum card_track_field)f, &lb);
        if ((sa == NULL) != (sb == NULL) || la != lb || (sa != NULL && memcmp(sa, sb, la) != 0))
            abort();
    }
}

static void round_trip(const char *s, size_t len, unsigned number)
{
    struct card_track t, u;
    char out[CARD_TRACK1_MAX + 8];
    size_t n = 0;
    int rc;

    rc = number == 1 ? card_track1_parse(s, len, &t, NULL) : card_track2_parse(s, len, &t, NULL);
    if (rc != POS_OK) {
        if (card_track_number(&t) != 0)
            abort();
        return;
    }
    if (card_track_number(&t) != number)
        abort();
    rc = number == 1 ? card_track1_format(&t, false, out, sizeof(out), &n)
                     : card_track2_format(&t, 'D', false, out, sizeof(out), &n);
    if (rc != POS_OK)
        abort();
    /* absent fields become separators, so the text may grow past the limit */
    if (n <= (number == 1 ? CARD_TRACK1_MAX : CARD_TRACK2_MAX)) {
        rc =
            number == 1 ? card_track1_parse(out, n, &u, NULL) : card_track2_parse(out, n, &u, NULL);
        if (rc != POS_OK)
            abort();
        same_fields(&t, &u);
        card_track_clear(&u);
    }
    card_track_clear(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct card_service_code sc;
    char masked[128];
    unsigned y, m;
    enum card_brand b;

    round_trip(s, size, 1);
    round_trip(s, size, 2);
    if (size < sizeof(masked) &&
        (card_pan_mask(s, size, masked, sizeof(masked)) != POS_OK || strlen(masked) != size))
        abort();
    (void)card_pan_check(s, size, &b, NULL);
    (void)card_luhn_is_valid(s, size);
    (void)card_brand_cobrand_of(s, size);
    if (card_expiry_parse(s, size, &y, &m, NULL) == POS_OK && (m < 1 || m > 12))
        abort();
    (void)card_service_code_parse(s, size, &sc, NULL);
    return 0;
}
