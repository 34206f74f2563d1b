/* proto: parse requests and build replies (docs/protocol.md). */
#include "host/proto.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "card.h"
#include "error.h"
#include "hex.h"
#include "mem.h"
#include "money.h"

/* Copies field fld as text into out (cap bytes, NUL-terminated); false when
 * absent or too long. */
static bool proto__text(const struct proto_req *r, int fld, char *out, size_t cap)
{
    size_t n = 0;

    out[0] = '\0';
    if (!iso8583_has(&r->m, fld))
        return false;
    if (iso8583_get_text(&r->m, fld, out, cap, &n) != POS_OK) {
        out[0] = '\0';
        return false;
    }
    return true;
}

/* Field fld as exactly want digits into out[want + 1]. */
static bool proto__digits(const struct proto_req *r, int fld, char *out, size_t want)
{
    char buf[64];

    if (!proto__text(r, fld, buf, sizeof(buf)) || strlen(buf) != want ||
        !pos_is_digits(buf, want))
        return false;
    memcpy(out, buf, want + 1);
    return true;
}

static void proto__classify(struct proto_req *r)
{
    const char *p = r->proc;
    bool preauth_family = strcmp(r->cond, "06") == 0;

    r->op = PROTO_UNSUPPORTED;
    if (strcmp(r->mti, "0800") == 0) {
        r->op = PROTO_SIGNON;
    } else if (strcmp(r->mti, "0820") == 0) {
        r->op = PROTO_ECHO;
    } else if (strcmp(r->mti, "0500") == 0) {
        r->op = PROTO_SETTLE;
    } else if (strcmp(r->mti, "0320") == 0) {
        r->op = PROTO_UPLOAD;
        r->kind = ENGINE_ADVICE;
    } else if (strcmp(r->mti, "0400") == 0 || strcmp(r->mti, "0401") == 0 ||
               strcmp(r->mti, "0420") == 0 || strcmp(r->mti, "0421") == 0) {
        r->op = PROTO_ENGINE;
        r->kind = ENGINE_REVERSAL;
    } else if (strcmp(r->mti, "0200") == 0 || strcmp(r->mti, "0201") == 0) {
        r->op = PROTO_ENGINE;
        if (strncmp(p, "31", 2) == 0)
            r->kind = ENGINE_BALANCE;
        else if (strncmp(p, "00", 2) == 0)
            r->kind = preauth_family ? ENGINE_COMPLETION : ENGINE_PURCHASE;
        else if (strncmp(p, "20", 2) == 0)
            r->kind = ENGINE_VOID;
        else
            r->op = PROTO_UNSUPPORTED;
    } else if (strcmp(r->mti, "0100") == 0 || strcmp(r->mti, "0101") == 0) {
        r->op = PROTO_ENGINE;
        if (strncmp(p, "03", 2) == 0)
            r->kind = ENGINE_PREAUTH;
        else if (strncmp(p, "20", 2) == 0)
            r->kind = ENGINE_PREAUTH_CANCEL;
        else
            r->op = PROTO_UNSUPPORTED;
    } else if (strcmp(r->mti, "0220") == 0 || strcmp(r->mti, "0221") == 0) {
        r->op = PROTO_ENGINE;
        if (strncmp(p, "20", 2) == 0)
            r->kind = ENGINE_REFUND;
        else if (strncmp(p, "00", 2) == 0)
            r->kind = ENGINE_ADVICE;
        else
            r->op = PROTO_UNSUPPORTED;
    }
}

/* The card: keyed PAN (2, 14) or track 2 (35). Returns false when the data
 * present is malformed. */
