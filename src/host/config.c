/* config: defaults, the INI-like file and the command line (see config.h). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <string.h>

#include "error.h"
#include "hex.h"
#include "mem.h"

#define CONFIG_LINE_MAX 4096

/* Where a value came from, for messages: a file and line, or a flag. */
struct config_src {
    const char *file;
    unsigned line;
    const char *flag;
    struct pos_errdetail *d;
};

__attribute__((format(printf, 2, 3))) static int config_fail(const struct config_src *x,
                                                             const char *fmt, ...)
{
    char msg[112];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (x->flag != NULL)
        return pos_errdetail_set(x->d, POS_ERR_CONFIG, -1, POS_NO_OFFSET, "%s: %s", x->flag, msg);
    return pos_errdetail_set(x->d, POS_ERR_CONFIG, -1, POS_NO_OFFSET, "%s:%u: %s", x->file, x->line,
                             msg);
}

static void config_default_listener(struct config_listener *l, const char *name, uint16_t port,
                                    const char *scheme)
{
    net_listener_config_init(&l->net, name);
    l->net.port = port;
    snprintf(l->net.key_scheme, sizeof(l->net.key_scheme), "%s", scheme);
    l->enabled = true;
}

void config_init(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    config_default_listener(&cfg->listeners[0], "cup", 5800, "master_session");
    config_default_listener(&cfg->listeners[1], "iso87b", 5801, "dukpt");
    cfg->nlisteners = 2;
    net_options_init(&cfg->net);
    cfg->queue_max = 65536;
    cfg->drain_ms = 10000;
    cfg->http_enabled = true;
    snprintf(cfg->http_address, sizeof(cfg->http_address), "127.0.0.1");
    cfg->http_port = 8080;
    cfg->http_max_body = 1u << 20;
    snprintf(cfg->db_url, sizeof(cfg->db_url), "posd.db");
    cfg->db_sync_pipelined = true;
    cfg->test_drop_stan = -1;
    snprintf(cfg->app, sizeof(cfg->app), "iso8583");
    cfg->log_level = LOG_LEVEL_INFO;
    cfg->ready_fd = -1;
}

/* --- value parsers --- */

static int config_u64(const struct config_src *x, const char *key, const char *v, uint64_t min,
                      uint64_t max, uint64_t *out)
{
    size_t len = strlen(v);

    if (len == 0 || len > 18 || !pos_is_digits(v, len) ||
        pos_parse_digits_u64(v, len, out) != POS_OK || *out < min || *out > max)
        return config_fail(x, "%s: '%.32s' is not a number in %llu..%llu", key, v,
                           (unsigned long long)min, (unsigned long long)max);
    return POS_OK;
}

static int config_duration(const struct config_src *x, const char *key, const char *v, uint64_t *ms)
{
    static const struct {
        const char *unit;
        uint64_t mul;
    } units[] = {{"", 1000}, {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
    size_t i, nd = 0;
    uint64_t n = 0;

    while (v[nd] >= '0' && v[nd] <= '9')
        nd++;
    for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(v + nd, units[i].unit) != 0)
            continue;
        if (nd == 0 || nd > 9 || pos_parse_digits_u64(v, nd, &n) != POS_OK)
            break;
        *ms = n * units[i].mul; /* n < 1e9, mul <= 3.6e6: no overflow */
        return POS_OK;
    }
    return config_fail(x, "%s: '%.32s' is not a duration (e.g. 30s, 500ms, 5m)", key, v);
}

static int config_bool(const struct config_src *x, const char *key, const char *v, bool *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    size_t i;

    for (i = 0; i < 4; i++) {
        if (strcmp(v, yes[i]) == 0 || strcmp(v, no[i]) == 0) {
            *out = strcmp(v, yes[i]) == 0;
            return POS_OK;
        }
    }
    return config_fail(x, "%s: '%.32s' is not yes or no", key, v);
}

static int config_str(const struct config_src *x, const char *key, const char *v, char *dst,
                      size_t cap)
{
    if (strlen(v) >= cap)
        return config_fail(x, "%s: longer than %zu bytes", key, cap - 1);
    memcpy(dst, v, strlen(v) + 1);
    return POS_OK;
}

