#!/usr/bin/env bats
# The benchmark driver (bench/run.sh) and its contract (bench/README.md):
# results file, tables, plots, skipped and failed benchmarks, interruption;
# and bench-runtime-run.sh following it.  Structure only: no timing is
# asserted (this machine is noisy).

load helpers

# fake_bench NAME BODY: a bench-NAME.sh in $TMP/benches that sources lib.sh.
fake_bench() {
	mkdir -p "$TMP/benches"
	{
		echo '#!/usr/bin/env bash'
		echo 'set -eu'
		echo ". \"$REPO/bench/lib.sh\""
		echo 'bench_init "$@"'
		echo "$2"
	} >"$TMP/benches/bench-$1.sh"
}

# A benchmark with two contestants and two metrics, measured.
fake_measured() {
	fake_bench "$1" '
bench_contestant fast /bin/true
bench_contestant slow /bin/false
bench_skipped turbo "not installed"
for i in 1 2 3 4 5 6 7 8 9 10; do
	bench_sample cold fast wall_ms "$i"
	bench_sample cold slow wall_ms "$((i * 3))"
	bench_sample warm fast wall_ms "$((i + 1))"
	bench_sample warm slow wall_ms "$((i * 2))"
	bench_sample cold fast rss_kib 1000
	bench_sample cold slow rss_kib 3000
done
{ echo "## Fake measured"; echo; bench_table wall_ms; } >"$BENCH_OUT/report.md"'
}

run_driver() {
	run env BENCH_DIR="$TMP/benches" BENCH_RESULTS="$TMP/results" bash "$REPO/bench/run.sh" "$@"
}

