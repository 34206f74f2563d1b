/* Tests for src/host/net.c and src/host/frame.c over real TCP on 127.0.0.1. */
#include "testutil.h"

#include "nettest.h"

#include <pthread.h>

#include "host/frame.h"
#include "host/workq.h"
#include "mem.h"

/* --- handlers --- */

static struct workq *tn_wq;
static atomic_int tn_delay_ms;
static atomic_int tn_send_rc;
static atomic_int tn_sends;
static atomic_int tn_busy;

static void tn_echo_inline(struct net_conn *c, const uint8_t *frame, size_t len, void *ud)
{
    (void)ud;
    assert_int_equal(net_conn_send(c, frame, len), POS_OK);
}

struct tn_job {
    struct net_conn *c;
    size_t len;
    uint8_t data[];
};

static void tn_job_run(void *arg)
{
    struct tn_job *job = arg;
    int delay = atomic_load(&tn_delay_ms);

    if (delay > 0)
        nt_sleep_ms(delay);
    atomic_store(&tn_send_rc, net_conn_send(job->c, job->data, job->len));
    net_conn_unref(job->c);
    atomic_fetch_add(&tn_sends, 1);
    pos_free(job);
}

/* Answers from a worker thread, after tn_delay_ms. */
static void tn_echo_worker(struct net_conn *c, const uint8_t *frame, size_t len, void *ud)
{
    struct tn_job *job = pos_malloc(sizeof(*job) + len);

    (void)ud;
    assert_non_null(job);
    job->c = c;
    job->len = len;
    memcpy(job->data, frame, len);
    net_conn_ref(c);
    assert_int_equal(workq_submit(tn_wq, tn_job_run, job), POS_OK);
}

static void tn_triple(struct net_conn *c, const uint8_t *frame, size_t len, void *ud)
{
    uint8_t out[64];
    const char *sfx = "abc";
    int i;

    (void)ud;
    assert_true(len < sizeof(out));
    memcpy(out, frame, len);
    for (i = 0; i < 3; i++) {
        out[len] = (uint8_t)sfx[i];
        assert_int_equal(net_conn_send(c, out, len + 1), POS_OK);
    }
}

static void tn_reply_close(struct net_conn *c, const uint8_t *frame, size_t len, void *ud)
{
    (void)ud;
    assert_int_equal(net_conn_send(c, frame, len), POS_OK);
    net_conn_close(c);
    /* Closed for sends from now on? Not yet: the reply is queued first. */
}

static void tn_big_reply(struct net_conn *c, const uint8_t *frame, size_t len, void *ud)
{
    static uint8_t big[8000];
    int rc;

    (void)frame;
    (void)len;
    (void)ud;
    rc = net_conn_send(c, big, sizeof(big));
    if (rc == POS_ERR_BUSY)
        atomic_fetch_add(&tn_busy, 1);
    else
        assert_true(rc == POS_OK || rc == POS_ERR_CLOSED);
}

static void tn_send_errors(struct net_conn *c, const uint8_t *frame, size_t len, void *ud)
{
    static uint8_t huge[65536];

    (void)ud;
    assert_int_equal(net_conn_send(c, frame, 0), POS_ERR_LENGTH);
    assert_int_equal(net_conn_send(c, huge, sizeof(huge)), POS_ERR_LENGTH);
    assert_int_equal(net_conn_send(c, huge, 65535), POS_OK); /* the 2be maximum */
    assert_int_equal(net_conn_send(c, frame, len), POS_OK);
    assert_string_equal(net_conn_listener(c)->name, "cup");
    assert_string_equal(net_conn_listener(c)->dialect, "cup");
    assert_true(strncmp(net_conn_peer(c), "127.0.0.1:", 10) == 0);
    assert_true(net_conn_id(c) >= 1);
}

static atomic_int tn_opened, tn_closed;

static void tn_on_open(struct net_conn *c, void *ud)
{
    assert_ptr_equal(ud, &tn_opened);
    assert_null(net_conn_data(c));
    net_conn_set_data(c, &tn_closed);
    atomic_fetch_add(&tn_opened, 1);
}

static void tn_on_close(struct net_conn *c, void *ud)
{
    (void)ud;
    assert_ptr_equal(net_conn_data(c), &tn_closed);
    atomic_fetch_add(&tn_closed, 1);
}

static void tn_close_job(void *arg)
{
    struct tn_job *job = arg;

    assert_int_equal(net_conn_send(job->c, job->data, job->len), POS_OK);
    net_conn_close(job->c); /* from a worker: queued behind the reply */
    net_conn_unref(job->c);
    pos_free(job);
}

