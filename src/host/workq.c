/* workq: worker threads over a bounded ring of tasks (see workq.h). */
#include "workq.h"

#include <pthread.h>
#include <stdbool.h>

#include "error.h"
#include "mem.h"

struct workq_task {
    workq_fn *fn;
    void *arg;
};

struct workq {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct workq_task *ring;
    size_t cap, head, count;
    bool closing;
    unsigned nthreads;
    pthread_t *threads;
};

static void *workq_main(void *arg)
{
    struct workq *wq = arg;
    struct workq_task t;

    pthread_mutex_lock(&wq->mu);
    for (;;) {
        while (wq->count == 0 && !wq->closing)
            pthread_cond_wait(&wq->cv, &wq->mu);
        if (wq->count == 0)
            break; /* closing and drained */
        t = wq->ring[wq->head];
        wq->head = (wq->head + 1) % wq->cap;
        wq->count--;
        pthread_mutex_unlock(&wq->mu);
        t.fn(t.arg);
        pthread_mutex_lock(&wq->mu);
    }
    pthread_mutex_unlock(&wq->mu);
    return NULL;
}

/* Stops and joins the first n threads of a half-built queue, then frees it. */
static void workq_destroy(struct workq *wq, unsigned n)
{
    unsigned i;

    pthread_mutex_lock(&wq->mu);
    wq->closing = true;
    pthread_cond_broadcast(&wq->cv);
    pthread_mutex_unlock(&wq->mu);
    for (i = 0; i < n; i++)
        pthread_join(wq->threads[i], NULL);
    pthread_cond_destroy(&wq->cv);
    pthread_mutex_destroy(&wq->mu);
    pos_free(wq->threads);
    pos_free(wq->ring);
    pos_free(wq);
}

int workq_new(unsigned nthreads, size_t max_queued, struct workq **out)
{
    struct workq *wq = NULL;
    unsigned started = 0;
    int rc = POS_OK;

    *out = NULL;
    if (nthreads == 0 || nthreads > 256 || max_queued == 0 || max_queued > (1u << 20))
        return POS_ERR_INVAL;
    wq = pos_calloc(1, sizeof(*wq));
    if (wq == NULL)
        return POS_ERR_NOMEM;
    pthread_mutex_init(&wq->mu, NULL);
    pthread_cond_init(&wq->cv, NULL);
    wq->cap = max_queued;
    wq->nthreads = nthreads;
    wq->ring = pos_calloc(max_queued, sizeof(*wq->ring));
    wq->threads = pos_calloc(nthreads, sizeof(*wq->threads));
    if (wq->ring == NULL || wq->threads == NULL) {
        rc = POS_ERR_NOMEM;
        goto out;
    }
    for (started = 0; started < nthreads; started++) {
        if (pthread_create(&wq->threads[started], NULL, workq_main, wq) != 0) {
            rc = POS_ERR_IO;
            goto out;
        }
    }
    *out = wq;
    wq = NULL;
out:
    if (wq != NULL)
        workq_destroy(wq, started);
    return rc;
}

int workq_submit(struct workq *wq, workq_fn *fn, void *arg)
{
    int rc = POS_OK;

    pthread_mutex_lock(&wq->mu);
    if (wq->closing)
        rc = POS_ERR_CLOSED;
    else if (wq->count == wq->cap)
        rc = POS_ERR_BUSY;
    else {
        wq->ring[(wq->head + wq->count) % wq->cap] = (struct workq_task){fn, arg};
        wq->count++;
        pthread_cond_signal(&wq->cv);
    }
    pthread_mutex_unlock(&wq->mu);
    return rc;
}

size_t workq_pending(struct workq *wq)
{
    size_t n;

    pthread_mutex_lock(&wq->mu);
    n = wq->count;
    pthread_mutex_unlock(&wq->mu);
    return n;
}

void workq_free(struct workq *wq)
{
    if (wq != NULL)
        workq_destroy(wq, wq->nthreads);
}
