/*
 * paycli: what the payment commands share (pos terminal, pay, void, refund,
 * reversal, saf, settle; docs/payments.md): the terminal LMK (--lmk FILE,
 * else $POS_LMK), opening a payment session, errors to exit codes.
 *
 * Exit codes: bad syntax of an argument, an unknown card format, a card
 * failing Luhn: CLI_USAGE (2); a declined or failed payment, an unreachable
 * host, an unprovisioned terminal, a wrong LMK: CLI_FAILED (1).
 */
#ifndef POS_CLI_PAYCLI_H
#define POS_CLI_PAYCLI_H

#include "crypto/lmk.h"
#include "money.h"
#include "store/store.h"
#include "term/payclient.h"

/* Loads the LMK from file (when not NULL) or $POS_LMK; with create and a
 * file that does not exist, makes a new one (0600). CLI_OK or the exit code
 * after an error line. */
int paycli_lmk(const char *what, const char *file, bool create, struct lmk *l);

/* Opens db (tstore_path(dbpath)), the LMK and a session (host: NULL for
 * the stored one). *cur gets the terminal's currency. CLI_OK or the exit
 * code after an error line; on failure nothing is left open. */
int paycli_open(const char *what, const char *dbpath, const char *lmkfile, const char *host,
                struct store **db, struct payclient **pc, const struct currency **cur);

/* Prints `pos: <what>: <why>` for a libpos error and returns its exit code. */
int paycli_fail(const char *what, int rc, const struct pos_errdetail *d);

/* Prints a payment result as JSON; returns CLI_OK for approved/offline, else
 * CLI_FAILED (after an error line naming the response code). */
int paycli_print_result(const char *what, const struct payclient_result *r,
                        const struct currency *cur);

#endif
