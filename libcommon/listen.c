/*
 * listen - bind, drop root, accept, hand connections to worker processes.
 */
#include "listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdnoreturn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fdpass.h"
#include "log.h"
#include "mem.h"
#include "priv.h"
#include "proc.h"

#define PORT_MAX	65535
#define CLIENTS_SPARE	256	/* client slots beyond 2 x the limit */

struct worker {
	pid_t	 pid;
	int	 ctl;		/* our end of its control socket; -1: none */
	int	 busy;		/* serving a connection */
	time_t	 idle_since;
	long	 client;	/* its client's slot, or -1 */
};

/*
 * What the listener counts per client address, as Postfix's anvil(8):
 * live connections, and connections and messages in the current
 * rate_unit.  The table has room for every live client and more; an
 * entry with no live connection is reused, the oldest first.
 */
struct client {
	char	 addr[INET6_ADDRSTRLEN];	/* "": free */
	int	 exempt;
	long	 live;
	time_t	 conn_start, msg_start;
	long	 conns, msgs;
	time_t	 used;
};

static volatile sig_atomic_t	 stopping;
static struct worker		*workers;	/* default_process_limit */
static size_t			 nworkers;	/* slots in use or used */
static struct client		*clients;
static size_t			 nclients;	/* the table's size */
static int			 stress;	/* every process is busy */

/* parse_port - a decimal port 1..65535; -1 when bad */
static int
parse_port(const char *s)
{
	long	 n = 0;

	if (*s == '\0' || strlen(s) > 5)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (*s - '0');
	}
	return n >= 1 && n <= PORT_MAX ? (int)n : -1;
}

/* listen_parse_addr - "ADDR:PORT" or "[ADDR]:PORT" (see listen.h) */
int
listen_parse_addr(const char *spec, struct listen_addr *a, struct buf *err)
{
	char		 host[64];
	const char	*colon, *h = spec, *port;
	size_t		 hlen;
	int		 p;

	memset(a, 0, sizeof(*a));
	snprintf(a->text, sizeof(a->text), "%s", spec);
	if (*spec == '[') {
		const char	*close = strchr(spec, ']');

		if (close == NULL || close[1] != ':')
			goto bad;
		h = spec + 1;
		hlen = (size_t)(close - h);
		port = close + 2;
	} else {
		colon = strrchr(spec, ':');
		if (colon == NULL)
			goto bad;
		hlen = (size_t)(colon - spec);
		port = colon + 1;
	}
	if (hlen == 0 || hlen >= sizeof(host) || (p = parse_port(port)) < 0)
		goto bad;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (strcasecmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (*spec != '[') {
		struct sockaddr_in	*in = (struct sockaddr_in *)&a->sa;

		if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
			goto bad;
		in->sin_family = AF_INET;
		in->sin_port = htons((unsigned short)p);
		a->len = sizeof(*in);
	} else {
		struct sockaddr_in6	*in6 = (struct sockaddr_in6 *)&a->sa;

		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
			goto bad;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)p);
		a->len = sizeof(*in6);
	}
	return 0;
bad:
	buf_printf(err, "bad listen address %s (want ADDR:PORT or "
	    "[ADDR]:PORT)", spec);
	return -1;
}

/* on_chld - reap exited workers (waitpid is async-signal-safe) */
static void
on_chld(int sig)
{
	int	 saved = errno, st;

	(void)sig;
	while (waitpid(-1, &st, WNOHANG) > 0)
		;
	errno = saved;
}

/* on_stop - SIGTERM, SIGINT, SIGHUP: stop accepting */
static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/* set_signals - our handlers, or the defaults for a worker */
static void
set_signals(int child)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = child ? SIG_DFL : on_chld;
	sa.sa_flags = child ? 0 : SA_NOCLDSTOP | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_flags = 0;
	sa.sa_handler = child ? SIG_DFL : on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* open_one - a listening socket for a; the descriptor, or -1 */
