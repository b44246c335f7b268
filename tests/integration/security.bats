#!/usr/bin/env bats
# Regression tests that run known container escapes against the runtime.

load helpers

@test "CVE-2024-21626: a cwd through a leaked fd cannot reach the host" {
	cabin_only # runc 1.1.5 is vulnerable (fixed in 1.1.12)
	make_bundle cabin-probe escape
	add_probe
	for fd in 3 4 5 6 7 8 9 10; do
		update_config '.process.cwd = $c' --arg c "/proc/self/fd/$fd"
		run_rt run --bundle "$BUNDLE" "$ID-$fd"
		# The cwd is refused, or the probe finds no way out from it.
		[[ "$output" != *"not ours"* ]]
		if [ "$status" -eq 0 ]; then
			[ "$output" = "escape=none" ]
		fi
	done
}

@test "CVE-2024-21626: the container gets stdio and --preserve-fds, no fd of the runtime" {
	make_bundle sh -c 'cabin-probe report | grep ^fds=; cabin-probe escape'
	add_probe
	echo kept >"$HOSTDIR/kept"
	echo dropped >"$HOSTDIR/dropped"
	# The caller's fd 3 is kept when asked for, its fd 4 never.
	local out=$TMP/out st=0
	env "$MARKER" timeout -k 5 "$RT_TIMEOUT" "$CABIN_RUNTIME" --root "$ROOT" run \
		--preserve-fds 1 --bundle "$BUNDLE" "$ID" </dev/null >"$out" 2>&1 \
		3<"$HOSTDIR/kept" 4<"$HOSTDIR/dropped" || st=$?
	cat "$out"
	[ "$st" -eq 0 ]
	[ "$(sed -n 1p "$out")" = "fds=0,1,2,3" ]
	[ "$(sed -n 2p "$out")" = "escape=none" ]
	run_rt run --bundle "$BUNDLE" "$ID-b"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "fds=0,1,2" ]
}

@test "cabin-probe: the process has exactly its configured ids, capability sets, filter and rlimits" {
	make_bundle cabin-probe report
	add_probe
	# KILL (5), SETUID (7), NET_BIND_SERVICE (10), AUDIT_WRITE (29)
	update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [5, 7]} |
		.process.capabilities = {
			"bounding": ["CAP_KILL", "CAP_SETUID", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"],
			"permitted": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
			"effective": ["CAP_KILL"],
			"inheritable": ["CAP_NET_BIND_SERVICE"],
			"ambient": ["CAP_NET_BIND_SERVICE"]} |
		.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 768}] |
		.process.noNewPrivileges = true'
	update_config '.linux.seccomp = $p' --argjson p "$(default_profile)"
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	grep -qx 'uid=1000 1000 1000' <<<"$output"
	grep -qx 'gid=1000 1000 1000' <<<"$output"
	grep -qx 'groups=5,7' <<<"$output"
	grep -qx 'cap.bounding=00000000200004a0' <<<"$output"
	# A non-root exec keeps only the ambient set in permitted and effective
	# (capabilities(7)), whatever permitted and effective were before it.
	grep -qx 'cap.permitted=0000000000000400' <<<"$output"
	grep -qx 'cap.effective=0000000000000400' <<<"$output"
	grep -qx 'cap.inheritable=0000000000000400' <<<"$output"
	grep -qx 'cap.ambient=0000000000000400' <<<"$output"
	grep -qx 'seccomp=2' <<<"$output"
	grep -qx 'nnp=1' <<<"$output"
	grep -qx 'cwd=/' <<<"$output"
	grep -qx 'fds=0,1,2' <<<"$output"
	grep -qx 'rlimit.NOFILE=512 768' <<<"$output"
}

