#!/usr/bin/env bats
# libcurl and libarchive are loaded on first use (src/util/dl.h): cabin is
# not linked with them, a command that needs one and cannot load it says
# which library, and the commands that need neither work without them.

load cabin_helpers

@test "cabin is linked with neither libcurl nor libarchive" {
	run ldd "$CABIN"
	[ "$status" -eq 0 ]
	[[ $output != *libcurl* ]]
	[[ $output != *libarchive* ]]
}

# lib_path SONAME: the path of the file dlopen(SONAME) would load.
lib_path() {
	local p
	p=$(ldconfig -p | awk -v n="$1" '$1 == n && /x86-64/ { print $NF; exit }')
	[ -n "$p" ] && readlink -f "$p"
}

@test "without libcurl or libarchive: pull, load and cp - name the library; run works" {
	import_busybox
	curl=$(lib_path libcurl.so.4)
	archive=$(lib_path libarchive.so.13)
	[ -f "$curl" ] && [ -f "$archive" ]
	cat >"$TMP/hidden.sh" <<-SH
		set -u
		# An empty file where each library was, in this mount namespace only.
		: >"$TMP/empty"
		mount --bind "$TMP/empty" "$curl" && mount --bind "$TMP/empty" "$archive" || exit 99
		c() { "$CABIN" --root "$CROOT" --runroot "$CRUN" "\$@" </dev/null 3>&-; }
		echo "== pull"; c pull 127.0.0.1:9/nothing:here 2>&1; echo "rc=\$?"
		echo "== load"; c load -i "$(cached_image rootfs.tar)" 2>&1; echo "rc=\$?"
		echo "== run"; c run --rm --network none busybox echo still running 2>&1; echo "rc=\$?"
		id=\$(c create --network none busybox true) || exit 98
		echo "== cp"; c cp "\$id:/etc/passwd" - 2>&1 >/dev/null; echo "rc=\$?"
		c rm "\$id" >/dev/null
	SH
	run env "$MARKER" timeout -k 5 120 unshare -m --propagation private bash "$TMP/hidden.sh"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"== pull"?"cabin: pulling \`127.0.0.1:9/nothing:here\`: opening registry \`127.0.0.1:9\`: loading libcurl.so.4 (cabin needs it to reach registries): "*"rc=1"?"== load"* ]]
	[[ $output == *"== load"?"cabin: loading \`"*"\`: loading libarchive.so.13 (cabin needs it to read and write tar archives): "*"rc=1"?"== run"* ]]
	[[ $output == *"== run"?"still running"?"rc=0"?"== cp"* ]]
	[[ $output == *"== cp"?"cabin: copying from container "*": loading libarchive.so.13 (cabin needs it to read and write tar archives): "*"rc=1" ]]
	assert_store_clean
}
