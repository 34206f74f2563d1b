/*
 * termcli: what the terminal's store commands share (pos item, stock,
 * employee, shift): option parsing with --db and --json, opening the
 * terminal database, mapping libpos errors to exit codes, amounts and
 * quantities as text.
 *
 * Exit codes (DESIGN.md §6): bad syntax of an argument (an amount, a
 * quantity, a barcode check digit, a field too long) is CLI_USAGE (2); a
 * refused operation on good input (unknown SKU or employee, duplicate SKU
 * or barcode, not enough stock, wrong PIN, locked out, not permitted, no
 * open shift) is CLI_FAILED (1).
 */
#ifndef POS_CLI_TERMCLI_H
#define POS_CLI_TERMCLI_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "money.h"
#include "store/store.h"

#define TERMCLI_POS_MAX   4
#define TERMCLI_OPTS_MAX  32
#define TERMCLI_MULTI_MAX 16

enum termcli_kind {
    TERMCLI_VALUE = 0, /* --opt VALUE or --opt=VALUE, last one wins */
    TERMCLI_FLAG,      /* --opt */
    TERMCLI_MULTI,     /* --opt VALUE, repeatable, collected in order */
};

struct termcli_opt {
    const char *name; /* "--sku" */
    enum termcli_kind kind;
};

struct termcli_args {
    const char *pos[TERMCLI_POS_MAX];
    int npos;
    const char *val[TERMCLI_OPTS_MAX]; /* per opts[] index; NULL when absent */
    bool flag[TERMCLI_OPTS_MAX];
    const char *multi[TERMCLI_MULTI_MAX];
    int nmulti;
    const char *db; /* --db, or NULL */
    bool json;      /* --json */
};

/* Parses argv[first..argc) against opts (NULL-name terminated, at most
 * TERMCLI_OPTS_MAX); --db and --json are always known. An argument not
 * starting with "--" is positional ("-2" is a positional negative number).
 * Returns CLI_OK, or CLI_USAGE after printing `pos: <what>: ...`. */
int termcli_parse(const char *what, int argc, char **argv, int first,
                  const struct termcli_opt *opts, struct termcli_args *a);

/* The value of option name (as listed in opts), NULL when absent. */
const char *termcli_get(const struct termcli_args *a, const struct termcli_opt *opts,
                        const char *name);
bool termcli_has(const struct termcli_args *a, const struct termcli_opt *opts, const char *name);

/* Opens the terminal database (tstore_path(a->db)); CLI_FAILED after an
 * error line when it cannot. *cur gets the terminal currency (may be NULL). */
int termcli_open(const char *what, const struct termcli_args *a, struct store **db,
                 const struct currency **cur);

/* Prints `pos: <what>: <detail or strerror>` and returns the exit code for
 * rc (see the top comment). */
int termcli_fail(const char *what, int rc, const struct pos_errdetail *d);

/* Parses an amount, an integer in [min, max], a quantity (milli-units):
 * CLI_OK, or CLI_USAGE after `pos: <what>: <opt> '<text>': why`. */
int termcli_money(const char *what, const char *opt, const char *text, const struct currency *cur,
                  int64_t *minor);
int termcli_int(const char *what, const char *opt, const char *text, int64_t min, int64_t max,
                int64_t *out);
int termcli_qty(const char *what, const char *opt, const char *text, int64_t *milli);

/* JSON strings of an amount ("12.34") and a quantity ("1.5"). */
json_t *termcli_money_json(int64_t minor, const struct currency *cur);
json_t *termcli_qty_json(int64_t milli);

/* Text forms into out (at least 32 bytes). */
void termcli_money_text(int64_t minor, const struct currency *cur, char *out, size_t cap);
void termcli_qty_text(int64_t milli, char *out, size_t cap);

/* s padded with spaces to cols display columns (Chinese characters count
 * two, textwidth.h) in out, for table columns printf's %-Ns would misalign
 * (it counts bytes). Longer text is kept whole. Returns out. */
const char *termcli_pad(const char *s, size_t cols, char *out, size_t cap);
#define TERMCLI_PAD_MAX 512

/* Copies the PIN of --pin into pin (cap bytes): the argument, or with "-"
 * the first line of stdin. CLI_USAGE after an error line when missing or
 * too long. The caller wipes pin. */
int termcli_pin(const char *what, const char *arg, char *pin, size_t cap);

/* An item as JSON: {"sku","name","price","currency","tax_bps","category",
 * "unit","barcodes":[..],"plu"(null or int),"reorder_level","qty","active"}. */
struct catalog_item;
json_t *termcli_item_json(const struct catalog_item *it, const struct currency *cur);

#endif
