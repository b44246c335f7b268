#!/usr/bin/env bats
# Terminals and attaching: cabin run -it driven through tmux (a prompt,
# Ctrl-C, the exit status), the detach keys (Ctrl-P Ctrl-Q) and cabin
# attach; attach without a terminal.

load cabin_helpers

# tmux_start CMD: a tmux server of this test running CMD (a shell line) in
# an 80x24 window; teardown stops it.
tmux_start() {
	command -v tmux >/dev/null || skip "no tmux"
	# a new server each time: one just killed may still hold its socket
	TMUX_N=$((${TMUX_N:-0} + 1))
	TSOCK=$TMP/tmux$TMUX_N.sock
	tmux -S "$TSOCK" new-session -d -x 80 -y 24 "$1; echo status=\$?; sleep 1000"
}

# screen_has TEXT: the pane shows TEXT
screen_has() {
	tmux -S "$TSOCK" capture-pane -p | grep -qF -- "$1"
}

cabin_line() {
	printf "env '%s' '%s' --root '%s' --runroot '%s'" "$MARKER" "$CABIN" "$CROOT" "$CRUN"
}

@test "run -it: a prompt, line editing and Ctrl-C are the container's; the exit status comes back" {
	import_busybox
	tmux_start "$(cabin_line) run -it --rm --name tty busybox sh"
	wait_for screen_has "/ #"
	tmux -S "$TSOCK" send-keys 'echo $((6 * 7))' Enter
	wait_for screen_has 42
	# Ctrl-C stops the sleep, not cabin
	tmux -S "$TSOCK" send-keys 'sleep 1000' Enter
	wait_for cabin exec tty pidof sleep
	tmux -S "$TSOCK" send-keys C-c
	tmux -S "$TSOCK" send-keys 'echo after-$?' Enter
	wait_for screen_has after-130
	# the terminal's size is the container's
	tmux -S "$TSOCK" send-keys 'stty size' Enter
	wait_for screen_has "24 80"
	tmux -S "$TSOCK" send-keys 'exit 3' Enter
	wait_for screen_has status=3
	wait_for eval '[ -z "$(cabin ps -aq)" ]'
	assert_store_clean
}

@test "detach keys (Ctrl-P Ctrl-Q) leave it running; attach comes back to it; --detach-keys" {
	import_busybox
	tmux_start "$(cabin_line) run -it --name bg busybox sh"
	wait_for screen_has "/ #"
	tmux -S "$TSOCK" send-keys 'echo before' Enter
	wait_for screen_has before
	tmux -S "$TSOCK" send-keys C-p C-q
	wait_for screen_has status=0
	[ "$(cstate bg Status)" = running ]
	tmux -S "$TSOCK" kill-server
	# attach again, with other detach keys
	tmux_start "$(cabin_line) attach --detach-keys ctrl-a,x bg"
	tmux -S "$TSOCK" send-keys 'echo again' Enter
	wait_for screen_has again
	tmux -S "$TSOCK" send-keys C-a x
	wait_for screen_has status=0
	[ "$(cstate bg Status)" = running ]
	tmux -S "$TSOCK" kill-server
	# and once more: this time exit the shell, attach ends with its status
	tmux_start "$(cabin_line) attach bg"
	tmux -S "$TSOCK" send-keys 'exit 4' Enter
	wait_for screen_has status=4
	wait_for is_status bg exited
	[ "$(cstate bg ExitCode)" = 4 ]
	run_cabin attach bg
	[ "$status" -ne 0 ]
	[[ $output == *"it is exited"* ]]
	run_cabin run --rm -t --detach-keys ctrl-9 busybox true
	[ "$status" -ne 0 ]
	assert_store_clean
}

@test "attach without a terminal: output from now on, stdin with -i containers, the exit status" {
	import_busybox
	run_d -i --name cat busybox sh -c 'while read l; do [ "$l" = quit ] && exit 5; echo "got $l"; done; echo eof' >/dev/null
	# (bats' set -e reaches the coproc: its status is taken with ||)
	coproc ATT { s=0; env "$MARKER" "$CABIN" --root "$CROOT" --runroot "$CRUN" attach cat 2>&1 || s=$?; echo "status=$s"; }
	# our own copies: bash drops a coproc's fds once it ends
	exec {IN}>&"${ATT[1]}" {OUT}<&"${ATT[0]}"
	echo hello >&"$IN"
	read -r -t 20 line <&"$OUT"
	[ "$line" = "got hello" ]
	# an attached client's end of input is not the container's (it was made
	# with -d): it keeps running, and the client stays attached
	exec {ATT[1]}>&- {IN}>&-
	sleep 0.5
	[ "$(cstate cat Status)" = running ]
	# a second attach sees only what comes from now on; both get the status
	run bash -c "echo quit | timeout 60 env $MARKER '$CABIN' --root '$CROOT' --runroot '$CRUN' attach cat"
	[ "$status" -eq 5 ]
	[[ $output != *"got hello"* ]]
	read -r -t 20 line <&"$OUT"
	[ "$line" = status=5 ]
	wait_for is_status cat exited
	[ "$(cabin logs cat)" = "got hello" ]
	run_cabin attach cat
	[ "$status" -ne 0 ]
	assert_store_clean
}

@test "run -i without a terminal: stdin's end is the container's end of stdin" {
	import_busybox
	run bash -c "printf 'a\nb\n' | timeout 60 env $MARKER '$CABIN' --root '$CROOT' --runroot '$CRUN' run -i --rm busybox sh -c 'cat; echo done'"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\nb\ndone')" ]
	assert_store_clean
}
