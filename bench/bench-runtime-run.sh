#!/usr/bin/env bash
# bench-runtime-run.sh: how long does `RUNTIME run` of /bin/true take?
#
# Times `RUNTIME --root R run --bundle B ID` (foreground, /bin/true) for
# cabin-runtime, crun and runc, interleaved: every round runs each contestant
# once per scenario, in an order that cycles through all permutations (and the
# scenario order flips from one round to the next), so drift and bursts of
# noise on a shared machine hit everyone alike.  `delete -f ID` follows every
# run (not timed).  Wall time and peak RSS (wait4 ru_maxrss) come from
# bench/timer.c, compiled on the fly.
#
# Before measuring: one untimed smoke run per runtime and scenario (a runtime
# that fails it is reported and not measured there), and one probe run of
# `cat /proc/self/cgroup` per runtime to show whether each one gives the
# container a cgroup of its own.
#
# Scenarios:
#   default  runc's default spec (`runc spec`), args ["/bin/true"]
#   nonet    the same minus the network namespace
#   limits   the default plus memory (256 MiB), cpu (half a CPU) and pids (128) limits
#   seccomp  the default plus Docker's default seccomp profile (cabin-runtime
#            spec --seccomp default), its compiled filter cached where the
#            runtime caches it (cabin-runtime: ROOT/.seccomp-cache)
#   seccomp-cold  the same with every cache emptied before each run, so that
#            every run compiles its filter
#   phases   the default config, as `create`, `start` and (once the process
#            has exited) `delete`, each timed on its own
#   phases-nonet  the same with the nonet config
#
# Everything runs inside one `unshare -m --propagation private` with the
# cgroup2 hierarchy of a hybrid host unmounted (crun refuses hybrid mode), so
# every contestant sees the same cgroup layout.  Each runtime gets a private
# --root in a temp dir: the host's /run/runc, /run/crun etc. are never used.
#
# Follows the contract of bench/README.md: `bench-runtime-run.sh OUTDIR`
# writes OUTDIR/report.md (the tables), samples.tsv (every measured run),
# contestants.tsv and skipped.txt; progress goes to stderr.  Usually run via
# bench/run.sh (make bench).  Environment:
#   BENCH_ROUNDS=200        measured rounds (default 200 x BENCH_SCALE)
#   BENCH_WARMUP=2          discarded warm-up rounds
#   BENCH_SCENARIOS="default nonet limits phases phases-nonet"
#   BENCH_RUNTIMES="cabin-runtime crun runc"   contestants, in this order
#   CABIN_RUNTIME=build/cabin-runtime
#   BENCH_ALLOW_NO_CABIN=1  run without cabin-runtime (for developing the bench)
#   BENCH_RUN_TIMEOUT=20    seconds before a hung `run` is killed (counts as failed)
#   BENCH_KEEP=1            keep the temp dir (path printed on stderr)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

# ---------------------------------------------------------------------------
# Inner mode: runs inside the private mount namespace.
#   bench-runtime-run.sh --inner run|cleanup WORKDIR
# ---------------------------------------------------------------------------
inner_cleanup() {
    # Delete every container we may have left, then any stray cgroup dirs
    # named after our ids.  Best effort, idempotent.
    local name bin id
    set +e
    while IFS=$'\t' read -r name bin; do
        [ -d "$W/root-$name" ] || continue
        if [ -n "${current_id:-}" ]; then
            "$bin" --root "$W/root-$name" delete -f "$current_id" </dev/null >/dev/null 2>&1
        fi
        for id in $("$bin" --root "$W/root-$name" list -q </dev/null 2>/dev/null); do
            "$bin" --root "$W/root-$name" delete -f "$id" </dev/null >/dev/null 2>&1
        done
    done <"$W/contestants"
    find /sys/fs/cgroup -maxdepth 6 -depth -type d -name "$(cat "$W/prefix")-*" \
        -exec rmdir {} \; 2>/dev/null
    return 0
}

inner_setup_cgroups() {
    # crun refuses hybrid cgroups; hide cgroup2 in this namespace only.
    if mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then
        umount /sys/fs/cgroup/unified || {
            echo "bench-runtime-run: cannot umount /sys/fs/cgroup/unified in the private namespace" >&2
            exit 1
        }
    fi
}

