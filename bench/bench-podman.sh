#!/usr/bin/env bash
# bench-podman.sh: how long does `podman run --rm IMAGE true` take with
# cabin-runtime, runc and crun as podman's OCI runtime?
#
# The same podman, image and storage for all three; only `--runtime`
# differs.  Rounds are interleaved (each round runs every runtime once, in
# an order that steps through every permutation), so noise on a shared
# machine hits everyone alike.  Wall time of the whole `podman run` (podman,
# conmon, the runtime's create/start/delete, the container) from bench/timer.c.
#
# Everything runs inside one `unshare -m --propagation private` with a tmpfs
# on /run (the runtimes' default roots, conmon's sockets) and on
# /var/lib/containers (podman's blob-info cache), podman's storage, run root,
# tmp dir and locks in a temp dir: the host's podman state is never touched.
# On a hybrid cgroup host the cgroup2 mount is unmounted in that namespace
# (crun refuses hybrid mode), so all three see the same v1 layout; the
# containers go under a cgroup parent of our own, removed at the end.
#
# Follows the contract of bench/README.md: `bench-podman.sh OUTDIR` writes
# OUTDIR/report.md, samples.tsv (wall_ms and rss_kib per run), contestants.tsv
# and skipped.txt; progress on stderr; exit 77 when podman or a tool it
# needs is missing.  Usually run via bench/run.sh (make bench).
#   BENCH_PODMAN_ROUNDS=40   measured rounds, 40 x BENCH_SCALE (after 2 warm-up rounds)
#   BENCH_PODMAN_RUNTIMES="cabin-runtime runc crun"
#   CABIN_RUNTIME=build/cabin-runtime
#   BENCH_KEEP=1             keep the temp dir
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

die() { echo "bench-podman: $*" >&2; exit 1; }

# pm RUNTIME ARGS...: podman with the private everything.
pm() {
    local rt=$1
    shift
    CONTAINERS_CONF=$W/containers.conf CONTAINERS_STORAGE_CONF=$W/storage.conf \
        podman --root "$W/storage" --runroot "$W/run" --tmpdir "$W/tmp" \
        --cgroup-manager cgroupfs --events-backend file --runtime "$rt" "$@"
}

# ---------------------------------------------------------------------------
# Inner mode, in the private mount namespace:  bench-podman.sh --inner W
# ---------------------------------------------------------------------------
inner_cleanup() {
    set +e
    local name bin
    while IFS=$'\t' read -r name bin; do
        pm "$bin" rm -af -t 0 </dev/null >/dev/null 2>&1
    done <"$W/contestants"
    return 0
}

