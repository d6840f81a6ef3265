#!/usr/bin/env bats
# mailx composing: the command escapes, dead.letter, the ask variables,
# interrupts at a terminal, editors, and the edit/visual commands.
# Mail goes to a sendmail stub that appends its arguments ("ARGS ...")
# and the message to $HOME/sent.

load helper
bats_require_minimum_version 1.5.0

setup() {
	instance 'local_recipient_maps = static:any'
	export TZ=UTC HOME=$BATS_TEST_TMPDIR/home COLUMNS=100 MAILRC=/dev/null
	unset MBOX PAGER LINES DEAD EDITOR VISUAL
	mkdir -p "$HOME"
	printf '#!/bin/sh\necho "ARGS $*" >>"%s"\ncat >>"%s"\n' \
		"$HOME/sent" "$HOME/sent" >"$HOME/sm"
	chmod +x "$HOME/sm"
	echo "sendmail_path = $HOME/sm" >>"$INST/etc/main.cf"
	BOX=$HOME/box
	cat >"$BOX" <<'MBOX'
From alice@example.org Tue Nov 14 22:13:20 2023
From: Alice <alice@example.org>
To: any@localhost
Subject: first
Message-ID: <one@example.org>

Hello.
>From the quoted line

From bob@example.org Wed Nov 15 10:00:00 2023
From: bob@example.org
Subject: second
Status: O

Body two.

MBOX
	cp "$BOX" "$HOME/orig"
}

teardown() {
	if [ -n "${TMUX_SOCK:-}" ]; then
		tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true
	fi
}

# editor NAME SCRIPT - an editor: a shell script run as NAME "$@"
editor() {
	printf '#!/bin/sh\n%s\n' "$2" >"$HOME/$1"
	chmod +x "$HOME/$1"
}

# tx_start ARGS... - mailx ARGS in a 120x40 terminal, run from $HOME
tx_start() {
	TMUX_SOCK=$BATS_TEST_TMPDIR/tmux.sock
	tmux -S "$TMUX_SOCK" new-session -d -x 120 -y 40 \
		"cd '$HOME' && env HOME='$HOME' MAIL_CONFIG='$MAIL_CONFIG' MAILRC='${MAILRC}' TZ=UTC PATH='$PATH' ${TX_ENV:-} mailx $*; echo mailx-exited-\$?; sleep 30"
}

# tx_wait REGEX [COUNT] - wait until the screen holds COUNT (1) lines
# matching REGEX; print the screen and fail after about 10 s
tx_wait() {
	for _ in $(seq 500); do
		[ "$(tmux -S "$TMUX_SOCK" capture-pane -p -J -S - |
			grep -Ec -- "$1")" -ge "${2:-1}" ] && return 0
		sleep 0.02
	done
	tmux -S "$TMUX_SOCK" capture-pane -p -J -S -
	return 1
}

# tx_type TEXT - type a line
tx_type() {
	tmux -S "$TMUX_SOCK" send-keys -l -- "$1" \; send-keys Enter
}

@test "~t ~c ~b ~s add to the header, ~i ~a ~A insert variables" {
	printf 'set sign=--sig Sign=--SIG greeting=hi\n' >"$HOME/rc"
	MAILRC=$HOME/rc mailx -~ -s first a@x.test <<'IN'
body
~t b@x.test, c@x.test
~c d@x.test
~b e@x.test
~s Second thoughts
~i greeting
~a
~A
~~literal tilde
IN
	[ "$(grep -c ^ARGS "$HOME/sent")" -eq 1 ]
	grep -q '^ARGS -i -- a@x.test b@x.test c@x.test d@x.test e@x.test$' "$HOME/sent"
	grep -q '^To: a@x.test, b@x.test, c@x.test$' "$HOME/sent"
	grep -q '^Cc: d@x.test$' "$HOME/sent"
	run ! grep -qi '^Bcc:' "$HOME/sent"
	grep -q '^Subject: Second thoughts$' "$HOME/sent"
	[ "$(sed -n '/^$/,$p' "$HOME/sent" | tail -n +2)" = \
		"$(printf 'body\nhi\n--sig\n--SIG\n~literal tilde')" ]
}

