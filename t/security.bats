#!/usr/bin/env bats
# Attacks on pipemail, each done as an attacker would, each checked by
# its outcome: nothing ran, no file was written, no mail was lost.

load helper
bats_require_minimum_version 1.5.0

KIND_USER=pmtest-kind

setup() {
	KIND_MADE_USER=
	OUT=
}

teardown() {
	if [ -n "$OUT" ]; then
		rm -rf "$OUT"
	fi
	if [ -n "$KIND_MADE_USER" ]; then
		userdel -r "$KIND_USER" >/dev/null 2>&1 || true
	fi
}

# kind_instance - an instance like make run's (static:any), aliases in
# $INST/etc/aliases, and $OUT: a directory anyone may write, so that a
# command run as default_privs or a user could create a file there
kind_instance() {
	instance "local_recipient_maps = static:any" \
	    "alias_maps = hash:$BATS_TEST_TMPDIR/inst/etc/aliases" "$@"
	: >"$INST/etc/aliases"
	postalias "$INST/etc/aliases"
	OUT=/tmp/pmkind.$$.$BATS_TEST_NUMBER
	rm -rf "$OUT"
	mkdir -p "$OUT"
	chmod 1777 "$OUT"
	CF="-c $INST/etc"
}

# kind_aliases - replace the aliases with the arguments and build them
kind_aliases() {
	printf '%s\n' "$@" >"$INST/etc/aliases"
	postalias "$INST/etc/aliases"
}

# kind_user - a throwaway passwd user with a home directory (root only)
kind_user() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to create a user"
	command -v useradd >/dev/null || skip "no useradd"
	userdel -r "$KIND_USER" >/dev/null 2>&1 || true
	useradd -m -s /bin/sh "$KIND_USER"
	KIND_MADE_USER=1
	KIND_HOME=$(getent passwd "$KIND_USER" | cut -d: -f6)
}

# kind_forward - write the user's .forward (his, mode 600)
kind_forward() {
	printf '%s\n' "$@" >"$KIND_HOME/.forward"
	chown "$KIND_USER" "$KIND_HOME/.forward"
	chmod 600 "$KIND_HOME/.forward"
}

# evil - an attacker's command that creates the file $1 (a lower-case
# path: the resolver folds local parts to lower case) with neither a '/'
# nor an upper-case letter in it: it climbs to / and writes $(pwd) for
# each slash, so refusing a '/' alone would not stop it
evil() {
	printf 'cd ..;cd ..;cd ..;cd ..;cd ..;cd ..;cd ..;cd ..;touch %s' \
	    "$(printf '%s' "$1" | sed 's|/|$(pwd)|g')"
}

# msgs - the number of messages in an mbox
msgs() {
	local n
	n=$(grep -c '^From ' "$1" 2>/dev/null)
	echo "${n:-0}"
}

# bounces - the number of bounce reports in an mbox
bounces() {
	local n
	n=$(grep -c '^From MAILER-DAEMON ' "$1" 2>/dev/null)
	echo "${n:-0}"
}

@test "kind: RCPT TO a quoted |command, /file or option from outside mynetworks gets 550 5.1.3 and runs nothing" {
	kind_instance
	{
		printf 'EHLO attacker.example\r\n'
		printf 'MAIL FROM:<a@example.org>\r\n'
		printf 'RCPT TO:<"|%s"@mx.example.test>\r\n' \
		    "$(evil "$OUT/cmd")"
		printf 'RCPT TO:<"x|%s"@mx.example.test>\r\n' \
		    "$(evil "$OUT/mid")"
		printf 'RCPT TO:<"%s/file"@mx.example.test>\r\n' "$OUT"
		printf 'RCPT TO:<"-oQ%s"@mx.example.test>\r\n' "$OUT"
		printf 'RCPT TO:<.forward@mx.example.test>\r\n'
		printf 'RCPT TO:<"|%s"@localhost>\r\n' \
		    "$(evil "$OUT/cmd")"
		printf 'RCPT TO:<bob@mx.example.test>\r\n'
		printf 'DATA\r\nSubject: hi\r\n\r\nbody\r\n.\r\nQUIT\r\n'
	} >"$BATS_TEST_TMPDIR/session"
	run bash -c 'TCPREMOTEIP=192.0.2.1 smtp-listen <"$1" | tr -d "\r"' _ \
	    "$BATS_TEST_TMPDIR/session"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^550 5\.1\.3 .*cannot be a mailbox name' <<<"$output")" \
	    -eq 5 ]
	# .forward is no dot-atom: the path parser refuses it first.
	grep -q '^501 5\.1\.3 ' <<<"$output"
	# Only bob was accepted; the message was taken for him alone.
	[ "$(grep -c '^250 2\.1\.5 ' <<<"$output")" -eq 1 ]
	grep -q '^250 2\.0\.0 .*queued' <<<"$output"
	queue-run $CF -f
	[ ! -e "$OUT/cmd" ]
	[ ! -e "$OUT/mid" ]
	[ ! -e "$OUT/file" ]
	[ "$(msgs "$INST/mail/bob")" -eq 1 ]
	# Nothing else appeared in the spool: no mailbox named after a path.
	[ "$(ls "$INST/mail")" = bob ]
	[ "$(queued active)" -eq 0 ]
}

