#!/bin/sh
# make demo: build a busybox image offline (Debian's busybox-static), import
# it with cabin and run a container from it.  Everything lives in a
# temporary root, removed at the end; the host's /var/lib/cabin is not used.
#   demo-cabin.sh BUILD_DIR
set -eu
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/cabin-demo.XXXXXX)
cabin() { "$build/cabin" --root "$work/root" --runroot "$work/run" "$@"; }
trap 'cabin rm -f $(cabin ps -aq 2>/dev/null) >/dev/null 2>&1 || true; rm -rf "$work"' EXIT INT TERM

echo "=== building a busybox root file system tarball (offline, from busybox-static)"
CABIN_RUNTIME=$build/cabin-runtime "$here/mkimage.sh" rootfs-tar "$work/busybox.tar"
ls -l "$work/busybox.tar"
echo "=== cabin import busybox.tar busybox"
cabin import --change 'CMD ["sh"]' "$work/busybox.tar" busybox
cabin images
echo "=== cabin run --rm busybox sh -c 'hostname; ps; cat /etc/os-release; id'"
status=0
cabin run --rm busybox sh -c 'hostname; ps; cat /etc/os-release; id' || status=$?
echo "=== exit status $status; the host is still $(hostname); what the store holds:"
cabin system df
exit "$status"
