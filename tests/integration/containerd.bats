#!/usr/bin/env bats
# containerd driving cabin-runtime through its runc shim v2
# (`ctr run --runc-binary cabin-runtime`), as Kubernetes' CRI would: the
# shim calls create/start/state/kill/delete/exec/pause/resume/ps on it with
# --root, --log and --log-format json.  A private containerd (root, state,
# sockets, opt under $CL; /run/containerd on the namespace's tmpfs), one
# containerd namespace named after the suite, whose containers' cgroups
# are /<namespace>/<id>.  See clients.bash.

load clients

setup_file() {
	client_setup_file containerd containerd ctr containerd-shim-runc-v2 script
	[ -z "$CLIENT_SKIP" ] || return 0
	export CTR_NS=${CL_CGROUP#/}
	client_containerd_start
	client_image
	cr image import --base-name busybox "$CL/image/busybox-oci.tar" >/dev/null
}

teardown_file() {
	client_teardown_file
}

setup() {
	client_setup
	RT_ROOT=/run/containerd/runc/$CTR_NS
	# Unique, and not hex: no_leftovers greps mountinfo for it, where a
	# short "c5" matches any overlay of content-addressed layers.
	CID="cabin-ctr-$BATS_TEST_NUMBER-$$"
}

# Whatever a test left: its task and container.
teardown() {
	if [ -z "${CLIENT_SKIP:-}" ]; then
		cr task kill -s SIGKILL "$CID" >/dev/null 2>&1
		for i in $(seq 50); do
			cr task ls -q 2>/dev/null | grep -qx "$CID" || break
			cr task rm -f "$CID" >/dev/null 2>&1 && break
			sleep 0.1
		done
		cr container rm "$CID" >/dev/null 2>&1
	fi
	common_teardown
}

# cr ARGS...: ctr on the suite's containerd and namespace.
cr() {
	in_ns timeout 60 ctr --address "$CL/containerd.sock" -n "$CTR_NS" "$@" </dev/null 3>&-
}

cr_cmd() { # the ctr command line, for in_pty
	printf "nsenter -t %s -m -- ctr --address '%s' -n '%s'" "$NS_PID" "$CL/containerd.sock" "$CTR_NS"
}

cr_run() {
	cr run --runc-binary "$CABIN_RUNTIME" "$@"
}

task_status() {
	cr task ls | awk -v id="$1" '$1 == id { print $3 }'
}

task_is() { # task_is ID STATUS
	[ "$(task_status "$1")" = "$2" ]
}

task_pid() {
	cr task ls | awk -v id="$1" '$1 == id { print $2 }'
}

@test "ctr run --rm: output and exit code, then nothing left" {
	run cr_run --rm busybox:latest "$CID" sh -c 'echo hello from cabin; exit 3'
	echo "$output"
	[ "$status" -eq 3 ]
	[ "$output" = "hello from cabin" ]
	no_leftovers "$CID"
	run cr container ls -q
	refute grep -qx "$CID" <<<"$output"
}

@test "ctr run -t: the process has a terminal" {
	run in_pty "$(cr_cmd) run --rm -t --runc-binary '$CABIN_RUNTIME' busybox:latest $CID sh -c 'tty; exit 4'"
	echo "$output"
	[ "$status" -eq 4 ]
	grep -q '/dev/pts/0' <<<"$output"
	no_leftovers "$CID"
}

@test "ctr task exec, exec -t, ps, pause, resume, kill (TERM), rm" {
	run cr_run -d busybox:latest "$CID" sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done'
	[ "$status" -eq 0 ]
	wait_until 10 task_is "$CID" RUNNING
	pid=$(task_pid "$CID")
	# Where the leftover check looks: cabin-runtime's state, while it runs.
	in_ns test -f "$RT_ROOT/$CID/state.json"
	run cr task exec --exec-id e1 "$CID" sh -c 'echo in-exec $$; exit 5'
	echo "$output"
	[ "$status" -eq 5 ]
	grep -q '^in-exec [0-9]' <<<"$output"
	run in_pty "$(cr_cmd) task exec -t --exec-id e2 $CID sh -c 'tty; exit 6'"
	echo "$output"
	[ "$status" -eq 6 ]
	grep -q '/dev/pts/' <<<"$output"
	# ps: the init and an exec'd process.
	run cr task exec -d --exec-id e3 "$CID" sleep 1000
	[ "$status" -eq 0 ]
	run cr task ps "$CID"
	echo "$output"
	grep -q "^$pid " <<<"$output"
	[ "$(grep -c '^[0-9]' <<<"$output")" -ge 2 ]
	run cr task pause "$CID"
	[ "$status" -eq 0 ]
	[ "$(task_status "$CID")" = PAUSED ]
	run cr task resume "$CID"
	[ "$status" -eq 0 ]
	[ "$(task_status "$CID")" = RUNNING ]
	run cr task kill "$CID"
	[ "$status" -eq 0 ]
	wait_until 10 task_is "$CID" STOPPED
	run cr task rm "$CID"
	[ "$status" -eq 0 ]
	# TERM reached its handler.
	grep -q "exit code 42" <<<"$output"
	run cr container rm "$CID"
	[ "$status" -eq 0 ]
	no_leftovers "$CID" "$pid"
}

@test "ctr task kill: TERM ignored, then KILL gives 137" {
	run cr_run -d busybox:latest "$CID" sleep 1000
	[ "$status" -eq 0 ]
	wait_until 10 task_is "$CID" RUNNING
	pid=$(task_pid "$CID")
	cr task kill "$CID"
	sleep 1
	[ "$(task_status "$CID")" = RUNNING ]
	cr task kill -s SIGKILL "$CID"
	wait_until 10 task_is "$CID" STOPPED
	run cr task rm "$CID"
	[ "$status" -eq 0 ]
	grep -q "exit code 137" <<<"$output"
	cr container rm "$CID"
	no_leftovers "$CID" "$pid"
}

@test "ctr run --log-uri: the shim logs the container's output" {
	run cr_run --rm --log-uri "file://$TMP/ctr.log" busybox:latest "$CID" sh -c 'echo logged-line; exit 0'
	[ "$status" -eq 0 ]
	grep -q logged-line "$TMP/ctr.log"
}

@test "ctr: a create failure shows the user our own message" {
	run cr_run --rm busybox:latest "$CID" no-such-program
	echo "$output"
	[ "$status" -ne 0 ]
	grep -q 'OCI runtime create failed' <<<"$output"
	grep -q 'executable `no-such-program` not found in $PATH' <<<"$output"
	no_leftovers "$CID"
}
