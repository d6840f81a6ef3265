#!/usr/bin/env bats
# Attacks, done as an attacker would, each checked by its outcome:
# nothing ran, no file was written, no mail was lost.

load helper

setup() {
	instance "local_recipient_maps = static:any"
	ATT=
	# Where a command run as default_privs (nobody) could write.
	MARK=$INST/mail/ran
}

teardown() {
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
