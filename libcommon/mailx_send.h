/*
 * mailx_send - composing and sending a message, as mailx's send mode
 * and its mail/reply commands do.
 *
 * A struct mailx_draft collects the header fields (address lists as
 * typed, comma separated) and the body; mailx_collect() (mailx_tilde.h)
 * fills it from the user.  mailx_compose() formats the message (pure);
 * mailx_deliver() expands aliases, runs sendmail with -i, -f (with -r)
 * and the recipients, and returns sendmail's exit status (a sysexits
 * value; EX_UNAVAILABLE when it could not be run), having told the user
 * why on stderr and, with "save" set, kept the body in dead.letter.
 * With the "record" variable set (or env->record), a copy goes to that
 * folder first.
 *
 * mailx_dead_letter() writes a body that was not sent to the DEAD file
 * (variable, else environment, else ~/dead.letter; mode 0600, replaced)
 * when "save" is set and the body is not empty; 0, or -1 having
 * complained.  mailx_dead_path() names that file.
 */
#ifndef PIPEMAIL_MAILX_SEND_H
#define PIPEMAIL_MAILX_SEND_H

#include <stdio.h>

#include "buf.h"
#include "mailx_var.h"

#define MAILX_ALIAS_DEPTH_MAX	16	/* aliases within aliases */
#define MAILX_LINE_MAX		(1024 * 1024)	/* one input line */
#define MAILX_BODY_MAX		(256 * 1024 * 1024)	/* a typed body */

enum mailx_send_result {
	MAILX_SEND_OK = 0,
	MAILX_SEND_ABORT,
};

struct mailx_draft {
	struct buf	 to;
	struct buf	 cc;
	struct buf	 bcc;
	struct buf	 subject;
	struct buf	 from;		/* -r: From and envelope sender */
	struct buf	 extra;		/* more header lines, LF-ended */
	struct buf	 body;
};

/* Where mailx_collect() reads lines: returns 0 and the line without its
 * LF, MAILX_READ_EOF at end of input, MAILX_READ_INTR when SIGINT came
 * while it waited. */
#define MAILX_READ_EOF		(-1)
#define MAILX_READ_INTR		(-2)
typedef int (*mailx_reader)(void *, struct buf *);

struct mailx_send_env {
	const char		*sendmail;	/* program to run */
	struct mailx_table	*vars;
	struct mailx_table	*aliases;
	mailx_reader		 read;
	void			*read_ctx;
	int			 interactive;
	/* Command escapes are obeyed only when set (a terminal, or -~):
	 * otherwise every line, "~!cmd" included, is text. */
	int			 escapes;
	/* read_ctx holds input not yet read (NULL: never) */
	int			(*typeahead)(void *);
	/* Receive mode only, NULL in send mode: ~f ~F ~m ~M (the escape
	 * letter in how) append messages to body; ~: runs a command. */
	int			(*insert)(void *, const char *, int,
				    struct buf *);
	int			(*command)(void *, const char *);
	void			*ctx;		/* theirs */
	const char		*record;	/* overrides "record" */
};

void	 mailx_draft_init(struct mailx_draft *);
void	 mailx_draft_free(struct mailx_draft *);
void	 mailx_add_list(struct buf *, const char *);
void	 mailx_compose(const struct mailx_draft *, struct buf *);
int	 mailx_deliver(const struct mailx_send_env *,
	    const struct mailx_draft *);
void	 mailx_dead_path(const struct mailx_table *, struct buf *);
int	 mailx_dead_letter(const struct mailx_table *, const struct buf *);

#endif
