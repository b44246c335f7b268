#!/usr/bin/env bats
# cabin's volumes (create, ls, inspect, rm, prune) and what containers
# mount: named and anonymous volumes, bind mounts, tmpfs.

NET_PREFIX=cbv
NET_BASE=10.96
load net_helpers

@test "volume create, ls, inspect, rm: a folder under ROOT/volumes" {
	run_cabin volume create --label team=a data
	[ "$status" -eq 0 ]
	[ "$output" = data ]
	[ -d "$CROOT/volumes/data/_data" ]
	# making it again changes nothing
	echo kept >"$CROOT/volumes/data/_data/f"
	run_cabin volume create data
	[ "$status" -eq 0 ]
	[ "$(cat "$CROOT/volumes/data/_data/f")" = kept ]
	run_cabin volume create
	[ "$status" -eq 0 ]
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	gen=$output
	run_cabin volume ls
	[ "${lines[0]}" = "DRIVER   VOLUME NAME" ]
	[[ $output == *"local    data"* && $output == *"local    $gen"* ]]
	run_cabin volume ls -q --filter label=team=a
	[ "$output" = data ]
	run_cabin volume ls -q --filter name=dat
	[ "$output" = data ]
	run_cabin volume inspect data
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].Name' <<<"$output")" = data ]
	[ "$(jq -r '.[0].Driver' <<<"$output")" = local ]
	[ "$(jq -r '.[0].Mountpoint' <<<"$output")" = "$CROOT/volumes/data/_data" ]
	[ "$(jq -r '.[0].Labels.team' <<<"$output")" = a ]
	[[ $(jq -r '.[0].CreatedAt' <<<"$output") =~ ^20[0-9-]+T ]]
	run_cabin volume rm data "$gen"
	[ "$status" -eq 0 ]
	[ ! -e "$CROOT/volumes/data" ]
	run_cabin volume rm data
	[ "$status" -eq 1 ] && [[ $output == *"no such volume"* ]]
	run_cabin volume rm -f data
	[ "$status" -eq 0 ]
	[ -z "$(ls -A "$CROOT/volumes")" ]
}

@test "volume: refusals (names, drivers, options)" {
	run_cabin volume create x
	[ "$status" -eq 1 ] && [[ $output == *"not a volume name"* ]]
	run_cabin volume create ../../etc
	[ "$status" -eq 1 ] && [[ $output == *"not a volume name"* ]]
	run_cabin volume create -d nfs v1
	[ "$status" -eq 1 ] && [[ $output == *"only the local driver"* ]]
	run_cabin volume create -o type=tmpfs v1
	[ "$status" -eq 1 ] && [[ $output == *"takes no options"* ]]
	run_cabin volume ls --filter bogus=1
	[ "$status" -eq 1 ] && [[ $output == *"--filter"* ]]
	[ -z "$(ls -A "$CROOT/volumes" 2>/dev/null)" ]
}

@test "volume prune: anonymous unused ones, or with -a every unused one" {
	cabin volume create named >/dev/null
	run_cabin volume prune -f
	[ "$status" -eq 0 ]
	[[ $output == *"Total reclaimed space"* ]]
	[ -d "$CROOT/volumes/named" ]
	echo 12345 >"$CROOT/volumes/named/_data/f"
	run_cabin volume prune -f -a
	[ "${lines[0]}" = "Deleted Volumes:" ]
	[ "${lines[1]}" = named ]
	[ ! -e "$CROOT/volumes/named" ]
}

# Containers' mounts (issue 9, items 4 and 5).  --network none: these tests
# are about files.

@test "-v NAME:/path: made on first use, filled from the image once, kept across container removal" {
	import_busybox
	run_cabin run --rm --network none -v data:/etc busybox sh -c 'ls /etc/passwd; echo one >/etc/mine'
	[ "$status" -eq 0 ]
	[ -f "$CROOT/volumes/data/_data/passwd" ]
	# the next container sees what the last one left (not the image's again)
	rm "$CROOT/volumes/data/_data/passwd"
	run_cabin run --rm --network none -v data:/etc busybox sh -c 'cat /etc/mine; ls /etc/passwd'
	[ "${lines[0]}" = one ]
	[ "$status" -ne 0 ]
	# in use: not removable; its user gone: removable
	id=$(run_d --network none --name user -v data:/d busybox sleep 100)
	[ "$(cabin inspect user | jq -r '.[0].Mounts[0].Name')" = data ]
	[ "$(cabin inspect user | jq -r '.[0].Mounts[0].Destination')" = /d ]
	run_cabin volume rm data
	[ "$status" -ne 0 ]
	[[ $output == *"in use by container ${id:0:12}"* ]]
	cabin rm -f user >/dev/null
	cabin volume rm data >/dev/null
	[ ! -e "$CROOT/volumes/data" ]
	# nocopy: left empty
	run_cabin run --rm --network none -v empty:/etc:nocopy busybox ls /etc
	[ -z "$(ls -A "$CROOT/volumes/empty/_data")" ]
}

