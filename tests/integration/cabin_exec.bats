#!/usr/bin/env bats
# cabin exec: -i, -t, -d, -e, --env-file, -u, -w, --privileged; exit codes.

load cabin_helpers

@test "exec: in the container's namespaces, environment and working directory; its exit code" {
	cabin import -c 'ENV IMG=yes' -c 'WORKDIR /srv' "$(cached_image rootfs.tar)" ex >/dev/null
	id=$(run_d --name box -e FROM=run ex sleep 100)
	run_cabin exec box sh -c 'echo $IMG $FROM $(pwd) $(hostname); ps -o args | grep -c "^sleep 100$"'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "yes run /srv ${id:0:12}" ]
	[ "${lines[1]}" = 1 ]
	run_cabin exec box sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run_cabin exec box nosuchcommand
	[ "$status" -eq 127 ]
	[[ $output == *nosuchcommand*"not found"* ]]
	run_cabin exec box /etc/hosts
	[ "$status" -eq 126 ]
	run_cabin exec nosuch true
	[ "$status" -eq 125 ]
	cabin rm -f box >/dev/null
	assert_container_gone "$id"
}

@test "exec -e, --env-file, -u (resolved in the container), -w, --privileged" {
	import_busybox
	run_d --name box busybox sleep 100 >/dev/null
	printf 'F=file\n' >"$TMP/env"
	run_cabin exec -e A=1 --env-file "$TMP/env" -u nobody -w /tmp box sh -c 'echo $A $F; id -un; pwd'
	[ "$output" = "$(printf '1 file\nnobody\n/tmp')" ]
	run_cabin exec -u nosuchuser box true
	[ "$status" -eq 125 ]
	[[ $output == *"unable to find user"* ]]
	[ "$(cabin exec box awk '/CapEff/ {print $2}' /proc/self/status)" = 00000000a80425fb ]
	[ "$(cabin exec --privileged box awk '/CapEff/ {print $2}' /proc/self/status)" != 00000000a80425fb ]
	cabin rm -f box >/dev/null
}

@test "exec -i passes stdin; without -i the process reads nothing; -t gives a terminal" {
	import_busybox
	run_d --name box busybox sleep 100 >/dev/null
	run bash -c "echo piped | timeout 60 env $MARKER '$CABIN' --root '$CROOT' --runroot '$CRUN' exec -i box cat"
	[ "$output" = piped ]
	run bash -c "echo piped | timeout 60 env $MARKER '$CABIN' --root '$CROOT' --runroot '$CRUN' exec box sh -c 'cat; echo end'"
	[ "$output" = end ]
	run timeout 60 script -qec "env $MARKER '$CABIN' --root '$CROOT' --runroot '$CRUN' exec -t box sh -c '[ -t 0 ] && [ -t 1 ] && echo terminal'" /dev/null
	[[ $output == *terminal* ]]
	cabin rm -f box >/dev/null
}

@test "exec -d: runs in the background; -d -t is refused; a stopped container is refused" {
	import_busybox
	run_d --name box busybox sleep 100 >/dev/null
	run_cabin exec -d box sh -c 'touch /bg; sleep 100'
	[ "$status" -eq 0 ]
	wait_for cabin exec box test -e /bg
	[[ "$(cabin top box)" == *"sleep 100"*"sleep 100"* ]] || [ "$(cabin top box | grep -c 'sleep 100')" -ge 2 ]
	run_cabin exec -d -t box true
	[ "$status" -eq 125 ]
	[[ $output == *"-d -t"* ]]
	cabin stop -t 0 box >/dev/null
	run_cabin exec box true
	[ "$status" -eq 125 ]
	[[ $output == *"not running"* ]]
	cabin rm box >/dev/null
	assert_store_clean
}
