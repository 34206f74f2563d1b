/* pinblock: ISO 9564-1:2017 PIN blocks (formats 0-4) and the UnionPay SM4
 * PIN block. Works on nibble arrays on the stack, wiped on every path. */
#include "crypto/pinblock.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "error.h"
#include "hex.h"
#include "mem.h"

#define PB_NIBBLES (2 * PINBLOCK_MAX_LEN)

size_t pinblock_format_len(enum pinblock_format f)
{
    switch (f) {
    case PINBLOCK_ISO0:
    case PINBLOCK_ISO1:
    case PINBLOCK_ISO2:
    case PINBLOCK_ISO3:
        return 8;
    case PINBLOCK_ISO4:
    case PINBLOCK_CUP_SM4:
        return 16;
    }
    return 0;
}

enum block_alg pinblock_format_alg(enum pinblock_format f)
{
    switch (f) {
    case PINBLOCK_ISO0:
    case PINBLOCK_ISO1:
    case PINBLOCK_ISO2:
    case PINBLOCK_ISO3:
        return BLOCK_TDES;
    case PINBLOCK_ISO4:
        return BLOCK_AES;
    case PINBLOCK_CUP_SM4:
        return BLOCK_SM4;
    }
    return (enum block_alg)0;
}

bool pinblock_format_has_pan(enum pinblock_format f)
{
    return f == PINBLOCK_ISO0 || f == PINBLOCK_ISO3 || f == PINBLOCK_ISO4 || f == PINBLOCK_CUP_SM4;
}

/* The control nibble of §9.3.1 (the CUP SM4 block is a widened format 0). */
static unsigned pb__control(enum pinblock_format f)
{
    return f == PINBLOCK_CUP_SM4 ? 0u : (unsigned)f;
}

/* First nibble of the clear block that the PAN field covers: the XOR of
 * §9.3.2.1 / §9.3.5.1 touches nibbles 4..15 (the first four PAN-field
 * nibbles are zero); the CUP SM4 PAN field covers nibbles 20..31. Nibbles
 * from here on are reported as POS_ERR_PIN_PAN when they are wrong. */
static size_t pb__pan_start(enum pinblock_format f)
{
    switch (f) {
    case PINBLOCK_ISO0:
    case PINBLOCK_ISO3:
        return 4;
    case PINBLOCK_CUP_SM4:
        return 20;
    default:
        return PB_NIBBLES; /* no PAN in the clear block */
    }
}

/* §8.1: 4 to 12 decimal digits. */
static int pb__check_pin(const char *pin, size_t pin_len)
{
    if (pin == NULL || pin_len < PINBLOCK_PIN_MIN || pin_len > PINBLOCK_PIN_MAX)
        return POS_ERR_PIN_LENGTH;
    if (!pos_is_digits(pin, pin_len))
        return POS_ERR_DIGIT;
    return POS_OK;
}

static int pb__check_pan(const char *pan, size_t pan_len)
{
    if (pan == NULL || pan_len == 0 || pan_len > PINBLOCK_PAN_MAX || !pos_is_digits(pan, pan_len))
        return POS_ERR_CARD_PAN;
    return POS_OK;
}

static void pb__pack(const uint8_t *nib, size_t len, uint8_t *out)
{
    size_t i;

    for (i = 0; i < len; i++)
        out[i] = (uint8_t)((nib[2 * i] << 4) | nib[2 * i + 1]);
}

static void pb__unpack(const uint8_t *in, size_t len, uint8_t *nib)
{
    size_t i;

    for (i = 0; i < len; i++) {
        nib[2 * i] = in[i] >> 4;
        nib[2 * i + 1] = in[i] & 0x0F;
    }
}

/* n random nibbles into nib: any value 0-F, or A-F when a_to_f (format 3,
 * §9.3.5.2), drawn without bias by rejecting bytes >= 252 (= 42 * 6). */
static int pb__random_nibbles(uint8_t *nib, size_t n, bool a_to_f)
{
    uint8_t rnd[32];
    size_t i = 0, r = sizeof(rnd);
    int rc = POS_OK;

    while (i < n) {
        if (r == sizeof(rnd)) {
            if (RAND_bytes(rnd, (int)sizeof(rnd)) != 1) {
                rc = POS_ERR_CRYPTO;
                goto out;
            }
            r = 0;
        }
        if (!a_to_f) {
            nib[i++] = rnd[r++] & 0x0F;
        } else if (rnd[r] < 252) {
            nib[i++] = (uint8_t)(0x0A + rnd[r++] % 6);
        } else {
            r++;
        }
    }
out:
    pos_wipe(rnd, sizeof(rnd));
    return rc;
}

