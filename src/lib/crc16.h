/*
 * crc16: CRC-16/CCITT-FALSE, the checksum of EMVCo merchant-presented QR
 * codes (EMV QRCPS-MPM v1.1, data object ID "63" CRC: ISO/IEC 13239 CRC with
 * polynomial '1021' and initial value 'FFFF').
 *
 * Parameters (Rocksoft model, as in the reveng CRC catalogue entry
 * "CRC-16/IBM-3740", alias CRC-16/CCITT-FALSE): width 16, poly 0x1021,
 * init 0xFFFF, refin false, refout false, xorout 0x0000, check 0x29B1
 * (the CRC of the nine ASCII bytes "123456789").
 *
 * Pure functions over bytes: no allocation, no state outside the caller's.
 */
#ifndef POS_CRC16_H
#define POS_CRC16_H

#include <stddef.h>
#include <stdint.h>

/* The initial register value, for crc16_ccitt_false_update. */
#define CRC16_CCITT_FALSE_INIT 0xFFFFu

/* CRC-16/CCITT-FALSE of len bytes at buf (buf may be NULL when len is 0). */
uint16_t crc16_ccitt_false(const uint8_t *buf, size_t len);

/* Continues a CRC over len more bytes: start with CRC16_CCITT_FALSE_INIT and
 * feed the data in any number of pieces; the last return value is the CRC
 * (there is no final XOR). */
uint16_t crc16_ccitt_false_update(uint16_t crc, const uint8_t *buf, size_t len);

#endif
