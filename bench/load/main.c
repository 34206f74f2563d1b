/*
 * pos-load: a load generator of many terminals against a real posd
 * (issue 4 item 8; docs/load.md). Loopback only; bounded in time and count.
 *
 *   pos-load --host 127.0.0.1:5800 (--provision-dir DIR | --terminals-file F)
 *            [--ktk FILE] --cards FILE [--dialect D] [--scheme S]
 *            [--terminals N] [--duration S] [--mode purchase|echo]
 *            [--record FILE] [--posd-pid PID] [--threads N] [--amount MINOR]
 *            [--max-requests N] [--timeout S] [--drain S]
 *
 * Prints `name value unit` lines (DESIGN.md §8).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/block.h"
#include "error.h"
#include "load.h"

#define USAGE                                                                                      \
    "usage: pos-load --host 127.0.0.1:PORT (--provision-dir DIR | --terminals-file FILE)\n"        \
    "                [--ktk FILE] --cards FILE [--dialect cup|iso87a|iso87b]\n"                    \
    "                [--scheme mksk-tdes|dukpt-tdes] [--terminals N] [--duration SECONDS]\n"       \
    "                [--mode purchase|echo] [--record FILE] [--posd-pid PID] [--threads N]\n"      \
    "                [--amount MINOR_UNITS] [--max-requests N] [--timeout S] [--drain S]\n"

static int usage(const char *why)
{
    if (why != NULL)
        fprintf(stderr, "pos-load: %s\n", why);
    fputs(USAGE, stderr);
    return 2;
}

static int num(const char *s, double lo, double hi, double *out)
{
    char *end = NULL;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* VmRSS of pid in MiB, or -1. */
static double rss_mib(long pid)
{
    char path[64], line[256];
    double kib = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%ld/status", pid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL)
        if (strncmp(line, "VmRSS:", 6) == 0)
            kib = strtod(line + 6, NULL);
    fclose(f);
    return kib < 0 ? -1 : kib / 1024.0;
}

