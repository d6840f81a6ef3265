/* test_submit - the submission engine: headers added, Bcc removed, -t
 * recipients, the lone dot, mbox From lines, limits; and the helpers */
#include "submit.h"

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "buf.h"
#include "queue.h"
#include "tap.h"

#define FROM	"\"Ann Example\" <ann@example.test>"
#define DATE	"Tue, 14 Nov 2023 22:13:20 +0000"
#define MSGID	"<20231114221320.42.1@mx.example.test>"
#define ADDED	"Message-ID: " MSGID "\nDate: " DATE "\nFrom: " FROM "\n"
#define RADDED	"Resent-Message-ID: " MSGID "\nResent-Date: " DATE \
		"\nResent-From: " FROM "\n"

#define X	SUBMIT_F_EXTRACT
#define D	SUBMIT_F_DOT

struct engine_case {
	const char	*name;
	int		 flags;
	const char	*in;
	const char	*want;		/* the bytes for the queue */
	const char	*rcpt;		/* -t recipients, "," between */
	int		 result;	/* of the last call */
};

static const struct engine_case cases[] = {
	{"missing headers are added at the end of the header section", 0,
	    "Subject: hi\nTo: bob@example.org\n\nbody\n",
	    "Subject: hi\nTo: bob@example.org\n" ADDED "\nbody\n",
	    NULL, SUBMIT_END},
	{"present headers are kept and not added again (any case)", 0,
	    "from: me@x.test\nDATE: whenever\nmessage-id: <a@b>\n\nb\n",
	    "from: me@x.test\nDATE: whenever\nmessage-id: <a@b>\n\nb\n",
	    NULL, SUBMIT_END},
	{"only the missing one is added", 0,
	    "From: me@x.test\nMessage-Id: <a@b>\n\nb\n",
	    "From: me@x.test\nMessage-Id: <a@b>\nDate: " DATE "\n\nb\n",
	    NULL, SUBMIT_END},
	{"Bcc, Resent-Bcc, Return-Path, Content-Length are dropped", 0,
	    "To: a@x.test\nBcc: secret@x.test,\n other@x.test\n"
	    "Return-Path: <r@x>\nContent-Length: 99\nSubject: s\n\nb\n",
	    "To: a@x.test\nSubject: s\n" ADDED "\nb\n", NULL, SUBMIT_END},
	{"-t takes To, Cc and Bcc; Bcc is removed", X,
	    "To: a@x.test\nCc: b@x.test\nBcc: c@x.test\n\nbody\n",
	    "To: a@x.test\nCc: b@x.test\n" ADDED "\nbody\n",
	    "a@x.test,b@x.test,c@x.test", SUBMIT_END},
	{"-t: display names, groups, folded To", X,
	    "To: \"Doe, John\" <john@x.test>, Team: m1@x.test,\n"
	    "\tMary <m2@x.test>;, undisclosed-recipients:;\n"
	    "Subject: s\n\nb\n",
	    "To: \"Doe, John\" <john@x.test>, Team: m1@x.test,\n"
	    "\tMary <m2@x.test>;, undisclosed-recipients:;\n"
	    "Subject: s\n" ADDED "\nb\n",
	    "john@x.test,m1@x.test,m2@x.test", SUBMIT_END},
	{"-t: header names in any case, bare local parts kept", X,
	    "tO: root\ncc: <postmaster>\n\n",
	    "tO: root\ncc: <postmaster>\n" ADDED "\n",
	    "root,postmaster", SUBMIT_END},
	{"-t: Resent- recipients replace To/Cc/Bcc", X,
	    "To: old@x.test\nResent-To: new@x.test\nResent-Bcc: hid@x.test\n"
	    "Cc: old2@x.test\nResent-Cc: new2@x.test\n\nb\n",
	    "To: old@x.test\nResent-To: new@x.test\nCc: old2@x.test\n"
	    "Resent-Cc: new2@x.test\n" RADDED "\nb\n",
	    "new@x.test,hid@x.test,new2@x.test", SUBMIT_END},
	{"Resent- headers: Resent- versions are added, as Postfix", 0,
	    "Resent-From: r@x.test\nFrom: f@x.test\n\nb\n",
	    "Resent-From: r@x.test\nFrom: f@x.test\nResent-Message-ID: "
	    MSGID "\nResent-Date: " DATE "\n\nb\n", NULL, SUBMIT_END},
	{"-t: no recipient headers, no recipients", X,
	    "Subject: s\n\nb\n", "Subject: s\n" ADDED "\nb\n", "",
	    SUBMIT_END},
	{"-t: a bad address is skipped, the good ones kept", X,
	    "To: good@x.test, <bad@@x>, also@x.test\n\n",
	    "To: good@x.test, <bad@@x>, also@x.test\n" ADDED "\n",
	    "good@x.test,also@x.test", SUBMIT_END},
	{"lone dot ends the message", D,
	    "Subject: s\n\nline\n.\nafter the dot\n",
	    "Subject: s\n" ADDED "\nline\n", NULL, SUBMIT_END},
	{"lone dot with CRLF ends the message", D,
	    "Subject: s\r\n\r\nline\r\n.\r\nafter\r\n",
	    "Subject: s\n" ADDED "\nline\r\n", NULL, SUBMIT_END},
	{"lone dot in the header section ends it there", D,
	    "Subject: s\n.\nTo: nobody\n",
	    "Subject: s\n" ADDED, NULL, SUBMIT_END},
	{"lone dot as the last line without LF", D,
	    "Subject: s\n\nline\n.",
	    "Subject: s\n" ADDED "\nline\n", NULL, SUBMIT_END},
	{"without the dot rule (-i) a lone dot is data", 0,
	    "Subject: s\n\nline\n.\nafter\n",
	    "Subject: s\n" ADDED "\nline\n.\nafter\n", NULL, SUBMIT_END},
	{"dot-stuffing is not undone, as in Postfix", D,
	    "Subject: s\n\n..\n.. x\n. \n.\n",
	    "Subject: s\n" ADDED "\n..\n.. x\n. \n", NULL, SUBMIT_END},
	{"leading mbox From lines are removed", 0,
	    "From alice@x.test Mon Jan  1 00:00:00 2024\n"
	    ">From again\nSubject: s\n\nFrom inside the body\n",
	    "Subject: s\n" ADDED "\nFrom inside the body\n", NULL,
	    SUBMIT_END},
	{"a From: header is not an mbox From line", 0,
	    "From: f@x.test\n\nb\n", "From: f@x.test\n"
	    "Message-ID: " MSGID "\nDate: " DATE "\n\nb\n", NULL, SUBMIT_END},
	{"no header section: headers added, then an empty line", 0,
	    "just text, no header\nmore\n",
	    ADDED "\njust text, no header\nmore\n", NULL, SUBMIT_END},
	{"empty input: only the added headers", 0, "", ADDED, NULL,
	    SUBMIT_END},
	{"headers only, no empty line: none added after them", 0,
	    "Subject: s\nTo: a@x.test", "Subject: s\nTo: a@x.test\n" ADDED,
	    NULL, SUBMIT_END},
	{"last body line without LF stays without", 0,
	    "Subject: s\n\nno newline", "Subject: s\n" ADDED "\nno newline",
	    NULL, SUBMIT_END},
	{"continuation line before any header begins the body", 0,
	    " indented\nSubject: no\n", ADDED "\n indented\nSubject: no\n",
	    NULL, SUBMIT_END},
	{"CRLF headers come out with LF, body bytes unchanged", 0,
	    "Subject: s\r\nTo: a@x.test\r\n\r\nb\r\n",
	    "Subject: s\nTo: a@x.test\n" ADDED "\nb\r\n", NULL, SUBMIT_END},
};

