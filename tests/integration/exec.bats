#!/usr/bin/env bats
# exec: one more process in a container, with runc's flags.  Every test but
# those marked cabin-only passes against runc too (CABIN_RUNTIME=runc).

load helpers

# start_container [ARGS...]: a detached container running ARGS (default: a
# long sleep); $PID is its init's host pid.
start_container() {
	[ $# -gt 0 ] || set -- sleep 1000
	make_bundle "$@"
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	PID=$(state_field "$ID" pid)
	[ "$PID" -gt 0 ]
}

# exec_out ARGS...: run_rt exec, keeping only stdout in $output (stderr
# goes to $TMP/exec.err).
exec_out() {
	status=0
	rt exec "$@" >"$TMP/exec.out" 2>"$TMP/exec.err" || status=$?
	output=$(cat "$TMP/exec.out")
	mapfile -t lines <<<"$output"
	cat "$TMP/exec.err" >&2
}

@test "exec: runs in the container, returns its status and output" {
	start_container
	exec_out "$ID" sh -c 'echo out; echo err >&2; exit 7'
	[ "$status" -eq 7 ]
	[ "$output" = out ]
	grep -qx err "$TMP/exec.err"
}

@test "exec: a process killed by a signal gives 128+N" {
	start_container
	exec_out "$ID" sh -c 'kill -9 $$'
	[ "$status" -eq 137 ]
}

@test "exec: stdin reaches the process" {
	start_container
	run bash -c 'echo piped | env "$1" "$2" --root "$3" exec "$4" cat' _ "$MARKER" "$CABIN_RUNTIME" "$ROOT" "$ID"
	[ "$status" -eq 0 ]
	[ "$output" = piped ]
}

@test "exec: joins every namespace of the container and its cgroup" {
	start_container
	exec_out "$ID" sh -c 'for n in pid net mnt ipc uts cgroup; do readlink /proc/self/ns/$n; done'
	[ "$status" -eq 0 ]
	i=0
	for n in pid net mnt ipc uts cgroup; do
		[ "${lines[i]}" = "$(readlink /proc/$PID/ns/$n)" ]
		i=$((i + 1))
	done
	# The same cgroups as the init, seen from the host.
	exec_out --detach --pid-file "$TMP/exec.pid" "$ID" sleep 1000
	[ "$status" -eq 0 ]
	pid=$(cat "$TMP/exec.pid")
	diff "/proc/$pid/cgroup" "/proc/$PID/cgroup"
	kill -9 "$pid"
}

@test "exec: the process is in the container's pid namespace and sees only it" {
	start_container
	exec_out "$ID" sh -c 'echo $$; ls /proc | grep -c "^[0-9]"'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" -gt 1 ]
	# init, the shell, ls, grep, maybe a few more: never the host's hundreds.
	[ "${lines[1]}" -lt 10 ]
}

@test "exec: joins a user namespace of the container" {
	make_bundle sleep 1000
	add_namespace user
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	update_config 'del(.mounts[] | select(.destination == "/sys"))'
	chown -R 100000:100000 "$BUNDLE/rootfs"
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	PID=$(state_field "$ID" pid)
	exec_out "$ID" sh -c 'readlink /proc/self/ns/user; cat /proc/self/uid_map; id -u'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(readlink /proc/$PID/ns/user)" ]
	[ "$(echo ${lines[1]})" = "0 100000 65536" ]
	[ "${lines[2]}" = 0 ]
}

@test "exec: --env adds and replaces, --cwd, --user and --additional-gids" {
	start_container
	exec_out --env FOO=bar --env PATH=/bin:/usr/bin --cwd /tmp --user 1000:1001 \
		--additional-gids 2000 "$ID" sh -c 'echo "$FOO $PATH"; pwd; id -u; id -g; grep ^Groups: /proc/self/status'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "bar /bin:/usr/bin" ]
	[ "${lines[1]}" = /tmp ]
	[ "${lines[2]}" = 1000 ]
	[ "${lines[3]}" = 1001 ]
	grep -qw 2000 <<<"${lines[4]}"
	# PATH is there once: replaced, not added.
	exec_out --env PATH=/bin "$ID" sh -c 'env | grep -c ^PATH='
	[ "$output" = 1 ]
}

