#!/usr/bin/env bats
# Mount types and mount options, as seen from inside the container.

load helpers

# add_mount JSON: append one entry to .mounts
add_mount() {
	update_config '.mounts += [$m]' --argjson m "$1"
}

# In the container: "<fstype> <options>" of the mount at a destination,
# from /proc/mounts (super block options) and mountinfo (per-mount options).
FSTYPE='awk -v d="$1" '"'"'$2 == d {t = $3 " " $4} END {print t}'"'"' /proc/mounts'
MNTOPTS='awk -v d="$1" '"'"'$5 == d {o = $6} END {print o}'"'"' /proc/self/mountinfo'

@test "proc is mounted at /proc and shows the container's processes" {
	make_bundle true
	run_container sh -c "set -- /proc; $FSTYPE; cat /proc/1/cmdline | tr '\\0' ' '"
	[ "$status" -eq 0 ]
	[ "$(cut -d' ' -f1 <<<"${lines[0]}")" = proc ]
	[ "$(echo ${lines[1]})" = "sh -c set -- /proc; $FSTYPE; cat /proc/1/cmdline | tr '\\0' ' '" ]
}

@test "sysfs is mounted at /sys" {
	make_bundle true
	run_container sh -c "set -- /sys; $FSTYPE; test -d /sys/kernel && echo has-kernel"
	[ "$status" -eq 0 ]
	[ "$(cut -d' ' -f1 <<<"${lines[0]}")" = sysfs ]
	[ "${lines[1]}" = has-kernel ]
}

@test "tmpfs with size and mode options" {
	make_bundle true
	add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "size=1m", "mode=1750"]}'
	run_container sh -c "set -- /scratch; $FSTYPE; stat -c %a /scratch"
	[ "$status" -eq 0 ]
	read -r type opts <<<"${lines[0]}"
	[ "$type" = tmpfs ]
	grep -q 'size=1024k' <<<"$opts"
	grep -q 'mode=1750' <<<"$opts"
	[ "${lines[1]}" = 1750 ]
}

@test "devpts at /dev/pts with its options, /dev/ptmx points into it" {
	make_bundle true
	update_config '(.mounts[] | select(.destination == "/dev/pts")) = {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]}'
	run_container sh -c "set -- /dev/pts; $FSTYPE; readlink /dev/ptmx; test -c /dev/pts/ptmx && echo ptmx-ok"
	[ "$status" -eq 0 ]
	read -r type opts <<<"${lines[0]}"
	[ "$type" = devpts ]
	grep -q 'ptmxmode=666' <<<"$opts"
	grep -q 'mode=620' <<<"$opts"
	grep -q 'gid=5' <<<"$opts"
	[ "${lines[1]}" = pts/ptmx ]
	[ "${lines[2]}" = ptmx-ok ]
}

@test "mqueue at /dev/mqueue" {
	make_bundle true
	update_config 'del(.mounts[] | select(.destination == "/dev/mqueue"))'
	add_mount '{"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]}'
	run_container sh -c "set -- /dev/mqueue; $FSTYPE"
	[ "$status" -eq 0 ]
	[ "$(cut -d' ' -f1 <<<"$output")" = mqueue ]
}

@test "cgroup filesystem at /sys/fs/cgroup" {
	make_bundle true
	update_config 'del(.mounts[] | select(.destination == "/sys/fs/cgroup"))'
	add_mount '{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}'
	run_container sh -c 'awk '"'"'$2 == "/sys/fs/cgroup" || index($2, "/sys/fs/cgroup/") == 1 {print $3}'"'"' /proc/mounts'
	[ "$status" -eq 0 ]
	grep -qxE 'cgroup2?' <<<"$output"
}

@test "bind mount of a host directory, writes reach the host" {
	make_bundle true
	echo hello-from-host >"$HOSTDIR/file"
	bind_mount "$HOSTDIR" /data
	run_container sh -c 'cat /data/file; echo from-container > /data/new'
	[ "$status" -eq 0 ]
	[ "$output" = hello-from-host ]
	[ "$(cat "$HOSTDIR/new")" = from-container ]
}

@test "bind mount of a host file onto a path that does not exist yet" {
	make_bundle true
	echo injected >"$HOSTDIR/file"
	update_config '.root.readonly = false'
	bind_mount "$HOSTDIR/file" /etc/cabin/injected.txt
	run_container cat /etc/cabin/injected.txt
	[ "$status" -eq 0 ]
	[ "$output" = injected ]
}

@test "read-only bind mount: writes fail, host file unchanged" {
	make_bundle true
	echo original >"$HOSTDIR/file"
	bind_mount "$HOSTDIR" /data ro
	run_container sh -c 'cat /data/file; if echo changed > /data/file; then echo WRITE-OK; fi; if touch /data/new; then echo TOUCH-OK; fi; exit 0'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = original ]
	refute grep -q -- '-OK' <<<"$output"
	[ "$(cat "$HOSTDIR/file")" = original ]
	[ ! -e "$HOSTDIR/new" ]
}

