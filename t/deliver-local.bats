#!/usr/bin/env bats
# deliver-local: mbox format, locking and crash safety, Maildir, files,
# commands, users and exit statuses.  Time is pinned with PIPEMAIL_TIME.

load helper
bats_require_minimum_version 1.5.0

ENV1='Tue Nov 14 22:13:20 2023'

setup() {
	instance
	export TZ=UTC PIPEMAIL_TIME=1700000000
	ME=$(id -un)
	MB=$INST/mail/$ME
	NR=
}

teardown() {
	if [ -n "$NR" ]; then rm -rf "$NR"; fi
	if [ -n "${PMUSER:-}" ]; then userdel "$PMUSER" 2>/dev/null || true; fi
}

# envelope - the lines deliver-local puts before a message (no -a)
envelope() {
	local sender=$1 rcpt=$2
	printf 'From %s %s\nReturn-Path: <%s>\nDelivered-To: %s\n' \
		"${sender:-MAILER-DAEMON}" "$ENV1" "$sender" "$rcpt"
}

# world - an instance the unprivileged users can reach (BATS_RUN_TMPDIR
# is 0700): mail spool and out/ world-writable, extra main.cf lines
world() {
	NR=$(mktemp -d /tmp/pmdl.XXXXXX)
	chmod 755 "$NR"
	mkdir -p "$NR/etc" "$NR/mail" "$NR/out"
	chmod 1777 "$NR/mail" "$NR/out"
	{
		echo "queue_directory = $NR/spool"
		echo "mail_spool_directory = $NR/mail"
		echo "maillog_file = $NR/out/maillog"
		echo "myhostname = mx.example.test"
		for l in "$@"; do echo "$l"; done
	} >"$NR/etc/main.cf"
	chmod 644 "$NR/etc/main.cf"
	export MAIL_CONFIG=$NR/etc
}

@test "delivery writes the exact mbox bytes" {
	run --separate-stderr deliver-local -f alice@example.org "$ME" \
		< <(printf 'Subject: hi\n\nHello.\n')
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	{ envelope alice@example.org "$ME@mx.example.test"
	  printf 'Subject: hi\n\nHello.\n\n'; } >"$BATS_TEST_TMPDIR/want"
	cmp "$MB" "$BATS_TEST_TMPDIR/want"
	[ "$(stat -c %a "$MB")" = 600 ]
	[ ! -e "$MB.lock" ]
	grep -q "to=<$ME>, relay=local, .*dsn=2.0.0, status=sent" "$INST/maillog"
}

@test "two messages are appended in order" {
	printf 'Subject: one\n\n1\n' | deliver-local -f a@x.test "$ME"
	printf 'Subject: two\n\n2\n' | deliver-local -f b@x.test "$ME"
	{ envelope a@x.test "$ME@mx.example.test"; printf 'Subject: one\n\n1\n\n'
	  envelope b@x.test "$ME@mx.example.test"; printf 'Subject: two\n\n2\n\n'
	} >"$BATS_TEST_TMPDIR/want"
	cmp "$MB" "$BATS_TEST_TMPDIR/want"
}

@test "null sender: empty -f, <> and no -f" {
	echo x | deliver-local -f '' "$ME"
	echo x | deliver-local -f '<>' "$ME"
	echo x | deliver-local "$ME"
	for i in 1 2 3; do envelope '' "$ME@mx.example.test"; printf 'x\n\n'
	done >"$BATS_TEST_TMPDIR/want"
	cmp "$MB" "$BATS_TEST_TMPDIR/want"
	grep -q '^From MAILER-DAEMON Tue Nov 14' "$MB"
}

@test "mboxrd quoting of From lines" {
	printf 'S: q\n\nFrom a\n>From b\n>>From c\nFromage\n x From d\n' |
		deliver-local -f s@x.test "$ME"
	{ envelope s@x.test "$ME@mx.example.test"
	  printf 'S: q\n\n>From a\n>>From b\n>>>From c\nFromage\n x From d\n\n'
	} >"$BATS_TEST_TMPDIR/want"
	cmp "$MB" "$BATS_TEST_TMPDIR/want"
}

@test "CRLF becomes LF and a final newline is added" {
	printf 'S: c\r\n\r\nline\r\nlast' | deliver-local -f s@x.test "$ME"
	{ envelope s@x.test "$ME@mx.example.test"
	  printf 'S: c\n\nline\nlast\n\n'; } >"$BATS_TEST_TMPDIR/want"
	cmp "$MB" "$BATS_TEST_TMPDIR/want"
}

