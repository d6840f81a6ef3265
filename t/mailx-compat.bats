#!/usr/bin/env bats
# mailx and other mail software on the same files: mailboxes mailx wrote
# (its quit rewrite, save, the mbox, record, an edited message) read by
# s-nail and by Python's mailbox module; mailboxes s-nail wrote (its
# quit rewrite, save) read by mailx.

load helper
bats_require_minimum_version 1.5.0

setup() {
	command -v s-nail >/dev/null || skip 's-nail is not installed'
	instance 'local_recipient_maps = static:any'
	export TZ=UTC HOME=$BATS_TEST_TMPDIR/home COLUMNS=80 MAILRC=/dev/null
	unset MBOX PAGER LINES
	mkdir -p "$HOME"
	MB=$INST/mail/any
	export MAIL=$MB
	cat >"$MB" <<'MBOX'
From alice@example.org Tue Nov 14 22:13:20 2023
From: Alice <alice@example.org>
To: any@localhost
Subject: first

Hello.
>From the quoted line

From bob@example.org Wed Nov 15 10:00:00 2023
From: bob@example.org
Subject: second
Status: O

Body two.

From carol@example.org Thu Nov 16 10:00:00 2023
From: carol@example.org
Subject: third

Body three.
MBOX
}

# snail FILE COMMANDS - s-nail's output for commands on FILE, read-only
snail() {
	printf '%s\n' "$2" | s-nail -n -N -R -f "$1" 2>&1
}

@test "s-nail and Python read what mailx's quit, save and edit wrote" {
	printf '#!/bin/sh\nsed -i s/three/3/ "$1"\n' >"$HOME/ed"
	chmod +x "$HOME/ed"
	EDITOR=$HOME/ed mailx -N <<'IN' >/dev/null
p 1
s 2 ~/saved
e 3
preserve 3
q
IN
	# The mailbox keeps the edited 3, the mbox got 1, saved has 2.
	run snail "$MB" 'from *'
	[[ "$output" == *'1 carol@example.org'*third* ]]
	[[ "$output" != *second* ]]
	run snail "$MB" 'p 1'
	[[ "$output" == *'Body 3.'* ]]
	run snail "$HOME/mbox" 'p 1'
	[[ "$output" == *'Subject: first'* ]]
	[[ "$output" == *$'Hello.\n>From the quoted line'* ]]
	run snail "$HOME/saved" 'p 1'
	[[ "$output" == *'Status: RO'* ]]
	[[ "$output" == *'Body two.'* ]]
	python3 - "$MB" "$HOME/mbox" "$HOME/saved" <<'PY'
import mailbox, sys
box, mbox, saved = (list(mailbox.mbox(p)) for p in sys.argv[1:])
assert [m["Subject"] for m in box] == ["third"], box
assert box[0].get_payload() == "Body 3.\n", repr(box[0].get_payload())
assert box[0]["Status"] == "RO"
assert [m["Subject"] for m in mbox] == ["first"]
assert mbox[0].get_payload() == "Hello.\n>From the quoted line\n"
assert [m["Subject"] for m in saved] == ["second"]
assert saved[0].get_from() == "bob@example.org Wed Nov 15 10:00:00 2023"
PY
}

@test "mailx reads what s-nail's quit and save wrote" {
	printf 'set hold\np 1\nd 2\ns 3 %s\nq\n' "$HOME/snsaved" |
		s-nail -n -N -f "$MB" >/dev/null 2>&1
	run mailx -H
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == '>    1 Alice'*first ]]
	[ "${#lines[@]}" -le 2 ]
	[[ "$output" != *second* ]]
	run mailx -N <<<$'p 1\nx'
	[[ "$output" == *$'Hello.\nFrom the quoted line'* ]]
	run mailx -N -f "$HOME/snsaved" <<<$'f *\np 1\nx'
	[[ "${lines[0]}" == '>'*'1 carol@example.org'*third ]]
	[[ "$output" == *'Body three.'* ]]
	# mailx's own quit on s-nail's file: Status kept, nothing lost.
	mailx -N -f "$HOME/snsaved" <<<$'p 1\nq' >/dev/null
	python3 - "$HOME/snsaved" <<'PY'
import mailbox, sys
m = list(mailbox.mbox(sys.argv[1]))
assert len(m) == 1 and m[0]["Subject"] == "third", m
assert m[0]["Status"] == "RO", m[0]["Status"]
assert m[0].get_payload().startswith("Body three.\n")
PY
}
