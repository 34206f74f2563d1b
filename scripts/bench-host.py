#!/usr/bin/env python3
"""bench-host: posd under load, on this machine, load generator included.

Provisions a fresh SQLite host (64 master/session terminals on cup, 64 cards
with plenty of money), starts posd (WAL, synchronous=FULL: every answer
after its commit), then runs pos-load: purchases with PIN and MAC for
--duration seconds, then echo (0820) for the same connections: the bare
transport ceiling; then posd's RSS with 1000 idle connections. Prints
`name value unit` lines (DESIGN.md §8).

usage: bench-host.py BUILD_DIR [--terminals 64] [--duration 10]
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ap = argparse.ArgumentParser()
ap.add_argument("build")
ap.add_argument("--terminals", type=int, default=64)
ap.add_argument("--duration", type=int, default=10)
ap.add_argument("--idle", type=int, default=1000)
a = ap.parse_args()
POS = os.path.join(a.build, "pos")
POSD = os.path.join(a.build, "posd")
LOAD = os.path.join(a.build, "pos-load")
MID = "123456789012345"
work = tempfile.mkdtemp(prefix="pos-bench-")
db, lmk, ktk = (os.path.join(work, n) for n in ("host.db", "host.lmk", "host.ktk"))
prov = os.path.join(work, "prov")
os.makedirs(prov)


def admin(*args):
    p = subprocess.run([POS, "admin", "--db", db, "--lmk", lmk] + [str(x) for x in args],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit("bench-host: pos admin %s: %s" % (args[0], p.stderr.strip()))
    return json.loads(p.stdout) if p.stdout.strip().startswith("{") else None


def rss_mib(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return 0.0


admin("init", "--ktk-out", ktk)
admin("merchant", "add", "--mid", MID, "--name", "Bench", "--mcc", "5411", "--currency", "CNY",
      "--mdr", "60", "--payout", "B")
for i in range(a.terminals):
    admin("terminal", "add", "--tid", "B%07d" % i, "--mid", MID, "--dialect", "cup",
          "--key-scheme", "mksk-tdes", "--out", os.path.join(prov, "B%07d.json" % i))
with open(os.path.join(work, "cards.jsonl"), "w") as f:
    for i in range(a.terminals):
        acct = admin("account", "add", "--kind", "debit", "--currency", "CNY")
        card = admin("card", "issue", "--account", acct["id"], "--pin", "123456")
        admin("card", "topup", "--card", card["card_id"], "--amount", "90000000.00")
        f.write(json.dumps({"track2": card["track2"], "pin": card["pin"]}) + "\n")

ports = os.path.join(work, "ports")
log = open(os.path.join(work, "posd.log"), "w")
posd = subprocess.Popen([POSD, "--db", db, "--lmk", lmk, "--listen", "name=cup,port=0",
                         "--listen", "name=iso87b,enabled=no", "--port-file", ports,
                         "--log-level", "warn"], stdout=log, stderr=log)
try:
    for _ in range(200):
        if os.path.exists(ports):
            break
        time.sleep(0.05)
    addr = dict(l.strip().split("=", 1) for l in open(ports) if "=" in l)["cup"]
    host, port = addr.rsplit(":", 1)
    out = {}
    for mode in ("purchase", "echo"):
        p = subprocess.run([LOAD, "--host", addr, "--provision-dir", prov, "--ktk", ktk, "--cards",
                            os.path.join(work, "cards.jsonl"), "--terminals", str(a.terminals),
                            "--duration", str(a.duration), "--mode", mode, "--posd-pid",
                            str(posd.pid)], stdout=subprocess.PIPE, text=True)
        for line in p.stdout.splitlines():
            name, value, unit = line.split()
            out[name] = float(value)
            if name.startswith("load.") and name.split(".")[2] in (
                    "terminals", "tps", "approved_tps", "p50", "p99", "p999", "errors",
                    "mac_errors", "timeouts"):
                print(line)
            elif name == "host.rss":
                print("host.rss.%s %s %s" % (mode, value, unit))
    if out.get("load.echo.tps"):
        print("host.purchase_to_echo %.3f ratio" % (out.get("load.purchase.approved_tps", 0) /
                                                    out["load.echo.tps"]))
    socks = []
    for _ in range(a.idle):
        socks.append(socket.create_connection((host, int(port))))
    time.sleep(1.0)
    print("host.rss.idle%d %.1f MiB" % (a.idle, rss_mib(posd.pid)))
    for s in socks:
        s.close()
    sys.stdout.flush()
finally:
    posd.send_signal(signal.SIGTERM)
    posd.wait(timeout=60)
    log.close()
    chk = subprocess.run([POS, "admin", "--db", db, "check"], stdout=subprocess.PIPE, text=True)
    print("host.books_sound %d bool" % (1 if chk.returncode == 0 else 0))
    shutil.rmtree(work, ignore_errors=True)
