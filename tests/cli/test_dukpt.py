"""pos dukpt: DUKPT keys and PIN encipherment (DESIGN.md §6, docs/dukpt.md).

Vectors:
- TDES: ANSI X9.24-1-2009 Annex A.4 (BDK 0123456789ABCDEFFEDCBA9876543210,
  initial KSN FFFF9876543210E00000, PIN 1234, PAN 4012345678909).
- AES: the ANSI X9.24-3-2017 supplement test vectors (BDK
  FEDCBA9876543210F1F1F1F1F1F1F1F1, initial key ID 1234567890123456).
- Data keys and AES format 4 blocks, for which no published vector was
  found, are checked by an independent route: the openssl command line.
"""
import binascii
import shutil
import subprocess
import unittest

from clitest import CliTestCase, main, pos

BDK = "0123456789ABCDEFFEDCBA9876543210"
KSN1 = "FFFF9876543210E00001"
PAN = "4012345678909"
AES_BDK = "FEDCBA9876543210F1F1F1F1F1F1F1F1"
AES_KSN1 = "123456789012345600000001"

# X9.24-1-2009 A.4.2: counter -> (transaction key, enciphered PIN block)
ANNEX_A = {
    1: ("042666B49184CFA368DE9628D0397BC9", "1B9C1845EB993A7A"),
    2: ("C46551CEF9FD24B0AA9AD834130D3BC7", "10A01C8D02C69107"),
    8: ("27F66D5244FF62E1AA6F6120EDEB4280", "50E55547A5027551"),
    0x15: ("E161D1956A61F6D2F37AFD7F9CC3699A", "72105C22EBC791E6"),
}

HAVE_OPENSSL = shutil.which("openssl") is not None


def openssl_ecb(cipher, key, data, decrypt=False):
    args = ["openssl", "enc", "-" + cipher, "-K", key, "-nopad"]
    if decrypt:
        args.insert(2, "-d")
    out = subprocess.run(args, input=binascii.unhexlify(data), stdout=subprocess.PIPE,
                         check=True).stdout
    return out.hex().upper()


def xor_hex(a, b):
    return bytes(x ^ y for x, y in zip(bytes.fromhex(a), bytes.fromhex(b))).hex().upper()


class TestDukptHelp(CliTestCase):
    def test_help(self):
        for args in (("--help",), ("keys", "--help"), ("encrypt-pin", "--help"),
                     ("decrypt-pin", "-h"), ("ksn-next", "--help")):
            r = self.assertOk(pos("dukpt", *args))
            self.assertIn("usage: pos dukpt keys", r.text)

    def test_usage_errors(self):
        self.assertUsage(pos("dukpt"), "subcommand")
        self.assertUsage(pos("dukpt", "frob"), "frob", "unknown subcommand")
        self.assertUsage(pos("dukpt", "keys", "--ksn", KSN1), "--bdk")
        self.assertUsage(pos("dukpt", "keys", "--bdk", BDK), "--ksn")
        self.assertUsage(pos("dukpt", "keys", "--bdk", BDK, "--ksn", KSN1, "--bogus"),
                         "unknown option")
        self.assertUsage(pos("dukpt", "keys", "--bdk", BDK, "--ksn", KSN1, "extra"),
                         "unexpected argument")
        self.assertUsage(pos("dukpt", "keys", "--bdk"), "needs a value")
        self.assertUsage(pos("dukpt", "keys", "--bdk", AES_BDK, "--ksn", AES_KSN1,
                             "--aes128", "--aes256"), "one of")
        self.assertUsage(pos("dukpt", "encrypt-pin", "--bdk", BDK, "--ksn", KSN1,
                             "--pin", "1234"), "--pan")


