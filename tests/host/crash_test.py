#!/usr/bin/env python3
"""Crash test of posd (issue 4 item 9, DESIGN.md §8; docs/load.md).

Provisions a fresh SQLite host with `pos admin` (a merchant, N terminals, M
cards with balances), starts posd, runs pos-load with --record, kills posd
with SIGKILL K times at random moments and restarts it each time, then
checks:
  - `pos admin check`: the books are sound (postings balance, cached
    balances, no reversal twice);
  - every approval pos-load recorded is in the journal (same terminal, STAN,
    time, auth code and RRN), not reversed, with exactly one debit of its
    amount to the card's account and postings summing to zero;
  - no approved purchase appears twice for one (terminal, STAN, time).

Short form (CTest): python3 crash_test.py --bin-dir BUILD --short
Full form:          python3 crash_test.py --bin-dir BUILD --kills 20 --duration 60
Exit 0 when sound, 1 when a check fails, 2 on a setup problem.
"""
import argparse
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

MID = "123456789012345"


class Setup(Exception):
    pass


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if r.returncode != 0:
        raise Setup("%s: exit %d: %s" % (" ".join(cmd[:6]), r.returncode,
                                         r.stderr.decode(errors="replace").strip()))
    return r.stdout.decode()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Host:
    def __init__(self, args, work, port, port2):
        self.args, self.work, self.port, self.port2 = args, work, port, port2
        self.proc = None
        self.db = os.path.join(work, "host.db")
        self.lmk = os.path.join(work, "lmk")

    def admin(self, *a):
        return run([os.path.join(self.args.bin_dir, "pos"), "admin", "--db", self.db, "--lmk",
                    self.lmk, "--actor", "crash-test"] + list(a),
                   env=dict(os.environ, POS_LMK=""))

    def start(self):
        ports = os.path.join(self.work, "ports")
        if os.path.exists(ports):
            os.unlink(ports)
        log = open(os.path.join(self.work, "posd.log"), "ab")
        self.proc = subprocess.Popen(
            [os.path.join(self.args.bin_dir, "posd"), "--db", self.db, "--lmk", self.lmk,
             "--http", "off", "--port-file", ports,
             "--listen", "name=cup,addr=127.0.0.1:%d" % self.port,
             "--listen", "name=iso87b,addr=127.0.0.1:%d" % self.port2],
            stdout=log, stderr=log)
        log.close()
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise Setup("posd exited with %d (see %s/posd.log)" % (self.proc.returncode,
                                                                    self.work))
            if os.path.exists(ports) and os.path.getsize(ports) > 0:
                return
            time.sleep(0.02)
        raise Setup("posd not ready after 15 s")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def provision(host, args, work):
    host.admin("init", "--ktk-out", os.path.join(work, "ktk"))
    host.admin("merchant", "add", "--mid", MID, "--name", "Crash Test Shop", "--mcc", "5411",
               "--currency", "CNY", "--mdr", "60", "--payout", "BANK-1")
    prov = os.path.join(work, "prov")
    os.mkdir(prov)
    for i in range(args.terminals):
        tid = "CT%06d" % (i + 1)
        host.admin("terminal", "add", "--tid", tid, "--mid", MID, "--dialect", args.dialect,
                   "--key-scheme", args.scheme, "--out", os.path.join(prov, tid + ".json"))
    cards = os.path.join(work, "cards.jsonl")
    with open(cards, "w") as f:
        os.chmod(cards, 0o600)
        for i in range(args.cards):
            acct = json.loads(host.admin("account", "add", "--kind", "debit", "--currency", "CNY"))
            card = json.loads(host.admin("card", "issue", "--account", str(acct["id"])))
            host.admin("card", "topup", "--card", str(card["card_id"]), "--amount", "10000000")
            f.write(json.dumps(card) + "\n")
    return prov, cards


