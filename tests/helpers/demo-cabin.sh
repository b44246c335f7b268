#!/bin/sh
# make demo: build a busybox image offline (Debian's busybox-static), import
# it with cabin and run containers from it: what a container sees of itself
# (PID 1, its own hostname, the image's os-release, its user, a memory
# limit), a container in the background with its monitor, logs and exec.
# Everything lives in a temporary root, removed at the end; the host's
# /var/lib/cabin and /run/cabin are not used.
#   demo-cabin.sh BUILD_DIR
set -eu
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/cabin-demo.XXXXXX)
cabin() { "$build/cabin" --root "$work/root" --runroot "$work/run" "$@"; }
cleanup() {
    cabin rm -f $(cabin ps -aq 2>/dev/null) >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "=== building a busybox root file system tarball (offline, from busybox-static)"
CABIN_RUNTIME=$build/cabin-runtime "$here/mkimage.sh" rootfs-tar "$work/busybox.tar"
ls -l "$work/busybox.tar"
echo "=== cabin import busybox.tar busybox"
cabin import --change 'CMD ["sh"]' "$work/busybox.tar" busybox
cabin images
echo
cat >"$work/probe.sh" <<'PROBE'
echo "PID 1 is:      $(tr '\0' ' ' </proc/1/cmdline)"
echo "processes:"; ps -o pid,user,args
echo "hostname:      $(hostname)"
echo "os-release:    $(. /etc/os-release; echo "$PRETTY_NAME")"
echo "id:            $(id)"
echo "memory limit:  $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max) bytes"
echo "capabilities:  $(grep CapEff /proc/self/status)"
echo "seccomp mode:  $(grep '^Seccomp:' /proc/self/status)"
PROBE
echo "=== cabin create --name probe --memory 64m -u nobody busybox sh /probe.sh"
cabin create --name probe --memory 64m -u nobody busybox sh /probe.sh >/dev/null
echo "=== cabin cp probe.sh probe:/probe.sh; cabin start -a probe: what the container sees"
cabin cp "$work/probe.sh" probe:/probe.sh
status=0
cabin start -a probe || status=$?
cabin rm probe >/dev/null
echo "=== exit status $status; the host is still $(hostname)"
echo
echo "=== a container past its memory: cabin run --memory 16m (the OOM killer ends it: 137)"
oom=0
cabin run --name hungry --memory 16m busybox sh -c 'x=$(head -c 64000000 /dev/zero | tr "\0" a)' || oom=$?
echo "exit status $oom, OOMKilled: $(cabin inspect -f '{{.State.OOMKilled}}' hungry)"
echo
echo "=== in the background: cabin run -d --name ticker busybox ..."
cabin run -d --name ticker busybox sh -c 'i=0; while :; do echo tick $i; i=$((i+1)); sleep 0.2; done'
sleep 1
cabin ps
echo "--- cabin logs --tail 3 ticker"
cabin logs --tail 3 ticker
echo "--- cabin exec ticker ps (the monitor is on the host, not in the container)"
cabin exec ticker ps -o pid,args
echo "--- cabin stop ticker; cabin ps -a"
cabin stop -t 1 ticker >/dev/null
cabin ps -a
echo
echo "=== what the store holds:"
cabin system df
exit "$status"
