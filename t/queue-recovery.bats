#!/usr/bin/env bats
# queue-run on its bad days: a helper that cannot run suspends its stage
# as a whole (nothing written into the messages, a log line per interval,
# no busy loop), and a queue-run killed with -9 leaves no agent behind and
# repeats almost nothing.

load helper
bats_require_minimum_version 1.5.0

setup() {
	instance "local_recipient_maps = static:any" \
	    "minimal_backoff_time = 1s" "maximal_backoff_time = 2s" \
	    "transport_retry_time = 2s"
	CF="-c $INST/etc"
	private_bin
}

teardown() {
	if [ -n "${QRPID:-}" ]; then kill -9 "$QRPID" 2>/dev/null || true; fi
	pkill -9 -f "$PBIN/queue-run" 2>/dev/null || true
	pkill -9 -f "$PBIN/route-transport" 2>/dev/null || true
}

# count_msgs - messages in an mbox
count_msgs() {
	local n
	n=$(grep -c '^From ' "$1" 2>/dev/null)
	echo "${n:-0}"
}

# cpu_ticks PID - user + system clock ticks the process has used
cpu_ticks() {
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# sizes - each queue file with its size, sorted
sizes() {
	find "$INST/spool/active" -type f -printf '%f %s\n' | sort
}

# lines - lines in the log
lines() {
	wc -l <"$INST/maillog"
}

# queue_n N RCPT - queue N numbered messages for RCPT
queue_n() {
	local i
	for ((i = 1; i <= $1; i++)); do
		printf 'Subject: n %d\nX-Seq: %d\n\nbody %d\n' "$i" "$i" "$i"
		printf '\0'
	done | xargs -0 -n 1 -P 4 sh -c 'printf "%s" "$1" |
	    sendmail '"$CF"' -i '"$2"' || echo queue failed >&2' sh
}

@test "route-transport that cannot run suspends routing: no record written, a line per interval, idle, all delivered after" {
	queue_n 1000 erin@localhost
	[ "$(queued active)" -eq 1000 ]
	# A resolver that exits at once, as a broken install would have it.
	rm "$PBIN/route-transport"
	printf '#!/bin/sh\nexit 78\n' >"$PBIN/route-transport"
	chmod 755 "$PBIN/route-transport"
	sizes >"$BATS_TEST_TMPDIR/before"
	queue-run $CF & QRPID=$!
	sleep 1
	l0=$(lines) c0=$(cpu_ticks "$QRPID")
	sleep 8
	l1=$(lines) c1=$(cpu_ticks "$QRPID")
	sizes >"$BATS_TEST_TMPDIR/after"
	echo "# 8 s down: $((l1 - l0)) log lines, $((c1 - c0)) CPU ticks" >&3
	# One line per 2 s interval: a few, not one per message.
	[ $((l1 - l0)) -le 8 ]
	grep -q 'address resolution (route-transport) suspended for 2s, mail stays queued: .* exited with status 78' "$INST/maillog"
	run ! grep -q 'status=deferred' "$INST/maillog"
	# No queue file grew: no defer record was written.
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# Near idle: at most 0.5 s of CPU in 8 s (ticks are 1/100 s).
	[ $((c1 - c0)) -le 50 ]
	[ "$(count_msgs "$INST/mail/erin")" -eq 0 ]

	# The resolver comes back: delivery resumes within one interval.
	ln -sf "$BUILD_DIR/bin/route-transport" "$PBIN/route-transport.new"
	mv -T "$PBIN/route-transport.new" "$PBIN/route-transport"
	t0=$(date +%s%N)
	wait_for '[ "$(count_msgs "$INST/mail/erin")" -gt 0 ]' 10
	t1=$(date +%s%N)
	echo "# first delivery $(( (t1 - t0) / 1000000 )) ms after the resolver came back" >&3
	[ $(( (t1 - t0) / 1000000 )) -le 3000 ]
	wait_for '[ "$(queued active)" -eq 0 ]' 120
	[ "$(count_msgs "$INST/mail/erin")" -eq 1000 ]
	grep -q 'address resolution (route-transport) resumed' "$INST/maillog"
	run ! grep -q 'status=deferred' "$INST/maillog"
}

@test "a missing route-transport program suspends routing the same way" {
	queue_n 50 erin@localhost
	rm "$PBIN/route-transport"
	sizes >"$BATS_TEST_TMPDIR/before"
	queue-run $CF & QRPID=$!
	sleep 4
	sizes >"$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	n=$(grep -c 'suspended for 2s' "$INST/maillog")
	[ "$n" -ge 1 ] && [ "$n" -le 3 ]
	grep -q 'cannot start .*/route-transport: No such file or directory' "$INST/maillog"
	ln -s "$BUILD_DIR/bin/route-transport" "$PBIN/route-transport"
	wait_for '[ "$(queued active)" -eq 0 ]' 30
	[ "$(count_msgs "$INST/mail/erin")" -eq 50 ]
}

@test "a delivery agent that cannot be started suspends its transport, not each message" {
	instance "local_recipient_maps = static:any" \
	    "transport_maps = inline:{ far.test = smtp:[127.0.0.1]:2 }" \
	    "minimal_backoff_time = 1s" "maximal_backoff_time = 2s" \
	    "transport_retry_time = 2s"
	rm -f "$PBIN/deliver-remote"
	queue_n 200 y@far.test
	printf 'Subject: local\n\nbody\n' | sendmail $CF -i erin@localhost
	sizes >"$BATS_TEST_TMPDIR/before"
	queue-run $CF & QRPID=$!
	# Local mail goes on while smtp is suspended.
	wait_for '[ "$(count_msgs "$INST/mail/erin")" -eq 1 ]' 10
	sleep 4
	c0=$(cpu_ticks "$QRPID")
	sleep 2
	c1=$(cpu_ticks "$QRPID")
	[ $((c1 - c0)) -le 20 ]
	n=$(grep -c 'smtp delivery suspended for 2s' "$INST/maillog")
	echo "# $n suspension lines in about 7 s" >&3
	[ "$n" -ge 1 ] && [ "$n" -le 5 ]
	run ! grep -q 'status=deferred' "$INST/maillog"
	[ "$(queued active)" -eq 200 ]
	sizes >"$BATS_TEST_TMPDIR/after"
	# The 200 smtp messages are byte for byte as queued.
	grep -F -f "$BATS_TEST_TMPDIR/after" "$BATS_TEST_TMPDIR/before" | wc -l | grep -qx 200
	# A stand-in agent appears: each message goes out once.
	cat >"$PBIN/deliver-remote.new" <<-EOF
	#!/bin/sh
	cat >>"$BATS_TEST_TMPDIR/sent"
	echo "\$7	sent	250 2.0.0 ok"
	EOF
	chmod 755 "$PBIN/deliver-remote.new"
	mv "$PBIN/deliver-remote.new" "$PBIN/deliver-remote"
	wait_for '[ "$(queued active)" -eq 0 ]' 60
	[ "$(grep -c '^X-Seq: ' "$BATS_TEST_TMPDIR/sent")" -eq 200 ]
	[ "$(grep '^X-Seq: ' "$BATS_TEST_TMPDIR/sent" | sort -u | wc -l)" -eq 200 ]
	grep -q 'smtp delivery resumed' "$INST/maillog"
}

# children PID - the pids of PID's children
children() {
	pgrep -P "$1" | sort
}

@test "queue-run killed with -9 under load: its agents and route-transport end with it, nothing lost, repeats bounded" {
	queue-run $CF & QRPID=$!
	(
		for i in $(seq 1 300); do
			printf 'Subject: k %d\nX-Seq: %d\n\nline one of %d\n' \
			    "$i" "$i" "$i" | sendmail $CF -i "u$((i % 5))@localhost" ||
			    echo "sendmail $i failed" >&2
		done
	) & injector=$!
	kills=0 orphans=0
	for k in 1 2 3 4 5; do
		sleep "0.$((RANDOM % 5 + 3))"
		kids=$(children "$QRPID")
		kill -9 "$QRPID"
		wait "$QRPID" 2>/dev/null || true
		kills=$((kills + 1))
		sleep 0.2
		for p in $kids; do
			# A zombie has ended; it waits for its new parent.
			st=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1)
			if [ -n "$st" ] && [ "$st" != Z ]; then
				echo "# child $p ($(cat /proc/$p/cmdline | tr '\0' ' ')) outlived queue-run" >&3
				orphans=$((orphans + 1))
			fi
		done
		queue-run $CF & QRPID=$!
	done
	wait "$injector"
	wait_for "[ \$(queued active) -eq 0 ]" 60
	kill "$QRPID"; wait "$QRPID" || true
	QRPID=
	[ "$orphans" -eq 0 ]
	stats=$(python3 - "$INST"/mail/u* <<-'PY'
	import mailbox, sys, collections
	seen = collections.Counter()
	for f in sys.argv[1:]:
	    for msg in mailbox.mbox(f):
	        n = int(msg["X-Seq"])
	        assert msg.get_payload() == "line one of %d\n" % n, n
	        seen[n] += 1
	missing = [n for n in range(1, 301) if n not in seen]
	dups = sum(c - 1 for c in seen.values())
	print("%d %d %d" % (len(seen), dups, len(missing)))
	PY
	)
	read -r distinct dups missing <<<"$stats"
	echo "# $kills kills: $distinct distinct, $dups repeated, $missing missing" >&3
	[ "$missing" -eq 0 ]
	[ "$distinct" -eq 300 ]
	# An agent finishes the delivery in hand and its slot keeps the
	# outcome for the next queue-run: no repeat is expected.
	[ "$dups" -le 1 ]
}

