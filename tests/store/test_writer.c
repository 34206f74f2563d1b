/* Tests for src/store/writer.c: group commit, unit isolation, done after
 * commit, shutdown, and durability across SIGKILL -- every test runs twice,
 * with the sync inside COMMIT and with the pipelined sync. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "storetest.h"
#include "store/writer.h"

static bool g_pipelined; /* the group being run: writers use pipeline_sync */

struct fx {
    char dir[256];
    char url[600];
    struct store *s; /* the test's own connection, for checks */
};

static int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    char db[512];

    if (f == NULL)
        return -1;
    st_tmpdir_make(f->dir, sizeof(f->dir));
    snprintf(f->url, sizeof(f->url), "sqlite:%s", st_path(f->dir, "w.db", db, sizeof(db)));
    if (store_open(f->url, NULL, &f->s, NULL) != POS_OK)
        return -1;
    if (store_exec(f->s, "CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT);"
                         "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                         "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER"
                         " REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)") != POS_OK)
        return -1;
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    struct fx *f = *state;

    store_close(f->s);
    st_tmpdir_remove(f->dir);
    free(f);
    return 0;
}

static struct store_writer *writer_new(struct fx *f, size_t max_batch, size_t max_queue)
{
    struct store_writer_options o;
    struct store_writer *w = NULL;
    struct store *s;

    store_writer_options_init(&o);
    if (max_batch != 0)
        o.max_batch = max_batch;
    if (max_queue != 0)
        o.max_queue = max_queue;
    o.pipeline_sync = g_pipelined;
    assert_int_equal(store_open(f->url, NULL, &s, NULL), POS_OK);
    assert_int_equal(store_writer_open(s, &o, &w), POS_OK);
    return w;
}

static int64_t q_int(struct store *s, const char *sql)
{
    struct store_stmt *st;
    int64_t v;

    assert_int_equal(store_prepare(s, sql, &st), POS_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    v = store_column_int64(st, 0);
    assert_int_equal(store_reset(st), POS_OK);
    return v;
}

static bool has_row(struct store *s, int64_t id)
{
    struct store_stmt *st;
    int rc;

    assert_int_equal(store_prepare(s, "SELECT 1 FROM t WHERE id = ?", &st), POS_OK);
    assert_int_equal(store_bind_int64(st, 1, id), POS_OK);
    rc = store_step(st);
    assert_true(rc == STORE_ROW || rc == STORE_DONE);
    assert_int_equal(store_reset(st), POS_OK);
    return rc == STORE_ROW;
}

/* ---- units ---------------------------------------------------------- */

enum unit_kind {
    U_INSERT,       /* inserts id into t */
    U_INSERT_FAIL,  /* inserts id, then a duplicate: POS_ERR_CONSTRAINT */
    U_DEFERRED_BAD, /* a child row without parent: fails only at COMMIT */
    U_RAW_ROLLBACK, /* inserts id, then ends the transaction behind the writer */
    U_GATE,         /* waits until the test opens the gate */
    U_READ,         /* reads whether row `peer` exists */
    U_TX_CALLS,     /* tries store_begin/commit/rollback (all refused) */
};

struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool entered, open;
};

struct unit {
    struct store_work work;
    enum unit_kind kind;
    int64_t id, peer;
    struct gate *gate;
    struct fx *fx;
    bool check_visible;     /* done opens a new connection and looks for id */
    struct store_writer *w; /* for done's re-entrant calls */
    atomic_int done_calls;
    int rc;
    int seen;        /* U_READ: 1 if peer was visible; done's check */
    int tx_rc[3];    /* U_TX_CALLS */
    int resubmit_rc; /* done's submission while shut down */
    int shutdown_rc; /* done's store_writer_shutdown/close */
    int close_rc;
    int runs; /* calls of run */
};

static int insert_id(struct store *s, int64_t id)
{
    struct store_stmt *st;
    int rc;

    rc = store_prepare(s, "INSERT INTO t (id, note) VALUES (?, 'x')", &st);
    if (rc == POS_OK)
        rc = store_bind_int64(st, 1, id);
    if (rc == POS_OK)
        rc = store_step(st);
    return rc == STORE_DONE ? POS_OK : rc;
}

