/* Tests for src/host/config.c: defaults, the file format with its line
 * numbered errors, --listen, the command line and its precedence. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "host/config.h"

static struct config tc_cfg, tc_cfg2;

static int tc_parse(const char *text, struct pos_errdetail *d)
{
    config_init(&tc_cfg);
    pos_errdetail_init(d);
    return config_parse_text(&tc_cfg, text, strlen(text), "f.conf", d);
}

static void test_defaults(void **state)
{
    struct config *c = &tc_cfg;

    (void)state;
    config_init(c);
    assert_int_equal(c->nlisteners, 2);
    assert_string_equal(c->listeners[0].net.name, "cup");
    assert_string_equal(c->listeners[0].net.address, "127.0.0.1");
    assert_int_equal(c->listeners[0].net.port, 5800);
    assert_string_equal(c->listeners[0].net.dialect, "cup");
    assert_string_equal(c->listeners[0].net.key_scheme, "master_session");
    assert_int_equal(c->listeners[0].net.framing, FRAME_2BE);
    assert_int_equal(c->listeners[0].net.max_frame, 8192);
    assert_string_equal(c->listeners[1].net.name, "iso87b");
    assert_int_equal(c->listeners[1].net.port, 5801);
    assert_string_equal(c->listeners[1].net.key_scheme, "dukpt");
    assert_true(c->http_enabled);
    assert_int_equal(c->http_port, 8080);
    assert_string_equal(c->db_url, "posd.db");
    assert_int_equal(c->log_level, LOG_LEVEL_INFO);
    assert_int_equal(c->net.idle_timeout_ms, 300000);
    assert_int_equal(c->drain_ms, 10000);
    assert_int_equal(c->ready_fd, -1);
    assert_true(c->db_sync_pipelined);
    assert_int_equal(c->test_drop_stan, -1);
}

static void test_good_file(void **state)
{
    static const char text[] = "# posd test config\n"
                               "; another comment style\n"
                               "[posd]\n"
                               "workers = 3\n"
                               "  idle_timeout = 500ms  \n"
                               "drain_timeout=2m\n"
                               "max_connections = 100\n"
                               "max_unsent = 65536\n"
                               "pid_file = \"/tmp/a b.pid\"\n"
                               "\n"
                               "[http]\n"
                               "address = ::1\n"
                               "port = 9090\n"
                               "max_body = 2048\n"
                               "[database]\n"
                               "url = /var/lib/posd/posd.db\n"
                               "[log]\n"
                               "file = /var/log/posd.log\r\n"
                               "level = debug\n"
                               "[listener term]\n"
                               "address = 0.0.0.0\n"
                               "port = 6000\n"
                               "dialect = iso87a\n"
                               "key_scheme = dukpt\n"
                               "framing = 4ascii\n"
                               "max_frame = 9999\n"
                               "tls_cert = /etc/posd/cert.pem\n"
                               "tls_key = /etc/posd/key.pem\n";
    struct pos_errdetail d;
    struct config *c = &tc_cfg;

    (void)state;
    assert_int_equal(tc_parse(text, &d), POS_OK);
    assert_int_equal(config_finalize(c, &d), POS_OK);
    assert_int_equal(c->workers, 3);
    assert_int_equal(c->net.idle_timeout_ms, 500);
    assert_int_equal(c->drain_ms, 120000);
    assert_int_equal(c->net.max_connections, 100);
    assert_int_equal(c->net.max_unsent, 65536);
    assert_string_equal(c->pid_file, "/tmp/a b.pid");
    assert_string_equal(c->http_address, "::1");
    assert_int_equal(c->http_port, 9090);
    assert_int_equal(c->http_max_body, 2048);
    assert_string_equal(c->db_url, "/var/lib/posd/posd.db");
    assert_string_equal(c->log_file, "/var/log/posd.log");
    assert_int_equal(c->log_level, LOG_LEVEL_DEBUG);
    /* The file's listener replaced both defaults. */
    assert_int_equal(c->nlisteners, 1);
    assert_string_equal(c->listeners[0].net.name, "term");
    assert_string_equal(c->listeners[0].net.address, "0.0.0.0");
    assert_int_equal(c->listeners[0].net.port, 6000);
    assert_string_equal(c->listeners[0].net.dialect, "iso87a");
    assert_int_equal(c->listeners[0].net.framing, FRAME_4ASCII);
    assert_int_equal(c->listeners[0].net.max_frame, 9999);
    assert_string_equal(c->listeners[0].net.tls_key, "/etc/posd/key.pem");
}

