#!/usr/bin/env bats
# security: each attack on the system, done as an attacker would, and
# checked by its outcome (nothing ran, nothing was written, no byte of
# mail was lost).  Tests are named after the part of the system they
# attack.

load helper
bats_require_minimum_version 1.5.0

setup() {
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
