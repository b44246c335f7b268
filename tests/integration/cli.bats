#!/usr/bin/env bats
# The command line: spec, features, --version, --help, --log, --debug.

load helpers

@test "spec: valid JSON that create accepts (terminal off, args set)" {
	mkdir -p "$BUNDLE"
	cd "$BUNDLE"
	run rt spec
	[ "$status" -eq 0 ]
	[ -f config.json ]
	jq -e '.ociVersion | type == "string"' config.json
	jq -e '.root.path == "rootfs"' config.json
	jq -e '.process.args | type == "array" and length > 0' config.json
	jq -e '[.linux.namespaces[].type] | index("mount") != null' config.json
	# Only the rootfs comes from mkbundle.sh.
	make_bundle_at "$TMP/donor" true
	mv "$TMP/donor/rootfs" "$BUNDLE/rootfs"
	update_config '.process.terminal = false | .process.args = ["sh", "-c", "echo spec-ok"] | .process.env += [$m]' --arg m "$MARKER"
	run_rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	run rt start "$ID"
	[ "$status" -eq 0 ]
	wait_for_status "$ID" stopped
	run rt delete "$ID"
	[ "$status" -eq 0 ]
}

@test "spec --bundle writes into the given directory" {
	mkdir -p "$TMP/elsewhere"
	cd "$TMP"
	run rt spec --bundle "$TMP/elsewhere"
	[ "$status" -eq 0 ]
	jq -e . "$TMP/elsewhere/config.json" >/dev/null
	[ ! -e "$TMP/config.json" ]
}

@test "spec refuses to overwrite an existing config.json" {
	mkdir -p "$BUNDLE"
	echo '{"keep": true}' >"$BUNDLE/config.json"
	run rt spec --bundle "$BUNDLE"
	[ "$status" -ne 0 ]
	grep -qi config.json <<<"$output"
	jq -e '.keep == true' "$BUNDLE/config.json"
}

@test "spec --rootless: a user namespace with uid and gid mappings" {
	mkdir -p "$BUNDLE"
	run rt spec --rootless --bundle "$BUNDLE"
	[ "$status" -eq 0 ]
	jq -e '[.linux.namespaces[].type] | index("user") != null' "$BUNDLE/config.json"
	jq -e '.linux.uidMappings | type == "array" and length > 0' "$BUNDLE/config.json"
	jq -e '.linux.gidMappings | type == "array" and length > 0' "$BUNDLE/config.json"
	jq -e --argjson u "$(id -u)" '.linux.uidMappings[0].hostID == $u' "$BUNDLE/config.json"
}

@test "--version" {
	run "$CABIN_RUNTIME" --version
	[ "$status" -eq 0 ]
	grep -qi version <<<"$output"
	grep -qi spec <<<"$output"
}

@test "--version is shaped like runc's (dockerd and podman read it)" {
	run "$CABIN_RUNTIME" --version
	[ "$status" -eq 0 ]
	# "NAME version VERSION", then "commit: ..." and "spec: 1.x"
	[[ ${lines[0]} =~ ^[a-z][a-z-]*\ version\ [0-9] ]]
	grep -q '^commit: .' <<<"$output"
	grep -q '^spec: 1\.' <<<"$output"
	grep -q '^libseccomp: [0-9]' <<<"$output"
	# -v, also after global options.
	run "$CABIN_RUNTIME" --root "$ROOT" -v
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ \ version\  ]]
}

@test "--log json: a failed create ends the log with the error line clients show" {
	make_bundle no-such-program
	run_rt --log "$TMP/log.json" --log-format json create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	tail -n1 "$TMP/log.json" | jq -e '.level == "error" and (.msg | test("no-such-program")) and (.time | length > 0)'
}

@test "--log json: a failed exec ends the log with its error line" {
	make_bundle sleep 1000
	run_rt run -d --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	run_rt --log "$TMP/log.json" --log-format json exec --cwd /no/such/dir "$ID" true
	[ "$status" -ne 0 ]
	tail -n1 "$TMP/log.json" | jq -e '.level == "error" and (.msg | test("/no/such/dir"))'
}

