/* stock: movements, cached quantities, low stock, the proof. */
#include "term/stock.h"

#include <string.h>

#include "term/catalog.h"
#include "term/tstore.h"

static const char *const stock_kinds[] = {"receive", "adjust", "count", "sale", "return"};

const char *stock_kind_name(enum stock_kind k)
{
    return (unsigned)k < 5 ? stock_kinds[k] : "?";
}

int stock_kind_parse(const char *s, enum stock_kind *out)
{
    unsigned i;

    for (i = 0; s != NULL && i < 5; i++)
        if (strcmp(s, stock_kinds[i]) == 0) {
            *out = (enum stock_kind)i;
            return POS_OK;
        }
    return POS_ERR_INVAL;
}

static int stock_check_req(const struct stock_req *q, struct pos_errdetail *d)
{
    if ((unsigned)q->kind >= 5)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "unknown movement kind");
    if (q->qty > CATALOG_QTY_MAX || q->qty < -CATALOG_QTY_MAX)
        return pos_errdetail_set(d, POS_ERR_RANGE, -1, POS_NO_OFFSET,
                                 "quantity out of range (at most 10^9 units)");
    if ((q->kind == STOCK_RECEIVE || q->kind == STOCK_SALE || q->kind == STOCK_RETURN) &&
        q->qty <= 0)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "%s quantity must be greater than zero", stock_kind_name(q->kind));
    if (q->kind == STOCK_ADJUST && q->qty == 0)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "adjust quantity must not be zero");
    if (q->kind == STOCK_COUNT && q->qty < 0)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "counted quantity must not be negative");
    if (q->kind == STOCK_ADJUST && (q->reason == NULL || q->reason[0] == '\0'))
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "an adjustment needs a reason");
    if ((q->reason != NULL && strnlen(q->reason, STOCK_TEXT_MAX + 1) > STOCK_TEXT_MAX) ||
        (q->ref != NULL && strnlen(q->ref, STOCK_TEXT_MAX + 1) > STOCK_TEXT_MAX))
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "reason and ref: at most %d bytes", STOCK_TEXT_MAX);
    return POS_OK;
}

/* The movement itself, inside the savepoint. */
static int stock_write(struct store *db, const struct stock_req *q, struct stock_result *res,
                       struct pos_errdetail *d)
{
    struct store_stmt *st;
    int64_t cur, delta, after;
    bool neg_ok = false;
    int rc;

