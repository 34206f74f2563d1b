/*
 * app_iso: posd's payment host app — ISO 8583 dispatch (docs/protocol.md).
 *
 * Per frame: the loop thread copies it and hands it to a worker (workq).
 * The worker parses it (proto.c), finds the terminal, checks the MAC and the
 * PIN with keys cached per worker thread (working keys unwrapped from their
 * TR-31 blocks under the LMK; DUKPT host derivations per terminal), finds the
 * card by its keyed hash, and submits one unit of work to the group-commit
 * writer (engine.c, settle.c, or the sign-on's key update). The writer's done
 * callback hands the result back to a worker, which builds and MACs the
 * reply and sends it: an answer leaves only after its commit is on disk.
 *
 * What is not answered: a frame that does not decode as the listener's
 * dialect (logged masked; the connection stays), or one that cannot be
 * queued. Everything else gets an answer: 30 format, 12 unsupported, 58
 * unknown terminal, 77 no working keys, A0 MAC, 96 database failure, or the
 * engine's decision.
 */
#include "host/app.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "card.h"
#include "crypto/dukpt.h"
#include "crypto/keyblock.h"
#include "crypto/lmk.h"
#include "crypto/mac.h"
#include "crypto/pinblock.h"
#include "crypto/pvv.h"
#include "crypto/sesskey.h"
#include "error.h"
#include "host/config.h"
#include "host/engine.h"
#include "host/issuer.h"
#include "host/keystore.h"
#include "host/log.h"
#include "host/metrics.h"
#include "host/net.h"
#include "host/proto.h"
#include "host/schema.h"
#include "host/settle.h"
#include "host/workq.h"
#include "mem.h"
#include "store/migrate.h"
#include "store/store.h"
#include "store/writer.h"

#define ISO_TERM_CACHE 64
#define ISO_BLOCK_MAX 256

struct iso_app {
    const struct config *cfg;
    struct metrics *metrics;
    struct workq *wq;
    struct store_writer *w;
    struct lmk lmk;
    pthread_key_t tkey;
    bool tkey_ok;
    pthread_key_t mkey; /* each thread's struct iso_macs */
    bool mkey_ok;
    atomic_bool db_ok;
    atomic_bool dropped; /* --test-drop-answer was used up */
    struct iso_memos *memos;
};

/* A terminal's keys as one thread caches them. */
struct iso_term_keys {
    int64_t id;
    int64_t signed_on_at;
    bool have_wk;
    uint8_t pik[16];
    uint8_t mak[16];
    struct block_key pik_ctx; /* keyed with pik while have_wk */
    bool dh_ready;
    uint8_t dh_iksn[10];
    struct dukpt_host dh;
};

/* Memos, shared by the event loop and the workers (under one mutex), of the
 * rows a financial request reads before the writer:
 * its terminal (found, active, of that merchant) and its card (by the PAN's
 * keyed hash, with what the PIN check needs). Direct-mapped; a request
 * decided with a memo says so to the engine (engine_request.check_stamps),
 * which answers POS_ERR_STALE if the keys or the PIN data changed since;
 * the request is then read again from the database and resubmitted. A
 * decline the worker itself would give from a memo (no keys, wrong MAC...) is
 * first re-read too. Unknown, inactive and other-merchant rows are never
 * remembered. Only workers read the database and fill the memos; the event
 * loop decides what they hold and hands the rest to a worker. */
#define ISO_TERM_MEMO 256
#define ISO_CARD_MEMO 4096

struct iso_termrow {
    int64_t id;
    char scheme[16];
    int64_t tmk_id;
    int64_t bdk_id;
    char pik_block[ISO_BLOCK_MAX];
    char mak_block[ISO_BLOCK_MAX];
    int64_t signed_on_at;
    int64_t batch_no;
    bool active;
};

struct iso_term_memo {
    char tid[16];
    char mid[24];
    struct iso_termrow row; /* row.id 0: empty */
};

struct iso_card_memo {
    uint8_t lookup[PANPROT_LOOKUP_LEN];
    struct issuer_card_pin card; /* card.id 0: empty */
};

struct iso_memos {
    pthread_mutex_t mu;
    struct iso_term_memo term[ISO_TERM_MEMO];
    struct iso_card_memo card[ISO_CARD_MEMO];
};

/* One worker thread's state (thread-specific data). */
struct iso_worker {
    struct store *rd;
    struct issuer_keys ik;
    int64_t bdk_id;
    uint8_t bdk[16];
    struct iso_term_keys terms[ISO_TERM_CACHE];
    uint8_t rnd[256]; /* random bytes for auth codes, drawn 256 at a time */
    size_t rnd_used;
    bool inline_only; /* the event loop's: never waits for the database */
};

#define ISO_PUNT 1 /* the event loop cannot go on without the database */

enum iso_unit { ISO_UNIT_ENGINE, ISO_UNIT_UPLOAD, ISO_UNIT_SETTLE, ISO_UNIT_SIGNON };

struct iso_job {
    struct iso_app *app;
    struct net_conn *c;
    const struct iso8583_dialect *d;
    struct timespec t0;
    struct proto_req req;
    struct iso_termrow term;
    struct issuer_card_pin card; /* card.id 0: not a card of this host */
    bool fresh;                  /* read from the database, not from the memos */
    bool memo_used;              /* the terminal or the card came from a memo */
    bool reply_mac;
    struct proto_mac mac;
    uint8_t mac_key[16];
    enum iso_unit unit;
    struct engine_request erq;
    struct engine_response ers;
    struct settle_request srq;
    struct settle_response srs;
    uint8_t f62[SESSKEY_F62_MAX];
    size_t f62_len;
    char pik_block[ISO_BLOCK_MAX];
    char mak_block[ISO_BLOCK_MAX];
    int64_t now_ms;
    struct store_work work;
    int unit_rc;
    size_t len;
    uint8_t frame[];
};

