#!/usr/bin/env bats
# create / start / state / kill / delete / run -d / list

load helpers

# A container that signals readiness through the host dir and exits when the
# host touches $HOSTDIR/stop.
waiting_bundle() {
	make_bundle sh -c 'touch /shared/started; while [ ! -e /shared/stop ]; do sleep 0.05; done'
	bind_mount "$HOSTDIR" /shared
}

@test "create: status created, init alive, args not run yet" {
	waiting_bundle
	run_rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]

	run rt state "$ID"
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = created ]
	[ "$(jq -r .id <<<"$output")" = "$ID" ]
	pid=$(jq -r .pid <<<"$output")
	[ "$pid" -gt 0 ]
	pid_alive "$pid"

	# The user process must not have run.
	sleep 0.2
	[ ! -e "$HOSTDIR/started" ]
}

@test "start: created -> running, args run; exit -> stopped; delete removes it" {
	waiting_bundle
	run_rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ ! -e "$HOSTDIR/started" ]
	pid=$(state_field "$ID" pid)

	run rt start "$ID"
	[ "$status" -eq 0 ]
	wait_for_file "$HOSTDIR/started"
	[ "$(state_field "$ID" status)" = running ]
	[ "$(state_field "$ID" pid)" = "$pid" ]

	touch "$HOSTDIR/stop"
	wait_for_status "$ID" stopped
	wait_for_exit "$pid"

	run rt list -q
	[ "$status" -eq 0 ]
	grep -qxF "$ID" <<<"$output"

	run rt delete "$ID"
	[ "$status" -eq 0 ]
	run rt list -q
	[ "$status" -eq 0 ]
	refute grep -qxF "$ID" <<<"$output"
	# Nothing about the container left in the state dir.
	[ -z "$(ls -A "$ROOT" | grep -F "$ID")" ]
	run rt state "$ID"
	[ "$status" -ne 0 ]
}

@test "delete removes the container's cgroups" {
	make_bundle true
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	wait_for_status "$ID" stopped
	run rt delete "$ID"
	[ "$status" -eq 0 ]
	# (find's complaints about groups others remove meanwhile are not ours)
	[ -z "$(find /sys/fs/cgroup -maxdepth 5 -name "*$ID*" 2>/dev/null)" ]
}

@test "state: OCI fields, absolute bundle path from a relative --bundle" {
	make_bundle sleep 100
	update_config '.annotations = {"org.cabin.test": "yes"}'
	cd "$TMP"
	run_rt create --bundle bundle "$ID"
	[ "$status" -eq 0 ]
	run rt state "$ID"
	[ "$status" -eq 0 ]
	jq -e '.ociVersion | type == "string" and length > 0' <<<"$output"
	jq -e --arg id "$ID" '.id == $id' <<<"$output"
	jq -e '.status == "created"' <<<"$output"
	jq -e '.pid | type == "number" and . > 0' <<<"$output"
	jq -e --arg b "$BUNDLE" '.bundle == $b' <<<"$output"
	jq -e '.annotations["org.cabin.test"] == "yes"' <<<"$output"
}

@test "create and run use the current directory when --bundle is omitted" {
	make_bundle sh -c 'echo hello from the container'
	cd "$BUNDLE"
	run_rt create "$ID"
	[ "$status" -eq 0 ]
	run rt state "$ID"
	jq -e --arg b "$BUNDLE" '.bundle == $b' <<<"$output"
	run_rt run "$ID2"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the container" ]
}

@test "run in the foreground deletes the container when it exits" {
	make_bundle true
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	run rt state "$ID"
	[ "$status" -ne 0 ]
	run rt list -q
	[ "$status" -eq 0 ]
	refute grep -qxF "$ID" <<<"$output"
}

@test "kill: TERM, SIGTERM, 15, the default signal and USR1 reach the process" {
	make_bundle true
	set_args sh -c 'trap "echo TERM > /shared/got; exit 0" TERM
		trap "echo USR1 > /shared/got; exit 0" USR1
		touch /shared/ready; sleep 1000 & wait'
	bind_mount "$HOSTDIR" /shared
	n=0
	for sig in TERM SIGTERM 15 "" USR1; do
		n=$((n + 1))
		id="$ID-$n"
		rm -f "$HOSTDIR/ready" "$HOSTDIR/got"
		run_rt run -d --bundle "$BUNDLE" "$id"
		[ "$status" -eq 0 ]
		wait_for_file "$HOSTDIR/ready"
		if [ -n "$sig" ]; then
			run rt kill "$id" "$sig"
		else
			run rt kill "$id"
		fi
		[ "$status" -eq 0 ]
		wait_for_status "$id" stopped
		want=TERM
		[ "$sig" = USR1 ] && want=USR1
		[ "$(cat "$HOSTDIR/got")" = "$want" ]
		run rt delete "$id"
		[ "$status" -eq 0 ]
	done
}

