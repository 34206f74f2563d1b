/*
 * Tests for src/lib/posmsg.c: every request in every dialect and both wire
 * key schemes, decoded back and checked field by field against
 * docs/protocol.md; MACs verified with mac_verify, PIN blocks deciphered;
 * replies built here as a host would (iso8583 + mac + sesskey) accepted, and
 * each kind of bad reply refused with its own error.
 *
 * DUKPT data: ANSI X9.24-1-2009 Annex A.4 (IPEK 6AC292FA..., initial KSN
 * FFFF9876543210E00000; PIN 1234, PAN 4012345678909).
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "crypto/block.h"
#include "crypto/dukpt.h"
#include "crypto/mac.h"
#include "crypto/pinblock.h"
#include "crypto/sesskey.h"
#include "error.h"
#include "hex.h"
#include "iso8583.h"
#include "posmsg.h"

#define TID   "TERM0001"
#define MID   "123456789012345"
#define CUR   "156"
#define TMK   "0123456789ABCDEFFEDCBA9876543210"
#define IPEK  "6AC292FAA1315B4D858AB3A3D7D5933A"
#define IKSN  "FFFF9876543210E00000"
#define PAN   "4012345678909"
#define TRACK "4012345678909=30121011234500000"
#define PIN   "1234"
#define WHEN  "0315143005"
#define RRN   "123456789012"

static const char *const dialects[] = {"cup", "iso87a", "iso87b"};

/* The host side of one terminal, as the test plays it. */
struct host {
    struct sesskey_set ks; /* mksk working keys */
    uint8_t mak_rsp[16];   /* dukpt: the last request's MAC-response key */
};

static struct host H;

static const uint8_t *hexkey(const char *hex)
{
    size_t n = 0;
    return tu_hex(hex, &n);
}

static void text(const struct iso8583_msg *m, int fld, char *out, size_t cap)
{
    assert_int_equal(iso8583_get_text(m, fld, out, cap, NULL), POS_OK);
}

static void assert_field(const struct iso8583_msg *m, int fld, const char *want)
{
    char got[1024];
    if (want == NULL) {
        if (iso8583_has(m, fld))
            fail_msg("field %d present, want absent", fld);
        return;
    }
    if (!iso8583_has(m, fld))
        fail_msg("field %d absent, want %s", fld, want);
    text(m, fld, got, sizeof(got));
    assert_string_equal(got, want);
}

/* Sets the field 64 of an encoded message (buf, *len) under mac alg/key. */
static void patch_mac(struct iso8583_msg *m, uint8_t *buf, size_t len, enum mac_alg alg,
                      const uint8_t *key, size_t key_len)
{
    uint8_t mac[MAC_MAX_LEN];
    size_t start = 0, end = 0, n = 0;
    char hex[17];

    assert_int_equal(iso8583_mac_span(m, &start, &end), POS_OK);
    assert_int_equal(mac_compute(alg, key, key_len, MAC_PAD_DEFAULT, buf + start, end - start, mac,
                                 sizeof(mac), &n),
                     POS_OK);
    if (m->d->f[64].data_enc == ISO8583_ENC_HEX) {
        pos_hex_encode(mac, 8, hex, sizeof(hex));
        assert_true(len - end >= 16);
        memcpy(buf + end, hex, 16);
    } else {
        assert_true(len - end >= 8);
        memcpy(buf + end, mac, 8);
    }
}

/* Checks the request's MAC with mac_verify under the scheme's request key;
 * for DUKPT also derives the host keys of its KSN into H. */
static void host_verify_mac(const struct posmsg_terminal *t, const struct iso8583_msg *m,
                            const uint8_t *buf, uint8_t pin_key[16])
{
    struct mac_ctx ctx;
    uint8_t mac[8], ksn[10], key[16], var[16];
    size_t start = 0, end = 0, n = 0;
    char ksn_hex[32];

    assert_int_equal(iso8583_get_value(m, 64, mac, sizeof(mac), &n), POS_OK);
    assert_int_equal(n, 8);
    assert_int_equal(iso8583_mac_span(m, &start, &end), POS_OK);
    if (t->scheme == POSMSG_MKSK_TDES) {
        assert_int_equal(mac_init(&ctx, MAC_CUP_ECB, H.ks.mak, H.ks.mak_len, MAC_PAD_DEFAULT),
                         POS_OK);
        memcpy(pin_key, H.ks.pik, 16);
    } else {
        struct dukpt_host dh;
        if (m->d->f[62].type == ISO8583_T_B) {
            assert_int_equal(iso8583_get_value(m, 62, ksn, sizeof(ksn), &n), POS_OK);
            assert_int_equal(n, 10);
        } else {
            text(m, 62, ksn_hex, sizeof(ksn_hex));
            assert_int_equal(strlen(ksn_hex), 20);
            assert_int_equal(pos_hex_decode(ksn_hex, 20, ksn, sizeof(ksn), &n), POS_OK);
        }
        assert_int_equal(dukpt_host_init(&dh, hexkey(IPEK), ksn), POS_OK);
        assert_int_equal(dukpt_host_derive(&dh, ksn, key, NULL), POS_OK);
        dukpt_host_clear(&dh);
        assert_int_equal(dukpt_variant(key, DUKPT_USAGE_MAC_REQUEST, var), POS_OK);
        assert_int_equal(mac_init(&ctx, MAC_ISO9797_ALG3, var, 16, MAC_PAD_1), POS_OK);
        assert_int_equal(dukpt_variant(key, DUKPT_USAGE_PIN, pin_key), POS_OK);
        assert_int_equal(dukpt_variant(key, DUKPT_USAGE_MAC_RESPONSE, H.mak_rsp), POS_OK);
    }
    mac_update(&ctx, buf + start, end - start);
    assert_int_equal(mac_verify(&ctx, mac, 8), POS_OK);
    mac_clear(&ctx);
}

