#!/usr/bin/env bats
# mailx: send mode end to end, receive mode commands through a pipe,
# mailbox state at quit/exit, new mail kept, terminal start-up.
# Time is pinned with PIPEMAIL_TIME; the mailbox is given with -f or $MAIL.

load helper
bats_require_minimum_version 1.5.0

setup() {
	instance 'local_recipient_maps = static:any'
	export TZ=UTC PIPEMAIL_TIME=1700000000 HOME=$BATS_TEST_TMPDIR/home
	export COLUMNS=80 MAILRC=/dev/null
	unset MBOX PAGER LINES
	mkdir -p "$HOME"
	MB=$INST/mail/any
	export MAIL=$MB
}

teardown() {
	if [ -n "${TMUX_SOCK:-}" ]; then
		tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true
	fi
}

# two_messages - a mailbox with a new and an unread message
two_messages() {
	cat >"$MB" <<'MBOX'
From alice@example.org Tue Nov 14 22:13:20 2023
From: Alice Example <alice@example.org>
To: any@localhost
Subject: =?UTF-8?B?SGVsbG8gd8O2cmxk?=

Hello.
>From the quoted line

From bob@example.org Wed Nov 15 10:00:00 2023
From: bob@example.org
Subject: second
Status: O

Body two.

MBOX
	cp "$MB" "$BATS_TEST_TMPDIR/orig"
}

@test "send mode: headers and body reach the mailbox through sendmail" {
	run mailx -s 'Test subject' -c cc@localhost any@localhost <<<'Hello there.'
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run queue-run -f
	[ "$status" -eq 0 ]
	grep -q '^Subject: Test subject$' "$MB"
	grep -q '^To: any@localhost$' "$MB"
	grep -q '^Cc: cc@localhost$' "$MB"
	grep -q '^Hello there\.$' "$MB"
	[ -s "$INST/mail/cc" ]
}

@test "send mode: Bcc gets a copy but no header; -r sets the sender" {
	run mailx -s s -b hidden@localhost -r boss@example.org any@localhost </dev/null
	[ "$status" -eq 0 ]
	queue-run -f
	[ -s "$INST/mail/hidden" ]
	run ! grep -qi '^bcc:' "$MB"
	grep -q '^From boss@example.org ' "$MB"
	grep -q '^From: boss@example.org$' "$MB"
}

@test "send mode: non-ASCII subject is RFC 2047 encoded, body labelled" {
	run mailx -s 'Grüße' any@localhost <<<'Schöne Grüße'
	[ "$status" -eq 0 ]
	queue-run -f
	grep -q '^Subject: =?UTF-8?B?R3LDvMOfZQ==?=$' "$MB"
	grep -q '^Content-Type: text/plain; charset=UTF-8$' "$MB"
}

@test "send mode: tilde escapes from a pipe with -~" {
	printf 'line one\n~s Changed\n~c cc@localhost\n~~tilde\n~.\nnot sent\n' |
		mailx -~ any@localhost
	queue-run -f
	grep -q '^Subject: Changed$' "$MB"
	grep -q '^~tilde$' "$MB"
	run ! grep -q 'not sent' "$MB"
	[ -s "$INST/mail/cc" ]
}

@test "send mode: piped text without -~ is sent as it is, escapes and all" {
	printf 'line one\n~s Changed\n~c cc@localhost\n~~tilde\n~.\nstill sent\n' |
		mailx -s kept any@localhost
	queue-run -f
	grep -q '^Subject: kept$' "$MB"
	[ "$(sed -n '/^$/,$p' "$MB" | sed -n '2,7p')" = \
		"$(printf 'line one\n~s Changed\n~c cc@localhost\n~~tilde\n~.\nstill sent')" ]
	[ ! -e "$INST/mail/cc" ]
}

