/*
 * qmgr - the queue manager: an event loop over the spool.
 */
#include "qmgr.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "dsn.h"
#include "exits.h"
#include "io.h"
#include "local.h"
#include "log.h"
#include "lspawn.h"
#include "mem.h"
#include "pickup.h"
#include "proc.h"
#include "qspace.h"
#include "queue.h"
#include "route.h"

#define FEED_CHUNK	65536		/* bytes per write to an agent */
#define ROUTE_LINE_MAX	8192		/* longest route-transport answer */
#define ROUTE_TIMEOUT	30000		/* ms to wait for route-transport */
#define TMP_MAX_AGE	(24 * 3600)	/* stale tmp/ files are removed */
#define DEST_BUCKETS	256
#define OPEN_MAX_MSGS	256		/* messages worked on at a time */
#define FD_RESERVE	32		/* descriptors kept for the rest */
#define BUSY_RETRY	1		/* s between looks at a busy file */

/* Per-recipient work state, beside the durable state in queue_rcpt. */
enum work {
	W_IDLE = 0,
	W_RUNNING,		/* a delivery is in flight */
	W_WAITING,		/* a job waits for a free slot */
	W_FAILED,		/* failed for good, bounce not yet queued */
	W_NOTIFY,		/* delivered, NOTIFY=SUCCESS report not queued */
	W_DEFERRED,		/* deferred in this round */
	W_STALLED,		/* not tried: its stage is suspended */
};

/*
 * A stage whose helper cannot run (route-transport or a kind of delivery
 * agent that cannot be started, or exits at once): nothing is tried
 * through it until `until`, and the messages are left as they are.
 */
struct stage {
	const char	*name;
	time_t		 until;		/* 0: running */
};

struct msg {
	char			 id[QUEUE_ID_MAX];
	int			 fd;		/* open while worked on, else -1 */
	struct queue_env	*env;		/* read while worked on, else NULL */
	enum work		*work;		/* per recipient */
	size_t			 nwork;
	int			 inflight;	/* jobs running or waiting */
	int			 busy;		/* an earlier agent holds it */
	time_t			 due;		/* next attempt */
	size_t			 heap;		/* index in the heap, or NOHEAP */
	struct msg		*next;		/* hash chain */
};

struct dest {
	char		*key;
	int		 refs;		/* jobs running or waiting */
	int		 active;	/* jobs running */
	int		 limit;
	struct dest	*next;
};

/* A long-lived local delivery agent (lspawn.h). */
struct agent {
	pid_t		 pid;
	int		 fd;		/* the socket; -1 once it ended */
	char		*key;		/* the mailbox it serves; NULL: one use */
	int		 uses;
	time_t		 idle_since;
	int		 job_fd;	/* its slot's PID.job (lspawn.h) */
	struct job	*job;		/* the delivery in hand, or NULL */
	struct agent	*next;
};

struct job {
	struct msg	*m;
	size_t		 rcpt;
	enum route_kind	 kind;		/* what recipient is (route.h) */
	enum route_origin origin;	/* where the delivery came from */
	const char	*transport;	/* route_kind_name(kind), for logs */
	char		*nexthop, *recipient;
	struct dest	*dest;
	struct proc	 p;
	int		 in_fd;		/* agent's stdin, fed from the file */
	int		 lock_fd;	/* the file read-only, shared-locked */
	off_t		 in_off, in_end;
	struct buf	 out;
	int		 exited, wstatus;
	struct agent	*a;		/* local, file and pipe deliveries */
	int		 verdict;	/* the agent's status, or -1 */
	struct job	*next;
};

#define NOHEAP		((size_t)-1)
#define MSG_BUCKETS	4096

static struct {
	const char	*cfgdir;
	char		*qdir;
	uid_t		 owner;		/* who alone may write queue files */
	int		 once;
	int		 trigger_fd;
	int		 sig_pipe[2];
	volatile sig_atomic_t stop;
	struct msg	*msgs[MSG_BUCKETS];
	size_t		 nmsgs;
	size_t		 active_limit;	/* messages kept in memory */
	int		 nopen;		/* messages with an open file */
	int		 open_limit;
	DIR		*pass;		/* a pass over active/, or NULL */
	int		 rescan;	/* mail may wait on disk */
	struct msg	**heap;
	size_t		 heap_len, heap_cap;
	struct dest	*dests[DEST_BUCKETS];
	struct job	*running;
	struct job	*waiting, *waiting_tail;
	int		 nrunning;
	int		 proc_limit;
	int		 dest_limit;
	struct proc	 router;
	int		 router_in;	/* we write addresses here */
	struct io	 router_io;	/* and read answers here */
	int		 router_up;
	struct buf	 bin_deliver_remote;
	struct buf	 bin_route, bin_inject;
	const char	*hostname;
	struct local_conf lconf;	/* for the local delivery agents */
	struct agent	*agents;
	int		 max_use;	/* deliveries per agent */
	time_t		 max_idle;	/* seconds an idle agent is kept */
	time_t		 retry;		/* transport_retry_time */
	char		*slots;		/* the agents' outcome slots */
	unsigned long long seq;		/* the last delivery number given */
	int		 slots_left;	/* slots of live agents not read */
	int		 slots_ok;	/* the slots' directory is usable */
	struct stage	 st_route, st_local, st_smtp;
} q;

/* hash - string hash for the tables */
static unsigned
hash(const char *s)
{
	unsigned	 h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* on_signal - wake the loop through the self-pipe */
static void
on_signal(int sig)
{
	int	 saved = errno;
	char	 c = (char)sig;

	if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP)
		q.stop = 1;
	(void)!write(q.sig_pipe[1], &c, 1);
	errno = saved;
}

/*
 * The timer heap: messages ordered by due time.
 */

/* heap_swap - exchange two heap slots */
static void
heap_swap(size_t a, size_t b)
{
	struct msg	*t = q.heap[a];

	q.heap[a] = q.heap[b];
	q.heap[b] = t;
	q.heap[a]->heap = a;
	q.heap[b]->heap = b;
}

/* before - does a come due before b?  At the same second, the older
 * message first (queue ids grow with time), so one pass delivers a
 * mailbox's mail in the order it came */
static int
before(const struct msg *a, const struct msg *b)
{
	return a->due != b->due ? a->due < b->due : strcmp(a->id, b->id) < 0;
}

/* heap_fix - restore order around slot i */
static void
heap_fix(size_t i)
{
	while (i > 0 && before(q.heap[i], q.heap[(i - 1) / 2])) {
		heap_swap(i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		size_t	 l = 2 * i + 1, r = l + 1, m = i;

		if (l < q.heap_len && before(q.heap[l], q.heap[m]))
			m = l;
		if (r < q.heap_len && before(q.heap[r], q.heap[m]))
			m = r;
		if (m == i)
			break;
		heap_swap(i, m);
		i = m;
	}
}

/* heap_remove - take a message out of the heap */
static void
heap_remove(struct msg *m)
{
	size_t	 i = m->heap;

	if (i == NOHEAP)
		return;
	m->heap = NOHEAP;
	if (i != --q.heap_len) {
		q.heap[i] = q.heap[q.heap_len];
		q.heap[i]->heap = i;
		heap_fix(i);
	}
}

/* schedule - (re)arm a message's timer */
static void
schedule(struct msg *m, time_t due)
{
	m->due = due;
	if (m->heap != NOHEAP) {
		heap_fix(m->heap);
		return;
	}
	if (q.heap_len == q.heap_cap) {
		q.heap_cap = q.heap_cap ? q.heap_cap * 2 : 64;
		q.heap = xreallocarray(q.heap, q.heap_cap, sizeof(*q.heap));
	}
	m->heap = q.heap_len;
	q.heap[q.heap_len++] = m;
	heap_fix(m->heap);
}

/*
 * Messages.
 */

/* msg_find - a loaded message by id */
static struct msg *
msg_find(const char *id)
{
	struct msg	*m;

	for (m = q.msgs[hash(id) % MSG_BUCKETS]; m; m = m->next)
		if (strcmp(m->id, id) == 0)
			return m;
	return NULL;
}

/* msg_path - active/ID of m */
static void
msg_path(const struct msg *m, struct buf *b)
{
	queue_path(b, q.qdir, "active", m->id);
}

/* msg_close - done working on m for now: its file is closed */
static void
msg_close(struct msg *m)
{
	if (m->fd < 0)
		return;
	close(m->fd);
	m->fd = -1;
	q.nopen--;
}

/*
 * msg_light - keep only what schedules m (its id, due time, heap slot):
 * the envelope is read again from the file when m is next worked on, so
 * the memory of a queued message is small and does not grow with its
 * recipients, and a fork of an agent has little to copy
 */
static void
msg_light(struct msg *m)
{
	if (m->env != NULL) {
		queue_env_free(m->env);
		free(m->env);
		m->env = NULL;
	}
	free(m->work);
	m->work = NULL;
	m->nwork = 0;
}

/* msg_free - forget a message (its file is already gone or kept) */
static void
msg_free(struct msg *m)
{
	struct msg	**pp = &q.msgs[hash(m->id) % MSG_BUCKETS];

	while (*pp != m)
		pp = &(*pp)->next;
	*pp = m->next;
	heap_remove(m);
	msg_close(m);
	msg_light(m);
	free(m);
	q.nmsgs--;
}

/* msg_sync_work - grow the work array when expand records add rcpts */
static void
msg_sync_work(struct msg *m)
{
	if (m->nwork >= m->env->nrcpt)
		return;
	m->work = xreallocarray(m->work, m->env->nrcpt, sizeof(*m->work));
	memset(m->work + m->nwork, 0,
	    (m->env->nrcpt - m->nwork) * sizeof(*m->work));
	m->nwork = m->env->nrcpt;
}

/* msg_open - open active/ID, picking it up from maildrop/ first when it
 * is a user's submission not yet in the queue; the descriptor or -1 */
static int
msg_open(const char *id, const char *path)
{
	char	 picked[QUEUE_ID_MAX];
	int	 fd, held;

	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT) {
		if (pickup_one(q.qdir, id, picked, &held) == 1 && !held)
			fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW |
			    O_NONBLOCK);
		else
			errno = ENOENT;		/* gone, or in hold/ */
	}
	return fd;
}

/* msg_aside - active/ID is not mail to act on: to corrupt/, logged once */
static void
msg_aside(const char *id, const char *why)
{
	if (queue_set_aside(q.qdir, "active", id) < 0)
		log_warn("%s: %s; cannot set it aside", id, why);
	else
		log_warnx("%s: %s; set aside in corrupt/", id, why);
}

