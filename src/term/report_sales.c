/* report_sales: the sales report over a period (report.h; docs/reports.md).
 * Two passes per grouping: the paid sales closed in the period (SQL GROUP
 * BY, or bucketed here for local hours), then the returns made in the
 * period, each added to its row (a row only returns touched is added). */
#include "term/report.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "term/report_int.h"

static const char *const report_by_names[] = {"item", "category", "hour", "employee", "tender"};

const char *report_by_name(enum report_by b)
{
    if ((unsigned)b >= sizeof(report_by_names) / sizeof(report_by_names[0]))
        return "?";
    return report_by_names[b];
}

int report_by_parse(const char *s, enum report_by *out)
{
    size_t i;

    for (i = 0; s != NULL && i < sizeof(report_by_names) / sizeof(report_by_names[0]); i++)
        if (strcmp(s, report_by_names[i]) == 0) {
            *out = (enum report_by)i;
            return POS_OK;
        }
    return POS_ERR_INVAL;
}

/* n decimal digits of s at *p into *v */
static bool rs_digits(const char *s, size_t *p, size_t n, int *v)
{
    size_t i;

    *v = 0;
    for (i = 0; i < n; i++) {
        if (s[*p + i] < '0' || s[*p + i] > '9')
            return false;
        *v = *v * 10 + (s[*p + i] - '0');
    }
    *p += n;
    return true;
}

static bool rs_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int report_time_parse(const char *s, bool end, int64_t *ms)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, mo, dd, hh = 0, mi = 0, dim;
    bool has_time;
    struct tm tm;
    size_t p = 0, len;
    time_t t;

    if (s == NULL || ms == NULL)
        return POS_ERR_INVAL;
    len = strlen(s);
    if (len != 10 && len != 16)
        return POS_ERR_SYNTAX;
    has_time = len == 16;
    if (!rs_digits(s, &p, 4, &y) || s[p++] != '-' || !rs_digits(s, &p, 2, &mo) ||
        s[p++] != '-' || !rs_digits(s, &p, 2, &dd))
        return POS_ERR_SYNTAX;
    if (has_time && (s[p++] != 'T' || !rs_digits(s, &p, 2, &hh) || s[p++] != ':' ||
                     !rs_digits(s, &p, 2, &mi)))
        return POS_ERR_SYNTAX;
    if (y < 1970 || mo < 1 || mo > 12 || dd < 1 || hh > 23 || mi > 59)
        return POS_ERR_RANGE;
    dim = mdays[mo - 1] + (mo == 2 && rs_leap(y) ? 1 : 0);
    if (dd > dim)
        return POS_ERR_RANGE;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = dd + (!has_time && end ? 1 : 0); /* mktime normalises the day after */
    tm.tm_hour = hh;
    tm.tm_min = mi;
    tm.tm_isdst = -1;
    t = mktime(&tm);
    if (t == (time_t)-1)
        return POS_ERR_RANGE;
    /* a wall-clock time the local clock skips (a DST gap) comes back moved */
    if (has_time && (tm.tm_hour != hh || tm.tm_min != mi))
        return POS_ERR_RANGE;
    if ((int64_t)t > INT64_MAX / 1000)
        return POS_ERR_RANGE;
    *ms = (int64_t)t * 1000;
    return POS_OK;
}

/* ---- rows -------------------------------------------------------------------- */

struct rs {
    enum report_by by;
    struct report_row *rows;
    size_t n, cap;
};

static int rs_cmp(const void *a, const void *b)
{
    const struct report_row *x = a, *y = b;

    if (x->num != y->num)
        return x->num < y->num ? -1 : 1;
    return strcmp(x->key, y->key);
}

static struct report_row *rs_find(struct rs *r, size_t n_sorted, const struct report_row *k)
{
    struct report_row *f = NULL;
    size_t i;

    if (n_sorted > 0)
        f = bsearch(k, r->rows, n_sorted, sizeof(*r->rows), rs_cmp);
    for (i = n_sorted; f == NULL && i < r->n; i++) /* rows added by the second pass */
        if (rs_cmp(k, &r->rows[i]) == 0)
            f = &r->rows[i];
    return f;
}

static int rs_append(struct rs *r, const struct report_row *k, struct report_row **out)
{
    struct report_row *p;

    if (r->n == r->cap) {
        size_t cap = r->cap == 0 ? 64 : r->cap * 2;

        if (cap > SIZE_MAX / sizeof(*p))
            return POS_ERR_NOMEM;
        p = pos_realloc(r->rows, cap * sizeof(*p));
        if (p == NULL)
            return POS_ERR_NOMEM;
        r->rows = p;
        r->cap = cap;
    }
    p = &r->rows[r->n++];
    *p = *k;
    p->has_qty = r->by == REPORT_BY_ITEM || r->by == REPORT_BY_CATEGORY;
    p->has_detail = r->by != REPORT_BY_TENDER;
    *out = p;
    return POS_OK;
}

