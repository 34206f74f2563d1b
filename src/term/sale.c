/* sale: drafts and their changes, loading, the shift's cash (sale.h). */
#include "term/sale.h"

#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "term/sale_int.h"
#include "term/staff.h"
#include "term/tstore.h"

static int sale_err(struct pos_errdetail *d, int rc, const char *what)
{
    return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "%s", what);
}

static void sale_text(char *out, size_t cap, struct store_stmt *st, int col)
{
    const char *s = store_column_text(st, col, NULL);

    snprintf(out, cap, "%s", s != NULL ? s : "");
}

static int sale_read_head(struct store *db, int64_t id, struct sale *s)
{
    struct store_stmt *st;
    const char *status;
    int rc = store_prepare(db,
                           "SELECT s.status, s.employee_id, e.number, s.shift_id, s.currency, "
                           "s.tax_included, s.subtotal, s.promo_total, s.discount_total, "
                           "s.tax_total, s.total, s.paid, s.change_amount, s.opened_at, "
                           "COALESCE(s.closed_at, 0) FROM sales s "
                           "JOIN employees e ON e.id = s.employee_id WHERE s.id = ?",
                           &st);

    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, id);
    rc = store_step(st);
    if (rc != STORE_ROW)
        return rc < 0 ? rc : POS_ERR_NOT_FOUND;
    s->id = id;
    status = store_column_text(st, 0, NULL);
    s->status = status == NULL || strcmp(status, "open") == 0 ? SALE_OPEN
                : strcmp(status, "paid") == 0                 ? SALE_PAID
                                                              : SALE_CANCELLED;
    s->employee_id = store_column_int64(st, 1);
    s->employee_number = store_column_int64(st, 2);
    s->shift_id = store_column_int64(st, 3);
    s->cur = money_currency_by_numeric((unsigned)store_column_int64(st, 4));
    s->tax_included = store_column_int64(st, 5) != 0;
    s->subtotal = store_column_int64(st, 6);
    s->promo_total = store_column_int64(st, 7);
    s->discount_total = store_column_int64(st, 8);
    s->tax_total = store_column_int64(st, 9);
    s->total = store_column_int64(st, 10);
    s->paid = store_column_int64(st, 11);
    s->change = store_column_int64(st, 12);
    s->opened_at = store_column_int64(st, 13);
    s->closed_at = store_column_int64(st, 14);
    store_reset(st);
    return s->cur == NULL ? POS_ERR_CURRENCY : POS_OK;
}

static int sale_read_lines(struct store *db, struct sale *s)
{
    struct store_stmt *st;
    int rc = store_prepare(db,
                           "SELECT l.line_no, l.item_id, l.sku, l.name, l.unit, l.category, "
                           "l.qty, l.unit_price, l.tax_bps, l.embedded, "
                           "COALESCE(l.override_by, 0), l.gross, COALESCE(l.promo_id, 0), "
                           "COALESCE(p.name, ''), l.promo_discount, l.line_discount, "
                           "l.sale_discount, l.net, l.tax FROM sale_lines l "
                           "LEFT JOIN promotions p ON p.id = l.promo_id "
                           "WHERE l.sale_id = ? ORDER BY l.line_no",
                           &st);

    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, s->id);
    while ((rc = store_step(st)) == STORE_ROW) {
        struct sale_line *l;

        if (s->n_lines == SALE_LINES_MAX) {
            store_reset(st);
            return POS_ERR_NOSPACE;
        }
        l = &s->lines[s->n_lines++];
        l->line_no = store_column_int64(st, 0);
        l->item_id = store_column_int64(st, 1);
        sale_text(l->sku, sizeof(l->sku), st, 2);
        sale_text(l->name, sizeof(l->name), st, 3);
        sale_text(l->unit, sizeof(l->unit), st, 4);
        sale_text(l->category, sizeof(l->category), st, 5);
        l->qty = store_column_int64(st, 6);
        l->unit_price = store_column_int64(st, 7);
        l->tax_bps = (uint32_t)store_column_int64(st, 8);
        l->embedded = store_column_int64(st, 9) != 0;
        l->override_by = store_column_int64(st, 10);
        l->gross = store_column_int64(st, 11);
        l->promo_id = store_column_int64(st, 12);
        sale_text(l->promo_name, sizeof(l->promo_name), st, 13);
        l->promo_discount = store_column_int64(st, 14);
        l->line_discount = store_column_int64(st, 15);
        l->sale_discount = store_column_int64(st, 16);
        l->net = store_column_int64(st, 17);
        l->tax = store_column_int64(st, 18);
    }
    return rc < 0 ? rc : POS_OK;
}

