#!/usr/bin/env bats
# sendmail, mailq, newaliases: submission through queue-inject, the queue
# listing, alias databases, and the modes that start other programs.

load helper

setup() {
	instance
	unset NAME
	export TZ=UTC PIPEMAIL_TIME=1700000000
	ME=$(id -un)
}

# qfile - the only queue file in a subdirectory
qfile() {
	find "$INST/spool/${1:-active}" -type f | head -n 1
}

# qmsg - the message bytes of a queue file
qmsg() {
	local f=$1 size head_len
	size=$(sed -n 2p "$f" | awk '{print $2+0}')
	head_len=$(head -n 2 "$f" | wc -c)
	tail -c +$((head_len + 1)) "$f" | head -c "$size"
}

# qenv - the records after the message
qenv() {
	local f=$1 size head_len
	size=$(sed -n 2p "$f" | awk '{print $2+0}')
	head_len=$(head -n 2 "$f" | wc -c)
	tail -c +$((head_len + size + 1)) "$f"
}

# rcpts - the recipient addresses of a queue file, one a line
rcpts() {
	qenv "$1" | sed -n 's/^rcpt \([^	]*\)	.*/\1/p'
}

@test "sendmail: queues silently, exits 0, envelope from the user" {
	run sendmail bob@example.org <<<"Subject: hello

body text"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(queued)" -eq 1 ]
	[ "$(queued tmp)" -eq 0 ]
	f=$(qfile)
	qenv "$f" | grep -qx "sender $ME@mx.example.test"
	[ "$(rcpts "$f")" = "bob@example.org" ]
	qmsg "$f" | grep -qx "Subject: hello"
	qmsg "$f" | grep -qx "body text"
}

@test "sendmail: adds Message-ID, Date and From when missing" {
	printf 'Subject: s\n\nb\n' | sendmail bob@example.org
	m=$(qmsg "$(qfile)")
	grep -qx "Date: Tue, 14 Nov 2023 22:13:20 +0000" <<<"$m"
	gecos=$(getent passwd "$ME" | cut -d: -f5 | cut -d, -f1)
	if [ -n "$gecos" ]; then
		grep -qx "From: \"$gecos\" <$ME@mx.example.test>" <<<"$m"
	else
		grep -qx "From: $ME@mx.example.test" <<<"$m"
	fi
	grep -Eqx 'Message-ID: <20231114221320\.[0-9]+\.[0-9A-F]{16}@mx\.example\.test>' <<<"$m"
	# Added at the end of the header section, before the empty line.
	[ "$(sed -n '/^$/=' <<<"$m" | head -n 1)" -eq \
	  "$(( $(grep -n '^From: ' <<<"$m" | cut -d: -f1) + 1 ))" ]
}

