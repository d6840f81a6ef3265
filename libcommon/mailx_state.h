/*
 * mailx_state - mailx commands that decide what becomes of messages
 * and the folder: delete, undelete, dp, hold, mbox, touch, save, copy,
 * write (and Save, Copy), quit, exit, file, folders.
 *
 * mailx_state_sync() does quit's work on the open folder (quiet: no
 * "Saved ..." lines); 0, or -1 having said why.
 *
 * Each is a mailx_cmd_fn (see mailx_cmd.h): 0, or 1 having complained.
 */
#ifndef PIPEMAIL_MAILX_STATE_H
#define PIPEMAIL_MAILX_STATE_H

#include "mailx_cmd.h"

int	 mailx_state_flag(struct mailx *, const struct mailx_cmd *, char *);
int	 mailx_state_dp(struct mailx *, const struct mailx_cmd *, char *);
int	 mailx_state_save(struct mailx *, const struct mailx_cmd *, char *);
int	 mailx_state_quit(struct mailx *, const struct mailx_cmd *, char *);
int	 mailx_state_file(struct mailx *, const struct mailx_cmd *, char *);
int	 mailx_state_folders(struct mailx *, const struct mailx_cmd *, char *);
int	 mailx_state_sync(struct mailx *, int);

#endif
