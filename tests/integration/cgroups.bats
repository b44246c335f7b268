#!/usr/bin/env bats
# cgroups: placement, linux.resources (memory, pids, cpu, cpuset, blockIO,
# devices), update, pause/resume, ps, events --stats, kill --all, and cleanup.
#
# Every test uses its own cgroupsPath containing $ID, checks that delete
# removes it, and teardown fails if any cgroup with $ID in its name is left
# under /sys/fs/cgroup (removing it).

load helpers

teardown() {
	cgroup_teardown
}

# cg_bundle CGPATH ARGS...: bundle with process.args=ARGS, linux.cgroupsPath
# CGPATH (none when empty) and $HOSTDIR bound at /shared.
cg_bundle() {
	local p=$1
	shift
	make_bundle "$@"
	bind_mount "$HOSTDIR" /shared
	if [ -n "$p" ]; then
		update_config '.linux.cgroupsPath = $p' --arg p "$p"
	fi
}

# start_detached: run -d $BUNDLE as $ID; sets $pid (host pid of init).
start_detached() {
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	pid=$(state_field "$ID" pid)
	[ "$pid" -gt 0 ]
}

# remove_container: kill and delete $ID; its process must be gone.
remove_container() {
	rt kill "$ID" KILL >/dev/null 2>&1 || true
	wait_for_status "$ID" stopped
	run rt delete "$ID"
	[ "$status" -eq 0 ]
	[ -z "${pid:-}" ] || wait_for_exit "$pid"
}

# resources FILTER [JQ-ARGS...]: edit .linux.resources.
resources() {
	local f=$1
	shift
	update_config ".linux.resources |= ($f)" "$@"
}

# ---------------------------------------------------------------------------
# placement

@test "cgroupsPath: the process is in it in every hierarchy; delete removes it" {
	CGP=/cabin-test-$ID
	cg_bundle "$CGP" sleep 100
	start_detached
	local c d
	for c in $(cgroup_v1_controllers); do
		[ "$(proc_cgroup "$pid" "$c")" = "$CGP" ] || {
			echo "$c: $(proc_cgroup "$pid" "$c"), wanted $CGP" >&2
			return 1
		}
		d=$(cgroup_dir "$c" "$CGP")
		[ -d "$d" ]
		grep -qx "$pid" "$d/cgroup.procs"
	done
	# At least memory, pids and cpu are there.
	[ "$(proc_cgroup "$pid" memory)" = "$CGP" ]
	[ "$(proc_cgroup "$pid" pids)" = "$CGP" ]
	[ "$(proc_cgroup "$pid" cpu)" = "$CGP" ]

	remove_container
	for c in $(cgroup_v1_controllers); do
		[ ! -e "$(cgroup_dir "$c" "$CGP")" ]
	done
	assert_no_cgroup_left "$CGP"
}

@test "no cgroupsPath: the container still gets its own cgroup, removed by delete" {
	cg_bundle "" sleep 100
	update_config 'del(.linux.cgroupsPath)'
	start_detached
	local c cg own dirs=()
	for c in memory pids cpu; do
		cg=$(proc_cgroup "$pid" "$c")
		own=$(own_cgroup "$c")
		echo "$c: container $cg, runtime $own"
		[ "$cg" != / ]
		[ "$cg" != "$own" ]
		dirs+=("$(cgroup_dir "$c" "$cg")")
	done
	for d in "${dirs[@]}"; do
		[ -d "$d" ]
	done
	remove_container
	for d in "${dirs[@]}"; do
		[ ! -e "$d" ] || {
			echo "left behind: $d" >&2
			return 1
		}
	done
}

@test "relative cgroupsPath lands below the runtime's own cgroup" {
	CGP=cabin-test-rel-$ID
	cg_bundle "$CGP" sleep 100
	start_detached
	local c want
	for c in $(cgroup_v1_controllers); do
		want=$(expected_cgroup "$CGP" "$c")
		[ "$(proc_cgroup "$pid" "$c")" = "$want" ] || {
			echo "$c: $(proc_cgroup "$pid" "$c"), wanted $want" >&2
			return 1
		}
		[ -d "$(cgroup_dir "$c" "$want")" ]
	done
	remove_container
	assert_no_cgroup_left "$CGP"
}