static int sale_read_rest(struct store *db, struct sale *s)
{
    struct store_stmt *st;
    const char *kind;
    int rc = store_prepare(db,
                           "SELECT line_no, kind, value, amount, COALESCE(authorized_by, 0) "
                           "FROM sale_discounts WHERE sale_id = ? ORDER BY line_no",
                           &st);

    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, s->id);
    while ((rc = store_step(st)) == STORE_ROW && s->n_discounts < SALE_LINES_MAX + 1) {
        struct sale_discount *dc = &s->discounts[s->n_discounts++];

        dc->line_no = store_column_int64(st, 0);
        kind = store_column_text(st, 1, NULL);
        dc->kind =
            kind != NULL && strcmp(kind, "amount") == 0 ? SALE_DISC_AMOUNT : SALE_DISC_PERCENT;
        dc->value = store_column_int64(st, 2);
        dc->amount = store_column_int64(st, 3);
        dc->authorized_by = store_column_int64(st, 4);
    }
    if (rc == STORE_ROW)
        store_reset(st);
    if (rc < 0)
        return rc;
    rc = store_prepare(db,
                       "SELECT id, kind, amount, change_amount, reference FROM tenders "
                       "WHERE sale_id = ? ORDER BY id",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, s->id);
    while ((rc = store_step(st)) == STORE_ROW) {
        struct sale_tender *t;

        if (s->n_tenders == SALE_TENDERS_MAX) {
            store_reset(st);
            return POS_ERR_NOSPACE;
        }
        t = &s->tenders[s->n_tenders++];
        t->id = store_column_int64(st, 0);
        kind = store_column_text(st, 1, NULL);
        if (kind == NULL || sale_tender_kind_parse(kind, &t->kind) != POS_OK)
            t->kind = SALE_TENDER_OTHER;
        t->amount = store_column_int64(st, 2);
        t->change = store_column_int64(st, 3);
        sale_text(t->reference, sizeof(t->reference), st, 4);
    }
    return rc < 0 ? rc : POS_OK;
}

/* The per-rate totals from the stored line taxes. */
static void sale_taxes_from_lines(struct sale *s)
{
    size_t i, k;

    s->n_taxes = 0;
    for (i = 0; i < s->n_lines; i++) {
        const struct sale_line *l = &s->lines[i];

        for (k = 0; k < s->n_taxes; k++)
            if (s->taxes[k].rate_bps == l->tax_bps)
                break;
        if (k == s->n_taxes) {
            if (k == SALE_TAXES_MAX)
                return;
            s->taxes[k].rate_bps = l->tax_bps;
            s->taxes[k].base = 0;
            s->taxes[k].amount = 0;
            s->n_taxes++;
        }
        s->taxes[k].base += s->tax_included ? l->net - l->tax : l->net;
        s->taxes[k].amount += l->tax;
    }
}

int sale__read(struct store *db, int64_t id, struct sale *s)
{
    int rc;

    memset(s, 0, sizeof(*s));
    if ((rc = sale_read_head(db, id, s)) != POS_OK || (rc = sale_read_lines(db, s)) != POS_OK ||
        (rc = sale_read_rest(db, s)) != POS_OK)
        return rc;
    sale_taxes_from_lines(s);
    return POS_OK;
}