/* run - feed a case in pieces of step bytes (0: all at once) */
static void
run(const struct engine_case *c, size_t step, struct buf *out,
    struct buf *rcpt, int *result, struct submit *s)
{
	size_t			 len = strlen(c->in), off = 0;
	enum submit_result	 r = SUBMIT_MORE;

	submit_init(s, c->flags, FROM, DATE, MSGID);
	while (off < len && r == SUBMIT_MORE) {
		size_t	 n = step == 0 || len - off < step ? len - off : step;

		r = submit_push(s, c->in + off, n, out);
		off += n;
	}
	if (r != SUBMIT_ERROR)
		r = submit_finish(s, out);
	*result = r;
	for (size_t i = 0; i < s->rcpt.n; i++) {
		if (i > 0)
			buf_addc(rcpt, ',');
		buf_adds(rcpt, s->rcpt.v[i]);
	}
}

static void
test_engine(void)
{
	static const size_t	 steps[] = {0, 1, 7};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct engine_case *c = &cases[i];

		for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
			struct buf	 out = BUF_INIT, rcpt = BUF_INIT;
			struct submit	 s;
			int		 result;
			char		 name[200];

			run(c, steps[k], &out, &rcpt, &result, &s);
			snprintf(name, sizeof(name), "%s (pieces of %zu)",
			    c->name, steps[k]);
			is_str(buf_cstr(&out), c->want, name);
			if (c->rcpt)
				is_str(buf_cstr(&rcpt), c->rcpt, name);
			is_int(result, c->result, name);
			submit_free(&s);
			buf_free(&out);
			buf_free(&rcpt);
		}
	}
}

