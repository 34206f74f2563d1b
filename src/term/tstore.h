/*
 * tstore: the terminal's local database (DESIGN.md §5).
 *
 * One SQLite file (WAL, synchronous=FULL, foreign keys on: store.h) holding
 * the catalog, stock, staff, shifts and, in later schema versions, the sales
 * and the payment journal. tstore_open brings its schema to the newest
 * version of tschema.h. Its path: the --db option, else $POS_DB, else
 * "pos-terminal.db" in the current directory (tstore_path).
 *
 * Settings are key/value text rows of the `settings` table. Known keys and
 * defaults (docs/terminal-store.md): currency = CNY, stock.allow_negative =
 * false, tax.included = true, staff.pin_iterations = STAFF_PBKDF2_ITERATIONS.
 *
 * Every function takes a connection from tstore_open (or any struct store
 * migrated with tschema_migrations) and runs on the caller's thread.
 */
#ifndef POS_TERM_TSTORE_H
#define POS_TERM_TSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "money.h"
#include "store/store.h"

#define TSTORE_DEFAULT_PATH "pos-terminal.db"
#define TSTORE_ENV          "POS_DB"

/* Longest setting key and value (bytes, without the NUL). */
#define TSTORE_SETTING_KEY_MAX   64
#define TSTORE_SETTING_VALUE_MAX 256

/* The database path to use: flag when not NULL, else $POS_DB when set and
 * not empty, else TSTORE_DEFAULT_PATH. The result is flag, the environment's
 * string or a static string (never NULL, never freed by the caller). */
const char *tstore_path(const char *flag);

/* Opens (creating if missing) the database at path (a file path, or an
 * "sqlite:" URL; "sqlite::memory:" for tests) and applies every migration
 * of tschema_migrations. On POS_OK *out is a connection the caller closes
 * with tstore_close; on failure *out is NULL and d (may be NULL) says why:
 * POS_ERR_DB (cannot open, not a database), POS_ERR_SCHEMA (the file was
 * written by a newer pos), POS_ERR_NOMEM. */
int tstore_open(const char *path, struct store **out, struct pos_errdetail *d);

/* Closes db (NULL is a no-op); an open transaction is rolled back. */
void tstore_close(struct store *db);

/* The current time as Unix milliseconds (CLOCK_REALTIME). */
int64_t tstore_now_ms(void);

/* Reads setting key into out (cap bytes, NUL-terminated). *found (may be
 * NULL) says whether the row exists; when it does not, out gets "" and the
 * call returns POS_OK. POS_ERR_NOSPACE when the value does not fit. */
int tstore_setting_get(struct store *db, const char *key, char *out, size_t cap, bool *found);

/* Inserts or replaces setting key (1..TSTORE_SETTING_KEY_MAX bytes of
 * [a-z0-9._-]) with value (at most TSTORE_SETTING_VALUE_MAX bytes, no
 * control characters). POS_ERR_INVAL for a bad key or value. Runs on the
 * caller's transaction if one is open, else autocommits. */
int tstore_setting_set(struct store *db, const char *key, const char *value);

/* Reads a boolean setting: "true"/"1"/"yes"/"on" or "false"/"0"/"no"/"off";
 * a missing row gives def. POS_ERR_SYNTAX for any other stored value. */
int tstore_setting_bool(struct store *db, const char *key, bool def, bool *out);

/* Reads a non-negative integer setting; a missing row gives def.
 * POS_ERR_SYNTAX for anything but decimal digits (at most 18). */
int tstore_setting_int(struct store *db, const char *key, int64_t def, int64_t *out);

/* The terminal currency: setting "currency" (alpha or numeric ISO 4217
 * code), default CNY. POS_ERR_CURRENCY when the stored code is unknown. */
int tstore_currency(struct store *db, const struct currency **out);

#endif
