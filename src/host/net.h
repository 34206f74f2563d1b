/*
 * net: posd's terminal listeners on a libuv event loop — accept, TLS,
 * length-prefix framing (frame.h), frame limits, idle timeouts, a
 * connection limit, back-pressure, thread-safe replies and a draining
 * shutdown. Protocol logic is not here: every frame goes to the handler's
 * on_frame, and answers come back through net_conn_send (STYLE.md rule 10).
 *
 * Threads. Everything runs on the loop thread except the four functions
 * marked "any thread": net_conn_ref, net_conn_unref, net_conn_send and
 * net_conn_close. A handler that answers later (from a worker, see workq.h)
 * takes a reference in on_frame and drops it after its last send; a send to
 * a connection that has closed meanwhile is dropped (POS_ERR_CLOSED), and
 * the connection's memory lives until the last reference goes. Replies on
 * one connection leave in the order the net_conn_send calls were made.
 *
 * Frames. A length prefix over the listener's max_frame closes the
 * connection (logged: event=frame_oversize with listener, peer, len, max);
 * so does a 4ascii prefix that is not four digits (event=frame_invalid). A
 * zero-length frame is a keep-alive: it is not passed to the handler and
 * the connection stays. Many frames per read and frames split across reads
 * are handled; the frame view passed to on_frame is valid for the call only.
 *
 * Back-pressure. Each connection counts its unsent bytes (queued replies
 * not yet written to the socket). Above max_unsent, reading from that
 * connection pauses until they fall to half; a send that would pass four
 * times max_unsent fails with POS_ERR_BUSY and closes the connection
 * (event=backpressure_close): a peer that never reads cannot grow posd.
 *
 * Half-close. When the peer shuts its side down (EOF), a partial frame is
 * discarded; the connection closes as soon as every answer in flight
 * (references held, bytes unsent) has been written.
 *
 * Shutdown (SIGTERM). net_shutdown stops accepting and reading, waits until
 * every connection has no reference held by others and nothing unsent (or
 * the drain time passes), closes everything and then calls done once.
 */
#ifndef POSD_NET_H
#define POSD_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "frame.h"

struct metrics;
struct pos_errdetail;
struct net;
struct net_conn;

#define NET_NAME_MAX      32
#define NET_ADDR_MAX      64
#define NET_PATH_MAX      512
#define NET_MAX_LISTENERS 16

/* One listener. dialect and key_scheme are not interpreted here: they are
 * carried for the handler (net_conn_listener). */
struct net_listener_config {
    char name[NET_NAME_MAX];       /* [A-Za-z0-9_-]+, unique */
    char address[NET_ADDR_MAX];    /* numeric IPv4 or IPv6 */
    uint16_t port;                 /* 0: ephemeral; after net_listen: the bound port */
    char dialect[NET_NAME_MAX];    /* e.g. "cup", "iso87b" */
    char key_scheme[NET_NAME_MAX]; /* e.g. "master_session", "dukpt" */
    enum frame_kind framing;
    size_t max_frame;            /* largest message accepted, bytes (1..frame_kind_max) */
    char tls_cert[NET_PATH_MAX]; /* PEM chain; "" = plaintext */
    char tls_key[NET_PATH_MAX];  /* PEM key; set together with tls_cert */
};

#define NET_DEFAULT_MAX_FRAME 8192

/* Defaults: address 127.0.0.1, port 5800, dialect = name, key_scheme
 * "master_session", framing 2be, max_frame 8192, no TLS. name is cut to
 * NET_NAME_MAX - 1. */
void net_listener_config_init(struct net_listener_config *lc, const char *name);

struct net_options {
    uint64_t idle_timeout_ms; /* close after this long without input; 0 = never */
    size_t max_connections;   /* over it, new connections are closed at once */
    size_t max_unsent;        /* per connection, bytes; see "Back-pressure" */
    int backlog;              /* listen(2) backlog */
};

