"""pos card: check, track2, track1, expiry, service-code (DESIGN.md §6, docs/card.md)."""
from clitest import CliTestCase, main, pos


class TestCardCheck(CliTestCase):
    # published test card numbers: docs.stripe.com/testing ("Cards by brand")
    # and the Braintree sandbox list (4111111111111111, 6304000000000000)
    PUBLISHED = [
        ("4242424242424242", "visa", "424242******4242"),
        ("4111111111111111", "visa", "411111******1111"),
        ("5555555555554444", "mastercard", "555555******4444"),
        ("2223003122003222", "mastercard", "222300******3222"),
        ("378282246310005", "amex", "378282*****0005"),
        ("6011111111111117", "discover", "601111******1117"),
        ("3056930009020004", "diners", "305693******0004"),
        ("36227206271667", "diners", "362272****1667"),
        ("3566002020360505", "jcb", "356600******0505"),
        ("6200000000000005", "unionpay", "620000******0005"),
        ("6205500000000000004", "unionpay", "620550*********0004"),
        ("6304000000000000", "maestro", "630400******0000"),
    ]

    def test_published_pans(self):
        for pan, brand, masked in self.PUBLISHED:
            with self.subTest(pan=masked):
                j = self.assertOk(pos("card", "check", pan)).json()
                self.assertEqual(j["luhn"], True)
                self.assertEqual(j["brand"], brand)
                self.assertEqual(j["masked"], masked)
                self.assertEqual(j["length_valid"], True)
                self.assertNotIn("cobrand", j)

    def test_contract_shape(self):
        j = self.assertOk(pos("card", "check", "4111111111111111")).json()
        self.assertEqual({k: j[k] for k in ("luhn", "brand", "masked")},
                         {"luhn": True, "brand": "visa", "masked": "411111******1111"})

    def test_luhn_failure_exit_1_with_json(self):
        r = self.assertFailed(pos("card", "check", "4111111111111112"), "card", "Luhn")
        j = r.json()
        self.assertEqual(j["luhn"], False)
        self.assertEqual(j["brand"], "visa")
        self.assertEqual(j["masked"], "411111******1112")
        self.assertNotIn("4111111111111112", r.err)

    def test_brand_edges(self):
        cases = [("2221000000000009", "mastercard"), ("2720990000000007", "mastercard"),
                 ("2721000000000000", "unknown"), ("2220990000000000", "unknown"),
                 ("6221260000000000", "unionpay"), ("6229250000000000", "unionpay"),
                 ("3528000000000000", "jcb"), ("3589990000000000", "jcb"),
                 ("6440000000000000", "discover"), ("6500000000000000", "discover"),
                 ("3000000000000000", "diners"), ("5000000000000000", "maestro"),
                 ("9999999999999999", "unknown")]
        for pan, brand in cases:
            with self.subTest(pan=pan):
                r = pos("card", "check", pan)
                self.assertIn(r.rc, (0, 1))
                self.assertEqual(r.json()["brand"], brand)

    def test_unionpay_discover_cobrand(self):
        r = pos("card", "check", "6221260000000000")
        j = r.json()
        self.assertEqual(j["brand"], "unionpay")
        self.assertEqual(j["cobrand"], "discover")
        self.assertNotIn("cobrand", pos("card", "check", "6229260000000000").json())

    def test_length_not_valid_for_brand(self):
        # 16 digits starting 37 (amex issues 15), Luhn-valid: exit 0
        j = self.assertOk(pos("card", "check", "3782822463100052")).json()
        self.assertEqual(j["brand"], "amex")
        self.assertEqual(j["length_valid"], False)

    def test_bad_input(self):
        self.assertUsage(pos("card", "check", "4111x11111111111"), "card", "non-digit",
                         "offset 4")
        self.assertUsage(pos("card", "check", "41111111111"), "card", "invalid PAN", "11 digits")
        self.assertUsage(pos("card", "check", "41111111111111111111"), "card", "20 digits")
        self.assertUsage(pos("card", "check", ""), "card")
        self.assertUsage(pos("card", "check"), "card", "exactly one")
        self.assertUsage(pos("card", "check", "4111111111111111", "4111111111111111"), "card")
        self.assertUsage(pos("card", "check", "--mask", "4111111111111111"), "unknown option")


