#!/usr/bin/env python3
"""make run: the system on an embedded SQLite, and one cashier's sale end to end.

    python3 scripts/run.py [BUILD] [--dir DIR]

BUILD holds the built `pos`, `posd` and `pos-load` (default: build); the demo
writes everything under DIR (default: BUILD/demo, emptied first).

1. A host with `pos admin`: a merchant, the cashier's lane DEMO0001 (China
   UnionPay style, master/session TDES keys), a second lane for the load
   generator, cardholder accounts and cards (shown masked only).
2. `posd` on a free loopback port (ISO 8583 `cup` over TCP, SQLite WAL).
3. A real terminal store: `pos terminal init` (provisioning file, KTK, the
   terminal's own LMK), employees (a cashier, a supervisor), items with stock
   at two tax rates, a promotion, a shift opened with a float.
4. The sale: `pos sale open`, `add` by SKU and by barcode, `pay` part in cash
   and the rest by card (swiped track 2, PIN), the customer's receipt with
   the UnionPay slip and the merchant copy.
5. A second lane paying for two seconds (`pos-load`), then the X report,
   the settlement of the cashier's batch, and `pos admin check` proving the
   books. posd is stopped with SIGTERM and must exit 0.

Any failed step stops the demo with `make run: <step>: <why>` and exit 1.
No clear PAN, track 2 or PIN is printed: commands that carry one are shown
with it replaced by a label.
"""
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time

MID = "898310048990001"
LANE = "DEMO0001"        # the cashier's terminal
LOAD_LANE = "DEMO0002"   # pos-load's terminal
CASHIER = ("3", "2468")
SUPERVISOR = ("2", "564738")
FLOAT = "500.00"
# sku, name, price, tax (basis points), category, unit, barcode, stock
ITEMS = [
    ("1001", "农夫山泉 Water 550ml", "2.00", 1300, "drinks", "ea", "6921168509256", "48"),
    ("1002", "富士苹果 Fuji apples", "12.80", 900, "fruit", "kg", "2000000000015", "25.000"),
    ("1003", "Notebook A5 笔记本", "12.50", 1300, "stationery", "ea", "6901234567892", "30"),
    ("1004", "Milk 1L 纯牛奶", "9.90", 900, "dairy", "ea", "6912345678902", "24"),
]


class Failed(Exception):
    pass


