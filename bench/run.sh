#!/usr/bin/env bash
# bench/run.sh: the driver of `make bench`.
#
#   bench/run.sh [NAME...]
#
# Runs every bench/bench-*.sh (or only bench-NAME.sh for each NAME given), in
# name order, each as `bench-NAME.sh OUTDIR` with a fresh OUTDIR, following
# the contract in bench/README.md ("Writing a benchmark").  Then it writes
# bench/results/<YYYY-MM-DD>-<HHMM>.md: a header (host, tree, load), a
# summary of every benchmark (measured, skipped and why, or failed), each
# benchmark's tables (its report.md) and, under them, PNG plots of its raw
# samples (bench/plot.sh) stored with the raw samples in
# bench/results/<YYYY-MM-DD>-<HHMM>/.  The report is printed at the end.
#
# Exit status: 0 when every benchmark ran or was skipped with a reason;
# 1 when one failed, cabin-runtime is not built, or a plot could not be
# drawn; the signal's status when interrupted (no report then).
#
# Environment (see bench/README.md): BENCH_SCALE (1: multiplies every
# benchmark's rounds), BENCH_ROUNDS (fixed rounds for every benchmark),
# CABIN_RUNTIME, BENCH_ALLOW_NO_CABIN=1, and for testing the driver itself
# BENCH_DIR (where the bench-*.sh are) and BENCH_RESULTS (where results go).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
scripts_dir=${BENCH_DIR:-$here}
results=${BENCH_RESULTS:-$here/results}
export CABIN_RUNTIME=${CABIN_RUNTIME:-$repo/build/cabin-runtime}
export BENCH_SCALE=${BENCH_SCALE:-1}
export BENCH_REPO=$repo

die() { echo "bench: $*" >&2; exit 1; }

awk -v s="$BENCH_SCALE" 'BEGIN { exit !(s ~ /^[0-9]*\.?[0-9]+$/ && s > 0) }' ||
    die "BENCH_SCALE must be a positive number (got '$BENCH_SCALE')"
if [ -n "${BENCH_ROUNDS:-}" ]; then
    case $BENCH_ROUNDS in *[!0-9]* | 0) die "BENCH_ROUNDS must be a positive whole number" ;; esac
fi
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
        [ -f "$scripts_dir/bench-$n.sh" ] || die "no such benchmark: $scripts_dir/bench-$n.sh"
        scripts+=("$scripts_dir/bench-$n.sh")
    done
else
    scripts=("$scripts_dir"/bench-*.sh)
    [ -e "${scripts[0]}" ] || die "no $scripts_dir/bench-*.sh found"
fi

mkdir -p "$results" || die "cannot create $results"
stamp=$(date +%Y-%m-%d-%H%M)
i=2
while [ -e "$results/$stamp.md" ] || [ -e "$results/$stamp" ]; do
    stamp=$(date +%Y-%m-%d-%H%M)-$i
    i=$((i + 1))
done
report=$results/$stamp.md
assets=$results/$stamp
work=$(mktemp -d "${TMPDIR:-/tmp}/cabin-bench-run.XXXXXX") || die "mktemp failed"
finished=0
cleanup() {
    rm -rf "$work"
    # An interrupted run leaves no half report and no orphaned plots.
    [ "$finished" = 1 ] || rm -rf "$assets" "$report.partial"
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM
mkdir -p "$assets" || die "cannot create $assets"

commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null) || commit="(no commit)"
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null | head -n1)" ]; then
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
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s)

