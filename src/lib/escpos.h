/*
 * escpos: ESC/POS printer commands and the receipt renderer for thermal
 * printers.
 *
 * Standard: Epson "ESC/POS Command Reference for TM Printers" (Epson's
 * ESC/POS Application Programming Guide / Command Reference, rev. as
 * published on download.epson-biz.com): the commands used here and their
 * bytes are
 *   ESC @            1B 40              initialize printer
 *   LF               0A                 print and line feed
 *   ESC d n          1B 64 n            print and feed n lines
 *   ESC a n          1B 61 n            justification: 0 left, 1 center, 2 right
 *   ESC E n          1B 45 n            emphasized (bold) off/on (bit 0)
 *   GS ! n           1D 21 n            character size: bits 4-6 width-1,
 *                                       bits 0-2 height-1 (0x11 = double both)
 *   ESC p m t1 t2    1B 70 m t1 t2      generate pulse (cash drawer kick):
 *                                       m 0 = connector pin 2, 1 = pin 5;
 *                                       on t1 x 2 ms, off t2 x 2 ms
 *   GS V m n         1D 56 41|42 n      feed n (x motion unit) and cut:
 *                                       65 full, 66 partial
 *   GS ( k           1D 28 6B pL pH cn fn ...   2D code, cn 49 = QR Code:
 *       fn 65 (select model)  1D 28 6B 04 00 31 41 n1 00  n1 49 model 1, 50 model 2
 *       fn 67 (module size)   1D 28 6B 03 00 31 43 n      n 1..16 dots
 *       fn 69 (error level)   1D 28 6B 03 00 31 45 n      48 L, 49 M, 50 Q, 51 H
 *       fn 80 (store data)    1D 28 6B pL pH 31 50 30 d1..dk   pL+pH*256 = k+3
 *       fn 81 (print symbol)  1D 28 6B 03 00 31 51 30
 *   FS &             1C 26              select Kanji (Chinese) character mode:
 *                                       on Chinese-model printers two-byte
 *                                       GB18030/GBK codes print as Hanzi
 *   FS .             1C 2E              cancel Kanji character mode
 *   FS ( C fn 48     1C 28 43 02 00 30 m   select character encode system:
 *                                       1 one-byte code pages, 2 UTF-8
 *
 * GB18030 is GB 18030-2005 as glibc's iconv(3) implements it
 * (iconv_open("GB18030", "UTF-8")): ASCII as itself, GB2312/GBK Hanzi as two
 * bytes ("消" = CF FB), the rest of Unicode as four bytes.
 *
 * A struct escpos_writer is a caller-allocated output cursor over a caller
 * buffer. Each command either appends all its bytes or none: when they do not
 * fit it returns POS_ERR_NOSPACE and the writer keeps that error (sticky), so
 * a sequence of calls can be checked once at escpos_writer_finish; the bytes
 * already written stay but finish reports the error. Nothing allocates
 * except iconv_open inside the GB18030 conversion (glibc's, released before
 * return).
 */
#ifndef POS_ESCPOS_H
#define POS_ESCPOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct receipt;
struct pos_errdetail;

/* Largest QR payload GS ( k fn 80 can carry (pL+pH*256 <= 7092). */
#define ESCPOS_QR_DATA_MAX 7089u

enum escpos_encoding { ESCPOS_UTF8 = 0, ESCPOS_GB18030 };

enum escpos_align { ESCPOS_LEFT = 0, ESCPOS_CENTER = 1, ESCPOS_RIGHT = 2 };

enum escpos_qr_ecc { ESCPOS_QR_L = 48, ESCPOS_QR_M = 49, ESCPOS_QR_Q = 50, ESCPOS_QR_H = 51 };

struct escpos_writer {
    uint8_t *out; /* caller's buffer */
    size_t cap;
    size_t len;               /* bytes written so far */
    int err;                  /* POS_OK or the first error (sticky) */
    enum escpos_encoding enc; /* how escpos_text encodes */
};

/* Starts a writer over out[0..cap) with text encoding enc. */
void escpos_writer_init(struct escpos_writer *w, uint8_t *out, size_t cap,
                        enum escpos_encoding enc);

/* Returns the writer's sticky status; *out_len (may be NULL) gets the bytes
 * written (also when it failed: they are a prefix, not a usable job). */
int escpos_writer_finish(const struct escpos_writer *w, size_t *out_len);

