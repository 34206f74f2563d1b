/* Tests of src/term/catalog.c and catalog_csv.c. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "mem.h"
#include "money.h"
#include "term/barcode.h"
#include "term/catalog.h"
#include "term/tstore.h"

static struct store *open_db(void)
{
    struct store *db = NULL;

    assert_int_equal(tstore_open("sqlite::memory:", &db, NULL), POS_OK);
    return db;
}

static const struct currency *cny(void)
{
    return money_currency_by_alpha("CNY", 3);
}

static void make_item(struct catalog_item *it, const char *sku, const char *name, int64_t price,
                      const char *code)
{
    catalog_item_init(it);
    snprintf(it->sku, sizeof(it->sku), "%s", sku);
    snprintf(it->name, sizeof(it->name), "%s", name);
    it->price = price;
    if (code != NULL)
        assert_int_equal(catalog_item_add_barcode(it, code, strlen(code)), POS_OK);
}

static int64_t count_rows(struct store *db, const char *sql)
{
    struct store_stmt *st;
    int64_t n;

    assert_int_equal(store_prepare(db, sql, &st), POS_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    n = store_column_int64(st, 0);
    store_reset(st);
    return n;
}

static void test_add_get_find(void **state)
{
    struct store *db = open_db();
    struct catalog_item it, got;
    int64_t id = 0;

    (void)state;
    make_item(&it, "A-1", "Apple Juice 1L", 1234, "4006381333931");
    it.tax_bps = 1300;
    snprintf(it.category, sizeof(it.category), "drinks");
    assert_int_equal(catalog_item_add_barcode(&it, "6291041500213", 13), POS_OK);
    assert_int_equal(catalog_item_add_barcode(&it, "6291041500213", 13), POS_OK); /* dup: no-op */
    assert_int_equal(catalog_add(db, &it, &id, NULL), POS_OK);
    assert_true(id > 0);

    assert_int_equal(catalog_get(db, "A-1", &got), POS_OK);
    assert_int_equal(got.id, id);
    assert_string_equal(got.name, "Apple Juice 1L");
    assert_int_equal(got.price, 1234);
    assert_int_equal(got.currency, 156);
    assert_int_equal(got.tax_bps, 1300);
    assert_string_equal(got.category, "drinks");
    assert_string_equal(got.unit, "ea");
    assert_int_equal(got.n_barcodes, 2);
    assert_string_equal(got.barcodes[0], "4006381333931");
    assert_true(got.active);

    assert_int_equal(catalog_get_by_id(db, id, &got), POS_OK);
    assert_string_equal(got.sku, "A-1");
    assert_int_equal(catalog_find_by_barcode(db, "6291041500213", &got), POS_OK);
    assert_string_equal(got.sku, "A-1");
    assert_int_equal(catalog_find_by_barcode(db, "73513537", &got), POS_ERR_NOT_FOUND);
    assert_int_equal(catalog_get(db, "nope", &got), POS_ERR_NOT_FOUND);
    assert_int_equal(catalog_get_by_id(db, 999, &got), POS_ERR_NOT_FOUND);
    assert_int_equal(catalog_get(db, NULL, &got), POS_ERR_INVAL);
    assert_int_equal(catalog_find_by_barcode(db, NULL, &got), POS_ERR_INVAL);
    tstore_close(db);
}

