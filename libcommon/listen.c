/*
 * listen - bind, drop root, accept, fork a process per connection.
 */
#include "listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "priv.h"

#define PORT_MAX	65535

static volatile sig_atomic_t	 children;	/* live connections */
static volatile sig_atomic_t	 stopping;

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

/* on_chld - reap exited children (waitpid is async-signal-safe) */
static void
on_chld(int sig)
{
	int	 saved = errno, st;

	(void)sig;
	while (waitpid(-1, &st, WNOHANG) > 0)
		children--;
	errno = saved;
}

/* on_stop - SIGTERM, SIGINT, SIGHUP: stop accepting */
static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/* set_signals - our handlers, or the defaults for a serving child */
static void
set_signals(int child)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = child ? SIG_DFL : on_chld;
	sa.sa_flags = child ? 0 : SA_NOCLDSTOP;
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

/* serve_child - in the new process: serve one connection and exit */
static void
serve_child(const struct listen_opts *o, const int *fds, int cfd,
    const struct sockaddr_storage *peer, socklen_t plen)
{
	struct sockaddr_storage	 local;
	socklen_t		 llen = sizeof(local);
	int			 st;

	set_signals(1);
	for (size_t i = 0; i < o->naddr; i++)
		close(fds[i]);
	fcntl(cfd, F_SETFL, 0);		/* blocking, whatever accept gave */
	if (getsockname(cfd, (struct sockaddr *)&local, &llen) < 0)
		llen = 0;
	st = o->serve(cfd, (const struct sockaddr *)peer, plen,
	    llen ? (const struct sockaddr *)&local : NULL, llen, o->ctx);
	exit(st);
}

/* accept_one - take one connection from fd and hand it to a child */
static void
accept_one(const struct listen_opts *o, const int *fds, int fd)
{
	struct sockaddr_storage	 peer;
	socklen_t		 plen = sizeof(peer);
	sigset_t		 chld, old;
	pid_t			 pid;
	int			 cfd;

	cfd = accept(fd, (struct sockaddr *)&peer, &plen);
	if (cfd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR && errno != ECONNABORTED)
			log_warn("accept");
		return;
	}
	fcntl(cfd, F_SETFD, FD_CLOEXEC);
	if (children >= o->limit) {
		/* Best effort, never blocking the listener. */
		fcntl(cfd, F_SETFL, O_NONBLOCK);
		if (o->busy && write(cfd, o->busy, strlen(o->busy)) < 0)
			log_debug("busy reply: %s", strerror(errno));
		log_warnx("too many connections (%lld): refused one",
		    o->limit);
		close(cfd);
		return;
	}
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	pid = fork();
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		serve_child(o, fds, cfd, &peer, plen);
	}
	if (pid < 0)
		log_warn("fork");
	else
		children++;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(cfd);
}

/* listen_run - the accept loop (see listen.h) */
int
listen_run(const struct listen_opts *o, struct buf *err)
{
	struct pollfd	 pfd[LISTEN_ADDRS_MAX];
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

	while (!stopping) {
		int	 k;

		for (size_t i = 0; i < n; i++) {
			pfd[i].fd = fds[i];
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		k = poll(pfd, n, -1);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			buf_printf(err, "poll: %s", strerror(errno));
			goto out;
		}
		for (size_t i = 0; i < n && !stopping; i++)
			if (pfd[i].revents & POLLIN)
				accept_one(o, fds, fds[i]);
	}
	log_info("stopped accepting; %d session(s) still running",
	    (int)children);
	r = 0;
out:
	while (n > 0)
		close(fds[--n]);
	return r;
}
