#!/usr/bin/env bats
# cabin top, cabin stats, cabin pause/unpause, cabin rename.

load cabin_helpers

# top_has CONTAINER N: top lists N processes.
top_has() {
	[ "$(cabin top "$1" | tail -n +2 | wc -l)" -eq "$2" ]
}

@test "top: the host's ps, only the container's processes; ps options" {
	import_busybox
	run_d --name tp busybox sh -c 'sleep 1000 & sleep 1001' >/dev/null
	# (sh execs its last command: two processes)
	wait_for top_has tp 2
	run_cabin top tp
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == UID*PID*PPID*CMD ]]
	[ "${#lines[@]}" -eq 3 ]
	[[ $output == *"sleep 1000"* && $output == *"sleep 1001"* ]]
	run_cabin top tp -o pid,comm
	[[ ${lines[0]} =~ PID\ +COMMAND ]]
	[ "${#lines[@]}" -eq 3 ]
	run_cabin top tp -o comm
	[ "$status" -ne 0 ]
	[[ $output == *"no PID column"* ]]
	cabin stop -t 0 tp >/dev/null
	run_cabin top tp
	[ "$status" -ne 0 ]
	[[ $output == *"not running"* ]]
	assert_store_clean
}

@test "stats --no-stream: CPU, memory used and limit, network, block I/O, processes" {
	import_busybox
	# no network: no traffic (NetIO below)
	run_d --name sa --network none --memory 64m busybox sh -c 'while :; do :; done' >/dev/null
	run_d --name sb busybox sleep 1000 >/dev/null
	run_cabin stats --no-stream
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "CONTAINER ID"*NAME*"CPU %"*"MEM USAGE / LIMIT"*"MEM %"*"NET I/O"*"BLOCK I/O"*PIDS ]]
	[ "${#lines[@]}" -eq 3 ]
	run_cabin stats --no-stream --format json sa
	[ "$(jq -r .Name <<<"$output")" = sa ]
	[[ $(jq -r .MemUsage <<<"$output") == *" / 64MiB" ]]
	[ "$(jq -r .PIDs <<<"$output")" = 1 ]
	cpu=$(jq -r .CPUPerc <<<"$output")
	[[ $cpu =~ ^[0-9]+\.[0-9]{2}%$ ]]
	# a busy loop uses some CPU (the number itself depends on the machine)
	[ "${cpu%%.*}" -gt 0 ]
	[ "$(jq -r .NetIO <<<"$output")" = "0B / 0B" ]
	[ "$(cabin stats --no-stream --format '{{.Name}} {{.PIDs}}' sb)" = "sb 1" ]
	cabin rm -f sa sb >/dev/null
	assert_store_clean
}

@test "pause and unpause: processes frozen (ps shows Paused), then thawed" {
	import_busybox
	run_d --name pz busybox sh -c 'i=0; while :; do i=$((i+1)); echo $i >/count; sleep 0.05; done' >/dev/null
	wait_for cabin exec pz test -s /count
	run_cabin pause pz
	[ "$status" -eq 0 ]
	[ "$(cstate pz Status)" = paused ]
	[ "$(cstate pz Paused)" = true ]
	[[ "$(cabin ps)" == *"(Paused)"* ]]
	id=$(cabin inspect -f '{{.Id}}' pz)
	c1=$(cat "$CROOT/containers/$id/upper/count")
	sleep 0.5
	[ "$(cat "$CROOT/containers/$id/upper/count")" = "$c1" ]
	run_cabin pause pz
	[ "$status" -ne 0 ]
	cabin unpause pz >/dev/null
	[ "$(cstate pz Status)" = running ]
	wait_for sh -c "[ \$(cat '$CROOT/containers/$id/upper/count') != '$c1' ]"
	run_cabin unpause pz
	[ "$status" -ne 0 ]
	cabin rm -f pz >/dev/null
	assert_store_clean
}

@test "rename: the new name works, the old one is free; a taken name is refused" {
	import_busybox
	run_d --name old busybox sleep 1000 >/dev/null
	cabin create --name taken busybox true >/dev/null
	run_cabin rename old taken
	[ "$status" -ne 0 ]
	[[ $output == *"already in use"* ]]
	run_cabin rename old new
	[ "$status" -eq 0 ]
	[ "$(cabin inspect -f '{{.Name}}' new)" = /new ]
	run_cabin inspect old
	[ "$status" -ne 0 ]
	cabin create --name old busybox true >/dev/null
	run_cabin rename new bad/name
	[ "$status" -ne 0 ]
	cabin rm -f new >/dev/null
	assert_store_clean
}
