/* test_smtpd - the SMTP command parser and the DATA decoder */
#include "smtpd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tap.h"

/* test_parse - one command line in, verb and argument out */
static void
test_parse(void)
{
	static const struct {
		const char		*name;
		const char		*input;
		enum smtpd_parse_result	 want;
		enum smtpd_verb		 verb;
		const char		*arg;
	} cases[] = {
		{"EHLO with CR", "EHLO client.example\r", SMTPD_P_OK,
		    SMTPD_V_EHLO, "client.example"},
		{"HELO without CR", "HELO client.example", SMTPD_P_OK,
		    SMTPD_V_HELO, "client.example"},
		{"verb is case-blind", "eHlO x", SMTPD_P_OK, SMTPD_V_EHLO,
		    "x"},
		{"no argument", "EHLO\r", SMTPD_P_OK, SMTPD_V_EHLO, ""},
		{"white space trimmed", "  NOOP   hello  \t\r", SMTPD_P_OK,
		    SMTPD_V_NOOP, "hello"},
		{"empty line", "\r", SMTPD_P_OK, SMTPD_V_EMPTY, ""},
		{"only spaces", "   ", SMTPD_P_OK, SMTPD_V_EMPTY, ""},
		{"MAIL FROM", "MAIL FROM:<a@b.example> SIZE=10\r", SMTPD_P_OK,
		    SMTPD_V_MAIL, "<a@b.example> SIZE=10"},
		{"MAIL FROM: space", "mail from: <a@b.example>", SMTPD_P_OK,
		    SMTPD_V_MAIL, "<a@b.example>"},
		{"MAIL null path", "MAIL FROM:<>", SMTPD_P_OK, SMTPD_V_MAIL,
		    "<>"},
		{"MAIL without FROM", "MAIL <a@b.example>", SMTPD_P_SYNTAX,
		    SMTPD_V_MAIL, NULL},
		{"MAIL FROM: nothing", "MAIL FROM:   \r", SMTPD_P_SYNTAX,
		    SMTPD_V_MAIL, NULL},
		{"MAIL alone", "MAIL", SMTPD_P_SYNTAX, SMTPD_V_MAIL, NULL},
		{"RCPT TO", "RCPT TO:<c@d.example> NOTIFY=NEVER", SMTPD_P_OK,
		    SMTPD_V_RCPT, "<c@d.example> NOTIFY=NEVER"},
		{"RCPT FROM is wrong", "RCPT FROM:<c@d.example>",
		    SMTPD_P_SYNTAX, SMTPD_V_RCPT, NULL},
		{"DATA", "DATA\r", SMTPD_P_OK, SMTPD_V_DATA, ""},
		{"DATA with junk", "DATA now", SMTPD_P_OK, SMTPD_V_DATA,
		    "now"},
		{"QUIT", "QUIT", SMTPD_P_OK, SMTPD_V_QUIT, ""},
		{"RSET", "rset", SMTPD_P_OK, SMTPD_V_RSET, ""},
		{"VRFY", "VRFY postmaster", SMTPD_P_OK, SMTPD_V_VRFY,
		    "postmaster"},
		{"ETRN", "ETRN example.test", SMTPD_P_OK, SMTPD_V_ETRN,
		    "example.test"},
		{"HELP", "HELP", SMTPD_P_OK, SMTPD_V_HELP, ""},
		{"STARTTLS", "STARTTLS", SMTPD_P_OK, SMTPD_V_STARTTLS, ""},
		{"AUTH", "AUTH PLAIN", SMTPD_P_OK, SMTPD_V_AUTH, "PLAIN"},
		{"unknown verb", "XYZZY plugh", SMTPD_P_OK, SMTPD_V_UNKNOWN,
		    "plugh"},
		{"verb prefix is no verb", "HELOX a", SMTPD_P_OK,
		    SMTPD_V_UNKNOWN, "a"},
		{"8-bit verb", "\xc3\xa9HLO a", SMTPD_P_OK, SMTPD_V_UNKNOWN,
		    "a"},
		{"tab separates", "NOOP\tx", SMTPD_P_OK, SMTPD_V_NOOP, "x"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct smtpd_cmd		 c;
		enum smtpd_parse_result	 r;
		char				 name[128];

		r = smtpd_parse(cases[i].input, strlen(cases[i].input), &c);
		snprintf(name, sizeof(name), "parse: %s", cases[i].name);
		is_int(r, cases[i].want, name);
		if (r != SMTPD_P_SYNTAX)
			is_int(c.verb, cases[i].verb, name);
		if (cases[i].arg != NULL) {
			char	*got = strndup(c.arg, c.arg_len);

			is_str(got, cases[i].arg, name);
			free(got);
		}
	}
}

/* test_parse_bytes - NUL bytes and the line limits */
static void
test_parse_bytes(void)
{
	struct smtpd_cmd	 c;
	char			 line[2048];

	is_int(smtpd_parse("NOOP a\0b", 8, &c), SMTPD_P_NUL,
	    "parse: NUL inside the argument");
	is_int(smtpd_parse("\0", 1, &c), SMTPD_P_NUL, "parse: lone NUL");

	/* RFC 5321 4.5.3.1.4: 512 octets with the CRLF. */
	memset(line, 'x', sizeof(line));
	memcpy(line, "NOOP ", 5);
	is_int(smtpd_parse(line, 510, &c), SMTPD_P_OK,
	    "parse: 510 octets and CRLF fit");
	line[510] = '\r';
	is_int(smtpd_parse(line, 511, &c), SMTPD_P_OK,
	    "parse: 510 octets and CR, LF removed, fit");
	is_int(smtpd_parse(line, 511 + 1, &c), SMTPD_P_TOOLONG,
	    "parse: 511 octets and CRLF are too long");
	memcpy(line, "RCPT TO:<a@b.example> ORCPT=rfc822;", 35);
	is_int(smtpd_parse(line, SMTPD_RCPT_MAX - 2, &c), SMTPD_P_OK,
	    "parse: RCPT may be longer (RFC 3461 4)");
	is_int(smtpd_parse(line, SMTPD_RCPT_MAX - 1, &c), SMTPD_P_TOOLONG,
	    "parse: RCPT has a limit too");
	memcpy(line, "MAIL FROM:<a@b.example> ENVID=", 30);
	is_int(smtpd_parse(line, SMTPD_MAIL_MAX - 2, &c), SMTPD_P_OK,
	    "parse: MAIL may be longer (RFC 1870, 3461, 6152, 6531)");
	is_int(smtpd_parse(line, SMTPD_MAIL_MAX - 1, &c), SMTPD_P_TOOLONG,
	    "parse: MAIL has a limit too");
	is_str(smtpd_verb_name(SMTPD_V_ETRN), "ETRN", "verb name");
	is_str(smtpd_verb_name(SMTPD_V_UNKNOWN), "", "unknown verb name");
}

/* decode - run the decoder over input in pieces of step bytes; the
 * output, how much input was used, and whether the end was seen */
static char *
decode(const char *in, size_t len, size_t step, size_t *used, int *done)
{
	struct smtpd_data	 d;
	struct buf		 out = BUF_INIT;
	size_t			 off = 0;

	smtpd_data_init(&d);
	while (off < len && !d.done) {
		size_t	 n = len - off < step ? len - off : step;
		size_t	 u = smtpd_data_push(&d, in + off, n, &out);

		off += u;
		if (u < n && !d.done)
			break;		/* must not happen */
	}
	*used = off;
	*done = d.done;
	buf_adds(&out, "");
	if (d.bytes != out.len) {
		buf_free(&out);
		return strdup("(byte count wrong)");
	}
	return buf_release(&out);
}

/* test_data - RFC 5321 4.5.2 transparency and the end of data */
static void
test_data(void)
{
	static const struct {
		const char	*name;
		const char	*input;
		const char	*want;		/* the message */
		int		 done;
		size_t		 rest;		/* input left after the end */
	} cases[] = {
		{"empty message", ".\r\n", "", 1, 0},
		{"one line", "a\r\n.\r\n", "a\n", 1, 0},
		{"rest is the next command", "a\r\n.\r\nQUIT\r\n", "a\n", 1,
		    6},
		{"dot-stuffing removed", "..a\r\n..\r\n.\r\n", ".a\n.\n", 1,
		    0},
		{"stuffed dot alone", "x\r\n..\r\n.\r\n", "x\n.\n", 1, 0},
		{"dot inside a line", "a.b\r\n.\r\n", "a.b\n", 1, 0},
		{"bare LF is a line end", "a\nb\r\n.\r\n", "a\nb\n", 1, 0},
		{"bare LF then dot line is text", "a\n.\nb\r\n.\r\n",
		    "a\n.\nb\n", 1, 0},
		{"LF . CRLF is no end (smuggling)", "a\n.\r\nb\r\n.\r\n",
		    "a\n.\nb\n", 1, 0},
		{"CRLF . LF is no end (smuggling)", "a\r\n.\nb\r\n.\r\n",
		    "a\n.\nb\n", 1, 0},
		{"lone CR kept", "a\rb\r\n.\r\n", "a\rb\n", 1, 0},
		{"CR CR LF", "a\r\r\n.\r\n", "a\r\n", 1, 0},
		{"dot CR text", ".\rx\r\n.\r\n", "\rx\n", 1, 0},
		{"no end yet", "a\r\nb\r\n", "a\nb\n", 0, 0},
		{"dot then EOF", "a\r\n.", "a\n", 0, 0},
		{"dot CR then EOF", "a\r\n.\r", "a\n", 0, 0},
		{"NUL passes", "a\0b\r\n.\r\n", "a", 1, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t	 len = strlen(cases[i].input);
		char	 name[128];

		if (strcmp(cases[i].name, "NUL passes") == 0)
			len = 8;
		for (size_t step = 1; step <= len; step += len - 1 > 0 ?
		    len - 1 : 1) {
			size_t	 used;
			int	 done;
			char	*got = decode(cases[i].input, len, step, &used,
			    &done);

			snprintf(name, sizeof(name), "data: %s (pieces of %zu)",
			    cases[i].name, step);
			if (strcmp(cases[i].name, "NUL passes") == 0)
				ok(memcmp(got, "a\0b\n", 4) == 0, "%s", name);
			else
				is_str(got, cases[i].want, name);
			is_int(done, cases[i].done, name);
			is_int(len - used, cases[i].rest, name);
			free(got);
			if (len == 1)
				break;
		}
	}
}

/* test_data_long - a long line passes whole, in bounded pieces */
static void
test_data_long(void)
{
	struct smtpd_data	 d;
	struct buf		 out = BUF_INIT;
	char			 chunk[4096];
	size_t			 max = 0;

	smtpd_data_init(&d);
	memset(chunk, 'y', sizeof(chunk));
	for (int i = 0; i < 256; i++) {		/* 1 MB line */
		smtpd_data_push(&d, chunk, sizeof(chunk), &out);
		if (out.len > max)
			max = out.len;
		buf_reset(&out);
	}
	smtpd_data_push(&d, "\r\n.\r\n", 5, &out);
	ok(d.done, "data: a 1 MB line ends normally");
	is_int((long long)d.bytes, 256 * 4096 + 1, "data: all its bytes");
	ok(max <= sizeof(chunk) + 1, "data: output bounded by the input");
	buf_free(&out);
}

int
main(void)
{
	test_parse();
	test_parse_bytes();
	test_data();
	test_data_long();
	return tap_done();
}
