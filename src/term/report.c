/* report: the X and Z reports (report.h; docs/reports.md). The figures are
 * SQL sums over the shifts of the report's scope; this file adds them up
 * (checked), builds the JSON, and for Z stores it in day_closes. */
#include "term/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "term/report_int.h"
#include "term/staff.h"
#include "term/tstore.h"

/* The shifts of a report: X one shift (id > 0), Z the shifts closed in
 * [from, to). Every scoped query ends with this and binds 5 parameters
 * through rep_bind_scope. Plain `?` placeholders (store.h's portable
 * subset), so the shift id is bound three times. */
#define REP_SCOPE                                                                                  \
    " IN (SELECT id FROM shifts WHERE (? > 0 AND id = ?) OR (? = 0 AND status = 'closed'"         \
    " AND closed_at >= ? AND closed_at < ?))"

struct rep_scope {
    int64_t shift_id; /* X: the open shift; Z: 0 */
    int64_t from_ms, to_ms;
};

enum { REP_CASH = 0, REP_CARD, REP_WALLET, REP_OTHER, REP_KINDS };
static const char *const rep_kind_names[REP_KINDS] = {"cash", "card", "wallet", "other"};

struct rep_tender {
    int64_t count, tendered, change, returned;
};

struct rep_ret {
    int64_t count, total, tax;
    int64_t by_kind[REP_KINDS];
};

struct rep_emp {
    int64_t number;
    char name[STAFF_NAME_MAX + 1];
    int64_t count, total, refunds, voids;
};

struct rep_shift {
    int64_t id, number, float_amount, counted, opened_at, closed_at;
    bool has_counted;
    int64_t cash_sales, cash_returned;
};

struct rep {
    const struct currency *cur;
    struct rep_scope sc;
    int64_t count, total, gross, promotions, discounts, tax;
    struct rep_tender tenders[REP_KINDS];
    struct rep_ret refunds, voids;
    int64_t hour_count[24], hour_total[24];
    struct rep_emp *emps;
    size_t n_emps, cap_emps;
    struct rep_shift *shifts;
    size_t n_shifts, cap_shifts;
};

/* ---- shared helpers (report_int.h) ---------------------------------------- */

int report__add(int64_t *acc, int64_t v)
{
    int64_t r;

    if (__builtin_add_overflow(*acc, v, &r))
        return POS_ERR_OVERFLOW;
    *acc = r;
    return POS_OK;
}

json_t *report__money(int64_t minor, const struct currency *cur)
{
    char s[MONEY_FORMAT_MAX];
    struct money m = {minor, cur};

    if (money_format(&m, s, sizeof(s), NULL) != POS_OK)
        snprintf(s, sizeof(s), "%lld", (long long)minor);
    return json_string(s);
}

int report__local(int64_t ms, struct tm *out)
{
    time_t t = (time_t)(ms / 1000);

    if (ms < 0 || localtime_r(&t, out) == NULL)
        return POS_ERR_RANGE;
    return POS_OK;
}

int report__dberr(struct store *db, int rc, struct pos_errdetail *d)
{
    if (d != NULL && d->what[0] == '\0')
        pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "%s", store_error(db)->what);
    return rc;
}

/* ---- queries ----------------------------------------------------------------- */

static int rep_kind(const char *s)
{
    int k;

    for (k = 0; s != NULL && k < REP_KINDS; k++)
        if (strcmp(s, rep_kind_names[k]) == 0)
            return k;
    return -1;
}

static int rep_prepare(struct store *db, const char *sql, const struct rep_scope *sc, int first,
                       struct store_stmt **st)
{
    int rc = store_prepare(db, sql, st);

    if (rc == POS_OK && sc != NULL) {
        if ((rc = store_bind_int64(*st, first, sc->shift_id)) == POS_OK &&
            (rc = store_bind_int64(*st, first + 1, sc->shift_id)) == POS_OK &&
            (rc = store_bind_int64(*st, first + 2, sc->shift_id)) == POS_OK &&
            (rc = store_bind_int64(*st, first + 3, sc->from_ms)) == POS_OK)
            rc = store_bind_int64(*st, first + 4, sc->to_ms);
    }
    return rc;
}

