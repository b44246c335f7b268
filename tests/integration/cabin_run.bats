#!/usr/bin/env bats
# cabin's first run path and container roots: overlay (new and classic mount)
# and vfs, whiteouts, many layers, copy-on-write, ten containers.

load cabin_helpers

# An image with whiteouts across layers (tar + umoci): base busybox, then
#   2: /a/f1 /a/f2 /b/old      3: delete /a/f1, /b opaque with /b/new
#   4: delete /etc/os-release
whiteout_image() {
	local d=$TMP/wh s=$TMP/src
	mkdir -p "$s/2/a" "$s/2/b" "$s/3/a" "$s/3/b" "$s/4/etc"
	echo 1 >"$s/2/a/f1"
	echo 2 >"$s/2/a/f2"
	echo old >"$s/2/b/old"
	: >"$s/3/a/.wh.f1"
	: >"$s/3/b/.wh..wh..opq"
	echo new >"$s/3/b/new"
	: >"$s/4/etc/.wh.os-release"
	for l in 2 3 4; do
		tar --numeric-owner -C "$s/$l" -cf "$s/$l.tar" .
	done
	"$MKIMAGE" oci "$d" wh "$s/2.tar" "$s/3.tar" "$s/4.tar"
	"$MKIMAGE" oci-archive "$d" wh "$TMP/wh.tar" wh:latest
	cabin load -i "$TMP/wh.tar" >/dev/null
}

check_whiteouts() {
	run_cabin "$@" run --rm wh sh -c \
		'ls /a; ls /b; cat /b/new; test -e /etc/os-release && echo present || echo gone'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'f2\nnew\nnew\ngone')" ]
}

@test "run --rm: the image's process is PID 1 in its own namespaces, and nothing is left" {
	import_busybox
	run_cabin run --rm busybox sh -c 'hostname; ps -o pid,args | sed -n 2p; id; cat /etc/os-release'
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^[0-9a-f]{12}$ ]]
	[ "${lines[0]}" != "$(hostname)" ]
	[[ ${lines[1]} =~ ^\ +1\ sh ]]
	[ "${lines[2]}" = "uid=0(root) gid=0(root)" ]
	[[ $output == *"cabin busybox"* ]]
	[ -z "$(ls "$CROOT/containers")" ]
	[ -z "$(ls "$CRUN/runtime")" ]
	assert_store_clean
}

@test "run: exit codes - the command's, 127 not found, 126 not executable, 125 cabin's" {
	import_busybox
	run_cabin run --rm busybox sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run_cabin run --rm busybox /no/such/thing
	[ "$status" -eq 127 ]
	[[ $output == *"/no/such/thing"*"No such file"* ]]
	run_cabin run --rm busybox nosuchcommand
	[ "$status" -eq 127 ]
	[[ $output == *"not found"* ]]
	run_cabin run --rm busybox /etc/passwd
	[ "$status" -eq 126 ]
	# not here: pulled first (--pull missing), from a registry that is not there
	run_cabin run --rm --pull never nosuchimage
	[ "$status" -eq 125 ]
	[[ $output == *"No such image"* ]]
	run_cabin run --rm --tls-verify=false 127.0.0.1:1/nosuchimage
	[ "$status" -eq 125 ]
	[[ $output == *"Unable to find image '127.0.0.1:1/nosuchimage' locally"* ]]
	run_cabin run --rm --bogus busybox
	[ "$status" -eq 125 ]
	# 128+N for a process killed by signal N
	run_cabin run --rm busybox sh -c 'sleep 10 & kill -9 $!; wait $!; exit $?'
	[ "$status" -eq 137 ]
	assert_store_clean
	[ -z "$(ls "$CROOT/containers")" ]
}

@test "run: image Env, WorkingDir, User, Entrypoint and Cmd; -e; combined short flags" {
	cabin import -c 'ENV A=image B=image' -c 'WORKDIR /tmp' -c 'USER daemon' \
		-c 'ENTRYPOINT ["/bin/sh", "-c"]' -c 'CMD ["echo default"]' \
		"$(cached_image rootfs.tar)" cfg >/dev/null
	run_cabin run --rm cfg
	[ "$output" = default ]
	run_cabin run --rm -e B=cli --env=C=c cfg 'echo $A $B $C $(pwd) $(id -u):$(id -g) $HOME'
	[ "$status" -eq 0 ]
	[ "$output" = "image cli c /tmp 1:1 /usr/sbin" ]
	# -i and --rm and -e in one group: stdin reaches the process.
	run bash -c "echo piped | env $MARKER '$CABIN' --root '$CROOT' --runroot '$CRUN' run -ie X=1 --rm cfg 'cat; echo \$X'"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'piped\n1')" ]
	# without -i the process gets no stdin
	run bash -c "echo piped | env $MARKER '$CABIN' --root '$CROOT' --runroot '$CRUN' run --rm cfg 'cat; echo end'"
	[ "$output" = end ]
	cabin import -c 'USER nosuchuser' "$(cached_image rootfs.tar)" baduser >/dev/null
	run_cabin run --rm baduser true
	[ "$status" -eq 125 ]
	[[ $output == *"unable to find user nosuchuser"* ]]
	assert_store_clean
}

