/*
 * proc - running the next stage: spawn a program with its standard input
 * from a given descriptor and its standard output and error collected
 * through one pipe, and turn its end into a sysexits status and a reason.
 *
 * proc_spawn() returns 0 (pid and out_fd filled in) or -1 with errno.
 * The child gets no descriptor but 0, 1 and 2 and, when asked, one more
 * passed at a fixed number (qmail's way of handing over an envelope).
 * proc_bindir() is the directory of the running program, where its
 * sibling programs live.  proc_keep_only() is for a forked child that
 * does not exec: it keeps 0, 1, 2, one descriptor and the log's.
 */
#ifndef PIPEMAIL_PROC_H
#define PIPEMAIL_PROC_H

#include <sys/types.h>

#include "buf.h"

#define PROC_OUTPUT_MAX	4096	/* bytes of a child's output kept */

struct proc {
	pid_t	 pid;
	int	 out_fd;	/* read end: the child's stdout and stderr */
};

int	 proc_pipe(int [2]);
void	 proc_keep_only(int);
int	 proc_spawn(struct proc *, char *const *, int, int, int);
int	 proc_spawn_fed(struct proc *, char *const *, int *);
const char *proc_bindir(void);
void	 proc_bin(struct buf *, const char *);
int	 proc_verdict(const struct buf *, int, struct buf *);
int	 proc_reason(const struct buf *, int, struct buf *);

#endif
