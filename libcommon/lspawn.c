/*
 * lspawn - long-lived local delivery agents fed over a socket.
 */
#include "lspawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/socket.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "fdpass.h"
#include "mbox.h"
#include "proc.h"

static int	 agent_fd = -1;	/* in an agent: its end of the socket */
static int	 slot_fd = -1;	/* in an agent: its outcome slot */
static volatile sig_atomic_t orphan;	/* queue-run has died */
static const char *slot_dir;	/* where agents make their slots */

/* lspawn_slot_dir - agents forked from now on keep an outcome slot in
 * dir (NULL: none) */
void
lspawn_slot_dir(const char *dir)
{
	slot_dir = dir;
}

/* put - append s and its NUL to a request; -1 when it would not fit */
static int
put(char *pkt, size_t *len, const char *s)
{
	size_t	 n = strlen(s) + 1;

	if (n > LSPAWN_REQ_MAX - *len)
		return -1;
	memcpy(pkt + *len, s, n);
	*len += n;
	return 0;
}

/* lspawn_send - one request with the queue file attached */
int
lspawn_send(int sock, const struct lspawn_req *r)
{
	char		 pkt[LSPAWN_REQ_MAX], num[3][32];
	size_t		 len = 0;

	snprintf(num[0], sizeof(num[0]), "%lld", (long long)r->start);
	snprintf(num[1], sizeof(num[1]), "%lld", (long long)r->len);
	snprintf(num[2], sizeof(num[2]), "%llu", r->seq);
	if (put(pkt, &len, local_kind_name(r->kind)) < 0 ||
	    put(pkt, &len, local_origin_name(r->origin)) < 0 ||
	    put(pkt, &len, r->target) < 0 ||
	    put(pkt, &len, r->address ? r->address : "") < 0 ||
	    put(pkt, &len, r->privs ? r->privs : "") < 0 ||
	    put(pkt, &len, r->sender) < 0 || put(pkt, &len, num[0]) < 0 ||
	    put(pkt, &len, num[1]) < 0 || put(pkt, &len, num[2]) < 0) {
		errno = EMSGSIZE;
		return -1;
	}
	return fdpass_send(sock, pkt, len, r->fd) == (ssize_t)len ? 0 : -1;
}

/* lspawn_reply - "STATUS TEXT" into a status and why */
int
lspawn_reply(const char *pkt, size_t n, struct buf *why)
{
	int	 status = 0;
	size_t	 i = 0;

	while (i < n && i < 3 && pkt[i] >= '0' && pkt[i] <= '9')
		status = status * 10 + (pkt[i++] - '0');
	if (i == 0 || i >= n || pkt[i] != ' ')
		return -1;
	buf_set(why, pkt + i + 1, n - i - 1);
	return status;
}

/* reply - send "STATUS TEXT" back; the agent ends when it cannot */
static void
reply(int status, struct buf *why)
{
	char	 pkt[LSPAWN_REPLY_MAX];
	int	 n;

	n = snprintf(pkt, sizeof(pkt), "%d %s", status, buf_cstr(why));
	if (n < 0)
		_exit(EX_OSERR);
	if ((size_t)n >= sizeof(pkt))
		n = sizeof(pkt) - 1;
	while (send(agent_fd, pkt, (size_t)n, MSG_NOSIGNAL) < 0)
		if (errno != EINTR) {
			mbox_lock_keep(0);	/* its spare name goes too */
			_exit(EX_OSERR);
		}
}

/* field - the next NUL-terminated field of a request, or NULL */
static const char *
field(const char *pkt, size_t len, size_t *at)
{
	const char	*s = pkt + *at;
	const char	*nul;

	if (*at >= len || (nul = memchr(s, '\0', len - *at)) == NULL)
		return NULL;
	*at += (size_t)(nul - s) + 1;
	return s;
}

/* number - a non-negative decimal offset or length, or -1 */
static off_t
number(const char *s)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno || *end ? -1 : (off_t)v;
}

/* slot_name - DIR/PID.WHAT into path; 0, or -1 when it does not fit */
static int
slot_name(char *path, size_t size, const char *dir, pid_t pid,
    const char *what)
{
	int	 n = snprintf(path, size, "%s/%ld.%s", dir, (long)pid, what);

	return n > 0 && (size_t)n < size ? 0 : -1;
}