@test "exec: the container's process settings are the defaults (rlimits, caps, noNewPrivileges)" {
	make_bundle sleep 1000
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 777, "hard": 888}]'
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	exec_out "$ID" sh -c 'ulimit -n; ulimit -Hn; grep -E "^(CapBnd|CapEff|NoNewPrivs)" /proc/self/status'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 777 ]
	[ "${lines[1]}" = 888 ]
	want_bnd=$(awk '/^CapBnd/ {print $2}' /proc/$(state_field "$ID" pid)/status)
	grep -q "^CapBnd:.*$want_bnd" <<<"$output"
	grep -q '^NoNewPrivs:.*1' <<<"$output"
}

@test "exec: --cap adds a capability, but never to the inheritable set (CVE-2022-29162)" {
	start_container
	exec_out "$ID" sh -c 'grep -E "^Cap(Inh|Eff|Bnd)" /proc/self/status'
	before_eff=$(awk '/^CapEff/ {print $2}' <<<"$output")
	exec_out --cap CAP_SYS_PTRACE "$ID" sh -c 'grep -E "^Cap(Inh|Eff|Bnd|Amb)" /proc/self/status'
	[ "$status" -eq 0 ]
	eff=$(awk '/^CapEff/ {print $2}' <<<"$output")
	bnd=$(awk '/^CapBnd/ {print $2}' <<<"$output")
	(((0x$eff >> 19) & 1))
	(((0x$bnd >> 19) & 1))
	! (((0x$before_eff >> 19) & 1))
	[ "$(awk '/^CapInh/ {print $2}' <<<"$output")" = 0000000000000000 ]
	[ "$(awk '/^CapAmb/ {print $2}' <<<"$output")" = 0000000000000000 ]
}

@test "exec: an unknown --cap is refused" {
	cabin_only # runc 1.1 ignores unknown capabilities with a warning
	start_container
	exec_out --cap CAP_BOGUS "$ID" true
	[ "$status" -ne 0 ]
	grep -q CAP_BOGUS "$TMP/exec.err"
}

@test "exec: --no-new-privs=false clears the container's noNewPrivileges" {
	start_container
	exec_out --no-new-privs=false "$ID" grep NoNewPrivs /proc/self/status
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "NoNewPrivs: 0" ]
	update_config '.process.noNewPrivileges = false'
	exec_out --no-new-privs "$ID" grep NoNewPrivs /proc/self/status
	[ "$(echo $output)" = "NoNewPrivs: 1" ]
}

@test "exec: the container's seccomp filter applies" {
	make_bundle sleep 1000
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	exec_out "$ID" sh -c 'grep ^Seccomp: /proc/self/status; mkdir /tmp/made && echo made'
	[ "$status" -ne 0 ]
	[ "$(echo ${lines[0]})" = "Seccomp: 2" ]
	refute grep -qx made <<<"$output"
}

@test "exec: --process FILE, as containerd and conmon give it" {
	start_container
	cat >"$TMP/process.json" <<-'EOF'
		{"args": ["sh", "-c", "echo $GREETING; id -u; pwd"], "env": ["PATH=/bin", "GREETING=from-file"],
		 "cwd": "/etc", "user": {"uid": 1234, "gid": 1234}, "terminal": false}
	EOF
	exec_out --process "$TMP/process.json" "$ID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = from-file ]
	[ "${lines[1]}" = 1234 ]
	[ "${lines[2]}" = /etc ]
}

@test "exec: a bad --process file is refused, naming the field" {
	start_container
	echo '{"args": [], "cwd": "/", "user": {"uid": 0, "gid": 0}}' >"$TMP/process.json"
	exec_out --process "$TMP/process.json" "$ID"
	[ "$status" -ne 0 ]
	grep -q 'args' "$TMP/exec.err"
}