@test "kill KILL stops a running container" {
	make_bundle sleep 1000
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	pid=$(state_field "$ID" pid)
	run rt kill "$ID" KILL
	[ "$status" -eq 0 ]
	wait_for_status "$ID" stopped
	wait_for_exit "$pid"
	run rt kill "$ID" 9
	[ "$status" -ne 0 ] # not running any more
}

@test "kill --all signals every process of the container" {
	# Without a pid namespace killing init would leave the children running.
	make_bundle sh -c 'sleep 1001 & sleep 1002 & touch /shared/ready; wait'
	bind_mount "$HOSTDIR" /shared
	drop_namespace pid
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	wait_for_file "$HOSTDIR/ready"
	[ "$(marker_pids | wc -l)" -ge 3 ]

	run rt kill --all "$ID" KILL
	[ "$status" -eq 0 ]
	wait_for_status "$ID" stopped
	for i in $(seq 100); do
		[ -z "$(marker_pids)" ] && break
		sleep 0.05
	done
	[ -z "$(marker_pids)" ]
}

@test "delete --force removes a running container" {
	make_bundle sleep 1000
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	pid=$(state_field "$ID" pid)
	run rt delete --force "$ID"
	[ "$status" -eq 0 ]
	wait_for_exit "$pid"
	run rt state "$ID"
	[ "$status" -ne 0 ]
	run rt list -q
	refute grep -qxF "$ID" <<<"$output"
}

@test "delete --force removes a created container" {
	waiting_bundle
	run_rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	pid=$(state_field "$ID" pid)
	run rt delete --force "$ID"
	[ "$status" -eq 0 ]
	wait_for_exit "$pid"
	[ ! -e "$HOSTDIR/started" ]
	run rt state "$ID"
	[ "$status" -ne 0 ]
	[ -z "$(ls -A "$ROOT" | grep -F "$ID")" ]
}

@test "run -d: detaches, container running" {
	make_bundle sleep 1000
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "$(state_field "$ID" status)" = running ]
	pid_alive "$(state_field "$ID" pid)"
	run_rt run --detach --bundle "$BUNDLE" "$ID2"
	[ "$status" -eq 0 ]
	[ "$(state_field "$ID2" status)" = running ]
}

@test "--pid-file holds the state's pid (create and run -d)" {
	make_bundle sleep 1000
	run_rt create --bundle "$BUNDLE" --pid-file "$TMP/create.pid" "$ID"
	[ "$status" -eq 0 ]
	[ "$(cat "$TMP/create.pid")" = "$(state_field "$ID" pid)" ]

	run_rt run -d --bundle "$BUNDLE" --pid-file "$TMP/run.pid" "$ID2"
	[ "$status" -eq 0 ]
	[ "$(cat "$TMP/run.pid")" = "$(state_field "$ID2" pid)" ]
}

@test "list: table, -q and --format json" {
	make_bundle sleep 1000
	run_rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	run_rt run -d --bundle "$BUNDLE" "$ID2"
	[ "$status" -eq 0 ]

	run rt list
	[ "$status" -eq 0 ]
	grep -q '^ID' <<<"${lines[0]}"
	grep -E "^${ID}[[:space:]].*created" <<<"$output"
	grep -E "^${ID2}[[:space:]].*running" <<<"$output"

	run rt list -q
	[ "$status" -eq 0 ]
	[ "$(sort <<<"$output")" = "$(printf '%s\n' "$ID" "$ID2" | sort)" ]

	run rt list --format json
	[ "$status" -eq 0 ]
	jq -e 'type == "array" and length == 2' <<<"$output"
	jq -e --arg id "$ID" '.[] | select(.id == $id) | .status == "created"' <<<"$output"
	jq -e --arg id "$ID2" '.[] | select(.id == $id) | .status == "running" and .pid > 0' <<<"$output"
}

@test "list --format json with no containers is an empty array" {
	# cabin-specific: runc prints null
	cabin_only
	mkdir -p "$ROOT"
	run rt list --format json
	[ "$status" -eq 0 ]
	jq -e '. == []' <<<"$output"
	run rt list -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "list --format json: every entry has id, pid, status, bundle, created" {
	# cabin-specific: the exact shape of list's JSON
	cabin_only
	make_bundle sleep 1000
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	run rt list --format json
	[ "$status" -eq 0 ]
	jq -e --arg id "$ID" --arg b "$BUNDLE" \
		'.[0] | .id == $id and (.pid | type == "number") and .status == "running" and .bundle == $b and (.created | type == "string")' \
		<<<"$output"
}

@test "no process of the container keeps the caller's extra file descriptors" {
	make_bundle sleep 1000
	exec 7>"$TMP/fd7"
	run_rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	run_rt run -d --bundle "$BUNDLE" "$ID2"
	[ "$status" -eq 0 ]
	exec 7>&-
	pids=$(marker_pids)
	[ -n "$pids" ]
	for p in $pids; do
		if ls -l "/proc/$p/fd" 2>/dev/null | grep -qF "$TMP/fd7"; then
			echo "pid $p ($(tr '\0' ' ' <"/proc/$p/cmdline")) holds the caller's fd 7" >&2
			return 1
		fi
	done
}
