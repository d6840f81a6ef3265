/*
 * lspawn - long-lived local delivery agents, as qmail's lspawn: queue-run
 * forks an agent once, and the agent, after its first delivery has made
 * it the recipient, takes the next deliveries to the same mailbox over a
 * socket without a new fork, a passwd walk per process or an exec.
 *
 * The agent and queue-run talk over an AF_UNIX SOCK_SEQPACKET pair, one
 * packet a request and one a reply.  A request carries the open queue
 * file (SCM_RIGHTS) and eight NUL-terminated fields:
 *	KIND	mailbox, file, maildir or command (local_kind_name())
 *	ORIGIN	recipient, alias, forward or include (local_origin_name())
 *	TARGET	the user, the path or the command, as the kind says
 *	ADDRESS	the address for Delivered-To ("" none)
 *	PRIVS	the user for files and commands ("" default_privs)
 *	SENDER	the envelope sender
 *	START, LENGTH	the message in the file, in decimal
 * The kind is a field of its own: the agent never reads it from the bytes
 * of the target.  A request with a field missing, an unknown kind or
 * origin, or a bad number is answered EX_SOFTWARE (4.3.0), not guessed.
 * A reply is "STATUS TEXT": a sysexits status and the one-line reason.
 * The agent exits when the socket ends.
 *
 * lspawn_fork() returns the agent's pid and queue-run's end of the socket;
 * lspawn_send() 0 or -1 with errno (EPIPE: the agent is gone);
 * lspawn_reply() parses a reply into a status (and reason), -1 when
 * malformed.
 */
#ifndef PIPEMAIL_LSPAWN_H
#define PIPEMAIL_LSPAWN_H

#include <sys/types.h>

#include "buf.h"
#include "local.h"

#define LSPAWN_REQ_MAX		8192	/* bytes of a request packet */
#define LSPAWN_REPLY_MAX	1024	/* bytes of a reply packet */

struct lspawn_req {
	enum local_kind	 kind;
	enum local_origin origin;
	const char	*target;
	const char	*address;	/* NULL: none */
	const char	*privs;		/* NULL: default_privs */
	const char	*sender;
	int		 fd;		/* the queue file */
	off_t		 start, len;	/* the message in it */
};

pid_t	 lspawn_fork(const struct local_conf *, int *);
int	 lspawn_send(int, const struct lspawn_req *);
int	 lspawn_reply(const char *, size_t, struct buf *);

#endif