class TestDukptTdes(CliTestCase):
    def test_keys_annex_a(self):
        r = self.assertOk(pos("dukpt", "keys", "--bdk", BDK, "--ksn", KSN1))
        j = r.json()
        self.assertEqual(set(j), {"ipek", "transaction", "pin", "mac_request",
                                  "mac_response", "data_request", "data_response"})
        self.assertEqual(j["ipek"], "6AC292FAA1315B4D858AB3A3D7D5933A")
        self.assertEqual(j["transaction"], ANNEX_A[1][0])
        # A.4.1 table A-1 variants
        self.assertEqual(j["pin"], "042666B49184CF5C68DE9628D0397B36")
        self.assertEqual(j["mac_request"], "042666B4918430A368DE9628D03984C9")
        self.assertEqual(j["mac_response"], "042666B46E84CFA368DE96282F397BC9")
        for c, (key, _) in ANNEX_A.items():
            ksn = KSN1[:-5] + "%05X" % c
            r = self.assertOk(pos("dukpt", "keys", "--bdk", BDK.lower(), "--ksn", ksn.lower()))
            self.assertEqual(r.json()["transaction"], key)

    @unittest.skipUnless(HAVE_OPENSSL, "openssl command line not installed")
    def test_data_keys_openssl(self):
        # the data variants, then each half enciphered under the variant itself
        j = self.assertOk(pos("dukpt", "keys", "--bdk", BDK, "--ksn", KSN1)).json()
        for name, mask in (("data_request", "0000000000FF0000" * 2),
                           ("data_response", "000000FF00000000" * 2)):
            variant = xor_hex(j["transaction"], mask)
            self.assertEqual(j[name], openssl_ecb("des-ede", variant, variant))

    def test_encrypt_pin_annex_a(self):
        for c, (_, block) in ANNEX_A.items():
            ksn = KSN1[:-5] + "%05X" % c
            r = self.assertOk(pos("dukpt", "encrypt-pin", "--bdk", BDK, "--ksn", ksn,
                                  "--pin", "1234", "--pan", PAN))
            self.assertEqual(r.text.strip(), block)
        r = self.assertOk(pos("dukpt", "encrypt-pin", "--bdk", BDK, "--ksn", KSN1,
                              "--pin", "1234", "--pan", PAN, "--json"))
        self.assertEqual(r.json(), {"pin_block": ANNEX_A[1][1], "ksn": KSN1})

    def test_decrypt_pin(self):
        r = self.assertOk(pos("dukpt", "decrypt-pin", "--bdk", BDK, "--ksn", KSN1,
                              "--block", ANNEX_A[1][1], "--pan", PAN))
        self.assertEqual(r.text.strip(), "1234")
        r = self.assertOk(pos("dukpt", "decrypt-pin", "--bdk", BDK, "--ksn", KSN1,
                              "--block", ANNEX_A[1][1], "--pan", PAN, "--json"))
        self.assertEqual(r.json(), {"pin": "1234"})
        # the block of counter 1 under counter 2's key, or for another PAN
        r = self.assertFailed(pos("dukpt", "decrypt-pin", "--bdk", BDK,
                                  "--ksn", KSN1[:-1] + "2", "--block", ANNEX_A[1][1],
                                  "--pan", PAN), "--block")
        r = self.assertFailed(pos("dukpt", "decrypt-pin", "--bdk", BDK, "--ksn", KSN1,
                                  "--block", ANNEX_A[1][1], "--pan", "4111111111111111"))
        self.assertNotIn("4111111111111111", r.err)
        self.assertUsage(pos("dukpt", "decrypt-pin", "--bdk", BDK, "--ksn", KSN1,
                             "--block", "1B9C1845EB99", "--pan", PAN), "--block", "8 bytes")

    def test_bad_input(self):
        self.assertUsage(pos("dukpt", "keys", "--bdk", BDK[:-2], "--ksn", KSN1),
                         "--bdk", "16 bytes")
        self.assertUsage(pos("dukpt", "keys", "--bdk", "XY" + BDK[2:], "--ksn", KSN1),
                         "--bdk", "invalid hex")
        self.assertUsage(pos("dukpt", "keys", "--bdk", BDK, "--ksn", KSN1[:-2]),
                         "--ksn", "10 bytes")
        self.assertUsage(pos("dukpt", "keys", "--bdk", BDK, "--ksn", KSN1 + "0"),
                         "--ksn", "invalid hex")
        r = self.assertUsage(pos("dukpt", "encrypt-pin", "--bdk", BDK, "--ksn", KSN1,
                                 "--pin", "12", "--pan", PAN), "--pin")
        self.assertUsage(pos("dukpt", "encrypt-pin", "--bdk", BDK, "--ksn", KSN1,
                             "--pin", "12a4", "--pan", PAN), "--pin")
        self.assertUsage(pos("dukpt", "encrypt-pin", "--bdk", BDK, "--ksn", KSN1,
                             "--pin", "1234", "--pan", "40123X"), "--pan")

    def test_unusable_counters(self):
        # 11 one-bits, and counter 0: exit 1, naming the counter, no secret
        r = self.assertFailed(pos("dukpt", "keys", "--bdk", BDK,
                                  "--ksn", "FFFF9876543210E007FF"), "key serial number",
                              "11 one-bits")
        self.assertNotIn(BDK, r.err)
        self.assertFailed(pos("dukpt", "keys", "--bdk", BDK, "--ksn", "FFFF9876543210E00000"),
                          "counter is 0")
        r = self.assertFailed(pos("dukpt", "encrypt-pin", "--bdk", BDK,
                                  "--ksn", "FFFF9876543210E007FF", "--pin", "1234",
                                  "--pan", PAN), "one-bits")
        self.assertNotIn("1234", r.err)

    def test_ksn_next(self):
        # X9.24-1-2009 A.4.3: the counters after 0FF800 skip those of 11 one-bits
        seq = ["EFF800", "EFF801", "EFF802", "EFF804", "EFF808", "EFF810", "EFF820",
               "EFF840", "EFF880", "EFF900", "EFFA00", "EFFC00", "F00000"]
        for a, b in zip(seq, seq[1:]):
            r = self.assertOk(pos("dukpt", "ksn-next", "--ksn", "FFFF9876543210" + a))
            self.assertEqual(r.text.strip(), "FFFF9876543210" + b)
        r = self.assertOk(pos("dukpt", "ksn-next", "--ksn", KSN1, "--json"))
        self.assertEqual(r.json(), {"ksn": "FFFF9876543210E00002", "counter": 2})
        self.assertFailed(pos("dukpt", "ksn-next", "--ksn", "FFFF9876543210FFF800"),
                          "exhausted")
        self.assertUsage(pos("dukpt", "ksn-next", "--ksn", "FFFF98"), "--ksn")
        self.assertUsage(pos("dukpt", "ksn-next"), "--ksn")


