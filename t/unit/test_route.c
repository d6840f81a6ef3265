/* test_route - the resolver engine: pure helpers, then whole answers */
#include "route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "tap.h"

static void
test_parse_transport(void)
{
	static const struct {
		const char	*in, *tr, *nh;
	} cases[] = {
		{"smtp:[127.0.0.1]:2526", "smtp", "[127.0.0.1]:2526"},
		{"local:", "local", ""},
		{":[mx.example]", "", "[mx.example]"},
		{":", "", ""},
		{"SMTP:Host.Example", "smtp", "Host.Example"},
		{"error:5.1.1 no: such user", "error", "5.1.1 no: such user"},
		{"discard", "discard", ""},
		{" relay : [gw] ", "relay", "[gw]"},
		{"", "", ""},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf	 tr = BUF_INIT, nh = BUF_INIT;
		char		 name[128];

		route_parse_transport(cases[i].in, &tr, &nh);
		snprintf(name, sizeof(name), "transport of \"%s\"",
		    cases[i].in);
		is_str(buf_cstr(&tr), cases[i].tr, name);
		snprintf(name, sizeof(name), "nexthop of \"%s\"", cases[i].in);
		is_str(buf_cstr(&nh), cases[i].nh, name);
		buf_free(&tr);
		buf_free(&nh);
	}
}

