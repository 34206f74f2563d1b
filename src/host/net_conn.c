/* net_conn: one connection's life — references, the cross-thread reply
 * queue, writes (plain or TLS), reads and framing, closing (see net.h). */
#include "net_int.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "hex.h"
#include "log.h"
#include "mem.h"
#include "metrics.h"
#include "tls.h"

_Thread_local struct net *net__current;

/* --- references and the cross-thread queue --- */

void net_conn_ref(struct net_conn *c)
{
    atomic_fetch_add(&c->refs, 1);
}

static void conn_free(struct net_conn *c)
{
    pos_free(c);
}

/* Pushes msg for the loop; false (msg untouched) once n has stopped. */
static bool net_enqueue(struct net *n, struct net_msg *msg)
{
    bool ok;

    pthread_mutex_lock(&n->mu);
    ok = !n->stopped;
    if (ok) {
        msg->next = NULL;
        atomic_fetch_add(&msg->conn->queued, 1);
        if (n->qtail != NULL)
            n->qtail->next = msg;
        else
            n->qhead = msg;
        n->qtail = msg;
        uv_async_send(&n->async);
    }
    pthread_mutex_unlock(&n->mu);
    return ok;
}

static struct net_msg *net_msg_new(struct net_conn *c, enum net_msg_kind kind, size_t len)
{
    struct net_msg *msg;

    if (len > SIZE_MAX - sizeof(*msg))
        return NULL;
    msg = pos_malloc(sizeof(*msg) + len);
    if (msg == NULL)
        return NULL;
    msg->next = NULL;
    msg->conn = c;
    msg->kind = kind;
    msg->len = len;
    msg->acct = 0;
    msg->req.data = msg;
    return msg;
}

void net_conn_unref(struct net_conn *c)
{
    struct net_msg *msg;

    /* Off the loop, while the loop waits for this connection to become
     * quiet (EOF or drain), hand our reference to the loop instead of
     * dropping it, so it re-checks at once. */
    if (net__current != c->n && atomic_load(&c->finishing) && !atomic_load(&c->closed)) {
        msg = net_msg_new(c, NET_MSG_CHECK, 0);
        if (msg != NULL) {
            if (net_enqueue(c->n, msg))
                return;
            pos_free(msg);
        }
    }
    if (atomic_fetch_sub(&c->refs, 1) == 1)
        conn_free(c);
}

/* --- writing --- */

static void conn_on_write(uv_write_t *req, int status);
static void conn_wrote(struct net_conn *c, struct net_msg *msg, int status);

/* Writes msg (loop thread); msg and its reference are released once it is
 * written (here when the socket takes it all at once, else by the write
 * callback), or here on failure. A reply the socket takes whole costs one
 * write(2) and nothing else: uv_write would also re-arm the descriptor's
 * poll registration (an epoll_ctl per reply). */
static void conn_write_raw(struct net_conn *c, struct net_msg *msg)
{
    uv_buf_t b = uv_buf_init((char *)msg->data, (unsigned)msg->len);
    int r = 0;

    if (c->writes == 0) { /* nothing ahead of it: order is kept */
        r = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
        if (r == (int)msg->len) {
            conn_wrote(c, msg, 0);
            return;
        }
        if (r < 0 && r != UV_EAGAIN && r != UV_ENOSYS) {
            conn_wrote(c, msg, r);
            return;
        }
        if (r > 0)
            b = uv_buf_init((char *)msg->data + r, (unsigned)(msg->len - (size_t)r));
    }
    r = uv_write(&msg->req, (uv_stream_t *)&c->tcp, &b, 1, conn_on_write);
    if (r != 0) {
        atomic_fetch_sub(&c->unsent, msg->acct);
        pos_free(msg);
        net__conn_close(c, "write failed");
        net_conn_unref(c);
        return;
    }
    c->writes++;
}

