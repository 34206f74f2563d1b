/* posmsg: a terminal's requests (docs/protocol.md; see posmsg.h). */
#include "posmsg.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "card.h"
#include "crypto/pinblock.h"
#include "error.h"
#include "hex.h"
#include "mem.h"
#include "money.h"
#include "posmsg_int.h"

/* Everything a request's fields point to until it is encoded (iso8583.h
 * keeps views). Wiped whole after every build: it holds the PAN, the track
 * and the PIN block. */
struct posmsg__b {
    struct iso8583_msg m;
    char mti[5], proc[7], amount[13], stan[7], f7[11], f12[7], f13[5], f14[5], f22[4], f25[3];
    char f37[13], f48[31], f49[4], f53[17], f60[20], f61[20], f90[43];
    char pan[CARD_PAN_MAX + 1];
    char track2[CARD_TRACK2_MAX + 1];
    char icc_hex[2 * POSMSG_ICC_MAX + 1];
    char ksn_hex[2 * DUKPT_KSN_LEN + 1];
    uint8_t ksn[DUKPT_KSN_LEN];
    uint8_t pinblock[8];
    uint8_t mac[8];
    const char *pin; /* the caller's PIN, or NULL */
    size_t pan_len;
    bool mac_needed;
};

static const char posmsg__names[][16] = {
    "unknown",    "sign-on", "echo",   "purchase", "balance",  "pre-auth",   "pre-auth-cancel",
    "completion", "void",    "refund", "advice",   "reversal", "settlement", "batch-upload",
};

const char *posmsg_kind_name(enum posmsg_kind k)
{
    if ((int)k < POSMSG_SIGNON || (int)k > POSMSG_UPLOAD)
        return posmsg__names[0];
    return posmsg__names[k];
}

bool posmsg__is_binary(const struct iso8583_dialect *d, int fld)
{
    return d->f[fld].type == ISO8583_T_B;
}

int posmsg__mac(struct mac_ctx *ctx, const uint8_t *buf, size_t start, size_t end, uint8_t out[8])
{
    uint8_t full[MAC_MAX_LEN];
    size_t n = 0;
    int rc;

    mac_reset(ctx);
    mac_update(ctx, buf + start, end - start);
    rc = mac_final(ctx, full, sizeof(full), &n);
    if (rc == POS_OK && n < 8)
        rc = POS_ERR_CRYPTO;
    if (rc == POS_OK)
        memcpy(out, full, 8);
    else
        memset(out, 0, 8);
    pos_wipe(full, sizeof(full));
    return rc;
}

/* ---- terminal ---------------------------------------------------------------- */

static bool posmsg__printable(const char *s, size_t want)
{
    size_t i;

    if (s == NULL || strlen(s) != want)
        return false;
    for (i = 0; i < want; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7E)
            return false;
    return true;
}

static int posmsg__init_common(struct posmsg_terminal *t, const char *dialect, const char *tid,
                               const char *mid, const char *currency, uint32_t batch,
                               struct pos_errdetail *d)
{
    memset(t, 0, sizeof(*t));
    t->d = dialect != NULL ? iso8583_dialect_find(dialect) : NULL;
    if (t->d == NULL)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "dialect must be cup, iso87a or iso87b");
    if (!posmsg__printable(tid, 8))
        return pos_errdetail_set(d, POS_ERR_INVAL, 41, POS_NO_OFFSET,
                                 "terminal id must be 8 printable characters");
    if (!posmsg__printable(mid, 15))
        return pos_errdetail_set(d, POS_ERR_INVAL, 42, POS_NO_OFFSET,
                                 "merchant id must be 15 printable characters");
    if (currency == NULL || strlen(currency) != 3 || !pos_is_digits(currency, 3))
        return pos_errdetail_set(d, POS_ERR_INVAL, 49, POS_NO_OFFSET,
                                 "currency must be 3 digits (ISO 4217 numeric)");
    if (batch < 1 || batch > POSMSG_STAN_MAX)
        return pos_errdetail_set(d, POS_ERR_INVAL, 60, POS_NO_OFFSET, "batch must be 1 to 999999");
    memcpy(t->tid, tid, 9);
    memcpy(t->mid, mid, 16);
    memcpy(t->currency, currency, 4);
    t->batch = batch;
    return POS_OK;
}

