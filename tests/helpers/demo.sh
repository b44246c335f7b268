#!/bin/sh
# make demo: run a busybox container with cabin-runtime and show what it
# cannot see of the host.  Offline: the image is Debian's busybox-static.
set -eu
runtime=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/cabin-demo.XXXXXX)
trap '"$runtime" --root "$work/state" delete --force demo >/dev/null 2>&1 || true; rm -rf "$work"' EXIT INT TERM

SPEC_RUNTIME=$runtime "$here/mkbundle.sh" "$work/bundle" /bin/sh /demo.sh
cat >"$work/bundle/rootfs/demo.sh" <<'SCRIPT'
echo "--- hostname (the host's is $HOST_NAME)"; hostname
echo "--- ps: this shell is PID 1, and alone"; ps
echo "--- /etc/os-release"; cat /etc/os-release
echo "--- id"; id
echo "--- capabilities"; grep -E '^Cap(Eff|Bnd)' /proc/self/status
echo "--- network interfaces: only lo"; ip -o link | cut -d: -f2
echo "--- the root is read-only"; touch /x 2>&1 || true
echo "--- masked: /proc/keys has $(wc -c </proc/keys) bytes, /sys/firmware holds: [$(ls /sys/firmware)]"
SCRIPT
jq --arg h "$(hostname)" '.process.env += ["HOST_NAME=" + $h] | .hostname = "cabin-demo"' \
    "$work/bundle/config.json" >"$work/c.json" && mv "$work/c.json" "$work/bundle/config.json"

echo "=== cabin-runtime run demo   (bundle: $work/bundle)"
status=0
"$runtime" --root "$work/state" run --bundle "$work/bundle" demo || status=$?
echo "=== exit status $status; the host's hostname is still $(hostname)"
exit "$status"