@test ":ro is enforced for volumes and binds; a bind shows host changes live" {
	import_busybox
	mkdir -p "$TMP/host"
	echo before >"$TMP/host/f"
	run_cabin run --rm --network none -v "$TMP/host:/h:ro" busybox sh -c 'echo x >/h/f'
	[ "$status" -ne 0 ]
	[[ $output == *"Read-only file system"* ]]
	run_cabin run --rm --network none -v ro1:/v:ro busybox touch /v/x
	[ "$status" -ne 0 ]
	run_cabin run --rm --network none --mount type=volume,source=ro1,target=/v,readonly busybox touch /v/x
	[ "$status" -ne 0 ]
	[ "$(cat "$TMP/host/f")" = before ]
	# live: a change on the host is seen by the running container
	run_d --network none --name live -v "$TMP/host:/h" busybox sleep 100 >/dev/null
	[ "$(cabin exec live cat /h/f)" = before ]
	echo after >"$TMP/host/f"
	[ "$(cabin exec live cat /h/f)" = after ]
	cabin exec live sh -c 'echo back >/h/g'
	[ "$(cat "$TMP/host/g")" = back ]
}

@test "binds: -v makes a missing host folder, --mount type=bind refuses one" {
	import_busybox
	run_cabin run --rm --network none -v "$TMP/made/here:/m" busybox true
	[ "$status" -eq 0 ]
	[ -d "$TMP/made/here" ]
	run_cabin run --rm --network none --mount "type=bind,source=$TMP/absent,target=/m" busybox true
	[ "$status" -ne 0 ]
	[[ $output == *"$TMP/absent"* ]]
	[ ! -e "$TMP/absent" ]
	run_cabin run --rm --network none --mount "type=bind,src=$TMP/made,dst=/m,readonly" busybox ls /m
	[ "$output" = here ]
	# bad values name the flag
	run_cabin create -v relative:/x:bogus busybox true
	[ "$status" -ne 0 ]
	[[ $output == *"-v"* ]]
	run_cabin create --mount type=nfs,target=/x busybox true
	[ "$status" -ne 0 ]
	[[ $output == *"--mount"* ]]
	[ -z "$(cabin ps -aq)" ]
	assert_store_clean
}

@test "--tmpfs: a tmpfs of the asked size and mode; --mount type=tmpfs too" {
	import_busybox
	run_cabin run --rm --network none --tmpfs /scratch:size=2m,mode=1777 busybox sh -c \
		'grep " /scratch " /proc/mounts; stat -c %a /scratch; df -k /scratch | tail -1'
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "tmpfs /scratch tmpfs "* ]]
	[[ ${lines[0]} == *size=2048k* ]]
	[[ ${lines[0]} == *nosuid*nodev*noexec* ]]
	[ "${lines[1]}" = 1777 ]
	[ "$(awk '{print $2}' <<<"${lines[2]}")" = 2048 ]
	run_cabin run --rm --network none --mount type=tmpfs,target=/t,tmpfs-size=1048576 busybox sh -c 'df -k /t | tail -1'
	[ "$(awk '{print $2}' <<<"$output")" = 1024 ]
	run_cabin create --tmpfs /x:size=lots busybox true
	[ "$status" -ne 0 ]
	[[ $output == *"--tmpfs"* ]]
}

@test "anonymous volumes: -v /path and the image's VOLUMEs; rm -v and --rm remove them, rm keeps them" {
	cabin import --change "VOLUME /etc" "$(cached_image rootfs.tar)" withvol >/dev/null
	import_busybox
	id=$(cabin create --network none -v /anon busybox true)
	[ "$(cabin volume ls -q | wc -l)" -eq 1 ]
	name=$(cabin inspect "$id" | jq -r '.[0].Mounts[0].Name')
	[ "$(cabin inspect "$id" | jq -r '.[0].Config.Volumes | keys[0]')" = /anon ]
	cabin rm "$id" >/dev/null
	[ -d "$CROOT/volumes/$name" ]
	cabin volume rm "$name" >/dev/null
	# rm -v: gone with it; the image's VOLUME is one, filled from the image
	id=$(cabin create --network none withvol true)
	name=$(cabin inspect "$id" | jq -r '.[0].Mounts[0].Name')
	[ -f "$CROOT/volumes/$name/_data/passwd" ]
	cabin rm -v "$id" >/dev/null
	[ ! -e "$CROOT/volumes/$name" ]
	# --rm: gone too, but a named volume stays
	run_cabin run --rm --network none -v /anon -v keep:/k busybox true
	[ "$status" -eq 0 ]
	[ "$(cabin volume ls -q)" = keep ]
}

@test "system prune: unused networks, with --volumes unused anonymous volumes (docker's)" {
	import_busybox
	cabin network create --subnet "$NET_BASE.3.0/24" -o com.docker.network.bridge.name="${NET_PREFIX}3" spare >/dev/null
	cabin volume create named >/dev/null
	id=$(cabin create --network none -v /anon busybox true)
	anon=$(cabin inspect "$id" | jq -r '.[0].Mounts[0].Name')
	cabin rm "$id" >/dev/null
	run_cabin system prune -f
	[ "$status" -eq 0 ]
	[[ $output == *"Deleted Networks:"*spare* ]]
	[ ! -e "$CROOT/net.d/spare.conflist" ]
	[ -d "$CROOT/volumes/$anon" ]
	run_cabin system prune -f --volumes
	[ "$status" -eq 0 ]
	[[ $output == *"Deleted Volumes:"*"$anon"* ]]
	[ ! -e "$CROOT/volumes/$anon" ]
	[ -d "$CROOT/volumes/named" ]
	# without -f it asks, and says what goes
	run_cabin system prune --volumes
	[[ $output == *"all networks not used by at least one container"* ]]
	[[ $output == *"all anonymous volumes not used"* ]]
}
