/*
 * bench/store: throughput of durable commits through the group-commit writer
 * (src/store/writer.h) on SQLite in WAL mode with synchronous=FULL.
 *
 * Each unit has the shape of an approved purchase: a journal row, a
 * transaction, two postings (4 inserts) and two balance updates. Prints, as
 * `name value unit` lines (DESIGN.md §8):
 *   store.commit.single  units/s with one unit per COMMIT (max_batch 1, one
 *                        submitter waiting for each done)
 *   store.commit.group   units/s with 64 submitting threads, each waiting for
 *                        its done before submitting again (like 64 terminals)
 *   store.batch.mean     mean units per COMMIT in the group run
 * The database lives in a fresh directory under $TMPDIR (or /tmp), which
 * must be on a real disk for the figures to mean anything.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/migrate.h"
#include "store/writer.h"

#define ACCOUNTS      1000
#define GROUP_THREADS 64
#define RUN_SECONDS   3.0

static const char *const bench_sql[] = {
    "CREATE TABLE account (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)",
    "CREATE TABLE journal (id INTEGER PRIMARY KEY, tid TEXT NOT NULL, stan INTEGER NOT NULL,"
    " amount INTEGER NOT NULL, rc TEXT NOT NULL, UNIQUE (tid, stan))",
    "CREATE TABLE txn (id INTEGER PRIMARY KEY, journal_id INTEGER NOT NULL REFERENCES"
    " journal (id), amount INTEGER NOT NULL)",
    "CREATE TABLE posting (id INTEGER PRIMARY KEY, txn_id INTEGER NOT NULL REFERENCES txn (id),"
    " account_id INTEGER NOT NULL REFERENCES account (id), amount INTEGER NOT NULL)",
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)"
    " INSERT INTO account (id, balance) SELECT i, 1000000000 FROM n",
    NULL,
};

static const struct store_migration bench_schema[] = {{1, "bench", bench_sql}};

struct client {
    struct store_work work;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
    int rc;
    int64_t stan;
    char tid[16];
    unsigned seed;
    struct store_writer *w;
    atomic_bool *stop;
    uint64_t count;
};

static int bench_step(struct store_stmt *st)
{
    int rc = store_step(st);

    return rc == STORE_DONE ? POS_OK : rc < 0 ? rc : POS_ERR_DB;
}

/* Steps an INSERT ... RETURNING id into *id. */
static int bench_returning(struct store_stmt *st, int64_t *id)
{
    int rc = store_step(st);

    if (rc != STORE_ROW)
        return rc < 0 ? rc : POS_ERR_DB;
    *id = store_column_int64(st, 0);
    return store_reset(st);
}

/* One purchase: journal, transaction, two postings, two balances. */
static int purchase_run(struct store *s, void *arg)
{
    struct client *c = arg;
    struct store_stmt *st;
    int64_t amount = 100 + rand_r(&c->seed) % 10000;
    int64_t payer = 1 + rand_r(&c->seed) % (ACCOUNTS - 1), merchant = ACCOUNTS;
    int64_t journal_id = 0, txn_id = 0;
    int rc;

    rc = store_prepare(s,
                       "INSERT INTO journal (tid, stan, amount, rc) VALUES (?, ?, ?, '00')"
                       " RETURNING id",
                       &st);
    if (rc == POS_OK) {
        store_bind_text(st, 1, c->tid, strlen(c->tid));
        store_bind_int64(st, 2, c->stan++);
        store_bind_int64(st, 3, amount);
        rc = bench_returning(st, &journal_id);
    }
    if (rc == POS_OK)
        rc = store_prepare(s, "INSERT INTO txn (journal_id, amount) VALUES (?, ?) RETURNING id",
                           &st);
    if (rc == POS_OK) {
        store_bind_int64(st, 1, journal_id);
        store_bind_int64(st, 2, amount);
        rc = bench_returning(st, &txn_id);
    }
    if (rc == POS_OK)
        rc = store_prepare(s, "INSERT INTO posting (txn_id, account_id, amount) VALUES (?, ?, ?)",
                           &st);
    if (rc == POS_OK) {
        store_bind_int64(st, 1, txn_id);
        store_bind_int64(st, 2, payer);
        store_bind_int64(st, 3, -amount);
        rc = bench_step(st);
    }
    if (rc == POS_OK) {
        store_bind_int64(st, 2, merchant);
        store_bind_int64(st, 3, amount);
        rc = bench_step(st);
    }
    if (rc == POS_OK)
        rc = store_prepare(s, "UPDATE account SET balance = balance + ? WHERE id = ?", &st);
    if (rc == POS_OK) {
        store_bind_int64(st, 1, -amount);
        store_bind_int64(st, 2, payer);
        rc = bench_step(st);
    }
    if (rc == POS_OK) {
        store_bind_int64(st, 1, amount);
        store_bind_int64(st, 2, merchant);
        rc = bench_step(st);
    }
    return rc;
}

