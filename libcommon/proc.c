/*
 * proc - spawning the next stage and reading its verdict.
 */
#define _GNU_SOURCE		/* close_range(2) */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exits.h"
#include "log.h"
#include "mem.h"

extern char **environ;

#define FD_SCAN_MAX	65536	/* descriptors closed without close_range */

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

/* close_span - close descriptors lo to hi (-1: all above lo) */
static void
close_span(int lo, int hi)
{
	long	 max;

	if (hi >= 0 && hi < lo)
		return;
	if (close_range((unsigned)lo, hi < 0 ? ~0U : (unsigned)hi, 0) == 0)
		return;
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > FD_SCAN_MAX)
		max = FD_SCAN_MAX;
	for (int fd = lo; fd < max && (hi < 0 || fd <= hi); fd++)
		close(fd);
}

/* proc_keep_only - in a forked child that does not exec: close every
 * descriptor but 0, 1, 2, keep and the log's, so that nothing the parent
 * held (a connection, another child's socket) stays open in it */
void
proc_keep_only(int keep)
{
	int	 k[2];

	log_after_fork();
	k[0] = keep;
	k[1] = log_fileno();
	if (k[1] >= 0 && k[1] < k[0]) {
		k[1] = k[0];
		k[0] = log_fileno();
	}
	if (k[1] < 0)
		k[1] = k[0];
	close_span(STDERR_FILENO + 1, k[0] - 1);
	close_span(k[0] + 1, k[1] - 1);
	close_span(k[1] + 1, -1);
}

/* keep_open - clear close-on-exec on fd for a spawn (a descriptor
 * dup2'ed onto itself keeps the flag); the old flags, or -1 */
static int
keep_open(int fd)
{
	int	 flags = fcntl(fd, F_GETFD);

	if (flags >= 0 && (flags & FD_CLOEXEC))
		fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
	return flags;
}

/* spawn_setup - the child's descriptors and signals for proc_spawn() */
static int
spawn_setup(posix_spawn_file_actions_t *fa, posix_spawnattr_t *sa,
    int in_fd, int extra_fd, int extra_as, int out)
{
	sigset_t	 none, dfl;

	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGCHLD);
	if (posix_spawnattr_setflags(sa, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF) != 0 ||
	    posix_spawnattr_setsigmask(sa, &none) != 0 ||
	    posix_spawnattr_setsigdefault(sa, &dfl) != 0)
		return -1;
	if (extra_fd >= 0 && extra_fd != extra_as &&
	    posix_spawn_file_actions_adddup2(fa, extra_fd, extra_as) != 0)
		return -1;
	if (in_fd < 0 && posix_spawn_file_actions_addopen(fa, STDIN_FILENO,
	    "/dev/null", O_RDONLY, 0) != 0)
		return -1;
	if (in_fd >= 0 && in_fd != STDIN_FILENO &&
	    posix_spawn_file_actions_adddup2(fa, in_fd, STDIN_FILENO) != 0)
		return -1;
	if (posix_spawn_file_actions_adddup2(fa, out, STDOUT_FILENO) != 0 ||
	    posix_spawn_file_actions_adddup2(fa, out, STDERR_FILENO) != 0)
		return -1;
	return 0;
}

/*
 * proc_spawn - run argv[0] (a path) with stdin from in_fd (or /dev/null
 * when -1), and, when extra_fd >= 0, that descriptor as extra_as in the
 * child.  Its stdout and stderr go to a new pipe, whose read end is
 * returned non-blocking in p->out_fd.  posix_spawn(3), not fork(2): the
 * parent's pages are not copied, nor touched again copy-on-write.
 */
int
proc_spawn(struct proc *p, char *const *argv, int in_fd, int extra_fd,
    int extra_as)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 sa;
	int				 out[2], r, saved_in = -1, saved_extra = -1;
	pid_t				 pid;

	if (proc_pipe(out) < 0)
		return -1;
	if ((r = posix_spawn_file_actions_init(&fa)) != 0)
		goto fail_pipe;
	if ((r = posix_spawnattr_init(&sa)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		goto fail_pipe;
	}
	if (spawn_setup(&fa, &sa, in_fd, extra_fd, extra_as, out[1]) < 0)
		r = ENOMEM;
	else {
		if (in_fd == STDIN_FILENO)
			saved_in = keep_open(in_fd);
		if (extra_fd >= 0 && extra_fd == extra_as)
			saved_extra = keep_open(extra_fd);
		r = posix_spawn(&pid, argv[0], &fa, &sa, argv, environ);
		if (saved_in >= 0)
			fcntl(in_fd, F_SETFD, saved_in);
		if (saved_extra >= 0)
			fcntl(extra_fd, F_SETFD, saved_extra);
	}
	posix_spawnattr_destroy(&sa);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		goto fail_pipe;
	close(out[1]);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	p->pid = pid;
	p->out_fd = out[0];
	return 0;

fail_pipe:
	close(out[0]);
	close(out[1]);
	errno = r;
	return -1;
}

/* proc_spawn_fed - proc_spawn() with a new pipe as the child's standard
 * input: our end, close-on-exec, in *in_fd; 0, or -1 with errno */
int
proc_spawn_fed(struct proc *p, char *const *argv, int *in_fd)
{
	int	 in[2], saved;

	if (proc_pipe(in) < 0)
		return -1;
	if (proc_spawn(p, argv, in[0], -1, -1) < 0) {
		saved = errno;
		close(in[0]);
		close(in[1]);
		errno = saved;
		return -1;
	}
	close(in[0]);
	*in_fd = in[1];
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
