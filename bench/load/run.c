/* pos-load: the worker threads (see load.h, docs/load.md). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "load.h"
#include "mem.h"

enum term_state { T_DOWN = 0, T_IDLE, T_WAIT };
enum term_job { J_NONE = 0, J_SIGNON, J_WORK, J_REVERSAL };

struct term {
    const struct load_term_def *def;
    struct posmsg_terminal pt;
    int fd;
    enum term_state st;
    enum term_job job;
    struct posmsg_sent sent;
    bool has_pending; /* a request with no good answer: reverse it first */
    struct posmsg_sent pending;
    unsigned rev_tries;
    bool want_signon;
    uint8_t out[2 + POSMSG_MAX];
    size_t out_len, out_off;
    bool pollout; /* EPOLLOUT armed: a send is waiting for room */
    uint8_t in[2 + LOAD_FRAME_MAX];
    size_t in_len;
    uint64_t t_sent, next_try;
    size_t card;
};

struct worker {
    const struct load_config *c;
    struct term *t;
    size_t n;
    struct load_stats st;
    int ep;
    char *rec;
    size_t rec_len, rec_cap;
    uint64_t start, end_send, end_all, last_flush;
    char when[11];
    time_t when_sec;
    int failed;
    pthread_t th;
};

static uint64_t load_budget_used; /* requests started, over all threads */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const char *when_now(struct worker *w)
{
    time_t s = time(NULL);
    struct tm tm;

    if (s != w->when_sec) {
        localtime_r(&s, &tm);
        strftime(w->when, sizeof(w->when), "%m%d%H%M%S", &tm);
        w->when_sec = s;
    }
    return w->when;
}

static int term_init(struct term *t)
{
    const struct load_term_def *d = t->def;
    uint32_t stan = posmsg_terminal_stan(&t->pt);
    int rc;

    posmsg_terminal_clear(&t->pt);
    if (strcmp(d->scheme, "dukpt-tdes") == 0)
        rc = posmsg_terminal_init_dukpt(&t->pt, d->dialect, d->tid, d->mid, d->currency, d->batch,
                                        d->key, 16, d->ksn, NULL);
    else
        rc = posmsg_terminal_init_mksk(&t->pt, d->dialect, d->tid, d->mid, d->currency, d->batch,
                                       d->key, 16, NULL);
    if (rc == POS_OK)
        rc = posmsg_terminal_set_stan(&t->pt, stan);
    return rc;
}

static void rec_flush(struct worker *w)
{
    size_t off = 0;

    while (off < w->rec_len) {
        ssize_t k = write(w->c->record_fd, w->rec + off, w->rec_len - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            w->failed = 1;
            break;
        }
        off += (size_t)k;
    }
    if (w->rec_len > 0 && fsync(w->c->record_fd) != 0)
        w->failed = 1;
    w->rec_len = 0;
}

static void rec_add(struct worker *w, const struct term *t, const struct posmsg_reply *r)
{
    char line[256];
    int k = snprintf(line, sizeof(line),
                     "{\"tid\":\"%s\",\"stan\":\"%s\",\"time\":\"%s\",\"rrn\":\"%s\","
                     "\"auth\":\"%s\",\"amount\":%lld}\n",
                     t->def->tid, t->sent.stan, t->sent.when, r->rrn, r->auth,
                     (long long)t->sent.amount);

    if (w->c->record_fd < 0 || k <= 0 || (size_t)k >= sizeof(line))
        return;
    if (w->rec_cap - w->rec_len < (size_t)k) {
        size_t nc = w->rec_cap ? 2 * w->rec_cap : 65536;
        char *p = realloc(w->rec, nc);
        if (p == NULL) {
            w->failed = 1;
            return;
        }
        w->rec = p;
        w->rec_cap = nc;
    }
    memcpy(w->rec + w->rec_len, line, (size_t)k);
    w->rec_len += (size_t)k;
}

/* The request in flight had no good answer: remember it for a reversal
 * when it could have moved money. */
static void lost_answer(struct term *t)
{
    if (t->job == J_REVERSAL) {
        t->rev_tries++;
    } else if (t->job == J_WORK && t->sent.kind == POSMSG_PURCHASE && !t->has_pending) {
        t->pending = t->sent;
        t->has_pending = true;
        t->rev_tries = 0;
    }
    if (t->job == J_SIGNON)
        t->want_signon = true;
}

