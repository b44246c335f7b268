#!/bin/sh
# Make test images offline, from Debian's busybox-static.
#
#   mkimage.sh rootfs-tar OUT.tar
#       a busybox root file system as a tarball (for `cabin import`)
#   mkimage.sh oci DIR TAG [LAYER.tar...]
#       an OCI layout (umoci) whose image TAG is the busybox rootfs plus each
#       LAYER.tar (uncompressed) on top, with Cmd ["sh"]
#   mkimage.sh multi DIR TAG N KIB
#       an OCI layout: busybox plus N layers of KIB KiB of random data each
#       (/data/N.bin), for loads of many layers
#   mkimage.sh many DIR N
#       an OCI layout (made here with jq, quicker than N umoci calls) whose
#       image "many" is busybox plus N tiny layers, /data/I in layer I
#   mkimage.sh index DIR TAG NEWTAG
#       in the layout DIR, an image index NEWTAG of two platforms: linux/amd64
#       (the image TAG as it is) and linux/arm64/v8 (TAG's layers plus one
#       of its own, /data/arm64, with an arm64 config); prints the arm64
#       layer's digest
#   mkimage.sh docker-archive DIR TAG OUT NAME
#   mkimage.sh oci-archive DIR TAG OUT NAME
#       the image TAG of the layout DIR as a docker-archive or an OCI archive
#       (skopeo), named NAME ("busybox:latest")
#
# The rootfs comes from tests/helpers/mkbundle.sh, so it is the same one the
# runtime's tests use.  Needs umoci and skopeo for the OCI and archive forms.
set -eu

here=$(cd "$(dirname "$0")" && pwd)

rootfs_tar() { # OUT
    rwork=$(mktemp -d "${TMPDIR:-/tmp}/cabin-mkimage.XXXXXX")
    BUNDLE_CACHE='' "$here/mkbundle.sh" "$rwork/b" sh >/dev/null
    # Numeric owners, sorted names, fixed times: the same tarball (the same
    # diff_id) every time, so images made from it share their base layer.
    tar --numeric-owner --owner=0 --group=0 --sort=name --mtime=@1700000000 \
        -C "$rwork/b/rootfs" -cf "$1" .
    rm -rf "$rwork"
}

oci() { # DIR TAG LAYERS...
    dir=$1 tag=$2
    shift 2
    owork=$(mktemp -d "${TMPDIR:-/tmp}/cabin-mkimage.XXXXXX")
    rootfs_tar "$owork/rootfs.tar"
    [ -d "$dir" ] || umoci init --layout "$dir"
    umoci new --image "$dir:$tag"
    umoci raw add-layer --image "$dir:$tag" "$owork/rootfs.tar"
    for l in "$@"; do
        umoci raw add-layer --image "$dir:$tag" "$l"
    done
    umoci config --image "$dir:$tag" --config.cmd sh \
        --config.env PATH=/usr/sbin:/usr/bin:/sbin:/bin
    rm -rf "$owork"
}

multi() { # DIR TAG N KIB
    dir=$1 tag=$2 n=$3 kib=$4
    work=$(mktemp -d "${TMPDIR:-/tmp}/cabin-mkimage.XXXXXX")
    i=1
    set --
    while [ "$i" -le "$n" ]; do
        mkdir -p "$work/l$i/data"
        head -c "$((kib * 1024))" /dev/urandom >"$work/l$i/data/$i.bin"
        tar --numeric-owner -C "$work/l$i" -cf "$work/l$i.tar" data
        set -- "$@" "$work/l$i.tar"
        i=$((i + 1))
    done
    oci "$dir" "$tag" "$@"
    rm -rf "$work"
}

blob() { # DIR FILE -> prints the digest, moves FILE into DIR/blobs/sha256
    d=$(sha256sum "$2" | cut -d' ' -f1)
    mv "$2" "$1/blobs/sha256/$d"
    echo "sha256:$d"
}

