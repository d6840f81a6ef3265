#!/usr/bin/env bats
# route-transport: where mail for an address goes, through the real
# program.  Tests that need a passwd user with a .forward create the
# throwaway user pmtest-rt (root only) and remove it in teardown.

load helper

TAB=$'\t'
RT_USER=pmtest-rt

setup() {
	RT_MADE_USER=
}

teardown() {
	if [ -n "$RT_MADE_USER" ]; then
		userdel -r "$RT_USER" >/dev/null 2>&1 || true
	fi
}

# line - the expected answer line: QUERY TRANSPORT NEXTHOP RECIPIENT
line() {
	printf '%s\t%s\t%s\t%s' "$1" "$2" "$3" "$4"
}

# aliases - write $INST/etc/aliases from the arguments and build it
aliases() {
	printf '%s\n' "$@" >"$INST/etc/aliases"
	postalias "$INST/etc/aliases"
}

# with_aliases - an instance whose alias_maps is $INST/etc/aliases
with_aliases() {
	instance "alias_maps = hash:$BATS_TEST_TMPDIR/inst/etc/aliases" "$@"
}

# make_user - the throwaway user, with a home directory
make_user() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to create a user"
	command -v useradd >/dev/null || skip "no useradd"
	userdel -r "$RT_USER" >/dev/null 2>&1 || true
	useradd -m -s /bin/sh "$RT_USER"
	RT_MADE_USER=1
	RT_HOME=$(getent passwd "$RT_USER" | cut -d: -f6)
}

# forward - write the user's .forward (owned by the user, mode 600)
forward() {
	printf '%s\n' "$@" >"$RT_HOME/.forward"
	chown "$RT_USER" "$RT_HOME/.forward"
	chmod 600 "$RT_HOME/.forward"
}

@test "route-transport: a passwd user is local" {
	instance "alias_maps ="
	run route-transport root@mx.example.test
	[ "$status" -eq 0 ]
	[ "$output" = "$(line root@mx.example.test local - root)" ]
}

@test "route-transport: an unknown user is 5.1.1" {
	instance "alias_maps ="
	run route-transport nosuchuser@mx.example.test
	[ "$status" -eq 0 ]
	[ "$output" = "$(line nosuchuser@mx.example.test error \
	    "5.1.1 <nosuchuser@mx.example.test>: User unknown in local recipient table" \
	    nosuchuser@mx.example.test)" ]
}

@test "route-transport: a bare local part gets @myorigin" {
	instance "alias_maps =" "myorigin = example.test"
	run route-transport root nosuchuser
	[ "$status" -eq 0 ]
	# example.test is not in mydestination: it goes out by SMTP.
	[ "${lines[0]}" = "$(line root smtp example.test root@example.test)" ]
	[ "${lines[1]}" = "$(line nosuchuser smtp example.test \
	    nosuchuser@example.test)" ]
	instance "alias_maps ="
	run route-transport root
	[ "$output" = "$(line root local - root)" ]
}

@test "route-transport: localhost and loopback literals are local" {
	instance "alias_maps =" "mydestination = \$myhostname"
	run route-transport root@localhost 'root@[127.0.0.1]' \
	    'root@[IPv6:::1]' 'root@[::1]' ROOT@LOCALHOST. 'root@[192.0.2.1]'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(line root@localhost local - root)" ]
	[ "${lines[1]}" = "$(line 'root@[127.0.0.1]' local - root)" ]
	[ "${lines[2]}" = "$(line 'root@[IPv6:::1]' local - root)" ]
	[ "${lines[3]}" = "$(line 'root@[::1]' local - root)" ]
	[ "${lines[4]}" = "$(line ROOT@LOCALHOST. local - root)" ]
	[ "${lines[5]}" = "$(line 'root@[192.0.2.1]' smtp '[192.0.2.1]' \
	    'root@[192.0.2.1]')" ]
}

@test "route-transport: literals of inet_interfaces and proxy_interfaces are local" {
	instance "alias_maps =" "mydestination = \$myhostname" \
	    "inet_interfaces = 192.0.2.7, 2001:db8::7" \
	    "proxy_interfaces = 198.51.100.9"
	run route-transport 'root@[192.0.2.7]' 'root@[IPv6:2001:db8::7]' \
	    'root@[198.51.100.9]' 'root@[203.0.113.1]'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(line 'root@[192.0.2.7]' local - root)" ]
	[ "${lines[1]}" = "$(line 'root@[IPv6:2001:db8::7]' local - root)" ]
	[ "${lines[2]}" = "$(line 'root@[198.51.100.9]' local - root)" ]
	[ "${lines[3]}" = "$(line 'root@[203.0.113.1]' smtp '[203.0.113.1]' \
	    'root@[203.0.113.1]')" ]
}

