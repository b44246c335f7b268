#!/usr/bin/env bats
# Terminals: process.terminal with --console-socket (as conmon and
# containerd's shim use it), and `run` attaching the caller's terminal.
# The caller's terminal is `script` (util-linux) or tmux.

load helpers

# recvtty: the console socket's other end (tests/helpers/recvtty.c), from
# the build that holds the runtime under test, else the default build.
RECVTTY=${RECVTTY:-$(dirname "$CABIN_RUNTIME")/tests/helpers/recvtty}
[ -x "$RECVTTY" ] || RECVTTY=$REPO/build/tests/helpers/recvtty

# recvtty_start OUT [RECVTTY-ARGS...]: listen on $TMP/console.sock, output in
# OUT; $RECVTTY_PID is its pid.
recvtty_start() {
	local out=$1
	shift
	[ -x "$RECVTTY" ] || {
		echo "recvtty not built ($RECVTTY)" >&2
		return 1
	}
	SOCK=$TMP/console.sock
	env "$MARKER" timeout 30 "$RECVTTY" "$@" "$SOCK" >"$out" 2>&1 </dev/null 3>&- &
	RECVTTY_PID=$!
	wait_for_file "$SOCK"
}

# recvtty_wait: until recvtty is done (every slave of the pty closed).
recvtty_wait() {
	wait "$RECVTTY_PID"
}

terminal_bundle() {
	make_bundle "$@"
	update_config '.process.terminal = true'
}

# in_pty CMD: CMD (a shell command line) on a pty made by script(1); its
# status is CMD's.  The input, if any, comes from our stdin.
in_pty() {
	timeout 60 script -qec "$1" /dev/null
}

# A tmux server of a test is stopped even when the test fails.
teardown() {
	if [ -n "${TMP:-}" ] && [ -S "$TMP/tmux.sock" ]; then
		tmux -S "$TMP/tmux.sock" kill-server 2>/dev/null || true
	fi
	common_teardown
}

rt_cmd() { # the runtime call as a shell command line, for in_pty
	printf "env '%s' '%s' --root '%s'" "$MARKER" "$CABIN_RUNTIME" "$ROOT"
}

@test "terminal: create without --console-socket fails, leaving nothing behind" {
	terminal_bundle true
	run_rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	grep -qi 'console.socket\|console socket' <<<"$output"
	[ ! -e "$ROOT/$ID" ]
}

@test "terminal: run -d without --console-socket fails" {
	terminal_bundle true
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	grep -qi 'console.socket\|console socket' <<<"$output"
	[ ! -e "$ROOT/$ID" ]
}

@test "terminal: --console-socket with a foreground run fails" {
	terminal_bundle true
	run_rt run --console-socket "$TMP/none.sock" --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	grep -qi 'console.socket\|console socket' <<<"$output"
}

@test "terminal: --console-socket without process.terminal fails" {
	make_bundle true
	run_rt create --console-socket "$TMP/none.sock" --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	grep -qi 'console.socket\|console socket' <<<"$output"
	[ ! -e "$ROOT/$ID" ]
}

@test "terminal: a console socket that nobody listens on fails, naming it" {
	terminal_bundle true
	run_rt create --console-socket "$TMP/none.sock" --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	grep -q "none.sock" <<<"$output"
	[ ! -e "$ROOT/$ID" ]
}

@test "terminal: the master comes over --console-socket as runc sends it, with consoleSize" {
	terminal_bundle sh -c 'tty; stty size'
	update_config '.process.consoleSize = {"height": 33, "width": 111}'
	recvtty_start "$TMP/tty.out"
	run_rt create --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	run_rt start "$ID"
	[ "$status" -eq 0 ]
	recvtty_wait
	cat "$TMP/tty.out"
	grep -qx 'name=/dev/ptmx' "$TMP/tty.out"
	grep -qx 'tty=1' "$TMP/tty.out"
	grep -qx 'size=111x33' "$TMP/tty.out"
	grep -q '^/dev/pts/0' "$TMP/tty.out"
	grep -q '^33 111' "$TMP/tty.out"
}

@test "terminal: the pty is the process's controlling tty on 0, 1, 2 and /dev/console" {
	terminal_bundle sh -c 'for f in 0 1 2; do readlink /proc/self/fd/$f; done
		set -- $(cat /proc/self/stat); echo "sid=$6 ttynr=$7"
		stat -c "console=%t:%T" /dev/console; stat -c "pts0=%t:%T" /dev/pts/0; ls -1 /dev/pts'
	recvtty_start "$TMP/tty.out"
	run_rt run -d --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	recvtty_wait
	cat "$TMP/tty.out"
	[ "$(grep -c '^/dev/pts/0' "$TMP/tty.out")" = 3 ]
	# A session leader (pid 1 of its namespace) whose tty is the pty.
	grep -q '^sid=1 ttynr=[1-9]' "$TMP/tty.out"
	c=$(grep '^console=' "$TMP/tty.out" | tr -d '\r')
	p=$(grep '^pts0=' "$TMP/tty.out" | tr -d '\r')
	[ "${c#console=}" = "${p#pts0=}" ]
	# The container's own devpts instance: nothing but its pty in it.
	[ "$(grep -cx '0\|ptmx' <(tr -d '\r' <"$TMP/tty.out"))" = 2 ]
}

