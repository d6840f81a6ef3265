#!/usr/bin/env bats
# The queue under faults: a full queue file system (bytes and inodes),
# a full mail spool, and damaged queue files.  The full file systems are
# real ones the test makes (tmpfs with size= and nr_inodes=, as root).

load helper

setup() {
	instance "local_recipient_maps = static:any" \
	    "smtpd_error_sleep_time = 0" \
	    "minimal_backoff_time = 1s" "maximal_backoff_time = 2s"
	CF="-c $INST/etc"
	MOUNTS=()
}

teardown() {
	local m
	for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null || true; done
}

# small_fs DIR OPTIONS - mount a tmpfs with OPTIONS on DIR (skip when
# mounting is not permitted here)
small_fs() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a file system"
	mount -t tmpfs -o "$2" tmpfs "$1" 2>/dev/null ||
	    skip "mount is not permitted here"
	MOUNTS+=("$1")
	chmod 1777 "$1"
}

# fill_bytes DIR [KB] - fill DIR's file system, then free KB kilobytes
fill_bytes() {
	dd if=/dev/zero of="$1/filler" bs=4k 2>/dev/null || true
	if [ "${2:-0}" -gt 0 ]; then truncate -s "-${2}K" "$1/filler"; fi
}

# fill_inodes DIR - use up DIR's file system's inodes
fill_inodes() {
	mkdir -p "$1/inodes"
	local i=0
	while : >"$1/inodes/$i" 2>/dev/null; do i=$((i + 1)); done
	[ "$i" -lt 100000 ]
}

# smtp - feed the printf format $1 to smtp-listen on stdin; replies in
# $output without CRs
smtp() {
	run bash -c "printf '$1' | smtp-listen $CF | tr -d '\r'"
}

# half_written - files in tmp/ (the stamp .space aside)
half_written() {
	find "$INST/spool/tmp" -type f ! -name '.space' | wc -l
}

# count_msgs - messages in an mbox
count_msgs() {
	local n
	n=$(grep -c '^From ' "$1" 2>/dev/null)
	echo "${n:-0}"
}

MSG='EHLO c.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<bob@localhost>\r\nDATA\r\nSubject: s\r\n\r\nbody\r\n.\r\nQUIT\r\n'

