#!/usr/bin/env bats
# smtp-listen: the SMTP server, in stdin mode (exact replies through
# printf pipes) and standalone with -l (swaks and python smtplib over
# 127.0.0.1 and ::1).

load helper

setup() {
	instance "smtpd_error_sleep_time = 0" \
	    "local_recipient_maps = static:any"
	LPID=
	QRPID=
}

teardown() {
	if [ -n "$LPID" ]; then kill "$LPID" 2>/dev/null || true; fi
	if [ -n "$QRPID" ]; then kill "$QRPID" 2>/dev/null || true; fi
	wait 2>/dev/null || true
}

# smtp - feed the printf format $1 to smtp-listen on stdin; replies in
# $output without CRs
smtp() {
	run bash -c "printf '$1' | smtp-listen | tr -d '\r'"
}

# free_port - a TCP port nobody listens on
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_listen - smtp-listen -l on 127.0.0.1 and ::1, port in $PORT
start_listen() {
	PORT=$(free_port)
	smtp-listen -l "127.0.0.1:$PORT" -l "[::1]:$PORT" 3>&- &
	LPID=$!
	wait_for "grep -q 'listening on \[::1\]:$PORT' '$INST/maillog'" 10
}

# qfile - the one queue file in active/
qfile() {
	find "$INST/spool/${1:-active}" -type f | head -1
}

@test "smtp-listen: banner, EHLO keywords in order, QUIT" {
	smtp 'EHLO client.example\r\nQUIT\r\n'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "220 mx.example.test ESMTP" ]
	[ "${lines[1]}" = "250-mx.example.test" ]
	[ "${lines[2]}" = "250-PIPELINING" ]
	[ "${lines[3]}" = "250-SIZE 10240000" ]
	[ "${lines[4]}" = "250-VRFY" ]
	[ "${lines[5]}" = "250-ETRN" ]
	[ "${lines[6]}" = "250-ENHANCEDSTATUSCODES" ]
	[ "${lines[7]}" = "250-8BITMIME" ]
	[ "${lines[8]}" = "250-DSN" ]
	[ "${lines[9]}" = "250 SMTPUTF8" ]
	[ "${lines[10]}" = "221 2.0.0 Bye" ]
	grep -q 'connect from localhost\[127.0.0.1\]' "$INST/maillog"
	grep -q 'disconnect from localhost\[127.0.0.1\] ehlo=1 quit=1 commands=2' "$INST/maillog"
}

@test "smtp-listen: smtpd_banner and HELO" {
	instance "smtpd_banner = \$myhostname ESMTP ready"
	smtp 'HELO client.example\r\nNOOP\r\nHELP\r\nQUIT\r\n'
	[ "${lines[0]}" = "220 mx.example.test ESMTP ready" ]
	[ "${lines[1]}" = "250 mx.example.test" ]
	[ "${lines[2]}" = "250 2.0.0 Ok" ]
	[[ "${lines[3]}" == "214 2.0.0 Commands: "* ]]
	[ "${lines[4]}" = "221 2.0.0 Bye" ]
}

@test "smtp-listen: a message is queued with its envelope and Received" {
	smtp 'EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.test>\r\nRCPT TO:<postmaster>\r\nDATA\r\nSubject: hi\r\n\r\nbody\r\n..stuffed\r\n.\r\nQUIT\r\n'
	[ "${lines[1]}" = "250-mx.example.test" ]
	[ "${lines[10]}" = "250 2.1.0 Ok" ]
	[ "${lines[11]}" = "250 2.1.5 Ok" ]
	[ "${lines[12]}" = "250 2.1.5 Ok" ]
	[ "${lines[13]}" = "354 End data with <CR><LF>.<CR><LF>" ]
	[[ "${lines[14]}" =~ ^250\ 2\.0\.0\ Ok:\ queued\ as\ ([0-9A-F]+)$ ]]
	id=${BASH_REMATCH[1]}
	[ "${lines[15]}" = "221 2.0.0 Bye" ]
	f=$INST/spool/active/$id
	[ -f "$f" ]
	grep -q '^Received: from client.example (localhost \[127.0.0.1\])$' "$f"
	grep -q "by mx.example.test (pipemail) with ESMTP id $id;" "$f"
	grep -q '^\.stuffed$' "$f"
	grep -q '^sender alice@example.org$' "$f"
	grep -q '^rcpt bob@example.test	' "$f"
	# RFC 5321 4.5.1: a bare postmaster gets @myorigin.
	grep -q '^rcpt postmaster@mx.example.test	' "$f"
	grep -q "$id: client=localhost\[127.0.0.1\]" "$INST/maillog"
}

@test "smtp-listen: over TCP with swaks, Received names HELO, client and host" {
	start_listen
	run swaks --server "127.0.0.1:$PORT" --helo client.example \
	    --from alice@example.org --to bob@example.test
	[ "$status" -eq 0 ]
	[[ "$output" =~ queued\ as\ ([0-9A-F]+) ]]
	id=${BASH_REMATCH[1]}
	f=$INST/spool/active/$id
	grep -q '^Received: from client.example (unknown \[127.0.0.1\])$' "$f"
	grep -q "^	by mx.example.test (pipemail) with ESMTP id $id" "$f"
	grep -q "$id: client=unknown\[127.0.0.1\]" "$INST/maillog"
}