static int rep_sales(struct store *db, struct rep *r)
{
    struct store_stmt *st = NULL;
    int rc;

    rc = rep_prepare(db,
                     "SELECT COUNT(*), COALESCE(SUM(total), 0), COALESCE(SUM(subtotal), 0),"
                     " COALESCE(SUM(promo_total), 0), COALESCE(SUM(discount_total), 0),"
                     " COALESCE(SUM(tax_total), 0) FROM sales WHERE status = 'paid' AND shift_id"
                     REP_SCOPE,
                     &r->sc, 1, &st);
    if (rc != POS_OK)
        goto out;
    rc = store_step(st);
    if (rc != STORE_ROW) {
        rc = rc < 0 ? rc : POS_ERR_DB;
        goto out;
    }
    r->count = store_column_int64(st, 0);
    r->total = store_column_int64(st, 1);
    r->gross = store_column_int64(st, 2);
    r->promotions = store_column_int64(st, 3);
    r->discounts = store_column_int64(st, 4);
    r->tax = store_column_int64(st, 5);
    rc = store_reset(st);
out:
    return rc;
}

static int rep_tenders(struct store *db, struct rep *r)
{
    struct store_stmt *st = NULL;
    int rc, k;

    rc = rep_prepare(db,
                     "SELECT t.kind, COUNT(*), SUM(t.amount), SUM(t.change_amount) FROM tenders t"
                     " JOIN sales s ON s.id = t.sale_id WHERE s.status = 'paid' AND s.shift_id"
                     REP_SCOPE " GROUP BY t.kind",
                     &r->sc, 1, &st);
    while (rc == POS_OK && (rc = store_step(st)) == STORE_ROW) {
        k = rep_kind(store_column_text(st, 0, NULL));
        rc = POS_OK;
        if (k < 0)
            continue;
        r->tenders[k].count = store_column_int64(st, 1);
        r->tenders[k].tendered = store_column_int64(st, 2);
        r->tenders[k].change = store_column_int64(st, 3);
    }
    return rc < 0 ? rc : POS_OK;
}

static int rep_returns(struct store *db, struct rep *r)
{
    struct store_stmt *st = NULL;
    struct rep_ret *x;
    const char *kind;
    int rc, k;

    rc = rep_prepare(db,
                     "SELECT kind, COUNT(*), SUM(total), SUM(tax_total) FROM returns WHERE shift_id"
                     REP_SCOPE " GROUP BY kind",
                     &r->sc, 1, &st);
    while (rc == POS_OK && (rc = store_step(st)) == STORE_ROW) {
        kind = store_column_text(st, 0, NULL);
        x = kind != NULL && strcmp(kind, "void") == 0 ? &r->voids : &r->refunds;
        x->count = store_column_int64(st, 1);
        x->total = store_column_int64(st, 2);
        x->tax = store_column_int64(st, 3);
        rc = POS_OK;
    }
    if (rc < 0)
        return rc;
    rc = rep_prepare(db,
                     "SELECT r.kind, rt.kind, SUM(rt.amount) FROM return_tenders rt"
                     " JOIN returns r ON r.id = rt.return_id WHERE r.shift_id" REP_SCOPE
                     " GROUP BY r.kind, rt.kind",
                     &r->sc, 1, &st);
    while (rc == POS_OK && (rc = store_step(st)) == STORE_ROW) {
        kind = store_column_text(st, 0, NULL);
        x = kind != NULL && strcmp(kind, "void") == 0 ? &r->voids : &r->refunds;
        k = rep_kind(store_column_text(st, 1, NULL));
        rc = POS_OK;
        if (k < 0)
            continue;
        x->by_kind[k] = store_column_int64(st, 2);
        rc = report__add(&r->tenders[k].returned, x->by_kind[k]);
    }
    return rc < 0 ? rc : POS_OK;
}

static int rep_emp_at(struct rep *r, int64_t number, const char *name, struct rep_emp **out)
{
    struct rep_emp *e;
    size_t i;

    for (i = 0; i < r->n_emps; i++)
        if (r->emps[i].number == number) {
            *out = &r->emps[i];
            return POS_OK;
        }
    if (r->n_emps == r->cap_emps) {
        size_t cap = r->cap_emps == 0 ? 16 : r->cap_emps * 2;

        e = pos_realloc(r->emps, cap * sizeof(*e));
        if (e == NULL)
            return POS_ERR_NOMEM;
        r->emps = e;
        r->cap_emps = cap;
    }
    /* keep number order: the queries come ordered, but refunds may add
     * someone who sold nothing */
    for (i = r->n_emps; i > 0 && r->emps[i - 1].number > number; i--)
        r->emps[i] = r->emps[i - 1];
    e = &r->emps[i];
    memset(e, 0, sizeof(*e));
    e->number = number;
    snprintf(e->name, sizeof(e->name), "%s", name != NULL ? name : "");
    r->n_emps++;
    *out = e;
    return POS_OK;
}

