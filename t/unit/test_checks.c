/* test_checks - header_checks and body_checks: the seed's, every action */
#include "checks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "file.h"
#include "log.h"
#include "tap.h"

static char	 tmpdir[] = "/tmp/pm-test-checks-XXXXXX";

/* Rules for every action, and a pattern that runs out of match steps. */
static const char	 actions_text[] =
    "/^X-Reject-Plain:/      REJECT\n"
    "/^X-Reject-Code:/       REJECT 5.7.9 not here\n"
    "/^X-Defer:/             DEFER\n"
    "/^X-Defer-Text:/        DEFER 4.3.2 later please\n"
    "/^X-Discard:/           DISCARD spam\n"
    "/^X-Hold:/              HOLD look at it\n"
    "/^X-Warn:/              WARN odd header\n"
    "/^X-Info:/              INFO fyi\n"
    "/^X-Ignore:/            IGNORE\n"
    "/^X-Dunno:/             DUNNO\n"
    "/^X-Ok:/                OK\n"
    "/^X-Prepend:/           PREPEND X-Seen: yes\n"
    "/^X-Bogus:/             FROBNICATE\n"
    "/^X-Folded:.*\\n\\s+second/  REJECT folded\n"
    "/^X-Anchor: one$/       REJECT anchored\n"
    "/^X-Multi:.*\\n^\\s+tail$/m REJECT multi-line\n"
    "/^X-Slow: (a+)+$/       REJECT slow\n"
    "/^body-ignore$/         IGNORE\n"
    "/^body-reject$/         REJECT body says no\n";

struct ccase {
	const char		*name;
	int			 body;		/* 1: checks_body() */
	const char		*text;
	enum check_action	 want;
	const char		*want_text;
};

#define SLOW	"X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"

static const struct ccase seed_cases[] = {
	{ "seed: Subject 5 Minute Auto Loan", 0,
	    "Subject: 5 Minute Auto Loan", CHECK_REJECT,
	    "I can\xe2\x80\x99t except mail from you!!." },
	{ "seed: Subject with more text, any case", 0,
	    "subject: 5 minute auto loan approved!", CHECK_REJECT,
	    "I can\xe2\x80\x99t except mail from you!!." },
	{ "seed: From khatun", 0, "From: khatun@123.net.ae", CHECK_REJECT,
	    "Your PC is Virus Infected, Clean it first." },
	{ "seed: folded Subject still matches its first line", 0,
	    "Subject: 5 Minute Auto Loan\n\tfor you", CHECK_REJECT,
	    "I can\xe2\x80\x99t except mail from you!!." },
	{ "seed: Subject folded inside the pattern does not match", 0,
	    "Subject: 5 Minute\n Auto Loan", CHECK_NONE, "" },
	{ "seed: other Subject", 0, "Subject: hello", CHECK_NONE, "" },
	{ "seed: pattern must start the header", 0,
	    "X-Subject: 5 Minute Auto Loan", CHECK_NONE, "" },
	{ "seed: body line", 1, "Your Place Can Be Improved today",
	    CHECK_REJECT, "You are BLOCKED on Our Network." },
	{ "seed: body, last rule", 1, "Young Teen Bitches", CHECK_REJECT,
	    "You are BLOCKED on Our Network." },
	{ "seed: clean body line", 1, "Dear friend,", CHECK_NONE, "" },
	{ "seed: headers are not body", 1, "Subject: 5 Minute Auto Loan",
	    CHECK_NONE, "" },
};

