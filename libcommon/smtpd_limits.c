/*
 * smtpd_limits - a session's time limits, stress, and the listener.
 */
#include "smtpd_limits.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "log.h"

static int	 stress_forced = -1;	/* main.cf said stress = yes */

/* smtpd_now_us - a monotonic clock in microseconds */
long long
smtpd_now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* limits_load - the stress-dependent limits from main.cf */
static void
limits_load(struct smtpd_limits *l)
{
	long long	 t = cfg_get_time("smtpd_timeout");

	l->timeout_ms = t > INT_MAX / 1000 ? INT_MAX : t * 1000;
	l->per_request = cfg_get_bool("smtpd_per_request_deadline");
	l->min_rate = cfg_get_int("smtpd_min_data_rate");
	l->hard_limit = cfg_get_int("smtpd_hard_error_limit");
	io_set_timeout(l->out, (int)l->timeout_ms);
}

/* stress_set - set main.cf's "stress" as Postfix's master does; the
 * value stays for later sessions in this process until changed */
static void
stress_set(struct smtpd_limits *l, int on)
{
	struct buf	 err = BUF_INIT;

	l->stress = on;
	if ((*cfg_get("stress") != '\0') != on &&
	    cfg_set("stress", on ? "yes" : "", &err) < 0)
		log_warnx("cannot set stress: %s", buf_cstr(&err));
	buf_free(&err);
	limits_load(l);
}

/* smtpd_limits_init - the limits of a new session (see smtpd_limits.h) */
void
smtpd_limits_init(struct smtpd_limits *l, int fd, struct io *out, int ctl,
    int stress, const char *client)
{
	l->fd = fd;
	l->out = out;
	l->ctl = ctl;
	l->client = client;
	l->deadline_us = 0;
	l->in_data = 0;
	/* main.cf's own "stress = yes" forces it on (Postfix's way). */
	if (stress_forced < 0)
		stress_forced = *cfg_get("stress") != '\0';
	stress_set(l, stress || stress_forced);
}

/* smtpd_limits_request - a new command line or DATA: a new deadline */
void
smtpd_limits_request(struct smtpd_limits *l, int data)
{
	l->in_data = data;
	l->deadline_us = l->per_request ? smtpd_now_us() +
	    l->timeout_ms * 1000 : 0;
}

/* stress_begins - the listener reached its limit during the session */
static void
stress_begins(struct smtpd_limits *l)
{
	long long	 cap;

	if (l->stress)
		return;
	stress_set(l, 1);
	log_info("stress: process limit reached; smtpd_timeout %llds for %s",
	    l->timeout_ms / 1000, l->client);
	cap = smtpd_now_us() + l->timeout_ms * 1000;
	if (l->per_request && (l->deadline_us == 0 || l->deadline_us > cap))
		l->deadline_us = cap;
}

/* ctl_heard - a packet from the listener: only "S" (stress) matters
 * here; the end of the socket means nobody to hear from */
static void
ctl_heard(struct smtpd_limits *l)
{
	char	 c;
	ssize_t	 n = recv(l->ctl, &c, 1, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n == 1 && c == 'S')
		stress_begins(l);
	else if (n <= 0)
		l->ctl = -1;
}

/* smtpd_limits_read - the client transport's read (io.h): within the
 * time limits, hearing the listener meanwhile */
ssize_t
smtpd_limits_read(void *ctx, void *p, size_t len)
{
	struct smtpd_limits	*l = ctx;

	for (;;) {
		struct pollfd	 pfd[2];
		nfds_t		 np = 1;
		long long	 left_ms;
		ssize_t		 n;
		int		 r;

		left_ms = l->timeout_ms;
		if (l->deadline_us > 0)
			left_ms = (l->deadline_us - smtpd_now_us() + 999) /
			    1000;
		if (left_ms <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		pfd[0].fd = l->fd;
		pfd[0].events = POLLIN;
		if (l->ctl >= 0) {
			pfd[1].fd = l->ctl;
			pfd[1].events = POLLIN;
			np = 2;
		}
		r = poll(pfd, np, left_ms > INT_MAX ? INT_MAX : (int)left_ms);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r == 0 && l->deadline_us == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (r <= 0)
			continue;	/* the deadline is checked above */
		if (np == 2 && pfd[1].revents)
			ctl_heard(l);
		if (pfd[0].revents == 0)
			continue;
		n = read(l->fd, p, len);
		if (n > 0 && l->in_data && l->deadline_us > 0) {
			/* Postfix 3.7: N bytes buy N/smtpd_min_data_rate s,
			 * up to smtpd_timeout from now. */
			long long	 cap = smtpd_now_us() +
			    l->timeout_ms * 1000;

			l->deadline_us += (long long)n * 1000000 / l->min_rate;
			if (l->deadline_us > cap)
				l->deadline_us = cap;
		}
		return n;
	}
}

/* smtpd_limits_write - the transport's write (the input stream of a
 * session does not write; this is for completeness) */
ssize_t
smtpd_limits_write(void *ctx, const void *p, size_t len)
{
	struct smtpd_limits	*l = ctx;

	return write(l->fd, p, len);
}

/* smtpd_limits_message_ok - smtpd_client_message_rate_limit: ask the
 * listener, which counts for every process (see smtpd_limits.h) */
int
smtpd_limits_message_ok(struct smtpd_limits *l)
{
	long long	 until = smtpd_now_us() +
	    LIMITS_LISTENER_WAIT_MS * 1000LL;

	if (l->ctl < 0 || cfg_get_int("smtpd_client_message_rate_limit") == 0)
		return 1;
	if (send(l->ctl, "m", 1, MSG_NOSIGNAL) != 1)
		return 1;
	for (;;) {
		struct pollfd	 pfd = {l->ctl, POLLIN, 0};
		long long	 left = (until - smtpd_now_us()) / 1000;
		char		 c;
		ssize_t		 n;

		if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
			log_warnx("no message rate answer from the listener");
			return 1;
		}
		n = recv(l->ctl, &c, 1, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			l->ctl = -1;
			return 1;
		}
		if (c == 'S')
			stress_begins(l);
		else if (c == 'y' || c == 'n')
			return c == 'y';
	}
}
