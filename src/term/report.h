/*
 * report: the terminal's end-of-day reports (DESIGN.md §5; docs/reports.md):
 * the X report (the open shift so far: nothing written), the Z report (the
 * day closed: a day_closes row, schema version 4 in tschema_ret.c) and its
 * reprint, and the sales report over a period grouped by item, category,
 * hour, employee or tender.
 *
 * What counts (docs/reports.md has every figure):
 *   - a sale is a `sales` row with status 'paid' (drafts and cancelled
 *     drafts are ignored); a void or refund is a `returns` row (kind 'void'
 *     or 'refund') pointing at it: the sale's own figures never change;
 *   - X and Z select by shift: X the open shift, Z every shift closed in
 *     its period [from_ms, to_ms). from_ms is the previous Z's to_ms (the
 *     first Z: the first shift's opening), to_ms the Z's time, later than
 *     every closed shift, so consecutive Z reports cover disjoint sets of
 *     shifts and together all of them;
 *   - the sales report selects sales by closed_at and returns by created_at
 *     in [from_ms, to_ms).
 * Money is int64 minor units of the terminal currency; sums over rows are
 * SQL SUMs (an overflow fails the query: POS_ERR_DB), sums of those in C
 * are checked (POS_ERR_OVERFLOW). In the JSON money is the currency's
 * decimal string ("12.34"), like every terminal command.
 *
 * Errors: POS_ERR_STATE (X: no shift open; Z: a shift or a draft open),
 * POS_ERR_AUTH / POS_ERR_LOCKED / POS_ERR_DENIED (staff.h: Z needs the
 * 'reports' right), POS_ERR_NOT_FOUND (no such day close), POS_ERR_SYNTAX /
 * POS_ERR_RANGE (a bad date), POS_ERR_INVAL, POS_ERR_NOMEM,
 * POS_ERR_OVERFLOW, POS_ERR_CURRENCY, store errors. A refused call writes
 * nothing (a wrong PIN still counts towards the lockout, staff.h). d never
 * holds a PIN.
 */
#ifndef POS_TERM_REPORT_H
#define POS_TERM_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "error.h"
#include "store/store.h"

/* Longest row key and label of the sales report (bytes, without NUL). */
#define REPORT_KEY_MAX   64
#define REPORT_LABEL_MAX 128

/* The X report of the open shift at now_ms as a new JSON object (*out,
 * released by the caller with json_decref). POS_ERR_STATE when no shift is
 * open. Writes nothing. */
int report_x(struct store *db, int64_t now_ms, json_t **out, struct pos_errdetail *d);

/* Closes the day at now_ms: employee number (PIN pin) must have the
 * 'reports' right; no shift and no draft sale may be open (POS_ERR_STATE).
 * Computes the Z report of the period and stores it in a new day_closes
 * row, in one transaction. *out (may be NULL) gets the report (caller
 * releases it), *close_id (may be NULL) the row's id. */
int report_z(struct store *db, int64_t number, const char *pin, int64_t now_ms, json_t **out,
             int64_t *close_id, struct pos_errdetail *d);

/* The stored Z report id (id 0: the latest) as a new JSON object with
 * "reprint": true; every other member is as it was printed.
 * POS_ERR_NOT_FOUND when there is none. */
int report_z_show(struct store *db, int64_t id, json_t **out, struct pos_errdetail *d);

/* Grouping of the sales report. */
enum report_by {
    REPORT_BY_ITEM = 0,
    REPORT_BY_CATEGORY,
    REPORT_BY_HOUR,
    REPORT_BY_EMPLOYEE,
    REPORT_BY_TENDER,
};

/* "item", "category", "hour", "employee", "tender" ("?" for a bad value);
 * parse: POS_ERR_INVAL for any other name. */
const char *report_by_name(enum report_by b);
int report_by_parse(const char *s, enum report_by *out);

/* Parses a local time "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM" (years 1970..9999)
 * into Unix ms (mktime, the TZ of the process). A date alone means its
 * midnight, or with end true the next midnight (so a date as the end of a
 * period includes that whole day). POS_ERR_SYNTAX for any other form,
 * POS_ERR_RANGE for a field out of range or a time the local clock skips. */
int report_time_parse(const char *s, bool end, int64_t *ms);

/* One row of the sales report. Money in minor units. has_qty: item and
 * category rows (quantity in milli-units); has_detail: gross, discounts
 * and tax apply (not to tender rows). */
struct report_row {
    char key[REPORT_KEY_MAX + 1];     /* SKU, category, "YYYY-MM-DDTHH" local,
                                         employee number, tender kind */
    char label[REPORT_LABEL_MAX + 1]; /* item name, employee name, else "" */
    int64_t num;                      /* employee number (ordering), else 0 */
    bool has_qty, has_detail;
    int64_t count;     /* lines (item, category), sales, tenders */
    int64_t qty;       /* milli-units sold */
    int64_t gross;     /* before discounts (tender: tendered) */
    int64_t discounts; /* promotions and manual discounts */
    int64_t tax;
    int64_t sales;   /* what the customers paid (tax included) */
    int64_t refunds; /* what went back (voids and refunds) */
    int64_t net;     /* sales - refunds */
};

/* The sales report over [from_ms, to_ms) grouped by by: *rows (a new array
 * of *n rows ordered by key, freed with report_rows_free) and *total (the
 * sum of the rows, key "total"). POS_ERR_INVAL when from_ms > to_ms. */
int report_sales(struct store *db, int64_t from_ms, int64_t to_ms, enum report_by by,
                 struct report_row **rows, size_t *n, struct report_row *total,
                 struct pos_errdetail *d);
void report_rows_free(struct report_row *rows);

#endif
