/*
 * smtpd_limits - an SMTP session's time limits and its line to
 * smtp-listen's listener (stress, the message rate).
 *
 * Every read from the client goes through smtpd_limits_read(), an io(3)
 * transport read, which waits on the client and, under smtp-listen -l,
 * on the listener's socket.  The listener sends "S" there when its
 * process limit is reached (Postfix's "stress"): main.cf's "stress" is
 * then set to "yes" and the stress-dependent parameters (smtpd_timeout,
 * smtpd_per_request_deadline, smtpd_hard_error_limit) are read again,
 * so a session already running gets the short limits too.  With
 * smtpd_per_request_deadline the time limit covers a whole command line
 * or the whole DATA (Postfix 3.7), which each byte of DATA extends by
 * 1/smtpd_min_data_rate seconds, never past smtpd_timeout from now;
 * without it each read gets smtpd_timeout.  A read past the limit fails
 * with ETIMEDOUT.
 *
 * smtpd_limits_init() sets l up for one session: the client's input
 * descriptor, the output stream whose timeout follows smtpd_timeout,
 * the listener's socket (-1: none), whether the listener was under
 * stress when the connection came, and the client's address for the log.
 * main.cf's own "stress = yes" forces stress on.  smtpd_limits_request()
 * starts a command line (data 0) or DATA (data 1).
 * smtpd_limits_message_ok() asks the listener whether one more message
 * from the client is within smtpd_client_message_rate_limit: 1 yes, 0
 * no; with no listener, no limit or no answer in LIMITS_LISTENER_WAIT_MS,
 * 1.  smtpd_now_us() is the monotonic clock the deadlines use.
 */
#ifndef PIPEMAIL_SMTPD_LIMITS_H
#define PIPEMAIL_SMTPD_LIMITS_H

#include <sys/types.h>

#include "io.h"

#define LIMITS_LISTENER_WAIT_MS	5000	/* for the message rate answer */

struct smtpd_limits {
	int		 fd;		/* the client's input */
	struct io	*out;		/* the client's output */
	int		 ctl;		/* the listener's socket, or -1 */
	int		 stress;	/* the listener is at its limit */
	const char	*client;	/* address, for the log */
	long long	 timeout_ms;	/* smtpd_timeout */
	int		 per_request;	/* smtpd_per_request_deadline */
	long long	 min_rate;	/* smtpd_min_data_rate, bytes/s */
	long long	 hard_limit;	/* smtpd_hard_error_limit */
	long long	 deadline_us;	/* of the request in hand; 0: none */
	int		 in_data;	/* DATA bytes extend the deadline */
};

void	 smtpd_limits_init(struct smtpd_limits *, int, struct io *, int, int,
	    const char *);
void	 smtpd_limits_request(struct smtpd_limits *, int);
ssize_t	 smtpd_limits_read(void *, void *, size_t);
ssize_t	 smtpd_limits_write(void *, const void *, size_t);
int	 smtpd_limits_message_ok(struct smtpd_limits *);
long long smtpd_now_us(void);

#endif