@test "kind: a bounce to a MAIL FROM of \"|cmd\"@host runs nothing" {
	kind_instance \
	    "transport_maps = inline:{ nowhere.test = error:5.1.2 no such domain }"
	kind_aliases "bob: x@nowhere.test"
	{
		printf 'EHLO attacker.example\r\n'
		printf 'MAIL FROM:<"|%s"@mx.example.test>\r\n' \
		    "$(evil "$OUT/cmd")"
		printf 'RCPT TO:<bob@mx.example.test>\r\n'
		printf 'DATA\r\nSubject: hi\r\n\r\nbody\r\n.\r\nQUIT\r\n'
	} >"$BATS_TEST_TMPDIR/session"
	run bash -c 'TCPREMOTEIP=192.0.2.1 smtp-listen <"$1" | tr -d "\r"' _ \
	    "$BATS_TEST_TMPDIR/session"
	[ "$status" -eq 0 ]
	grep -q '^250 2\.0\.0 .*queued' <<<"$output"
	# bob bounces; the bounce to the sender must not become a command.
	for i in 1 2 3; do queue-run $CF -f; done
	[ ! -e "$OUT/cmd" ]
	grep -q 'status=bounced (5\.1\.3 bad address syntax' "$INST/maillog"
	[ "$(queued active)" -eq 0 ]
}

@test "kind: sendmail to a quoted |command or /file is refused (67), nothing queued or run" {
	kind_instance
	run --separate-stderr sendmail $CF -i \
	    "\"|$(evil "$OUT/cmd")\"@localhost" \
	    < <(printf 'Subject: x\n\nbody\n')
	[ "$status" -eq 67 ]
	[[ "$stderr" == *"5.1.3 bad recipient address: the local part cannot be a mailbox name"* ]]
	run --separate-stderr sendmail $CF -i "\"$OUT/file\"@localhost" \
	    < <(printf 'Subject: x\n\nbody\n')
	[ "$status" -eq 67 ]
	run --separate-stderr sendmail $CF -i "\"|$(evil "$OUT/cmd")\"" \
	    < <(printf 'Subject: x\n\nbody\n')
	[ "$status" -eq 67 ]
	[ "$(queued active)" -eq 0 ]
	queue-run $CF -f
	[ ! -e "$OUT/cmd" ]
	[ ! -e "$OUT/file" ]
}

@test "kind: sendmail -t skips a |command recipient in To: and delivers the others" {
	kind_instance
	run --separate-stderr sendmail $CF -t -i < <(printf \
	    'To: "|%s"@localhost, carol@localhost\nSubject: x\n\nbody\n' \
	    "$(evil "$OUT/cmd")")
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"cannot be a mailbox name"* ]]
	queue-run $CF -f
	[ ! -e "$OUT/cmd" ]
	[ "$(msgs "$INST/mail/carol")" -eq 1 ]
	# Only a command recipient: no recipient at all.
	run --separate-stderr sendmail $CF -t -i < <(printf \
	    'To: "|%s"@localhost\nSubject: x\n\nbody\n' \
	    "$(evil "$OUT/cmd")")
	[ "$status" -eq 64 ]
	queue-run $CF -f
	[ ! -e "$OUT/cmd" ]
}

