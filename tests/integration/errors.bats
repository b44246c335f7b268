#!/usr/bin/env bats
# Errors: a clear message on stderr, a non-zero exit status, no damage.

load helpers

# expect_error WORD...: $status is non-zero and $output mentions every WORD
# (case-insensitive).
expect_error() {
	[ "$status" -ne 0 ] || {
		echo "expected failure, got status 0" >&2
		return 1
	}
	local w
	for w in "$@"; do
		grep -qiF -- "$w" <<<"$output" || {
			echo "error message does not mention '$w'" >&2
			return 1
		}
	done
}

@test "create with a duplicate id fails, the first container is unharmed" {
	make_bundle sleep 1000
	run_rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	pid=$(state_field "$ID" pid)
	run_rt create --bundle "$BUNDLE" "$ID"
	expect_error "already exists"
	[ "$(state_field "$ID" status)" = created ]
	[ "$(state_field "$ID" pid)" = "$pid" ]
	pid_alive "$pid"
	run_rt run --bundle "$BUNDLE" "$ID"
	expect_error "already exists"
}

@test "state, start, kill and delete of an unknown id fail" {
	mkdir -p "$ROOT"
	for cmd in state start kill delete; do
		run rt "$cmd" no-such-container
		expect_error "does not exist"
	done
}

@test "delete --force of an unknown id succeeds (as runc's does)" {
	mkdir -p "$ROOT"
	run rt delete --force no-such-container
	[ "$status" -eq 0 ]
}

@test "start of a running container fails" {
	make_bundle sleep 1000
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	run rt start "$ID"
	expect_error running
	[ "$(state_field "$ID" status)" = running ]
}

@test "start of a stopped container fails" {
	make_bundle true
	run_rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	run rt start "$ID"
	[ "$status" -eq 0 ]
	wait_for_status "$ID" stopped
	run rt start "$ID"
	expect_error stopped
}

@test "delete of a running container without --force fails and leaves it running" {
	make_bundle sleep 1000
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	run rt delete "$ID"
	expect_error running
	[ "$(state_field "$ID" status)" = running ]
	pid_alive "$(state_field "$ID" pid)"
}

@test "kill with a bad signal fails, the container keeps running" {
	make_bundle sleep 1000
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	for sig in FOO SIGFOO; do
		run rt kill "$ID" "$sig"
		expect_error signal
	done
	run rt kill "$ID" 99
	[ "$status" -ne 0 ]
	[ "$(state_field "$ID" status)" = running ]
}

@test "kill of a stopped container fails" {
	make_bundle true
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	wait_for_status "$ID" stopped
	run rt kill "$ID" KILL
	[ "$status" -ne 0 ]
}

@test "missing config.json" {
	make_bundle true
	rm "$BUNDLE/config.json"
	run_rt create --bundle "$BUNDLE" "$ID"
	expect_error config.json
	run_rt run --bundle "$BUNDLE" "$ID"
	expect_error config.json
	run rt state "$ID"
	[ "$status" -ne 0 ]
}

@test "missing bundle directory" {
	mkdir -p "$ROOT"
	run_rt create --bundle "$TMP/no-such-bundle" "$ID"
	[ "$status" -ne 0 ]
	run rt state "$ID"
	[ "$status" -ne 0 ]
}

@test "malformed config.json fails" {
	make_bundle true
	printf '{\n  "ociVersion": "1.0.2",\n  "process": {,\n}\n' >"$BUNDLE/config.json"
	run_rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	run rt state "$ID"
	[ "$status" -ne 0 ]
}

@test "malformed config.json: the message names the file, line and column" {
	# cabin-specific: runc says "unexpected EOF" / "invalid character"
	cabin_only
	make_bundle true
	printf '{\n  "ociVersion": "1.0.2",\n  "process": {,\n}\n' >"$BUNDLE/config.json"
	run_rt create --bundle "$BUNDLE" "$ID"
	expect_error config.json
	grep -qiE 'line:? *3' <<<"$output"
	grep -qiE 'col(umn)?:? *[0-9]+' <<<"$output"
}

@test "a config.json of the wrong shape names the bad field" {
	# cabin-specific: field paths in messages
	cabin_only
	make_bundle true
	update_config '.process.args = "not-an-array"'
	run_rt create --bundle "$BUNDLE" "$ID"
	expect_error config.json process.args
}

