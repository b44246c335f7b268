#!/usr/bin/env bats
# OCI hooks: when each kind runs, in which namespaces, what it gets on stdin,
# and what its failure does.

load helpers

# host_hook NAME BODY: an executable sh script on the host at $TMP/NAME.
host_hook() {
	printf '#!/bin/sh\n%s\n' "$2" >"$TMP/$1"
	chmod +x "$TMP/$1"
}

# add_hook KIND JSON
add_hook() {
	update_config ".hooks[\$k] += [$2]" --arg k "$1"
}

# A logging hook: "KIND STATUS PID ID HOSTNAME" from the state on stdin.
log_body() {
	# $1 = kind, $2 = log file
	echo "state=\$(cat); echo \"$1 \$(echo \"\$state\" | sed -n 's/.*\"status\":\"\\([a-z]*\\)\".*/\\1/p') \$(echo \"\$state\" | sed -n 's/.*\"pid\":\\([0-9]*\\).*/\\1/p') \$(echo \"\$state\" | sed -n 's/.*\"id\":\"\\([^\"]*\\)\".*/\\1/p') \$(cat /proc/sys/kernel/hostname)\" >>$2"
}

@test "hooks: every kind runs once, in lifecycle order, with the state on stdin" {
	# runc 1.1.5 differs: createContainer sees the host's hostname and pid 1,
	# poststart runs before startContainer, poststop gets no pid.
	cabin_only
	make_bundle sh -c 'echo process >>/shared/log'
	bind_mount "$HOSTDIR" /shared
	update_config '.hostname = "hooked"'
	for k in prestart createRuntime createContainer poststart poststop; do
		host_hook "$k.sh" "$(log_body "$k" "$HOSTDIR/log")"
		add_hook "$k" "{\"path\":\"$TMP/$k.sh\"}"
	done
	# startContainer resolves its path in the container: the script lives
	# in the rootfs and logs through the bind mount.
	printf '#!/bin/sh\n%s\n' "$(log_body startContainer /shared/log)" >"$BUNDLE/rootfs/start-hook.sh"
	chmod +x "$BUNDLE/rootfs/start-hook.sh"
	add_hook startContainer '{"path":"/start-hook.sh"}'

	run_rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	pid=$(state_field "$ID" pid)
	run rt start "$ID"
	[ "$status" -eq 0 ]
	wait_for_status "$ID" stopped
	run rt delete "$ID"
	[ "$status" -eq 0 ]
	cat "$HOSTDIR/log"
	host=$(cat /proc/sys/kernel/hostname)
	run cat "$HOSTDIR/log"
	[ "${lines[0]}" = "prestart creating $pid $ID $host" ]
	[ "${lines[1]}" = "createRuntime creating $pid $ID $host" ]
	# createContainer: in the container's namespaces (its hostname).
	[ "${lines[2]}" = "createContainer creating $pid $ID hooked" ]
	[ "${lines[3]}" = "startContainer created $pid $ID hooked" ]
	# poststart and the process race; both come after startContainer.
	[[ " ${lines[4]} ${lines[5]} " == *" process "* ]]
	[[ "${lines[4]}${lines[5]}" == *"poststart running $pid $ID $host"* ]]
	[ "${lines[6]}" = "poststop stopped 0 $ID $host" ]
	[ "${#lines[@]}" -eq 7 ]
}

@test "hooks: args and env are passed" {
	make_bundle true
	host_hook args.sh "echo \"\$0|\$1|\$2|\$FOO\" >$HOSTDIR/args"
	add_hook createRuntime "{\"path\":\"$TMP/args.sh\",\"args\":[\"zero\",\"one\",\"two\"],\"env\":[\"FOO=bar\"]}"
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "$(cat "$HOSTDIR/args")" = "$TMP/args.sh|one|two|bar" ] || [ "$(cat "$HOSTDIR/args")" = "zero|one|two|bar" ]
}

@test "hooks: a failing createRuntime hook fails create, names the hook, leaves nothing" {
	make_bundle true
	host_hook fail.sh 'exit 3'
	add_hook createRuntime "{\"path\":\"$TMP/fail.sh\"}"
	run_rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	if ! is_runc; then
		[[ "$output" == *"hooks.createRuntime[0]"*"fail.sh"*"exit status 3"* ]]
		[ -z "$(ls "$ROOT" | grep -v '^\.' || true)" ]
	fi
	run rt state "$ID"
	[ "$status" -ne 0 ]
}

@test "hooks: a hook past its timeout is killed and fails create" {
	make_bundle true
	host_hook slow.sh 'sleep 30'
	add_hook prestart "{\"path\":\"$TMP/slow.sh\",\"timeout\":1}"
	SECONDS=0
	run_rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	if ! is_runc; then # runc 1.1.5 waits for the hook's children
		[ "$SECONDS" -lt 10 ]
		[[ "$output" == *"hooks.prestart[0]"*"timeout"* ]]
	fi
}

@test "hooks: a failing poststart hook is a warning; the container runs" {
	cabin_only # runc fails start and kills the container
	make_bundle sh -c 'touch /shared/ran'
	bind_mount "$HOSTDIR" /shared
	host_hook fail.sh 'exit 1'
	add_hook poststart "{\"path\":\"$TMP/fail.sh\"}"
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ -e "$HOSTDIR/ran" ]
	[[ "$output" == *"hooks.poststart[0]"* ]]
}

@test "hooks: a relative hook path or an unknown kind is refused" {
	cabin_only
	make_bundle true
	add_hook prestart '{"path":"relative.sh"}'
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"hooks.prestart[0].path"* ]]
	update_config 'del(.hooks) | .hooks.frobnicate = []'
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"hooks.frobnicate"* ]]
}
