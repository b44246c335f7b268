#!/usr/bin/env bash
# bench-cabin-run.sh: the engine's container path.
#
#  1. `cabin run --rm busybox true` against `podman run --rm busybox true`
#     (both --network none; podman with crun, its fastest runtime here),
#     interleaved round after round, from fork() to wait4() in bench/timer.c:
#     median, p90, min and the ratio (target: cabin at least 10x faster);
#     and `docker run --rm` (Debian's docker.io with its runc) when dockerd,
#     containerd and the runc shim are installed: a private containerd and
#     dockerd are started inside the benchmark's namespace (their roots in
#     the temp dir and its /run, no iptables, no bridge), as
#     tests/integration/dockerd.bats does; BENCH_DOCKER=0 leaves docker out.
#  2. 200 `cabin run -d busybox sleep` one after the other: the wall time to
#     start them all; then, with all 200 running, each monitor's PSS and
#     private memory (/proc/PID/smaps_rollup, summed smem-style), each
#     container's memory cgroup usage, and the host's MemAvailable before and
#     after (target: under 150 KiB of PSS a monitor).  For scale: the PSS of
#     conmon for podman -d containers, and of a foreground `cabin run` process
#     (what a monitor that was a fork of cabin would at least keep).
#
# Everything runs inside one `unshare -m --propagation private` with a tmpfs
# on /run and /var/lib/containers, podman's storage and cabin's roots in a
# temp dir: the host's podman and cabin state are never touched.  On a hybrid
# cgroup host the cgroup2 mount is unmounted in that namespace (crun refuses
# hybrid mode), so both see the same v1 layout.
#
# Without podman (or conmon, crun, umoci, skopeo) cabin and its runtime
# core are still measured, and skipped.txt says what was left out.
#
# Follows the contract of bench/README.md: `bench-cabin-run.sh OUTDIR` writes
# OUTDIR/report.md, samples.tsv (run-rm and run-d wall_ms, run-rm rss_kib;
# monitor pss_kib and uss_kib, cabin's monitors against conmon),
# contestants.tsv and skipped.txt; progress on stderr; exit 77 when a tool
# it needs is missing.  Usually run via bench/run.sh (make bench).
#   BENCH_CABIN_ROUNDS=100    measured rounds of part 1, 100 x BENCH_SCALE (after 3 warm-up rounds)
#   BENCH_CABIN_MANY=200      containers of part 2 (the target is for 200: not scaled)
#   BENCH_CABIN_CONMONS=10    podman -d containers whose conmon is measured
#   CABIN=build/cabin         BENCH_KEEP=1 keeps the temp dir
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
CABIN=${CABIN:-$repo/build/cabin}
CABIN_RUNTIME=${CABIN_RUNTIME:-$(dirname "$CABIN")/cabin-runtime}

die() { echo "bench-cabin-run: $*" >&2; exit 1; }

# The run roots are on the namespace's own tmpfs /run, as on a host.
CRUN=/run/cabin-bench
PRUN=/run/podman-bench
cb() { "$CABIN" --root "$W/cabin" --runroot "$CRUN" "$@"; }
pm() {
    CONTAINERS_CONF=$W/containers.conf CONTAINERS_STORAGE_CONF=$W/storage.conf \
        podman --root "$W/storage" --runroot "$PRUN" --tmpdir "$W/tmp" \
        --cgroup-manager cgroupfs --events-backend file --runtime crun "$@"
}

DSOCK=/run/docker-bench.sock
dk() { docker -H "unix://$DSOCK" "$@"; }