@test "~r, ~< and ~<! read in; ~w writes a new file only; ~| filters" {
	echo 'from a file' >"$HOME/f"
	echo old >"$HOME/exists"
	run mailx -~ -s s a@x.test <<IN
one
~r $HOME/f
~< ~/f
~<!echo from a command
~w $HOME/w
~w $HOME/exists
~| tr a-z A-Z
~| false
~| true
IN
	[ "$status" -eq 0 ]
	[[ "$output" == *"\"$HOME/f\" 12 bytes"* ]]
	[[ "$output" == *"$HOME/exists: File exists"* ]]
	[[ "$output" == *'false: exit status 1; message unchanged'* ]]
	[[ "$output" == *'true: no output; message unchanged'* ]]
	[ "$(cat "$HOME/exists")" = old ]
	[ "$(cat "$HOME/w")" = "$(printf 'one\nfrom a file\nfrom a file\nfrom a command')" ]
	[ "$(sed -n '/^$/,$p' "$HOME/sent" | tail -n +2)" = \
		"$(printf 'ONE\nFROM A FILE\nFROM A FILE\nFROM A COMMAND')" ]
}

@test "~e and ~v run EDITOR and VISUAL without a shell, the file last" {
	editor ed.sh 'printf "%s|" "$@" >"$HOME/ed-args"; echo edited >>"$2"'
	editor vi.sh 'sed -i s/edited/visual/ "$1"'
	EDITOR="$HOME/ed.sh --flag;touch\$IFS$HOME/pwned" VISUAL=$HOME/vi.sh \
		mailx -~ -s s a@x.test <<'IN'
typed
~e
~v
IN
	[ ! -e "$HOME/pwned" ]
	[[ "$(cat "$HOME/ed-args")" == '--flag;touch$IFS'*'/pwned|/tmp/mailx-edit.'*'|' ]]
	[ "$(sed -n '/^$/,$p' "$HOME/sent" | tail -n +2)" = "$(printf 'typed\nvisual')" ]
	# The temporary file is gone.
	[ ! -e "$(cut -d'|' -f2 "$HOME/ed-args")" ]
}

@test "~h from a pipe: an answer replaces a field, an empty one keeps it" {
	mailx -~ -s old a@x.test <<'IN'
~h
b@x.test

c@x.test
d@x.test
text
IN
	grep -q '^ARGS -i -- b@x.test c@x.test d@x.test$' "$HOME/sent"
	grep -q '^Subject: old$' "$HOME/sent"
	grep -q '^Cc: c@x.test$' "$HOME/sent"
}

@test "~p shows the draft, ~? the escapes; an unknown one complains" {
	run mailx -~ -s subj -c c@x.test a@x.test <<'IN'
line
~p
~?
~z
~x
IN
	[ "$status" -eq 0 ]
	[[ "$output" == *$'Message contains:\nTo: a@x.test\nCc: c@x.test\nSubject: subj\n\nline\n(continue)'* ]]
	[[ "$output" == *"~h           ask for To, Subject, Cc, Bcc"* ]]
	[[ "$output" == *'unknown command escape ~z'* ]]
	[ ! -e "$HOME/sent" ]
}

@test "~q keeps the body in dead.letter (0600), ~x and nosave do not; ~d reads it" {
	run mailx -~ -s s a@x.test <<<$'lost words\n~q'
	[ "$status" -eq 0 ]
	[ ! -e "$HOME/sent" ]
	[ "$(cat "$HOME/dead.letter")" = 'lost words' ]
	[ "$(stat -c %a "$HOME/dead.letter")" = 600 ]
	printf 'other\n~x\n' | mailx -~ -s s a@x.test
	[ "$(cat "$HOME/dead.letter")" = 'lost words' ]
	printf 'set nosave\n' >"$HOME/rc"
	printf 'other\n~q\n' | MAILRC=$HOME/rc mailx -~ -s s a@x.test
	[ "$(cat "$HOME/dead.letter")" = 'lost words' ]
	printf 'first\n~d\n' | mailx -~ -s s a@x.test
	[ "$(sed -n '/^$/,$p' "$HOME/sent" | tail -n +2)" = "$(printf 'first\nlost words')" ]
	# DEAD, from the environment or a variable, names another file.
	printf 'x\n~q\n' | DEAD=$HOME/dl1 mailx -~ -s s a@x.test
	[ "$(cat "$HOME/dl1")" = x ]
	printf 'set DEAD=+dl2 folder=%s\n' "$HOME" >"$HOME/rc"
	printf 'y\n~q\n' | MAILRC=$HOME/rc mailx -~ -s s a@x.test
	[ "$(cat "$HOME/dl2")" = y ]
}

@test "a failed sendmail keeps the body in dead.letter" {
	printf '#!/bin/sh\ncat >/dev/null\nexit 75\n' >"$HOME/sm"
	run mailx -s s a@x.test <<<'not delivered'
	[ "$status" -eq 75 ]
	[ "$(cat "$HOME/dead.letter")" = 'not delivered' ]
}

