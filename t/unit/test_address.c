/* test_address - SMTP paths, ESMTP parameters, address lists, utilities */
#include "address.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tap.h"

#define GOLDEN		"t/data/address-list.txt"
#define GOLDEN_LINE_MAX	4096

/*
 * RFC 5321 paths: the argument after "MAIL FROM:" / "RCPT TO:".
 */
static void
test_path(void)
{
	static const struct {
		const char	*name;
		const char	*input;
		int		 flags;
		enum addr_err	 err;
		const char	*mailbox;	/* NULL: the null path */
		const char	*params;	/* what follows the path */
	} cases[] = {
		/* RFC 5321 4.1.2 grammar */
		{"plain path", "<user@example.com>", 0, ADDR_OK,
		    "user@example.com", ""},
		{"null path", "<>", 0, ADDR_OK, NULL, ""},
		{"null path with params", "<> SIZE=10", 0, ADDR_OK, NULL,
		    "SIZE=10"},
		{"params after path", "<a@b.example> SIZE=123 BODY=8BITMIME",
		    0, ADDR_OK, "a@b.example", "SIZE=123 BODY=8BITMIME"},
		{"space before <", " <a@b.example>", 0, ADDR_OK,
		    "a@b.example", ""},
		{"quoted local part", "<\"john doe\"@example.com>", 0, ADDR_OK,
		    "\"john doe\"@example.com", ""},
		{"quoted pair kept quoted", "<\"a\\\"b\"@x.example>", 0,
		    ADDR_OK, "\"a\\\"b\"@x.example", ""},
		{"needless quotes dropped", "<\"john\"@x.example>", 0, ADDR_OK,
		    "john@x.example", ""},
		{"needless escape dropped", "<\"a\\b\"@x.example>", 0, ADDR_OK,
		    "ab@x.example", ""},
		{"quoted dots stay quoted", "<\"a..b\"@x.example>", 0, ADDR_OK,
		    "\"a..b\"@x.example", ""},
		{"dot-string", "<first.last+tag@sub.example.org>", 0, ADDR_OK,
		    "first.last+tag@sub.example.org", ""},
		{"domain case kept", "<User@Example.COM>", 0, ADDR_OK,
		    "User@Example.COM", ""},
		{"IPv4 literal", "<user@[192.0.2.1]>", 0, ADDR_OK,
		    "user@[192.0.2.1]", ""},
		{"IPv6 literal", "<user@[IPv6:2001:db8::1]>", 0, ADDR_OK,
		    "user@[IPv6:2001:db8::1]", ""},
		{"general literal", "<user@[x-tag:stuff]>", 0, ADDR_OK,
		    "user@[x-tag:stuff]", ""},
		{"bad IPv4 literal", "<user@[192.0.2.300]>", 0,
		    ADDR_ERR_SYNTAX, "", ""},
		{"bad IPv6 literal", "<user@[IPv6:2001:db8:::1]>", 0,
		    ADDR_ERR_SYNTAX, "", ""},
		{"unclosed literal", "<user@[192.0.2.1>", 0, ADDR_ERR_SYNTAX,
		    "", ""},
		/* RFC 5321 4.1.1.3 and C: source routes dropped */
		{"source route", "<@hosta.int,@jkl.org:userc@d.bar.org>", 0,
		    ADDR_OK, "userc@d.bar.org", ""},
		{"one-hop route", "<@a.example:u@c.example>", 0, ADDR_OK,
		    "u@c.example", ""},
		{"route without colon", "<@a.example,u@c.example>", 0,
		    ADDR_ERR_SYNTAX, "", ""},
		{"route without mailbox", "<@a.example:>", 0, ADDR_ERR_SYNTAX,
		    "", ""},
		{"postmaster alone", "<Postmaster>", ADDR_F_RCPT, ADDR_OK,
		    "Postmaster", ""},
		/* strict_rfc821_envelopes=no leniency */
		{"no brackets", "user@example.com", 0, ADDR_OK,
		    "user@example.com", ""},
		{"no brackets, params", "user@example.com SIZE=5", 0, ADDR_OK,
		    "user@example.com", "SIZE=5"},
		{"no brackets, strict", "user@example.com",
		    ADDR_F_STRICT_BRACKETS, ADDR_ERR_SYNTAX, "", ""},
		{"underscore in domain", "<a@my_host.example>", 0, ADDR_OK,
		    "a@my_host.example", ""},
		/* errors */
		{"empty", "", 0, ADDR_ERR_SYNTAX, "", ""},
		{"only spaces", "   ", 0, ADDR_ERR_SYNTAX, "", ""},
		{"lone <", "<", 0, ADDR_ERR_SYNTAX, "", ""},
		{"no closing >", "<a@b.example", 0, ADDR_ERR_SYNTAX, "", ""},
		{"double brackets", "<<a@b.example>>", 0, ADDR_ERR_SYNTAX, "",
		    ""},
		{"junk after >", "<a@b.example>x", 0, ADDR_ERR_SYNTAX, "", ""},
		{"lone @", "<@>", 0, ADDR_ERR_SYNTAX, "", ""},
		{"no domain after @", "<a@>", 0, ADDR_ERR_SYNTAX, "", ""},
		{"no local part", "<@b.example>", 0, ADDR_ERR_SYNTAX, "", ""},
		{"empty label", "<a@b..example>", 0, ADDR_ERR_SYNTAX, "", ""},
		{"trailing dot domain", "<a@b.example.>", 0, ADDR_ERR_SYNTAX,
		    "", ""},
		{"leading hyphen label", "<a@-b.example>", 0, ADDR_ERR_SYNTAX,
		    "", ""},
		{"dot-string double dot", "<a..b@x.example>", 0,
		    ADDR_ERR_SYNTAX, "", ""},
		{"space in local part", "<a b@x.example>", 0, ADDR_ERR_SYNTAX,
		    "", ""},
		{"unterminated quote", "<\"abc@x.example>", 0, ADDR_ERR_SYNTAX,
		    "", ""},
		{"control char", "<a\001b@x.example>", 0, ADDR_ERR_SYNTAX, "",
		    ""},
		{"tab in quotes", "<\"a\tb\"@x.example>", 0, ADDR_ERR_SYNTAX,
		    "", ""},
		{"DEL", "<a\177@x.example>", 0, ADDR_ERR_SYNTAX, "", ""},
		{"two addresses", "<a@b.example> <c@d.example>", 0, ADDR_OK,
		    "a@b.example", "<c@d.example>"},
		/* RFC 6531: UTF-8 only with SMTPUTF8 */
		{"utf8 without SMTPUTF8", "<j\xc3\xb6ran@example.com>", 0,
		    ADDR_ERR_UTF8, "", ""},
		{"utf8 with SMTPUTF8",
		    "<j\xc3\xb6ran@b\xc3\xbc" "cher.example>",
		    ADDR_F_SMTPUTF8, ADDR_OK,
		    "j\xc3\xb6ran@b\xc3\xbc" "cher.example", ""},
		{"utf8 quoted", "<\"j\xc3\xb6 r\"@x.example>", ADDR_F_SMTPUTF8,
		    ADDR_OK, "\"j\xc3\xb6 r\"@x.example", ""},
		{"invalid utf8", "<j\xc3(@x.example>", ADDR_F_SMTPUTF8,
		    ADDR_ERR_SYNTAX, "", ""},
		{"overlong utf8", "<\xc0\xaf@x.example>", ADDR_F_SMTPUTF8,
		    ADDR_ERR_SYNTAX, "", ""},
		{"surrogate utf8", "<\xed\xa0\x80@x.example>",
		    ADDR_F_SMTPUTF8, ADDR_ERR_SYNTAX, "", ""},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct addr_path	 p;
		enum addr_err		 err;
		size_t			 len = strlen(cases[i].input);
		char			 name[200];

		addr_path_init(&p);
		err = addr_parse_path(cases[i].input, len, cases[i].flags, &p);
		snprintf(name, sizeof(name), "path %s: result",
		    cases[i].name);
		is_int(err, cases[i].err, name);
		if (cases[i].err != ADDR_OK) {
			snprintf(name, sizeof(name), "path %s: reply",
			    cases[i].name);
			ok(p.code >= 500 && p.text != NULL &&
			    p.mailbox.len == 0, "%s", name);
			addr_path_free(&p);
			continue;
		}
		snprintf(name, sizeof(name), "path %s: mailbox",
		    cases[i].name);
		if (cases[i].mailbox == NULL)
			ok(p.null && p.mailbox.len == 0, "%s", name);
		else
			is_str(buf_cstr(&p.mailbox), cases[i].mailbox, name);
		snprintf(name, sizeof(name), "path %s: params",
		    cases[i].name);
		is_str(cases[i].input + p.params, cases[i].params, name);
		addr_path_free(&p);
	}
}

