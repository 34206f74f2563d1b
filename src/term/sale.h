/*
 * sale: the cashier terminal's sale (DESIGN.md §5; docs/sales.md): a cart of
 * lines scanned by SKU or barcode, promotions, manual discounts with a
 * supervisor's override, tax, tenders (cash with change; card and wallet
 * through the payment client), atomic completion with the stock movements,
 * and the receipt.
 *
 * Life of a sale (table `sales`, schema version 2 in tschema_sale.c):
 *   sale_open      by a logged-in employee (PIN) within the open shift:
 *                  a draft, status 'open' (not a sale: reports ignore it);
 *   sale_add_code / sale_remove_line / sale_discount / sale_price_override
 *                  change the draft; every change recomputes and stores the
 *                  whole sale (sale_compute) in one transaction;
 *   sale_add_tender records a tender; the tender that covers the total
 *                  completes the sale in the same transaction: status
 *                  'paid', totals, tenders and one stock movement (kind
 *                  sale) per line. If a movement is refused (stock below
 *                  zero and stock.allow_negative false) nothing changes.
 *                  A crash leaves the sale complete or still a draft.
 *   sale_cancel    drops a draft (status 'cancelled').
 *
 * The arithmetic (sale_compute, pure; docs/sales.md has the tables):
 *   1. gross = qty x unit_price / 1000, rounded half up (qty in milli-units);
 *   2. promotion: per line the applicable active promotion that takes off
 *      the most (promo.h), one per line;
 *   3. manual line discount on gross - promotion (percent: money_fee_bps
 *      half up; amount: at most what is left);
 *   4. sale discount on the sum of what is left: a percent is taken off each
 *      line (half up per line); an amount is shared among the lines in
 *      proportion (largest remainder, so the shares sum exactly);
 *   5. tax per line, half up: prices including tax (setting tax.included,
 *      default true): tax = net x rate / (10000 + rate); excluding tax:
 *      tax = net x rate / 10000, added to the total. Totals per rate are
 *      sums of the line taxes, so the receipt adds up.
 * All money is int64 minor units of the terminal currency; every product
 * and sum is checked (POS_ERR_OVERFLOW), a line is at most SALE_AMOUNT_MAX
 * and a sale at most SALE_TOTAL_MAX (POS_ERR_RANGE).
 *
 * Discounts over the sale employee's limit (staff_role_discount_limit_bps;
 * an amount counts as its share of the base, rounded up) and every price
 * override need a supervisor's number and PIN (staff_authorize with
 * STAFF_RIGHT_DISCOUNT / STAFF_RIGHT_PRICE_OVERRIDE) unless the sale's
 * employee has the right: without them POS_ERR_DENIED.
 *
 * Errors: POS_ERR_NOT_FOUND (sale, line or code; d says which),
 * POS_ERR_STATE (sale not open, no open shift, empty sale), POS_ERR_RANGE /
 * POS_ERR_INVAL (bad quantity, amount, percent, tender), POS_ERR_DENIED,
 * POS_ERR_AUTH, POS_ERR_LOCKED (staff.h), POS_ERR_STOCK, POS_ERR_OVERFLOW,
 * store errors. A refused call changes nothing. d never holds a PIN.
 */
#ifndef POS_TERM_SALE_H
#define POS_TERM_SALE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "money.h"
#include "receipt.h"
#include "store/store.h"
#include "term/catalog.h"
#include "term/payclient.h"
#include "term/promo.h"

#define SALE_LINES_MAX   500
#define SALE_TENDERS_MAX 16
#define SALE_TAXES_MAX   16
#define SALE_REF_MAX     64                        /* tender reference, bytes */
#define SALE_QTY_MAX     INT64_C(100000000)        /* 100,000 units per line, milli-units */
#define SALE_AMOUNT_MAX  INT64_C(10000000000000)   /* 10^13 minor units per line */
#define SALE_TOTAL_MAX   INT64_C(1000000000000000) /* 10^15 minor units per sale */

enum sale_status { SALE_OPEN = 0, SALE_PAID, SALE_CANCELLED };
enum sale_disc_kind { SALE_DISC_PERCENT = 0, SALE_DISC_AMOUNT };
enum sale_tender_kind {
    SALE_TENDER_CASH = 0,
    SALE_TENDER_CARD,
    SALE_TENDER_WALLET,
    SALE_TENDER_OTHER
};

