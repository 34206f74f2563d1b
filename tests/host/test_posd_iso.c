/*
 * The payment host end to end: a real posd process on 127.0.0.1 (ephemeral
 * ports) over a fresh SQLite database provisioned with the real `pos admin`,
 * and terminals written on libpos (posmsg.h) over TCP: a cup listener with
 * master/session keys and an iso87b listener with DUKPT. Every message type
 * of docs/protocol.md and every response code posd gives except 96 (a
 * database failure); exactly once; stop and start keeping every record; the
 * books proved by `pos admin check`; no card secret in the log or database.
 */
#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "card.h"
#include "crypto/block.h"
#include "crypto/keyblock.h"
#include "error.h"
#include "hex.h"
#include "mem.h"
#include "posmsg.h"
#include "store/store.h"

#define MID "123456789012345"

static char dir[200], db[300], lmk[300], ktk[300], ports[300], logpath[300], pos_bin[512];
static pid_t posd_pid;
static uint16_t cup_port, b_port, http_port;

struct card {
    char pan[20], track2[48], expiry[5], pin[13];
    int64_t id;
};
static struct card good, lost, stolen, blocked, expired, limited, usd, tries, nopin_sc, repin;

/* ---- helpers: pos admin ---- */

static json_t *admin(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static json_t *admin(const char *fmt, ...)
{
    char cmd[2048], args[700], out[8192];
    size_t n;
    FILE *p;
    json_t *j;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof(cmd), "%s admin --db %s --lmk %s %s", pos_bin, db, lmk, args);
    p = popen(cmd, "r");
    assert_non_null(p);
    n = fread(out, 1, sizeof(out) - 1, p);
    out[n] = '\0';
    if (pclose(p) != 0)
        fail_msg("pos admin %s failed: %s", args, out);
    j = json_loads(out, 0, NULL);
    return j; /* NULL for commands that print no JSON */
}

static void admin_card(struct card *c, int64_t account, const char *extra)
{
    json_t *j = admin("card issue --account %lld --pin 123456 %s", (long long)account, extra);

    snprintf(c->pan, sizeof(c->pan), "%s", json_string_value(json_object_get(j, "pan")));
    snprintf(c->track2, sizeof(c->track2), "%s", json_string_value(json_object_get(j, "track2")));
    snprintf(c->expiry, sizeof(c->expiry), "%s", json_string_value(json_object_get(j, "expiry")));
    snprintf(c->pin, sizeof(c->pin), "123456");
    c->id = json_integer_value(json_object_get(j, "card_id"));
    json_decref(j);
}

static int64_t admin_account(const char *currency)
{
    json_t *j = admin("account add --kind debit --currency %s", currency);
    int64_t id = json_integer_value(json_object_get(j, "id"));

    json_decref(j);
    return id;
}

/* Unwraps a provisioning file's key under the KTK. */
static void provision_key(const char *tid, const char *dialect, const char *scheme,
                          const char *usage, char mode, uint8_t key[16], uint8_t ksn[10])
{
    json_t *j = admin("terminal add --tid %s --mid " MID " --dialect %s --key-scheme %s", tid,
                      dialect, scheme);
    const char *block = json_string_value(json_object_get(json_object_get(j, "key"), "block"));
    char hex[64] = "";
    uint8_t kbpk[16];
    size_t n = 0;
    FILE *f = fopen(ktk, "r");

    assert_non_null(block);
    assert_non_null(f);
    assert_non_null(fgets(hex, sizeof(hex), f));
    fclose(f);
    assert_int_equal(pos_hex_decode(hex, 32, kbpk, sizeof(kbpk), &n), POS_OK);
    assert_int_equal(keyblock_unwrap_for(kbpk, 16, block, strlen(block), usage, mode, NULL, key,
                                         16, &n, NULL),
                     POS_OK);
    assert_int_equal(n, 16);
    if (ksn != NULL) {
        const char *k = json_string_value(json_object_get(j, "ksn"));
        assert_non_null(k);
        assert_int_equal(pos_hex_decode(k, 20, ksn, 10, &n), POS_OK);
    }
    json_decref(j);
}

static void db_exec(const char *sql)
{
    struct store *s;

    assert_int_equal(store_open(db, NULL, &s, NULL), POS_OK);
    assert_int_equal(store_exec(s, sql), POS_OK);
    store_close(s);
}

/* ---- posd ---- */

static void posd_start(void)
{
    char portarg1[64], portarg2[64];
    FILE *f;
    char line[128];
    int i;

    unlink(ports);
    posd_pid = fork();
    assert_true(posd_pid >= 0);
    if (posd_pid == 0) {
        snprintf(portarg1, sizeof(portarg1), "name=cup,port=0");
        snprintf(portarg2, sizeof(portarg2), "name=iso87b,port=0");
        execl(POSD_BIN, "posd", "--db", db, "--lmk", lmk, "--listen", portarg1, "--listen",
              portarg2, "--http", "127.0.0.1:0", "--port-file", ports, "--log-file", logpath,
              "--workers", "2", (char *)NULL);
        _exit(127);
    }
    for (i = 0; i < 200; i++) {
        f = fopen(ports, "r");
        if (f != NULL) {
            while (fgets(line, sizeof(line), f) != NULL) {
                if (strncmp(line, "cup=127.0.0.1:", 14) == 0)
                    cup_port = (uint16_t)strtoul(line + 14, NULL, 10);
                if (strncmp(line, "iso87b=127.0.0.1:", 17) == 0)
                    b_port = (uint16_t)strtoul(line + 17, NULL, 10);
                if (strncmp(line, "http=127.0.0.1:", 15) == 0)
                    http_port = (uint16_t)strtoul(line + 15, NULL, 10);
            }
            fclose(f);
            return;
        }
        usleep(50000);
    }
    fail_msg("posd did not become ready (see %s)", logpath);
}