@test "empty input is delivered as an empty message" {
	deliver-local -f s@x.test "$ME" </dev/null
	{ envelope s@x.test "$ME@mx.example.test"; printf '\n'; } \
		>"$BATS_TEST_TMPDIR/want"
	cmp "$MB" "$BATS_TEST_TMPDIR/want"
}

@test "-a sets Delivered-To; user@domain is taken as given" {
	echo x | deliver-local -a bob@example.org "$ME"
	echo y | deliver-local "$ME@Other.Example"
	grep -qx 'Delivered-To: bob@example.org' "$MB"
	grep -qx "Delivered-To: $ME@Other.Example" "$MB"
}

@test "mailbox_size_limit: 73, 5.2.2, mailbox unchanged byte for byte" {
	instance 'mailbox_size_limit = 200'
	printf 'S: 1\n\nsmall\n' | deliver-local -f s@x.test "$ME"
	cp "$MB" "$BATS_TEST_TMPDIR/before"
	run --separate-stderr deliver-local -f s@x.test "$ME" \
		< <(head -c 300 /dev/zero | tr '\0' y)
	[ "$status" -eq 73 ]
	[[ "$stderr" == "deliver-local: fatal: 5.2.2 mailbox "*" full"* ]]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	cmp "$MB" "$BATS_TEST_TMPDIR/before"
	[ ! -e "$MB.lock" ]
	grep -q 'dsn=5.2.2, status=bounced' "$INST/maillog"
}

@test "message_size_limit: 65 and 5.3.4" {
	instance 'message_size_limit = 100'
	run --separate-stderr deliver-local "$ME" \
		< <(head -c 101 /dev/zero | tr '\0' y)
	[ "$status" -eq 65 ]
	[[ "$stderr" == "deliver-local: fatal: 5.3.4 message too big"* ]]
	[ ! -e "$MB" ]
}

@test "a read-only mail directory: 75 and a 4.x.x line" {
	world
	chmod 555 "$NR/mail"
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup \
		--clear-groups deliver-local nobody < <(echo x)
	[ "$status" -eq 75 ]
	[[ "$stderr" == "deliver-local: fatal: 4."*"Permission denied" ]]
}

@test "a stale dotlock of a dead process is broken at once" {
	echo x | deliver-local "$ME"
	cp "$MB" "$BATS_TEST_TMPDIR/before"
	sh -c 'exit 0' & dead=$!
	wait $dead
	size=$(stat -c %s "$MB")
	echo "$dead $size $((size + 99))" >"$MB.lock"
	SECONDS=0
	echo y | deliver-local "$ME"
	[ "$SECONDS" -le 1 ]
	[ ! -e "$MB.lock" ]
	{ cat "$BATS_TEST_TMPDIR/before"; envelope '' "$ME@mx.example.test"
	  printf 'y\n\n'; } >"$BATS_TEST_TMPDIR/want"
	cmp "$MB" "$BATS_TEST_TMPDIR/want"
}

@test "a live lock is waited for, then 75 (PIPEMAIL_LOCK_TIMEOUT=1)" {
	echo x | deliver-local "$ME"
	cp "$MB" "$BATS_TEST_TMPDIR/before"
	sleep 30 3>&- & holder=$!
	echo "$holder 0 0" >"$MB.lock"
	SECONDS=0
	run --separate-stderr env PIPEMAIL_LOCK_TIMEOUT=1 deliver-local "$ME" \
		< <(echo y)
	kill $holder
	[ "$status" -eq 75 ]
	[ "$SECONDS" -ge 1 ]
	[[ "$stderr" == "deliver-local: fatal: 4.2.0 cannot lock mailbox"*"held by pid $holder"* ]]
	[ -e "$MB.lock" ]
	cmp "$MB" "$BATS_TEST_TMPDIR/before"
}

@test "a live lock released while waiting: delivered" {
	echo x | deliver-local "$ME"
	sleep 30 3>&- & holder=$!
	echo "$holder 0 0" >"$MB.lock"
	(sleep 1; rm -f "$MB.lock") 3>&- &
	SECONDS=0
	echo y | deliver-local "$ME"
	kill $holder
	[ "$SECONDS" -ge 1 ]
	[ "$(grep -c '^From ' "$MB")" -eq 2 ]
}

