#!/usr/bin/env bats
# cabin run's flags: -d, --name, -e/--env-file, -w, -u, --entrypoint,
# --hostname, --label, --network, the generated /etc files, --pull.

load cabin_helpers

@test "run -d: prints the full id, the container runs under its monitor, ps shows its name" {
	import_busybox
	run_cabin run -d -e "$MARKER" --name web busybox sleep 100
	[ "$status" -eq 0 ]
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	id=$output
	[ "$(cstate web Status)" = running ]
	pid=$(monitor_pid "$id")
	[ -n "$pid" ]
	grep -q cabin-monitor "/proc/$pid/cmdline"
	run_cabin ps
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} == "CONTAINER ID"*"NAMES" ]]
	[[ ${lines[1]} == "${id:0:12}"*busybox*'"sleep 100"'*Up*web ]]
	# by name, by full id, by a unique prefix
	[ "$(cabin inspect -f '{{.Id}}' web)" = "$id" ]
	[ "$(cabin inspect -f '{{.Name}}' "$id")" = /web ]
	[ "$(cabin inspect -f '{{.Name}}' "${id:0:5}")" = /web ]
	cabin rm -f web >/dev/null
	assert_container_gone "$id"
	assert_store_clean
}

@test "run --name: names are unique, checked, and free again after rm; others get a generated one" {
	import_busybox
	cabin run --name same busybox true
	run_cabin run --name same busybox true
	[ "$status" -eq 125 ]
	[[ $output == *'"/same" is already in use'* ]]
	run_cabin run --name 'bad name' busybox true
	[ "$status" -eq 125 ]
	[[ $output == *"invalid container name"* ]]
	run_cabin run --name x busybox true
	[ "$status" -eq 125 ]
	[ "$(cabin ps -aq | wc -l)" -eq 1 ]
	cabin rm same >/dev/null
	cabin run --name same busybox true
	cabin run busybox true
	run_cabin ps -a --format '{{.Names}}'
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} =~ ^[a-z]+_[a-z]+[0-9]*$ ]]
	[ "${lines[1]}" = same ]
	assert_store_clean
}

@test "run: -e and --env-file over the image's Env, KEY alone takes ours; -w made if missing" {
	cabin import -c 'ENV A=image B=image' -c 'WORKDIR /srv' "$(cached_image rootfs.tar)" cfg >/dev/null
	printf '# a comment\n\nB=file\n  C=file\nD\n' >"$TMP/env"
	run_cabin run --rm cfg sh -c 'echo $A $B $C $(pwd)'
	[ "$output" = "image image /srv" ]
	export D=ours
	run_cabin run --rm --env-file "$TMP/env" -e C=cli -w /new/dir cfg sh -c 'echo $A $B $C $D $(pwd)'
	unset D
	[ "$status" -eq 0 ]
	[ "$output" = "image file cli ours /new/dir" ]
	run_cabin run --rm -w relative cfg true
	[ "$status" -eq 125 ]
	[[ $output == *"absolute path"* ]]
	printf '=x\n' >"$TMP/bad"
	run_cabin run --rm --env-file "$TMP/bad" cfg true
	[ "$status" -eq 125 ]
	[[ $output == *"--env-file"*"line 1"* ]]
	run_cabin run --rm --env-file "$TMP/missing" cfg true
	[ "$status" -eq 125 ]
	assert_store_clean
}

@test "run -u: names and ids resolved in the image's /etc/passwd and /etc/group" {
	import_busybox
	run_cabin run --rm -u nobody busybox id
	[ "$output" = "uid=65534(nobody) gid=65534(nogroup)" ]
	run_cabin run --rm -u nobody:daemon busybox id -g
	[ "$output" = 1 ]
	run_cabin run --rm -u 4242:4343 busybox sh -c 'id -u; id -g'
	[ "$output" = "$(printf '4242\n4343')" ]
	run_cabin run --rm -u nosuchuser busybox true
	[ "$status" -eq 125 ]
	[[ $output == *"-u \`nosuchuser\`"*"unable to find user nosuchuser"* ]]
	assert_store_clean
}

