#!/usr/bin/env bats
# cabin run's defaults and flags for confinement: docker's 14 capabilities,
# --cap-add/--cap-drop, --privileged, the default seccomp profile (built for
# the container's capabilities), --security-opt, --read-only, masked and
# read-only paths, --init.  tests/helpers/cabin-probe reports and tries.

load cabin_helpers

# docker's default set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID
# SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP.
DOCKER_CAPS=00000000a80425fb

# probe_image: busybox with /bin/cabin-probe, as image `probe`.
probe_image() {
	local d=$TMP/probe-root
	mkdir -p "$d"
	tar -C "$d" -xf "$(cached_image rootfs.tar)"
	cp "$(probe_bin)" "$d/bin/cabin-probe"
	tar --numeric-owner -C "$d" -cf "$TMP/probe.tar" .
	cabin import "$TMP/probe.tar" probe >/dev/null
}

probe_field() { # OUTPUT KEY
	sed -n "s|^$2=||p" <<<"$1"
}

@test "run: docker's 14 capabilities, in the bounding, effective and permitted sets" {
	import_busybox
	run_cabin run --rm busybox grep -E '^Cap(Bnd|Eff|Prm|Inh|Amb)' /proc/self/status
	[[ $output == *"CapEff:	$DOCKER_CAPS"* ]]
	[[ $output == *"CapBnd:	$DOCKER_CAPS"* ]]
	[[ $output == *"CapPrm:	$DOCKER_CAPS"* ]]
	[[ $output == *"CapInh:	0000000000000000"* ]]
	[ "$(cabin run --rm -u nobody busybox awk '/CapEff/ {print $2}' /proc/self/status)" = 0000000000000000 ]
	assert_store_clean
}

@test "run --cap-add/--cap-drop: names with or without CAP_, ALL; unknown ones are refused" {
	import_busybox
	eff() { cabin run --rm "$@" busybox awk '/CapEff/ {print $2}' /proc/self/status; }
	# NET_ADMIN is bit 12
	[ "$(eff --cap-drop ALL --cap-add net_admin)" = 0000000000001000 ]
	[ "$(eff --cap-drop ALL)" = 0000000000000000 ]
	# without CHOWN (bit 0) and with CAP_SYS_PTRACE (bit 19)
	[ "$(eff --cap-drop CHOWN --cap-add CAP_SYS_PTRACE)" = 00000000a80c25fa ]
	run_cabin run --rm --cap-add NOT_A_CAP busybox true
	[ "$status" -eq 125 ]
	[[ $output == *"--cap-add: unknown capability"* ]]
	run_cabin run --name capd --cap-add net_admin --cap-drop mknod busybox true
	[ "$(cabin inspect -f '{{json .HostConfig.CapAdd}}' capd)" = '["CAP_NET_ADMIN"]' ]
	[ "$(cabin inspect -f '{{json .HostConfig.CapDrop}}' capd)" = '["CAP_MKNOD"]' ]
	assert_store_clean
}