# A private containerd and dockerd in the namespace, the busybox image
# loaded; on any failure HAVE_DOCKER=0 and $W/docker.skip says why.
docker_start() {
    local d=$W/containerd i
    mkdir -p "$d"
    printf '%s\n' 'version = 2' "root = \"$d/root\"" 'state = "/run/containerd-bench"' \
        'disabled_plugins = ["io.containerd.grpc.v1.cri"]' '[grpc]' \
        '  address = "/run/containerd-bench.sock"' '[ttrpc]' \
        '  address = "/run/containerd-bench.sock.ttrpc"' \
        '[plugins."io.containerd.internal.v1.opt"]' "  path = \"$d/opt\"" >"$d/config.toml"
    containerd --config "$d/config.toml" >"$W/containerd.log" 2>&1 </dev/null &
    for ((i = 0; i < 200; i++)); do
        [ -S /run/containerd-bench.sock ] && break
        sleep 0.1
    done
    echo '{}' >"$W/daemon.json"
    dockerd --config-file "$W/daemon.json" --data-root "$W/docker" --exec-root /run/docker-bench \
        --pidfile /run/docker-bench.pid -H "unix://$DSOCK" --containerd /run/containerd-bench.sock \
        --iptables=false --ip6tables=false --bridge=none --cgroup-parent /cabin-bench-docker \
        >"$W/dockerd.log" 2>&1 </dev/null &
    for ((i = 0; i < 300; i++)); do
        dk version >/dev/null 2>&1 && break
        sleep 0.2
    done
    if ! dk version >/dev/null 2>&1; then
        echo "dockerd did not start: $(tail -n 1 "$W/dockerd.log")" >"$W/docker.skip"
        HAVE_DOCKER=0
        return 0
    fi
    if ! "$repo/tests/helpers/mkimage.sh" docker-archive "$W/oci" busybox "$W/busybox-docker.tar" \
        busybox:latest >>"$W/mkimage.log" 2>&1 || ! dk load -q -i "$W/busybox-docker.tar" >/dev/null 2>&1 ||
        ! dk run --rm --network none busybox true </dev/null >"$W/smoke-docker.log" 2>&1; then
        echo "docker could not load or run busybox: $(tail -n 1 "$W/smoke-docker.log" 2>/dev/null)" >"$W/docker.skip"
        HAVE_DOCKER=0
    fi
}

# Our dockerd and containerd, by the paths only they have.
our_daemons() {
    pgrep -f "^dockerd --config-file $W/daemon.json"
    pgrep -f "^containerd --config $W/containerd/config.toml"
}

