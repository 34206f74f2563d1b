/* net: listeners, accepting, the sweep timer and the draining shutdown
 * (see net.h); one connection's I/O is in net_conn.c. */
#include "net_int.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "log.h"
#include "mem.h"
#include "metrics.h"
#include "tls.h"

void net_listener_config_init(struct net_listener_config *lc, const char *name)
{
    memset(lc, 0, sizeof(*lc));
    snprintf(lc->name, sizeof(lc->name), "%s", name);
    snprintf(lc->address, sizeof(lc->address), "127.0.0.1");
    lc->port = 5800;
    snprintf(lc->dialect, sizeof(lc->dialect), "%s", name);
    snprintf(lc->key_scheme, sizeof(lc->key_scheme), "master_session");
    lc->framing = FRAME_2BE;
    lc->max_frame = NET_DEFAULT_MAX_FRAME;
}

void net_options_init(struct net_options *o)
{
    o->idle_timeout_ms = 300000;
    o->max_connections = 10000;
    o->max_unsent = 256u * 1024u;
    o->backlog = 511;
}

/* --- accepting --- */

static void conn_peer_name(struct net_conn *c)
{
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    char ip[NET_ADDR_MAX] = "?";
    unsigned port = 0;

    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
        if (ss.ss_family == AF_INET6) {
            const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;
            uv_ip6_name(s6, ip, sizeof(ip));
            port = ntohs(s6->sin6_port);
            snprintf(c->peer, sizeof(c->peer), "[%s]:%u", ip, port);
            return;
        }
        uv_ip4_name((const struct sockaddr_in *)&ss, ip, sizeof(ip));
        port = ntohs(((const struct sockaddr_in *)&ss)->sin_port);
    }
    snprintf(c->peer, sizeof(c->peer), "%s:%u", ip, port);
}

static void net_on_connection(uv_stream_t *server, int status)
{
    struct net_listener *l = server->data;
    struct net *n = l->n, *saved = net__current;
    struct net_conn *c;

    net__current = n;
    if (status < 0) {
        log_event(LOG_LEVEL_WARN, "accept_failed", "listener=%s error=%s", l->cfg.name,
                  uv_err_name(status));
        goto out;
    }
    c = pos_calloc(1, sizeof(*c));
    if (c == NULL)
        goto out; /* the connection stays in the backlog; retried next time */
    c->n = n;
    c->l = l;
    atomic_init(&c->refs, 1);
    c->tcp.data = c;
    uv_tcp_init(n->loop, &c->tcp);
    n->handles++;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
        net__conn_close(c, "accept failed");
        goto out;
    }
    conn_peer_name(c);
    if (n->nconns >= n->opts.max_connections || n->shutting_down) {
        metrics_add(n->m, METRICS_CONN_REJECTED, 1);
        log_event(LOG_LEVEL_WARN, "conn_rejected", "listener=%s peer=%s open=%zu max=%zu",
                  l->cfg.name, c->peer, n->nconns, n->opts.max_connections);
        net__conn_close(c, "connection limit");
        goto out;
    }
    if (l->tls != NULL && tls_conn_new(l->tls, &c->tls) != POS_OK) {
        net__conn_close(c, "tls session");
        goto out;
    }
    c->id = ++n->next_id;
    c->counted = true;
    c->last_active = uv_now(n->loop);
    c->next = n->conns;
    if (n->conns != NULL)
        n->conns->prev = c;
    n->conns = c;
    n->nconns++;
    metrics_add(n->m, METRICS_CONNECTIONS, 1);
    metrics_add(n->m, METRICS_CONN_ACCEPTED, 1);
    uv_tcp_nodelay(&c->tcp, 1);
    log_event(LOG_LEVEL_DEBUG, "conn_open", "listener=%s peer=%s conn=%llu", l->cfg.name, c->peer,
              (unsigned long long)c->id);
    if (n->h.on_open != NULL)
        n->h.on_open(c, n->h.ud);
    if (!c->closing &&
        uv_read_start((uv_stream_t *)&c->tcp, net__conn_on_alloc, net__conn_on_read) != 0)
        net__conn_close(c, "read start failed");
