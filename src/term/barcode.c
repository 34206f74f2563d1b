/* barcode: GS1 check digits and the terminal's embedded EAN-13 labels. */
#include "term/barcode.h"

#include "error.h"

/* GS1 General Specifications §7.9.1: multiply the data digits, from the
 * rightmost, alternately by 3 and 1; the check digit is the amount that
 * brings the sum to the next multiple of ten. */
int barcode_check_digit(const char *digits, size_t len, char *out)
{
    unsigned sum = 0;
    size_t i;

    if (len == 0 || len > 17)
        return POS_ERR_LENGTH;
    for (i = 0; i < len; i++) {
        char c = digits[len - 1 - i];
        if (c < '0' || c > '9')
            return POS_ERR_DIGIT;
        sum += (unsigned)(c - '0') * (i % 2 == 0 ? 3u : 1u);
    }
    *out = (char)('0' + (10 - sum % 10) % 10);
    return POS_OK;
}

bool barcode_is_gtin(const char *s, size_t len)
{
    size_t i;

    if (len != BARCODE_EAN8_LEN && len != BARCODE_UPCA_LEN && len != BARCODE_EAN13_LEN &&
        len != BARCODE_GTIN14_LEN)
        return false;
    for (i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

int barcode_validate(const char *s, size_t len)
{
    char k;
    int rc;

    if (len != BARCODE_EAN8_LEN && len != BARCODE_UPCA_LEN && len != BARCODE_EAN13_LEN &&
        len != BARCODE_GTIN14_LEN)
        return POS_ERR_LENGTH;
    rc = barcode_check_digit(s, len - 1, &k);
    if (rc != POS_OK)
        return rc;
    if (s[len - 1] < '0' || s[len - 1] > '9')
        return POS_ERR_DIGIT;
    return s[len - 1] == k ? POS_OK : POS_ERR_CHECK_DIGIT;
}

bool barcode_is_embedded(const char *s, size_t len)
{
    size_t i;

    if (len != BARCODE_EAN13_LEN || s[0] != '2' || (s[1] != '1' && s[1] != '2'))
        return false;
    for (i = 2; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static uint32_t barcode_digits5(const char *s)
{
    uint32_t v = 0;
    size_t i;

    for (i = 0; i < 5; i++)
        v = v * 10 + (uint32_t)(s[i] - '0');
    return v;
}

int barcode_embedded_decode(const char *s, size_t len, struct barcode_embedded *out)
{
    uint32_t code;
    int rc;

    if (!barcode_is_embedded(s, len))
        return POS_ERR_UNSUPPORTED;
    rc = barcode_validate(s, len);
    if (rc != POS_OK)
        return rc;
    code = barcode_digits5(s + 2);
    if (code == 0)
        return POS_ERR_RANGE;
    out->kind = s[1] == '1' ? BARCODE_EMBEDDED_WEIGHT : BARCODE_EMBEDDED_PRICE;
    out->item_code = code;
    out->value = barcode_digits5(s + 7);
    return POS_OK;
}

static void barcode_put5(char *p, uint32_t v)
{
    int i;

    for (i = 4; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

int barcode_embedded_encode(const struct barcode_embedded *e, char out[BARCODE_EAN13_LEN + 1])
{
    if (e->kind != BARCODE_EMBEDDED_WEIGHT && e->kind != BARCODE_EMBEDDED_PRICE)
        return POS_ERR_INVAL;
    if (e->item_code == 0 || e->item_code > BARCODE_ITEM_CODE_MAX ||
        e->value > BARCODE_VALUE_MAX)
        return POS_ERR_RANGE;
    out[0] = '2';
    out[1] = e->kind == BARCODE_EMBEDDED_WEIGHT ? '1' : '2';
    barcode_put5(out + 2, e->item_code);
    barcode_put5(out + 7, e->value);
    (void)barcode_check_digit(out, 12, &out[12]);
    out[13] = '\0';
    return POS_OK;
}
