/*
 * dialect_file: ISO 8583 dialects (struct iso8583_dialect) read from, and
 * written as, a small line-oriented text format, so a user can speak a
 * processor's variant without recompiling (DESIGN.md §3). The format is
 * documented in docs/iso8583.md; in short:
 *
 *   # comment
 *   dialect cup
 *   mti bcd                       ascii | ebcdic | bcd
 *   bitmap binary                 binary | hex
 *   tpdu 5 6000000000             length [default bytes in hex]
 *   header 6 603100000000
 *   field 2 n LL 19 data=bcd prefix=bcd pad=right fill=0 log=pan
 *   field 52 b fixed 8
 *
 * field NUM TYPE LENGTH MAX [key=value...]: TYPE n an ans z b xn; LENGTH
 * fixed LL LLL LLLL; keys data= (ascii ebcdic bcd binary hex), prefix=
 * (ascii ebcdic bcd binary), pad= (left right: where an odd BCD length gets
 * its pad nibble), fill= (0 F), log= (clear pan hide). Unset keys default to
 * data=ascii (binary for b), prefix=ascii, pad=left, fill=0, and log=pan for
 * fields 2 and 34, hide for 35 36 45 52 53 55 64 96 128, clear otherwise.
 *
 * Errors (POS_ERR_DIALECT, POS_ERR_SYNTAX) name the line: det->what starts
 * with "line N:", det->offset is the line's byte offset, det->field the
 * field number when one applies. The parser is sans-I/O; only
 * dialect_file_load touches the file system.
 */
#ifndef POS_DIALECT_FILE_H
#define POS_DIALECT_FILE_H

#include <stddef.h>

#include "iso8583.h"

struct pos_errdetail;

/* Largest dialect text accepted (bytes), and longest line. */
#define DIALECT_FILE_MAX      (256u * 1024u)
#define DIALECT_FILE_LINE_MAX 512u

/* Parses text (len bytes, need not be NUL-terminated) into a new dialect
 * (pos_malloc'ed; free with dialect_file_free) that passed
 * iso8583_dialect_check. *out is NULL on failure. Returns POS_OK,
 * POS_ERR_SYNTAX (malformed line), POS_ERR_DIALECT (inconsistent
 * definition), POS_ERR_LENGTH (text or a line too long), POS_ERR_NOMEM,
 * POS_ERR_INVAL (NULL arguments). */
int dialect_file_parse(const char *text, size_t len, struct iso8583_dialect **out,
                       struct pos_errdetail *det);

/* Reads the file at path and parses it. POS_ERR_IO when it cannot be read
 * (det->what names the reason, not the contents); otherwise as
 * dialect_file_parse. */
int dialect_file_load(const char *path, struct iso8583_dialect **out, struct pos_errdetail *det);

/* Frees a dialect from dialect_file_parse/load (NULL is a no-op). */
void dialect_file_free(struct iso8583_dialect *d);

/* Writes d in the text format (every key explicit) into out (cap bytes,
 * NUL-terminated); *out_len gets strlen. Parsing the text gives back a
 * dialect with the same wire format, logs and header defaults. POS_OK,
 * POS_ERR_NOSPACE, POS_ERR_DIALECT (d fails iso8583_dialect_check). */
int dialect_file_format(const struct iso8583_dialect *d, char *out, size_t cap, size_t *out_len);

#endif