static void test_durations(void **state)
{
    static const struct {
        const char *v;
        uint64_t ms;
    } ok[] = {{"0", 0},       {"30", 30000},  {"30s", 30000},
              {"250ms", 250}, {"2m", 120000}, {"1h", 3600000}};
    static const char *const bad[] = {"", "s", "5x", "-1", "1.5s", "10000000000", "5 s"};
    struct pos_errdetail d;
    char text[64];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        snprintf(text, sizeof(text), "[posd]\nidle_timeout = %s\n", ok[i].v);
        assert_int_equal(tc_parse(text, &d), POS_OK);
        assert_int_equal(tc_cfg.net.idle_timeout_ms, ok[i].ms);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text), "[posd]\nidle_timeout = %s\n", bad[i]);
        assert_int_equal(tc_parse(text, &d), POS_ERR_CONFIG);
        assert_non_null(strstr(d.what, "f.conf:2: idle_timeout:"));
    }
}

/* Each bad file: the error names the file, the line and the cause. */
static void test_bad_files(void **state)
{
    static const struct {
        const char *text, *what;
    } cases[] = {
        {"workers = 2\n", "f.conf:1: 'workers' outside a section"},
        {"[posd]\nworkers = many\n", "f.conf:2: workers: 'many' is not a number in 0..256"},
        {"[posd]\nworkers = 257\n", "f.conf:2: workers: '257' is not a number in 0..256"},
        {"[nope]\n", "f.conf:1: unknown section [nope]"},
        {"\n\n[posd\n", "f.conf:3: section header without ']'"},
        {"[posd]\nfoo = 1\n", "f.conf:2: unknown key 'foo' in [posd]"},
        {"[http]\nfoo = 1\n", "unknown key 'foo' in [http]"},
        {"[log]\nfoo = 1\n", "unknown key 'foo' in [log]"},
        {"[database]\nuri = x\n", "f.conf:2: unknown key 'uri' in [database]"},
        {"[listener cup]\nfoo = 1\n", "unknown key 'foo' in [listener cup]"},
        {"[posd]\n\n# c\nnoequals\n", "f.conf:4: expected 'key = value' or '[section]'"},
        {"[posd]\n = 3\n", "f.conf:2: missing key before '='"},
        {"[listener cup]\nframing = 3be\n", "f.conf:2: framing: '3be' is not 2be, 4be or 4ascii"},
        {"[listener cup]\nmax_frame = 70000\n", "max_frame: '70000' is not a number in 1..65535"},
        {"[listener cup]\nframing = 4ascii\nmax_frame = 10000\n", "f.conf:3: max_frame:"},
        {"[listener cup]\nmax_frame = 0\n", "max_frame: '0' is not a number"},
        {"[listener c u p]\n", "f.conf:1: listener name 'c u p'"},
        {"[listener ]\n", "f.conf:1: unknown section [listener]"},
        {"[listener cup]\naddress = localhost\n",
         "f.conf:2: address: 'localhost' is not a numeric"},
        {"[listener cup]\nport = 65536\n", "f.conf:2: port: '65536' is not a number in 0..65535"},
        {"[listener cup]\nenabled = maybe\n", "f.conf:2: enabled: 'maybe' is not yes or no"},
        {"[http]\nenabled = 2\n", "enabled: '2' is not yes or no"},
        {"[http]\naddress = 300.1.1.1\n", "address: '300.1.1.1' is not a numeric"},
        {"[log]\nlevel = loud\n", "f.conf:2: level: 'loud' is not debug, info, warn or error"},
        {"[posd]\nmax_unsent = 10\n", "max_unsent: '10' is not a number in 1024.."},
        {"[posd]\nmax_connections = 0\n", "max_connections: '0'"},
        {"[posd]\nqueue = 0\n", "queue: '0'"},
        {"[posd]\nbacklog = 0\n", "backlog: '0'"},
        {"[posd]\ndrain_timeout = soon\n", "drain_timeout: 'soon' is not a duration"},
        {"[http]\nmax_body = 99999999999\n", "max_body:"},
        {"[http]\nport = -1\n", "port: '-1'"},
    };
    struct pos_errdetail d;
    char msg[200];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(tc_parse(cases[i].text, &d), POS_ERR_CONFIG);
        if (strstr(d.what, cases[i].what) == NULL)
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, d.what, cases[i].what);
    }
    pos_errdetail_format(POS_ERR_CONFIG, &d, msg, sizeof(msg));
    assert_string_equal(msg, "invalid configuration: f.conf:2: port: '-1' is not a number in "
                             "0..65535");
}