static int rep_employees(struct store *db, struct rep *r)
{
    struct store_stmt *st = NULL;
    struct rep_emp *e;
    const char *kind;
    int rc;

    rc = rep_prepare(db,
                     "SELECT e.number, e.name, COUNT(*), SUM(s.total) FROM sales s"
                     " JOIN employees e ON e.id = s.employee_id WHERE s.status = 'paid' AND"
                     " s.shift_id" REP_SCOPE " GROUP BY e.number, e.name ORDER BY e.number",
                     &r->sc, 1, &st);
    while (rc == POS_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = rep_emp_at(r, store_column_int64(st, 0), store_column_text(st, 1, NULL), &e);
        if (rc != POS_OK)
            break;
        e->count = store_column_int64(st, 2);
        e->total = store_column_int64(st, 3);
    }
    if (rc < 0)
        goto out;
    rc = rep_prepare(db,
                     "SELECT e.number, e.name, r.kind, SUM(r.total) FROM returns r"
                     " JOIN employees e ON e.id = r.employee_id WHERE r.shift_id" REP_SCOPE
                     " GROUP BY e.number, e.name, r.kind ORDER BY e.number",
                     &r->sc, 1, &st);
    while (rc == POS_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = rep_emp_at(r, store_column_int64(st, 0), store_column_text(st, 1, NULL), &e);
        if (rc != POS_OK)
            break;
        kind = store_column_text(st, 2, NULL);
        if (kind != NULL && strcmp(kind, "void") == 0)
            e->voids = store_column_int64(st, 3);
        else
            e->refunds = store_column_int64(st, 3);
    }
out:
    if (rc != POS_OK && rc != STORE_DONE && st != NULL)
        store_reset(st);
    return rc < 0 ? rc : POS_OK;
}

static int rep_hours(struct store *db, struct rep *r)
{
    struct store_stmt *st = NULL;
    struct tm tm;
    int rc;

    rc = rep_prepare(db,
                     "SELECT closed_at, total FROM sales WHERE status = 'paid' AND shift_id"
                     REP_SCOPE,
                     &r->sc, 1, &st);
    while (rc == POS_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = report__local(store_column_int64(st, 0), &tm);
        if (rc == POS_OK && (tm.tm_hour < 0 || tm.tm_hour > 23))
            rc = POS_ERR_RANGE;
        if (rc == POS_OK)
            rc = report__add(&r->hour_total[tm.tm_hour], store_column_int64(st, 1));
        if (rc != POS_OK) {
            store_reset(st);
            break;
        }
        r->hour_count[tm.tm_hour]++;
    }
    return rc < 0 ? rc : POS_OK;
}

