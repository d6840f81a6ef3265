/*
 * local - the local delivery engine behind deliver-local(8): one message
 * to one target, as Postfix local(8) would deliver it.
 *
 * A target is a user name (optionally user@domain: the local part names
 * the user), a "/file" or a "|command".  local_deliver() finds the
 * account (passwd; with local_recipient_maps = static:any an unknown name
 * is delivered to mail_spool_directory/NAME as default_privs), picks the
 * mailbox (home_mailbox, else mail_spool_directory; a trailing '/' means
 * Maildir), gives up root for the recipient and delivers.
 *
 * local_deliver() may change the process's user for good: call it in a
 * process that exits afterwards (deliver-local forks one per target when
 * it has several).  It returns a sysexits status and sets why to one line
 * "X.Y.Z text": the reason on failure, what was done on success.
 */
#ifndef PIPEMAIL_LOCAL_H
#define PIPEMAIL_LOCAL_H

#include <sys/types.h>

#include "buf.h"
#include "mbox.h"

#define LOCAL_OUTPUT_MAX	200	/* bytes of a command's output kept */
#define LOCAL_ARGV_MAX		64	/* words of a command run directly */

struct local_conf {
	const char	*spool_dir;	/* mail_spool_directory */
	const char	*home_mailbox;	/* "" : mail_spool_directory */
	const char	*default_privs;	/* user for files, commands, strays */
	const char	*origin;	/* myorigin, for bare user names */
	const char	*privs;		/* -u: user for files and commands */
	const char	*address;	/* -a: the recipient address, or NULL */
	off_t		 size_limit;	/* mailbox_size_limit, 0: none */
	int		 static_any;	/* local_recipient_maps = static:any */
	int		 allow_commands;	/* allow_mail_to_commands set */
	int		 allow_files;	/* allow_mail_to_files set */
	int		 command_time_limit;	/* seconds */
	int		 lock_timeout;	/* milliseconds */
};

int	 local_conf_load(struct local_conf *, struct buf *);
int	 local_deliver(const struct local_conf *, const char *,
	    const struct mbox_msg *, struct buf *);

#endif
