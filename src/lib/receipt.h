/*
 * receipt: the sales receipt / card slip model and its plain-text renderer.
 *
 * What a receipt carries follows a China UnionPay POS slip (签购单): the
 * merchant's name, merchant ID (MID, ISO 8583 field 42) and terminal ID
 * (TID, field 41), the operator, the card brand, the masked PAN (PCI DSS
 * v4.0 req. 3.4.1: first six and last four digits at most), the entry mode,
 * the transaction type, the batch number (field 60.2), the trace number /
 * STAN (field 11), the retrieval reference number (RRN, field 37), the
 * authorization code (field 38), the date and time and the amount; then the
 * shop's part: items, subtotal, tax per rate, total, tenders with change, a
 * footer, an optional QR payload and, on the merchant copy of a card
 * payment, the cardholder's signature line.
 *
 * The model (struct receipt) is caller-owned and holds views: every string
 * is a NUL-terminated UTF-8 pointer owned by the caller, NULL or "" meaning
 * absent, and must outlive the render call. Nothing here allocates.
 * Amounts are int64 minor units of the receipt's currency and are formatted
 * with money_format. Text that is not well-formed UTF-8, and control
 * characters (C0, DEL, C1; a tab becomes a space), print as '?': no byte
 * of a field can turn into a printer command.
 *
 * The PAN rule: the PAN (and a card tender's detail) goes through
 * receipt_pan_display before it is printed, so a clear PAN can never reach a
 * receipt: all digits -> card_pan_mask (first 6, last 4); already masked
 * ('*' over every position but the first 6 and last 4) -> kept; anything
 * else -> masked in full.
 *
 * Layout (see docs/receipts.md): widths of 32, 42 or 48 columns (58 mm and
 * 80 mm paper, fonts A and B); East Asian wide characters count 2 columns
 * (textwidth.h); long names wrap, never inside a UTF-8 sequence nor across a
 * double-width character; amounts are right-aligned.
 */
#ifndef POS_RECEIPT_H
#define POS_RECEIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct currency;
struct pos_errdetail;

/* Limits, checked by receipt_check. */
#define RECEIPT_ITEMS_MAX   1000u
#define RECEIPT_TAXES_MAX   16u
#define RECEIPT_TENDERS_MAX 16u
#define RECEIPT_FIELD_MAX   512u  /* bytes of any one text field ... */
#define RECEIPT_FOOTER_MAX  1024u /* ... but the footer */
#define RECEIPT_QR_MAX      2048u /* ... and the QR payload */
/* Longest line the layout hands to a receipt_emit_fn (bytes, no NUL). */
#define RECEIPT_LINE_MAX 4096u
/* Buffer for receipt_pan_display: 19 characters and the NUL. */
#define RECEIPT_PAN_BUF 20u

enum receipt_copy { RECEIPT_COPY_CUSTOMER = 0, RECEIPT_COPY_MERCHANT };

enum receipt_txn {
    RECEIPT_TXN_NONE = 0,   /* no type line (e.g. a cash sale's plain receipt) */
    RECEIPT_TXN_SALE,       /* SALE 消费 */
    RECEIPT_TXN_VOID,       /* VOID 撤销 */
    RECEIPT_TXN_REFUND,     /* REFUND 退货 */
    RECEIPT_TXN_PREAUTH,    /* PRE-AUTH 预授权 */
    RECEIPT_TXN_COMPLETION, /* COMPLETION 预授权完成 */
    RECEIPT_TXN_BALANCE     /* BALANCE 余额查询 */
};

enum receipt_entry {
    RECEIPT_ENTRY_NONE = 0,
    RECEIPT_ENTRY_SWIPE,       /* SWIPE 刷卡 */
    RECEIPT_ENTRY_CHIP,        /* CHIP 插卡 */
    RECEIPT_ENTRY_CONTACTLESS, /* CONTACTLESS 挥卡 */
    RECEIPT_ENTRY_KEYED        /* KEYED 手输 */
};

enum receipt_tender_kind {
    RECEIPT_TENDER_CASH = 0, /* CASH 现金, with change */
    RECEIPT_TENDER_CARD,     /* CARD 银行卡, detail = PAN (masked on print) */
    RECEIPT_TENDER_WALLET    /* WALLET 扫码, detail = wallet name */
};

struct receipt_item {
    const char *name;   /* required */
    int64_t qty_milli;  /* thousandths: 1000 = 1, 350 = 0.350 (of unit) */
    const char *unit;   /* "kg", or NULL for pieces */
    int64_t unit_price; /* minor units */
    int64_t total;      /* the line's amount, minor units */
    int64_t discount;   /* minor units taken off (printed when non-zero) */
};

struct receipt_tax {
    const char *label; /* "VAT", "增值税"; required */
    uint32_t rate_bps; /* 1300 = 13 %; 0..10000 */
    int64_t amount;    /* minor units */
    bool included;     /* tax included in the prices (printed "incl.") */
};

struct receipt_tender {
    enum receipt_tender_kind kind;
    int64_t amount;     /* minor units tendered (cash: handed over) */
    int64_t change;     /* cash only: change given back (printed if non-zero) */
    const char *detail; /* card: PAN (masked on print); wallet: its name */
};

