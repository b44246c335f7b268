#!/usr/bin/env bash
# bench-net.sh: what networking costs `run --rm busybox true`, in cabin
# (CNI: bridge, portmap, firewall) and in podman (netavark), against each
# one's `--network none`.
#
# Four contestants, interleaved (each round runs all four, in an order that
# steps through every rotation), timed by bench/timer.c from fork() to
# wait4(): the whole command, network setup and teardown included.
#   cabin        cabin run --rm busybox true                (the default network)
#   cabin-none   cabin run --rm --network none busybox true
#   podman       podman run --rm busybox true               (netavark, podman's default)
#   podman-none  podman run --rm --network none busybox true
# Then a few untimed `cabin --debug` runs give each CNI plugin's share.
#
# Everything runs inside one `unshare -m --propagation private`: podman's
# storage, run root and tmp dir are in a temp dir, tmpfs mounts cover
# /run/containers, /run/netns and /var/lib/containers (netavark's and
# podman's state), and on a hybrid cgroup host the cgroup2 mount is
# unmounted there (podman's crun refuses hybrid mode).  cabin gets its own
# --root and --runroot in the temp dir and a default network of its own
# (bridge cbbench0, 10.99.250.0/24), removed at the end with its rules.
#
# Follows the contract of bench/README.md: `bench-net.sh OUTDIR` writes
# OUTDIR/report.md, samples.tsv (run-rm wall_ms of each contestant),
# contestants.tsv and skipped.txt; progress on stderr; exit 77 when the CNI
# plugins or a tool it needs are missing.  Usually run via bench/run.sh
# (make bench).
#   BENCH_NET_ROUNDS=40   measured rounds, 40 x BENCH_SCALE (after 2 warm-up rounds)
#   CABIN=build/cabin
#   BENCH_KEEP=1          keep the temp dir
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

die() { echo "bench-net: $*" >&2; exit 1; }

BRIDGE=cbbench0
SUBNET=10.99.250.0/24

# The contestants' commands (argv), by name.
cmd_of() {
    case $1 in
    cabin) echo "$CABIN --root $W/cabin --runroot $W/cabin-run run --rm busybox true" ;;
    cabin-none) echo "$CABIN --root $W/cabin --runroot $W/cabin-run run --rm --network none busybox true" ;;
    podman) echo "podman --root $W/storage --runroot $W/run --tmpdir $W/tmp --cgroup-manager cgroupfs --events-backend file run --rm busybox true" ;;
    podman-none) echo "podman --root $W/storage --runroot $W/run --tmpdir $W/tmp --cgroup-manager cgroupfs --events-backend file run --rm --network none busybox true" ;;
    esac
}

