/* Tests for src/host/http.c over real HTTP/1.1 on 127.0.0.1: routes, 404,
 * 405 with Allow, 413 for bodies over the limit, request bodies. */
#include "testutil.h"

#include "nettest.h"

#include "host/http.h"
#include "mem.h"

static int th_hello(const struct http_request *req, struct http_response *resp, void *ud)
{
    (void)req;
    (void)ud;
    assert_int_equal(http_response_set(resp, "application/json", "{\"status\":\"ok\"}", 15),
                     POS_OK);
    return 200;
}

/* Echoes the body back, with the X-Tag header's value in front. */
static int th_echo(const struct http_request *req, struct http_response *resp, void *ud)
{
    const char *tag = http_request_header(req, "x-tag");
    char *body;
    size_t tlen = tag != NULL ? strlen(tag) : 0;

    (void)ud;
    assert_string_equal(req->method, "POST");
    assert_string_equal(req->path, "/echo");
    body = pos_malloc(tlen + req->body_len + 1);
    assert_non_null(body);
    memcpy(body, tag != NULL ? tag : "", tlen);
    memcpy(body + tlen, req->body, req->body_len);
    http_response_take(resp, "text/plain", body, tlen + req->body_len);
    return 201;
}

static int th_empty(const struct http_request *req, struct http_response *resp, void *ud)
{
    (void)req;
    (void)resp;
    (void)ud;
    return 204;
}

/* Sends raw and reads the whole answer (the request says close). */
static char *th_exchange(uint16_t port, const char *raw, size_t raw_len)
{
    int fd = nt_connect(port);
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap + 1);
    ssize_t r;

    assert_non_null(buf);
    nt_send_all(fd, raw, raw_len);
    while ((r = recv(fd, buf + len, cap - len, 0)) > 0)
        len += (size_t)r;
    buf[len] = '\0';
    close(fd);
    return buf;
}

static char *th_get(uint16_t port, const char *method, const char *path)
{
    char req[256];
    int k = snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                     method, path);

    return th_exchange(port, req, (size_t)k);
}

static void th_start(struct http **h, struct metrics *m, uint16_t *port)
{
    struct pos_errdetail d;

    pos_errdetail_init(&d);
    assert_int_equal(http_new(m, h), POS_OK);
    assert_int_equal(http_route(*h, "GET", "/healthz", th_hello, NULL), POS_OK);
    assert_int_equal(http_route(*h, "POST", "/echo", th_echo, NULL), POS_OK);
    assert_int_equal(http_route(*h, "PUT", "/echo", th_echo, NULL), POS_OK);
    assert_int_equal(http_route(*h, "GET", "/empty", th_empty, NULL), POS_OK);
    assert_int_equal(http_port(*h), 0);
    assert_int_equal(http_start(*h, "127.0.0.1", 0, 64, &d), POS_OK);
    *port = http_port(*h);
    assert_true(*port != 0);
}

static void test_routes(void **state)
{
    struct metrics m;
    struct http *h;
    uint16_t port;
    char *r;

    (void)state;
    metrics_init(&m);
    th_start(&h, &m, &port);
    r = th_get(port, "GET", "/healthz");
    assert_int_equal(strncmp(r, "HTTP/1.1 200 OK\r\n", 17), 0);
    assert_non_null(strstr(r, "Content-Type: application/json\r\n"));
    assert_non_null(strstr(r, "\r\n\r\n{\"status\":\"ok\"}"));
    free(r);
    r = th_get(port, "GET", "/healthz?verbose=1"); /* the query is not the path */
    assert_int_equal(strncmp(r, "HTTP/1.1 200", 12), 0);
    free(r);
    r = th_get(port, "GET", "/empty");
    assert_int_equal(strncmp(r, "HTTP/1.1 204", 12), 0);
    free(r);
    r = th_get(port, "GET", "/nope");
    assert_int_equal(strncmp(r, "HTTP/1.1 404", 12), 0);
    assert_non_null(strstr(r, "{\"error\":\"not found\"}"));
    free(r);
    r = th_get(port, "DELETE", "/healthz");
    assert_int_equal(strncmp(r, "HTTP/1.1 405", 12), 0);
    assert_non_null(strstr(r, "Allow: GET\r\n"));
    free(r);
    r = th_get(port, "GET", "/echo");
    assert_int_equal(strncmp(r, "HTTP/1.1 405", 12), 0);
    assert_non_null(strstr(r, "Allow: POST, PUT\r\n"));
    free(r);
    assert_int_equal(metrics_get(&m, METRICS_HTTP_REQUESTS), 6);
    http_free(h);
}

