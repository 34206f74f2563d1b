"""Bad input to a sale against a real posd: each gets a clear one-line
error or decline, the right exit code (DESIGN.md §6: 1 refused or
declined, 2 bad input) and leaves nothing half-recorded.

The host, posd and the provisioned terminal come from the Shop mixin of
test_day.py. After every bad command: the sale is still open with the same
lines, totals and tenders, no stock moved, no cardholder's balance moved,
no new approved (or pending) payment in the terminal's journal, no pending
reversal, and the host's books are sound.

Cards: "good" (money), "low" (1.00: declined 51), "blocked" (05),
"pinny" (wrong PINs: 55, then 75 once the tries are used up), "old" (its
expiry moved into the past in the host database, as if issued years ago
and now expired: 54).
"""
import sqlite3

from clitest import CliTestCase, main
from test_day import Shop, CASHIER, SUPERVISOR, MANAGER, amount, cents, emv_data, tlv

BCARDS = {"good": ("1000.00", "123456"), "low": ("1.00", "111111"),
          "blocked": ("500.00", "222222"), "pinny": ("500.00", "333333"),
          "old": ("500.00", "444444")}
BITEMS = {"B1": ("Tea", "3.50", 900, "food", 100), "B2": ("Soap", "7.25", 1300, "home", 100),
          "B3": ("Rice", "12.80", 900, "food", 100)}
CASHIER2 = ("4", "9753")


