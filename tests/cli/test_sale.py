"""pos sale / pos promo: the cashier's sale from the command line (docs/sales.md)."""
import os
import sqlite3
import tempfile

from clitest import CliTestCase, main, pos


class SaleTest(CliTestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.db = os.path.join(self.tmp.name, "t.db")
        self.assertOk(self.p("employee", "list"))
        with sqlite3.connect(self.db) as c:
            c.execute("INSERT INTO settings VALUES ('staff.pin_iterations', '1000', 0)")
            c.execute("INSERT INTO settings VALUES ('merchant.name', '街角小店', 0)")
        self.assertOk(self.p("employee", "add", "--number", "3", "--name", "Zhang Wei",
                             "--role", "cashier", "--pin", "2468"))
        self.assertOk(self.p("employee", "add", "--number", "2", "--name", "Li Na",
                             "--role", "supervisor", "--pin", "564738"))
        self.assertOk(self.p("item", "add", "--sku", "A1", "--name", "Apple Juice", "--price",
                             "12.34", "--barcode", "4006381333931", "--tax-bps", "1300",
                             "--category", "drinks"))
        self.assertOk(self.p("item", "add", "--sku", "W", "--name", "Beef", "--price", "25.80",
                             "--unit", "kg", "--plu", "123", "--tax-bps", "900"))
        self.assertOk(self.p("stock", "receive", "A1", "10"))
        self.assertOk(self.p("stock", "receive", "W", "5"))
        self.assertOk(self.p("shift", "open", "--employee", "3", "--pin", "2468", "--float", "200"))

    def tearDown(self):
        self.tmp.cleanup()

    def p(self, *args, **kw):
        return pos(*args, "--db", self.db, **kw)

    def q(self, sql):
        with sqlite3.connect(self.db) as c:
            return c.execute(sql).fetchall()

    def open_sale(self):
        j = self.assertOk(self.p("sale", "open", "--employee", "3", "--pin", "2468",
                                 "--json")).json()
        self.assertEqual(j["status"], "open")
        return str(j["sale"])

    def show(self, s):
        return self.assertOk(self.p("sale", "show", s, "--json")).json()

    def test_full_sale(self):
        s = self.open_sale()
        self.assertOk(self.p("sale", "add", s, "A1", "--qty", "2"))
        j = self.assertOk(self.p("sale", "add", s, "2100123012503", "--json")).json()
        self.assertEqual(j["lines"][1]["qty"], "1.25")
        self.assertEqual(j["lines"][1]["gross"], "32.25")
        self.assertEqual(j["total"], "56.93")      # 24.68 + 32.25
        self.assertEqual(j["due"], "56.93")
        self.assertEqual([t["rate_bps"] for t in j["taxes"]], [1300, 900])
        self.assertEqual(j["taxes"][0]["amount"], "2.84")  # 24.68 x 13 / 113 = 2.839
        r = self.assertOk(self.p("sale", "pay", s, "--cash", "50"))
        self.assertIn("6.93 still due", r.text)
        self.assertEqual(self.q("SELECT COUNT(*) FROM stock_moves WHERE kind='sale'")[0][0], 0)
        j = self.assertOk(self.p("sale", "pay", s, "--cash", "10", "--json")).json()
        self.assertTrue(j["completed"])
        self.assertEqual(j["change"], "3.07")
        self.assertEqual(self.q("SELECT status, paid, change_amount FROM sales"),
                         [("paid", 6000, 307)])
        self.assertEqual(self.q("SELECT qty FROM items ORDER BY sku"), [(8000,), (3750,)])
        self.assertOk(self.p("stock", "check"))
        r = self.assertOk(self.p("sale", "receipt", s, "--width", "32"))
        self.assertIn("街角小店", r.text)
        self.assertIn("Apple Juice", r.text)
        self.assertIn("3.07", r.text)
        r = self.assertOk(self.p("sale", "receipt", s, "--escpos"))
        self.assertTrue(r.out.startswith(b"\x1b@"))
        r = self.assertOk(self.p("sale", "receipt", s, "--gb18030"))
        self.assertIn("街角小店".encode("gb18030"), r.out)
        # a completed sale takes nothing more
        self.assertFailed(self.p("sale", "pay", s, "--cash", "1"), "paid")
        self.assertFailed(self.p("sale", "add", s, "A1"), "paid")
        self.assertFailed(self.p("sale", "cancel", s), "paid")

    def test_promotions(self):
        r = self.assertOk(self.p("promo", "add", "--name", "3 for 2", "--sku", "A1", "--buy", "2",
                                 "--get", "1", "--json")).json()
        pid = r["id"]
        self.assertOk(self.p("promo", "add", "--name", "drinks 10", "--category", "drinks",
                             "--percent", "10"))
        s = self.open_sale()
        j = self.assertOk(self.p("sale", "add", s, "4006381333931", "--json")).json()
        self.assertEqual(j["lines"][0]["promotion"]["name"], "drinks 10")
        self.assertEqual(j["total"], "11.11")  # 12.34 - 1.234 (1.23)
        self.assertOk(self.p("sale", "add", s, "A1"))
        j = self.assertOk(self.p("sale", "add", s, "A1", "--json")).json()
        self.assertEqual(len(j["lines"]), 1)
        self.assertEqual(j["lines"][0]["promotion"]["id"], pid)  # 12.34 beats 3.70
        self.assertEqual(j["total"], "24.68")
        j = self.assertOk(self.p("promo", "list", "--json")).json()
        self.assertEqual([p["kind"] for p in j], ["buy_get", "percent"])
        self.assertOk(self.p("promo", "disable", str(pid)))
        self.assertFailed(self.p("promo", "disable", "99"), "no promotion")
        self.assertEqual(len(self.assertOk(self.p("promo", "list", "--json")).json()), 1)
        self.assertEqual(len(self.assertOk(self.p("promo", "list", "--all", "--json")).json()), 2)
        self.assertOk(self.p("promo", "add", "--name", "bundle", "--sku", "A1", "--bundle", "2",
                             "--price", "20"))
        self.assertOk(self.p("promo", "add", "--name", "off", "--sku", "W", "--amount", "1"))
        self.assertFailed(self.p("promo", "add", "--name", "x", "--sku", "NOPE", "--percent",
                                 "5"), "NOPE")
        self.assertUsage(self.p("promo", "add", "--name", "x", "--sku", "A1", "--percent", "0"))
        self.assertUsage(self.p("promo", "add", "--name", "x", "--sku", "A1", "--percent", "101"))
        self.assertUsage(self.p("promo", "add", "--name", "x", "--sku", "A1", "--buy", "2"))
        self.assertUsage(self.p("promo", "add", "--name", "x", "--percent", "5"))
        self.assertUsage(self.p("promo", "add", "--name", "x", "--sku", "A1", "--bundle", "1",
                                "--price", "3"))
        self.assertUsage(self.p("promo", "frob"))

    def test_discounts(self):
        s = self.open_sale()
        self.assertOk(self.p("sale", "add", s, "A1", "--qty", "10"))  # 123.40
        j = self.assertOk(self.p("sale", "discount", s, "--line", "1", "--percent", "5",
                                 "--json")).json()
        self.assertEqual(j["total"], "117.23")  # 6.17 off
        before = self.q("SELECT * FROM sale_discounts")
        self.assertFailed(self.p("sale", "discount", s, "--percent", "10"), "supervisor")
        self.assertFailed(self.p("sale", "discount", s, "--amount", "7"), "supervisor")
        r = self.assertFailed(self.p("sale", "discount", s, "--percent", "10", "--supervisor",
                                     "2", "--supervisor-pin", "000000"))
        self.assertNotIn("000000", r.err)
        self.assertFailed(self.p("sale", "discount", s, "--percent", "10", "--supervisor", "3",
                                 "--supervisor-pin", "2468"), "may not")
        self.assertEqual(self.q("SELECT * FROM sale_discounts"), before)
        j = self.assertOk(self.p("sale", "discount", s, "--percent", "10", "--supervisor", "2",
                                 "--supervisor-pin", "564738", "--json")).json()
        self.assertEqual(j["total"], "105.51")  # 117.23 - 11.723
        self.assertUsage(self.p("sale", "discount", s, "--percent", "10", "--amount", "1"))
        self.assertUsage(self.p("sale", "discount", s))
        self.assertUsage(self.p("sale", "discount", s, "--percent", "abc"))
        self.assertUsage(self.p("sale", "discount", s, "--amount", "-1"))
        self.assertUsage(self.p("sale", "discount", s, "--line", "1", "--amount", "500",
                                "--supervisor", "2", "--supervisor-pin", "564738"))
        self.assertFailed(self.p("sale", "discount", s, "--line", "9", "--amount", "1"), "line 9")
        self.assertUsage(self.p("sale", "discount", s, "--percent", "1", "--supervisor", "2"))
        # price override
        self.assertFailed(self.p("sale", "price", s, "1", "10"), "supervisor")
        j = self.assertOk(self.p("sale", "price", s, "1", "10", "--supervisor", "2",
                                 "--supervisor-pin", "564738", "--json")).json()
        self.assertEqual(j["lines"][0]["unit_price"], "10.00")
        self.assertTrue(j["lines"][0]["price_override"])

    def test_refusals_change_nothing(self):
        s = self.open_sale()
        self.assertFailed(self.p("sale", "open", "--employee", "3", "--pin", "1111"))
        self.assertUsage(self.p("sale", "open", "--employee", "3"), "--pin")
        self.assertFailed(self.p("sale", "add", s, "NOPE"), "NOPE")
        self.assertUsage(self.p("sale", "add", s, "A1", "--qty", "0"), "--qty")
        self.assertUsage(self.p("sale", "add", s, "A1", "--qty", "-1"), "--qty")
        self.assertUsage(self.p("sale", "add", s, "A1", "--qty", "1e9"), "--qty")
        self.assertUsage(self.p("sale", "add", s, "A1", "--qty", "100001"), "--qty")
        self.assertUsage(self.p("sale", "add", s, "A1", "--qty", "1.0001"), "--qty")
        self.assertUsage(self.p("sale", "add", s, "2100123012504"), "check digit")
        self.assertUsage(self.p("sale", "add", s))
        self.assertUsage(self.p("sale", "add", "x", "A1"), "SALE")
        self.assertFailed(self.p("sale", "add", "99", "A1"), "no sale 99")
        self.assertEqual(self.q("SELECT COUNT(*) FROM sale_lines")[0][0], 0)
        self.assertFailed(self.p("sale", "pay", s, "--cash", "1"), "no lines")
        self.assertOk(self.p("sale", "add", s, "A1", "--qty", "11"))  # 10 in stock
        self.assertUsage(self.p("sale", "pay", s, "--cash", "1.234"), "--cash")
        self.assertUsage(self.p("sale", "pay", s, "--cash", "0"))
        self.assertUsage(self.p("sale", "pay", s))
        self.assertFailed(self.p("sale", "pay", s, "--cash", "1000"), "stock")
        self.assertEqual(self.q("SELECT COUNT(*) FROM tenders")[0][0], 0)
        self.assertEqual(self.q("SELECT status FROM sales"), [("open",)])
        self.assertEqual(self.q("SELECT qty FROM items WHERE sku='A1'"), [(10000,)])
        self.assertOk(self.p("sale", "remove", s, "1"))
        self.assertFailed(self.p("sale", "remove", s, "1"), "no line 1")
        self.assertFailed(self.p("sale", "receipt", s), "only a paid sale")
        r = self.assertOk(self.p("sale", "cancel", s))
        self.assertIn("cancelled", r.text)
        self.assertFailed(self.p("sale", "pay", s, "--cash", "1"), "cancelled")
        self.assertUsage(self.p("sale", "receipt", s, "--width", "40"), "width")
        self.assertUsage(self.p("sale", "frob", s), "unknown subcommand")
        self.assertUsage(self.p("sale"))
        self.assertOk(self.p("sale", "--help"))
        # no shift: no sale
        self.assertOk(self.p("shift", "close", "--employee", "3", "--pin", "2468", "--counted",
                             "200"))
        self.assertFailed(self.p("sale", "open", "--employee", "3", "--pin", "2468"), "shift")

    def test_no_pin_in_database(self):
        s = self.open_sale()
        self.assertOk(self.p("sale", "add", s, "A1"))
        self.assertOk(self.p("sale", "discount", s, "--percent", "50", "--supervisor", "2",
                             "--supervisor-pin", "564738"))
        for name in os.listdir(self.tmp.name):
            with open(os.path.join(self.tmp.name, name), "rb") as f:
                self.assertNotIn(b"564738", f.read())


if __name__ == "__main__":
    main()