@test "missing parent cgroups are created" {
	CGP=/cabin-parent-$ID/child
	cg_bundle "$CGP" sleep 100
	start_detached
	local c
	for c in $(cgroup_v1_controllers); do
		[ "$(proc_cgroup "$pid" "$c")" = "$CGP" ]
		[ -d "$(cgroup_dir "$c" "/cabin-parent-$ID")" ]
	done
	remove_container
	for c in $(cgroup_v1_controllers); do
		[ ! -e "$(cgroup_dir "$c" "$CGP")" ]
	done
	# The created parent may stay (runc leaves it, in every hierarchy including
	# name=systemd and cgroup2), so remove it here.
	find /sys/fs/cgroup -mindepth 2 -depth -type d -name "cabin-parent-$ID" -exec rmdir {} + 2>/dev/null || true
	assert_no_cgroup_left "$CGP"
}

@test "an existing cgroup is joined" {
	CGP=/cabin-test-$ID
	local c
	for c in $(cgroup_v1_controllers); do
		mkdir "$(cgroup_dir "$c" "$CGP")"
	done
	cg_bundle "$CGP" sleep 100
	start_detached
	for c in $(cgroup_v1_controllers); do
		[ "$(proc_cgroup "$pid" "$c")" = "$CGP" ]
		grep -qx "$pid" "$(cgroup_dir "$c" "$CGP")/cgroup.procs"
	done
	remove_container
	# Pre-existing cgroups may be kept by delete; remove them here.
	find /sys/fs/cgroup -mindepth 2 -depth -type d -name "cabin-test-$ID" -exec rmdir {} + 2>/dev/null || true
	assert_no_cgroup_left "$CGP"
}

# ---------------------------------------------------------------------------
# memory

@test "memory: limit, swap, reservation and swappiness reach the host files" {
	CGP=/cabin-test-$ID
	cg_bundle "$CGP" sleep 100
	resources '.memory = {"limit": 33554432, "swap": 33554432, "reservation": 16777216, "swappiness": 10}'
	start_detached
	[ "$(cg_read "$pid" memory memory.limit_in_bytes)" = 33554432 ]
	[ "$(cg_read "$pid" memory memory.soft_limit_in_bytes)" = 16777216 ]
	[ "$(cg_read "$pid" memory memory.swappiness)" = 10 ]
	if [ -e "$(pid_cgroup_dir "$pid" memory)/memory.memsw.limit_in_bytes" ]; then
		# v1 memory.swap is memory+swap: equal to the limit means no swap.
		[ "$(cg_read "$pid" memory memory.memsw.limit_in_bytes)" = 33554432 ]
	fi
	remove_container
	assert_no_cgroup_left "$CGP"
}

@test "memory: a process exceeding the limit is OOM-killed (exit 137)" {
	CGP=/cabin-test-$ID
	# tail (the container's init) buffers /dev/zero forever looking for a
	# newline.
	cg_bundle "$CGP" tail /dev/zero
	resources '.memory = {"limit": 33554432, "swap": 33554432}'
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 137 ]
	assert_no_cgroup_left "$CGP"
}

@test "memory: the OOM kill is counted in the container's cgroup" {
	CGP=/cabin-test-$ID
	cg_bundle "$CGP" sh -c 'x=$(head -c 100000000 /dev/zero | tr "\0" a); echo survived'
	resources '.memory = {"limit": 33554432, "swap": 33554432}'
	start_detached
	local d
	d=$(pid_cgroup_dir "$pid" memory)
	wait_for_status "$ID" stopped 20
	refute grep -q survived "$TMP"/rt-out.*
	grep -E '^oom_kill [1-9]' "$d/memory.oom_control"
	[ "$(cat "$d/memory.max_usage_in_bytes")" -gt 16777216 ]
	run rt delete "$ID"
	[ "$status" -eq 0 ]
	assert_no_cgroup_left "$CGP"
}