/* Answers then closes, both from a worker thread. */
static void tn_worker_close(struct net_conn *c, const uint8_t *frame, size_t len, void *ud)
{
    struct tn_job *job = pos_malloc(sizeof(*job) + len);

    (void)ud;
    assert_non_null(job);
    job->c = c;
    job->len = len;
    memcpy(job->data, frame, len);
    net_conn_ref(c);
    assert_int_equal(workq_submit(tn_wq, tn_close_job, job), POS_OK);
}

static struct net_handler tn_handler(void (*fn)(struct net_conn *, const uint8_t *, size_t, void *))
{
    struct net_handler h = {fn, NULL, NULL, NULL};
    return h;
}

/* A log file per test, so tests can grep what net logged. */
static char tn_dir[64], tn_log[128];

static int tn_setup(void **state)
{
    (void)state;
    nt_tempdir(tn_dir, sizeof(tn_dir));
    snprintf(tn_log, sizeof(tn_log), "%s/net.log", tn_dir);
    assert_int_equal(log_open(tn_log, LOG_LEVEL_DEBUG), POS_OK);
    atomic_store(&tn_delay_ms, 0);
    atomic_store(&tn_sends, 0);
    atomic_store(&tn_busy, 0);
    atomic_store(&tn_send_rc, 1);
    assert_int_equal(workq_new(1, 1024, &tn_wq), POS_OK);
    return 0;
}

static int tn_teardown(void **state)
{
    char cmd[160];

    (void)state;
    workq_free(tn_wq);
    tn_wq = NULL;
    log_close();
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tn_dir);
    if (system(cmd) != 0)
        return -1;
    return 0;
}

/* Starts a server with handler fn and one listener "cup" (defaults,
 * max_frame as given); returns the port. */
static uint16_t tn_start(struct nt_server *s, const struct net_options *o,
                         void (*fn)(struct net_conn *, const uint8_t *, size_t, void *),
                         enum frame_kind k, size_t max_frame)
{
    struct net_handler h = tn_handler(fn);
    struct net_listener_config lc;
    uint16_t port;

    nt_server_init(s, o, &h);
    net_listener_config_init(&lc, "cup");
    lc.framing = k;
    lc.max_frame = max_frame;
    port = nt_server_listen(s, &lc);
    nt_server_go(s);
    return port;
}

/* --- frame codec (sans-I/O) --- */

static void test_frame_codec(void **state)
{
    static const struct {
        enum frame_kind k;
        const char *hex;
        size_t limit;
        int rc;
        size_t plen, mlen;
    } cases[] = {
        {FRAME_2BE, "00 03 41 42 43", 8192, POS_OK, 2, 3},
        {FRAME_2BE, "00 03 41 42", 8192, POS_ERR_TRUNCATED, 2, 3},
        {FRAME_2BE, "00", 8192, POS_ERR_TRUNCATED, 2, 0},
        {FRAME_2BE, "", 8192, POS_ERR_TRUNCATED, 2, 0},
        {FRAME_2BE, "00 00", 8192, POS_OK, 2, 0},
        {FRAME_2BE, "20 00", 8192, POS_ERR_TRUNCATED, 2, 8192},
        {FRAME_2BE, "20 01", 8192, POS_ERR_FRAME, 2, 8193},
        {FRAME_2BE, "FF FF", 65535, POS_ERR_TRUNCATED, 2, 65535},
        {FRAME_4BE, "00 00 00 02 AA BB CC", 10, POS_OK, 4, 2},
        {FRAME_4BE, "00 01 00 00", 8192, POS_ERR_FRAME, 4, 65536},
        {FRAME_4BE, "FF FF FF FF", 8192, POS_ERR_FRAME, 4, 4294967295u},
        {FRAME_4BE, "00 00 00", 8192, POS_ERR_TRUNCATED, 4, 0},
        {FRAME_4ASCII, "30 30 30 32 41 42", 8192, POS_OK, 4, 2},
        {FRAME_4ASCII, "39 39 39 39", 9999, POS_ERR_TRUNCATED, 4, 9999},
        {FRAME_4ASCII, "39 39 39 39", 8192, POS_ERR_FRAME, 4, 9999},
        {FRAME_4ASCII, "30 30 3A 31", 8192, POS_ERR_FRAME, 4, 0},
        {FRAME_4ASCII, "20 20 20 31", 8192, POS_ERR_FRAME, 4, 0},
    };
    size_t i, len, pl, ml;
    const uint8_t *buf;
    uint8_t out[4];
    enum frame_kind k;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        buf = tu_hex(cases[i].hex, &len);
        assert_int_equal(frame_decode(cases[i].k, cases[i].limit, buf, len, &pl, &ml), cases[i].rc);
        assert_int_equal(pl, cases[i].plen);
        assert_int_equal(ml, cases[i].mlen);
    }
    assert_int_equal(frame_encode_prefix(FRAME_2BE, 0x1234, out, 4, &len), POS_OK);
    buf = tu_hex("12 34", &pl);
    assert_buf_equal(out, len, buf, pl);
    assert_int_equal(frame_encode_prefix(FRAME_4BE, 0x01020304, out, 4, &len), POS_OK);
    buf = tu_hex("01 02 03 04", &pl);
    assert_buf_equal(out, len, buf, pl);
    assert_int_equal(frame_encode_prefix(FRAME_4ASCII, 137, out, 4, &len), POS_OK);
    assert_buf_equal(out, len, "0137", 4);
    assert_int_equal(frame_encode_prefix(FRAME_2BE, 65536, out, 4, &len), POS_ERR_LENGTH);
    assert_int_equal(frame_encode_prefix(FRAME_4ASCII, 10000, out, 4, &len), POS_ERR_LENGTH);
    assert_int_equal(frame_encode_prefix(FRAME_4BE, 1, out, 3, &len), POS_ERR_NOSPACE);
    assert_int_equal(len, 0);
    assert_int_equal(frame_kind_parse("4ascii", &k), POS_OK);
    assert_int_equal(k, FRAME_4ASCII);
    assert_int_equal(frame_kind_parse("none", &k), POS_ERR_INVAL);
    assert_string_equal(frame_kind_name(FRAME_4BE), "4be");
    assert_string_equal(frame_kind_name((enum frame_kind)9), "unknown");
}