class TestDukptAes(CliTestCase):
    def test_keys_aes128(self):
        r = self.assertOk(pos("dukpt", "keys", "--bdk", AES_BDK, "--ksn", AES_KSN1, "--aes128"))
        self.assertEqual(r.json(), {
            "initial_key": "1273671EA26AC29AFA4D1084127652A1",
            "pin": "AF8CB133A78F8DC2D1359F18527593FB",
            "mac_generation": "A2DC23DE6FDE0824A2BC321E08E4B8B7",
            "mac_verification": "DBB463945B286C07CD3AD82EE96FD9C9",
            "data_encryption": "A35C412EFD41FDB98B69797C02DCD08F",
            "data_decryption": "16292C6EA8F64C5420A0584BFBC577BE",
        })
        r = self.assertOk(pos("dukpt", "keys", "--bdk", AES_BDK,
                              "--ksn", "1234567890123456FFFF0000", "--aes128"))
        self.assertEqual(r.json()["pin"], "27EFAC1D158632588F4AC69E45C247C4")

    def test_keys_aes256(self):
        bdk = AES_BDK * 2
        r = self.assertOk(pos("dukpt", "keys", "--bdk", bdk, "--ksn", AES_KSN1, "--aes256"))
        j = r.json()
        self.assertEqual(j["initial_key"], "CE9CE0C101D1138F97FB6CAD4DF045A7"
                                           "083D4EAE2D35A31789D01CCF0949550F")
        self.assertEqual(j["pin"], "8C1AB7BEE973829E30242E0BBBDD4946"
                                   "D540C98FC1B5BDCF94790001A23FD502")
        # AES-128 working keys from an AES-256 BDK are allowed
        r = self.assertOk(pos("dukpt", "keys", "--bdk", bdk, "--ksn", AES_KSN1, "--aes128"))
        self.assertEqual(len(r.json()["pin"]), 32)

    def test_aes_bad_input(self):
        self.assertUsage(pos("dukpt", "keys", "--bdk", AES_BDK, "--ksn", AES_KSN1, "--aes256"),
                         "--aes256", "AES-256 BDK")
        self.assertUsage(pos("dukpt", "keys", "--bdk", AES_BDK[:-2], "--ksn", AES_KSN1,
                             "--aes128"), "--bdk", "16, 24 or 32")
        self.assertUsage(pos("dukpt", "keys", "--bdk", AES_BDK, "--ksn", KSN1, "--aes128"),
                         "--ksn", "12 bytes")
        r = self.assertFailed(pos("dukpt", "keys", "--bdk", AES_BDK,
                                  "--ksn", "12345678901234560001FFFF", "--aes128"),
                              "17 one-bits")
        self.assertNotIn(AES_BDK, r.err)
        self.assertFailed(pos("dukpt", "ksn-next", "--ksn", "1234567890123456FFFF0000"),
                          "exhausted")
        r = self.assertOk(pos("dukpt", "ksn-next", "--ksn", "12345678901234560001FFFE"))
        self.assertEqual(r.text.strip(), "123456789012345600020000")

    def test_encrypt_decrypt_pin_aes(self):
        args = ("--bdk", AES_BDK, "--ksn", AES_KSN1, "--aes128", "--pan", "4111111111111111")
        a = self.assertOk(pos("dukpt", "encrypt-pin", "--pin", "1234", *args)).text.strip()
        b = self.assertOk(pos("dukpt", "encrypt-pin", "--pin", "1234", *args)).text.strip()
        self.assertEqual(len(a), 32)
        self.assertNotEqual(a, b)  # format 4 has a random fill
        for block in (a, b):
            r = self.assertOk(pos("dukpt", "decrypt-pin", "--block", block, *args))
            self.assertEqual(r.text.strip(), "1234")
        self.assertFailed(pos("dukpt", "decrypt-pin", "--block", a, "--bdk", AES_BDK,
                              "--ksn", AES_KSN1[:-1] + "2", "--aes128",
                              "--pan", "4111111111111111"), "--block")
        self.assertUsage(pos("dukpt", "decrypt-pin", "--block", a[:16], *args), "16")

    @unittest.skipUnless(HAVE_OPENSSL, "openssl command line not installed")
    def test_format4_openssl(self):
        # ISO 9564-1:2017 9.4.2: block = E(K, E(K, PIN field) XOR PAN field);
        # deciphered here with the openssl command line and the supplement's
        # AES-128 PIN key of counter 1.
        key = "AF8CB133A78F8DC2D1359F18527593FB"
        pan_field = "44111111111111111000000000000000"
        r = self.assertOk(pos("dukpt", "encrypt-pin", "--bdk", AES_BDK, "--ksn", AES_KSN1,
                              "--aes128", "--pin", "1234", "--pan", "4111111111111111"))
        inner = openssl_ecb("aes-128-ecb", key, r.text.strip(), decrypt=True)
        pin_field = openssl_ecb("aes-128-ecb", key, xor_hex(inner, pan_field), decrypt=True)
        self.assertEqual(pin_field[:16], "441234AAAAAAAAAA")


if __name__ == "__main__":
    main()
