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
 *
 * With -s it serves one message after another on standard input, for a
 * long-lived caller such as smtp-listen: per message an "M" line with
 * the hold flag, protocol and from-clause, "D<length>" lines each
 * followed by that many bytes of the message, then "E" and the envelope
 * records as with -e; or "A" to give the message up.  Each message is
 * answered with one line, "STATUS TEXT": 0 and the queue id once the
 * message is durable, else a sysexits status and the reason.
 */
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
#include "qspace.h"
#include "queue.h"

#define USAGE	"queue-inject [-c DIR] [-h] [-e FD | -f SENDER RCPT... | -s] " \
		"[-p PROTOCOL] [-r FROM-CLAUSE]"
#define LINE_MAX_OCTETS	998		/* RFC 5322 2.1.1 */
#define ENVELOPE_MAX	(4 * 1024 * 1024)
#define COPY_CHUNK	65536
#define FRAME_LINE_MAX	2048		/* an M, D, E or A line of -s */

/* Where the message comes from: standard input to its end, or -s frames. */
struct source {
	struct io	*io;		/* -s: the framed stream, else NULL */
	long long	 left;		/* -s: bytes left in this D frame */
	int		 ended;		/* -s: "E" read: the envelope follows */
	int		 aborted;	/* -s: "A" read, or the stream broke */
	int		 broken;	/* -s: out of step or ended: stop */
};

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

/* frame_next - past the current D frame, the next frame line: 0 with a
 * new D frame, or -1 when the message ended ("E") or was given up */
static int
frame_next(struct source *src)
{
	struct buf	 line = BUF_INIT;
	char		*end;
	int		 r = -1;

	if (io_getline(src->io, &line, FRAME_LINE_MAX) != IO_OK) {
		src->aborted = src->broken = 1;
	} else if (line.len == 1 && line.s[0] == 'A') {
		src->aborted = 1;
	} else if (line.len == 1 && line.s[0] == 'E') {
		src->ended = 1;
	} else if (line.len > 1 && line.s[0] == 'D' && line.s[1] >= '0' &&
	    line.s[1] <= '9') {
		errno = 0;
		src->left = strtoll(line.s + 1, &end, 10);
		if (errno == 0 && *end == '\0' && src->left >= 0)
			r = 0;
		else
			src->aborted = src->broken = 1;
	} else
		src->aborted = src->broken = 1;
	buf_free(&line);
	return r;
}

/* source_read - message bytes: like read(2), 0 at the message's end */
static ssize_t
source_read(struct source *src, char *p, size_t n)
{
	ssize_t	 got;

	if (src->io == NULL)
		return read(STDIN_FILENO, p, n);
	while (src->left == 0)
		if (src->ended || src->aborted || frame_next(src) < 0)
			return src->aborted ? (errno = EPIPE, -1) : 0;
	if ((long long)n > src->left)
		n = (size_t)src->left;
	got = io_read(src->io, p, n);
	if (got <= 0) {
		src->aborted = src->broken = 1;
		errno = got == 0 ? EPIPE : errno;
		return -1;
	}
	src->left -= got;
	return got;
}