/* slot_record - a fixed-size record line: text, spaces, a newline */
static int
slot_record(char *rec, const char *text)
{
	size_t	 n = strlen(text);

	if (n >= LSPAWN_SLOT_LEN)
		return -1;
	memset(rec, ' ', LSPAWN_SLOT_LEN);
	memcpy(rec, text, n);
	rec[LSPAWN_SLOT_LEN - 1] = '\n';
	return 0;
}

/* lspawn_slot_job - make agent pid's PID.job in dir; its fd, or -1 */
int
lspawn_slot_job(const char *dir, pid_t pid)
{
	char	 path[PATH_MAX];

	if (slot_name(path, sizeof(path), dir, pid, "job") < 0)
		return -1;
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
}

/* lspawn_slot_assign - delivery seq is recipient rcpt of queue id */
void
lspawn_slot_assign(int fd, const char *id, size_t rcpt,
    unsigned long long seq)
{
	char	 text[LSPAWN_SLOT_LEN], rec[LSPAWN_SLOT_LEN];
	int	 n;

	n = snprintf(text, sizeof(text), "%s %zu %llu", id, rcpt, seq);
	if (n < 0 || (size_t)n >= sizeof(text) || slot_record(rec, text) < 0)
		return;
	(void)!pwrite(fd, rec, sizeof(rec), 0);
}