static void test_bad_lines(void **state)
{
    static char text[5000];
    struct pos_errdetail d;

    (void)state;
    memset(text, 'x', sizeof(text) - 1);
    memcpy(text, "[posd]\n", 7);
    assert_int_equal(tc_parse(text, &d), POS_ERR_CONFIG);
    assert_non_null(strstr(d.what, "f.conf:2: line longer than 4095 bytes"));
    config_init(&tc_cfg);
    assert_int_equal(config_parse_text(&tc_cfg, "[posd]\nwork\0ers = 1\n", 20, NULL, &d),
                     POS_ERR_CONFIG);
    assert_non_null(strstr(d.what, "config:2: NUL byte in line"));
    /* No trailing newline, CRLF, empty text: all fine. */
    assert_int_equal(tc_parse("[posd]\r\nworkers = 7", &d), POS_OK);
    assert_int_equal(tc_cfg.workers, 7);
    assert_int_equal(tc_parse("", &d), POS_OK);
    assert_int_equal(tc_cfg.nlisteners, 2);
}

static void test_listeners_merge(void **state)
{
    static const char text[] = "[listener a]\nport = 7001\n[listener b]\nport = 7002\n"
                               "[listener a]\ndialect = cup\n[listener b]\nenabled = no\n";
    struct pos_errdetail d;
    char name[24];
    int i;

    (void)state;
    assert_int_equal(tc_parse(text, &d), POS_OK);
    assert_int_equal(tc_cfg.nlisteners, 2);
    assert_int_equal(config_finalize(&tc_cfg, &d), POS_OK);
    assert_int_equal(tc_cfg.nlisteners, 1);
    assert_string_equal(tc_cfg.listeners[0].net.name, "a");
    assert_int_equal(tc_cfg.listeners[0].net.port, 7001);
    assert_string_equal(tc_cfg.listeners[0].net.dialect, "cup");
    /* Finalize's checks. */
    assert_int_equal(tc_parse("[listener a]\nenabled = no\n", &d), POS_OK);
    assert_int_equal(config_finalize(&tc_cfg, &d), POS_ERR_CONFIG);
    assert_string_equal(d.what, "no listener enabled");
    assert_int_equal(tc_parse("[listener a]\nport = 7000\n[listener b]\nport = 7000\n", &d),
                     POS_OK);
    assert_int_equal(config_finalize(&tc_cfg, &d), POS_ERR_CONFIG);
    assert_string_equal(d.what, "listeners a and b both on 127.0.0.1:7000");
    assert_int_equal(tc_parse("[listener a]\nport = 0\n[listener b]\nport = 0\n", &d), POS_OK);
    assert_int_equal(config_finalize(&tc_cfg, &d), POS_OK); /* ephemeral ports never clash */
    assert_int_equal(tc_parse("[listener a]\ntls_key = k.pem\n", &d), POS_OK);
    assert_int_equal(config_finalize(&tc_cfg, &d), POS_ERR_CONFIG);
    assert_string_equal(d.what, "listener a: tls_cert and tls_key go together");
    assert_int_equal(tc_parse("[listener http]\n", &d), POS_OK);
    assert_int_equal(config_finalize(&tc_cfg, &d), POS_ERR_CONFIG);
    assert_string_equal(d.what, "listener name 'http' is reserved");
    /* At most NET_MAX_LISTENERS. */
    config_init(&tc_cfg);
    for (i = 0; i < NET_MAX_LISTENERS; i++) {
        snprintf(name, sizeof(name), "[listener l%d]", i);
        assert_int_equal(config_parse_text(&tc_cfg, name, strlen(name), "f", &d), POS_OK);
    }
    assert_int_equal(config_parse_text(&tc_cfg, "[listener x]\n", 13, "f", &d), POS_ERR_CONFIG);
    assert_non_null(strstr(d.what, "more than 16 listeners"));
}

