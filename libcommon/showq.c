/*
 * showq - listing the mail queue, Postfix style.
 */
#include "showq.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"

#define NULL_SENDER_NAME "MAILER-DAEMON"

/* Postfix's short-id layout (postqueue/showq_compat.c). */
#define HEAD_FORMAT	"%-11s %7s %-20s %s\n"
#define SENDER_FORMAT	"%-11s %7lld %-20.20s %s\n"
#define RCPT_INDENT	41		/* 11 + 1 + 7 + 1 + 20 + 1 */
#define WHEN_MAX	64		/* room for any strftime() result */

/* The queue subdirectories listed, and whether they hold mail on hold. */
static const struct {
	const char	*name;
	int		 hold;
} queues[] = {
	{"active", 0},
	{"hold", 1},
	{"maildrop", 0},	/* users' submissions not picked up yet */
};

/* showq_init - an empty listing */
void
showq_init(struct showq *q)
{
	memset(q, 0, sizeof(*q));
}

/* showq_free - release a listing */
void
showq_free(struct showq *q)
{
	for (size_t i = 0; i < q->n; i++)
		queue_env_free(&q->v[i].env);
	free(q->v);
	showq_init(q);
}

/* cmp_msg - by arrival, then by queue id */
static int
cmp_msg(const void *a, const void *b)
{
	const struct showq_msg	*x = a, *y = b;

	if (x->env.arrival.tv_sec != y->env.arrival.tv_sec)
		return x->env.arrival.tv_sec < y->env.arrival.tv_sec ? -1 : 1;
	if (x->env.arrival.tv_nsec != y->env.arrival.tv_nsec)
		return x->env.arrival.tv_nsec < y->env.arrival.tv_nsec ?
		    -1 : 1;
	return strcmp(x->id, y->id);
}

/* showq_sort - order messages by arrival */
void
showq_sort(struct showq *q)
{
	if (q->n > 1)
		qsort(q->v, q->n, sizeof(*q->v), cmp_msg);
}

/* read_one - the envelope of DIR/NAME into a new entry; 0, or -1 after
 * a warning (none when the file vanished: it was delivered) */
static int
read_one(struct showq *q, const char *dir, const char *sub,
    const char *name, int hold, struct buf *warnings)
{
	struct buf	 path = BUF_INIT, err = BUF_INIT;
	struct showq_msg *m;
	struct stat	 st;
	int		 fd, r = -1;

	buf_printf(&path, "%s/%s", dir, name);
	fd = open(buf_cstr(&path), O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			buf_printf(warnings, "%s/%s: %s\n", sub, name,
			    strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		buf_printf(warnings, "%s/%s: not a queue file\n", sub, name);
		goto out;
	}
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 16;
		q->v = xreallocarray(q->v, q->cap, sizeof(*q->v));
	}
	m = &q->v[q->n];
	memset(m, 0, sizeof(*m));
	if (queue_env_read(fd, &m->env, &err) < 0) {
		buf_printf(warnings, "%s/%s: %s\n", sub, name, buf_cstr(&err));
		goto out;
	}
	memcpy(m->id, name, strlen(name) + 1);
	m->hold = hold || m->env.hold;
	q->n++;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	buf_free(&path);
	buf_free(&err);
	return r;
}

/* showq_scan - every queued message's envelope, sorted by arrival */
int
showq_scan(const char *qdir, struct showq *q, struct buf *warnings,
    struct buf *err)
{
	struct buf	 dir = BUF_INIT;
	int		 r = 0;

	for (size_t i = 0; i < sizeof(queues) / sizeof(queues[0]) && r == 0;
	    i++) {
		DIR		*d;
		struct dirent	*e;

		queue_path(&dir, qdir, queues[i].name, NULL);
		if ((d = opendir(buf_cstr(&dir))) == NULL) {
			int	 saved = errno;

			if (saved == ENOENT)
				continue;	/* no layout yet: empty */
			if (err)
				buf_printf(err, "open %s: %s", buf_cstr(&dir),
				    strerror(saved));
			errno = saved;
			r = -1;
			break;
		}
		while ((e = readdir(d)) != NULL && q->n < SHOWQ_MESSAGES_MAX) {
			if (e->d_name[0] == '.')
				continue;
			if (strlen(e->d_name) >= QUEUE_ID_MAX) {
				buf_printf(warnings, "%s/%s: not a queue "
				    "file\n", queues[i].name, e->d_name);
				continue;
			}
			read_one(q, buf_cstr(&dir), queues[i].name, e->d_name,
			    queues[i].hold, warnings);
		}
		closedir(d);
	}
	if (r == 0) {
		DIR		*d;
		struct dirent	*e;

		queue_path(&dir, qdir, "corrupt", NULL);
		if ((d = opendir(buf_cstr(&dir))) != NULL) {
			while ((e = readdir(d)) != NULL)
				if (e->d_name[0] != '.')
					q->ncorrupt++;
			closedir(d);
		}
	}
	if (r < 0) {
		int	 saved = errno;

		buf_free(&dir);
		errno = saved;
		return r;
	}
	buf_free(&dir);
	showq_sort(q);
	return 0;
}

