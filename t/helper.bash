# helper.bash - common set-up for the bats files.
#
# Each test gets a fresh instance directory $INST (config in $INST/etc,
# queue in $INST/spool, mailboxes in $INST/mail) and the built programs
# first on PATH.  Network tests use only 127.0.0.1 and ::1.

BUILD_DIR=${PIPEMAIL_BUILD:-$BATS_TEST_DIRNAME/../build}
PATH=$BUILD_DIR/bin:$PATH
export PATH

# instance - make $INST with a main.cf holding the given lines
instance() {
	INST=$BATS_TEST_TMPDIR/inst
	mkdir -p "$INST/etc" "$INST/spool" "$INST/mail"
	# Programs that drop root (to mail_owner, or to a recipient) must be
	# able to reach the instance: open up the test's temporary path.
	local d=$INST
	while [ "$d" != / ] && [ "$d" != /tmp ]; do
		chmod a+x "$d"
		d=$(dirname "$d")
	done
	chmod 1777 "$INST/mail"
	{
		echo "queue_directory = $INST/spool"
		echo "mail_spool_directory = $INST/mail"
		echo "maillog_file = $INST/maillog"
		echo "myhostname = mx.example.test"
		echo "mydomain = example.test"
		echo "mail_owner = nobody"
		echo "alias_maps ="
		echo "alias_database ="
		for l in "$@"; do echo "$l"; done
	} >"$INST/etc/main.cf"
	export MAIL_CONFIG=$INST/etc
}

# queued - the number of files in a queue subdirectory
queued() {
	find "$INST/spool/${1:-active}" -type f 2>/dev/null | wc -l
}

# setgid_user USER GROUP - make a throwaway user and a spool group (skip
# the test when either exists, or as non-root), and an installed-like
# $SG_BIN: sendmail beside a queue-inject set-group-id to GROUP.  The
# caller's teardown runs setgid_cleanup.
setgid_user() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	id "$1" >/dev/null 2>&1 && skip "user $1 exists already"
	getent group "$2" >/dev/null && skip "group $2 exists already"
	useradd -M -d /nonexistent -s /usr/sbin/nologin "$1" || skip "no useradd"
	SG_USER=$1
	groupadd "$2" || skip "no groupadd"
	SG_GROUP=$2
	SG_BIN=$BATS_TEST_TMPDIR/bin
	mkdir -p "$SG_BIN"
	cp "$BUILD_DIR/bin/sendmail" "$BUILD_DIR/bin/queue-inject" "$SG_BIN/"
	chgrp "$2" "$SG_BIN/queue-inject"
	chmod 2755 "$SG_BIN/queue-inject"
	chmod 755 "$SG_BIN"
	# A sanitizer build cannot run set-group-id: its runtime ignores
	# ASAN_OPTIONS then, and LeakSanitizer cannot ptrace the process.
	if grep -q __asan_init "$SG_BIN/queue-inject"; then
		skip "a set-group-id program cannot run under LeakSanitizer"
	fi
}

# SG_SYSCONF - the compiled-in default configuration directory, the one
# a set-group-id program trusts (make SYSCONFDIR=)
SG_SYSCONF=${PIPEMAIL_SYSCONFDIR:-/usr/local/etc/pipemail}

# sysconf_main_cf LINE... - write the default configuration for as long
# as the test runs; skip when one exists already (an installed system)
sysconf_main_cf() {
	if [ -z "$SG_SYSCONF_MADE" ]; then
		[ -e "$SG_SYSCONF" ] && skip "$SG_SYSCONF exists already"
		mkdir -p "$SG_SYSCONF"
		SG_SYSCONF_MADE=1
	fi
	printf '%s\n' "$@" >"$SG_SYSCONF/main.cf"
	chmod 644 "$SG_SYSCONF/main.cf"
	chmod 755 "$SG_SYSCONF"
}

# setgid_cleanup - undo setgid_user and sysconf_main_cf
setgid_cleanup() {
	if [ -n "${SG_SYSCONF_MADE:-}" ]; then rm -rf "$SG_SYSCONF"; fi
	if [ -n "${SG_USER:-}" ]; then userdel "$SG_USER" 2>/dev/null || true; fi
	if [ -n "${SG_GROUP:-}" ]; then groupdel "$SG_GROUP" 2>/dev/null || true; fi
	SG_SYSCONF_MADE= SG_USER= SG_GROUP=
}

# as_user USER CMD - run the shell command CMD as USER with the test's
# PATH, MAIL_CONFIG as given in the environment of the call
as_user() {
	local u=$1
	shift
	su -s /bin/sh "$u" -c "PATH='$PATH'; export PATH; $*"
}

# private_bin - a bin directory of the test's own, first on PATH, as
# $PBIN: a copy of queue-run (it runs its helpers from the directory its
# program file is in) and links to the other built programs, so that a
# test can take a helper away or put a stand-in in its place
private_bin() {
	PBIN=$BATS_TEST_TMPDIR/bin
	mkdir -p "$PBIN"
	local f
	for f in "$BUILD_DIR"/bin/*; do
		[ -f "$f" ] || continue
		ln -sf "$f" "$PBIN/${f##*/}"
	done
	rm -f "$PBIN/queue-run"
	cp "$BUILD_DIR/bin/queue-run" "$PBIN/queue-run"
	chmod 755 "$PBIN"
	PATH=$PBIN:$PATH
	export PATH
}

# refusing_remote - private_bin with a deliver-remote that finds nobody
# listening at its next hop, as the real one would at a closed port:
# exit 75, 4.4.1 (deliveries to smtp next hops are deferred, one by one)
refusing_remote() {
	private_bin
	rm -f "$PBIN/deliver-remote"
	printf '#!/bin/sh\necho "deliver-remote: fatal: 4.4.1 connect to %s: Connection refused" >&2\nexit 75\n' \
	    '$6' >"$PBIN/deliver-remote"
	chmod 755 "$PBIN/deliver-remote"
}

# wait_for COND [SECONDS] - poll a shell condition for up to SECONDS
# (default 20), every 0.05 s; 0 once it holds, 1 if it never does
_helper_wait_for() {
	local i
	for ((i = 0; i < ${2:-20} * 20; i++)); do
		eval "$1" && return 0
		sleep 0.05
	done
	return 1
}

wait_for() {
	_helper_wait_for "$@"
}
