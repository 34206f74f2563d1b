"""pos money: ISO 4217 amounts, checked arithmetic and fees (docs/money.md)."""
from clitest import CliTestCase, main, pos


class TestMoney(CliTestCase):
    def test_parse_exponents(self):
        cases = [
            ("12.34", "CNY", 2, 1234, "12.34"),
            ("12.3", "cny", 2, 1230, "12.30"),
            ("-0.5", "CNY", 2, -50, "-0.50"),
            ("1234", "JPY", 0, 1234, "1234"),
            ("1.234", "KWD", 3, 1234, "1.234"),
            ("1.234", "414", 3, 1234, "1.234"),
            ("0.0001", "CLF", 4, 1, "0.0001"),
            ("92233720368547758.07", "CNY", 2, 9223372036854775807, "92233720368547758.07"),
        ]
        for text, cur, exp, minor, out in cases:
            with self.subTest(text=text, cur=cur):
                j = self.assertOk(pos("money", "parse", text, "--currency", cur)).json()
                self.assertEqual(j["exponent"], exp)
                self.assertEqual(j["minor"], minor)
                self.assertEqual(j["text"], out)
        j = self.assertOk(pos("money", "parse", "12.34", "--currency", "CNY")).json()
        self.assertEqual(j, {"currency": "CNY", "numeric": "156", "exponent": 2,
                             "minor": 1234, "text": "12.34"})

    def test_parse_refusals(self):
        cases = [
            ("12.345", "CNY", "value out of range", "offset 5"),
            ("1.5", "JPY", "value out of range", "JPY has 0 decimals"),
            ("1,000.00", "USD", "syntax error", "offset 1"),
            ("+1", "CNY", "syntax error", "offset 0"),
            ("abc", "CNY", "syntax error", "offset 0"),
            ("92233720368547758.08", "CNY", "arithmetic overflow", "offset 19"),
        ]
        for text, cur, why, where in cases:
            with self.subTest(text=text):
                self.assertUsage(pos("money", "parse", text, "--currency", cur), "money", why,
                                 where)
        self.assertUsage(pos("money", "parse", "1", "--currency", "ZZZ"), "money",
                         "not an ISO 4217 code")
        self.assertUsage(pos("money", "parse", "1", "--currency", "BGN"), "money", "ISO 4217")
        self.assertUsage(pos("money", "parse", "1"), "money", "--currency is required")

    def test_format_and_iso8583(self):
        j = self.assertOk(pos("money", "format", "-5", "--currency", "CNY")).json()
        self.assertEqual(j["text"], "-0.05")
        j = self.assertOk(pos("money", "format", "1234", "--currency", "BHD")).json()
        self.assertEqual(j["text"], "1.234")
        self.assertEqual(j["numeric"], "048")
        j = self.assertOk(pos("money", "iso8583", "12.34", "--currency", "CNY")).json()
        self.assertEqual(j["field4"], "000000001234")
        self.assertUsage(pos("money", "iso8583", "-1", "--currency", "CNY"), "money", "field 4")
        self.assertUsage(pos("money", "iso8583", "10000000000", "--currency", "CNY"), "money",
                         "field 4")
        self.assertUsage(pos("money", "format", "1.5", "--currency", "CNY"), "money", "integer")

    def test_fee_rounding(self):
        def fee(amount, bps, rounding=None, cur="CNY"):
            args = ["money", "fee", amount, "--bps", str(bps), "--currency", cur]
            if rounding:
                args += ["--rounding", rounding]
            return self.assertOk(pos(*args)).json()

        j = fee("12.34", 60)
        self.assertEqual((j["fee"], j["fee_minor"], j["net"], j["rounding"]),
                         ("0.07", 7, "12.27", "half-up"))
        # exact half cases: 0.50 * 1% = 0.5 fen
        self.assertEqual(fee("0.50", 100)["fee"], "0.01")
        self.assertEqual(fee("-0.50", 100)["fee"], "-0.01")
        self.assertEqual(fee("0.50", 100, "half-even")["fee"], "0.00")
        self.assertEqual(fee("1.50", 100, "half-even")["fee"], "0.02")
        self.assertEqual(fee("2.50", 100, "half-even")["fee"], "0.02")
        self.assertEqual(fee("1.99", 100, "down")["fee"], "0.01")
        self.assertEqual(fee("1.01", 100, "up")["fee"], "0.02")
        self.assertEqual(fee("1000", 38, cur="JPY")["fee"], "4")
        self.assertUsage(pos("money", "fee", "1", "--bps", "10001", "--currency", "CNY"),
                         "money", "--bps")
        self.assertUsage(pos("money", "fee", "1", "--currency", "CNY"), "money", "--bps")
        self.assertUsage(pos("money", "fee", "1", "--bps", "5", "--currency", "CNY",
                             "--rounding", "banker"), "money", "--rounding")

    def test_checked_arithmetic(self):
        j = self.assertOk(pos("money", "add", "1.10", "2.20", "--currency", "CNY")).json()
        self.assertEqual(j["text"], "3.30")
        j = self.assertOk(pos("money", "sub", "1.10", "2.20", "--currency", "CNY")).json()
        self.assertEqual(j["text"], "-1.10")
        j = self.assertOk(pos("money", "mul", "0.10", "3", "--currency", "USD")).json()
        self.assertEqual(j["minor"], 30)
        self.assertUsage(pos("money", "add", "92233720368547758.07", "0.01", "--currency",
                             "CNY"), "money", "overflow")
        self.assertUsage(pos("money", "mul", "92233720368547758.07", "2", "--currency", "CNY"),
                         "money", "overflow")
        self.assertUsage(pos("money", "sub", "-92233720368547758.07", "0.01", "--currency",
                             "CNY"), "money", "overflow")
        self.assertUsage(pos("money", "mul", "1", "x", "--currency", "CNY"), "money", "quantity")

    def test_currency(self):
        j = self.assertOk(pos("money", "currency", "jpy")).json()
        self.assertEqual(j, {"currency": "JPY", "numeric": "392", "exponent": 0, "name": "Yen"})
        j = self.assertOk(pos("money", "currency", "959")).json()
        self.assertEqual((j["currency"], j["exponent"]), ("XAU", None))
        table = self.assertOk(pos("money", "currency", "--all")).json()
        self.assertEqual(len(table), 178)
        self.assertEqual(len({c["currency"] for c in table}), 178)
        self.assertEqual(len({c["numeric"] for c in table}), 178)
        for c in table:
            j = self.assertOk(pos("money", "currency", c["numeric"])).json()
            self.assertEqual(j["currency"], c["currency"])
        self.assertUsage(pos("money", "currency", "ZZZ"), "money", "ISO 4217")

    def test_usage(self):
        r = self.assertOk(pos("money", "--help"))
        self.assertIn("usage: pos money", r.text)
        self.assertIn("half-up", r.text)
        self.assertEqual(pos("money").rc, 2)
        self.assertUsage(pos("money", "frobnicate", "--currency", "CNY"), "money",
                         "unknown subcommand")
        self.assertUsage(pos("money", "parse", "1", "--currency", "CNY", "--bogus"), "money",
                         "unknown option")
        self.assertUsage(pos("money", "parse", "1", "2", "3", "--currency", "CNY"), "money")
        self.assertUsage(pos("money", "parse", "1", "--currency"), "money", "needs a value")


if __name__ == "__main__":
    main()