/* test_path_replies - the reply codes and texts an SMTP server sends */
static void
test_path_replies(void)
{
	struct addr_path	 p;
	struct buf		 big = BUF_INIT;

	addr_path_init(&p);
	addr_parse_path("<a b>", 5, 0, &p);
	is_int(p.code, 501, "syntax: 501");
	is_str(p.text, "5.1.7 Bad sender address syntax", "MAIL text");
	addr_parse_path("<a b>", 5, ADDR_F_RCPT, &p);
	is_str(p.text, "5.1.3 Bad recipient address syntax", "RCPT text");
	addr_parse_path("<\xc3\xa9@x>", 6, ADDR_F_RCPT, &p);
	is_int(p.code, 553, "UTF-8 without SMTPUTF8: 553");
	ok(strncmp(p.text, "5.6.7 ", 6) == 0, "UTF-8 without SMTPUTF8: 5.6.7");

	/* NUL inside the argument: refused, never read past. */
	addr_parse_path("<a\0b@x.example>", 15, 0, &p);
	is_int(p.err, ADDR_ERR_SYNTAX, "NUL in local part");
	addr_parse_path("<ab@x.example>\0", 15, 0, &p);
	is_int(p.err, ADDR_ERR_SYNTAX, "NUL after path");

	/* Lengths: 2000 bytes is too long; ADDR_MAX exactly is fine. */
	buf_adds(&big, "<");
	for (int i = 0; i < 2000; i++)
		buf_addc(&big, 'a');
	buf_adds(&big, "@example.com>");
	addr_parse_path(big.s, big.len, 0, &p);
	is_int(p.err, ADDR_ERR_TOOLONG, "2000-byte address: too long");
	is_int(p.code, 501, "too long: 501");
	is_str(p.text, "5.1.7 Path too long", "too long: text");
	buf_reset(&big);
	buf_adds(&big, "<");
	for (int i = 0; i < ADDR_MAX - 12; i++)
		buf_addc(&big, 'a');
	buf_adds(&big, "@example.com> SIZE=1");
	addr_parse_path(big.s, big.len, 0, &p);
	is_int(p.err, ADDR_OK, "ADDR_MAX-byte address accepted");
	is_int((long long)p.mailbox.len, ADDR_MAX, "ADDR_MAX-byte mailbox");
	is_str(big.s + p.params, "SIZE=1", "params after a long path");
	addr_parse_path(big.s, big.len, ADDR_F_STRICT_LENGTH, &p);
	is_int(p.err, ADDR_ERR_TOOLONG, "strict: local part over 64");
	addr_parse_path("<u@x.example>", 13, ADDR_F_STRICT_LENGTH, &p);
	is_int(p.err, ADDR_OK, "strict: short path is fine");

	/* A huge line of garbage is examined only up to the window. */
	buf_reset(&big);
	buf_addc(&big, '<');
	for (int i = 0; i < 1000000; i++)
		buf_addc(&big, 'x');
	addr_parse_path(big.s, big.len, 0, &p);
	is_int(p.err, ADDR_ERR_TOOLONG, "1 MB argument: too long");
	addr_path_free(&p);
	buf_free(&big);
}