/* --- framing over TCP --- */

static void test_split_frame(void **state)
{
    struct nt_server s;
    uint8_t msg[300], got[400];
    uint16_t port = tn_start(&s, NULL, tn_echo_inline, FRAME_2BE, 8192);
    int fd = nt_connect(port);
    uint8_t hdr[2] = {0x01, 0x2C};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)i;
    /* Byte by byte, prefix included, with pauses so the reads split. */
    nt_send_all(fd, hdr, 1);
    nt_sleep_ms(5);
    nt_send_all(fd, hdr + 1, 1);
    for (i = 0; i < sizeof(msg); i++) {
        nt_send_all(fd, msg + i, 1);
        if (i % 50 == 0)
            nt_sleep_ms(3);
    }
    assert_int_equal(nt_recv_frame(fd, got, sizeof(got)), sizeof(msg));
    assert_buf_equal(got, sizeof(msg), msg, sizeof(msg));
    assert_int_equal(metrics_get(&s.m, METRICS_FRAMES_IN), 1);
    close(fd);
    nt_server_stop(&s);
}

static void test_many_frames_one_write(void **state)
{
    struct nt_server s;
    uint16_t port = tn_start(&s, NULL, tn_echo_inline, FRAME_2BE, 8192);
    uint8_t buf[200 * 8], got[16];
    size_t off = 0;
    int fd = nt_connect(port), i;

    (void)state;
    for (i = 0; i < 200; i++) {
        buf[off++] = 0;
        buf[off++] = 4;
        snprintf((char *)buf + off, 5, "%04d", i);
        off += 4;
    }
    nt_send_all(fd, buf, off); /* one write, 200 frames */
    for (i = 0; i < 200; i++) {
        char want[5];
        snprintf(want, sizeof(want), "%04d", i);
        assert_int_equal(nt_recv_frame(fd, got, sizeof(got)), 4);
        assert_buf_equal(got, 4, want, 4);
    }
    assert_int_equal(metrics_get(&s.m, METRICS_FRAMES_IN), 200);
    assert_true(nt_wait_metric(&s, METRICS_FRAMES_OUT, 200, 1000));
    close(fd);
    nt_server_stop(&s);
}