/*
 * msg_read - read active/ID of m: its envelope into m->env and, with
 * keep, its descriptor left open in m->fd to work on it.  1; 0 when it is
 * gone or bad; -1 when it cannot be read now (logged).  A queue file is
 * acted on only when only the queue's owner can have written it
 * (queue_file_trusted(), on the open descriptor); anything else in
 * active/ (a link, a user's file, a malformed one) is set aside.  Both
 * msg_load() and every attempt read the file through here.
 */
static int
msg_read(struct msg *m, int keep)
{
	struct buf	 path = BUF_INIT, err = BUF_INIT;
	int		 fd, r = 0;

	msg_light(m);		/* what was read before is read afresh */
	msg_path(m, &path);
	fd = msg_open(m->id, buf_cstr(&path));
	if (fd < 0) {
		if (errno == ELOOP || errno == EISDIR || errno == ENXIO ||
		    errno == EACCES || errno == EPERM || errno == EWOULDBLOCK)
			msg_aside(m->id, strerror(errno));
		else if (errno != ENOENT) {
			log_warn("%s: open %s", m->id, buf_cstr(&path));
			r = -1;
		} else if (keep)
			/* postsuper -h or -d moved it away since. */
			log_info("%s: no longer in the active queue", m->id);
		goto out;
	}
	if (!queue_file_trusted(fd, q.owner)) {
		msg_aside(m->id, "not a regular file with one link, the queue "
		    "owner's alone");
		goto out;
	}
	m->env = xcalloc(1, sizeof(*m->env));
	if (queue_env_read(fd, m->env, &err) < 0) {
		free(m->env);
		m->env = NULL;
		/* Keep it for a person to look at; never delete mail. */
		if (errno == EINVAL)
			msg_aside(m->id, buf_cstr(&err));
		else {
			log_warnx("%s: %s; left in place", m->id,
			    buf_cstr(&err));
			r = -1;
		}
		goto out;
	}
	free(m->work);
	m->work = NULL;
	m->nwork = 0;
	msg_sync_work(m);
	r = 1;
	if (keep) {
		m->fd = fd;
		q.nopen++;
		fd = -1;
	}
out:
	if (fd >= 0)
		close(fd);
	buf_free(&path);
	buf_free(&err);
	return r;
}

/*
 * msg_load - read active/ID and keep it in memory, light (msg_light());
 * NULL if it is gone or bad (msg_read() sets a bad one aside).  The file
 * is closed again once read: an attempt opens it to work on the message,
 * so the descriptors held do not grow with the queue.
 */
static struct msg *
msg_load(const char *id)
{
	struct msg	*m;
	unsigned	 h;

	if (strlen(id) >= QUEUE_ID_MAX || strchr(id, '/') || id[0] == '.')
		return NULL;
	if ((m = msg_find(id)) != NULL)
		return m;
	m = xcalloc(1, sizeof(*m));
	snprintf(m->id, sizeof(m->id), "%s", id);
	m->heap = NOHEAP;
	m->fd = -1;
	if (msg_read(m, 0) != 1) {
		free(m);
		return NULL;
	}
	if (m->env->nskipped > 0)
		log_warnx("%s: %zu damaged state record(s) read past", id,
		    m->env->nskipped);
	msg_light(m);
	h = hash(m->id) % MSG_BUCKETS;
	m->next = q.msgs[h];
	q.msgs[h] = m;
	q.nmsgs++;
	return m;
}

/* msg_record - append a state record durably; 0 or -1 (logged) */
static int
msg_record(struct msg *m, struct buf *rec)
{
	if (queue_append(m->fd, rec->s, rec->len) < 0) {
		if (qspace_full(errno))	/* the queue's, not m's */
			qspace_warn(q.qdir, "%s: cannot update queue file: "
			    "%s %s", m->id, qspace_dsn(errno), strerror(errno));
		else
			log_warn("%s: cannot update queue file", m->id);
		return -1;
	}
	return 0;
}

/* record_clean - a reason fit for one record field */
static void
record_clean(struct buf *b, const char *s)
{
	for (; *s; s++)
		buf_addc(b, (unsigned char)*s < 0x20 ? ' ' : *s);
}

/*
 * Destinations: concurrency per mailbox or next hop.
 */

/* dest_get - the slot counter for a key */
static struct dest *
dest_get(const char *key, int limit)
{
	unsigned	 h = hash(key) % DEST_BUCKETS;
	struct dest	*d;

	for (d = q.dests[h]; d; d = d->next)
		if (strcmp(d->key, key) == 0)
			return d;
	d = xcalloc(1, sizeof(*d));
	d->key = xstrdup(key);
	d->limit = limit;
	d->next = q.dests[h];
	q.dests[h] = d;
	return d;
}

/* dest_put - drop a job's reference; unused counters are freed */
static void
dest_put(struct dest *d)
{
	struct dest	**pp;

	if (--d->refs > 0)
		return;
	for (pp = &q.dests[hash(d->key) % DEST_BUCKETS]; *pp != d;
	    pp = &(*pp)->next)
		;
	*pp = d->next;
	free(d->key);
	free(d);
}

/*
 * Stages: when a helper cannot run (it cannot be started for EMFILE,
 * EAGAIN, ENOMEM or a missing program, or it exits at once), the stage
 * as a whole is suspended for transport_retry_time, as Postfix throttles
 * a transport: one log line, nothing written into the messages, no back-
 * off of theirs counted.  The first use after that interval tries again.
 */

/* stage_down - is st suspended at now? */
static int
stage_down(const struct stage *st, time_t now)
{
	return st->until > now;
}

/* stage_fail - st's helper cannot run: suspend st, say so once */
static void
stage_fail(struct stage *st, const char *why)
{
	st->until = time(NULL) + q.retry;
	log_warnx("%s suspended for %llds, mail stays queued: %s", st->name,
	    (long long)q.retry, why);
}

/* stage_ok - st's helper ran: the stage runs again */
static void
stage_ok(struct stage *st)
{
	if (st->until == 0)
		return;
	st->until = 0;
	log_info("%s resumed", st->name);
}

/* stage_wake - ms until the soonest suspended stage that jobs wait for
 * may be tried again, or -1 */
static long
stage_wake(time_t now)
{
	const struct stage	*st[] = { &q.st_local, &q.st_smtp };
	long			 soonest = -1;

	if (q.waiting == NULL)
		return -1;
	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		if (st[i]->until > now && (soonest < 0 ||
		    (st[i]->until - now) * 1000 < soonest))
			soonest = (long)(st[i]->until - now) * 1000;
	return soonest;
}

/*
 * The router co-process.
 */

/* router_stop - end the co-process (it is restarted when next needed) */
static void
router_stop(void)
{
	if (!q.router_up)
		return;
	close(q.router_in);
	close(q.router.out_fd);
	io_free(&q.router_io);
	q.router_up = 0;
	/* Its exit is collected with the others in reap(). */
}

/*
 * router_gone - the router ended its answers: did it exit by itself (a
 * helper that cannot run: a bad configuration, a program that is not
 * route-transport)?  A crash on one address is that address's trouble.
 */
static int
router_gone(struct buf *why)
{
	pid_t	 pid = q.router.pid;
	int	 st;

	router_stop();
	/* Its output ended: it has exited or is about to.  An exit status
	 * already set is not changed by a late SIGKILL. */
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 0;
	if (!WIFEXITED(st))
		return 0;
	buf_printf(why, "%s exited with status %d before answering",
	    q.bin_route.s, WEXITSTATUS(st));
	return 1;
}

/* router_start - spawn "route-transport -s"; 0 or -1 */
static int
router_start(void)
{
	char	*argv[7];
	int	 n = 0;

	argv[n++] = q.bin_route.s;
	if (q.cfgdir) {
		argv[n++] = "-c";
		argv[n++] = (char *)q.cfgdir;
	}
	argv[n++] = "-s";
	argv[n++] = "-t";	/* typed answers: KIND and ORIGIN fields */
	argv[n] = NULL;
	if (proc_spawn_fed(&q.router, argv, &q.router_in) < 0)
		return -1;
	/* Blocking reads with a deadline: answers come from local tables. */
	fcntl(q.router.out_fd, F_SETFL, 0);
	io_init(&q.router_io, q.router.out_fd);
	io_set_timeout(&q.router_io, ROUTE_TIMEOUT);
	q.router_up = 1;
	return 0;
}

/* One delivery of a typed answer (route-transport -s -t, route.h). */
struct route {
	enum route_kind	 kind;
	enum route_origin origin;
	char		*nexthop, *recipient;
};

/* routes_free - release answers */
static void
routes_free(struct route *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].nexthop);
		free(r[i].recipient);
	}
	free(r);
}

/*
 * route_line - one typed answer line "QUERY KIND NEXTHOP TARGET ORIGIN"
 * into r; 0, or -1 when it is not one (route_parse_typed())
 */
static int
route_line(const char *line, size_t len, struct route *r)
{
	struct route_result rr;

	if (route_parse_typed(line, len, NULL, &rr) < 0)
		return -1;
	r->kind = rr.kind;
	r->origin = rr.origin;
	r->nexthop = rr.nexthop;
	r->recipient = rr.recipient;
	return 0;
}

/*
 * route - ask the router where addr goes: a list of deliveries.  Returns
 * the count, -1 when the router failed on addr (a temporary error),
 * including an answer with a line that is not a typed answer line:
 * nothing of such an answer is used; or -2 when the router cannot run
 * (the stage is suspended, see stage_fail()): addr was not tried.
 */
