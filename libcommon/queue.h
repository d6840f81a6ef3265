/*
 * queue - the spool: one file per message, made visible only when whole.
 *
 * Layout under queue_directory (made on first use by queue_layout(); the
 * modes queue_give() sets as root, with mail_owner:setgid_group):
 *	tmp/		0700 files being written; never read by queue-run
 *	active/		0700 complete messages waiting for delivery
 *	hold/		0700 messages put on hold (HOLD action, postsuper -h)
 *	maildrop/	1770 users' submissions (a set-group-id queue-inject
 *			run by a user), each the user's own file, named
 *			".NAME" until complete; pickup.c re-writes them into
 *			active/ or hold/ (a "hold" envelope record asks)
 *	corrupt/	0700 files set aside, kept as SUB.NAME, never read
 *	trigger		0620 a FIFO: a writer sends "ID\n" to wake queue-run
 *
 * Only mail_owner (and root) write tmp/, active/ and hold/; queue-run
 * acts on a file there only when queue_file_trusted() says the queue's
 * owner alone wrote it.  Only queue-run writes state records.
 *
 * A queue file is a short head, the message, then records, one a line:
 *
 *	pipemail-queue 1
 *	size NNNNNNNNNNNNNNNNNNNN		(message bytes, fixed width)
 *	<size bytes of message>
 *	arrival SECONDS.MICROSECONDS
 *	sender ADDRESS				(empty: the null sender)
 *	[hold]					(maildrop/ only)
 *	[ret FULL|HDRS] [envid XTEXT]
 *	rcpt ADDRESS TAB ORCPT TAB NOTIFY	(one per recipient)
 *	end
 *	done INDEX TAB STATUS TAB DSN TAB REASON	(appended by queue-run)
 *	defer INDEX TAB TIME TAB DSN TAB REASON
 *	expand INDEX TAB KIND TAB ORIGIN TAB NEXTHOP TAB TARGET TAB ADDRESS
 *
 * An expand record (an alias or .forward that routed one recipient to
 * several deliveries) adds a recipient numbered after the last, already
 * routed, and marks INDEX as expanded; done and defer records may then
 * name the new number.  KIND and ORIGIN are the typed fields of the
 * resolver's answer (route.h: mailbox, smtp, command, file, maildir,
 * error, discard, defer; recipient, alias, forward, include), NEXTHOP and
 * TARGET its other two; the delivery's kind is never read from TARGET.
 * An older record without ORIGIN is read with origin NULL (queue-run
 * then trusts only its mailbox, smtp, error and discard deliveries).
 * The envelope follows the message because a writer may learn it last
 * (queue-inject -e); the size is filled in when the file is committed.
 * Writers create the file under tmp/, fsync it, rename it into active/
 * and fsync active/: a message is visible only complete and durable.
 * State records are appended with one write and fdatasync; a torn last
 * record (no newline) is ignored when read back, and so is a state
 * record that does not parse (nskipped counts them): the envelope and
 * the message still stand.  Other damage makes queue_env_read() fail
 * with EINVAL, and queue-run sets the file aside in corrupt/.  Envelope
 * addresses may not hold control characters (queue_addr_ok), so records
 * stay lines.
 *
 * A submission's envelope reaches queue-inject as records ending in NUL
 * (queue-inject(8) -e): "Fsender", optional "Rret" and "Eenvid",
 * "Trcpt[TAB orcpt TAB notify]" per recipient, "H" for hold, then an
 * empty record.  queue_env_parse() reads them from memory into env (and
 * *hold), then checks env with queue_env_check(); it does no I/O.  It
 * returns 0, EX_DATAERR for a bad record or field, or EX_TEMPFAIL when
 * the records do not end with the empty record (the writer died), with
 * the enhanced status code and reason in why.  env is the caller's to
 * release (queue_env_free()) in every case.  queue_env_add_rcpt() appends
 * a pending recipient with its ORCPT (NULL: none) and NOTIFY bits to an
 * envelope whose recipients it alone added.
 *
 * Functions return 0 or -1 with errno set (and a reason in err when one
 * is passed); parse errors in a queue file give EINVAL.
 */