@test "smtp-listen: over IPv6 with python smtplib" {
	start_listen
	run python3 - "$PORT" <<-'EOF'
	import smtplib, sys
	s = smtplib.SMTP("::1", int(sys.argv[1]), local_hostname="six.example")
	s.sendmail("a@example.org", ["b@example.test"], "Subject: v6\r\n\r\nhi\r\n")
	s.quit()
	EOF
	[ "$status" -eq 0 ]
	[ "$(queued active)" -eq 1 ]
	grep -q '^Received: from six.example (unknown \[IPv6:::1\])$' "$(qfile)"
}

@test "smtp-listen: end to end with queue-run into an mbox" {
	start_listen
	queue-run & QRPID=$!
	run swaks --server "127.0.0.1:$PORT" --from alice@example.org \
	    --to carol@localhost --header "Subject: e2e"
	[ "$status" -eq 0 ]
	wait_for "grep -q '^Subject: e2e' '$INST/mail/carol' 2>/dev/null" 10
	grep -q '^Received: from .* (unknown \[127.0.0.1\])' "$INST/mail/carol"
}

@test "smtp-listen: pipelining, all commands in one write, replies in order" {
	start_listen
	run python3 - "$PORT" <<-'EOF'
	import socket, sys
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	f = s.makefile("rb")
	print(f.readline().decode().strip())
	s.sendall(b"EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\n"
	          b"RCPT TO:<c@example.test>\r\nDATA\r\n")
	for i in range(13):
	    print(f.readline().decode().strip())
	s.sendall(b"Subject: p\r\n\r\nx\r\n.\r\nNOOP\r\nQUIT\r\n")
	for i in range(3):
	    print(f.readline().decode().strip())
	EOF
	[ "$status" -eq 0 ]
	[ "${lines[10]}" = "250 2.1.0 Ok" ]
	[ "${lines[11]}" = "250 2.1.5 Ok" ]
	[ "${lines[12]}" = "250 2.1.5 Ok" ]
	[ "${lines[13]}" = "354 End data with <CR><LF>.<CR><LF>" ]
	[[ "${lines[14]}" == "250 2.0.0 Ok: queued as "* ]]
	[ "${lines[15]}" = "250 2.0.0 Ok" ]
	[ "${lines[16]}" = "221 2.0.0 Bye" ]
}

@test "smtp-listen: SIZE at MAIL" {
	instance "smtpd_error_sleep_time = 0" "message_size_limit = 1000"
	smtp 'EHLO x\r\nMAIL FROM:<a@example.org> SIZE=1001\r\nMAIL FROM:<a@example.org> SIZE=x\r\nMAIL FROM:<a@example.org> SIZE=1000 BODY=8BITMIME\r\nQUIT\r\n'
	[ "${lines[3]}" = "250-SIZE 1000" ]
	[ "${lines[10]}" = "552 5.3.4 Message size exceeds fixed limit" ]
	[ "${lines[11]}" = "501 5.5.4 Bad message size syntax" ]
	[ "${lines[12]}" = "250 2.1.0 Ok" ]
}

@test "smtp-listen: the size limit while DATA streams: 552, nothing queued" {
	instance "smtpd_error_sleep_time = 0" "message_size_limit = 1000"
	body=$(head -c 3000 /dev/zero | tr '\0' 'x')
	smtp "HELO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n$body\r\n.\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\nDATA\r\nsmall\r\n.\r\nQUIT\r\n"
	[ "${lines[5]}" = "552 5.3.4 Error: message file too big" ]
	[ "${lines[6]}" = "250 2.1.0 Ok" ]
	[[ "${lines[9]}" == "250 2.0.0 Ok: queued as "* ]]
	[ "$(queued active)" -eq 1 ]
	[ "$(queued tmp)" -eq 0 ]
}

@test "smtp-listen: smtpd_recipient_limit gives 452 4.5.3" {
	instance "smtpd_error_sleep_time = 0" "smtpd_recipient_limit = 2"
	smtp 'HELO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\nRCPT TO:<c@example.test>\r\nRCPT TO:<d@example.test>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n'
	[ "${lines[3]}" = "250 2.1.5 Ok" ]
	[ "${lines[4]}" = "250 2.1.5 Ok" ]
	[ "${lines[5]}" = "452 4.5.3 Error: too many recipients" ]
	[[ "${lines[7]}" == "250 2.0.0 Ok: queued as "* ]]
	[ "$(grep -c '^rcpt ' "$(qfile)")" -eq 2 ]
}

@test "smtp-listen: 10,000 pipelined RCPTs: limit replies, then too many errors" {
	instance "smtpd_error_sleep_time = 0" "smtpd_soft_error_limit = 100"
	{
		printf 'HELO x\r\nMAIL FROM:<a@example.org>\r\n'
		for ((i = 0; i < 10000; i++)); do
			printf 'RCPT TO:<user%d@example.test>\r\n' "$i"
		done
		printf 'QUIT\r\n'
	} >"$BATS_TEST_TMPDIR/in"
	run bash -c "smtp-listen <'$BATS_TEST_TMPDIR/in' | tr -d '\r'"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^250 2.1.5 Ok$' <<<"$output")" -eq 1000 ]
	# smtpd_recipient_overshoot_limit (1000) free, then 20 errors.
	[ "$(grep -c '^452 4.5.3 Error: too many recipients$' <<<"$output")" -eq 1020 ]
	[ "${lines[-1]}" = "421 4.7.0 mx.example.test Error: too many errors" ]
}

