/*
 * local - one message to one local target: a user's mailbox or Maildir,
 * a file, or a command.
 */
#include "local.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "address.h"
#include "config.h"
#include "exits.h"
#include "file.h"
#include "maildir.h"
#include "mem.h"
#include "priv.h"

#define CMD_PATH	"PATH=/usr/bin:/bin"
#define CMD_SHOW_MAX	80	/* bytes of a command shown in reasons */
#define CMD_ENV_MAX	10	/* variables passed to a command */
#define CMD_TMP		"/tmp/deliver-local.XXXXXX"

/* Characters that make us hand a command to /bin/sh, as Postfix does. */
static const char shell_meta[] = "!\"#$&'()*;<>?[\\]`{|}~=%\n\r";

extern char **environ;

struct acct {
	uid_t	 uid;
	gid_t	 gid;
	char	*name;
	char	*home;
	char	*shell;
};

/* acct_set - copy a passwd entry */
static void
acct_set(struct acct *a, const struct passwd *pw)
{
	a->uid = pw->pw_uid;
	a->gid = pw->pw_gid;
	a->name = xstrdup(pw->pw_name);
	a->home = xstrdup(pw->pw_dir && *pw->pw_dir ? pw->pw_dir : "/");
	a->shell = xstrdup(pw->pw_shell && *pw->pw_shell ? pw->pw_shell :
	    "/bin/sh");
}

/* acct_free - release what acct_set() copied */
static void
acct_free(struct acct *a)
{
	free(a->name);
	free(a->home);
	free(a->shell);
	memset(a, 0, sizeof(*a));
}

/* acct_get - look name up in passwd: 1 found, 0 not found, -1 error */
static int
acct_get(const char *name, struct acct *a)
{
	struct passwd	*pw;

	errno = 0;
	pw = getpwnam(name);
	if (pw != NULL) {
		acct_set(a, pw);
		return 1;
	}
	/* getpwnam(3): these mean "no such user" on common libcs. */
	if (errno == 0 || errno == ENOENT || errno == ESRCH ||
	    errno == EBADF || errno == EPERM)
		return 0;
	return -1;
}

/* acct_self - the account we run as */
static void
acct_self(struct acct *a)
{
	struct passwd	*pw = getpwuid(geteuid());
	struct passwd	 anon;
	char		 name[32];

	if (pw == NULL) {
		snprintf(name, sizeof(name), "#%lu", (unsigned long)geteuid());
		memset(&anon, 0, sizeof(anon));
		anon.pw_uid = geteuid();
		anon.pw_gid = getegid();
		anon.pw_name = name;
		pw = &anon;
	}
	acct_set(a, pw);
}

/* is_root - may we change users? */
static int
is_root(void)
{
	return geteuid() == 0;
}

/* become - give up root for the account a, with primary group gid and
 * no supplementary groups (as Postfix's set_ugid(): no group database
 * walk per delivery) */
static int
become(const struct acct *a, gid_t gid, struct buf *why)
{
	struct buf	 err = BUF_INIT;
	int		 status = EX_OK;

	if (is_root() && priv_drop(a->uid, gid, NULL, &err) < 0) {
		buf_reset(why);
		buf_printf(why, "4.3.0 %s", buf_cstr(&err));
		status = EX_TEMPFAIL;
	}
	buf_free(&err);
	return status;
}

/* privs_acct - the account files and commands are written and run as */
static int
privs_acct(const struct local_conf *c, struct acct *a, struct buf *why)
{
	const char	*name = c->privs ? c->privs : c->default_privs;
	int		 r;

	if (!is_root()) {
		acct_self(a);
		return EX_OK;
	}
	/* As Postfix local(8): never as root; default_privs instead. */
	if ((r = acct_get(name, a)) == 1 && a->uid == 0 && c->privs) {
		acct_free(a);
		name = c->default_privs;
		r = acct_get(name, a);
	}
	buf_reset(why);
	if (r < 0) {
		buf_printf(why, "4.3.0 cannot look up user %s: %s", name,
		    strerror(errno));
		return EX_TEMPFAIL;
	}
	if (r == 0 || a->uid == 0) {
		if (r == 1)
			acct_free(a);
		buf_printf(why, "5.3.5 %s %s for file and command deliveries",
		    r == 0 ? "unknown user" : "refusing root", name);
		return name == c->privs ? EX_NOUSER : EX_CONFIG;
	}
	return EX_OK;
}