static void test_duplicates_change_nothing(void **state)
{
    struct store *db = open_db();
    struct pos_errdetail d;
    struct catalog_item it;

    (void)state;
    make_item(&it, "A", "A", 100, "4006381333931");
    it.plu = 42;
    assert_int_equal(catalog_add(db, &it, NULL, NULL), POS_OK);

    make_item(&it, "A", "Other", 100, NULL);
    pos_errdetail_init(&d);
    assert_int_equal(catalog_add(db, &it, NULL, &d), POS_ERR_CONSTRAINT);
    assert_non_null(strstr(d.what, "sku 'A' already exists"));

    make_item(&it, "B", "B", 100, "73513537");
    assert_int_equal(catalog_item_add_barcode(&it, "4006381333931", 13), POS_OK);
    pos_errdetail_init(&d);
    assert_int_equal(catalog_add(db, &it, NULL, &d), POS_ERR_CONSTRAINT);
    assert_non_null(strstr(d.what, "barcode '4006381333931' already belongs"));

    make_item(&it, "C", "C", 100, NULL);
    it.plu = 42;
    pos_errdetail_init(&d);
    assert_int_equal(catalog_add(db, &it, NULL, &d), POS_ERR_CONSTRAINT);
    assert_non_null(strstr(d.what, "plu 42"));

    assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM items"), 1);
    assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM barcodes"), 1);
    tstore_close(db);
}

static void test_validation(void **state)
{
    struct store *db = open_db();
    struct pos_errdetail d;
    struct catalog_item it;
    char big[200];

    (void)state;
#define BAD(mutate, code, frag)                                                                    \
    do {                                                                                           \
        make_item(&it, "S", "N", 1, NULL);                                                         \
        mutate;                                                                                    \
        pos_errdetail_init(&d);                                                                    \
        assert_int_equal(catalog_add(db, &it, NULL, &d), code);                                    \
        assert_non_null(strstr(d.what, frag));                                                     \
    } while (0)
    BAD(it.sku[0] = '\0', POS_ERR_LENGTH, "sku");
    BAD(snprintf(it.sku, sizeof(it.sku), "a b"), POS_ERR_INVAL, "sku");
    BAD(snprintf(it.sku, sizeof(it.sku), "a,b"), POS_ERR_INVAL, "sku");
    BAD(it.name[0] = '\0', POS_ERR_INVAL, "name");
    BAD(snprintf(it.name, sizeof(it.name), "a\tb"), POS_ERR_INVAL, "name");
    BAD(it.price = -1, POS_ERR_RANGE, "price");
    BAD(it.price = CATALOG_PRICE_MAX + 1, POS_ERR_RANGE, "price");
    BAD(it.tax_bps = 10001, POS_ERR_RANGE, "tax_bps");
    BAD(snprintf(it.unit, sizeof(it.unit), "KG"), POS_ERR_INVAL, "unit");
    BAD(it.unit[0] = '\0', POS_ERR_INVAL, "unit");
    BAD(it.plu = 100000, POS_ERR_RANGE, "plu");
    BAD(it.plu = -1, POS_ERR_RANGE, "plu");
    BAD(it.reorder_level = -1, POS_ERR_RANGE, "reorder_level");
    BAD(catalog_item_add_barcode(&it, "4006381333932", 13), POS_ERR_CHECK_DIGIT, "check digit");
    BAD(catalog_item_add_barcode(&it, "AB CD", 5), POS_ERR_INVAL, "barcode");
    BAD(catalog_item_add_barcode(&it, "2100123005123", 13), POS_ERR_INVAL, "weight/price");
    BAD(snprintf(it.category, sizeof(it.category), "x\ny"), POS_ERR_INVAL, "category");
#undef BAD
    make_item(&it, "S", "N", 1, NULL);
    memset(big, 'x', sizeof(big));
    assert_int_equal(catalog_item_add_barcode(&it, big, CATALOG_BARCODE_MAX + 1), POS_ERR_LENGTH);
    assert_int_equal(catalog_item_add_barcode(&it, big, 0), POS_ERR_LENGTH);
    for (int i = 0; i < CATALOG_BARCODES_MAX; i++) {
        char c[8];
        snprintf(c, sizeof(c), "X%d", i);
        assert_int_equal(catalog_item_add_barcode(&it, c, strlen(c)), POS_OK);
    }
    assert_int_equal(catalog_item_add_barcode(&it, "Y", 1), POS_ERR_NOSPACE);
    assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM items"), 0);
    tstore_close(db);
}

