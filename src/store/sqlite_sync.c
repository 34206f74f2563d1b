/*
 * sqlite_sync: the pipelined durability of a group-commit writer's SQLite
 * connection (store_int.h: defer_sync, sync; writer.h).
 *
 * With synchronous=FULL, SQLite syncs the WAL inside every COMMIT, so the
 * writer thread waits for the disk before it can run the next batch. Here
 * the connection runs synchronous=NORMAL (a COMMIT appends its frames to
 * the WAL and returns) and the writer's sync thread calls sq_sync, which
 * fdatasyncs the WAL file: everything appended before the call is then on
 * disk, which is what FULL would have done inside each of those COMMITs.
 * The writer answers a unit only after such a sync (writer.c), so no answer
 * ever leaves before its work is durable; meanwhile the next batch runs.
 *
 * Why this is as safe as FULL (https://sqlite.org/wal.html, "WAL file
 * format" and "checkpointing"): recovery replays the WAL's valid frames up
 * to the last commit frame whose checksum chain holds, so every transaction
 * whose frames were synced survives; a transaction whose frames were not
 * synced may be lost, and it was never answered. Checkpoints sync the WAL
 * before they copy it and the database file after (they do so under
 * NORMAL too), and the WAL is only restarted once all of it is in the
 * synced database file.
 *
 * The WAL is synced through a descriptor of its own (fdatasync works on
 * the inode, whoever wrote it); after each sync the path is checked to
 * still name that inode, and reopened and synced again if not.
 *
 * Checkpoints: the automatic checkpoint (every 1000 frames, inside the
 * writer's COMMIT) would stall the writer often, so a WAL hook replaces
 * it. Once the WAL holds SQ_CKPT_BACKGROUND frames, a checkpointer thread
 * with a connection of its own copies frames into the database (PASSIVE:
 * it never waits for the writer or the readers; at most one pass per
 * SQ_CKPT_PAUSE_MS). It cannot finish alone while the writer keeps
 * appending, and the WAL only starts over once a checkpoint has caught up
 * with it, so once the WAL holds SQ_CKPT_FOREGROUND frames the hook itself
 * runs a PASSIVE checkpoint on the writer's connection, between two
 * batches: it copies only what the checkpointer has not, and the next
 * write starts the WAL over.
 */
#include "store/sqlite_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"

#define SQ_CKPT_BACKGROUND 65536
#define SQ_CKPT_FOREGROUND 131072
#define SQ_CKPT_PAUSE_MS   20

struct sq_sync {
    char *db_path;  /* the database */
    char *wal_path; /* "<database>-wal" */
    int fd;         /* the WAL, opened by the first sync; the sync thread's */
    dev_t dev;
    ino_t ino;
    sqlite3 *ckpt; /* the checkpointer's connection */
    pthread_t thread;
    pthread_mutex_t mu; /* guards want, stop */
    pthread_cond_t cv;
    bool want, stop, started;
};

static int sq_wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
    struct sq_sync *y = arg;
    int logged, done;

    if (frames >= SQ_CKPT_FOREGROUND) {
        /* SQLITE_BUSY (the checkpointer is in a pass): the next commit
         * tries again */
        (void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, &logged, &done);
    } else if (frames >= SQ_CKPT_BACKGROUND) {
        pthread_mutex_lock(&y->mu);
        y->want = true;
        pthread_cond_signal(&y->cv);
        pthread_mutex_unlock(&y->mu);
    }
    return SQLITE_OK;
}

static void *sq_checkpointer(void *arg)
{
    struct sq_sync *y = arg;
    int logged, done;

    pthread_mutex_lock(&y->mu);
    for (;;) {
        while (!y->want && !y->stop)
            pthread_cond_wait(&y->cv, &y->mu);
        if (y->stop)
            break;
        y->want = false;
        pthread_mutex_unlock(&y->mu);
        /* SQLITE_BUSY (another checkpoint running) is harmless: the next
         * commit over the threshold asks again. */
        (void)sqlite3_wal_checkpoint_v2(y->ckpt, "main", SQLITE_CHECKPOINT_PASSIVE, &logged, &done);
        pthread_mutex_lock(&y->mu);
        if (!y->stop) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += SQ_CKPT_PAUSE_MS * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            while (!y->stop && pthread_cond_timedwait(&y->cv, &y->mu, &until) == 0)
                ;
        }
    }
    pthread_mutex_unlock(&y->mu);
    return NULL;
}

