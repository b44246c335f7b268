# Helpers for the tests of cabin's networks and volumes.  A .bats file sets,
# before `load net_helpers`,
#   NET_PREFIX=cbn   its bridges: ${NET_PREFIX}0 for its default network,
#                    ${NET_PREFIX}1... for the networks its tests make
#   NET_BASE=10.95   its subnets: $NET_BASE.0.0/24 for the default network,
#                    $NET_BASE.N.0/24 for the others
# so that files running at the same time (and other suites, on cabin0 and
# 10.90.0.0/16) never share a bridge or a subnet.  Every network check
# talks only to loopback and to the test's own containers.
#
# teardown removes the test's containers and networks, then fails if any
# veth on this file's bridges, any iptables rule naming this file's
# subnets or the test's containers, any address lease on this file's
# bridges or any network namespace of the test is left.  teardown_file
# removes this file's bridges and their isolation rules.

load cabin_helpers

: "${NET_PREFIX:?set NET_PREFIX before loading net_helpers}"
: "${NET_BASE:?set NET_BASE before loading net_helpers}"
CNI_STATE=/run/cabin-cni
export CABIN_DEFAULT_SUBNET="$NET_BASE.0.0/24" CABIN_DEFAULT_BRIDGE="${NET_PREFIX}0"

eval "net_cabin_$(declare -f teardown)"

# this_files_bridges: the bridges named after $NET_PREFIX on the host.
this_files_bridges() {
	local b
	for b in /sys/class/net/"$NET_PREFIX"*; do
		[ -e "$b/bridge" ] && echo "${b##*/}"
	done
	return 0
}

# net_leftovers: what a test left of its networking, one line each.
net_leftovers() {
	local b ids id lease
	for b in $(this_files_bridges); do
		ip -o link show master "$b" 2>/dev/null | sed "s/^/veth on $b: /"
	done
	ids=$(ls "$CROOT/containers" 2>/dev/null)
	{ iptables-save 2>/dev/null; iptables-save -t nat 2>/dev/null; } |
		grep -F -- "$NET_BASE." | sed 's/^/iptables: /'
	for id in $ids; do
		{ iptables-save 2>/dev/null; iptables-save -t nat 2>/dev/null; } |
			grep -F -- "${id:0:12}" | sed 's/^/iptables: /'
	done
	for lease in "$CNI_STATE"/ipam/"$NET_PREFIX"*/*/*; do
		[ -f "$lease" ] || continue
		case ${lease##*/} in lock | last_reserved_ip*) continue ;; esac
		echo "lease: $lease ($(head -1 "$lease"))"
	done
	ls "$CRUN/netns" 2>/dev/null | sed 's/^/netns: /'
	ls "$CRUN/networks/sandbox" 2>/dev/null | sed 's/^/record: /'
	return 0
}

# assert_no_net_leftovers
assert_no_net_leftovers() {
	local left
	left=$(net_leftovers)
	if [ -n "$left" ]; then
		echo "left behind:" >&2
		echo "$left" >&2
		return 1
	fi
}

teardown() {
	[ -n "${TMP:-}" ] && [ -d "$TMP" ] || return 0
	local rc=0 left ids
	if [ -x "$CABIN" ] && [ -d "$CROOT/containers" ]; then
		ids=$(ls "$CROOT/containers" 2>/dev/null | grep -v '^\.')
		[ -z "$ids" ] || cabin rm -f $ids >/dev/null 2>&1 || true
		cabin network prune -f >/dev/null 2>&1 || true
	fi
	left=$(net_leftovers)
	if [ -n "$left" ]; then
		echo "teardown: networking left behind:" >&2
		echo "$left" >&2
		rc=1
	fi
	net_cabin_teardown || rc=$?
	return $rc
}

teardown_file() {
	local b c
	c="CNI firewall plugin rules (ingressPolicy: same-bridge)"
	for b in $(this_files_bridges); do
		ip link del "$b" 2>/dev/null || true
		while iptables -w -D CNI-ISOLATION-STAGE-1 -i "$b" ! -o "$b" -m comment --comment "$c" \
			-j CNI-ISOLATION-STAGE-2 2>/dev/null; do :; done
		while iptables -w -D CNI-ISOLATION-STAGE-2 -o "$b" -m comment --comment "$c" \
			-j DROP 2>/dev/null; do :; done
	done
	rm -rf "$CNI_STATE"/ipam/"$NET_PREFIX"*
}

# bridge_of NETWORK: its bridge, from inspect.
bridge_of() {
	cabin network inspect "$1" | jq -r '.[0].Options["com.docker.network.bridge.name"]'
}

# ip_of CONTAINER [NETWORK]: its address (on NETWORK, else the first).
ip_of() {
	if [ $# -ge 2 ]; then
		cabin inspect "$1" | jq -r --arg n "$2" '.[0].NetworkSettings.Networks[$n].IPAddress'
	else
		cabin inspect "$1" | jq -r '.[0].NetworkSettings.IPAddress'
	fi
}

# host_wget URL: fetch from the host (busybox wget: no proxy, 10 s; not its -T,
# on which this busybox 1.35 dies of SIGSEGV).
host_wget() {
	env -u http_proxy -u HTTP_PROXY timeout 10 busybox wget -q -O - "$1"
}

# wait_for_http URL: until it answers (10 s).
wait_for_http() {
	local i
	for ((i = 0; i < 100; i++)); do
		host_wget "$1" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "no answer from $1" >&2
	return 1
}
