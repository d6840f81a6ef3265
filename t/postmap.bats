#!/usr/bin/env bats
# postmap: build, query, delete, list; exit statuses; the seed's tables.

load helper

setup() {
	instance
	D=$INST/etc
	cp "$BATS_TEST_DIRNAME"/data/seed-access "$D/access"
	cp "$BATS_TEST_DIRNAME"/data/seed-transport "$D/transport"
	cp "$BATS_TEST_DIRNAME"/data/seed-header_checks "$D/header_checks"
	cp "$BATS_TEST_DIRNAME"/data/seed-body_checks "$D/body_checks"
}

@test "postmap builds hash:access and -q finds the seed's entries" {
	run postmap "$D/access"
	[ "$status" -eq 0 ]
	[ -f "$D/access.db" ]
	[[ "$output" == *"access:3: no-break space (U+00A0) read as white space"* ]]
	run postmap -q zakat.guide@gmail.com "hash:$D/access"
	[ "$status" -eq 0 ]
	[ "$output" = "550 Sorry, You are BLOCKED" ]
	run postmap -q 83.156.130.100 "$D/access"
	[ "$status" -eq 0 ]
	[ "$output" = "550 Sorry, You are BLOCKED on Our" ]
	run postmap -q XXX@123.NET "$D/access"
	[ "$output" = "550 Sorry, You are BLOCKED on Our Network" ]
}

@test "postmap -q on the seed transport: exact keys only, exit 1 when missing" {
	postmap "$D/transport" 2>/dev/null
	run postmap -q domain.com "$D/transport"
	[ "$status" -eq 0 ]
	[ "$output" = "local:" ]
	run postmap -q sub.domain.com "$D/transport"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	run postmap -q .domain.com "$D/transport"
	[ "$output" = "local:" ]
}

@test "postmap -q on regexp: and pcre: tables (header and body checks)" {
	run postmap -q 'Subject: 5 Minute Auto Loan' "regexp:$D/header_checks"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "REJECT I can’t except mail from you!!." ]
	run postmap -q 'From: khatun@123.net.ae' "pcre:$D/header_checks"
	[ "${lines[-1]}" = "REJECT Your PC is Virus Infected, Clean it first." ]
	run postmap -q 'Your Secure Investment' "pcre:$D/body_checks"
	[ "${lines[-1]}" = "REJECT You are BLOCKED on Our Network." ]
	run postmap -q 'Subject: hello' "regexp:$D/header_checks"
	[ "$status" -eq 1 ]
}

@test "postmap -q - reads keys from stdin and prints key TAB value" {
	postmap "$D/access" 2>/dev/null
	run postmap -q - "$D/access" <<-EOF
	nobody@example.com
	zakat.guide@gmail.com
	221.29.132.160
	EOF
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = $'zakat.guide@gmail.com\t550 Sorry, You are BLOCKED' ]
	[ "${lines[1]}" = $'221.29.132.160\t550 Sorry, You are' ]
	[ "${#lines[@]}" -eq 2 ]
	run postmap -q - "$D/access" <<<"nobody@example.com"
	[ "$status" -eq 1 ]
}

@test "postmap texthash:, static:, inline: and a list of tables" {
	run postmap -q domain.com "texthash:$D/transport"
	[ "${lines[-1]}" = "local:" ]
	run postmap -q anything static:DUNNO
	[ "$output" = "DUNNO" ]
	run postmap -q B 'inline:{ a = 1, b = two words }'
	[ "$output" = "two words" ]
	run postmap -q c 'inline:{ a = 1 }' 'inline:{ c = 3 }'
	[ "$output" = "3" ]
}

@test "postmap: continuation, comments, case folding and -f" {
	printf '# comment\nKey first\n  second\n\nlower v\n' >"$D/t"
	postmap "$D/t"
	run postmap -q key "$D/t"
	[ "$output" = "first  second" ]
	run postmap -q KEY "$D/t"
	[ "$output" = "first  second" ]
	postmap -f "$D/t"
	run postmap -fq key "$D/t"
	[ "$status" -eq 1 ]
	run postmap -fq Key "$D/t"
	[ "$output" = "first  second" ]
}

@test "postmap: duplicates warn and keep the first; -r replaces; -w is quiet" {
	printf 'a 1\nA 2\n' >"$D/d"
	run postmap "$D/d"
	[ "$status" -eq 0 ]
	[[ "$output" == *"d:2: duplicate entry: \"a\""* ]]
	[ "$(postmap -q a "$D/d")" = 1 ]
	run postmap -r "$D/d"
	[ -z "$output" ]
	[ "$(postmap -q a "$D/d")" = 2 ]
	run postmap -w "$D/d"
	[ -z "$output" ]
	[ "$(postmap -q a "$D/d")" = 1 ]
}

