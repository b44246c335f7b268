# Helpers for the fault-injection suites (fault_*.bats): load with
#   load fault_helpers
# after which setup/teardown are cabin's (cabin_helpers.bash).
#
# Every check here is scoped to this test: its roots under $TMP, its
# marker, and the container ids it saw (remember_ids), never global names,
# because other suites run on this machine at the same time.

load cabin_helpers

# remember_ids: add every container id the store lists or holds now to
# $TMP/ids, so that the final check can look for their cgroups, mounts and
# runtime state after they are gone.
remember_ids() {
	{
		cabin ps -aq --no-trunc 2>/dev/null || true
		ls "$CROOT/containers" 2>/dev/null | sed 's/^\.rm-//' || true
		ls "$CRUN/runtime" 2>/dev/null || true
	} | grep -E '^[0-9a-f]{64}$' >>"$TMP/ids" || true
}

# fault_registry TAG LAYERS KIB REF (in setup_file, with registry_helpers
# loaded first): a registry of the file's ($REG, exported) holding, at
# REG/REF, an image TAG of busybox plus LAYERS layers of KIB KiB of random
# data, whose OCI layout stays in $BATS_FILE_TMPDIR/img.  teardown_file
# calls reg_stop_all.
fault_registry() {
	export REGDIR=$BATS_FILE_TMPDIR/reg/plain
	REG=$(reg_start "$REGDIR") || return 1
	export REG
	"$MKIMAGE" multi "$BATS_FILE_TMPDIR/img" "$1" "$2" "$3" >/dev/null || return 1
	push_oci "$BATS_FILE_TMPDIR/img" "$1" "$REG/$4"
}

# kill9_at DELAY ARGS...: start cabin ARGS in the background, kill it with
# -9 after DELAY seconds (it may be done by then), reap it.
kill9_at() {
	local delay=$1 pid
	shift
	env "$MARKER" "$CABIN" --root "$CROOT" --runroot "$CRUN" "$@" >/dev/null 2>&1 </dev/null &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# assert_nothing_left: after the test removed all its containers, nothing of
# them is left: no process with this test's marker, no mount under $TMP,
# no cgroup, runtime state, run folder or name of any id it saw, no
# scratch or half-removed folder, and `system check` finds nothing.
assert_nothing_left() {
	local id left i
	remember_ids
	for ((i = 0; i < 100; i++)); do
		[ -z "$(marker_pids)" ] && break
		sleep 0.1
	done
	left=$(marker_pids)
	if [ -n "$left" ]; then
		echo "processes left: $left" >&2
		ps -o pid,ppid,args -p "$(echo $left | tr ' ' ',')" >&2 || true
		return 1
	fi
	# the test's own mounts (a small tmpfs for the store) are not leftovers
	left=$(mounts_under "$TMP" | grep -vxF -e "${FAULT_OWN_MOUNTS:-/nonexistent}" || true)
	if [ -n "$left" ]; then
		echo "mounts left: $left" >&2
		return 1
	fi
	local rules
	rules=$(iptables-save 2>/dev/null || true)
	for id in $(sort -u "$TMP/ids" 2>/dev/null); do
		assert_container_gone "$id" || return 1
		# its network: the namespace (with it, the veth pair), the rules
		# and the address lease, all named by its id
		if [ -e "$CRUN/netns/$id" ] || [ -e "$CRUN/networks/sandbox/$id.json" ]; then
			echo "network namespace or sandbox record left: $id" >&2
			return 1
		fi
		if grep -qF "$id" <<<"$rules"; then
			echo "iptables rules left: $(grep -F "$id" <<<"$rules")" >&2
			return 1
		fi
		if grep -rlsF "$id" /run/cabin-cni/ipam >/dev/null; then
			echo "address lease left: $(grep -rlsF "$id" /run/cabin-cni/ipam)" >&2
			return 1
		fi
	done
	left=$(ls "$CRUN/runtime" 2>/dev/null || true)
	if [ -n "$left" ]; then
		echo "runtime state left: $left" >&2
		return 1
	fi
	left=$(ls -A "$CROOT/tmp" 2>/dev/null; ls -A "$CROOT/containers" 2>/dev/null | grep '^\.' || true)
	if [ -n "$left" ]; then
		echo "scratch or half-made folders left: $left" >&2
		return 1
	fi
	run_cabin system check
	if [ "$status" -ne 0 ]; then
		echo "system check after the test: $output" >&2
		return 1
	fi
}

# garble FILE: fill FILE with bytes that are not JSON.
garble() {
	printf '\x00\xffnot json at all {{{' >"$1"
}

# truncate_half FILE: cut FILE to half its size.
truncate_half() {
	truncate -s $(($(stat -c %s "$1") / 2)) "$1"
}

# cid NAME: the full id of container NAME.
cid() {
	cabin inspect -f '{{.Id}}' "$1"
}