static bool proto__card(struct proto_req *r)
{
    char buf[64];
    struct card_track t;
    const char *v;
    size_t n = 0;
    bool ok = false;

    if (iso8583_has(&r->m, 35)) {
        card_track_init(&t);
        if (proto__text(r, 35, buf, sizeof(buf)) &&
            card_track2_parse(buf, strlen(buf), &t, NULL) == POS_OK) {
            v = card_track_get(&t, CARD_TRACK_PAN, &n);
            if (v != NULL && n > 0 && n <= PROTO_PAN_MAX) {
                memcpy(r->pan, v, n);
                r->pan[n] = '\0';
                r->pan_len = n;
                v = card_track_get(&t, CARD_TRACK_EXPIRY, &n);
                if (v != NULL && n == 4)
                    memcpy(r->expiry, v, 5);
                ok = true;
            }
        }
        card_track_clear(&t);
        pos_wipe(buf, sizeof(buf));
        r->has_card = ok;
        return ok;
    }
    if (iso8583_has(&r->m, 2)) {
        if (!proto__text(r, 2, buf, sizeof(buf)) || strlen(buf) > PROTO_PAN_MAX ||
            !pos_is_digits(buf, strlen(buf))) {
            pos_wipe(buf, sizeof(buf));
            return false;
        }
        r->pan_len = strlen(buf);
        memcpy(r->pan, buf, r->pan_len + 1);
        pos_wipe(buf, sizeof(buf));
        if (iso8583_has(&r->m, 14) && !proto__digits(r, 14, r->expiry, 4))
            return false;
        r->has_card = true;
    }
    return true;
}

/* Field 61: original batch n6 + original STAN n6 + original date n4. */
static void proto__f61(struct proto_req *r)
{
    char buf[40];

    if (proto__text(r, 61, buf, sizeof(buf)) && strlen(buf) >= 12 && pos_is_digits(buf, 12))
        memcpy(r->orig_stan, buf + 6, 6), r->orig_stan[6] = '\0';
}

/* Field 90: original MTI n4 + STAN n6 + transmission date-time n10 + ... */
static void proto__f90(struct proto_req *r)
{
    char buf[48];

    if (proto__text(r, 90, buf, sizeof(buf)) && strlen(buf) >= 20 && pos_is_digits(buf, 20)) {
        memcpy(r->orig_stan, buf + 4, 6), r->orig_stan[6] = '\0';
        memcpy(r->orig_time, buf + 10, 10), r->orig_time[10] = '\0';
    }
}

static bool proto__n(const char *s, size_t len, int64_t *out)
{
    uint64_t v = 0;

    if (pos_parse_digits_u64(s, len, &v) != POS_OK)
        return false;
    *out = (int64_t)v;
    return true;
}

/* Field 48 of a 0500: n3 n12 n3 n12. */
static bool proto__totals(struct proto_req *r)
{
    char buf[400];

    if (!proto__text(r, 48, buf, sizeof(buf)) || strlen(buf) < 30)
        return false;
    if (!proto__n(buf, 3, &r->totals.debit_count) || !proto__n(buf + 3, 12, &r->totals.debit_amount) ||
        !proto__n(buf + 15, 3, &r->totals.credit_count) ||
        !proto__n(buf + 18, 12, &r->totals.credit_amount))
        return false;
    r->has_totals = true;
    return true;
}

static bool proto__ksn(struct proto_req *r)
{
    uint8_t raw[32];
    size_t n = 0;

    if (!iso8583_has(&r->m, 62))
        return true;
    if (iso8583_get_value(&r->m, 62, raw, sizeof(raw), &n) != POS_OK)
        return false;
    if (n == 10) {
        memcpy(r->ksn, raw, 10);
    } else if (n == 20 && pos_hex_decode((const char *)raw, 20, r->ksn, 10, &n) == POS_OK) {
        /* iso87 character field: 20 hex digits */
    } else {
        return false;
    }
    r->has_ksn = true;
    return true;
}

int proto_parse(const struct iso8583_dialect *d, const uint8_t *frame, size_t len,
                struct proto_req *r, char rc[3], struct pos_errdetail *det)
{
    char buf[64], date[5], time[7];
    int err;