static int config_ip(const struct config_src *x, const char *key, const char *v, char *dst,
                     size_t cap)
{
    unsigned char tmp[sizeof(struct in6_addr)];

    if (inet_pton(AF_INET, v, tmp) != 1 && inet_pton(AF_INET6, v, tmp) != 1)
        return config_fail(x, "%s: '%.48s' is not a numeric IPv4 or IPv6 address", key, v);
    return config_str(x, key, v, dst, cap);
}

static int config_port(const struct config_src *x, const char *key, const char *v, uint16_t *port)
{
    uint64_t n = 0;
    int rc = config_u64(x, key, v, 0, 65535, &n);

    *port = (uint16_t)n;
    return rc;
}

/* "1.2.3.4:80" or "[::1]:80" -> address and port. */
static int config_hostport(const struct config_src *x, const char *key, const char *v, char *addr,
                           size_t cap, uint16_t *port)
{
    char host[NET_ADDR_MAX];
    const char *colon, *h = v;
    size_t hlen;

    if (v[0] == '[') {
        colon = strstr(v, "]:");
        h = v + 1;
        hlen = colon != NULL ? (size_t)(colon - h) : 0;
        colon = colon != NULL ? colon + 1 : NULL;
    } else {
        colon = strrchr(v, ':');
        hlen = colon != NULL ? (size_t)(colon - v) : 0;
    }
    if (colon == NULL || hlen == 0 || hlen >= sizeof(host))
        return config_fail(x, "%s: '%.48s' is not HOST:PORT", key, v);
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    if (config_ip(x, key, host, addr, cap) != POS_OK)
        return POS_ERR_CONFIG;
    return config_port(x, key, colon + 1, port);
}

/* --- sections --- */

static int config_listener_key(const struct config_src *x, struct config_listener *l,
                               const char *key, const char *v)
{
    struct net_listener_config *n = &l->net;
    uint64_t u = 0;
    int rc;

    if (strcmp(key, "address") == 0)
        return config_ip(x, key, v, n->address, sizeof(n->address));
    if (strcmp(key, "addr") == 0)
        return config_hostport(x, key, v, n->address, sizeof(n->address), &n->port);
    if (strcmp(key, "port") == 0)
        return config_port(x, key, v, &n->port);
    if (strcmp(key, "dialect") == 0)
        return config_str(x, key, v, n->dialect, sizeof(n->dialect));
    if (strcmp(key, "key_scheme") == 0)
        return config_str(x, key, v, n->key_scheme, sizeof(n->key_scheme));
    if (strcmp(key, "tls_cert") == 0)
        return config_str(x, key, v, n->tls_cert, sizeof(n->tls_cert));
    if (strcmp(key, "tls_key") == 0)
        return config_str(x, key, v, n->tls_key, sizeof(n->tls_key));
    if (strcmp(key, "enabled") == 0)
        return config_bool(x, key, v, &l->enabled);
    if (strcmp(key, "framing") == 0) {
        if (frame_kind_parse(v, &n->framing) != POS_OK)
            return config_fail(x, "framing: '%.32s' is not 2be, 4be or 4ascii", v);
        if (n->max_frame > frame_kind_max(n->framing))
            n->max_frame = frame_kind_max(n->framing);
        return POS_OK;
    }
    if (strcmp(key, "max_frame") == 0) {
        rc = config_u64(x, key, v, 1,
                        frame_kind_max(n->framing) < (64u << 20) ? frame_kind_max(n->framing)
                                                                 : (64u << 20),
                        &u);
        n->max_frame = (size_t)u;
        return rc;
    }
    return config_fail(x, "unknown key '%.32s' in [listener %s]", key, n->name);
}