inner() {
    mount -t tmpfs -o mode=0755 tmpfs /run
    mount -t tmpfs -o mode=0700 tmpfs /var/lib/containers
    if mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then
        umount /sys/fs/cgroup/unified || die "cannot umount /sys/fs/cgroup/unified in the namespace"
    fi
    trap 'inner_cleanup; exit 130' INT TERM HUP
    local -a names bins order
    local name bin n r i st total slot=0 cg
    cg=$(cat "$W/cgroup")
    while IFS=$'\t' read -r name bin; do
        names+=("$name")
        bins+=("$bin")
    done <"$W/contestants"
    n=${#names[@]}
    { "$repo/tests/helpers/mkimage.sh" oci "$W/image/oci" busybox &&
        "$repo/tests/helpers/mkimage.sh" oci-archive "$W/image/oci" busybox \
            "$W/image/busybox-oci.tar" busybox:latest; } >"$W/mkimage.log" 2>&1 ||
        { cat "$W/mkimage.log" >&2; die "making the image failed"; }
    pm "${bins[0]}" load -q -i "$W/image/busybox-oci.tar" >"$W/load.log" 2>&1 ||
        { cat "$W/load.log" >&2; die "podman load failed"; }
    # Smoke: one untimed run each; a runtime that fails is not measured.
    : >"$W/smoke-failed"
    for ((i = 0; i < n; i++)); do
        st=0
        pm "${bins[i]}" run --rm --network none --cgroup-parent "$cg" busybox true \
            </dev/null >"$W/smoke-${names[i]}.log" 2>&1 || st=$?
        [ "$st" -eq 0 ] || printf '%s\t%s\n' "${names[i]}" "$st" >>"$W/smoke-failed"
    done
    local -a perms=()
    case $n in
    1) perms=("0") ;;
    2) perms=("0 1" "1 0") ;;
    *) perms=("0 1 2" "1 2 0" "2 0 1" "0 2 1" "2 1 0" "1 0 2") ;;
    esac
    export TIMER_TIMEOUT=60
    total=$((BENCH_PODMAN_ROUNDS + 2))
    for ((r = 0; r < total; r++)); do
        local out=$W/results.tsv
        ((r < 2)) && out=$W/warmup.tsv
        ((r % 10 == 0)) && echo "bench-podman: round $((r + 1))/$total, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
        read -r -a order <<<"${perms[slot % ${#perms[@]}]}"
        slot=$((slot + 1))
        for i in "${order[@]}"; do
            ((i < n)) || continue
            cut -f1 "$W/smoke-failed" | grep -qx "${names[i]}" && continue
            st=0
            "$W/timer" "$out" "${names[i]}" env CONTAINERS_CONF="$W/containers.conf" \
                CONTAINERS_STORAGE_CONF="$W/storage.conf" podman --root "$W/storage" \
                --runroot "$W/run" --tmpdir "$W/tmp" --cgroup-manager cgroupfs \
                --events-backend file --runtime "${bins[i]}" run --rm --network none \
                --cgroup-parent "$cg" busybox true </dev/null >>"$W/log-${names[i]}" 2>&1 || st=$?
            [ "$st" -eq 0 ] || echo "[round $r: exit $st]" >>"$W/log-${names[i]}"
        done
    done
    trap - INT TERM HUP
    inner_cleanup
}

if [ "${1:-}" = --inner ]; then
    W=$2
    inner
    exit 0
fi

# ---------------------------------------------------------------------------
# Outer mode.
# ---------------------------------------------------------------------------
. "$here/lib.sh"
bench_init "${1:-}"
BENCH_PODMAN_ROUNDS=${BENCH_PODMAN_ROUNDS:-$(bench_rounds 40)}
export BENCH_PODMAN_ROUNDS
case $BENCH_PODMAN_ROUNDS in '' | *[!0-9]*) die "BENCH_PODMAN_ROUNDS must be a number" ;; esac
[ "$BENCH_PODMAN_ROUNDS" -ge 1 ] || die "BENCH_PODMAN_ROUNDS must be at least 1"
runtimes=${BENCH_PODMAN_RUNTIMES:-cabin-runtime runc crun}
cabin=${CABIN_RUNTIME:-$repo/build/cabin-runtime}
[ "$(id -u)" = 0 ] || die "needs root"
bench_need podman conmon unshare mountpoint cc umoci skopeo

W=$(mktemp -d "${TMPDIR:-/tmp}/cabin-bench-podman.XXXXXX")
chmod 755 "$W"
echo "/cabin-bench-podman-${W##*.}" >"$W/cgroup"
cleanup() {
    local rc=$? m d
    set +e
    trap - EXIT INT TERM HUP
    # Containers died with their conmon; their cgroups go now.
    for m in $(awk '{ for (i = 7; i <= NF && $i != "-"; i++) ; if ($(i + 1) ~ /^cgroup2?$/) print $5 }' \
        /proc/self/mountinfo); do
        [ -d "$m$(cat "$W/cgroup")" ] || continue
        find "$m$(cat "$W/cgroup")" -depth -type d -exec rmdir {} \; 2>/dev/null
    done
    bench_end bench-podman "$W" "$rc"
}
bench_traps cleanup

: >"$W/contestants"
skipped=()
for name in $runtimes; do
    if [ "$name" = cabin-runtime ]; then
        [ -x "$cabin" ] || die "cabin-runtime not built ($cabin)"
        printf '%s\t%s\n' "$name" "$cabin" >>"$W/contestants"
    elif bin=$(command -v "$name"); then
        printf '%s\t%s\n' "$name" "$bin" >>"$W/contestants"
    else
        skipped+=("$name (not installed)")
        bench_skipped "$name" "not installed"
    fi
