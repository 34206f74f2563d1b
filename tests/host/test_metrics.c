/* Tests for src/host/metrics.c: counters, histograms and the Prometheus
 * text exposition format 0.0.4 (prometheus.io/docs/instrumenting/
 * exposition_formats, "Text-based format"). */
#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "host/metrics.h"
#include "mem.h"

static void test_simple(void **state)
{
    struct metrics m;

    (void)state;
    metrics_init(&m);
    assert_int_equal(metrics_get(&m, METRICS_FRAMES_IN), 0);
    metrics_add(&m, METRICS_FRAMES_IN, 3);
    metrics_add(&m, METRICS_CONNECTIONS, 1);
    metrics_add(&m, METRICS_CONNECTIONS, -2);
    assert_int_equal(metrics_get(&m, METRICS_FRAMES_IN), 3);
    assert_int_equal(metrics_get(&m, METRICS_CONNECTIONS), -1);
    metrics_add(&m, (enum metrics_id)999, 1); /* ignored, never out of bounds */
    assert_int_equal(metrics_get(&m, (enum metrics_id)999), 0);
}

static void test_requests_table(void **state)
{
    struct metrics m;

    (void)state;
    metrics_init(&m);
    metrics_request_observe(&m, "0200", "00", 1000);
    metrics_request_observe(&m, "0200", "00", 1000);
    metrics_request_observe(&m, "0200", "51", 1000);
    metrics_request_observe(&m, "0800", "A0", 1000);
    metrics_request_observe(&m, "9999", "XY", 1000); /* both unknown */
    metrics_request_observe(&m, NULL, NULL, 1000);
    assert_int_equal(metrics_requests_get(&m, "0200", "00"), 2);
    assert_int_equal(metrics_requests_get(&m, "0200", "51"), 1);
    assert_int_equal(metrics_requests_get(&m, "0800", "A0"), 1);
    assert_int_equal(metrics_requests_get(&m, "other", "other"), 2);
    assert_int_equal(metrics_requests_get(&m, "0100", "00"), 0);
    assert_int_equal(metrics_histogram_count(&m.duration), 6);
}

static void test_histogram_buckets(void **state)
{
    struct metrics m;

    (void)state;
    metrics_init(&m);
    /* "le" is inclusive: 0.0005 s exactly falls in the first bucket. */
    metrics_histogram_observe(&m.duration, 500000);
    metrics_histogram_observe(&m.duration, 500001);
    metrics_histogram_observe(&m.duration, 2000000000ull);
    assert_int_equal(atomic_load(&m.duration.counts[0]), 1);
    assert_int_equal(atomic_load(&m.duration.counts[1]), 1);
    assert_int_equal(atomic_load(&m.duration.counts[METRICS_DURATION_BUCKETS]), 1);
    assert_int_equal(atomic_load(&m.duration.sum), 2001000001ull);
    metrics_commit_batch_observe(&m, 1);
    metrics_commit_batch_observe(&m, 3);
    metrics_commit_batch_observe(&m, 1000);
    assert_int_equal(metrics_histogram_count(&m.batch), 3);
}

/* true when s (len bytes) is a Prometheus sample value. */
static bool tm_is_value(const char *s)
{
    char *end;

    if (strcmp(s, "+Inf") == 0 || strcmp(s, "-Inf") == 0 || strcmp(s, "NaN") == 0)
        return true;
    (void)strtod(s, &end);
    return end != s && *end == '\0';
}

static bool tm_is_name(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char c = s[i];
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
        if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
            return false;
    }
    return n > 0;
}

/* Checks every line of the exposition: HELP and TYPE come before a
 * family's samples, names are valid, values parse, histogram samples use
 * the _bucket/_sum/_count suffixes. Returns the number of TYPE lines. */
static int tm_check_exposition(char *text)
{
    char family[128] = "", type[16] = "", *line, *save = NULL, *sp, *brace;
    int types = 0;
    bool helped = false;

    for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "# HELP ", 7) == 0) {
            sp = strchr(line + 7, ' ');
            assert_non_null(sp);
            assert_true(tm_is_name(line + 7, (size_t)(sp - line - 7)));
            snprintf(family, sizeof(family), "%.*s", (int)(sp - line - 7), line + 7);
            helped = true;
            continue;
        }
        if (strncmp(line, "# TYPE ", 7) == 0) {
            assert_true(helped);
            assert_int_equal(strncmp(line + 7, family, strlen(family)), 0);
            snprintf(type, sizeof(type), "%s", line + 7 + strlen(family) + 1);
            assert_true(strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0 ||
                        strcmp(type, "histogram") == 0);
            types++;
            helped = false;
            continue;
        }
        assert_true(line[0] != '#');
        sp = strrchr(line, ' ');
        assert_non_null(sp);
        assert_true(tm_is_value(sp + 1));
        brace = strchr(line, '{');
        if (brace != NULL && brace < sp)
            assert_true(sp[-1] == '}');
        else
            brace = sp;
        assert_true(tm_is_name(line, (size_t)(brace - line)));
        assert_int_equal(strncmp(line, family, strlen(family)), 0);
        if (strcmp(type, "histogram") == 0) {
            const char *sfx = line + strlen(family);
            assert_true(strncmp(sfx, "_bucket{le=\"", 12) == 0 || strncmp(sfx, "_sum ", 5) == 0 ||
                        strncmp(sfx, "_count ", 7) == 0);
        } else {
            assert_true(line[strlen(family)] == ' ' || line[strlen(family)] == '{');
        }
    }
    return types;
}

