/*
 * lspawn - long-lived local delivery agents fed over a socket.
 */
#include "lspawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "fdpass.h"
#include "mbox.h"
#include "proc.h"

static int	 agent_fd = -1;	/* in an agent: its end of the socket */

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
	char		 pkt[LSPAWN_REQ_MAX], num[2][32];
	size_t		 len = 0;

	snprintf(num[0], sizeof(num[0]), "%lld", (long long)r->start);
	snprintf(num[1], sizeof(num[1]), "%lld", (long long)r->len);
	if (put(pkt, &len, local_kind_name(r->kind)) < 0 ||
	    put(pkt, &len, local_origin_name(r->origin)) < 0 ||
	    put(pkt, &len, r->target) < 0 ||
	    put(pkt, &len, r->address ? r->address : "") < 0 ||
	    put(pkt, &len, r->privs ? r->privs : "") < 0 ||
	    put(pkt, &len, r->sender) < 0 || put(pkt, &len, num[0]) < 0 ||
	    put(pkt, &len, num[1]) < 0) {
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
		if (errno != EINTR)
			_exit(EX_OSERR);
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
	if (fd < 0 || mm.sender == NULL || mm.start < 0 || mm.len < 0 ||
	    local_kind_parse(kind, &t.kind) < 0 ||
	    local_origin_parse(origin, &t.origin) < 0 || *t.name == '\0') {
		buf_sets(&why, "4.3.0 malformed request to the delivery agent");
		reply(EX_SOFTWARE, &why);
		buf_free(&why);
		return;
	}
	c.address = *address ? address : NULL;
	c.privs = *privs ? privs : NULL;
	mm.fd = fd;
	mm.when = time(NULL);
	status = local_deliver(&c, &t, &mm, &why);
	reply(status, &why);
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
		if (n <= 0) {
			mbox_lock_keep(0);
			_exit(n == 0 ? EX_OK : EX_OSERR);
		}
		serve_one(c, pkt, (size_t)n, fd);
		if (fd >= 0)
			close(fd);
	}
}

/* agent_setup - the new agent keeps the standard descriptors, its socket
 * and the log only, with default signal handling */
static void
agent_setup(int sock)
{
	static const int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGPIPE };
	sigset_t	 none;
	int		 null;

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	proc_keep_only(sock);
	/* What a command run for a delivery might print goes nowhere. */
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	agent_fd = sock;
	mbox_lock_keep(1);	/* one mailbox, message after message */
}

/* lspawn_fork - start an agent; its pid (our end in *sock), or -1 */
pid_t
lspawn_fork(const struct local_conf *c, int *sock)
{
	int	 sv[2];
	pid_t	 pid;

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
		agent_setup(sv[1]);
		serve(c);
	}
	close(sv[1]);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	*sock = sv[0];
	return pid;
}