/* test_params - RFC 5321 4.1.2 esmtp parameters */
static void
test_params(void)
{
	struct addr_params	 ps = { .n = 0 };
	static const struct {
		const char	*name;
		const char	*input;
		int		 rc;
		size_t		 n;
	} cases[] = {
		{"empty", "", 0, 0},
		{"spaces only", "   ", 0, 0},
		{"two", "SIZE=123 BODY=8BITMIME", 0, 2},
		{"no value", "SMTPUTF8", 0, 1},
		{"extra spaces", "  SIZE=1   RET=HDRS  ", 0, 2},
		{"empty value", "SIZE=", -1, 0},
		{"bad keyword", "-SIZE=1", -1, 0},
		{"'=' in value", "A=b=c", -1, 0},
		{"control in value", "A=b\001", -1, 0},
		{"junk after keyword", "SI.ZE=1", -1, 0},
		{"too many", "A B C D E F G H I J K L M N O P Q", -1, 0},
		{"max", "A B C D E F G H I J K L M N O P", 0, 16},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char	 name[200];
		int	 rc;

		rc = addr_parse_params(cases[i].input, strlen(cases[i].input),
		    &ps);
		snprintf(name, sizeof(name), "params %s: result",
		    cases[i].name);
		is_int(rc, cases[i].rc, name);
		snprintf(name, sizeof(name), "params %s: count",
		    cases[i].name);
		is_int((long long)ps.n, (long long)cases[i].n, name);
	}
	{
		static const char	 many[] = "size=10 "
		    "NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a+2Bb@x.example "
		    "SMTPUTF8";

		is_int(addr_parse_params(many, sizeof(many) - 1, &ps), 0,
		    "four parameters");
	}
	is_str(addr_param_get(&ps, "SIZE"), "10", "get is case-blind");
	is_str(addr_param_get(&ps, "notify"), "SUCCESS,FAILURE", "NOTIFY");
	is_str(addr_param_get(&ps, "ORCPT"), "rfc822;a+2Bb@x.example",
	    "ORCPT raw");
	is_str(addr_param_get(&ps, "SMTPUTF8"), "", "keyword without value");
	ok(addr_param_get(&ps, "ENVID") == NULL, "absent keyword");
	addr_params_free(&ps);
}