static void test_limit_and_oversize(void **state)
{
    struct nt_server s;
    uint16_t port = tn_start(&s, NULL, tn_echo_inline, FRAME_2BE, 100);
    uint8_t msg[101], got[128];
    int fd = nt_connect(port);

    (void)state;
    memset(msg, 'x', sizeof(msg));
    nt_send_frame(fd, msg, 100); /* exactly the limit: fine */
    assert_int_equal(nt_recv_frame(fd, got, sizeof(got)), 100);
    nt_send_frame(fd, msg, 101); /* one over: closed */
    assert_true(nt_wait_eof(fd));
    close(fd);
    assert_true(nt_wait_metric(&s, METRICS_FRAMES_OVERSIZE, 1, 1000));
    assert_true(nt_file_has(tn_log, "event=frame_oversize listener=cup peer=127.0.0.1:", 1000));
    assert_true(nt_file_has(tn_log, "len=101 max=100", 1000));
    /* The listener still serves others. */
    fd = nt_connect(port);
    nt_send_frame(fd, "ok", 2);
    assert_int_equal(nt_recv_frame(fd, got, sizeof(got)), 2);
    close(fd);
    nt_server_stop(&s);
}

static void test_huge_prefix_4be(void **state)
{
    struct nt_server s;
    uint16_t port = tn_start(&s, NULL, tn_echo_inline, FRAME_4BE, 8192);
    int fd = nt_connect(port);

    (void)state;
    nt_send_all(fd, "\xFF\xFF\xFF\xFF", 4);
    assert_true(nt_wait_eof(fd));
    close(fd);
    assert_true(nt_file_has(tn_log, "len=4294967295 max=8192", 1000));
    nt_server_stop(&s);
}

static void test_zero_length_keepalive(void **state)
{
    struct nt_server s;
    uint16_t port = tn_start(&s, NULL, tn_echo_inline, FRAME_2BE, 8192);
    uint8_t got[16];
    int fd = nt_connect(port);

    (void)state;
    nt_send_all(fd, "\x00\x00\x00\x00\x00\x02hi\x00\x00", 10);
    assert_int_equal(nt_recv_frame(fd, got, sizeof(got)), 2);
    assert_buf_equal(got, 2, "hi", 2);
    nt_send_frame(fd, "again", 5);
    assert_int_equal(nt_recv_frame(fd, got, sizeof(got)), 5);
    assert_int_equal(metrics_get(&s.m, METRICS_FRAMES_IN), 2);
    close(fd);
    nt_server_stop(&s);
}

/* 4ascii: the reply carries a 4-digit prefix; a non-digit prefix closes. */
static void test_4ascii(void **state)
{
    struct nt_server s;
    uint16_t port = tn_start(&s, NULL, tn_echo_inline, FRAME_4ASCII, 8192);
    uint8_t got[8];
    int fd = nt_connect(port);

    (void)state;
    nt_send_all(fd, "0002hi", 6);
    assert_int_equal(nt_recv_all(fd, got, 6), 0);
    assert_buf_equal(got, 6, "0002hi", 6);
    nt_send_all(fd, "GET / HTTP/1.1\r\n\r\n", 18);
    assert_true(nt_wait_eof(fd));
    close(fd);
    assert_true(nt_wait_metric(&s, METRICS_FRAMES_INVALID, 1, 1000));
    assert_true(nt_file_has(tn_log, "event=frame_invalid listener=cup", 1000));
    assert_true(nt_file_has(tn_log, "prefix=47455420", 1000));
    nt_server_stop(&s);
}

static void test_http_on_2be_port(void **state)
{
    struct nt_server s;
    uint16_t port = tn_start(&s, NULL, tn_echo_inline, FRAME_2BE, 8192);
    int fd = nt_connect(port);

    (void)state;
    /* "GE" = 0x4745 = 18245 bytes: over the limit, closed, never a crash. */
    nt_send_all(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27);
    assert_true(nt_wait_eof(fd));
    close(fd);
    assert_true(nt_file_has(tn_log, "len=18245 max=8192", 1000));
    nt_server_stop(&s);
}

/* The peer shuts its sending side: answers in flight still arrive, a
 * partial frame is dropped, then the connection closes. */
static void test_half_close(void **state)
{
    struct nt_server s;
    uint16_t port = tn_start(&s, NULL, tn_echo_worker, FRAME_2BE, 8192);
    uint8_t got[16];
    int fd = nt_connect(port);

    (void)state;
    atomic_store(&tn_delay_ms, 100);
    nt_send_all(fd,
                "\x00\x03"
                "abc"
                "\x00\x09"
                "par",
                10);
    shutdown(fd, SHUT_WR);
    assert_int_equal(nt_recv_frame(fd, got, sizeof(got)), 3);
    assert_buf_equal(got, 3, "abc", 3);
    assert_true(nt_wait_eof(fd));
    close(fd);
    assert_true(nt_file_has(tn_log, "event=partial_frame_dropped", 1000));
    assert_int_equal(metrics_get(&s.m, METRICS_FRAMES_IN), 1);
    nt_server_stop(&s);
}