/* test_bad_address_warning - the skipped address is named */
static void
test_bad_address_warning(void)
{
	struct submit	 s;
	struct buf	 out = BUF_INIT;
	const char	*in = "To: ok@x.test, <bad@@x>\n\n";

	submit_init(&s, X, FROM, DATE, MSGID);
	submit_push(&s, in, strlen(in), &out);
	submit_finish(&s, &out);
	ok(strstr(buf_cstr(&s.warnings), "To header: ignoring bad address: "
	    "<bad@@x>\n") != NULL, "a skipped -t address is warned of");
	submit_free(&s);
	buf_free(&out);
}

/* test_command_recipient - -t never takes a |command or /file recipient */
static void
test_command_recipient(void)
{
	struct submit	 s;
	struct buf	 out = BUF_INIT;
	const char	*in = "To: \"|touch x\"@localhost, ok@x.test\n"
			      "Cc: \"/etc/passwd\"@localhost\n\n";

	submit_init(&s, X, FROM, DATE, MSGID);
	submit_push(&s, in, strlen(in), &out);
	submit_finish(&s, &out);
	is_int((long long)s.rcpt.n, 1, "only the mailbox address is taken");
	is_str(s.rcpt.n > 0 ? s.rcpt.v[0] : "", "ok@x.test",
	    "and it is ok@x.test");
	ok(strstr(buf_cstr(&s.warnings), "cannot be a mailbox name") != NULL,
	    "the skipped ones are warned of");
	submit_free(&s);
	buf_free(&out);
}

/* test_nul_bytes - NUL bytes pass through headers and body */
static void
test_nul_bytes(void)
{
	static const char in[] = "X-N: a\0b\n\nbo\0dy\n";
	static const char want[] = "X-N: a\0b\n" ADDED "\nbo\0dy\n";
	struct submit	 s;
	struct buf	 out = BUF_INIT;

	submit_init(&s, 0, FROM, DATE, MSGID);
	submit_push(&s, in, sizeof(in) - 1, &out);
	submit_finish(&s, &out);
	ok(out.len == sizeof(want) - 1 && memcmp(out.s, want, out.len) == 0,
	    "NUL bytes are kept in headers and body");
	submit_free(&s);
	buf_free(&out);
}

