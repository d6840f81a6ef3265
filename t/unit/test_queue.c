/* test_queue - queue files: write, commit, read back, state records */
#include "queue.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "file.h"
#include "submit.h"
#include "tap.h"

static char	 qdir[] = "/tmp/pmqueueXXXXXX";

/* inject - write one message; returns its id in id (static) */
static const char *
inject(const char *sender, const char **rcpts, size_t n, const char *msg,
    int hold)
{
	static char		 id[QUEUE_ID_MAX];
	struct queue_new	 qn;
	struct queue_env	 env;
	struct queue_rcpt	 rc[8];
	struct buf		 err = BUF_INIT;

	memset(&env, 0, sizeof(env));
	memset(rc, 0, sizeof(rc));
	env.sender = (char *)sender;
	env.ret = "HDRS";
	env.envid = "abc+2Bdef";
	for (size_t i = 0; i < n; i++) {
		rc[i].addr = (char *)rcpts[i];
		rc[i].orcpt = i == 0 ? "rfc822;x@y" : "";
		rc[i].notify = i == 0 ? (QN_SUCCESS | QN_FAILURE) : 0;
	}
	env.rcpt = rc;
	env.nrcpt = n;
	if (queue_new_open(qdir, &qn, &err) < 0)
		goto fail;
	if (queue_new_write(&qn, msg, strlen(msg)) < 0 ||
	    queue_new_envelope(&qn, &env, &err) < 0) {
		queue_new_abort(&qn);
		goto fail;
	}
	if (queue_new_commit(&qn, hold, &err) < 0)
		goto fail;
	memcpy(id, qn.id, sizeof(id));
	buf_free(&err);
	return id;
fail:
	buf_free(&err);
	return NULL;
}

static int
open_q(const char *sub, const char *id)
{
	struct buf	 p = BUF_INIT;
	int		 fd;

	queue_path(&p, qdir, sub, id);
	fd = open(buf_cstr(&p), O_RDWR);
	buf_free(&p);
	return fd;
}

