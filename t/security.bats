#!/usr/bin/env bats
# security: attacks done as an attacker would, each checked by its
# outcome (a reply, a closed connection, a time bound, a file untouched).

load helper

setup() {
	instance "local_recipient_maps = static:any"
	LPID=
	QRPID=
}

teardown() {
	if [ -n "$LPID" ]; then kill "$LPID" 2>/dev/null || true; fi
	if [ -n "$QRPID" ]; then kill "$QRPID" 2>/dev/null || true; fi
	wait 2>/dev/null || true
}

# wait_for - poll a shell condition for up to $2 seconds (default 20)
wait_for() {
	local i
	for ((i = 0; i < ${2:-20} * 20; i++)); do
		eval "$1" && return 0
		sleep 0.05
	done
	return 1
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