@test "terminal: input typed on the master reaches the process; its output comes back" {
	terminal_bundle sh -c 'read line; echo "got:$line"'
	recvtty_start "$TMP/tty.out" -i 'hello\n'
	run_rt run -d --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	recvtty_wait
	cat "$TMP/tty.out"
	grep -q '^got:hello' "$TMP/tty.out"
}

@test "terminal: a non-root process owns its terminal" {
	terminal_bundle sh -c 'stat -c "owner=%u" $(tty)'
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	recvtty_start "$TMP/tty.out"
	run_rt run -d --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	recvtty_wait
	cat "$TMP/tty.out"
	grep -q '^owner=1000' "$TMP/tty.out"
}

@test "terminal: a container without devpts on /dev/pts fails clearly" {
	cabin_only # runc opens the host-style /dev/ptmx link and reports ENOENT
	terminal_bundle true
	update_config 'del(.mounts[] | select(.destination == "/dev/pts"))'
	recvtty_start "$TMP/tty.out"
	run_rt create --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	grep -q 'devpts' <<<"$output"
	[ ! -e "$ROOT/$ID" ]
}

@test "terminal: run in the foreground attaches the caller's terminal; the status comes back" {
	terminal_bundle sh -c 'tty; read x; echo "got=$x"; exit 5'
	run in_pty "$(rt_cmd) run --bundle '$BUNDLE' '$ID'" <<<"typed"
	echo "$output"
	[ "$status" -eq 5 ]
	grep -q '^/dev/pts/0' <<<"$output"
	grep -q 'got=typed' <<<"$output"
	[ ! -e "$ROOT/$ID" ]
}

@test "terminal: the caller's terminal settings are restored, also when the container is killed" {
	terminal_bundle sh -c 'echo started; sleep 100'
	# In the pty: remember the settings, run (killed from outside), compare.
	cat >"$TMP/drive.sh" <<-EOF
		stty -g >"$TMP/before"
		$(rt_cmd) run --bundle '$BUNDLE' '$ID'
		echo "status=\$?" >"$TMP/status"
		stty -g >"$TMP/after"
	EOF
	in_pty "sh $TMP/drive.sh" >"$TMP/pty.out" 2>&1 </dev/null &
	local pty=$!
	wait_for_status "$ID" running
	for i in $(seq 50); do grep -q started "$TMP/pty.out" && break; sleep 0.1; done
	rt kill "$ID" KILL
	wait "$pty"
	cat "$TMP/status"
	[ "$(cat "$TMP/status")" = status=137 ]
	[ -s "$TMP/before" ]
	[ "$(cat "$TMP/before")" = "$(cat "$TMP/after")" ]
}

@test "terminal: the caller's window size, and its changes, reach the container (tmux)" {
	command -v tmux >/dev/null || skip "no tmux"
	# One `stty size` at the start, then one a line typed, until "q".
	terminal_bundle sh -c 'stty size; while read x && [ "$x" != q ]; do stty size; done'
	local sock=$TMP/tmux.sock i
	tmux -S "$sock" new-session -d -x 90 -y 20 \
		"$(rt_cmd) run --bundle '$BUNDLE' '$ID'; echo status=\$?; sleep 100"
	for i in $(seq 200); do tmux -S "$sock" capture-pane -p | grep -q '^20 90' && break; sleep 0.1; done
	tmux -S "$sock" capture-pane -p | grep -q '^20 90'
	tmux -S "$sock" resize-window -x 120 -y 30
	# The resize reaches the pty some time after tmux made it: ask until
	# the container sees it.
	for i in $(seq 40); do
		tmux -S "$sock" send-keys Enter
		sleep 0.5
		tmux -S "$sock" capture-pane -p | grep -q '^30 120' && break
	done
	tmux -S "$sock" send-keys q Enter
	for i in $(seq 200); do tmux -S "$sock" capture-pane -p | grep -q '^status=' && break; sleep 0.1; done
	tmux -S "$sock" capture-pane -p >"$TMP/pane"
	tmux -S "$sock" kill-server || true
	cat "$TMP/pane"
	grep -q '^30 120' "$TMP/pane"
	grep -q '^status=0' "$TMP/pane"
}