@test "sendmail: Message-IDs differ between messages" {
	printf 'Subject: 1\n\n' | sendmail bob@example.org
	printf 'Subject: 2\n\n' | sendmail bob@example.org
	n=$(cat "$INST"/spool/active/* | grep '^Message-ID: ' | sort -u | wc -l)
	[ "$n" -eq 2 ]
}

@test "sendmail: present From, Date and Message-ID are kept, not doubled" {
	printf 'from: Me <me@x.test>\nDATE: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-Id: <x@y>\n\nb\n' |
	    sendmail bob@example.org
	m=$(qmsg "$(qfile)")
	[ "$(grep -ci '^from:' <<<"$m")" -eq 1 ]
	[ "$(grep -ci '^date:' <<<"$m")" -eq 1 ]
	[ "$(grep -ci '^message-id:' <<<"$m")" -eq 1 ]
	grep -qx "from: Me <me@x.test>" <<<"$m"
	grep -qx "Message-Id: <x@y>" <<<"$m"
}

@test "sendmail -F: the full name in the generated From" {
	printf 'Subject: s\n\n' | sendmail -F 'Jane Q. Doe' bob@example.org
	qmsg "$(qfile)" | grep -qx "From: \"Jane Q. Doe\" <$ME@mx.example.test>"
}

@test "sendmail -f/-r: envelope sender, also named in the From header" {
	printf 'Subject: s\n\n' | sendmail -F Al -f alice@example.org bob@example.org
	f=$(qfile)
	qenv "$f" | grep -qx "sender alice@example.org"
	qmsg "$f" | grep -qx 'From: "Al" <alice@example.org>'
	rm -f "$f"
	printf 'Subject: s\n\n' | sendmail -r '<carol@example.org>' bob@example.org
	qenv "$(qfile)" | grep -qx "sender carol@example.org"
	rm -f "$(qfile)"
	printf 'Subject: s\n\n' | sendmail -f 'Dave <dave@example.org>' bob@example.org
	qenv "$(qfile)" | grep -qx "sender dave@example.org"
	rm -f "$(qfile)"
	# A bare local part is qualified with myorigin (append_at_myorigin).
	printf 'Subject: s\n\n' | sendmail -f erin bob@example.org
	qenv "$(qfile)" | grep -qx "sender erin@mx.example.test"
}

@test "sendmail -f '' and -f '<>': the null sender, From MAILER-DAEMON" {
	printf 'Subject: s\n\n' | sendmail -f '' bob@example.org
	f=$(qfile)
	qenv "$f" | grep -qx "sender "
	qmsg "$f" | grep -qx "From: MAILER-DAEMON@mx.example.test"
	rm -f "$f"
	printf 'Subject: s\n\n' | sendmail -f '<>' bob@example.org
	qenv "$(qfile)" | grep -qx "sender "
}

@test "sendmail -f with a bad address: 64, nothing queued" {
	run sendmail -f 'a@x, b@y' bob@example.org <<<"Subject: s"
	[ "$status" -eq 64 ]
	[[ "$output" == *"sendmail: fatal: 5.1.7 bad sender address"* ]]
	[ "$(queued)" -eq 0 ]
}

@test "sendmail -t: To, Cc and Bcc recipients; Bcc removed" {
	printf 'To: a@example.org\nCc: b@example.org\nBcc: hidden@example.org\nSubject: s\n\nbody\n' |
	    sendmail -t
	f=$(qfile)
	[ "$(rcpts "$f" | sort | tr '\n' ' ')" = "a@example.org b@example.org hidden@example.org " ]
	[ "$(qmsg "$f" | grep -ci '^bcc:')" -eq 0 ]
	[ "$(qmsg "$f" | grep -c 'hidden')" -eq 0 ]
	qmsg "$f" | grep -qx "Cc: b@example.org"
}

@test "sendmail -t: display names, groups, a folded To" {
	printf 'To: "Doe, John" <john@example.org>, Team: m1@example.org,\n\tMary <m2@example.org>;,\n undisclosed-recipients:;\nSubject: s\n\n' |
	    sendmail -t
	f=$(qfile)
	[ "$(rcpts "$f" | tr '\n' ' ')" = "john@example.org m1@example.org m2@example.org " ]
	# The header itself is kept as written.
	qmsg "$f" | grep -qx '	Mary <m2@example.org>;,'
}

@test "sendmail -t: command-line recipients are added, duplicates dropped" {
	printf 'To: a@example.org, c@example.org\n\n' | sendmail -t c@example.org z@example.org
	[ "$(rcpts "$(qfile)" | tr '\n' ' ')" = "c@example.org z@example.org a@example.org " ]
}

@test "sendmail -t: Resent-To/Cc/Bcc replace To/Cc; Resent- headers added" {
	printf 'To: old@example.org\nFrom: f@example.org\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nResent-To: new@example.org\nResent-Bcc: rb@example.org\n\nb\n' |
	    sendmail -t
	f=$(qfile)
	[ "$(rcpts "$f" | tr '\n' ' ')" = "new@example.org rb@example.org " ]
	[ "$(qmsg "$f" | grep -ci '^resent-bcc:')" -eq 0 ]
	qmsg "$f" | grep -qx "Resent-Date: Tue, 14 Nov 2023 22:13:20 +0000"
	qmsg "$f" | grep -q "^Resent-From: "
	qmsg "$f" | grep -q "^Resent-Message-ID: <"
	[ "$(qmsg "$f" | grep -c '^Date: ')" -eq 1 ]
}

@test "sendmail -t: a bad address is skipped with a warning" {
	run sendmail -t <<<"To: good@example.org, <bad@@x>

b"
	[ "$status" -eq 0 ]
	[[ "$output" == *"sendmail: warning: To header: ignoring bad address: <bad@@x>"* ]]
	[ "$(rcpts "$(qfile)")" = "good@example.org" ]
}

@test "sendmail -t: no recipients found: 64, nothing queued" {
	run sendmail -t <<<"Subject: nobody

b"
	[ "$status" -eq 64 ]
	[[ "$output" == *"sendmail: fatal: 5.5.1 No recipient addresses found in message header"* ]]
	[ "$(queued)" -eq 0 ]
	[ "$(queued tmp)" -eq 0 ]
}

@test "sendmail: no recipient and no -t: 64, stdin not needed" {
	run sendmail </dev/null
	[ "$status" -eq 64 ]
	[[ "$output" == *"5.5.1 Recipient addresses must be specified"* ]]
	[ "$(queued)" -eq 0 ]
}

@test "sendmail: a bad command-line recipient: 64, nothing queued" {
	run sendmail 'ok@example.org, <bad@@x>' <<<"Subject: s"
	[ "$status" -eq 64 ]
	[[ "$output" == *"5.1.3 bad recipient address"* ]]
	[ "$(queued)" -eq 0 ]
}

@test "sendmail: a command-line list and display names, as Postfix reads them" {
	printf 'Subject: s\n\n' | sendmail 'Bob <bob@example.org>, carol@example.org' root
	[ "$(rcpts "$(qfile)" | tr '\n' ' ')" = "bob@example.org carol@example.org root " ]
}

@test "sendmail: a lone dot ends the message; -i, -oi make it data" {
	printf 'Subject: s\n\nline\n.\nafter\n' | sendmail bob@example.org
	f=$(qfile)
	qmsg "$f" | grep -qx "line"
	[ "$(qmsg "$f" | grep -cx 'after')" -eq 0 ]
	[ "$(qmsg "$f" | grep -cx '\.')" -eq 0 ]
	rm -f "$f"
	printf 'Subject: s\n\nline\n.\nafter\n' | sendmail -i bob@example.org
	qmsg "$(qfile)" | grep -qx "after"
	qmsg "$(qfile)" | grep -qx "\."
	rm -f "$(qfile)"
	printf 'Subject: s\n\nline\n.\nafter\n' | sendmail -oi bob@example.org
	qmsg "$(qfile)" | grep -qx "after"
}

@test "sendmail: CRLF lone dot ends too; dot-stuffing is not undone" {
	printf 'Subject: s\r\n\r\n..stuffed\r\n.\r\nafter\r\n' | sendmail bob@example.org
	f=$(qfile)
	qmsg "$f" | grep -qx "\.\.stuffed"
	[ "$(qmsg "$f" | grep -c 'after')" -eq 0 ]
}

@test "sendmail: a leading mbox From line is removed" {
	printf 'From alice@example.org Mon Jan  1 00:00:00 2024\nSubject: s\n\nFrom here on\n' |
	    sendmail bob@example.org
	m=$(qmsg "$(qfile)")
	[ "$(grep -c '^From alice' <<<"$m")" -eq 0 ]
	grep -qx "From here on" <<<"$m"
	grep -qx "Subject: s" <<<"$m"
}

@test "sendmail: NUL bytes pass through to the queue" {
	printf 'Subject: s\n\nbefore\0after\n' | sendmail bob@example.org
	qmsg "$(qfile)" | tr '\0' '@' | grep -qx 'before@after'
}

@test "sendmail -N -R -V: DSN requests in the envelope" {
	printf 'Subject: s\n\n' | sendmail -N success,delay -R hdrs -V env-42 bob@example.org
	f=$(qfile)
	qenv "$f" | grep -qx "rcpt bob@example.org		10"
	qenv "$f" | grep -qx "ret HDRS"
	qenv "$f" | grep -qx "envid env-42"
	rm -f "$f"
	printf 'Subject: s\n\n' | sendmail -N never bob@example.org
	qenv "$(qfile)" | grep -qx "rcpt bob@example.org		1"
	[ "$(qenv "$(qfile)" | grep -c '^ret ')" -eq 0 ]
}

@test "sendmail: bad -N, -R or -V: 64, nothing queued" {
	run sendmail -N sometimes bob@example.org </dev/null
	[ "$status" -eq 64 ]
	[[ "$output" == *"bad -N value"* ]]
	run sendmail -R body bob@example.org </dev/null
	[ "$status" -eq 64 ]
	run sendmail -V "$(printf 'a\tb')" bob@example.org </dev/null
	[ "$status" -eq 64 ]
	[ "$(queued)" -eq 0 ]
}

@test "sendmail: unknown flag: usage and 64" {
	run sendmail -Z bob@example.org </dev/null
	[ "$status" -eq 64 ]
	[[ "$output" == *"usage:"* ]]
	[ "$(queued)" -eq 0 ]
}

@test "sendmail -o: unknown options warn but the mail goes; MUA habits are quiet" {
	run sendmail -oQfoo -O Foo=bar bob@example.org <<<"Subject: s"
	[ "$status" -eq 0 ]
	[[ "$output" == *"sendmail: warning: ignoring unsupported option -oQfoo"* ]]
	[[ "$output" == *"ignoring unsupported option -O Foo=bar"* ]]
	[ "$(queued)" -eq 1 ]
	run sendmail -oem -odi -om -oee -odb -i bob@example.org <<<"Subject: s"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(queued)" -eq 2 ]
}

@test "sendmail -v: says the queue id" {
	run sendmail -v bob@example.org <<<"Subject: s"
	[ "$status" -eq 0 ]
	id=$(basename "$(qfile)")
	[ "$output" = "sendmail: queued as $id" ]
}

@test "sendmail -C FILE: the directory of FILE is the configuration" {
	unset MAIL_CONFIG
	run sendmail -C "$INST/etc/main.cf" bob@example.org <<<"Subject: s"
	[ "$status" -eq 0 ]
	[[ "$output" == *"using the configuration directory $INST/etc"* ]]
	[ "$(queued)" -eq 1 ]
}

@test "sendmail -c DIR: passed on to queue-inject" {
	unset MAIL_CONFIG
	printf 'Subject: s\n\n' | sendmail -c "$INST/etc" bob@example.org
	[ "$(queued)" -eq 1 ]
}

@test "sendmail: queue-inject's refusal is the exit status and reason" {
	instance 'message_size_limit = 200'
	run sendmail bob@example.org < <(printf 'Subject: big\n\n'; head -c 1000 /dev/zero | tr '\0' x; echo)
	[ "$status" -eq 65 ]
	[[ "$output" == "sendmail: fatal: 5.3.4 message file too big" ]]
	[ "$(queued)" -eq 0 ]
	[ "$(queued tmp)" -eq 0 ]
}

@test "sendmail: a read error on stdin: 75, nothing queued" {
	# read(2) on a directory fails with EISDIR: a real read error.
	run sendmail bob@example.org < /
	[ "$status" -eq 75 ]
	[[ "$output" == *"sendmail: fatal: 4.3.0 error reading message: Is a directory"* ]]
	[ "$(queued)" -eq 0 ]
	[ "$(queued tmp)" -eq 0 ]
}

@test "sendmail killed with -9 mid-message: nothing queued" {
	mkfifo "$BATS_TEST_TMPDIR/in"
	sendmail bob@example.org <"$BATS_TEST_TMPDIR/in" >/dev/null 2>&1 3>&- &
	pid=$!
	exec 4>"$BATS_TEST_TMPDIR/in"
	printf 'Subject: half\n\nthe first half of the body\n' >&4
	# Wait until queue-inject has the message file open under tmp/.
	for _ in $(seq 100); do
		[ "$(queued tmp)" -eq 1 ] && break
		sleep 0.05
	done
	[ "$(queued tmp)" -eq 1 ]
	kill -9 "$pid"
	wait "$pid" || true
	exec 4>&-
	# queue-inject sees no envelope, removes its file and exits.
	for _ in $(seq 100); do
		[ "$(queued tmp)" -eq 0 ] && break
		sleep 0.05
	done
	[ "$(queued tmp)" -eq 0 ]
	[ "$(queued)" -eq 0 ]
}

@test "sendmail -t: a header section of megabytes, the last To still found" {
	awk 'BEGIN { for (i = 1; i <= 60000; i++)
		printf "X-Filler-%d: %0100d\n", i, 0
		print "To: last@example.org"; print ""; print "body" }' |
	    sendmail -t
	[ "$(rcpts "$(qfile)")" = "last@example.org" ]
	qmsg "$(qfile)" | grep -qx "body"
}

@test "mailq: an empty queue" {
	run mailq
	[ "$status" -eq 0 ]
	[ "$output" = "Mail queue is empty" ]
	run sendmail -bp
	[ "$status" -eq 0 ]
	[ "$output" = "Mail queue is empty" ]
}

@test "mailq: a queued message in Postfix's layout" {
	printf 'Subject: s\n\nbody\n' | sendmail -f alice@example.org bob@example.org carol@example.org
	f=$(qfile)
	id=$(basename "$f")
	size=$(sed -n 2p "$f" | awk '{print $2+0}')
	when=$(LC_ALL=C date -d "@$(qenv "$f" | sed -n 's/^arrival \([0-9]*\).*/\1/p')" '+%a %b %e %H:%M:%S')
	run mailq
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------" ]
	[ "${lines[1]}" = "$(printf '%-11s %7d %-20s %s' "$id " "$size" "$when" alice@example.org)" ]
	[ "${lines[2]}" = "$(printf '%41s%s' '' bob@example.org)" ]
	[ "${lines[3]}" = "$(printf '%41s%s' '' carol@example.org)" ]
	[ "${lines[4]}" = "-- 0 Kbytes in 1 Request." ]
	[ "${#lines[@]}" -eq 5 ]
}

@test "mailq: held message marked '!', null sender MAILER-DAEMON" {
	printf 'Subject: s\n\n' | queue-inject -h -f '' bob@example.org
	id=$(basename "$(qfile hold)")
	run mailq
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == "$id!"*" MAILER-DAEMON" ]]
}

