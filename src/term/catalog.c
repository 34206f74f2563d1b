/* catalog: items, barcodes and lookups (CSV is in catalog_csv.c). */
#include "term/catalog.h"

#include <string.h>

#include "term/barcode.h"
#include "term/catalog_int.h"
#include "term/tstore.h"

#define CATALOG_COLS                                                                               \
    "id, sku, name, price, currency, tax_bps, category, unit, plu, reorder_level, qty, active"

void catalog_item_init(struct catalog_item *it)
{
    memset(it, 0, sizeof(*it));
    memcpy(it->unit, "ea", 3);
    it->active = true;
}

int catalog_item_add_barcode(struct catalog_item *it, const char *code, size_t len)
{
    size_t i;

    if (len == 0 || len > CATALOG_BARCODE_MAX)
        return POS_ERR_LENGTH;
    for (i = 0; i < it->n_barcodes; i++)
        if (strlen(it->barcodes[i]) == len && memcmp(it->barcodes[i], code, len) == 0)
            return POS_OK;
    if (it->n_barcodes >= CATALOG_BARCODES_MAX)
        return POS_ERR_NOSPACE;
    memcpy(it->barcodes[it->n_barcodes], code, len);
    it->barcodes[it->n_barcodes][len] = '\0';
    it->n_barcodes++;
    return POS_OK;
}

static bool catalog_text_ok(const char *s, size_t max, bool empty_ok)
{
    size_t i, n = strnlen(s, max + 1);

    if (n > max || (n == 0 && !empty_ok))
        return false;
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

static int catalog_barcode_check(const char *code, struct pos_errdetail *d)
{
    size_t i, n = strnlen(code, CATALOG_BARCODE_MAX + 1);
    int rc;

    if (n == 0 || n > CATALOG_BARCODE_MAX)
        return pos_errdetail_set(d, POS_ERR_LENGTH, -1, POS_NO_OFFSET,
                                 "barcode: 1 to %d characters", CATALOG_BARCODE_MAX);
    for (i = 0; i < n; i++) {
        char c = code[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              c == '-'))
            return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                     "barcode '%s': only digits, letters and '-'", code);
    }
    if (barcode_is_gtin(code, n)) {
        rc = barcode_validate(code, n);
        if (rc != POS_OK)
            return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET,
                                     "barcode '%s': wrong GS1 check digit", code);
    }
    if (barcode_is_embedded(code, n))
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "barcode '%s': 21/22 codes are weight/price labels (set --plu)",
                                 code);
    return POS_OK;
}

int catalog_item_validate(const struct catalog_item *it, struct pos_errdetail *d)
{
    size_t i, n;
    int rc;

    n = strnlen(it->sku, CATALOG_SKU_MAX + 1);
    if (n == 0 || n > CATALOG_SKU_MAX)
        return pos_errdetail_set(d, POS_ERR_LENGTH, -1, POS_NO_OFFSET, "sku: 1 to %d characters",
                                 CATALOG_SKU_MAX);
    for (i = 0; i < n; i++)
        if (it->sku[i] <= ' ' || it->sku[i] > '~' || it->sku[i] == ',' || it->sku[i] == '"')
            return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                     "sku: printable ASCII without spaces, commas or quotes");
    if (!catalog_text_ok(it->name, CATALOG_NAME_MAX, false))
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "name: 1 to %d bytes, no control characters", CATALOG_NAME_MAX);
    if (it->price < 0 || it->price > CATALOG_PRICE_MAX)
        return pos_errdetail_set(d, POS_ERR_RANGE, -1, POS_NO_OFFSET,
                                 "price: must be 0 to 10^11 minor units");
    if (it->tax_bps > 10000)
        return pos_errdetail_set(d, POS_ERR_RANGE, -1, POS_NO_OFFSET,
                                 "tax_bps: must be 0 to 10000");
    if (!catalog_text_ok(it->category, CATALOG_CATEGORY_MAX, true))
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "category: at most %d bytes, no control characters",
                                 CATALOG_CATEGORY_MAX);
    n = strnlen(it->unit, CATALOG_UNIT_MAX + 1);
    if (n == 0 || n > CATALOG_UNIT_MAX)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "unit: 1 to %d lower-case letters", CATALOG_UNIT_MAX);
    for (i = 0; i < n; i++)
        if (it->unit[i] < 'a' || it->unit[i] > 'z')
            return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                     "unit: 1 to %d lower-case letters", CATALOG_UNIT_MAX);
    if (it->plu < 0 || it->plu > BARCODE_ITEM_CODE_MAX)
        return pos_errdetail_set(d, POS_ERR_RANGE, -1, POS_NO_OFFSET, "plu: must be 1 to 99999");
    if (it->reorder_level < 0 || it->reorder_level > CATALOG_QTY_MAX)
        return pos_errdetail_set(d, POS_ERR_RANGE, -1, POS_NO_OFFSET,
                                 "reorder_level: must be 0 to 10^9");
    if (it->n_barcodes > CATALOG_BARCODES_MAX)
        return pos_errdetail_set(d, POS_ERR_RANGE, -1, POS_NO_OFFSET, "at most %d barcodes",
                                 CATALOG_BARCODES_MAX);
    for (i = 0; i < it->n_barcodes; i++) {
        rc = catalog_barcode_check(it->barcodes[i], d);
        if (rc != POS_OK)
            return rc;
    }
    return POS_OK;
}

