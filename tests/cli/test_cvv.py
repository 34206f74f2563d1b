"""pos cvv generate|verify (docs/keys.md)."""
from clitest import CliTestCase, main, pos

# The classic Visa CVV worked example: CVK A 0123456789ABCDEF, CVK B
# FEDCBA9876543210, PAN 4123456789012345, expiry 8701, service code 101 -> 561.
CVK = "0123456789ABCDEFFEDCBA9876543210"
PAN = "4123456789012345"
BASE = ("--cvk", CVK, "--pan", PAN, "--expiry", "8701")


class TestCvv(CliTestCase):
    def test_help(self):
        r = self.assertOk(pos("cvv", "--help"))
        self.assertIn("--service-code", r.text)
        self.assertIn("--icvv", r.text)
        self.assertOk(pos("cvv", "generate", "--help"))

    def test_generate_published(self):
        r = self.assertOk(pos("cvv", "generate", *BASE, "--service-code", "101"))
        self.assertEqual(r.text, "561\n")
        j = self.assertOk(pos("cvv", "generate", *BASE, "--service-code", "101", "--json")).json()
        self.assertEqual(j, {"cvv": "561"})
        # psec project's test value
        r = self.assertOk(pos("cvv", "generate", "--cvk", "99999999999999998888888888888888",
                              "--pan", "2222222222222222", "--expiry", "3333",
                              "--service-code", "111"))
        self.assertEqual(r.text, "361\n")

    def test_cvv2_icvv(self):
        cvv2 = self.assertOk(pos("cvv", "generate", *BASE, "--cvv2")).text.strip()
        same = self.assertOk(pos("cvv", "generate", *BASE, "--service-code", "000")).text.strip()
        icvv = self.assertOk(pos("cvv", "generate", *BASE, "--icvv")).text.strip()
        same9 = self.assertOk(pos("cvv", "generate", *BASE, "--service-code", "999")).text.strip()
        self.assertEqual(cvv2, same)
        self.assertEqual(icvv, same9)
        self.assertRegex(cvv2, r"^\d{3}$")
        self.assertOk(pos("cvv", "verify", *BASE, "--cvv2", "--cvv", cvv2))

    def test_verify(self):
        r = self.assertOk(pos("cvv", "verify", *BASE, "--service-code", "101", "--cvv", "561"))
        self.assertEqual(r.json(), {"valid": True})
        r = self.assertFailed(pos("cvv", "verify", *BASE, "--service-code", "101", "--cvv", "562"),
                              "mismatch")
        self.assertNotIn(PAN, r.err)
        self.assertNotIn(CVK, r.err)
        self.assertNotIn("561", r.err)
        self.assertEqual(r.out, b"")

    def test_bad_input(self):
        self.assertUsage(pos("cvv"), "subcommand")
        self.assertUsage(pos("cvv", "check"), "unknown subcommand")
        self.assertUsage(pos("cvv", "generate", *BASE), "service code")
        self.assertUsage(pos("cvv", "verify", *BASE, "--service-code", "101"), "--cvv")
        self.assertUsage(pos("cvv", "verify", *BASE, "--service-code", "101", "--cvv", "56"), "--cvv")
        self.assertUsage(pos("cvv", "generate", *BASE, "--service-code", "1A1"), "service-code")
        self.assertUsage(pos("cvv", "generate", "--cvk", CVK[:16], "--pan", PAN, "--expiry", "8701",
                             "--cvv2"), "--cvk")
        self.assertUsage(pos("cvv", "generate", "--cvk", "ZZ", "--pan", PAN, "--expiry", "8701",
                             "--cvv2"), "--cvk")
        self.assertUsage(pos("cvv", "generate", "--cvk", CVK, "--pan", "12345", "--expiry", "8701",
                             "--cvv2"), "--pan")
        self.assertUsage(pos("cvv", "generate", "--cvk", CVK, "--pan", PAN, "--expiry", "87",
                             "--cvv2"), "--expiry")
        self.assertUsage(pos("cvv", "generate", *BASE, "--cvv2", "extra"), "unexpected")
        self.assertUsage(pos("cvv", "generate", *BASE, "--cvv2", "--nope"), "unknown option")


if __name__ == "__main__":
    main()
