#!/usr/bin/env bats
# linux.seccomp: actions, argument conditions, flags, skipped unknown names,
# errors that name the field, the compiled-filter cache, and SCMP_ACT_NOTIFY
# with a listener (tests/helpers/seccomp-listener.c).

load helpers

# seccomp_profile JSON: set linux.seccomp (and make / writable for mkdir).
seccomp_profile() {
	update_config '.root.readonly = false | .linux.seccomp = $p' --argjson p "$1"
}

# run_it: run the bundle as made (run_container would replace its args).
run_it() {
	run_rt run --bundle "$BUNDLE" "$ID"
}

errno_rule() { # NAMES(JSON array) ERRNO
	printf '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":%s,"action":"SCMP_ACT_ERRNO","errnoRet":%s}]}' "$1" "$2"
}

@test "seccomp: an ERRNO rule fails the syscall with that errno; the rest works" {
	make_bundle sh -c 'mkdir /made 2>&1; echo "mkdir=$?"; grep ^Seccomp: /proc/self/status; echo fine'
	seccomp_profile "$(errno_rule '["mkdir","mkdirat"]' 1)"
	run_it
	[ "$status" -eq 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	[[ "$output" == *"mkdir=1"* ]]
	[[ "$output" == *"Seccomp:"*"2"* ]]
	[[ "$output" == *fine* ]]
	[ ! -e "$BUNDLE/rootfs/made" ]
}

@test "seccomp: errnoRet is the errno the caller sees" {
	make_bundle sh -c 'mkdir /made 2>&1; true'
	seccomp_profile "$(errno_rule '["mkdir","mkdirat"]' 28)" # ENOSPC
	run_it
	[[ "$output" == *"No space left on device"* ]]
}

@test "seccomp: SCMP_ACT_KILL_PROCESS kills the container's process (SIGSYS)" {
	make_bundle sh -c 'echo before; exec mkdir /made'
	seccomp_profile '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_KILL_PROCESS"}]}'
	run_it
	[ "$status" -eq 159 ] # 128 + SIGSYS
	[[ "$output" == *before* ]]
	[ ! -e "$BUNDLE/rootfs/made" ]
}

@test "seccomp: argument conditions (personality(PER_LINUX32) refused, PER_LINUX allowed)" {
	make_bundle sh -c 'linux64 true; echo "linux64=$?"; linux32 true 2>/dev/null; echo "linux32=$?"'
	seccomp_profile '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["personality"],"action":"SCMP_ACT_ERRNO","errnoRet":1,"args":[{"index":0,"value":8,"op":"SCMP_CMP_EQ"}]}]}'
	run_it
	[[ "$output" == *"linux64=0"* ]]
	[[ "$output" == *"linux32=1"* ]]
}

@test "seccomp: a syscall name unknown to libseccomp is skipped" {
	make_bundle true
	seccomp_profile "$(errno_rule '["no_such_syscall_cabin","mkdirat"]' 1)"
	run_it
	[ "$status" -eq 0 ]
}

@test "seccomp: without noNewPrivileges the filter still loads (before caps are dropped)" {
	make_bundle sh -c 'mkdir /made 2>&1; grep ^NoNewPrivs: /proc/self/status'
	update_config '.process.noNewPrivileges = false'
	seccomp_profile "$(errno_rule '["mkdir","mkdirat"]' 1)"
	run_it
	[[ "$output" == *"Operation not permitted"* ]]
	[[ "$output" == *"NoNewPrivs:"*"0"* ]]
}

@test "seccomp: an unknown action, operator, architecture or flag is an error naming it" {
	cabin_only
	make_bundle true
	seccomp_profile '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_FROB"}]}'
	run_it
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.seccomp.syscalls[0].action"*"SCMP_ACT_FROB"* ]]
	seccomp_profile '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_XX"}]}]}'
	run_it
	[[ "$output" == *"linux.seccomp.syscalls[0].args[0].op"*"SCMP_CMP_XX"* ]]
	seccomp_profile '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_PDP11"]}'
	run_it
	[[ "$output" == *"linux.seccomp.architectures[0]"*"SCMP_ARCH_PDP11"* ]]
	seccomp_profile '{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_FROB"]}'
	run_it
	[[ "$output" == *"linux.seccomp.flags[0]"* ]]
	[ -z "$(ls "$ROOT" | grep -v '^\.' || true)" ] # nothing left behind
}

@test "seccomp: the flags LOG and SPEC_ALLOW load" {
	cabin_only # runc 1.1.5: "seccomp flags are not yet supported"
	make_bundle sh -c 'mkdir /made 2>&1; true'
	seccomp_profile '{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_SPEC_ALLOW"],"syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}'
	run_it
	[ "$status" -eq 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
}

@test "seccomp: the compiled filter is cached under the root and reused" {
	cabin_only
	make_bundle sh -c 'mkdir /made 2>&1; true'
	seccomp_profile "$(errno_rule '["mkdir","mkdirat"]' 1)"
	run_it
	[[ "$output" == *"Operation not permitted"* ]]
	local f
	f=$(ls "$ROOT/.seccomp-cache")
	[ "$(echo "$f" | wc -l)" -eq 1 ]
	[[ "$f" =~ ^[0-9a-f]{64}$ ]]
	local before
	before=$(stat -c %Y.%i "$ROOT/.seccomp-cache/$f")
	run_it
	[[ "$output" == *"Operation not permitted"* ]]
	[ "$(stat -c %Y.%i "$ROOT/.seccomp-cache/$f")" = "$before" ]
	# A corrupt cache entry is not trusted blindly: it must still be a
	# whole number of instructions, else the profile is compiled again.
	printf 'xx' >"$ROOT/.seccomp-cache/$f"
	run_it
	[[ "$output" == *"Operation not permitted"* ]]
}

# ---- SCMP_ACT_NOTIFY --------------------------------------------------------

# listener_start RESPONSE...: tests/helpers/seccomp-listener on $TMP/l.sock,
# answering the notifications with RESPONSE... in order.
listener_start() {
	local l
	l=$(dirname "$(probe_bin)")/seccomp-listener
	[ -x "$l" ] || {
		echo "seccomp-listener not built: $l" >&2
		return 1
	}
	env "$MARKER" "$l" "$TMP/l.sock" "$TMP/l.state" "$TMP/l.log" "$@" \
		</dev/null >"$TMP/l.out" 2>&1 3>&- &
	LISTENER_PID=$!
	wait_for_file "$TMP/l.sock.ready"
}

# notify_profile [EXTRA]: mkdir and mkdirat go to the listener.
notify_profile() {
	printf '{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"%s","listenerMetadata":"cabin-md","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_NOTIFY"}%s]}' \
		"$TMP/l.sock" "${1:-}"
}

@test "seccomp NOTIFY: the listener gets the fd and the state, and answers for the container" {
	make_bundle sh -c 'mkdir /a; echo "a=$?"; [ -d /a ] && echo a-made || echo a-absent; mkdir /b 2>&1; echo "b=$?"'
	seccomp_profile "$(notify_profile)"
	listener_start ok errno:122 # EDQUOT
	# The container's output goes where create's does.
	run_rt_out "$TMP/out" create --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	pid=$(state_field "$ID" pid)
	run rt start "$ID"
	[ "$status" -eq 0 ]
	wait_for_status "$ID" stopped
	wait_for_exit "$LISTENER_PID"
	run cat "$TMP/out"
	# mkdir "succeeded" without a directory being made; the next got EDQUOT.
	[[ "$output" == *"a=0"* ]]
	[[ "$output" == *a-absent* ]]
	[[ "$output" == *"Disk quota exceeded"* ]]
	[[ "$output" == *"b=1"* ]]
	[ "$(wc -l <"$TMP/l.log")" -eq 2 ]
	# The container process state, as runc sends it.
	run jq -r '.ociVersion, (.fds | join(",")), .pid, .metadata, .state.id, .state.status,
		.state.pid, .state.bundle' "$TMP/l.state"
	[ -n "${lines[0]}" ]
	[ "${lines[1]}" = seccompFd ]
	[ "${lines[2]}" = "$pid" ]
	[ "${lines[3]}" = cabin-md ]
	[ "${lines[4]}" = "$ID" ]
	[ "${lines[5]}" = creating ]
	[ "${lines[6]}" = "$pid" ]
	[ "${lines[7]}" = "$BUNDLE" ]
}

@test "seccomp NOTIFY: without noNewPrivileges too, and CONTINUE lets the call through" {
	# runc 1.1.5's init makes a mkdir(2) of its own under the filter here,
	# which takes the first answer.
	cabin_only
	make_bundle sh -c 'mkdir /a; echo "a=$?"; [ -d /a ] && echo a-made; mkdir /b 2>&1; echo "b=$?"'
	update_config '.process.noNewPrivileges = false'
	seccomp_profile "$(notify_profile)"
	listener_start continue errno:1
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"a=0"* ]]
	[[ "$output" == *a-made* ]]
	[[ "$output" == *"Operation not permitted"* ]]
	[[ "$output" == *"b=1"* ]]
	[ -d "$BUNDLE/rootfs/a" ]
	[ ! -e "$BUNDLE/rootfs/b" ]
}