static int config_posd_key(const struct config_src *x, struct config *cfg, const char *key,
                           const char *v)
{
    uint64_t u = 0;
    int rc = POS_OK;

    if (strcmp(key, "workers") == 0) {
        rc = config_u64(x, key, v, 0, 256, &u);
        cfg->workers = (unsigned)u;
    } else if (strcmp(key, "queue") == 0) {
        rc = config_u64(x, key, v, 1, 1u << 20, &u);
        cfg->queue_max = (size_t)u;
    } else if (strcmp(key, "idle_timeout") == 0) {
        rc = config_duration(x, key, v, &cfg->net.idle_timeout_ms);
    } else if (strcmp(key, "drain_timeout") == 0) {
        rc = config_duration(x, key, v, &cfg->drain_ms);
    } else if (strcmp(key, "max_connections") == 0) {
        rc = config_u64(x, key, v, 1, 1000000, &u);
        cfg->net.max_connections = (size_t)u;
    } else if (strcmp(key, "max_unsent") == 0) {
        rc = config_u64(x, key, v, 1024, 1u << 30, &u);
        cfg->net.max_unsent = (size_t)u;
    } else if (strcmp(key, "backlog") == 0) {
        rc = config_u64(x, key, v, 1, 65535, &u);
        cfg->net.backlog = (int)u;
    } else if (strcmp(key, "pid_file") == 0) {
        rc = config_str(x, key, v, cfg->pid_file, sizeof(cfg->pid_file));
    } else if (strcmp(key, "port_file") == 0) {
        rc = config_str(x, key, v, cfg->port_file, sizeof(cfg->port_file));
    } else if (strcmp(key, "lmk_file") == 0) {
        rc = config_str(x, key, v, cfg->lmk_file, sizeof(cfg->lmk_file));
    } else if (strcmp(key, "app") == 0) {
        rc = config_str(x, key, v, cfg->app, sizeof(cfg->app));
        if (rc == POS_OK && strcmp(cfg->app, "iso8583") != 0 && strcmp(cfg->app, "echo") != 0)
            rc = config_fail(x, "app must be iso8583 or echo");
    } else {
        rc = config_fail(x, "unknown key '%.32s' in [posd]", key);
    }
    return rc;
}

static int config_http_key(const struct config_src *x, struct config *cfg, const char *key,
                           const char *v)
{
    uint64_t u = 0;
    int rc;

    if (strcmp(key, "address") == 0)
        return config_ip(x, key, v, cfg->http_address, sizeof(cfg->http_address));
    if (strcmp(key, "port") == 0)
        return config_port(x, key, v, &cfg->http_port);
    if (strcmp(key, "enabled") == 0)
        return config_bool(x, key, v, &cfg->http_enabled);
    if (strcmp(key, "max_body") == 0) {
        rc = config_u64(x, key, v, 0, 64u << 20, &u);
        cfg->http_max_body = (size_t)u;
        return rc;
    }
    return config_fail(x, "unknown key '%.32s' in [http]", key);
}

static int config_log_key(const struct config_src *x, struct config *cfg, const char *key,
                          const char *v)
{
    if (strcmp(key, "file") == 0)
        return config_str(x, key, v, cfg->log_file, sizeof(cfg->log_file));
    if (strcmp(key, "level") == 0) {
        if (log_level_parse(v, &cfg->log_level) != POS_OK)
            return config_fail(x, "level: '%.32s' is not debug, info, warn or error", v);
        return POS_OK;
    }
    return config_fail(x, "unknown key '%.32s' in [log]", key);
}

/* The listener named name, created (with defaults) if absent. */
static int config_listener_get(const struct config_src *x, struct config *cfg, const char *name,
                               struct config_listener **out)
{
    size_t i;