static int rep_shifts(struct store *db, struct rep *r)
{
    struct store_stmt *st = NULL;
    struct rep_shift *sh;
    size_t i;
    int rc;

    rc = rep_prepare(db,
                     "SELECT sh.id, e.number, sh.float_amount, sh.counted_amount, sh.opened_at,"
                     " COALESCE(sh.closed_at, 0) FROM shifts sh JOIN employees e"
                     " ON e.id = sh.employee_id WHERE sh.id" REP_SCOPE " ORDER BY sh.id",
                     &r->sc, 1, &st);
    while (rc == POS_OK && (rc = store_step(st)) == STORE_ROW) {
        if (r->n_shifts == r->cap_shifts) {
            size_t cap = r->cap_shifts == 0 ? 8 : r->cap_shifts * 2;

            sh = pos_realloc(r->shifts, cap * sizeof(*sh));
            if (sh == NULL) {
                store_reset(st);
                return POS_ERR_NOMEM;
            }
            r->shifts = sh;
            r->cap_shifts = cap;
        }
        sh = &r->shifts[r->n_shifts++];
        memset(sh, 0, sizeof(*sh));
        sh->id = store_column_int64(st, 0);
        sh->number = store_column_int64(st, 1);
        sh->float_amount = store_column_int64(st, 2);
        sh->has_counted = !store_column_is_null(st, 3);
        sh->counted = store_column_int64(st, 3);
        sh->opened_at = store_column_int64(st, 4);
        sh->closed_at = store_column_int64(st, 5);
        rc = POS_OK;
    }
    if (rc < 0)
        return rc;
    for (i = 0; i < r->n_shifts && rc >= 0; i++) {
        sh = &r->shifts[i];
        rc = store_prepare(db,
                           "SELECT COALESCE(SUM(t.amount - t.change_amount), 0) FROM tenders t"
                           " JOIN sales s ON s.id = t.sale_id WHERE s.status = 'paid'"
                           " AND t.kind = 'cash' AND s.shift_id = ?",
                           &st);
        if (rc == POS_OK && (rc = store_bind_int64(st, 1, sh->id)) == POS_OK &&
            (rc = store_step(st)) == STORE_ROW) {
            sh->cash_sales = store_column_int64(st, 0);
            rc = store_reset(st);
        }
        if (rc < 0)
            break;
        rc = store_prepare(db,
                           "SELECT COALESCE(SUM(rt.amount), 0) FROM return_tenders rt"
                           " JOIN returns r ON r.id = rt.return_id WHERE rt.kind = 'cash'"
                           " AND r.shift_id = ?",
                           &st);
        if (rc == POS_OK && (rc = store_bind_int64(st, 1, sh->id)) == POS_OK &&
            (rc = store_step(st)) == STORE_ROW) {
            sh->cash_returned = store_column_int64(st, 0);
            rc = store_reset(st);
        }
    }
    return rc < 0 ? rc : POS_OK;
}

static int rep_collect(struct store *db, struct rep *r, struct pos_errdetail *d)
{
    int rc;

    if ((rc = rep_sales(db, r)) == POS_OK && (rc = rep_tenders(db, r)) == POS_OK &&
        (rc = rep_returns(db, r)) == POS_OK && (rc = rep_employees(db, r)) == POS_OK &&
        (rc = rep_hours(db, r)) == POS_OK)
        rc = rep_shifts(db, r);
    if (rc != POS_OK && rc != POS_ERR_OVERFLOW && rc != POS_ERR_NOMEM && rc != POS_ERR_RANGE)
        report__dberr(db, rc, d);
    return rc;
}

static void rep_clear(struct rep *r)
{
    pos_free(r->emps);
    pos_free(r->shifts);
    memset(r, 0, sizeof(*r));
}

/* ---- JSON ------------------------------------------------------------------ */

/* Sets key of o to v (taking v); a NULL v (no memory) marks *ok false. */
static void rep_set(json_t *o, const char *key, json_t *v, bool *ok)
{
    if (o == NULL) {
        json_decref(v);
        *ok = false;
    } else if (v == NULL || json_object_set_new(o, key, v) != 0) { /* set_new takes v */
        *ok = false;
    }
}

static json_t *rep_ret_json(const struct rep *r, const struct rep_ret *x, bool *ok)
{
    json_t *o = json_object(), *t = json_object();
    int k;

    rep_set(o, "count", json_integer(x->count), ok);
    rep_set(o, "total", report__money(x->total, r->cur), ok);
    rep_set(o, "tax", report__money(x->tax, r->cur), ok);
    for (k = 0; k < REP_KINDS; k++)
        rep_set(t, rep_kind_names[k], report__money(x->by_kind[k], r->cur), ok);
    rep_set(o, "tenders", t, ok);
    return o;
}

static int rep_tax_json(struct store *db, const struct rep *r, json_t *tax, bool *ok)
{
    struct store_stmt *st = NULL;
    json_t *rates = json_array(), *o;
    int rc;

    rc = rep_prepare(db,
                     "SELECT l.tax_bps, SUM(l.net - CASE WHEN s.tax_included = 1 THEN l.tax ELSE"
                     " 0 END), SUM(l.tax) FROM sale_lines l JOIN sales s ON s.id = l.sale_id"
                     " WHERE s.status = 'paid' AND s.shift_id" REP_SCOPE
                     " GROUP BY l.tax_bps ORDER BY l.tax_bps",
                     &r->sc, 1, &st);
    while (rc == POS_OK && (rc = store_step(st)) == STORE_ROW) {
        o = json_object();
        rep_set(o, "rate_bps", json_integer(store_column_int64(st, 0)), ok);
        rep_set(o, "base", report__money(store_column_int64(st, 1), r->cur), ok);
        rep_set(o, "tax", report__money(store_column_int64(st, 2), r->cur), ok);
        if (o == NULL || json_array_append_new(rates, o) != 0)
            *ok = false;
        rc = POS_OK;
    }
    rep_set(tax, "rates", rates, ok);
    return rc < 0 ? rc : POS_OK;
}