/* Defaults: idle 300 s, 10000 connections, 256 KiB unsent, backlog 511. */
void net_options_init(struct net_options *o);

/* Called on the loop thread. on_frame is required; the others may be NULL.
 * on_close is called once per opened connection, when it starts closing
 * (the connection refuses sends from then on). */
struct net_handler {
    void (*on_frame)(struct net_conn *c, const uint8_t *frame, size_t len, void *ud);
    void (*on_open)(struct net_conn *c, void *ud);
    void (*on_close)(struct net_conn *c, void *ud);
    void *ud;
};

/* Creates the network layer on loop (not running yet, or on its thread).
 * m receives the connection and frame metrics; NULL: net keeps its own
 * (net_metrics). opts NULL: defaults. Returns POS_OK, POS_ERR_INVAL or
 * POS_ERR_NOMEM. */
int net_new(uv_loop_t *loop, const struct net_options *opts, const struct net_handler *h,
            struct metrics *m, struct net **out);

/* Binds and starts one listener (a copy of *lc is kept). Returns POS_OK,
 * POS_ERR_INVAL (bad address, name, framing or max_frame; duplicate name;
 * too many listeners), POS_ERR_IO (bind or listen failed, e.g. address in
 * use), POS_ERR_TLS (certificate or key) or POS_ERR_NOMEM; d names the
 * listener and the cause. */
int net_listen(struct net *n, const struct net_listener_config *lc, struct pos_errdetail *d);

/* Listeners that are listening, in the order added; net_listener_at gives
 * NULL past the end. The port is the bound one. */
size_t net_listener_count(const struct net *n);
const struct net_listener_config *net_listener_at(const struct net *n, size_t i);

/* The bound port of listener name: POS_OK or POS_ERR_NOT_FOUND. */
int net_listener_port(const struct net *n, const char *name, uint16_t *port);

/* Connections open now. */
size_t net_conn_count(const struct net *n);

struct metrics *net_metrics(struct net *n);

typedef void net_done_fn(struct net *n, void *ud);

/* Starts the shutdown described above; done (may be NULL) is called once
 * on the loop thread when every handle of n is closed, after which the loop
 * holds nothing of n. Returns POS_OK or POS_ERR_CLOSED (already shutting
 * down: done will not be called again). */
int net_shutdown(struct net *n, uint64_t drain_ms, net_done_fn *done, void *ud);

/* Frees n after its shutdown completed (or when nothing was ever listened
 * on and net_shutdown's done has run). Stop every thread that may still
 * call net_conn_send (e.g. workq_free) before. NULL is a no-op. */
void net_free(struct net *n);

/* --- connections --- */

/* Any thread. Takes / drops a reference; the last one frees the
 * connection's memory (its socket closes independently). */
void net_conn_ref(struct net_conn *c);
void net_conn_unref(struct net_conn *c);

/* Any thread (holding a reference, or on the loop thread inside a net
 * callback for c). Copies msg (len bytes, 1..the framing's maximum),
 * prefixes it and queues it; replies leave in call order. Returns POS_OK,
 * POS_ERR_CLOSED (connection or net closed: dropped), POS_ERR_LENGTH,
 * POS_ERR_BUSY (hard back-pressure cap: the connection is being closed) or
 * POS_ERR_NOMEM. */
int net_conn_send(struct net_conn *c, const uint8_t *msg, size_t len);

/* Any thread. Closes c after the replies already sent through
 * net_conn_send are written; later frames are not delivered. */
void net_conn_close(struct net_conn *c);

/* Loop thread (or any thread holding a reference: these never change). */
const struct net_listener_config *net_conn_listener(const struct net_conn *c);
const char *net_conn_peer(const struct net_conn *c); /* "127.0.0.1:50000", "[::1]:50000" */
uint64_t net_conn_id(const struct net_conn *c);      /* unique per net, from 1 */

/* One pointer of handler data per connection (loop thread). */
void net_conn_set_data(struct net_conn *c, void *data);
void *net_conn_data(const struct net_conn *c);

#endif