/* test_xtext - RFC 3461 4 xtext */
static void
test_xtext(void)
{
	static const struct {
		const char	*input;
		int		 rc;
		const char	*want;
	} cases[] = {
		{"rfc822;a+2Bb@x.example", 0, "rfc822;a+b@x.example"},
		{"plain", 0, "plain"},
		{"+3D+20", 0, "= "},
		{"lower+2b", 0, "lower+"},
		{"", 0, ""},
		{"bad+2", -1, NULL},
		{"bad+ZZ", -1, NULL},
		{"a=b", -1, NULL},
		{"a b", -1, NULL},
	};
	struct buf	 out = BUF_INIT, back = BUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int	 rc;

		rc = addr_xtext_decode(cases[i].input, strlen(cases[i].input),
		    &out);
		is_int(rc, cases[i].rc, cases[i].input);
		if (rc == 0)
			is_str(buf_cstr(&out), cases[i].want, cases[i].input);
	}
	buf_reset(&out);
	addr_xtext_encode("a+b=c d\xc3\xa9", 9, &out);
	is_str(buf_cstr(&out), "a+2Bb+3Dc+20d+C3+A9", "xtext encode");
	is_int(addr_xtext_decode(out.s, out.len, &back), 0, "round trip");
	ok(back.len == 9 && memcmp(back.s, "a+b=c d\xc3\xa9", 9) == 0,
	    "round trip bytes");
	buf_free(&out);
	buf_free(&back);
}