/* The key of the current row of st (column 0, and 1 for the label). */
static int rs_key(struct rs *r, struct store_stmt *st, struct report_row *k)
{
    const char *txt;
    struct tm tm;
    int rc;

    memset(k, 0, sizeof(*k));
    switch (r->by) {
    case REPORT_BY_HOUR:
        rc = report__local(store_column_int64(st, 0), &tm);
        if (rc != POS_OK)
            return rc;
        snprintf(k->key, sizeof(k->key), "%04d-%02d-%02dT%02d", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour);
        break;
    case REPORT_BY_EMPLOYEE:
        k->num = store_column_int64(st, 0);
        snprintf(k->key, sizeof(k->key), "%lld", (long long)k->num);
        txt = store_column_text(st, 1, NULL);
        snprintf(k->label, sizeof(k->label), "%s", txt != NULL ? txt : "");
        break;
    default:
        txt = store_column_text(st, 0, NULL);
        snprintf(k->key, sizeof(k->key), "%s", txt != NULL ? txt : "");
        if (r->by == REPORT_BY_ITEM) {
            txt = store_column_text(st, 1, NULL);
            snprintf(k->label, sizeof(k->label), "%s", txt != NULL ? txt : "");
        }
        break;
    }
    return POS_OK;
}

/* Sales pass: columns key, label, count, qty, gross, discounts, tax, sales. */
static const char *const rs_sales_sql[] = {
    [REPORT_BY_ITEM] =
        "SELECT l.sku, MAX(l.name), COUNT(*), SUM(l.qty), SUM(l.gross),"
        " SUM(l.promo_discount + l.line_discount + l.sale_discount), SUM(l.tax),"
        " SUM(l.net + CASE WHEN s.tax_included = 0 THEN l.tax ELSE 0 END)"
        " FROM sales s JOIN sale_lines l ON l.sale_id = s.id WHERE s.status = 'paid'"
        " AND s.closed_at >= ? AND s.closed_at < ? GROUP BY l.sku ORDER BY l.sku",
    [REPORT_BY_CATEGORY] =
        "SELECT l.category, '', COUNT(*), SUM(l.qty), SUM(l.gross),"
        " SUM(l.promo_discount + l.line_discount + l.sale_discount), SUM(l.tax),"
        " SUM(l.net + CASE WHEN s.tax_included = 0 THEN l.tax ELSE 0 END)"
        " FROM sales s JOIN sale_lines l ON l.sale_id = s.id WHERE s.status = 'paid'"
        " AND s.closed_at >= ? AND s.closed_at < ? GROUP BY l.category ORDER BY l.category",
    [REPORT_BY_HOUR] =
        "SELECT closed_at, '', 1, 0, subtotal, promo_total + discount_total, tax_total, total"
        " FROM sales WHERE status = 'paid' AND closed_at >= ? AND closed_at < ?"
        " ORDER BY closed_at",
    [REPORT_BY_EMPLOYEE] =
        "SELECT e.number, e.name, COUNT(*), 0, SUM(s.subtotal),"
        " SUM(s.promo_total + s.discount_total), SUM(s.tax_total), SUM(s.total)"
        " FROM sales s JOIN employees e ON e.id = s.employee_id WHERE s.status = 'paid'"
        " AND s.closed_at >= ? AND s.closed_at < ? GROUP BY e.number, e.name ORDER BY e.number",
    [REPORT_BY_TENDER] =
        "SELECT t.kind, '', COUNT(*), 0, SUM(t.amount), 0, 0, SUM(t.amount - t.change_amount)"
        " FROM tenders t JOIN sales s ON s.id = t.sale_id WHERE s.status = 'paid'"
        " AND s.closed_at >= ? AND s.closed_at < ? GROUP BY t.kind ORDER BY t.kind",
};

/* Returns pass: columns key, label, money given back. */
static const char *const rs_ret_sql[] = {
    [REPORT_BY_ITEM] =
        "SELECT rl.sku, MAX(rl.name), SUM(rl.amount + CASE WHEN s.tax_included = 0 THEN rl.tax"
        " ELSE 0 END) FROM returns r JOIN return_lines rl ON rl.return_id = r.id"
        " LEFT JOIN sales s ON s.id = r.sale_id WHERE r.created_at >= ? AND r.created_at < ?"
        " GROUP BY rl.sku",
    [REPORT_BY_CATEGORY] =
        "SELECT rl.category, '', SUM(rl.amount + CASE WHEN s.tax_included = 0 THEN rl.tax"
        " ELSE 0 END) FROM returns r JOIN return_lines rl ON rl.return_id = r.id"
        " LEFT JOIN sales s ON s.id = r.sale_id WHERE r.created_at >= ? AND r.created_at < ?"
        " GROUP BY rl.category",
    [REPORT_BY_HOUR] = "SELECT created_at, '', total FROM returns"
                       " WHERE created_at >= ? AND created_at < ? ORDER BY created_at",
    [REPORT_BY_EMPLOYEE] =
        "SELECT e.number, e.name, SUM(r.total) FROM returns r"
        " JOIN employees e ON e.id = r.employee_id WHERE r.created_at >= ? AND r.created_at < ?"
        " GROUP BY e.number, e.name",
    [REPORT_BY_TENDER] =
        "SELECT rt.kind, '', SUM(rt.amount) FROM return_tenders rt"
        " JOIN returns r ON r.id = rt.return_id WHERE r.created_at >= ? AND r.created_at < ?"
        " GROUP BY rt.kind",
};