many() { # DIR N
    dir=$1 n=$2
    mkdir -p "$dir/blobs/sha256"
    mwork=$(mktemp -d "${TMPDIR:-/tmp}/cabin-mkimage.XXXXXX")
    rootfs_tar "$mwork/l0.tar"
    i=1
    while [ "$i" -le "$n" ]; do
        mkdir -p "$mwork/d$i/data"
        echo "$i" >"$mwork/d$i/data/$i"
        tar --numeric-owner --mtime=@1700000000 -C "$mwork/d$i" -cf "$mwork/l$i.tar" data
        i=$((i + 1))
    done
    layers='[]' diffs='[]'
    i=0
    while [ "$i" -le "$n" ]; do
        size=$(stat -c %s "$mwork/l$i.tar")
        d=$(blob "$dir" "$mwork/l$i.tar")
        layers=$(echo "$layers" | jq -c --arg d "$d" --argjson s "$size" \
            '. + [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $d, size: $s}]')
        diffs=$(echo "$diffs" | jq -c --arg d "$d" '. + [$d]')
        i=$((i + 1))
    done
    jq -cn --argjson diffs "$diffs" '{architecture: "amd64", os: "linux",
        config: {Cmd: ["sh"]}, rootfs: {type: "layers", diff_ids: $diffs}}' >"$mwork/config"
    csize=$(stat -c %s "$mwork/config")
    cd=$(blob "$dir" "$mwork/config")
    jq -cn --arg cd "$cd" --argjson cs "$csize" --argjson layers "$layers" '{schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
        layers: $layers}' >"$mwork/manifest"
    msize=$(stat -c %s "$mwork/manifest")
    md=$(blob "$dir" "$mwork/manifest")
    echo '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
    jq -cn --arg md "$md" --argjson ms "$msize" '{schemaVersion: 2, manifests: [{
        mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
        annotations: {"org.opencontainers.image.ref.name": "many:latest"}}]}' >"$dir/index.json"
    rm -rf "$mwork"
}

index() { # DIR TAG NEWTAG
    dir=$1 tag=$2 new=$3
    iwork=$(mktemp -d "${TMPDIR:-/tmp}/cabin-mkimage.XXXXXX")
    md=$(jq -r --arg t "$tag" '.manifests[] |
        select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$dir/index.json")
    man="$dir/blobs/sha256/${md#sha256:}"
    cfg="$dir/blobs/sha256/$(jq -r '.config.digest' "$man" | cut -d: -f2)"
    mkdir -p "$iwork/l/data"
    head -c 65536 /dev/urandom >"$iwork/l/data/arm64"
    tar --numeric-owner -C "$iwork/l" -cf "$iwork/layer.tar" data
    lsize=$(stat -c %s "$iwork/layer.tar")
    ld=$(blob "$dir" "$iwork/layer.tar")
    jq -c --arg d "$ld" '.architecture = "arm64" | .variant = "v8" |
        .rootfs.diff_ids += [$d]' "$cfg" >"$iwork/config"
    csize=$(stat -c %s "$iwork/config")
    cd=$(blob "$dir" "$iwork/config")
    jq -c --arg cd "$cd" --argjson cs "$csize" --arg ld "$ld" --argjson ls "$lsize" \
        '.config.digest = $cd | .config.size = $cs |
         .layers += [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $ld, size: $ls}]' \
        "$man" >"$iwork/manifest"
    asize=$(stat -c %s "$iwork/manifest")
    ad=$(blob "$dir" "$iwork/manifest")
    jq -cn --arg md "$md" --argjson ms "$(stat -c %s "$man")" --arg ad "$ad" --argjson asz "$asize" \
        '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [
          {mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
           platform: {os: "linux", architecture: "amd64"}},
          {mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $ad, size: $asz,
           platform: {os: "linux", architecture: "arm64", variant: "v8"}}]}' >"$iwork/index"
    isize=$(stat -c %s "$iwork/index")
    id=$(blob "$dir" "$iwork/index")
    jq -c --arg id "$id" --argjson is "$isize" --arg t "$new" '.manifests += [{
        mediaType: "application/vnd.oci.image.index.v1+json", digest: $id, size: $is,
        annotations: {"org.opencontainers.image.ref.name": $t}}]' "$dir/index.json" >"$iwork/ij"
    mv "$iwork/ij" "$dir/index.json"
    rm -rf "$iwork"
    echo "$ld"
}

archive() { # TRANSPORT DIR TAG OUT NAME
    rm -f "$4"
    skopeo --insecure-policy copy -q "oci:$2:$3" "$1:$4:$5"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
rootfs-tar) rootfs_tar "$@" ;;
oci) oci "$@" ;;
multi) multi "$@" ;;
many) many "$@" ;;
index) index "$@" ;;
docker-archive) archive docker-archive "$@" ;;
oci-archive) archive oci-archive "$@" ;;
*)
    echo "usage: mkimage.sh rootfs-tar|oci|multi|many|index|docker-archive|oci-archive ..." >&2
    exit 2
    ;;
esac