@test "smtp-listen: unknown command, empty line, not implemented" {
	smtp 'XYZZY\r\n\r\nEXPN root\r\nQUIT\r\n'
	[ "${lines[1]}" = "502 5.5.2 Error: command not recognized" ]
	[ "${lines[2]}" = "500 5.5.2 Error: bad syntax" ]
	[ "${lines[3]}" = "502 5.5.1 Error: command not implemented" ]
	[ "${lines[4]}" = "221 2.0.0 Bye" ]
}

@test "smtp-listen: a command line over 512 octets, and a 1 MB one" {
	long=$(head -c 600 /dev/zero | tr '\0' 'a')
	huge=$(head -c 1048576 /dev/zero | tr '\0' 'b')
	printf 'NOOP %s\r\nNOOP\r\nNOOP %s\r\nNOOP\r\nQUIT\r\n' "$long" "$huge" \
	    >"$BATS_TEST_TMPDIR/in"
	run bash -c "smtp-listen <'$BATS_TEST_TMPDIR/in' | tr -d '\r'"
	[ "${lines[1]}" = "500 5.5.6 Error: command line too long" ]
	[ "${lines[2]}" = "250 2.0.0 Ok" ]
	[ "${lines[3]}" = "500 5.5.6 Error: command line too long" ]
	[ "${lines[4]}" = "250 2.0.0 Ok" ]
	[ "${lines[5]}" = "221 2.0.0 Bye" ]
}

@test "smtp-listen: a NUL byte in a command" {
	smtp 'HELO a\000b\r\nNOOP\r\nQUIT\r\n'
	[ "${lines[1]}" = "500 5.5.2 Error: NUL character in command" ]
	[ "${lines[2]}" = "250 2.0.0 Ok" ]
}

@test "smtp-listen: bare LF ends commands and lines, never the data" {
	smtp 'HELO x\nMAIL FROM:<a@example.org>\nRCPT TO:<b@example.test>\nDATA\nSubject: lf\n\nline1\n.\nline3\r\n.\r\nQUIT\n'
	[ "${lines[1]}" = "250 mx.example.test" ]
	[ "${lines[4]}" = "354 End data with <CR><LF>.<CR><LF>" ]
	[[ "${lines[5]}" == "250 2.0.0 Ok: queued as "* ]]
	[ "${lines[6]}" = "221 2.0.0 Bye" ]
	f=$(qfile)
	# LF . LF is text (SMTP smuggling), kept as a line of its own.
	grep -q '^line1$' "$f"
	grep -qx '\.' "$f"
	grep -q '^line3$' "$f"
}

@test "smtp-listen: smtpd_helo_required" {
	instance "smtpd_error_sleep_time = 0" "smtpd_helo_required = yes"
	smtp 'MAIL FROM:<a@example.org>\r\nHELO\r\nHELO x\r\nMAIL FROM:<a@example.org>\r\nQUIT\r\n'
	[ "${lines[1]}" = "503 5.5.1 Error: send HELO/EHLO first" ]
	[ "${lines[2]}" = "501 5.5.4 Syntax: HELO hostname" ]
	[ "${lines[3]}" = "250 mx.example.test" ]
	[ "${lines[4]}" = "250 2.1.0 Ok" ]
}

@test "smtp-listen: VRFY answers 252, or 502 when disabled" {
	smtp 'VRFY postmaster\r\nVRFY\r\nQUIT\r\n'
	[ "${lines[1]}" = "252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery" ]
	[ "${lines[2]}" = "501 5.5.4 Syntax: VRFY address" ]
	instance "disable_vrfy_command = yes"
	smtp 'EHLO x\r\nVRFY postmaster\r\nQUIT\r\n'
	[[ "${lines[*]:1:8}" != *VRFY* ]]
	[ "${lines[9]}" = "502 5.5.1 VRFY command is disabled" ]
}

@test "smtp-listen: ETRN wakes queue-run, 458 when none runs" {
	smtp 'EHLO x\r\nETRN example.test\r\nETRN\r\nQUIT\r\n'
	[ "${lines[10]}" = "458 4.3.0 Unable to queue messages" ]
	[ "${lines[11]}" = "501 5.5.4 Syntax: ETRN domain" ]
	queue-run & QRPID=$!
	wait_for "grep -q started '$INST/maillog'" 10
	smtp 'EHLO x\r\nMAIL FROM:<a@example.org>\r\nETRN example.test\r\nRSET\r\nETRN example.test\r\nQUIT\r\n'
	[ "${lines[11]}" = "503 5.5.1 Error: MAIL transaction in progress" ]
	[ "${lines[12]}" = "250 2.0.0 Ok" ]
	[ "${lines[13]}" = "250 2.0.0 Queuing started" ]
}

@test "smtp-listen: RSET and bad sequences" {
	smtp 'HELO x\r\nRCPT TO:<b@example.test>\r\nDATA\r\nMAIL FROM:<a@example.org>\r\nMAIL FROM:<a@example.org>\r\nDATA\r\nRSET\r\nRCPT TO:<b@example.test>\r\nRSET x\r\nQUIT\r\n'
	[ "${lines[2]}" = "503 5.5.1 Error: need MAIL command" ]
	[ "${lines[3]}" = "503 5.5.1 Error: need MAIL command" ]
	[ "${lines[4]}" = "250 2.1.0 Ok" ]
	[ "${lines[5]}" = "503 5.5.1 Error: nested MAIL command" ]
	[ "${lines[6]}" = "503 5.5.1 Error: need RCPT command" ]
	[ "${lines[7]}" = "250 2.0.0 Ok" ]
	[ "${lines[8]}" = "503 5.5.1 Error: need MAIL command" ]
	[ "${lines[9]}" = "501 5.5.4 Syntax: RSET" ]
}