static ssize_t
route(const char *addr, struct route **out)
{
	struct buf	 line = BUF_INIT, req = BUF_INIT, why = BUF_INIT;
	struct route	*r = NULL;
	size_t		 n = 0;
	int		 bad = 0;

	*out = NULL;
	if (stage_down(&q.st_route, time(NULL)))
		return -2;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!q.router_up && router_start() < 0) {
			buf_printf(&why, "cannot start %s: %s", q.bin_route.s,
			    strerror(errno));
			goto stalled;
		}
		buf_reset(&req);
		buf_printf(&req, "%s\n", addr);
		if (fd_write_all(q.router_in, req.s, req.len) < 0) {
			if (router_gone(&why))
				goto stalled;
			continue;
		}
		for (;;) {
			enum io_result	 ir;

			ir = io_getline(&q.router_io, &line, ROUTE_LINE_MAX);
			if (ir != IO_OK) {
				routes_free(r, n);
				r = NULL;
				n = 0;
				if (ir == IO_EOF && router_gone(&why))
					goto stalled;
				router_stop();
				break;
			}
			if (line.len == 0 && bad) {
				log_warnx("%s: malformed answer line: "
				    "answer ignored", q.bin_route.s);
				routes_free(r, n);
				buf_free(&line);
				buf_free(&req);
				stage_ok(&q.st_route);
				return -1;
			}
			if (line.len == 0) {
				buf_free(&line);
				buf_free(&req);
				stage_ok(&q.st_route);
				*out = r;
				return (ssize_t)n;
			}
			r = xreallocarray(r, n + 1, sizeof(*r));
			if (route_line(line.s, line.len, &r[n]) < 0)
				bad = 1;
			else
				n++;
		}
		bad = 0;
	}
	buf_free(&line);
	buf_free(&req);
	buf_free(&why);
	return -1;
stalled:
	stage_fail(&q.st_route, buf_cstr(&why));
	buf_free(&why);
	buf_free(&line);
	buf_free(&req);
	return -2;
}

/*
 * Jobs: one delivery of one recipient.
 */

/* job_relay - the relay= name of a job for the log */
static const char *
job_relay(const struct job *j)
{
	if (strcmp(j->transport, "smtp") == 0)
		return j->nexthop;
	return j->transport;
}

/* job_free - release a finished job */
static void
job_free(struct job *j)
{
	if (j->lock_fd >= 0)
		close(j->lock_fd);
	free(j->nexthop);
	free(j->recipient);
	buf_free(&j->out);
	free(j);
}

/* job_new - a job for recipient i of m, waiting for a slot */
static void
job_new(struct msg *m, size_t i, enum route_kind kind,
    enum route_origin origin, const char *nh, const char *rcpt)
{
	struct job	*j = xcalloc(1, sizeof(*j));
	struct buf	 key = BUF_INIT;
	const char	*tr = route_kind_name(kind);
	int		 limit;

	j->m = m;
	j->rcpt = i;
	j->kind = kind;
	j->origin = origin;
	j->transport = tr;
	j->nexthop = xstrdup(nh);
	j->recipient = xstrdup(rcpt);
	j->in_fd = -1;
	j->lock_fd = -1;
	j->p.out_fd = -1;
	j->verdict = -1;
	buf_init(&j->out);
	/* One delivery at a time per mailbox; per next hop for SMTP. */
	if (kind == ROUTE_SMTP) {
		buf_printf(&key, "smtp:%s", nh);
		limit = q.dest_limit;
	} else {
		buf_printf(&key, "%s:%s", tr, rcpt);
		limit = 1;
	}
	j->dest = dest_get(buf_cstr(&key), limit);
	j->dest->refs++;
	buf_free(&key);
	m->work[i] = W_WAITING;
	m->inflight++;
	if (q.waiting_tail)
		q.waiting_tail->next = j;
	else
		q.waiting = j;
	q.waiting_tail = j;
}

/* job_argv - deliver-remote's command line */
static void
job_argv(struct job *j, char **argv, size_t max)
{
	size_t	 n = 0;

	argv[n++] = q.bin_deliver_remote.s;
	if (q.cfgdir) {
		argv[n++] = "-c";
		argv[n++] = (char *)q.cfgdir;
	}
	argv[n++] = "-f";
	argv[n++] = j->m->env->sender;
	argv[n++] = "--";
	argv[n++] = j->nexthop;
	argv[n++] = j->recipient;
	argv[n] = NULL;
	if (n >= max)
		abort();
}

/*
 * Local delivery agents: forked once from queue-run, they become the
 * recipient with their first delivery and then take the next ones for
 * the same mailbox over their socket (lspawn.h): no fork, passwd walk
 * or exec per message.  File and command deliveries get an agent each.
 */

/* slot_remove - forget an agent's slot */
static void
slot_remove(pid_t pid)
{
	if (q.slots_ok)
		lspawn_slot_remove(q.slots, pid);
}

/* slot_assign - tell agent a's slot what delivery seq is */
static void
slot_assign(struct agent *a, const struct job *j, unsigned long long seq)
{
	if (a->job_fd >= 0)
		lspawn_slot_assign(a->job_fd, j->m->id, j->rcpt, seq);
}

/* agent_free - forget an agent; closing its socket makes it exit */
static void
agent_free(struct agent *a)
{
	struct agent	**pp;

	for (pp = &q.agents; *pp != a; pp = &(*pp)->next)
		;
	*pp = a->next;
	if (a->fd >= 0)
		close(a->fd);
	if (a->job_fd >= 0)
		close(a->job_fd);
	slot_remove(a->pid);
	free(a->key);
	free(a);
}

/* agent_idle - the idle agent for key, or NULL */
static struct agent *
agent_idle(const char *key)
{
	for (struct agent *a = q.agents; a; a = a->next)
		if (a->job == NULL && a->fd >= 0 && a->key != NULL &&
		    strcmp(a->key, key) == 0)
			return a;
	return NULL;
}

/* agent_expire - end agents idle since before limit (all: 0 = now);
 * the seconds until the next one is due, or -1 */
static long
agent_expire(time_t now, int all)
{
	struct agent	*a, *next;
	long		 soonest = -1;

	for (a = q.agents; a; a = next) {
		next = a->next;
		if (a->job != NULL || a->fd < 0)
			continue;
		if (all || now - a->idle_since >= q.max_idle)
			agent_free(a);
		else if (soonest < 0 || a->idle_since + q.max_idle - now <
		    soonest)
			soonest = (long)(a->idle_since + q.max_idle - now);
	}
	return soonest;
}

/* agent_new - fork an agent, making room under the process limit */
static struct agent *
agent_new(const char *key)
{
	struct agent	*a, *oldest;
	int		 fd;
	pid_t		 pid;

	for (;;) {
		int	 idle = 0;

		oldest = NULL;
		for (a = q.agents; a; a = a->next)
			if (a->job == NULL && a->fd >= 0) {
				idle++;
				if (oldest == NULL ||
				    a->idle_since < oldest->idle_since)
					oldest = a;
			}
		if (oldest == NULL || q.nrunning + idle < q.proc_limit)
			break;
		agent_free(oldest);
	}
	if ((pid = lspawn_fork(&q.lconf, &fd)) < 0)
		return NULL;
	a = xcalloc(1, sizeof(*a));
	a->pid = pid;
	a->fd = fd;
	a->job_fd = q.slots_ok ? lspawn_slot_job(q.slots, pid) : -1;
	a->key = key ? xstrdup(key) : NULL;
	a->next = q.agents;
	q.agents = a;
	return a;
}

/* agent_kind - the agent's kind for a local, file or command delivery */
static enum local_kind
agent_kind(enum route_kind k)
{
	switch (k) {
	case ROUTE_PIPE:
		return LOCAL_COMMAND;
	case ROUTE_FILE:
		return LOCAL_FILE;
	case ROUTE_MAILDIR:
		return LOCAL_MAILDIR;
	default:
		return LOCAL_MAILBOX;
	}
}

/* agent_origin - the agent's origin for the resolver's */
static enum local_origin
agent_origin(enum route_origin o)
{
	switch (o) {
	case ROUTE_FROM_ALIAS:
		return LOCAL_FROM_ALIAS;
	case ROUTE_FROM_FORWARD:
		return LOCAL_FROM_FORWARD;
	case ROUTE_FROM_INCLUDE:
		return LOCAL_FROM_INCLUDE;
	default:
		return LOCAL_FROM_RECIPIENT;
	}
}

/*
 * agent_start - hand a mailbox, file, Maildir or command delivery to an
 * agent, its kind and origin as fields of their own; 0, -1 (this job
 * failed) or -2 (no agent can be started: the stage's trouble)
 */
static int
agent_start(struct job *j)
{
	struct lspawn_req	 r;
	struct agent		*a = NULL;
	int			 local = j->kind == ROUTE_LOCAL;

	memset(&r, 0, sizeof(r));
	r.kind = agent_kind(j->kind);
	r.origin = agent_origin(j->origin);
	r.target = j->recipient;
	if (local)
		r.address = j->m->env->rcpt[j->rcpt].addr;
	else if (strcmp(j->nexthop, "-") != 0)
		r.privs = j->nexthop;
	r.sender = j->m->env->sender;
	r.fd = j->lock_fd;
	r.start = j->m->env->data_off;
	r.len = j->m->env->size;
	r.seq = ++q.seq;
	if (local && (a = agent_idle(j->dest->key)) != NULL) {
		slot_assign(a, j, r.seq);
		if (lspawn_send(a->fd, &r) < 0) {
			agent_free(a);
			a = NULL;
		}
	}
	if (a == NULL) {
		if ((a = agent_new(local ? j->dest->key : NULL)) == NULL)
			return -2;	/* no fork, no socket: the stage's */
		slot_assign(a, j, r.seq);
		if (lspawn_send(a->fd, &r) < 0) {
			log_warn("%s: delivery agent request", j->m->id);
			agent_free(a);
			return -1;
		}
	}
	a->job = j;
	j->a = a;
	j->p.pid = a->pid;
	return 0;
}

/* agent_read - the agent's reply to its job, or the end of the agent */
static void
agent_read(struct job *j)
{
	struct agent	*a = j->a;
	char		 pkt[LSPAWN_REPLY_MAX];
	ssize_t		 n;

	n = recv(a->fd, pkt, sizeof(pkt), 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0 && (j->verdict = lspawn_reply(pkt, (size_t)n,
	    &j->out)) >= 0) {
		a->job = NULL;
		j->a = NULL;
		a->uses++;
		a->idle_since = time(NULL);
		if (a->key == NULL || a->uses >= q.max_use)
			agent_free(a);
		return;
	}
	/* It died (or spoke nonsense): its exit status tells the rest. */
	if (n > 0)
		kill(a->pid, SIGKILL);
	close(a->fd);
	a->fd = -1;
}

/* job_stage - the stage a job's agent belongs to */
static struct stage *
job_stage(const struct job *j)
{
	return j->kind == ROUTE_SMTP ? &q.st_smtp : &q.st_local;
}

/* short_of - is err a shortage of the whole process (descriptors,
 * processes, memory) rather than one job's trouble? */
static int
short_of(int err)
{
	return err == EMFILE || err == ENFILE || err == EAGAIN ||
	    err == ENOMEM || err == ENOBUFS;
}