@test "kind: a queued |command recipient that got past the front doors is bounced by the resolver" {
	kind_instance
	# queue-inject as root takes what it is given; the resolver must
	# still answer such a mailbox name with an error, never a mailbox.
	run queue-inject $CF -f a@localhost \
	    "|$(evil "$OUT/cmd")@localhost" "$OUT/file@localhost" \
	    < <(printf 'Subject: x\n\nbody\n')
	if [ "$status" -eq 0 ]; then
		queue-run $CF -f
		queue-run $CF -f
		[ "$(bounces "$INST/mail/a")" -ge 1 ]
		grep -q 'status=bounced (5\.1\.3 ' "$INST/maillog"
	fi
	[ ! -e "$OUT/cmd" ]
	[ ! -e "$OUT/file" ]
	[ ! -e "$OUT/file@localhost" ]
	[ "$(queued active)" -eq 0 ]
}

@test "kind: a .forward line \"|cmd\"@localhost is an address, not a command" {
	kind_user
	kind_instance "allow_mail_to_commands = alias, forward"
	# A real .forward command (control: it does run)...
	kind_forward "|touch $OUT/legit"
	printf 'Subject: x\n\nbody\n' | sendmail $CF -i -f a@localhost \
	    "$KIND_USER@localhost"
	queue-run $CF -f
	[ -e "$OUT/legit" ]
	[ "$(stat -c %U "$OUT/legit")" = "$KIND_USER" ]
	# ...but a quoted local part is a mailbox name, refused as one.
	kind_forward "\"|$(evil "$OUT/quoted")\"@localhost"
	printf 'Subject: x\n\nbody\n' | sendmail $CF -i -f a@localhost \
	    "$KIND_USER@localhost"
	queue-run $CF -f
	queue-run $CF -f
	[ ! -e "$OUT/quoted" ]
	[ "$(bounces "$INST/mail/a")" -eq 1 ]
	grep -q '5\.1\.3 bad address syntax' "$INST/mail/a"
	[ "$(queued active)" -eq 0 ]
	# The same quoted form of a file.
	kind_forward "\"$OUT/qfile\"@localhost"
	printf 'Subject: x\n\nbody\n' | sendmail $CF -i -f a@localhost \
	    "$KIND_USER@localhost"
	queue-run $CF -f
	queue-run $CF -f
	[ ! -e "$OUT/qfile" ]
	[ "$(bounces "$INST/mail/a")" -eq 2 ]
}

@test "kind: a .forward |command is refused when allow_mail_to_commands lacks forward" {
	kind_user
	kind_instance "allow_mail_to_commands = alias" \
	    "allow_mail_to_files = alias"
	kind_forward "|touch $OUT/cmd" "$OUT/file"
	printf 'Subject: x\n\nbody\n' | sendmail $CF -i -f a@localhost \
	    "$KIND_USER@localhost"
	queue-run $CF -f
	queue-run $CF -f
	[ ! -e "$OUT/cmd" ]
	[ ! -e "$OUT/file" ]
	[ "$(bounces "$INST/mail/a")" -eq 1 ]
	grep -q '5\.7\.1 mail to command is restricted' "$INST/mail/a"
	grep -q '5\.7\.1 mail to file is restricted' "$INST/mail/a"
	# Quoting the command does not get it past the restriction.
	kind_forward "\"|$(evil "$OUT/quoted")\"@localhost"
	printf 'Subject: x\n\nbody\n' | sendmail $CF -i -f a@localhost \
	    "$KIND_USER@localhost"
	queue-run $CF -f
	queue-run $CF -f
	[ ! -e "$OUT/quoted" ]
	[ "$(bounces "$INST/mail/a")" -eq 2 ]
}

