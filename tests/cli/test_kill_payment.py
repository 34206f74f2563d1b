"""`pos` killed with SIGKILL in the middle of a sale (the issue's "Done
when"): the sale is left either complete or absent, and a payment whose
answer was not recorded is reversed on the next start.

Against a real posd over TCP (the Shop mixin of test_day.py: `pos admin`,
posd, a provisioned terminal, staff, a small catalog). `pos sale pay SALE
--card` is SIGKILLed

  * after a random delay from its start (no help: any moment of sign-on,
    journal write, exchange, recording, tender, completion);
  * while a proxy between terminal and host holds the host's answer (the
    host approved and committed, the terminal never recorded it);
  * while the proxy holds the request itself, which reaches the host only
    after the next command reversed it (a late original: refused, no money);
  * a few milliseconds after the proxy forwarded the answer (the window of
    recording the answer, the tender and the completion).

After each kill the next command runs (`pos reversal flush`, or the
cashier's retry of the card payment) and then: the sale is paid (one card
tender for the amount due, its journal row approved, its stock movements,
exactly one approved, not reversed purchase at the host for it) or open
(no tender, no stock taken, nothing approved and unreversed at the host);
no purchase of the sale is left pending or approved without a tender;
`pos terminal status` shows no pending reversal; the host reversed each
killed purchase at most once (one money-moving reversal); the cardholder's
balance is the opening balance minus the completed card tenders; the
host's books are sound. A cash sale is killed mid-`pay` too.

The delays come from a fixed seed; which moment a kill lands on depends on
the machine, the invariants hold for every moment.
"""
import os
import random
import re
import signal
import socket
import subprocess
import threading
import time
import unittest

from clitest import CliTestCase, POS_BIN, main
from test_day import Shop, CASHIER, TID, amount, cents
import test_pay

SEED = 20261123
KCARDS = {"alice": ("5000.00", "123456"), "bob": ("5000.00", "246810")}
KITEMS = {"K1": ("Tea", "3.50", 900, "food", 500), "K2": ("Soap", "7.25", 1300, "home", 500),
          "K3": ("Rice", "12.80", 900, "food", 500)}


class HoldProxy:
    """127.0.0.1:port -> the host, frame by frame (2-byte length). For the
    purchase (MTI 0200) of the armed mode:
      pass          forward both ways;
      hold_reply    forward the request, keep the host's answer until
                    release, then try to deliver it (the terminal is dead);
      hold_request  keep the request until release, then send it to the
                    host (a late original), keep its answer in self.late;
      notify        forward both ways, set hit once the answer went out.
    hit is set when the mode's moment is reached, done once a held frame
    went on."""

    def __init__(self, target_port):
        self.target = target_port
        self.mode = "pass"
        self.hit = threading.Event()
        self.release = threading.Event()
        self.done = threading.Event()
        self.late = None
        self.srv = socket.socket()
        self.srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(8)
        self.port = self.srv.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def arm(self, mode):
        self.hit.clear()
        self.release.clear()
        self.done.clear()
        self.late = None
        self.mode = mode

    frame = staticmethod(test_pay.Proxy.frame)  # one 2-byte-length frame, or None

    def accept(self):
        while True:
            try:
                c, _ = self.srv.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(c,), daemon=True).start()

    def late_send(self, req):
        """The held request to the host on a connection of its own."""
        try:
            with socket.create_connection(("127.0.0.1", self.target), timeout=10) as h:
                h.sendall(req)
                self.late = self.frame(h)
        except OSError:
            self.late = None

    def serve(self, c):
        try:
            h = socket.create_connection(("127.0.0.1", self.target))
        except OSError:
            c.close()
            return
        try:
            while True:
                req = self.frame(c)
                if req is None:
                    break
                money = req[13:15] == b"\x02\x00"  # cup: 2 + TPDU 5 + header 6, BCD MTI
                mode = self.mode if money else "pass"
                if mode == "hold_request":
                    self.hit.set()
                    self.release.wait(30)
                    self.late_send(req)
                    self.done.set()
                    break
                h.sendall(req)
                rep = self.frame(h)
                if rep is None:
                    break
                if mode == "hold_reply":
                    self.hit.set()
                    self.release.wait(30)
                    try:
                        c.sendall(rep)
                    except OSError:
                        pass
                    self.done.set()
                    break
                c.sendall(rep)
                if mode == "notify":
                    self.hit.set()
        except OSError:
            pass
        c.close()
        h.close()

    def close(self):
        self.release.set()
        self.srv.close()


