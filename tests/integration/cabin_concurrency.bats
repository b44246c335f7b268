#!/usr/bin/env bats
# Many cabins at once on one store: 50 run -d in parallel, then 50 rm -f in
# parallel; one name claimed by many at once.

# 50 cabins at once on the default network (each CNI ADD and DEL holds the
# host-wide lock) on a loaded 2-core machine: more than the usual 90 s.
BATS_TEST_TIMEOUT=${CONCURRENCY_TIMEOUT:-300}

load cabin_helpers

@test "50 run -d in parallel, then 50 rm -f in parallel: a consistent store, nothing left" {
	import_busybox
	# (wait with the pids: a bare wait would wait for bats' own timer too)
	pids=()
	for i in $(seq 50); do
		env "$MARKER" "$CABIN" --root "$CROOT" --runroot "$CRUN" run -d -e "$MARKER" --name "par$i" \
			busybox sleep 1000 >"$TMP/run$i.out" 2>&1 </dev/null 3>&- &
		pids+=($!)
	done
	wait "${pids[@]}" || true
	for i in $(seq 50); do
		[[ $(cat "$TMP/run$i.out") =~ ^[0-9a-f]{64}$ ]] || { cat "$TMP/run$i.out"; false; }
	done
	run_cabin ps -q
	[ "${#lines[@]}" -eq 50 ]
	[ "$(cabin ps --format '{{.Names}}' | sort -u | wc -l)" -eq 50 ]
	ids=$(cabin ps -q --no-trunc)
	monitors=0
	for id in $ids; do
		p=$(monitor_pid "$id")
		kill -0 "$p" && monitors=$((monitors + 1))
	done
	[ "$monitors" -eq 50 ]
	pids=()
	for i in $(seq 50); do
		env "$MARKER" "$CABIN" --root "$CROOT" --runroot "$CRUN" rm -f "par$i" \
			>"$TMP/rm$i.out" 2>&1 </dev/null 3>&- &
		pids+=($!)
	done
	wait "${pids[@]}" || true
	for i in $(seq 50); do
		[ "$(cat "$TMP/rm$i.out")" = "par$i" ] || { cat "$TMP/rm$i.out"; false; }
	done
	[ -z "$(cabin ps -aq)" ]
	for id in $ids; do
		assert_container_gone "$id"
	done
	[ -z "$(ls -A "$CROOT/names")" ]
	[ -z "$(ls -A "$CRUN/containers")" ]
	[ -z "$(ls "$CRUN/runtime")" ]
	[ -z "$(marker_pids)" ]
	assert_store_clean
}

@test "one name claimed by ten cabins at once: one container gets it, nine are told" {
	import_busybox
	pids=()
	for i in $(seq 10); do
		env "$MARKER" "$CABIN" --root "$CROOT" --runroot "$CRUN" create --name contested \
			busybox true >"$TMP/c$i.out" 2>&1 </dev/null 3>&- &
		pids+=($!)
	done
	wait "${pids[@]}" || true
	[ "$(grep -lE '^[0-9a-f]{64}$' "$TMP"/c*.out | wc -l)" -eq 1 ]
	[ "$(grep -l 'already in use' "$TMP"/c*.out | wc -l)" -eq 9 ]
	[ "$(cabin ps -aq | wc -l)" -eq 1 ]
	cabin rm contested >/dev/null
	assert_store_clean
}

# ready_count N: N containers have made /ready
ready_count() {
	[ "$(ls "$CROOT"/containers/*/upper/ready 2>/dev/null | wc -l)" -eq "$1" ]
}

@test "foreground runs at the same time all run at once (none waits for another's end)" {
	import_busybox
	pids=()
	for i in 1 2 3 4 5; do
		env "$MARKER" "$CABIN" --root "$CROOT" --runroot "$CRUN" run --rm --name "fg$i" busybox sh -c \
			'touch /ready; while [ ! -e /go ]; do sleep 0.1; done; echo done' \
			>"$TMP/fg$i.out" 2>&1 </dev/null 3>&- &
		pids+=($!)
	done
	# all five are running together: each one ends only when told
	wait_for ready_count 5
	for i in 1 2 3 4 5; do
		cabin exec "fg$i" touch /go
	done
	wait "${pids[@]}"
	for i in 1 2 3 4 5; do
		[ "$(cat "$TMP/fg$i.out")" = done ]
	done
	[ -z "$(cabin ps -aq)" ]
	assert_store_clean
}

@test "rm -f while the same container starts: it is stopped and removed whole, or the start is told" {
	import_busybox
	local i
	for i in $(seq 15); do
		cabin create -e "$MARKER" --name "race$i" busybox sleep 1000 >/dev/null
		env "$MARKER" "$CABIN" --root "$CROOT" --runroot "$CRUN" start "race$i" \
			>"$TMP/start$i.out" 2>&1 </dev/null 3>&- &
		local pid=$!
		# the rm lands before, during or after the start's monitor spawn
		sleep "0.0$((i % 5))"
		run_cabin rm -f "race$i"
		[ "$status" -eq 0 ] || { echo "rm $i: $output"; false; }
		wait "$pid" || grep -q 'no such container' "$TMP/start$i.out" ||
			{ echo "start $i: $(cat "$TMP/start$i.out")"; false; }
	done
	[ -z "$(cabin ps -aq)" ]
	# nothing of any of them: runtime state, monitor, process, mount
	[ -z "$(ls "$CRUN/runtime" 2>/dev/null)" ] # (.seccomp-cache is the runtime's)
	[ -z "$(marker_pids)" ]
	run_cabin system check
	[ "$output" = "No problems found." ]
	assert_store_clean
}