# perms: every order of the contestant indices, so that over the run each
# contestant goes first, last, and right after each other one equally often
# (a pure rotation would always put the same runtime after runc, say).
perms=()
permute() {
    local prefix=$1 x i
    shift
    if [ $# -eq 0 ]; then
        perms+=("$prefix")
        return
    fi
    for x in "$@"; do
        local -a rest=()
        for i in "$@"; do [ "$i" = "$x" ] || rest+=("$i"); done
        permute "$prefix $x" "${rest[@]}"
    done
}

# Before each run (untimed): seccomp-cold takes the runtime's cache of
# compiled filters away, so that the run compiles its own; seccomp puts the
# warm one back (both scenarios share a --root, and interleave).
prepare_run() { # SCENARIO ROOT
    local c=$2/.seccomp-cache
    case $1 in
    seccomp-cold)
        if [ -d "$c" ] && [ ! -d "$c.warm" ]; then
            mv "$c" "$c.warm"
        fi
        rm -rf "$c"
        ;;
    seccomp)
        if [ -d "$c.warm" ]; then
            rm -rf "$c"
            mv "$c.warm" "$c"
        fi
        ;;
    esac
}

# The bundle a scenario runs: the phases scenarios reuse default's and nonet's.
bundle_of() {
    case $1 in
    phases) echo "$W/bundle-default" ;;
    phases-nonet) echo "$W/bundle-nonet" ;;
    *) echo "$W/bundle-$1" ;;
    esac
}

# phase_cycle OUT SCEN NAME BIN ID LOG: one container through `create`,
# `start` and `delete`, each timed on its own (labels SCEN/create:NAME,
# SCEN/start:NAME, SCEN/delete:NAME).  Between start and delete the
# container's /bin/true exits; that wait (polling `state` until "stopped")
# is not timed, so `delete` removes a stopped container, as a client that
# waited for the exit would.  Returns the status of the first failing step.
phase_cycle() {
    local out=$1 scen=$2 name=$3 bin=$4 id=$5 log=$6 k
    local root=$W/root-$name bundle
    bundle=$(bundle_of "$scen")
    "$W/timer" "$out" "$scen/create:$name" "$bin" --root "$root" create --bundle "$bundle" "$id" \
        </dev/null >>"$log" 2>&1 || return $?
    "$W/timer" "$out" "$scen/start:$name" "$bin" --root "$root" start "$id" \
        </dev/null >>"$log" 2>&1 || return $?
    for ((k = 0; k < 2000; k++)); do
        "$bin" --root "$root" state "$id" </dev/null 2>/dev/null |
            grep -q '"status": *"stopped"' && break
        sleep 0.005
    done
    "$W/timer" "$out" "$scen/delete:$name" "$bin" --root "$root" delete "$id" \
        </dev/null >>"$log" 2>&1 || return $?
}

