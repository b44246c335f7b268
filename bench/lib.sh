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
