#!/usr/bin/env bats
# cabin's image side: import, load, save, images, tag, rmi, inspect, prune, df.

load cabin_helpers

@test "import: a rootfs tarball becomes an image that runs" {
	run_cabin import "$(cached_image rootfs.tar)" busybox
	[ "$status" -eq 0 ]
	[[ $output =~ ^sha256:[0-9a-f]{64}$ ]]
	id=$output
	run_cabin images
	[ "$status" -eq 0 ]
	[[ ${lines[1]} =~ ^busybox\ +latest\ +${id:7:12} ]]
	run_cabin run --rm busybox cat /etc/os-release
	[ "$status" -eq 0 ]
	[[ $output == *"cabin busybox"* ]]
	assert_store_clean
}

@test "import --change: Cmd, Entrypoint, Env, WorkingDir, User, Expose, Label, Volume" {
	run_cabin import \
		-c 'ENV GREETING="hello world" OTHER=x' \
		--change 'WORKDIR /tmp' \
		--change 'USER nobody' \
		--change 'EXPOSE 80 53/udp' \
		--change 'LABEL org.example.a=1' \
		--change 'VOLUME ["/data"]' \
		--change 'ENTRYPOINT ["/bin/sh", "-c"]' \
		--change 'CMD ["echo $GREETING from $(pwd) as $(id -un)"]' \
		-m 'made by a test' \
		"$(cached_image rootfs.tar)" example.com/team/app:1
	[ "$status" -eq 0 ]
	run_cabin image inspect example.com/team/app:1
	[ "$status" -eq 0 ]
	c=$(jq -c '.[0].Config' <<<"$output")
	[ "$(jq -r '.WorkingDir' <<<"$c")" = /tmp ]
	[ "$(jq -r '.User' <<<"$c")" = nobody ]
	[ "$(jq -r '.Env[0]' <<<"$c")" = "GREETING=hello world" ]
	[ "$(jq -r '.ExposedPorts | keys | join(",")' <<<"$c")" = "53/udp,80/tcp" ]
	[ "$(jq -r '.Labels["org.example.a"]' <<<"$c")" = 1 ]
	[ "$(jq -r '.Volumes | keys[0]' <<<"$c")" = /data ]
	[ "$(jq -r '.[0].RepoTags[0]' <<<"$output")" = example.com/team/app:1 ]
	run_cabin run --rm example.com/team/app:1
	[ "$status" -eq 0 ]
	[ "$output" = "hello world from /tmp as nobody" ]
	# The command replaces Cmd, not the Entrypoint.
	run_cabin run --rm example.com/team/app:1 'echo replaced'
	[ "$output" = replaced ]
}

@test "import: from stdin, compressed; a bad --change or a bad tarball stores nothing" {
	gzip -c "$(cached_image rootfs.tar)" >"$TMP/rootfs.tar.gz"
	f=$(mktemp "$TMP/out.XXXXXX")
	cabin_in import - gz:1 <"$TMP/rootfs.tar.gz" >"$f"
	run_cabin image inspect gz:1
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].Layers[0].MediaType' <<<"$output")" = application/vnd.oci.image.layer.v1.tar+gzip ]

	run_cabin import --change 'FROM scratch' "$(cached_image rootfs.tar)" bad
	[ "$status" -ne 0 ]
	[[ $output == *"FROM"*"cannot be changed on import"* ]]
	head -c 100000 "$TMP/rootfs.tar.gz" >"$TMP/cut.tar.gz"
	run_cabin import "$TMP/cut.tar.gz" cut
	[ "$status" -ne 0 ]
	[[ $output == *"importing"*"cut.tar.gz"* ]]
	run_cabin images -q
	[ "${#lines[@]}" -eq 1 ]
	assert_store_clean
	# only gz:1's layer
	[ "$(ls "$CROOT/layers" | wc -l)" -eq 1 ]
}

@test "load: a skopeo docker-archive, then run it" {
	run_cabin load -i "$(cached_image docker.tar)"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: multi:latest" ]
	run_cabin run --rm multi ls /data
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '1.bin\n2.bin\n3.bin')" ]
	[ "$(ls "$CROOT/layers" | wc -l)" -eq 4 ]
	assert_store_clean
}

@test "load: a skopeo OCI archive and an OCI layout folder, then run them" {
	run_cabin load -i "$(cached_image oci.tar)"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: multi:oci" ]
	run_cabin run --rm multi:oci wc -c /data/2.bin
	[ "$status" -eq 0 ]
	[[ $output == "65536 /data/2.bin" ]]
	# The layout's ref names are bare tags: loaded by id, then tagged.
	run_cabin load -i "$(cached_image oci)"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "Loaded image ID: sha256:"* ]]
	[ "${#lines[@]}" -eq 2 ]
	id=${lines[0]#Loaded image ID: }
	cabin tag "$id" layout:busybox
	run_cabin run --rm layout:busybox echo ok
	[ "$output" = ok ]
	# The layout's busybox is multi's base: its layer is stored once.
	[ "$(ls "$CROOT/layers" | wc -l)" -eq 4 ]
}

