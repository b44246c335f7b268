#!/usr/bin/env bats
# Containers on cabin's networks (issue 9, item 5): the default network
# (its address, the host's bridge, NAT), user networks (peers by IP and by
# name, isolation from other networks), published ports (reached from the
# host on 127.0.0.1 and on the container's address), none, host,
# container:, --ip, --dns*, --add-host, and what inspect, ps and port show.
# All traffic goes to loopback and to the test's own containers.

NET_PREFIX=cbc
NET_BASE=10.94
load net_helpers

eval "net_base_$(declare -f setup)"
setup() {
	net_base_setup || return
	import_busybox
}

# mknet NAME N: a network on bridge ${NET_PREFIX}N, subnet $NET_BASE.N.0/24.
mknet() {
	cabin network create --subnet "$NET_BASE.$2.0/24" \
		-o com.docker.network.bridge.name="${NET_PREFIX}$2" "$1" >/dev/null
}

# free_port: a TCP port no socket uses, below the ephemeral range, where
# the kernel's own picks for outgoing connections could take it between
# this check and its use.
free_port() {
	local p low
	read -r low _ </proc/sys/net/ipv4/ip_local_port_range
	for ((p = low / 2 + RANDOM % 2000; p < low - 7; p += 7)); do
		ss -Htan "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
}

@test "default network: an address from its subnet, the host's bridge reachable, inspect shows it" {
	id=$(run_d --name c1 busybox sleep 300)
	ip=$(ip_of c1)
	[[ $ip == "$NET_BASE.0."* ]]
	[ "$(cabin inspect -f '{{.NetworkSettings.Gateway}}' c1)" = "$NET_BASE.0.1" ]
	[ "$(cabin inspect -f '{{.HostConfig.NetworkMode}}' c1)" = bridge ]
	[ "$(cabin inspect c1 | jq -r '.[0].NetworkSettings.Networks.cabin.IPAddress')" = "$ip" ]
	# the host's side of the bridge answers, and the container's address is on it
	run_cabin exec c1 ping -c 1 -W 5 "$NET_BASE.0.1"
	[ "$status" -eq 0 ]
	busybox ping -c 1 -W 5 "$ip"
	# its hosts file names it; its resolv.conf has no loopback nameserver
	run_cabin exec c1 cat /etc/hosts
	[[ $output == *"$ip	${id:0:12}"* ]]
	run_cabin exec c1 cat /etc/resolv.conf
	[[ $output != *"nameserver 127."* ]]
	# outbound traffic is masqueraded (the rule names the subnet)
	iptables-save -t nat | grep -F -- "$NET_BASE.0." | grep -q -- "-j CNI-"
	# stopped: no address any more, the namespace and the lease gone
	cabin stop -t 1 c1 >/dev/null
	[ "$(ip_of c1)" = "" ]
	assert_no_net_leftovers
	# started again: a network again
	cabin start c1 >/dev/null
	[[ $(ip_of c1) == "$NET_BASE.0."* ]]
}

@test "a user network: peers reach each other by address and by name; hosts follow them" {
	mknet front 1
	run_d --name web --network front busybox httpd -f -p 80 -h /etc >/dev/null
	run_d --name cli --network front --network-alias client busybox sleep 300 >/dev/null
	wait_for cabin exec web sh -c 'netstat -ltn | grep -q :80'
	webip=$(ip_of web front)
	[[ $webip == "$NET_BASE.1."* ]]
	run_cabin exec cli ping -c 1 -W 5 "$webip"
	[ "$status" -eq 0 ]
	run_cabin exec cli ping -c 1 -W 5 web
	[ "$status" -eq 0 ]
	run_cabin exec cli timeout 5 wget -q -O - http://web/hostname
	[ "$status" -eq 0 ]
	# both ways, by alias too
	run_cabin exec web ping -c 1 -W 5 client
	[ "$status" -eq 0 ]
	run_cabin exec web cat /etc/hosts
	[[ $output == *"$(ip_of cli front)	cli client "* ]]
	# a peer that stops leaves the others' hosts files
	cabin stop -t 1 cli >/dev/null
	run_cabin exec web cat /etc/hosts
	[[ $output != *" cli "* ]]
	# a network in use cannot be removed
	run_cabin network rm front
	[ "$status" -ne 0 ]
	[[ $output == *"in use"* ]]
}

@test "two networks: their containers cannot reach each other" {
	mknet red 2
	mknet blue 3
	run_d --name red1 --network red busybox httpd -f -p 80 -h /etc >/dev/null
	run_d --name blue1 --network blue busybox sleep 300 >/dev/null
	rip=$(ip_of red1 red)
	wait_for cabin exec red1 sh -c 'netstat -ltn | grep -q :80'
	run_cabin exec blue1 ping -c 1 -W 2 "$rip"
	[ "$status" -ne 0 ]
	run_cabin exec blue1 timeout 3 wget -q -O - "http://$rip/hostname"
	[ "$status" -ne 0 ]
	# nor by name: the other network's containers are not in its hosts file
	run_cabin exec blue1 cat /etc/hosts
	[[ $output != *"	red1 "* ]]
	# while a container on red does reach it
	run_d --name r2 --network red busybox sleep 300 >/dev/null
	run_cabin exec r2 timeout 5 wget -q -O - "http://$rip/hostname"
	[ "$status" -eq 0 ]
}