@test "route-transport: the seed's mydestination and transport_maps" {
	instance "alias_maps =" \
	    "mydestination = \$myhostname, localhost.\$mydomain, hash:$BATS_TEST_TMPDIR/inst/etc/transport" \
	    "transport_maps = hash:$BATS_TEST_TMPDIR/inst/etc/transport" \
	    "local_recipient_maps = static:any"
	printf 'domain.com              local:\n\n.domain.com             local:\n' \
	    >"$INST/etc/transport"
	postmap "$INST/etc/transport"
	run route-transport a@domain.com A@Sub.Domain.COM a@otherdomain.com \
	    root@localhost.example.test
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(line a@domain.com local - a)" ]
	[ "${lines[1]}" = "$(line A@Sub.Domain.COM local - a)" ]
	[ "${lines[2]}" = "$(line a@otherdomain.com smtp otherdomain.com \
	    a@otherdomain.com)" ]
	[ "${lines[3]}" = "$(line root@localhost.example.test local - root)" ]
}

@test "route-transport: transport_maps smtp, error, discard, retry" {
	instance "alias_maps =" "transport_maps = texthash:$BATS_TEST_TMPDIR/t"
	cat >"$BATS_TEST_TMPDIR/t" <<-EOF
	fixed.example        smtp:[127.0.0.1]:2526
	mx.example           smtp:
	nexthop.example      :[192.0.2.7]
	dead.example         error:no mail here
	coded.example        error:5.1.2 host gone
	null.example         discard:
	bob@user.example     relay:[192.0.2.9]
	paused.example       retry:4.4.1 maintenance
	odd.example          lmtp:unix:/x
	EOF
	run route-transport a@fixed.example a@mx.example a@nexthop.example \
	    a@dead.example a@coded.example a@null.example bob@user.example \
	    carol@user.example
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(line a@fixed.example smtp '[127.0.0.1]:2526' \
	    a@fixed.example)" ]
	[ "${lines[1]}" = "$(line a@mx.example smtp mx.example a@mx.example)" ]
	[ "${lines[2]}" = "$(line a@nexthop.example smtp '[192.0.2.7]' \
	    a@nexthop.example)" ]
	[ "${lines[3]}" = "$(line a@dead.example error \
	    '5.0.0 no mail here' a@dead.example)" ]
	[ "${lines[4]}" = "$(line a@coded.example error '5.1.2 host gone' \
	    a@coded.example)" ]
	[ "${lines[5]}" = "$(line a@null.example discard - a@null.example)" ]
	[ "${lines[6]}" = "$(line bob@user.example smtp '[192.0.2.9]' \
	    bob@user.example)" ]
	[ "${lines[7]}" = "$(line carol@user.example smtp user.example \
	    carol@user.example)" ]
	run route-transport a@paused.example
	[ "$status" -eq 75 ]
	[ "$output" = "$(line a@paused.example defer '4.4.1 maintenance' \
	    a@paused.example)" ]
	run route-transport a@odd.example
	[ "$status" -eq 75 ]
	[ "$output" = "$(line a@odd.example defer \
	    '4.3.5 unknown mail transport lmtp' a@odd.example)" ]
}

@test "route-transport: relayhost is the next hop for remote mail" {
	instance "alias_maps =" "relayhost = [smarthost.example]:587" \
	    "transport_maps = inline:{ direct.example = smtp: }"
	run route-transport a@far.example a@direct.example root@localhost
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(line a@far.example smtp \
	    '[smarthost.example]:587' a@far.example)" ]
	[ "${lines[1]}" = "$(line a@direct.example smtp direct.example \
	    a@direct.example)" ]
	[ "${lines[2]}" = "$(line root@localhost local - root)" ]
}

