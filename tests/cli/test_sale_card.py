"""pos sale pay --card / cancel / void / refund against a real posd
(docs/sales.md). Reuses the host set-up of test_pay.py (pos admin, posd,
a provisioned terminal); adds a catalog, staff and a shift to the same
terminal database."""
import sqlite3

from clitest import CliTestCase, main
import test_pay

TP = test_pay.TestPay


class SaleCardTest(CliTestCase):
    setUp0 = TP.setUp
    tearDown = TP.tearDown
    admin, admin_ok, term, start_posd, stop_posd = TP.admin, TP.admin_ok, TP.term, TP.start_posd, TP.stop_posd
    balance, status, assertBooks, assertNoSecrets = TP.balance, TP.status, TP.assertBooks, TP.assertNoSecrets

    def setUp(self):
        self.setUp0()
        try:
            self.setUp1()
        except BaseException:
            self.tearDown()  # unittest calls no tearDown after a failed setUp
            raise

    def setUp1(self):
        self.assertOk(self.term("employee", "list", lmk=False))
        with sqlite3.connect(self.tdb) as c:
            c.execute("INSERT INTO settings VALUES ('staff.pin_iterations', '1000', 0)")
        self.assertOk(self.t("employee", "add", "--number", "3", "--name", "Zhang Wei",
                             "--role", "cashier", "--pin", "2468"))
        self.assertOk(self.t("employee", "add", "--number", "2", "--name", "Li Na",
                             "--role", "supervisor", "--pin", "564738"))
        self.assertOk(self.t("item", "add", "--sku", "A1", "--name", "Apple Juice", "--price",
                             "12.34", "--tax-bps", "1300"))
        self.assertOk(self.t("item", "add", "--sku", "B2", "--name", "Bread", "--price", "5.00"))
        self.assertOk(self.t("stock", "receive", "A1", "10"))
        self.assertOk(self.t("stock", "receive", "B2", "1"))
        self.assertOk(self.t("shift", "open", "--employee", "3", "--pin", "2468", "--float",
                             "200"))

    def t(self, *args):
        # the LMK only where a payment may be made (the others refuse --lmk)
        pays = args[0] == "settle" or args[:2] in [("sale", k) for k in
                                                   ("pay", "cancel", "void", "refund")]
        return self.term(*args, lmk=pays)

    def sup(self, pin="564738"):
        return ["--supervisor", "2", "--supervisor-pin", pin]

    def q(self, sql):
        with sqlite3.connect(self.tdb) as c:
            return c.execute(sql).fetchall()

    def sale(self, *items):
        s = str(self.assertOk(self.t("sale", "open", "--employee", "3", "--pin", "2468",
                                     "--json")).json()["sale"])
        for sku, qty in items:
            self.assertOk(self.t("sale", "add", s, sku, "--qty", qty))
        return s

    def pay_card(self, s, *extra, pin="123456"):
        return self.t("sale", "pay", s, "--card", "--track2", self.card["track2"], "--pin", pin,
                      "--json", *extra)

    def show(self, s):
        return self.assertOk(self.t("sale", "show", s, "--json")).json()

    def stock(self, sku):
        return self.q("SELECT qty FROM items WHERE sku = '%s'" % sku)[0][0]

    def test_card_tender_receipt_void(self):
        s = self.sale(("A1", "2"))
        j = self.assertOk(self.pay_card(s)).json()
        self.assertTrue(j["completed"])
        self.assertEqual(j["amount"], "24.68")
        self.assertEqual(len(j["rrn"]), 12)
        self.assertEqual(self.balance(), "75.32")
        self.assertEqual(self.stock("A1"), 8000)
        t = self.show(s)["tenders"][0]
        self.assertEqual(t["kind"], "card")
        self.assertIn(j["rrn"], t["reference"])
        self.assertIn(j["auth"], t["reference"])
        rec = self.assertOk(self.t("sale", "receipt", s))
        self.assertNotIn(self.card["pan"], rec.text)
        # void: a wrong supervisor PIN first changes nothing
        self.assertFailed(self.t("sale", "void", s, *self.sup("000000")))
        self.assertEqual(self.balance(), "75.32")
        v = self.assertOk(self.t("sale", "void", s, *self.sup(), "--json")).json()
        self.assertEqual(v["card"], "24.68")
        self.assertEqual(self.balance(), "100.00")
        self.assertEqual(self.stock("A1"), 10000)
        self.assertFailed(self.t("sale", "void", s, *self.sup()), "already voided")
        # the void's receipt: type VOID, the card masked, the void's own RRN
        vr = self.assertOk(self.t("sale", "receipt", "--return", str(v["return"]))).text
        vrow = self.q("SELECT rrn FROM pay_journal WHERE kind = 'void' AND status = 'approved'")
        self.assertEqual(len(vrow), 1)
        for want in ["VOID", self.card["pan_masked"], vrow[0][0], "CUSTOMER COPY",
                     "Return %d of sale %s" % (v["return"], s), "24.68", "Apple Juice"]:
            self.assertIn(want, vr)
        self.assertNotIn(self.card["pan"], vr)
        self.assertNotIn("REPRINT", vr)
        self.assertIn("REPRINT", self.assertOk(
            self.t("sale", "receipt", "--return", str(v["return"]))).text)
        self.assertFailed(self.t("sale", "receipt", "--return", "999"), "no return 999")
        self.assertUsage(self.t("sale", "receipt", s, "--return", str(v["return"])))
        self.assertBooks()
        self.assertNoSecrets()

    def test_split_cash_card_and_decline(self):
        s = self.sale(("A1", "1"))
        self.assertOk(self.t("sale", "pay", s, "--cash", "2.34"))
        r = self.pay_card(s, "--amount", "500.00")
        self.assertUsage(r, "at most the amount due")
        r = self.pay_card(s, pin="999999")
        self.assertFailed(r, "55")
        self.assertEqual(self.show(s)["status"], "open")
        j = self.assertOk(self.pay_card(s)).json()
        self.assertTrue(j["completed"])
        self.assertEqual(j["amount"], "10.00")
        self.assertEqual(self.balance(), "90.00")
        self.assertBooks()
        self.assertNoSecrets()

    def test_stock_refusal_moves_no_money(self):
        s = self.sale(("B2", "2"))
        self.assertFailed(self.pay_card(s), "stock")
        self.assertEqual(self.balance(), "100.00")
        self.assertEqual(self.status()["batch_count"], 0)

    def test_void_after_settle_refused_refund_instead(self):
        s = self.sale(("A1", "2"))
        self.assertOk(self.pay_card(s))
        self.assertOk(self.t("settle"))
        self.assertFailed(self.t("sale", "void", s, *self.sup()), "refund it instead")
        self.assertEqual(self.balance(), "75.32")
        # over-refund refused, nothing changes
        self.assertUsage(self.t("sale", "refund", s, "--line", "1", "--qty", "3", *self.sup()),
                         "left")
        r = self.assertOk(self.t("sale", "refund", s, "--line", "1", "--qty", "1", *self.sup(),
                                 "--json")).json()
        self.assertEqual(r["total"], "12.34")
        self.assertEqual(r["card"], "12.34")
        self.assertEqual(self.balance(), "87.66")
        self.assertEqual(self.stock("A1"), 9000)
        rr = self.assertOk(self.t("sale", "receipt", "--return", str(r["return"]), "--copy",
                                  "merchant")).text
        for want in ["REFUND", "MERCHANT COPY", self.card["pan_masked"], "12.34"]:
            self.assertIn(want, rr)
        r = self.assertOk(self.t("sale", "refund", s, *self.sup(), "--no-restock",
                                 "--json")).json()
        self.assertEqual(r["total"], "12.34")
        self.assertEqual(self.balance(), "100.00")
        self.assertEqual(self.stock("A1"), 9000)
        self.assertFailed(self.t("sale", "refund", s, *self.sup()), "nothing left")
        self.assertBooks()
        self.assertNoSecrets()

    def test_options_per_subcommand(self):
        s = self.sale(("A1", "1"))
        # an option another subcommand takes is refused, not ignored
        self.assertUsage(self.t("sale", "void", s, *self.sup(), "--no-restock"),
                         "--no-restock does not go with pos sale void")
        self.assertUsage(self.t("sale", "add", s, "A1", "--track2", self.card["track2"]),
                         "--track2")
        self.assertUsage(self.t("sale", "receipt", s, "--lmk", self.tlmk), "--lmk")
        self.assertEqual(len(self.show(s)["lines"]), 1)

    def test_refund_without_receipt_and_cancel(self):
        r = self.assertOk(self.t("sale", "refund", "--sku", "B2", *self.sup(), "--json")).json()
        self.assertEqual(r["cash"], "5.00")
        rr = self.assertOk(self.t("sale", "receipt", "--return", str(r["return"]))).text
        for want in ["REFUND", "without receipt", "Bread", "CASH"]:
            self.assertIn(want, rr)
        self.assertNotIn("CARD NO.", rr)
        self.assertEqual(self.stock("B2"), 2000)
        s = self.sale(("A1", "1"))
        self.assertOk(self.pay_card(s, "--amount", "2.00"))
        self.assertEqual(self.balance(), "98.00")
        self.assertOk(self.t("sale", "cancel", s))
        self.assertEqual(self.balance(), "100.00")
        self.assertEqual(self.show(s)["status"], "cancelled")
        self.assertBooks()


del TP

if __name__ == "__main__":
    main()
