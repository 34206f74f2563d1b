/*
 * tls: TLS 1.3 (RFC 8446) server sessions over memory, for the event loop.
 *
 * Built on OpenSSL libssl 3 with a pair of memory BIOs per session, so the
 * module is sans-I/O: the network layer feeds the ciphertext it read
 * (tls_conn_feed), takes plaintext out (tls_conn_read), puts plaintext in
 * (tls_conn_write) and sends whatever ciphertext is pending
 * (tls_conn_take). Only TLS 1.3 is negotiated (RFC 8446 §4.2.1
 * supported_versions); an older client or a plaintext client fails the
 * handshake with an error naming OpenSSL's reason (e.g. "wrong version
 * number"). No client certificate is requested.
 *
 * Threading: a tls_ctx is shared read-only by many sessions; one
 * tls_conn is used by one thread at a time (posd: the loop thread).
 */
#ifndef POSD_TLS_H
#define POSD_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pos_errdetail;
struct tls_ctx;
struct tls_conn;

/* Loads a PEM certificate chain and its PEM private key. Returns POS_OK,
 * POS_ERR_NOMEM or POS_ERR_TLS (unreadable file, bad PEM, key not matching
 * the certificate; d->what names the file and OpenSSL's reason). */
int tls_ctx_new(const char *cert_path, const char *key_path, struct pos_errdetail *d,
                struct tls_ctx **out);
void tls_ctx_free(struct tls_ctx *ctx); /* NULL is a no-op */

/* A new server session on ctx (ctx must outlive it). Returns POS_OK,
 * POS_ERR_NOMEM or POS_ERR_TLS. */
int tls_conn_new(struct tls_ctx *ctx, struct tls_conn **out);
void tls_conn_free(struct tls_conn *c); /* NULL is a no-op */

/* Hands len bytes of ciphertext read from the peer to the session.
 * Returns POS_OK or POS_ERR_NOMEM. */
int tls_conn_feed(struct tls_conn *c, const uint8_t *in, size_t len);

/* Advances the handshake and decrypts into out (cap bytes). Returns POS_OK
 * with *n > 0 bytes of plaintext, POS_OK with *n == 0 when more input is
 * needed, POS_ERR_CLOSED when the peer sent close_notify, POS_ERR_TLS on a
 * fatal error (tls_conn_reason says why). Call again while it returns
 * *n > 0; send tls_conn_take's output after each call. */
int tls_conn_read(struct tls_conn *c, uint8_t *out, size_t cap, size_t *n);

/* true once the handshake has completed. */
bool tls_conn_is_established(const struct tls_conn *c);

/* Encrypts len bytes (len > 0, after the handshake). Returns POS_OK or
 * POS_ERR_TLS. The ciphertext waits for tls_conn_take. */
int tls_conn_write(struct tls_conn *c, const uint8_t *in, size_t len);

/* Queues a close_notify alert (best effort). */
void tls_conn_shutdown(struct tls_conn *c);

/* Bytes of ciphertext waiting to be sent. */
size_t tls_conn_pending(const struct tls_conn *c);

/* Moves up to cap pending ciphertext bytes into out; returns how many. */
size_t tls_conn_take(struct tls_conn *c, uint8_t *out, size_t cap);

/* The reason of the last POS_ERR_TLS ("" if none); valid until the next
 * call on c. Never holds key material. */
const char *tls_conn_reason(const struct tls_conn *c);

/* "TLSv1.3" once established, "" before. */
const char *tls_conn_version(const struct tls_conn *c);

#endif