static const struct ccase action_cases[] = {
	{ "REJECT, default text", 0, "X-Reject-Plain: 1", CHECK_REJECT,
	    "5.7.1 message content rejected" },
	{ "REJECT with a status code", 0, "X-Reject-Code: 1", CHECK_REJECT,
	    "5.7.9 not here" },
	{ "DEFER, default text", 0, "X-Defer: 1", CHECK_DEFER,
	    "4.7.1 message content deferred" },
	{ "DEFER with text", 0, "X-Defer-Text: 1", CHECK_DEFER,
	    "4.3.2 later please" },
	{ "DISCARD", 0, "X-Discard: 1", CHECK_DISCARD, "spam" },
	{ "HOLD", 0, "X-Hold: 1", CHECK_HOLD, "look at it" },
	{ "WARN", 0, "X-Warn: 1", CHECK_WARN, "odd header" },
	{ "INFO is a warning", 0, "X-Info: 1", CHECK_WARN, "fyi" },
	{ "IGNORE a header", 0, "X-Ignore: 1", CHECK_IGNORE, "" },
	{ "DUNNO", 0, "X-Dunno: 1", CHECK_NONE, "" },
	{ "OK", 0, "X-Ok: 1", CHECK_NONE, "" },
	{ "PREPEND is not supported", 0, "X-Prepend: 1", CHECK_NONE, "" },
	{ "unknown action", 0, "X-Bogus: 1", CHECK_ERROR,
	    "4.3.5 content filter configuration error" },
	{ "a pattern across the fold", 0, "X-Folded: first\n  second",
	    CHECK_REJECT, "folded" },
	{ "$ ends the logical header", 0, "X-Anchor: one\n two", CHECK_NONE,
	    "" },
	{ "$ without a fold", 0, "X-Anchor: one", CHECK_REJECT, "anchored" },
	{ "the m flag sees lines", 0, "X-Multi: head\n tail", CHECK_REJECT,
	    "multi-line" },
	{ "a table error is temporary", 0, SLOW, CHECK_ERROR,
	    "4.3.0 content filter lookup failure" },
	{ "IGNORE a body line: not supported", 1, "body-ignore", CHECK_NONE,
	    "" },
	{ "body REJECT", 1, "body-reject", CHECK_REJECT, "body says no" },
	{ "empty body line", 1, "", CHECK_NONE, "" },
};

/* load - a configuration; 0 or -1 */
static int
load(const char *text)
{
	struct buf	 err = BUF_INIT;
	int		 rc = cfg_load_text(text, strlen(text), "main.cf", &err);

	if (rc < 0)
		ok(0, "configuration: %s", buf_cstr(&err));
	buf_free(&err);
	return rc;
}

/* run_cases - a table of cases against one configuration */
static void
run_cases(const char *cf, const struct ccase *c, size_t n)
{
	struct buf	 err = BUF_INIT, text = BUF_INIT;
	struct checks	*ck;

	if (load(cf) < 0)
		return;
	if ((ck = checks_open(&err)) == NULL) {
		ok(0, "checks_open: %s", buf_cstr(&err));
		buf_free(&err);
		return;
	}
	ok(checks_active(ck), "tables are active");
	for (size_t i = 0; i < n; i++) {
		enum check_action	 a;
		char			 name[160];

		a = c[i].body ? checks_body(ck, c[i].text, strlen(c[i].text),
		    &text) : checks_header(ck, c[i].text, strlen(c[i].text),
		    &text);
		snprintf(name, sizeof(name), "%s: action", c[i].name);
		is_int(a, c[i].want, name);
		snprintf(name, sizeof(name), "%s: text", c[i].name);
		is_str(buf_cstr(&text), c[i].want_text, name);
	}
	checks_close(ck);
	buf_free(&err);
	buf_free(&text);
}

/* test_none - no tables: nothing is active, nothing matches */
static void
test_none(void)
{
	struct buf	 err = BUF_INIT, text = BUF_INIT;
	struct checks	*ck;

	if (load("myhostname = mx.example.test\n") < 0)
		return;
	ck = checks_open(&err);
	ok(ck != NULL && !checks_active(ck), "no tables: inactive");
	if (ck != NULL)
		is_int(checks_header(ck, "Subject: x", 10, &text), CHECK_NONE,
		    "no tables: no action");
	checks_close(ck);
	buf_free(&err);
	buf_free(&text);
}

