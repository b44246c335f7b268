#!/usr/bin/env bats
# linux.seccomp: actions, argument conditions, flags, skipped unknown names,
# errors that name the field, and the compiled-filter cache.

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
