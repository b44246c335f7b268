#!/usr/bin/env bats
# cgroups on a pure-v2 host: every runtime call runs in a private mount
# namespace of its own where /sys/fs/cgroup is unmounted and cgroup2 mounted
# there instead.  cgroup2 is one hierarchy, so what the runtime makes below
# its /sys/fs/cgroup appears below the host's cgroup2 mount
# (/sys/fs/cgroup/unified on a hybrid host); the checks look there.
#
# On a hybrid host the cgroup2 hierarchy has no memory, pids or cpu
# controller (they are bound to v1), so the tests use what v2 has without
# them: placement, cgroup.freeze, cgroup.kill, cgroup.* files through
# `unified`, device rules (a BPF program, no controller needed), hugetlb when
# the host gives it to cgroup2, and the refusal of a memory limit.
#
# Skipped when cgroup2 cannot be mounted on /sys/fs/cgroup in a private mount
# namespace.

load helpers

# Whether the namespace can be made is found once for the file.
setup_file() {
	cg_layout_v2 || true
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

# Every runtime call, including teardown's, sees the pure-v2 view.
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

# failed_create WORDS: create must fail naming WORDS (a regex) and leave no
# state, process or cgroup behind.
failed_create() {
	mkdir -p "$ROOT"
	run_rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	grep -qE "$1" <<<"$output" || {
		echo "error does not name $1" >&2
		return 1
	}
	[ -z "$(ls -A "$ROOT" | grep -F "$ID")" ]
	local i
	for i in $(seq 40); do
		[ -z "$(marker_pids)" ] && break
		sleep 0.05
	done
	[ -z "$(marker_pids)" ]
	assert_no_cgroup_left_anywhere "$CGP"
}

@test "v2 layout: the runtime sees cgroup2 on /sys/fs/cgroup only; features and state show nothing odd" {
	run unshare -m --propagation private sh -c "$CG_NS_SETUP"' && grep " - cgroup" /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	grep -q ' /sys/fs/cgroup .* - cgroup2 ' <<<"$output"

	run rt features
	[ "$status" -eq 0 ]
	jq -e '.linux.cgroup.v2 == true' <<<"$output"

	CGP=/cabin-v2-$ID
	cg_bundle "$CGP" sleep 100
	start_detached
	run rt state "$ID"
	[ "$status" -eq 0 ]
	jq -e --arg id "$ID" --argjson pid "$pid" \
		'.id == $id and .status == "running" and .pid == $pid' <<<"$output"
	run rt list
	[ "$status" -eq 0 ]
	grep -q "$ID .*running" <<<"$output"
	if ! is_runc; then
		jq -e '.cgroup.layout == "v2"' "$ROOT/$ID/state.json"
		jq -e '[.cgroup.hierarchies[] | .mount] == ["/sys/fs/cgroup"]' "$ROOT/$ID/state.json"
	fi
	remove_container
	assert_no_cgroup_left_anywhere "$CGP"
}

@test "v2 layout: the container is in the cgroup2 hierarchy at cgroupsPath and not in v1" {
	CGP=/cabin-v2-$ID
	cg_bundle "$CGP" sleep 100
	start_detached
	local d c
	d=$(unified_dir "$CGP")
	[ -d "$d" ]
	grep -qx "$pid" "$d/cgroup.procs"
	[ "$(proc_cgroup "$pid" unified)" = "$CGP" ]
	# The v1 hierarchies were hidden from the runtime: the process stays
	# where its caller is, and nothing is made there.
	for c in $(cgroup_v1_controllers); do
		[ "$(proc_cgroup "$pid" "$c")" = "$(own_cgroup "$c")" ] || {
			echo "$c: $(proc_cgroup "$pid" "$c"), caller $(own_cgroup "$c")" >&2
			return 1
		}
		[ ! -e "$(cgroup_dir "$c" "$CGP")" ]
	done

	run rt ps --format json "$ID"
	[ "$status" -eq 0 ]
	jq -e --argjson p "$pid" '. == [$p]' <<<"$output"

	remove_container
	[ ! -e "$d" ]
	assert_no_cgroup_left_anywhere "$CGP"
}

@test "v2 layout: delete removes the cgroup, also of a running container (--force)" {
	CGP=/cabin-v2-$ID/nested
	cg_bundle "$CGP" sleep 100
	start_detached
	local d
	d=$(unified_dir "$CGP")
	[ -d "$d" ]
	run rt delete --force "$ID"
	[ "$status" -eq 0 ]
	wait_for_exit "$pid"
	run rt state "$ID"
	[ "$status" -ne 0 ]
	[ ! -e "$d" ]
	# A parent the runtime made may stay (runc leaves it); remove it here.
	rmdir "$(unified_dir "/cabin-v2-$ID")" 2>/dev/null || true
	assert_no_cgroup_left_anywhere "$CGP"
}

counter_bundle() {
	CGP=/cabin-v2-$ID
	cg_bundle "$CGP" sh -c 'i=0; while :; do i=$((i + 1)); echo $i >/shared/count.new; mv /shared/count.new /shared/count; sleep 0.02; done'
}

@test "v2 layout: pause and resume through cgroup.freeze" {
	counter_bundle
	start_detached
	wait_for_file "$HOSTDIR/count"
	local d
	d=$(unified_dir "$CGP")

	run rt pause "$ID"
	[ "$status" -eq 0 ]
	[ "$(state_field "$ID" status)" = paused ]
	[ "$(cat "$d/cgroup.freeze")" = 1 ]
	grep -qx 'frozen 1' "$d/cgroup.events"
	local a b
	a=$(count)
	sleep 0.3
	b=$(count)
	[ "$a" = "$b" ]
	# Not through a v1 freezer.
	if [ -n "$(cgroup_mount freezer)" ]; then
		[ ! -e "$(cgroup_dir freezer "$CGP")" ]
	fi

	run rt resume "$ID"
	[ "$status" -eq 0 ]
	[ "$(state_field "$ID" status)" = running ]
	[ "$(cat "$d/cgroup.freeze")" = 0 ]
	grep -qx 'frozen 0' "$d/cgroup.events"
	counts_past "$b"

	remove_container
	assert_no_cgroup_left_anywhere "$CGP"
}

@test "v2 layout: kill --all KILL reaches a child in its own session and one in a sub-cgroup" {
	CGP=/cabin-v2-$ID
	cg_bundle "$CGP" sh -c 'setsid sh -c "echo \$\$ >/shared/child; exec sleep 100" & sleep 100 & echo $! >/shared/sub; wait'
	drop_namespace pid # so that the pids in /shared are host pids
	start_detached
	wait_for_file "$HOSTDIR/child"
	wait_for_file "$HOSTDIR/sub"
	local child sub d
	child=$(cat "$HOSTDIR/child")
	sub=$(cat "$HOSTDIR/sub")
	d=$(unified_dir "$CGP")
	sleep 0.1
	pid_alive "$child"
	[ "$(awk '{print $6}' "/proc/$child/stat")" = "$child" ]
	[ "$(proc_cgroup "$child" unified)" = "$CGP" ]
	# As a container managing its own cgroups would.
	cgroup_sub "$d" "$sub"
	[ "$(proc_cgroup "$sub" unified)" = "$CGP/sub" ]

	run rt kill --all "$ID" KILL
	[ "$status" -eq 0 ]
	wait_for_exit "$child"
	wait_for_exit "$pid"
	wait_for_exit "$sub" 3 || {
		echo "kill --all did not reach pid $sub in $CGP/sub" >&2
		return 1
	}
	wait_for_status "$ID" stopped
	rmdir "$d/sub"
	run rt delete "$ID"
	[ "$status" -eq 0 ]
	assert_no_cgroup_left_anywhere "$CGP"
}

@test "v2 layout: kill --all with a caught signal reaches every process and leaves them thawed" {
	CGP=/cabin-v2-$ID
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
	local i d
	for i in $(seq 40); do
		[ "$(sort -u "$HOSTDIR/usr1" 2>/dev/null | wc -l)" = 2 ] && break
		sleep 0.05
	done
	cat "$HOSTDIR/usr1"
	grep -qx init "$HOSTDIR/usr1"
	grep -qx child "$HOSTDIR/usr1"
	d=$(unified_dir "$CGP")
	[ "$(state_field "$ID" status)" = running ]
	[ "$(cat "$d/cgroup.freeze")" = 0 ]
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

@test "v2 layout: delete removes a sub-cgroup made below the container's" {
	CGP=/cabin-v2-$ID
	cg_bundle "$CGP" sh -c 'sleep 100 & wait'
	start_detached
	local d i child=
	d=$(unified_dir "$CGP")
	for i in $(seq 40); do
		child=$(grep -vx "$pid" "$d/cgroup.procs") && break
		sleep 0.05
	done
	[ -n "$child" ]
	cgroup_sub "$d" "$child"
	remove_container
	wait_for_exit "$child"
	assert_no_cgroup_left_anywhere "$CGP"
}

@test "v2 layout: a memory limit is refused naming memory.max (no memory controller) and leaves nothing behind" {
	grep -qw memory "$(unified_dir /)/cgroup.controllers" &&
		skip "this host's cgroup2 has the memory controller"
	CGP=/cabin-v2-$ID
	cg_bundle "$CGP" true
	resources '.memory = {"limit": 33554432}'
	failed_create 'memory\.max'
}

@test "v2 layout: unified keys are written to the container's cgroup" {
	CGP=/cabin-v2-$ID
	cg_bundle "$CGP" sleep 100
	resources '.unified = {"cgroup.max.descendants": "5", "cgroup.max.depth": "2"}'
	start_detached
	local d
	d=$(unified_dir "$CGP")
	[ "$(cat "$d/cgroup.max.descendants")" = 5 ]
	[ "$(cat "$d/cgroup.max.depth")" = 2 ]
	remove_container
	assert_no_cgroup_left_anywhere "$CGP"
}

@test "v2 layout: a unified key of a missing controller is refused naming it and leaves nothing behind" {
	grep -qw memory "$(unified_dir /)/cgroup.controllers" &&
		skip "this host's cgroup2 has the memory controller"
	CGP=/cabin-v2-$ID
	cg_bundle "$CGP" true
	resources '.unified = {"memory.high": "33554432"}'
	failed_create 'memory\.high'
}

@test "v2 layout: hugepageLimits reach hugetlb.<size>.max" {
	grep -qw hugetlb "$(unified_dir /)/cgroup.controllers" ||
		skip "no hugetlb controller in this host's cgroup2"
	[ -e "$(unified_dir /)/cgroup.subtree_control" ]
	CGP=/cabin-v2-$ID
	cg_bundle "$CGP" sleep 100
	resources '.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
	start_detached
	local d
	d=$(unified_dir "$CGP")
	[ -e "$d/hugetlb.2MB.max" ] || {
		remove_container
		skip "no 2MB huge pages"
	}
	[ "$(cat "$d/hugetlb.2MB.max")" = 4194304 ]
	remove_container
	assert_no_cgroup_left_anywhere "$CGP"
}

# ---------------------------------------------------------------------------
# devices: on cgroup v2, a BPF_PROG_TYPE_CGROUP_DEVICE program

# add_cap CAP: into bounding, effective and permitted.
add_cap() {
	update_config '.process.capabilities.bounding += [$c] | .process.capabilities.effective += [$c] | .process.capabilities.permitted += [$c]' --arg c "$1"
}

@test "v2 layout: devices: the default deny-all allows the standard devices only" {
	local disk
	disk=$(openable_block_device) || skip "no block device the host can open"
	CGP=/cabin-v2-$ID
	cg_bundle "$CGP" sh -c "
		head -c1 /dev/null && echo null-ok
		mknod /dev/mynull c 1 3 && head -c1 /dev/mynull && echo mynull-ok
		mknod /dev/cabindisk b ${disk%:*} ${disk#*:} && echo mknod-ok
		if head -c1 /dev/cabindisk >/dev/null; then echo DISK-READ; else echo disk-denied; fi"
	add_cap CAP_MKNOD
	[ "$(jq -c '.linux.resources.devices' "$BUNDLE/config.json")" = '[{"allow":false,"access":"rwm"}]' ]
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	grep -qx null-ok <<<"$output"
	grep -qx mynull-ok <<<"$output"
	grep -qx mknod-ok <<<"$output"
	grep -qx disk-denied <<<"$output"
	grep -q 'cabindisk: Operation not permitted' <<<"$output"
	refute grep -q DISK-READ <<<"$output"
	assert_no_cgroup_left_anywhere "$CGP"
}

@test "v2 layout: devices: an allow rule for the block device makes it openable" {
	local disk
	disk=$(openable_block_device) || skip "no block device the host can open"
	CGP=/cabin-v2-$ID
	cg_bundle "$CGP" sh -c "
		mknod /dev/cabindisk b ${disk%:*} ${disk#*:} && head -c1 /dev/cabindisk >/dev/null && echo disk-read"
	add_cap CAP_MKNOD
	resources '.devices += [{"allow": true, "type": "b", "major": $ma, "minor": $mi, "access": "rw"}]' \
		--argjson ma "${disk%:*}" --argjson mi "${disk#*:}"
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	grep -qx disk-read <<<"$output"
	assert_no_cgroup_left_anywhere "$CGP"
}

@test "v2 layout: devices: a read-only rule denies writing" {
	local disk
	disk=$(openable_block_device) || skip "no block device the host can open"
	CGP=/cabin-v2-$ID
	cg_bundle "$CGP" sh -c "
		mknod /dev/cabindisk b ${disk%:*} ${disk#*:} && head -c1 /dev/cabindisk >/dev/null && echo disk-read
		if echo x >/dev/cabindisk; then echo DISK-WRITTEN; else echo write-denied; fi"
	add_cap CAP_MKNOD
	resources '.devices += [{"allow": true, "type": "b", "major": $ma, "minor": $mi, "access": "r"}]' \
		--argjson ma "${disk%:*}" --argjson mi "${disk#*:}"
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	grep -qx disk-read <<<"$output"
	grep -qx write-denied <<<"$output"
	grep -q "can't create /dev/cabindisk: Operation not permitted" <<<"$output"
	refute grep -q DISK-WRITTEN <<<"$output"
	assert_no_cgroup_left_anywhere "$CGP"
}

# runc (and crun) restrict devices even when the spec lists no rules: deny
# everything but the default list.
@test "v2 layout: devices: no linux.resources.devices still denies an unlisted device" {
	local disk
	disk=$(openable_block_device) || skip "no block device the host can open"
	CGP=/cabin-v2-$ID
	cg_bundle "$CGP" sh -c "
		head -c1 /dev/null && echo null-ok
		mknod /dev/cabindisk b ${disk%:*} ${disk#*:} && echo mknod-ok
		if head -c1 /dev/cabindisk >/dev/null; then echo DISK-READ; else echo disk-denied; fi"
	add_cap CAP_MKNOD
	update_config 'del(.linux.resources.devices)'
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	grep -qx null-ok <<<"$output"
	grep -qx mknod-ok <<<"$output"
	grep -qx disk-denied <<<"$output"
	refute grep -q DISK-READ <<<"$output"
	assert_no_cgroup_left_anywhere "$CGP"
}
