/*
 * cli: what every `pos` subcommand shares (DESIGN.md §6).
 *
 * Contract: results on stdout (JSON, compact, one line, for the codec and
 * crypto commands); errors on stderr as one line `pos: <what>: <why>`; exit 0
 * on success, 1 on a declined or failed operation, 2 on bad usage or input.
 * Hex is uppercase on output and case-insensitive on input. No secret (PIN,
 * key, clear PAN beyond what the user passed in) goes into an error line.
 */
#ifndef POS_CLI_H
#define POS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

/* Largest input read from stdin (bytes). */
#define CLI_MAX_INPUT (1u << 20)

/* Prints `pos: <what>: <why>` to stderr and returns exit_code. */
int cli_error(int exit_code, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like cli_error, with why = the libpos error (and its detail, if any). */
struct pos_errdetail;
int cli_error_pos(int exit_code, const char *what, int pos_code, const struct pos_errdetail *d);

/* Reads all of stdin (at most CLI_MAX_INPUT bytes) into a heap buffer the
 * caller frees with free(). With hex, the input is hex text: whitespace is
 * skipped and the rest decoded. Returns CLI_OK, or CLI_USAGE after printing
 * an error naming `what`. */
int cli_read_stdin(const char *what, bool hex, uint8_t **buf, size_t *len);

/* Decodes a hex argument (case-insensitive) into out (cap bytes). Returns
 * CLI_OK or CLI_USAGE after printing `pos: <what>: <opt>: invalid hex...`. */
int cli_hex_arg(const char *what, const char *opt, const char *hex, uint8_t *out, size_t cap,
                size_t *out_len);

/* Hex-encodes len bytes (uppercase) into a new json string. */
json_t *cli_json_hex(const uint8_t *buf, size_t len);

/* Prints j to stdout as compact JSON and a newline, then releases j.
 * Returns CLI_OK (or CLI_FAILED if j is NULL: out of memory). */
int cli_print_json(json_t *j);

/* true when argv[1..] holds -h or --help. */
bool cli_wants_help(int argc, char **argv);

/* Every top-level command: argv[0] is the command's own name. Each returns
 * the process exit code. */
int cmd_iso8583(int argc, char **argv);
int cmd_tlv(int argc, char **argv);
int cmd_card(int argc, char **argv);
int cmd_qr(int argc, char **argv);
int cmd_money(int argc, char **argv);
int cmd_pinblock(int argc, char **argv);
int cmd_dukpt(int argc, char **argv);
int cmd_mac(int argc, char **argv);
int cmd_kcv(int argc, char **argv);
int cmd_keyblock(int argc, char **argv);
int cmd_cvv(int argc, char **argv);
int cmd_pvv(int argc, char **argv);
int cmd_admin(int argc, char **argv);
int cmd_item(int argc, char **argv);
int cmd_stock(int argc, char **argv);
int cmd_employee(int argc, char **argv);
int cmd_shift(int argc, char **argv);
int cmd_sale(int argc, char **argv);
int cmd_promo(int argc, char **argv);
int cmd_receipt(int argc, char **argv);
int cmd_terminal(int argc, char **argv);
int cmd_pay(int argc, char **argv);
int cmd_void(int argc, char **argv);
int cmd_refund(int argc, char **argv);
int cmd_reversal(int argc, char **argv);
int cmd_saf(int argc, char **argv);
int cmd_settle(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif
