#!/bin/sh
# Run every test tier and end with one line: "N passed, N failed, N skipped".
#   tests/run-all.sh [BUILD_DIR]
# Unit tests: each cmocka program in BUILD/tests/unit, TAP output.
# Integration tests: bats tests/integration, TAP output, as root.
set -u
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
build=$(cd "$build" && pwd)
log=$(mktemp -d /tmp/cabin-check.XXXXXX)
trap 'rm -rf "$log"' EXIT

count() { # FILE -> "pass fail skip"
    awk '/^ok / { if ($0 ~ /# [Ss][Kk][Ii][Pp]/) s++; else p++ }
         /^not ok / { if ($0 ~ /# TODO/) s++; else f++ }
         END { printf "%d %d %d\n", p, f, s }' "$1"
}

pass=0 fail=0 skip=0
add() { set -- $1; pass=$((pass + $1)); fail=$((fail + $2)); skip=$((skip + $3)); }

echo "== unit tests"
found=0
for t in "$build"/tests/unit/test_*; do
    [ -x "$t" ] && [ -f "$t" ] || continue
    found=1
    name=$(basename "$t")
    CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$log/$name.tap" 2>&1
    rc=$?
    c=$(count "$log/$name.tap")
    set -- $c
    if [ "$rc" -ne 0 ] && [ "$2" -eq 0 ]; then
        c="$1 1 $3" # crashed or failed without saying which test
    fi
    echo "$name: $c (pass fail skip)"
    [ "$rc" -eq 0 ] || grep -v '^ok ' "$log/$name.tap" | sed 's/^/    /'
    add "$c"
done
[ "$found" = 1 ] || { echo "no unit test programs in $build/tests/unit"; fail=$((fail + 1)); }

echo "== integration tests"
if [ "$(id -u)" != 0 ]; then
    echo "integration tests need root; counted as failed"
    fail=$((fail + 1))
else
    CABIN_RUNTIME="$build/cabin-runtime" bats --tap "$repo/tests/integration" >"$log/bats.tap" 2>&1
    rc=$?
    grep -E '^(not ok|#)' "$log/bats.tap" | head -200
    c=$(count "$log/bats.tap")
    set -- $c
    if [ "$rc" -ne 0 ] && [ "$2" -eq 0 ]; then
        tail -20 "$log/bats.tap"
        c="$1 1 $3"
    fi
    echo "bats: $c (pass fail skip)"
    add "$c"
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