static void drop(struct worker *w, struct term *t, uint64_t now)
{
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
    if (t->st == T_WAIT)
        lost_answer(t);
    t->st = T_DOWN;
    t->job = J_NONE;
    t->in_len = 0;
    t->out_len = t->out_off = 0;
    t->next_try = now + 50000000u;
    w->st.disconnects++;
}

static int term_connect(struct worker *w, struct term *t)
{
    struct sockaddr_in sa;
    struct epoll_event ev;
    int fd, one = 1;

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)w->c->port);
    if (inet_pton(AF_INET, w->c->host, &sa.sin_addr) != 1)
        return -1;
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return -1;
    }
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.ptr = t;
    t->pollout = false;
    if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        close(fd);
        return -1;
    }
    t->fd = fd;
    t->st = T_IDLE;
    /* master/session: new working keys on every connection */
    if (strcmp(t->def->scheme, "mksk-tdes") == 0 && w->c->mode == LOAD_PURCHASE) {
        if (term_init(t) != POS_OK)
            return -1;
        t->want_signon = true;
    }
    return 0;
}

static void do_write(struct worker *w, struct term *t, uint64_t now)
{
    struct epoll_event ev;

    while (t->out_off < t->out_len) {
        ssize_t k = send(t->fd, t->out + t->out_off, t->out_len - t->out_off, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!t->pollout) {
                memset(&ev, 0, sizeof(ev));
                ev.events = EPOLLIN | EPOLLOUT;
                ev.data.ptr = t;
                (void)epoll_ctl(w->ep, EPOLL_CTL_MOD, t->fd, &ev);
                t->pollout = true;
            }
            return;
        }
        if (k <= 0) {
            drop(w, t, now);
            return;
        }
        t->out_off += (size_t)k;
    }
    if (t->pollout) { /* sent: stop waiting for room */
        memset(&ev, 0, sizeof(ev));
        ev.events = EPOLLIN;
        ev.data.ptr = t;
        (void)epoll_ctl(w->ep, EPOLL_CTL_MOD, t->fd, &ev);
        t->pollout = false;
    }
}

/* Builds and sends t's next request, if it has one. */
static void start_next(struct worker *w, struct term *t, bool sending, uint64_t now)
{
    const struct load_card *card;
    struct posmsg_card pc;
    struct posmsg_request rq;
    size_t len = 0;
    int rc;

    memset(&rq, 0, sizeof(rq));
    rq.when = when_now(w);
    if (t->want_signon) {
        if (now < t->next_try)
            return;
        rq.kind = POSMSG_SIGNON;
        t->job = J_SIGNON;
        rc = posmsg_build(&t->pt, &rq, t->out + 2, POSMSG_MAX, &len, &t->sent, NULL);
    } else if (t->has_pending) {
        t->job = J_REVERSAL;
        rc = posmsg_build_reversal(&t->pt, &t->pending, t->rev_tries > 0, rq.when, t->out + 2,
                                   POSMSG_MAX, &len, &t->sent, NULL);
    } else if (sending) {
        if (w->c->max_requests > 0 &&
            __atomic_fetch_add(&load_budget_used, 1, __ATOMIC_RELAXED) >= w->c->max_requests)
            return;
        t->job = J_WORK;
        if (w->c->mode == LOAD_ECHO) {
            rq.kind = POSMSG_ECHO;
        } else {
            card = &w->c->cards[t->card++ % w->c->n_cards];
            memset(&pc, 0, sizeof(pc));
            if (card->track2[0] != '\0') {
                pc.track2 = card->track2;
            } else {
                pc.pan = card->pan;
                pc.expiry = card->expiry;
            }
            pc.pin = card->pin;
            rq.kind = POSMSG_PURCHASE;
            rq.amount = w->c->amount;
            rq.card = &pc;
        }
        rc = posmsg_build(&t->pt, &rq, t->out + 2, POSMSG_MAX, &len, &t->sent, NULL);
        w->st.sent++;
    } else {
        return;
    }
    if (rc != POS_OK) {
        w->st.errors++;
        t->job = J_NONE;
        if (rc == POS_ERR_STATE)
            t->want_signon = true;
        t->next_try = now + 1000000000u;
        return;
    }
    t->out[0] = (uint8_t)(len >> 8);
    t->out[1] = (uint8_t)len;
    t->out_len = len + 2;
    t->out_off = 0;
    t->st = T_WAIT;
    t->t_sent = now;
    do_write(w, t, now);
}