static void test_edit_and_deactivate(void **state)
{
    struct store *db = open_db();
    struct pos_errdetail d;
    struct catalog_item it, got;
    int64_t id;

    (void)state;
    make_item(&it, "A", "Apple", 100, "4006381333931");
    assert_int_equal(catalog_add(db, &it, &id, NULL), POS_OK);
    make_item(&it, "B", "Banana", 100, "73513537");
    assert_int_equal(catalog_add(db, &it, NULL, NULL), POS_OK);

    /* rename, reprice, replace barcodes */
    make_item(&it, "A2", "Green Apple", 150, "036000291452");
    assert_int_equal(catalog_edit(db, "A", &it, NULL), POS_OK);
    assert_int_equal(catalog_get(db, "A", &got), POS_ERR_NOT_FOUND);
    assert_int_equal(catalog_get(db, "A2", &got), POS_OK);
    assert_int_equal(got.id, id);
    assert_int_equal(got.price, 150);
    assert_int_equal(got.n_barcodes, 1);
    assert_int_equal(catalog_find_by_barcode(db, "4006381333931", &got), POS_ERR_NOT_FOUND);

    /* stealing B's barcode fails and changes nothing */
    make_item(&it, "A2", "Changed", 1, "73513537");
    pos_errdetail_init(&d);
    assert_int_equal(catalog_edit(db, "A2", &it, &d), POS_ERR_CONSTRAINT);
    assert_int_equal(catalog_get(db, "A2", &got), POS_OK);
    assert_string_equal(got.name, "Green Apple");
    assert_string_equal(got.barcodes[0], "036000291452");
    /* renaming onto B's SKU fails */
    make_item(&it, "B", "x", 1, NULL);
    assert_int_equal(catalog_edit(db, "A2", &it, NULL), POS_ERR_CONSTRAINT);
    /* unknown, invalid */
    pos_errdetail_init(&d);
    assert_int_equal(catalog_edit(db, "ZZ", &it, &d), POS_ERR_NOT_FOUND);
    assert_non_null(strstr(d.what, "ZZ"));
    it.price = -5;
    assert_int_equal(catalog_edit(db, "A2", &it, NULL), POS_ERR_RANGE);

    assert_int_equal(catalog_deactivate(db, "B"), POS_OK);
    assert_int_equal(catalog_get(db, "B", &got), POS_OK);
    assert_false(got.active);
    assert_int_equal(catalog_deactivate(db, "nope"), POS_ERR_NOT_FOUND);
    assert_int_equal(catalog_deactivate(db, NULL), POS_ERR_INVAL);
    tstore_close(db);
}

struct collect {
    int n;
    char skus[16][CATALOG_SKU_MAX + 1];
    int stop_after;
};

static int collect_fn(void *arg, const struct catalog_item *it)
{
    struct collect *c = arg;

    if (c->n < 16)
        snprintf(c->skus[c->n], sizeof(c->skus[0]), "%s", it->sku);
    c->n++;
    return c->stop_after != 0 && c->n >= c->stop_after ? POS_ERR_BUSY : POS_OK;
}