@test "smtp-listen: MAIL and RCPT syntax errors" {
	smtp 'HELO x\r\nMAIL <a@example.org>\r\nMAIL FROM:<a@@example.org>\r\nMAIL FROM:<a@example.org> FOO=1\r\nMAIL FROM:<a@example.org> BODY=BINARYMIME\r\nMAIL FROM:<>\r\nRCPT <b@example.test>\r\nRCPT TO:<>\r\nRCPT TO:<b@example.test> BAR\r\nDATA x\r\nQUIT\r\n'
	[ "${lines[2]}" = "501 5.5.4 Syntax: MAIL FROM:<address>" ]
	[[ "${lines[3]}" == "501 5.1.7 "* ]]
	[ "${lines[4]}" = "555 5.5.4 Unsupported option: FOO" ]
	[ "${lines[5]}" = "501 5.5.4 Unsupported BODY parameter value" ]
	[ "${lines[6]}" = "250 2.1.0 Ok" ]
	[ "${lines[7]}" = "501 5.5.4 Syntax: RCPT TO:<address>" ]
	[[ "${lines[8]}" == "501 5.1.3 "* ]]
	[ "${lines[9]}" = "555 5.5.4 Unsupported option: BAR" ]
	[ "${lines[10]}" = "501 5.5.4 Syntax: DATA" ]
}

@test "smtp-listen: DATA after every RCPT failed: 554 no valid recipients" {
	smtp 'HELO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<>\r\nDATA\r\nQUIT\r\n'
	[ "${lines[4]}" = "554 5.5.1 Error: no valid recipients" ]
}

@test "smtp-listen: DSN parameters go into the queue file" {
	smtp 'EHLO x\r\nMAIL FROM:<a@example.org> RET=HDRS ENVID=abc+2Bdef\r\nRCPT TO:<b@example.test> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;b@example.test\r\nRCPT TO:<c@example.test> NOTIFY=NEVER\r\nRCPT TO:<d@example.test> NOTIFY=SOMETIMES\r\nRCPT TO:<d@example.test> ORCPT=nosemicolon\r\nMAIL FROM:<a@example.org> RET=ALL\r\nDATA\r\nx\r\n.\r\nQUIT\r\n'
	[ "${lines[10]}" = "250 2.1.0 Ok" ]
	[ "${lines[11]}" = "250 2.1.5 Ok" ]
	[ "${lines[12]}" = "250 2.1.5 Ok" ]
	[ "${lines[13]}" = "501 5.5.4 Bad NOTIFY parameter syntax" ]
	[ "${lines[14]}" = "501 5.5.4 Bad ORCPT parameter syntax" ]
	[ "${lines[15]}" = "503 5.5.1 Error: nested MAIL command" ]
	f=$(qfile)
	grep -q '^ret HDRS$' "$f"
	grep -q '^envid abc+2Bdef$' "$f"
	grep -q "^rcpt b@example.test	rfc822;b@example.test	10$" "$f"
	grep -q "^rcpt c@example.test		1$" "$f"
	smtp 'EHLO x\r\nMAIL FROM:<a@example.org> RET=ALL\r\nMAIL FROM:<a@example.org> ENVID=a=b\r\nQUIT\r\n'
	[ "${lines[10]}" = "501 5.5.4 Bad RET parameter syntax" ]
	[ "${lines[11]}" = "501 5.5.4 Bad MAIL parameter syntax" ]
}

@test "smtp-listen: SMTPUTF8 (RFC 6531)" {
	smtp 'EHLO x\r\nMAIL FROM:<j\303\266rg@example.org>\r\nMAIL FROM:<j\303\266rg@example.org> SMTPUTF8\r\nRCPT TO:<b\303\274@example.test>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n'
	[[ "${lines[10]}" == "553 5.6.7 "* ]]
	[ "${lines[11]}" = "250 2.1.0 Ok" ]
	[ "${lines[12]}" = "250 2.1.5 Ok" ]
	grep -q 'with UTF8SMTP id' "$(qfile)"
}

@test "smtp-listen: smtpd_timeout gives 421 4.4.2 and closes" {
	instance "smtpd_timeout = 2s"
	start=$SECONDS
	run bash -c "{ printf 'HELO x\r\n'; sleep 6; } | smtp-listen | tr -d '\r'"
	[ "${lines[1]}" = "250 mx.example.test" ]
	[ "${lines[2]}" = "421 4.4.2 mx.example.test Error: timeout exceeded" ]
	grep -q 'timeout after HELO from localhost\[127.0.0.1\]' "$INST/maillog"
	# Timing out in DATA queues nothing.
	run bash -c "{ printf 'HELO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\nDATA\r\npartial\r\n'; sleep 6; } | smtp-listen | tr -d '\r'"
	[ "${lines[5]}" = "421 4.4.2 mx.example.test Error: timeout exceeded" ]
	[ "$(queued active)" -eq 0 ]
}

@test "smtp-listen: smtpd_hard_error_limit: 421 4.7.0 and close" {
	instance "smtpd_error_sleep_time = 0" "smtpd_hard_error_limit = 3"
	smtp 'BAD1\r\nBAD2\r\nBAD3\r\nNOOP\r\nNOOP\r\n'
	[ "${lines[3]}" = "502 5.5.2 Error: command not recognized" ]
	[ "${lines[4]}" = "421 4.7.0 mx.example.test Error: too many errors" ]
	[ "${#lines[@]}" -eq 5 ]
}

