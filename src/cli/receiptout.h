/*
 * receiptout: a receipt model rendered and written out, as `pos receipt
 * render` and `pos sale receipt` do it: plain text of 32, 42 or 48 columns
 * (optionally converted to GB18030) or ESC/POS bytes (GB18030 mode, drawer
 * kick, cut), to standard output or a file or printer device.
 */
#ifndef POS_CLI_RECEIPTOUT_H
#define POS_CLI_RECEIPTOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "receipt.h"

struct receiptout_opts {
    unsigned width; /* 32, 42 or 48 */
    bool escpos, gb18030, drawer, no_cut;
    const char *out; /* NULL: standard output */
};

/* Renders r into *buf (malloc'ed, the caller frees it; grown as needed up
 * to 16 MiB). Errors of the renderer (d names the field), POS_ERR_NOMEM. */
int receiptout_render(const struct receipt *r, const struct receiptout_opts *o, uint8_t **buf,
                      size_t *len, struct pos_errdetail *d);

/* Writes buf to o->out or standard output: CLI_OK, or CLI_FAILED with the
 * error printed as `pos: what: ...`. */
int receiptout_write(const char *what, const struct receiptout_opts *o, const uint8_t *buf,
                     size_t len);

#endif