static void assert_pin(const struct iso8583_msg *m, const uint8_t pin_key[16], const char *pan)
{
    struct block_key k;
    uint8_t blk[8];
    char pin[PINBLOCK_PIN_CAP];
    size_t n = 0;

    assert_int_equal(iso8583_get_value(m, 52, blk, sizeof(blk), &n), POS_OK);
    assert_int_equal(n, 8);
    assert_int_equal(block_key_init(&k, BLOCK_TDES, pin_key, 16), POS_OK);
    assert_int_equal(
        pinblock_decrypt(&k, PINBLOCK_ISO0, blk, 8, pan, strlen(pan), pin, sizeof(pin), &n),
        POS_OK);
    block_key_clear(&k);
    assert_string_equal(pin, PIN);
}

/* The host's reply to the request in req (its MTI + 10, echoing what
 * proto.c echoes), with rc, optional RRN/auth/48/54/62, MACed when mac. */
struct reply_opts {
    const char *rc, *rrn, *auth, *f48, *f54, *mti, *stan, *tid;
    const uint8_t *f62;
    size_t f62_len;
    bool mac, bad_mac;
};

static size_t host_reply(const struct posmsg_terminal *t, const uint8_t *req, size_t req_len,
                         const struct reply_opts *o, uint8_t *out, size_t cap)
{
    static const int echo[] = {3, 4, 7, 11, 12, 13, 25, 41, 42, 49, 60};
    struct iso8583_msg q, m;
    char mti[5];
    uint8_t zeros[8] = {0};
    size_t i, len = 0;

    assert_int_equal(iso8583_decode(t->d, req, req_len, &q, NULL), POS_OK);
    iso8583_msg_init(&m, t->d);
    memcpy(mti, iso8583_get_mti(&q), 5);
    mti[2] = (char)(mti[2] + 1);
    assert_int_equal(iso8583_set_mti(&m, o->mti != NULL ? o->mti : mti), POS_OK);
    for (i = 0; i < sizeof(echo) / sizeof(echo[0]); i++)
        assert_int_equal(iso8583_copy_field(&m, &q, echo[i]), POS_OK);
    if (o->stan != NULL)
        assert_int_equal(iso8583_set_str(&m, 11, o->stan), POS_OK);
    if (o->tid != NULL)
        assert_int_equal(iso8583_set_str(&m, 41, o->tid), POS_OK);
    if (o->rrn != NULL)
        assert_int_equal(iso8583_set_str(&m, 37, o->rrn), POS_OK);
    if (o->auth != NULL)
        assert_int_equal(iso8583_set_str(&m, 38, o->auth), POS_OK);
    if (o->rc != NULL)
        assert_int_equal(iso8583_set_str(&m, 39, o->rc), POS_OK);
    if (o->f48 != NULL)
        assert_int_equal(iso8583_set_str(&m, 48, o->f48), POS_OK);
    if (o->f54 != NULL)
        assert_int_equal(iso8583_set_str(&m, 54, o->f54), POS_OK);
    if (o->f62 != NULL)
        assert_int_equal(iso8583_set(&m, 62, o->f62, o->f62_len), POS_OK);
    if (o->mac)
        assert_int_equal(iso8583_set(&m, 64, zeros, 8), POS_OK);
    assert_int_equal(iso8583_encode(&m, out, cap, &len, NULL), POS_OK);
    if (o->mac) {
        if (t->scheme == POSMSG_MKSK_TDES)
            patch_mac(&m, out, len, MAC_CUP_ECB, H.ks.mak, H.ks.mak_len);
        else
            patch_mac(&m, out, len, MAC_ISO9797_ALG3, H.mak_rsp, 16);
        if (o->bad_mac) {
            size_t s = 0, e = 0;
            assert_int_equal(iso8583_mac_span(&m, &s, &e), POS_OK);
            out[e] ^= 0x01;
        }
    }
    return len;
}

/* A terminal of scheme in dialect, signed on (mksk) through a real 0800/0810
 * exchange. */
static void term_up(struct posmsg_terminal *t, const char *dialect, enum posmsg_scheme scheme)
{
    struct posmsg_request rq = {.kind = POSMSG_SIGNON, .when = WHEN};
    struct posmsg_sent sent;
    struct posmsg_reply r;
    struct iso8583_msg m;
    uint8_t req[POSMSG_MAX], rsp[POSMSG_MAX], f62[SESSKEY_F62_MAX];
    char f62_hex[2 * SESSKEY_F62_MAX + 1];
    struct reply_opts o = {.rc = "00", .rrn = RRN};
    size_t len = 0, rlen, f62_len = 0;

    if (scheme == POSMSG_DUKPT_TDES) {
        assert_int_equal(posmsg_terminal_init_dukpt(t, dialect, TID, MID, CUR, 1, hexkey(IPEK), 16,
                                                    hexkey(IKSN), NULL),
                         POS_OK);
        assert_true(posmsg_terminal_is_ready(t));
        assert_int_equal(posmsg_terminal_dukpt_counter(t), 1);
        return;
    }
    assert_int_equal(posmsg_terminal_init_mksk(t, dialect, TID, MID, CUR, 1, hexkey(TMK), 16, NULL),
                     POS_OK);
    assert_false(posmsg_terminal_is_ready(t));
    assert_int_equal(posmsg_build(t, &rq, req, sizeof(req), &len, &sent, NULL), POS_OK);
    assert_int_equal(iso8583_decode(t->d, req, len, &m, NULL), POS_OK);
    assert_string_equal(iso8583_get_mti(&m), "0800");
    assert_field(&m, 11, "000001");
    assert_field(&m, 41, TID);
    assert_field(&m, 42, MID);
    assert_field(&m, 60, "00000001003");
    assert_field(&m, 64, NULL);
    assert_field(&m, 52, NULL);
    assert_int_equal(sesskey_generate(&H.ks, KEY_SCHEME_TDES, SESSKEY_MAK_DOUBLE), POS_OK);
    assert_int_equal(sesskey_f62_encode(&H.ks, hexkey(TMK), 16, f62, sizeof(f62), &f62_len),
                     POS_OK);
    if (t->d->f[62].type == ISO8583_T_B) {
        o.f62 = f62;
        o.f62_len = f62_len;
    } else { /* iso87: field 62 is text, the keys go as hex */
        pos_hex_encode(f62, f62_len, f62_hex, sizeof(f62_hex));
        o.f62 = (const uint8_t *)f62_hex;
        o.f62_len = 2 * f62_len;
    }
    rlen = host_reply(t, req, len, &o, rsp, sizeof(rsp));
    assert_int_equal(posmsg_reply_check(t, &sent, rsp, rlen, &r, NULL), POS_OK);
    assert_true(r.keys_loaded);
    assert_string_equal(r.mti, "0810");
    assert_true(posmsg_terminal_is_ready(t));
    assert_int_equal(posmsg_terminal_stan(t), 1);
}

