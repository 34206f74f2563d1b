#!/bin/sh
# Installs the Debian packages pos needs to build, test and run, when any is
# missing. This list is the whole set of system dependencies.
set -e
PKGS="build-essential cmake pkg-config clang libclang-rt-dev
libssl-dev libsqlite3-dev sqlite3 libpq-dev libuv1-dev
libmicrohttpd-dev libjansson-dev libncurses-dev libqrencode-dev
libcmocka-dev python3 procps"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
