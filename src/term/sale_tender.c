/* sale_tender: discounts, price overrides, tenders and completion (sale.h). */
#include "term/sale.h"

#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "term/sale_int.h"
#include "term/staff.h"
#include "term/stock.h"

static int sale_err(struct pos_errdetail *d, int rc, const char *what)
{
    return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "%s", what);
}

/* Authorizes right for sale s: *by = 0 when not needed or the sale's
 * employee has it, else the supervisor's employees.id (staff_authorize,
 * outside any transaction so a wrong PIN is counted). */
static int sale_authorize(struct store *db, const struct sale *s, enum staff_right right,
                          bool needed, int64_t sup_number, const char *sup_pin, int64_t now_ms,
                          int64_t *by, struct pos_errdetail *d)
{
    struct staff_employee e;
    int rc;

    *by = 0;
    if (!needed)
        return POS_OK;
    rc = staff_get(db, s->employee_number, &e);
    if (rc != POS_OK)
        return rc;
    if (staff_role_has_right(e.role, right))
        return POS_OK;
    if (sup_pin == NULL)
        return pos_errdetail_set(d, POS_ERR_DENIED, -1, POS_NO_OFFSET,
                                 "%s needs a supervisor (--supervisor N --supervisor-pin P)",
                                 right == STAFF_RIGHT_DISCOUNT ? "a discount over the limit"
                                                               : "a price override");
    rc = staff_authorize(db, sup_number, sup_pin, right, now_ms, &e, d);
    if (rc == POS_OK)
        *by = e.id;
    return rc;
}

/* The sale's state as stored, for the checks before a change. */
static int sale_peek(struct store *db, int64_t sale_id, struct sale **out, struct pos_errdetail *d)
{
    int rc = sale_load(db, sale_id, out);

    if (rc == POS_ERR_NOT_FOUND)
        return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "no sale %lld", (long long)sale_id);
    if (rc == POS_OK && (*out)->status != SALE_OPEN) {
        rc = pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET, "sale %lld is %s",
                               (long long)sale_id, sale_status_name((*out)->status));
        sale_free(*out);
        *out = NULL;
    }
    return rc;
}

/* What a discount on line_no (0: the sale) is taken from. */
static int sale_disc_base(struct sale *s, int64_t line_no, int64_t *base, struct pos_errdetail *d)
{
    struct sale_line *l;
    size_t i;

    *base = 0;
    if (line_no != 0) {
        l = sale__line_find(s, line_no);
        if (l == NULL)
            return pos_errdetail_set(d, POS_ERR_NOT_FOUND, -1, POS_NO_OFFSET, "no line %lld",
                                     (long long)line_no);
        *base = l->gross - l->promo_discount;
        return POS_OK;
    }
    if (s->n_lines == 0)
        return sale_err(d, POS_ERR_STATE, "the sale has no lines");
    for (i = 0; i < s->n_lines; i++)
        *base += s->lines[i].gross - s->lines[i].promo_discount - s->lines[i].line_discount;
    return POS_OK;
}

struct sale_disc_arg {
    int64_t line_no;
    enum sale_disc_kind kind;
    int64_t value, by, now_ms;
};