/* recipient - the address for Delivered-To and $RECIPIENT */
static void
recipient(const struct local_conf *c, const char *user, struct buf *b)
{
	buf_reset(b);
	if (c->address != NULL)
		buf_sets(b, c->address);
	else if (strchr(user, '@') != NULL)
		buf_sets(b, user);
	else
		buf_printf(b, "%s@%s", user, c->origin);
}

/* name_ok - can this local part name a file in the spool directory? */
static int
name_ok(const char *s)
{
	if (!addr_mailbox_name_ok(s, strlen(s)))
		return 0;
	for (; *s; s++)
		if (*s == ' ')
			return 0;
	return 1;
}

/* kinds - the words for the kinds and origins (local.h) */
static const char *const kind_names[] = {
	[LOCAL_MAILBOX] = "mailbox",
	[LOCAL_FILE] = "file",
	[LOCAL_MAILDIR] = "maildir",
	[LOCAL_COMMAND] = "command",
};
static const char *const origin_names[] = {
	[LOCAL_FROM_RECIPIENT] = "recipient",
	[LOCAL_FROM_ALIAS] = "alias",
	[LOCAL_FROM_FORWARD] = "forward",
	[LOCAL_FROM_INCLUDE] = "include",
};

/* word_parse - the index of word in names[1..n), or -1 */
static int
word_parse(const char *const *names, size_t n, const char *word)
{
	for (size_t i = 1; i < n; i++)
		if (names[i] != NULL && strcmp(names[i], word) == 0)
			return (int)i;
	return -1;
}

/* local_kind_name - the protocol word for a kind */
const char *
local_kind_name(enum local_kind k)
{
	if ((size_t)k >= sizeof(kind_names) / sizeof(kind_names[0]) ||
	    kind_names[k] == NULL)
		return "?";
	return kind_names[k];
}

/* local_kind_parse - a protocol word into a kind; 0 or -1 */
int
local_kind_parse(const char *word, enum local_kind *k)
{
	int	 i = word_parse(kind_names, sizeof(kind_names) /
		    sizeof(kind_names[0]), word);

	if (i < 0)
		return -1;
	*k = (enum local_kind)i;
	return 0;
}

/* local_origin_name - the protocol word for an origin */
const char *
local_origin_name(enum local_origin o)
{
	if ((size_t)o >= sizeof(origin_names) / sizeof(origin_names[0]) ||
	    origin_names[o] == NULL)
		return "?";
	return origin_names[o];
}

/* local_origin_parse - a protocol word into an origin; 0 or -1 */
int
local_origin_parse(const char *word, enum local_origin *o)
{
	int	 i = word_parse(origin_names, sizeof(origin_names) /
		    sizeof(origin_names[0]), word);

	if (i < 0)
		return -1;
	*o = (enum local_origin)i;
	return 0;
}

/*
 * allowed - may a target of this origin be a file (or command)?  Never
 * for the envelope recipient itself: only aliases, .forward and
 * :include: files name files and commands.
 */
static int
allowed(int bits, enum local_origin origin)
{
	return origin != LOCAL_FROM_RECIPIENT && (bits & LOCAL_ALLOW(origin));
}

/* create_as_root - make a missing spool mailbox, owned by its user */
static int
create_as_root(const char *path, const struct acct *a, struct stat *st,
    int *created, struct buf *why)
{
	int	 fd, saved;

	*created = 0;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0)
		return errno == EEXIST ? EX_OK :
		    mbox_why_errno(why, errno, "create mailbox", path);
	if (fchown(fd, a->uid, a->gid) < 0 || fstat(fd, st) < 0 ||
	    file_fsync_parent(path) < 0) {
		saved = errno;
		close(fd);
		unlink(path);
		return mbox_why_errno(why, saved, "create mailbox", path);
	}
	close(fd);
	*created = 1;
	return EX_OK;
}

