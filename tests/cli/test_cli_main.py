"""pos itself: help, version, unknown commands (DESIGN.md §6)."""
from clitest import CliTestCase, main, pos


class TestMain(CliTestCase):
    def test_help_lists_every_command(self):
        r = self.assertOk(pos("--help"))
        for cmd in ("iso8583", "tlv", "card", "qr", "pinblock", "dukpt", "mac", "kcv"):
            self.assertIn(cmd, r.text)

    def test_no_args_is_usage(self):
        r = pos()
        self.assertEqual(r.rc, 2)
        self.assertIn("usage", r.err)

    def test_unknown_command(self):
        self.assertUsage(pos("frobnicate"), "frobnicate", "unknown command")

    def test_version(self):
        r = self.assertOk(pos("--version"))
        self.assertTrue(r.text.startswith("pos "))


if __name__ == "__main__":
    main()