static const struct posmsg_card swipe_pin = {.track2 = TRACK, .pin = PIN};

/* Builds rq, decodes it, checks the common fields and the MAC and PIN. */
static void build_check(struct posmsg_terminal *t, const struct posmsg_request *rq, uint8_t *req,
                        size_t *len, struct iso8583_msg *m, struct posmsg_sent *sent,
                        const char *mti)
{
    uint8_t pin_key[16];
    char stan[7];
    bool cup = strcmp(t->d->name, "cup") == 0;

    assert_int_equal(posmsg_build(t, rq, req, POSMSG_MAX, len, sent, NULL), POS_OK);
    assert_int_equal(iso8583_decode(t->d, req, *len, m, NULL), POS_OK);
    assert_string_equal(iso8583_get_mti(m), mti);
    snprintf(stan, sizeof(stan), "%06u", (unsigned)posmsg_terminal_stan(t));
    if (rq->kind != POSMSG_UPLOAD)
        assert_field(m, 11, stan);
    assert_field(m, 12, "143005");
    assert_field(m, 13, "0315");
    assert_field(m, 7, cup ? NULL : WHEN);
    assert_field(m, 41, TID);
    assert_field(m, 42, MID);
    assert_field(m, 49, CUR);
    host_verify_mac(t, m, req, pin_key);
    if (iso8583_has(m, 52))
        assert_pin(m, pin_key, PAN);
    assert_field(m, 53, cup && iso8583_has(m, 52) ? "2600000000000000" : NULL);
    assert_true(iso8583_has(m, 62) == (t->scheme == POSMSG_DUKPT_TDES));
}

static void test_purchase_all_dialects(void **state)
{
    size_t i, s;
    (void)state;

    for (s = 0; s < 2; s++) {
        for (i = 0; i < 3; i++) {
            struct posmsg_terminal t;
            struct posmsg_request rq = {
                .kind = POSMSG_PURCHASE, .when = WHEN, .amount = 1234, .card = &swipe_pin};
            struct posmsg_card keyed = {.pan = PAN, .expiry = "3012", .pin = PIN};
            struct posmsg_sent sent;
            struct posmsg_reply r;
            struct iso8583_msg m;
            uint8_t req[POSMSG_MAX], rsp[POSMSG_MAX];
            size_t len = 0, rlen;
            struct reply_opts o = {.rc = "00", .rrn = RRN, .auth = "A1B2C3", .mac = true};

            term_up(&t, dialects[i], s == 0 ? POSMSG_MKSK_TDES : POSMSG_DUKPT_TDES);
            build_check(&t, &rq, req, &len, &m, &sent, "0200");
            assert_field(&m, 3, "000000");
            assert_field(&m, 4, "000000001234");
            assert_field(&m, 35, TRACK);
            assert_field(&m, 2, NULL);
            assert_field(&m, 22, "021");
            assert_field(&m, 25, "00");
            assert_field(&m, 60, "22000001000");
            assert_string_equal(sent.stan, s == 0 ? "000002" : "000001");
            rlen = host_reply(&t, req, len, &o, rsp, sizeof(rsp));
            assert_int_equal(posmsg_reply_check(&t, &sent, rsp, rlen, &r, NULL), POS_OK);
            assert_true(posmsg_reply_is_approved(&r));
            assert_string_equal(r.rrn, RRN);
            assert_string_equal(r.auth, "A1B2C3");
            assert_int_equal(r.batch, 1);
            posmsg_sent_clear(&sent);

            /* keyed, no PIN -> 012; keyed with PIN -> 011 */
            rq.card = &keyed;
            build_check(&t, &rq, req, &len, &m, &sent, "0200");
            assert_field(&m, 2, PAN);
            assert_field(&m, 14, "3012");
            assert_field(&m, 35, NULL);
            assert_field(&m, 22, "011");
            keyed.pin = NULL;
            build_check(&t, &rq, req, &len, &m, &sent, "0200");
            assert_field(&m, 22, "012");
            assert_field(&m, 52, NULL);
            posmsg_terminal_clear(&t);
            sesskey_set_clear(&H.ks);
        }
    }
}