/* test_long_lines - the caps: long body lines whole, long headers cut */
static void
test_long_lines(void)
{
	size_t		 big = 3 * SUBMIT_BODY_CHUNK + 5;
	char		*line = malloc(big + 1);
	struct submit	 s;
	struct buf	 in = BUF_INIT, out = BUF_INIT, want = BUF_INIT;

	/* A body line far over the chunk size, ending in "." */
	memset(line, 'x', big);
	line[big - 1] = '.';
	line[big] = '\0';
	buf_printf(&in, "Subject: s\n\n%s\n.\n", line);
	buf_printf(&want, "Subject: s\n%s\n%s\n", ADDED, line);
	submit_init(&s, D, FROM, DATE, MSGID);
	is_int(submit_push(&s, in.s, in.len, &out), SUBMIT_END,
	    "long body line: the lone dot after it still ends the message");
	submit_finish(&s, &out);
	ok(out.len == want.len && memcmp(out.s, want.s, out.len) == 0,
	    "a body line of %zu bytes passes whole", big);
	submit_free(&s);

	/* A first line with no colon, longer than a header may be. */
	buf_reset(&in);
	buf_reset(&out);
	buf_reset(&want);
	buf_printf(&in, "%s\nSubject: body\n", line);
	buf_printf(&want, "%s\n%s\nSubject: body\n", ADDED, line);
	submit_init(&s, 0, FROM, DATE, MSGID);
	for (size_t off = 0; off < in.len; off += 4096)
		submit_push(&s, in.s + off, in.len - off < 4096 ?
		    in.len - off : 4096, &out);
	submit_finish(&s, &out);
	ok(out.len == want.len && memcmp(out.s, want.s, out.len) == 0,
	    "an over-long non-header first line starts the body, whole");
	submit_free(&s);

	/* A header longer than HDR_SIZE_MAX is cut there. */
	buf_reset(&in);
	buf_reset(&out);
	buf_printf(&in, "X-Long: %s\nSubject: kept\n\nbody\n", line);
	submit_init(&s, 0, FROM, DATE, MSGID);
	submit_push(&s, in.s, in.len, &out);
	is_int(submit_finish(&s, &out), SUBMIT_END, "long header: accepted");
	ok(strncmp(buf_cstr(&out), "X-Long: xxx", 11) == 0 &&
	    strstr(out.s, "\nSubject: kept\n") != NULL &&
	    strstr(out.s, "\n\nbody\n") != NULL &&
	    (size_t)(strchr(out.s, '\n') - out.s) == HDR_SIZE_MAX,
	    "long header: cut to HDR_SIZE_MAX, the rest intact");
	submit_free(&s);

	/* -t cannot lose recipients to that cut: it fails instead. */
	buf_reset(&in);
	buf_reset(&out);
	buf_printf(&in, "To: a@x.test,\n %s\n\nbody\n", line);
	submit_init(&s, X, FROM, DATE, MSGID);
	submit_push(&s, in.s, in.len, &out);
	is_int(submit_finish(&s, &out), SUBMIT_ERROR, "-t, long To: fails");
	is_int(s.status, EX_DATAERR, "-t, long To: EX_DATAERR");
	ok(strncmp(buf_cstr(&s.reason), "5.6.0 ", 6) == 0,
	    "-t, long To: reason with 5.6.0: %s", buf_cstr(&s.reason));
	submit_free(&s);

	buf_free(&in);
	buf_free(&out);
	buf_free(&want);
	free(line);
}

/* test_too_many - more than SUBMIT_RCPT_MAX recipients fail cleanly */
static void
test_too_many(void)
{
	struct submit	 s;
	struct buf	 in = BUF_INIT, out = BUF_INIT;
	enum submit_result r;

	for (int h = 0; h < SUBMIT_RCPT_MAX / 1000 + 1; h++) {
		buf_adds(&in, "To: ");
		for (int i = 0; i < 1000; i++)
			buf_printf(&in, "%su%d.%d@x.test", i ? "," : "", h, i);
		buf_addc(&in, '\n');
	}
	buf_adds(&in, "\nbody\n");
	submit_init(&s, X, FROM, DATE, MSGID);
	r = submit_push(&s, in.s, in.len, &out);
	if (r != SUBMIT_ERROR)
		r = submit_finish(&s, &out);
	is_int(r, SUBMIT_ERROR, "too many -t recipients: error");
	is_int(s.status, EX_DATAERR, "too many -t recipients: EX_DATAERR");
	is_int(submit_push(&s, "x\n", 2, &out), SUBMIT_ERROR,
	    "after an error the engine stays failed");
	submit_free(&s);
	buf_free(&in);
	buf_free(&out);
}

