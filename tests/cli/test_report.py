"""pos report: X and Z reports, the reprint, the sales report in table, CSV and
JSON, and every bad input (docs/reports.md). Times are set in the database
after the sales so the periods are known; TZ=UTC for every run."""
import csv
import io
import os
import sqlite3
import tempfile

from clitest import CliTestCase, main, pos

T0 = 1714521600000  # 2024-05-01T00:00:00Z


def hm(h, m=0):
    return T0 + h * 3600000 + m * 60000


class ReportTest(CliTestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.db = os.path.join(self.tmp.name, "t.db")
        self.assertOk(self.p("employee", "list"))
        with sqlite3.connect(self.db) as c:
            c.execute("INSERT INTO settings VALUES ('staff.pin_iterations', '1000', 0)")
            c.execute("INSERT INTO settings VALUES ('stock.allow_negative', 'true', 0)")
        self.assertOk(self.p("employee", "add", "--number", "3", "--name", "Zhang Wei",
                             "--role", "cashier", "--pin", "2468"))
        self.assertOk(self.p("employee", "add", "--number", "2", "--name", "Li Na",
                             "--role", "supervisor", "--pin", "564738"))
        self.assertOk(self.p("item", "add", "--sku", "A1", "--name", "Apple Juice", "--price",
                             "12.34", "--tax-bps", "1300", "--category", "drinks"))
        self.assertOk(self.p("item", "add", "--sku", "C9", "--name", "Chips \"Hot\", salty",
                             "--price", "5.30", "--tax-bps", "600", "--category",
                             "snacks, salty"))
        self.assertOk(self.p("shift", "open", "--employee", "3", "--pin", "2468",
                             "--float", "200"))
        # sale 1: 2 x A1 = 24.68 (tax 2.84), cash 30 (change 5.32), 09:15
        self.sale([("A1", "2")], "30", hm(9, 15))
        # sale 2: A1 + C9 = 17.64 (tax 1.42 + 0.30), cash 20 (change 2.36), 13:40
        self.sale([("A1", None), ("C9", None)], "20", hm(13, 40))

    def tearDown(self):
        self.tmp.cleanup()

    def p(self, *args, **kw):
        return pos(*args, "--db", self.db, env={"TZ": "UTC"}, **kw)

    def q(self, sql, *params):
        with sqlite3.connect(self.db) as c:
            return c.execute(sql, params).fetchall()

    def sale(self, lines, cash, at):
        j = self.assertOk(self.p("sale", "open", "--employee", "3", "--pin", "2468",
                                 "--json")).json()
        s = str(j["sale"])
        for code, qty in lines:
            args = ["sale", "add", s, code] + (["--qty", qty] if qty else [])
            self.assertOk(self.p(*args))
        self.assertOk(self.p("sale", "pay", s, "--cash", cash))
        self.q("UPDATE sales SET opened_at = ?, closed_at = ? WHERE id = ?", at - 60000, at,
               int(s))
        return s

    def close_shift(self, counted="242.00"):
        self.assertOk(self.p("shift", "close", "--employee", "3", "--pin", "2468",
                             "--counted", counted))

    # ---- X ----------------------------------------------------------------

    def test_x(self):
        j = self.assertOk(self.p("report", "x", "--json")).json()
        self.assertEqual(j["type"], "x")
        self.assertEqual(j["sales"]["count"], 2)
        self.assertEqual(j["sales"]["total"], "42.32")
        self.assertEqual(j["tax"]["total"], "4.56")
        self.assertEqual(j["tenders"]["cash"]["net"], "42.32")
        self.assertEqual(j["tenders"]["card"]["net"], "0.00")
        self.assertEqual(j["net"], "42.32")
        self.assertEqual(j["cash"]["expected"], "242.32")
        self.assertEqual([h["hour"] for h in j["hours"]], [9, 13])
        self.assertEqual(j["employees"][0]["name"], "Zhang Wei")
        self.assertEqual(self.q("SELECT COUNT(*) FROM day_closes"), [(0,)])
        t = self.assertOk(self.p("report", "x")).text
        self.assertIn("X REPORT", t)
        self.assertIn("42.32", t)

    def test_x_refused(self):
        self.close_shift()
        self.assertFailed(self.p("report", "x"), "report x", "no shift is open")

    # ---- Z ----------------------------------------------------------------

    def test_z_and_reprint(self):
        self.assertFailed(self.p("report", "z", "--employee", "2", "--pin", "564738"),
                          "report z", "shift", "open")
        self.close_shift()
        self.assertFailed(self.p("report", "z", "--employee", "3", "--pin", "2468"),
                          "report z", "may not")
        self.assertFailed(self.p("report", "z", "--employee", "2", "--pin", "000000"),
                          "report z")
        self.assertEqual(self.q("SELECT COUNT(*) FROM day_closes"), [(0,)])
        z = self.assertOk(self.p("report", "z", "--employee", "2", "--pin", "-",
                                 "--json", stdin=b"564738\n")).json()
        self.assertEqual(z["id"], 1)
        self.assertIs(z["reprint"], False)
        self.assertEqual(z["sales"]["total"], "42.32")
        self.assertEqual(z["cash"]["counted"], "242.00")
        self.assertEqual(z["cash"]["difference"], "-0.32")
        self.assertEqual(z["closed_by"], {"number": 2, "name": "Li Na"})
        self.assertEqual(self.q("SELECT COUNT(*) FROM day_closes"), [(1,)])
        r = self.assertOk(self.p("report", "z", "--show", "1", "--json")).json()
        self.assertIs(r["reprint"], True)
        r["reprint"] = False
        self.assertEqual(r, z)
        self.assertEqual(self.assertOk(self.p("report", "z", "--show", "last",
                                              "--json")).json()["id"], 1)
        t = self.assertOk(self.p("report", "z", "--show", "1")).text
        self.assertIn("Z REPORT 1", t)
        self.assertIn("REPRINT", t)
        self.assertIn("difference -0.32", t)
        # the next Z has nothing in it
        z2 = self.assertOk(self.p("report", "z", "--employee", "2", "--pin", "564738",
                                  "--json")).json()
        self.assertEqual(z2["id"], 2)
        self.assertEqual(z2["sales"]["count"], 0)
        self.assertEqual(z2["from_ms"], z["to_ms"])
        self.assertFailed(self.p("report", "z", "--show", "9"), "report z", "no day close 9")

    def test_z_bad_input(self):
        self.assertUsage(self.p("report", "z"), "--employee is required")
        self.assertUsage(self.p("report", "z", "--employee", "x", "--pin", "1234"),
                         "--employee")
        self.assertUsage(self.p("report", "z", "--employee", "2"), "report z")
        self.assertUsage(self.p("report", "z", "--show", "abc"), "--show")
        self.assertUsage(self.p("report", "z", "--show", "0"), "--show")
        self.assertUsage(self.p("report", "z", "--show", "1", "--employee", "2"), "--show")
        self.assertUsage(self.p("report", "z", "--by", "item"), "--by does not apply")
        self.assertEqual(self.q("SELECT COUNT(*) FROM day_closes"), [(0,)])

    # ---- sales ------------------------------------------------------------

    def sales(self, *args):
        return self.p("report", "sales", "--from", "2024-05-01", "--to", "2024-05-01", *args)

    def test_sales_json(self):
        j = self.assertOk(self.sales("--by", "item", "--json")).json()
        self.assertEqual([r["key"] for r in j], ["A1", "C9", "total"])
        self.assertEqual(j[0], {"key": "A1", "name": "Apple Juice", "count": 2,
                                "quantity": "3", "gross": "37.02", "discounts": "0.00",
                                "tax": "4.26", "sales": "37.02", "refunds": "0.00",
                                "net": "37.02"})
        self.assertEqual(j[2]["sales"], "42.32")
        self.assertEqual(j[2]["tax"], "4.56")
        j = self.assertOk(self.sales("--by", "hour", "--format", "json")).json()
        self.assertEqual([(r["key"], r["count"], r["net"]) for r in j],
                         [("2024-05-01T09", 1, "24.68"), ("2024-05-01T13", 1, "17.64"),
                          ("total", 2, "42.32")])
        j = self.assertOk(self.sales("--by", "employee", "--json")).json()
        self.assertEqual((j[0]["key"], j[0]["name"], j[0]["count"]), ("3", "Zhang Wei", 2))
        j = self.assertOk(self.sales("--by", "tender", "--json")).json()
        self.assertEqual(j[0], {"key": "cash", "count": 2, "sales": "42.32", "refunds": "0.00",
                                "net": "42.32"})
        j = self.assertOk(self.sales("--by", "category", "--json")).json()
        self.assertEqual([r["key"] for r in j], ["drinks", "snacks, salty", "total"])
        # one hour only; the end is exclusive
        j = self.assertOk(self.p("report", "sales", "--from", "2024-05-01T13:00", "--to",
                                 "2024-05-01T13:40", "--by", "item", "--json")).json()
        self.assertEqual(j, [{"key": "total", "count": 0, "quantity": "0", "gross": "0.00",
                              "discounts": "0.00", "tax": "0.00", "sales": "0.00",
                              "refunds": "0.00", "net": "0.00"}])

    def test_sales_csv(self):
        r = self.assertOk(self.sales("--by", "item", "--format", "csv"))
        self.assertIn(b'"Chips ""Hot"", salty"', r.out)
        rows = list(csv.reader(io.StringIO(r.out.decode())))
        self.assertEqual(rows[0], ["key", "name", "count", "quantity", "gross", "discounts",
                                   "tax", "sales", "refunds", "net"])
        self.assertEqual(rows[2], ["C9", 'Chips "Hot", salty', "1", "1", "5.30", "0.00",
                                   "0.30", "5.30", "0.00", "5.30"])
        self.assertEqual(rows[3][0], "total")
        self.assertTrue(r.out.endswith(b"\r\n"))
        rows = list(csv.reader(io.StringIO(self.assertOk(
            self.sales("--by", "tender", "--format", "csv")).out.decode())))
        self.assertEqual(rows[1], ["cash", "", "2", "", "", "", "", "42.32", "0.00", "42.32"])

    def test_sales_table(self):
        t = self.assertOk(self.sales("--by", "item")).text
        lines = t.rstrip("\n").split("\n")
        self.assertEqual(len(lines), 4)
        self.assertTrue(lines[0].startswith("key"))
        self.assertTrue(lines[3].startswith("total"))
        # aligned: every line as wide as the header, the net column right-aligned
        self.assertEqual({len(x) for x in lines}, {len(lines[0])})
        self.assertTrue(lines[1].endswith("37.02"))

    def test_sales_refunds_subtracted(self):
        self.close_shift()
        emp = self.q("SELECT id FROM employees WHERE number = 3")[0][0]
        sup = self.q("SELECT id FROM employees WHERE number = 2")[0][0]
        with sqlite3.connect(self.db) as c:
            c.execute("INSERT INTO returns (id, kind, sale_id, employee_id, authorized_by,"
                      " shift_id, currency, total, tax_total, created_at) VALUES"
                      " (1, 'refund', 1, ?, ?, 1, 156, 1234, 142, ?)", (emp, sup, hm(16)))
            c.execute("INSERT INTO return_lines (return_id, item_id, sku, name, category,"
                      " qty, amount, tax) SELECT 1, id, sku, name, category, 1000, 1234, 142"
                      " FROM items WHERE sku = 'A1'")
            c.execute("INSERT INTO return_tenders (return_id, kind, amount, created_at)"
                      " VALUES (1, 'cash', 1234, ?)", (hm(16),))
        j = self.assertOk(self.sales("--by", "item", "--json")).json()
        self.assertEqual((j[0]["refunds"], j[0]["net"]), ("12.34", "24.68"))
        self.assertEqual((j[2]["refunds"], j[2]["net"]), ("12.34", "29.98"))
        j = self.assertOk(self.sales("--by", "hour", "--json")).json()
        self.assertEqual(j[2], {"key": "2024-05-01T16", "count": 0, "gross": "0.00",
                                "discounts": "0.00", "tax": "0.00", "sales": "0.00",
                                "refunds": "12.34", "net": "-12.34"})

    def test_sales_bad_input(self):
        s = ("report", "sales")
        self.assertUsage(self.p(*s, "--to", "2024-05-01", "--by", "item"), "--from is required")
        self.assertUsage(self.p(*s, "--from", "2024-05-01", "--by", "item"), "--to is required")
        self.assertUsage(self.p(*s, "--from", "2024-05-01", "--to", "2024-05-01"),
                         "--by is required")
        self.assertUsage(self.sales("--by", "sku"), "--by 'sku'")
        self.assertUsage(self.sales("--by", "item", "--format", "xml"), "--format 'xml'")
        for bad in ("2024-5-1", "01/05/2024", "2024-05-01 10:00", "tomorrow", ""):
            self.assertUsage(self.p(*s, "--from", bad, "--to", "2024-05-01", "--by", "item"),
                             "--from", "not a date")
        for bad in ("2024-02-30", "2024-13-01", "2024-05-01T25:00", "1969-01-01"):
            self.assertUsage(self.p(*s, "--from", "2024-05-01", "--to", bad, "--by", "item"),
                             "--to", "no such")
        self.assertUsage(self.p(*s, "--from", "2024-05-02", "--to", "2024-05-01", "--by",
                                "item"), "--from is not before --to")
        self.assertUsage(self.p(*s, "--from", "2024-05-01T10:00", "--to", "2024-05-01T09:00",
                                "--by", "item"), "not before")
        self.assertUsage(self.p(*s, "--from", "2024-05-01T10:00", "--to", "2024-05-01T10:00",
                                "--by", "item"), "not before")
        self.assertUsage(self.sales("--by", "item", "extra"), "unexpected argument")
        self.assertUsage(self.sales("--by", "item", "--employee", "2"), "does not apply")
        self.assertUsage(self.sales("--by", "item", "--nope"), "unknown option")

    def test_usage(self):
        self.assertUsage(self.p("report", "y"), "unknown subcommand")
        self.assertUsage(self.p("report", "x", "extra"), "unexpected argument")
        self.assertUsage(self.p("report", "x", "--from", "2024-05-01"), "does not apply")
        r = pos("report")
        self.assertEqual(r.rc, 2)
        r = pos("report", "--help")
        self.assertEqual(r.rc, 0)
        self.assertIn("pos report sales", r.text)
        self.assertIn("report", pos("--help").text)


if __name__ == "__main__":
    main()
