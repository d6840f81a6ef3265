/* test_header - header scanner, lookup, folding, RFC 2047, Date */
#include "header.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tap.h"

#define GOLDEN		"t/data/header-fold.txt"
#define GOLDEN_LINE_MAX	4096

/*
 * scan - push a text split at LF through a scanner and render the
 * events, one per line: "F name|raw|value|flags", "E", "B reason|raw".
 * Raw LFs are shown as "\n".
 */
static void
scan(const char *text, size_t len, int eof, struct buf *out)
{
	struct hdr_scan		 sc;
	struct hdr_field	 f;
	enum hdr_event		 ev;
	size_t			 i = 0;

	buf_reset(out);
	hdr_scan_init(&sc);
	for (;;) {
		while ((ev = hdr_scan_next(&sc, &f)) != HDR_MORE) {
			if (ev == HDR_FIELD)
				buf_printf(out, "F %.*s|", (int)f.name_len,
				    f.name);
			else if (ev == HDR_END)
				buf_adds(out, "E");
			else
				buf_printf(out, "B %d|", (int)f.bad);
			for (size_t k = 0; ev != HDR_END && k < f.raw_len; k++)
				if (f.raw[k] == '\n')
					buf_adds(out, "\\n");
				else
					buf_addc(out, f.raw[k]);
			if (ev == HDR_FIELD)
				buf_printf(out, "|%.*s|%d", (int)f.value_len,
				    f.value, f.flags);
			buf_addc(out, '\n');
		}
		if (i >= len)
			break;
		{
			const char	*nl = memchr(text + i, '\n', len - i);
			size_t		 n = nl ? (size_t)(nl - text) - i + 1 :
			    len - i;

			ok(hdr_scan_push(&sc, text + i, n) == 0 ||
			    sc.final != HDR_MORE, "push accepted");
			i += n;
		}
	}
	if (eof) {
		hdr_scan_eof(&sc);
		while ((ev = hdr_scan_next(&sc, &f)) != HDR_MORE) {
			if (ev == HDR_FIELD)
				buf_printf(out, "F %.*s|eof\n",
				    (int)f.name_len, f.name);
			else
				buf_printf(out, "%s\n", ev == HDR_END ? "E" :
				    "B");
		}
	}
	hdr_scan_free(&sc);
}

static void
test_scanner(void)
{
	static const struct {
		const char	*name;
		const char	*input;
		int		 eof;
		const char	*want;
	} cases[] = {
		{"simple", "Subject: hi\nTo: a@b\n\nbody\n", 0,
		    "F Subject|Subject: hi|hi|0\nF To|To: a@b|a@b|0\nE\n"},
		{"CRLF", "Subject: hi\r\nTo: a@b\r\n\r\n", 0,
		    "F Subject|Subject: hi|hi|0\nF To|To: a@b|a@b|0\nE\n"},
		{"folded", "Subject: a\r\n  b\r\n\tc\r\nX: y\r\n\r\n", 0,
		    "F Subject|Subject: a\\n  b\\n\tc|a  b\tc|0\n"
		    "F X|X: y|y|0\nE\n"},
		/* RFC 5322 A.6.3: a line of only white space continues */
		{"blank continuation", "To    : Mary Smith\n  \n"
		    "          <mary@example.net>\n\n", 0,
		    "F To|To    : Mary Smith\\n  \\n          "
		    "<mary@example.net>|Mary Smith            "
		    "<mary@example.net>|4\nE\n"},
		{"empty value", "X-Empty:\nY:   \n\n", 0,
		    "F X-Empty|X-Empty:||0\nF Y|Y:   ||0\nE\n"},
		{"colon in value", "Date: Wed, 25 Nov 2026 14:43:20 +0000\n\n",
		    0, "F Date|Date: Wed, 25 Nov 2026 14:43:20 +0000|"
		    "Wed, 25 Nov 2026 14:43:20 +0000|0\nE\n"},
		{"no colon", "Subject: x\nthis is body\nmore\n", 0,
		    "F Subject|Subject: x|x|0\nB 1|this is body\n"},
		{"bad name", "Subject: x\nBad Name: y\n", 0,
		    "F Subject|Subject: x|x|0\nB 2|Bad Name: y\n"},
		{"8-bit name", "Sub\xc3\xa9: y\n", 0,
		    "B 2|Sub\xc3\xa9: y\n"},
		{"empty name", ": y\n", 0, "B 2|: y\n"},
		{"mbox From line", "From alice@example.com Wed Nov 25 14:43:20"
		    " 2026\nSubject: x\n", 0,
		    "B 3|From alice@example.com Wed Nov 25 14:43:20 2026\n"},
		{"From: is a header", "From: a@b\n\n", 0,
		    "F From|From: a@b|a@b|0\nE\n"},
		{"leading continuation", " folded first\nSubject: x\n", 0,
		    "B 4| folded first\n"},
		{"8-bit value", "Subject: caf\xc3\xa9\n\n", 0,
		    "F Subject|Subject: caf\xc3\xa9|caf\xc3\xa9|1\nE\n"},
		{"8-bit continuation", "Subject: a\n b\xff\n\n", 0,
		    "F Subject|Subject: a\\n b\xff|a b\xff|1\nE\n"},
		{"eof ends headers", "Subject: x\nTo: y", 1,
		    "F Subject|Subject: x|x|0\nF To|eof\nE\n"},
		{"eof after end", "A: b\n\n", 1, "F A|A: b|b|0\nE\n"},
		{"nothing", "", 1, "E\n"},
		{"only end", "\n", 0, "E\n"},
		{"bare CR line ends", "A: b\r\n\r\n", 0, "F A|A: b|b|0\nE\n"},
	};
	struct buf	 got = BUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		scan(cases[i].input, strlen(cases[i].input), cases[i].eof,
		    &got);
		is_str(buf_cstr(&got), cases[i].want, cases[i].name);
	}
	buf_free(&got);
}