@test "kill -9 midway through an append, then the next delivery" {
	printf 'S: 1\n\nfirst\n' | deliver-local -f s@x.test "$ME"
	cp "$MB" "$BATS_TEST_TMPDIR/before"
	before=$(stat -c %s "$MB")
	seq 1 20000 >"$BATS_TEST_TMPDIR/big"
	PIPEMAIL_TEST_PAUSE_MIDWAY=1 deliver-local -f s@x.test "$ME" \
		<"$BATS_TEST_TMPDIR/big" 3>&- & pid=$!
	for _ in $(seq 200); do
		[ "$(stat -c %s "$MB")" -gt "$before" ] && break
		sleep 0.05
	done
	[ "$(stat -c %s "$MB")" -gt "$before" ]
	kill -9 "$pid"
	wait "$pid" || true
	[ -e "$MB.lock" ]
	printf 'S: 2\n\nsecond\n' | deliver-local -f s@x.test "$ME"
	{ cat "$BATS_TEST_TMPDIR/before"; envelope s@x.test "$ME@mx.example.test"
	  printf 'S: 2\n\nsecond\n\n'; } >"$BATS_TEST_TMPDIR/want"
	cmp "$MB" "$BATS_TEST_TMPDIR/want"
	grep -q 'removed .* bytes of a partial message' "$INST/maillog"
}

@test "a mailbox torn inside a line: the next message starts after a blank line" {
	printf 'From a@b.test %s\nSubject: torn\n\npart of a li' "$ENV1" >"$MB"
	chmod 600 "$MB"
	echo y | deliver-local "$ME"
	{ printf 'From a@b.test %s\nSubject: torn\n\npart of a li\n\n' "$ENV1"
	  envelope '' "$ME@mx.example.test"; printf 'y\n\n'; } >"$BATS_TEST_TMPDIR/want"
	cmp "$MB" "$BATS_TEST_TMPDIR/want"
	# A whole mailbox is left as it is.
	echo z | deliver-local "$ME"
	{ cat "$BATS_TEST_TMPDIR/want"; envelope '' "$ME@mx.example.test"
	  printf 'z\n\n'; } >"$BATS_TEST_TMPDIR/want2"
	cmp "$MB" "$BATS_TEST_TMPDIR/want2"
}

@test "kill -9 of a large append at a random point: all or nothing" {
	printf 'S: 1\n\nfirst\n' | deliver-local -f s@x.test "$ME"
	cp "$MB" "$BATS_TEST_TMPDIR/before"
	yes 'From a line that needs quoting' | head -c 30000000 \
		>"$BATS_TEST_TMPDIR/big"
	deliver-local -f s@x.test "$ME" <"$BATS_TEST_TMPDIR/big" 3>&- & pid=$!
	sleep 0.1
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" || true
	printf 'S: 2\n\nsecond\n' | deliver-local -f s@x.test "$ME"
	# Either the big message is wholly there or not at all.
	n=$(grep -c '^From s@x.test ' "$MB")
	[ "$n" -eq 2 ] || [ "$n" -eq 3 ]
	if [ "$n" -eq 2 ]; then
		{ cat "$BATS_TEST_TMPDIR/before"
		  envelope s@x.test "$ME@mx.example.test"
		  printf 'S: 2\n\nsecond\n\n'; } >"$BATS_TEST_TMPDIR/want"
		cmp "$MB" "$BATS_TEST_TMPDIR/want"
	else
		[ "$(grep -c '^>From a line' "$MB")" -eq 967742 ]
	fi
}

@test "a symbolic link as mailbox is refused: 77" {
	echo keep >"$BATS_TEST_TMPDIR/target"
	ln -s "$BATS_TEST_TMPDIR/target" "$MB"
	run --separate-stderr deliver-local "$ME" < <(echo x)
	[ "$status" -eq 77 ]
	[[ "$stderr" == "deliver-local: fatal: 5.7.0 refusing mailbox"*"symbolic link" ]]
	[ "$(cat "$BATS_TEST_TMPDIR/target")" = keep ]
}

@test "a hard-linked mailbox is refused: 77" {
	echo keep >"$BATS_TEST_TMPDIR/target"
	ln "$BATS_TEST_TMPDIR/target" "$MB"
	run --separate-stderr deliver-local "$ME" < <(echo x)
	[ "$status" -eq 77 ]
	[[ "$stderr" == *"5.7.0 refusing mailbox"*"2 links" ]]
	[ "$(cat "$BATS_TEST_TMPDIR/target")" = keep ]
}

