/*
 * schema: the host's database schema, as versioned migrations for
 * store_migrate (src/store/migrate.h). The books of DESIGN.md §4 live here.
 *
 * Money is INTEGER minor units of the row's ISO 4217 currency (numeric code);
 * times are INTEGER Unix milliseconds; a balance is the signed sum of the
 * account's postings (a payer's purchase posts a negative amount to the
 * payer and a positive one to the merchant), so every transaction's postings
 * sum to zero and so do all postings together. Every key is a TR-31 key
 * block under the local master key; PANs are stored only as AES-GCM
 * ciphertext, a keyed hash (the lookup key) and a masked form.
 *
 * The SQL is the portable subset of store.h: it runs unchanged on SQLite and
 * PostgreSQL.
 */
#ifndef POSD_SCHEMA_H
#define POSD_SCHEMA_H

#include <stddef.h>

#include "store/migrate.h"

/* The host's migrations, oldest first; *n gets their count. Static data. */
const struct store_migration *schema_migrations(size_t *n);

/* The page size a new host database is created with (store_options). The
 * host's writes land on many small index entries spread over the file (a
 * terminal's journal keys, a card's postings): each one dirties a whole page,
 * which the WAL then carries; 1 KiB pages carry a quarter of what the
 * default 4 KiB ones do (docs/storage.md, docs/performance.md). */
#define SCHEMA_PAGE_SIZE 1024

#endif
