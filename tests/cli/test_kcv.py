"""pos kcv: key check values (DESIGN.md §6)."""
from clitest import CliTestCase, main, pos


class TestKcv(CliTestCase):
    def test_tdes(self):
        # the X9.24-1-2009 Annex A BDK's widely published check value 08D7B4
        r = self.assertOk(pos("kcv", "--key", "0123456789ABCDEFFEDCBA9876543210"))
        self.assertEqual(r.text, "08D7B4\n")
        r = self.assertOk(pos("kcv", "--key", "0123456789abcdeffedcba9876543210", "--len", "8", "--json"))
        self.assertEqual(r.json(), {"kcv": "08D7B4FB629D0885"})

    def test_sm4(self):
        # UnionPay SM4 sign-on example (blog.csdn.net/M_Kerry/article/details/104625499):
        # PIK F351D490994603795C6EBEE8FAEBB481 has the published check value 861E83E31FAEBF10
        r = self.assertOk(pos("kcv", "--sm4", "--key", "F351D490994603795C6EBEE8FAEBB481", "--len", "8"))
        self.assertEqual(r.text, "861E83E31FAEBF10\n")

    def test_aes(self):
        # AES-CMAC(K, 0^16) for the RFC 4493 key (see tests/lib/crypto/test_kcv.c)
        r = self.assertOk(pos("kcv", "--aes", "--key", "2b7e151628aed2a6abf7158809cf4f3c"))
        self.assertEqual(r.text, "7AD386\n")

    def test_verify(self):
        self.assertOk(pos("kcv", "--key", "0123456789ABCDEFFEDCBA9876543210", "--verify", "08d7b4"))
        self.assertFailed(pos("kcv", "--key", "0123456789ABCDEFFEDCBA9876543210", "--verify", "08D7B5"),
                          "mismatch")

    def test_bad_input(self):
        key = "0123456789ABCDEFFEDCBA98765432"
        r = self.assertUsage(pos("kcv", "--key", key), "--key", "15 bytes")
        self.assertNotIn(key, r.err)
        self.assertUsage(pos("kcv", "--key", "0123456789ABCDEF0", ), "--key", "hex")
        self.assertUsage(pos("kcv", "--aes", "--key", "0123456789ABCDEF"), "AES")
        self.assertUsage(pos("kcv", "--sm4", "--key", "0123456789ABCDEF"), "SM4")
        self.assertUsage(pos("kcv", "--aes", "--sm4", "--key", "0123456789ABCDEF"), "--sm4")
        self.assertUsage(pos("kcv", "--key", "0123456789ABCDEF", "--len", "9"), "--len")
        self.assertUsage(pos("kcv", "--key", "0123456789ABCDEF", "--len", "0"), "--len")
        self.assertUsage(pos("kcv", "--key", "0123456789ABCDEF", "--len", "x"), "--len")
        self.assertUsage(pos("kcv", "--key", "0123456789ABCDEF", "--verify", "zz"), "--verify")
        self.assertUsage(pos("kcv", "--len", "3"), "--key")
        self.assertUsage(pos("kcv", "--frob"), "--frob")

    def test_help(self):
        r = self.assertOk(pos("kcv", "--help"))
        self.assertIn("--sm4", r.text)
        self.assertEqual(pos("kcv").rc, 2)


if __name__ == "__main__":
    main()
