/*
 * stock: stock movements and quantities of the catalog's items.
 *
 * Every change of an item's quantity is a row of stock_moves (kind, signed
 * change in milli-units, the quantity after it, reason, reference, who,
 * when); items.qty caches the sum of the item's movements, and stock_check
 * proves the cache against the movements. Kinds:
 *   receive  goods in from a supplier (qty > 0; ref: delivery note);
 *   adjust   a correction (qty != 0, signed; a reason is required);
 *   count    a stocktake: qty is the counted quantity (>= 0); the movement
 *            records the difference (possibly 0);
 *   sale     goods out to a customer (qty > 0 taken off);
 *   return   goods back from a customer (qty > 0).
 * A sale that would leave the quantity below zero is refused
 * (POS_ERR_STOCK, nothing changed) unless the setting stock.allow_negative
 * is true; an adjustment below zero is always refused (a count fixes a
 * negative quantity). Quantities are at most CATALOG_QTY_MAX in absolute
 * value (POS_ERR_RANGE).
 *
 * stock_move runs inside the caller's transaction (the sale module calls
 * it inside the sale's), under a savepoint so a refused move leaves the
 * caller's other work intact; stock_apply is the same in its own
 * transaction.
 */
#ifndef POS_TERM_STOCK_H
#define POS_TERM_STOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "store/store.h"

#define STOCK_TEXT_MAX 128 /* reason and ref, bytes */

enum stock_kind {
    STOCK_RECEIVE = 0,
    STOCK_ADJUST,
    STOCK_COUNT,
    STOCK_SALE,
    STOCK_RETURN,
};

/* "receive", "adjust", "count", "sale", "return" (or "?" for a bad kind). */
const char *stock_kind_name(enum stock_kind k);

/* Parses a kind name; POS_ERR_INVAL when it is none of the above. */
int stock_kind_parse(const char *s, enum stock_kind *out);

struct stock_req {
    enum stock_kind kind;
    int64_t item_id;     /* items.id */
    int64_t qty;         /* milli-units, meaning per kind (see above) */
    const char *reason;  /* may be NULL (""); required for adjust */
    const char *ref;     /* may be NULL (""): supplier delivery, sale number */
    int64_t employee_id; /* employees.id, or 0 for none */
};

struct stock_result {
    int64_t move_id;   /* the stock_moves row */
    int64_t delta;     /* the signed change recorded */
    int64_t qty_after; /* the item's quantity afterwards */
};

/* Records one movement inside the caller's open transaction (POS_ERR_STATE
 * when none is open). Returns POS_OK with *res (may be NULL); POS_ERR_INVAL
 * (bad kind, qty not allowed for the kind, adjust without a reason, text
 * too long), POS_ERR_RANGE (quantity out of range), POS_ERR_NOT_FOUND (no
 * such item), POS_ERR_STOCK (would go below zero), or a store error; d (may
 * be NULL) says why. On failure nothing of this call remains. */
int stock_move(struct store *db, const struct stock_req *req, struct stock_result *res,
               struct pos_errdetail *d);

/* stock_move in its own transaction (none may be open: POS_ERR_STATE). */
int stock_apply(struct store *db, const struct stock_req *req, struct stock_result *res,
                struct pos_errdetail *d);

/* The cached quantity of an item (milli-units). POS_ERR_NOT_FOUND. */
int stock_qty(struct store *db, int64_t item_id, int64_t *qty);

struct stock_movement {
    int64_t id;
    enum stock_kind kind;
    int64_t qty;       /* signed change */
    int64_t qty_after; /* quantity after it */
    char reason[STOCK_TEXT_MAX + 1];
    char ref[STOCK_TEXT_MAX + 1];
    int64_t employee_id; /* 0 when none */
    int64_t created_at;  /* Unix ms */
};

/* Calls fn for the item's last limit movements (0 = all), newest first; a
 * non-zero return of fn stops and is returned. */
int stock_history(struct store *db, int64_t item_id, size_t limit,
                  int (*fn)(void *arg, const struct stock_movement *m), void *arg);

/* A low-stock row: an active item with a reorder level (> 0) whose
 * quantity is at or below it. */
struct stock_low_item {
    int64_t item_id;
    const char *sku;  /* valid during the callback */
    const char *name; /* valid during the callback */
    int64_t qty;
    int64_t reorder_level;
};

/* Calls fn for each low-stock item, lowest qty - reorder_level first. */
int stock_low(struct store *db, int (*fn)(void *arg, const struct stock_low_item *it), void *arg);

struct stock_check_report {
    int64_t items;      /* items checked */
    int64_t moves;      /* movements summed */
    int64_t mismatches; /* items whose qty differs from the sum of their moves */
    int64_t chain_breaks; /* movements whose qty_after is not the running sum */
    int64_t first_item;   /* id of the first mismatching item, 0 if none */
};

/* Proves items.qty == sum of the item's stock_moves.qty for every item,
 * and that each movement's qty_after is the running sum. Returns POS_OK
 * and *r (all counts zero when the stock is sound), or a store error. */
int stock_check(struct store *db, struct stock_check_report *r);

#endif