@test "CVE-2019-5736: the runtime the container can exec is a sealed view" {
	cabin_only
	# A dynamically linked build (the sanitizer one) cannot run inside a
	# busybox rootfs at all.
	# (ldd prints "statically linked" for a static-pie, and "=>" lines for
	# each shared library of a dynamic one.)
	if ldd "$CABIN_RUNTIME" 2>/dev/null | grep -q '=>'; then
		skip "dynamically linked runtime"
	fi
	make_bundle /proc/self/exe --log /f list
	update_config '.root.readonly = false'
	mkfifo "$BUNDLE/rootfs/f"
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	pid=$(state_field "$ID" pid)
	exe=$(readlink "/proc/$pid/exe")
	# The binary on a private overlayfs without an upper layer (where the
	# kernel has overlayfs), else a sealed memfd copy.
	if grep -qw overlay /proc/filesystems; then
		[ "$exe" = "/$(basename "$CABIN_RUNTIME")" ]
		[ "$(stat -L -f -c %T "/proc/$pid/exe")" = overlayfs ]
		run cat "/proc/$pid/mountinfo"
		[[ $output != *" $exe "* ]]
	else
		[ "$exe" = "/memfd:cabin-runtime (deleted)" ]
	fi
	# Writing through it fails: busy while it runs, read-only or sealed anyway.
	refute sh -c "echo PWNED >/proc/$pid/exe" 2>/dev/null
	head -c 4 "$CABIN_RUNTIME" | grep -q ELF
}

@test "CVE-2019-5736: a runtime whose file was replaced since it started runs from a sealed memfd copy" {
	cabin_only
	if ldd "$CABIN_RUNTIME" 2>/dev/null | grep -q '=>'; then
		skip "dynamically linked runtime"
	fi
	# Started from a file that is then gone: the overlayfs view would show
	# another file (or none), so the runtime copies the one it runs.
	mkdir "$TMP/rt"
	cp "$CABIN_RUNTIME" "$TMP/rt/cabin-runtime"
	make_bundle /proc/self/exe --log /f list
	update_config '.root.readonly = false'
	mkfifo "$BUNDLE/rootfs/f"
	env "$MARKER" timeout -k 5 "$RT_TIMEOUT" bash -c \
		'exec 9<"$1"; rm "$1"; shift; exec /proc/self/fd/9 "$@"' _ "$TMP/rt/cabin-runtime" \
		--root "$ROOT" run -d --bundle "$BUNDLE" "$ID" </dev/null >"$TMP/rt.out" 2>&1 3>&- ||
		{ cat "$TMP/rt.out"; false; }
	pid=$(state_field "$ID" pid)
	[ "$(readlink "/proc/$pid/exe")" = "/memfd:cabin-runtime (deleted)" ]
	refute sh -c "echo PWNED >/proc/$pid/exe" 2>/dev/null
}

@test "CVE-2019-5736: a container keeping /proc/PID/exe of the runtime cannot overwrite it" {
	cabin_only
	if ldd "$CABIN_RUNTIME" 2>/dev/null | grep -q '=>'; then
		skip "dynamically linked runtime"
	fi
	# The runtime under attack is a copy: a defence that fails must not
	# break the build.
	cp "$CABIN_RUNTIME" "$TMP/cabin-runtime"
	local CABIN_RUNTIME=$TMP/cabin-runtime before
	before=$(sha256sum <"$CABIN_RUNTIME")
	# A: created, not started; its init is the runtime, pid 1 of its pid
	# namespace.
	make_bundle sleep 30
	run_rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	pid=$(state_field "$ID" pid)
	# B: in A's pid namespace, keeps /proc/1/exe open (O_PATH) and, once A
	# runs its own program and no process runs the runtime any more, writes
	# through the kept handle.  With CAP_SYS_PTRACE, so that A's init being
	# non-dumpable (CVE-2016-9962) does not stop it first.
	make_bundle_at "$TMP/b" cabin-probe exe 1 /shared/ready /shared/go
	add_probe "$TMP/b"
	BUNDLE=$TMP/b add_caps CAP_SYS_PTRACE
	BUNDLE=$TMP/b bind_mount "$HOSTDIR" /shared
	BUNDLE=$TMP/b add_namespace pid "/proc/$pid/ns/pid"
	run_rt_out "$TMP/b.out" run -d --bundle "$TMP/b" "$ID2"
	[ "$status" -eq 0 ]
	wait_for_file "$HOSTDIR/ready"
	run rt start "$ID"
	[ "$status" -eq 0 ]
	touch "$HOSTDIR/go"
	# (Not `rt state`: the binary it runs is the one under attack.)
	for i in $(seq 300); do
		grep -q '^result=' "$TMP/b.out" && break
		sleep 0.1
	done
	cat "$TMP/b.out"
	grep -q '^exe=' "$TMP/b.out"
	grep -qx 'result=blocked' "$TMP/b.out"
	[ "$(sha256sum <"$CABIN_RUNTIME")" = "$before" ]
}

