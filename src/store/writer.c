/*
 * writer: the group-commit thread (contract in writer.h).
 *
 * The queue is an intrusive singly linked list of the submitters' own
 * struct store_work, under one mutex: submitting allocates nothing. The
 * thread takes up to max_batch units at once and runs them in one
 * transaction without savepoints (again, with one savepoint each, when a
 * unit failed); with a pipelined sync it keeps adding units to that
 * transaction while the sync thread is busy; it commits once and only then
 * are the dones called, out of the lock (a done may submit again).
 * Counters are C11 atomics written by the writer thread alone and read by
 * anyone (for /metrics).
 */
#include "store/writer.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "mem.h"
#include "store/store_int.h"

#define WRITER_SAVEPOINT "store_writer_unit"

struct store_writer {
    struct store *s;
    size_t max_batch, max_queue;
    void (*on_batch)(void *ud, size_t units);
    void *on_batch_ud;
    pthread_t thread;
    pthread_mutex_t mu; /* guards head, tail, count, stopping */
    pthread_cond_t cv;  /* signalled on submit and on stop */
    struct store_work *head, *tail;
    size_t count;
    bool stopping;
    pthread_mutex_t join_mu; /* serializes concurrent shutdowns */
    bool joined;
    atomic_bool running; /* cleared by the writer thread as it exits */
    /* pipelined sync */
    bool pipelined;
    pthread_t syncer;
    pthread_mutex_t smu; /* guards shead, stail, sstop */
    pthread_cond_t scv;
    struct store_work *shead, *stail; /* committed, waiting for the sync */
    bool sstop, syncer_started;
    int sync_rc; /* the sync thread's: sticky first failure */
    /* Set when a batch is handed to the sync thread, cleared by it once it
     * has nothing left to sync. While it is set a commit could not become
     * durable any sooner, so the writer keeps its transaction open and
     * runs more units in it (a bigger batch, the same latency). */
    atomic_bool sync_busy;
    atomic_bool syncing; /* cleared by the sync thread as it exits */
    _Atomic uint64_t batches, units, units_failed, commits_failed, queued, syncs, syncs_failed;
    _Atomic uint64_t hist[STORE_WRITER_HIST_BUCKETS];
};

void store_writer_options_init(struct store_writer_options *o)
{
    o->max_batch = STORE_WRITER_DEFAULT_MAX_BATCH;
    o->max_queue = STORE_WRITER_DEFAULT_MAX_QUEUE;
    o->on_batch = NULL;
    o->on_batch_ud = NULL;
    o->pipeline_sync = false;
}

uint64_t store_writer_hist_bound(size_t i)
{
    if (i >= STORE_WRITER_HIST_BUCKETS)
        return 0;
    if (i == STORE_WRITER_HIST_BUCKETS - 1)
        return UINT64_MAX;
    return (uint64_t)1 << i;
}