@test "bind does not carry submounts, rbind does" {
	make_bundle true
	mkdir -p "$HOSTDIR/sub"
	echo top >"$HOSTDIR/topfile"
	mount -t tmpfs -o size=1m tmpfs "$HOSTDIR/sub"
	echo below >"$HOSTDIR/sub/subfile"
	bind_mount "$HOSTDIR" /plain
	update_config '.mounts += [{"destination": "/recursive", "type": "bind", "source": $s, "options": ["rbind"]}]' --arg s "$HOSTDIR"
	run_container sh -c 'cat /plain/topfile; ls /plain/sub | wc -l; cat /recursive/topfile; cat /recursive/sub/subfile'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = top ]
	[ "$(echo ${lines[1]})" = 0 ]
	[ "${lines[2]}" = top ]
	[ "${lines[3]}" = below ]
}

@test "mount options ro, nosuid, nodev, noexec, noatime show in mountinfo" {
	make_bundle true
	add_mount '{"destination": "/opts", "type": "tmpfs", "source": "tmpfs", "options": ["ro", "nosuid", "nodev", "noexec", "noatime"]}'
	bind_mount "$HOSTDIR" /bound ro nosuid nodev noexec
	run_container sh -c "set -- /opts; $MNTOPTS; set -- /bound; $MNTOPTS"
	[ "$status" -eq 0 ]
	for o in ro nosuid nodev noexec noatime; do
		grep -qE "(^|,)$o(,|$)" <<<"${lines[0]}"
	done
	for o in ro nosuid nodev noexec; do
		grep -qE "(^|,)$o(,|$)" <<<"${lines[1]}"
	done
}

@test "noexec tmpfs refuses to run a binary, exec tmpfs runs it" {
	make_bundle true
	add_mount '{"destination": "/noexec", "type": "tmpfs", "source": "tmpfs", "options": ["noexec"]}'
	add_mount '{"destination": "/exec", "type": "tmpfs", "source": "tmpfs", "options": ["exec"]}'
	run_container sh -c 'cp /bin/busybox /noexec/true; cp /bin/busybox /exec/true; /exec/true && echo exec-ran; /noexec/true && echo noexec-ran; exit 0'
	[ "$status" -eq 0 ]
	grep -qx exec-ran <<<"$output"
	refute grep -qx noexec-ran <<<"$output"
}

@test "a missing mount destination is created, nested" {
	make_bundle true
	update_config '.root.readonly = false'
	add_mount '{"destination": "/new/deep/dir", "type": "tmpfs", "source": "tmpfs"}'
	run_container sh -c "set -- /new/deep/dir; $FSTYPE"
	[ "$status" -eq 0 ]
	[ "$(cut -d' ' -f1 <<<"$output")" = tmpfs ]
	[ -d "$BUNDLE/rootfs/new/deep/dir" ]
}

@test "a mount destination that is a symlink out of the rootfs stays inside the rootfs" {
	make_bundle true
	update_config '.root.readonly = false'
	mkdir -p "$TMP/victim"
	# absolute, and relative with more ../ than the rootfs is deep
	ln -s "$TMP/victim" "$BUNDLE/rootfs/evil"
	ln -s "../../../../../../../../..$TMP/victim" "$BUNDLE/rootfs/evil2"
	add_mount '{"destination": "/evil", "type": "tmpfs", "source": "tmpfs"}'
	add_mount '{"destination": "/evil2", "type": "tmpfs", "source": "tmpfs"}'
	host_before=$(host_mounts)
	run_container sh -c 'touch /evil/planted && echo planted; touch /evil2/planted2 && echo planted2'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = planted ]
	[ "${lines[1]}" = planted2 ]
	# Nothing landed on the host path, not even a mount.
	[ -z "$(ls -A "$TMP/victim")" ]
	[ "$(host_mounts)" = "$host_before" ]
	refute grep -q " $TMP/victim " /proc/self/mountinfo
}

@test "a bind mount destination that is a symlink out of the rootfs stays inside the rootfs" {
	make_bundle true
	update_config '.root.readonly = false'
	mkdir -p "$TMP/victim"
	echo victim-content >"$TMP/victim/file"
	echo payload >"$HOSTDIR/file"
	ln -s "$TMP/victim/file" "$BUNDLE/rootfs/evilfile"
	bind_mount "$HOSTDIR/file" /evilfile
	run_container cat /evilfile
	[ "$status" -eq 0 ]
	[ "$output" = payload ]
	[ "$(cat "$TMP/victim/file")" = victim-content ]
	refute grep -q " $TMP/victim/file " /proc/self/mountinfo
}

@test "a missing destination behind a symlink is created inside the rootfs, not on the host" {
	make_bundle true
	update_config '.root.readonly = false'
	ln -s "$TMP/not-there/deeper" "$BUNDLE/rootfs/evil"
	add_mount '{"destination": "/evil/mnt", "type": "tmpfs", "source": "tmpfs"}'
	run_container sh -c "set -- '$TMP/not-there/deeper/mnt'; $FSTYPE"
	[ "$status" -eq 0 ]
	[ "$(cut -d' ' -f1 <<<"$output")" = tmpfs ]
	[ ! -e "$TMP/not-there" ]
	[ -d "$BUNDLE/rootfs$TMP/not-there/deeper/mnt" ]
}