@test "Maildir delivery (mail_spool_directory ending in /)" {
	instance "mail_spool_directory = $BATS_TEST_TMPDIR/inst/mail/"
	printf 'S: m\r\n\r\nFrom x\r\n' | deliver-local -f s@x.test "$ME"
	[ -d "$MB/tmp" ] && [ -d "$MB/cur" ]
	[ -z "$(ls "$MB/tmp")" ]
	f=$(ls "$MB/new")
	[ "$(wc -l <<<"$f")" -eq 1 ]
	[[ "$f" =~ ^1[0-9]+\.M[0-9]+P[0-9]+Q1\..+,S=[0-9]+$ ]]
	{ printf 'Return-Path: <s@x.test>\nDelivered-To: %s\n' \
		"$ME@mx.example.test"; printf 'S: m\n\nFrom x\n'; } \
		>"$BATS_TEST_TMPDIR/want"
	cmp "$MB/new/$f" "$BATS_TEST_TMPDIR/want"
	[ "${f##*,S=}" -eq "$(stat -c %s "$MB/new/$f")" ]
}

@test "a /file target is appended in mbox format as default_privs" {
	world
	run --separate-stderr deliver-local -f s@x.test -w "$NR/out/log" \
		< <(printf 'S: f\n\nbody\n')
	[ "$status" -eq 0 ]
	{ envelope s@x.test nobody@mx.example.test; printf 'S: f\n\nbody\n\n'
	} >"$BATS_TEST_TMPDIR/want"
	cmp "$NR/out/log" "$BATS_TEST_TMPDIR/want"
	[ "$(stat -c %U "$NR/out/log")" = nobody ]
}

@test "a /file target in a missing directory: 73" {
	world
	run --separate-stderr deliver-local -w "$NR/out/none/log" < <(echo x)
	[ "$status" -eq 73 ]
	[[ "$stderr" == "deliver-local: fatal: 5.2.0 "* ]]
}

@test "/dev/null as file target discards" {
	run deliver-local -w /dev/null < <(echo x)
	[ "$status" -eq 0 ]
}

@test "-x command: exit 0 delivers, the message and environment as local(8)" {
	world
	export FOO=inherited
	echo 'S: c' | deliver-local -f s@x.test -a bob@example.org \
		-x "cat >$NR/out/msg; env >$NR/out/env"
	{ envelope s@x.test bob@example.org; printf 'S: c\n'; } \
		>"$BATS_TEST_TMPDIR/want"
	cmp "$NR/out/msg" "$BATS_TEST_TMPDIR/want"
	grep -qx 'SENDER=s@x.test' "$NR/out/env"
	grep -qx 'RECIPIENT=bob@example.org' "$NR/out/env"
	grep -qx 'LOCAL=bob' "$NR/out/env"
	grep -qx 'DOMAIN=example.org' "$NR/out/env"
	grep -qx 'USER=nobody' "$NR/out/env"
	grep -qx 'PATH=/usr/bin:/bin' "$NR/out/env"
	run ! grep -q FOO "$NR/out/env"
	run ! grep -q PIPEMAIL "$NR/out/env"
}

@test "-x command without shell syntax is run directly" {
	world
	echo body | deliver-local -x "/usr/bin/tee $NR/out/direct"
	tail -n 1 "$NR/out/direct" | grep -qx body
	run --separate-stderr deliver-local -x "$NR/no/such/program" < <(echo x)
	[ "$status" -eq 69 ]
	[[ "$stderr" == *"5.3.0 command failed with status 127"*"cannot execute"* ]]
}

@test "-x command exit 75 is temporary, exit 1 permanent with its output" {
	run --separate-stderr deliver-local -x 'echo busy; exit 75' < <(echo x)
	[ "$status" -eq 75 ]
	[ "$stderr" = "deliver-local: fatal: 4.3.0 command failed with status 75: echo busy; exit 75: busy" ]
	run --separate-stderr deliver-local -x 'echo mailbox is on fire; exit 1' \
		< <(echo x)
	[ "$status" -eq 69 ]
	[[ "$stderr" == "deliver-local: fatal: 5.3.0 command failed with status 1: "*": mailbox is on fire" ]]
	run --separate-stderr deliver-local -x 'kill -9 $$' < <(echo x)
	[ "$status" -eq 75 ]
	[[ "$stderr" == *"4.3.0 command killed by signal 9"* ]]
}

@test "-x command over command_time_limit is killed: 75" {
	instance 'command_time_limit = 1s'
	SECONDS=0
	run --separate-stderr deliver-local -x 'sleep 30; echo late' < <(echo x)
	[ "$status" -eq 75 ]
	[ "$SECONDS" -lt 10 ]
	[[ "$stderr" == *"4.3.0 command timed out after 1 s"* ]]
}