@test "queue full: MAIL FROM gets 452 4.3.1 below 1.5 x message_size_limit; what was queued is kept" {
	small_fs "$INST/spool" size=1m,nr_inodes=200
	echo "message_size_limit = 400000" >>"$INST/etc/main.cf"
	smtp "$MSG"
	[[ "$output" == *"250 2.0.0 Ok: queued as"* ]]
	[ "$(queued active)" -eq 1 ]
	before=$(cat "$INST"/spool/active/*)
	# 500 KB free: less than 1.5 x 400000.
	fill_bytes "$INST/spool" 500
	smtp 'EHLO c.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<bob@localhost>\r\nDATA\r\nQUIT\r\n'
	[[ "$output" == *"452 4.3.1 Insufficient system storage"* ]]
	[[ "$output" == *"503 5.5.1 Error: need MAIL command"* ]]
	[[ "$output" != *"354"* ]]
	[ "$(queued active)" -eq 1 ]
	[ "$(cat "$INST"/spool/active/*)" = "$before" ]
	[ "$(half_written)" -eq 0 ]
	# Below the limit it would fit: the rule, not the write, refused it.
	echo "message_size_limit = 300000" >>"$INST/etc/main.cf"
	smtp "$MSG"
	[[ "$output" == *"250 2.0.0 Ok: queued as"* ]]
	[ "$(queued active)" -eq 2 ]
}

@test "queue full: a SIZE= that cannot fit and queue_minfree give 452 4.3.1" {
	small_fs "$INST/spool" size=1m,nr_inodes=200
	echo "message_size_limit = 0" >>"$INST/etc/main.cf"
	smtp 'EHLO c\r\nMAIL FROM:<a@example.org> SIZE=900000\r\nMAIL FROM:<a@example.org> SIZE=1000\r\nQUIT\r\n'
	[[ "$output" == *"452 4.3.1 Insufficient system storage"* ]]
	[[ "$output" == *"250 2.1.0 Ok"* ]]
	echo "queue_minfree = 2000000" >>"$INST/etc/main.cf"
	smtp 'EHLO c\r\nMAIL FROM:<a@example.org>\r\nQUIT\r\n'
	[[ "$output" == *"452 4.3.1 Insufficient system storage"* ]]
	[[ "$output" != *"250 2.1.0"* ]]
}

@test "queue full: logged once per interval, not per refusal" {
	small_fs "$INST/spool" size=1m,nr_inodes=200
	fill_bytes "$INST/spool" 0
	for i in 1 2 3 4 5 6; do
		smtp 'EHLO c\r\nMAIL FROM:<a@example.org>\r\nMAIL FROM:<b@example.org>\r\nQUIT\r\n'
		[ "$(grep -c '452 4.3.1' <<<"$output")" -eq 2 ]
	done
	[ "$(grep -c 'Insufficient system storage' "$INST/maillog")" -eq 1 ]
}

@test "queue full during DATA: 452 4.3.1 at the end of DATA, nothing half-written" {
	small_fs "$INST/spool" size=1m,nr_inodes=200
	echo "message_size_limit = 0" >>"$INST/etc/main.cf"
	smtp "$MSG"
	[ "$(queued active)" -eq 1 ]
	before=$(cat "$INST"/spool/active/*)
	fill_bytes "$INST/spool" 40
	{
		printf 'EHLO c\r\nMAIL FROM:<a@example.org>\r\n'
		printf 'RCPT TO:<bob@localhost>\r\nDATA\r\n'
		head -c 200000 /dev/zero | tr '\0' 'x' | fold -w 70 | sed 's/$/\r/'
		printf '\r\n'
		printf '.\r\nQUIT\r\n'
	} >"$BATS_TEST_TMPDIR/in"
	run bash -c "smtp-listen $CF <'$BATS_TEST_TMPDIR/in' | tr -d '\r'"
	[[ "$output" == *"354 "* ]]
	[[ "$output" == *"452 4.3.1 "*"No space left on device"* ]]
	[ "$(queued active)" -eq 1 ]
	[ "$(cat "$INST"/spool/active/*)" = "$before" ]
	[ "$(half_written)" -eq 0 ]
}

@test "queue full: sendmail says 4.3.1 and exits 75, before and during the write" {
	small_fs "$INST/spool" size=1m,nr_inodes=200
	echo "message_size_limit = 0" >>"$INST/etc/main.cf"
	printf 'Subject: one\n\nx\n' | sendmail $CF -i bob@localhost
	fill_bytes "$INST/spool" 40
	run bash -c "head -c 300000 /dev/zero | tr '\\0' 'y' | fold -w 70 | sendmail $CF -i bob@localhost"
	[ "$status" -eq 75 ]
	[[ "$output" == *"fatal: 4.3.1 "*"No space left on device"* ]]
	[ "$(half_written)" -eq 0 ]
	fill_bytes "$INST/spool" 0
	echo "message_size_limit = 10240000" >>"$INST/etc/main.cf"
	run bash -c "printf 'Subject: two\n\nx\n' | sendmail $CF -i bob@localhost"
	[ "$status" -eq 75 ]
	[[ "$output" == *"fatal: 4.3.1 Insufficient system storage"* ]]
	run queue-inject $CF -f a@example.org bob@localhost </dev/null
	[ "$status" -eq 75 ]
	[[ "$output" == *"4.3.1 Insufficient system storage"* ]]
	[ "$(queued active)" -eq 1 ]
	[ "$(half_written)" -eq 0 ]
}

@test "queue out of inodes: 452 4.3.1 at MAIL FROM, sendmail 75 with 4.3.1" {
	small_fs "$INST/spool" size=32m,nr_inodes=40
	smtp "$MSG"
	[ "$(queued active)" -eq 1 ]
	fill_inodes "$INST/spool"
	smtp 'EHLO c\r\nMAIL FROM:<a@example.org>\r\nQUIT\r\n'
	[[ "$output" == *"452 4.3.1 Insufficient system storage"* ]]
	run bash -c "printf 'Subject: two\n\nx\n' | sendmail $CF -i bob@localhost"
	[ "$status" -eq 75 ]
	[[ "$output" == *"4.3.1 "* ]]
	# Past the check (no limit, as a report is), the create fails: 4.3.1.
	run bash -c "printf 'Subject: three\n\nx\n' | queue-inject $CF -e 3 3<<<\$(printf 'Fa@example.org\\0Tbob@localhost\\0\\0')"
	[ "$status" -eq 75 ]
	[[ "$output" == *"4.3.1 "*"No space left on device"* ]]
	[ "$(queued active)" -eq 1 ]
	[ "$(half_written)" -eq 0 ]
	rm -rf "$INST/spool/inodes"
	queue-run $CF -f
	[ "$(queued active)" -eq 0 ]
	[ "$(count_msgs "$INST/mail/bob")" -eq 1 ]
}

@test "mail spool full: deferred with 4.3.1, the mailbox intact, delivered once there is room" {
	small_fs "$INST/mail" size=256k,nr_inodes=100
	printf 'Subject: first\n\nx\n' | sendmail $CF -i bob@localhost
	queue-run $CF -f
	[ "$(count_msgs "$INST/mail/bob")" -eq 1 ]
	cp "$INST/mail/bob" "$BATS_TEST_TMPDIR/bob.before"
	fill_bytes "$INST/mail" 8
	head -c 100000 /dev/zero | tr '\0' 'z' | fold -w 70 | sendmail $CF -i bob@localhost
	queue-run $CF -f
	[ "$(queued active)" -eq 1 ]
	cmp "$INST/mail/bob" "$BATS_TEST_TMPDIR/bob.before"
	grep -q 'to=<bob@localhost>, relay=local, .*dsn=4.3.1, status=deferred' "$INST/maillog"
	run mailq $CF
	[[ "$output" == *"4.3.1"* ]]
	rm "$INST/mail/filler"
	queue-run $CF -f
	[ "$(queued active)" -eq 0 ]
	[ "$(count_msgs "$INST/mail/bob")" -eq 2 ]
}

@test "queue and mail spool full: queue-run defers, warns with 4.3.1 once, changes no queue file" {
	small_fs "$INST/spool" size=1m,nr_inodes=200
	small_fs "$INST/mail" size=256k,nr_inodes=100
	echo "message_size_limit = 100000" >>"$INST/etc/main.cf"
	# Each queue file a whole number of pages, so that a record needs a
	# new block: the size of a probe, then bodies padded to fit.
	printf 'Subject: n\n\nx\n' | queue-inject $CF -f a@example.org bob@localhost
	probe=$(find "$INST/spool/active" -type f)
	pad=$(( (4096 - $(stat -c %s "$probe") % 4096) % 4096 ))
	rm "$probe"
	for i in 1 2 3 4 5; do
		{ printf 'Subject: n\n\nx\n'; python3 -c "import sys; n = $pad
while n > 0: k = min(n, 71); sys.stdout.write('p' * (k - 1) + '\\n'); n -= k"; } |
		    queue-inject $CF -f a@example.org bob@localhost
	done
	for f in "$INST"/spool/active/*; do
		[ $(( $(stat -c %s "$f") % 4096 )) -eq 0 ]
	done
	fill_bytes "$INST/mail" 0
	fill_bytes "$INST/spool" 0
	sum=$(cat "$INST"/spool/active/* | md5sum)
	queue-run $CF -f
	[ "$(queued active)" -eq 5 ]
	[ "$(cat "$INST"/spool/active/* | md5sum)" = "$sum" ]
	[ "$(grep -c 'cannot update queue file' "$INST/maillog")" -eq 1 ]
	grep -q 'cannot update queue file: 4.3.1 No space left on device' "$INST/maillog"
	# queue-run runs as root; the stamp is the queue owner's all the same.
	[ "$(stat -c %U "$INST/spool/tmp/.space")" = nobody ]
	smtp 'EHLO c\r\nMAIL FROM:<a@example.org>\r\nQUIT\r\n'
	[[ "$output" == *"452 4.3.1 Insufficient system storage"* ]]
	[ "$(grep -c 'Insufficient system storage' "$INST/maillog")" -eq 0 ]
	rm "$INST/mail/filler" "$INST/spool/filler"
	queue-run $CF -f
	[ "$(queued active)" -eq 0 ]
	[ "$(count_msgs "$INST/mail/bob")" -eq 5 ]
}

# plant_damage TEMPLATE DIR - write damaged copies of the queue file
# TEMPLATE into DIR, one per kind, named 6B0000000000Dnn (set aside) and
# 6B0000000000Rnn (repairable)
plant_damage() {
	python3 - "$1" "$2" <<'PY'
import os, random, sys
t = open(sys.argv[1], 'rb').read()
d = sys.argv[2]
head = t.index(b'\n', t.index(b'\n') + 1) + 1      # magic and size lines
size = int(t[len(b'pipemail-queue 1\nsize '):head - 1])
msg, rec = t[head:head + size], t[head + size:]
end = rec.index(b'end\n')
sizeline = lambda n: b'size %020d\n' % n
random.seed(15)
kinds = {
    'D01': b'',                                         # empty
    'D02': bytes(random.randrange(256) for _ in range(3000)),  # garbage
    'D03': b'\0' * 4096,                                # all NULs
    'D04': t[:head + size // 2],                        # cut in the message
    'D05': t[:head + size + end - 3],                   # cut in the envelope
    'D06': t.replace(t[len(b'pipemail-queue 1\n'):head], b'size 0000000000000000abcd\n', 1),
    'D07': t[:len(b'pipemail-queue 1\n')] + sizeline(size + 100000) + t[head:],
    'D08': t[:len(b'pipemail-queue 1\n')] + sizeline(size - 7) + t[head:],
    'D09': t[:len(b'pipemail-queue 1\n')] + b'size -0000000000000001\n' + t[head:],
    'D10': b'pipemail-queue 9\n' + t[len(b'pipemail-queue 1\n'):],
    'D11': t[:head + size] + b'bogus record\n' + rec,   # bad envelope record
    'D12': t[:head + size] + b''.join(l + b'\n' for l in rec.split(b'\n') if not l.startswith(b'rcpt ') and l),
    'D13': t + b'x' * (9 * 1024 * 1024) + b'\n',       # an 9 MB line
    'D14': t[:head + size] + rec[:end],                 # no "end"
    'D15': t[:head],                                    # the head alone
    'D16': t[:head + size] + rec.replace(b'sender ', b'\0ender ', 1),  # NUL in a record
    'R01': t + b'\x01\x02 not a record\n',              # a bad state record
    'R02': t + b'defer 0\t1\t4.0.0\ttorn by a cr',     # a torn last record
    'R03': t + b'done 99\tsent\t2.0.0\tno such recipient\n',  # a bad index
}
for k, v in kinds.items():
    if k.startswith('R'):
        v = v.replace(b'Subject: XXX', b'Subject: ' + k.encode(), 1)
    p = os.path.join(d, '6B0000000000' + k)
    with open(p, 'wb') as f:
        f.write(v)
PY
}

@test "damaged queue files: each set aside once, bytes kept; the repairable and the healthy delivered" {
	printf 'Subject: XXX\n\nbody\n' | queue-inject $CF -h -f a@example.org bob@localhost
	tmpl=$(find "$INST/spool/hold" -type f)
	mkdir "$BATS_TEST_TMPDIR/orig"
	plant_damage "$tmpl" "$BATS_TEST_TMPDIR/orig"
	rm "$tmpl"
	for i in 1 2; do
		printf 'Subject: healthy %d\n\nx\n' "$i" | queue-inject $CF -f a@example.org bob@localhost
	done
	cp "$BATS_TEST_TMPDIR"/orig/* "$INST/spool/active/"
	chown nobody "$INST"/spool/active/*
	chmod 600 "$INST"/spool/active/*
	run timeout 60 queue-run $CF -f
	[ "$status" -eq 0 ]
	run timeout 60 queue-run $CF -f
	[ "$status" -eq 0 ]
	# The healthy and the repaired are delivered, nothing is left.
	[ "$(count_msgs "$INST/mail/bob")" -eq 5 ]
	grep -q '^Subject: healthy 1$' "$INST/mail/bob"
	grep -q '^Subject: healthy 2$' "$INST/mail/bob"
	for k in R01 R02 R03; do
		grep -q "^Subject: $k\$" "$INST/mail/bob"
		[ ! -e "$INST/spool/corrupt/active.6B0000000000$k" ]
	done
	grep -q '6B0000000000R01: 1 damaged state record(s) read past' "$INST/maillog"
	[ "$(queued active)" -eq 0 ]
	# Each damaged one: in corrupt/, its bytes as they were, logged once.
	for f in "$BATS_TEST_TMPDIR"/orig/6B0000000000D*; do
		id=$(basename "$f")
		cmp "$f" "$INST/spool/corrupt/active.$id"
		[ "$(grep -c "$id: .*set aside in corrupt/" "$INST/maillog")" -eq 1 ]
	done
	[ "$(queued corrupt)" -eq 16 ]
	# No bounce for any of them: nothing was read from what was set aside.
	[ ! -e "$INST/mail/a" ]
}

@test "damaged queue files: mailq and postsuper -s count them, postsuper -l lists, -d deletes" {
	printf 'Subject: XXX\n\nbody\n' | queue-inject $CF -h -f a@example.org bob@localhost
	tmpl=$(find "$INST/spool/hold" -type f)
	plant_damage "$tmpl" "$INST/spool/active"
	rm "$INST"/spool/active/6B0000000000R*
	chown nobody "$INST"/spool/active/*
	chmod 600 "$INST"/spool/active/*
	queue-run $CF -f
	[ "$(queued corrupt)" -eq 16 ]
	run mailq $CF
	[ "$status" -eq 0 ]
	[[ "$output" == *"-- 16 files set aside in corrupt/ (postsuper -l)"* ]]
	[[ "$output" == *"$(basename "$tmpl")!"* ]]
	run postsuper $CF -s
	[ "$status" -eq 0 ]
	[[ "$output" == *"hold: 1"* ]]
	[[ "$output" == *"corrupt: 16"* ]]
	run postsuper $CF -l
	[ "$status" -eq 0 ]
	[[ "$output" == *"active.6B0000000000D01 "*" 0 "* ]]
	[[ "$output" == *"-- 16 files set aside in corrupt/"* ]]
	# One by the id it had, one by its name in corrupt/, then the rest.
	run postsuper $CF -d 6B0000000000D01 -d active.6B0000000000D02 corrupt
	[ "$status" -eq 0 ]
	[ "$(queued corrupt)" -eq 14 ]
	[ ! -e "$INST/spool/corrupt/active.6B0000000000D01" ]
	# Without "corrupt", -d leaves corrupt/ alone.
	run postsuper $CF -d 6B0000000000D03
	[ "$(queued corrupt)" -eq 14 ]
	run postsuper $CF -d ALL corrupt
	[ "$status" -eq 0 ]
	[ "$(queued corrupt)" -eq 0 ]
	[ "$(queued hold)" -eq 1 ]
	run mailq $CF
	[[ "$output" != *"corrupt/"* ]]
	run postsuper $CF -h ALL corrupt
	[ "$status" -eq 64 ]
}

@test "queue full: users' submissions wait in maildrop/, logged once, picked up once there is room" {
	small_fs "$INST/spool" size=1m,nr_inodes=200
	echo "message_size_limit = 100000" >>"$INST/etc/main.cf"
	for i in 1 2 3; do
		printf 'Subject: drop %d\n\nx\n' "$i" |
		    queue-inject $CF -h -f a@example.org bob@localhost >/dev/null
	done
	for f in "$INST"/spool/hold/*; do mv "$f" "$INST/spool/maildrop/"; done
	cp -r "$INST/spool/maildrop" "$BATS_TEST_TMPDIR/drops"
	fill_bytes "$INST/spool" 0
	queue-run $CF -f
	queue-run $CF -f
	[ "$(queued maildrop)" -eq 3 ]
	diff -r "$INST/spool/maildrop" "$BATS_TEST_TMPDIR/drops"
	[ "$(queued active)" -eq 0 ]
	[ "$(half_written)" -eq 0 ]
	[ "$(grep -c 'maildrop/.*4.3.1' "$INST/maillog")" -eq 1 ]
	[ "$(queued corrupt)" -eq 0 ]
	rm "$INST/spool/filler"
	queue-run $CF -f
	[ "$(queued maildrop)" -eq 0 ]
	[ "$(count_msgs "$INST/mail/bob")" -eq 3 ]
}