@test "kind: allow_mail_to_commands and _files are honoured per origin (alias, include)" {
	kind_instance "allow_mail_to_commands = forward" \
	    "allow_mail_to_files = forward"
	printf '|touch %s/inc-cmd\n%s/inc-file\n' "$OUT" "$OUT" \
	    >"$INST/etc/list"
	kind_aliases "prog: |touch $OUT/cmd" "log: $OUT/file" \
	    "list: :include:$INST/etc/list"
	printf 'Subject: x\n\nbody\n' | sendmail $CF -i -f a@localhost \
	    prog@localhost log@localhost list@localhost
	queue-run $CF -f
	queue-run $CF -f
	[ ! -e "$OUT/cmd" ]
	[ ! -e "$OUT/file" ]
	[ ! -e "$OUT/inc-cmd" ]
	[ ! -e "$OUT/inc-file" ]
	[ "$(bounces "$INST/mail/a")" -eq 1 ]
	[ "$(grep -c '5\.7\.1 mail to .* is restricted' "$INST/mail/a")" -ge 4 ]
	# alias allows aliases, not their :include: files.
	kind_instance "allow_mail_to_commands = alias" \
	    "allow_mail_to_files = alias"
	printf '|touch %s/inc-cmd\n%s/inc-file\n' "$OUT" "$OUT" \
	    >"$INST/etc/list"
	kind_aliases "prog: |touch $OUT/cmd" "log: $OUT/file" \
	    "list: :include:$INST/etc/list"
	printf 'Subject: x\n\nbody\n' | sendmail $CF -i -f a@localhost \
	    prog@localhost log@localhost list@localhost
	queue-run $CF -f
	queue-run $CF -f
	[ -e "$OUT/cmd" ]
	[ "$(msgs "$OUT/file")" -eq 1 ]
	[ ! -e "$OUT/inc-cmd" ]
	[ ! -e "$OUT/inc-file" ]
}

@test "kind: a forged old-style expand record with a |command is not run" {
	kind_instance
	# A message held (not delivered), then a pipe delivery of the old
	# form, whose kind was read from the first byte, added to its file.
	printf 'Subject: x\n\nbody\n' | queue-inject $CF -h -f a@localhost \
	    b@localhost >/dev/null
	f=$(find "$INST/spool/hold" -type f | head -n 1)
	[ -n "$f" ]
	printf 'expand 0\tpipe\tnobody\t|touch %s/cmd\t|touch %s/cmd\n' \
	    "$OUT" "$OUT" >>"$f"
	printf 'expand 0\tlocal\t-\t|%s\tx@localhost\n' \
	    "$(evil "$OUT/cmd2")" >>"$f"
	mv "$f" "$INST/spool/active/"
	queue-run $CF -f
	queue-run $CF -f
	[ ! -e "$OUT/cmd" ]
	[ ! -e "$OUT/cmd2" ]
	[ "$(queued active)" -eq 0 ]
}

@test "kind: deliver-local never reads | or / in USER as a delivery kind" {
	kind_instance
	run --separate-stderr deliver-local "|$(evil "$OUT/cmd")" \
	    < <(echo x)
	[ "$status" -eq 67 ]
	[[ "$stderr" == *"5.1.3 bad user name syntax"* ]]
	run --separate-stderr deliver-local "$OUT/file" < <(echo x)
	[ "$status" -eq 67 ]
	run --separate-stderr deliver-local "-oQ" < <(echo x)
	[ "$status" -eq 64 ]
	run --separate-stderr deliver-local -- "-x" < <(echo x)
	[ "$status" -eq 67 ]
	run --separate-stderr deliver-local -- "x|$(evil "$OUT/mid")" \
	    < <(echo x)
	[ "$status" -eq 67 ]
	[ ! -e "$OUT/cmd" ]
	[ ! -e "$OUT/mid" ]
	[ ! -e "$OUT/file" ]
	[ "$(ls -A "$INST/mail")" = "" ]
	# Only the explicit flags name a command or a file.
	echo x | deliver-local -x "touch $OUT/cmd"
	[ -e "$OUT/cmd" ]
	echo x | deliver-local -w "$OUT/file"
	[ "$(msgs "$OUT/file")" -eq 1 ]
}

@test "kind: an alias |command and /file still deliver when allowed" {
	kind_instance
	kind_aliases "prog: \"|cat >$OUT/piped\"" "log: $OUT/log" \
	    "box: $OUT/box/"
	printf 'Subject: legit\n\nbody\n' | sendmail $CF -i -f a@localhost \
	    prog@localhost log@localhost box@localhost
	queue-run $CF -f
	[ "$(queued active)" -eq 0 ]
	grep -q '^Subject: legit$' "$OUT/piped"
	[ "$(msgs "$OUT/log")" -eq 1 ]
	[ "$(stat -c %U "$OUT/log")" = nobody ]
	[ "$(find "$OUT/box/new" -type f | wc -l)" -eq 1 ]
	grep -q 'relay=pipe, .*status=sent' "$INST/maillog"
	[ "$(bounces "$INST/mail/a")" -eq 0 ]
}