int sale__read_open(struct store *db, int64_t sale_id, struct sale *s, struct pos_errdetail *d)
{
    int rc = sale__read(db, sale_id, s);

    if (rc == POS_ERR_NOT_FOUND)
        return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "no sale %lld", (long long)sale_id);
    if (rc == POS_OK && s->status != SALE_OPEN)
        rc = pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET, "sale %lld is %s",
                               (long long)sale_id, sale_status_name(s->status));
    return rc;
}

int sale_load(struct store *db, int64_t id, struct sale **out)
{
    struct sale *s = pos_malloc(sizeof(*s));
    int rc;

    *out = NULL;
    if (s == NULL)
        return POS_ERR_NOMEM;
    rc = sale__read(db, id, s);
    if (rc != POS_OK) {
        pos_free(s);
        return rc;
    }
    *out = s;
    return POS_OK;
}

void sale_free(struct sale *s)
{
    pos_free(s);
}

int sale__set_status(struct store *db, const struct sale *s)
{
    struct store_stmt *st;
    int rc = store_prepare(db,
                           "UPDATE sales SET status = ?, paid = ?, change_amount = ?, "
                           "closed_at = ? WHERE id = ?",
                           &st);

    if (rc != POS_OK)
        return rc;
    store_bind_text(st, 1, sale_status_name(s->status), strlen(sale_status_name(s->status)));
    store_bind_int64(st, 2, s->paid);
    store_bind_int64(st, 3, s->change);
    if (s->closed_at != 0)
        store_bind_int64(st, 4, s->closed_at);
    else
        store_bind_null(st, 4);
    store_bind_int64(st, 5, s->id);
    rc = store_step(st);
    return rc < 0 ? rc : POS_OK;
}

static int sale_save_line(struct store *db, int64_t sale_id, const struct sale_line *l)
{
    struct store_stmt *st;
    int rc = store_prepare(db,
                           "UPDATE sale_lines SET qty = ?, unit_price = ?, override_by = ?, "
                           "gross = ?, promo_id = ?, promo_discount = ?, line_discount = ?, "
                           "sale_discount = ?, net = ?, tax = ? WHERE sale_id = ? AND line_no = ?",
                           &st);

    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, l->qty);
    store_bind_int64(st, 2, l->unit_price);
    if (l->override_by != 0)
        store_bind_int64(st, 3, l->override_by);
    else
        store_bind_null(st, 3);
    store_bind_int64(st, 4, l->gross);
    if (l->promo_id != 0)
        store_bind_int64(st, 5, l->promo_id);
    else
        store_bind_null(st, 5);
    store_bind_int64(st, 6, l->promo_discount);
    store_bind_int64(st, 7, l->line_discount);
    store_bind_int64(st, 8, l->sale_discount);
    store_bind_int64(st, 9, l->net);
    store_bind_int64(st, 10, l->tax);
    store_bind_int64(st, 11, sale_id);
    store_bind_int64(st, 12, l->line_no);
    rc = store_step(st);
    return rc < 0 ? rc : POS_OK;
}

static int sale_save_totals(struct store *db, const struct sale *s)
{
    struct store_stmt *st;
    size_t i;
    int rc;

    for (i = 0; i < s->n_discounts; i++) {
        rc = store_prepare(
            db, "UPDATE sale_discounts SET amount = ? WHERE sale_id = ? AND line_no = ?", &st);
        if (rc != POS_OK)
            return rc;
        store_bind_int64(st, 1, s->discounts[i].amount);
        store_bind_int64(st, 2, s->id);
        store_bind_int64(st, 3, s->discounts[i].line_no);
        if ((rc = store_step(st)) < 0)
            return rc;
    }
    rc = store_prepare(db,
                       "UPDATE sales SET subtotal = ?, promo_total = ?, discount_total = ?, "
                       "tax_total = ?, total = ?, paid = ? WHERE id = ?",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, s->subtotal);
    store_bind_int64(st, 2, s->promo_total);
    store_bind_int64(st, 3, s->discount_total);
    store_bind_int64(st, 4, s->tax_total);
    store_bind_int64(st, 5, s->total);
    store_bind_int64(st, 6, s->paid);
    store_bind_int64(st, 7, s->id);
    rc = store_step(st);
    return rc < 0 ? rc : POS_OK;
}

