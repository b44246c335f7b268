#!/usr/bin/env bats
# /dev: default devices and symlinks, linux.devices.

load helpers

@test "default devices exist with the right major:minor" {
	make_bundle true
	# stat prints major/minor in hex.
	run_container sh -c 'for d in null zero full random urandom tty; do echo "$d $(stat -c "%F %t:%T %a" /dev/$d)"; done'
	[ "$status" -eq 0 ]
	grep -qx 'null character special file 1:3 666' <<<"$output"
	grep -qx 'zero character special file 1:5 666' <<<"$output"
	grep -qx 'full character special file 1:7 666' <<<"$output"
	grep -qx 'random character special file 1:8 666' <<<"$output"
	grep -qx 'urandom character special file 1:9 666' <<<"$output"
	grep -qx 'tty character special file 5:0 666' <<<"$output"
}

@test "default devices work" {
	make_bundle true
	run_container sh -c 'echo x > /dev/null && echo null-ok; head -c 4 /dev/zero | od -An -tx1; head -c 8 /dev/urandom | wc -c; if echo x > /dev/full; then echo FULL-ACCEPTED; fi; exit 0'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = null-ok ]
	[ "$(echo ${lines[1]})" = "00 00 00 00" ]
	[ "$(echo ${lines[2]})" = 8 ]
	refute grep -q FULL-ACCEPTED <<<"$output"
}

@test "default symlinks: ptmx, fd, stdin, stdout, stderr" {
	make_bundle true
	run_container sh -c 'for l in ptmx fd stdin stdout stderr; do echo "$l $(readlink /dev/$l)"; done'
	[ "$status" -eq 0 ]
	grep -qx 'ptmx pts/ptmx' <<<"$output"
	grep -qx 'fd /proc/self/fd' <<<"$output"
	grep -qx 'stdin /proc/self/fd/0' <<<"$output"
	grep -qx 'stdout /proc/self/fd/1' <<<"$output"
	grep -qx 'stderr /proc/self/fd/2' <<<"$output"
}

@test "/dev is a fresh tmpfs without the host's devices" {
	make_bundle true
	run_container sh -c "awk '\$2 == \"/dev\" {print \$3}' /proc/mounts; ls /dev"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = tmpfs ]
	# The host's block devices and kmsg are not there.
	refute grep -qxE 'vda|sda|nvme0n1|kmsg|mem|kvm' <<<"$output"
}

@test "linux.devices: a char device is created with major, minor and mode" {
	make_bundle true
	update_config '.linux.devices = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 438, "uid": 0, "gid": 0}]'
	run_container sh -c 'stat -c "%F %t:%T %a %u:%g" /dev/mynull; echo hi > /dev/mynull && echo write-ok'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "character special file 1:3 666 0:0" ]
	[ "${lines[1]}" = write-ok ]
}

@test "linux.devices: mode, uid and gid are honoured, nested path created" {
	make_bundle true
	update_config '.linux.devices = [{"path": "/dev/cabin/myzero", "type": "c", "major": 1, "minor": 5, "fileMode": 420, "uid": 1000, "gid": 1001}]'
	update_config '.linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 5, "access": "rwm"}]'
	run_container sh -c 'stat -c "%F %t:%T %a %u:%g" /dev/cabin/myzero; head -c 2 /dev/cabin/myzero | od -An -tx1'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "character special file 1:5 644 1000:1001" ]
	[ "$(echo ${lines[1]})" = "00 00" ]
}