inner_run() {
    local rounds=$BENCH_ROUNDS warmup=$BENCH_WARMUP
    local -a names bins scens order
    local -A broken
    local name bin n r k i scen id out st total prefix slot=0
    while IFS=$'\t' read -r name bin; do
        names+=("$name")
        bins+=("$bin")
    done <"$W/contestants"
    # Pairs that failed the smoke run are not measured.
    while IFS=$'\t' read -r scen name st; do
        broken[$scen:$name]=1
    done <"$W/smoke-failed"
    export TIMER_TIMEOUT=${BENCH_RUN_TIMEOUT:-20}
    n=${#names[@]}
    if ((n <= 5)); then
        permute "" $(seq 0 $((n - 1)))
    else # too many orders: plain rotations
        for ((k = 0; k < n; k++)); do
            perms+=("$(for ((i = 0; i < n; i++)); do printf '%d ' $(((k + i) % n)); done)")
        done
    fi
    prefix=$(cat "$W/prefix")
    total=$((warmup + rounds))
    current_id=
    trap 'inner_cleanup; exit 130' INT TERM HUP

    for ((r = 0; r < total; r++)); do
        if ((r < warmup)); then out=$W/warmup.tsv; else out=$W/results.tsv; fi
        if ((r % 20 == 0)); then
            echo "bench-runtime-run: round $((r + 1))/$total" \
                "($warmup warm-up), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
        fi
        # Baseline: the timer exec'ing busybox true directly, no container.
        "$W/timer" "$out" "baseline:busybox-true" /bin/busybox true \
            </dev/null >/dev/null 2>&1 || true
        # Scenario order flips every round (a netns is torn down
        # asynchronously, after its run has returned).
        read -r -a scens <<<"$BENCH_SCENARIOS"
        if ((r % 2)); then
            mapfile -t scens < <(printf '%s\n' "${scens[@]}" | tac)
        fi
        for scen in "${scens[@]}"; do
            read -r -a order <<<"${perms[slot % ${#perms[@]}]}"
            slot=$((slot + 1))
            for i in "${order[@]}"; do
                name=${names[i]}
                bin=${bins[i]}
                [ -z "${broken[$scen:$name]:-}" ] || continue
                id=$prefix-$scen-$name-$r
                current_id=$id
                st=0
                prepare_run "$scen" "$W/root-$name"
                if [[ $scen == phases* ]]; then
                    phase_cycle "$out" "$scen" "$name" "$bin" "$id" "$W/log-$name" || st=$?
                else
                    "$W/timer" "$out" "$scen:$name" \
                        "$bin" --root "$W/root-$name" run --bundle "$W/bundle-$scen" "$id" \
                        </dev/null >>"$W/log-$name" 2>&1 || st=$?
                fi
                if [ "$st" -ne 0 ]; then
                    if ((r < warmup)); then
                        echo "[warm-up round $((r + 1)), $scen: exit $st]" >>"$W/log-$name"
                    else
                        echo "[round $((r + 1 - warmup)), $scen: exit $st]" >>"$W/log-$name"
                    fi
                fi
                # Foreground run should have removed the container already.
                if [[ $scen != phases* ]] && [ -e "$W/root-$name/$id" ]; then
                    echo "$scen:$name" >>"$W/state-left.txt"
                fi
                "$bin" --root "$W/root-$name" delete -f "$id" </dev/null >/dev/null 2>&1 || true
                current_id=
            done
        done
    done
    trap - INT TERM HUP
    inner_cleanup
}

inner_smoke() {
    # One untimed run per contestant and scenario; record which ones work.
    local name bin scen id st
    trap 'inner_cleanup; exit 130' INT TERM HUP
    export TIMER_TIMEOUT=${BENCH_RUN_TIMEOUT:-20}
    : >"$W/smoke-failed"
    while IFS=$'\t' read -r name bin; do
        mkdir -p "$W/root-$name"
        for scen in $BENCH_SCENARIOS; do
            id=$(cat "$W/prefix")-smoke-$scen-$name
            current_id=$id
            st=0
            prepare_run "$scen" "$W/root-$name"
            if [[ $scen == phases* ]]; then
                : >"$W/smoke-$scen-$name.log"
                phase_cycle "$W/smoke.tsv" "$scen" "$name" "$bin" "$id" \
                    "$W/smoke-$scen-$name.log" || st=$?
            else
                TIMER_TIMEOUT=${BENCH_RUN_TIMEOUT:-20} "$W/timer" "$W/smoke.tsv" "$scen:$name" \
                    "$bin" --root "$W/root-$name" run --bundle "$W/bundle-$scen" "$id" \
                    </dev/null >"$W/smoke-$scen-$name.log" 2>&1 || st=$?
            fi
            "$bin" --root "$W/root-$name" delete -f "$id" </dev/null >/dev/null 2>&1 || true
            current_id=
            if [ "$st" -ne 0 ]; then
                printf '%s\t%s\t%s\n' "$scen" "$name" "$st" >>"$W/smoke-failed"
            fi
        done
        # Probe: which cgroups does the container process land in?  Shows
        # whether every runtime does the same cgroup work.
        id=$(cat "$W/prefix")-probe-$name
        current_id=$id
        TIMER_TIMEOUT=${BENCH_RUN_TIMEOUT:-20} "$W/timer" "$W/smoke.tsv" "probe:$name" \
            "$bin" --root "$W/root-$name" run --bundle "$W/bundle-probe" "$id" \
            </dev/null >"$W/probe-$name.out" 2>"$W/probe-$name.err" || true
        "$bin" --root "$W/root-$name" delete -f "$id" </dev/null >/dev/null 2>&1 || true
        current_id=
    done <"$W/contestants"
    trap - INT TERM HUP
}

if [ "${1:-}" = --inner ]; then
    W=$3
    case $2 in
    run) inner_setup_cgroups; inner_smoke; inner_run ;;
    cleanup) inner_setup_cgroups; inner_cleanup ;;
    *) echo "bench-runtime-run: bad inner mode $2" >&2; exit 2 ;;
    esac
    exit 0
fi