# ---------------------------------------------------------------------------
# Inner mode, in the private mount namespace:  bench-net.sh --inner W
# ---------------------------------------------------------------------------
inner() {
    mkdir -p /run/containers /run/netns /var/lib/containers
    mount -t tmpfs -o mode=0755 tmpfs /run/containers
    mount -t tmpfs -o mode=0755 tmpfs /run/netns
    mount -t tmpfs -o mode=0700 tmpfs /var/lib/containers
    if mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then
        umount /sys/fs/cgroup/unified || die "cannot umount /sys/fs/cgroup/unified in the namespace"
    fi
    export CONTAINERS_CONF=$W/containers.conf CONTAINERS_STORAGE_CONF=$W/storage.conf
    export CABIN_DEFAULT_BRIDGE=$BRIDGE CABIN_DEFAULT_SUBNET=$SUBNET
    local names=(cabin cabin-none podman podman-none) name st r i k out total
    { "$repo/tests/helpers/mkimage.sh" rootfs-tar "$W/busybox.tar" &&
        "$repo/tests/helpers/mkimage.sh" oci "$W/oci" busybox &&
        "$repo/tests/helpers/mkimage.sh" oci-archive "$W/oci" busybox "$W/busybox-oci.tar" \
            busybox:latest; } >"$W/mkimage.log" 2>&1 ||
        { cat "$W/mkimage.log" >&2; die "making the image failed"; }
    "$CABIN" --root "$W/cabin" --runroot "$W/cabin-run" import --change 'CMD ["sh"]' \
        "$W/busybox.tar" busybox >"$W/import.log" 2>&1 ||
        { cat "$W/import.log" >&2; die "cabin import failed"; }
    podman --root "$W/storage" --runroot "$W/run" --tmpdir "$W/tmp" --cgroup-manager cgroupfs \
        --events-backend file load -q -i "$W/busybox-oci.tar" >"$W/load.log" 2>&1 ||
        { cat "$W/load.log" >&2; die "podman load failed"; }
    : >"$W/smoke-failed"
    for name in "${names[@]}"; do
        st=0
        # shellcheck disable=SC2046
        $(cmd_of "$name") </dev/null >"$W/smoke-$name.log" 2>&1 || st=$?
        [ "$st" -eq 0 ] || printf '%s\t%s\n' "$name" "$st" >>"$W/smoke-failed"
    done
    export TIMER_TIMEOUT=60
    total=$((BENCH_NET_ROUNDS + 2))
    for ((r = 0; r < total; r++)); do
        out=$W/results.tsv
        ((r < 2)) && out=$W/warmup.tsv
        ((r % 10 == 0)) && echo "bench-net: round $((r + 1))/$total, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
        for ((k = 0; k < 4; k++)); do
            name=${names[$(((r + k) % 4))]}
            cut -f1 "$W/smoke-failed" | grep -qx "$name" && continue
            st=0
            # shellcheck disable=SC2046
            "$W/timer" "$out" "$name" $(cmd_of "$name") </dev/null >>"$W/log-$name" 2>&1 || st=$?
            [ "$st" -eq 0 ] || echo "[round $r: exit $st]" >>"$W/log-$name"
        done
    done
    # Each plugin's share, from cabin's debug log (untimed runs).
    for ((i = 0; i < 10; i++)); do
        "$CABIN" --root "$W/cabin" --runroot "$W/cabin-run" --debug run --rm busybox true \
            </dev/null 2>&1 | grep -E '^cabin: CNI (ADD|DEL) ' >>"$W/plugins.log" || true
    done
}

if [ "${1:-}" = --inner ]; then
    W=$2
    CABIN=$3
    inner
    exit 0
fi

# ---------------------------------------------------------------------------
# Outer mode.
# ---------------------------------------------------------------------------
. "$here/lib.sh"
bench_init "${1:-}"
export BENCH_NET_ROUNDS=${BENCH_NET_ROUNDS:-$(bench_rounds 40)}
case $BENCH_NET_ROUNDS in '' | *[!0-9]*) die "BENCH_NET_ROUNDS must be a number" ;; esac
[ "$BENCH_NET_ROUNDS" -ge 1 ] || die "BENCH_NET_ROUNDS must be at least 1"
CABIN=${CABIN:-$repo/build/cabin}
[ -x "$CABIN" ] || die "cabin not built ($CABIN)"
[ "$(id -u)" = 0 ] || die "needs root"
[ -x /usr/lib/cni/bridge ] || bench_skip "the CNI plugins are not installed (containernetworking-plugins)"
bench_need podman unshare mountpoint cc umoci skopeo iptables
bench_contestant cabin "$CABIN" version
bench_contestant cabin-none "$CABIN" version
bench_contestant podman "$(command -v podman)"
bench_contestant podman-none "$(command -v podman)"

W=$(mktemp -d "${TMPDIR:-/tmp}/cabin-bench-net.XXXXXX")
chmod 755 "$W"
cleanup() {
    local rc=$? c
    set +e
    trap - EXIT INT TERM HUP
    c="CNI firewall plugin rules (ingressPolicy: same-bridge)"
    ip link del "$BRIDGE" 2>/dev/null
    while iptables -w -D CNI-ISOLATION-STAGE-1 -i "$BRIDGE" ! -o "$BRIDGE" -m comment \
        --comment "$c" -j CNI-ISOLATION-STAGE-2 2>/dev/null; do :; done
    while iptables -w -D CNI-ISOLATION-STAGE-2 -o "$BRIDGE" -m comment --comment "$c" \
        -j DROP 2>/dev/null; do :; done
    rm -rf /run/cabin-cni/ipam/"$BRIDGE"
    umount -R "$W/cabin" 2>/dev/null
    bench_end bench-net "$W" "$rc"
}
bench_traps cleanup

bench_timer "$W" >/dev/null || die "cannot compile bench/timer.c"
mkdir -p "$W/tmp" "$W/net"
cat >"$W/containers.conf" <<EOT
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$W/events.log"
tmp_dir = "$W/tmp"
lock_type = "file"
[network]
network_backend = "netavark"
network_config_dir = "$W/net"
EOT
cat >"$W/storage.conf" <<EOT
[storage]
driver = "overlay"
graphroot = "$W/storage"
runroot = "$W/run"
EOT

