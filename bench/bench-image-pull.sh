#!/usr/bin/env bash
# bench-image-pull.sh: `cabin pull` against `podman pull` and `skopeo copy
# docker://... oci:DIR` of the same multi-layer image from a local registry.
#
# Two images (made here, offline), each busybox plus BENCH_PULL_LAYERS
# layers of BENCH_PULL_MIB MiB of files, gzip'd by umoci as registries serve
# them: half of a layer is one random (incompressible) file, half base64
# text (compressible), as
#   big    BENCH_PULL_FILES (4) text files a layer: the time goes to
#          moving, inflating and hashing bytes;
#   small  8 KiB text files (about 640 a layer): the time goes to making
#          files, which only the tools that unpack pay.
# They are pushed with skopeo to Debian's docker-registry on 127.0.0.1 (a
# port the kernel picks), storage in the temp dir.
#
# The stores are on a file system made for the run (BENCH_PULL_FS=fresh: a
# 4 GiB ext4, loop-mounted in the benchmark's private mount namespace), as
# a host's disk is; BENCH_PULL_FS=tmpdir puts them in the temp dir instead.
# (This VM's root ext4 has no journal and other tests free inodes on it all
# the time, which makes every new inode slow: it measures that instead.)
#
# Each run starts after a `sync` (untimed), so none waits for the
# writeback of the one before.  Each round pulls it once with each tool
# into a cold store: a fresh
# --root/--runroot for cabin and podman (overlay), a fresh OCI layout
# folder for skopeo; the order rotates round by round, backwards every
# other round, so no tool always follows the same one.  Wall time and peak
# RSS from bench/timer.c (fork to wait4).  What each one does differs:
# cabin verifies both digests, keeps the blobs and unpacks the layers;
# podman unpacks them (and keeps tar-split metadata, not the blobs); skopeo
# only stores the blobs.  Everything runs in one `unshare -m` with a tmpfs
# on /var/lib/containers, so podman's and skopeo's blob-info cache neither
# helps them nor touches the host's.
#
# Follows the contract of bench/README.md: `bench-image-pull.sh OUTDIR`
# writes OUTDIR/report.md, samples.tsv (wall_ms and rss_kib per pull, the
# scenarios `big` and `small`), contestants.tsv and skipped.txt; progress on
# stderr; exit 77 when a tool it needs is missing.  Environment:
#   BENCH_PULL_ROUNDS=7 (x BENCH_SCALE)  BENCH_PULL_LAYERS=6  BENCH_PULL_MIB=10  BENCH_PULL_FILES=4
#   BENCH_PULL_SMALL_ROUNDS=3 (x BENCH_SCALE; 0: no small-files image)  BENCH_PULL_FS=fresh|tmpdir
#   CABIN=build/cabin    BENCH_KEEP=1 (keep the temp dir)
#   CABIN_BASE=PATH: another cabin build as a fourth contestant, `cabin-base`, in the
#   same interleaved rounds (before/after figures of a change in one run)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
. "$here/lib.sh"
CABIN=${CABIN:-$repo/build/cabin}
rounds=${BENCH_PULL_ROUNDS:-$(bench_rounds 7)}
layers=${BENCH_PULL_LAYERS:-6}
mib=${BENCH_PULL_MIB:-10}
files=${BENCH_PULL_FILES:-4}
small_rounds=${BENCH_PULL_SMALL_ROUNDS:-$(bench_rounds 3)}
fs=${BENCH_PULL_FS:-fresh}

