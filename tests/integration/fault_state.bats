#!/usr/bin/env bats
# State files damaged by hand (truncated, or garbage): images.json, a
# layer's layer.json, a blob, a container's container.json and the
# monitor's state.json, and the debris killed commands leave.  Every
# command that reads a damaged file fails with an error naming it (or, for
# a container's state, shows it dead with the reason); `cabin system check`
# reports it and exits 1; `--repair` brings the store back (rebuilding what
# it can, dropping what cannot be trusted, and saying which), after which
# the check is clean and the commands work again.

load fault_helpers

# the one layer of the busybox image
busybox_layer() {
	ls "$CROOT/layers"
}

@test "images.json truncated or garbage: image commands name it; repair keeps it aside and rebuilds it" {
	import_busybox
	cabin import -c "ENV OTHER=1" "$(cached_image rootfs.tar)" other:1 >/dev/null
	other=$(cabin inspect -f '{{.Id}}' other:1)
	cabin create --name keep busybox true >/dev/null
	for damage in truncate_half garble; do
		cp "$CROOT/images.json" "$TMP/images.good"
		$damage "$CROOT/images.json"
		for cmd in "images" "image inspect busybox" "run --rm busybox true" "rmi other:1" \
			"system df"; do
			run_cabin $cmd
			[ "$status" -ne 0 ]
			[[ $output == *"$CROOT"*"images.json"* ]]
		done
		run_cabin system check
		[ "$status" -eq 1 ]
		[[ $output == *"$CROOT/images.json: "* ]]
		run_cabin system check --repair
		[ "$status" -eq 0 ]
		[[ $output == *"kept aside as images.json.damaged-"* ]]
		ls "$CROOT"/images.json.damaged-* >/dev/null
		rm -f "$CROOT"/images.json.damaged-*
		# the container's image got its name back; the other one is there by id
		run_cabin images --format json
		[ "$status" -eq 0 ]
		[ "$(jq length <<<"$output")" -eq 2 ]
		[ "$(jq -r '.[] | select(.RepoTags == ["busybox:latest"]) | .Id' <<<"$output" | wc -l)" -eq 1 ]
		[ "$(jq -r --arg id "${other#sha256:}" '.[] | select(.Id == $id) | .RepoTags | length' <<<"$output")" -eq 0 ]
		run_cabin run --rm busybox echo works
		[ "$output" = works ]
		cabin tag "$other" other:1
		run_cabin system check
		[ "$status" -eq 0 ]
		[ "$output" = "No problems found." ]
	done
	cabin rm keep >/dev/null
	assert_nothing_left
}

@test "a layer's layer.json damaged: images, inspect and df name it; repair unpacks the layer again from its blob" {
	import_busybox
	id=$(run_d --name runner busybox sleep 1000)
	l=$(busybox_layer)
	truncate_half "$CROOT/layers/$l/layer.json"
	for cmd in "images" "image inspect busybox" "system df"; do
		run_cabin $cmd
		[ "$status" -ne 0 ]
		[[ $output == *"$CROOT/layers"*"$l"*"layer.json"* ]]
	done
	run_cabin system check
	[ "$status" -eq 1 ]
	[[ $output == *"$CROOT/layers/$l: "* ]]
	run_cabin system check --repair
	[ "$status" -eq 0 ]
	[[ $output == *"unpacked again from blob sha256:"* ]]
	jq -e --arg d "sha256:$l" '.diff_id == $d' "$CROOT/layers/$l/layer.json"
	run_cabin images
	[ "$status" -eq 0 ]
	run_cabin run --rm busybox cat /etc/os-release
	[ "$status" -eq 0 ]
	# the running container kept running through it
	[ "$(cstate runner Status)" = running ]
	cabin rm -f runner >/dev/null
	assert_nothing_left
}

@test "a layer damaged and its blob gone: repair removes the layer, drops the image and names the container that cannot start" {
	import_busybox
	cabin create --name stuck busybox true >/dev/null
	l=$(busybox_layer)
	garble "$CROOT/layers/$l/layer.json"
	rm "$CROOT/blobs/sha256/$l"
	run_cabin system check --repair
	[ "$status" -eq 1 ]
	[[ $output == *"removed (no blob in the store holds it)"* ]]
	[[ $output == *"its record dropped (pull or load it again)"* ]]
	[[ $output == *"(stuck): cannot start"* ]]
	[ ! -e "$CROOT/layers/$l" ]
	run_cabin images -q
	[ -z "$output" ]
	run_cabin start stuck
	[ "$status" -ne 0 ]
	# rm still works, and then the store is consistent again
	cabin rm stuck >/dev/null
	import_busybox
	cabin run --rm busybox true
	assert_nothing_left
}

@test "a blob corrupt (a manifest, a config): the image names it; repair removes it and drops the image" {
	import_busybox
	cabin import -c "ENV SECOND=1" "$(cached_image rootfs.tar)" second >/dev/null
	manifest=$(jq -r '.images[] | select(.names == ["docker.io/library/busybox:latest"]) | .manifests[0]' "$CROOT/images.json")
	config=$(jq -r '.images[] | select(.names == ["docker.io/library/second:latest"]) | .id' "$CROOT/images.json")
	echo garbage >>"$CROOT/blobs/sha256/${manifest#sha256:}"
	garble "$CROOT/blobs/sha256/${config#sha256:}"
	run_cabin run --rm busybox true
	[ "$status" -ne 0 ]
	[[ $output == *"$manifest"* ]]
	run_cabin image inspect second
	[ "$status" -ne 0 ]
	[[ $output == *"$config"* ]]
	run_cabin system check
	[ "$status" -eq 1 ]
	[[ $output == *"blobs/sha256/${manifest#sha256:}: its content does not have its digest"* ]]
	run_cabin system check --repair
	[ "$status" -eq 0 ]
	[ "$(grep -c 'its record dropped' <<<"$output")" -eq 2 ]
	[ ! -e "$CROOT/blobs/sha256/${manifest#sha256:}" ]
	run_cabin images -q
	[ -z "$output" ]
	# loading again gives a working image
	import_busybox
	cabin run --rm busybox true
	assert_nothing_left
}

@test "a container's container.json damaged: every command on it names the file; repair drops it, processes and mount too" {
	import_busybox
	id=$(run_d --name broken busybox sleep 1000)
	cabin create --name fine busybox true >/dev/null
	remember_ids
	wait_for is_status broken running
	pid=$(cstate broken Pid)
	garble "$CROOT/containers/$id/container.json"
	for cmd in "ps -a" "inspect broken" "rm -f broken" "stop broken" "logs broken" \
		"start broken" "exec broken true"; do
		run_cabin $cmd
		[ "$status" -ne 0 ]
		[[ $output == *"$CROOT/containers/$id"*"container.json"* ]]
	done
	run_cabin system check
	[ "$status" -eq 1 ]
	[[ $output == *"$CROOT/containers/$id/container.json: "* ]]
	# nothing was changed by the check
	kill -0 "$pid"
	run_cabin system check --repair
	[ "$status" -eq 0 ]
	[[ $output == *"the container is dropped"* ]]
	! kill -0 "$pid" 2>/dev/null
	assert_container_gone "$id"
	run_cabin ps -a --format '{{.Names}}'
	[ "$output" = fine ]
	# its name is free again
	cabin run --rm --name broken busybox true
	cabin rm fine >/dev/null
	assert_nothing_left
}

@test "a truncated container.json of a stopped container: repair drops it and nothing else" {
	import_busybox
	cabin run --name gone busybox true
	id=$(cid gone)
	cabin run --name kept busybox true
	remember_ids
	truncate_half "$CROOT/containers/$id/container.json"
	run_cabin ps -a
	[ "$status" -ne 0 ]
	[[ $output == *"$CROOT/containers/$id"* ]]
	run_cabin system check --repair
	[ "$status" -eq 0 ]
	run_cabin ps -a --format '{{.Names}}'
	[ "$output" = kept ]
	cabin rm kept >/dev/null
	assert_nothing_left
}

@test "the monitor's state.json damaged: ps and inspect say dead and name it; repair resets it; start and rm work" {
	import_busybox
	run_cabin run --name ended busybox sh -c 'exit 3'
	[ "$status" -eq 3 ]
	id=$(cid ended)
	for damage in garble truncate_half; do
		echo '{"run": 1, "status": "exited", "exit_code": 3, "oom_killed": false}' \
			>"$CROOT/containers/$id/state.json"
		$damage "$CROOT/containers/$id/state.json"
		run_cabin ps -a --format '{{.Status}}'
		[ "$status" -eq 0 ]
		[ "$output" = Dead ]
		[ "$(cstate ended Status)" = dead ]
		[[ "$(cstate ended Error)" == *"$CROOT/containers/$id"*"state.json"* ]]
		run_cabin system check
		[ "$status" -eq 1 ]
		[[ $output == *"$CROOT/containers/$id/state.json: "* ]]
		run_cabin system check --repair
		[ "$status" -eq 0 ]
		[ "$(cstate ended Status)" = exited ]
		[ "$(cstate ended ExitCode)" = 255 ]
		[[ "$(cstate ended Error)" == *"reset by \`cabin system check --repair\`"* ]]
	done
	# a state that is JSON but not a monitor's is damage too
	echo '{"status": 7}' >"$CROOT/containers/$id/state.json"
	[ "$(cstate ended Status)" = dead ]
	cabin system check --repair >/dev/null
	run_cabin start -a ended
	[ "$status" -eq 3 ]
	[ "$(cstate ended ExitCode)" = 3 ]
	cabin rm ended >/dev/null
	assert_nothing_left
}

@test "debris of killed commands (scratch, half-removed folder, stale names and links, runtime state of no container): reported, then repaired" {
	import_busybox
	cabin run --name victim busybox true
	id=$(cid victim)
	remember_ids
	mkdir -p "$CROOT/tmp/DEBRIS0000000000000001/layer/diff"
	echo partial >"$CROOT/blobs/sha256/.tmp-partial"
	# a removal killed after the rename
	mv "$CROOT/containers/$id" "$CROOT/containers/.rm-$id"
	ln -s 0000000000000000000000000000000000000000000000000000000000000000 "$CROOT/names/ghost"
	# a name's replacement link whose maker died before its rename
	sh -c 'exit 0' &
	dead=$!
	wait "$dead"
	ln -s "$id" "$CROOT/names/.new-$dead-7"
	ln -s ../layers/0000/diff "$CROOT/l/AAAAAAAAAAAAAAAAAAAAAAAAAA"
	rm "$CROOT/l/$(jq -r .link "$CROOT/layers/$(busybox_layer)/layer.json")"
	fake=1111111111111111111111111111111111111111111111111111111111111111
	mkdir -p "$CRUN/containers/$fake"
	run_cabin system check
	[ "$status" -eq 1 ]
	for what in "$CROOT/tmp/DEBRIS0000000000000001" "$CROOT/blobs/sha256/.tmp-partial" \
		"$CROOT/containers/.rm-$id" "$CROOT/names/ghost" "$CROOT/l/AAAAAAAAAAAAAAAAAAAAAAAAAA" \
		"short link is missing" "$CRUN/containers/$fake" "$CROOT/names/.new-$dead-7"; do
		[[ $output == *"$what"* ]]
	done
	# the check changed nothing
	[ -d "$CROOT/tmp/DEBRIS0000000000000001" ]
	[ -L "$CROOT/names/ghost" ]
	run_cabin system check --repair
	[ "$status" -eq 0 ]
	[[ $output == *" repaired, 0 left."* ]]
	[ ! -e "$CROOT/tmp/DEBRIS0000000000000001" ]
	[ ! -e "$CROOT/containers/.rm-$id" ]
	[ ! -L "$CROOT/names/ghost" ]
	[ ! -L "$CROOT/names/.new-$dead-7" ]
	[ ! -e "$CRUN/containers/$fake" ]
	run_cabin system check
	[ "$output" = "No problems found." ]
	# the legacy overlay mount uses the short links: it works again
	cabin --storage-opt overlay.mount_api=legacy run --rm busybox true
	assert_nothing_left
}

@test "system check --format json" {
	import_busybox
	garble "$CROOT/images.json"
	run_cabin system check --format json
	[ "$status" -eq 1 ]
	jq -e --arg p "$CROOT/images.json" '.Found == 1 and .Unrepaired == 1 and .Problems[0].What == $p and .Problems[0].Repaired == null' <<<"$output"
	run_cabin system check --repair --format json
	[ "$status" -eq 0 ]
	jq -e '.Unrepaired == 0 and (.Problems[0].Repaired | startswith("kept aside"))' <<<"$output"
	run_cabin system check --format yaml
	[ "$status" -ne 0 ]
	[[ $output == *"--format"* ]]
}

@test "a root left mounted (monitor and process killed): reported, and repair unmounts it" {
	import_busybox
	id=$(run_d --name mnted busybox sleep 1000)
	remember_ids
	mon=$(monitor_pid "$id")
	pid=$(cstate mnted Pid)
	kill -9 "$mon" "$pid"
	wait_for_exit "$pid"
	wait_for_exit "$mon"
	[ "$(cabin inspect -f '{{.State.Status}}' mnted)" = exited ]
	mountpoint -q "$CROOT/containers/$id/rootfs"
	run_cabin system check
	[ "$status" -eq 1 ]
	[[ $output == *"$CROOT/containers/$id/rootfs"*"mounted, but the container does not run"* ]]
	run_cabin system check --repair
	[ "$status" -eq 0 ]
	! mountpoint -q "$CROOT/containers/$id/rootfs"
	run_cabin system check
	[ "$output" = "No problems found." ]
	cabin rm mnted >/dev/null
	assert_nothing_left
}