@test "send mode: aliases from MAILRC expand" {
	echo 'alias team any@localhost cc@localhost' >"$HOME/rc"
	MAILRC=$HOME/rc mailx -s a team </dev/null
	queue-run -f
	[ -s "$MB" ]
	[ -s "$INST/mail/cc" ]
}

@test "send mode: sendmail's exit status is mailx's" {
	printf '#!/bin/sh\ncat >/dev/null\nexit 69\n' >"$BATS_TEST_TMPDIR/sm"
	chmod +x "$BATS_TEST_TMPDIR/sm"
	echo "sendmail_path = $BATS_TEST_TMPDIR/sm" >>"$INST/etc/main.cf"
	run mailx -s x any@localhost </dev/null
	[ "$status" -eq 69 ]
}

@test "send mode: sendmail gets -i and the recipients" {
	printf '#!/bin/sh\necho "$@" >%s/args\ncat >%s/msg\n' \
		"$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR" >"$BATS_TEST_TMPDIR/sm"
	chmod +x "$BATS_TEST_TMPDIR/sm"
	echo "sendmail_path = $BATS_TEST_TMPDIR/sm" >>"$INST/etc/main.cf"
	run mailx -s 'S' -r 'Me <me@x.test>' 'A <a@x.test>' b@x.test <<<'body'
	[ "$status" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/args")" = "-i -f me@x.test -- a@x.test b@x.test" ]
	printf 'From: Me <me@x.test>\nTo: A <a@x.test>, b@x.test\nSubject: S\n\nbody\n' \
		>"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/msg" "$BATS_TEST_TMPDIR/want"
}

@test "usage: options without recipients, unknown flag: exit 64" {
	run -64 mailx -s subject
	[[ "$output" == *usage:* ]]
	run -64 mailx -Z
	[[ "$output" == *usage:* ]]
}

@test "-e: 0 with mail, 1 without, silent" {
	run mailx -e
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	two_messages
	run mailx -e
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "-H prints exactly one summary line per message" {
	two_messages
	run mailx -H
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '>N   1 Alice Example         Tue Nov 14 22:13    8/175   Hello wörld' ]
	[ "${lines[1]}" = ' U   2 bob@example.org       Wed Nov 15 10:00    7/106   second' ]
	[ "${#lines[@]}" -eq 2 ]
	cmp "$MB" "$BATS_TEST_TMPDIR/orig"
}

@test "no mail: message and status 1" {
	run mailx
	[ "$status" -eq 1 ]
	[ "$output" = "No mail for $(id -un)" ]
}

@test "start-up summary, print with headers decoded and From unquoted" {
	two_messages
	run mailx <<<'p 1
x'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "\"$MB\": 2 messages 1 new 1 unread" ]
	[ "${lines[3]}" = 'Message 1:' ]
	[ "${lines[4]}" = 'From alice@example.org Tue Nov 14 22:13:20 2023' ]
	[[ "$output" == *'Subject: Hello wörld'* ]]
	[[ "$output" == *$'\nFrom the quoted line'* ]]
	cmp "$MB" "$BATS_TEST_TMPDIR/orig"
}

@test "-N: no summary; ignore and retain filter print, not Print" {
	two_messages
	run mailx -N <<<'ignore to subject
p 1
P 1
retain subject
t 2
x'
	[ "$status" -eq 0 ]
	[ "$(grep -c '^Subject:' <<<"$output")" -eq 2 ]
	[ "$(grep -c '^To:' <<<"$output")" -eq 1 ]
	[[ "$output" != *'From: bob'* ]]
}

@test "quit: read mail moves to mbox, the rest stays with Status O" {
	two_messages
	run mailx -N <<<'p 1
q'
	[ "$status" -eq 0 ]
	[[ "$output" == *"Saved 1 message in $HOME/mbox"* ]]
	[[ "$output" == *"Held 1 message in $MB"* ]]
	cat >"$BATS_TEST_TMPDIR/want" <<'W'
From bob@example.org Wed Nov 15 10:00:00 2023
From: bob@example.org
Subject: second
Status: O

Body two.

W
	cmp "$MB" "$BATS_TEST_TMPDIR/want"
	cat >"$BATS_TEST_TMPDIR/want" <<'W'
From alice@example.org Tue Nov 14 22:13:20 2023
From: Alice Example <alice@example.org>
To: any@localhost
Subject: =?UTF-8?B?SGVsbG8gd8O2cmxk?=
Status: RO

Hello.
>From the quoted line

W
	cmp "$HOME/mbox" "$BATS_TEST_TMPDIR/want"
}