@test "smtp-listen: a client dropping mid-DATA queues nothing; the next is served" {
	smtp 'HELO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\nDATA\r\nSubject: cut\r\n\r\nhalf a mess'
	[ "${lines[4]}" = "354 End data with <CR><LF>.<CR><LF>" ]
	[ "${#lines[@]}" -eq 5 ]
	[ "$(queued active)" -eq 0 ]
	[ "$(queued tmp)" -eq 0 ]
	grep -q 'lost connection after DATA from localhost' "$INST/maillog"
	start_listen
	run python3 - "$PORT" <<-'EOF'
	import socket, sys, smtplib
	port = int(sys.argv[1])
	s = socket.create_connection(("127.0.0.1", port))
	s.recv(1000)
	s.sendall(b"HELO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n")
	s.sendall(b"Subject: cut\r\n\r\n" + b"y" * 100000)
	s.close()
	c = smtplib.SMTP("127.0.0.1", port)
	c.sendmail("a@example.org", ["b@example.test"], "Subject: next\r\n\r\nok\r\n")
	c.quit()
	EOF
	[ "$status" -eq 0 ]
	[ "$(queued active)" -eq 1 ]
	grep -q '^Subject: next$' "$(qfile)"
}

@test "smtp-listen: relay from a non-mynetworks client is refused" {
	run bash -c "printf 'EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<victim@elsewhere.example>\r\nRCPT TO:<bob@mx.example.test>\r\nQUIT\r\n' | TCPREMOTEIP=192.0.2.1 smtp-listen | tr -d '\r'"
	[[ "${lines[11]}" == "454 4.7.1 "*"Relay access denied"* ]]
	[ "${lines[12]}" = "250 2.1.5 Ok" ]
	grep -q "NOQUEUE: reject: RCPT from unknown\\[192.0.2.1\\]: 454 4.7.1" "$INST/maillog"
}

@test "smtp-listen: a literal naming one of our addresses is no relay" {
	instance "smtpd_error_sleep_time = 0" "local_recipient_maps = static:any" \
	    "inet_interfaces = 192.0.2.7"
	run bash -c "printf 'EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<bob@[192.0.2.7]>\r\nRCPT TO:<bob@[192.0.2.8]>\r\nQUIT\r\n' | TCPREMOTEIP=192.0.2.1 smtp-listen | tr -d '\r'"
	[ "${lines[11]}" = "250 2.1.5 Ok" ]
	[[ "${lines[12]}" == "454 4.7.1 "*"Relay access denied"* ]]
}

@test "smtp-listen: tcpserver's TCPREMOTEHOST names the client" {
	run bash -c "printf 'HELO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@mx.example.test>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n' | TCPREMOTEIP=127.0.0.1 TCPREMOTEHOST=client.example smtp-listen | tr -d '\r'"
	[[ "${lines[5]}" == "250 2.0.0 Ok: queued as "* ]]
	grep -q '^Received: from x (client.example \[127.0.0.1\])$' "$(qfile)"
}

@test "smtp-listen: -l drops root; sessions never run as root" {
	start_listen
	run python3 - "$PORT" "$LPID" <<-'EOF'
	import socket, sys, subprocess
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	s.recv(1000)
	for pid in [sys.argv[2]] + subprocess.run(["pgrep", "-P", sys.argv[2]],
	        capture_output=True, text=True).stdout.split():
	    print(subprocess.run(["ps", "-o", "user=", "-p", pid],
	        capture_output=True, text=True).stdout.strip())
	s.close()
	EOF
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = nobody ]
	[ "${lines[1]}" = nobody ]
}

# send_two - two sessions one after the other, a message each, over -l
send_two() {
	python3 - "$PORT" <<-'EOF'
	import smtplib, sys, time
	for i in (1, 2):
	    c = smtplib.SMTP("127.0.0.1", int(sys.argv[1]))
	    c.sendmail("a@example.org", ["b@example.test"],
	               "Subject: %d\r\n\r\nx\r\n" % i)
	    c.quit()
	    # Let the serving process report back before the next one.
	    time.sleep(0.3)
	EOF
}

# log_pids PROGRAM WORDS - the pids of PROGRAM's log lines holding WORDS
log_pids() {
	grep "pipemail/$1\[" "$INST/maillog" | grep -- "$2" |
	    sed 's/.*pipemail\/[a-z-]*\[\([0-9]*\)\].*/\1/'
}

@test "smtp-listen: -l: the next connection goes to the same process and injector" {
	start_listen
	send_two
	[ "$(queued active)" -eq 2 ]
	[ "$(log_pids smtp-listen ': connect from' | wc -l)" -eq 2 ]
	[ "$(log_pids smtp-listen ': connect from' | sort -u | wc -l)" -eq 1 ]
	[ "$(log_pids queue-inject 'nrcpt=1' | sort -u | wc -l)" -eq 1 ]
	[ "$(log_pids smtp-listen ': connect from' | head -1)" != "$LPID" ]
}

