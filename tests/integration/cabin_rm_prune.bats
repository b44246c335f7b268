#!/usr/bin/env bats
# cabin rm (-f, -v), cabin container prune, cabin system prune.

load cabin_helpers

@test "rm: by name, id or prefix; -f kills a running one; nothing of them is left" {
	import_busybox
	a=$(cabin create --name aa busybox true)
	b=$(run_d --name bb busybox sleep 1000)
	cabin run --name cc busybox true
	c=$(cabin inspect -f '{{.Id}}' cc)
	run_cabin rm bb
	[ "$status" -ne 0 ]
	[[ $output == *"is running"*"-f"* ]]
	run_cabin rm aa "${c:0:10}"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'aa\n%s' "${c:0:10}")" ]
	run_cabin rm -f -v "$b"
	[ "$status" -eq 0 ]
	for id in "$a" "$b" "$c"; do
		assert_container_gone "$id"
	done
	[ -z "$(ls "$CROOT/containers")" ]
	# the names are free again
	cabin create --name aa busybox true >/dev/null
	run_cabin rm nosuch aa
	[ "$status" -ne 0 ]
	[[ $output == *"no such container: \`nosuch\`"* ]]
	[[ $output == *aa* ]]
	assert_store_clean
}

@test "container prune: every stopped (and created) container goes, running ones and filters stay" {
	import_busybox
	cabin create --name made busybox true >/dev/null
	cabin run --name done busybox true
	cabin run --name kept -l keep=yes busybox true
	run_d --name up busybox sleep 1000 >/dev/null
	run_cabin container prune -f --filter label!=keep
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "Deleted Containers:" ]]
	[ "$(grep -cE '^[0-9a-f]{64}$' <<<"$output")" -eq 2 ]
	[[ ${lines[-1]} == "Total reclaimed space: "* ]]
	[ "$(cabin ps -a --format '{{.Names}}' | sort | tr '\n' ' ')" = "kept up " ]
	# asked without -f: no answer, nothing removed
	run_cabin container prune
	[ "$(cabin ps -aq | wc -l)" -eq 2 ]
	run_cabin container prune -f --filter until=1h
	[ "$(cabin ps -aq | wc -l)" -eq 2 ]
	run_cabin container prune -f --filter colour=red
	[ "$status" -ne 0 ]
	cabin rm -f up >/dev/null
	assert_store_clean
}

@test "system prune: stopped containers, then the images none uses; -a every unused image" {
	import_busybox
	import_busybox other
	cabin rmi other >/dev/null || true
	cabin import "$(cached_image rootfs.tar)" spare >/dev/null
	cabin run --name done busybox true
	run_cabin system prune -f
	[ "$status" -eq 0 ]
	[[ $output == *"Deleted Containers:"* ]]
	[ -z "$(cabin ps -aq)" ]
	# spare is named: only -a removes it
	[[ "$(cabin images)" == *spare* ]]
	run_cabin system prune -f -a
	[ "$status" -eq 0 ]
	[[ "$(cabin images)" != *spare* ]]
	assert_store_clean
}