@test "mailq: a deferred recipient shows its reason; delivered ones are gone" {
	printf 'Subject: s\n\n' | sendmail bob@example.org carol@example.org dave@example.org
	f=$(qfile)
	printf 'done 0\tsent\t2.0.0\tdelivered\n' >>"$f"
	printf 'defer 1\t1700000000\t4.4.1\tconnect to mx.example.org: Connection refused\n' >>"$f"
	run mailq
	[ "$status" -eq 0 ]
	reason="(connect to mx.example.org: Connection refused)"
	[ "${lines[2]}" = "$(printf '%*s%s' $((76 - ${#reason} + 2)) '' "$reason")" ]
	[ "${lines[3]}" = "$(printf '%41s%s' '' carol@example.org)" ]
	[ "${lines[4]}" = "$(printf '%58s%s' '' '(reason unavailable)')" ]
	[ "${lines[5]}" = "$(printf '%41s%s' '' dave@example.org)" ]
	[[ "$output" != *bob* ]]
}

@test "mailq: several messages by arrival, a malformed file skipped" {
	printf 'Subject: 1\n\n' | sendmail -f first@example.org bob@example.org
	sleep 0.01
	printf 'Subject: 2\n\n' | sendmail -f second@example.org bob@example.org
	echo "garbage" >"$INST/spool/active/0BAD"
	run mailq
	[ "$status" -eq 0 ]
	[[ "$output" == *"mailq: warning: skipping active/0BAD: malformed queue file"* ]]
	first=$(grep -n 'first@example.org' <<<"$output" | cut -d: -f1)
	second=$(grep -n 'second@example.org' <<<"$output" | cut -d: -f1)
	[ "$first" -lt "$second" ]
	grep -qx "" <<<"$output"
	[[ "$output" == *"-- 0 Kbytes in 2 Requests." ]]
}

