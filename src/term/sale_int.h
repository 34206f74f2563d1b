/* sale_int: what the sale module's files share (not a public interface). */
#ifndef POS_TERM_SALE_INT_H
#define POS_TERM_SALE_INT_H

#include "term/sale.h"

/* sale_load into a caller's struct (sale.c). */
int sale__read(struct store *db, int64_t id, struct sale *s);

/* sale__read of a draft: POS_ERR_NOT_FOUND ("no sale N") or POS_ERR_STATE
 * ("sale N is paid") in d when sale_id is not an open sale. */
int sale__read_open(struct store *db, int64_t sale_id, struct sale *s, struct pos_errdetail *d);

/* Recomputes s with the active promotions and writes every computed value
 * of its lines, discounts and totals (inside the caller's transaction). */
int sale__save(struct store *db, struct sale *s, struct pos_errdetail *d);

/* Sets status, paid, change and closed_at of sale s->id. */
int sale__set_status(struct store *db, const struct sale *s);

/* Runs fn(db, s, arg, d) on the open draft sale_id inside one transaction:
 * loaded, changed by fn, recomputed and stored (sale__save), committed;
 * rolled back on any failure. POS_ERR_STATE when the sale is not open. */
typedef int (*sale__change_fn)(struct store *db, struct sale *s, void *arg,
                               struct pos_errdetail *d);
int sale__change(struct store *db, int64_t sale_id, sale__change_fn fn, void *arg,
                 struct pos_errdetail *d);

/* sale_add_tender with the tender's payment journal row (journal_id > 0:
 * tenders.pay_journal_id; 0: none). */
int sale__add_tender(struct store *db, int64_t sale_id, enum sale_tender_kind kind, int64_t amount,
                     const char *reference, int64_t journal_id, int64_t now_ms,
                     struct sale_tender_result *res, struct pos_errdetail *d);

/* The first column of the first row of sql (its ? bound to a, and to b
 * unless b is INT64_MIN) into *out; POS_ERR_NOT_FOUND (and *out 0) when
 * there is no row. */
int sale__one_int(struct store *db, const char *sql, int64_t a, int64_t b, int64_t *out);

/* The line line_no of s, or NULL. */
struct sale_line *sale__line_find(struct sale *s, int64_t line_no);

#endif