class Demo:
    def __init__(self, build, demo):
        self.build = build
        self.dir = demo
        self.pos = os.path.join(build, "pos")
        self.posd_bin = os.path.join(build, "posd")
        self.load_bin = os.path.join(build, "pos-load")
        self.hdb = os.path.join(demo, "host.db")
        self.hlmk = os.path.join(demo, "host.lmk")
        self.ktk = os.path.join(demo, "host.ktk")
        self.tdb = os.path.join(demo, "terminal.db")
        self.tlmk = os.path.join(demo, "terminal.lmk")
        self.posd = None
        self.posd_log = os.path.join(demo, "posd.log")
        self.cup = None
        self.tenv = None  # the terminal's environment: $POS_LMK once provisioned
        self.secrets = {}  # clear card data -> the label printed instead

    # ---- running things ----
    def shown(self, args):
        """A command line as printed: secrets as labels, demo paths relative."""
        return " ".join(self.secrets[a] if a in self.secrets
                        else shlex.quote(a.replace(self.dir + os.sep, "")) for a in args)

    def run(self, step, args, stdin="", env=None, echo=False):
        """Runs args; returns stdout. A non-zero exit stops the demo."""
        args = [str(a) for a in args]
        if echo:
            print("$ " + self.shown(["pos"] + args[1:]), flush=True)
        e = dict(os.environ)
        e.update(env or {})
        try:
            p = subprocess.run(args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=e, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as x:
            raise Failed("%s: %s" % (step, x))
        if p.returncode != 0:
            why = (p.stderr.strip() or p.stdout.strip() or "no output").splitlines()[-1]
            raise Failed("%s: exit %d: %s" % (step, p.returncode, why))
        return p.stdout

    def admin(self, step, *args):
        out = self.run(step, [self.pos, "admin", "--db", self.hdb, "--lmk", self.hlmk,
                              "--actor", "demo"] + list(args), env={"POS_LMK": ""})
        return json.loads(out) if out.strip().startswith(("{", "[")) else out

    def term(self, step, *args, stdin="", echo=True, show=True):
        """A terminal command on the demo store: echoed (echo), its answer
        printed (show)."""
        out = self.run(step, [self.pos] + list(args) + ["--db", self.tdb], stdin=stdin,
                       env=self.tenv, echo=echo)
        if show and out.strip():
            print(out.rstrip())
        return out

    # ---- the demo ----
    def host(self):
        say("the host: keys under a local master key, a merchant, two lanes, cards")
        self.admin("pos admin init", "init", "--ktk-out", self.ktk)
        self.admin("pos admin merchant add", "merchant", "add", "--mid", MID, "--name",
                   "演示便利店 Demo Mart", "--city", "Shanghai", "--mcc", "5411", "--currency",
                   "CNY", "--mdr", "60", "--payout", "BANK-6222-0001")
        print("  merchant %s 演示便利店 Demo Mart, MCC 5411, MDR 0.60 %%" % MID)
        os.makedirs(os.path.join(self.dir, "load"))
        self.prov = os.path.join(self.dir, LANE + ".json")
        for tid, out in [(LANE, self.prov),
                         (LOAD_LANE, os.path.join(self.dir, "load", LOAD_LANE + ".json"))]:
            self.admin("pos admin terminal add", "terminal", "add", "--tid", tid, "--mid", MID,
                       "--dialect", "cup", "--key-scheme", "mksk-tdes", "--out", out)
            print("  terminal %s: cup dialect, master/session TDES keys, provisioning file %s"
                  % (tid, os.path.relpath(out, self.dir)))
        self.cards = []
        for name, balance in [("customer Chen", "2000.00"), ("load card 1", "100000.00"),
                              ("load card 2", "100000.00")]:
            acct = self.admin("pos admin account add", "account", "add", "--kind", "debit",
                              "--currency", "CNY", "--name", name)
            card = self.admin("pos admin card issue", "card", "issue", "--account", acct["id"],
                              "--pin", "123456")
            self.admin("pos admin card topup", "card", "topup", "--card", card["card_id"],
                       "--amount", balance)
            # the issuer's one-time display holds the clear PAN and track 2: kept in
            # memory, printed masked
            self.secrets[card["pan"]] = card["pan_masked"]
            self.secrets[card["track2"]] = "<track 2 of %s>" % card["pan_masked"]
            self.cards.append(card)
            print("  card %s  expiry %s  %s, balance %s" % (card["pan_masked"], card["expiry"],
                                                           name, balance))

    def start_posd(self):
        say("posd: ISO 8583 (cup) on a loopback port, SQLite WAL, an answer only after its commit")
        ports = os.path.join(self.dir, "ports")
        log = open(os.path.join(self.dir, "posd.out"), "w")
        self.posd = subprocess.Popen(
            [self.posd_bin, "--db", self.hdb, "--lmk", self.hlmk, "--http", "off",
             "--listen", "name=cup,port=0", "--listen", "name=iso87b,enabled=no",
             "--port-file", ports, "--log-file", self.posd_log],
            stdout=log, stderr=log, env=dict(os.environ, POS_LMK=""))
        log.close()
        for _ in range(400):
            if os.path.exists(ports):
                with open(ports) as f:
                    addr = dict(l.strip().split("=", 1) for l in f if "=" in l)
                if "cup" in addr:
                    self.cup = addr["cup"]
                    print("  posd pid %d listening on %s (masked request log: posd.log)"
                          % (self.posd.pid, self.cup))
                    print("  commands below run on the files in %s" % self.dir)
                    return
            if self.posd.poll() is not None:
                break
            time.sleep(0.025)
        raise Failed("posd did not start (see %s)" % os.path.join(self.dir, "posd.out"))

    def terminal(self):
        say("the cashier's terminal: provisioned, signed on, its keys under its own LMK")
        out = self.term("pos terminal init", "terminal", "init", "--provision", self.prov,
                        "--ktk", self.ktk, "--host", self.cup, "--lmk", self.tlmk)
        if not json.loads(out).get("signed_on"):
            raise Failed("pos terminal init: the terminal did not sign on")
        # every later payment command finds the LMK in $POS_LMK (docs/payments.md)
        with open(self.tlmk) as f:
            self.tenv = {"POS_LMK": f.read().strip()}

        say("staff, catalog with stock (two tax rates), a promotion, the shift")
        for (num, pin), name, role in [(CASHIER, "Zhang Wei 张伟", "cashier"),
                                       (SUPERVISOR, "Li Na 李娜", "supervisor")]:
            self.term("pos employee add", "employee", "add", "--number", num, "--name", name,
                      "--role", role, "--pin", "-", stdin=pin + "\n", echo=False, show=False)
            print("  employee %s %s (%s)" % (num, name, role))
        for sku, name, price, bps, cat, unit, code, qty in ITEMS:
            self.term("pos item add", "item", "add", "--sku", sku, "--name", name, "--price",
                      price, "--tax-bps", bps, "--category", cat, "--unit", unit, "--barcode",
                      code, echo=False, show=False)
            self.term("pos stock receive", "stock", "receive", sku, qty, "--ref", "DN-0001",
                      echo=False, show=False)
        self.term("pos item list", "item", "list")
        self.term("pos promo add", "promo", "add", "--name", "买二送一 water 3 for 2", "--sku",
                  "1001", "--buy", "2", "--get", "1")
        self.term("pos shift open", "shift", "open", "--employee", CASHIER[0], "--pin", "-",
                  "--float", FLOAT, stdin=CASHIER[1] + "\n")

    def sale(self):
        say("a sale: three waters (the promotion), apples by barcode and weight, a notebook")
        out = self.term("pos sale open", "sale", "open", "--employee", CASHIER[0], "--pin", "-",
                        stdin=CASHIER[1] + "\n")
        self.sale_id = out.strip()
        s = self.sale_id
        # each add answers with the whole sale: the last one is shown
        for code, qty in [("1001", "3"), ("2000000000015", "1.250")]:
            self.term("pos sale add", "sale", "add", s, code, "--qty", qty, show=False)
        self.term("pos sale add", "sale", "add", s, "1003")
        due = json.loads(self.term("pos sale show", "sale", "show", s, "--json", echo=False,
                                   show=False))
        cash = "20.00"

        say("paid split: %s in cash, the rest (%s) by card, swiped, with PIN"
            % (cash, amount(cents(due["due"]) - cents(cash))))
        self.term("pos sale pay --cash", "sale", "pay", s, "--cash", cash)
        card = self.cards[0]
        self.term("pos sale pay --card", "sale", "pay", s, "--card", "--track2", card["track2"],
                  "--pin", "-", stdin=card["pin"] + "\n")

        say("the customer's receipt, with the UnionPay slip")
        self.term("pos sale receipt", "sale", "receipt", s)
        say("the merchant copy")
        self.term("pos sale receipt --copy merchant", "sale", "receipt", s, "--copy", "merchant")

    def load(self):
        if not os.access(self.load_bin, os.X_OK):
            say("pos-load is not built: no second lane")
            return
        say("a second lane (%s) under load for 2 s: pos-load over TCP, every reply checked"
            % LOAD_LANE)
        cards = os.path.join(self.dir, "load", "cards.jsonl")
        fd = os.open(cards, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            for c in self.cards[1:]:
                f.write(json.dumps({"track2": c["track2"], "pin": c["pin"]}) + "\n")
        try:
            out = self.run("pos-load", [self.load_bin, "--host", self.cup, "--provision-dir",
                                        os.path.join(self.dir, "load"), "--ktk", self.ktk,
                                        "--cards", cards, "--dialect", "cup", "--scheme",
                                        "mksk-tdes", "--terminals", "1", "--duration", "2",
                                        "--amount", "1250"])
        finally:
            os.unlink(cards)  # the cards' track 2 data does not stay on disk
        print(out.rstrip())

    def close(self):
        say("the X report: the shift so far")
        self.term("pos report x", "report", "x")
        say("settlement: the cashier's batch totals against the host's (0500)")
        out = self.term("pos settle", "settle")
        if not json.loads(out).get("balanced"):
            raise Failed("pos settle: the batch is not balanced")
        say("the host's journal for %s (PANs masked)" % LANE)
        for t in self.admin("pos admin txns", "txns", "--terminal", LANE, "--limit", "10"):
            print("  %s %-9s %-16s %8s %s rc=%s batch=%s trace=%s rrn=%s auth=%s"
                  % (t["tid"], t["kind"], t["pan"] or "-", t["amount"], t["currency"], t["rc"],
                     t["batch_no"], t["stan"], t["rrn"] or "-", t["auth_code"] or "-"))
        c = self.admin("pos admin card show", "card", "show", "--card", self.cards[0]["card_id"])
        print("  card %s balance now %s" % (self.cards[0]["pan_masked"], c["balance"]))
        say("the books: every transaction's postings sum to zero, balances equal their postings")
        check = self.admin("pos admin check", "check")
        print(json.dumps(check, ensure_ascii=False))
        if check.get("sound") is not True:
            raise Failed("pos admin check: the books are not sound")
        print("books sound")

    def stop_posd(self):
        if self.posd is None:
            return 0
        p, self.posd = self.posd, None
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
        try:
            return p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            return -1


def say(text):
    print("\n== " + text, flush=True)


def cents(s):
    whole, _, frac = s.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def amount(c):
    return "%d.%02d" % divmod(c, 100)


def main(argv):
    build, demo = "build", None
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--dir" and args:
            demo = args.pop(0)
        elif a.startswith("-"):
            sys.exit("usage: run.py [BUILD] [--dir DIR]")
        else:
            build = a
    demo = os.path.abspath(demo or os.path.join(build, "demo"))
    for b in ("pos", "posd"):
        if not os.access(os.path.join(build, b), os.X_OK):
            sys.exit("make run: %s is not built in %s (run make build)" % (b, build))
    shutil.rmtree(demo, ignore_errors=True)
    os.makedirs(demo)
    d = Demo(os.path.abspath(build), demo)
    try:
        d.host()
        d.start_posd()
        d.terminal()
        d.sale()
        d.load()
        d.close()
    except Failed as x:
        d.stop_posd()
        sys.exit("make run: %s (everything is in %s)" % (x, demo))
    except BaseException:
        d.stop_posd()
        raise
    rc = d.stop_posd()
    if rc != 0:
        sys.exit("make run: posd exited %d on SIGTERM (see %s)" % (rc, d.posd_log))
    print("\nposd stopped cleanly; everything is in %s" % demo)
    print("  host.db: the host's books   terminal.db: the lane's store   posd.log: masked requests")


if __name__ == "__main__":
    main(sys.argv[1:])
