#!/usr/bin/env bats
# The root filesystem: isolation from the host, root.readonly, rootfsPropagation.

load helpers

@test "the host's files are invisible, /etc/os-release is the bundle's" {
	make_bundle true
	echo secret >"$HOSTDIR/host-marker"
	run_container sh -c "cat /etc/os-release; test -e '$HOSTDIR/host-marker' && echo MARKER-VISIBLE; test -e /etc/debian_version && echo HOST-ETC-VISIBLE; find / -xdev -name host-marker 2>/dev/null; exit 0"
	[ "$status" -eq 0 ]
	grep -qx 'ID=cabin-busybox' <<<"$output"
	refute grep -q VISIBLE <<<"$output"
	refute grep -q host-marker <<<"$output"
}

@test "the container's / is the bundle rootfs; old root is not reachable" {
	make_bundle true
	run_container sh -c 'cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	# No mount of the host's root, nor of the bundle or state dirs, beyond "/".
	root_line=$(awk '$5 == "/"' <<<"$output")
	[ -n "$root_line" ]
	[ "$(awk '$5 == "/"' <<<"$output" | wc -l)" -eq 1 ]
	refute grep -qE ' /(\.pivot_root|oldroot|old_root|\.old_root)[^ ]* ' <<<"$output"
}

@test "rm -rf / in a container leaves the host intact" {
	make_bundle true
	update_config '.root.readonly = false'
	# Only kernel filesystems besides the rootfs: nothing of the host is mounted.
	update_config '.mounts = [.mounts[] | select(.destination == "/proc" or .destination == "/dev" or .destination == "/dev/pts")]'
	echo keep >"$HOSTDIR/marker"
	echo keep >"$TMP/marker"

	# Safety first: check that nothing but the expected mounts is visible before
	# running rm -rf /, so a broken runtime cannot take the host with it.
	run_container sh -c "awk '{print \$5}' /proc/self/mountinfo; test -e '$TMP/marker' && echo HOST-VISIBLE; exit 0"
	[ "$status" -eq 0 ]
	refute grep -q HOST-VISIBLE <<<"$output"
	extra=$(grep -vxE '/|/proc(/.*)?|/dev|/dev/pts|/sys(/.*)?' <<<"$output" || true)
	if [ -n "$extra" ]; then
		echo "unexpected mounts in the container, not running rm -rf /: $extra" >&2
		return 1
	fi

	set_args sh -c 'rm -rf / 2>/dev/null; ls -A /bin 2>/dev/null | wc -l; exit 0'
	run_rt run --bundle "$BUNDLE" "$ID2"
	[ "$status" -eq 0 ]
	[ "$(cat "$HOSTDIR/marker")" = keep ]
	[ "$(cat "$TMP/marker")" = keep ]
	[ -d "$BUNDLE" ]
	[ -f "$BUNDLE/config.json" ]
	[ -x /bin/busybox ]
	[ -d /etc ]
	# The throw-away rootfs itself is gone.
	[ ! -e "$BUNDLE/rootfs/bin/busybox" ]
}

@test "root.readonly true: / is read-only" {
	make_bundle true
	update_config '.root.readonly = true'
	run_container sh -c "awk '\$5 == \"/\" {print \$6}' /proc/self/mountinfo; if touch /rootfile 2>/dev/null; then echo WRITABLE; fi; touch /dev/shm/x && echo shm-writable; exit 0"
	[ "$status" -eq 0 ]
	grep -qE '(^|,)ro(,|$)' <<<"${lines[0]}"
	refute grep -q WRITABLE <<<"$output"
	# Mounts on top of a read-only / stay writable.
	grep -qx shm-writable <<<"$output"
	[ ! -e "$BUNDLE/rootfs/rootfile" ]
}

@test "root.readonly false: / is writable" {
	make_bundle true
	update_config '.root.readonly = false'
	run_container sh -c 'touch /rootfile && echo ok'
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	[ -e "$BUNDLE/rootfs/rootfile" ]
}

@test "rootfsPropagation private: container runs, / is private, host mounts untouched" {
	make_bundle true
	update_config '.linux.rootfsPropagation = "private"'
	host_before=$(host_mounts)
	host_root_before=$(awk '$5 == "/"' /proc/self/mountinfo)
	run_container sh -c "awk '\$5 == \"/\"' /proc/self/mountinfo"
	[ "$status" -eq 0 ]
	refute grep -qE 'shared:|master:' <<<"$output"
	[ "$(host_mounts)" = "$host_before" ]
	[ "$(awk '$5 == "/"' /proc/self/mountinfo)" = "$host_root_before" ]
}

@test "rootfsPropagation slave and rprivate are accepted" {
	make_bundle true
	for p in slave rslave rprivate; do
		update_config '.linux.rootfsPropagation = $p' --arg p "$p"
		run_container true
		[ "$status" -eq 0 ]
	done
}

@test "rootfsPropagation shared: the container's / is a shared mount" {
	# cabin-specific: runc 1.1 does not apply rootfsPropagation to / after pivot_root
	cabin_only
	make_bundle true
	update_config '.linux.rootfsPropagation = "shared"'
	host_root_before=$(awk '$5 == "/"' /proc/self/mountinfo)
	run_container sh -c "awk '\$5 == \"/\"' /proc/self/mountinfo"
	[ "$status" -eq 0 ]
	grep -q 'shared:' <<<"$output"
	# The host's / keeps its propagation.
	[ "$(awk '$5 == "/"' /proc/self/mountinfo)" = "$host_root_before" ]
}

@test "rootfsPropagation: an unknown value is refused" {
	make_bundle true
	update_config '.linux.rootfsPropagation = "sideways"'
	run_container true
	[ "$status" -ne 0 ]
}

@test "root.readonly works in a container without a /proc mount" {
	cabin_only # runc 1.1.5 needs /proc ("error closing exec fds")
	make_bundle sh -c 'touch /x 2>&1; echo done'
	update_config 'del(.mounts[] | select(.destination == "/proc")) | .linux.maskedPaths = [] | .linux.readonlyPaths = [] | .root.readonly = true'
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	[[ "$output" == *done* ]]
}
