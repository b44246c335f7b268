#!/usr/bin/env bash
# bench-image-load.sh: `cabin load` of a multi-layer image against
# `podman load` of the same archive, and the disk ten containers take.
#
# The image: busybox (tests/helpers/mkimage.sh) plus BENCH_LOAD_LAYERS layers
# of BENCH_LOAD_MIB MiB of random data each, as a docker-archive (skopeo),
# made once in a temp dir.  Each round loads it into a cold store: a fresh
# `--root`/`--runroot` for cabin, a fresh `--root`/`--runroot` (and
# --storage-driver overlay) for podman, both under the temp dir, so neither
# touches the host's images.  The two alternate, first one then the other,
# round after round.  Wall time from `date +%s%N` around the command (the
# loads take a second or more; the clock's cost is nothing against that).
#
# Then ten `cabin run --rm` containers of the image that each write 1 MiB and
# sleep: the disk of their upper dirs and of the store's layers (du), while
# all ten run.
#
# Follows the contract of bench/README.md: `bench-image-load.sh OUTDIR`
# writes OUTDIR/report.md, samples.tsv (the load times), contestants.tsv
# and skipped.txt; progress on stderr.  Environment:
#   BENCH_LOAD_ROUNDS=5 (5 x BENCH_SCALE)   BENCH_LOAD_LAYERS=6   BENCH_LOAD_MIB=10
#   CABIN=build/cabin     BENCH_KEEP=1 (keep the temp dir)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
. "$here/lib.sh"
bench_init "${1:-}"
CABIN=${CABIN:-$repo/build/cabin}
rounds=${BENCH_LOAD_ROUNDS:-$(bench_rounds 5)}
layers=${BENCH_LOAD_LAYERS:-6}
mib=${BENCH_LOAD_MIB:-10}

die() { echo "bench-image-load: $*" >&2; exit 1; }
[ -x "$CABIN" ] || die "cabin not built ($CABIN)"
[ "$(id -u)" = 0 ] || die "must run as root"
# skopeo and umoci make the image: without them there is nothing to load.
bench_need skopeo umoci
bench_contestant cabin "$CABIN" version
have_podman=1
if command -v podman >/dev/null; then
    bench_contestant podman "$(command -v podman)"
else
    have_podman=0
    bench_skipped podman "not installed (make deps-bench installs it): cabin load is measured alone"
fi

W=$(mktemp -d /tmp/cabin-bench-load.XXXXXX)
cleanup() {
    set +e
    if [ -d "$W/c" ]; then
        ids=$("$CABIN" --root "$W/c" --runroot "$W/cr" ps -q 2>/dev/null)
        [ -n "$ids" ] && "$CABIN" --root "$W/c" --runroot "$W/cr" rm -f $ids >/dev/null 2>&1
    fi
    for m in $(awk -v w="$W" '$5 ~ "^" w { print $5 }' /proc/self/mountinfo | sort -r); do
        umount -l "$m" 2>/dev/null
    done
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        echo "bench-image-load: kept $W" >&2
    else
        rm -rf "$W"
    fi
}
trap cleanup EXIT

echo "bench-image-load: making a $layers x $mib MiB image" >&2
"$repo/tests/helpers/mkimage.sh" multi "$W/oci" big "$layers" $((mib * 1024)) >&2
"$repo/tests/helpers/mkimage.sh" docker-archive "$W/oci" big "$W/big.tar" bench/big:1 >&2
size=$(stat -c %s "$W/big.tar")

now_ms() { echo $(($(date +%s%N) / 1000000)); }

load_cabin() { # ROUND -> ms
    local r=$W/cabin-$1 t0 t1
    t0=$(now_ms)
    "$CABIN" --root "$r/root" --runroot "$r/run" load -q -i "$W/big.tar"
    t1=$(now_ms)
    "$CABIN" --root "$r/root" --runroot "$r/run" images -q | grep -q . || die "cabin loaded nothing"
    rm -rf "$r"
    echo $((t1 - t0))
}