/* A worker answers after the client has gone: the send is refused, the
 * connection's memory is released by the last unref (ASan checks). */
static void test_reply_after_disconnect(void **state)
{
    struct nt_server s;
    uint16_t port = tn_start(&s, NULL, tn_echo_worker, FRAME_2BE, 8192);
    int fd = nt_connect(port), i;
    struct linger lg = {1, 0};

    (void)state;

    atomic_store(&tn_delay_ms, 150);
    nt_send_frame(fd, "late", 4);
    assert_true(nt_wait_metric(&s, METRICS_FRAMES_IN, 1, 1000));
    /* Gone for good (a reset), not half-closed: nobody will read a reply. */
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(fd);
    assert_true(nt_wait_metric(&s, METRICS_CONN_CLOSED, 1, 1000));
    for (i = 0; i < 200 && atomic_load(&tn_sends) < 1; i++)
        nt_sleep_ms(5);
    assert_int_equal(atomic_load(&tn_sends), 1);
    assert_int_equal(atomic_load(&tn_send_rc), POS_ERR_CLOSED);
    assert_int_equal(metrics_get(&s.m, METRICS_FRAMES_OUT), 0);
    nt_server_stop(&s);
}

/* Replies from a worker thread leave in the order they were sent. */
static void test_order_from_worker(void **state)
{
    struct nt_server s;
    uint16_t port = tn_start(&s, NULL, tn_echo_worker, FRAME_2BE, 8192);
    uint8_t got[16];
    char want[8];
    int fd = nt_connect(port), i;

    (void)state;
    for (i = 0; i < 1000; i++) {
        snprintf(want, sizeof(want), "%05d", i);
        nt_send_frame(fd, want, 5);
    }
    for (i = 0; i < 1000; i++) {
        snprintf(want, sizeof(want), "%05d", i);
        assert_int_equal(nt_recv_frame(fd, got, sizeof(got)), 5);
        assert_buf_equal(got, 5, want, 5);
    }
    close(fd);
    nt_server_stop(&s);
}

static void test_order_inline(void **state)
{
    struct nt_server s;
    uint16_t port = tn_start(&s, NULL, tn_triple, FRAME_2BE, 8192);
    uint8_t got[16];
    int fd = nt_connect(port), i;

    (void)state;
    nt_send_frame(fd, "x", 1);
    nt_send_frame(fd, "y", 1);
    for (i = 0; i < 6; i++) {
        char want[2] = {i < 3 ? 'x' : 'y', "abc"[i % 3]};
        assert_int_equal(nt_recv_frame(fd, got, sizeof(got)), 2);
        assert_buf_equal(got, 2, want, 2);
    }
    close(fd);
    nt_server_stop(&s);
}

static void test_send_errors(void **state)
{
    struct nt_server s;
    uint16_t port = tn_start(&s, NULL, tn_send_errors, FRAME_2BE, 8192);
    static uint8_t got[65536];
    int fd = nt_connect(port);

    (void)state;
    nt_send_frame(fd, "q", 1);
    assert_int_equal(nt_recv_frame(fd, got, sizeof(got)), 65535);
    assert_int_equal(nt_recv_frame(fd, got, sizeof(got)), 1);
    close(fd);
    nt_server_stop(&s);
}

static void test_close_after_reply(void **state)
{
    struct nt_server s;
    uint16_t port = tn_start(&s, NULL, tn_reply_close, FRAME_2BE, 8192);
    uint8_t got[16];
    int fd = nt_connect(port);

    (void)state;
    /* The second frame is never answered: the first closes the connection. */
    nt_send_all(fd, "\x00\x03one\x00\x03two", 10);
    assert_int_equal(nt_recv_frame(fd, got, sizeof(got)), 3);
    assert_buf_equal(got, 3, "one", 3);
    assert_true(nt_wait_eof(fd));
    close(fd);
    assert_int_equal(metrics_get(&s.m, METRICS_FRAMES_IN), 1);
    nt_server_stop(&s);
}