    memset(r, 0, sizeof(*r));
    rc[0] = '\0';
    r->d = d;
    err = iso8583_decode(d, frame, len, &r->m, det);
    if (err != POS_OK)
        return err;
    memcpy(r->mti, iso8583_get_mti(&r->m), 5);
    (void)proto__text(r, 3, r->proc, sizeof(r->proc));
    (void)proto__text(r, 25, r->cond, sizeof(r->cond));
    (void)proto__text(r, 22, r->entry, sizeof(r->entry));
    (void)proto__text(r, 41, r->tid, sizeof(r->tid));
    (void)proto__text(r, 42, r->mid, sizeof(r->mid));
    r->has_mac = iso8583_has(&r->m, 64);
    proto__classify(r);
    /* Every request names its terminal and trace number. */
    if (strlen(r->tid) != 8 || !proto__digits(r, 11, r->stan, 6)) {
        memcpy(rc, "30", 3);
        return POS_OK;
    }
    if (r->op == PROTO_UNSUPPORTED) {
        memcpy(rc, "12", 3);
        return POS_OK;
    }
    if (!proto__digits(r, 7, r->tx_time, 10)) {
        if (!proto__digits(r, 13, date, 4) || !proto__digits(r, 12, time, 6)) {
            if (r->op != PROTO_SIGNON && r->op != PROTO_ECHO) {
                memcpy(rc, "30", 3);
                return POS_OK;
            }
        } else {
            snprintf(r->tx_time, sizeof(r->tx_time), "%s%s", date, time);
        }
    }
    if (proto__text(r, 60, buf, sizeof(buf)) && strlen(buf) >= 8 && pos_is_digits(buf + 2, 6))
        (void)proto__n(buf + 2, 6, &r->batch_no);
    if (r->op == PROTO_SIGNON || r->op == PROTO_ECHO)
        return POS_OK;
    if (iso8583_has(&r->m, 4)) {
        if (!proto__text(r, 4, buf, sizeof(buf)) ||
            money_iso8583_amount_parse(buf, strlen(buf), &r->amount) != POS_OK) {
            memcpy(rc, "13", 3);
            return POS_OK;
        }
        r->has_amount = true;
    }
    if (iso8583_has(&r->m, 49)) {
        int64_t cur = 0;
        if (!proto__text(r, 49, buf, sizeof(buf)) || strlen(buf) != 3 || !proto__n(buf, 3, &cur)) {
            memcpy(rc, "30", 3);
            return POS_OK;
        }
        r->currency = (uint16_t)cur;
    }
    if (!proto__card(r) || !proto__ksn(r)) {
        memcpy(rc, "30", 3);
        return POS_OK;
    }
    if (iso8583_has(&r->m, 52)) {
        size_t n = 0;
        if (iso8583_get_value(&r->m, 52, r->pinblock, sizeof(r->pinblock), &n) != POS_OK ||
            n != 8) {
            memcpy(rc, "30", 3);
            return POS_OK;
        }
        r->has_pin = true;
    }
    if (r->op == PROTO_SETTLE) {
        if (!proto__totals(r) || r->batch_no <= 0)
            memcpy(rc, "30", 3);
        return POS_OK;
    }
    /* originals */
    proto__f61(r);
    if (r->kind == ENGINE_REVERSAL) {
        proto__f90(r);
        if (r->orig_stan[0] == '\0') { /* cup: the reversal repeats the original's 11, 12, 13 */
            memcpy(r->orig_stan, r->stan, sizeof(r->orig_stan));
            memcpy(r->orig_time, r->tx_time, sizeof(r->orig_time));
        }
    }
    if (r->kind == ENGINE_REFUND && !proto__digits(r, 37, r->orig_rrn, 12)) {
        memcpy(rc, "30", 3);
        return POS_OK;
    }
    if ((r->kind == ENGINE_VOID || r->kind == ENGINE_COMPLETION ||
         r->kind == ENGINE_PREAUTH_CANCEL) &&
        r->orig_stan[0] == '\0') {
        memcpy(rc, "30", 3);
        return POS_OK;
    }
    if (r->kind != ENGINE_REVERSAL && r->kind != ENGINE_BALANCE &&
        (!r->has_amount || r->currency == 0)) {
        memcpy(rc, "30", 3);
        return POS_OK;
    }
    if ((r->kind == ENGINE_PURCHASE || r->kind == ENGINE_BALANCE || r->kind == ENGINE_PREAUTH ||
         r->kind == ENGINE_ADVICE) &&
        !r->has_card) {
        memcpy(rc, "30", 3);
        return POS_OK;
    }
    return POS_OK;
}

void proto_req_clear(struct proto_req *r)
{
    pos_wipe(r->pan, sizeof(r->pan));
    pos_wipe(r->pinblock, sizeof(r->pinblock));
    r->pan_len = 0;
    r->has_pin = false;
}

