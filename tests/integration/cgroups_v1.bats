#!/usr/bin/env bats
# cgroups on a pure-v1 host: every runtime call runs in a private mount
# namespace of its own where the cgroup2 mount(s) are unmounted, so the
# runtime sees v1 hierarchies only (the layout is detected per call and must
# be the same every time).  Checks are made from the host's view: the
# container must be in the v1 hierarchies and nowhere in cgroup2; limits go to
# the v1 files; pause/resume use the freezer; kill --all has no cgroup.kill
# and must freeze, signal and thaw; delete removes every directory.
#
# Skipped when the namespace cannot be made (no unshare, umount refused, or a
# host without v1 hierarchies).

load helpers

# Whether the namespace can be made is found once for the file.
setup_file() {
	cg_layout_v1 || true
	export CG_NS_SETUP CG_NS_SKIP
}

setup() {
	common_setup
	[ -z "$CG_NS_SKIP" ] || skip "$CG_NS_SKIP"
}

teardown() {
	cgroup_flatten_leftovers
	cgroup_teardown
}

# Every runtime call, including teardown's, sees the pure-v1 view.
rt() {
	rt_ns "$@"
}

# cg_bundle CGPATH ARGS...: bundle with process.args=ARGS, linux.cgroupsPath
# CGPATH and $HOSTDIR bound at /shared.
cg_bundle() {
	local p=$1
	shift
	make_bundle "$@"
	bind_mount "$HOSTDIR" /shared
	update_config '.linux.cgroupsPath = $p' --arg p "$p"
}

start_detached() {
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	pid=$(state_field "$ID" pid)
	[ "$pid" -gt 0 ]
}

remove_container() {
	rt kill "$ID" KILL >/dev/null 2>&1 || true
	wait_for_status "$ID" stopped
	run rt delete "$ID"
	[ "$status" -eq 0 ] || {
		echo "delete: $output" >&2
		return 1
	}
	[ -z "${pid:-}" ] || wait_for_exit "$pid"
}

resources() {
	local f=$1
	shift
	update_config ".linux.resources |= ($f)" "$@"
}

