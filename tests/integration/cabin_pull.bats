#!/usr/bin/env bats
# cabin pull and push against Debian's docker-registry (no auth): images
# pushed by skopeo (OCI, Docker schema 2, zstd, a multi-arch index),
# retries, resumes, a tampered blob, a pull killed with -9, refusals, TLS,
# push -> pull by digest.

load registry_helpers

setup_file() {
	export REGDIR=$BATS_FILE_TMPDIR/reg/plain
	REG=$(reg_start "$REGDIR") || return 1
	export REG
	local oci idx
	oci=$(cached_image oci) || return 1
	push_oci "$oci" multi "$REG/oci/multi:1" || return 1
	push_oci "$oci" busybox "$REG/oci/busybox:1" || return 1
	push_oci "$oci" multi "$REG/v2s2/multi:1" --format v2s2 || return 1
	# A multi-arch index: the multi image for amd64, and for arm64 the same
	# plus a layer of its own.
	idx=$BATS_FILE_TMPDIR/idx
	cp -a "$oci" "$idx"
	ARM_LAYER=$("$MKIMAGE" index "$idx" multi multiarch) || return 1
	export ARM_LAYER
	skopeo --insecure-policy copy -q --all --dest-tls-verify=false \
		"oci:$idx:multiarch" "docker://$REG/idx/multi:1" 3>&- || return 1
	# The same as a Docker manifest list.
	skopeo --insecure-policy copy -q --all --format v2s2 --dest-tls-verify=false \
		"oci:$idx:multiarch" "docker://$REG/list/multi:1" 3>&- || return 1
}

teardown_file() {
	reg_stop_all
}

# registry_digest REF: the digest of REF's manifest as the registry has it.
registry_digest() {
	skopeo inspect --raw --tls-verify=false "docker://$1" 3>&- | sha256sum | sed 's/^/sha256:/; s/ .*//'
}

@test "pull: an OCI image pushed by skopeo, docker's lines and its digest; run it" {
	digest=$(registry_digest "$REG/oci/multi:1")
	run_cabin pull "$REG/oci/multi:1"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "1: Pulling from oci/multi" ]
	[ "$(grep -c ': Pull complete$' <<<"$output")" -eq 4 ]
	[[ $output == *"Downloaded 4 of 4 layers"* ]]
	grep -qx "Digest: $digest" <<<"$output"
	grep -qx "Status: Downloaded newer image for $REG/oci/multi:1" <<<"$output"
	[ "${lines[-1]}" = "$REG/oci/multi:1" ]
	run_cabin image inspect "$REG/oci/multi:1"
	[ "$(jq -r '.[0].RepoDigests[0]' <<<"$output")" = "$REG/oci/multi@$digest" ]
	run_cabin run --rm "$REG/oci/multi:1" ls /data
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '1.bin\n2.bin\n3.bin')" ]
	assert_store_clean
}

@test "pull: what the store has is not downloaded again; -q prints the name" {
	proxy_start "$REG"
	cabin pull -q "$PROXY/oci/busybox:1" >/dev/null
	run_cabin pull "$PROXY/oci/multi:1"
	[ "$status" -eq 0 ]
	# busybox is multi's base layer.
	[ "$(grep -c ': Already exists$' <<<"$output")" -eq 1 ]
	[ "$(grep -c ': Pull complete$' <<<"$output")" -eq 3 ]
	before=$(proxy_log_count '.path | test("/blobs/")')
	run_cabin pull "$PROXY/oci/multi:1"
	[ "$status" -eq 0 ]
	[ "$(grep -c ': Already exists$' <<<"$output")" -eq 4 ]
	grep -qx "Status: Image is up to date for $PROXY/oci/multi:1" <<<"$output"
	[ "$(proxy_log_count '.path | test("/blobs/")')" -eq "$before" ]
	run_cabin pull -q "$PROXY/oci/multi:1"
	[ "$output" = "$PROXY/oci/multi:1" ]
	[ "$(ls "$CROOT/layers" | wc -l)" -eq 4 ]
}