die() { echo "bench-image-pull: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------
# Inner mode, in the private mount namespace: bench-image-pull.sh --inner W REF
# ---------------------------------------------------------------------------
pm() {
    local r=$1
    shift
    podman --root "$r/storage" --runroot "$r/run" --tmpdir "$r/tmp" --storage-driver overlay \
        --cgroup-manager cgroupfs --events-backend file "$@"
}

unmount_under() {
    local m
    for m in $(awk -v w="$1" '$5 ~ "^" w { print $5 }' /proc/self/mountinfo | sort -r); do
        umount -l "$m" 2>/dev/null || true
    done
}

one() { # TOOL ROUND REF RESULTS
    local tool=$1 i=$2 ref=$3 out=$4 r=$STORES/$1-$2
    mkdir -p "$r"
    case $tool in
    cabin | cabin-base)
        local bin=$CABIN
        [ "$tool" = cabin-base ] && bin=$CABIN_BASE
        "$W/timer" "$out" "$tool" "$bin" --root "$r/root" --runroot "$r/run" \
            pull -q "$ref" >"$r.log" 2>&1 || true
        "$bin" --root "$r/root" --runroot "$r/run" images -q | grep -q . ||
            { cat "$r.log" >&2; die "$tool pulled nothing"; }
        ;;
    podman)
        "$W/timer" "$out" podman podman --root "$r/storage" --runroot "$r/run" --tmpdir "$r/tmp" \
            --storage-driver overlay --cgroup-manager cgroupfs --events-backend file \
            pull -q --tls-verify=false "$ref" >"$r.log" 2>&1 || true
        pm "$r" images -q | grep -q . || { cat "$r.log" >&2; die "podman pulled nothing"; }
        pm "$r" rmi -a -f >/dev/null 2>&1 || true
        ;;
    skopeo)
        "$W/timer" "$out" skopeo skopeo --insecure-policy copy -q \
            --src-tls-verify=false "docker://$ref" "oci:$r/oci:latest" >"$r.log" 2>&1 || true
        [ -s "$r/oci/index.json" ] || { cat "$r.log" >&2; die "skopeo copied nothing"; }
        ;;
    esac
    unmount_under "$r"
    rm -rf "$r"
    # Untimed: the next tool does not wait for this one's writeback (on a
    # journaled ext4 an fsync waits for every dirty file's data).
    sync
}