static void
test_parse_sender(void)
{
	static const struct {
		const char	*in;
		int		 r;
		const char	*want;
	} t[] = {
		{"", 0, ""},
		{"<>", 0, ""},
		{" <> ", 0, ""},
		{"alice@example.org", 0, "alice@example.org"},
		{"<alice@example.org>", 0, "alice@example.org"},
		{"Alice <alice@example.org>", 0, "alice@example.org"},
		{"alice", 0, "alice"},
		{"a@x.test, b@x.test", -1, ""},
		{"<a@@x>", -1, ""},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct buf	 out = BUF_INIT, err = BUF_INIT;
		char		 name[100];

		snprintf(name, sizeof(name), "-f '%s'", t[i].in);
		is_int(submit_parse_sender(t[i].in, &out, &err), t[i].r, name);
		is_str(buf_cstr(&out), t[i].want, name);
		if (t[i].r < 0)
			ok(strncmp(buf_cstr(&err), "5.1.7 ", 6) == 0,
			    "%s: reason %s", name, buf_cstr(&err));
		buf_free(&out);
		buf_free(&err);
	}
}

static void
test_parse_rcpt(void)
{
	static const struct {
		const char	*in;
		int		 r;
		const char	*want;
	} t[] = {
		{"bob@example.org", 0, "bob@example.org"},
		{"root", 0, "root"},
		{"Bob <bob@x.test>, carol@x.test", 0,
		    "bob@x.test,carol@x.test"},
		{"\"john doe\"@x.test", 0, "\"john doe\"@x.test"},
		{"", -1, ""},
		{"group:;", -1, ""},
		{"ok@x.test, <bad@@x>", -1, ""},
		/* A local part that cannot be a mailbox name. */
		{"\"|touch x\"@localhost", -2, ""},
		{"|id", -2, ""},
		{"a@x.test, \"/etc/passwd\"@localhost", -2, ""},
		{"-oQ@localhost", -2, ""},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct submit_rcpts	 l;
		struct buf		 got = BUF_INIT, err = BUF_INIT;
		char			 name[100];

		submit_rcpts_init(&l);
		snprintf(name, sizeof(name), "recipient '%s'", t[i].in);
		is_int(submit_parse_rcpt(t[i].in, &l, &err), t[i].r, name);
		for (size_t k = 0; k < l.n; k++)
			buf_printf(&got, "%s%s", k ? "," : "", l.v[k]);
		is_str(buf_cstr(&got), t[i].want, name);
		submit_rcpts_free(&l);
		buf_free(&got);
		buf_free(&err);
	}
}

static void
test_parse_dsn(void)
{
	static const struct {
		const char	*in;
		int		 r;
		int		 want;
	} t[] = {
		{"never", 0, QN_NEVER},
		{"NEVER", 0, QN_NEVER},
		{"success", 0, QN_SUCCESS},
		{"success,failure", 0, QN_SUCCESS | QN_FAILURE},
		{"delay, failure ,success", 0,
		    QN_DELAY | QN_FAILURE | QN_SUCCESS},
		{"never,success", -1, 0},
		{"sometimes", -1, 0},
		{"", -1, 0},
		{"success,", -1, 0},
	};
	const char	*ret = NULL;
	struct buf	 err = BUF_INIT;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int	 m = 0;
		char	 name[100];

		snprintf(name, sizeof(name), "-N '%s'", t[i].in);
		is_int(submit_parse_notify(t[i].in, &m, &err), t[i].r, name);
		if (t[i].r == 0)
			is_int(m, t[i].want, name);
	}
	is_int(submit_parse_ret("full", &ret, &err), 0, "-R full");
	is_str(ret, "FULL", "-R full is FULL");
	is_int(submit_parse_ret("HDRS", &ret, &err), 0, "-R HDRS");
	is_str(ret, "HDRS", "-R HDRS is HDRS");
	is_int(submit_parse_ret("body", &ret, &err), -1, "-R body is bad");
	is_int(submit_check_envid("abc-123", &err), 0, "-V plain envid");
	is_int(submit_check_envid("a\tb", &err), -1, "-V with a TAB");
	is_int(submit_check_envid("", &err), -1, "-V empty");
	{
		char	 longid[SUBMIT_ENVID_MAX + 2];

		memset(longid, 'e', sizeof(longid) - 1);
		longid[sizeof(longid) - 1] = '\0';
		is_int(submit_check_envid(longid, &err), -1, "-V over 100");
		longid[SUBMIT_ENVID_MAX] = '\0';
		is_int(submit_check_envid(longid, &err), 0, "-V of 100");
	}
	buf_free(&err);
}