static void test_chip(void **state)
{
    static const uint8_t icc[] = {0x9F, 0x26, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x9F, 0x27, 0x01, 0x80};
    size_t i;
    (void)state;

    for (i = 0; i < 3; i++) {
        struct posmsg_terminal t;
        struct posmsg_card c = {.track2 = TRACK, .icc = icc, .icc_len = sizeof(icc), .pin = PIN};
        struct posmsg_request rq = {.kind = POSMSG_PURCHASE, .when = WHEN, .amount = 5, .card = &c};
        struct posmsg_sent sent;
        struct iso8583_msg m;
        uint8_t req[POSMSG_MAX], got[300];
        size_t len = 0, n = 0;
        char hex[64];

        term_up(&t, dialects[i], POSMSG_DUKPT_TDES);
        build_check(&t, &rq, req, &len, &m, &sent, "0200");
        assert_field(&m, 22, "051");
        if (i == 0) {
            assert_int_equal(iso8583_get_value(&m, 55, got, sizeof(got), &n), POS_OK);
            assert_buf_equal(got, n, icc, sizeof(icc));
        } else {
            pos_hex_encode(icc, sizeof(icc), hex, sizeof(hex));
            assert_field(&m, 55, hex);
        }
        c.contactless = true;
        c.pin = NULL;
        build_check(&t, &rq, req, &len, &m, &sent, "0200");
        assert_field(&m, 22, "072");
        posmsg_terminal_clear(&t);
    }
}

/* Every other request kind, in every dialect, mksk and dukpt. */
static void test_all_kinds(void **state)
{
    const struct posmsg_orig orig = {.batch = 1, .stan = 7, .date = "0315", .rrn = RRN};
    const struct posmsg_totals tot = {3, 4500, 1, 100};
    size_t i, s;
    (void)state;

    for (s = 0; s < 2; s++) {
        for (i = 0; i < 3; i++) {
            struct posmsg_terminal t;
            struct posmsg_request rq = {
                .when = WHEN, .amount = 900, .card = &swipe_pin, .orig = &orig, .totals = &tot};
            struct posmsg_sent sent;
            struct iso8583_msg m;
            uint8_t req[POSMSG_MAX];
            size_t len = 0;

            term_up(&t, dialects[i], s == 0 ? POSMSG_MKSK_TDES : POSMSG_DUKPT_TDES);
            rq.kind = POSMSG_BALANCE;
            build_check(&t, &rq, req, &len, &m, &sent, "0200");
            assert_field(&m, 3, "310000");
            assert_field(&m, 4, NULL);
            assert_field(&m, 25, "00");
            assert_field(&m, 60, "01000001000");
            assert_true(iso8583_has(&m, 52));

            rq.kind = POSMSG_PREAUTH;
            build_check(&t, &rq, req, &len, &m, &sent, "0100");
            assert_field(&m, 3, "030000");
            assert_field(&m, 4, "000000000900");
            assert_field(&m, 25, "06");
            assert_field(&m, 61, NULL);

            rq.kind = POSMSG_PREAUTH_CANCEL;
            rq.card = NULL;
            build_check(&t, &rq, req, &len, &m, &sent, "0100");
            assert_field(&m, 3, "200000");
            assert_field(&m, 25, "06");
            assert_field(&m, 61, "0000010000070315");
            assert_field(&m, 35, NULL);
            assert_field(&m, 22, NULL);

            rq.kind = POSMSG_COMPLETION;
            build_check(&t, &rq, req, &len, &m, &sent, "0200");
            assert_field(&m, 3, "000000");
            assert_field(&m, 25, "06");
            assert_field(&m, 61, "0000010000070315");
            assert_field(&m, 60, "20000001000");

            rq.kind = POSMSG_VOID;
            build_check(&t, &rq, req, &len, &m, &sent, "0200");
            assert_field(&m, 3, "200000");
            assert_field(&m, 25, "00");
            assert_field(&m, 61, "0000010000070315");
            assert_field(&m, 60, "23000001000");

            rq.kind = POSMSG_REFUND;
            build_check(&t, &rq, req, &len, &m, &sent, "0220");
            assert_field(&m, 3, "200000");
            assert_field(&m, 37, RRN);
            assert_field(&m, 61, "0000010000070315");
            assert_field(&m, 60, "25000001000");

            rq.kind = POSMSG_ADVICE;
            rq.card = &swipe_pin; /* the PIN is never sent in an advice */
            build_check(&t, &rq, req, &len, &m, &sent, "0220");
            assert_field(&m, 3, "000000");
            assert_field(&m, 52, NULL);
            assert_field(&m, 22, "022");
            assert_field(&m, 35, TRACK);

            rq.kind = POSMSG_SETTLE;
            build_check(&t, &rq, req, &len, &m, &sent, "0500");
            assert_field(&m, 48, "003000000004500001000000000100");
            assert_field(&m, 60, "00000001201");
            assert_field(&m, 4, NULL);

            rq.kind = POSMSG_UPLOAD;
            rq.upload_stan = 42;
            rq.upload_proc = NULL;
            {
                uint32_t before = posmsg_terminal_stan(&t);
                build_check(&t, &rq, req, &len, &m, &sent, "0320");
                assert_int_equal(posmsg_terminal_stan(&t), before); /* its own STAN */
            }
            assert_field(&m, 11, "000042");
            assert_field(&m, 3, "000000");
            assert_field(&m, 4, "000000000900");
            assert_field(&m, 22, "022");
            assert_field(&m, 60, "00000001201");

            rq.kind = POSMSG_ECHO;
            assert_int_equal(posmsg_build(&t, &rq, req, sizeof(req), &len, &sent, NULL), POS_OK);
            assert_int_equal(iso8583_decode(t.d, req, len, &m, NULL), POS_OK);
            assert_string_equal(iso8583_get_mti(&m), "0820");
            assert_field(&m, 64, NULL);
            assert_field(&m, 62, NULL);
            assert_field(&m, 41, TID);
            assert_false(sent.mac);
            posmsg_terminal_clear(&t);
            sesskey_set_clear(&H.ks);
        }
    }
}

