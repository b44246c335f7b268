#!/usr/bin/env bats
# cabin login/logout, pull and push against registries that want
# credentials: htpasswd basic auth, and bearer tokens from a token server
# (tests/helpers/token-server.py) as Docker Hub's, with anonymous pulls.

load registry_helpers

setup_file() {
	local d=$BATS_FILE_TMPDIR/reg oci
	mkdir -p "$d"
	oci=$(cached_image oci) || return 1
	htpasswd -Bbn alice secret >"$d/htpasswd"
	HREG=$(REG_AUTH=htpasswd REG_HTPASSWD=$d/htpasswd reg_start "$d/basic") || return 1
	export HREG
	push_oci "$oci" multi "$HREG/private/multi:1" --dest-creds alice:secret || return 1

	export TOKDIR=$d/token
	TPORT=$(token_start "$TOKDIR" --user alice:wonderland:pull,push --user bob:builder:pull \
		--anonymous pull --refresh rt-alice:alice) || return 1
	TREG=$(REG_AUTH=token REG_TOKEN_REALM=http://127.0.0.1:$TPORT/token \
		REG_TOKEN_SERVICE=cabin-test-registry REG_TOKEN_CERT=$TOKDIR/cert.pem \
		reg_start "$d/tokenreg") || return 1
	export TREG
	push_oci "$oci" multi "$TREG/team/multi:1" --dest-creds alice:wonderland || return 1
}

teardown_file() {
	reg_stop_all
}

setup() {
	cabin_setup || return
	TOKEN_LOG_START=$(wc -l <"$TOKDIR/log" 2>/dev/null || echo 0)
	# Credentials only from this test's files.
	export HOME=$TMP/home XDG_RUNTIME_DIR=$TMP/xdg-run
	unset XDG_CONFIG_HOME DOCKER_CONFIG REGISTRY_AUTH_FILE
	mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
	AUTHFILE=$HOME/.config/cabin/auth.json
}

# token_requests FILTER: token server requests since the test began.
token_requests() {
	jq -s --argjson from "$TOKEN_LOG_START" ".[\$from:] | [.[] | select($1)] | length" "$TOKDIR/log"
}

@test "basic auth: pulls need credentials; a bad password stores nothing; login stores docker's format; logout" {
	run_cabin pull "$HREG/private/multi:1"
	[ "$status" -ne 0 ]
	[[ $output == *"unauthorized (HTTP 401)"* ]]
	run_cabin login -u alice --password wrong "$HREG"
	[ "$status" -ne 0 ]
	[[ $output == *"login to $HREG"*"refused the credentials"*"401"* ]]
	[ ! -e "$AUTHFILE" ]
	echo secret | cabin_in login -u alice --password-stdin "$HREG" >"$TMP/login.out"
	[ "$(cat "$TMP/login.out")" = "Login Succeeded" ]
	[ "$(stat -c %a "$AUTHFILE")" = 600 ]
	[ "$(jq -r --arg r "$HREG" '.auths[$r].auth' "$AUTHFILE" | base64 -d)" = alice:secret ]
	run_cabin pull "$HREG/private/multi:1"
	[ "$status" -eq 0 ]
	run_cabin run --rm "$HREG/private/multi:1" ls /data
	[ "${#lines[@]}" -eq 3 ]
	run_cabin logout "$HREG"
	[ "$output" = "Removing login credentials for $HREG" ]
	[ "$(jq -r --arg r "$HREG" '.auths[$r]' "$AUTHFILE")" = null ]
	run_cabin logout "$HREG"
	[ "$output" = "Not logged in to $HREG" ]
	cabin rmi "$HREG/private/multi:1" >/dev/null
	run_cabin pull "$HREG/private/multi:1"
	[ "$status" -ne 0 ]
}

@test "basic auth: --creds, --authfile, docker's config.json, containers' auth.json, a credential helper" {
	run_cabin pull -q --creds alice:nope "$HREG/private/multi:1"
	[ "$status" -ne 0 ]
	run_cabin pull -q --creds alice:secret "$HREG/private/multi:1"
	[ "$status" -eq 0 ]
	auth=$(printf alice:secret | base64)

	CROOT=$TMP/s1
	export DOCKER_CONFIG=$TMP/docker
	mkdir -p "$DOCKER_CONFIG"
	jq -n --arg r "http://$HREG" --arg a "$auth" '{auths: {($r): {auth: $a}}}' >"$DOCKER_CONFIG/config.json"
	run_cabin pull -q "$HREG/private/multi:1"
	[ "$status" -eq 0 ]
	unset DOCKER_CONFIG

	# podman's namespaced key: for that repository only.
	CROOT=$TMP/s2
	mkdir -p "$XDG_RUNTIME_DIR/containers"
	jq -n --arg r "$HREG/private/multi" --arg a "$auth" '{auths: {($r): {auth: $a}}}' \
		>"$XDG_RUNTIME_DIR/containers/auth.json"
	run_cabin pull -q "$HREG/private/multi:1"
	[ "$status" -eq 0 ]
	rm "$XDG_RUNTIME_DIR/containers/auth.json"

	CROOT=$TMP/s3
	mkdir -p "$TMP/bin" "$HOME/.docker"
	cat >"$TMP/bin/docker-credential-cabintest" <<-EOF
		#!/bin/sh
		[ "\$1" = get ] || exit 1
		read -r server
		echo "\$server" >"$TMP/helper.asked"
		echo '{"ServerURL": "'"\$server"'", "Username": "alice", "Secret": "secret"}'
	EOF
	chmod +x "$TMP/bin/docker-credential-cabintest"
	jq -n --arg r "$HREG" '{credHelpers: {($r): "cabintest"}}' >"$HOME/.docker/config.json"
	PATH=$TMP/bin:$PATH run_cabin pull -q "$HREG/private/multi:1"
	[ "$status" -eq 0 ]
	[ "$(cat "$TMP/helper.asked")" = "$HREG" ]
	rm "$HOME/.docker/config.json"

	# --authfile: login writes it, pull reads only it.
	CROOT=$TMP/s4
	cabin login -u alice -p secret --authfile "$TMP/mine.json" "$HREG" >/dev/null
	[ ! -e "$AUTHFILE" ]
	run_cabin pull -q "$HREG/private/multi:1"
	[ "$status" -ne 0 ]
	run_cabin pull -q --authfile "$TMP/mine.json" "$HREG/private/multi:1"
	[ "$status" -eq 0 ]
	echo '{"auths": 7}' >"$TMP/bad.json"
	run_cabin pull --authfile "$TMP/bad.json" "$HREG/private/multi:1"
	[ "$status" -ne 0 ]
	[[ $output == *"$TMP/bad.json: auths: expected an object"* ]]
}