@test "postmap: a line without a value is skipped with file:line" {
	printf 'good value\nnovalue\n' >"$D/n"
	run postmap "$D/n"
	[ "$status" -eq 0 ]
	[[ "$output" == *"n:2: expected format: key whitespace value"* ]]
	run postmap -q novalue "$D/n"
	[ "$status" -eq 1 ]
}

@test "postmap -d deletes (0 found, 1 not) and -i adds from stdin" {
	printf 'a 1\nb 2\n' >"$D/m"
	postmap "$D/m"
	run postmap -d a "$D/m"
	[ "$status" -eq 0 ]
	run postmap -d a "$D/m"
	[ "$status" -eq 1 ]
	run postmap -q a "$D/m"
	[ "$status" -eq 1 ]
	printf 'C 3\nb 22\n' | postmap -i "$D/m" 2>/dev/null
	[ "$(postmap -q c "$D/m")" = 3 ]
	[ "$(postmap -q b "$D/m")" = 2 ]
	printf 'b\nc\n' | postmap -d - "$D/m"
	run postmap -q c "$D/m"
	[ "$status" -eq 1 ]
}

@test "postmap -s lists every entry; -N tables are found all the same" {
	printf 'a 1\nb 2\n' >"$D/s"
	postmap -N "$D/s"
	run postmap -s "$D/s"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort | tr '\n' ' ')" = $'a\t1 b\t2 ' ]
	[ "$(postmap -q b "$D/s")" = 2 ]
	run postmap -s "regexp:$D/header_checks"
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot be listed"* ]]
}

@test "postmap: usage errors exit 64 with a usage line" {
	run postmap
	[ "$status" -eq 64 ]
	[[ "$output" == *"usage:"* ]]
	run postmap -Z "$D/access"
	[ "$status" -eq 64 ]
	[[ "$output" == *"usage:"* ]]
	run postmap -q a -d b "$D/access"
	[ "$status" -eq 64 ]
}

@test "postmap: missing files exit 66 (EX_NOINPUT) naming the file" {
	run postmap "$D/nonexistent"
	[ "$status" -eq 66 ]
	[ "$output" = "postmap: fatal: open $D/nonexistent: No such file or directory" ]
	run postmap -q a "$D/nonexistent"
	[ "$status" -eq 66 ]
	[[ "$output" == *"$D/nonexistent.db"* ]]
}

@test "postmap: bad regexp tables exit 65 naming file:line" {
	printf '/a/ x\nif /b/\n/c/ y\n' >"$D/re"
	run postmap -q a "regexp:$D/re"
	[ "$status" -eq 65 ]
	[[ "$output" == *"re:2: if without endif"* ]]
	printf '/a/ x\n/(/ y\n' >"$D/re"
	run postmap -q a "pcre:$D/re"
	[ "$status" -eq 65 ]
	[[ "$output" == *"re:2: bad regular expression"* ]]
}

@test "postmap: a 1 MB line and a NUL byte are refused, old table kept" {
	printf 'a 1\n' >"$D/big"
	postmap "$D/big"
	head -c 1048576 /dev/zero | tr '\0' x >>"$D/big"
	printf '\n' >>"$D/big"
	run postmap "$D/big"
	[ "$status" -eq 65 ]
	[[ "$output" == *"big:2: line longer than"* ]]
	[ "$(postmap -q a "$D/big")" = 1 ]
	printf 'a 1\nb \0 2\n' >"$D/nul"
	run postmap "$D/nul"
	[ "$status" -eq 65 ]
	[[ "$output" == *"nul:2: NUL byte in line"* ]]
	[ ! -e "$D/nul.db" ]
	[ -z "$(ls "$D" | grep '\.tmp\.')" ]
}

@test "postmap: readers see the old or the new table during a rebuild" {
	seq 1 200000 | awk '{ print "key" $1, "old" }' >"$D/r"
	postmap "$D/r"
	seq 1 200000 | awk '{ print "key" $1, "new" }' >"$D/r"
	postmap "$D/r" &
	pid=$!
	bad=0
	while kill -0 "$pid" 2>/dev/null; do
		v=$(postmap -q key777 "$D/r") || bad=1
		case $v in old|new) ;; *) bad=1 ;; esac
	done
	wait "$pid"
	[ "$bad" -eq 0 ]
	[ "$(postmap -q key777 "$D/r")" = new ]
}

@test "postmap -c DIR takes the configuration directory" {
	unset MAIL_CONFIG
	printf 'k v\n' >"$D/c"
	run postmap -c "$D" "$D/c"
	[ "$status" -eq 0 ]
	[ "$(postmap -c "$D" -q k "$D/c")" = v ]
}
