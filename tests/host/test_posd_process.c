/* The real posd binary (POSD_BIN): config file + flags, --port-file and
 * --ready-fd, echo over TCP on both default listeners, /healthz and
 * /metrics, SIGHUP log reopen, SIGTERM drain and exit 0, and the exit
 * codes of bad configurations. */
#include "testutil.h"

#include "nettest.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

static char tp_dir[64], tp_conf[128], tp_log[128], tp_ports[128], tp_pid[128];

static int tp_setup(void **state)
{
    (void)state;
    if (POSD_BIN[0] == '\0')
        return 0;
    nt_tempdir(tp_dir, sizeof(tp_dir));
    snprintf(tp_conf, sizeof(tp_conf), "%s/posd.conf", tp_dir);
    snprintf(tp_log, sizeof(tp_log), "%s/posd.log", tp_dir);
    snprintf(tp_ports, sizeof(tp_ports), "%s/ports", tp_dir);
    snprintf(tp_pid, sizeof(tp_pid), "%s/posd.pid", tp_dir);
    return 0;
}

static int tp_teardown(void **state)
{
    char cmd[160];

    (void)state;
    if (tp_dir[0] == '\0')
        return 0;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tp_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void tp_write_conf(const char *extra)
{
    FILE *f = fopen(tp_conf, "w");

    assert_non_null(f);
    fprintf(f,
            "[posd]\nworkers = 2\ndrain_timeout = 5s\npid_file = %s\n"
            "[http]\nport = 0\n"
            "[log]\nfile = %s\nlevel = info\n"
            "[listener cup]\nport = 0\n"
            "[listener iso87b]\nport = 0\ndialect = iso87b\nkey_scheme = dukpt\n%s",
            tp_pid, tp_log, extra);
    fclose(f);
}

/* Starts posd with args; its stdout and stderr go to *out (a pipe). An
 * extra descriptor keep_fd (>= 0) stays open in the child. */
static pid_t tp_spawn(char *const args[], int *out, int keep_fd)
{
    int p[2];
    pid_t pid;

    assert_int_equal(pipe(p), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(p[1], STDOUT_FILENO);
        dup2(p[1], STDERR_FILENO);
        close(p[0]);
        close(p[1]);
        if (keep_fd >= 0)
            fcntl(keep_fd, F_SETFD, 0);
        execv(POSD_BIN, args);
        _exit(127);
    }
    close(p[1]);
    *out = p[0];
    return pid;
}

/* Waits up to ms for pid; its exit status, or -1 (killed) on timeout. */
static int tp_wait(pid_t pid, long ms)
{
    uint64_t end = nt_now_ms() + (uint64_t)ms;
    int status = 0;

    for (;;) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (nt_now_ms() > end) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        nt_sleep_ms(10);
    }
}

static char *tp_drain(int fd)
{
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap + 1);
    ssize_t r;

    assert_non_null(buf);
    while ((r = read(fd, buf + len, cap - len)) > 0)
        len += (size_t)r;
    buf[len] = '\0';
    close(fd);
    return buf;
}

/* The port of NAME in the ports text ("NAME=127.0.0.1:PORT" lines). */
static uint16_t tp_port(const char *text, const char *name)
{
    char key[40];
    const char *p;

    snprintf(key, sizeof(key), "%s=127.0.0.1:", name);
    p = strstr(text, key);
    assert_non_null(p);
    return (uint16_t)strtoul(p + strlen(key), NULL, 10);
}

static char *tp_http_get(uint16_t port, const char *path)
{
    char req[128];
    int fd = nt_connect(port), k;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap + 1);
    ssize_t r;

    assert_non_null(buf);
    k = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path);
    nt_send_all(fd, req, (size_t)k);
    while ((r = recv(fd, buf + len, cap - len, 0)) > 0)
        len += (size_t)r;
    buf[len] = '\0';
    close(fd);
    return buf;
}

