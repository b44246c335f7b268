#!/usr/bin/env bats
# cabin create, cabin start (-a, -i), cabin restart.

load cabin_helpers

@test "create: a container that does not run until started; its root is not mounted meanwhile" {
	import_busybox
	run_cabin create --name made -e "$MARKER" busybox sh -c 'echo started; sleep 100'
	[ "$status" -eq 0 ]
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	id=$output
	[ "$(cstate made Status)" = created ]
	[ "$(cabin ps -q)" = "" ]
	[ "$(cabin ps -aq)" = "${id:0:12}" ]
	[[ "$(cabin ps -a)" == *Created*made* ]]
	! grep -q "$id" /proc/self/mountinfo
	run_cabin start made
	[ "$status" -eq 0 ]
	[ "$output" = made ]
	[ "$(cstate made Status)" = running ]
	wait_for log_has made started
	# start of a running container does nothing
	run_cabin start made
	[ "$status" -eq 0 ]
	cabin rm -f made >/dev/null
	assert_container_gone "$id"
	assert_store_clean
}

@test "start -a: attached to the output, the exit status is the process's; start again runs it again" {
	import_busybox
	cabin create --name again busybox sh -c 'echo run; exit 3' >/dev/null
	run_cabin start -a again
	[ "$status" -eq 3 ]
	[ "$output" = run ]
	run_cabin start -a again
	[ "$status" -eq 3 ]
	[ "$(cabin logs again | wc -l)" -eq 2 ]
	# stdin with -i, when the container was made with -i
	cabin create -i --name cat busybox cat >/dev/null
	run bash -c "echo piped | timeout 60 env $MARKER '$CABIN' --root '$CROOT' --runroot '$CRUN' start -ai cat"
	[ "$status" -eq 0 ]
	[ "$output" = piped ]
	assert_store_clean
}

@test "start: a process that cannot be executed fails the start; the container stays created" {
	import_busybox
	cabin create --name bad busybox /no/such/thing >/dev/null
	run_cabin start bad
	[ "$status" -eq 1 ]
	[[ $output == *"/no/such/thing"* ]]
	[ "$(cstate bad Status)" = created ]
	[ "$(cstate bad ExitCode)" = 127 ]
	[[ "$(cstate bad Error)" == *"/no/such/thing"* ]]
	run_cabin start nosuch
	[ "$status" -eq 1 ]
	[[ $output == *"no such container"* ]]
	cabin rm bad >/dev/null
	assert_store_clean
}

@test "restart: stops (stop signal, then KILL) and starts again; a stopped one just starts" {
	import_busybox
	id=$(run_d --name rs busybox sh -c 'echo up; trap "exit 0" TERM; while :; do sleep 0.1; done')
	wait_for log_has rs up
	old=$(cstate rs Pid)
	run_cabin restart -t 20 rs
	[ "$status" -eq 0 ]
	[ "$output" = rs ]
	[ "$(cstate rs Status)" = running ]
	[ "$(cstate rs Pid)" != "$old" ]
	wait_for log_has rs up 2
	cabin stop rs >/dev/null
	[ "$(cstate rs Status)" = exited ]
	run_cabin restart rs
	[ "$status" -eq 0 ]
	[ "$(cstate rs Status)" = running ]
	cabin rm -f rs >/dev/null
	assert_container_gone "$id"
	assert_store_clean
}
