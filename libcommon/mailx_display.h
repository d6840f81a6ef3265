/*
 * mailx_display - mailx commands that show messages and summaries:
 * print/type (and top, Print, Type), next, -, headers, z, from, size,
 * =, help, list.
 *
 * Each is a mailx_cmd_fn (see mailx_cmd.h): 0, or 1 having complained.
 */
#ifndef PIPEMAIL_MAILX_DISPLAY_H
#define PIPEMAIL_MAILX_DISPLAY_H

#include "mailx_cmd.h"

int	 mailx_display_print(struct mailx *, const struct mailx_cmd *, char *);
int	 mailx_display_next(struct mailx *, const struct mailx_cmd *, char *);
int	 mailx_display_headers(struct mailx *, const struct mailx_cmd *,
	    char *);
int	 mailx_display_z(struct mailx *, const struct mailx_cmd *, char *);
int	 mailx_display_from(struct mailx *, const struct mailx_cmd *, char *);
int	 mailx_display_size(struct mailx *, const struct mailx_cmd *, char *);
int	 mailx_display_dot(struct mailx *, const struct mailx_cmd *, char *);
int	 mailx_display_help(struct mailx *, const struct mailx_cmd *, char *);
int	 mailx_display_list(struct mailx *, const struct mailx_cmd *, char *);

#endif