static void test_name_prefix_and_list(void **state)
{
    static const char *const names[][3] = {
        {"1", "apple", "fruit"},       {"2", "Apricot", "fruit"},   {"3", "APPLE pie", "bakery"},
        {"4", "banana", "fruit"},      {"5", "ap", "misc"},         {"6", "苹果汁", "drinks"},
        {"7", "苹果", "fruit"},         {"8", "aq", "misc"},
    };
    struct store *db = open_db();
    struct catalog_item it;
    struct collect c;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        make_item(&it, names[i][0], names[i][1], 1, NULL);
        snprintf(it.category, sizeof(it.category), "%s", names[i][2]);
        assert_int_equal(catalog_add(db, &it, NULL, NULL), POS_OK);
    }
    assert_int_equal(catalog_deactivate(db, "4"), POS_OK);

    memset(&c, 0, sizeof(c));
    assert_int_equal(catalog_find_by_name_prefix(db, "AP", 0, collect_fn, &c), POS_OK);
    assert_int_equal(c.n, 4); /* ap, apple, APPLE pie, Apricot in key order */
    assert_string_equal(c.skus[0], "5");
    assert_string_equal(c.skus[1], "1");
    assert_string_equal(c.skus[2], "3");
    assert_string_equal(c.skus[3], "2");

    memset(&c, 0, sizeof(c));
    assert_int_equal(catalog_find_by_name_prefix(db, "appl", 1, collect_fn, &c), POS_OK);
    assert_int_equal(c.n, 1);

    memset(&c, 0, sizeof(c));
    assert_int_equal(catalog_find_by_name_prefix(db, "苹果", 0, collect_fn, &c), POS_OK);
    assert_int_equal(c.n, 2);

    memset(&c, 0, sizeof(c)); /* inactive banana is not found */
    assert_int_equal(catalog_find_by_name_prefix(db, "ban", 0, collect_fn, &c), POS_OK);
    assert_int_equal(c.n, 0);

    memset(&c, 0, sizeof(c)); /* empty prefix: every active item */
    assert_int_equal(catalog_find_by_name_prefix(db, "", 0, collect_fn, &c), POS_OK);
    assert_int_equal(c.n, 7);
    memset(&c, 0, sizeof(c)); /* a prefix of 0xFF bytes has no upper bound */
    assert_int_equal(catalog_find_by_name_prefix(db, "\xff", 0, collect_fn, &c), POS_OK);
    assert_int_equal(c.n, 0);
    assert_int_equal(catalog_find_by_name_prefix(db, NULL, 0, collect_fn, &c), POS_ERR_INVAL);

    memset(&c, 0, sizeof(c));
    assert_int_equal(catalog_list(db, "fruit", false, collect_fn, &c), POS_OK);
    assert_int_equal(c.n, 3);
    memset(&c, 0, sizeof(c));
    assert_int_equal(catalog_list(db, "fruit", true, collect_fn, &c), POS_OK);
    assert_int_equal(c.n, 4);
    memset(&c, 0, sizeof(c));
    assert_int_equal(catalog_list(db, NULL, true, collect_fn, &c), POS_OK);
    assert_int_equal(c.n, 8);
    assert_string_equal(c.skus[0], "1");
    memset(&c, 0, sizeof(c)); /* the callback's error stops the listing */
    c.stop_after = 2;
    assert_int_equal(catalog_list(db, NULL, true, collect_fn, &c), POS_ERR_BUSY);
    assert_int_equal(c.n, 2);
    tstore_close(db);
}

static void test_scan(void **state)
{
    struct store *db = open_db();
    struct barcode_embedded e;
    struct catalog_item it, got;
    struct catalog_scan scan;
    char label[BARCODE_EAN13_LEN + 1];

    (void)state;
    make_item(&it, "BAN", "Bananas", 598, NULL); /* 5.98 per kg */
    snprintf(it.unit, sizeof(it.unit), "kg");
    it.plu = 123;
    assert_int_equal(catalog_add(db, &it, NULL, NULL), POS_OK);
    make_item(&it, "CAKE", "Cake", 0, "2000000000008"); /* a plain in-store 20 code */
    it.plu = 7;
    assert_int_equal(catalog_add(db, &it, NULL, NULL), POS_OK);

    e.kind = BARCODE_EMBEDDED_WEIGHT;
    e.item_code = 123;
    e.value = 1250; /* 1.250 kg */
    assert_int_equal(barcode_embedded_encode(&e, label), POS_OK);
    assert_int_equal(catalog_scan(db, label, &got, &scan), POS_OK);
    assert_string_equal(got.sku, "BAN");
    assert_true(scan.embedded);
    assert_int_equal(scan.qty, 1250);
    assert_int_equal(scan.price, 598);

    e.kind = BARCODE_EMBEDDED_PRICE;
    e.item_code = 7;
    e.value = 4550;
    assert_int_equal(barcode_embedded_encode(&e, label), POS_OK);
    assert_int_equal(catalog_scan(db, label, &got, &scan), POS_OK);
    assert_string_equal(got.sku, "CAKE");
    assert_int_equal(scan.qty, 1000);
    assert_int_equal(scan.price, 4550);

    assert_int_equal(catalog_scan(db, "2000000000008", &got, &scan), POS_OK);
    assert_false(scan.embedded);
    assert_int_equal(scan.qty, 1000);

    e.item_code = 999; /* no such PLU */
    assert_int_equal(barcode_embedded_encode(&e, label), POS_OK);
    assert_int_equal(catalog_scan(db, label, &got, &scan), POS_ERR_NOT_FOUND);
    label[12] = label[12] == '9' ? '0' : (char)(label[12] + 1);
    assert_int_equal(catalog_scan(db, label, &got, &scan), POS_ERR_CHECK_DIGIT);
    assert_int_equal(catalog_scan(db, "2100000005000", &got, &scan), POS_ERR_NOT_FOUND); /* 00000 */
    assert_int_equal(catalog_scan(db, "73513537", &got, &scan), POS_ERR_NOT_FOUND);
    assert_int_equal(catalog_scan(db, NULL, &got, &scan), POS_ERR_INVAL);
    assert_int_equal(catalog_find_by_plu(db, 0, &got), POS_ERR_RANGE);
    tstore_close(db);
}