static void on_reply(struct worker *w, struct term *t, const uint8_t *msg, size_t len, uint64_t now)
{
    struct posmsg_reply r;
    int rc;

    if (t->st != T_WAIT) { /* an answer nobody asked for */
        w->st.errors++;
        return;
    }
    rc = posmsg_reply_check(&t->pt, &t->sent, msg, len, &r, NULL);
    t->st = T_IDLE;
    switch (t->job) {
    case J_SIGNON:
        if (rc == POS_OK && r.keys_loaded) {
            t->want_signon = false;
            w->st.signons++;
        } else {
            w->st.errors++;
            t->next_try = now + 1000000000u;
        }
        break;
    case J_REVERSAL:
        if (rc == POS_OK) {
            t->has_pending = false;
            posmsg_sent_clear(&t->pending);
            w->st.reversals++;
        } else {
            t->rev_tries++;
            w->st.errors++;
            if (strcmp(r.rc, "77") == 0)
                t->want_signon = true;
        }
        break;
    case J_WORK:
        load_hist_add(&w->st.hist, (now - t->t_sent) / 1000u);
        if (rc != POS_OK) {
            w->st.errors++;
            if (rc == POS_ERR_MAC_MISMATCH)
                w->st.mac_errors++;
            if (strcmp(r.rc, "77") == 0 && strcmp(t->def->scheme, "mksk-tdes") == 0)
                t->want_signon = true;
            lost_answer(t);
        } else if (posmsg_reply_is_approved(&r)) {
            w->st.approved++;
            if (t->sent.kind == POSMSG_PURCHASE)
                rec_add(w, t, &r);
        } else {
            w->st.declined++;
        }
        break;
    default:
        break;
    }
    t->job = J_NONE;
    posmsg_sent_clear(&t->sent);
}

/* One recv per readiness: epoll is level-triggered, so bytes left in the
 * socket are reported again (a second recv would mostly say EAGAIN). */
static void do_read(struct worker *w, struct term *t, uint64_t now)
{
    size_t off = 0;
    ssize_t k;

    do
        k = recv(t->fd, t->in + t->in_len, sizeof(t->in) - t->in_len, 0);
    while (k < 0 && errno == EINTR);
    if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (k <= 0) {
        drop(w, t, now);
        return;
    }
    t->in_len += (size_t)k;
    while (t->in_len - off >= 2) {
        size_t n = (size_t)t->in[off] << 8 | t->in[off + 1];
        if (n > LOAD_FRAME_MAX) {
            w->st.errors++;
            drop(w, t, now);
            return;
        }
        if (t->in_len - off - 2 < n)
            break;
        if (n > 0)
            on_reply(w, t, t->in + off + 2, n, now);
        if (t->fd < 0)
            return; /* dropped while answering (a send failed): input discarded */
        off += 2 + n;
    }
    memmove(t->in, t->in + off, t->in_len - off);
    t->in_len -= off;
}