/* mkdir_as_root - make a missing spool Maildir, owned by its user */
static int
mkdir_as_root(const char *path, const struct acct *a, struct buf *why)
{
	if (mkdir(path, 0700) < 0)
		return errno == EEXIST ? EX_OK :
		    mbox_why_errno(why, errno, "create Maildir", path);
	if (lchown(path, a->uid, a->gid) < 0 || file_fsync_parent(path) < 0) {
		int	 saved = errno;

		rmdir(path);
		return mbox_why_errno(why, saved, "create Maildir", path);
	}
	return EX_OK;
}

/* append - open (creating) and append to an mbox file */
static int
append(const struct local_conf *c, const char *what, const char *path,
    int flags, const struct stat *made, const struct mbox_msg *m,
    struct buf *why)
{
	struct stat	 st;
	int		 fd, status;

	status = mbox_open(path, flags, &fd, why);
	if (status != EX_OK)
		return status;
	/* The file root made must be the one we opened as the user. */
	if (made != NULL && (fstat(fd, &st) < 0 || st.st_dev != made->st_dev ||
	    st.st_ino != made->st_ino)) {
		buf_reset(why);
		buf_printf(why, "4.2.0 mailbox %s was replaced while it was "
		    "being created", path);
		close(fd);
		return EX_TEMPFAIL;
	}
	status = mbox_append(fd, path, m, c->size_limit, c->lock_timeout, why);
	if (close(fd) < 0 && status == EX_OK)
		status = mbox_why_errno(why, errno, "close mailbox", path);
	if (status == EX_OK) {
		buf_reset(why);
		buf_printf(why, "2.0.0 delivered to %s %s", what, path);
	}
	return status;
}

/*
 * deliver_user - a user's mailbox or Maildir
 *
 * As root, a missing mailbox in mail_spool_directory is created by root
 * (O_EXCL | O_NOFOLLOW, then fchown to the user), since users usually
 * cannot create files there; root then becomes the user, reopens it with
 * O_NOFOLLOW and checks it is the same inode.  When that directory is
 * group-writable (root:mail 2775), the user keeps its group as primary
 * group, so the dotlock can be made, as a setgid-mail mail.local would.
 * Mailboxes under the home directory are created by the user alone.
 */