/* test_utils - split, domain case, fqdn, literal, quoting, extensions */
static void
test_utils(void)
{
	static const struct {
		const char	*addr;
		int		 found;
		size_t		 at;
	} splits[] = {
		{"user@example.com", 1, 4},
		{"\"a@b\"@example.com", 1, 5},
		{"a@b@c", 1, 3},
		{"\"a\\\"@b\"", 0, 0},
		{"nodomain", 0, 0},
		{"", 0, 0},
	};
	static const struct {
		const char	*domain;
		int		 fqdn, literal;
	} domains[] = {
		{"example.com", 1, 0},
		{"localhost", 0, 0},
		{"", 0, 0},
		{"example.", 0, 0},
		{".com", 0, 0},
		{"a..b", 0, 0},
		{"[192.0.2.1]", 1, 1},
		{"[IPv6:::1]", 1, 1},
		{"[]", 0, 0},
	};
	static const struct {
		const char	*internal, *external;
	} quotes[] = {
		{"user@example.com", "user@example.com"},
		{"john doe@example.com", "\"john doe\"@example.com"},
		{"a\"b@x", "\"a\\\"b\"@x"},
		{"a\\b@x", "\"a\\\\b\"@x"},
		{".dot@x", "\".dot\"@x"},
		{"a..b@x", "\"a..b\"@x"},
		{"a@b@x", "\"a@b\"@x"},
		{"root", "root"},
		{"", ""},
		{"@x", "\"\"@x"},
	};
	static const struct {
		const char	*local, *delims, *user, *ext;
		int		 rc;
	} exts[] = {
		{"user+ext", "+", "user", "ext", '+'},
		{"user+a+b", "+", "user", "a+b", '+'},
		{"user-ext", "+-", "user", "ext", '-'},
		{"user", "+", "user", "", 0},
		{"+ext", "+", "+ext", "", 0},
		{"user+", "+", "user", "", '+'},
		{"user+ext", "", "user+ext", "", 0},
		{"postmaster+x", "+", "postmaster", "x", '+'},
		{"Postmaster", "+", "Postmaster", "", 0},
		{"owner-list", "-", "owner-list", "", 0},
		{"list-request", "-", "list-request", "", 0},
		{"owner-list", "+", "owner-list", "", 0},
		{"a-request+x", "+", "a-request", "x", '+'},
	};
	struct buf	 b = BUF_INIT, u = BUF_INIT, e = BUF_INIT;

	for (size_t i = 0; i < sizeof(splits) / sizeof(splits[0]); i++) {
		size_t	 at = 0;
		int	 found;

		found = addr_split(splits[i].addr, strlen(splits[i].addr), &at);
		is_int(found, splits[i].found, splits[i].addr);
		if (found)
			is_int((long long)at, (long long)splits[i].at,
			    splits[i].addr);
	}
	for (size_t i = 0; i < sizeof(domains) / sizeof(domains[0]); i++) {
		is_int(addr_is_fqdn(domains[i].domain), domains[i].fqdn,
		    domains[i].domain);
		is_int(addr_is_literal(domains[i].domain), domains[i].literal,
		    domains[i].domain);
	}
	for (size_t i = 0; i < sizeof(quotes) / sizeof(quotes[0]); i++) {
		is_int(addr_quote(quotes[i].internal, &b), 0, "quote rc");
		is_str(buf_cstr(&b), quotes[i].external, quotes[i].internal);
		is_int(addr_unquote(quotes[i].external, &b), 0, "unquote rc");
		is_str(buf_cstr(&b), quotes[i].internal, quotes[i].external);
	}
	is_int(addr_unquote("\"open@x", &b), -1, "unquote unterminated");
	is_int(addr_unquote("trail\\", &b), -1, "unquote trailing \\");
	buf_reset(&b);
	is_int(addr_quote_local("a\nb", 3, &b), -1, "LF cannot be quoted");
	is_int((long long)b.len, 0, "nothing appended on failure");

	buf_sets(&b, "\"Mixed@Case\"@ExAmple.COM");
	addr_lower_domain(&b);
	is_str(buf_cstr(&b), "\"Mixed@Case\"@example.com", "lower domain");
	buf_sets(&b, "NoDomain");
	addr_lower_domain(&b);
	is_str(buf_cstr(&b), "NoDomain", "lower domain: none");

	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		char	 name[200];

		snprintf(name, sizeof(name), "extension %s / '%s'",
		    exts[i].local, exts[i].delims);
		is_int(addr_split_extension(exts[i].local, exts[i].delims, &u,
		    &e), exts[i].rc, name);
		is_str(buf_cstr(&u), exts[i].user, name);
		is_str(buf_cstr(&e), exts[i].ext, name);
	}
	buf_free(&b);
	buf_free(&u);
	buf_free(&e);
}