inner() { # then NAME REF ROUNDS for each image
    mount -t tmpfs -o mode=0700 tmpfs /var/lib/containers
    STORES=$W
    if [ "$fs" = fresh ]; then
        mkdir -p "$W/fs"
        truncate -s 4G "$W/fs.img"
        mkfs.ext4 -q -F "$W/fs.img" >&2 && mount -o loop "$W/fs.img" "$W/fs" ||
            die "cannot make the fresh ext4 (BENCH_PULL_FS=tmpdir does without)"
        STORES=$W/fs
    fi
    local i k tools=()
    for t in $(cat "$W/tools"); do tools+=("$t"); done
    local n=${#tools[@]}
    while [ $# -ge 3 ]; do
        local name=$1 ref=$2 rounds=$3
        shift 3
        for ((k = 0; k < n; k++)); do one "${tools[k]}" warm "$ref" /dev/null; done
        : >"$W/results-$name.tsv"
        for ((i = 1; i <= rounds; i++)); do
            echo "bench-image-pull: $name image, round $i/$rounds" >&2
            for ((k = 0; k < n; k++)); do
                # Rotated, and backwards every other round: a tool follows a
                # different one from round to round (a pull is slower right
                # after a heavy writer's, so a fixed predecessor is a bias).
                local at=$(((i + k) % n))
                [ $((i % 2)) = 1 ] && at=$(((i + n - 1 - k) % n))
                one "${tools[at]}" "$i" "$ref" "$W/results-$name.tsv"
            done
        done
    done
}

if [ "${1:-}" = --inner ]; then
    W=$2
    trap 'unmount_under "$W"' EXIT
    shift 2
    inner "$@"
    exit 0
fi

# ---------------------------------------------------------------------------
# Outer mode
# ---------------------------------------------------------------------------
bench_init "${1:-}"
[ -x "$CABIN" ] || die "cabin not built ($CABIN)"
[ "$(id -u)" = 0 ] || die "must run as root"
bench_need docker-registry skopeo umoci unshare mkfs.ext4

W=$(mktemp -d /tmp/cabin-bench-pull.XXXXXX)
regpid=
cleanup() {
    set +e
    [ -n "$regpid" ] && kill "$regpid" 2>/dev/null && wait "$regpid" 2>/dev/null
    unmount_under "$W"
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        echo "bench-image-pull: kept $W" >&2
    else
        rm -rf "$W"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

cc -O2 -static -o "$W/timer" "$here/timer.c" 2>"$W/cc.log" ||
    cc -O2 -o "$W/timer" "$here/timer.c" 2>>"$W/cc.log" ||
    { cat "$W/cc.log" >&2; die "cannot compile bench/timer.c"; }

make_image() { # TAG SPLIT_BYTES
    local tag=$1 piece=$2 l d half=$((mib * 1024 * 1024 / 2))
    echo "bench-image-pull: making $tag: busybox + $layers layers of $mib MiB" >&2
    "$repo/tests/helpers/mkimage.sh" oci "$W/oci" "$tag" >&2
    for ((l = 1; l <= layers; l++)); do
        d=$W/layer$l/data/$l
        mkdir -p "$d/text"
        head -c "$half" /dev/urandom >"$d/random.bin"
        head -c $((half * 3 / 4)) /dev/urandom | base64 -w 76 >"$W/text"
        (cd "$d/text" && split -b "$piece" -a 5 "$W/text" f)
        tar --numeric-owner -C "$W/layer$l" -cf "$W/layer$l.tar" data
        umoci raw add-layer --image "$W/oci:$tag" "$W/layer$l.tar"
        rm -rf "$W/layer$l" "$W/layer$l.tar" "$W/text"
    done
}
make_image big $(((mib * 1024 * 1024 / 2 + files - 1) / files))
[ "$small_rounds" -gt 0 ] && make_image small 8192

mkdir -p "$W/reg"
cat >"$W/reg/config.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $W/reg/data
http:
  addr: 127.0.0.1:0
EOF
docker-registry serve "$W/reg/config.yml" >"$W/reg/log" 2>&1 </dev/null &
regpid=$!
port=
for ((i = 0; i < 200; i++)); do
    port=$(grep -o 'listening on [0-9.]*:[0-9]*' "$W/reg/log" 2>/dev/null | head -1 |
        sed 's/.*://' || true)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { cat "$W/reg/log" >&2; die "docker-registry did not start"; }
reg=127.0.0.1:$port
skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$W/oci:big" "docker://$reg/bench/big:1" >&2
runs=(big "$reg/bench/big:1" "$rounds")
if [ "$small_rounds" -gt 0 ]; then
    skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$W/oci:small" \
        "docker://$reg/bench/small:1" >&2
    runs+=(small "$reg/bench/small:1" "$small_rounds")
fi

tools="cabin skopeo"
have_podman=1
command -v podman >/dev/null || have_podman=0
[ "$have_podman" = 1 ] && tools="cabin podman skopeo"
bench_contestant cabin "$CABIN" version
if [ -n "${CABIN_BASE:-}" ]; then
    [ -x "$CABIN_BASE" ] || die "CABIN_BASE=$CABIN_BASE is not an executable"
    tools="$tools cabin-base"
    bench_contestant cabin-base "$CABIN_BASE" version
fi
if [ "$have_podman" = 1 ]; then
    bench_contestant podman "$(command -v podman)"
else
    bench_skipped podman "not installed (make deps-bench): cabin is compared with skopeo only"
fi
bench_contestant skopeo "$(command -v skopeo)"
echo "$tools" >"$W/tools"
export CABIN CABIN_BASE fs
unshare -m --propagation private "$0" --inner "$W" "${runs[@]}"

# ---- report ----------------------------------------------------------------
median_of() { # sorted numbers on stdin -> their median
    awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
        else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
stat_of() { # RESULTS TOOL -> "median_ms min_ms max_ms median_rss_kib ok runs"
    local ok n ms rss
    n=$(awk -F'\t' -v t="$2" '$1 == t' "$1" | wc -l)
    ok=$(awk -F'\t' -v t="$2" '$1 == t && $4 == 0' "$1" | wc -l)
    ms=$(awk -F'\t' -v t="$2" '$1 == t && $4 == 0 { printf "%.0f\n", $2 / 1e6 }' "$1" | sort -n)
    rss=$(awk -F'\t' -v t="$2" '$1 == t && $4 == 0 { print $3 }' "$1" | sort -n | median_of)
    if [ "$ok" -eq 0 ]; then
        echo "- - - - 0 $n"
        return
    fi
    echo "$(median_of <<<"$ms") $(head -1 <<<"$ms") $(tail -1 <<<"$ms") $rss $ok $n"
}

section() { # NAME REF ROUNDS DESCRIPTION
    local res=$W/results-$1.tsv m cm manifest blob_bytes nlayers entries
    manifest=$(skopeo inspect --raw --tls-verify=false "docker://$2")
    blob_bytes=$(jq '[.layers[].size] | add' <<<"$manifest")
    nlayers=$(jq '.layers | length' <<<"$manifest")
    read -r cm _ <<<"$(stat_of "$res" cabin)"
    echo "### the $1 image: $4"
    echo
    echo "busybox plus $layers layers of $mib MiB: $nlayers gzip'd blobs, $((blob_bytes / 1048576)) MiB to download. Rounds: $3, after a warm-up one, the order rotating; cold store every time."
    echo
    echo "| tool | what it stores | median ms | min ms | max ms | median / cabin | peak RSS median KiB | ok / runs |"
    echo "|---|---|--:|--:|--:|--:|--:|--:|"
    row "$res" cabin "cabin pull" "blobs (both digests checked) + unpacked layers" "$cm"
    [ -n "${CABIN_BASE:-}" ] && row "$res" cabin-base "cabin pull (CABIN_BASE)" \
        "the same, another build: \`$CABIN_BASE\`" "$cm"
    [ "$have_podman" = 1 ] && row "$res" podman "podman pull ($(podman --version | awk '{print $3}'))" \
        "unpacked layers (overlay)" "$cm"
    row "$res" skopeo "skopeo copy ($(skopeo --version | awk '{print $3}'))" \
        "blobs only (an OCI layout)" "$cm"
    echo
    echo "Targets (median, same run):"
    echo
    if [ "$have_podman" = 1 ]; then
        target "$res" podman "podman pull" "$cm"
    else
        echo "- podman is not installed: no comparison (make deps-bench)"
    fi
    target "$res" skopeo "skopeo copy" "$cm"
    echo
}

row() { # RESULTS TOOL LABEL WHAT CABIN_MEDIAN
    local m min max rss ok n ratio
    read -r m min max rss ok n <<<"$(stat_of "$1" "$2")"
    ratio=$(awk -v a="$m" -v b="$5" 'BEGIN { if (a == "-" || b == "-") print "-"; else printf "%.2f", a / b }')
    echo "| $3 | $4 | $m | $min | $max | $ratio | $rss | $ok / $n |"
}

target() { # RESULTS TOOL LABEL CABIN_MEDIAN
    local m cm=$4
    read -r m _ <<<"$(stat_of "$1" "$2")"
    if [ "$m" = - ] || [ "$cm" = - ]; then
        echo "- faster than $3: no result"
    elif awk -v a="$cm" -v b="$m" 'BEGIN { exit !(a < b) }'; then
        echo "- faster than $3: PASS ($cm ms vs $m ms, $(awk -v a="$m" -v b="$cm" 'BEGIN { printf "%.2f", a / b }')x)"
    else
        echo "- faster than $3: FAIL ($cm ms vs $m ms, $(awk -v a="$m" -v b="$cm" 'BEGIN { printf "%.2f", a / b }')x)"
    fi
}

# The tables go to report.md, the pulls to samples.tsv (bench/README.md).
for name in big small; do
    [ -f "$W/results-$name.tsv" ] || continue
    awk -F'\t' -v OFS='\t' -v s="$name" '$4 == 0 {
        print s, $1, "wall_ms", sprintf("%.3f", $2 / 1e6); print s, $1, "rss_kib", $3 }' \
        "$W/results-$name.tsv" >>"$BENCH_OUT/samples.tsv"
done
exec >"$BENCH_OUT/report.md"
echo "## image pull: \`cabin pull\` vs \`podman pull\` vs \`skopeo copy docker://... oci:DIR\`, from a local registry"
echo
where=$([ "$fs" = fresh ] && echo "on an ext4 made for the run" || echo "in the temp dir ($(df -T "$W" | awk 'NR == 2 { print $2 }'))")
echo "docker-registry (distribution $(docker-registry --version 2>/dev/null | awk '{print $3}')) on 127.0.0.1; each tool pulls into a store it has never seen, $where. Wall time and peak RSS from fork() to wait4() (bench/timer.c). cabin checks the blob digest while it streams and the diff_id after inflating, unpacks as bytes come, and keeps the blobs; podman unpacks; skopeo stores the blobs and unpacks nothing."
echo
section big "$reg/bench/big:1" "$rounds" "$files text files a layer (moving, inflating, hashing)"
if [ "$small_rounds" -gt 0 ]; then
    section small "$reg/bench/small:1" "$small_rounds" "8 KiB text files, $(((mib * 1024 * 1024 / 2 + 8191) / 8192)) a layer (making files)"
fi