out:
    net__current = saved;
}

/* --- the sweep: idle timeouts, half-closed and draining connections --- */

static void net_on_sweep(uv_timer_t *t)
{
    struct net *n = t->data, *saved = net__current;
    struct net_conn *c, *next;
    uint64_t now = uv_now(n->loop);
    bool expired = n->shutting_down && now >= n->drain_deadline;

    net__current = n;
    for (c = n->conns; c != NULL; c = next) {
        next = c->next;
        if (n->shutting_down) {
            if (expired)
                net__conn_close(c, "drain timeout");
            else
                net__conn_maybe_finish(c);
        } else if (n->opts.idle_timeout_ms > 0 && now - c->last_active >= n->opts.idle_timeout_ms &&
                   atomic_load(&c->refs) == 1 && atomic_load(&c->unsent) == 0 && c->writes == 0) {
            metrics_add(n->m, METRICS_IDLE_TIMEOUTS, 1);
            log_event(LOG_LEVEL_INFO, "idle_timeout", "listener=%s peer=%s conn=%llu idle_ms=%llu",
                      c->l->cfg.name, c->peer, (unsigned long long)c->id,
                      (unsigned long long)(now - c->last_active));
            net__conn_close_graceful(c, "idle timeout");
        } else if (c->eof) {
            net__conn_maybe_finish(c);
        }
    }
    net__check_done(n);
    net__current = saved;
}

/* --- lifecycle --- */

int net_new(uv_loop_t *loop, const struct net_options *opts, const struct net_handler *h,
            struct metrics *m, struct net **out)
{
    struct net *n = NULL;
    int rc = POS_OK;

    *out = NULL;
    if (loop == NULL || h == NULL || h->on_frame == NULL)
        return POS_ERR_INVAL;
    n = pos_calloc(1, sizeof(*n));
    if (n == NULL)
        return POS_ERR_NOMEM;
    n->loop = loop;
    if (opts != NULL)
        n->opts = *opts;
    else
        net_options_init(&n->opts);
    if (n->opts.max_unsent == 0 || n->opts.max_unsent > SIZE_MAX / 8 || n->opts.backlog <= 0) {
        rc = POS_ERR_INVAL;
        goto out;
    }
    n->h = *h;
    if (m == NULL) {
        rc = metrics_new(&n->own_m);
        if (rc != POS_OK)
            goto out;
        m = n->own_m;
    }
    n->m = m;
    pthread_mutex_init(&n->mu, NULL);
    uv_async_init(loop, &n->async, net__on_async);
    n->async.data = n;
    uv_timer_init(loop, &n->sweep);
    n->sweep.data = n;
    n->handles = 2;
    n->sweep_ms = 1000;
    if (n->opts.idle_timeout_ms > 0 && n->opts.idle_timeout_ms / 4 < n->sweep_ms)
        n->sweep_ms = n->opts.idle_timeout_ms / 4 < NET_DRAIN_TICK ? NET_DRAIN_TICK
                                                                   : n->opts.idle_timeout_ms / 4;
    uv_timer_start(&n->sweep, net_on_sweep, n->sweep_ms, n->sweep_ms);
    uv_unref((uv_handle_t *)&n->sweep);
    uv_unref((uv_handle_t *)&n->async);
    *out = n;
    n = NULL;
out:
    if (n != NULL) {
        metrics_free(n->own_m);
        pos_free(n);
    }
    return rc;
}

static bool net_name_ok(const char *s)
{
    size_t i;

    if (s[0] == '\0')
        return false;
    for (i = 0; s[i] != '\0'; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-'))
            return false;
    }
    return true;
}

static void net_listener_on_closed(uv_handle_t *h)
{
    struct net_listener *l = h->data;

    l->n->handles--;
    net__check_done(l->n);
}