@test "exec: --detach --pid-file: the pid file names the running process" {
	start_container
	exec_out --detach --pid-file "$TMP/exec.pid" "$ID" sh -c 'echo $$ >/tmp/inner; exec sleep 1000'
	[ "$status" -eq 0 ]
	pid=$(cat "$TMP/exec.pid")
	pid_alive "$pid"
	grep -q sleep "/proc/$pid/cmdline"
	[ "$(readlink /proc/$pid/ns/pid)" = "$(readlink /proc/$PID/ns/pid)" ]
	# `ps` lists it with the init.
	run_rt ps "$ID"
	grep -qw "$pid" <<<"$output"
	kill -9 "$pid"
}

@test "exec: a paused container refuses exec without --ignore-paused" {
	start_container
	run_rt pause "$ID"
	[ "$status" -eq 0 ]
	exec_out "$ID" true
	[ "$status" -ne 0 ]
	grep -qi paused "$TMP/exec.err"
}

@test "exec --ignore-paused --detach: started frozen, runs once resumed" {
	cabin_only # runc 1.1 does not return until the container is resumed
	make_bundle sleep 1000
	update_config '.root.readonly = false'
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	run_rt pause "$ID"
	[ "$status" -eq 0 ]
	exec_out --ignore-paused --detach --pid-file "$TMP/exec.pid" "$ID" sh -c 'echo ran >/tmp/ran'
	[ "$status" -eq 0 ]
	# Frozen with the container until it resumes.
	sleep 0.3
	[ ! -e "$BUNDLE/rootfs/tmp/ran" ]
	run_rt resume "$ID"
	[ "$status" -eq 0 ]
	wait_for_file "$BUNDLE/rootfs/tmp/ran"
}

@test "exec: a stopped container refuses exec" {
	make_bundle true
	run_rt run -d --bundle "$BUNDLE" "$ID"
	wait_for_status "$ID" stopped
	exec_out "$ID" true
	[ "$status" -ne 0 ]
	grep -qi 'stopped\|not running' "$TMP/exec.err"
}

@test "exec: works once the bundle is gone (the config was kept at create)" {
	cabin_only # runc reads the bundle's config.json again at exec
	start_container
	mv "$BUNDLE/config.json" "$BUNDLE/config.json.away"
	exec_out "$ID" echo still-here
	[ "$status" -eq 0 ]
	[ "$output" = still-here ]
}

@test "exec: the process holds none of the runtime's fds; --preserve-fds passes more" {
	start_container
	exec_out "$ID" sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "'
	[ "$status" -eq 0 ]
	# 0 1 2 and the fd of ls's own readdir.
	[ "$output" = "0 1 2 3 " ]
	exec 7>"$TMP/fd7"
	status=0
	env "$MARKER" "$CABIN_RUNTIME" --root "$ROOT" exec --preserve-fds 5 "$ID" sh -c 'echo through-7 >&7' </dev/null 3>&- || status=$?
	exec 7>&-
	[ "$status" -eq 0 ]
	[ "$(cat "$TMP/fd7")" = through-7 ]
}

@test "exec: a cwd that does not exist fails, naming it" {
	start_container
	exec_out --cwd /no/such/dir "$ID" true
	[ "$status" -ne 0 ]
	grep -q /no/such/dir "$TMP/exec.err"
	[ ! -e "$BUNDLE/rootfs/no" ]
}

@test "exec: a command that does not exist fails, naming it" {
	start_container
	exec_out "$ID" no-such-command
	[ "$status" -ne 0 ]
	grep -q no-such-command "$TMP/exec.err"
}

@test "exec: kill --all and delete --force end exec'd processes too" {
	start_container
	exec_out --detach --pid-file "$TMP/exec.pid" "$ID" sleep 1000
	[ "$status" -eq 0 ]
	pid=$(cat "$TMP/exec.pid")
	run_rt delete --force "$ID"
	[ "$status" -eq 0 ]
	wait_for_exit "$pid"
}

@test "exec: into a created (not yet started) container" {
	make_bundle sleep 1000
	run_rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	exec_out "$ID" echo created-ok
	[ "$status" -eq 0 ]
	[ "$output" = created-ok ]
	[ "$(state_field "$ID" status)" = created ]
}

