/*
 * app: the message handler posd runs behind its listeners — the one place
 * where protocol logic plugs into the runtime (net, workq, http, metrics).
 *
 * main.c calls app_get(cfg->app) once and drives the returned callbacks:
 *   init      after the config is read and before any listener accepts;
 *             may add HTTP routes (ctx->http) and keep per-process state
 *   on_frame  on the loop thread for every frame (see net.h for the
 *             contract: reply with net_conn_send, from any thread, holding a
 *             net_conn_ref; heavy work goes to ctx->workq)
 *   on_open / on_close   optional, per connection, on the loop thread
 *   healthy   optional, on the HTTP thread for GET /healthz: false gives
 *             503 with why (e.g. "database unreachable")
 *   shutdown  after every connection closed and every worker stopped
 *
 * Two apps: "iso8583" (app_iso.c, the payment host, default) and "echo"
 * (app_echo.c, the transport ceiling for tests and benchmarks).
 */
#ifndef POSD_APP_H
#define POSD_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

struct config;
struct http;
struct metrics;
struct net_conn;
struct workq;

/* What the runtime offers the app; valid from init to shutdown. */
struct posd_ctx {
    const struct config *cfg;
    struct metrics *metrics;
    struct workq *workq;
    struct http *http; /* NULL when HTTP is off */
    uv_loop_t *loop;
};

struct posd_app {
    const char *name;
    int (*init)(struct posd_ctx *ctx, void **state); /* POS_OK or an error: posd exits 1 */
    void (*on_frame)(struct net_conn *c, const uint8_t *frame, size_t len, void *state);
    void (*on_open)(struct net_conn *c, void *state);
    void (*on_close)(struct net_conn *c, void *state);
    bool (*healthy)(void *state, char *why, size_t why_cap);
    void (*shutdown)(void *state);
};

/* The app called name ("iso8583", "echo"), or NULL (static objects). */
const struct posd_app *app_get(const char *name);

/* The apps (app_echo.c, app_iso.c). */
const struct posd_app *app_echo_get(void);
const struct posd_app *app_iso_get(void);

#endif
