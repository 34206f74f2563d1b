/* Tests for src/host/workq.c: every task runs once, a full queue is
 * POS_ERR_BUSY, workq_free finishes queued work and refuses new work. */
#include "testutil.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "error.h"
#include "host/workq.h"

static atomic_int tw_ran;
static atomic_bool tw_release;
static struct workq *tw_q;
static atomic_int tw_late_rc;

static void tw_count(void *arg)
{
    (void)arg;
    atomic_fetch_add(&tw_ran, 1);
}

static void tw_sleep_ms(long ms)
{
    struct timespec ts = {0, ms * 1000000L};

    nanosleep(&ts, NULL);
}

static void tw_block(void *arg)
{
    (void)arg;
    while (!atomic_load(&tw_release))
        tw_sleep_ms(1);
    atomic_fetch_add(&tw_ran, 1);
}

static void tw_submit_late(void *arg)
{
    (void)arg;
    tw_sleep_ms(100); /* by now workq_free has begun */
    atomic_store(&tw_late_rc, workq_submit(tw_q, tw_count, NULL));
}

static void test_runs_everything(void **state)
{
    struct workq *wq = NULL;
    int i;

    (void)state;
    atomic_store(&tw_ran, 0);
    assert_int_equal(workq_new(4, 20000, &wq), POS_OK);
    for (i = 0; i < 10000; i++)
        assert_int_equal(workq_submit(wq, tw_count, NULL), POS_OK);
    workq_free(wq); /* drains before joining */
    assert_int_equal(atomic_load(&tw_ran), 10000);
}

static void test_full_is_busy(void **state)
{
    struct workq *wq = NULL;

    (void)state;
    atomic_store(&tw_ran, 0);
    atomic_store(&tw_release, false);
    assert_int_equal(workq_new(1, 2, &wq), POS_OK);
    assert_int_equal(workq_submit(wq, tw_block, NULL), POS_OK);
    while (workq_pending(wq) != 0) /* the worker took it */
        tw_sleep_ms(1);
    assert_int_equal(workq_submit(wq, tw_count, NULL), POS_OK);
    assert_int_equal(workq_submit(wq, tw_count, NULL), POS_OK);
    assert_int_equal(workq_pending(wq), 2);
    assert_int_equal(workq_submit(wq, tw_count, NULL), POS_ERR_BUSY);
    atomic_store(&tw_release, true);
    workq_free(wq);
    assert_int_equal(atomic_load(&tw_ran), 3);
}

static void test_closed_during_free(void **state)
{
    (void)state;
    atomic_store(&tw_late_rc, 1);
    assert_int_equal(workq_new(1, 4, &tw_q), POS_OK);
    assert_int_equal(workq_submit(tw_q, tw_submit_late, NULL), POS_OK);
    tw_sleep_ms(10);
    workq_free(tw_q);
    assert_int_equal(atomic_load(&tw_late_rc), POS_ERR_CLOSED);
    tw_q = NULL;
}

static void test_bad_args_and_nomem(void **state)
{
    struct workq *wq = (struct workq *)&wq;
    long n;

    (void)state;
    assert_int_equal(workq_new(0, 1, &wq), POS_ERR_INVAL);
    assert_null(wq);
    assert_int_equal(workq_new(257, 1, &wq), POS_ERR_INVAL);
    assert_int_equal(workq_new(1, 0, &wq), POS_ERR_INVAL);
    assert_int_equal(workq_new(1, (1u << 20) + 1, &wq), POS_ERR_INVAL);
    for (n = 0; n < 3; n++) {
        tu_alloc_fail_after(n);
        assert_int_equal(workq_new(2, 8, &wq), POS_ERR_NOMEM);
        tu_alloc_reset();
        assert_null(wq);
    }
    workq_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runs_everything),
        cmocka_unit_test(test_full_is_busy),
        cmocka_unit_test(test_closed_during_free),
        cmocka_unit_test(test_bad_args_and_nomem),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
