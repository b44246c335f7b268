#!/usr/bin/env bats
# podman driving cabin-runtime (`podman --runtime cabin-runtime`): podman
# and conmon call create/start/state/kill/delete/exec/pause/resume on it.
# Private storage, run root, tmp dir, locks and events under $CL; the
# runtime's default root (podman never passes --root) is on the tmpfs /run
# of the suite's namespace.  See clients.bash.

load clients
bats_require_minimum_version 1.5.0

setup_file() {
	client_setup_file podman podman conmon script
	[ -z "$CLIENT_SKIP" ] || return 0
	"$REPO/tests/helpers/podman-conf.sh" "$CL" "$CABIN_RUNTIME"
	client_image
	pm load -q -i "$CL/image/busybox-oci.tar" >/dev/null
}

teardown_file() {
	[ -n "${CL:-}" ] && [ -d "$CL" ] || return 0
	[ -z "${CLIENT_SKIP:-}" ] && pm rm -af -t 0 >/dev/null 2>&1
	client_teardown_file
}

setup() {
	client_setup
	RT_ROOT=/run/cabin-runtime
}

teardown() {
	[ -n "${TMUX_SOCK:-}" ] && tmux -S "$TMUX_SOCK" kill-server 2>/dev/null
	[ -z "${CLIENT_SKIP:-}" ] && pm rm -af -t 0 >/dev/null 2>&1
	common_teardown
}

# pm ARGS...: podman with the suite's private everything and cabin-runtime.
pm() {
	in_ns env CONTAINERS_CONF="$CL/containers.conf" CONTAINERS_STORAGE_CONF="$CL/storage.conf" \
		timeout 120 podman --root "$CL/storage" --runroot "$CL/run" --tmpdir "$CL/tmp" \
		--cgroup-manager cgroupfs --events-backend file --runtime "$CABIN_RUNTIME" "$@" </dev/null 3>&-
}

# pm_in ARGS...: pm, reading our stdin.
pm_in() {
	in_ns env CONTAINERS_CONF="$CL/containers.conf" CONTAINERS_STORAGE_CONF="$CL/storage.conf" \
		timeout 120 podman --root "$CL/storage" --runroot "$CL/run" --tmpdir "$CL/tmp" \
		--cgroup-manager cgroupfs --events-backend file --runtime "$CABIN_RUNTIME" "$@" 3>&-
}

# The podman command line, for in_pty.
pm_cmd() {
	printf "nsenter -t %s -m -- env CONTAINERS_CONF='%s' CONTAINERS_STORAGE_CONF='%s' podman --root '%s' --runroot '%s' --tmpdir '%s' --cgroup-manager cgroupfs --events-backend file --runtime '%s'" \
		"$NS_PID" "$CL/containers.conf" "$CL/storage.conf" "$CL/storage" "$CL/run" "$CL/tmp" "$CABIN_RUNTIME"
}

# pm_run ARGS...: `podman run` with the suite's cgroup parent, no network.
pm_run() {
	pm run --network none --cgroup-parent "$CL_CGROUP" "$@"
}

# ctr_pids ID: the container's init and conmon.
ctr_pids() {
	pm inspect -f '{{.State.Pid}} {{.State.ConmonPid}}' "$1"
}

@test "podman: the runtime is cabin-runtime" {
	run pm info --format '{{.Host.OCIRuntime.Path}} {{.Host.OCIRuntime.Version}}'
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "$CABIN_RUNTIME" <<<"$output"
	grep -q 'cabin-runtime version' <<<"$output"
}

@test "podman run: output and exit code, then nothing left" {
	run pm_run --name "r$BATS_TEST_NUMBER" busybox sh -c 'echo hello from cabin; exit 3'
	echo "$output"
	[ "$status" -eq 3 ]
	[ "$output" = "hello from cabin" ]
	id=$(pm inspect -f '{{.Id}}' "r$BATS_TEST_NUMBER")
	pm rm "r$BATS_TEST_NUMBER"
	no_leftovers "$id"
}

@test "podman run --rm: removes the container, runtime state and cgroups" {
	run pm_run --rm --cidfile "$TMP/cid" busybox true
	[ "$status" -eq 0 ]
	id=$(cat "$TMP/cid")
	[ -n "$id" ]
	run pm ps -aq --no-trunc
	refute grep -q "$id" <<<"$output"
	no_leftovers "$id"
}

@test "podman run -t: the process has a terminal; -i feeds it" {
	run in_pty "$(pm_cmd) run --rm -t --network none --cgroup-parent $CL_CGROUP busybox sh -c 'tty; stty size >/dev/null && echo sized; exit 4'"
	echo "$output"
	[ "$status" -eq 4 ]
	grep -q '/dev/pts/0' <<<"$output"
	run in_pty "$(pm_cmd) run --rm -i -t --network none --cgroup-parent $CL_CGROUP busybox sh -c 'read x; echo got=\$x'" <<<"typed-in"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q 'got=typed-in' <<<"$output"
}

