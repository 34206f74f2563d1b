#!/usr/bin/env python3
"""make run: the system on an embedded SQLite with a demo store.

Builds a fresh demo host under BUILD/demo with `pos admin` (a merchant, two
UnionPay-style terminals with master/session keys and one DUKPT terminal,
cardholder accounts and cards), starts `posd` on free loopback ports, lets
the terminals pay for a few seconds with `pos-load` (real ISO 8583 over TCP:
sign-on, PIN blocks, MACs, every answer checked), proves the books with
`pos admin check`, shows the last payments (PANs masked) and prints the
customer's receipt of one of them, then stops posd. The terminal's own
catalog is filled too (`pos item`), as the cashier flows will use it.

The cashier's sale screens are not built yet: the terminals here are
pos-load's (the same libpos protocol client the cashier will use).
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

build = sys.argv[1] if len(sys.argv) > 1 else "build"
POS = os.path.join(build, "pos")
POSD = os.path.join(build, "posd")
LOAD = os.path.join(build, "pos-load")
demo = os.path.join(build, "demo")
MID = "898310048990001"


def run(*args, capture=True, check=True):
    p = subprocess.run([str(a) for a in args], stdout=subprocess.PIPE if capture else None,
                       stderr=subprocess.PIPE if capture else None, text=True)
    if check and p.returncode != 0:
        sys.exit("make run: %s failed: %s" % (" ".join(map(str, args[:4])), (p.stderr or "").strip()))
    return p.stdout if capture else ""


def admin(*args):
    out = run(POS, "admin", "--db", db, "--lmk", lmk, "--actor", "demo", *args)
    return json.loads(out) if out.strip().startswith(("{", "[")) else out


def say(text):
    print("\n== " + text, flush=True)


shutil.rmtree(demo, ignore_errors=True)
os.makedirs(os.path.join(demo, "prov"))
db = os.path.join(demo, "host.db")
lmk = os.path.join(demo, "host.lmk")
ktk = os.path.join(demo, "host.ktk")

say("a host on SQLite: keys under a local master key, a merchant, terminals, cards")
admin("init", "--ktk-out", ktk)
admin("merchant", "add", "--mid", MID, "--name", "演示便利店 Demo Mart", "--city", "Shanghai",
      "--mcc", "5411", "--currency", "CNY", "--mdr", "60", "--payout", "BANK-6222-0001")
for i, (dialect, scheme) in enumerate([("cup", "mksk-tdes"), ("cup", "mksk-tdes"),
                                       ("iso87b", "dukpt-tdes")], 1):
    tid = "DEMO%04d" % i
    admin("terminal", "add", "--tid", tid, "--mid", MID, "--dialect", dialect, "--key-scheme",
          scheme, "--out", os.path.join(demo, "prov", tid + ".json"))
    print("  terminal %s: %s, %s" % (tid, dialect, scheme))
cards = []
for i in range(4):
    acct = admin("account", "add", "--kind", "debit", "--currency", "CNY", "--name", "customer %d" % (i + 1))
    card = admin("card", "issue", "--account", acct["id"], "--pin", "123456")
    admin("card", "topup", "--card", card["card_id"], "--amount", "100000.00")
    cards.append(card)
    print("  card %s  expiry %s  balance 100000.00" % (card["pan_masked"], card["expiry"]))
with open(os.path.join(demo, "cards.jsonl"), "w") as f:
    for c in cards:
        f.write(json.dumps({"track2": c["track2"], "pin": c["pin"]}) + "\n")

say("the terminal's catalog")
tdb = os.path.join(demo, "terminal.db")
for sku, name, price, code in [("1001", "农夫山泉 550ml", "2.00", "6921168509256"),
                               ("1002", "Fuji apples 富士苹果", "39.80", "6901234567892"),
                               ("1003", "Notebook A5", "12.50", "6912345678902")]:
    run(POS, "item", "add", "--db", tdb, "--sku", sku, "--name", name, "--price", price,
        "--barcode", code, check=False)
print(run(POS, "item", "list", "--db", tdb, check=False).rstrip())

say("posd: ISO 8583 listeners on loopback, group commit on SQLite (WAL, synchronous=FULL)")
ports = os.path.join(demo, "ports")
log = open(os.path.join(demo, "posd.log"), "w")
posd = subprocess.Popen([POSD, "--db", db, "--lmk", lmk, "--listen", "name=cup,port=0",
                         "--listen", "name=iso87b,port=0", "--http", "127.0.0.1:0",
                         "--port-file", ports], stdout=log, stderr=log)
try:
    for _ in range(100):
        if os.path.exists(ports):
            break
        time.sleep(0.05)
    addr = dict(l.strip().split("=", 1) for l in open(ports) if "=" in l)
    print("  " + "  ".join("%s=%s" % kv for kv in sorted(addr.items())))

    for listener, dialect, scheme, n in [("cup", "cup", "mksk-tdes", 2),
                                         ("iso87b", "iso87b", "dukpt-tdes", 1)]:
        say("%d terminal(s) paying on %s (%s, %s) for 3 s: track 2 + PIN block + MAC, replies checked"
            % (n, listener, dialect, scheme))
        print(run(LOAD, "--host", addr[listener], "--provision-dir", os.path.join(demo, "prov"),
                  "--ktk", ktk, "--cards", os.path.join(demo, "cards.jsonl"), "--dialect", dialect,
                  "--scheme", scheme, "--terminals", n, "--duration", "3", "--amount", "1250",
                  "--posd-pid", posd.pid).rstrip())

    say("the books: every transaction's postings sum to zero, balances equal their postings")
    print(json.dumps(admin("check"), ensure_ascii=False))

    say("the last payments (PANs masked)")
    txns = admin("txns", "--limit", "3")
    for t in txns:
        print("  %s %-9s %s %8s %s rc=%s rrn=%s auth=%s" % (t["tid"], t["kind"], t["pan"],
              t["amount"], t["currency"], t["rc"], t["rrn"], t["auth_code"]))

    say("the customer's receipt of the last purchase")
    t = next(x for x in txns if x["kind"] == "purchase" and x["rc"] == "00")
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t["created_at"] / 1000))
    receipt = {"copy": "customer", "currency": "CNY", "merchant_name": "演示便利店 Demo Mart",
               "merchant_id": MID, "terminal_id": t["tid"], "operator": "01", "type": "sale",
               "datetime": when, "batch": "%06d" % t["batch_no"], "trace": t["stan"],
               "rrn": t["rrn"], "auth_code": t["auth_code"], "card_brand": "UNIONPAY",
               "pan": t["pan"], "entry": "swipe", "amount": t["amount"],
               "items": [{"name": "Fuji apples 富士苹果", "qty": "0.250", "unit": "kg",
                          "price": "39.80", "total": "9.95"},
                         {"name": "农夫山泉 550ml", "qty": "1", "price": "2.00", "total": "2.00"},
                         {"name": "Bag 购物袋", "total": "0.55"}],
               "total": t["amount"], "tenders": [{"type": "card", "amount": t["amount"], "detail": t["pan"]}],
               "footer": "谢谢惠顾 Thank you!"}
    print(subprocess.run([POS, "receipt", "render", "--width", "42"], input=json.dumps(receipt),
                         text=True, stdout=subprocess.PIPE).stdout)
finally:
    posd.send_signal(signal.SIGTERM)
    posd.wait(timeout=30)
    log.close()
print("posd stopped cleanly; everything is in %s (posd.log has the masked request log)" % demo)