@test "a masked path that is a symlink masks its target, inside the container" {
	cabin_only # runc 1.1.5 masks the link itself
	# Read the target by its own name: masking only the link would leave it.
	make_bundle cat /etc/passwd
	ln -s passwd "$BUNDLE/rootfs/etc/lnk"
	update_config '.linux.maskedPaths += ["/etc/lnk"]'
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "a read-only path that is a symlink protects its target" {
	cabin_only
	make_bundle sh -c 'echo x >>/etc/passwd 2>&1; echo "rc=$?"'
	ln -s passwd "$BUNDLE/rootfs/etc/lnk"
	update_config '.root.readonly = false | .linux.readonlyPaths += ["/etc/lnk"]'
	run_rt run --bundle "$BUNDLE" "$ID"
	[[ "$output" == *"Read-only file system"* ]]
	[[ "$output" == *"rc=1"* ]]
}

@test "a mount destination through a symlink climbing out with .. lands inside" {
	# One-hop links are in mounts.bats; here the link climbs with many ..
	make_bundle true
	mkdir -p "$HOSTDIR/target"
	ln -s ../../../../../../.. "$BUNDLE/rootfs/up"
	update_config '.mounts += [{"destination": "/up/tmp/escape", "type": "tmpfs", "source": "tmpfs"}]'
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ ! -e /tmp/escape ]
	[ -d "$BUNDLE/rootfs/tmp/escape" ]
}

# ---- /proc and /sys ----------------------------------------------------------

@test "CVE-2019-19921/CVE-2023-27561: proc and sysfs are never mounted through a symlink or on a file" {
	make_bundle true
	rm -rf "$BUNDLE/rootfs/proc"
	mkdir "$BUNDLE/rootfs/evil"
	ln -s /evil "$BUNDLE/rootfs/proc"
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	if ! is_runc; then
		[[ "$output" == *"/proc"*"symlink"* ]]
	fi
	[ -z "$(ls -A "$BUNDLE/rootfs/evil")" ]
	rm "$BUNDLE/rootfs/proc"
	touch "$BUNDLE/rootfs/proc"
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	rm "$BUNDLE/rootfs/proc"
	mkdir "$BUNDLE/rootfs/proc"
	rm -rf "$BUNDLE/rootfs/sys"
	ln -s /evil "$BUNDLE/rootfs/sys"
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	if ! is_runc; then
		[[ "$output" == *"/sys"*"symlink"* ]]
	fi
	[ -z "$(ls -A "$BUNDLE/rootfs/evil")" ]
	[ -z "$(ls "$ROOT" 2>/dev/null | grep -v '^\.' || true)" ]
}

