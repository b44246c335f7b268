#!/usr/bin/env bats
# The default seccomp profile (`cabin-runtime spec --seccomp default`, the
# same effect as Docker's): its shape, busybox and a Debian shell running
# normally under it, and what it blocks, shown with cabin-probe against the
# same container without it.  The profile comes from cabin's `spec`; run
# against runc (CABIN_RUNTIME=runc) these tests check that runc gives it the
# same effect.

load helpers

use_profile() {
	update_config '.linux.seccomp = $p' --argjson p "$1"
}

# val NAME: the value of NAME=... in $output.
val() {
	printf '%s\n' "$output" | sed -n "s/^$1=//p" | head -n1
}

# The capabilities the probes need to get past the kernel's own checks, in
# the bounding, effective and permitted sets.  Never CAP_SYS_TIME: nothing
# here may move the host's clock.
PROBE_CAPS='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_DAC_READ_SEARCH","CAP_FOWNER","CAP_FSETID",
"CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_NET_ADMIN",
"CAP_NET_RAW","CAP_IPC_LOCK","CAP_SYS_MODULE","CAP_SYS_RAWIO","CAP_SYS_CHROOT",
"CAP_SYS_PTRACE","CAP_SYS_ADMIN","CAP_SYS_BOOT","CAP_SYS_NICE","CAP_MKNOD","CAP_AUDIT_WRITE",
"CAP_SYSLOG","CAP_BPF","CAP_PERFMON"]'

set_caps() {
	update_config '.process.capabilities.bounding = $c | .process.capabilities.effective = $c
		| .process.capabilities.permitted = $c | .process.capabilities.ambient = []' \
		--argjson c "$1"
}

@test "spec --seccomp default: Docker's default profile in config.json, per capability set" {
	cabin_only
	mkdir -p "$TMP/s"
	run rt spec --bundle "$TMP/s" --seccomp default
	[ "$status" -eq 0 ]
	run jq -r '.linux.seccomp | .defaultAction, .defaultErrnoRet' "$TMP/s/config.json"
	[ "${lines[0]}" = SCMP_ACT_ERRNO ]
	[ "${lines[1]}" = 1 ]
	if [ "$(uname -m)" = x86_64 ]; then
		run jq -c .linux.seccomp.architectures "$TMP/s/config.json"
		[ "$output" = '["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"]' ]
	fi
	allowed='[.linux.seccomp.syscalls[] | select(.action == "SCMP_ACT_ALLOW" and .args == null) | .names[]]'
	run jq -r "$allowed | index(\"mount\") != null, index(\"read\") != null" "$TMP/s/config.json"
	[ "${lines[0]}" = false ]
	[ "${lines[1]}" = true ]
	# With CAP_SYS_ADMIN added, mount is allowed, as dockerd does.
	rm "$TMP/s/config.json"
	run rt spec --bundle "$TMP/s" --cap-add SYS_ADMIN --seccomp default
	[ "$status" -eq 0 ]
	run jq -r "$allowed | index(\"mount\") != null" "$TMP/s/config.json"
	[ "$output" = true ]
	run jq -r '.process.capabilities.bounding | index("CAP_SYS_ADMIN") != null' "$TMP/s/config.json"
	[ "$output" = true ]
	# unconfined: no profile; anything else is an error, and no file is left.
	rm "$TMP/s/config.json"
	run rt spec --bundle "$TMP/s" --seccomp unconfined
	[ "$status" -eq 0 ]
	[ "$(jq .linux.seccomp "$TMP/s/config.json")" = null ]
	rm "$TMP/s/config.json"
	run rt spec --bundle "$TMP/s" --seccomp dockerish
	[ "$status" -ne 0 ]
	[[ "$output" == *"--seccomp"*"dockerish"* ]]
	[ ! -e "$TMP/s/config.json" ]
	run rt spec --bundle "$TMP/s" --cap-add CAP_FROB
	[ "$status" -ne 0 ]
	[[ "$output" == *"--cap-add"*"CAP_FROB"* ]]
	[ ! -e "$TMP/s/config.json" ]
}