done
while IFS=$'\t' read -r name bin; do
    bench_contestant "$name" "$bin"
done <"$W/contestants"

cc -O2 -static -o "$W/timer" "$here/timer.c" 2>"$W/cc.log" ||
    cc -O2 -o "$W/timer" "$here/timer.c" 2>>"$W/cc.log" ||
    { cat "$W/cc.log" >&2; die "cannot compile bench/timer.c"; }
mkdir -p /var/lib/containers
"$repo/tests/helpers/podman-conf.sh" "$W" "$cabin"

: >"$W/results.tsv"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench-podman: $BENCH_PODMAN_ROUNDS rounds + 2 warm-up; $(cut -f1 "$W/contestants" | tr '\n' ' ')" >&2
CABIN_RUNTIME=$cabin unshare -m --propagation private bash "$here/bench-podman.sh" --inner "$W" </dev/null
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

stats() { # LABEL -> "ok runs median p90 min"
    awk -F'\t' -v l="$1" '$1 == l { runs++; if ($4 == 0) t[++n] = $2 / 1e6 }
        END {
            if (!n) { printf "0 %d\n", runs; exit }
            for (i = 2; i <= n; i++) { x = t[i]; for (j = i - 1; j >= 1 && t[j] > x; j--) t[j + 1] = t[j]; t[j + 1] = x }
            med = (n % 2) ? t[(n + 1) / 2] : (t[n / 2] + t[n / 2 + 1]) / 2
            p = int(0.9 * n); if (p < 0.9 * n) p++
            printf "%d %d %.1f %.1f %.1f\n", n, runs, med, t[p], t[1]
        }' "$W/results.tsv"
}

awk -F'\t' -v OFS='\t' '$4 == 0 { print "run-rm", $1, "wall_ms", sprintf("%.3f", $2 / 1e6)
    print "run-rm", $1, "rss_kib", $3 }' "$W/results.tsv" >>"$BENCH_OUT/samples.tsv"
# The tables go to report.md (bench/README.md, "Writing a benchmark").
exec >"$BENCH_OUT/report.md"
ref=$(head -n1 "$W/contestants" | cut -f1)
echo "## podman: \`podman run --rm IMAGE true\` (bench-podman.sh)"
echo
echo "Wall time of \`podman --runtime RUNTIME run --rm --network none busybox true\` (podman $(podman --version | awk '{print $3}'), conmon, overlay storage, cgroupfs), from fork() to wait4() in the timer."
echo "$BENCH_PODMAN_ROUNDS rounds after 2 warm-up rounds; each round runs every runtime once, stepping through every order. Load average $load_before at start, $load_after at the end."
echo
for s in "${skipped[@]+"${skipped[@]}"}"; do echo "- **skipped:** $s"; done
while IFS=$'\t' read -r name st; do
    echo "- **$name failed the smoke run** (exit $st):"
    echo
    echo '```'
    tail -n 10 "$W/smoke-$name.log"
    echo '```'
done <"$W/smoke-failed"
echo "| runtime | version | median ms | p90 ms | min ms | median / $ref | ok / runs |"
echo "|---|---|--:|--:|--:|--:|--:|"
read -r n runs ref_med _ <<<"$(stats "$ref")"
[ "$n" -gt 0 ] || ref_med=
while IFS=$'\t' read -r name bin; do
    ver=$(timeout 5 "$bin" --version </dev/null 2>/dev/null | head -n1 | awk '{print $NF}')
    read -r n runs med p90 min <<<"$(stats "$name")"
    if [ "$n" -eq 0 ]; then
        echo "| $name | $ver | failed | | | | 0 / $runs |"
        continue
    fi
    ratio=n/a
    [ -n "$ref_med" ] && ratio=$(awk -v a="$med" -v b="$ref_med" 'BEGIN { printf "%.2f", a / b }')
    echo "| $name | $ver | $med | $p90 | $min | $ratio | $n / $runs |"
done <"$W/contestants"
echo