@test "a mount over a path inside /proc is refused, but for the files lxcfs emulates" {
	make_bundle cat /proc/uptime
	echo "4242.00 1.00" >"$HOSTDIR/uptime"
	bind_mount "$HOSTDIR/uptime" /proc/uptime ro
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "$output" = "4242.00 1.00" ]

	mkdir -p "$HOSTDIR/attr"
	echo fake >"$HOSTDIR/core_pattern"
	cp "$BUNDLE/config.json" "$TMP/config.orig"
	# Over the init's own LSM attributes (CVE-2019-16884), over a sysctl,
	# over /proc/sys, and /proc itself replaced by something else.
	local mounts=(
		"{\"destination\":\"/proc/self/attr\",\"type\":\"bind\",\"source\":\"$HOSTDIR/attr\",\"options\":[\"bind\"]}"
		"{\"destination\":\"/proc/sys/kernel/core_pattern\",\"type\":\"bind\",\"source\":\"$HOSTDIR/core_pattern\",\"options\":[\"bind\"]}"
		'{"destination":"/proc/sys","type":"tmpfs","source":"tmpfs"}'
		'{"destination":"/proc","type":"tmpfs","source":"tmpfs"}'
	)
	local m
	for m in "${mounts[@]}"; do
		# runc 1.1.5 checks bind mounts only
		if is_runc && [[ "$m" == *tmpfs* ]]; then
			continue
		fi
		cp "$TMP/config.orig" "$BUNDLE/config.json"
		update_config '.mounts += [$m]' --argjson m "$m"
		run_rt run --bundle "$BUNDLE" "$ID"
		[ "$status" -ne 0 ]
		if ! is_runc; then
			[[ "$output" == *"/proc"* ]]
		fi
	done
	# The same through a symlink that leads into /proc.
	cp "$TMP/config.orig" "$BUNDLE/config.json"
	ln -s /proc/sys/kernel "$BUNDLE/rootfs/etc/kern"
	bind_mount "$HOSTDIR/core_pattern" /etc/kern/core_pattern
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	if ! is_runc; then
		[[ "$output" == *"/etc/kern/core_pattern"*"leads to"*"/proc/sys/kernel/core_pattern"* ]]
	fi
	[ -z "$(ls "$ROOT" 2>/dev/null | grep -v '^\.' || true)" ]
}

# A createContainer hook runs in the container's mount namespace before the
# pivot: here it stands for whatever swaps /proc or /sys after they were
# mounted (a racing process sharing the rootfs).
swap_hook() { # DIR (proc or sys)
	printf '#!/bin/sh\nmount -t tmpfs -o size=1m cabin-fake %s/rootfs/%s\n' "$BUNDLE" "$1" \
		>"$TMP/swap-$1.sh"
	chmod +x "$TMP/swap-$1.sh"
	update_config '.hooks.createContainer = [{"path": $p}]' --arg p "$TMP/swap-$1.sh"
}

@test "CVE-2019-16884: masks, read-only paths and sysctls are not written through a swapped /proc or /sys" {
	cabin_only # runc 1.1.5 runs createContainer hooks after the pivot
	make_bundle true
	swap_hook proc
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.maskedPaths"*"/proc"*"not the root of a proc mount"* ]]
	# A sysctl alone.
	update_config '.linux.maskedPaths = [] | .linux.readonlyPaths = [] |
		.linux.sysctl = {"kernel.domainname": "cabin.test"}'
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.sysctl"*"/proc"*"not the root of a proc mount"* ]]
	# /sys, with its masks.
	make_bundle true
	swap_hook sys
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"/sys"*"not the root of a sysfs mount"* ]]
	# Unswapped, the same config runs.
	update_config 'del(.hooks)'
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
}

@test "the cgroup file system is read-only unless the mount says rw" {
	cabin_only # runc 1.1.5 mounts it read-write unless it says ro
	make_bundle sh -c 'cabin-probe ro /sys/fs/cgroup /sys/fs/cgroup/*'
	add_probe
	update_config '(.mounts[] | select(.type == "cgroup") | .options) |= map(select(. != "ro"))'
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"/sys/fs/cgroup=ro"* ]]
	[[ "$output" != *"=rw"* ]]
	update_config '(.mounts[] | select(.type == "cgroup") | .options) += ["rw"]'
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"/sys/fs/cgroup=rw"* ]]
	[[ "$output" != *"=ro"* ]]
}
