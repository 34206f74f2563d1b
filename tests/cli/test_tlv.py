"""pos tlv decode: EMV BER-TLV to JSON (DESIGN.md §6, docs/tlv.md)."""
from clitest import CliTestCase, main, pos

# javaemvreader "ExampleOutput" wiki page (code.google.com/p/javaemvreader/
# wiki/ExampleOutput), step 2: the FCI of SELECT 1PAY.SYS.DDF01.
FCI = ("6F20840E315041592E5359532E4444463031A50E8801025F2D046E6F656E"
       "9F110101")

# A field 55 of an ARQC purchase, built for these tests in the shape
# terminals send, with a PAN (5A), track 2 equivalent data (57) and an
# unknown private tag (DF7F).
FIELD55 = ("9F26081122334455667788" "9F270180"
           "9F10120110A00003220000000000000000000000FF"
           "9F3704A1B2C3D4" "9F36020001" "95050000008000" "9A03250615"
           "9C0100" "9F0206000000001000" "5F2A020156" "82023900"
           "9F1A020156" "5A084111111111111111"
           "5711" "4111111111111111D2512201123456789F"
           "DF7F0101")


class TestTlvDecode(CliTestCase):
    def test_help(self):
        for args in (("--help",), ("decode", "--help"), ("help",)):
            r = self.assertOk(pos("tlv", *args))
            self.assertIn("pos tlv decode", r.text)

    def test_published_fci_nested(self):
        r = self.assertOk(pos("tlv", "decode", "--hex", stdin=FCI))
        j = r.json()
        self.assertEqual(len(j), 1)
        fci = j[0]
        self.assertEqual(fci["tag"], "6F")
        self.assertEqual(fci["name"], "File Control Information (FCI) Template")
        self.assertNotIn("value", fci)
        self.assertEqual(fci["children"][0],
                         {"tag": "84", "name": "Dedicated File (DF) Name",
                          "value": "315041592E5359532E4444463031"})
        a5 = fci["children"][1]
        self.assertEqual(a5["tag"], "A5")
        self.assertEqual([c["tag"] for c in a5["children"]], ["88", "5F2D", "9F11"])
        self.assertEqual(a5["children"][1]["value"], "6E6F656E")

    def test_binary_input_and_lowercase_hex(self):
        raw = bytes.fromhex(FCI)
        a = self.assertOk(pos("tlv", "decode", stdin=raw)).json()
        b = self.assertOk(pos("tlv", "decode", "--hex", stdin=FCI.lower() + "\n")).json()
        self.assertEqual(a, b)

    def test_field55_names_and_values(self):
        r = self.assertOk(pos("tlv", "decode", "--hex", stdin=FIELD55))
        j = {e["tag"]: e for e in r.json()}
        self.assertEqual(j["9F26"]["name"], "Application Cryptogram")
        self.assertEqual(j["9F26"]["value"], "1122334455667788")
        self.assertEqual(j["9F27"]["value"], "80")
        self.assertEqual(j["5A"]["value"], "4111111111111111")
        self.assertNotIn("masked", j["5A"])

    def test_mask(self):
        r = self.assertOk(pos("tlv", "decode", "--hex", "--mask", stdin=FIELD55))
        j = {e["tag"]: e for e in r.json()}
        self.assertEqual(j["5A"]["value"], "411111******1111")
        self.assertTrue(j["5A"]["masked"])
        self.assertEqual(j["57"]["value"], "411111******1111D" + "*" * 17)
        self.assertNotIn("4111111111111111", r.text)
        self.assertEqual(j["9F26"]["value"], "1122334455667788")
        # an unknown tag has no name but a value
        self.assertEqual(j["DF7F"], {"tag": "DF7F", "value": "01"})

    def test_mask_pin_and_track1(self):
        track1 = b"B4111111111111111^DOE/JOHN^2512101"
        data = "990412345678" + "56%02X" % len(track1) + track1.hex()
        r = self.assertOk(pos("tlv", "decode", "--hex", "--mask", stdin=data))
        j = r.json()
        self.assertEqual(j[0], {"tag": "99", "name": "Transaction Personal Identification "
                                "Number (PIN) Data", "value": "********", "masked": True})
        self.assertEqual(j[1]["value"], "B411111******1111^********^*******")
        r = self.assertOk(pos("tlv", "decode", "--hex", stdin=data))
        self.assertEqual(r.json()[1]["value"], track1.hex().upper())

    def test_padding_and_long_forms(self):
        r = self.assertOk(pos("tlv", "decode", "--hex",
                              stdin="00 9F27 81 01 80 FF 70 82 0003 5A 01 12 00"))
        self.assertEqual(r.json(), [
            {"tag": "9F27", "name": "Cryptogram Information Data", "value": "80"},
            {"tag": "70", "name": "READ RECORD Response Message Template",
             "children": [{"tag": "5A",
                           "name": "Application Primary Account Number (PAN)",
                           "value": "12"}]}])

    def test_empty_input(self):
        r = self.assertOk(pos("tlv", "decode", stdin=b""))
        self.assertEqual(r.json(), [])

    def test_truncated_value(self):
        self.assertUsage(pos("tlv", "decode", "--hex", stdin="9F2608AABB"),
                         "tlv", "truncated", "offset 0", "9F26")

    def test_length_past_container(self):
        self.assertUsage(pos("tlv", "decode", "--hex", stdin="70039F2608"),
                         "invalid TLV length", "offset 2", "container")

    def test_indefinite_length(self):
        self.assertUsage(pos("tlv", "decode", "--hex", stdin="708000"), "indefinite")

    def test_long_tag(self):
        self.assertUsage(pos("tlv", "decode", "--hex", stdin="9F81818101 00"),
                         "invalid TLV tag")

    def test_depth_limit(self):
        inner = "9F270180"
        for _ in range(9):
            inner = "70%02X" % (len(inner) // 2) + inner
        self.assertUsage(pos("tlv", "decode", "--hex", stdin=inner), "too deep")

    def test_bad_hex(self):
        self.assertUsage(pos("tlv", "decode", "--hex", stdin="9F2G"), "hex")
        self.assertUsage(pos("tlv", "decode", "--hex", stdin="9F2"), "odd")

    def test_usage_errors(self):
        self.assertUsage(pos("tlv"), "tlv", "subcommand")
        self.assertUsage(pos("tlv", "frob"), "unknown subcommand")
        self.assertUsage(pos("tlv", "decode", "--nope"), "unknown option")
        self.assertUsage(pos("tlv", "decode", "extra"), "unexpected argument")


if __name__ == "__main__":
    main()