class TestCardTracks(CliTestCase):
    def test_track2(self):
        # the fields of the Wikipedia "ISO/IEC 7813" example card
        r = self.assertOk(pos("card", "track2", ";4815881002867896=37829821000123456789?"))
        self.assertEqual(r.json(), {"pan": "4815881002867896", "expiry": "3782",
                                    "service_code": "982", "discretionary": "1000123456789"})

    def test_track2_d_separator_and_pad(self):
        # EMV tag 57, README of github.com/HosseinAssaran/Ber-TLV
        r = self.assertOk(pos("card", "track2", "1000023100000033D44122011003400000481F"))
        self.assertEqual(r.json(), {"pan": "1000023100000033", "expiry": "4412",
                                    "service_code": "201", "discretionary": "1003400000481"})

    def test_track2_absent_fields(self):
        r = self.assertOk(pos("card", "track2", "4111111111111111==101123"))
        self.assertEqual(r.json(), {"pan": "4111111111111111", "expiry": None,
                                    "service_code": "101", "discretionary": "123"})

    def test_track2_mask(self):
        r = self.assertOk(pos("card", "track2", "--mask", "4111111111111111=25122011234"))
        self.assertEqual(r.json(), {"pan": "411111******1111", "expiry": "2512",
                                    "service_code": "201", "discretionary": "****"})

    def test_track2_errors(self):
        self.assertUsage(pos("card", "track2", "4111111111111111"), "card", "invalid track",
                         "offset 16", "separator")
        self.assertUsage(pos("card", "track2", "4111111111111111=25A2"), "invalid track",
                         "offset 17")
        self.assertUsage(pos("card", "track2", "41111=2512"), "invalid PAN")
        self.assertUsage(pos("card", "track2", "4111111111111111=2512201AB"), "offset 24")
        self.assertUsage(pos("card", "track2", "4" * 41), "longer than 40")
        self.assertUsage(pos("card", "track2"), "exactly one")
        r = pos("card", "track2", "4111111111111111=25A2")
        self.assertNotIn("4111111111111111", r.err)

    def test_track1(self):
        t1 = "%B4815881002867896^YATES/EUGENE JOHN         ^37829821000123456789?"
        r = self.assertOk(pos("card", "track1", t1))
        self.assertEqual(r.json(), {"pan": "4815881002867896", "name": "YATES/EUGENE JOHN" + " " * 9,
                                    "expiry": "3782", "service_code": "982",
                                    "discretionary": "1000123456789"})

    def test_track1_absent_and_mask(self):
        t1 = "%B4815881002861896^YATES/EUGENE L            ^^^356858      00998000000?"
        r = self.assertOk(pos("card", "track1", "--mask", t1))
        j = r.json()
        self.assertEqual(j["pan"], "481588******1896")
        self.assertIsNone(j["expiry"])
        self.assertIsNone(j["service_code"])
        self.assertEqual(j["discretionary"], "*" * 23)

    def test_track1_errors(self):
        self.assertUsage(pos("card", "track1", "%A4111111111111111^DOE/JOHN^2512101?"),
                         "invalid track", "format code")
        self.assertUsage(pos("card", "track1", "B4111111111111111^DOE/JOHN"), "'^'")
        self.assertUsage(pos("card", "track1", "B4111111111111111^X^2512"), "name")
        self.assertUsage(pos("card", "track1", "B41111^DOE/JOHN^2512"), "invalid PAN")


class TestCardExpiry(CliTestCase):
    def test_not_expired_through_end_of_month(self):
        r = self.assertOk(pos("card", "expiry", "2512", "--now", "2512"))
        self.assertEqual(r.json(), {"expiry": "2512", "expired": False})
        self.assertOk(pos("card", "expiry", "--now", "2412", "2512"))

    def test_expired(self):
        r = self.assertFailed(pos("card", "expiry", "2512", "--now", "2601"), "expired")
        self.assertEqual(r.json(), {"expiry": "2512", "expired": True})

    def test_clock(self):
        self.assertOk(pos("card", "expiry", "9912"))
        self.assertFailed(pos("card", "expiry", "0001"), "expired")

    def test_bad(self):
        self.assertUsage(pos("card", "expiry", "2513"), "invalid expiry", "month 13")
        self.assertUsage(pos("card", "expiry", "251"), "invalid expiry")
        self.assertUsage(pos("card", "expiry", "2512", "--now", "2600"), "--now")
        self.assertUsage(pos("card", "expiry", "2512", "--now"), "needs a value")


class TestCardServiceCode(CliTestCase):
    def test_meanings(self):
        r = self.assertOk(pos("card", "service-code", "201"))
        self.assertEqual(r.json(), {"service_code": "201", "interchange": "international",
                                    "chip": True, "authorization": "normal", "services": "all",
                                    "pin": "none"})
        j = self.assertOk(pos("card", "service-code", "620")).json()
        self.assertEqual((j["interchange"], j["chip"], j["authorization"], j["pin"]),
                         ("national", True, "online", "required"))
        j = self.assertOk(pos("card", "service-code", "101")).json()
        self.assertFalse(j["chip"])
        j = self.assertOk(pos("card", "service-code", "723")).json()
        self.assertEqual((j["interchange"], j["services"], j["pin"], j["authorization"]),
                         ("private", "atm", "required", "online"))
        j = self.assertOk(pos("card", "service-code", "946")).json()
        self.assertEqual((j["interchange"], j["authorization"], j["pin"]),
                         ("test", "online_unless_agreed", "if_feasible"))
        j = self.assertOk(pos("card", "service-code", "018")).json()
        self.assertEqual((j["interchange"], j["authorization"], j["services"], j["pin"]),
                         ("reserved", "reserved", "reserved", "reserved"))

    def test_bad(self):
        self.assertUsage(pos("card", "service-code", "2a1"), "non-digit", "offset 1")
        self.assertUsage(pos("card", "service-code", "20"), "invalid length")
        self.assertUsage(pos("card", "service-code", "2011"), "invalid length")


class TestCardUsage(CliTestCase):
    def test_help(self):
        for args in (("--help",), ("help",), ("check", "--help"), ("track2", "--help"),
                     ("track1", "--help"), ("expiry", "--help"), ("service-code", "--help")):
            with self.subTest(args=args):
                r = self.assertOk(pos("card", *args))
                self.assertIn("pos card check PAN", r.text)

    def test_errors(self):
        self.assertUsage(pos("card"), "card", "subcommand")
        self.assertUsage(pos("card", "frob"), "card", "unknown subcommand")


if __name__ == "__main__":
    main()