@test "load: from stdin, a compressed archive; refuses what is not an image archive" {
	f=$(mktemp "$TMP/out.XXXXXX")
	gzip -c "$(cached_image docker.tar)" | cabin_in load >"$f"
	[ "$(cat "$f")" = "Loaded image: multi:latest" ]
	run_cabin run --rm multi ls /data
	[ "$status" -eq 0 ]
	run_cabin load -i "$(cached_image rootfs.tar)"
	[ "$status" -ne 0 ]
	[[ $output == *"neither a docker archive"* ]]
	echo garbage >"$TMP/g"
	run_cabin load -i "$TMP/g"
	[ "$status" -ne 0 ]
	assert_store_clean
}

@test "save -> load keeps the digests (oci-archive and docker-archive), deterministically" {
	cabin load -i "$(cached_image oci.tar)" >/dev/null
	run_cabin image inspect multi:oci
	digest=$(jq -r '.[0].Digest' <<<"$output")
	id=$(jq -r '.[0].Id' <<<"$output")
	blobs=$(jq -r '[.[0].Layers[].Digest] | join(" ")' <<<"$output")
	diffs=$(jq -r '.[0].RootFS.Layers | join(" ")' <<<"$output")
	cabin save -o "$TMP/a.tar" --format oci-archive multi:oci
	cabin save -o "$TMP/b.tar" --format oci-archive multi:oci
	cmp "$TMP/a.tar" "$TMP/b.tar"
	cabin save -o "$TMP/d.tar" multi:oci
	# Into a fresh store.
	CROOT=$TMP/other
	run_cabin load -i "$TMP/a.tar"
	[ "$output" = "Loaded image: multi:oci" ]
	run_cabin image inspect multi:oci
	[ "$(jq -r '.[0].Digest' <<<"$output")" = "$digest" ]
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$id" ]
	[ "$(jq -r '[.[0].Layers[].Digest] | join(" ")' <<<"$output")" = "$blobs" ]
	CROOT=$TMP/third
	run_cabin load -i "$TMP/d.tar"
	[ "$output" = "Loaded image: multi:oci" ]
	run_cabin image inspect multi:oci
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$id" ]
	[ "$(jq -r '.[0].RootFS.Layers | join(" ")' <<<"$output")" = "$diffs" ]
	# docker-archive layers are plain tars named by diff_id.
	[ "$(jq -r '.[0].Layers[0].Digest' <<<"$output")" = "$(jq -r '.[0].RootFS.Layers[0]' <<<"$output")" ]
	run_cabin run --rm multi:oci wc -c /data/3.bin
	[ "$status" -eq 0 ]
	[[ $output == "65536 /data/3.bin" ]]
	# skopeo reads what we wrote.
	skopeo --insecure-policy inspect "docker-archive:$TMP/d.tar" >/dev/null
	skopeo --insecure-policy inspect "oci-archive:$TMP/a.tar" >/dev/null
}

@test "save: refuses a terminal, names what is missing, leaves no file behind" {
	import_busybox
	run_cabin save -o "$TMP/x.tar" busybox nosuch
	[ "$status" -ne 0 ]
	[[ $output == *"nosuch"* ]]
	[ -z "$(ls "$TMP" | grep x.tar)" ]
	run_cabin save --format tarball -o "$TMP/x.tar" busybox
	[ "$status" -ne 0 ]
	[[ $output == *"--format"* ]]
}

@test "images: -q, --digests, --format json, a repository filter" {
	import_busybox
	cabin tag busybox mine/bb:v1
	run_cabin images -q
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} =~ ^[0-9a-f]{12}$ ]]
	run_cabin images --digests
	[[ ${lines[0]} == *DIGEST* ]]
	[[ ${lines[1]} == *sha256:* ]]
	run_cabin images --format json
	[ "$(jq -r '.[0].RepoTags | sort | join(",")' <<<"$output")" = "busybox:latest,mine/bb:v1" ]
	[ "$(jq -r '.[0].Size' <<<"$output")" -gt 1000000 ]
	run_cabin images mine/bb
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[1]} == mine/bb* ]]
}

