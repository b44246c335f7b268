#!/usr/bin/env bats
# cabin ps: -a, -q, --no-trunc, --filter, --format, -n, -l, -s.

load cabin_helpers

# three containers: `up` running (label role=web), `done` exited 3,
# `new` created (label role=db)
three() {
	import_busybox
	cabin create --name new -l role=db busybox true >/dev/null
	cabin run --name done busybox sh -c 'exit 3' || true
	run_d --name up -l role=web busybox sleep 100 >/dev/null
}

@test "ps: running ones, -a every one, -q ids, --no-trunc whole ids and commands" {
	three
	run_cabin ps
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[1]} == *'"sleep 100"'*Up*up ]]
	run_cabin ps -a
	[ "${#lines[@]}" -eq 4 ]
	# newest first, as docker
	[[ ${lines[1]} == *up ]]
	[[ ${lines[2]} == *"Exited (3)"*done ]]
	[[ ${lines[3]} == *Created*new ]]
	run_cabin ps -aq
	[ "${#lines[@]}" -eq 3 ]
	[[ ${lines[0]} =~ ^[0-9a-f]{12}$ ]]
	run_cabin ps -q --no-trunc
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	cabin run --name long busybox sh -c 'echo a long command line that is cut' >/dev/null
	[[ "$(cabin ps -a --filter name=long)" == *'"sh -c echo a long c…"'* ]]
	[[ "$(cabin ps -a --no-trunc --filter name=long)" == *'"sh -c echo a long command line that is cut"'* ]]
	cabin rm -f up >/dev/null
	assert_store_clean
}

@test "ps --filter status=, name=, label=, id=, exited=; same keys or, different ones and" {
	three
	[ "$(cabin ps --filter status=exited --format '{{.Names}}')" = done ]
	[ "$(cabin ps --filter status=created --format '{{.Names}}')" = new ]
	[ "$(cabin ps -a --filter status=created --filter status=exited --format '{{.Names}}' | sort | tr '\n' ' ')" = "done new " ]
	[ "$(cabin ps -a --filter name=^u --format '{{.Names}}')" = up ]
	[ "$(cabin ps -a --filter label=role --format '{{.Names}}' | sort | tr '\n' ' ')" = "new up " ]
	[ "$(cabin ps -a --filter label=role=db --format '{{.Names}}')" = new ]
	[ "$(cabin ps -a --filter label=role=web --filter status=exited -q)" = "" ]
	[ "$(cabin ps -a --filter exited=3 --format '{{.Names}}')" = done ]
	id=$(cabin inspect -f '{{.Id}}' done)
	[ "$(cabin ps -a --filter id="${id:0:8}" --format '{{.Names}}')" = done ]
	run_cabin ps --filter colour=blue
	[ "$status" -ne 0 ]
	[[ $output == *"--filter \`colour=blue\`"* ]]
	run_cabin ps --filter status=sleeping
	[ "$status" -ne 0 ]
	cabin rm -f up >/dev/null
	assert_store_clean
}

@test "ps --format json: one object a line, with docker's fields; templates" {
	three
	run_cabin ps -a --format json
	[ "${#lines[@]}" -eq 3 ]
	for l in "${lines[@]}"; do
		for k in ID Image Command CreatedAt RunningFor Status State Names Labels Ports Mounts Networks; do
			jq -e "has(\"$k\")" <<<"$l" >/dev/null
		done
	done
	[ "$(jq -r .State <<<"${lines[0]}")" = running ]
	[ "$(jq -r .Labels <<<"${lines[0]}")" = role=web ]
	[ "$(jq -r .Networks <<<"${lines[0]}")" = cabin ]
	[ "$(cabin ps --format '{{.Names}} {{.State}} {{.Image}}')" = "up running busybox" ]
	run_cabin ps --format '{{.Nope'
	[ "$status" -ne 0 ]
	cabin rm -f up >/dev/null
	assert_store_clean
}

@test "ps -n, -l, -s" {
	three
	[ "$(cabin ps -l --format '{{.Names}}')" = up ]
	[ "$(cabin ps -n 2 --format '{{.Names}}' | tr '\n' ' ')" = "up done " ]
	cabin run --name big busybox sh -c 'dd if=/dev/zero of=/f bs=1024 count=100 2>/dev/null'
	run_cabin ps -a -s --filter name=big
	[[ ${lines[0]} == *SIZE ]]
	[[ ${lines[1]} == *kB || ${lines[1]} == *MB ]]
	cabin rm -f up >/dev/null
	assert_store_clean
}
