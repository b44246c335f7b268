#!/usr/bin/env bats
# The container process: rlimits, user, umask, cwd, env, capabilities,
# noNewPrivileges, oomScoreAdj, exit status, stdio.

load helpers

has_cap() { # has_cap NUMBER: the test process has the capability
	local eff
	eff=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
	(((0x$eff >> $1) & 1))
}

@test "rlimits: RLIMIT_NOFILE soft and hard limits are set" {
	make_bundle true
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1000, "hard": 2000}, {"type": "RLIMIT_NPROC", "soft": 500, "hard": 600}]'
	run_container sh -c 'ulimit -n; ulimit -Hn; grep "^Max processes" /proc/self/limits'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 2000 ]
	[ "$(echo ${lines[2]})" = "Max processes 500 600 processes" ]
}

@test "rlimits: raising the hard limit above the host's fails" {
	host_hard=$(ulimit -Hn)
	[ "$host_hard" != unlimited ] || skip "host hard NOFILE is unlimited"
	if has_cap 24; then skip "CAP_SYS_RESOURCE may raise hard limits"; fi
	make_bundle true
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": $h}]' --argjson h $((host_hard + 10000))
	run_container sh -c 'echo STARTED'
	[ "$status" -ne 0 ]
	refute grep -q STARTED <<<"$output"
}

@test "rlimits: the error for a refused rlimit names it" {
	# cabin-specific: runc says "rlimit type 7"
	cabin_only
	host_hard=$(ulimit -Hn)
	[ "$host_hard" != unlimited ] || skip "host hard NOFILE is unlimited"
	if has_cap 24; then skip "CAP_SYS_RESOURCE may raise hard limits"; fi
	make_bundle true
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": $h}]' --argjson h $((host_hard + 10000))
	run_container true
	[ "$status" -ne 0 ]
	grep -q RLIMIT_NOFILE <<<"$output"
}

@test "rlimits: an unknown rlimit type is refused" {
	make_bundle true
	update_config '.process.rlimits = [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]'
	run_container true
	[ "$status" -ne 0 ]
	grep -q RLIMIT_BOGUS <<<"$output"
}

@test "user: uid, gid and additionalGids" {
	make_bundle true
	update_config '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [2000, 3000]}'
	run_container sh -c 'id -u; id -g; grep "^Groups:" /proc/self/status'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1001 ]
	[ "$(echo ${lines[2]})" = "Groups: 2000 3000" ]
}

@test "user: a uid from /etc/passwd of the rootfs gives its HOME, root gets /root" {
	make_bundle true
	run_container sh -c 'echo $HOME'
	[ "$status" -eq 0 ]
	[ "$output" = /root ]
	update_config '.process.user = {"uid": 1, "gid": 1}'
	run_container sh -c 'echo $HOME; id -u'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /usr/sbin ]
	[ "${lines[1]}" = 1 ]
}

@test "umask from process.user.umask, 0022 by default" {
	make_bundle true
	update_config '.process.user.umask = 23'
	run_container sh -c 'umask; touch /dev/shm/f; stat -c %a /dev/shm/f'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0027 ]
	[ "${lines[1]}" = 640 ]
	update_config 'del(.process.user.umask)'
	run_container sh -c umask
	[ "$status" -eq 0 ]
	[ "$output" = 0022 ]
}

@test "cwd: the process starts in process.cwd" {
	make_bundle true
	update_config '.process.cwd = "/etc"'
	run_container pwd
	[ "$status" -eq 0 ]
	[ "$output" = /etc ]
}

@test "cwd: a cwd that does not exist is created" {
	make_bundle true
	update_config '.root.readonly = false | .process.cwd = "/work/not/yet"'
	run_container pwd
	[ "$status" -eq 0 ]
	[ "$output" = /work/not/yet ]
	[ -d "$BUNDLE/rootfs/work/not/yet" ]
}

@test "cwd: a relative cwd is refused" {
	make_bundle true
	update_config '.process.cwd = "relative/dir"'
	run_container pwd
	[ "$status" -ne 0 ]
}

@test "env: variables from process.env, nothing from the runtime's environment" {
	make_bundle true
	update_config '.process.env += ["FOO=bar baz", "EMPTY=", "WITH_EQ=a=b"]'
	export CABIN_LEAK_CHECK=leaked
	run_container sh -c 'echo "FOO=$FOO"; echo "EMPTY=${EMPTY-unset}"; echo "WITH_EQ=$WITH_EQ"; echo "PATH=$PATH"; echo "LEAK=${CABIN_LEAK_CHECK-unset}"'
	unset CABIN_LEAK_CHECK
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "FOO=bar baz" ]
	[ "${lines[1]}" = "EMPTY=" ]
	[ "${lines[2]}" = "WITH_EQ=a=b" ]
	[ "${lines[3]}" = "PATH=$(jq -r '.process.env[] | select(startswith("PATH="))' "$BUNDLE/config.json" | cut -d= -f2-)" ]
	[ "${lines[4]}" = "LEAK=unset" ]
}

