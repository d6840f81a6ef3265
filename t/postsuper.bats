#!/usr/bin/env bats
# postsuper: delete, hold and release queued messages.

load helper

setup() {
	instance "local_recipient_maps = static:any"
	CF="-c $INST/etc"
}

teardown() {
	if [ -n "${QRPID:-}" ]; then kill "$QRPID" 2>/dev/null || true; fi
}

# inject - queue one message (on hold with -h); prints its id
inject() {
	printf 'Subject: t\n\nhello\n' | queue-inject $CF "$@" \
	    -f sender@example.org bob@localhost
}

@test "postsuper: -h puts a queued message on hold" {
	id=$(inject)
	run postsuper $CF -h "$id"
	[ "$status" -eq 0 ]
	[ "$(queued active)" -eq 0 ]
	[ -f "$INST/spool/hold/$id" ]
	[[ "$output" == *"postsuper: $id: placed on hold"* ]]
	[[ "$output" == *"postsuper: Placed on hold: 1 message"* ]]
	grep -q "$id: placed on hold" "$INST/maillog"
}

@test "postsuper: a held message is not delivered by queue-run -f" {
	id=$(inject -h)
	queue-run $CF -f
	[ ! -e "$INST/mail/bob" ]
	[ -f "$INST/spool/hold/$id" ]
}

@test "postsuper: -H releases a held message" {
	id=$(inject -h)
	[ "$(queued hold)" -eq 1 ]
	run postsuper $CF -H "$id"
	[ "$status" -eq 0 ]
	[[ "$output" == *"postsuper: Released from hold: 1 message"* ]]
	[ "$(queued hold)" -eq 0 ]
	[ -f "$INST/spool/active/$id" ]
	queue-run $CF -f
	grep -q '^hello$' "$INST/mail/bob"
}

@test "postsuper: -d deletes from active and from hold" {
	a=$(inject)
	h=$(inject -h)
	run postsuper $CF -d "$a" -d "$h"
	[ "$status" -eq 0 ]
	[[ "$output" == *"postsuper: $a: removed"* ]]
	[[ "$output" == *"postsuper: $h: removed"* ]]
	[[ "$output" == *"postsuper: Deleted: 2 messages"* ]]
	[ "$(queued active)" -eq 0 ]
	[ "$(queued hold)" -eq 0 ]
}

@test "postsuper: ALL" {
	inject >/dev/null
	inject >/dev/null
	inject -h >/dev/null
	run postsuper $CF -h ALL
	[ "$status" -eq 0 ]
	[[ "$output" == *"Placed on hold: 2 messages"* ]]
	[ "$(queued hold)" -eq 3 ]
	run postsuper $CF -H ALL
	[[ "$output" == *"Released from hold: 3 messages"* ]]
	[ "$(queued active)" -eq 3 ]
	postsuper $CF -h "$(ls "$INST/spool/active" | head -n 1)"
	run postsuper $CF -d ALL
	[ "$status" -eq 0 ]
	[[ "$output" == *"Deleted: 3 messages"* ]]
	[ "$(queued active)" -eq 0 ]
	[ "$(queued hold)" -eq 0 ]
}

@test "postsuper: ids from standard input, as mailq prints them" {
	a=$(inject)
	b=$(inject)
	c=$(inject)
	run postsuper $CF -h - <<-EOF
	$a
	  $b*   1234 Tue Nov 25 12:00:00  sender@example.org
	EOF
	[ "$status" -eq 0 ]
	[[ "$output" == *"Placed on hold: 2 messages"* ]]
	[ -f "$INST/spool/hold/$a" ]
	[ -f "$INST/spool/hold/$b" ]
	[ -f "$INST/spool/active/$c" ]
}

@test "postsuper: unknown and invalid ids are warnings, not errors" {
	run postsuper $CF -d NOSUCHID -d ../etc/main.cf
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: NOSUCHID: no such message"* ]]
	[[ "$output" == *"warning: invalid mail queue id: ../etc/main.cf"* ]]
	[[ "$output" == *"Deleted: 0 messages"* ]]
	[ -f "$INST/etc/main.cf" ]
}

@test "postsuper: an empty, never used queue" {
	run postsuper $CF -d ALL
	[ "$status" -eq 0 ]
	[[ "$output" == *"Deleted: 0 messages"* ]]
}

@test "postsuper: release wakes a running queue-run" {
	id=$(inject -h)
	queue-run $CF & QRPID=$!
	wait_for "grep -q started '$INST/maillog'"
	sleep 0.3
	[ ! -e "$INST/mail/bob" ]
	postsuper $CF -H "$id"
	wait_for "grep -q '^hello$' '$INST/mail/bob' 2>/dev/null" 10
	wait_for "[ \$(queued active) -eq 0 ]" 5
}

@test "postsuper: bad usage exits 64" {
	run postsuper $CF -x
	[ "$status" -eq 64 ]
	[[ "$output" == *"usage:"* ]]
	run postsuper $CF extra
	[ "$status" -eq 64 ]
	run postsuper $CF -d - -h -
	[ "$status" -eq 64 ]
	[[ "$output" == *"usage:"* ]]
}

@test "postsuper: only root or mail_owner may run it" {
	inject >/dev/null
	run su daemon -s /bin/sh -c "PATH='$PATH' postsuper $CF -d ALL"
	[ "$status" -eq 77 ]
	[[ "$output" == *"must be run as root or as mail_owner (nobody)"* ]]
	[ "$(queued active)" -eq 1 ]
	run su nobody -s /bin/sh -c "PATH='$PATH' postsuper $CF -d ALL"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Deleted: 1 message"* ]]
}

@test "postsuper -d: a user's submission still in maildrop/ is deleted too" {
	id=$(printf 'x\n' | queue-inject -f a@b c@example.org)
	mv "$INST/spool/active/$id" "$INST/spool/maildrop/$id"
	printf 'y\n' | queue-inject -h -f a@b c@example.org >/dev/null
	run postsuper -d ALL
	[ "$status" -eq 0 ]
	[ "$(queued maildrop)" -eq 0 ]
	[ "$(queued hold)" -eq 0 ]
	id=$(printf 'x\n' | queue-inject -f a@b c@example.org)
	mv "$INST/spool/active/$id" "$INST/spool/maildrop/$id"
	run postsuper -d "$id"
	[ "$status" -eq 0 ]
	[ "$(queued maildrop)" -eq 0 ]
}
