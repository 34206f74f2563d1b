/*
 * writer: group commit. One thread owns one read-write connection; any
 * thread submits units of work; the writer folds everything queued (up to
 * max_batch units) into one transaction, so one durable COMMIT (one WAL sync
 * under synchronous=FULL) carries many units.
 *
 * For each batch the writer runs BEGIN, run(s, arg) for each unit in
 * submission order, and COMMIT. If a unit fails, the writer rolls that
 * transaction back and runs the whole batch again, this time with each unit
 * inside SAVEPOINT ... RELEASE, or ROLLBACK TO + RELEASE if it failed
 * (ISO/IEC 9075-2:2016 clause 17.5-17.8), so a failing unit is undone alone
 * and the others still commit. So run may be called more than once for one
 * unit; only the last call's work is kept, and run must leave its outputs
 * as if it had been called once (set them, never accumulate) and act on
 * nothing outside the database. Only after the COMMIT returned comes
 * done(arg, rc) for each unit in submission order. The guarantee callers
 * build on: when done(arg, POS_OK) runs, the unit's work is on disk and
 * visible to every new read.
 *
 * rc given to done:
 *   - the unit's own error if its run failed (its work was rolled back);
 *   - otherwise POS_OK if its transaction committed;
 *   - otherwise the error that lost the transaction: a failed COMMIT
 *     (nothing of the batch was applied) or a transaction the database
 *     rolled back by itself under a unit (SQLite does so on some I/O, full-disk
 *     and out-of-memory errors): every unit of it gets that error, and the
 *     units after it run in a fresh transaction.
 *
 * Contracts (STYLE.md rule 10): store_writer_submit either fails at once
 * (and done is never called) or succeeds and done is called exactly once.
 * run executes on the writer thread, done there too (on the sync thread
 * with options.pipeline_sync, still in submission order): run must not begin, commit or
 * roll back (store_begin/commit/rollback fail with POS_ERR_INVAL there; raw
 * "COMMIT" through store_exec is forbidden) but may nest its own savepoints
 * and read (a unit that only reads sees all committed work and the earlier
 * units of its batch: that is how to read your own writes through the
 * writer); done must be quick (hand the result to another thread or event
 * loop) and may submit more work. Neither may call store_writer_shutdown or
 * store_writer_close. Deferred constraints are checked at COMMIT and so fail
 * the whole batch: the schemas used with the writer declare none.
 *
 * Readers use their own read-only connections (store_open with read_only):
 * in WAL mode they never block the writer, and they see every unit whose
 * done has run.
 */
#ifndef POS_STORE_WRITER_H
#define POS_STORE_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct store_writer;

/* A unit of work, owned by the submitter and kept valid (not moved, not
 * freed) from store_writer_submit until its done is called; done may free
 * it. Set run, done and arg; the writer owns next and rc meanwhile. */
struct store_work {
    int (*run)(struct store *s, void *arg); /* POS_OK keeps the work; a negative error undoes it */
    void (*done)(void *arg, int rc);        /* may be NULL */
    void *arg;
    struct store_work *next; /* private to the writer */
    int rc;                  /* private to the writer */
};

struct store_writer_options {
    size_t max_batch; /* most units per transaction (1 disables grouping) */
    size_t max_queue; /* most units waiting; more are refused with POS_ERR_BUSY */
    /* Optional: called on the writer thread with the size of every batch it
     * ran (before the batch's done callbacks), e.g. to feed a metrics
     * histogram. Must be quick and must not call the writer. */
    void (*on_batch)(void *ud, size_t units);
    void *on_batch_ud;
    /* Pipelined sync: COMMIT returns before the disk has the batch; a sync
     * thread makes each committed batch durable (SQLite: fdatasync of the
     * WAL, sqlite_sync.c) and only then calls its dones, while the writer
     * runs the next batch. The guarantee to done is the same; done runs on
     * the sync thread instead of the writer thread. Backends that cannot
     * (an in-memory SQLite database) commit durably the plain way. */
    bool pipeline_sync;
};

#define STORE_WRITER_DEFAULT_MAX_BATCH 512
#define STORE_WRITER_DEFAULT_MAX_QUEUE 65536
#define STORE_WRITER_LIMIT             1048576 /* cap on both options */

/* Batch-size histogram: bucket i counts batches of size in
 * (store_writer_hist_bound(i - 1), store_writer_hist_bound(i)], the bounds
 * being 1, 2, 4, ..., 512 and then UINT64_MAX. */
#define STORE_WRITER_HIST_BUCKETS 11

struct store_writer_stats {
    uint64_t batches;        /* transactions the writer committed or tried to */
    uint64_t units;          /* units whose done was called */
    uint64_t units_failed;   /* ... with an error */
    uint64_t commits_failed; /* transactions lost (failed COMMIT or rolled back) */
    uint64_t queued;         /* units waiting right now */
    uint64_t syncs;          /* pipelined syncs run */
    uint64_t syncs_failed;   /* ... failed (every later answer is an error) */
    bool pipelined;          /* the sync is pipelined */
    uint64_t batch_hist[STORE_WRITER_HIST_BUCKETS];
};

void store_writer_options_init(struct store_writer_options *o);

/* Starts the writer thread on s, a read-write connection with no open
 * transaction. opt may be NULL (defaults). On POS_OK the writer owns s (it is
 * closed by store_writer_close) and *out is the new writer; on failure
 * (POS_ERR_INVAL for bad options or a busy s, POS_ERR_NOMEM, POS_ERR_IO if no
 * thread could be created) the caller keeps s and *out is NULL. The writer
 * thread blocks every signal. */
int store_writer_open(struct store *s, const struct store_writer_options *opt,
                      struct store_writer **out);

/* Queues work (see struct store_work). POS_OK: done will be called exactly
 * once. POS_ERR_CLOSED after shutdown began, POS_ERR_BUSY when max_queue
 * units wait, POS_ERR_INVAL for a NULL work or run: then done is never
 * called. Thread-safe; callable from run and done. */
int store_writer_submit(struct store_writer *w, struct store_work *work);

/* Stops accepting work (later submissions get POS_ERR_CLOSED), lets the
 * writer finish everything already queued (every done is called), and joins
 * its thread. Idempotent and thread-safe; w stays valid for
 * store_writer_stats until store_writer_close. POS_ERR_INVAL if called from
 * the writer thread (run or done), which would wait for itself. */
int store_writer_shutdown(struct store_writer *w);

/* store_writer_shutdown, then closes the connection and frees w.
 * store_writer_close(NULL) is a no-op returning POS_OK; POS_ERR_INVAL (and
 * nothing done) from the writer thread. */
int store_writer_close(struct store_writer *w);

/* Copies the counters (each read atomically; thread-safe). */
void store_writer_stats(struct store_writer *w, struct store_writer_stats *out);

/* The upper bound of histogram bucket i (UINT64_MAX for the last; 0 for i
 * out of range). */
uint64_t store_writer_hist_bound(size_t i);

#endif