struct receipt {
    enum receipt_copy copy;
    bool reprint;               /* prints "REPRINT / 重印" large at the top */
    const struct currency *cur; /* required (money.h) */
    const char *merchant_name;  /* required; may be Chinese */
    const char *merchant_id;    /* MID */
    const char *terminal_id;    /* TID */
    const char *operator_id;    /* cashier number */
    enum receipt_txn txn;
    const char *datetime;  /* "2026-01-31 14:05:09" as the caller wants it */
    const char *batch;     /* "000123" */
    const char *trace;     /* STAN "000456" */
    const char *rrn;       /* "123456789012" */
    const char *auth_code; /* "AB12CD" */
    /* card slip: printed when pan is present */
    const char *card_brand; /* "UNIONPAY" */
    const char *pan;        /* clear or masked: always printed masked */
    enum receipt_entry entry;
    bool has_amount; /* the slip's AMOUNT 金额 line */
    int64_t amount;
    const struct receipt_item *items;
    size_t item_count;
    bool has_subtotal;
    int64_t subtotal;
    const struct receipt_tax *taxes;
    size_t tax_count;
    bool has_total;
    int64_t total;
    const struct receipt_tender *tenders;
    size_t tender_count;
    const char *footer; /* '\n' separates lines; centered */
    const char *qr;     /* optional payload (URL, EMVCo MPM) */
};

/* One line of the laid-out receipt, handed to a receipt_emit_fn. */
enum receipt_line_kind {
    RECEIPT_LINE_TEXT = 0, /* text: a line to print */
    RECEIPT_LINE_QR        /* text: a QR payload to print as a symbol */
};

enum receipt_align { RECEIPT_ALIGN_LEFT = 0, RECEIPT_ALIGN_CENTER, RECEIPT_ALIGN_RIGHT };

struct receipt_line {
    enum receipt_line_kind kind;
    enum receipt_align align; /* where the text goes within cols */
    bool bold;
    bool large;       /* double width and height on a printer */
    const char *text; /* UTF-8 without controls; valid during the call only */
    size_t len;       /* bytes of text */
    size_t width;     /* columns of text (<= cols) */
    size_t cols;      /* columns available: width, or width / 2 when large
                         on a printer */
};

/* Called once per line, in order; a non-zero return stops the layout and
 * is returned by receipt_layout. */
typedef int (*receipt_emit_fn)(void *ctx, const struct receipt_line *line);

/* Sets every member of *r to absent/zero: customer copy, no reprint, no
 * currency (receipt_check then wants one), RECEIPT_TXN_NONE. */
void receipt_init(struct receipt *r);

/* Checks r before rendering: currency and merchant name present; counts
 * within the limits above (and arrays non-NULL when counts are); every text
 * field within its byte limit; amounts, quantities and discounts not
 * INT64_MIN; tax rates 0..10000; enum values known. Returns POS_OK,
 * POS_ERR_INVAL (r NULL, a required field missing, a bad enum or array),
 * POS_ERR_LENGTH (a field too long), POS_ERR_RANGE (a count or rate);
 * d (may be NULL) names the field ("items[3].name"). */
int receipt_check(const struct receipt *r, struct pos_errdetail *d);

/* Writes what the receipt prints for pan (see the top comment) into out
 * (RECEIPT_PAN_BUF bytes, NUL-terminated). Returns POS_OK, POS_ERR_INVAL
 * (NULL) or POS_ERR_CARD_PAN (longer than CARD_PAN_MAX characters: refused;
 * out is then ""). */
int receipt_pan_display(const char *pan, char out[RECEIPT_PAN_BUF]);

/* Lays r out for width columns (32, 42 or 48) and calls emit for each line.
 * With printer true, large lines get width / 2 columns (they are printed
 * double width) and the QR payload is one RECEIPT_LINE_QR line; with
 * printer false large lines get the full width and the QR payload is
 * printed as wrapped text lines instead. Returns POS_OK, receipt_check's
 * errors, POS_ERR_RANGE (width), POS_ERR_CARD_PAN, money_format's errors,
 * or the first non-zero value emit returned. */
int receipt_layout(const struct receipt *r, unsigned width, bool printer, receipt_emit_fn emit,
                   void *ctx, struct pos_errdetail *d);

/* Renders r as plain UTF-8 text of width columns into out (cap bytes): one
 * line per laid-out line, each ended by '\n', centered and right-aligned
 * lines padded with spaces on the left, no trailing spaces; then a NUL.
 * *out_len (may be NULL) gets the length without the NUL. Returns POS_OK,
 * receipt_layout's errors, or POS_ERR_NOSPACE (out too small: out is then
 * "" when cap > 0; never a silently truncated receipt). */
int receipt_render_text(const struct receipt *r, unsigned width, char *out, size_t cap,
                        size_t *out_len, struct pos_errdetail *d);

/* "SALE 消费" ... (the printed label), "" for RECEIPT_TXN_NONE; never NULL. */
const char *receipt_txn_label(enum receipt_txn txn);

/* Parses a transaction type name, any case: "sale", "void", "refund",
 * "preauth" (or "pre-auth"), "completion", "balance". POS_OK or
 * POS_ERR_NOT_FOUND. */
int receipt_txn_parse(const char *name, enum receipt_txn *out);

/* Parses "swipe", "chip", "contactless", "keyed". POS_OK or
 * POS_ERR_NOT_FOUND. */
int receipt_entry_parse(const char *name, enum receipt_entry *out);

/* Parses "cash", "card", "wallet". POS_OK or POS_ERR_NOT_FOUND. */
int receipt_tender_parse(const char *name, enum receipt_tender_kind *out);

/* Parses a quantity "2", "0.350", "1.5" (up to 3 decimals, no sign, at most
 * 1,000,000) into thousandths. POS_OK, POS_ERR_SYNTAX or POS_ERR_RANGE. */
int receipt_qty_parse(const char *s, size_t len, int64_t *qty_milli);

/* Formats thousandths: "2" when whole, else with three decimals ("0.350",
 * "1.500"), into out (cap bytes, NUL-terminated; 24 always suffices).
 * POS_OK, POS_ERR_NOSPACE or POS_ERR_INVAL (INT64_MIN). */
int receipt_qty_format(int64_t qty_milli, char *out, size_t cap);

#endif