static void test_worker_close_and_hooks(void **state)
{
    struct nt_server s;
    struct net_handler h = {tn_worker_close, tn_on_open, tn_on_close, &tn_opened};
    struct net_listener_config lc;
    uint8_t got[16];
    uint16_t port;
    int fd;

    (void)state;
    atomic_store(&tn_opened, 0);
    atomic_store(&tn_closed, 0);
    nt_server_init(&s, NULL, &h);
    net_listener_config_init(&lc, "cup");
    port = nt_server_listen(&s, &lc);
    nt_server_go(&s);
    fd = nt_connect(port);
    nt_send_frame(fd, "bye", 3);
    assert_int_equal(nt_recv_frame(fd, got, sizeof(got)), 3);
    assert_buf_equal(got, 3, "bye", 3);
    assert_true(nt_wait_eof(fd));
    close(fd);
    assert_true(nt_wait_metric(&s, METRICS_CONN_CLOSED, 1, 1000));
    assert_int_equal(atomic_load(&tn_opened), 1);
    assert_int_equal(atomic_load(&tn_closed), 1);
    nt_server_stop(&s);
}

static void test_200_connections(void **state)
{
    struct nt_server s;
    uint16_t port = tn_start(&s, NULL, tn_echo_worker, FRAME_2BE, 8192);
    static int fds[200];
    uint8_t got[16];
    char msg[8];
    int i;

    (void)state;
    for (i = 0; i < 200; i++)
        fds[i] = nt_connect(port);
    for (i = 0; i < 200; i++) {
        snprintf(msg, sizeof(msg), "c%03d", i);
        nt_send_frame(fds[i], msg, 4);
    }
    for (i = 0; i < 200; i++) {
        snprintf(msg, sizeof(msg), "c%03d", i);
        assert_int_equal(nt_recv_frame(fds[i], got, sizeof(got)), 4);
        assert_buf_equal(got, 4, msg, 4);
    }
    assert_int_equal(metrics_get(&s.m, METRICS_CONNECTIONS), 200);
    assert_int_equal(metrics_get(&s.m, METRICS_CONN_ACCEPTED), 200);
    for (i = 0; i < 200; i++)
        close(fds[i]);
    assert_true(nt_wait_metric(&s, METRICS_CONN_CLOSED, 200, 2000));
    assert_int_equal(metrics_get(&s.m, METRICS_CONNECTIONS), 0);
    nt_server_stop(&s);
}

static void test_idle_timeout(void **state)
{
    struct nt_server s;
    struct net_options o;
    uint16_t port;
    uint8_t got[8];
    int fd;

    (void)state;
    net_options_init(&o);
    o.idle_timeout_ms = 200;
    port = tn_start(&s, &o, tn_echo_inline, FRAME_2BE, 8192);
    fd = nt_connect(port);
    nt_send_frame(fd, "hi", 2); /* activity, then silence */
    assert_int_equal(nt_recv_frame(fd, got, sizeof(got)), 2);
    assert_true(nt_wait_eof(fd));
    close(fd);
    assert_int_equal(metrics_get(&s.m, METRICS_IDLE_TIMEOUTS), 1);
    assert_true(nt_file_has(tn_log, "event=idle_timeout listener=cup", 1000));
    nt_server_stop(&s);
}

static void test_connection_limit(void **state)
{
    struct nt_server s;
    struct net_options o;
    uint16_t port;
    uint8_t got[8];
    int a, b, c;

    (void)state;
    net_options_init(&o);
    o.idle_timeout_ms = 0;
    o.max_connections = 2;
    port = tn_start(&s, &o, tn_echo_inline, FRAME_2BE, 8192);
    a = nt_connect(port);
    b = nt_connect(port);
    nt_send_frame(a, "a", 1);
    nt_send_frame(b, "b", 1);
    assert_int_equal(nt_recv_frame(a, got, sizeof(got)), 1);
    assert_int_equal(nt_recv_frame(b, got, sizeof(got)), 1);
    c = nt_connect(port);
    assert_true(nt_wait_eof(c));
    assert_int_equal(metrics_get(&s.m, METRICS_CONN_REJECTED), 1);
    assert_true(nt_file_has(tn_log, "event=conn_rejected listener=cup", 1000));
    close(a);
    close(b);
    close(c);
    nt_server_stop(&s);
}

/* A client that sends and never reads: reading pauses, and past the hard
 * cap the connection is closed instead of growing posd's memory. */
