/*
 * mailx_send - compose a message and hand it to sendmail.
 */
#include "mailx_send.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "address.h"
#include "exits.h"
#include "file.h"
#include "header.h"
#include "io.h"
#include "mailx_folder.h"
#include "mailx_mime.h"
#include "mem.h"

/* mailx_draft_init - an empty draft */
void
mailx_draft_init(struct mailx_draft *d)
{
	buf_init(&d->to);
	buf_init(&d->cc);
	buf_init(&d->bcc);
	buf_init(&d->subject);
	buf_init(&d->from);
	buf_init(&d->extra);
	buf_init(&d->body);
}

/* mailx_draft_free - release a draft */
void
mailx_draft_free(struct mailx_draft *d)
{
	buf_free(&d->to);
	buf_free(&d->cc);
	buf_free(&d->bcc);
	buf_free(&d->subject);
	buf_free(&d->from);
	buf_free(&d->extra);
	buf_free(&d->body);
}

/* mailx_add_list - append addresses to a comma-separated list */
void
mailx_add_list(struct buf *list, const char *more)
{
	while (*more == ' ' || *more == '\t' || *more == ',')
		more++;
	if (*more == '\0')
		return;
	if (list->len > 0)
		buf_adds(list, ", ");
	buf_adds(list, more);
}

/* is_ascii - whether n bytes are all 7-bit */
static int
is_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

/*
 * mailx_compose - the message as sendmail takes it: From (with -r), To,
 * Cc, Subject (RFC 2047 encoded when not ASCII), the extra lines, MIME
 * labels for an 8-bit body, an empty line, the body.  Bcc stays out of
 * the header: its recipients are on the command line only.  Date and
 * Message-ID are sendmail's to add.
 */
void
mailx_compose(const struct mailx_draft *d, struct buf *out)
{
	struct buf	 v = BUF_INIT;

	if (d->from.len)
		hdr_fold(out, "From", d->from.s);
	if (d->to.len)
		hdr_fold(out, "To", d->to.s);
	if (d->cc.len)
		hdr_fold(out, "Cc", d->cc.s);
	if (d->subject.len) {
		mailx_mime_encode_word(d->subject.s, &v);
		hdr_fold(out, "Subject", v.s);
	}
	if (d->extra.len)
		buf_add(out, d->extra.s, d->extra.len);
	if (!is_ascii(d->body.s ? d->body.s : "", d->body.len))
		buf_adds(out, "MIME-Version: 1.0\n"
		    "Content-Type: text/plain; charset=UTF-8\n"
		    "Content-Transfer-Encoding: 8bit\n");
	buf_addc(out, '\n');
	if (d->body.len)
		buf_add(out, d->body.s, d->body.len);
	buf_free(&v);
}

/* expand - add the addresses of list to rcpts, aliases expanded */
static void
expand(const struct mailx_table *aliases, const char *list, int depth,
    struct buf *rcpts, size_t *n)
{
	struct addr_list l;
	const char	*a;

	addr_list_init(&l);
	addr_parse_list(list, strlen(list), &l);
	for (size_t i = 0; i < l.n; i++) {
		if (l.v[i].bad || l.v[i].addr == NULL) {
			if (l.v[i].raw != NULL)
				fprintf(stderr, "mailx: bad address "
				    "skipped: %s\n", l.v[i].raw);
			continue;
		}
		a = strchr(l.v[i].addr, '@') == NULL ?
		    mailx_table_get(aliases, l.v[i].addr) : NULL;
		if (a != NULL && depth < MAILX_ALIAS_DEPTH_MAX) {
			expand(aliases, a, depth + 1, rcpts, n);
			continue;
		}
		/* One NUL-terminated address after another. */
		buf_add(rcpts, l.v[i].addr, strlen(l.v[i].addr) + 1);
		(*n)++;
	}
	addr_list_free(&l);
}

/* envelope_sender - the address in the -r value */
static void
envelope_sender(const char *from, struct buf *out)
{
	struct addr_list l;

	addr_list_init(&l);
	addr_parse_list(from, strlen(from), &l);
	buf_sets(out, l.n > 0 && !l.v[0].bad && l.v[0].addr ? l.v[0].addr :
	    from);
	addr_list_free(&l);
}