/* The name folded for the case-insensitive index: ASCII A-Z to a-z, other
 * bytes (UTF-8 of Chinese names) as they are. */
static void catalog_name_key(const char *name, char *out, size_t cap)
{
    size_t i;

    for (i = 0; name[i] != '\0' && i + 1 < cap; i++)
        out[i] = (name[i] >= 'A' && name[i] <= 'Z') ? (char)(name[i] - 'A' + 'a') : name[i];
    out[i] = '\0';
}

int catalog__begin(struct store *db, bool *own)
{
    *own = !store_is_in_transaction(db);
    return *own ? store_begin(db) : store_savepoint(db, "catalog");
}

int catalog__end(struct store *db, bool own, int rc)
{
    int rc2;

    if (own) {
        if (rc == POS_OK)
            return store_commit(db);
        store_rollback(db);
        return rc;
    }
    if (rc != POS_OK)
        store_rollback_to(db, "catalog");
    rc2 = store_release(db, "catalog");
    return rc != POS_OK ? rc : rc2;
}

static int catalog_bind_text(struct store_stmt *st, int idx, const char *s)
{
    return store_bind_text(st, idx, s, strlen(s));
}

/* Explains a constraint failure of the items row. */
static int catalog_constraint(struct store *db, const struct catalog_item *it, int rc,
                              struct pos_errdetail *d)
{
    if (rc != POS_ERR_CONSTRAINT)
        return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "%s", store_error(db)->what);
    if (strstr(store_error(db)->what, "plu") != NULL)
        return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "plu %lld already belongs to another item",
                                 (long long)it->plu);
    if (strstr(store_error(db)->what, "sku") != NULL)
        return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "sku '%s' already exists", it->sku);
    return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "%s", store_error(db)->what);
}

static int catalog_write_row(struct store *db, const struct catalog_item *it, int64_t id,
                             bool upsert, uint16_t currency, int64_t *id_out,
                             struct pos_errdetail *d)
{
    static const char ins[] =
        "INSERT INTO items (sku, name, name_key, price, currency, tax_bps, category, unit, plu,"
        " reorder_level, active, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
    static const char ups[] =
        "INSERT INTO items (sku, name, name_key, price, currency, tax_bps, category, unit, plu,"
        " reorder_level, active, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (sku) DO UPDATE SET name = excluded.name, name_key = excluded.name_key,"
        " price = excluded.price, currency = excluded.currency, tax_bps = excluded.tax_bps,"
        " category = excluded.category, unit = excluded.unit, plu = excluded.plu,"
        " reorder_level = excluded.reorder_level, active = excluded.active,"
        " updated_at = excluded.updated_at RETURNING id";
    static const char upd[] =
        "UPDATE items SET sku = ?, name = ?, name_key = ?, price = ?, currency = ?, tax_bps = ?,"
        " category = ?, unit = ?, plu = ?, reorder_level = ?, active = ?, updated_at = ?"
        " WHERE id = ? RETURNING id";
    char key[CATALOG_NAME_MAX + 1];
    struct store_stmt *st;
    int64_t now = tstore_now_ms();
    int rc, i = 1;

