/* staff: shifts, opened with a cash float and closed with the counted cash. */
#include <string.h>

#include "money.h"
#include "term/catalog.h"
#include "term/staff.h"
#include "term/tstore.h"

#define STAFF_SHIFT_COLS                                                                           \
    "s.id, e.number, s.status, s.currency, s.float_amount, s.counted_amount,"                      \
    " s.expected_amount, c.number, s.opened_at, s.closed_at"                                       \
    " FROM shifts s JOIN employees e ON e.id = s.employee_id"                                      \
    " LEFT JOIN employees c ON c.id = s.closed_by"

static int staff_shift_read(struct store *db, const char *sql, struct staff_shift *out)
{
    struct store_stmt *st;
    const char *status;
    int rc;

    rc = store_prepare(db, sql, &st);
    rc = rc ? rc : store_step(st);
    if (rc == STORE_DONE)
        return POS_ERR_NOT_FOUND;
    if (rc != STORE_ROW)
        return rc;
    memset(out, 0, sizeof(*out));
    out->id = store_column_int64(st, 0);
    out->employee_number = store_column_int64(st, 1);
    status = store_column_text(st, 2, NULL);
    out->open = status != NULL && strcmp(status, "open") == 0;
    out->currency = (uint16_t)store_column_int64(st, 3);
    out->float_amount = store_column_int64(st, 4);
    out->has_close = !store_column_is_null(st, 5);
    out->counted = store_column_int64(st, 5);
    out->expected = store_column_int64(st, 6);
    out->closed_by = store_column_int64(st, 7);
    out->opened_at = store_column_int64(st, 8);
    out->closed_at = store_column_int64(st, 9);
    store_reset(st);
    return POS_OK;
}

int staff_shift_current(struct store *db, struct staff_shift *out)
{
    return staff_shift_read(db, "SELECT " STAFF_SHIFT_COLS " WHERE s.status = 'open'", out);
}

int staff_shift_last(struct store *db, struct staff_shift *out)
{
    return staff_shift_read(db, "SELECT " STAFF_SHIFT_COLS " ORDER BY s.id DESC LIMIT 1", out);
}

int staff_shift_open(struct store *db, int64_t number, const char *pin, int64_t float_minor,
                     int64_t now_ms, struct staff_shift *out, struct pos_errdetail *d)
{
    struct staff_employee e;
    struct staff_shift cur;
    const struct currency *c;
    struct store_stmt *st;
    int rc;

    if (float_minor < 0 || float_minor > CATALOG_PRICE_MAX)
        return pos_errdetail_set(d, POS_ERR_RANGE, -1, POS_NO_OFFSET,
                                 "float must be 0 to 10^11 minor units");
    rc = tstore_currency(db, &c);
    if (rc != POS_OK)
        return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "setting 'currency' is not valid");
    rc = staff_login(db, number, pin, now_ms, &e, d);
    if (rc != POS_OK)
        return rc;
    rc = store_begin(db);
    if (rc != POS_OK)
        return rc;
    rc = staff_shift_current(db, &cur);
    if (rc == POS_OK) {
        rc = pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET,
                               "shift %lld of employee %lld is still open", (long long)cur.id,
                               (long long)cur.employee_number);
        goto out;
    }
    if (rc != POS_ERR_NOT_FOUND)
        goto out;
    rc = store_prepare(db,
                       "INSERT INTO shifts (employee_id, status, currency, float_amount, opened_at)"
                       " VALUES (?, 'open', ?, ?, ?)",
                       &st);
    rc = rc ? rc : store_bind_int64(st, 1, e.id);
    rc = rc ? rc : store_bind_int64(st, 2, c->numeric);
    rc = rc ? rc : store_bind_int64(st, 3, float_minor);
    rc = rc ? rc : store_bind_int64(st, 4, now_ms);
    rc = rc ? rc : store_step(st);
    if (rc == POS_OK && out != NULL)
        rc = staff_shift_current(db, out);
out:
    if (rc == POS_OK)
        return store_commit(db);
    store_rollback(db);
    return rc;
}

int staff_shift_close(struct store *db, int64_t number, const char *pin, int64_t counted,
                      staff_cash_fn cash, void *cash_arg, int64_t now_ms, struct staff_shift *out,
                      struct pos_errdetail *d)
{
    struct staff_employee e;
    struct staff_shift cur;
    struct store_stmt *st;
    int64_t net = 0, expected;
    int rc;

    if (counted < 0 || counted > CATALOG_PRICE_MAX)
        return pos_errdetail_set(d, POS_ERR_RANGE, -1, POS_NO_OFFSET,
                                 "counted cash must be 0 to 10^11 minor units");
    rc = staff_login(db, number, pin, now_ms, &e, d);
    if (rc != POS_OK)
        return rc;
    rc = store_begin(db);
    if (rc != POS_OK)
        return rc;
    rc = staff_shift_current(db, &cur);
    if (rc == POS_ERR_NOT_FOUND) {
        rc = pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET, "no shift is open");
        goto out;
    }
    if (rc != POS_OK)
        goto out;
    if (cur.employee_number != number && !staff_role_has_right(e.role, STAFF_RIGHT_ADMIN)) {
        rc = pos_errdetail_set(d, POS_ERR_DENIED, -1, POS_NO_OFFSET,
                               "shift %lld was opened by employee %lld: only they or a manager"
                               " may close it",
                               (long long)cur.id, (long long)cur.employee_number);
        goto out;
    }
    if (cash != NULL) {
        rc = cash(cash_arg, db, cur.id, &net);
        if (rc != POS_OK) {
            pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "cannot compute the shift's cash");
            goto out;
        }
    }
    if (net > CATALOG_PRICE_MAX * 1000 || net < -CATALOG_PRICE_MAX * 1000) {
        rc = pos_errdetail_set(d, POS_ERR_RANGE, -1, POS_NO_OFFSET, "net cash out of range");
        goto out;
    }
    expected = cur.float_amount + net;
    rc = store_prepare(db,
                       "UPDATE shifts SET status = 'closed', counted_amount = ?,"
                       " expected_amount = ?, closed_by = ?, closed_at = ? WHERE id = ?",
                       &st);
    rc = rc ? rc : store_bind_int64(st, 1, counted);
    rc = rc ? rc : store_bind_int64(st, 2, expected);
    rc = rc ? rc : store_bind_int64(st, 3, e.id);
    rc = rc ? rc : store_bind_int64(st, 4, now_ms);
    rc = rc ? rc : store_bind_int64(st, 5, cur.id);
    rc = rc ? rc : store_step(st);
    if (rc == POS_OK && out != NULL)
        rc = staff_shift_last(db, out);
out:
    if (rc == POS_OK)
        return store_commit(db);
    store_rollback(db);
    return rc;
}