    rc = stock_qty(db, q->item_id, &cur);
    if (rc == POS_ERR_NOT_FOUND)
        return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "no such item");
    if (rc != POS_OK)
        return rc;
    switch (q->kind) {
    case STOCK_SALE:
        delta = -q->qty;
        break;
    case STOCK_COUNT:
        delta = q->qty - cur;
        break;
    default:
        delta = q->qty;
        break;
    }
    after = cur + delta; /* |cur|, |delta| <= 2 * 10^12: no overflow */
    if (after > CATALOG_QTY_MAX || after < -CATALOG_QTY_MAX)
        return pos_errdetail_set(d, POS_ERR_RANGE, -1, POS_NO_OFFSET,
                                 "resulting quantity out of range");
    if (after < 0 && delta < 0) {
        rc = tstore_setting_bool(db, "stock.allow_negative", false, &neg_ok);
        if (rc != POS_OK)
            return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET,
                                     "setting stock.allow_negative is not true or false");
        if (!neg_ok || q->kind != STOCK_SALE) {
            char have[CATALOG_QTY_TEXT_MAX], want[CATALOG_QTY_TEXT_MAX];
            catalog_qty_format(cur, have, sizeof(have));
            catalog_qty_format(-delta, want, sizeof(want));
            return pos_errdetail_set(d, POS_ERR_STOCK, -1, POS_NO_OFFSET,
                                     "only %s in stock, %s needed%s", have, want,
                                     q->kind == STOCK_SALE ? " (stock.allow_negative is false)"
                                                           : "");
        }
    }
    rc = store_prepare(db,
                       "INSERT INTO stock_moves (item_id, kind, qty, qty_after, reason, ref,"
                       " employee_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                       &st);
    rc = rc ? rc : store_bind_int64(st, 1, q->item_id);
    rc = rc ? rc : store_bind_text(st, 2, stock_kind_name(q->kind), strlen(stock_kind_name(q->kind)));
    rc = rc ? rc : store_bind_int64(st, 3, delta);
    rc = rc ? rc : store_bind_int64(st, 4, after);
    rc = rc ? rc : store_bind_text(st, 5, q->reason, q->reason ? strlen(q->reason) : 0);
    rc = rc ? rc : store_bind_text(st, 6, q->ref, q->ref ? strlen(q->ref) : 0);
    rc = rc ? rc
            : (q->employee_id > 0 ? store_bind_int64(st, 7, q->employee_id)
                                  : store_bind_null(st, 7));
    rc = rc ? rc : store_bind_int64(st, 8, tstore_now_ms());
    rc = rc ? rc : store_step(st);
    if (rc != STORE_ROW)
        return pos_errdetail_set(d, rc < 0 ? rc : POS_ERR_DB, -1, POS_NO_OFFSET, "stock_moves: %s",
                                 store_error(db)->what);
    if (res != NULL) {
        res->move_id = store_column_int64(st, 0);
        res->delta = delta;
        res->qty_after = after;
    }
    store_reset(st);
    rc = store_prepare(db, "UPDATE items SET qty = ? WHERE id = ?", &st);
    rc = rc ? rc : store_bind_int64(st, 1, after);
    rc = rc ? rc : store_bind_int64(st, 2, q->item_id);
    rc = rc ? rc : store_step(st);
    if (rc != STORE_DONE)
        return pos_errdetail_set(d, rc < 0 ? rc : POS_ERR_DB, -1, POS_NO_OFFSET, "items: %s",
                                 store_error(db)->what);
    return POS_OK;
}

int stock_move(struct store *db, const struct stock_req *req, struct stock_result *res,
               struct pos_errdetail *d)
{
    int rc, rc2;

    if (!store_is_in_transaction(db))
        return pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET,
                                 "stock_move needs an open transaction");
    rc = stock_check_req(req, d);
    if (rc != POS_OK)
        return rc;
    rc = store_savepoint(db, "stock_move");
    if (rc != POS_OK)
        return rc;
    rc = stock_write(db, req, res, d);
    if (rc != POS_OK)
        store_rollback_to(db, "stock_move");
    rc2 = store_release(db, "stock_move");
    return rc != POS_OK ? rc : rc2;
}

int stock_apply(struct store *db, const struct stock_req *req, struct stock_result *res,
                struct pos_errdetail *d)
{
    int rc;

    if (store_is_in_transaction(db))
        return pos_errdetail_set(d, POS_ERR_STATE, -1, POS_NO_OFFSET,
                                 "stock_apply runs its own transaction");
    rc = store_begin(db);
    if (rc != POS_OK)
        return rc;
    rc = stock_move(db, req, res, d);
    if (rc == POS_OK)
        return store_commit(db);
    store_rollback(db);
    return rc;
}

int stock_qty(struct store *db, int64_t item_id, int64_t *qty)
{
    struct store_stmt *st;
    int rc;

    rc = store_prepare(db, "SELECT qty FROM items WHERE id = ?", &st);
    rc = rc ? rc : store_bind_int64(st, 1, item_id);
    rc = rc ? rc : store_step(st);
    if (rc == STORE_DONE)
        return POS_ERR_NOT_FOUND;
    if (rc != STORE_ROW)
        return rc;
    *qty = store_column_int64(st, 0);
    store_reset(st);
    return POS_OK;
}