int posmsg_terminal_init_mksk(struct posmsg_terminal *t, const char *dialect, const char *tid,
                              const char *mid, const char *currency, uint32_t batch,
                              const uint8_t *tmk, size_t tmk_len, struct pos_errdetail *d)
{
    int rc;

    rc = posmsg__init_common(t, dialect, tid, mid, currency, batch, d);
    if (rc == POS_OK && (tmk == NULL || tmk_len != POSMSG_KEY_LEN))
        rc = pos_errdetail_set(d, POS_ERR_KEY_LENGTH, -1, POS_NO_OFFSET,
                               "TMK must be 16 bytes (double-length TDES)");
    if (rc == POS_OK) {
        t->scheme = POSMSG_MKSK_TDES;
        memcpy(t->tmk, tmk, POSMSG_KEY_LEN);
    } else {
        posmsg_terminal_clear(t);
    }
    return rc;
}

int posmsg_terminal_init_dukpt(struct posmsg_terminal *t, const char *dialect, const char *tid,
                               const char *mid, const char *currency, uint32_t batch,
                               const uint8_t *ipek, size_t ipek_len, const uint8_t *ksn,
                               struct pos_errdetail *d)
{
    int rc;

    rc = posmsg__init_common(t, dialect, tid, mid, currency, batch, d);
    if (rc == POS_OK && (ipek == NULL || ipek_len != DUKPT_KEY_LEN))
        rc = pos_errdetail_set(d, POS_ERR_KEY_LENGTH, -1, POS_NO_OFFSET, "IPEK must be 16 bytes");
    if (rc == POS_OK && ksn == NULL)
        rc = pos_errdetail_set(d, POS_ERR_INVAL, 62, POS_NO_OFFSET, "no KSN");
    if (rc == POS_OK) {
        t->scheme = POSMSG_DUKPT_TDES;
        if (dukpt_ksn_counter(ksn) == 0)
            rc = dukpt_device_load(&t->dukpt, ipek, ksn);
        else
            rc = dukpt_device_resume(&t->dukpt, ipek, ksn, d);
    }
    /* the contexts are re-keyed per transaction; the IPEK only opens them */
    if (rc == POS_OK && (rc = block_key_init(&t->pik, BLOCK_TDES, ipek, ipek_len)) == POS_OK)
        t->has_pik = true;
    if (rc == POS_OK &&
        (rc = mac_init(&t->mak, MAC_ISO9797_ALG3, ipek, ipek_len, MAC_PAD_1)) == POS_OK)
        t->has_mak = true;
    if (rc == POS_OK &&
        (rc = mac_init(&t->rsp, MAC_ISO9797_ALG3, ipek, ipek_len, MAC_PAD_1)) == POS_OK)
        t->has_rsp = true;
    if (rc != POS_OK)
        posmsg_terminal_clear(t);
    return rc;
}

void posmsg_terminal_clear(struct posmsg_terminal *t)
{
    if (t == NULL)
        return;
    if (t->has_pik)
        block_key_clear(&t->pik);
    if (t->has_mak)
        mac_clear(&t->mak);
    if (t->has_rsp)
        mac_clear(&t->rsp);
    dukpt_device_clear(&t->dukpt);
    pos_wipe(t, sizeof(*t));
}

uint32_t posmsg_terminal_stan(const struct posmsg_terminal *t)
{
    return t->stan;
}

int posmsg_terminal_set_stan(struct posmsg_terminal *t, uint32_t stan)
{
    if (stan > POSMSG_STAN_MAX)
        return POS_ERR_RANGE;
    t->stan = stan;
    return POS_OK;
}

uint32_t posmsg_terminal_batch(const struct posmsg_terminal *t)
{
    return t->batch;
}

int posmsg_terminal_set_batch(struct posmsg_terminal *t, uint32_t batch)
{
    if (batch < 1 || batch > POSMSG_STAN_MAX)
        return POS_ERR_RANGE;
    t->batch = batch;
    return POS_OK;
}

bool posmsg_terminal_is_ready(const struct posmsg_terminal *t)
{
    if (t->scheme == POSMSG_MKSK_TDES)
        return t->signed_on;
    return t->scheme == POSMSG_DUKPT_TDES && dukpt_device_counter(&t->dukpt) != 0;
}