@test "pull: a Docker schema 2 image and zstd layers" {
	run_cabin pull -q "$REG/v2s2/multi:1"
	[ "$status" -eq 0 ]
	run_cabin image inspect "$REG/v2s2/multi:1"
	[ "$(jq -r '.[0].Layers[0].MediaType' <<<"$output")" = application/vnd.docker.image.rootfs.diff.tar.gzip ]
	run_cabin run --rm "$REG/v2s2/multi:1" wc -c /data/1.bin
	[ "$output" = "65536 /data/1.bin" ]

	unique_image "$TMP/z" z 2 256
	push_oci "$TMP/z" z "$REG/zstd-$BATS_TEST_NUMBER/z:1" --dest-compress-format zstd
	run_cabin pull "$REG/zstd-$BATS_TEST_NUMBER/z:1"
	[ "$status" -eq 0 ]
	run_cabin image inspect "$REG/zstd-$BATS_TEST_NUMBER/z:1"
	[ "$(jq -r '[.[0].Layers[1:][].MediaType] | unique | join(",")' <<<"$output")" = application/vnd.oci.image.layer.v1.tar+zstd ]
	run_cabin run --rm "$REG/zstd-$BATS_TEST_NUMBER/z:1" wc -c /data/2.bin
	[ "$output" = "262144 /data/2.bin" ]
	assert_store_clean
}

