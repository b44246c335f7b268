#!/usr/bin/env bats
# libcurl, libarchive and libcrypto are loaded on first use
# (src/util/dl.h): cabin is not linked with them, a command that needs one
# and cannot load it says which library, and the commands that need none
# work without them.

load cabin_helpers

@test "cabin is linked with none of libcurl, libarchive and libcrypto" {
	run ldd "$CABIN"
	[ "$status" -eq 0 ]
	[[ $output != *libcurl* ]]
	[[ $output != *libarchive* ]]
	[[ $output != *libcrypto* ]]
}

# lib_path SONAME: the path of the file dlopen(SONAME) would load.
lib_path() {
	local p
	p=$(ldconfig -p | awk -v n="$1" '$1 == n && /x86-64/ { print $NF; exit }')
	[ -n "$p" ] && readlink -f "$p"
}

@test "without libcurl, libarchive and libcrypto: pull, load and cp name the library; run works" {
	import_busybox
	curl=$(lib_path libcurl.so.4)
	archive=$(lib_path libarchive.so.13)
	crypto=$(lib_path libcrypto.so.3)
	[ -f "$curl" ] && [ -f "$archive" ] && [ -f "$crypto" ]
	cat >"$TMP/hidden.sh" <<-SH
		set -u
		# An empty file where each library was, in this mount namespace only.
		: >"$TMP/empty"
		for lib in "$curl" "$archive" "$crypto"; do
			mount --bind "$TMP/empty" "\$lib" || exit 99
		done
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

@test "without libcrypto: import names it (hashing the layer); images and run work" {
	import_busybox
	crypto=$(lib_path libcrypto.so.3)
	[ -f "$crypto" ]
	cat >"$TMP/hidden.sh" <<-SH
		set -u
		: >"$TMP/empty"
		mount --bind "$TMP/empty" "$crypto" || exit 99
		c() { "$CABIN" --root "$CROOT" --runroot "$CRUN" "\$@" </dev/null 3>&-; }
		echo "== import"; c import "$(cached_image rootfs.tar)" other 2>&1; echo "rc=\$?"
		echo "== images"; c images 2>&1; echo "rc=\$?"
		echo "== run"; c run --rm --network none busybox echo still running 2>&1; echo "rc=\$?"
	SH
	run env "$MARKER" timeout -k 5 120 unshare -m --propagation private bash "$TMP/hidden.sh"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"== import"?"cabin: "*"loading libcrypto.so.3 (cabin needs it to hash layers and archives): "*"rc=1"?"== images"* ]]
	[[ $output == *"== images"?"REPOSITORY"*"busybox"*"rc=0"?"== run"* ]]
	[[ $output != *"other"*"== run"* ]]
	[[ $output == *"== run"?"still running"?"rc=0" ]]
	assert_store_clean
}