    catalog_name_key(it->name, key, sizeof(key));
    rc = store_prepare(db, id != 0 ? upd : (upsert ? ups : ins), &st);
    if (rc != POS_OK)
        return catalog_constraint(db, it, rc, d);
    rc = catalog_bind_text(st, i++, it->sku);
    rc = rc ? rc : catalog_bind_text(st, i++, it->name);
    rc = rc ? rc : catalog_bind_text(st, i++, key);
    rc = rc ? rc : store_bind_int64(st, i++, it->price);
    rc = rc ? rc : store_bind_int64(st, i++, currency);
    rc = rc ? rc : store_bind_int64(st, i++, it->tax_bps);
    rc = rc ? rc : catalog_bind_text(st, i++, it->category);
    rc = rc ? rc : catalog_bind_text(st, i++, it->unit);
    rc = rc ? rc : (it->plu != 0 ? store_bind_int64(st, i, it->plu) : store_bind_null(st, i));
    i++;
    rc = rc ? rc : store_bind_int64(st, i++, it->reorder_level);
    rc = rc ? rc : store_bind_int64(st, i++, it->active ? 1 : 0);
    if (id == 0)
        rc = rc ? rc : store_bind_int64(st, i++, now);
    rc = rc ? rc : store_bind_int64(st, i++, now);
    if (id != 0)
        rc = rc ? rc : store_bind_int64(st, i++, id);
    rc = rc ? rc : store_step(st);
    if (rc == STORE_ROW) {
        *id_out = store_column_int64(st, 0);
        store_reset(st);
        return POS_OK;
    }
    if (rc == STORE_DONE)
        return pos_errdetail_set(d, POS_ERR_NOT_FOUND, -1, POS_NO_OFFSET, "no such item");
    return catalog_constraint(db, it, rc, d);
}

static int catalog_write_barcodes(struct store *db, const struct catalog_item *it, int64_t id,
                                  struct pos_errdetail *d)
{
    struct store_stmt *st;
    size_t i;
    int rc;

    rc = store_prepare(db, "DELETE FROM barcodes WHERE item_id = ?", &st);
    rc = rc ? rc : store_bind_int64(st, 1, id);
    rc = rc ? rc : store_step(st);
    if (rc != STORE_DONE)
        return pos_errdetail_set(d, rc < 0 ? rc : POS_ERR_DB, -1, POS_NO_OFFSET, "barcodes: %s",
                                 store_error(db)->what);
    for (i = 0; i < it->n_barcodes; i++) {
        rc = store_prepare(db, "INSERT INTO barcodes (code, item_id) VALUES (?, ?)", &st);
        rc = rc ? rc : catalog_bind_text(st, 1, it->barcodes[i]);
        rc = rc ? rc : store_bind_int64(st, 2, id);
        rc = rc ? rc : store_step(st);
        if (rc == POS_ERR_CONSTRAINT)
            return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET,
                                     "barcode '%s' already belongs to another item",
                                     it->barcodes[i]);
        if (rc != STORE_DONE)
            return pos_errdetail_set(d, rc < 0 ? rc : POS_ERR_DB, -1, POS_NO_OFFSET,
                                     "barcodes: %s", store_error(db)->what);
    }
    return POS_OK;
}

int catalog__write(struct store *db, const struct catalog_item *it, int64_t id, bool upsert,
                   uint16_t currency, int64_t *id_out, struct pos_errdetail *d)
{
    int rc;

    rc = catalog_item_validate(it, d);
    if (rc != POS_OK)
        return rc;
    rc = catalog_write_row(db, it, id, upsert, currency, id_out, d);
    if (rc != POS_OK)
        return rc;
    return catalog_write_barcodes(db, it, *id_out, d);
}

int catalog_add(struct store *db, const struct catalog_item *it, int64_t *id,
                struct pos_errdetail *d)
{
    const struct currency *cur;
    int64_t newid = 0;
    bool own = false;
    int rc;