: >"$W/results.tsv"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench-net: $BENCH_NET_ROUNDS rounds + 2 warm-up" >&2
unshare -m --propagation private bash "$here/bench-net.sh" --inner "$W" "$CABIN" </dev/null
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

# Raw samples (bench/README.md), then the report.
awk -F'\t' -v OFS='\t' '$4 == 0 { print "run-rm", $1, "wall_ms", sprintf("%.3f", $2 / 1e6) }' \
    "$W/results.tsv" >>"$BENCH_OUT/samples.tsv"
while IFS=$'\t' read -r name st; do
    bench_skipped "$name" "failed its smoke run (exit $st): $(tail -n 1 "$W/smoke-$name.log")"
done <"$W/smoke-failed"
exec >"$BENCH_OUT/report.md"
echo "## What networking costs: \`run --rm busybox true\` with and without a network (bench-net.sh)"
echo
echo "Wall time of the whole command, from fork() to wait4() in the timer: cabin with its default"
echo "network (CNI $(dpkg-query -W -f '${Version}' containernetworking-plugins 2>/dev/null): bridge,"
echo "portmap, firewall) and with \`--network none\`; podman $(podman --version | awk '{print $3}')"
echo "with its default network (netavark) and with \`--network none\`. $BENCH_NET_ROUNDS rounds after"
echo "2 warm-up rounds, each running all four in a rotating order. Load average $load_before at"
echo "start, $load_after at the end."
echo
while IFS=$'\t' read -r name st; do
    echo "- **$name failed the smoke run** (exit $st):"
    echo
    echo '```'
    tail -n 10 "$W/smoke-$name.log"
    echo '```'
done <"$W/smoke-failed"
echo "| command | median ms | p90 ms | min ms | median / cabin | ok / runs |"
echo "|---|--:|--:|--:|--:|--:|"
declare -A med
read -r n runs ref _ <<<"$(stats cabin)"
[ "$n" -gt 0 ] || ref=
for name in cabin cabin-none podman podman-none; do
    read -r n runs m p90 min <<<"$(stats "$name")"
    if [ "$n" -eq 0 ]; then
        echo "| $name | failed | | | | 0 / $runs |"
        continue
    fi
    med[$name]=$m
    ratio=n/a
    [ -n "$ref" ] && ratio=$(awk -v a="$m" -v b="$ref" 'BEGIN { printf "%.2f", a / b }')
    echo "| $name | $m | $p90 | $min | $ratio | $n / $runs |"
done
echo
if [ -n "${med[cabin]:-}" ] && [ -n "${med[cabin-none]:-}" ] && [ -n "${med[podman]:-}" ] &&
    [ -n "${med[podman-none]:-}" ]; then
    awk -v c="${med[cabin]}" -v cn="${med[cabin-none]}" -v p="${med[podman]}" \
        -v pn="${med[podman-none]}" 'BEGIN {
        printf "What the network costs (median with it minus median without): cabin %.1f ms, podman %.1f ms.\n\n", c - cn, p - pn
        printf "Targets:\n\n"
        printf "- cabin with its default network under 40 ms: %s (%.1f ms)\n", c < 40 ? "PASS" : "FAIL", c
        printf "- cabin faster than podman, both with their default network: %s (podman / cabin = %.2f)\n", c < p ? "PASS" : "FAIL", p / c
    }'
    echo
fi
if [ -s "$W/plugins.log" ]; then
    echo "Where cabin's network time goes (median of 10 \`cabin --debug\` runs, each plugin as it runs):"
    echo
    echo "| step | median ms |"
    echo "|---|--:|"
    awk '{ k = $3 " " $4; gsub(/:$/, "", k); v[k] = v[k] " " $(NF - 3) ; if (!(k in seen)) { seen[k] = 1; order[++n] = k } }
        END {
            for (i = 1; i <= n; i++) {
                m = split(v[order[i]], t, " ")
                for (a = 2; a <= m; a++) { x = t[a]; for (b = a - 1; b >= 1 && t[b] + 0 > x + 0; b--) t[b + 1] = t[b]; t[b + 1] = x }
                printf "| CNI %s | %s |\n", order[i], (m % 2) ? t[(m + 1) / 2] : (t[m / 2] + t[m / 2 + 1]) / 2
            }
        }' "$W/plugins.log"
    echo
fi
