/*
 * app_echo: the echo app (posd --app echo). Every frame is answered with the
 * same bytes, from a worker thread, exercising the runtime's cross-thread
 * reply path (net_conn_ref -> workq -> net_conn_send -> net_conn_unref): the
 * runtime's tests and bench/echo (the bare transport ceiling) use it.
 */
#include "app.h"

#include <string.h>

#include "error.h"
#include "log.h"
#include "mem.h"
#include "net.h"
#include "workq.h"

struct app_echo {
    struct workq *wq;
};

struct app_echo_job {
    struct net_conn *c;
    size_t len;
    uint8_t data[];
};

static struct app_echo app_echo_state;

static int app_echo_init(struct posd_ctx *ctx, void **state)
{
    app_echo_state.wq = ctx->workq;
    *state = &app_echo_state;
    return POS_OK;
}

static void app_echo_run(void *arg)
{
    struct app_echo_job *job = arg;

    (void)net_conn_send(job->c, job->data, job->len);
    net_conn_unref(job->c);
    pos_free(job);
}

static void app_echo_frame(struct net_conn *c, const uint8_t *frame, size_t len, void *state)
{
    struct app_echo *app = state;
    struct app_echo_job *job = pos_malloc(sizeof(*job) + len);

    if (job == NULL) {
        log_event(LOG_LEVEL_ERROR, "echo_nomem", "conn=%llu", (unsigned long long)net_conn_id(c));
        return;
    }
    job->c = c;
    job->len = len;
    memcpy(job->data, frame, len);
    net_conn_ref(c);
    if (workq_submit(app->wq, app_echo_run, job) != POS_OK) {
        /* Queue full: answer inline rather than drop. */
        (void)net_conn_send(c, frame, len);
        net_conn_unref(c);
        pos_free(job);
    }
}

static void app_echo_shutdown(void *state)
{
    (void)state;
}

static const struct posd_app app_echo = {
    "echo", app_echo_init, app_echo_frame, NULL, NULL, NULL, app_echo_shutdown,
};

const struct posd_app *app_echo_get(void)
{
    return &app_echo;
}