    for (i = 0; i < strlen(name); i++) {
        char ch = name[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-'))
            return config_fail(x, "listener name '%.32s': letters, digits, '_' or '-' only", name);
    }
    if (name[0] == '\0' || strlen(name) >= NET_NAME_MAX)
        return config_fail(x, "listener name must be 1..%d characters", NET_NAME_MAX - 1);
    for (i = 0; i < cfg->nlisteners; i++) {
        if (strcmp(cfg->listeners[i].net.name, name) == 0) {
            *out = &cfg->listeners[i];
            return POS_OK;
        }
    }
    if (cfg->nlisteners == NET_MAX_LISTENERS)
        return config_fail(x, "more than %d listeners", NET_MAX_LISTENERS);
    *out = &cfg->listeners[cfg->nlisteners++];
    config_default_listener(*out, name, 5800, "master_session");
    return POS_OK;
}

/* --- the file --- */

enum config_section { SEC_NONE, SEC_POSD, SEC_HTTP, SEC_DATABASE, SEC_LOG, SEC_LISTENER };

static char *config_trim(char *s)
{
    size_t n;

    while (*s == ' ' || *s == '\t')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static int config_section_line(const struct config_src *x, struct config *cfg, char *s,
                               enum config_section *sec, struct config_listener **lis)
{
    size_t n = strlen(s);
    char *name;

    if (s[n - 1] != ']')
        return config_fail(x, "section header without ']'");
    s[n - 1] = '\0';
    s = config_trim(s + 1);
    if (strncmp(s, "listener", 8) == 0 && (s[8] == ' ' || s[8] == '\t')) {
        name = config_trim(s + 8);
        if (!cfg->file_listeners) {
            cfg->file_listeners = true;
            cfg->nlisteners = 0; /* a file's listeners replace the defaults */
        }
        *sec = SEC_LISTENER;
        return config_listener_get(x, cfg, name, lis);
    }
    if (strcmp(s, "posd") == 0)
        *sec = SEC_POSD;
    else if (strcmp(s, "http") == 0)
        *sec = SEC_HTTP;
    else if (strcmp(s, "database") == 0)
        *sec = SEC_DATABASE;
    else if (strcmp(s, "log") == 0)
        *sec = SEC_LOG;
    else
        return config_fail(x, "unknown section [%.32s]", s);
    return POS_OK;
}

static int config_key_line(const struct config_src *x, struct config *cfg, char *s,
                           enum config_section sec, struct config_listener *lis)
{
    char *eq = strchr(s, '='), *key, *v;
    size_t vn;

    if (eq == NULL)
        return config_fail(x, "expected 'key = value' or '[section]'");
    *eq = '\0';
    key = config_trim(s);
    v = config_trim(eq + 1);
    vn = strlen(v);
    if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
        v[vn - 1] = '\0';
        v++;
    }
    if (key[0] == '\0')
        return config_fail(x, "missing key before '='");
    switch (sec) {
    case SEC_POSD:
        return config_posd_key(x, cfg, key, v);
    case SEC_HTTP:
        return config_http_key(x, cfg, key, v);
    case SEC_LOG:
        return config_log_key(x, cfg, key, v);
    case SEC_LISTENER:
        return config_listener_key(x, lis, key, v);
    case SEC_DATABASE:
        if (strcmp(key, "url") == 0)
            return config_str(x, key, v, cfg->db_url, sizeof(cfg->db_url));
        if (strcmp(key, "sync") == 0) {
            if (strcmp(v, "pipelined") == 0 || strcmp(v, "commit") == 0) {
                cfg->db_sync_pipelined = strcmp(v, "pipelined") == 0;
                return POS_OK;
            }
            return config_fail(x, "sync must be pipelined or commit");
        }
        return config_fail(x, "unknown key '%.32s' in [database]", key);
    default:
        return config_fail(x, "'%.32s' outside a section", key);
    }
}

int config_parse_text(struct config *cfg, const char *text, size_t len, const char *filename,
                      struct pos_errdetail *d)
{
    struct config_src x = {filename != NULL ? filename : "config", 0, NULL, d};
    enum config_section sec = SEC_NONE;
    struct config_listener *lis = NULL;
    char line[CONFIG_LINE_MAX];
    size_t off = 0, end, n;
    char *s;
    int rc = POS_OK;