/* put_value - append a value for the golden format: \n for line breaks */
static void
put_value(struct buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			buf_adds(out, "\\n");
		else if (*s != '\r')
			buf_addc(out, *s);
	}
}

/* render - one golden output line per item */
static void
render(const struct addr_list *l, struct buf *out)
{
	buf_reset(out);
	for (size_t i = 0; i < l->n; i++) {
		const struct addr_item	*it = &l->v[i];

		if (it->bad) {
			buf_adds(out, "! raw=\"");
			put_value(out, it->raw);
			buf_adds(out, "\"");
		} else if (it->addr) {
			buf_printf(out, "= <%s>", it->addr);
		} else {
			buf_adds(out, "=");
		}
		if (it->name) {
			buf_adds(out, " name=\"");
			put_value(out, it->name);
			buf_adds(out, "\"");
		}
		if (it->group)
			buf_printf(out, " group=\"%s\"", it->group);
		buf_addc(out, '\n');
	}
}

/* golden_case - parse one case's header and compare with what is wanted */
static void
golden_case(const struct buf *hdr, const struct buf *want, int lineno)
{
	struct addr_list	 l;
	struct buf		 got = BUF_INIT;
	const char		*colon;
	size_t			 nbad = 0;
	char			 name[120];

	if (hdr->len == 0)
		return;
	colon = memchr(hdr->s, ':', hdr->len);
	if (colon == NULL) {
		ok(0, "golden line %d: no header name", lineno);
		return;
	}
	colon++;
	addr_list_init(&l);
	addr_parse_list(colon, hdr->len - (size_t)(colon - hdr->s), &l);
	render(&l, &got);
	snprintf(name, sizeof(name), "golden case at line %d", lineno);
	is_str(buf_cstr(&got), want->s ? want->s : "", name);
	for (size_t i = 0; i < l.n; i++)
		nbad += (size_t)l.v[i].bad;
	snprintf(name, sizeof(name), "golden case at line %d: nbad", lineno);
	is_int((long long)l.nbad, (long long)nbad, name);
	addr_list_free(&l);
	buf_free(&got);
}

/* test_golden - the RFC examples in t/data/address-list.txt */
static void
test_golden(void)
{
	FILE		*f = fopen(GOLDEN, "r");
	char		 line[GOLDEN_LINE_MAX];
	struct buf	 hdr = BUF_INIT, want = BUF_INIT;
	int		 lineno = 0, start = 0, in_want = 0, cases = 0;

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
			if (in_want) {
				golden_case(&hdr, &want, start);
				cases++;
				buf_reset(&hdr);
				buf_reset(&want);
				in_want = 0;
			}
			if (hdr.len == 0)
				start = lineno;
			else
				buf_addc(&hdr, '\n');
			buf_adds(&hdr, line + (n > 1 ? 2 : 1));
		} else {
			in_want = 1;
			buf_adds(&want, line);
			buf_addc(&want, '\n');
		}
	}
	if (hdr.len) {
		golden_case(&hdr, &want, start);
		cases++;
	}
	fclose(f);
	ok(cases >= 30, "golden file has its cases (%d)", cases);
	buf_free(&hdr);
	buf_free(&want);
}

