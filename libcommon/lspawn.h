/*
 * lspawn - long-lived local delivery agents, as qmail's lspawn: queue-run
 * forks an agent once, and the agent, after its first delivery has made
 * it the recipient, takes the next deliveries to the same mailbox over a
 * socket without a new fork, a passwd walk per process or an exec.
 *
 * The agent and queue-run talk over an AF_UNIX SOCK_SEQPACKET pair, one
 * packet a request and one a reply.  A request carries the open queue
 * file (SCM_RIGHTS) and nine NUL-terminated fields:
 *	KIND	mailbox, file, maildir or command (local_kind_name())
 *	ORIGIN	recipient, alias, forward or include (local_origin_name())
 *	TARGET	the user, the path or the command, as the kind says
 *	ADDRESS	the address for Delivered-To ("" none)
 *	PRIVS	the user for files and commands ("" default_privs)
 *	SENDER	the envelope sender
 *	START, LENGTH	the message in the file, in decimal
 *	SEQ	the delivery's number, in decimal (0: none)
 * The kind is a field of its own: the agent never reads it from the bytes
 * of the target.  A request with a field missing, an unknown kind or
 * origin, or a bad number is answered EX_SOFTWARE (4.3.0), not guessed.
 * A reply is "STATUS TEXT": a sysexits status and the one-line reason.
 * The agent exits when the socket ends, and is killed when queue-run
 * dies (the parent-death signal, kept across its change of user).
 *
 * The outcome slot: given a directory (lspawn_slot_dir()), an agent makes
 * DIR/PID.done there when it starts, while it still has queue-run's user,
 * and writes "SEQ STATUS" into it (LSPAWN_SLOT_LEN bytes, at offset 0)
 * after each numbered delivery, before it lets the queue file go and
 * replies.  A queue-run that was killed before it read the reply finds
 * the outcome there; it trusts it only for the SEQ it wrote itself into
 * DIR/PID.job (a file the agent has no descriptor of) beside the queue id
 * and recipient it gave that delivery: an agent can speak for its own
 * delivery alone, as it does on its socket.
 *
 * lspawn_fork() returns the agent's pid and queue-run's end of the socket;
 * lspawn_send() 0 or -1 with errno (EPIPE: the agent is gone);
 * lspawn_reply() parses a reply into a status (and reason), -1 when
 * malformed.
 *
 * Slots, queue-run's side: lspawn_slot_job() makes DIR/PID.job for a new
 * agent (the descriptor, or -1); lspawn_slot_assign() writes into it the
 * queue id, recipient and number of the delivery about to be sent;
 * lspawn_slot_outcome() reads both files of agent PID and returns the
 * delivery's status (its queue id and recipient filled in) when the
 * outcome is that delivery's, else -1; a file is read only when it is
 * regular, has one link, is ours and is readable by nobody else.
 * lspawn_slot_remove() removes both.
 */
#ifndef PIPEMAIL_LSPAWN_H
#define PIPEMAIL_LSPAWN_H

#include <sys/types.h>

#include "buf.h"
#include "local.h"

#define LSPAWN_REQ_MAX		8192	/* bytes of a request packet */
#define LSPAWN_REPLY_MAX	1024	/* bytes of a reply packet */
#define LSPAWN_SLOT_LEN		128	/* bytes of an outcome slot record */

struct lspawn_req {
	enum local_kind	 kind;
	enum local_origin origin;
	const char	*target;
	const char	*address;	/* NULL: none */
	const char	*privs;		/* NULL: default_privs */
	const char	*sender;
	int		 fd;		/* the queue file */
	off_t		 start, len;	/* the message in it */
	unsigned long long seq;		/* the delivery's number, 0: none */
};

void	 lspawn_slot_dir(const char *);
int	 lspawn_slot_job(const char *, pid_t);
void	 lspawn_slot_assign(int, const char *, size_t, unsigned long long);
int	 lspawn_slot_outcome(const char *, pid_t, char *, size_t, size_t *);
void	 lspawn_slot_remove(const char *, pid_t);
pid_t	 lspawn_fork(const struct local_conf *, int *);
int	 lspawn_send(int, const struct lspawn_req *);
int	 lspawn_reply(const char *, size_t, struct buf *);

#endif
