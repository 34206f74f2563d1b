/*
 * http: posd's HTTP/1.1 port (RFC 9110 semantics, RFC 9112 messages) on
 * GNU libmicrohttpd, in its own thread: a small route table of
 * (method, path) -> handler, for /healthz, /metrics (Prometheus text, see
 * metrics.h) and the JSON APIs added later (wallet, admin).
 *
 * A path that no route has is 404; a path some route has with another
 * method is 405 with an Allow header (RFC 9110 §15.5.6); a request body
 * over max_body is 413 (§15.5.14). Error bodies are JSON {"error":"..."}.
 *
 * Threads: routes are added before http_start; handlers then run on the
 * HTTP thread, one request at a time, and must be thread-safe with respect
 * to the rest of posd (read atomics, take the store's own locks, never
 * touch the event loop directly).
 */
#ifndef POSD_HTTP_H
#define POSD_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct metrics;
struct pos_errdetail;
struct http;

#define HTTP_MAX_ROUTES 32

/* A request as the handler sees it; valid for the call only. The body is
 * not NUL-terminated. */
struct http_request {
    const char *method;
    const char *path; /* without the query string */
    const uint8_t *body;
    size_t body_len;
    void *priv; /* the library's connection */
};

/* The handler's answer. body is heap memory (pos_malloc) owned by the
 * response; set it through the functions below. */
struct http_response {
    const char *content_type; /* a static string */
    char *body;
    size_t body_len;
};

/* Copies len bytes of body and sets the content type (a static string).
 * Returns POS_OK or POS_ERR_NOMEM. */
int http_response_set(struct http_response *resp, const char *content_type, const char *body,
                      size_t len);

/* Takes ownership of a pos_malloc'd body (freed by the library). */
void http_response_take(struct http_response *resp, const char *content_type, char *body,
                        size_t len);

/* A request header's value (case-insensitive name), or NULL. */
const char *http_request_header(const struct http_request *req, const char *name);

/* Returns the HTTP status and fills resp (an empty body is fine). */
typedef int http_handler_fn(const struct http_request *req, struct http_response *resp, void *ud);

/* m counts requests (posd_http_requests_total); may be NULL. */
int http_new(struct metrics *m, struct http **out);

/* Adds a route (exact path match, method case-sensitive: "GET", "POST").
 * Before http_start only. Returns POS_OK or POS_ERR_INVAL (too many, a
 * duplicate, or after start). */
int http_route(struct http *h, const char *method, const char *path, http_handler_fn *fn, void *ud);

/* Starts the HTTP thread on address:port (numeric IPv4 or IPv6; port 0 =
 * ephemeral). Returns POS_OK, POS_ERR_INVAL (bad address) or POS_ERR_IO
 * (cannot bind), d naming the address. */
int http_start(struct http *h, const char *address, uint16_t port, size_t max_body,
               struct pos_errdetail *d);

/* The bound port (0 before http_start). */
uint16_t http_port(const struct http *h);

/* Stops the thread (waits for a running handler) and frees h. NULL ok. */
void http_free(struct http *h);

#endif