uint32_t posmsg_terminal_dukpt_counter(const struct posmsg_terminal *t)
{
    return t->scheme == POSMSG_DUKPT_TDES ? dukpt_device_counter(&t->dukpt) : 0;
}

/* ---- request fields ------------------------------------------------------------ */

#define POSMSG__SET(b, fld, s)                                                                     \
    do {                                                                                           \
        if ((rc = iso8583_set_str(&(b)->m, (fld), (s))) != POS_OK)                                 \
            goto out;                                                                              \
    } while (0)

/* Fields 7 (iso87), 12 and 13 from when (MMDDhhmmss). */
static int posmsg__time(struct posmsg__b *b, const char *when)
{
    int rc = POS_OK;

    memcpy(b->f7, when, 11);
    memcpy(b->f13, when, 4);
    b->f13[4] = '\0';
    memcpy(b->f12, when + 4, 7);
    if (b->m.d->f[7].type != ISO8583_T_NONE)
        POSMSG__SET(b, 7, b->f7);
    POSMSG__SET(b, 12, b->f12);
    POSMSG__SET(b, 13, b->f13);
out:
    return rc;
}

static bool posmsg__when_ok(const char *when)
{
    return when != NULL && strlen(when) == 10 && pos_is_digits(when, 10);
}

/* The card: 2 + 14 or 35, 22, 55; the PAN kept for the PIN block. */
static int posmsg__card(struct posmsg__b *b, const struct posmsg_card *c, bool pin_allowed,
                        struct pos_errdetail *d)
{
    struct card_track tr;
    const char *p;
    size_t n = 0, len;
    int rc = POS_OK;

    card_track_init(&tr);
    if (c->track2 != NULL) {
        len = strlen(c->track2);
        if (len == 0 || len > 37 || (rc = card_track2_parse(c->track2, len, &tr, NULL)) != POS_OK) {
            rc = pos_errdetail_set(d, rc == POS_OK ? POS_ERR_CARD_TRACK : rc, 35, POS_NO_OFFSET,
                                   "track 2 not valid (at most 37 characters)");
            goto out;
        }
        p = card_track_get(&tr, CARD_TRACK_PAN, &n);
        memcpy(b->pan, p, n + 1);
        memcpy(b->track2, c->track2, len + 1);
        POSMSG__SET(b, 35, b->track2);
    } else if (c->pan != NULL) {
        n = strlen(c->pan);
        if (n < CARD_PAN_MIN || n > CARD_PAN_MAX || !pos_is_digits(c->pan, n)) {
            rc = pos_errdetail_set(d, POS_ERR_CARD_PAN, 2, POS_NO_OFFSET,
                                   "PAN must be 12 to 19 digits");
            goto out;
        }
        if (c->expiry == NULL || strlen(c->expiry) != 4 || !pos_is_digits(c->expiry, 4)) {
            rc = pos_errdetail_set(d, POS_ERR_INVAL, 14, POS_NO_OFFSET, "expiry must be YYMM");
            goto out;
        }
        memcpy(b->pan, c->pan, n + 1);
        memcpy(b->f14, c->expiry, 5);
        POSMSG__SET(b, 2, b->pan);
        POSMSG__SET(b, 14, b->f14);
    } else {
        rc = pos_errdetail_set(d, POS_ERR_INVAL, 35, POS_NO_OFFSET, "no track 2 and no PAN");
        goto out;
    }
    b->pan_len = n;
    if (c->icc != NULL) {
        if (c->icc_len == 0 || c->icc_len > POSMSG_ICC_MAX) {
            rc = pos_errdetail_set(d, POS_ERR_INVAL, 55, POS_NO_OFFSET,
                                   "chip data must be 1 to %d bytes", POSMSG_ICC_MAX);
            goto out;
        }
        if (posmsg__is_binary(b->m.d, 55)) {
            rc = iso8583_set(&b->m, 55, c->icc, c->icc_len);
        } else { /* iso87: ans, so hex text (docs/iso8583.md) */
            (void)pos_hex_encode(c->icc, c->icc_len, b->icc_hex, sizeof(b->icc_hex));
            rc = iso8583_set_str(&b->m, 55, b->icc_hex);
        }
        if (rc != POS_OK)
            goto out;
    }
    if (pin_allowed && c->pin != NULL) {
        len = strlen(c->pin);
        if (len < PINBLOCK_PIN_MIN || len > PINBLOCK_PIN_MAX || !pos_is_digits(c->pin, len)) {
            rc = pos_errdetail_set(d, POS_ERR_PIN_LENGTH, 52, POS_NO_OFFSET,
                                   "PIN must be 4 to 12 digits");
            goto out;
        }
        b->pin = c->pin;
        rc = iso8583_set(&b->m, 52, b->pinblock, 8); /* filled once the key is known */
        if (rc != POS_OK)
            goto out;
        if (strcmp(b->m.d->name, "cup") == 0) {
            /* cup 53: PIN format 2 (ISO 9564 format 0, with PAN), 6 = double-length TDES */
            memcpy(b->f53, "2600000000000000", 17);
            POSMSG__SET(b, 53, b->f53);
        }
    }
    b->f22[0] = '0';
    b->f22[1] = c->icc != NULL ? (c->contactless ? '7' : '5') : c->track2 != NULL ? '2' : '1';
    b->f22[2] = b->pin != NULL ? '1' : '2';
    b->f22[3] = '\0';
    POSMSG__SET(b, 22, b->f22);
out:
    card_track_clear(&tr);
    return rc;
}

