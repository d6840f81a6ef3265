/*
 * mailx_proc - the programs mailx runs on the user's behalf: a shell
 * command typed by the user (!, |, ~!, ~|, ~<!), an editor on a
 * temporary file (~e, ~v, edit, visual) and a directory lister.
 *
 * Text that comes from mail never reaches a shell: an editor is run
 * with execvp(3), its name split into words at blanks, the temporary
 * file's name (made by mkstemp(3)) as its last argument.  While a child
 * runs at the terminal, mailx ignores SIGINT and SIGQUIT (the child
 * gets them), as BSD mail does.
 *
 * mailx_proc_shell() runs "sh -c CMD" with text (or nothing: mailx's own
 * standard input, when text is NULL) on its standard input; with out
 * not NULL it collects at most max bytes of its standard output there.
 * mailx_proc_run() runs the words of a command line (no shell) with one
 * more argument.  Both return the child's exit status (0-255), or -1
 * when it could not be run or was killed (having said why on stderr).
 *
 * mailx_proc_edit() writes text to a temporary file, runs the editor on
 * it and reads it back into text (at most max bytes); it returns 1 when
 * the text changed, 0 when it did not, -1 having complained (text is
 * then unchanged).
 */
#ifndef PIPEMAIL_MAILX_PROC_H
#define PIPEMAIL_MAILX_PROC_H

#include <stddef.h>

#include "buf.h"

#define MAILX_PROC_ARGS_MAX	64	/* words of an editor command */

int	 mailx_proc_shell(const char *, const struct buf *, struct buf *,
	    size_t);
int	 mailx_proc_run(const char *, const char *);
int	 mailx_proc_edit(const char *, struct buf *, size_t);

#endif
