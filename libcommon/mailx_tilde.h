/*
 * mailx_tilde - collecting a message from the user: the body read line
 * by line with the POSIX command escapes (~~ ~. ~! ~: ~_ ~? ~A ~a ~b ~c
 * ~d ~e ~f ~F ~h ~i ~m ~M ~p ~q ~r ~< ~s ~t ~v ~w ~x ~|), the "dot",
 * "ignore", "ignoreeof", "ask"/"asksub", "askcc" and "askbcc" variables
 * and interrupts (the first SIGINT warns, a second in a row abandons the
 * message and keeps its body in dead.letter).  The escapes are obeyed
 * only when env->escapes is set (standard input is a terminal, or -~):
 * text from a pipe is the body as it is, "~!cmd" lines included.
 *
 * mailx_collect() returns MAILX_SEND_OK when the message is ready,
 * MAILX_SEND_ABORT when the user abandoned it.  Output (prompts, ~p)
 * goes to stdout, complaints to stderr.
 */
#ifndef PIPEMAIL_MAILX_TILDE_H
#define PIPEMAIL_MAILX_TILDE_H

#include "mailx_send.h"

#define MAILX_READ_FILE_MAX	(64 * 1024 * 1024)	/* ~r, ~d, ~<! */
#define MAILX_EOF_MAX		25	/* EOFs ignored with ignoreeof */

enum mailx_send_result mailx_collect(const struct mailx_send_env *,
	    struct mailx_draft *);

#endif