static void test_lifecycle(void **state)
{
    char *args[] = {(char *)"posd", (char *)"--app", (char *)"echo", (char *)"--config", tp_conf,
                    (char *)"--port-file", tp_ports,           NULL};
    char rotated[160], msg[16], *ports, *r, *out;
    uint8_t got[32];
    uint16_t cup, iso, http;
    int out_fd, fd, i;
    pid_t pid;

    (void)state;
    if (POSD_BIN[0] == '\0')
        skip();
    tp_write_conf("");
    pid = tp_spawn(args, &out_fd, -1);
    assert_true(nt_file_has(tp_ports, "http=", 20000));
    ports = nt_read_file(tp_ports);
    cup = tp_port(ports, "cup");
    iso = tp_port(ports, "iso87b");
    http = tp_port(ports, "http");
    free(ports);
    assert_true(nt_file_has(tp_pid, "\n", 1000));
    assert_true(nt_file_has(tp_log, "event=ready", 1000));
    /* Echo on both listeners. */
    fd = nt_connect(cup);
    for (i = 0; i < 10; i++) {
        snprintf(msg, sizeof(msg), "m%02d", i);
        nt_send_frame(fd, msg, 3);
        assert_int_equal(nt_recv_frame(fd, got, sizeof(got)), 3);
        assert_buf_equal(got, 3, msg, 3);
    }
    close(fd);
    fd = nt_connect(iso);
    nt_send_frame(fd, "iso", 3);
    assert_int_equal(nt_recv_frame(fd, got, sizeof(got)), 3);
    close(fd);
    /* HTTP. */
    r = tp_http_get(http, "/healthz");
    assert_int_equal(strncmp(r, "HTTP/1.1 200", 12), 0);
    assert_non_null(strstr(r, "{\"status\":\"ok\"}"));
    free(r);
    r = tp_http_get(http, "/metrics");
    assert_int_equal(strncmp(r, "HTTP/1.1 200", 12), 0);
    assert_non_null(strstr(r, "Content-Type: text/plain; version=0.0.4"));
    assert_non_null(strstr(r, "# HELP posd_frames_received_total "));
    assert_non_null(strstr(r, "# TYPE posd_frames_received_total counter\n"
                              "posd_frames_received_total 11\n"));
    assert_non_null(strstr(r, "posd_connections_accepted_total 2\n"));
    assert_non_null(strstr(r, "# TYPE posd_request_duration_seconds histogram\n"));
    free(r);
    r = tp_http_get(http, "/admin");
    assert_int_equal(strncmp(r, "HTTP/1.1 404", 12), 0);
    free(r);
    /* SIGHUP after logrotate's rename: a new file at the old path. */
    snprintf(rotated, sizeof(rotated), "%s.1", tp_log);
    assert_int_equal(rename(tp_log, rotated), 0);
    assert_int_equal(kill(pid, SIGHUP), 0);
    assert_true(nt_file_has(tp_log, "event=log_reopened", 5000));
    assert_false(nt_file_has(rotated, "event=log_reopened", 0));
    /* SIGTERM with a frame in flight: the answer still comes, then EOF. */
    fd = nt_connect(cup);
    nt_send_frame(fd, "last", 4);
    nt_sleep_ms(20);
    assert_int_equal(kill(pid, SIGTERM), 0);
    assert_int_equal(nt_recv_frame(fd, got, sizeof(got)), 4);
    assert_buf_equal(got, 4, "last", 4);
    assert_true(nt_wait_eof(fd));
    close(fd);
    assert_int_equal(tp_wait(pid, 20000), 0);
    out = tp_drain(out_fd);
    assert_string_equal(out, ""); /* everything went to the log file */
    free(out);
    assert_int_equal(access(tp_pid, F_OK), -1); /* removed */
    assert_true(nt_file_has(tp_log, "event=shutdown signal=TERM", 0));
    assert_true(nt_file_has(tp_log, "event=drained", 0));
    assert_true(nt_file_has(tp_log, "event=exit status=0", 0));
}

