#!/usr/bin/env bats
# linux.maskedPaths and linux.readonlyPaths.

load helpers

@test "maskedPaths: a masked directory is empty, a masked file reads empty" {
	make_bundle true
	mkdir -p "$BUNDLE/rootfs/secretdir"
	echo secret >"$BUNDLE/rootfs/secretdir/file"
	echo secret >"$BUNDLE/rootfs/etc/secretfile"
	update_config '.linux.maskedPaths = ["/secretdir", "/etc/secretfile", "/does/not/exist"]'
	run_container sh -c 'ls -A /secretdir | wc -l; cat /etc/secretfile 2>/dev/null | wc -c; cat /etc/os-release | wc -l'
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = 0 ]
	[ "$(echo ${lines[1]})" = 0 ]
	# Neighbours are not affected.
	[ "$(echo ${lines[2]})" -gt 0 ]
	# The rootfs itself is untouched.
	[ "$(cat "$BUNDLE/rootfs/etc/secretfile")" = secret ]
}

@test "maskedPaths: /proc/kcore, /proc/keys, /proc/timer_list read empty, /proc/acpi is empty" {
	make_bundle true
	update_config '.linux.maskedPaths = ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/acpi"]'
	checked=
	for f in /proc/kcore /proc/keys /proc/timer_list; do
		[ -e "$f" ] && checked="$checked $f"
	done
	[ -n "$checked" ]
	set_args sh -c 'for f in '"$checked"'; do echo "$f $(head -c 4096 $f 2>/dev/null | wc -c)"; done; echo "/proc/acpi $(ls -A /proc/acpi 2>/dev/null | wc -l)"'
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	for f in $checked /proc/acpi; do
		[ "$(grep "^$f " <<<"$output" | awk '{print $2}')" = 0 ]
	done
}

@test "readonlyPaths: /proc/sys is read-only" {
	make_bundle true
	update_config '.linux.readonlyPaths = ["/proc/sys", "/proc/sysrq-trigger"]'
	run_container sh -c "awk '\$5 == \"/proc/sys\" {print \$6}' /proc/self/mountinfo; if echo 1 > /proc/sys/kernel/shm_rmid_forced; then echo WRITE-OK; fi; exit 0"
	[ "$status" -eq 0 ]
	grep -qE '(^|,)ro(,|$)' <<<"${lines[0]}"
	refute grep -q WRITE-OK <<<"$output"
}

@test "readonlyPaths: /proc/sysrq-trigger cannot be written" {
	if [ ! -e /proc/sysrq-trigger ]; then
		skip "no /proc/sysrq-trigger on this kernel"
	fi
	make_bundle true
	update_config '.linux.readonlyPaths = ["/proc/sysrq-trigger"]'
	# Writing an unknown sysrq key is harmless even if it went through.
	run_container sh -c 'if echo 0 > /proc/sysrq-trigger; then echo WRITE-OK; fi; exit 0'
	[ "$status" -eq 0 ]
	refute grep -q WRITE-OK <<<"$output"
}

@test "readonlyPaths: a read-write bind mount made read-only; others stay writable" {
	make_bundle true
	mkdir -p "$HOSTDIR/ro" "$HOSTDIR/rw"
	bind_mount "$HOSTDIR/ro" /data-ro
	bind_mount "$HOSTDIR/rw" /data-rw
	update_config '.linux.readonlyPaths = ["/data-ro", "/does/not/exist"]'
	run_container sh -c 'if touch /data-ro/x; then echo RO-WRITABLE; fi; touch /data-rw/x && echo rw-ok; exit 0'
	[ "$status" -eq 0 ]
	refute grep -q RO-WRITABLE <<<"$output"
	grep -qx rw-ok <<<"$output"
	[ ! -e "$HOSTDIR/ro/x" ]
	[ -e "$HOSTDIR/rw/x" ]
}