static void
test_roundtrip(void)
{
	const char		*rcpts[] = {"a@example.org", "b@example.org"};
	const char		*msg = "Subject: hi\n\nbody\nend\n";
	const char		*id = inject("s@example.org", rcpts, 2, msg, 0);
	struct queue_env	 env;
	struct buf		 err = BUF_INIT, data = BUF_INIT;
	int			 fd;

	ok(id != NULL, "message written and committed");
	fd = open_q("active", id);
	ok(fd >= 0, "visible in active/");
	is_int(queue_env_read(fd, &env, &err), 0, "envelope reads back");
	is_str(env.sender, "s@example.org", "sender");
	is_int((long long)env.nrcpt, 2, "two recipients");
	is_str(env.rcpt[1].addr, "b@example.org", "second recipient");
	is_str(env.rcpt[0].orcpt, "rfc822;x@y", "ORCPT kept");
	is_int(env.rcpt[0].notify, QN_SUCCESS | QN_FAILURE, "NOTIFY kept");
	is_str(env.ret, "HDRS", "RET kept");
	is_str(env.envid, "abc+2Bdef", "ENVID kept");
	is_int((long long)env.size, (long long)strlen(msg), "size");
	buf_reserve(&data, (size_t)env.size);
	ok(pread(fd, data.s, (size_t)env.size, env.data_off) == env.size &&
	    memcmp(data.s, msg, strlen(msg)) == 0, "message bytes intact");
	queue_env_free(&env);

	/* State records: a defer, a done, and a torn record after them. */
	{
		const char	*r1 = "defer 0\t1700000000\t4.4.1\tconnection "
				   "refused\n";
		const char	*r2 = "done 1\tsent\t2.0.0\tdelivered\n";

		is_int(queue_append(fd, r1, strlen(r1)), 0, "append defer");
		is_int(queue_append(fd, r2, strlen(r2)), 0, "append done");
		(void)!write(fd, "done 0\tse", 9);
	}
	is_int(queue_env_read(fd, &env, &err), 0, "reads with torn tail");
	is_int(env.rcpt[0].state, QR_DEFERRED, "first deferred");
	is_str(env.rcpt[0].reason, "connection refused", "defer reason");
	is_int((long long)env.rcpt[0].last_try, 1700000000, "defer time");
	is_int(env.rcpt[1].state, QR_SENT, "second sent");
	is_int(env.ndefers, 1, "one defer counted");
	queue_env_free(&env);

	/* An alias expansion adds routed recipients after the last. */
	{
		const char	*r3 = "expand 0\tmailbox\talias\t-\tcarol\t"
				   "carol@x\n"
				   "expand 0\tcommand\tforward\tnobody\t"
				   "/bin/cat\t|/bin/cat\n"
				   "done 3\tsent\t2.0.0\tok\n"
				   "expand 1\tpipe\tnobody\t|/bin/old\ta@y\n";

		if (ftruncate(fd, lseek(fd, 0, SEEK_END) - 9) < 0)
			abort();
		is_int(queue_append(fd, r3, strlen(r3)), 0, "append expand");
	}
	is_int(queue_env_read(fd, &env, &err), 0, "reads expansions");
	is_int(env.rcpt[1].state, QR_EXPANDED, "second parent expanded");
	is_int(env.rcpt[0].state, QR_EXPANDED, "parent expanded");
	is_int(env.rcpt[2].parent, 0, "child knows its parent");
	is_str(env.rcpt[2].recipient, "carol", "child is routed");
	is_str(env.rcpt[2].transport, "mailbox", "first child's kind");
	is_str(env.rcpt[2].origin, "alias", "first child's origin");
	is_str(env.rcpt[3].transport, "command", "second child's kind");
	is_str(env.rcpt[3].origin, "forward", "second child's origin");
	is_str(env.rcpt[3].nexthop, "nobody", "second child's nexthop");
	is_str(env.rcpt[3].recipient, "/bin/cat", "second child's target");
	is_str(env.rcpt[3].addr, "|/bin/cat", "second child's address");
	/* The older form, without an origin, is read with none. */
	is_int((long long)env.nrcpt, 5, "an older record adds one more");
	is_str(env.rcpt[4].transport, "pipe", "older record's transport");
	ok(env.rcpt[4].origin == NULL, "older record: no origin");
	is_str(env.rcpt[4].recipient, "|/bin/old", "older record's target");
	is_str(env.rcpt[4].addr, "a@y", "older record's address");
	is_int(env.rcpt[3].state, QR_SENT, "done record names a child");
	is_str(env.rcpt[2].orcpt, "rfc822;x@y", "child inherits ORCPT");
	queue_env_free(&env);
	close(fd);
	buf_free(&err);
	buf_free(&data);
}

static void
test_bad(void)
{
	const char		*bad_rcpt[] = {"a\nb@example.org"};
	const char		*tab_rcpt[] = {"a\tb@example.org"};
	const char		*rcpts[] = {"a@example.org"};
	const char		*id;
	struct queue_env	 env;
	struct buf		 err = BUF_INIT;
	int			 fd;

	ok(inject("s@x", bad_rcpt, 1, "x\n", 0) == NULL,
	    "newline in an address refused");
	ok(inject("s@x", tab_rcpt, 1, "x\n", 0) == NULL,
	    "tab in an address refused");
	ok(inject("s\r@x", rcpts, 1, "x\n", 0) == NULL,
	    "control character in sender refused");
	id = inject("", rcpts, 1, "x\n", 1);
	ok(id != NULL, "null sender, held");
	fd = open_q("hold", id);
	ok(fd >= 0, "held message is in hold/");
	is_int(queue_env_read(fd, &env, &err), 0, "held envelope reads");
	is_str(env.sender, "", "null sender kept");
	queue_env_free(&env);
	/* Corrupt the size: the file is refused, not misread. */
	(void)!pwrite(fd, "x", 1, 20);
	is_int(queue_env_read(fd, &env, &err), -1, "corrupt size refused");
	is_int(errno, EINVAL, "as EINVAL");
	close(fd);
	buf_free(&err);
}