struct sale_line {
    int64_t line_no; /* 1, 2, ... (stable; removing a line leaves a gap) */
    int64_t item_id;
    char sku[CATALOG_SKU_MAX + 1];
    char name[CATALOG_NAME_MAX + 1];
    char unit[CATALOG_UNIT_MAX + 1];
    char category[CATALOG_CATEGORY_MAX + 1];
    int64_t qty;        /* milli-units, 1..SALE_QTY_MAX */
    int64_t unit_price; /* minor units */
    uint32_t tax_bps;
    bool embedded;       /* from a weight/price label: never merged */
    int64_t override_by; /* employees.id of the override's authorizer, 0 = none */
    /* computed by sale_compute */
    int64_t gross;
    int64_t promo_id; /* 0 = none */
    char promo_name[PROMO_NAME_MAX + 1];
    int64_t promo_discount;
    int64_t line_discount;
    int64_t sale_discount;
    int64_t net; /* gross - the three discounts */
    int64_t tax; /* within net (tax included) or on top of it */
};

struct sale_discount {
    int64_t line_no; /* 0: the whole sale */
    enum sale_disc_kind kind;
    int64_t value;         /* bps (percent) or minor units (amount) */
    int64_t amount;        /* computed: what it took off */
    int64_t authorized_by; /* employees.id, 0 = within the cashier's limit */
};

struct sale_tender {
    int64_t id;
    enum sale_tender_kind kind;
    int64_t amount; /* tendered (cash: handed over) */
    int64_t change; /* cash: given back */
    char reference[SALE_REF_MAX + 1];
};

struct sale_tax {
    uint32_t rate_bps;
    int64_t base;   /* net of the lines at this rate (tax excluded) */
    int64_t amount; /* the sum of their taxes */
};

struct sale {
    int64_t id;
    enum sale_status status;
    int64_t employee_id, employee_number, shift_id;
    const struct currency *cur;
    bool tax_included;
    int64_t opened_at, closed_at; /* Unix ms; closed_at 0 while open */
    size_t n_lines;
    struct sale_line lines[SALE_LINES_MAX];
    size_t n_discounts;
    struct sale_discount discounts[SALE_LINES_MAX + 1];
    size_t n_tenders;
    struct sale_tender tenders[SALE_TENDERS_MAX];
    /* computed */
    size_t n_taxes;
    struct sale_tax taxes[SALE_TAXES_MAX];
    int64_t subtotal;       /* sum of gross */
    int64_t promo_total;    /* sum of promotions */
    int64_t discount_total; /* sum of manual line and sale discounts */
    int64_t tax_total;
    int64_t total; /* to pay: sum of net (+ tax when excluded) */
    int64_t paid;  /* sum of tenders */
    int64_t change;
};

/* "open", "paid", "cancelled"; "cash", "card", "wallet", "other" ("?" for a
 * bad value); parse: POS_ERR_INVAL for an unknown name. */
const char *sale_status_name(enum sale_status s);
const char *sale_tender_kind_name(enum sale_tender_kind k);
int sale_tender_kind_parse(const char *s, enum sale_tender_kind *out);

/* Computes every "computed" member of s from its lines, discounts and
 * tenders with the active promotions promos[0..n_promos) (pure: no
 * database). POS_OK, POS_ERR_OVERFLOW, POS_ERR_RANGE (a line or the sale
 * over its maximum; d names the line), POS_ERR_NOSPACE (more than
 * SALE_TAXES_MAX rates). */
int sale_compute(struct sale *s, const struct promo *promos, size_t n_promos,
                 struct pos_errdetail *d);

/* Opens a draft for employee number (PIN checked, staff_login) within the
 * open shift (POS_ERR_STATE when none). *sale_id gets its id. */
int sale_open(struct store *db, int64_t number, const char *pin, int64_t now_ms, int64_t *sale_id,
              struct pos_errdetail *d);

/* Adds code (a SKU, else a barcode or weight/price label: catalog_scan) to
 * the draft. qty: milli-units 1..SALE_QTY_MAX, or 0 for the default (1 unit,
 * or the label's weight; a quantity with a label is POS_ERR_INVAL). The
 * same item added again without a label joins its line. Inactive items are
 * refused (POS_ERR_STATE). *line_no (may be NULL) gets the line. */
int sale_add_code(struct store *db, int64_t sale_id, const char *code, int64_t qty,
                  int64_t *line_no, struct pos_errdetail *d);

