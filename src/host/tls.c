/* tls: TLS 1.3 server sessions over memory BIOs (see tls.h). */
#include "tls.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "error.h"
#include "mem.h"

struct tls_ctx {
    SSL_CTX *ssl;
};

struct tls_conn {
    SSL *ssl;
    BIO *rbio; /* ciphertext from the peer (owned by ssl) */
    BIO *wbio; /* ciphertext to the peer (owned by ssl) */
    char reason[128];
};

/* Copies OpenSSL's first queued error reason into buf and clears the queue. */
static void tls_reason(char *buf, size_t cap, const char *fallback)
{
    unsigned long e = ERR_get_error();
    const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;

    snprintf(buf, cap, "%s", r != NULL ? r : fallback);
    ERR_clear_error();
}

int tls_ctx_new(const char *cert_path, const char *key_path, struct pos_errdetail *d,
                struct tls_ctx **out)
{
    struct tls_ctx *ctx = NULL;
    char why[96];
    int rc = POS_OK;

    *out = NULL;
    ERR_clear_error();
    ctx = pos_calloc(1, sizeof(*ctx));
    if (ctx == NULL)
        return POS_ERR_NOMEM;
    ctx->ssl = SSL_CTX_new(TLS_server_method());
    if (ctx->ssl == NULL) {
        rc = pos_errdetail_set(d, POS_ERR_TLS, -1, POS_NO_OFFSET, "SSL_CTX_new failed");
        goto out;
    }
    /* RFC 8446 only: no TLS 1.2 or older is ever negotiated. */
    if (SSL_CTX_set_min_proto_version(ctx->ssl, TLS1_3_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(ctx->ssl, TLS1_3_VERSION) != 1) {
        rc = pos_errdetail_set(d, POS_ERR_TLS, -1, POS_NO_OFFSET, "TLS 1.3 not available");
        goto out;
    }
    /* Idle sessions keep no read/write buffers: posd holds many of them. */
    SSL_CTX_set_mode(ctx->ssl, SSL_MODE_RELEASE_BUFFERS);
    if (SSL_CTX_use_certificate_chain_file(ctx->ssl, cert_path) != 1) {
        tls_reason(why, sizeof(why), "cannot load");
        rc =
            pos_errdetail_set(d, POS_ERR_TLS, -1, POS_NO_OFFSET, "tls_cert %s: %s", cert_path, why);
        goto out;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx->ssl, key_path, SSL_FILETYPE_PEM) != 1) {
        tls_reason(why, sizeof(why), "cannot load");
        rc = pos_errdetail_set(d, POS_ERR_TLS, -1, POS_NO_OFFSET, "tls_key %s: %s", key_path, why);
        goto out;
    }
    if (SSL_CTX_check_private_key(ctx->ssl) != 1) {
        tls_reason(why, sizeof(why), "mismatch");
        rc = pos_errdetail_set(d, POS_ERR_TLS, -1, POS_NO_OFFSET,
                               "tls_key %s does not match tls_cert: %s", key_path, why);
        goto out;
    }
    *out = ctx;
    ctx = NULL;
out:
    tls_ctx_free(ctx);
    return rc;
}

void tls_ctx_free(struct tls_ctx *ctx)
{
    if (ctx == NULL)
        return;
    SSL_CTX_free(ctx->ssl);
    pos_free(ctx);
}

int tls_conn_new(struct tls_ctx *ctx, struct tls_conn **out)
{
    struct tls_conn *c;
    int rc = POS_OK;

    *out = NULL;
    c = pos_calloc(1, sizeof(*c));
    if (c == NULL)
        return POS_ERR_NOMEM;
    c->ssl = SSL_new(ctx->ssl);
    c->rbio = BIO_new(BIO_s_mem());
    c->wbio = BIO_new(BIO_s_mem());
    if (c->ssl == NULL || c->rbio == NULL || c->wbio == NULL) {
        BIO_free(c->rbio);
        BIO_free(c->wbio);
        c->rbio = c->wbio = NULL;
        rc = POS_ERR_TLS;
        goto out;
    }
    /* An empty read BIO means "retry later", not end of stream. */
    BIO_set_mem_eof_return(c->rbio, -1);
    SSL_set_bio(c->ssl, c->rbio, c->wbio);
    SSL_set_accept_state(c->ssl);
    *out = c;
    c = NULL;
out:
    tls_conn_free(c);
    ERR_clear_error();
    return rc;
}

void tls_conn_free(struct tls_conn *c)
{
    if (c == NULL)
        return;
    SSL_free(c->ssl); /* frees both BIOs */
    pos_free(c);
}

int tls_conn_feed(struct tls_conn *c, const uint8_t *in, size_t len)
{
    while (len > 0) {
        int chunk = len > 0x40000000u ? 0x40000000 : (int)len;
        int w = BIO_write(c->rbio, in, chunk);
        if (w <= 0)
            return POS_ERR_NOMEM;
        in += w;
        len -= (size_t)w;
    }
    return POS_OK;
}

int tls_conn_read(struct tls_conn *c, uint8_t *out, size_t cap, size_t *n)
{
    size_t got = 0;
    int err;

    *n = 0;
    c->reason[0] = '\0';
    ERR_clear_error();
    if (SSL_read_ex(c->ssl, out, cap, &got) == 1) {
        *n = got;
        return POS_OK;
    }
    err = SSL_get_error(c->ssl, 0);
    switch (err) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        return POS_OK;
    case SSL_ERROR_ZERO_RETURN:
        return POS_ERR_CLOSED;
    default:
        tls_reason(c->reason, sizeof(c->reason), "protocol error");
        return POS_ERR_TLS;
    }
}

bool tls_conn_is_established(const struct tls_conn *c)
{
    return SSL_is_init_finished(c->ssl) == 1;
}

int tls_conn_write(struct tls_conn *c, const uint8_t *in, size_t len)
{
    size_t done = 0;

    c->reason[0] = '\0';
    ERR_clear_error();
    if (SSL_write_ex(c->ssl, in, len, &done) != 1 || done != len) {
        tls_reason(c->reason, sizeof(c->reason), "write failed");
        return POS_ERR_TLS;
    }
    return POS_OK;
}

void tls_conn_shutdown(struct tls_conn *c)
{
    if (tls_conn_is_established(c))
        (void)SSL_shutdown(c->ssl);
    ERR_clear_error();
}

size_t tls_conn_pending(const struct tls_conn *c)
{
    return BIO_ctrl_pending(c->wbio);
}

size_t tls_conn_take(struct tls_conn *c, uint8_t *out, size_t cap)
{
    size_t got = 0;

    if (cap == 0 || BIO_read_ex(c->wbio, out, cap, &got) != 1)
        return 0;
    return got;
}

const char *tls_conn_reason(const struct tls_conn *c)
{
    return c->reason;
}

const char *tls_conn_version(const struct tls_conn *c)
{
    return tls_conn_is_established(c) ? SSL_get_version(c->ssl) : "";
}