static void test_reversal(void **state)
{
    size_t i, s;
    (void)state;

    for (s = 0; s < 2; s++) {
        for (i = 0; i < 3; i++) {
            struct posmsg_terminal t;
            struct posmsg_request rq = {
                .kind = POSMSG_PURCHASE, .when = WHEN, .amount = 777, .card = &swipe_pin};
            struct posmsg_sent orig, rev;
            struct posmsg_reply r;
            struct iso8583_msg m;
            uint8_t req[POSMSG_MAX], rsp[POSMSG_MAX], pin_key[16];
            size_t len = 0, rlen;
            bool cup = i == 0;
            struct reply_opts o = {.rc = "00", .mac = true};
            char f90[64];

            term_up(&t, dialects[i], s == 0 ? POSMSG_MKSK_TDES : POSMSG_DUKPT_TDES);
            build_check(&t, &rq, req, &len, &m, &orig, "0200");
            assert_int_equal(posmsg_build_reversal(&t, &orig, false, "0315143107", req, sizeof(req),
                                                   &len, &rev, NULL),
                             POS_OK);
            assert_int_equal(iso8583_decode(t.d, req, len, &m, NULL), POS_OK);
            assert_string_equal(iso8583_get_mti(&m), "0400");
            assert_field(&m, 3, "000000");
            assert_field(&m, 4, "000000000777");
            assert_field(&m, 25, "00");
            assert_field(&m, 60, "22000001000");
            assert_field(&m, 52, NULL);
            assert_field(&m, 35, NULL);
            host_verify_mac(&t, &m, req, pin_key);
            if (cup) { /* the original's own STAN and time */
                assert_field(&m, 11, orig.stan);
                assert_field(&m, 12, "143005");
                assert_field(&m, 13, "0315");
            } else {
                char stan[7];
                snprintf(stan, sizeof(stan), "%06u", (unsigned)posmsg_terminal_stan(&t));
                assert_string_not_equal(stan, orig.stan);
                assert_field(&m, 11, stan);
                assert_field(&m, 7, "0315143107");
                snprintf(f90, sizeof(f90), "0200%s%s0000000000000000000000", orig.stan, WHEN);
                assert_field(&m, 90, f90);
            }
            rlen = host_reply(&t, req, len, &o, rsp, sizeof(rsp));
            assert_int_equal(posmsg_reply_check(&t, &rev, rsp, rlen, &r, NULL), POS_OK);
            assert_string_equal(r.mti, "0410");
            /* a repeat: 0420 */
            assert_int_equal(posmsg_build_reversal(&t, &orig, true, "0315143207", req, sizeof(req),
                                                   &len, &rev, NULL),
                             POS_OK);
            assert_int_equal(iso8583_decode(t.d, req, len, &m, NULL), POS_OK);
            assert_string_equal(iso8583_get_mti(&m), "0420");
            host_verify_mac(&t, &m, req, pin_key);
            /* what cannot be reversed */
            rq.kind = POSMSG_BALANCE;
            build_check(&t, &rq, req, &len, &m, &orig, "0200");
            assert_int_equal(posmsg_build_reversal(&t, &orig, false, "0315143107", req, sizeof(req),
                                                   &len, &rev, NULL),
                             POS_ERR_INVAL);
            posmsg_terminal_clear(&t);
            sesskey_set_clear(&H.ks);
        }
    }
}

