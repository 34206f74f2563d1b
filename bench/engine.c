/*
 * bench/engine: what one approved purchase costs the host's writer thread.
 *
 * engine_run (src/host/engine.h) on the host schema in an SQLite file with
 * 1 KiB pages, as posd opens it: 64 terminals, 64 cards with their own
 * accounts, purchases round-robin, BATCH purchases per transaction (about
 * posd's mean group commit under bench-host). The figure is this thread's
 * CPU time (user and system) per purchase, commits included, so it leaves
 * out waiting for the disk and does not depend on what else the machine
 * runs as much as a throughput does. Prints, as `name value unit` lines
 * (DESIGN.md §8):
 *   engine.purchase.cpu     microseconds of CPU per approved purchase, its
 *                           share of the commits (and of SQLite's automatic
 *                           checkpoints, which posd runs on another thread)
 *                           included
 * The database lives in a fresh directory under $TMPDIR (or /tmp).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "host/engine.h"
#include "host/ledger.h"
#include "host/schema.h"
#include "store/migrate.h"
#include "store/store.h"

#define TERMINALS 64
#define BATCH     25
#define PURCHASES 100000 /* argv[1] may ask for fewer (under valgrind, say) */
#define CNY       156

static double cpu_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int one_id(struct store *s, const char *sql, int64_t *id)
{
    struct store_stmt *st;
    int rc = store_prepare(s, sql, &st);

    if (rc != POS_OK)
        return rc;
    rc = store_step(st);
    if (rc != STORE_ROW)
        return rc < 0 ? rc : POS_ERR_DB;
    *id = store_column_int64(st, 0);
    return store_reset(st);
}

/* The merchant, its terminals and one funded card per terminal. */
static int provision(struct store *s, int64_t term[TERMINALS], int64_t card[TERMINALS])
{
    int64_t funding = 0, macct = 0, merchant = 0, acct = 0;
    char sql[512];
    int rc, i;

    rc = store_begin(s);
    if (rc == POS_OK)
        rc = ledger_account_open(s, "funding", "funding", CNY, 0, 1, &funding);
    if (rc == POS_OK)
        rc = ledger_account_open(s, "merchant", "shop", CNY, 0, 1, &macct);
    snprintf(sql, sizeof(sql),
             "INSERT INTO merchants (mid, name, mcc, currency, mdr_bps, account_id,"
             " payout_account, created_at) VALUES ('123456789012345', 'Bench', '5411', 156, 60,"
             " %" PRId64 ", 'B', 1) RETURNING id",
             macct);
    if (rc == POS_OK)
        rc = one_id(s, sql, &merchant);
    for (i = 0; rc == POS_OK && i < TERMINALS; i++) {
        snprintf(sql, sizeof(sql),
                 "INSERT INTO terminals (tid, merchant_id, dialect, key_scheme, batch_no,"
                 " created_at) VALUES ('B%07d', %" PRId64 ", 'cup', 'mksk-tdes', 1, 1)"
                 " RETURNING id",
                 i, merchant);
        rc = one_id(s, sql, &term[i]);
        if (rc == POS_OK)
            rc = ledger_account_open(s, "debit", "card", CNY, 0, 1, &acct);
        if (rc == POS_OK)
            rc = ledger_transfer(s, "topup", funding, acct, INT64_C(900000000), CNY, NULL, 1, NULL);
        snprintf(sql, sizeof(sql),
                 "INSERT INTO cards (pan_hash, pan_enc, pan_masked, account_id, expiry,"
                 " service_code, pvki, pvv, daily_limit, status, created_at) VALUES"
                 " (x'%064d', x'00', '622200******%04d', %" PRId64 ", '4912', '220', 1,"
                 " '0000', 0, 'active', 1) RETURNING id",
                 i + 1, i + 1, acct);
        if (rc == POS_OK)
            rc = one_id(s, sql, &card[i]);
    }
    if (rc == POS_OK)
        rc = store_commit(s);
    return rc;
}

int main(int argc, char **argv)
{
    const char *base = getenv("TMPDIR");
    int64_t term[TERMINALS], card[TERMINALS];
    const struct store_migration *m;
    struct engine_request rq;
    struct engine_response rs;
    struct store_options o;
    struct pos_errdetail d;
    struct store *s = NULL;
    char dir[512], url[640], path[700];
    double t0, t1;
    size_t n;
    int rc, i, purchases = PURCHASES;

    if (argc > 1) {
        char *end = NULL;
        long v = strtol(argv[1], &end, 10);
        purchases = end != argv[1] && *end == '\0' && v > 0 && v <= PURCHASES ? (int)v : 0;
    }
    if (purchases < 1 || purchases > PURCHASES) {
        fprintf(stderr, "usage: bench-engine [PURCHASES, 1..%d]\n", PURCHASES);
        return 2;
    }
    pos_errdetail_init(&d);
    snprintf(dir, sizeof(dir), "%s/pos-bench-engine-XXXXXX",
             base != NULL && *base != '\0' ? base : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("bench-engine: mkdtemp");
        return 1;
    }
    snprintf(url, sizeof(url), "sqlite:%s/host.db", dir);
    store_options_init(&o);
    o.page_size = 1024;
    rc = store_open(url, &o, &s, &d);
    m = schema_migrations(&n);
    if (rc == POS_OK)
        rc = store_migrate(s, m, n, NULL, &d);
    if (rc == POS_OK)
        rc = provision(s, term, card);
    t0 = cpu_s();
    for (i = 0; rc == POS_OK && i < purchases; i++) {
        if (i % BATCH == 0)
            rc = store_begin(s);
        memset(&rq, 0, sizeof(rq));
        rq.kind = ENGINE_PURCHASE;
        rq.terminal_id = term[i % TERMINALS];
        memcpy(rq.mti, "0200", 5);
        memcpy(rq.proc_code, "000000", 7);
        snprintf(rq.stan, sizeof(rq.stan), "%06d", (i / TERMINALS) % 1000000);
        snprintf(rq.tx_time, sizeof(rq.tx_time), "1207%06d", i / TERMINALS);
        rq.card_id = card[i % TERMINALS];
        rq.pin = ENGINE_PIN_OK;
        rq.pin_required = true;
        rq.amount = 100;
        rq.currency = CNY;
        rq.batch_no = 1;
        memcpy(rq.auth_code, "123456", 7);
        rq.now_ms = INT64_C(1796601600000) + i;
        rq.today_yymm = 2612;
        rq.today_day = 20794;
        if (rc == POS_OK)
            rc = engine_run(s, &rq, &rs);
        if (rc == POS_OK && strcmp(rs.rc, "00") != 0) {
            fprintf(stderr, "bench-engine: purchase %d declined %s (%s)\n", i, rs.rc,
                    rs.reason != NULL ? rs.reason : "");
            rc = POS_ERR_STATE;
        }
        if (rc == POS_OK && (i % BATCH == BATCH - 1 || i == purchases - 1))
            rc = store_commit(s);
    }
    t1 = cpu_s();
    if (rc == POS_OK)
        printf("engine.purchase.cpu %.2f us\n", (t1 - t0) * 1e6 / purchases);
    else
        fprintf(stderr, "bench-engine: %s: %s\n", pos_strerror(rc),
                s != NULL ? store_error(s)->what : d.what);
    store_close(s);
    snprintf(path, sizeof(path), "%s/host.db", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/host.db-wal", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/host.db-shm", dir);
    unlink(path);
    rmdir(dir);
    return rc == POS_OK ? 0 : 1;
}