@test "a redirect to blob storage elsewhere carries no Authorization of ours" {
	proxy_start "$HREG" --upstream-auth alice:secret
	proxy_rules '{"redirect": "/blobs/"}'
	run_cabin pull --creds alice:secret "$PROXY/private/multi:1"
	[ "$status" -eq 0 ]
	# The config and the four layers.
	[ "$(proxy_log_count '.status == 307 and .authorization')" -eq 5 ]
	[ "$(proxy_log_count '(.path | startswith("/_storage/")) and .status == 200')" -eq 5 ]
	[ "$(proxy_log_count '(.path | startswith("/_storage/")) and .authorization')" -eq 0 ]
	run_cabin run --rm "$PROXY/private/multi:1" ls /data
	[ "${#lines[@]}" -eq 3 ]
}

@test "token auth: an anonymous pull, with one token for the whole pull; an anonymous push is denied" {
	# A credential store named but not installed has nothing: anonymous.
	mkdir -p "$HOME/.docker"
	echo '{"credsStore": "cabin-test-nosuch"}' >"$HOME/.docker/config.json"
	run_cabin pull "$TREG/team/multi:1"
	[ "$status" -eq 0 ]
	[ "$(grep -c ': Pull complete$' <<<"$output")" -eq 4 ]
	[ "$(token_requests '.user == null and .query.scope == ["repository:team/multi:pull"]')" -eq 1 ]
	[ "$(token_requests '.query.service == ["cabin-test-registry"]')" -eq 1 ]
	import_busybox bb
	run_cabin push bb "$TREG/team/bb:1"
	[ "$status" -ne 0 ]
	# (the registry lists the scope's actions in either order)
	[[ $output == *"pushing \`bb\`"*"unauthorized (HTTP 401)"*"insufficient_scope: repository:team/bb:"* ]]
	[[ $output == *"repository:team/bb:pull,push"* || $output == *"repository:team/bb:push,pull"* ]]
}

@test "token auth: login, push, pull back; pull-only users cannot push; a wrong password is refused" {
	run_cabin login -u alice -p nope "$TREG"
	[ "$status" -ne 0 ]
	[[ $output == *"the token server refused the credentials"*"incorrect username or password"* ]]
	[ ! -e "$AUTHFILE" ]
	run_cabin login -u alice -p wonderland "$TREG"
	[ "$status" -eq 0 ]
	[ "$(token_requests '.user == "alice" and .query.scope == null')" -eq 1 ]
	import_busybox bb
	run_cabin push bb "$TREG/team/bb-$BATS_TEST_NUMBER:1"
	[ "$status" -eq 0 ]
	[ "$(token_requests '.user == "alice" and ((.query.scope // [""])[0] | test("pull,push"))')" -ge 1 ]
	CROOT=$TMP/other
	cabin logout "$TREG" >/dev/null
	run_cabin pull -q "$TREG/team/bb-$BATS_TEST_NUMBER:1"
	[ "$status" -eq 0 ]
	run_cabin run --rm "$TREG/team/bb-$BATS_TEST_NUMBER:1" cat /etc/os-release
	[[ $output == *"cabin busybox"* ]]
	run_cabin push --creds bob:builder "$TREG/team/bb-$BATS_TEST_NUMBER:1" "$TREG/team/bob:1"
	[ "$status" -ne 0 ]
	[[ $output == *"unauthorized (HTTP 401)"* ]]
}

@test "token auth: tokens as access_token; an identity token from the auth file (OAuth2 refresh)" {
	echo access_token >"$TOKDIR/field"
	run_cabin pull -q "$TREG/team/multi:1"
	rm -f "$TOKDIR/field"
	[ "$status" -eq 0 ]
	mkdir -p "$(dirname "$AUTHFILE")"
	jq -n --arg r "$TREG" '{auths: {($r): {identitytoken: "rt-alice"}}}' >"$AUTHFILE"
	import_busybox bb
	run_cabin push bb "$TREG/team/idt-$BATS_TEST_NUMBER:1"
	[ "$status" -eq 0 ]
	[ "$(token_requests '.method == "POST" and .form.grant_type == ["refresh_token"] and .user == "alice"')" -ge 1 ]
	jq -n --arg r "$TREG" '{auths: {($r): {identitytoken: "stolen"}}}' >"$AUTHFILE"
	run_cabin push bb "$TREG/team/idt-$BATS_TEST_NUMBER:2"
	[ "$status" -ne 0 ]
	[[ $output == *"token server refused"* ]]
}