@test "smtp-listen: -l: after QUIT the connection is closed, by a new process too" {
	start_listen
	run python3 - "$PORT" <<-'EOF'
	import socket, sys, time
	for i in (1, 2):
	    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	    f = s.makefile("rb")
	    f.readline()
	    s.sendall(b"QUIT\r\n")
	    print(f.readline().decode().strip())
	    s.settimeout(5)
	    print("closed" if s.recv(100) == b"" else "open")
	    s.close()
	    time.sleep(0.3)
	EOF
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "221 2.0.0 Bye" ]
	[ "${lines[1]}" = closed ]
	[ "${lines[3]}" = closed ]
}

@test "smtp-listen: -l: max_use = 1 gives every connection a new process" {
	instance "smtpd_error_sleep_time = 0" "max_use = 1"
	start_listen
	send_two
	[ "$(queued active)" -eq 2 ]
	[ "$(log_pids smtp-listen ': connect from' | sort -u | wc -l)" -eq 2 ]
}

@test "smtp-listen: -l: a killed injector is started again; nothing is lost" {
	start_listen
	send_two
	pkill -9 -f "queue-inject -c $INST/etc -s"
	send_two
	[ "$(queued active)" -eq 4 ]
	[ "$(log_pids queue-inject 'nrcpt=1' | sort -u | wc -l)" -eq 2 ]
}

@test "smtp-listen: over default_process_limit: 421 4.3.2" {
	instance "smtpd_error_sleep_time = 0" "default_process_limit = 1"
	start_listen
	run python3 - "$PORT" <<-'EOF'
	import socket, sys
	port = int(sys.argv[1])
	a = socket.create_connection(("127.0.0.1", port))
	print(a.recv(1000).decode().strip())
	b = socket.create_connection(("127.0.0.1", port))
	print(b.recv(1000).decode().strip())
	EOF
	[ "${lines[0]}" = "220 mx.example.test ESMTP" ]
	[ "${lines[1]}" = "421 4.3.2 mx.example.test Error: too many connections" ]
}

@test "smtp-listen: SIGTERM stops the listener" {
	start_listen
	kill -TERM "$LPID"
	wait_for "! kill -0 $LPID 2>/dev/null" 5
	wait "$LPID" || true
	LPID=
	grep -q 'stopped accepting' "$INST/maillog"
}

@test "smtp-listen: bad usage and bad listen addresses exit 64" {
	run smtp-listen -x
	[ "$status" -eq 64 ]
	[[ "$output" == *"usage:"* ]]
	run smtp-listen -l 127.0.0.1
	[ "$status" -eq 64 ]
	run smtp-listen -l '[::1:25'
	[ "$status" -eq 64 ]
	run smtp-listen extra
	[ "$status" -eq 64 ]
}

@test "smtp-listen: make run creates an instance (RUN_SETUP_ONLY)" {
	dir=$BATS_TEST_TMPDIR/runinst
	cd "$BATS_TEST_DIRNAME/.."
	run env RUN_DIR="$dir" RUN_SETUP_ONLY=1 BUILD="${PIPEMAIL_BUILD:-build}" t/run-instance
	[ "$status" -eq 0 ]
	grep -q "^queue_directory = $dir/spool$" "$dir/etc/main.cf"
	grep -q "^mail_spool_directory = $dir/mail$" "$dir/etc/main.cf"
	grep -q '^local_recipient_maps = static:any$' "$dir/etc/main.cf"
	[ -e "$dir/etc/aliases.db" ] || ls "$dir/etc/" | grep -q aliases.
	run route-transport -c "$dir/etc" someone@localhost
	[ "$status" -eq 0 ]
	[[ "$output" == *"	local	"* ]]
	# A second run keeps what is there.
	echo "# mine" >>"$dir/etc/main.cf"
	run env RUN_DIR="$dir" RUN_SETUP_ONLY=1 BUILD="${PIPEMAIL_BUILD:-build}" t/run-instance
	grep -q '^# mine$' "$dir/etc/main.cf"
}

@test "smtp-listen: header_checks and body_checks while DATA streams" {
	cat >"$INST/etc/header_checks" <<-'EOF2'
	/^Subject: reject me/ REJECT 5.7.1 no thanks
	/^Subject: defer me/ DEFER not now
	/^X-Drop-Me:/ IGNORE
	/^Subject: warn me/ WARN looked odd
	EOF2
	cat >"$INST/etc/body_checks" <<-'EOF2'
	/^discard this body$/ DISCARD spam
	EOF2
	instance "smtpd_error_sleep_time = 0" \
	    "header_checks = regexp:$INST/etc/header_checks" \
	    "body_checks = regexp:$INST/etc/body_checks"
	txn='MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n'
	smtp "HELO x\r\n${txn}Subject: reject me\r\n\r\nx\r\n.\r\n${txn}Subject: defer me\r\n\r\nx\r\n.\r\n${txn}Subject: fine\r\n\r\ndiscard this body\r\n.\r\n${txn}Subject: warn me\r\nX-Drop-Me: yes\r\n\r\nkept\r\n.\r\nQUIT\r\n"
	[ "${lines[5]}" = "550 5.7.1 no thanks" ]
	[ "${lines[9]}" = "451 4.7.1 not now" ]
	[ "${lines[13]}" = "250 2.0.0 Ok" ]
	[[ "${lines[17]}" == "250 2.0.0 Ok: queued as "* ]]
	[ "$(queued active)" -eq 1 ]
	f=$(qfile)
	grep -q '^Subject: warn me$' "$f"
	[ "$(grep -c '^X-Drop-Me' "$f")" -eq 0 ]
	grep -q 'warning: header Subject: warn me' "$INST/maillog"
	grep -q 'discard: body discard this body' "$INST/maillog"
}