@test "run: the default seccomp profile is on and built for the capabilities; unconfined and a file" {
	probe_image
	run_cabin run --rm probe cabin-probe report
	[ "$(probe_field "$output" seccomp)" = 2 ]
	run_cabin run --rm probe cabin-probe syscalls keyctl unshare-user socket-vsock personality
	[ "$(probe_field "$output" keyctl)" = EPERM ]
	[ "$(probe_field "$output" unshare-user)" = EPERM ]
	[ "$(probe_field "$output" socket-vsock)" = EPERM ]
	[ "$(probe_field "$output" personality)" = ok ]
	# CAP_SYS_ADMIN brings the calls docker lets it have (setns, mount, ...)
	run_cabin run --rm --cap-add SYS_ADMIN probe cabin-probe syscalls setns
	[ "$(probe_field "$output" setns)" != EPERM ]
	run_cabin run --rm --security-opt seccomp=unconfined probe cabin-probe report
	[ "$(probe_field "$output" seccomp)" = 0 ]
	# a profile file, in docker's format: everything allowed but uname
	cat >"$TMP/profile.json" <<-'EOF'
	{"defaultAction": "SCMP_ACT_ALLOW",
	 "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
	 "syscalls": [{"names": ["uname"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
	              {"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "includes": {"caps": ["CAP_SYS_ADMIN"]}}]}
	EOF
	run_cabin run --rm probe uname
	[ "$output" = Linux ]
	run_cabin run --rm --security-opt seccomp="$TMP/profile.json" probe sh -c 'uname; echo pid $$'
	[[ $output != *Linux* ]]
	# the getpid rule needs CAP_SYS_ADMIN, which the container has not
	[[ ${lines[-1]} == "pid 1" ]]
	run_cabin run --rm --security-opt seccomp="$TMP/nope.json" probe true
	[ "$status" -eq 125 ]
	[[ $output == *"seccomp"*"nope.json"* ]]
	assert_store_clean
}

@test "run --security-opt no-new-privileges; bad options are refused" {
	import_busybox
	[ "$(cabin run --rm busybox awk '/NoNewPrivs/ {print $2}' /proc/self/status)" = 0 ]
	[ "$(cabin run --rm --security-opt no-new-privileges busybox awk '/NoNewPrivs/ {print $2}' /proc/self/status)" = 1 ]
	[ "$(cabin run --rm --security-opt no-new-privileges:true busybox awk '/NoNewPrivs/ {print $2}' /proc/self/status)" = 1 ]
	run_cabin run --rm --security-opt bogus busybox true
	[ "$status" -eq 125 ]
	[[ $output == *"--security-opt \`bogus\`"* ]]
	assert_store_clean
}

@test "run --privileged: every capability we have, no seccomp, no masks, the host's devices, rw /sys" {
	probe_image
	run_cabin run --rm --privileged probe sh -c 'cabin-probe report; ls /dev | wc -l; cabin-probe ro /sys'
	[ "$(probe_field "$output" seccomp)" = 0 ]
	[ "$(($(ls /dev | wc -l) - 20))" -lt "$(sed -n 's/^\([0-9][0-9]*\)$/\1/p' <<<"$output" | head -1)" ]
	[ "$(probe_field "$output" /sys)" = rw ]
	bnd=$(awk '/CapBnd/ {print $2}' /proc/self/status)
	[ "$(cabin run --rm --privileged probe awk '/CapEff/ {print $2}' /proc/self/status)" = "$bnd" ]
	# without it, /proc/timer_list is masked (empty) and /proc/sys read-only
	[ -r /proc/timer_list ] || skip "no /proc/timer_list here"
	[ "$(cabin run --rm --privileged probe sh -c 'wc -c </proc/timer_list')" -gt 0 ]
	run_cabin run --rm probe sh -c 'wc -c </proc/timer_list; cabin-probe ro /proc/sys'
	[ "${lines[0]}" = 0 ]
	[ "$(probe_field "$output" /proc/sys)" = ro ]
	assert_store_clean
}

@test "run --read-only: the root cannot be written; /dev/shm and the /etc files can" {
	import_busybox
	run_cabin run --rm --read-only busybox sh -c \
		'touch /x 2>/dev/null && echo root-rw; echo a >/dev/shm/a && echo shm-ok; echo "# x" >>/etc/hosts && echo hosts-ok'
	[ "$output" = "$(printf 'shm-ok\nhosts-ok')" ]
	assert_store_clean
}

@test "run --init: PID 1 is cabin-init, which reaps orphans and passes signals on" {
	import_busybox
	run_cabin run --rm --init busybox sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; ps -o pid,ppid,args'
	[[ ${lines[0]} == "/sbin/cabin-init -- sh -c"* ]]
	# an orphan (its parent exits at once) is reaped: no zombie stays
	run_cabin run --rm --init busybox sh -c '(sleep 0.2 &) ; sleep 1; ps -o stat,args | grep -c "^Z" || true'
	[ "${lines[-1]}" = 0 ]
	# a TERM to the container reaches the command (sh has no handler as PID 1
	# would ignore it; under cabin-init it is an ordinary process)
	id=$(run_d --init busybox sh -c 'trap "exit 42" TERM; touch /ready; while :; do sleep 0.1; done')
	wait_for cabin exec "$id" test -e /ready
	cabin stop -t 30 "$id" >/dev/null
	[ "$(cstate "$id" ExitCode)" = 42 ]
	assert_store_clean
}

# exe_moved PID: whether /proc/PID/exe names something else than $CABIN now.
exe_moved() {
	local e
	e=$(readlink "/proc/$1/exe") && [ "$e" != "$(readlink -f "$CABIN")" ]
}

@test "run: cabin runs from a sealed view of its binary (CVE-2019-5736), which cannot be written" {
	import_busybox
	env "$MARKER" "$CABIN" --root "$CROOT" --runroot "$CRUN" run --name sealed --network none busybox sleep 30 \
		</dev/null >/dev/null 2>&1 3>&- &
	pid=$!
	wait_for exe_moved "$pid"
	exe=$(readlink "/proc/$pid/exe")
	if grep -qw overlay /proc/filesystems; then
		[ "$exe" = "/$(basename "$CABIN")" ]
		[ "$(stat -L -f -c %T "/proc/$pid/exe")" = overlayfs ]
	else
		[ "$exe" = "/memfd:cabin-runtime (deleted)" ]
	fi
	run sh -c "echo PWNED >/proc/$pid/exe"
	[ "$status" -ne 0 ]
	head -c 4 "$CABIN" | grep -q ELF
	# The monitor, and the cleanup it runs, are the files on the host.
	wait_for is_status sealed running
	id=$(cabin inspect -f '{{.Id}}' sealed)
	cmd=$(tr '\0' ' ' <"/proc/$(monitor_pid "$id")/cmdline")
	real=$(readlink -f "$CABIN")
	[[ $cmd == "$(dirname "$real")/cabin-monitor "*" -- $real --root "* ]]
	cabin rm -f "$id" >/dev/null
	wait "$pid" || true
	assert_container_gone "$id"
}

@test "run: a cabin installed on a read-only overlayfs runs from it as it is, and finds its monitor" {
	import_busybox
	local d=$TMP/ro bin
	bin=$(dirname "$(readlink -f "$CABIN")")
	mkdir -p "$d/lower" "$d/empty" "$d/mnt"
	cp "$bin/cabin" "$bin/cabin-monitor" "$bin/cabin-init" "$d/lower/"
	run env "$MARKER" timeout -k 5 120 unshare -m --propagation private sh -c '
		mount -t overlay overlay -o ro,lowerdir="$1/lower:$1/empty" "$1/mnt" || exit 99
		"$1/mnt/cabin" --root "$2" --runroot "$3" run --rm --network none busybox \
			sh -c "echo from-ro" </dev/null 3>&-' _ "$d" "$CROOT" "$CRUN"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
	[ "$output" = from-ro ]
	assert_store_clean
}