# --- run every benchmark -------------------------------------------------------
declare -A status_of secs_of
failed=()
plot_failed=0
for s in "${scripts[@]}"; do
    name=$(basename "$s" .sh)
    out=$work/$name
    mkdir -p "$out"
    echo "bench: running $name" >&2
    start=$(date +%s)
    bash "$s" "$out" >"$out/stdout.log" 2> >(tee "$out/stderr.log" >&2)
    rc=$?
    wait # for tee
    secs_of[$name]=$(($(date +%s) - start))
    if [ "$rc" -ge 128 ]; then
        echo "bench: $name interrupted (exit $rc), no report written" >&2
        exit "$rc"
    fi
    if [ "$rc" = 77 ]; then
        status_of[$name]=skipped
    elif [ "$rc" -ne 0 ]; then
        status_of[$name]="failed (exit $rc)"
        failed+=("$name")
    elif [ ! -s "$out/report.md" ] && [ -s "$out/stdout.log" ]; then
        # Written before the contract: its section came on stdout.
        cp "$out/stdout.log" "$out/report.md"
        status_of[$name]="measured (report on stdout, no samples.tsv: no plots)"
    elif [ ! -s "$out/report.md" ]; then
        status_of[$name]="failed (exit 0 but no report.md)"
        failed+=("$name")
    else
        status_of[$name]=measured
    fi
    if [ -s "$out/samples.tsv" ]; then
        short=${name#bench-}
        gzip -9c "$out/samples.tsv" >"$assets/$short-samples.tsv.gz"
        : >>"$out/contestants.tsv"
        if ! bash "$here/plot.sh" "$out/samples.tsv" "$out/contestants.tsv" "$assets" "$short" \
            >"$out/plots.md" 2>"$out/plot.err"; then
            plot_failed=1
            cat "$out/plot.err" >&2
        fi
    fi
done
t1=$(date +%s)

# --- the report ---------------------------------------------------------------------
skip_lines() { # NAME: its skipped.txt as markdown list items
    [ -s "$work/$1/skipped.txt" ] || return 0
    sed 's/^/- **skipped:** /' "$work/$1/skipped.txt"
}

{
    echo "# cabin benchmarks, $(date -d "@$t0" '+%Y-%m-%d %H:%M %Z')"
    echo
    echo "- host: $(uname -n), Linux $(uname -r), $(nproc) CPUs ($cpu), $mem"
    echo "- tree: $repo @ $commit"
    echo "- cabin-runtime: \`$CABIN_RUNTIME\` $cabin_ver"
    echo "- load average at start: $load_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- rounds: BENCH_SCALE=$BENCH_SCALE${BENCH_ROUNDS:+, BENCH_ROUNDS=$BENCH_ROUNDS}; total time $((t1 - t0)) s"
    echo
    echo "## Summary"
    echo
    echo "| benchmark | result | time s | contestants |"
    echo "|---|---|--:|---|"
    for s in "${scripts[@]}"; do
        name=$(basename "$s" .sh)
        who=$(cut -f1 "$work/$name/contestants.tsv" 2>/dev/null | paste -sd, - | sed 's/,/, /g')
        st=${status_of[$name]}
        if [ "$st" = skipped ]; then
            why=$(head -n1 "$work/$name/skipped.txt" 2>/dev/null)
            why=${why#"$name: "}
            st="skipped: ${why:-no reason given}"
        fi
        echo "| $name | $st | ${secs_of[$name]} | ${who:-none} |"
    done
    echo
    for s in "${scripts[@]}"; do
        name=$(basename "$s" .sh)
        skip_lines "$name"
    done
    echo
    for s in "${scripts[@]}"; do
        name=$(basename "$s" .sh)
        out=$work/$name
        case ${status_of[$name]} in
        skipped)
            continue ;;
        failed*)
            echo "## $name: ${status_of[$name]}"
            echo
            echo "The end of its stderr:"
            echo
            echo '```'
            tail -n 20 "$out/stderr.log" 2>/dev/null
            echo '```'
            echo
            ;;
        esac
        if [ -s "$out/report.md" ]; then
            cat "$out/report.md"
            echo
        fi
        if [ -s "$out/plots.md" ]; then
            echo "### Plots ($name)"
            echo
            cat "$out/plots.md"
        fi
    done
} >"$report.partial"

rmdir "$assets" 2>/dev/null || true # nothing to keep when nothing was sampled
mv "$report.partial" "$report"
finished=1
echo >&2
cat "$report"
echo "bench: report written to ${report#"$repo"/}" >&2
if [ ${#failed[@]} -gt 0 ]; then
    echo "bench: failed: ${failed[*]}" >&2
    exit 1
fi
[ "$plot_failed" = 0 ] || { echo "bench: some plots could not be drawn (see above)" >&2; exit 1; }
