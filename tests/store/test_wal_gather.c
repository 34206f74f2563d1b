/* Tests of the VFS that gathers a commit's WAL writes (src/store/
 * sqlite_vfs.c), which every file database opens with: a commit is in the
 * file before any other connection can see it (a reader reads every row of
 * each commit at once), commits larger than one write (SQLite's unix VFS
 * writes at most 128 KiB at a time), frames rewritten in place when a small
 * page cache spills, a process killed right after its commit keeps it
 * while one killed before its commit leaves nothing, and a gathered write
 * that fails after SQLite published its commit fails the sync that would
 * have released its answers. */
#include "testutil.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "store/store.h"
#include "store/store_int.h"
#include "storetest.h"

static char dir[128], path[256];

static int setup(void **state)
{
    (void)state;
    st_tmpdir_make(dir, sizeof(dir));
    st_path(dir, "g.db", path, sizeof(path));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    st_tmpdir_remove(dir);
    return 0;
}

static struct store *open_db(bool read_only, int cache_kib)
{
    struct store_options o;
    struct store *s = NULL;

    store_options_init(&o);
    o.read_only = read_only;
    if (cache_kib > 0)
        o.cache_kib = cache_kib;
    assert_int_equal(store_open(path, &o, &s, NULL), POS_OK);
    return s;
}

/* A writer on a new database with the test's table t. */
static struct store *open_table(int cache_kib)
{
    struct store *s = open_db(false, cache_kib);

    assert_int_equal(
        store_exec(s, "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL, b BLOB)"),
        POS_OK);
    return s;
}

static int64_t one(struct store *s, const char *sql)
{
    struct store_stmt *st;
    int64_t v;

    assert_int_equal(store_prepare(s, sql, &st), POS_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    v = store_column_int64(st, 0);
    store_reset(st);
    return v;
}

static void integrity_ok(struct store *s)
{
    struct store_stmt *st;
    const char *t;

    assert_int_equal(store_prepare(s, "PRAGMA integrity_check", &st), POS_OK);
    assert_int_equal(store_step(st), STORE_ROW);
    t = store_column_text(st, 0, NULL);
    assert_non_null(t);
    assert_string_equal(t, "ok");
    store_reset(st);
}

/* Inserts n rows of blob size bytes (each byte the row's number) in one
 * transaction. */
static void insert_rows(struct store *s, int first, int n, size_t size)
{
    static unsigned char blob[64 * 1024];
    struct store_stmt *st;
    int i;

    assert_true(size <= sizeof(blob));
    assert_int_equal(store_begin(s), POS_OK);
    assert_int_equal(store_prepare(s, "INSERT INTO t (id, v, b) VALUES (?, ?, ?)", &st), POS_OK);
    for (i = first; i < first + n; i++) {
        memset(blob, i & 0xff, size);
        store_bind_int64(st, 1, i);
        store_bind_int64(st, 2, i);
        store_bind_blob(st, 3, blob, size);
        assert_int_equal(store_step(st), STORE_DONE);
        store_reset(st);
    }
    assert_int_equal(store_commit(s), POS_OK);
}

/* Another connection sees each commit whole as soon as it returns: small
 * commits (one gathered write) and commits of hundreds of KiB (several),
 * made without a sync (synchronous=NORMAL, as posd's writer commits). */
static void test_commit_visible_at_once(void **state)
{
    struct store *w, *r;
    int64_t want = 0;
    int k, first = 1;

    (void)state;
    w = open_table(0);
    /* as posd's writer commits (pipelined sync): no sync at the commit, so
     * only the publication of the commit writes the gathered frames out */
    assert_int_equal(store_exec(w, "PRAGMA synchronous=NORMAL"), POS_OK);
    r = open_db(true, 0);
    for (k = 0; k < 40; k++) {
        int n = k % 4 == 0 ? 40 : 3; /* 40 x 8 KiB: over 300 KiB */
        size_t size = k % 4 == 0 ? 8192 : 100;

        insert_rows(w, first, n, size);
        for (int i = first; i < first + n; i++)
            want += i;
        first += n;
        assert_int_equal(one(r, "SELECT COUNT(*) FROM t"), first - 1);
        assert_int_equal(one(r, "SELECT SUM(v) FROM t"), want);
        /* the blobs read back as written: no frame was read before its write */
        assert_int_equal(one(r, "SELECT COUNT(*) FROM t WHERE length(b) NOT IN (100, 8192)"
                                " OR substr(b, 1, 1) <> substr(b, -1, 1)"),
                         0);
    }
    integrity_ok(r);
    store_close(r);
    store_close(w);
}

/* A page cache far smaller than the transaction: pages spill into the WAL
 * and are written again in place before the commit. */
static void test_spill_and_rewrite(void **state)
{
    struct store *w, *r;
    int round;

    (void)state;
    w = open_table(64);
    insert_rows(w, 1, 200, 2000);
    assert_int_equal(store_begin(w), POS_OK);
    for (round = 0; round < 5; round++)
        assert_int_equal(store_exec(w, "UPDATE t SET v = v + 1, b = zeroblob(2000 + id % 7)"),
                         POS_OK);
    assert_int_equal(store_commit(w), POS_OK);
    r = open_db(true, 0);
    assert_int_equal(one(r, "SELECT SUM(v) FROM t"), 200 * 201 / 2 + 5 * 200);
    assert_int_equal(one(r, "SELECT COUNT(*) FROM t WHERE length(b) <> 2000 + id % 7"), 0);
    integrity_ok(r);
    store_close(r);
    store_close(w);
}

/* A child commits, tells the parent, and is killed before it can close:
 * the commit stays. A child killed inside a transaction leaves nothing. */
static void test_killed_after_commit(void **state)
{
    struct store *s;
    int fds[2], status;
    char c;
    pid_t pid;

    (void)state;
    s = open_table(0);
    store_close(s);
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct store *k = NULL;

        close(fds[0]);
        if (store_open(path, NULL, &k, NULL) != POS_OK)
            _exit(2);
        insert_rows(k, 1, 50, 4000); /* committed */
        if (store_begin(k) != POS_OK ||
            store_exec(k, "INSERT INTO t (id, v, b) VALUES (1000, 1, zeroblob(90000))") != POS_OK)
            _exit(3);
        if (write(fds[1], "c", 1) != 1)
            _exit(4);
        for (;;)
            pause(); /* killed here: the open transaction is lost */
    }
    close(fds[1]);
    assert_int_equal(read(fds[0], &c, 1), 1);
    close(fds[0]);
    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    s = open_db(false, 0);
    assert_int_equal(one(s, "SELECT COUNT(*) FROM t"), 50);
    assert_int_equal(one(s, "SELECT COUNT(*) FROM t WHERE id = 1000"), 0);
    assert_int_equal(one(s, "SELECT SUM(v) FROM t"), 50 * 51 / 2);
    integrity_ok(s);
    store_close(s);
}

