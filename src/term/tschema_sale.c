/* tschema_sale: terminal schema version 2, the sales (owned by sale.c;
 * docs/sales.md). Conventions of tschema.h: money in minor units with the
 * ISO 4217 numeric currency, quantities in milli-units, rates in bps. */
#include "term/tschema.h"

const char *const tschema_v2[] = {
    /* A sale. 'open' is a draft (not a sale: reports ignore it); 'paid' is
     * complete (lines, discounts, tenders and stock moves written in the
     * same transaction); 'cancelled' is a dropped draft. The totals are
     * those of the last computation (sale.h) and are frozen once paid. */
    "CREATE TABLE sales ("
    " id INTEGER PRIMARY KEY,"
    " status TEXT NOT NULL CHECK (status IN ('open','paid','cancelled')),"
    " employee_id INTEGER NOT NULL REFERENCES employees(id),"
    " shift_id INTEGER NOT NULL REFERENCES shifts(id),"
    " currency INTEGER NOT NULL CHECK (currency > 0 AND currency < 1000),"
    " tax_included INTEGER NOT NULL CHECK (tax_included IN (0, 1)),"
    " subtotal INTEGER NOT NULL DEFAULT 0,"
    " promo_total INTEGER NOT NULL DEFAULT 0,"
    " discount_total INTEGER NOT NULL DEFAULT 0,"
    " tax_total INTEGER NOT NULL DEFAULT 0,"
    " total INTEGER NOT NULL DEFAULT 0,"
    " paid INTEGER NOT NULL DEFAULT 0,"
    " change_amount INTEGER NOT NULL DEFAULT 0,"
    " opened_at INTEGER NOT NULL,"
    " closed_at INTEGER)",
    "CREATE INDEX sales_status ON sales (status, id)",
    "CREATE INDEX sales_shift ON sales (shift_id)",

    /* Its lines: the item as it was sold (sku, name, price, tax rate copied
     * so later catalog edits do not rewrite history) and the computed
     * amounts: gross = qty x unit_price; promo_discount (promo_id) and the
     * manual line and sale discounts taken off it; net; tax (within net
     * when the sale's prices include tax). */
    "CREATE TABLE sale_lines ("
    " id INTEGER PRIMARY KEY,"
    " sale_id INTEGER NOT NULL REFERENCES sales(id),"
    " line_no INTEGER NOT NULL CHECK (line_no > 0),"
    " item_id INTEGER NOT NULL REFERENCES items(id),"
    " sku TEXT NOT NULL,"
    " name TEXT NOT NULL,"
    " unit TEXT NOT NULL,"
    " category TEXT NOT NULL DEFAULT '',"
    " qty INTEGER NOT NULL CHECK (qty > 0),"
    " unit_price INTEGER NOT NULL CHECK (unit_price >= 0),"
    " embedded INTEGER NOT NULL DEFAULT 0 CHECK (embedded IN (0, 1)),"
    " override_by INTEGER REFERENCES employees(id),"
    " tax_bps INTEGER NOT NULL CHECK (tax_bps >= 0 AND tax_bps <= 10000),"
    " gross INTEGER NOT NULL DEFAULT 0,"
    " promo_id INTEGER,"
    " promo_discount INTEGER NOT NULL DEFAULT 0,"
    " line_discount INTEGER NOT NULL DEFAULT 0,"
    " sale_discount INTEGER NOT NULL DEFAULT 0,"
    " net INTEGER NOT NULL DEFAULT 0,"
    " tax INTEGER NOT NULL DEFAULT 0,"
    " UNIQUE (sale_id, line_no))",

    /* Manual discounts: line_no 0 is the whole sale's. kind percent: value
     * in bps; amount: value in minor units. amount is what it took off at
     * the last computation. authorized_by: the supervisor who allowed a
     * discount over the cashier's limit. */
    "CREATE TABLE sale_discounts ("
    " id INTEGER PRIMARY KEY,"
    " sale_id INTEGER NOT NULL REFERENCES sales(id),"
    " line_no INTEGER NOT NULL CHECK (line_no >= 0),"
    " kind TEXT NOT NULL CHECK (kind IN ('percent','amount')),"
    " value INTEGER NOT NULL CHECK (value > 0),"
    " amount INTEGER NOT NULL DEFAULT 0,"
    " employee_id INTEGER NOT NULL REFERENCES employees(id),"
    " authorized_by INTEGER REFERENCES employees(id),"
    " created_at INTEGER NOT NULL,"
    " UNIQUE (sale_id, line_no))",

    /* Tenders: cash (amount handed over, change given back), card and
     * wallet (reference: the payment journal's RRN/auth, never a PAN). */
    "CREATE TABLE tenders ("
    " id INTEGER PRIMARY KEY,"
    " sale_id INTEGER NOT NULL REFERENCES sales(id),"
    " kind TEXT NOT NULL CHECK (kind IN ('cash','card','wallet','other')),"
    " amount INTEGER NOT NULL CHECK (amount > 0),"
    " change_amount INTEGER NOT NULL DEFAULT 0 CHECK (change_amount >= 0),"
    " currency INTEGER NOT NULL,"
    " reference TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL)",
    "CREATE INDEX tenders_sale ON tenders (sale_id)",

    /* Promotions (promo.h): percent (bps) off an item or a category, an
     * amount off each unit, buy N get M free, N for a bundle price. */
    "CREATE TABLE promotions ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " kind TEXT NOT NULL CHECK (kind IN ('percent','amount','buy_get','bundle')),"
    " item_id INTEGER REFERENCES items(id),"
    " category TEXT,"
    " percent_bps INTEGER NOT NULL DEFAULT 0 CHECK (percent_bps >= 0 AND percent_bps <= 10000),"
    " amount INTEGER NOT NULL DEFAULT 0 CHECK (amount >= 0),"
    " buy_n INTEGER NOT NULL DEFAULT 0 CHECK (buy_n >= 0),"
    " get_m INTEGER NOT NULL DEFAULT 0 CHECK (get_m >= 0),"
    " active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
    " created_at INTEGER NOT NULL,"
    " CHECK ((item_id IS NULL) <> (category IS NULL)))",
    NULL,
};
