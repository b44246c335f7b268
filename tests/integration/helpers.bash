# Common helpers for the cabin-runtime integration tests.
#
# Run from the repo root, as root:   bats tests/integration
# Against runc (to validate the tests themselves):
#                                     CABIN_RUNTIME=runc bats tests/integration
#
# Every test gets a private temp dir $TMP (0755, so user-namespaced containers
# can traverse it), a private runtime state dir $ROOT=$TMP/root, a bundle at
# $BUNDLE=$TMP/bundle (after make_bundle) and a container id $ID that is unique
# on the host (cgroup paths are global).  teardown() force-deletes whatever is
# left in $ROOT, kills any process that carries this test's marker, unmounts
# anything under $TMP, deletes network namespaces the test registered and
# removes $TMP.
#
# Capture rule: never use bats' `run` on a command that may leave a container
# process behind (create, run -d, run): the container inherits stdout/stderr and
# would hold bats' capture pipe open.  Use run_rt instead, which captures to a
# file and sets $status, $output and $lines just like `run`.

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
: "${CABIN_RUNTIME:=$REPO/build/cabin-runtime}"
export CABIN_RUNTIME
MKBUNDLE=$REPO/tests/helpers/mkbundle.sh
# Upper bound for a single runtime invocation, and for a whole test.
: "${RT_TIMEOUT:=30}"
: "${BATS_TEST_TIMEOUT:=90}"

# One rootfs template per bats run, copied into each bundle by mkbundle.sh.
export BUNDLE_CACHE=${BUNDLE_CACHE:-${BATS_RUN_TMPDIR:-/tmp}/cabin-bundle-cache}

is_runc() {
	[ "$(basename "$CABIN_RUNTIME")" = runc ]
}

# cabin-specific: skip when the runtime under test is runc.
cabin_only() {
	if is_runc; then
		skip "cabin-specific"
	fi
}