@test "a missing root filesystem fails" {
	make_bundle true
	rm -rf "$BUNDLE/rootfs"
	run_rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
}

@test "an unknown namespace type fails, naming it" {
	make_bundle true
	update_config '.linux.namespaces += [{"type": "bogusns"}]'
	run_rt create --bundle "$BUNDLE" "$ID"
	expect_error bogusns
}

@test "a relative mount destination fails" {
	# cabin-specific: runc 1.1 only warns
	cabin_only
	make_bundle true
	update_config '.mounts += [{"destination": "relative/dir", "type": "tmpfs", "source": "tmpfs"}]'
	run_rt create --bundle "$BUNDLE" "$ID"
	expect_error destination
}

@test "an executable that does not exist: create fails naming it" {
	make_bundle no-such-program-xyz
	run_rt create --bundle "$BUNDLE" "$ID"
	expect_error no-such-program-xyz
	run_rt run --bundle "$BUNDLE" "$ID"
	expect_error no-such-program-xyz
}

@test "an executable given by a path that does not exist fails naming it" {
	make_bundle /bin/no-such-program-xyz
	run_rt run --bundle "$BUNDLE" "$ID"
	expect_error no-such-program-xyz
}

@test "a file that is not executable fails" {
	make_bundle /etc/os-release
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	grep -qiE 'permission denied|not executable|os-release' <<<"$output"
}

@test "a bind mount of a source that does not exist fails" {
	make_bundle true
	bind_mount "$TMP/no-such-source" /data
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
}

@test "an id with a slash or dot-dot is refused" {
	make_bundle true
	mkdir -p "$ROOT"
	for bad in "../escape" "a/b" ".." ""; do
		run_rt create --bundle "$BUNDLE" "$bad"
		[ "$status" -ne 0 ]
	done
	[ ! -e "$TMP/escape" ]
	[ -z "$(ls -A "$ROOT")" ]
}

@test "an unknown command or option fails" {
	run rt no-such-command
	[ "$status" -ne 0 ]
	run rt state --no-such-option x
	[ "$status" -ne 0 ]
}

# ---- nothing left behind after a failed create (cabin-specific) -----------

# check_failed_create_is_clean: create $ID must fail and leave no state, no
# mount, no process and no cgroup behind.
check_failed_create_is_clean() {
	local before i
	mkdir -p "$ROOT"
	before=$(host_mounts)
	run_rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	# no state
	[ -z "$(ls -A "$ROOT" | grep -F "$ID")" ]
	run rt list -q
	[ -z "$output" ]
	# no mount in the host's mount namespace
	[ "$(host_mounts)" = "$before" ]
	# no process (allow a moment for reaping)
	for i in $(seq 200); do
		[ -z "$(marker_pids)" ] && break
		sleep 0.05
	done
	[ -z "$(marker_pids)" ]
	# no cgroup
	[ -z "$(find /sys/fs/cgroup -maxdepth 5 -name "*$ID*" 2>/dev/null)" ]
}

@test "failed create leaves nothing behind: executable not found" {
	# cabin-specific
	cabin_only
	make_bundle no-such-program-xyz
	check_failed_create_is_clean
}

@test "failed create leaves nothing behind: non-namespaced sysctl" {
	# cabin-specific
	cabin_only
	make_bundle true
	update_config '.linux.sysctl = {"kernel.panic": "3"}'
	check_failed_create_is_clean
}

@test "failed create leaves nothing behind: bad bind mount source" {
	# cabin-specific
	cabin_only
	make_bundle true
	bind_mount "$TMP/no-such-source" /data
	check_failed_create_is_clean
}

@test "failed create leaves nothing behind: refused rlimit" {
	# cabin-specific
	cabin_only
	host_hard=$(ulimit -Hn)
	[ "$host_hard" != unlimited ] || skip "host hard NOFILE is unlimited"
	make_bundle true
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": $h}]' --argjson h $((host_hard + 10000))
	check_failed_create_is_clean
}

@test "failed create leaves nothing behind: joining a namespace that does not exist" {
	# cabin-specific
	cabin_only
	make_bundle true
	add_namespace network /var/run/netns/cabin-no-such-netns
	check_failed_create_is_clean
}