/* run_sendmail - start sendmail with argv, write msg to it, wait */
static int
run_sendmail(char **argv, const struct buf *msg)
{
	int		 p[2], wstatus, status;
	pid_t		 pid;

	if (pipe(p) < 0) {
		fprintf(stderr, "mailx: pipe: %s\n", strerror(errno));
		return EX_OSERR;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "mailx: fork: %s\n", strerror(errno));
		close(p[0]);
		close(p[1]);
		return EX_OSERR;
	}
	if (pid == 0) {
		close(p[1]);
		if (dup2(p[0], STDIN_FILENO) < 0)
			_exit(EX_OSERR);
		close(p[0]);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		execv(argv[0], argv);
		fprintf(stderr, "mailx: cannot run %s: %s\n", argv[0],
		    strerror(errno));
		_exit(EX_UNAVAILABLE);
	}
	close(p[0]);
	/* A sendmail that stops reading says why in its exit status. */
	(void)fd_write_all(p[1], msg->s ? msg->s : "", msg->len);
	close(p[1]);
	while (waitpid(pid, &wstatus, 0) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "mailx: waitpid: %s\n",
			    strerror(errno));
			return EX_OSERR;
		}
	status = exit_from_wait(wstatus);
	if (status != EX_OK && !(WIFEXITED(wstatus) &&
	    WEXITSTATUS(wstatus) == EX_UNAVAILABLE))
		fprintf(stderr, "mailx: %s failed: exit status %d\n", argv[0],
		    WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : status);
	return status;
}

/* record - keep a copy of a sent message in the "record" folder */
static void
record(const struct mailx_send_env *env, const struct buf *msg)
{
	const char	*folder = env->record ? env->record :
			    mailx_table_get(env->vars, "record");
	struct buf	 path = BUF_INIT, box = BUF_INIT, why = BUF_INIT;

	if (folder == NULL || *folder == '\0')
		return;
	mailx_folder_path(env->vars, folder, &path);
	mailx_folder_wrap(getenv("USER") ? getenv("USER") : "mailx",
	    time(NULL), msg->s, msg->len, &box);
	if (mailx_folder_append(path.s, &box, &why) < 0)
		fprintf(stderr, "mailx: %s\n", why.s);
	buf_free(&path);
	buf_free(&box);
	buf_free(&why);
}

/*
 * mailx_deliver - send a composed draft through sendmail: aliases
 * expanded, recipients from To, Cc and Bcc on the command line
 */
int
mailx_deliver(const struct mailx_send_env *env, const struct mailx_draft *d)
{
	struct buf	 rcpts = BUF_INIT, msg = BUF_INIT, sender = BUF_INIT;
	size_t		 n = 0, argc = 0;
	char		**argv;
	int		 status;

	expand(env->aliases, d->to.s ? d->to.s : "", 0, &rcpts, &n);
	expand(env->aliases, d->cc.s ? d->cc.s : "", 0, &rcpts, &n);
	expand(env->aliases, d->bcc.s ? d->bcc.s : "", 0, &rcpts, &n);
	if (n == 0) {
		fprintf(stderr, "mailx: no recipients\n");
		buf_free(&rcpts);
		return EX_USAGE;
	}
	mailx_compose(d, &msg);
	record(env, &msg);
	argv = xreallocarray(NULL, n + 6, sizeof(*argv));
	argv[argc++] = (char *)env->sendmail;
	argv[argc++] = "-i";
	if (d->from.len) {
		envelope_sender(d->from.s, &sender);
		argv[argc++] = "-f";
		argv[argc++] = sender.s;
	}
	argv[argc++] = "--";
	for (size_t off = 0; off < rcpts.len; off += strlen(rcpts.s + off) + 1)
		argv[argc++] = rcpts.s + off;
	argv[argc] = NULL;
	status = run_sendmail(argv, &msg);
	if (status != EX_OK)
		(void)mailx_dead_letter(env->vars, &d->body);
	free(argv);
	buf_free(&rcpts);
	buf_free(&msg);
	buf_free(&sender);
	return status;
}

/* mailx_dead_path - the DEAD file: the variable, the environment, else
 * ~/dead.letter */
void
mailx_dead_path(const struct mailx_table *vars, struct buf *out)
{
	const char	*dead = mailx_var_env(vars, "DEAD");

	if (dead != NULL && *dead != '\0')
		mailx_folder_path(vars, dead, out);
	else
		mailx_folder_path(vars, "~/dead.letter", out);
}

/* mailx_dead_letter - keep an unsent body in the DEAD file */
int
mailx_dead_letter(const struct mailx_table *vars, const struct buf *body)
{
	struct buf	 path = BUF_INIT;
	int		 fd, err = 0;

	if (!mailx_table_has(vars, "save") || body->len == 0)
		return 0;
	mailx_dead_path(vars, &path);
	fd = open(path.s, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd < 0)
		err = errno;
	else {
		if (fd_write_all(fd, body->s, body->len) < 0)
			err = errno;
		if (close(fd) < 0 && err == 0)
			err = errno;
	}
	if (err != 0)
		fprintf(stderr, "mailx: cannot save to %s: %s\n", path.s,
		    strerror(err));
	else
		printf("\"%s\" %zu bytes\n", path.s, body->len);
	buf_free(&path);
	return err != 0 ? -1 : 0;
}
