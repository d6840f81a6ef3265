/*
 * mailx_compose - mailx commands that write mail: mail, reply/respond,
 * Reply/Respond, followup, Followup; the ~f/~m and ~: escapes of the
 * messages they compose reach the open folder and the command table.
 *
 * Each is a mailx_cmd_fn (see mailx_cmd.h): 0, or 1 having complained.
 */
#ifndef PIPEMAIL_MAILX_COMPOSE_H
#define PIPEMAIL_MAILX_COMPOSE_H

#include "mailx_cmd.h"

int	 mailx_compose_mail(struct mailx *, const struct mailx_cmd *, char *);
int	 mailx_compose_reply(struct mailx *, const struct mailx_cmd *, char *);

#endif
