/*
 * mailx_folder - writing mail: messages appended to folders (save,
 * copy, write, record, the mbox) and the mailbox brought up to date when
 * mailx quits.
 *
 * mailx_folder_message() formats message i of a mailbox for another
 * mbox: its "From " line, its header with a fresh Status header, its
 * body as it is in the file (so the mboxrd quoting carries over), an
 * empty line; it returns 0, or -1 when the message could not be read
 * (mb->err says why).  mailx_folder_wrap() makes an mbox message of a new one
 * (a "From " line and mboxrd quoting).  mailx_folder_append() adds bytes
 * to a folder under the mailbox locks (mbox.h), all or nothing, fsynced;
 * it returns 0, or -1 with the reason in why.
 *
 * mailx_folder_sync() is quit's work (see the function for the rules):
 * read messages moved to the mbox, deleted ones removed, Status headers
 * written, mail that arrived during the session kept.  It returns 0, or
 * -1 having told the user why on stderr with the mailbox unchanged
 * (apart from the rare failure it names, when its new contents are kept
 * in a file it names).
 */
#ifndef PIPEMAIL_MAILX_FOLDER_H
#define PIPEMAIL_MAILX_FOLDER_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "mailbox.h"
#include "mailx_var.h"

#define MAILX_COPY_CHUNK	(1024 * 1024)	/* bytes per write */

struct mailx_sync {
	const char	*path;		/* the mailbox */
	int		 system;	/* it is the system mailbox */
	const char	*mbox;		/* where read mail goes */
	int		 hold;		/* "hold": read mail stays */
	int		 keepsave;	/* "keepsave": saved mail stays */
	size_t		 kept;		/* out: messages left in path */
	size_t		 moved;		/* out: messages moved to mbox */
};

void	 mailx_folder_path(const struct mailx_table *, const char *,
	    struct buf *);
int	 mailx_folder_message(struct mailbox *, size_t, struct buf *);
void	 mailx_folder_wrap(const char *, time_t, const char *, size_t,
	    struct buf *);
int	 mailx_folder_append(const char *, const struct buf *, struct buf *);
int	 mailx_folder_sync(struct mailbox *, struct mailx_sync *);

#endif