static void test_qty_text(void **state)
{
    static const struct {
        const char *in;
        int64_t milli;
        const char *out;
    } ok[] = {
        {"3", 3000, "3"},          {"1.5", 1500, "1.5"},   {"0.250", 250, "0.25"},
        {"0.005", 5, "0.005"},     {"-2", -2000, "-2"},    {"12.34", 12340, "12.34"},
        {"1000000000", INT64_C(1000000000000), "1000000000"},
    };
    static const struct {
        const char *in;
        int rc;
    } bad[] = {
        {"", POS_ERR_SYNTAX},         {"-", POS_ERR_SYNTAX},      {"1.", POS_ERR_SYNTAX},
        {".5", POS_ERR_SYNTAX},       {"1.2.3", POS_ERR_SYNTAX},  {"+1", POS_ERR_SYNTAX},
        {"1e3", POS_ERR_SYNTAX},      {"1.0001", POS_ERR_RANGE},  {"1000000001", POS_ERR_RANGE},
        {"99999999999999999999", POS_ERR_RANGE}, {"1000000000.001", POS_ERR_RANGE},
    };
    char buf[CATALOG_QTY_TEXT_MAX];
    int64_t v;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        assert_int_equal(catalog_qty_parse(ok[i].in, strlen(ok[i].in), &v), POS_OK);
        assert_int_equal(v, ok[i].milli);
        assert_int_equal(catalog_qty_format(v, buf, sizeof(buf)), POS_OK);
        assert_string_equal(buf, ok[i].out);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(catalog_qty_parse(bad[i].in, strlen(bad[i].in), &v), bad[i].rc);
    assert_int_equal(catalog_qty_format(-1, buf, sizeof(buf)), POS_OK);
    assert_string_equal(buf, "-0.001");
    assert_int_equal(catalog_qty_format(123456, buf, 4), POS_ERR_NOSPACE);
}

static void import_ok(struct store *db, const char *csv, size_t want)
{
    struct pos_errdetail d;
    size_t n = 0;
    int rc;

    pos_errdetail_init(&d);
    rc = catalog_import_csv(db, csv, strlen(csv), cny(), &n, &d);
    if (rc != POS_OK)
        fail_msg("import failed: %s: %s", pos_strerror(rc), d.what);
    assert_int_equal(n, want);
}