/* Replies: balance, settlement, and every kind of bad one. */
static void test_replies(void **state)
{
    size_t i, s;
    (void)state;

    for (s = 0; s < 2; s++) {
        for (i = 0; i < 3; i++) {
            struct posmsg_terminal t;
            struct posmsg_request rq = {.kind = POSMSG_BALANCE, .when = WHEN, .card = &swipe_pin};
            const struct posmsg_totals tot = {1, 100, 0, 0};
            struct posmsg_sent sent;
            struct posmsg_reply r;
            struct pos_errdetail d;
            struct iso8583_msg m;
            uint8_t req[POSMSG_MAX], rsp[POSMSG_MAX];
            size_t len = 0, rlen;
            struct reply_opts o = {.rc = "00", .mac = true, .f54 = "1002156C000000012345"};

            term_up(&t, dialects[i], s == 0 ? POSMSG_MKSK_TDES : POSMSG_DUKPT_TDES);
            build_check(&t, &rq, req, &len, &m, &sent, "0200");
            rlen = host_reply(&t, req, len, &o, rsp, sizeof(rsp));
            assert_int_equal(posmsg_reply_check(&t, &sent, rsp, rlen, &r, NULL), POS_OK);
            assert_true(r.has_balance);
            assert_int_equal(r.balance, 12345);
            assert_int_equal(r.balance_currency, 156);
            o.f54 = "1002156D000000000042";
            rlen = host_reply(&t, req, len, &o, rsp, sizeof(rsp));
            assert_int_equal(posmsg_reply_check(&t, &sent, rsp, rlen, &r, NULL), POS_OK);
            assert_int_equal(r.balance, -42);
            o.f54 = NULL;

            /* a decline is an outcome */
            o.rc = "51";
            rlen = host_reply(&t, req, len, &o, rsp, sizeof(rsp));
            assert_int_equal(posmsg_reply_check(&t, &sent, rsp, rlen, &r, NULL), POS_OK);
            assert_false(posmsg_reply_is_approved(&r));
            assert_string_equal(r.rc, "51");

            /* bad MAC: refused, rc kept for logs only */
            o.rc = "00";
            o.bad_mac = true;
            rlen = host_reply(&t, req, len, &o, rsp, sizeof(rsp));
            pos_errdetail_init(&d);
            assert_int_equal(posmsg_reply_check(&t, &sent, rsp, rlen, &r, &d),
                             POS_ERR_MAC_MISMATCH);
            assert_int_equal(d.field, 64);
            assert_string_equal(r.rc, "00");
            assert_false(r.has_balance);
            o.bad_mac = false;
            /* no MAC at all */
            o.mac = false;
            rlen = host_reply(&t, req, len, &o, rsp, sizeof(rsp));
            assert_int_equal(posmsg_reply_check(&t, &sent, rsp, rlen, &r, NULL),
                             POS_ERR_MAC_MISMATCH);
            o.mac = true;
            /* wrong MTI */
            o.mti = "0110";
            rlen = host_reply(&t, req, len, &o, rsp, sizeof(rsp));
            assert_int_equal(posmsg_reply_check(&t, &sent, rsp, rlen, &r, NULL), POS_ERR_MSG_MTI);
            o.mti = NULL;
            /* another STAN, another terminal */
            o.stan = "999999";
            rlen = host_reply(&t, req, len, &o, rsp, sizeof(rsp));
            pos_errdetail_init(&d);
            assert_int_equal(posmsg_reply_check(&t, &sent, rsp, rlen, &r, &d),
                             POS_ERR_MSG_MISMATCH);
            assert_int_equal(d.field, 11);
            o.stan = NULL;
            o.tid = "TERM0002";
            rlen = host_reply(&t, req, len, &o, rsp, sizeof(rsp));
            pos_errdetail_init(&d);
            assert_int_equal(posmsg_reply_check(&t, &sent, rsp, rlen, &r, &d),
                             POS_ERR_MSG_MISMATCH);
            assert_int_equal(d.field, 41);
            o.tid = NULL;
            /* no response code */
            o.rc = NULL;
            rlen = host_reply(&t, req, len, &o, rsp, sizeof(rsp));
            assert_int_equal(posmsg_reply_check(&t, &sent, rsp, rlen, &r, NULL),
                             POS_ERR_MSG_FORMAT);
            o.rc = "00";
            /* undecodable: truncated, garbage */
            rlen = host_reply(&t, req, len, &o, rsp, sizeof(rsp));
            assert_int_equal(posmsg_reply_check(&t, &sent, rsp, rlen - 3, &r, NULL),
                             POS_ERR_MSG_FORMAT);
            assert_int_equal(
                posmsg_reply_check(&t, &sent, (const uint8_t *)"\x01\x02", 2, &r, NULL),
                POS_ERR_MSG_FORMAT);
            assert_int_equal(posmsg_reply_check(&t, &sent, rsp, 0, &r, NULL), POS_ERR_MSG_FORMAT);
            assert_int_equal(posmsg_reply_check(&t, NULL, rsp, rlen, &r, NULL), POS_ERR_INVAL);

            /* an approved purchase must carry an RRN */
            rq.kind = POSMSG_PURCHASE;
            rq.amount = 100;
            build_check(&t, &rq, req, &len, &m, &sent, "0200");
            rlen = host_reply(&t, req, len, &o, rsp, sizeof(rsp));
            pos_errdetail_init(&d);
            assert_int_equal(posmsg_reply_check(&t, &sent, rsp, rlen, &r, &d), POS_ERR_MSG_FORMAT);
            assert_int_equal(d.field, 37);

            /* settlement result */
            rq.kind = POSMSG_SETTLE;
            rq.totals = &tot;
            build_check(&t, &rq, req, &len, &m, &sent, "0500");
            o.f48 = "0010000000001000000000000000002";
            rlen = host_reply(&t, req, len, &o, rsp, sizeof(rsp));
            assert_int_equal(posmsg_reply_check(&t, &sent, rsp, rlen, &r, NULL), POS_OK);
            assert_int_equal(r.settle_result, 2);
            o.f48 = NULL;
            rlen = host_reply(&t, req, len, &o, rsp, sizeof(rsp));
            assert_int_equal(posmsg_reply_check(&t, &sent, rsp, rlen, &r, NULL),
                             POS_ERR_MSG_FORMAT);
            posmsg_terminal_clear(&t);
            sesskey_set_clear(&H.ks);
        }
    }
}

/* A sign-on reply whose keys fail their check values loads nothing. */
static void test_signon_bad_keys(void **state)
{
    struct posmsg_terminal t;
    struct posmsg_request rq = {.kind = POSMSG_SIGNON, .when = WHEN};
    struct posmsg_sent sent;
    struct posmsg_reply r;
    uint8_t req[POSMSG_MAX], rsp[POSMSG_MAX], f62[SESSKEY_F62_MAX];
    size_t len = 0, rlen, f62_len = 0;
    struct reply_opts o = {.rc = "00"};
    (void)state;

    assert_int_equal(posmsg_terminal_init_mksk(&t, "cup", TID, MID, CUR, 1, hexkey(TMK), 16, NULL),
                     POS_OK);
    assert_int_equal(posmsg_build(&t, &rq, req, sizeof(req), &len, &sent, NULL), POS_OK);
    assert_int_equal(sesskey_generate(&H.ks, KEY_SCHEME_TDES, SESSKEY_MAK_DOUBLE), POS_OK);
    assert_int_equal(sesskey_f62_encode(&H.ks, hexkey(TMK), 16, f62, sizeof(f62), &f62_len),
                     POS_OK);
    f62[2] ^= 0x40; /* the PIK as the terminal deciphers it no longer matches its CV */
    o.f62 = f62;
    o.f62_len = f62_len;
    rlen = host_reply(&t, req, len, &o, rsp, sizeof(rsp));
    assert_int_equal(posmsg_reply_check(&t, &sent, rsp, rlen, &r, NULL), POS_ERR_KCV_MISMATCH);
    assert_false(posmsg_terminal_is_ready(&t));
    o.f62 = NULL; /* approved without keys */
    rlen = host_reply(&t, req, len, &o, rsp, sizeof(rsp));
    assert_int_equal(posmsg_reply_check(&t, &sent, rsp, rlen, &r, NULL), POS_ERR_MSG_FORMAT);
    o.f62 = f62;
    o.f62_len = 7; /* no layout has 7 bytes */
    rlen = host_reply(&t, req, len, &o, rsp, sizeof(rsp));
    assert_int_equal(posmsg_reply_check(&t, &sent, rsp, rlen, &r, NULL), POS_ERR_LENGTH);
    assert_false(posmsg_terminal_is_ready(&t));
    o.rc = "58"; /* declined sign-on: nothing loaded, no error */
    o.f62 = NULL;
    rlen = host_reply(&t, req, len, &o, rsp, sizeof(rsp));
    assert_int_equal(posmsg_reply_check(&t, &sent, rsp, rlen, &r, NULL), POS_OK);
    assert_false(r.keys_loaded);
    assert_false(posmsg_terminal_is_ready(&t));
    posmsg_terminal_clear(&t);
    sesskey_set_clear(&H.ks);
}