/* Each command below returns POS_OK, POS_ERR_NOSPACE, POS_ERR_INVAL (bad
 * argument; also sticky) or the writer's earlier error (then writes
 * nothing). */

int escpos_initialize(struct escpos_writer *w);                 /* ESC @ */
int escpos_lf(struct escpos_writer *w);                         /* LF */
int escpos_feed(struct escpos_writer *w, uint8_t lines);        /* ESC d n */
int escpos_align(struct escpos_writer *w, enum escpos_align a); /* ESC a n */
int escpos_bold(struct escpos_writer *w, bool on);              /* ESC E n */
/* GS ! n: width and height multipliers 1..8 each. */
int escpos_size(struct escpos_writer *w, unsigned width_mul, unsigned height_mul);
/* GS V 66 n (partial) or GS V 65 n (full): feed n motion units, then cut. */
int escpos_cut(struct escpos_writer *w, bool partial, uint8_t feed);
/* ESC p m t1 t2: pin 2 (m 0) or 5 (m 1); pulse on_ms, off_ms, each 2..510
 * ms, rounded down to 2 ms units. */
int escpos_drawer_kick(struct escpos_writer *w, unsigned pin, unsigned on_ms, unsigned off_ms);
/* FS & (on) or FS . (off): Chinese character mode. */
int escpos_chinese_mode(struct escpos_writer *w, bool on);
/* FS ( C fn 48: true selects UTF-8, false one-byte code pages. */
int escpos_utf8_mode(struct escpos_writer *w, bool on);
/* The five GS ( k commands that print data (1..ESCPOS_QR_DATA_MAX bytes)
 * as a model 2 QR Code with module size 1..16 dots and error correction
 * level ecc: select model 2, module size, error level, store, print.
 * All or nothing. */
int escpos_qr(struct escpos_writer *w, const uint8_t *data, size_t len, unsigned module,
              enum escpos_qr_ecc ecc);
/* Text (UTF-8, len bytes) in the writer's encoding. Refuses (POS_ERR_SYNTAX)
 * ill-formed UTF-8 and (POS_ERR_INVAL) control characters, so text can never
 * smuggle a command in: commands go through the functions above. */
int escpos_text(struct escpos_writer *w, const char *s, size_t len);
/* Raw bytes (for commands not listed here). */
int escpos_raw(struct escpos_writer *w, const uint8_t *bytes, size_t len);

/* Converts well-formed UTF-8 s[0..len) to GB18030 into out (cap bytes).
 * *out_len gets the bytes written. Returns POS_OK, POS_ERR_SYNTAX
 * (ill-formed UTF-8), POS_ERR_NOSPACE, POS_ERR_UNSUPPORTED (iconv has no
 * GB18030) or POS_ERR_INVAL (NULL). Nothing is promised in out on error. */
int escpos_gb18030_encode(const char *s, size_t len, uint8_t *out, size_t cap, size_t *out_len);

struct escpos_options {
    unsigned width;            /* 32, 42 or 48 columns */
    enum escpos_encoding enc;  /* UTF-8 (FS ( C, UTF-8) or GB18030 (FS &) */
    bool drawer_kick;          /* ESC p 0 25 250 after initialising */
    bool cut;                  /* feed and partial cut at the end */
    unsigned qr_module;        /* QR module size in dots (0 = 6) */
    enum escpos_qr_ecc qr_ecc; /* 0 = M */
};

/* Sets o to: width 42, UTF-8, no drawer kick, cut, module 6, level M. */
void escpos_options_init(struct escpos_options *o);

/* Renders r (the layout of receipt.h with printer true) as one printer job
 * into out (cap bytes): ESC @; FS ( C UTF-8 or FS & for GB18030; the
 * drawer kick if asked; each line with ESC a / ESC E / GS ! as its
 * attributes change, its text and LF; the QR payload as a centered QR
 * symbol; then ESC d 4 and, if asked, GS V 66 0. *out_len gets the length.
 * Returns POS_OK, receipt_layout's errors, POS_ERR_NOSPACE (out too small;
 * never a silently truncated job), or escpos_text's and escpos_qr's
 * errors. */
int escpos_render_receipt(const struct receipt *r, const struct escpos_options *o, uint8_t *out,
                          size_t cap, size_t *out_len, struct pos_errdetail *d);

#endif