static int64_t iso_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void iso_worker_free(void *p)
{
    struct iso_worker *w = p;
    size_t i;

    if (w == NULL)
        return;
    store_close(w->rd);
    issuer_keys_clear(&w->ik);
    for (i = 0; i < ISO_TERM_CACHE; i++) {
        if (w->terms[i].dh_ready)
            dukpt_host_clear(&w->terms[i].dh);
        block_key_clear(&w->terms[i].pik_ctx);
    }
    pos_wipe(w, sizeof(*w));
    pos_free(w);
}

/* This thread's worker state, opened on first use. */
static struct iso_worker *iso_worker(struct iso_app *app)
{
    struct iso_worker *w = pthread_getspecific(app->tkey);
    struct store_options o;

    if (w != NULL)
        return w;
    w = pos_calloc(1, sizeof(*w));
    if (w == NULL)
        return NULL;
    w->rnd_used = sizeof(w->rnd); /* nothing drawn yet */
    store_options_init(&o);
    o.read_only = true;
    o.no_create = true;
    if (store_open(app->cfg->db_url, &o, &w->rd, NULL) != POS_OK ||
        issuer_keys_load(&w->ik, w->rd, &app->lmk, NULL) != POS_OK) {
        iso_worker_free(w);
        return NULL;
    }
    if (pthread_setspecific(app->tkey, w) != 0) {
        iso_worker_free(w);
        return NULL;
    }
    return w;
}

static void iso_copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src != NULL ? src : "");
}