/* test_scanner_nasty - NUL bytes, huge lines and headers, misuse */
static void
test_scanner_nasty(void)
{
	struct hdr_scan		 sc;
	struct hdr_field	 f;
	struct buf		 big = BUF_INIT;
	int			 n;

	/* NUL in a value: kept, flagged, lengths honest. */
	hdr_scan_init(&sc);
	hdr_scan_push(&sc, "X: a\0b\n", 7);
	hdr_scan_push(&sc, "", 0);
	is_int(hdr_scan_push(&sc, "late: x", 7), -1,
	    "push while an event waits");
	is_int(hdr_scan_next(&sc, &f), HDR_FIELD, "NUL: field");
	ok(f.flags & HDR_F_NUL, "NUL: flagged");
	ok(f.value_len == 3 && memcmp(f.value, "a\0b", 3) == 0,
	    "NUL: value kept");
	is_int(hdr_scan_next(&sc, &f), HDR_END, "NUL: end");
	is_int(hdr_scan_next(&sc, &f), HDR_MORE, "nothing after end");
	is_int(hdr_scan_push(&sc, "A: b", 4), -1, "push after end refused");
	hdr_scan_free(&sc);

	/* A NUL in the name makes the line body. */
	hdr_scan_init(&sc);
	hdr_scan_push(&sc, "X\0: a\n", 6);
	is_int(hdr_scan_next(&sc, &f), HDR_BODY, "NUL in name: body");
	is_int(f.bad, HDR_BAD_NAME, "NUL in name: bad name");
	hdr_scan_free(&sc);

	/* A line over line_length_limit is flagged, not refused. */
	buf_adds(&big, "Subject: ");
	for (int i = 0; i < 3000; i++)
		buf_addc(&big, 'x');
	hdr_scan_init(&sc);
	hdr_scan_push(&sc, big.s, big.len);
	hdr_scan_eof(&sc);
	is_int(hdr_scan_next(&sc, &f), HDR_FIELD, "long line: field");
	ok((f.flags & HDR_F_LONGLINE) && !(f.flags & HDR_F_TRUNCATED),
	    "long line: flagged");
	is_int((long long)f.raw_len, (long long)big.len, "long line: kept");
	hdr_scan_free(&sc);

	/* A header over header_size_limit keeps HDR_SIZE_MAX bytes. */
	hdr_scan_init(&sc);
	hdr_scan_push(&sc, "X-Big: start", 12);
	buf_reset(&big);
	buf_addc(&big, ' ');
	for (int i = 0; i < 999; i++)
		buf_addc(&big, 'y');
	for (n = 0; n < 200; n++)
		hdr_scan_push(&sc, big.s, big.len);
	hdr_scan_push(&sc, "\n", 1);
	is_int(hdr_scan_next(&sc, &f), HDR_FIELD, "huge header: field");
	ok(f.flags & HDR_F_TRUNCATED, "huge header: truncated");
	is_int((long long)f.raw_len, HDR_SIZE_MAX, "huge header: capped");
	ok(f.value_len < HDR_SIZE_MAX, "huge header: value capped");
	is_int(hdr_scan_next(&sc, &f), HDR_END, "huge header: end");
	hdr_scan_free(&sc);

	/* A 1 MB field name: capped, no crash, empty value. */
	buf_reset(&big);
	for (int i = 0; i < 1 << 20; i++)
		buf_addc(&big, 'N');
	buf_adds(&big, ": v");
	hdr_scan_init(&sc);
	hdr_scan_push(&sc, big.s, big.len);
	hdr_scan_eof(&sc);
	is_int(hdr_scan_next(&sc, &f), HDR_FIELD, "1 MB name: field");
	ok(f.raw_len == HDR_SIZE_MAX && f.name_len == HDR_SIZE_MAX &&
	    f.value_len == 0, "1 MB name: capped");
	hdr_scan_free(&sc);
	buf_free(&big);
}

