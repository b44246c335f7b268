#!/usr/bin/env bash
# bench/run.sh: entry point of `make bench`.
#
#   bench/run.sh [NAME...]
#
# Runs every bench/bench-*.sh (or only bench-NAME.sh for each NAME given), in
# name order.  Each one prints a markdown section on stdout and progress on
# stderr.  The sections are collected into bench/results/<YYYY-MM-DD>-<HHMM>.md,
# which is printed at the end.  Exit status is non-zero if cabin-runtime is not
# built or a bench script failed.  See bench/README.md.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
export CABIN_RUNTIME=${CABIN_RUNTIME:-$repo/build/cabin-runtime}

die() { echo "bench: $*" >&2; exit 1; }

if [ ! -x "$CABIN_RUNTIME" ]; then
    if [ "${BENCH_ALLOW_NO_CABIN:-0}" = 1 ]; then
        echo "bench: warning: cabin-runtime not built ($CABIN_RUNTIME); BENCH_ALLOW_NO_CABIN=1, going on without it" >&2
    else
        die "cabin-runtime not built ($CABIN_RUNTIME). Build it first ('ninja -C build' or 'make'), or point CABIN_RUNTIME at it."
    fi
fi
[ "$(id -u)" = 0 ] || die "must run as root (the benchmarks start containers)"

if [ $# -gt 0 ]; then
    scripts=()
    for n in "$@"; do
        n=${n#bench-}
        n=${n%.sh}
        [ -f "$here/bench-$n.sh" ] || die "no such benchmark: bench/bench-$n.sh"
        scripts+=("$here/bench-$n.sh")
    done
else
    scripts=("$here"/bench-*.sh)
    [ -e "${scripts[0]}" ] || die "no bench/bench-*.sh found"
fi

mkdir -p "$here/results" || die "cannot create $here/results"
stamp=$(date +%Y-%m-%d-%H%M)
report=$here/results/$stamp.md
i=2
while [ -e "$report" ]; do
    report=$here/results/$stamp-$i.md
    i=$((i + 1))
done
partial=$report.partial
cleanup() { rm -f "$partial"; }
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM

commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null) || commit="(no commit)"
if [ -n "$(git -C "$repo" status --porcelain 2>/dev/null | head -n1)" ]; then
    commit="$commit, dirty tree"
fi
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
if [ -x "$CABIN_RUNTIME" ]; then
    cabin_ver=$(timeout 5 "$CABIN_RUNTIME" --version 2>/dev/null | head -n1)
    [ -n "$cabin_ver" ] || cabin_ver="(no --version output)"
else
    cabin_ver="(not built)"
fi

{
    echo "# cabin benchmarks, $(date '+%Y-%m-%d %H:%M %Z')"
    echo
    echo "- host: $(uname -n), Linux $(uname -r), $(nproc) CPUs ($cpu), $mem"
    echo "- tree: $repo @ $commit"
    echo "- cabin-runtime: \`$CABIN_RUNTIME\` $cabin_ver"
    echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
} >"$partial"

failed=()
for s in "${scripts[@]}"; do
    name=$(basename "$s" .sh)
    echo "bench: running $name" >&2
    out=$(mktemp "${TMPDIR:-/tmp}/cabin-bench-out.XXXXXX") || die "mktemp failed"
    bash "$s" >"$out"
    rc=$?
    cat "$out" >>"$partial"
    rm -f "$out"
    if [ "$rc" -ne 0 ]; then
        failed+=("$name")
        { echo; echo "**$name failed (exit $rc); see its stderr.**"; echo; } >>"$partial"
        # Interrupted: stop here rather than start the next benchmark.
        if [ "$rc" -ge 128 ]; then
            echo "bench: $name interrupted, no report written" >&2
            exit "$rc"
        fi
    fi
done

mv "$partial" "$report"
echo >&2
cat "$report"
echo "bench: report written to ${report#"$repo"/}" >&2
if [ ${#failed[@]} -gt 0 ]; then
    echo "bench: failed: ${failed[*]}" >&2
    exit 1
fi