@test "pull: a multi-arch index gives this host's image, the others are not fetched; --platform" {
	proxy_start "$REG"
	run_cabin pull "$PROXY/idx/multi:1"
	[ "$status" -eq 0 ]
	[ "$(grep -c ': Pull complete$' <<<"$output")" -eq 4 ]
	[ "$(proxy_log_count ".path | test(\"$ARM_LAYER\")")" -eq 0 ]
	[ ! -e "$CROOT/blobs/sha256/${ARM_LAYER#sha256:}" ]
	run_cabin image inspect "$PROXY/idx/multi:1"
	[ "$(jq -r '.[0].Architecture' <<<"$output")" = amd64 ]
	# The repo digest is the index's, as docker records it.
	[ "$(jq -r '.[0].RepoDigests[0]' <<<"$output")" = "$PROXY/idx/multi@$(registry_digest "$REG/idx/multi:1")" ]

	run_cabin pull --platform linux/arm64 "$PROXY/idx/multi:1"
	[ "$status" -eq 0 ]
	[ "$(grep -c ': Already exists$' <<<"$output")" -eq 4 ]
	[ "$(grep -c ': Pull complete$' <<<"$output")" -eq 1 ]
	run_cabin image inspect "$PROXY/idx/multi:1"
	[ "$(jq -r '.[0].Architecture' <<<"$output")" = arm64 ]

	run_cabin pull --platform linux/s390x "$PROXY/idx/multi:1"
	[ "$status" -ne 0 ]
	[[ $output == *"no image for linux/s390x in the index (it has: linux/amd64, linux/arm64/v8)"* ]]
	run_cabin pull --platform linux/arm64 "$REG/oci/busybox:1"
	[ "$status" -ne 0 ]
	[[ $output == *"is for linux/amd64, not for the platform asked for (linux/arm64)"* ]]
	run_cabin pull --platform 'linux/arm64/v8/x' "$REG/oci/busybox:1"
	[[ $output == *"--platform"*"expected os/arch[/variant]"* ]]

	# A Docker manifest list works the same.
	[ "$(skopeo inspect --raw --tls-verify=false "docker://$REG/list/multi:1" | jq -r .mediaType)" = \
		application/vnd.docker.distribution.manifest.list.v2+json ]
	run_cabin pull --platform linux/arm64/v8 "$REG/list/multi:1"
	[ "$status" -eq 0 ]
	run_cabin image inspect "$REG/list/multi:1"
	[ "$(jq -r '.[0].Architecture' <<<"$output")" = arm64 ]
	# The same config as idx/multi's arm64 image: the same image, now also
	# named by the list's digest.
	jq -e --arg d "$REG/list/multi@$(registry_digest "$REG/list/multi:1")" \
		'.[0].RepoDigests | index($d)' <<<"$output" >/dev/null
	run_cabin run --rm "$REG/list/multi:1" cat /etc/os-release
	[[ $output == *"cabin busybox"* ]]
}

@test "pull: a blob tampered with in the registry is a digest mismatch naming the layer; nothing of it is stored" {
	unique_image "$TMP/t" t 2 64
	repo=tampered-$BATS_TEST_NUMBER
	push_oci "$TMP/t" t "$REG/$repo/t:1"
	layer=$(skopeo inspect --raw --tls-verify=false "docker://$REG/$repo/t:1" | jq -r '.layers[2].digest')
	f=$(reg_blob_file "$REGDIR" "$layer")
	[ -f "$f" ]
	# The same size, other bytes.
	size=$(stat -c %s "$f")
	head -c "$size" /dev/urandom >"$TMP/evil"
	cp "$TMP/evil" "$f"
	run_cabin pull "$REG/$repo/t:1"
	[ "$status" -ne 0 ]
	[[ $output == *"layer 3 of 3 ($layer)"*"digest mismatch"* ]]
	assert_no_image
	[ ! -e "$CROOT/blobs/sha256/${layer#sha256:}" ]
	assert_store_clean

	# Cut short: the registry serves fewer bytes than the manifest says.
	unique_image "$TMP/u" u 1 128
	push_oci "$TMP/u" u "$REG/$repo/u:1"
	layer=$(skopeo inspect --raw --tls-verify=false "docker://$REG/$repo/u:1" | jq -r '.layers[1].digest')
	f=$(reg_blob_file "$REGDIR" "$layer")
	truncate -s 1000 "$f"
	run_cabin pull "$REG/$repo/u:1"
	[ "$status" -ne 0 ]
	[[ $output == *"($layer)"*"truncated: the registry sent 1000 of"* ]]
	assert_no_image
	[ ! -e "$CROOT/blobs/sha256/${layer#sha256:}" ]
	assert_store_clean
}

# wrong_diff_id LAYOUT TAG: make the config of TAG name another diff_id for
# its second layer (the manifest and index.json follow, so every digest
# holds but the layer is not what the config says).
wrong_diff_id() {
	local dir=$1 tag=$2 m c cfg man d
	m=$(jq -r --arg t "$tag" '.manifests[] |
		select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$dir/index.json")
	man=$dir/blobs/sha256/${m#sha256:}
	c=$(jq -r .config.digest "$man")
	jq -c '.rootfs.diff_ids[1] = "sha256:1111111111111111111111111111111111111111111111111111111111111111"' \
		"$dir/blobs/sha256/${c#sha256:}" >"$TMP/cfg"
	d=$(sha256sum "$TMP/cfg" | cut -d' ' -f1)
	cp "$TMP/cfg" "$dir/blobs/sha256/$d"
	jq -c --arg d "sha256:$d" --argjson s "$(stat -c %s "$TMP/cfg")" \
		'.config.digest = $d | .config.size = $s' "$man" >"$TMP/man"
	d=$(sha256sum "$TMP/man" | cut -d' ' -f1)
	cp "$TMP/man" "$dir/blobs/sha256/$d"
	jq -c --arg d "sha256:$d" --argjson s "$(stat -c %s "$TMP/man")" --arg t "$tag" \
		'(.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t)) |=
		 (.digest = $d | .size = $s)' "$dir/index.json" >"$TMP/ij"
	mv "$TMP/ij" "$dir/index.json"
}

@test "pull: a layer that is not the config's diff_id is refused, naming it; nothing of it is stored" {
	unique_image "$TMP/d" d 2 64
	wrong_diff_id "$TMP/d" d
	repo=diffid-$BATS_TEST_NUMBER
	push_oci "$TMP/d" d "$REG/$repo/d:1"
	layer=$(skopeo inspect --raw --tls-verify=false "docker://$REG/$repo/d:1" | jq -r '.layers[1].digest')
	run_cabin pull "$REG/$repo/d:1"
	[ "$status" -ne 0 ]
	[[ $output == *"layer 2 of 3 ($layer)"*"diff_id mismatch: expected sha256:1111"* ]]
	assert_no_image
	[ ! -e "$CROOT/blobs/sha256/${layer#sha256:}" ]
	assert_store_clean
}

@test "pull on a terminal: the layers' lines are redrawn in place (ANSI), then Digest" {
	unique_image "$TMP/p" p 2 2048
	push_oci "$TMP/p" p "$REG/tty-$BATS_TEST_NUMBER/p:1"
	TERM=xterm timeout 60 script -qfec \
		"$CABIN --root $CROOT --runroot $CRUN pull $REG/tty-$BATS_TEST_NUMBER/p:1" \
		"$TMP/typescript" </dev/null >/dev/null 3>&-
	grep -q $'\e\[2K' "$TMP/typescript"
	grep -q $'\e\[3A' "$TMP/typescript"
	grep -aq 'Pull complete' "$TMP/typescript"
	grep -aq '^Digest: sha256:' "$TMP/typescript"
	run_cabin images -q
	[ "${#lines[@]}" -eq 1 ]
}

# cabin_pid: the pid of this test's running cabin (not of its timeout).
cabin_pid() {
	local f p exe
	exe=$(readlink -f "$CABIN")
	for f in $(grep -lzxF "$MARKER" /proc/[0-9]*/environ 2>/dev/null); do
		p=${f%/environ}
		[ "$(readlink -f "$p/exe" 2>/dev/null)" = "$exe" ] && echo "${p#/proc/}"
	done
}

@test "pull killed with -9 mid-way, then again: a consistent store, the finished layers reused" {
	unique_image "$TMP/k" k 3 512
	repo=killed-$BATS_TEST_NUMBER
	push_oci "$TMP/k" k "$REG/$repo/k:1"
	last=$(skopeo inspect --raw --tls-verify=false "docker://$REG/$repo/k:1" | jq -r '.layers[3].digest')
	proxy_start "$REG"
	# The last layer comes half-way, then never.
	proxy_rules "{\"stall\": [\"$last\"]}"
	cabin pull "$PROXY/$repo/k:1" >"$TMP/pull.out" 2>&1 &
	bg=$!
	for ((i = 0; i < 300; i++)); do
		[ "$(ls "$CROOT/layers" 2>/dev/null | wc -l)" -ge 3 ] &&
			[ "$(proxy_log_count ".path | test(\"$last\")")" -ge 1 ] && break
		sleep 0.1
	done
	[ "$(ls "$CROOT/layers" | wc -l)" -eq 3 ]
	pid=$(cabin_pid)
	[ -n "$pid" ]
	kill -9 "$pid"
	wait "$bg" || true
	assert_no_image
	# What the killed pull was writing is debris in tmp/.
	[ -n "$(ls -A "$CROOT/tmp")" ]

	proxy_rules '{}'
	run_cabin pull "$PROXY/$repo/k:1"
	[ "$status" -eq 0 ]
	[ "$(grep -c ': Already exists$' <<<"$output")" -eq 3 ]
	[ "$(grep -c ': Pull complete$' <<<"$output")" -eq 1 ]
	assert_store_clean
	run_cabin run --rm "$PROXY/$repo/k:1" sh -c 'cat /data/*.bin | wc -c'
	[ "$output" = $((3 * 512 * 1024)) ]
}

@test "pull: retries after 503 and 429, and a blob cut off is resumed with Range" {
	unique_image "$TMP/r" r 2 512
	repo=retry-$BATS_TEST_NUMBER
	push_oci "$TMP/r" r "$REG/$repo/r:1"
	layers=($(skopeo inspect --raw --tls-verify=false "docker://$REG/$repo/r:1" | jq -r '.layers[].digest'))
	proxy_start "$REG"
	proxy_rules "{\"fail\": [{\"match\": \"/manifests/1\", \"status\": 503, \"times\": 2},
	                         {\"match\": \"${layers[1]}\", \"status\": 429, \"times\": 1, \"retry_after\": \"0\"}],
	              \"drop\": [{\"match\": \"${layers[2]}\", \"after\": 100000, \"times\": 1}]}"
	run_cabin pull "$PROXY/$repo/r:1"
	[ "$status" -eq 0 ]
	[ "$(proxy_log_count '.path | test("/manifests/1")')" -eq 3 ]
	[ "$(proxy_log_count "(.path | test(\"${layers[1]}\")) and .status == 429")" -eq 1 ]
	[ "$(proxy_log_count "(.path | test(\"${layers[1]}\")) and .status == 200")" -eq 1 ]
	[ "$(proxy_log_count "(.path | test(\"${layers[2]}\")) and .range == \"bytes=100000-\" and .status == 206")" -eq 1 ]
	run_cabin run --rm "$PROXY/$repo/r:1" sh -c 'cat /data/*.bin | wc -c'
	[ "$output" = $((2 * 512 * 1024)) ]
	assert_store_clean
}

@test "pull: refused with a reason: schema 1, an oversized manifest, an unknown tag, a bad name, HTTPS required" {
	proxy_start "$REG"
	proxy_rules '{"serve": [
	    {"match": "/manifests/s1", "type": "application/vnd.docker.distribution.manifest.v1+prettyjws",
	     "body": "{\"schemaVersion\": 1, \"name\": \"x\", \"tag\": \"s1\", \"fsLayers\": []}"},
	    {"match": "/manifests/big", "type": "application/vnd.oci.image.manifest.v1+json",
	     "body": "xxxxxxxxxxxxxxxx", "repeat": 300000}]}'
	run_cabin pull "$PROXY/oci/multi:s1"
	[ "$status" -ne 0 ]
	[[ $output == *"Docker schema 1 manifest, which cabin does not support"* ]]
	run_cabin pull "$PROXY/oci/multi:big"
	[ "$status" -ne 0 ]
	[[ $output == *"larger than 4194304 bytes"* ]]
	run_cabin pull "$REG/oci/multi:nosuch"
	[ "$status" -ne 0 ]
	[[ $output == *"manifest for $REG/oci/multi:nosuch"*"manifest unknown (MANIFEST_UNKNOWN)"* ]]
	run_cabin pull "$REG/Upper/x"
	[ "$status" -ne 0 ]
	[[ $output == *"repository name must be lowercase"* ]]
	run_cabin pull "$REG/oci/multi@sha256:0123"
	[[ $output == *"not a sha256 digest"* ]]
	# Loopback may be plain HTTP, unless HTTPS is asked for.
	run_cabin pull --tls-verify "$REG/oci/multi:1"
	[ "$status" -ne 0 ]
	[[ $output == *"https://$REG/v2/"*"plain HTTP only with --tls-verify=false"* ]]
	assert_no_image
	assert_store_clean
}

@test "push, then pull by the digest push printed, into another store; run it" {
	import_busybox bb
	repo=roundtrip-$BATS_TEST_NUMBER
	run_cabin push bb "$REG/$repo/bb:7"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "The push refers to repository [$REG/$repo/bb]" ]
	[[ ${lines[-1]} =~ ^7:\ digest:\ (sha256:[0-9a-f]{64})\ size:\ [0-9]+$ ]]
	digest=${BASH_REMATCH[1]}
	[ "$(registry_digest "$REG/$repo/bb:7")" = "$digest" ]
	cabin image inspect bb | jq -e --arg d "$REG/$repo/bb@$digest" '.[0].RepoDigests | index($d)' >/dev/null
	want=$(cabin image inspect bb | jq -r '.[0].Id')
	CROOT=$TMP/other
	run_cabin pull "$REG/$repo/bb@$digest"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "$REG/$repo/bb@$digest" ]
	run_cabin image inspect "$REG/$repo/bb@$digest"
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$want" ]
	run_cabin run --rm "$REG/$repo/bb@$digest" cat /etc/os-release
	[ "$status" -eq 0 ]
	[[ $output == *"cabin busybox"* ]]
	assert_store_clean
}

@test "push: blobs the registry has are skipped, another repository's mounted, big ones sent in chunks" {
	cabin pull -q "$REG/oci/multi:1" >/dev/null
	repo=mount-$BATS_TEST_NUMBER
	run_cabin push "$REG/oci/multi:1" "$REG/$repo/m:1"
	[ "$status" -eq 0 ]
	[ "$(grep -c ': Mounted from oci/multi$' <<<"$output")" -eq 4 ]
	run_cabin push "$REG/oci/multi:1" "docker://$REG/$repo/m:2"
	[ "$status" -eq 0 ]
	[ "$(grep -c ': Layer already exists$' <<<"$output")" -eq 4 ]
	[[ ${lines[-1]} == "2: digest: $(registry_digest "$REG/oci/multi:1") size: "* ]]

	# An image of fresh layers, through the proxy to see the requests; each
	# push from a store of its own, where the image has no record of a
	# repository it could be mounted from.
	unique_image "$TMP/c" c 2 300
	proxy_start "$REG"
	CROOT=$TMP/s1
	id=$(cabin load -i "$TMP/c" | sed -n 's/^Loaded image ID: //p')
	[ -n "$id" ]
	run_cabin push --chunk-size 64k "$id" "$PROXY/$repo/chunked:1"
	[ "$status" -eq 0 ]
	[ "$(grep -c ': Pushed$' <<<"$output")" -eq 3 ]
	[ "$(proxy_log_count '.method == "PATCH"')" -ge 10 ]
	CROOT=$TMP/s2
	cabin load -q -i "$TMP/c"
	run_cabin push "$id" "$PROXY/$repo-whole/c:1"
	[ "$status" -eq 0 ]
	[ "$(proxy_log_count '.method == "PUT" and (.path | test("whole/c/blobs/uploads/.*digest="))')" -eq 4 ]
	[ "$(proxy_log_count '.method == "PATCH" and (.path | test("whole"))')" -eq 0 ]
	CROOT=$TMP/other
	run_cabin pull -q "$REG/$repo/chunked:1"
	[ "$status" -eq 0 ]
	run_cabin run --rm "$REG/$repo/chunked:1" sh -c 'cat /data/*.bin | wc -c'
	[ "$output" = $((2 * 300 * 1024)) ]
	run_cabin push "$id" "$REG/$repo/x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	[ "$status" -ne 0 ]
	[[ $output == *"cannot push to a digest"* ]]
}

@test "HTTPS: a registry with its own CA is verified with --cert-dir; --tls-verify=false skips it" {
	d=$TMP/tls
	mkdir -p "$d/certs"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=cabin-test-ca \
		-keyout "$d/ca.key" -out "$d/certs/ca.crt" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$d/key.pem" \
		-out "$d/req.pem" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\n' >"$d/ext"
	openssl x509 -req -in "$d/req.pem" -CA "$d/certs/ca.crt" -CAkey "$d/ca.key" \
		-CAcreateserial -days 2 -extfile "$d/ext" -out "$d/cert.pem" 2>/dev/null
	TREG=$(REG_TLS_CERT=$d/cert.pem REG_TLS_KEY=$d/key.pem reg_start "$BATS_FILE_TMPDIR/reg/tls")
	skopeo --insecure-policy copy -q --dest-cert-dir "$d/certs" \
		"oci:$(cached_image oci):busybox" "docker://$TREG/tls/bb:1" 3>&-
	run_cabin pull --tls-verify "$TREG/tls/bb:1"
	[ "$status" -ne 0 ]
	[[ $output == *"certificate"* ]]
	run_cabin pull --tls-verify --cert-dir "$d/certs" "$TREG/tls/bb:1"
	[ "$status" -eq 0 ]
	run_cabin rmi "$TREG/tls/bb:1"
	run_cabin pull -q --tls-verify=false "$TREG/tls/bb:1"
	[ "$status" -eq 0 ]
	run_cabin push --tls-verify --cert-dir "$d/certs" "$TREG/tls/bb:1" "$TREG/tls/again:1"
	[ "$status" -eq 0 ]
	run_cabin pull --cert-dir "$TMP/nosuch" "$TREG/tls/bb:1"
	[ "$status" -ne 0 ]
	[[ $output == *"--cert-dir"*"nosuch"* ]]
}

@test "push -a and pull -a: every tag of a repository" {
	import_busybox bb
	repo=$REG/alltags-$BATS_TEST_NUMBER/bb
	cabin tag bb "$repo:1"
	cabin tag bb "$repo:2"
	cabin tag bb "$REG/other-$BATS_TEST_NUMBER/bb:3"
	run_cabin push -a "$repo"
	[ "$status" -eq 0 ]
	[ "$(grep -c ': digest: sha256:' <<<"$output")" -eq 2 ]
	run_cabin push -a "$repo:1"
	[[ $output == *"--all-tags takes a repository, without a tag"* ]]
	CROOT=$TMP/other
	run_cabin pull -a -q "$repo"
	[ "$status" -eq 0 ]
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "$repo:1 $repo:2 " ]
	run_cabin images --format json
	[ "$(jq -r '[.[].RepoTags[]] | sort | join(" ")' <<<"$output")" = "$repo:1 $repo:2" ]
	run_cabin pull -a "$REG/nosuch-$BATS_TEST_NUMBER/x"
	[ "$status" -ne 0 ]
	[[ $output == *"NAME_UNKNOWN"* || $output == *"no tags"* ]]
}
