#!/usr/bin/env bats
# Regression tests that run known container escapes against the runtime.

load helpers

@test "CVE-2024-21626: a cwd through a leaked fd cannot reach the host" {
	cabin_only # runc 1.1.5 is vulnerable (fixed in 1.1.12)
	make_bundle true
	mkdir -p "$ROOT"
	touch "$ROOT/state-root-marker" "$TMP/host-only-marker"
	for fd in 3 4 5 6 7 8 9 10; do
		update_config '.process.cwd = $c | .process.args = ["sh", "-c", "ls -a . ../../.. 2>&1"]' \
			--arg c "/proc/self/fd/$fd"
		run_rt run --bundle "$BUNDLE" "$ID-$fd"
		[[ "$output" != *state-root-marker* ]]
		[[ "$output" != *host-only-marker* ]]
	done
}

@test "CVE-2019-5736: the runtime the container can exec is a sealed copy" {
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
	[[ "$exe" == "/memfd:cabin-runtime (deleted)" ]]
	# Writing through it fails: busy while it runs, sealed anyway.
	refute sh -c "echo PWNED >/proc/$pid/exe" 2>/dev/null
	head -c 4 "$CABIN_RUNTIME" | grep -q ELF
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
