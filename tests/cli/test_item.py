"""pos item / pos stock: the terminal catalog and stock from the command line."""
import os
import sqlite3
import tempfile

from clitest import CliTestCase, main, pos


class ItemTest(CliTestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.db = os.path.join(self.tmp.name, "t.db")

    def tearDown(self):
        self.tmp.cleanup()

    def p(self, *args, **kw):
        return pos(*args, "--db", self.db, **kw)

    def count(self, table):
        with sqlite3.connect(self.db) as c:
            return c.execute("SELECT COUNT(*) FROM " + table).fetchone()[0]

    def add_apple(self):
        return self.assertOk(self.p("item", "add", "--sku", "A1", "--name", "Apple Juice",
                                    "--price", "12.34", "--barcode", "4006381333931",
                                    "--tax-bps", "1300", "--category", "drinks", "--json"))

    def test_add_show_find(self):
        j = self.add_apple().json()
        self.assertEqual(j["sku"], "A1")
        self.assertEqual(j["price"], "12.34")
        self.assertEqual(j["currency"], "CNY")
        self.assertEqual(j["tax_bps"], 1300)
        self.assertEqual(j["barcodes"], ["4006381333931"])
        self.assertEqual(j["qty"], "0")
        j = self.assertOk(self.p("item", "find", "4006381333931", "--json")).json()
        self.assertEqual(j["sku"], "A1")
        j = self.assertOk(self.p("item", "find", "--name", "APP", "--json")).json()
        self.assertEqual([i["sku"] for i in j], ["A1"])
        r = self.assertOk(self.p("item", "list"))
        self.assertIn("Apple Juice", r.text)
        self.assertIn("SKU", r.text)  # a table header
        j = self.assertOk(self.p("item", "list", "--category", "none", "--json")).json()
        self.assertEqual(j, [])

    def test_env_db(self):
        self.assertOk(pos("item", "add", "--sku", "E", "--name", "e", "--price", "1",
                          env={"POS_DB": self.db}))
        self.assertEqual(self.count("items"), 1)

    def test_bad_input_changes_nothing(self):
        self.add_apple()
        self.assertFailed(self.p("item", "add", "--sku", "A1", "--name", "x", "--price", "1"),
                          "already exists")
        self.assertFailed(self.p("item", "add", "--sku", "A2", "--name", "x", "--price", "1",
                                 "--barcode", "4006381333931"), "already belongs")
        self.assertUsage(self.p("item", "add", "--sku", "A2", "--name", "x", "--price", "1",
                                "--barcode", "4006381333932"), "check digit")
        self.assertUsage(self.p("item", "add", "--sku", "A2", "--name", "x", "--price", "1.234"),
                         "price")
        self.assertUsage(self.p("item", "add", "--sku", "A2", "--name", "x", "--price", "-1"),
                         "negative")
        self.assertUsage(self.p("item", "add", "--sku", "A2", "--name", "x", "--price", "abc"))
        self.assertUsage(self.p("item", "add", "--sku", "A2", "--name", "x", "--price", "1",
                                "--tax-bps", "20000"), "tax-bps")
        self.assertUsage(self.p("item", "add", "--sku", "A2", "--name", "x"), "required")
        self.assertUsage(self.p("item", "add", "--bogus", "1"), "unknown option")
        self.assertUsage(self.p("item", "frobnicate"), "unknown subcommand")
        self.assertFailed(self.p("item", "edit", "NOPE", "--price", "1"), "no item")
        self.assertFailed(self.p("item", "find", "73513537"), "no item")
        self.assertEqual(self.count("items"), 1)
        self.assertEqual(self.count("barcodes"), 1)

    def test_edit_deactivate(self):
        self.add_apple()
        j = self.assertOk(self.p("item", "edit", "A1", "--price", "13", "--barcode", "73513537",
                                 "--json")).json()
        self.assertEqual(j["price"], "13.00")
        self.assertEqual(j["barcodes"], ["73513537"])
        j = self.assertOk(self.p("item", "deactivate", "A1", "--json")).json()
        self.assertFalse(j["active"])
        self.assertEqual(self.assertOk(self.p("item", "list", "--json")).json(), [])
        self.assertEqual(len(self.assertOk(self.p("item", "list", "--all", "--json")).json()), 1)

    def test_weight_label(self):
        self.assertOk(self.p("item", "add", "--sku", "BAN", "--name", "Bananas", "--price",
                             "5.98", "--unit", "kg", "--plu", "123"))
        # 21 00123 01250 3: 1.250 kg of item 123 (check digit computed per GS1)
        digits = "210012301250"
        s = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(digits)))
        code = digits + str((10 - s % 10) % 10)
        j = self.assertOk(self.p("item", "find", code, "--json")).json()
        self.assertEqual(j["sku"], "BAN")
        self.assertEqual(j["scan"]["qty"], "1.25")

    def test_import_export(self):
        csv = os.path.join(self.tmp.name, "in.csv")
        with open(csv, "w", newline="") as f:
            f.write('sku,name,price,barcodes,category,reorder_level\r\n'
                    'C1,"Tea, ""green""",8.80,4006381333931;73513537,tea,2\r\n'
                    'C2,"two\nlines",1,,,\r\n')
        j = self.assertOk(self.p("item", "import", csv, "--json")).json()
        self.assertEqual(j["imported"], 2)
        out = os.path.join(self.tmp.name, "out.csv")
        self.assertOk(self.p("item", "export", out))
        with open(out) as f:
            text = f.read()
        self.assertIn('"Tea, ""green"""', text)
        r = self.assertOk(self.p("item", "export"))
        self.assertTrue(r.text.startswith("sku,name,price"))
        # a bad line: nothing imported, the error names line and column
        with open(csv, "w") as f:
            f.write("sku,name,price\nD1,ok,1\nD2,bad,1.234\n")
        self.assertUsage(self.p("item", "import", csv), "line 3, column 3", "nothing imported")
        self.assertEqual(self.count("items"), 2)
        with open(csv, "w") as f:
            f.write("sku,name,price,barcodes\nD1,dup,1,73513537\n")
        self.assertFailed(self.p("item", "import", csv), "line 2", "already belongs")
        self.assertEqual(self.count("items"), 2)
        self.assertFailed(self.p("item", "import", os.path.join(self.tmp.name, "missing.csv")),
                          "cannot open")

    def test_stock(self):
        self.add_apple()
        self.assertOk(self.p("item", "edit", "A1", "--reorder-level", "5"))
        j = self.assertOk(self.p("stock", "receive", "A1", "10", "--ref", "DN-1", "--json")).json()
        self.assertEqual(j["qty"], "10")
        j = self.assertOk(self.p("stock", "adjust", "A1", "-2", "--reason", "broken",
                                 "--json")).json()
        self.assertEqual(j["change"], "-2")
        self.assertEqual(j["qty"], "8")
        j = self.assertOk(self.p("stock", "count", "A1", "4.5", "--json")).json()
        self.assertEqual(j["change"], "-3.5")
        j = self.assertOk(self.p("stock", "show", "A1", "--json")).json()
        self.assertEqual(j["qty"], "4.5")
        self.assertEqual([m["kind"] for m in j["moves"]], ["count", "adjust", "receive"])
        j = self.assertOk(self.p("stock", "low", "--json")).json()
        self.assertEqual([i["sku"] for i in j], ["A1"])
        self.assertOk(self.p("stock", "check"))
        # refusals change nothing
        self.assertFailed(self.p("stock", "adjust", "A1", "-20", "--reason", "x"), "only 4.5")
        self.assertUsage(self.p("stock", "adjust", "A1", "-1"), "reason")
        self.assertUsage(self.p("stock", "receive", "A1", "-1"), "greater than zero")
        self.assertUsage(self.p("stock", "receive", "A1", "99999999999"), "out of range")
        self.assertUsage(self.p("stock", "receive", "A1", "1.0001"))
        self.assertUsage(self.p("stock", "receive", "A1", "ten"), "not a quantity")
        self.assertFailed(self.p("stock", "receive", "NOPE", "1"), "no item")
        self.assertUsage(self.p("stock", "sale", "A1", "1"), "unknown subcommand")
        self.assertEqual(self.count("stock_moves"), 3)
        # a tampered cached quantity is caught
        with sqlite3.connect(self.db) as c:
            c.execute("UPDATE items SET qty = qty + 1")
        self.assertFailed(self.p("stock", "check"), "not the sum")


if __name__ == "__main__":
    main()