@test "quit with hold: read mail stays, marked RO; unread marked O" {
	two_messages
	printf 'From c@x Thu Nov 16 10:00:00 2023\nSubject: third\n\nC\n\n' >>"$MB"
	mailx -N <<<'set hold
p 1
q' >/dev/null
	[ ! -e "$HOME/mbox" ]
	[ "$(grep -c '^From ' "$MB")" -eq 3 ]
	[ "$(sed -n 5p "$MB")" = 'Status: RO' ]
	grep -q '^Status: O$' "$MB"
	[ "$(grep -c '^Status: O$' "$MB")" -eq 2 ]
}

@test "exit leaves the mailbox byte for byte; so does -R quit" {
	two_messages
	mailx -N <<<'p 1
d 2
x' >/dev/null
	cmp "$MB" "$BATS_TEST_TMPDIR/orig"
	mailx -N -R <<<'d *
q' >/dev/null
	cmp "$MB" "$BATS_TEST_TMPDIR/orig"
}

@test "delete, undelete, dp; deleted messages go at quit" {
	two_messages
	printf 'From c@x Thu Nov 16 10:00:00 2023\nSubject: third\n\nC\n\n' >>"$MB"
	run mailx -N <<<'d 1
u 1
d 1 3
f *
q'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '>U   2 bob@example.org       Wed Nov 15 10:00    7/106   second' ]
	[ "$(grep -c '^From ' "$MB")" -eq 1 ]
	grep -q '^Subject: second$' "$MB"
}

@test "save and write to files; saved mail leaves the mailbox" {
	two_messages
	run mailx -N <<<"s 1 $HOME/saved
w 2 $HOME/body
q"
	[ "$status" -eq 0 ]
	[[ "$output" == *"\"$HOME/saved\" 186 bytes"* ]]
	[ "$(grep -c '^From ' "$HOME/saved")" -eq 1 ]
	grep -q '^Status: RO$' "$HOME/saved"
	[ "$(cat "$HOME/body")" = 'Body two.' ]
	# Both count as saved: the mailbox is left empty, not removed.
	[ -e "$MB" ] && [ ! -s "$MB" ]
	[ ! -e "$HOME/mbox" ]
}