static void import_bad(struct store *db, const char *csv, int code, const char *frag)
{
    struct pos_errdetail d;
    int64_t before_items = count_rows(db, "SELECT COUNT(*) FROM items");
    int64_t before_codes = count_rows(db, "SELECT COUNT(*) FROM barcodes");
    size_t n = 77;
    int rc;

    pos_errdetail_init(&d);
    rc = catalog_import_csv(db, csv, strlen(csv), cny(), &n, &d);
    if (rc != code || strstr(d.what, frag) == NULL)
        fail_msg("want %s with '%s', got %s: '%s'", pos_errname(code), frag, pos_errname(rc),
                 d.what);
    assert_int_equal(n, 77);
    assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM items"), before_items);
    assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM barcodes"), before_codes);
}

static void test_csv_quoting(void **state)
{
    struct store *db = open_db();
    struct catalog_item got;

    (void)state;
    import_ok(db,
              "\xEF\xBB\xBFsku,name,price,barcodes,category,unit,tax_bps,plu,reorder_level,active\r\n"
              "Q1,\"Tea, green \"\"Longjing\"\"\",88.00,4006381333931;73513537,tea,ea,600,,2.5,1\r\n"
              "\r\n"
              "Q2,\"two\nlines\",0.5,,,kg,,99,,false\r\n"
              "Q3,plain,1,,,,,,,\n",
              3);
    assert_int_equal(catalog_get(db, "Q1", &got), POS_OK);
    assert_string_equal(got.name, "Tea, green \"Longjing\"");
    assert_int_equal(got.price, 8800);
    assert_int_equal(got.n_barcodes, 2);
    assert_int_equal(got.tax_bps, 600);
    assert_int_equal(got.reorder_level, 2500);
    assert_int_equal(catalog_get(db, "Q2", &got), POS_OK);
    assert_string_equal(got.name, "two lines"); /* line breaks in names fold to spaces */
    assert_string_equal(got.unit, "kg");
    assert_int_equal(got.plu, 99);
    assert_false(got.active);
    assert_int_equal(catalog_get(db, "Q3", &got), POS_OK);
    assert_string_equal(got.unit, "ea");
    assert_true(got.active);

    /* columns in another order; an existing SKU is updated, barcodes replaced */
    import_ok(db, "price,sku,name\n99.99,Q1,Tea\n", 1);
    assert_int_equal(catalog_get(db, "Q1", &got), POS_OK);
    assert_int_equal(got.price, 9999);
    assert_int_equal(got.n_barcodes, 0);
    assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM items"), 3);
    /* no trailing newline, header only */
    import_ok(db, "sku,name,price\nQ4,x,1", 1);
    import_ok(db, "sku,name,price\n", 0);
    tstore_close(db);
}

