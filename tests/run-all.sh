#!/bin/sh
# Run every test tier and end with one line: "N passed, N failed, N skipped".
#   tests/run-all.sh [BUILD_DIR]
# Unit tests: each cmocka program in BUILD/tests/unit, TAP output.
# Fuzz corpus replay: each BUILD/tests/fuzz/fuzz_NAME over tests/fuzz/corpus/NAME.
# Integration tests: bats tests/integration, TAP output, as root.
# With ASAN_BUILD=DIR (a sanitizer build): its unit tests too, and a core
# subset of the integration tests against its binary, and the corpus replay
# again (under the sanitizers); any sanitizer report
# fails the run.  ONLY_ASAN=1 runs just that part.
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

run_tap() { # NAME PROGRAM [ARGS...]: one TAP program, counted
    tname=$1
    shift
    CMOCKA_MESSAGE_OUTPUT=TAP "$@" >"$log/$tname.tap" 2>&1
    rc=$?
    c=$(count "$log/$tname.tap")
    set -- $c
    if [ "$rc" -ne 0 ] && [ "$2" -eq 0 ]; then
        c="$1 1 $3" # crashed or failed without saying which test
    fi
    echo "$tname: $c (pass fail skip)"
    [ "$rc" -eq 0 ] || grep -v '^ok ' "$log/$tname.tap" | sed 's/^/    /'
    add "$c"
}

run_units() { # BUILD LABEL
    found=0
    for t in "$1"/tests/unit/test_*; do
        [ -x "$t" ] && [ -f "$t" ] || continue
        found=1
        run_tap "$2$(basename "$t")" "$t"
    done
    [ "$found" = 1 ] || { echo "no unit test programs in $1/tests/unit"; fail=$((fail + 1)); }
}

# Fuzz corpora (tests/fuzz/README.md): each harness of BUILD, linked with
# the plain replay driver, over every file of tests/fuzz/corpus/NAME/.
run_replays() { # BUILD LABEL
    found=0
    for t in "$1"/tests/fuzz/fuzz_*; do
        [ -x "$t" ] && [ -f "$t" ] || continue
        found=1
        name=$(basename "$t")
        run_tap "$2$name" "$t" "$repo/tests/fuzz/corpus/${name#fuzz_}"
    done
    [ "$found" = 1 ] || { echo "no fuzz harnesses in $1/tests/fuzz"; fail=$((fail + 1)); }
}

run_bats() { # RUNTIME LABEL FILES...
    rtbin=$1 label=$2
    shift 2
    if [ "$(id -u)" != 0 ]; then
        echo "integration tests need root; counted as failed"
        fail=$((fail + 1))
        return
    fi
    CABIN_RUNTIME="$rtbin" bats --tap "$@" >"$log/$label.tap" 2>&1
    rc=$?
    grep -E '^(not ok|#)' "$log/$label.tap" | head -200
    # what was skipped, and why (a skip is never silent)
    grep -iE '^ok .* # skip' "$log/$label.tap" | awk -v l="$label" '{ print l " skipped: " $0 }'
    # every failure's name, even when the lines above were cut
    grep -q '^not ok' "$log/$label.tap" && { echo "$label failed:"; grep '^not ok' "$log/$label.tap"; }
    c=$(count "$log/$label.tap")
    set -- $c
    if [ "$rc" -ne 0 ] && [ "$2" -eq 0 ]; then
        tail -20 "$log/$label.tap"
        c="$1 1 $3"
    fi
    echo "$label: $c (pass fail skip)"
    add "$c"
}

if [ -z "${ONLY_ASAN:-}" ]; then
    echo "== unit tests"
    run_units "$build" ""
    echo "== fuzz corpus replay"
    run_replays "$build" ""
    echo "== integration tests"
    run_bats "$build/cabin-runtime" bats "$repo/tests/integration"
fi

if [ -n "${ASAN_BUILD:-}" ]; then
    asan=$(cd "$ASAN_BUILD" && pwd)
    echo "== sanitizer build (ASan + UBSan): unit tests and core integration tests"
    # Reports also go to files (log_path), so that a sanitizer report from
    # a command whose failure a test expects (an error path) is not lost
    # with its output: every $log/asan-report.PID fails the run below.
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=23:log_path=$log/asan-report
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$log/asan-report
    run_units "$asan" "asan:"
    run_replays "$asan" "asan:"
    core=""
    for f in lifecycle errors cli process mounts cgroups seccomp hooks security \
             seccomp_default lsm cabin_images cabin_run exec tty cabin_pull \
             cabin_registry_auth \
             cabin_run_flags cabin_create_start cabin_exec cabin_logs cabin_cp \
             cabin_monitor cabin_stop_kill cabin_inspect_wait \
             cabin_ps cabin_rm_prune cabin_info cabin_attach fault_state; do
        core="$core $repo/tests/integration/$f.bats"
    done
    # shellcheck disable=SC2086
    run_bats "$asan/cabin-runtime" asan-bats $core
    if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log"/asan* 2>/dev/null; then
        echo "sanitizer reports:"
        grep -hE -A5 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log"/asan* | head -60
        fail=$((fail + 1))
    fi
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
