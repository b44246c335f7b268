#!/usr/bin/env bats
# cabin cp: in and out, running and stopped containers, docker's path
# rules, tar streams, owners; a symlink in the container never leads to a
# host file.

load cabin_helpers

@test "cp out and in: files, directories, DIR/. ; docker's rules for the destination" {
	import_busybox
	run_d --name cp1 busybox sh -c 'mkdir -p /d/sub; echo one >/d/f; echo two >/d/sub/g; chmod 640 /d/f; ln -s f /d/link; touch /ready; sleep 1000' >/dev/null
	wait_for cabin exec cp1 test -e /ready
	# a file onto a missing path, into a directory
	cabin cp cp1:/d/f "$TMP/copy"
	[ "$(cat "$TMP/copy")" = one ]
	[ "$(stat -c %a "$TMP/copy")" = 640 ]
	mkdir "$TMP/into"
	cabin cp cp1:/d/f "$TMP/into"
	[ "$(cat "$TMP/into/f")" = one ]
	# a directory: made, or copied into an existing one; DIR/. copies its contents
	cabin cp cp1:/d "$TMP/newdir"
	[ "$(cat "$TMP/newdir/sub/g")" = two ]
	[ "$(readlink "$TMP/newdir/link")" = f ]
	cabin cp cp1:/d "$TMP/into"
	[ "$(cat "$TMP/into/d/sub/g")" = two ]
	mkdir "$TMP/contents"
	cabin cp cp1:/d/. "$TMP/contents"
	[ "$(cat "$TMP/contents/sub/g")" = two ]
	run_cabin cp cp1:/d "$TMP/copy"
	[ "$status" -ne 0 ]
	[[ $output == *"cannot copy a directory onto the file"* ]]
	run_cabin cp cp1:/d/f "$TMP/missing/"
	[ "$status" -ne 0 ]
	run_cabin cp cp1:/nope "$TMP/x"
	[ "$status" -ne 0 ]
	# in: a file, a directory; they belong to root unless -a
	echo host >"$TMP/h"
	chown 1234:4321 "$TMP/h"
	mkdir -p "$TMP/hd/x"
	echo deep >"$TMP/hd/x/y"
	cabin cp "$TMP/h" cp1:/tmp/h
	cabin cp "$TMP/hd" cp1:/tmp
	[ "$(cabin exec cp1 cat /tmp/h /tmp/hd/x/y)" = "$(printf 'host\ndeep')" ]
	[ "$(cabin exec cp1 stat -c %u:%g /tmp/h)" = 0:0 ]
	cabin cp -a "$TMP/h" cp1:/tmp/ha
	[ "$(cabin exec cp1 stat -c %u:%g /tmp/ha)" = 1234:4321 ]
	run_cabin cp "$TMP/h" "$TMP/h2"
	[ "$status" -ne 0 ]
	[[ $output == *"CONTAINER:PATH"* ]]
	cabin rm -f cp1 >/dev/null
	assert_store_clean
}

@test "cp: a stopped container's files, through its root mounted for the copy" {
	import_busybox
	cabin run --name st busybox sh -c 'echo kept >/data'
	cabin cp st:/data "$TMP/data"
	[ "$(cat "$TMP/data")" = kept ]
	echo new >"$TMP/new"
	cabin cp "$TMP/new" st:/new
	id=$(cabin inspect -f '{{.Id}}' st)
	[ "$(cat "$CROOT/containers/$id/upper/new")" = new ]
	cabin start -a st >/dev/null
	# the root is unmounted again
	assert_store_clean
}

@test "cp never follows a container's symlink onto the host, out or in" {
	import_busybox
	secret=$TMP/host-secret
	echo secret >"$secret"
	mkdir "$TMP/hostdir"
	run_d --name evil busybox sh -c "ln -s $secret /out; ln -s $TMP/hostdir /dirlink; ln -s ../../../../../..$TMP/host-secret /rel; touch /ready; sleep 1000" >/dev/null
	wait_for cabin exec evil test -e /ready
	# out: the link is copied as a link (not the host file it names)
	cabin cp evil:/out "$TMP/got"
	[ -L "$TMP/got" ]
	# and with -L it is followed inside the container, where it leads nowhere
	run_cabin cp -L evil:/out "$TMP/got2"
	[ "$status" -ne 0 ]
	[ ! -e "$TMP/got2" ]
	run_cabin cp -L evil:/rel "$TMP/got3"
	[ "$status" -ne 0 ]
	# in: writing through /out or /dirlink lands inside the container
	echo attack >"$TMP/payload"
	cabin cp "$TMP/payload" evil:/out || true
	[ "$(cat "$secret")" = secret ]
	cabin cp "$TMP/payload" evil:/dirlink/planted || true
	[ ! -e "$TMP/hostdir/planted" ]
	cabin cp "$TMP/payload" evil:/rel || true
	[ "$(cat "$secret")" = secret ]
	# a tar stream cannot climb out either
	mkdir -p "$TMP/t"
	echo bad >"$TMP/t/f"
	tar -C "$TMP/t" -cf "$TMP/evil.tar" --transform 's,^f$,../../../../escape,' f
	run bash -c "env $MARKER '$CABIN' --root '$CROOT' --runroot '$CRUN' cp - evil:/tmp <'$TMP/evil.tar'"
	[ "$status" -ne 0 ]
	[[ $output == *"climbs out"* ]]
	[ ! -e "$TMP/escape" ] && [ ! -e /escape ]
	cabin rm -f evil >/dev/null
	assert_store_clean
}

@test "cp with -: a tar stream out and in" {
	import_busybox
	run_d --name tarc busybox sh -c 'mkdir /d; echo a >/d/a; touch /ready; sleep 1000' >/dev/null
	wait_for cabin exec tarc test -e /ready
	run bash -c "env $MARKER '$CABIN' --root '$CROOT' --runroot '$CRUN' cp tarc:/d - | tar -t"
	[ "$status" -eq 0 ]
	[[ $output == *"d/a"* ]]
	mkdir -p "$TMP/src/sub"
	echo b >"$TMP/src/sub/b"
	tar -C "$TMP/src" -cf "$TMP/in.tar" sub
	env "$MARKER" "$CABIN" --root "$CROOT" --runroot "$CRUN" cp - tarc:/d <"$TMP/in.tar"
	[ "$(cabin exec tarc cat /d/sub/b)" = b ]
	# compressed, as docker's archive API takes it (gzip, bzip2, xz)
	echo c >"$TMP/src/sub/c"
	tar -C "$TMP/src" -czf "$TMP/in.tgz" sub
	env "$MARKER" "$CABIN" --root "$CROOT" --runroot "$CRUN" cp - tarc:/d <"$TMP/in.tgz"
	[ "$(cabin exec tarc cat /d/sub/c)" = c ]
	# not a tar at all: an error that says so, and nothing written
	run bash -c "echo not a tar | env $MARKER '$CABIN' --root '$CROOT' --runroot '$CRUN' cp - tarc:/d"
	[ "$status" -ne 0 ]
	[[ $output == *"tar stream"* ]]
	[ "$(cabin exec tarc ls /d)" = "$(printf 'a\nsub')" ]
	run bash -c "env $MARKER '$CABIN' --root '$CROOT' --runroot '$CRUN' cp - tarc:/d/a <'$TMP/in.tar'"
	[ "$status" -ne 0 ]
	[[ $output == *"must be a directory"* ]]
	cabin rm -f tarc >/dev/null
	assert_store_clean
}