    rc = catalog_item_validate(it, d);
    if (rc != POS_OK)
        return rc;
    rc = tstore_currency(db, &cur);
    if (rc != POS_OK)
        return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "setting 'currency' is not valid");
    rc = catalog__begin(db, &own);
    if (rc != POS_OK)
        return rc;
    rc = catalog__write(db, it, 0, false, cur->numeric, &newid, d);
    rc = catalog__end(db, own, rc);
    if (rc == POS_OK && id != NULL)
        *id = newid;
    return rc;
}

int catalog_edit(struct store *db, const char *sku, const struct catalog_item *it,
                 struct pos_errdetail *d)
{
    struct catalog_item old;
    const struct currency *cur;
    int64_t id = 0;
    bool own = false;
    int rc;

    rc = catalog_item_validate(it, d);
    if (rc != POS_OK)
        return rc;
    rc = tstore_currency(db, &cur);
    if (rc != POS_OK)
        return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "setting 'currency' is not valid");
    rc = catalog__begin(db, &own);
    if (rc != POS_OK)
        return rc;
    rc = catalog_get(db, sku, &old);
    if (rc == POS_ERR_NOT_FOUND)
        pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "no item with sku '%s'", sku);
    if (rc == POS_OK)
        rc = catalog__write(db, it, old.id, false, cur->numeric, &id, d);
    return catalog__end(db, own, rc);
}

