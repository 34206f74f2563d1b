/*
 * migrate: versioned schema migrations over struct store.
 *
 * A schema is an ordered list of migrations, each a version number (strictly
 * increasing, from 1) and a list of SQL statements in the portable subset of
 * store.h. store_migrate brings a database to the newest version: every
 * migration newer than the database is applied in its own transaction
 * (ISO/IEC 9075-2:2016 clause 17: all of its statements and its row in
 * schema_version commit together, or none does). Applying is idempotent; two
 * processes migrating at once serialize on the write lock and the second
 * finds the work done. A database whose version is newer than the code's
 * newest migration is refused (POS_ERR_SCHEMA): old code must not write a
 * schema it does not know.
 *
 * The bookkeeping table:
 *   CREATE TABLE schema_version (version INTEGER PRIMARY KEY,
 *                                name TEXT NOT NULL,
 *                                applied_at INTEGER NOT NULL) -- Unix seconds
 */
#ifndef POS_STORE_MIGRATE_H
#define POS_STORE_MIGRATE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct store_migration {
    int64_t version;        /* > 0, strictly increasing along the list */
    const char *name;       /* short description, stored in schema_version */
    const char *const *sql; /* the statements, a NULL-terminated array */
};

/* Applies to s (a read-write connection, no transaction open) every
 * migration of list[0..n) newer than the database. *version (may be NULL)
 * gets the database's version afterwards (0 for an empty schema). Returns
 * POS_OK; POS_ERR_INVAL for a malformed list (version <= 0, not increasing,
 * no statements) or a transaction already open; POS_ERR_SCHEMA when the
 * database is newer than list[n-1]; or the error of the failing statement
 * (that migration is rolled back, earlier ones stay applied). d (may be NULL)
 * gets the migration's version and name, the statement's index and the
 * database's message in what. */
int store_migrate(struct store *s, const struct store_migration *list, size_t n, int64_t *version,
                  struct pos_errdetail *d);

/* Reads the database's schema version into *version (0 when no migration was
 * ever applied). Works on read-only connections. */
int store_migrate_version(struct store *s, int64_t *version);

#endif