@test "route-transport: aliases to users, lists and remote addresses" {
	with_aliases
	aliases 'postmaster: root' 'team: root, nobody' \
	    'away: someone@remote.example' 'mixed: root, "x y"@remote.example'
	run route-transport postmaster team@localhost away mixed
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 6 ]
	[ "${lines[0]}" = "$(line postmaster local - root)" ]
	[ "${lines[1]}" = "$(line team@localhost local - root)" ]
	[ "${lines[2]}" = "$(line team@localhost local - nobody)" ]
	[ "${lines[3]}" = "$(line away smtp remote.example \
	    someone@remote.example)" ]
	[ "${lines[4]}" = "$(line mixed local - root)" ]
	[ "${lines[5]}" = "$(line mixed smtp remote.example \
	    '"x y"@remote.example')" ]
}

@test "route-transport: alias commands and files run as default_privs" {
	with_aliases "default_privs = daemon"
	aliases 'prog: "|/usr/bin/procmail -a x"' 'log: /var/log/mail.copy' \
	    'both: |/bin/cat, /tmp/f'
	run route-transport prog log both
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(line prog pipe daemon '|/usr/bin/procmail -a x')" ]
	[ "${lines[1]}" = "$(line log file daemon /var/log/mail.copy)" ]
	[ "${lines[2]}" = "$(line both pipe daemon '|/bin/cat')" ]
	[ "${lines[3]}" = "$(line both file daemon /tmp/f)" ]
}

@test "route-transport: allow_mail_to_commands and _files restrict" {
	with_aliases "allow_mail_to_commands = forward" \
	    "allow_mail_to_files = forward"
	aliases 'prog: |/bin/cat' 'log: /tmp/f'
	run route-transport prog log
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(line prog error \
	    '5.7.1 mail to command is restricted' prog@mx.example.test)" ]
	[ "${lines[1]}" = "$(line log error '5.7.1 mail to file is restricted' \
	    log@mx.example.test)" ]
}

@test "route-transport: :include: lists, with include rights" {
	with_aliases
	printf '# the list\nroot\n\n  nobody, friend@remote.example\n|/bin/cat\n' \
	    >"$INST/etc/list"
	: >"$INST/etc/empty"
	aliases "list: :include:$INST/etc/list" "none: :include:$INST/etc/empty" \
	    "gone: :include:$INST/etc/nosuchfile"
	run route-transport list
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(line list local - root)" ]
	[ "${lines[1]}" = "$(line list local - nobody)" ]
	[ "${lines[2]}" = "$(line list smtp remote.example \
	    friend@remote.example)" ]
	# A command in an include file needs "include" in allow_mail_to_commands.
	[ "${lines[3]}" = "$(line list error \
	    '5.7.1 mail to command is restricted' list@mx.example.test)" ]
	run route-transport none
	[ "$output" = "$(line none discard - none@mx.example.test)" ]
	run route-transport gone
	[ "$status" -eq 0 ]
	[[ "$output" == "gone${TAB}error${TAB}5.3.5 cannot open include file"* ]]

	echo "allow_mail_to_commands = alias, forward, include" \
	    >>"$INST/etc/main.cf"
	run route-transport list
	[ "${lines[3]}" = "$(line list pipe nobody '|/bin/cat')" ]
}

@test "route-transport: an alias that names itself goes to the user" {
	with_aliases
	aliases 'root: root, nobody'
	run route-transport root
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "$(line root local - root)" ]
	[ "${lines[1]}" = "$(line root local - nobody)" ]
}

@test "route-transport: an alias loop ends with 5.4.6, other branches live" {
	with_aliases
	aliases 'a: b' 'b: a' 'c: d, nobody' 'd: c' 'e: f, f' 'f: root'
	run timeout 10 route-transport a c e
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[ "${lines[0]}" = "$(line a error '5.4.6 alias database loop for a' \
	    a@mx.example.test)" ]
	[ "${lines[1]}" = "$(line c error '5.4.6 alias database loop for c' \
	    c@mx.example.test)" ]
	[ "${lines[2]}" = "$(line c local - nobody)" ]
	# Duplicates are answered once.
	[ "${lines[3]}" = "$(line e local - root)" ]
}

@test "route-transport: a 100000-item alias in bounded time" {
	with_aliases
	# An aliases line is capped at 256 KB: so many items need :include:.
	# (Mostly remote: each unknown local name costs a passwd lookup,
	# which some NSS set-ups make slow.)
	{
		seq -f 'u%g@remote.example' 1 99999
		echo root
	} >"$INST/etc/big"
	aliases "big: :include:$INST/etc/big"
	start=$SECONDS
	run timeout 60 route-transport big
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 100000 ]
	[ "${lines[0]}" = "$(line big smtp remote.example u1@remote.example)" ]
	[ "${lines[99999]}" = "$(line big local - root)" ]
	[ $((SECONDS - start)) -lt 20 ]
}

