#!/usr/bin/env bats
# dockerd (Debian's docker.io) driving cabin-runtime, registered with
# `--add-runtime cabin=...` and chosen with `docker run --runtime cabin`:
# dockerd → containerd → runc shim v2 → cabin-runtime.  A private
# containerd and dockerd (data root, exec root, sockets, pid file under
# $CL; no iptables, no bridge), containers under the cgroup parent
# $CL_CGROUP.  See clients.bash.

load clients

setup_file() {
	# The docker.io client next to its daemon (a newer one may be first in
	# PATH, with another API version).
	export DOCKER=/usr/bin/docker
	[ -x "$DOCKER" ] || DOCKER=$(command -v docker || echo docker)
	client_setup_file dockerd dockerd containerd containerd-shim-runc-v2 "$DOCKER" script
	[ -z "$CLIENT_SKIP" ] || return 0
	echo '{}' >"$CL/daemon.json"
	client_containerd_start
	in_ns dockerd --config-file "$CL/daemon.json" --data-root "$CL/data" --exec-root "$CL/exec" \
		--pidfile "$CL/docker.pid" -H "unix://$CL/docker.sock" --containerd "$CL/containerd.sock" \
		--iptables=false --ip6tables=false --bridge=none --cgroup-parent "$CL_CGROUP" \
		--add-runtime "cabin=$CABIN_RUNTIME" >"$CL/dockerd.log" 2>&1 </dev/null 3>&- &
	wait_until 60 dk version
	client_image
	dk load -q -i "$CL/image/busybox-docker.tar" >/dev/null
}

teardown_file() {
	[ -n "${CL:-}" ] && [ -d "$CL" ] || return 0
	if [ -z "${CLIENT_SKIP:-}" ]; then
		ids=$(dk ps -aq 2>/dev/null) && [ -n "$ids" ] && dk rm -f $ids >/dev/null 2>&1
	fi
	client_teardown_file
}

setup() {
	client_setup
	# dockerd 20.10 gives every runc-like runtime the root runtime-runc.
	RT_ROOT=$CL/exec/runtime-runc/moby
	NAME="d$BATS_TEST_NUMBER"
}

teardown() {
	[ -z "${CLIENT_SKIP:-}" ] && dk rm -f "$NAME" >/dev/null 2>&1
	common_teardown
}

# dk ARGS...: the docker client on the suite's dockerd.
dk() {
	in_ns timeout 120 "$DOCKER" -H "unix://$CL/docker.sock" "$@" </dev/null 3>&-
}

dk_cmd() { # the docker command line, for in_pty
	printf "nsenter -t %s -m -- '%s' -H 'unix://%s'" "$NS_PID" "$DOCKER" "$CL/docker.sock"
}

dk_run() {
	dk run --runtime cabin --network none "$@"
}

# memory_limit PID: the limit of PID's memory cgroup (v1 or v2), in bytes.
memory_limit() {
	local d
	if d=$(pid_cgroup_dir "$1" memory 2>/dev/null) && [ -f "$d/memory.limit_in_bytes" ]; then
		cat "$d/memory.limit_in_bytes"
	else
		cat "$(unified_dir "$(proc_cgroup "$1" unified)")/memory.max"
	fi
}

@test "dockerd: the cabin runtime is registered" {
	run dk info --format '{{json .Runtimes}}'
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "\"cabin\"" <<<"$output"
	grep -q "$CABIN_RUNTIME" <<<"$output"
}

@test "docker run --runtime cabin: output and exit code, then nothing left" {
	run dk_run --name "$NAME" busybox sh -c 'echo hello from cabin; exit 3'
	echo "$output"
	[ "$status" -eq 3 ]
	[ "$output" = "hello from cabin" ]
	id=$(dk inspect -f '{{.Id}}' "$NAME")
	[ "$(dk inspect -f '{{.HostConfig.Runtime}}' "$NAME")" = cabin ]
	dk rm "$NAME" >/dev/null
	no_leftovers "$id"
}

@test "docker run -t: the process has a terminal" {
	run in_pty "$(dk_cmd) run --rm -t --runtime cabin --network none busybox sh -c 'tty; exit 4'"
	echo "$output"
	[ "$status" -eq 4 ]
	grep -q '/dev/pts/0' <<<"$output"
}

@test "docker run -d, exec, exec -t, logs, top, pause, update --memory, stop, rm" {
	run dk_run -d --name "$NAME" busybox sh -c 'echo started; trap "echo got-term; exit 42" TERM; while :; do sleep 0.1; done'
	[ "$status" -eq 0 ]
	id=$output
	pid=$(dk inspect -f '{{.State.Pid}}' "$id")
	pid_alive "$pid"
	# Where the leftover check looks: cabin-runtime's state, while it runs.
	in_ns test -f "$RT_ROOT/$id/state.json"
	run dk exec "$id" sh -c 'echo in-exec; exit 5'
	[ "$status" -eq 5 ]
	[ "$output" = in-exec ]
	run in_pty "$(dk_cmd) exec -it $id sh -c 'tty; exit 6'"
	echo "$output"
	[ "$status" -eq 6 ]
	grep -q '/dev/pts/' <<<"$output"
	run dk logs "$id"
	[ "$output" = started ]
	run dk top "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "$pid" <<<"$output"
	run dk pause "$id"
	[ "$status" -eq 0 ]
	[ "$(dk inspect -f '{{.State.Status}}' "$id")" = paused ]
	run dk unpause "$id"
	[ "$status" -eq 0 ]
	[ "$(dk inspect -f '{{.State.Status}}' "$id")" = running ]
	run dk update --memory 64m --memory-swap 128m "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(memory_limit "$pid")" = 67108864 ]
	run dk stop -t 10 "$id"
	[ "$status" -eq 0 ]
	[ "$(dk inspect -f '{{.State.ExitCode}}' "$id")" = 42 ]
	run dk logs "$id"
	grep -q got-term <<<"$output"
	dk rm "$id" >/dev/null
	no_leftovers "$id" "$pid"
}

@test "docker stop: KILL once the grace period is over" {
	run dk_run -d --name "$NAME" busybox sleep 1000
	[ "$status" -eq 0 ]
	id=$output
	pid=$(dk inspect -f '{{.State.Pid}}' "$id")
	run dk stop -t 1 "$id"
	[ "$status" -eq 0 ]
	[ "$(dk inspect -f '{{.State.ExitCode}}' "$id")" = 137 ]
	dk rm "$id" >/dev/null
	no_leftovers "$id" "$pid"
}

@test "docker rm -f: a running container with exec'd processes goes, leaving nothing" {
	run dk_run -d --name "$NAME" busybox sleep 1000
	[ "$status" -eq 0 ]
	id=$output
	pid=$(dk inspect -f '{{.State.Pid}}' "$id")
	run dk exec -d "$id" sleep 1000
	[ "$status" -eq 0 ]
	run dk rm -f "$id"
	[ "$status" -eq 0 ]
	wait_until 10 no_leftovers "$id" "$pid"
}

@test "docker: a create failure shows the user our own message" {
	run dk_run --rm --name "$NAME" busybox no-such-program
	echo "$output"
	[ "$status" -ne 0 ]
	grep -q 'OCI runtime create failed' <<<"$output"
	grep -q 'executable `no-such-program` not found in $PATH' <<<"$output"
}