@test "mailq -c DIR, without MAIL_CONFIG" {
	printf 'Subject: s\n\n' | sendmail bob@example.org
	unset MAIL_CONFIG
	run mailq -c "$INST/etc"
	[ "$status" -eq 0 ]
	[[ "$output" == *"1 Request."* ]]
}

@test "mailq: extra arguments are a usage error" {
	run mailq extra
	[ "$status" -eq 64 ]
	[[ "$output" == *"usage:"* ]]
}

@test "newaliases and sendmail -bi: build the alias database with postalias" {
	instance "alias_database = hash:$INST/etc/aliases"
	printf 'postmaster: root\nhelp: alice, bob\n' >"$INST/etc/aliases"
	run newaliases
	[ "$status" -eq 0 ]
	[ -e "$INST/etc/aliases.db" ]
	run postalias -q help "hash:$INST/etc/aliases"
	[ "$status" -eq 0 ]
	[ "$output" = "alice, bob" ]
	printf 'postmaster: carol\n' >"$INST/etc/aliases"
	run sendmail -bi
	[ "$status" -eq 0 ]
	[ "$(postalias -q postmaster "hash:$INST/etc/aliases")" = carol ]
}

@test "newaliases: other table types are skipped; a failure is the exit status" {
	printf 'a: b\n' >"$INST/etc/aliases"
	instance "alias_database = regexp:$INST/etc/re, $INST/etc/aliases"
	run newaliases
	[ "$status" -eq 0 ]
	[[ "$output" == *"newaliases: warning: skipping alias database regexp:$INST/etc/re"* ]]
	[ -e "$INST/etc/aliases.db" ]
	instance "alias_database = hash:$INST/etc/missing"
	run newaliases
	[ "$status" -ne 0 ]
	[ -n "$output" ]
}

