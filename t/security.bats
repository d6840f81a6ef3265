#!/usr/bin/env bats
# security: each attack on pipemail, done as an attacker would, and checked
# by its outcome: nothing ran, no file was written, no byte of mail was
# lost, the connection was cut in time.  Tests are named after the part of
# the system they attack; each part has its own set-up, picked by the
# test's name.

load helper
bats_require_minimum_version 1.5.0

setup() {
	case $BATS_TEST_DESCRIPTION in
	kind:*) kind_setup ;;
	hardening:*) kind_setup ;;
	crash:*) kind_setup ;;
	qtrust:*) qtrust_setup ;;
	smtpd:*) smtpd_setup ;;
	local:*) local_setup ;;
	space:*) space_setup ;;
	scale:*) scale_setup ;;
	esac
}

teardown() {
	case $BATS_TEST_DESCRIPTION in
	kind:*) kind_teardown ;;
	hardening:*) kind_teardown ;;
	crash:*) kind_teardown ;;
	qtrust:*) qtrust_teardown ;;
	smtpd:*) smtpd_teardown ;;
	local:*) local_teardown ;;
	space:*) space_teardown ;;
	scale:*) scale_teardown ;;
	esac
}

# ---- kind ----

KIND_USER=pmtest-kind

kind_setup() {
	KIND_MADE_USER=
	OUT=
}