static int loopback(const char *host)
{
    return strncmp(host, "127.", 4) == 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"host", required_argument, NULL, 'H'},
                                         {"provision-dir", required_argument, NULL, 'P'},
                                         {"terminals-file", required_argument, NULL, 'F'},
                                         {"ktk", required_argument, NULL, 'K'},
                                         {"cards", required_argument, NULL, 'C'},
                                         {"dialect", required_argument, NULL, 'D'},
                                         {"scheme", required_argument, NULL, 'S'},
                                         {"terminals", required_argument, NULL, 'n'},
                                         {"duration", required_argument, NULL, 'd'},
                                         {"mode", required_argument, NULL, 'm'},
                                         {"record", required_argument, NULL, 'r'},
                                         {"posd-pid", required_argument, NULL, 'p'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"amount", required_argument, NULL, 'a'},
                                         {"max-requests", required_argument, NULL, 'x'},
                                         {"timeout", required_argument, NULL, 'T'},
                                         {"drain", required_argument, NULL, 'w'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct load_config c;
    struct load_stats st;
    struct load_term_def *terms = NULL;
    struct load_card *cards = NULL;
    const char *hostport = NULL, *dir = NULL, *file = NULL, *ktk = NULL, *cards_file = NULL;
    const char *dialect = NULL, *scheme = NULL, *record = NULL, *mode = "purchase";
    char host[64], *colon;
    double v, want_terms = 64, pid = 0, elapsed = 0;
    size_t n_terms = 0, n_cards = 0;
    int o, rc = 1;

    memset(&c, 0, sizeof(c));
    c.duration = 10;
    c.drain = 3;
    c.timeout = 5;
    c.threads = 2;
    c.amount = 100;
    c.record_fd = -1;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (o) {
        case 'H':
            hostport = optarg;
            break;
        case 'P':
            dir = optarg;
            break;
        case 'F':
            file = optarg;
            break;
        case 'K':
            ktk = optarg;
            break;
        case 'C':
            cards_file = optarg;
            break;
        case 'D':
            dialect = optarg;
            break;
        case 'S':
            scheme = optarg;
            break;
        case 'r':
            record = optarg;
            break;
        case 'm':
            mode = optarg;
            break;
        case 'n':
            if (num(optarg, 1, 100000, &want_terms) != 0)
                return usage("--terminals: 1 to 100000");
            break;
        case 'd':
            if (num(optarg, 0.1, 86400, &c.duration) != 0)
                return usage("--duration: 0.1 to 86400 seconds");
            break;
        case 'p':
            if (num(optarg, 1, 4194304, &pid) != 0)
                return usage("--posd-pid: a process id");
            break;
        case 't':
            if (num(optarg, 1, 64, &v) != 0)
                return usage("--threads: 1 to 64");
            c.threads = (unsigned)v;
            break;
        case 'a':
            if (num(optarg, 1, 999999999999.0, &v) != 0)
                return usage("--amount: 1 to 999999999999 minor units");
            c.amount = (int64_t)v;
            break;
        case 'x':
            if (num(optarg, 1, 1e12, &v) != 0)
                return usage("--max-requests: a positive count");
            c.max_requests = (uint64_t)v;
            break;
        case 'T':
            if (num(optarg, 0.01, 600, &c.timeout) != 0)
                return usage("--timeout: 0.01 to 600 seconds");
            break;
        case 'w':
            if (num(optarg, 0, 600, &c.drain) != 0)
                return usage("--drain: 0 to 600 seconds");
            break;
        case 'h':
            fputs(USAGE, stdout);
            return 0;
        default:
            return usage(NULL);
        }
    }
    if (optind != argc)
        return usage("unexpected argument");
    if (hostport == NULL || (colon = strrchr(hostport, ':')) == NULL ||
        (size_t)(colon - hostport) >= sizeof(host) || num(colon + 1, 1, 65535, &v) != 0)
        return usage("--host HOST:PORT needed");
    memcpy(host, hostport, (size_t)(colon - hostport));
    host[colon - hostport] = '\0';
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof(host), "127.0.0.1");
    if (!loopback(host))
        return usage("--host: loopback (127.x.x.x) only");
    c.host = host;
    c.port = (unsigned)v;
    if ((dir == NULL) == (file == NULL))
        return usage("one of --provision-dir and --terminals-file");
    if (strcmp(mode, "purchase") == 0)
        c.mode = LOAD_PURCHASE;
    else if (strcmp(mode, "echo") == 0)
        c.mode = LOAD_ECHO;
    else
        return usage("--mode: purchase or echo");
    if (c.mode == LOAD_PURCHASE && cards_file == NULL)
        return usage("--cards FILE needed in purchase mode");
    if (scheme != NULL && strcmp(scheme, "mksk-tdes") != 0 && strcmp(scheme, "dukpt-tdes") != 0)
        return usage("--scheme: mksk-tdes or dukpt-tdes");
    if (dialect != NULL && strcmp(dialect, "cup") != 0 && strcmp(dialect, "iso87a") != 0 &&
        strcmp(dialect, "iso87b") != 0)
        return usage("--dialect: cup, iso87a or iso87b");
    if (pos_crypto_init() != POS_OK) {
        fprintf(stderr, "pos-load: cannot load the OpenSSL providers\n");
        return 1;
    }
    if (load_terms_read(dir, file, ktk, dialect, scheme, &terms, &n_terms) != 0)
        goto out;
    if (n_terms < (size_t)want_terms) {
        fprintf(stderr, "pos-load: %zu terminals match, %zu wanted\n", n_terms, (size_t)want_terms);
        goto out;
    }
    if (c.mode == LOAD_PURCHASE && load_cards_read(cards_file, &cards, &n_cards) != 0)
        goto out;
    if (record != NULL) {
        c.record_fd = open(record, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (c.record_fd < 0) {
            perror("pos-load: --record");
            goto out;
        }
    }
    c.terms = terms;
    c.n_terms = (size_t)want_terms;
    c.cards = cards;
    c.n_cards = n_cards;
    if (c.threads > c.n_terms)
        c.threads = (unsigned)c.n_terms;
    if (load_run(&c, &st, &elapsed) != 0)
        goto out;
    printf("load.%s.terminals %zu count\n", mode, c.n_terms);
    printf("load.%s.tps %.0f tx/s\n", mode,
           elapsed > 0 ? (double)(st.approved + st.declined) / elapsed : 0.0);
    printf("load.%s.approved_tps %.0f tx/s\n", mode,
           elapsed > 0 ? (double)st.approved / elapsed : 0.0);
    printf("load.%s.p50 %.3f ms\n", mode, load_hist_quantile(&st.hist, 0.50) / 1000.0);
    printf("load.%s.p99 %.3f ms\n", mode, load_hist_quantile(&st.hist, 0.99) / 1000.0);
    printf("load.%s.p999 %.3f ms\n", mode, load_hist_quantile(&st.hist, 0.999) / 1000.0);
    printf("load.%s.sent %llu count\n", mode, (unsigned long long)st.sent);
    printf("load.%s.approved %llu count\n", mode, (unsigned long long)st.approved);
    printf("load.%s.declined %llu count\n", mode, (unsigned long long)st.declined);
    printf("load.%s.errors %llu count\n", mode, (unsigned long long)st.errors);
    printf("load.%s.mac_errors %llu count\n", mode, (unsigned long long)st.mac_errors);
    printf("load.%s.timeouts %llu count\n", mode, (unsigned long long)st.timeouts);
    printf("load.%s.disconnects %llu count\n", mode, (unsigned long long)st.disconnects);
    printf("load.%s.reversals %llu count\n", mode, (unsigned long long)st.reversals);
    if (pid > 0) {
        double r = rss_mib((long)pid);
        if (r >= 0)
            printf("host.rss %.1f MiB\n", r);
    }
    fflush(stdout);
    rc = 0;
out:
    if (c.record_fd >= 0)
        close(c.record_fd);
    load_terms_free(terms, n_terms);
    load_cards_free(cards, n_cards);
    return rc;
}
