/*
 * admin_int: what the admin module's files (admin.c, admin_terminal.c,
 * admin_card.c, admin_query.c) share. Not a public interface.
 */
#ifndef POSD_ADMIN_INT_H
#define POSD_ADMIN_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "host/admin.h"
#include "money.h"

struct admin {
    struct store *s;
    struct lmk lmk; /* loaded only when given to admin_open */
    char actor[ADMIN_ACTOR_MAX + 1];
    int64_t fixed_now; /* 0: the clock */
};

/* The time of a change (Unix ms). */
int64_t admin__now(const struct admin *a);

/* Starts a change: store_begin. */
int admin__begin(struct admin *a);

/* Ends a change: commits when rc is POS_OK (returning the commit's
 * result), else rolls back and returns rc. */
int admin__end(struct admin *a, int rc);

/* Writes an audit row: action, object and detail (a JSON object, consumed;
 * NULL: {}). Never pass a secret in any of them. */
int admin__audit(struct admin *a, const char *action, const char *object, json_t *detail);

/* POS_ERR_KEY (d says so) when a has no LMK. */
int admin__need_lmk(struct admin *a, struct pos_errdetail *d);

/* true when s has len characters, each a letter or a digit. */
bool admin__is_alnum(const char *s, size_t len);

/* true when s is 1..max bytes (0..max with empty_ok) without control
 * characters. */
bool admin__is_text(const char *s, size_t max, bool empty_ok);

/* The amount as a JSON decimal string in currency (numeric code); "?" when
 * it cannot be formatted. */
json_t *admin__money(int64_t minor, uint16_t currency);

/* The ISO 4217 alpha code of a numeric one ("???" when unknown). */
const char *admin__alpha(uint16_t currency);

/* Parses a decimal amount in currency (numeric) into *minor; refuses
 * negatives. d names field (e.g. "--amount"). */
int admin__parse_amount(const char *text, uint16_t currency, const char *field, int64_t *minor,
                        struct pos_errdetail *d);

/* The text of column col ("" for NULL) as a JSON string. */
json_t *admin__col_text(struct store_stmt *st, int col);

/* The merchant whose MID is mid: id, currency (either may be NULL).
 * POS_ERR_NOT_FOUND (d names it). */
int admin__merchant_id(struct admin *a, const char *mid, int64_t *id, uint16_t *currency,
                       struct pos_errdetail *d);

/* The terminal whose TID is tid. POS_ERR_NOT_FOUND (d names it). */
int admin__terminal_id(struct admin *a, const char *tid, int64_t *id, struct pos_errdetail *d);

/* Steps st (prepared and bound) to its end, appending row(st) for each row
 * to a new array in *out. On failure st is reset and *out is NULL. */
int admin__collect(struct store_stmt *st, json_t *(*row)(struct store_stmt *st), json_t **out);

/* The key store's listing as a JSON array (admin_keys). */
int admin__keys_json(struct store *s, json_t **out);

/* Runs a one-row UPDATE/INSERT statement already bound: POS_OK on
 * STORE_DONE. */
int admin__step_done(struct store_stmt *st);

#endif
