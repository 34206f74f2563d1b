/* Tests for src/host/log.c: logfmt lines, levels, quoting, one line per
 * event whatever the input, rotation by reopen, concurrent writers. */
#include "testutil.h"

#include "nettest.h"

#include <pthread.h>

static char tl_dir[64], tl_path[128];

static int tl_setup(void **state)
{
    (void)state;
    nt_tempdir(tl_dir, sizeof(tl_dir));
    snprintf(tl_path, sizeof(tl_path), "%s/posd.log", tl_dir);
    return 0;
}

static int tl_teardown(void **state)
{
    char cmd[160];

    (void)state;
    log_close();
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tl_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int tl_count_lines(const char *text)
{
    int n = 0;

    for (; *text != '\0'; text++)
        n += *text == '\n';
    return n;
}

static void test_format_and_levels(void **state)
{
    char *text;

    (void)state;
    assert_int_equal(log_open(tl_path, LOG_LEVEL_INFO), POS_OK);
    log_event(LOG_LEVEL_DEBUG, "hidden", "a=1");
    log_event(LOG_LEVEL_INFO, "ready", "cup=127.0.0.1:5800 n=%d", 42);
    log_event(LOG_LEVEL_WARN, "no_fields", NULL);
    log_event(LOG_LEVEL_ERROR, NULL, NULL);
    assert_false(log_enabled(LOG_LEVEL_DEBUG));
    log_set_level(LOG_LEVEL_DEBUG);
    assert_true(log_enabled(LOG_LEVEL_DEBUG));
    log_event(LOG_LEVEL_DEBUG, "shown", "a=2");
    text = nt_read_file(tl_path);
    assert_non_null(text);
    assert_int_equal(tl_count_lines(text), 4);
    assert_null(strstr(text, "hidden"));
    assert_int_equal(strncmp(text, "ts=", 3), 0);
    /* ts=YYYY-MM-DDTHH:MM:SS.mmmZ */
    assert_int_equal(text[7], '-');
    assert_int_equal(text[13], 'T');
    assert_int_equal(text[26], 'Z');
    assert_non_null(strstr(text, "Z level=info event=ready cup=127.0.0.1:5800 n=42\n"));
    assert_non_null(strstr(text, "Z level=warn event=no_fields\n"));
    assert_non_null(strstr(text, "Z level=error event=none\n"));
    assert_non_null(strstr(text, "Z level=debug event=shown a=2\n"));
    free(text);
}

/* A hostile value cannot start a new line. */
static void test_one_line_per_event(void **state)
{
    char *text, big[3000];

    (void)state;
    assert_int_equal(log_open(tl_path, LOG_LEVEL_DEBUG), POS_OK);
    log_event(LOG_LEVEL_WARN, "evil", "peer=%s", "x\nts=fake level=error event=forged\r\x01");
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    log_event(LOG_LEVEL_INFO, "big", "v=%s", big);
    text = nt_read_file(tl_path);
    assert_int_equal(tl_count_lines(text), 2);
    assert_non_null(strstr(text, "peer=x\\x0Ats=fake level=error event=forged\\x0D\\x01\n"));
    assert_non_null(strstr(text, " truncated=1\n"));
    assert_true(strlen(strstr(text, "event=big")) < LOG_LINE_MAX);
    free(text);
}

static void test_quote(void **state)
{
    char buf[32];

    (void)state;
    assert_string_equal(log_quote(buf, sizeof(buf), "plain"), "plain");
    assert_string_equal(log_quote(buf, sizeof(buf), ""), "\"\"");
    assert_string_equal(log_quote(buf, sizeof(buf), "two words"), "\"two words\"");
    assert_string_equal(log_quote(buf, sizeof(buf), "a=b"), "\"a=b\"");
    assert_string_equal(log_quote(buf, sizeof(buf), "say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
    assert_string_equal(log_quote(buf, 8, "a long value here"), "\"a lon\"");
    assert_string_equal(log_quote(buf, 3, "x y"), "\"\"");
}

static void test_levels_parse(void **state)
{
    enum log_level l;

    (void)state;
    assert_int_equal(log_level_parse("debug", &l), POS_OK);
    assert_int_equal(l, LOG_LEVEL_DEBUG);
    assert_int_equal(log_level_parse("warning", &l), POS_OK);
    assert_int_equal(l, LOG_LEVEL_WARN);
    assert_int_equal(log_level_parse("error", &l), POS_OK);
    assert_int_equal(log_level_parse("loud", &l), POS_ERR_INVAL);
    assert_int_equal(log_level_parse(NULL, &l), POS_ERR_INVAL);
    assert_string_equal(log_level_name(LOG_LEVEL_INFO), "info");
    assert_string_equal(log_level_name((enum log_level)7), "unknown");
}

/* logrotate's way: rename the file, signal, and the next line goes to a
 * new file at the old path. */
static void test_reopen_rotation(void **state)
{
    char rotated[160], *old, *cur, longpath[1100];

    (void)state;
    snprintf(rotated, sizeof(rotated), "%s.1", tl_path);
    assert_int_equal(log_open(tl_path, LOG_LEVEL_INFO), POS_OK);
    log_event(LOG_LEVEL_INFO, "before", NULL);
    assert_int_equal(rename(tl_path, rotated), 0);
    log_event(LOG_LEVEL_INFO, "still_old", NULL);
    assert_int_equal(log_reopen(), POS_OK);
    log_event(LOG_LEVEL_INFO, "after", NULL);
    old = nt_read_file(rotated);
    cur = nt_read_file(tl_path);
    assert_non_null(old);
    assert_non_null(cur);
    assert_non_null(strstr(old, "event=before"));
    assert_non_null(strstr(old, "event=still_old"));
    assert_null(strstr(old, "event=after"));
    assert_non_null(strstr(cur, "event=after"));
    free(old);
    free(cur);
    /* The directory vanishes: reopen fails, the old descriptor stays. */
    assert_int_equal(unlink(tl_path), 0);
    assert_int_equal(unlink(rotated), 0);
    assert_int_equal(rmdir(tl_dir), 0);
    assert_int_equal(log_reopen(), POS_ERR_IO);
    assert_int_equal(mkdir(tl_dir, 0700), 0);
    /* Errors of log_open. */
    assert_int_equal(log_open("/nonexistent-dir/x.log", LOG_LEVEL_INFO), POS_ERR_IO);
    memset(longpath, 'a', sizeof(longpath) - 1);
    longpath[sizeof(longpath) - 1] = '\0';
    assert_int_equal(log_open(longpath, LOG_LEVEL_INFO), POS_ERR_INVAL);
    /* stderr: reopen is a no-op. */
    assert_int_equal(log_open("-", LOG_LEVEL_ERROR), POS_OK);
    assert_int_equal(log_reopen(), POS_OK);
}

static void *tl_writer(void *arg)
{
    int i, id = (int)(intptr_t)arg;

    for (i = 0; i < 1000; i++)
        log_event(LOG_LEVEL_INFO, "w", "thread=%d i=%d pad=%0200d", id, i, 0);
    return NULL;
}

static void test_concurrent_writers(void **state)
{
    pthread_t t[4];
    char *text, *line, *save = NULL;
    int i, n = 0;

    (void)state;
    assert_int_equal(log_open(tl_path, LOG_LEVEL_INFO), POS_OK);
    for (i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, tl_writer, (void *)(intptr_t)i), 0);
    for (i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    text = nt_read_file(tl_path);
    for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        assert_int_equal(strncmp(line, "ts=", 3), 0);
        assert_non_null(strstr(line, " level=info event=w thread="));
        n++;
    }
    assert_int_equal(n, 4000);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_format_and_levels, tl_setup, tl_teardown),
        cmocka_unit_test_setup_teardown(test_one_line_per_event, tl_setup, tl_teardown),
        cmocka_unit_test(test_quote),
        cmocka_unit_test(test_levels_parse),
        cmocka_unit_test_setup_teardown(test_reopen_rotation, tl_setup, tl_teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_writers, tl_setup, tl_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