/* ---- requests ------------------------------------------------------------------ */

/* How each kind is built (docs/protocol.md "Messages"; field 60.1 codes of
 * the UnionPay POS specification: 00 management, 01 balance, 10 pre-auth,
 * 11 its cancel, 20 completion, 22 purchase, 23 void, 25 refund, 36
 * offline advice). */
struct posmsg__kind {
    char mti[5];
    char proc[7]; /* "" : no field 3 */
    char cond[3]; /* "" : no field 25 */
    char f60_1[3];
    char f60_3[4];
    uint8_t card; /* 0 none, 1 optional, 2 required */
    bool amount, pin, orig, mac;
};

static const struct posmsg__kind posmsg__kinds[] = {
    [POSMSG_SIGNON] = {"0800", "", "", "00", "003", 0, false, false, false, false},
    [POSMSG_ECHO] = {"0820", "", "", "", "", 0, false, false, false, false},
    [POSMSG_PURCHASE] = {"0200", "000000", "00", "22", "000", 2, true, true, false, true},
    [POSMSG_BALANCE] = {"0200", "310000", "00", "01", "000", 2, false, true, false, true},
    [POSMSG_PREAUTH] = {"0100", "030000", "06", "10", "000", 2, true, true, false, true},
    [POSMSG_PREAUTH_CANCEL] = {"0100", "200000", "06", "11", "000", 1, true, true, true, true},
    [POSMSG_COMPLETION] = {"0200", "000000", "06", "20", "000", 1, true, true, true, true},
    [POSMSG_VOID] = {"0200", "200000", "00", "23", "000", 1, true, true, true, true},
    [POSMSG_REFUND] = {"0220", "200000", "00", "25", "000", 1, true, false, true, true},
    [POSMSG_ADVICE] = {"0220", "000000", "00", "36", "000", 2, true, false, false, true},
    [POSMSG_REVERSAL] = {"0400", "", "", "", "", 0, false, false, false, true},
    [POSMSG_SETTLE] = {"0500", "", "", "00", "201", 0, false, false, false, true},
    [POSMSG_UPLOAD] = {"0320", "000000", "00", "00", "201", 2, true, false, false, true},
};

static int posmsg__ready(const struct posmsg_terminal *t, struct pos_errdetail *d)
{
    if (t->scheme == POSMSG_MKSK_TDES && !t->signed_on)
        return pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET,
                                 "no working keys: sign on first");
    if (t->scheme == POSMSG_DUKPT_TDES && dukpt_device_counter(&t->dukpt) == 0)
        return pos_errdetail_set(d, POS_ERR_DUKPT_EXHAUSTED, -1, POS_NO_OFFSET,
                                 "DUKPT device exhausted: reload it");
    return POS_OK;
}