static void test_bodies(void **state)
{
    static const char post[] = "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                               "X-Tag: t:\r\nContent-Length: 5\r\n\r\nhello";
    static const char big[] = "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                              "Content-Length: 65\r\n\r\n";
    static const char chunked[] = "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                  "Transfer-Encoding: chunked\r\n\r\n"
                                  "28\r\n0123456789012345678901234567890123456789\r\n"
                                  "28\r\n0123456789012345678901234567890123456789\r\n0\r\n\r\n";
    struct http *h;
    uint16_t port;
    char *r;

    (void)state;
    th_start(&h, NULL, &port);
    r = th_exchange(port, post, sizeof(post) - 1);
    assert_int_equal(strncmp(r, "HTTP/1.1 201", 12), 0);
    assert_non_null(strstr(r, "\r\n\r\nt:hello"));
    free(r);
    /* Declared over the 64-byte limit: refused before the body is read. */
    r = th_exchange(port, big, sizeof(big) - 1);
    assert_int_equal(strncmp(r, "HTTP/1.1 413", 12), 0);
    assert_non_null(strstr(r, "{\"error\":\"body too large\"}"));
    free(r);
    /* Chunked, 80 bytes: found too large while reading. */
    r = th_exchange(port, chunked, sizeof(chunked) - 1);
    assert_int_equal(strncmp(r, "HTTP/1.1 413", 12), 0);
    free(r);
    http_free(h);
}

static void test_route_and_start_errors(void **state)
{
    struct http *h, *h2;
    struct pos_errdetail d;
    uint16_t port;

    (void)state;
    pos_errdetail_init(&d);
    assert_int_equal(http_new(NULL, &h), POS_OK);
    assert_int_equal(http_route(h, "GET", "/a", th_hello, NULL), POS_OK);
    assert_int_equal(http_route(h, "GET", "/a", th_hello, NULL), POS_ERR_INVAL);
    assert_int_equal(http_route(h, "GET", "no-slash", th_hello, NULL), POS_ERR_INVAL);
    assert_int_equal(http_route(h, "GET", "/b", NULL, NULL), POS_ERR_INVAL);
    assert_int_equal(http_route(h, "AVERYLONGMETHODNAME", "/b", th_hello, NULL), POS_ERR_INVAL);
    assert_int_equal(http_start(h, "localhost", 0, 64, &d), POS_ERR_INVAL);
    assert_non_null(strstr(d.what, "localhost"));
    assert_int_equal(http_start(h, "127.0.0.1", 0, 64, &d), POS_OK);
    port = http_port(h);
    assert_int_equal(http_route(h, "GET", "/c", th_hello, NULL), POS_ERR_INVAL); /* started */
    assert_int_equal(http_start(h, "127.0.0.1", 0, 64, &d), POS_ERR_INVAL);
    assert_int_equal(http_new(NULL, &h2), POS_OK);
    assert_int_equal(http_start(h2, "127.0.0.1", port, 64, &d), POS_ERR_IO); /* in use */
    http_free(h2);
    assert_int_equal(http_new(NULL, &h2), POS_OK);
    assert_int_equal(http_start(h2, "::1", 0, 64, &d), POS_OK); /* IPv6 */
    http_free(h2);
    http_free(h);
    http_free(NULL);
    tu_alloc_fail_after(0);
    assert_int_equal(http_new(NULL, &h), POS_ERR_NOMEM);
    tu_alloc_reset();
    assert_null(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes),
        cmocka_unit_test(test_bodies),
        cmocka_unit_test(test_route_and_start_errors),
    };

    signal(SIGPIPE, SIG_IGN);
    log_set_level(LOG_LEVEL_ERROR); /* MHD's own complaints stay quiet */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
