/*
 * mailx_list - POSIX mailx message lists: "1 3-5 . $ ^ * :n :u :r :o :d
 * /subject user".
 *
 * mailx_list_parse() marks sel[i] for each selected message i of the
 * mailbox (sel holds mb->n bytes, cleared first) and returns how many
 * it selected, or -1 with a reason in err.  Deleted messages are left
 * out unless the list says ":d" or deleted is set (undelete).  An empty
 * list selects the current message dot (MAILX_LIST_DEFAULT semantics
 * are the caller's: it passes the text it wants).  Numbers count from
 * 1; "/text" matches the subject, a word the sender's address, both
 * without regard to case.
 */
#ifndef PIPEMAIL_MAILX_LIST_H
#define PIPEMAIL_MAILX_LIST_H

#include <stddef.h>

#include "buf.h"
#include "mailbox.h"

int	 mailx_list_parse(struct mailbox *, const char *, size_t, int,
	    unsigned char *, struct buf *);

#endif