@test "smtp-listen: a HOLD from header_checks queues the message on hold" {
	cat >"$INST/etc/header_checks" <<-'EOF2'
	/^Subject: hold me/ HOLD look first
	EOF2
	instance "smtpd_error_sleep_time = 0" \
	    "header_checks = regexp:$INST/etc/header_checks"
	txn='MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n'
	smtp "HELO x\r\n${txn}Subject: hold me\r\n\r\nx\r\n.\r\nQUIT\r\n"
	[[ "${lines[5]}" == "250 2.0.0 Ok: queued as "* ]]
	[ "$(queued hold)" -eq 1 ]
	[ "$(queued active)" -eq 0 ]
}

@test "smtp-listen: the seed's main.cf: its banner and EHLO, over TCP with smtplib" {
	instance
	d=$BATS_TEST_DIRNAME/data
	sed -e "s|/etc/postfix/|$INST/etc/|g" -e "s|/etc/aliases|$INST/etc/aliases|" \
	    -e "s|^queue_directory = .*|queue_directory = $INST/spool|" \
	    -e "s|^mail_owner = .*|mail_owner = nobody|" "$d/seed-main.cf" \
	    >"$INST/etc/main.cf"
	echo "maillog_file = $INST/maillog" >>"$INST/etc/main.cf"
	for t in access transport header_checks; do cp "$d/seed-$t" "$INST/etc/$t"; done
	postmap "$INST/etc/access" "$INST/etc/transport"
	smtp 'EHLO example.com\r\nQUIT\r\n'
	[ "${lines[0]}" = "220 hostname.domain.com ESMTP" ]
	[ "${lines[1]}" = "250-hostname.domain.com" ]
	[ "${lines[2]}" = "250-PIPELINING" ]
	[ "${lines[3]}" = "250-SIZE 80000000" ]
	[ "${lines[4]}" = "250-ETRN" ]	# disable_vrfy_command = yes
	[ "${lines[-1]}" = "221 2.0.0 Bye" ]
	start_listen
	run python3 - "$PORT" <<-'EOF'
	import smtplib, sys
	c = smtplib.SMTP("127.0.0.1", int(sys.argv[1]))
	code, banner = c.ehlo("example.com")
	print(code, c.esmtp_features.get("size"), "vrfy" in c.esmtp_features,
	      c.has_extn("pipelining"), c.has_extn("etrn"), c.has_extn("8bitmime"))
	print(banner.decode().splitlines()[0])
	c.quit()
	EOF
	[ "${lines[0]}" = "250 80000000 False True True True" ]
	[ "${lines[1]}" = "hostname.domain.com" ]
}

@test "smtp-listen: a queue-inject that fails at once: 451 for each message, no loop" {
	B=$BATS_TEST_TMPDIR/bin
	mkdir -p "$B"
	cp "$BUILD_DIR/bin/smtp-listen" "$B/"
	printf '#!/bin/sh\necho "queue-inject: fatal: 4.3.0 broken on purpose" >&2\nexit 75\n' \
	    >"$B/queue-inject"
	chmod 755 "$B/queue-inject"
	run bash -c "printf 'HELO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\nDATA\r\none\r\n.\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\nDATA\r\ntwo\r\n.\r\nQUIT\r\n' | timeout 20 $B/smtp-listen | tr -d '\r'"
	[ "$status" -eq 0 ]
	# A 451 for each message: at DATA when the injector is already
	# gone, else at the end of the data.
	[ "$(grep -c '^451 4\.3\.0 ' <<<"$output")" -eq 2 ]
	[ "${lines[${#lines[@]}-1]}" = "221 2.0.0 Bye" ]
	if grep -q '^354 ' <<<"$output"; then
		grep -q 'queue-inject: .*broken on purpose' "$INST/maillog"
	fi
	[ "$(queued active)" -eq 0 ]
}

@test "smtp-listen: smtpd_soft_error_limit: errors past it wait smtpd_error_sleep_time" {
	instance "smtpd_error_sleep_time = 1s" "smtpd_soft_error_limit = 2" \
	    "smtpd_hard_error_limit = 5"
	start=$SECONDS
	smtp 'BAD1\r\nBAD2\r\nNOOP\r\n'
	[ "${lines[3]}" = "250 2.0.0 Ok" ]
	[ $((SECONDS - start)) -lt 2 ]
	start=$SECONDS
	smtp 'BAD1\r\nBAD2\r\nBAD3\r\nBAD4\r\nBAD5\r\nNOOP\r\n'
	[ "${lines[5]}" = "502 5.5.2 Error: command not recognized" ]
	[ "${lines[6]}" = "421 4.7.0 mx.example.test Error: too many errors" ]
	# Errors 3 and 4 wait a second each; the fifth is cut at once.
	[ $((SECONDS - start)) -ge 2 ]
	[ $((SECONDS - start)) -lt 5 ]
}