@test "-p: busybox httpd reached from the host on 127.0.0.1:HOSTPORT and on the container's address" {
	port=$(free_port)
	mkdir -p "$TMP/www"
	echo "hello from cabin" >"$TMP/www/index.html"
	run_d --name web -p "127.0.0.1:$port:80" -v "$TMP/www:/www:ro" busybox httpd -f -p 80 -h /www >/dev/null
	wait_for_http "http://127.0.0.1:$port/"
	[ "$(host_wget "http://127.0.0.1:$port/")" = "hello from cabin" ]
	[ "$(host_wget "http://$(ip_of web):80/")" = "hello from cabin" ]
	# port, ps and inspect show the binding
	[ "$(cabin port web)" = "80/tcp -> 127.0.0.1:$port" ]
	[ "$(cabin port web 80/tcp)" = "127.0.0.1:$port" ]
	[[ $(cabin ps --format '{{.Ports}}') == "127.0.0.1:$port->80/tcp" ]]
	[ "$(cabin inspect web | jq -r '.[0].NetworkSettings.Ports["80/tcp"][0].HostPort')" = "$port" ]
	[ "$(cabin inspect web | jq -r '.[0].HostConfig.PortBindings["80/tcp"][0].HostPort')" = "$port" ]
	[ "$(cabin inspect web | jq -r '.[0].Config.ExposedPorts | keys[0]')" = 80/tcp ]
	# the same host port for a second container is refused, and nothing is left of it
	run_cabin run -d --name web2 -p "127.0.0.1:$port:80" busybox httpd -f -p 80
	[ "$status" -ne 0 ]
	[[ $output == *"$port"* ]]
	# removed: the port no longer answers, its rules are gone
	cabin rm -f web web2 >/dev/null
	! host_wget "http://127.0.0.1:$port/"
	assert_no_net_leftovers
}

@test "-p CONTAINERPORT and -P: free host ports, shown by port" {
	cabin import --change "EXPOSE 80" --change "EXPOSE 81/tcp" "$(cached_image rootfs.tar)" exposing >/dev/null
	run_d --name one -p 80 busybox httpd -f -p 80 -h /etc >/dev/null
	hp=$(cabin port one 80 | sed 's/.*://')
	[[ $hp =~ ^[0-9]+$ ]] && [ "$hp" -gt 0 ]
	wait_for_http "http://127.0.0.1:$hp/hostname"
	run_d --name all -P exposing httpd -f -p 81 -h /etc >/dev/null
	run_cabin port all
	[ "${#lines[@]}" -eq 2 ]
	[[ $output == *"80/tcp -> 0.0.0.0:"* && $output == *"81/tcp -> 0.0.0.0:"* ]]
	hp=$(cabin port all 81/tcp | sed 's/.*://')
	wait_for_http "http://127.0.0.1:$hp/hostname"
	run_cabin port all 82
	[ "$status" -ne 0 ]
	[[ $output == *"no public port"* ]]
}

@test "--network none: only lo; host: the host's interfaces; container:X: X's namespace" {
	run_cabin run --rm --network none busybox ls /sys/class/net
	[ "$status" -eq 0 ]
	[ "$output" = lo ]
	# host: the host's own namespace (compared by identity: other suites may
	# add or drop veths between two listings), so its interfaces too
	run_cabin run --rm --network host busybox readlink /proc/self/ns/net
	[ "$status" -eq 0 ]
	[ "$output" = "$(readlink /proc/self/ns/net)" ]
	dev=$(ip -o route show default | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }')
	run_cabin run --rm --network host busybox ls /sys/class/net
	[[ $'\n'$output$'\n' == *$'\n'lo$'\n'* ]]
	[ -z "$dev" ] || [[ $'\n'$output$'\n' == *$'\n'$dev$'\n'* ]]
	run_d --name base busybox sleep 300 >/dev/null
	run_cabin run --rm --network container:base busybox ip -o -4 addr show eth0
	[ "$status" -eq 0 ]
	[[ $output == *"$(ip_of base)/24"* ]]
	# and X's hosts and resolv.conf, as docker shares them
	run_cabin run --rm --network container:base busybox cat /etc/hosts
	[ "$output" = "$(cabin exec base cat /etc/hosts)" ]
	# none of them may publish ports; an unknown network is refused at create
	run_cabin create --network none -p 80 busybox true
	[ "$status" -ne 0 ]
	[[ $output == *"-p/-P"* ]]
	run_cabin create --network nosuch busybox true
	[ "$status" -ne 0 ]
	[[ $output == *"--network \`nosuch\`"* ]]
	run_cabin create --network container:nosuch busybox true
	[ "$status" -ne 0 ]
	[ -z "$(ls "$CROOT/containers" | grep -v "$(cabin inspect -f '{{.Id}}' base)")" ]
}

@test "--ip on a user network, --dns, --dns-search, --dns-option, --add-host (host-gateway too)" {
	mknet fixed 4
	run_cabin run --rm --network fixed --ip "$NET_BASE.4.77" busybox ip -o -4 addr show eth0
	[ "$status" -eq 0 ]
	[[ $output == *"$NET_BASE.4.77/24"* ]]
	run_cabin run --rm --ip "$NET_BASE.0.77" busybox true
	[ "$status" -ne 0 ]
	[[ $output == *"--ip"* ]]
	run_cabin run --rm --dns 192.0.2.53 --dns-search example.test --dns-option ndots:3 \
		--add-host db:192.0.2.7 --add-host gw:host-gateway busybox sh -c 'cat /etc/resolv.conf /etc/hosts'
	[ "$status" -eq 0 ]
	[[ $output == *"nameserver 192.0.2.53"* ]]
	[[ $output == *"search example.test"* ]]
	[[ $output == *"options ndots:3"* ]]
	[[ $output == *"192.0.2.7	db"* ]]
	[[ $output == *"$NET_BASE.0.1	gw"* ]]
	[ "$(grep -c nameserver <<<"$output")" -eq 1 ]
	run_cabin create --add-host nocolon busybox true
	[ "$status" -ne 0 ]
	[[ $output == *"--add-host"* ]]
}
