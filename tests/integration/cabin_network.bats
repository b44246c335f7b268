#!/usr/bin/env bats
# cabin's networks: the conflists (create, ls, inspect, rm, prune, the
# default network), and containers on them (bridge, NAT, ports, names,
# isolation, none, host, container:, DNS and hosts flags).

NET_PREFIX=cbn
NET_BASE=10.95
load net_helpers

@test "network create: a CNI conflist in ROOT/net.d (bridge, host-local, portmap, firewall)" {
	run_cabin network create --subnet "$NET_BASE.1.0/24" --gateway "$NET_BASE.1.254" \
		--label team=a -o com.docker.network.bridge.name="${NET_PREFIX}1" front
	[ "$status" -eq 0 ]
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	id=$output
	f=$CROOT/net.d/front.conflist
	[ -f "$f" ]
	[ "$(jq -r .name "$f")" = front ]
	[ "$(jq -r .cniVersion "$f")" = 1.0.0 ]
	[ "$(jq -r '[.plugins[].type] | join(",")' "$f")" = bridge,portmap,firewall ]
	[ "$(jq -r '.plugins[0].bridge' "$f")" = "${NET_PREFIX}1" ]
	[ "$(jq -r '.plugins[0].ipam.ranges[0][0].subnet' "$f")" = "$NET_BASE.1.0/24" ]
	[ "$(jq -r '.plugins[0].ipam.ranges[0][0].gateway' "$f")" = "$NET_BASE.1.254" ]
	[ "$(jq -r '.plugins[0].ipMasq' "$f")" = true ]
	[ "$(jq -r '.plugins[1].capabilities.portMappings' "$f")" = true ]
	[ "$(jq -r '.plugins[2].ingressPolicy' "$f")" = same-bridge ]
	run_cabin network ls
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^NETWORK\ ID\ +NAME\ +DRIVER\ +SCOPE$ ]]
	[[ $output == *"${id:0:12}   front   bridge   local"* ]]
	run_cabin network ls -q --no-trunc --filter name=fro
	[ "$output" = "$id" ]
	run_cabin network ls --filter label=team=b -q
	[ -z "$output" ]
	run_cabin network inspect front
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$id" ]
	[ "$(jq -r '.[0].IPAM.Config[0].Subnet' <<<"$output")" = "$NET_BASE.1.0/24" ]
	[ "$(jq -r '.[0].IPAM.Config[0].Gateway' <<<"$output")" = "$NET_BASE.1.254" ]
	[ "$(jq -r '.[0].Labels.team' <<<"$output")" = a ]
	[ "$(jq -r '.[0].Internal' <<<"$output")" = false ]
	[ "$(jq -r '.[0].ConfigFile' <<<"$output")" = "$f" ]
	# by id prefix too
	run_cabin network inspect "${id:0:8}"
	[ "$(jq -r '.[0].Name' <<<"$output")" = front ]
	run_cabin network rm front
	[ "$status" -eq 0 ]
	[ ! -e "$f" ]
	run_cabin network rm front
	[ "$status" -eq 1 ]
	[[ $output == *"network \`front\` not found"* ]]
	run_cabin network rm -f front
	[ "$status" -eq 0 ]
}

@test "network create: refusals name what is wrong, and write nothing" {
	cabin network create --subnet "$NET_BASE.2.0/24" \
		-o com.docker.network.bridge.name="${NET_PREFIX}2" a >/dev/null
	run_cabin network create a
	[ "$status" -eq 1 ] && [[ $output == *"already exists"* ]]
	run_cabin network create --subnet "$NET_BASE.2.128/25" b
	[ "$status" -eq 1 ] && [[ $output == *"overlaps the subnet $NET_BASE.2.0/24"* ]]
	run_cabin network create --subnet "$NET_BASE.3.1/24" b
	[ "$status" -eq 1 ] && [[ $output == *"did you mean $NET_BASE.3.0/24"* ]]
	run_cabin network create --subnet "$NET_BASE.3.0/24" --gateway 10.1.1.1 b
	[ "$status" -eq 1 ] && [[ $output == *"--gateway"*"not a host address"* ]]
	run_cabin network create --subnet fd00::/64 b
	[ "$status" -eq 1 ] && [[ $output == *"IPv6"* ]]
	run_cabin network create -o com.docker.network.bridge.name="${NET_PREFIX}2" b
	[ "$status" -eq 1 ] && [[ $output == *"another network's"* ]]
	run_cabin network create -o bogus=1 b
	[ "$status" -eq 1 ] && [[ $output == *"-o \`bogus=1\`: unknown option"* ]]
	run_cabin network create -d macvlan b
	[ "$status" -eq 1 ] && [[ $output == *"only bridge"* ]]
	for n in host none bridge cabin; do
		run_cabin network create "$n"
		[ "$status" -eq 1 ] && [[ $output == *predefined* ]]
	done
	run_cabin network create 'a b'
	[ "$status" -eq 1 ] && [[ $output == *"network name"* ]]
	[ "$(ls "$CROOT/net.d")" = a.conflist ]
}