/* Sends whatever ciphertext the TLS session has pending. */
static void conn_flush_tls(struct net_conn *c)
{
    size_t pending = tls_conn_pending(c->tls);
    struct net_msg *msg;

    if (pending == 0 || c->closing)
        return;
    msg = net_msg_new(c, NET_MSG_DATA, pending);
    if (msg == NULL) {
        net__conn_close(c, "out of memory");
        return;
    }
    msg->len = tls_conn_take(c->tls, msg->data, pending);
    msg->acct = msg->len;
    atomic_fetch_add(&c->unsent, msg->acct);
    net_conn_ref(c);
    conn_write_raw(c, msg);
}

/* Sends one framed reply (loop thread). Consumes msg and its reference. */
static void conn_write_msg(struct net_conn *c, struct net_msg *msg)
{
    int r;

    if (c->closing) {
        atomic_fetch_sub(&c->unsent, msg->acct);
        pos_free(msg);
        net_conn_unref(c);
        return;
    }
    metrics_add(c->n->m, METRICS_FRAMES_OUT, 1);
    if (c->tls == NULL) {
        conn_write_raw(c, msg);
        return;
    }
    r = tls_conn_write(c->tls, msg->data, msg->len);
    atomic_fetch_sub(&c->unsent, msg->acct);
    pos_free(msg);
    if (r != POS_OK)
        net__conn_close(c, "tls write failed");
    else
        conn_flush_tls(c);
    net_conn_unref(c);
}

static void conn_on_write(uv_write_t *req, int status)
{
    struct net_msg *msg = req->data;
    struct net_conn *c = msg->conn;
    struct net *n = c->n, *saved = net__current;

    net__current = n;
    c->writes--;
    conn_wrote(c, msg, status);
    net__current = saved;
}

/* msg has been written (status 0) or failed: releases it and its reference,
 * closes on error, resumes reading or finishes the connection as due. */
static void conn_wrote(struct net_conn *c, struct net_msg *msg, int status)
{
    struct net *n = c->n;

    atomic_fetch_sub(&c->unsent, msg->acct);
    pos_free(msg);
    if (status < 0 && status != UV_ECANCELED) {
        net__conn_close(c, "write error");
    } else if (!c->closing) {
        c->last_active = uv_now(n->loop);
        if (c->close_after_write && c->writes == 0) {
            net__conn_close(c, "closed after reply");
        } else if (c->paused && atomic_load(&c->unsent) <= n->opts.max_unsent / 2 && !c->eof &&
                   !c->stop_frames) {
            c->paused = false;
            uv_read_start((uv_stream_t *)&c->tcp, net__conn_on_alloc, net__conn_on_read);
        }
        if (!c->closing)
            net__conn_maybe_finish(c);
    }
    net_conn_unref(c);
}

int net_conn_send(struct net_conn *c, const uint8_t *msg, size_t len)
{
    const struct net_listener_config *lc;
    size_t plen = 0, unsent, hard;
    struct net_msg *m;
    struct net_msg *close_msg;

    /* Once closed, c's net may be gone: touch nothing but c. */
    if (atomic_load(&c->closed))
        return POS_ERR_CLOSED;
    lc = &c->l->cfg;
    hard = c->n->opts.max_unsent * 4;
    if (len == 0 || len > frame_kind_max(lc->framing))
        return POS_ERR_LENGTH;
    unsent = atomic_fetch_add(&c->unsent, len);
    /* The hard cap applies to a backlog, never to one reply on its own. */
    if (unsent > 0 && unsent + len > hard) {
        atomic_fetch_sub(&c->unsent, len);
        close_msg = net_msg_new(c, NET_MSG_CLOSE, 0);
        if (close_msg != NULL) {
            close_msg->acct = 1; /* marks a back-pressure close */
            net_conn_ref(c);
            if (!net_enqueue(c->n, close_msg)) {
                pos_free(close_msg);
                net_conn_unref(c);
            }
        }
        return POS_ERR_BUSY;
    }
    m = net_msg_new(c, NET_MSG_DATA, FRAME_PREFIX_MAX + len);
    if (m == NULL) {
        atomic_fetch_sub(&c->unsent, len);
        return POS_ERR_NOMEM;
    }
    (void)frame_encode_prefix(lc->framing, len, m->data, FRAME_PREFIX_MAX, &plen);
    memcpy(m->data + plen, msg, len);
    m->len = plen + len;
    m->acct = len;
    net_conn_ref(c);
    if (net__current == c->n && atomic_load(&c->queued) == 0) {
        conn_write_msg(c, m);
        return POS_OK;
    }
    if (!net_enqueue(c->n, m)) {
        atomic_fetch_sub(&c->unsent, len);
        pos_free(m);
        net_conn_unref(c);
        return POS_ERR_CLOSED;
    }
    return POS_OK;
}

