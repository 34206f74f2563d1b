/*
 * catalog: the terminal's items and their barcodes, lookups, and CSV import
 * and export.
 *
 * An item: SKU (unique), name, price (minor units of the terminal
 * currency), tax rate (basis points), category, unit ("ea", "kg", ...),
 * an optional PLU (the 5-digit item code of weight- and price-embedded
 * barcodes, barcode.h), a reorder level (milli-units; 0 = none), its
 * current stock quantity (milli-units, a cache maintained by stock.h) and
 * an active flag; any number (up to CATALOG_BARCODES_MAX) of barcodes,
 * each belonging to one item.
 *
 * Lookups by barcode and by SKU are primary-key / unique-index probes; the
 * name-prefix search is a range scan over an index of the ASCII-lower-cased
 * name (never LIKE '%..'), so all stay well under a millisecond at 100,000
 * items (bench/catalog.c).
 *
 * CSV (RFC 4180: comma separated, CRLF or LF line ends, fields in double
 * quotes may hold commas, quotes doubled, and line breaks), UTF-8. The first
 * line is a header naming the columns, in any order:
 *   sku,name,price           required
 *   tax_bps,category,unit,barcodes,plu,reorder_level,active   optional
 * price is a decimal amount in the terminal currency ("12.34"); barcodes
 * are separated by ';' or spaces; reorder_level a quantity ("2.5");
 * active is 1/0/true/false. Import inserts new SKUs and updates existing
 * ones (their barcodes are replaced; stock is never touched), in one
 * transaction: any bad line imports nothing and the error names the line
 * and the column.
 *
 * Validation (every write): SKU 1..CATALOG_SKU_MAX printable ASCII without
 * spaces or commas; name 1..CATALOG_NAME_MAX bytes, no control characters;
 * price 0..CATALOG_PRICE_MAX; tax 0..10000 bps; unit 1..CATALOG_UNIT_MAX
 * lower-case letters; category at most CATALOG_CATEGORY_MAX bytes; a
 * barcode 1..CATALOG_BARCODE_MAX of [0-9A-Za-z-], and a GTIN-shaped one
 * (8, 12, 13 or 14 digits) must carry a correct GS1 check digit.
 *
 * Errors: POS_ERR_INVAL / POS_ERR_RANGE / POS_ERR_LENGTH / POS_ERR_CHECK_DIGIT
 * (bad field, d->what names it), POS_ERR_CONSTRAINT (duplicate SKU,
 * barcode or PLU; d->what says which), POS_ERR_NOT_FOUND, or a store.h
 * error. A failed write changes nothing. Functions that write run in their
 * own transaction, or inside the caller's under a savepoint when one is
 * open.
 */
#ifndef POS_TERM_CATALOG_H
#define POS_TERM_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "money.h"
#include "store/store.h"

#define CATALOG_SKU_MAX      64
#define CATALOG_NAME_MAX     128
#define CATALOG_CATEGORY_MAX 64
#define CATALOG_UNIT_MAX     8
#define CATALOG_BARCODE_MAX  32
#define CATALOG_BARCODES_MAX 8
#define CATALOG_PRICE_MAX    INT64_C(100000000000) /* 10^11 minor units */
#define CATALOG_QTY_MAX      INT64_C(1000000000000) /* 10^9 units, in milli-units */
#define CATALOG_QTY_TEXT_MAX 32

struct catalog_item {
    int64_t id; /* database id (set by reads and catalog_add) */
    char sku[CATALOG_SKU_MAX + 1];
    char name[CATALOG_NAME_MAX + 1];
    int64_t price;     /* minor units of currency */
    uint16_t currency; /* ISO 4217 numeric (reads); writes use the terminal currency */
    uint32_t tax_bps;
    char category[CATALOG_CATEGORY_MAX + 1];
    char unit[CATALOG_UNIT_MAX + 1];
    int64_t plu;           /* 0 = none, else 1..99999 */
    int64_t reorder_level; /* milli-units, 0 = none */
    int64_t qty;           /* milli-units (read only: stock.h changes it) */
    bool active;
    size_t n_barcodes;
    char barcodes[CATALOG_BARCODES_MAX][CATALOG_BARCODE_MAX + 1];
};

/* Called once per item by the listing functions; a non-zero return stops
 * the listing and is returned by it. it is valid during the call only. The
 * callback must not start another listing on the same connection. */