@test "run -t: the process gets a terminal" {
	import_busybox
	run_cabin run --rm -t busybox sh -c '[ -t 1 ] && echo terminal'
	[ "$status" -eq 0 ]
	[[ $output == *terminal* ]]
	assert_store_clean
}

@test "run without --rm keeps the container (ps -a shows its exit) until rm" {
	import_busybox
	run_cabin run busybox sh -c 'echo data >/file; exit 3'
	[ "$status" -eq 3 ]
	run_cabin ps -a
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[1]} == *busybox*"Exited (3)"* ]]
	cid=$(cabin ps -aq)
	[ -z "$(cabin ps -q)" ]
	# Its root is unmounted while it does not run.
	assert_store_clean
	[ "$(cat "$CROOT"/containers/"$cid"*/upper/file)" = data ]
	run_cabin rm "$cid"
	[ "$status" -eq 0 ]
	[ -z "$(ls "$CROOT/containers")" ]
	run_cabin rm "$cid"
	[ "$status" -ne 0 ]
	[[ $output == *"no such container"* ]]
}

@test "rm -f of a running container; rm without -f refuses it" {
	import_busybox
	cabin run -e "$MARKER" busybox sleep 100 >/dev/null 2>&1 &
	job=$!
	for ((i = 0; i < 100; i++)); do
		[ -n "$(cabin ps -q)" ] && break
		sleep 0.05
	done
	cid=$(cabin ps -q)
	[ -n "$cid" ]
	run_cabin rm "$cid"
	[ "$status" -ne 0 ]
	[[ $output == *"it is running"* ]]
	run_cabin rm -f "$cid"
	[ "$status" -eq 0 ]
	# The `cabin run` waiting for it ends with the signal's status.
	st=0
	wait "$job" || st=$?
	[ "$st" -eq 137 ]
	[ -z "$(ls "$CROOT/containers")" ]
	[ -z "$(marker_pids)" ]
	assert_store_clean
}

@test "a file deleted in an upper layer is gone in the container (whiteouts, opaque dirs)" {
	whiteout_image
	check_whiteouts
	check_whiteouts --storage-opt overlay.mount_api=legacy
	assert_store_clean
}

@test "vfs: a plain copy of the layers, whiteouts applied, removed with the container" {
	whiteout_image
	check_whiteouts --storage-driver vfs
	run_cabin --storage-driver vfs run wh sh -c 'echo x >/new'
	cid=$(cabin ps -aq --no-trunc)
	[ -f "$CROOT/containers/$cid/rootfs/bin/busybox" ]
	[ ! -e "$CROOT/containers/$cid/upper" ]
	[ "$(cat "$CROOT/containers/$cid/rootfs/new")" = x ]
	[ ! -e "$CROOT/containers/$cid/rootfs/a/f1" ]
	cabin rm "$cid"
	[ -z "$(ls "$CROOT/containers")" ]
	run_cabin --storage-driver nope run wh true
	[ "$status" -eq 125 ]
	[[ $output == *"not overlay or vfs"* ]]
	assert_store_clean
}

@test "an image of 120 layers: new mount API and classic mount with short links" {
	"$MKIMAGE" many "$TMP/many" 120
	cabin load -i "$TMP/many" >/dev/null
	run_cabin run --rm many sh -c 'ls /data | wc -l; cat /data/1 /data/120'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '120\n1\n120')" ]
	run_cabin --storage-opt overlay.mount_api=legacy run --rm many sh -c \
		'ls /data | wc -l; grep -c "lowerdir=l/" /proc/mounts'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '120\n1')" ]
	run_cabin --storage-opt overlay.mount_api=bogus run --rm many true
	[ "$status" -eq 125 ]
	assert_store_clean
}