kind_teardown() {
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

@test "hardening: root's postmap on a user's table cannot read a root-only file for him" {
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

@test "hardening: root's postmap builds and edits a user's own table as him; -o stays root" {
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

@test "hardening: a maillog_file link left in a log directory a user can write is not followed by root" {
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

@test "hardening: a client's terminal escapes (C1 controls in UTF-8) never reach the maillog" {
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

@test "hardening: deliver-local -f quotes an unquoted sender, so it stays one word of the From line" {
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

@test "hardening: smtp-listen under inetd refuses to serve a client as root (mail_owner = root)" {
	kind_instance
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	echo "mail_owner = root" >>"$INST/etc/main.cf"
	run --separate-stderr bash -c "printf 'EHLO x\r\nQUIT\r\n' |
	    TCPREMOTEIP=192.0.2.1 smtp-listen $CF"
	[ "$status" -eq 78 ]
	[ "$output" = "" ]
	[[ "$stderr" == *"refusing to serve"* ]]
}

@test "hardening: sendmail -bv never hands an address to route-transport as an option" {
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

@test "hardening: deliver-local -a cannot add a header line after Delivered-To" {
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

@test "hardening: a regexp alias cannot put a sender's local part into a |command" {
	kind_instance
	printf '%s\n' '/^owner-list$/ bob' '/^(.*)-list$/ |/bin/echo $1' \
	    >"$INST/etc/aliases.re"
	sed -i "s|^alias_maps = .*|alias_maps = regexp:$INST/etc/aliases.re|" \
	    "$INST/etc/main.cf"
	printf 'EHLO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<"x;%s;-list"@localhost>\r\nDATA\r\nSubject: t\r\n\r\nhi\r\n.\r\nQUIT\r\n' \
	    "$(evil "$OUT/pwned")" >"$BATS_TEST_TMPDIR/session"
	TCPREMOTEIP=192.0.2.1 smtp-listen $CF <"$BATS_TEST_TMPDIR/session" \
	    >"$BATS_TEST_TMPDIR/replies"
	grep -q '^250 2.0.0' "$BATS_TEST_TMPDIR/replies"
	queue-run $CF -f
	[ ! -e "$OUT/pwned" ]
	grep -q 'substitution is not allowed' "$INST/maillog"
	# A rule without $1 still works.
	printf 'Subject: x\n\nb\n' | sendmail $CF -f a@localhost owner-list@localhost
	queue-run $CF -f
	[ "$(msgs "$INST/mail/bob")" -eq 1 ]
}

@test "crash: a recipient's command cannot write delivery state through any descriptor it can reach" {
	kind_user
	kind_instance "allow_mail_to_commands = alias, forward"
	# The attacker's command, run as the recipient: every descriptor of
	# its own and of its parent (the delivery agent) that leads into the
	# spool gets a forged record appended, which would mark the other
	# recipient delivered, and an expand to a command of the attacker's.
	cat >"$OUT/evil.sh" <<-EOF
	for f in /proc/self/fd/* /proc/\$PPID/fd/*; do
		t=\$(readlink "\$f") || continue
		case \$t in
		*spool*) if printf 'done 1\tsent\t2.0.0\tforged\nexpand 1\tpipe\tforward\t-\ttouch $OUT/pwned\t|x\n' >>"\$f" 2>/dev/null
			then echo "wrote \$t"; else echo "refused \$t"; fi ;;
		esac
	done >>"$OUT/result"
	echo ran >>"$OUT/result"
	cat >/dev/null
	EOF
	chown "$KIND_USER" "$OUT/evil.sh"
	kind_forward "|/bin/sh $OUT/evil.sh"
	# The other recipient's mailbox cannot be written for now: it is
	# deferred, so the queue file outlives the attacker's delivery.
	mkdir -p "$INST/mail/bob"
	printf 'Subject: x\n\nbody\n' | sendmail $CF -i -f a@localhost \
	    "$KIND_USER@localhost" bob@localhost
	qf=$(ls "$INST"/spool/active/*)
	queue-run $CF -f
	grep -qx ran "$OUT/result"
	run ! grep -q '^wrote' "$OUT/result"
	run ! grep -q forged "$qf"
	[ ! -e "$OUT/pwned" ]
	# bob is delivered once his mailbox can be.
	rmdir "$INST/mail/bob"
	queue-run $CF -f
	[ "$(queued active)" -eq 0 ]
	[ "$(msgs "$INST/mail/bob")" -eq 1 ]
	[ ! -e "$OUT/pwned" ]
}

@test "crash: outcome slots in a directory others can write are not trusted" {
	kind_instance
	printf 'Subject: x\n\nbody\n' | sendmail $CF -i -f a@localhost bob@localhost
	id=$(ls "$INST/spool/active")
	# A forged slot claims bob's delivery made, in a directory anyone
	# may write (a mistaken chmod, or one an attacker made first).
	mkdir -p "$INST/spool/agents"
	chmod 1777 "$INST/spool/agents"
	printf '%s 0 7\n' "$id" >"$INST/spool/agents/99999.job"
	printf '7 0\n' >"$INST/spool/agents/99999.done"
	chmod 600 "$INST/spool/agents"/99999.*
	queue-run $CF -f
	grep -q 'agents: not a directory of ours alone' "$INST/maillog"
	run ! grep -q 'outcome kept by its agent' "$INST/maillog"
	[ "$(msgs "$INST/mail/bob")" -eq 1 ]
	# In queue-run's own directory a slot file someone else owns, or
	# one others may read, is not read either.
	rm -rf "$INST/spool/agents"
	printf 'Subject: y\n\nbody\n' | sendmail $CF -i -f a@localhost bob@localhost
	id=$(ls "$INST/spool/active")
	mkdir -m 700 "$INST/spool/agents"
	printf '%s 0 7\n' "$id" >"$INST/spool/agents/99999.job"
	printf '7 0\n' >"$INST/spool/agents/99999.done"
	chmod 644 "$INST/spool/agents/99999.done"
	queue-run $CF -f
	run ! grep -q 'outcome kept by its agent' "$INST/maillog"
	[ "$(msgs "$INST/mail/bob")" -eq 2 ]
}

# ---- qtrust ----

qtrust_setup() {
	instance "local_recipient_maps = static:any"
	ATT=
	# Where a command run as default_privs (nobody) could write.
	MARK=$INST/mail/ran
}

qtrust_teardown() {
	setgid_cleanup
	if [ -n "$ATT" ]; then rm -rf "$ATT"; fi
}

# qtrust_crafted FILE - a queue file as root made it, held so that it is
# not delivered, then given records only queue-run may write: one that
# routes the recipient to a command.  Prints nothing; FILE is the copy.
qtrust_crafted() {
	local id
	id=$(printf 'Subject: bait\n\nbait\n' | queue-inject -h -f a@example.test victim@localhost)
	cp "$INST/spool/hold/$id" "$1"
	rm -f "$INST/spool/hold/$id"
	printf 'expand 0\tlocal\t-\t|/usr/bin/touch %s\tvictim@localhost\n' "$MARK" >>"$1"
	printf 'expand 0\tpipe\t-\t/usr/bin/touch %s\tvictim@localhost\n' "$MARK" >>"$1"
}

@test "qtrust: a user's -c DIR and MAIL_CONFIG are ignored by the set-group-id queue-inject" {
	setgid_user pmqtu pmqtg
	instance "setgid_group = pmqtg"
	printf 'x\n' | queue-inject -h -f a@b c@d	# the layout, as root
	sysconf_main_cf "queue_directory = $INST/spool" "mail_owner = nobody" \
	    "setgid_group = pmqtg"
	# A file the spool group may write: a log opened with the
	# program's privilege would be appended to.
	T=$BATS_TEST_TMPDIR/target
	echo precious >"$T"
	chgrp pmqtg "$T"
	chmod 660 "$T"
	ATT=$(mktemp -d /tmp/qtrust.XXXXXX)
	# An unknown name: a warning, logged as soon as the log is open.
	printf 'queue_directory = %s/q\nmaillog_file = %s\nbogus_name = 1\n' \
	    "$ATT" "$T" >"$ATT/main.cf"
	chown -R pmqtu "$ATT"
	chmod 755 "$ATT"
	send="printf 'Subject: a\\\\n\\\\nbody\\\\n' | $SG_BIN/queue-inject"
	run as_user pmqtu "$send -c $ATT -f pmqtu@x rcpt@example.org"
	[ "$(cat "$T")" = precious ]
	[ "$status" -eq 0 ]
	[ ! -e "$ATT/q" ]
	[ "$(queued maildrop)" -eq 1 ]
	# The same through MAIL_CONFIG, with a log file of the user's choice.
	printf 'queue_directory = %s/q\nmaillog_file = %s/newlog\n' "$ATT" \
	    "$ATT" >"$ATT/main.cf"
	run as_user pmqtu "MAIL_CONFIG=$ATT; export MAIL_CONFIG; $send -f pmqtu@x rcpt@example.org"
	[ ! -e "$ATT/newlog" ]
	[ "$status" -eq 0 ]
	[ ! -e "$ATT/q" ]
	[ "$(queued maildrop)" -eq 2 ]
	[ "$(cat "$T")" = precious ]
}

@test "qtrust: a directory alternate_config_directories names is read only when root's alone" {
	setgid_user pmqtu pmqtg
	instance "setgid_group = pmqtg"
	printf 'x\n' | queue-inject -h -f a@b c@d
	ATT=$(mktemp -d /tmp/qtrust.XXXXXX)
	sysconf_main_cf "queue_directory = $INST/spool" "mail_owner = nobody" \
	    "setgid_group = pmqtg" "alternate_config_directories = $ATT"
	cp "$INST/etc/main.cf" "$ATT/main.cf"
	echo "maillog_file = $ATT/newlog" >>"$ATT/main.cf"
	chmod 755 "$ATT"
	# The user's own main.cf in a directory root allowed.
	chown pmqtu "$ATT/main.cf"
	send="printf 'Subject: a\\\\n\\\\nbody\\\\n' | $SG_BIN/queue-inject -c $ATT -f pmqtu@x r@example.org"
	run as_user pmqtu "$send"
	[ "$status" -eq 77 ]
	[ ! -e "$ATT/newlog" ]
	# A link to a file the user writes, in a directory root owns.
	chown root "$ATT/main.cf"
	mv "$ATT/main.cf" "$ATT/real.cf"
	chown pmqtu "$ATT/real.cf"
	ln -s real.cf "$ATT/main.cf"
	run as_user pmqtu "$send"
	[ "$status" -ne 0 ]
	[ ! -e "$ATT/newlog" ]
	# A main.cf the spool group may write.
	rm "$ATT/main.cf"
	mv "$ATT/real.cf" "$ATT/main.cf"
	chown root:pmqtg "$ATT/main.cf"
	chmod 664 "$ATT/main.cf"
	run as_user pmqtu "$send"
	[ "$status" -eq 77 ]
	[ ! -e "$ATT/newlog" ]
	[ "$(queued maildrop)" -eq 0 ]
	[ "$(queued active)" -eq 0 ]
	# Root's alone, it is read.
	chmod 644 "$ATT/main.cf"
	chown root:root "$ATT/main.cf"
	run as_user pmqtu "$send"
	[ "$status" -eq 0 ]
	[ "$(queued maildrop)" -eq 1 ]
}

@test "qtrust: a queue file a user wrote into active/ runs nothing and is set aside" {
	qtrust_crafted "$BATS_TEST_TMPDIR/crafted"
	# A user's file, and one the queue owner made but a group may write.
	cp "$BATS_TEST_TMPDIR/crafted" "$INST/spool/active/6B0000000000001"
	chown daemon "$INST/spool/active/6B0000000000001"
	cp "$BATS_TEST_TMPDIR/crafted" "$INST/spool/active/6B0000000000002"
	chown nobody "$INST/spool/active/6B0000000000002"
	chmod 660 "$INST/spool/active/6B0000000000002"
	# Beside them, real mail that must still go.
	printf 'Subject: real\n\nreal\n' | queue-inject -f a@example.test bob@localhost
	queue-run -f
	[ ! -e "$MARK" ]
	[ ! -e "$INST/mail/victim" ]
	grep -q '^real$' "$INST/mail/bob"
	[ -f "$INST/spool/corrupt/active.6B0000000000001" ]
	[ -f "$INST/spool/corrupt/active.6B0000000000002" ]
	[ "$(queued active)" -eq 0 ]
	# Set aside once: another pass does not see them again.
	queue-run -f
	[ "$(queued corrupt)" -eq 2 ]
	[ ! -e "$MARK" ]
}

@test "qtrust: a symlink or a hard link planted in active/ is not followed" {
	qtrust_crafted "$BATS_TEST_TMPDIR/crafted"
	chown nobody "$BATS_TEST_TMPDIR/crafted"
	chmod 600 "$BATS_TEST_TMPDIR/crafted"
	ln -s "$BATS_TEST_TMPDIR/crafted" "$INST/spool/active/6B0000000000003"
	# A hard link to a held message: two names, one file.
	id=$(printf 'Subject: held\n\nheld\n' | queue-inject -h -f a@example.test carol@localhost)
	cp "$INST/spool/hold/$id" "$BATS_TEST_TMPDIR/held.before"
	ln "$INST/spool/hold/$id" "$INST/spool/active/$id"
	queue-run -f
	[ ! -e "$MARK" ]
	[ ! -e "$INST/mail/victim" ]
	[ ! -e "$INST/mail/carol" ]
	[ -L "$INST/spool/corrupt/active.6B0000000000003" ]
	[ -f "$INST/spool/corrupt/active.$id" ]
	cmp "$INST/spool/hold/$id" "$BATS_TEST_TMPDIR/held.before"
	# The link's target was neither written nor moved.
	[ -f "$BATS_TEST_TMPDIR/crafted" ]
	run grep -c '^done\|^defer' "$BATS_TEST_TMPDIR/crafted"
	[ "$output" = 0 ]
}

@test "qtrust: a submission carrying delivery state is refused" {
	# Dropped into maildrop/ with state records after its envelope.
	qtrust_crafted "$INST/spool/maildrop/6B0000000000004"
	chown daemon "$INST/spool/maildrop/6B0000000000004"
	printf 'Subject: real\n\nreal\n' | queue-inject -f a@example.test bob@localhost
	queue-run -f
	[ ! -e "$MARK" ]
	[ ! -e "$INST/mail/victim" ]
	[ -f "$INST/spool/corrupt/maildrop.6B0000000000004" ]
	[ "$(queued maildrop)" -eq 0 ]
	grep -q '^real$' "$INST/mail/bob"
	# Through queue-inject's envelope: a recipient that ends a record
	# and starts a state record is refused, and nothing is queued.
	run bash -c 'printf "Subject: e\n\nx\n" | queue-inject -e 3 3< <(printf "Fs@x\0Tv@localhost\nexpand 0\tlocal\t-\t|/usr/bin/touch $1\tv@localhost\0\0")' _ "$MARK"
	[ "$status" -eq 65 ]
	run bash -c 'printf "Subject: e\n\nx\n" | queue-inject -e 3 3< <(printf "Fs@x\0Xdone 0\tsent\t2.0.0\tx\0Tv@localhost\0\0")'
	[ "$status" -eq 65 ]
	queue-run -f
	[ ! -e "$MARK" ]
	[ "$(queued active)" -eq 0 ]
	[ "$(queued tmp)" -eq 0 ]
}

@test "qtrust: RET with a control character is refused, nothing queued" {
	run bash -c 'printf "Subject: e\n\nx\n" | queue-inject -e 3 3< <(printf "Fs@x\0RFULL\nexpand 0\tlocal\t-\t|/usr/bin/touch $1\tv@localhost\0Tv@localhost\0\0")' _ "$MARK"
	[ "$status" -eq 65 ]
	[[ "$output" == *"5.5.4"* ]]
	run bash -c 'printf "Subject: e\n\nx\n" | queue-inject -e 3 3< <(printf "Fs@x\0Rfull\tx\0Tv@localhost\0\0")'
	[ "$status" -eq 65 ]
	[ "$(queued active)" -eq 0 ]
	[ "$(queued tmp)" -eq 0 ]
	queue-run -f
	[ ! -e "$MARK" ]
}

@test "qtrust: a user's submission cannot claim another origin in its Received header" {
	setgid_user pmqtu pmqtg
	instance "setgid_group = pmqtg"
	printf 'x\n' | queue-inject -h -f a@b c@d
	sysconf_main_cf "queue_directory = $INST/spool" "mail_owner = nobody" \
	    "setgid_group = pmqtg"
	run as_user pmqtu "printf 'Subject: a\\\\n\\\\nbody\\\\n' | $SG_BIN/queue-inject -p ESMTP -r 'from mx.trusted.example ([10.0.0.1])' -f pmqtu@x r@example.org"
	[ "$status" -eq 0 ]
	f=$INST/spool/maildrop/${lines[-1]}
	grep -q "^Received: by [^ ]* (pipemail, from userid $(id -u pmqtu))" "$f"
	run grep -c 'trusted\|ESMTP' "$f"
	[ "$output" = 0 ]
}

@test "qtrust: a from-clause cannot end the trace header and start another" {
	printf 'Subject: a\n\nbody\n' | queue-inject -r $'from x\nX-Injected: yes' -p $'ESMTP\rY' -f s@x r@example.org
	f=$(find "$INST/spool/active" -type f)
	run grep -c '^X-Injected' "$f"
	[ "$output" = 0 ]
	grep -q '^Received: from x X-Injected: yes$' "$f"
}

# ---- smtpd ----

smtpd_setup() {
	instance "local_recipient_maps = static:any"
	LPID=
	QRPID=
}

smtpd_teardown() {
	if [ -n "$LPID" ]; then kill "$LPID" 2>/dev/null || true; fi
	if [ -n "$QRPID" ]; then kill "$QRPID" 2>/dev/null || true; fi
	wait 2>/dev/null || true
}

# smtpd_listen - smtp-listen -l on 127.0.0.1 and ::1, port in $PORT
smtpd_listen() {
	PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	smtp-listen -l "127.0.0.1:$PORT" -l "[::1]:$PORT" 3>&- &
	LPID=$!
	wait_for "grep -q 'listening on \[::1\]:$PORT' '$INST/maillog'" 10
}

# defers - the defer records in the queue file of the message to $1
defers() {
	local f
	f=$(grep -l "^rcpt $1" "$INST"/spool/active/* | head -1)
	grep -c '^defer ' "$f" || true
}

@test "smtpd: 25 bad commands: no delay for 10, then cut at 20 with 421 within seconds" {
	# Postfix's defaults: soft limit 10, 1 s per error after it, hard 20.
	run python3 - <<-'EOF2'
	import subprocess, time
	p = subprocess.Popen(["smtp-listen"], stdin=subprocess.PIPE,
	    stdout=subprocess.PIPE)
	out = p.stdout
	out.readline()                          # the banner
	t0 = time.monotonic()
	p.stdin.write(b"BAD\r\n" * 10); p.stdin.flush()
	for i in range(10):
	    out.readline()
	print("first10 %.2f" % (time.monotonic() - t0))
	p.stdin.write(b"BAD\r\n" * 15); p.stdin.flush()
	lines = []
	while True:
	    l = out.readline()
	    if not l:
	        break
	    lines.append(l.decode().strip())
	print("total %.2f" % (time.monotonic() - t0))
	print("replies %d" % (10 + len(lines)))
	print("last " + lines[-1])
	p.wait(timeout=5)
	print("exit %d" % p.returncode)
	EOF2
	[ "$status" -eq 0 ]
	first=$(awk '/^first10/ {print $2}' <<<"$output")
	total=$(awk '/^total/ {print $2}' <<<"$output")
	# No delay for the first ten (generously: under a second in all).
	awk -v t="$first" 'BEGIN { exit !(t < 1.0) }'
	# Twenty error replies, then 421 and the close: about 9 s of sleep.
	grep -qx 'replies 21' <<<"$output"
	grep -qx 'last 421 4.7.0 mx.example.test Error: too many errors' <<<"$output"
	awk -v t="$total" 'BEGIN { exit !(t >= 5 && t < 20) }'
}

@test "smtpd: 100 slow clients from one address do not lock out other clients" {
	# The defaults (default_process_limit 100, 50 per client address),
	# with no exceptions: the loopback attacker is counted.
	instance "local_recipient_maps = static:any" \
	    "smtpd_client_event_limit_exceptions ="
	smtpd_listen
	run timeout 60 python3 - "$PORT" <<-'EOF2'
	import socket, smtplib, sys, time
	port = int(sys.argv[1])
	slow, refused = [], 0
	for i in range(100):
	    s = socket.create_connection(("127.0.0.1", port))
	    s.settimeout(5)
	    l = s.recv(200)
	    if l.startswith(b"421 4.7.0"):
	        refused += 1
	        s.close()
	    else:
	        slow.append(s)
	# They trickle one byte every so often, never finishing a command.
	for s in slow:
	    s.send(b"N")
	served = 0
	for i in range(10):
	    c = smtplib.SMTP("::1", port, timeout=10)
	    c.ehlo("normal.example")
	    c.sendmail("a@example.org", ["b@example.test"], "Subject: x\r\n\r\nhi\r\n")
	    c.quit()
	    served += 1
	    for s in slow:
	        s.send(b"O")
	print("held %d refused %d served %d" % (len(slow), refused, served))
	EOF2
	[ "$status" -eq 0 ]
	grep -qx 'held 50 refused 50 served 10' <<<"$output"
	[ "$(queued active)" -eq 10 ]
}

@test "smtpd: slow clients holding every process are cut once the limit is reached (stress)" {
	instance "local_recipient_maps = static:any" \
	    "default_process_limit = 5" \
	    "smtpd_client_connection_count_limit = 0" \
	    "smtpd_timeout = \${stress?{2}:{300}}s"
	smtpd_listen
	run timeout 60 python3 - "$PORT" <<-'EOF2'
	import socket, smtplib, sys, time
	port = int(sys.argv[1])
	slow = []
	for i in range(5):
	    s = socket.create_connection(("127.0.0.1", port))
	    s.settimeout(0.2)
	    s.recv(200)
	    slow.append(s)
	# One more: over the limit, refused, and now all five are stressed.
	x = socket.create_connection(("127.0.0.1", port))
	print("extra " + x.recv(200).decode().strip())
	t0 = time.monotonic()
	cut = {}
	while len(cut) < 5 and time.monotonic() - t0 < 30:
	    for i, s in enumerate(slow):
	        if i in cut:
	            continue
	        try:
	            s.send(b"N")
	            d = s.recv(200)
	            if d == b"" or d.startswith(b"421"):
	                cut[i] = time.monotonic() - t0
	        except socket.timeout:
	            pass
	        except OSError:
	            cut[i] = time.monotonic() - t0
	print("cut %d max %.1f" % (len(cut), max(cut.values())))
	c = smtplib.SMTP("127.0.0.1", port, timeout=10)
	c.sendmail("a@example.org", ["b@example.test"], "Subject: x\r\n\r\nhi\r\n")
	c.quit()
	print("served")
	EOF2
	[ "$status" -eq 0 ]
	grep -qx 'extra 421 4.3.2 mx.example.test Error: too many connections' <<<"$output"
	grep -q '^cut 5 ' <<<"$output"
	max=$(awk '/^cut/ {print $4}' <<<"$output")
	awk -v t="$max" 'BEGIN { exit !(t < 10) }'
	grep -qx served <<<"$output"
}

@test "smtpd: a one-byte-at-a-time DATA trickle is cut by the deadline" {
	instance "local_recipient_maps = static:any" \
	    "smtpd_per_request_deadline = yes" "smtpd_timeout = 3s"
	run timeout 60 python3 - <<-'EOF2'
	import subprocess, time, select
	p = subprocess.Popen(["smtp-listen"], stdin=subprocess.PIPE,
	    stdout=subprocess.PIPE)
	p.stdin.write(b"HELO x\r\nMAIL FROM:<a@example.org>\r\n"
	    b"RCPT TO:<b@example.test>\r\nDATA\r\n"); p.stdin.flush()
	for i in range(5):
	    p.stdout.readline()
	t0 = time.monotonic()
	last = b""
	# Each byte comes well within smtpd_timeout of the one before.
	while time.monotonic() - t0 < 40:
	    try:
	        p.stdin.write(b"x"); p.stdin.flush()
	    except BrokenPipeError:
	        break
	    r, _, _ = select.select([p.stdout], [], [], 0.5)
	    if r:
	        last = p.stdout.readline()
	        break
	print("after %.1f: %s" % (time.monotonic() - t0, last.decode().strip()))
	EOF2
	[ "$status" -eq 0 ]
	[[ "$output" == *": 421 4.4.2 mx.example.test Error: timeout exceeded" ]]
	t=$(awk '{print $2}' <<<"$output" | tr -d :)
	awk -v t="$t" 'BEGIN { exit !(t >= 2 && t < 10) }'
	[ "$(queued active)" -eq 0 ]
}

@test "smtpd: a command trickled one byte at a time is cut by the deadline" {
	instance "smtpd_per_request_deadline = yes" "smtpd_timeout = 2s"
	start=$SECONDS
	run bash -c "{ for i in \$(seq 1 30); do printf N; sleep 0.5; done; } | smtp-listen | tr -d '\r'"
	[ "${lines[1]}" = "421 4.4.2 mx.example.test Error: timeout exceeded" ]
	# Without the deadline this would take 15 s and more.
	[ $((SECONDS - start)) -lt 20 ]
	grep -q 'timeout after CONNECT' "$INST/maillog"
}

@test "smtpd: ETRN from a client refused by smtpd_etrn_restrictions" {
	instance "local_recipient_maps = static:any" \
	    "smtpd_etrn_restrictions = permit_mynetworks, reject" \
	    "transport_maps = inline:{ far.test = smtp:[127.0.0.1]:1 }" \
	    "minimal_backoff_time = 1h" "maximal_backoff_time = 2h"
	refusing_remote
	printf 'Subject: x\n\nbody\n' | sendmail -i -f a@localhost y@far.test
	queue-run & QRPID=$!
	wait_for '[ "$(defers y@far.test)" -eq 1 ]'
	run bash -c "printf 'EHLO x\r\nETRN far.test\r\nQUIT\r\n' | TCPREMOTEIP=203.0.113.9 smtp-listen | tr -d '\r'"
	[ "${lines[10]}" = "554 5.7.1 <far.test>: Etrn command rejected: Access denied" ]
	sleep 1
	[ "$(defers y@far.test)" -eq 1 ]
	# From mynetworks the same request is heeded.
	run bash -c "printf 'EHLO x\r\nETRN far.test\r\nQUIT\r\n' | smtp-listen | tr -d '\r'"
	[ "${lines[10]}" = "250 2.0.0 Queuing started" ]
	wait_for '[ "$(defers y@far.test)" -eq 2 ]' 10
}

@test "smtpd: an ETRN flood reschedules one domain, once; the rest of the queue keeps its back-off" {
	instance "local_recipient_maps = static:any" \
	    "transport_maps = inline:{ a.test = smtp:[127.0.0.1]:1, b.test = smtp:[127.0.0.1]:1 }" \
	    "minimal_backoff_time = 1h" "maximal_backoff_time = 2h"
	refusing_remote
	printf 'Subject: a\n\nbody\n' | sendmail -i -f a@localhost y@a.test
	printf 'Subject: b\n\nbody\n' | sendmail -i -f a@localhost z@b.test
	queue-run & QRPID=$!
	wait_for '[ "$(defers y@a.test)" -eq 1 ] && [ "$(defers z@b.test)" -eq 1 ]'
	for i in 1 2 3 4; do
		printf 'EHLO x\r\nETRN a.test\r\nETRN a.test\r\nETRN @a.test\r\nETRN a.test\r\nETRN a.test\r\nETRN a.test\r\nETRN a.test\r\nQUIT\r\n' |
		    smtp-listen | tr -d '\r' >"$BATS_TEST_TMPDIR/etrn$i"
	done
	# Five heeded per session, the rest refused.
	[ "$(grep -c '^250 2.0.0 Queuing started' "$BATS_TEST_TMPDIR/etrn1")" -eq 5 ]
	[ "$(grep -c '^458 4.7.1 ' "$BATS_TEST_TMPDIR/etrn1")" -eq 2 ]
	wait_for '[ "$(defers y@a.test)" -eq 2 ]' 10
	sleep 1
	# One retry of a.test for twenty requests; b.test untouched.
	[ "$(defers y@a.test)" -eq 2 ]
	[ "$(defers z@b.test)" -eq 1 ]
	# Bad arguments are refused before anything is asked.
	run bash -c "printf 'EHLO x\r\nETRN -bad-\r\nETRN a..test\r\nETRN x;rm\r\nQUIT\r\n' | smtp-listen | tr -d '\r'"
	[ "${lines[10]}" = "501 5.5.4 Error: invalid parameter syntax" ]
	[ "${lines[11]}" = "501 5.5.4 Error: invalid parameter syntax" ]
	[ "${lines[12]}" = "501 5.5.4 Error: invalid parameter syntax" ]
}

# ---- local ----

local_teardown() {
	:
}

local_setup() {
	instance
	export TZ=UTC PIPEMAIL_TIME=1700000000
}

# as_nobody - run a command as the unprivileged user nobody
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
}

# two_messages - give mailbox $1 two messages, owned by $2
two_messages() {
	printf 'Subject: one\n\nold mail 1\n' | deliver-local -f a@x.test "$3"
	printf 'Subject: two\n\nold mail 2\n' | deliver-local -f b@x.test "$3"
	[ "$(stat -c %U "$1")" = "$2" ]
	[ "$(grep -c '^From ' "$1")" -eq 2 ]
}

@test "local: a lock forged by another user never costs a byte of mail" {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	MB=$INST/mail/root
	two_messages "$MB" root root
	cp "$MB" "$BATS_TEST_TMPDIR/before"
	# The attacker, in the 1777 spool, plants the lock of a "killed"
	# delivery that claims every byte of root's mailbox as partial.
	as_nobody sh -c "printf '999999 0 99999999999\n' >'$MB.lock'"
	[ "$(stat -c %U "$MB.lock")" = nobody ]
	run --separate-stderr env PIPEMAIL_LOCK_TIMEOUT=1 deliver-local root \
		< <(printf 'Subject: new\n\nnew mail\n')
	[ "$status" -eq 75 ]
	[[ "$stderr" == *"4.2.0 cannot lock mailbox"*"not ours (owned by uid $(id -u nobody))"* ]]
	cmp "$MB" "$BATS_TEST_TMPDIR/before"
	[ -e "$MB.lock" ]
	# The attacker's lock goes: the deferred message is delivered.
	as_nobody rm "$MB.lock"
	printf 'Subject: new\n\nnew mail\n' | deliver-local root
	[ "$(cmp -n "$(stat -c %s "$BATS_TEST_TMPDIR/before")" \
		"$MB" "$BATS_TEST_TMPDIR/before" && echo same)" = same ]
	[ "$(grep -c '^From ' "$MB")" -eq 3 ]
	tail -n 2 "$MB" | grep -qx 'new mail'
}

@test "local: the forged lock of the report, through queue-run: deferred, then delivered" {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	instance 'local_recipient_maps = static:any'
	MB=$INST/mail/bob
	# bob's old mail (bob has no account: delivered as default_privs).
	two_messages "$MB" nobody bob
	cp "$MB" "$BATS_TEST_TMPDIR/before"
	printf '999999 0 99999999999\n' >"$MB.lock"
	printf 'Subject: new\n\nnew mail\n' | sendmail -i bob@localhost
	PIPEMAIL_LOCK_TIMEOUT=1 queue-run -f
	cmp "$MB" "$BATS_TEST_TMPDIR/before"
	[ "$(queued deferred)" -eq 1 ] || [ "$(queued active)" -eq 1 ] ||
		[ "$(queued incoming)" -eq 1 ]
	grep -q 'status=deferred.*not ours' "$INST/maillog"
	rm "$MB.lock"
	queue-run -f
	[ "$(grep -c '^From ' "$MB")" -eq 3 ]
	[ "$(head -c "$(stat -c %s "$BATS_TEST_TMPDIR/before")" "$MB" |
		cmp - "$BATS_TEST_TMPDIR/before" && echo same)" = same ]
	tail -n 2 "$MB" | grep -qx 'new mail'
}

@test "local: symbolic-link, hard-linked and odd locks are never acted on" {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	MB=$INST/mail/root
	two_messages "$MB" root root
	cp "$MB" "$BATS_TEST_TMPDIR/before"
	# The attacker's own file, in the forged format, reached by a link.
	as_nobody sh -c "printf '999999 0 99999999999\n' >'$INST/mail/evil'"
	for how in hardlink symlink fifo dir; do
		case $how in
		symlink) as_nobody ln -s "$INST/mail/evil" "$MB.lock" ;;
		hardlink) ln "$INST/mail/evil" "$MB.lock" ;;
		fifo) mkfifo "$MB.lock" ;;
		dir) mkdir "$MB.lock" ;;
		esac
		run --separate-stderr env PIPEMAIL_LOCK_TIMEOUT=1 \
			deliver-local root < <(echo new)
		cmp "$MB" "$BATS_TEST_TMPDIR/before"
		[ "$status" -eq 75 ]
		[[ "$stderr" == *"not ours"* ]]
		rm -rf "$MB.lock"
	done
	[ "$(cat "$INST/mail/evil")" = '999999 0 99999999999' ]
}

@test "local: a forged lock in our own name with lying sizes costs no mail" {
	MB=$INST/mail/$(id -un)
	two_messages "$MB" "$(id -un)" "$(id -un)"
	cp "$MB" "$BATS_TEST_TMPDIR/before"
	size=$(stat -c %s "$MB")
	sh -c 'exit 0' & dead=$!
	wait $dead
	# Claims all of it, the second message, more than there is, less.
	first=$(grep -b -m2 '^From ' "$MB" | tail -n 1 | cut -d: -f1)
	for sizes in "0 99999999999" "$first $((size + 1))" \
		"$((size + 10)) $((size + 20))" "1 $((size - 1))" "5 3"; do
		echo "$dead $sizes" >"$MB.lock"
		run --separate-stderr env PIPEMAIL_LOCK_TIMEOUT=1 \
			deliver-local "$(id -un)" < <(echo new)
		cmp "$MB" "$BATS_TEST_TMPDIR/before"
		[ "$status" -eq 75 ]
		[[ "$stderr" == *"not ours"* ]]
		rm "$MB.lock"
	done
}

@test "local: tilde escapes piped into mail run nothing and stay in the body" {
	export HOME=$BATS_TEST_TMPDIR/home MAILRC=/dev/null
	mkdir -p "$HOME"
	p=$BATS_TEST_TMPDIR/p
	printf '#!/bin/sh\ntouch %s.editor\n' "$p" >"$HOME/ed"
	chmod +x "$HOME/ed"
	body="hi
~!id>$p
~| touch $p.pipe
~w $p.w
~<!touch $p.read
~r $INST/etc/main.cf
~e
~v
~s changed
~c cc@localhost
~."
	printf '%s\nlast\n' "$body" | EDITOR=$HOME/ed VISUAL=$HOME/ed \
		mail -s x "$(id -un)@localhost"
	queue-run -f
	for f in "$p" "$p.pipe" "$p.w" "$p.read" "$p.editor"; do
		[ ! -e "$f" ]
	done
	MB=$INST/mail/$(id -un)
	grep -qx 'Subject: x' "$MB"
	[ "$(sed -n '/^$/,$p' "$MB" | sed -n '2,13p')" = "$body
last" ]
	[ ! -e "$INST/mail/cc" ]
}

@test "local: tilde escapes in a reply composed from a pipe run nothing" {
	export HOME=$BATS_TEST_TMPDIR/home MAILRC=/dev/null
	mkdir -p "$HOME"
	p=$BATS_TEST_TMPDIR/p
	printf 'From a@x.test Tue Nov 14 22:13:20 2023\nFrom: a@x.test\nSubject: s\n\nbody\n\n' \
		>"$HOME/box"
	printf 'm %s@localhost\n~!touch %s\n~:!touch %s.cmd\n~.\n' \
		"$(id -un)" "$p" "$p" | mail -N -f "$HOME/box" >/dev/null
	queue-run -f
	[ ! -e "$p" ]
	[ ! -e "$p.cmd" ]
	grep -qx "~!touch $p" "$INST/mail/$(id -un)"
	grep -qx '~\.' "$INST/mail/$(id -un)"
}

# maildir_spool - a Maildir spool (mail_spool_directory ending in /) and
# an attacker's directory $EVIL with tmp/, new/ and cur/ anyone can write
maildir_spool() {
	instance "mail_spool_directory = $BATS_TEST_TMPDIR/inst/mail/"
	EVIL=$BATS_TEST_TMPDIR/evil
	mkdir -m 777 "$EVIL" "$EVIL/tmp" "$EVIL/new" "$EVIL/cur"
	chown -R nobody "$EVIL"
}

@test "local: a symbolic link planted as a Maildir in the spool: deferred, nothing written" {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	maildir_spool
	as_nobody ln -s "$EVIL" "$INST/mail/root"
	run --separate-stderr deliver-local root < <(echo secret mail)
	[ "$status" -eq 75 ]
	[[ "$stderr" == *"4.2.0 refusing Maildir"*"symbolic link"* ]]
	[ -z "$(find "$EVIL" -type f)" ]
	# Once the link is gone, mail goes into a Maildir of root's own.
	as_nobody rm "$INST/mail/root"
	echo mail | deliver-local root
	[ "$(stat -c %U "$INST/mail/root")" = root ]
	[ "$(ls "$INST/mail/root/new" | wc -l)" -eq 1 ]
	[ -z "$(find "$EVIL" -type f)" ]
}

@test "local: a Maildir made in the spool by another user, or a linked new/: deferred" {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	maildir_spool
	as_nobody mkdir -m 777 "$INST/mail/root"
	run --separate-stderr deliver-local root < <(echo secret mail)
	[ "$status" -eq 75 ]
	[[ "$stderr" == *"4.2.0 refusing Maildir"*"owned by uid $(id -u nobody)"* ]]
	[ -z "$(find "$INST/mail/root" "$EVIL" -type f)" ]
	rmdir "$INST/mail/root"
	# A subdirectory that is a link, to someone else's directory.
	mkdir -m 700 "$INST/mail/root" "$INST/mail/root/tmp" "$INST/mail/root/cur"
	ln -s "$EVIL/new" "$INST/mail/root/new"
	run --separate-stderr deliver-local root < <(echo secret mail)
	[ "$status" -eq 75 ]
	[[ "$stderr" == *"refusing Maildir"*"/new: it is a symbolic link"* ]]
	[ -z "$(find "$EVIL" "$INST/mail/root/tmp" -type f)" ]
}

@test "local: mailx quitting under a lock forged by another user keeps every byte" {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	export HOME=$BATS_TEST_TMPDIR/home MAILRC=/dev/null
	mkdir -p "$HOME"
	MB=$INST/mail/root
	two_messages "$MB" root root
	cp "$MB" "$BATS_TEST_TMPDIR/before"
	as_nobody sh -c "printf '999999 0 99999999999\n' >'$MB.lock'"
	run env PIPEMAIL_LOCK_TIMEOUT=1 mail -N -f "$MB" <<<$'d 1\nq'
	cmp "$MB" "$BATS_TEST_TMPDIR/before"
	[[ "$output" == *"cannot lock mailbox"*"not ours"* ]]
	# Without the forged lock, the same quit deletes message 1.
	as_nobody rm "$MB.lock"
	mail -N -f "$MB" <<<$'d 1\nq'
	[ "$(grep -c '^From ' "$MB")" -eq 1 ]
	grep -qx 'old mail 2' "$MB"
}

@test "local: Save by author of a hostile message cannot write ~/.forward" {
	export HOME=$BATS_TEST_TMPDIR/home MAILRC=/dev/null
	mkdir -p "$HOME"
	p=$BATS_TEST_TMPDIR/p
	# The author's local part names a folder (+.forward is ~/.forward)
	# and the body is a .forward line that runs a command.
	printf 'From a@x.test Tue Nov 14 22:13:20 2023\nFrom: <"+.forward"@evil.example>\nSubject: s\n\n"|touch %s"\n\n' \
		"$p" >"$HOME/box"
	for c in 'S 1' 'C 1'; do
		printf '%s\nx\n' "$c" | (cd "$HOME" && mail -N -f "$HOME/box") \
			>/dev/null 2>&1 || true
	done
	[ ! -e "$HOME/.forward" ]
	# The message went to a plain file in the current directory.
	[ -n "$(find "$HOME" -maxdepth 1 -name '_.forward*' -newer "$HOME/box")" ]
}

@test "local: terminal escapes in a hostile From address never reach the screen" {
	export HOME=$BATS_TEST_TMPDIR/home MAILRC=/dev/null
	mkdir -p "$HOME"
	printf 'From a@x.test Tue Nov 14 22:13:20 2023\nFrom: <"\033]0;owned\007"@evil.example>\nSubject: s\n\nx\n\nFrom b@x.test Tue Nov 14 22:13:21 2023\nFrom: \302\2332J@evil.example\nSubject: t\n\ny\n\n' \
		>"$HOME/box"
	mail -H -f "$HOME/box" >"$BATS_TEST_TMPDIR/out"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 2 ]
	run ! grep -q $'\033' "$BATS_TEST_TMPDIR/out"
	run ! grep -q $'\007' "$BATS_TEST_TMPDIR/out"
	run ! grep -qP '\xc2[\x80-\x9f]' "$BATS_TEST_TMPDIR/out"
}

# ---- space ----

space_setup() {
	instance "local_recipient_maps = static:any" \
	    "smtpd_error_sleep_time = 0"
	CF="-c $INST/etc"
	Q15_MOUNT=
}

space_teardown() {
	if [ -n "$Q15_MOUNT" ]; then umount "$Q15_MOUNT" 2>/dev/null || true; fi
}

# q15disk_fs OPTIONS - the queue on a small tmpfs (skip when mount is
# not permitted)
q15disk_fs() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a file system"
	mount -t tmpfs -o "$1" tmpfs "$INST/spool" 2>/dev/null ||
	    skip "mount is not permitted here"
	Q15_MOUNT=$INST/spool
}

@test "space: a client filling the queue is stopped at MAIL FROM with queue_minfree kept free" {
	q15disk_fs size=3m,nr_inodes=400
	echo "message_size_limit = 250000" >>"$INST/etc/main.cf"
	echo "queue_minfree = 1000000" >>"$INST/etc/main.cf"
	# One session, message after message of 200 KB, as a flood would.
	{
		printf 'EHLO flood.example\r\n'
		for i in $(seq 1 20); do
			printf 'MAIL FROM:<f@example.org> SIZE=205000\r\nRCPT TO:<bob@localhost>\r\nDATA\r\n'
			head -c 200000 /dev/zero | tr '\0' 'f' | fold -w 70 | sed 's/$/\r/'
			printf '\r\n.\r\n'
		done
		printf 'QUIT\r\n'
	} >"$BATS_TEST_TMPDIR/flood"
	run bash -c "smtp-listen $CF <'$BATS_TEST_TMPDIR/flood' | tr -d '\r'"
	accepted=$(grep -c '^250 2.0.0 Ok: queued as' <<<"$output")
	[ "$accepted" -ge 1 ]
	[ "$accepted" -lt 20 ]
	[[ "$output" == *"452 4.3.1 Insufficient system storage"* ]]
	# Every accepted message is whole, nothing is half-written, and the
	# file system keeps at least queue_minfree minus one message free.
	[ "$(queued active)" -eq "$accepted" ]
	for f in "$INST"/spool/active/*; do
		grep -q '^end$' "$f"
	done
	[ "$(find "$INST/spool/tmp" -type f ! -name '.space' | wc -l)" -eq 0 ]
	[ "$(df --output=avail -k "$INST/spool" | tail -1)" -ge 700 ]
	# Logged once, not once per refused message.
	[ "$(grep -c 'Insufficient system storage' "$INST/maillog")" -eq 1 ]
	queue-run $CF -f
	[ "$(grep -c '^From ' "$INST/mail/bob")" -eq "$accepted" ]
}

@test "space: a submission with a damaged state record cannot pass as a clean one" {
	# A user's maildrop file: a good envelope, then a line that is no
	# state record (which queue-run reads past in its own files).
	printf 'Subject: s\n\nx\n' | queue-inject $CF -h -f a@example.org bob@localhost
	f=$(find "$INST/spool/hold" -type f)
	id=$(basename "$f")
	printf 'done 0\tsent\t2.0.0\x01forged\n' >>"$f"
	chown daemon "$f"
	mv "$f" "$INST/spool/maildrop/$id"
	cp "$INST/spool/maildrop/$id" "$BATS_TEST_TMPDIR/orig"
	queue-run $CF -f
	cmp "$INST/spool/corrupt/maildrop.$id" "$BATS_TEST_TMPDIR/orig"
	[ "$(queued active)" -eq 0 ]
	[ "$(queued hold)" -eq 0 ]
	[ ! -e "$INST/mail/bob" ]
}

@test "space: a queue file grown by a runaway 9 MB line costs one read and is set aside" {
	printf 'Subject: s\n\nx\n' | queue-inject $CF -f a@example.org bob@localhost
	f=$(find "$INST/spool/active" -type f)
	head -c $((9 * 1024 * 1024)) /dev/zero | tr '\0' 'L' >>"$f"
	printf 'Subject: ok\n\nx\n' | queue-inject $CF -f a@example.org carol@localhost
	run timeout 30 queue-run $CF -f
	[ "$status" -eq 0 ]
	[ -f "$INST/spool/corrupt/active.$(basename "$f")" ]
	[ "$(queued active)" -eq 0 ]
	grep -q '^Subject: ok$' "$INST/mail/carol"
	[ ! -e "$INST/mail/bob" ]
}

# ---- scale ----

# Floods that would make queue-run run out of descriptors.

scale_setup() {
	instance "local_recipient_maps = static:any" \
	    "smtpd_client_connection_rate_limit = 0" \
	    "minimal_backoff_time = 1s" "maximal_backoff_time = 2s"
	LPID= QRPID=
}

scale_teardown() {
	smtpd_teardown
}

@test "scale: a flood of 400 messages over SMTP into a queue-run under ulimit -n 64 is all delivered" {
	bash -c "ulimit -n 64 && exec queue-run" & QRPID=$!
	smtpd_listen
	# An outside client sends as fast as it can, one session each.
	run python3 - "$PORT" <<-'EOF2'
	import smtplib, sys
	ok = 0
	for i in range(400):
	    s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
	    s.sendmail("a@outside.test", ["u%d@mx.example.test" % (i % 20)],
	        "Subject: flood %d\r\n\r\nflood %d\r\n" % (i, i))
	    s.quit()
	    ok += 1
	print(ok)
	EOF2
	[ "$status" -eq 0 ]
	[ "$output" = 400 ]
	wait_for '[ "$(cat "$INST"/mail/u* | grep -c "^From ")" -eq 400 ]' 60
	[ "$(queued)" -eq 0 ]
	# No attempt failed for want of a descriptor, and it still delivers.
	run grep -c 'Too many open files' "$INST/maillog"
	[ "$output" -eq 0 ]
	printf 'Subject: after\n\nafter\n' | sendmail -i u1@mx.example.test
	wait_for 'grep -q "^Subject: after$" "$INST/mail/u1"' 20
}