@test "tag and rmi: a name at a time; an id with several names needs -f" {
	import_busybox
	cabin tag busybox other:1
	id=$(cabin images -q)
	run_cabin rmi "$id"
	[ "$status" -ne 0 ]
	[[ $output == *"must be forced"*"multiple repositories"* ]]
	run_cabin rmi other:1
	[ "$output" = "Untagged: other:1" ]
	run_cabin run --rm busybox true
	[ "$status" -eq 0 ]
	run_cabin rmi busybox
	[ "${lines[0]}" = "Untagged: busybox:latest" ]
	[[ ${lines[1]} == "Deleted: sha256:"* ]]
	[ -z "$(ls "$CROOT/layers")" ]
	[ -z "$(ls "$CROOT/blobs/sha256")" ]
	run_cabin rmi busybox
	[ "$status" -ne 0 ]
	[[ $output == *"image not known"* ]]
}

@test "rmi: refused while a container uses it, unless -f; its layers stay until it goes" {
	import_busybox
	run_cabin run busybox sh -c 'echo kept >/kept'
	[ "$status" -eq 0 ]
	cid=$(cabin ps -aq)
	[ -n "$cid" ]
	run_cabin rmi busybox
	[ "$status" -ne 0 ]
	[[ $output == *"being used by stopped container $cid"* ]]
	run_cabin rmi -f busybox
	[ "$status" -eq 0 ]
	run_cabin images -q
	[ -z "$output" ]
	# The container keeps its layers (and its own upper layer).
	[ "$(ls "$CROOT/layers" | wc -l)" -eq 1 ]
	[ "$(cat "$CROOT"/containers/"$cid"*/upper/kept)" = kept ]
	cabin rm "$cid"
	[ -z "$(ls "$CROOT/layers")" ]
	[ -z "$(ls "$CROOT/containers")" ]
	assert_store_clean
}

@test "two images sharing a base store it once (system df); rmi of one keeps the other working" {
	cabin load -i "$(cached_image docker.tar)" >/dev/null
	cabin load -i "$(cached_image oci)" >/dev/null
	run_cabin images --format json
	base=$(jq -r '[.[] | select(.RepoTags | length == 0)][0].Id' <<<"$output")
	cabin tag "$base" base:1
	run_cabin system df --format json
	[ "$status" -eq 0 ]
	# multi = base + 3 layers: 4 distinct layers, not 5.
	[ "$(jq -r '.Layers.Total' <<<"$output")" -eq 4 ]
	[ "$(jq -r '.Images.Total' <<<"$output")" -eq 2 ]
	shared=$(jq -r '[.ImagesDetail[].SharedSize] | min' <<<"$output")
	[ "$shared" -gt 1000000 ]
	total=$(jq -r '.Images.Size' <<<"$output")
	sum=$(jq -r '[.ImagesDetail[].Size] | add' <<<"$output")
	[ "$total" -lt "$sum" ]
	[ "$((total + shared))" -eq "$sum" ]
	run_cabin system df -v
	[[ $output == *"SHARED SIZE"*"UNIQUE SIZE"* ]]
	cabin rmi multi >/dev/null
	[ "$(ls "$CROOT/layers" | wc -l)" -eq 1 ]
	run_cabin run --rm base:1 cat /etc/os-release
	[ "$status" -eq 0 ]
	[[ $output == *"cabin busybox"* ]]
}

@test "image prune: dangling images go; -a takes every unused one" {
	cabin load -i "$(cached_image oci)" >/dev/null # two unnamed images
	import_busybox
	run_cabin image prune -f
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Deleted Images:" ]
	[ "$(grep -c '^deleted: sha256:' <<<"$output")" -eq 2 ]
	[[ $output == *"Total reclaimed space: "*MB* ]]
	run_cabin images -q
	[ "${#lines[@]}" -eq 1 ]
	run_cabin image prune -a -f
	[ "$(grep -c '^untagged: busybox:latest' <<<"$output")" -eq 1 ]
	[ -z "$(cabin images -q)" ]
	[ -z "$(ls "$CROOT/layers")" ]
	[ -z "$(ls "$CROOT/blobs/sha256")" ]
	[ -z "$(ls "$CROOT/l")" ]
}

@test "image inspect: id, digests, config, layers, size; unknown images are errors" {
	cabin load -i "$(cached_image oci.tar)" >/dev/null
	run_cabin image inspect multi:oci
	[ "$status" -eq 0 ]
	[[ $(jq -r '.[0].Id' <<<"$output") =~ ^sha256:[0-9a-f]{64}$ ]]
	[ "$(jq -r '.[0].Layers | length' <<<"$output")" -eq 4 ]
	[ "$(jq -r '.[0].RootFS.Layers | length' <<<"$output")" -eq 4 ]
	[ "$(jq -r '.[0].Config.Cmd[0]' <<<"$output")" = sh ]
	[ "$(jq -r '.[0].Size' <<<"$output")" -gt 1000000 ]
	run_cabin image inspect nope
	[ "$status" -ne 0 ]
	[[ $output == *"image not known: \`nope\`"* ]]
	run_cabin image inspect 'Bad/Name'
	[ "$status" -ne 0 ]
}