@test "audit: root's postmap on a user's table cannot read a root-only file for him" {
	kind_instance
	kind_user
	printf '[smtp.example.com]:587 relayuser:S3cretPassw0rd\n' \
	    >"$BATS_TEST_TMPDIR/sasl_passwd"
	chmod 600 "$BATS_TEST_TMPDIR/sasl_passwd"
	# The user points his table at the secret, and leaves a readable .db
	# whose mode the new table would keep.
	runuser -u "$KIND_USER" -- sh -c "cd '$KIND_HOME' &&
	    ln -s '$BATS_TEST_TMPDIR/sasl_passwd' table &&
	    : >table.db && chmod 644 table.db && : >alias.db &&
	    ln -s '$BATS_TEST_TMPDIR/sasl_passwd' alias"
	run postmap $CF "$KIND_HOME/table"
	[ "$status" -ne 0 ]
	run postalias $CF "$KIND_HOME/alias"
	[ "$status" -ne 0 ]
	run ! grep -qa S3cret "$KIND_HOME/table.db" "$KIND_HOME/alias.db"
	run ! runuser -u "$KIND_USER" -- postmap $CF -q '[smtp.example.com]:587' \
	    "hash:$KIND_HOME/table"
	[ "$output" = "" ] || [[ "$output" != *S3cret* ]]
	run ! runuser -u "$KIND_USER" -- postmap $CF -s "hash:$KIND_HOME/table"
	[[ "$output" != *S3cret* ]]
}

@test "audit: root's postmap builds and edits a user's own table as him; -o stays root" {
	kind_instance
	kind_user
	runuser -u "$KIND_USER" -- sh -c "cd '$KIND_HOME' &&
	    printf 'k1 v1\nk2 v2\n' >table"
	postmap $CF "$KIND_HOME/table"
	[ "$(stat -c %U "$KIND_HOME/table.db")" = "$KIND_USER" ]
	[ "$(postmap $CF -q k1 "hash:$KIND_HOME/table")" = v1 ]
	postmap $CF -d k2 "hash:$KIND_HOME/table"
	[ "$(stat -c %U "$KIND_HOME/table.db")" = "$KIND_USER" ]
	run postmap $CF -q k2 "hash:$KIND_HOME/table"
	[ "$status" -eq 1 ]
	postmap $CF -o "$KIND_HOME/table"
	[ "$(stat -c %U "$KIND_HOME/table.db")" = root ]
	[ "$(postmap $CF -q k2 "hash:$KIND_HOME/table")" = v2 ]
}

@test "audit: a maillog_file link left in a log directory a user can write is not followed by root" {
	kind_instance
	mkdir "$INST/logdir"
	chown nobody "$INST/logdir"
	echo "root's data" >"$INST/victim"
	runuser -u nobody -- ln -s "$INST/victim" "$INST/logdir/maillog"
	runuser -u nobody -- ln -s "$INST/created" "$INST/logdir/new"
	runuser -u nobody -- ln "$INST/victim" "$INST/logdir/hard" 2>/dev/null ||
	    true
	for f in maillog new hard; do
		printf 'Subject: x\n\nbody\n' |
		    sendmail -c "$INST/etc" -f a@localhost bob@localhost
		sed -i "s|^maillog_file = .*|maillog_file = $INST/logdir/$f|" \
		    "$INST/etc/main.cf"
		queue-run $CF -f
		run --separate-stderr deliver-local $CF bob </dev/null
	done
	[ "$(cat "$INST/victim")" = "root's data" ]
	[ ! -e "$INST/created" ]
	# Mail still flows; a log of our own is still written.
	[ "$(grep -c '^From ' "$INST/mail/bob")" -ge 3 ]
	sed -i "s|^maillog_file = .*|maillog_file = $INST/logdir/own|" \
	    "$INST/etc/main.cf"
	queue-run $CF -f
	grep -q 'one pass done' "$INST/logdir/own"
}

