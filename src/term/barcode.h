/*
 * barcode: GTIN check digits (EAN-8, UPC-A, EAN-13, GTIN-14) and the
 * terminal's weight- and price-embedded EAN-13 labels.
 *
 * Standard: GS1 General Specifications, Release 24.0 (January 2024),
 * §7.9.1 "Standard check digit calculations for GS1 data structures"
 * (weights 3,1,3,1... from the rightmost data digit; the check digit brings
 * the weighted sum to a multiple of 10) and §2.1.11 / Figure 1.4.4 (GS1
 * Prefixes 20-29: Restricted Circulation Numbers within a company, used by
 * shops for variable-measure items).
 *
 * The embedded layout (EAN-13, documented in docs/terminal-store.md):
 *     2 F CCCCC VVVVV K
 *   '2'    the GS1 restricted-circulation prefix;
 *   F      '1' = V is the weight in grams (thousandths of a kg),
 *          '2' = V is the price in minor units of the terminal currency;
 *          other values (20, 23-29) are not embedded: such codes are
 *          ordinary in-store barcodes looked up as they are;
 *   CCCCC  the item code (the item's PLU, 1..99999);
 *   VVVVV  the weight or price, 0..99999;
 *   K      the EAN-13 check digit over the first twelve digits.
 *
 * Pure functions over bytes: no allocation, no I/O.
 */
#ifndef POS_TERM_BARCODE_H
#define POS_TERM_BARCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BARCODE_EAN8_LEN   8
#define BARCODE_UPCA_LEN   12
#define BARCODE_EAN13_LEN  13
#define BARCODE_GTIN14_LEN 14

#define BARCODE_ITEM_CODE_MAX 99999u
#define BARCODE_VALUE_MAX     99999u

/* Computes the GS1 check digit of the len data digits at digits (1..17,
 * the code without its check digit) into *out ('0'..'9'). Returns POS_OK,
 * POS_ERR_LENGTH (len 0 or over 17) or POS_ERR_DIGIT (a non-digit). */
int barcode_check_digit(const char *digits, size_t len, char *out);

/* true when s (len chars) has the length of a GTIN (8, 12, 13 or 14) and
 * only digits: such codes must carry a correct check digit. */
bool barcode_is_gtin(const char *s, size_t len);

/* Validates a GTIN (EAN-8, UPC-A, EAN-13, GTIN-14): POS_OK,
 * POS_ERR_LENGTH (another length), POS_ERR_DIGIT (a non-digit),
 * POS_ERR_CHECK_DIGIT (the last digit is wrong). */
int barcode_validate(const char *s, size_t len);

enum barcode_embedded_kind {
    BARCODE_EMBEDDED_WEIGHT = 1, /* value: grams (= milli-kg) */
    BARCODE_EMBEDDED_PRICE = 2,  /* value: minor units */
};

struct barcode_embedded {
    enum barcode_embedded_kind kind;
    uint32_t item_code; /* 1..BARCODE_ITEM_CODE_MAX */
    uint32_t value;     /* 0..BARCODE_VALUE_MAX */
};

/* true when s (len chars) is 13 digits starting "21" or "22" (a label
 * barcode_embedded_decode would read; the check digit is not verified). */
bool barcode_is_embedded(const char *s, size_t len);

/* Reads an embedded label. Returns POS_OK with *out; POS_ERR_UNSUPPORTED
 * when s is not 13 digits starting "21"/"22"; POS_ERR_CHECK_DIGIT;
 * POS_ERR_RANGE for item code 00000. *out is untouched on error. */
int barcode_embedded_decode(const char *s, size_t len, struct barcode_embedded *out);

/* Writes the label for e and a NUL into out (BARCODE_EAN13_LEN + 1 bytes).
 * POS_ERR_INVAL for a bad kind, POS_ERR_RANGE for an item code or value
 * out of range. */
int barcode_embedded_encode(const struct barcode_embedded *e, char out[BARCODE_EAN13_LEN + 1]);

#endif