/* DUKPT: one KSN per MACed request, carried in field 62, none for echo. */
static void test_dukpt_ksn(void **state)
{
    struct posmsg_terminal t;
    struct posmsg_request rq = {
        .kind = POSMSG_PURCHASE, .when = WHEN, .amount = 1, .card = &swipe_pin};
    struct posmsg_sent sent;
    struct iso8583_msg m;
    uint8_t req[POSMSG_MAX], ksn[10];
    char want[21];
    size_t len = 0, n = 0;
    unsigned c;
    (void)state;

    term_up(&t, "cup", POSMSG_DUKPT_TDES);
    for (c = 1; c <= 3; c++) {
        build_check(&t, &rq, req, &len, &m, &sent, "0200");
        assert_int_equal(iso8583_get_value(&m, 62, ksn, sizeof(ksn), &n), POS_OK);
        snprintf(want, sizeof(want), "FFFF9876543210E0000%u", c);
        assert_buf_equal(ksn, n, hexkey(want), 10);
        assert_bytes_equal(sent.ksn, ksn, 10);
        assert_int_equal(posmsg_terminal_dukpt_counter(&t), c + 1);
    }
    rq.kind = POSMSG_ECHO;
    assert_int_equal(posmsg_build(&t, &rq, req, sizeof(req), &len, &sent, NULL), POS_OK);
    assert_int_equal(posmsg_terminal_dukpt_counter(&t), 4);
    posmsg_terminal_clear(&t);
    /* iso87b: 20 hex characters; a resumed device continues at its KSN */
    assert_int_equal(posmsg_terminal_init_dukpt(&t, "iso87b", TID, MID, CUR, 1, hexkey(IPEK), 16,
                                                hexkey("FFFF9876543210E00009"), NULL),
                     POS_OK);
    rq.kind = POSMSG_PURCHASE;
    build_check(&t, &rq, req, &len, &m, &sent, "0200");
    assert_field(&m, 62, "FFFF9876543210E00009");
    posmsg_terminal_clear(&t);
}

