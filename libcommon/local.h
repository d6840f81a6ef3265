/*
 * local - the local delivery engine behind deliver-local(8): one message
 * to one target, as Postfix local(8) would deliver it.
 *
 * A target (struct local_target) is typed: its kind says what name is,
 * and nothing here looks at the bytes of name to decide what to do.
 *	LOCAL_MAILBOX	name: a user (user@domain: the local part names
 *			the user); the mailbox per home_mailbox and
 *			mail_spool_directory (a trailing '/' means Maildir)
 *	LOCAL_FILE	name: an absolute path, appended to in mbox format
 *	LOCAL_MAILDIR	name: an absolute path, a Maildir
 *	LOCAL_COMMAND	name: a command line, run with the message on stdin
 * Its origin says where it came from: the envelope recipient, an alias,
 * a .forward file or a :include: file.  A file, Maildir or command
 * target is delivered only when its origin is one that
 * allow_mail_to_files or allow_mail_to_commands names (Postfix's values
 * alias, forward, include); from the recipient itself, never.  A mailbox
 * name must pass addr_mailbox_name_ok() and hold no white space.
 *
 * local_deliver() finds the account (passwd; with local_recipient_maps =
 * static:any an unknown name is delivered to mail_spool_directory/NAME as
 * default_privs), gives up root for the recipient (files and commands:
 * the privs user, else default_privs) and delivers.  It may change the
 * process's user for good: call it in a process that exits afterwards
 * (deliver-local forks one per target when it has several).  It returns a
 * sysexits status and sets why to one line "X.Y.Z text": the reason on
 * failure, what was done on success.
 *
 * local_kind_name()/local_kind_parse() and local_origin_name()/
 * local_origin_parse() convert to and from the words of the agent
 * protocol (lspawn.h): mailbox, file, maildir, command; recipient, alias,
 * forward, include.  The parsers return 0, or -1 for any other word.
 */
#ifndef PIPEMAIL_LOCAL_H
#define PIPEMAIL_LOCAL_H

#include <sys/types.h>

#include "buf.h"
#include "mbox.h"

#define LOCAL_OUTPUT_MAX	200	/* bytes of a command's output kept */
#define LOCAL_ARGV_MAX		64	/* words of a command run directly */

enum local_kind {
	LOCAL_MAILBOX = 1,
	LOCAL_FILE,
	LOCAL_MAILDIR,
	LOCAL_COMMAND,
};

enum local_origin {
	LOCAL_FROM_RECIPIENT = 1,	/* the envelope recipient itself */
	LOCAL_FROM_ALIAS,		/* an alias_maps value */
	LOCAL_FROM_FORWARD,		/* a .forward file */
	LOCAL_FROM_INCLUDE,		/* a :include: file */
};

/* Bits of local_conf's allow_commands and allow_files. */
#define LOCAL_ALLOW(origin)	(1 << (origin))

struct local_target {
	enum local_kind		 kind;
	enum local_origin	 origin;
	const char		*name;	/* user, path or command */
};

struct local_conf {
	const char	*spool_dir;	/* mail_spool_directory */
	const char	*home_mailbox;	/* "" : mail_spool_directory */
	const char	*default_privs;	/* user for files, commands, strays */
	const char	*origin;	/* myorigin, for bare user names */
	const char	*privs;		/* -u: user for files and commands */
	const char	*address;	/* -a: the recipient address, or NULL */
	off_t		 size_limit;	/* mailbox_size_limit, 0: none */
	int		 static_any;	/* local_recipient_maps = static:any */
	int		 allow_commands;	/* LOCAL_ALLOW() bits */
	int		 allow_files;	/* LOCAL_ALLOW() bits */
	int		 command_time_limit;	/* seconds */
	int		 lock_timeout;	/* milliseconds */
};

int	 local_conf_load(struct local_conf *, struct buf *);
int	 local_deliver(const struct local_conf *, const struct local_target *,
	    const struct mbox_msg *, struct buf *);
const char *local_kind_name(enum local_kind);
int	 local_kind_parse(const char *, enum local_kind *);
const char *local_origin_name(enum local_origin);
int	 local_origin_parse(const char *, enum local_origin *);

#endif
