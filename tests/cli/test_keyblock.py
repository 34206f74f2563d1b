"""pos keyblock wrap|unwrap (ANSI X9.143 / TR-31; docs/keys.md)."""
from clitest import CliTestCase, main, pos

# ASC X9 TR-31-2018 Annex A.7.2.2 (version B), A.7.3.2 (B with KS) and A.7.4 (D).
KBPK_B = "DD7515F2BFC17F85CE48F3CA25CB21F6"
BLOCK_B = "B0080P0TE00E000094B420079CC80BA3461F86FE26EFC4A3B8E4FA4C5F5341176EED7B727B8A248E"
KBPK_KS = "1D22BF32387C600AD97F9B97A51311AC"
BLOCK_KS = ("B0104B0TX12S0100KS1800604B120F9292800000BB68BE8680A400D9191AD4ECE45B6E6C0D21C4738A5"
            "2190E248719E24B433627")
KBPK_D = "88E1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F44657DE6"
BLOCK_D = ("D0112P0AE00E0000B82679114F470F540165EDFBF7E250FCEA43F810D215F8D207E2E417C07156A27E8E3"
           "1DA05F7425509593D03A457DC34")
KEY = "3F419E1CB7079442AA37474C2EFBF8B8"


class TestKeyblock(CliTestCase):
    def test_help(self):
        r = self.assertOk(pos("keyblock", "--help"))
        self.assertIn("wrap", r.text)
        self.assertIn("unwrap", r.text)
        self.assertIn("--usage", r.text)
        self.assertOk(pos("keyblock", "wrap", "--help"))
        self.assertOk(pos("keyblock", "unwrap", "--help"))

    def test_unwrap_published_d(self):
        j = self.assertOk(pos("keyblock", "unwrap", "--kbpk", KBPK_D, "--block", BLOCK_D)).json()
        self.assertEqual(j["usage"], "P0")
        self.assertEqual(j["algorithm"], "A")
        self.assertEqual(j["mode"], "E")
        self.assertEqual(j["exportability"], "E")
        self.assertEqual(j["key"], KEY)
        self.assertEqual(j["kcv"], "08793E")  # AES CMAC KCV, as openemv/tr31 lists it

    def test_unwrap_published_b(self):
        j = self.assertOk(pos("keyblock", "unwrap", "--kbpk", KBPK_B.lower(), "--block", BLOCK_B)).json()
        self.assertEqual(j["key"], KEY)
        self.assertEqual(j["kcv"], "57C409")
        j = self.assertOk(pos("keyblock", "unwrap", "--kbpk", KBPK_KS, "--block", BLOCK_KS)).json()
        self.assertEqual(j["usage"], "B0")
        self.assertEqual(j["mode"], "X")
        self.assertEqual(j["key_version"], "12")
        self.assertEqual(j["exportability"], "S")
        self.assertEqual(j["optional_blocks"], {"KS": "00604B120F9292800000"})
        self.assertEqual(j["kcv"], "9A4212")

    def test_wrap_round_trip(self):
        for ver, kbpk, alg, key in (("B", KBPK_B, "T", "0123456789ABCDEFFEDCBA9876543210"),
                                    ("D", KBPK_D, "A", KEY),
                                    ("D", KBPK_D, "T", "0123456789ABCDEFFEDCBA9876543210")):
            r = self.assertOk(pos("keyblock", "wrap", "--kbpk", kbpk, "--key", key, "--usage", "P0",
                                  "--alg", alg, "--mode", "E", "--version-id", ver, "--kcv",
                                  "--ksn", "FFFF9876543210E00008"))
            block = r.text.strip()
            self.assertTrue(block.startswith(ver))
            self.assertEqual(int(block[1:5]), len(block))
            j = self.assertOk(pos("keyblock", "unwrap", "--kbpk", kbpk, "--block", block,
                                  "--usage", "P0", "--mode", "E")).json()
            self.assertEqual(j["key"], key)
            self.assertEqual(j["optional_blocks"]["KS"], "FFFF9876543210E00008")
            self.assertIn("KC", j["optional_blocks"])
            # random padding: two wraps differ
            r2 = self.assertOk(pos("keyblock", "wrap", "--kbpk", kbpk, "--key", key, "--usage",
                                   "P0", "--alg", alg, "--mode", "E", "--version-id", ver))
            self.assertNotEqual(r2.text.strip()[16:], block[16:])

    def test_default_version_is_d(self):
        r = self.assertOk(pos("keyblock", "wrap", "--kbpk", KBPK_D, "--key", KEY, "--usage", "D0",
                              "--alg", "A", "--mode", "B", "--export", "N"))
        self.assertTrue(r.text.startswith("D"))
        self.assertEqual(r.text[5:12], "D0AB00N")

    def test_mac_failure_exit_1(self):
        bad = BLOCK_D[:40] + ("0" if BLOCK_D[40] != "0" else "1") + BLOCK_D[41:]
        r = self.assertFailed(pos("keyblock", "unwrap", "--kbpk", KBPK_D, "--block", bad),
                              "key block authentication failed")
        self.assertNotIn(KEY, r.err)
        self.assertNotIn(KBPK_D, r.err)
        wrong = "00" + KBPK_D[2:]
        self.assertFailed(pos("keyblock", "unwrap", "--kbpk", wrong, "--block", BLOCK_D),
                          "authentication")
        self.assertEqual(pos("keyblock", "unwrap", "--kbpk", wrong, "--block", BLOCK_D).out, b"")

    def test_usage_forbidden_exit_1(self):
        self.assertFailed(pos("keyblock", "unwrap", "--kbpk", KBPK_D, "--block", BLOCK_D,
                              "--usage", "M3"), "usage")
        r = self.assertFailed(pos("keyblock", "unwrap", "--kbpk", KBPK_D, "--block", BLOCK_D,
                                  "--usage", "P0", "--mode", "D"), "mode of use")
        self.assertEqual(r.out, b"")

    def test_bad_input_exit_2(self):
        self.assertUsage(pos("keyblock"), "subcommand")
        self.assertUsage(pos("keyblock", "frob"), "unknown subcommand")
        self.assertUsage(pos("keyblock", "unwrap", "--kbpk", KBPK_D), "--block")
        self.assertUsage(pos("keyblock", "unwrap", "--kbpk", "XYZ", "--block", BLOCK_D), "--kbpk")
        self.assertUsage(pos("keyblock", "unwrap", "--kbpk", KBPK_D, "--block", BLOCK_D[:-2]),
                         "length field")
        self.assertUsage(pos("keyblock", "unwrap", "--kbpk", KBPK_D,
                             "--block", "A0072P0TE00E0000F5161ED902807AF26F1D62263644BD24192FDB3193C730301CEE8701"),
                         "unsupported")
        self.assertUsage(pos("keyblock", "unwrap", "--kbpk", KBPK_D[:40], "--block", BLOCK_D),
                         "invalid key length")
        self.assertUsage(pos("keyblock", "wrap", "--kbpk", KBPK_D, "--key", KEY), "--usage")
        self.assertUsage(pos("keyblock", "wrap", "--kbpk", KBPK_D, "--key", KEY[:30], "--usage",
                             "P0", "--alg", "A", "--mode", "E"), "key length")
        self.assertUsage(pos("keyblock", "wrap", "--kbpk", KBPK_D, "--key", KEY, "--usage", "ZZ",
                             "--alg", "A", "--mode", "E"), "usage")
        self.assertUsage(pos("keyblock", "wrap", "--kbpk", KBPK_D, "--key", KEY, "--usage", "P0",
                             "--alg", "AA", "--mode", "E"), "--alg")
        self.assertUsage(pos("keyblock", "wrap", "--kbpk", KBPK_D, "--key", KEY, "--usage", "P0",
                             "--alg", "A", "--mode", "E", "--version-id", "C"), "version")
        self.assertUsage(pos("keyblock", "wrap", "--kbpk", KBPK_D, "--key", KEY, "--usage", "P0",
                             "--alg", "A", "--mode", "E", "--version-id", "B"), "KBPK")
        self.assertUsage(pos("keyblock", "wrap", "--bogus"), "unknown option")


if __name__ == "__main__":
    main()
