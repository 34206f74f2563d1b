/* http: a route table over libmicrohttpd (see http.h). */
#include "http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <microhttpd.h>

#include "error.h"
#include "hex.h"
#include "log.h"
#include "mem.h"
#include "metrics.h"

#define HTTP_JSON "application/json"

struct http_route {
    char method[16];
    char path[128];
    http_handler_fn *fn;
    void *ud;
};

struct http {
    struct MHD_Daemon *d;
    struct metrics *m;
    struct http_route routes[HTTP_MAX_ROUTES];
    size_t nroutes;
    size_t max_body;
    uint16_t port;
};

/* Per request: the body gathered so far. */
struct http_state {
    uint8_t *body;
    size_t len, cap;
    bool too_large;
};

int http_response_set(struct http_response *resp, const char *content_type, const char *body,
                      size_t len)
{
    char *copy = pos_malloc(len + 1);

    if (copy == NULL)
        return POS_ERR_NOMEM;
    memcpy(copy, body, len);
    copy[len] = '\0';
    http_response_take(resp, content_type, copy, len);
    return POS_OK;
}

void http_response_take(struct http_response *resp, const char *content_type, char *body,
                        size_t len)
{
    pos_free(resp->body);
    resp->content_type = content_type;
    resp->body = body;
    resp->body_len = len;
}

const char *http_request_header(const struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->priv, MHD_HEADER_KIND, name);
}

int http_new(struct metrics *m, struct http **out)
{
    struct http *h = pos_calloc(1, sizeof(*h));

    *out = h;
    if (h == NULL)
        return POS_ERR_NOMEM;
    h->m = m;
    return POS_OK;
}

int http_route(struct http *h, const char *method, const char *path, http_handler_fn *fn, void *ud)
{
    struct http_route *r;
    size_t i;

    if (h->d != NULL || h->nroutes == HTTP_MAX_ROUTES || fn == NULL ||
        strlen(method) >= sizeof(r->method) || strlen(path) >= sizeof(r->path) || path[0] != '/')
        return POS_ERR_INVAL;
    for (i = 0; i < h->nroutes; i++)
        if (strcmp(h->routes[i].method, method) == 0 && strcmp(h->routes[i].path, path) == 0)
            return POS_ERR_INVAL;
    r = &h->routes[h->nroutes++];
    snprintf(r->method, sizeof(r->method), "%s", method);
    snprintf(r->path, sizeof(r->path), "%s", path);
    r->fn = fn;
    r->ud = ud;
    return POS_OK;
}

static void http_count(struct http *h)
{
    if (h->m != NULL)
        metrics_add(h->m, METRICS_HTTP_REQUESTS, 1);
}

/* Sends status with body (a static or the response's) and an optional
 * Allow header. */