static int net_listener_check(struct net *n, const struct net_listener_config *lc,
                              struct pos_errdetail *d)
{
    size_t i;

    if (!net_name_ok(lc->name))
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "listener name '%.40s': letters, digits, '_' or '-'", lc->name);
    for (i = 0; i < n->nlisteners; i++)
        if (n->listeners[i].listening && strcmp(n->listeners[i].cfg.name, lc->name) == 0)
            return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                     "listener %s: duplicate name", lc->name);
    if (n->nlisteners == NET_MAX_LISTENERS)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "listener %s: more than %d listeners", lc->name,
                                 NET_MAX_LISTENERS);
    if ((unsigned)lc->framing > FRAME_4ASCII || lc->max_frame == 0 ||
        lc->max_frame > frame_kind_max(lc->framing) || lc->max_frame > (64u << 20))
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "listener %s: max_frame %zu out of range for %s", lc->name,
                                 lc->max_frame, frame_kind_name(lc->framing));
    if ((lc->tls_cert[0] == '\0') != (lc->tls_key[0] == '\0'))
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "listener %s: tls_cert and tls_key go together", lc->name);
    if (n->shutting_down)
        return pos_errdetail_set(d, POS_ERR_CLOSED, -1, POS_NO_OFFSET, "shutting down");
    return POS_OK;
}

int net_listen(struct net *n, const struct net_listener_config *lc, struct pos_errdetail *d)
{
    struct sockaddr_storage ss;
    struct net_listener *l;
    int r, len = sizeof(ss), rc;

    rc = net_listener_check(n, lc, d);
    if (rc != POS_OK)
        return rc;
    memset(&ss, 0, sizeof(ss));
    if (uv_ip4_addr(lc->address, lc->port, (struct sockaddr_in *)&ss) != 0 &&
        uv_ip6_addr(lc->address, lc->port, (struct sockaddr_in6 *)&ss) != 0)
        return pos_errdetail_set(
            d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
            "listener %s: address '%.64s' is not a numeric IPv4 or IPv6 address", lc->name,
            lc->address);
    l = &n->listeners[n->nlisteners];
    memset(l, 0, sizeof(*l));
    l->n = n;
    l->cfg = *lc;
    if (lc->tls_cert[0] != '\0') {
        rc = tls_ctx_new(lc->tls_cert, lc->tls_key, d, &l->tls);
        if (rc != POS_OK)
            return rc;
    }
    n->nlisteners++; /* the slot holds a uv handle from here on */
    uv_tcp_init(n->loop, &l->tcp);
    l->tcp.data = l;
    n->handles++;
    r = uv_tcp_bind(&l->tcp, (const struct sockaddr *)&ss, 0);
    if (r == 0)
        r = uv_listen((uv_stream_t *)&l->tcp, n->opts.backlog, net_on_connection);
    if (r == 0)
        r = uv_tcp_getsockname(&l->tcp, (struct sockaddr *)&ss, &len);
    if (r != 0) {
        uv_close((uv_handle_t *)&l->tcp, net_listener_on_closed);
        return pos_errdetail_set(d, POS_ERR_IO, -1, POS_NO_OFFSET, "listener %s: %s:%u: %s",
                                 lc->name, lc->address, lc->port, uv_strerror(r));
    }
    l->cfg.port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                 : ((struct sockaddr_in *)&ss)->sin_port);
    l->listening = true;
    log_event(LOG_LEVEL_INFO, "listen",
              "listener=%s addr=%s port=%u dialect=%s key_scheme=%s "
              "framing=%s max_frame=%zu tls=%s",
              l->cfg.name, l->cfg.address, (unsigned)l->cfg.port, l->cfg.dialect, l->cfg.key_scheme,
              frame_kind_name(l->cfg.framing), l->cfg.max_frame, l->tls != NULL ? "1.3" : "off");
    return POS_OK;
}

size_t net_listener_count(const struct net *n)
{
    size_t i, k = 0;

    for (i = 0; i < n->nlisteners; i++)
        k += n->listeners[i].listening ? 1 : 0;
    return k;
}