# A script of ordinary busybox work; its output must not change under the
# profile.
BUSYBOX_WORK='set -e; cd /tmp; mkdir -p a/b; echo hello >a/b/f; cp -a a c; ls c/b
cat c/b/f | tr a-z A-Z; seq 1 5 | sort -r | head -n 2; echo $((6 * 7))
sh -c "exit 3" || echo "sub=$?"; (sleep 0.1; echo late) & wait
ps -o pid,comm >ps.out; wc -l <ps.out; rm ps.out; id; hostname; md5sum c/b/f; tar -cf t.tar c; tar -tf t.tar | wc -l
gzip -c c/b/f | gunzip; awk "BEGIN { print 1 + 1 }"; sed s/h/H/ c/b/f; nproc >/dev/null
chmod 600 c/b/f; stat -c %a c/b/f; ln -s f c/b/l; readlink c/b/l; mkfifo p
(echo through-fifo >p &); cat p; rm -rf a c t.tar p; wget -q -O- http://127.0.0.1:1/ 2>&1 | wc -l
echo done'

@test "default profile: busybox works as without it" {
	make_bundle sh -c "$BUSYBOX_WORK"
	update_config '.root.readonly = false'
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = done ]
	local plain=$output
	use_profile "$(default_profile)"
	run_rt run --bundle "$BUNDLE" "$ID-f"
	[ "$status" -eq 0 ]
	[ "$output" = "$plain" ]
	[[ "$output" != *"not permitted"* ]]
}

