#!/usr/bin/env bats
# 100 mixed operations at once on one root: run -d, run --rm, exec, stop,
# rm -f, pull from a local registry, images, ps, inspect.  Each either
# works or fails with an error of its own (a container that another
# operation removed first); none crashes or hangs; afterwards the store
# checks clean, every container listed is whole, and once they are removed
# nothing is left.

# 100 cabins at once on 2 shared cores take minutes, not seconds
BATS_TEST_TIMEOUT=${FAULT_PARALLEL_TIMEOUT:-600}

load registry_helpers
load fault_helpers

setup_file() {
	fault_registry par 2 256 par/p:1
}

teardown_file() {
	reg_stop_all
}

# op I: the I-th operation of the mix, output in $TMP/ops/I, status in .rc
op() {
	local i=$1 out=$TMP/ops/$1 rc=0
	case $((i % 9)) in
	0) cabin run -d -e "$MARKER" --name "p$i" busybox sleep 1000 ;;
	1) cabin exec "base$((i % 4))" sh -c 'echo exec-ok' ;;
	2) cabin stop -t 1 "p$((i - 2))" ;;
	3) cabin rm -f "p$((i - 3))" ;;
	4) cabin pull -q "$REG/par/p:1" ;;
	5) cabin images ;;
	6) cabin ps -a ;;
	7) cabin run --rm -e "$MARKER" busybox echo rm-ok ;;
	8) cabin inspect "base$((i % 4))" ;;
	esac >"$out" 2>&1 || rc=$?
	echo "$rc" >"$out.rc"
}

@test "100 mixed operations in parallel on one root: each works or fails cleanly; a consistent store; nothing left" {
	import_busybox
	for b in 0 1 2 3; do
		run_d --name "base$b" busybox sleep 1000 >/dev/null
	done
	mkdir "$TMP/ops"
	local CABIN_TIMEOUT=180
	# (a plain `wait` would wait for bats' own timeout watchdog too)
	pids=()
	for ((i = 0; i < 100; i++)); do
		op "$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	remember_ids
	for ((i = 0; i < 100; i++)); do
		rc=$(cat "$TMP/ops/$i.rc")
		out=$(cat "$TMP/ops/$i")
		# no crash, no timeout, no sanitizer report
		if [ "$rc" -ge 124 ] && [ "$rc" -ne 125 ]; then
			echo "op $i exited $rc: $out"
			false
		fi
		[[ $out != *Sanitizer* && $out != *"runtime error"* ]]
		case $((i % 9)) in
		0)
			# its rm -f (op i+3) runs at the same time and may remove it
			# between create and start: a run -d that fails then is right
			[ "$rc" -eq 0 ] ||
				{ [ "$rc" -eq 125 ] && [ "$(cat "$TMP/ops/$((i + 3)).rc" 2>/dev/null)" = 0 ]; } ||
				{ echo "op $i: $out"; false; }
			;;
		4 | 5 | 6 | 8) [ "$rc" -eq 0 ] || { echo "op $i: $out"; false; } ;;
		1) [ "$rc" -eq 0 ] && [ "$out" = exec-ok ] ;;
		7) [ "$rc" -eq 0 ] && [ "$out" = rm-ok ] ;;
		2 | 3)
			# the container may be gone already (an rm of the mix was first),
			# or still being made: that is said, nothing else
			[ "$rc" -eq 0 ] || [[ $out == *"no such container"* ]] || { echo "op $i: $out"; false; }
			;;
		esac
	done
	# the store and the records agree
	run_cabin system check
	[ "$output" = "No problems found." ]
	run_cabin images --format json
	[ "$(jq '[.[] | select(.RepoTags == ["'"$REG"'/par/p:1"])] | length' <<<"$output")" -eq 1 ]
	run_cabin ps -a --no-trunc -q
	[ "$status" -eq 0 ]
	ids=$output
	for id in $ids; do
		s=$(cstate "$id" Status)
		case $s in running | exited | created) ;; *) echo "$id: $s"; false ;; esac
	done
	# every p$i that no rm of the mix removed is there; base ones run
	for b in 0 1 2 3; do
		[ "$(cstate "base$b" Status)" = running ]
	done
	# everything goes, in parallel too
	pids=()
	for id in $ids; do
		cabin rm -f "$id" >/dev/null &
		pids+=($!)
	done
	wait "${pids[@]}"
	run_cabin ps -aq
	[ -z "$output" ]
	assert_nothing_left
}
