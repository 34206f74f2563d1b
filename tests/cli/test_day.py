"""A day in the life of a shop's terminal, against a real posd over TCP.

The host is built with the real `pos admin` (a merchant with an MDR, one
China UnionPay style terminal with master/session keys, five cards: three
with money, one with almost none, one blocked), the real posd runs on an
ephemeral loopback port and the terminal is provisioned with
`pos terminal init`. The terminal gets 20 items at two tax rates with stock,
a promotion, a cashier, a supervisor and a manager. Then one shift of 50
sales: cash with change, swipe (track 2) with PIN, key entry (PAN + expiry)
with PIN, chip (--emv with tag 57) with PIN, split cash + card and card +
card, declined cards paid with cash, a void and a refund by the supervisor,
a sale whose card answer the host drops (posd --test-drop-answer: the
terminal reverses it on its next command, the host undoes it once), card
sales approved offline under the floor limit while posd is down and one
over it refused, their store-and-forward upload, the shift closed with the
counted cash, the batch settled, the Z report.

Every figure is cross-checked against a model kept here: the Z report's
sales, returns, tenders and cash; the host's batch totals and settlement;
each cardholder's balance; each item's stock and its movements;
`pos admin check`. test_secrets then greps the terminal's database files,
posd's log, every CLI output of the day and every receipt (text and ESC/POS)
for the PANs, tracks and PIN blocks of the day.

The Shop mixin (host, posd, provisioned terminal, staff, catalog) is reused
by test_kill_payment.py.
"""
import decimal
import glob
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
import unittest

from clitest import CliTestCase, POS_BIN, main, pos

MID = "898310048990042"
TID = "D0000001"
POSD_BIN = os.path.join(os.path.dirname(os.path.abspath(POS_BIN)), "posd")
CASHIER = ("3", "2468")
SUPERVISOR = ("2", "564738")
MANAGER = ("1", "135790")


def cents(s):
    return int((decimal.Decimal(s) * 100).to_integral_value())


def amount(c):
    return "%d.%02d" % divmod(c, 100)