@test "smtp-listen: -l: smtpd_client_connection_rate_limit gives 421 4.7.0; exceptions are not counted" {
	instance "smtpd_client_connection_rate_limit = 2" \
	    "smtpd_client_event_limit_exceptions = [::1]/128"
	start_listen
	run python3 - "$PORT" <<-'EOF'
	import socket, sys
	port = int(sys.argv[1])
	for host in ["127.0.0.1"] * 3 + ["::1"] * 3:
	    s = socket.create_connection((host, port))
	    print(s.recv(1000).decode().strip())
	    try:
	        s.send(b"QUIT\r\n")
	        s.recv(1000)
	    except OSError:
	        pass                    # a refused one is closed already
	    s.close()
	EOF
	[ "${lines[0]}" = "220 mx.example.test ESMTP" ]
	[ "${lines[1]}" = "220 mx.example.test ESMTP" ]
	[ "${lines[2]}" = "421 4.7.0 mx.example.test Error: too many connections from 127.0.0.1" ]
	[ "${lines[3]}" = "220 mx.example.test ESMTP" ]
	[ "${lines[5]}" = "220 mx.example.test ESMTP" ]
}

@test "smtp-listen: -l: smtpd_client_connection_count_limit counts live connections" {
	instance "smtpd_client_connection_count_limit = 2" \
	    "smtpd_client_event_limit_exceptions ="
	start_listen
	run python3 - "$PORT" <<-'EOF'
	import socket, sys, time
	port = int(sys.argv[1])
	a = [socket.create_connection(("127.0.0.1", port)) for i in range(3)]
	for s in a:
	    print(s.recv(1000).decode().strip())
	a[0].send(b"QUIT\r\n"); a[0].recv(1000); a[0].close()
	time.sleep(0.3)
	b = socket.create_connection(("127.0.0.1", port))
	print(b.recv(1000).decode().strip())
	EOF
	[ "${lines[0]}" = "220 mx.example.test ESMTP" ]
	[ "${lines[1]}" = "220 mx.example.test ESMTP" ]
	[ "${lines[2]}" = "421 4.7.0 mx.example.test Error: too many connections from 127.0.0.1" ]
	# One ended: room for one more.
	[ "${lines[3]}" = "220 mx.example.test ESMTP" ]
}

@test "smtp-listen: -l: smtpd_client_message_rate_limit gives 450 4.7.1 at MAIL" {
	instance "local_recipient_maps = static:any" \
	    "smtpd_client_message_rate_limit = 2" \
	    "smtpd_client_event_limit_exceptions ="
	start_listen
	run python3 - "$PORT" <<-'EOF'
	import smtplib, sys
	port = int(sys.argv[1])
	for i in range(3):
	    c = smtplib.SMTP("127.0.0.1", port)
	    c.ehlo("x")
	    code, msg = c.mail("a@example.org")
	    print(code, msg.decode())
	    c.quit()
	EOF
	[ "${lines[0]}" = "250 2.1.0 Ok" ]
	[ "${lines[1]}" = "250 2.1.0 Ok" ]
	[ "${lines[2]}" = "450 4.7.1 Error: too much mail from 127.0.0.1" ]
}

@test "smtp-listen: a queue-inject that never answers: 451 within smtpd_timeout, nothing queued" {
	instance "local_recipient_maps = static:any" "smtpd_timeout = 2s"
	B=$BATS_TEST_TMPDIR/bin
	mkdir -p "$B"
	cp "$BUILD_DIR/bin/smtp-listen" "$B/"
	printf '#!/bin/sh\necho $$ >"%s/pid"\nexec sleep 60\n' "$B" >"$B/queue-inject"
	chmod 755 "$B/queue-inject"
	start=$SECONDS
	run bash -c "printf 'HELO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\nDATA\r\none\r\n.\r\nQUIT\r\n' | timeout 30 $B/smtp-listen | tr -d '\r'"
	[ "$status" -eq 0 ]
	[ "${lines[5]}" = "451 4.3.0 queue-inject did not answer in time" ]
	[ "${lines[6]}" = "221 2.0.0 Bye" ]
	[ $((SECONDS - start)) -lt 10 ]
	[ "$(queued active)" -eq 0 ]
	# The injector was killed: it cannot queue the message later.
	run kill -0 "$(cat "$B/pid")"
	[ "$status" -ne 0 ]
}

@test "smtp-listen: stress: smtpd_timeout and smtpd_hard_error_limit take their stress values" {
	instance "stress = yes" "smtpd_error_sleep_time = 0"
	smtp 'BAD\r\nNOOP\r\n'
	# ${stress?{1}:{20}}: the first error ends the session.
	[ "${lines[1]}" = "502 5.5.2 Error: command not recognized" ]
	[ "${lines[2]}" = "421 4.7.0 mx.example.test Error: too many errors" ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "smtp-listen: ETRN: @domain, address literals, syntax, and at most five per session" {
	queue-run & QRPID=$!
	wait_for "grep -q started '$INST/maillog'" 10
	smtp 'EHLO x\r\nETRN @Example.TEST\r\nETRN [192.0.2.1]\r\nETRN #q.example\r\nETRN bad_name\r\nETRN a.test\r\nETRN b.test\r\nETRN c.test\r\nQUIT\r\n'
	[ "${lines[10]}" = "250 2.0.0 Queuing started" ]
	[ "${lines[11]}" = "250 2.0.0 Queuing started" ]
	[ "${lines[12]}" = "250 2.0.0 Queuing started" ]
	[ "${lines[13]}" = "501 5.5.4 Error: invalid parameter syntax" ]
	[ "${lines[14]}" = "250 2.0.0 Queuing started" ]
	[ "${lines[15]}" = "250 2.0.0 Queuing started" ]
	[ "${lines[16]}" = "458 4.7.1 Error: too many ETRN requests" ]
	wait_for "grep -q 'ETRN example.test: 0 message' '$INST/maillog'" 10
}