/* slot_read - one slot file's record, NUL-terminated; 0 or -1 */
static int
slot_read(const char *dir, pid_t pid, const char *what, char *rec,
    size_t size)
{
	char		 path[PATH_MAX];
	struct stat	 st;
	ssize_t		 n = -1;
	int		 fd;

	if (slot_name(path, sizeof(path), dir, pid, what) < 0 ||
	    (fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1 &&
	    st.st_uid == geteuid() && (st.st_mode & 077) == 0)
		n = pread(fd, rec, size - 1, 0);
	close(fd);
	if (n <= 0)
		return -1;
	rec[n] = '\0';
	return 0;
}

/* lspawn_slot_outcome - the status of the delivery agent pid was last
 * given, when its outcome is there; its queue id and recipient */
int
lspawn_slot_outcome(const char *dir, pid_t pid, char *id, size_t idsize,
    size_t *rcpt)
{
	char			 job[LSPAWN_SLOT_LEN + 1];
	char			 done[LSPAWN_SLOT_LEN + 1];
	char			 word[LSPAWN_SLOT_LEN + 1];
	unsigned long long	 seq, dseq;
	int			 status;

	if (slot_read(dir, pid, "job", job, sizeof(job)) < 0 ||
	    slot_read(dir, pid, "done", done, sizeof(done)) < 0)
		return -1;
	if (sscanf(job, "%128s %zu %llu", word, rcpt, &seq) != 3 ||
	    sscanf(done, "%llu %d", &dseq, &status) != 2 || dseq != seq ||
	    seq == 0 || status < 0 || strlen(word) >= idsize)
		return -1;
	memcpy(id, word, strlen(word) + 1);
	return status;
}

/* lspawn_slot_remove - forget agent pid's slot */
void
lspawn_slot_remove(const char *dir, pid_t pid)
{
	char	 path[PATH_MAX];

	if (slot_name(path, sizeof(path), dir, pid, "job") == 0)
		unlink(path);
	if (slot_name(path, sizeof(path), dir, pid, "done") == 0)
		unlink(path);
}

/* slot_write - the outcome of delivery seq, for a queue-run that may
 * start after the one that asked was killed (lspawn.h) */
static void
slot_write(off_t seq, int status)
{
	char	 text[LSPAWN_SLOT_LEN], rec[LSPAWN_SLOT_LEN];
	int	 n;

	if (slot_fd < 0 || seq <= 0)
		return;
	n = snprintf(text, sizeof(text), "%lld %d", (long long)seq, status);
	if (n < 0 || (size_t)n >= sizeof(text) || slot_record(rec, text) < 0)
		return;
	(void)!pwrite(slot_fd, rec, sizeof(rec), 0);
}

/* done - the delivery's queue file is let go (and with it the lock
 * queue-run put on it) before queue-run hears the outcome */
static void
done(int fd, int status, struct buf *why)
{
	if (fd >= 0)
		close(fd);
	reply(status, why);
}

/* serve_one - one request: deliver and reply */
static void
serve_one(const struct local_conf *conf, const char *pkt, size_t len,
    int fd)
{
	struct local_conf	 c = *conf;
	struct mbox_msg		 mm;
	struct buf		 why = BUF_INIT;
	struct local_target	 t;
	const char		*kind, *origin, *address, *privs;
	size_t			 at = 0;
	off_t			 seq;
	int			 status;

	memset(&mm, 0, sizeof(mm));
	memset(&t, 0, sizeof(t));
	kind = field(pkt, len, &at);
	origin = field(pkt, len, &at);
	t.name = field(pkt, len, &at);
	address = field(pkt, len, &at);
	privs = field(pkt, len, &at);
	mm.sender = field(pkt, len, &at);
	mm.start = number(field(pkt, len, &at));
	mm.len = number(field(pkt, len, &at));
	seq = number(field(pkt, len, &at));
	if (fd < 0 || mm.sender == NULL || mm.start < 0 || mm.len < 0 ||
	    seq < 0 ||
	    local_kind_parse(kind, &t.kind) < 0 ||
	    local_origin_parse(origin, &t.origin) < 0 || *t.name == '\0') {
		buf_sets(&why, "4.3.0 malformed request to the delivery agent");
		done(fd, EX_SOFTWARE, &why);
		buf_free(&why);
		return;
	}
	c.address = *address ? address : NULL;
	c.privs = *privs ? privs : NULL;
	mm.fd = fd;
	mm.when = time(NULL);
	status = local_deliver(&c, &t, &mm, &why);
	slot_write(seq, status);
	done(fd, status, &why);
	buf_free(&why);
}

/* serve - the agent's loop: a request, a delivery, a reply, until EOF */
static noreturn void
serve(const struct local_conf *c)
{
	char		 pkt[LSPAWN_REQ_MAX];
	ssize_t		 n;
	int		 fd;

	for (;;) {
		n = fdpass_recv(agent_fd, pkt, sizeof(pkt), &fd);
		if (n < 0 && errno == EMSGSIZE) {
			struct buf	 why = BUF_INIT;

			buf_sets(&why, "4.3.0 oversized request to the "
			    "delivery agent");
			reply(EX_SOFTWARE, &why);
			buf_free(&why);
			continue;
		}
		if (n <= 0 || orphan) {
			mbox_lock_keep(0);
			_exit(n == 0 ? EX_OK : EX_OSERR);
		}
		serve_one(c, pkt, (size_t)n, fd);
		if (orphan) {
			mbox_lock_keep(0);
			_exit(EX_TEMPFAIL);
		}
	}
}

/* on_parent_death - queue-run is gone: end after the delivery in hand */
static void
on_parent_death(int sig)
{
	(void)sig;
	orphan = 1;
}

/*
 * agent_setup - the new agent keeps the standard descriptors, its socket
 * and the log only, with default signal handling, and learns of queue-
 * run's (its parent's) death at once: it finishes the delivery in hand,
 * whose outcome its slot keeps for the next queue-run, and ends; it
 * starts none after.  priv_drop() keeps the parent-death signal across
 * the change to the recipient.
 */
static void
agent_setup(int sock, pid_t parent)
{
	static const int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGPIPE };
	struct sigaction sa;
	sigset_t	 none;
	int		 null;

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_parent_death;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
	if (getppid() != parent)
		_exit(EX_TEMPFAIL);	/* it died before the line above */
	proc_keep_only(sock);
	/* What a command run for a delivery might print goes nowhere. */
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	agent_fd = sock;
	mbox_lock_keep(1);	/* one mailbox, message after message */
	/* The slot is made while the agent is still queue-run's user. */
	if (slot_dir != NULL) {
		char	 path[PATH_MAX];

		if (slot_name(path, sizeof(path), slot_dir, getpid(),
		    "done") == 0)
			slot_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC |
			    O_NOFOLLOW | O_CLOEXEC, 0600);
	}
}

/* lspawn_fork - start an agent; its pid (our end in *sock), or -1 */
pid_t
lspawn_fork(const struct local_conf *c, int *sock)
{
	int	 sv[2];
	pid_t	 pid, parent = getpid();

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	if ((pid = fork()) < 0) {
		int	 saved = errno;

		close(sv[0]);
		close(sv[1]);
		errno = saved;
		return -1;
	}
	if (pid == 0) {
		agent_setup(sv[1], parent);
		serve(c);
	}
	close(sv[1]);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	*sock = sv[0];
	return pid;
}