/* DUKPT: the next transaction key's variants into the contexts, the KSN
 * into the field buffers, the MAC-response key into sent. */
static int posmsg__dukpt_next(struct posmsg_terminal *t, struct posmsg__b *b,
                              struct posmsg_sent *sent)
{
    uint8_t key[DUKPT_KEY_LEN], var[DUKPT_KEY_LEN];
    int rc;

    rc = dukpt_device_next(&t->dukpt, key, b->ksn);
    if (rc == POS_OK && (rc = dukpt_variant(key, DUKPT_USAGE_PIN, var)) == POS_OK)
        rc = block_key_rekey(&t->pik, var, sizeof(var));
    if (rc == POS_OK && (rc = dukpt_variant(key, DUKPT_USAGE_MAC_REQUEST, var)) == POS_OK)
        rc = mac_rekey(&t->mak, var, sizeof(var));
    if (rc == POS_OK)
        rc = dukpt_variant(key, DUKPT_USAGE_MAC_RESPONSE, sent->mac_rsp);
    if (rc != POS_OK)
        goto out;
    (void)pos_hex_encode(b->ksn, DUKPT_KSN_LEN, b->ksn_hex, sizeof(b->ksn_hex));
    memcpy(sent->ksn, b->ksn, DUKPT_KSN_LEN);
    sent->has_ksn = true;
out:
    pos_wipe(key, sizeof(key));
    pos_wipe(var, sizeof(var));
    return rc;
}

/* Encodes b (MACed when mac), with its KSN and PIN block, into out; fills
 * sent. The first encode, with placeholders, finds every input error before
 * a DUKPT counter is spent. */
static int posmsg__finish(struct posmsg_terminal *t, struct posmsg__b *b, enum posmsg_kind kind,
                          uint8_t *out, size_t cap, size_t *out_len, struct posmsg_sent *sent,
                          struct pos_errdetail *d)
{
    size_t start = 0, end = 0, pb_len = 0;
    uint64_t amount = 0;
    bool dukpt = b->mac_needed && t->scheme == POSMSG_DUKPT_TDES;
    int rc = POS_OK;

    if (dukpt) {
        memset(b->ksn_hex, '0', 2 * DUKPT_KSN_LEN);
        if (posmsg__is_binary(t->d, 62))
            rc = iso8583_set(&b->m, 62, b->ksn, DUKPT_KSN_LEN);
        else
            rc = iso8583_set(&b->m, 62, b->ksn_hex, 2 * DUKPT_KSN_LEN);
    }
    if (rc == POS_OK && b->mac_needed)
        rc = iso8583_set(&b->m, 64, b->mac, 8);
    if (rc == POS_OK)
        rc = iso8583_encode(&b->m, out, cap, out_len, d);
    if (rc == POS_OK && dukpt)
        rc = posmsg__dukpt_next(t, b, sent);
    if (rc == POS_OK && b->pin != NULL)
        rc = pinblock_encrypt(&t->pik, PINBLOCK_ISO0, b->pin, strlen(b->pin), b->pan, b->pan_len,
                              b->pinblock, sizeof(b->pinblock), &pb_len);
    if (rc == POS_OK && (dukpt || b->pin != NULL))
        rc = iso8583_encode(&b->m, out, cap, out_len, d);
    if (rc != POS_OK || !b->mac_needed)
        goto fill;
    if ((rc = iso8583_mac_span(&b->m, &start, &end)) != POS_OK ||
        (rc = posmsg__mac(&t->mak, out, start, end, b->mac)) != POS_OK)
        goto fill;
    if (t->d->f[64].data_enc == ISO8583_ENC_HEX) {
        char hex[17];
        if (end > *out_len || *out_len - end < 16) {
            rc = POS_ERR_NOSPACE;
            goto fill;
        }
        (void)pos_hex_encode(b->mac, 8, hex, sizeof(hex));
        memcpy(out + end, hex, 16);
    } else {
        if (end > *out_len || *out_len - end < 8) {
            rc = POS_ERR_NOSPACE;
            goto fill;
        }
        memcpy(out + end, b->mac, 8);
    }
fill:
    if (rc == POS_OK) {
        sent->kind = kind;
        memcpy(sent->mti, b->mti, 5);
        memcpy(sent->proc, b->proc, 7);
        memcpy(sent->stan, b->stan, 7);
        memcpy(sent->when, b->f7, 11);
        memcpy(sent->cond, b->f25, 3);
        memcpy(sent->f60, b->f60, sizeof(sent->f60));
        sent->has_amount =
            iso8583_has(&b->m, 4) && pos_parse_digits_u64(b->amount, 12, &amount) == POS_OK;
        sent->amount = (int64_t)amount;
        sent->mac = b->mac_needed;
    }
    return rc;
}

