/* tschema_ret: terminal schema version 4, voids, refunds and day closes
 * (owned by sale_return.c and report.c; docs/sales.md, docs/reports.md).
 * Conventions of tschema.h: money in minor units, quantities in
 * milli-units. A paid sale never changes: a void or refund is a return
 * row that points at it. */
#include "term/tschema.h"

const char *const tschema_v4[] = {
    /* A return: 'void' gives back a whole sale of the open batch (its card
     * tenders voided at the host); 'refund' gives back some or all lines of
     * an earlier sale (sale_id), or goods without their receipt (sale_id
     * NULL). Both need a supervisor (authorized_by). total is what was
     * given back (tax included as the sale had it), tax_total its tax. */
    "CREATE TABLE returns ("
    " id INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL CHECK (kind IN ('void','refund')),"
    " sale_id INTEGER REFERENCES sales(id),"
    " employee_id INTEGER NOT NULL REFERENCES employees(id),"
    " authorized_by INTEGER NOT NULL REFERENCES employees(id),"
    " shift_id INTEGER NOT NULL REFERENCES shifts(id),"
    " currency INTEGER NOT NULL CHECK (currency > 0 AND currency < 1000),"
    " total INTEGER NOT NULL CHECK (total > 0),"
    " tax_total INTEGER NOT NULL DEFAULT 0 CHECK (tax_total >= 0),"
    " reason TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL)",
    "CREATE INDEX returns_sale ON returns (sale_id)",
    "CREATE INDEX returns_shift ON returns (shift_id)",
    "CREATE INDEX returns_created ON returns (created_at)",
    /* the reports select sales by when they closed */
    "CREATE INDEX sales_closed ON sales (status, closed_at)",

    /* What came back: the sale line (NULL without a receipt), the item,
     * the quantity, the money (amount, tax within or on top of it as the
     * sale had it) and whether it went back into stock (a stock move of
     * kind 'return', ref 'return N'). */
    "CREATE TABLE return_lines ("
    " id INTEGER PRIMARY KEY,"
    " return_id INTEGER NOT NULL REFERENCES returns(id),"
    " sale_line_id INTEGER REFERENCES sale_lines(id),"
    " item_id INTEGER NOT NULL REFERENCES items(id),"
    " sku TEXT NOT NULL,"
    " name TEXT NOT NULL,"
    " category TEXT NOT NULL DEFAULT '',"
    " qty INTEGER NOT NULL CHECK (qty > 0),"
    " amount INTEGER NOT NULL CHECK (amount >= 0),"
    " tax INTEGER NOT NULL DEFAULT 0 CHECK (tax >= 0),"
    " restock INTEGER NOT NULL DEFAULT 1 CHECK (restock IN (0, 1)))",
    "CREATE INDEX return_lines_return ON return_lines (return_id)",
    "CREATE INDEX return_lines_sale_line ON return_lines (sale_line_id)",

    /* How the money went back: cash out of the drawer, or a card void or
     * refund (pay_journal_id: the payment journal's row; reference: its
     * RRN/auth, never a PAN). */
    "CREATE TABLE return_tenders ("
    " id INTEGER PRIMARY KEY,"
    " return_id INTEGER NOT NULL REFERENCES returns(id),"
    " kind TEXT NOT NULL CHECK (kind IN ('cash','card','wallet','other')),"
    " amount INTEGER NOT NULL CHECK (amount > 0),"
    " reference TEXT NOT NULL DEFAULT '',"
    " pay_journal_id INTEGER REFERENCES pay_journal(id),"
    " created_at INTEGER NOT NULL)",
    "CREATE INDEX return_tenders_return ON return_tenders (return_id)",

    /* Card payments of sales (sale_pay.c): a purchase's journal row names
     * its sale before it is sent, and the card tender its journal row, so a
     * payment approved but not yet recorded as a tender is found again
     * (recovered forward, or voided) after a crash. */
    "ALTER TABLE pay_journal ADD COLUMN sale_id INTEGER REFERENCES sales(id)",
    "CREATE INDEX pay_journal_sale ON pay_journal (sale_id)",
    /* how the card was read (a slip's entry mode): swipe, chip, keyed */
    "ALTER TABLE pay_journal ADD COLUMN entry TEXT CHECK (entry IN ('swipe', 'chip', 'keyed'))",
    "ALTER TABLE tenders ADD COLUMN pay_journal_id INTEGER REFERENCES pay_journal(id)",
    "CREATE INDEX tenders_pay_journal ON tenders (pay_journal_id)",

    /* Receipts printed (of a sale or of a return): a later print of the
     * same copy is a reprint. */
    "CREATE TABLE receipt_prints ("
    " id INTEGER PRIMARY KEY,"
    " sale_id INTEGER REFERENCES sales(id),"
    " return_id INTEGER REFERENCES returns(id),"
    " copy TEXT NOT NULL CHECK (copy IN ('customer', 'merchant')),"
    " printed_at INTEGER NOT NULL,"
    " CHECK ((sale_id IS NULL) <> (return_id IS NULL)))",
    "CREATE INDEX receipt_prints_sale ON receipt_prints (sale_id, copy)",
    "CREATE INDEX receipt_prints_return ON receipt_prints (return_id, copy)",

    /* Z reports: the day closed. Each covers [from_ms, to_ms): from the
     * previous close (or the first sale) to this one, and keeps the report
     * as it was printed (JSON) so a reprint shows the same figures. */
    "CREATE TABLE day_closes ("
    " id INTEGER PRIMARY KEY,"
    " from_ms INTEGER NOT NULL,"
    " to_ms INTEGER NOT NULL CHECK (to_ms >= from_ms),"
    " employee_id INTEGER NOT NULL REFERENCES employees(id),"
    " report TEXT NOT NULL,"
    " created_at INTEGER NOT NULL)",
    NULL,
};
