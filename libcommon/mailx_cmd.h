/*
 * mailx_cmd - mailx's receive mode: the session and its command
 * interpreter (POSIX mailx commands, read from a terminal or a pipe
 * alike, one per line).
 *
 * mailx_session_init() sets the defaults; the caller fills in sendmail,
 * interactive, escapes and the flags, then mailx_source() reads start-up files
 * and mailx_open() the mailbox.  mailx_run() reads commands until quit,
 * exit or end of input (which quits) and returns the exit status.
 * mailx_session_free() releases everything.  mailx_read_line() is the
 * mailx_reader (mailx_send.h) of the command input, mailx_typeahead()
 * tells whether it holds input read ahead, and mailx_catch_interrupts()
 * makes SIGINT at a terminal cut short the read it waits in.  Output
 * goes to stdout, complaints to stderr; nothing here exits the process.
 *
 * The commands themselves live in mailx_display (showing messages),
 * mailx_state (flags, save, quit, file) and mailx_compose (mail, reply);
 * each is a mailx_cmd_fn: it gets the session, its table entry (whose
 * arg picks a variant) and the rest of the line, and returns 0, or 1
 * having complained.  The mailx_cmd_* functions below are the glue they
 * share: mailx_cmd_select() parses a message list into a selection the
 * caller frees (NULL after complaining), mailx_cmd_word() takes the next
 * word of a line in place.
 */
#ifndef PIPEMAIL_MAILX_CMD_H
#define PIPEMAIL_MAILX_CMD_H

#include <stddef.h>

#include "buf.h"
#include "io.h"
#include "mailbox.h"
#include "mailx_var.h"

#define MAILX_SOURCE_DEPTH_MAX	8	/* nested "source" */
#define MAILX_SCREEN_DEFAULT	20	/* summary lines without a tty */

struct mailx {
	struct mailbox		 mb;
	struct buf		 path;		/* the open folder */
	struct buf		 prev;		/* the one before ("#") */
	struct buf		 spool;		/* the system mailbox */
	int			 is_open;
	int			 system;	/* path is the system mailbox */
	int			 readonly;	/* -R */
	size_t			 dot;		/* current message */
	size_t			 screen_at;	/* first of the shown screen */
	struct mailx_table	 vars;
	struct mailx_table	 aliases;
	struct mailx_table	 ignore;
	struct mailx_table	 retain;
	const char		*sendmail;
	const char		*user;
	int			 interactive;
	int			 escapes;	/* a tty or -~: obey ~ escapes */
	struct io		 in;		/* commands */
	int			 depth;		/* source nesting */
	int			 cond_skip;	/* inside a false "if" */
	int			 done;		/* quit or exit seen */
	int			 status;	/* exit status */
};

struct mailx_cmd;
typedef int (*mailx_cmd_fn)(struct mailx *, const struct mailx_cmd *,
    char *);

struct mailx_cmd {
	const char	*name;
	size_t		 abbrev;	/* shortest accepted prefix */
	mailx_cmd_fn	 fn;
	int		 arg;		/* per-command variant */
	int		 needbox;	/* needs an open mailbox */
};

void	 mailx_session_init(struct mailx *);
void	 mailx_session_free(struct mailx *);
int	 mailx_source(struct mailx *, const char *);
int	 mailx_open(struct mailx *, const char *, int);
void	 mailx_banner(struct mailx *);
void	 mailx_headers(struct mailx *, size_t);
int	 mailx_command(struct mailx *, const char *);
int	 mailx_run(struct mailx *);
int	 mailx_read_line(void *, struct buf *);
int	 mailx_typeahead(void *);
void	 mailx_catch_interrupts(struct mailx *);

void	 mailx_cmd_say(const struct buf *);
void	 mailx_cmd_complain(const char *);
size_t	 mailx_cmd_screen(const struct mailx *);
long	 mailx_cmd_columns(const struct mailx *);
void	 mailx_cmd_page(struct mailx *, const struct buf *);
const char *mailx_cmd_me(const struct mailx *);
unsigned char *mailx_cmd_select(struct mailx *, const char *, int, int *);
size_t	 mailx_cmd_next_undeleted(const struct mailbox *, size_t, int);
char	*mailx_cmd_word(char **);
const struct mailx_cmd *mailx_cmd_table(size_t *);

#endif
