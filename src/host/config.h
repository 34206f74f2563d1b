/*
 * config: posd's configuration — defaults, an INI-like file, then
 * command-line flags, in that order of precedence (flags win).
 *
 * File format (docs/posd.md, example in docs/posd.conf.example):
 *   - one "key = value" per line, inside a section; blank lines and lines
 *     starting with '#' or ';' are ignored; a value may be double-quoted
 *     (the quotes are removed; nothing is unescaped); no inline comments;
 *   - sections: [posd] [http] [database] [log] and [listener NAME];
 *   - the first [listener ...] section of a file replaces the two default
 *     listeners (cup on 127.0.0.1:5800 and iso87b on 127.0.0.1:5801); a
 *     section naming an existing listener changes it; "enabled = no"
 *     removes it.
 * Every error is POS_ERR_CONFIG (POS_ERR_IO for an unreadable file) with
 * d->what = "FILE:LINE: reason" (or "--flag: reason").
 *
 * Durations are a number with an optional unit ms, s, m or h (bare: s);
 * sizes are bytes. Numbers are decimal, parsed by checked helpers.
 */
#ifndef POSD_CONFIG_H
#define POSD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "log.h"
#include "net.h"

struct pos_errdetail;

#define CONFIG_TEXT_MAX (1u << 20) /* largest config file, bytes */

struct config_listener {
    struct net_listener_config net;
    bool enabled;
};

/* Caller-allocated (it is a few KiB: keep it static or on the heap in
 * threads with small stacks); nothing inside needs freeing. */
struct config {
    struct config_listener listeners[NET_MAX_LISTENERS];
    size_t nlisteners;
    bool file_listeners; /* a file's [listener] section replaced the defaults */
    struct net_options net;
    unsigned workers;  /* 0: one per CPU */
    size_t queue_max;  /* tasks waiting for a worker */
    uint64_t drain_ms; /* SIGTERM: longest wait for answers in flight */
    bool http_enabled;
    char http_address[NET_ADDR_MAX];
    uint16_t http_port;
    size_t http_max_body;
    char db_url[NET_PATH_MAX];
    bool db_sync_pipelined; /* [database] sync = pipelined (default) | commit */
    long test_drop_stan;    /* --test-drop-answer: the 0200 STAN whose answer is dropped, -1 none */
    char log_file[NET_PATH_MAX]; /* "" or "-": stderr */
    enum log_level log_level;
    char pid_file[NET_PATH_MAX];
    char lmk_file[NET_PATH_MAX]; /* "" : the LMK comes from $POS_LMK (hex) */
    char app[NET_NAME_MAX];      /* "iso8583" (default) or "echo" */
    char port_file[NET_PATH_MAX];
    int ready_fd; /* -1: none */
    char config_file[NET_PATH_MAX];
    bool check_only; /* --check-config */
    bool want_help;  /* --help */
};

/* The defaults: listeners cup (127.0.0.1:5800, dialect cup, master_session)
 * and iso87b (127.0.0.1:5801, dialect iso87b, dukpt), both 2be framing and
 * 8192-byte frames; HTTP on 127.0.0.1:8080 with 1 MiB bodies; database
 * "posd.db"; log to stderr at info; workers one per CPU; queue 65536;
 * idle 300 s; 10000 connections; 256 KiB unsent; drain 10 s. */
void config_init(struct config *cfg);

/* Applies the text of a config file (len bytes, need not be
 * NUL-terminated; filename is used in messages only). Returns POS_OK or
 * POS_ERR_CONFIG. On error cfg may be partly changed. */
int config_parse_text(struct config *cfg, const char *text, size_t len, const char *filename,
                      struct pos_errdetail *d);

/* Reads and applies the file at path (at most CONFIG_TEXT_MAX bytes).
 * Returns POS_OK, POS_ERR_IO, POS_ERR_NOMEM or POS_ERR_CONFIG. */
int config_load_file(struct config *cfg, const char *path, struct pos_errdetail *d);

/* Applies one --listen spec: comma-separated key=value with the keys of a
 * [listener] section plus name (required) and addr=HOST:PORT ("[v6]:PORT").
 * Returns POS_OK or POS_ERR_CONFIG. */
int config_parse_listen(struct config *cfg, const char *spec, struct pos_errdetail *d);

/* Parses posd's command line (argv[0] is the program): --config FILE is
 * loaded first, then every other flag overrides it; --help sets want_help
 * and stops. Ends with config_finalize. Returns POS_OK, POS_ERR_CONFIG
 * (unknown flag, bad value, stray argument), POS_ERR_IO or POS_ERR_NOMEM.
 * Resets getopt (optind) itself. */
int config_parse_args(struct config *cfg, int argc, char **argv, struct pos_errdetail *d);

/* Drops disabled listeners and checks what only makes sense as a whole:
 * at least one listener, unique names, tls_cert with tls_key, distinct
 * address:port pairs (port 0 excepted). Returns POS_OK or POS_ERR_CONFIG. */
int config_finalize(struct config *cfg, struct pos_errdetail *d);

/* Writes the effective configuration as a config file (which
 * config_parse_text reads back to the same values) into buf (cap bytes,
 * NUL-terminated). Returns POS_OK or POS_ERR_NOSPACE. */
int config_format(const struct config *cfg, char *buf, size_t cap);

/* Prints posd's --help text. */
void config_usage(FILE *out);

#endif
