#!/bin/sh
# tests/fuzz/run.sh: the fuzzing part of `make fuzz`.
#
#   tests/fuzz/run.sh FUZZ_BUILD [HARNESS...]
#
# Runs each libFuzzer harness FUZZ_BUILD/tests/fuzz/fuzz_NAME (all of them,
# or those named), one after the other, for FUZZ_SECONDS seconds each, at
# nice FUZZ_NICE, so a shared machine keeps a core for other work.  Each
# harness starts from the seeds in tests/fuzz/corpus/NAME/ plus what earlier
# runs kept in FUZZ_BUILD/fuzz/corpus/NAME/ (new inputs go there, never into
# the source tree), with tests/fuzz/dict/NAME.dict when there is one.  A
# crash, leak, timeout or out-of-memory input is written to
# FUZZ_BUILD/fuzz/artifacts/NAME/ and stops that harness.  At the end a
# table of executions and findings is printed and written to
# FUZZ_BUILD/fuzz/summary.md; the exit status is non-zero if any harness
# found something or failed to run.
#
# Environment:
#   FUZZ_SECONDS=180   seconds per harness
#   FUZZ_NICE=10       niceness of the fuzzer processes
#   FUZZ_TIMEOUT=10    seconds one input may take before it counts as a hang
#   FUZZ_RSS_MB=2048   memory limit of the fuzzer process
#   FUZZ_ARGS=         more libFuzzer flags (e.g. -jobs=2, -only_ascii=1)
set -u
build=${1:?usage: tests/fuzz/run.sh FUZZ_BUILD [HARNESS...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$build" && pwd) || exit 1
secs=${FUZZ_SECONDS:-180}
nice=${FUZZ_NICE:-10}
case $secs in '' | *[!0-9]*) echo "fuzz: FUZZ_SECONDS must be a number of seconds" >&2; exit 2 ;; esac

if [ $# -eq 0 ]; then
    set -- $(cd "$here/corpus" && ls)
fi
for h in "$@"; do
    if [ ! -x "$build/tests/fuzz/fuzz_$h" ]; then
        echo "fuzz: no harness $build/tests/fuzz/fuzz_$h (is $build a -Dfuzzing=true build?)" >&2
        exit 2
    fi
done

out=$build/fuzz
mkdir -p "$out"
summary=$out/summary.md
found=0
{
    echo "| harness | seconds | executions | exec/s | coverage (edges) | features | corpus (inputs/bytes) | peak RSS MB | findings |"
    echo "|---|--:|--:|--:|--:|--:|--:|--:|---|"
} >"$summary.tmp"

for h in "$@"; do
    work=$out/corpus/$h
    art=$out/artifacts/$h
    log=$out/logs/$h.log
    mkdir -p "$work" "$art" "$out/logs"
    dict=
    [ -f "$here/dict/$h.dict" ] && dict=-dict=$here/dict/$h.dict
    before=$(ls "$art" | wc -l)
    echo "fuzz: $h for ${secs}s (log: ${log#"$build"/})" >&2
    # shellcheck disable=SC2086
    nice -n "$nice" "$build/tests/fuzz/fuzz_$h" \
        -max_total_time="$secs" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
        -print_final_stats=1 -artifact_prefix="$art/" $dict ${FUZZ_ARGS:-} \
        "$work" "$here/corpus/$h" >"$log" 2>&1
    rc=$?
    # The last status line: "#N DONE cov: C ft: F corp: K/..b ... exec/s: E rss: RMb"
    last=$(grep -E '^#[0-9]+' "$log" | tail -n1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n1)
    cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p')
    new=$(ls "$art" | wc -l)
    if [ "$new" -gt "$before" ]; then
        findings=$(ls -t "$art" | head -n $((new - before)) | tr '\n' ' ')
        found=1
    elif [ "$rc" -ne 0 ]; then
        findings="fuzzer exited $rc (see the log)"
        found=1
    else
        findings=none
    fi
    echo "| $h | $secs | ${execs:-?} | ${speed:-?} | ${cov:-?} | ${ft:-?} | ${corp:-?} | ${rss:-?} | $findings |" >>"$summary.tmp"
    if [ "$findings" != none ]; then
        grep -m1 -E 'ERROR: |FUZZ_CHECK|runtime error:|SUMMARY:' "$log" | sed "s/^/fuzz: $h: /" >&2
    fi
done

mv "$summary.tmp" "$summary"
cat "$summary"
if [ "$found" = 1 ]; then
    echo "fuzz: findings above; reproduce one with $build/tests/fuzz/fuzz_NAME FILE," \
        "fix it, and add FILE to tests/fuzz/corpus/NAME/ (tests/fuzz/README.md)" >&2
    exit 1
fi
