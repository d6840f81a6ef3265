/* test_dsn - delivery status notifications and agent verdicts */
#include "dsn.h"

#include <string.h>
#include <sys/wait.h>

#include "buf.h"
#include "exits.h"
#include "proc.h"
#include "tap.h"

static void
test_compose(void)
{
	static const char orig[] = "Subject: hello\nFrom: a@x\n\nbody text\n";
	struct dsn_rcpt	 rc[2] = {
		{"bob@example.org", "rfc822;Bob@example.org", "failed",
		    "5.1.1", "5.1.1 user unknown"},
		{"carol@example.org", NULL, "failed", "5.2.2",
		    "5.2.2 mailbox full"},
	};
	struct dsn_report r = {
		"mx.example.test", "ABC123", "MAILER-DAEMON@mx.example.test",
		"a@x", "env-1", "", 1700000000, 1700000100, rc, 2, orig,
		sizeof(orig) - 1,
	};
	struct buf	 out = BUF_INIT;
	const char	*s;

	dsn_compose(&out, &r);
	s = buf_cstr(&out);
	ok(strstr(s, "To: a@x\n") != NULL, "report goes to the sender");
	ok(strstr(s, "Content-Type: multipart/report; "
	    "report-type=delivery-status;") != NULL, "RFC 3464 multipart");
	ok(strstr(s, "Subject: Undelivered Mail Returned to Sender\n") !=
	    NULL, "failure subject");
	ok(strstr(s, "Content-Type: message/delivery-status\n") != NULL,
	    "delivery-status part");
	ok(strstr(s, "Reporting-MTA: dns; mx.example.test\n") != NULL,
	    "Reporting-MTA");
	ok(strstr(s, "Original-Envelope-Id: env-1\n") != NULL, "ENVID");
	ok(strstr(s, "Final-Recipient: rfc822; bob@example.org\n"
	    "Original-Recipient: rfc822;Bob@example.org\nAction: failed\n"
	    "Status: 5.1.1\n") != NULL, "first recipient block");
	ok(strstr(s, "Final-Recipient: rfc822; carol@example.org\n"
	    "Action: failed\nStatus: 5.2.2\n") != NULL,
	    "second recipient block, no ORCPT");
	ok(strstr(s, "Content-Type: message/rfc822\n\nSubject: hello\n") !=
	    NULL, "whole original returned by default");
	ok(strstr(s, "body text\n") != NULL, "original body included");
	ok(strstr(s, "Auto-Submitted: auto-replied\n") != NULL,
	    "Auto-Submitted (RFC 3834)");

	buf_reset(&out);
	r.ret = "HDRS";
	dsn_compose(&out, &r);
	s = buf_cstr(&out);
	ok(strstr(s, "Content-Type: text/rfc822-headers\n\nSubject: hello\n"
	    "From: a@x\n\n--") != NULL, "RET=HDRS returns the headers only");
	ok(strstr(s, "body text") == NULL, "RET=HDRS: no body");
	buf_free(&out);
}

static void
test_reason(void)
{
	static const struct {
		const char	*name;
		const char	*out;
		int		 wstatus;
		int		 want;
		const char	*reason;
	} cases[] = {
		{"success, quiet", "", 0, EX_OK, ""},
		{"own code kept",
		    "deliver-local: fatal: 5.2.2 mailbox full\n",
		    EX_CANTCREAT << 8, EX_CANTCREAT, "5.2.2 mailbox full"},
		{"temporary with its code",
		    "deliver-local: fatal: 4.2.0 lock timeout\n",
		    EX_TEMPFAIL << 8, EX_TEMPFAIL, "4.2.0 lock timeout"},
		{"code of the wrong class replaced",
		    "x: fatal: 5.1.1 odd\n", EX_TEMPFAIL << 8, EX_TEMPFAIL,
		    "4.3.0 5.1.1 odd"},
		{"no code: the table's", "something broke\n", EX_NOUSER << 8,
		    EX_NOUSER, "5.1.1 something broke"},
		{"silent failure", "", EX_NOPERM << 8, EX_NOPERM,
		    "5.7.0 permission denied"},
		{"fatal line wins over later noise",
		    "a: fatal: 5.3.0 bad\nnoise\n", EX_SOFTWARE << 8,
		    EX_SOFTWARE, "5.3.0 bad"},
		{"killed by a signal is temporary", "half", 9, EX_TEMPFAIL,
		    "4.3.0 delivery agent killed by signal 9"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf	 out = BUF_INIT, reason = BUF_INIT;

		buf_sets(&out, cases[i].out);
		is_int(proc_reason(&out, cases[i].wstatus, &reason),
		    cases[i].want, cases[i].name);
		is_str(buf_cstr(&reason), cases[i].reason, cases[i].name);
		buf_free(&out);
		buf_free(&reason);
	}
}

int
main(void)
{
	test_compose();
	test_reason();
	return tap_done();
}