@test "route-transport: a user's .forward, with \\user and privileges" {
	make_user
	with_aliases
	aliases 'postmaster: root'
	forward "\\$RT_USER, friend@remote.example" '|/usr/bin/vacation' \
	    "/home/$RT_USER/mbox.copy" '# comment'
	run route-transport "$RT_USER@localhost"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[ "${lines[0]}" = "$(line "$RT_USER@localhost" local - "$RT_USER")" ]
	[ "${lines[1]}" = "$(line "$RT_USER@localhost" smtp remote.example \
	    friend@remote.example)" ]
	[ "${lines[2]}" = "$(line "$RT_USER@localhost" pipe "$RT_USER" \
	    '|/usr/bin/vacation')" ]
	[ "${lines[3]}" = "$(line "$RT_USER@localhost" file "$RT_USER" \
	    "/home/$RT_USER/mbox.copy")" ]

	# The user named in his own .forward (no backslash) is his mailbox.
	forward "$RT_USER" postmaster
	run route-transport "$RT_USER"
	[ "${lines[0]}" = "$(line "$RT_USER" local - "$RT_USER")" ]
	[ "${lines[1]}" = "$(line "$RT_USER" local - root)" ]
}

@test "route-transport: an unsafe .forward is ignored" {
	make_user
	instance "alias_maps ="
	forward friend@remote.example
	chmod 620 "$RT_HOME/.forward"
	run route-transport "$RT_USER@localhost"
	[ "$status" -eq 0 ]
	[ "$output" = "$(line "$RT_USER@localhost" local - "$RT_USER")" ]
	grep -q "writable by group or others: ignored" "$INST/maillog"

	# Owned by someone else.
	chmod 600 "$RT_HOME/.forward"
	chown nobody "$RT_HOME/.forward"
	run route-transport "$RT_USER@localhost"
	[ "$output" = "$(line "$RT_USER@localhost" local - "$RT_USER")" ]

	# Not a regular file.
	rm -f "$RT_HOME/.forward"
	mkfifo "$RT_HOME/.forward"
	chown "$RT_USER" "$RT_HOME/.forward"
	run timeout 10 route-transport "$RT_USER@localhost"
	[ "$output" = "$(line "$RT_USER@localhost" local - "$RT_USER")" ]
}

@test "route-transport: .forward is read with the user's rights" {
	make_user
	instance "alias_maps ="
	# A link to a file the user cannot read is not read for him.
	printf 'secret@remote.example\n' >"$BATS_TEST_TMPDIR/secret"
	chmod 600 "$BATS_TEST_TMPDIR/secret"
	ln -s "$BATS_TEST_TMPDIR/secret" "$RT_HOME/.forward"
	run route-transport "$RT_USER@localhost"
	[ "$status" -eq 0 ]
	[ "$output" = "$(line "$RT_USER@localhost" local - "$RT_USER")" ]
}

@test "route-transport: recipient_delimiter and .forward+ext" {
	make_user
	with_aliases "recipient_delimiter = +"
	aliases 'list: root' 'list+special: nobody'
	run route-transport root+tag@localhost list+x list+special
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(line root+tag@localhost local - root)" ]
	[ "${lines[1]}" = "$(line list+x local - root)" ]
	[ "${lines[2]}" = "$(line list+special local - nobody)" ]
	forward friend@remote.example
	printf 'other@remote.example\n' >"$RT_HOME/.forward+ext"
	chown "$RT_USER" "$RT_HOME/.forward+ext"
	chmod 600 "$RT_HOME/.forward+ext"
	run route-transport "$RT_USER+ext" "$RT_USER+none" "$RT_USER"
	[ "${lines[0]}" = "$(line "$RT_USER+ext" smtp remote.example \
	    other@remote.example)" ]
	[ "${lines[1]}" = "$(line "$RT_USER+none" smtp remote.example \
	    friend@remote.example)" ]
	[ "${lines[2]}" = "$(line "$RT_USER" smtp remote.example \
	    friend@remote.example)" ]
}