@test "bench driver: tables, ratios, plots and raw samples of a measured benchmark" {
	fake_measured one
	run_driver
	[ "$status" -eq 0 ]
	report=$(ls "$TMP"/results/*.md)
	[ "$(echo "$report" | wc -l)" -eq 1 ]
	grep -q '^## Summary' "$report"
	grep -q '^| bench-one | measured | [0-9]* | fast, slow |$' "$report"
	grep -q '^## Fake measured' "$report"
	# Medians 5.5 and 16.5: the ratio is against the first contestant.
	grep -q '^| cold | fast | 10 | 5.50 | 9.00 | 1.00 | 1.00 |$' "$report"
	grep -q '^| cold | slow | 10 | 16.50 | 27.00 | 3.00 | 3.00 |$' "$report"
	grep -q '^| warm | slow | 10 | 11.00 | 18.00 | 2.00 | 1.69 |$' "$report"
	grep -q -- '- \*\*skipped:\*\* turbo: not installed' "$report"
	# One PNG per metric, linked from the report, and the raw samples kept.
	dir=${report%.md}
	for m in wall_ms rss_kib; do
		[ "$(head -c 4 "$dir/one-$m.png" | od -An -c | tr -d ' ')" = '211PNG' ]
		grep -qF "]($(basename "$dir")/one-$m.png)" "$report"
	done
	[ "$(gzip -dc "$dir/one-samples.tsv.gz" | wc -l)" -eq 60 ]
}

@test "bench driver: a benchmark whose tool is missing is skipped with a line saying so" {
	fake_measured one
	fake_bench two 'bench_need cabin-no-such-tool-xyz
echo "not reached" >"$BENCH_OUT/report.md"'
	run_driver
	[ "$status" -eq 0 ]
	report=$(ls "$TMP"/results/*.md)
	grep -q '^| bench-two | skipped: cabin-no-such-tool-xyz is not installed | [0-9]* | none |$' "$report"
	grep -q -- '- \*\*skipped:\*\* bench-two: cabin-no-such-tool-xyz is not installed' "$report"
	! grep -q 'not reached' "$report"
	grep -q '^## Fake measured' "$report"
}

@test "bench driver: a failing benchmark is reported with its stderr and fails the run" {
	fake_measured one
	fake_bench three 'echo "three: the frobnicator broke" >&2
exit 3'
	run_driver
	[ "$status" -eq 1 ]
	report=$(ls "$TMP"/results/*.md)
	grep -q '^| bench-three | failed (exit 3) | [0-9]* | none |$' "$report"
	grep -q '^## bench-three: failed (exit 3)' "$report"
	grep -q 'three: the frobnicator broke' "$report"
	grep -q '^## Fake measured' "$report"
	# Only the named benchmark runs when one is named.
	rm -rf "$TMP/results"
	run_driver one
	[ "$status" -eq 0 ]
	! grep -q 'bench-three' "$TMP"/results/*.md
}

@test "bench driver: a script that prints its section on stdout (before the contract) still appears" {
	mkdir -p "$TMP/benches"
	printf '#!/bin/sh\necho "## Old style"\necho\necho "| a | b |"\n' >"$TMP/benches/bench-old.sh"
	run_driver
	[ "$status" -eq 0 ]
	report=$(ls "$TMP"/results/*.md)
	grep -q '^| bench-old | measured (report on stdout, no samples.tsv: no plots) | [0-9]* | none |$' "$report"
	grep -q '^## Old style' "$report"
}

@test "bench driver: an interrupted run leaves no report and no plots" {
	fake_measured one
	fake_bench two 'kill -INT $$; sleep 5'
	run_driver
	[ "$status" -ge 128 ]
	[ -z "$(ls -A "$TMP/results" 2>/dev/null)" ]
}

@test "bench driver: bad knobs and a missing benchmark are errors" {
	fake_measured one
	run env BENCH_SCALE=fast BENCH_DIR="$TMP/benches" BENCH_RESULTS="$TMP/results" bash "$REPO/bench/run.sh"
	[ "$status" -eq 1 ]
	[[ "$output" == *"BENCH_SCALE must be a positive number"* ]]
	run_driver nosuch
	[ "$status" -eq 1 ]
	[[ "$output" == *"no such benchmark"*"bench-nosuch.sh"* ]]
}

@test "bench-runtime-run.sh: follows the contract, with the phases and the netns tables" {
	cabin_only
	mkdir -p "$TMP/out"
	run env BENCH_ROUNDS=1 BENCH_WARMUP=0 BENCH_RUNTIMES="cabin-runtime runc cabin-no-such-runtime" \
		bash "$REPO/bench/bench-runtime-run.sh" "$TMP/out"
	[ "$status" -eq 0 ]
	grep -q '^### Scenario `default`$' "$TMP/out/report.md"
	grep -q '^### Scenario `phases`: create, start, delete$' "$TMP/out/report.md"
	grep -q '^### Scenario `phases-nonet`: create, start, delete$' "$TMP/out/report.md"
	grep -q '^### Cost of the network namespace$' "$TMP/out/report.md"
	grep -q '^| cabin-runtime | [0-9.]* | [0-9.]* | [0-9.]* | [0-9.]* | [0-9.]* | [0-9.]* | [0-9.]* | 1.00 | [0-9.]* | [0-9]* | 1 / 1 |$' "$TMP/out/report.md"
	# A runtime that is not installed is a skip line, never silence; runc is
	# a contestant where it is installed.
	grep -qx 'cabin-no-such-runtime: not installed' "$TMP/out/skipped.txt"
	grep -q -- '- \*\*skipped:\*\* cabin-no-such-runtime (not installed)' "$TMP/out/report.md"
	n=1
	command -v runc >/dev/null && n=2
	[ "$(cut -f1 "$TMP/out/contestants.tsv" | paste -sd' ')" = \
		"$(command -v runc >/dev/null && echo cabin-runtime runc || echo cabin-runtime)" ]
	# 5 run scenarios + 6 phases, per runtime, each with a time and an RSS.
	[ "$(wc -l <"$TMP/out/samples.tsv")" -eq $((22 * n)) ]
	[ "$(cut -f1 "$TMP/out/samples.tsv" | uniq | paste -sd' ')" = \
		"default nonet limits seccomp seccomp-cold create start delete create-nonet start-nonet delete-nonet" ]
	[ "$(awk -F'\t' '$3 == "phase_ms"' "$TMP/out/samples.tsv" | wc -l)" -eq $((6 * n)) ]
}
