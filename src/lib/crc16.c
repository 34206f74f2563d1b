/* crc16: CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, MSB first, no xorout).
 *
 * A 16-entry table processes one nibble per step: small enough to stay in
 * cache, fast enough for QR payloads (at most a few hundred bytes). */
#include "crc16.h"

/* crc16__nibble[n] = the register contribution of the 4-bit value n shifted
 * through the polynomial 0x1021 four times (MSB-first, non-reflected). */
static const uint16_t crc16__nibble[16] = {
    0x0000, 0x1021, 0x2042, 0x3063, 0x4084, 0x50A5, 0x60C6, 0x70E7,
    0x8108, 0x9129, 0xA14A, 0xB16B, 0xC18C, 0xD1AD, 0xE1CE, 0xF1EF,
};

uint16_t crc16_ccitt_false_update(uint16_t crc, const uint8_t *buf, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        crc = (uint16_t)((crc << 4) ^ crc16__nibble[((crc >> 12) ^ (buf[i] >> 4)) & 0x0F]);
        crc = (uint16_t)((crc << 4) ^ crc16__nibble[((crc >> 12) ^ (buf[i] & 0x0F)) & 0x0F]);
    }
    return crc;
}

uint16_t crc16_ccitt_false(const uint8_t *buf, size_t len)
{
    return crc16_ccitt_false_update(CRC16_CCITT_FALSE_INIT, buf, len);
}