static void test_csv_errors(void **state)
{
    struct store *db = open_db();

    (void)state;
    import_ok(db, "sku,name,price,barcodes\nE0,existing,1,4006381333931\n", 1);
    import_bad(db, "", POS_ERR_SYNTAX, "no header");
    import_bad(db, "sku,name\nA,b\n", POS_ERR_SYNTAX, "must name sku, name and price");
    import_bad(db, "sku,name,price,colour\n", POS_ERR_SYNTAX, "line 1, column 4");
    import_bad(db, "sku,name,price,sku\n", POS_ERR_SYNTAX, "named twice");
    /* a bad line after good ones: nothing imported */
    import_bad(db, "sku,name,price\nG1,good,1\nG2,good,2\nG3,bad,1.234\n", POS_ERR_RANGE,
               "line 4, column 3 (price)");
    import_bad(db, "sku,name,price\nG1,good,1\nG2,x,abc\n", POS_ERR_SYNTAX,
               "line 3, column 3 (price)");
    import_bad(db, "sku,name,price\nG1,\"multi\nline\",1\nG2,x\n", POS_ERR_SYNTAX,
               "line 4: wrong number of columns");
    import_bad(db, "sku,name,price\nG1,\"open,1\n", POS_ERR_SYNTAX, "not closed");
    import_bad(db, "sku,name,price\nG1,\"q\"x,1\n", POS_ERR_SYNTAX, "after a closing quote");
    import_bad(db, "sku,name,price\nG1,a\"b,1\n", POS_ERR_SYNTAX, "quote inside");
    import_bad(db, "sku,name,price\nG1,a\rb,1\n", POS_ERR_SYNTAX, "carriage return");
    import_bad(db, "sku,name,price,tax_bps\nG1,a,1,20000\n", POS_ERR_RANGE, "(tax_bps)");
    import_bad(db, "sku,name,price,plu\nG1,a,1,0\n", POS_ERR_RANGE, "(plu)");
    import_bad(db, "sku,name,price,reorder_level\nG1,a,1,-1\n", POS_ERR_RANGE, "(reorder_level)");
    import_bad(db, "sku,name,price,active\nG1,a,1,maybe\n", POS_ERR_SYNTAX, "(active)");
    import_bad(db, "sku,name,price,unit\nG1,a,1,KG\n", POS_ERR_INVAL, "line 2, column 4 (unit)");
    import_bad(db, "sku,name,price\n,a,1\n", POS_ERR_LENGTH, "line 2, column 1 (sku)");
    import_bad(db, "sku,name,price,barcodes\nG1,a,1,4006381333932\n", POS_ERR_CHECK_DIGIT,
               "line 2, column 4 (barcodes)");
    import_bad(db, "sku,name,price,barcodes\nG1,a,1,73513537\nG2,b,1,73513537\n",
               POS_ERR_CONSTRAINT, "line 3, column 4 (barcodes)");
    import_bad(db, "sku,name,price,barcodes\nG1,a,1,4006381333931\n", POS_ERR_CONSTRAINT,
               "already belongs");
    import_bad(db, "sku,name,price,category,unit,barcodes,plu,reorder_level,active,tax_bps\n"
                   "G,a,1,,,,,,,,,,,,,,,,\n",
               POS_ERR_RANGE, "too many columns");
    {
        char *big = malloc(6000);
        assert_non_null(big);
        memcpy(big, "sku,name,price\nG,", 17);
        memset(big + 17, 'x', 5000);
        memcpy(big + 5017, ",1\n", 4);
        import_bad(db, big, POS_ERR_LENGTH, "line too long");
        free(big);
    }
    assert_false(store_is_in_transaction(db));
    assert_int_equal(catalog_import_csv(db, "x", 1, NULL, NULL, NULL), POS_ERR_INVAL);
    assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM items"), 1);
    tstore_close(db);
}

static void test_csv_in_caller_transaction(void **state)
{
    struct store *db = open_db();
    struct catalog_item it;

    (void)state;
    assert_int_equal(store_begin(db), POS_OK);
    make_item(&it, "KEEP", "kept", 1, NULL);
    assert_int_equal(catalog_add(db, &it, NULL, NULL), POS_OK);
    import_bad(db, "sku,name,price\nX,y,zz\n", POS_ERR_SYNTAX, "price");
    assert_true(store_is_in_transaction(db)); /* the caller's transaction survives */
    assert_int_equal(store_commit(db), POS_OK);
    assert_int_equal(catalog_get(db, "KEEP", &it), POS_OK);
    assert_int_equal(catalog_get(db, "X", &it), POS_ERR_NOT_FOUND);
    tstore_close(db);
}

static void test_csv_nomem(void **state)
{
    struct store *db = open_db();

    (void)state;
    tu_alloc_fail_after(0);
    assert_int_equal(catalog_import_csv(db, "sku,name,price\nA,b,1\n", 20, cny(), NULL, NULL),
                     POS_ERR_NOMEM);
    tu_alloc_reset();
    assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM items"), 0);
    tstore_close(db);
}