/* The clear PIN field of f as nibbles (2 * block length of them). */
static int pb__pin_field(enum pinblock_format f, const char *pin, size_t pin_len, uint8_t *nib)
{
    size_t n = 2 * pinblock_format_len(f), i;

    nib[0] = (uint8_t)pb__control(f);
    nib[1] = (uint8_t)pin_len;
    for (i = 0; i < pin_len; i++)
        nib[2 + i] = (uint8_t)(pin[i] - '0');
    switch (f) {
    case PINBLOCK_ISO1: /* §9.3.3: transaction field, here random */
        return pb__random_nibbles(nib + 2 + pin_len, n - 2 - pin_len, false);
    case PINBLOCK_ISO3: /* §9.3.5.2: random fill A-F */
        return pb__random_nibbles(nib + 2 + pin_len, n - 2 - pin_len, true);
    case PINBLOCK_ISO4: /* §9.4.2.2.2: fill A to nibble 15, then random */
        memset(nib + 2 + pin_len, 0x0A, 16 - 2 - pin_len);
        return pb__random_nibbles(nib + 16, 16, false);
    default: /* formats 0 and 2, CUP SM4: fill F */
        memset(nib + 2 + pin_len, 0x0F, n - 2 - pin_len);
        return POS_OK;
    }
}

/* The PAN field of f as nibbles (all zero for formats without a PAN). */
static void pb__pan_field(enum pinblock_format f, const char *pan, size_t pan_len, uint8_t *nib)
{
    size_t n = 2 * pinblock_format_len(f), start = pb__pan_start(f), i;
    size_t digits = pan_len - 1; /* the PAN without its check digit */

    memset(nib, 0, n);
    if (f == PINBLOCK_ISO4) {
        /* §9.4.2.2.3: M = length - 12 (0 below 12 digits), then the PAN */
        if (pan_len < 12) {
            for (i = 0; i < pan_len; i++)
                nib[1 + 12 - pan_len + i] = (uint8_t)(pan[i] - '0');
        } else {
            nib[0] = (uint8_t)(pan_len - 12);
            for (i = 0; i < pan_len; i++)
                nib[1 + i] = (uint8_t)(pan[i] - '0');
        }
        return;
    }
    if (start >= n)
        return;
    /* §9.3.2.3: the 12 rightmost digits excluding the check digit, right
     * justified, zero-padded on the left. */
    for (i = 0; i < 12; i++) {
        if (digits + i >= 12)
            nib[start + i] = (uint8_t)(pan[digits + i - 12] - '0');
    }
}

/* Checks the clear PIN field nib (of f) and copies the PIN out. Nibbles at
 * or past pan_start report POS_ERR_PIN_PAN (see the header). */
static int pb__parse(enum pinblock_format f, const uint8_t *nib, size_t pan_start, char *pin,
                     size_t pin_cap, size_t *pin_len)
{
    size_t n = 2 * pinblock_format_len(f), len = nib[1], i;
    uint8_t v;

#define PB_FAIL(pos, code) ((pos) >= pan_start ? POS_ERR_PIN_PAN : (code))
    if (nib[0] != pb__control(f))
        return PB_FAIL(0, POS_ERR_PIN_FORMAT);
    if (len < PINBLOCK_PIN_MIN || len > PINBLOCK_PIN_MAX)
        return PB_FAIL(1, POS_ERR_PIN_LENGTH);
    for (i = 2; i < n; i++) {
        v = nib[i];
        if (i < 2 + len) {
            if (v > 9)
                return PB_FAIL(i, POS_ERR_PIN_FORMAT);
        } else if (f == PINBLOCK_ISO3) {
            if (v < 0x0A)
                return PB_FAIL(i, POS_ERR_PIN_FORMAT);
        } else if (f == PINBLOCK_ISO4) {
            if (i < 16 && v != 0x0A)
                return PB_FAIL(i, POS_ERR_PIN_FORMAT);
        } else if (f != PINBLOCK_ISO1) {
            if (v != 0x0F)
                return PB_FAIL(i, POS_ERR_PIN_FORMAT);
        }
    }
#undef PB_FAIL
    if (pin_cap < len + 1)
        return POS_ERR_NOSPACE;
    for (i = 0; i < len; i++)
        pin[i] = (char)('0' + nib[2 + i]);
    pin[len] = '\0';
    *pin_len = len;
    return POS_OK;
}

/* Validates the arguments common to encoding (format, PIN, PAN, space). */
static int pb__check_encode(enum pinblock_format f, const char *pin, size_t pin_len,
                            const char *pan, size_t pan_len, bool need_pan, size_t cap)
{
    size_t bl = pinblock_format_len(f);
    int rc;

    if (bl == 0)
        return POS_ERR_INVAL;
    rc = pb__check_pin(pin, pin_len);
    if (rc != POS_OK)
        return rc;
    if (need_pan && (rc = pb__check_pan(pan, pan_len)) != POS_OK)
        return rc;
    return cap < bl ? POS_ERR_NOSPACE : POS_OK;
}

