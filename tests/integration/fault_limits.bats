#!/usr/bin/env bats
# Containers that hit their limits, detached (the monitor must record what
# happened): thousands of forks under --pids-limit, a fork bomb, and the
# OOM killer striking the container's init.  cabin_run_limits.bats checks
# the flags themselves in the foreground.

load fault_helpers

# host_cgroup ID CONTROLLER: the container's cgroup folder in that v1
# hierarchy.
host_cgroup() {
	find "/sys/fs/cgroup/$2" -maxdepth 4 -type d -name "$1" | head -1
}

@test "thousands of forks under --pids-limit 64: most refused, the limit holds, stop and rm clean all of them up" {
	import_busybox
	cabin create --name forker -e "$MARKER" --pids-limit 64 busybox /cabin-probe forks 3000 >/dev/null
	cabin cp "$(probe_bin)" forker:/cabin-probe
	cabin start forker >/dev/null
	id=$(cid forker)
	remember_ids
	wait_for log_has forker "forked="
	run_cabin logs forker
	# 63 children beside the probe itself; the other 2937 refused with EAGAIN
	[ "$output" = "forked=63 refused=2937 other=0" ]
	cg=$(host_cgroup "$id" pids)
	[ -n "$cg" ]
	[ "$(cat "$cg/pids.max")" = 64 ]
	[ "$(cat "$cg/pids.current")" -eq 64 ]
	# the container is full but fine
	[ "$(cstate forker Status)" = running ]
	# exec still gets in: its process is forked outside and moved in, and the
	# pids controller limits forks, not moves (as with runc)
	run_cabin exec forker sh -c 'echo in'
	[ "$output" = in ]
	# stop kills every one of them
	cabin stop -t 1 forker >/dev/null
	[ "$(cstate forker Status)" = exited ]
	[ -z "$(marker_pids)" ]
	cabin rm forker >/dev/null
	assert_nothing_left
}

@test "a fork bomb under --pids-limit 32: contained; rm -f removes it and every process" {
	import_busybox
	id=$(run_d --name bomb --pids-limit 32 busybox sh -c 'b() { b | b & }; b; sleep 1000')
	remember_ids
	cg=$(host_cgroup "$id" pids)
	# the bomb reaches the limit (the kernel counts each fork it refused in
	# pids.events) and never goes past it; it may die down after (its
	# shells exit when their forks fail), so its size now proves nothing
	wait_for sh -c "[ \$(awk '\$1 == \"max\" { print \$2 }' $cg/pids.events) -gt 0 ]"
	if [ -e "$cg/pids.peak" ]; then
		[ "$(cat "$cg/pids.peak")" -le 32 ]
	fi
	[ "$(cat "$cg/pids.current")" -le 32 ]
	run_cabin rm -f bomb
	[ "$status" -eq 0 ]
	assert_nothing_left
}

@test "the OOM killer strikes a detached container's init: exited 137, OOMKilled true, as the monitor recorded it" {
	import_busybox
	# the init alone allocates (a string doubling in sh): the OOM killer
	# has no other process to pick
	id=$(run_d --name oomd --memory 32m busybox sh -c \
		'echo filling; x=a; while :; do x=$x$x; done; echo survived')
	remember_ids
	wait_for is_status oomd exited
	[ "$(cstate oomd ExitCode)" = 137 ]
	[ "$(cstate oomd OOMKilled)" = true ]
	[ "$(cstate oomd FinishedAt)" != "0001-01-01T00:00:00Z" ]
	# it is the monitor's record that says so, not a guess
	jq -e '.status == "exited" and .exit_code == 137 and .oom_killed == true' \
		"$CROOT/containers/$id/state.json"
	run_cabin ps -a --format '{{.Status}}'
	[[ $output == "Exited (137)"* ]]
	run_cabin logs oomd
	[[ $output == *filling* && $output != *survived* ]]
	# started again, it is a new run: not marked until it is struck again
	cabin start oomd >/dev/null
	wait_for is_status oomd exited
	[ "$(cstate oomd OOMKilled)" = true ]
	cabin rm oomd >/dev/null
	assert_nothing_left
}

@test "OOM with --restart on-failure:2: restarted twice, each kill recorded, then exited 137" {
	import_busybox
	id=$(run_d --name oomr --memory 32m --restart on-failure:2 busybox sh -c \
		'x=a; while :; do x=$x$x; done')
	remember_ids
	wait_for sh -c "[ \"\$($CABIN --root $CROOT --runroot $CRUN inspect -f '{{.RestartCount}} {{.State.Status}}' oomr)\" = '2 exited' ]"
	[ "$(cstate oomr ExitCode)" = 137 ]
	[ "$(cstate oomr OOMKilled)" = true ]
	cabin rm oomr >/dev/null
	assert_nothing_left
}
