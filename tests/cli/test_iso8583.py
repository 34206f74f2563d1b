"""pos iso8583 unpack|pack|demo: the command-line contract (DESIGN.md §6).

The known messages are the ones of tests/lib/test_iso8583_vectors.h
(hand-assembled from the jPOS ISO87APackager / ISO87BPackager definitions and
the UnionPay POS field table), plus the published UnionPay purchase quoted
there (blog.csdn.net/MaxWoods/article/details/86490475).
"""
import json
import os
import re
import tempfile

from clitest import SOURCE_DIR, CliTestCase, main, pos


def vector(name):
    """The hex of a TV_* macro of test_iso8583_vectors.h."""
    path = os.path.join(SOURCE_DIR, "tests", "lib", "test_iso8583_vectors.h")
    text = open(path, encoding="utf-8").read()
    m = re.search(r"#define %s\s+\\\n((?:\s+\"[0-9A-F]*\"\s*\\?\n)+)" % name, text)
    return "".join(re.findall(r'"([0-9A-F]*)"', m.group(1)))


PURCHASE = {
    "2": "4111111111111111", "3": "000000", "4": "000000001000", "11": "000123",
    "12": "103015", "13": "1122", "14": "2812", "22": "051", "25": "00",
    "35": "4111111111111111=2812101123456789", "41": "TERM0001", "42": "MERCHANT0000001",
    "49": "156", "52": "0123456789ABCDEF", "55": "9F02060000000010005F2A020156",
    "60": "22000001", "64": "A1B2C3D4E5F60718",
}
VECTORS = {"iso87a": "TV_ISO87A", "iso87b": "TV_ISO87B", "cup": "TV_CUP"}


class TestUnpack(CliTestCase):
    def test_known_messages(self):
        for dialect, macro in VECTORS.items():
            with self.subTest(dialect=dialect):
                r = self.assertOk(pos("iso8583", "unpack", "--dialect", dialect, "--hex",
                                      stdin=vector(macro)))
                j = r.json()
                self.assertEqual(j["mti"], "0200")
                self.assertEqual(j["fields"], PURCHASE)
                # keys in field order
                self.assertEqual(list(j["fields"]), sorted(PURCHASE, key=int))
                if dialect == "cup":
                    self.assertEqual(j["tpdu"], "6000000000")
                    self.assertEqual(j["header"], "603100000000")
                else:
                    self.assertNotIn("tpdu", j)

    def test_raw_input(self):
        raw = bytes.fromhex(vector("TV_ISO87B"))
        r = self.assertOk(pos("iso8583", "unpack", "--dialect", "iso87b", stdin=raw))
        self.assertEqual(r.json()["fields"]["35"], PURCHASE["35"])

    def test_lowercase_hex_input_with_spaces(self):
        h = vector("TV_CUP").lower()
        spaced = " ".join(h[i:i + 8] for i in range(0, len(h), 8)) + "\n"
        r = self.assertOk(pos("iso8583", "unpack", "--dialect", "cup", "--hex", stdin=spaced))
        self.assertEqual(r.json()["fields"]["52"], "0123456789ABCDEF")

    def test_real_unionpay_message(self):
        r = self.assertOk(pos("iso8583", "unpack", "--dialect", "cup", "--hex",
                              stdin=vector("TV_CUP_REAL")))
        j = r.json()
        self.assertEqual(j["tpdu"], "6000060000")
        self.assertEqual(j["header"], "603100311003")
        self.assertEqual(j["fields"]["22"], "071")
        self.assertEqual(j["fields"]["60"], "22000024000600")
        self.assertEqual(sorted(map(int, j["fields"])),
                         [2, 3, 4, 11, 14, 22, 23, 25, 26, 35, 41, 42, 48, 49, 52, 53, 55, 59,
                          60, 64])

    def test_mask(self):
        r = self.assertOk(pos("iso8583", "unpack", "--dialect", "iso87a", "--hex", "--mask",
                              stdin=vector("TV_ISO87A")))
        f = r.json()["fields"]
        self.assertEqual(f["2"], "411111******1111")
        self.assertEqual(f["35"], "[33 hidden]")
        self.assertEqual(f["52"], "[8 hidden]")
        self.assertEqual(f["64"], "[8 hidden]")
        self.assertEqual(f["55"], "[28 hidden]")
        self.assertEqual(f["41"], "TERM0001")
        for secret in ("4111111111111111", "2812101123456789", "0123456789ABCDEF",
                       "A1B2C3D4E5F60718"):
            self.assertNotIn(secret, r.text)

    def test_dialect_file(self):
        path = os.path.join(SOURCE_DIR, "dialects", "iso87b.dialect")
        r = self.assertOk(pos("iso8583", "unpack", "--dialect", path, "--hex",
                              stdin=vector("TV_ISO87B")))
        self.assertEqual(r.json()["fields"], PURCHASE)

    def test_bad_messages_name_field_and_offset(self):
        cases = [
            # (dialect, hex, fragments of the error)
            ("iso87b", vector("TV_ISO87B")[:-2], ["truncated", "field 64", "offset 133"]),
            ("iso87b", vector("TV_ISO87B") + "00", ["trailing", "offset 141"]),
            ("iso87a", ("0200" + "4" + "0" * 15).encode().hex() + "3230" + "34" * 20,
             ["field length", "field 2", "offset 20", "over the maximum 19"]),
            ("iso87a", ("0200" + "2" + "0" * 15).encode().hex() + "303041303030",
             ["non-digit", "field 3", "offset 22"]),
            ("iso87b", "0200" + "2000000000000000" + "00A000",
             ["BCD", "field 3", "offset 11"]),
            ("cup", "6000000000603100000000" + "0200" + "0800000000000000" + "00" * 6,
             ["not defined", "field 5", "offset 21"]),
            ("iso87a", "3032", ["truncated", "MTI"]),
        ]
        for dialect, h, frags in cases:
            with self.subTest(hex=h[:40]):
                self.assertUsage(pos("iso8583", "unpack", "--dialect", dialect, "--hex", stdin=h),
                                 "iso8583", *frags)

    def test_bad_hex_input(self):
        self.assertUsage(pos("iso8583", "unpack", "--dialect", "cup", "--hex", stdin="60Z0"),
                         "hex")


