/*
 * workq: a fixed pool of worker threads running submitted tasks in order of
 * submission (FIFO; with more than one thread, tasks run concurrently).
 *
 * posd runs CPU work here (MAC and PIN checks, commits' preparation) so the
 * event loop never blocks (STYLE.md rule 10). The queue is a bounded ring
 * allocated once: submitting allocates nothing, and a full queue is an
 * immediate POS_ERR_BUSY (back-pressure) rather than unbounded memory.
 *
 * Threading: workq_submit may be called from any thread, including a
 * worker. workq_free is called by the owner, from a thread that is not a
 * worker, when no other thread submits any more.
 */
#ifndef POSD_WORKQ_H
#define POSD_WORKQ_H

#include <stddef.h>

struct workq;

typedef void workq_fn(void *arg);

/* Starts nthreads workers (1..256) with room for max_queued waiting tasks
 * (1..1<<20). Returns POS_OK, POS_ERR_INVAL, POS_ERR_NOMEM or POS_ERR_IO
 * (a thread could not start; none is left running). */
int workq_new(unsigned nthreads, size_t max_queued, struct workq **out);

/* Queues fn(arg). Returns POS_OK (fn will run exactly once), POS_ERR_BUSY
 * (queue full) or POS_ERR_CLOSED (workq_free has begun); on an error fn is
 * never called and arg stays the caller's. */
int workq_submit(struct workq *wq, workq_fn *fn, void *arg);

/* Tasks queued and not yet started. */
size_t workq_pending(struct workq *wq);

/* Runs every task already queued, joins the workers and frees wq (NULL is a
 * no-op). Submissions during the call fail with POS_ERR_CLOSED. */
void workq_free(struct workq *wq);

#endif
