#!/usr/bin/env bats
# cabin stop (-t, --stop-signal, --stop-timeout) and cabin kill (-s).

load cabin_helpers

@test "stop: the stop signal first; a process that ends on it ends with its own code" {
	import_busybox
	# running comes at exec, before sh has set its trap (a TERM to PID 1
	# without one is dropped): wait for the trap
	id=$(run_d --name st busybox sh -c 'trap "echo got TERM; exit 5" TERM; touch /ready; while :; do sleep 0.1; done')
	wait_for cabin exec st test -e /ready
	run_cabin stop st
	[ "$status" -eq 0 ]
	[ "$output" = st ]
	[ "$(cstate st Status)" = exited ]
	[ "$(cstate st ExitCode)" = 5 ]
	[ "$(cabin logs st)" = "got TERM" ]
	# stopped and cleaned up: no mount, no runtime state, no monitor
	! grep -q "$id" /proc/self/mountinfo
	[ ! -e "$CRUN/runtime/$id" ]
	[ -z "$(monitor_pid "$id")" ] || ! kill -0 "$(monitor_pid "$id")" 2>/dev/null
	# its state is kept, and nothing the monitor reserved for writing it
	[ -s "$CROOT/containers/$id/state.json" ]
	[ -z "$(find "$CROOT/containers/$id" -name '*.tmp')" ]
	# stopping a stopped container is fine
	run_cabin stop st
	[ "$status" -eq 0 ]
	assert_store_clean
}

@test "stop -t: a process that ignores the signal gets SIGKILL after the timeout (137)" {
	import_busybox
	# sh as PID 1 with no handler ignores TERM
	run_d --name deaf busybox sleep 1000 >/dev/null
	run_cabin stop -t 1 deaf
	[ "$status" -eq 0 ]
	[ "$(cstate deaf ExitCode)" = 137 ]
	run_cabin stop -t x deaf
	[ "$status" -ne 0 ]
	assert_store_clean
}

@test "--stop-signal and --stop-timeout are the container's defaults for stop" {
	import_busybox
	run_d --name usr1 --stop-signal USR1 --stop-timeout 30 busybox sh -c \
		'trap "exit 11" USR1; trap "exit 12" TERM; touch /ready; while :; do sleep 0.1; done' >/dev/null
	wait_for cabin exec usr1 test -e /ready
	[ "$(cabin inspect -f '{{.Config.StopSignal}}' usr1)" = USR1 ]
	[ "$(cabin inspect -f '{{.Config.StopTimeout}}' usr1)" = 30 ]
	cabin stop usr1 >/dev/null
	[ "$(cstate usr1 ExitCode)" = 11 ]
	run_cabin run --rm --stop-signal NOSIG busybox true
	[ "$status" -eq 125 ]
	assert_store_clean
}

@test "kill: SIGKILL by default, -s by name or number; only a running container" {
	import_busybox
	run_d --name kk busybox sleep 1000 >/dev/null
	run_cabin kill kk
	[ "$status" -eq 0 ]
	[ "$output" = kk ]
	[ "$(cstate kk Status)" = exited ]
	[ "$(cstate kk ExitCode)" = 137 ]
	run_cabin kill kk
	[ "$status" -ne 0 ]
	[[ $output == *"is not running"* ]]
	# "traps set" once the shell has its traps: running alone is too early
	# (a signal before the trap builtin ran kills it with the default action).
	run_d --name hh busybox sh -c 'trap "exit 3" HUP; trap "exit 4" USR2; echo traps set; while :; do sleep 0.1; done' >/dev/null
	wait_for log_has hh "traps set"
	cabin kill -s 12 hh >/dev/null
	wait_for is_status hh exited
	[ "$(cstate hh ExitCode)" = 4 ]
	cabin start hh >/dev/null
	wait_for log_has hh "traps set" 2
	cabin kill -s SIGHUP hh >/dev/null
	wait_for is_status hh exited
	[ "$(cstate hh ExitCode)" = 3 ]
	run_cabin kill -s NOPE hh
	[ "$status" -ne 0 ]
	wait_for monitor_done hh
	assert_store_clean
}

@test "stop and kill of a paused container" {
	import_busybox
	run_d --name pp busybox sleep 1000 >/dev/null
	cabin pause pp >/dev/null
	[ "$(cstate pp Status)" = paused ]
	cabin stop -t 1 pp >/dev/null
	[ "$(cstate pp Status)" = exited ]
	cabin start pp >/dev/null
	cabin pause pp >/dev/null
	cabin kill pp >/dev/null
	[ "$(cstate pp Status)" = exited ]
	assert_store_clean
}
