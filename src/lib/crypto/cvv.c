/* cvv: CVV, CVV2 and iCVV generation and verification (see cvv.h). */
#include "crypto/cvv.h"

#include <string.h>

#include <openssl/crypto.h>

#include "crypto/block.h"
#include "error.h"
#include "hex.h"
#include "mem.h"

/* Visa decimalisation of the 16 hex digits of r: decimal digits first. */
static void cvv__decimalise(const uint8_t r[8], char *out, size_t n)
{
    size_t i, got = 0, pass;

    for (pass = 0; pass < 2 && got < n; pass++) {
        for (i = 0; i < 16 && got < n; i++) {
            unsigned v = (r[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xF;
            if ((pass == 0) == (v <= 9))
                out[got++] = (char)('0' + (v <= 9 ? v : v - 10));
        }
    }
    out[n] = '\0';
}

int cvv_generate(const uint8_t *cvk, size_t cvk_len, const char *pan, size_t pan_len,
                 const char *expiry, const char *service_code, char out[CVV_LEN + 1])
{
    char digits[32];
    uint8_t b[16];
    size_t i, n;
    int rc;

    if (cvk == NULL || pan == NULL || expiry == NULL || service_code == NULL || out == NULL)
        return POS_ERR_INVAL;
    if (cvk_len != CVV_CVK_LEN)
        return POS_ERR_KEY_LENGTH;
    if (pan_len < 12 || pan_len > 19 || !pos_is_digits(pan, pan_len))
        return POS_ERR_CARD_PAN;
    if (strlen(expiry) != 4 || !pos_is_digits(expiry, 4))
        return POS_ERR_CARD_EXPIRY;
    if (strlen(service_code) != 3 || !pos_is_digits(service_code, 3))
        return POS_ERR_SYNTAX;
    /* step 1: PAN || YYMM || service code, zero-filled to 32 digits */
    memset(digits, '0', sizeof(digits));
    memcpy(digits, pan, pan_len);
    memcpy(digits + pan_len, expiry, 4);
    memcpy(digits + pan_len + 4, service_code, 3);
    n = sizeof(digits) / 2;
    for (i = 0; i < n; i++)
        b[i] = (uint8_t)(((digits[2 * i] - '0') << 4) | (digits[2 * i + 1] - '0'));
    /* step 2: single DES under KA, xor B2, then TDES (KA, KB, KA) */
    rc = block_ecb(BLOCK_TDES, cvk, 8, true, b, 8, b);
    if (rc == POS_OK) {
        block_xor(b, b + 8, 8);
        rc = block_ecb(BLOCK_TDES, cvk, CVV_CVK_LEN, true, b, 8, b);
    }
    if (rc == POS_OK)
        cvv__decimalise(b, out, CVV_LEN);
    pos_wipe(digits, sizeof(digits));
    pos_wipe(b, sizeof(b));
    return rc;
}

int cvv_verify(const uint8_t *cvk, size_t cvk_len, const char *pan, size_t pan_len,
               const char *expiry, const char *service_code, const char *cvv, size_t cvv_len)
{
    char want[CVV_LEN + 1];
    int rc;

    if (cvv == NULL)
        return POS_ERR_INVAL;
    if (cvv_len != CVV_LEN || !pos_is_digits(cvv, cvv_len))
        return POS_ERR_SYNTAX;
    rc = cvv_generate(cvk, cvk_len, pan, pan_len, expiry, service_code, want);
    if (rc == POS_OK && CRYPTO_memcmp(want, cvv, CVV_LEN) != 0)
        rc = POS_ERR_CVV_MISMATCH;
    pos_wipe(want, sizeof(want));
    return rc;
}
