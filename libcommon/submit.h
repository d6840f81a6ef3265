/*
 * submit - a locally submitted message made ready for the queue, as
 * Postfix's sendmail(1) and cleanup(8) do it, then handed to
 * queue-inject(8).
 *
 * The engine (struct submit) is pure: bytes in, bytes out, no I/O and no
 * exit.  Push the raw message with submit_push() in pieces of any size,
 * then call submit_finish() at end of input; each appends to out the
 * bytes ready for the queue.  On the way the engine
 *   - drops leading mbox "From " lines (also ">From "), as Postfix does;
 *   - with SUBMIT_F_DOT, ends the message at a line holding only "."
 *     (or ".\r"); dot-stuffing is not undone, as in Postfix;
 *   - scans the header section with header.h, drops Bcc, Resent-Bcc,
 *     Content-Length and Return-Path (Postfix's message_drop_headers),
 *     and adds a missing Message-ID, Date and From at its end, each with
 *     a "Resent-" prefix when the message has Resent- headers (Postfix
 *     cleanup(8)); header lines come out as header.h's raw view with LF
 *     line ends; body bytes pass unchanged;
 *   - with SUBMIT_F_EXTRACT, collects the recipients of To, Cc and Bcc,
 *     or of Resent-To, Resent-Cc and Resent-Bcc instead when any of
 *     those is present (sendmail -t).
 * submit_push() returns SUBMIT_MORE, SUBMIT_END once the message has
 * ended (a lone dot: the rest of the input is not part of it, and
 * submit_finish() must still be called), or SUBMIT_ERROR with a sysexits
 * status in s->status and a reason "X.Y.Z text" in s->reason.  Warnings
 * for the user (a bad address skipped) collect in s->warnings, one per
 * line.  Memory: bounded by SUBMIT_HEAD_LINE_MAX, SUBMIT_BODY_CHUNK and
 * SUBMIT_RCPT_MAX whatever the input.
 *
 * Helpers, also pure: submit_parse_sender() reads a -f argument,
 * submit_parse_rcpt() a command-line recipient argument (an address
 * list, as Postfix reads it), submit_parse_notify() and
 * submit_parse_ret() the -N and -R values; each returns 0, or -1 with
 * a reason in err (submit_parse_rcpt() -2 when a local part cannot be a
 * mailbox name: addr_rcpt_ok(), sendmail's EX_NOUSER).  submit_from_value(), submit_msgid() and
 * submit_envelope() format.  Lists in struct submit_rcpts own their
 * strings: release with submit_rcpts_free().
 *
 * submit_send() is the I/O driver behind sendmail(1): it starts
 * queue-inject -e 3, streams the prepared message into it, writes the
 * envelope on descriptor 3 only after the whole message, and turns
 * queue-inject's end into a status and a reason, as qmail's qmail.c does.
 * A sendmail that fails or is killed before the envelope is written
 * leaves nothing in the queue.
 */
#ifndef PIPEMAIL_SUBMIT_H
#define PIPEMAIL_SUBMIT_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "header.h"

#define SUBMIT_RCPT_MAX		10240	/* Postfix extract_recipient_limit */
#define SUBMIT_ENVELOPE_MAX	(1024 * 1024)	/* records for queue-inject */
#define SUBMIT_HEAD_LINE_MAX	(HDR_SIZE_MAX + 2)	/* header bytes kept */
#define SUBMIT_BODY_CHUNK	65536	/* body bytes passed on at once */
#define SUBMIT_ENVID_MAX	100	/* RFC 3461 4.4 */

/* Flags for submit_init() and struct submit_opts. */
#define SUBMIT_F_EXTRACT	0x01	/* -t: recipients from the headers */
#define SUBMIT_F_DOT		0x02	/* a lone "." ends the message */
#define SUBMIT_F_VERBOSE	0x04	/* -v: submit_send() reports the id */

enum submit_result {
	SUBMIT_MORE = 0,
	SUBMIT_END = 1,
	SUBMIT_ERROR = -1,
};

struct submit_rcpts {
	char	**v;
	size_t	  n;
	size_t	  cap;
};

/* The engine; fields after "private" are its own. */
struct submit {
	int			 status;	/* after SUBMIT_ERROR */
	struct buf		 reason;	/* after SUBMIT_ERROR */
	struct buf		 warnings;	/* lines, each ending in LF */
	struct submit_rcpts	 rcpt;		/* -t, after submit_finish() */

	/* private */
	int			 flags;
	size_t			 nwarnings;
	char			*from, *date, *msgid;
	int			 state;
	struct buf		 line;
	int			 partial;	/* line goes on from before */
	int			 skip;		/* drop the rest of the line */
	struct hdr_scan		 scan;
	int			 seen;		/* headers present */
	struct submit_rcpts	 plain;		/* To, Cc, Bcc */
	struct submit_rcpts	 resent;	/* Resent-To, -Cc, -Bcc */
};

/* What sendmail(1) asks for; see submit_send(). */
struct submit_opts {
	const char	*config_dir;	/* -c DIR, or NULL */
	int		 flags;		/* SUBMIT_F_* */
	const char	*sender;	/* parsed -f; NULL: the invoking user */
	const char	*fullname;	/* -F, or NULL: $NAME, else gecos */
	const char	*ret;		/* "FULL", "HDRS" or NULL */
	const char	*envid;		/* -V, or NULL */
	int		 notify;	/* QN_* bits, 0 when not given */
	const struct submit_rcpts *rcpt; /* command-line recipients */
	int		 in_fd;		/* the message */
};

void	 submit_init(struct submit *, int, const char *, const char *,
	    const char *);
enum submit_result submit_push(struct submit *, const char *, size_t,
	    struct buf *);
enum submit_result submit_finish(struct submit *, struct buf *);
void	 submit_free(struct submit *);

void	 submit_rcpts_init(struct submit_rcpts *);
void	 submit_rcpts_add(struct submit_rcpts *, const char *);
void	 submit_rcpts_uniq(struct submit_rcpts *);
void	 submit_rcpts_free(struct submit_rcpts *);

int	 submit_parse_sender(const char *, struct buf *, struct buf *);
int	 submit_parse_rcpt(const char *, struct submit_rcpts *, struct buf *);
int	 submit_parse_notify(const char *, int *, struct buf *);
int	 submit_parse_ret(const char *, const char **, struct buf *);
int	 submit_check_envid(const char *, struct buf *);

void	 submit_from_value(struct buf *, const char *, const char *);
void	 submit_msgid(struct buf *, time_t, long, unsigned long long,
	    const char *);
int	 submit_envelope(struct buf *, const char *, const char *,
	    const char *, const struct submit_rcpts *, int, struct buf *);

int	 submit_send(const struct submit_opts *, struct buf *, struct buf *);

#endif