/*
 * job_lock - the queue file opened anew, read-only, with a shared lock
 * on that open file: the agent is handed this descriptor (never one it
 * could write the queue file through), and the lock lasts for as long
 * as any agent holds it, even one that outlives this queue-run.  A
 * queue-run started after a crash waits for it (msg_busy()).  The
 * descriptor, or -1 with errno.
 */
static int
job_lock(const struct job *j)
{
	struct stat	 a, b;
	struct buf	 path = BUF_INIT;
	int		 fd;

	msg_path(j->m, &path);
	fd = open(buf_cstr(&path), O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK);
	buf_free(&path);
	if (fd < 0)
		return -1;
	if (fstat(fd, &a) < 0 || fstat(j->m->fd, &b) < 0 ||
	    a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
		close(fd);
		errno = ENOENT;		/* moved away by postsuper */
		return -1;
	}
	if (flock(fd, LOCK_SH | LOCK_NB) < 0 && errno != EINVAL &&
	    errno != ENOLCK) {
		close(fd);
		return -1;
	}
	return fd;
}

/* job_start - start the agent for a job; 0, -1 (this job is deferred)
 * or -2 (the agent cannot be started: the stage's trouble) */
static int
job_start(struct job *j)
{
	char	*argv[16];
	int	 in[2], r;

	if ((j->lock_fd = job_lock(j)) < 0)
		return short_of(errno) ? -2 : -1;
	if (j->kind != ROUTE_SMTP) {
		if ((r = agent_start(j)) < 0) {
			int	 saved = errno;

			close(j->lock_fd);
			j->lock_fd = -1;
			errno = saved;
			return r;
		}
		j->in_fd = -1;
		goto started;
	}
	job_argv(j, argv, sizeof(argv) / sizeof(argv[0]));
	/* Agents tag their own log lines, if any, with the queue id. */
	setenv("PIPEMAIL_QUEUE_ID", j->m->id, 1);
	/* The message on its standard input; the locked file as descriptor
	 * 3, held until it exits. */
	if (proc_pipe(in) < 0)
		return -2;
	if (proc_spawn(&j->p, argv, in[0], j->lock_fd, 3) < 0) {
		int	 saved = errno;

		close(in[0]);
		close(in[1]);
		close(j->lock_fd);
		j->lock_fd = -1;
		errno = saved;
		return -2;
	}
	close(in[0]);
	j->in_fd = in[1];
	fcntl(j->in_fd, F_SETFL, O_NONBLOCK);
	j->in_off = j->m->env->data_off;
	j->in_end = j->m->env->data_off + j->m->env->size;
started:
	j->m->work[j->rcpt] = W_RUNNING;
	j->dest->active++;
	j->next = q.running;
	q.running = j;
	q.nrunning++;
	return 0;
}

/* job_feed - write more of the message to the agent */
static void
job_feed(struct job *j)
{
	char	 chunk[FEED_CHUNK];

	while (j->in_off < j->in_end) {
		size_t	 want = (size_t)(j->in_end - j->in_off);
		ssize_t	 n, w;

		if (want > sizeof(chunk))
			want = sizeof(chunk);
		n = pread(j->m->fd, chunk, want, j->in_off);
		if (n <= 0) {
			log_warn("%s: read queue file", j->m->id);
			break;
		}
		w = write(j->in_fd, chunk, (size_t)n);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			break;		/* EPIPE: the agent stopped reading */
		}
		j->in_off += w;
		if (w < n)
			return;
	}
	close(j->in_fd);
	j->in_fd = -1;
}