static void test_export_roundtrip(void **state)
{
    struct store *a = open_db(), *b = open_db();
    struct catalog_item x, y;
    char *buf = NULL;
    size_t len = 0;
    FILE *f;

    (void)state;
    import_ok(a,
              "sku,name,price,tax_bps,category,unit,barcodes,plu,reorder_level,active\n"
              "R1,\"Comma, \"\"quote\"\"\",1.00,1300,c,ea,4006381333931;73513537,,1.5,1\n"
              "R2,\" spaced \",0,0,,kg,,5,0,0\n"
              "R3,\"new\r\nline\",123456789.99,10000,\"x,y\",ea,,,0,1\n",
              3);
    f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(catalog_export_csv(a, cny(), f), POS_OK);
    fclose(f);
    assert_non_null(strstr(buf, "\"Comma, \"\"quote\"\"\""));
    import_ok(b, buf, 3);
    for (const char *sku = "R1"; sku != NULL; sku = strcmp(sku, "R1") == 0 ? "R2"
                                                    : strcmp(sku, "R2") == 0 ? "R3"
                                                                             : NULL) {
        assert_int_equal(catalog_get(a, sku, &x), POS_OK);
        assert_int_equal(catalog_get(b, sku, &y), POS_OK);
        assert_string_equal(x.name, y.name);
        assert_int_equal(x.price, y.price);
        assert_int_equal(x.tax_bps, y.tax_bps);
        assert_string_equal(x.category, y.category);
        assert_string_equal(x.unit, y.unit);
        assert_int_equal(x.plu, y.plu);
        assert_int_equal(x.reorder_level, y.reorder_level);
        assert_int_equal(x.active, y.active);
        assert_int_equal(x.n_barcodes, y.n_barcodes);
    }
    free(buf);
    assert_int_equal(catalog_export_csv(a, NULL, stdout), POS_ERR_INVAL);
    tstore_close(a);
    tstore_close(b);
}

/* 100,000 items: correctness only (bench/catalog.c measures the time). */
static void test_import_100k(void **state)
{
    const size_t n = 100000;
    struct store *db = open_db();
    struct catalog_item got;
    struct collect c;
    char *csv, code[16];
    size_t cap = n * 80 + 64, off, i;

    (void)state;
    csv = malloc(cap);
    assert_non_null(csv);
    off = (size_t)snprintf(csv, cap, "sku,name,price,barcodes,category\n");
    for (i = 0; i < n; i++) {
        snprintf(code, sizeof(code), "%012zu", 200000000000 + i);
        assert_int_equal(barcode_check_digit(code, 12, &code[12]), POS_OK);
        code[13] = '\0';
        off += (size_t)snprintf(csv + off, cap - off, "SKU%06zu,Item %06zu,%zu.%02zu,%s,cat%zu\n", i,
                                i, i % 1000, i % 100, code, i % 10);
    }
    import_ok(db, csv, n);
    assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM items"), (int64_t)n);
    assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM barcodes"), (int64_t)n);
    assert_int_equal(catalog_get(db, "SKU099999", &got), POS_OK);
    assert_int_equal(got.price, 99999);
    assert_string_equal(got.category, "cat9");
    snprintf(code, sizeof(code), "%012zu", (size_t)200000054321);
    assert_int_equal(barcode_check_digit(code, 12, &code[12]), POS_OK);
    code[13] = '\0';
    assert_int_equal(catalog_find_by_barcode(db, code, &got), POS_OK);
    assert_string_equal(got.sku, "SKU054321");
    memset(&c, 0, sizeof(c));
    assert_int_equal(catalog_find_by_name_prefix(db, "ITEM 05432", 0, collect_fn, &c), POS_OK);
    assert_int_equal(c.n, 10);
    free(csv);
    tstore_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_get_find),
        cmocka_unit_test(test_duplicates_change_nothing),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_edit_and_deactivate),
        cmocka_unit_test(test_name_prefix_and_list),
        cmocka_unit_test(test_scan),
        cmocka_unit_test(test_qty_text),
        cmocka_unit_test(test_csv_quoting),
        cmocka_unit_test(test_csv_errors),
        cmocka_unit_test(test_csv_in_caller_transaction),
        cmocka_unit_test(test_csv_nomem),
        cmocka_unit_test(test_export_roundtrip),
        cmocka_unit_test(test_import_100k),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