@test "the default network: written on first use (bridge and subnet configurable), not removable" {
	[ ! -e "$CROOT/net.d/cabin.conflist" ]
	run_cabin network ls
	[ "$status" -eq 0 ]
	[[ $output == *"   cabin   bridge   local"* ]]
	f=$CROOT/net.d/cabin.conflist
	[ "$(jq -r '.plugins[0].bridge' "$f")" = "${NET_PREFIX}0" ]
	[ "$(jq -r '.plugins[0].ipam.ranges[0][0].subnet' "$f")" = "$NET_BASE.0.0/24" ]
	# with nothing set, its own bridge and a subnet of neither podman nor docker
	local r2=$TMP/other
	run env -u CABIN_DEFAULT_SUBNET -u CABIN_DEFAULT_BRIDGE "$CABIN" --root "$r2" \
		--runroot "$TMP/other-run" network inspect bridge
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].Name' <<<"$output")" = cabin ]
	[ "$(jq -r '.[0].IPAM.Config[0].Subnet' <<<"$output")" = 10.90.0.0/16 ]
	[ "$(jq -r '.[0].Options["com.docker.network.bridge.name"]' <<<"$output")" = cabin0 ]
	run_cabin network rm cabin
	[ "$status" -eq 1 ]
	[[ $output == *"cannot be removed"* ]]
	run_cabin network prune -f
	[ -e "$f" ]
}

@test "network prune: removes every network no container uses, not the default one" {
	cabin network create --subnet "$NET_BASE.4.0/24" -o com.docker.network.bridge.name="${NET_PREFIX}4" p1 >/dev/null
	cabin network create --subnet "$NET_BASE.5.0/24" -o com.docker.network.bridge.name="${NET_PREFIX}5" p2 >/dev/null
	run_cabin network prune -f
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Deleted Networks:" ]
	[[ $output == *p1* && $output == *p2* ]]
	[ "$(cabin network ls -q | wc -l)" -eq 1 ]
	# without -f it asks, and a no keeps them
	cabin network create --subnet "$NET_BASE.4.0/24" -o com.docker.network.bridge.name="${NET_PREFIX}4" p1 >/dev/null
	run_cabin network prune
	[[ $output == *"Are you sure"* ]]
	[ -e "$CROOT/net.d/p1.conflist" ]
}

@test "network create without --subnet: a free /24 from 10.91.0.0 on, clear of this root's networks" {
	cabin network create --subnet 10.91.0.0/24 -o com.docker.network.bridge.name="${NET_PREFIX}6" taken >/dev/null
	run_cabin network create -o com.docker.network.bridge.name="${NET_PREFIX}7" auto
	[ "$status" -eq 0 ]
	sub=$(jq -r '.plugins[0].ipam.ranges[0][0].subnet' "$CROOT/net.d/auto.conflist")
	[[ $sub =~ ^10\.9[1-9]\.[0-9]+\.0/24$ ]]
	[ "$sub" != 10.91.0.0/24 ]
	# and the bridge name defaults to cbr- and the id
	run_cabin network create -o com.docker.network.bridge.name="${NET_PREFIX}8" --subnet "$NET_BASE.8.0/24" named
	run_cabin network create --subnet "$NET_BASE.9.0/24" plain
	id=$output
	[ "$(jq -r '.plugins[0].bridge' "$CROOT/net.d/plain.conflist")" = "cbr-${id:0:10}" ]
	cabin network rm plain >/dev/null
}