def check_journal(db, record):
    """Returns (approvals, problems); problems is empty when sound. Reads the
    journal and the postings in bulk (one pass each)."""
    problems = []
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    approvals = []
    with open(record) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                approvals.append(json.loads(line))
            except ValueError:
                problems.append("record line %d is not JSON (torn write?)" % n)
    journal = {}
    for row in con.execute(
            "SELECT te.tid, t.stan, t.tx_time, t.id, t.auth_code, t.rrn, t.reversed, t.amount,"
            " t.card_id, t.rc FROM txns t JOIN terminals te ON te.id = t.terminal_id"
            " WHERE t.mti = '0200'"):
        journal.setdefault(row[:3], []).append(row[3:])
    # per transaction: the postings' sum and its postings to the card's account
    card_account = dict(con.execute("SELECT id, account_id FROM cards"))
    txn_card = {}
    for rows in journal.values():
        for r in rows:
            txn_card[r[0]] = card_account.get(r[5])
    sums, debits = {}, {}
    for txn_id, account_id, amount in con.execute(
            "SELECT txn_id, account_id, amount FROM postings"):
        sums[txn_id] = sums.get(txn_id, 0) + amount
        if txn_id in txn_card and txn_card[txn_id] == account_id:
            debits.setdefault(txn_id, []).append(amount)
    seen = set()
    for a in approvals:
        key = (a["tid"], a["stan"], a["time"])
        if key in seen:
            problems.append("terminal %s STAN %s approved twice in the record" % key[:2])
        seen.add(key)
        rows = journal.get(key, [])
        if len(rows) != 1:
            problems.append("terminal %s STAN %s: %d journal rows, want 1"
                            % (a["tid"], a["stan"], len(rows)))
            continue
        txn_id, auth, rrn, reversed_, amount, card_id, rc = rows[0]
        want_rrn = rrn if rrn else "%012d" % txn_id
        if rc != "00" or auth != a["auth"] or want_rrn != a["rrn"]:
            problems.append("terminal %s STAN %s: journal rc %s auth %s rrn %s, terminal saw"
                            " auth %s rrn %s" % (a["tid"], a["stan"], rc, auth, want_rrn,
                                                 a["auth"], a["rrn"]))
        if reversed_:
            problems.append("terminal %s STAN %s: approved but reversed" % (a["tid"], a["stan"]))
        if amount != a["amount"]:
            problems.append("terminal %s STAN %s: amount %d, terminal sent %d"
                            % (a["tid"], a["stan"], amount, a["amount"]))
        if debits.get(txn_id) != [-a["amount"]] or sums.get(txn_id) != 0:
            problems.append("terminal %s STAN %s: card postings %s, postings sum %s"
                            % (a["tid"], a["stan"], debits.get(txn_id), sums.get(txn_id)))
    # no double debit anywhere: one approved purchase per request key
    for row in con.execute(
            "SELECT terminal_id, stan, tx_time, count(*) FROM txns WHERE mti = '0200'"
            " AND kind = 'purchase' AND rc = '00' GROUP BY terminal_id, stan, tx_time"
            " HAVING count(*) > 1"):
        problems.append("terminal id %d STAN %s: %d approved purchases" % (row[0], row[1],
                                                                            row[3]))
    con.close()
    return approvals, problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin-dir", required=True, help="build directory holding pos, posd, pos-load")
    ap.add_argument("--short", action="store_true", help="3 kills in 5 s (the CTest form)")
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    ap.add_argument("--terminals", type=int, default=16)
    ap.add_argument("--cards", type=int, default=8)
    ap.add_argument("--dialect", default="cup")
    ap.add_argument("--scheme", default="mksk-tdes")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    if args.short:
        args.kills, args.duration, args.terminals, args.cards = 3, 5.0, 8, 4
    seed = args.seed if args.seed is not None else int(time.time())
    rnd = random.Random(seed)
    for b in ("pos", "posd", "pos-load"):
        if not os.access(os.path.join(args.bin_dir, b), os.X_OK):
            print("crash-test: %s not built in %s" % (b, args.bin_dir), file=sys.stderr)
            return 2
    work = tempfile.mkdtemp(prefix="pos-crash-")
    host = Host(args, work, free_port(), free_port())
    load = None
    rc = 2
    try:
        prov, cards = provision(host, args, work)
        host.start()
        record = os.path.join(work, "record.jsonl")
        port = host.port if args.scheme.startswith("mksk") or args.dialect == "cup" else host.port2
        load_out = open(os.path.join(work, "load.out"), "wb")
        load = subprocess.Popen(
            [os.path.join(args.bin_dir, "pos-load"), "--host", "127.0.0.1:%d" % port,
             "--provision-dir", prov, "--ktk", os.path.join(work, "ktk"), "--cards", cards,
             "--terminals", str(args.terminals), "--duration", str(args.duration),
             "--record", record, "--timeout", "2", "--drain", "8"],
            stdout=load_out, stderr=subprocess.STDOUT)
        # K kill moments spread over the run, each at a random point of its slot
        slot = args.duration / (args.kills + 1)
        start = time.time()
        for k in range(args.kills):
            at = start + slot * (k + 0.5) + rnd.uniform(0, slot)
            time.sleep(max(0.0, at - time.time()))
            host.kill()
            time.sleep(rnd.uniform(0.0, 0.2))
            host.start()
        load.wait(timeout=args.duration + 60)
        load_out.close()
        out = open(os.path.join(work, "load.out")).read()
        if load.returncode != 0:
            raise Setup("pos-load exited with %d:\n%s" % (load.returncode, out))
        host.stop()
        check = subprocess.run([os.path.join(args.bin_dir, "pos"), "admin", "--db", host.db,
                                "check"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        approvals, problems = check_journal(host.db, record)
        if check.returncode != 0:
            problems.insert(0, "pos admin check: " + check.stderr.decode().strip())
        stats = dict(l.split()[:2] for l in out.splitlines() if len(l.split()) == 3)
        print("crash.kills %d count" % args.kills)
        print("crash.approvals %d count" % len(approvals))
        print("crash.reversals %s count" % stats.get("load.purchase.reversals", "?"))
        print("crash.errors %s count" % stats.get("load.purchase.errors", "?"))
        print("crash.problems %d count" % len(problems))
        for p in problems[:20]:
            print("crash-test: " + p, file=sys.stderr)
        if not approvals:
            problems.append("no approvals at all")
            print("crash-test: no approvals recorded (see %s)" % work, file=sys.stderr)
        rc = 1 if problems else 0
    except (Setup, subprocess.TimeoutExpired) as e:
        print("crash-test: %s (seed %d, work %s)" % (e, seed, work), file=sys.stderr)
        args.keep = True
        rc = 2
    finally:
        if load is not None and load.poll() is None:
            load.kill()
            load.wait()
        host.stop()
        if rc != 0:
            print("crash-test: seed %d, work directory %s" % (seed, work), file=sys.stderr)
        if not args.keep and rc == 0:
            shutil.rmtree(work, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