@test "rm -rf / in a container touches neither the image nor its siblings" {
	import_busybox
	run_cabin run --rm busybox sh -c 'rm -rf / 2>/dev/null; [ -e /bin/busybox ] && echo there || echo gone'
	[ "$output" = gone ]
	run_cabin run --rm busybox sh -c 'ls /bin | wc -l'
	[ "$output" -gt 100 ]
	[ -x "$CROOT/layers/$(ls "$CROOT/layers")/diff/bin/busybox" ]
}

@test "ten containers from one image add only their upper dirs to disk" {
	import_busybox
	layers_before=$(du -s --block-size=1 "$CROOT/layers" | cut -f1)
	jobs=()
	for i in 1 2 3 4 5 6 7 8 9 10; do
		cabin run -e "$MARKER" --rm busybox sh -c \
			"dd if=/dev/zero of=/own bs=1024 count=64 2>/dev/null; touch /ready; sleep 100" \
			>"$TMP/run$i.log" 2>&1 &
		jobs+=($!)
	done
	# A generous bound, for a loaded machine (not a timing check).
	for ((i = 0; i < 1200; i++)); do
		[ "$(ls "$CROOT"/containers/*/upper/ready 2>/dev/null | wc -l)" -eq 10 ] && break
		sleep 0.05
	done
	cat "$TMP"/run*.log >&2
	[ "$(ls "$CROOT"/containers/*/upper/ready | wc -l)" -eq 10 ]
	layers_after=$(du -s --block-size=1 "$CROOT/layers" | cut -f1)
	[ "$layers_before" -eq "$layers_after" ]
	uppers=$(du -sc --block-size=1 "$CROOT"/containers/*/upper | tail -1 | cut -f1)
	image=$(jq -r '.Images.Size' <<<"$(cabin system df --format json)")
	echo "layers $layers_after, image $image, ten uppers $uppers" >&2
	# Each upper holds its 64 KiB file and little else: the ten together use
	# less than one copy of the image would.
	[ "$uppers" -ge $((10 * 64 * 1024)) ]
	[ "$uppers" -lt $((10 * 128 * 1024)) ]
	[ "$uppers" -lt "$image" ]
	run_cabin system df --format json
	[ "$(jq -r '.Containers.Running' <<<"$output")" -eq 10 ]
	cabin rm -f $(cabin ps -q) >/dev/null
	for j in "${jobs[@]}"; do
		wait "$j" || true
	done
	[ -z "$(ls "$CROOT/containers")" ]
	assert_store_clean
}

@test "an image with the same layer twice (overlay refuses a lower dir twice: stacked once)" {
	mkdir -p "$TMP/a/data" "$TMP/b/data"
	echo a >"$TMP/a/data/f"
	echo b >"$TMP/b/data/f"
	tar --numeric-owner -C "$TMP/a" -cf "$TMP/a.tar" data
	tar --numeric-owner -C "$TMP/b" -cf "$TMP/b.tar" data
	"$MKIMAGE" oci "$TMP/dup" dup "$TMP/a.tar" "$TMP/b.tar" "$TMP/a.tar"
	"$MKIMAGE" oci-archive "$TMP/dup" dup "$TMP/dup.tar" dup:1
	cabin load -i "$TMP/dup.tar" >/dev/null
	run_cabin image inspect dup:1
	[ "$(jq -r '.[0].RootFS.Layers | length' <<<"$output")" -eq 4 ]
	[ "$(jq -r '.[0].RootFS.Layers | unique | length' <<<"$output")" -eq 3 ]
	for opt in "" "--storage-opt overlay.mount_api=legacy" "--storage-driver vfs"; do
		# shellcheck disable=SC2086
		run_cabin $opt run --rm dup:1 cat /data/f
		[ "$status" -eq 0 ]
		[ "$output" = a ]
	done
	assert_store_clean
}

@test "run: a TERM to cabin goes to the container; its root goes with it" {
	import_busybox
	cabin run --rm busybox sh -c 'trap "echo got TERM; exit 9" TERM; touch /ready; while :; do sleep 0.1; done' \
		>"$TMP/out" 2>&1 &
	job=$!
	for ((i = 0; i < 200; i++)); do
		[ -n "$(ls "$CROOT"/containers/*/upper/ready 2>/dev/null)" ] && break
		sleep 0.05
	done
	victim=$(pgrep -f "^$CABIN --root $CROOT --runroot $CRUN run")
	[ -n "$victim" ]
	kill -TERM $victim
	st=0
	wait "$job" || st=$?
	cat "$TMP/out"
	[ "$st" -eq 9 ]
	[ "$(cat "$TMP/out")" = "got TERM" ]
	[ -z "$(ls "$CROOT/containers")" ]
	assert_store_clean
}
