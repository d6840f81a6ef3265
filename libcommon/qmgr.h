/*
 * qmgr - the queue manager behind queue-run(8).
 *
 * One process, one event loop: poll(2) over the trigger FIFO, a
 * self-pipe for SIGCHLD and SIGTERM, each delivery agent's standard
 * input (fed from the queue file) and output (its verdict), with a timer
 * heap for retries.  No threads and no polling sleeps.
 *
 * Per message and recipient: route through a long-lived route-transport
 * co-process, hand local deliveries to a delivery agent (lspawn.h: kept
 * per mailbox and fed over a socket) or run deliver-remote with the
 * message on its standard input, and record the result durably in the queue file
 * before acting on it; a permanently failed recipient is reported in an
 * RFC 3464 bounce that is queued (through queue-inject) before the
 * recipient is marked done.  A message whose last recipient is done is
 * unlinked.  See queue-run(8) for the scheduling and fsync details.
 *
 * qmgr_run() returns a sysexits status for main().
 */
#ifndef PIPEMAIL_QMGR_H
#define PIPEMAIL_QMGR_H

struct qmgr_opts {
	const char	*config_dir;	/* -c, or NULL */
	int		 once;		/* -f: one pass over everything, exit */
};

int	 qmgr_run(const struct qmgr_opts *);

#endif