def tlv(tag, value_hex):
    return tag + "%02X" % (len(value_hex) // 2) + value_hex


def emv_data(card, minor):
    """Chip data as a terminal reads it: tag 57 (track 2 equivalent data,
    EMV Book 3 Annex A: PAN, 'D', YYMM, service code, discretionary, padded
    with F), 5A, 5F24, the ARQC and the usual terminal tags."""
    t2 = card["track2"].replace("=", "D")
    if len(t2) % 2:
        t2 += "F"
    pan = card["pan"] + ("F" if len(card["pan"]) % 2 else "")
    return (tlv("57", t2) + tlv("5A", pan) + tlv("5F24", card["expiry"] + "31") +
            tlv("9F26", "1C2D3E4F50617283") + tlv("9F27", "80") + tlv("9F36", "0042") +
            tlv("95", "0000008000") + tlv("9A", time.strftime("%y%m%d")) + tlv("9C", "00") +
            tlv("9F02", "%012d" % minor) + tlv("5F2A", "0156") + tlv("82", "7C00") +
            tlv("9F1A", "0156") + tlv("9F37", "9A8B7C6D") + tlv("9F10", "07010103A0A000"))


class Shop:
    """A host (pos admin), its posd and one provisioned terminal store with
    staff and a catalog. Every terminal and admin output is kept in
    self.outputs (card issue's one-time display excepted)."""

    def shop_setup(self, cards, items, timeout_ms=3000):
        if not os.access(POSD_BIN, os.X_OK):
            self.skipTest("posd is not built beside pos (%s)" % POSD_BIN)
        self.dir = tempfile.mkdtemp(prefix="pos-day-")
        self.hdb = os.path.join(self.dir, "host.db")
        self.hlmk = os.path.join(self.dir, "host.lmk")
        self.ktk = os.path.join(self.dir, "ktk")
        self.tdb = os.path.join(self.dir, "term.db")
        self.tlmk = os.path.join(self.dir, "term.lmk")
        self.prov = os.path.join(self.dir, "prov.json")
        self.posd_log = os.path.join(self.dir, "posd.log")
        self.posd = None
        self.cup_port = 0
        self.outputs = []
        self.admin_ok("init", "--ktk-out", self.ktk)
        self.admin_ok("merchant", "add", "--mid", MID, "--name", "Day Mart", "--city",
                      "Shanghai", "--mcc", "5411", "--currency", "CNY", "--mdr", "60",
                      "--payout", "BANK-DAY-1")
        self.admin_ok("terminal", "add", "--tid", TID, "--mid", MID, "--dialect", "cup",
                      "--key-scheme", "mksk-tdes", "--out", self.prov)
        self.cards = {}
        for name, (balance, pin) in cards.items():
            acct = self.admin_ok("account", "add", "--kind", "debit", "--currency", "CNY",
                                 "--name", name).json()
            r = self.admin("card", "issue", "--account", acct["id"], "--pin", pin)
            self.assertEqual(r.rc, 0, r)
            card = r.json()
            self.admin_ok("card", "topup", "--card", card["card_id"], "--amount", balance)
            self.cards[name] = card
        self.start_posd()
        r = self.term("terminal", "init", "--provision", self.prov, "--ktk", self.ktk,
                      "--host", "127.0.0.1:%d" % self.cup_port, "--lmk", self.tlmk)
        self.assertOk(r)
        self.assertTrue(r.json()["signed_on"], r)
        with open(self.tlmk) as f:
            self.lmk_hex = f.read().strip()
        self.assertOk(self.term("terminal", "set", "pay.timeout_ms", str(timeout_ms)))
        # a fast PIN hash for the test's staff (the setting tests/cli/test_sale_card.py uses)
        with sqlite3.connect(self.tdb) as c:
            c.execute("INSERT INTO settings VALUES ('staff.pin_iterations', '1000', 0)")
        for (num, pin), (name, role) in [(CASHIER, ("Zhang Wei", "cashier")),
                                         (SUPERVISOR, ("Li Na", "supervisor")),
                                         (MANAGER, ("Wang Fang", "manager"))]:
            self.assertOk(self.term("employee", "add", "--number", num, "--name", name,
                                    "--role", role, "--pin", pin))
        csv = os.path.join(self.dir, "items.csv")
        with open(csv, "w") as f:
            f.write("sku,name,price,tax_bps,category\n")
            for sku, (name, price, bps, cat, _) in items.items():
                f.write("%s,%s,%s,%d,%s\n" % (sku, name, price, bps, cat))
        self.assertOk(self.term("item", "import", csv))
        for sku, (_, _, _, _, qty) in items.items():
            self.assertOk(self.term("stock", "receive", sku, str(qty), "--ref", "DN-1"))

    def shop_teardown(self):
        if self.posd is not None:
            self.posd.kill()
            self.posd.wait()
            self.posd = None
        shutil.rmtree(self.dir, ignore_errors=True)

    # ---- running things ----
    def keep(self, args, r):
        if tuple(args[:2]) == ("card", "issue"):
            return r  # the issuer's one-time display of the card: the only clear PAN by design
        self.outputs.append((" ".join(str(a) for a in args[:3]), r.out, r.err))
        return r

    def admin(self, *args):
        return self.keep(args, pos("admin", "--db", self.hdb, "--lmk", self.hlmk, "--actor",
                                   "day", *args, env={"POS_LMK": ""}))

    def admin_ok(self, *args):
        return self.assertOk(self.admin(*args))

    def term(self, *args, stdin=b""):
        # The terminal's LMK comes from $POS_LMK (docs/payments.md: --lmk FILE or $POS_LMK).
        env = {"POS_LMK": getattr(self, "lmk_hex", "")}
        return self.keep(args, pos(*(list(args) + ["--db", self.tdb]), stdin=stdin, env=env))

    def start_posd(self, *extra):
        ports = os.path.join(self.dir, "ports")
        if os.path.exists(ports):
            os.unlink(ports)
        args = [POSD_BIN, "--db", self.hdb, "--lmk", self.hlmk, "--http", "off",
                "--port-file", ports, "--log-file", self.posd_log, "--workers", "2",
                "--listen", "name=cup,port=%d" % self.cup_port,
                "--listen", "name=iso87b,enabled=no"] + list(extra)
        self.posd = subprocess.Popen(args, env=dict(os.environ, POS_LMK=""))
        for _ in range(400):
            if os.path.exists(ports):
                with open(ports) as f:
                    for line in f:
                        if line.startswith("cup=127.0.0.1:"):
                            self.cup_port = int(line.strip().split(":")[-1])
                            return
            if self.posd.poll() is not None:
                break
            time.sleep(0.025)
        self.fail("posd did not start")

    def stop_posd(self):
        if self.posd is not None:
            self.posd.send_signal(signal.SIGTERM)
            self.assertEqual(self.posd.wait(timeout=30), 0)
            self.posd = None

    def log_text(self):
        with open(self.posd_log, encoding="utf-8", errors="replace") as f:
            return f.read()

    # ---- looking at things ----
    def status(self):
        return self.assertOk(self.term("terminal", "status")).json()

    def balance(self, name):
        j = self.admin_ok("card", "show", "--card", self.cards[name]["card_id"]).json()
        return cents(j["balance"])

    def host_txns(self):
        return self.admin_ok("txns", "--terminal", TID, "--limit", "10000").json()

    def assertBooks(self):
        self.assertTrue(self.admin_ok("check").json()["sound"])

    def q(self, sql, *params):
        c = sqlite3.connect(self.tdb, timeout=10)
        try:
            return c.execute(sql, params).fetchall()
        finally:
            c.close()

    def stock(self, sku):
        return self.q("SELECT qty FROM items WHERE sku = ?", sku)[0][0]

    # ---- the cashier ----
    def open_sale(self, *lines):
        s = self.assertOk(self.term("sale", "open", "--employee", CASHIER[0], "--pin",
                                    CASHIER[1], "--json")).json()["sale"]
        for sku, qty in lines:
            self.assertOk(self.term("sale", "add", s, sku, "--qty", qty))
        return s

    def show(self, s):
        return self.assertOk(self.term("sale", "show", s, "--json")).json()

    def card_args(self, name, how, minor, pin=True):
        c = self.cards[name]
        if how == "swipe":
            a = ["--track2", c["track2"]]
        elif how == "keyed":
            a = ["--pan", c["pan"], "--expiry", c["expiry"]]
        else:
            a = ["--emv", emv_data(c, minor)]
        return a + (["--pin", c["pin"]] if pin else [])

    def pay_card(self, s, name, how, due, part=None, pin=True):
        args = ["sale", "pay", s, "--card", "--json"] + self.card_args(name, how, part or due,
                                                                        pin)
        if part is not None:
            args += ["--amount", amount(part)]
        return self.term(*args)


ITEMS = {}
for _i in range(20):
    ITEMS["D%02d" % (_i + 1)] = (
        ["Water", "Tea", "Cola", "Milk", "Juice", "Coffee", "Bread", "Rice 1kg", "Noodles",
         "Eggs 10", "Apples", "Soap", "Towel", "Pens", "Notebook", "Batteries", "Tissue",
         "Chocolate", "Crisps", "Yogurt"][_i],
        amount(150 + 233 * _i), 1300 if _i % 2 else 900, "food" if _i < 10 else "home", 200)
CARDS = {"alice": ("3000.00", "123456"), "bob": ("3000.00", "246810"),
         "carol": ("3000.00", "135791"), "low": ("1.00", "111111"),
         "blocked": ("500.00", "222222")}
FLOAT = 50000  # 500.00


class DayTest(CliTestCase, Shop):
    state = {}

    @classmethod
    def tearDownClass(cls):
        d = cls.state.get("dir")
        if d:
            shutil.rmtree(d, ignore_errors=True)

    def setUp(self):
        pass

    # ---- the model ----
    def model_init(self):
        self.bal = {n: cents(v[0]) for n, v in CARDS.items()}
        self.stock_exp = {sku: v[4] * 1000 for sku, v in ITEMS.items()}
        self.sales = {}          # id -> {"total", "tenders": [(kind, card, amount)], "lines"}
        self.returns = []        # (kind, total, card, cash)
        self.card_sales = []
        self.rnd = random.Random(20261122)

    def lines(self, cheap=False):
        skus = sorted(ITEMS)
        if cheap:
            return [(self.rnd.choice(skus[:4]), "1")]
        n = self.rnd.randint(1, 3)
        return [(sku, str(self.rnd.randint(1, 3))) for sku in self.rnd.sample(skus, n)]

    def completed(self, s):
        j = self.show(s)
        self.assertEqual(j["status"], "paid")
        self.assertEqual(j["due"], "0.00")
        for ln in j["lines"]:
            self.stock_exp[ln["sku"]] -= int(decimal.Decimal(ln["qty"]) * 1000)
        self.sales[s]["total"] = cents(j["total"])
        self.sales[s]["lines"] = j["lines"]
        self.sales[s]["change"] = cents(j["change"])
        tk = [(t["kind"], cents(t["amount"])) for t in j["tenders"]]
        self.assertEqual(sorted(tk), sorted((k, a) for k, _, a in self.sales[s]["tenders"]))
        self.assertEqual(cents(j["paid"]) - cents(j["change"]), cents(j["total"]))
        return j

    def card_ok(self, s, name, how, due, part=None, pin=True, offline=False):
        r = self.assertOk(self.pay_card(s, name, how, due, part, pin))
        j = r.json()
        self.assertEqual(j["status"], "offline" if offline else "approved", r)
        self.assertEqual(j["pan"], self.cards[name]["pan_masked"])
        got = cents(j["amount"])
        self.assertEqual(got, part or due)
        if not offline:
            self.bal[name] -= got
        self.sales[s]["tenders"].append(("card", name, got))
        return j

    def cash(self, s, due):
        given = (due // 5000 + 1) * 5000  # the next 50.00 note above: change
        j = self.assertOk(self.term("sale", "pay", s, "--cash", amount(given), "--json")).json()
        self.assertTrue(j["completed"])
        self.assertEqual(cents(j["change"]), given - due)
        self.sales[s]["tenders"].append(("cash", None, given))

    def one_sale(self, kind, cheap=False):
        s = self.open_sale(*self.lines(cheap))
        self.sales[s] = {"tenders": [], "kind": kind}
        due = cents(self.show(s)["due"])
        if kind == "cash":
            self.cash(s, due)
        elif kind in ("swipe", "keyed", "chip"):
            name = ["alice", "bob", "carol"][len(self.sales) % 3]
            j = self.card_ok(s, name, kind, due)
            self.assertTrue(j["completed"])
        elif kind == "cash+card":
            part = due // 3 or 1
            j = self.assertOk(self.term("sale", "pay", s, "--cash", amount(part), "--json"))
            self.assertFalse(j.json()["completed"])
            self.sales[s]["tenders"].append(("cash", None, part))
            self.assertTrue(self.card_ok(s, "carol", "swipe", due - part)["completed"])
        elif kind == "card+card":
            part = due // 2 or 1
            self.assertFalse(self.card_ok(s, "alice", "chip", due, part)["completed"])
            self.assertTrue(self.card_ok(s, "bob", "keyed", due - part)["completed"])
        elif kind in ("low", "blocked"):
            r = self.pay_card(s, kind, "swipe", due)
            self.assertFailed(r, "declined", "sale %d still open" % s)
            self.assertEqual(self.show(s)["status"], "open")
            self.cash(s, due)
        self.completed(s)
        if any(t[0] == "card" for t in self.sales[s]["tenders"]):
            self.card_sales.append(s)
        return s

    # ---- the day ----
    def test_day(self):
        t0 = time.monotonic()
        self.shop_setup(CARDS, ITEMS)
        DayTest.state.update(dir=self.dir, shop=self)
        self.addCleanup(lambda: self.posd and (self.posd.kill(), self.posd.wait()))
        self.model_init()
        self.admin_ok("card", "block", "--card", self.cards["blocked"]["card_id"])
        self.assertOk(self.term("promo", "add", "--name", "3 for 2 water", "--sku", "D01",
                                "--buy", "2", "--get", "1"))
        self.assertOk(self.term("shift", "open", "--employee", CASHIER[0], "--pin", CASHIER[1],
                                "--float", amount(FLOAT)))

        # a promotion at work: three waters for the price of two
        s = self.open_sale(("D01", "3"))
        j = self.show(s)
        self.assertEqual(j["promotions"], ITEMS["D01"][1])
        self.assertEqual(cents(j["total"]), 2 * cents(ITEMS["D01"][1]))
        self.sales[s] = {"tenders": [], "kind": "promo"}
        self.card_ok(s, "alice", "swipe", cents(j["due"]))
        self.completed(s)
        self.card_sales.append(s)

        # 1. online: 39 more sales over every tender
        kinds = ["cash", "swipe", "keyed", "chip", "cash+card", "card+card", "low", "blocked"]
        for i in range(39):
            self.one_sale(kinds[i % len(kinds)])
        self.assertEqual(len(self.sales), 40)

        # a void of a card sale and a refund of some lines, by the supervisor
        sv = next(s for s in self.card_sales if self.sales[s]["kind"] == "swipe")
        self.assertFailed(self.term("sale", "void", sv, "--supervisor", CASHIER[0],
                                    "--supervisor-pin", CASHIER[1]))  # a cashier may not
        self.assertFailed(self.term("sale", "void", sv, "--supervisor", SUPERVISOR[0],
                                    "--supervisor-pin", "000000"))  # nor a wrong PIN
        v = self.assertOk(self.term("sale", "void", sv, "--supervisor", SUPERVISOR[0],
                                    "--supervisor-pin", SUPERVISOR[1], "--json")).json()
        self.assertEqual(cents(v["total"]), self.sales[sv]["total"])
        self.assertEqual(cents(v["card"]), self.sales[sv]["total"])
        self.returns.append(("void", self.sales[sv]["total"], self.sales[sv]["total"], 0))
        for k, name, a in self.sales[sv]["tenders"]:
            self.bal[name] += a
        for ln in self.sales[sv]["lines"]:
            self.stock_exp[ln["sku"]] += int(decimal.Decimal(ln["qty"]) * 1000)
        sr = next(s for s in self.card_sales
                  if self.sales[s]["kind"] == "chip" and len(self.sales[s]["lines"]) >= 2)
        ln = self.sales[sr]["lines"][-1]
        f = self.assertOk(self.term("sale", "refund", sr, "--line", ln["line"], "--supervisor",
                                    SUPERVISOR[0], "--supervisor-pin", SUPERVISOR[1],
                                    "--json")).json()
        self.assertEqual(cents(f["total"]), cents(ln["net"]))
        self.assertEqual(cents(f["card"]), cents(ln["net"]))
        self.returns.append(("refund", cents(ln["net"]), cents(ln["net"]), 0))
        self.bal[self.sales[sr]["tenders"][0][1]] += cents(ln["net"])
        self.stock_exp[ln["sku"]] += int(decimal.Decimal(ln["qty"]) * 1000)
        # the same line again: nothing left, nothing changes
        self.assertFailed(self.term("sale", "refund", sr, "--line", ln["line"], "--supervisor",
                                    SUPERVISOR[0], "--supervisor-pin", SUPERVISOR[1]))
        self.check_balances()

        # 2. the host drops the answer of the next purchase
        st = self.status()
        self.assertEqual(st["pending_reversals"], 0)
        drop_stan = st["stan"] + 2  # the command's sign-on, then the purchase
        self.stop_posd()
        self.start_posd("--test-drop-answer", str(drop_stan))
        s = self.open_sale(*self.lines())
        self.sales[s] = {"tenders": [], "kind": "dropped"}
        due = cents(self.show(s)["due"])
        stock_before = {sku: self.stock(sku) for sku in ITEMS}
        r = self.pay_card(s, "bob", "swipe", due)
        self.assertFailed(r, "reversed")
        self.assertIn("event=test_drop_answer tid=%s stan=%06d" % (TID, drop_stan),
                      self.log_text())
        j = self.show(s)
        self.assertEqual((j["status"], j["tenders"], j["paid"]), ("open", [], "0.00"))
        self.assertEqual({sku: self.stock(sku) for sku in ITEMS}, stock_before)
        self.assertEqual(self.balance("bob"), self.bal["bob"] - due)  # the host took it
        self.assertEqual(self.status()["pending_reversals"], 1)
        # the next command reverses first, then pays
        self.card_ok(s, "carol", "chip", due)
        self.completed(s)
        self.card_sales.append(s)
        self.assertEqual(self.status()["pending_reversals"], 0)
        self.assertEqual(self.balance("bob"), self.bal["bob"])  # undone
        self.assertEqual(self.assertOk(self.term("reversal", "flush")).json()["reversed"], 0)
        self.assertEqual(self.balance("bob"), self.bal["bob"])  # once
        txns = self.host_txns()
        dropped = [t for t in txns if t["stan"] == "%06d" % drop_stan and t["kind"] == "purchase"]
        self.assertEqual(len(dropped), 1, dropped)
        self.assertTrue(dropped[0]["reversed"])
        undo = [t for t in txns if t["original_id"] == dropped[0]["id"]]
        self.assertEqual([(t["kind"], t["rc"], t["amount"]) for t in undo],
                         [("reversal", "00", amount(due))])
        self.assertEqual(self.log_text().count("mti=0400 tid=%s" % TID) +
                         self.log_text().count("mti=0420 tid=%s" % TID), 1)
        self.assertBooks()

        # 3. the host is down: offline approvals under the floor limit
        self.assertOk(self.term("terminal", "set", "pay.floor_limit", "5000"))
        self.stop_posd()
        offline = []
        for i in range(5):
            s = self.open_sale(*self.lines(cheap=True))
            self.sales[s] = {"tenders": [], "kind": "offline"}
            due = cents(self.show(s)["due"])
            self.assertLessEqual(due, 5000)
            name = ["alice", "bob"][i % 2]
            j = self.card_ok(s, name, "swipe", due, pin=False, offline=True)
            self.assertRegex(j["auth"], "^Y1[0-9]{4}$")
            offline.append((j["stan"], name, due))
            self.completed(s)
            self.card_sales.append(s)
        s = self.open_sale(("D20", "3"))
        self.sales[s] = {"tenders": [], "kind": "over-floor"}
        due = cents(self.show(s)["due"])
        self.assertGreater(due, 5000)
        self.assertFailed(self.pay_card(s, "alice", "swipe", due, pin=False), "reach")
        self.assertEqual(self.show(s)["status"], "open")
        self.cash(s, due)
        self.completed(s)
        self.assertEqual(self.status()["saf"], 5)
        # an offline payment not yet at the host cannot be voided: upload it first
        r = self.term("sale", "void", self.card_sales[-1], "--supervisor", SUPERVISOR[0],
                      "--supervisor-pin", SUPERVISOR[1])
        self.assertFailed(r, "approved offline", "pos saf flush")
        self.assertEqual(self.show(self.card_sales[-1])["status"], "paid")
        self.assertEqual(self.q("SELECT COUNT(*) FROM returns")[0][0], 2)
        self.start_posd()
        self.check_balances()  # offline: nothing taken yet
        self.assertEqual(self.assertOk(self.term("saf", "flush")).json()["uploaded"], 5)
        for _, name, due in offline:
            self.bal[name] -= due
        self.check_balances()
        self.assertEqual(self.assertOk(self.term("saf", "flush")).json()["uploaded"], 0)
        self.check_balances()
        txns = self.host_txns()
        for stan, _, due in offline:
            got = [t for t in txns if t["stan"] == "%06d" % stan and t["kind"] != "reversal"]
            self.assertEqual(len(got), 1, got)
            self.assertEqual(cents(got[0]["amount"]), due)
            self.assertFalse(got[0]["reversed"])
        self.assertEqual(self.status()["saf"], 0)

        # 4. the rest of the day online
        for kind in ["cash", "swipe", "cash+card"]:
            self.one_sale(kind)
        self.assertEqual(len(self.sales), 50)
        self.day_close()
        self.day_receipts()
        DayTest.state["outputs"] = self.outputs
        DayTest.state["elapsed"] = time.monotonic() - t0
        self.stop_posd()

    def check_balances(self):
        for name in CARDS:
            self.assertEqual(self.balance(name), self.bal[name], name)

    def day_close(self):
        card_tendered = sum(a for s in self.sales.values() for k, _, a in s["tenders"]
                            if k == "card")
        cash_tendered = sum(a for s in self.sales.values() for k, _, a in s["tenders"]
                            if k == "cash")
        change = sum(s["change"] for s in self.sales.values())
        card_back = sum(r[2] for r in self.returns)
        cash_back = sum(r[3] for r in self.returns)
        sales_total = sum(s["total"] for s in self.sales.values())
        voids = sum(r[1] for r in self.returns if r[0] == "void")
        refunds = sum(r[1] for r in self.returns if r[0] == "refund")
        card_net = card_tendered - card_back
        cash_net = cash_tendered - change - cash_back

        x = self.assertOk(self.term("report", "x", "--json")).json()
        self.assertEqual(cents(x["cash"]["expected"]), FLOAT + cash_net)
        counted = FLOAT + cash_net
        # a wrong count is refused by nobody: the difference is recorded; count right
        c = self.assertOk(self.term("shift", "close", "--employee", CASHIER[0], "--pin",
                                    CASHIER[1], "--counted", amount(counted), "--json")).json()
        self.assertEqual(cents(c["expected"]), counted)
        self.assertEqual(c["difference"], "0.00")

        batch = self.status()["batch"]
        hb = [b for b in self.admin_ok("batches").json() if b["tid"] == TID]
        self.assertEqual(len(hb), 1)
        self.assertEqual(hb[0]["batch_no"], batch)
        host_net = cents(hb[0]["debit_amount"]) - cents(hb[0]["credit_amount"])
        st = self.assertOk(self.term("settle", "--json")).json()
        self.assertTrue(st["balanced"], st)
        self.assertEqual(st["batch"], batch)
        self.assertEqual((st["debit_amount"], st["credit_amount"]),
                         (hb[0]["debit_amount"], hb[0]["credit_amount"]))
        self.assertEqual(st["new_batch"], batch + 1)
        # the host's journal for that batch says the same
        txns = [t for t in self.host_txns() if t["batch_no"] == batch and t["rc"] == "00"]
        debits = sum(cents(t["amount"]) for t in txns
                     if t["kind"] in ("purchase", "offline", "advice") and not t["reversed"])
        credits = sum(cents(t["amount"]) for t in txns if t["kind"] == "refund")
        self.assertEqual(debits - credits, host_net, sorted({t["kind"] for t in txns}))

        z = self.assertOk(self.term("report", "z", "--employee", MANAGER[0], "--pin",
                                    MANAGER[1], "--json")).json()
        DayTest.state["z"] = z
        self.assertEqual(z["sales"]["count"], 50)
        self.assertEqual(cents(z["sales"]["total"]), sales_total)
        self.assertEqual((z["voids"]["count"], cents(z["voids"]["total"])), (1, voids))
        self.assertEqual((z["refunds"]["count"], cents(z["refunds"]["total"])), (1, refunds))
        self.assertEqual(cents(z["net"]), sales_total - refunds - voids)
        self.assertEqual(sum(cents(t["net"]) for t in z["tenders"].values()), cents(z["net"]))
        zc = z["tenders"]["card"]
        self.assertEqual(cents(zc["tendered"]), card_tendered)
        self.assertEqual(cents(zc["net"]), card_net)
        self.assertEqual(card_net, host_net)  # Z card net == the host's settled batch
        self.assertEqual(cents(z["tenders"]["cash"]["net"]), cash_net)
        self.assertEqual(cents(z["cash"]["expected"]), FLOAT + cash_net)
        self.assertEqual(cents(z["cash"]["counted"]), counted)
        self.assertEqual(z["cash"]["difference"], "0.00")
        self.assertEqual(cents(z["tax"]["net"]),
                         cents(z["tax"]["total"]) - cents(z["tax"]["returned"]))
        self.assertEqual({r["rate_bps"] for r in z["tax"]["rates"]}, {900, 1300})
        promos = sum(cents(ln["promotion"]["amount"]) for s in self.sales.values()
                     for ln in s["lines"] if ln["promotion"])
        self.assertGreaterEqual(promos, cents(ITEMS["D01"][1]))
        self.assertEqual(cents(z["promotions"]["total"]), promos)
        # the terminal's own tables say the same
        self.assertEqual(self.q("SELECT SUM(amount) FROM tenders t JOIN sales s ON "
                                "s.id = t.sale_id WHERE kind = 'card' AND status = 'paid'")[0][0],
                         card_tendered)
        self.assertEqual(self.q("SELECT COUNT(*) FROM sales WHERE status != 'paid'")[0][0], 0)

        # every cardholder moved by exactly what its sales say; the books
        self.check_balances()
        self.assertBooks()
        # every item: initial - sold + returned == its quantity == its movements
        for sku, exp in self.stock_exp.items():
            qty, moved = self.q("SELECT i.qty, (SELECT SUM(m.qty) FROM stock_moves m WHERE "
                                "m.item_id = i.id) FROM items i WHERE sku = ?", sku)[0]
            self.assertEqual((qty, moved), (exp, exp), sku)
            js = self.assertOk(self.term("stock", "show", sku, "--json")).json()
            self.assertEqual(int(decimal.Decimal(js["qty"]) * 1000), exp)
        self.assertOk(self.term("stock", "check"))
        self.assertEqual(self.status()["pending_reversals"], 0)

    def day_receipts(self):
        receipts = []
        for s in self.card_sales:
            for fmt in ([], ["--escpos"]):
                r = self.assertOk(self.term("sale", "receipt", s, *fmt))
                receipts.append(r.out)
        # the first card sale (alice, swiped): a UnionPay slip on top of the items
        text = receipts[0].decode("utf-8")
        first = self.show(self.card_sales[0])
        ref = first["tenders"][0]["reference"]  # "RRN <rrn> AUTH <auth>"
        for want in ["Day Mart", "CUSTOMER COPY", "MERCHANT ID 商户号", MID, TID,
                     self.cards["alice"]["pan_masked"], "UNIONPAY", "SWIPE", "SALE 消费",
                     ref.split()[1], ref.split()[3], "Water"]:
            self.assertIn(want, text)
        self.assertNotIn("REPRINT", text)
        self.assertIn("REPRINT".encode(), receipts[1])  # the same copy again, as ESC/POS
        # the merchant copy of the last sale, and a reprint of it
        m = self.assertOk(self.term("sale", "receipt", "last", "--copy", "merchant")).text
        self.assertIn("MERCHANT COPY", m)
        self.assertNotIn("REPRINT", m)
        m2 = self.assertOk(self.term("sale", "receipt", "last", "--copy", "merchant")).text
        self.assertIn("REPRINT", m2)
        receipts += [m.encode(), m2.encode()]
        DayTest.state["receipts"] = receipts

    # ---- secrets ----
    def test_secrets(self):
        shop = DayTest.state.get("shop")
        if shop is None or "receipts" not in DayTest.state:
            self.skipTest("test_day did not complete")
        needles = []
        for name, c in shop.cards.items():
            pan = c["pan"]
            needles += [(name + " PAN", pan.encode()), (name + " PAN digits 7+", pan[6:].encode()),
                        (name + " track 2", c["track2"].encode()),
                        (name + " track 2 (D)", c["track2"].replace("=", "D").encode())]
            if len(pan) % 2 == 0:
                needles.append((name + " PAN BCD", bytes.fromhex(pan)))
            r = pos("pinblock", "encode", "--format", "0", "--pin", c["pin"], "--pan", pan)
            self.assertOk(r)
            blk = r.text.strip().strip('"')
            self.assertRegex(blk, "^[0-9A-F]{16}$")
            needles += [(name + " PIN block", blk.encode()),
                        (name + " PIN block", blk.lower().encode()),
                        (name + " PIN block bytes", bytes.fromhex(blk))]
        hay = []
        files = glob.glob(shop.tdb + "*")
        self.assertTrue(any(f.endswith("-wal") for f in files) or len(files) >= 1)
        for path in files + [shop.posd_log]:
            with open(path, "rb") as f:
                hay.append((path, f.read()))
        for what, out, err in DayTest.state["outputs"]:
            hay.append((what, out + err.encode()))
        for i, rec in enumerate(DayTest.state["receipts"]):
            hay.append(("receipt %d" % i, rec))
        self.assertGreater(len(hay), 300)
        for label, data in hay:
            for what, needle in needles:
                self.assertNotIn(needle, data, "%s in clear in %s" % (what, label))


if __name__ == "__main__":
    main()