/* cash of one shift or of all: expected = float + sales - returned */
static int rep_cash_json(const struct rep *r, const struct rep_shift *sh, size_t n, bool z,
                         json_t *o, bool *ok)
{
    int64_t fl = 0, sales = 0, ret = 0, expected, counted = 0, diff;
    bool all_counted = true;
    size_t i;
    int rc = POS_OK;

    for (i = 0; i < n && rc == POS_OK; i++) {
        if ((rc = report__add(&fl, sh[i].float_amount)) == POS_OK &&
            (rc = report__add(&sales, sh[i].cash_sales)) == POS_OK &&
            (rc = report__add(&ret, sh[i].cash_returned)) == POS_OK)
            rc = report__add(&counted, sh[i].counted);
        all_counted = all_counted && sh[i].has_counted;
    }
    expected = fl;
    if (rc == POS_OK && (rc = report__add(&expected, sales)) == POS_OK)
        rc = report__add(&expected, -ret);
    if (rc != POS_OK)
        return rc;
    rep_set(o, "float", report__money(fl, r->cur), ok);
    rep_set(o, "sales", report__money(sales, r->cur), ok);
    rep_set(o, "returned", report__money(ret, r->cur), ok);
    rep_set(o, "expected", report__money(expected, r->cur), ok);
    if (z && all_counted) {
        diff = counted;
        if (report__add(&diff, -expected) != POS_OK)
            return POS_ERR_OVERFLOW;
        rep_set(o, "counted", report__money(counted, r->cur), ok);
        rep_set(o, "difference", report__money(diff, r->cur), ok);
    }
    return POS_OK;
}