static void test_backpressure(void **state)
{
    struct nt_server s;
    struct net_options o;
    static uint8_t frames[3 * 5000];
    uint16_t port;
    size_t i;
    int fd;

    (void)state;
    net_options_init(&o);
    o.idle_timeout_ms = 0;
    o.max_unsent = 4096;
    port = tn_start(&s, &o, tn_big_reply, FRAME_2BE, 8192);
    fd = nt_connect_buf(port, 4096);
    for (i = 0; i < 5000; i++) {
        frames[3 * i] = 0;
        frames[3 * i + 1] = 1;
        frames[3 * i + 2] = 'x';
    }
    nt_send_all(fd, frames, sizeof(frames));
    assert_true(nt_wait_metric(&s, METRICS_BACKPRESSURE_CLOSES, 1, 5000));
    assert_true(atomic_load(&tn_busy) >= 1);
    assert_true(nt_wait_eof(fd));
    close(fd);
    assert_true(nt_file_has(tn_log, "event=backpressure_close listener=cup", 1000));
    nt_server_stop(&s);
}

/* SIGTERM's path: answers in flight are written before the close. */
static void test_drain_waits(void **state)
{
    struct nt_server s;
    uint16_t port = tn_start(&s, NULL, tn_echo_worker, FRAME_2BE, 8192);
    uint8_t got[8];
    int fd = nt_connect(port), idle = nt_connect(port);

    (void)state;
    atomic_store(&tn_delay_ms, 300);
    nt_send_frame(fd, "slow", 4);
    assert_true(nt_wait_metric(&s, METRICS_FRAMES_IN, 1, 1000));
    nt_server_request_stop(&s);     /* drain up to 2000 ms */
    assert_true(nt_wait_eof(idle)); /* nothing in flight: closed at once */
    assert_int_equal(nt_recv_frame(fd, got, sizeof(got)), 4);
    assert_buf_equal(got, 4, "slow", 4);
    assert_true(nt_wait_eof(fd));
    close(fd);
    close(idle);
    nt_server_stop(&s);
    assert_true(nt_file_has(tn_log, "event=drain connections=2", 1000));
    assert_int_equal(atomic_load(&tn_send_rc), POS_OK);
}

static void test_drain_timeout(void **state)
{
    struct nt_server s;
    uint16_t port = tn_start(&s, NULL, tn_echo_worker, FRAME_2BE, 8192);
    int fd = nt_connect(port);

    (void)state;
    atomic_store(&tn_delay_ms, 2000);
    s.drain_ms = 100;
    nt_send_frame(fd, "never", 5);
    assert_true(nt_wait_metric(&s, METRICS_FRAMES_IN, 1, 1000));
    nt_server_stop(&s); /* gives up after 100 ms: the worker still sleeps */
    assert_int_equal(atomic_load(&tn_sends), 0);
    assert_true(nt_wait_eof(fd));
    close(fd);
    /* The late send finds the connection closed (and the net gone). */
    while (atomic_load(&tn_sends) < 1)
        nt_sleep_ms(5);
    assert_int_equal(atomic_load(&tn_send_rc), POS_ERR_CLOSED);
}

static void test_listen_errors(void **state)
{
    struct nt_server s;
    struct net_handler h = tn_handler(tn_echo_inline);
    struct net_listener_config lc;
    struct pos_errdetail d;
    struct net_options o;
    struct net *n = NULL;
    uint16_t port;

    (void)state;
    nt_server_init(&s, NULL, &h);
    net_listener_config_init(&lc, "cup");
    port = nt_server_listen(&s, &lc);
    pos_errdetail_init(&d);
    lc.port = 0;
    assert_int_equal(net_listen(s.net, &lc, &d), POS_ERR_INVAL); /* duplicate name */
    assert_non_null(strstr(d.what, "duplicate"));
    net_listener_config_init(&lc, "two");
    lc.port = port;
    assert_int_equal(net_listen(s.net, &lc, &d), POS_ERR_IO); /* address in use */
    assert_non_null(strstr(d.what, "address already in use"));
    net_listener_config_init(&lc, "bad name");
    assert_int_equal(net_listen(s.net, &lc, &d), POS_ERR_INVAL);
    net_listener_config_init(&lc, "three");
    snprintf(lc.address, sizeof(lc.address), "localhost");
    assert_int_equal(net_listen(s.net, &lc, &d), POS_ERR_INVAL);
    assert_non_null(strstr(d.what, "numeric"));
    net_listener_config_init(&lc, "four");
    lc.max_frame = 0;
    assert_int_equal(net_listen(s.net, &lc, &d), POS_ERR_INVAL);
    lc.max_frame = 70000; /* over what 2be can express */
    assert_int_equal(net_listen(s.net, &lc, &d), POS_ERR_INVAL);
    net_listener_config_init(&lc, "five");
    snprintf(lc.tls_cert, sizeof(lc.tls_cert), "/nonexistent.pem");
    assert_int_equal(net_listen(s.net, &lc, &d), POS_ERR_INVAL); /* cert without key */
    snprintf(lc.tls_key, sizeof(lc.tls_key), "/nonexistent.key");
    assert_int_equal(net_listen(s.net, &lc, &d), POS_ERR_TLS);
    assert_non_null(strstr(d.what, "/nonexistent.pem"));
    net_listener_config_init(&lc, "six");
    snprintf(lc.address, sizeof(lc.address), "::1");
    lc.port = 0;
    assert_int_equal(net_listen(s.net, &lc, &d), POS_OK); /* IPv6 */
    assert_int_equal(net_listener_count(s.net), 2);
    assert_string_equal(net_listener_at(s.net, 1)->name, "six");
    assert_null(net_listener_at(s.net, 2));
    assert_int_equal(net_listener_port(s.net, "nope", &port), POS_ERR_NOT_FOUND);
    /* net_new's own checks. */
    assert_int_equal(net_new(NULL, NULL, &h, NULL, &n), POS_ERR_INVAL);
    h.on_frame = NULL;
    net_options_init(&o);
    assert_int_equal(net_new(&s.loop, &o, &h, NULL, &n), POS_ERR_INVAL);
    h.on_frame = tn_echo_inline;
    o.max_unsent = 0;
    assert_int_equal(net_new(&s.loop, &o, &h, NULL, &n), POS_ERR_INVAL);
    assert_null(n);
    nt_server_go(&s);
    nt_server_stop(&s);
}