int sale__save(struct store *db, struct sale *s, struct pos_errdetail *d)
{
    struct promo *promos = pos_malloc(sizeof(*promos) * PROMO_ACTIVE_MAX);
    size_t n = 0, i;
    int rc = POS_ERR_NOMEM;

    if (promos == NULL)
        goto out;
    if ((rc = promo_load_active(db, promos, PROMO_ACTIVE_MAX, &n)) != POS_OK ||
        (rc = sale_compute(s, promos, n, d)) != POS_OK)
        goto out;
    for (i = 0; i < s->n_lines; i++)
        if ((rc = sale_save_line(db, s->id, &s->lines[i])) != POS_OK)
            goto out;
    rc = sale_save_totals(db, s);
out:
    pos_free(promos);
    return rc;
}

int sale__change(struct store *db, int64_t sale_id, sale__change_fn fn, void *arg,
                 struct pos_errdetail *d)
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
    if ((rc = fn(db, s, arg, d)) != POS_OK || (rc = sale__save(db, s, d)) != POS_OK)
        goto out;
    rc = store_commit(db);
    began = rc != POS_OK;
out:
    if (began)
        store_rollback(db);
    pos_free(s);
    return rc;
}

int sale_open(struct store *db, int64_t number, const char *pin, int64_t now_ms, int64_t *sale_id,
              struct pos_errdetail *d)
{
    const struct currency *cur;
    struct staff_employee e;
    struct staff_shift sh;
    struct store_stmt *st;
    bool included;
    int rc = staff_login(db, number, pin, now_ms, &e, d);

    if (rc != POS_OK)
        return rc;
    rc = staff_shift_current(db, &sh);
    if (rc == POS_ERR_NOT_FOUND)
        return sale_err(d, POS_ERR_STATE, "no shift is open (pos shift open)");
    if (rc != POS_OK)
        return rc;
    if ((rc = tstore_currency(db, &cur)) != POS_OK)
        return rc;
    if ((rc = tstore_setting_bool(db, "tax.included", true, &included)) != POS_OK)
        return sale_err(d, rc, "the setting tax.included is not true or false");
    rc = store_prepare(db,
                       "INSERT INTO sales (status, employee_id, shift_id, currency, tax_included, "
                       "opened_at) VALUES ('open', ?, ?, ?, ?, ?) RETURNING id",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, e.id);
    store_bind_int64(st, 2, sh.id);
    store_bind_int64(st, 3, cur->numeric);
    store_bind_int64(st, 4, included ? 1 : 0);
    store_bind_int64(st, 5, now_ms);
    rc = store_step(st);
    if (rc != STORE_ROW)
        return rc < 0 ? rc : POS_ERR_DB;
    *sale_id = store_column_int64(st, 0);
    store_reset(st);
    return POS_OK;
}

struct sale_add_arg {
    const char *code;
    int64_t qty;
    int64_t line_no;
};

struct sale_line *sale__line_find(struct sale *s, int64_t line_no)
{
    size_t i;

    for (i = 0; i < s->n_lines; i++)
        if (s->lines[i].line_no == line_no)
            return &s->lines[i];
    return NULL;
}

static int sale_insert_line(struct store *db, int64_t sale_id, const struct sale_line *l)
{
    struct store_stmt *st;
    int rc = store_prepare(db,
                           "INSERT INTO sale_lines (sale_id, line_no, item_id, sku, name, unit, "
                           "category, qty, unit_price, embedded, tax_bps) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           &st);

    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, sale_id);
    store_bind_int64(st, 2, l->line_no);
    store_bind_int64(st, 3, l->item_id);
    store_bind_text(st, 4, l->sku, strlen(l->sku));
    store_bind_text(st, 5, l->name, strlen(l->name));
    store_bind_text(st, 6, l->unit, strlen(l->unit));
    store_bind_text(st, 7, l->category, strlen(l->category));
    store_bind_int64(st, 8, l->qty);
    store_bind_int64(st, 9, l->unit_price);
    store_bind_int64(st, 10, l->embedded ? 1 : 0);
    store_bind_int64(st, 11, l->tax_bps);
    rc = store_step(st);
    return rc < 0 ? rc : POS_OK;
}