static void stock_copy(char *dst, size_t cap, const char *src)
{
    size_t n = src != NULL ? strnlen(src, cap - 1) : 0;

    if (n > 0)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

int stock_history(struct store *db, int64_t item_id, size_t limit,
                  int (*fn)(void *arg, const struct stock_movement *m), void *arg)
{
    struct stock_movement m;
    struct store_stmt *st;
    int rc;

    rc = store_prepare(db,
                       "SELECT id, kind, qty, qty_after, reason, ref, employee_id, created_at"
                       " FROM stock_moves WHERE item_id = ? ORDER BY id DESC LIMIT ?",
                       &st);
    rc = rc ? rc : store_bind_int64(st, 1, item_id);
    rc = rc ? rc : store_bind_int64(st, 2, limit == 0 ? INT64_MAX : (int64_t)limit);
    if (rc != POS_OK)
        return rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        memset(&m, 0, sizeof(m));
        m.id = store_column_int64(st, 0);
        if (stock_kind_parse(store_column_text(st, 1, NULL), &m.kind) != POS_OK)
            m.kind = STOCK_ADJUST;
        m.qty = store_column_int64(st, 2);
        m.qty_after = store_column_int64(st, 3);
        stock_copy(m.reason, sizeof(m.reason), store_column_text(st, 4, NULL));
        stock_copy(m.ref, sizeof(m.ref), store_column_text(st, 5, NULL));
        m.employee_id = store_column_is_null(st, 6) ? 0 : store_column_int64(st, 6);
        m.created_at = store_column_int64(st, 7);
        rc = fn(arg, &m);
        if (rc != POS_OK) {
            store_reset(st);
            return rc;
        }
    }
    return rc == STORE_DONE ? POS_OK : rc;
}

int stock_low(struct store *db, int (*fn)(void *arg, const struct stock_low_item *it), void *arg)
{
    struct stock_low_item it;
    struct store_stmt *st;
    int rc;

    rc = store_prepare(db,
                       "SELECT id, sku, name, qty, reorder_level FROM items"
                       " WHERE active = 1 AND reorder_level > 0 AND qty <= reorder_level"
                       " ORDER BY qty - reorder_level, sku",
                       &st);
    if (rc != POS_OK)
        return rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        it.item_id = store_column_int64(st, 0);
        it.sku = store_column_text(st, 1, NULL);
        it.name = store_column_text(st, 2, NULL);
        it.qty = store_column_int64(st, 3);
        it.reorder_level = store_column_int64(st, 4);
        rc = fn(arg, &it);
        if (rc != POS_OK) {
            store_reset(st);
            return rc;
        }
    }
    return rc == STORE_DONE ? POS_OK : rc;
}

static int stock_count(struct store *db, const char *sql, int64_t *n, int64_t *first)
{
    struct store_stmt *st;
    int rc;

    rc = store_prepare(db, sql, &st);
    rc = rc ? rc : store_step(st);
    if (rc != STORE_ROW)
        return rc < 0 ? rc : POS_ERR_DB;
    *n = store_column_int64(st, 0);
    if (first != NULL)
        *first = store_column_is_null(st, 1) ? 0 : store_column_int64(st, 1);
    store_reset(st);
    return POS_OK;
}

int stock_check(struct store *db, struct stock_check_report *r)
{
    int rc;

    memset(r, 0, sizeof(*r));
    rc = stock_count(db, "SELECT COUNT(*) FROM items", &r->items, NULL);
    rc = rc ? rc : stock_count(db, "SELECT COUNT(*) FROM stock_moves", &r->moves, NULL);
    rc = rc ? rc
            : stock_count(db,
                          "SELECT COUNT(*), MIN(i.id) FROM items i WHERE i.qty <>"
                          " (SELECT COALESCE(SUM(m.qty), 0) FROM stock_moves m"
                          "  WHERE m.item_id = i.id)",
                          &r->mismatches, &r->first_item);
    rc = rc ? rc
            : stock_count(db,
                          "SELECT COUNT(*) FROM (SELECT qty_after, SUM(qty) OVER"
                          " (PARTITION BY item_id ORDER BY id) AS running FROM stock_moves) u"
                          " WHERE qty_after <> running",
                          &r->chain_breaks, NULL);
    return rc;
}
