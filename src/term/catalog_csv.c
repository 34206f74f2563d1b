/* catalog: CSV import and export (RFC 4180, "Common Format and MIME Type
 * for Comma-Separated Values (CSV) Files", October 2005, §2: fields in
 * double quotes may contain commas, line breaks and doubled quotes). */
#include <string.h>

#include "mem.h"
#include "term/barcode.h"
#include "term/catalog.h"
#include "term/catalog_int.h"

#define CATALOG_CSV_COLS    16
#define CATALOG_CSV_REC_MAX 4096

enum catalog_col {
    COL_SKU,
    COL_NAME,
    COL_PRICE,
    COL_TAX,
    COL_CATEGORY,
    COL_UNIT,
    COL_BARCODES,
    COL_PLU,
    COL_REORDER,
    COL_ACTIVE,
    COL_COUNT
};

static const char *const catalog_col_names[COL_COUNT] = {
    "sku", "name", "price", "tax_bps", "category", "unit", "barcodes", "plu", "reorder_level",
    "active",
};

struct catalog_csv {
    const char *buf;
    size_t len;
    size_t off;
    size_t line; /* line number where the next record starts (1-based) */
};

/* One record: fields as NUL-terminated strings in data. */
struct catalog_csv_rec {
    size_t line; /* line it started on */
    size_t n;
    char *f[CATALOG_CSV_COLS];
    char data[CATALOG_CSV_REC_MAX];
};

static int catalog_csv_err(struct pos_errdetail *d, int rc, size_t line, size_t col,
                           const char *name, const char *why)
{
    if (col == 0)
        return pos_errdetail_set(d, rc, -1, POS_NO_OFFSET, "line %zu: %s", line, why);
    if (name == NULL)
        return pos_errdetail_set(d, rc, (int)col, POS_NO_OFFSET, "line %zu, column %zu: %s", line,
                                 col, why);
    return pos_errdetail_set(d, rc, (int)col, POS_NO_OFFSET, "line %zu, column %zu (%s): %s", line,
                             col, name, why);
}

/* Reads the next record. Returns 1 with *r filled, 0 at the end, or a
 * negative error (d: line and column). Empty lines are skipped. */
static int catalog_csv_read(struct catalog_csv *c, struct catalog_csv_rec *r,
                            struct pos_errdetail *d)
{
    size_t used = 0;
    bool quoted;

    while (c->off < c->len && (c->buf[c->off] == '\n' || c->buf[c->off] == '\r')) {
        if (c->buf[c->off] == '\n')
            c->line++;
        c->off++;
    }
    if (c->off >= c->len)
        return 0;
    r->line = c->line;
    r->n = 0;
    for (;;) {
        if (r->n == CATALOG_CSV_COLS)
            return catalog_csv_err(d, POS_ERR_RANGE, r->line, 0, NULL, "too many columns");
        r->f[r->n++] = r->data + used;
        quoted = c->off < c->len && c->buf[c->off] == '"';
        if (quoted)
            c->off++;
        for (;;) {
            char ch;

            if (c->off >= c->len) {
                if (quoted)
                    return catalog_csv_err(d, POS_ERR_SYNTAX, r->line, r->n, NULL,
                                           "quoted field not closed");
                break;
            }
            ch = c->buf[c->off];
            if (quoted && ch == '"') {
                if (c->off + 1 < c->len && c->buf[c->off + 1] == '"') {
                    c->off++;
                } else {
                    c->off++;
                    quoted = false;
                    if (c->off < c->len && c->buf[c->off] != ',' && c->buf[c->off] != '\n' &&
                        c->buf[c->off] != '\r')
                        return catalog_csv_err(d, POS_ERR_SYNTAX, r->line, r->n, NULL,
                                               "text after a closing quote");
                    continue;
                }
            } else if (!quoted && (ch == ',' || ch == '\n' || ch == '\r')) {
                break;
            } else if (!quoted && ch == '"') {
                return catalog_csv_err(d, POS_ERR_SYNTAX, r->line, r->n, NULL,
                                       "quote inside an unquoted field");
            } else if (ch == '\n') {
                c->line++;
            }
            if (used >= sizeof(r->data) - 1)
                return catalog_csv_err(d, POS_ERR_LENGTH, r->line, r->n, NULL, "line too long");
            r->data[used++] = ch;
            c->off++;
        }
        r->data[used++] = '\0';
        if (c->off >= c->len)
            return 1;
        if (c->buf[c->off] == ',') {
            c->off++;
            continue;
        }
        if (c->buf[c->off] == '\r') {
            if (c->off + 1 >= c->len || c->buf[c->off + 1] != '\n')
                return catalog_csv_err(d, POS_ERR_SYNTAX, r->line, r->n, NULL,
                                       "carriage return without line feed");
            c->off++;
        }
        c->off++; /* the '\n' */
        c->line++;
        return 1;
    }
}