@test "events: an OOM kill inside a running container is reported as an oom event" {
	CGP=/cabin-test-$ID
	# The init survives; a child of it is OOM-killed once /shared/go appears.
	cg_bundle "$CGP" sh -c 'while [ ! -e /shared/go ]; do sleep 0.05; done; tail /dev/zero; touch /shared/after; sleep 100'
	resources '.memory = {"limit": 33554432, "swap": 33554432}'
	start_detached
	rt events --interval 100ms "$ID" >"$TMP/events.out" 2>&1 &
	local ev=$!
	# its first sample is the baseline: an OOM kill before it is not news
	for _ in $(seq 200); do
		grep -q '"type":"stats"' "$TMP/events.out" && break
		sleep 0.05
	done
	touch "$HOSTDIR/go"
	wait_for_file "$HOSTDIR/after"
	for _ in $(seq 50); do
		grep -q '"type":"oom"' "$TMP/events.out" && break
		sleep 0.1
	done
	kill "$ev" 2>/dev/null || true
	wait "$ev" 2>/dev/null || true
	grep -q '"type":"stats"' "$TMP/events.out"
	grep -q "\"type\":\"oom\",\"id\":\"$ID\"" "$TMP/events.out"
	remove_container
	assert_no_cgroup_left "$CGP"
}

@test "--systemd-cgroup without systemd as PID 1 fails and says why" {
	# cabin-specific: runc falls back or fails differently.
	[ "$(basename "$CABIN_RUNTIME")" = runc ] && skip "cabin-specific"
	[ -d /run/systemd/system ] && skip "systemd is PID 1 here"
	run rt --systemd-cgroup list
	[ "$status" -ne 0 ]
	[[ "$output" == *"systemd is not PID 1"* ]]
}

# ---------------------------------------------------------------------------
# pids

@test "pids: limit reaches pids.max and a fork loop cannot exceed it" {
	CGP=/cabin-test-$ID
	cg_bundle "$CGP" sh -c '(for i in $(seq 50); do sleep 100 & done) 2>/shared/err; touch /shared/done; sleep 100'
	resources '.pids = {"limit": 20}'
	start_detached
	[ "$(cg_read "$pid" pids pids.max)" = 20 ]
	wait_for_file "$HOSTDIR/done"
	local n cur
	n=$(wc -l <"$(pid_cgroup_dir "$pid" pids)/cgroup.procs")
	cur=$(cg_read "$pid" pids pids.current)
	echo "procs $n, pids.current $cur"
	[ "$n" -le 20 ]
	[ "$n" -ge 10 ] # it did fork up to (nearly) the limit
	[ "$cur" -le 20 ]
	# The shell saw fork fail.
	cat "$HOSTDIR/err"
	grep -qi 'fork' "$HOSTDIR/err"
	[ "$(cut -d' ' -f2 <<<"$(grep '^max ' "$(pid_cgroup_dir "$pid" pids)/pids.events")")" -gt 0 ]
	remove_container
	assert_no_cgroup_left "$CGP"
}

# ---------------------------------------------------------------------------
# cpu, cpuset

@test "cpu: shares, quota and period reach the host; a busy loop is throttled" {
	CGP=/cabin-test-$ID
	cg_bundle "$CGP" sh -c 'while :; do :; done'
	resources '.cpu = {"shares": 512, "quota": 20000, "period": 100000}'
	start_detached
	[ "$(cg_read "$pid" cpu cpu.shares)" = 512 ]
	[ "$(cg_read "$pid" cpu cpu.cfs_quota_us)" = 20000 ]
	[ "$(cg_read "$pid" cpu cpu.cfs_period_us)" = 100000 ]
	throttled() { cg_read "$pid" cpu cpu.stat | awk '$1 == "nr_throttled" {print $2}'; }
	for _ in $(seq 100); do
		[ "$(throttled)" -gt 0 ] && break
		sleep 0.1
	done
	cg_read "$pid" cpu cpu.stat
	[ "$(throttled)" -gt 0 ]
	remove_container
	assert_no_cgroup_left "$CGP"
}

@test "cpuset: cpus and mems reach the host and confine the process" {
	CGP=/cabin-test-$ID
	cg_bundle "$CGP" sleep 100
	resources '.cpu = {"cpus": "0", "mems": "0"}'
	start_detached
	[ "$(cg_read "$pid" cpuset cpuset.cpus)" = 0 ]
	[ "$(cg_read "$pid" cpuset cpuset.mems)" = 0 ]
	[ "$(awk '/^Cpus_allowed_list:/ {print $2}' "/proc/$pid/status")" = 0 ]
	[ "$(awk '/^Mems_allowed_list:/ {print $2}' "/proc/$pid/status")" = 0 ]
	remove_container
	assert_no_cgroup_left "$CGP"
}

