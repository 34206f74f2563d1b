"""pos pvv generate|verify|offset|offset-verify (docs/keys.md)."""
from clitest import CliTestCase, main, pos

PVK = "0123456789ABCDEFFEDCBA9876543210"
PAN = "1122334455667788"
TAB = "1234567890123456"


class TestPvv(CliTestCase):
    def test_help(self):
        r = self.assertOk(pos("pvv", "--help"))
        for s in ("generate", "verify", "offset", "offset-verify", "--pvki", "--dectab"):
            self.assertIn(s, r.text)
        self.assertOk(pos("pvv", "offset", "--help"))

    def test_visa_generate(self):
        # test values of the psec project (tests/test_pin.py)
        for pvki, pin, pan, want in (("1", "4524", PAN, "8523"), ("2", "1912", PAN, "3244"),
                                     ("1", "0570", "1122334455667718", "3144")):
            r = self.assertOk(pos("pvv", "generate", "--pvk", PVK, "--pan", pan, "--pin", pin,
                                  "--pvki", pvki))
            self.assertEqual(r.text, want + "\n")
        j = self.assertOk(pos("pvv", "generate", "--pvk", PVK, "--pan", PAN, "--pin", "4524",
                              "--pvki", "1", "--json")).json()
        self.assertEqual(j, {"pvv": "8523"})

    def test_visa_verify(self):
        r = self.assertOk(pos("pvv", "verify", "--pvk", PVK, "--pan", PAN, "--pin", "4524",
                              "--pvki", "1", "--pvv", "8523"))
        self.assertEqual(r.json(), {"valid": True})
        r = self.assertFailed(pos("pvv", "verify", "--pvk", PVK, "--pan", PAN, "--pin", "4525",
                                  "--pvki", "1", "--pvv", "8523"), "PIN verification failed")
        for secret in ("4525", PAN, PVK, "8523"):
            self.assertNotIn(secret, r.err)
        # PIN from standard input
        self.assertOk(pos("pvv", "verify", "--pvk", PVK, "--pan", PAN, "--pin", "-",
                          "--pvki", "1", "--pvv", "8523", stdin="4524\n"))

    def test_ibm3624(self):
        # psec project's IBM 3624 test values (table 1234567890123456)
        for pin, want in (("4524", "0000"), ("1234", "7710"), ("0000", "6586")):
            r = self.assertOk(pos("pvv", "offset", "--pvk", PVK, "--validation-data", PAN,
                                  "--pin", pin, "--dectab", TAB))
            self.assertEqual(r.text, want + "\n")
        r = self.assertOk(pos("pvv", "offset", "--pvk", PVK, "--validation-data", "22334455667788",
                              "--pad", "1", "--pin", "5550", "--dectab", TAB, "--json"))
        self.assertEqual(r.json(), {"offset": "0000"})
        self.assertOk(pos("pvv", "offset-verify", "--pvk", PVK, "--validation-data", PAN,
                          "--pin", "1234", "--dectab", TAB, "--offset", "7710"))
        r = self.assertFailed(pos("pvv", "offset-verify", "--pvk", PVK, "--validation-data", PAN,
                                  "--pin", "1235", "--dectab", TAB, "--offset", "7710"),
                              "PIN verification failed")
        self.assertNotIn("1235", r.err)

    def test_bad_input(self):
        self.assertUsage(pos("pvv"), "subcommand")
        self.assertUsage(pos("pvv", "make"), "unknown subcommand")
        self.assertUsage(pos("pvv", "generate", "--pvk", PVK, "--pan", PAN, "--pvki", "1"), "--pin")
        self.assertUsage(pos("pvv", "generate", "--pvk", PVK, "--pan", PAN, "--pin", "4524"), "--pvki")
        self.assertUsage(pos("pvv", "generate", "--pvk", PVK, "--pan", PAN, "--pin", "4524",
                             "--pvki", "7"), "--pvki")
        self.assertUsage(pos("pvv", "generate", "--pvk", PVK, "--pan", PAN, "--pin", "45",
                             "--pvki", "1"), "--pin")
        self.assertUsage(pos("pvv", "generate", "--pvk", PVK, "--pan", PAN, "--pin", "45x4",
                             "--pvki", "1"), "--pin")
        self.assertUsage(pos("pvv", "generate", "--pvk", PVK, "--pan", "123", "--pin", "4524",
                             "--pvki", "1"), "--pan")
        self.assertUsage(pos("pvv", "generate", "--pvk", PVK[:20], "--pan", PAN, "--pin", "4524",
                             "--pvki", "1"), "--pvk")
        self.assertUsage(pos("pvv", "verify", "--pvk", PVK, "--pan", PAN, "--pin", "4524",
                             "--pvki", "1"), "--pvv")
        self.assertUsage(pos("pvv", "verify", "--pvk", PVK, "--pan", PAN, "--pin", "4524",
                             "--pvki", "1", "--pvv", "85"), "--pvv")
        self.assertUsage(pos("pvv", "offset", "--pvk", PVK, "--pin", "1234"), "--validation-data")
        self.assertUsage(pos("pvv", "offset", "--pvk", PVK, "--validation-data", "XYZ",
                             "--pin", "1234"), "--validation-data")
        self.assertUsage(pos("pvv", "offset", "--pvk", PVK, "--validation-data", PAN,
                             "--pin", "1234", "--dectab", "123"), "--dectab")
        self.assertUsage(pos("pvv", "offset-verify", "--pvk", PVK, "--validation-data", PAN,
                             "--pin", "1234"), "--offset")
        self.assertUsage(pos("pvv", "offset-verify", "--pvk", PVK, "--validation-data", PAN,
                             "--pin", "1234", "--offset", "771"), "--offset")
        self.assertUsage(pos("pvv", "verify", "--pvk", PVK, "--pan", PAN, "--pin", "-",
                             "--pvki", "1", "--pvv", "8523", stdin=""), "standard input")


if __name__ == "__main__":
    main()
