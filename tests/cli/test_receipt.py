"""pos receipt render: text at 32/42/48 columns, ESC/POS, GB18030 (docs/receipts.md).

The golden receipts are tests/lib/receipt/*.txt; tests/lib/test_receipt.c
renders the same receipts from C structs and compares them with the same
files, so the JSON reading and the library agree.
"""
import json
import os
import tempfile

from clitest import CliTestCase, SOURCE_DIR, main, pos

RDIR = os.path.join(SOURCE_DIR, "tests", "lib", "receipt")
CLEAR_PAN = b"6222021234567890123"


def load(name):
    with open(os.path.join(RDIR, name), "rb") as f:
        return f.read()


def sale(**changes):
    d = json.loads(load("sale.json"))
    for k, v in changes.items():
        if v is None:
            d.pop(k, None)
        else:
            d[k] = v
    return json.dumps(d, ensure_ascii=False)


class ReceiptText(CliTestCase):
    def test_golden(self):
        for w in (32, 42, 48):
            r = self.assertOk(pos("receipt", "render", "--width", w, stdin=load("sale.json")))
            self.assertEqual(r.out, load("sale_customer_%d.txt" % w))
            r = self.assertOk(pos("receipt", "render", "--width", w, "--copy", "merchant",
                                  stdin=load("sale.json")))
            self.assertEqual(r.out, load("sale_merchant_%d.txt" % w))
            r = self.assertOk(pos("receipt", "render", "--width", w, stdin=load("cash.json")))
            self.assertEqual(r.out, load("cash_%d.txt" % w))

    def test_default_width_is_42(self):
        r = self.assertOk(pos("receipt", "render", stdin=load("sale.json")))
        self.assertEqual(r.out, load("sale_customer_42.txt"))

    def test_pan_never_in_clear(self):
        for args in ((), ("--escpos",), ("--escpos", "--gb18030"), ("--copy", "merchant")):
            r = self.assertOk(pos("receipt", "render", *args, stdin=load("sale.json")))
            self.assertNotIn(CLEAR_PAN, r.out)
            self.assertIn(b"622202*********0123", r.out)

    def test_reprint_and_copy_override(self):
        r = self.assertOk(pos("receipt", "render", "--width", 32, "--reprint",
                              stdin=load("sale.json")))
        self.assertEqual(r.text.split("\n")[0], "         REPRINT / 重印")
        r = self.assertOk(pos("receipt", "render", "--copy", "merchant", stdin=sale(copy="customer")))
        self.assertIn("MERCHANT COPY 商户存根", r.text)
        self.assertIn("持卡人签名", r.text)

    def test_gb18030_text(self):
        r = self.assertOk(pos("receipt", "render", "--width", 32, "--gb18030",
                              stdin=load("sale.json")))
        # Python's own gb18030 codec agrees with glibc's iconv
        self.assertEqual(r.out, load("sale_customer_32.txt").decode("utf-8").encode("gb18030"))

    def test_out_file(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "r.bin")
            r = self.assertOk(pos("receipt", "render", "--escpos", "--out", path,
                                  stdin=load("sale.json")))
            self.assertEqual(r.out, b"")
            with open(path, "rb") as f:
                self.assertEqual(f.read()[:2], b"\x1b@")
            self.assertFailed(pos("receipt", "render", "--out", os.path.join(d, "no", "such"),
                                  stdin=load("sale.json")), "cannot open")


class ReceiptEscpos(CliTestCase):
    def test_utf8_job(self):
        r = self.assertOk(pos("receipt", "render", "--escpos", "--width", 32,
                              stdin=load("sale.json")))
        # ESC @, FS ( C fn 48 UTF-8, then the first line centered, bold, double size
        self.assertTrue(r.out.startswith(bytes.fromhex("1B40 1C284302003002 1B6101 1B4501 1D2111")))
        self.assertTrue(r.out.endswith(bytes.fromhex("1B6404 1D564200")))  # feed 4, partial cut
        payload = b"https://luckymart.example/r/000456"
        store = bytes.fromhex("1D286B") + bytes([len(payload) + 3, 0]) + b"\x31\x50\x30" + payload
        self.assertIn(store, r.out)
        self.assertIn("消费".encode("utf-8"), r.out)

    def test_gb18030_job_drawer_no_cut(self):
        r = self.assertOk(pos("receipt", "render", "--escpos", "--gb18030", "--drawer",
                              "--no-cut", stdin=load("sale.json")))
        self.assertTrue(r.out.startswith(bytes.fromhex("1B40 1C26 1B700019FA")))
        self.assertTrue(r.out.endswith(bytes.fromhex("1B6404")))
        self.assertIn(bytes.fromhex("CFFBB7D1"), r.out)  # 消费
        self.assertNotIn("消费".encode("utf-8"), r.out)

    def test_drawer_needs_escpos(self):
        self.assertUsage(pos("receipt", "render", "--drawer", stdin=load("sale.json")), "--escpos")


