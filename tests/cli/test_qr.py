"""pos qr: EMVCo merchant-presented QR decode and encode (DESIGN.md §6)."""
import json

from clitest import CliTestCase, main, pos

# EMV QRCPS-MPM v1.1, Appendix A example payload (CRC A13A).
EMVCO = ("00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678"
         "520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京"
         "540523.7253031565502016233030412340603***0708A60086670902ME9132001"
         "6A0112233449988770708123456786304A13A")
# Banco Central do Brasil, Manual do BR Code (Pix), static example (CRC 1D3D).
PIX = ("00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"
       "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D")
# PromptPay payload from the promptpay-qr package README (no 52/59/60; CRC 5D82).
PROMPTPAY = "00020101021129370016A000000677010111011300668123456785802TH530376463045D82"


def crc16(data):
    crc = 0xFFFF
    for b in data.encode("utf-8"):
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return "%04X" % crc


def with_crc(body):
    return body + "6304" + crc16(body + "6304")


BASE = [
    {"id": "00", "value": "01"},
    {"id": "01", "value": "12"},
    {"id": "26", "children": [{"id": "00", "value": "com.example.pos"}, {"id": "01", "value": "M1"}]},
    {"id": "52", "value": "5411"},
    {"id": "53", "value": "156"},
    {"id": "54", "value": "88.50"},
    {"id": "58", "value": "CN"},
    {"id": "59", "value": "NOODLE HOUSE"},
    {"id": "60", "value": "SHANGHAI"},
    {"id": "62", "children": [{"id": "05", "value": "ORD42"}]},
]


def encode(elements):
    return pos("qr", "encode", stdin=json.dumps({"elements": elements}))


def replace(elements, id_, **kw):
    out = []
    for e in elements:
        if e["id"] == id_:
            e = dict(kw, id=id_)
        out.append(e)
    return out


class TestQrDecode(CliTestCase):
    def test_emvco_example(self):
        j = self.assertOk(pos("qr", "decode", EMVCO)).json()
        self.assertTrue(j["crc_ok"])
        self.assertEqual(j["missing"], [])
        ids = [e["id"] for e in j["elements"]]
        self.assertEqual(ids, ["00", "01", "29", "31", "52", "58", "59", "60", "64", "54",
                               "53", "55", "62", "91", "63"])
        self.assertEqual(j["elements"][0], {"id": "00", "name": "Payload Format Indicator",
                                            "value": "01"})
        t29 = j["elements"][2]
        self.assertEqual(t29["name"], "Merchant Account Information")
        self.assertEqual(t29["children"], [
            {"id": "00", "name": "Globally Unique Identifier", "value": "D15600000000"},
            {"id": "05", "value": "A93FO3230Q"}])
        lang = {c["id"]: c["value"] for c in j["elements"][8]["children"]}
        self.assertEqual(lang, {"00": "ZH", "01": "最佳运输", "02": "北京"})
        self.assertEqual(j["elements"][9]["value"], "23.72")

    def test_roundtrip_is_byte_identical(self):
        for payload in (EMVCO, PIX):
            j = self.assertOk(pos("qr", "decode", payload)).json()
            r = self.assertOk(pos("qr", "encode", stdin=json.dumps(j)))
            self.assertEqual(r.out.decode("utf-8"), payload + "\n")

    def test_decode_from_stdin(self):
        j = self.assertOk(pos("qr", "decode", stdin=PIX + "\n")).json()
        self.assertTrue(j["crc_ok"])
        self.assertEqual(j["elements"][1]["children"][0]["value"], "br.gov.bcb.pix")

    def test_missing_is_reported_not_fatal(self):
        j = self.assertOk(pos("qr", "decode", PROMPTPAY)).json()
        self.assertEqual(j["missing"], ["52", "59", "60"])
        self.assertTrue(j["crc_ok"])
        j = self.assertOk(pos("qr", "decode", with_crc("000201"))).json()
        self.assertEqual(j["missing"], ["02-51", "52", "53", "58", "59", "60"])
        j = self.assertOk(pos("qr", "decode", "000201")).json()
        self.assertIn("63", j["missing"])
        self.assertFalse(j["crc_ok"])
        j = self.assertOk(pos("qr", "decode", with_crc("00020126050101X"))).json()
        self.assertIn("26.00", j["missing"])

    def test_wrong_crc(self):
        self.assertUsage(pos("qr", "decode", PROMPTPAY[:-4] + "1234"),
                         "qr", "CRC mismatch: payload says 1234, computed 5D82")
        self.assertUsage(pos("qr", "decode", EMVCO.replace("BEIJING", "BEIJINX")),
                         "CRC mismatch", "payload says A13A")

    def test_bad_payloads_name_element_and_offset(self):
        cases = [
            ("00020101021", "element 01 at offset 6", "runs past the end"),
            ("0002010A0211", "offset 6", "ID must be 2 digits"),
            ("00020101X211", "element 01 at offset 8", "length must be 2 digits"),
            ("010211000201", "element 00 at offset 6", "must be the first"),
            (EMVCO + "6304A13A", "element 63", "after the CRC"),
            (EMVCO + "5802CN", "element 58", "after the CRC"),
            ("000201520441115204411163041234", "element 52 at offset 14", "duplicate"),
            ("0002012607001234567", "element 26.00 at offset 10", "runs past its template"),
            ("0002016304ZZZZ", "element 63", "4 hex characters"),
            ("000", "offset 0", "ID and a length"),
        ]
        for payload, where, why in cases:
            with self.subTest(payload=payload):
                self.assertUsage(pos("qr", "decode", payload), "qr", where, why)

    def test_usage(self):
        self.assertUsage(pos("qr", "frobnicate"), "qr", "unknown subcommand")
        self.assertUsage(pos("qr", "decode", "a", "b"), "qr")
        self.assertUsage(pos("qr", "decode", stdin=""), "qr", "empty payload")
        r = pos("qr")
        self.assertEqual(r.rc, 2)
        for args in (("qr", "--help"), ("qr", "decode", "--help"), ("qr", "encode", "--help")):
            r = self.assertOk(pos(*args))
            self.assertIn("usage: pos qr", r.text)