static void
test_domain(void)
{
	static const struct {
		const char	*in, *want;
		int		 rc;
	} cases[] = {
		{"Example.COM.", "example.com", 0},
		{"example.com", "example.com", 0},
		{"example.com..", "example.com.", 0},
		{".", "", -1},
		{"", "", -1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf	 d = BUF_INIT;
		char		 name[128];
		int		 rc;

		buf_sets(&d, cases[i].in);
		rc = route_domain_norm(&d);
		snprintf(name, sizeof(name), "domain \"%s\"", cases[i].in);
		is_int(rc, cases[i].rc, name);
		if (rc == 0)
			is_str(buf_cstr(&d), cases[i].want, name);
		buf_free(&d);
	}
}

static void
test_literal(void)
{
	static const struct {
		const char	*in;
		int		 rc, af;
		unsigned char	 first, last;
	} cases[] = {
		{"[127.0.0.1]", 1, AF_INET, 127, 0},
		{"[192.0.2.7]", 1, AF_INET, 192, 0},
		{"[IPv6:::1]", 1, AF_INET6, 0, 1},
		{"[ipv6:2001:db8::2]", 1, AF_INET6, 0x20, 2},
		{"[::1]", 1, AF_INET6, 0, 1},
		{"[IPv6:1.2.3.4]", 0, 0, 0, 0},
		{"[300.1.1.1]", 0, 0, 0, 0},
		{"[]", 0, 0, 0, 0},
		{"127.0.0.1", 0, 0, 0, 0},
		{"[example.com]", 0, 0, 0, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char	 b[16];
		int		 af = 0, rc;
		char		 name[128];

		rc = route_literal_ip(cases[i].in, &af, b);
		snprintf(name, sizeof(name), "literal %s", cases[i].in);
		is_int(rc, cases[i].rc, name);
		if (rc == 1)
			ok(af == cases[i].af && b[0] == cases[i].first &&
			    (af == AF_INET || b[15] == cases[i].last),
			    "%s: family and bytes", cases[i].in);
	}
}

static void
test_format(void)
{
	struct route_result	 r;
	struct buf		 out = BUF_INIT;
	char			 nh[] = "5.1.3 bad\ttext", rc[] = "x\ny";

	r.kind = ROUTE_SMTP;
	r.nexthop = (char *)"[127.0.0.1]:2526";
	r.recipient = (char *)"a@b";
	route_format(&out, "A@B", 3, &r);
	is_str(buf_cstr(&out), "A@B\tsmtp\t[127.0.0.1]:2526\ta@b\n",
	    "smtp line");
	buf_reset(&out);
	r.kind = ROUTE_ERROR;
	r.nexthop = nh;
	r.recipient = rc;
	route_format(&out, "q\tx", 3, &r);
	is_str(buf_cstr(&out), "q?x\terror\t5.1.3 bad?text\tx?y\n",
	    "control characters never break the line");
	buf_reset(&out);
	r.kind = ROUTE_LOCAL;
	r.nexthop = (char *)"";
	r.recipient = (char *)"root";
	route_format(&out, "", 0, &r);
	is_str(buf_cstr(&out), "-\tlocal\t-\troot\n", "empty fields are -");
	{
		size_t	 big = 3 * ROUTE_ANSWER_MAX;
		char	*huge = malloc(big + 1);

		memset(huge, 'x', big);
		huge[big] = '\0';
		r.nexthop = huge;
		r.recipient = huge;
		buf_reset(&out);
		route_format(&out, huge, big, &r);
		ok(out.len <= ROUTE_ANSWER_MAX && out.s[out.len - 1] == '\n',
		    "an answer line never exceeds ROUTE_ANSWER_MAX");
		free(huge);
	}
	r.kind = ROUTE_PIPE;
	r.origin = ROUTE_FROM_FORWARD;
	r.nexthop = (char *)"bob";
	r.recipient = (char *)"/usr/bin/vacation bob";
	buf_reset(&out);
	route_format(&out, "bob", 3, &r);
	is_str(buf_cstr(&out), "bob\tpipe\tbob\t|/usr/bin/vacation bob\n",
	    "a command is shown with its |");
	buf_reset(&out);
	route_format_typed(&out, "bob", 3, &r);
	is_str(buf_cstr(&out), "bob\tcommand\tbob\t/usr/bin/vacation bob\t"
	    "forward\n", "typed: the kind and origin are fields, no |");
	r.kind = ROUTE_MAILDIR;
	r.origin = ROUTE_FROM_ALIAS;
	r.recipient = (char *)"/var/box/";
	buf_reset(&out);
	route_format(&out, "b", 1, &r);
	is_str(buf_cstr(&out), "b\tfile\tbob\t/var/box/\n",
	    "a Maildir is a file to users");
	buf_reset(&out);
	route_format_typed(&out, "b", 1, &r);
	is_str(buf_cstr(&out), "b\tmaildir\tbob\t/var/box/\talias\n",
	    "typed: maildir");
	buf_free(&out);
	is_str(route_kind_name(ROUTE_DEFER), "defer", "kind name defer");
	is_str(route_kind_name(ROUTE_PIPE), "pipe", "kind name pipe");
}

/* The words of the typed protocol read back into what they name. */
static void
test_words(void)
{
	static const char *const bad[] = {
		"pipe", "local", "Mailbox", "", "command ", "|", "/",
	};
	enum route_kind		 k;
	enum route_origin	 o;

	for (int i = ROUTE_LOCAL; i <= ROUTE_MAILDIR; i++)
		ok(route_kind_parse(route_kind_word((enum route_kind)i),
		    &k) == 0 && (int)k == i, "kind %s reads back",
		    route_kind_word((enum route_kind)i));
	for (int i = ROUTE_FROM_RECIPIENT; i <= ROUTE_FROM_INCLUDE; i++)
		ok(route_origin_parse(route_origin_name((enum route_origin)i),
		    &o) == 0 && (int)o == i, "origin %s reads back",
		    route_origin_name((enum route_origin)i));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_int(route_kind_parse(bad[i], &k), -1, "no such kind");
		is_int(route_origin_parse(bad[i], &o), -1, "no such origin");
	}
}

/* answer - resolve query with the loaded configuration, lines joined */
static enum route_status
answer(struct route_engine *e, const char *query, struct buf *out)
{
	struct route_answer	 ans;
	enum route_status	 st;

	route_answer_init(&ans);
	buf_reset(out);
	st = route_resolve(e, query, strlen(query), &ans);
	for (size_t i = 0; i < ans.n; i++)
		route_format(out, query, strlen(query), &ans.v[i]);
	route_answer_free(&ans);
	return st;
}

/* The engine, on tables that need no files (inline:, static:). */
static const char config[] =
    "myhostname = mx.example.test\n"
    "mydomain = example.test\n"
    "mydestination = $myhostname, localhost, .sub.example.test, "
    "!bad.local.test, .local.test, inline:{ listed.test = x }\n"
    "recipient_delimiter = +\n"
    "default_privs = daemon\n"
    "local_recipient_maps = inline:{ known = x, c = x, self = x, "
    "@catchall.local.test = x }\n"
    "transport_maps = inline:{ fixed.test = smtp:[192.0.2.1]:2526, "
    "{ err.test = error:no way }, null.test = discard:, "
    "{ bob@user.test = :[192.0.2.9] }, odd.test = lmtp:x, "
    "{ down.test = retry:5.4.4 down for a bit } }\n"
    "alias_maps = inline:{ {team = root, known}, {root = root, known}, "
    "{a = b}, {b = a, known}, {c = c+x}, {prog = |/bin/prog arg}, "
    "{log = /var/log/x}, {away = far@remote.test}, {none = ,}, "
    "{self = \\self}, {dup = known, known, root, root}, "
    "{box = /var/spool/box/}, {quoted = \"|x\"@localhost}, "
    "{qfile = \"/etc/x\"@localhost} }\n";

static void
test_engine(void)
{
	static const struct {
		const char	*query;
		const char	*want;
		enum route_status st;
	} cases[] = {
		{"root", "root\tlocal\t-\troot\n"
		    "root\tlocal\t-\tknown\n", ROUTE_RESOLVED},
		{"known@mx.example.test",
		    "known@mx.example.test\tlocal\t-\tknown\n", ROUTE_RESOLVED},
		{"Known+Tag@LOCALHOST.",
		    "Known+Tag@LOCALHOST.\tlocal\t-\tknown\n", ROUTE_RESOLVED},
		{"nobody-at-all@localhost",
		    "nobody-at-all@localhost\terror\t5.1.1 "
		    "<nobody-at-all@localhost>: User unknown in local "
		    "recipient table\tnobody-at-all@localhost\n",
		    ROUTE_RESOLVED},
		{"x@catchall.local.test",
		    "x@catchall.local.test\tlocal\t-\tx\n", ROUTE_RESOLVED},
		{"known@a.sub.example.test",
		    "known@a.sub.example.test\tlocal\t-\tknown\n",
		    ROUTE_RESOLVED},
		{"known@sub.example.test",
		    "known@sub.example.test\tsmtp\tsub.example.test\t"
		    "known@sub.example.test\n", ROUTE_RESOLVED},
		{"known@bad.local.test",
		    "known@bad.local.test\tsmtp\tbad.local.test\t"
		    "known@bad.local.test\n", ROUTE_RESOLVED},
		{"known@listed.test", "known@listed.test\tlocal\t-\tknown\n",
		    ROUTE_RESOLVED},
		{"team", "team\tlocal\t-\troot\nteam\tlocal\t-\tknown\n",
		    ROUTE_RESOLVED},
		{"a", "a\terror\t5.4.6 alias database loop for a\t"
		    "a@mx.example.test\na\tlocal\t-\tknown\n", ROUTE_RESOLVED},
		{"c", "c\tlocal\t-\tc\n", ROUTE_RESOLVED},
		{"prog", "prog\tpipe\tdaemon\t|/bin/prog arg\n",
		    ROUTE_RESOLVED},
		{"log", "log\tfile\tdaemon\t/var/log/x\n", ROUTE_RESOLVED},
		{"away", "away\tsmtp\tremote.test\tfar@remote.test\n",
		    ROUTE_RESOLVED},
		{"none", "none\tdefer\t4.3.0 alias database unavailable\t"
		    "none@mx.example.test\n", ROUTE_TEMPFAIL},
		{"self", "self\tlocal\t-\tself\n", ROUTE_RESOLVED},
		{"dup", "dup\tlocal\t-\tknown\ndup\tlocal\t-\troot\n",
		    ROUTE_RESOLVED},
		{"u@fixed.test", "u@fixed.test\tsmtp\t[192.0.2.1]:2526\t"
		    "u@fixed.test\n", ROUTE_RESOLVED},
		{"u@a.fixed.test", "u@a.fixed.test\tsmtp\ta.fixed.test\t"
		    "u@a.fixed.test\n", ROUTE_RESOLVED},
		{"u@err.test", "u@err.test\terror\t5.0.0 no way\tu@err.test\n",
		    ROUTE_RESOLVED},
		{"u@null.test", "u@null.test\tdiscard\t-\tu@null.test\n",
		    ROUTE_RESOLVED},
		{"bob+x@user.test", "bob+x@user.test\tsmtp\t[192.0.2.9]\t"
		    "bob+x@user.test\n", ROUTE_RESOLVED},
		{"u@odd.test", "u@odd.test\tdefer\t4.3.5 unknown mail "
		    "transport lmtp\tu@odd.test\n", ROUTE_TEMPFAIL},
		{"u@down.test", "u@down.test\tdefer\t4.4.4 down for a bit\t"
		    "u@down.test\n", ROUTE_TEMPFAIL},
		{"\"x y\"@remote.test", "\"x y\"@remote.test\tsmtp\t"
		    "remote.test\t\"x y\"@remote.test\n", ROUTE_RESOLVED},
		{"<known>", "<known>\tlocal\t-\tknown\n", ROUTE_RESOLVED},
		{"", "-\terror\t5.1.3 bad address syntax\t-\n",
		    ROUTE_RESOLVED},
		{"a@", "a@\terror\t5.1.3 bad address syntax\ta@\n",
		    ROUTE_RESOLVED},
		{"a@x..y", "a@x..y\terror\t5.1.3 bad address syntax\ta@x..y\n",
		    ROUTE_RESOLVED},
		{"\"a@localhost", "\"a@localhost\terror\t5.1.3 bad address "
		    "syntax\t\"a@localhost\n", ROUTE_RESOLVED},
	};
	struct buf		 err = BUF_INIT, out = BUF_INIT;
	struct route_engine	*e;

	if (cfg_load_text(config, sizeof(config) - 1, "main.cf", &err) < 0) {
		ok(0, "configuration loads: %s", buf_cstr(&err));
		buf_free(&err);
		return;
	}
	e = route_open(&err);
	ok(e != NULL, "engine opens: %s", buf_cstr(&err));
	if (e == NULL) {
		buf_free(&err);
		return;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum route_status	 st = answer(e, cases[i].query, &out);
		char			 name[160];

		snprintf(name, sizeof(name), "answer for \"%s\"",
		    cases[i].query);
		is_str(buf_cstr(&out), cases[i].want, name);
		snprintf(name, sizeof(name), "status for \"%s\"",
		    cases[i].query);
		is_int(st, cases[i].st, name);
	}
	route_close(e);
	buf_free(&err);
	buf_free(&out);
}

/*
 * Typed answers: the kind and origin of every delivery are fields; a
 * local part that is no mailbox name is an error, never a mailbox ('|'
 * and '/' are atext: such an address needs no quotes in an answer).
 */
static void
test_typed(void)
{
	static const struct {
		const char	*query;
		const char	*want;
	} cases[] = {
		{"known", "known\tmailbox\t-\tknown\trecipient\n"},
		{"team", "team\tmailbox\t-\troot\talias\n"
		    "team\tmailbox\t-\tknown\talias\n"},
		{"prog", "prog\tcommand\tdaemon\t/bin/prog arg\talias\n"},
		{"log", "log\tfile\tdaemon\t/var/log/x\talias\n"},
		{"box", "box\tmaildir\tdaemon\t/var/spool/box/\talias\n"},
		{"away", "away\tsmtp\tremote.test\tfar@remote.test\talias\n"},
		{"u@null.test", "u@null.test\tdiscard\t-\tu@null.test\t"
		    "recipient\n"},
		{"\"|x\"@localhost", "\"|x\"@localhost\terror\t5.1.3 bad "
		    "address syntax: \"|x\" cannot be a mailbox name\t"
		    "|x@localhost\trecipient\n"},
		{"\"|touch x\"@mx.example.test", "\"|touch x\"@mx.example.test"
		    "\terror\t5.1.3 bad address syntax: \"|touch x\" cannot "
		    "be a mailbox name\t\"|touch x\"@mx.example.test\t"
		    "recipient\n"},
		{"\"a|b\"@localhost", "\"a|b\"@localhost\terror\t5.1.3 bad "
		    "address syntax: \"a|b\" cannot be a mailbox name\t"
		    "a|b@localhost\trecipient\n"},
		{"\"/etc/passwd\"@localhost", "\"/etc/passwd\"@localhost\t"
		    "error\t5.1.3 bad address syntax: \"/etc/passwd\" cannot "
		    "be a mailbox name\t/etc/passwd@localhost\t"
		    "recipient\n"},
		{"-oi@localhost", "-oi@localhost\terror\t5.1.3 bad address "
		    "syntax: \"-oi\" cannot be a mailbox name\t"
		    "-oi@localhost\trecipient\n"},
		{"quoted", "quoted\terror\t5.1.3 bad address syntax: \"|x\" "
		    "cannot be a mailbox name\t|x@localhost\t"
		    "recipient\n"},
		{"qfile", "qfile\terror\t5.1.3 bad address syntax: "
		    "\"/etc/x\" cannot be a mailbox name\t"
		    "/etc/x@localhost\trecipient\n"},
		/* Remote mail is not the resolver's to judge by its name. */
		{"\"|x\"@remote.test", "\"|x\"@remote.test\tsmtp\t"
		    "remote.test\t|x@remote.test\trecipient\n"},
	};
	struct buf		 err = BUF_INIT, out = BUF_INIT;
	struct route_engine	*e;
	struct route_answer	 ans;

	if (cfg_load_text(config, sizeof(config) - 1, "main.cf", &err) < 0 ||
	    (e = route_open(&err)) == NULL) {
		ok(0, "set-up: %s", buf_cstr(&err));
		buf_free(&err);
		return;
	}
	route_answer_init(&ans);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char	*q = cases[i].query;
		char		 name[160];

		buf_reset(&out);
		(void)route_resolve(e, q, strlen(q), &ans);
		for (size_t k = 0; k < ans.n; k++)
			route_format_typed(&out, q, strlen(q), &ans.v[k]);
		snprintf(name, sizeof(name), "typed answer for %s", q);
		is_str(buf_cstr(&out), cases[i].want, name);
	}
	route_answer_free(&ans);
	route_close(e);
	buf_free(&err);
	buf_free(&out);
}

