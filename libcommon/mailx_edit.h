/*
 * mailx_edit - the edit and visual commands: messages changed with an
 * editor, the changes kept for the session and written back when the
 * folder is (quit, file).
 *
 * The editor gets a message as a mail reader shows it raw: its header
 * section, an empty line and its body with the mbox quoting undone; the
 * "From " line is kept apart and stays.  What the editor leaves replaces
 * the message (mailbox_replace()), quoted again.  Each is a
 * mailx_cmd_fn (see mailx_cmd.h): 0, or 1 having complained.
 */
#ifndef PIPEMAIL_MAILX_EDIT_H
#define PIPEMAIL_MAILX_EDIT_H

#include "mailx_cmd.h"

#define MAILX_EDIT_MAX	(256 * 1024 * 1024)	/* bytes of an edited message */

int	 mailx_edit_cmd(struct mailx *, const struct mailx_cmd *, char *);

#endif