/* job_drain - read the agent's output, keeping at most the cap */
static void
job_drain(struct job *j)
{
	char	 chunk[4096];
	ssize_t	 n;

	for (;;) {
		n = read(j->p.out_fd, chunk, sizeof(chunk));
		if (n > 0) {
			size_t	 room = j->out.len < PROC_OUTPUT_MAX ?
			    PROC_OUTPUT_MAX - j->out.len : 0;

			buf_add(&j->out, chunk, (size_t)n < room ?
			    (size_t)n : room);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		close(j->p.out_fd);
		j->p.out_fd = -1;
		return;
	}
}

static void	settle(struct msg *);

/* log_attempt - the one log line per delivery attempt */
static void
log_attempt(const struct msg *m, size_t i, const char *relay,
    const char *dsn, const char *status, const char *reason)
{
	struct timespec	 now;
	double		 total;

	clock_gettime(CLOCK_REALTIME, &now);
	total = (double)(now.tv_sec - m->env->arrival.tv_sec) +
	    (double)(now.tv_nsec - m->env->arrival.tv_nsec) / 1e9;
	if (total < 0)
		total = 0;
	char		 code[16];
	size_t		 n = strcspn(reason, " ");

	/* The reason's own enhanced code, when it has one, is the dsn. */
	if (n >= 5 && n < sizeof(code) && reason[1] == '.' &&
	    strchr("245", reason[0]) != NULL) {
		memcpy(code, reason, n);
		code[n] = '\0';
		dsn = code;
	}
	if (m->env->rcpt[i].parent >= 0)
		log_info("%s: to=<%s>, orig_to=<%s>, relay=%s, delay=%.2g, "
		    "dsn=%s, status=%s (%s)", m->id, m->env->rcpt[i].addr,
		    m->env->rcpt[m->env->rcpt[i].parent].addr, relay, total, dsn,
		    status, reason);
	else
		log_info("%s: to=<%s>, relay=%s, delay=%.2g, dsn=%s, "
		    "status=%s (%s)", m->id, m->env->rcpt[i].addr, relay, total,
		    dsn, status, reason);
}

/* is_last - is recipient i the only one of m not yet final? */
static int
is_last(const struct msg *m, size_t i)
{
	for (size_t k = 0; k < m->env->nrcpt; k++) {
		enum queue_rcpt_state s = m->env->rcpt[k].state;

		if (k != i && s != QR_SENT && s != QR_BOUNCED &&
		    s != QR_EXPANDED)
			return 0;
	}
	return 1;
}

/* mark_sent - recipient i delivered: durable before anything else */
static void
mark_sent(struct msg *m, size_t i, const char *reason)
{
	struct queue_rcpt	*rc = &m->env->rcpt[i];
	struct buf		 rec = BUF_INIT;

	/* RFC 3461 4.1: NOTIFY=SUCCESS wants a report, queued (in settle)
	 * before the recipient is done, as a bounce is. */
	if ((rc->notify & QN_SUCCESS) && *m->env->sender != '\0') {
		free(rc->dsn);
		free(rc->reason);
		rc->dsn = xstrdup("2.0.0");
		rc->reason = xstrdup(reason);
		m->work[i] = W_NOTIFY;
		return;
	}

	/*
	 * The last recipient needs no record: the file is unlinked next,
	 * and a crash before that only repeats a delivery.
	 */
	if (!is_last(m, i)) {
		buf_printf(&rec, "done %zu\tsent\t2.0.0\t", i);
		record_clean(&rec, reason);
		buf_addc(&rec, '\n');
		msg_record(m, &rec);
	}
	m->env->rcpt[i].state = QR_SENT;
	m->work[i] = W_IDLE;
	buf_free(&rec);
}

/* mark_deferred - recipient i failed for now */
static void
mark_deferred(struct msg *m, size_t i, const char *reason)
{
	struct buf		 rec = BUF_INIT;
	struct queue_rcpt	*rc = &m->env->rcpt[i];
	char			 dsn[16];

	snprintf(dsn, sizeof(dsn), "%.*s", (int)strcspn(reason, " "),
	    reason);
	buf_printf(&rec, "defer %zu\t%lld\t%s\t", i, (long long)time(NULL),
	    dsn);
	record_clean(&rec, reason);
	buf_addc(&rec, '\n');
	msg_record(m, &rec);
	rc->state = QR_DEFERRED;
	rc->last_try = time(NULL);
	free(rc->dsn);
	free(rc->reason);
	rc->dsn = xstrdup(dsn);
	rc->reason = xstrdup(reason);
	m->work[i] = W_DEFERRED;
	buf_free(&rec);
}

/* mark_failed - recipient i failed for good: bounce it at settle time */
static void
mark_failed(struct msg *m, size_t i, const char *reason)
{
	struct queue_rcpt	*rc = &m->env->rcpt[i];
	char			 dsn[16];

	snprintf(dsn, sizeof(dsn), "%.*s", (int)strcspn(reason, " "),
	    reason);
	free(rc->dsn);
	free(rc->reason);
	rc->dsn = xstrdup(dsn);
	rc->reason = xstrdup(reason);
	m->work[i] = W_FAILED;
}

/* agent_outcome - the status in the slot of the agent that died with j
 * in hand, when the slot holds j's outcome; else -1 */
static int
agent_outcome(const struct job *j)
{
	char	 id[QUEUE_ID_MAX];
	size_t	 rcpt;
	int	 status;

	if (!q.slots_ok)
		return -1;
	status = lspawn_slot_outcome(q.slots, j->a->pid, id, sizeof(id),
	    &rcpt);
	return status >= 0 && strcmp(id, j->m->id) == 0 && rcpt == j->rcpt ?
	    status : -1;
}

/* job_finish - an agent is done and its output read: act on it */
static void
job_finish(struct job *j)
{
	struct msg	*m = j->m;
	struct buf	 reason = BUF_INIT;
	int		 status;

	if (j->verdict >= 0)
		status = proc_verdict(&j->out, j->verdict, &reason);
	else
		status = proc_reason(&j->out, j->wstatus, &reason);
	if (j->a != NULL) {
		/* It died with the job in hand: after the delivery, maybe. */
		if (agent_outcome(j) == EX_OK) {
			status = EX_OK;
			buf_sets(&reason, "delivered to mailbox; outcome kept "
			    "by its agent");
		}
		agent_free(j->a);
	}
	if (status == EX_OK) {
		/* "2.0.0 delivered to ..." is logged as "delivered to ...". */
		if (reason.len > 6 && reason.s[0] == '2' && reason.s[1] == '.') {
			size_t	 skip = strcspn(reason.s, " ") + 1;

			if (skip > reason.len)
				skip = reason.len;
			memmove(reason.s, reason.s + skip, reason.len - skip);
			buf_truncate(&reason, reason.len - skip);
		}
		if (reason.len == 0)
			buf_sets(&reason, j->kind == ROUTE_LOCAL ?
			    "delivered to mailbox" : "delivered");
		log_attempt(m, j->rcpt, job_relay(j), "2.0.0", "sent",
		    buf_cstr(&reason));
		mark_sent(m, j->rcpt, buf_cstr(&reason));
	} else if (exit_is_soft(status)) {
		log_attempt(m, j->rcpt, job_relay(j),
		    exit_info(status)->dsn, "deferred", buf_cstr(&reason));
		mark_deferred(m, j->rcpt, buf_cstr(&reason));
	} else {
		log_attempt(m, j->rcpt, job_relay(j),
		    exit_info(status)->dsn, "bounced", buf_cstr(&reason));
		mark_failed(m, j->rcpt, buf_cstr(&reason));
	}
	buf_free(&reason);
	j->dest->active--;
	dest_put(j->dest);
	q.nrunning--;
	m->inflight--;
	job_free(j);
	if (m->inflight == 0)
		settle(m);
}

/* job_defer_start - this job's agent could not be started: deferred */
static void
job_defer_start(struct job *j)
{
	struct msg	*m = j->m;
	struct buf	 why = BUF_INIT;

	buf_printf(&why, "4.3.0 cannot start delivery agent: %s",
	    strerror(errno));
	log_attempt(m, j->rcpt, job_relay(j), "4.3.0", "deferred",
	    buf_cstr(&why));
	mark_deferred(m, j->rcpt, buf_cstr(&why));
	buf_free(&why);
	dest_put(j->dest);
	m->inflight--;
	job_free(j);
	if (m->inflight == 0)
		settle(m);
}

/* job_stall - give a job back to its message untried (its stage is
 * suspended): no record, no back-off */
static void
job_stall(struct job *j)
{
	struct msg	*m = j->m;

	m->work[j->rcpt] = W_STALLED;
	dest_put(j->dest);
	m->inflight--;
	job_free(j);
	if (m->inflight == 0)
		settle(m);
}

/*
 * start_waiting - start queued jobs while there are free slots.  A job
 * whose stage is suspended waits in its place (queue-run -f gives it
 * back to its message instead, untried).
 */
static void
start_waiting(void)
{
	struct job	**pp = &q.waiting, *j;
	time_t		 now = time(NULL);
	int		 r;

	q.waiting_tail = NULL;
	while ((j = *pp) != NULL) {
		struct stage	*st = job_stage(j);

		if (q.stop)
			return;
		if (q.nrunning >= q.proc_limit ||
		    j->dest->active >= j->dest->limit ||
		    (stage_down(st, now) && !q.once)) {
			q.waiting_tail = j;
			pp = &j->next;
			continue;
		}
		*pp = j->next;
		j->next = NULL;
		if (stage_down(st, now)) {
			job_stall(j);
			continue;
		}
		if ((r = job_start(j)) == 0) {
			stage_ok(st);
			continue;
		}
		if (r == -2) {
			struct buf	 why = BUF_INIT;

			buf_printf(&why, "cannot start a delivery agent: %s",
			    strerror(errno));
			stage_fail(st, buf_cstr(&why));
			buf_free(&why);
			if (q.once) {
				job_stall(j);
				continue;
			}
			/* Back in its place, to wait for the stage. */
			j->next = *pp;
			*pp = j;
			q.waiting_tail = j;
			pp = &j->next;
			continue;
		}
		job_defer_start(j);
	}
}

/*
 * Attempts and their outcome.
 */

/* child_addr - the address an expanded delivery is known by in logs and
 * reports: the mailbox at myhostname for mailboxes, "|command" for
 * commands (as route-transport shows them), else what the router gave */
static char *
child_addr(const struct route *r)
{
	struct buf	 b = BUF_INIT;

	if (r->kind == ROUTE_LOCAL)
		buf_printf(&b, "%s@%s", r->recipient, q.hostname);
	else if (r->kind == ROUTE_PIPE)
		buf_printf(&b, "|%s", r->recipient);
	else
		buf_sets(&b, r->recipient);
	return buf_release(&b);
}

/* expand - record that recipient i routes to several deliveries */
static int
expand(struct msg *m, size_t i, struct route *r, size_t n)
{
	struct buf	 rec = BUF_INIT;
	size_t		 first = m->env->nrcpt;
	int		 ok;
	char		*addr;

	for (size_t k = 0; k < n; k++) {
		buf_printf(&rec, "expand %zu\t%s\t%s\t", i,
		    route_kind_word(r[k].kind), route_origin_name(r[k].origin));
		record_clean(&rec, r[k].nexthop);
		buf_addc(&rec, '\t');
		record_clean(&rec, r[k].recipient);
		buf_addc(&rec, '\t');
		addr = child_addr(&r[k]);
		record_clean(&rec, addr);
		free(addr);
		buf_addc(&rec, '\n');
	}
	ok = msg_record(m, &rec) == 0;
	buf_free(&rec);
	if (!ok)
		return -1;
	m->env->rcpt[i].state = QR_EXPANDED;
	m->env->rcpt = xreallocarray(m->env->rcpt, first + n,
	    sizeof(*m->env->rcpt));
	for (size_t k = 0; k < n; k++) {
		struct queue_rcpt *rc = &m->env->rcpt[first + k];

		memset(rc, 0, sizeof(*rc));
		rc->addr = child_addr(&r[k]);
		rc->orcpt = xstrdup(m->env->rcpt[i].orcpt);
		rc->notify = m->env->rcpt[i].notify;
		rc->parent = (int)i;
		rc->transport = xstrdup(route_kind_word(r[k].kind));
		rc->origin = xstrdup(route_origin_name(r[k].origin));
		rc->nexthop = xstrdup(r[k].nexthop);
		rc->recipient = xstrdup(r[k].recipient);
	}
	m->env->nrcpt = first + n;
	msg_sync_work(m);
	return 0;
}

/* dispatch - act on one routed delivery of recipient i, by its kind */
static void
dispatch(struct msg *m, size_t i, enum route_kind kind,
    enum route_origin origin, const char *nh, const char *rcpt)
{
	switch (kind) {
	case ROUTE_DISCARD:
		log_attempt(m, i, "none", "2.0.0", "sent",
		    "discarded");
		mark_sent(m, i, "discarded");
		break;
	case ROUTE_ERROR: {
		struct buf	 r = BUF_INIT;

		if (nh[0] == '5' && nh[1] == '.')
			buf_sets(&r, nh);
		else
			buf_printf(&r, "5.0.0 %s", strcmp(nh, "-") ? nh :
			    "mail for this address is not accepted");
		log_attempt(m, i, "none", "5.0.0", "bounced",
		    buf_cstr(&r));
		mark_failed(m, i, buf_cstr(&r));
		buf_free(&r);
		break;
	}
	case ROUTE_DEFER: {
		struct buf	 r = BUF_INIT;

		if (nh[0] == '4' && nh[1] == '.')
			buf_sets(&r, nh);
		else
			buf_printf(&r, "4.3.0 %s", nh);
		log_attempt(m, i, "none", "4.3.0", "deferred",
		    buf_cstr(&r));
		mark_deferred(m, i, buf_cstr(&r));
		buf_free(&r);
		break;
	}
	case ROUTE_LOCAL:
	case ROUTE_PIPE:
	case ROUTE_FILE:
	case ROUTE_MAILDIR:
	case ROUTE_SMTP:
		job_new(m, i, kind, origin, nh, rcpt);
		break;
	}
}

/*
 * routed - the typed delivery of an expand record; 0, or -1 when it is
 * none we trust.  An older record (no origin) had its kind guessed from
 * the target's first byte: only its mailbox, smtp, error and discard
 * deliveries are taken (a mailbox name is still checked by the agent).
 */
static int
routed(const struct queue_rcpt *rc, enum route_kind *kind,
    enum route_origin *origin)
{
	if (rc->origin != NULL)
		return route_kind_parse(rc->transport, kind) < 0 ||
		    route_origin_parse(rc->origin, origin) < 0 ? -1 : 0;
	*origin = ROUTE_FROM_RECIPIENT;
	if (strcmp(rc->transport, "local") == 0)
		*kind = ROUTE_LOCAL;
	else if (strcmp(rc->transport, "smtp") == 0)
		*kind = ROUTE_SMTP;
	else if (strcmp(rc->transport, "error") == 0)
		*kind = ROUTE_ERROR;
	else if (strcmp(rc->transport, "discard") == 0)
		*kind = ROUTE_DISCARD;
	else
		return -1;
	return 0;
}

static time_t	backoff(int);

/*
 * Outcome slots (lspawn.h): a delivery an agent finished while the
 * queue-run that asked for it was being killed is recorded by the next
 * queue-run, not made again.
 */

/* slot_apply - the outcome in agent pid's slot, when it is one: a
 * delivery made is marked sent (a failed one is simply tried again) */
static void
slot_apply(pid_t pid)
{
	char		 id[QUEUE_ID_MAX];
	size_t		 rcpt;
	struct msg	*m;
	int		 opened = 0;

	if (lspawn_slot_outcome(q.slots, pid, id, sizeof(id), &rcpt) != EX_OK ||
	    (m = msg_load(id)) == NULL)
		return;
	/* A waiting message is light: its file is read and open to record
	 * the outcome, and closed again after. */
	if (m->env == NULL) {
		switch (msg_read(m, 1)) {
		case 1:
			opened = 1;
			break;
		case 0:
			msg_free(m);
			return;
		default:
			return;
		}
	}
	if (rcpt >= m->env->nrcpt || m->work[rcpt] != W_IDLE ||
	    m->env->rcpt[rcpt].state == QR_SENT ||
	    m->env->rcpt[rcpt].state == QR_BOUNCED ||
	    m->env->rcpt[rcpt].state == QR_EXPANDED)
		goto out;
	log_attempt(m, rcpt, "local", "2.0.0", "sent", "delivered before "
	    "the last queue-run ended; outcome kept by its agent");
	if (is_last(m, rcpt)) {
		struct buf	 rec = BUF_INIT;

		/* Durable now: the slot is removed next. */
		buf_printf(&rec, "done %zu\tsent\t2.0.0\tdelivered to "
		    "mailbox\n", rcpt);
		msg_record(m, &rec);
		buf_free(&rec);
	}
	mark_sent(m, rcpt, "delivered to mailbox");
out:
	if (opened) {
		msg_close(m);
		msg_light(m);
	}
}

/*
 * slot_recover - apply the slots of agents not ours, and remove those of
 * agents that are gone; the slots of live ones (an agent of a killed
 * queue-run still ending) are read again by a later call, counted in
 * q.slots_left.  An outcome is written before its agent lets the queue
 * file go (msg_busy()), so a file found free has its outcome here.
 */
static void
slot_recover(void)
{
	DIR		*d;
	struct dirent	*de;

	q.slots_left = 0;
	if (!q.slots_ok || (d = opendir(q.slots)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char		*end;
		long		 pid;
		struct agent	*a;

		errno = 0;
		pid = strtol(de->d_name, &end, 10);
		if (pid <= 0 || errno != 0 || strcmp(end, ".job") != 0)
			continue;
		for (a = q.agents; a && a->pid != (pid_t)pid; a = a->next)
			;
		if (a != NULL)
			continue;		/* one of ours */
		slot_apply((pid_t)pid);
		if (kill((pid_t)pid, 0) == 0)
			q.slots_left++;
		else
			slot_remove((pid_t)pid);
	}
	closedir(d);
}

/*
 * msg_busy - does a delivery agent still hold m's file locked (one a
 * queue-run that was killed left running, see job_lock())?  Then no
 * second delivery is started: m is looked at again in BUSY_RETRY
 * seconds, and its state is read anew once the agent is gone.
 */
static int
msg_busy(struct msg *m)
{
	if (flock(m->fd, LOCK_EX | LOCK_NB) == 0) {
		flock(m->fd, LOCK_UN);
		if (m->busy)
			log_info("%s: the earlier delivery agent ended", m->id);
		/* What it did may now be in its slot. */
		if (m->busy || q.slots_left > 0)
			slot_recover();
		m->busy = 0;
		return 0;
	}
	if (errno != EWOULDBLOCK)
		return 0;		/* no locks here: nothing to wait for */
	if (!m->busy)
		log_info("%s: an earlier delivery agent still holds it; "
		    "waiting", m->id);
	m->busy = 1;
	schedule(m, time(NULL) + BUSY_RETRY);
	return 1;
}

/* attempt - try every recipient of m that is not final */
static void
attempt(struct msg *m)
{
	heap_remove(m);
	switch (msg_read(m, 1)) {
	case 1:
		break;
	case 0:
		msg_free(m);
		return;
	default:
		schedule(m, time(NULL) + backoff(1));
		return;
	}
	if (msg_busy(m)) {
		msg_close(m);		/* looked at again, afresh, later */
		msg_light(m);
		return;
	}
	for (size_t i = 0; i < m->env->nrcpt; i++) {
		struct queue_rcpt *rc = &m->env->rcpt[i];
		struct route	*r;
		ssize_t		 n;

		if (rc->state == QR_SENT || rc->state == QR_BOUNCED ||
		    rc->state == QR_EXPANDED || m->work[i] == W_RUNNING ||
		    m->work[i] == W_WAITING || m->work[i] == W_FAILED ||
		    m->work[i] == W_NOTIFY)
			continue;
		m->work[i] = W_IDLE;
		if (rc->transport != NULL) {
			enum route_kind		 kind;
			enum route_origin	 origin;

			if (routed(rc, &kind, &origin) == 0)
				dispatch(m, i, kind, origin, rc->nexthop,
				    rc->recipient);
			else {
				const char	*why = "5.3.5 unusable "
				    "delivery in the queue file";

				log_attempt(m, i, "none", "5.3.5", "bounced",
				    why);
				mark_failed(m, i, why);
			}
			continue;
		}
		n = route(rc->addr, &r);
		if (n == -2) {
			/* The router cannot run: untried, nothing written. */
			m->work[i] = W_STALLED;
			continue;
		}
		if (n < 0) {
			log_attempt(m, i, "none", "4.3.0",
			    "deferred", "4.3.0 address resolver failure");
			mark_deferred(m, i, "4.3.0 address resolver failure");
		} else if (n == 0) {
			log_attempt(m, i, "none", "5.1.1",
			    "bounced", "5.1.1 address resolves to nothing");
			mark_failed(m, i, "5.1.1 address resolves to nothing");
		} else if (n == 1 || expand(m, i, r, (size_t)n) < 0) {
			if (n == 1)
				dispatch(m, i, r[0].kind, r[0].origin,
				    r[0].nexthop, r[0].recipient);
			else
				mark_deferred(m, i, "4.3.0 cannot record "
				    "alias expansion");
		}
		/* Expanded recipients are taken by this same loop. */
		routes_free(r, n > 0 ? (size_t)n : 0);
	}
	if (m->inflight == 0)
		settle(m);
}

/* inject_report - queue a bounce through queue-inject; 0 or -1 */
static int
inject_report(const char *from, const char *to, const struct buf *msg)
{
	int	 in[2], env[2], st;
	char	*argv[6];
	int	 n = 0;
	struct proc p;
	struct buf out = BUF_INIT, e = BUF_INIT;
	pid_t	 w;

	if (pipe(in) < 0)
		return -1;
	if (pipe(env) < 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	argv[n++] = q.bin_inject.s;
	if (q.cfgdir) {
		argv[n++] = "-c";
		argv[n++] = (char *)q.cfgdir;
	}
	argv[n++] = "-e3";
	argv[n] = NULL;
	fcntl(in[1], F_SETFD, FD_CLOEXEC);
	fcntl(env[1], F_SETFD, FD_CLOEXEC);
	fcntl(env[0], F_SETFD, FD_CLOEXEC);
	if (proc_spawn(&p, argv, in[0], env[0], 3) < 0) {
		close(in[0]);
		close(in[1]);
		close(env[0]);
		close(env[1]);
		return -1;
	}
	close(in[0]);
	close(env[0]);
	fcntl(p.out_fd, F_SETFL, 0);
	/* The report is small; a blocking write cannot wedge the child. */
	buf_printf(&e, "F%s", from);
	buf_addc(&e, '\0');
	buf_printf(&e, "T%s", to);
	buf_addc(&e, '\0');
	buf_addc(&e, '\0');
	if (fd_write_all(in[1], msg->s, msg->len) < 0)
		log_warn("write to queue-inject");
	close(in[1]);
	if (fd_write_all(env[1], e.s, e.len) < 0)
		log_warn("write to queue-inject");
	close(env[1]);
	fd_read_file(p.out_fd, &out, PROC_OUTPUT_MAX);
	close(p.out_fd);
	while ((w = waitpid(p.pid, &st, 0)) < 0 && errno == EINTR)
		;
	buf_free(&e);
	if (w < 0 || exit_from_wait(st) != EX_OK) {
		struct buf	 r = BUF_INIT;

		proc_reason(&out, w < 0 ? EX_TEMPFAIL << 8 : st, &r);
		/* A full queue is logged once per interval. */
		if (strncmp(buf_cstr(&r), "4.3.1", 5) == 0)
			qspace_warn(q.qdir, "cannot queue report: %s",
			    buf_cstr(&r));
		else
			log_warnx("cannot queue report: %s", buf_cstr(&r));
		buf_free(&r);
		buf_free(&out);
		return -1;
	}
	buf_trim(&out);
	log_info("%s: report queued as %s", to, buf_cstr(&out));
	buf_free(&out);
	return 0;
}

/* report - an RFC 3464 report of the recipients of m in state which
 * (W_FAILED: a bounce; W_NOTIFY: delivered, NOTIFY=SUCCESS) to the
 * sender, then mark them done */
static void
report(struct msg *m, enum work which)
{
	struct dsn_rcpt	*d = xcalloc(m->env->nrcpt, sizeof(*d));
	struct dsn_report r;
	struct buf	 msg = BUF_INIT, orig = BUF_INIT, from = BUF_INIT;
	struct buf	 to = BUF_INIT, rec = BUF_INIT;
	size_t		 n = 0;
	const char	*dbl = cfg_get("double_bounce_sender");
	int		 queued = 1;

	for (size_t i = 0; i < m->env->nrcpt; i++) {
		struct queue_rcpt *rc = &m->env->rcpt[i];

		if (m->work[i] != which)
			continue;
		/* RFC 3461 4.1: NOTIFY without FAILURE (or NEVER) asks for
		 * no report of this failure. */
		if (which == W_FAILED && rc->notify != 0 &&
		    !(rc->notify & QN_FAILURE))
			continue;
		d[n].final = rc->addr;
		d[n].original = *rc->orcpt ? rc->orcpt : NULL;
		d[n].action = which == W_FAILED ? "failed" : "delivered";
		d[n].status = rc->dsn;
		d[n].diag = rc->reason;
		n++;
	}
	buf_printf(&from, "%s@%s", "MAILER-DAEMON", q.hostname);
	buf_printf(&to, "%s", m->env->sender);
	if (*m->env->sender == '\0')
		/* A bounce bounced: tell the postmaster, from double-bounce. */
		buf_sets(&to, cfg_get("2bounce_notice_recipient"));
	if (strncmp(m->env->sender, dbl, strlen(dbl)) == 0 &&
	    m->env->sender[strlen(dbl)] == '@') {
		log_info("%s: double bounce discarded", m->id);
		queued = 0;
		goto mark;
	}
	if (n == 0) {
		log_info("%s: no report wanted (NOTIFY)", m->id);
		queued = 0;
		goto mark;
	}
	buf_reserve(&orig, (size_t)m->env->size);
	if (pread(m->fd, orig.s, (size_t)m->env->size, m->env->data_off) !=
	    m->env->size) {
		log_warn("%s: read queue file for bounce", m->id);
		goto out;
	}
	orig.len = (size_t)m->env->size;
	memset(&r, 0, sizeof(r));
	r.hostname = q.hostname;
	r.queue_id = m->id;
	r.from = buf_cstr(&from);
	r.to = buf_cstr(&to);
	r.envid = m->env->envid;
	r.ret = m->env->ret;
	r.arrival = m->env->arrival.tv_sec;
	r.now = time(NULL);
	r.rcpt = d;
	r.nrcpt = n;
	r.orig = orig.s;
	r.orig_len = orig.len;
	dsn_compose(&msg, &r);
	{
		struct buf	 sender = BUF_INIT;

		if (*m->env->sender == '\0')
			buf_printf(&sender, "%s@%s", dbl, q.hostname);
		if (inject_report(buf_cstr(&sender), buf_cstr(&to), &msg) < 0)
			queued = -1;
		buf_free(&sender);
	}
mark:
	/* Invariant 3: the report is queued before the rcpts are done.  A
	 * success report that cannot be queued is given up, not the
	 * delivery repeated. */
	if (queued < 0 && which == W_NOTIFY)
		log_warnx("%s: success report not sent", m->id);
	for (size_t i = 0; i < m->env->nrcpt; i++) {
		if (m->work[i] != which)
			continue;
		if (queued < 0 && which == W_FAILED) {
			m->work[i] = W_DEFERRED;	/* retried later */
			continue;
		}
		if (!is_last(m, i)) {
			buf_printf(&rec, "done %zu\t%s\t%s\t", i,
			    which == W_FAILED ? "bounced" : "sent",
			    m->env->rcpt[i].dsn);
			record_clean(&rec, m->env->rcpt[i].reason);
			buf_addc(&rec, '\n');
		}
		m->env->rcpt[i].state = which == W_FAILED ? QR_BOUNCED :
		    QR_SENT;
		m->work[i] = W_IDLE;
	}
	if (rec.len)
		msg_record(m, &rec);
out:
	free(d);
	buf_free(&msg);
	buf_free(&orig);
	buf_free(&from);
	buf_free(&to);
	buf_free(&rec);
}

/* backoff - seconds until the next attempt after n deferrals */
static time_t
backoff(int n)
{
	long long	 lo = cfg_get_time("minimal_backoff_time");
	long long	 hi = cfg_get_time("maximal_backoff_time");
	long long	 d = lo;

	while (n-- > 1 && d < hi)
		d *= 2;
	return (time_t)(d < hi ? d : hi);
}

/* settle - nothing in flight for m: bounce, finish, or schedule */
static void
settle(struct msg *m)
{
	int		 failed = 0, deferred = 0, ndefers;
	time_t		 now = time(NULL);
	long long	 life;
	struct buf	 path = BUF_INIT;

	life = cfg_get_time(*m->env->sender ? "maximal_queue_lifetime" :
	    "bounce_queue_lifetime");
	for (size_t i = 0; i < m->env->nrcpt; i++) {
		if (m->work[i] == W_DEFERRED || (m->work[i] == W_IDLE &&
		    m->env->rcpt[i].state == QR_DEFERRED)) {
			/* Too old: the last reason becomes the bounce. */
			if (now - m->env->arrival.tv_sec >= life) {
				struct buf	 r = BUF_INIT;
				const char	*why = m->env->rcpt[i].reason;

				buf_printf(&r, "5.4.7 delivery time expired; "
				    "last error: %s", why ? why : "none");
				mark_failed(m, i, buf_cstr(&r));
				buf_free(&r);
			} else
				deferred++;
		}
		if (m->work[i] == W_FAILED)
			failed++;
	}
	if (failed)
		report(m, W_FAILED);
	for (size_t i = 0; i < m->env->nrcpt; i++)
		if (m->work[i] == W_NOTIFY) {
			report(m, W_NOTIFY);
			break;
		}
	for (size_t i = 0; i < m->env->nrcpt; i++)
		if (m->work[i] == W_DEFERRED)
			deferred++;
	if (!is_last(m, (size_t)-1) || deferred) {
		int	 stalled = 0;

		for (size_t i = 0; i < m->env->nrcpt; i++) {
			if (m->work[i] == W_STALLED)
				stalled = 1;
			if (m->work[i] == W_DEFERRED ||
			    m->work[i] == W_STALLED)
				m->work[i] = W_IDLE;
		}
		if (stalled && !deferred) {
			/* Untried for a suspended stage: no back-off of its
			 * own, due again when the router may be tried. */
			msg_close(m);
			msg_light(m);
			if (q.once)
				msg_free(m);	/* -f: left for the next run */
			else
				schedule(m, q.st_route.until > now ?
				    q.st_route.until : now + 1);
			return;
		}
		ndefers = ++m->env->ndefers;
		msg_close(m);
		msg_light(m);
		if (q.once)
			msg_free(m);		/* -f: one pass only */
		else
			schedule(m, now + backoff(ndefers));
		return;
	}
	/* Every recipient is final. */
	msg_path(m, &path);
	if (unlink(buf_cstr(&path)) < 0 && errno != ENOENT)
		log_warn("%s: remove %s", m->id, buf_cstr(&path));
	else
		log_info("%s: removed", m->id);
	buf_free(&path);
	msg_free(m);
}

/*
 * The loop.
 */

/*
 * Passes over active/.  At most qmgr_message_active_limit messages are in
 * memory; a pass reads the directory as room frees, the rest waiting on
 * disk, so a pass costs one readdir per entry however long it is spread.
 */

/* pass_start - begin a pass over active/, users' submissions first */
static void
pass_start(void)
{
	struct buf	 p = BUF_INIT;

	if (q.pass != NULL)
		closedir(q.pass);
	q.rescan = 0;
	pickup_scan(q.qdir);
	queue_path(&p, q.qdir, "active", NULL);
	if ((q.pass = opendir(buf_cstr(&p))) == NULL)
		log_warn("open %s", buf_cstr(&p));
	buf_free(&p);
}

/* pass_more - go on with the pass, or begin the one asked for, while
 * there is room in memory; new messages come due now */
static void
pass_more(void)
{
	struct dirent	*de;
	time_t		 now = time(NULL);

	if (q.pass == NULL && q.rescan && q.nmsgs < q.active_limit)
		pass_start();
	while (q.pass != NULL && q.nmsgs < q.active_limit) {
		struct msg	*m;

		if ((de = readdir(q.pass)) == NULL) {
			closedir(q.pass);
			q.pass = NULL;
			break;
		}
		if (de->d_name[0] == '.')
			continue;
		if ((m = msg_load(de->d_name)) != NULL && m->inflight == 0 &&
		    m->heap == NOHEAP)
			schedule(m, now);
	}
}

/* tmp_clean - remove stale tmp/ files */
static void
tmp_clean(void)
{
	struct buf	 p = BUF_INIT;
	DIR		*d;
	struct dirent	*de;
	time_t		 now = time(NULL);

	queue_path(&p, q.qdir, "tmp", NULL);
	if ((d = opendir(buf_cstr(&p))) != NULL) {
		while ((de = readdir(d)) != NULL) {
			struct buf	 f = BUF_INIT;
			struct stat	 st;

			if (de->d_name[0] == '.')
				continue;
			queue_path(&f, q.qdir, "tmp", de->d_name);
			if (lstat(buf_cstr(&f), &st) == 0 &&
			    now - st.st_mtime > TMP_MAX_AGE &&
			    unlink(buf_cstr(&f)) == 0)
				log_info("removed stale %s", buf_cstr(&f));
			buf_free(&f);
		}
		closedir(d);
	}
	buf_free(&p);
}

/* scan - a new pass over active/ (with flush, every message in memory
 * comes due now too); remove stale tmp/ files */
static void
scan(int flush)
{
	time_t	 now = time(NULL);

	if (flush)
		for (size_t b = 0; b < MSG_BUCKETS; b++)
			for (struct msg *m = q.msgs[b]; m; m = m->next)
				if (m->inflight == 0)
					schedule(m, now);
	pass_start();
	pass_more();
	tmp_clean();
}

/*
 * ETRN (smtp-listen writes "@domain"): the messages with a recipient in
 * that domain that is not final come due now, back-off or not.  One
 * request per domain in ETRN_INTERVAL is heeded, and at most ETRN_SLOTS
 * domains in that time, so that a flood of ETRN costs one pass per
 * domain, never the whole queue.
 */
#define ETRN_SLOTS	64
#define ETRN_INTERVAL	60		/* seconds */
#define ETRN_DOMAIN_MAX	256

/* etrn_allowed - may dom be flushed now?  It is remembered if so */
static int
etrn_allowed(const char *dom, time_t now)
{
	static struct {
		char	 name[ETRN_DOMAIN_MAX];
		time_t	 when;
	} seen[ETRN_SLOTS];
	size_t	 slot = ETRN_SLOTS;

	for (size_t i = 0; i < ETRN_SLOTS; i++) {
		int	 live = seen[i].when != 0 &&
		    now - seen[i].when < ETRN_INTERVAL;

		if (live && strcasecmp(seen[i].name, dom) == 0)
			return 0;
		if (!live && slot == ETRN_SLOTS)
			slot = i;
	}
	if (slot == ETRN_SLOTS)
		return 0;
	snprintf(seen[slot].name, sizeof(seen[slot].name), "%s", dom);
	seen[slot].when = now;
	return 1;
}

/* rcpt_in_domain - has m a recipient not yet final at dom? */
static int
rcpt_in_domain(const struct msg *m, const char *dom)
{
	for (size_t i = 0; i < m->env->nrcpt; i++) {
		const struct queue_rcpt	*rc = &m->env->rcpt[i];
		const char		*at = strrchr(rc->addr, '@');

		if (rc->state == QR_SENT || rc->state == QR_BOUNCED ||
		    rc->state == QR_EXPANDED || at == NULL)
			continue;
		if (strcasecmp(at + 1, dom) == 0)
			return 1;
	}
	return 0;
}

/* flush_domain - an ETRN request for dom */
static void
flush_domain(const char *dom)
{
	time_t	 now = time(NULL);
	size_t	 n = 0;

	if (*dom == '\0' || strlen(dom) >= ETRN_DOMAIN_MAX)
		return;
	if (!etrn_allowed(dom, now)) {
		log_info("ETRN %s: not heeded, one per %ds", dom,
		    ETRN_INTERVAL);
		return;
	}
	for (size_t b = 0; b < MSG_BUCKETS; b++)
		for (struct msg *m = q.msgs[b]; m; m = m->next) {
			int	 hit;

			/* Waiting messages are light: read each one's
			 * recipients for the look. */
			if (m->inflight != 0 || m->heap == NOHEAP ||
			    m->due <= now || msg_read(m, 0) != 1)
				continue;
			hit = rcpt_in_domain(m, dom);
			msg_light(m);
			if (hit) {
				schedule(m, now);
				n++;
			}
		}
	log_info("ETRN %s: %zu message(s) to try now", dom, n);
}

/* read_trigger - ids written to the FIFO by queue-inject; "@domain"
 * from smtp-listen's ETRN */
static void
read_trigger(void)
{
	static struct buf	 pend = BUF_INIT;
	char			 chunk[4096];
	ssize_t			 n;

	while ((n = read(q.trigger_fd, chunk, sizeof(chunk))) > 0) {
		char	*line, *nl;

		buf_add(&pend, chunk, (size_t)n);
		line = pend.s;
		while ((nl = memchr(line, '\n', pend.len -
		    (size_t)(line - pend.s))) != NULL) {
			struct msg	*m;

			*nl = '\0';
			if (*line == '\0')
				scan(1);	/* a bare wake-up: flush */
			else if (*line == '@')
				flush_domain(line + 1);
			else if ((m = msg_find(line)) == NULL &&
			    q.nmsgs >= q.active_limit)
				q.rescan = 1;	/* it waits on disk */
			else if ((m != NULL || (m = msg_load(line)) != NULL) &&
			    m->inflight == 0)
				schedule(m, time(NULL));
			line = nl + 1;
		}
		memmove(pend.s, line, pend.len - (size_t)(line - pend.s));
		pend.len -= (size_t)(line - pend.s);
		if (pend.len > ETRN_DOMAIN_MAX * 4)
			buf_reset(&pend);	/* garbage: drop it */
	}
}

/* reap - collect exited children */
static void
reap(void)
{
	pid_t	 pid;
	int	 st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		struct job	*j;
		struct agent	*a;

		for (a = q.agents; a && a->pid != pid; a = a->next)
			;
		if (a != NULL && a->job == NULL) {
			agent_free(a);
			continue;
		}
		for (j = q.running; j; j = j->next)
			if (j->p.pid == pid) {
				j->exited = 1;
				j->wstatus = st;
				break;
			}
		if (j == NULL && q.router_up && pid == q.router.pid) {
			log_warnx("route-transport exited");
			router_stop();
		}
	}
}

/* finish_jobs - act on jobs whose agent exited and whose output ended */
static void
finish_jobs(void)
{
	struct job	**pp = &q.running, *j;

	while ((j = *pp) != NULL) {
		if (j->verdict >= 0 || (j->exited && j->p.out_fd < 0 &&
		    (j->a == NULL || j->a->fd < 0))) {
			*pp = j->next;
			if (j->in_fd >= 0)
				close(j->in_fd);
			job_finish(j);
		} else
			pp = &j->next;
	}
}

/* run_due - attempt every message whose time has come */
static void
run_due(void)
{
	time_t	 now = time(NULL);

	while (q.heap_len > 0 && q.heap[0]->due <= now &&
	    q.nopen < q.open_limit)
		attempt(q.heap[0]);
}

/* loop - the event loop; returns when stopped (or -f is done) */
static void
loop(void)
{
	struct pollfd	*pfd = NULL;
	struct job	**who = NULL;
	size_t		 cap = 0;

	for (;;) {
		size_t	 n = 0;
		int	 timeout = -1, r;
		long	 idle;

		pass_more();
		run_due();
		start_waiting();
		if (q.stop)
			break;
		if (q.once && q.heap_len == 0 && q.running == NULL &&
		    q.waiting == NULL && q.pass == NULL && !q.rescan)
			break;
		if (cap < (size_t)q.nrunning * 2 + 2) {
			cap = (size_t)q.nrunning * 2 + 16;
			pfd = xreallocarray(pfd, cap, sizeof(*pfd));
			who = xreallocarray(who, cap, sizeof(*who));
		}
		pfd[n].fd = q.sig_pipe[0];
		pfd[n].events = POLLIN;
		who[n++] = NULL;
		pfd[n].fd = q.trigger_fd;
		pfd[n].events = POLLIN;
		who[n++] = NULL;
		for (struct job *j = q.running; j; j = j->next) {
			if (j->in_fd >= 0) {
				pfd[n].fd = j->in_fd;
				pfd[n].events = POLLOUT;
				who[n++] = j;
			}
			if (j->p.out_fd >= 0) {
				pfd[n].fd = j->p.out_fd;
				pfd[n].events = POLLIN;
				who[n++] = j;
			}
			if (j->a != NULL && j->a->fd >= 0) {
				pfd[n].fd = j->a->fd;
				pfd[n].events = POLLIN;
				who[n++] = j;
			}
		}
		/* Due mail waits for a message's file to close, if need be. */
		if (q.heap_len > 0) {
			time_t	 d = q.heap[0]->due - time(NULL);

			timeout = d <= 0 ? (q.nopen < q.open_limit ? 0 : -1) :
			    d > 3600 ? 3600000 : (int)d * 1000;
		}
		if ((idle = agent_expire(time(NULL), 0)) >= 0 &&
		    (timeout < 0 || idle * 1000 < timeout))
			timeout = idle > 3600 ? 3600000 : (int)idle * 1000;
		if ((idle = stage_wake(time(NULL))) >= 0 &&
		    (timeout < 0 || idle < timeout))
			timeout = (int)idle;
		r = poll(pfd, (nfds_t)n, timeout);
		if (r < 0 && errno != EINTR) {
			log_warn("poll");
			break;
		}
		if (r <= 0)
			continue;
		if (pfd[0].revents) {
			char	 buf[64];

			while (read(q.sig_pipe[0], buf, sizeof(buf)) > 0)
				;
			reap();
		}
		if (pfd[1].revents)
			read_trigger();
		for (size_t i = 2; i < n; i++) {
			struct job	*j = who[i];

			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].fd == j->in_fd)
				job_feed(j);
			else if (pfd[i].fd == j->p.out_fd)
				job_drain(j);
			else if (j->a != NULL && pfd[i].fd == j->a->fd)
				agent_read(j);
		}
		reap();
		finish_jobs();
	}
	agent_expire(0, 1);
	free(pfd);
	free(who);
}