void net_conn_close(struct net_conn *c)
{
    struct net_msg *msg;

    if (atomic_load(&c->closed))
        return;
    if (net__current == c->n && atomic_load(&c->queued) == 0) {
        net__conn_close_graceful(c, "closed by handler");
        return;
    }
    msg = net_msg_new(c, NET_MSG_CLOSE, 0);
    if (msg == NULL)
        return;
    net_conn_ref(c);
    if (!net_enqueue(c->n, msg)) {
        pos_free(msg);
        net_conn_unref(c);
    }
}

void net__on_async(uv_async_t *a)
{
    struct net *n = a->data, *saved = net__current;
    struct net_msg *msg, *next;
    struct net_conn *c;
    bool live;

    net__current = n;
    pthread_mutex_lock(&n->mu);
    msg = n->qhead;
    n->qhead = n->qtail = NULL;
    pthread_mutex_unlock(&n->mu);
    for (; msg != NULL; msg = next) {
        next = msg->next;
        c = msg->conn;
        live = !c->closing;
        atomic_fetch_sub(&c->queued, 1);
        if (msg->kind == NET_MSG_DATA) {
            conn_write_msg(c, msg);
            continue;
        }
        if (msg->kind == NET_MSG_CLOSE && !c->closing) {
            if (msg->acct == 1) {
                metrics_add(n->m, METRICS_BACKPRESSURE_CLOSES, 1);
                log_event(LOG_LEVEL_WARN, "backpressure_close", "listener=%s peer=%s conn=%llu",
                          c->l->cfg.name, c->peer, (unsigned long long)c->id);
            }
            net__conn_close_graceful(c, msg->acct == 1 ? "backpressure" : "closed by handler");
        }
        pos_free(msg);
        /* While c is open the net's own reference keeps it alive. */
        net_conn_unref(c);
        if (live && !c->closing)
            net__conn_maybe_finish(c);
    }
    net__current = saved;
}

/* --- reading and framing --- */

static void conn_deliver(struct net_conn *c, const uint8_t *p, size_t len)
{
    if (len == 0)
        return; /* a keep-alive (see net.h) */
    metrics_add(c->n->m, METRICS_FRAMES_IN, 1);
    c->n->h.on_frame(c, p, len, c->n->h.ud);
}

static void conn_bad_prefix(struct net_conn *c, const uint8_t *prefix, size_t msg_len)
{
    const struct net_listener_config *lc = &c->l->cfg;
    char hex[2 * FRAME_PREFIX_MAX + 1];

    if (msg_len > lc->max_frame) {
        metrics_add(c->n->m, METRICS_FRAMES_OVERSIZE, 1);
        log_event(LOG_LEVEL_WARN, "frame_oversize", "listener=%s peer=%s conn=%llu len=%zu max=%zu",
                  lc->name, c->peer, (unsigned long long)c->id, msg_len, lc->max_frame);
        net__conn_close_graceful(c, "frame over limit");
        return;
    }
    (void)pos_hex_encode(prefix, frame_prefix_len(lc->framing), hex, sizeof(hex));
    metrics_add(c->n->m, METRICS_FRAMES_INVALID, 1);
    log_event(LOG_LEVEL_WARN, "frame_invalid", "listener=%s peer=%s conn=%llu prefix=%s", lc->name,
              c->peer, (unsigned long long)c->id, hex);
    net__conn_close_graceful(c, "invalid length prefix");
}

/* Appends up to want bytes of *p to the partial frame; advances *p. */
static void conn_pend_take(struct net_conn *c, const uint8_t **p, size_t *len, size_t want)
{
    size_t take = want < *len ? want : *len;

    memcpy(c->pend + c->pend_len, *p, take);
    c->pend_len += take;
    *p += take;
    *len -= take;
}