static int unit_run(struct store *s, void *arg)
{
    struct unit *u = arg;
    struct store_stmt *st;
    int rc = POS_OK;

    u->runs++;
    switch (u->kind) {
    case U_INSERT:
        rc = insert_id(s, u->id);
        break;
    case U_INSERT_FAIL:
        rc = insert_id(s, u->id);
        if (rc == POS_OK)
            rc = insert_id(s, u->id);
        break;
    case U_DEFERRED_BAD:
        rc = store_prepare(s, "INSERT INTO child (id, parent_id) VALUES (?, 999)", &st);
        if (rc == POS_OK)
            rc = store_bind_int64(st, 1, u->id);
        if (rc == POS_OK)
            rc = store_step(st) == STORE_DONE ? POS_OK : POS_ERR_DB;
        break;
    case U_RAW_ROLLBACK:
        rc = insert_id(s, u->id);
        if (rc == POS_OK)
            rc = store_exec(s, "ROLLBACK");
        break;
    case U_GATE:
        pthread_mutex_lock(&u->gate->mu);
        u->gate->entered = true;
        pthread_cond_broadcast(&u->gate->cv);
        while (!u->gate->open)
            pthread_cond_wait(&u->gate->cv, &u->gate->mu);
        pthread_mutex_unlock(&u->gate->mu);
        rc = insert_id(s, u->id);
        break;
    case U_READ:
        rc = store_prepare(s, "SELECT 1 FROM t WHERE id = ?", &st);
        if (rc == POS_OK)
            rc = store_bind_int64(st, 1, u->peer);
        if (rc == POS_OK) {
            rc = store_step(st);
            u->seen = rc == STORE_ROW;
            rc = rc >= 0 ? store_reset(st) : rc;
        }
        break;
    case U_TX_CALLS:
        u->tx_rc[0] = store_begin(s);
        u->tx_rc[1] = store_commit(s);
        u->tx_rc[2] = store_rollback(s);
        rc = insert_id(s, u->id);
        break;
    }
    return rc;
}

static void unit_done(void *arg, int rc)
{
    struct unit *u = arg;
    struct store_options o;
    struct store *r;

    u->rc = rc;
    if (u->check_visible) {
        /* The commit is over: a brand-new reader must see the row. */
        store_options_init(&o);
        o.read_only = true;
        u->seen = -1;
        if (store_open(u->fx->url, &o, &r, NULL) == POS_OK) {
            u->seen = has_row(r, u->id);
            store_close(r);
        }
    }
    if (u->w != NULL) {
        struct unit *again = u + 1; /* a spare slot the test set up */

        again->work.run = unit_run;
        again->work.done = unit_done;
        again->work.arg = again;
        u->resubmit_rc = store_writer_submit(u->w, &again->work);
        u->shutdown_rc = store_writer_shutdown(u->w);
        u->close_rc = store_writer_close(u->w);
    }
    atomic_fetch_add(&u->done_calls, 1);
}

static void unit_init(struct unit *u, struct fx *f, enum unit_kind kind, int64_t id)
{
    memset(u, 0, sizeof(*u));
    u->kind = kind;
    u->id = id;
    u->fx = f;
    u->rc = 1;
    atomic_init(&u->done_calls, 0);
    u->work.run = unit_run;
    u->work.done = unit_done;
    u->work.arg = u;
}

static void gate_init(struct gate *g)
{
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    g->entered = g->open = false;
}

static void gate_wait_entered(struct gate *g)
{
    pthread_mutex_lock(&g->mu);
    while (!g->entered)
        pthread_cond_wait(&g->cv, &g->mu);
    pthread_mutex_unlock(&g->mu);
}

