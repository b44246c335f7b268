#!/bin/sh
# Make an OCI bundle with a busybox-static root filesystem, offline.
#
#   mkbundle.sh DIR [ARGS...]
#
# DIR/rootfs gets /bin/busybox with every applet as a symlink, /etc/passwd,
# /etc/group, /etc/os-release and the usual empty mount points.
# DIR/config.json comes from `$SPEC_RUNTIME spec` (default: cabin-runtime from
# $CABIN_RUNTIME, else the build tree), with terminal off and process.args set
# to ARGS (default: sh).  A template rootfs is cached in $BUNDLE_CACHE when set,
# so a test suite pays for the applet links once.
set -eu

dir=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
busybox=${BUSYBOX:-/bin/busybox}
spec_runtime=${SPEC_RUNTIME:-${CABIN_RUNTIME:-$here/../../build/cabin-runtime}}

if [ ! -x "$busybox" ] || ! "$busybox" --list >/dev/null 2>&1; then
    echo "mkbundle.sh: $busybox is not a static busybox (apt-get install busybox-static)" >&2
    exit 1
fi

make_rootfs() {
    r=$1
    mkdir -p "$r/bin" "$r/sbin" "$r/usr/bin" "$r/usr/sbin" "$r/etc" "$r/root" \
             "$r/tmp" "$r/proc" "$r/sys" "$r/dev" "$r/home" "$r/var" "$r/run"
    chmod 1777 "$r/tmp"
    cp "$busybox" "$r/bin/busybox"
    for applet in $("$busybox" --list); do
        [ "$applet" = busybox ] || ln -sf busybox "$r/bin/$applet"
    done
    cat >"$r/etc/passwd" <<PW
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PW
    cat >"$r/etc/group" <<GR
root:x:0:
daemon:x:1:
tty:x:5:
nogroup:x:65534:
GR
    cat >"$r/etc/os-release" <<OS
NAME="cabin busybox"
ID=cabin-busybox
PRETTY_NAME="cabin busybox test image"
VERSION_ID=1
OS
    echo "cabin-bundle" >"$r/etc/hostname"
}

mkdir -p "$dir"
if [ -n "${BUNDLE_CACHE:-}" ]; then
    if [ ! -d "$BUNDLE_CACHE/rootfs" ]; then
        tmp=$(mktemp -d "$BUNDLE_CACHE.XXXXXX")
        make_rootfs "$tmp/rootfs"
        mkdir -p "$(dirname "$BUNDLE_CACHE")"
        mv "$tmp" "$BUNDLE_CACHE" 2>/dev/null || rm -rf "$tmp"
    fi
    cp -a "$BUNDLE_CACHE/rootfs" "$dir/rootfs"
else
    make_rootfs "$dir/rootfs"
fi

rm -f "$dir/config.json"
"$spec_runtime" spec --bundle "$dir"
if [ $# -eq 0 ]; then
    set -- sh
fi
args=$(for a in "$@"; do jq -n --arg a "$a" '$a'; done | jq -cs .)
jq --argjson a "$args" '.process.terminal = false | .process.args = $a' \
    "$dir/config.json" >"$dir/config.json.tmp"
mv "$dir/config.json.tmp" "$dir/config.json"