@test "run --entrypoint: replaces the image's and its Cmd; \"\" clears it" {
	cabin import -c 'ENTRYPOINT ["/bin/echo", "ep"]' -c 'CMD ["default"]' \
		"$(cached_image rootfs.tar)" ep >/dev/null
	run_cabin run --rm ep
	[ "$output" = "ep default" ]
	run_cabin run --rm ep more
	[ "$output" = "ep more" ]
	run_cabin run --rm --entrypoint /bin/hostname -h box ep
	[ "$output" = box ]
	run_cabin run --rm --entrypoint "" ep /bin/echo plain
	[ "$output" = plain ]
	run_cabin run --rm --entrypoint "" ep
	[ "$status" -eq 125 ]
	[[ $output == *"no command"* ]]
	assert_store_clean
}

@test "run: /etc/hostname, /etc/hosts and /etc/resolv.conf are the container's own" {
	import_busybox
	run_cabin run --name etc --hostname box --domainname example.org busybox sh -c \
		'cat /etc/hostname; hostname; head -1 /etc/hosts; grep -c nameserver /etc/resolv.conf; echo x >> /etc/hosts'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = box ]
	[ "${lines[1]}" = box ]
	[[ ${lines[2]} == "127.0.0.1"*localhost ]]
	[ "${lines[3]}" -ge 1 ]
	# generated in the container's folder, not in the image
	id=$(cabin inspect -f '{{.Id}}' etc)
	[ "$(cat "$(cabin inspect -f '{{.HostnamePath}}' etc)")" = box ]
	[ "$(tail -1 "$CROOT/containers/$id/hosts")" = x ]
	! grep -q 127.0.0.53 "$CROOT/containers/$id/resolv.conf"
	! grep -qE '^nameserver (127\.|::1)' "$CROOT/containers/$id/resolv.conf"
	[ ! -e "$CROOT/containers/$id/upper/etc/hostname" ] || [ ! -s "$CROOT/containers/$id/upper/etc/hostname" ]
	assert_store_clean
}

@test "run --network: the default network by default, none has only lo (up), host is the host's; others are refused" {
	import_busybox
	run_cabin run --rm --network none busybox sh -c 'ls /sys/class/net; cat /sys/class/net/lo/operstate'
	[ "${lines[0]}" = lo ]
	[ "${#lines[@]}" -eq 2 ]
	run_cabin run --rm busybox ls /sys/class/net
	[ "$output" = "$(printf 'eth0\nlo')" ]
	# host: the host's namespace itself (other suites add and drop veths, so
	# two listings of its interfaces may differ)
	run_cabin run --rm --network host busybox sh -c 'readlink /proc/self/ns/net; hostname'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(readlink /proc/self/ns/net)" ]
	[ "${lines[1]}" = "$(hostname)" ]
	run_cabin run --rm --network nosuch busybox true
	[ "$status" -eq 125 ]
	[[ $output == *"--network \`nosuch\`"* ]]
	assert_store_clean
}

@test "run --label and --label-file, merged with the image's labels" {
	cabin import -c 'LABEL from=image kept=yes' "$(cached_image rootfs.tar)" lab >/dev/null 2>&1 ||
		cabin import "$(cached_image rootfs.tar)" lab >/dev/null
	printf 'f=file\n' >"$TMP/labels"
	cabin run --name labs -l a=1 --label b --label-file "$TMP/labels" lab true
	run_cabin inspect -f '{{json .Config.Labels}}' labs
	[ "$(jq -r .a <<<"$output")" = 1 ]
	[ "$(jq -r .b <<<"$output")" = "" ]
	[ "$(jq -r .f <<<"$output")" = file ]
	run_cabin ps -a --filter label=a=1 --format '{{.Names}}'
	[ "$output" = labs ]
	run_cabin ps -a --filter label=a=2 -q
	[ -z "$output" ]
	assert_store_clean
}

@test "run: PID 1 is the command and sees only the container's processes" {
	import_busybox
	run_d --name pids busybox sleep 100 >/dev/null
	# ps itself is PID 1, and alone (the other container is not seen)
	run_cabin run --rm busybox ps -o pid,args
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[1]} =~ ^\ +1\ ps ]]
	run_cabin run --rm busybox sh -c 'cat /proc/1/cmdline | tr "\0" " "'
	[ "$output" = "sh -c cat /proc/1/cmdline | tr \"\\0\" \" \" " ]
	cabin rm -f pids >/dev/null
	assert_store_clean
}
