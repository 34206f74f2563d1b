/* log: logfmt lines to stderr or a reopenable file (see log.h). */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"

#define LOG_PATH_MAX 1024

/* The one process-wide log. fd -1 means stderr. */
static struct {
    pthread_mutex_t mu;
    int fd;
    char path[LOG_PATH_MAX];
    atomic_int min;
} log_state = {PTHREAD_MUTEX_INITIALIZER, -1, "", LOG_LEVEL_INFO};

static const char *const log_names[] = {"debug", "info", "warn", "error"};

const char *log_level_name(enum log_level level)
{
    if ((unsigned)level > LOG_LEVEL_ERROR)
        return "unknown";
    return log_names[level];
}

int log_level_parse(const char *s, enum log_level *out)
{
    size_t i;

    if (s == NULL)
        return POS_ERR_INVAL;
    for (i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++) {
        if (strcmp(s, log_names[i]) == 0) {
            *out = (enum log_level)i;
            return POS_OK;
        }
    }
    if (strcmp(s, "warning") == 0) {
        *out = LOG_LEVEL_WARN;
        return POS_OK;
    }
    return POS_ERR_INVAL;
}

void log_set_level(enum log_level min)
{
    atomic_store(&log_state.min, (int)min);
}

bool log_enabled(enum log_level level)
{
    return (int)level >= atomic_load(&log_state.min);
}

static int log_open_fd(const char *path)
{
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

int log_open(const char *path, enum log_level min)
{
    int fd = -1, old;

    if (path != NULL && strlen(path) >= LOG_PATH_MAX)
        return POS_ERR_INVAL;
    if (path != NULL && path[0] != '\0' && strcmp(path, "-") != 0) {
        fd = log_open_fd(path);
        if (fd < 0)
            return POS_ERR_IO;
    }
    pthread_mutex_lock(&log_state.mu);
    old = log_state.fd;
    log_state.fd = fd;
    if (fd >= 0)
        snprintf(log_state.path, sizeof(log_state.path), "%s", path);
    else
        log_state.path[0] = '\0';
    pthread_mutex_unlock(&log_state.mu);
    if (old >= 0)
        close(old);
    log_set_level(min);
    return POS_OK;
}

int log_reopen(void)
{
    char path[LOG_PATH_MAX];
    int fd, old, err;

    pthread_mutex_lock(&log_state.mu);
    snprintf(path, sizeof(path), "%s", log_state.path);
    pthread_mutex_unlock(&log_state.mu);
    if (path[0] == '\0')
        return POS_OK;
    fd = log_open_fd(path);
    if (fd < 0) {
        err = errno;
        log_event(LOG_LEVEL_ERROR, "log_reopen_failed", "errno=%d", err);
        return POS_ERR_IO;
    }
    pthread_mutex_lock(&log_state.mu);
    old = log_state.fd;
    log_state.fd = fd;
    pthread_mutex_unlock(&log_state.mu);
    if (old >= 0)
        close(old);
    return POS_OK;
}

void log_close(void)
{
    int old;

    pthread_mutex_lock(&log_state.mu);
    old = log_state.fd;
    log_state.fd = -1;
    log_state.path[0] = '\0';
    pthread_mutex_unlock(&log_state.mu);
    if (old >= 0)
        close(old);
}

/* Appends the time as RFC 3339 UTC with milliseconds. */
static size_t log_put_time(char *buf, size_t cap)
{
    struct timespec ts;
    struct tm tm;
    size_t n;
    int k;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(buf, cap, "ts=%Y-%m-%dT%H:%M:%S", &tm);
    k = snprintf(buf + n, cap - n, ".%03ldZ", ts.tv_nsec / 1000000L);
    return (k > 0 && (size_t)k < cap - n) ? n + (size_t)k : n;
}

/* Rewrites control characters in line[from..*len) as \xNN, in place
 * (working from a copy), so one event is always one line. */
static void log_escape(char *line, size_t from, size_t *len, size_t cap)
{
    char tmp[LOG_LINE_MAX];
    size_t i, n = 0, src_len = *len - from;

    memcpy(tmp, line + from, src_len);
    for (i = 0; i < src_len && from + n < cap; i++) {
        unsigned char ch = (unsigned char)tmp[i];
        if (ch < 0x20 || ch == 0x7f) {
            if (4 > cap - from - n)
                break;
            snprintf(line + from + n, 5, "\\x%02X", ch);
            n += 4;
        } else {
            line[from + n++] = (char)ch;
        }
    }
    *len = from + n;
}

static void log_write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

void log_event(enum log_level level, const char *event, const char *fmt, ...)
{
    static const char cut[] = " truncated=1";
    char line[LOG_LINE_MAX];
    size_t len, start, body_cap = sizeof(line) - sizeof(cut);
    va_list ap;
    int k, fd;

    if (!log_enabled(level))
        return;
    len = log_put_time(line, body_cap);
    k = snprintf(line + len, body_cap - len, " level=%s event=%s", log_level_name(level),
                 event != NULL ? event : "none");
    len = (k < 0 || (size_t)k >= body_cap - len) ? body_cap - 1 : len + (size_t)k;
    start = len;
    if (fmt != NULL && fmt[0] != '\0' && len + 1 < body_cap) {
        line[len++] = ' ';
        va_start(ap, fmt);
        k = vsnprintf(line + len, body_cap - len, fmt, ap);
        va_end(ap);
        if (k < 0)
            k = 0;
        len = ((size_t)k >= body_cap - len) ? body_cap - 1 : len + (size_t)k;
        log_escape(line, start, &len, body_cap - 1);
        if ((size_t)k >= body_cap - start - 1) {
            memcpy(line + len, cut, sizeof(cut) - 1);
            len += sizeof(cut) - 1;
        }
    }
    line[len++] = '\n';
    pthread_mutex_lock(&log_state.mu);
    fd = log_state.fd >= 0 ? log_state.fd : STDERR_FILENO;
    log_write_all(fd, line, len);
    pthread_mutex_unlock(&log_state.mu);
}

const char *log_quote(char *buf, size_t cap, const char *s)
{
    size_t i, n = 0;
    bool plain = s[0] != '\0';

    for (i = 0; s[i] != '\0' && plain; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch <= ' ' || ch == '"' || ch == '=' || ch == '\\' || ch == 0x7f)
            plain = false;
    }
    if (plain) {
        snprintf(buf, cap, "%s", s);
        return buf;
    }
    buf[n++] = '"';
    for (i = 0; s[i] != '\0'; i++) {
        bool esc = s[i] == '"' || s[i] == '\\';
        /* room for this character, the closing quote and the NUL */
        if (n + (esc ? 2 : 1) + 2 > cap)
            break;
        if (esc)
            buf[n++] = '\\';
        buf[n++] = s[i];
    }
    buf[n++] = '"';
    buf[n] = '\0';
    return buf;
}