typedef int (*catalog_item_fn)(void *arg, const struct catalog_item *it);

/* Sets *it to an empty item: unit "ea", active, everything else 0/"". */
void catalog_item_init(struct catalog_item *it);

/* Appends barcode code (len bytes) to it: POS_ERR_NOSPACE when it already
 * has CATALOG_BARCODES_MAX, POS_ERR_LENGTH when too long or empty, POS_OK
 * (and nothing added) when it already holds the same code. */
int catalog_item_add_barcode(struct catalog_item *it, const char *code, size_t len);

/* Checks every field of it as described above; d names the bad field. */
int catalog_item_validate(const struct catalog_item *it, struct pos_errdetail *d);

/* Inserts it (its id and qty are ignored; the terminal currency is used)
 * with its barcodes. *id (may be NULL) gets the new id. */
int catalog_add(struct store *db, const struct catalog_item *it, int64_t *id,
                struct pos_errdetail *d);

/* Replaces every field of the item whose SKU is sku by it (it->sku may
 * differ: a rename), barcodes included; quantity untouched. */
int catalog_edit(struct store *db, const char *sku, const struct catalog_item *it,
                 struct pos_errdetail *d);

/* Reads the item with this SKU (or database id) into *out. POS_ERR_NOT_FOUND
 * when there is none (inactive items are found). */
int catalog_get(struct store *db, const char *sku, struct catalog_item *out);
int catalog_get_by_id(struct store *db, int64_t id, struct catalog_item *out);

/* The item carrying barcode code exactly (any item, active or not). */
int catalog_find_by_barcode(struct store *db, const char *code, struct catalog_item *out);

/* The item with this PLU (1..99999). */
int catalog_find_by_plu(struct store *db, int64_t plu, struct catalog_item *out);

/* What a scanned code means: the item and, for an embedded label, the
 * quantity (milli-units) or the price (minor units) it carries. */
struct catalog_scan {
    bool embedded;     /* read from a weight- or price-embedded label */
    int64_t qty;       /* milli-units: 1000 for a plain code, grams for a weight label */
    int64_t price;     /* minor units: the item's price, or the label's price */
};

/* Resolves a scanned code: first as an exact barcode; else, when it is a
 * weight/price label (barcode.h), the item by its PLU with the label's
 * quantity or price. POS_ERR_NOT_FOUND, POS_ERR_CHECK_DIGIT (a label with a
 * wrong check digit), or a store error. */
int catalog_scan(struct store *db, const char *code, struct catalog_item *out,
                 struct catalog_scan *scan);

/* Calls fn for up to limit (0 = no limit) active items whose name starts
 * with prefix, ignoring ASCII case, in name order. */
int catalog_find_by_name_prefix(struct store *db, const char *prefix, size_t limit,
                                catalog_item_fn fn, void *arg);

/* Calls fn for every item (of category when not NULL; inactive ones too
 * when all) in SKU order. */
int catalog_list(struct store *db, const char *category, bool all, catalog_item_fn fn,
                 void *arg);

/* Marks the item inactive (it stays for history and reports). */
int catalog_deactivate(struct store *db, const char *sku);

/* Imports CSV text buf[0..len) (see the top comment) with prices in cur.
 * *n (may be NULL) gets the number of data lines imported. On error
 * nothing is imported and d says "line L, column C: why". */
int catalog_import_csv(struct store *db, const char *buf, size_t len, const struct currency *cur,
                       size_t *n, struct pos_errdetail *d);

/* Writes every item (active or not) as CSV with a header, in the import's
 * format, prices in cur, to f. POS_ERR_IO when writing fails. */
int catalog_export_csv(struct store *db, const struct currency *cur, FILE *f);

/* Quantities as text: "3", "1.5", "0.250", "-2" <-> milli-units. Parse
 * refuses more than three decimals, signs other than a leading '-',
 * anything beyond +-CATALOG_QTY_MAX (POS_ERR_SYNTAX, POS_ERR_RANGE). Format
 * writes the shortest form ("1.5", "3") into out (cap >=
 * CATALOG_QTY_TEXT_MAX always suffices). */
int catalog_qty_parse(const char *s, size_t len, int64_t *milli);
int catalog_qty_format(int64_t milli, char *out, size_t cap);

#endif
