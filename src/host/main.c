/*
 * posd: the payment host daemon's main — configuration, log, workers,
 * listeners, HTTP, signals and the orderly exit (docs/posd.md).
 *
 * Lifecycle: read the config (defaults < file < flags); open the log; start
 * the workers; let the app (app.h) initialise; bind every listener and the
 * HTTP port; write the pid file; report "ready" with the bound ports (log
 * line, --port-file, --ready-fd); run the loop. SIGTERM or SIGINT: /healthz
 * turns 503, listeners stop accepting, answers in flight are drained (up
 * to drain_timeout), connections close, workers finish, exit 0. SIGHUP:
 * the log file is reopened.
 *
 * Exit codes: 0 after a clean shutdown or --help/--check-config; 1 when
 * something cannot start (a port in use, a bad certificate, the app's
 * init); 2 for a bad command line or config file.
 */
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "error.h"
#include "mem.h"
#include "crypto/block.h"
#include "host/app.h"
#include "host/config.h"
#include "host/http.h"
#include "host/log.h"
#include "host/metrics.h"
#include "host/net.h"
#include "host/workq.h"

#define POSD_READY_MAX 4096

struct posd {
    struct config cfg;
    struct metrics metrics;
    uv_loop_t loop;
    uv_signal_t sig_term, sig_int, sig_hup;
    struct workq *wq;
    struct http *http;
    struct net *net;
    const struct posd_app *app;
    void *app_state;
    struct posd_ctx ctx;
    atomic_bool draining;
    bool signals_on;
};

/* Each terminal is a connection: raise the soft open-file limit to the hard
 * one (commonly 1024 -> 1048576), so thousands of terminals fit. */