@test "a delivery the agent of a killed queue-run finished is recorded by the next one, not made again" {
	OUT=$BATS_TEST_TMPDIR/out
	mkdir -p "$OUT"
	chmod 1777 "$OUT"
	instance "local_recipient_maps = static:any" \
	    "alias_maps = hash:$BATS_TEST_TMPDIR/inst/etc/aliases" \
	    "minimal_backoff_time = 1s" "maximal_backoff_time = 2s"
	cat >"$INST/etc/aliases" <<-EOF
	slow: "|/bin/sh -c 'echo start >>$OUT/runs; sleep 2; cat >>$OUT/got; echo end >>$OUT/runs'"
	EOF
	postalias "$INST/etc/aliases"
	printf 'Subject: once\n\nonly once\n' | sendmail $CF -i slow@localhost
	queue-run $CF & QRPID=$!
	wait_for '[ -s "$OUT/runs" ]' 10
	kill -9 "$QRPID"; wait "$QRPID" 2>/dev/null || true
	queue-run $CF & QRPID=$!
	wait_for '[ "$(queued active)" -eq 0 ]' 20
	sleep 1
	[ "$(grep -c start "$OUT/runs")" -eq 1 ]
	[ "$(grep -c end "$OUT/runs")" -eq 1 ]
	[ "$(grep -c '^only once$' "$OUT/got")" -eq 1 ]
	grep -q 'outcome kept by its agent' "$INST/maillog"
}