    while (off < len && rc == POS_OK) {
        x.line++;
        end = off;
        while (end < len && text[end] != '\n')
            end++;
        n = end - off;
        if (n >= sizeof(line))
            return config_fail(&x, "line longer than %d bytes", CONFIG_LINE_MAX - 1);
        memcpy(line, text + off, n);
        line[n] = '\0';
        off = end < len ? end + 1 : end;
        if (strlen(line) != n)
            return config_fail(&x, "NUL byte in line");
        s = config_trim(line);
        if (s[0] == '\0' || s[0] == '#' || s[0] == ';')
            continue;
        if (s[0] == '[')
            rc = config_section_line(&x, cfg, s, &sec, &lis);
        else
            rc = config_key_line(&x, cfg, s, sec, lis);
    }
    return rc;
}

int config_load_file(struct config *cfg, const char *path, struct pos_errdetail *d)
{
    FILE *f = NULL;
    char *buf = NULL;
    size_t n = 0;
    int rc = POS_OK;

    f = fopen(path, "rb");
    if (f == NULL) {
        rc =
            pos_errdetail_set(d, POS_ERR_IO, -1, POS_NO_OFFSET, "%.80s: %s", path, strerror(errno));
        goto out;
    }
    buf = pos_malloc(CONFIG_TEXT_MAX + 1);
    if (buf == NULL) {
        rc = POS_ERR_NOMEM;
        goto out;
    }
    n = fread(buf, 1, CONFIG_TEXT_MAX + 1, f);
    if (ferror(f)) {
        rc = pos_errdetail_set(d, POS_ERR_IO, -1, POS_NO_OFFSET, "%.80s: read error", path);
        goto out;
    }
    if (n > CONFIG_TEXT_MAX) {
        rc = pos_errdetail_set(d, POS_ERR_CONFIG, -1, POS_NO_OFFSET, "%.80s: larger than %u bytes",
                               path, CONFIG_TEXT_MAX);
        goto out;
    }
    snprintf(cfg->config_file, sizeof(cfg->config_file), "%s", path);
    rc = config_parse_text(cfg, buf, n, path, d);
out:
    pos_free(buf);
    if (f != NULL)
        fclose(f);
    return rc;
}

/* --- the command line --- */

int config_parse_listen(struct config *cfg, const char *spec, struct pos_errdetail *d)
{
    struct config_src x = {NULL, 0, "--listen", d};
    struct config_listener *l = NULL;
    char buf[CONFIG_LINE_MAX], *item, *next, *eq;
    const char *name = NULL;
    int rc = POS_OK;

    if (strlen(spec) >= sizeof(buf))
        return config_fail(&x, "too long");
    snprintf(buf, sizeof(buf), "%s", spec);
    /* Find name= first: it picks the listener the other keys change. */
    for (item = buf; item != NULL; item = next) {
        next = strchr(item, ',');
        if (strncmp(item, "name=", 5) == 0) {
            name = item + 5;
            if (next != NULL)
                *next = '\0';
            rc = config_listener_get(&x, cfg, name, &l);
            if (next != NULL)
                *next = ',';
            if (rc != POS_OK)
                return rc;
        }
        next = next != NULL ? next + 1 : NULL;
    }
    if (l == NULL)
        return config_fail(&x, "'%.48s' has no name=", spec);
    for (item = buf; item != NULL && rc == POS_OK; item = next) {
        next = strchr(item, ',');
        if (next != NULL)
            *next++ = '\0';
        eq = strchr(item, '=');
        if (eq == NULL)
            return config_fail(&x, "'%.32s' is not key=value", item);
        *eq = '\0';
        if (strcmp(item, "name") != 0)
            rc = config_listener_key(&x, l, item, eq + 1);
    }
    return rc;
}

enum {
    OPT_CONFIG = 'c',
    OPT_HELP = 'h',
    OPT_DB = 256,
    OPT_HTTP,
    OPT_LISTEN,
    OPT_LOG_FILE,
    OPT_LOG_LEVEL,
    OPT_WORKERS,
    OPT_IDLE,
    OPT_MAXCONN,
    OPT_DRAIN,
    OPT_PID,
    OPT_LMK,
    OPT_APP,
    OPT_PORT_FILE,
    OPT_READY_FD,
    OPT_CHECK,
    OPT_SYNC,
    OPT_TEST_DROP
};

static const struct option config_opts[] = {
    {"config", required_argument, NULL, OPT_CONFIG},
    {"help", no_argument, NULL, OPT_HELP},
    {"db", required_argument, NULL, OPT_DB},
    {"http", required_argument, NULL, OPT_HTTP},
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"log-file", required_argument, NULL, OPT_LOG_FILE},
    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
    {"workers", required_argument, NULL, OPT_WORKERS},
    {"idle-timeout", required_argument, NULL, OPT_IDLE},
    {"max-connections", required_argument, NULL, OPT_MAXCONN},
    {"drain-timeout", required_argument, NULL, OPT_DRAIN},
    {"pid-file", required_argument, NULL, OPT_PID},
    {"lmk", required_argument, NULL, OPT_LMK},
    {"app", required_argument, NULL, OPT_APP},
    {"port-file", required_argument, NULL, OPT_PORT_FILE},
    {"ready-fd", required_argument, NULL, OPT_READY_FD},
    {"check-config", no_argument, NULL, OPT_CHECK},
    {"sync", required_argument, NULL, OPT_SYNC},
    {"test-drop-answer", required_argument, NULL, OPT_TEST_DROP},
    {NULL, 0, NULL, 0}};

