#!/usr/bin/env bats
# linux.sysctl

load helpers

@test "sysctl: a network key is applied inside the network namespace only" {
	make_bundle true
	host=$(cat /proc/sys/net/ipv4/ip_forward)
	want=$((1 - host))
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": $v}' --arg v "$want"
	run_container cat /proc/sys/net/ipv4/ip_forward
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host" ]
}

@test "sysctl: an ipc key is applied inside the ipc namespace only" {
	make_bundle true
	host=$(cat /proc/sys/kernel/shm_rmid_forced)
	want=$((1 - host))
	update_config '.linux.sysctl = {"kernel.shm_rmid_forced": $v, "kernel.msgmax": "12345"}' --arg v "$want"
	run_container cat /proc/sys/kernel/shm_rmid_forced /proc/sys/kernel/msgmax
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$want" ]
	[ "${lines[1]}" = 12345 ]
	[ "$(cat /proc/sys/kernel/shm_rmid_forced)" = "$host" ]
}

@test "sysctl: keys may be written with slashes" {
	make_bundle true
	update_config '.linux.sysctl = {"net/ipv4/ip_forward": "1"}'
	run_container cat /proc/sys/net/ipv4/ip_forward
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
}

@test "sysctl: a non-namespaced key is refused, naming it" {
	make_bundle true
	for key in kernel.panic vm.swappiness; do
		host=$(cat "/proc/sys/${key//.//}")
		update_config '.linux.sysctl = {($k): "7"}' --arg k "$key"
		run_container true
		[ "$status" -ne 0 ]
		grep -qF "$key" <<<"$output"
		[ "$(cat "/proc/sys/${key//.//}")" = "$host" ]
	done
}

@test "sysctl: a network key without a network namespace is refused" {
	make_bundle true
	drop_namespace network
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	host=$(cat /proc/sys/net/ipv4/ip_forward)
	run_container true
	[ "$status" -ne 0 ]
	grep -qF net.ipv4.ip_forward <<<"$output"
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host" ]
}

@test "sysctl: an ipc key without an ipc namespace is refused" {
	make_bundle true
	drop_namespace ipc
	update_config '.linux.sysctl = {"kernel.shm_rmid_forced": "1"}'
	host=$(cat /proc/sys/kernel/shm_rmid_forced)
	run_container true
	[ "$status" -ne 0 ]
	grep -qF kernel.shm_rmid_forced <<<"$output"
	[ "$(cat /proc/sys/kernel/shm_rmid_forced)" = "$host" ]
}