static void test_listen_flag(void **state)
{
    struct pos_errdetail d;
    struct config *c = &tc_cfg;

    (void)state;
    config_init(c);
    pos_errdetail_init(&d);
    assert_int_equal(config_parse_listen(c,
                                         "addr=127.0.0.2:0,name=cup,framing=4ascii,"
                                         "max_frame=9000,key_scheme=dukpt",
                                         &d),
                     POS_OK);
    assert_int_equal(c->nlisteners, 2);
    assert_string_equal(c->listeners[0].net.address, "127.0.0.2");
    assert_int_equal(c->listeners[0].net.port, 0);
    assert_int_equal(c->listeners[0].net.framing, FRAME_4ASCII);
    assert_int_equal(c->listeners[0].net.max_frame, 9000);
    assert_string_equal(c->listeners[0].net.key_scheme, "dukpt");
    assert_int_equal(config_parse_listen(c, "name=v6,addr=[::1]:7000,dialect=iso87a", &d), POS_OK);
    assert_int_equal(c->nlisteners, 3);
    assert_string_equal(c->listeners[2].net.address, "::1");
    assert_int_equal(c->listeners[2].net.port, 7000);
    assert_int_equal(config_parse_listen(c, "name=iso87b,enabled=no", &d), POS_OK);
    assert_int_equal(config_finalize(c, &d), POS_OK);
    assert_int_equal(c->nlisteners, 2);
    assert_int_equal(config_parse_listen(c, "port=1", &d), POS_ERR_CONFIG);
    assert_string_equal(d.what, "--listen: 'port=1' has no name=");
    assert_int_equal(config_parse_listen(c, "name=cup,colour=red", &d), POS_ERR_CONFIG);
    assert_string_equal(d.what, "--listen: unknown key 'colour' in [listener cup]");
    assert_int_equal(config_parse_listen(c, "name=cup,tls", &d), POS_ERR_CONFIG);
    assert_string_equal(d.what, "--listen: 'tls' is not key=value");
    assert_int_equal(config_parse_listen(c, "name=cup,addr=127.0.0.1", &d), POS_ERR_CONFIG);
    assert_string_equal(d.what, "--listen: addr: '127.0.0.1' is not HOST:PORT");
    assert_int_equal(config_parse_listen(c, "name=cup,addr=[::1:80", &d), POS_ERR_CONFIG);
    assert_int_equal(config_parse_listen(c, "name=cup,addr=:80", &d), POS_ERR_CONFIG);
    assert_int_equal(config_parse_listen(c, "name=bad!,port=1", &d), POS_ERR_CONFIG);
}

static char tc_dir[64], tc_file[128];

