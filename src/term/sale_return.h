/*
 * sale_return: voids and refunds of sales, and goods returned without their
 * receipt (DESIGN.md §5, issue 5 item 7; docs/sales.md "Voids and
 * refunds"). Tables of schema version 4 (tschema_ret.c): a paid sale never
 * changes; a return row (kind 'void' or 'refund') points at it with its
 * lines (return_lines) and how the money went back (return_tenders: cash
 * out of the drawer, card voids and refunds with their journal rows).
 *
 * Every return needs a supervisor's number and PIN (staff_authorize with
 * STAFF_RIGHT_VOID or STAFF_RIGHT_REFUND; a wrong PIN counts) and an open
 * shift (the cash comes out of its drawer: sale_shift_cash). The return's
 * employee is the shift's, authorized_by the supervisor.
 *
 * Money of a partial return (the pro-rata rule): returning q of a line's
 * qty sold gives back round_half_up(net x q / qty) and the same of its
 * tax; the return that takes the last of a line gives back exactly what is
 * left of its net and tax, so a line returned in parts sums to the line.
 * amount and tax follow the sale: tax within amount when its prices include
 * tax, on top of it when not; returns.total is what was handed back.
 *
 * The card side first, then ONE local transaction: the host's voids and
 * refunds are made before the return is written. A crash between them
 * leaves approved voids/refunds no return points at: running the same
 * return again finds them (a voided purchase is not voided twice; an
 * approved refund of the sale's payment not yet in return_tenders is
 * taken as that tender's share) and finishes the job.
 *
 * Errors: POS_ERR_NOT_FOUND (sale, line, SKU), POS_ERR_STATE (not paid,
 * already voided, settled card payment for a void, no open shift, nothing
 * left), POS_ERR_RANGE (quantity over what is left), POS_ERR_AUTH /
 * POS_ERR_DENIED / POS_ERR_LOCKED (supervisor), POS_ERR_IO (host),
 * store errors. A refused call changes nothing.
 */
#ifndef POS_TERM_SALE_RETURN_H
#define POS_TERM_SALE_RETURN_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "store/store.h"
#include "term/payclient.h"
#include "term/sale.h"

#define SRET_REASON_MAX 128

/* Who allows a return, and why. */
struct sret_auth {
    int64_t sup_number;
    const char *sup_pin;
    const char *reason; /* may be NULL; at most SRET_REASON_MAX printable bytes */
};

/* A line to refund: line_no of the sale, qty milli-units (0: all that is
 * left of it). */
struct sret_req {
    int64_t line_no;
    int64_t qty;
};

struct sret_result {
    int64_t return_id;
    int64_t total; /* handed back */
    int64_t tax;   /* its tax */
    int64_t cash;  /* of it in cash */
    int64_t card;  /* of it to cards (voids or refunds) */
};

/* round_half_up(v x num / den) for 0 <= v, 0 <= num <= den, den > 0 (pure;
 * POS_ERR_OVERFLOW, POS_ERR_INVAL). The pro-rata share of a line. */
int sret_prorata(int64_t v, int64_t num, int64_t den, int64_t *out);

/* What is left to return of line line_no of sale sale_id (milli-units):
 * sold minus every return of it. POS_ERR_NOT_FOUND. */
int sret_qty_left(struct store *db, int64_t sale_id, int64_t line_no, int64_t *left);

/* Voids paid sale sale_id: every card tender voided at the host through pc
 * (NULL when it has none), then the return (kind void, every line back
 * into stock, the cash tenders' net back out of the drawer). A sale with a
 * card payment of a settled batch: POS_ERR_STATE "payment settled: refund
 * it instead"; a sale already voided or refunded in part: POS_ERR_STATE. */
int sret_void(struct store *db, struct payclient *pc, int64_t sale_id, const struct sret_auth *a,
              int64_t now_ms, struct sret_result *res, struct pos_errdetail *d);

/* Refunds lines reqs[0..n) of paid sale sale_id (n 0: all that is left of
 * every line). restock: back into stock (a 'return' move, ref "return N").
 * The money goes back to the sale's card tenders first (host refunds with
 * the original RRN, each up to what that tender has left), the rest cash. */
int sret_refund(struct store *db, struct payclient *pc, int64_t sale_id,
                const struct sret_req *reqs, size_t n, bool restock, const struct sret_auth *a,
                int64_t now_ms, struct sret_result *res, struct pos_errdetail *d);

/* Takes back qty (milli-units, > 0) of item sku without a receipt at its
 * current catalog price (tax as the setting tax.included), cash only. */
int sret_refund_sku(struct store *db, const char *sku, int64_t qty, bool restock,
                    const struct sret_auth *a, int64_t now_ms, struct sret_result *res,
                    struct pos_errdetail *d);

#endif
