# bash completion for cabin (installed by `make install` into
# share/bash-completion/completions/cabin).
#
# Commands and their subcommands come from `cabin --help` and `cabin GROUP
# --help`, each command's flags from `cabin COMMAND --help`, so they follow
# the binary; container names from `cabin ps -a`, images from `cabin images`.
# The global --root/--runroot given on the line are passed on.

_cabin_globals() {
	local i w
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--root | --runroot | --storage-driver)
			printf '%s %s ' "$w" "${COMP_WORDS[i + 1]}"
			((i++))
			;;
		--root=* | --runroot=* | --storage-driver=*) printf '%s ' "$w" ;;
		esac
	done
}

# The words of the "Commands:" part of a help text.
_cabin_commands() {
	cabin $(_cabin_globals) "$@" --help 2>/dev/null |
		awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }'
}

_cabin_flags() {
	cabin $(_cabin_globals) "$@" --help 2>/dev/null | grep -oE -- '--[a-z][a-z-]*' | sort -u
}

_cabin_containers() {
	cabin $(_cabin_globals) ps -a --format '{{.Names}}' 2>/dev/null
}

_cabin_networks() {
	cabin $(_cabin_globals) network ls 2>/dev/null | awk 'NR > 1 { print $2 }'
}

_cabin_volumes() {
	cabin $(_cabin_globals) volume ls -q 2>/dev/null
}

_cabin_images() {
	cabin $(_cabin_globals) images --format json 2>/dev/null |
		grep -oE '"RepoTags":\[[^]]*\]' | grep -oE '"[^"]+"' | tr -d '"' | grep -v RepoTags
}

_cabin() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local i w cmd="" sub="" group=""
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--root | --runroot | --storage-driver | --storage-opt | -l | --log-level) ((i++)) ;;
		-*) ;;
		*)
			if [ -z "$cmd" ]; then
				cmd=$w
			elif [ -z "$sub" ] && { [ "$cmd" = container ] || [ "$cmd" = image ] || [ "$cmd" = system ] || [ "$cmd" = network ] || [ "$cmd" = volume ]; }; then
				sub=$w
			fi
			;;
		esac
	done
	case $prev in
	--root | --runroot | --env-file | --label-file | -w | --workdir)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--restart) COMPREPLY=($(compgen -W "no on-failure always unless-stopped" -- "$cur")); return ;;
	--network) COMPREPLY=($(compgen -W "bridge none host $(_cabin_networks)" -- "$cur")); return ;;
	-v | --volume) COMPREPLY=($(compgen -W "$(_cabin_volumes | sed 's/$/:/')" -- "$cur") $(compgen -f -- "$cur")); return ;;
	--pull) COMPREPLY=($(compgen -W "missing always never" -- "$cur")); return ;;
	--storage-driver) COMPREPLY=($(compgen -W "overlay vfs" -- "$cur")); return ;;
	esac
	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$(_cabin_flags)" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_cabin_commands)" -- "$cur"))
		fi
		return
	fi
	if [ "$cmd" = container ] || [ "$cmd" = image ] || [ "$cmd" = system ] || [ "$cmd" = network ] || [ "$cmd" = volume ]; then
		group=$cmd
		if [ -z "$sub" ]; then
			COMPREPLY=($(compgen -W "$(_cabin_commands "$group")" -- "$cur"))
			return
		fi
		cmd=$sub
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_cabin_flags $group "$cmd")" -- "$cur"))
		return
	fi
	case $group in
	network) [ "$cmd" = create ] || COMPREPLY=($(compgen -W "$(_cabin_networks)" -- "$cur")); return ;;
	volume) [ "$cmd" = create ] || COMPREPLY=($(compgen -W "$(_cabin_volumes)" -- "$cur")); return ;;
	esac
	case $cmd in
	run | create) COMPREPLY=($(compgen -W "$(_cabin_images)" -- "$cur")) ;;
	rmi | tag | save | history) COMPREPLY=($(compgen -W "$(_cabin_images)" -- "$cur")) ;;
	inspect) COMPREPLY=($(compgen -W "$(_cabin_containers) $(_cabin_images)" -- "$cur")) ;;
	cp) COMPREPLY=($(compgen -W "$(_cabin_containers | sed 's/$/:/')" -- "$cur") $(compgen -f -- "$cur")) ;;
	attach | exec | kill | logs | pause | port | unpause | rename | restart | rm | start | stats | stop | top | wait | ls | ps)
		COMPREPLY=($(compgen -W "$(_cabin_containers)" -- "$cur"))
		;;
	load | import) COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
}

complete -F _cabin cabin
