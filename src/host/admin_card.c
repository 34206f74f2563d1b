/* admin: cards: issue, find, top-up, status, PIN reset, limits (see admin.h, issuer.h). */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "host/admin_int.h"
#include "host/issuer.h"
#include "mem.h"

static void admin__card_object(int64_t id, char *buf, size_t cap)
{
    snprintf(buf, cap, "card:%lld", (long long)id);
}

int admin_card_issue(struct admin *a, const struct admin_card_issue *p, struct issuer_card *card,
                     struct pos_errdetail *d)
{
    struct issuer_card_params ip;
    struct issuer_keys k;
    struct ledger_account acc;
    char obj[32];
    int64_t limit = 0;
    int rc;

    if (a == NULL || p == NULL || card == NULL)
        return POS_ERR_INVAL;
    memset(card, 0, sizeof(*card));
    memset(&k, 0, sizeof(k));
    rc = admin__need_lmk(a, d);
    if (rc == POS_OK) {
        rc = ledger_account_get(a->s, p->account_id, &acc);
        if (rc == POS_ERR_NOT_FOUND)
            pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "no account %lld",
                              (long long)p->account_id);
    }
    if (rc == POS_OK && p->daily_limit != NULL)
        rc = admin__parse_amount(p->daily_limit, acc.currency, "daily limit", &limit, d);
    if (rc == POS_OK)
        rc = issuer_keys_load(&k, a->s, &a->lmk, d);
    if (rc == POS_OK)
        rc = admin__begin(a);
    if (rc != POS_OK)
        goto out;
    memset(&ip, 0, sizeof(ip));
    ip.account_id = p->account_id;
    ip.bin = p->bin;
    ip.pan_len = p->pan_len;
    ip.pin = p->pin;
    ip.service_code = p->service_code;
    ip.years = p->years;
    ip.daily_limit = limit;
    ip.now_ms = admin__now(a);
    rc = issuer_card_issue(a->s, &k, &ip, card, d);
    if (rc == POS_OK) {
        admin__card_object(card->id, obj, sizeof(obj));
        rc = admin__audit(a, "card.issue", obj,
                          json_pack("{s:I,s:s,s:s,s:s,s:o}", "account_id",
                                    (json_int_t)card->account_id, "pan", card->pan_masked, "expiry",
                                    card->expiry, "service_code", card->service_code, "daily_limit",
                                    admin__money(limit, acc.currency)));
    }
    rc = admin__end(a, rc);
    if (rc != POS_OK)
        issuer_card_clear(card);
out:
    issuer_keys_clear(&k);
    return rc;
}

int admin_card_find(struct admin *a, const char *pan, int64_t *card_id, struct pos_errdetail *d)
{
    struct issuer_keys k;
    int rc;

    if (a == NULL || pan == NULL || card_id == NULL)
        return POS_ERR_INVAL;
    memset(&k, 0, sizeof(k));
    rc = admin__need_lmk(a, d);
    if (rc == POS_OK)
        rc = issuer_keys_load(&k, a->s, &a->lmk, d);
    if (rc == POS_OK)
        rc = issuer_card_find(a->s, &k, pan, strlen(pan), card_id);
    if (rc == POS_ERR_NOT_FOUND)
        pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "no card with that PAN");
    else if (rc == POS_ERR_CARD_PAN)
        pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "the PAN must be 12 to 19 digits");
    issuer_keys_clear(&k);
    return rc;
}

/* The card, or POS_ERR_NOT_FOUND naming it. */
static int admin__card(struct admin *a, int64_t id, struct issuer_card_info *c,
                       struct pos_errdetail *d)
{
    int rc = issuer_card_get(a->s, id, c);

    if (rc == POS_ERR_NOT_FOUND)
        pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "no card %lld", (long long)id);
    return rc;
}

int admin_card_topup(struct admin *a, int64_t card_id, const char *amount, json_t **out,
                     struct pos_errdetail *d)
{
    struct issuer_card_info c;
    char obj[32];
    int64_t minor = 0, txn = 0;
    int rc;

    if (a == NULL || out == NULL)
        return POS_ERR_INVAL;
    *out = NULL;
    rc = admin__card(a, card_id, &c, d);
    if (rc == POS_OK)
        rc = admin__parse_amount(amount, c.currency, "amount", &minor, d);
    if (rc == POS_OK && minor == 0)
        rc = pos_errdetail_set(d, POS_ERR_RANGE, -1, POS_NO_OFFSET, "amount must be positive");
    if (rc == POS_OK)
        rc = admin__begin(a);
    if (rc != POS_OK)
        return rc;
    rc = issuer_card_topup(a->s, card_id, minor, admin__now(a), &txn);
    if (rc == POS_ERR_STATE)
        pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "card %lld is %s", (long long)card_id,
                          c.status);
    if (rc == POS_OK) {
        admin__card_object(card_id, obj, sizeof(obj));
        rc = admin__audit(a, "card.topup", obj,
                          json_pack("{s:o,s:s,s:I}", "amount", admin__money(minor, c.currency),
                                    "currency", admin__alpha(c.currency), "txn_id",
                                    (json_int_t)txn));
    }
    rc = admin__end(a, rc);
    if (rc == POS_OK) {
        *out = json_pack("{s:I,s:I,s:o,s:s}", "card_id", (json_int_t)card_id, "txn_id",
                         (json_int_t)txn, "amount", admin__money(minor, c.currency), "currency",
                         admin__alpha(c.currency));
        if (*out == NULL)
            rc = POS_ERR_NOMEM;
    }
    return rc;
}

