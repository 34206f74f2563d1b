#!/bin/sh
# make run: the system on an embedded SQLite with a demo store (scripts/run.py).
set -e
exec python3 "$(dirname "$0")/run.py" "${1:-build}"
