# Registries for the tests of pull, push and login: load from a .bats file
# with `load registry_helpers` (which loads cabin_helpers).
#
# Each .bats file starts what it needs once, in setup_file, and stops it in
# teardown_file: Debian's docker-registry (distribution 2.8) on 127.0.0.1,
# with no auth, htpasswd basic auth or bearer tokens from
# tests/helpers/token-server.py.  Every server listens on a port the kernel
# picks (port 0; the port is read back), so files running at the same time
# never collide.  Everything a file starts carries the file's marker in its
# environment and runs under `timeout`; teardown_file kills what carries
# the marker and removes the storage, whatever the tests did.  Tests name
# their repositories after $BATS_TEST_NUMBER so they do not see each
# other's images.
#
# A test may put tests/helpers/registry-proxy.py in front of a registry
# (proxy_start): it is a process of the test (its marker), so the common
# teardown kills it.

load cabin_helpers

# cabin's setup under another name, for a file that needs a setup of its own.
eval "cabin_$(declare -f setup)"

PY=/usr/bin/python3 # Debian's, with python3-jwt and python3-cryptography
HELPERS=$REPO/tests/helpers
: "${REG_LIFETIME:=1800}" # seconds a server may live, whatever happens

# reg_file_marker: the environment entry of this file's servers.
reg_file_marker() {
	echo "CABIN_TEST_FILEMARK=$BATS_FILE_TMPDIR"
}

# reg_wait_file FILE: wait (at most 20 s) until FILE exists.
reg_wait_file() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	echo "timed out waiting for $1" >&2
	return 1
}

# reg_start DIR: docker-registry with its storage in DIR/data; prints
# 127.0.0.1:PORT.  With REG_AUTH=htpasswd (REG_HTPASSWD=FILE) or
# REG_AUTH=token (REG_TOKEN_REALM, REG_TOKEN_SERVICE, REG_TOKEN_CERT), and
# TLS with REG_TLS_CERT and REG_TLS_KEY.
reg_start() {
	local dir=$1 i port
	mkdir -p "$dir/data"
	{
		printf 'version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\n'
		printf 'storage:\n  filesystem:\n    rootdirectory: %s/data\n  delete:\n    enabled: true\n' "$dir"
		printf 'http:\n  addr: 127.0.0.1:0\n'
		if [ -n "${REG_TLS_CERT:-}" ]; then
			printf '  tls:\n    certificate: %s\n    key: %s\n' "$REG_TLS_CERT" "$REG_TLS_KEY"
		fi
		case ${REG_AUTH:-none} in
		htpasswd) printf 'auth:\n  htpasswd:\n    realm: cabin-test\n    path: %s\n' "$REG_HTPASSWD" ;;
		token)
			printf 'auth:\n  token:\n    realm: %s\n    service: %s\n    issuer: cabin-test-issuer\n    rootcertbundle: %s\n' \
				"$REG_TOKEN_REALM" "$REG_TOKEN_SERVICE" "$REG_TOKEN_CERT"
			;;
		esac
	} >"$dir/config.yml"
	env "$(reg_file_marker)" timeout -k 5 "$REG_LIFETIME" \
		docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 </dev/null 3>&- &
	for ((i = 0; i < 200; i++)); do
		port=$(grep -o 'listening on [0-9.]*:[0-9]*' "$dir/log" 2>/dev/null | head -1 | sed 's/.*://')
		[ -n "$port" ] && break
		sleep 0.1
	done
	if [ -z "$port" ]; then
		echo "docker-registry did not start:" >&2
		cat "$dir/log" >&2
		return 1
	fi
	echo "127.0.0.1:$port"
}

# token_start DIR ARGS...: tests/helpers/token-server.py --dir DIR ARGS;
# prints its port.  DIR/cert.pem is the signing certificate, DIR/log its
# requests.
token_start() {
	local dir=$1
	shift
	mkdir -p "$dir"
	env "$(reg_file_marker)" timeout -k 5 "$REG_LIFETIME" \
		"$PY" "$HELPERS/token-server.py" --dir "$dir" "$@" >"$dir/out" 2>&1 </dev/null 3>&- &
	reg_wait_file "$dir/port" || { cat "$dir/out" >&2; return 1; }
	cat "$dir/port"
}

# reg_stop_all: kill what this file started, remove its storage.
reg_stop_all() {
	local mark i pids f
	mark=$(reg_file_marker)
	for i in 1 2 3 4 5 6 7 8 9 10; do
		pids=
		for f in $(grep -lzxF "$mark" /proc/[0-9]*/environ 2>/dev/null); do
			f=${f%/environ}
			pids="$pids ${f#/proc/}"
		done
		[ -z "$pids" ] && break
		# shellcheck disable=SC2086
		kill $([ "$i" -gt 3 ] && echo -9) $pids 2>/dev/null || true
		sleep 0.2
	done
	rm -rf "$BATS_FILE_TMPDIR/reg" 2>/dev/null || true
}

# push_oci LAYOUT TAG DEST [SKOPEO-ARGS...]: skopeo copy of the layout's
# image TAG to docker://DEST (plain HTTP allowed).
push_oci() {
	local layout=$1 tag=$2 dest=$3
	shift 3
	skopeo --insecure-policy copy -q --dest-tls-verify=false "$@" \
		"oci:$layout:$tag" "docker://$dest" 3>&-
}

# proxy_start UPSTREAM [--upstream-auth USER:PASSWORD]: the misbehaving
# proxy in $TMP/proxy (rules in $TMP/proxy/rules, requests in
# $TMP/proxy/log); sets PROXY=127.0.0.1:PORT.
proxy_start() {
	local up=$1
	shift
	mkdir -p "$TMP/proxy"
	env "$MARKER" timeout -k 5 "$REG_LIFETIME" \
		"$PY" "$HELPERS/registry-proxy.py" --dir "$TMP/proxy" --upstream "$up" "$@" \
		>"$TMP/proxy/out" 2>&1 </dev/null 3>&- &
	reg_wait_file "$TMP/proxy/port" || { cat "$TMP/proxy/out" >&2; return 1; }
	PROXY=127.0.0.1:$(cat "$TMP/proxy/port")
}

# proxy_rules JSON: what the proxy does from now on.
proxy_rules() {
	echo "$1" >"$TMP/proxy/rules.tmp"
	mv "$TMP/proxy/rules.tmp" "$TMP/proxy/rules"
}

# proxy_log_count JQ-FILTER: how many logged requests match.
proxy_log_count() {
	[ -f "$TMP/proxy/log" ] || { echo 0; return; }
	jq -s "[.[] | select($1)] | length" "$TMP/proxy/log"
}

# reg_blob_file REGDIR DIGEST: where the registry keeps a blob.
reg_blob_file() {
	local hex=${2#sha256:}
	echo "$1/data/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
}

# unique_image DIR TAG N KIB: an OCI layout whose image TAG is busybox plus N
# layers of random data (its own: no other test shares them).
unique_image() {
	"$MKIMAGE" multi "$1" "$2" "$3" "$4" >/dev/null
}

# assert_no_image: the store has no image record.
assert_no_image() {
	run_cabin images -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}
