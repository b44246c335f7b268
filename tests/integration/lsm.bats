#!/usr/bin/env bats
# AppArmor and SELinux labels on a host where neither LSM is on (this
# machine: see docs/ARCHITECTURE.md): ignored with a debug note, and an
# SELinux label is an error only when SELinux is on and refuses it.  runc
# 1.1.5 does otherwise here: it refuses process.selinuxLabel when SELinux is
# off ("selinux label is specified in config, but selinux is disabled or not
# supported") and writes an AppArmor profile regardless, failing with EINVAL.
# The enabled paths are unit-tested against fake trees (test_lsm).

load helpers

# lsm_on: is AppArmor or SELinux on here?
lsm_on() {
	if [ -r /sys/kernel/security/lsm ]; then
		grep -qE '(^|,)(apparmor|selinux)(,|$)' /sys/kernel/security/lsm
		return
	fi
	[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] || [ -e /sys/fs/selinux/enforce ]
}

@test "LSM: labels for an LSM that is off are ignored, with a debug note" {
	cabin_only # runc 1.1.5 refuses the SELinux label (above)
	if lsm_on; then
		skip "AppArmor or SELinux is on here: the labels would be applied"
	fi
	make_bundle sh -c 'mount | grep -c context= ; echo ran'
	update_config '.process.apparmorProfile = "cabin-test-profile" |
		.process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2" |
		.linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"'
	run_rt --debug --log "$TMP/log" run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = ran ]
	[ "${lines[0]}" = 0 ] # no mount got the label
	grep -q 'AppArmor is not enabled.*process.apparmorProfile .cabin-test-profile. is ignored' "$TMP/log"
	grep -q 'SELinux is not enabled.*process.selinuxLabel' "$TMP/log"
	grep -q 'SELinux is not enabled.*linux.mountLabel' "$TMP/log"
}

@test "LSM: an AppArmor profile alone is ignored when AppArmor is off" {
	cabin_only # runc 1.1.5 writes it anyway and fails (above)
	if lsm_on; then
		skip "AppArmor or SELinux is on here: the profile would be applied"
	fi
	make_bundle echo ran
	update_config '.process.apparmorProfile = "cabin-test-profile"'
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "$output" = ran ]
}

@test "LSM: features says both are supported" {
	cabin_only
	run rt features
	[ "$status" -eq 0 ]
	[ "$(jq -r '.linux.apparmor.enabled, .linux.selinux.enabled' <<<"$output" | tr '\n' ' ')" = "true true " ]
}