load_podman() { # ROUND -> ms
    local r=$W/podman-$1 t0 t1
    t0=$(now_ms)
    podman --root "$r/storage" --runroot "$r/run" --storage-driver overlay \
        --cgroup-manager cgroupfs load -q -i "$W/big.tar" >/dev/null
    t1=$(now_ms)
    podman --root "$r/storage" --runroot "$r/run" --storage-driver overlay \
        --cgroup-manager cgroupfs rmi -a -f >/dev/null 2>&1 || true
    for m in $(awk -v w="$r" '$5 ~ "^" w { print $5 }' /proc/self/mountinfo | sort -r); do
        umount -l "$m" 2>/dev/null || true
    done
    rm -rf "$r"
    echo $((t1 - t0))
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

: >"$W/cabin.ms"
: >"$W/podman.ms"
for ((i = 1; i <= rounds; i++)); do
    echo "bench-image-load: round $i/$rounds" >&2
    if ((i % 2)); then
        load_cabin "$i" >>"$W/cabin.ms"
        [ "$have_podman" = 1 ] && load_podman "$i" >>"$W/podman.ms"
    else
        [ "$have_podman" = 1 ] && load_podman "$i" >>"$W/podman.ms"
        load_cabin "$i" >>"$W/cabin.ms"
    fi
done
cm=$(median <"$W/cabin.ms")
cmin=$(sort -n "$W/cabin.ms" | head -1)
while read -r ms; do bench_sample cold-store cabin wall_ms "$ms"; done <"$W/cabin.ms"
while read -r ms; do bench_sample cold-store podman wall_ms "$ms"; done <"$W/podman.ms"

{
echo "## image load: \`cabin load\` vs \`podman load\` of one docker-archive"
echo
echo "The image: busybox plus $layers layers of $mib MiB of random data (a docker-archive of $((size / 1048576)) MiB, made by skopeo). Cold store each round; $rounds rounds, alternating."
echo
echo "| tool | median ms | min ms | runs (ms) |"
echo "|---|---|---|---|"
echo "| cabin load | $cm | $cmin | $(tr '\n' ' ' <"$W/cabin.ms")|"
if [ "$have_podman" = 1 ]; then
    pm=$(median <"$W/podman.ms")
    pmin=$(sort -n "$W/podman.ms" | head -1)
    echo "| podman load | $pm | $pmin | $(tr '\n' ' ' <"$W/podman.ms")|"
    echo
    echo "podman / cabin (median): $(awk -v a="$pm" -v b="$cm" 'BEGIN { printf "%.2f", a / b }')x"
else
    echo
    echo "podman is not installed: no comparison (make deps-bench installs it)."
fi
} >>"$BENCH_OUT/report.md"

# ---- ten containers ------------------------------------------------------
C() { "$CABIN" --root "$W/c" --runroot "$W/cr" "$@"; }
C load -q -i "$W/big.tar"
layers_du=$(du -s --block-size=1 "$W/c/layers" | cut -f1)
for i in 1 2 3 4 5 6 7 8 9 10; do
    C run --rm bench/big:1 sh -c 'dd if=/dev/zero of=/own bs=1M count=1 2>/dev/null; touch /ready; sleep 120' \
        >/dev/null 2>&1 &
done
for ((i = 0; i < 1200; i++)); do
    [ "$(ls "$W"/c/containers/*/upper/ready 2>/dev/null | wc -l)" -eq 10 ] && break
    sleep 0.05
done
n=$(ls "$W"/c/containers/*/upper/ready 2>/dev/null | wc -l)
uppers=$(du -sc --block-size=1 "$W"/c/containers/*/upper 2>/dev/null | tail -1 | cut -f1)
layers_after=$(du -s --block-size=1 "$W/c/layers" | cut -f1)
C rm -f $(C ps -q) >/dev/null 2>&1 || true
wait 2>/dev/null || true

{
echo
echo "## disk of ten containers from one image"
echo
echo "$n containers of that image running, each having written 1 MiB to its root:"
echo
echo "| what | bytes (du) |"
echo "|---|---|"
echo "| the image's layers, before | $layers_du |"
echo "| the image's layers, with $n containers | $layers_after |"
echo "| the $n upper dirs together | $uppers |"
echo "| per container | $((uppers / (n > 0 ? n : 1))) |"
echo
echo "Ten copies of the root would take $((10 * layers_du)) bytes."
} >>"$BENCH_OUT/report.md"