@test "message lists: ranges, \$, :n, :u, /subject, sender" {
	two_messages
	printf 'From c@x Thu Nov 16 10:00:00 2023\nFrom: carol@x\nSubject: third\nStatus: RO\n\nC\n\n' >>"$MB"
	run mailx -N <<<'f 9
x'
	[[ "$output" == *'9: Invalid message number'* ]]
	want=' U   2 bob@example.org       Wed Nov 15 10:00    7/106   second
     3 carol@x               Thu Nov 16 10:00    7/78    third
     3 carol@x               Thu Nov 16 10:00    7/78    third
>N   1 Alice Example         Tue Nov 14 22:13    8/175   Hello wörld
>N   1 Alice Example         Tue Nov 14 22:13    8/175   Hello wörld
 U   2 bob@example.org       Wed Nov 15 10:00    7/106   second
     3 carol@x               Thu Nov 16 10:00    7/78    third
 U   2 bob@example.org       Wed Nov 15 10:00    7/106   second
     3 carol@x               Thu Nov 16 10:00    7/78    third'
	[ "$(mailx -N 2>/dev/null <<<'f 2-3
f $
f :n
f :u
f :r
f /SECOND
f carol
x')" = "$want" ]
}

@test "next, +, -, =, top, size, headers, set/unset, alias, echo" {
	two_messages
	run mailx -N <<<'n
=
-
=
set toplines=1
top 2
size 2
set crt=5 nohold
set
alias pals a@x b@x
alias pals
echo done
x'
	[ "$status" -eq 0 ]
	[[ "$output" == *'Message 1:'* ]]
	[ "$(grep -c '^[12]$' <<<"$output")" -eq 2 ]
	[[ "$output" == *$'Status: O\n\nBody two.'* ]]
	[[ "$output" == *'2: 7/106'* ]]
	[[ "$output" == *$'toplines\t1'* ]]
	[[ "$output" == *$'pals\ta@x, b@x'* ]]
	[[ "$output" == *done* ]]
}

@test "reply goes to the sender with Re: subject" {
	two_messages
	printf '#!/bin/sh\necho "$@" >%s/args\ncat >%s/msg\n' \
		"$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR" >"$BATS_TEST_TMPDIR/sm"
	chmod +x "$BATS_TEST_TMPDIR/sm"
	echo "sendmail_path = $BATS_TEST_TMPDIR/sm" >>"$INST/etc/main.cf"
	mailx -~ -N <<<'R 1
Thanks.
~.
x' >/dev/null
	[ "$(cat "$BATS_TEST_TMPDIR/args")" = "-i -- alice@example.org" ]
	grep -q '^Subject: =?UTF-8?B?UmU6IEhlbGxvIHfDtnJsZA==?=$' "$BATS_TEST_TMPDIR/msg"
	grep -q '^Thanks\.$' "$BATS_TEST_TMPDIR/msg"
}

@test "pipe and shell escapes" {
	two_messages
	run mailx -N <<<'| 2 grep -c Body
!echo shell ran
x'
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 'shell ran' ]
}

@test "unknown command complains and goes on" {
	two_messages
	run mailx -N <<<'frobnicate
='
	[[ "$output" == *'Unknown command: "frobnicate"'* ]]
	[[ "$output" == *1* ]]
}

@test "multipart: text part decoded, attachment listed" {
	cat >"$MB" <<'MBOX'
From a@x Tue Nov 14 22:13:20 2023
From: a@x
Subject: parts
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XX"

preamble
--XX
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

caf=E9 =
au lait
--XX
Content-Type: application/pdf; name="doc.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--XX--

MBOX
	run mailx -N <<<'p
x'
	[[ "$output" == *$'\ncafé au lait\n'* ]]
	[[ "$output" == *'[-- #2 application/pdf doc.pdf, 12 bytes: not shown --]'* ]]
	[[ "$output" != *preamble* ]]
}

@test "hostile mailbox: NUL bytes, escapes, huge header, no final newline" {
	{
		printf 'From a@x Tue Nov 14 22:13:20 2023\nSubject: \033]0;pwn\007 x\001\n\nNUL\0byte\n\n'
		printf 'From b@x Tue Nov 14 22:13:20 2023\nX-Long: '
		head -c 3000000 /dev/zero | tr '\0' a
		printf '\n\nbody'
	} >"$MB"
	run mailx -H
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "$output" != *$'\033'* ]]
	run mailx -N <<<'p 1
p 2
x'
	[ "$status" -eq 0 ]
	[[ "$output" == *'NUL?byte'* ]]
}

@test "mail that arrives while mailx reads is kept at quit" {
	two_messages
	# "any" has no account: deliver-local runs as default_privs.
	chown nobody "$MB"
	mkfifo "$BATS_TEST_TMPDIR/cmds"
	mailx -N <"$BATS_TEST_TMPDIR/cmds" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	exec 7>"$BATS_TEST_TMPDIR/cmds"
	echo 'p 1' >&7
	echo 'd 2' >&7
	sleep 0.3
	printf 'Subject: late\n\nLate mail.\n' | deliver-local -f late@example.org any
	echo 'q' >&7
	exec 7>&-
	wait "$pid"
	[ "$(grep -c '^From ' "$MB")" -eq 1 ]
	grep -q '^Subject: late$' "$MB"
	grep -q '^Late mail\.$' "$MB"
	grep -q '^Subject: =?UTF-8' "$HOME/mbox"
}