/* test_damage - what the reader repairs and what it refuses */
static void
test_damage(void)
{
	static const struct {
		const char	*name;
		const char	*tail;		/* after "end" */
		int		 want;		/* 0, or -1 (EINVAL) */
		size_t		 skipped;
	} cases[] = {
		{ "a bad state record is read past", "\001garbage\n", 0, 1 },
		{ "a bad index is read past", "done 9\tsent\t2.0.0\tx\n", 0,
		    1 },
		{ "a torn last record is ignored", "defer 0\t1\t4.0.0\tto", 0,
		    0 },
		{ "a good record after a bad one counts",
		    "bogus\ndone 0\tsent\t2.0.0\tok\n", 0, 1 },
		{ "an envelope record after end is no state record",
		    "rcpt z@y\t\t0\n", 0, 1 },
	};
	const char		*rcpts[] = {"a@example.org", "b@example.org"};
	struct queue_env	 env;
	struct buf		 err = BUF_INIT;
	struct stat		 st;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char	*id = inject("s@x", rcpts, 2, "m\n", 0);
		int		 fd = id ? open_q("active", id) : -1;

		ok(fd >= 0, "%s: queued", cases[i].name);
		if (fd < 0)
			continue;
		(void)!pwrite(fd, cases[i].tail, strlen(cases[i].tail),
		    lseek(fd, 0, SEEK_END));
		ok(queue_env_read(fd, &env, &err) == cases[i].want,
		    "%s", cases[i].name);
		ok(env.nskipped == cases[i].skipped, "%s: counted",
		    cases[i].name);
		ok(env.nrcpt == 2, "%s: the envelope stands", cases[i].name);
		ok(queue_env_check(&env, &err) < 0 || cases[i].skipped == 0,
		    "%s: never a clean submission", cases[i].name);
		queue_env_free(&env);
		close(fd);
	}

	/* A size larger than the file: refused, not read past the end. */
	{
		const char	*id = inject("s@x", rcpts, 1, "m\n", 0);
		int		 fd = open_q("active", id);

		ok(fstat(fd, &st) == 0, "stat");
		(void)!ftruncate(fd, 40);
		is_int(queue_env_read(fd, &env, &err), -1, "cut short refused");
		is_int(errno, EINVAL, "as EINVAL");
		(void)!pwrite(fd, "99999999999999999999", 20,
		    (off_t)strlen("pipemail-queue 1\nsize "));
		is_int(queue_env_read(fd, &env, &err), -1, "huge size refused");
		is_int(errno, EINVAL, "as EINVAL");
		close(fd);
	}
	buf_free(&err);
}