/* test_bad_table - a table that cannot be opened fails the open */
static void
test_bad_table(void)
{
	struct buf	 err = BUF_INIT;
	struct checks	*ck;

	if (load("header_checks = regexp:/nonexistent/header_checks\n") < 0)
		return;
	ck = checks_open(&err);
	ok(ck == NULL, "missing table: open fails");
	ok(strncmp(buf_cstr(&err), "header_checks: ", 15) == 0,
	    "  naming the parameter: %s", buf_cstr(&err));
	checks_close(ck);
	buf_free(&err);
}

/* test_size_limit - only the first body_checks_size_limit bytes */
static void
test_size_limit(const char *actions)
{
	struct buf	 err = BUF_INIT, text = BUF_INIT, cf = BUF_INIT;
	struct checks	*ck;
	static const char line[] = "body-reject";

	buf_printf(&cf, "body_checks = pcre:%s\nbody_checks_size_limit = 20\n",
	    actions);
	if (load(cf.s) < 0) {
		buf_free(&cf);
		return;
	}
	buf_free(&cf);
	if ((ck = checks_open(&err)) == NULL) {
		ok(0, "size limit: open: %s", buf_cstr(&err));
		buf_free(&err);
		return;
	}
	is_int(checks_body(ck, "0123456789012345678", 19, &text), CHECK_NONE,
	    "size limit: first 20 bytes checked");
	is_int(checks_body(ck, line, sizeof(line) - 1, &text), CHECK_NONE,
	    "size limit: later lines are not");
	checks_reset(ck);
	is_int(checks_body(ck, line, sizeof(line) - 1, &text), CHECK_REJECT,
	    "size limit: checks_reset() starts again");
	is_int(checks_body(ck, "01234567890", 11, &text), CHECK_NONE,
	    "size limit: fill it");
	is_int(checks_header(ck, "Subject: x", 10, &text), CHECK_NONE,
	    "size limit: a header (the next message)");
	is_int(checks_body(ck, line, sizeof(line) - 1, &text), CHECK_REJECT,
	    "size limit: starts again too");
	checks_close(ck);
	buf_free(&err);
	buf_free(&text);
}

int
main(void)
{
	struct buf	 path = BUF_INIT, cf = BUF_INIT;
	int		 rc;

	/* Relative table names in main.cf are relative to the config
	 * directory: here, the top of the tree, where the tests run. */
	setenv("MAIL_CONFIG", ".", 1);
	log_open("test_checks", "/dev/null");
	if (mkdtemp(tmpdir) == NULL) {
		ok(0, "temporary directory");
		return tap_done();
	}
	buf_reset(&path);
	buf_printf(&path, "%s/actions", tmpdir);
	if (file_replace(path.s, actions_text, sizeof(actions_text) - 1,
	    0644) < 0) {
		ok(0, "temporary file");
		return tap_done();
	}
	run_cases("header_checks = regexp:t/data/seed-header_checks\n"
	    "body_checks = regexp:t/data/seed-body_checks\n", seed_cases,
	    sizeof(seed_cases) / sizeof(seed_cases[0]));
	run_cases("header_checks = pcre:t/data/seed-header_checks\n"
	    "body_checks = pcre:t/data/seed-body_checks\n", seed_cases,
	    sizeof(seed_cases) / sizeof(seed_cases[0]));
	buf_printf(&cf, "header_checks = pcre:%s\nbody_checks = pcre:%s\n",
	    path.s, path.s);
	run_cases(cf.s, action_cases, sizeof(action_cases) /
	    sizeof(action_cases[0]));
	test_none();
	test_bad_table();
	test_size_limit(path.s);
	rc = tap_done();
	unlink(path.s);
	rmdir(tmpdir);
	buf_free(&path);
	buf_free(&cf);
	return rc;
}