static int config_flag(struct config *cfg, int opt, const char *arg, struct pos_errdetail *d)
{
    struct config_src x = {NULL, 0, NULL, d};
    char flag[40] = "--?";
    uint64_t u = 0;
    size_t i;
    int rc = POS_OK;

    for (i = 0; config_opts[i].name != NULL; i++)
        if (config_opts[i].val == opt)
            snprintf(flag, sizeof(flag), "--%s", config_opts[i].name);
    x.flag = flag;
    switch (opt) {
    case OPT_DB:
        rc = config_str(&x, "value", arg, cfg->db_url, sizeof(cfg->db_url));
        break;
    case OPT_HTTP:
        cfg->http_enabled = strcmp(arg, "off") != 0;
        if (cfg->http_enabled)
            rc = config_hostport(&x, "value", arg, cfg->http_address, sizeof(cfg->http_address),
                                 &cfg->http_port);
        break;
    case OPT_LISTEN:
        rc = config_parse_listen(cfg, arg, d);
        break;
    case OPT_LOG_FILE:
        rc = config_log_key(&x, cfg, "file", arg);
        break;
    case OPT_LOG_LEVEL:
        rc = config_log_key(&x, cfg, "level", arg);
        break;
    case OPT_WORKERS:
        rc = config_posd_key(&x, cfg, "workers", arg);
        break;
    case OPT_IDLE:
        rc = config_posd_key(&x, cfg, "idle_timeout", arg);
        break;
    case OPT_MAXCONN:
        rc = config_posd_key(&x, cfg, "max_connections", arg);
        break;
    case OPT_DRAIN:
        rc = config_posd_key(&x, cfg, "drain_timeout", arg);
        break;
    case OPT_PID:
        rc = config_posd_key(&x, cfg, "pid_file", arg);
        break;
    case OPT_LMK:
        rc = config_posd_key(&x, cfg, "lmk_file", arg);
        break;
    case OPT_APP:
        rc = config_posd_key(&x, cfg, "app", arg);
        break;
    case OPT_PORT_FILE:
        rc = config_posd_key(&x, cfg, "port_file", arg);
        break;
    case OPT_READY_FD:
        rc = config_u64(&x, "value", arg, 0, 1u << 20, &u);
        cfg->ready_fd = (int)u;
        break;
    case OPT_CHECK:
        cfg->check_only = true;
        break;
    case OPT_SYNC:
        if (strcmp(arg, "pipelined") == 0 || strcmp(arg, "commit") == 0)
            cfg->db_sync_pipelined = strcmp(arg, "pipelined") == 0;
        else
            rc = config_fail(&x, "must be pipelined or commit");
        break;
    case OPT_TEST_DROP:
        rc = config_u64(&x, "value", arg, 0, 999999, &u);
        cfg->test_drop_stan = rc == POS_OK ? (long)u : -1;
        break;
    default:
        break;
    }
    return rc;
}