# no_unified_trace: the container has nothing in cgroup2: no directory named
# after $CGP under any cgroup2 mount, and its 0:: line is the caller's.
no_unified_trace() {
	local name=${CGP#/} ms left
	name=${name%%/*}
	ms=$(cgroup2_mounts)
	[ -n "$ms" ] || return 0
	# shellcheck disable=SC2086
	left=$(find $ms -mindepth 1 -type d -name "$name" 2>/dev/null)
	if [ -n "$left" ]; then
		echo "found in cgroup2: $left" >&2
		return 1
	fi
	[ "$(proc_cgroup "$pid" unified)" = "$(own_cgroup unified)" ] || {
		echo "0:: line moved: $(proc_cgroup "$pid" unified), caller $(own_cgroup unified)" >&2
		return 1
	}
}

@test "v1 layout: the runtime sees no cgroup2; features and state show nothing odd" {
	# The namespace really is pure v1.
	run unshare -m --propagation private sh -c "$CG_NS_SETUP"' && grep " - cgroup" /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	refute grep -q ' - cgroup2 ' <<<"$output"
	grep -q ' - cgroup ' <<<"$output"

	run rt features
	[ "$status" -eq 0 ]
	jq -e '.linux.cgroup.v1 == true' <<<"$output"

	CGP=/cabin-v1-$ID
	cg_bundle "$CGP" sleep 100
	start_detached
	run rt state "$ID"
	[ "$status" -eq 0 ]
	# Nothing but the JSON on stdout and stderr (no warnings).
	jq -e --arg id "$ID" --argjson pid "$pid" \
		'.id == $id and .status == "running" and .pid == $pid' <<<"$output"
	run rt list
	[ "$status" -eq 0 ]
	grep -q "$ID .*running" <<<"$output"
	if ! is_runc; then
		# cabin records the layout it found.
		jq -e '.cgroup.layout == "v1"' "$ROOT/$ID/state.json"
		jq -e '[.cgroup.hierarchies[] | select(.v2)] == []' "$ROOT/$ID/state.json"
	fi
	run rt events --stats "$ID"
	[ "$status" -eq 0 ]
	jq -e '.data.memory.usage.usage > 0 and .data.pids.current >= 1' <<<"$output"
	remove_container
	assert_no_cgroup_left_anywhere "$CGP"
}

@test "v1 layout: the container is in every v1 hierarchy and not in cgroup2" {
	CGP=/cabin-v1-$ID
	cg_bundle "$CGP" sleep 100
	start_detached
	local c d
	for c in $(cgroup_v1_controllers); do
		[ "$(proc_cgroup "$pid" "$c")" = "$CGP" ] || {
			echo "$c: $(proc_cgroup "$pid" "$c"), wanted $CGP" >&2
			return 1
		}
		d=$(cgroup_dir "$c" "$CGP")
		grep -qx "$pid" "$d/cgroup.procs"
	done
	[ "$(proc_cgroup "$pid" memory)" = "$CGP" ]
	[ "$(proc_cgroup "$pid" pids)" = "$CGP" ]
	no_unified_trace

	run rt ps --format json "$ID"
	[ "$status" -eq 0 ]
	jq -e --argjson p "$pid" '. == [$p]' <<<"$output"

	remove_container
	for c in $(cgroup_v1_controllers); do
		[ ! -e "$(cgroup_dir "$c" "$CGP")" ]
	done
	assert_no_cgroup_left_anywhere "$CGP"
}

@test "v1 layout: memory and pids limits reach the v1 files" {
	CGP=/cabin-v1-$ID
	cg_bundle "$CGP" sleep 100
	resources '.memory = {"limit": 33554432, "swap": 33554432} | .pids = {"limit": 20} | .cpu = {"shares": 512}'
	start_detached
	[ "$(cg_read "$pid" memory memory.limit_in_bytes)" = 33554432 ]
	if [ -e "$(pid_cgroup_dir "$pid" memory)/memory.memsw.limit_in_bytes" ]; then
		[ "$(cg_read "$pid" memory memory.memsw.limit_in_bytes)" = 33554432 ]
	fi
	[ "$(cg_read "$pid" pids pids.max)" = 20 ]
	[ "$(cg_read "$pid" cpu cpu.shares)" = 512 ]
	no_unified_trace

	run rt update --memory 67108864 --memory-swap 67108864 "$ID"
	[ "$status" -eq 0 ]
	[ "$(cg_read "$pid" memory memory.limit_in_bytes)" = 67108864 ]
	remove_container
	assert_no_cgroup_left_anywhere "$CGP"
}

@test "v1 layout: unified keys are refused and leave nothing behind" {
	CGP=/cabin-v1-$ID
	cg_bundle "$CGP" true
	resources '.unified = {"cgroup.max.descendants": "5"}'
	mkdir -p "$ROOT"
	run_rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	grep -qiE 'unified|v2' <<<"$output"
	[ -z "$(ls -A "$ROOT" | grep -F "$ID")" ]
	assert_no_cgroup_left_anywhere "$CGP"
}

counter_bundle() {
	CGP=/cabin-v1-$ID
	cg_bundle "$CGP" sh -c 'i=0; while :; do i=$((i + 1)); echo $i >/shared/count.new; mv /shared/count.new /shared/count; sleep 0.02; done'
}

@test "v1 layout: pause and resume through the freezer" {
	counter_bundle
	start_detached
	wait_for_file "$HOSTDIR/count"
	[ -n "$(cgroup_mount freezer)" ] || {
		remove_container
		skip "no freezer hierarchy"
	}

	run rt pause "$ID"
	[ "$status" -eq 0 ]
	[ "$(state_field "$ID" status)" = paused ]
	[ "$(cg_read "$pid" freezer freezer.state)" = FROZEN ]
	local a b
	a=$(count)
	sleep 0.3
	b=$(count)
	[ "$a" = "$b" ]
	no_unified_trace

	run rt resume "$ID"
	[ "$status" -eq 0 ]
	[ "$(state_field "$ID" status)" = running ]
	[ "$(cg_read "$pid" freezer freezer.state)" = THAWED ]
	counts_past "$b"

	remove_container
	assert_no_cgroup_left_anywhere "$CGP"
}

@test "v1 layout: kill --all KILL reaches a child in its own session (freeze, signal, thaw)" {
	CGP=/cabin-v1-$ID
	cg_bundle "$CGP" sh -c 'setsid sh -c "echo \$\$ >/shared/child; exec sleep 100" & sleep 100'
	drop_namespace pid # so that /shared/child is a host pid
	start_detached
	wait_for_file "$HOSTDIR/child"
	local child
	child=$(cat "$HOSTDIR/child")
	sleep 0.1
	pid_alive "$child"
	[ "$(awk '{print $6}' "/proc/$child/stat")" = "$child" ]
	[ "$(proc_cgroup "$child" memory)" = "$CGP" ]

	run rt kill --all "$ID" KILL
	[ "$status" -eq 0 ]
	wait_for_exit "$child"
	wait_for_exit "$pid"
	wait_for_status "$ID" stopped
	run rt delete "$ID"
	[ "$status" -eq 0 ]
	assert_no_cgroup_left_anywhere "$CGP"
}

@test "v1 layout: kill --all with a caught signal reaches every process and leaves them thawed" {
	CGP=/cabin-v1-$ID
	cg_bundle "$CGP" sh -c '
		setsid sh -c "trap \"echo child >>/shared/usr1\" USR1; echo \$\$ >/shared/child; while :; do sleep 0.02; done" &
		trap "echo init >>/shared/usr1" USR1
		i=0; while :; do i=$((i + 1)); echo $i >/shared/count.new; mv /shared/count.new /shared/count; sleep 0.02; done'
	drop_namespace pid
	start_detached
	wait_for_file "$HOSTDIR/count"
	wait_for_file "$HOSTDIR/child" # its trap is set

	run rt kill --all "$ID" USR1
	[ "$status" -eq 0 ]
	local i
	for i in $(seq 40); do
		[ "$(sort -u "$HOSTDIR/usr1" 2>/dev/null | wc -l)" = 2 ] && break
		sleep 0.05
	done
	cat "$HOSTDIR/usr1"
	grep -qx init "$HOSTDIR/usr1"
	grep -qx child "$HOSTDIR/usr1"
	# Thawed again: still running and counting.
	[ "$(state_field "$ID" status)" = running ]
	if [ -n "$(cgroup_mount freezer)" ]; then
		[ "$(cg_read "$pid" freezer freezer.state)" = THAWED ]
	fi
	local b
	b=$(count)
	counts_past "$b"
	# Without a pid namespace, killing init leaves the child: kill them all.
	run rt kill --all "$ID" KILL
	[ "$status" -eq 0 ]
	wait_for_exit "$(cat "$HOSTDIR/child")"
	remove_container
	assert_no_cgroup_left_anywhere "$CGP"
}

@test "v1 layout: delete removes every directory, in every hierarchy" {
	CGP=/cabin-v1-$ID
	cg_bundle "$CGP" sleep 100
	start_detached
	local c dirs=()
	for c in $(cgroup_v1_controllers); do
		dirs+=("$(cgroup_dir "$c" "$CGP")")
	done
	[ ${#dirs[@]} -gt 0 ]
	for d in "${dirs[@]}"; do
		[ -d "$d" ]
	done
	# A running container, removed with --force.
	run rt delete --force "$ID"
	[ "$status" -eq 0 ]
	wait_for_exit "$pid"
	run rt state "$ID"
	[ "$status" -ne 0 ]
	for d in "${dirs[@]}"; do
		[ ! -e "$d" ] || {
			echo "left behind: $d" >&2
			return 1
		}
	done
	assert_no_cgroup_left_anywhere "$CGP"
}

# A container that manages its own cgroups (systemd, a nested runtime) has
# sub-cgroups below its own.  runc kills and removes them too.

@test "v1 layout: kill --all reaches a process in a sub-cgroup" {
	CGP=/cabin-v1-$ID
	cg_bundle "$CGP" sh -c 'sleep 100 & echo $! >/shared/child; wait'
	drop_namespace pid # so that /shared/child is a host pid
	start_detached
	wait_for_file "$HOSTDIR/child"
	local child c
	child=$(cat "$HOSTDIR/child")
	for c in $(cgroup_v1_controllers); do
		cgroup_sub "$(cgroup_dir "$c" "$CGP")" "$child"
	done
	[ "$(proc_cgroup "$child" memory)" = "$CGP/sub" ]

	run rt kill --all "$ID" KILL
	[ "$status" -eq 0 ]
	wait_for_exit "$pid"
	wait_for_exit "$child" 3 || {
		echo "kill --all did not reach pid $child in $CGP/sub" >&2
		return 1
	}
}

@test "v1 layout: delete removes a sub-cgroup made below the container's" {
	CGP=/cabin-v1-$ID
	cg_bundle "$CGP" sh -c 'sleep 100 & wait'
	start_detached
	local c child=
	for c in $(seq 40); do
		child=$(grep -vx "$pid" "$(cgroup_dir memory "$CGP")/cgroup.procs") && break
		sleep 0.05
	done
	[ -n "$child" ]
	for c in $(cgroup_v1_controllers); do
		cgroup_sub "$(cgroup_dir "$c" "$CGP")" "$child"
	done
	remove_container
	wait_for_exit "$child"
	assert_no_cgroup_left_anywhere "$CGP"
}