@test "the executable is looked up in the container's PATH" {
	make_bundle true
	mkdir -p "$BUNDLE/rootfs/opt/cabin/bin"
	printf '#!/bin/sh\necho hello from opt\n' >"$BUNDLE/rootfs/opt/cabin/bin/cabin-hello"
	chmod 755 "$BUNDLE/rootfs/opt/cabin/bin/cabin-hello"
	update_config '.process.env = [.process.env[] | select(startswith("PATH=") | not)] + ["PATH=/opt/cabin/bin:/bin"]'
	run_container cabin-hello
	[ "$status" -eq 0 ]
	[ "$output" = "hello from opt" ]
}

@test "noNewPrivileges true and false" {
	make_bundle true
	update_config '.process.noNewPrivileges = true'
	run_container grep '^NoNewPrivs:' /proc/self/status
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "NoNewPrivs: 1" ]
	update_config '.process.noNewPrivileges = false'
	run_container grep '^NoNewPrivs:' /proc/self/status
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "NoNewPrivs: 0" ]
}

@test "oomScoreAdj" {
	make_bundle true
	update_config '.process.oomScoreAdj = 500'
	run_container cat /proc/self/oom_score_adj
	[ "$status" -eq 0 ]
	[ "$output" = 500 ]
}

@test "capabilities: the sets are exactly the configured ones" {
	make_bundle true
	# CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29) = 0x20000420
	caps='["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"]'
	update_config '.process.capabilities = {"bounding": $c, "effective": $c, "permitted": $c, "inheritable": [], "ambient": []}' --argjson c "$caps"
	run_container grep '^Cap' /proc/self/status
	[ "$status" -eq 0 ]
	grep -qx 'CapEff:[[:space:]]*0000000020000420' <<<"$output"
	grep -qx 'CapPrm:[[:space:]]*0000000020000420' <<<"$output"
	grep -qx 'CapBnd:[[:space:]]*0000000020000420' <<<"$output"
	grep -qx 'CapInh:[[:space:]]*0000000000000000' <<<"$output"
}

@test "exit status: run exits with the container's status" {
	make_bundle true
	run_container sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run_container true
	[ "$status" -eq 0 ]
	run_container false
	[ "$status" -eq 1 ]
}

@test "exit status: a container killed by SIGKILL gives 137" {
	make_bundle sh -c 'touch /shared/ready; sleep 1000'
	bind_mount "$HOSTDIR" /shared
	rt run --bundle "$BUNDLE" "$ID" >"$TMP/run.out" 2>&1 &
	bg=$!
	wait_for_file "$HOSTDIR/ready"
	run rt kill "$ID" KILL
	[ "$status" -eq 0 ]
	st=0
	wait "$bg" || st=$?
	[ "$st" -eq 137 ]
}

@test "stdout and stderr of the container reach run's stdout and stderr" {
	make_bundle sh -c 'echo to-stdout; echo to-stderr >&2'
	st=0
	rt run --bundle "$BUNDLE" "$ID" >"$TMP/out" 2>"$TMP/err" || st=$?
	[ "$st" -eq 0 ]
	[ "$(cat "$TMP/out")" = to-stdout ]
	grep -qx to-stderr "$TMP/err"
}

@test "socket activation: LISTEN_FDS passes fds 3.. and sets LISTEN_FDS/LISTEN_PID" {
	make_bundle sh -c 'echo "$LISTEN_FDS $LISTEN_PID"; cat <&3; cat <&4'
	echo from-fd3 >"$TMP/a"
	echo from-fd4 >"$TMP/b"
	# Not through rt/run_rt: they close fd 3 (bats' own).
	# LISTEN_PID must be the runtime's pid (systemd's protocol): exec keeps it.
	timeout 30 sh -c 'LISTEN_FDS=2 LISTEN_PID=$$ exec "$0" --root "$1" run --bundle "$2" "$3"' \
		"$CABIN_RUNTIME" "$ROOT" "$BUNDLE" "$ID" 3<"$TMP/a" 4<"$TMP/b" >"$TMP/out" 2>&1 </dev/null
	run cat "$TMP/out"
	[ "${lines[0]}" = "2 1" ]
	[ "${lines[1]}" = from-fd3 ]
	[ "${lines[2]}" = from-fd4 ]
}
