#!/usr/bin/env bats
# cabin logs: both streams, -t, --tail, --since/--until, -f, rotation; the
# log as docker's json-file, and kept after the container stopped.

load cabin_helpers

@test "logs: stdout and stderr as they came, after the container stopped too; the file is JSON lines" {
	import_busybox
	cabin run --name lg busybox sh -c 'echo out1; echo err1 >&2; printf "no newline"' >/dev/null 2>&1
	[ "$(cabin logs lg 2>/dev/null)" = "$(printf 'out1\nno newline')" ]
	[ "$(cabin logs lg 2>&1 >/dev/null)" = err1 ]
	f=$(cabin inspect -f '{{.LogPath}}' lg)
	[ "$(wc -l <"$f")" -eq 3 ]
	jq -e -s 'any(.[]; .stream == "stdout" and .log == "out1\n" and (.time | test("Z$")))' "$f" >/dev/null
	jq -e -s 'any(.[]; .stream == "stderr" and .log == "err1\n")' "$f" >/dev/null
	# binary output survives as valid JSON (invalid UTF-8 becomes U+FFFD)
	cabin run --name bin busybox sh -c 'printf "a\377b\001c\n"' >/dev/null
	jq -e -s . "$(cabin inspect -f '{{.LogPath}}' bin)" >/dev/null
	[ "$(cabin logs bin | od -An -c | tr -s ' ')" = "$(printf 'a\357\277\275b\001c\n' | od -An -c | tr -s ' ')" ]
	run_cabin logs nosuch
	[ "$status" -ne 0 ]
	assert_store_clean
}

@test "logs -t, --tail N" {
	import_busybox
	cabin run --name lg busybox sh -c 'for i in 1 2 3 4 5; do echo line$i; done' >/dev/null
	[ "$(cabin logs --tail 2 lg)" = "$(printf 'line4\nline5')" ]
	[ "$(cabin logs -n 0 lg)" = "" ]
	[ "$(cabin logs --tail all lg | wc -l)" -eq 5 ]
	run_cabin logs -t --tail 1 lg
	[[ $output =~ ^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:]+\.[0-9]{9}Z\ line5$ ]]
	run_cabin logs --tail x lg
	[ "$status" -ne 0 ]
	assert_store_clean
}

@test "logs --since and --until: times, unix times and durations" {
	import_busybox
	cabin run --name lg busybox sh -c 'echo early' >/dev/null
	mid=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
	cabin start -a lg >/dev/null
	[ "$(cabin logs lg | wc -l)" -eq 2 ]
	[ "$(cabin logs --since "$mid" lg | wc -l)" -eq 1 ]
	[ "$(cabin logs --until "$mid" lg | wc -l)" -eq 1 ]
	[ "$(cabin logs --since 1h lg | wc -l)" -eq 2 ]
	[ "$(cabin logs --since "$(($(date +%s) + 3600))" lg | wc -l)" -eq 0 ]
	run_cabin logs --since yesterdayish lg
	[ "$status" -ne 0 ]
	[[ $output == *"--since"* ]]
	assert_store_clean
}

@test "logs -f: follows until the container stops" {
	import_busybox
	run_d --name lg busybox sh -c 'echo first; while [ ! -e /go ]; do sleep 0.1; done; echo last' >/dev/null
	cabin logs -f lg >"$TMP/follow" 2>&1 &
	job=$!
	wait_for grep -q first "$TMP/follow"
	cabin exec lg touch /go
	# logs -f ends by itself when the container has stopped
	wait "$job"
	[ "$(cat "$TMP/follow")" = "$(printf 'first\nlast')" ]
	assert_store_clean
}

@test "logs: rotation by --log-opt max-size and max-file; -f follows across it" {
	import_busybox
	run_d --name rot --log-opt max-size=4k --log-opt max-file=3 busybox sh -c \
		'i=0; while [ $i -lt 400 ]; do echo "line $i 0123456789012345678901234567890123456789"; i=$((i+1)); done; while [ ! -e /go ]; do sleep 0.1; done' >/dev/null
	d=$(dirname "$(cabin inspect -f '{{.LogPath}}' rot)")
	wait_for log_has rot "line 399 "
	[ -e "$d/container.log.2" ]
	[ ! -e "$d/container.log.3" ]
	for f in "$d"/container.log*; do
		[ "$(stat -c %s "$f")" -le 4096 ]
	done
	# what is left is the newest lines, in order
	[ "$(cabin logs rot | tail -1)" = "line 399 0123456789012345678901234567890123456789" ]
	cabin logs rot | awk '{print $2}' | sort -n -c
	run_cabin run --rm --log-opt max-size=1k busybox true
	[ "$status" -eq 125 ]
	run_cabin run --rm --log-opt colour=blue busybox true
	[ "$status" -eq 125 ]
	[[ $output == *"max-size, max-file"* ]]
	cabin exec rot touch /go
	wait_for is_status rot exited
	wait_for monitor_done rot
	assert_store_clean
}