# ---------------------------------------------------------------------------
# blkio

@test "blockIO: weight reaches blkio.weight or blkio.bfq.weight" {
	CGP=/cabin-test-$ID
	cg_bundle "$CGP" sleep 100
	resources '.blockIO = {"weight": 300}'
	start_detached
	local d f=
	d=$(pid_cgroup_dir "$pid" blkio)
	if [ -e "$d/blkio.weight" ]; then
		f=blkio.weight
	elif [ -e "$d/blkio.bfq.weight" ]; then
		f=blkio.bfq.weight
	fi
	if [ -z "$f" ]; then
		remove_container
		skip "no blkio.weight or blkio.bfq.weight"
	fi
	cat "$d/$f"
	# v1 prints "300"; some kernels print "default 300".
	grep -qE '^(default )?300$' "$d/$f"
	remove_container
	assert_no_cgroup_left "$CGP"
}

@test "blockIO: throttle read bps on the root disk" {
	local disk
	disk=$(root_disk) || skip "no block device"
	CGP=/cabin-test-$ID
	cg_bundle "$CGP" sleep 100
	resources '.blockIO = {"throttleReadBpsDevice": [{"major": $ma, "minor": $mi, "rate": 1048576}], "throttleWriteIOPSDevice": [{"major": $ma, "minor": $mi, "rate": 100}]}' \
		--argjson ma "${disk%:*}" --argjson mi "${disk#*:}"
	start_detached
	cg_read "$pid" blkio blkio.throttle.read_bps_device
	cg_read "$pid" blkio blkio.throttle.read_bps_device | grep -qx "$disk 1048576"
	cg_read "$pid" blkio blkio.throttle.write_iops_device | grep -qx "$disk 100"
	remove_container
	assert_no_cgroup_left "$CGP"
}

# ---------------------------------------------------------------------------
# devices

# add_cap CAP: into bounding, effective and permitted.
add_cap() {
	update_config '.process.capabilities.bounding += [$c] | .process.capabilities.effective += [$c] | .process.capabilities.permitted += [$c]' --arg c "$1"
}