static void test_format(void **state)
{
    struct metrics m;
    char *text = NULL, *copy;
    size_t len = 0;

    (void)state;
    metrics_init(&m);
    metrics_add(&m, METRICS_FRAMES_IN, 7);
    metrics_request_observe(&m, "0200", "00", 500000);
    metrics_request_observe(&m, "0200", "00", 500001);
    metrics_request_observe(&m, "0820", "00", 2000000000ull);
    metrics_commit_batch_observe(&m, 1);
    metrics_commit_batch_observe(&m, 3);
    metrics_commit_batch_observe(&m, 1000);
    assert_int_equal(metrics_format(&m, &text, &len), POS_OK);
    assert_int_equal(strlen(text), len);
    assert_non_null(strstr(text, "# HELP posd_frames_received_total Frames received.\n"
                                 "# TYPE posd_frames_received_total counter\n"
                                 "posd_frames_received_total 7\n"));
    assert_non_null(strstr(text, "# TYPE posd_connections gauge\nposd_connections 0\n"));
    assert_non_null(strstr(text, "posd_requests_total{mti=\"0200\",rc=\"00\"} 2\n"));
    assert_non_null(strstr(text, "posd_requests_total{mti=\"0820\",rc=\"00\"} 1\n"));
    assert_null(strstr(text, "rc=\"51\"")); /* series appear once used */
    assert_non_null(strstr(text, "# TYPE posd_request_duration_seconds histogram\n"
                                 "posd_request_duration_seconds_bucket{le=\"0.0005\"} 1\n"
                                 "posd_request_duration_seconds_bucket{le=\"0.001\"} 2\n"));
    assert_non_null(strstr(text, "posd_request_duration_seconds_bucket{le=\"1\"} 2\n"
                                 "posd_request_duration_seconds_bucket{le=\"+Inf\"} 3\n"
                                 "posd_request_duration_seconds_sum 2.001000001\n"
                                 "posd_request_duration_seconds_count 3\n"));
    assert_non_null(strstr(text, "posd_commit_batch_size_bucket{le=\"1\"} 1\n"
                                 "posd_commit_batch_size_bucket{le=\"2\"} 1\n"
                                 "posd_commit_batch_size_bucket{le=\"4\"} 2\n"));
    assert_non_null(strstr(text, "posd_commit_batch_size_bucket{le=\"+Inf\"} 3\n"
                                 "posd_commit_batch_size_sum 1004\n"
                                 "posd_commit_batch_size_count 3\n"));
    assert_true(text[len - 1] == '\n');
    copy = strdup(text);
    assert_int_equal(tm_check_exposition(copy), METRICS__SIMPLE_COUNT + 3);
    free(copy);
    pos_free(text);
}

/* Every allocation failure is a clean POS_ERR_NOMEM (and no leak). */
static void test_format_nomem(void **state)
{
    struct metrics m, *hm = NULL;
    char *text = (char *)"x";
    size_t len = 1;
    long n;
    int rc;

    (void)state;
    metrics_init(&m);
    for (n = 0;; n++) {
        tu_alloc_fail_after(n);
        rc = metrics_format(&m, &text, &len);
        tu_alloc_reset();
        if (rc == POS_OK)
            break;
        assert_int_equal(rc, POS_ERR_NOMEM);
        assert_null(text);
        assert_int_equal(len, 0);
    }
    assert_true(n >= 1);
    pos_free(text);
    tu_alloc_fail_after(0);
    assert_int_equal(metrics_new(&hm), POS_ERR_NOMEM);
    tu_alloc_reset();
    assert_null(hm);
    assert_int_equal(metrics_new(&hm), POS_OK);
    metrics_free(hm);
    metrics_free(NULL);
}

static struct metrics tm_shared;

static void *tm_hammer(void *arg)
{
    int i;

    (void)arg;
    for (i = 0; i < 100000; i++) {
        metrics_add(&tm_shared, METRICS_FRAMES_OUT, 1);
        metrics_request_observe(&tm_shared, "0200", "00", 1000);
    }
    return NULL;
}

/* Lock-free updates from many threads lose nothing. */
static void test_concurrent(void **state)
{
    pthread_t t[4];
    int i;

    (void)state;
    metrics_init(&tm_shared);
    for (i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, tm_hammer, NULL), 0);
    for (i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(metrics_get(&tm_shared, METRICS_FRAMES_OUT), 400000);
    assert_int_equal(metrics_requests_get(&tm_shared, "0200", "00"), 400000);
    assert_int_equal(metrics_histogram_count(&tm_shared.duration), 400000);
    assert_int_equal(atomic_load(&tm_shared.duration.sum), 400000000ull);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple),
        cmocka_unit_test(test_requests_table),
        cmocka_unit_test(test_histogram_buckets),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_nomem),
        cmocka_unit_test(test_concurrent),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
