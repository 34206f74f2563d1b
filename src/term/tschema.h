/*
 * tschema: the terminal's database schema, as versioned migrations
 * (src/store/migrate.h). tstore_open applies them.
 *
 * Conventions every table of the terminal follows (docs/terminal-store.md):
 *   - money: INTEGER minor units of the currency, with the ISO 4217 numeric
 *     code in a `currency` INTEGER column beside it (156 for CNY);
 *   - times: INTEGER Unix milliseconds (UTC), columns named *_at;
 *   - quantities: INTEGER thousandths of the item's unit ("milli-units"):
 *     1 each = 1000, 1.250 kg = 1250, so weighed goods need no REAL;
 *   - rates: INTEGER basis points (1300 = 13 %);
 *   - flags: INTEGER 0/1; enumerations: TEXT with a CHECK listing them;
 *   - only the portable SQL subset of store.h, so the schema also runs on
 *     PostgreSQL; no card secret in any column (masked PANs only).
 *
 * Version 1 (this module's owner: catalog, stock, staff, shifts, settings):
 *   settings, items, barcodes, stock_moves, employees, shifts.
 * Later versions (sales, tenders, payment journal, store-and-forward,
 * pending reversals) are appended by their modules as new entries at the
 * end of the list in tschema.c, with the next version number; a released
 * version is never edited.
 */
#ifndef POS_TERM_TSCHEMA_H
#define POS_TERM_TSCHEMA_H

#include <stddef.h>

#include "store/migrate.h"

/* The terminal's migrations, oldest first; *n gets their count. The array
 * is static and read-only. */
const struct store_migration *tschema_migrations(size_t *n);

/* The statements of versions 2 (tschema_sale.c: sales), 3
 * (tschema_pay.c: payments) and 4 (tschema_ret.c: voids, refunds, day
 * closes), NULL-terminated. */
extern const char *const tschema_v2[];
extern const char *const tschema_v3[];
extern const char *const tschema_v4[];

#endif