static int
deliver_user(const struct local_conf *c, const char *user,
    const struct mbox_msg *m, struct buf *why)
{
	struct acct	 a = {0};
	struct buf	 local = BUF_INIT, path = BUF_INIT, rcpt = BUF_INIT;
	struct mbox_msg	 mm = *m;
	struct stat	 st, made;
	const char	*at = strrchr(user, '@');
	int		 r, status, in_spool, maildir, created = 0;
	size_t		 spool_len;
	gid_t		 gid;

	/* Sanity checks. */
	buf_set(&local, user, at ? (size_t)(at - user) : strlen(user));
	buf_reset(why);
	if (!name_ok(buf_cstr(&local))) {
		buf_printf(why, "5.1.3 bad user name syntax: %s", user);
		status = EX_NOUSER;
		goto out;
	}
	if ((r = acct_get(buf_cstr(&local), &a)) < 0) {
		buf_printf(why, "4.3.0 cannot look up user %s: %s",
		    buf_cstr(&local), strerror(errno));
		status = EX_TEMPFAIL;
		goto out;
	}
	if (r == 0 && !c->static_any) {
		buf_printf(why, "5.1.1 user unknown: %s", buf_cstr(&local));
		status = EX_NOUSER;
		goto out;
	}
	if (r == 0 && is_root()) {
		/* static:any: a stray name gets default_privs. */
		if ((r = acct_get(c->default_privs, &a)) != 1 || a.uid == 0) {
			buf_printf(why, "5.3.5 bad default_privs %s",
			    c->default_privs);
			status = EX_CONFIG;
			goto out;
		}
		free(a.home);
		a.home = NULL;
	} else if (r == 0) {
		acct_self(&a);
		free(a.home);
		a.home = NULL;
	}

	/* Where the mail goes. */
	in_spool = a.home == NULL || *c->home_mailbox == '\0';
	spool_len = strlen(c->spool_dir);
	while (spool_len > 1 && c->spool_dir[spool_len - 1] == '/')
		spool_len--;
	if (in_spool)
		buf_printf(&path, "%.*s/%s", (int)spool_len, c->spool_dir,
		    buf_cstr(&local));
	else
		buf_printf(&path, "%s/%s", a.home, c->home_mailbox);
	maildir = path.s[path.len - 1] == '/' ||
	    (in_spool && c->spool_dir[strlen(c->spool_dir) - 1] == '/');
	while (path.len > 1 && path.s[path.len - 1] == '/')
		buf_truncate(&path, path.len - 1);
	recipient(c, user, &rcpt);
	mm.recipient = buf_cstr(&rcpt);

	/* Root's part: create in the spool, choose the group, let go. */
	gid = a.gid;
	if (is_root() && in_spool && a.uid != 0) {
		status = maildir ? mkdir_as_root(buf_cstr(&path), &a, why) :
		    create_as_root(buf_cstr(&path), &a, &made, &created, why);
		if (status != EX_OK)
			goto out;
		/* A group-writable spool (root:mail 2775) lends its group for
		 * the dotlock; never root's group, and not needed when the
		 * spool is world-writable (1777). */
		if (!maildir && stat(c->spool_dir, &st) == 0 &&
		    (st.st_mode & S_IWGRP) && !(st.st_mode & S_IWOTH) &&
		    st.st_gid != 0)
			gid = st.st_gid;
	}
	if (a.uid != 0 && (status = become(&a, gid, why)) != EX_OK)
		goto out;

	/* The delivery proper, as the user. */
	if (maildir) {
		status = maildir_deliver(buf_cstr(&path), &mm, c->size_limit,
		    why);
		if (status == EX_OK) {
			buf_reset(why);
			buf_printf(why, "2.0.0 delivered to maildir %s",
			    buf_cstr(&path));
		}
	} else {
		status = append(c, "mailbox", buf_cstr(&path), MBOX_O_CREATE |
		    (a.uid == geteuid() ? MBOX_O_OWNER : 0),
		    created ? &made : NULL, &mm, why);
	}
out:
	acct_free(&a);
	buf_free(&local);
	buf_free(&path);
	buf_free(&rcpt);
	return status;
}

/*
 * deliver_file - append in mbox format to a file named by an alias,
 * .forward or :include: file, or (maildir) deliver to a Maildir so named
 */
static int
deliver_file(const struct local_conf *c, const struct local_target *t,
    int maildir, const struct mbox_msg *m, struct buf *why)
{
	struct acct	 a = {0};
	struct buf	 rcpt = BUF_INIT;
	struct mbox_msg	 mm = *m;
	const char	*file = t->name;
	int		 status;

	buf_reset(why);
	if (!allowed(c->allow_files, t->origin)) {
		buf_printf(why, "5.7.1 mail to files is not allowed "
		    "(allow_mail_to_files) for %s deliveries: %.*s",
		    local_origin_name(t->origin), CMD_SHOW_MAX, file);
		return EX_NOPERM;
	}
	if (*file != '/' || strlen(file) != strcspn(file, "\n\r")) {
		buf_printf(why, "5.3.5 not an absolute file name: %.*s",
		    CMD_SHOW_MAX, file);
		return EX_CONFIG;
	}
	if (!maildir && strcmp(file, "/dev/null") == 0) {
		buf_printf(why, "2.0.0 discarded to /dev/null");
		return EX_OK;
	}
	status = privs_acct(c, &a, why);
	if (status != EX_OK)
		return status;
	recipient(c, a.name, &rcpt);
	mm.recipient = buf_cstr(&rcpt);
	status = become(&a, a.gid, why);
	if (status == EX_OK && maildir) {
		status = maildir_deliver(file, &mm, c->size_limit, why);
		if (status == EX_OK) {
			buf_reset(why);
			buf_printf(why, "2.0.0 delivered to maildir %s", file);
		}
	} else if (status == EX_OK)
		status = append(c, "file", file, MBOX_O_CREATE, NULL, &mm,
		    why);
	acct_free(&a);
	buf_free(&rcpt);
	return status;
}

/* Set by the SIGALRM handler when a command overstays. */
static volatile sig_atomic_t cmd_pid, cmd_timed_out;

