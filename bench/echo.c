/*
 * bench/echo: the transport ceiling of posd — 64 terminals on loopback, each
 * its own TCP connection, each sending a 64-byte frame (2-byte length
 * prefix) and waiting for the echo before sending the next (closed loop).
 * Runs the real posd (its placeholder echo app, answering from a worker
 * thread) and prints, as DESIGN.md §8 lines:
 *
 *   net.echo <N> msg/s
 *   net.echo.p50 <X> ms
 *   net.echo.p99 <X> ms
 *
 * posd is found through $POSD_BIN, else next to this program's build
 * directory (../posd). Options: [seconds] [connections].
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ECHO_MSG     64
#define ECHO_MAXCONN 1024
#define ECHO_HIST_US 200000 /* latency histogram: 1 us buckets up to 200 ms */

struct echo_conn {
    int fd;
    uint64_t sent_ns;
    size_t got;
    uint8_t buf[ECHO_MSG + 2];
};

static uint32_t echo_hist[ECHO_HIST_US + 1];

static uint64_t echo_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int echo_find_posd(char *out, size_t cap)
{
    const char *env = getenv("POSD_BIN");
    char self[PATH_MAX];
    ssize_t n;
    char *slash;

    if (env != NULL && env[0] != '\0') {
        snprintf(out, cap, "%s", env);
        return access(out, X_OK);
    }
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return -1;
    self[n] = '\0';
    slash = strrchr(self, '/');
    if (slash == NULL)
        return -1;
    *slash = '\0';
    if (strlen(self) + sizeof("/../posd") > cap)
        return -1;
    memcpy(out, self, strlen(self));
    memcpy(out + strlen(self), "/../posd", sizeof("/../posd"));
    return access(out, X_OK);
}

/* Starts posd on an ephemeral port and returns its pid; *port set. */
static pid_t echo_start_posd(const char *posd, uint16_t *port)
{
    char fdarg[16], buf[512];
    int p[2];
    size_t len = 0;
    ssize_t r;
    pid_t pid;
    char *at;

    if (pipe(p) != 0)
        return -1;
    snprintf(fdarg, sizeof(fdarg), "%d", p[1]);
    pid = fork();
    if (pid == 0) {
        close(p[0]);
        execl(posd, "posd", "--app", "echo", "--listen", "name=cup,port=0", "--listen", "name=iso87b,enabled=no",
              "--http", "off", "--log-level", "warn", "--ready-fd", fdarg, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    while (pid > 0 && len < sizeof(buf) - 1 &&
           (r = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0)
        len += (size_t)r;
    close(p[0]);
    buf[len] = '\0';
    at = strstr(buf, "cup=127.0.0.1:");
    if (at == NULL)
        return -1;
    *port = (uint16_t)strtoul(at + 14, NULL, 10);
    return pid;
}

static int echo_connect(uint16_t port)
{
    struct sockaddr_in sin;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
        return -1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

static int echo_send(struct echo_conn *c)
{
    uint8_t frame[ECHO_MSG + 2];

    frame[0] = 0;
    frame[1] = ECHO_MSG;
    memset(frame + 2, 'e', ECHO_MSG);
    c->sent_ns = echo_now_ns();
    c->got = 0;
    /* 66 bytes always fit an empty socket buffer. */
    return send(c->fd, frame, sizeof(frame), MSG_NOSIGNAL) == (ssize_t)sizeof(frame) ? 0 : -1;
}

static double echo_percentile(uint64_t total, double q)
{
    uint64_t want = (uint64_t)((double)total * q), seen = 0;
    size_t i;

    for (i = 0; i <= ECHO_HIST_US; i++) {
        seen += echo_hist[i];
        if (seen > want)
            return (double)i / 1000.0;
    }
    return (double)ECHO_HIST_US / 1000.0;
}

int main(int argc, char **argv)
{
    static struct echo_conn conns[ECHO_MAXCONN];
    struct epoll_event ev, evs[256];
    char posd[PATH_MAX];
    double secs = argc > 1 ? strtod(argv[1], NULL) : 3.0;
    int nconn = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 64;
    uint64_t start, warm_end, end, now, done = 0, lat;
    uint16_t port = 0;
    int ep, i, k, status, rc = 0;
    pid_t pid;

    if (secs <= 0 || nconn < 1 || nconn > ECHO_MAXCONN) {
        fprintf(stderr, "usage: bench-echo [seconds] [connections 1..%d]\n", ECHO_MAXCONN);
        return 2;
    }
    if (echo_find_posd(posd, sizeof(posd)) != 0) {
        fprintf(stderr, "bench-echo: posd not found (build it, or set POSD_BIN); skipped\n");
        return 0;
    }
    pid = echo_start_posd(posd, &port);
    if (pid <= 0) {
        fprintf(stderr, "bench-echo: posd did not start\n");
        return 1;
    }
    ep = epoll_create1(0);
    for (i = 0; i < nconn; i++) {
        conns[i].fd = echo_connect(port);
        if (conns[i].fd < 0) {
            fprintf(stderr, "bench-echo: connect: %s\n", strerror(errno));
            rc = 1;
            goto out;
        }
        ev.events = EPOLLIN;
        ev.data.ptr = &conns[i];
        epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
    }
    start = echo_now_ns();
    warm_end = start + 500000000u;
    end = warm_end + (uint64_t)(secs * 1e9);
    for (i = 0; i < nconn; i++)
        echo_send(&conns[i]);
    for (now = start; now < end;) {
        int n = epoll_wait(ep, evs, 256, 100);
        now = echo_now_ns();
        for (k = 0; k < n; k++) {
            struct echo_conn *c = evs[k].data.ptr;
            ssize_t r = recv(c->fd, c->buf + c->got, sizeof(c->buf) - c->got, 0);
            if (r <= 0) {
                if (r < 0 && errno == EAGAIN)
                    continue;
                fprintf(stderr, "bench-echo: connection lost\n");
                rc = 1;
                goto out;
            }
            c->got += (size_t)r;
            if (c->got < sizeof(c->buf))
                continue;
            if (now >= warm_end) {
                lat = (now - c->sent_ns) / 1000u;
                echo_hist[lat > ECHO_HIST_US ? ECHO_HIST_US : lat]++;
                done++;
            }
            echo_send(c);
        }
    }
    printf("net.echo %.0f msg/s\n", (double)done / secs);
    printf("net.echo.p50 %.3f ms\n", echo_percentile(done, 0.50));
    printf("net.echo.p99 %.3f ms\n", echo_percentile(done, 0.99));
out:
    for (i = 0; i < nconn; i++)
        if (conns[i].fd > 0)
            close(conns[i].fd);
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench-echo: posd exited with status %d\n", status);
        rc = 1;
    }
    return rc;
}
