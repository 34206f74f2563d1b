"""pos mac: MACs (DESIGN.md §6), against published vectors."""
from clitest import CliTestCase, main, pos

K2 = "0123456789ABCDEFFEDCBA9876543210"
NOW_ALL = b"Now is the time for all ".hex().upper()
NOW_IT = b"Now is the time for it".hex().upper()
# A real China UnionPay purchase MAB whose field 64 is "B3A092AE" under TAK
# 0723C80DB5F4CD3D0723C80DB5F4CD3D (https://q.cnblogs.com/q/128930).
CUP_MAB = ("02003020048000C08015000000000000001234000002030099303030303030303139353237313831383232313"
           "738373531353600192600000100060000000000435F01123238343431323334353637383930313233345F0306"
           "3136303033365F04063230303832365C023031")


class TestMac(CliTestCase):
    def mac(self, *args, stdin=b""):
        return self.assertOk(pos("mac", *args, stdin=stdin)).text

    def test_iso9797_annex_b(self):
        # ISO/IEC 9797-1:2011 Annex B.4 (algorithm 3 = X9.19 with padding 1)
        self.assertEqual(self.mac("--alg", "x919", "--key", K2, "--data", NOW_ALL), "A1C72E74EA3FA9B6\n")
        self.assertEqual(self.mac("--alg", "iso9797-1-alg3", "--key", K2, "--data", NOW_IT), "2E2B1428CC78254F\n")
        self.assertEqual(self.mac("--alg", "x919", "--key", K2, "--data", NOW_ALL, "--padding", "2"),
                         "E9086230CA3BE796\n")
        self.assertEqual(self.mac("--alg", "x919", "--key", K2, "--data", NOW_IT, "--padding", "3"),
                         "C59F7EED328DDD69\n")
        # Annex B.2 (algorithm 1, DES): the leftmost 32 bits are published
        self.assertTrue(self.mac("--alg", "iso9797-1-alg1", "--key", "0123456789ABCDEF", "--data", NOW_IT,
                                 "--padding", "2").startswith("A924C721"))
        self.assertTrue(self.mac("--alg", "iso9797-1-alg1", "--key", "0123456789ABCDEF", "--data", NOW_ALL,
                                 "--padding", "3").startswith("2C58FB8F"))

    def test_cmac(self):
        # RFC 4493 §4 example 2; NIST TDES_CMAC example (two-key TDEA, 20 bytes)
        self.assertEqual(self.mac("--alg", "aes-cmac", "--key", "2b7e151628aed2a6abf7158809cf4f3c",
                                  "--data", "6bc1bee22e409f96e93d7e117393172a"),
                         "070A16B46B4D4144F79BDD9DD04A287C\n")
        self.assertEqual(self.mac("--alg", "aes-cmac", "--key", "2b7e151628aed2a6abf7158809cf4f3c", "--data", ""),
                         "BB1D6929E95937287FA37D129B756746\n")
        self.assertEqual(self.mac("--alg", "tdes-cmac", "--key", "0123456789ABCDEF23456789ABCDEF01",
                                  "--data", "6bc1bee22e409f96e93d7e117393172aae2d8a57"), "C06D377ECD101969\n")
        # GB/T 15852.1-2020 Annex B.6 (SM4 CMAC)
        self.assertEqual(self.mac("--alg", "sm4-cmac", "--key", K2,
                                  "--data", b"This is the test message for mac".hex()),
                         "692C437100F3B5EE2B8ABCEF373D990C\n")
        self.assertEqual(self.mac("--alg", "iso9797-1-alg1-sm4", "--key", K2, "--padding", "2",
                                  "--data", b"This is the test message for mac".hex()),
                         "4B6553AF3C4E27448412315AC7849535\n")

    def test_cup(self):
        self.assertEqual(self.mac("--alg", "cup-ecb", "--key", "0723C80DB5F4CD3D0723C80DB5F4CD3D",
                                  "--data", CUP_MAB), "B3A092AE\n")
        # the message from standard input, hex with whitespace
        self.assertEqual(self.mac("--alg", "cup-ecb", "--key", "0723C80DB5F4CD3D",
                                  stdin=CUP_MAB[:40] + "\n" + CUP_MAB[40:] + "\n"), "B3A092AE\n")
        # no published SM4 vector: cross-checked with an independent Python implementation
        self.assertEqual(self.mac("--alg", "cup-sm4", "--key", K2, "--data", CUP_MAB), "A580B05F\n")
        r = self.assertOk(pos("mac", "--alg", "cup-ecb", "--key", "0723C80DB5F4CD3D", "--data", CUP_MAB,
                              "--verify", "b3a092ae"))
        self.assertEqual(r.text, "OK\n")
        self.assertFailed(pos("mac", "--alg", "cup-ecb", "--key", "0723C80DB5F4CD3D", "--data", CUP_MAB,
                              "--verify", "B3A092AF"), "MAC mismatch")

    def test_json(self):
        r = self.assertOk(pos("mac", "--alg", "x919", "--key", K2, "--data", NOW_ALL, "--json"))
        self.assertEqual(r.json(), {"alg": "iso9797-1-alg3", "mac": "A1C72E74EA3FA9B6"})
        r = self.assertOk(pos("mac", "--alg", "x919", "--key", K2, "--data", NOW_ALL, "--json", "--verify",
                              "A1C72E74"))
        self.assertEqual(r.json(), {"verified": True})

    def test_verify(self):
        self.assertOk(pos("mac", "--alg", "x919", "--key", K2, "--data", NOW_ALL, "--verify", "A1C72E74EA3FA9B6"))
        self.assertOk(pos("mac", "--alg", "x919", "--key", K2, "--data", NOW_ALL, "--verify", "a1c72e74"))
        self.assertFailed(pos("mac", "--alg", "x919", "--key", K2, "--data", NOW_IT, "--verify", "A1C72E74"),
                          "MAC mismatch")
        self.assertUsage(pos("mac", "--alg", "x919", "--key", K2, "--data", NOW_ALL, "--verify", "A1C72E"),
                         "--verify")
        self.assertUsage(pos("mac", "--alg", "x919", "--key", K2, "--data", NOW_ALL, "--verify",
                             "A1C72E74EA3FA9B600"), "--verify")
        self.assertUsage(pos("mac", "--alg", "cup-ecb", "--key", K2, "--data", NOW_ALL, "--verify", "B3A092AEB"),
                         "--verify")
        self.assertUsage(pos("mac", "--alg", "cup-ecb", "--key", K2, "--data", NOW_ALL, "--verify", "B3A0G2AE"),
                         "--verify")

    def test_bad_input(self):
        self.assertUsage(pos("mac", "--key", K2, "--data", NOW_ALL), "--alg")
        self.assertUsage(pos("mac", "--alg", "hmac", "--key", K2, "--data", NOW_ALL), "--alg", "hmac")
        self.assertUsage(pos("mac", "--alg", "x919", "--data", NOW_ALL), "--key")
        r = self.assertUsage(pos("mac", "--alg", "x919", "--key", "0123456789ABCDEF", "--data", NOW_ALL),
                             "--key", "8 bytes")
        self.assertNotIn("0123456789ABCDEF", r.err)
        self.assertUsage(pos("mac", "--alg", "aes-cmac", "--key", "0123456789ABCDEF01", "--data", ""), "--key")
        self.assertUsage(pos("mac", "--alg", "cup-sm4", "--key", "0123456789ABCDEF", "--data", ""), "--key")
        self.assertUsage(pos("mac", "--alg", "x919", "--key", "0123456789ABCDEFFEDCBA987654321", "--data", ""),
                         "--key", "hex")
        self.assertUsage(pos("mac", "--alg", "x919", "--key", K2, "--data", "ABC"), "--data", "hex")
        self.assertUsage(pos("mac", "--alg", "x919", "--key", K2, "--data", "zz"), "--data")
        self.assertUsage(pos("mac", "--alg", "x919", "--key", K2, "--data", NOW_ALL, "--padding", "4"), "--padding")
        self.assertUsage(pos("mac", "--alg", "aes-cmac", "--key", "2b7e151628aed2a6abf7158809cf4f3c",
                             "--data", "", "--padding", "1"), "--padding")
        self.assertUsage(pos("mac", "--alg", "cup-ecb", "--key", K2, "--data", "", "--padding", "2"), "--padding")
        self.assertUsage(pos("mac", "--alg", "x919", "--key", K2, stdin="4E6F7G"), "hex")
        self.assertUsage(pos("mac", "--alg", "x919", "--key", K2, "extra"), "extra")

    def test_help(self):
        r = self.assertOk(pos("mac", "--help"))
        for alg in ("x919", "iso9797-1-alg1", "aes-cmac", "tdes-cmac", "cup-ecb", "cup-sm4"):
            self.assertIn(alg, r.text)
        self.assertEqual(pos("mac").rc, 2)


if __name__ == "__main__":
    main()
