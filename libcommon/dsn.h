/*
 * dsn - delivery status notifications (RFC 3464) as whole messages.
 *
 * dsn_compose() writes a multipart/report message into out: a readable
 * notice, a message/delivery-status part with one block per recipient,
 * and the original message's headers (RET=HDRS, or a message over the
 * size cap) or the whole original message.  The caller queues it with
 * the null sender.  Pure: the original message is passed as bytes.
 */
#ifndef PIPEMAIL_DSN_H
#define PIPEMAIL_DSN_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

#define DSN_RETURN_MAX	50000	/* bytes of original returned whole */

struct dsn_rcpt {
	const char	*final;		/* the address that failed */
	const char	*original;	/* ORCPT value, or NULL */
	const char	*action;	/* failed, delayed, delivered, expanded */
	const char	*status;	/* X.Y.Z */
	const char	*diag;		/* reason text */
};

struct dsn_report {
	const char		*hostname;	/* myhostname */
	const char		*queue_id;
	const char		*from;		/* From: of the report */
	const char		*to;		/* its recipient */
	const char		*envid;		/* or "" */
	const char		*ret;		/* FULL, HDRS or "" */
	time_t			 arrival;
	time_t			 now;
	const struct dsn_rcpt	*rcpt;
	size_t			 nrcpt;
	const char		*orig;		/* original message */
	size_t			 orig_len;
};

void	 dsn_compose(struct buf *, const struct dsn_report *);

#endif