static int sale_disc_fn(struct store *db, struct sale *s, void *argp, struct pos_errdetail *d)
{
    struct sale_disc_arg *a = argp;
    struct sale_discount *dc = NULL;
    struct store_stmt *st;
    int64_t base;
    size_t i;
    int rc = sale_disc_base(s, a->line_no, &base, d);

    if (rc != POS_OK)
        return rc;
    if (a->kind == SALE_DISC_AMOUNT && a->value > base)
        return sale_err(d, POS_ERR_RANGE, "the amount is more than is left to discount");
    rc = store_prepare(db, "DELETE FROM sale_discounts WHERE sale_id = ? AND line_no = ?", &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, s->id);
    store_bind_int64(st, 2, a->line_no);
    if ((rc = store_step(st)) < 0)
        return rc;
    rc = store_prepare(db,
                       "INSERT INTO sale_discounts (sale_id, line_no, kind, value, employee_id, "
                       "authorized_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, s->id);
    store_bind_int64(st, 2, a->line_no);
    store_bind_text(st, 3, a->kind == SALE_DISC_PERCENT ? "percent" : "amount",
                    a->kind == SALE_DISC_PERCENT ? 7 : 6);
    store_bind_int64(st, 4, a->value);
    store_bind_int64(st, 5, s->employee_id);
    if (a->by != 0)
        store_bind_int64(st, 6, a->by);
    else
        store_bind_null(st, 6);
    store_bind_int64(st, 7, a->now_ms);
    if ((rc = store_step(st)) < 0)
        return rc;
    for (i = 0; i < s->n_discounts; i++)
        if (s->discounts[i].line_no == a->line_no)
            dc = &s->discounts[i];
    if (dc == NULL)
        dc = &s->discounts[s->n_discounts++];
    dc->line_no = a->line_no;
    dc->kind = a->kind;
    dc->value = a->value;
    dc->amount = 0;
    dc->authorized_by = a->by;
    return POS_OK;
}

int sale_discount(struct store *db, int64_t sale_id, int64_t line_no, enum sale_disc_kind kind,
                  int64_t value, int64_t sup_number, const char *sup_pin, int64_t now_ms,
                  struct pos_errdetail *d)
{
    struct sale_disc_arg a = {line_no, kind, value, 0, now_ms};
    struct staff_employee e;
    struct sale *s = NULL;
    int64_t base = 0, bps = 0;
    int rc;

    if (kind == SALE_DISC_PERCENT && (value < 1 || value > 10000))
        return sale_err(d, POS_ERR_RANGE, "percent: more than 0 and at most 100");
    if (kind == SALE_DISC_AMOUNT && (value < 1 || value > SALE_TOTAL_MAX))
        return sale_err(d, POS_ERR_RANGE, "amount: more than 0");
    if (kind != SALE_DISC_PERCENT && kind != SALE_DISC_AMOUNT)
        return sale_err(d, POS_ERR_INVAL, "unknown discount kind");
    if (line_no < 0)
        return sale_err(d, POS_ERR_INVAL, "bad line number");
    if ((rc = sale_peek(db, sale_id, &s, d)) != POS_OK)
        goto out;
    if ((rc = sale_disc_base(s, line_no, &base, d)) != POS_OK)
        goto out;
    if (base <= 0) {
        rc = sale_err(d, POS_ERR_RANGE, "nothing left to discount");
        goto out;
    }
    if (kind == SALE_DISC_AMOUNT && value > base) {
        rc = sale_err(d, POS_ERR_RANGE, "the amount is more than is left to discount");
        goto out;
    }
    /* an amount counts as its share of the base, rounded up */
    bps = kind == SALE_DISC_PERCENT ? value : (value * 10000 + base - 1) / base;
    if ((rc = staff_get(db, s->employee_number, &e)) != POS_OK)
        goto out;
    rc = sale_authorize(db, s, STAFF_RIGHT_DISCOUNT,
                        bps > (int64_t)staff_role_discount_limit_bps(e.role), sup_number, sup_pin,
                        now_ms, &a.by, d);
    if (rc != POS_OK)
        goto out;
    rc = sale__change(db, sale_id, sale_disc_fn, &a, d);
out:
    sale_free(s);
    return rc;
}

struct sale_price_arg {
    int64_t line_no, price, by;
};

static int sale_price_fn(struct store *db, struct sale *s, void *argp, struct pos_errdetail *d)
{
    struct sale_price_arg *a = argp;
    struct sale_line *l = sale__line_find(s, a->line_no);

    (void)db;
    if (l == NULL)
        return pos_errdetail_set(d, POS_ERR_NOT_FOUND, -1, POS_NO_OFFSET, "no line %lld",
                                 (long long)a->line_no);
    l->unit_price = a->price;
    l->override_by = a->by != 0 ? a->by : s->employee_id;
    return POS_OK;
}

int sale_price_override(struct store *db, int64_t sale_id, int64_t line_no, int64_t price,
                        int64_t sup_number, const char *sup_pin, int64_t now_ms,
                        struct pos_errdetail *d)
{
    struct sale_price_arg a = {line_no, price, 0};
    struct sale *s = NULL;
    int rc;

    if (price < 0 || price > CATALOG_PRICE_MAX)
        return sale_err(d, POS_ERR_RANGE, "price: 0 to 10^11 minor units");
    if ((rc = sale_peek(db, sale_id, &s, d)) != POS_OK)
        goto out;
    if (sale__line_find(s, line_no) == NULL) {
        rc = pos_errdetail_set(d, POS_ERR_NOT_FOUND, -1, POS_NO_OFFSET, "no line %lld",
                               (long long)line_no);
        goto out;
    }
    rc = sale_authorize(db, s, STAFF_RIGHT_PRICE_OVERRIDE, true, sup_number, sup_pin, now_ms, &a.by,
                        d);
    if (rc != POS_OK)
        goto out;
    rc = sale__change(db, sale_id, sale_price_fn, &a, d);
out:
    sale_free(s);
    return rc;
}

static int sale_ref_check(const char *ref, struct pos_errdetail *d)
{
    size_t i, n = ref != NULL ? strlen(ref) : 0;

    if (n > SALE_REF_MAX)
        return sale_err(d, POS_ERR_LENGTH, "reference: at most 64 characters");
    for (i = 0; i < n; i++)
        if (ref[i] < 0x20 || ref[i] > 0x7e)
            return sale_err(d, POS_ERR_INVAL, "reference: printable ASCII only");
    return POS_OK;
}

static int sale_insert_tender(struct store *db, const struct sale *s, enum sale_tender_kind kind,
                              int64_t amount, int64_t change, const char *ref, int64_t journal_id,
                              int64_t now_ms, int64_t *id)
{
    struct store_stmt *st;
    const char *k = sale_tender_kind_name(kind);
    int rc = store_prepare(db,
                           "INSERT INTO tenders (sale_id, kind, amount, change_amount, currency, "
                           "reference, created_at, pay_journal_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                           "RETURNING id",
                           &st);

    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, s->id);
    store_bind_text(st, 2, k, strlen(k));
    store_bind_int64(st, 3, amount);
    store_bind_int64(st, 4, change);
    store_bind_int64(st, 5, s->cur->numeric);
    store_bind_text(st, 6, ref != NULL ? ref : "", ref != NULL ? strlen(ref) : 0);
    store_bind_int64(st, 7, now_ms);
    if (journal_id > 0)
        store_bind_int64(st, 8, journal_id);
    else
        store_bind_null(st, 8);
    rc = store_step(st);
    if (rc != STORE_ROW)
        return rc < 0 ? rc : POS_ERR_DB;
    *id = store_column_int64(st, 0);
    store_reset(st);
    return POS_OK;
}

