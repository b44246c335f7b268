#!/usr/bin/env bash
# bench/plot.sh: PNG plots of a benchmark's raw samples, with gnuplot.
#
#   bench/plot.sh SAMPLES CONTESTANTS OUTDIR NAME
#
# SAMPLES is a samples.tsv (scenario, contestant, metric, value; see
# bench/README.md), CONTESTANTS its contestants.tsv (for the order of the
# boxes).  For every metric, OUTDIR/NAME-METRIC.png shows the distribution
# of the values: one group per scenario (in the order they first appear),
# one box per contestant (median line, box from the 25th to the 75th
# percentile, whiskers to 1.5 IQR, outliers as dots).  A long tail of a few
# slow runs would squash the boxes, so the y axis stops a little above the
# largest 95th percentile; how many samples that leaves out is printed.
# Prints one markdown image line (and its caption) per plot on stdout.
# Exit status 1 when gnuplot is missing or fails.
set -uo pipefail

samples=$1 contestants=$2 outdir=$3 name=$4
command -v gnuplot >/dev/null 2>&1 || { echo "plot: gnuplot is not installed" >&2; exit 1; }
[ -s "$samples" ] || exit 0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cabin-plot.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

unit_of() {
    case $1 in
    *_ms) echo "ms" ;;
    *_s) echo "s" ;;
    *_kib) echo "KiB" ;;
    *_mib) echo "MiB" ;;
    *_pct) echo "%" ;;
    *) echo "$1" ;;
    esac
}

colors=("#1b9e77" "#d95f02" "#7570b3" "#e7298a" "#66a61e" "#e6ab02" "#a6761d" "#666666")
status=0
for metric in $(awk -F'\t' '!seen[$3]++ { print $3 }' "$samples"); do
    rm -f "$tmp"/*.dat
    # One file of values per (scenario, contestant): d_S_C.dat, plus the
    # layout: "S C scenario contestant n p95" lines.
    awk -F'\t' -v metric="$metric" -v dir="$tmp" '
        FILENAME == ARGV[1] { if (!($1 in ci)) { ci[$1] = ++nc; cn[nc] = $1 }; next }
        $3 != metric { next }
        {
            if (!($1 in si)) { si[$1] = ++ns; sn[ns] = $1 }
            if (!($2 in ci)) { ci[$2] = ++nc; cn[nc] = $2 }
            f = dir "/d_" si[$1] "_" ci[$2] ".dat"
            print $4 > f
            k = si[$1] SUBSEP ci[$2]; cnt[k]++; v[k, cnt[k]] = $4 + 0
        }
        END {
            for (s = 1; s <= ns; s++)
                for (c = 1; c <= nc; c++) {
                    k = s SUBSEP c
                    if (!(k in cnt)) continue
                    m = cnt[k]
                    for (i = 1; i <= m; i++) a[i] = v[k, i]
                    for (i = 2; i <= m; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
                    p = int(0.95 * m); if (p < 0.95 * m) p++
                    printf "%d\t%d\t%s\t%s\t%d\t%s\t%s\n", s, c, sn[s], cn[c], m, a[p], a[m] > dir "/layout"
                }
        }' "$contestants" "$samples"
    [ -s "$tmp/layout" ] || continue
    ncont=$(cut -f2 "$tmp/layout" | sort -n | tail -n1)
    nscen=$(cut -f1 "$tmp/layout" | sort -n | tail -n1)
    read -r top max <<<"$(awk -F'\t' '{ if ($6 > p) p = $6; if ($7 > m) m = $7 } END { t = p * 1.25; if (m <= t) t = m * 1.05; if (t <= 0) t = 1; print t, m }' "$tmp/layout")"
    cut=$(cat "$tmp"/d_*.dat | awk -v t="$top" '$1 > t { n++ } END { print n + 0 }')
    total=$(cat "$tmp"/d_*.dat | wc -l)
    unit=$(unit_of "$metric")
    width=$((160 + 46 * nscen * (ncont + 1)))
    [ "$width" -ge 640 ] || width=640
    [ "$width" -le 2400 ] || width=2400
    png="$outdir/$name-$metric.png"
    {
        echo "set terminal pngcairo size $width,460 noenhanced font 'sans,10'"
        echo "set output '$png'"
        echo "set title '$name: $metric ($total samples)'"
        echo "set style fill solid 0.35 border -1"
        echo "set style boxplot outliers pointtype 7"
        echo "set pointsize 0.35"
        echo "set style data boxplot"
        echo "set boxwidth 0.75"
        echo "set grid ytics"
        echo "set key outside bottom center horizontal reverse Left"
        echo "set ylabel '$metric ($unit)'"
        echo "set yrange [0:$top]"
        echo "set xrange [0:$((nscen * (ncont + 1)))]"
        awk -F'\t' -v nc="$ncont" '!seen[$1]++ { l = l (l ? ", " : "") sprintf("\"%s\" %g", $3, ($1 - 1) * (nc + 1) + (nc + 1) / 2) }
            END { print "set xtics (" l ") nomirror" }' "$tmp/layout"
        printf 'plot '
        awk -F'\t' -v nc="$ncont" -v dir="$tmp" -v cols="${colors[*]}" '
            BEGIN { split(cols, col, " ") }
            {
                x = ($1 - 1) * (nc + 1) + $2
                t = ($4 in titled) ? "notitle" : "title \"" $4 "\""
                titled[$4] = 1
                printf "%s\"%s/d_%d_%d.dat\" using (%g):1 lc rgb \"%s\" %s", sep, dir, $1, $2, x, col[($2 - 1) % 8 + 1], t
                sep = ", \\\n     "
            }
            END { print "" }' "$tmp/layout"
    } >"$tmp/plot.gp"
    if ! gnuplot "$tmp/plot.gp" 2>"$tmp/gnuplot.err"; then
        echo "plot: gnuplot failed for $name $metric:" >&2
        cat "$tmp/gnuplot.err" >&2
        status=1
        continue
    fi
    note=""
    if [ "$cut" -gt 0 ]; then
        note=" The y axis stops at $(printf '%.4g' "$top") $unit: $cut of the $total samples are above it (largest $(printf '%.4g' "$max") $unit)."
    fi
    echo "![$name: $metric]($(basename "$outdir")/$(basename "$png"))"
    echo
    echo "*$name, \`$metric\`: distribution per scenario and contestant (box: 25th to 75th percentile, line: median, whiskers: 1.5 IQR).$note*"
    echo
done
exit "$status"