@test "sendmail -oA: names the alias database for -bi" {
	printf 'x: y\n' >"$INST/etc/other"
	run sendmail -bi "-oA$INST/etc/other"
	[ "$status" -eq 0 ]
	[ "$(postalias -q x "hash:$INST/etc/other")" = y ]
}

@test "sendmail -bv: prints how addresses route, queues nothing" {
	if [ ! -x "$BUILD_DIR/bin/route-transport" ]; then
		skip "route-transport is not built yet"
	fi
	instance 'alias_maps =' 'local_recipient_maps ='
	run route-transport root@localhost
	want=$output want_status=$status
	run sendmail -bv root@localhost
	[ "$status" -eq "$want_status" ]
	[ "$output" = "$want" ]
	[[ "$output" == "root@localhost	"*"	"*"	"* ]]
	[ "$(queued)" -eq 0 ]
	run sendmail -bv
	[ "$status" -eq 64 ]
}

@test "sendmail -bs: SMTP on stdin, or 69 while smtp-listen is missing" {
	run sendmail -bs <<<"QUIT"
	if [ -x "$BUILD_DIR/bin/smtp-listen" ]; then
		[[ "${lines[0]}" == 220* ]]
	else
		[ "$status" -eq 69 ]
		[[ "$output" == *"sendmail: fatal: 5.3.0 smtp-listen is not available"* ]]
	fi
}