/* The terminal named tid, if it belongs to merchant mid. */
static int iso_term_find(struct store *s, const char *tid, const char *mid, struct iso_termrow *t,
                         bool *found)
{
    struct store_stmt *st;
    const char *ts, *ms, *m;
    int rc;

    *found = false;
    rc = store_prepare(s,
                       "SELECT t.id, t.key_scheme, COALESCE(t.tmk_key_id, 0),"
                       " COALESCE(t.bdk_key_id, 0), COALESCE(t.pik_block, ''),"
                       " COALESCE(t.mak_block, ''), COALESCE(t.signed_on_at, 0), t.batch_no,"
                       " t.status, m.status, m.mid"
                       " FROM terminals t JOIN merchants m ON m.id = t.merchant_id WHERE t.tid = ?",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_text(st, 1, tid, strlen(tid));
    rc = store_step(st);
    if (rc == STORE_DONE)
        return POS_OK;
    if (rc != STORE_ROW)
        return rc;
    memset(t, 0, sizeof(*t));
    t->id = store_column_int64(st, 0);
    iso_copy(t->scheme, sizeof(t->scheme), store_column_text(st, 1, NULL));
    t->tmk_id = store_column_int64(st, 2);
    t->bdk_id = store_column_int64(st, 3);
    iso_copy(t->pik_block, sizeof(t->pik_block), store_column_text(st, 4, NULL));
    iso_copy(t->mak_block, sizeof(t->mak_block), store_column_text(st, 5, NULL));
    t->signed_on_at = store_column_int64(st, 6);
    t->batch_no = store_column_int64(st, 7);
    ts = store_column_text(st, 8, NULL);
    ms = store_column_text(st, 9, NULL);
    m = store_column_text(st, 10, NULL);
    t->active = ts != NULL && ms != NULL && strcmp(ts, "active") == 0 &&
                strcmp(ms, "active") == 0;
    *found = m != NULL && strcmp(m, mid) == 0;
    return store_reset(st);
}

/* ---- the memos ---- */

/* The request's terminal into job->term: from the memo when the
 * request may be decided on one (a financial request the engine decides,
 * not read fresh), else from the database (remembered if active); on the
 * event loop, ISO_PUNT instead of reading. */
static int iso_term_get(struct iso_worker *w, struct iso_job *job, bool *found)
{
    struct iso_memos *ms = job->app->memos;
    const char *tid = job->req.tid, *mid = job->req.mid;
    struct iso_term_memo *m = &ms->term[pos_hash64(tid, strlen(tid)) % ISO_TERM_MEMO];
    bool same, hit = false;
    int rc;

    pthread_mutex_lock(&ms->mu);
    same = m->row.id != 0 && strcmp(m->tid, tid) == 0;
    if (!job->fresh && job->req.op == PROTO_ENGINE && same && strcmp(m->mid, mid) == 0) {
        job->term = m->row;
        hit = true;
    }
    pthread_mutex_unlock(&ms->mu);
    if (hit) {
        job->memo_used = true;
        *found = true;
        return POS_OK;
    }
    if (w->inline_only)
        return ISO_PUNT;
    rc = iso_term_find(w->rd, tid, mid, &job->term, found);
    if (rc != POS_OK)
        return rc;
    pthread_mutex_lock(&ms->mu);
    if (*found && job->term.active && job->req.op == PROTO_ENGINE && strlen(tid) < sizeof(m->tid) &&
        strlen(mid) < sizeof(m->mid)) {
        snprintf(m->tid, sizeof(m->tid), "%s", tid);
        snprintf(m->mid, sizeof(m->mid), "%s", mid);
        m->row = job->term;
    } else if (m->row.id != 0 && strcmp(m->tid, tid) == 0) {
        m->row.id = 0; /* inactive now, or about to sign on again */
    }
    pthread_mutex_unlock(&ms->mu);
    return POS_OK;
}

/* The request's card into job->card (card.id 0: not a card of this host),
 * from the memo unless the request is read fresh. false: not remembered,
 * and this is the event loop, which does not read. */
static bool iso_card_get(struct iso_worker *w, struct iso_job *job)
{
    struct iso_memos *ms = job->app->memos;
    const struct proto_req *r = &job->req;
    uint8_t lookup[PANPROT_LOOKUP_LEN];
    struct iso_card_memo *m;
    bool hit = false, ok = true;

    memset(&job->card, 0, sizeof(job->card));
    if (!r->has_card || !card_luhn_is_valid(r->pan, r->pan_len) ||
        issuer_card_lookup(&w->ik, r->pan, r->pan_len, lookup) != POS_OK)
        return true;
    m = &ms->card[pos_hash64(lookup, 8) % ISO_CARD_MEMO];
    pthread_mutex_lock(&ms->mu);
    if (!job->fresh && m->card.id != 0 &&
        memcmp(m->lookup, lookup, sizeof(lookup)) == 0) { /* style-ok: a keyed hash, public */
        job->card = m->card;
        hit = true;
    }
    pthread_mutex_unlock(&ms->mu);
    if (hit) {
        job->memo_used = true;
    } else if (w->inline_only) {
        ok = false;
    } else if (issuer_card_pin_get(w->rd, lookup, &job->card) == POS_OK) {
        pthread_mutex_lock(&ms->mu);
        memcpy(m->lookup, lookup, sizeof(lookup));
        m->card = job->card;
        pthread_mutex_unlock(&ms->mu);
    } else {
        memset(&job->card, 0, sizeof(job->card));
    }
    pos_wipe(lookup, sizeof(lookup));
    return ok;
}

/* ---- replies ---- */

static void iso_finish(struct iso_job *job)
{
    proto_req_clear(&job->req);
    net_conn_unref(job->c);
    pos_wipe(job->mac_key, sizeof(job->mac_key));
    pos_wipe(job->f62, sizeof(job->f62));
    pos_wipe(job, sizeof(*job) + job->len);
    pos_free(job);
}

/* Each thread's UnionPay MAC contexts, by terminal: building a keyed
 * context per message costs more than the MAC (thread-specific data, so any
 * thread that MACs, the writer's sync thread included, has its own). */
struct iso_mac_slot {
    int64_t id;
    uint8_t key[16];
    struct mac_ctx ctx; /* keyed with key while id != 0 */
};

struct iso_macs {
    struct iso_mac_slot slot[ISO_TERM_CACHE];
};

static void iso_macs_free(void *p)
{
    struct iso_macs *m = p;
    size_t i;

    for (i = 0; i < ISO_TERM_CACHE; i++)
        mac_clear(&m->slot[i].ctx);
    pos_wipe(m, sizeof(*m));
    pos_free(m);
}

/* This thread's context for the MAC under job's key, or NULL (one-shot). */
static struct mac_ctx *iso_mac_ctx(struct iso_job *job)
{
    struct iso_macs *m;
    struct iso_mac_slot *sl;

    if (job->mac.alg != MAC_CUP_ECB || job->mac.key_len != 16 || !job->app->mkey_ok)
        return NULL;
    m = pthread_getspecific(job->app->mkey);
    if (m == NULL) {
        m = pos_calloc(1, sizeof(*m));
        if (m == NULL)
            return NULL;
        if (pthread_setspecific(job->app->mkey, m) != 0) {
            pos_free(m);
            return NULL;
        }
    }
    sl = &m->slot[(uint64_t)job->term.id % ISO_TERM_CACHE];
    if (sl->id == job->term.id && CRYPTO_memcmp(sl->key, job->mac.key, 16) == 0)
        return &sl->ctx;
    /* another terminal or key: re-key the slot's contexts, or build them */
    if (sl->id == 0 || mac_rekey(&sl->ctx, job->mac.key, 16) != POS_OK) {
        sl->id = 0;
        mac_clear(&sl->ctx);
        if (mac_init(&sl->ctx, MAC_CUP_ECB, job->mac.key, 16, MAC_PAD_DEFAULT) != POS_OK) {
            mac_clear(&sl->ctx);
            return NULL;
        }
    }
    memcpy(sl->key, job->mac.key, 16);
    sl->id = job->term.id;
    return &sl->ctx;
}

static void iso_send(struct iso_job *job, const struct proto_reply *rp)
{
    uint8_t out[PROTO_REPLY_MAX];
    struct timespec t1;
    char desc[200];
    size_t n = 0;
    uint64_t ns;
    int rc;

    job->mac.ctx = job->reply_mac ? iso_mac_ctx(job) : NULL;
    rc = proto_reply_encode(&job->req, rp, job->reply_mac ? &job->mac : NULL, out, sizeof(out),
                            &n);
    job->mac.ctx = NULL;
    if (rc == POS_OK)
        rc = net_conn_send(job->c, out, n);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ns = (uint64_t)(t1.tv_sec - job->t0.tv_sec) * 1000000000u +
         (uint64_t)(t1.tv_nsec - job->t0.tv_nsec);
    metrics_request_observe(job->app->metrics, job->req.mti, rp->rc, ns);
    if (log_enabled(LOG_LEVEL_INFO)) {
        proto_req_describe(&job->req, desc, sizeof(desc));
        log_event(LOG_LEVEL_INFO, "request", "%s rc=%s us=%" PRIu64 "%s%s", desc, rp->rc,
                  ns / 1000, rc == POS_OK ? "" : " send_error=", rc == POS_OK ? "" : pos_strerror(rc));
    }
    iso_finish(job);
}

static void iso_answer(struct iso_job *job, const char *rc)
{
    struct proto_reply rp;

    memset(&rp, 0, sizeof(rp));
    memcpy(rp.rc, rc, 3);
    iso_send(job, &rp);
}

/* ---- keys ---- */

static struct iso_term_keys *iso_term_slot(struct iso_worker *w, int64_t id)
{
    struct iso_term_keys *k = &w->terms[(uint64_t)id % ISO_TERM_CACHE];

    if (k->id != id) {
        if (k->dh_ready)
            dukpt_host_clear(&k->dh);
        block_key_clear(&k->pik_ctx);
        pos_wipe(k, sizeof(*k));
        k->id = id;
    }
    return k;
}

/* Master/session: the working keys of the last sign-on. */
static int iso_wk(struct iso_app *app, struct iso_worker *w, const struct iso_termrow *t,
                  struct iso_term_keys **out)
{
    struct iso_term_keys *k = iso_term_slot(w, t->id);
    size_t n = 0;
    int rc;

    if (k->have_wk && k->signed_on_at == t->signed_on_at) {
        *out = k;
        return POS_OK;
    }
    k->have_wk = false;
    block_key_clear(&k->pik_ctx);
    rc = lmk_unwrap_for(&app->lmk, t->pik_block, strlen(t->pik_block), "P0", 'D', NULL, k->pik,
                        sizeof(k->pik), &n, NULL);
    if (rc == POS_OK && n != 16)
        rc = POS_ERR_KEY_LENGTH;
    if (rc == POS_OK)
        rc = lmk_unwrap_for(&app->lmk, t->mak_block, strlen(t->mak_block), "M0", 'V', NULL,
                            k->mak, sizeof(k->mak), &n, NULL);
    if (rc == POS_OK && n != 16)
        rc = POS_ERR_KEY_LENGTH;
    if (rc == POS_OK)
        rc = block_key_init(&k->pik_ctx, BLOCK_TDES, k->pik, 16);
    if (rc != POS_OK) {
        block_key_clear(&k->pik_ctx);
        pos_wipe(k->pik, sizeof(k->pik));
        pos_wipe(k->mak, sizeof(k->mak));
        return rc;
    }
    k->have_wk = true;
    k->signed_on_at = t->signed_on_at;
    *out = k;
    return POS_OK;
}

/* DUKPT: the host cache of this terminal's device for ksn. */
static int iso_dukpt(struct iso_app *app, struct iso_worker *w, const struct iso_termrow *t,
                     const uint8_t ksn[10], struct iso_term_keys **out)
{
    struct iso_term_keys *k = iso_term_slot(w, t->id);
    uint8_t iksn[10];
    size_t n = 0;
    int rc;

    dukpt_ksn_set_counter(ksn, 0, iksn);
    if (k->dh_ready && memcmp(k->dh_iksn, iksn, 10) == 0) { /* style-ok: not secret */
        *out = k;
        return POS_OK;
    }
    if (w->bdk_id != t->bdk_id) {
        w->bdk_id = 0;
        rc = keystore_get_id(w->rd, &app->lmk, t->bdk_id, "B0", 'X', w->bdk, sizeof(w->bdk), &n,
                             NULL);
        if (rc == POS_OK && n != 16)
            rc = POS_ERR_KEY_LENGTH;
        if (rc != POS_OK)
            return rc;
        w->bdk_id = t->bdk_id;
    }
    if (k->dh_ready)
        dukpt_host_clear(&k->dh);
    k->dh_ready = false;
    rc = dukpt_host_init_bdk(&k->dh, w->bdk, 16, ksn);
    if (rc != POS_OK)
        return rc;
    k->dh_ready = true;
    memcpy(k->dh_iksn, iksn, 10);
    *out = k;
    return POS_OK;
}

/* ---- the writer units ---- */

static void iso_after(void *arg);
static void iso_punt(struct iso_job *job);
static void iso_again(struct iso_job *job, struct iso_worker *w);
static void iso_dispatch(struct iso_job *job, struct iso_worker *w);

static int iso_run_engine(struct store *s, void *arg)
{
    struct iso_job *job = arg;

    return engine_run(s, &job->erq, &job->ers);
}

/* A batch-upload item the host already has (approved, same STAN and batch)
 * is acknowledged without moving money; one it lacks is an advice. */
static int iso_run_upload(struct store *s, void *arg)
{
    struct iso_job *job = arg;
    struct store_stmt *st;
    int rc;

    rc = store_prepare(s,
                       "SELECT 1 FROM txns WHERE terminal_id = ? AND stan = ? AND batch_no = ?"
                       " AND rc = '00' AND mti_class IN ('20', '22')",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_int64(st, 1, job->erq.terminal_id);
    store_bind_text(st, 2, job->erq.stan, strlen(job->erq.stan));
    store_bind_int64(st, 3, job->erq.batch_no);
    rc = store_step(st);
    if (rc == STORE_ROW) {
        memset(&job->ers, 0, sizeof(job->ers));
        memcpy(job->ers.rc, "00", 3);
        return store_reset(st);
    }
    if (rc != STORE_DONE)
        return rc;
    return engine_run(s, &job->erq, &job->ers);
}

static int iso_run_settle(struct store *s, void *arg)
{
    struct iso_job *job = arg;

    return settle_run(s, &job->srq, &job->srs);
}

static int iso_run_signon(struct store *s, void *arg)
{
    struct iso_job *job = arg;
    struct store_stmt *st;
    int rc;

    rc = store_prepare(s,
                       "UPDATE terminals SET pik_block = ?, mak_block = ?, signed_on_at = ?"
                       " WHERE id = ?",
                       &st);
    if (rc != POS_OK)
        return rc;
    store_bind_text(st, 1, job->pik_block, strlen(job->pik_block));
    store_bind_text(st, 2, job->mak_block, strlen(job->mak_block));
    store_bind_int64(st, 3, job->now_ms);
    store_bind_int64(st, 4, job->term.id);
    rc = store_step(st);
    return rc == STORE_DONE ? POS_OK : rc < 0 ? rc : store_reset(st);
}

/* Writer thread: hand the result to a worker. */
static void iso_done(void *arg, int rc)
{
    struct iso_job *job = arg;

    job->unit_rc = rc;
    /* The answer is built and sent from here (a reply costs less than
     * handing it to a worker); a request decided on stale memos is decided
     * again by a worker, which reads the database. */
    if (rc != POS_ERR_STALE || workq_submit(job->app->wq, iso_after, job) != POS_OK)
        iso_after(job);
}

static void iso_submit(struct iso_job *job, enum iso_unit unit)
{
    static int (*const runs[])(struct store *, void *) = {
        [ISO_UNIT_ENGINE] = iso_run_engine,
        [ISO_UNIT_UPLOAD] = iso_run_upload,
        [ISO_UNIT_SETTLE] = iso_run_settle,
        [ISO_UNIT_SIGNON] = iso_run_signon,
    };
    int rc;

    job->unit = unit;
    memset(&job->work, 0, sizeof(job->work));
    job->work.run = runs[unit];
    job->work.done = iso_done;
    job->work.arg = job;
    rc = store_writer_submit(job->app->w, &job->work);
    if (rc != POS_OK) {
        log_event(LOG_LEVEL_WARN, "writer_refused", "error=\"%s\"", pos_strerror(rc));
        iso_answer(job, "96");
    }
}

/* --test-drop-answer STAN: the first 0200 with that STAN is processed and
 * committed, and its answer is never sent (the terminal's lost-answer path:
 * it must reverse). Testing only; logged. */
static bool iso_drop_for_test(struct iso_job *job)
{
    const struct iso_app *app = job->app;
    long stan;

    if (app->cfg->test_drop_stan < 0 || strcmp(job->req.mti, "0200") != 0)
        return false;
    stan = strtol(job->req.stan, NULL, 10);
    if (stan != app->cfg->test_drop_stan || atomic_exchange(&job->app->dropped, true))
        return false;
    log_event(LOG_LEVEL_WARN, "test_drop_answer", "tid=%s stan=%s rc=%s", job->req.tid,
              job->req.stan, job->ers.rc);
    iso_finish(job);
    return true;
}

/* Worker: the unit committed (or failed); answer. */
static void iso_after(void *arg)
{
    struct iso_job *job = arg;
    struct proto_reply rp;

    memset(&rp, 0, sizeof(rp));
    if (job->unit_rc == POS_ERR_STALE && job->unit == ISO_UNIT_ENGINE && !job->fresh) {
        /* decided on a memo older than a sign-on or a PIN change: again,
         * from the database (nothing was recorded) */
        struct iso_worker *w = iso_worker(job->app);
        if (w != NULL) {
            iso_again(job, w);
            return;
        }
    }
    if (job->unit_rc != POS_OK) {
        atomic_store(&job->app->db_ok, job->unit_rc != POS_ERR_DB && job->unit_rc != POS_ERR_IO);
        log_event(LOG_LEVEL_ERROR, "unit_failed", "error=\"%s\"", pos_strerror(job->unit_rc));
        iso_answer(job, "96");
        return;
    }
    atomic_store(&job->app->db_ok, true);
    if (job->unit == ISO_UNIT_ENGINE && iso_drop_for_test(job))
        return;
    switch (job->unit) {
    case ISO_UNIT_ENGINE:
    case ISO_UNIT_UPLOAD:
        memcpy(rp.rc, job->ers.rc, 3);
        rp.rrn = job->ers.rrn;
        rp.auth_code = job->ers.auth_code;
        rp.has_balance = job->ers.has_balance;
        rp.balance = job->ers.balance;
        rp.currency = job->ers.currency;
        break;
    case ISO_UNIT_SETTLE:
        memcpy(rp.rc, job->srs.rc, 3);
        rp.has_settle = strcmp(job->srs.rc, "00") == 0;
        rp.balanced = job->srs.balanced;
        rp.batch_no = job->srs.next_batch;
        break;
    case ISO_UNIT_SIGNON:
        memcpy(rp.rc, "00", 3);
        rp.f62 = job->f62;
        rp.f62_len = job->f62_len;
        rp.batch_no = job->term.batch_no;
        break;
    }
    iso_send(job, &rp);
}

/* ---- the worker's part ---- */

static int iso_keyblock(const struct lmk *lmk, const char *usage, char mode, const uint8_t *key,
                        char *out, size_t cap)
{
    struct keyblock_params p;
    size_t n = 0;

    memset(&p, 0, sizeof(p));
    p.version = 'D';
    p.usage = usage;
    p.algorithm = 'T';
    p.mode = mode;
    p.exportability = 'N';
    return lmk_wrap(lmk, &p, key, 16, out, cap, &n, NULL);
}

static void iso_signon(struct iso_job *job, struct iso_worker *w)
{
    struct iso_app *app = job->app;
    struct sesskey_set ks;
    uint8_t tmk[16];
    size_t n = 0;
    int rc;

    if (strcmp(job->term.scheme, "mksk-tdes") != 0) {
        iso_answer(job, "12");
        return;
    }
    memset(&ks, 0, sizeof(ks));
    rc = keystore_get_id(w->rd, &app->lmk, job->term.tmk_id, "K0", 'E', tmk, sizeof(tmk), &n,
                         NULL);
    if (rc == POS_OK && n != 16)
        rc = POS_ERR_KEY_LENGTH;
    if (rc == POS_OK)
        rc = sesskey_generate(&ks, KEY_SCHEME_TDES, SESSKEY_MAK_DOUBLE);
    if (rc == POS_OK)
        rc = sesskey_f62_encode(&ks, tmk, 16, job->f62, sizeof(job->f62), &job->f62_len);
    if (rc == POS_OK)
        rc = iso_keyblock(&app->lmk, "P0", 'B', ks.pik, job->pik_block, sizeof(job->pik_block));
    if (rc == POS_OK)
        rc = iso_keyblock(&app->lmk, "M0", 'C', ks.mak, job->mak_block, sizeof(job->mak_block));
    sesskey_set_clear(&ks);
    pos_wipe(tmk, sizeof(tmk));
    if (rc != POS_OK) {
        log_event(LOG_LEVEL_ERROR, "signon_failed", "tid=%s error=\"%s\"", job->req.tid,
                  pos_strerror(rc));
        iso_answer(job, "96");
        return;
    }
    job->now_ms = iso_now_ms();
    iso_submit(job, ISO_UNIT_SIGNON);
}

/* The PIN check: decrypt the block, verify against the card's PVV. */
static enum engine_pin iso_pin(struct iso_worker *w, struct iso_job *job, struct iso_term_keys *k,
                               bool *pin_required)
{
    const struct proto_req *r = &job->req;
    const struct issuer_card_pin *c = &job->card;
    struct card_service_code sc;
    uint8_t clear[8];
    char pin[PINBLOCK_PIN_CAP];
    size_t pin_len = 0;
    enum engine_pin out = ENGINE_PIN_NONE;
    int rc;

    *pin_required = false;
    if (c->id <= 0)
        return r->has_pin ? ENGINE_PIN_BAD : ENGINE_PIN_NONE;
    if (card_service_code_parse(c->service_code, strlen(c->service_code), &sc, NULL) == POS_OK)
        *pin_required = sc.pin == CARD_SC_PIN_REQUIRED;
    if (!r->has_pin)
        return ENGINE_PIN_NONE;
    if (strcmp(job->term.scheme, "dukpt-tdes") == 0) {
        rc = dukpt_host_decrypt_pin(&k->dh, r->ksn, r->pinblock, clear, NULL);
        if (rc == POS_OK)
            rc = pinblock_decode(PINBLOCK_ISO0, clear, 8, r->pan, r->pan_len, pin, sizeof(pin),
                                 &pin_len);
    } else {
        rc = pinblock_decrypt(&k->pik_ctx, PINBLOCK_ISO0, r->pinblock, 8, r->pan, r->pan_len, pin,
                              sizeof(pin), &pin_len);
    }
    if (rc == POS_OK)
        rc = pvv_visa_verify(&w->ik.pvk, r->pan, r->pan_len, (unsigned)c->pvki, pin, pin_len,
                             c->pvv, strlen(c->pvv));
    out = rc == POS_OK ? ENGINE_PIN_OK : ENGINE_PIN_BAD;
    pos_wipe(clear, sizeof(clear));
    pos_wipe(pin, sizeof(pin));
    return out;
}

/* A random 6-digit approval code. The worker draws random bytes in
 * batches (OpenSSL's generator makes a system call per draw) and keeps only
 * bytes under 250, so each digit is uniform. */
static void iso_random_auth(struct iso_worker *w, char out[7])
{
    int i = 0;

    while (i < 6) {
        if (w->rnd_used == sizeof(w->rnd)) {
            if (RAND_bytes(w->rnd, sizeof(w->rnd)) != 1)
                memset(w->rnd, 0, sizeof(w->rnd));
            w->rnd_used = 0;
        }
        if (w->rnd[w->rnd_used] < 250)
            out[i++] = (char)('0' + w->rnd[w->rnd_used] % 10);
        w->rnd[w->rnd_used++] = 0;
    }
    out[6] = '\0';
}

/* Forgets what job was decided on so far: whether memos were used, and the
 * keys its answer would be MACed under. */
static void iso_forget(struct iso_job *job)
{
    job->memo_used = false;
    job->reply_mac = false;
    memset(&job->mac, 0, sizeof(job->mac));
    pos_wipe(job->mac_key, sizeof(job->mac_key));
}

/* Decides job again from the database, forgetting what was decided on the
 * memos (the keys its answer would be MACed under included). */
static void iso_again(struct iso_job *job, struct iso_worker *w)
{
    job->fresh = true;
    if (w->inline_only) {
        iso_punt(job);
        return;
    }
    iso_forget(job);
    iso_dispatch(job, w);
}

/* Answers code, unless the terminal came from a memo: then the request is
 * decided again from the database (the memo may be older than a sign-on). */
static void iso_refuse(struct iso_job *job, struct iso_worker *w, const char *code)
{
    if (job->memo_used && !job->fresh)
        iso_again(job, w);
    else
        iso_answer(job, code);
}

static void iso_financial(struct iso_job *job, struct iso_worker *w)
{
    struct iso_app *app = job->app;
    struct proto_req *r = &job->req;
    struct engine_request *e = &job->erq;
    struct iso_term_keys *k = NULL;
    uint8_t tk[DUKPT_KEY_LEN], mk[16];
    struct tm tm;
    time_t now;
    bool pin_required = false;
    int rc;

    /* keys and the MAC (DUKPT may need the BDK from the database) */
    if (w->inline_only && strcmp(job->term.scheme, "mksk-tdes") != 0) {
        iso_punt(job);
        return;
    }
    if (strcmp(job->term.scheme, "mksk-tdes") == 0) {
        if (job->term.pik_block[0] == '\0' || job->term.mak_block[0] == '\0') {
            iso_refuse(job, w, "77");
            return;
        }
        if (iso_wk(app, w, &job->term, &k) != POS_OK) {
            iso_refuse(job, w, "96");
            return;
        }
        memcpy(job->mac_key, k->mak, 16);
        job->mac = (struct proto_mac){MAC_CUP_ECB, job->mac_key, 16, NULL};
    } else if (strcmp(job->term.scheme, "dukpt-tdes") == 0) {
        if (!r->has_ksn) {
            iso_refuse(job, w, "30");
            return;
        }
        rc = iso_dukpt(app, w, &job->term, r->ksn, &k);
        if (rc == POS_OK)
            rc = dukpt_host_derive(&k->dh, r->ksn, tk, NULL);
        if (rc != POS_OK) {
            iso_refuse(job, w, rc == POS_ERR_KSN ? "30" : "96");
            return;
        }
        /* verify under the request key; answer under the response key */
        rc = dukpt_variant(tk, DUKPT_USAGE_MAC_REQUEST, mk);
        if (rc == POS_OK)
            rc = dukpt_variant(tk, DUKPT_USAGE_MAC_RESPONSE, job->mac_key);
        pos_wipe(tk, sizeof(tk));
        if (rc != POS_OK) {
            pos_wipe(mk, sizeof(mk));
            iso_refuse(job, w, "96");
            return;
        }
        job->mac = (struct proto_mac){MAC_ISO9797_ALG3, mk, 16, NULL};
        job->reply_mac = true;
        rc = proto_mac_verify(r, job->frame, &job->mac);
        pos_wipe(mk, sizeof(mk));
        job->mac = (struct proto_mac){MAC_ISO9797_ALG3, job->mac_key, 16, NULL};
        if (rc != POS_OK) {
            iso_refuse(job, w, "A0");
            return;
        }
        goto checked;
    } else {
        iso_refuse(job, w, "12"); /* a scheme not offered on the wire */
        return;
    }
    job->reply_mac = true;
    job->mac.ctx = iso_mac_ctx(job); /* this thread's: only while it works on job */
    rc = proto_mac_verify(r, job->frame, &job->mac);
    job->mac.ctx = NULL;
    if (rc != POS_OK) {
        iso_refuse(job, w, "A0");
        return;
    }
checked:
    if (r->op == PROTO_SETTLE) {
        struct settle_request *s = &job->srq;
        memset(s, 0, sizeof(*s));
        s->terminal_id = job->term.id;
        memcpy(s->mti, r->mti, 5);
        memcpy(s->stan, r->stan, 7);
        memcpy(s->tx_time, r->tx_time, 11);
        s->batch_no = r->batch_no;
        s->currency = r->currency;
        s->terminal = r->totals;
        s->now_ms = iso_now_ms();
        iso_submit(job, ISO_UNIT_SETTLE);
        return;
    }
    /* the card: by its keyed hash */
    if (!iso_card_get(w, job)) {
        iso_punt(job);
        return;
    }
    memset(e, 0, sizeof(*e));
    e->pin = iso_pin(w, job, k, &pin_required);
    e->kind = r->kind;
    e->terminal_id = job->term.id;
    memcpy(e->mti, r->mti, 5);
    memcpy(e->proc_code, r->proc, sizeof(e->proc_code));
    memcpy(e->stan, r->stan, sizeof(e->stan));
    memcpy(e->tx_time, r->tx_time, sizeof(e->tx_time));
    e->card_id = job->card.id;
    memcpy(e->expiry, r->expiry, sizeof(e->expiry));
    e->pin_required = pin_required && (r->kind == ENGINE_PURCHASE || r->kind == ENGINE_BALANCE ||
                                       r->kind == ENGINE_PREAUTH);
    e->amount = r->amount;
    e->currency = r->currency;
    /* no batch in field 60: the engine takes the terminal's open one */
    e->batch_no = r->batch_no > 0 ? r->batch_no : r->op == PROTO_UPLOAD ? job->term.batch_no : 0;
    memcpy(e->orig_stan, r->orig_stan, sizeof(e->orig_stan));
    memcpy(e->orig_tx_time, r->orig_time, sizeof(e->orig_tx_time));
    memcpy(e->orig_rrn, r->orig_rrn, sizeof(e->orig_rrn));
    iso_random_auth(w, e->auth_code);
    e->check_stamps = job->memo_used;
    e->term_signed_on_at = job->term.signed_on_at;
    e->term_pik_block = job->term.pik_block;
    e->term_mak_block = job->term.mak_block;
    e->card_pvki = job->card.pvki;
    memcpy(e->card_pvv, job->card.pvv, sizeof(e->card_pvv));
    memcpy(e->card_service_code, job->card.service_code, sizeof(e->card_service_code));
    e->now_ms = iso_now_ms();
    now = (time_t)(e->now_ms / 1000);
    gmtime_r(&now, &tm);
    e->today_yymm = (tm.tm_year % 100) * 100 + tm.tm_mon + 1;
    e->today_day = (int64_t)(now / 86400);
    iso_submit(job, r->op == PROTO_UPLOAD ? ISO_UNIT_UPLOAD : ISO_UNIT_ENGINE);
}

/* Parses job's frame and decides it: on a worker (inline false), or on the
 * event loop (inline true), which hands anything that needs the database to
 * a worker (iso_punt). */
static void iso_start(struct iso_job *job, bool inline_)
{
    struct iso_app *app = job->app;
    struct pos_errdetail det;
    struct iso_worker *w;
    char code[3], why[160];
    int rc;

    pos_errdetail_init(&det);
    rc = proto_parse(job->d, job->frame, job->len, &job->req, code, &det);
    if (rc != POS_OK) {
        pos_errdetail_format(rc, &det, why, sizeof(why));
        log_event(LOG_LEVEL_WARN, "bad_message", "peer=%s len=%zu error=\"%s\"",
                  net_conn_peer(job->c), job->len, why);
        metrics_request_observe(app->metrics, "none", "30", 0);
        iso_finish(job);
        return;
    }
    if (code[0] != '\0') {
        iso_answer(job, code);
        return;
    }
    if (job->req.op == PROTO_ECHO) {
        iso_answer(job, "00");
        return;
    }
    if (inline_ && job->req.op != PROTO_ENGINE) {
        iso_punt(job);
        return;
    }
    w = iso_worker(app);
    if (w == NULL) {
        atomic_store(&app->db_ok, false);
        iso_answer(job, "96");
        return;
    }
    w->inline_only = inline_;
    iso_dispatch(job, w);
}

static void iso_run(void *arg)
{
    iso_start(arg, false);
}

/* Starts job over on a worker: the event loop met something that needs the
 * database. */
static void iso_punt(struct iso_job *job)
{
    proto_req_clear(&job->req);
    iso_forget(job);
    if (workq_submit(job->app->wq, iso_run, job) != POS_OK) {
        log_event(LOG_LEVEL_WARN, "overload", "peer=%s", net_conn_peer(job->c));
        iso_finish(job);
    }
}

/* A parsed request that needs its terminal: sign-on or financial. */
static void iso_dispatch(struct iso_job *job, struct iso_worker *w)
{
    bool found = false;
    int rc;

    rc = iso_term_get(w, job, &found);
    if (rc == ISO_PUNT) {
        iso_punt(job);
        return;
    }
    if (rc != POS_OK) {
        iso_answer(job, "96");
        return;
    }
    if (!found || !job->term.active) {
        iso_answer(job, "58");
        return;
    }
    if (job->req.op == PROTO_SIGNON)
        iso_signon(job, w);
    else
        iso_financial(job, w);
}

static struct iso_app iso_state;

/* Writer thread: every group commit's size, for posd_commit_batch_size. */
static void iso_on_batch(void *ud, size_t units)
{
    struct iso_app *app = ud;

    metrics_commit_batch_observe(app->metrics, units);
}

static int iso_init(struct posd_ctx *ctx, void **state)
{
    struct iso_app *app = &iso_state;
    const struct store_migration *mig;
    struct pos_errdetail d;
    struct store_options o;
    struct store *s = NULL;
    char why[200];
    size_t n;
    int rc;

    memset(app, 0, sizeof(*app));
    pos_errdetail_init(&d);
    app->cfg = ctx->cfg;
    app->metrics = ctx->metrics;
    app->wq = ctx->workq;
    atomic_init(&app->db_ok, true);
    if (app->cfg->lmk_file[0] != '\0')
        rc = lmk_load_file(&app->lmk, app->cfg->lmk_file, &d);
    else
        rc = lmk_load_env(&app->lmk, LMK_ENV_DEFAULT, &d);
    if (rc != POS_OK) {
        pos_errdetail_format(rc, &d, why, sizeof(why));
        log_event(LOG_LEVEL_ERROR, "lmk", "error=\"%s\"", why);
        return rc;
    }
    store_options_init(&o);
    o.no_create = true;
    rc = store_open(app->cfg->db_url, &o, &s, &d);
    if (rc == POS_OK) {
        mig = schema_migrations(&n);
        rc = store_migrate(s, mig, n, NULL, &d);
    }
    if (rc == POS_OK) {
        struct store_writer_options wo;
        store_writer_options_init(&wo);
        wo.on_batch = iso_on_batch;
        wo.on_batch_ud = app;
        wo.pipeline_sync = app->cfg->db_sync_pipelined;
        rc = store_writer_open(s, &wo, &app->w);
    }
    if (rc != POS_OK) {
        pos_errdetail_format(rc, &d, why, sizeof(why));
        log_event(LOG_LEVEL_ERROR, "database", "url=%s error=\"%s\"", app->cfg->db_url, why);
        store_close(s);
        lmk_clear(&app->lmk);
        return rc;
    }
    if (pthread_key_create(&app->tkey, iso_worker_free) != 0) {
        store_writer_close(app->w);
        lmk_clear(&app->lmk);
        return POS_ERR_NOMEM;
    }
    app->tkey_ok = true;
    if (pthread_key_create(&app->mkey, iso_macs_free) != 0) {
        pthread_key_delete(app->tkey);
        app->tkey_ok = false;
        store_writer_close(app->w);
        lmk_clear(&app->lmk);
        return POS_ERR_NOMEM;
    }
    app->mkey_ok = true;
    app->memos = pos_calloc(1, sizeof(*app->memos));
    if (app->memos == NULL || pthread_mutex_init(&app->memos->mu, NULL) != 0) {
        pos_free(app->memos);
        app->memos = NULL;
        pthread_key_delete(app->mkey);
        pthread_key_delete(app->tkey);
        app->tkey_ok = app->mkey_ok = false;
        store_writer_close(app->w);
        lmk_clear(&app->lmk);
        return POS_ERR_NOMEM;
    }
    *state = app;
    return POS_OK;
}

static void iso_on_frame(struct net_conn *c, const uint8_t *frame, size_t len, void *state)
{
    struct iso_app *app = state;
    const struct net_listener_config *lc = net_conn_listener(c);
    const struct iso8583_dialect *d = iso8583_dialect_find(lc->dialect);
    struct iso_job *job;

    if (d == NULL) {
        log_event(LOG_LEVEL_ERROR, "no_dialect", "listener=%s dialect=%s", lc->name, lc->dialect);
        net_conn_close(c);
        return;
    }
    job = pos_malloc(sizeof(*job) + len);
    if (job == NULL) {
        log_event(LOG_LEVEL_ERROR, "nomem", "peer=%s", net_conn_peer(c));
        return;
    }
    memset(job, 0, sizeof(*job));
    job->app = app;
    job->c = c;
    job->d = d;
    job->len = len;
    memcpy(job->frame, frame, len);
    net_conn_ref(c);
    clock_gettime(CLOCK_MONOTONIC, &job->t0);
    iso_start(job, true);
}

static bool iso_healthy(void *state, char *why, size_t cap)
{
    struct iso_app *app = state;

    if (atomic_load(&app->db_ok))
        return true;
    snprintf(why, cap, "database unavailable");
    return false;
}

static void iso_shutdown(void *state)
{
    struct iso_app *app = state;

    store_writer_close(app->w);
    app->w = NULL;
    if (app->tkey_ok)
        pthread_key_delete(app->tkey);
    if (app->mkey_ok)
        pthread_key_delete(app->mkey);
    app->tkey_ok = app->mkey_ok = false;
    if (app->memos != NULL) {
        pthread_mutex_destroy(&app->memos->mu);
        pos_wipe(app->memos, sizeof(*app->memos));
        pos_free(app->memos);
        app->memos = NULL;
    }
    lmk_clear(&app->lmk);
}

static const struct posd_app iso_app_def = {
    "iso8583", iso_init, iso_on_frame, NULL, NULL, iso_healthy, iso_shutdown,
};

const struct posd_app *app_iso_get(void)
{
    return &iso_app_def;
}