@test "devices: default deny-all plus the default allow list" {
	local disk
	disk=$(openable_block_device) || skip "no block device the host can open"
	CGP=/cabin-test-$ID
	cg_bundle "$CGP" sh -c "
		head -c1 /dev/null && echo null-ok
		mknod /dev/mynull c 1 3 && head -c1 /dev/mynull && echo mynull-ok
		mknod /dev/cabindisk b ${disk%:*} ${disk#*:} && echo mknod-ok
		if head -c1 /dev/cabindisk >/dev/null; then echo DISK-READ; else echo disk-denied; fi
		touch /shared/done; sleep 100"
	add_cap CAP_MKNOD
	# The spec's default: deny everything.
	[ "$(jq -c '.linux.resources.devices' "$BUNDLE/config.json")" = '[{"allow":false,"access":"rwm"}]' ]
	start_detached
	wait_for_file "$HOSTDIR/done"
	cat "$TMP"/rt-out.*
	grep -qx null-ok "$TMP"/rt-out.*
	# An allowed device node made inside works (so the fs allows devices)...
	grep -qx mynull-ok "$TMP"/rt-out.*
	# ...mknod of any device is allowed (runc's default "b *:* m")...
	grep -qx mknod-ok "$TMP"/rt-out.*
	# ...but opening a device not on the list is denied.
	grep -qx disk-denied "$TMP"/rt-out.*
	grep -q 'cabindisk: Operation not permitted' "$TMP"/rt-out.*
	refute grep -q DISK-READ "$TMP"/rt-out.*

	local list
	list=$(cg_read "$pid" devices devices.list)
	echo "$list"
	refute grep -qx 'a \*:\* rwm' <<<"$list"
	grep -qx 'c 1:3 rwm' <<<"$list"
	grep -qx 'c 1:5 rwm' <<<"$list"
	refute grep -qx "b $disk .*" <<<"$list"
	remove_container
	assert_no_cgroup_left "$CGP"
}

@test "devices: an allow rule in linux.resources.devices grants access" {
	local disk
	disk=$(openable_block_device) || skip "no block device the host can open"
	CGP=/cabin-test-$ID
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
	# Denied by the cgroup, not failing for another reason.
	grep -q "can't create /dev/cabindisk: Operation not permitted" <<<"$output"
	refute grep -q DISK-WRITTEN <<<"$output"
	assert_no_cgroup_left "$CGP"
}

# ---------------------------------------------------------------------------
# update

@test "update: memory limit raised and lowered (flags and --resources -), pids limit" {
	CGP=/cabin-test-$ID
	cg_bundle "$CGP" sleep 100
	resources '.memory = {"limit": 33554432} | .pids = {"limit": 20}'
	start_detached
	[ "$(cg_read "$pid" memory memory.limit_in_bytes)" = 33554432 ]

	run rt update --memory 67108864 "$ID"
	[ "$status" -eq 0 ]
	[ "$(cg_read "$pid" memory memory.limit_in_bytes)" = 67108864 ]

	run rt update --memory 50331648 --pids-limit 25 "$ID"
	[ "$status" -eq 0 ]
	[ "$(cg_read "$pid" memory memory.limit_in_bytes)" = 50331648 ]
	[ "$(cg_read "$pid" pids pids.max)" = 25 ]

	# JSON on stdin, as containerd does.
	run rt_stdin update --resources - "$ID" <<<'{"memory": {"limit": 41943040}, "pids": {"limit": 30}}'
	[ "$status" -eq 0 ]
	[ "$(cg_read "$pid" memory memory.limit_in_bytes)" = 41943040 ]
	[ "$(cg_read "$pid" pids pids.max)" = 30 ]

	# JSON from a file.
	echo '{"memory": {"limit": 100663296}}' >"$TMP/res.json"
	run rt update --resources "$TMP/res.json" "$ID"
	[ "$status" -eq 0 ]
	[ "$(cg_read "$pid" memory memory.limit_in_bytes)" = 100663296 ]
	# Not mentioned: unchanged.
	[ "$(cg_read "$pid" pids pids.max)" = 30 ]

	remove_container
	assert_no_cgroup_left "$CGP"
}

@test "update: cpu shares, quota, period and cpuset" {
	CGP=/cabin-test-$ID
	cg_bundle "$CGP" sleep 100
	start_detached
	# runc 1.1 spells the shares flag --cpu-share (singular).
	run rt update --cpu-share 256 --cpu-period 50000 --cpu-quota 10000 --cpuset-cpus 0 --cpuset-mems 0 "$ID"
	[ "$status" -eq 0 ]
	[ "$(cg_read "$pid" cpu cpu.shares)" = 256 ]
	[ "$(cg_read "$pid" cpu cpu.cfs_period_us)" = 50000 ]
	[ "$(cg_read "$pid" cpu cpu.cfs_quota_us)" = 10000 ]
	[ "$(cg_read "$pid" cpuset cpuset.cpus)" = 0 ]
	[ "$(cg_read "$pid" cpuset cpuset.mems)" = 0 ]
	run rt_stdin update --resources - "$ID" <<<'{"cpu": {"shares": 128, "quota": 25000}}'
	[ "$status" -eq 0 ]
	[ "$(cg_read "$pid" cpu cpu.shares)" = 128 ]
	[ "$(cg_read "$pid" cpu cpu.cfs_quota_us)" = 25000 ]
	[ "$(cg_read "$pid" cpu cpu.cfs_period_us)" = 50000 ]
	remove_container
	assert_no_cgroup_left "$CGP"
}

@test "update: an unknown container is an error" {
	mkdir -p "$ROOT"
	run rt update --memory 67108864 "no-such-$ID"
	[ "$status" -ne 0 ]
	grep -qF "no-such-$ID" <<<"$output" || grep -qi 'not exist\|not found\|no such' <<<"$output"
}

# ---------------------------------------------------------------------------
# pause / resume

counter_bundle() {
	CGP=/cabin-test-$ID
	cg_bundle "$CGP" sh -c 'i=0; while :; do i=$((i + 1)); echo $i >/shared/count.new; mv /shared/count.new /shared/count; sleep 0.02; done'
}

@test "pause and resume: state, freezer.state, the process stops and continues" {
	counter_bundle
	start_detached
	wait_for_file "$HOSTDIR/count"

	run rt pause "$ID"
	[ "$status" -eq 0 ]
	[ "$(state_field "$ID" status)" = paused ]
	if [ -n "$(cgroup_mount freezer)" ]; then
		[ "$(cg_read "$pid" freezer freezer.state)" = FROZEN ]
	fi
	local a b
	a=$(count)
	sleep 0.3
	b=$(count)
	[ "$a" = "$b" ]

	run rt resume "$ID"
	[ "$status" -eq 0 ]
	[ "$(state_field "$ID" status)" = running ]
	if [ -n "$(cgroup_mount freezer)" ]; then
		[ "$(cg_read "$pid" freezer freezer.state)" = THAWED ]
	fi
	counts_past "$b"

	remove_container
	assert_no_cgroup_left "$CGP"
}

@test "pause: kill KILL of a paused container stops it" {
	counter_bundle
	start_detached
	wait_for_file "$HOSTDIR/count"
	run rt pause "$ID"
	[ "$status" -eq 0 ]
	[ "$(state_field "$ID" status)" = paused ]
	run rt kill "$ID" KILL
	[ "$status" -eq 0 ]
	wait_for_exit "$pid"
	wait_for_status "$ID" stopped
	run rt delete "$ID"
	[ "$status" -eq 0 ]
	assert_no_cgroup_left "$CGP"
}

@test "pause: delete --force of a paused container" {
	counter_bundle
	start_detached
	wait_for_file "$HOSTDIR/count"
	run rt pause "$ID"
	[ "$status" -eq 0 ]
	run rt delete --force "$ID"
	[ "$status" -eq 0 ]
	wait_for_exit "$pid"
	run rt state "$ID"
	[ "$status" -ne 0 ]
	[ -z "$(marker_pids)" ]
	assert_no_cgroup_left "$CGP"
}

# ---------------------------------------------------------------------------
# ps, events

@test "ps: json lists the container's host pids, table has a PID header" {
	CGP=/cabin-test-$ID
	cg_bundle "$CGP" sh -c 'sleep 100 & echo $! >/shared/child; wait'
	drop_namespace pid # so that /shared/child is a host pid
	start_detached
	wait_for_file "$HOSTDIR/child"
	local child
	child=$(cat "$HOSTDIR/child")

	run rt ps --format json "$ID"
	[ "$status" -eq 0 ]
	jq -e 'type == "array"' <<<"$output"
	jq -e --argjson p "$pid" 'index($p) != null' <<<"$output"
	jq -e --argjson p "$child" 'index($p) != null' <<<"$output"
	[ "$(jq length <<<"$output")" -eq 2 ]

	run rt ps "$ID"
	[ "$status" -eq 0 ]
	grep -qw PID <<<"${lines[0]}"
	grep -qw "$pid" <<<"$output"

	remove_container
	assert_no_cgroup_left "$CGP"
}

@test "events --stats: JSON with cpu, memory and pids figures" {
	CGP=/cabin-test-$ID
	cg_bundle "$CGP" sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done; sleep 100 & touch /shared/ready; wait'
	resources '.memory = {"limit": 67108864}'
	start_detached
	wait_for_file "$HOSTDIR/ready"
	run rt events --stats "$ID"
	[ "$status" -eq 0 ]
	echo "$output" | jq .
	[ "$(jq -r .type <<<"$output")" = stats ]
	[ "$(jq -r .id <<<"$output")" = "$ID" ]
	jq -e '.data.memory.usage.usage > 0' <<<"$output"
	jq -e '.data.memory.usage.limit == 67108864' <<<"$output"
	jq -e '.data.pids.current >= 2' <<<"$output"
	jq -e '.data.cpu.usage.total > 0' <<<"$output"
	remove_container
	assert_no_cgroup_left "$CGP"
}

# ---------------------------------------------------------------------------
# kill --all

@test "kill --all: reaches a child that escaped to its own session (no pid ns)" {
	CGP=/cabin-test-$ID
	cg_bundle "$CGP" sh -c 'setsid sh -c "echo \$\$ >/shared/child; exec sleep 100" & sleep 100'
	drop_namespace pid
	start_detached
	wait_for_file "$HOSTDIR/child"
	local child
	child=$(cat "$HOSTDIR/child")
	sleep 0.1
	pid_alive "$child"
	# Its own session, but in the container's cgroup.
	[ "$(awk '{print $6}' "/proc/$child/stat")" = "$child" ]
	[ "$(proc_cgroup "$child" memory)" = "$CGP" ]

	run rt kill --all "$ID" KILL
	[ "$status" -eq 0 ]
	wait_for_exit "$child"
	wait_for_exit "$pid"
	wait_for_status "$ID" stopped
	run rt delete "$ID"
	[ "$status" -eq 0 ]
	assert_no_cgroup_left "$CGP"
}

# ---------------------------------------------------------------------------
# failed create

# failed_create WORDS...: create must fail mentioning one of WORDS (regex
# alternatives) and leave no state, process or cgroup behind.
failed_create() {
	mkdir -p "$ROOT"
	run_rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	grep -qiE "$1" <<<"$output" || {
		echo "error does not mention $1" >&2
		return 1
	}
	[ -z "$(ls -A "$ROOT" | grep -F "$ID")" ]
	local i
	for i in $(seq 40); do
		[ -z "$(marker_pids)" ] && break
		sleep 0.05
	done
	[ -z "$(marker_pids)" ]
	assert_no_cgroup_left "$CGP"
}

@test "failed create: a too small memory limit leaves no cgroup behind" {
	CGP=/cabin-test-$ID
	cg_bundle "$CGP" true
	resources '.memory = {"limit": 1}'
	failed_create 'memory'
}

@test "failed create: an invalid cpuset leaves no cgroup behind" {
	CGP=/cabin-test-$ID
	cg_bundle "$CGP" true
	resources '.cpu = {"cpus": "99999"}'
	failed_create 'cpuset|cpus'
}

@test "hugetlb: hugepageLimits reach the hugetlb controller, v1 or (hybrid) cgroup2" {
	cabin_only # runc 1.1.5: "cannot set hugetlb limit" when hugetlb is on the cgroup2 side
	CGP=/cabin-test-$ID
	local v1=/sys/fs/cgroup/hugetlb u=/sys/fs/cgroup/unified
	if [ -e "$v1/hugetlb.2MB.limit_in_bytes" ]; then
		file=$v1$CGP/hugetlb.2MB.limit_in_bytes
	elif grep -qw hugetlb "$u/cgroup.controllers" 2>/dev/null && [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ]; then
		file=$u$CGP/hugetlb.2MB.max
	else
		skip "no hugetlb controller for 2MB pages on this host"
	fi
	cg_bundle "$CGP" sleep 100
	resources '.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
	start_detached
	[ "$(cat "$file")" = 4194304 ]
	remove_container
	assert_no_cgroup_left "$CGP"
}

@test "a runtime killed during create leaves a container that delete cleans up" {
	cabin_only # runc's state dir is written only after its init is set up
	CGP=/cabin-test-$ID
	cg_bundle "$CGP" true
	printf '#!/bin/sh\ntouch %s/hook-started\nsleep 20\n' "$HOSTDIR" >"$TMP/slow.sh"
	chmod +x "$TMP/slow.sh"
	update_config '.hooks.createRuntime = [{"path": $p}]' --arg p "$TMP/slow.sh"
	rt create --bundle "$BUNDLE" "$ID" >/dev/null 2>&1 &
	local rtpid=$!
	wait_for_file "$HOSTDIR/hook-started"
	# The runtime itself (the sealed copy it re-executed as keeps its pid),
	# not rt's timeout wrapper.
	pkill -9 -f -- "create --bundle $BUNDLE $ID" || true
	wait "$rtpid" 2>/dev/null || true
	pkill -9 -f "$TMP/slow.sh" || true
	run rt state "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"status": "creating"'* ]]
	run rt delete "$ID"
	[ "$status" -eq 0 ]
	run rt state "$ID"
	[ "$status" -ne 0 ]
	assert_no_cgroup_left "$CGP"
}