/* test_find - names, lookup in a block, values */
static void
test_find(void)
{
	static const char	 blk[] =
	    "Received: from a\r\n\tby b\r\n"
	    "To: one@example.com\r\n"
	    "Subject: first\r\n"
	    "to : two@example.com,\r\n three@example.com\r\n"
	    "\r\n"
	    "To: body@example.com\r\n";
	struct buf		 v = BUF_INIT;
	size_t			 off = 0, len = 0;

	ok(hdr_name_eq("Subject", 7, "subject"), "name_eq ignores case");
	ok(!hdr_name_eq("Subject", 7, "subjec"), "name_eq: longer name");
	ok(!hdr_name_eq("Subj", 4, "subject"), "name_eq: shorter name");
	ok(hdr_name_eq("", 0, ""), "name_eq: empty");

	is_int(hdr_find(blk, sizeof(blk) - 1, "TO", &off, &len), 1,
	    "find first To");
	ok(strncmp(blk + off, "To: one@example.com\r\n", len) == 0 &&
	    len == 21, "first To: span");
	hdr_value(blk + off, len, &v);
	is_str(buf_cstr(&v), "one@example.com", "first To: value");
	off += len;
	is_int(hdr_find(blk, sizeof(blk) - 1, "to", &off, &len), 1,
	    "find second To");
	hdr_value(blk + off, len, &v);
	is_str(buf_cstr(&v), "two@example.com, three@example.com",
	    "second To: folded value");
	off += len;
	is_int(hdr_find(blk, sizeof(blk) - 1, "to", &off, &len), 0,
	    "the body's To is not a header");
	off = 0;
	is_int(hdr_find(blk, sizeof(blk) - 1, "Received", &off, &len), 1,
	    "find Received");
	is_int((long long)len, 25, "Received spans its continuation");
	off = 0;
	is_int(hdr_find(blk, sizeof(blk) - 1, "Cc", &off, &len), 0,
	    "missing header");
	off = 0;
	is_int(hdr_find("junk\nTo: a\n", 11, "To", &off, &len), 0,
	    "stop at a non-header line");
	off = 0;
	is_int(hdr_find("To: a", 5, "To", &off, &len), 1,
	    "last line without LF");
	is_int((long long)len, 5, "last line length");
	hdr_value("no colon", 8, &v);
	is_str(buf_cstr(&v), "", "value without colon");
	buf_free(&v);
}

/*
 * fold_check - hdr_fold() invariants: lines fit unless they hold one
 * word, and unfolding gives the value back.
 */
static void
fold_check(const char *name, const char *value, const char *folded)
{
	struct buf	 v = BUF_INIT, want = BUF_INIT;
	const char	*p = folded;
	size_t		 colon = (size_t)(strchr(folded, ':') - folded);
	int		 fits = 1, first = 1;

	while (*p) {
		const char	*nl = strchr(p, '\n');
		size_t		 n = nl ? (size_t)(nl - p) : strlen(p);
		int		 folds = 0;

		/* Could this line have been folded: WSP after a non-WSP? */
		for (size_t k = 1; k < n; k++)
			if ((p[k] == ' ' || p[k] == '\t') && p[k - 1] != ' ' &&
			    p[k - 1] != '\t' && !(first && k == colon + 1))
				folds++;
		if (n > HDR_FOLD_WIDTH && folds > 0)
			fits = 0;
		p += n + (nl != NULL);
		first = 0;
	}
	ok(fits, "%s: lines fit", name);
	hdr_value(folded, strlen(folded), &v);
	buf_sets(&want, value);
	buf_trim(&want);
	is_str(buf_cstr(&v), buf_cstr(&want), "fold: unfolds back");
	buf_free(&v);
	buf_free(&want);
}

