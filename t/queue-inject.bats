#!/usr/bin/env bats
# queue-inject: durable, whole-or-nothing queueing of one message.

load helper

setup() {
	instance
	PMUSER= PMGROUP= PMDIR=
}

teardown() {
	setgid_cleanup
	if [ -n "$PMUSER" ]; then userdel "$PMUSER" 2>/dev/null || true; fi
	if [ -n "$PMGROUP" ]; then groupdel "$PMGROUP" 2>/dev/null || true; fi
	if [ -n "$PMDIR" ]; then rm -rf "$PMDIR"; fi
}

# qfile - the only queue file in a subdirectory
qfile() {
	find "$INST/spool/${1:-active}" -type f | head -n 1
}

@test "queue-inject: queues a message, prints its id, exits 0" {
	run queue-inject -f sender@example.org rcpt@example.org <<<"Subject: t

body"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9A-F]+$ ]]
	f=$(qfile)
	[ "$(basename "$f")" = "$output" ]
	grep -qx "sender sender@example.org" "$f"
	grep -qx "rcpt rcpt@example.org	.*" "$f"
	grep -qx "end" "$f"
	grep -q "^Received: by mx.example.test (pipemail, from userid $(id -u))" "$f"
	grep -q "id $output; " "$f"
	[ "$(queued tmp)" -eq 0 ]
	grep -q "$output: from=<sender@example.org>, size=.*, nrcpt=1" "$INST/maillog"
}

@test "queue-inject: size field matches the message bytes" {
	printf 'Subject: x\n\nhello\n' | queue-inject -f a@b c@d
	f=$(qfile)
	size=$(sed -n 2p "$f" | awk '{print $2+0}')
	head_len=$(head -n 2 "$f" | wc -c)
	# The message is exactly SIZE bytes after the two head lines.
	msg=$(tail -c +$((head_len + 1)) "$f" | head -c "$size")
	[[ "$msg" == Received:* ]]
	[[ "$msg" == *"Subject: x"*"hello" ]]
	after=$(tail -c +$((head_len + size + 1)) "$f" | head -n 1)
	[[ "$after" == arrival* ]]
}

@test "queue-inject: CRLF becomes LF and a last newline is added" {
	printf 'Subject: x\r\n\r\nline1\r\nlast' | queue-inject -f a@b c@d
	f=$(qfile)
	[ "$(grep -c $'\r' "$f")" -eq 0 ]
	grep -qx "last" "$f"
}

@test "queue-inject: lines over 998 octets are broken, folded in headers" {
	long=$(head -c 2500 /dev/zero | tr '\0' x)
	printf 'X-Long: %s\n\n%s\n' "$long" "$long" | queue-inject -f a@b c@d
	f=$(qfile)
	# No line longer than 998 octets.
	[ "$(awk '{ if (length($0) > 998) n++ } END { print n+0 }' "$f")" -eq 0 ]
	# The header continues on folded lines (leading space).
	grep -q "^ x" "$f"
	# Every x survived: 2 * 2500.
	[ "$(tr -cd x <"$f" | wc -c)" -ge 5000 ]
}

@test "queue-inject: message_size_limit refuses with 5.3.4 and exit 65" {
	instance "message_size_limit = 1000"
	run queue-inject -f a@b c@d < <(head -c 5000 /dev/zero | tr '\0' a)
	[ "$status" -eq 65 ]
	[[ "$output" == *"5.3.4 message file too big"* ]]
	[ "$(queued active)" -eq 0 ]
	[ "$(queued tmp)" -eq 0 ]
}

@test "queue-inject: too many Received headers is a loop: 5.4.6, exit 65" {
	instance "hopcount_limit = 5"
	run queue-inject -f a@b c@d < <(for i in 1 2 3 4 5; do echo "Received: from x$i"; done; echo; echo body)
	[ "$status" -eq 65 ]
	[[ "$output" == *"5.4.6"* ]]
	[ "$(queued active)" -eq 0 ]
}