class TestPack(CliTestCase):
    def test_pack_known_messages(self):
        for dialect, macro in VECTORS.items():
            with self.subTest(dialect=dialect):
                doc = {"mti": "0200", "fields": PURCHASE}
                r = self.assertOk(pos("iso8583", "pack", "--dialect", dialect, "--hex",
                                      stdin=json.dumps(doc)))
                self.assertEqual(r.text, vector(macro) + "\n")
                raw = self.assertOk(pos("iso8583", "pack", "--dialect", dialect,
                                        stdin=json.dumps(doc)))
                self.assertEqual(raw.out, bytes.fromhex(vector(macro)))

    def test_unpack_pack_roundtrip(self):
        for dialect, macro in list(VECTORS.items()) + [("cup", "TV_CUP_REAL")]:
            with self.subTest(dialect=dialect, macro=macro):
                u = self.assertOk(pos("iso8583", "unpack", "--dialect", dialect, "--hex",
                                      stdin=vector(macro)))
                p = self.assertOk(pos("iso8583", "pack", "--dialect", dialect, "--hex",
                                      stdin=u.out))
                self.assertEqual(p.text.strip(), vector(macro))

    def test_tpdu_and_header(self):
        doc = {"mti": "0800", "tpdu": "6000010002", "header": "603100000000",
               "fields": {"11": "000001", "41": "POS00001", "42": "898310048990001",
                          "60": "00000001003"}}
        r = self.assertOk(pos("iso8583", "pack", "--dialect", "cup", "--hex",
                              stdin=json.dumps(doc)))
        self.assertTrue(r.text.startswith("60000100026031000000000800"))
        u = self.assertOk(pos("iso8583", "unpack", "--dialect", "cup", "--hex", stdin=r.out))
        self.assertEqual(u.json(), doc)

    def test_secondary_bitmap(self):
        doc = {"mti": "0800", "fields": {"11": "000001", "70": "301"}}
        r = self.assertOk(pos("iso8583", "pack", "--dialect", "iso87a", stdin=json.dumps(doc)))
        self.assertEqual(r.out, b"0800" + b"8020000000000000" + b"0400000000000000" +
                         b"000001301")

    def test_bad_json(self):
        cases = [
            ("{", ["invalid JSON"]),
            ("[]", ["JSON object"]),
            ('{"mti":"0200","fields":{},"x":1}', ["unknown key", "x"]),
            ('{"fields":{}}', ["mti"]),
            ('{"mti":"02000","fields":{}}', ["mti"]),
            ('{"mti":"0200"}', ["fields"]),
            ('{"mti":"0200","fields":{"3":"00000"}}', ["field 3", "length 5", "fixed length 6"]),
            ('{"mti":"0200","fields":{"3":"00A000"}}', ["field 3", "non-digit"]),
            ('{"mti":"0200","fields":{"3":0}}', ["field 3", "string"]),
            ('{"mti":"0200","fields":{"1":"0"}}', ["key '1'"]),
            ('{"mti":"0200","fields":{"03":"000000"}}', ["key '03'"]),
            ('{"mti":"0200","fields":{"abc":"0"}}', ["key 'abc'"]),
            ('{"mti":"0200","fields":{"5":"000000000000"}}', ["field 5", "not defined"]),
            ('{"mti":"0200","fields":{"52":"XYZ"}}', ["field 52", "hex"]),
            ('{"mti":"0200","tpdu":"60","fields":{}}', ["tpdu", "5 bytes"]),
            ('{"mti":"0200","fields":{"3":"000000","3":"000000"}}', ["invalid JSON"]),
        ]
        for doc, frags in cases:
            with self.subTest(doc=doc):
                dialect = "cup" if "tpdu" in doc or '"5"' in doc else "iso87b"
                self.assertUsage(pos("iso8583", "pack", "--dialect", dialect, stdin=doc),
                                 "iso8583", *frags)