static int
open_one(const struct listen_addr *a, struct buf *err)
{
	int	 fd, on = 1;

	fd = socket(a->sa.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		goto fail;
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (a->sa.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, (const struct sockaddr *)&a->sa, a->len) < 0 ||
	    listen(fd, LISTEN_BACKLOG) < 0 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		goto fail;
	return fd;
fail:
	buf_printf(err, "listen on %s: %s", a->text, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/*
 * Workers: each serves one connection at a time, handed to it over its
 * control socket (SCM_RIGHTS, with the peer's address), and says so
 * with one byte when done; the next connection may go to it without a
 * fork.  A worker ends after max_use connections, or when its control
 * socket ends (idle over max_idle, or the listener stopped).
 */

/* worker_serve - in the worker: connections until told to stop; each
 * comes as the peer's address and a stress flag byte, with the socket */
static noreturn void
worker_serve(const struct listen_opts *o, int ctl)
{
	struct sockaddr_storage	 peer, local;
	struct listen_conn	 c;
	char			 pkt[sizeof(peer) + 1];
	ssize_t			 n;
	int			 cfd, st = 0;

	set_signals(1);
	for (long long used = 0; used < o->max_use; ) {
		n = fdpass_recv(ctl, pkt, sizeof(pkt), &cfd);
		if (n <= 0)
			break;
		if (cfd < 0 || n < 2) {
			/* A notice meant for a session that has ended. */
			if (cfd >= 0)
				close(cfd);
			continue;
		}
		used++;
		memcpy(&peer, pkt, (size_t)n - 1);
		memset(&c, 0, sizeof(c));
		c.fd = cfd;
		c.ctl = ctl;
		c.stress = pkt[n - 1] == 'S';
		c.peer = (const struct sockaddr *)&peer;
		c.plen = (socklen_t)(n - 1);
		c.llen = sizeof(local);
		if (getsockname(cfd, (struct sockaddr *)&local, &c.llen) < 0)
			c.llen = 0;
		c.local = c.llen ? (const struct sockaddr *)&local : NULL;
		st = o->serve(&c, o->ctx);
		close(cfd);
		if (used < o->max_use &&
		    send(ctl, "d", 1, MSG_NOSIGNAL) != 1)
			break;
	}
	exit(st);
}

/* worker_new - fork a worker, which keeps none of our descriptors but
 * its control socket (the connection in hand comes to it like any
 * other); its slot, or -1 */
static int
worker_new(const struct listen_opts *o)
{
	struct worker	*w;
	int		 sv[2];
	pid_t		 pid;
	size_t		 i;

	for (i = 0; i < nworkers && workers[i].ctl >= 0; i++)
		;
	if (i == nworkers) {
		if (nworkers == (size_t)o->limit)
			return -1;
		workers[nworkers++].ctl = -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		proc_keep_only(sv[1]);
		worker_serve(o, sv[1]);
	}
	close(sv[1]);
	w = &workers[i];
	w->pid = pid;
	w->ctl = sv[0];
	w->busy = 0;
	w->client = -1;
	w->idle_since = time(NULL);
	return (int)i;
}

/*
 * Clients.
 */

/* addr_text - a peer's address as numeric text, v4-mapped as v4 */
static void
addr_text(const struct sockaddr_storage *sa, char *dst, size_t size)
{
	const struct sockaddr_in6	*in6 = (const void *)sa;
	const struct sockaddr_in	*in = (const void *)sa;

	snprintf(dst, size, "unknown");
	if (sa->ss_family == AF_INET)
		inet_ntop(AF_INET, &in->sin_addr, dst, (socklen_t)size);
	else if (sa->ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
		inet_ntop(AF_INET, in6->sin6_addr.s6_addr + 12, dst,
		    (socklen_t)size);
	else if (sa->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &in6->sin6_addr, dst, (socklen_t)size);
}

/* client_get - addr's slot, made (or an idle one reused) if need be;
 * -1 when every slot has live connections */
static long
client_get(const struct listen_opts *o, const char *addr, time_t now)
{
	long	 spare = -1;

	for (size_t i = 0; i < nclients; i++) {
		struct client	*c = &clients[i];

		if (c->addr[0] != '\0' && strcmp(c->addr, addr) == 0) {
			c->used = now;
			return (long)i;
		}
		if (c->live == 0 && (spare < 0 || c->addr[0] == '\0' ||
		    (clients[spare].addr[0] != '\0' &&
		    c->used < clients[spare].used)))
			spare = (long)i;
	}
	if (spare >= 0) {
		struct client	*c = &clients[spare];

		memset(c, 0, sizeof(*c));
		snprintf(c->addr, sizeof(c->addr), "%s", addr);
		c->exempt = o->exempt != NULL && o->exempt(addr, o->ctx);
		c->conn_start = c->msg_start = c->used = now;
	}
	return spare;
}

/* rate_over - one more event in a rate window: 1 when that is over
 * limit (then not counted), else 0 */
static int
rate_over(time_t *start, long *n, long long limit, long long unit,
    time_t now)
{
	if (now - *start >= unit) {
		*start = now;
		*n = 0;
	}
	if (limit > 0 && *n >= limit)
		return 1;
	(*n)++;
	return 0;
}

/* stress_check - every process busy: "stress", which each busy worker
 * hears (its session takes the short limits); it ends with the first
 * free slot, for the connections that come after */
static void
stress_check(const struct listen_opts *o)
{
	long long	 busy = 0;

	for (size_t i = 0; i < nworkers; i++)
		busy += workers[i].ctl >= 0 && workers[i].busy;
	if (busy < o->limit) {
		stress = 0;
		return;
	}
	if (stress)
		return;
	stress = 1;
	log_warnx("all %lld server processes busy: stress", o->limit);
	for (size_t i = 0; i < nworkers; i++)
		if (workers[i].ctl >= 0 && workers[i].busy)
			(void)send(workers[i].ctl, "S", 1,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* worker_idle - the worker's connection ended */
static void
worker_idle(struct worker *w)
{
	if (w->client >= 0 && clients[w->client].live > 0)
		clients[w->client].live--;
	w->client = -1;
	w->busy = 0;
}

/* worker_end - close a worker's socket: an idle one exits at once */
static void
worker_end(struct worker *w)
{
	close(w->ctl);
	w->ctl = -1;
	worker_idle(w);
}

/* worker_pick - the idle worker used last (its pages are warm), or a new
 * one; its slot, or -1 when all the allowed ones are busy */
static int
worker_pick(const struct listen_opts *o)
{
	int	 best = -1;

	for (size_t i = 0; i < nworkers; i++)
		if (workers[i].ctl >= 0 && !workers[i].busy && (best < 0 ||
		    workers[i].idle_since >= workers[best].idle_since))
			best = (int)i;
	return best >= 0 ? best : worker_new(o);
}

/* worker_give - hand a connection to worker w, with the stress flag;
 * 0 or -1 */
static int
worker_give(struct worker *w, int cfd, const struct sockaddr_storage *peer,
    socklen_t plen)
{
	char	 pkt[sizeof(*peer) + 1];

	memcpy(pkt, peer, plen);
	pkt[plen] = stress ? 'S' : '-';
	if (fdpass_send(w->ctl, pkt, plen + 1, cfd) != (ssize_t)plen + 1)
		return -1;
	w->busy = 1;
	return 0;
}

/* worker_heard - a worker's control socket is readable: done ("d"), a
 * message rate question ("m"), or gone */
static void
worker_heard(const struct listen_opts *o, struct worker *w)
{
	char	 c;
	ssize_t	 n = recv(w->ctl, &c, 1, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n == 1 && c == 'm') {
		struct client	*cl = w->client >= 0 ? &clients[w->client] :
		    NULL;
		int		 over = cl != NULL && !cl->exempt &&
		    rate_over(&cl->msg_start, &cl->msgs, o->msg_rate_limit,
		    o->rate_unit, time(NULL));

		if (over)
			log_warnx("Message delivery request rate limit "
			    "exceeded: %ld from %s for service smtp",
			    cl->msgs + 1, cl->addr);
		(void)send(w->ctl, over ? "n" : "y", 1,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		return;
	}
	if (n == 1) {
		worker_idle(w);
		w->idle_since = time(NULL);
	} else
		worker_end(w);		/* it ended (max_use, or a crash) */
	stress_check(o);
}

/* refuse - best effort, never blocking the listener: one reply, close */
static void
refuse(int cfd, const char *text)
{
	fcntl(cfd, F_SETFL, O_NONBLOCK);
	if (text && write(cfd, text, strlen(text)) < 0)
		log_debug("refusal reply: %s", strerror(errno));
	close(cfd);
}

/* accept_one - take one connection from fd and hand it to a worker */
static void
accept_one(const struct listen_opts *o, int fd)
{
	struct sockaddr_storage	 peer;
	socklen_t		 plen = sizeof(peer);
	char			 addr[INET6_ADDRSTRLEN], text[512];
	time_t			 now = time(NULL);
	struct client		*cl = NULL;
	long			 ci;
	int			 cfd, w;

	cfd = accept(fd, (struct sockaddr *)&peer, &plen);
	if (cfd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR && errno != ECONNABORTED)
			log_warn("accept");
		return;
	}
	fcntl(cfd, F_SETFD, FD_CLOEXEC);
	fcntl(cfd, F_SETFL, 0);		/* blocking, whatever accept gave */

	/* Per client address (Postfix's smtpd_client_connection_*). */
	addr_text(&peer, addr, sizeof(addr));
	if ((ci = client_get(o, addr, now)) >= 0)
		cl = &clients[ci];
	if (cl != NULL && !cl->exempt && ((o->count_limit > 0 &&
	    cl->live >= o->count_limit) || rate_over(&cl->conn_start,
	    &cl->conns, o->conn_rate_limit, o->rate_unit, now))) {
		int	 count = o->count_limit > 0 &&
		    cl->live >= o->count_limit;

		log_warnx("Connection %s limit exceeded: %ld from %s for "
		    "service smtp", count ? "concurrency" : "rate",
		    count ? cl->live + 1 : cl->conns + 1, addr);
		snprintf(text, sizeof(text), "421 4.7.0 %s Error: too many "
		    "connections from %s\r\n", o->host ? o->host : "", addr);
		refuse(cfd, text);
		return;
	}
	for (int tries = 0; tries < 2; tries++) {
		if ((w = worker_pick(o)) < 0)
			break;
		if (worker_give(&workers[w], cfd, &peer, plen) == 0) {
			close(cfd);
			workers[w].client = ci;
			if (cl != NULL)
				cl->live++;
			stress_check(o);
			return;
		}
		worker_end(&workers[w]);	/* died meanwhile */
	}
	log_warnx("too many connections (%lld): refused one", o->limit);
	refuse(cfd, o->busy);
	stress_check(o);
}

/* idle_expire - end workers idle for max_idle; ms to the next, or -1 */
static int
idle_expire(const struct listen_opts *o, int all)
{
	time_t	 now = time(NULL);
	long	 soonest = -1;

	for (size_t i = 0; i < nworkers; i++) {
		struct worker	*w = &workers[i];
		long		 left;

		if (w->ctl < 0 || w->busy)
			continue;
		left = (long)(w->idle_since + o->max_idle - now);
		if (all || left <= 0)
			worker_end(w);
		else if (soonest < 0 || left < soonest)
			soonest = left;
	}
	return soonest < 0 ? -1 : soonest > 3600 ? 3600000 :
	    (int)soonest * 1000;
}

/* listen_run - the accept loop (see listen.h) */
int
listen_run(const struct listen_opts *o, struct buf *err)
{
	struct pollfd	*pfd = NULL;
	int		 fds[LISTEN_ADDRS_MAX];
	size_t		 n = 0;
	int		 r = -1;

	/* Bind everything first, while we may still be root. */
	for (; n < o->naddr && n < LISTEN_ADDRS_MAX; n++) {
		fds[n] = open_one(&o->addr[n], err);
		if (fds[n] < 0)
			goto out;
	}
	if (o->user && priv_drop_user(o->user, err) < 0)
		goto out;
	if (geteuid() == 0 || getuid() == 0) {
		buf_printf(err, "still root after dropping to %s: refusing "
		    "to serve", o->user ? o->user : "(nobody named)");
		goto out;
	}
	set_signals(0);
	for (size_t i = 0; i < n; i++)
		log_info("listening on %s", o->addr[i].text);
	workers = xcalloc((size_t)o->limit, sizeof(*workers));
	nclients = (size_t)o->limit * 2 + CLIENTS_SPARE;
	clients = xcalloc(nclients, sizeof(*clients));
	stress = 0;
	pfd = xcalloc(n + (size_t)o->limit, sizeof(*pfd));

	while (!stopping) {
		size_t	 np = 0;
		int	 k, timeout = idle_expire(o, 0);

		for (size_t i = 0; i < n; i++) {
			pfd[np].fd = fds[i];
			pfd[np++].events = POLLIN;
		}
		for (size_t i = 0; i < nworkers; i++) {
			pfd[np].fd = workers[i].ctl;	/* -1: ignored */
			pfd[np++].events = POLLIN;
		}
		k = poll(pfd, np, timeout);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			buf_printf(err, "poll: %s", strerror(errno));
			goto out;
		}
		for (size_t i = 0; i < nworkers; i++)
			if (pfd[n + i].revents && workers[i].ctl >= 0)
				worker_heard(o, &workers[i]);
		for (size_t i = 0; i < n && !stopping; i++)
			if (pfd[i].revents & POLLIN)
				accept_one(o, fds[i]);
	}
	{
		int	 busy = 0;

		for (size_t i = 0; i < nworkers; i++)
			busy += workers[i].ctl >= 0 && workers[i].busy;
		log_info("stopped accepting; %d session(s) still running",
		    busy);
	}
	r = 0;
out:
	while (n > 0)
		close(fds[--n]);
	if (workers != NULL)
		idle_expire(o, 1);
	for (size_t i = 0; i < nworkers; i++)
		if (workers[i].ctl >= 0)
			close(workers[i].ctl);	/* busy ones end after */
	free(workers);
	free(clients);
	free(pfd);
	workers = NULL;
	clients = NULL;
	nworkers = nclients = 0;
	return r;
}