/* setup_signals - self-pipe for SIGCHLD and the stop signals */
static void
setup_signals(void)
{
	struct sigaction	 sa;

	if (pipe(q.sig_pipe) < 0)
		die_temp("4.3.0 pipe: %s", strerror(errno));
	for (int i = 0; i < 2; i++) {
		fcntl(q.sig_pipe[i], F_SETFD, FD_CLOEXEC);
		fcntl(q.sig_pipe[i], F_SETFL, O_NONBLOCK);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/*
 * fd_budget - fit the deliveries at a time and the messages worked on at a
 * time to the descriptor limit queue-run runs under: a delivery holds at
 * most three (an agent's socket and its slot's PID.job, or
 * deliver-remote's two pipes, and the queue file it is handed,
 * job_lock(); an idle agent's two count under the process limit), a
 * message worked on one, and FD_RESERVE are kept for the rest (logs,
 * the trigger, the router, a pass over active/ or over the slots, a
 * report being queued).
 */
static void
fd_budget(void)
{
	struct rlimit	 rl;
	long		 avail = 1L << 20, procs, open;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)avail)
		avail = (long)rl.rlim_cur;
	avail -= FD_RESERVE;
	procs = avail / 4 > 1 ? avail / 4 : 1;
	if (q.proc_limit > procs) {
		log_warnx("descriptor limit %ld: at most %ld deliveries at a "
		    "time", avail + FD_RESERVE, procs);
		q.proc_limit = (int)procs;
	}
	open = avail - 3L * q.proc_limit;
	if (open > OPEN_MAX_MSGS)
		open = OPEN_MAX_MSGS;
	q.open_limit = open > 1 ? (int)open : 1;
}