static bool busy(const struct term *t)
{
    return t->st == T_WAIT || t->has_pending;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct epoll_event ev[128];
    size_t i;
    int k, j;

    for (;;) {
        uint64_t now = now_ns();
        bool sending = now < w->end_send &&
                       (w->c->max_requests == 0 ||
                        __atomic_load_n(&load_budget_used, __ATOMIC_RELAXED) < w->c->max_requests);
        bool any = false;

        if (!sending && now >= w->end_all)
            break;
        for (i = 0; i < w->n; i++) {
            struct term *t = &w->t[i];
            if (t->st == T_DOWN && now >= t->next_try && (sending || t->has_pending)) {
                if (term_connect(w, t) != 0)
                    t->next_try = now + 100000000u;
            }
            if (t->st == T_WAIT && now - t->t_sent > (uint64_t)(w->c->timeout * 1e9)) {
                w->st.timeouts++;
                w->st.errors++;
                drop(w, t, now);
            }
            if (t->st == T_IDLE)
                start_next(w, t, sending, now);
            any = any || busy(t);
        }
        if (!sending && !any)
            break;
        k = epoll_wait(w->ep, ev, 128, 5);
        now = now_ns();
        for (j = 0; j < k; j++) {
            struct term *t = ev[j].data.ptr;
            if (t->fd < 0)
                continue;
            if (ev[j].events & EPOLLOUT)
                do_write(w, t, now);
            if (t->fd >= 0 && (ev[j].events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
                do_read(w, t, now);
        }
        if (w->rec_len > 0 && (w->rec_len > 32768 || now - w->last_flush > 20000000u)) {
            rec_flush(w);
            w->last_flush = now;
        }
    }
    rec_flush(w);
    return NULL;
}

int load_run(const struct load_config *c, struct load_stats *st, double *elapsed)
{
    struct worker *w = calloc(c->threads, sizeof(*w));
    struct term *terms = calloc(c->n_terms, sizeof(*terms));
    uint64_t start, end;
    size_t i, per, started = 0;
    int rc = -1;

    memset(st, 0, sizeof(*st));
    if (w == NULL || terms == NULL)
        goto out;
    for (i = 0; i < c->threads; i++)
        w[i].ep = -1;
    for (i = 0; i < c->n_terms; i++) {
        terms[i].def = &c->terms[i];
        terms[i].fd = -1;
        terms[i].card = i;
        if (term_init(&terms[i]) != POS_OK) {
            fprintf(stderr, "pos-load: terminal %s: bad keys or parameters\n", c->terms[i].tid);
            goto out;
        }
    }
    start = now_ns();
    per = (c->n_terms + c->threads - 1) / c->threads;
    for (i = 0; i < c->threads; i++) {
        size_t first = i * per;
        w[i].c = c;
        w[i].t = terms + (first < c->n_terms ? first : c->n_terms);
        w[i].n = first < c->n_terms ? (c->n_terms - first < per ? c->n_terms - first : per) : 0;
        w[i].start = start;
        w[i].end_send = start + (uint64_t)(c->duration * 1e9);
        w[i].end_all = w[i].end_send + (uint64_t)(c->drain * 1e9);
        w[i].ep = epoll_create1(EPOLL_CLOEXEC);
        if (w[i].ep < 0 || pthread_create(&w[i].th, NULL, worker_main, &w[i]) != 0) {
            fprintf(stderr, "pos-load: cannot start a worker\n");
            break;
        }
        started++;
    }
    for (i = 0; i < started; i++)
        pthread_join(w[i].th, NULL);
    if (started < c->threads)
        goto out;
    end = now_ns();
    *elapsed = (double)(end - start) / 1e9;
    if (*elapsed > c->duration && c->max_requests == 0)
        *elapsed = c->duration;
    rc = 0;
    for (i = 0; i < c->threads; i++) {
        st->sent += w[i].st.sent;
        st->approved += w[i].st.approved;
        st->declined += w[i].st.declined;
        st->errors += w[i].st.errors;
        st->mac_errors += w[i].st.mac_errors;
        st->timeouts += w[i].st.timeouts;
        st->disconnects += w[i].st.disconnects;
        st->reversals += w[i].st.reversals;
        st->signons += w[i].st.signons;
        load_hist_merge(&st->hist, &w[i].st.hist);
        if (w[i].failed) {
            fprintf(stderr, "pos-load: writing the record failed\n");
            rc = -1;
        }
    }
out:
    for (i = 0; terms != NULL && i < c->n_terms; i++) {
        if (terms[i].fd >= 0)
            close(terms[i].fd);
        posmsg_terminal_clear(&terms[i].pt);
        pos_wipe(&terms[i].pending, sizeof(terms[i].pending));
        pos_wipe(&terms[i].sent, sizeof(terms[i].sent));
    }
    for (i = 0; w != NULL && i < c->threads; i++) {
        if (w[i].ep >= 0)
            close(w[i].ep);
        free(w[i].rec);
    }
    free(terms);
    free(w);
    return rc;
}