/* shown - is this recipient still to be delivered? */
static int
shown(const struct queue_rcpt *rc)
{
	return rc->state == QR_PENDING || rc->state == QR_DEFERRED;
}

/* format_msg - one message: the sender line, reasons and recipients */
static void
format_msg(struct buf *out, const struct showq_msg *m)
{
	struct buf	 id = BUF_INIT;
	char		 when[WHEN_MAX];
	struct tm	 tm;
	time_t		 t = m->env.arrival.tv_sec;
	const char	*saved = "";

	/* Postfix marks held mail '!'; '*' (being delivered) we cannot know. */
	buf_printf(&id, "%s%c", m->id, m->hold ? '!' : ' ');
	/* asctime(3)'s first 20 characters, as Postfix prints them. */
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%a %b %e %H:%M:%S", &tm) == 0)
		when[0] = '\0';
	buf_printf(out, SENDER_FORMAT, buf_cstr(&id), (long long)m->env.size,
	    when, *m->env.sender ? m->env.sender : NULL_SENDER_NAME);
	buf_free(&id);

	for (size_t i = 0; i < m->env.nrcpt; i++) {
		const struct queue_rcpt	*rc = &m->env.rcpt[i];
		const char		*why, *addr;

		if (!shown(rc))
			continue;
		why = rc->state == QR_DEFERRED && rc->reason ? rc->reason : "";
		/*
		 * As Postfix: a reason line only when it differs from the
		 * previous recipient's; "reason unavailable" when this one
		 * has none after one that had.
		 */
		if (strcmp(saved, why) != 0) {
			const char	*text = *why ? why :
			    "reason unavailable";
			int		 pad = SHOWQ_REASON_WIDTH -
			    (int)strnlen(text, SHOWQ_REASON_WIDTH);

			buf_printf(out, "%*s(%s)\n", pad, "", text);
			saved = why;
		}
		/*
		 * An expanded delivery shows where it goes; a command is
		 * written as aliases(5) writes it, from its typed kind.
		 */
		addr = rc->recipient && *rc->recipient ? rc->recipient :
		    rc->addr;
		buf_printf(out, "%*s%s%s\n", RCPT_INDENT, "",
		    rc->transport && strcmp(rc->transport, "command") == 0 ?
		    "|" : "", addr);
	}
}

/* corrupt_line - how many files queue-run has set aside, if any */
static void
corrupt_line(struct buf *out, const struct showq *q)
{
	if (q->ncorrupt > 0)
		buf_printf(out, "-- %zu file%s set aside in corrupt/ "
		    "(postsuper -l)\n", q->ncorrupt,
		    q->ncorrupt == 1 ? "" : "s");
}

/* showq_format - the whole listing */
void
showq_format(struct buf *out, const struct showq *q)
{
	unsigned long long	 bytes = 0;

	if (q->n == 0) {
		buf_adds(out, "Mail queue is empty\n");
		corrupt_line(out, q);
		return;
	}
	buf_printf(out, HEAD_FORMAT, "-Queue ID-", "--Size--",
	    "----Arrival Time----", "-Sender/Recipient-------");
	for (size_t i = 0; i < q->n; i++) {
		if (i > 0)
			buf_addc(out, '\n');
		format_msg(out, &q->v[i]);
		if (q->v[i].env.size > 0)
			bytes += (unsigned long long)q->v[i].env.size;
	}
	buf_printf(out, "\n-- %llu Kbytes in %zu Request%s.\n", bytes / 1024,
	    q->n, q->n == 1 ? "" : "s");
	corrupt_line(out, q);
}