static void writer_add(_Atomic uint64_t *c, uint64_t n)
{
    atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static void writer_count_batch(struct store_writer *w, size_t n)
{
    size_t i = 0;

    while (i < STORE_WRITER_HIST_BUCKETS - 1 && n > store_writer_hist_bound(i))
        i++;
    writer_add(&w->hist[i], 1);
    writer_add(&w->batches, 1);
    if (w->on_batch != NULL && n > 0)
        w->on_batch(w->on_batch_ud, n);
}

/* Units [from, to) lost their transaction: those that had succeeded get rc. */
static void writer_lose(struct store_writer *w, struct store_work *from, struct store_work *to,
                        int rc)
{
    for (; from != to; from = from->next) {
        if (from->rc == POS_OK)
            from->rc = rc;
    }
    writer_add(&w->commits_failed, 1);
}

/* Runs one unit inside its savepoint. Returns POS_OK while the transaction
 * is intact (u->rc holds the unit's result), or the error that lost it. */
static int writer_unit(struct store *s, struct store_work *u)
{
    int rc;

    rc = store_savepoint(s, WRITER_SAVEPOINT);
    if (rc != POS_OK)
        return rc;
    store__set_writer_owned(s, true);
    u->rc = u->run(s, u->arg);
    store__set_writer_owned(s, false);
    if (u->rc > 0)
        u->rc = POS_ERR_INVAL; /* run returns POS_OK or a negative error */
    if (!store_is_in_transaction(s))
        return store__fail(s, u->rc != POS_OK ? u->rc : POS_ERR_DB,
                           "the database rolled the transaction back");
    if (u->rc != POS_OK) {
        rc = store_rollback_to(s, WRITER_SAVEPOINT);
        if (rc != POS_OK)
            return rc;
    }
    return store_release(s, WRITER_SAVEPOINT);
}

/* Runs the units of list in the open transaction, no savepoints. false
 * when one failed or the transaction was lost: it is then rolled back, and
 * nothing of the batch is applied. */
static bool writer_fast_units(struct store_writer *w, struct store_work *list)
{
    struct store *s = w->s;
    struct store_work *u;

    for (u = list; u != NULL; u = u->next) {
        store__set_writer_owned(s, true);
        u->rc = u->run(s, u->arg);
        store__set_writer_owned(s, false);
        if (u->rc != POS_OK || !store_is_in_transaction(s)) {
            if (store_is_in_transaction(s))
                store_rollback(s);
            return false;
        }
    }
    return true;
}

/* Commits the open transaction of the n units from first on (all run). A
 * failed COMMIT (a deferred constraint, I/O) may leave the transaction
 * open: nothing of it is applied either way, and its units get the error. */
static void writer_commit(struct store_writer *w, struct store_work *first, size_t n)
{
    struct store *s = w->s;
    int rc;

    writer_count_batch(w, n);
    rc = store_commit(s);
    if (rc != POS_OK) {
        if (store_is_in_transaction(s))
            store_rollback(s);
        writer_lose(w, first, NULL, rc);
    }
}

/* The slow way, after a unit of the batch failed: the units from first in
 * one transaction (more only if the database drops one under a unit), each
 * inside its own savepoint so that it is undone alone; each unit's outcome
 * left in its rc. */
static void writer_run_safe(struct store_writer *w, struct store_work *first)
{
    struct store *s = w->s;
    struct store_work *start = first, *u;
    size_t in_tx = 0;
    int rc;

    for (u = first; u != NULL; u = u->next)
        u->rc = POS_OK;
    rc = store_begin(s);
    if (rc != POS_OK) {
        writer_lose(w, first, NULL, rc);
        goto out;
    }
    for (u = first; u != NULL; u = u->next) {
        rc = writer_unit(s, u);
        in_tx++;
        if (rc == POS_OK)
            continue;
        /* The transaction is gone or in doubt: undo it, fail its units, go
         * on with the rest in a new one. */
        if (store_is_in_transaction(s))
            store_rollback(s);
        writer_count_batch(w, in_tx);
        writer_lose(w, start, u->next, rc);
        start = u->next;
        in_tx = 0;
        if (start == NULL)
            goto out;
        rc = store_begin(s);
        if (rc != POS_OK) {
            writer_lose(w, start, NULL, rc);
            goto out;
        }
    }
    writer_commit(w, start, in_tx);
out:
    return;
}

static void writer_finish(struct store_writer *w, struct store_work *u)
{
    while (u != NULL) {
        struct store_work *next = u->next; /* done may free u */
        int rc = u->rc;

        writer_add(&w->units, 1);
        if (rc != POS_OK)
            writer_add(&w->units_failed, 1);
        if (u->done != NULL)
            u->done(u->arg, rc);
        u = next;
    }
}

/* Hands a committed batch to the sync thread. */
static void writer_to_sync(struct store_writer *w, struct store_work *batch)
{
    struct store_work *last = batch;

    while (last->next != NULL)
        last = last->next;
    pthread_mutex_lock(&w->smu);
    if (w->stail != NULL)
        w->stail->next = batch;
    else
        w->shead = batch;
    w->stail = last;
    atomic_store(&w->sync_busy, true);
    pthread_cond_signal(&w->scv);
    pthread_mutex_unlock(&w->smu);
}

/* The sync thread: takes every batch committed so far, makes them durable
 * with one sync, answers them, and again. */
static void *writer_sync_main(void *arg)
{
    struct store_writer *w = arg;
    struct store_work *list, *u;
    int rc;

    pthread_mutex_lock(&w->smu);
    for (;;) {
        while (w->shead == NULL && !w->sstop) {
            if (atomic_load(&w->sync_busy)) {
                /* idle: the writer may be holding a batch open for us */
                atomic_store(&w->sync_busy, false);
                pthread_mutex_unlock(&w->smu);
                pthread_mutex_lock(&w->mu);
                pthread_cond_broadcast(&w->cv);
                pthread_mutex_unlock(&w->mu);
                pthread_mutex_lock(&w->smu);
                continue;
            }
            pthread_cond_wait(&w->scv, &w->smu);
        }
        if (w->shead == NULL)
            break; /* stopping and drained */
        list = w->shead;
        w->shead = w->stail = NULL;
        pthread_mutex_unlock(&w->smu);
        rc = w->sync_rc;
        if (rc == POS_OK) {
            rc = w->s->ops->sync(w->s);
            writer_add(&w->syncs, 1);
            if (rc != POS_OK) {
                writer_add(&w->syncs_failed, 1);
                w->sync_rc = rc;
            }
        }
        if (rc != POS_OK) {
            for (u = list; u != NULL; u = u->next) {
                if (u->rc == POS_OK)
                    u->rc = rc;
            }
        }
        writer_finish(w, list);
        pthread_mutex_lock(&w->smu);
    }
    pthread_mutex_unlock(&w->smu);
    atomic_store(&w->syncing, false);
    return NULL;
}

/* Takes up to max units off the queue (w->mu held); *n gets how many and
 * *tail the last of them. */
static struct store_work *writer_take(struct store_writer *w, size_t max, size_t *n,
                                      struct store_work **tail)
{
    struct store_work *first = w->head, *last = w->head;

    for (*n = 1; *n < max && last->next != NULL; (*n)++)
        last = last->next;
    w->head = last->next;
    if (w->head == NULL)
        w->tail = NULL;
    last->next = NULL;
    w->count -= *n;
    atomic_store_explicit(&w->queued, w->count, memory_order_relaxed);
    *tail = last;
    return first;
}

static void *writer_main(void *arg)
{
    struct store_writer *w = arg;
    struct store_work *batch, *more, *last, *tail;
    size_t n, m;
    bool ok;

    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (w->head == NULL && !w->stopping)
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->head == NULL)
            break; /* stopping and drained */
        batch = writer_take(w, w->max_batch, &n, &last);
        pthread_mutex_unlock(&w->mu);
        ok = store_begin(w->s) == POS_OK && writer_fast_units(w, batch);
        /* While the sync thread is busy, more units join the transaction. */
        while (ok && w->pipelined && n < w->max_batch) {
            pthread_mutex_lock(&w->mu);
            while (w->head == NULL && !w->stopping && atomic_load(&w->sync_busy))
                pthread_cond_wait(&w->cv, &w->mu);
            if (w->head == NULL || w->stopping || !atomic_load(&w->sync_busy)) {
                pthread_mutex_unlock(&w->mu);
                break;
            }
            more = writer_take(w, w->max_batch - n, &m, &tail);
            pthread_mutex_unlock(&w->mu);
            last->next = more;
            last = tail;
            n += m;
            ok = writer_fast_units(w, more);
        }
        if (ok)
            writer_commit(w, batch, n);
        else
            writer_run_safe(w, batch);
        if (w->pipelined)
            writer_to_sync(w, batch);
        else
            writer_finish(w, batch);
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    atomic_store(&w->running, false);
    return NULL;
}