/* golden_fold - run one folding case */
static void
golden_fold(const struct buf *in, const struct buf *want, int lineno)
{
	struct buf	 got = BUF_INIT, name = BUF_INIT;
	const char	*colon = strchr(in->s, ':');
	const char	*value;
	char		 label[80];

	if (colon == NULL) {
		ok(0, "fold golden line %d: no colon", lineno);
		return;
	}
	buf_set(&name, in->s, (size_t)(colon - in->s));
	value = colon[1] == ' ' ? colon + 2 : colon + 1;
	hdr_fold(&got, buf_cstr(&name), value);
	snprintf(label, sizeof(label), "fold case at line %d", lineno);
	is_str(buf_cstr(&got), want->s ? want->s : "", label);
	fold_check(label, value, buf_cstr(&got));
	buf_free(&got);
	buf_free(&name);
}

/* test_fold - the golden file t/data/header-fold.txt, and more */
static void
test_fold(void)
{
	FILE		*f = fopen(GOLDEN, "r");
	char		 line[GOLDEN_LINE_MAX];
	struct buf	 in = BUF_INIT, want = BUF_INIT, got = BUF_INIT;
	int		 lineno = 0, start = 0, cases = 0;

	if (f == NULL) {
		ok(0, "open %s (run from the top directory)", GOLDEN);
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t	 n = strlen(line);

		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if (line[0] == '>') {
			if (in.len) {
				golden_fold(&in, &want, start);
				cases++;
			}
			buf_sets(&in, line + (n > 1 ? 2 : 1));
			buf_reset(&want);
			start = lineno;
		} else if (line[0] == '<') {
			buf_adds(&want, line + (n > 1 ? 2 : 1));
			buf_addc(&want, '\n');
		}
	}
	if (in.len) {
		golden_fold(&in, &want, start);
		cases++;
	}
	fclose(f);
	ok(cases >= 10, "fold golden file has its cases (%d)", cases);

	/* Line breaks in a value cannot start a header of their own. */
	hdr_fold(&got, "Subject", "hi\r\nBcc: victim@example.com");
	is_str(buf_cstr(&got), "Subject: hiBcc: victim@example.com\n",
	    "fold strips line breaks");
	buf_free(&in);
	buf_free(&want);
	buf_free(&got);
}