static int rs_prepare(struct store *db, const char *sql, int64_t from, int64_t to,
                      struct store_stmt **st)
{
    int rc = store_prepare(db, sql, st);

    if (rc == POS_OK && (rc = store_bind_int64(*st, 1, from)) == POS_OK)
        rc = store_bind_int64(*st, 2, to);
    return rc;
}

static int rs_add_sales(struct report_row *p, struct store_stmt *st)
{
    int rc;

    if ((rc = report__add(&p->count, store_column_int64(st, 2))) == POS_OK &&
        (rc = report__add(&p->qty, store_column_int64(st, 3))) == POS_OK &&
        (rc = report__add(&p->gross, store_column_int64(st, 4))) == POS_OK &&
        (rc = report__add(&p->discounts, store_column_int64(st, 5))) == POS_OK &&
        (rc = report__add(&p->tax, store_column_int64(st, 6))) == POS_OK)
        rc = report__add(&p->sales, store_column_int64(st, 7));
    return rc;
}

static int rs_pass(struct store *db, struct rs *r, bool returns, int64_t from, int64_t to)
{
    struct store_stmt *st = NULL;
    struct report_row k, *p;
    size_t n_sorted = r->n;
    int rc;

    rc = rs_prepare(db, returns ? rs_ret_sql[r->by] : rs_sales_sql[r->by], from, to, &st);
    while (rc == POS_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = rs_key(r, st, &k);
        if (rc != POS_OK)
            break;
        if (!returns)
            p = r->n > 0 && rs_cmp(&k, &r->rows[r->n - 1]) == 0 ? &r->rows[r->n - 1] : NULL;
        else
            p = rs_find(r, n_sorted, &k);
        if (p == NULL && (rc = rs_append(r, &k, &p)) != POS_OK)
            break;
        rc = returns ? report__add(&p->refunds, store_column_int64(st, 2)) : rs_add_sales(p, st);
    }
    if (rc > 0 || (rc < 0 && st != NULL))
        store_reset(st);
    if (rc == STORE_ROW)
        rc = POS_ERR_DB;
    if (rc == POS_OK && r->n > 0)
        qsort(r->rows, r->n, sizeof(*r->rows), rs_cmp);
    return rc;
}

static int rs_total(struct rs *r, struct report_row *t)
{
    size_t i;
    int rc = POS_OK;

    memset(t, 0, sizeof(*t));
    snprintf(t->key, sizeof(t->key), "total");
    t->has_qty = r->by == REPORT_BY_ITEM || r->by == REPORT_BY_CATEGORY;
    t->has_detail = r->by != REPORT_BY_TENDER;
    for (i = 0; i < r->n && rc == POS_OK; i++) {
        struct report_row *p = &r->rows[i];

        p->net = p->sales;
        if ((rc = report__add(&p->net, -p->refunds)) == POS_OK &&
            (rc = report__add(&t->count, p->count)) == POS_OK &&
            (rc = report__add(&t->qty, p->qty)) == POS_OK &&
            (rc = report__add(&t->gross, p->gross)) == POS_OK &&
            (rc = report__add(&t->discounts, p->discounts)) == POS_OK &&
            (rc = report__add(&t->tax, p->tax)) == POS_OK &&
            (rc = report__add(&t->sales, p->sales)) == POS_OK &&
            (rc = report__add(&t->refunds, p->refunds)) == POS_OK)
            rc = report__add(&t->net, p->net);
    }
    return rc;
}

int report_sales(struct store *db, int64_t from_ms, int64_t to_ms, enum report_by by,
                 struct report_row **rows, size_t *n, struct report_row *total,
                 struct pos_errdetail *d)
{
    struct rs r;
    int rc;

    memset(&r, 0, sizeof(r));
    if (db == NULL || rows == NULL || n == NULL || total == NULL ||
        (unsigned)by >= sizeof(rs_sales_sql) / sizeof(rs_sales_sql[0]))
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "bad arguments");
    *rows = NULL;
    *n = 0;
    if (from_ms > to_ms)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "the period starts after it ends");
    r.by = by;
    rc = rs_pass(db, &r, false, from_ms, to_ms);
    if (rc == POS_OK)
        rc = rs_pass(db, &r, true, from_ms, to_ms);
    if (rc == POS_OK)
        rc = rs_total(&r, total);
    if (rc != POS_OK) {
        if (rc != POS_ERR_NOMEM && rc != POS_ERR_OVERFLOW && rc != POS_ERR_RANGE)
            report__dberr(db, rc, d);
        goto out;
    }
    *rows = r.rows;
    *n = r.n;
    r.rows = NULL;
out:
    pos_free(r.rows);
    return rc;
}

void report_rows_free(struct report_row *rows)
{
    pos_free(rows);
}