/* Continues a partial frame with the bytes at *p. false: stop reading. */
static bool conn_pend_continue(struct net_conn *c, const uint8_t **p, size_t *len)
{
    const struct net_listener_config *lc = &c->l->cfg;
    size_t plen = frame_prefix_len(lc->framing), pl, ml;
    int r;

    if (c->pend_len < plen) {
        conn_pend_take(c, p, len, plen - c->pend_len);
        if (c->pend_len < plen)
            return true;
    }
    r = frame_decode(lc->framing, lc->max_frame, c->pend, c->pend_len, &pl, &ml);
    if (r == POS_ERR_FRAME) {
        conn_bad_prefix(c, c->pend, ml);
        return false;
    }
    if (r == POS_ERR_TRUNCATED) {
        conn_pend_take(c, p, len, pl + ml - c->pend_len);
        if (c->pend_len < pl + ml)
            return true;
    }
    c->pend_len = 0;
    conn_deliver(c, c->pend + pl, ml);
    return true;
}

/* Splits plaintext into frames and hands each to the handler. */
static void conn_consume(struct net_conn *c, const uint8_t *p, size_t len)
{
    const struct net_listener_config *lc = &c->l->cfg;
    size_t pl, ml;
    int r;

    while (len > 0 && !c->stop_frames) {
        if (c->pend_len > 0) {
            if (!conn_pend_continue(c, &p, &len))
                break;
            continue;
        }
        r = frame_decode(lc->framing, lc->max_frame, p, len, &pl, &ml);
        if (r == POS_OK) {
            conn_deliver(c, p + pl, ml);
            p += pl + ml;
            len -= pl + ml;
            continue;
        }
        if (r == POS_ERR_FRAME) {
            conn_bad_prefix(c, p, ml);
            break;
        }
        /* Truncated: keep what we have; len < pl + ml <= pl + max_frame. */
        if (c->pend == NULL) {
            c->pend = pos_malloc(FRAME_PREFIX_MAX + lc->max_frame);
            if (c->pend == NULL) {
                net__conn_close(c, "out of memory");
                return;
            }
        }
        memcpy(c->pend, p, len);
        c->pend_len = len;
        break;
    }
    if (c->pend_len == 0 && c->pend != NULL) {
        /* Idle connections hold no buffer. */
        pos_free(c->pend);
        c->pend = NULL;
    }
}

void net__conn_on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct net_conn *c = h->data;

    (void)suggested;
    *buf = uv_buf_init((char *)c->n->rbuf, sizeof(c->n->rbuf));
}

static void conn_on_eof(struct net_conn *c)
{
    if (c->pend_len > 0)
        log_event(LOG_LEVEL_DEBUG, "partial_frame_dropped",
                  "listener=%s peer=%s conn=%llu bytes=%zu", c->l->cfg.name, c->peer,
                  (unsigned long long)c->id, c->pend_len);
    c->pend_len = 0;
    pos_free(c->pend);
    c->pend = NULL;
    c->eof = true;
    c->stop_frames = true;
    uv_read_stop((uv_stream_t *)&c->tcp);
    atomic_store(&c->finishing, true);
    net__conn_maybe_finish(c);
}

static void conn_read_tls(struct net_conn *c, const uint8_t *p, size_t len)
{
    struct net *n = c->n;
    size_t k;
    int r;

    if (tls_conn_feed(c->tls, p, len) != POS_OK) {
        net__conn_close(c, "out of memory");
        return;
    }
    while (!c->closing && !c->stop_frames) {
        bool was_up = tls_conn_is_established(c->tls);
        r = tls_conn_read(c->tls, n->plain, sizeof(n->plain), &k);
        conn_flush_tls(c);
        if (r == POS_ERR_CLOSED) {
            conn_on_eof(c);
            return;
        }
        if (r != POS_OK) {
            if (!was_up)
                metrics_add(n->m, METRICS_TLS_FAILURES, 1);
            log_event(LOG_LEVEL_WARN, was_up ? "tls_error" : "tls_handshake_failed",
                      "listener=%s peer=%s conn=%llu reason=\"%s\"", c->l->cfg.name, c->peer,
                      (unsigned long long)c->id, tls_conn_reason(c->tls));
            net__conn_close_graceful(c, "tls failure");
            return;
        }
        if (!was_up && tls_conn_is_established(c->tls))
            log_event(LOG_LEVEL_DEBUG, "tls_established",
                      "listener=%s peer=%s conn=%llu version=%s", c->l->cfg.name, c->peer,
                      (unsigned long long)c->id, tls_conn_version(c->tls));
        if (k == 0)
            return;
        conn_consume(c, n->plain, k);
    }
}

