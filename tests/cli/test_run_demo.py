"""`make run` (scripts/run.py) against the built binaries.

The demo builds a host with `pos admin`, starts posd, provisions a real
terminal store, rings up a sale paid in cash and by card with PIN, prints
its receipts, settles and checks the books. Here it runs into a temporary
directory (--dir) and its output is held to what a user is promised: the
UnionPay slip on the receipt (masked PAN, REF. NO., AUTH NO.) matching the
host's own journal, a balanced settlement, sound books (checked again here
with `pos admin check`), and no clear PAN or track 2 anywhere in what it
prints or leaves on disk. The failure paths: a missing posd, a posd that
does not start, and a step that fails while posd runs (the demo must say
which and must not leave posd running).
"""
import glob
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import unittest

from clitest import CliTestCase, POS_BIN, SOURCE_DIR, main, pos

BUILD = os.path.dirname(os.path.abspath(POS_BIN))
RUN_PY = os.path.join(SOURCE_DIR, "scripts", "run.py")
MASKED = re.compile(r"\b(\d{6})(\*{3,9})(\d{4})\b")


def run_demo(build, demo, timeout=240):
    return subprocess.run([sys.executable, RUN_PY, build, "--dir", demo],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)


def slip_value(text, label):
    m = re.search(r"^%s\s+(\S+)$" % re.escape(label), text, re.M)
    return m.group(1) if m else None


