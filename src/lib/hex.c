/* hex: hexadecimal and digit helpers. */
#include "hex.h"

#include "error.h"

static const char pos__hexdig[16] = "0123456789ABCDEF";

int pos_hex_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
    size_t i;

    if (cap == 0 || len > (cap - 1) / 2)
        return POS_ERR_NOSPACE;
    for (i = 0; i < len; i++) {
        out[2 * i] = pos__hexdig[in[i] >> 4];
        out[2 * i + 1] = pos__hexdig[in[i] & 0x0F];
    }
    out[2 * len] = '\0';
    return POS_OK;
}

int pos_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int pos_hex_decode(const char *hex, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t i;

    if (len % 2 != 0)
        return POS_ERR_HEX;
    if (len / 2 > cap)
        return POS_ERR_NOSPACE;
    for (i = 0; i < len; i += 2) {
        int hi = pos_hex_value(hex[i]);
        int lo = pos_hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0)
            return POS_ERR_HEX;
        out[i / 2] = (uint8_t)((hi << 4) | lo);
    }
    if (out_len != NULL)
        *out_len = len / 2;
    return POS_OK;
}

bool pos_is_digits(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

int pos_parse_digits_u64(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    size_t i;

    if (len == 0 || len > 18)
        return POS_ERR_LENGTH;
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return POS_ERR_DIGIT;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return POS_OK;
}