int config_parse_args(struct config *cfg, int argc, char **argv, struct pos_errdetail *d)
{
    int opt, rc = POS_OK;

    /* Pass 1: --help and --config (the file comes before every flag). */
    opterr = 0;
    optind = 0;
    while ((opt = getopt_long(argc, argv, ":c:h", config_opts, NULL)) != -1) {
        if (opt == OPT_HELP) {
            cfg->want_help = true;
            return POS_OK;
        }
        if (opt == '?')
            return pos_errdetail_set(d, POS_ERR_CONFIG, -1, POS_NO_OFFSET, "unknown option '%.40s'",
                                     argv[optind - 1]);
        if (opt == ':')
            return pos_errdetail_set(d, POS_ERR_CONFIG, -1, POS_NO_OFFSET,
                                     "option '%.40s' needs a value", argv[optind - 1]);
        if (opt == OPT_CONFIG) {
            rc = config_load_file(cfg, optarg, d);
            if (rc != POS_OK)
                return rc;
        }
    }
    if (optind < argc)
        return pos_errdetail_set(d, POS_ERR_CONFIG, -1, POS_NO_OFFSET,
                                 "unexpected argument '%.40s'", argv[optind]);
    /* Pass 2: every other flag, in order. */
    optind = 0;
    while (rc == POS_OK && (opt = getopt_long(argc, argv, ":c:h", config_opts, NULL)) != -1)
        if (opt != OPT_CONFIG)
            rc = config_flag(cfg, opt, optarg, d);
    if (rc != POS_OK)
        return rc;
    return config_finalize(cfg, d);
}

int config_finalize(struct config *cfg, struct pos_errdetail *d)
{
    size_t i, j, k = 0;
    struct net_listener_config *a, *b;

    for (i = 0; i < cfg->nlisteners; i++)
        if (cfg->listeners[i].enabled)
            cfg->listeners[k++] = cfg->listeners[i];
    cfg->nlisteners = k;
    if (k == 0)
        return pos_errdetail_set(d, POS_ERR_CONFIG, -1, POS_NO_OFFSET, "no listener enabled");
    for (i = 0; i < k; i++) {
        a = &cfg->listeners[i].net;
        if (strcmp(a->name, "http") == 0)
            return pos_errdetail_set(d, POS_ERR_CONFIG, -1, POS_NO_OFFSET,
                                     "listener name 'http' is reserved");
        if ((a->tls_cert[0] == '\0') != (a->tls_key[0] == '\0'))
            return pos_errdetail_set(d, POS_ERR_CONFIG, -1, POS_NO_OFFSET,
                                     "listener %s: tls_cert and tls_key go together", a->name);
        for (j = i + 1; j < k; j++) {
            b = &cfg->listeners[j].net;
            if (a->port != 0 && a->port == b->port && strcmp(a->address, b->address) == 0)
                return pos_errdetail_set(d, POS_ERR_CONFIG, -1, POS_NO_OFFSET,
                                         "listeners %s and %s both on %s:%u", a->name, b->name,
                                         a->address, (unsigned)a->port);
        }
    }
    return POS_OK;
}

/* --- output --- */

struct config_out {
    char *p;
    size_t len, cap;
    bool full;
};

__attribute__((format(printf, 2, 3))) static void config_put(struct config_out *o, const char *fmt,
                                                             ...)
{
    va_list ap;
    int k;

    if (o->full)
        return;
    va_start(ap, fmt);
    k = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= o->cap - o->len)
        o->full = true;
    else
        o->len += (size_t)k;
}

