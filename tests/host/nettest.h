/*
 * nettest: helpers shared by the host network tests — an in-process net on
 * a loop thread, blocking TCP clients on 127.0.0.1, frame I/O, a log file
 * to grep, and a self-signed certificate made with OpenSSL in-process.
 * Header-only (static functions) so each test stays one executable.
 */
#ifndef POS_NETTEST_H
#define POS_NETTEST_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "error.h"
#include "host/log.h"
#include "host/metrics.h"
#include "host/net.h"

#define NT_UNUSED __attribute__((unused))

/* --- time --- */

static NT_UNUSED void nt_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static NT_UNUSED uint64_t nt_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* --- an in-process server: net on a loop running in its own thread --- */

struct nt_server {
    uv_loop_t loop;
    uv_thread_t thread;
    uv_async_t stop;
    struct net *net;
    struct metrics m;
    uint64_t drain_ms;
    atomic_bool done;
    atomic_bool stop_sent;
};

static void nt_server_done(struct net *n, void *ud)
{
    struct nt_server *s = ud;

    (void)n;
    atomic_store(&s->done, true);
    uv_close((uv_handle_t *)&s->stop, NULL);
}

static void nt_server_on_stop(uv_async_t *a)
{
    struct nt_server *s = a->data;

    assert_int_equal(net_shutdown(s->net, s->drain_ms, nt_server_done, s), POS_OK);
    assert_int_equal(net_shutdown(s->net, s->drain_ms, nt_server_done, s), POS_ERR_CLOSED);
}

static void nt_server_run(void *arg)
{
    struct nt_server *s = arg;

    uv_run(&s->loop, UV_RUN_DEFAULT);
}

/* Creates the net with opts (NULL: defaults, idle 0) and handler; the
 * caller adds listeners with nt_server_listen, then nt_server_go. */
static NT_UNUSED void nt_server_init(struct nt_server *s, const struct net_options *opts,
                                     const struct net_handler *h)
{
    struct net_options o;

    memset(s, 0, sizeof(*s));
    metrics_init(&s->m);
    if (opts == NULL) {
        net_options_init(&o);
        o.idle_timeout_ms = 0;
        opts = &o;
    }
    assert_int_equal(uv_loop_init(&s->loop), 0);
    assert_int_equal(net_new(&s->loop, opts, h, &s->m, &s->net), POS_OK);
    uv_async_init(&s->loop, &s->stop, nt_server_on_stop);
    s->stop.data = s;
    s->drain_ms = 2000;
}

/* Adds a listener on 127.0.0.1, ephemeral port; returns the port. */
static NT_UNUSED uint16_t nt_server_listen(struct nt_server *s, struct net_listener_config *lc)
{
    struct pos_errdetail d;
    uint16_t port = 0;

    pos_errdetail_init(&d);
    lc->port = 0;
    if (net_listen(s->net, lc, &d) != POS_OK)
        fail_msg("net_listen %s: %s", lc->name, d.what);
    assert_int_equal(net_listener_port(s->net, lc->name, &port), POS_OK);
    assert_true(port != 0);
    return port;
}

static NT_UNUSED void nt_server_go(struct nt_server *s)
{
    assert_int_equal(uv_thread_create(&s->thread, nt_server_run, s), 0);
}

/* Starts the shutdown (draining up to s->drain_ms); once only. */
static NT_UNUSED void nt_server_request_stop(struct nt_server *s)
{
    if (!atomic_exchange(&s->stop_sent, true))
        uv_async_send(&s->stop);
}

/* Shuts down, joins the loop thread and frees everything. */
static NT_UNUSED void nt_server_stop(struct nt_server *s)
{
    nt_server_request_stop(s);
    uv_thread_join(&s->thread);
    assert_true(atomic_load(&s->done));
    net_free(s->net);
    assert_int_equal(uv_loop_close(&s->loop), 0);
}

/* Waits up to ms for metric id to reach at least want. */
static NT_UNUSED bool nt_wait_metric(struct nt_server *s, enum metrics_id id, int64_t want, long ms)
{
    uint64_t end = nt_now_ms() + (uint64_t)ms;

    while (metrics_get(&s->m, id) < want) {
        if (nt_now_ms() > end)
            return false;
        nt_sleep_ms(2);
    }
    return true;
}

