/*
 * deliver-local - deliver one message from stdin to local mailboxes,
 * files and commands (a mail.local(8) stand-in).  See deliver-local(8).
 * An operand is only ever a user's mailbox; a file, Maildir or command
 * target is given by a flag of its own (-w, -m, -x), never read from the
 * first byte of an operand.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "address.h"
#include "buf.h"
#include "config.h"
#include "exits.h"
#include "io.h"
#include "local.h"
#include "log.h"
#include "mbox.h"
#include "mem.h"

#define USAGE	"deliver-local [-c DIR] [-f SENDER] [-a ADDRESS] [-u USER] " \
		"[-o alias|forward|include] [-d] [-x COMMAND] [-w FILE] " \
		"[-m MAILDIR] [USER...]"
#define SPOOL_TMP	"/tmp/deliver-local.XXXXXX"
#define SPOOL_CHUNK	65536

/* sender_arg - -f's value: "" and "<>" are the null sender */
static const char *
sender_arg(char *s, struct buf *quoted)
{
	size_t	 n = strlen(s);

	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		s[n - 1] = '\0';
		s++;
	}
	if (!mbox_sender_ok(s))
		die_perm(EX_DATAERR, "5.1.7 bad sender address: control "
		    "character");
	/*
	 * Another MTA's mailbox command passes the sender unquoted (Postfix's
	 * $SENDER): "a  Mon Jan  1 00:00:00 2001 b"@x would make a From line
	 * whose first word is "a" and whose date is the sender's.  Quote it
	 * as our own queue does; a sender with quotes is taken as written.
	 */
	if (*s != '\0' && strchr(s, '"') == NULL &&
	    addr_quote(s, quoted) == 0)
		return buf_cstr(quoted);
	return s;
}

/* env_number - a non-negative integer from the environment, or dflt */
static long long
env_number(const char *name, long long dflt)
{
	const char	*v = getenv(name);
	char		*end;
	long long	 n;

	if (v == NULL || *v == '\0')
		return dflt;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < 0)
		die_perm(EX_USAGE, "5.3.5 bad %s value: %s", name, v);
	return n;
}

/*
 * spool - the message as a file we can read with pread(2)
 *
 * A regular file on stdin (a queue file) is used in place, from its
 * current offset; anything else is copied once into an unlinked file
 * in /tmp, so several targets can each read it from the start.
 */