/* test_env_check - queue_env_check() over a table of envelopes */
static void
test_env_check(void)
{
	static const struct {
		const char	*name, *sender, *ret, *envid, *addr, *orcpt;
		int		 notify, state;
		const char	*want;		/* the code, or NULL: fine */
	} cases[] = {
		{ "plain", "s@x", "", NULL, "a@y", "", 0, 0, NULL },
		{ "null sender", "", "FULL", "id+2B1", "a@y", "rfc822;a@y",
		    QN_SUCCESS | QN_FAILURE | QN_DELAY, 0, NULL },
		{ "NEVER alone", "s@x", "HDRS", NULL, "a@y", "", QN_NEVER, 0,
		    NULL },
		{ "sender ctl", "s\001@x", "", NULL, "a@y", "", 0, 0, "5.1.7" },
		{ "RET lower", "s@x", "full", NULL, "a@y", "", 0, 0, "5.5.4" },
		{ "RET newline", "s@x", "FULL\nexpand", NULL, "a@y", "", 0, 0,
		    "5.5.4" },
		{ "ENVID space", "s@x", "", "a b", "a@y", "", 0, 0, "5.5.4" },
		{ "empty rcpt", "s@x", "", NULL, "", "", 0, 0, "5.1.3" },
		{ "rcpt tab", "s@x", "", NULL, "a\t@y", "", 0, 0, "5.1.3" },
		{ "ORCPT ctl", "s@x", "", NULL, "a@y", "x\r", 0, 0, "5.5.4" },
		{ "NOTIFY bits", "s@x", "", NULL, "a@y", "", 16, 0, "5.5.4" },
		{ "NEVER and more", "s@x", "", NULL, "a@y", "",
		    QN_NEVER | QN_DELAY, 0, "5.5.4" },
		{ "state", "s@x", "", NULL, "a@y", "", 0, QR_SENT, "5.6.0" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct queue_env	 env;
		struct queue_rcpt	 rc;
		struct buf		 err = BUF_INIT;
		int			 r;

		memset(&env, 0, sizeof(env));
		memset(&rc, 0, sizeof(rc));
		env.sender = (char *)cases[i].sender;
		env.ret = (char *)cases[i].ret;
		env.envid = (char *)cases[i].envid;
		rc.addr = (char *)cases[i].addr;
		rc.orcpt = (char *)cases[i].orcpt;
		rc.notify = cases[i].notify;
		rc.state = (enum queue_rcpt_state)cases[i].state;
		env.rcpt = &rc;
		env.nrcpt = 1;
		r = queue_env_check(&env, &err);
		if (cases[i].want == NULL)
			is_int(r, 0, cases[i].name);
		else
			ok(r == -1 && strncmp(buf_cstr(&err), cases[i].want,
			    5) == 0, "%s", cases[i].name);
		buf_free(&err);
	}
}

/* parse - queue_env_parse() on n bytes; the status, env and hold filled */
static int
parse(const char *s, size_t n, struct queue_env *env, int *hold,
    struct buf *why)
{
	memset(env, 0, sizeof(*env));
	*hold = 0;
	buf_reset(why);
	return queue_env_parse(s, n, env, hold, why);
}

/*
 * test_env_parse - the records sendmail (submit_envelope) and smtp-listen
 * write parse back to the envelope they came from; bad records refused
 * with queue-inject's statuses
 */
static void
test_env_parse(void)
{
	/* smtpd.c's records: F, R, E, per RCPT "T" with ORCPT and NOTIFY
	 * when either was given, "H" for a HOLD, then the empty record. */
	static const char smtpd[] = "Fs@x.test\0Rhdrs\0Eid+2B1\0"
	    "Ta@x.test\0Tb@x.test\trfc822;B@X.TEST\t0\0"
	    "Tc@x.test\t\t6\0H\0";
	static const struct {
		const char	*name;
		const char	*in;
		size_t		 len;
		int		 want;
		const char	*why;
	} bad[] = {
		{"empty input", "", 0, EX_TEMPFAIL, "4.3.0"},
		{"unterminated record", "Fs@x.test\0Ta@x.test", 19,
		    EX_TEMPFAIL, "4.3.0"},
		{"no closing record", "Fs@x.test\0Ta@x.test\0", 20,
		    EX_TEMPFAIL, "4.3.0"},
		{"closing record before a recipient", "Fs@x.test\0\0", 11,
		    EX_TEMPFAIL, "4.3.0"},
		{"closing record before the sender", "Ta@x.test\0\0", 11,
		    EX_TEMPFAIL, "4.3.0"},
		{"unknown record", "Fs@x.test\0Xy\0Ta@x.test\0\0", 24,
		    EX_DATAERR, "5.6.0"},
		{"sender twice", "Fs@x.test\0Ft@x.test\0Ta@x.test\0\0", 31,
		    EX_DATAERR, "5.6.0"},
		{"H with a value", "Fs@x.test\0Hx\0Ta@x.test\0\0", 24,
		    EX_DATAERR, "5.6.0"},
		{"NOTIFY not decimal", "Fs@x.test\0Ta@x.test\t\tx\0\0", 24,
		    EX_DATAERR, "5.6.0"},
		{"NOTIFY too long", "Fs@x.test\0Ta@x.test\t\t100\0\0", 26,
		    EX_DATAERR, "5.6.0"},
		{"NOTIFY empty", "Fs@x.test\0Ta@x.test\t\t\0\0", 23,
		    EX_DATAERR, "5.6.0"},
		{"NOTIFY NEVER and SUCCESS", "Fs@x.test\0Ta@x.test\t\t3\0\0",
		    24, EX_DATAERR, "5.5.4"},
		{"RET not FULL or HDRS", "Fs@x.test\0Rsome\0Ta@x.test\0\0", 27,
		    EX_DATAERR, "5.5.4"},
		{"control in the sender", "Fs\r@x.test\0Ta@x.test\0\0", 22,
		    EX_DATAERR, "5.1.7"},
		{"empty recipient", "Fs@x.test\0T\0\0", 13, EX_DATAERR,
		    "5.1.3"},
		{"ENVID with a space", "Fs@x.test\0Ea b\0Ta@x.test\0\0", 26,
		    EX_DATAERR, "5.5.4"},
	};
	struct submit_rcpts	 l;
	struct queue_env	 env;
	struct buf		 b = BUF_INIT, why = BUF_INIT;
	int			 hold;

	/* sendmail's writer */
	submit_rcpts_init(&l);
	submit_rcpts_add(&l, "a@x.test");
	submit_rcpts_add(&l, "b@x.test");
	ok(submit_envelope(&b, "s@x.test", "FULL", "id+2B1", &l,
	    QN_SUCCESS | QN_DELAY, &why) == 0, "submit_envelope writes");
	is_int(parse(b.s, b.len, &env, &hold, &why), 0,
	    "sendmail's envelope parses");
	is_str(env.sender, "s@x.test", "sender back");
	is_str(env.ret, "FULL", "RET back");
	is_str(env.envid, "id+2B1", "ENVID back");
	is_int((long long)env.nrcpt, 2, "two recipients back");
	ok(env.nrcpt == 2 && strcmp(env.rcpt[0].addr, "a@x.test") == 0 &&
	    strcmp(env.rcpt[1].addr, "b@x.test") == 0 &&
	    *env.rcpt[0].orcpt == '\0' &&
	    env.rcpt[0].notify == (QN_SUCCESS | QN_DELAY) &&
	    env.rcpt[1].notify == (QN_SUCCESS | QN_DELAY),
	    "recipients, no ORCPT, NOTIFY back");
	is_int(hold, 0, "no hold");
	is_int(queue_env_check(&env, &why), 0, "and it passes the check");
	queue_env_free(&env);

	buf_reset(&b);
	ok(submit_envelope(&b, "", NULL, NULL, &l, 0, &why) == 0,
	    "submit_envelope, null sender");
	is_int(parse(b.s, b.len, &env, &hold, &why), 0,
	    "null sender parses");
	ok(env.sender != NULL && *env.sender == '\0' && env.ret == NULL &&
	    env.envid == NULL && env.nrcpt == 2 && env.rcpt[1].notify == 0,
	    "null sender, no RET, no ENVID, NOTIFY not given");
	queue_env_free(&env);

	/* smtp-listen's writer */
	is_int(parse(smtpd, sizeof(smtpd), &env, &hold, &why), 0,
	    "smtp-listen's envelope parses");
	is_str(env.ret, "HDRS", "RET in any case, made upper case");
	ok(env.nrcpt == 3 &&
	    strcmp(env.rcpt[1].orcpt, "rfc822;B@X.TEST") == 0 &&
	    env.rcpt[1].notify == 0 && *env.rcpt[2].orcpt == '\0' &&
	    env.rcpt[2].notify == (QN_SUCCESS | QN_FAILURE),
	    "ORCPT and NOTIFY back");
	is_int(hold, 1, "H record: hold");
	queue_env_free(&env);

	/* Bytes after the closing record are not read (the -s stream's). */
	is_int(parse("Fs@x.test\0Ta@x.test\0\0junk", 25, &env, &hold, &why),
	    0, "the closing record ends the envelope");
	queue_env_free(&env);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int	 r = parse(bad[i].in, bad[i].len, &env, &hold, &why);

		ok(r == bad[i].want && strncmp(buf_cstr(&why), bad[i].why,
		    strlen(bad[i].why)) == 0, "refused: %s (%d %s)",
		    bad[i].name, r, buf_cstr(&why));
		queue_env_free(&env);
	}
	ok(queue_env_parse(NULL, 0, memset(&env, 0, sizeof(env)), &hold,
	    &why) == EX_TEMPFAIL, "no input at all");
	queue_env_free(&env);

	/* Many recipients: all kept, in order, across the array's growth. */
	buf_reset(&b);
	buf_printf(&b, "Fs@x.test%c", 0);
	for (int i = 0; i < 5000; i++)
		buf_printf(&b, "Tr%d@x.test%c", i, 0);
	buf_addc(&b, '\0');
	is_int(parse(b.s, b.len, &env, &hold, &why), 0,
	    "5000 recipients parse");
	{
		int	 inorder = env.nrcpt == 5000;
		char	 want[32];

		for (size_t i = 0; inorder && i < env.nrcpt; i++) {
			snprintf(want, sizeof(want), "r%zu@x.test", i);
			inorder = strcmp(env.rcpt[i].addr, want) == 0 &&
			    env.rcpt[i].notify == 0 &&
			    *env.rcpt[i].orcpt == '\0';
		}
		ok(inorder, "all 5000 kept, in order");
	}
	queue_env_free(&env);
	submit_rcpts_free(&l);
	buf_free(&b);
	buf_free(&why);
}

