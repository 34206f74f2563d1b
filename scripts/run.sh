#!/bin/sh
# make run: until the host exists, a demo of the codecs: builds a purchase
# message, packs it in each built-in dialect, unpacks it and prints it masked.
set -e
build=${1:-build}
exec "$build/pos" iso8583 demo
