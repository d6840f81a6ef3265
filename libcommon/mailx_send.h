/*
 * mailx_send - composing and sending a message, as mailx's send mode
 * and its mail/reply commands do.
 *
 * A struct mailx_draft collects the header fields (address lists as
 * typed, comma separated) and the body.  mailx_collect() reads the body
 * from a line source, obeying the POSIX command escapes (~s, ~t, ~c, ~b,
 * ~p, ~r, ~., ~q, ~x, ~~) and, with the "dot" variable, a lone ".";
 * it returns MAILX_SEND_OK when the message is ready, MAILX_SEND_ABORT
 * when the user abandoned it.  mailx_compose() formats the message
 * (pure); mailx_deliver() expands aliases, runs sendmail with -i, -f
 * (with -r) and the recipients, and returns sendmail's exit status (a
 * sysexits value; EX_UNAVAILABLE when it could not be run), having told
 * the user why on stderr.  With the "record" variable set, a copy goes
 * to that folder first.
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
 * LF, or -1 at end of input. */
typedef int (*mailx_reader)(void *, struct buf *);

struct mailx_send_env {
	const char		*sendmail;	/* program to run */
	struct mailx_table	*vars;
	struct mailx_table	*aliases;
	mailx_reader		 read;
	void			*read_ctx;
	int			 interactive;
};

void	 mailx_draft_init(struct mailx_draft *);
void	 mailx_draft_free(struct mailx_draft *);
void	 mailx_add_list(struct buf *, const char *);
enum mailx_send_result mailx_collect(const struct mailx_send_env *,
	    struct mailx_draft *);
void	 mailx_compose(const struct mailx_draft *, struct buf *);
int	 mailx_deliver(const struct mailx_send_env *,
	    const struct mailx_draft *);

#endif
