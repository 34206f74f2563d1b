"""pos terminal / pay / void / refund / reversal / saf / settle against a real posd.

Each test builds a host with the real `pos admin` (init, merchant, a cup
master/session terminal, cards), starts the real posd (POS_BIN's directory)
on ephemeral ports, provisions a terminal store with `pos terminal init` and
pays. A small TCP proxy on 127.0.0.1 stands between terminal and host to
lose an answer (forward the request, drop the reply) or to duplicate a
request. Money is checked with `pos admin card show` and `pos admin check`;
the terminal's database is grepped for the PAN and the track.
"""
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

from clitest import CliTestCase, POS_BIN, main, pos

MID = "123456789012345"
TID = "T0000007"
POSD_BIN = os.path.join(os.path.dirname(os.path.abspath(POS_BIN)), "posd")


class Proxy:
    """Forwards 127.0.0.1:port to the host, frame by frame (2-byte length).
    mode: 'pass', 'drop' (0200 requests forwarded, their replies dropped),
    'dup' (each 0200 sent twice, one reply passed on)."""

    def __init__(self, target_port):
        self.target = target_port
        self.mode = "pass"
        self.srv = socket.socket()
        self.srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(8)
        self.port = self.srv.getsockname()[1]
        self.forwarded = 0
        threading.Thread(target=self.accept, daemon=True).start()

    @staticmethod
    def frame(s):
        h = b""
        while len(h) < 2:
            c = s.recv(2 - len(h))
            if not c:
                return None
            h += c
        n = h[0] << 8 | h[1]
        b = b""
        while len(b) < n:
            c = s.recv(n - len(b))
            if not c:
                return None
            b += c
        return h + b

    def accept(self):
        while True:
            try:
                c, _ = self.srv.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(c,), daemon=True).start()

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
                h.sendall(req)
                self.forwarded += 1
                money = req[13:15] == b"\x02\x00"  # cup: 2 + TPDU 5 + header 6, BCD MTI
                rep = self.frame(h)
                if self.mode == "dup" and money:
                    h.sendall(req)
                    self.frame(h)
                if rep is None:
                    break
                if self.mode != "drop" or not money:
                    c.sendall(rep)
        except OSError:
            pass
        c.close()
        h.close()

    def close(self):
        self.srv.close()


