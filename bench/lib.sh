# bench/lib.sh: shell functions the bench-*.sh scripts share (sourced; not
# a benchmark itself: run.sh runs bench-*.sh only).

# bench_stats LABEL RESULTS -> "ok runs median p90 min" (ms)
# RESULTS: the timer's lines (label, ns, max RSS KiB, exit status, TAB
# separated); the times of the runs that exited 0 count.
bench_stats() {
    awk -F'\t' -v l="$1" '$1 == l { runs++; if ($4 == 0) t[++n] = $2 / 1e6 }
        END {
            if (!n) { printf "0 %d\n", runs; exit }
            for (i = 2; i <= n; i++) { x = t[i]; for (j = i - 1; j >= 1 && t[j] > x; j--) t[j + 1] = t[j]; t[j + 1] = x }
            med = (n % 2) ? t[(n + 1) / 2] : (t[n / 2] + t[n / 2 + 1]) / 2
            p = int(0.9 * n); if (p < 0.9 * n) p++
            printf "%d %d %.1f %.1f %.1f\n", n, runs, med, t[p], t[1]
        }' "$2"
}

# bench_timer DIR: compile bench/timer.c to DIR/timer (static if we can).
bench_timer() {
    cc -O2 -static -o "$1/timer" "$(dirname "${BASH_SOURCE[0]}")/timer.c" 2>"$1/cc.log" ||
        cc -O2 -o "$1/timer" "$(dirname "${BASH_SOURCE[0]}")/timer.c" 2>>"$1/cc.log" ||
        { cat "$1/cc.log" >&2; echo "cannot compile bench/timer.c" >&2; return 1; }
}

# bench_traps: the EXIT trap runs `cleanup`; INT, TERM and HUP exit with
# the shell's codes for them (so that the EXIT trap runs).
bench_traps() {
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
}

# bench_remove_dir DIR NAME: remove the temp dir, or keep it (BENCH_KEEP=1)
# and say so.
bench_remove_dir() {
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        echo "$2: kept $1" >&2
    else
        rm -rf --one-file-system "$1"
    fi
}
