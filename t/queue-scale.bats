#!/usr/bin/env bats
# queue-run with a backlog: far more queued messages than descriptors it
# may open, or than qmgr_message_active_limit lets it keep in memory.

load helper

setup() {
	instance "local_recipient_maps = static:any" \
	    "minimal_backoff_time = 1s" "maximal_backoff_time = 2s"
	CF="-c $INST/etc"
}

teardown() {
	if [ -n "${QRPID:-}" ]; then kill "$QRPID" 2>/dev/null || true; fi
	pkill -9 -f "queue-run $CF" 2>/dev/null || true
}

# wait_for - helper.bash's, with 60 s by default: a backlog takes long
wait_for() {
	local cond=$1
	shift
	_helper_wait_for "$cond" "${1:-60}"
}

# queue N - queue N messages with queue-inject, for ten mailboxes
queue() {
	local i
	for ((i = 1; i <= $1; i++)); do
		printf 'Subject: m%d\n\nbody %d\n' "$i" "$i" |
		    queue-inject -f s@example.test "u$((i % 10))@mx.example.test" \
		    >/dev/null || return 1
	done
}

# copies N - make the one queued message N: N-1 copies of its file under
# new queue ids, the queue owner's as queue-inject makes them (a quick
# way to a big queue)
copies() {
	python3 - "$INST/spool/active" "$1" <<-'EOF'
	import os, sys
	act, n = sys.argv[1], int(sys.argv[2])
	(one,) = os.listdir(act)
	st = os.stat(os.path.join(act, one))
	data = open(os.path.join(act, one), "rb").read()
	for i in range(1, n):
	    fd = os.open(os.path.join(act, one[:12] + "%07X" % i),
	        os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
	    os.write(fd, data)
	    os.fchown(fd, st.st_uid, st.st_gid)
	    os.close(fd)
	EOF
}

# delivered - messages in all mailboxes
delivered() {
	cat "$INST"/mail/u* 2>/dev/null | grep -c '^From ' || true
}

@test "queue-scale: 300 queued, queue-run -f under ulimit -n 64 delivers all" {
	queue 300
	[ "$(queued)" -eq 300 ]
	run bash -c "ulimit -n 64 && exec queue-run $CF -f"
	[ "$status" -eq 0 ]
	[ "$(queued)" -eq 0 ]
	[ "$(delivered)" -eq 300 ]
	# Each message once, in its own mailbox.
	for ((i = 0; i < 10; i++)); do
		[ "$(grep -c '^From ' "$INST/mail/u$i")" -eq 30 ]
	done
	grep -q '^Subject: m300$' "$INST/mail/u0"
	run grep -c 'status=deferred' "$INST/maillog"
	[ "$output" -eq 0 ]
}

@test "queue-scale: the daemon under ulimit -n 64 drains 300 and takes new mail" {
	queue 300
	bash -c "ulimit -n 64 && exec queue-run $CF" & QRPID=$!
	wait_for '[ "$(queued)" -eq 0 ]'
	[ "$(delivered)" -eq 300 ]
	# It holds few descriptors with the queue drained, and still works.
	[ "$(ls /proc/$QRPID/fd | wc -l)" -lt 40 ]
	printf 'Subject: late\n\nlate\n' | sendmail -i u1@mx.example.test
	wait_for '[ "$(delivered)" -eq 301 ]' 20
	grep -q '^Subject: late$' "$INST/mail/u1"
}

@test "queue-scale: qmgr_message_active_limit = 10 with 100 queued delivers all" {
	echo "qmgr_message_active_limit = 10" >>"$INST/etc/main.cf"
	queue 100
	run queue-run $CF -f
	[ "$status" -eq 0 ]
	[ "$(queued)" -eq 0 ]
	[ "$(delivered)" -eq 100 ]
	# The daemon too, with mail arriving while the limit is reached.
	queue 100
	queue-run $CF & QRPID=$!
	queue 20
	wait_for '[ "$(queued)" -eq 0 ]'
	[ "$(delivered)" -eq 220 ]
}

@test "queue-scale: past qmgr_message_active_limit memory does not grow with the queue" {
	if grep -q __asan_init "$BUILD_DIR/bin/queue-run"; then
		skip "AddressSanitizer's quarantine keeps freed memory resident"
	fi
	echo "qmgr_message_active_limit = 10" >>"$INST/etc/main.cf"
	local hwm=()
	for n in 100 3000; do
		rm -f "$INST"/mail/u*
		queue 1
		copies "$n"
		[ "$(queued)" -eq "$n" ]
		queue-run $CF & QRPID=$!
		wait_for '[ "$(queued)" -eq 0 ]' 120
		hwm+=("$(awk '/^VmHWM/ { print $2 }' /proc/$QRPID/status)")
		kill "$QRPID"
		wait "$QRPID" || true
		QRPID=
		[ "$(delivered)" -eq "$n" ]
	done
	# Peak memory in KB: all 3000 in memory would cost about 600 KB more.
	echo "peak ${hwm[*]}"
	[ "$((hwm[1] - hwm[0]))" -lt 256 ]
}

@test "queue-scale: a mailbox agent keeps one spare lock file between appends, and removes it" {
	echo "max_idle = 5s" >>"$INST/etc/main.cf"
	queue-run $CF & QRPID=$!
	for i in 1 2 3; do
		printf 'Subject: k%d\n\nk\n' "$i" | sendmail -i u1@mx.example.test
	done
	wait_for '[ "$(grep -c "^From " "$INST/mail/u1" 2>/dev/null)" = 3 ]' 20
	# Idle agent: the lock is let go, its file kept under the agent's pid.
	wait_for '[ "$(queued)" -eq 0 ]' 10
	[ ! -e "$INST/mail/u1.lock" ]
	spare=$(ls "$INST/mail" | grep '^u1\.lock\.[0-9]*$')
	[ -n "$spare" ]
	[ "$(stat -c %h "$INST/mail/$spare")" -eq 1 ]
	kill -0 "${spare#u1.lock.}"
	# A later message takes and gives back the same file.
	ino=$(stat -c %i "$INST/mail/$spare")
	printf 'Subject: k4\n\nk\n' | sendmail -i u1@mx.example.test
	wait_for '[ "$(grep -c "^From " "$INST/mail/u1")" = 4 ]' 20
	wait_for '[ ! -e "$INST/mail/u1.lock" ]' 5
	[ "$(stat -c %i "$INST/mail/$spare")" = "$ino" ]
	# The agent ends after max_idle and leaves no file behind.
	wait_for '[ -z "$(ls "$INST/mail" | grep lock)" ]' 30
	[ "$(grep -c '^From ' "$INST/mail/u1")" -eq 4 ]
}
