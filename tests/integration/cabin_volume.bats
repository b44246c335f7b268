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