static void gate_open(struct gate *g)
{
    pthread_mutex_lock(&g->mu);
    g->open = true;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

static void gate_clear(struct gate *g)
{
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
}

/* Submits a gate unit and waits until the writer is inside it, so that what
 * is submitted next queues up into one batch. */
static void block_writer(struct store_writer *w, struct unit *u, struct gate *g, struct fx *f,
                         int64_t id)
{
    gate_init(g);
    unit_init(u, f, U_GATE, id);
    u->gate = g;
    assert_int_equal(store_writer_submit(w, &u->work), POS_OK);
    gate_wait_entered(g);
}

/* ---- tests ---------------------------------------------------------- */

static void test_options_and_bounds(void **state)
{
    struct fx *f = *state;
    struct store_writer_options o;
    struct store_writer *w = (struct store_writer *)f;
    struct store_writer_stats st;
    struct store *s;
    struct store_work bad = {0};

    assert_int_equal(store_writer_hist_bound(0), 1);
    assert_int_equal(store_writer_hist_bound(9), 512);
    assert_true(store_writer_hist_bound(10) == UINT64_MAX);
    assert_int_equal(store_writer_hist_bound(11), 0);

    assert_int_equal(store_open(f->url, NULL, &s, NULL), POS_OK);
    store_writer_options_init(&o);
    assert_int_equal(o.max_batch, STORE_WRITER_DEFAULT_MAX_BATCH);
    o.max_batch = 0;
    assert_int_equal(store_writer_open(s, &o, &w), POS_ERR_INVAL);
    assert_null(w);
    store_writer_options_init(&o);
    o.max_queue = STORE_WRITER_LIMIT + 1;
    assert_int_equal(store_writer_open(s, &o, &w), POS_ERR_INVAL);
    assert_int_equal(store_writer_open(NULL, NULL, &w), POS_ERR_INVAL);
    /* a connection with an open transaction is refused */
    assert_int_equal(store_begin(s), POS_OK);
    assert_int_equal(store_writer_open(s, NULL, &w), POS_ERR_INVAL);
    assert_int_equal(store_rollback(s), POS_OK);
    /* the writer's own allocation failing: the caller keeps s */
    tu_alloc_fail_after(0);
    assert_int_equal(store_writer_open(s, NULL, &w), POS_ERR_NOMEM);
    tu_alloc_reset();
    assert_null(w);

    assert_int_equal(store_writer_open(s, NULL, &w), POS_OK);
    assert_int_equal(store_writer_submit(w, NULL), POS_ERR_INVAL);
    assert_int_equal(store_writer_submit(w, &bad), POS_ERR_INVAL);
    store_writer_stats(w, &st);
    assert_int_equal(st.units, 0);
    assert_int_equal(store_writer_close(w), POS_OK);
    assert_int_equal(store_writer_close(NULL), POS_OK);
}

#define NTHREADS   4
#define PER_THREAD 300

struct submitter {
    struct store_writer *w;
    struct unit *units;
    int n;
    int submit_failures;
};

static void *submit_all(void *arg)
{
    struct submitter *sb = arg;
    int i;

    for (i = 0; i < sb->n; i++) {
        if (store_writer_submit(sb->w, &sb->units[i].work) != POS_OK)
            sb->submit_failures++;
    }
    return NULL;
}

/* Several threads submit at once: every done exactly once, the failing
 * units (every 17th) rolled back alone, every other row committed. */
static void test_many_threads(void **state)
{
    struct fx *f = *state;
    struct store_writer *w = writer_new(f, 0, 0);
    struct store_writer_stats st;
    struct submitter sb[NTHREADS];
    pthread_t t[NTHREADS];
    struct unit *units = calloc(NTHREADS * PER_THREAD, sizeof(*units));
    uint64_t hist_sum = 0;
    int i, failing = 0;

    assert_non_null(units);
    for (i = 0; i < NTHREADS * PER_THREAD; i++) {
        bool fail = i % 17 == 5;

        unit_init(&units[i], f, fail ? U_INSERT_FAIL : U_INSERT, i + 1);
        failing += fail;
    }
    for (i = 0; i < NTHREADS; i++) {
        sb[i].w = w;
        sb[i].units = units + i * PER_THREAD;
        sb[i].n = PER_THREAD;
        sb[i].submit_failures = 0;
        assert_int_equal(pthread_create(&t[i], NULL, submit_all, &sb[i]), 0);
    }
    for (i = 0; i < NTHREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(sb[i].submit_failures, 0);
    }
    assert_int_equal(store_writer_shutdown(w), POS_OK);
    assert_int_equal(store_writer_shutdown(w), POS_OK); /* idempotent */
    store_writer_stats(w, &st);
    assert_int_equal(store_writer_close(w), POS_OK);

    for (i = 0; i < NTHREADS * PER_THREAD; i++) {
        bool fail = units[i].kind == U_INSERT_FAIL;

        assert_int_equal(atomic_load(&units[i].done_calls), 1);
        assert_int_equal(units[i].rc, fail ? POS_ERR_CONSTRAINT : POS_OK);
        assert_true(has_row(f->s, units[i].id) == !fail);
    }
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM t"), NTHREADS * PER_THREAD - failing);
    assert_int_equal(st.units, NTHREADS * PER_THREAD);
    assert_int_equal(st.units_failed, failing);
    assert_int_equal(st.commits_failed, 0);
    assert_int_equal(st.queued, 0);
    for (i = 0; i < STORE_WRITER_HIST_BUCKETS; i++)
        hist_sum += st.batch_hist[i];
    assert_int_equal(hist_sum, st.batches);
    assert_true(st.batches >= 1 && st.batches <= st.units);
    free(units);
}

/* Units queued behind a blocked writer form batches of max_batch. */
static void test_batch_stats(void **state)
{
    struct fx *f = *state;
    struct store_writer *w = writer_new(f, 4, 0);
    struct store_writer_stats st;
    struct unit gate_unit, units[10];
    struct gate g;
    int i;

    block_writer(w, &gate_unit, &g, f, 1000);
    for (i = 0; i < 10; i++) {
        unit_init(&units[i], f, U_INSERT, i + 1);
        assert_int_equal(store_writer_submit(w, &units[i].work), POS_OK);
    }
    gate_open(&g);
    assert_int_equal(store_writer_shutdown(w), POS_OK);
    store_writer_stats(w, &st);
    assert_int_equal(store_writer_close(w), POS_OK);
    gate_clear(&g);
    for (i = 0; i < 10; i++)
        assert_int_equal(units[i].rc, POS_OK);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM t"), 11);
    /* batches: [gate] [4] [4] [2] */
    assert_int_equal(st.batches, 4);
    assert_int_equal(st.units, 11);
    assert_int_equal(st.batch_hist[0], 1); /* size 1 */
    assert_int_equal(st.batch_hist[1], 1); /* size 2 */
    assert_int_equal(st.batch_hist[2], 2); /* sizes 3..4 */
    assert_int_equal(st.batch_hist[3], 0);
    assert_int_equal(st.pipelined, g_pipelined);
    if (g_pipelined) /* at least one sync, at most one per batch */
        assert_true(st.syncs >= 1 && st.syncs <= 4 && st.syncs_failed == 0);
    else
        assert_int_equal(st.syncs, 0);
}

/* A pipelined sync asked of a connection that cannot give one (an
 * in-memory database) commits the plain way and still works. */
static void test_pipeline_unsupported(void **state)
{
    struct store_writer_options o;
    struct store_writer_stats st;
    struct store_writer *w = NULL;
    struct unit u;
    struct store *s;

    (void)state;
    store_writer_options_init(&o);
    o.pipeline_sync = true;
    assert_int_equal(store_open("sqlite::memory:", NULL, &s, NULL), POS_OK);
    assert_int_equal(store_exec(s, "CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT)"), POS_OK);
    assert_int_equal(store_writer_open(s, &o, &w), POS_OK);
    unit_init(&u, NULL, U_INSERT, 7);
    assert_int_equal(store_writer_submit(w, &u.work), POS_OK);
    assert_int_equal(store_writer_shutdown(w), POS_OK);
    store_writer_stats(w, &st);
    assert_false(st.pipelined);
    assert_int_equal(st.units, 1);
    assert_int_equal(u.rc, POS_OK);
    assert_int_equal(store_writer_close(w), POS_OK);
}

/* One batch: a failing unit is undone alone; a reading unit sees the
 * earlier units of its own batch (read-your-writes through the writer). */
static void test_isolation_in_batch(void **state)
{
    struct fx *f = *state;
    struct store_writer *w = writer_new(f, 0, 0);
    struct store_writer_stats st;
    struct unit gate_unit, a, b, c, rd, rd2, tx;
    struct gate g;

    block_writer(w, &gate_unit, &g, f, 1000);
    unit_init(&a, f, U_INSERT, 1);
    unit_init(&b, f, U_INSERT_FAIL, 2);
    unit_init(&c, f, U_INSERT, 3);
    unit_init(&rd, f, U_READ, 0);
    rd.peer = 3;
    unit_init(&rd2, f, U_READ, 0);
    rd2.peer = 2;
    unit_init(&tx, f, U_TX_CALLS, 4);
    assert_int_equal(store_writer_submit(w, &a.work), POS_OK);
    assert_int_equal(store_writer_submit(w, &b.work), POS_OK);
    assert_int_equal(store_writer_submit(w, &c.work), POS_OK);
    assert_int_equal(store_writer_submit(w, &rd.work), POS_OK);
    assert_int_equal(store_writer_submit(w, &rd2.work), POS_OK);
    assert_int_equal(store_writer_submit(w, &tx.work), POS_OK);
    gate_open(&g);
    assert_int_equal(store_writer_shutdown(w), POS_OK);
    store_writer_stats(w, &st);
    assert_int_equal(store_writer_close(w), POS_OK);
    gate_clear(&g);

    assert_int_equal(st.batches, 2); /* [gate] [a b c rd rd2 tx] */
    assert_int_equal(st.batch_hist[3], 1);
    assert_int_equal(a.rc, POS_OK);
    assert_int_equal(b.rc, POS_ERR_CONSTRAINT);
    assert_int_equal(c.rc, POS_OK);
    assert_int_equal(rd.rc, POS_OK);
    assert_int_equal(rd.seen, 1);
    assert_int_equal(rd2.seen, 0);
    /* a unit cannot end the writer's transaction through the API */
    assert_int_equal(tx.rc, POS_OK);
    assert_int_equal(tx.tx_rc[0], POS_ERR_INVAL);
    assert_int_equal(tx.tx_rc[1], POS_ERR_INVAL);
    assert_int_equal(tx.tx_rc[2], POS_ERR_INVAL);
    assert_true(has_row(f->s, 1));
    assert_false(has_row(f->s, 2));
    assert_true(has_row(f->s, 3));
    assert_true(has_row(f->s, 4));
    assert_int_equal(st.units_failed, 1);
    /* the batch ran once without savepoints up to b, then all again with */
    assert_int_equal(gate_unit.runs, 1);
    assert_int_equal(a.runs, 2);
    assert_int_equal(b.runs, 2);
    assert_int_equal(c.runs, 1);
    assert_int_equal(tx.runs, 1);
}

/* A failed COMMIT (a deferred foreign key) fails every unit of the batch
 * and applies none; the next batch is unaffected. */
static void test_commit_failure(void **state)
{
    struct fx *f = *state;
    struct store_writer *w = writer_new(f, 0, 0);
    struct store_writer_stats st;
    struct unit gate_unit, a, b, c, d, e;
    struct gate g;

    block_writer(w, &gate_unit, &g, f, 1000);
    unit_init(&a, f, U_INSERT, 1);
    unit_init(&b, f, U_DEFERRED_BAD, 2);
    unit_init(&c, f, U_INSERT_FAIL, 3);
    unit_init(&d, f, U_INSERT, 4);
    assert_int_equal(store_writer_submit(w, &a.work), POS_OK);
    assert_int_equal(store_writer_submit(w, &b.work), POS_OK);
    assert_int_equal(store_writer_submit(w, &c.work), POS_OK);
    assert_int_equal(store_writer_submit(w, &d.work), POS_OK);
    gate_open(&g);
    /* wait for that batch, then one more unit in a batch of its own */
    while (atomic_load(&d.done_calls) == 0)
        usleep(1000);
    unit_init(&e, f, U_INSERT, 5);
    assert_int_equal(store_writer_submit(w, &e.work), POS_OK);
    assert_int_equal(store_writer_shutdown(w), POS_OK);
    store_writer_stats(w, &st);
    assert_int_equal(store_writer_close(w), POS_OK);
    gate_clear(&g);

    assert_int_equal(a.rc, POS_ERR_CONSTRAINT);
    assert_int_equal(b.rc, POS_ERR_CONSTRAINT);
    assert_int_equal(c.rc, POS_ERR_CONSTRAINT); /* its own error, also a constraint */
    assert_int_equal(d.rc, POS_ERR_CONSTRAINT);
    assert_int_equal(e.rc, POS_OK);
    assert_false(has_row(f->s, 1));
    assert_false(has_row(f->s, 4));
    assert_true(has_row(f->s, 5));
    assert_true(has_row(f->s, 1000));
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM child"), 0);
    assert_int_equal(st.commits_failed, 1);
    assert_int_equal(st.units_failed, 4);
}

/* The database dropping the transaction under a unit (simulated with a raw
 * ROLLBACK): the units of that transaction fail, the rest commit. */
static void test_transaction_lost(void **state)
{
    struct fx *f = *state;
    struct store_writer *w = writer_new(f, 0, 0);
    struct store_writer_stats st;
    struct unit gate_unit, a, b, c, d;
    struct gate g;

    block_writer(w, &gate_unit, &g, f, 1000);
    unit_init(&a, f, U_INSERT, 1);
    unit_init(&b, f, U_RAW_ROLLBACK, 2);
    unit_init(&c, f, U_INSERT, 3);
    unit_init(&d, f, U_INSERT_FAIL, 4);
    assert_int_equal(store_writer_submit(w, &a.work), POS_OK);
    assert_int_equal(store_writer_submit(w, &b.work), POS_OK);
    assert_int_equal(store_writer_submit(w, &c.work), POS_OK);
    assert_int_equal(store_writer_submit(w, &d.work), POS_OK);
    gate_open(&g);
    assert_int_equal(store_writer_shutdown(w), POS_OK);
    store_writer_stats(w, &st);
    assert_int_equal(store_writer_close(w), POS_OK);
    gate_clear(&g);

    assert_int_equal(a.rc, POS_ERR_DB);
    assert_int_equal(b.rc, POS_ERR_DB);
    assert_int_equal(c.rc, POS_OK);
    assert_int_equal(d.rc, POS_ERR_CONSTRAINT);
    assert_false(has_row(f->s, 1));
    assert_false(has_row(f->s, 2));
    assert_true(has_row(f->s, 3));
    assert_false(has_row(f->s, 4));
    assert_int_equal(st.commits_failed, 1);
    assert_int_equal(st.batches, 3); /* [gate] [a b] [c d] */
}

/* done runs after the COMMIT: a new connection opened inside done sees the
 * unit's row. */
static void test_done_after_commit(void **state)
{
    struct fx *f = *state;
    struct store_writer *w = writer_new(f, 0, 0);
    struct unit units[24];
    struct submitter sb[2];
    pthread_t t[2];
    int i;

    for (i = 0; i < 24; i++) {
        unit_init(&units[i], f, U_INSERT, i + 1);
        units[i].check_visible = true;
    }
    for (i = 0; i < 2; i++) {
        sb[i].w = w;
        sb[i].units = units + i * 12;
        sb[i].n = 12;
        sb[i].submit_failures = 0;
        assert_int_equal(pthread_create(&t[i], NULL, submit_all, &sb[i]), 0);
    }
    for (i = 0; i < 2; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(sb[i].submit_failures, 0);
    }
    assert_int_equal(store_writer_close(w), POS_OK);
    for (i = 0; i < 24; i++) {
        assert_int_equal(units[i].rc, POS_OK);
        assert_int_equal(units[i].seen, 1);
    }
}

struct shutter {
    struct store_writer *w;
    int rc;
};

static void *shut(void *arg)
{
    struct shutter *sh = arg;

    sh->rc = store_writer_shutdown(sh->w);
    return NULL;
}

/* Shutdown drains the queue; later submissions fail at once and their done
 * is never called; done cannot shut the writer down from inside. */
static void test_shutdown(void **state)
{
    struct fx *f = *state;
    struct store_writer *w = writer_new(f, 8, 0);
    struct store_writer_stats st;
    struct unit gate_unit, units[50], probe[2], late[64];
    struct shutter sh = {w, 1};
    struct gate g;
    pthread_t t;
    int i, accepted = 0;

    block_writer(w, &gate_unit, &g, f, 1000);
    for (i = 0; i < 50; i++) {
        unit_init(&units[i], f, U_INSERT, i + 1);
        assert_int_equal(store_writer_submit(w, &units[i].work), POS_OK);
    }
    /* this unit's done tries to resubmit (probe[1]) and to shut down/close */
    unit_init(&probe[0], f, U_INSERT, 60);
    unit_init(&probe[1], f, U_INSERT, 61);
    probe[0].w = w;
    assert_int_equal(store_writer_submit(w, &probe[0].work), POS_OK);
    assert_int_equal(pthread_create(&t, NULL, shut, &sh), 0);
    /* submit until the shutdown has begun; what got in before still runs */
    for (;;) {
        assert_true(accepted < 64);
        unit_init(&late[accepted], f, U_INSERT, 100 + accepted);
        if (store_writer_submit(w, &late[accepted].work) == POS_ERR_CLOSED)
            break;
        accepted++;
        usleep(200);
    }
    gate_open(&g);
    pthread_join(t, NULL);
    assert_int_equal(sh.rc, POS_OK);
    for (i = 0; i < 50; i++) {
        assert_int_equal(atomic_load(&units[i].done_calls), 1);
        assert_int_equal(units[i].rc, POS_OK);
    }
    for (i = 0; i < accepted; i++) {
        assert_int_equal(atomic_load(&late[i].done_calls), 1);
        assert_int_equal(late[i].rc, POS_OK);
    }
    assert_int_equal(atomic_load(&late[accepted].done_calls), 0); /* refused: never called */
    assert_int_equal(atomic_load(&probe[0].done_calls), 1);
    assert_int_equal(probe[0].rc, POS_OK);
    assert_int_equal(probe[0].resubmit_rc, POS_ERR_CLOSED);
    assert_int_equal(probe[0].shutdown_rc, POS_ERR_INVAL);
    assert_int_equal(probe[0].close_rc, POS_ERR_INVAL);
    assert_int_equal(atomic_load(&probe[1].done_calls), 0);
    assert_int_equal(store_writer_submit(w, &late[accepted].work), POS_ERR_CLOSED);
    assert_int_equal(store_writer_shutdown(w), POS_OK);
    store_writer_stats(w, &st);
    assert_int_equal(st.units, 52 + (uint64_t)accepted);
    assert_int_equal(store_writer_close(w), POS_OK);
    gate_clear(&g);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM t"), 52 + accepted);
    assert_false(has_row(f->s, 61));
}

/* A full queue refuses at once. */
static void test_queue_limit(void **state)
{
    struct fx *f = *state;
    struct store_writer *w = writer_new(f, 0, 2);
    struct unit gate_unit, units[3];
    struct gate g;
    int i;

    block_writer(w, &gate_unit, &g, f, 1000);
    for (i = 0; i < 3; i++)
        unit_init(&units[i], f, U_INSERT, i + 1);
    assert_int_equal(store_writer_submit(w, &units[0].work), POS_OK);
    assert_int_equal(store_writer_submit(w, &units[1].work), POS_OK);
    assert_int_equal(store_writer_submit(w, &units[2].work), POS_ERR_BUSY);
    gate_open(&g);
    assert_int_equal(store_writer_close(w), POS_OK);
    gate_clear(&g);
    assert_int_equal(atomic_load(&units[2].done_calls), 0);
    assert_int_equal(units[1].rc, POS_OK);
}

/* ---- crash durability ---------------------------------------------- */

#define CRASH_ROUNDS  5
#define CRASH_THREADS 4

struct crash_unit {
    struct store_work work;
    int64_t id;
    int fd;
};

static atomic_int crash_inflight;

static int crash_run(struct store *s, void *arg)
{
    struct crash_unit *u = arg;

    return insert_id(s, u->id);
}

static void crash_done(void *arg, int rc)
{
    struct crash_unit *u = arg;
    ssize_t n;

    if (rc == POS_OK) {
        n = write(u->fd, &u->id, sizeof(u->id)); /* atomic: < PIPE_BUF */
        if (n != (ssize_t)sizeof(u->id))
            _exit(3);
    }
    free(u);
    atomic_fetch_sub(&crash_inflight, 1);
}

struct crash_arg {
    struct store_writer *w;
    int64_t base;
    int fd;
};

static void *crash_submitter(void *arg)
{
    struct crash_arg *a = arg;
    int64_t k;

    for (k = 0;; k++) {
        struct crash_unit *u = malloc(sizeof(*u));

        if (u == NULL)
            _exit(4);
        memset(u, 0, sizeof(*u));
        u->id = a->base + k;
        u->fd = a->fd;
        u->work.run = crash_run;
        u->work.done = crash_done;
        u->work.arg = u;
        while (atomic_load(&crash_inflight) > 256)
            usleep(100);
        atomic_fetch_add(&crash_inflight, 1);
        if (store_writer_submit(a->w, &u->work) != POS_OK)
            _exit(5);
    }
    return NULL;
}

/* The child: submits forever until SIGKILLed. */
static void crash_child(const char *url, int round, int fd)
{
    struct crash_arg a[CRASH_THREADS];
    struct store_writer *w;
    struct store *s;
    pthread_t t;
    int i;

    struct store_writer_options o;

    store_writer_options_init(&o);
    o.pipeline_sync = g_pipelined;
    if (store_open(url, NULL, &s, NULL) != POS_OK)
        _exit(6);
    if (store_writer_open(s, &o, &w) != POS_OK)
        _exit(7);
    for (i = 0; i < CRASH_THREADS; i++) {
        a[i].w = w;
        a[i].base = (int64_t)(round + 1) * 100000000 + (int64_t)i * 1000000;
        a[i].fd = fd;
        if (pthread_create(&t, NULL, crash_submitter, &a[i]) != 0)
            _exit(8);
    }
    for (;;)
        pause();
}

struct acks {
    int64_t *v;
    size_t n, cap;
    uint8_t part[8]; /* a pipe read may end inside an id */
    size_t partn;
};

/* Reads what the pipe has; returns read()'s result (0 at end of file). */
static ssize_t read_acks(int fd, struct acks *a)
{
    uint8_t buf[8192];
    ssize_t r = read(fd, buf, sizeof(buf));
    size_t i;

    for (i = 0; r > 0 && i < (size_t)r; i++) {
        a->part[a->partn++] = buf[i];
        if (a->partn == sizeof(a->part)) {
            a->partn = 0;
            assert_true(a->n < a->cap);
            memcpy(&a->v[a->n++], a->part, sizeof(a->part));
        }
    }
    return r;
}

/* SIGKILL a process committing through the writer at a random moment:
 * every id whose done reported POS_OK is in the database afterwards. */
static void test_crash_durability(void **state)
{
    struct fx *f = *state;
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    struct acks a = {0};
    size_t total = 0;
    int round;

    a.cap = 4000000;
    a.v = malloc(a.cap * sizeof(*a.v));
    assert_non_null(a.v);
    srand(seed);
    print_message("crash seed %u\n", seed);
    for (round = 0; round < CRASH_ROUNDS; round++) {
        struct timespec start, now;
        struct pollfd pfd;
        long wait_ms = 20 + rand() % 400, el;
        int fds[2], status;
        size_t i;
        pid_t pid;

        a.n = a.partn = 0;
        assert_int_equal(pipe(fds), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            crash_child(f->url, round, fds[1]);
            _exit(9);
        }
        close(fds[1]);
        /* wait for the first acknowledgement, then a random time more */
        pfd.fd = fds[0];
        pfd.events = POLLIN;
        while (a.n == 0) {
            assert_int_equal(poll(&pfd, 1, 30000), 1);
            assert_true(read_acks(fds[0], &a) > 0);
        }
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            el = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
            if (el >= wait_ms)
                break;
            if (poll(&pfd, 1, (int)(wait_ms - el)) == 1)
                assert_true(read_acks(fds[0], &a) > 0);
        }
        assert_int_equal(kill(pid, SIGKILL), 0);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        /* what the child wrote before it died is still in the pipe */
        while (read_acks(fds[0], &a) > 0)
            ;
        close(fds[0]);
        assert_int_equal(a.partn, 0);
        /* a fresh connection, as after a restart: recovery replays the WAL */
        store_close(f->s);
        f->s = NULL;
        assert_int_equal(store_open(f->url, NULL, &f->s, NULL), POS_OK);
        for (i = 0; i < a.n; i++) {
            if (!has_row(f->s, a.v[i]))
                fail_msg("round %d: acknowledged id %lld lost (seed %u)", round, (long long)a.v[i],
                         seed);
        }
        print_message("round %d: killed %ld ms after the first ack, %zu acknowledged ids"
                      " all present\n",
                      round, wait_ms, a.n);
        total += a.n;
    }
    assert_true(q_int(f->s, "SELECT count(*) FROM t") >= (int64_t)total);
    free(a.v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_options_and_bounds, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_many_threads, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_batch_stats, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_isolation_in_batch, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_commit_failure, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_transaction_lost, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_done_after_commit, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_shutdown, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_queue_limit, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_crash_durability, fx_setup, fx_teardown),
        cmocka_unit_test(test_pipeline_unsupported),
    };
    int failed;

    g_pipelined = false;
    failed = cmocka_run_group_tests_name("sync in COMMIT", tests, NULL, NULL);
    g_pipelined = true;
    failed += cmocka_run_group_tests_name("pipelined sync", tests, NULL, NULL);
    return failed;
}