@test "route-transport: local_recipient_maps static:any and empty" {
	instance "alias_maps =" "local_recipient_maps = static:any"
	run route-transport Someone@localhost
	[ "$status" -eq 0 ]
	[ "$output" = "$(line Someone@localhost local - someone)" ]
	instance "alias_maps =" "local_recipient_maps ="
	run route-transport someone@localhost
	[ "$output" = "$(line someone@localhost local - someone)" ]
	instance "alias_maps =" \
	    "local_recipient_maps = inline:{ known = x }"
	run route-transport known@localhost unknown@localhost
	[ "${lines[0]}" = "$(line known@localhost local - known)" ]
	[[ "${lines[1]}" == "unknown@localhost${TAB}error${TAB}5.1.1 "* ]]
	# A local part that cannot be a mailbox file name.
	instance "alias_maps =" "local_recipient_maps = static:any"
	run route-transport '"../etc"@localhost' .profile@localhost
	[[ "${lines[0]}" == *"${TAB}error${TAB}5.1.3 "* ]]
	[[ "${lines[1]}" == *"${TAB}error${TAB}5.1.3 "* ]]
	# Nor a command, a file or an option: such a name is never local.
	run route-transport '"|touch x"@localhost' '|id@localhost' \
	    '"/etc/passwd"@localhost' '"-oQ"@localhost' 'a|b@localhost'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 5 ]
	for l in "${lines[@]}"; do
		[[ "$l" == *"${TAB}error${TAB}5.1.3 bad address syntax: "*"cannot be a mailbox name${TAB}"* ]]
	done
}

@test "route-transport: -s -t answers typed lines with KIND and ORIGIN" {
	with_aliases "allow_mail_to_commands = alias"
	aliases 'prog: "|/usr/bin/procmail -a x"' 'log: /var/log/mail.copy' \
	    'box: /var/spool/box/' 'crew: root, far@remote.example'
	printf 'prog\nlog\nbox\ncrew\nroot@localhost\n"|id"@localhost\n' \
	    >"$BATS_TEST_TMPDIR/in"
	route-transport -s -t <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	{
		printf 'prog\tcommand\tnobody\t/usr/bin/procmail -a x\talias\n\n'
		printf 'log\tfile\tnobody\t/var/log/mail.copy\talias\n\n'
		printf 'box\tmaildir\tnobody\t/var/spool/box/\talias\n\n'
		printf 'crew\tmailbox\t-\troot\talias\n'
		printf 'crew\tsmtp\tremote.example\tfar@remote.example\talias\n\n'
		printf 'root@localhost\tmailbox\t-\troot\trecipient\n\n'
		printf '"|id"@localhost\terror\t5.1.3 bad address syntax: "|id" '
		printf 'cannot be a mailbox name\t|id@localhost\trecipient\n\n'
	} >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/out"
	# The user-facing lines keep four fields; a Maildir is a file there.
	run route-transport prog box
	[ "${lines[0]}" = "$(line prog pipe nobody '|/usr/bin/procmail -a x')" ]
	[ "${lines[1]}" = "$(line box file nobody /var/spool/box/)" ]
	# -t is for server mode only.
	run --separate-stderr route-transport -t root
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"usage:"* ]]
}

@test "route-transport: a table that cannot be read defers (exit 75)" {
	instance "alias_maps =" \
	    "transport_maps = hash:$BATS_TEST_TMPDIR/missing"
	run route-transport root@localhost a@remote.example
	[ "$status" -eq 75 ]
	[ "${lines[0]}" = "$(line root@localhost defer \
	    '4.3.0 transport_maps lookup failure' root@localhost)" ]
	[ "${lines[1]}" = "$(line a@remote.example defer \
	    '4.3.0 transport_maps lookup failure' a@remote.example)" ]
	grep -q "transport_maps: .*missing" "$INST/maillog"

	# The default alias_maps on a host without that file: also temporary.
	instance "alias_maps = hash:$BATS_TEST_TMPDIR/noaliases"
	run route-transport root@localhost
	[ "$status" -eq 75 ]
	[ "$output" = "$(line root@localhost defer \
	    '4.3.0 alias database unavailable' root@localhost)" ]
}