static void posd_stop(void)
{
    int st = 0;

    kill(posd_pid, SIGTERM);
    assert_int_equal(waitpid(posd_pid, &st, 0), posd_pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

/* ---- the wire ---- */

struct term {
    struct posmsg_terminal t;
    int fd;
    unsigned tick;
};

static int dial(uint16_t port)
{
    struct sockaddr_in a;
    struct timeval tv = {10, 0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

static void send_frame(int fd, const uint8_t *b, size_t n)
{
    uint8_t p[2] = {(uint8_t)(n >> 8), (uint8_t)n};

    assert_int_equal(send(fd, p, 2, MSG_NOSIGNAL), 2);
    assert_int_equal(send(fd, b, n, MSG_NOSIGNAL), (ssize_t)n);
}

static size_t recv_frame(int fd, uint8_t *b, size_t cap)
{
    uint8_t p[2];
    size_t n, got = 0;
    ssize_t r;

    while (got < 2) {
        r = recv(fd, p + got, 2 - got, 0);
        if (r <= 0)
            fail_msg("no reply (%s)", r == 0 ? "closed" : strerror(errno));
        got += (size_t)r;
    }
    n = (size_t)p[0] << 8 | p[1];
    assert_true(n <= cap);
    for (got = 0; got < n; got += (size_t)r) {
        r = recv(fd, b + got, n - got, 0);
        if (r <= 0)
            fail_msg("reply cut short");
    }
    return n;
}

static void when(struct term *t, char out[11])
{
    snprintf(out, 11, "1122%06u", ++t->tick);
}

/* Sends a built request, checks the reply with posmsg, returns it. */
static void exchange(struct term *t, const uint8_t *msg, size_t n, const struct posmsg_sent *sent,
                     struct posmsg_reply *r, const char *want_rc)
{
    uint8_t buf[POSMSG_MAX];
    size_t len;
    struct pos_errdetail d;
    char why[200];
    int rc;

    send_frame(t->fd, msg, n);
    len = recv_frame(t->fd, buf, sizeof(buf));
    pos_errdetail_init(&d);
    rc = posmsg_reply_check(&t->t, sent, buf, len, r, &d);
    if (rc != POS_OK)
        fail_msg("reply check: %s", pos_errdetail_format(rc, &d, why, sizeof(why)));
    if (want_rc != NULL && strcmp(r->rc, want_rc) != 0)
        fail_msg("%s: rc %s, want %s", posmsg_kind_name(sent->kind), r->rc, want_rc);
}

static void do_req(struct term *t, struct posmsg_request *rq, struct posmsg_sent *sent,
                   struct posmsg_reply *r, const char *want_rc)
{
    uint8_t msg[POSMSG_MAX];
    char w[11];
    size_t n = 0;
    struct pos_errdetail d;
    char why[200];
    int rc;

    when(t, w);
    rq->when = w;
    pos_errdetail_init(&d);
    rc = posmsg_build(&t->t, rq, msg, sizeof(msg), &n, sent, &d);
    if (rc != POS_OK)
        fail_msg("build %s: %s", posmsg_kind_name(rq->kind),
                 pos_errdetail_format(rc, &d, why, sizeof(why)));
    exchange(t, msg, n, sent, r, want_rc);
}

static void purchase(struct term *t, const struct card *c, const char *pin, int64_t amount,
                     const char *want, struct posmsg_sent *sent, struct posmsg_reply *r)
{
    struct posmsg_card pc = {0};
    struct posmsg_request rq = {0};

    pc.track2 = c->track2;
    pc.pin = pin;
    rq.kind = POSMSG_PURCHASE;
    rq.amount = amount;
    rq.card = &pc;
    do_req(t, &rq, sent, r, want);
}

static int64_t balance_of(const struct card *c)
{
    json_t *j = admin("card show %lld", (long long)c->id);
    const char *b = json_string_value(json_object_get(j, "balance"));
    double v;

    if (b == NULL) {
        json_t *a = json_object_get(j, "account");
        b = json_string_value(json_object_get(a, "balance"));
    }
    assert_non_null(b);
    v = strtod(b, NULL);
    json_decref(j);
    return (int64_t)(v * 100.0 + (v < 0 ? -0.5 : 0.5));
}

/* ---- setup ---- */

static struct term cup, dk, b_mksk;

static int setup(void **state)
{
    uint8_t tmk[16], ipek[16], ksn[10];
    char cmd[1024];
    int64_t acct;
    json_t *j;

    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/pos-iso-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof(db), "%s/host.db", dir);
    snprintf(lmk, sizeof(lmk), "%s/host.lmk", dir);
    snprintf(ktk, sizeof(ktk), "%s/host.ktk", dir);
    snprintf(ports, sizeof(ports), "%s/ports", dir);
    snprintf(logpath, sizeof(logpath), "%s/posd.log", dir);
    snprintf(pos_bin, sizeof(pos_bin), "%s", POSD_BIN);
    *strrchr(pos_bin, '/') = '\0';
    strncat(pos_bin, "/pos", sizeof(pos_bin) - strlen(pos_bin) - 1);

    json_decref(admin("init --ktk-out %s", ktk));
    json_decref(admin("merchant add --mid " MID " --name Shop --mcc 5411 --currency CNY --mdr 60"
                      " --payout BANK-1"));
    provision_key("T0000001", "cup", "mksk-tdes", "K0", 'D', tmk, NULL);
    provision_key("T0000002", "iso87b", "dukpt-tdes", "B1", 'X', ipek, ksn);
    json_decref(admin("terminal add --tid T0000003 --mid " MID " --dialect cup --key-scheme mksk-tdes"));
    {
        uint8_t tmk4[16];
        provision_key("T0000004", "iso87b", "mksk-tdes", "K0", 'D', tmk4, NULL);
        assert_int_equal(posmsg_terminal_init_mksk(&b_mksk.t, "iso87b", "T0000004", MID, "156",
                                                   1, tmk4, 16, NULL),
                         POS_OK);
        pos_wipe(tmk4, sizeof(tmk4));
    }
    acct = admin_account("CNY");
    admin_card(&good, acct, "");
    j = admin("card topup --card %lld --amount 1000.00", (long long)good.id);
    json_decref(j);
    acct = admin_account("CNY");
    admin_card(&lost, acct, "");
    admin_card(&stolen, acct, "");
    admin_card(&blocked, acct, "");
    admin_card(&expired, acct, "");
    admin_card(&tries, acct, "");
    admin_card(&limited, acct, "--daily-limit 50.00");
    admin_card(&nopin_sc, acct, "--service-code 201");
    admin_card(&repin, acct, "");
    json_decref(admin("card topup --card %lld --amount 500.00", (long long)lost.id));
    json_decref(admin("card lost --card %lld", (long long)lost.id));
    json_decref(admin("card stolen --card %lld", (long long)stolen.id));
    json_decref(admin("card block --card %lld", (long long)blocked.id));
    snprintf(cmd, sizeof(cmd), "UPDATE cards SET expiry = '2001' WHERE id = %lld",
             (long long)expired.id);
    db_exec(cmd);
    acct = admin_account("USD");
    admin_card(&usd, acct, "");

    posd_start();
    assert_int_equal(posmsg_terminal_init_mksk(&cup.t, "cup", "T0000001", MID, "156", 1, tmk, 16,
                                               NULL),
                     POS_OK);
    assert_int_equal(posmsg_terminal_init_dukpt(&dk.t, "iso87b", "T0000002", MID, "156", 1, ipek,
                                                16, ksn, NULL),
                     POS_OK);
    pos_wipe(tmk, sizeof(tmk));
    pos_wipe(ipek, sizeof(ipek));
    cup.fd = dial(cup_port);
    dk.fd = dial(b_port);
    b_mksk.fd = dial(b_port);
    return 0;
}

static int teardown(void **state)
{
    char cmd[600];

    (void)state;
    close(cup.fd);
    close(dk.fd);
    close(b_mksk.fd);
    posmsg_terminal_clear(&b_mksk.t);
    posmsg_terminal_clear(&cup.t);
    posmsg_terminal_clear(&dk.t);
    if (posd_pid > 0)
        posd_stop();
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return -1;
    return 0;
}

/* ---- the tests (run in order on one host) ---- */

static void test_signon_echo(void **state)
{
    struct posmsg_request rq = {0};
    struct posmsg_sent s;
    struct posmsg_reply r;

    (void)state;
    rq.kind = POSMSG_ECHO;
    do_req(&cup, &rq, &s, &r, "00");
    rq.kind = POSMSG_SIGNON;
    do_req(&cup, &rq, &s, &r, "00");
    assert_true(r.keys_loaded);
    assert_true(posmsg_terminal_is_ready(&cup.t));
    rq.kind = POSMSG_ECHO;
    do_req(&dk, &rq, &s, &r, "00");
    /* master/session on iso87b: the keys travel as hex text in field 62 */
    rq.kind = POSMSG_SIGNON;
    do_req(&b_mksk, &rq, &s, &r, "00");
    assert_true(r.keys_loaded);
}

static void test_purchase_exactly_once(void **state)
{
    uint8_t msg[POSMSG_MAX];
    struct posmsg_card pc = {0};
    struct posmsg_request rq = {0};
    struct posmsg_sent s;
    struct posmsg_reply r, again;
    char w[11];
    size_t n = 0;

    (void)state;
    pc.track2 = good.track2;
    pc.pin = good.pin;
    rq.kind = POSMSG_PURCHASE;
    rq.amount = 2500;
    rq.card = &pc;
    when(&cup, w);
    rq.when = w;
    assert_int_equal(posmsg_build(&cup.t, &rq, msg, sizeof(msg), &n, &s, NULL), POS_OK);
    exchange(&cup, msg, n, &s, &r, "00");
    assert_int_equal(strlen(r.rrn), 12);
    assert_int_equal(strlen(r.auth), 6);
    assert_int_equal(balance_of(&good), 97500);
    /* the same bytes again: the same answer, no money */
    exchange(&cup, msg, n, &s, &again, "00");
    assert_string_equal(again.rrn, r.rrn);
    assert_string_equal(again.auth, r.auth);
    assert_int_equal(balance_of(&good), 97500);
    /* concurrent duplicates: two connections send the same request at once */
    {
        int fd2 = dial(cup_port);
        uint8_t b1[POSMSG_MAX], b2[POSMSG_MAX];
        struct posmsg_reply r1, r2;

        when(&cup, w);
        rq.when = w;
        assert_int_equal(posmsg_build(&cup.t, &rq, msg, sizeof(msg), &n, &s, NULL), POS_OK);
        send_frame(cup.fd, msg, n);
        send_frame(fd2, msg, n);
        n = recv_frame(cup.fd, b1, sizeof(b1));
        assert_int_equal(posmsg_reply_check(&cup.t, &s, b1, n, &r1, NULL), POS_OK);
        n = recv_frame(fd2, b2, sizeof(b2));
        assert_int_equal(posmsg_reply_check(&cup.t, &s, b2, n, &r2, NULL), POS_OK);
        assert_string_equal(r1.rc, "00");
        assert_string_equal(r2.rc, "00");
        assert_string_equal(r1.rrn, r2.rrn);
        close(fd2);
        assert_int_equal(balance_of(&good), 95000);
    }
    /* the same key with another amount: 94 */
    posmsg_terminal_set_stan(&cup.t, posmsg_terminal_stan(&cup.t) - 1);
    rq.amount = 1;
    assert_int_equal(posmsg_build(&cup.t, &rq, msg, sizeof(msg), &n, &s, NULL), POS_OK);
    exchange(&cup, msg, n, &s, &r, "94");
    assert_int_equal(balance_of(&good), 95000);
}

static void test_declines(void **state)
{
    struct posmsg_sent s;
    struct posmsg_reply r;
    struct card bogus;
    int i;

    (void)state;
    purchase(&cup, &good, "999999", 100, "55", &s, &r);
    purchase(&cup, &good, good.pin, 10000000, "51", &s, &r);
    purchase(&cup, &lost, lost.pin, 100, "41", &s, &r);
    purchase(&cup, &stolen, stolen.pin, 100, "43", &s, &r);
    purchase(&cup, &blocked, blocked.pin, 100, "05", &s, &r);
    purchase(&cup, &expired, expired.pin, 100, "54", &s, &r);
    purchase(&cup, &usd, usd.pin, 100, "57", &s, &r);
    purchase(&cup, &good, NULL, 100, "55", &s, &r); /* service code 220: PIN required */
    json_decref(admin("card topup --card %lld --amount 100.00", (long long)nopin_sc.id));
    purchase(&cup, &nopin_sc, NULL, 100, "00", &s, &r); /* 201: no PIN needed */
    json_decref(admin("card topup --card %lld --amount 100.00", (long long)limited.id));
    purchase(&cup, &limited, limited.pin, 4000, "00", &s, &r);
    purchase(&cup, &limited, limited.pin, 1001, "61", &s, &r);
    /* an unknown card, Luhn-valid; and a Luhn-invalid one */
    bogus = good;
    memcpy(bogus.track2, "6222020000000000", 16);
    {
        /* make the check digit right: 622202000000000 + Luhn digit */
        char d = 0;
        assert_int_equal(card_luhn_check_digit(bogus.track2, 15, &d), POS_OK);
        bogus.track2[15] = d;
    }
    purchase(&cup, &bogus, "123456", 100, "14", &s, &r);
    bogus.track2[15] = (char)(bogus.track2[15] == '9' ? '0' : bogus.track2[15] + 1);
    purchase(&cup, &bogus, "123456", 100, "14", &s, &r);
    /* PIN tries: two wrong, the third blocks, then even the right one */
    json_decref(admin("card topup --card %lld --amount 100.00", (long long)tries.id));
    for (i = 0; i < 2; i++)
        purchase(&cup, &tries, "000000", 100, "55", &s, &r);
    purchase(&cup, &tries, "000000", 100, "75", &s, &r);
    purchase(&cup, &tries, tries.pin, 100, "75", &s, &r);
}

static void test_balance_preauth_void_refund(void **state)
{
    struct posmsg_card pc = {0};
    struct posmsg_request rq = {0};
    struct posmsg_orig o = {0};
    struct posmsg_sent s, ps, pa;
    struct posmsg_reply r, pr;
    int64_t before;
    char date[5];

    (void)state;
    pc.track2 = good.track2;
    pc.pin = good.pin;
    rq.card = &pc;
    rq.kind = POSMSG_BALANCE;
    do_req(&cup, &rq, &s, &r, "00");
    assert_true(r.has_balance);
    assert_int_equal(r.balance, balance_of(&good));
    before = r.balance;

    /* pre-authorization, completion for less, then the hold is gone */
    rq.kind = POSMSG_PREAUTH;
    rq.amount = 30000;
    do_req(&cup, &rq, &pa, &r, "00");
    rq.kind = POSMSG_BALANCE;
    do_req(&cup, &rq, &s, &r, "00");
    assert_int_equal(r.balance, before - 30000);
    memcpy(date, pa.when, 4);
    date[4] = '\0';
    o.batch = 1;
    o.stan = (uint32_t)strtoul(pa.stan, NULL, 10);
    o.date = date;
    rq.orig = &o;
    rq.card = NULL;
    rq.kind = POSMSG_COMPLETION;
    rq.amount = 30001;
    do_req(&cup, &rq, &s, &r, "64");
    rq.amount = 25000;
    do_req(&cup, &rq, &s, &r, "00");
    assert_int_equal(balance_of(&good), before - 25000);
    rq.kind = POSMSG_PREAUTH_CANCEL;
    rq.amount = 30000;
    do_req(&cup, &rq, &s, &r, "12"); /* completed already */
    o.stan = 999999;
    rq.kind = POSMSG_COMPLETION;
    do_req(&cup, &rq, &s, &r, "25");

    /* a pre-authorization cancelled */
    rq.card = &pc;
    rq.orig = NULL;
    rq.kind = POSMSG_PREAUTH;
    rq.amount = 5000;
    do_req(&cup, &rq, &pa, &r, "00");
    o.stan = (uint32_t)strtoul(pa.stan, NULL, 10);
    rq.orig = &o;
    rq.card = NULL;
    rq.kind = POSMSG_PREAUTH_CANCEL;
    do_req(&cup, &rq, &s, &r, "00");
    assert_int_equal(balance_of(&good), before - 25000);

    /* void: wrong amount, right amount, twice */
    before = balance_of(&good);
    purchase(&cup, &good, good.pin, 4000, "00", &ps, &pr);
    o.stan = (uint32_t)strtoul(ps.stan, NULL, 10);
    rq.kind = POSMSG_VOID;
    rq.amount = 3999;
    do_req(&cup, &rq, &s, &r, "64");
    rq.amount = 4000;
    do_req(&cup, &rq, &s, &r, "00");
    assert_int_equal(balance_of(&good), before);
    do_req(&cup, &rq, &s, &r, "12");

    /* refund by the receipt's RRN, partly, then too much */
    purchase(&cup, &good, good.pin, 10000, "00", &ps, &pr);
    o.stan = (uint32_t)strtoul(ps.stan, NULL, 10);
    o.rrn = pr.rrn;
    rq.kind = POSMSG_REFUND;
    rq.amount = 4000;
    do_req(&cup, &rq, &s, &r, "00");
    rq.amount = 6001;
    do_req(&cup, &rq, &s, &r, "64");
    assert_int_equal(balance_of(&good), before - 6000);
}

static void test_reversal_advice_format(void **state)
{
    uint8_t msg[POSMSG_MAX];
    struct posmsg_card pc = {0};
    struct posmsg_request rq = {0};
    struct posmsg_sent s, ps;
    struct posmsg_reply r;
    char w[11];
    size_t n = 0;
    int64_t before;

    (void)state;
    before = balance_of(&good);
    /* a purchase whose answer "never came": reversed, twice */
    purchase(&cup, &good, good.pin, 7000, "00", &ps, &r);
    assert_int_equal(balance_of(&good), before - 7000);
    when(&cup, w);
    assert_int_equal(posmsg_build_reversal(&cup.t, &ps, false, w, msg, sizeof(msg), &n, &s, NULL),
                     POS_OK);
    exchange(&cup, msg, n, &s, &r, "00");
    assert_int_equal(balance_of(&good), before);
    assert_int_equal(posmsg_build_reversal(&cup.t, &ps, true, w, msg, sizeof(msg), &n, &s, NULL),
                     POS_OK);
    exchange(&cup, msg, n, &s, &r, "00"); /* the repeat (0420): once only */
    assert_int_equal(balance_of(&good), before);

    /* an offline approval uploaded as an advice */
    pc.track2 = good.track2;
    rq.kind = POSMSG_ADVICE;
    rq.amount = 300;
    rq.card = &pc;
    do_req(&cup, &rq, &s, &r, "00");
    assert_int_equal(balance_of(&good), before - 300);

    /* a wrong MAC: A0, and the MAC'd answer verifies */
    pc.pin = good.pin;
    rq.kind = POSMSG_PURCHASE;
    when(&cup, w);
    rq.when = w;
    assert_int_equal(posmsg_build(&cup.t, &rq, msg, sizeof(msg), &n, &s, NULL), POS_OK);
    msg[n - 1] ^= 0x01;
    exchange(&cup, msg, n, &s, &r, "A0");
    assert_int_equal(balance_of(&good), before - 300);
}

/* ---- what the workers remember ---- */

#define BURST 8

/* Purchases built now and sent later, each on a connection of its own, so
 * both workers of posd take some of them. */
struct burst {
    int fd[BURST];
    uint8_t msg[BURST][POSMSG_MAX];
    size_t n[BURST];
    struct posmsg_sent sent[BURST];
    struct term *term; /* whose keys check the answers */
};

static void burst_build_on(struct burst *b, struct term *t, const struct card *c, const char *pin)
{
    struct posmsg_card pc = {0};
    struct posmsg_request rq = {0};
    char w[11];
    int i;

    pc.track2 = c->track2;
    pc.pin = pin;
    rq.kind = POSMSG_PURCHASE;
    rq.amount = 100;
    rq.card = &pc;
    for (i = 0; i < BURST; i++) {
        when(t, w);
        rq.when = w;
        assert_int_equal(posmsg_build(&t->t, &rq, b->msg[i], sizeof(b->msg[i]), &b->n[i],
                                      &b->sent[i], NULL),
                         POS_OK);
    }
    b->term = t;
}

static void burst_build(struct burst *b, const struct card *c, const char *pin)
{
    burst_build_on(b, &cup, c, pin);
}

/* Sends them all at once; every answer must check as want_check (POS_OK:
 * its MAC verifies under the terminal's keys) and carry code want. */
static void burst_send_check(struct burst *b, const char *want, int want_check)
{
    uint8_t in[POSMSG_MAX];
    struct posmsg_reply r;
    size_t len;
    int i;

    for (i = 0; i < BURST; i++) {
        b->fd[i] = dial(cup_port);
        send_frame(b->fd[i], b->msg[i], b->n[i]);
    }
    for (i = 0; i < BURST; i++) {
        len = recv_frame(b->fd[i], in, sizeof(in));
        assert_int_equal(posmsg_reply_check(&b->term->t, &b->sent[i], in, len, &r, NULL),
                         want_check);
        if (strcmp(r.rc, want) != 0)
            fail_msg("purchase %d of the burst: rc %s, want %s", i, r.rc, want);
        close(b->fd[i]);
    }
}

static void burst_send(struct burst *b, const char *want)
{
    burst_send_check(b, want, POS_OK);
}

static void burst(const struct card *c, const char *pin, const char *want)
{
    struct burst b;

    burst_build(&b, c, pin);
    burst_send(&b, want);
}

static int64_t pin_tries_of(const struct card *c)
{
    json_t *j = admin("card show %lld", (long long)c->id);
    int64_t n = json_integer_value(json_object_get(j, "pin_tries"));

    json_decref(j);
    return n;
}

/* Each worker remembers the terminals and cards it has seen (keys, PIN
 * verification data); a request decided on what it remembers must never
 * stand once the database says otherwise. */
static void test_memos_follow_the_database(void **state)
{
    struct posmsg_request rq = {0};
    struct posmsg_sent s;
    struct posmsg_reply r;
    struct burst old;
    int64_t before;

    (void)state;
    json_decref(admin("card topup --card %lld --amount 100.00", (long long)repin.id));
    burst(&repin, repin.pin, "00"); /* now both workers remember both */
    burst(&repin, repin.pin, "00");
    before = balance_of(&repin);

    /* signed on again: requests MACed under the old keys are refused (a
     * worker that still remembers those keys must not approve them), and
     * the new keys work on every worker */
    burst_build(&old, &repin, repin.pin);
    rq.kind = POSMSG_SIGNON;
    do_req(&cup, &rq, &s, &r, "00");
    burst_send(&old, "A0");
    assert_int_equal(balance_of(&repin), before);
    burst(&repin, repin.pin, "00");
    before -= BURST * 100;
    assert_int_equal(balance_of(&repin), before);

    /* the PIN reset by pos admin while posd runs: the new PIN is right on
     * every worker, the old one wrong, and a try is counted once */
    json_decref(admin("card pin-reset --card %lld --pin 864213", (long long)repin.id));
    burst(&repin, "864213", "00");
    before -= BURST * 100;
    assert_int_equal(balance_of(&repin), before);
    purchase(&cup, &repin, repin.pin, 100, "55", &s, &r);
    assert_int_equal(pin_tries_of(&repin), 1);
    burst(&repin, "864213", "00");
    assert_int_equal(pin_tries_of(&repin), 0);

    /* blocked, then unblocked, by pos admin */
    json_decref(admin("card block --card %lld", (long long)repin.id));
    burst(&repin, "864213", "05");
    json_decref(admin("card unblock --card %lld", (long long)repin.id));
    burst(&repin, "864213", "00");
    before -= 2 * BURST * 100;
    assert_int_equal(balance_of(&repin), before);
    snprintf(repin.pin, sizeof(repin.pin), "864213");

    /* a remembered key the database no longer holds (keys put back as they
     * were before the last sign-on): the request that fails the MAC under
     * the remembered key is decided again from the database */
    {
        struct term t_old, t_new;
        struct burst b;
        uint8_t tmk[16];
        char pik[300], mak[300], sql[1000];
        long long at;
        struct store *h;
        struct store_stmt *st;

        provision_key("T0000005", "cup", "mksk-tdes", "K0", 'D', tmk, NULL);
        memset(&t_old, 0, sizeof(t_old));
        memset(&t_new, 0, sizeof(t_new));
        assert_int_equal(posmsg_terminal_init_mksk(&t_old.t, "cup", "T0000005", MID, "156", 1,
                                                   tmk, 16, NULL),
                         POS_OK);
        assert_int_equal(posmsg_terminal_init_mksk(&t_new.t, "cup", "T0000005", MID, "156", 1,
                                                   tmk, 16, NULL),
                         POS_OK);
        pos_wipe(tmk, sizeof(tmk));
        t_old.fd = dial(cup_port);
        t_new.fd = dial(cup_port);
        t_new.tick = 500;
        rq.kind = POSMSG_SIGNON;
        do_req(&t_old, &rq, &s, &r, "00");
        assert_int_equal(store_open(db, NULL, &h, NULL), POS_OK);
        assert_int_equal(store_prepare(h,
                                       "SELECT pik_block, mak_block, signed_on_at FROM terminals"
                                       " WHERE tid = 'T0000005'",
                                       &st),
                         POS_OK);
        assert_int_equal(store_step(st), STORE_ROW);
        snprintf(pik, sizeof(pik), "%s", store_column_text(st, 0, NULL));
        snprintf(mak, sizeof(mak), "%s", store_column_text(st, 1, NULL));
        at = (long long)store_column_int64(st, 2);
        store_reset(st);
        store_close(h);
        do_req(&t_new, &rq, &s, &r, "00");
        burst_build_on(&b, &t_new, &repin, repin.pin);
        burst_send(&b, "00"); /* remembered now: t_new's keys */
        snprintf(sql, sizeof(sql),
                 "UPDATE terminals SET pik_block = '%s', mak_block = '%s', signed_on_at = %lld"
                 " WHERE tid = 'T0000005'",
                 pik, mak, at);
        db_exec(sql);
        burst_build_on(&b, &t_old, &repin, repin.pin);
        burst_send(&b, "00");
        /* and t_new's keys are now the wrong ones (the answer is MACed
         * under the keys the database holds) */
        burst_build_on(&b, &t_new, &repin, repin.pin);
        burst_send_check(&b, "A0", POS_ERR_MAC_MISMATCH);
        before -= 2 * BURST * 100; /* one burst from each, approved */
        assert_int_equal(balance_of(&repin), before);
        close(t_old.fd);
        close(t_new.fd);
        posmsg_terminal_clear(&t_old.t);
        posmsg_terminal_clear(&t_new.t);
    }
}

static void test_terminal_states(void **state)
{
    struct posmsg_request rq = {0};
    struct posmsg_sent s;
    struct posmsg_reply r;
    struct term t3;
    uint8_t zero[16] = {0};

    (void)state;
    /* working keys gone on the host: 77, then sign on again */
    db_exec("UPDATE terminals SET pik_block = NULL, mak_block = NULL WHERE tid = 'T0000001'");
    {
        /* the host has no MAK to MAC a 77 with: the terminal sees the code
         * unauthenticated (posmsg gives it for this purpose) and signs on */
        uint8_t msg[POSMSG_MAX], in[POSMSG_MAX];
        struct posmsg_card pc = {0};
        struct posmsg_request pq = {0};
        struct posmsg_sent ps;
        char w[11];
        size_t n = 0, len;

        pc.track2 = good.track2;
        pc.pin = good.pin;
        pq.kind = POSMSG_PURCHASE;
        pq.amount = 100;
        pq.card = &pc;
        when(&cup, w);
        pq.when = w;
        assert_int_equal(posmsg_build(&cup.t, &pq, msg, sizeof(msg), &n, &ps, NULL), POS_OK);
        send_frame(cup.fd, msg, n);
        len = recv_frame(cup.fd, in, sizeof(in));
        assert_int_equal(posmsg_reply_check(&cup.t, &ps, in, len, &r, NULL),
                         POS_ERR_MAC_MISMATCH);
        assert_string_equal(r.rc, "77");
    }
    rq.kind = POSMSG_SIGNON;
    do_req(&cup, &rq, &s, &r, "00");
    /* a suspended terminal: 58; an unknown one: 58 */
    json_decref(admin("terminal suspend T0000003"));
    memset(&t3, 0, sizeof(t3));
    assert_int_equal(posmsg_terminal_init_mksk(&t3.t, "cup", "T0000003", MID, "156", 1, zero, 16,
                                               NULL),
                     POS_OK);
    t3.fd = dial(cup_port);
    do_req(&t3, &rq, &s, &r, "58");
    posmsg_terminal_clear(&t3.t);
    assert_int_equal(posmsg_terminal_init_mksk(&t3.t, "cup", "T0000099", MID, "156", 1, zero, 16,
                                               NULL),
                     POS_OK);
    do_req(&t3, &rq, &s, &r, "58");
    posmsg_terminal_clear(&t3.t);
    close(t3.fd);
}

static void test_raw_format_errors(void **state)
{
    const struct iso8583_dialect *d = iso8583_dialect_find("cup");
    struct iso8583_msg m, back;
    uint8_t out[512], in[512];
    char rc[3] = "";
    size_t n = 0, len, v = 0;

    (void)state;
    /* a 0200 with no trace number: 30 */
    iso8583_msg_init(&m, d);
    iso8583_set_mti(&m, "0200");
    iso8583_set_str(&m, 3, "000000");
    iso8583_set_str(&m, 41, "T0000001");
    iso8583_set_str(&m, 42, MID);
    assert_int_equal(iso8583_encode(&m, out, sizeof(out), &n, NULL), POS_OK);
    send_frame(cup.fd, out, n);
    len = recv_frame(cup.fd, in, sizeof(in));
    assert_int_equal(iso8583_decode(d, in, len, &back, NULL), POS_OK);
    assert_int_equal(iso8583_get_value(&back, 39, (uint8_t *)rc, 2, &v), POS_OK);
    assert_memory_equal(rc, "30", 2);
    /* an unsupported processing code (transfer): 12 */
    iso8583_set_str(&m, 11, "000777");
    iso8583_set_str(&m, 3, "400000");
    assert_int_equal(iso8583_encode(&m, out, sizeof(out), &n, NULL), POS_OK);
    send_frame(cup.fd, out, n);
    len = recv_frame(cup.fd, in, sizeof(in));
    assert_int_equal(iso8583_decode(d, in, len, &back, NULL), POS_OK);
    assert_int_equal(iso8583_get_value(&back, 39, (uint8_t *)rc, 2, &v), POS_OK);
    assert_memory_equal(rc, "12", 2);
    /* garbage: no answer, and the connection still serves */
    send_frame(cup.fd, (const uint8_t *)"\x01\x02garbage", 9);
    {
        struct posmsg_request rq = {0};
        struct posmsg_sent s;
        struct posmsg_reply r;
        rq.kind = POSMSG_ECHO;
        do_req(&cup, &rq, &s, &r, "00");
    }
}

static void test_mksk_iso87b(void **state)
{
    struct posmsg_sent s;
    struct posmsg_reply r;
    int64_t before = balance_of(&good);

    (void)state;
    purchase(&b_mksk, &good, good.pin, 500, "00", &s, &r);
    assert_int_equal(balance_of(&good), before - 500);
}

static void test_dukpt_iso87b(void **state)
{
    uint8_t msg[POSMSG_MAX];
    struct posmsg_sent ps, s;
    struct posmsg_reply r;
    char w[11];
    size_t n = 0;
    int64_t before = balance_of(&good);

    (void)state;
    purchase(&dk, &good, good.pin, 1234, "00", &ps, &r);
    assert_int_equal(balance_of(&good), before - 1234);
    purchase(&dk, &good, "111111", 1234, "55", &s, &r);
    /* reversal with field 90 */
    when(&dk, w);
    assert_int_equal(posmsg_build_reversal(&dk.t, &ps, false, w, msg, sizeof(msg), &n, &s, NULL),
                     POS_OK);
    exchange(&dk, msg, n, &s, &r, "00");
    assert_int_equal(balance_of(&good), before);
    /* a corrupted MAC */
    {
        struct posmsg_card pc = {0};
        struct posmsg_request rq = {0};
        pc.track2 = good.track2;
        pc.pin = good.pin;
        rq.kind = POSMSG_PURCHASE;
        rq.amount = 10;
        rq.card = &pc;
        when(&dk, w);
        rq.when = w;
        assert_int_equal(posmsg_build(&dk.t, &rq, msg, sizeof(msg), &n, &s, NULL), POS_OK);
        msg[n - 2] ^= 0x40;
        exchange(&dk, msg, n, &s, &r, "A0");
    }
}

static void test_settlement(void **state)
{
    struct posmsg_request rq = {0};
    struct posmsg_totals tot = {0};
    struct posmsg_sent s;
    struct posmsg_reply r;
    (void)state;
    /* the host's view of batch 1 of T0000002: one purchase, reversed */
    rq.kind = POSMSG_SETTLE;
    rq.totals = &tot;
    tot.debit_count = 1; /* the terminal wrongly counts the reversed one */
    tot.debit_amount = 1234;
    do_req(&dk, &rq, &s, &r, "00");
    assert_int_equal(r.settle_result, 2);
    tot.debit_count = 0;
    tot.debit_amount = 0;
    do_req(&dk, &rq, &s, &r, "00");
    assert_int_equal(r.settle_result, 1);
    assert_int_equal(r.batch, 2);

    /* cup terminal: totals from the journal, unbalanced by an offline sale
     * the host never saw, uploaded with 0320, then balanced */
    {
        struct posmsg_card pc = {0};
        struct posmsg_request up = {0};
        struct posmsg_sent us;
        int64_t dc = 0, da = 0, cc = 0, ca = 0;
        struct store *st;
        struct store_stmt *q;

        assert_int_equal(store_open(db, NULL, &st, NULL), POS_OK);
        assert_int_equal(store_prepare(st,
                                       "SELECT COUNT(*), COALESCE(SUM(t.amount),0) FROM txns t JOIN"
                                       " terminals m ON m.id = t.terminal_id WHERE m.tid ="
                                       " 'T0000001' AND t.rc = '00' AND t.reversed = 0 AND t.kind IN"
                                       " ('purchase','completion','advice') AND t.batch_no = 1",
                                       &q),
                         POS_OK);
        assert_int_equal(store_step(q), STORE_ROW);
        dc = store_column_int64(q, 0);
        da = store_column_int64(q, 1);
        store_reset(q);
        assert_int_equal(store_prepare(st,
                                       "SELECT COUNT(*), COALESCE(SUM(t.amount),0) FROM txns t JOIN"
                                       " terminals m ON m.id = t.terminal_id WHERE m.tid ="
                                       " 'T0000001' AND t.rc = '00' AND t.reversed = 0 AND t.kind ="
                                       " 'refund' AND t.batch_no = 1",
                                       &q),
                         POS_OK);
        assert_int_equal(store_step(q), STORE_ROW);
        cc = store_column_int64(q, 0);
        ca = store_column_int64(q, 1);
        store_reset(q);
        store_close(st);
        tot.debit_count = (uint32_t)dc + 1;
        tot.debit_amount = da + 888;
        tot.credit_count = (uint32_t)cc;
        tot.credit_amount = ca;
        do_req(&cup, &rq, &s, &r, "00");
        assert_int_equal(r.settle_result, 2);
        pc.track2 = good.track2;
        up.kind = POSMSG_UPLOAD;
        up.amount = 888;
        up.card = &pc;
        up.upload_stan = 424242;
        do_req(&cup, &up, &us, &r, "00");
        do_req(&cup, &rq, &s, &r, "00");
        assert_int_equal(r.settle_result, 1);
    }
}

/* GET path from posd's HTTP port into buf (NUL-terminated). */
static void http_get(const char *path, char *buf, size_t cap)
{
    char req[128];
    size_t got = 0;
    ssize_t r;
    int fd = dial(http_port);

    snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\n\r\n", path);
    assert_int_equal(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
    while (got < cap - 1 && (r = recv(fd, buf + got, cap - 1 - got, 0)) > 0)
        got += (size_t)r;
    buf[got] = '\0';
    close(fd);
}

static void test_metrics(void **state)
{
    static char buf[1 << 17];

    (void)state;
    http_get("/metrics", buf, sizeof(buf));
    assert_non_null(strstr(buf, "posd_requests_total{mti=\"0200\",rc=\"00\"}"));
    assert_non_null(strstr(buf, "posd_requests_total{mti=\"0200\",rc=\"51\"} 1"));
    assert_non_null(strstr(buf, "posd_requests_total{mti=\"0200\",rc=\"A0\"}"));
    assert_non_null(strstr(buf, "posd_commit_batch_size_count"));
    assert_null(strstr(buf, "posd_commit_batch_size_count 0\n"));
    http_get("/healthz", buf, sizeof(buf));
    assert_non_null(strstr(buf, "200"));
}

static void test_restart_keeps_everything(void **state)
{
    uint8_t msg[POSMSG_MAX];
    struct posmsg_card pc = {0};
    struct posmsg_request rq = {0};
    struct posmsg_sent s;
    struct posmsg_reply r, again;
    char w[11], cmd[2048], buf[4096];
    size_t n = 0;
    int64_t before;
    FILE *f;

    (void)state;
    pc.track2 = good.track2;
    pc.pin = good.pin;
    rq.kind = POSMSG_PURCHASE;
    rq.amount = 111;
    rq.card = &pc;
    when(&cup, w);
    rq.when = w;
    assert_int_equal(posmsg_build(&cup.t, &rq, msg, sizeof(msg), &n, &s, NULL), POS_OK);
    exchange(&cup, msg, n, &s, &r, "00");
    before = balance_of(&good);
    close(cup.fd);
    close(dk.fd);
    posd_stop();
    posd_start();
    cup.fd = dial(cup_port);
    dk.fd = dial(b_port);
    exchange(&cup, msg, n, &s, &again, "00"); /* answered from the journal */
    assert_string_equal(again.rrn, r.rrn);
    assert_int_equal(balance_of(&good), before);

    /* the books prove */
    snprintf(cmd, sizeof(cmd), "%s admin --db %s check", pos_bin, db);
    assert_int_equal(system(cmd), 0);

    /* no card secret in the log or the database files */
    snprintf(cmd, sizeof(cmd),
             "grep -a -c -e '%s' -e '%.15s' %s/posd.log %s/host.db %s/host.db-wal 2>/dev/null"
             " | awk -F: '{s+=$2} END {print s+0}'",
             good.pan, good.track2 + 17, dir, dir, dir);
    f = popen(cmd, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof(buf), f));
    pclose(f);
    assert_string_equal(buf, "0\n");
}

/* 96: the database fails under a unit (here a table the engine needs is
 * gone): the unit is rolled back, the terminal gets 96 under a good MAC,
 * and no money moves. Last: it damages the database. */
static void test_database_failure_answers_96(void **state)
{
    struct posmsg_sent s;
    struct posmsg_reply r;
    struct store *h = NULL;
    char url[600], cmd[2048];
    int64_t before;

    (void)state;
    before = balance_of(&good);
    snprintf(url, sizeof(url), "sqlite:%s", db);
    assert_int_equal(store_open(url, NULL, &h, NULL), POS_OK);
    assert_int_equal(store_exec(h, "DROP TABLE card_daily"), POS_OK);
    store_close(h);
    purchase(&cup, &good, good.pin, 250, "96", &s, &r);
    assert_int_equal(balance_of(&good), before);
    snprintf(cmd, sizeof(cmd), "%s admin --db %s check >/dev/null", pos_bin, db);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signon_echo),
        cmocka_unit_test(test_purchase_exactly_once),
        cmocka_unit_test(test_declines),
        cmocka_unit_test(test_balance_preauth_void_refund),
        cmocka_unit_test(test_reversal_advice_format),
        cmocka_unit_test(test_memos_follow_the_database),
        cmocka_unit_test(test_terminal_states),
        cmocka_unit_test(test_raw_format_errors),
        cmocka_unit_test(test_mksk_iso87b),
        cmocka_unit_test(test_dukpt_iso87b),
        cmocka_unit_test(test_settlement),
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_restart_keeps_everything),
        cmocka_unit_test(test_database_failure_answers_96),
    };

    if (POSD_BIN[0] == '\0')
        return 0;
    pos_crypto_init();
    return cmocka_run_group_tests(tests, setup, teardown);
}