/* A missing table is a temporary failure, never "not found". */
static void
test_missing_table(void)
{
	static const char	 text[] =
	    "myhostname = mx.example.test\n"
	    "alias_maps = hash:/nonexistent/pipemail/aliases\n"
	    "local_recipient_maps = static:any\n";
	struct buf		 err = BUF_INIT, out = BUF_INIT;
	struct route_engine	*e;

	if (cfg_load_text(text, sizeof(text) - 1, "main.cf", &err) < 0 ||
	    (e = route_open(&err)) == NULL) {
		ok(0, "set-up: %s", buf_cstr(&err));
		buf_free(&err);
		return;
	}
	is_int(answer(e, "someone@localhost", &out), ROUTE_TEMPFAIL,
	    "missing alias table: temporary");
	is_str(buf_cstr(&out), "someone@localhost\tdefer\t4.3.0 alias "
	    "database unavailable\tsomeone@localhost\n", "one defer line");
	is_int(answer(e, "someone@remote.test", &out), ROUTE_RESOLVED,
	    "remote mail needs no alias table");
	route_close(e);
	buf_free(&err);
	buf_free(&out);
}

/* The caps: a huge expansion stops with one error line. */
static void
test_caps(void)
{
	struct buf		 text = BUF_INIT, err = BUF_INIT;
	struct route_engine	*e;
	struct route_answer	 ans;
	char			 path[] = "/tmp/test_route.XXXXXX";
	FILE			*f;
	int			 fd;

	if ((fd = mkstemp(path)) < 0 || (f = fdopen(fd, "w")) == NULL) {
		ok(0, "temporary file");
		return;
	}
	for (int i = 0; i < ROUTE_RESULTS_MAX; i++)
		fprintf(f, "u%d@remote.test\n", i);
	fclose(f);
	buf_printf(&text, "myhostname = mx.example.test\n"
	    "local_recipient_maps = static:any\n"
	    "alias_maps = inline:{ {big = :include:%s, extra@remote.test}, "
	    "{fits = :include:%s} }\n", path, path);
	if (cfg_load_text(text.s, text.len, "main.cf", &err) < 0 ||
	    (e = route_open(&err)) == NULL) {
		ok(0, "set-up: %s", buf_cstr(&err));
		unlink(path);
		return;
	}
	route_answer_init(&ans);
	is_int(route_resolve(e, "fits", 4, &ans), ROUTE_RESOLVED,
	    "100000 deliveries fit");
	is_int((long long)ans.n, ROUTE_RESULTS_MAX, "all of them answered");
	is_int(route_resolve(e, "big", 3, &ans), ROUTE_RESOLVED,
	    "one more is cut");
	is_int((long long)ans.n, ROUTE_RESULTS_MAX + 1, "with one more line");
	ok(ans.n > 0 && ans.v[ans.n - 1].kind == ROUTE_ERROR &&
	    strncmp(ans.v[ans.n - 1].nexthop, "5.3.4 ", 6) == 0,
	    "the last line says why");
	route_answer_free(&ans);
	route_close(e);
	unlink(path);
	buf_free(&text);
	buf_free(&err);
}