/* Removes a line (and its discount) from the draft. */
int sale_remove_line(struct store *db, int64_t sale_id, int64_t line_no, struct pos_errdetail *d);

/* Sets (replaces) the discount of line line_no, or of the sale when 0:
 * percent value 1..10000 bps or amount value > 0 minor units and at most
 * what is left to discount (POS_ERR_RANGE). Over the sale employee's limit,
 * sup_number/sup_pin (sup_pin NULL: none given) must be a supervisor's. */
int sale_discount(struct store *db, int64_t sale_id, int64_t line_no, enum sale_disc_kind kind,
                  int64_t value, int64_t sup_number, const char *sup_pin, int64_t now_ms,
                  struct pos_errdetail *d);

/* Sets a line's unit price (0..CATALOG_PRICE_MAX) with a supervisor's
 * authorization (or the sale employee's own right). */
int sale_price_override(struct store *db, int64_t sale_id, int64_t line_no, int64_t price,
                        int64_t sup_number, const char *sup_pin, int64_t now_ms,
                        struct pos_errdetail *d);

struct sale_tender_result {
    int64_t tender_id;
    int64_t due;    /* still to pay after this tender (0 when complete) */
    int64_t change; /* cash given back */
    bool completed; /* this tender completed the sale */
};

/* Records a tender of amount (> 0, minor units) on the open sale;
 * reference (may be NULL; at most SALE_REF_MAX printable bytes; never a
 * PAN) is kept with it. Only cash may exceed what is due (the rest is
 * change); a card/wallet/other tender over the due amount is
 * POS_ERR_RANGE. When the tenders cover the total the sale is completed as
 * the top comment says; POS_ERR_STOCK (nothing recorded) when a line's
 * stock would go below zero. POS_ERR_STATE: not open, or no lines. */
int sale_add_tender(struct store *db, int64_t sale_id, enum sale_tender_kind kind, int64_t amount,
                    const char *reference, int64_t now_ms, struct sale_tender_result *res,
                    struct pos_errdetail *d);

/* ---- card tenders (sale_pay.c; docs/sales.md "Card tenders") ----
 *
 * The purchase's journal row names the sale (pay_journal.sale_id) in the
 * transaction that records it, before it is sent; the card tender names
 * its journal row (tenders.pay_journal_id). An approved (or offline)
 * purchase of a sale without a tender is therefore found again after a
 * crash: sale_card_recover attaches it to its open sale, or voids it. */

/* The card: as struct payclient_op (track2, or pan + expiry; icc: chip
 * data for field 55; pin may be NULL). Caller-owned, wiped by the caller. */
struct sale_card {
    const char *track2, *pan, *expiry, *pin;
    const uint8_t *icc;
    size_t icc_len;
};

struct sale_card_result {
    struct payclient_result pay; /* the purchase (status "" when none was sent) */
    struct sale_tender_result tender;
    bool tendered; /* the card tender was recorded */
    bool voided;   /* approved, then voided at the host (the sale could not take it) */
};

/* Pays amount (0: what is due; at most what is due) of open sale sale_id
 * by card through session pc: recovers first (sale_card_recover), checks
 * the stock when the card would complete the sale (POS_ERR_STOCK, nothing
 * sent), runs a PURCHASE and records the approved (or offline) payment as
 * a card tender with reference "RRN <rrn> AUTH <auth>" and its journal
 * row. POS_OK with res->pay.status "declined": nothing recorded, the sale
 * still open. POS_ERR_IO: no answer (the sale still open; the payment
 * client reverses it before its next request). Approved but the tender
 * refused (a stock race): the payment is voided at the host, res->voided,
 * and the tender's error returned. */
int sale_pay_card(struct store *db, struct payclient *pc, int64_t sale_id,
                  const struct sale_card *card, int64_t amount, int64_t now_ms,
                  struct sale_card_result *res, struct pos_errdetail *d);

/* Attaches every approved or offline purchase of a sale without a tender
 * to its sale when it is open and can take it; voids the others at the
 * host (pc NULL: left for later). *attached, *voided (may be NULL) get
 * the counts. Errors of the store or the host (POS_ERR_IO). */
int sale_card_recover(struct store *db, struct payclient *pc, int64_t now_ms, int *attached,
                      int *voided, struct pos_errdetail *d);

/* Voids the card purchase of journal row journal_id at the host unless it
 * is voided already; *void_id gets the void's journal row. A purchase of an
 * earlier (settled) batch: POS_ERR_STATE "payment settled: refund it
 * instead"; the host declining: POS_ERR_STATE with the response code. */
