#!/usr/bin/env bats
# cabin killed with -9 at chosen points of pull, load, run and rm, and the
# monitor killed under a foreground run.  (cabin_monitor.bats kills run,
# stop and rm at random delays; cabin_pull.bats and cabin_images.bats kill
# one pull and one load half-way.)  After each kill the store and the
# records say the truth: ps -a, inspect, images and rm work, `system check`
# finds nothing but the debris a killed process leaves (which the next
# writer, or --repair, removes), and at the end nothing is left.

load registry_helpers
load fault_helpers

setup_file() {
	fault_registry k 4 2048 fault/k:1
}

teardown_file() {
	reg_stop_all
}

# only_debris: `system check` reports nothing but what a killed process
# left (scratch folders, temporary files, the short link of a layer it did
# not commit, a folder it was making or removing), which the next writer
# sweeps, and --repair removes that.
only_debris() {
	run_cabin system check
	if [ "$status" -ne 0 ]; then
		grep -v -e ': left by a process that was killed$' \
			-e ': a temporary file left by a process that was killed$' \
			-e ': a short link to no layer$' \
			-e ': a removal that was killed before it was done$' \
			-e ': a create that was killed before it finished$' \
			-e ': a temporary link left by a process that was killed$' \
			-e ' problems found ' <<<"$output" && return 1
	fi
	run_cabin system check --repair
	[ "$status" -eq 0 ]
	run_cabin system check
	[ "$output" = "No problems found." ]
}

# the image k is either whole (and runs) or not there at all
image_true() {
	run_cabin images -q
	[ "$status" -eq 0 ]
	if [ -n "$output" ]; then
		run_cabin run --rm "$1" sh -c 'cat /data/*.bin | wc -c'
		[ "$status" -eq 0 ]
		[ "$output" -eq $((4 * 2048 * 1024)) ]
		cabin rmi "$1" >/dev/null
	fi
}

@test "pull killed with -9 at every phase (ping, manifest, layers, commit): the image is whole or absent, the store checks clean" {
	for delay in 0 0.01 0.03 0.06 0.1 0.15 0.25 0.4 0.6; do
		kill9_at "$delay" pull -q "$REG/fault/k:1"
		image_true "$REG/fault/k:1"
		only_debris
	done
	run_cabin pull -q "$REG/fault/k:1"
	[ "$status" -eq 0 ]
	image_true "$REG/fault/k:1"
	assert_nothing_left
}

@test "load killed with -9 at every phase: the image is whole or absent, the store checks clean" {
	"$MKIMAGE" docker-archive "$BATS_FILE_TMPDIR/img" k "$TMP/k.tar" k:1
	for delay in 0 0.01 0.03 0.06 0.1 0.15 0.25 0.4; do
		kill9_at "$delay" load -q -i "$TMP/k.tar"
		image_true k:1
		only_debris
	done
	run_cabin load -i "$TMP/k.tar"
	[ "$status" -eq 0 ]
	image_true k:1
	assert_nothing_left
}

@test "run killed with -9 before it made anything (waiting for the store): nothing of it exists" {
	import_busybox
	exec 7>"$CROOT/gc.lock"
	flock -x 7
	env "$MARKER" "$CABIN" --root "$CROOT" --runroot "$CRUN" run --name early busybox true \
		>/dev/null 2>&1 </dev/null &
	pid=$!
	# it is blocked on the lock we hold
	wait_for sh -c "grep -q '^State:.*S' /proc/$pid/status"
	sleep 0.2
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	flock -u 7
	exec 7>&-
	run_cabin ps -a -q
	[ -z "$output" ]
	[ -z "$(ls -A "$CROOT/names")" ]
	cabin run --rm --name early busybox true
	assert_nothing_left
}

# catch_kill WHAT GLOB ARGS...: start cabin ARGS and kill it with -9 as soon
# as a path matching GLOB exists (polled with bash's compgen, no fork), at
# most 30 tries; prints the number of the try that caught it, or nothing.
catch_kill() {
	local glob=$1 try pid i
	shift
	for ((try = 1; try <= 30; try++)); do
		env "$MARKER" "$CABIN" --root "$CROOT" --runroot "$CRUN" "$@" >/dev/null 2>&1 </dev/null &
		pid=$!
		for ((i = 0; i < 200000; i++)); do
			compgen -G "$glob" >/dev/null && break
			kill -0 "$pid" 2>/dev/null || break
		done
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		if [ "$i" -lt 200000 ] && compgen -G "$glob" >/dev/null; then
			echo "$try"
			return 0
		fi
		cabin rm -f "$(cabin ps -aq)" >/dev/null 2>&1 || true
	done
}

