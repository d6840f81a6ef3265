/*
 * mailx_proc - shell commands, editors and listers run for the user.
 */
#include "mailx_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "file.h"
#include "io.h"
#include "mem.h"

#define EXEC_FAILED	127	/* the shell's "command not found" */

/* tmp_file - a new temporary file in $TMPDIR (else /tmp), its name in
 * path; the descriptor, or -1 having complained */
static int
tmp_file(const char *tag, struct buf *path)
{
	const char	*dir = getenv("TMPDIR");
	int		 fd;

	buf_sets(path, "");
	buf_printf(path, "%s/mailx-%s.XXXXXX", dir && *dir ? dir : "/tmp",
	    tag);
	if ((fd = mkstemp(path->s)) < 0) {
		fprintf(stderr, "mailx: cannot create %s: %s\n", path->s,
		    strerror(errno));
		return -1;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

/* child_signals - what a child starts with: default dispositions for
 * the signals mailx ignores or catches */
static void
child_signals(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGXFSZ, SIG_DFL);
}

/* wait_child - wait for pid with SIGINT and SIGQUIT ignored meanwhile;
 * its exit status, or -1 when it was killed */
static int
wait_child(pid_t pid, const char *what)
{
	struct sigaction ign, oint, oquit;
	int		 ws = 0;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR) {
			ws = -1;
			break;
		}
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	if (ws != -1 && WIFEXITED(ws))
		return WEXITSTATUS(ws);
	fflush(stdout);
	fprintf(stderr, "mailx: %s: %s\n", what, ws == -1 ? "lost" :
	    strsignal(WTERMSIG(ws)));
	return -1;
}

/* text_fd - an unlinked temporary file holding text, read from its
 * start; -1 having complained */
static int
text_fd(const struct buf *text)
{
	struct buf	 path = BUF_INIT;
	int		 fd = tmp_file("in", &path);

	if (fd < 0) {
		buf_free(&path);
		return -1;
	}
	unlink(path.s);
	buf_free(&path);
	if (fd_write_all(fd, text->s ? text->s : "", text->len) < 0 ||
	    lseek(fd, 0, SEEK_SET) < 0) {
		fprintf(stderr, "mailx: temporary file: %s\n",
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* collect - read the child's output from fd into out, keeping at most
 * max bytes (the rest is read and dropped); 0, or -1 when cut */
static int
collect(int fd, struct buf *out, size_t max)
{
	char		 chunk[8192];
	ssize_t		 n;
	int		 cut = 0;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out->len + (size_t)n > max)
			cut = 1;
		else
			buf_add(out, chunk, (size_t)n);
	}
	return cut ? -1 : 0;
}

/* mailx_proc_shell - sh -c cmd, text on its stdin, stdout into out */
int
mailx_proc_shell(const char *cmd, const struct buf *text, struct buf *out,
    size_t max)
{
	int		 in = -1, p[2] = { -1, -1 }, status, cut = 0;
	pid_t		 pid;

	if (text != NULL && (in = text_fd(text)) < 0)
		return -1;
	if (out != NULL && pipe(p) < 0) {
		fprintf(stderr, "mailx: pipe: %s\n", strerror(errno));
		if (in >= 0)
			close(in);
		return -1;
	}
	fflush(stdout);
	if ((pid = fork()) == 0) {
		child_signals();
		if (in >= 0 && dup2(in, STDIN_FILENO) < 0)
			_exit(EXEC_FAILED);
		if (p[1] >= 0 && dup2(p[1], STDOUT_FILENO) < 0)
			_exit(EXEC_FAILED);
		if (p[0] >= 0)
			close(p[0]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(EXEC_FAILED);
	}
	if (in >= 0)
		close(in);
	if (p[1] >= 0)
		close(p[1]);
	if (pid < 0) {
		fprintf(stderr, "mailx: fork: %s\n", strerror(errno));
		if (p[0] >= 0)
			close(p[0]);
		return -1;
	}
	if (out != NULL) {
		cut = collect(p[0], out, max) < 0;
		close(p[0]);
	}
	status = wait_child(pid, cmd);
	if (cut) {
		fprintf(stderr, "mailx: %s: more than %zu bytes of output\n",
		    cmd, max);
		return -1;
	}
	return status;
}

/* mailx_proc_run - the words of cmdline and arg, run without a shell */
int
mailx_proc_run(const char *cmdline, const char *arg)
{
	char		*argv[MAILX_PROC_ARGS_MAX + 2];
	char		*copy = xstrdup(cmdline), *w, *save = NULL;
	size_t		 n = 0;
	pid_t		 pid;

	for (w = strtok_r(copy, " \t", &save); w != NULL &&
	    n < MAILX_PROC_ARGS_MAX; w = strtok_r(NULL, " \t", &save))
		argv[n++] = w;
	if (n == 0) {
		fprintf(stderr, "mailx: no command to run\n");
		free(copy);
		return -1;
	}
	argv[n++] = (char *)arg;
	argv[n] = NULL;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		child_signals();
		execvp(argv[0], argv);
		fprintf(stderr, "mailx: cannot run %s: %s\n", argv[0],
		    strerror(errno));
		_exit(EXEC_FAILED);
	}
	if (pid < 0) {
		fprintf(stderr, "mailx: fork: %s\n", strerror(errno));
		free(copy);
		return -1;
	}
	free(copy);
	return wait_child(pid, cmdline);
}

/* mailx_proc_edit - text through an editor, by way of a temporary file */
int
mailx_proc_edit(const char *editor, struct buf *text, size_t max)
{
	struct buf	 path = BUF_INIT, back = BUF_INIT;
	int		 fd = tmp_file("edit", &path), r = -1, status;

	if (fd < 0) {
		buf_free(&path);
		return -1;
	}
	if (fd_write_all(fd, text->s ? text->s : "", text->len) < 0 ||
	    close(fd) < 0) {
		fprintf(stderr, "mailx: %s: %s\n", path.s, strerror(errno));
		goto out;
	}
	fd = -1;
	status = mailx_proc_run(editor, path.s);
	if (status != 0) {
		if (status > 0)
			fprintf(stderr, "mailx: %s: exit status %d; nothing "
			    "changed\n", editor, status);
		goto out;
	}
	if (file_read(path.s, &back, max) < 0) {
		fprintf(stderr, "mailx: %s: %s; nothing changed\n", path.s,
		    strerror(errno));
		goto out;
	}
	r = back.len != text->len || (back.len > 0 &&
	    memcmp(back.s, text->s, back.len) != 0);
	if (r)
		buf_set(text, back.s ? back.s : "", back.len);
out:
	if (fd >= 0)
		close(fd);
	if (path.len > 0)
		unlink(path.s);
	buf_free(&path);
	buf_free(&back);
	return r;
}
