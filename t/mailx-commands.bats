#!/usr/bin/env bats
# mailx receive-mode commands, each run twice: read from a pipe and typed
# at a terminal (tmux send-keys, the screen read with capture-pane).  One
# table drives both: a command line and a regular expression its output
# must match, each match after the one before; then the same files are
# checked (saved, copied, written, recorded, mbox, the mailbox at quit).

load helper
bats_require_minimum_version 1.5.0

setup() {
	instance 'local_recipient_maps = static:any'
	export TZ=UTC HOME=$BATS_TEST_TMPDIR/home COLUMNS=100 MAILRC=/dev/null
	unset MBOX PAGER LINES
	mkdir -p "$HOME/mail"
	MB=$INST/mail/any
	export MAIL=$MB
	# sendmail stub: each message and its arguments appended to "sent".
	printf '#!/bin/sh\necho "ARGS $*" >>"%s"\ncat >>"%s"\n' \
		"$HOME/sent" "$HOME/sent" >"$HOME/sm"
	chmod +x "$HOME/sm"
	echo "sendmail_path = $HOME/sm" >>"$INST/etc/main.cf"
	twelve >"$MB"
	printf 'if s\necho sending\nelse\necho receiving\nendif\n' >"$HOME/rc2"
	table >"$HOME/table"
}

teardown() {
	if [ -n "${TMUX_SOCK:-}" ]; then
		tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true
	fi
}

# twelve - a mailbox of twelve messages; 3 is Carol's note, 10-12 were read
twelve() {
	local k name addr
	for k in $(seq 1 12); do
		name="User $k" addr="u$k@x.test"
		[ "$k" = 3 ] && name=Carol addr=carol@x.test
		printf 'From %s Tue Nov 14 22:%02d:00 2023\n' "$addr" "$k"
		printf 'From: %s <%s>\nTo: any@localhost\n' "$name" "$addr"
		printf 'Message-ID: <m%d@x.test>\nSubject: %s %d\n' "$k" \
			"$([ "$k" = 3 ] && echo note || echo subject)" "$k"
		[ "$k" -ge 10 ] && printf 'Status: RO\n'
		printf '\nBody of message %d.\nline two of %d\n\n' "$k" "$k"
	done
}

# table - COMMAND<TAB>REGEX ("-": no output looked for)
table() {
	cat <<'T'
unset asksub	-
set screen=5 folder=mail	-
h	^>N +1 User 1 
z	^ N +6 User 6 
z-	^ N +5 User 5 
z+	^ N +6 User 6 
f ^	^>N +1 User 1 
f 12	^ +12 User 12 +Tue Nov 14 22:12
ignore to received	-
ignore	^received$
p 2	^Message 2:$
p 2	^Body of message 2\.$
P 3	^To: any@localhost$
P 3	^Body of message 3\.$
t 4	^Body of message 4\.$
T 5	^To: any@localhost$
top 6	^Body of message 6\.$
n	^Message 7:$
+	^Message 8:$
-	^Message 7:$
=	^7$
d 7	-
=	^8$
f :d	^ +7 User 7 
u 7	-
dp 8	^Message 9:$
u 8	-
dt 9	^Message 10:$
u 9	-
size 9	^9: 9/161$
from carol	^ +3 Carol 
f /NOTE	^ +3 Carol .* note 3$
s 1 +saved	/mail/saved" [0-9]+ bytes$
c 2 +copied	/mail/copied" [0-9]+ bytes$
S 3	^"carol" [0-9]+ bytes$
C 4	^"u4" [0-9]+ bytes$
w 5 +body5	/mail/body5" [0-9]+ bytes$
ho 10	-
pre 11	-
mb 12	-
tou 6	-
f 10-12	^ P +10 User 10 
f 12	^ M +12 User 12 
echo hello there	^hello there$
set	^screen\s+5$
alias pals p1@x.test p2@x.test	-
a pals	^pals\s+p1@x.test, p2@x.test$
retain subject	-
p 9	^Subject: subject 9$
list	^next alias print
?	^Commands
help	^Commands
!echo bang	^bang$
| 2 grep -c Body	^1$
m pals	-
hello from m	-
~.	-
unalias pals	-
alias pals	^"pals": no such alias$
source rc2	^receiving$
r 6	-
reply to six	-
~.	-
R 7	-
Reply to seven	-
~.	-
fo 3	-
followup to carol	-
~.	-
F 4 5	-
Followup to four and five	-
~.	-
folders	body5
set LISTER="echo listed"	-
folders	^listed .*/mail/$
file	": 12 messages
fold +saved	^Saved 7 messages in .*/mbox$
f *	^>  +1 User 1 
fi #	/any": 2 messages$
q	^Held 2 messages in .*/any$
T
}

