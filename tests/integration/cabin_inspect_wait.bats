#!/usr/bin/env bats
# cabin inspect (docker's JSON, -f, --type, -s) and cabin wait.

load cabin_helpers

@test "inspect: docker's shape (State, Config, HostConfig, Mounts, NetworkSettings, paths)" {
	import_busybox
	id=$(run_d --name ins -e A=1 -l k=v --memory 64m --restart on-failure:2 -w /tmp busybox sleep 1000)
	wait_for is_status ins running
	run_cabin inspect ins
	[ "$status" -eq 0 ]
	j=$(jq '.[0]' <<<"$output")
	[ "$(jq -r .Id <<<"$j")" = "$id" ]
	[ "$(jq -r .Name <<<"$j")" = /ins ]
	[ "$(jq -r .Path <<<"$j")" = sleep ]
	[ "$(jq -r '.Args[0]' <<<"$j")" = 1000 ]
	[ "$(jq -r .Image <<<"$j")" = "$(cabin inspect --type image -f '{{.Id}}' busybox)" ]
	for k in Status Running Paused Restarting OOMKilled Dead Pid ExitCode Error StartedAt FinishedAt; do
		jq -e ".State | has(\"$k\")" <<<"$j" >/dev/null
	done
	[ "$(jq -r .State.Status <<<"$j")" = running ]
	[ "$(jq -r .State.Running <<<"$j")" = true ]
	[ "$(jq -r .State.Pid <<<"$j")" -gt 1 ]
	[[ $(jq -r .State.StartedAt <<<"$j") =~ ^20[0-9-]+T[0-9:.]+Z$ ]]
	[ "$(jq -r .Config.WorkingDir <<<"$j")" = /tmp ]
	[ "$(jq -r .Config.Labels.k <<<"$j")" = v ]
	jq -e '.Config.Env | index("A=1")' <<<"$j" >/dev/null
	[ "$(jq -r .HostConfig.Memory <<<"$j")" -eq $((64 << 20)) ]
	[ "$(jq -r .HostConfig.RestartPolicy.Name <<<"$j")" = on-failure ]
	[ "$(jq -r .HostConfig.NetworkMode <<<"$j")" = bridge ]
	[ "$(jq -r '.Mounts | length' <<<"$j")" -eq 0 ]
	jq -e '.NetworkSettings.Networks | has("cabin")' <<<"$j" >/dev/null
	[ -f "$(jq -r .HostsPath <<<"$j")" ]
	[ -f "$(jq -r .LogPath <<<"$j")" ]
	[ "$(jq -r .GraphDriver.Name <<<"$j")" = overlay ]
	[ -d "$(jq -r .GraphDriver.Data.UpperDir <<<"$j")" ]
	cabin stop -t 0 ins >/dev/null
	j=$(cabin inspect ins | jq '.[0]')
	[ "$(jq -r .State.Status <<<"$j")" = exited ]
	[ "$(jq -r .State.Pid <<<"$j")" = 0 ]
	[[ $(jq -r .State.FinishedAt <<<"$j") =~ ^20 ]]
	assert_store_clean
}

@test "inspect -f, --type, -s; images too; several names, one missing" {
	import_busybox
	cabin run --name one busybox sh -c 'echo x >/f'
	[ "$(cabin inspect -f '{{.State.Status}} {{.State.ExitCode}} {{json .Config.Cmd}}' one)" = 'exited 0 ["sh","-c","echo x >/f"]' ]
	[ "$(cabin inspect -f '{{index .Config.Labels "nothere"}}' one)" = "<no value>" ]
	[ "$(cabin inspect -s -f '{{.SizeRw}}' one)" -gt 0 ]
	run_cabin inspect --type image -f '{{.Id}}' busybox
	[[ $output == sha256:* ]]
	run_cabin inspect -f '{{.Id}}' busybox
	[[ $output == sha256:* ]]
	run_cabin inspect --type container busybox
	[ "$status" -ne 0 ]
	st=0
	cabin inspect one nosuch >"$TMP/out" 2>"$TMP/err" || st=$?
	[ "$st" -ne 0 ]
	[ "$(jq length "$TMP/out")" = 1 ]
	grep -q "no such object: \`nosuch\`" "$TMP/err"
	run_cabin inspect -f '{{.X' one
	[ "$status" -ne 0 ]
	assert_store_clean
}

@test "wait: blocks until the container stops and prints its exit code; at once for a stopped one" {
	import_busybox
	run_d --name w1 busybox sh -c 'while [ ! -e /go ]; do sleep 0.1; done; exit 6' >/dev/null
	cabin wait w1 >"$TMP/wait" &
	job=$!
	sleep 0.5
	[ ! -s "$TMP/wait" ]
	cabin exec w1 touch /go
	wait "$job"
	[ "$(cat "$TMP/wait")" = 6 ]
	run_cabin wait w1
	[ "$output" = 6 ]
	cabin create --name w2 busybox true >/dev/null
	run_cabin wait w2 w1
	[ "$output" = "$(printf '0\n6')" ]
	# a --rm container: wait returns once it is gone
	id=$(run_d --rm busybox sh -c 'sleep 0.5; exit 9')
	run_cabin wait "$id"
	[ "$output" = 9 ]
	wait_for test ! -e "$CROOT/containers/$id"
	assert_store_clean
}