static void catalog_copy(char *dst, size_t cap, const char *src)
{
    size_t n = src != NULL ? strnlen(src, cap - 1) : 0;

    if (n > 0)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Reads the CATALOG_COLS of the current row of st into *out (not barcodes). */
static void catalog_row(struct store_stmt *st, struct catalog_item *out)
{
    memset(out, 0, sizeof(*out));
    out->id = store_column_int64(st, 0);
    catalog_copy(out->sku, sizeof(out->sku), store_column_text(st, 1, NULL));
    catalog_copy(out->name, sizeof(out->name), store_column_text(st, 2, NULL));
    out->price = store_column_int64(st, 3);
    out->currency = (uint16_t)store_column_int64(st, 4);
    out->tax_bps = (uint32_t)store_column_int64(st, 5);
    catalog_copy(out->category, sizeof(out->category), store_column_text(st, 6, NULL));
    catalog_copy(out->unit, sizeof(out->unit), store_column_text(st, 7, NULL));
    out->plu = store_column_is_null(st, 8) ? 0 : store_column_int64(st, 8);
    out->reorder_level = store_column_int64(st, 9);
    out->qty = store_column_int64(st, 10);
    out->active = store_column_int64(st, 11) != 0;
}

static int catalog_load_barcodes(struct store *db, struct catalog_item *it)
{
    struct store_stmt *st;
    const char *code;
    size_t len;
    int rc;

    it->n_barcodes = 0;
    rc = store_prepare(db, "SELECT code FROM barcodes WHERE item_id = ? ORDER BY code", &st);
    rc = rc ? rc : store_bind_int64(st, 1, it->id);
    while (rc == POS_OK && (rc = store_step(st)) == STORE_ROW) {
        code = store_column_text(st, 0, &len);
        if (code != NULL && catalog_item_add_barcode(it, code, len) == POS_ERR_NOSPACE)
            break;
        rc = POS_OK;
    }
    if (rc == STORE_ROW)
        store_reset(st);
    return rc == STORE_ROW || rc == STORE_DONE ? POS_OK : rc;
}

/* Runs sql (binding one int64 or one text) expecting at most one row. */
static int catalog_get_one(struct store *db, const char *sql, const char *text, int64_t v,
                           struct catalog_item *out)
{
    struct store_stmt *st;
    int rc;

    rc = store_prepare(db, sql, &st);
    if (rc != POS_OK)
        return rc;
    rc = text != NULL ? catalog_bind_text(st, 1, text) : store_bind_int64(st, 1, v);
    rc = rc ? rc : store_step(st);
    if (rc == STORE_DONE)
        return POS_ERR_NOT_FOUND;
    if (rc != STORE_ROW)
        return rc;
    catalog_row(st, out);
    store_reset(st);
    return catalog_load_barcodes(db, out);
}

int catalog_get(struct store *db, const char *sku, struct catalog_item *out)
{
    if (sku == NULL)
        return POS_ERR_INVAL;
    return catalog_get_one(db, "SELECT " CATALOG_COLS " FROM items WHERE sku = ?", sku, 0, out);
}

int catalog_get_by_id(struct store *db, int64_t id, struct catalog_item *out)
{
    return catalog_get_one(db, "SELECT " CATALOG_COLS " FROM items WHERE id = ?", NULL, id, out);
}

int catalog_find_by_barcode(struct store *db, const char *code, struct catalog_item *out)
{
    if (code == NULL)
        return POS_ERR_INVAL;
    return catalog_get_one(db,
                           "SELECT " CATALOG_COLS " FROM items WHERE id ="
                           " (SELECT item_id FROM barcodes WHERE code = ?)",
                           code, 0, out);
}

int catalog_find_by_plu(struct store *db, int64_t plu, struct catalog_item *out)
{
    if (plu <= 0 || plu > BARCODE_ITEM_CODE_MAX)
        return POS_ERR_RANGE;
    return catalog_get_one(db, "SELECT " CATALOG_COLS " FROM items WHERE plu = ?", NULL, plu, out);
}

int catalog_scan(struct store *db, const char *code, struct catalog_item *out,
                 struct catalog_scan *scan)
{
    struct barcode_embedded e;
    int rc;

    if (code == NULL)
        return POS_ERR_INVAL;
    rc = catalog_find_by_barcode(db, code, out);
    if (rc == POS_OK) {
        scan->embedded = false;
        scan->qty = 1000;
        scan->price = out->price;
        return POS_OK;
    }
    if (rc != POS_ERR_NOT_FOUND || !barcode_is_embedded(code, strlen(code)))
        return rc;
    rc = barcode_embedded_decode(code, strlen(code), &e);
    if (rc == POS_ERR_RANGE)
        return POS_ERR_NOT_FOUND;
    if (rc != POS_OK)
        return rc;
    rc = catalog_find_by_plu(db, e.item_code, out);
    if (rc != POS_OK)
        return rc;
    scan->embedded = true;
    if (e.kind == BARCODE_EMBEDDED_WEIGHT) {
        scan->qty = e.value;
        scan->price = out->price; /* per kg: the sale multiplies */
    } else {
        scan->qty = 1000;
        scan->price = e.value;
    }
    return POS_OK;
}

/* Steps a listing statement, calling fn per row. */
static int catalog_each(struct store *db, struct store_stmt *st, size_t limit, catalog_item_fn fn,
                        void *arg)
{
    struct catalog_item it;
    size_t n = 0;
    int rc;

    while ((rc = store_step(st)) == STORE_ROW) {
        catalog_row(st, &it);
        rc = catalog_load_barcodes(db, &it);
        if (rc == POS_OK)
            rc = fn(arg, &it);
        if (rc != POS_OK || (limit != 0 && ++n >= limit)) {
            store_reset(st);
            return rc;
        }
    }
    return rc == STORE_DONE ? POS_OK : rc;
}

int catalog_find_by_name_prefix(struct store *db, const char *prefix, size_t limit,
                                catalog_item_fn fn, void *arg)
{
    char lo[CATALOG_NAME_MAX + 1], hi[CATALOG_NAME_MAX + 1];
    struct store_stmt *st;
    size_t n;
    int rc;

    if (prefix == NULL || strnlen(prefix, CATALOG_NAME_MAX + 1) > CATALOG_NAME_MAX)
        return POS_ERR_INVAL;
    catalog_name_key(prefix, lo, sizeof(lo));
    n = strlen(lo);
    if (n == 0)
        return catalog_list(db, NULL, false, fn, arg);
    /* The keys starting with lo are exactly those in [lo, hi) where hi is lo
     * with its last byte below 0xFF incremented (and what follows dropped);
     * a prefix of only 0xFF bytes has no upper bound. */
    memcpy(hi, lo, n + 1);
    while (n > 0 && (unsigned char)hi[n - 1] == 0xFF)
        hi[--n] = '\0';
    if (n > 0) {
        hi[n - 1] = (char)((unsigned char)hi[n - 1] + 1);
        rc = store_prepare(db,
                           "SELECT " CATALOG_COLS " FROM items WHERE name_key >= ? AND name_key < ?"
                           " AND active = 1 ORDER BY name_key, sku",
                           &st);
        rc = rc ? rc : catalog_bind_text(st, 2, hi);
    } else {
        rc = store_prepare(db,
                           "SELECT " CATALOG_COLS " FROM items WHERE name_key >= ?"
                           " AND active = 1 ORDER BY name_key, sku",
                           &st);
    }
    rc = rc ? rc : catalog_bind_text(st, 1, lo);
    return rc ? rc : catalog_each(db, st, limit, fn, arg);
}

int catalog_list(struct store *db, const char *category, bool all, catalog_item_fn fn, void *arg)
{
    struct store_stmt *st;
    int rc;

    if (category != NULL) {
        rc = store_prepare(db,
                           "SELECT " CATALOG_COLS " FROM items WHERE category = ?"
                           " AND (active = 1 OR ? = 1) ORDER BY sku",
                           &st);
        rc = rc ? rc : catalog_bind_text(st, 1, category);
        rc = rc ? rc : store_bind_int64(st, 2, all ? 1 : 0);
    } else {
        rc = store_prepare(db,
                           "SELECT " CATALOG_COLS " FROM items WHERE active = 1 OR ? = 1"
                           " ORDER BY sku",
                           &st);
        rc = rc ? rc : store_bind_int64(st, 1, all ? 1 : 0);
    }
    return rc ? rc : catalog_each(db, st, 0, fn, arg);
}

int catalog_deactivate(struct store *db, const char *sku)
{
    struct store_stmt *st;
    int rc;

    if (sku == NULL)
        return POS_ERR_INVAL;
    rc = store_prepare(db, "UPDATE items SET active = 0, updated_at = ? WHERE sku = ?", &st);
    rc = rc ? rc : store_bind_int64(st, 1, tstore_now_ms());
    rc = rc ? rc : catalog_bind_text(st, 2, sku);
    rc = rc ? rc : store_step(st);
    if (rc != STORE_DONE)
        return rc < 0 ? rc : POS_ERR_DB;
    return store_changes(db) == 1 ? POS_OK : POS_ERR_NOT_FOUND;
}

int catalog_qty_parse(const char *s, size_t len, int64_t *milli)
{
    int64_t whole = 0, frac = 0;
    size_t i = 0, nw = 0, nf = 0;
    bool neg = false, point = false;

    if (len > 0 && s[0] == '-') {
        neg = true;
        i = 1;
    }
    for (; i < len; i++) {
        char c = s[i];
        if (c == '.' && !point) {
            point = true;
            continue;
        }
        if (c < '0' || c > '9')
            return POS_ERR_SYNTAX;
        if (point) {
            if (++nf > 3)
                return POS_ERR_RANGE;
            frac = frac * 10 + (c - '0');
        } else {
            if (whole > CATALOG_QTY_MAX / 1000)
                return POS_ERR_RANGE;
            whole = whole * 10 + (c - '0');
            nw++;
        }
    }
    if (nw == 0 || (point && nf == 0))
        return POS_ERR_SYNTAX;
    while (nf++ < 3)
        frac *= 10;
    if (whole > CATALOG_QTY_MAX / 1000 || whole * 1000 + frac > CATALOG_QTY_MAX)
        return POS_ERR_RANGE;
    *milli = neg ? -(whole * 1000 + frac) : whole * 1000 + frac;
    return POS_OK;
}

int catalog_qty_format(int64_t milli, char *out, size_t cap)
{
    uint64_t a = milli < 0 ? (uint64_t)0 - (uint64_t)milli : (uint64_t)milli;
    unsigned frac = (unsigned)(a % 1000);
    int n;

    if (frac == 0)
        n = snprintf(out, cap, "%s%llu", milli < 0 ? "-" : "", (unsigned long long)(a / 1000));
    else if (frac % 100 == 0)
        n = snprintf(out, cap, "%s%llu.%u", milli < 0 ? "-" : "", (unsigned long long)(a / 1000),
                     frac / 100);
    else if (frac % 10 == 0)
        n = snprintf(out, cap, "%s%llu.%02u", milli < 0 ? "-" : "",
                     (unsigned long long)(a / 1000), frac / 10);
    else
        n = snprintf(out, cap, "%s%llu.%03u", milli < 0 ? "-" : "",
                     (unsigned long long)(a / 1000), frac);
    return n < 0 || (size_t)n >= cap ? POS_ERR_NOSPACE : POS_OK;
}
