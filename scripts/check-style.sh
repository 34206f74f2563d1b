#!/bin/sh
# Fails on banned functions (STYLE.md rule 12): strcpy, strcat, sprintf,
# vsprintf, gets, strtok, atoi, atol, atoll; and memcmp in crypto code
# (secrets are compared with CRYPTO_memcmp).
set -e
cd "$(dirname "$0")/.."
files=$(git ls-files -co --exclude-standard 'src/*.c' 'src/*.h' 'bench/*.c' 'fuzz/*.c' 'tests/*.c' 2>/dev/null)
status=0
banned='\<(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol|atoll)[[:space:]]*\('
if [ -n "$files" ]; then
    hits=$(grep -nE "$banned" $files | grep -v 'style-ok' || true)
    if [ -n "$hits" ]; then
        echo "check-style: banned function:"; echo "$hits"; status=1
    fi
    crypto=$(echo "$files" | tr ' ' '\n' | grep -E '^src/lib/crypto/' || true)
    if [ -n "$crypto" ]; then
        hits=$(grep -nE '(^|[^_A-Za-z])memcmp[[:space:]]*\(' $crypto | grep -v 'style-ok' || true)
        if [ -n "$hits" ]; then
            echo "check-style: memcmp in crypto code (use CRYPTO_memcmp):"; echo "$hits"; status=1
        fi
    fi
fi
[ $status = 0 ] && echo "check-style: ok"
exit $status