@test "route-transport: a table created later is used without a restart" {
	instance "alias_maps =" \
	    "transport_maps = hash:$BATS_TEST_TMPDIR/inst/etc/transport"
	coproc RT { route-transport -s; }
	pid=$RT_PID
	echo a@remote.example >&"${RT[1]}"
	read -r -t 10 got <&"${RT[0]}"
	[ "$got" = "$(line a@remote.example defer \
	    '4.3.0 transport_maps lookup failure' a@remote.example)" ]
	read -r -t 10 got <&"${RT[0]}"
	echo 'remote.example smtp:[127.0.0.1]:2526' >"$INST/etc/transport"
	postmap "$INST/etc/transport"
	sleep 1.1
	echo a@remote.example >&"${RT[1]}"
	read -r -t 10 got <&"${RT[0]}"
	[ "$got" = "$(line a@remote.example smtp '[127.0.0.1]:2526' \
	    a@remote.example)" ]
	# At the end of input it exits (0: checked in the test above).
	eval "exec ${RT[1]}>&-"
	wait "$pid" 2>/dev/null || true
}

@test "route-transport: mydestination /file elements and exclusions" {
	printf '# ours\nexample.org  .example.net\n' >"$BATS_TEST_TMPDIR/dest"
	instance "alias_maps =" \
	    "mydestination = !mail.example.net, $BATS_TEST_TMPDIR/dest"
	run route-transport root@example.org root@a.example.net \
	    root@mail.example.net root@example.net
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(line root@example.org local - root)" ]
	[ "${lines[1]}" = "$(line root@a.example.net local - root)" ]
	[ "${lines[2]}" = "$(line root@mail.example.net smtp mail.example.net \
	    root@mail.example.net)" ]
	[ "${lines[3]}" = "$(line root@example.net smtp example.net \
	    root@example.net)" ]
	instance "mydestination = $BATS_TEST_TMPDIR/nosuchfile"
	run route-transport root
	[ "$status" -eq 78 ]
}

@test "route-transport: server mode answers each line, then a blank line" {
	instance "alias_maps =" "relayhost = [127.0.0.1]:2526"
	printf 'root@localhost\nnosuchuser@localhost\n\na@remote.example\r\n' \
	    >"$BATS_TEST_TMPDIR/in"
	route-transport -s <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	{
		line root@localhost local - root; printf '\n\n'
		line nosuchuser@localhost error "5.1.1 <nosuchuser@localhost>: \
User unknown in local recipient table" nosuchuser@localhost; printf '\n\n'
		line - error '5.1.3 bad address syntax' -; printf '\n\n'
		line a@remote.example smtp '[127.0.0.1]:2526' a@remote.example
		printf '\n\n'
	} >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/out"
}

@test "route-transport: server mode answers as it goes, over a pipe" {
	instance "alias_maps ="
	coproc RT { route-transport -s; }
	pid=$RT_PID
	echo root@localhost >&"${RT[1]}"
	read -r -t 10 got <&"${RT[0]}"
	[ "$got" = "$(line root@localhost local - root)" ]
	read -r -t 10 got <&"${RT[0]}"
	[ "$got" = "" ]
	# A line over the cap is a bad address; the stream stays in step.
	printf 'a%.0s' {1..5000} >&"${RT[1]}"
	printf '\nroot\n' >&"${RT[1]}"
	read -r -t 10 got <&"${RT[0]}"
	[ "$got" = "$(line - error '5.1.3 bad address syntax' -)" ]
	read -r -t 10 got <&"${RT[0]}"
	[ "$got" = "" ]
	read -r -t 10 got <&"${RT[0]}"
	[ "$got" = "$(line root local - root)" ]
	# At the end of input it exits (0: checked in the test above).
	eval "exec ${RT[1]}>&-"
	wait "$pid" 2>/dev/null || true
}

@test "route-transport: bad addresses are answered 5.1.3" {
	instance "alias_maps ="
	run route-transport '' '@localhost' 'user@' 'a@b@' $'bad\001@localhost' \
	    'x@bad domain' '"unbalanced@localhost'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 7 ]
	for l in "${lines[@]}"; do
		[[ "$l" == *"${TAB}error${TAB}5.1.3 bad address syntax${TAB}"* ]]
	done
	[ "${lines[4]}" = "$(line 'bad?@localhost' error \
	    '5.1.3 bad address syntax' 'bad?@localhost')" ]
}

@test "route-transport: usage errors exit 64, bad config 78" {
	instance "alias_maps ="
	run route-transport -x root
	[ "$status" -eq 64 ]
	[[ "$output" == *"usage:"* ]]
	run route-transport
	[ "$status" -eq 64 ]
	[[ "$output" == *"usage:"* ]]
	run route-transport -s root
	[ "$status" -eq 64 ]
	instance "append_at_myorigin = maybe"
	run route-transport root
	[ "$status" -eq 78 ]
	[[ "$output" == *"main.cf:"* ]]
}