/* slots_dir - make the slots' directory, or check the one there: ours
 * alone (a directory, not a link, this user's, mode 0700); 0, or -1 when
 * it is unusable (logged; deliveries then go on without slots) */
static int
slots_dir(void)
{
	struct stat	 st;

	if (mkdir(q.slots, 0700) < 0 && errno != EEXIST) {
		log_warn("mkdir %s", q.slots);
		return -1;
	}
	if (lstat(q.slots, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		log_warnx("%s: not a directory of ours alone (mode 0700); "
		    "agents keep no outcome slots", q.slots);
		return -1;
	}
	return 0;
}

/* qmgr_run - set up, loop, and return an exit status */
int
qmgr_run(const struct qmgr_opts *o)
{
	struct buf	 err = BUF_INIT, p = BUF_INIT;

	memset(&q, 0, sizeof(q));
	q.cfgdir = o->config_dir;
	q.once = o->once;
	cfg_load(o->config_dir);
	q.qdir = cfg_path(cfg_get("queue_directory"));
	q.hostname = cfg_get("myhostname");
	q.proc_limit = (int)cfg_get_int("default_process_limit");
	q.dest_limit = (int)cfg_get_int(
	    "default_destination_concurrency_limit");
	q.max_use = (int)cfg_get_int("max_use");
	q.max_idle = (time_t)cfg_get_time("max_idle");
	q.active_limit = (size_t)cfg_get_int("qmgr_message_active_limit");
	fd_budget();
	q.retry = (time_t)cfg_get_time("transport_retry_time");
	q.st_route.name = "address resolution (route-transport)";
	q.st_local.name = "local delivery";
	q.st_smtp.name = "smtp delivery";
	if (queue_layout(q.qdir, &err) < 0)
		die_temp("4.3.0 %s", buf_cstr(&err));
	q.owner = geteuid();
	if (q.owner == 0) {
		gid_t	 gid;

		/* As root: the files mail_owner wrote, nobody else's. */
		if (queue_owner(&q.owner, &gid, &err) < 0)
			die_perm(EX_CONFIG, "5.3.5 %s", buf_cstr(&err));
		if (queue_give(q.qdir, q.owner, gid, &err) < 0)
			die_temp("4.3.0 %s", buf_cstr(&err));
	}
	if (local_conf_load(&q.lconf, &err) < 0)
		die_perm(EX_CONFIG, "5.3.5 %s", buf_cstr(&err));
	proc_bin(&q.bin_deliver_remote, "deliver-remote");
	proc_bin(&q.bin_route, "route-transport");
	proc_bin(&q.bin_inject, "queue-inject");
	setup_signals();

	/* O_RDWR: the FIFO never reports end of file when writers leave. */
	queue_path(&p, q.qdir, "trigger", NULL);
	q.trigger_fd = open(buf_cstr(&p), O_RDWR | O_NONBLOCK | O_CLOEXEC |
	    O_NOFOLLOW);
	if (q.trigger_fd < 0)
		die_temp("4.3.0 open %s: %s", buf_cstr(&p), strerror(errno));
	log_info("started, queue %s", q.qdir);
	/* Agents' outcome slots, where a killed queue-run's agents left
	 * what they did (lspawn.h). */
	queue_path(&p, q.qdir, "agents", NULL);
	q.slots = buf_release(&p);
	if ((q.slots_ok = slots_dir() == 0))
		lspawn_slot_dir(q.slots);
	q.seq = (unsigned long long)getpid() << 32;
	slot_recover();
	scan(0);
	loop();
	if (q.pass != NULL)
		closedir(q.pass);
	router_stop();
	log_info("stopped%s", q.once ? " (one pass done)" : "");
	buf_free(&err);
	buf_free(&p);
	return EX_OK;
}
