# bench/lib.sh: helpers for bench/bench-*.sh scripts (bash).  Source it:
#
#   . "$(dirname "$0")/lib.sh"
#   bench_init "$@"              # OUTDIR from $1, checks, $BENCH_OUT set
#
# and follow the contract in bench/README.md ("Writing a benchmark"):
# report.md, samples.tsv, contestants.tsv and skipped.txt in $BENCH_OUT,
# exit 0 (measured), 77 (skipped as a whole) or anything else (failed).

# bench_init OUTDIR: set BENCH_OUT (an existing directory) or die.
bench_init() {
    BENCH_OUT=${1:-${BENCH_OUT:-}}
    if [ -z "$BENCH_OUT" ] || [ ! -d "$BENCH_OUT" ]; then
        echo "$(basename "$0"): usage: $(basename "$0") OUTDIR (an existing directory)" >&2
        exit 2
    fi
    BENCH_OUT=$(cd "$BENCH_OUT" && pwd)
    export BENCH_OUT
    : >>"$BENCH_OUT/samples.tsv"
    : >>"$BENCH_OUT/contestants.tsv"
    : >>"$BENCH_OUT/skipped.txt"
}

# bench_rounds DEFAULT: the number of rounds to run: $BENCH_ROUNDS if set,
# else DEFAULT times $BENCH_SCALE (default 1), at least 1.
bench_rounds() {
    if [ -n "${BENCH_ROUNDS:-}" ]; then
        echo "$BENCH_ROUNDS"
        return
    fi
    awk -v d="$1" -v s="${BENCH_SCALE:-1}" 'BEGIN { n = int(d * s + 0.5); print (n < 1) ? 1 : n }'
}

# bench_contestant NAME BINARY [ARG...]: record a contestant that was
# compared, with its version: the first line of `BINARY ARG...` (default
# `--version`; `cabin` wants `version`).
bench_contestant() {
    local name=$1 bin=$2 v
    shift 2
    [ $# -gt 0 ] || set -- --version
    v=$(timeout 5 "$bin" "$@" </dev/null 2>/dev/null | head -n1 | tr -d '\t|') || true
    printf '%s\t%s\t%s\n' "$name" "$bin" "${v:-(no version output)}" >>"$BENCH_OUT/contestants.tsv"
}

# bench_skipped WHAT REASON: one line in the results saying what was left
# out and why ("podman: not installed").  The benchmark goes on.
bench_skipped() {
    printf '%s: %s\n' "$1" "$2" >>"$BENCH_OUT/skipped.txt"
    echo "$(basename "$0"): skipped $1: $2" >&2
}

# bench_skip REASON: skip the whole benchmark (exit 77) with a reason.
bench_skip() {
    printf '%s: %s\n' "$(basename "$0" .sh)" "$1" >>"$BENCH_OUT/skipped.txt"
    echo "$(basename "$0"): skipped: $1" >&2
    exit 77
}

# bench_need TOOL...: skip the benchmark unless every TOOL is on $PATH.
bench_need() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || bench_skip "$t is not installed"
    done
}

# bench_sample SCENARIO CONTESTANT METRIC VALUE: one raw measurement.
# METRIC ends in its unit: wall_ms, phase_ms, rss_kib, pss_kib, total_s...
bench_sample() {
    printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$BENCH_OUT/samples.tsv"
}

# bench_timer DIR: compile bench/timer.c (static if possible) into DIR and
# print its path.  See timer.c for what it measures.
bench_timer() {
    local src
    src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/timer.c
    cc -O2 -static -o "$1/timer" "$src" 2>/dev/null || cc -O2 -o "$1/timer" "$src" || return 1
    echo "$1/timer"
}

# bench_end NAME DIR RC: the end of a script's cleanup trap: DIR removed
# (kept, and said, with BENCH_KEEP=1), then exit RC.
bench_end() {
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        echo "$1: kept $2" >&2
    else
        rm -rf --one-file-system "$2"
    fi
    exit "$3"
}

# bench_traps FUNC: FUNC runs on exit; INT, TERM and HUP exit with their
# shell status (so FUNC runs for them too).
bench_traps() {
    trap "$1" EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
}

# bench_table METRIC [SCENARIO...]: a markdown table of METRIC from
# samples.tsv: one row per scenario and contestant (in the order of
# contestants.tsv) with n, median, p90 (nearest rank), min, and the median
# divided by the first contestant's median in the same scenario.
bench_table() {
    local metric=$1
    shift
    awk -F'\t' -v metric="$metric" -v only="$*" '
        FILENAME == ARGV[1] { order[++nc] = $1; next }
        $3 != metric { next }
        only != "" && index(" " only " ", " " $1 " ") == 0 { next }
        {
            if (!($1 in seen)) { seen[$1] = 1; scen[++ns] = $1 }
            k = $1 SUBSEP $2; n[k]++; v[k, n[k]] = $4 + 0
        }
        function med(k, m,   i, j, x, a) {
            for (i = 1; i <= m; i++) a[i] = v[k, i]
            for (i = 2; i <= m; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
            for (i = 1; i <= m; i++) s[i] = a[i]
            return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
        }
        END {
            printf "| scenario | contestant | n | median | p90 | min | median / %s |\n", order[1]
            print "|---|---|--:|--:|--:|--:|--:|"
            for (i = 1; i <= ns; i++) {
                ref = ""
                for (c = 1; c <= nc; c++) {
                    k = scen[i] SUBSEP order[c]
                    if (!(k in n)) continue
                    m = n[k]; md = med(k, m)
                    p = int(0.9 * m); if (p < 0.9 * m) p++
                    if (c == 1) ref = md
                    r = (ref != "" && ref > 0) ? sprintf("%.2f", md / ref) : "n/a"
                    printf "| %s | %s | %d | %.2f | %.2f | %.2f | %s |\n", scen[i], order[c], m, md, s[p], s[1], r
                }
            }
        }' "$BENCH_OUT/contestants.tsv" "$BENCH_OUT/samples.tsv"
}