static int rep_json(struct store *db, const struct rep *r, bool z, json_t *o)
{
    json_t *sec, *arr, *e;
    int64_t net = r->total, v;
    bool ok = true;
    size_t i;
    int rc, k;

    sec = json_object();
    rep_set(sec, "count", json_integer(r->count), &ok);
    rep_set(sec, "total", report__money(r->total, r->cur), &ok);
    rep_set(sec, "gross", report__money(r->gross, r->cur), &ok);
    rep_set(o, "sales", sec, &ok);
    sec = json_object();
    rep_set(sec, "total", report__money(r->promotions, r->cur), &ok);
    rep_set(o, "promotions", sec, &ok);
    sec = json_object();
    rep_set(sec, "total", report__money(r->discounts, r->cur), &ok);
    rep_set(o, "discounts", sec, &ok);

    sec = json_object();
    rep_set(sec, "total", report__money(r->tax, r->cur), &ok);
    v = r->refunds.tax;
    if ((rc = report__add(&v, r->voids.tax)) != POS_OK)
        return rc;
    rep_set(sec, "returned", report__money(v, r->cur), &ok);
    v = r->tax;
    if ((rc = report__add(&v, -r->refunds.tax)) != POS_OK ||
        (rc = report__add(&v, -r->voids.tax)) != POS_OK)
        return rc;
    rep_set(sec, "net", report__money(v, r->cur), &ok);
    if ((rc = rep_tax_json(db, r, sec, &ok)) != POS_OK)
        return rc;
    rep_set(o, "tax", sec, &ok);

    rep_set(o, "refunds", rep_ret_json(r, &r->refunds, &ok), &ok);
    rep_set(o, "voids", rep_ret_json(r, &r->voids, &ok), &ok);
    if ((rc = report__add(&net, -r->refunds.total)) != POS_OK ||
        (rc = report__add(&net, -r->voids.total)) != POS_OK)
        return rc;
    rep_set(o, "net", report__money(net, r->cur), &ok);

    sec = json_object();
    for (k = 0; k < REP_KINDS; k++) {
        const struct rep_tender *t = &r->tenders[k];

        v = t->tendered;
        if ((rc = report__add(&v, -t->change)) != POS_OK ||
            (rc = report__add(&v, -t->returned)) != POS_OK)
            return rc;
        e = json_object();
        rep_set(e, "count", json_integer(t->count), &ok);
        rep_set(e, "tendered", report__money(t->tendered, r->cur), &ok);
        rep_set(e, "change", report__money(t->change, r->cur), &ok);
        rep_set(e, "returned", report__money(t->returned, r->cur), &ok);
        rep_set(e, "net", report__money(v, r->cur), &ok);
        rep_set(sec, rep_kind_names[k], e, &ok);
    }
    rep_set(o, "tenders", sec, &ok);

    arr = json_array();
    for (i = 0; i < r->n_emps; i++) {
        const struct rep_emp *m = &r->emps[i];

        v = m->total;
        if ((rc = report__add(&v, -m->refunds)) != POS_OK ||
            (rc = report__add(&v, -m->voids)) != POS_OK)
            return rc;
        e = json_object();
        rep_set(e, "number", json_integer(m->number), &ok);
        rep_set(e, "name", json_string(m->name), &ok);
        rep_set(e, "count", json_integer(m->count), &ok);
        rep_set(e, "total", report__money(m->total, r->cur), &ok);
        rep_set(e, "refunds", report__money(m->refunds, r->cur), &ok);
        rep_set(e, "voids", report__money(m->voids, r->cur), &ok);
        rep_set(e, "net", report__money(v, r->cur), &ok);
        if (e == NULL || arr == NULL || json_array_append_new(arr, e) != 0)
            ok = false;
    }
    rep_set(o, "employees", arr, &ok);

    arr = json_array();
    for (k = 0; k < 24; k++) {
        if (r->hour_count[k] == 0)
            continue;
        e = json_object();
        rep_set(e, "hour", json_integer(k), &ok);
        rep_set(e, "count", json_integer(r->hour_count[k]), &ok);
        rep_set(e, "total", report__money(r->hour_total[k], r->cur), &ok);
        if (e == NULL || arr == NULL || json_array_append_new(arr, e) != 0)
            ok = false;
    }
    rep_set(o, "hours", arr, &ok);

    sec = json_object();
    if ((rc = rep_cash_json(r, r->shifts, r->n_shifts, z, sec, &ok)) != POS_OK)
        return rc;
    rep_set(o, "cash", sec, &ok);
    if (z) {
        arr = json_array();
        for (i = 0; i < r->n_shifts; i++) {
            e = json_object();
            rep_set(e, "id", json_integer(r->shifts[i].id), &ok);
            rep_set(e, "employee", json_integer(r->shifts[i].number), &ok);
            rep_set(e, "opened_at_ms", json_integer(r->shifts[i].opened_at), &ok);
            rep_set(e, "closed_at_ms", json_integer(r->shifts[i].closed_at), &ok);
            if ((rc = rep_cash_json(r, &r->shifts[i], 1, true, e, &ok)) != POS_OK) {
                json_decref(e);
                return rc;
            }
            if (e == NULL || arr == NULL || json_array_append_new(arr, e) != 0)
                ok = false;
        }
        rep_set(o, "shifts", arr, &ok);
    }
    return ok ? POS_OK : POS_ERR_NOMEM;
}

/* A report object with its header members, then the figures of r. */
static int rep_build(struct store *db, struct rep *r, const char *type, int64_t now_ms,
                     json_t **out, struct pos_errdetail *d)
{
    json_t *o = json_object();
    bool ok = true;
    int rc;

    *out = NULL;
    rep_set(o, "type", json_string(type), &ok);
    rep_set(o, "currency", json_string(r->cur->alpha), &ok);
    rep_set(o, "generated_at_ms", json_integer(now_ms), &ok);
    rep_set(o, "from_ms", json_integer(r->sc.from_ms), &ok);
    rep_set(o, "to_ms", json_integer(r->sc.to_ms), &ok);
    rc = ok ? rep_collect(db, r, d) : POS_ERR_NOMEM;
    if (rc == POS_OK)
        rc = rep_json(db, r, strcmp(type, "z") == 0, o);
    if (rc != POS_OK && rc != POS_ERR_NOMEM && rc != POS_ERR_OVERFLOW && rc != POS_ERR_RANGE)
        report__dberr(db, rc, d);
    if (rc == POS_OK)
        *out = o;
    else
        json_decref(o);
    return rc;
}

/* ---- X ---------------------------------------------------------------------- */