docker_stop() {
    local pid i ids
    ids=$(dk ps -aq 2>/dev/null)
    [ -z "$ids" ] || dk rm -f $ids >/dev/null 2>&1
    for pid in $(our_daemons); do kill "$pid" 2>/dev/null; done
    for ((i = 0; i < 100; i++)); do
        [ -z "$(our_daemons)" ] && break
        sleep 0.1
    done
    for pid in $(our_daemons); do kill -9 "$pid" 2>/dev/null; done
    rmdir /sys/fs/cgroup/*/cabin-bench-docker 2>/dev/null
    return 0
}

# "pss private" in KiB of one process, from smaps_rollup.
pss_of() {
    awk '/^Pss:/ { p = $2 } /^Private_(Clean|Dirty):/ { u += $2 } END { print p + 0, u + 0 }' \
        "/proc/$1/smaps_rollup" 2>/dev/null || echo "0 0"
}

# LIST-FILE -> "n mean median max" of the first column (KiB)
summary() {
    sort -n "$1" | awk '{ v[++n] = $1; s += $1 }
        END { if (!n) { print "0 0 0 0"; exit }
              med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
              printf "%d %.1f %.1f %d\n", n, s / n, med, v[n] }'
}

mem_available() { awk '/^MemAvailable/ { print $2 }' /proc/meminfo; }

# ---------------------------------------------------------------------------
# Inner mode, in the private mount namespace:  bench-cabin-run.sh --inner W
# ---------------------------------------------------------------------------
inner_cleanup() {
    set +e
    local ids
    ids=$(cb ps -aq --no-trunc 2>/dev/null)
    [ -n "$ids" ] && cb rm -f $ids >/dev/null 2>&1
    [ "$HAVE_PODMAN" = 0 ] || pm rm -af -t 0 </dev/null >/dev/null 2>&1
    [ "${DOCKER_STARTED:-0}" = 0 ] || docker_stop
    [ -n "${FLOOR_BUNDLE:-}" ] && umount -l "$FLOOR_BUNDLE/rootfs" 2>/dev/null
    return 0
}

# The floor under cabin's number: its runtime core alone (cabin-runtime,
# the same code) running the very bundle cabin makes, on its root mounted
# once.
floor_setup() {
    local id
    id=$(cb create --network none busybox true) || die "cabin create failed"
    FLOOR_BUNDLE=$W/cabin/containers/$id
    # cabin's start makes the container's network namespace (for --network
    # none too: only lo) and the bundle names its path; the floor has no
    # start, so its runtime makes a fresh one itself.
    jq '(.linux.namespaces[] | select(.type == "network")) |= del(.path)' \
        "$FLOOR_BUNDLE/config.json" >"$W/floor-config.json" &&
        mv "$W/floor-config.json" "$FLOOR_BUNDLE/config.json" ||
        die "editing the floor's config.json failed"
    local lower upper work merged
    lower=$(cb inspect -f '{{.GraphDriver.Data.LowerDir}}' "$id")
    upper=$(cb inspect -f '{{.GraphDriver.Data.UpperDir}}' "$id")
    work=$(cb inspect -f '{{.GraphDriver.Data.WorkDir}}' "$id")
    merged=$(cb inspect -f '{{.GraphDriver.Data.MergedDir}}' "$id")
    mount -t overlay overlay -o "lowerdir=$lower,upperdir=$upper,workdir=$work,index=off" \
        "$merged" || die "mounting the floor's root failed"
    FLOOR_N=0
}

run_pair() { # ROUNDS OUT
    local r slot=0 st order
    for ((r = 0; r < $1; r++)); do
        ((r % 20 == 0)) && echo "bench-cabin-run: round $((r + 1))/$1, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
        case $((slot++ % 4)) in
        0) order="cabin podman runtime docker" ;;
        1) order="podman runtime docker cabin" ;;
        2) order="runtime docker cabin podman" ;;
        *) order="docker cabin podman runtime" ;;
        esac
        for who in $order; do
            [ "$who" = podman ] && [ "$HAVE_PODMAN" = 0 ] && continue
            [ "$who" = docker ] && [ "$HAVE_DOCKER" = 0 ] && continue
            st=0
            case $who in
            cabin)
                "$W/timer" "$2" cabin "$CABIN" --root "$W/cabin" --runroot "$CRUN" \
                    run --rm --network none busybox true </dev/null >>"$W/log-cabin" 2>&1 || st=$?
                ;;
            podman)
                "$W/timer" "$2" podman env CONTAINERS_CONF="$W/containers.conf" \
                    CONTAINERS_STORAGE_CONF="$W/storage.conf" podman --root "$W/storage" \
                    --runroot "$PRUN" --tmpdir "$W/tmp" --cgroup-manager cgroupfs \
                    --events-backend file --runtime crun run --rm --network none busybox true \
                    </dev/null >>"$W/log-podman" 2>&1 || st=$?
                ;;
            docker)
                "$W/timer" "$2" docker docker -H "unix://$DSOCK" run --rm --network none busybox true \
                    </dev/null >>"$W/log-docker" 2>&1 || st=$?
                ;;
            runtime)
                FLOOR_N=$((FLOOR_N + 1))
                "$W/timer" "$2" runtime "$CABIN_RUNTIME" --root /run/cabin-bench-floor run \
                    --bundle "$FLOOR_BUNDLE" "floor-$FLOOR_N" </dev/null >>"$W/log-runtime" 2>&1 || st=$?
                ;;
            esac
            [ "$st" -eq 0 ] || echo "[round $r: exit $st]" >>"$W/log-$who"
        done
    done
}

many() {
    local n=$BENCH_CABIN_MANY i t0 t1 id pid cgfile before after
    before=$(mem_available)
    t0=$(date +%s%N)
    for ((i = 0; i < n; i++)); do
        "$W/timer" "$W/many.tsv" cabin "$CABIN" --root "$W/cabin" --runroot "$CRUN" \
            run -d --network none busybox sleep 100000 >>"$W/many.ids" 2>>"$W/log-many" </dev/null ||
            die "run -d $i failed: $(tail -n 3 "$W/log-many")"
    done
    t1=$(date +%s%N)
    sleep 2
    after=$(mem_available)
    echo "$(((t1 - t0) / 1000000)) $before $after" >"$W/many.time"
    : >"$W/monitor.pss"
    : >"$W/monitor.uss"
    : >"$W/cgroup.kib"
    while read -r id; do
        pid=$(cat "$CRUN/containers/$id/monitor.pid")
        read -r p u <<<"$(pss_of "$pid")"
        echo "$p" >>"$W/monitor.pss"
        echo "$u" >>"$W/monitor.uss"
        cgfile=/sys/fs/cgroup/memory/cabin/$id/memory.usage_in_bytes
        [ -f "$cgfile" ] || cgfile=/sys/fs/cgroup/cabin/$id/memory.current
        [ -f "$cgfile" ] && echo $(($(cat "$cgfile") / 1024)) >>"$W/cgroup.kib"
    done <"$W/many.ids"
    cb rm -f $(cat "$W/many.ids") >/dev/null 2>&1 || true
    # conmon, for scale
    : >"$W/conmon.pss"
    [ "$HAVE_PODMAN" = 1 ] || BENCH_CABIN_CONMONS=0
    for ((i = 0; i < BENCH_CABIN_CONMONS; i++)); do
        pm run -d --network none busybox sleep 100000 >/dev/null 2>>"$W/log-conmon" </dev/null || break
    done
    sleep 1
    for pid in $(pgrep -x conmon); do
        grep -qz "$W" "/proc/$pid/cmdline" 2>/dev/null || continue
        read -r p u <<<"$(pss_of "$pid")"
        echo "$p $u" >>"$W/conmon.pss"
    done
    [ "$HAVE_PODMAN" = 0 ] || pm rm -af -t 0 >/dev/null 2>&1 </dev/null || true
    # a foreground cabin run, attached, for the fork-of-cabin question
    cb run --network none busybox sleep 3 >/dev/null 2>&1 </dev/null &
    local fg=$!
    sleep 1.5
    : >"$W/fg.pss"
    for pid in $(pgrep -f "^$CABIN --root $W/cabin --runroot $CRUN run --network none busybox sleep 3"); do
        pss_of "$pid" >>"$W/fg.pss"
    done
    # (not a plain wait: dockerd and containerd are children too)
    wait "$fg" || true
}

inner() {
    mount -t tmpfs -o mode=0755 tmpfs /run
    mkdir -p /var/lib/containers
    mount -t tmpfs -o mode=0700 tmpfs /var/lib/containers
    if mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then
        umount /sys/fs/cgroup/unified || die "cannot umount /sys/fs/cgroup/unified in the namespace"
    fi
    trap 'inner_cleanup; exit 130' INT TERM HUP
    if [ "$HAVE_PODMAN" = 1 ]; then
        { "$repo/tests/helpers/mkimage.sh" oci "$W/oci" busybox &&
            "$repo/tests/helpers/mkimage.sh" oci-archive "$W/oci" busybox "$W/busybox.tar" busybox:latest; } \
            >"$W/mkimage.log" 2>&1 || { cat "$W/mkimage.log" >&2; die "making the image failed"; }
        cb load -q -i "$W/busybox.tar" >/dev/null || die "cabin load failed"
        pm load -q -i "$W/busybox.tar" >/dev/null 2>&1 || die "podman load failed"
        pm run --rm --network none busybox true </dev/null >/dev/null 2>"$W/smoke-podman.log" ||
            { cat "$W/smoke-podman.log" >&2; die "podman smoke run failed"; }
    else
        "$repo/tests/helpers/mkimage.sh" rootfs-tar "$W/rootfs.tar" >"$W/mkimage.log" 2>&1 ||
            { cat "$W/mkimage.log" >&2; die "making the image failed"; }
        cb import "$W/rootfs.tar" busybox >/dev/null || die "cabin import failed"
    fi
    cb run --rm --network none busybox true || die "cabin smoke run failed"
    if [ "$HAVE_DOCKER" = 1 ]; then
        [ -d "$W/oci" ] || "$repo/tests/helpers/mkimage.sh" oci "$W/oci" busybox >>"$W/mkimage.log" 2>&1
        DOCKER_STARTED=1
        docker_start
    fi
    export TIMER_TIMEOUT=60
    floor_setup
    run_pair 3 "$W/warmup.tsv"
    run_pair "$BENCH_CABIN_ROUNDS" "$W/results.tsv"
    echo "bench-cabin-run: $BENCH_CABIN_MANY containers with -d" >&2
    many
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
bench_init "${1:-}"
BENCH_CABIN_ROUNDS=${BENCH_CABIN_ROUNDS:-$(bench_rounds 100)}
export BENCH_CABIN_ROUNDS
export BENCH_CABIN_MANY=${BENCH_CABIN_MANY:-200}
export BENCH_CABIN_CONMONS=${BENCH_CABIN_CONMONS:-10}
for v in BENCH_CABIN_ROUNDS BENCH_CABIN_MANY BENCH_CABIN_CONMONS; do
    case ${!v} in '' | *[!0-9]*) die "$v must be a number" ;; esac
done
[ "$BENCH_CABIN_ROUNDS" -ge 1 ] || die "BENCH_CABIN_ROUNDS must be at least 1"
[ "$(id -u)" = 0 ] || die "needs root"
[ -x "$CABIN" ] || die "cabin not built ($CABIN)"
[ -x "$CABIN_RUNTIME" ] || die "cabin-runtime not built ($CABIN_RUNTIME)"
bench_need unshare mountpoint cc
export HAVE_PODMAN=1
for tool in podman conmon crun umoci skopeo; do
    if ! command -v "$tool" >/dev/null; then
        bench_skipped podman "$tool is not installed"
        HAVE_PODMAN=0
        break
    fi
done
bench_contestant cabin "$CABIN" version
bench_contestant cabin-runtime "$CABIN_RUNTIME"
[ "$HAVE_PODMAN" = 0 ] || bench_contestant podman "$(command -v podman)"
export HAVE_DOCKER=1
if [ "${BENCH_DOCKER:-1}" = 0 ]; then
    bench_skipped docker "BENCH_DOCKER=0"
    HAVE_DOCKER=0
else
    for tool in dockerd docker containerd containerd-shim-runc-v2 runc; do
        if ! command -v "$tool" >/dev/null; then
            bench_skipped docker "$tool is not installed"
            HAVE_DOCKER=0
            break
        fi
    done
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/cabin-bench-run.XXXXXX")
chmod 755 "$W"
cleanup() {
    local rc=$? m
    set +e
    trap - EXIT INT TERM HUP
    for m in $(awk -v w="$W" '$5 ~ "^" w { print $5 }' /proc/self/mountinfo | sort -r); do
        umount -l "$m" 2>/dev/null
    done
    bench_end bench-cabin-run "$W" "$rc"
}
bench_traps cleanup

bench_timer "$W" >/dev/null || die "cannot compile bench/timer.c"
[ "$HAVE_PODMAN" = 0 ] || "$repo/tests/helpers/podman-conf.sh" "$W" "$(command -v crun)"
: >"$W/results.tsv"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench-cabin-run: $BENCH_CABIN_ROUNDS rounds + 3 warm-up, then $BENCH_CABIN_MANY containers" >&2
CABIN=$CABIN CABIN_RUNTIME=$CABIN_RUNTIME unshare -m --propagation private bash "$here/bench-cabin-run.sh" --inner "$W" </dev/null
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
if [ "$HAVE_DOCKER" = 1 ] && [ -s "$W/docker.skip" ]; then
    bench_skipped docker "$(cat "$W/docker.skip")"
    HAVE_DOCKER=0
fi
[ "$HAVE_DOCKER" = 0 ] || bench_contestant docker "$(command -v dockerd)"

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

# Raw samples (bench/README.md): part 1's runs, part 2's starts, and each
# monitor's memory against conmon's.
awk -F'\t' -v OFS='\t' '$4 == 0 { c = ($1 == "runtime") ? "cabin-runtime" : $1
    print "run-rm", c, "wall_ms", sprintf("%.3f", $2 / 1e6); print "run-rm", c, "rss_kib", $3 }' \
    "$W/results.tsv" >>"$BENCH_OUT/samples.tsv"
awk -F'\t' -v OFS='\t' '$4 == 0 { print "run-d", "cabin", "wall_ms", sprintf("%.3f", $2 / 1e6) }' \
    "$W/many.tsv" >>"$BENCH_OUT/samples.tsv"
paste "$W/monitor.pss" "$W/monitor.uss" | awk -v OFS='\t' \
    '{ print "monitor", "cabin", "pss_kib", $1; print "monitor", "cabin", "uss_kib", $2 }' >>"$BENCH_OUT/samples.tsv"
awk -v OFS='\t' '{ print "monitor", "podman", "pss_kib", $1; print "monitor", "podman", "uss_kib", $2 }' \
    "$W/conmon.pss" >>"$BENCH_OUT/samples.tsv"
exec >"$BENCH_OUT/report.md"

read -r cn cruns cmed cp90 cmin <<<"$(stats cabin)"
read -r pn pruns pmed pp90 pmin <<<"$(stats podman)"
read -r rn rruns rmed rp90 rmin <<<"$(stats runtime)"
read -r dn druns dmed dp90 dmin <<<"$(stats docker)"
[ "$cn" -gt 0 ] || { tail -n 20 "$W/log-cabin" >&2; die "no cabin run succeeded"; }
echo "## cabin run: against podman, and $BENCH_CABIN_MANY containers (bench-cabin-run.sh)"
echo
[ "$HAVE_PODMAN" = 1 ] || { echo "- **skipped:** podman ($(grep '^podman:' "$BENCH_OUT/skipped.txt" | head -n1 | cut -d' ' -f2-))"; echo; }
if [ "$HAVE_PODMAN" = 1 ]; then
    podman_desc=", and of \`podman run --rm --network none busybox true\` (podman $(podman --version | awk '{print $3}') with crun $(crun --version | awk 'NR == 1 {print $3}'), overlay, cgroupfs)"
    turns="the three in turn"
else
    podman_desc=""
    turns="the two in turn"
fi
if [ "$HAVE_DOCKER" = 1 ]; then
    podman_desc="$podman_desc, and of \`docker run --rm --network none busybox true\` (a private dockerd and containerd, runc)"
    [ "$HAVE_PODMAN" = 1 ] && turns="the four in turn" || turns="the three in turn"
fi
echo "Part 1: wall time of \`cabin run --rm --network none busybox true\` and of the runtime core alone on the same bundle (\`cabin-runtime run\`)$podman_desc, from fork() to wait4(); $BENCH_CABIN_ROUNDS rounds after 3 warm-up rounds, $turns, in rotating order. Load average $load_before at start, $load_after at the end."
echo
echo "| | median ms | p90 ms | min ms | ok / runs |"
echo "|---|--:|--:|--:|--:|"
echo "| cabin | $cmed | $cp90 | $cmin | $cn / $cruns |"
echo "| cabin-runtime alone, the same bundle (the floor: no engine, no monitor) | $rmed | $rp90 | $rmin | $rn / $rruns |"
if [ "$pn" -gt 0 ]; then
    echo "| podman | $pmed | $pp90 | $pmin | $pn / $pruns |"
    ratio=$(awk -v a="$pmed" -v b="$cmed" 'BEGIN { printf "%.1f", a / b }')
    verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 10) ? "PASS" : "FAIL" }')
    echo
    echo "podman's median / cabin's: **${ratio}x** (target at least 10x: $verdict).  What the engine adds to its runtime core (cabin's median less the floor's): $(awk -v a="$cmed" -v b="$rmed" 'BEGIN { printf "%.1f", a - b }') ms; podman adds $(awk -v a="$pmed" -v b="$rmed" 'BEGIN { printf "%.1f", a - b }') ms to a runtime of about the same cost (crun)."
elif [ "$HAVE_PODMAN" = 1 ]; then
    echo "| podman | failed | | | 0 / $pruns |"
fi
if [ "$dn" -gt 0 ]; then
    echo
    echo "| | median ms | p90 ms | min ms | ok / runs | median / cabin's |"
    echo "|---|--:|--:|--:|--:|--:|"
    echo "| docker $(dockerd --version | awk '{print $3}' | tr -d ,) (its containerd and runc): \`docker run --rm --network none busybox true\` | $dmed | $dp90 | $dmin | $dn / $druns | $(awk -v a="$dmed" -v b="$cmed" 'BEGIN { printf "%.1f", a / b }') |"
elif [ "$HAVE_DOCKER" = 1 ]; then
    echo
    echo "docker: every run failed ($druns runs; $(tail -n 1 "$W/log-docker" 2>/dev/null))"
fi
[ "$HAVE_DOCKER" = 1 ] || { echo; echo "- **skipped:** docker ($(grep '^docker:' "$BENCH_OUT/skipped.txt" | head -n1 | cut -d' ' -f2-))"; }
read -r ms before after <"$W/many.time"
read -r mn mpss_mean mpss_med mpss_max <<<"$(summary "$W/monitor.pss")"
read -r _ muss_mean muss_med muss_max <<<"$(summary "$W/monitor.uss")"
read -r gn cg_mean cg_med cg_max <<<"$(summary "$W/cgroup.kib")"
per=$(awk -v b="$before" -v a="$after" -v n="$BENCH_CABIN_MANY" 'BEGIN { printf "%.0f", (b - a) / n }')
verdict=$(awk -v p="$mpss_mean" 'BEGIN { print (p < 150) ? "PASS" : "FAIL" }')
echo
echo "Part 2: $BENCH_CABIN_MANY \`cabin run -d --network none busybox sleep 100000\`, one after the other: **$ms ms** to start them all ($(awk -v t="$ms" -v n="$BENCH_CABIN_MANY" 'BEGIN { printf "%.1f", t / n }') ms each). With all of them running:"
echo
echo "| per container, KiB | mean | median | max | n |"
echo "|---|--:|--:|--:|--:|"
echo "| cabin-monitor PSS | $mpss_mean | $mpss_med | $mpss_max | $mn |"
echo "| cabin-monitor private (USS) | $muss_mean | $muss_med | $muss_max | $mn |"
echo "| the container's memory cgroup (its processes and kernel memory) | $cg_mean | $cg_med | $cg_max | $gn |"
echo
echo "Host MemAvailable went down by $(((before - after) / 1024)) MiB for $BENCH_CABIN_MANY containers: about $per KiB each, everything included (monitor, container, mounts, page cache of their files; noisy on a shared machine)."
echo "Monitor PSS target under 150 KiB: $verdict."
echo
if [ -s "$W/conmon.pss" ]; then
    read -r cmn cm_mean cm_med cm_max <<<"$(summary "$W/conmon.pss")"
    echo "For scale (in the plots: contestant podman of scenario monitor): conmon's PSS with $cmn podman containers running: mean $cm_mean KiB, median $cm_med, max $cm_max."
fi
if [ -s "$W/fg.pss" ]; then
    read -r fp fu <"$W/fg.pss"
    echo "A foreground \`cabin run\` process (the attached client) has $fp KiB of PSS, $fu KiB private: a monitor made as a fork of cabin would keep at least that private part each."
fi
echo