static void tc_write(const char *text)
{
    FILE *f;

    snprintf(tc_dir, sizeof(tc_dir), "/tmp/posd-config-XXXXXX");
    assert_non_null(mkdtemp(tc_dir));
    snprintf(tc_file, sizeof(tc_file), "%s/posd.conf", tc_dir);
    f = fopen(tc_file, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void tc_cleanup(void)
{
    unlink(tc_file);
    rmdir(tc_dir);
}

static int tc_args(struct pos_errdetail *d, int argc, ...)
{
    char *argv[20];
    va_list ap;
    int i;

    va_start(ap, argc);
    argv[0] = (char *)"posd";
    for (i = 1; i < argc; i++)
        argv[i] = va_arg(ap, char *);
    va_end(ap);
    argv[argc] = NULL;
    config_init(&tc_cfg);
    pos_errdetail_init(d);
    return config_parse_args(&tc_cfg, argc, argv, d);
}

/* Flags win over the file wherever they stand on the command line. */
static void test_args(void **state)
{
    struct pos_errdetail d;
    char where[160];

    (void)state;
    tc_write("[http]\nport = 9000\n[posd]\nworkers = 2\n[listener only]\nport = 0\n");
    assert_int_equal(
        tc_args(&d, 7, "--http", "127.0.0.1:9100", "--config", tc_file, "--workers", "5"), POS_OK);
    assert_int_equal(tc_cfg.http_port, 9100);
    assert_int_equal(tc_cfg.workers, 5);
    assert_int_equal(tc_cfg.nlisteners, 1);
    assert_string_equal(tc_cfg.config_file, tc_file);
    assert_int_equal(tc_args(&d, 3, "-c", tc_file), POS_OK);
    assert_int_equal(tc_cfg.http_port, 9000);
    assert_int_equal(tc_cfg.workers, 2);
    assert_int_equal(tc_args(&d, 16, "--db", "x.db", "--http", "off", "--log-file", "/tmp/p.log",
                             "--log-level", "warn", "--idle-timeout", "5s", "--max-connections",
                             "9", "--drain-timeout", "1s", "--ready-fd"),
                     POS_ERR_CONFIG); /* --ready-fd lacks its value */
    assert_non_null(strstr(d.what, "needs a value"));
    assert_int_equal(tc_args(&d, 15, "--db", "x.db", "--http", "off", "--log-file", "/tmp/p.log",
                             "--log-level", "warn", "--idle-timeout", "5s", "--max-connections",
                             "9", "--ready-fd", "3"),
                     POS_OK);
    assert_string_equal(tc_cfg.db_url, "x.db");
    assert_false(tc_cfg.http_enabled);
    assert_string_equal(tc_cfg.log_file, "/tmp/p.log");
    assert_int_equal(tc_cfg.log_level, LOG_LEVEL_WARN);
    assert_int_equal(tc_cfg.net.idle_timeout_ms, 5000);
    assert_int_equal(tc_cfg.net.max_connections, 9);
    assert_int_equal(tc_cfg.ready_fd, 3);
    assert_int_equal(tc_args(&d, 8, "--pid-file", "/tmp/p.pid", "--port-file", "/tmp/p.ports",
                             "--drain-timeout", "1s", "--check-config"),
                     POS_OK);
    assert_string_equal(tc_cfg.pid_file, "/tmp/p.pid");
    assert_string_equal(tc_cfg.port_file, "/tmp/p.ports");
    assert_int_equal(tc_cfg.drain_ms, 1000);
    assert_true(tc_cfg.check_only);
    assert_int_equal(tc_args(&d, 3, "--listen", "name=cup,port=0"), POS_OK);
    assert_int_equal(tc_cfg.listeners[0].net.port, 0);
    assert_int_equal(tc_args(&d, 4, "--workers", "x", "--help"), POS_OK); /* help first */
    assert_true(tc_cfg.want_help);
    assert_int_equal(tc_args(&d, 2, "-h"), POS_OK);
    assert_true(tc_cfg.want_help);
    /* Errors. */
    assert_int_equal(tc_args(&d, 2, "--bogus"), POS_ERR_CONFIG);
    assert_string_equal(d.what, "unknown option '--bogus'");
    assert_int_equal(tc_args(&d, 2, "stray"), POS_ERR_CONFIG);
    assert_string_equal(d.what, "unexpected argument 'stray'");
    assert_int_equal(tc_args(&d, 3, "--log-level", "loud"), POS_ERR_CONFIG);
    assert_string_equal(d.what, "--log-level: level: 'loud' is not debug, info, warn or error");
    assert_int_equal(tc_args(&d, 3, "--http", "nowhere"), POS_ERR_CONFIG);
    assert_int_equal(tc_args(&d, 3, "--workers", "1000"), POS_ERR_CONFIG);
    assert_string_equal(d.what, "--workers: workers: '1000' is not a number in 0..256");
    assert_int_equal(tc_args(&d, 3, "--sync", "sometimes"), POS_ERR_CONFIG);
    assert_string_equal(d.what, "--sync: must be pipelined or commit");
    assert_int_equal(tc_args(&d, 3, "--test-drop-answer", "1000000"), POS_ERR_CONFIG);
    assert_int_equal(tc_cfg.test_drop_stan, -1);
    assert_int_equal(tc_args(&d, 5, "--sync", "commit", "--test-drop-answer", "17"), POS_OK);
    assert_false(tc_cfg.db_sync_pipelined);
    assert_int_equal(tc_cfg.test_drop_stan, 17);
    tc_write("[database]\nsync = never\n");
    assert_int_equal(tc_args(&d, 3, "--config", tc_file), POS_ERR_CONFIG);
    assert_non_null(strstr(d.what, "sync must be pipelined or commit"));
    tc_cleanup();
    tc_write("[database]\nsync = commit\n");
    assert_int_equal(tc_args(&d, 3, "--config", tc_file), POS_OK);
    assert_false(tc_cfg.db_sync_pipelined);
    tc_cleanup();
    assert_int_equal(tc_args(&d, 3, "--listen", "name=iso87b,port=5800"), POS_ERR_CONFIG);
    assert_string_equal(d.what, "listeners cup and iso87b both on 127.0.0.1:5800");
    assert_int_equal(tc_args(&d, 3, "--config", "/nonexistent/posd.conf"), POS_ERR_IO);
    assert_non_null(strstr(d.what, "/nonexistent/posd.conf: No such file"));
    tc_cleanup();
    tc_write("[posd]\nworkers = lots\n");
    assert_int_equal(tc_args(&d, 3, "--config", tc_file), POS_ERR_CONFIG);
    snprintf(where, sizeof(where), "%s:2: workers:", tc_file);
    assert_non_null(strstr(d.what, where));
    tc_cleanup();
}

/* What config_format writes, config_parse_text reads back the same. */
static void test_format_roundtrip(void **state)
{
    static char a[8192], b[8192];
    struct pos_errdetail d;

    (void)state;
    assert_int_equal(tc_parse("[posd]\nworkers = 3\npid_file = \"/x y\"\n[http]\nenabled = no\n"
                              "[listener t]\nframing = 4be\nmax_frame = 100000\n"
                              "tls_cert = c.pem\ntls_key = k.pem\n",
                              &d),
                     POS_OK);
    assert_int_equal(config_format(&tc_cfg, a, sizeof(a)), POS_OK);
    config_init(&tc_cfg2);
    assert_int_equal(config_parse_text(&tc_cfg2, a, strlen(a), "fmt", &d), POS_OK);
    assert_int_equal(config_format(&tc_cfg2, b, sizeof(b)), POS_OK);
    assert_string_equal(a, b);
    assert_int_equal(tc_cfg2.listeners[0].net.max_frame, 100000);
    assert_false(tc_cfg2.http_enabled);
    assert_int_equal(config_format(&tc_cfg, a, 100), POS_ERR_NOSPACE);
    assert_string_equal(a, "");
    assert_int_equal(config_format(&tc_cfg, a, 0), POS_ERR_NOSPACE);
}

/* The documented example file is valid as shipped. */
static void test_example_file(void **state)
{
    struct pos_errdetail d;

    (void)state;
    config_init(&tc_cfg);
    pos_errdetail_init(&d);
    if (config_load_file(&tc_cfg, tu_source_path("docs/posd.conf.example"), &d) != POS_OK)
        fail_msg("docs/posd.conf.example: %s", d.what);
    assert_int_equal(config_finalize(&tc_cfg, &d), POS_OK);
    assert_int_equal(tc_cfg.nlisteners, 2);
}

static void test_file_limits(void **state)
{
    struct pos_errdetail d;
    FILE *f;
    static char chunk[65536];
    int i;

    (void)state;
    tc_write("");
    f = fopen(tc_file, "w");
    assert_non_null(f);
    memset(chunk, '#', sizeof(chunk));
    for (i = 0; i < 17; i++)
        fwrite(chunk, 1, sizeof(chunk), f);
    fclose(f);
    config_init(&tc_cfg);
    assert_int_equal(config_load_file(&tc_cfg, tc_file, &d), POS_ERR_CONFIG);
    assert_non_null(strstr(d.what, "larger than"));
    tu_alloc_fail_after(0);
    assert_int_equal(config_load_file(&tc_cfg, tc_file, &d), POS_ERR_NOMEM);
    tu_alloc_reset();
    tc_cleanup();
}

static void test_usage(void **state)
{
    char buf[4096];
    FILE *f = fmemopen(buf, sizeof(buf), "w");

    (void)state;
    assert_non_null(f);
    config_usage(f);
    fclose(f);
    assert_non_null(strstr(buf, "usage: posd [options]"));
    assert_non_null(strstr(buf, "--port-file"));
    assert_non_null(strstr(buf, "SIGHUP"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),         cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_durations),        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_bad_lines),        cmocka_unit_test(test_listeners_merge),
        cmocka_unit_test(test_listen_flag),      cmocka_unit_test(test_args),
        cmocka_unit_test(test_format_roundtrip), cmocka_unit_test(test_example_file),
        cmocka_unit_test(test_file_limits),      cmocka_unit_test(test_usage),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
