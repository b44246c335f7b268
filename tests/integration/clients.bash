# Helpers for the real-client suites: podman.bats, containerd.bats and
# dockerd.bats, each driving cabin-runtime through a client as users do.
#
# A suite starts its client once, in setup_file, inside a private mount
# namespace of its own (held by a `sleep`), with every bit of its state in a
# temporary folder $CL and a tmpfs on /run in that namespace: the host's
# podman storage, containerd and docker are never touched, and the mounts
# the client makes vanish with the namespace.  teardown_file kills every
# process of that namespace (the daemons, conmon, shims, containers), then
# removes the cgroups named after the suite and $CL, also when tests failed.
#
# Cgroups are the host's (there is no private copy of them): each suite puts
# its containers under a parent cgroup named after $CL (CL_CGROUP), so a
# leftover check looks only at what the suite made.

load helpers

# client_missing CMD...: the first CMD not installed, or nothing.
client_missing() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || {
			echo "$c"
			return 0
		}
	done
	return 0
}

# client_setup_file NAME CMD...: $CL, the namespace, or CLIENT_SKIP with the
# reason (exported; every test then skips with it).
client_setup_file() {
	local name=$1 missing
	shift
	export CLIENT_SKIP=
	if [ "$EUID" != 0 ]; then
		CLIENT_SKIP="the $name tests must run as root"
		return 0
	fi
	missing=$(client_missing "$@" unshare nsenter umoci skopeo)
	if [ -n "$missing" ]; then
		CLIENT_SKIP="$missing is not installed (make deps installs the clients)"
		return 0
	fi
	CL=$(mktemp -d "${TMPDIR:-/tmp}/cabin-$name.XXXXXX")
	chmod 0755 "$CL"
	export CL
	export CL_CGROUP="/cabin-$name-${CL##*.}"
	export CL_MARK="CABIN_CLIENT_MARK=$CL"
	# Every process of the suite is in this namespace, and carries the mark.
	env "$CL_MARK" unshare -m --propagation private sleep infinity </dev/null >/dev/null 2>&1 3>&- &
	export NS_PID=$!
	local i
	for i in $(seq 100); do
		[ "$(readlink /proc/$NS_PID/ns/mnt 2>/dev/null)" != "$(readlink /proc/self/ns/mnt)" ] && break
		sleep 0.05
	done
	in_ns mount -t tmpfs -o mode=0755 tmpfs /run
	# podman's and skopeo's blob-info cache is /var/lib/containers/cache for
	# root, whatever else is configured: a tmpfs over it here (the
	# directory is theirs and made when missing, empty).
	mkdir -p /var/lib/containers
	in_ns mount -t tmpfs -o mode=0700 tmpfs /var/lib/containers
}

# in_ns CMD...: CMD in the suite's namespace (with the mark).
in_ns() {
	env "$CL_MARK" nsenter -t "$NS_PID" -m -- "$@"
}

# client_image: the busybox image of tests/helpers/mkimage.sh in $CL/image,
# as an OCI archive and a docker archive (busybox-oci.tar,
# busybox-docker.tar), both named busybox:latest.  In the namespace: skopeo
# writes the blob-info cache.
client_image() {
	local d=$CL/image mk=$REPO/tests/helpers/mkimage.sh
	[ -f "$d/busybox-oci.tar" ] && return 0
	mkdir -p "$d"
	in_ns env CABIN_RUNTIME="$CABIN_RUNTIME" sh -c '"$1" oci "$2/oci" busybox &&
		"$1" oci-archive "$2/oci" busybox "$2/busybox-oci.tar" busybox:latest &&
		"$1" docker-archive "$2/oci" busybox "$2/busybox-docker.tar" busybox:latest' \
		sh "$mk" "$d" >/dev/null
}

# client_containerd_start: a containerd of the suite's (root, state, opt in
# $CL/containerd, its socket $CL/containerd.sock), in the namespace.
client_containerd_start() {
	local d=$CL/containerd
	mkdir -p "$d"
	cat >"$d/config.toml" <<-EOF
		version = 2
		root = "$d/root"
		state = "$d/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$CL/containerd.sock"
		[ttrpc]
		  address = "$CL/containerd.sock.ttrpc"
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$d/opt"
	EOF
	in_ns containerd --config "$d/config.toml" >"$d/log" 2>&1 </dev/null 3>&- &
	wait_until 20 test -S "$CL/containerd.sock"
}