@test "load killed with -9 halfway, then load again: a consistent store, and the image runs" {
	"$MKIMAGE" multi "$TMP/big" big 5 4096
	"$MKIMAGE" docker-archive "$TMP/big" big "$TMP/big.tar" big:1
	size=$(stat -c %s "$TMP/big.tar")
	mkfifo "$TMP/fifo"
	cabin load -i "$TMP/fifo" >"$TMP/load.out" 2>&1 &
	pid=$!
	exec 5>"$TMP/fifo"
	# Half of the archive: some layers done, one in the middle.
	head -c $((size / 2)) "$TMP/big.tar" >&5
	# The killed load is one that was working: wait for its first layer.
	for ((i = 0; i < 200; i++)); do
		[ -n "$(ls "$CROOT/layers" 2>/dev/null)" ] && [ -n "$(ls "$CROOT/tmp" 2>/dev/null)" ] && break
		sleep 0.05
	done
	[ -n "$(ls "$CROOT/tmp")" ]
	# cabin itself (not the timeout(1) around it).
	victim=$(pgrep -f "^$CABIN --root $CROOT --runroot $CRUN load")
	[ -n "$victim" ]
	kill -9 $victim
	wait "$pid" 2>/dev/null || true
	exec 5>&-
	# Nothing names the half-loaded image.
	run_cabin images -q
	[ -z "$output" ]
	run_cabin load -i "$TMP/big.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: big:1" ]
	assert_store_clean
	[ "$(ls "$CROOT/layers" | wc -l)" -eq 6 ]
	run_cabin run --rm big:1 sh -c 'cat /data/*.bin | wc -c'
	[ "$status" -eq 0 ]
	[ "$output" -eq $((5 * 4096 * 1024)) ]
	# And a collection finds nothing to remove but the debris.
	run_cabin image prune -f
	[[ $output == *"Total reclaimed space: 0B"* ]]
	[ "$(ls "$CROOT/layers" | wc -l)" -eq 6 ]
}

@test "load: a layer whose content is not what its name and the config say is refused" {
	cabin load -i "$(cached_image docker.tar)" >/dev/null
	mkdir "$TMP/x"
	tar -C "$TMP/x" -xf "$(cached_image docker.tar)"
	a=$(jq -r '.[0].Layers[1]' "$TMP/x/manifest.json")
	b=$(jq -r '.[0].Layers[2]' "$TMP/x/manifest.json")
	cp "$TMP/x/$b" "$TMP/x/$a"
	tar -C "$TMP/x" -cf "$TMP/bad.tar" .
	run_cabin load -i "$TMP/bad.tar"
	[ "$status" -ne 0 ]
	[[ $output == *"${a%.tar}"*"mismatch"* ]]
	# And into an empty store the same.
	CROOT=$TMP/fresh
	run_cabin load -i "$TMP/bad.tar"
	[ "$status" -ne 0 ]
	[[ $output == *"mismatch"* ]]
	[ -z "$(cabin images -q)" ]
	assert_store_clean
}

@test "two cabins at once: parallel loads of shared layers, runs and an rmi keep the store consistent" {
	import_busybox other
	pids=()
	for i in 1 2 3; do
		cabin load -q -i "$(cached_image docker.tar)" >"$TMP/l$i.log" 2>&1 &
		pids+=($!)
		cabin load -q -i "$(cached_image oci.tar)" >"$TMP/o$i.log" 2>&1 &
		pids+=($!)
		cabin run --rm other true >"$TMP/r$i.log" 2>&1 &
		pids+=($!)
	done
	# An image of its own (the same layer, another config), removed meanwhile:
	# its collection must leave alone what the loads are making.
	cabin import -c 'CMD ["true"]' "$(cached_image rootfs.tar)" doomed >/dev/null
	cabin rmi doomed >"$TMP/rmi.log" 2>&1 &
	pids+=($!)
	fails=0
	for p in "${pids[@]}"; do
		wait "$p" || fails=$((fails + 1))
	done
	cat "$TMP"/*.log >&2
	[ "$fails" -eq 0 ]
	run_cabin images --format json
	[ "$(jq -r '[.[].RepoTags[]] | sort | join(",")' <<<"$output")" = "multi:latest,multi:oci,other:latest" ]
	# multi's four layers (other's one is multi's base), each once.
	[ "$(ls "$CROOT/layers" | wc -l)" -eq 4 ]
	assert_store_clean
	run_cabin run --rm multi:oci ls /data
	[ "$(wc -l <<<"$output")" -eq 3 ]
}