static int sale_add_fn(struct store *db, struct sale *s, void *argp, struct pos_errdetail *d)
{
    struct sale_add_arg *a = argp;
    struct catalog_item it;
    struct catalog_scan sc = {false, 1000, 0};
    struct sale_line *l;
    int64_t qty, next = 1;
    size_t i;
    int rc = catalog_get(db, a->code, &it);

    if (rc == POS_OK)
        sc.price = it.price;
    else if (rc == POS_ERR_NOT_FOUND)
        rc = catalog_scan(db, a->code, &it, &sc);
    if (rc == POS_ERR_NOT_FOUND)
        return sale_err(d, rc, "no item with this SKU or barcode");
    if (rc == POS_ERR_CHECK_DIGIT)
        return sale_err(d, rc, "the label's check digit is wrong");
    if (rc != POS_OK)
        return rc;
    if (!it.active)
        return pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET, "item %s is inactive",
                                 it.sku);
    if (sc.embedded && a->qty != 0)
        return sale_err(d, POS_ERR_INVAL, "the label carries the quantity");
    qty = a->qty != 0 ? a->qty : sc.qty;
    if (qty <= 0 || qty > SALE_QTY_MAX)
        return sale_err(d, POS_ERR_RANGE, "quantity: more than 0 and at most 100000");
    for (i = 0; i < s->n_lines; i++) {
        l = &s->lines[i];
        if (l->line_no >= next)
            next = l->line_no + 1;
        if (!sc.embedded && !l->embedded && l->override_by == 0 && l->item_id == it.id &&
            l->unit_price == it.price) {
            if (qty > SALE_QTY_MAX - l->qty)
                return sale_err(d, POS_ERR_RANGE, "quantity: at most 100000 per line");
            l->qty += qty;
            a->line_no = l->line_no;
            return POS_OK;
        }
    }
    if (s->n_lines == SALE_LINES_MAX)
        return sale_err(d, POS_ERR_RANGE, "a sale holds at most 500 lines");
    l = &s->lines[s->n_lines];
    memset(l, 0, sizeof(*l));
    l->line_no = next;
    l->item_id = it.id;
    snprintf(l->sku, sizeof(l->sku), "%s", it.sku);
    snprintf(l->name, sizeof(l->name), "%s", it.name);
    snprintf(l->unit, sizeof(l->unit), "%s", it.unit);
    snprintf(l->category, sizeof(l->category), "%s", it.category);
    l->qty = qty;
    l->unit_price = sc.price;
    l->tax_bps = it.tax_bps;
    l->embedded = sc.embedded;
    rc = sale_insert_line(db, s->id, l);
    if (rc != POS_OK)
        return rc;
    s->n_lines++;
    a->line_no = l->line_no;
    return POS_OK;
}

int sale_add_code(struct store *db, int64_t sale_id, const char *code, int64_t qty,
                  int64_t *line_no, struct pos_errdetail *d)
{
    struct sale_add_arg a = {code, qty, 0};
    int rc;

    if (code == NULL || code[0] == '\0' || strlen(code) > CATALOG_SKU_MAX)
        return sale_err(d, POS_ERR_INVAL, "a SKU or barcode of 1 to 64 characters");
    if (qty < 0 || qty > SALE_QTY_MAX)
        return sale_err(d, POS_ERR_RANGE, "quantity: more than 0 and at most 100000");
    rc = sale__change(db, sale_id, sale_add_fn, &a, d);
    if (rc == POS_OK && line_no != NULL)
        *line_no = a.line_no;
    return rc;
}