# ns_pids: every process in the suite's namespace but its holder.
ns_pids() {
	local ns p
	ns=$(readlink "/proc/$NS_PID/ns/mnt" 2>/dev/null) || return 0
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = "$NS_PID" ] && continue
		[ "$(readlink "/proc/$p/ns/mnt" 2>/dev/null)" = "$ns" ] && echo "$p"
	done
	return 0
}

# cgroup_thaw_kill_under PATH: thaw, kill and remove every cgroup below PATH
# (deepest first) in every hierarchy.
cgroup_remove_tree() {
	local name=${1#/} m d p i
	for m in $(cgroup_mountpoints); do
		[ -d "$m/$name" ] || continue
		for i in 1 2 3 4 5 6 7 8 9 10; do
			for d in $(find "$m/$name" -depth -type d 2>/dev/null); do
				[ -f "$d/freezer.state" ] && echo THAWED >"$d/freezer.state" 2>/dev/null
				[ -f "$d/cgroup.freeze" ] && echo 0 >"$d/cgroup.freeze" 2>/dev/null
				while read -r p; do kill -9 "$p" 2>/dev/null; done <"$d/cgroup.procs"
				rmdir "$d" 2>/dev/null
			done
			[ -d "$m/$name" ] || break
			sleep 0.1
		done
	done
	return 0
}

# client_teardown_file: kill everything of the suite, remove its cgroups and
# $CL.
client_teardown_file() {
	[ -n "${CL:-}" ] && [ -d "$CL" ] || return 0
	local i pids
	for i in 1 2 3 4 5 6 7 8 9 10; do
		pids=$(ns_pids)
		[ -z "$pids" ] && break
		# TERM first (daemons clean up), then KILL.
		if [ "$i" -le 3 ]; then kill $pids 2>/dev/null; else kill -9 $pids 2>/dev/null; fi
		sleep 0.3
	done
	kill -9 "$NS_PID" 2>/dev/null || true
	wait "$NS_PID" 2>/dev/null || true
	# Anything with the mark that got out of the namespace.
	for i in $(grep -lzxF "$CL_MARK" /proc/[0-9]*/environ 2>/dev/null); do
		i=${i#/proc/}
		kill -9 "${i%/environ}" 2>/dev/null || true
	done
	cgroup_remove_tree "$CL_CGROUP"
	rm -rf "$CL"
}

client_setup() {
	[ -z "${CLIENT_SKIP:-}" ] || skip "$CLIENT_SKIP"
	common_setup
}

# no_leftovers ID [PID...]: nothing of container ID is left: no state under
# the runtime root RT_ROOT (in the namespace), no mount naming it, no cgroup
# named after it below CL_CGROUP, and none of PIDs alive.
no_leftovers() {
	local id=$1 p left
	shift
	if in_ns test -e "$RT_ROOT/$id"; then
		echo "runtime state left: $RT_ROOT/$id" >&2
		return 1
	fi
	left=$(in_ns grep -F "$id" /proc/self/mountinfo || true)
	if [ -n "$left" ]; then
		echo "mounts left: $left" >&2
		return 1
	fi
	left=$(cgroup_dirs_named "*$id*" | grep -F "${CL_CGROUP#/}" || true)
	if [ -n "$left" ]; then
		echo "cgroups left: $left" >&2
		return 1
	fi
	for p in "$@"; do
		if pid_alive "$p"; then
			echo "process $p still alive" >&2
			return 1
		fi
	done
	return 0
}

# wait_until SECONDS CMD...: poll CMD until it succeeds.
wait_until() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	echo "timed out: $*" >&2
	return 1
}

# in_pty CMD: a shell command line on a pty of script(1); its status is CMD's.
in_pty() {
	timeout 60 script -qec "$1" /dev/null
}
