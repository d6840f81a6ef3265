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

#define READ_FILE_MAX	(64 * 1024 * 1024)	/* ~r: bytes read */

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

/* print_draft - ~p: the message so far */
static void
print_draft(const struct mailx_draft *d)
{
	struct buf	 out = BUF_INIT;

	buf_adds(&out, "-------\nMessage contains:\n");
	if (d->to.len)
		buf_printf(&out, "To: %s\n", d->to.s);
	if (d->cc.len)
		buf_printf(&out, "Cc: %s\n", d->cc.s);
	if (d->bcc.len)
		buf_printf(&out, "Bcc: %s\n", d->bcc.s);
	if (d->subject.len)
		buf_printf(&out, "Subject: %s\n", d->subject.s);
	buf_addc(&out, '\n');
	mailx_mime_safe(d->body.s ? d->body.s : "", d->body.len, &out);
	buf_adds(&out, "(continue)\n");
	fflush(stdout);
	fd_write_all(STDOUT_FILENO, out.s, out.len);
	buf_free(&out);
}

/* read_into - ~r FILE: append a file to the body */
static void
read_into(struct mailx_draft *d, const char *path)
{
	struct buf	 b = BUF_INIT;

	if (*path == '\0') {
		fprintf(stderr, "mailx: ~r: no file name\n");
		return;
	}
	if (file_read(path, &b, READ_FILE_MAX) < 0) {
		fprintf(stderr, "mailx: %s: %s\n", path, strerror(errno));
		buf_free(&b);
		return;
	}
	buf_add(&d->body, b.s, b.len);
	if (b.len > 0 && b.s[b.len - 1] != '\n')
		buf_addc(&d->body, '\n');
	printf("\"%s\" %zu bytes\n", path, b.len);
	buf_free(&b);
}

/* escape_arg - the argument of a command escape, leading blanks gone */
static const char *
escape_arg(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/*
 * tilde - one command escape (line starts with '~'); returns 1 to go
 * on, 0 when the message is complete, -1 when it is abandoned
 */
static int
tilde(const struct mailx_send_env *env, struct mailx_draft *d,
    const char *line, size_t len)
{
	const char	*arg = escape_arg(line + 2);

	switch (len > 1 ? line[1] : '\0') {
	case '~':
		buf_add(&d->body, line + 1, len - 1);
		buf_addc(&d->body, '\n');
		return 1;
	case '.':
		return 0;
	case 'q':
	case 'x':
		return -1;
	case 's':
		buf_sets(&d->subject, arg);
		return 1;
	case 't':
		mailx_add_list(&d->to, arg);
		return 1;
	case 'c':
		mailx_add_list(&d->cc, arg);
		return 1;
	case 'b':
		mailx_add_list(&d->bcc, arg);
		return 1;
	case 'p':
		print_draft(d);
		return 1;
	case 'r':
	case '<':
		read_into(d, arg);
		return 1;
	case '?':
		printf("~~ text   a line starting with ~\n"
		    "~. end the message      ~q, ~x  abandon it\n"
		    "~s TEXT  subject        ~t, ~c, ~b ADDRS  add To, Cc, Bcc\n"
		    "~p print the message    ~r FILE  read a file in\n");
		return 1;
	default:
		fprintf(stderr, "mailx: unknown command escape ~%c; ~? for "
		    "help\n", len > 1 ? line[1] : ' ');
		(void)env;
		return 1;
	}
}

/*
 * mailx_collect - read the body, obeying command escapes, until end of
 * input, "~." or (with "dot") a lone "."
 */
enum mailx_send_result
mailx_collect(const struct mailx_send_env *env, struct mailx_draft *d)
{
	struct buf	 line = BUF_INIT;
	const char	*esc = mailx_table_get(env->vars, "escape");
	char		 ec = esc != NULL && *esc ? *esc : '~';
	int		 dot = mailx_table_has(env->vars, "dot"), r;

	while (env->read(env->read_ctx, &line) == 0) {
		if (dot && line.len == 1 && line.s[0] == '.')
			break;
		if (line.len > 0 && line.s[0] == ec) {
			/* The escape character stands for '~' in tilde(). */
			line.s[0] = '~';
			r = tilde(env, d, line.s, line.len);
			if (line.len > 1 && line.s[1] == '~')
				d->body.s[d->body.len - line.len] = ec;
			if (r == 0)
				break;
			if (r < 0) {
				buf_free(&line);
				return MAILX_SEND_ABORT;
			}
			continue;
		}
		if (d->body.len + line.len + 1 > MAILX_BODY_MAX) {
			fprintf(stderr, "mailx: message too long, cut at %d "
			    "bytes\n", MAILX_BODY_MAX);
			break;
		}
		buf_add(&d->body, line.s, line.len);
		buf_addc(&d->body, '\n');
	}
	if (env->interactive)
		printf("EOT\n");
	buf_free(&line);
	return MAILX_SEND_OK;
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
	const char	*folder = mailx_table_get(env->vars, "record");
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
	free(argv);
	buf_free(&rcpts);
	buf_free(&msg);
	buf_free(&sender);
	return status;
}