/* The MAC of buf[start..end) into out (8 bytes). */
static int proto__mac(const struct proto_mac *mac, const uint8_t *buf, size_t start, size_t end,
                      uint8_t out[8])
{
    uint8_t full[MAC_MAX_LEN];
    size_t n = 0;
    int rc;

    if (mac->ctx != NULL) {
        mac_reset(mac->ctx);
        mac_update(mac->ctx, buf + start, end - start);
        rc = mac_final(mac->ctx, full, sizeof(full), &n);
    } else {
        rc = mac_compute(mac->alg, mac->key, mac->key_len, MAC_PAD_DEFAULT, buf + start,
                         end - start, full, sizeof(full), &n);
    }
    if (rc == POS_OK && n < 8)
        rc = POS_ERR_CRYPTO;
    if (rc == POS_OK)
        memcpy(out, full, 8);
    pos_wipe(full, sizeof(full));
    return rc;
}

int proto_mac_verify(const struct proto_req *r, const uint8_t *frame, const struct proto_mac *mac)
{
    uint8_t want[8], got[16];
    size_t start = 0, end = 0, n = 0;
    int rc;

    if (!r->has_mac || iso8583_mac_span(&r->m, &start, &end) != POS_OK)
        return POS_ERR_MAC_MISMATCH;
    if (iso8583_get_value(&r->m, 64, got, sizeof(got), &n) != POS_OK || n != 8)
        return POS_ERR_MAC_MISMATCH;
    rc = proto__mac(mac, frame, start, end, want);
    if (rc == POS_OK && CRYPTO_memcmp(want, got, 8) != 0)
        rc = POS_ERR_MAC_MISMATCH;
    pos_wipe(want, sizeof(want));
    return rc;
}

static const int proto_echo_fields[] = {3, 4, 7, 11, 12, 13, 25, 41, 42, 49};