/* Every allocation net makes on the way can fail without a crash or leak. */
static void test_net_new_nomem(void **state)
{
    struct net_handler h = tn_handler(tn_echo_inline);
    struct net *n = NULL;
    uv_loop_t loop;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    tu_alloc_fail_after(0);
    assert_int_equal(net_new(&loop, NULL, &h, NULL, &n), POS_ERR_NOMEM);
    tu_alloc_fail_after(1); /* the net, not its own metrics */
    assert_int_equal(net_new(&loop, NULL, &h, NULL, &n), POS_ERR_NOMEM);
    tu_alloc_reset();
    assert_null(n);
    assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_codec),
        cmocka_unit_test_setup_teardown(test_split_frame, tn_setup, tn_teardown),
        cmocka_unit_test_setup_teardown(test_many_frames_one_write, tn_setup, tn_teardown),
        cmocka_unit_test_setup_teardown(test_limit_and_oversize, tn_setup, tn_teardown),
        cmocka_unit_test_setup_teardown(test_huge_prefix_4be, tn_setup, tn_teardown),
        cmocka_unit_test_setup_teardown(test_zero_length_keepalive, tn_setup, tn_teardown),
        cmocka_unit_test_setup_teardown(test_4ascii, tn_setup, tn_teardown),
        cmocka_unit_test_setup_teardown(test_http_on_2be_port, tn_setup, tn_teardown),
        cmocka_unit_test_setup_teardown(test_half_close, tn_setup, tn_teardown),
        cmocka_unit_test_setup_teardown(test_reply_after_disconnect, tn_setup, tn_teardown),
        cmocka_unit_test_setup_teardown(test_order_from_worker, tn_setup, tn_teardown),
        cmocka_unit_test_setup_teardown(test_order_inline, tn_setup, tn_teardown),
        cmocka_unit_test_setup_teardown(test_send_errors, tn_setup, tn_teardown),
        cmocka_unit_test_setup_teardown(test_close_after_reply, tn_setup, tn_teardown),
        cmocka_unit_test_setup_teardown(test_worker_close_and_hooks, tn_setup, tn_teardown),
        cmocka_unit_test_setup_teardown(test_200_connections, tn_setup, tn_teardown),
        cmocka_unit_test_setup_teardown(test_idle_timeout, tn_setup, tn_teardown),
        cmocka_unit_test_setup_teardown(test_connection_limit, tn_setup, tn_teardown),
        cmocka_unit_test_setup_teardown(test_backpressure, tn_setup, tn_teardown),
        cmocka_unit_test_setup_teardown(test_drain_waits, tn_setup, tn_teardown),
        cmocka_unit_test_setup_teardown(test_drain_timeout, tn_setup, tn_teardown),
        cmocka_unit_test_setup_teardown(test_listen_errors, tn_setup, tn_teardown),
        cmocka_unit_test(test_net_new_nomem),
    };

    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