class ReceiptBadInput(CliTestCase):
    def test_usage(self):
        r = pos("receipt")
        self.assertEqual(r.rc, 2)
        self.assertIn("usage: pos receipt render", r.err)
        r = self.assertOk(pos("receipt", "--help"))
        self.assertIn(b"usage: pos receipt render", r.out)
        self.assertUsage(pos("receipt", "print"), "unknown subcommand")
        self.assertUsage(pos("receipt", "render", "--width", "40", stdin=load("sale.json")),
                         "32, 42 or 48")
        self.assertUsage(pos("receipt", "render", "--width"), "needs a value")
        self.assertUsage(pos("receipt", "render", "--copy", "bank"), "customer or merchant")
        self.assertUsage(pos("receipt", "render", "--bogus"), "unknown option")

    def test_bad_json(self):
        self.assertUsage(pos("receipt", "render", stdin="{"), "invalid JSON")
        self.assertUsage(pos("receipt", "render", stdin="[]"), "JSON object")
        self.assertUsage(pos("receipt", "render", stdin='{"currency":"CNY","currency":"USD"}'),
                         "invalid JSON")

    def test_missing_fields(self):
        self.assertUsage(pos("receipt", "render", stdin=sale(currency=None)), "currency", "missing")
        self.assertUsage(pos("receipt", "render", stdin=sale(merchant_name=None)),
                         "merchant_name", "missing")
        items = [{"qty": "1", "total": "1.00"}]
        self.assertUsage(pos("receipt", "render", stdin=sale(items=items)), "items[0]", "name")
        items = [{"name": "x"}]
        self.assertUsage(pos("receipt", "render", stdin=sale(items=items)), "items[0]", "total")
        self.assertUsage(pos("receipt", "render", stdin=sale(tenders=[{"type": "cash"}])),
                         "tenders[0]", "amount")

    def test_bad_values(self):
        self.assertUsage(pos("receipt", "render", stdin=sale(currency="XYZ")), "currency")
        self.assertUsage(pos("receipt", "render", stdin=sale(total="12.345")), "total")
        self.assertUsage(pos("receipt", "render", stdin=sale(total=12)), "total", "string")
        self.assertUsage(pos("receipt", "render", stdin=sale(type="purchase")), "type")
        self.assertUsage(pos("receipt", "render", stdin=sale(entry="tap")), "entry")
        self.assertUsage(pos("receipt", "render", stdin=sale(copy="bank")), "copy")
        self.assertUsage(pos("receipt", "render", stdin=sale(reprint="yes")), "reprint")
        self.assertUsage(pos("receipt", "render", stdin=sale(totl="1.00")), "unknown field", "totl")
        items = [{"name": "x", "total": "1.00", "qty": "0.0001"}]
        self.assertUsage(pos("receipt", "render", stdin=sale(items=items)), "qty")
        taxes = [{"label": "VAT", "rate": "101", "amount": "1.00"}]
        self.assertUsage(pos("receipt", "render", stdin=sale(taxes=taxes)), "rate")
        self.assertUsage(pos("receipt", "render", stdin=sale(tenders=[{"type": "cheque",
                                                                        "amount": "1.00"}])),
                         "tenders[0]", "type")
        self.assertUsage(pos("receipt", "render", stdin=sale(items={"name": "x"})), "items",
                         "array")
        self.assertUsage(pos("receipt", "render", stdin=sale(merchant_name="a\u0000b")), "NUL")
        r = self.assertUsage(pos("receipt", "render", stdin=sale(pan="62220212345678901234")),
                             "pan")
        self.assertNotIn("6222021234", r.err)
        self.assertUsage(pos("receipt", "render", stdin=sale(rrn="9" * 600)), "rrn", "longer")


if __name__ == "__main__":
    main()