@test "features: valid JSON with ociVersionMin and ociVersionMax" {
	run "$CABIN_RUNTIME" features
	[ "$status" -eq 0 ]
	jq -e '.ociVersionMin | type == "string" and length > 0' <<<"$output"
	jq -e '.ociVersionMax | type == "string" and length > 0' <<<"$output"
	jq -e '.linux.namespaces | index("pid") != null and index("user") != null' <<<"$output"
}

@test "features: lists every namespace type, time included" {
	# cabin-specific: runc 1.1 has no time namespace
	cabin_only
	run "$CABIN_RUNTIME" features
	[ "$status" -eq 0 ]
	for ns in cgroup ipc mount network pid user uts time; do
		jq -e --arg n "$ns" '.linux.namespaces | index($n) != null' <<<"$output"
	done
}

@test "--help works on every command" {
	run "$CABIN_RUNTIME" --help
	[ "$status" -eq 0 ]
	[ -n "$output" ]
	for cmd in spec create start state kill delete run list features; do
		run "$CABIN_RUNTIME" "$cmd" --help
		[ "$status" -eq 0 ] || {
			echo "$cmd --help: status $status" >&2
			return 1
		}
		grep -qi "$cmd" <<<"$output"
	done
}

@test "--log with --log-format json: a failure writes an error line" {
	mkdir -p "$ROOT"
	run rt --log "$TMP/log.json" --log-format json state no-such-container
	[ "$status" -ne 0 ]
	# The error is still reported on stderr.
	grep -qi "does not exist" <<<"$output"
	[ -s "$TMP/log.json" ]
	# Every line is a JSON object; one is the error.
	while read -r line; do
		jq -e 'type == "object"' <<<"$line" >/dev/null
	done <"$TMP/log.json"
	jq -se 'map(select(.level == "error" and (.msg | test("does not exist")) and (.time | type == "string"))) | length >= 1' "$TMP/log.json"
}

@test "--log with the text format: a failure writes the message" {
	mkdir -p "$ROOT"
	run rt --log "$TMP/log.txt" state no-such-container
	[ "$status" -ne 0 ]
	grep -qi "does not exist" "$TMP/log.txt"
}

@test "--log: a failed create logs the error" {
	make_bundle no-such-program-xyz
	run_rt --log "$TMP/log.json" --log-format json create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	jq -se 'map(select(.level == "error" and (.msg | test("no-such-program-xyz")))) | length >= 1' "$TMP/log.json"
}

@test "--debug is accepted" {
	mkdir -p "$ROOT"
	run rt --debug list
	[ "$status" -eq 0 ]
	run rt --debug state no-such-container
	[ "$status" -ne 0 ]
}

@test "list on a root that does not exist yet" {
	run rt list -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "a bundle made by runc spec runs unchanged" {
	if ! command -v runc >/dev/null; then skip "runc not installed"; fi
	SPEC_RUNTIME=runc make_bundle sh -c 'echo from-runc-bundle; hostname; cat /proc/self/status | grep ^NoNewPrivs'
	# make_bundle only changed args, terminal and the test marker.
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = from-runc-bundle ]
	[ "${lines[1]}" = runc ]
	[ "$(echo ${lines[2]})" = "NoNewPrivs: 1" ]
}

@test "a bundle made by runc spec: create, start, kill, delete" {
	if ! command -v runc >/dev/null; then skip "runc not installed"; fi
	SPEC_RUNTIME=runc make_bundle sleep 1000
	run_rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	run rt start "$ID"
	[ "$status" -eq 0 ]
	[ "$(state_field "$ID" status)" = running ]
	run rt kill "$ID" KILL
	[ "$status" -eq 0 ]
	wait_for_status "$ID" stopped
	run rt delete "$ID"
	[ "$status" -eq 0 ]
}