@test "exec --tty: the process gets a pty of the container's, in the foreground" {
	start_container
	run timeout 60 script -qec "env '$MARKER' '$CABIN_RUNTIME' --root '$ROOT' exec -t '$ID' sh -c 'tty; exit 3'" /dev/null </dev/null
	echo "$output"
	[ "$status" -eq 3 ]
	grep -q '/dev/pts/[0-9]' <<<"$output"
}

@test "exec --tty --detach needs --console-socket; --console-socket needs --tty" {
	start_container
	exec_out --tty --detach "$ID" true
	[ "$status" -ne 0 ]
	grep -qi 'console.socket\|console socket' "$TMP/exec.err"
	exec_out --detach --console-socket "$TMP/none.sock" "$ID" true
	[ "$status" -ne 0 ]
	grep -qi 'console.socket\|console socket\|tty' "$TMP/exec.err"
}

@test "exec --tty --detach --console-socket: the master goes to the socket" {
	start_container
	RECVTTY=${RECVTTY:-$(dirname "$CABIN_RUNTIME")/tests/helpers/recvtty}
	[ -x "$RECVTTY" ] || RECVTTY=$REPO/build/tests/helpers/recvtty
	env "$MARKER" timeout 30 "$RECVTTY" "$TMP/c.sock" >"$TMP/tty.out" 2>&1 </dev/null 3>&- &
	local rv=$!
	wait_for_file "$TMP/c.sock"
	exec_out --tty --detach --console-socket "$TMP/c.sock" "$ID" sh -c 'tty; echo via-pty'
	[ "$status" -eq 0 ]
	wait "$rv"
	cat "$TMP/tty.out"
	grep -qx 'name=/dev/ptmx' "$TMP/tty.out"
	grep -q '^via-pty' "$TMP/tty.out"
}

@test "exec: under a seccomp NOTIFY profile, the exec'd process's listener goes to listenerPath too" {
	# runc 1.1.5's init makes a mkdir(2) of its own under the filter, which
	# the first listener's answer does not let through.
	cabin_only
	l=$(dirname "$(probe_bin)")/seccomp-listener
	[ -x "$l" ] || {
		echo "seccomp-listener not built: $l" >&2
		return 1
	}
	make_bundle sleep 1000
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": $p,
		"listenerMetadata": "exec-md", "syscalls": [{"names": ["mkdir", "mkdirat"],
		"action": "SCMP_ACT_NOTIFY"}]}' --arg p "$TMP/l.sock"
	# One listener for the init (it never calls mkdir), one for the exec.
	env "$MARKER" "$l" "$TMP/l.sock" "$TMP/init.state" "$TMP/init.log" ok \
		</dev/null >/dev/null 2>&1 3>&- &
	wait_for_file "$TMP/l.sock.ready"
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	wait_for_file "$TMP/init.state"
	rm -f "$TMP/l.sock" "$TMP/l.sock.ready"
	env "$MARKER" "$l" "$TMP/l.sock" "$TMP/exec.state" "$TMP/exec.log" errno:122 \
		</dev/null >/dev/null 2>&1 3>&- &
	local second=$!
	wait_for_file "$TMP/l.sock.ready"
	exec_out "$ID" sh -c 'mkdir /tmp/x 2>&1; echo "rc=$?"'
	[ "$status" -eq 0 ]
	grep -q 'Disk quota exceeded' <<<"$output"
	grep -q 'rc=1' <<<"$output"
	wait "$second"
	[ "$(wc -l <"$TMP/exec.log")" -eq 1 ]
	run jq -r '.metadata, .state.id, .state.pid, (.pid != .state.pid)' "$TMP/exec.state"
	[ "${lines[0]}" = exec-md ]
	[ "${lines[1]}" = "$ID" ]
	[ "${lines[2]}" = "$(state_field "$ID" pid)" ]
	# The process's own pid, not the init's.
	[ "${lines[3]}" = true ]
}
