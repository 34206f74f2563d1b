/* pvv: Visa PVV and IBM 3624 PIN offset (see pvv.h). */
#include "crypto/pvv.h"

#include <string.h>

#include <openssl/crypto.h>

#include "error.h"
#include "hex.h"
#include "mem.h"

int pvv_key_init(struct pvv_key *k, const uint8_t *pvk, size_t pvk_len)
{
    if (k == NULL)
        return POS_ERR_INVAL;
    memset(k, 0, sizeof(*k));
    if (pvk == NULL)
        return POS_ERR_INVAL;
    if (!block_alg_key_len_ok(BLOCK_TDES, pvk_len))
        return POS_ERR_KEY_LENGTH;
    return block_key_init(&k->bk, BLOCK_TDES, pvk, pvk_len);
}

void pvv_key_clear(struct pvv_key *k)
{
    if (k != NULL)
        block_key_clear(&k->bk);
}

static bool pvv__digit(char c)
{
    return c >= '0' && c <= '9';
}

static int pvv__check_pin(const char *pin, size_t len)
{
    if (pin == NULL)
        return POS_ERR_INVAL;
    if (len < PVV_PIN_MIN || len > PVV_PIN_MAX)
        return POS_ERR_PIN_LENGTH;
    if (!pos_is_digits(pin, len))
        return POS_ERR_DIGIT;
    return POS_OK;
}

/* Packs 16 hex/decimal characters into 8 bytes. */
static void pvv__pack(const char *s, uint8_t out[8])
{
    size_t i;

    for (i = 0; i < 8; i++)
        out[i] = (uint8_t)((pos_hex_value(s[2 * i]) << 4) | pos_hex_value(s[2 * i + 1]));
}

/* Visa decimalisation: decimal nibbles left to right, then the others - 10. */
static void pvv__decimalise(const uint8_t in[8], char *out, size_t n)
{
    size_t i, got = 0, pass;

    for (pass = 0; pass < 2 && got < n; pass++) {
        for (i = 0; i < 16 && got < n; i++) {
            unsigned v = (in[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xF;
            if (pass == 0 && v <= 9)
                out[got++] = (char)('0' + v);
            else if (pass == 1 && v > 9)
                out[got++] = (char)('0' + v - 10);
        }
    }
    out[n] = '\0';
}

int pvv_visa_generate(struct pvv_key *k, const char *pan, size_t pan_len, unsigned pvki,
                      const char *pin, size_t pin_len, char pvv[PVV_LEN + 1])
{
    char tsp[16];
    uint8_t block[8];
    int rc;

    if (k == NULL || pan == NULL || pvv == NULL)
        return POS_ERR_INVAL;
    if (pan_len < 12 || pan_len > 19 || !pos_is_digits(pan, pan_len))
        return POS_ERR_CARD_PAN;
    rc = pvv__check_pin(pin, pin_len);
    if (rc != POS_OK)
        return rc;
    if (pvki < 1 || pvki > 6)
        return POS_ERR_RANGE;
    /* TSP: 11 rightmost PAN digits without the check digit, PVKI, 4 PIN digits */
    memcpy(tsp, pan + pan_len - 12, 11);
    tsp[11] = (char)('0' + pvki);
    memcpy(tsp + 12, pin, 4);
    pvv__pack(tsp, block);
    rc = block_ecb_encrypt(&k->bk, block, 8, block);
    if (rc == POS_OK)
        pvv__decimalise(block, pvv, PVV_LEN);
    pos_wipe(tsp, sizeof(tsp));
    pos_wipe(block, sizeof(block));
    return rc;
}

int pvv_visa_verify(struct pvv_key *k, const char *pan, size_t pan_len, unsigned pvki,
                    const char *pin, size_t pin_len, const char *pvv, size_t pvv_len)
{
    char want[PVV_LEN + 1];
    int rc;

    if (pvv == NULL)
        return POS_ERR_INVAL;
    if (pvv_len != PVV_LEN || !pos_is_digits(pvv, pvv_len))
        return POS_ERR_SYNTAX;
    rc = pvv_visa_generate(k, pan, pan_len, pvki, pin, pin_len, want);
    if (rc == POS_OK && CRYPTO_memcmp(want, pvv, PVV_LEN) != 0)
        rc = POS_ERR_PIN_MISMATCH;
    pos_wipe(want, sizeof(want));
    return rc;
}

int pvv_ibm3624_natural_pin(struct pvv_key *k, const struct pvv_ibm3624 *p, size_t pin_len,
                            char *out)
{
    const char *tab;
    char vd[16];
    uint8_t block[8];
    size_t i;
    int rc;

    if (k == NULL || p == NULL || out == NULL || p->validation_data == NULL)
        return POS_ERR_INVAL;
    if (pin_len < PVV_PIN_MIN || pin_len > PVV_PIN_MAX)
        return POS_ERR_PIN_LENGTH;
    tab = p->dectab != NULL ? p->dectab : PVV_DECTAB_DEFAULT;
    if (strlen(tab) != 16 || !pos_is_digits(tab, 16))
        return POS_ERR_SYNTAX;
    if (p->validation_len < 1 || p->validation_len > 16 || pos_hex_value(p->pad) < 0)
        return POS_ERR_SYNTAX;
    for (i = 0; i < p->validation_len; i++)
        if (pos_hex_value(p->validation_data[i]) < 0)
            return POS_ERR_SYNTAX;
    memcpy(vd, p->validation_data, p->validation_len);
    memset(vd + p->validation_len, p->pad, 16 - p->validation_len);
    pvv__pack(vd, block);
    rc = block_ecb_encrypt(&k->bk, block, 8, block);
    if (rc == POS_OK) {
        for (i = 0; i < pin_len; i++)
            out[i] = tab[(block[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xF];
        out[pin_len] = '\0';
    }
    pos_wipe(vd, sizeof(vd));
    pos_wipe(block, sizeof(block));
    return rc;
}

int pvv_ibm3624_offset(struct pvv_key *k, const struct pvv_ibm3624 *p, const char *pin,
                       size_t pin_len, char *offset)
{
    char nat[PVV_PIN_MAX + 1];
    size_t i;
    int rc;

    if (offset == NULL)
        return POS_ERR_INVAL;
    rc = pvv__check_pin(pin, pin_len);
    if (rc == POS_OK)
        rc = pvv_ibm3624_natural_pin(k, p, pin_len, nat);
    if (rc == POS_OK) {
        for (i = 0; i < pin_len; i++)
            offset[i] = (char)('0' + (pin[i] - nat[i] + 10) % 10);
        offset[pin_len] = '\0';
    }
    pos_wipe(nat, sizeof(nat));
    return rc;
}

int pvv_ibm3624_verify(struct pvv_key *k, const struct pvv_ibm3624 *p, const char *pin,
                       size_t pin_len, const char *offset, size_t offset_len)
{
    char want[PVV_PIN_MAX + 1];
    size_t i;
    int rc;

    if (offset == NULL)
        return POS_ERR_INVAL;
    rc = pvv__check_pin(pin, pin_len);
    if (rc != POS_OK)
        return rc;
    if (offset_len != pin_len)
        return POS_ERR_SYNTAX;
    for (i = 0; i < offset_len; i++)
        if (!pvv__digit(offset[i]))
            return POS_ERR_SYNTAX;
    rc = pvv_ibm3624_offset(k, p, pin, pin_len, want);
    if (rc == POS_OK && CRYPTO_memcmp(want, offset, pin_len) != 0)
        rc = POS_ERR_PIN_MISMATCH;
    pos_wipe(want, sizeof(want));
    return rc;
}
