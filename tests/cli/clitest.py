"""Shared helpers for the command-line contract tests (DESIGN.md §6).

Each tests/cli/test_*.py is a unittest module run by CTest with POS_BIN set
to the built `pos`. Use `pos(...)` to run it and the assert helpers to check
the contract: exit code, one-line `pos: <what>: <why>` errors, JSON output.
"""
import json
import os
import subprocess
import sys
import unittest

POS_BIN = os.environ.get("POS_BIN", "pos")
SOURCE_DIR = os.environ.get("POS_SOURCE_DIR",
                            os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


class Result:
    def __init__(self, rc, out, err):
        self.rc = rc
        self.out = out          # bytes
        self.err = err          # str

    @property
    def text(self):
        return self.out.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.out.decode("utf-8"))

    def __repr__(self):
        return "rc=%d out=%r err=%r" % (self.rc, self.out[:400], self.err[:400])


def pos(*args, stdin=b"", env=None, timeout=60):
    """Runs pos with args; stdin is bytes or str."""
    if isinstance(stdin, str):
        stdin = stdin.encode("utf-8")
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.run([POS_BIN] + [str(a) for a in args], input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, env=e)
    return Result(p.returncode, p.stdout, p.stderr.decode("utf-8", "replace"))


class CliTestCase(unittest.TestCase):
    def assertOk(self, r):
        self.assertEqual(r.rc, 0, "expected success: %r" % (r,))
        return r

    def assertFailed(self, r, *fragments):
        """Exit 1 (declined or failed) with a one-line error."""
        return self._assert_error(r, 1, fragments)

    def assertUsage(self, r, *fragments):
        """Exit 2 (bad usage or input) with a one-line error."""
        return self._assert_error(r, 2, fragments)

    def _assert_error(self, r, code, fragments):
        self.assertEqual(r.rc, code, "expected exit %d: %r" % (code, r))
        lines = r.err.rstrip("\n").split("\n")
        self.assertEqual(len(lines), 1, "error must be one line: %r" % (r.err,))
        self.assertTrue(lines[0].startswith("pos: "), "error must start with 'pos: ': %r" % (r.err,))
        self.assertRegex(lines[0], r"^pos: [^:]+: .+", "error must be 'pos: <what>: <why>'")
        for f in fragments:
            self.assertIn(f.lower(), lines[0].lower(), "error should mention %r: %r" % (f, r.err))
        return r


def main():
    unittest.main(argv=[sys.argv[0], "-v"])
