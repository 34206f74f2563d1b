/*
 * frame: the length prefixes that delimit ISO 8583 messages on a TCP stream
 * (DESIGN.md §3 "Framing on TCP"). Sans-I/O: pure functions over bytes.
 *
 *   2be     2 bytes, unsigned big-endian binary length (the common default;
 *           what jPOS calls the NAC/post channel's "2-byte binary header")
 *   4be     4 bytes, unsigned big-endian binary length
 *   4ascii  4 ASCII decimal digits, "0000".."9999" (jPOS ASCIIChannel)
 *
 * The length counts the message bytes after the prefix. A zero length is a
 * valid frame (terminals send "00 00" as a keep-alive); the network layer
 * decides what to do with it (posd ignores it).
 */
#ifndef POSD_FRAME_H
#define POSD_FRAME_H

#include <stddef.h>
#include <stdint.h>

enum frame_kind { FRAME_2BE = 0, FRAME_4BE, FRAME_4ASCII };

/* Longest prefix of any kind. */
#define FRAME_PREFIX_MAX 4

/* "2be", "4be", "4ascii" -> *out; POS_ERR_INVAL otherwise. */
int frame_kind_parse(const char *s, enum frame_kind *out);
const char *frame_kind_name(enum frame_kind k);

/* Prefix length in bytes (2 or 4). */
size_t frame_prefix_len(enum frame_kind k);

/* Largest length the prefix can express: 65535, 4294967295 or 9999. */
size_t frame_kind_max(enum frame_kind k);

/* Looks for one frame at the start of buf (len bytes), limit being the
 * largest message length accepted.
 * Returns:
 *   POS_OK            a whole frame: the message is buf[*prefix_len ..
 *                     *prefix_len + *msg_len)
 *   POS_ERR_TRUNCATED more bytes are needed; *msg_len is set when the prefix
 *                     is complete (else 0), *prefix_len always
 *   POS_ERR_FRAME     the prefix is over limit (*msg_len holds its value) or
 *                     not decimal digits (4ascii; *msg_len 0)
 * Never reads past len. */
int frame_decode(enum frame_kind k, size_t limit, const uint8_t *buf, size_t len,
                 size_t *prefix_len, size_t *msg_len);

/* Writes the prefix for a msg_len-byte message into out (cap bytes).
 * *out_len gets the prefix length. Returns POS_OK, POS_ERR_NOSPACE or
 * POS_ERR_LENGTH (msg_len over frame_kind_max). */
int frame_encode_prefix(enum frame_kind k, size_t msg_len, uint8_t *out, size_t cap,
                        size_t *out_len);

#endif
