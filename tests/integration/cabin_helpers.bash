# Helpers for the tests of `cabin` (the engine): load from a .bats file with
#   load cabin_helpers
# after which setup/teardown are cabin's.  Built on helpers.bash: $TMP, $ID,
# $MARKER and its teardown (processes, mounts, $TMP) are the same.
#
# Every test has its own store and run root under $TMP ($CROOT, $CRUN), so
# nothing touches /var/lib/cabin or /run/cabin.  Test images are made once
# per bats run (tests/helpers/mkimage.sh) in $IMAGE_CACHE and copied.

load helpers

# cabin from the same build as the runtime under test (the sanitizer build
# runs its own), else the default build.
if [ -z "${CABIN:-}" ]; then
	if [[ $CABIN_RUNTIME == */* ]] && [ -x "$(dirname "$CABIN_RUNTIME")/cabin" ]; then
		CABIN=$(dirname "$CABIN_RUNTIME")/cabin
	else
		CABIN=$REPO/build/cabin
	fi
fi
CABIN_RUNTIME_BIN=$(dirname "$CABIN")/cabin-runtime
MKIMAGE=$REPO/tests/helpers/mkimage.sh
IMAGE_CACHE=${IMAGE_CACHE:-${BATS_RUN_TMPDIR:-/tmp}/cabin-image-cache}
: "${CABIN_TIMEOUT:=60}"

setup() {
	common_setup || return
	if [ ! -x "$CABIN" ]; then
		echo "cabin not found: $CABIN (build it)" >&2
		return 1
	fi
	CROOT=$TMP/cabin
	CRUN=$TMP/cabin-run
}

# cabin ARGS...: cabin with this test's roots; stdin /dev/null, fd 3 closed.
cabin() {
	env "$MARKER" timeout -k 5 "$CABIN_TIMEOUT" \
		"$CABIN" --root "$CROOT" --runroot "$CRUN" "$@" </dev/null 3>&-
}

# cabin_in ARGS...: the same, reading the caller's stdin.
cabin_in() {
	env "$MARKER" timeout -k 5 "$CABIN_TIMEOUT" \
		"$CABIN" --root "$CROOT" --runroot "$CRUN" "$@" 3>&-
}

# run_cabin ARGS...: like bats' `run cabin ARGS...`, but through a file, so
# that a container left behind cannot hold bats' pipe open.
run_cabin() {
	local f
	f=$(mktemp "$TMP/cabin-out.XXXXXX")
	status=0
	cabin "$@" >"$f" 2>&1 || status=$?
	output=$(cat "$f")
	mapfile -t lines <<<"$output"
	printf '%s\n' "$output"
}

# cached_image NAME: a file or folder of the image cache, made on first use:
#   rootfs.tar      busybox root file system tarball
#   oci             OCI layout with tags busybox (1 layer) and multi (4 layers)
#   docker.tar      docker-archive of oci:multi named multi:latest (skopeo)
#   oci.tar         OCI archive of oci:multi named multi:oci (skopeo)
cached_image() {
	local want=$IMAGE_CACHE/$1 t
	if [ ! -e "$want" ]; then
		mkdir -p "$IMAGE_CACHE"
		t=$(mktemp -d "$IMAGE_CACHE.XXXXXX")
		case $1 in
		rootfs.tar) "$MKIMAGE" rootfs-tar "$t/x" ;;
		oci)
			"$MKIMAGE" oci "$t/x" busybox
			"$MKIMAGE" multi "$t/x" multi 3 64
			;;
		docker.tar) "$MKIMAGE" docker-archive "$(cached_image oci)" multi "$t/x" multi:latest ;;
		oci.tar) "$MKIMAGE" oci-archive "$(cached_image oci)" multi "$t/x" multi:oci ;;
		*) echo "no cached image $1" >&2; return 1 ;;
		esac
		mv -T "$t/x" "$want" 2>/dev/null || true
		rm -rf "$t"
	fi
	echo "$want"
}

# import_busybox [NAME]: import the busybox rootfs as NAME (default busybox).
import_busybox() {
	cabin import "$(cached_image rootfs.tar)" "${1:-busybox}" >/dev/null
}

# assert_store_clean: no scratch directory, no half-made container, no
# mount below $TMP.
assert_store_clean() {
	local left
	left=$(ls -A "$CROOT/tmp" 2>/dev/null)
	if [ -n "$left" ]; then
		echo "scratch left in $CROOT/tmp: $left" >&2
		return 1
	fi
	left=$(ls -A "$CROOT/containers" 2>/dev/null | grep '^\.' || true)
	if [ -n "$left" ]; then
		echo "half-made containers left: $left" >&2
		return 1
	fi
	left=$(mounts_under "$TMP")
	if [ -n "$left" ]; then
		echo "mounts left: $left" >&2
		return 1
	fi
}

# run_d ARGS...: `cabin run -d`, with this test's marker in the container's
# environment (so that teardown finds its processes); prints the id.
run_d() {
	cabin run -d -e "$MARKER" "$@"
}

# wait_for CMD...: until CMD succeeds, at most 20 s (a bound for a loaded
# machine, not a timing check).
wait_for() {
	local i
	for ((i = 0; i < 400; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "gave up waiting for: $*" >&2
	return 1
}

# log_has CONTAINER TEXT [N]: its log has TEXT on at least N lines (1).
log_has() {
	[ "$(cabin logs "$1" 2>/dev/null | grep -c -- "$2")" -ge "${3:-1}" ]
}

# monitor_done CONTAINER: its monitor has exited, so its cleanup (network
# teardown, unmount, --rm) is over; the status says exited before that.
monitor_done() {
	local id p
	id=$(cabin inspect -f '{{.Id}}' "$1" 2>/dev/null) || return 0 # removed
	p=$CRUN/containers/$id/monitor.pid
	[ ! -e "$p" ] || flock -n -s "$p" true
}

# cstate CONTAINER FIELD: one field of inspect's State.
cstate() {
	cabin inspect -f "{{.State.$2}}" "$1"
}

# is_status CONTAINER STATUS
is_status() {
	[ "$(cstate "$1" Status)" = "$2" ]
}

# monitor_pid ID: the pid of the container's monitor (full id).
monitor_pid() {
	cat "$CRUN/containers/$1/monitor.pid" 2>/dev/null
}

# assert_container_gone ID: nothing of the container (full id) is left: no
# folder, run folder, runtime state, cgroup, mount or name of it.
assert_container_gone() {
	local id=$1 left
	for left in "$CROOT/containers/$id" "$CROOT/containers/.rm-$id" \
		"$CRUN/containers/$id" "$CRUN/runtime/$id"; do
		if [ -e "$left" ]; then
			echo "left behind: $left" >&2
			return 1
		fi
	done
	# (find fails when a cgroup of someone else's vanishes under it: only
	# what it prints counts)
	left=$(find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d -name "$id" 2>/dev/null || true)
	if [ -n "$left" ]; then
		echo "cgroups left: $left" >&2
		return 1
	fi
	if grep -q "$id" /proc/self/mountinfo; then
		echo "mounts left: $(grep "$id" /proc/self/mountinfo)" >&2
		return 1
	fi
	if [ -n "$(find "$CROOT/names" -lname "$id" 2>/dev/null)" ]; then
		echo "names left: $(find "$CROOT/names" -lname "$id")" >&2
		return 1
	fi
}

teardown() {
	[ -n "${TMP:-}" ] && [ -d "$TMP" ] || return 0
	local id p
	for p in "$TMP"/tmux*.sock; do
		[ -S "$p" ] && tmux -S "$p" kill-server 2>/dev/null || true
	done
	# Monitors first, so that none starts a cleanup (or a restart) while the
	# containers go.
	for p in "$CRUN"/containers/*/monitor.pid; do
		# only a live one (it holds the file's lock): a pid may be reused
		[ -f "$p" ] && ! flock -n -s "$p" true && kill -9 "$(cat "$p")" 2>/dev/null || true
	done
	# Each container removed by cabin, so that what the test left running
	# goes with its network too (the address, the veth, the port rules);
	# then whatever is still there, by hand.
	if [ -d "$CROOT/containers" ]; then
		for id in $(ls "$CROOT/containers" 2>/dev/null); do
			[[ $id == .* ]] && continue
			timeout 30 "$CABIN" --root "$CROOT" --runroot "$CRUN" rm -f "$id" \
				>/dev/null 2>&1 </dev/null || true
		done
	fi
	# The engine's containers: their runtime state is cabin-runtime's.
	if [ -d "$CRUN/runtime" ]; then
		for id in $(ls "$CRUN/runtime" 2>/dev/null); do
			[[ $id == .* ]] && continue
			timeout 10 "$CABIN_RUNTIME_BIN" --root "$CRUN/runtime" delete --force "$id" \
				>/dev/null 2>&1 || true
		done
	fi
	common_teardown
}