/* Lets the sync thread answer what it holds and joins it. */
static void writer_stop_syncer(struct store_writer *w)
{
    if (!w->syncer_started)
        return;
    pthread_mutex_lock(&w->smu);
    w->sstop = true;
    pthread_cond_signal(&w->scv);
    pthread_mutex_unlock(&w->smu);
    pthread_join(w->syncer, NULL);
    w->syncer_started = false;
}

int store_writer_open(struct store *s, const struct store_writer_options *opt,
                      struct store_writer **out)
{
    struct store_writer_options defaults;
    struct store_writer *w = NULL;
    sigset_t all, old;
    int rc;

    *out = NULL;
    if (opt == NULL) {
        store_writer_options_init(&defaults);
        opt = &defaults;
    }
    if (s == NULL || opt->max_batch == 0 || opt->max_batch > STORE_WRITER_LIMIT ||
        opt->max_queue == 0 || opt->max_queue > STORE_WRITER_LIMIT || store_is_in_transaction(s)) {
        rc = POS_ERR_INVAL;
        goto out;
    }
    w = pos_calloc(1, sizeof(*w));
    if (w == NULL) {
        rc = POS_ERR_NOMEM;
        goto out;
    }
    w->s = s;
    w->max_batch = opt->max_batch;
    w->max_queue = opt->max_queue;
    w->on_batch = opt->on_batch;
    w->on_batch_ud = opt->on_batch_ud;
    pthread_mutex_init(&w->mu, NULL);
    pthread_mutex_init(&w->join_mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    pthread_mutex_init(&w->smu, NULL);
    pthread_cond_init(&w->scv, NULL);
    if (opt->pipeline_sync && s->ops->defer_sync != NULL && s->ops->sync != NULL) {
        rc = s->ops->defer_sync(s);
        if (rc == POS_OK)
            w->pipelined = true;
        else if (rc != POS_ERR_UNSUPPORTED)
            goto out; /* UNSUPPORTED: commit durably the plain way */
    }
    /* The thread inherits a full signal mask: signals go to the program's
     * own threads (its event loop), never to the writer. */
    atomic_init(&w->running, true);
    atomic_init(&w->syncing, w->pipelined);
    atomic_init(&w->sync_busy, false);
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = POS_OK;
    if (w->pipelined) {
        if (pthread_create(&w->syncer, NULL, writer_sync_main, w) == 0)
            w->syncer_started = true;
        else
            rc = POS_ERR_IO;
    }
    if (rc == POS_OK && pthread_create(&w->thread, NULL, writer_main, w) != 0)
        rc = POS_ERR_IO;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != POS_OK)
        goto out;
    *out = w;
    w = NULL;
out:
    if (w != NULL) {
        writer_stop_syncer(w);
        pthread_cond_destroy(&w->scv);
        pthread_mutex_destroy(&w->smu);
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->join_mu);
        pthread_mutex_destroy(&w->mu);
        pos_free(w);
    }
    return rc;
}