class TestUsage(CliTestCase):
    def test_help(self):
        for args in (["--help"], ["unpack", "--help"], ["pack", "--help"], ["demo", "--help"]):
            with self.subTest(args=args):
                r = self.assertOk(pos("iso8583", *args))
                self.assertIn("usage: pos iso8583", r.text)

    def test_usage_errors(self):
        self.assertUsage(pos("iso8583"), "subcommand")
        self.assertUsage(pos("iso8583", "frob"), "unknown subcommand")
        self.assertUsage(pos("iso8583", "unpack"), "--dialect")
        self.assertUsage(pos("iso8583", "unpack", "--dialect", "nope"), "unknown dialect", "nope")
        self.assertUsage(pos("iso8583", "unpack", "--dialect", "cup", "--bogus"), "option")
        self.assertUsage(pos("iso8583", "unpack", "--dialect", "cup", "extra"), "unexpected")
        self.assertUsage(pos("iso8583", "pack", "--dialect", "cup", "--mask"), "--mask")
        self.assertUsage(pos("iso8583", "demo", "x"), "no arguments")

    def test_bad_dialect_file_names_line(self):
        with tempfile.NamedTemporaryFile("w", suffix=".dialect", delete=False) as f:
            f.write("dialect x\nmti ascii\nbitmap hex\nfield 2 q LL 19\n")
            path = f.name
        try:
            self.assertUsage(pos("iso8583", "unpack", "--dialect", path, stdin=b""),
                             "dialect file", "line 4", "unknown type")
        finally:
            os.unlink(path)


class TestDemo(CliTestCase):
    def test_demo_masks(self):
        r = self.assertOk(pos("iso8583", "demo"))
        for d in ("iso87a", "iso87b", "cup"):
            self.assertIn("== %s" % d, r.text)
        self.assertIn("621234******1234", r.text)
        for line in r.text.splitlines():
            if line.startswith("log:") or line.startswith("json:"):
                self.assertNotIn("6212345678901234", line)
                self.assertNotIn("8F3A6B2C1D0E9F47", line)


if __name__ == "__main__":
    main()