const struct net_listener_config *net_listener_at(const struct net *n, size_t idx)
{
    size_t i, k = 0;

    for (i = 0; i < n->nlisteners; i++) {
        if (!n->listeners[i].listening)
            continue;
        if (k++ == idx)
            return &n->listeners[i].cfg;
    }
    return NULL;
}

int net_listener_port(const struct net *n, const char *name, uint16_t *port)
{
    size_t i;

    for (i = 0; i < n->nlisteners; i++) {
        if (n->listeners[i].listening && strcmp(n->listeners[i].cfg.name, name) == 0) {
            *port = n->listeners[i].cfg.port;
            return POS_OK;
        }
    }
    return POS_ERR_NOT_FOUND;
}

size_t net_conn_count(const struct net *n)
{
    return n->nconns;
}

struct metrics *net_metrics(struct net *n)
{
    return n->m;
}

static void net_internal_on_closed(uv_handle_t *h)
{
    struct net *n = h->data;

    n->handles--;
    if (n->handles == 0 && n->done != NULL)
        n->done(n, n->done_ud);
}

/* During shutdown: once every listener and connection is closed, drops
 * whatever is still queued and closes the async and the sweep timer. */
void net__check_done(struct net *n)
{
    struct net_msg *msg, *next;

    if (!n->shutting_down || n->internal_closing || n->handles != 2)
        return;
    n->internal_closing = true;
    pthread_mutex_lock(&n->mu);
    n->stopped = true;
    msg = n->qhead;
    n->qhead = n->qtail = NULL;
    pthread_mutex_unlock(&n->mu);
    for (; msg != NULL; msg = next) {
        next = msg->next;
        atomic_fetch_sub(&msg->conn->queued, 1);
        atomic_fetch_sub(&msg->conn->unsent, msg->kind == NET_MSG_DATA ? msg->acct : 0);
        net_conn_unref(msg->conn);
        pos_free(msg);
    }
    uv_close((uv_handle_t *)&n->async, net_internal_on_closed);
    uv_close((uv_handle_t *)&n->sweep, net_internal_on_closed);
}

int net_shutdown(struct net *n, uint64_t drain_ms, net_done_fn *done, void *ud)
{
    struct net *saved = net__current;
    struct net_conn *c, *next;
    size_t i;

    if (n->shutting_down)
        return POS_ERR_CLOSED;
    net__current = n;
    n->shutting_down = true;
    n->done = done;
    n->done_ud = ud;
    n->drain_deadline = uv_now(n->loop) + drain_ms;
    log_event(LOG_LEVEL_INFO, "drain", "connections=%zu drain_ms=%llu", n->nconns,
              (unsigned long long)drain_ms);
    for (i = 0; i < n->nlisteners; i++) {
        if (n->listeners[i].listening) {
            n->listeners[i].listening = false;
            uv_close((uv_handle_t *)&n->listeners[i].tcp, net_listener_on_closed);
        }
    }
    for (c = n->conns; c != NULL; c = next) {
        next = c->next;
        c->stop_frames = true;
        uv_read_stop((uv_stream_t *)&c->tcp);
        atomic_store(&c->finishing, true);
        net__conn_maybe_finish(c);
    }
    /* Keep the loop alive through the drain, ticking fast. */
    uv_ref((uv_handle_t *)&n->sweep);
    uv_ref((uv_handle_t *)&n->async);
    uv_timer_start(&n->sweep, net_on_sweep, NET_DRAIN_TICK, NET_DRAIN_TICK);
    net__check_done(n);
    net__current = saved;
    return POS_OK;
}

void net_free(struct net *n)
{
    size_t i;

    if (n == NULL)
        return;
    for (i = 0; i < n->nlisteners; i++)
        tls_ctx_free(n->listeners[i].tls);
    pthread_mutex_destroy(&n->mu);
    metrics_free(n->own_m);
    pos_free(n);
}
