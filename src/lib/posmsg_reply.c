/* posmsg: checking the host's replies (docs/protocol.md; see posmsg.h). */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "hex.h"
#include "mem.h"
#include "posmsg.h"
#include "posmsg_int.h"

/* Field fld as text into out (cap bytes); false when absent or too long. */
static bool posmsg__text(const struct iso8583_msg *m, int fld, char *out, size_t cap)
{
    out[0] = '\0';
    if (!iso8583_has(m, fld) || iso8583_get_text(m, fld, out, cap, NULL) != POS_OK) {
        out[0] = '\0';
        return false;
    }
    return true;
}

/* The reply's field fld must equal want (when the reply has it, or always
 * when required). */
static int posmsg__same(const struct iso8583_msg *m, int fld, const char *want, bool required,
                        struct pos_errdetail *d)
{
    char got[24];

    if (!iso8583_has(m, fld)) {
        if (!required)
            return POS_OK;
        return pos_errdetail_set(d, POS_ERR_MSG_FORMAT, fld, POS_NO_OFFSET, "field missing");
    }
    if (!posmsg__text(m, fld, got, sizeof(got)) || strcmp(got, want) != 0)
        return pos_errdetail_set(d, POS_ERR_MSG_MISMATCH, fld, POS_NO_OFFSET,
                                 "differs from the request's");
    return POS_OK;
}

/* Verifies field 64 over the span of buf. */
static int posmsg__verify(struct posmsg_terminal *t, const struct posmsg_sent *sent,
                          const struct iso8583_msg *m, const uint8_t *buf, struct pos_errdetail *d)
{
    uint8_t got[8], want[8];
    size_t start = 0, end = 0, n = 0;
    struct mac_ctx *ctx = &t->mak;
    int rc;

    if (!iso8583_has(m, 64) || iso8583_get_value(m, 64, got, sizeof(got), &n) != POS_OK || n != 8 ||
        iso8583_mac_span(m, &start, &end) != POS_OK)
        return pos_errdetail_set(d, POS_ERR_MAC_MISMATCH, 64, POS_NO_OFFSET, "MAC missing");
    if (t->scheme == POSMSG_DUKPT_TDES) {
        if (!sent->has_ksn)
            return pos_errdetail_set(d, POS_ERR_INVAL, 62, POS_NO_OFFSET, "request had no KSN");
        if ((rc = mac_rekey(&t->rsp, sent->mac_rsp, sizeof(sent->mac_rsp))) != POS_OK) {
            t->has_rsp = false; /* cleared by mac_rekey */
            return rc;
        }
        ctx = &t->rsp;
    }
    rc = posmsg__mac(ctx, buf, start, end, want);
    if (rc == POS_OK && !pos_mem_eq_ct(want, got, 8))
        rc = pos_errdetail_set(d, POS_ERR_MAC_MISMATCH, 64, POS_NO_OFFSET, "MAC wrong");
    pos_wipe(want, sizeof(want));
    return rc;
}

/* An approved 0810: the working keys of field 62 under the TMK. */
static int posmsg__load_keys(struct posmsg_terminal *t, const struct iso8583_msg *m,
                             struct pos_errdetail *d)
{
    uint8_t raw[2 * SESSKEY_F62_MAX], f62[SESSKEY_F62_MAX];
    struct sesskey_set ks;
    struct block_key pik;
    struct mac_ctx mak;
    size_t n = 0, len = 0;
    bool has_pik = false;
    int rc;

