"""pos admin: a host's database end to end (docs/admin.md).

Drives pos admin on a temporary SQLite file: init, merchants, terminals
(master/session and DUKPT, provisioning files checked with pos keyblock),
accounts, cards, queries, the audit log and the proof of the books, which a
balance corrupted with the sqlite3 tool makes fail. Every bad input exits 2
and leaves the database byte for byte as it was (sqlite3 .dump).
"""
import json
import os
import shutil
import stat
import subprocess
import tempfile

from clitest import CliTestCase, main, pos

MID = "123456789012345"


def sqlite(db, sql):
    return subprocess.run(["sqlite3", db, sql], check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE).stdout.decode()


class TestAdmin(CliTestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pos-admin-cli-")
        self.db = os.path.join(self.dir, "host.db")
        self.lmk = os.path.join(self.dir, "lmk")
        self.ktk = os.path.join(self.dir, "ktk")
        r = self.assertOk(self.admin("init", "--ktk-out", self.ktk))
        self.init = r.json()

    def tearDown(self):
        shutil.rmtree(self.dir)

    def admin(self, *args, lmk=True, stdin=b""):
        pre = ["admin", "--db", self.db, "--actor", "ops"]
        if lmk:
            pre += ["--lmk", self.lmk]
        return pos(*(pre + list(args)), stdin=stdin, env={"POS_LMK": ""})

    def dump(self):
        return sqlite(self.db, ".dump")

    def assertUnchanged(self, before, r, code=2, *fragments):
        if code == 2:
            self.assertUsage(r, *fragments)
        else:
            self.assertFailed(r, *fragments)
        self.assertEqual(self.dump(), before, "a refused command changed the database")

    def add_merchant(self, mid=MID):
        return self.assertOk(self.admin("merchant", "add", "--mid", mid, "--name", "Corner Shop",
                                        "--city", "Shanghai", "--mcc", "5411", "--currency", "CNY",
                                        "--mdr", "60", "--payout", "BANK-1")).json()

    def ktk_hex(self):
        with open(self.ktk) as f:
            return f.read().strip()

    # ---- init ---------------------------------------------------------------------

    def test_init(self):
        self.assertEqual(stat.S_IMODE(os.stat(self.lmk).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(self.ktk).st_mode), 0o600)
        self.assertRegex(self.ktk_hex(), r"^[0-9A-F]{32}$")
        self.assertEqual(self.init["lmk_file"], self.lmk)
        names = [k["name"] for k in self.init["keys"]]
        self.assertEqual(names[:4], ["pvk", "cvk", "pan-data", "pan-hash"])
        self.assertIn("ktk", names)
        kcv = self.assertOk(pos("kcv", "--key", self.ktk_hex())).text.strip()
        self.assertEqual(self.init["ktk_kcv"], kcv)
        before = self.dump()
        # once only
        self.assertUnchanged(before, self.admin("init", "--ktk-out", self.ktk + "2"), 1,
                             "already initialised")
        self.assertFalse(os.path.exists(self.ktk + "2"))
        self.assertUnchanged(before, self.admin("init", "--ktk-out", self.ktk), 1, "exists")

    def test_init_needs_lmk_and_default_ktk_path(self):
        db = os.path.join(self.dir, "b.db")
        self.assertUsage(pos("admin", "--db", db, "init", env={"POS_LMK": ""}), "--lmk")
        self.assertFalse(os.path.exists(db))
        lmk = os.path.join(self.dir, "lmk2")
        self.assertOk(pos("admin", "--db", db, "--lmk", lmk, "init", "--currency", "USD"))
        self.assertTrue(os.path.exists(db + ".ktk"))
        # a failed init removes the LMK file it created
        lmk3 = os.path.join(self.dir, "lmk3")
        self.assertFailed(pos("admin", "--db", db, "--lmk", lmk3, "init", "--ktk-out",
                              os.path.join(self.dir, "k3")))
        self.assertFalse(os.path.exists(lmk3))
        # the LMK from an environment variable
        with open(self.lmk) as f:
            hexkey = f.read().strip()
        j = self.assertOk(pos("admin", "--db", self.db, "keys", env={"POS_LMK": hexkey})).json()
        self.assertEqual(len(j), 7)
        self.assertOk(pos("admin", "--db", self.db, "--lmk-env", "MY_LMK", "keys",
                          env={"MY_LMK": hexkey}))

    def test_help(self):
        r = self.assertOk(pos("admin", "--help"))
        for word in ("init", "merchant add", "terminal add", "card issue", "check", "--lmk"):
            self.assertIn(word, r.text)
        self.assertIn("terminal suspend", self.assertOk(pos("admin", "terminal", "--help")).text)
        self.assertIn("--key-scheme", self.assertOk(pos("admin", "--db", "x", "terminal", "add",
                                                        "--help")).text)
        self.assertIn("--amount", self.assertOk(pos("admin", "card", "topup", "--help")).text)

    def test_usage_errors(self):
        before = self.dump()
        self.assertUsage(pos("admin", "keys"), "--db")
        self.assertUsage(pos("admin", "--db", self.db), "no command")
        self.assertUsage(self.admin("frobnicate"), "unknown command")
        self.assertUsage(self.admin("merchant", "fly"), "unknown command")
        self.assertUsage(self.admin("merchant", "list", "--bogus"), "unknown option")
        self.assertUsage(self.admin("merchant", "add", "--mid"), "needs a value")
        self.assertUsage(self.admin("merchant", "show"), "missing argument")
        self.assertUsage(self.admin("merchant", "list", "extra"), "unexpected argument")
        self.assertUsage(pos("admin", "--db", self.db, "--lmk", "a", "--lmk-env", "B", "keys"),
                         "not both")
        self.assertUsage(pos("admin", "--db", os.path.join(self.dir, "nope.db"), "keys"),
                         "no database")
        self.assertFalse(os.path.exists(os.path.join(self.dir, "nope.db")))
        self.assertEqual(self.dump(), before)

    def test_lmk_problems(self):
        os.chmod(self.lmk, 0o644)
        self.assertUsage(self.admin("keys"), "--lmk")
        os.chmod(self.lmk, 0o600)
        other = os.path.join(self.dir, "other-lmk")
        with open(other, "w") as f:
            f.write("00" * 32 + "\n")
        os.chmod(other, 0o600)
        r = pos("admin", "--db", self.db, "--lmk", other, "keys", env={"POS_LMK": ""})
        self.assertFailed(r, "local master key")

    # ---- merchants and terminals ----------------------------------------------------

    def test_merchants(self):
        m = self.add_merchant()
        self.assertEqual(m["mid"], MID)
        self.assertEqual(m["currency"], "CNY")
        self.assertEqual(m["mdr_bps"], 60)
        before = self.dump()
        self.assertUnchanged(before, self.admin("merchant", "add", "--mid", MID, "--name", "X",
                                                "--mcc", "5411", "--currency", "CNY", "--mdr", "1",
                                                "--payout", "B"), 1, "exists")
        bad = [
            (["--mid", "12345"], "mid"),
            (["--mid", "12345678901234!"], "mid"),
            (["--mcc", "54x1"], "mcc"),
            (["--currency", "QQQ"], "currency"),
            (["--mdr", "10001"], "mdr"),
            (["--mdr", "-5"], "mdr"),
            (["--name", ""], "name"),
        ]
        for change, word in bad:
            args = {"--mid": "999999999999999", "--name": "Shop", "--mcc": "5411",
                    "--currency": "CNY", "--mdr": "60", "--payout": "B"}
            args.update(dict([change]))
            flat = [x for kv in args.items() for x in kv]
            self.assertUnchanged(before, self.admin("merchant", "add", *flat), 2, word)
        self.assertUnchanged(before, self.admin("merchant", "add", "--mid", "999999999999999"), 2,
                             "needs --name")
        self.assertUnchanged(before, self.admin("merchant", "show", "999999999999999"), 2,
                             "no merchant")
        j = self.assertOk(self.admin("merchant", "suspend", MID)).json()
        self.assertEqual(j["status"], "suspended")
        self.assertFailed(self.admin("merchant", "suspend", MID), "not active")
        self.assertEqual(self.assertOk(self.admin("merchant", "resume", MID)).json()["status"],
                         "active")
        self.assertEqual(len(self.assertOk(self.admin("merchant", "list")).json()), 1)
        self.assertEqual(self.assertOk(self.admin("merchant", "show", MID)).json()["name"],
                         "Corner Shop")

    def test_terminal_mksk_provisioning(self):
        self.add_merchant()
        p = self.assertOk(self.admin("terminal", "add", "--tid", "T0000001", "--mid", MID,
                                     "--dialect", "cup", "--key-scheme", "mksk-tdes")).json()
        self.assertEqual(p["format"], "pos-provision-1")
        self.assertEqual(p["tid"], "T0000001")
        self.assertEqual(p["merchant_name"], "Corner Shop")
        self.assertEqual(p["host"], "127.0.0.1:5800")
        self.assertEqual(p["key"]["type"], "tmk")
        self.assertEqual(p["ktk_kcv"], self.init["ktk_kcv"])
        # the terminal's side: unwrap under the KTK for decrypting working keys
        u = self.assertOk(pos("keyblock", "unwrap", "--kbpk", self.ktk_hex(), "--block",
                              p["key"]["block"], "--usage", "K0", "--mode", "D")).json()
        self.assertEqual(u["kcv"], p["key"]["kcv"])
        self.assertEqual(u["exportability"], "N")
        self.assertNotIn(u["key"], json.dumps(p))  # never a clear key in the file
        t = self.assertOk(self.admin("terminal", "show", "T0000001")).json()
        self.assertEqual(t["key_kcv"], p["key"]["kcv"])
        self.assertEqual(t["key"], "tmk:T0000001")

    def test_terminal_dukpt_out_file(self):
        self.add_merchant()
        out = os.path.join(self.dir, "t2.json")
        r = self.assertOk(self.admin("terminal", "add", "--tid", "T0000002", "--mid", MID,
                                     "--dialect", "iso87b", "--key-scheme", "dukpt-tdes",
                                     "--out", out)).json()
        self.assertEqual(r["provision_file"], out)
        self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o600)
        with open(out) as f:
            p = json.load(f)
        self.assertEqual(p["key"]["type"], "ipek")
        self.assertEqual(p["key"]["kcv"], r["kcv"])
        self.assertRegex(p["ksn"], r"^[0-9A-F]{15}0{5}$")
        u = self.assertOk(pos("keyblock", "unwrap", "--kbpk", self.ktk_hex(), "--block",
                              p["key"]["block"], "--usage", "B1")).json()
        self.assertEqual(u["kcv"], p["key"]["kcv"])
        self.assertEqual(u["optional_blocks"]["KS"], p["ksn"])
        # AES DUKPT
        p = self.assertOk(self.admin("terminal", "add", "--tid", "T0000003", "--mid", MID,
                                     "--dialect", "iso87a", "--key-scheme", "dukpt-aes")).json()
        self.assertEqual(p["key"]["type"], "initial_key")
        self.assertRegex(p["ksn"], r"^[0-9A-F]{16}0{8}$")
        before = self.dump()
        # an existing --out file is refused before anything is done
        self.assertUnchanged(before, self.admin("terminal", "add", "--tid", "T0000004", "--mid",
                                                MID, "--dialect", "cup", "--key-scheme",
                                                "mksk-sm4", "--out", out), 2, "--out")

    def test_terminal_bad_input(self):
        self.add_merchant()
        self.assertOk(self.admin("terminal", "add", "--tid", "T0000001", "--mid", MID,
                                 "--dialect", "cup", "--key-scheme", "mksk-aes"))
        before = self.dump()
        base = {"--tid": "T0000009", "--mid": MID, "--dialect": "cup", "--key-scheme": "mksk-tdes"}
        for change, word in [(("--tid", "T1"), "tid"), (("--mid", "999999999999999"), "merchant"),
                             (("--dialect", "iso93"), "dialect"),
                             (("--key-scheme", "des"), "key scheme")]:
            args = dict(base)
            args[change[0]] = change[1]
            flat = [x for kv in args.items() for x in kv]
            self.assertUnchanged(before, self.admin("terminal", "add", *flat), 2, word)
        flat = [x for kv in base.items() for x in kv]
        self.assertUnchanged(before, self.admin("terminal", "add", *flat, lmk=False), 2,
                             "local master key")
        self.assertUnchanged(before, self.admin("terminal", "add", "--tid", "T0000001", "--mid",
                                                MID, "--dialect", "cup", "--key-scheme",
                                                "mksk-tdes"), 1, "exists")
        self.assertEqual(self.assertOk(self.admin("terminal", "suspend", "T0000001")).json()
                         ["status"], "suspended")
        self.assertFailed(self.admin("terminal", "suspend", "T0000001"))
        self.assertOk(self.admin("terminal", "resume", "T0000001"))
        self.assertEqual(len(self.assertOk(self.admin("terminal", "list")).json()), 1)

    # ---- accounts, cards, the books ------------------------------------------------

    def test_cards_end_to_end(self):
        self.add_merchant()
        self.assertOk(self.admin("terminal", "add", "--tid", "T0000001", "--mid", MID,
                                 "--dialect", "cup", "--key-scheme", "mksk-tdes"))
        a = self.assertOk(self.admin("account", "add", "--kind", "debit", "--currency", "CNY",
                                     "--name", "alice")).json()
        acct = str(a["id"])
        c = self.assertOk(self.admin("card", "issue", "--account", acct, "--pin", "-",
                                     "--daily-limit", "500", stdin="739104\n")).json()
        self.assertIn("shown once", c["warning"])
        self.assertEqual(c["pin"], "739104")
        self.assertTrue(c["pan"].startswith("622202"))
        self.assertEqual(c["service_code"], "220")
        chk = self.assertOk(pos("card", "check", c["pan"])).json()
        self.assertTrue(chk["luhn"])
        self.assertEqual(chk["brand"], "unionpay")
        self.assertEqual(chk["masked"], c["pan_masked"])
        t2 = self.assertOk(pos("card", "track2", c["track2"])).json()
        self.assertEqual(t2["pan"], c["pan"])
        self.assertEqual(t2["expiry"], c["expiry"])
        self.assertEqual(t2["discretionary"][0], "1")
        card = str(c["card_id"])
        # nothing secret in the database
        dump = self.dump()
        for secret in (c["pan"], c["track2"], "'%s'" % c["pin"], "'%s'" % c["cvv2"]):
            self.assertNotIn(secret, dump)
        # money in, status changes, queries
        t = self.assertOk(self.admin("card", "topup", card, "--amount", "100.50")).json()
        self.assertEqual(t["amount"], "100.50")
        s = self.assertOk(self.admin("card", "show", "--pan", c["pan"])).json()
        self.assertEqual(s["balance"], "100.50")
        self.assertEqual(s["daily_limit"], "500.00")
        self.assertEqual(s["pan"], c["pan_masked"])
        self.assertEqual(self.assertOk(self.admin("card", "find", "--pan", c["pan"])).json()
                         ["card_id"], c["card_id"])
        self.assertEqual(self.assertOk(self.admin("card", "block", "--card", card)).json()
                         ["status"], "blocked")
        self.assertEqual(self.assertOk(self.admin("card", "unblock", card)).json()["status"],
                         "active")
        r = self.assertOk(self.admin("card", "pin-reset", card, "--pin", "2468")).json()
        self.assertEqual(r["pin"], "2468")
        self.assertEqual(self.assertOk(self.admin("card", "limit", card, "--daily-limit",
                                                  "0")).json()["daily_limit"], "0.00")
        tx = self.assertOk(self.admin("card", "txns", card)).json()
        self.assertEqual([x["kind"] for x in tx], ["topup"])
        self.assertEqual(tx[0]["pan"], c["pan_masked"])
        self.assertEqual(len(self.assertOk(self.admin("txns", "--card", card, "--limit",
                                                      "5")).json()), 1)
        self.assertEqual(self.assertOk(self.admin("txns", "--terminal", "T0000001")).json(), [])
        b = self.assertOk(self.admin("batches")).json()
        self.assertEqual(b[0]["tid"], "T0000001")
        self.assertEqual(b[0]["debit_count"], 0)
        acc = self.assertOk(self.admin("account", "show", acct)).json()
        self.assertEqual(acc["balance"], "100.50")
        self.assertEqual(acc["cards"][0]["pan"], c["pan_masked"])
        keys = self.assertOk(self.admin("keys")).json()
        self.assertIn("tmk:T0000001", [k["name"] for k in keys])
        self.assertTrue(all("block" not in k for k in keys))
        audit = self.assertOk(self.admin("audit", "--limit", "3")).json()
        self.assertEqual([x["action"] for x in audit],
                         ["card.limit", "card.pin_reset", "card.status"])
        self.assertTrue(all(x["actor"] == "ops" for x in audit))
        self.assertNotIn(c["pan"], json.dumps(self.assertOk(self.admin("audit")).json()))

        # every bad input: exit 2, nothing changed
        before = self.dump()
        for args, word in [
            (["card", "topup", card, "--amount", "1.001"], "amount"),
            (["card", "topup", card, "--amount", "-1"], "amount"),
            (["card", "topup", card, "--amount", "abc"], "amount"),
            (["card", "topup", card], "--amount"),
            (["card", "topup", "999", "--amount", "1"], "no card"),
            (["card", "topup", "abc", "--amount", "1"], "positive number"),
            (["card", "block"], "name the card"),
            (["card", "block", card, "--card", card], "name the card"),
            (["card", "show", "--pan", "6222020000000000"], "no card"),
            (["card", "show", "--pan", "12"], "PAN"),
            (["card", "issue", "--account", "999"], "no account"),
            (["card", "issue", "--account", acct, "--pin", "12"], "PIN"),
            (["card", "issue", "--account", acct, "--bin", "62x"], "BIN"),
            (["card", "issue", "--account", acct, "--daily-limit", "x"], "daily limit"),
            (["card", "pin-reset", card, "--pin", "12345678901234"], "PIN"),
            (["account", "add", "--kind", "wallet", "--currency", "CNY"], "kind"),
            (["account", "add", "--kind", "debit", "--currency", "CNY", "--credit-limit", "5"],
             "credit"),
            (["account", "show", "999"], "no account"),
            (["txns", "--terminal", "NOPE0000"], "no terminal"),
            (["txns", "--limit", "0"], "--limit"),
            (["audit", "--limit", "x"], "--limit"),
        ]:
            self.assertUnchanged(before, self.admin(*args), 2, word)
        self.assertUnchanged(before, self.admin("card", "issue", "--account", acct, lmk=False),
                             2, "local master key")
        # lost is final: refused (exit 1), nothing changed
        self.assertOk(self.admin("card", "lost", card))
        before = self.dump()
        self.assertUnchanged(before, self.admin("card", "unblock", card), 1, "lost")
        self.assertUnchanged(before, self.admin("card", "topup", card, "--amount", "1"), 1, "lost")

    def test_check_and_corruption(self):
        a = self.assertOk(self.admin("account", "add", "--kind", "prepaid", "--currency",
                                     "CNY")).json()
        c = self.assertOk(self.admin("card", "issue", "--account", str(a["id"]))).json()
        self.assertOk(self.admin("card", "topup", str(c["card_id"]), "--amount", "20"))
        j = self.assertOk(self.admin("check", lmk=False)).json()
        self.assertTrue(j["sound"])
        self.assertEqual(j["txns"], 1)
        self.assertEqual(j["postings"], 2)
        self.assertEqual(j["balance_mismatches"], 0)
        # corrupt a cached balance behind the host's back
        sqlite(self.db, "UPDATE accounts SET balance = balance + 1 WHERE id = %d" % a["id"])
        r = self.assertFailed(self.admin("check"), "books not sound", "balance")
        self.assertFalse(r.json()["sound"])
        self.assertEqual(r.json()["balance_mismatches"], 1)
        # and a posting that breaks its transaction's zero sum
        sqlite(self.db, "UPDATE accounts SET balance = balance - 1 WHERE id = %d" % a["id"])
        self.assertOk(self.admin("check"))
        sqlite(self.db, "UPDATE postings SET amount = amount + 5 WHERE id = 1")
        self.assertFailed(self.admin("check"), "books not sound", "unbalanced")


if __name__ == "__main__":
    main()
