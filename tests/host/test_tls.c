/* Tests for src/host/tls.c: TLS 1.3 listeners over real TCP, with a
 * certificate made in-process and an OpenSSL client. */
#include "testutil.h"

#include "nettest.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "host/tls.h"

static char tt_dir[64], tt_log[128], tt_cert[128], tt_key[128], tt_cert2[128], tt_key2[128];

static int tt_setup(void **state)
{
    (void)state;
    nt_tempdir(tt_dir, sizeof(tt_dir));
    snprintf(tt_log, sizeof(tt_log), "%s/tls.log", tt_dir);
    snprintf(tt_cert, sizeof(tt_cert), "%s/cert.pem", tt_dir);
    snprintf(tt_key, sizeof(tt_key), "%s/key.pem", tt_dir);
    snprintf(tt_cert2, sizeof(tt_cert2), "%s/cert2.pem", tt_dir);
    snprintf(tt_key2, sizeof(tt_key2), "%s/key2.pem", tt_dir);
    nt_make_cert(tt_cert, tt_key);
    nt_make_cert(tt_cert2, tt_key2);
    assert_int_equal(log_open(tt_log, LOG_LEVEL_DEBUG), POS_OK);
    return 0;
}

static int tt_teardown(void **state)
{
    char cmd[160];

    (void)state;
    log_close();
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tt_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void tt_echo(struct net_conn *c, const uint8_t *frame, size_t len, void *ud)
{
    (void)ud;
    assert_int_equal(net_conn_send(c, frame, len), POS_OK);
}

static uint16_t tt_start(struct nt_server *s, size_t max_frame)
{
    struct net_handler h = {tt_echo, NULL, NULL, NULL};
    struct net_listener_config lc;

    nt_server_init(s, NULL, &h);
    net_listener_config_init(&lc, "cup");
    lc.max_frame = max_frame;
    snprintf(lc.tls_cert, sizeof(lc.tls_cert), "%s", tt_cert);
    snprintf(lc.tls_key, sizeof(lc.tls_key), "%s", tt_key);
    return nt_server_listen(s, &lc);
}

/* A verifying client: trusts tt_cert, checks the IP 127.0.0.1, speaks at
 * most max_version. */
static SSL *tt_client(SSL_CTX **ctx_out, int fd, int max_version)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *ssl;

    assert_non_null(ctx);
    assert_int_equal(SSL_CTX_set_max_proto_version(ctx, max_version), 1);
    assert_int_equal(SSL_CTX_load_verify_locations(ctx, tt_cert, NULL), 1);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    ssl = SSL_new(ctx);
    assert_non_null(ssl);
    assert_int_equal(X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1"), 1);
    SSL_set_fd(ssl, fd);
    *ctx_out = ctx;
    return ssl;
}

static void tt_ssl_write(SSL *ssl, const void *p, size_t n)
{
    size_t done = 0;

    assert_int_equal(SSL_write_ex(ssl, p, n, &done), 1);
    assert_int_equal(done, n);
}

static long tt_ssl_read_frame(SSL *ssl, uint8_t *buf, size_t cap)
{
    uint8_t hdr[2];
    size_t got = 0, len, off = 0;

    while (off < 2) {
        if (SSL_read_ex(ssl, hdr + off, 2 - off, &got) != 1)
            return -1;
        off += got;
    }
    len = ((size_t)hdr[0] << 8) | hdr[1];
    if (len > cap)
        return -1;
    for (off = 0; off < len; off += got)
        if (SSL_read_ex(ssl, buf + off, len - off, &got) != 1)
            return -1;
    return (long)len;
}

static void test_tls13_roundtrip(void **state)
{
    struct nt_server s;
    uint16_t port = tt_start(&s, 8192);
    SSL_CTX *ctx;
    SSL *ssl;
    uint8_t got[64];
    int fd, i;

    (void)state;
    nt_server_go(&s);
    fd = nt_connect(port);
    ssl = tt_client(&ctx, fd, TLS1_3_VERSION);
    assert_int_equal(SSL_connect(ssl), 1);
    assert_int_equal(SSL_version(ssl), TLS1_3_VERSION);
    assert_int_equal(SSL_get_verify_result(ssl), X509_V_OK);
    /* One frame in one record, then one frame over three records, then
     * three frames in one record. */
    tt_ssl_write(ssl, "\x00\x05hello", 7);
    assert_int_equal(tt_ssl_read_frame(ssl, got, sizeof(got)), 5);
    assert_buf_equal(got, 5, "hello", 5);
    tt_ssl_write(ssl, "\x00", 1);
    tt_ssl_write(ssl,
                 "\x04"
                 "ab",
                 3);
    tt_ssl_write(ssl, "cd", 2);
    assert_int_equal(tt_ssl_read_frame(ssl, got, sizeof(got)), 4);
    assert_buf_equal(got, 4, "abcd", 4);
    tt_ssl_write(ssl, "\x00\x01x\x00\x01y\x00\x01z", 9);
    for (i = 0; i < 3; i++) {
        assert_int_equal(tt_ssl_read_frame(ssl, got, sizeof(got)), 1);
        assert_int_equal(got[0], "xyz"[i]);
    }
    assert_int_equal(metrics_get(&s.m, METRICS_FRAMES_IN), 5);
    /* close_notify: the server answers in kind and closes. */
    SSL_shutdown(ssl);
    assert_true(nt_wait_eof(fd));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    assert_int_equal(metrics_get(&s.m, METRICS_TLS_FAILURES), 0);
    nt_server_stop(&s);
}

static void test_tls_oversize_frame(void **state)
{
    struct nt_server s;
    uint16_t port = tt_start(&s, 16);
    SSL_CTX *ctx;
    SSL *ssl;
    uint8_t buf[8];
    size_t got = 0;
    int fd;

    (void)state;
    nt_server_go(&s);
    fd = nt_connect(port);
    ssl = tt_client(&ctx, fd, TLS1_3_VERSION);
    assert_int_equal(SSL_connect(ssl), 1);
    tt_ssl_write(ssl, "\x00\x11", 2); /* 17 > 16 */
    assert_int_equal(SSL_read_ex(ssl, buf, sizeof(buf), &got), 0);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    assert_true(nt_file_has(tt_log, "len=17 max=16", 1000));
    nt_server_stop(&s);
}

/* A plaintext terminal on a TLS port: handshake fails, logged, closed. */
static void test_plaintext_client_on_tls_port(void **state)
{
    struct nt_server s;
    uint16_t port = tt_start(&s, 8192);
    int fd;

    (void)state;
    nt_server_go(&s);
    fd = nt_connect(port);
    nt_send_frame(fd, "hello", 5);
    assert_true(nt_wait_eof(fd));
    close(fd);
    assert_true(nt_wait_metric(&s, METRICS_TLS_FAILURES, 1, 1000));
    assert_true(
        nt_file_has(tt_log, "event=tls_handshake_failed listener=cup peer=127.0.0.1:", 1000));
    assert_true(nt_file_has(tt_log, "reason=\"wrong version number\"", 1000));
    assert_int_equal(metrics_get(&s.m, METRICS_FRAMES_IN), 0);
    nt_server_stop(&s);
}

/* TLS 1.2 is never negotiated. */
static void test_tls12_refused(void **state)
{
    struct nt_server s;
    uint16_t port = tt_start(&s, 8192);
    SSL_CTX *ctx;
    SSL *ssl;
    int fd;

    (void)state;
    nt_server_go(&s);
    fd = nt_connect(port);
    ssl = tt_client(&ctx, fd, TLS1_2_VERSION);
    assert_true(SSL_connect(ssl) <= 0);
    /* The server's protocol_version alert (RFC 8446 §6.2) reached us
     * before the close. */
    assert_int_equal(ERR_GET_REASON(ERR_peek_error()), SSL_R_TLSV1_ALERT_PROTOCOL_VERSION);
    ERR_clear_error();
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    assert_true(nt_wait_metric(&s, METRICS_TLS_FAILURES, 1, 1000));
    assert_true(nt_file_has(tt_log, "event=tls_handshake_failed", 1000));
    nt_server_stop(&s);
}

static void test_tls_ctx_errors(void **state)
{
    struct tls_ctx *ctx = NULL;
    struct pos_errdetail d;
    char junk[160];
    FILE *f;

    (void)state;
    pos_errdetail_init(&d);
    assert_int_equal(tls_ctx_new(tt_cert, tt_key, &d, &ctx), POS_OK);
    tls_ctx_free(ctx);
    assert_int_equal(tls_ctx_new("/nonexistent/cert.pem", tt_key, &d, &ctx), POS_ERR_TLS);
    assert_null(ctx);
    assert_non_null(strstr(d.what, "tls_cert /nonexistent/cert.pem"));
    assert_int_equal(tls_ctx_new(tt_cert, "/nonexistent/key.pem", &d, &ctx), POS_ERR_TLS);
    assert_non_null(strstr(d.what, "tls_key /nonexistent/key.pem"));
    assert_int_equal(tls_ctx_new(tt_cert, tt_key2, &d, &ctx), POS_ERR_TLS);
    assert_non_null(strstr(d.what, "tls_key"));
    assert_non_null(strstr(d.what, "mismatch"));
    snprintf(junk, sizeof(junk), "%s/junk.pem", tt_dir);
    f = fopen(junk, "w");
    assert_non_null(f);
    fputs("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n", f);
    fclose(f);
    assert_int_equal(tls_ctx_new(junk, tt_key, &d, &ctx), POS_ERR_TLS);
    tls_ctx_free(NULL);
    tls_conn_free(NULL);
    tu_alloc_fail_after(0);
    assert_int_equal(tls_ctx_new(tt_cert, tt_key, &d, &ctx), POS_ERR_NOMEM);
    tu_alloc_reset();
}

/* The session without a network: garbage in gives POS_ERR_TLS with a
 * reason and an alert to send; nothing in gives "need more". */
static void test_tls_conn_memory(void **state)
{
    struct tls_ctx *ctx = NULL;
    struct tls_conn *c = NULL;
    uint8_t out[256];
    size_t n = 99;

    (void)state;
    assert_int_equal(tls_ctx_new(tt_cert, tt_key, NULL, &ctx), POS_OK);
    assert_int_equal(tls_conn_new(ctx, &c), POS_OK);
    assert_int_equal(tls_conn_read(c, out, sizeof(out), &n), POS_OK);
    assert_int_equal(n, 0);
    assert_false(tls_conn_is_established(c));
    assert_string_equal(tls_conn_version(c), "");
    assert_int_equal(tls_conn_pending(c), 0);
    assert_int_equal(tls_conn_feed(c, (const uint8_t *)"GET / HTTP/1.1\r\n\r\n", 18), POS_OK);
    assert_int_equal(tls_conn_read(c, out, sizeof(out), &n), POS_ERR_TLS);
    assert_true(strlen(tls_conn_reason(c)) > 0);
    /* Not a TLS record at all: no alert can be framed, nothing to send. */
    assert_int_equal(tls_conn_pending(c), 0);
    assert_int_equal(tls_conn_take(c, out, sizeof(out)), 0);
    assert_int_equal(tls_conn_take(c, out, 0), 0);
    assert_int_equal(tls_conn_write(c, out, 1), POS_ERR_TLS);
    tls_conn_shutdown(c); /* not established: nothing to say */
    tls_conn_free(c);
    tu_alloc_fail_after(0);
    assert_int_equal(tls_conn_new(ctx, &c), POS_ERR_NOMEM);
    tu_alloc_reset();
    tls_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tls13_roundtrip, tt_setup, tt_teardown),
        cmocka_unit_test_setup_teardown(test_tls_oversize_frame, tt_setup, tt_teardown),
        cmocka_unit_test_setup_teardown(test_plaintext_client_on_tls_port, tt_setup, tt_teardown),
        cmocka_unit_test_setup_teardown(test_tls12_refused, tt_setup, tt_teardown),
        cmocka_unit_test_setup_teardown(test_tls_ctx_errors, tt_setup, tt_teardown),
        cmocka_unit_test_setup_teardown(test_tls_conn_memory, tt_setup, tt_teardown),
    };

    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