# The same for bash and coreutils, dynamically linked against glibc.
DEBIAN_WORK='set -euo pipefail; cd /tmp; mkdir -p a/b; printf "x%.0s" {1..3} >a/b/f
cp -a a c; ls -la c/b | wc -l; sort -r <<<$'"'"'a\nb\nc'"'"' | head -n 1
declare -A m=([k]=v); echo "${m[k]}"; mapfile -t arr < <(seq 3); echo "${#arr[@]}"
(sleep 0.1; echo late) & wait $!; timeout 5 sleep 0.1; id -un; stat -c "%U %s" c/b/f
sha256sum c/b/f; du -s c | cut -f2; df -P / | wc -l; d=$(mktemp -d); install -m 0750 -d "$d/i"
stat -c %a "$d/i"; touch -d @0 c/b/f; stat -c %Y c/b/f; nice -n 5 true
dd if=/dev/zero of=z bs=1k count=4 status=none; wc -c <z; split -b 1k z zz; ls zz* | wc -l
ln -sf f c/b/l; realpath c/b/l; find . -type f | sort | xargs grep -c x || true
tar -czf t.tgz c; tar -tzf t.tgz | wc -l; getent passwd root | cut -d: -f6; env -i /bin/true
kill -0 $$; trap "echo trapped" EXIT; ulimit -n >/dev/null; exec 3<c/b/f; read -r -u 3 line || true
echo "$line"; uname -s; nproc >/dev/null; echo $(( $(printf %d 0x10) + 1 )); cd /; rm -rf /tmp/*
echo done'

@test "default profile: a Debian shell (bash, coreutils, glibc) works as without it" {
	make_debian_bundle bash -c "$DEBIAN_WORK"
	update_config '.root.readonly = false'
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "${lines[-2]}" = done ]
	[ "${lines[-1]}" = trapped ]
	local plain=$output
	use_profile "$(default_profile)"
	run_rt run --bundle "$BUNDLE" "$ID-f"
	[ "$status" -eq 0 ]
	[ "$output" = "$plain" ]
	[[ "$output" != *"not permitted"* ]]
}

# What Docker's profile blocks.  The container holds the capabilities the
# kernel would want, and the profile is made for the default ones, so
# whatever fails with EPERM under it and not without it is the filter's work.
BLOCKED="unshare-user unshare-mnt clone-newuser clone-newns mount umount setns keyctl add_key
request_key kexec_load kcmp pidfd_getfd personality-bad socket-vsock userfaultfd chroot bpf
open_by_handle_at delete_module sysfs set_mempolicy fsopen"

@test "default profile: blocks what Docker's blocks (the filter alone, caps or not)" {
	make_bundle cabin-probe syscalls
	add_probe
	set_caps "$PROBE_CAPS"
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	local without=$output call v
	for call in $BLOCKED; do
		v=$(printf '%s\n' "$without" | sed -n "s/^$call=//p")
		if [ -z "$v" ] || [ "$v" = EPERM ]; then
			echo "without a filter, $call gave '$v': the test cannot tell" >&2
			return 1
		fi
	done
	use_profile "$(default_profile)"
	run_rt run --bundle "$BUNDLE" "$ID-f"
	[ "$status" -eq 0 ]
	for call in $BLOCKED; do
		v=$(val "$call")
		if [ "$v" != EPERM ]; then
			echo "under the default profile, $call gave '$v', not EPERM" >&2
			return 1
		fi
	done
	# clone3 fails with ENOSYS, so that libc falls back to clone.
	[ "$(val clone3)" = ENOSYS ]
	# What stays allowed: plain clone, exec, personality queries, unix
	# sockets, and (kernel 4.8 and later, as in Docker's) ptrace.
	[ "$(val clone)" = ok ]
	[ "$(val execve)" = ok ]
	[ "$(val personality)" = ok ]
	[ "$(val socket-unix)" = ok ]
	[ "$(val ptrace)" = ok ]
	[ "$(val process_vm_readv)" = ok ]
}

@test "default profile: follows the capabilities (CAP_SYS_ADMIN, CAP_SYS_PTRACE)" {
	make_bundle cabin-probe syscalls mount unshare-mnt clone-newns clone3 setns fsopen kcmp \
		pidfd_getfd keyctl kexec_load
	add_probe
	add_caps CAP_SYS_ADMIN CAP_SYS_PTRACE
	use_profile "$(default_profile --cap-add SYS_ADMIN --cap-add SYS_PTRACE)"
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "$(val mount)" = ENODEV ] # through the filter; no such file system type
	[ "$(val unshare-mnt)" = ok ]
	[ "$(val clone-newns)" = ok ]
	[ "$(val clone3)" = ok ]
	[ "$(val setns)" = ok ]
	[ "$(val fsopen)" = ok ]
	[ "$(val kcmp)" = ok ]
	[ "$(val pidfd_getfd)" = ok ]
	# No capability opens the keyring or kexec.
	[ "$(val keyctl)" = EPERM ]
	[ "$(val kexec_load)" = EPERM ]
}

# Syscalls newer than the profile and libseccomp (as runc does): numbered
# above the largest the profile names, they fail with ENOSYS, so that libc
# falls back to the older call (glibc 2.39's fchmodat on fchmodat2), while
# what the profile knows and denies still gets EPERM.  nr:1000 is a number
# no kernel has; 462 is mseal (Linux 6.10), which Debian 12's libseccomp
# does not know (were it known and allowed, mseal(0, 0, 0) would be ok).
@test "default profile: syscalls above what the profile names get ENOSYS, known ones EPERM" {
	make_bundle cabin-probe syscalls nr:1000 nr:462 keyctl unshare-user clone3 clone execve
	add_probe
	use_profile "$(default_profile)"
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "$(val nr:1000)" = ENOSYS ]
	v=$(val nr:462)
	[ "$v" = ENOSYS ] || [ "$v" = ok ]
	[ "$(val keyctl)" = EPERM ]
	[ "$(val unshare-user)" = EPERM ]
	[ "$(val clone3)" = ENOSYS ] # the profile's own rule
	[ "$(val clone)" = ok ]
	[ "$(val execve)" = ok ]
	# Started again, from the cached program: the same answers.
	local first=$output
	run_rt run --bundle "$BUNDLE" "$ID-2"
	[ "$status" -eq 0 ]
	[ "$output" = "$first" ]
	# x32 numbers (bit 30) on x86_64: the profile has x32, so a number
	# beyond x32's largest is ENOSYS too (the kernel may not run x32, and
	# then says ENOSYS itself: either way, never the default's EPERM).
	if [ "$(uname -m)" = x86_64 ]; then
		make_bundle cabin-probe syscalls nr:1073742824
		add_probe
		use_profile "$(default_profile)"
		run_rt run --bundle "$BUNDLE" "$ID-3"
		[ "$status" -eq 0 ]
		[ "$(val nr:1073742824)" = ENOSYS ]
	fi
}