    memset(&ks, 0, sizeof(ks));
    memset(&pik, 0, sizeof(pik));
    memset(&mak, 0, sizeof(mak));
    if (t->scheme != POSMSG_MKSK_TDES)
        return POS_OK; /* DUKPT terminals have no working keys to load */
    if (!iso8583_has(m, 62) || iso8583_get_value(m, 62, raw, sizeof(raw), &n) != POS_OK) {
        rc = pos_errdetail_set(d, POS_ERR_MSG_FORMAT, 62, POS_NO_OFFSET,
                               "sign-on reply without working keys");
        goto out;
    }
    if (posmsg__is_binary(t->d, 62)) {
        memcpy(f62, raw, n <= sizeof(f62) ? n : sizeof(f62));
        len = n;
    } else if (pos_hex_decode((const char *)raw, n, f62, sizeof(f62), &len) != POS_OK) {
        rc = pos_errdetail_set(d, POS_ERR_MSG_FORMAT, 62, POS_NO_OFFSET, "working keys not in hex");
        goto out;
    }
    if (len > sizeof(f62)) {
        rc = pos_errdetail_set(d, POS_ERR_LENGTH, 62, POS_NO_OFFSET, "working keys too long");
        goto out;
    }
    rc = sesskey_f62_decode(KEY_SCHEME_TDES, t->tmk, sizeof(t->tmk), f62, len, &ks, d);
    if (rc == POS_OK && (rc = block_key_init(&pik, BLOCK_TDES, ks.pik, ks.pik_len)) == POS_OK)
        has_pik = true;
    if (rc == POS_OK)
        rc = mac_init(&mak, MAC_CUP_ECB, ks.mak, ks.mak_len, MAC_PAD_DEFAULT);
    if (rc != POS_OK)
        goto out;
    /* only now replace the old keys: a bad 0810 leaves the terminal as it was */
    if (t->has_pik)
        block_key_clear(&t->pik);
    if (t->has_mak)
        mac_clear(&t->mak);
    t->pik = pik;
    t->mak = mak;
    t->has_pik = t->has_mak = t->signed_on = true;
    has_pik = false;
    memset(&pik, 0, sizeof(pik));
    memset(&mak, 0, sizeof(mak));
out:
    if (has_pik)
        block_key_clear(&pik);
    sesskey_set_clear(&ks);
    pos_wipe(raw, sizeof(raw));
    pos_wipe(f62, sizeof(f62));
    return rc;
}

/* 54: "10" account type, "02" amount type, currency n3, C/D, n12. */
static void posmsg__balance(const struct iso8583_msg *m, struct posmsg_reply *r)
{
    char buf[128];
    uint64_t cur = 0, v = 0;

    if (!posmsg__text(m, 54, buf, sizeof(buf)) || strlen(buf) < 20 ||
        pos_parse_digits_u64(buf + 4, 3, &cur) != POS_OK || (buf[7] != 'C' && buf[7] != 'D') ||
        pos_parse_digits_u64(buf + 8, 12, &v) != POS_OK)
        return;
    r->has_balance = true;
    r->balance_currency = (uint16_t)cur;
    r->balance = buf[7] == 'D' ? -(int64_t)v : (int64_t)v;
}

/* The fields of an authentic reply. */
static int posmsg__extract(struct posmsg_terminal *t, const struct posmsg_sent *sent,
                           const struct iso8583_msg *m, struct posmsg_reply *r,
                           struct pos_errdetail *d)
{
    char buf[64];
    uint64_t v = 0;
    size_t n;