static bool catalog_csv_bool(const char *s, bool *out)
{
    if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0 || strcmp(s, "yes") == 0)
        *out = true;
    else if (strcmp(s, "0") == 0 || strcmp(s, "false") == 0 || strcmp(s, "no") == 0)
        *out = false;
    else
        return false;
    return true;
}

static bool catalog_csv_uint(const char *s, int64_t max, int64_t *out)
{
    int64_t v = 0;
    size_t i;

    if (s[0] == '\0')
        return false;
    for (i = 0; s[i] != '\0'; i++) {
        if (s[i] < '0' || s[i] > '9' || v > (max - (s[i] - '0')) / 10)
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool catalog_csv_set(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);

    if (n >= cap)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}

/* Folds the line breaks and tabs a spreadsheet cell may hold into single
 * spaces: names are one line on screens and receipts. */
static void catalog_csv_fold(char *s)
{
    size_t i, o = 0;

    for (i = 0; s[i] != '\0'; i++) {
        if (s[i] == '\r' || s[i] == '\n' || s[i] == '\t') {
            if (o == 0 || s[o - 1] != ' ')
                s[o++] = ' ';
        } else {
            s[o++] = s[i];
        }
    }
    s[o] = '\0';
}

/* Fills *it from a data record using map (column index -> enum catalog_col). */
static int catalog_csv_item(const struct catalog_csv_rec *r, const int *map, size_t ncols,
                            const struct currency *cur, struct catalog_item *it,
                            struct pos_errdetail *d)
{
    struct pos_errdetail md;
    struct money m;
    int64_t v;
    size_t i;
    int rc;

    if (r->n != ncols)
        return catalog_csv_err(d, POS_ERR_SYNTAX, r->line, 0, NULL,
                               "wrong number of columns (the header has a different count)");
    catalog_item_init(it);
    for (i = 0; i < ncols; i++) {
        const char *s = r->f[i];
        size_t col = i + 1;
        const char *cn = catalog_col_names[map[i]];

        switch ((enum catalog_col)map[i]) {
        case COL_SKU:
            if (!catalog_csv_set(it->sku, sizeof(it->sku), s))
                return catalog_csv_err(d, POS_ERR_LENGTH, r->line, col, cn, "sku too long");
            break;
        case COL_NAME:
            if (!catalog_csv_set(it->name, sizeof(it->name), s))
                return catalog_csv_err(d, POS_ERR_LENGTH, r->line, col, cn, "name too long");
            catalog_csv_fold(it->name);
            break;
        case COL_PRICE:
            pos_errdetail_init(&md);
            rc = money_parse(s, strlen(s), cur, &m, &md);
            if (rc != POS_OK)
                return catalog_csv_err(d, rc, r->line, col, cn, "price is not an amount");
            it->price = m.minor;
            break;
        case COL_TAX:
            if (s[0] != '\0' && !catalog_csv_uint(s, 10000, &v))
                return catalog_csv_err(d, POS_ERR_RANGE, r->line, col, cn,
                                       "tax_bps must be 0 to 10000");
            it->tax_bps = s[0] != '\0' ? (uint32_t)v : 0;
            break;
        case COL_CATEGORY:
            if (!catalog_csv_set(it->category, sizeof(it->category), s))
                return catalog_csv_err(d, POS_ERR_LENGTH, r->line, col, cn, "category too long");
            catalog_csv_fold(it->category);
            break;
        case COL_UNIT:
            if (s[0] != '\0' && !catalog_csv_set(it->unit, sizeof(it->unit), s))
                return catalog_csv_err(d, POS_ERR_LENGTH, r->line, col, cn, "unit too long");
            break;
        case COL_BARCODES: {
            const char *p = s;
            while (*p != '\0') {
                size_t n = strcspn(p, "; ");
                if (n > 0 && catalog_item_add_barcode(it, p, n) != POS_OK)
                    return catalog_csv_err(d, POS_ERR_RANGE, r->line, col, cn,
                                           "too many barcodes or one too long");
                p += n;
                if (*p != '\0')
                    p++;
            }
            break;
        }
        case COL_PLU:
            if (s[0] != '\0' && (!catalog_csv_uint(s, BARCODE_ITEM_CODE_MAX, &v) || v == 0))
                return catalog_csv_err(d, POS_ERR_RANGE, r->line, col, cn, "plu must be 1 to 99999");
            it->plu = s[0] != '\0' ? v : 0;
            break;
        case COL_REORDER:
            if (s[0] != '\0' && (catalog_qty_parse(s, strlen(s), &v) != POS_OK || v < 0))
                return catalog_csv_err(d, POS_ERR_RANGE, r->line, col, cn,
                                       "reorder_level must be a quantity >= 0");
            it->reorder_level = s[0] != '\0' ? v : 0;
            break;
        case COL_ACTIVE:
            if (s[0] != '\0' && !catalog_csv_bool(s, &it->active))
                return catalog_csv_err(d, POS_ERR_SYNTAX, r->line, col, cn,
                                       "active must be 1, 0, true or false");
            break;
        case COL_COUNT:
            break;
        }
    }
    rc = catalog_item_validate(it, &md);
    if (rc != POS_OK) {
        /* name the column the validator complained about */
        size_t col = 0;
        for (i = 0; i < ncols && col == 0; i++) {
            size_t n = strlen(catalog_col_names[map[i]]);
            if (strncmp(md.what, catalog_col_names[map[i]], n) == 0 ||
                (map[i] == COL_BARCODES && strncmp(md.what, "barcode", 7) == 0))
                col = i + 1;
        }
        return catalog_csv_err(d, rc, r->line, col, col ? catalog_col_names[map[col - 1]] : NULL,
                               md.what);
    }
    return POS_OK;
}

static int catalog_csv_header(const struct catalog_csv_rec *r, int *map, struct pos_errdetail *d)
{
    bool seen[COL_COUNT] = {false};
    size_t i, k;

    for (i = 0; i < r->n; i++) {
        for (k = 0; k < COL_COUNT; k++)
            if (strcmp(r->f[i], catalog_col_names[k]) == 0)
                break;
        if (k == COL_COUNT)
            return catalog_csv_err(d, POS_ERR_SYNTAX, r->line, i + 1, NULL, "unknown column name");
        if (seen[k])
            return catalog_csv_err(d, POS_ERR_SYNTAX, r->line, i + 1, r->f[i], "column named twice");
        seen[k] = true;
        map[i] = (int)k;
    }
    if (!seen[COL_SKU] || !seen[COL_NAME] || !seen[COL_PRICE])
        return catalog_csv_err(d, POS_ERR_SYNTAX, r->line, 0, NULL,
                               "the header must name sku, name and price");
    return POS_OK;
}

int catalog_import_csv(struct store *db, const char *buf, size_t len, const struct currency *cur,
                       size_t *n, struct pos_errdetail *d)
{
    struct catalog_csv c = {buf, len, 0, 1};
    struct catalog_csv_rec *r = NULL;
    struct catalog_item *it = NULL;
    int map[CATALOG_CSV_COLS];
    size_t ncols, count = 0;
    int64_t id;
    bool own = false, begun = false;
    int rc;

    if (cur == NULL || (buf == NULL && len > 0))
        return POS_ERR_INVAL;
    r = pos_malloc(sizeof(*r));
    it = pos_malloc(sizeof(*it));
    if (r == NULL || it == NULL) {
        rc = POS_ERR_NOMEM;
        goto out;
    }
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        c.off = 3; /* a UTF-8 byte order mark, as spreadsheets write */
    rc = catalog_csv_read(&c, r, d);
    if (rc == 0)
        rc = catalog_csv_err(d, POS_ERR_SYNTAX, 1, 0, NULL, "empty file: no header line");
    if (rc < 0)
        goto out;
    rc = catalog_csv_header(r, map, d);
    if (rc != POS_OK)
        goto out;
    ncols = r->n;
    rc = catalog__begin(db, &own);
    if (rc != POS_OK)
        goto out;
    begun = true;
    while ((rc = catalog_csv_read(&c, r, d)) == 1) {
        struct pos_errdetail wd;

        rc = catalog_csv_item(r, map, ncols, cur, it, d);
        if (rc != POS_OK)
            break;
        pos_errdetail_init(&wd);
        rc = catalog__write(db, it, 0, true, cur->numeric, &id, &wd);
        if (rc != POS_OK) {
            size_t col = 0, i;
            for (i = 0; i < ncols; i++)
                if ((map[i] == COL_BARCODES && strstr(wd.what, "barcode") != NULL) ||
                    (map[i] == COL_PLU && strstr(wd.what, "plu") != NULL))
                    col = i + 1;
            catalog_csv_err(d, rc, r->line, col, col ? catalog_col_names[map[col - 1]] : NULL, wd.what);
            break;
        }
        count++;
    }
    if (rc == 0)
        rc = POS_OK;
out:
    if (begun)
        rc = catalog__end(db, own, rc);
    if (rc == POS_OK && n != NULL)
        *n = count;
    pos_free(it);
    pos_free(r);
    return rc;
}

/* Writes s as one CSV field, quoted when it holds a comma, quote, line
 * break or leading/trailing space. */
static bool catalog_csv_put(FILE *f, const char *s, bool last)
{
    size_t n = strlen(s);
    bool q = strpbrk(s, ",\"\r\n") != NULL || (n > 0 && (s[0] == ' ' || s[n - 1] == ' '));
    bool ok = true;

    if (q) {
        ok = fputc('"', f) != EOF;
        for (; ok && *s != '\0'; s++)
            ok = (*s != '"' || fputc('"', f) != EOF) && fputc(*s, f) != EOF;
        ok = ok && fputc('"', f) != EOF;
    } else {
        ok = fputs(s, f) != EOF;
    }
    return ok && fputc(last ? '\n' : ',', f) != EOF;
}

struct catalog_export {
    FILE *f;
    const struct currency *cur;
};

static int catalog_export_one(void *arg, const struct catalog_item *it)
{
    struct catalog_export *x = arg;
    char price[MONEY_FORMAT_MAX], num[24], plu[24], reorder[CATALOG_QTY_TEXT_MAX];
    char codes[CATALOG_BARCODES_MAX * (CATALOG_BARCODE_MAX + 1) + 1];
    struct money m = {it->price, x->cur};
    size_t i, off = 0;
    bool ok;

    if (money_format(&m, price, sizeof(price), NULL) != POS_OK ||
        catalog_qty_format(it->reorder_level, reorder, sizeof(reorder)) != POS_OK)
        return POS_ERR_RANGE;
    snprintf(num, sizeof(num), "%u", (unsigned)it->tax_bps);
    plu[0] = '\0';
    if (it->plu != 0)
        snprintf(plu, sizeof(plu), "%lld", (long long)it->plu);
    codes[0] = '\0';
    for (i = 0; i < it->n_barcodes; i++) {
        size_t l = strlen(it->barcodes[i]);
        if (i > 0)
            codes[off++] = ';';
        memcpy(codes + off, it->barcodes[i], l + 1);
        off += l;
    }
    ok = catalog_csv_put(x->f, it->sku, false) && catalog_csv_put(x->f, it->name, false) &&
         catalog_csv_put(x->f, price, false) && catalog_csv_put(x->f, num, false) &&
         catalog_csv_put(x->f, it->category, false) && catalog_csv_put(x->f, it->unit, false) &&
         catalog_csv_put(x->f, codes, false) && catalog_csv_put(x->f, plu, false) &&
         catalog_csv_put(x->f, reorder, false) &&
         catalog_csv_put(x->f, it->active ? "1" : "0", true);
    return ok ? POS_OK : POS_ERR_IO;
}

int catalog_export_csv(struct store *db, const struct currency *cur, FILE *f)
{
    struct catalog_export x = {f, cur};
    int rc;

    if (cur == NULL || f == NULL)
        return POS_ERR_INVAL;
    if (fputs("sku,name,price,tax_bps,category,unit,barcodes,plu,reorder_level,active\n", f) ==
        EOF)
        return POS_ERR_IO;
    rc = catalog_list(db, NULL, true, catalog_export_one, &x);
    if (rc == POS_OK && fflush(f) != 0)
        rc = POS_ERR_IO;
    return rc;
}