static void posd_raise_nofile(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* One process, one daemon: static because struct config is large. */
static struct posd posd_main;

static int posd_healthz(const struct http_request *req, struct http_response *resp, void *ud)
{
    struct posd *p = ud;
    char why[96] = "", body[160];
    int k;

    (void)req;
    if (atomic_load(&p->draining)) {
        k = snprintf(body, sizeof(body), "{\"status\":\"draining\"}");
        return http_response_set(resp, "application/json", body, (size_t)k) == POS_OK ? 503 : 500;
    }
    if (p->app->healthy != NULL && !p->app->healthy(p->app_state, why, sizeof(why))) {
        k = snprintf(body, sizeof(body), "{\"status\":\"unhealthy\",\"why\":\"%s\"}", why);
        return http_response_set(resp, "application/json", body, (size_t)k) == POS_OK ? 503 : 500;
    }
    k = snprintf(body, sizeof(body), "{\"status\":\"ok\"}");
    return http_response_set(resp, "application/json", body, (size_t)k) == POS_OK ? 200 : 500;
}

static int posd_metrics(const struct http_request *req, struct http_response *resp, void *ud)
{
    struct posd *p = ud;
    char *text = NULL;
    size_t len = 0;

    (void)req;
    if (metrics_format(&p->metrics, &text, &len) != POS_OK)
        return 500;
    http_response_take(resp, METRICS_CONTENT_TYPE, text, len);
    return 200;
}

static void posd_on_frame(struct net_conn *c, const uint8_t *frame, size_t len, void *ud)
{
    struct posd *p = ud;

    p->app->on_frame(c, frame, len, p->app_state);
}

static void posd_on_open(struct net_conn *c, void *ud)
{
    struct posd *p = ud;

    if (p->app->on_open != NULL)
        p->app->on_open(c, p->app_state);
}

static void posd_on_close(struct net_conn *c, void *ud)
{
    struct posd *p = ud;

    if (p->app->on_close != NULL)
        p->app->on_close(c, p->app_state);
}

static void posd_close_signals(struct posd *p)
{
    if (!p->signals_on)
        return;
    p->signals_on = false;
    uv_close((uv_handle_t *)&p->sig_term, NULL);
    uv_close((uv_handle_t *)&p->sig_int, NULL);
    uv_close((uv_handle_t *)&p->sig_hup, NULL);
}

static void posd_net_done(struct net *n, void *ud)
{
    struct posd *p = ud;

    (void)n;
    log_event(LOG_LEVEL_INFO, "drained", NULL);
    posd_close_signals(p);
}

static void posd_on_signal(uv_signal_t *s, int signum)
{
    struct posd *p = s->data;

    if (signum == SIGHUP) {
        if (log_reopen() == POS_OK)
            log_event(LOG_LEVEL_INFO, "log_reopened", NULL);
        return;
    }
    if (atomic_exchange(&p->draining, true)) {
        log_event(LOG_LEVEL_INFO, "shutdown_pending", "signal=%s",
                  signum == SIGTERM ? "TERM" : "INT");
        return;
    }
    log_event(LOG_LEVEL_INFO, "shutdown", "signal=%s drain_ms=%llu",
              signum == SIGTERM ? "TERM" : "INT", (unsigned long long)p->cfg.drain_ms);
    (void)net_shutdown(p->net, p->cfg.drain_ms, posd_net_done, p);
}

static int posd_signals(struct posd *p)
{
    uv_signal_t *sigs[3] = {&p->sig_term, &p->sig_int, &p->sig_hup};
    int nums[3] = {SIGTERM, SIGINT, SIGHUP}, i;

    for (i = 0; i < 3; i++) {
        uv_signal_init(&p->loop, sigs[i]);
        sigs[i]->data = p;
        if (uv_signal_start(sigs[i], posd_on_signal, nums[i]) != 0)
            return POS_ERR_IO;
    }
    p->signals_on = true;
    return POS_OK;
}

/* "name=addr:port" lines for every listener and HTTP. */
static size_t posd_ready_text(struct posd *p, char *buf, size_t cap)
{
    const struct net_listener_config *l;
    size_t i, n = 0;
    int k;

    for (i = 0; (l = net_listener_at(p->net, i)) != NULL && n < cap; i++) {
        k = snprintf(buf + n, cap - n,
                     strchr(l->address, ':') != NULL ? "%s=[%s]:%u\n" : "%s=%s:%u\n", l->name,
                     l->address, (unsigned)l->port);
        n = (k < 0 || (size_t)k >= cap - n) ? cap : n + (size_t)k;
    }
    if (p->http != NULL && n < cap) {
        k = snprintf(buf + n, cap - n,
                     strchr(p->cfg.http_address, ':') != NULL ? "http=[%s]:%u\n" : "http=%s:%u\n",
                     p->cfg.http_address, (unsigned)http_port(p->http));
        n = (k < 0 || (size_t)k >= cap - n) ? cap : n + (size_t)k;
    }
    return n < cap ? n : cap - 1;
}

/* Writes len bytes to path through a temporary file and rename(2), so a
 * reader sees all of it or nothing. */
static int posd_write_file(const char *path, const char *text, size_t len)
{
    char tmp[NET_PATH_MAX + 8];
    FILE *f;
    int rc = POS_OK;

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    f = fopen(tmp, "w");
    if (f == NULL)
        return POS_ERR_IO;
    if (fwrite(text, 1, len, f) != len)
        rc = POS_ERR_IO;
    if (fclose(f) != 0)
        rc = POS_ERR_IO;
    if (rc == POS_OK && rename(tmp, path) != 0)
        rc = POS_ERR_IO;
    if (rc != POS_OK)
        unlink(tmp);
    return rc;
}

static int posd_ready(struct posd *p)
{
    char text[POSD_READY_MAX], line[POSD_READY_MAX];
    size_t len = posd_ready_text(p, text, sizeof(text)), i;
    ssize_t w;

    if (p->cfg.port_file[0] != '\0' && posd_write_file(p->cfg.port_file, text, len) != POS_OK) {
        log_event(LOG_LEVEL_ERROR, "port_file_failed", "path=%s errno=%d", p->cfg.port_file, errno);
        return POS_ERR_IO;
    }
    if (p->cfg.ready_fd >= 0) {
        w = write(p->cfg.ready_fd, text, len);
        close(p->cfg.ready_fd);
        if (w != (ssize_t)len)
            return POS_ERR_IO;
    }
    for (i = 0; i < len; i++)
        line[i] = text[i] == '\n' ? ' ' : text[i];
    while (i > 0 && line[i - 1] == ' ')
        i--;
    line[i] = '\0';
    log_event(LOG_LEVEL_INFO, "ready", "pid=%ld app=%s %s", (long)getpid(), p->app->name, line);
    return POS_OK;
}

static int posd_pid_file(const struct config *cfg)
{
    char text[32];
    int k;

    if (cfg->pid_file[0] == '\0')
        return POS_OK;
    k = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
    return posd_write_file(cfg->pid_file, text, (size_t)k);
}

/* Everything between the config and the loop. POS_OK or the failure
 * (already logged). */
static int posd_start(struct posd *p)
{
    struct net_handler h = {posd_on_frame, posd_on_open, posd_on_close, p};
    struct pos_errdetail d;
    char msg[256];
    long ncpu;
    unsigned workers = p->cfg.workers;
    size_t i;
    int rc;

    pos_errdetail_init(&d);
    if (workers == 0) {
        ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        workers = ncpu > 0 ? (unsigned)(ncpu < 256 ? ncpu : 256) : 2;
    }
    rc = workq_new(workers, p->cfg.queue_max, &p->wq);
    if (rc == POS_OK && p->cfg.http_enabled)
        rc = http_new(&p->metrics, &p->http);
    if (rc != POS_OK) {
        log_event(LOG_LEVEL_ERROR, "start_failed", "what=workers error=\"%s\"", pos_strerror(rc));
        return rc;
    }
    p->ctx = (struct posd_ctx){&p->cfg, &p->metrics, p->wq, p->http, &p->loop};
    rc = p->app->init(&p->ctx, &p->app_state);
    if (rc != POS_OK) {
        log_event(LOG_LEVEL_ERROR, "start_failed", "what=app app=%s error=\"%s\"", p->app->name,
                  pos_strerror(rc));
        return rc;
    }
    if (p->http != NULL) {
        (void)http_route(p->http, "GET", "/healthz", posd_healthz, p);
        (void)http_route(p->http, "GET", "/metrics", posd_metrics, p);
    }
    rc = net_new(&p->loop, &p->cfg.net, &h, &p->metrics, &p->net);
    for (i = 0; rc == POS_OK && i < p->cfg.nlisteners; i++)
        rc = net_listen(p->net, &p->cfg.listeners[i].net, &d);
    if (rc == POS_OK && p->http != NULL)
        rc = http_start(p->http, p->cfg.http_address, p->cfg.http_port, p->cfg.http_max_body, &d);
    if (rc == POS_OK)
        rc = posd_signals(p);
    if (rc == POS_OK)
        rc = posd_pid_file(&p->cfg);
    if (rc == POS_OK)
        rc = posd_ready(p);
    if (rc != POS_OK) {
        pos_errdetail_format(rc, &d, msg, sizeof(msg));
        log_event(LOG_LEVEL_ERROR, "start_failed", "error=\"%s\"", msg);
    }
    return rc;
}

/* Undoes posd_start in reverse, after the loop has stopped. */
static void posd_stop(struct posd *p)
{
    if (p->net != NULL && net_shutdown(p->net, 0, NULL, NULL) == POS_OK)
        uv_run(&p->loop, UV_RUN_DEFAULT); /* a failed start: close what was opened */
    posd_close_signals(p);
    uv_run(&p->loop, UV_RUN_DEFAULT);
    workq_free(p->wq); /* queued work finishes; its sends are dropped */
    if (p->app_state != NULL && p->app->shutdown != NULL)
        p->app->shutdown(p->app_state);
    http_free(p->http);
    net_free(p->net);
    if (uv_loop_close(&p->loop) != 0)
        log_event(LOG_LEVEL_WARN, "loop_busy", NULL);
    if (p->cfg.pid_file[0] != '\0')
        unlink(p->cfg.pid_file);
}

int main(int argc, char **argv)
{
    struct posd *p = &posd_main;
    struct pos_errdetail d;
    char msg[256];
    static char text[65536];
    int rc;

    pos_errdetail_init(&d);
    config_init(&p->cfg);
    rc = config_parse_args(&p->cfg, argc, argv, &d);
    if (rc != POS_OK) {
        pos_errdetail_format(rc, &d, msg, sizeof(msg));
        fprintf(stderr, "posd: %s\n", msg);
        return 2;
    }
    if (p->cfg.want_help) {
        config_usage(stdout);
        return 0;
    }
    if (p->cfg.check_only) {
        rc = config_format(&p->cfg, text, sizeof(text));
        fputs(text, stdout);
        return rc == POS_OK ? 0 : 1;
    }
    signal(SIGPIPE, SIG_IGN);
    posd_raise_nofile();
    if (log_open(p->cfg.log_file, p->cfg.log_level) != POS_OK) {
        fprintf(stderr, "posd: log file %s: %s\n", p->cfg.log_file, strerror(errno));
        return 1;
    }
    metrics_init(&p->metrics);
    atomic_init(&p->draining, false);
    p->app = app_get(p->cfg.app);
    if (pos_crypto_init() != POS_OK) {
        log_event(LOG_LEVEL_ERROR, "start_failed", "what=crypto error=\"no OpenSSL provider\"");
        log_close();
        return 1;
    }
    uv_loop_init(&p->loop);
    rc = posd_start(p);
    if (rc == POS_OK)
        uv_run(&p->loop, UV_RUN_DEFAULT); /* ends once net drained and signals closed */
    posd_stop(p);
    log_event(LOG_LEVEL_INFO, "exit", "status=%d", rc == POS_OK ? 0 : 1);
    log_close();
    return rc == POS_OK ? 0 : 1;
}