# expect_in_order N FILE - the first N regexps of the table match FILE's
# text one after the other
expect_in_order() {
	python3 - "$HOME/table" "$1" "$2" <<'PY'
import re, sys
rows = [l.rstrip("\n").split("\t", 1) for l in open(sys.argv[1])]
text = open(sys.argv[3], errors="replace").read()
pos = 0
for cmd, rx in rows[:int(sys.argv[2])]:
    if rx == "-":
        continue
    m = re.compile(rx, re.M).search(text, pos)
    if not m:
        print("after %r: no /%s/ in:\n%s" % (cmd, rx, text[pos:pos + 2000]))
        sys.exit(1)
    pos = m.end()
PY
}

# check_files - what the commands left behind
check_files() {
	local f=$HOME/mail
	grep -q '^Body of message 1\.$' "$f/saved"
	grep -q '^Body of message 2\.$' "$f/copied"
	grep -q '^Body of message 3\.$' "$HOME/carol"
	grep -q '^Body of message 4\.$' "$HOME/u4"
	[ "$(head -n 1 "$f/body5")" = 'Body of message 5.' ]
	# Five messages went out, with the right recipients.
	[ "$(grep -c '^ARGS ' "$HOME/sent")" -eq 5 ]
	grep -q '^ARGS -i -- p1@x.test p2@x.test$' "$HOME/sent"
	grep -q '^ARGS -i -- u6@x.test any@localhost$' "$HOME/sent"
	grep -q '^ARGS -i -- u7@x.test$' "$HOME/sent"
	grep -q '^ARGS -i -- carol@x.test$' "$HOME/sent"
	grep -q '^ARGS -i -- u4@x.test, u5@x.test$\|^ARGS -i -- u4@x.test u5@x.test$' "$HOME/sent"
	grep -q '^In-Reply-To: <m6@x.test>$' "$HOME/sent"
	# followup and Followup recorded under the authors' names.
	grep -q '^followup to carol$' "$HOME/carol"
	grep -q '^Followup to four and five$' "$HOME/u4"
	# Quit: saved 1-4 gone, held 10 and preserved 11 stay, read mail
	# (copied 2 and 4 too) and "mb 12" in the mbox.
	python3 - "$MB" "$HOME/mbox" <<'PY'
import mailbox, sys
subj = lambda p: sorted(int(m["Subject"].split()[1]) for m in mailbox.mbox(p))
box, mbox = subj(sys.argv[1]), subj(sys.argv[2])
assert box == [10, 11], box
assert mbox == [2, 4, 6, 7, 8, 9, 12], mbox
PY
}

@test "commands through a pipe: every one does its job" {
	cd "$HOME"
	cut -f1 "$HOME/table" | mailx -~ -N >"$HOME/out" 2>&1
	expect_in_order 999 "$HOME/out"
	check_files
}

@test "commands typed at a terminal: the same table, the same results" {
	cd "$HOME"
	TMUX_SOCK=$BATS_TEST_TMPDIR/tmux.sock
	tmux -S "$TMUX_SOCK" start-server \; set-option -g history-limit 20000 \; \
		new-session -d -x 150 -y 40 \
		"cd '$HOME' && env MAIL='$MB' HOME='$HOME' MAIL_CONFIG='$MAIL_CONFIG' MAILRC=/dev/null COLUMNS=100 TZ=UTC PATH='$PATH' mailx -N; echo mailx-exited-\$?; sleep 30"
	local cmd rx at ok
	while IFS=$'\t' read -r cmd rx; do
		# Type it, noting the line its output starts on.
		at=$(tmux -S "$TMUX_SOCK" display-message -p \
			'#{e|+:#{history_size},#{cursor_y}}' \; \
			send-keys -l -- "$cmd" \; send-keys Enter)
		[ "$rx" = - ] && continue
		ok=0
		# Up to about 10 s: a loaded machine is slow to draw.
		for _ in $(seq 500); do
			if tmux -S "$TMUX_SOCK" capture-pane -p -S - |
				tail -n +"$((at + 1))" | grep -Eq -- "$rx"; then
				ok=1
				break
			fi
			sleep 0.02
		done
		[ "$ok" = 1 ] || { echo "no /$rx/ after $cmd"; false; }
	done <"$HOME/table"
	tmux -S "$TMUX_SOCK" capture-pane -p -J -S - >"$HOME/screen"
	expect_in_order 999 "$HOME/screen"
	for _ in $(seq 100); do
		tmux -S "$TMUX_SOCK" capture-pane -p -J -S - | grep -q mailx-exited-0 && break
		sleep 0.05
	done
	tmux -S "$TMUX_SOCK" capture-pane -p -J -S - | grep -q mailx-exited-0
	check_files
}
