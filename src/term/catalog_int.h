/* catalog_int: what catalog.c shares with catalog_csv.c (not public). */
#ifndef POS_TERM_CATALOG_INT_H
#define POS_TERM_CATALOG_INT_H

#include <stdbool.h>

#include "term/catalog.h"

/* Starts a unit of work: a transaction, or the savepoint "catalog" inside
 * the caller's transaction. *own records which. */
int catalog__begin(struct store *db, bool *own);

/* Ends it: commits (rc == POS_OK) or undoes everything; returns rc, or the
 * commit's error. */
int catalog__end(struct store *db, bool own, int rc);

/* Writes it: a new row when id is 0 (with upsert, an existing SKU is
 * updated), else the row with that id. Barcodes replaced. *id_out gets the
 * row's id. Runs inside a unit of work; validates first. */
int catalog__write(struct store *db, const struct catalog_item *it, int64_t id, bool upsert,
                   uint16_t currency, int64_t *id_out, struct pos_errdetail *d);

#endif