/* test_2047 - RFC 2047 section 8 examples, and malformed words */
static void
test_2047(void)
{
	static const struct {
		const char	*input;
		const char	*want;
		int		 count;
	} cases[] = {
		/* RFC 2047 8 */
		{"=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>",
		    "Keith Moore <moore@cs.utk.edu>", 1},
		{"=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>",
		    "Keld J\xc3\xb8rn Simonsen <keld@dkuug.dk>", 1},
		{"=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>",
		    "Andr\xc3\xa9 Pirard <PIRARD@vm1.ulg.ac.be>", 1},
		{"=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n"
		    "    =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
		    "If you can read this yo    "
		    "=?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=", 1},
		{"=?ISO-8859-1?Q?Olle_J=E4rnefors?= <ojarnef@admin.kth.se>",
		    "Olle J\xc3\xa4rnefors <ojarnef@admin.kth.se>", 1},
		{"=?ISO-8859-1?Q?Patrik_F=E4ltstr=F6m?= <paf@nada.kth.se>",
		    "Patrik F\xc3\xa4ltstr\xc3\xb6m <paf@nada.kth.se>", 1},
		{"Nathaniel Borenstein <nsb@thumper.bellcore.com>\r\n"
		    "    (=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)",
		    "Nathaniel Borenstein <nsb@thumper.bellcore.com>    "
		    "(=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)", 0},
		{"(=?ISO-8859-1?Q?a?=)", "(a)", 1},
		{"(=?ISO-8859-1?Q?a?= b)", "(a b)", 1},
		{"(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)", 2},
		{"(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)", 2},
		{"(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)", 2},
		{"(=?ISO-8859-1?Q?a_b?=)", "(a b)", 1},
		/* ISO-8859-2 is not decoded: its white space stays */
		{"(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)",
		    "(a =?ISO-8859-2?Q?_b?=)", 1},
		/* UTF-8, RFC 2231 language, lower-case encodings */
		{"=?UTF-8?B?w6lsw6h2ZQ==?=", "\xc3\xa9l\xc3\xa8ve", 1},
		{"=?utf-8?q?=C3=A9?=", "\xc3\xa9", 1},
		{"=?UTF-8*fr?Q?=C3=A9t=C3=A9?=", "\xc3\xa9t\xc3\xa9", 1},
		{"=?UTF-8?B?w6k?=", "\xc3\xa9", 1},
		{"a =?UTF-8?Q?x?= b", "a x b", 1},
		/* malformed or unusable: left as they are */
		{"=?UTF-8?Q?=ZZ?=", "=?UTF-8?Q?=ZZ?=", 0},
		{"=?UTF-8?B?@@@@?=", "=?UTF-8?B?@@@@?=", 0},
		{"=?UTF-8?X?abc?=", "=?UTF-8?X?abc?=", 0},
		{"=?UTF-8?Q?=FF?=", "=?UTF-8?Q?=FF?=", 0},
		{"=?US-ASCII?Q?=E9?=", "=?US-ASCII?Q?=E9?=", 0},
		{"=?UTF-8?Q?abc", "=?UTF-8?Q?abc", 0},
		{"=??Q?abc?=", "=??Q?abc?=", 0},
		{"=?UTF-8?Q?a b?=", "=?UTF-8?Q?a b?=", 0},
		{"x=?UTF-8?Q?a?=", "x=?UTF-8?Q?a?=", 0},
		{"=?UTF-8?Q?a?=x", "=?UTF-8?Q?a?=x", 0},
		/* decoded controls cannot inject lines */
		{"=?UTF-8?Q?a=0D=0AB=00c?=", "a??B?c", 1},
		{"plain text", "plain text", 0},
		{"", "", 0},
	};
	struct buf	 out = BUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char	 name[40];
		int	 n;

		buf_reset(&out);
		n = hdr_decode_2047(cases[i].input, strlen(cases[i].input),
		    &out);
		snprintf(name, sizeof(name), "RFC 2047 case %zu: text", i);
		is_str(buf_cstr(&out), cases[i].want, name);
		snprintf(name, sizeof(name), "RFC 2047 case %zu: count", i);
		is_int(n, cases[i].count, name);
	}
	buf_free(&out);
}

/* test_date - RFC 5322 3.3 date-time */
static void
test_date(void)
{
	static const struct {
		long long	 t;
		int		 tz, rc;
		const char	*want;
	} cases[] = {
		{0, 0, 0, "Thu, 1 Jan 1970 00:00:00 +0000"},
		{1795617800LL, 0, 0, "Wed, 25 Nov 2026 14:43:20 +0000"},
		{1795617800LL, 60, 0, "Wed, 25 Nov 2026 15:43:20 +0100"},
		{1795617800LL, -210, 0, "Wed, 25 Nov 2026 11:13:20 -0330"},
		{1795617800LL, -15 * 60, 0, "Tue, 24 Nov 2026 23:43:20 -1500"},
		{951782400LL, 0, 0, "Tue, 29 Feb 2000 00:00:00 +0000"},
		{-1, 0, 0, "Wed, 31 Dec 1969 23:59:59 +0000"},
		{0, HDR_TZ_MAX, 0, "Mon, 5 Jan 1970 03:59:00 +9959"},
		{0, HDR_TZ_MAX + 1, -1, ""},
		{0, -HDR_TZ_MAX - 1, -1, ""},
	};
	struct buf	 out = BUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&out);
		is_int(hdr_date(&out, (time_t)cases[i].t, cases[i].tz),
		    cases[i].rc, "date rc");
		is_str(buf_cstr(&out), cases[i].want, cases[i].want);
	}
	setenv("TZ", "UTC", 1);
	tzset();
	is_int(hdr_tz_offset(1795617800), 0, "tz offset of UTC");
	setenv("TZ", "EST5", 1);
	tzset();
	is_int(hdr_tz_offset(1795617800), -300, "tz offset of EST5");
	buf_free(&out);
}

int
main(void)
{
	test_scanner();
	test_scanner_nasty();
	test_find();
	test_fold();
	test_2047();
	test_date();
	return tap_done();
}