int store_writer_submit(struct store_writer *w, struct store_work *work)
{
    int rc = POS_OK;

    if (work == NULL || work->run == NULL)
        return POS_ERR_INVAL;
    work->next = NULL;
    work->rc = POS_OK;
    pthread_mutex_lock(&w->mu);
    if (w->stopping) {
        rc = POS_ERR_CLOSED;
    } else if (w->count >= w->max_queue) {
        rc = POS_ERR_BUSY;
    } else {
        if (w->tail != NULL)
            w->tail->next = work;
        else
            w->head = work;
        w->tail = work;
        w->count++;
        atomic_store_explicit(&w->queued, w->count, memory_order_relaxed);
        pthread_cond_signal(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return rc;
}

int store_writer_shutdown(struct store_writer *w)
{
    /* While running is set, only the writer thread itself has its id. */
    if (atomic_load(&w->running) && pthread_equal(pthread_self(), w->thread))
        return POS_ERR_INVAL;
    if (atomic_load(&w->syncing) && pthread_equal(pthread_self(), w->syncer))
        return POS_ERR_INVAL;
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_mutex_lock(&w->join_mu);
    if (!w->joined) {
        pthread_join(w->thread, NULL);
        writer_stop_syncer(w); /* after the writer: it answers the last batches */
        w->joined = true;
    }
    pthread_mutex_unlock(&w->join_mu);
    return POS_OK;
}

int store_writer_close(struct store_writer *w)
{
    int rc;

    if (w == NULL)
        return POS_OK;
    rc = store_writer_shutdown(w);
    if (rc != POS_OK)
        return rc;
    store_close(w->s);
    pthread_cond_destroy(&w->scv);
    pthread_mutex_destroy(&w->smu);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->join_mu);
    pthread_mutex_destroy(&w->mu);
    pos_free(w);
    return POS_OK;
}

void store_writer_stats(struct store_writer *w, struct store_writer_stats *out)
{
    size_t i;

    memset(out, 0, sizeof(*out));
    out->batches = atomic_load_explicit(&w->batches, memory_order_relaxed);
    out->units = atomic_load_explicit(&w->units, memory_order_relaxed);
    out->units_failed = atomic_load_explicit(&w->units_failed, memory_order_relaxed);
    out->commits_failed = atomic_load_explicit(&w->commits_failed, memory_order_relaxed);
    out->queued = atomic_load_explicit(&w->queued, memory_order_relaxed);
    out->syncs = atomic_load_explicit(&w->syncs, memory_order_relaxed);
    out->syncs_failed = atomic_load_explicit(&w->syncs_failed, memory_order_relaxed);
    out->pipelined = w->pipelined;
    for (i = 0; i < STORE_WRITER_HIST_BUCKETS; i++)
        out->batch_hist[i] = atomic_load_explicit(&w->hist[i], memory_order_relaxed);
}