static int posmsg__orig(struct posmsg__b *b, const struct posmsg_request *rq,
                        struct pos_errdetail *d)
{
    const struct posmsg_orig *o = rq->orig;
    int rc = POS_OK;

    if (o == NULL || o->batch < 1 || o->batch > POSMSG_STAN_MAX || o->stan < 1 ||
        o->stan > POSMSG_STAN_MAX || o->date == NULL || strlen(o->date) != 4 ||
        !pos_is_digits(o->date, 4))
        return pos_errdetail_set(d, POS_ERR_INVAL, 61, POS_NO_OFFSET,
                                 "original batch, STAN (1..999999) and date MMDD needed");
    snprintf(b->f61, sizeof(b->f61), "%06" PRIu32 "%06" PRIu32 "%.4s", o->batch, o->stan, o->date);
    POSMSG__SET(b, 61, b->f61);
    if (rq->kind == POSMSG_REFUND) {
        if (o->rrn == NULL || strlen(o->rrn) != 12)
            return pos_errdetail_set(d, POS_ERR_INVAL, 37, POS_NO_OFFSET,
                                     "a refund needs the original's 12-character RRN");
        memcpy(b->f37, o->rrn, 13);
        POSMSG__SET(b, 37, b->f37);
    }
out:
    return rc;
}

static int posmsg__totals(struct posmsg__b *b, const struct posmsg_totals *tt,
                          struct pos_errdetail *d)
{
    int rc = POS_OK;

    if (tt == NULL || tt->debit_count > 999 || tt->credit_count > 999 || tt->debit_amount < 0 ||
        tt->credit_amount < 0 || tt->debit_amount > INT64_C(999999999999) ||
        tt->credit_amount > INT64_C(999999999999))
        return pos_errdetail_set(d, POS_ERR_RANGE, 48, POS_NO_OFFSET,
                                 "totals: counts 0..999, amounts 0..999999999999");
    snprintf(b->f48, sizeof(b->f48), "%03" PRIu32 "%012" PRId64 "%03" PRIu32 "%012" PRId64,
             tt->debit_count, tt->debit_amount, tt->credit_count, tt->credit_amount);
    POSMSG__SET(b, 48, b->f48);
out:
    return rc;
}

/* Fields every request has: MTI, 11, time, 41, 42. */
static int posmsg__head(const struct posmsg_terminal *t, struct posmsg__b *b, const char *mti,
                        uint32_t stan, const char *when)
{
    int rc;

    iso8583_msg_init(&b->m, t->d);
    memcpy(b->mti, mti, 5);
    if ((rc = iso8583_set_mti(&b->m, b->mti)) != POS_OK)
        goto out;
    snprintf(b->stan, sizeof(b->stan), "%06" PRIu32, stan);
    POSMSG__SET(b, 11, b->stan);
    if ((rc = posmsg__time(b, when)) != POS_OK)
        goto out;
    POSMSG__SET(b, 41, t->tid);
    POSMSG__SET(b, 42, t->mid);
out:
    return rc;
}

static uint32_t posmsg__next_stan(const struct posmsg_terminal *t)
{
    return t->stan % POSMSG_STAN_MAX + 1;
}

/* The body of posmsg_build, on b. */
static int posmsg__request(struct posmsg_terminal *t, const struct posmsg_request *rq,
                           struct posmsg__b *b, uint32_t *stan, struct pos_errdetail *d)
{
    const struct posmsg__kind *k = &posmsg__kinds[rq->kind];
    int rc;

