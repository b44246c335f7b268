#!/usr/bin/env bats
# --restart no | on-failure[:N] | always | unless-stopped, applied by the
# container's monitor; stop and kill end them.

load cabin_helpers

@test "--restart on-failure:3 restarts a failing container 3 times, then it stays exited" {
	import_busybox
	id=$(run_d --name fail --restart on-failure:3 busybox sh -c 'echo run; exit 2')
	wait_for log_has fail run 4
	wait_for is_status fail exited
	wait_for monitor_done fail
	[ "$(cabin logs fail | grep -c run)" -eq 4 ]
	[ "$(cabin inspect -f '{{.RestartCount}}' fail)" = 3 ]
	[ "$(cstate fail ExitCode)" = 2 ]
	[ "$(cabin inspect -f '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' fail)" = on-failure:3 ]
	# once exited, the monitor has gone and cleaned up
	! grep -q "$id" /proc/self/mountinfo
	[ ! -e "$CRUN/runtime/$id" ]
	assert_store_clean
}

@test "--restart on-failure: a run that fails, then one that keeps going: counted once, as soon as it is restarted" {
	import_busybox
	run_d --name rs --restart on-failure busybox sh -c 'if [ -e /ran ]; then exec sleep 100; fi; touch /ran; exit 1' >/dev/null
	# the second run (the root is kept across restarts) runs, counted
	wait_for cabin exec rs pidof sleep
	[ "$(cabin inspect -f '{{.RestartCount}} {{.State.Restarting}}' rs)" = "1 false" ]
	cabin rm -f rs >/dev/null
	assert_store_clean
}

@test "--restart on-failure does not restart a success; no does not restart at all" {
	import_busybox
	run_d --name ok --restart on-failure busybox sh -c 'echo run; exit 0' >/dev/null
	run_d --name no --restart no busybox sh -c 'echo run; exit 1' >/dev/null
	wait_for is_status ok exited
	wait_for is_status no exited
	[ "$(cabin logs ok | grep -c run)" -eq 1 ]
	[ "$(cabin logs no | grep -c run)" -eq 1 ]
	[ "$(cabin inspect -f '{{.RestartCount}}' ok)" = 0 ]
	wait_for monitor_done ok
	wait_for monitor_done no
	assert_store_clean
}

@test "--restart always: restarts after any exit, keeps its stdin and output going; stop ends it" {
	import_busybox
	id=$(run_d --name al --restart always busybox sh -c 'echo run; sleep 0.2')
	wait_for log_has al run 3
	# (a new run's output can come before the monitor counts its restart)
	wait_for eval '[ "$(cabin inspect -f "{{.RestartCount}}" al)" -ge 2 ]'
	# a restarted process is a child of the same monitor
	mon=$(monitor_pid "$id")
	wait_for is_status al running
	pid=$(cstate al Pid)
	[ "$(awk '{print $4}' "/proc/$pid/stat")" = "$mon" ] || [ "$(cstate al Status)" != running ]
	run_cabin stop al
	[ "$status" -eq 0 ]
	[ "$(cstate al Status)" = exited ]
	n=$(cabin logs al | grep -c run)
	sleep 1
	[ "$(cabin logs al | grep -c run)" -eq "$n" ]
	assert_store_clean
}

@test "--restart unless-stopped: restarts until stopped; kill also ends it (docker: a fatal signal)" {
	import_busybox
	run_d --name us --restart unless-stopped busybox sh -c 'echo run; sleep 0.2' >/dev/null
	wait_for log_has us run 2
	# a kill is refused while it is restarting (as docker's): try again
	wait_for is_status us running
	wait_for cabin kill us
	[ "$(cstate us Status)" = exited ]
	n=$(cabin logs us | grep -c run)
	sleep 1
	[ "$(cabin logs us | grep -c run)" -eq "$n" ]
	# a start clears the stop: it restarts again
	cabin start us >/dev/null
	wait_for log_has us run $((n + 2))
	cabin stop -t 1 us >/dev/null
	assert_store_clean
}

@test "--restart: a bad policy is refused; --rm and --restart conflict" {
	import_busybox
	run_cabin run -d --restart sometimes busybox true
	[ "$status" -eq 125 ]
	[[ $output == *"on-failure[:N], always or unless-stopped"* ]]
	run_cabin run -d --restart always:3 busybox true
	[ "$status" -eq 125 ]
	run_cabin run -d --rm --restart always busybox true
	[ "$status" -eq 125 ]
	[[ $output == *conflict* ]]
	[ -z "$(cabin ps -aq)" ]
	assert_store_clean
}

@test "--restart with a terminal: the restarted process gets a new terminal" {
	import_busybox
	run_d -t --name tt --restart on-failure:1 busybox sh -c '[ -t 1 ] && echo terminal; exit 1' >/dev/null
	wait_for log_has tt terminal 2
	wait_for is_status tt exited
	[ "$(cabin inspect -f '{{.RestartCount}}' tt)" = 1 ]
	wait_for monitor_done tt
	assert_store_clean
}