static void purchase_done(void *arg, int rc)
{
    struct client *c = arg;

    pthread_mutex_lock(&c->mu);
    c->rc = rc;
    c->done = true;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static void *client_main(void *arg)
{
    struct client *c = arg;

    while (!atomic_load_explicit(c->stop, memory_order_relaxed)) {
        c->done = false;
        if (store_writer_submit(c->w, &c->work) != POS_OK)
            break;
        pthread_mutex_lock(&c->mu);
        while (!c->done)
            pthread_cond_wait(&c->cv, &c->mu);
        pthread_mutex_unlock(&c->mu);
        if (c->rc != POS_OK) {
            fprintf(stderr, "bench-store: unit failed: %s\n", pos_strerror(c->rc));
            break;
        }
        c->count++;
    }
    return NULL;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs nthreads closed-loop clients for RUN_SECONDS: units/s into *tps,
 * mean units per commit into *mean. */
static int bench_run(const char *url, size_t max_batch, int nthreads, double *tps, double *mean)
{
    struct store_writer_options o;
    struct store_writer_stats st;
    struct store_writer *w = NULL;
    struct store *s = NULL;
    struct client *c = calloc((size_t)nthreads, sizeof(*c));
    pthread_t *t = calloc((size_t)nthreads, sizeof(*t));
    atomic_bool stop;
    uint64_t total = 0;
    double t0, t1;
    int i, started = 0, rc;

    atomic_init(&stop, false);
    if (c == NULL || t == NULL) {
        rc = POS_ERR_NOMEM;
        goto out;
    }
    rc = store_open(url, NULL, &s, NULL);
    if (rc != POS_OK)
        goto out;
    store_writer_options_init(&o);
    o.max_batch = max_batch;
    rc = store_writer_open(s, &o, &w);
    if (rc != POS_OK)
        goto out;
    s = NULL;
    t0 = now_s();
    for (i = 0; i < nthreads; i++) {
        c[i].work.run = purchase_run;
        c[i].work.done = purchase_done;
        c[i].work.arg = &c[i];
        pthread_mutex_init(&c[i].mu, NULL);
        pthread_cond_init(&c[i].cv, NULL);
        snprintf(c[i].tid, sizeof(c[i].tid), "T%zu-%d", max_batch, i);
        c[i].seed = (unsigned)i * 7919u + 1;
        c[i].w = w;
        c[i].stop = &stop;
        if (pthread_create(&t[i], NULL, client_main, &c[i]) != 0) {
            rc = POS_ERR_IO;
            break;
        }
        started++;
    }
    while (rc == POS_OK && now_s() - t0 < RUN_SECONDS)
        usleep(10000);
    atomic_store(&stop, true);
    for (i = 0; i < started; i++) {
        pthread_join(t[i], NULL);
        total += c[i].count;
    }
    t1 = now_s();
    store_writer_stats(w, &st);
    *tps = (double)total / (t1 - t0);
    *mean = st.batches != 0 ? (double)st.units / (double)st.batches : 0.0;
    for (i = 0; i < started; i++) {
        pthread_cond_destroy(&c[i].cv);
        pthread_mutex_destroy(&c[i].mu);
    }
out:
    store_writer_close(w);
    store_close(s);
    free(t);
    free(c);
    return rc;
}

static void bench_unlink(const char *dir, const char *name)
{
    char path[700];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    unlink(path);
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    char dir[512], url[640];
    struct pos_errdetail d;
    struct store *s = NULL;
    double tps = 0, mean = 0;
    int rc;

    pos_errdetail_init(&d);
    snprintf(dir, sizeof(dir), "%s/pos-bench-store-XXXXXX",
             base != NULL && *base != '\0' ? base : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("bench-store: mkdtemp");
        return 1;
    }
    snprintf(url, sizeof(url), "sqlite:%s/bench.db", dir);
    rc = store_open(url, NULL, &s, &d);
    if (rc == POS_OK)
        rc = store_migrate(s, bench_schema, 1, NULL, &d);
    store_close(s);
    if (rc != POS_OK)
        goto out;
    rc = bench_run(url, 1, 1, &tps, &mean);
    if (rc != POS_OK)
        goto out;
    printf("store.commit.single %.0f tx/s\n", tps);
    fflush(stdout);
    rc = bench_run(url, STORE_WRITER_DEFAULT_MAX_BATCH, GROUP_THREADS, &tps, &mean);
    if (rc != POS_OK)
        goto out;
    printf("store.commit.group %.0f tx/s\n", tps);
    printf("store.batch.mean %.1f units\n", mean);
out:
    if (rc != POS_OK)
        fprintf(stderr, "bench-store: %s: %s\n", pos_strerror(rc), d.what);
    bench_unlink(dir, "bench.db");
    bench_unlink(dir, "bench.db-wal");
    bench_unlink(dir, "bench.db-shm");
    rmdir(dir);
    return rc == POS_OK ? 0 : 1;
}