@test "queue-inject: -e reads a complete envelope after the message" {
	run bash -c 'printf "Subject: e\n\nbody\n" | queue-inject -e 3 3< <(printf "Fs@x\0Rhdrs\0Eid1\0Ta@y\trfc822;a@y\t6\0Tb@y\0\0")'
	[ "$status" -eq 0 ]
	f=$(qfile)
	grep -qx "sender s@x" "$f"
	grep -qx "ret HDRS" "$f"
	grep -qx "envid id1" "$f"
	grep -qx "rcpt a@y	rfc822;a@y	6" "$f"
	grep -qx "rcpt b@y		0" "$f"
}

@test "queue-inject: -e with an envelope cut short queues nothing, exit 75" {
	run bash -c 'printf "Subject: e\n\nbody\n" | queue-inject -e 3 3< <(printf "Fs@x\0Ta@y\0")'
	[ "$status" -eq 75 ]
	[[ "$output" == *"incomplete envelope"* ]]
	[ "$(queued active)" -eq 0 ]
	[ "$(queued tmp)" -eq 0 ]
}

@test "queue-inject: a writer killed with -9 mid-message queues nothing" {
	mkfifo "$BATS_TEST_TMPDIR/msg" "$BATS_TEST_TMPDIR/env"
	queue-inject -e 3 <"$BATS_TEST_TMPDIR/msg" 3<"$BATS_TEST_TMPDIR/env" &
	qpid=$!
	# The writer holds both pipes, sends half a message, and dies.
	bash -c 'exec 4>"$1" 5>"$2"; printf "Subject: half\n\nsome of the" >&4; kill -9 $$' _ "$BATS_TEST_TMPDIR/msg" "$BATS_TEST_TMPDIR/env" || true
	wait $qpid || rc=$?
	[ "${rc:-0}" -eq 75 ]
	[ "$(queued active)" -eq 0 ]
	[ "$(queued tmp)" -eq 0 ]
}

@test "queue-inject: -h puts the message on hold" {
	printf 'x\n' | queue-inject -h -f a@b c@d
	[ "$(queued hold)" -eq 1 ]
	[ "$(queued active)" -eq 0 ]
}

@test "queue-inject: a control character in an address is refused, exit 65" {
	run queue-inject -f a@b $'c\r@d' <<<"x"
	[ "$status" -eq 65 ]
	[[ "$output" == *"5.1.3"* ]]
	[ "$(queued active)" -eq 0 ]
}

@test "queue-inject: bad usage exits 64 with usage:" {
	run queue-inject -Z a@b
	[ "$status" -eq 64 ]
	[[ "$output" == *"usage:"* ]]
	run queue-inject -f a@b
	[ "$status" -eq 64 ]
	run queue-inject -e 3 -f a@b c@d
	[ "$status" -eq 64 ]
}

