/*
 * promo: the terminal's promotions (table `promotions`, schema version 2)
 * and what one promotion takes off one sale line.
 *
 * A promotion targets one item (by SKU) or one category and is one of:
 *   PROMO_PERCENT  percent_bps (1..10000) off the line's gross amount;
 *   PROMO_AMOUNT   amount (minor units) off each unit: amount x qty / 1000
 *                  for weighed goods, capped at the gross amount;
 *   PROMO_BUY_GET  buy buy_n get get_m free: per full group of buy_n + get_m
 *                  whole units, get_m units at the unit price come off;
 *   PROMO_BUNDLE   buy_n units for the bundle price amount: per full group
 *                  of buy_n whole units, buy_n x unit price - amount comes
 *                  off (nothing when the bundle is not cheaper).
 * Every result rounds half up to a minor unit (money_fee_bps,
 * MONEY_ROUND_HALF_UP) and never exceeds the line's gross amount. The sale
 * module applies, per line, the one applicable active promotion that takes
 * off the most (docs/sales.md: best for the customer; no stacking).
 *
 * Errors: POS_ERR_INVAL / POS_ERR_RANGE (bad field; d->what names it),
 * POS_ERR_NOT_FOUND (no such promotion or SKU), POS_ERR_OVERFLOW, store
 * errors.
 */
#ifndef POS_TERM_PROMO_H
#define POS_TERM_PROMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "store/store.h"
#include "term/catalog.h"

#define PROMO_NAME_MAX   64
#define PROMO_GROUP_MAX  1000 /* largest buy_n, get_m */
#define PROMO_ACTIVE_MAX 256  /* most active promotions loaded for a sale */

enum promo_kind {
    PROMO_PERCENT = 0,
    PROMO_AMOUNT,
    PROMO_BUY_GET,
    PROMO_BUNDLE,
};

struct promo {
    int64_t id;
    char name[PROMO_NAME_MAX + 1];
    enum promo_kind kind;
    int64_t item_id;                         /* target item (0 when category is used) */
    char sku[CATALOG_SKU_MAX + 1];           /* the item's SKU (reads) */
    char category[CATALOG_CATEGORY_MAX + 1]; /* target category when item_id is 0 */
    uint32_t percent_bps;                    /* PROMO_PERCENT */
    int64_t amount; /* PROMO_AMOUNT: off per unit; PROMO_BUNDLE: the bundle price */
    int64_t buy_n;  /* PROMO_BUY_GET, PROMO_BUNDLE */
    int64_t get_m;  /* PROMO_BUY_GET */
    bool active;
};

/* "percent", "amount", "buy_get", "bundle" ("?" for a bad kind); parse:
 * POS_ERR_INVAL for an unknown name. */
const char *promo_kind_name(enum promo_kind k);
int promo_kind_parse(const char *s, enum promo_kind *out);

/* Sets *p to an empty, active percent promotion. */
void promo_init(struct promo *p);

/* Checks p's fields for its kind (name 1..PROMO_NAME_MAX bytes without
 * control characters; exactly one target; percent 1..10000; amount
 * 1..CATALOG_PRICE_MAX (0 allowed for a bundle: free); buy_n, get_m
 * 1..PROMO_GROUP_MAX, buy_n >= 2 for a bundle). */
int promo_validate(const struct promo *p, struct pos_errdetail *d);

/* Whether p applies to an item with this id and category. */
bool promo_applies(const struct promo *p, int64_t item_id, const char *category);

/* What p takes off a line of qty milli-units at unit_price whose gross
 * amount is gross (all >= 0): *off in 0..gross. POS_ERR_OVERFLOW when an
 * intermediate does not fit in int64, POS_ERR_INVAL for a bad promotion. */
int promo_discount(const struct promo *p, int64_t qty, int64_t unit_price, int64_t gross,
                   int64_t *off);

/* Inserts p (target: p->sku resolved to its item when not "", else
 * p->category); *id (may be NULL) gets the new id. POS_ERR_NOT_FOUND for an
 * unknown SKU. Autocommits (or runs in the caller's transaction). */
int promo_add(struct store *db, const struct promo *p, int64_t *id, struct pos_errdetail *d);

/* Marks promotion id inactive. POS_ERR_NOT_FOUND. */
int promo_disable(struct store *db, int64_t id);

/* Calls fn for every promotion (inactive ones too when all), by id; a
 * non-zero return stops and is returned. p is valid during the call. */
int promo_list(struct store *db, bool all, int (*fn)(void *arg, const struct promo *p), void *arg);

/* Loads up to cap active promotions into out[]; *n gets their count.
 * POS_ERR_NOSPACE when there are more than cap. */
int promo_load_active(struct store *db, struct promo *out, size_t cap, size_t *n);

#endif