int sale_card_void(struct store *db, struct payclient *pc, int64_t journal_id, int64_t *void_id,
                   struct pos_errdetail *d);

/* Cancels a draft holding card tenders: each is voided at the host first
 * (no supervisor: nothing was sold), then the draft is cancelled as
 * sale_cancel. pc may be NULL when the draft holds no card tender. */
int sale_cancel_cards(struct store *db, struct payclient *pc, int64_t sale_id, int64_t now_ms,
                      struct pos_errdetail *d);

/* Whether completing the open sale now would pass the stock checks (a dry
 * run of its stock movements, rolled back): POS_OK, POS_ERR_STOCK (d names
 * the item), POS_ERR_NOT_FOUND / POS_ERR_STATE (not an open sale). Run
 * before a card is charged so the common refusal moves no money. */
int sale_stock_check(struct store *db, int64_t sale_id, struct pos_errdetail *d);

/* Cancels a draft. POS_ERR_STATE when it is paid or cancelled, or holds a
 * card or wallet tender (void it first); cash tendered is handed back. */
int sale_cancel(struct store *db, int64_t sale_id, int64_t now_ms, struct pos_errdetail *d);

/* Reads sale id with its lines, discounts, tenders and stored totals into
 * a new struct sale (*out, freed with sale_free). POS_ERR_NOT_FOUND,
 * POS_ERR_NOMEM, store errors. */
int sale_load(struct store *db, int64_t id, struct sale **out);
void sale_free(struct sale *s);

/* The net cash taken in a shift: cash tenders minus change of its paid
 * sales, minus the cash given back by the voids and refunds of the shift
 * (return_tenders of kind cash, sale_return.h). A staff_cash_fn (staff.h)
 * for staff_shift_close; arg unused. */
int sale_shift_cash(void *arg, struct store *db, int64_t shift_id, int64_t *net_cash);

/* A receipt for a sale: the model and the arrays and strings it points
 * into. Caller-allocated; valid while the struct sale it was filled from
 * lives. */
struct sale_receipt {
    struct receipt r;
    struct receipt_item items[SALE_LINES_MAX];
    struct receipt_tax taxes[SALE_TAXES_MAX];
    struct receipt_tender tenders[SALE_TENDERS_MAX];
    char operator_id[24];
    char datetime[24];
    char footer[48];
    /* the card slip (sale_receipt_cards) */
    char mid[16], tid[9], batch[8], trace[8], rrn[13], auth[7], brand[12];
    char pans[SALE_TENDERS_MAX][20];
    /* a return's receipt (sale_return_receipt_fill): its lines' names */
    char names[SALE_LINES_MAX][CATALOG_NAME_MAX + 1];
};

/* Fills *out for paid sale s with merchant_name (the setting
 * merchant.name; the caller's string must outlive *out). POS_ERR_STATE
 * when s is not paid. Lines' discounts print as one amount per line. */
int sale_receipt_fill(const struct sale *s, const char *merchant_name, struct sale_receipt *out);

/* Adds to a filled receipt what the card payments of s say (a UnionPay
 * slip): the terminal's MID and TID; the first card tender's brand, masked
 * PAN, entry mode, batch, trace number (STAN), RRN and authorization code
 * as the slip's header (type SALE); each card tender's masked PAN as its
 * detail. Nothing for a sale without a card tender. Store errors. */
int sale_receipt_cards(struct store *db, const struct sale *s, struct sale_receipt *out);

/* Fills *out with the receipt of return return_id (a void or refund,
 * sale_return.h): type VOID or REFUND, the lines given back, the total, how
 * the money went back (cash, card with its masked PAN) and, when a card
 * took part, the slip of its first void or refund (MID, TID, card, batch,
 * trace, RRN, auth code). POS_ERR_NOT_FOUND, store errors. */
int sale_return_receipt_fill(struct store *db, int64_t return_id, const char *merchant_name,
                             struct sale_receipt *out);

/* Whether the copy of a receipt (of sale sale_id, or of return return_id:
 * exactly one > 0) was printed before (a print then says REPRINT), and
 * recording a print. */
int sale_receipt_printed(struct store *db, int64_t sale_id, int64_t return_id,
                         enum receipt_copy copy, bool *before);
int sale_receipt_mark(struct store *db, int64_t sale_id, int64_t return_id, enum receipt_copy copy,
                      int64_t now_ms);

#endif