void sq_sync_free(struct store_sqlite *q)
{
    struct sq_sync *y = q->sync;

    if (y == NULL)
        return;
    if (y->started) {
        pthread_mutex_lock(&y->mu);
        y->stop = true;
        pthread_cond_signal(&y->cv);
        pthread_mutex_unlock(&y->mu);
        pthread_join(y->thread, NULL);
    }
    sqlite3_wal_hook(q->db, NULL, NULL);
    sqlite3_close_v2(y->ckpt);
    if (y->fd >= 0)
        close(y->fd);
    pthread_cond_destroy(&y->cv);
    pthread_mutex_destroy(&y->mu);
    pos_free(y->wal_path);
    pos_free(y->db_path);
    pos_free(y);
    q->sync = NULL;
}

int sq_defer_sync(struct store *s)
{
    struct store_sqlite *q = (struct store_sqlite *)s;
    struct sq_sync *y = NULL;
    const char *path = sqlite3_db_filename(q->db, "main");
    sigset_t all, old;
    size_t len;
    int rc;

    if (q->sync != NULL)
        return store__fail(s, POS_ERR_STATE, "the sync is already deferred");
    if (path == NULL || path[0] == '\0' || sqlite3_db_readonly(q->db, "main") != 0)
        return store__fail(s, POS_ERR_UNSUPPORTED, "no database file to sync");
    y = pos_calloc(1, sizeof(*y));
    if (y == NULL)
        return store__fail(s, POS_ERR_NOMEM, "deferred sync");
    y->fd = -1;
    pthread_mutex_init(&y->mu, NULL);
    pthread_cond_init(&y->cv, NULL);
    q->sync = y;
    len = strlen(path);
    y->wal_path = pos_malloc(len + 5);
    y->db_path = pos_malloc(len + 1);
    if (y->wal_path == NULL || y->db_path == NULL) {
        rc = store__fail(s, POS_ERR_NOMEM, "deferred sync");
        goto out;
    }
    memcpy(y->db_path, path, len + 1);
    memcpy(y->wal_path, path, len);
    memcpy(y->wal_path + len, "-wal", 5);
    rc = sqlite3_open_v2(path, &y->ckpt, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, sq_vfs());
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(y->ckpt, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        rc = store__fail(s, POS_ERR_DB, "checkpoint connection: %s",
                         y->ckpt != NULL ? sqlite3_errmsg(y->ckpt) : sqlite3_errstr(rc));
        goto out;
    }
    rc = sqlite3_exec(q->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        rc = store__fail(s, POS_ERR_DB, "%s", sqlite3_errmsg(q->db));
        goto out;
    }
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&y->thread, NULL, sq_checkpointer, y);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        rc = store__fail(s, POS_ERR_IO, "checkpointer thread: %s", strerror(rc));
        goto out;
    }
    y->started = true;
    /* replaces the automatic checkpoint (sqlite3_wal_autocheckpoint) */
    sqlite3_wal_hook(q->db, sq_wal_hook, y);
    rc = POS_OK;
out:
    if (rc != POS_OK) {
        sq_sync_free(q);
        (void)sqlite3_exec(q->db, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
    }
    return rc;
}

static int sq_wal_open(struct sq_sync *y)
{
    struct stat st;

    if (y->fd >= 0)
        close(y->fd);
    y->fd = open(y->wal_path, O_RDONLY | O_CLOEXEC);
    if (y->fd < 0)
        return POS_ERR_IO;
    if (fstat(y->fd, &st) != 0)
        return POS_ERR_IO;
    y->dev = st.st_dev;
    y->ino = st.st_ino;
    return POS_OK;
}

int sq_sync(struct store *s)
{
    struct sq_sync *y = ((struct store_sqlite *)s)->sync;
    struct stat st;
    int tries, rc;

    if (y == NULL)
        return POS_ERR_STATE;
    for (tries = 0; tries < 3; tries++) {
        if (y->fd < 0 && sq_wal_open(y) != POS_OK)
            return POS_ERR_IO;
        while ((rc = fdatasync(y->fd)) != 0 && errno == EINTR)
            ;
        if (rc != 0)
            return POS_ERR_IO;
        /* a gathered WAL write that failed (sqlite_vfs.c): what was
         * synced lacks a published commit */
        if (sq_vfs_wal_error(y->db_path) != SQLITE_OK)
            return POS_ERR_IO;
        /* the path must still name the file just synced */
        if (stat(y->wal_path, &st) == 0 && st.st_dev == y->dev && st.st_ino == y->ino)
            return POS_OK;
        close(y->fd);
        y->fd = -1;
    }
    return POS_ERR_IO;
}
