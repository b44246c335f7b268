#!/usr/bin/env bats
# Teardown of containers' networks (issue 9, item 3): stop, rm, --rm, a
# process that could not start, a restart, a killed container init and a
# killed monitor all release the address, the veth, the port rules and the
# namespace; 100 create/start/rm cycles leave nothing behind.  Leftovers
# are looked for on this file's bridges and subnets and the test's own
# containers only (net_helpers.bash), and again by teardown.

# 100 cycles of create/start/rm with port rules take 40-70 s on a loaded
# 2-core machine: more than the 90 s a test gets elsewhere leaves room.
BATS_TEST_TIMEOUT=${NET_CLEANUP_TIMEOUT:-300}
NET_PREFIX=cbk
NET_BASE=10.92
load net_helpers

eval "net_base_$(declare -f setup)"
setup() {
	net_base_setup || return
	import_busybox
}

# leases: the addresses held on this file's default network.
leases() {
	local f n=0
	for f in "$CNI_STATE/ipam/${NET_PREFIX}0"/*/*; do
		[ -f "$f" ] || continue
		case ${f##*/} in lock | last_reserved_ip*) continue ;; esac
		n=$((n + 1))
	done
	echo "$n"
}

@test "100 create/start/rm cycles (with a published port): no veth, rule, lease or namespace left" {
	for ((i = 0; i < 100; i++)); do
		id=$(cabin create -e "$MARKER" -p 127.0.0.1::80 busybox sleep 100)
		cabin start "$id" >/dev/null
		if ((i % 25 == 0)); then
			# while it runs there is one of each
			[ "$(leases)" -eq 1 ]
			[ -e "$CRUN/netns/$id" ]
			iptables-save -t nat | grep -q -F -- "$id"
		fi
		cabin rm -f "$id" >/dev/null
	done
	[ "$(leases)" -eq 0 ]
	assert_no_net_leftovers
	assert_store_clean
}

@test "stop and --rm release everything; a start again gets a network again" {
	id=$(run_d --name s1 -p 127.0.0.1::80 busybox sleep 100)
	[ "$(leases)" -eq 1 ]
	cabin stop -t 1 s1 >/dev/null
	[ "$(leases)" -eq 0 ]
	assert_no_net_leftovers
	cabin start s1 >/dev/null
	[ "$(leases)" -eq 1 ]
	cabin rm -f s1 >/dev/null
	run_cabin run --rm -p 127.0.0.1::80 busybox ip -o -4 addr show eth0
	[ "$status" -eq 0 ]
	[[ $output == *"$NET_BASE.0."* ]]
	assert_no_net_leftovers
	# a detached --rm container too, when it ends by itself
	run_d --rm --name gone busybox sleep 0.5 >/dev/null
	wait_for eval '[ -z "$(cabin ps -aq)" ]'
	assert_no_net_leftovers
}

@test "a process that cannot start, and a restart policy: nothing left after either" {
	run_cabin run --rm -p 127.0.0.1::80 busybox /nosuch
	[ "$status" -eq 127 ]
	assert_no_net_leftovers
	run_cabin run -p 127.0.0.1::80 --name stays busybox /nosuch
	[ "$status" -eq 127 ]
	assert_no_net_leftovers
	cabin rm stays >/dev/null
	# restarted three times: a network each time, none at the end
	run_d --name flaky --restart on-failure:3 busybox sh -c 'ip -o -4 addr show eth0; exit 1' >/dev/null
	wait_for eval '[ "$(cstate flaky Status)" = exited ] && [ "$(cabin inspect -f "{{.RestartCount}}" flaky)" = 3 ]'
	wait_for monitor_done flaky
	[ "$(cabin logs flaky | grep -c "$NET_BASE.0.")" -eq 4 ]
	assert_no_net_leftovers
}

@test "a killed container init: its monitor releases everything" {
	id=$(run_d --name victim -p 127.0.0.1::80 busybox sleep 100)
	[ "$(leases)" -eq 1 ]
	kill -9 "$(cstate victim Pid)"
	wait_for is_status victim exited
	# the lease goes part-way through the teardown: wait for all of it
	wait_for monitor_done victim
	[ "$(leases)" -eq 0 ]
	assert_no_net_leftovers
}

@test "a killed monitor: rm -f, or the next start after the process ended, releases everything" {
	id=$(run_d --name orphan -p 127.0.0.1::80 busybox sleep 100)
	kill -9 "$(monitor_pid "$id")"
	[ "$(cstate orphan Status)" = running ]
	[ "$(leases)" -eq 1 ]
	cabin rm -f orphan >/dev/null
	assert_no_net_leftovers
	# the process ends with nobody watching: the next container's start sweeps it
	id=$(run_d --name orphan2 -p 127.0.0.1::80 busybox sleep 100)
	kill -9 "$(monitor_pid "$id")"
	kill -9 "$(cstate orphan2 Pid)"
	wait_for is_status orphan2 exited
	[ -e "$CRUN/networks/sandbox/$id.json" ]
	cabin run --rm --network none busybox true
	[ ! -e "$CRUN/networks/sandbox/$id.json" ]
	[ "$(leases)" -eq 0 ]
	cabin rm orphan2 >/dev/null
	assert_no_net_leftovers
}

@test "starts of one container racing each other: one network, and the losers leave it alone" {
	id=$(cabin create -e "$MARKER" --name racer busybox sleep 100)
	# (wait with the pids: a bare wait would wait for bats' own timer too)
	pids=()
	for ((i = 0; i < 6; i++)); do
		cabin start racer >"$TMP/start$i.out" 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	# every start says it is running (docker's start of a running one too)
	for ((i = 0; i < 6; i++)); do
		[ "$(cat "$TMP/start$i.out")" = racer ] || { cat "$TMP/start$i.out"; false; }
	done
	[ "$(cstate racer Status)" = running ]
	[ "$(leases)" -eq 1 ]
	[ -e "$CRUN/netns/$id" ]
	cabin exec racer ping -c 1 -W 5 "$NET_BASE.0.1" >/dev/null
	cabin rm -f racer >/dev/null
	assert_no_net_leftovers
}