# ---------------------------------------------------------------------------
# Outer mode.
# ---------------------------------------------------------------------------
. "$here/lib.sh"
bench_init "${1:-}"
BENCH_ROUNDS=$(bench_rounds 200)
export BENCH_ROUNDS
export BENCH_WARMUP=${BENCH_WARMUP:-2}
export BENCH_SCENARIOS=${BENCH_SCENARIOS:-default nonet limits seccomp seccomp-cold phases phases-nonet}
runtimes=${BENCH_RUNTIMES:-cabin-runtime crun runc}
cabin=${CABIN_RUNTIME:-$repo/build/cabin-runtime}

die() { echo "bench-runtime-run: $*" >&2; exit 1; }

case $BENCH_ROUNDS in '' | *[!0-9]*) die "BENCH_ROUNDS must be a number" ;; esac
case $BENCH_WARMUP in '' | *[!0-9]*) die "BENCH_WARMUP must be a number" ;; esac
[ "$BENCH_ROUNDS" -ge 1 ] || die "BENCH_ROUNDS must be at least 1"
for s in $BENCH_SCENARIOS; do
    case $s in
    default | nonet | limits | phases | phases-nonet) ;;
    seccomp | seccomp-cold)
        [ -x "$cabin" ] || die "scenario $s needs cabin-runtime ($cabin) to write the profile"
        ;;
    *) die "unknown scenario '$s' (default, nonet, limits, seccomp, seccomp-cold, phases, phases-nonet)" ;;
    esac
done
[ "$(id -u)" = 0 ] || die "needs root (containers, mount namespace)"
for tool in unshare jq cc mountpoint; do
    command -v "$tool" >/dev/null || die "$tool not found"
done
[ -x /bin/busybox ] || die "/bin/busybox missing (apt-get install busybox-static)"

W=$(mktemp -d "${TMPDIR:-/tmp}/cabin-bench.XXXXXX")
chmod 755 "$W"   # the container's rootfs lives below; keep it traversable
inner_started=0
cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM HUP
    if [ "$inner_started" = 1 ] && [ -s "$W/contestants" ]; then
        unshare -m --propagation private bash "$here/bench-runtime-run.sh" \
            --inner cleanup "$W" </dev/null >/dev/null 2>&1
    fi
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        echo "bench-runtime-run: kept $W" >&2
    else
        rm -rf --one-file-system "$W"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Short unique id prefix: cb<pid><random>.
printf 'cb%s%04x\n' "$$" "$((RANDOM % 65536))" >"$W/prefix"

# --- contestants -------------------------------------------------------------
: >"$W/contestants"
skipped=()
for name in $runtimes; do
    case $name in
    cabin-runtime)
        if [ -x "$cabin" ]; then
            printf '%s\t%s\n' "$name" "$cabin" >>"$W/contestants"
        elif [ "${BENCH_ALLOW_NO_CABIN:-0}" = 1 ]; then
            skipped+=("cabin-runtime (not built at $cabin; BENCH_ALLOW_NO_CABIN=1)")
            bench_skipped cabin-runtime "not built at $cabin (BENCH_ALLOW_NO_CABIN=1)"
        else
            die "cabin-runtime not built ($cabin); build it with 'ninja -C build' or 'make', or set CABIN_RUNTIME"
        fi
        ;;
    *)
        if bin=$(command -v "$name"); then
            printf '%s\t%s\n' "$name" "$bin" >>"$W/contestants"
        else
            skipped+=("$name (not installed)")
            bench_skipped "$name" "not installed"
        fi
        ;;
    esac
done
[ -s "$W/contestants" ] || die "no runtime to benchmark"
while IFS=$'\t' read -r name bin; do
    bench_contestant "$name" "$bin"
done <"$W/contestants"

version_of() {
    timeout 5 "$1" --version </dev/null 2>/dev/null | head -n1 | tr -d '|' || true
}

# --- timer ---------------------------------------------------------------------
timer_note="static"
if ! cc -O2 -static -o "$W/timer" "$here/timer.c" 2>"$W/cc.log"; then
    cc -O2 -o "$W/timer" "$here/timer.c" 2>>"$W/cc.log" ||
        { cat "$W/cc.log" >&2; die "cannot compile bench/timer.c"; }
    timer_note="dynamic (static link failed: the RSS floor is higher)"
fi

# --- bundles -------------------------------------------------------------------
# One config for everyone, from `runc spec` (crun's or cabin's if runc is
# missing).
spec_rt=
for c in runc crun "$cabin"; do
    if command -v "$c" >/dev/null 2>&1; then spec_rt=$(command -v "$c"); break; fi