class SaleBadTest(CliTestCase, Shop):
    def setUp(self):
        self.shop_setup(BCARDS, BITEMS, timeout_ms=5000)
        self.addCleanup(self.shop_teardown)
        self.admin_ok("card", "block", "--card", self.cards["blocked"]["card_id"])
        self.assertOk(self.term("employee", "add", "--number", CASHIER2[0], "--name", "Zhao Lei",
                                "--role", "cashier", "--pin", CASHIER2[1]))
        self.assertOk(self.term("shift", "open", "--employee", CASHIER[0], "--pin", CASHIER[1],
                                "--float", "100.00"))

    # ---- what must not change ----
    def snap(self, s=None):
        st = self.status()
        return {
            "sale": self.show(s) if s is not None else None,
            "sales": self.q("SELECT id, status, total, paid FROM sales ORDER BY id"),
            "tenders": self.q("SELECT id, sale_id, kind, amount FROM tenders ORDER BY id"),
            "stock": {sku: self.stock(sku) for sku in BITEMS},
            "moves": self.q("SELECT COUNT(*) FROM stock_moves")[0][0],
            "balances": {n: self.balance(n) for n in BCARDS},
            "approved": self.q("SELECT COUNT(*) FROM pay_journal WHERE status IN ('approved',"
                               " 'offline', 'pending', 'voided')")[0][0],
            "reversals": st["pending_reversals"],
            "returns": self.q("SELECT COUNT(*) FROM returns")[0][0],
        }

    def assertSame(self, before, s=None):
        after = self.snap(s)
        for k in before:
            self.assertEqual(after[k], before[k], "%s changed" % k)
        self.assertBooks()

    def pay(self, s, name, how="swipe", pin=None, extra=()):
        c = self.cards[name]
        due = cents(self.show(s)["due"])
        a = self.card_args(name, how, due, pin=False)
        a += ["--pin", c["pin"] if pin is None else pin]
        return self.term("sale", "pay", s, "--card", "--json", *(a + list(extra)))

    def sale_with_cash(self):
        """An open sale of two lines with part of it paid in cash."""
        s = self.open_sale(("B1", "2"), ("B3", "1"))
        r = self.assertOk(self.term("sale", "pay", s, "--cash", "5.00", "--json")).json()
        self.assertFalse(r["completed"])
        return s

    # ---- the cart ----
    def test_bad_lines(self):
        s = self.open_sale(("B1", "1"))
        before = self.snap(s)
        self.assertFailed(self.term("sale", "add", s, "NOPE-42"), "NOPE-42")
        self.assertSame(before, s)
        for q in ["-1", "0", "0.000", "1e9", "1000000000", "100001", "100000.001", "1.0001",
                  "abc", "", "NaN", "inf", "1,5"]:
            self.assertUsage(self.term("sale", "add", s, "B2", "--qty", q), "--qty")
            self.assertSame(before, s)
        # the most a line takes is fine (100,000 units) but not with that stock
        self.assertOk(self.term("sale", "add", s, "B2", "--qty", "100000"))
        self.assertFailed(self.term("sale", "pay", s, "--cash", "1000000"), "stock")
        j = self.show(s)
        self.assertEqual((j["status"], j["tenders"]), ("open", []))
        self.assertEqual(self.stock("B2"), 100000)
        self.assertOk(self.term("sale", "remove", s, "2"))
        self.assertSame(before, s)
        # no sale, no line
        self.assertFailed(self.term("sale", "add", "999999", "B1"), "999999")
        self.assertFailed(self.term("sale", "remove", s, "7"))
        self.assertUsage(self.term("sale", "add", "-3", "B1"))
        self.assertSame(before, s)

    def test_discount_over_limit(self):
        s = self.open_sale(("B3", "2"))
        self.assertOk(self.term("sale", "discount", s, "--line", "1", "--percent", "5"))
        before = self.snap(s)
        for extra, why in (([], "needs a supervisor"),
                           (["--supervisor", SUPERVISOR[0], "--supervisor-pin", "000000"],
                            "wrong employee number or PIN"),
                           (["--supervisor", CASHIER2[0], "--supervisor-pin", CASHIER2[1]],
                            "may not"),
                           (["--supervisor", "77", "--supervisor-pin", "123456"],
                            "wrong employee number or PIN")):
            r = self.term("sale", "discount", s, "--percent", "20", *extra)
            self.assertFailed(r, why)
            self.assertNotIn("000000", r.err)
            self.assertSame(before, s)
        self.assertFailed(self.term("sale", "discount", s, "--amount", "5.00"), "supervisor")
        self.assertSame(before, s)
        # bad values: exit 2
        for extra in (["--percent", "0"], ["--percent", "101"], ["--percent", "-5"],
                      ["--percent", "2.555"], ["--amount", "0"], ["--amount", "1.001"],
                      ["--amount", "999.00", "--supervisor", SUPERVISOR[0], "--supervisor-pin",
                       SUPERVISOR[1]],
                      ["--percent", "5", "--supervisor", SUPERVISOR[0]]):
            self.assertUsage(self.term("sale", "discount", s, *extra))
            self.assertSame(before, s)
        # a wrong supervisor PIN counted: the supervisor's right PIN still works
        j = self.assertOk(self.term("sale", "discount", s, "--percent", "20", "--supervisor",
                                    SUPERVISOR[0], "--supervisor-pin", SUPERVISOR[1],
                                    "--json")).json()
        self.assertLess(cents(j["total"]), cents(before["sale"]["total"]))

    def test_wrong_pin_and_lockout(self):
        before = self.snap()
        num, pin = CASHIER2
        for i in range(5):  # docs/terminal-store.md: 5 wrong PINs lock for 15 minutes
            r = self.term("sale", "open", "--employee", num, "--pin", "0000")
            self.assertFailed(r)
            self.assertNotIn("0000", r.err.replace("pos: sale open", ""))
            self.assertSame(before)
        r = self.term("sale", "open", "--employee", num, "--pin", pin)
        self.assertFailed(r, "locked")
        self.assertSame(before)
        # an unknown employee: the same answer as a wrong PIN, nothing opened
        self.assertFailed(self.term("sale", "open", "--employee", "55", "--pin", "1234"))
        # a PIN too short to be one: the same answer as a wrong PIN
        self.assertFailed(self.term("sale", "open", "--employee", "3", "--pin", "12"))
        self.assertUsage(self.term("sale", "open", "--employee", "abc", "--pin", pin))
        self.assertSame(before)
        # a manager unlocks; the right PIN works again
        self.assertFailed(self.term("employee", "unlock", num, "--manager", SUPERVISOR[0],
                                    "--pin", SUPERVISOR[1]))
        self.assertOk(self.term("employee", "unlock", num, "--manager", MANAGER[0], "--pin",
                                MANAGER[1]))
        self.assertOk(self.term("sale", "open", "--employee", num, "--pin", pin))

    # ---- cards ----
    def test_declined_cards(self):
        s = self.sale_with_cash()
        before = self.snap(s)
        stan0 = self.status()["stan"]
        r = self.pay(s, "low")
        self.assertFailed(r, "51", "sale %s still open" % s)
        self.assertSame(before, s)
        r = self.pay(s, "blocked")
        self.assertFailed(r, "05")
        self.assertSame(before, s)
        declined = self.q("SELECT status, rc FROM pay_journal WHERE sale_id = ? ORDER BY id", s)
        self.assertEqual(declined, [("declined", "51"), ("declined", "05")])
        self.assertGreater(self.status()["stan"], stan0)
        # the sale is still good: the right card pays what is due
        j = self.assertOk(self.pay(s, "good")).json()
        self.assertTrue(j["completed"])

    def test_expired_card(self):
        s = self.sale_with_cash()
        before = self.snap(s)
        c = self.cards["good"]
        # key entry with a past expiry: refused by the terminal (2) or the host (54)
        for past in ["2001", "1912", "0001"]:
            r = self.term("sale", "pay", s, "--card", "--pan", c["pan"], "--expiry", past,
                          "--pin", c["pin"])
            if r.rc == 2:
                self.assertUsage(r, "expir")
            else:
                self.assertFailed(r, "54")
            self.assertSame(before, s)
        # the wrong form of an expiry never leaves the terminal
        stan = self.status()["stan"]
        for bad in ["29", "29123", "ab12", ""]:
            self.assertUsage(self.term("sale", "pay", s, "--card", "--pan", c["pan"],
                                       "--expiry", bad, "--pin", c["pin"]), "expiry")
            self.assertSame(before, s)
        self.assertEqual(self.status()["stan"], stan)
        # a card that really expired: its expiry moved into the past at the host
        with sqlite3.connect(self.hdb, timeout=10) as h:
            h.execute("UPDATE cards SET expiry = '2401' WHERE id = ?",
                      (self.cards["old"]["card_id"],))
        h.close()
        o = self.cards["old"]
        r = self.term("sale", "pay", s, "--card", "--pan", o["pan"], "--expiry", "2401",
                      "--pin", o["pin"])
        if r.rc == 2:
            self.assertUsage(r, "expir")
        else:
            self.assertFailed(r, "54")
            self.assertIn("card expired",
                          [t["reason"] for t in self.host_txns() if t["rc"] == "54"])
        self.assertSame(before, s)
        # the same card swiped (its track says the old expiry too): 54
        t2 = o["track2"].split("=")
        r = self.term("sale", "pay", s, "--card", "--track2", t2[0] + "=2401" + t2[1][4:],
                      "--pin", o["pin"])
        if r.rc == 2:
            self.assertUsage(r, "expir")
        else:
            self.assertFailed(r, "54")
        self.assertSame(before, s)

    def test_keyed_expiry_month_is_checked(self):
        s = self.sale_with_cash()
        before = self.snap(s)
        c = self.cards["good"]
        stan = self.status()["stan"]
        for bad in ["2913", "2900"]:
            r = self.term("sale", "pay", s, "--card", "--pan", c["pan"], "--expiry", bad,
                          "--pin", c["pin"])
            self.assertSame(before, s)
            self.assertUsage(r, "expiry")
        self.assertEqual(self.status()["stan"], stan)

    def test_wrong_card_pin(self):
        s = self.sale_with_cash()
        before = self.snap(s)
        # docs/host.md: a wrong PIN counts a try (limit 3), the last allowed try answers 75
        for want in ["55", "55", "75"]:
            r = self.pay(s, "pinny", pin="999999")
            self.assertFailed(r, want)
            self.assertNotIn("999999", r.err)
            self.assertSame(before, s)
        # tries used up: even the right PIN is refused
        self.assertFailed(self.pay(s, "pinny"), "75")
        self.assertSame(before, s)
        # no PIN for a card whose service code wants one: 55
        c = self.cards["good"]
        self.assertFailed(self.term("sale", "pay", s, "--card", "--track2", c["track2"]), "55")
        self.assertSame(before, s)
        # a PIN of the wrong form: bad input, nothing changes
        for pin in ["12", "1234567890123", "12a4"]:
            r = self.pay(s, "good", pin=pin)
            self.assertUsage(r, "PIN")
            self.assertNotIn(pin, r.err.replace("PIN must be 4 to 12", ""))
            self.assertSame(before, s)
        # a reset at the host gives the card back its tries
        self.admin_ok("card", "pin-reset", "--card", self.cards["pinny"]["card_id"], "--pin",
                      "333333")
        self.assertTrue(self.assertOk(self.pay(s, "pinny")).json()["completed"])

    def test_bad_card_pin_is_not_sent(self):
        s = self.sale_with_cash()
        stan = self.status()["stan"]
        self.assertUsage(self.pay(s, "good", pin="12"), "PIN")
        # docs/payments.md: exit 2, "and then nothing was sent and nothing changed"
        self.assertEqual(self.status()["stan"], stan)

    def test_card_amount_over_due(self):
        s = self.sale_with_cash()
        before = self.snap(s)
        due = cents(before["sale"]["due"])
        stan = self.status()["stan"]
        for a in [amount(due + 1), "1000000.00"]:
            r = self.pay(s, "good", extra=["--amount", a])
            # the existing contract (tests/cli/test_sale_card.py) is exit 2;
            # docs/sales.md lists "a card tender over the amount due" under 1
            self.assertUsage(r, "at most the amount due")
            self.assertSame(before, s)
        for a in ["0", "-1", "1.001", "abc"]:
            self.assertUsage(self.pay(s, "good", extra=["--amount", a]))
            self.assertSame(before, s)
        self.assertEqual(self.status()["stan"], stan)  # nothing was sent

    def test_bad_chip_data(self):
        s = self.sale_with_cash()
        before = self.snap(s)
        c = self.cards["good"]
        stan = self.status()["stan"]
        due = cents(before["sale"]["due"])
        good = emv_data(c, due)
        no57 = good[good.index("5A"):]  # every tag but 57
        self.assertTrue(good.startswith("57"))
        for emv, why in [("ZZ", "--emv"), ("5", "--emv"), ("", "--emv"), ("G1" * 10, "--emv"),
                         (no57, "57"), (tlv("9F26", "1C2D3E4F50617283"), "57"),
                         ("57", "57"), ("5710" + "AB" * 4, "57"), ("57FF", "57"),
                         (tlv("57", "ABCDEF"), "57")]:
            r = self.term("sale", "pay", s, "--card", "--emv", emv, "--pin", c["pin"])
            self.assertUsage(r, why)
            self.assertNotIn(c["pan"], r.err)
            self.assertSame(before, s)
        self.assertEqual(self.status()["stan"], stan)  # nothing was sent
        # the same with the good chip data pays
        r = self.assertOk(self.term("sale", "pay", s, "--card", "--emv", good.lower(), "--pin",
                                    c["pin"], "--json")).json()
        self.assertTrue(r["completed"])

    # ---- after the sale ----
    def test_void_refund_refused(self):
        s = self.open_sale(("B1", "2"), ("B2", "1"))
        self.assertTrue(self.assertOk(self.pay(s, "good")).json()["completed"])
        paid = self.snap(s)
        sup = ["--supervisor", SUPERVISOR[0], "--supervisor-pin", SUPERVISOR[1]]
        # a cashier has neither right; a wrong supervisor PIN is refused too
        for who, why in ((["--supervisor", CASHIER[0], "--supervisor-pin", CASHIER[1]],
                          "may not"),
                         (["--supervisor", SUPERVISOR[0], "--supervisor-pin", "000000"],
                          "wrong employee number or PIN")):
            r = self.assertFailed(self.term("sale", "void", s, *who), why)
            self.assertNotIn("000000", r.err)
            self.assertSame(paid, s)
            self.assertFailed(self.term("sale", "refund", s, "--line", "1", *who), why)
            self.assertSame(paid, s)
        self.assertUsage(self.term("sale", "void", s), "--supervisor")  # no supervisor at all
        self.assertSame(paid, s)
        # more than was sold, or no such line: refused, nothing changes
        for line, code, why in ((["--line", "1", "--qty", "3"], 2, "left"),
                                (["--line", "1:2.001"], 2, "left"),
                                (["--line", "2:1.5"], 2, "left"),
                                (["--line", "1", "--line", "1"], 2, "twice"),
                                (["--line", "9"], 1, "no line 9")):
            self._assert_error(self.term("sale", "refund", s, *line, *sup), code, (why,))
            self.assertSame(paid, s)
        # a paid sale takes no more lines nor tenders
        self.assertFailed(self.term("sale", "add", s, "B1"), "is paid")
        self.assertFailed(self.term("sale", "pay", s, "--cash", "10"), "is paid")
        self.assertFailed(self.pay(s, "good"), "is paid")
        self.assertFailed(self.term("sale", "pay", "99999", "--cash", "10"), "no sale 99999")
        self.assertSame(paid, s)
        # after settlement a void is refused: refund it instead
        self.assertTrue(self.assertOk(self.term("settle", "--json")).json()["balanced"])
        paid = self.snap(s)
        self.assertFailed(self.term("sale", "void", s, *sup), "refund it instead")
        self.assertSame(paid, s)
        # a refund of what was sold still works, once
        r = self.assertOk(self.term("sale", "refund", s, "--line", "1", *sup, "--json")).json()
        self.assertEqual(r["card"], amount(2 * cents(BITEMS["B1"][1])))
        self.assertFailed(self.term("sale", "refund", s, "--line", "1", *sup))
        # an open sale is neither voided nor refunded
        o = self.open_sale(("B3", "1"))
        before = self.snap(o)
        self.assertFailed(self.term("sale", "void", o, *sup))
        self.assertFailed(self.term("sale", "refund", o, "--line", "1", *sup))
        self.assertSame(before, o)


if __name__ == "__main__":
    main()