int proto_reply_encode(const struct proto_req *r, const struct proto_reply *rp,
                       const struct proto_mac *mac, uint8_t *out, size_t cap, size_t *out_len)
{
    struct iso8583_msg m;
    char mti[5], f48[40], f54[24], f60[32], rrn[13], auth[7], f62hex[2 * 64 + 1];
    uint8_t tpdu[ISO8583_MAX_HDR], zeros[8] = {0}, code[8];
    const uint8_t *t;
    size_t i, tl = 0, start = 0, end = 0;
    int rc;

    iso8583_msg_init(&m, r->d);
    memcpy(mti, r->mti, 5);
    mti[2] = (char)(mti[2] + 1); /* 0200 -> 0210, 0420 -> 0430 */
    if (mti[3] == '1')
        mti[3] = '0'; /* a repeat (0201) is answered as the original (0210) */
    rc = iso8583_set_mti(&m, mti);
    if (rc != POS_OK)
        return rc;
    t = iso8583_get_tpdu(&r->m, &tl);
    if (tl == 5 && t != NULL) { /* swap the TPDU's destination and source */
        tpdu[0] = t[0];
        memcpy(tpdu + 1, t + 3, 2);
        memcpy(tpdu + 3, t + 1, 2);
        if ((rc = iso8583_set_tpdu(&m, tpdu, 5)) != POS_OK)
            return rc;
    }
    for (i = 0; i < sizeof(proto_echo_fields) / sizeof(proto_echo_fields[0]); i++) {
        int f = proto_echo_fields[i];
        if (iso8583_has(&r->m, f) && (rc = iso8583_copy_field(&m, &r->m, f)) != POS_OK)
            return rc;
    }
    if (rp->batch_no > 0) {
        char in60[20] = "";
        (void)proto__text(r, 60, in60, sizeof(in60));
        /* 60.1 type code, 60.2 the batch, the rest as the request had it */
        snprintf(f60, sizeof(f60), "%.2s%06d%.11s", strlen(in60) >= 2 ? in60 : "00",
                 (int)(rp->batch_no % 1000000), strlen(in60) > 8 ? in60 + 8 : "");
        rc = iso8583_set_str(&m, 60, f60);
    } else if (iso8583_has(&r->m, 60)) {
        rc = iso8583_copy_field(&m, &r->m, 60);
    }
    if (rc != POS_OK)
        return rc;
    if (rp->rrn != NULL && rp->rrn[0] != '\0') {
        snprintf(rrn, sizeof(rrn), "%s", rp->rrn);
        if ((rc = iso8583_set_str(&m, 37, rrn)) != POS_OK)
            return rc;
    }
    if (rp->auth_code != NULL && rp->auth_code[0] != '\0') {
        snprintf(auth, sizeof(auth), "%s", rp->auth_code);
        if ((rc = iso8583_set_str(&m, 38, auth)) != POS_OK)
            return rc;
    }
    memcpy(code, rp->rc, 3);
    if ((rc = iso8583_set(&m, 39, code, 2)) != POS_OK)
        return rc;
    if (rp->has_settle && r->has_totals) {
        snprintf(f48, sizeof(f48), "%03" PRId64 "%012" PRId64 "%03" PRId64 "%012" PRId64 "%c",
                 r->totals.debit_count % 1000, r->totals.debit_amount % INT64_C(1000000000000),
                 r->totals.credit_count % 1000, r->totals.credit_amount % INT64_C(1000000000000),
                 rp->balanced ? '1' : '2');
        if ((rc = iso8583_set_str(&m, 48, f48)) != POS_OK)
            return rc;
    }
    if (rp->has_balance) {
        snprintf(f54, sizeof(f54), "1002%03u%c%012" PRId64, (unsigned)rp->currency,
                 rp->balance < 0 ? 'D' : 'C',
                 (rp->balance < 0 ? -rp->balance : rp->balance) % INT64_C(1000000000000));
        if ((rc = iso8583_set_str(&m, 54, f54)) != POS_OK)
            return rc;
    }
    if (rp->f62 != NULL && r->d->f[62].type == ISO8583_T_B) {
        if ((rc = iso8583_set(&m, 62, rp->f62, rp->f62_len)) != POS_OK)
            return rc;
    } else if (rp->f62 != NULL) {
        /* iso87a/iso87b: 62 is a character field: the keys as hex text */
        if (rp->f62_len > sizeof(f62hex) / 2)
            return POS_ERR_NOSPACE;
        pos_hex_encode(rp->f62, rp->f62_len, f62hex, sizeof(f62hex));
        if ((rc = iso8583_set(&m, 62, f62hex, 2 * rp->f62_len)) != POS_OK)
            return rc;
    }
    if (mac == NULL)
        return iso8583_encode(&m, out, cap, out_len, NULL);
    /* MAC: encode with zeros in 64, compute over the span, patch. */
    if ((rc = iso8583_set(&m, 64, zeros, 8)) != POS_OK)
        return rc;
    if ((rc = iso8583_encode(&m, out, cap, out_len, NULL)) != POS_OK)
        return rc;
    if ((rc = iso8583_mac_span(&m, &start, &end)) != POS_OK)
        return rc;
    if ((rc = proto__mac(mac, out, start, end, code)) != POS_OK)
        return rc;
    if (r->d->f[64].data_enc == ISO8583_ENC_HEX) {
        char hex[17];
        if (end > *out_len || *out_len - end < 16)
            return POS_ERR_NOSPACE;
        pos_hex_encode(code, 8, hex, sizeof(hex));
        memcpy(out + end, hex, 16);
    } else {
        if (end > *out_len || *out_len - end < 8)
            return POS_ERR_NOSPACE;
        memcpy(out + end, code, 8);
    }
    return POS_OK;
}

void proto_req_describe(const struct proto_req *r, char *out, size_t cap)
{
    char masked[24] = "";

    if (r->has_card)
        card_pan_mask(r->pan, r->pan_len, masked, sizeof(masked));
    snprintf(out, cap, "mti=%s tid=%s stan=%s proc=%s amount=%" PRId64 " pan=%s pin=%s mac=%s",
             r->mti, r->tid[0] ? r->tid : "-", r->stan[0] ? r->stan : "-",
             r->proc[0] ? r->proc : "-", r->amount, masked[0] ? masked : "-",
             r->has_pin ? "yes" : "no", r->has_mac ? "yes" : "no");
}