class RunDemoTest(CliTestCase):
    def setUp(self):
        if not os.access(os.path.join(BUILD, "posd"), os.X_OK):
            self.skipTest("posd is not built beside pos (%s)" % BUILD)
        self.tmp = tempfile.mkdtemp(prefix="pos-run-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def admin(self, demo, *args):
        r = pos("admin", "--db", os.path.join(demo, "host.db"), "--lmk",
                os.path.join(demo, "host.lmk"), *args, env={"POS_LMK": ""})
        return self.assertOk(r).json()

    def test_demo_sale(self):
        demo = os.path.join(self.tmp, "demo")
        p = run_demo(BUILD, demo)
        out = p.stdout.decode("utf-8")
        err = p.stderr.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, err + out[-3000:])
        self.assertIn("posd stopped cleanly", out)

        # the split payment: cash first, the card completes the sale
        self.assertRegex(out, r"sale 1: 12\.50 still due")
        m = re.search(r"sale 1 completed, card (\S+) RRN (\d{12}) AUTH (\S+)", out)
        self.assertIsNotNone(m, out)
        pan_m, rrn, auth = m.groups()
        self.assertRegex(pan_m, MASKED)

        # the customer's receipt and the merchant copy, each with the slip
        cust = out[out.index("CUSTOMER COPY"):out.index("== the merchant copy")]
        merch = out[out.index("MERCHANT COPY"):]
        for text in (cust, merch):
            self.assertEqual(slip_value(text, "MERCHANT ID 商户号"), "898310048990001")
            self.assertEqual(slip_value(text, "TERMINAL ID 终端号"), "DEMO0001")
            self.assertEqual(slip_value(text, "CARD NO. 卡号"), pan_m)
            self.assertEqual(slip_value(text, "REF. NO. 参考号"), rrn)
            self.assertEqual(slip_value(text, "AUTH NO. 授权码"), auth)
            self.assertEqual(slip_value(text, "BATCH NO. 批次号"), "000001")
            self.assertRegex(slip_value(text, "TRACE NO. 凭证号") or "", r"^\d{6}$")
            self.assertRegex(text, r"ENTRY 输入方式\s+SWIPE 刷卡")
            self.assertRegex(text, r"TOTAL 合计\s+CNY 32\.50")
            self.assertRegex(text, r"CASH 现金\s+20\.00")
            self.assertRegex(text, r"CARD 银行卡 %s\s+12\.50" % re.escape(pan_m))
        self.assertNotIn("持卡人签名", cust)
        self.assertIn("持卡人签名", merch)
        self.assertNotIn("REPRINT", out)

        # the slip is the host's own record of that payment
        txns = self.admin(demo, "txns", "--terminal", "DEMO0001", "--limit", "100")
        buys = [t for t in txns if t["kind"] == "purchase"]
        self.assertEqual(len(buys), 1, txns)
        self.assertEqual((buys[0]["rc"], buys[0]["rrn"], buys[0]["auth_code"], buys[0]["pan"],
                          buys[0]["amount"], buys[0]["reversed"]),
                         ("00", rrn, auth, pan_m, "12.50", False))
        trace = slip_value(cust, "TRACE NO. 凭证号")
        self.assertEqual(buys[0]["stan"], trace)

        # settled, balanced; the books sound by the host's own check
        st = [json.loads(line) for line in out.splitlines() if line.startswith('{"batch":')]
        self.assertEqual(len(st), 1, out)
        self.assertEqual((st[0]["balanced"], st[0]["debit_count"], st[0]["debit_amount"]),
                         (True, 1, "12.50"))
        self.assertIn("\nbooks sound\n", out)
        check = self.admin(demo, "check")
        self.assertIs(check["sound"], True, check)
        self.assertEqual(check["unbalanced_txns"], 0)

        # the stock moved by what was sold
        with sqlite3.connect(os.path.join(demo, "terminal.db")) as c:
            qty = dict(c.execute("SELECT sku, qty FROM items").fetchall())
        self.assertEqual((qty["1001"], qty["1002"], qty["1003"], qty["1004"]),
                         (45000, 23750, 29000, 24000))

        # no card secret in clear: every card is shown masked (three issued);
        # its clear form (same BIN, same last four, same length) appears
        # nowhere: not in the output, nor the demo's databases and logs
        masked = set(MASKED.findall(out))
        self.assertEqual(len(masked), 3, masked)
        self.assertFalse(os.path.exists(os.path.join(demo, "load", "cards.jsonl")))
        hay = [("stdout", out.encode()), ("stderr", err.encode())]
        files = (glob.glob(os.path.join(demo, "terminal.db*")) +
                 glob.glob(os.path.join(demo, "host.db*")) +
                 [os.path.join(demo, "posd.log"), os.path.join(demo, "posd.out")])
        for path in files:
            with open(path, "rb") as f:
                hay.append((os.path.basename(path), f.read()))
        self.assertGreaterEqual(len(hay), 5)
        for bin6, stars, last4 in masked:
            clear = re.compile(("%s[0-9]{%d}%s" % (bin6, len(stars), last4)).encode())
            for label, data in hay:
                self.assertIsNone(clear.search(data),
                                  "a clear PAN %s... in %s" % (bin6, label))
        self.assertIsNone(re.search(r"\d{13,19}[=D]\d{4}", out), "track 2 data in the output")

    def fake_build(self, posd=None, pos_script=None):
        """A build directory with the real binaries linked in, or scripts."""
        b = os.path.join(self.tmp, "build")
        os.makedirs(b)
        for name, script in (("pos", pos_script), ("posd", posd)):
            path = os.path.join(b, name)
            if script is None:
                os.symlink(os.path.join(BUILD, name), path)
            elif script != "missing":
                with open(path, "w") as f:
                    f.write("#!/bin/sh\n" + script)
                os.chmod(path, stat.S_IRWXU)
        return b

    def assertDemoFailed(self, p, message):
        err = p.stderr.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 1, err)
        lines = err.rstrip("\n").split("\n")
        self.assertEqual(len(lines), 1, err)
        self.assertTrue(lines[0].startswith("make run: "), err)
        self.assertIn(message, lines[0])
        self.assertNotIn("posd stopped cleanly", p.stdout.decode("utf-8"))

    def test_no_posd(self):
        b = self.fake_build(posd="missing")
        self.assertDemoFailed(run_demo(b, os.path.join(self.tmp, "demo"), 60),
                              "posd is not built in %s" % b)

    def test_posd_does_not_start(self):
        b = self.fake_build(posd="echo 'posd: --db: cannot open' >&2; exit 3\n")
        self.assertDemoFailed(run_demo(b, os.path.join(self.tmp, "demo"), 60),
                              "posd did not start")

    def test_failed_step_stops_posd(self):
        # the card payment fails: the demo names the step and stops posd
        b = self.fake_build(pos_script=(
            'case "$*" in *"sale pay"*"--card"*) echo "pos: sale pay: card declined:'
            ' response code 51; sale 1 still open" >&2; exit 1;; esac\n'
            'exec "%s" "$@"\n' % os.path.abspath(POS_BIN)))
        p = run_demo(b, os.path.join(self.tmp, "demo"))
        self.assertDemoFailed(p, "pos sale pay --card: exit 1: pos: sale pay: card declined")
        m = re.search(r"posd pid (\d+) listening", p.stdout.decode("utf-8"))
        self.assertIsNotNone(m)
        pid = int(m.group(1))
        for _ in range(100):  # an orphan would be reaped by init: give it a moment
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            os.kill(pid, 9)
            self.fail("posd (pid %d) was left running" % pid)


if __name__ == "__main__":
    main()
