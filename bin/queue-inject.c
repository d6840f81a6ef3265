/*
 * queue-inject - put one message and its envelope into the spool, durably.
 *
 * The message comes on standard input.  The envelope comes from the
 * command line (-f SENDER RCPT...) or, with -e FD, from descriptor FD
 * after the message, in records ending in NUL: "Fsender", optional
 * "Rret" and "Eenvid", "Trcpt[<TAB>orcpt<TAB>notify]" per recipient, "H"
 * to put the message on hold, and an empty record.  An envelope that
 * does not end properly means the writer died: nothing is queued.  On success the queue id is printed on
 * standard output and the exit status is 0 only after the file and its
 * directory are fsynced.
 */
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "exits.h"
#include "header.h"
#include "io.h"
#include "log.h"
#include "mem.h"
#include "priv.h"
#include "queue.h"

#define USAGE	"queue-inject [-c DIR] [-h] [-e FD | -f SENDER RCPT...] " \
		"[-p PROTOCOL] [-r FROM-CLAUSE]"
#define LINE_MAX_OCTETS	998		/* RFC 5322 2.1.1 */
#define ENVELOPE_MAX	(4 * 1024 * 1024)
#define COPY_CHUNK	65536

/* The message copier: CRLF to LF, long lines broken, size and hops. */
struct copy {
	struct queue_new *qn;
	struct buf	 out;
	size_t		 col;		/* bytes on the current line */
	int		 in_head;	/* still in the header section */
	int		 cr;		/* a CR waits for the next byte */
	char		 start[10];	/* the first bytes of the line */
	int		 hops;
	long long	 total;
	long long	 limit;
};

/* copy_flush - write what the copier holds; 0 or -1 */
static int
copy_flush(struct copy *c)
{
	int	 r = queue_new_write(c->qn, c->out.s, c->out.len);

	buf_reset(&c->out);
	return r;
}

/* copy_put - append one output byte, tracking the line */
static void
copy_put(struct copy *c, char ch)
{
	buf_addc(&c->out, ch);
	c->total++;
	if (ch == '\n') {
		if (c->in_head) {
			if (c->col == 0)
				c->in_head = 0;
			else if (strncasecmp(c->start, "Received:", 9) == 0)
				c->hops++;
		}
		c->col = 0;
		return;
	}
	if (c->col < sizeof(c->start))
		c->start[c->col] = ch;
	c->col++;
}

/* copy_byte - one input byte */
static void
copy_byte(struct copy *c, char ch)
{
	if (c->cr) {
		c->cr = 0;
		if (ch == '\n') {
			copy_put(c, '\n');
			return;
		}
		copy_put(c, '\r');
	}
	if (ch == '\r') {
		c->cr = 1;
		return;
	}
	if (ch != '\n' && c->col >= LINE_MAX_OCTETS) {
		/* Break the line; in the header, as a folded line. */
		copy_put(c, '\n');
		if (c->in_head) {
			copy_put(c, ' ');
		}
	}
	copy_put(c, ch);
}