@test "podman run -d, exec, exec -t, logs, stop, rm" {
	run pm_run -d --name "d$BATS_TEST_NUMBER" busybox sh -c 'echo started; trap "echo got-term; exit 42" TERM; while :; do sleep 0.1; done'
	[ "$status" -eq 0 ]
	id=$output
	read -r pid conmon <<<"$(ctr_pids "$id")"
	pid_alive "$pid"
	# Where the leftover check looks: cabin-runtime's state, while it runs.
	in_ns test -f "$RT_ROOT/$id/state.json"
	run pm exec "$id" sh -c 'echo in-exec $(cat /proc/1/cmdline | tr "\0" " "); exit 6'
	[ "$status" -eq 6 ]
	grep -q '^in-exec sh -c' <<<"$output"
	run in_pty "$(pm_cmd) exec -t $id sh -c 'tty; exit 7'"
	echo "$output"
	[ "$status" -eq 7 ]
	grep -q '/dev/pts/' <<<"$output"
	run pm_in exec -i "$id" cat <<<"stdin-to-exec"
	[ "$output" = stdin-to-exec ]
	run pm logs "$id"
	[ "$output" = started ]
	# TERM reaches the process: it exits with its own status.
	run pm stop -t 10 "$id"
	[ "$status" -eq 0 ]
	[ "$(pm inspect -f '{{.State.ExitCode}}' "$id")" = 42 ]
	run pm logs "$id"
	grep -q got-term <<<"$output"
	pm rm "$id"
	no_leftovers "$id" "$pid" "$conmon"
}

@test "podman stop: KILL once the grace period is over" {
	# sh as pid 1 without a trap ignores TERM.
	run pm_run -d busybox sleep 1000
	[ "$status" -eq 0 ]
	id=$output
	read -r pid conmon <<<"$(ctr_pids "$id")"
	run pm stop -t 1 "$id"
	[ "$status" -eq 0 ]
	[ "$(pm inspect -f '{{.State.ExitCode}}' "$id")" = 137 ]
	pm rm "$id"
	no_leftovers "$id" "$pid" "$conmon"
}

@test "podman pause and unpause" {
	run pm_run -d busybox sh -c 'while :; do date +%s%N >/tmp/tick; sleep 0.05; done'
	[ "$status" -eq 0 ]
	id=$output
	run pm pause "$id"
	[ "$status" -eq 0 ]
	[ "$(pm inspect -f '{{.State.Status}}' "$id")" = paused ]
	a=$(pm mount "$id")
	t1=$(in_ns cat "$a/tmp/tick")
	sleep 0.5
	t2=$(in_ns cat "$a/tmp/tick")
	[ "$t1" = "$t2" ]
	run pm unpause "$id"
	[ "$status" -eq 0 ]
	[ "$(pm inspect -f '{{.State.Status}}' "$id")" = running ]
	wait_until 10 sh -c "[ \"\$(nsenter -t $NS_PID -m cat $a/tmp/tick)\" != '$t2' ]"
	pm umount "$id" >/dev/null
}

@test "podman rm -f: a running container, its processes, cgroups and mounts go" {
	run pm_run -d busybox sh -c 'sleep 1000 & sleep 1000'
	[ "$status" -eq 0 ]
	id=$output
	read -r pid conmon <<<"$(ctr_pids "$id")"
	run pm exec -d "$id" sleep 1000
	[ "$status" -eq 0 ]
	run pm rm -f -t 0 "$id"
	[ "$status" -eq 0 ]
	wait_until 10 no_leftovers "$id" "$pid" "$conmon"
}

@test "podman: a create failure shows the user our own message" {
	run -127 pm_run --rm busybox no-such-program
	echo "$output"
	[ "$status" -ne 0 ]
	# cabin-runtime's words (runc says "executable file not found").
	grep -q 'executable `no-such-program` not found in $PATH' <<<"$output"
}

# tmux_wait REGEX [SECONDS]: until the pane shows a line matching REGEX.
tmux_wait() {
	local i
	for ((i = 0; i < ${2:-20} * 10; i++)); do
		tmux -S "$TMUX_SOCK" capture-pane -p | grep -qE "$1" && return 0
		sleep 0.1
	done
	echo "pane never showed /$1/:" >&2
	tmux -S "$TMUX_SOCK" capture-pane -p >&2
	return 1
}

@test "podman run -it sh under tmux: prompt, line editing, Ctrl-C, resize, exit code" {
	command -v tmux >/dev/null || skip "no tmux"
	TMUX_SOCK=$TMP/tmux.sock
	tmux -S "$TMUX_SOCK" new-session -d -x 100 -y 30 \
		"$(pm_cmd) run --rm -it --name it$BATS_TEST_NUMBER --network none --cgroup-parent $CL_CGROUP busybox sh; echo status=\$?; sleep 300"
	tmux_wait '^/ # ?$'
	shell=$(pm inspect -f '{{.State.Pid}}' "it$BATS_TEST_NUMBER")
	# Line editing: the cursor goes back three places and a letter goes in.
	tmux -S "$TMUX_SOCK" send-keys 'echo wrld' Left Left Left o Enter
	tmux_wait '^world$'
	# Ctrl-C ends the foreground job, not the shell.
	tmux -S "$TMUX_SOCK" send-keys 'sleep 1000' Enter
	wait_until 20 pgrep -P "$shell" sleep
	tmux -S "$TMUX_SOCK" send-keys C-c
	wait_until 20 sh -c "! pgrep -P $shell sleep"
	tmux -S "$TMUX_SOCK" send-keys 'echo after-$((6*7))' Enter
	tmux_wait '^after-42$'
	# A resize reaches the container's terminal (some time after tmux made
	# it: ask until it shows).
	tmux -S "$TMUX_SOCK" resize-window -x 120 -y 40
	for i in $(seq 40); do
		tmux -S "$TMUX_SOCK" send-keys 'stty size' Enter
		tmux_wait '^40 120$' 1 2>/dev/null && break
	done
	tmux_wait '^40 120$'
	tmux -S "$TMUX_SOCK" send-keys 'exit 7' Enter
	tmux_wait '^status=7$'
}
