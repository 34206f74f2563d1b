"""pos employee / pos shift: staff, PIN login with lockout, shifts."""
import os
import sqlite3
import tempfile

from clitest import CliTestCase, main, pos


class EmployeeTest(CliTestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.db = os.path.join(self.tmp.name, "t.db")
        # create the database, then make PIN hashing fast for the test
        self.assertOk(self.p("employee", "list"))
        with sqlite3.connect(self.db) as c:
            c.execute("INSERT INTO settings VALUES ('staff.pin_iterations', '1000', 0)")
        self.assertOk(self.p("employee", "add", "--number", "1", "--name", "Wang Fang",
                             "--role", "manager", "--pin", "918273"))
        self.assertOk(self.p("employee", "add", "--number", "2", "--name", "Li Na",
                             "--role", "supervisor", "--pin", "564738"))
        self.assertOk(self.p("employee", "add", "--number", "3", "--name", "Zhang Wei",
                             "--role", "cashier", "--pin", "2468"))

    def tearDown(self):
        self.tmp.cleanup()

    def p(self, *args, **kw):
        return pos(*args, "--db", self.db, **kw)

    def test_list_and_pin_not_stored(self):
        j = self.assertOk(self.p("employee", "list", "--json")).json()
        self.assertEqual([e["number"] for e in j], [1, 2, 3])
        self.assertEqual(j[2]["role"], "cashier")
        for name in os.listdir(self.tmp.name):
            with open(os.path.join(self.tmp.name, name), "rb") as f:
                data = f.read()
            self.assertNotIn(b"918273", data)
            self.assertNotIn(b"564738", data)

    def test_add_errors(self):
        self.assertFailed(self.p("employee", "add", "--number", "1", "--name", "X", "--role",
                                 "cashier", "--pin", "1111"), "already exists")
        self.assertUsage(self.p("employee", "add", "--number", "9", "--name", "X", "--role",
                                "boss", "--pin", "1111"), "role")
        r = self.assertUsage(self.p("employee", "add", "--number", "9", "--name", "X", "--role",
                                    "cashier", "--pin", "98"), "PIN")
        self.assertNotIn("98", r.err)
        self.assertUsage(self.p("employee", "add", "--number", "x", "--name", "X", "--role",
                                "cashier", "--pin", "1234"), "number")

    def test_login_lockout_unlock(self):
        j = self.assertOk(self.p("employee", "login", "3", "--pin", "2468", "--json")).json()
        self.assertEqual(j["name"], "Zhang Wei")
        self.assertOk(self.p("employee", "login", "3", "--pin", "-", stdin="2468\n"))
        for _ in range(4):
            r = self.assertFailed(self.p("employee", "login", "3", "--pin", "1111"), "wrong")
            self.assertNotIn("1111", r.err)
        self.assertFailed(self.p("employee", "login", "3", "--pin", "1111"), "locked out")
        self.assertFailed(self.p("employee", "login", "3", "--pin", "2468"), "locked out")
        self.assertFailed(self.p("employee", "login", "99", "--pin", "2468"), "wrong")
        # only a manager may unlock
        self.assertFailed(self.p("employee", "unlock", "3", "--manager", "2", "--pin", "564738"),
                          "may not admin")
        self.assertOk(self.p("employee", "unlock", "3", "--manager", "1", "--pin", "918273"))
        self.assertOk(self.p("employee", "login", "3", "--pin", "2468"))

    def test_authorize_and_disable(self):
        self.assertFailed(self.p("employee", "authorize", "3", "--pin", "2468", "--right", "void"),
                          "may not void")
        self.assertOk(self.p("employee", "authorize", "2", "--pin", "564738", "--right", "refund"))
        self.assertUsage(self.p("employee", "authorize", "2", "--pin", "564738", "--right", "fly"))
        j = self.assertOk(self.p("employee", "disable", "3", "--json")).json()
        self.assertFalse(j["active"])
        self.assertFailed(self.p("employee", "login", "3", "--pin", "2468"), "disabled")
        self.assertFailed(self.p("employee", "disable", "42"), "no employee")

    def test_shift(self):
        self.assertFailed(self.p("shift", "show"), "no shift")
        self.assertFailed(self.p("shift", "close", "--employee", "3", "--pin", "2468",
                                 "--counted", "1"), "no shift is open")
        self.assertFailed(self.p("shift", "open", "--employee", "3", "--pin", "0000",
                                 "--float", "200.00"), "wrong")
        self.assertUsage(self.p("shift", "open", "--employee", "3", "--pin", "2468",
                                "--float", "-1"))
        j = self.assertOk(self.p("shift", "open", "--employee", "3", "--pin", "2468",
                                 "--float", "200.00", "--json")).json()
        self.assertEqual(j["status"], "open")
        self.assertEqual(j["float"], "200.00")
        self.assertFailed(self.p("shift", "open", "--employee", "2", "--pin", "564738",
                                 "--float", "1"), "still open")
        self.assertFailed(self.p("shift", "close", "--employee", "2", "--pin", "564738",
                                 "--counted", "1"), "only they or a manager")
        j = self.assertOk(self.p("shift", "close", "--employee", "3", "--pin", "2468",
                                 "--counted", "543.20", "--json")).json()
        self.assertEqual(j["status"], "closed")
        self.assertEqual(j["counted"], "543.20")
        self.assertEqual(j["expected"], "200.00")
        self.assertEqual(j["difference"], "343.20")
        j = self.assertOk(self.p("shift", "show", "--json")).json()
        self.assertEqual(j["id"], 1)
        self.assertIn("closed", self.assertOk(self.p("shift", "show")).text)


if __name__ == "__main__":
    main()
