#!/bin/sh
# make demo: run a busybox container with cabin-runtime and show what it
# cannot see of the host.  Offline: the image is Debian's busybox-static.
set -eu
runtime=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/cabin-demo.XXXXXX)
trap '"$runtime" --root "$work/state" delete --force demo >/dev/null 2>&1 || true; rm -rf "$work"' EXIT INT TERM

SPEC_RUNTIME=$runtime "$here/mkbundle.sh" "$work/bundle" sh -c '
echo "--- hostname (the host is $HOST_NAME)"; hostname
echo "--- ps: the shell is PID 1 and alone"; ps
echo "--- /etc/os-release"; cat /etc/os-release
echo "--- id"; id
echo "--- network: only lo"; ip -o link | cut -d: -f2
echo "--- mounts"; cut -d" " -f2,3 /proc/mounts | head -20
' >/dev/null
jq --arg h "$(hostname)" '.process.env += ["HOST_NAME=" + $h] | .hostname = "cabin-demo"' \
    "$work/bundle/config.json" >"$work/c.json" && mv "$work/c.json" "$work/bundle/config.json"

echo "=== cabin-runtime run demo (bundle $work/bundle)"
"$runtime" --root "$work/state" run --bundle "$work/bundle" demo
echo "=== exit status $?, host hostname still $(hostname)"