/* copy_message - the message to the queue file; 0, or a sysexits status */
static int
copy_message(struct copy *c, struct source *src, struct buf *why)
{
	char	 chunk[COPY_CHUNK];
	ssize_t	 n;

	for (;;) {
		n = source_read(src, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR && src->io == NULL)
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
	buf_printf(why, "%s write queue file: %s", qspace_dsn(errno),
	    strerror(errno));
	return EX_TEMPFAIL;
}

/* read_envelope - the records after the message: all of fd, or from a
 * -s stream up to the closing empty record; 0 or a status */
static int
read_envelope(int fd, struct source *src, struct queue_env *env,
    int *hold, struct buf *why)
{
	struct buf	 b = BUF_INIT;
	int		 r;

	if (src->io == NULL) {
		if (fd_read_file(fd, &b, ENVELOPE_MAX) < 0) {
			buf_printf(why, "4.3.0 read envelope: %s",
			    strerror(errno));
			buf_free(&b);
			return EX_TEMPFAIL;
		}
	} else {
		char	 c;

		/* Up to a NUL that ends an empty record. */
		while (b.len < ENVELOPE_MAX) {
			if (io_read(src->io, &c, 1) != 1) {
				src->aborted = src->broken = 1;
				break;
			}
			buf_addc(&b, c);
			if (c == '\0' && (b.len == 1 || b.s[b.len - 2] == '\0'))
				break;
		}
		if (b.len >= ENVELOPE_MAX)
			src->aborted = src->broken = 1;
	}
	r = queue_env_parse(b.s, b.len, env, hold, why);
	buf_free(&b);
	return r;
}

/* trace_text - a caller's text for the trace header: no control
 * character, so that it cannot end the header or start another */
static void
trace_text(struct buf *h, const char *s)
{
	for (; *s; s++)
		buf_addc(h, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
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
		buf_adds(h, "Received: ");
		trace_text(h, from);
		buf_printf(h, "\n\tby %s (pipemail) with ",
		    cfg_get("myhostname"));
		trace_text(h, proto);
		buf_printf(h, " id %s", id);
		if (env->nrcpt == 1)
			buf_printf(h, "\n\tfor <%s>", env->rcpt[0].addr);
		buf_printf(h, "; %s\n", buf_cstr(&date));
	} else
		buf_printf(h, "Received: by %s (pipemail, from userid %ld)\n"
		    "\tid %s; %s\n", cfg_get("myhostname"), (long)uid,
		    id, buf_cstr(&date));
	buf_free(&date);
}

/*
 * spool_ready - make the layout; as root, hand it to mail_owner and the
 * spool group and become them, since queue-inject never runs as root.
 * 1 when this is a user's submission (set-group-id, run by a user other
 * than root and mail_owner): it goes to maildrop/ for the pickup, and
 * the user needs nothing of the layout but that; else 0.
 */
static int
spool_ready(const char *qdir)
{
	struct buf	 err = BUF_INIT;
	uid_t		 uid;
	gid_t		 gid;

	if (getuid() != 0 && (geteuid() != getuid() ||
	    getegid() != getgid())) {
		struct passwd	*pw = getpwnam(cfg_get("mail_owner"));

		if (pw == NULL || pw->pw_uid != getuid())
			return 1;
	}
	if (geteuid() == 0 && queue_owner(&uid, &gid, &err) < 0)
		die_perm(EX_CONFIG, "5.3.5 %s", buf_cstr(&err));
	if (queue_layout(qdir, &err) < 0)
		die_temp("4.3.0 %s", buf_cstr(&err));
	if (geteuid() == 0) {
		if (queue_give(qdir, uid, gid, &err) < 0)
			die_temp("4.3.0 %s", buf_cstr(&err));
		/* Its groups only: no group database walk per message. */
		if (priv_drop(uid, gid, NULL, &err) < 0)
			die_temp("4.3.0 %s", buf_cstr(&err));
	}
	buf_free(&err);
	return 0;
}

/* source_skip - the rest of a -s message refused early, to its "E" and
 * through its envelope (or to its "A"), read and dropped so that the
 * stream stays in step */
static void
source_skip(struct source *src, struct queue_env *env, int *hold)
{
	char		 chunk[COPY_CHUNK];
	struct buf	 ignored = BUF_INIT;

	if (src->io == NULL)
		return;
	while (source_read(src, chunk, sizeof(chunk)) > 0)
		;
	if (src->ended)
		read_envelope(-1, src, env, hold, &ignored);
	buf_free(&ignored);
}

/* One message's settings. */
struct inject {
	const char	*qdir;
	const char	*from;		/* -r, or NULL */
	const char	*proto;		/* -p */
	int		 envfd;		/* -e, or -1 */
	int		 hold;		/* -h, or the H record */
	int		 drop;		/* a user's: to maildrop/ */
	uid_t		 uid;
};

/*
 * inject_one - one message from src (and its envelope from env, -e or
 * the -s stream) into the spool: 0 with the queue id in why once it is
 * durable, else a sysexits status with the reason in why.
 */
static int
inject_one(struct inject *ij, struct source *src, struct queue_env *env,
    struct buf *why)
{
	struct queue_new qn;
	struct copy	 c;
	struct buf	 head = BUF_INIT, e = BUF_INIT;
	int		 r;

	if ((ij->drop ? queue_new_open_drop(ij->qdir, &qn, &e) :
	    queue_new_open(ij->qdir, &qn, &e)) < 0) {
		buf_printf(why, "%s %s", qspace_dsn(errno), buf_cstr(&e));
		buf_free(&e);
		source_skip(src, env, &ij->hold);
		return EX_TEMPFAIL;
	}
	/* A user's submission says only who sent it: no from-clause of
	 * theirs, no protocol of theirs in the trace header. */
	if (ij->drop) {
		ij->from = NULL;
		ij->proto = "local";
	}
	received_header(&head, ij->from, ij->proto, qn.id, env, ij->uid);
	memset(&c, 0, sizeof(c));
	c.qn = &qn;
	c.in_head = 1;
	c.limit = cfg_get_size("message_size_limit");
	if (queue_new_write(&qn, head.s, head.len) < 0) {
		buf_printf(why, "%s write queue file: %s", qspace_dsn(errno),
		    strerror(errno));
		r = EX_TEMPFAIL;
	} else
		r = copy_message(&c, src, why);
	if (r != 0)
		source_skip(src, env, &ij->hold);
	if (r == 0 && (ij->envfd >= 0 || src->io != NULL))
		r = read_envelope(ij->envfd, src, env, &ij->hold, why);
	else if (r == 0 && queue_env_check(env, why) < 0)
		r = EX_DATAERR;		/* -f and the command line's */
	if (r == 0 && c.hops >= cfg_get_int("hopcount_limit")) {
		buf_adds(why, "5.4.6 too many hops");
		r = EX_DATAERR;
	}
	buf_reset(&e);
	env->hold = ij->drop && ij->hold;	/* the pickup's to act on */
	if (r == 0 && queue_new_envelope(&qn, env, &e) < 0) {
		r = errno == EINVAL || errno == EFBIG ? EX_DATAERR :
		    EX_TEMPFAIL;
		buf_printf(why, "%s %s", r == EX_DATAERR ? "5.6.0" :
		    qspace_dsn(errno), buf_cstr(&e));
	}
	if (r == 0 && queue_new_commit(&qn, ij->hold && !ij->drop, why) < 0) {
		int	 saved = errno;

		buf_reset(&e);
		buf_printf(&e, "%s %s", qspace_dsn(saved), buf_cstr(why));
		buf_set(why, e.s, e.len);
		r = EX_TEMPFAIL;
	} else if (r != 0)
		queue_new_abort(&qn);
	if (r == 0) {
		log_info("%s: from=<%s>, size=%lld, nrcpt=%zu (queue %s)",
		    qn.id, env->sender, c.total + (long long)head.len,
		    env->nrcpt, ij->drop ? "maildrop" : ij->hold ? "hold" :
		    "active");
		queue_trigger(ij->qdir, qn.id);
		buf_sets(why, qn.id);
	}
	buf_free(&c.out);
	buf_free(&head);
	buf_free(&e);
	return r;
}

/* serve_line - the "M" line of a -s message: hold, protocol, from; 0,
 * or -1 at the end of input or when it is not one */
static int
serve_line(struct io *in, struct inject *ij, struct buf *line)
{
	char	*p, *proto, *from;

	if (io_getline(in, line, FRAME_LINE_MAX) != IO_OK)
		return -1;
	buf_cstr(line);		/* NUL-terminated, so line->s is a string */
	p = line->s;
	if (strncmp(p, "M ", 2) != 0 || (p[2] != '0' && p[2] != '1') ||
	    p[3] != ' ')
		return -1;
	ij->hold = p[2] == '1';
	proto = p + 4;
	if ((from = strchr(proto, ' ')) == NULL)
		return -1;
	*from++ = '\0';
	ij->proto = proto;
	ij->from = strcmp(from, "-") == 0 ? NULL : from;
	return 0;
}

/* serve - -s: message after message until the input ends; a status */
static int
serve(struct inject *base)
{
	struct io	 in;
	struct buf	 line = BUF_INIT, why = BUF_INIT;
	int		 status = EX_OK;

	io_init(&in, STDIN_FILENO);
	for (;;) {
		struct inject	 ij = *base;
		struct source	 src = { &in, 0, 0, 0, 0 };
		struct queue_env env;
		int		 r;

		if (serve_line(&in, &ij, &line) < 0)
			break;
		memset(&env, 0, sizeof(env));
		buf_reset(&why);
		r = inject_one(&ij, &src, &env, &why);
		queue_env_free(&env);
		if (src.aborted) {
			/* Given up ("A"), or the writer went away. */
			printf("%d 4.3.0 message given up\n", EX_TEMPFAIL);
		} else
			printf("%d %s\n", r, buf_cstr(&why));
		if (fflush(stdout) != 0) {
			status = EX_IOERR;
			break;
		}
		if (src.broken)
			break;		/* out of step, or the caller left */
	}
	io_free(&in);
	buf_free(&line);
	buf_free(&why);
	return status;
}

int
main(int argc, char **argv)
{
	const char	*dir = NULL;
	int		 ch, server = 0, r;
	struct inject	 ij = { NULL, NULL, "local", -1, 0, 0, 0 };
	struct source	 src = { NULL, 0, 0, 0, 0 };
	struct queue_env env;
	struct buf	 why = BUF_INIT;
	char		*qdir;

	ij.uid = getuid();
	die_set_progname(argv[0]);
	memset(&env, 0, sizeof(env));
	while ((ch = getopt(argc, argv, "c:e:f:hp:r:s")) != -1) {
		switch (ch) {
		case 'c':
			dir = optarg;
			break;
		case 'e':
			ij.envfd = atoi(optarg);
			if (ij.envfd < 0 || strspn(optarg, "0123456789") !=
			    strlen(optarg))
				die_usage(USAGE);
			break;
		case 'f':
			env.sender = xstrdup(optarg);
			break;
		case 'h':
			ij.hold = 1;
			break;
		case 'p':
			ij.proto = optarg;
			break;
		case 'r':
			ij.from = optarg;
			break;
		case 's':
			server = 1;
			break;
		default:
			die_usage(USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (server ? argc != 0 || env.sender != NULL || ij.envfd >= 0 :
	    ij.envfd >= 0 ? argc != 0 || env.sender != NULL : argc == 0)
		die_usage(USAGE);
	for (int i = 0; i < argc; i++)
		queue_env_add_rcpt(&env, argv[i], NULL, 0);

	cfg_load(dir);
	qdir = cfg_path(cfg_get("queue_directory"));
	ij.drop = spool_ready(qdir);
	ij.qdir = qdir;
	if (server) {
		r = serve(&ij);
		free(qdir);
		return r;
	}

	/*
	 * A message from the command line is refused before it is read
	 * when the queue has no room (qspace.h); one with -e (sendmail,
	 * which checked, and queue-run's reports, which must get through)
	 * is only refused by a failing write.
	 */
	if (ij.envfd < 0 && qspace_check(qdir, 0, &why) == 1) {
		qspace_warn(qdir, "queue-inject: %s", buf_cstr(&why));
		die_perm(EX_TEMPFAIL, "%s", buf_cstr(&why));
	}
	buf_reset(&why);

	/* Without -f, the sender is the invoking user at myorigin. */
	if (env.sender == NULL && ij.envfd < 0) {
		struct passwd	*pw = getpwuid(ij.uid);

		if (pw != NULL)
			buf_printf(&why, "%s@%s", pw->pw_name,
			    cfg_get("myorigin"));
		env.sender = buf_release(&why);
	}
	r = inject_one(&ij, &src, &env, &why);
	if (r != 0)
		die_perm(r, "%s", buf_cstr(&why));
	printf("%s\n", buf_cstr(&why));

	/* Clean up. */
	queue_env_free(&env);
	buf_free(&why);
	free(qdir);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}
