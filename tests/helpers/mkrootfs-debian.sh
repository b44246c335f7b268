#!/bin/sh
# Make a small Debian root file system from this Debian host, offline and in
# a second: bash, coreutils and a few other tools with the shared libraries
# ldd finds for them (no debootstrap).  Used by the tests that need a
# dynamically linked glibc userland rather than a static busybox.
#
#   mkrootfs-debian.sh DIR
set -eu

dir=$1
[ -x /bin/bash ] || { echo "mkrootfs-debian.sh: no /bin/bash on this host" >&2; exit 1; }

# Programs: every binary of coreutils, and the common tools beside it.
progs=$(dpkg -L coreutils 2>/dev/null | grep -E '^/(usr/)?bin/[^/]+$' || true)
[ -n "$progs" ] || { echo "mkrootfs-debian.sh: coreutils is not installed (dpkg -L)" >&2; exit 1; }
for p in /bin/bash /bin/sh /bin/grep /bin/sed /usr/bin/find /usr/bin/xargs /usr/bin/awk \
    /bin/tar /bin/gzip /usr/bin/getent; do
    [ -e "$p" ] && progs="$progs $p"
done

mkdir -p "$dir"
for d in bin sbin lib lib64 usr/bin usr/sbin usr/lib etc root tmp proc sys dev home var run; do
    mkdir -p "$dir/$d"
done
chmod 1777 "$dir/tmp"

copy() { # host path -> the same path in the rootfs, links resolved
    src=$(readlink -f "$1")
    mkdir -p "$dir$(dirname "$1")"
    cp -f "$src" "$dir$1"
}

libs=""
for p in $progs; do
    [ -e "$p" ] || continue
    copy "$p"
    libs="$libs $(ldd "$p" 2>/dev/null | awk '/=>/ { print $3 } /^[ \t]*\// { print $1 }')"
done
for l in $(printf '%s\n' $libs | sort -u); do
    [ -e "$l" ] && copy "$l"
done

cat >"$dir/etc/passwd" <<PW
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
PW
cat >"$dir/etc/group" <<GR
root:x:0:
daemon:x:1:
tty:x:5:
nogroup:x:65534:
GR
cp /etc/os-release "$dir/etc/os-release" 2>/dev/null || true
echo "cabin-debian" >"$dir/etc/hostname"