/* on_alarm - command_time_limit is over: kill the command's group */
static void
on_alarm(int sig)
{
	(void)sig;
	cmd_timed_out = 1;
	if (cmd_pid > 0) {
		kill(-(pid_t)cmd_pid, SIGKILL);
		kill((pid_t)cmd_pid, SIGKILL);
	}
}

/* split_words - argv from a command without shell syntax; 0 or -1 */
static int
split_words(char *s, char **argv)
{
	size_t	 n = 0;

	for (char *w = strtok(s, " \t"); w; w = strtok(NULL, " \t")) {
		if (n + 1 >= LOCAL_ARGV_MAX)
			return -1;
		argv[n++] = w;
	}
	argv[n] = NULL;
	return n > 0 ? 0 : -1;
}

/* run_child - in the child: become the user, set up, exec the command */
static noreturn void
run_child(const struct acct *a, const char *cmd, char **envp, int in,
    int out)
{
	char		*argv[LOCAL_ARGV_MAX];
	char		*copy = xstrdup(cmd);
	struct buf	 err = BUF_INIT;

	setsid();
	signal(SIGPIPE, SIG_DFL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(EX_OSERR);
	close(in);
	close(out);
	if (is_root() && priv_drop(a->uid, a->gid, NULL, &err) < 0) {
		dprintf(2, "%s\n", buf_cstr(&err));
		_exit(EX_TEMPFAIL);
	}
	if (chdir(a->home) < 0 && chdir("/") < 0)
		_exit(EX_OSERR);
	if (strpbrk(cmd, shell_meta) == NULL && split_words(copy, argv) == 0) {
		environ = envp;
		execvp(argv[0], argv);
	} else {
		char	*sh[] = { "sh", "-c", (char *)cmd, NULL };

		execve("/bin/sh", sh, envp);
	}
	dprintf(2, "cannot execute %s: %s\n", cmd, strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* first_line - the first non-empty line of the command's output */
static void
first_line(int fd, struct buf *b)
{
	char	 text[LOCAL_OUTPUT_MAX + 1];
	ssize_t	 n = pread(fd, text, sizeof(text) - 1, 0);
	char	*p = text, *nl;

	buf_reset(b);
	if (n <= 0)
		return;
	text[n] = '\0';
	while (*p == '\n' || *p == '\r')
		p++;
	if ((nl = strpbrk(p, "\r\n")) != NULL)
		*nl = '\0';
	for (; *p; p++)
		buf_addc(b, (unsigned char)*p < ' ' ? '?' : *p);
}

/* cmd_env - the command's environment, as Postfix local(8) gives it */
static void
cmd_env(const struct acct *a, const struct mbox_msg *m, struct buf *vars,
    char **envp)
{
	const char	*rcpt = m->recipient, *at = strrchr(rcpt, '@');
	size_t		 n = 0, off[CMD_ENV_MAX];

	off[n++] = vars->len;
	buf_printf(vars, "SENDER=%s", m->sender);
	buf_addc(vars, '\0');
	off[n++] = vars->len;
	buf_printf(vars, "RECIPIENT=%s", rcpt);
	buf_addc(vars, '\0');
	off[n++] = vars->len;
	buf_printf(vars, "LOCAL=%.*s", at ? (int)(at - rcpt) :
	    (int)strlen(rcpt), rcpt);
	buf_addc(vars, '\0');
	off[n++] = vars->len;
	buf_printf(vars, "DOMAIN=%s", at ? at + 1 : "");
	buf_addc(vars, '\0');
	off[n++] = vars->len;
	buf_printf(vars, "HOME=%s", a->home);
	buf_addc(vars, '\0');
	off[n++] = vars->len;
	buf_printf(vars, "USER=%s", a->name);
	buf_addc(vars, '\0');
	off[n++] = vars->len;
	buf_printf(vars, "LOGNAME=%s", a->name);
	buf_addc(vars, '\0');
	off[n++] = vars->len;
	buf_printf(vars, "SHELL=%s", a->shell);
	buf_addc(vars, '\0');
	off[n++] = vars->len;
	buf_adds(vars, CMD_PATH);
	for (size_t i = 0; i < n; i++)
		envp[i] = vars->s + off[i];
	envp[n] = NULL;
}

/* cmd_result - turn the command's end into a status and a reason */
static int
cmd_result(const char *cmd, int wstatus, int limit, const struct buf *out,
    struct buf *why)
{
	const struct exit_info *ei;
	int		 code, n = CMD_SHOW_MAX;

	buf_reset(why);
	if (cmd_timed_out) {
		buf_printf(why, "4.3.0 command timed out after %d s: %.*s",
		    limit, n, cmd);
		return EX_TEMPFAIL;
	}
	if (!WIFEXITED(wstatus)) {
		buf_printf(why, "4.3.0 command killed by signal %d: %.*s",
		    WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0, n, cmd);
		return EX_TEMPFAIL;
	}
	code = WEXITSTATUS(wstatus);
	if (code == 0) {
		buf_printf(why, "2.0.0 delivered to command: %.*s", n, cmd);
		return EX_OK;
	}
	/* A sysexits status keeps its class; anything else bounces. */
	ei = exit_info(code);
	if (ei->status == code && ei->soft)
		buf_printf(why, "%s command failed with status %d: %.*s",
		    ei->dsn, code, n, cmd);
	else
		buf_printf(why, "5.3.0 command failed with status %d: %.*s",
		    code, n, cmd);
	if (out->len > 0)
		buf_printf(why, ": %s", out->s);
	if (ei->status == code)
		return ei->soft ? EX_TEMPFAIL : code;
	return EX_UNAVAILABLE;
}

/*
 * deliver_command - pipe the message to a command named by an alias
 *
 * The command gets the From line, Return-Path, Delivered-To and the
 * message (LF line ends, no quoting) on stdin, a fresh environment, its
 * own session (so a time-out kills the whole pipeline), the user's home
 * directory as working directory, and stdout and stderr in an unlinked
 * file whose first line explains a failure.
 */
static int
deliver_command(const struct local_conf *c, const struct local_target *t,
    const struct mbox_msg *m, struct buf *why)
{
	const char	*cmd = t->name;
	struct acct	 a = {0};
	struct buf	 rcpt = BUF_INIT, vars = BUF_INIT, out = BUF_INIT;
	struct mbox_msg	 mm = *m;
	struct sigaction sa, old_alrm, old_pipe;
	char		*envp[CMD_ENV_MAX + 1];
	char		 tmpl[] = CMD_TMP;
	off_t		 total;
	pid_t		 pid;
	int		 in[2], outfd, status, wstatus = 0, r;

	/* Sanity checks. */
	buf_reset(why);
	cmd += strspn(cmd, " \t");
	if (!allowed(c->allow_commands, t->origin)) {
		buf_printf(why, "5.7.1 mail to commands is not allowed "
		    "(allow_mail_to_commands) for %s deliveries: %.*s",
		    local_origin_name(t->origin), CMD_SHOW_MAX, cmd);
		return EX_NOPERM;
	}
	if (*cmd == '\0') {
		buf_printf(why, "5.3.5 empty command");
		return EX_CONFIG;
	}
	status = privs_acct(c, &a, why);
	if (status != EX_OK)
		return status;
	recipient(c, a.name, &rcpt);
	mm.recipient = buf_cstr(&rcpt);
	cmd_env(&a, &mm, &vars, envp);

	/* Start it. */
	if ((outfd = mkstemp(tmpl)) < 0) {
		status = mbox_why_errno(why, errno, "create", tmpl);
		goto out;
	}
	unlink(tmpl);
	if (pipe(in) < 0) {
		status = mbox_why_errno(why, errno, "create pipe for", cmd);
		close(outfd);
		goto out;
	}
	cmd_timed_out = 0;
	if ((pid = fork()) < 0) {
		status = mbox_why_errno(why, errno, "fork for", cmd);
		close(in[0]);
		close(in[1]);
		close(outfd);
		goto out;
	}
	if (pid == 0) {
		close(in[1]);
		run_child(&a, cmd, envp, in[0], outfd);
	}
	close(in[0]);

	/* Feed it under the time limit; it may stop reading (EPIPE). */
	cmd_pid = pid;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, &old_alrm);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old_pipe);
	alarm((unsigned)c->command_time_limit);
	r = mbox_copy(in[1], &mm, MBOX_F_FROM, &total, NULL);
	if (r == -2)
		on_alarm(0);	/* we cannot read the message: stop */
	close(in[1]);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	alarm(0);
	cmd_pid = 0;
	sigaction(SIGALRM, &old_alrm, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);

	/* Why it ended. */
	first_line(outfd, &out);
	close(outfd);
	if (r == -2) {
		status = mbox_why_errno(why, EIO, "read message for", cmd);
		goto out;
	}
	status = cmd_result(cmd, wstatus, c->command_time_limit, &out, why);
out:
	acct_free(&a);
	buf_free(&rcpt);
	buf_free(&vars);
	buf_free(&out);
	return status;
}

/* local_deliver - one message to one target, by its kind */
int
local_deliver(const struct local_conf *c, const struct local_target *t,
    const struct mbox_msg *m, struct buf *why)
{
	buf_reset(why);
	if (t->name == NULL || (size_t)t->origin >= sizeof(origin_names) /
	    sizeof(origin_names[0]) || origin_names[t->origin] == NULL) {
		buf_sets(why, "4.3.0 malformed delivery target");
		return EX_SOFTWARE;
	}
	switch (t->kind) {
	case LOCAL_MAILBOX:
		return deliver_user(c, t->name, m, why);
	case LOCAL_FILE:
		return deliver_file(c, t, 0, m, why);
	case LOCAL_MAILDIR:
		return deliver_file(c, t, 1, m, why);
	case LOCAL_COMMAND:
		return deliver_command(c, t, m, why);
	}
	buf_sets(why, "4.3.0 malformed delivery target");
	return EX_SOFTWARE;
}

/* allow_bits - allow_mail_to_commands/files as LOCAL_ALLOW() bits */
static int
allow_bits(const char *param)
{
	struct cfg_list	 l = {0};
	int		 bits = 0;

	cfg_get_list(param, &l);
	for (size_t i = 0; i < l.n; i++)
		for (int o = LOCAL_FROM_ALIAS; o <= LOCAL_FROM_INCLUDE; o++)
			if (strcasecmp(l.v[i], origin_names[o]) == 0)
				bits |= LOCAL_ALLOW(o);
	cfg_list_free(&l);
	return bits;
}

/* local_conf_load - the delivery settings from the loaded main.cf; -1
 * with a reason when PIPEMAIL_LOCK_TIMEOUT is malformed */
int
local_conf_load(struct local_conf *c, struct buf *why)
{
	struct cfg_list	 maps = {0};
	long long	 secs;
	const char	*env;
	char		*end;

	c->spool_dir = cfg_get("mail_spool_directory");
	c->home_mailbox = cfg_get("home_mailbox");
	c->default_privs = cfg_get("default_privs");
	c->origin = cfg_get("myorigin");
	c->size_limit = (off_t)cfg_get_size("mailbox_size_limit");
	cfg_get_list("local_recipient_maps", &maps);
	for (size_t i = 0; i < maps.n; i++)
		if (strcmp(maps.v[i], "static:any") == 0)
			c->static_any = 1;
	c->allow_commands = allow_bits("allow_mail_to_commands");
	c->allow_files = allow_bits("allow_mail_to_files");
	secs = cfg_get_time("command_time_limit");
	c->command_time_limit = secs > 0 && secs < 86400 ? (int)secs : 86400;
	cfg_list_free(&maps);

	/* A test hook: a shorter wait for a busy mailbox (seconds). */
	secs = MBOX_LOCK_TIMEOUT / 1000;
	if ((env = getenv("PIPEMAIL_LOCK_TIMEOUT")) != NULL && *env) {
		errno = 0;
		secs = strtoll(env, &end, 10);
		if (errno != 0 || *end != '\0' || secs < 0) {
			buf_printf(why, "bad PIPEMAIL_LOCK_TIMEOUT value: %s",
			    env);
			return -1;
		}
	}
	c->lock_timeout = secs < 3600 ? (int)secs * 1000 : 3600 * 1000;
	return 0;
}