static void
test_format(void)
{
	struct buf		 b = BUF_INIT, err = BUF_INIT;
	struct submit_rcpts	 l;
	static const char	 env[] = "Fs@x.test\0RFULL\0Eid1\0"
	    "Ta@x.test\t\t6\0Tb@x.test\t\t6\0";

	submit_from_value(&b, "Ann Example", "ann@x.test");
	is_str(buf_cstr(&b), "\"Ann Example\" <ann@x.test>", "From: with -F");
	buf_reset(&b);
	submit_from_value(&b, "A \"Q\" \\B\nC", "q@x.test");
	is_str(buf_cstr(&b), "\"A \\\"Q\\\" \\\\B C\" <q@x.test>",
	    "From: name quoted, escaped, no line break");
	buf_reset(&b);
	submit_from_value(&b, "", "plain@x.test");
	is_str(buf_cstr(&b), "plain@x.test", "From: without a name");
	buf_reset(&b);
	submit_msgid(&b, 1700000000, 4242, 0xabcdefULL, "mx.example.test");
	is_str(buf_cstr(&b), "<20231114221320.4242.0000000000ABCDEF@"
	    "mx.example.test>", "Message-ID layout");

	submit_rcpts_init(&l);
	submit_rcpts_add(&l, "a@x.test");
	submit_rcpts_add(&l, "b@x.test");
	submit_rcpts_add(&l, "a@x.test");
	submit_rcpts_add(&l, "A@x.test");
	submit_rcpts_uniq(&l);
	is_int(l.n, 3, "duplicate recipients dropped");
	is_str(l.v[2], "A@x.test", "order kept, first of each");
	submit_rcpts_free(&l);
	submit_rcpts_add(&l, "a@x.test");
	submit_rcpts_add(&l, "b@x.test");

	buf_reset(&b);
	is_int(submit_envelope(&b, "s@x.test", "FULL", "id1", &l,
	    QN_SUCCESS | QN_FAILURE, &err), 0, "envelope built");
	ok(b.len == sizeof(env) && memcmp(b.s, env, b.len) == 0,
	    "envelope records for queue-inject -e");
	buf_reset(&b);
	is_int(submit_envelope(&b, "", NULL, NULL, &l, 0, &err), 0,
	    "envelope with the null sender");
	ok(b.len == 23 && memcmp(b.s, "F\0Ta@x.test\0Tb@x.test\0\0", 23) == 0,
	    "null sender, no NOTIFY: plain T records");
	submit_rcpts_add(&l, "bad\taddr");
	buf_reset(&b);
	is_int(submit_envelope(&b, "s@x.test", NULL, NULL, &l, 0, &err), -1,
	    "a TAB in an address is refused");
	is_int(b.len, 0, "nothing left behind");
	submit_rcpts_free(&l);
	buf_free(&b);
	buf_free(&err);
}

int
main(void)
{
	test_engine();
	test_bad_address_warning();
	test_command_recipient();
	test_nul_bytes();
	test_long_lines();
	test_too_many();
	test_parse_sender();
	test_parse_rcpt();
	test_parse_dsn();
	test_format();
	return tap_done();
}
