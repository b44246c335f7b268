#!/usr/bin/env bats
# cabin info, cabin version, --help on every command, bash completion.

load cabin_helpers

@test "info: counts, storage, cgroups, runtime, network, roots; --format json and templates" {
	import_busybox
	cabin create busybox true >/dev/null
	run_d busybox sleep 1000 >/dev/null
	run_cabin info
	[ "$status" -eq 0 ]
	[[ $output == *"Containers: 2"*"Running: 1"*"Stopped: 1"* ]]
	[[ $output == *"Images: 1"* ]]
	[[ $output == *"Storage Driver: overlay"* ]]
	[[ $output == *"Cgroup Version: "* ]]
	[[ $output == *"Cabin Root Dir: $CROOT"* ]]
	[[ $output == *"Cabin Run Root: $CRUN"* ]]
	run_cabin info --format json
	[ "$(jq -r .ContainersRunning <<<"$output")" = 1 ]
	[ "$(jq -r .Driver <<<"$output")" = overlay ]
	[ -x "$(jq -r .MonitorBinary <<<"$output")" ]
	[ -x "$(jq -r .InitBinary <<<"$output")" ]
	case $(jq -r .CgroupLayout <<<"$output") in v1 | v2 | hybrid) ;; *) false ;; esac
	[ "$(cabin info -f '{{.Images}}')" = 1 ]
	[ "$(cabin system info -f '{{.Driver}}')" = overlay ]
	[ "$(cabin --storage-driver vfs info -f '{{.Driver}}')" = vfs ]
	cabin rm -f $(cabin ps -aq) >/dev/null
}

@test "version: text, json; -v and --version" {
	run_cabin version
	[[ ${lines[0]} =~ ^cabin\ version\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	[[ $output == *"OCI runtime spec: "* ]]
	[ "$(cabin version --format json | jq -r .Version)" = "$(cabin version -f '{{.Version}}')" ]
	[ "$(cabin --version | head -1)" = "${lines[0]}" ]
	[ "$(cabin -v | head -1)" = "${lines[0]}" ]
}

@test "--help on every command and subcommand: a docker-like usage line, exit 0" {
	run_cabin --help
	cmds=$(awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }' <<<"$output")
	[ "$(wc -w <<<"$cmds")" -ge 25 ]
	for c in $cmds; do
		run_cabin "$c" --help
		[ "$status" -eq 0 ] || { echo "$c --help: $status"; false; }
		[[ ${lines[0]} == "Usage:"*"cabin $c"* ]] || { echo "$c: ${lines[0]}"; false; }
	done
	for g in container image system; do
		run_cabin "$g" --help
		subs=$(awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }' <<<"$output")
		for s in $subs; do
			run_cabin "$g" "$s" --help
			[ "$status" -eq 0 ] || { echo "$g $s --help: $status"; false; }
			[[ ${lines[0]} == "Usage:"* ]]
		done
	done
	# run's flags, as docker spells them
	run_cabin run --help
	for f in -i -t -d --rm --name -e --env-file -w -u --entrypoint --hostname --read-only \
		--memory --memory-swap --cpus --cpu-shares --cpuset-cpus --pids-limit --ulimit \
		--cap-add --cap-drop --privileged --security-opt --init --restart --label \
		--stop-signal --stop-timeout --shm-size --pull --network --detach-keys --sig-proxy \
		-p --publish -P --publish-all --ip --dns --dns-search --dns-option --add-host \
		--network-alias -v --volume --mount --tmpfs; do
		grep -qE -- "(^|[ ,])$f([ ,=]|$)" <<<"$output" || { echo "run --help lacks $f"; false; }
	done
	run_cabin nosuchcommand
	[ "$status" -ne 0 ]
}

@test "bash completion: commands, flags, container names" {
	comp=$REPO/contrib/completion/cabin.bash
	[ -f "$comp" ]
	import_busybox
	cabin create --name complete-me busybox true >/dev/null
	run bash -c "
		cabin() { '$CABIN' --root '$CROOT' --runroot '$CRUN' \"\$@\"; }
		source '$comp'
		COMP_WORDS=(cabin ru); COMP_CWORD=1; _cabin; echo \"\${COMPREPLY[*]}\"
		COMP_WORDS=(cabin run --mem); COMP_CWORD=2; _cabin; echo \"\${COMPREPLY[*]}\"
		COMP_WORDS=(cabin rm comp); COMP_CWORD=2; _cabin; echo \"\${COMPREPLY[*]}\"
		COMP_WORDS=(cabin container pr); COMP_CWORD=2; _cabin; echo \"\${COMPREPLY[*]}\"
		COMP_WORDS=(cabin run --restart on); COMP_CWORD=3; _cabin; echo \"\${COMPREPLY[*]}\"
	"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = run ]
	[[ ${lines[1]} == *--memory* && ${lines[1]} == *--memory-swap* ]]
	[ "${lines[2]}" = complete-me ]
	[[ ${lines[3]} == *prune* ]]
	[ "${lines[4]}" = on-failure ]
}