@test "run killed with -9 while the container is made (its folder still in tmp/): no container, its name free" {
	import_busybox
	caught=0
	for round in 1 2 3; do
		cabin run --rm busybox true # sweeps what the last round left
		assert_store_clean
		try=$(catch_kill "$CROOT/tmp/*" run --name mid busybox true)
		[ -n "$try" ] || continue
		# killed with its folder in tmp/: nothing lists it, or it is whole
		run_cabin ps -a --format '{{.Names}} {{.State}}'
		[ "$status" -eq 0 ]
		case $output in "" | "mid created" | "mid exited" | "mid running") ;; *) false ;; esac
		caught=$((caught + 1))
		remember_ids
		cabin rm -f mid >/dev/null 2>&1 || true
		# the name is free once the killed maker is gone
		cabin create --name mid busybox true >/dev/null
		cabin rm mid >/dev/null
	done
	[ "$caught" -gt 0 ] || skip "no kill landed inside a create on this machine in 90 tries"
	only_debris
	assert_nothing_left
}

@test "run killed with -9 after its folder is in place (finishing it, or starting its monitor): absent, created or running, never half" {
	import_busybox
	for round in 1 2 3; do
		try=$(catch_kill "$CROOT/containers/[0-9a-f]*" run -d -e "$MARKER" --name placed busybox sleep 1000)
		[ -n "$try" ] || continue
		remember_ids
		run_cabin ps -a --format '{{.State}}'
		[ "$status" -eq 0 ]
		case $output in "" | created | running) ;; *) echo "state: $output"; false ;; esac
		if [ -z "$output" ]; then
			# killed before its create finished: not listed, not found, swept
			# by the next writer, its name free
			run_cabin inspect placed
			[ "$status" -ne 0 ]
			cabin run --rm busybox true
			[ -z "$(ls "$CROOT/containers")" ]
			cabin create --name placed busybox true >/dev/null
		elif [ "$output" = created ]; then
			# a monitor that never came: start runs it
			cabin start placed >/dev/null
			[ "$(cstate placed Status)" = running ]
		fi
		run_cabin inspect placed
		[ "$status" -eq 0 ]
		cabin rm -f placed >/dev/null
	done
	only_debris
	assert_nothing_left
}

@test "a foreground run --rm killed with -9 after its container runs: the monitor cleans up and removes it at its end" {
	import_busybox
	env "$MARKER" "$CABIN" --root "$CROOT" --runroot "$CRUN" run --rm --name fg -e "$MARKER" \
		busybox sh -c 'sleep 1; exit 5' >/dev/null 2>&1 </dev/null &
	pid=$!
	wait_for is_status fg running
	remember_ids
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	# it ends on its own; its monitor does the cleanup the cleaner would have
	wait_for sh -c "[ -z \"\$($CABIN --root $CROOT --runroot $CRUN ps -aq)\" ]"
	assert_nothing_left
}

@test "the monitor killed under a foreground run: run ends with 125 and says why; the container is stopped and removable" {
	import_busybox
	out=$TMP/fg.out
	env "$MARKER" "$CABIN" --root "$CROOT" --runroot "$CRUN" run --name orphaned -e "$MARKER" \
		busybox sleep 1000 >"$out" 2>&1 </dev/null &
	pid=$!
	wait_for is_status orphaned running
	id=$(cid orphaned)
	remember_ids
	kill -9 "$(monitor_pid "$id")"
	# the foreground run does not hang on a dead monitor
	for ((i = 0; i < 200; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 125 ] || { cat "$out"; false; }
	[[ "$(cat "$out")" == *"monitor went away"* ]]
	cabin stop -t 0 orphaned >/dev/null
	[ "$(cstate orphaned Status)" = exited ]
	cabin rm orphaned >/dev/null
	assert_nothing_left
}

@test "rm -f killed with -9 at every point, on a running container: gone or still removable, never half" {
	import_busybox
	for delay in 0 0.005 0.01 0.02 0.04 0.08 0.15; do
		id=$(run_d busybox sleep 1000)
		echo "$id" >>"$TMP/ids"
		kill9_at "$delay" rm -f "$id"
		run_cabin ps -a -q --no-trunc
		[ "$status" -eq 0 ]
		if [ -n "$output" ]; then
			[ "$output" = "$id" ]
			cabin inspect "$id" >/dev/null
			cabin rm -f "$id" >/dev/null
			assert_container_gone "$id"
		fi
		# killed after it hid the folder: gone for every command; the next
		# writer finishes it
		cabin run --rm busybox true
		assert_container_gone "$id"
	done
	only_debris
	assert_nothing_left
}