#ifndef PIPEMAIL_QUEUE_H
#define PIPEMAIL_QUEUE_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"

#define QUEUE_ID_MAX	48
#define QUEUE_ADDR_MAX	1000
#define QUEUE_HEAD_MAX	(4 * 1024 * 1024)	/* envelope records */
#define QUEUE_ENVID_MAX	300		/* RFC 3461 4.4: 100, as xtext */
#define QUEUE_ORCPT_MAX	500		/* RFC 3461 4.2 */

enum queue_rcpt_state {
	QR_PENDING = 0,
	QR_DEFERRED,
	QR_SENT,
	QR_BOUNCED,
	QR_EXPANDED,		/* replaced by the recipients it routed to */
};

/* DSN NOTIFY bits (RFC 3461 4.1); 0 means "not given" (default). */
#define QN_NEVER	0x01
#define QN_SUCCESS	0x02
#define QN_FAILURE	0x04
#define QN_DELAY	0x08

struct queue_rcpt {
	char			*addr;
	char			*orcpt;		/* "" when not given */
	int			 notify;
	enum queue_rcpt_state	 state;
	time_t			 last_try;	/* of the newest defer */
	char			*dsn;		/* newest status, or NULL */
	char			*reason;
	int			 parent;	/* -1, or the expanded one */
	char			*transport;	/* routed (expand records): KIND */
	char			*origin;	/* ORIGIN; NULL: older record */
	char			*nexthop;
	char			*recipient;
};

struct queue_env {
	char			 id[QUEUE_ID_MAX];
	struct timespec		 arrival;
	off_t			 size;		/* message bytes */
	off_t			 data_off;	/* where they start */
	char			*sender;
	char			*ret;		/* "" or FULL / HDRS */
	char			*envid;
	struct queue_rcpt	*rcpt;
	size_t			 nrcpt;
	int			 ndefers;	/* defer records seen */
	size_t			 nstate;	/* state records read */
	size_t			 nskipped;	/* bad ones read past */
	int			 hold;		/* a maildrop file's hold */
};

/* Writing a new message. */
struct queue_new {
	int			 fd;
	char			 id[QUEUE_ID_MAX];
	struct buf		 tmp;		/* tmp/ path */
	struct buf		 final;		/* active/ or hold/ path */
	off_t			 size_off;	/* where "size" is */
	off_t			 data_off;
	off_t			 size;
	struct timespec		 arrival;
};

int	 queue_layout(const char *, struct buf *);
int	 queue_owner(uid_t *, gid_t *, struct buf *);
int	 queue_give(const char *, uid_t, gid_t, struct buf *);
int	 queue_addr_ok(const char *);
int	 queue_env_check(const struct queue_env *, struct buf *);
void	 queue_env_add_rcpt(struct queue_env *, const char *, const char *,
	    int);
int	 queue_env_parse(const char *, size_t, struct queue_env *, int *,
	    struct buf *);
int	 queue_set_aside(const char *, const char *, const char *);
int	 queue_file_trusted(int, uid_t);
int	 queue_new_open(const char *, struct queue_new *, struct buf *);
int	 queue_new_open_drop(const char *, struct queue_new *, struct buf *);
int	 queue_new_envelope(struct queue_new *, const struct queue_env *,
	    struct buf *);
int	 queue_new_write(struct queue_new *, const void *, size_t);
int	 queue_new_commit(struct queue_new *, int, struct buf *);
void	 queue_new_abort(struct queue_new *);

int	 queue_env_read(int, struct queue_env *, struct buf *);
void	 queue_env_free(struct queue_env *);
int	 queue_append(int, const char *, size_t);
int	 queue_trigger(const char *, const char *);
void	 queue_path(struct buf *, const char *, const char *, const char *);

#endif