/* test_list_nasty - inputs built to hurt */
static void
test_list_nasty(void)
{
	struct addr_list	 l;
	struct buf		 b = BUF_INIT;
	size_t			 nbad;

	addr_list_init(&l);
	is_int((long long)addr_parse_list("", 0, &l), 0, "empty list");
	is_int((long long)l.n, 0, "empty list: no items");
	is_int((long long)addr_parse_list("   \t  ", 6, &l), 0, "blanks");
	is_int((long long)l.n, 0, "blanks: no items");
	is_int((long long)addr_parse_list(" , ,, ", 6, &l), 0, "commas");
	is_int((long long)l.n, 0, "commas: no items");

	/* NUL in the middle: that item is bad, the next one survives. */
	nbad = addr_parse_list("a\0b@x.test, c@y.test", 20, &l);
	is_int((long long)nbad, 1, "NUL: one bad item");
	ok(l.n == 2 && l.v[0].bad && l.v[1].addr &&
	    strcmp(l.v[1].addr, "c@y.test") == 0, "NUL: good item kept");
	addr_list_free(&l);

	/* Deeply nested comments: no recursion, capped depth. */
	for (int i = 0; i < 100000; i++)
		buf_addc(&b, '(');
	for (int i = 0; i < 100000; i++)
		buf_addc(&b, ')');
	buf_adds(&b, " ok@x.test");
	nbad = addr_parse_list(b.s, b.len, &l);
	ok(nbad == 1 && l.n == 1 && l.v[0].bad,
	    "100000 nested comments: one bad item");
	addr_list_free(&l);

	buf_reset(&b);
	for (int i = 0; i < ADDR_COMMENT_DEPTH_MAX; i++)
		buf_addc(&b, '(');
	for (int i = 0; i < ADDR_COMMENT_DEPTH_MAX; i++)
		buf_addc(&b, ')');
	buf_adds(&b, " ok@x.test");
	nbad = addr_parse_list(b.s, b.len, &l);
	ok(nbad == 0 && l.n == 1 && strcmp(l.v[0].addr, "ok@x.test") == 0,
	    "comments nested to the cap are fine");
	addr_list_free(&l);

	buf_reset(&b);
	buf_adds(&b, "x@y.test (");
	for (int i = 0; i < 1000; i++)
		buf_adds(&b, "((");
	buf_adds(&b, "\\)");
	addr_parse_list(b.s, b.len, &l);
	ok(l.n == 1 && l.v[0].bad, "unbalanced deep comment: bad item");
	addr_list_free(&l);

	/* A 2000-byte address is bad; its neighbour is not. */
	buf_reset(&b);
	for (int i = 0; i < 2000; i++)
		buf_addc(&b, 'a');
	buf_adds(&b, "@x.test, ok@x.test");
	nbad = addr_parse_list(b.s, b.len, &l);
	ok(nbad == 1 && l.n == 2 && l.v[0].bad &&
	    strlen(l.v[0].raw) == ADDR_MAX, "2000-byte address: bad, capped");
	ok(l.v[1].addr && strcmp(l.v[1].addr, "ok@x.test") == 0,
	    "2000-byte address: neighbour kept");
	addr_list_free(&l);

	/* More items than the cap: truncated and reported. */
	buf_reset(&b);
	for (int i = 0; i < ADDR_LIST_ITEMS_MAX + 5; i++)
		buf_adds(&b, "a@b,");
	nbad = addr_parse_list(b.s, b.len, &l);
	is_int((long long)l.n, ADDR_LIST_ITEMS_MAX, "item cap");
	is_int((long long)nbad, 1, "item cap reported");
	addr_list_free(&l);

	/* Appending to a list counts only the new bad items. */
	addr_parse_list("bad bad, a@b", 12, &l);
	nbad = addr_parse_list("c@d", 3, &l);
	ok(nbad == 0 && l.nbad == 1 && l.n == 3, "append: counts");
	addr_list_free(&l);

	/* Every prefix of an awkward value parses without harm. */
	{
		static const char	 tricky[] =
		    "\"A \\\"q\\\" (x)\" <@r.test,@s.test:u.v@[1.2.3.4]>, "
		    "G: (c (d) e) a . b @ c . d, <x@y>;, \"z\" ";

		for (size_t n = 0; n <= sizeof(tricky) - 1; n++) {
			addr_parse_list(tricky, n, &l);
			for (size_t i = 0; i < l.n; i++)
				if (!l.v[i].bad && l.v[i].addr &&
				    strlen(l.v[i].addr) == 0)
					ok(0, "prefix %zu: empty addr", n);
			addr_list_free(&l);
		}
		addr_parse_list(tricky, sizeof(tricky) - 1, &l);
		ok(l.n == 4 && !l.v[0].bad && strcmp(l.v[0].addr,
		    "u.v@[1.2.3.4]") == 0 && strcmp(l.v[0].name,
		    "A \"q\" (x)") == 0, "tricky: first item");
		ok(!l.v[1].bad && strcmp(l.v[1].addr, "a.b@c.d") == 0 &&
		    strcmp(l.v[1].group, "G") == 0, "tricky: obs-local-part");
		ok(l.n == 4 && !l.v[3].bad && strcmp(l.v[3].addr, "z") == 0,
		    "tricky: lone quoted word is a local part");
		addr_list_free(&l);
	}
	buf_free(&b);
}