@test "audit: a client's terminal escapes (C1 controls in UTF-8) never reach the maillog" {
	kind_instance
	# CSI 2J clears the screen, OSC 52 writes the clipboard of whoever
	# watches the log with tail -f; C1 controls work in UTF-8 too.
	printf 'EHLO x\r\nMAIL FROM:<"\xc2\x9b2J\xc2\x9d52;c;aGk=\xc2\x9c\xe2\x82\xac"@x.example> SMTPUTF8\r\nRCPT TO:<nobody@remote.example>\r\nQUIT\r\n' \
	    >"$BATS_TEST_TMPDIR/session"
	TCPREMOTEIP=192.0.2.1 smtp-listen $CF <"$BATS_TEST_TMPDIR/session" \
	    >/dev/null
	# The rejection is logged, with the sender's printable text kept.
	LC_ALL=C grep -q "from=<\"??2J??52;c;aGk=??$(printf '\xe2\x82\xac')\"@x.example>" \
	    "$INST/maillog"
	[ "$(LC_ALL=C grep -c "$(printf '\xc2[\x80-\x9f]')" "$INST/maillog")" -eq 0 ]
}

@test "audit: deliver-local -f quotes an unquoted sender, so it stays one word of the From line" {
	kind_instance
	# As another MTA's mailbox command passes it (Postfix's $SENDER).
	printf 'Subject: y\n\nb\n' |
	    deliver-local $CF -f 'x  Mon Jan  1 00:00:00 2001 y@evil.example' bob
	printf 'Subject: y\n\nb\n' | deliver-local $CF -f 'plain@evil.example' bob
	printf 'Subject: y\n\nb\n' | deliver-local $CF -f '"q x"@evil.example' bob
	run grep -a '^From \|^Return-Path' "$INST/mail/bob"
	[[ "${lines[0]}" == 'From "x  Mon Jan  1 00:00:00 2001 y"@evil.example '* ]]
	[ "${lines[1]}" = 'Return-Path: <"x  Mon Jan  1 00:00:00 2001 y"@evil.example>' ]
	[[ "${lines[2]}" == 'From plain@evil.example '* ]]
	[[ "${lines[4]}" == 'From "q x"@evil.example '* ]]
}

@test "audit: smtp-listen under inetd refuses to serve a client as root (mail_owner = root)" {
	kind_instance
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	echo "mail_owner = root" >>"$INST/etc/main.cf"
	run --separate-stderr bash -c "printf 'EHLO x\r\nQUIT\r\n' |
	    TCPREMOTEIP=192.0.2.1 smtp-listen $CF"
	[ "$status" -eq 78 ]
	[ "$output" = "" ]
	[[ "$stderr" == *"refusing to serve"* ]]
}

@test "audit: sendmail -bv never hands an address to route-transport as an option" {
	kind_instance
	# A script that verifies untrusted addresses as root must not let one
	# choose route-transport's configuration.
	mkdir "$BATS_TEST_TMPDIR/evil"
	printf 'local_recipient_maps =\nmydestination = elsewhere.example\n' \
	    >"$BATS_TEST_TMPDIR/evil/main.cf"
	run --separate-stderr sendmail $CF -bv -- "-c$BATS_TEST_TMPDIR/evil" \
	    bob@localhost
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "-c$BATS_TEST_TMPDIR/evil"$'\t'error$'\t'* ]]
	[ "${lines[1]}" = "bob@localhost	local	-	bob" ]
}

@test "audit: deliver-local -a cannot add a header line after Delivered-To" {
	kind_instance
	run --separate-stderr deliver-local $CF -a $'bob@x.example\nX-Injected: 1' \
	    bob < <(printf 'Subject: y\n\nb\n')
	[ "$status" -eq 65 ]
	run --separate-stderr deliver-local $CF -a $'bob@x.example\rX-Injected: 1' \
	    bob < <(printf 'Subject: y\n\nb\n')
	[ "$status" -eq 65 ]
	[ ! -e "$INST/mail/bob" ]
	printf 'Subject: y\n\nb\n' | deliver-local $CF -a bob@x.example bob
	grep -q '^Delivered-To: bob@x.example$' "$INST/mail/bob"
	run ! grep -q 'X-Injected' "$INST/mail/bob"
}
