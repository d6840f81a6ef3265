#!/usr/bin/env bats
# The whole local path: sendmail -> queue-inject -> queue-run ->
# route-transport -> deliver-local -> mbox, including crashes.

load helper

setup() {
	instance "local_recipient_maps = static:any" \
	    "alias_maps = hash:aliases" \
	    "alias_database = hash:$BATS_TEST_TMPDIR/inst/etc/aliases" \
	    "minimal_backoff_time = 1s" "maximal_backoff_time = 2s"
	cat >"$INST/etc/aliases" <<-EOF
	team: alice, bob
	postmaster: alice
	EOF
	postalias "$INST/etc/aliases"
	CF="-c $INST/etc"
}

teardown() {
	if [ -n "${QRPID:-}" ]; then kill "$QRPID" 2>/dev/null || true; fi
	pkill -9 -f "queue-run $CF" 2>/dev/null || true
}

# count_msgs - messages in an mbox
count_msgs() {
	local n
	n=$(grep -c '^From ' "$1" 2>/dev/null)
	echo "${n:-0}"
}

@test "pipeline: sendmail then queue-run -f delivers to the mbox" {
	printf 'Subject: first\n\nhello alice\n' | sendmail $CF -i alice@localhost
	[ "$(queued active)" -eq 1 ]
	run queue-run $CF -f
	[ "$status" -eq 0 ]
	[ "$(queued active)" -eq 0 ]
	[ "$(count_msgs "$INST/mail/alice")" -eq 1 ]
	grep -q '^Subject: first$' "$INST/mail/alice"
	grep -q '^hello alice$' "$INST/mail/alice"
	grep -q 'to=<alice@localhost>, relay=local, delay=.*, dsn=2.0.0, status=sent' "$INST/maillog"
}

@test "pipeline: one pass delivers a mailbox's mail in the order it came" {
	for i in 1 2 3 4 5 6; do
		printf 'Subject: n%d\n\nx\n' "$i" | sendmail $CF -i carol@localhost
	done
	queue-run $CF -f
	[ "$(grep '^Subject:' "$INST/mail/carol" | tr '\n' ' ')" = \
	    "Subject: n1 Subject: n2 Subject: n3 Subject: n4 Subject: n5 Subject: n6 " ]
}

@test "pipeline: the daemon delivers as soon as a message is queued" {
	queue-run $CF & QRPID=$!
	wait_for "grep -q started '$INST/maillog'"
	printf 'Subject: live\n\nnow\n' | sendmail $CF -i bob@localhost
	wait_for "[ \"\$(count_msgs '$INST/mail/bob')\" -eq 1 ]" 10
	wait_for "[ \$(queued active) -eq 0 ]" 5
}

@test "pipeline: an alias to two users delivers to both" {
	printf 'Subject: team\n\nhi team\n' | sendmail $CF -i team@localhost
	queue-run $CF -f
	[ "$(count_msgs "$INST/mail/alice")" -eq 1 ]
	[ "$(count_msgs "$INST/mail/bob")" -eq 1 ]
	[ "$(queued active)" -eq 0 ]
}

@test "pipeline: a permanent failure bounces an RFC 3464 report" {
	instance "local_recipient_maps = static:any" \
	    "transport_maps = inline:{ nowhere.test = error:5.1.2 no such domain }"
	printf 'Subject: lost\n\nbody\n' | sendmail $CF -i -f carol@localhost x@nowhere.test
	queue-run $CF -f	# bounces x@nowhere.test, queues the report
	queue-run $CF -f	# delivers the report to carol
	[ "$(queued active)" -eq 0 ]
	m="$INST/mail/carol"
	[ "$(count_msgs "$m")" -eq 1 ]
	grep -q '^From MAILER-DAEMON ' "$m"
	grep -q '^Return-Path: <>' "$m"
	grep -q 'report-type=delivery-status' "$m"
	grep -q '^Final-Recipient: rfc822; x@nowhere.test$' "$m"
	grep -q '^Action: failed$' "$m"
	grep -q '^Status: 5.1.2$' "$m"
	grep -q '^Subject: lost$' "$m"
	grep -q 'to=<x@nowhere.test>, relay=none, .*status=bounced' "$INST/maillog"
}