/* test_trusted - queue_file_trusted() on the descriptor */
static void
test_trusted(void)
{
	const char	*rcpts[] = {"a@example.org"};
	const char	*id = inject("s@x", rcpts, 1, "x\n", 0);
	struct buf	 a = BUF_INIT, b = BUF_INIT;
	int		 fd = open_q("active", id);

	ok(queue_file_trusted(fd, geteuid()), "our own file is trusted");
	ok(!queue_file_trusted(fd, geteuid() + 1), "another owner's is not");
	fchmod(fd, 0620);
	ok(!queue_file_trusted(fd, geteuid()), "group-writable is not");
	fchmod(fd, 0600);
	queue_path(&a, qdir, "active", id);
	queue_path(&b, qdir, "hold", "link");
	ok(link(buf_cstr(&a), buf_cstr(&b)) == 0 &&
	    !queue_file_trusted(fd, geteuid()), "a second link is not");
	unlink(buf_cstr(&b));
	ok(queue_file_trusted(fd, geteuid()), "one link again: trusted");
	buf_free(&a);
	buf_free(&b);
	close(fd);
}

static void
test_tmp_clean(void)
{
	struct buf	 p = BUF_INIT;
	struct queue_new qn;
	int		 n = 0;
	FILE		*ls;
	char		 line[256];

	queue_new_open(qdir, &qn, NULL);
	queue_new_write(&qn, "x\n", 2);
	queue_new_abort(&qn);
	buf_printf(&p, "ls %s/tmp | wc -l", qdir);
	ls = popen(buf_cstr(&p), "r");
	if (ls && fgets(line, sizeof(line), ls))
		n = atoi(line);
	if (ls)
		pclose(ls);
	is_int(n, 0, "abort leaves nothing in tmp/");
	buf_free(&p);
}

int
main(void)
{
	struct buf	 err = BUF_INIT, cmd = BUF_INIT;
	struct stat	 st;

	if (mkdtemp(qdir) == NULL)
		abort();
	is_int(queue_layout(qdir, &err), 0, "layout made");
	buf_printf(&cmd, "%s/trigger", qdir);
	ok(stat(buf_cstr(&cmd), &st) == 0 && S_ISFIFO(st.st_mode),
	    "trigger is a FIFO");
	is_int(queue_layout(qdir, &err), 0, "layout again is harmless");
	test_roundtrip();
	test_bad();
	test_damage();
	test_env_check();
	test_env_parse();
	test_trusted();
	test_tmp_clean();
	buf_reset(&cmd);
	buf_printf(&cmd, "rm -rf %s", qdir);
	(void)!system(buf_cstr(&cmd));
	buf_free(&cmd);
	buf_free(&err);
	return tap_done();
}
