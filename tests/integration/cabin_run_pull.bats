#!/usr/bin/env bats
# run and create --pull missing|always|never, against a local registry
# (Debian's docker-registry, started for this file).

load registry_helpers

setup_file() {
	export REGDIR=$BATS_FILE_TMPDIR/reg/pull
	REG=$(reg_start "$REGDIR") || return 1
	export REG
	push_oci "$(cached_image oci)" busybox "$REG/run/busybox:1" || return 1
}

teardown_file() {
	reg_stop_all
}

@test "run --pull missing (the default): an image not here is pulled first, then run" {
	run_cabin run --rm --tls-verify=false "$REG/run/busybox:1" echo ran
	[ "$status" -eq 0 ]
	[[ $output == *"Unable to find image '$REG/run/busybox:1' locally"* ]]
	[[ $output == *"Status: Downloaded newer image"* ]]
	[ "${lines[-1]}" = ran ]
	# here now: not pulled again
	run_cabin run --rm "$REG/run/busybox:1" echo again
	[ "$output" = again ]
	assert_store_clean
}

@test "run --pull always pulls every time; never refuses an image that is not here" {
	run_cabin run --rm --pull never "$REG/run/busybox:1" true
	[ "$status" -eq 125 ]
	[[ $output == *"No such image"* ]]
	run_cabin create --pull always --tls-verify=false --name made "$REG/run/busybox:1" true
	[ "$status" -eq 0 ]
	[[ $output == *"Downloaded newer image"* ]]
	run_cabin run --rm --pull always --tls-verify=false "$REG/run/busybox:1" echo ran
	[ "$status" -eq 0 ]
	[[ $output == *"Image is up to date"* ]]
	[ "${lines[-1]}" = ran ]
	run_cabin run --rm --pull sometimes "$REG/run/busybox:1" true
	[ "$status" -eq 125 ]
	run_cabin run --rm --tls-verify=false "$REG/run/nothere:1" true
	[ "$status" -eq 125 ]
	[ "$(cabin ps -aq | wc -l)" -eq 1 ]
	assert_store_clean
}