/* --- blocking clients --- */

/* Connects to 127.0.0.1:port; receive timeout 5 s. rcvbuf > 0 pins the
 * receive buffer (no autotuning). */
static NT_UNUSED int nt_connect_buf(uint16_t port, int rcvbuf)
{
    struct sockaddr_in sin;
    struct timeval tv = {5, 0};
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    assert_true(fd >= 0);
    if (rcvbuf > 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

static NT_UNUSED int nt_connect(uint16_t port)
{
    return nt_connect_buf(port, 0);
}

static NT_UNUSED void nt_send_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;

    while (n > 0) {
        ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        assert_true(w > 0);
        b += w;
        n -= (size_t)w;
    }
}

/* Sends msg with a 2-byte big-endian prefix. */
static NT_UNUSED void nt_send_frame(int fd, const void *msg, size_t len)
{
    uint8_t hdr[2] = {(uint8_t)(len >> 8), (uint8_t)len};

    nt_send_all(fd, hdr, 2);
    nt_send_all(fd, msg, len);
}

/* Reads exactly n bytes: 0, or -1 on EOF/error/timeout. */
static NT_UNUSED int nt_recv_all(int fd, void *p, size_t n)
{
    uint8_t *b = p;

    while (n > 0) {
        ssize_t r = recv(fd, b, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        b += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Reads one 2be frame into buf (cap bytes); returns its length or -1. */
static NT_UNUSED long nt_recv_frame(int fd, uint8_t *buf, size_t cap)
{
    uint8_t hdr[2];
    size_t len;

    if (nt_recv_all(fd, hdr, 2) != 0)
        return -1;
    len = ((size_t)hdr[0] << 8) | hdr[1];
    if (len > cap || nt_recv_all(fd, buf, len) != 0)
        return -1;
    return (long)len;
}

/* true when the peer closes (EOF or reset) within the receive timeout,
 * discarding anything before. */
static NT_UNUSED bool nt_wait_eof(int fd)
{
    uint8_t junk[4096];

    for (;;) {
        ssize_t r = recv(fd, junk, sizeof(junk), 0);
        if (r == 0)
            return true;
        if (r < 0)
            return errno == ECONNRESET;
    }
}

/* --- files --- */

/* A fresh directory under /tmp (path in a static buffer per call site). */
static NT_UNUSED void nt_tempdir(char *out, size_t cap)
{
    snprintf(out, cap, "/tmp/posd-test-XXXXXX");
    assert_non_null(mkdtemp(out));
}

/* The file's contents, NUL-terminated, malloc'd (NULL if unreadable). */
static NT_UNUSED char *nt_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    buf[fread(buf, 1, (size_t)n, f)] = '\0';
    fclose(f);
    return buf;
}

/* Waits up to ms for path to contain needle. */
static NT_UNUSED bool nt_file_has(const char *path, const char *needle, long ms)
{
    uint64_t end = nt_now_ms() + (uint64_t)ms;
    char *text;
    bool found;

    for (;;) {
        text = nt_read_file(path);
        found = text != NULL && strstr(text, needle) != NULL;
        free(text);
        if (found || nt_now_ms() > end)
            return found;
        nt_sleep_ms(10);
    }
}

/* --- a self-signed certificate (EC P-256, CN and SAN IP 127.0.0.1) --- */

static NT_UNUSED void nt_make_cert(const char *cert_path, const char *key_path)
{
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *x = X509_new();
    X509_NAME *name;
    X509_EXTENSION *ext;
    X509V3_CTX v3;
    FILE *f;

    assert_non_null(pkey);
    assert_non_null(x);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600L * 24);
    X509_set_pubkey(x, pkey);
    name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"127.0.0.1", -1, -1,
                               0);
    X509_set_issuer_name(x, name);
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, "IP:127.0.0.1");
    assert_non_null(ext);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    assert_true(X509_sign(x, pkey, EVP_sha256()) > 0);
    f = fopen(cert_path, "w");
    assert_non_null(f);
    PEM_write_X509(f, x);
    fclose(f);
    f = fopen(key_path, "w");
    assert_non_null(f);
    PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL);
    fclose(f);
    X509_free(x);
    EVP_PKEY_free(pkey);
}

#endif
