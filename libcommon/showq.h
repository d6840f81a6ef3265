/*
 * showq - the mail queue listing of mailq(1) and sendmail -bp, in
 * Postfix's layout.
 *
 * showq_scan() reads the envelope of every queue file in
 * queue_directory/active and queue_directory/hold (queue.h) into a
 * struct showq, sorted by arrival time, then queue id.  A file that
 * cannot be read or parsed is skipped with one line in warnings; one
 * that vanished meanwhile (delivered) is skipped silently.  A missing
 * queue directory is an empty queue.  The files in corrupt/ are
 * counted in ncorrupt, never read.  It returns 0, or -1 with errno and
 * a reason in err when a queue directory cannot be listed.
 *
 * showq_format() is pure: it appends the listing to out.  Per message a
 * line "ID[!] SIZE ARRIVAL SENDER" ('!' for a message on hold; the null
 * sender shown as MAILER-DAEMON; the arrival in local time), then, for
 * each recipient still to be delivered (pending or deferred; an
 * expanded one is replaced by the deliveries it expanded to), the last
 * deferral reason in parentheses when it differs from the previous
 * recipient's, and the recipient; a blank line between messages; a
 * heading first and "-- N Kbytes in M Request(s)." last, or only "Mail
 * queue is empty"; then, when queue-run has set files aside, a line
 * "-- N file(s) set aside in corrupt/ (postsuper -l)".
 *
 * Release a struct showq with showq_free().
 */
#ifndef PIPEMAIL_SHOWQ_H
#define PIPEMAIL_SHOWQ_H

#include <stddef.h>

#include "buf.h"
#include "queue.h"

#define SHOWQ_REASON_WIDTH	76	/* Postfix right-aligns reasons here */
#define SHOWQ_MESSAGES_MAX	1000000	/* queue files listed at most */

struct showq_msg {
	char			 id[QUEUE_ID_MAX];
	int			 hold;		/* in hold/ */
	struct queue_env	 env;
};

struct showq {
	struct showq_msg	*v;
	size_t			 n;
	size_t			 cap;
	size_t			 ncorrupt;	/* files in corrupt/ */
};

void	 showq_init(struct showq *);
void	 showq_free(struct showq *);
int	 showq_scan(const char *, struct showq *, struct buf *, struct buf *);
void	 showq_sort(struct showq *);
void	 showq_format(struct buf *, const struct showq *);

#endif