class TestQrEncode(CliTestCase):
    def test_encode_compliant(self):
        r = self.assertOk(encode(BASE))
        payload = r.out.decode("utf-8").rstrip("\n")
        self.assertTrue(payload.startswith("000201010212"))
        self.assertEqual(payload[-8:-4], "6304")
        self.assertEqual(payload[-4:], crc16(payload[:-4]))
        j = self.assertOk(pos("qr", "decode", payload)).json()
        self.assertEqual(j["missing"], [])
        self.assertEqual(j["elements"][5]["value"], "88.50")

    def test_encode_ignores_63_and_puts_00_first(self):
        els = [BASE[1]] + [BASE[0]] + BASE[2:] + [{"id": "63", "value": "FFFF"}]
        a = self.assertOk(encode(BASE)).out
        b = self.assertOk(encode(els)).out
        self.assertEqual(a, b)
        # a bare array works too, and names are ignored
        c = self.assertOk(pos("qr", "encode", stdin=json.dumps(
            [dict(e, name="x") for e in BASE]))).out
        self.assertEqual(a, c)

    def test_encode_refusals_name_the_element(self):
        cases = [
            ([e for e in BASE if e["id"] != "59"], "element 59", "missing"),
            ([e for e in BASE if e["id"] != "26"], "element 02-51", "missing"),
            ([e for e in BASE if e["id"] != "00"], "element 00", "missing"),
            (replace(BASE, "59", value="X" * 26), "element 59", "1 to 25 characters"),
            (replace(BASE, "54", value="88.505"), "element 54", "decimals"),
            (replace(BASE, "53", value="000"), "element 53", "ISO 4217"),
            (replace(BASE, "58", value="cn"), "element 58", "uppercase"),
            (replace(BASE, "01", value="13"), "element 01", "11"),
            (BASE + [{"id": "65", "value": "X"}], "element 65", "RFU"),
            (BASE + [{"id": "56", "value": "1.00"}], "element 56", "55"),
            (replace(BASE, "62", value="0503***"), "element 62", "template"),
            (replace(BASE, "62", children=[{"id": "12", "value": "X"}]), "element 62.12", "RFU"),
            (replace(BASE, "26", children=[{"id": "01", "value": "M1"}]), "element 26.00",
             "missing"),
            (BASE + [{"id": "59", "value": "AGAIN"}], "element 59", "duplicate"),
            (BASE + [{"id": "80", "children": [{"id": "00", "value": "G" * 32},
                                               {"id": "01", "value": "V" * 70}]}],
             "element 80", "at most 99"),
        ]
        for els, where, why in cases:
            with self.subTest(where=where, why=why):
                self.assertUsage(encode(els), "qr", where, why)

    def test_encode_bad_json(self):
        self.assertUsage(pos("qr", "encode", stdin="{"), "qr", "invalid JSON")
        self.assertUsage(pos("qr", "encode", stdin='{"elements": 5}'), "qr", "array")
        self.assertUsage(pos("qr", "encode", stdin='[{"id": "5x", "value": "1"}]'), "qr", "id")
        self.assertUsage(pos("qr", "encode", stdin='[{"id": "59"}]'), "qr", "element 59")
        self.assertUsage(pos("qr", "encode", stdin='[{"id": "59", "value": 5}]'), "qr",
                         "must be a string")
        self.assertUsage(pos("qr", "encode", stdin='[{"id": "62", "children": [{"id": "50", '
                             '"children": [{"id": "00", "children": []}]}]}]'),
                         "qr", "nested too deep")
        self.assertUsage(pos("qr", "encode", "extra"), "qr")


if __name__ == "__main__":
    main()