static int sale_exec_line(struct store *db, const char *sql, int64_t sale_id, int64_t line_no)
{
    struct store_stmt *st;
    int rc = store_prepare(db, sql, &st);

    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, sale_id);
    store_bind_int64(st, 2, line_no);
    rc = store_step(st);
    return rc < 0 ? rc : POS_OK;
}

static int sale_remove_fn(struct store *db, struct sale *s, void *argp, struct pos_errdetail *d)
{
    int64_t line_no = *(int64_t *)argp;
    struct sale_line *l = sale__line_find(s, line_no);
    size_t i;
    int rc;

    if (l == NULL)
        return pos_errdetail_set(d, POS_ERR_NOT_FOUND, -1, POS_NO_OFFSET, "no line %lld",
                                 (long long)line_no);
    if ((rc = sale_exec_line(db, "DELETE FROM sale_discounts WHERE sale_id = ? AND line_no = ?",
                             s->id, line_no)) != POS_OK ||
        (rc = sale_exec_line(db, "DELETE FROM sale_lines WHERE sale_id = ? AND line_no = ?", s->id,
                             line_no)) != POS_OK)
        return rc;
    i = (size_t)(l - s->lines);
    memmove(l, l + 1, (s->n_lines - i - 1) * sizeof(*l));
    s->n_lines--;
    for (i = 0; i < s->n_discounts; i++)
        if (s->discounts[i].line_no == line_no) {
            memmove(&s->discounts[i], &s->discounts[i + 1],
                    (s->n_discounts - i - 1) * sizeof(s->discounts[0]));
            s->n_discounts--;
            break;
        }
    return POS_OK;
}

int sale_remove_line(struct store *db, int64_t sale_id, int64_t line_no, struct pos_errdetail *d)
{
    return sale__change(db, sale_id, sale_remove_fn, &line_no, d);
}

int sale_cancel(struct store *db, int64_t sale_id, int64_t now_ms, struct pos_errdetail *d)
{
    struct sale *s = pos_malloc(sizeof(*s));
    bool began = false;
    size_t i;
    int rc = POS_ERR_NOMEM;

    if (s == NULL)
        goto out;
    if ((rc = store_begin(db)) != POS_OK)
        goto out;
    began = true;
    if ((rc = sale__read_open(db, sale_id, s, d)) != POS_OK)
        goto out;
    for (i = 0; i < s->n_tenders; i++)
        if (s->tenders[i].kind != SALE_TENDER_CASH) {
            rc = sale_err(d, POS_ERR_STATE, "the sale holds a card or wallet payment: void it");
            goto out;
        }
    s->status = SALE_CANCELLED;
    s->closed_at = now_ms;
    if ((rc = sale__set_status(db, s)) != POS_OK)
        goto out;
    rc = store_commit(db);
    began = rc != POS_OK;
out:
    if (began)
        store_rollback(db);
    pos_free(s);
    return rc;
}

int sale_shift_cash(void *arg, struct store *db, int64_t shift_id, int64_t *net_cash)
{
    (void)arg;
    return sale__one_int(
        db,
        "SELECT (SELECT COALESCE(SUM(t.amount - t.change_amount), 0) FROM tenders t"
        " JOIN sales s ON s.id = t.sale_id"
        " WHERE s.shift_id = ? AND s.status = 'paid' AND t.kind = 'cash') -"
        " (SELECT COALESCE(SUM(rt.amount), 0) FROM return_tenders rt"
        " JOIN returns r ON r.id = rt.return_id"
        " WHERE r.shift_id = ? AND rt.kind = 'cash')",
        shift_id, shift_id, net_cash);
}

int sale__one_int(struct store *db, const char *sql, int64_t a, int64_t b, int64_t *out)
{
    struct store_stmt *st;
    int rc = store_prepare(db, sql, &st);

    *out = 0;
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, a);
    if (b != INT64_MIN)
        store_bind_int64(st, 2, b);
    rc = store_step(st);
    if (rc == STORE_ROW) {
        *out = store_column_int64(st, 0);
        store_reset(st);
        return POS_OK;
    }
    return rc == STORE_DONE ? POS_ERR_NOT_FOUND : rc;
}