int pinblock_encode(enum pinblock_format f, const char *pin, size_t pin_len, const char *pan,
                    size_t pan_len, uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t pin_nib[PB_NIBBLES], pan_nib[PB_NIBBLES];
    size_t bl = pinblock_format_len(f), i;
    bool need_pan = pinblock_format_has_pan(f) && f != PINBLOCK_ISO4;
    int rc;

    rc = pb__check_encode(f, pin, pin_len, pan, pan_len, need_pan, cap);
    if (rc != POS_OK)
        goto out;
    rc = pb__pin_field(f, pin, pin_len, pin_nib);
    if (rc != POS_OK)
        goto out;
    if (need_pan) {
        /* §9.3.2.1 / §9.3.5.1: PIN field XOR PAN field */
        pb__pan_field(f, pan, pan_len, pan_nib);
        for (i = 0; i < 2 * bl; i++)
            pin_nib[i] ^= pan_nib[i];
    }
    pb__pack(pin_nib, bl, out);
    *out_len = bl;
out:
    if (rc != POS_OK && out != NULL)
        pos_wipe(out, cap < bl ? cap : bl);
    pos_wipe(pin_nib, sizeof(pin_nib));
    pos_wipe(pan_nib, sizeof(pan_nib));
    return rc;
}

/* Decodes a clear block; pan_start says which nibbles depend on the PAN. */
static int pb__decode(enum pinblock_format f, const uint8_t *block, size_t len, const char *pan,
                      size_t pan_len, size_t pan_start, char *pin, size_t pin_cap, size_t *pin_len)
{
    uint8_t nib[PB_NIBBLES], pan_nib[PB_NIBBLES];
    size_t bl = pinblock_format_len(f), i;
    bool need_pan = pinblock_format_has_pan(f) && f != PINBLOCK_ISO4;
    int rc = POS_OK;

    if (bl == 0) {
        rc = POS_ERR_INVAL;
        goto out;
    }
    if (block == NULL || len != bl) {
        rc = POS_ERR_LENGTH;
        goto out;
    }
    if (need_pan && (rc = pb__check_pan(pan, pan_len)) != POS_OK)
        goto out;
    pb__unpack(block, bl, nib);
    if (need_pan) {
        pb__pan_field(f, pan, pan_len, pan_nib);
        for (i = 0; i < 2 * bl; i++)
            nib[i] ^= pan_nib[i];
    }
    rc = pb__parse(f, nib, pan_start, pin, pin_cap, pin_len);
out:
    if (rc != POS_OK && pin != NULL)
        pos_wipe(pin, pin_cap);
    pos_wipe(nib, sizeof(nib));
    pos_wipe(pan_nib, sizeof(pan_nib));
    return rc;
}

int pinblock_decode(enum pinblock_format f, const uint8_t *block, size_t len, const char *pan,
                    size_t pan_len, char *pin, size_t pin_cap, size_t *pin_len)
{
    return pb__decode(f, block, len, pan, pan_len, pb__pan_start(f), pin, pin_cap, pin_len);
}

static int pb__check_key(struct block_key *k, enum pinblock_format f)
{
    if (pinblock_format_len(f) == 0)
        return POS_ERR_INVAL;
    if (k == NULL || block_key_alg(k) != pinblock_format_alg(f))
        return POS_ERR_KEY;
    return POS_OK;
}

int pinblock_encrypt(struct block_key *k, enum pinblock_format f, const char *pin, size_t pin_len,
                     const char *pan, size_t pan_len, uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t clear[PINBLOCK_MAX_LEN], pan_nib[PB_NIBBLES], pan_field[PINBLOCK_MAX_LEN];
    size_t bl = pinblock_format_len(f), n = 0;
    int rc;

    rc = pb__check_key(k, f);
    if (rc == POS_OK && f == PINBLOCK_ISO4)
        rc = pb__check_encode(f, pin, pin_len, pan, pan_len, true, cap);
    if (rc == POS_OK)
        rc = pinblock_encode(f, pin, pin_len, pan, pan_len, clear, sizeof(clear), &n);
    if (rc != POS_OK)
        goto out;
    if (cap < bl) {
        rc = POS_ERR_NOSPACE;
        goto out;
    }
    rc = block_ecb_encrypt(k, clear, bl, clear);
    if (rc == POS_OK && f == PINBLOCK_ISO4) {
        /* §9.4.2.3: E(K, E(K, PIN field) XOR PAN field) */
        pb__pan_field(f, pan, pan_len, pan_nib);
        pb__pack(pan_nib, bl, pan_field);
        block_xor(clear, pan_field, bl);
        rc = block_ecb_encrypt(k, clear, bl, clear);
    }
    if (rc != POS_OK)
        goto out;
    memcpy(out, clear, bl);
    *out_len = bl;
out:
    if (rc != POS_OK && out != NULL)
        pos_wipe(out, cap < bl ? cap : bl);
    pos_wipe(clear, sizeof(clear));
    pos_wipe(pan_nib, sizeof(pan_nib));
    pos_wipe(pan_field, sizeof(pan_field));
    return rc;
}