@test "sendmail -bd and other modes: unsupported, 64" {
	run sendmail -bd
	[ "$status" -eq 64 ]
	[[ "$output" == *"unsupported mode -bd"* ]]
}

@test "sendmail -q without a running queue-run: runs queue-run -f" {
	printf 'Subject: s\n\n' | sendmail bob@example.org
	run sendmail -q
	[ "$status" -eq 0 ]
	grep -q "queue-run.*stopped (one pass done)" "$INST/maillog"
}

@test "sendmail -q with queue-run reading the trigger: an empty line wakes it" {
	mkdir -p "$INST/spool"
	mkfifo "$INST/spool/trigger"
	# Hold the FIFO open for reading, as a running queue-run does.
	exec 5<>"$INST/spool/trigger"
	run sendmail -q
	[ "$status" -eq 0 ]
	IFS= read -r -t 2 -u 5 line
	exec 5<&-
	[ -z "$line" ]
	# Nothing ran in its place.
	[[ "$(cat "$INST/maillog" 2>/dev/null)" != *"one pass done"* ]]
}

@test "sendmail -qR and -q30m: accepted as -q with a warning; -qX: 64" {
	run sendmail -qRexample.org
	[ "$status" -eq 0 ]
	[[ "$output" == *"sendmail: warning: -qR is not supported: running the whole queue"* ]]
	run sendmail -q30m
	[ "$status" -eq 0 ]
	[[ "$output" == *"ignoring queue run interval -q30m"* ]]
	run sendmail -qX
	[ "$status" -eq 64 ]
}

@test "mailq: a user's submission waiting in maildrop/ is listed" {
	id=$(printf 'Subject: 1\n\n' | queue-inject -f user@example.org bob@example.org)
	mv "$INST/spool/active/$id" "$INST/spool/maildrop/$id"
	run mailq
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == "$id "*"user@example.org" ]]
	[[ "$output" == *"-- 0 Kbytes in 1 Request." ]]
}
