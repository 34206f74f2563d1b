/*
 * net_int: what net.c and net_conn.c share — the module's private structs
 * and its internal functions (net__*). Not for use outside src/host/net*.c.
 */
#ifndef POSD_NET_INT_H
#define POSD_NET_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "net.h"

#define NET_READ_BUF   65536
#define NET_PLAIN_BUF  16384
#define NET_DRAIN_TICK 5

struct tls_ctx;
struct tls_conn;

enum net_msg_kind { NET_MSG_DATA, NET_MSG_CLOSE, NET_MSG_CHECK };

/* A reply on its way (or any loop-bound request about a connection). It
 * holds one reference on conn until it is done; as a write request it
 * carries its own bytes. acct is what to take off conn->unsent when done. */
struct net_msg {
    struct net_msg *next;
    struct net_conn *conn;
    enum net_msg_kind kind;
    uv_write_t req;
    size_t len, acct;
    uint8_t data[];
};

struct net_listener {
    uv_tcp_t tcp;
    struct net *n;
    struct net_listener_config cfg;
    struct tls_ctx *tls;
    bool listening;
};

struct net_conn {
    uv_tcp_t tcp;
    struct net *n;
    struct net_listener *l;
    atomic_uint refs;
    atomic_bool closed;    /* closing began: sends are refused */
    atomic_bool finishing; /* EOF or drain: the loop wants to hear of unrefs */
    atomic_size_t unsent;
    atomic_uint queued; /* messages in n's queue for this connection */
    uint64_t id;
    char peer[NET_ADDR_MAX + 8];
    struct tls_conn *tls;
    uint8_t *pend; /* a partial frame (prefix included), loop only */
    size_t pend_len;
    uint64_t last_active;
    unsigned writes; /* uv_write requests outstanding */
    bool counted, paused, eof, stop_frames, close_after_write, closing;
    struct net_conn *prev, *next;
    void *data;
};

struct net {
    uv_loop_t *loop;
    struct net_options opts;
    struct net_handler h;
    struct metrics *m, *own_m;
    struct net_listener listeners[NET_MAX_LISTENERS];
    size_t nlisteners;
    struct net_conn *conns;
    size_t nconns;
    unsigned handles; /* uv handles of n not yet closed */
    uint64_t next_id;
    uv_async_t async;
    uv_timer_t sweep;
    uint64_t sweep_ms;
    pthread_mutex_t mu;
    struct net_msg *qhead, *qtail; /* under mu */
    bool stopped;                  /* under mu: no more messages */
    bool shutting_down, internal_closing;
    uint64_t drain_deadline;
    net_done_fn *done;
    void *done_ud;
    uint8_t rbuf[NET_READ_BUF];
    uint8_t plain[NET_PLAIN_BUF];
};

/* The net whose callback this thread is running (loop thread only): lets
 * net_conn_send write at once instead of going through the queue. */

/* The net whose callback this thread is running (loop thread only): lets
 * net_conn_send write at once instead of going through the queue. */
extern _Thread_local struct net *net__current;

/* Closes c now (pending writes are cancelled); loop thread. */
void net__conn_close(struct net_conn *c, const char *why);
/* Stops input, says goodbye (TLS close_notify), closes after queued writes. */
void net__conn_close_graceful(struct net_conn *c, const char *why);
/* After EOF or during drain: closes c once nothing is in flight. */
void net__conn_maybe_finish(struct net_conn *c);
/* During shutdown: closes the internal handles once all else is closed. */
void net__check_done(struct net *n);
/* libuv callbacks of connections and of the reply queue. */
void net__conn_on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
void net__conn_on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);
void net__on_async(uv_async_t *a);

#endif