/* In a child limited in file size (writes past it fail with EFBIG):
 * commits without a sync (posd's writer), each followed by the deferred
 * sync, until one of them fails. Every commit whose sync succeeded must be
 * in the file afterwards, and once a sync has failed every later one fails
 * too. */
static void test_failed_write_fails_the_sync(void **state)
{
    struct store *s;
    char sql[128];
    int fds[2], status, acked = -1;
    pid_t pid;

    (void)state;
    s = open_table(0);
    store_close(s);
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit lim;
        struct stat st;
        char wal[300];
        int n = 0, i, rc = POS_OK;

        close(fds[0]);
        signal(SIGXFSZ, SIG_IGN);
        s = open_db(false, 0);
        if (s->ops->defer_sync(s) != POS_OK)
            _exit(2);
        insert_rows(s, 1, 1, 100); /* the WAL exists, with its header */
        if (s->ops->sync(s) != POS_OK)
            _exit(3);
        snprintf(wal, sizeof(wal), "%s-wal", path);
        if (stat(wal, &st) != 0)
            _exit(4);
        lim.rlim_cur = lim.rlim_max = (rlim_t)st.st_size + 200 * 1024;
        if (setrlimit(RLIMIT_FSIZE, &lim) != 0)
            _exit(5);
        for (i = 0; i < 100 && rc == POS_OK; i++) {
            static unsigned char blob[40000];
            struct store_stmt *st2;

            memset(blob, i, sizeof(blob));
            rc = store_begin(s);
            if (rc == POS_OK && (rc = store_prepare(s, "INSERT INTO t (id, v, b) VALUES (?, 1, ?)",
                                                    &st2)) == POS_OK) {
                store_bind_int64(st2, 1, 100 + i);
                store_bind_blob(st2, 2, blob, sizeof(blob));
                rc = store_step(st2) == STORE_DONE ? POS_OK : POS_ERR_DB;
                store_reset(st2);
            }
            rc = rc == POS_OK ? store_commit(s) : (store_rollback(s), rc);
            if (rc == POS_OK && (rc = s->ops->sync(s)) == POS_OK)
                n++; /* acknowledged: must be in the file */
        }
        if (rc == POS_OK)
            _exit(6); /* the limit was never reached */
        for (i = 0; i < 3; i++)
            if (s->ops->sync(s) == POS_OK && rc == POS_ERR_IO)
                _exit(7); /* a failed sync must stay failed */
        if (write(fds[1], &n, sizeof(n)) != (ssize_t)sizeof(n))
            _exit(8);
        _exit(0); /* no close: as a crash */
    }
    close(fds[1]);
    assert_int_equal(read(fds[0], &acked, sizeof(acked)), (ssize_t)sizeof(acked));
    close(fds[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_true(acked >= 1);
    /* the acknowledged commits are the first ones: ids 100 .. 100 + acked - 1 */
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM t WHERE id >= 100 AND id < %d", 100 + acked);
    s = open_db(false, 0);
    assert_int_equal(one(s, sql), acked);
    integrity_ok(s);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_commit_visible_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spill_and_rewrite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_killed_after_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_write_fails_the_sync, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