done
[ -n "$spec_rt" ] || die "no runtime available to generate a spec"
echo "bench-runtime-run: making bundles in $W (spec from $(basename "$spec_rt"))" >&2
SPEC_RUNTIME=$spec_rt sh "$repo/tests/helpers/mkbundle.sh" "$W/bundle-default" /bin/true \
    >"$W/mkbundle.log" 2>&1 || { cat "$W/mkbundle.log" >&2; die "mkbundle.sh failed"; }
mkdir -p "$W/bundle-nonet"
cp -a "$W/bundle-default/rootfs" "$W/bundle-nonet/rootfs"
jq 'del(.linux.namespaces[] | select(.type == "network"))' \
    "$W/bundle-default/config.json" >"$W/bundle-nonet/config.json"
mkdir -p "$W/bundle-limits"
cp -a "$W/bundle-default/rootfs" "$W/bundle-limits/rootfs"
jq '.linux.resources.memory = {"limit": 268435456}
    | .linux.resources.cpu = {"quota": 50000, "period": 100000}
    | .linux.resources.pids = {"limit": 128}' \
    "$W/bundle-default/config.json" >"$W/bundle-limits/config.json"
# seccomp, seccomp-cold: Docker's default profile as cabin-runtime writes it,
# for the capabilities of `runc spec` (the same three as cabin-runtime's).
if [[ " $BENCH_SCENARIOS " == *" seccomp"* ]]; then
    mkdir -p "$W/spec-seccomp"
    "$cabin" spec --bundle "$W/spec-seccomp" --seccomp default >/dev/null ||
        die "cabin-runtime spec --seccomp default failed"
    for s in seccomp seccomp-cold; do
        mkdir -p "$W/bundle-$s"
        cp -a "$W/bundle-default/rootfs" "$W/bundle-$s/rootfs"
        jq --slurpfile p "$W/spec-seccomp/config.json" '.linux.seccomp = $p[0].linux.seccomp' \
            "$W/bundle-default/config.json" >"$W/bundle-$s/config.json"
    done
    seccomp_rules=$(jq '[.linux.seccomp.syscalls[].names[]] | length' "$W/spec-seccomp/config.json")
fi
mkdir -p "$W/bundle-probe"
cp -a "$W/bundle-default/rootfs" "$W/bundle-probe/rootfs"
jq '.process.args = ["/bin/cat", "/proc/self/cgroup"]' \
    "$W/bundle-default/config.json" >"$W/bundle-probe/config.json"
ns_default=$(jq -r '[.linux.namespaces[].type] | join(", ")' "$W/bundle-default/config.json")
ns_nonet=$(jq -r '[.linux.namespaces[].type] | join(", ")' "$W/bundle-nonet/config.json")
ro=$(jq -r '.root.readonly // false' "$W/bundle-default/config.json")

# --- measure ----------------------------------------------------------------------
: >"$W/results.tsv"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
t_start=$(date +%s)
inner_started=1
echo "bench-runtime-run: $BENCH_ROUNDS rounds + $BENCH_WARMUP warm-up," \
    "scenarios: $BENCH_SCENARIOS; contestants: $(cut -f1 "$W/contestants" | tr '\n' ' ')" >&2
unshare -m --propagation private bash "$here/bench-runtime-run.sh" --inner run "$W" </dev/null
t_end=$(date +%s)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report -------------------------------------------------------------------------
ref=$(head -n1 "$W/contestants" | cut -f1)

# stats LABEL -> "ok runs median p90 min rssmax rssmed" (ms, KiB) or nothing
stats() {
    awk -F'\t' -v l="$1" '$1 == l { runs++; if ($4 == 0) { n++; t[n] = $2 / 1e6; m[n] = $3 } }
        function sort(a, k,   i, j, x) {
            for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
        }
        function med(a, k) { return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
        END {
            if (!n) { printf "0 %d\n", runs; exit }
            sort(t, n); sort(m, n)
            p = int(0.9 * n); if (p < 0.9 * n) p++
            printf "%d %d %.2f %.2f %.2f %d %d\n", n, runs, med(t, n), t[p], t[1], m[n], med(m, n)
        }' "$W/results.tsv"
}

scen_desc() {
    case $1 in
    default) echo "runc's default spec: namespaces $ns_default; root.readonly $ro" ;;
    nonet) echo "default spec minus the network namespace: $ns_nonet" ;;
    limits) echo "default spec plus linux.resources: memory.limit 256 MiB, cpu quota 50000/100000, pids.limit 128" ;;
    seccomp) echo "default spec plus Docker's default seccomp profile (\`cabin-runtime spec --seccomp default\`, $seccomp_rules syscall names); a runtime that caches compiled filters (cabin-runtime) finds its cache warm" ;;
    seccomp-cold) echo "the seccomp scenario with the runtime's filter cache emptied before every run (untimed), so that each run compiles the profile" ;;
    phases) echo "the \`default\` config, as three commands: \`create --bundle B ID\`, \`start ID\`, and \`delete ID\` once /bin/true has exited (the wait for the exit is not timed)" ;;
    phases-nonet) echo "the same with the \`nonet\` config (no network namespace)" ;;
    esac
}