class KillPaymentTest(CliTestCase, Shop):
    def setUp(self):
        self.shop_setup(KCARDS, KITEMS, timeout_ms=5000)
        self.addCleanup(self.shop_teardown)
        self.proxy = HoldProxy(self.cup_port)
        self.addCleanup(self.proxy.close)
        self.assertOk(self.term("shift", "open", "--employee", CASHIER[0], "--pin", CASHIER[1],
                                "--float", "100.00"))
        self.rnd = random.Random(SEED)
        self.opening = {n: cents(v[0]) for n, v in KCARDS.items()}
        self.kills = 0           # processes that died of the SIGKILL
        self.outcomes = {}       # "paid" / "open" -> count, after the next command
        self.where = {}          # where the kills landed (landed())
        self.paid_by = {}        # sale -> (card, amount) of the card tender that completed it

    # ---- running pos in the background ----
    def spawn(self, *args):
        env = dict(os.environ, POS_LMK=self.lmk_hex)
        return subprocess.Popen([POS_BIN] + [str(a) for a in args] + ["--db", self.tdb],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env)

    def kill(self, p):
        """SIGKILL p (unless it is already gone); True when the kill did it."""
        try:
            p.send_signal(signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = p.communicate(timeout=30)
        if p.returncode == -signal.SIGKILL:
            self.kills += 1
            return True
        # finished before the signal: it must have succeeded or failed cleanly
        self.assertIn(p.returncode, (0, 1), (out, err))
        return False

    # ---- a sale to kill ----
    def new_sale(self):
        skus = sorted(KITEMS)
        lines = [(sku, str(self.rnd.randint(1, 3))) for sku in
                 self.rnd.sample(skus, self.rnd.randint(1, len(skus)))]
        s = self.open_sale(*lines)
        due = cents(self.show(s)["due"])
        self.assertGreater(due, 0)
        return s, due, {sku: self.stock(sku) for sku in KITEMS}

    def card_cmd(self, s, name, due, via_proxy=False):
        how = self.rnd.choice(["swipe", "keyed", "chip"])
        args = ["sale", "pay", s, "--card", "--json"] + self.card_args(name, how, due)
        if via_proxy:
            args += ["--host", "127.0.0.1:%d" % self.proxy.port]
        return args

    def landed(self, s):
        """Where a kill landed, as the terminal's store shows it."""
        rows = [r[0] for r in self.q("SELECT status FROM pay_journal WHERE sale_id = ?", s)]
        if self.q("SELECT status FROM sales WHERE id = ?", s)[0][0] == "paid":
            at = "completed"
        elif "approved" in rows:
            at = "answer recorded, no tender"
        elif "pending" in rows:
            at = "answer not recorded"
        else:
            at = "nothing journaled"
        self.where[at] = self.where.get(at, 0) + 1

    # ---- after the next command ----
    def card_paid(self, name):
        """What card name paid for completed sales (the model)."""
        return sum(d for n, d in self.paid_by.values() if n == name)

    def tendered_by_card(self):
        """The completed card tenders, as the terminal's tables say."""
        return self.q("SELECT COALESCE(SUM(t.amount), 0) FROM tenders t JOIN sales s ON"
                      " s.id = t.sale_id WHERE t.kind = 'card' AND s.status = 'paid'")[0][0]

    def check_card_sale(self, s, due, stock_before, name):
        j = self.show(s)  # `sale` commands also attach an approved, untendered purchase
        self.assertEqual(self.status()["pending_reversals"], 0)
        rows = self.q("SELECT id, stan, status FROM pay_journal WHERE sale_id = ? AND"
                      " kind = 'purchase' ORDER BY id", s)
        tenders = self.q("SELECT kind, amount, pay_journal_id FROM tenders WHERE sale_id = ?", s)
        moves = self.q("SELECT i.sku, -m.qty FROM stock_moves m JOIN items i ON i.id = m.item_id"
                       " WHERE m.kind = 'sale' AND m.ref = ?", "sale %s" % s)
        txns = self.host_txns()
        host = {}
        for t in txns:
            if t["kind"] == "purchase":
                host.setdefault(t["stan"], []).append(t)
        live = []  # approved, unreversed purchases of this sale at the host
        for jid, stan, status in rows:
            self.assertIn(status, ("approved", "reversed", "declined"),
                          "sale %s: journal row %d left %s" % (s, jid, status))
            ts = host.get("%06d" % stan, [])
            self.assertLessEqual(len(ts), 1, ts)
            for t in ts:
                undo = [u for u in txns if u["kind"] == "reversal" and u["original_id"] == t["id"]
                        and u["rc"] == "00" and u["reason"] is None]
                self.assertLessEqual(len(undo), 1, "reversed more than once: %r" % undo)
                self.assertEqual(len(undo), 1 if t["reversed"] else 0, (t, undo))
                if t["rc"] == "00" and not t["reversed"]:
                    live.append((jid, t))
                if status == "reversed" and t["rc"] == "00":
                    self.assertTrue(t["reversed"], t)
                if status == "approved":
                    self.assertEqual((t["rc"], t["reversed"]), ("00", False), t)
        if j["status"] == "paid":
            self.assertEqual((j["due"], j["paid"]), ("0.00", amount(due)), j)
            self.assertEqual(len(tenders), 1, tenders)
            kind, amt, pjid = tenders[0]
            self.assertEqual((kind, amt), ("card", due))
            self.assertEqual([r[2] for r in rows if r[0] == pjid], ["approved"])
            self.assertEqual(len(live), 1, live)
            self.assertEqual(live[0][0], pjid)
            self.assertEqual(cents(live[0][1]["amount"]), due)
            sold = {}
            for ln in j["lines"]:
                sold[ln["sku"]] = sold.get(ln["sku"], 0) + int(float(ln["qty"]) * 1000 + 0.5)
            self.assertEqual(sorted(moves), sorted(sold.items()))
            for sku in KITEMS:
                self.assertEqual(self.stock(sku), stock_before[sku] - sold.get(sku, 0), sku)
            self.paid_by[s] = (name, due)
        else:
            self.assertEqual((j["status"], j["tenders"], j["paid"]), ("open", [], "0.00"), j)
            self.assertEqual(tenders, [])
            self.assertEqual(moves, [])
            self.assertEqual(live, [])
            self.assertEqual([r for r in rows if r[2] == "approved"], [])
            self.assertEqual({sku: self.stock(sku) for sku in KITEMS}, stock_before)
        self.outcomes[j["status"]] = self.outcomes.get(j["status"], 0) + 1
        for n in KCARDS:
            self.assertEqual(self.balance(n), self.opening[n] - self.card_paid(n), n)
        self.assertEqual(self.tendered_by_card(), sum(d for _, d in self.paid_by.values()))
        self.assertBooks()
        return j["status"]

    def next_command(self, s, retry, name, due):
        """What the cashier does next: flush the reversals, or pay again."""
        if not retry:
            owed = self.status()["pending_reversals"]
            r = self.assertOk(self.term("reversal", "flush"))
            self.assertEqual(r.json()["reversed"], owed, r)
            return
        st = self.q("SELECT status FROM sales WHERE id = ?", s)[0][0]
        orphans = self.q("SELECT COUNT(*) FROM pay_journal j WHERE sale_id = ? AND status ="
                         " 'approved' AND NOT EXISTS (SELECT 1 FROM tenders t WHERE"
                         " t.pay_journal_id = j.id)", s)[0][0]
        r = self.term(*self.card_cmd(s, name, due))
        if st == "open" and orphans == 0:
            self.assertOk(r)
            self.assertTrue(r.json()["completed"], r)
        else:  # the killed payment had been approved and recorded: it joined the sale
            self.assertFailed(r, "sale %s is paid" % s)
        self.assertEqual(self.show(s)["status"], "paid")

    def one_kill(self, mode, delay, retry):
        name = self.rnd.choice(sorted(KCARDS))
        s, due, before = self.new_sale()
        via = mode != "random"
        if via:
            self.proxy.arm(mode)
        p = self.spawn(*self.card_cmd(s, name, due, via_proxy=via))
        if mode == "random":
            time.sleep(delay)
        else:
            self.assertTrue(self.proxy.hit.wait(20), "the purchase never reached the proxy")
            if delay:
                time.sleep(delay)
        killed = self.kill(p)
        if killed:
            self.landed(s)
        if mode in ("hold_reply", "hold_request"):
            self.assertTrue(killed, "pos answered while the proxy held its purchase")
            # the purchase was journaled and owes a reversal
            self.assertEqual(self.status()["pending_reversals"], 1)
            self.assertEqual(self.q("SELECT status FROM pay_journal WHERE sale_id = ?", s),
                             [("pending",)])
        if mode == "hold_reply":
            self.proxy.release.set()  # the answer goes to a dead terminal
            self.assertTrue(self.proxy.done.wait(20))
            self.assertEqual(self.balance(name), self.opening[name] - self.card_paid(name) - due)
        self.next_command(s, retry, name, due)
        if mode == "hold_request":
            # the original reaches the host only now, after its reversal (and
            # after the next command's sign-on changed the MAC key): refused,
            # no money
            self.proxy.release.set()
            self.assertTrue(self.proxy.done.wait(20))
            stan = self.q("SELECT stan FROM pay_journal WHERE sale_id = ? ORDER BY id LIMIT 1",
                          s)[0][0]
            for _ in range(200):
                got = re.findall(r"event=request mti=0200 tid=%s stan=%06d .* rc=(\w+)" %
                                 (TID, stan), self.log_text())
                if got:
                    break
                time.sleep(0.01)
            self.assertEqual(len(got), 1, "the late original did not reach the host")
            self.assertIn(got[0], ("A0", "12"))
            late = [t for t in self.host_txns() if t["stan"] == "%06d" % stan and
                    t["kind"] == "purchase"]
            self.assertEqual([t for t in late if t["rc"] == "00"], [], late)
        if via:
            self.proxy.arm("pass")
        status = self.check_card_sale(s, due, before, name)
        if mode in ("hold_reply", "hold_request") and not retry:
            self.assertEqual(status, "open")
        if retry:
            self.assertEqual(status, "paid")
        return status

    # ---- the tests ----
    def test_kill_card_payment(self):
        t0 = time.monotonic()
        # calibration: how long an undisturbed card sale takes here
        s, due, before = self.new_sale()
        c0 = time.monotonic()
        r = self.term(*self.card_cmd(s, "alice", due))
        took = time.monotonic() - c0
        self.assertOk(r)
        self.assertEqual(self.check_card_sale(s, due, before, "alice"), "paid")
        span = min(max(took * 1.1, 0.02), 0.25)
        # random moments from the start of the process
        for i in range(12):
            self.one_kill("random", self.rnd.uniform(0, span), retry=i % 2 == 1)
        # the host approved, the answer never reached the terminal
        for retry in (False, True, False):
            self.one_kill("hold_reply", 0, retry)
        # the request reached the host only after its reversal
        for retry in (False, True):
            self.one_kill("hold_request", 0, retry)
        # just after the answer went out: recording, tender, completion
        for i in range(8):
            self.one_kill("notify", self.rnd.choice([0, 0.0005, 0.001, 0.002, 0.004, 0.008]),
                          retry=i % 2 == 0)
        self.assertGreaterEqual(self.kills, 15, self.outcomes)
        self.assertGreaterEqual(self.outcomes.get("open", 0), 3, self.outcomes)
        self.assertGreaterEqual(self.outcomes.get("paid", 0), 5, self.outcomes)
        # nothing left over: no reversal owed, every purchase accounted for
        self.assertEqual(self.assertOk(self.term("reversal", "flush")).json()["reversed"], 0)
        self.assertEqual(self.q("SELECT COUNT(*) FROM pay_journal WHERE status = 'pending'")[0][0],
                         0)
        self.assertEqual(self.q("SELECT COUNT(*) FROM pay_journal j WHERE status = 'approved'"
                                " AND kind = 'purchase' AND NOT EXISTS (SELECT 1 FROM tenders t"
                                " WHERE t.pay_journal_id = j.id)")[0][0], 0)
        for name in KCARDS:
            self.assertEqual(self.balance(name), self.opening[name] - self.card_paid(name), name)
        self.assertBooks()
        # the batch still settles balanced with the host
        st = self.assertOk(self.term("settle", "--json")).json()
        self.assertTrue(st["balanced"], st)
        self.assertEqual(cents(st["debit_amount"]), sum(self.card_paid(n) for n in KCARDS))
        self.assertGreaterEqual(self.where.get("answer not recorded", 0), 5, self.where)
        print("\nkill_card_payment: %d kills, landed %r, outcomes %r, %.1f s" %
              (self.kills, self.where, self.outcomes, time.monotonic() - t0))

    def test_kill_cash_payment(self):
        # calibration: how long an undisturbed cash payment takes here
        taken, seen, took = 0, {}, []
        for _ in range(3):
            s, due, before = self.new_sale()
            c0 = time.monotonic()
            self.assertOk(self.term("sale", "pay", s, "--cash", amount(due + 1000)))
            took.append(time.monotonic() - c0)
            taken += due
        took = min(max(sorted(took)[1], 0.005), 0.2)
        for i in range(12):
            s, due, before = self.new_sale()
            given = due + self.rnd.choice([0, 50, 1000])
            p = self.spawn("sale", "pay", s, "--cash", amount(given), "--json")
            time.sleep(self.rnd.uniform(0.3, 1.3) * took)
            killed = self.kill(p)
            j = self.show(s)
            tenders = self.q("SELECT kind, amount, change_amount FROM tenders WHERE sale_id = ?",
                             s)
            moves = self.q("SELECT COUNT(*) FROM stock_moves WHERE kind = 'sale' AND ref = ?",
                           "sale %s" % s)[0][0]
            stock = {sku: self.stock(sku) for sku in KITEMS}
            if j["status"] == "paid":
                self.assertEqual(tenders, [("cash", given, given - due)])
                self.assertEqual(moves, len(j["lines"]))
                sold = {}
                for ln in j["lines"]:
                    sold[ln["sku"]] = sold.get(ln["sku"], 0) + int(float(ln["qty"]) * 1000 + .5)
                self.assertEqual(stock, {k: before[k] - sold.get(k, 0) for k in KITEMS})
            else:
                self.assertEqual((j["status"], j["tenders"], j["paid"]), ("open", [], "0.00"))
                self.assertEqual((tenders, moves), ([], 0))
                self.assertEqual(stock, before)
                # the draft is still good: the cashier takes the cash again
                r = self.assertOk(self.term("sale", "pay", s, "--cash", amount(given), "--json"))
                self.assertTrue(r.json()["completed"], r)
            at = "killed, " + j["status"] if killed else "finished"
            seen[at] = seen.get(at, 0) + 1
            taken += due
        self.assertOk(self.term("stock", "check"))
        self.assertGreaterEqual(self.kills, 4, (seen, took))
        # every sale ended paid once: the drawer expects the float and their totals
        x = self.assertOk(self.term("report", "x", "--json")).json()
        self.assertEqual(cents(x["cash"]["expected"]), 10000 + taken)
        self.assertEqual(self.q("SELECT COUNT(*) FROM sales WHERE status != 'paid'")[0][0], 0)
        print("\nkill_cash_payment: %r" % seen)


if __name__ == "__main__":
    main()
