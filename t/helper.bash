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