int admin_card_set_status(struct admin *a, int64_t card_id, const char *action, json_t **out,
                          struct pos_errdetail *d)
{
    static const char *const map[][2] = {{"block", "blocked"},
                                         {"unblock", "active"},
                                         {"lost", "lost"},
                                         {"stolen", "stolen"},
                                         {"close", "closed"}};
    const char *status = NULL;
    char obj[32], old[12] = "";
    size_t i;
    int rc;

    if (a == NULL || action == NULL || out == NULL)
        return POS_ERR_INVAL;
    *out = NULL;
    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(action, map[i][0]) == 0)
            status = map[i][1];
    if (status == NULL)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "unknown card action");
    rc = admin__begin(a);
    if (rc != POS_OK)
        return rc;
    rc = issuer_card_set_status(a->s, card_id, status, old, d);
    if (rc == POS_OK) {
        admin__card_object(card_id, obj, sizeof(obj));
        rc = admin__audit(a, "card.status", obj, json_pack("{s:s,s:s}", "from", old, "to", status));
    }
    rc = admin__end(a, rc);
    if (rc == POS_OK)
        rc = admin_card_show(a, card_id, out, d);
    return rc;
}

int admin_card_pin_reset(struct admin *a, int64_t card_id, const char *pin, char out_pin[13],
                         struct pos_errdetail *d)
{
    struct issuer_keys k;
    char obj[32];
    int rc;

    if (a == NULL || out_pin == NULL)
        return POS_ERR_INVAL;
    memset(&k, 0, sizeof(k));
    out_pin[0] = '\0';
    rc = admin__need_lmk(a, d);
    if (rc == POS_OK)
        rc = issuer_keys_load(&k, a->s, &a->lmk, d);
    if (rc == POS_OK)
        rc = admin__begin(a);
    if (rc != POS_OK)
        goto out;
    rc = issuer_card_pin_reset(a->s, &k, card_id, pin, out_pin, d);
    if (rc == POS_OK) {
        admin__card_object(card_id, obj, sizeof(obj));
        rc = admin__audit(a, "card.pin_reset", obj, json_pack("{s:b}", "pin_given", pin != NULL));
    }
    rc = admin__end(a, rc);
    if (rc != POS_OK)
        pos_wipe(out_pin, 13);
out:
    issuer_keys_clear(&k);
    return rc;
}

int admin_card_set_limit(struct admin *a, int64_t card_id, const char *amount, json_t **out,
                         struct pos_errdetail *d)
{
    struct issuer_card_info c;
    char obj[32];
    int64_t minor = 0;
    int rc;

    if (a == NULL || out == NULL)
        return POS_ERR_INVAL;
    *out = NULL;
    rc = admin__card(a, card_id, &c, d);
    if (rc == POS_OK)
        rc = admin__parse_amount(amount, c.currency, "daily limit", &minor, d);
    if (rc == POS_OK)
        rc = admin__begin(a);
    if (rc != POS_OK)
        return rc;
    rc = issuer_card_set_daily_limit(a->s, card_id, minor);
    if (rc == POS_OK) {
        admin__card_object(card_id, obj, sizeof(obj));
        rc = admin__audit(a, "card.limit", obj,
                          json_pack("{s:o,s:o}", "from", admin__money(c.daily_limit, c.currency),
                                    "to", admin__money(minor, c.currency)));
    }
    rc = admin__end(a, rc);
    if (rc == POS_OK)
        rc = admin_card_show(a, card_id, out, d);
    return rc;
}

int admin_card_show(struct admin *a, int64_t card_id, json_t **out, struct pos_errdetail *d)
{
    struct issuer_card_info c;
    struct ledger_account acc;
    int64_t avail = 0;
    int rc;

    if (a == NULL || out == NULL)
        return POS_ERR_INVAL;
    *out = NULL;
    rc = admin__card(a, card_id, &c, d);
    if (rc == POS_OK)
        rc = ledger_account_get(a->s, c.account_id, &acc);
    if (rc == POS_OK && ledger_available(&acc, &avail) != POS_OK)
        avail = 0;
    if (rc != POS_OK)
        return rc;
    *out = json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:o,s:s,s:o,s:o,s:I}", "id",
                     (json_int_t)c.id, "account_id", (json_int_t)c.account_id, "pan", c.pan_masked,
                     "expiry", c.expiry, "service_code", c.service_code, "status", c.status, "pvki",
                     (json_int_t)c.pvki, "pin_tries", (json_int_t)c.pin_tries, "pin_try_limit",
                     (json_int_t)c.pin_try_limit, "daily_limit",
                     admin__money(c.daily_limit, c.currency), "currency", admin__alpha(c.currency),
                     "balance", admin__money(acc.balance, acc.currency), "available",
                     admin__money(avail, acc.currency), "created_at", (json_int_t)c.created_at);
    return *out != NULL ? POS_OK : POS_ERR_NOMEM;
}