/* Bad input: a clear error, and the STAN and DUKPT counter untouched. */
static void test_build_errors(void **state)
{
    struct posmsg_terminal t;
    struct posmsg_card c = {.track2 = TRACK, .pin = PIN};
    struct posmsg_request rq = {.kind = POSMSG_PURCHASE, .when = WHEN, .amount = 1, .card = &c};
    struct posmsg_orig o = {.batch = 1, .stan = 1, .date = "0315", .rrn = NULL};
    struct posmsg_sent sent;
    struct pos_errdetail d;
    uint8_t req[POSMSG_MAX];
    size_t len = 0;
    (void)state;

    /* init */
    assert_int_equal(posmsg_terminal_init_mksk(&t, "x25", TID, MID, CUR, 1, hexkey(TMK), 16, NULL),
                     POS_ERR_INVAL);
    assert_int_equal(posmsg_terminal_init_mksk(&t, "cup", "T1", MID, CUR, 1, hexkey(TMK), 16, NULL),
                     POS_ERR_INVAL);
    assert_int_equal(posmsg_terminal_init_mksk(&t, "cup", TID, "M", CUR, 1, hexkey(TMK), 16, NULL),
                     POS_ERR_INVAL);
    assert_int_equal(
        posmsg_terminal_init_mksk(&t, "cup", TID, MID, "CNY", 1, hexkey(TMK), 16, NULL),
        POS_ERR_INVAL);
    assert_int_equal(posmsg_terminal_init_mksk(&t, "cup", TID, MID, CUR, 0, hexkey(TMK), 16, NULL),
                     POS_ERR_INVAL);
    assert_int_equal(posmsg_terminal_init_mksk(&t, "cup", TID, MID, CUR, 1, hexkey(TMK), 8, NULL),
                     POS_ERR_KEY_LENGTH);
    assert_int_equal(posmsg_terminal_init_dukpt(&t, "cup", TID, MID, CUR, 1, hexkey(IPEK), 16,
                                                hexkey("FFFF9876543210E007FF"), NULL),
                     POS_ERR_KSN); /* 11 one-bits */

    /* mksk before sign-on */
    assert_int_equal(posmsg_terminal_init_mksk(&t, "cup", TID, MID, CUR, 1, hexkey(TMK), 16, NULL),
                     POS_OK);
    pos_errdetail_init(&d);
    assert_int_equal(posmsg_build(&t, &rq, req, sizeof(req), &len, &sent, &d), POS_ERR_STATE);
    assert_int_equal(posmsg_terminal_stan(&t), 0);
    posmsg_terminal_clear(&t);

    term_up(&t, "iso87b", POSMSG_DUKPT_TDES);
    rq.when = "0315";
    assert_int_equal(posmsg_build(&t, &rq, req, sizeof(req), &len, &sent, NULL), POS_ERR_INVAL);
    rq.when = WHEN;
    rq.amount = 0;
    assert_int_equal(posmsg_build(&t, &rq, req, sizeof(req), &len, &sent, NULL), POS_ERR_RANGE);
    rq.amount = INT64_C(1000000000000);
    assert_int_equal(posmsg_build(&t, &rq, req, sizeof(req), &len, &sent, NULL), POS_ERR_RANGE);
    rq.amount = 1;
    c.pin = "12";
    assert_int_equal(posmsg_build(&t, &rq, req, sizeof(req), &len, &sent, NULL),
                     POS_ERR_PIN_LENGTH);
    c.pin = "12a4";
    assert_int_equal(posmsg_build(&t, &rq, req, sizeof(req), &len, &sent, NULL),
                     POS_ERR_PIN_LENGTH);
    c.pin = PIN;
    c.track2 = "4012=";
    assert_int_not_equal(posmsg_build(&t, &rq, req, sizeof(req), &len, &sent, NULL), POS_OK);
    c.track2 = NULL;
    assert_int_equal(posmsg_build(&t, &rq, req, sizeof(req), &len, &sent, NULL), POS_ERR_INVAL);
    c.pan = "40123";
    c.expiry = "3012";
    assert_int_equal(posmsg_build(&t, &rq, req, sizeof(req), &len, &sent, NULL), POS_ERR_CARD_PAN);
    c.pan = PAN;
    c.expiry = "30";
    assert_int_equal(posmsg_build(&t, &rq, req, sizeof(req), &len, &sent, NULL), POS_ERR_INVAL);
    c.expiry = "3012";
    rq.card = NULL;
    assert_int_equal(posmsg_build(&t, &rq, req, sizeof(req), &len, &sent, NULL), POS_ERR_INVAL);
    rq.card = &c;
    assert_int_equal(posmsg_build(&t, &rq, req, 20, &len, &sent, NULL), POS_ERR_NOSPACE);
    rq.kind = POSMSG_VOID; /* no original */
    assert_int_equal(posmsg_build(&t, &rq, req, sizeof(req), &len, &sent, NULL), POS_ERR_INVAL);
    rq.kind = POSMSG_REFUND; /* no RRN */
    rq.orig = &o;
    pos_errdetail_init(&d);
    assert_int_equal(posmsg_build(&t, &rq, req, sizeof(req), &len, &sent, &d), POS_ERR_INVAL);
    assert_int_equal(d.field, 37);
    rq.kind = POSMSG_SETTLE; /* no totals */
    assert_int_equal(posmsg_build(&t, &rq, req, sizeof(req), &len, &sent, NULL), POS_ERR_RANGE);
    rq.kind = POSMSG_UPLOAD; /* no STAN */
    assert_int_equal(posmsg_build(&t, &rq, req, sizeof(req), &len, &sent, NULL), POS_ERR_INVAL);
    rq.kind = POSMSG_REVERSAL;
    assert_int_equal(posmsg_build(&t, &rq, req, sizeof(req), &len, &sent, NULL), POS_ERR_INVAL);
    rq.kind = (enum posmsg_kind)99;
    assert_int_equal(posmsg_build(&t, &rq, req, sizeof(req), &len, &sent, NULL), POS_ERR_INVAL);
    assert_int_equal(posmsg_build(NULL, &rq, req, sizeof(req), &len, &sent, NULL), POS_ERR_INVAL);
    /* nothing spent */
    assert_int_equal(posmsg_terminal_stan(&t), 0);
    assert_int_equal(posmsg_terminal_dukpt_counter(&t), 1);
    posmsg_terminal_clear(&t);
    assert_string_equal(posmsg_kind_name(POSMSG_PURCHASE), "purchase");
    assert_string_equal(posmsg_kind_name((enum posmsg_kind)0), "unknown");
}

static void test_stan_batch(void **state)
{
    struct posmsg_terminal t;
    struct posmsg_request rq = {.kind = POSMSG_ECHO, .when = WHEN};
    struct posmsg_sent sent;
    uint8_t req[POSMSG_MAX];
    size_t len = 0;
    (void)state;

    term_up(&t, "iso87a", POSMSG_DUKPT_TDES);
    assert_int_equal(posmsg_terminal_set_stan(&t, 1000000), POS_ERR_RANGE);
    assert_int_equal(posmsg_terminal_set_stan(&t, 999999), POS_OK);
    assert_int_equal(posmsg_build(&t, &rq, req, sizeof(req), &len, &sent, NULL), POS_OK);
    assert_string_equal(sent.stan, "000001"); /* wraps */
    assert_int_equal(posmsg_terminal_set_batch(&t, 0), POS_ERR_RANGE);
    assert_int_equal(posmsg_terminal_set_batch(&t, 2), POS_OK);
    assert_int_equal(posmsg_terminal_batch(&t), 2);
    posmsg_terminal_clear(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_purchase_all_dialects),
        cmocka_unit_test(test_chip),
        cmocka_unit_test(test_all_kinds),
        cmocka_unit_test(test_reversal),
        cmocka_unit_test(test_replies),
        cmocka_unit_test(test_signon_bad_keys),
        cmocka_unit_test(test_dukpt_ksn),
        cmocka_unit_test(test_build_errors),
        cmocka_unit_test(test_stan_batch),
    };
    if (pos_crypto_init() != POS_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
