/*
 * log: posd's structured log, one event per line in logfmt.
 *
 * Format (https://brandur.org/logfmt; the convention Go's log/slog
 * TextHandler and Heroku's router use):
 *
 *   ts=2024-05-01T12:00:00.123Z level=info event=ready cup=127.0.0.1:5800
 *
 * ts is UTC, RFC 3339 with milliseconds; level is debug|info|warn|error;
 * event is a short snake_case name; the rest are the caller's key=value
 * pairs. A line never spans lines: any control character in the caller's
 * text is written as \xNN, so a hostile peer cannot forge log lines. Values
 * that may hold spaces, quotes or '=' should go through log_quote().
 *
 * The log takes only what callers give it and masks nothing: callers must
 * pass masked data (a PAN as its first 6 and last 4 digits, never track data,
 * PIN blocks, keys or MACs). Tests grep the log for clear secrets.
 *
 * The log is process-wide (posd has one) and thread-safe: each line is built
 * on the caller's stack and written with one write(2) under a mutex.
 * log_reopen() is what SIGHUP calls for log rotation: it opens the path
 * again (creating it) and swaps the descriptor, so lines are never lost or
 * split. Before log_open() (and after log_close()) lines go to stderr at
 * level info.
 */
#ifndef POSD_LOG_H
#define POSD_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_LEVEL_DEBUG = 0, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR };

/* Longest line written (bytes, newline included); longer lines are cut and
 * end with " truncated=1". */
#define LOG_LINE_MAX 2048

/* Sends lines of level >= min to path (appended, created mode 0640), or to
 * stderr when path is NULL, "" or "-". Returns POS_OK, POS_ERR_INVAL (path
 * longer than 1023 bytes) or POS_ERR_IO (open failed; the previous
 * destination stays). */
int log_open(const char *path, enum log_level min);

/* Reopens the current path (a no-op for stderr). Returns POS_OK or
 * POS_ERR_IO (the old descriptor is kept and an error line written to it). */
int log_reopen(void);

/* Closes the file; later lines go to stderr. */
void log_close(void);

void log_set_level(enum log_level min);
bool log_enabled(enum log_level level);

/* "debug", "info", "warn" (or "warning"), "error" -> *out; POS_ERR_INVAL
 * otherwise. */
int log_level_parse(const char *s, enum log_level *out);
const char *log_level_name(enum log_level level);

/* Writes one line: ts, level, event, then fmt's key=value pairs (fmt may be
 * NULL). Never fails visibly; a line that cannot be written is dropped. */
void log_event(enum log_level level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Copies s into buf (cap bytes, cap >= 3) as a logfmt value: unchanged when
 * it is non-empty and has no space, quote, '=' or control character;
 * otherwise in double quotes with " and \ escaped. Cut to fit. Returns buf. */
const char *log_quote(char *buf, size_t cap, const char *s);

#endif