# The tables go to report.md (bench/README.md, "Writing a benchmark").
exec >"$BENCH_OUT/report.md"
declare -A median
echo "## Runtime: \`run\` of /bin/true (bench-runtime-run.sh)"
echo
echo "Wall time of \`RUNTIME --root R run --bundle B ID\` (foreground, /bin/true), from fork() to wait4() in the timer."
echo "$BENCH_ROUNDS rounds after $BENCH_WARMUP discarded warm-up rounds; each round runs every runtime once per scenario, stepping through every order of the runtimes, with the scenario order flipped from one round to the next."
echo "\`delete -f\` after every run, not timed. Peak RSS = wait4 ru_maxrss: the largest of the runtime, its helper processes and the container's /bin/true."
echo
if [ ${#skipped[@]} -gt 0 ]; then
    for s in "${skipped[@]}"; do echo "- **skipped:** $s"; done
    echo
fi
if [ -s "$W/smoke-failed" ]; then
    while IFS=$'\t' read -r scen name st; do
        echo "- **$name failed the smoke run in scenario \`$scen\`** (exit $st):"
        echo
        echo '```'
        tail -n 15 "$W/smoke-$scen-$name.log"
        echo '```'
        echo
    done <"$W/smoke-failed"
fi

for scen in $BENCH_SCENARIOS; do
    [[ $scen != phases* ]] || continue
    echo "### Scenario \`$scen\`"
    echo
    scen_desc "$scen"
    echo
    echo "| runtime | median ms | p90 ms | min ms | median / $ref | peak RSS max KiB | peak RSS median KiB | ok / runs |"
    echo "|---|--:|--:|--:|--:|--:|--:|--:|"
    ref_med=
    read -r n runs med _ <<<"$(stats "$scen:$ref")"
    [ "$n" -gt 0 ] && ref_med=$med
    while IFS=$'\t' read -r name bin; do
        read -r n runs med p90 min rmax rmed <<<"$(stats "$scen:$name")"
        if [ "$n" -eq 0 ]; then
            echo "| $name | failed | | | | | | 0 / $runs |"
            continue
        fi
        median[$scen:$name]=$med
        if [ -n "$ref_med" ]; then
            ratio=$(awk -v a="$med" -v b="$ref_med" 'BEGIN { printf "%.2f", a / b }')
        else
            ratio="n/a"
        fi
        echo "| $name | $med | $p90 | $min | $ratio | $rmax | $rmed | $n / $runs |"
    done <"$W/contestants"
    echo
done

read -r bn _ bmed _ bmin brmax _ <<<"$(stats "baseline:busybox-true")"
if [ "$bn" -gt 0 ]; then
    echo "Baseline, no container: the timer exec'ing /bin/busybox true directly: median $bmed ms, min $bmin ms, peak RSS $brmax KiB. That is the floor of both columns (the container runs the same busybox)."
    echo
fi

for scen in $BENCH_SCENARIOS; do
    [[ $scen == phases* ]] || continue
    run_scen=default
    [ "$scen" = phases ] || run_scen=nonet
    echo "### Scenario \`$scen\`: create, start, delete"
    echo
    scen_desc "$scen"
    echo
    echo "| runtime | create median ms | create p90 | start median ms | start p90 | delete median ms | delete p90 | sum of medians ms | sum / $ref | \`run\` median ms ($run_scen) | create peak RSS max KiB | ok / runs |"
    echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
    ref_sum=
    while IFS=$'\t' read -r name bin; do
        row="| $name"
        # ok / runs: cycles whose three steps all succeeded / cycles tried.
        sum=0 okn= runs_all= failed=0
        for ph in create start delete; do
            read -r n runs med p90 _ rmax _ <<<"$(stats "$scen/$ph:$name")"
            [ -n "$okn" ] && [ "$okn" -le "$n" ] || okn=$n
            [ -n "$runs_all" ] || runs_all=$runs
            if [ "$n" -eq 0 ]; then
                failed=1
                row="$row | failed | "
                continue
            fi
            sum=$(awk -v a="$sum" -v b="$med" 'BEGIN { printf "%.2f", a + b }')
            row="$row | $med | $p90"
            [ "$ph" = create ] && crss=$rmax
        done
        if [ "$failed" = 1 ]; then
            echo "$row | failed | | | | $okn / $runs_all |"
            continue
        fi
        [ "$name" = "$ref" ] && ref_sum=$sum
        ratio=n/a
        [ -n "$ref_sum" ] && ratio=$(awk -v a="$sum" -v b="$ref_sum" 'BEGIN { printf "%.2f", a / b }')
        echo "$row | $sum | $ratio | ${median[$run_scen:$name]:-n/a} | $crss | $okn / $runs_all |"
    done <"$W/contestants"
    echo
done

if [[ " $BENCH_SCENARIOS " == *" default "* && " $BENCH_SCENARIOS " == *" nonet "* ]]; then
    echo "### Cost of the network namespace"
    echo
    echo "| runtime | default median ms | nonet median ms | netns cost ms |"
    echo "|---|--:|--:|--:|"
    while IFS=$'\t' read -r name bin; do
        d=${median[default:$name]:-}
        o=${median[nonet:$name]:-}
        if [ -z "$d" ] || [ -z "$o" ]; then continue; fi
        echo "| $name | $d | $o | $(awk -v a="$d" -v b="$o" 'BEGIN { printf "%.2f", a - b }') |"
    done <"$W/contestants"
    echo
fi

if [[ " $BENCH_SCENARIOS " == *" default "* && " $BENCH_SCENARIOS " == *" limits "* ]]; then
    echo "### Cost of memory + cpu + pids limits"
    echo
    echo "| runtime | default median ms | limits median ms | limits cost ms |"
    echo "|---|--:|--:|--:|"
    while IFS=$'\t' read -r name bin; do
        d=${median[default:$name]:-}
        o=${median[limits:$name]:-}
        if [ -z "$d" ] || [ -z "$o" ]; then continue; fi
        echo "| $name | $d | $o | $(awk -v a="$o" -v b="$d" 'BEGIN { printf "%.2f", a - b }') |"
    done <"$W/contestants"
    echo
fi

if [[ " $BENCH_SCENARIOS " == *" default "* && " $BENCH_SCENARIOS " == *" seccomp "* ]]; then
    echo "### Cost of the default seccomp profile, cached and cold"
    echo
    echo "| runtime | default median ms | seccomp median ms | seccomp-cold median ms | filter cost ms (cached) | filter cost ms (cold) |"
    echo "|---|--:|--:|--:|--:|--:|"
    while IFS=$'\t' read -r name bin; do
        d=${median[default:$name]:-}
        w=${median[seccomp:$name]:-}
        c=${median[seccomp-cold:$name]:-}
        if [ -z "$d" ] || [ -z "$w" ]; then continue; fi
        cc=n/a
        [ -n "$c" ] && cc=$(awk -v a="$c" -v b="$d" 'BEGIN { printf "%.2f", a - b }')
        echo "| $name | $d | $w | ${c:-n/a} | $(awk -v a="$w" -v b="$d" 'BEGIN { printf "%.2f", a - b }') | $cc |"
    done <"$W/contestants"
    echo
    echo "runc and crun keep no cache of compiled filters: for them both columns are a cold run."
    echo
fi

if grep -q '^cabin-runtime' "$W/contestants"; then
    echo "### Targets"
    echo
    for scen in $BENCH_SCENARIOS; do
        [[ $scen != phases* ]] || continue
        c=${median[$scen:cabin-runtime]:-}
        r=${median[$scen:crun]:-}
        if [ -z "$c" ]; then
            echo "- \`$scen\`: cabin-runtime median ≤ crun median: **FAIL** (cabin-runtime did not run)"
        elif [ -z "$r" ]; then
            echo "- \`$scen\`: cabin-runtime median ≤ crun median: n/a (no crun result); cabin-runtime $c ms"
        else
            v=$(awk -v a="$c" -v b="$r" 'BEGIN { print (a <= b) ? "PASS" : "FAIL" }')
            echo "- \`$scen\`: cabin-runtime median ≤ crun median: **$v** ($c ms vs $r ms)"
        fi
    done
    rss=$(awk -F'\t' '$1 ~ /:cabin-runtime$/ && $4 == 0 && $3 > m { m = $3 } END { print m + 0 }' "$W/results.tsv")
    if [ "$rss" -gt 0 ]; then
        v=$([ "$rss" -lt 2048 ] && echo PASS || echo FAIL)
        per=""
        for scen in $BENCH_SCENARIOS; do
            # A phases scenario's labels are SCEN/create:NAME and so on.
            m=$(awk -F'\t' -v l="$scen:cabin-runtime" -v p="$scen/" '($1 == l || (index($1, p) == 1 && $1 ~ /:cabin-runtime$/)) && $4 == 0 && $3 > m { m = $3 } END { print m + 0 }' "$W/results.tsv")
            per="$per${per:+, }$scen $m"
        done
        echo "- cabin-runtime peak RSS < 2048 KiB (max over all runs): **$v** ($rss KiB; per scenario: $per)"
    fi
    echo
fi

echo "Cgroups of the container process (an untimed probe run of \`cat /proc/self/cgroup\` with the \`default\` config; no cgroupsPath is set):"
echo
while IFS=$'\t' read -r name bin; do
    f=$W/probe-$name.out
    if [ ! -s "$f" ]; then
        echo "- $name: probe failed: $(head -c 200 "$W/probe-$name.err" | tr '\n' ' ')"
        continue
    fi
    pid=$(cat "$W/prefix")-probe-$name
    own=$(grep -c -- "$pid" "$f" || true)
    all=$(grep -c . "$f" || true)
    if [ "$own" -gt 0 ]; then
        echo "- $name: a cgroup of its own in $own of $all hierarchies (e.g. \`$(grep -m1 -- "$pid" "$f" | sed "s/$pid/ID/")\`)"
    else
        echo "- $name: **no cgroup of its own** (stays in the runtime's cgroups: \`$(grep -m1 ':memory:' "$f" || head -n1 "$f")\`): it skips the cgroup setup the others pay for"
    fi
done <"$W/contestants"
echo

if [ -s "$W/state-left.txt" ]; then
    echo "Note: container state was still present after a foreground \`run\` returned (removed by \`delete -f\`):"
    sort "$W/state-left.txt" | uniq -c | awk '{ printf "- %s: %d runs\n", $2, $1 }'
    echo
fi
fails=$(awk -F'\t' '$4 != 0' "$W/results.tsv" | wc -l)
if [ "$fails" -gt 0 ]; then
    echo "Failed runs (not in the statistics): $fails. Last errors:"
    echo
    echo '```'
    while IFS=$'\t' read -r name bin; do
        if grep -q '^\[.*exit [0-9]*\]$' "$W/log-$name" 2>/dev/null; then
            echo "== $name"
            tail -n 8 "$W/log-$name"
        fi
    done <"$W/contestants"
    echo '```'
    echo
fi

echo "Contestants:"
echo
while IFS=$'\t' read -r name bin; do
    echo "- $name: \`$bin\` — $(version_of "$bin")"
done <"$W/contestants"
echo
echo "Run: $((t_end - t_start)) s; load average before $load_before, after $load_after; spec from \`$(basename "$spec_rt") spec\`; timer $timer_note."
echo

# Raw samples for the plots (bench/README.md): every successful measured
# run, grouped by scenario in the order of BENCH_SCENARIOS.  A phases
# scenario becomes the scenarios create, start, delete (-nonet) of the
# metric phase_ms; the others are wall_ms.  Every run also gives rss_kib.
order=
for scen in $BENCH_SCENARIOS; do
    case $scen in
    phases) order="$order create start delete" ;;
    phases-nonet) order="$order create-nonet start-nonet delete-nonet" ;;
    *) order="$order $scen" ;;
    esac
done
awk -F'\t' -v OFS='\t' -v order="$order" '
    $4 != 0 || $1 ~ /^baseline:/ { next }
    {
        i = match($1, /:[^:]*$/)
        lab = substr($1, 1, i - 1); name = substr($1, i + 1)
        metric = "wall_ms"
        if (lab ~ /\//) {
            split(lab, a, "/")
            lab = a[2] (a[1] == "phases-nonet" ? "-nonet" : "")
            metric = "phase_ms"
        }
        k = ++n[lab]
        line[lab, k] = lab OFS name OFS metric OFS sprintf("%.3f", $2 / 1e6) "\n" \
                       lab OFS name OFS "rss_kib" OFS $3
    }
    END {
        m = split(order, o, " ")
        for (j = 1; j <= m; j++)
            for (k = 1; k <= n[o[j]]; k++) print line[o[j], k]
    }' "$W/results.tsv" >>"$BENCH_OUT/samples.tsv"