/* A recipient's local part is only ever a mailbox name. */
static void
test_mailbox_names(void)
{
	static const struct {
		const char	*addr;
		int		 want;
	} cases[] = {
		{"bob@example.org", 1},
		{"bob", 1},
		{"postmaster", 1},
		{"bob.smith+tag@example.org", 1},
		{"\"john doe\"@example.org", 1},
		{"a-b@example.org", 1},
		{"\"|touch x\"@mx.example", 0},
		{"|id@mx.example", 0},
		{"\"x|y\"@mx.example", 0},
		{"\"/etc/passwd\"@mx.example", 0},
		{"a/b@mx.example", 0},
		{"\"-oQ/tmp\"@mx.example", 0},
		{"-x@mx.example", 0},
		{"\".forward\"@mx.example", 0},
		{"\"a\\\001b\"@mx.example", 0},
		{"\"a\tb\"@mx.example", 0},
		{"\"a\x7f\"@mx.example", 0},
		{"@mx.example", 0},
		{"\"\"@mx.example", 0},
		{"\"|x@y\"@mx.example", 0},	/* the last @ outside quotes */
		{"\"unbalanced@mx.example", 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(addr_rcpt_ok(cases[i].addr), cases[i].want,
		    cases[i].addr);
	is_int(addr_mailbox_name_ok("bob", 3), 1, "bob is a name");
	is_int(addr_mailbox_name_ok("|bob", 4), 0, "|bob is not");
	is_int(addr_mailbox_name_ok("bob\0x", 5), 0, "a NUL is not");
	is_int(addr_mailbox_name_ok("", 0), 0, "empty is not");
}

int
main(void)
{
	test_path();
	test_path_replies();
	test_params();
	test_xtext();
	test_utils();
	test_golden();
	test_list_nasty();
	test_mailbox_names();
	return tap_done();
}