int config_format(const struct config *cfg, char *buf, size_t cap)
{
    struct config_out o = {buf, 0, cap, cap == 0};
    const struct net_listener_config *l;
    size_t i;

    config_put(&o, "[posd]\nworkers = %u\nqueue = %zu\nidle_timeout = %llums\n", cfg->workers,
               cfg->queue_max, (unsigned long long)cfg->net.idle_timeout_ms);
    config_put(&o, "drain_timeout = %llums\nmax_connections = %zu\nmax_unsent = %zu\n",
               (unsigned long long)cfg->drain_ms, cfg->net.max_connections, cfg->net.max_unsent);
    config_put(&o, "backlog = %d\npid_file = \"%s\"\nport_file = \"%s\"\n", cfg->net.backlog,
               cfg->pid_file, cfg->port_file);
    config_put(&o, "lmk_file = \"%s\"\napp = \"%s\"\n", cfg->lmk_file, cfg->app);
    config_put(&o, "\n[http]\nenabled = %s\naddress = %s\nport = %u\nmax_body = %zu\n",
               cfg->http_enabled ? "yes" : "no", cfg->http_address, (unsigned)cfg->http_port,
               cfg->http_max_body);
    config_put(&o, "\n[database]\nurl = \"%s\"\nsync = %s\n", cfg->db_url,
               cfg->db_sync_pipelined ? "pipelined" : "commit");
    config_put(&o, "\n[log]\nfile = \"%s\"\nlevel = %s\n", cfg->log_file,
               log_level_name(cfg->log_level));
    for (i = 0; i < cfg->nlisteners; i++) {
        l = &cfg->listeners[i].net;
        config_put(&o, "\n[listener %s]\nenabled = %s\naddress = %s\nport = %u\n", l->name,
                   cfg->listeners[i].enabled ? "yes" : "no", l->address, (unsigned)l->port);
        config_put(&o, "dialect = \"%s\"\nkey_scheme = \"%s\"\nframing = %s\nmax_frame = %zu\n",
                   l->dialect, l->key_scheme, frame_kind_name(l->framing), l->max_frame);
        config_put(&o, "tls_cert = \"%s\"\ntls_key = \"%s\"\n", l->tls_cert, l->tls_key);
    }
    if (o.full) {
        if (cap > 0)
            buf[0] = '\0';
        return POS_ERR_NOSPACE;
    }
    return POS_OK;
}

void config_usage(FILE *out)
{
    fputs("usage: posd [options]\n"
          "\n"
          "posd, the payment host: ISO 8583 over TCP (+TLS 1.3) on its listeners,\n"
          "/healthz and /metrics over HTTP. Flags override the config file.\n"
          "\n"
          "  -c, --config FILE          read FILE first (format: docs/posd.md)\n"
          "      --db URL               database (default posd.db)\n"
          "      --http ADDR:PORT|off   HTTP listener (default 127.0.0.1:8080)\n"
          "      --listen SPEC          add or change a listener, SPEC being\n"
          "                             name=N[,addr=HOST:PORT][,address=IP][,port=P]\n"
          "                             [,dialect=D][,key_scheme=K][,framing=2be|4be|4ascii]\n"
          "                             [,max_frame=BYTES][,tls_cert=PEM,tls_key=PEM]\n"
          "                             [,enabled=no]; port 0 picks a free port\n"
          "      --log-file PATH        log to PATH (reopened on SIGHUP; - = stderr)\n"
          "      --log-level LEVEL      debug, info, warn or error (default info)\n"
          "      --workers N            worker threads (default: one per CPU)\n"
          "      --idle-timeout DUR     close idle connections (default 300s; 0 = never)\n"
          "      --max-connections N    connection limit (default 10000)\n"
          "      --drain-timeout DUR    SIGTERM: wait this long for answers (default 10s)\n"
          "      --pid-file PATH        write the process id to PATH\n"
          "      --lmk FILE             the local master key file (else $POS_LMK, hex)\n"
          "      --app iso8583|echo     the message handler (default iso8583)\n"
          "      --port-file PATH       when ready, write NAME=ADDR:PORT lines to PATH\n"
          "      --ready-fd N           when ready, write the same lines to fd N, close it\n"
          "      --sync pipelined|commit  durable commits: fsync of the WAL on a sync\n"
          "                             thread while the next batch runs (default), or\n"
          "                             inside each COMMIT (synchronous=FULL)\n"
          "      --test-drop-answer STAN  testing only: process the 0200 with this STAN\n"
          "                             but never send its answer (once)\n"
          "      --check-config         print the effective configuration and exit\n"
          "  -h, --help                 this text\n"
          "\n"
          "Signals: SIGTERM/SIGINT drain and exit 0; SIGHUP reopens the log file.\n",
          out);
}