/* copy_message - stdin to the queue file; 0, or a sysexits status */
static int
copy_message(struct copy *c, struct buf *why)
{
	char	 chunk[COPY_CHUNK];
	ssize_t	 n;

	for (;;) {
		n = read(STDIN_FILENO, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf_printf(why, "4.3.0 read message: %s",
			    strerror(errno));
			return EX_TEMPFAIL;
		}
		if (n == 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			copy_byte(c, chunk[i]);
		if (c->limit > 0 && c->total > c->limit) {
			buf_adds(why, "5.3.4 message file too big");
			return EX_DATAERR;
		}
		if (c->out.len >= COPY_CHUNK && copy_flush(c) < 0)
			goto ioerr;
	}
	if (c->cr)
		copy_put(c, '\r');
	if (c->col > 0)
		copy_put(c, '\n');	/* the last line gets its newline */
	if (c->limit > 0 && c->total > c->limit) {
		buf_adds(why, "5.3.4 message file too big");
		return EX_DATAERR;
	}
	if (copy_flush(c) < 0)
		goto ioerr;
	return 0;
ioerr:
	buf_printf(why, "4.3.0 write queue file: %s", strerror(errno));
	return EX_TEMPFAIL;
}

/* env_add_rcpt - add a recipient with optional ORCPT and NOTIFY */
static void
env_add_rcpt(struct queue_env *env, const char *addr, const char *orcpt,
    int notify)
{
	struct queue_rcpt *rc;

	env->rcpt = xreallocarray(env->rcpt, env->nrcpt + 1,
	    sizeof(*env->rcpt));
	rc = &env->rcpt[env->nrcpt++];
	memset(rc, 0, sizeof(*rc));
	rc->addr = xstrdup(addr);
	rc->orcpt = xstrdup(orcpt ? orcpt : "");
	rc->notify = notify;
}

/* read_envelope - the records on fd after the message; 0 or status */
static int
read_envelope(int fd, struct queue_env *env, int *hold, struct buf *why)
{
	struct buf	 b = BUF_INIT;
	const char	*p, *end;
	int		 r = EX_DATAERR;

	if (fd_read_file(fd, &b, ENVELOPE_MAX) < 0) {
		buf_printf(why, "4.3.0 read envelope: %s", strerror(errno));
		r = EX_TEMPFAIL;
		goto out;
	}
	p = b.s ? b.s : "";
	end = p + b.len;
	while (p < end) {
		const char	*nul = memchr(p, '\0', (size_t)(end - p));
		char		*rec, *orcpt, *notify;

		if (nul == NULL)
			break;			/* unterminated: writer died */
		if (nul == p) {
			if (env->sender == NULL || env->nrcpt == 0)
				break;
			r = 0;			/* the closing empty record */
			goto out;
		}
		rec = xstrndup(p + 1, (size_t)(nul - p - 1));
		switch (*p) {
		case 'F':
			free(env->sender);
			env->sender = xstrdup(rec);
			break;
		case 'R':
			free(env->ret);
			env->ret = xstrdup(rec);
			break;
		case 'H':
			*hold = 1;
			break;
		case 'E':
			free(env->envid);
			env->envid = xstrdup(rec);
			break;
		case 'T':
			orcpt = strchr(rec, '\t');
			notify = NULL;
			if (orcpt) {
				*orcpt++ = '\0';
				notify = strchr(orcpt, '\t');
				if (notify)
					*notify++ = '\0';
			}
			env_add_rcpt(env, rec, orcpt,
			    notify ? atoi(notify) : 0);
			break;
		default:
			free(rec);
			buf_adds(why, "5.6.0 bad envelope record");
			goto out;
		}
		free(rec);
		p = nul + 1;
	}
	buf_adds(why, "4.3.0 incomplete envelope: message not queued");
	r = EX_TEMPFAIL;
out:
	buf_free(&b);
	return r;
}

/* received_header - the trace header this hop adds (RFC 5321 4.4) */
static void
received_header(struct buf *h, const char *from, const char *proto,
    const char *id, const struct queue_env *env, uid_t uid)
{
	struct buf	 date = BUF_INIT;
	time_t		 now = time(NULL);

	hdr_date(&date, now, hdr_tz_offset(now));
	if (from != NULL) {
		buf_printf(h, "Received: %s\n\tby %s (pipemail) with %s id %s",
		    from, cfg_get("myhostname"), proto, id);
		if (env->nrcpt == 1)
			buf_printf(h, "\n\tfor <%s>", env->rcpt[0].addr);
		buf_printf(h, "; %s\n", buf_cstr(&date));
	} else
		buf_printf(h, "Received: by %s (pipemail, from userid %ld)\n"
		    "\tid %s; %s\n", cfg_get("myhostname"), (long)uid,
		    id, buf_cstr(&date));
	buf_free(&date);
}

/* spool_ready - make the layout; as root, hand it to mail_owner and
 * become mail_owner, since queue-inject never runs as root. */
static void
spool_ready(const char *qdir)
{
	struct buf	 err = BUF_INIT, p = BUF_INIT;
	struct passwd	*pw = NULL;
	static const char *const sub[] = {"", "/tmp", "/active", "/hold",
	    "/trigger"};

	if (geteuid() == 0) {
		pw = getpwnam(cfg_get("mail_owner"));
		if (pw == NULL)
			die_perm(EX_CONFIG, "5.3.5 mail_owner %s: no such user",
			    cfg_get("mail_owner"));
	}
	if (queue_layout(qdir, &err) < 0)
		die_temp("4.3.0 %s", buf_cstr(&err));
	if (pw != NULL) {
		for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
			struct stat	 st;

			buf_reset(&p);
			buf_printf(&p, "%s%s", qdir, sub[i]);
			if (lstat(buf_cstr(&p), &st) == 0 &&
			    st.st_uid != pw->pw_uid &&
			    chown(buf_cstr(&p), pw->pw_uid, pw->pw_gid) < 0)
				die_temp("4.3.0 chown %s: %s", buf_cstr(&p),
				    strerror(errno));
		}
		/* The primary group only: no group database walk per message. */
		if (priv_drop(pw->pw_uid, pw->pw_gid, NULL, &err) < 0)
			die_temp("4.3.0 %s", buf_cstr(&err));
	}
	buf_free(&err);
	buf_free(&p);
}

