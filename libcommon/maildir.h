/*
 * maildir - delivery into a Maildir (tmp/, new/, cur/), qmail style.
 *
 * maildir_deliver() creates DIR and its tmp/, new/ and cur/ when they
 * are missing (mode 0700).  Each is opened with O_NOFOLLOW | O_DIRECTORY
 * (the subdirectories with openat(2) from DIR's descriptor) and must be
 * owned by our effective uid, the recipient: a symbolic link planted in a
 * shared spool, or someone else's directory, is refused (4.2.0, temporary)
 * before anything is written.  It then writes the message under a unique
 * name in
 * tmp/ (TIME.MUSECPPIDQSEQ.HOST), fsyncs it, links it into new/ with the
 * Maildir++ size suffix ",S=SIZE", removes the tmp/ name and fsyncs new/.
 * The file holds Return-Path, Delivered-To and the message with LF line
 * ends; no From line, no quoting.  A limit above 0 caps the file size
 * (Postfix applies mailbox_size_limit to each Maildir file).
 *
 * Returns a sysexits status, EX_OK on success; otherwise why holds one
 * line "X.Y.Z reason" and nothing is left in new/.  Never exits.
 */
#ifndef PIPEMAIL_MAILDIR_H
#define PIPEMAIL_MAILDIR_H

#include <sys/types.h>

#include "buf.h"
#include "mbox.h"

#define MAILDIR_HOST_MAX	256	/* bytes of the host part of a name */

int	 maildir_deliver(const char *, const struct mbox_msg *, off_t,
	    struct buf *);

#endif
