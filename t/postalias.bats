#!/usr/bin/env bats
# postalias: aliases(5) syntax into hash: tables.

load helper

setup() {
	instance
	D=$INST/etc
	cat >"$D/aliases" <<-'EOF'
	# comment
	postmaster: root
	Root: admin, "|/usr/bin/prog a,b", /var/mail/copy,
	    :include:/etc/mail/staff
	"quoted name": someone@example.com
	list:   a,    b
	nocolon value
	EOF
}

@test "postalias builds the table and -q prints values as stored" {
	run postalias "$D/aliases"
	[ "$status" -eq 0 ]
	[[ "$output" == *"aliases:7: expected format: name: value"* ]]
	run postalias -q root "$D/aliases"
	[ "$status" -eq 0 ]
	[ "$output" = 'admin, "|/usr/bin/prog a,b", /var/mail/copy, :include:/etc/mail/staff' ]
	[ "$(postalias -q postmaster "$D/aliases")" = root ]
	[ "$(postalias -q 'quoted name' "$D/aliases")" = someone@example.com ]
	[ "$(postalias -q list "$D/aliases")" = "a, b" ]
	run postalias -q nobody "$D/aliases"
	[ "$status" -eq 1 ]
}

@test "postalias -s lists name: value; -d deletes" {
	postalias "$D/aliases" 2>/dev/null
	run postalias -s "$D/aliases"
	[ "$status" -eq 0 ]
	[[ "$output" == *$'postmaster:\troot'* ]]
	run postalias -d postmaster "$D/aliases"
	[ "$status" -eq 0 ]
	run postalias -q postmaster "$D/aliases"
	[ "$status" -eq 1 ]
}

@test "postalias -i adds aliases from stdin" {
	postalias "$D/aliases" 2>/dev/null
	printf 'new: target\n' | postalias -i "$D/aliases"
	[ "$(postalias -q new "$D/aliases")" = target ]
	[ "$(postalias -q root "$D/aliases" | cut -d, -f1)" = admin ]
}

@test "postalias: duplicates keep the first unless -r" {
	printf 'a: 1\nA: 2\n' >"$D/dup"
	run postalias "$D/dup"
	[[ "$output" == *"dup:2: duplicate entry: \"a\""* ]]
	[ "$(postalias -q a "$D/dup")" = 1 ]
	postalias -r "$D/dup"
	[ "$(postalias -q a "$D/dup")" = 2 ]
}

@test "postalias: a 100,000-entry file builds quickly" {
	seq 1 100000 | awk '{ print "user" $1 ": u" $1 "@example.com, :include:/lists/l" $1 }' >"$D/big"
	start=$(date +%s)
	run postalias "$D/big"
	[ "$status" -eq 0 ]
	[ $(( $(date +%s) - start )) -lt 20 ]
	[ "$(postalias -q user99999 "$D/big")" = "u99999@example.com, :include:/lists/l99999" ]
}

@test "postalias: usage and missing files" {
	run postalias
	[ "$status" -eq 64 ]
	[[ "$output" == *"usage:"* ]]
	run postalias -x "$D/aliases"
	[ "$status" -eq 64 ]
	run postalias "$D/none"
	[ "$status" -eq 66 ]
	[[ "$output" == *"open $D/none: No such file or directory"* ]]
}

@test "postalias: unbalanced quotes are reported with file:line" {
	printf 'a: "open\nb: ok\n' >"$D/q"
	run postalias "$D/q"
	[ "$status" -eq 0 ]
	[[ "$output" == *"q:1: missing closing quote"* ]]
	[ "$(postalias -q b "$D/q")" = ok ]
}