int
main(int argc, char **argv)
{
	const char	*dir = NULL, *from = NULL, *proto = "local";
	int		 ch, envfd = -1, hold = 0, r;
	struct queue_env env;
	struct queue_new qn;
	struct copy	 c;
	struct buf	 why = BUF_INIT, head = BUF_INIT;
	char		*qdir;
	uid_t		 uid = getuid();

	die_set_progname(argv[0]);
	memset(&env, 0, sizeof(env));
	while ((ch = getopt(argc, argv, "c:e:f:hp:r:")) != -1) {
		switch (ch) {
		case 'c':
			dir = optarg;
			break;
		case 'e':
			envfd = atoi(optarg);
			if (envfd < 0 || strspn(optarg, "0123456789") !=
			    strlen(optarg))
				die_usage(USAGE);
			break;
		case 'f':
			env.sender = xstrdup(optarg);
			break;
		case 'h':
			hold = 1;
			break;
		case 'p':
			proto = optarg;
			break;
		case 'r':
			from = optarg;
			break;
		default:
			die_usage(USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (envfd >= 0 ? argc != 0 || env.sender != NULL : argc == 0)
		die_usage(USAGE);
	for (int i = 0; i < argc; i++)
		env_add_rcpt(&env, argv[i], NULL, 0);

	cfg_load(dir);
	qdir = cfg_path(cfg_get("queue_directory"));
	spool_ready(qdir);

	/* Without -f, the sender is the invoking user at myorigin. */
	if (env.sender == NULL && envfd < 0) {
		struct passwd	*pw = getpwuid(uid);

		if (pw != NULL)
			buf_printf(&why, "%s@%s", pw->pw_name,
			    cfg_get("myorigin"));
		env.sender = buf_release(&why);
	}

	if (queue_new_open(qdir, &qn, &why) < 0)
		die_temp("4.3.0 %s", buf_cstr(&why));
	received_header(&head, from, proto, qn.id, &env, uid);
	memset(&c, 0, sizeof(c));
	c.qn = &qn;
	c.in_head = 1;
	c.limit = cfg_get_size("message_size_limit");
	if (queue_new_write(&qn, head.s, head.len) < 0) {
		buf_printf(&why, "4.3.0 write queue file: %s",
		    strerror(errno));
		r = EX_TEMPFAIL;
	} else
		r = copy_message(&c, &why);
	if (r == 0 && envfd >= 0)
		r = read_envelope(envfd, &env, &hold, &why);
	if (r == 0 && c.hops >= cfg_get_int("hopcount_limit")) {
		buf_adds(&why, "5.4.6 too many hops");
		r = EX_DATAERR;
	}
	if (r == 0) {
		struct buf	 e = BUF_INIT;

		if (queue_new_envelope(&qn, &env, &e) < 0) {
			r = errno == EINVAL || errno == EFBIG ? EX_DATAERR :
			    EX_TEMPFAIL;
			buf_printf(&why, "%s %s", r == EX_DATAERR ? "5.6.0" :
			    "4.3.0", buf_cstr(&e));
		}
		buf_free(&e);
	}
	if (r == 0 && queue_new_commit(&qn, hold, &why) < 0)
		die_temp("4.3.0 %s", buf_cstr(&why));
	if (r != 0) {
		queue_new_abort(&qn);
		die_perm(r, "%s", buf_cstr(&why));
	}
	log_info("%s: from=<%s>, size=%lld, nrcpt=%zu (queue %s)", qn.id,
	    env.sender, c.total + (long long)head.len, env.nrcpt,
	    hold ? "hold" : "active");
	queue_trigger(qdir, qn.id);
	printf("%s\n", qn.id);

	/* Clean up. */
	queue_env_free(&env);
	buf_free(&c.out);
	buf_free(&head);
	buf_free(&why);
	free(qdir);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}
