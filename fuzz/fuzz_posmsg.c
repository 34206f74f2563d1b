/*
 * fuzz_posmsg: the terminal's reply check (posmsg_reply_check) on arbitrary
 * bytes. The first byte picks the dialect (cup, iso87a, iso87b) and the
 * case: a master/session terminal that sent a sign-on (the reply may load
 * working keys from field 62) or a DUKPT terminal that sent a purchase (the
 * reply's MAC is checked under the MAC-response key). The rest is the reply.
 * Invariants: the result is one of the documented codes; on success the
 * response code is 2 characters and an approved purchase has a 12-character
 * RRN; on any other error the reply struct is zeroed; a decodable input
 * re-encodes and decodes to the same MTI and fields (STYLE.md rule 14).
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/block.h"
#include "error.h"
#include "iso8583.h"
#include "posmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t tmk[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,
                                0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10};
/* ANSI X9.24-1-2009 A.4: IPEK and initial KSN */
static const uint8_t ipek[16] = {0x6A, 0xC2, 0x92, 0xFA, 0xA1, 0x31, 0x5B, 0x4D,
                                 0x85, 0x8A, 0xB3, 0xA3, 0xD7, 0xD5, 0x93, 0x3A};
static const uint8_t iksn[10] = {0xFF, 0xFF, 0x98, 0x76, 0x54, 0x32, 0x10, 0xE0, 0x00, 0x00};
static const char *const dialects[] = {"cup", "iso87a", "iso87b"};

static void check_roundtrip(const struct iso8583_dialect *d, const uint8_t *buf, size_t len)
{
    struct iso8583_msg a, b;
    uint8_t *out = malloc(len + 64);
    size_t out_len = 0;
    int f;

    if (out == NULL || iso8583_decode(d, buf, len, &a, NULL) != POS_OK)
        goto out;
    if (iso8583_encode(&a, out, len + 64, &out_len, NULL) != POS_OK ||
        iso8583_decode(d, out, out_len, &b, NULL) != POS_OK ||
        strcmp(iso8583_get_mti(&a), iso8583_get_mti(&b)) != 0)
        abort();
    for (f = 2; f <= ISO8583_MAX_FIELD; f++)
        if (iso8583_has(&a, f) != iso8583_has(&b, f) ||
            iso8583_field_len(&a, f) != iso8583_field_len(&b, f))
            abort();
out:
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int crypto_ready;
    struct posmsg_terminal t;
    struct posmsg_card card = {.track2 = "4012345678909=30121011234500000", .pin = "1234"};
    struct posmsg_request rq = {.kind = POSMSG_SIGNON, .when = "0315143005"};
    struct posmsg_sent sent;
    struct posmsg_reply r, zero;
    uint8_t req[POSMSG_MAX];
    size_t len = 0;
    bool dukpt;
    int rc;

    if (!crypto_ready) {
        (void)pos_crypto_init();
        crypto_ready = 1;
    }
    if (size < 1)
        return 0;
    dukpt = (data[0] / 3) % 2 == 1;
    if (dukpt) {
        rc = posmsg_terminal_init_dukpt(&t, dialects[data[0] % 3], "TERM0001", "123456789012345",
                                        "156", 1, ipek, 16, iksn, NULL);
        rq.kind = POSMSG_PURCHASE;
        rq.amount = 100;
        rq.card = &card;
    } else {
        rc = posmsg_terminal_init_mksk(&t, dialects[data[0] % 3], "TERM0001", "123456789012345",
                                       "156", 1, tmk, 16, NULL);
    }
    if (rc != POS_OK || posmsg_build(&t, &rq, req, sizeof(req), &len, &sent, NULL) != POS_OK)
        abort();
    rc = posmsg_reply_check(&t, &sent, data + 1, size - 1, &r, NULL);
    memset(&zero, 0, sizeof(zero));
    switch (rc) {
    case POS_OK:
        if (strlen(r.rc) != 2)
            abort();
        if (dukpt && posmsg_reply_is_approved(&r) && strlen(r.rrn) != 12)
            abort();
        if (!dukpt && posmsg_reply_is_approved(&r) != posmsg_terminal_is_ready(&t))
            abort();
        break;
    case POS_ERR_MAC_MISMATCH:
        break;
    case POS_ERR_MSG_FORMAT:
    case POS_ERR_MSG_MTI:
    case POS_ERR_MSG_MISMATCH:
    case POS_ERR_KCV_MISMATCH:
    case POS_ERR_LENGTH:
        if (memcmp(&r, &zero, sizeof(r)) != 0 || posmsg_terminal_is_ready(&t) != dukpt)
            abort();
        break;
    default:
        abort();
    }
    check_roundtrip(t.d, data + 1, size - 1);
    posmsg_sent_clear(&sent);
    posmsg_terminal_clear(&t);
    return 0;
}