@test "dot ends a message at a lone '.'; escape changes the escape character" {
	printf 'set dot escape=!\n' >"$HOME/rc"
	MAILRC=$HOME/rc mailx -~ a@x.test <<'IN'
!s via bang
~not an escape
!!doubled
.
after the dot
IN
	grep -q '^Subject: via bang$' "$HOME/sent"
	grep -q '^~not an escape$' "$HOME/sent"
	grep -q '^!doubled$' "$HOME/sent"
	run ! grep -q 'after the dot' "$HOME/sent"
}

@test "~m ~M ~f ~F insert messages when reading; ~: runs a command" {
	mailx -~ -N -f "$BOX" <<'IN'
ignore message-id
set indentprefix="> "
m a@x.test
~m 1
~f 2
~M 1
~: echo from a command
~_ =
~.
x
IN
	body=$(sed -n '/^$/,$p' "$HOME/sent" | tail -n +2)
	[[ "$body" == *$'> From: Alice <alice@example.org>\n> To: any@localhost\n> Subject: first\n\n> Hello.\n> From the quoted line\n'* ]]
	[[ "$body" == *$'\nFrom: bob@example.org\nSubject: second\nStatus: O\n\nBody two.\n'* ]]
	[[ "$body" == *'> Message-ID: <one@example.org>'* ]]
	[ "$(grep -c 'Message-ID: <one' <<<"$body")" -eq 1 ]
	run mailx -~ -s s a@x.test <<<$'~m 1\n~: p\n~x'
	[[ "$output" == *'~m: only when reading mail'* ]]
	[[ "$output" == *'~:: only when reading mail'* ]]
	# Indented with a tab by default; the "From " line is not inserted.
	rm "$HOME/sent"
	printf 'm a@x.test\n~m 2\n~.\nx\n' | mailx -~ -N -f "$BOX" >/dev/null
	grep -q $'^\tBody two\\.$' "$HOME/sent"
	run ! grep -q '^.From bob@example.org Wed' "$HOME/sent"
}

@test "record keeps a copy of each message sent; followup records by author" {
	printf 'set record=+outbox folder=%s\n' "$HOME/mail" >"$HOME/rc"
	mkdir "$HOME/mail"
	MAILRC=$HOME/rc mailx -s kept a@x.test <<<'recorded body'
	python3 - "$HOME/mail/outbox" <<'PY'
import mailbox, sys
m = list(mailbox.mbox(sys.argv[1]))
assert len(m) == 1 and m[0]["Subject"] == "kept", m
assert m[0].get_payload() == "recorded body\n"
PY
	cd "$HOME"
	printf 'followup 2\nthanks bob\n~.\nx\n' | mailx -~ -N -f "$BOX"
	grep -q '^thanks bob$' "$HOME/bob"
	grep -q '^ARGS -i -- bob@example.org$' "$HOME/sent"
}

@test "edit: the message changes, quit writes it back; exit and -R do not" {
	editor ed.sh 'sed -i "s/^Body two\./Edited body.\nFrom a new line/" "$1"'
	run env EDITOR="$HOME/ed.sh" mailx -N -f "$BOX" <<<$'e 2\np 2\nx'
	[[ "$output" == *$'Edited body.\nFrom a new line'* ]]
	cmp "$BOX" "$HOME/orig"
	EDITOR="$HOME/ed.sh" mailx -N -R -f "$BOX" <<<$'e 2\nq' >/dev/null
	cmp "$BOX" "$HOME/orig"
	EDITOR="$HOME/ed.sh" mailx -N -f "$BOX" <<<$'e 2\nq' >/dev/null
	python3 - "$BOX" <<'PY'
import mailbox, sys
m = list(mailbox.mbox(sys.argv[1]))
assert len(m) == 2, len(m)
assert m[0].get_payload() == "Hello.\n>From the quoted line\n"
assert m[1].get_payload() == "Edited body.\n>From a new line\n", m[1].get_payload()
assert m[1]["Status"] == "RO", m[1]["Status"]
PY
	# The new "From " line in the body is quoted in the file.
	grep -q '^>From a new line$' "$BOX"
	[ "$(grep -c '^From ' "$BOX")" -eq 2 ]
}

@test "visual uses VISUAL; an editor that fails changes nothing" {
	editor vi.sh 'sed -i s/Hello/Howdy/ "$1"'
	editor bad.sh 'echo junk >"$1"; exit 3'
	run env VISUAL="$HOME/vi.sh" EDITOR="$HOME/bad.sh" mailx -N -f "$BOX" <<<$'v 1\ne 2\np 1 2\nq'
	[[ "$output" == *'exit status 3; nothing changed'* ]]
	[[ "$output" == *Howdy* ]]
	[[ "$output" == *'Body two.'* ]]
	grep -q '^Howdy\.$' "$BOX"
	grep -q '^Body two\.$' "$BOX"
}