    *stan = posmsg__next_stan(t);
    if (rq->kind == POSMSG_UPLOAD) {
        if (rq->upload_stan < 1 || rq->upload_stan > POSMSG_STAN_MAX)
            return pos_errdetail_set(d, POS_ERR_INVAL, 11, POS_NO_OFFSET,
                                     "upload: the transaction's STAN (1..999999) needed");
        *stan = rq->upload_stan;
    }
    if ((rc = posmsg__head(t, b, k->mti, *stan, rq->when)) != POS_OK)
        goto out;
    memcpy(b->proc, k->proc, 7);
    if (rq->kind == POSMSG_UPLOAD && rq->upload_proc != NULL) {
        if (strlen(rq->upload_proc) != 6 || !pos_is_digits(rq->upload_proc, 6))
            return pos_errdetail_set(d, POS_ERR_INVAL, 3, POS_NO_OFFSET,
                                     "processing code must be 6 digits");
        memcpy(b->proc, rq->upload_proc, 7);
    }
    if (b->proc[0] != '\0')
        POSMSG__SET(b, 3, b->proc);
    if (k->amount) {
        if (rq->amount < 1 || money_iso8583_amount_format(rq->amount, b->amount) != POS_OK)
            return pos_errdetail_set(d, POS_ERR_RANGE, 4, POS_NO_OFFSET,
                                     "amount must be 1 to 999999999999 minor units");
        POSMSG__SET(b, 4, b->amount);
    }
    memcpy(b->f25, k->cond, 3);
    if (b->f25[0] != '\0')
        POSMSG__SET(b, 25, b->f25);
    if (k->card == 2 && rq->card == NULL)
        return pos_errdetail_set(d, POS_ERR_INVAL, 35, POS_NO_OFFSET, "%s needs a card",
                                 posmsg_kind_name(rq->kind));
    if (k->card != 0 && rq->card != NULL && (rc = posmsg__card(b, rq->card, k->pin, d)) != POS_OK)
        goto out;
    if (k->mac)
        POSMSG__SET(b, 49, t->currency);
    if (k->orig && (rc = posmsg__orig(b, rq, d)) != POS_OK)
        goto out;
    if (rq->kind == POSMSG_SETTLE && (rc = posmsg__totals(b, rq->totals, d)) != POS_OK)
        goto out;
    if (k->f60_1[0] != '\0') {
        snprintf(b->f60, sizeof(b->f60), "%s%06" PRIu32 "%s", k->f60_1, t->batch, k->f60_3);
        POSMSG__SET(b, 60, b->f60);
    }
    b->mac_needed = k->mac;
out:
    return rc;
}

int posmsg_build(struct posmsg_terminal *t, const struct posmsg_request *rq, uint8_t *out,
                 size_t cap, size_t *out_len, struct posmsg_sent *sent, struct pos_errdetail *d)
{
    struct posmsg__b b;
    uint32_t stan = 0;
    int rc;

    memset(&b, 0, sizeof(b));
    if (t == NULL || t->d == NULL || rq == NULL || out == NULL || out_len == NULL || sent == NULL) {
        rc = POS_ERR_INVAL;
        goto out;
    }
    memset(sent, 0, sizeof(*sent));
    if ((int)rq->kind < POSMSG_SIGNON || (int)rq->kind > POSMSG_UPLOAD ||
        rq->kind == POSMSG_REVERSAL) {
        rc = pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                               "unknown request kind (reversals: posmsg_build_reversal)");
        goto out;
    }
    if (!posmsg__when_ok(rq->when)) {
        rc = pos_errdetail_set(d, POS_ERR_INVAL, 7, POS_NO_OFFSET, "time must be MMDDhhmmss");
        goto out;
    }
    if (posmsg__kinds[rq->kind].mac && (rc = posmsg__ready(t, d)) != POS_OK)
        goto out;
    if ((rc = posmsg__request(t, rq, &b, &stan, d)) != POS_OK)
        goto out;
    if ((rc = posmsg__finish(t, &b, rq->kind, out, cap, out_len, sent, d)) != POS_OK)
        goto out;
    if (rq->kind != POSMSG_UPLOAD)
        t->stan = stan;
out:
    if (rc != POS_OK) {
        if (out != NULL)
            pos_wipe(out, cap);
        if (sent != NULL)
            pos_wipe(sent, sizeof(*sent));
    }
    pos_wipe(&b, sizeof(b));
    return rc;
}