@test "a restarted queue-run starts no second delivery while an agent of the killed one still runs" {
	instance "local_recipient_maps = static:any" \
	    "transport_maps = inline:{ far.test = smtp:[127.0.0.1]:2 }" \
	    "minimal_backoff_time = 1s" "maximal_backoff_time = 2s"
	# A slow stand-in agent that logs when each delivery starts and ends.
	cat >"$PBIN/deliver-remote.new" <<-EOF
	#!/bin/sh
	echo "start \$(date +%s%N)" >>"$BATS_TEST_TMPDIR/runs"
	cat >/dev/null
	sleep 2
	echo "end \$(date +%s%N)" >>"$BATS_TEST_TMPDIR/runs"
	echo "\$7	sent	250 2.0.0 ok"
	EOF
	chmod 755 "$PBIN/deliver-remote.new"
	rm -f "$PBIN/deliver-remote"
	mv "$PBIN/deliver-remote.new" "$PBIN/deliver-remote"
	printf 'Subject: slow\n\nbody\n' | sendmail $CF -i y@far.test
	queue-run $CF & QRPID=$!
	wait_for '[ -s "$BATS_TEST_TMPDIR/runs" ]' 10
	kill -9 "$QRPID"; wait "$QRPID" 2>/dev/null || true
	queue-run $CF & QRPID=$!
	wait_for '[ "$(queued active)" -eq 0 ]' 20
	grep -q 'an earlier delivery agent still holds it; waiting' "$INST/maillog"
	# Runs one after the other, never two at once.
	python3 - "$BATS_TEST_TMPDIR/runs" <<-'PY'
	import sys
	ev = [l.split() for l in open(sys.argv[1])]
	depth = 0
	for kind, _ in ev:
	    depth += 1 if kind == "start" else -1
	    assert 0 <= depth <= 1, ev
	assert ev[0][0] == "start" and ev[-1][0] == "end", ev
	PY
}