@test "a failed rewrite (file size limit) leaves the mailbox byte for byte" {
	two_messages
	head -c 20000 /dev/zero | tr '\0' 'x' | fold -w 70 >"$BATS_TEST_TMPDIR/big"
	{ printf 'From c@x Thu Nov 16 10:00:00 2023\nSubject: big\n\n'
	  cat "$BATS_TEST_TMPDIR/big"; printf '\n'; } >>"$MB"
	cp "$MB" "$BATS_TEST_TMPDIR/orig"
	run bash -c 'ulimit -f 8; printf "set hold\nd 1\nq\n" | mailx -N'
	[ "$status" -ne 0 ]
	[[ "$output" == *unchanged* ]]
	cmp "$MB" "$BATS_TEST_TMPDIR/orig"
}

@test "Python's mailbox module reads what mailx wrote" {
	two_messages
	mailx -N <<<'set hold
p 1
s 2 +saved
q' >/dev/null
	python3 - "$MB" "$HOME/saved" <<'PY'
import mailbox, sys
box = list(mailbox.mbox(sys.argv[1]))
assert len(box) == 1, len(box)
m = box[0]
assert m['Status'] == 'RO', m['Status']
assert m.get_payload() == 'Hello.\n>From the quoted line\n', repr(m.get_payload())
saved = list(mailbox.mbox(sys.argv[2]))
assert len(saved) == 1 and saved[0]['Subject'] == 'second'
assert saved[0].get_payload() == 'Body two.\n', repr(saved[0].get_payload())
PY
}

@test "terminal: summary shown at start, q typed, mailx exits" {
	two_messages
	TMUX_SOCK=$BATS_TEST_TMPDIR/tmux.sock
	tmux -S "$TMUX_SOCK" new-session -d -x 100 -y 30 \
		"env MAIL='$MB' HOME='$HOME' MAIL_CONFIG='$MAIL_CONFIG' MAILRC=/dev/null PATH='$PATH' mailx; echo mailx-exited-\$?; sleep 5"
	for _ in $(seq 50); do
		tmux -S "$TMUX_SOCK" capture-pane -p | grep -q '^? ' && break
		sleep 0.1
	done
	screen=$(tmux -S "$TMUX_SOCK" capture-pane -p)
	[[ "$screen" == *'>N   1 Alice Example'* ]]
	tmux -S "$TMUX_SOCK" send-keys q Enter
	for _ in $(seq 50); do
		tmux -S "$TMUX_SOCK" capture-pane -p | grep -q mailx-exited-0 && break
		sleep 0.1
	done
	tmux -S "$TMUX_SOCK" capture-pane -p | grep -q mailx-exited-0
}

@test "a Maildir is named for what it is: exit 66" {
	mkdir -p "$HOME/md/new" "$HOME/md/cur" "$HOME/md/tmp"
	run -66 mailx -f "$HOME/md"
	[ "$output" = "mailx: $HOME/md: a Maildir; mailx reads mbox files only" ]
	run -66 mailx -f "$HOME"
	[ "$output" = "mailx: $HOME: not a regular file" ]
}

@test "quit leaves a hard-linked mailbox as it is (both names unchanged)" {
	two_messages
	ln "$MB" "$BATS_TEST_TMPDIR/other"
	cp "$MB" "$BATS_TEST_TMPDIR/before"
	run mailx -N <<<$'d 1\nq'
	[[ "$output" == *"not a plain file"* ]]
	cmp "$MB" "$BATS_TEST_TMPDIR/before"
	cmp "$BATS_TEST_TMPDIR/other" "$BATS_TEST_TMPDIR/before"
}