void net__conn_on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct net_conn *c = s->data;
    struct net *n = c->n, *saved = net__current;

    net__current = n;
    if (nread == UV_EOF) {
        conn_on_eof(c);
    } else if (nread < 0) {
        net__conn_close(c, uv_err_name((int)nread));
    } else if (nread > 0) {
        c->last_active = uv_now(n->loop);
        if (c->tls != NULL)
            conn_read_tls(c, (const uint8_t *)buf->base, (size_t)nread);
        else
            conn_consume(c, (const uint8_t *)buf->base, (size_t)nread);
        if (!c->closing && !c->paused && !c->stop_frames &&
            atomic_load(&c->unsent) > n->opts.max_unsent) {
            c->paused = true;
            uv_read_stop(s);
        }
    }
    net__current = saved;
}

/* --- closing --- */

static void conn_on_closed(uv_handle_t *h)
{
    struct net_conn *c = h->data;
    struct net *n = c->n;

    tls_conn_free(c->tls);
    c->tls = NULL;
    pos_free(c->pend);
    c->pend = NULL;
    n->handles--;
    net_conn_unref(c);
    net__check_done(n);
}

void net__conn_close(struct net_conn *c, const char *why)
{
    struct net *n = c->n;

    if (c->closing)
        return;
    c->closing = true;
    c->stop_frames = true;
    atomic_store(&c->closed, true);
    if (c->counted) {
        if (c->prev != NULL)
            c->prev->next = c->next;
        else
            n->conns = c->next;
        if (c->next != NULL)
            c->next->prev = c->prev;
        n->nconns--;
        metrics_add(n->m, METRICS_CONNECTIONS, -1);
        metrics_add(n->m, METRICS_CONN_CLOSED, 1);
        log_event(LOG_LEVEL_DEBUG, "net__conn_close", "listener=%s peer=%s conn=%llu why=\"%s\"",
                  c->l->cfg.name, c->peer, (unsigned long long)c->id, why);
        if (n->h.on_close != NULL)
            n->h.on_close(c, n->h.ud);
    }
    uv_close((uv_handle_t *)&c->tcp, conn_on_closed);
}

/* Stops input, says goodbye (TLS close_notify) and closes once the writes
 * already queued are out. */
void net__conn_close_graceful(struct net_conn *c, const char *why)
{
    if (c->closing)
        return;
    c->stop_frames = true;
    uv_read_stop((uv_stream_t *)&c->tcp);
    if (c->tls != NULL) {
        tls_conn_shutdown(c->tls);
        conn_flush_tls(c);
    }
    if (c->writes == 0)
        net__conn_close(c, why);
    else
        c->close_after_write = true;
}

/* After EOF or during drain: closes c once nothing is in flight. */
void net__conn_maybe_finish(struct net_conn *c)
{
    if (c->closing || !(c->eof || c->n->shutting_down))
        return;
    if (atomic_load(&c->refs) == 1 && atomic_load(&c->queued) == 0 &&
        atomic_load(&c->unsent) == 0 && c->writes == 0)
        net__conn_close_graceful(c, c->eof ? "peer closed" : "shutdown");
}

/* --- connection accessors --- */

const struct net_listener_config *net_conn_listener(const struct net_conn *c)
{
    return &c->l->cfg;
}

const char *net_conn_peer(const struct net_conn *c)
{
    return c->peer;
}

uint64_t net_conn_id(const struct net_conn *c)
{
    return c->id;
}

void net_conn_set_data(struct net_conn *c, void *data)
{
    c->data = data;
}

void *net_conn_data(const struct net_conn *c)
{
    return c->data;
}