/* One stock movement (kind sale) per line, inside the caller's
 * transaction; the first refusal stops and is returned. */
static int sale_stock_out(struct store *db, const struct sale *s, struct pos_errdetail *d)
{
    char ref[32];
    size_t i;
    int rc;

    snprintf(ref, sizeof(ref), "sale %lld", (long long)s->id);
    for (i = 0; i < s->n_lines; i++) {
        struct stock_req q = {STOCK_SALE, s->lines[i].item_id, s->lines[i].qty, NULL,
                              ref,        s->employee_id};

        rc = stock_move(db, &q, NULL, d);
        if (rc != POS_OK)
            return rc;
    }
    return POS_OK;
}

int sale_stock_check(struct store *db, int64_t sale_id, struct pos_errdetail *d)
{
    struct sale *s = pos_malloc(sizeof(*s));
    bool began = false;
    int rc = POS_ERR_NOMEM;

    if (s == NULL)
        goto out;
    if ((rc = store_begin(db)) != POS_OK)
        goto out;
    began = true;
    if ((rc = sale__read_open(db, sale_id, s, d)) != POS_OK)
        goto out;
    /* the moves completion would make, rolled back: a dry run */
    rc = sale_stock_out(db, s, d);
out:
    if (began)
        store_rollback(db);
    pos_free(s);
    return rc;
}

int sale_add_tender(struct store *db, int64_t sale_id, enum sale_tender_kind kind, int64_t amount,
                    const char *reference, int64_t now_ms, struct sale_tender_result *res,
                    struct pos_errdetail *d)
{
    return sale__add_tender(db, sale_id, kind, amount, reference, 0, now_ms, res, d);
}

int sale__add_tender(struct store *db, int64_t sale_id, enum sale_tender_kind kind, int64_t amount,
                     const char *reference, int64_t journal_id, int64_t now_ms,
                     struct sale_tender_result *res, struct pos_errdetail *d)
{
    struct sale_tender_result r = {0, 0, 0, false};
    struct sale *s = NULL;
    bool began = false;
    int64_t due;
    int rc;

    if ((unsigned)kind > SALE_TENDER_OTHER)
        return sale_err(d, POS_ERR_INVAL, "unknown tender kind");
    if (amount < 1 || amount > SALE_TOTAL_MAX)
        return sale_err(d, POS_ERR_RANGE, "amount: more than 0 and at most 10^15");
    if ((rc = sale_ref_check(reference, d)) != POS_OK)
        return rc;
    s = pos_malloc(sizeof(*s));
    rc = POS_ERR_NOMEM;
    if (s == NULL)
        goto out;
    if ((rc = store_begin(db)) != POS_OK)
        goto out;
    began = true;
    if ((rc = sale__read_open(db, sale_id, s, d)) != POS_OK)
        goto out;
    if (s->n_lines == 0) {
        rc = sale_err(d, POS_ERR_STATE, "the sale has no lines");
        goto out;
    }
    if (s->n_tenders == SALE_TENDERS_MAX) {
        rc = sale_err(d, POS_ERR_RANGE, "a sale takes at most 16 tenders");
        goto out;
    }
    due = s->total - s->paid;
    if (kind != SALE_TENDER_CASH && amount > due) {
        rc = sale_err(d, POS_ERR_RANGE, "only cash may exceed the amount due");
        goto out;
    }
    r.completed = amount >= due;
    r.change = r.completed ? amount - due : 0;
    r.due = r.completed ? 0 : due - amount;
    rc = sale_insert_tender(db, s, kind, amount, r.change, reference, journal_id, now_ms,
                            &r.tender_id);
    if (rc != POS_OK)
        goto out;
    s->paid += amount;
    if (r.completed) {
        if ((rc = sale_stock_out(db, s, d)) != POS_OK)
            goto out;
        s->status = SALE_PAID;
        s->change = r.change;
        s->closed_at = now_ms;
    }
    if ((rc = sale__set_status(db, s)) != POS_OK)
        goto out;
    rc = store_commit(db);
    began = rc != POS_OK;
out:
    if (began)
        store_rollback(db);
    if (rc == POS_OK && res != NULL)
        *res = r;
    pos_free(s);
    return rc;
}
