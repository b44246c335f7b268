#!/usr/bin/env bats
# The per-container monitor and the state it keeps, when things go wrong:
# cabin killed with -9 at any point of run, stop and rm; the monitor
# killed; the host restarted (simulated: every process of the container
# killed, its mount and cgroups gone, the run root emptied).  ps -a,
# inspect and rm must handle each: stopped, not lost; nothing left after rm.

load cabin_helpers

rm_ones_settled() {
	[ -z "$(cabin ps --filter label=rm=yes -q)" ] &&
		[ -z "$(cabin ps -a --filter label=rm=yes --filter status=exited -q)" ]
}

# Everything listed can be inspected and removed, and then nothing is left.
check_all_removable() {
	local id ids
	run_cabin ps -a --no-trunc -q
	[ "$status" -eq 0 ]
	ids=$output
	for id in $ids; do
		cabin inspect -f '{{.State.Status}}' "$id" >/dev/null
	done
	[ -z "$ids" ] || cabin rm -f $ids >/dev/null
	[ -z "$(cabin ps -aq)" ]
	for id in $ids; do
		assert_container_gone "$id"
	done
	# what a killed cabin left half-made is swept by the next writer
	cabin run --rm busybox true
	assert_store_clean
	[ -z "$(ls -A "$CROOT/names")" ]
}

@test "cabin killed with -9 at any point of run -d and run: the store stays consistent" {
	import_busybox
	for delay in 0 0.005 0.01 0.02 0.03 0.05 0.08 0.12 0.2 0.3; do
		env "$MARKER" "$CABIN" --root "$CROOT" --runroot "$CRUN" run -d -e "$MARKER" busybox sleep 1000 \
			>/dev/null 2>&1 </dev/null &
		pid=$!
		sleep "$delay"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		env "$MARKER" "$CABIN" --root "$CROOT" --runroot "$CRUN" run --rm -l rm=yes -e "$MARKER" busybox sleep 0.3 \
			>/dev/null 2>&1 </dev/null &
		pid=$!
		sleep "$delay"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	# every container is running, created or exited: none is half-made
	run_cabin ps -a --format '{{.State}}'
	[ "$status" -eq 0 ]
	for s in "${lines[@]}"; do
		case $s in running | created | exited | "") ;; *) echo "state $s"; false ;; esac
	done
	# the --rm ones whose cabin was killed after the start still go once they
	# end; one killed before its start stays created (as docker's)
	wait_for rm_ones_settled
	[ -z "$(cabin ps -a --filter label=rm=yes --filter status=exited -q)" ]
	check_all_removable
}

@test "a create killed half-way (its folder in tmp/, a name pointing at it): the next run sweeps both" {
	import_busybox
	# what a cabin killed between making the folder and renaming it leaves
	mkdir -p "$CROOT/tmp/HALFMADE0000000000001/diff"
	echo '{}' >"$CROOT/tmp/HALFMADE0000000000001/container.json"
	ln -s tmp/HALFMADE0000000000001 "$CROOT/names/halfmade"
	cabin run --rm busybox true
	assert_store_clean
	[ ! -e "$CROOT/names/halfmade" ]
	# the name is free
	cabin run --rm --name halfmade busybox true
}

@test "cabin killed with -9 during rm -f and stop: the next rm finishes the job" {
	import_busybox
	for delay in 0 0.01 0.03 0.06 0.1; do
		id=$(run_d busybox sleep 1000)
		env "$MARKER" "$CABIN" --root "$CROOT" --runroot "$CRUN" rm -f "$id" >/dev/null 2>&1 &
		pid=$!
		sleep "$delay"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		id=$(run_d busybox sleep 1000)
		env "$MARKER" "$CABIN" --root "$CROOT" --runroot "$CRUN" stop -t 0 "$id" >/dev/null 2>&1 &
		pid=$!
		sleep "$delay"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	check_all_removable
}

@test "the monitor killed: the container runs on, stop and rm handle it, its exit is unknown (255)" {
	import_busybox
	id=$(run_d --name orphan busybox sleep 1000)
	wait_for is_status orphan running
	kill -9 "$(monitor_pid "$id")"
	wait_for sh -c "! flock -n -s '$CRUN/containers/$id/monitor.pid' true; [ \$? -eq 1 ]"
	[ "$(cstate orphan Status)" = running ]
	run_cabin stop -t 0 orphan
	[ "$status" -eq 0 ]
	[ "$(cstate orphan Status)" = exited ]
	[ "$(cstate orphan ExitCode)" = 255 ]
	[[ "$(cstate orphan Error)" == *"monitor ended"* ]]
	! grep -q "$id" /proc/self/mountinfo
	# it can run again, under a new monitor
	cabin start orphan >/dev/null
	[ "$(cstate orphan Status)" = running ]
	kill -9 "$(monitor_pid "$id")"
	# and a container that ends by itself with no monitor reads as exited
	kill -9 "$(cstate orphan Pid)"
	wait_for is_status orphan exited
	run_cabin rm orphan
	[ "$status" -eq 0 ]
	assert_container_gone "$id"
	assert_store_clean
}

@test "the host restarted (run root emptied, processes, mounts and cgroups gone): stopped, not lost" {
	import_busybox
	# No network: a real reboot takes the host's leases, veths and rules
	# with it, which a test cannot do.
	id=$(run_d --name survivor --network none --restart always busybox sleep 1000)
	run_cabin run --name finished --network none busybox sh -c 'exit 4'
	[ "$status" -eq 4 ]
	wait_for is_status survivor running
	# the "reboot"
	kill -9 "$(monitor_pid "$id")"
	pid=$(cstate survivor Pid)
	kill -9 "$pid"
	wait_for_exit "$pid"
	for m in $(mounts_under "$CROOT") $(mounts_under "$CRUN"); do umount -l "$m"; done
	for d in $(find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d -name "$id"); do rmdir "$d" 2>/dev/null || true; done
	rm -rf "$CRUN"
	# after it
	run_cabin ps -a --format '{{.Names}} {{.State}} {{.Status}}'
	[ "$status" -eq 0 ]
	[[ $output == *"survivor exited Exited (255)"* ]]
	[[ $output == *"finished exited Exited (4)"* ]]
	[ "$(cstate finished ExitCode)" = 4 ]
	[[ "$(cstate survivor Error)" == *"exit status is unknown"* ]]
	run_cabin logs survivor
	[ "$status" -eq 0 ]
	# it starts again, and goes with rm
	cabin start survivor >/dev/null
	[ "$(cstate survivor Status)" = running ]
	cabin rm -f survivor finished >/dev/null
	assert_container_gone "$id"
	assert_store_clean
}