@test "seccomp NOTIFY: a bad listener setup is an error naming the field, and nothing is left" {
	cabin_only
	make_bundle true
	# No listenerPath.
	seccomp_profile '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}'
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.seccomp.listenerPath"* ]]
	# NOTIFY as the default action.
	seccomp_profile "{\"defaultAction\":\"SCMP_ACT_NOTIFY\",\"listenerPath\":\"$TMP/l.sock\"}"
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.seccomp.defaultAction"*"SCMP_ACT_NOTIFY"* ]]
	# NOTIFY on the call that hands the listener over.
	seccomp_profile "$(notify_profile ',{"names":["sendmsg"],"action":"SCMP_ACT_NOTIFY"}')"
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.seccomp.syscalls[1]"*"sendmsg"* ]]
	# Nobody listening: the create fails and cleans up.
	seccomp_profile "$(notify_profile)"
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"listenerPath"*"$TMP/l.sock"* ]]
	[ -z "$(ls "$ROOT" | grep -v '^\.' || true)" ]
	[ -z "$(marker_pids)" ]
}

@test "seccomp: a profile libseccomp never finishes compiling is an error after the deadline, and nothing is left" {
	cabin_only
	# libseccomp 2.5.4 loops forever on these two rules (found by
	# tests/fuzz/fuzz_seccomp); runc hangs on them in `runc init`.
	make_bundle true
	seccomp_profile "$(cat "$REPO/tests/fuzz/corpus/seccomp/hang-libseccomp-arg-tree.json")"
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.seccomp: libseccomp"*"did not finish compiling the filter in 10000 ms"* ]]
	[ -z "$(ls "$ROOT" | grep -v '^\.' || true)" ]
	[ -z "$(marker_pids)" ]
	[ -z "$(cgroup_leftovers)" ]
	# The same rules in the other order compile, and the container runs.
	seccomp_profile "$(jq -c '.syscalls |= reverse' "$REPO/tests/fuzz/corpus/seccomp/hang-libseccomp-arg-tree.json")"
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
}
