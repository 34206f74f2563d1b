#!/bin/sh
# Runs every libFuzzer target in BUILDDIR/fuzz for SECONDS each, starting from
# its seed corpus (copied, so the repository's corpus stays as committed).
# Exits non-zero on the first target that finds a crash.
set -e
build=${1:-build-fuzz}
secs=${2:-30}
[ -d "$build/fuzz" ] || { echo "fuzz: no fuzz build in $build, skipping"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for t in "$build"/fuzz/fuzz_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t" | sed 's/^fuzz_//')
    mkdir -p "$work/$name"
    if [ -d "fuzz/corpus/$name" ]; then cp -r "fuzz/corpus/$name/." "$work/$name/"; fi
    echo "fuzz: $name for ${secs}s"
    ASAN_OPTIONS=detect_leaks=1 "$t" -max_total_time="$secs" -max_len=4096 \
        -artifact_prefix="fuzz/$name-" -print_final_stats=0 "$work/$name" \
        >"$work/$name.log" 2>&1 || { tail -40 "$work/$name.log"; echo "fuzz: $name FAILED"; exit 1; }
    grep -E "^#[0-9]+ +DONE" "$work/$name.log" || tail -1 "$work/$name.log"
done
echo "fuzz: all targets passed"