int report_x(struct store *db, int64_t now_ms, json_t **out, struct pos_errdetail *d)
{
    struct staff_shift sh;
    struct rep r;
    json_t *o = NULL;
    int rc;

    memset(&r, 0, sizeof(r));
    if (db == NULL || out == NULL)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "no database or output");
    *out = NULL;
    rc = tstore_currency(db, &r.cur);
    if (rc != POS_OK)
        goto out;
    rc = staff_shift_current(db, &sh);
    if (rc == POS_ERR_NOT_FOUND) {
        rc = pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET, "no shift is open");
        goto out;
    }
    if (rc != POS_OK)
        goto out;
    r.sc.shift_id = sh.id;
    r.sc.from_ms = sh.opened_at;
    r.sc.to_ms = now_ms;
    rc = rep_build(db, &r, "x", now_ms, &o, d);
    if (rc != POS_OK)
        goto out;
    rc = json_object_set_new(o, "shift", json_integer(sh.id)) == 0 &&
                 json_object_set_new(o, "employee", json_integer(sh.employee_number)) == 0
             ? POS_OK
             : POS_ERR_NOMEM;
    if (rc == POS_OK) {
        *out = o;
        o = NULL;
    }
out:
    json_decref(o);
    rep_clear(&r);
    return rc;
}

/* ---- Z ---------------------------------------------------------------------- */

/* One integer from a one-row query with up to one parameter; *out = def
 * when the value is NULL or there is no row. */
static int rep_scalar(struct store *db, const char *sql, int64_t def, int64_t *out)
{
    struct store_stmt *st = NULL;
    int rc = store_prepare(db, sql, &st);

    *out = def;
    if (rc != POS_OK)
        return rc;
    rc = store_step(st);
    if (rc == STORE_ROW) {
        if (!store_column_is_null(st, 0))
            *out = store_column_int64(st, 0);
        rc = store_reset(st);
    }
    return rc < 0 ? rc : POS_OK;
}

/* The period of the next Z at now_ms: from the previous close (else the
 * first shift's opening) to a time after every closed shift. */
static int rep_z_period(struct store *db, int64_t now_ms, struct rep_scope *sc)
{
    int64_t last_closed;
    int rc;

    sc->shift_id = 0;
    rc = rep_scalar(db, "SELECT to_ms FROM day_closes ORDER BY id DESC LIMIT 1", -1, &sc->from_ms);
    if (rc == POS_OK && sc->from_ms < 0)
        rc = rep_scalar(db, "SELECT MIN(opened_at) FROM shifts", now_ms, &sc->from_ms);
    if (rc == POS_OK)
        rc = rep_scalar(db, "SELECT MAX(closed_at) FROM shifts WHERE status = 'closed'", 0,
                        &last_closed);
    if (rc != POS_OK)
        return rc;
    sc->to_ms = now_ms;
    if (last_closed >= sc->to_ms) /* the clock went back or the same ms */
        sc->to_ms = last_closed + 1;
    if (sc->from_ms > sc->to_ms)
        sc->from_ms = sc->to_ms;
    return POS_OK;
}

static int rep_z_write(struct store *db, json_t *o, int64_t id, int64_t emp_id, int64_t now_ms,
                       const struct rep_scope *sc)
{
    struct store_stmt *st = NULL;
    char *text;
    int rc;

    text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text == NULL)
        return POS_ERR_NOMEM;
    rc = store_prepare(db,
                       "INSERT INTO day_closes (id, from_ms, to_ms, employee_id, report,"
                       " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                       &st);
    if (rc == POS_OK && (rc = store_bind_int64(st, 1, id)) == POS_OK &&
        (rc = store_bind_int64(st, 2, sc->from_ms)) == POS_OK &&
        (rc = store_bind_int64(st, 3, sc->to_ms)) == POS_OK &&
        (rc = store_bind_int64(st, 4, emp_id)) == POS_OK &&
        (rc = store_bind_text(st, 5, text, strlen(text))) == POS_OK &&
        (rc = store_bind_int64(st, 6, now_ms)) == POS_OK)
        rc = store_step(st);
    free(text);
    return rc < 0 ? rc : POS_OK;
}