static void test_ready_fd_and_flags(void **state)
{
    char fdarg[8], *ports, *out;
    char *args[] = {(char *)"posd", (char *)"--app", (char *)"echo",
                    (char *)"--listen",
                    (char *)"name=cup,port=0",
                    (char *)"--listen",
                    (char *)"name=iso87b,enabled=no",
                    (char *)"--http",
                    (char *)"off",
                    (char *)"--ready-fd",
                    fdarg,
                    (char *)"--log-level",
                    (char *)"warn",
                    NULL};
    uint8_t got[8];
    int p[2], out_fd, fd;
    pid_t pid;

    (void)state;
    if (POSD_BIN[0] == '\0')
        skip();
    assert_int_equal(pipe(p), 0);
    snprintf(fdarg, sizeof(fdarg), "%d", p[1]);
    pid = tp_spawn(args, &out_fd, p[1]);
    close(p[1]);
    ports = tp_drain(p[0]); /* EOF once posd closes its end: ready */
    assert_non_null(strstr(ports, "cup=127.0.0.1:"));
    assert_null(strstr(ports, "iso87b="));
    assert_null(strstr(ports, "http="));
    fd = nt_connect(tp_port(ports, "cup"));
    free(ports);
    nt_send_frame(fd, "ok", 2);
    assert_int_equal(nt_recv_frame(fd, got, sizeof(got)), 2);
    close(fd);
    assert_int_equal(kill(pid, SIGINT), 0);
    assert_int_equal(tp_wait(pid, 20000), 0);
    out = tp_drain(out_fd);
    assert_string_equal(out, ""); /* level warn: nothing to say */
    free(out);
}

static int tp_run(char *const args[], char **out)
{
    int out_fd;
    pid_t pid = tp_spawn(args, &out_fd, -1);
    int rc = tp_wait(pid, 20000);

    *out = tp_drain(out_fd);
    return rc;
}

static void test_exit_codes(void **state)
{
    char *help[] = {(char *)"posd", (char *)"--help", NULL};
    char *bad_flag[] = {(char *)"posd", (char *)"--frobnicate", NULL};
    char *bad_conf[] = {(char *)"posd", (char *)"--config", tp_conf, NULL};
    char *check[] = {(char *)"posd", (char *)"--config", tp_conf, (char *)"--check-config", NULL};
    char spec[64];
    char *in_use[] = {(char *)"posd", (char *)"--app", (char *)"echo",
                      (char *)"--listen",
                      spec,
                      (char *)"--listen",
                      (char *)"name=iso87b,port=0",
                      (char *)"--http",
                      (char *)"off",
                      NULL};
    char want[300], *out;
    struct sockaddr_in sin;
    socklen_t sl = sizeof(sin);
    int blocker;

    (void)state;
    if (POSD_BIN[0] == '\0')
        skip();
    assert_int_equal(tp_run(help, &out), 0);
    assert_non_null(strstr(out, "usage: posd [options]"));
    free(out);
    assert_int_equal(tp_run(bad_flag, &out), 2);
    assert_string_equal(out, "posd: invalid configuration: unknown option '--frobnicate'\n");
    free(out);
    tp_write_conf("[listener bad]\nframing = 3be\n");
    assert_int_equal(tp_run(bad_conf, &out), 2);
    snprintf(want, sizeof(want),
             "posd: invalid configuration: %s:17: framing: '3be' is not 2be, 4be or 4ascii\n",
             tp_conf);
    assert_string_equal(out, want);
    free(out);
    tp_write_conf("");
    assert_int_equal(tp_run(check, &out), 0);
    assert_non_null(strstr(out, "[listener iso87b]\nenabled = yes\naddress = 127.0.0.1\n"
                                "port = 0\ndialect = \"iso87b\"\nkey_scheme = \"dukpt\"\n"));
    free(out);
    /* A port already taken: exit 1, said on stderr (no log file given). */
    blocker = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(blocker, (struct sockaddr *)&sin, sizeof(sin)), 0);
    assert_int_equal(listen(blocker, 1), 0);
    assert_int_equal(getsockname(blocker, (struct sockaddr *)&sin, &sl), 0);
    snprintf(spec, sizeof(spec), "name=cup,port=%u", (unsigned)ntohs(sin.sin_port));
    assert_int_equal(tp_run(in_use, &out), 1);
    assert_non_null(strstr(out, "level=error event=start_failed"));
    assert_non_null(strstr(out, "address already in use"));
    assert_non_null(strstr(out, "event=exit status=1"));
    free(out);
    close(blocker);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lifecycle, tp_setup, tp_teardown),
        cmocka_unit_test_setup_teardown(test_ready_fd_and_flags, tp_setup, tp_teardown),
        cmocka_unit_test_setup_teardown(test_exit_codes, tp_setup, tp_teardown),
    };

    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