static bool posmsg__reversible(enum posmsg_kind k)
{
    return k == POSMSG_PURCHASE || k == POSMSG_PREAUTH || k == POSMSG_PREAUTH_CANCEL ||
           k == POSMSG_COMPLETION || k == POSMSG_VOID || k == POSMSG_REFUND || k == POSMSG_ADVICE;
}

/* Field 90 (iso87): original MTI n4, STAN n6, transmission date-time n10,
 * then the acquirer and forwarding institution codes, zero here (n22). */
static int posmsg__reversal(struct posmsg_terminal *t, const struct posmsg_sent *o, bool advice,
                            const char *when, struct posmsg__b *b, uint32_t *stan,
                            struct pos_errdetail *d)
{
    bool iso87 = t->d->f[90].type != ISO8583_T_NONE;
    uint64_t v = 0;
    int rc;

    if (!posmsg__reversible(o->kind) || strlen(o->stan) != 6 ||
        pos_parse_digits_u64(o->stan, 6, &v) != POS_OK || v == 0 || !posmsg__when_ok(o->when) ||
        strlen(o->proc) != 6)
        return pos_errdetail_set(d, POS_ERR_INVAL, 90, POS_NO_OFFSET,
                                 "not a request that can be reversed");
    if (iso87 && !posmsg__when_ok(when))
        return pos_errdetail_set(d, POS_ERR_INVAL, 7, POS_NO_OFFSET, "time must be MMDDhhmmss");
    *stan = iso87 ? posmsg__next_stan(t) : (uint32_t)v;
    if ((rc = posmsg__head(t, b, advice ? "0420" : "0400", *stan, iso87 ? when : o->when)) !=
        POS_OK)
        goto out;
    memcpy(b->proc, o->proc, 7);
    POSMSG__SET(b, 3, b->proc);
    if (o->has_amount) {
        if ((rc = money_iso8583_amount_format(o->amount, b->amount)) != POS_OK)
            goto out;
        POSMSG__SET(b, 4, b->amount);
    }
    memcpy(b->f25, o->cond, 3);
    if (b->f25[0] != '\0')
        POSMSG__SET(b, 25, b->f25);
    POSMSG__SET(b, 49, t->currency);
    memcpy(b->f60, o->f60, sizeof(b->f60));
    b->f60[sizeof(b->f60) - 1] = '\0';
    if (b->f60[0] != '\0')
        POSMSG__SET(b, 60, b->f60);
    if (iso87) {
        snprintf(b->f90, sizeof(b->f90), "%.4s%.6s%.10s0000000000000000000000", o->mti, o->stan,
                 o->when);
        POSMSG__SET(b, 90, b->f90);
    }
    b->mac_needed = true;
out:
    return rc;
}

int posmsg_build_reversal(struct posmsg_terminal *t, const struct posmsg_sent *orig, bool advice,
                          const char *when, uint8_t *out, size_t cap, size_t *out_len,
                          struct posmsg_sent *sent, struct pos_errdetail *d)
{
    struct posmsg__b b;
    uint32_t stan = 0;
    int rc;

    memset(&b, 0, sizeof(b));
    if (t == NULL || t->d == NULL || orig == NULL || out == NULL || out_len == NULL ||
        sent == NULL || orig == sent) {
        rc = POS_ERR_INVAL;
        goto out;
    }
    memset(sent, 0, sizeof(*sent));
    if ((rc = posmsg__ready(t, d)) != POS_OK)
        goto out;
    if ((rc = posmsg__reversal(t, orig, advice, when, &b, &stan, d)) != POS_OK)
        goto out;
    if ((rc = posmsg__finish(t, &b, POSMSG_REVERSAL, out, cap, out_len, sent, d)) != POS_OK)
        goto out;
    if (t->d->f[90].type != ISO8583_T_NONE)
        t->stan = stan;
out:
    if (rc != POS_OK) {
        if (out != NULL)
            pos_wipe(out, cap);
        if (sent != NULL && sent != orig)
            pos_wipe(sent, sizeof(*sent));
    }
    pos_wipe(&b, sizeof(b));
    return rc;
}

void posmsg_sent_clear(struct posmsg_sent *s)
{
    if (s != NULL)
        pos_wipe(s, sizeof(*s));
}
