/* tschema: the terminal's tables (see tschema.h for the conventions). */
#include "term/tschema.h"

/* Version 1: settings, the catalog, stock, staff and shifts. */
static const char *const tschema_v1[] = {
    /* Terminal settings: stock.allow_negative ("true"/"false"), currency
     * (ISO 4217 alpha, default CNY), tax.included, staff.pin_iterations ... */
    "CREATE TABLE settings ("
    " key TEXT PRIMARY KEY,"
    " value TEXT NOT NULL,"
    " updated_at INTEGER NOT NULL)",

    /* The catalog. name_key is the name with ASCII letters folded to lower
     * case: the case-insensitive prefix search is a range scan on its
     * index. plu is the 5-digit item code of weight- and price-embedded
     * EAN-13 barcodes (barcode.h). qty is a cache of the sum of the item's
     * stock_moves (stock_check proves it); reorder_level 0 = none. */
    "CREATE TABLE items ("
    " id INTEGER PRIMARY KEY,"
    " sku TEXT NOT NULL UNIQUE,"
    " name TEXT NOT NULL,"
    " name_key TEXT NOT NULL,"
    " price INTEGER NOT NULL CHECK (price >= 0),"
    " currency INTEGER NOT NULL CHECK (currency > 0 AND currency < 1000),"
    " tax_bps INTEGER NOT NULL DEFAULT 0 CHECK (tax_bps >= 0 AND tax_bps <= 10000),"
    " category TEXT NOT NULL DEFAULT '',"
    " unit TEXT NOT NULL DEFAULT 'ea',"
    " plu INTEGER UNIQUE CHECK (plu IS NULL OR (plu > 0 AND plu <= 99999)),"
    " reorder_level INTEGER NOT NULL DEFAULT 0 CHECK (reorder_level >= 0),"
    " qty INTEGER NOT NULL DEFAULT 0,"
    " active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL)",
    "CREATE INDEX items_name_key ON items (name_key)",
    "CREATE INDEX items_category ON items (category, sku)",

    /* Barcodes: each belongs to one item; an item has any number. */
    "CREATE TABLE barcodes ("
    " code TEXT PRIMARY KEY,"
    " item_id INTEGER NOT NULL REFERENCES items(id))",
    "CREATE INDEX barcodes_item ON barcodes (item_id)",

    /* Staff. The PIN only as PBKDF2-HMAC-SHA256(pin, pin_salt, pin_iter).
     * locked_until: Unix ms until which logins are refused (0 = not). */
    "CREATE TABLE employees ("
    " id INTEGER PRIMARY KEY,"
    " number INTEGER NOT NULL UNIQUE CHECK (number > 0),"
    " name TEXT NOT NULL,"
    " role TEXT NOT NULL CHECK (role IN ('cashier','supervisor','manager')),"
    " active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
    " pin_salt BLOB NOT NULL,"
    " pin_hash BLOB NOT NULL,"
    " pin_iter INTEGER NOT NULL CHECK (pin_iter > 0),"
    " failed_logins INTEGER NOT NULL DEFAULT 0,"
    " locked_until INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL)",

    /* Every stock change. qty is the signed change in milli-units;
     * qty_after the item's quantity after it. */
    "CREATE TABLE stock_moves ("
    " id INTEGER PRIMARY KEY,"
    " item_id INTEGER NOT NULL REFERENCES items(id),"
    " kind TEXT NOT NULL CHECK (kind IN ('receive','adjust','count','sale','return')),"
    " qty INTEGER NOT NULL,"
    " qty_after INTEGER NOT NULL,"
    " reason TEXT NOT NULL DEFAULT '',"
    " ref TEXT NOT NULL DEFAULT '',"
    " employee_id INTEGER REFERENCES employees(id),"
    " created_at INTEGER NOT NULL)",
    "CREATE INDEX stock_moves_item ON stock_moves (item_id, id)",

    /* Shifts: at most one open at a time (the partial unique index).
     * expected is float + the shift's net cash, filled at close. */
    "CREATE TABLE shifts ("
    " id INTEGER PRIMARY KEY,"
    " employee_id INTEGER NOT NULL REFERENCES employees(id),"
    " status TEXT NOT NULL CHECK (status IN ('open','closed')),"
    " currency INTEGER NOT NULL,"
    " float_amount INTEGER NOT NULL CHECK (float_amount >= 0),"
    " counted_amount INTEGER,"
    " expected_amount INTEGER,"
    " closed_by INTEGER REFERENCES employees(id),"
    " opened_at INTEGER NOT NULL,"
    " closed_at INTEGER)",
    "CREATE UNIQUE INDEX shifts_one_open ON shifts (status) WHERE status = 'open'",
    NULL,
};

static const struct store_migration tschema_list[] = {
    {1, "terminal: settings, catalog, stock, staff, shifts", tschema_v1},
    {2, "terminal: sales, lines, discounts, tenders", tschema_v2},
    {3, "terminal: identity, keys, payment journal, pending reversals, store-and-forward",
     tschema_v3},
    {4, "terminal: voids, refunds, card tenders, receipt prints, day closes", tschema_v4},
    /* append later versions here */
};

const struct store_migration *tschema_migrations(size_t *n)
{
    *n = sizeof(tschema_list) / sizeof(tschema_list[0]);
    return tschema_list;
}
