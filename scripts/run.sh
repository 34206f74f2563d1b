#!/bin/sh
# make run: posd on an embedded SQLite with a demo shop, and a cashier's sale end to
# end: paid in cash and by card, its receipt, settled, the books proved (scripts/run.py).
set -e
exec python3 "$(dirname "$0")/run.py" "${1:-build}"