int report_z(struct store *db, int64_t number, const char *pin, int64_t now_ms, json_t **out,
             int64_t *close_id, struct pos_errdetail *d)
{
    struct staff_employee emp;
    struct staff_shift sh;
    struct rep r;
    json_t *o = NULL, *who = NULL;
    int64_t id = 0, drafts = 0;
    bool began = false;
    int rc;

    memset(&r, 0, sizeof(r));
    if (out != NULL)
        *out = NULL;
    if (db == NULL || pin == NULL)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "no database or PIN");
    rc = tstore_currency(db, &r.cur);
    if (rc != POS_OK)
        goto out;
    /* outside the transaction: a wrong PIN's count must stay */
    rc = staff_authorize(db, number, pin, STAFF_RIGHT_REPORTS, now_ms, &emp, d);
    if (rc != POS_OK)
        goto out;
    rc = store_begin(db);
    if (rc != POS_OK)
        goto out;
    began = true;
    rc = staff_shift_current(db, &sh);
    if (rc == POS_OK) {
        rc = pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET,
                               "shift %lld is open: close it first", (long long)sh.id);
        goto out;
    }
    if (rc != POS_ERR_NOT_FOUND)
        goto out;
    rc = rep_scalar(db, "SELECT COUNT(*) FROM sales WHERE status = 'open'", 0, &drafts);
    if (rc == POS_OK && drafts > 0)
        rc = pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET,
                               "%lld draft sale(s) open: pay or cancel them first",
                               (long long)drafts);
    if (rc == POS_OK)
        rc = rep_scalar(db, "SELECT COALESCE(MAX(id), 0) + 1 FROM day_closes", 1, &id);
    if (rc == POS_OK)
        rc = rep_z_period(db, now_ms, &r.sc);
    if (rc != POS_OK)
        goto out;
    rc = rep_build(db, &r, "z", now_ms, &o, d);
    if (rc != POS_OK)
        goto out;
    who = json_pack("{s:I, s:s}", "number", (json_int_t)emp.number, "name", emp.name);
    if (who == NULL || json_object_set_new(o, "id", json_integer(id)) != 0 ||
        json_object_set_new(o, "reprint", json_false()) != 0 ||
        json_object_set_new(o, "closed_by", who) != 0) {
        who = NULL;
        rc = POS_ERR_NOMEM;
        goto out;
    }
    rc = rep_z_write(db, o, id, emp.id, now_ms, &r.sc);
    if (rc == POS_OK)
        rc = store_commit(db);
    if (rc != POS_OK) {
        report__dberr(db, rc, d);
        goto out;
    }
    began = false;
    if (close_id != NULL)
        *close_id = id;
    if (out != NULL) {
        *out = o;
        o = NULL;
    }
out:
    if (began)
        store_rollback(db);
    json_decref(o);
    rep_clear(&r);
    pos_wipe(&emp, sizeof(emp));
    return rc;
}

int report_z_show(struct store *db, int64_t id, json_t **out, struct pos_errdetail *d)
{
    struct store_stmt *st = NULL;
    json_t *o = NULL;
    json_error_t jerr;
    const char *text;
    size_t len = 0;
    int rc;

    if (db == NULL || out == NULL || id < 0)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "bad arguments");
    *out = NULL;
    rc = store_prepare(db,
                       "SELECT report FROM day_closes WHERE id = ? OR (? = 0 AND id ="
                       " (SELECT MAX(id) FROM day_closes))",
                       &st);
    if (rc == POS_OK && (rc = store_bind_int64(st, 1, id)) == POS_OK &&
        (rc = store_bind_int64(st, 2, id)) == POS_OK)
        rc = store_step(st);
    if (rc == STORE_DONE) {
        rc = id == 0 ? pos_errdetail_set(d, POS_ERR_NOT_FOUND, -1, POS_NO_OFFSET,
                                         "no day was closed yet")
                     : pos_errdetail_set(d, POS_ERR_NOT_FOUND, -1, POS_NO_OFFSET,
                                         "no day close %lld", (long long)id);
        goto out;
    }
    if (rc != STORE_ROW) {
        report__dberr(db, rc, d);
        goto out;
    }
    text = store_column_text(st, 0, &len);
    o = text != NULL ? json_loadb(text, len, 0, &jerr) : NULL;
    store_reset(st);
    if (o == NULL || !json_is_object(o)) {
        rc = pos_errdetail_set(d, POS_ERR_DB, -1, POS_NO_OFFSET,
                               "day close %lld: the stored report is not a JSON object",
                               (long long)id);
        goto out;
    }
    if (json_object_set_new(o, "reprint", json_true()) != 0) {
        rc = POS_ERR_NOMEM;
        goto out;
    }
    *out = o;
    o = NULL;
    rc = POS_OK;
out:
    json_decref(o);
    return rc;
}