@test "commands and files refused when not allowed: 77" {
	instance 'allow_mail_to_commands =' 'allow_mail_to_files ='
	run --separate-stderr deliver-local -x cat < <(echo x)
	[ "$status" -eq 77 ]
	[[ "$stderr" == *"5.7.1 mail to commands is not allowed"* ]]
	run --separate-stderr deliver-local -w "$BATS_TEST_TMPDIR/f" < <(echo x)
	[ "$status" -eq 77 ]
	[ ! -e "$BATS_TEST_TMPDIR/f" ]
}

@test "unknown user: 67 and 5.1.1" {
	run --separate-stderr deliver-local no-such-user-pm < <(echo x)
	[ "$status" -eq 67 ]
	[ "$stderr" = "deliver-local: fatal: 5.1.1 user unknown: no-such-user-pm" ]
	[ ! -e "$INST/mail/no-such-user-pm" ]
}

@test "bad user names are refused, not turned into paths" {
	instance 'local_recipient_maps = static:any'
	run --separate-stderr deliver-local ../escape < <(echo x)
	[ "$status" -eq 67 ]
	[[ "$stderr" == *"5.1.3 bad user name"* ]]
	[ ! -e "$INST/escape" ]
}

@test "static:any: an unknown name is delivered as default_privs" {
	world 'local_recipient_maps = static:any'
	echo x | deliver-local stray-pm
	[ "$(stat -c %U:%a "$NR/mail/stray-pm")" = nobody:600 ]
	grep -q '^Delivered-To: stray-pm@mx.example.test$' "$NR/mail/stray-pm"
}

@test "as root for a real user: created as root, written as the user" {
	id pmtest1 >/dev/null 2>&1 && skip "pmtest1 exists already"
	useradd -M -d /nonexistent -s /usr/sbin/nologin pmtest1 ||
		skip "cannot add a user"
	PMUSER=pmtest1
	world
	echo x | deliver-local pmtest1
	[ "$(stat -c %U:%a "$NR/mail/pmtest1")" = pmtest1:600 ]
	# Someone else's file in its place, even writable, is refused.
	chown nobody "$NR/mail/pmtest1"
	chmod 666 "$NR/mail/pmtest1"
	run --separate-stderr deliver-local pmtest1 < <(echo y)
	[ "$status" -eq 77 ]
	[[ "$stderr" == *"owned by uid"* ]]
	# A command runs as the user named by -u.
	echo x | deliver-local -u pmtest1 -x "id -un >$NR/out/who"
	[ "$(cat "$NR/out/who")" = pmtest1 ]
}

@test "several users: a line each, 75 wins over a bounce" {
	run --separate-stderr deliver-local "$ME" no-such-user-pm \
		< <(echo x)
	[ "$status" -eq 67 ]
	[[ "$stderr" == *"deliver-local: $ME: 2.0.0 delivered to mailbox"* ]]
	[[ "$stderr" == *"deliver-local: no-such-user-pm: 5.1.1 user unknown"* ]]
	[ "$(grep -c '^From ' "$MB")" -eq 1 ]
	run --separate-stderr deliver-local -x ':; exit 75' no-such-user-pm "$ME" \
		< <(echo y)
	[ "$status" -eq 75 ]
	[ "$(grep -c '^From ' "$MB")" -eq 2 ]
	[ "$(wc -l <<<"$stderr")" -eq 3 ]
}

@test "usage: bad flag or no target gives usage: and 64" {
	run --separate-stderr deliver-local -Q "$ME"
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"usage: deliver-local"* ]]
	run --separate-stderr deliver-local </dev/null
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"usage: deliver-local"* ]]
}

@test "a bad sender (control character): 65" {
	run --separate-stderr deliver-local -f "$(printf 'a\nb')" "$ME" \
		< <(echo x)
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"5.1.7"* ]]
	[ ! -e "$MB" ]
}

@test "a bad main.cf value: 78" {
	instance 'mailbox_size_limit = lots'
	run deliver-local "$ME" < <(echo x)
	[ "$status" -eq 78 ]
}

@test "deliver-local: as root, a mailbox delivery never runs with root's group" {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	instance "local_recipient_maps = static:any"
	printf 'Subject: g\n\nbody\n' |
	    PIPEMAIL_TEST_PAUSE_MIDWAY=1 deliver-local strayuser &
	pid=$!
	for i in $(seq 200); do
		[ -e "$INST/mail/strayuser.lock" ] && break
		sleep 0.05
	done
	g=$(stat -c %g "$INST/mail/strayuser.lock")
	kill -9 "$pid"
	wait "$pid" || true
	[ "$g" -ne 0 ]
}