/*
 * test_parse_typed - what route_format_typed() writes, route_parse_typed()
 * reads back; lines that are not typed answers are refused
 */
static void
test_parse_typed(void)
{
	static const struct route_result res[] = {
		{ROUTE_LOCAL, ROUTE_FROM_RECIPIENT, "-", "user"},
		{ROUTE_SMTP, ROUTE_FROM_ALIAS, "mx.remote.test",
		    "far@remote.test"},
		{ROUTE_PIPE, ROUTE_FROM_FORWARD, "daemon", "/bin/prog a b"},
		{ROUTE_FILE, ROUTE_FROM_INCLUDE, "daemon", "/var/log/x"},
		{ROUTE_ERROR, ROUTE_FROM_RECIPIENT, "5.1.1 no such user", "x"},
		{ROUTE_DISCARD, ROUTE_FROM_ALIAS, "-", "u@null.test"},
		{ROUTE_DEFER, ROUTE_FROM_RECIPIENT, "4.3.0 table", "y"},
		{ROUTE_MAILDIR, ROUTE_FROM_FORWARD, "daemon", "/home/u/Mail/"},
	};
	static const char *const bad[] = {
		"",
		"q\tmailbox\t-\tuser",			/* four fields */
		"q\tmailbox\t-\tuser\trecipient\tx",	/* six */
		"q\tlocal\t-\tuser\trecipient",		/* the user's word */
		"q\tmailbox\t-\tuser\tRecipient",
		"q\tmailbox\t-\tuser\trecipient ",
		"q\tmailboxmailboxmailbox\t-\tuser\trecipient",
		"q\tmailbox\t-\tuser\t",
		"\t\t\t\t",
	};
	struct route_result	 got;
	struct buf		 line = BUF_INIT, query = BUF_INIT;
	int			 same = 1;

	for (size_t i = 0; i < sizeof(res) / sizeof(res[0]); i++) {
		buf_reset(&line);
		route_format_typed(&line, "q@x.test", 8, &res[i]);
		ok(line.len > 0 && line.s[line.len - 1] == '\n' &&
		    route_parse_typed(line.s, line.len - 1, &query, &got) == 0,
		    "typed line %zu parses", i);
		if (got.kind != res[i].kind || got.origin != res[i].origin ||
		    strcmp(got.nexthop, res[i].nexthop) != 0 ||
		    strcmp(got.recipient, res[i].recipient) != 0 ||
		    strcmp(buf_cstr(&query), "q@x.test") != 0)
			same = 0;
		free(got.nexthop);
		free(got.recipient);
	}
	ok(same, "every kind and origin reads back as written");

	/* Empty fields are written "-"; control characters as '?'. */
	{
		struct route_result	 r = {ROUTE_SMTP, ROUTE_FROM_ALIAS, "",
		    "a\tb\nc"};

		buf_reset(&line);
		route_format_typed(&line, "q\tx", 3, &r);
		ok(route_parse_typed(line.s, line.len - 1, &query, &got) == 0 &&
		    strcmp(got.nexthop, "-") == 0 &&
		    strcmp(got.recipient, "a?b?c") == 0 &&
		    strcmp(buf_cstr(&query), "q?x") == 0,
		    "empty and control fields stay one field each");
		free(got.nexthop);
		free(got.recipient);
	}
	ok(route_parse_typed("q\tsmtp\t\t\tinclude", 16, NULL, &got) == 0 &&
	    got.kind == ROUTE_SMTP && got.origin == ROUTE_FROM_INCLUDE &&
	    *got.nexthop == '\0' && *got.recipient == '\0',
	    "empty fields are read as empty, query not wanted");
	free(got.nexthop);
	free(got.recipient);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(route_parse_typed(bad[i], strlen(bad[i]), NULL, &got) < 0,
		    "refused: '%s'", bad[i]);
	ok(route_parse_typed("q\tmailbox\t-\tus\0er\trecipient", 27, NULL,
	    &got) < 0, "refused: a NUL byte");
	ok(route_parse_typed("q\tmailbox\t-\tuser\trecipient\n", 27, NULL,
	    &got) < 0, "refused: the newline is not the caller's to pass");
	buf_free(&line);
	buf_free(&query);
}

int
main(void)
{
	test_parse_transport();
	test_domain();
	test_literal();
	test_format();
	test_words();
	test_engine();
	test_typed();
	test_parse_typed();
	test_missing_table();
	test_caps();
	return tap_done();
}
