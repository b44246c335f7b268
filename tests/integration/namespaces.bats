#!/usr/bin/env bats
# Namespaces: new ones are new, joined ones are joined, absent ones are shared.

load helpers

# ns_of OUTPUT TYPE: the "type:[inode]" line for TYPE in a container's output
# made of `readlink /proc/self/ns/*` lines.
ns_line() {
	grep "^$2:\[" <<<"$1"
}

@test "pid namespace: ps shows only the container's processes, the command is PID 1" {
	make_bundle true
	run_container sh -c 'ps -o pid,args; exit 0'
	[ "$status" -eq 0 ]
	# header + sh (pid 1) + ps
	[ "${#lines[@]}" -eq 3 ]
	grep -E '^ *1 +sh -c ps -o pid,args' <<<"$output"
	# The host has more than that, and the container's PID 1 is not init's.
	[ "$(ps -e --no-headers | wc -l)" -gt 3 ]
}

@test "pid namespace: the init's pid on the host differs from 1" {
	make_bundle sleep 1000
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	pid=$(state_field "$ID" pid)
	[ "$pid" -gt 1 ]
	grep -q '^NSpid:.*[[:space:]]1$' "/proc/$pid/status"
}

@test "uts namespace: hostname comes from the config" {
	make_bundle true
	update_config '.hostname = "cabin-test-host"'
	host_before=$(hostname)
	run_container hostname
	[ "$status" -eq 0 ]
	[ "$output" = cabin-test-host ]
	[ "$(hostname)" = "$host_before" ]
}

@test "uts namespace: domainname comes from the config" {
	# cabin-specific: runc 1.1 ignores domainname
	cabin_only
	make_bundle true
	update_config '.hostname = "cabin-test-host" | .domainname = "cabin.test"'
	host_before=$(cat /proc/sys/kernel/domainname)
	run_container cat /proc/sys/kernel/domainname
	[ "$status" -eq 0 ]
	[ "$output" = cabin.test ]
	[ "$(cat /proc/sys/kernel/domainname)" = "$host_before" ]
}

@test "network namespace: only lo" {
	make_bundle true
	run_container ip -o link
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	grep -q '^1: lo:' <<<"$output"
	# ...while the host has more than a lone lo, or at least lo.
	ip -o link | grep -q ': lo:'
}

@test "ipc namespace: differs from the host's" {
	make_bundle true
	run_container readlink /proc/self/ns/ipc
	[ "$status" -eq 0 ]
	[ "$output" != "$(ns_inode ipc)" ]
	grep -q '^ipc:\[[0-9]*\]$' <<<"$output"
}

@test "every requested namespace differs from the host's" {
	make_bundle true
	for t in pid network ipc uts mount cgroup; do
		add_namespace "$t"
	done
	run_container sh -c 'for n in pid net ipc uts mnt cgroup; do readlink /proc/self/ns/$n; done'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 6 ]
	for n in pid net ipc uts mnt cgroup; do
		l=$(ns_line "$output" "$n")
		[ -n "$l" ]
		[ "$l" != "$(ns_inode "$n")" ]
	done
}

@test "namespaces that are not requested are shared with the host" {
	make_bundle true
	drop_namespace network
	drop_namespace ipc
	drop_namespace uts
	drop_namespace cgroup
	update_config 'del(.hostname)'
	run_container sh -c 'for n in net ipc uts cgroup mnt; do readlink /proc/self/ns/$n; done'
	[ "$status" -eq 0 ]
	for n in net ipc uts cgroup; do
		[ "$(ns_line "$output" "$n")" = "$(ns_inode "$n")" ]
	done
	[ "$(ns_line "$output" mnt)" != "$(ns_inode mnt)" ]
}

@test "cgroup namespace: new, the container sees itself at the root" {
	make_bundle true
	add_namespace cgroup
	run_container sh -c 'readlink /proc/self/ns/cgroup; cat /proc/self/cgroup'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" != "$(ns_inode cgroup)" ]
	# Every hierarchy line ends in ":/".
	[ -z "$(sed 1d <<<"$output" | grep -v ':/$')" ]
}

@test "time namespace: new" {
	# cabin-specific: runc 1.1 does not know the time namespace
	cabin_only
	make_bundle true
	add_namespace time
	run_container readlink /proc/self/ns/time
	[ "$status" -eq 0 ]
	grep -q '^time:\[' <<<"$output"
	[ "$output" != "$(ns_inode time)" ]
}

@test "time namespace: linux.timeOffsets shift the monotonic and boottime clocks" {
	# cabin-specific: runc 1.1 does not know the time namespace
	cabin_only
	make_bundle true
	add_namespace time
	update_config '.linux.timeOffsets = {"monotonic": {"secs": 864000}, "boottime": {"secs": 864000}}'
	run_container cat /proc/uptime
	[ "$status" -eq 0 ]
	inside=${output%%.*}
	host=$(cut -d. -f1 /proc/uptime)
	[ "$inside" -ge $((host + 864000 - 5)) ]
	[ "$inside" -le $((host + 864000 + 60)) ]
}

@test "user namespace: container root is host uid 100000" {
	make_bundle true
	chown -R 100000:100000 "$BUNDLE/rootfs"
	add_namespace user
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	set_args sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; readlink /proc/self/ns/user; touch /tmp/owned; stat -c %u /tmp/owned'
	update_config '.root.readonly = false'
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	[ "$(echo ${lines[2]})" = "0 100000 65536" ]
	[ "$(echo ${lines[3]})" = "0 100000 65536" ]
	[ "${lines[4]}" != "$(ns_inode user)" ]
	[ "${lines[5]}" = 0 ]
	# The file belongs to the mapped uid on the host.
	[ "$(stat -c %u "$BUNDLE/rootfs/tmp/owned")" = 100000 ]
}

@test "user namespace: the container process runs as uid 100000 on the host" {
	make_bundle sleep 1000
	chown -R 100000:100000 "$BUNDLE/rootfs"
	add_namespace user
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	pid=$(state_field "$ID" pid)
	[ "$(stat -c %u "/proc/$pid")" = 100000 ]
	[ "$(stat -c %g "/proc/$pid")" = 100000 ]
}

@test "joining a network namespace by path" {
	make_bundle true
	ns=$(new_netns)
	ip netns exec "$ns" ip link set lo up
	add_namespace network "/var/run/netns/$ns"
	run_container sh -c 'readlink /proc/self/ns/net; ip -o link'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "net:[$(stat -L -c %i "/var/run/netns/$ns")]" ]
	# lo was brought up from the host side: same namespace.
	grep -q 'lo:.*UP' <<<"${lines[1]}"
}

@test "joining another container's ipc and uts namespaces by /proc path" {
	make_bundle sleep 1000
	update_config '.hostname = "first"'
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	pid=$(state_field "$ID" pid)
	first_ipc=$(readlink "/proc/$pid/ns/ipc")

	make_bundle_at "$TMP/b2" true
	BUNDLE=$TMP/b2
	add_namespace ipc "/proc/$pid/ns/ipc"
	add_namespace uts "/proc/$pid/ns/uts"
	update_config 'del(.hostname)'
	set_args sh -c 'readlink /proc/self/ns/ipc; hostname'
	run_rt run --bundle "$BUNDLE" "$ID2"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$first_ipc" ]
	[ "${lines[1]}" = first ]
}