@test "queue-inject: a queue it cannot write is a temporary failure, exit 75" {
	printf 'x\n' | queue-inject -f a@b c@d
	rm -f "$INST"/spool/active/*
	rmdir "$INST/spool/tmp"
	touch "$INST/spool/tmp"
	run queue-inject -f a@b c@d <<<"x"
	rm "$INST/spool/tmp"
	[ "$status" -eq 75 ]
	[[ "$output" == *"4.3.0"* ]]
	[ "$(queued active)" -eq 0 ]
}

@test "queue-inject: mail_owner that does not exist is a config error, 78" {
	instance "mail_owner = no-such-user-here"
	if [ "$(id -u)" -ne 0 ]; then skip "needs root"; fi
	run queue-inject -f a@b c@d <<<"x"
	[ "$status" -eq 78 ]
}

@test "queue-inject: the queue is never written as root" {
	if [ "$(id -u)" -ne 0 ]; then skip "needs root"; fi
	printf 'x\n' | queue-inject -f a@b c@d
	[ "$(stat -c %U "$(qfile)")" = nobody ]
}

@test "queue-inject: an H record in the -e envelope puts it on hold" {
	run bash -c 'printf "x\n" | queue-inject -e 3 3< <(printf "Fs@x\0Ta@y\0H\0\0")'
	[ "$status" -eq 0 ]
	[ "$(queued hold)" -eq 1 ]
	[ "$(queued active)" -eq 0 ]
}

@test "queue-inject -s: messages one after another, each answered" {
	{
		printf 'M 0 ESMTP from x (y [192.0.2.1])\nD12\nSubject: a\n\nE\n'
		printf 'Fs@example.org\0Tone@example.test\0\0'
		printf 'M 1 SMTP -\nD3\nab\nD3\ncd\nE\n'
		printf 'Fs@example.org\0Ttwo@example.test\0\0'
		printf 'M 0 SMTP -\nD2\nabA\n'
		printf 'M 0 SMTP -\nD2\nabE\nFs@example.org\0\0'
		printf 'M 0 SMTP -\nD6\nlast\r\nE\nF\0Tthree@example.test\0\0'
	} >"$BATS_TEST_TMPDIR/in"
	run queue-inject -s <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 5 ]
	[[ "${lines[0]}" =~ ^0\ [0-9A-F]+$ ]]
	[[ "${lines[1]}" =~ ^0\ [0-9A-F]+$ ]]
	[ "${lines[2]}" = "75 4.3.0 message given up" ]
	[[ "${lines[3]}" == "75 4.3.0 incomplete envelope"* ]]
	[[ "${lines[4]}" =~ ^0\ [0-9A-F]+$ ]]
	one=$INST/spool/active/${lines[0]#0 }
	grep -q '^Received: from x (y \[192.0.2.1\])$' "$one"
	grep -q '^	by mx.example.test (pipemail) with ESMTP id' "$one"
	grep -q '^rcpt one@example.test' "$one"
	[ -f "$INST/spool/hold/${lines[1]#0 }" ]
	printf 'ab\ncd\n' >"$BATS_TEST_TMPDIR/want"
	grep -q '^ab$' "$INST/spool/hold/${lines[1]#0 }"
	grep -q '^sender $' "$INST/spool/active/${lines[4]#0 }"
	[ "$(queued active)" -eq 2 ]
	[ "$(queued tmp)" -eq 0 ]
}

@test "queue-inject -s: a message cut off, or a stream out of step, queues nothing" {
	run queue-inject -s < <(printf 'M 0 SMTP -\nD300\nxyz')
	[ "$status" -eq 0 ]
	[ "$output" = "75 4.3.0 message given up" ]
	run queue-inject -s < <(printf 'M 0 SMTP -\nD3\nxyz\nE\nF\0Ta@b\0\0M 0 SMTP -\nD1\nxE\nF\0Ta@b\0\0')
	[ "$output" = "75 4.3.0 message given up" ]
	run queue-inject -s < <(printf 'hello\n')
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(queued active)" -eq 0 ]
	[ "$(queued tmp)" -eq 0 ]
	run queue-inject -s a@b
	[ "$status" -eq 64 ]
}

@test "queue-inject: set-group-id to setgid_group, a user's sendmail queues" {
	setgid_user pmsub pmdrop
	instance "setgid_group = pmdrop" "local_recipient_maps = static:any"
	# Root makes the layout and hands it to mail_owner and the group.
	printf 'x\n' | queue-inject -h -f a@b c@d
	[ "$(stat -c '%U:%G %a' "$INST/spool")" = "nobody:pmdrop 750" ]
	[ "$(stat -c '%U:%G %a' "$INST/spool/tmp")" = "nobody:pmdrop 700" ]
	[ "$(stat -c '%U:%G %a' "$INST/spool/active")" = "nobody:pmdrop 700" ]
	[ "$(stat -c '%U:%G %a' "$INST/spool/maildrop")" = "nobody:pmdrop 1770" ]
	[ "$(stat -c '%U:%G %a' "$INST/spool/trigger")" = "nobody:pmdrop 620" ]
	# The default configuration lets users name this instance's.
	sysconf_main_cf "alternate_config_directories = $INST/etc"
	send="printf 'Subject: hi\\n\\nfrom a user\\n' | $SG_BIN/sendmail -i bob@localhost"
	run su -s /bin/sh pmsub -c "MAIL_CONFIG=$INST/etc; export MAIL_CONFIG; $send"
	[ "$status" -eq 0 ]
	# A user's submission waits in maildrop/, the user's own file.
	[ "$(queued maildrop)" -eq 1 ]
	[ "$(queued active)" -eq 0 ]
	f=$(find "$INST/spool/maildrop" -type f)
	[ "$(stat -c '%U:%G' "$f")" = pmsub:pmdrop ]
	grep -q "from userid $(id -u pmsub))" "$f"
	# mailq lists it.
	run mailq
	[[ "$output" == *"pmsub@"* ]]
	[[ "$output" == *"bob@localhost"* ]]
	# queue-run picks it up as a file of its own and delivers it.
	queue-run -f
	[ "$(queued maildrop)" -eq 0 ]
	[ "$(queued corrupt)" -eq 0 ]
	grep -q '^from a user$' "$INST/mail/bob"
	grep -q '^Return-Path: <pmsub@' "$INST/mail/bob"
	# Without the set-group-id bit the user cannot write the queue.
	chmod 755 "$SG_BIN/queue-inject"
	run su -s /bin/sh pmsub -c "MAIL_CONFIG=$INST/etc; export MAIL_CONFIG; $send"
	[ "$status" -eq 75 ]
	[[ "$output" == *"Permission denied"* ]]
	[ "$(queued maildrop)" -eq 0 ]
}

@test "queue-inject: a user's held submission is picked up into hold/" {
	setgid_user pmsub pmdrop
	instance "setgid_group = pmdrop"
	printf 'x\n' | queue-inject -h -f a@b c@d
	sysconf_main_cf "alternate_config_directories = $INST/etc"
	run su -s /bin/sh pmsub -c "MAIL_CONFIG=$INST/etc; export MAIL_CONFIG; printf 'Subject: h\\n\\nheld\\n' | $SG_BIN/queue-inject -h -f pmsub@x c@d"
	[ "$status" -eq 0 ]
	id=${lines[-1]}
	[ -f "$INST/spool/maildrop/$id" ]
	queue-run -f
	[ "$(queued maildrop)" -eq 0 ]
	[ -f "$INST/spool/hold/$id" ]
	[ "$(stat -c %U "$INST/spool/hold/$id")" = nobody ]
	grep -q '^held$' "$INST/spool/hold/$id"
	run grep -c '^hold$' "$INST/spool/hold/$id"
	[ "$output" = 0 ]
}

@test "queue-inject: every envelope field is checked, a bad one queues nothing (65)" {
	env() {
		run bash -c 'printf "Subject: e\n\nx\n" | queue-inject -e 3 3< <(printf "$1")' _ "$1"
	}
	env 'Fs@x\0RNONE\0Ta@y\0\0'
	[ "$status" -eq 65 ]
	[[ "$output" == *"5.5.4"* ]]
	env 'Fs@x\0Eid with space\0Ta@y\0\0'
	[ "$status" -eq 65 ]
	env 'Fs@x\0Ta@y\t\t3x\0\0'
	[ "$status" -eq 65 ]
	env 'Fs@x\0Ta@y\t\t16\0\0'
	[ "$status" -eq 65 ]
	[[ "$output" == *"5.5.4 bad NOTIFY"* ]]
	env 'Fs@x\0Ta@y\t\t3\0\0'		# NEVER with SUCCESS
	[ "$status" -eq 65 ]
	env 'Fs@x\0Ta@y\trfc822;a\001@y\t0\0\0'
	[ "$status" -eq 65 ]
	env 'Fs@x\0Ff@x\0Ta@y\0\0'		# F twice
	[ "$status" -eq 65 ]
	env 'Fs@x\0Hyes\0Ta@y\0\0'
	[ "$status" -eq 65 ]
	env 'Fs\x7f@x\0Ta@y\0\0'
	[ "$status" -eq 65 ]
	[[ "$output" == *"5.1.7"* ]]
	env "Fs@x\0T$(printf 'a%.0s' $(seq 1 1001))@y\0\0"
	[ "$status" -eq 65 ]
	[ "$(queued active)" -eq 0 ]
	[ "$(queued tmp)" -eq 0 ]
	# The good ones: RET in any case, NOTIFY bits, NEVER alone.
	env 'Fs@x\0Rfull\0Ta@y\t\t14\0Tb@y\t\t1\0\0'
	[ "$status" -eq 0 ]
	grep -qx "ret FULL" "$(qfile)"
}