@test "pipeline: no bounce for the null sender; postmaster gets it" {
	instance "local_recipient_maps = static:any" \
	    "transport_maps = inline:{ nowhere.test = error:no such domain }" \
	    "2bounce_notice_recipient = pm@localhost"
	printf 'Subject: bounce me\n\nbody\n' | sendmail $CF -i -f '<>' x@nowhere.test
	queue-run $CF -f
	queue-run $CF -f
	[ "$(queued active)" -eq 0 ]
	[ "$(count_msgs "$INST/mail/pm")" -eq 1 ]
	grep -q '^Return-Path: <double-bounce@mx.example.test>' "$INST/mail/pm"
}

@test "pipeline: a deferred message stays queued with its reason, then expires" {
	instance "local_recipient_maps = static:any" \
	    "transport_maps = inline:{ far.test = smtp:[127.0.0.1]:1 }" \
	    "maximal_queue_lifetime = 3s" "bounce_queue_lifetime = 3s" \
	    "minimal_backoff_time = 1s" "maximal_backoff_time = 1s"
	refusing_remote
	printf 'Subject: slow\n\nbody\n' | sendmail $CF -i -f dave@localhost y@far.test
	queue-run $CF -f
	[ "$(queued active)" -eq 1 ]
	grep -q 'to=<y@far.test>, relay=\[127.0.0.1\]:1, .*status=deferred' "$INST/maillog"
	grep -q '^defer 0	' "$INST"/spool/active/*
	sleep 3
	queue-run $CF -f
	queue-run $CF -f
	[ "$(queued active)" -eq 0 ]
	grep -q '^Status: 5.4.7$' "$INST/mail/dave"
}

@test "pipeline: 200 messages survive five kill -9 of queue-run and its agents" {
	queue-run $CF & QRPID=$!
	(
		for i in $(seq 1 200); do
			printf 'Subject: crash %d\nX-Seq: %d\n\nline one of %d\nline two of %d\n' \
			    "$i" "$i" "$i" "$i" | sendmail $CF -i erin@localhost ||
			    echo "sendmail $i failed" >&2
		done
	) & injector=$!
	for k in 1 2 3 4 5; do
		sleep "0.$((RANDOM % 6 + 2))"
		# queue-run's delivery children run under its name: all die.
		pkill -9 -f "queue-run $CF" || true
		pkill -9 -f "route-transport $CF" || true
		queue-run $CF & QRPID=$!
	done
	wait "$injector"
	wait_for "[ \$(queued active) -eq 0 ]" 60
	kill "$QRPID"; wait "$QRPID" || true
	QRPID=
	stats=$(python3 - "$INST/mail/erin" <<-'PY'
	import mailbox, sys, collections
	seen = collections.Counter()
	for msg in mailbox.mbox(sys.argv[1]):
	    n = int(msg["X-Seq"])
	    body = msg.get_payload()
	    assert body == "line one of %d\nline two of %d\n" % (n, n), (n, body)
	    seen[n] += 1
	missing = [n for n in range(1, 201) if n not in seen]
	dups = sum(c - 1 for c in seen.values())
	print("delivered %d distinct, %d duplicates, %d missing" % (len(seen), dups, len(missing)))
	assert not missing, missing
	PY
	)
	echo "# $stats" >&3
}

# agents - the pids of queue-run's delivery agents (its forked children)
agents() {
	pgrep -P "$QRPID" -f "queue-run $CF" | sort
}

@test "pipeline: one delivery agent per mailbox takes the next messages" {
	queue-run $CF & QRPID=$!
	wait_for "grep -q started '$INST/maillog'"
	for i in 1 2 3; do
		printf 'Subject: %d\n\nx\n' "$i" | sendmail $CF -i alice@localhost
		wait_for "[ \"\$(count_msgs '$INST/mail/alice')\" -eq $i ]" 10
	done
	wait_for "[ \$(queued active) -eq 0 ]" 5
	[ "$(agents | wc -l)" -eq 1 ]
	# A stray name is delivered as default_privs, and so the agent runs.
	[ "$(ps -o user= -p "$(agents)")" = nobody ]
	first=$(agents)
	printf 'Subject: b\n\nx\n' | sendmail $CF -i bob@localhost
	wait_for "[ \"\$(count_msgs '$INST/mail/bob')\" -eq 1 ]" 10
	[ "$(agents | wc -l)" -eq 2 ]
	agents | grep -qx "$first"
	# A mailbox removed meanwhile is made again, by the user.
	rm "$INST/mail/alice"
	printf 'Subject: 4\n\nx\n' | sendmail $CF -i alice@localhost
	wait_for "[ \"\$(count_msgs '$INST/mail/alice')\" -eq 1 ]" 10
	[ "$(stat -c %U:%a "$INST/mail/alice")" = nobody:600 ]
	agents | grep -qx "$first"
	[ "$(grep -c deferred "$INST/maillog")" -eq 0 ]
}

@test "pipeline: agents end after max_use deliveries and max_idle seconds" {
	instance "local_recipient_maps = static:any" "max_use = 2" "max_idle = 2s"
	CF="-c $INST/etc"
	queue-run $CF & QRPID=$!
	wait_for "grep -q started '$INST/maillog'"
	printf 'Subject: 1\n\nx\n' | sendmail $CF -i alice@localhost
	wait_for "[ \"\$(count_msgs '$INST/mail/alice')\" -eq 1 ]" 10
	wait_for "[ \$(agents | wc -l) -eq 1 ]" 5
	first=$(agents)
	printf 'Subject: 2\n\nx\n' | sendmail $CF -i alice@localhost
	wait_for "[ \"\$(count_msgs '$INST/mail/alice')\" -eq 2 ]" 10
	# Its second use was its last.
	wait_for "[ \$(agents | wc -l) -eq 0 ]" 5
	printf 'Subject: 3\n\nx\n' | sendmail $CF -i alice@localhost
	wait_for "[ \"\$(count_msgs '$INST/mail/alice')\" -eq 3 ]" 10
	wait_for "[ \$(agents | wc -l) -eq 1 ]" 5
	[ "$(agents)" != "$first" ]
	# Idle for max_idle: gone.
	wait_for "[ \$(agents | wc -l) -eq 0 ]" 6
	kill -0 "$QRPID"
}

@test "pipeline: at default_process_limit an idle agent makes room" {
	instance "local_recipient_maps = static:any" "default_process_limit = 1"
	CF="-c $INST/etc"
	queue-run $CF & QRPID=$!
	wait_for "grep -q started '$INST/maillog'"
	printf 'Subject: 1\n\nx\n' | sendmail $CF -i alice@localhost
	wait_for "[ \"\$(count_msgs '$INST/mail/alice')\" -eq 1 ]" 10
	wait_for "[ \$(agents | wc -l) -eq 1 ]" 5
	first=$(agents)
	printf 'Subject: 2\n\nx\n' | sendmail $CF -i bob@localhost
	wait_for "[ \"\$(count_msgs '$INST/mail/bob')\" -eq 1 ]" 10
	wait_for "[ \$(agents | wc -l) -eq 1 ] && [ \"\$(agents)\" != $first ]" 5
	[ "$(grep -c deferred "$INST/maillog")" -eq 0 ]
}

@test "pipeline: an agent killed while idle costs no delay" {
	queue-run $CF & QRPID=$!
	wait_for "grep -q started '$INST/maillog'"
	printf 'Subject: 1\n\nx\n' | sendmail $CF -i alice@localhost
	wait_for "[ \"\$(count_msgs '$INST/mail/alice')\" -eq 1 ]" 10
	wait_for "[ \$(agents | wc -l) -eq 1 ]" 5
	kill -9 "$(agents)"
	printf 'Subject: 2\n\nx\n' | sendmail $CF -i alice@localhost
	wait_for "[ \"\$(count_msgs '$INST/mail/alice')\" -eq 2 ]" 10
	[ "$(grep -c deferred "$INST/maillog")" -eq 0 ]
	wait_for "[ \$(agents | wc -l) -eq 1 ]" 5
}

@test "pipeline: a read-only mail spool defers, then delivers once writable" {
	chmod 555 "$INST/mail"
	printf 'Subject: wait\n\nfor it\n' | sendmail $CF -i frank@localhost
	queue-run $CF -f
	[ "$(queued active)" -eq 1 ]
	grep -q 'to=<frank@localhost>, relay=local, .*dsn=4\..*status=deferred' "$INST/maillog"
	run mailq $CF
	[[ "$output" == *"frank@localhost"* ]]
	[[ "$output" == *"("*")"* ]]
	[ "$(count_msgs "$INST/mail/frank")" -eq 0 ]
	chmod 1777 "$INST/mail"
	queue-run $CF -f
	[ "$(queued active)" -eq 0 ]
	[ "$(count_msgs "$INST/mail/frank")" -eq 1 ]
	grep -q '^for it$' "$INST/mail/frank"
}

@test "pipeline: a delivery to an alias list is not repeated after a partial failure" {
	# alice's delivery succeeds; the command fails for now, then works.
	cat >"$INST/etc/cmd" <<-EOF
	#!/bin/sh
	[ -e "$INST/etc/fail" ] && exit 75
	cat >"$INST/mail/cmd-out"
	EOF
	chmod 755 "$INST/etc/cmd"
	touch "$INST/etc/fail"
	printf 'crew: alice, "|%s"\n' "$INST/etc/cmd" >>"$INST/etc/aliases"
	postalias "$INST/etc/aliases"
	printf 'Subject: half\n\ncrew mail\n' | sendmail $CF -i crew@localhost
	queue-run $CF -f
	[ "$(count_msgs "$INST/mail/alice")" -eq 1 ]
	[ "$(queued active)" -eq 1 ]
	grep -q '^expand 0	mailbox	alias	-	alice	' "$INST"/spool/active/*
	grep -q 'orig_to=<crew@localhost>, relay=pipe, .*status=deferred' "$INST/maillog"
	rm "$INST/etc/fail"
	queue-run $CF -f
	[ "$(queued active)" -eq 0 ]
	[ "$(count_msgs "$INST/mail/alice")" -eq 1 ]
	grep -q '^crew mail$' "$INST/mail/cmd-out"
}

@test "pipeline: NOTIFY=NEVER: a failure is not reported" {
	instance "local_recipient_maps = static:any" \
	    "transport_maps = inline:{ nowhere.test = error:5.1.2 no such domain }"
	printf 'Subject: quiet\n\nbody\n' | sendmail $CF -i -N never -f gina@localhost x@nowhere.test
	queue-run $CF -f
	queue-run $CF -f
	[ "$(queued active)" -eq 0 ]
	[ "$(count_msgs "$INST/mail/gina")" -eq 0 ]
	grep -q 'no report wanted (NOTIFY)' "$INST/maillog"
}

@test "pipeline: NOTIFY=SUCCESS: a delivery report to the sender, for that recipient only" {
	printf 'Subject: tell me\n\nbody\n' |
	    sendmail $CF -i -N success -V env-42 -f hank@localhost ivy@localhost
	printf 'Subject: quiet\n\nbody\n' | sendmail $CF -i -f hank@localhost jo@localhost
	queue-run $CF -f	# delivers; queues the report
	queue-run $CF -f	# delivers the report to hank
	[ "$(queued active)" -eq 0 ]
	[ "$(count_msgs "$INST/mail/ivy")" -eq 1 ]
	[ "$(count_msgs "$INST/mail/jo")" -eq 1 ]
	m=$INST/mail/hank
	[ "$(count_msgs "$m")" -eq 1 ]
	grep -q '^Subject: Successful Mail Delivery Report$' "$m"
	grep -q '^Return-Path: <>' "$m"
	grep -q '^Final-Recipient: rfc822; ivy@localhost$' "$m"
	grep -q '^Action: delivered$' "$m"
	grep -q '^Status: 2.0.0$' "$m"
	grep -q '^Original-Envelope-Id: env-42$' "$m"
	grep -q '^Content-Description: Delivered Message' "$m"
	[ "$(grep -c 'jo@localhost' "$m")" -eq 0 ]
}

# to_maildrop N RCPT - N messages made as users' submissions, held when
# picked up: made by queue-inject -h, then moved into maildrop/ with a
# hold record (what a user's set-group-id queue-inject -h writes)
to_maildrop() {
	local i f
	for i in $(seq 1 "$1"); do
		printf 'Subject: drop %d\nX-Seq: %d\n\nbody of %d\n' "$i" "$i" "$i" |
		    queue-inject $CF -h -f a@example.test "$2" >/dev/null
	done
	for f in "$INST"/spool/hold/*; do
		sed -i 's/^end$/hold\nend/' "$f"
		mv "$f" "$INST/spool/maildrop/"
	done
}

@test "pipeline: queue-run killed with -9 during pickup loses nothing and queues nothing twice" {
	n=200
	to_maildrop $n frank@localhost
	[ "$(queued maildrop)" -eq $n ]
	mid=0
	for d in 0.02 0.05 0.1 0.15 0.2 0.3; do
		queue-run $CF & QRPID=$!
		sleep $d
		kill -9 "$QRPID"
		wait "$QRPID" || true
		QRPID=
		left=$(queued maildrop)
		if [ "$left" -gt 0 ] && [ "$left" -lt $n ]; then mid=$left; fi
		[ "$left" -gt 0 ] || break
	done
	[ "$mid" -gt 0 ]
	echo "# killed once with $mid of $n still in maildrop/" >&3
	queue-run $CF -f
	[ "$(queued maildrop)" -eq 0 ]
	[ "$(queued corrupt)" -eq 0 ]
	[ "$(queued hold)" -eq $n ]
	postsuper $CF -H ALL 2>/dev/null
	queue-run $CF -f
	[ "$(queued active)" -eq 0 ]
	[ "$(count_msgs "$INST/mail/frank")" -eq $n ]
	[ "$(grep '^X-Seq: ' "$INST/mail/frank" | sort -u | wc -l)" -eq $n ]
}

@test "pipeline: a malformed submission is set aside once, bytes kept; the others go" {
	to_maildrop 2 gina@localhost
	printf 'garbage\n\001\n' >"$INST/spool/maildrop/6B00000000000AB"
	cp "$INST/spool/maildrop/6B00000000000AB" "$BATS_TEST_TMPDIR/bad"
	# A half-written one (its name starts with a dot) is left alone.
	printf 'half' >"$INST/spool/maildrop/.123.456.7"
	queue-run $CF -f
	cmp "$INST/spool/corrupt/maildrop.6B00000000000AB" "$BATS_TEST_TMPDIR/bad"
	[ -f "$INST/spool/maildrop/.123.456.7" ]
	[ "$(queued hold)" -eq 2 ]
	postsuper $CF -H ALL 2>/dev/null
	queue-run $CF -f
	[ "$(count_msgs "$INST/mail/gina")" -eq 2 ]
	[ "$(grep -c 'maildrop/6B00000000000AB' "$INST/maillog")" -eq 1 ]
	[ "$(queued corrupt)" -eq 1 ]
}

@test "pipeline: a submission queued just before a crash is not queued twice" {
	to_maildrop 1 hank@localhost
	id=$(ls "$INST/spool/maildrop")
	# The crash came after the rename into hold/, before the removal.
	cp "$INST/spool/maildrop/$id" "$INST/spool/hold/$id"
	printf 'defer 0\t1700000000\t4.0.0\tthe first copy\n' >>"$INST/spool/hold/$id"
	chown nobody "$INST/spool/hold/$id"
	chmod 600 "$INST/spool/hold/$id"
	queue-run $CF -f
	[ "$(queued maildrop)" -eq 0 ]
	[ "$(queued hold)" -eq 1 ]
	[ "$(queued active)" -eq 0 ]
	grep -q 'the first copy' "$INST/spool/hold/$id"
}

@test "pipeline: the daemon picks a submission up as soon as the trigger names it" {
	queue-run $CF & QRPID=$!
	wait_for "[ -p '$INST/spool/trigger' ] && grep -q started '$INST/maillog'"
	id=$(printf 'Subject: t\n\nnow\n' | queue-inject $CF -h -f a@example.test ivan@localhost)
	mv "$INST/spool/hold/$id" "$INST/spool/maildrop/$id"
	echo "$id" >"$INST/spool/trigger"
	wait_for "[ -s '$INST/mail/ivan' ]" 10
	grep -q '^now$' "$INST/mail/ivan"
	[ "$(queued maildrop)" -eq 0 ]
}