static enum MHD_Result http_send(struct MHD_Connection *conn, int status, const char *ctype,
                                 const char *body, size_t len, const char *allow)
{
    struct MHD_Response *r;
    enum MHD_Result ok;

    r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return MHD_NO;
    if (ctype != NULL)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    if (allow != NULL)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    ok = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result http_error(struct MHD_Connection *conn, int status, const char *why,
                                  const char *allow)
{
    char body[96];
    int k = snprintf(body, sizeof(body), "{\"error\":\"%s\"}", why);

    return http_send(conn, status, HTTP_JSON, body, (size_t)k, allow);
}

static enum MHD_Result http_dispatch(struct http *h, struct MHD_Connection *conn, const char *url,
                                     const char *method, struct http_state *st)
{
    struct http_request req = {method, url, st->body, st->len, conn};
    struct http_response resp = {NULL, NULL, 0};
    char allow[96] = "";
    size_t i, k = 0;
    enum MHD_Result ok;
    int status;

    http_count(h);
    for (i = 0; i < h->nroutes; i++) {
        if (strcmp(h->routes[i].path, url) != 0)
            continue;
        if (strcmp(h->routes[i].method, method) == 0) {
            status = h->routes[i].fn(&req, &resp, h->routes[i].ud);
            ok = http_send(conn, status, resp.content_type, resp.body != NULL ? resp.body : "",
                           resp.body_len, NULL);
            pos_free(resp.body);
            return ok;
        }
        k += (size_t)snprintf(allow + k, sizeof(allow) - k, "%s%s", k > 0 ? ", " : "",
                              h->routes[i].method);
        if (k >= sizeof(allow))
            k = sizeof(allow) - 1;
    }
    if (allow[0] != '\0')
        return http_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed", allow);
    return http_error(conn, MHD_HTTP_NOT_FOUND, "not found", NULL);
}

/* A Content-Length over max_body: refuse before reading the body. */
static bool http_declared_too_large(struct MHD_Connection *conn, size_t max)
{
    const char *cl =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    uint64_t n = 0;
    size_t len;

    if (cl == NULL)
        return false;
    len = strlen(cl);
    if (len > 18)
        return true;
    return pos_parse_digits_u64(cl, len, &n) == POS_OK && n > max;
}

static enum MHD_Result http_access(void *cls, struct MHD_Connection *conn, const char *url,
                                   const char *method, const char *version, const char *upload,
                                   size_t *upload_size, void **con_cls)
{
    struct http *h = cls;
    struct http_state *st = *con_cls;
    uint8_t *nb;
    size_t ncap;

    (void)version;
    if (st == NULL) {
        st = pos_calloc(1, sizeof(*st));
        if (st == NULL)
            return MHD_NO;
        *con_cls = st;
        if (http_declared_too_large(conn, h->max_body)) {
            http_count(h);
            return http_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, "body too large", NULL);
        }
        return MHD_YES;
    }
    if (*upload_size != 0) {
        if (!st->too_large && *upload_size > h->max_body - st->len) {
            st->too_large = true;
        } else if (!st->too_large) {
            if (st->len + *upload_size > st->cap) {
                ncap = st->len + *upload_size + 256;
                nb = pos_realloc(st->body, ncap);
                if (nb == NULL)
                    return MHD_NO;
                st->body = nb;
                st->cap = ncap;
            }
            memcpy(st->body + st->len, upload, *upload_size);
            st->len += *upload_size;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (st->too_large) {
        http_count(h);
        return http_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, "body too large", NULL);
    }
    return http_dispatch(h, conn, url, method, st);
}

static void http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                           enum MHD_RequestTerminationCode toe)
{
    struct http_state *st = *con_cls;

    (void)cls;
    (void)conn;
    (void)toe;
    if (st != NULL) {
        pos_free(st->body);
        pos_free(st);
        *con_cls = NULL;
    }
}

/* libmicrohttpd's error callback hands us its own printf format. */
static void http_logger(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void http_logger(void *cls, const char *fmt, va_list ap)
{
    char msg[256];
    size_t n;

    (void)cls;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    n = strlen(msg);
    while (n > 0 && msg[n - 1] == '\n')
        msg[--n] = '\0';
    log_event(LOG_LEVEL_WARN, "http_error", "reason=\"%s\"", msg);
}

int http_start(struct http *h, const char *address, uint16_t port, size_t max_body,
               struct pos_errdetail *d)
{
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;
    const struct sockaddr *sa;
    const union MHD_DaemonInfo *info;
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;

    memset(&sin, 0, sizeof(sin));
    memset(&sin6, 0, sizeof(sin6));
    if (inet_pton(AF_INET, address, &sin.sin_addr) == 1) {
        sin.sin_family = AF_INET;
        sin.sin_port = htons(port);
        sa = (const struct sockaddr *)&sin;
    } else if (inet_pton(AF_INET6, address, &sin6.sin6_addr) == 1) {
        sin6.sin6_family = AF_INET6;
        sin6.sin6_port = htons(port);
        sa = (const struct sockaddr *)&sin6;
        flags |= MHD_USE_IPv6;
    } else {
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET,
                                 "http address '%.64s' is not numeric IPv4 or IPv6", address);
    }
    if (h->d != NULL)
        return pos_errdetail_set(d, POS_ERR_INVAL, -1, POS_NO_OFFSET, "http already started");
    h->max_body = max_body;
    /* The logger goes first so that MHD never prints on its own. */
    h->d = MHD_start_daemon(flags, port, NULL, NULL, http_access, h, MHD_OPTION_EXTERNAL_LOGGER,
                            http_logger, h, MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_NOTIFY_COMPLETED,
                            http_completed, h, MHD_OPTION_CONNECTION_LIMIT, 64u,
                            MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    if (h->d == NULL)
        return pos_errdetail_set(d, POS_ERR_IO, -1, POS_NO_OFFSET,
                                 "http %.64s:%u: cannot listen (address in use?)", address,
                                 (unsigned)port);
    info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info != NULL ? info->port : port;
    log_event(LOG_LEVEL_INFO, "http_listen", "addr=%s port=%u", address, (unsigned)h->port);
    return POS_OK;
}

uint16_t http_port(const struct http *h)
{
    return h->port;
}

void http_free(struct http *h)
{
    if (h == NULL)
        return;
    if (h->d != NULL)
        MHD_stop_daemon(h->d);
    pos_free(h);
}