setup() {
	if [ "$EUID" != 0 ]; then
		skip "integration tests must run as root"
	fi
	if ! command -v "$CABIN_RUNTIME" >/dev/null 2>&1; then
		# Not a skip: a missing binary is a failure of the build.
		echo "runtime not found: $CABIN_RUNTIME (build it or set CABIN_RUNTIME)" >&2
		return 1
	fi
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/cabin-it.XXXXXX")
	chmod 0755 "$TMP"
	ROOT=$TMP/root
	BUNDLE=$TMP/bundle
	HOSTDIR=$TMP/host
	mkdir -p "$HOSTDIR"
	# Unique on the host: runc puts cgroups at /sys/fs/cgroup/*/<id>.
	local suffix=${TMP##*.}
	ID="ci-${suffix,,}-$BATS_TEST_NUMBER"
	ID2="$ID-b"
	# Marker carried in the environment of every runtime invocation and of every
	# container process of this test, so teardown can find leftovers.  It is
	# deliberately not exported.
	MARKER="CABIN_TEST_MARK=$TMP"
}

# rt ARGS...: the runtime with this test's private root.
# stdin is /dev/null and bats' fd 3 is closed, so that a process the runtime
# leaves behind cannot hang bats.
rt() {
	env "$MARKER" timeout -k 5 "$RT_TIMEOUT" \
		"$CABIN_RUNTIME" --root "$ROOT" "$@" </dev/null 3>&-
}

# run_rt ARGS...: like `run rt ARGS...` but safe for commands that leave a
# container behind.  Sets $status, $output, $lines.  The container's own
# output (for `run` and for a started `create`) lands in the same file.
run_rt() {
	local f
	f=$(mktemp "$TMP/rt-out.XXXXXX")
	status=0
	rt "$@" >"$f" 2>&1 || status=$?
	output=$(cat "$f")
	mapfile -t lines <<<"$output"
	printf '%s\n' "$output"
}

# run_rt_out FILE ARGS...: run the runtime with stdout+stderr going to FILE
# (which keeps receiving the container's output after the runtime exits).
run_rt_out() {
	local f=$1
	shift
	status=0
	rt "$@" >"$f" 2>&1 || status=$?
	output=$(cat "$f")
	mapfile -t lines <<<"$output"
	printf '%s\n' "$output"
}

# make_bundle [ARGS...]: $BUNDLE with a busybox rootfs and process.args=ARGS
# (default sh), made by tests/helpers/mkbundle.sh.  SPEC_RUNTIME (default: the
# runtime under test) generates config.json.
make_bundle() {
	make_bundle_at "$BUNDLE" "$@"
}

make_bundle_at() {
	local dir=$1 a t
	shift
	# mkbundle.sh runs once per spec runtime and bats run; later bundles are
	# copies of that template with their own args.
	local sr=${SPEC_RUNTIME:-$CABIN_RUNTIME}
	local tmpl="$BUNDLE_CACHE.bundle-$(basename "$sr")"
	if [ ! -d "$tmpl" ]; then
		t=$(mktemp -d "$tmpl.XXXXXX")
		SPEC_RUNTIME=$sr "$MKBUNDLE" "$t/b" sh >/dev/null
		mv -T "$t/b" "$tmpl" 2>/dev/null || true
		rm -rf "$t"
	fi
	mkdir -p "$dir"
	cp -a "$tmpl/." "$dir/"
	[ $# -gt 0 ] || set -- sh
	a=$(jq -nc '$ARGS.positional' --args -- "$@")
	# Tag container processes with the marker; tests that set process.env must
	# append (+=) rather than replace.
	BUNDLE=$dir update_config '.process.args = $a | .process.env += [$m]' \
		--argjson a "$a" --arg m "$MARKER"
}

# update_config FILTER [JQ-ARGS...]: edit $BUNDLE/config.json in place.
update_config() {
	local filter=$1
	shift
	jq "$@" "$filter" "$BUNDLE/config.json" >"$BUNDLE/config.json.new"
	mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# set_args ARGS...: process.args = ARGS (arguments may contain newlines;
# make_bundle's arguments may not, mkbundle.sh splits them on newlines).
set_args() {
	local a
	a=$(jq -nc '$ARGS.positional' --args -- "$@")
	update_config '.process.args = $a' --argjson a "$a"
}

# bind_mount SRC DEST [OPTIONS...]: append a bind mount to config.json.
bind_mount() {
	local src=$1 dst=$2
	shift 2
	local opts
	opts=$(printf '%s\n' bind "$@" | jq -R . | jq -s .)
	update_config '.mounts += [{"destination":$d,"type":"bind","source":$s,"options":$o}]' \
		--arg d "$dst" --arg s "$src" --argjson o "$opts"
}

# drop_namespace TYPE / add_namespace TYPE [PATH]
drop_namespace() {
	update_config 'del(.linux.namespaces[] | select(.type == $t))' --arg t "$1"
}
add_namespace() {
	drop_namespace "$1"
	if [ $# -ge 2 ]; then
		update_config '.linux.namespaces += [{"type":$t,"path":$p}]' --arg t "$1" --arg p "$2"
	else
		update_config '.linux.namespaces += [{"type":$t}]' --arg t "$1"
	fi
}

# run_container ARGS...: run the bundle in the foreground with process.args=ARGS.
run_container() {
	set_args "$@"
	run_rt run --bundle "$BUNDLE" "$ID"
}

# refute CMD...: fail if CMD succeeds (`! cmd` does not fail a bats test).
refute() {
	if "$@"; then
		echo "unexpectedly succeeded: $*" >&2
		return 1
	fi
	return 0
}

# state_field ID FIELD
state_field() {
	rt state "$1" | jq -r ".$2"
}

# wait_for_status ID STATUS [SECONDS]: poll until state reports STATUS.
wait_for_status() {
	local id=$1 want=$2 secs=${3:-10} i cur=
	for ((i = 0; i < secs * 20; i++)); do
		cur=$(rt state "$id" 2>/dev/null | jq -r .status 2>/dev/null) || cur=
		[ "$cur" = "$want" ] && return 0
		sleep 0.05
	done
	echo "container $id: status '$cur', wanted '$want'" >&2
	return 1
}

# wait_for_file PATH [SECONDS]
wait_for_file() {
	local f=$1 secs=${2:-10} i
	for ((i = 0; i < secs * 20; i++)); do
		[ -e "$f" ] && return 0
		sleep 0.05
	done
	echo "timed out waiting for $f" >&2
	return 1
}

# wait_for_exit PID [SECONDS]: poll until PID is gone (not a child of ours).
wait_for_exit() {
	local pid=$1 secs=${2:-10} i
	for ((i = 0; i < secs * 20; i++)); do
		pid_alive "$pid" || return 0
		sleep 0.05
	done
	echo "pid $pid still alive" >&2
	return 1
}

# pid_alive PID: exists and is not a zombie.
pid_alive() {
	local st
	st=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# marker_pids: processes started by this test (runtime or container) that are
# still around.
marker_pids() {
	local f
	for f in $(grep -lzxF "$MARKER" /proc/[0-9]*/environ 2>/dev/null); do
		f=${f#/proc/}
		echo "${f%/environ}"
	done
	return 0
}

# mounts_under DIR: mount points at or below DIR in the host mount namespace,
# children before parents.
mounts_under() {
	local a b c d mp rest i list=()
	while read -r a b c d mp rest; do
		if [[ $mp == "$1" || $mp == "$1"/* ]]; then
			list+=("$mp")
		fi
	done </proc/self/mountinfo
	for ((i = ${#list[@]} - 1; i >= 0; i--)); do
		echo "${list[i]}"
	done
}

# host_mounts: sorted mount points of the host mount namespace that belong
# to this test: under $TMP (the bundle, the root, the host dir) or named
# after $ID.  Other mounts are left out: other suites and other users of this
# machine mount and unmount things while a test runs.
host_mounts() {
	local a b c d mp rest
	while read -r a b c d mp rest; do
		if [[ $mp == "$TMP" || $mp == "$TMP"/* || $mp == *"$ID"* ]]; then
			echo "$mp"
		fi
	done </proc/self/mountinfo | sort
}

# ns_inode TYPE: the host's namespace inode for TYPE (net, ipc, ...).
ns_inode() {
	readlink "/proc/self/ns/$1"
}

# new_netns: create a named network namespace, removed in teardown.
new_netns() {
	local name="cabin-${ID}"
	ip netns add "$name"
	echo "$name" >>"$TMP/netns.list"
	echo "$name"
}

# Kills, deletes and unmounts everything the test left behind.  Runs even when
# the test failed midway.
teardown() {
	[ -n "${TMP:-}" ] && [ -d "$TMP" ] || return 0
	local id ids p i ents
	local RT_TIMEOUT=10

	ents=()
	[ -d "$ROOT" ] && ents=("$ROOT"/*)
	if [ ${#ents[@]} -gt 0 ] && [ -e "${ents[0]}" ]; then
		ids=$(rt list -q 2>/dev/null) || ids=
		for p in "${ents[@]}"; do
			ids="$ids ${p##*/}"
		done
		for id in $(printf '%s\n' $ids | sort -u); do
			rt kill "$id" KILL >/dev/null 2>&1 || true
			rt delete --force "$id" >/dev/null 2>&1 || true
		done
	fi

	for i in 1 2 3 4 5 6; do
		ids=$(marker_pids)
		[ -z "$ids" ] && break
		[ "$i" = 6 ] && echo "teardown: processes left: $ids" >&2
		kill -9 $ids 2>/dev/null || true
		sleep 0.1
	done

	if [ -f "$TMP/netns.list" ]; then
		while read -r p; do
			ip netns del "$p" 2>/dev/null || true
		done <"$TMP/netns.list"
	fi

	# Unmount everything below $TMP.  mountinfo escapes spaces as \040; our
	# paths contain none.
	for i in 1 2 3 4 5; do
		ids=$(mounts_under "$TMP")
		[ -z "$ids" ] && break
		for p in $ids; do
			umount -l "$p" 2>/dev/null || true
		done
	done
	if [ -n "$(mounts_under "$TMP")" ]; then
		echo "teardown: mounts left under $TMP, not removing it" >&2
		return 1
	fi
	rm -rf "$TMP"
}

# ---------------------------------------------------------------------------
# cgroup helpers (used by cgroups.bats).  Added for the cgroups tests; nothing
# above this line depends on them.
# ---------------------------------------------------------------------------

# The v1 controllers a runtime is expected to place a container in, when they
# are mounted (cgroup_v1_controllers lists the mounted ones).
CG_V1_CONTROLLERS="cpu cpuacct cpuset memory devices freezer blkio pids"

# cgroup_mount CONTROLLER: mount point of the v1 hierarchy holding CONTROLLER
# (also "systemd" for name=systemd), or of cgroup2 for "unified".
cgroup_mount() {
	awk -v w="$1" '{
		for (i = 7; i <= NF && $i != "-"; i++) ;
		fs = $(i + 1); so = $(i + 3)
		if (w == "unified") { if (fs == "cgroup2") { print $5; exit } ; next }
		if (fs != "cgroup") next
		n = split(so, a, ",")
		for (j = 1; j <= n; j++) if (a[j] == w || a[j] == "name=" w) { print $5; exit }
	}' /proc/self/mountinfo
}

cgroup_v1_controllers() {
	local c
	for c in $CG_V1_CONTROLLERS; do
		[ -n "$(cgroup_mount "$c")" ] && echo "$c"
	done
	return 0
}

# proc_cgroup PID CONTROLLER: PID's cgroup path in CONTROLLER's hierarchy
# ("unified" for the cgroup2 line 0::).
proc_cgroup() {
	local pid=$1 want=$2 hid ctrls path c cs
	while IFS=: read -r hid ctrls path; do
		if [ "$want" = unified ]; then
			if [ "$hid" = 0 ] && [ -z "$ctrls" ]; then
				echo "$path"
				return 0
			fi
			continue
		fi
		IFS=, read -ra cs <<<"$ctrls"
		for c in "${cs[@]}"; do
			if [ "$c" = "$want" ] || [ "$c" = "name=$want" ]; then
				echo "$path"
				return 0
			fi
		done
	done <"/proc/$pid/cgroup"
	echo "pid $pid: no $want line in /proc/$pid/cgroup" >&2
	return 1
}

# own_cgroup CONTROLLER: the cgroup of this shell, hence of the runtime we run.
own_cgroup() {
	proc_cgroup "$BASHPID" "$1"
}

# expected_cgroup CGPATH CONTROLLER: where a runtime started by this shell
# should put a container whose linux.cgroupsPath is CGPATH (absolute: from the
# hierarchy's root; relative: below the runtime's own cgroup).
expected_cgroup() {
	local p=$1 own
	if [[ $p == /* ]]; then
		echo "$p"
		return 0
	fi
	own=$(own_cgroup "$2") || return 1
	echo "${own%/}/$p"
}

# cgroup_dir CONTROLLER CGROUP: host directory of CGROUP (a path as in
# /proc/PID/cgroup) in CONTROLLER's hierarchy.
cgroup_dir() {
	local m
	m=$(cgroup_mount "$1")
	[ -n "$m" ] || {
		echo "no hierarchy for $1" >&2
		return 1
	}
	echo "${m}${2%/}"
}

# pid_cgroup_dir PID CONTROLLER: host directory of PID's cgroup.
pid_cgroup_dir() {
	local cg
	cg=$(proc_cgroup "$1" "$2") || return 1
	cgroup_dir "$2" "$cg"
}

# count: the counter a container's loop keeps in /shared/count (tests of
# pause and kill: it stops while frozen and goes on after).
count() {
	cat "$HOSTDIR/count"
}

# counts_past B: the counter goes past B (polled: a loaded machine may take
# a while to run the thawed loop again).
counts_past() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ "$(count)" -gt "$1" ] && return 0
		sleep 0.05
	done
	echo "the counter stayed at $(count), not past $1" >&2
	return 1
}

# cg_read PID CONTROLLER FILE: FILE in PID's cgroup directory.
cg_read() {
	local d
	d=$(pid_cgroup_dir "$1" "$2") || return 1
	cat "$d/$3"
}

# assert_no_cgroup_left PATH: no directory named after PATH's first component
# (e.g. "/cabin-parent-x/child" -> cabin-parent-x) anywhere under
# /sys/fs/cgroup/*/.
assert_no_cgroup_left() {
	local name=${1#/} left
	name=${name%%/*}
	[ -n "$name" ] || return 1
	left=$(find /sys/fs/cgroup -mindepth 2 -type d -name "$name" 2>/dev/null || true)
	if [ -n "$left" ]; then
		echo "cgroup directories left behind:" >&2
		echo "$left" >&2
		return 1
	fi
	return 0
}

# cgroup_leftovers: cgroup directories whose name contains $ID (all cgroups
# of a test carry it), deepest first.
cgroup_leftovers() {
	find /sys/fs/cgroup -mindepth 2 -depth -type d -name "*$ID*" 2>/dev/null
	return 0
}

# cgroup_thaw_leftovers: thaw frozen cgroups of this test so that teardown
# can kill their processes.
cgroup_thaw_leftovers() {
	local d
	for d in $(cgroup_leftovers); do
		[ -f "$d/freezer.state" ] && echo THAWED >"$d/freezer.state" 2>/dev/null
		[ -f "$d/cgroup.freeze" ] && echo 0 >"$d/cgroup.freeze" 2>/dev/null
	done
	return 0
}

# cgroup_remove_leftovers: rmdir this test's cgroups, deepest first; prints
# what it had to remove.  Processes must be gone already (teardown).
cgroup_remove_leftovers() {
	local d i left
	left=$(cgroup_leftovers)
	[ -z "$left" ] && return 0
	echo "$left"
	for i in 1 2 3 4 5 6 7 8 9 10; do
		for d in $(cgroup_leftovers); do
			rmdir "$d" 2>/dev/null || true
		done
		[ -z "$(cgroup_leftovers)" ] && return 0
		sleep 0.1
	done
	echo "could not remove: $(cgroup_leftovers)" >&2
	return 0
}

# rt_stdin ARGS...: like rt, but the runtime reads the caller's stdin
# (update --resources -).
rt_stdin() {
	env "$MARKER" timeout -k 5 "$RT_TIMEOUT" \
		"$CABIN_RUNTIME" --root "$ROOT" "$@" 3>&-
}

# root_disk: MAJ:MIN of the whole disk holding /, or of the first real disk;
# fails when there is none (e.g. an overlay root with no block devices).
root_disk() {
	local mm p
	mm=$(findmnt -no MAJ:MIN / 2>/dev/null | head -1 | tr -d ' ')
	if [ -n "$mm" ] && [ -e "/sys/dev/block/$mm" ]; then
		p=$(readlink -f "/sys/dev/block/$mm")
		if [ -f "$p/partition" ]; then
			mm=$(cat "$(dirname "$p")/dev")
		fi
		echo "$mm"
		return 0
	fi
	for p in /sys/block/*; do
		case ${p##*/} in loop* | ram* | zram* | dm-* | md* | sr*) continue ;; esac
		[ -f "$p/dev" ] && {
			cat "$p/dev"
			return 0
		}
	done
	return 1
}

# openable_block_device: MAJ:MIN of a block device the host can open for
# reading (the sandbox may forbid opening the real disk; an unbound loop device
# opens fine and reads as empty); fails when there is none.
openable_block_device() {
	local p n
	for p in /sys/block/loop* /sys/block/*; do
		n=${p##*/}
		[ -f "$p/dev" ] && [ -b "/dev/$n" ] || continue
		if (: <"/dev/$n") 2>/dev/null; then
			cat "$p/dev"
			return 0
		fi
	done
	return 1
}

# cgroup_teardown: teardown for tests that create cgroups.  Thaws, runs the
# common teardown, then fails if any cgroup carrying $ID is left behind
# (removing it so the host stays clean).
cgroup_teardown() {
	[ -n "${TMP:-}" ] && [ -d "$TMP" ] || return 0
	local rc=0 left
	cgroup_thaw_leftovers
	common_teardown || rc=$?
	left=$(cgroup_remove_leftovers)
	if [ -n "$left" ]; then
		echo "teardown: cgroups left behind:" >&2
		echo "$left" >&2
		rc=1
	fi
	return $rc
}

# The common teardown under another name, so that a .bats file can define its
# own teardown() that calls it.
eval "common_$(declare -f teardown)"

# ---------------------------------------------------------------------------
# cgroup layout helpers (used by cgroups_v1.bats and cgroups_v2.bats).  Added
# for the layout tests; nothing above this line depends on them.
#
# The runtime runs in a private mount namespace of its own (one a call) where
# /sys/fs/cgroup looks like a pure-v1 or a pure-v2 host; the checks look at
# the real cgroup mounts from the host's view.
# ---------------------------------------------------------------------------

# Shell commands run in each runtime call's private mount namespace before the
# runtime starts (set by cg_layout_v1 / cg_layout_v2, typically in setup_file
# and exported; this file is loaded again for every test, so keep the value).
: "${CG_NS_SETUP=}"

# cgroup2_mounts: the host's cgroup2 mount points.
cgroup2_mounts() {
	awk '{ for (i = 7; i <= NF && $i != "-"; i++) ; if ($(i + 1) == "cgroup2") print $5 }' \
		/proc/self/mountinfo
}

# cgroup_mountpoints: every cgroup and cgroup2 mount point of the host.
cgroup_mountpoints() {
	awk '{ for (i = 7; i <= NF && $i != "-"; i++) ; if ($(i + 1) ~ /^cgroup2?$/) print $5 }' \
		/proc/self/mountinfo
}

# cg_ns_check TEST: run TEST (shell code) in a namespace set up by
# $CG_NS_SETUP; fails when either does.
cg_ns_check() {
	unshare -m --propagation private sh -c "$CG_NS_SETUP && $1" </dev/null >/dev/null 2>&1
}

# cg_layout_v1: the pure-v1 view (every cgroup2 mount hidden).  Returns 1
# with the reason in $CG_NS_SKIP when that is not possible here.
cg_layout_v1() {
	local m
	CG_NS_SKIP=
	if ! command -v unshare >/dev/null 2>&1; then
		CG_NS_SKIP="no unshare(1)"
		return 1
	fi
	if [ -z "$(cgroup_v1_controllers)" ]; then
		CG_NS_SKIP="no cgroup v1 hierarchies on this host"
		return 1
	fi
	CG_NS_SETUP=true
	for m in $(cgroup2_mounts); do
		CG_NS_SETUP="$CG_NS_SETUP && umount -l $m"
	done
	if ! cg_ns_check '! grep -q " - cgroup2 " /proc/self/mountinfo'; then
		CG_NS_SKIP="cannot hide the cgroup2 mount in a private mount namespace (unshare -m / umount refused)"
		return 1
	fi
	return 0
}

# cg_layout_v2: the pure-v2 view (cgroup2 mounted on /sys/fs/cgroup itself).
# The host needs a cgroup2 mount of its own to check the container from.
cg_layout_v2() {
	CG_NS_SKIP=
	if ! command -v unshare >/dev/null 2>&1; then
		CG_NS_SKIP="no unshare(1)"
		return 1
	fi
	if [ -z "$(cgroup_mount unified)" ]; then
		CG_NS_SKIP="no cgroup2 mount on this host"
		return 1
	fi
	CG_NS_SETUP='umount -l /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup'
	if ! cg_ns_check '[ -e /sys/fs/cgroup/cgroup.controllers ] && [ "$(grep -c " - cgroup " /proc/self/mountinfo)" = 0 ]'; then
		CG_NS_SKIP="cannot mount cgroup2 on /sys/fs/cgroup in a private mount namespace"
		return 1
	fi
	return 0
}

# rt_ns ARGS...: like rt, but in a fresh private mount namespace prepared by
# $CG_NS_SETUP.  A .bats file makes every call go there with
#   rt() { rt_ns "$@"; }
rt_ns() {
	env "$MARKER" timeout -k 5 "$RT_TIMEOUT" \
		unshare -m --propagation private sh -c "$CG_NS_SETUP"' && exec "$@"' sh \
		"$CABIN_RUNTIME" --root "$ROOT" "$@" </dev/null 3>&-
}

# unified_dir CGROUP: the host directory of CGROUP (as in /proc/PID/cgroup's
# 0:: line) in the cgroup2 hierarchy.
unified_dir() {
	local m
	m=$(cgroup_mount unified)
	[ -n "$m" ] || {
		echo "no cgroup2 mount" >&2
		return 1
	}
	echo "${m%/}${1%/}"
}

# cgroup_dirs_named NAME: directories called NAME below any cgroup or cgroup2
# mount of the host (a cgroup2 mount on /sys/fs/cgroup itself included).
cgroup_dirs_named() {
	local ms
	ms=$(cgroup_mountpoints)
	[ -n "$ms" ] || return 0
	# shellcheck disable=SC2086
	find $ms -mindepth 1 -type d -name "$1" -prune 2>/dev/null | sort -u
	return 0
}

# assert_no_cgroup_left_anywhere PATH: assert_no_cgroup_left, looking below
# every cgroup mount of the host rather than in /sys/fs/cgroup/*/ only (so
# also below a cgroup2 mount on /sys/fs/cgroup itself).
assert_no_cgroup_left_anywhere() {
	local name=${1#/} left
	name=${name%%/*}
	[ -n "$name" ] || return 1
	left=$(cgroup_dirs_named "$name")
	if [ -n "$left" ]; then
		echo "cgroup directories left behind:" >&2
		echo "$left" >&2
		return 1
	fi
	return 0
}

# cgroup_flatten_leftovers: for this test's cgroups (named after $ID) that
# have sub-cgroups (made by the test, or by the container), move the
# sub-cgroups' processes up and remove the sub-cgroups, so that
# cgroup_teardown can remove the rest.  Call before cgroup_teardown.
cgroup_flatten_leftovers() {
	local top d p
	for top in $(cgroup_dirs_named "*$ID*"); do
		for d in $(find "$top" -mindepth 1 -depth -type d 2>/dev/null); do
			while read -r p; do
				echo "$p" >"$top/cgroup.procs" 2>/dev/null || true
			done <"$d/cgroup.procs"
			[ -f "$d/cgroup.freeze" ] && echo 0 >"$d/cgroup.freeze" 2>/dev/null
			[ -f "$d/freezer.state" ] && echo THAWED >"$d/freezer.state" 2>/dev/null
			rmdir "$d" 2>/dev/null || true
		done
	done
	return 0
}

# cgroup_sub DIR PID: make the sub-cgroup DIR/sub (a v1 cpuset one gets its
# parent's cpus and mems) and move PID into it, as a container managing its
# own cgroups would.
cgroup_sub() {
	mkdir "$1/sub" || return 1
	if [ -f "$1/cpuset.cpus" ] && [ -f "$1/sub/cpuset.cpus" ]; then
		cat "$1/cpuset.cpus" >"$1/sub/cpuset.cpus" || return 1
		cat "$1/cpuset.mems" >"$1/sub/cpuset.mems" || return 1
	fi
	echo "$2" >"$1/sub/cgroup.procs"
}

# The common setup under another name, for .bats files that define their own
# setup() calling it.
eval "common_$(declare -f setup)"

# ---------------------------------------------------------------------------
# Security helpers (cabin-probe, a Debian rootfs, the default seccomp
# profile).  Added for the security tests; nothing above depends on them.
# ---------------------------------------------------------------------------

# probe_bin: cabin-probe from the build tree of the runtime under test, else
# from build/ (runc has none of its own).
probe_bin() {
	local d
	d=$(dirname "$(command -v "$CABIN_RUNTIME")")
	if [ -x "$d/tests/helpers/cabin-probe" ]; then
		echo "$d/tests/helpers/cabin-probe"
	else
		echo "$REPO/build/tests/helpers/cabin-probe"
	fi
}

# add_probe [DIR]: put cabin-probe at /bin/cabin-probe in the rootfs of
# DIR (default $BUNDLE).  A missing probe is a failure of the build.
add_probe() {
	local p
	p=$(probe_bin)
	[ -x "$p" ] || {
		echo "cabin-probe not built: $p" >&2
		return 1
	}
	cp "$p" "${1:-$BUNDLE}/rootfs/bin/cabin-probe"
}

# add_caps CAP...: add capabilities to every set of the process but the
# inheritable one.
add_caps() {
	update_config '.process.capabilities |= with_entries(if .key == "inheritable" then . else
		.value += $c end)' --argjson c "$(printf '%s\n' "$@" | jq -R . | jq -sc .)"
}

# spec_bin: a cabin-runtime for `spec` (the one under test, or build/'s when
# the tests run against runc).
spec_bin() {
	if is_runc; then
		echo "$REPO/build/cabin-runtime"
	else
		echo "$CABIN_RUNTIME"
	fi
}

# default_profile [SPEC-OPTIONS...]: the linux.seccomp object of
# `cabin-runtime spec --seccomp default SPEC-OPTIONS`.
default_profile() {
	local d
	d=$(mktemp -d "$TMP/spec.XXXXXX")
	"$(spec_bin)" spec --bundle "$d" --seccomp default "$@" >&2 || return 1
	jq -c .linux.seccomp "$d/config.json"
	rm -rf "$d"
}

# make_debian_bundle [ARGS...]: like make_bundle, with a Debian rootfs (bash,
# coreutils and their libraries from this host) instead of busybox.
make_debian_bundle() {
	local t tmpl="$BUNDLE_CACHE.debian"
	make_bundle "$@"
	if [ ! -d "$tmpl" ]; then
		t=$(mktemp -d "$tmpl.XXXXXX")
		"$REPO/tests/helpers/mkrootfs-debian.sh" "$t/rootfs" >&2
		mv -T "$t/rootfs" "$tmpl" 2>/dev/null || true
		rm -rf "$t"
	fi
	rm -rf "$BUNDLE/rootfs"
	cp -a "$tmpl" "$BUNDLE/rootfs"
}
