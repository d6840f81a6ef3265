/*
 * proc - spawning the next stage and reading its verdict.
 */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exits.h"
#include "mem.h"

#ifndef PIPEMAIL_BINDIR
#define PIPEMAIL_BINDIR	"/usr/local/sbin"
#endif

/* proc_pipe - a pipe whose ends leak into no child: both close on exec
 * (a child gets an end only through dup2); 0, or -1 with errno */
int
proc_pipe(int fd[2])
{
	if (pipe(fd) < 0)
		return -1;
	if (fcntl(fd[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(fd[1], F_SETFD, FD_CLOEXEC) < 0) {
		int	 saved = errno;

		close(fd[0]);
		close(fd[1]);
		errno = saved;
		return -1;
	}
	return 0;
}

/*
 * proc_spawn - run argv[0] (a path) with stdin from in_fd (or /dev/null
 * when -1), and, when extra_fd >= 0, that descriptor as extra_as in the
 * child.  Its stdout and stderr go to a new pipe, whose read end is
 * returned non-blocking in p->out_fd.
 */
int
proc_spawn(struct proc *p, char *const *argv, int in_fd, int extra_fd,
    int extra_as)
{
	int	 out[2];
	pid_t	 pid;

	if (proc_pipe(out) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		int	 saved = errno;

		close(out[0]);
		close(out[1]);
		errno = saved;
		return -1;
	}
	if (pid == 0) {
		sigset_t	 none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		if (in_fd < 0)
			in_fd = open("/dev/null", O_RDONLY);
		if (extra_fd >= 0 && extra_fd != extra_as &&
		    dup2(extra_fd, extra_as) < 0)
			_exit(EX_OSERR);
		if (in_fd != STDIN_FILENO && dup2(in_fd, STDIN_FILENO) < 0)
			_exit(EX_OSERR);
		if (dup2(out[1], STDOUT_FILENO) < 0 ||
		    dup2(out[1], STDERR_FILENO) < 0)
			_exit(EX_OSERR);
		/* dup2 clears close-on-exec on the copies only. */
		if (extra_fd >= 0 && extra_fd == extra_as)
			fcntl(extra_as, F_SETFD, 0);
		if (in_fd == STDIN_FILENO)
			fcntl(STDIN_FILENO, F_SETFD, 0);
		execv(argv[0], argv);
		{
			char	 msg[512];
			int	 n = snprintf(msg, sizeof(msg), "%s: fatal: "
			    "4.3.0 cannot run %s: %s\n", die_progname(),
			    argv[0], strerror(errno));

			if (n > 0)
				(void)!write(STDERR_FILENO, msg, (size_t)n <
				    sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
		}
		_exit(EX_OSERR);
	}
	close(out[1]);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	p->pid = pid;
	p->out_fd = out[0];
	return 0;
}

/* proc_bindir - the directory this program was run from */
const char *
proc_bindir(void)
{
	static char	 dir[PATH_MAX];
	ssize_t		 n;
	char		*slash;

	if (dir[0])
		return dir;
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n <= 0 || (size_t)n >= sizeof(dir) - 1) {
		snprintf(dir, sizeof(dir), "%s", PIPEMAIL_BINDIR);
		return dir;
	}
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir)
		*slash = '\0';
	return dir;
}

/* proc_bin - path of a sibling program into b */
void
proc_bin(struct buf *b, const char *name)
{
	buf_reset(b);
	buf_printf(b, "%s/%s", proc_bindir(), name);
}

/* last_line - the last non-empty line of out that holds "fatal: " (the
 * text after it), else the last non-empty line; NULL when none */
static const char *
last_line(const struct buf *out, size_t *len)
{
	const char	*s = out->s ? out->s : "", *end = s + out->len;
	const char	*plain = NULL, *fatal = NULL;
	size_t		 plain_len = 0, fatal_len = 0;

	for (const char *line = s; line < end;) {
		const char	*nl = memchr(line, '\n', (size_t)(end - line));
		const char	*le = nl ? nl : end;

		if (le > line) {
			plain = line;
			plain_len = (size_t)(le - line);
			for (const char *q = line; q + 7 <= le; q++)
				if (memcmp(q, "fatal: ", 7) == 0) {
					fatal = q + 7;
					fatal_len = (size_t)(le - fatal);
					break;
				}
		}
		line = nl ? nl + 1 : end;
	}
	*len = fatal ? fatal_len : plain_len;
	return fatal ? fatal : plain;
}

/*
 * proc_verdict - from a stage's output and its sysexits status, the
 * status and a one-line reason "X.Y.Z text": the stage's own line when it
 * starts with an enhanced code of the right class, else that line behind
 * the code from the exit table.
 */
int
proc_verdict(const struct buf *out, int status, struct buf *reason)
{
	const struct exit_info	*ei = exit_info(status);
	size_t			 n;
	const char		*line = last_line(out, &n);

	buf_reset(reason);
	if (line == NULL) {
		if (status != EX_OK)
			buf_printf(reason, "%s %s", ei->dsn, ei->text);
		return status;
	}
	if (status != EX_OK && !(n >= 6 && line[1] == '.' &&
	    line[0] == ei->dsn[0]))
		buf_printf(reason, "%s ", ei->dsn);
	buf_add(reason, line, n);
	return status;
}

/* proc_reason - proc_verdict() for a child's wait status; a signal is
 * temporary */
int
proc_reason(const struct buf *out, int wstatus, struct buf *reason)
{
	if (WIFSIGNALED(wstatus)) {
		buf_reset(reason);
		buf_printf(reason, "4.3.0 delivery agent killed by signal %d",
		    WTERMSIG(wstatus));
		return exit_from_wait(wstatus);
	}
	return proc_verdict(out, exit_from_wait(wstatus), reason);
}