static void
spool(struct mbox_msg *m, off_t max)
{
	struct stat	 st;
	char		 tmpl[] = SPOOL_TMP;
	char		*chunk;
	off_t		 start;
	ssize_t		 n;

	if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) &&
	    (start = lseek(STDIN_FILENO, 0, SEEK_CUR)) >= 0) {
		m->fd = STDIN_FILENO;
		m->start = start;
		m->len = st.st_size > start ? st.st_size - start : 0;
		if (max > 0 && m->len > max)
			die_perm(EX_DATAERR, "5.3.4 message too big: over "
			    "message_size_limit %lld", (long long)max);
		return;
	}
	if ((m->fd = mkstemp(tmpl)) < 0)
		die_temp("4.3.0 cannot create %s: %s", tmpl, strerror(errno));
	unlink(tmpl);
	fcntl(m->fd, F_SETFD, FD_CLOEXEC);
	chunk = malloc(SPOOL_CHUNK);
	if (chunk == NULL)
		die_nomem();
	m->start = m->len = 0;
	while ((n = read(STDIN_FILENO, chunk, SPOOL_CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_temp("4.3.0 cannot read message: %s",
			    strerror(errno));
		m->len += n;
		if (max > 0 && m->len > max)
			die_perm(EX_DATAERR, "5.3.4 message too big: over "
			    "message_size_limit %lld", (long long)max);
		if (fd_write_all(m->fd, chunk, (size_t)n) < 0)
			die_temp("%s cannot spool message: %s", errno ==
			    ENOSPC ? "4.3.1" : "4.3.0", strerror(errno));
	}
	free(chunk);
}


/* shown - how a target is shown in logs and messages */
static void
shown(const struct local_target *t, struct buf *b)
{
	buf_reset(b);
	if (t->kind == LOCAL_COMMAND)
		buf_addc(b, '|');
	buf_adds(b, t->name);
}

/* report - one log line per delivery attempt, Postfix style */
static void
report(const char *target, int status, const struct buf *why,
    const struct timespec *t0)
{
	struct timespec	 t1;
	const char	*text = strchr(buf_cstr((struct buf *)why), ' ');
	double		 delay;

	/* Under queue-run, which logs every attempt itself: stay quiet. */
	if (getenv("PIPEMAIL_QUEUE_ID") != NULL)
		return;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	delay = (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
	log_info("to=<%s>, relay=local, delay=%.2f, dsn=%.*s, status=%s (%s)",
	    target, delay, text ? (int)(text - why->s) : 0, why->s,
	    status == EX_OK ? "sent" : exit_is_soft(status) ? "deferred" :
	    "bounced", text ? text + 1 : why->s);
}

/* one - deliver to one target in this process */
static int
one(const struct local_conf *c, const struct local_target *t,
    const struct mbox_msg *m, const struct timespec *t0, struct buf *why)
{
	struct buf	 name = BUF_INIT;
	int		 status;

	buf_reset(why);
	status = local_deliver(c, t, m, why);
	shown(t, &name);
	report(buf_cstr(&name), status, why, t0);
	buf_free(&name);
	return status;
}

/*
 * many - one child per target (each may become a different user)
 *
 * Each child prints "deliver-local: TARGET: X.Y.Z text".  The result:
 * 0 when all were delivered, else 75 when any failed temporarily, else
 * the status of the first permanent failure.
 */
static int
many(const struct local_conf *c, const struct local_target *targets, int n,
    const struct mbox_msg *m, const struct timespec *t0)
{
	struct buf	 why = BUF_INIT, name = BUF_INIT;
	int		 result = EX_OK, status, wstatus;
	pid_t		 pid;

	for (int i = 0; i < n; i++) {
		shown(&targets[i], &name);
		fflush(NULL);
		if ((pid = fork()) < 0) {
			status = EX_TEMPFAIL;
			fprintf(stderr, "%s: %s: 4.3.0 cannot fork: %s\n",
			    die_progname(), buf_cstr(&name), strerror(errno));
		} else if (pid == 0) {
			status = one(c, &targets[i], m, t0, &why);
			fprintf(stderr, "%s: %s: %s\n", die_progname(),
			    buf_cstr(&name), buf_cstr(&why));
			fflush(NULL);
			_exit(status);
		} else {
			while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
				;
			status = exit_from_wait(wstatus);
			if (!WIFEXITED(wstatus))
				fprintf(stderr, "%s: %s: 4.3.0 delivery "
				    "process killed by signal %d\n",
				    die_progname(), buf_cstr(&name),
				    WTERMSIG(wstatus));
		}
		if (status != EX_OK && exit_is_soft(status))
			result = EX_TEMPFAIL;
		else if (status != EX_OK && result == EX_OK)
			result = status;
	}
	buf_free(&why);
	buf_free(&name);
	return result;
}

/* add_target - one more target of a kind; the list grows as needed */
static void
add_target(struct local_target **v, int *n, enum local_kind kind,
    const char *name)
{
	if (*name == '\0')
		die_usage(USAGE);
	*v = xreallocarray(*v, (size_t)*n + 1, sizeof(**v));
	(*v)[*n].kind = kind;
	(*v)[*n].origin = LOCAL_FROM_RECIPIENT;
	(*v)[*n].name = name;
	(*n)++;
}

int
main(int argc, char **argv)
{
	struct local_conf c = {0};
	struct mbox_msg	 m = {0};
	struct timespec	 t0;
	struct buf	 why = BUF_INIT;
	struct local_target *targets = NULL;
	struct buf	 sender = BUF_INIT;	/* -f's value, quoted */
	enum local_origin origin = LOCAL_FROM_ALIAS;
	const char	*dir = NULL;
	int		 ch, status, n = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	die_set_progname(argv[0]);
	m.sender = "";
	while ((ch = getopt(argc, argv, "a:c:df:m:o:u:w:x:")) != -1) {
		switch (ch) {
		case 'a':
			/* It becomes Delivered-To: one line, no header more. */
			if (!mbox_sender_ok(optarg))
				die_perm(EX_DATAERR, "5.1.3 bad recipient "
				    "address: control character");
			c.address = optarg;
			break;
		case 'c':
			dir = optarg;
			break;
		case 'd':	/* mail.local's "deliver": the default */
			break;
		case 'f':
			m.sender = sender_arg(optarg, &sender);
			break;
		case 'm':
			add_target(&targets, &n, LOCAL_MAILDIR, optarg);
			break;
		case 'o':
			if (local_origin_parse(optarg, &origin) < 0 ||
			    origin == LOCAL_FROM_RECIPIENT)
				die_usage(USAGE);
			break;
		case 'u':
			c.privs = optarg;
			break;
		case 'w':
			add_target(&targets, &n, LOCAL_FILE, optarg);
			break;
		case 'x':
			add_target(&targets, &n, LOCAL_COMMAND, optarg);
			break;
		default:
			die_usage(USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	/* Flags name files and commands (of origin -o); operands users. */
	for (int i = 0; i < n; i++)
		targets[i].origin = origin;
	for (int i = 0; i < argc; i++)
		add_target(&targets, &n, LOCAL_MAILBOX, argv[i]);
	if (n < 1)
		die_usage(USAGE);

	cfg_load(dir);
	log_open("deliver-local", cfg_get("maillog_file"));
	if (local_conf_load(&c, &why) < 0)
		die_perm(EX_CONFIG, "5.3.5 %s", buf_cstr(&why));
	m.when = (time_t)env_number("PIPEMAIL_TIME", (long long)time(NULL));
	m.pause_midway = getenv("PIPEMAIL_TEST_PAUSE_MIDWAY") != NULL;
	spool(&m, (off_t)cfg_get_size("message_size_limit"));

	if (n > 1) {
		status = many(&c, targets, n, &m, &t0);
		free(targets);
		buf_free(&sender);
		return status;
	}
	status = one(&c, &targets[0], &m, &t0, &why);
	if (status != EX_OK)
		die_perm(status, "%s", buf_cstr(&why));
	/* queue-run takes the last line of output as the verdict. */
	if (getenv("PIPEMAIL_QUEUE_ID") != NULL)
		printf("%s\n", buf_cstr(&why));
	buf_free(&why);
	buf_free(&sender);
	free(targets);
	return EX_OK;
}
