/*
 * posmsg_int: helpers shared by posmsg.c (terminal, requests) and
 * posmsg_reply.c (replies). Not part of the public contract.
 */
#ifndef POS_POSMSG_INT_H
#define POS_POSMSG_INT_H

#include <stddef.h>
#include <stdint.h>

#include "posmsg.h"

/* The 8-byte MAC of buf[start..end) under ctx into out. POS_OK or an error
 * of mac_final (out zeroed). */
int posmsg__mac(struct mac_ctx *ctx, const uint8_t *buf, size_t start, size_t end, uint8_t out[8]);

/* true when field fld of dialect d is binary (b) data. */
bool posmsg__is_binary(const struct iso8583_dialect *d, int fld);

#endif