@test "terminal: one interrupt warns, a second in a row kills the letter" {
	tx_start a@x.test
	tx_wait '^Subject: $'
	tx_type 'subj'
	# Each line echoed before the interrupt, which would flush typed
	# input the program has not read yet.
	tx_wait '^subj$|^Subject: subj$'
	tx_type 'partial body'
	tx_wait '^partial body$'
	tmux -S "$TMUX_SOCK" send-keys C-c
	tx_wait '^\(Interrupt -- one more to kill letter\)$'
	tx_type 'more'
	tx_wait '^more$'
	tmux -S "$TMUX_SOCK" send-keys C-c
	tx_wait '^\(Interrupt -- one more to kill letter\)$' 2
	tmux -S "$TMUX_SOCK" send-keys C-c
	tx_wait 'dead.letter" 18 bytes'
	tx_wait '^mailx-exited-0$'
	[ "$(cat "$HOME/dead.letter")" = "$(printf 'partial body\nmore')" ]
	[ ! -e "$HOME/sent" ]
}

@test "terminal: ^C at the prompt and in a message; ^D ends the message" {
	tx_start -N -f "$BOX"
	tx_wait '^\? $'
	tmux -S "$TMUX_SOCK" send-keys C-c
	tx_wait '^\? \^C$'
	tx_type '='
	tx_wait '^1$'
	tx_type 'm a@x.test'
	tx_wait '^Subject: $'
	tx_type 'killed'
	tx_type 'words'
	tmux -S "$TMUX_SOCK" send-keys C-c
	tx_wait 'one more to kill letter'
	tmux -S "$TMUX_SOCK" send-keys C-c
	tx_wait 'dead.letter" 6 bytes'
	tx_type 'm b@x.test'
	tx_wait '^Subject: ' 2
	tx_type 'sent'
	tx_type 'by eof'
	tmux -S "$TMUX_SOCK" send-keys C-d
	tx_wait '^EOT$'
	tx_type '='
	tx_wait '^1$' 2
	tx_type 'x'
	tx_wait '^mailx-exited-0$'
	[ "$(cat "$HOME/dead.letter")" = words ]
	[ "$(grep -c ^ARGS "$HOME/sent")" -eq 1 ]
	grep -q '^ARGS -i -- b@x.test$' "$HOME/sent"
	grep -q '^Subject: sent$' "$HOME/sent"
	grep -q '^by eof$' "$HOME/sent"
}

@test "terminal: ~h and askcc/askbcc offer the fields to edit; -i ignores ^C" {
	printf 'set askcc askbcc\n' >"$HOME/rc"
	MAILRC=$HOME/rc tx_start -N -i -f "$BOX"
	tx_wait '^\? $'
	tx_type 'r 1'
	tx_wait '^Subject: Re: first$'
	tmux -S "$TMUX_SOCK" send-keys C-c
	tx_wait '@$'
	tx_type 'hi'
	tx_type '~h'
	tx_wait '^To: alice@example.org, any@localhost'
	tmux -S "$TMUX_SOCK" send-keys C-u
	tx_type 'alice@example.org'
	tx_wait '^Subject: Re: first' 2
	tmux -S "$TMUX_SOCK" send-keys C-u
	tx_type 'New subject'
	tx_wait '^Cc: '
	tx_type 'c1@x.test'
	tx_wait '^Bcc: '
	tx_type ''
	tx_type '~.'
	tx_wait '^Cc: c1@x.test'
	tx_type ', c2@x.test'
	tx_wait '^Bcc: ' 2
	tx_type 'b1@x.test'
	tx_wait '^EOT$'
	tx_type 'x'
	tx_wait '^mailx-exited-0$'
	grep -q '^ARGS -i -- alice@example.org c1@x.test c2@x.test b1@x.test$' "$HOME/sent"
	grep -q '^Subject: New subject$' "$HOME/sent"
	grep -q '^In-Reply-To: <one@example.org>$' "$HOME/sent"
	grep -q '^hi$' "$HOME/sent"
}

@test "terminal: asksub prompts; ~v runs VISUAL on the terminal" {
	editor vi.sh 'echo "tty: $(tty)" >>"$1"'
	TX_ENV="VISUAL=$HOME/vi.sh" tx_start a@x.test
	tx_wait '^Subject: $'
	tx_type 'Asked'
	tx_type 'typed'
	tx_type '~v'
	tx_wait '^\(continue\)$'
	tx_type '~.'
	tx_wait '^mailx-exited-0$'
	grep -q '^Subject: Asked$' "$HOME/sent"
	grep -q '^tty: /dev/pts/' "$HOME/sent"
}