class TestPay(CliTestCase):
    def setUp(self):
        if not os.access(POSD_BIN, os.X_OK):
            self.skipTest("posd is not built beside pos (%s)" % POSD_BIN)
        self.dir = tempfile.mkdtemp(prefix="pos-pay-cli-")
        self.hdb = os.path.join(self.dir, "host.db")
        self.hlmk = os.path.join(self.dir, "host.lmk")
        self.ktk = os.path.join(self.dir, "ktk")
        self.tdb = os.path.join(self.dir, "term.db")
        self.tlmk = os.path.join(self.dir, "term.lmk")
        self.prov = os.path.join(self.dir, "prov.json")
        self.posd = None
        self.admin_ok("init", "--ktk-out", self.ktk)
        self.admin_ok("merchant", "add", "--mid", MID, "--name", "Corner Shop", "--city",
                      "Shanghai", "--mcc", "5411", "--currency", "CNY", "--mdr", "60",
                      "--payout", "BANK-1")
        self.admin_ok("terminal", "add", "--tid", TID, "--mid", MID, "--dialect", "cup",
                      "--key-scheme", "mksk-tdes", "--out", self.prov)
        acct = self.admin_ok("account", "add", "--kind", "debit", "--currency", "CNY").json()
        self.card = self.admin_ok("card", "issue", "--account", acct["id"], "--pin",
                                  "123456").json()
        self.admin_ok("card", "topup", self.card["card_id"], "--amount", "100.00")
        self.start_posd()
        self.proxy = Proxy(self.cup_port)
        r = self.term("terminal", "init", "--provision", self.prov, "--ktk", self.ktk,
                      "--host", "127.0.0.1:%d" % self.proxy.port, "--lmk", self.tlmk, lmk=False)
        self.assertOk(r)
        self.assertTrue(r.json()["signed_on"], r)

    def tearDown(self):
        self.proxy.close()
        self.stop_posd()
        shutil.rmtree(self.dir)

    # ---- helpers ----
    def admin(self, *args):
        return pos("admin", "--db", self.hdb, "--lmk", self.hlmk, *args, env={"POS_LMK": ""})

    def admin_ok(self, *args):
        return self.assertOk(self.admin(*args))

    def term(self, *args, lmk=True):
        extra = ["--db", self.tdb] + (["--lmk", self.tlmk] if lmk else [])
        return pos(*(list(args) + extra), env={"POS_LMK": ""})

    def start_posd(self):
        ports = os.path.join(self.dir, "ports")
        if os.path.exists(ports):
            os.unlink(ports)
        args = [POSD_BIN, "--db", self.hdb, "--lmk", self.hlmk, "--http", "off",
                "--port-file", ports, "--log-file", os.path.join(self.dir, "posd.log"),
                "--workers", "2", "--listen", "name=cup,port=%d" % getattr(self, "cup_port", 0),
                "--listen", "name=iso87b,enabled=no"]
        self.posd = subprocess.Popen(args, env=dict(os.environ, POS_LMK=""))
        for _ in range(200):
            if os.path.exists(ports):
                with open(ports) as f:
                    for line in f:
                        if line.startswith("cup=127.0.0.1:"):
                            self.cup_port = int(line.strip().split(":")[-1])
                            return
            time.sleep(0.05)
        self.fail("posd did not start")

    def stop_posd(self):
        if self.posd is not None:
            self.posd.send_signal(signal.SIGTERM)
            self.assertEqual(self.posd.wait(timeout=30), 0)
            self.posd = None

    def balance(self):
        j = self.admin_ok("card", "show", self.card["card_id"]).json()
        b = j.get("balance")
        if b is None:
            b = j["account"]["balance"]
        return b

    def pay(self, amount, pin="123456", track2=None):
        args = ["pay", "--amount", amount, "--track2", track2 or self.card["track2"]]
        if pin is not None:
            args += ["--pin", pin]
        return self.term(*args)

    def status(self):
        return self.assertOk(self.term("terminal", "status", lmk=False)).json()

    def assertBooks(self):
        self.assertTrue(self.admin_ok("check").json()["sound"])

    def assertNoSecrets(self):
        pan = self.card["pan"].encode()
        for path in glob.glob(self.tdb + "*"):
            with open(path, "rb") as f:
                data = f.read()
            self.assertNotIn(pan, data, "clear PAN in %s" % path)
            self.assertNotIn(self.card["track2"].encode(), data)
            self.assertNotIn(pan[6:], data)

    # ---- tests ----
    def test_status_after_init(self):
        s = self.status()
        self.assertEqual(s["tid"], TID)
        self.assertEqual(s["mid"], MID)
        self.assertEqual(s["dialect"], "cup")
        self.assertEqual(s["scheme"], "mksk-tdes")
        self.assertEqual(s["batch"], 1)
        self.assertEqual(s["stan"], 1)  # the sign-on
        self.assertEqual(s["pending_reversals"], 0)
        self.assertEqual(s["saf"], 0)
        self.assertRegex(s["key_kcv"], "^[0-9A-F]{6}$")
        # a second init is refused and changes nothing
        r = self.term("terminal", "init", "--provision", self.prov, "--ktk", self.ktk,
                      "--host", "127.0.0.1:1")
        self.assertFailed(r, "already provisioned")
        self.assertEqual(self.status(), s)

    def test_init_bad_input(self):
        other = os.path.join(self.dir, "other.db")
        bad_ktk = os.path.join(self.dir, "bad.ktk")
        with open(bad_ktk, "w") as f:
            f.write("00" * 16 + "\n")
        r = pos("terminal", "init", "--provision", self.prov, "--ktk", bad_ktk, "--host",
                "127.0.0.1:1", "--db", other, "--lmk", self.tlmk)
        self.assertFailed(r, "check value")
        self.assertUsage(pos("terminal", "init", "--provision", self.prov, "--db", other,
                             "--lmk", self.tlmk), "required")
        self.assertFailed(pos("terminal", "status", "--db", other), "not provisioned")

    def test_purchase_approved_and_void_and_refund(self):
        r = self.assertOk(self.pay("12.34"))
        j = r.json()
        self.assertEqual(j["status"], "approved")
        self.assertEqual(j["rc"], "00")
        self.assertEqual(len(j["rrn"]), 12)
        self.assertEqual(len(j["auth"]), 6)
        self.assertEqual(j["pan"], self.card["pan_masked"])
        self.assertEqual(j["amount"], "12.34")
        self.assertEqual(self.balance(), "87.66")
        v = self.assertOk(self.term("void", "--stan", str(j["stan"]))).json()
        self.assertEqual(v["status"], "approved")
        self.assertEqual(self.balance(), "100.00")
        # voided twice: declined by the terminal itself, nothing sent
        self.assertFailed(self.term("void", "--stan", str(j["stan"])), "voided")
        j2 = self.assertOk(self.pay("20.00")).json()
        f = self.assertOk(self.term("refund", "--rrn", j2["rrn"], "--amount", "5.00")).json()
        self.assertEqual(f["status"], "approved")
        self.assertEqual(self.balance(), "85.00")
        self.assertBooks()
        self.assertNoSecrets()

    def test_balance_inquiry(self):
        j = self.assertOk(self.term("pay", "balance", "--track2", self.card["track2"],
                                    "--pin", "123456")).json()
        self.assertEqual(j["balance"], "100.00")

    def test_preauth_completion(self):
        p = self.assertOk(self.term("pay", "preauth", "--amount", "30.00", "--track2",
                                    self.card["track2"], "--pin", "123456")).json()
        c = self.assertOk(self.term("pay", "complete", "--stan", str(p["stan"]),
                                    "--amount", "25.00")).json()
        self.assertEqual(c["status"], "approved")
        self.assertEqual(self.balance(), "75.00")
        self.assertBooks()

    def test_declined_and_wrong_pin(self):
        before = self.status()["stan"]
        r = self.pay("500.00")
        self.assertFailed(r, "51")
        self.assertEqual(r.json()["status"], "declined")
        r = self.pay("1.00", pin="999999")
        self.assertFailed(r, "55")
        self.assertEqual(self.balance(), "100.00")
        s = self.status()
        self.assertEqual(s["stan"], before + 4)  # each run signs on first
        self.assertEqual(s["pending_reversals"], 0)
        self.assertEqual(s["batch_count"], 0)
        self.assertBooks()

    def test_bad_input_changes_nothing(self):
        s = self.status()
        self.assertUsage(self.term("pay", "--amount", "1.234", "--track2", self.card["track2"]))
        self.assertUsage(self.term("pay", "--amount", "1.00", "--pan", "4111111111111112",
                                   "--expiry", "3012"), "check digit")
        self.assertUsage(self.term("pay", "--amount", "1.00"), "card")
        self.assertUsage(self.term("void"), "--stan")
        self.assertUsage(self.term("pay", "bogus"))
        self.assertUsage(self.term("terminal", "set", "pay.floor_limit", "x", lmk=False))
        self.assertUsage(self.term("terminal", "set", "currency", "1", lmk=False))
        self.assertEqual(self.status(), s)

    def test_retransmission_safety(self):
        self.proxy.mode = "dup"
        self.assertOk(self.pay("10.00"))
        self.assertEqual(self.balance(), "90.00")
        self.assertBooks()

    def test_lost_answer_is_reversed_once(self):
        self.proxy.mode = "drop"
        self.assertOk(self.term("pay", "--help"))
        r = pos("pay", "--amount", "10.00", "--track2", self.card["track2"], "--pin", "123456",
                "--db", self.tdb, "--lmk", self.tlmk, env={"POS_LMK": ""})
        # the host took the money but the terminal never heard
        self.assertFailed(r, "reversed")
        self.assertEqual(self.balance(), "90.00")
        self.assertEqual(self.status()["pending_reversals"], 1)
        self.proxy.mode = "pass"
        j = self.assertOk(self.pay("1.00")).json()
        self.assertEqual(j["reversals_sent"], 1)
        self.assertEqual(self.balance(), "99.00")
        self.assertEqual(self.status()["pending_reversals"], 0)
        # flushing again sends nothing and moves nothing
        self.assertEqual(self.assertOk(self.term("reversal", "flush")).json()["reversed"], 0)
        self.assertEqual(self.balance(), "99.00")
        self.assertBooks()

    def test_host_down_offline_then_saf(self):
        self.assertOk(self.term("terminal", "set", "pay.floor_limit", "5000", lmk=False))
        self.assertOk(self.term("terminal", "set", "pay.timeout_ms", "3000", lmk=False))
        self.stop_posd()
        j = self.assertOk(self.pay("20.00", pin=None)).json()
        self.assertEqual(j["status"], "offline")
        self.assertRegex(j["auth"], "^Y1[0-9]{4}$")
        self.assertFailed(self.pay("60.00", pin=None), "cannot reach")
        self.assertEqual(self.status()["saf"], 1)
        self.assertFailed(self.term("saf", "flush"), "host")
        self.start_posd()
        self.assertEqual(self.assertOk(self.term("saf", "flush")).json()["uploaded"], 1)
        self.assertEqual(self.balance(), "80.00")
        self.assertEqual(self.assertOk(self.term("saf", "flush")).json()["uploaded"], 0)
        self.assertEqual(self.balance(), "80.00")
        self.assertEqual(self.status()["saf"], 0)
        s = self.assertOk(self.term("settle")).json()
        self.assertTrue(s["balanced"])
        self.assertFalse(s["uploaded"])
        self.assertBooks()
        self.assertNoSecrets()

    def test_settle_balanced(self):
        self.assertOk(self.pay("12.00"))
        self.assertOk(self.pay("3.00"))
        s = self.assertOk(self.term("settle")).json()
        self.assertTrue(s["balanced"])
        self.assertEqual(s["debit_count"], 2)
        self.assertEqual(s["debit_amount"], "15.00")
        self.assertEqual(s["new_batch"], 2)
        self.assertEqual(self.status()["batch"], 2)
        self.assertOk(self.pay("1.00"))
        self.assertBooks()

    def test_settle_unbalanced_uploads(self):
        self.assertOk(self.pay("12.00"))
        self.assertOk(self.term("terminal", "set", "pay.floor_limit", "5000", lmk=False))
        self.assertOk(self.term("terminal", "set", "pay.timeout_ms", "3000", lmk=False))
        self.stop_posd()
        self.assertEqual(self.assertOk(self.pay("7.00", pin=None)).json()["status"], "offline")
        self.start_posd()
        s = self.assertOk(self.term("settle")).json()
        self.assertTrue(s["uploaded"])
        self.assertTrue(s["balanced"])
        self.assertEqual(s["debit_count"], 2)
        self.assertEqual(s["debit_amount"], "19.00")
        self.assertEqual(self.balance(), "81.00")
        self.assertEqual(self.status()["saf"], 0)
        # the uploaded advice is not sent again
        self.assertEqual(self.assertOk(self.term("saf", "flush")).json()["uploaded"], 0)
        self.assertEqual(self.balance(), "81.00")
        self.assertBooks()
        self.assertNoSecrets()


if __name__ == "__main__":
    main()
