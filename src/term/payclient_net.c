/*
 * payclient_net: the terminal's side of the wire (docs/protocol.md
 * "Framing"): one TCP connection to the host, each message preceded by its
 * length as 2 bytes big-endian; a connect timeout and an answer timeout
 * (pay.timeout_ms); reconnect with a doubling back-off.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "term/payclient_int.h"

static int64_t pn_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void payclient__when(char out[11])
{
    time_t now = time(NULL);
    struct tm tm;

    localtime_r(&now, &tm);
    snprintf(out, 11, "%02u%02u%02u%02u%02u", (unsigned)(tm.tm_mon + 1) % 100u,
             (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
             (unsigned)tm.tm_sec % 100u);
}

void payclient__disconnect(struct payclient *pc)
{
    if (pc->fd >= 0)
        close(pc->fd);
    pc->fd = -1;
}

/* One non-blocking connect to ai with the session timeout. */
static int pn_dial(const struct addrinfo *ai, int timeout_ms)
{
    struct pollfd p;
    socklen_t sl = sizeof(int);
    int fd, err = 0, fl;

    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0)
        return -1;
    fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        goto fail;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS)
            goto fail;
        p.fd = fd;
        p.events = POLLOUT;
        p.revents = 0;
        if (poll(&p, 1, timeout_ms) != 1)
            goto fail;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) != 0 || err != 0)
            goto fail;
    }
    return fd;
fail:
    close(fd);
    return -1;
}

int payclient__connect(struct payclient *pc)
{
    struct addrinfo hints, *res = NULL, *ai;
    char host[PAYCLIENT_HOST_MAX + 1];
    char *colon;
    useconds_t backoff = 100000;
    int attempt, rc = POS_ERR_IO;

    if (pc->fd >= 0)
        return POS_OK;
    snprintf(host, sizeof(host), "%s", pc->id.host);
    colon = strrchr(host, ':');
    if (colon == NULL)
        return POS_ERR_CONFIG;
    *colon = '\0';
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, colon + 1, &hints, &res) != 0)
        return POS_ERR_IO;
    for (attempt = 0; attempt < PAYCLIENT_RECONNECTS && pc->fd < 0; attempt++) {
        if (attempt > 0) {
            usleep(backoff);
            backoff *= 2;
        }
        for (ai = res; ai != NULL && pc->fd < 0; ai = ai->ai_next)
            pc->fd = pn_dial(ai, pc->timeout_ms);
    }
    if (pc->fd >= 0)
        rc = POS_OK;
    freeaddrinfo(res);
    return rc;
}

static bool pn_send_all(int fd, const uint8_t *b, size_t n)
{
    ssize_t w;

    while (n > 0) {
        w = send(fd, b, n, MSG_NOSIGNAL);
        if (w < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = {fd, POLLOUT, 0};

            if (poll(&p, 1, 1000) < 0 && errno != EINTR)
                return false;
            continue;
        }
        if (w <= 0)
            return false;
        b += w;
        n -= (size_t)w;
    }
    return true;
}

/* Reads exactly n bytes before the deadline (monotonic ms). */
static bool pn_recv_all(int fd, uint8_t *b, size_t n, int64_t deadline)
{
    struct pollfd p;
    int64_t left;
    ssize_t r;

    while (n > 0) {
        left = deadline - pn_now_ms();
        if (left <= 0)
            return false;
        p.fd = fd;
        p.events = POLLIN;
        p.revents = 0;
        if (poll(&p, 1, (int)left) <= 0)
            continue;
        r = recv(fd, b, n, 0);
        if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        if (r <= 0)
            return false;
        b += r;
        n -= (size_t)r;
    }
    return true;
}

enum payclient_outcome payclient__exchange(struct payclient *pc, const uint8_t *msg, size_t len,
                                           const struct posmsg_sent *sent,
                                           struct posmsg_reply *r)
{
    uint8_t hdr[2], buf[POSMSG_MAX];
    int64_t deadline;
    size_t n;
    int rc;

    if (payclient__connect(pc) != POS_OK)
        return PAYCLIENT_UNREACHABLE;
    hdr[0] = (uint8_t)(len >> 8);
    hdr[1] = (uint8_t)len;
    if (len > 0xFFFF || !pn_send_all(pc->fd, hdr, 2) || !pn_send_all(pc->fd, msg, len)) {
        /* maybe part of it left: the host may have it */
        payclient__disconnect(pc);
        return PAYCLIENT_LOST;
    }
    deadline = pn_now_ms() + pc->timeout_ms;
    for (;;) {
        if (!pn_recv_all(pc->fd, hdr, 2, deadline))
            break;
        n = (size_t)hdr[0] << 8 | hdr[1];
        if (n > sizeof(buf) || !pn_recv_all(pc->fd, buf, n, deadline))
            break;
        rc = posmsg_reply_check(&pc->t, sent, buf, n, r, NULL);
        pos_wipe(buf, n);
        if (rc == POS_OK)
            return PAYCLIENT_ANSWERED;
        if (rc == POS_ERR_MAC_MISMATCH)
            break; /* treated as never received: reverse */
        /* another request's late answer or garbage: keep reading */
    }
    payclient__disconnect(pc);
    return PAYCLIENT_LOST;
}
