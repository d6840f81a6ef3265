/*
 * mailx_show - what mailx prints about messages: the header summary
 * line, the sender and subject as text, and a whole message made ready
 * for a terminal.  Pure apart from the mailbox's lazy indexing: every
 * function appends to the struct buf it is given.
 *
 * mailx_show_summary() formats one header summary line, as BSD and
 * POSIX mailx do: "%c%c%4d %-20s  %16s %4lu/%-5llu %s" with the current
 * message mark ('>'), the state (N new, U unread, P preserved, * saved,
 * M to the mbox, blank: read), the number, the sender (with "showto",
 * "To " and the recipient of mail from me), the date of its "From "
 * line, lines/bytes and the subject, all cut to fit columns.
 *
 * mailx_show_author_file() gives the file name Save, Copy and followup
 * derive from a message's author (the local part of its address).
 *
 * mailx_show_message() formats a message as print/type show it: the
 * "From " line, the header fields (those of ignore/retain only when
 * filtered), an empty line and the body rendered by mailx_mime_render();
 * with top >= 0 only that many lines of the body.  Headers are RFC 2047
 * decoded; everything is passed through mailx_mime_safe().
 */
#ifndef PIPEMAIL_MAILX_SHOW_H
#define PIPEMAIL_MAILX_SHOW_H

#include <stddef.h>

#include "buf.h"
#include "mailbox.h"
#include "mailx_var.h"

#define MAILX_SHOW_NAME_WIDTH	20	/* sender column */
#define MAILX_SHOW_COLUMNS	80	/* default line width */

struct mailx_filter {
	const struct mailx_table *ignore;
	const struct mailx_table *retain;
	int			  all;		/* Print/Type: no filter */
};

void	 mailx_show_summary(struct mailbox *, size_t, int, const char *,
	    long, struct buf *);
void	 mailx_show_sender(struct mailbox *, size_t, int, struct buf *);
void	 mailx_show_subject(struct mailbox *, size_t, struct buf *);
void	 mailx_show_author_file(struct mailbox *, size_t, struct buf *);
void	 mailx_show_message(struct mailbox *, size_t,
	    const struct mailx_filter *, long, struct buf *);

#endif