    (void)posmsg__text(m, 37, r->rrn, sizeof(r->rrn));
    (void)posmsg__text(m, 38, r->auth, sizeof(r->auth));
    posmsg__balance(m, r);
    if (posmsg__text(m, 48, buf, sizeof(buf)) && (n = strlen(buf)) == 31 &&
        (buf[30] == '1' || buf[30] == '2'))
        r->settle_result = buf[30] - '0';
    if (posmsg__text(m, 60, buf, sizeof(buf)) && strlen(buf) >= 8 &&
        pos_parse_digits_u64(buf + 2, 6, &v) == POS_OK)
        r->batch = (uint32_t)v;
    if (!posmsg_reply_is_approved(r))
        return POS_OK;
    if ((sent->kind == POSMSG_PURCHASE || sent->kind == POSMSG_PREAUTH ||
         sent->kind == POSMSG_COMPLETION) &&
        strlen(r->rrn) != 12)
        return pos_errdetail_set(d, POS_ERR_MSG_FORMAT, 37, POS_NO_OFFSET,
                                 "approval without a 12-character RRN");
    if (sent->kind == POSMSG_SETTLE && r->settle_result == 0)
        return pos_errdetail_set(d, POS_ERR_MSG_FORMAT, 48, POS_NO_OFFSET,
                                 "settlement reply without its result");
    if (sent->kind == POSMSG_SIGNON) {
        int rc = posmsg__load_keys(t, m, d);
        if (rc != POS_OK)
            return rc;
        r->keys_loaded = t->scheme == POSMSG_MKSK_TDES;
        if (t->scheme == POSMSG_DUKPT_TDES)
            t->signed_on = true;
        if (r->batch >= 1 && r->batch <= POSMSG_STAN_MAX)
            t->batch = r->batch;
    }
    return POS_OK;
}

int posmsg_reply_check(struct posmsg_terminal *t, const struct posmsg_sent *sent,
                       const uint8_t *buf, size_t len, struct posmsg_reply *r,
                       struct pos_errdetail *d)
{
    struct iso8583_msg m;
    struct pos_errdetail cd;
    char want[5], amount[13], keep[3] = "";
    int rc;

    if (r != NULL)
        memset(r, 0, sizeof(*r));
    if (t == NULL || t->d == NULL || sent == NULL || sent->mti[0] == '\0' || buf == NULL ||
        r == NULL)
        return POS_ERR_INVAL;
    pos_errdetail_init(&cd);
    rc = iso8583_decode(t->d, buf, len, &m, &cd);
    if (rc != POS_OK) {
        rc = pos_errdetail_set(d, POS_ERR_MSG_FORMAT, cd.field, cd.offset, "%s", pos_strerror(rc));
        goto out;
    }
    memcpy(want, sent->mti, 5);
    want[2] = (char)(want[2] + 1);
    memcpy(r->mti, iso8583_get_mti(&m), 5);
    if (strcmp(r->mti, want) != 0) {
        rc = pos_errdetail_set(d, POS_ERR_MSG_MTI, -1, POS_NO_OFFSET, "%s does not answer %s",
                               r->mti, sent->mti);
        goto out;
    }
    if ((rc = posmsg__same(&m, 11, sent->stan, true, d)) != POS_OK ||
        (rc = posmsg__same(&m, 41, t->tid, true, d)) != POS_OK ||
        (rc = posmsg__same(&m, 42, t->mid, false, d)) != POS_OK ||
        (sent->proc[0] != '\0' && (rc = posmsg__same(&m, 3, sent->proc, false, d)) != POS_OK))
        goto out;
    if (sent->has_amount) {
        snprintf(amount, sizeof(amount), "%012lld", (long long)sent->amount);
        if ((rc = posmsg__same(&m, 4, amount, false, d)) != POS_OK)
            goto out;
    }
    if (!posmsg__text(&m, 39, r->rc, sizeof(r->rc)) || strlen(r->rc) != 2) {
        rc = pos_errdetail_set(d, POS_ERR_MSG_FORMAT, 39, POS_NO_OFFSET, "no response code");
        goto out;
    }
    if (sent->mac && (rc = posmsg__verify(t, sent, &m, buf, d)) != POS_OK) {
        memcpy(keep, r->rc, 3); /* unauthenticated: for logs only */
        goto out;
    }
    rc = posmsg__extract(t, sent, &m, r, d);
out:
    if (rc != POS_OK) {
        memset(r, 0, sizeof(*r));
        if (rc == POS_ERR_MAC_MISMATCH)
            memcpy(r->rc, keep, 3);
    }
    return rc;
}

bool posmsg_reply_is_approved(const struct posmsg_reply *r)
{
    return r != NULL && strcmp(r->rc, "00") == 0;
}