int pinblock_decrypt(struct block_key *k, enum pinblock_format f, const uint8_t *block, size_t len,
                     const char *pan, size_t pan_len, char *pin, size_t pin_cap, size_t *pin_len)
{
    uint8_t clear[PINBLOCK_MAX_LEN], pan_nib[PB_NIBBLES], pan_field[PINBLOCK_MAX_LEN];
    size_t bl = pinblock_format_len(f), pan_start = pb__pan_start(f);
    int rc;

    rc = pb__check_key(k, f);
    if (rc == POS_OK && (block == NULL || len != bl))
        rc = POS_ERR_LENGTH;
    if (rc == POS_OK && f == PINBLOCK_ISO4)
        rc = pb__check_pan(pan, pan_len);
    if (rc == POS_OK)
        rc = block_ecb_decrypt(k, block, bl, clear);
    if (rc == POS_OK && f == PINBLOCK_ISO4) {
        /* §9.4.2.4: PIN field = D(K, D(K, block) XOR PAN field); every
         * nibble of it depends on the PAN. */
        pb__pan_field(f, pan, pan_len, pan_nib);
        pb__pack(pan_nib, bl, pan_field);
        block_xor(clear, pan_field, bl);
        rc = block_ecb_decrypt(k, clear, bl, clear);
        pan_start = 0;
    }
    if (rc == POS_OK)
        rc = pb__decode(f, clear, bl, pan, pan_len, pan_start, pin, pin_cap, pin_len);
    if (rc != POS_OK && pin != NULL)
        pos_wipe(pin, pin_cap);
    pos_wipe(clear, sizeof(clear));
    pos_wipe(pan_nib, sizeof(pan_nib));
    pos_wipe(pan_field, sizeof(pan_field));
    return rc;
}

int pinblock_verify(struct block_key *k, enum pinblock_format f, const uint8_t *block, size_t len,
                    const char *pan, size_t pan_len, const char *pin, size_t pin_len)
{
    char got[PINBLOCK_PIN_CAP], want[PINBLOCK_PIN_CAP];
    size_t got_len = 0;
    int rc;

    rc = pb__check_pin(pin, pin_len);
    if (rc != POS_OK)
        goto out;
    if (k != NULL)
        rc = pinblock_decrypt(k, f, block, len, pan, pan_len, got, sizeof(got), &got_len);
    else
        rc = pinblock_decode(f, block, len, pan, pan_len, got, sizeof(got), &got_len);
    if (rc != POS_OK)
        goto out;
    /* constant time over the whole buffers: both NUL-padded to the cap */
    memset(want, 0, sizeof(want));
    memcpy(want, pin, pin_len);
    memset(got + got_len, 0, sizeof(got) - got_len);
    if ((got_len ^ pin_len) != 0 || CRYPTO_memcmp(got, want, sizeof(got)) != 0)
        rc = POS_ERR_PIN_MISMATCH;
out:
    pos_wipe(got, sizeof(got));
    pos_wipe(want, sizeof(want));
    return rc;
}

int pinblock_translate(struct block_key *from, enum pinblock_format from_f, const uint8_t *in,
                       size_t in_len, struct block_key *to, enum pinblock_format to_f,
                       const char *pan, size_t pan_len, uint8_t *out, size_t cap, size_t *out_len)
{
    char pin[PINBLOCK_PIN_CAP];
    size_t pin_len = 0;
    int rc;

    if (from != NULL)
        rc = pinblock_decrypt(from, from_f, in, in_len, pan, pan_len, pin, sizeof(pin), &pin_len);
    else
        rc = pinblock_decode(from_f, in, in_len, pan, pan_len, pin, sizeof(pin), &pin_len);
    if (rc != POS_OK)
        goto out;
    if (to != NULL)
        rc = pinblock_encrypt(to, to_f, pin, pin_len, pan, pan_len, out, cap, out_len);
    else
        rc = pinblock_encode(to_f, pin, pin_len, pan, pan_len, out, cap, out_len);
out:
    pos_wipe(pin, sizeof(pin));
    return rc;
}
