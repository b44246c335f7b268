#!/usr/bin/env bats
# A store on a small tmpfs that fills up during pull and during load: the
# command fails with an error that says the disk is full, the store is
# consistent (no record of the image, `system check` finds nothing but the
# debris of the failed command), and once space is freed (the tmpfs grown)
# the same command works and the image runs.

load registry_helpers
load fault_helpers

setup_file() {
	# 4 layers of 3 MiB of random data: 12 MiB of blobs and 12 MiB unpacked
	fault_registry big 4 3072 disk/big:1 || return 1
	"$MKIMAGE" docker-archive "$BATS_FILE_TMPDIR/img" big "$BATS_FILE_TMPDIR/big.tar" big:1 ||
		return 1
}

teardown_file() {
	reg_stop_all
}

# small_root MIB: the store on a tmpfs of MIB MiB of its own.
small_root() {
	mkdir -p "$TMP/small"
	mount -t tmpfs -o size="$1"m cabin-fault-disk "$TMP/small"
	CROOT=$TMP/small/root
	FAULT_OWN_MOUNTS=$TMP/small
}

grow_root() {
	mount -o remount,size="$1"m "$TMP/small"
}

# the failed command left a store that checks clean (after its debris,
# which the next writer sweeps anyway) and records no image
consistent_after_enospc() {
	run_cabin images -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run_cabin system check --repair
	[ "$status" -eq 0 ]
	run_cabin system check
	[ "$output" = "No problems found." ]
}

@test "pull onto a store that fills up: 'no space left', a consistent store, and the pull works once there is room" {
	small_root 14
	run_cabin pull "$REG/disk/big:1"
	[ "$status" -ne 0 ]
	[[ $output == *"No space left on device"* ]]
	# the error names what it was writing
	[[ $output == *"layer"* ]]
	consistent_after_enospc
	grow_root 64
	run_cabin pull -q "$REG/disk/big:1"
	[ "$status" -eq 0 ]
	run_cabin run --rm "$REG/disk/big:1" sh -c 'cat /data/*.bin | wc -c'
	[ "$status" -eq 0 ]
	[ "$output" -eq $((4 * 3072 * 1024)) ]
	run_cabin system check
	[ "$output" = "No problems found." ]
	assert_nothing_left
}

@test "load onto a store that fills up: 'no space left', a consistent store, and the load works once there is room" {
	small_root 14
	run_cabin load -i "$BATS_FILE_TMPDIR/big.tar"
	[ "$status" -ne 0 ]
	[[ $output == *"No space left on device"* ]]
	consistent_after_enospc
	grow_root 64
	run_cabin load -i "$BATS_FILE_TMPDIR/big.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: big:1" ]
	run_cabin run --rm big:1 sh -c 'cat /data/*.bin | wc -c'
	[ "$status" -eq 0 ]
	[ "$output" -eq $((4 * 3072 * 1024)) ]
	assert_nothing_left
}

@test "a container that fills the store's disk: its write fails, cabin's own records stay whole" {
	small_root 64
	import_busybox
	run_cabin run --name filler busybox sh -c 'dd if=/dev/zero of=/fill bs=1M count=100 2>&1; echo dd=$?'
	[[ $output == *"No space left on device"* ]]
	[[ $output == *"dd=1"* ]]
	# the disk is full now: commands that only read work, and say the truth
	[ "$(cstate filler Status)" = exited ]
	run_cabin ps -a --format '{{.Names}} {{.Status}}'
	# its exit code was written although the disk was full
	[[ $output == "filler Exited (0)"* ]]
	[ "$(cstate filler ExitCode)" = 0 ]
	# one that has to write fails cleanly, and leaves nothing
	run_cabin run --rm busybox true
	if [ "$status" -ne 0 ]; then
		[[ $output == *"No space left on device"* ]]
	fi
	cabin rm filler >/dev/null
	run_cabin system check
	[ "$output" = "No problems found." ]
	cabin run --rm busybox true
	assert_nothing_left
}
