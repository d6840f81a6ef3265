/*
 * mailx_tilde - the body of a message, typed with command escapes.
 */
#include "mailx_tilde.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "file.h"
#include "io.h"
#include "mailx_folder.h"
#include "mailx_mime.h"
#include "mailx_proc.h"

/* What an escape asks of the collecting loop. */
enum esc_result {
	ESC_GO,		/* read on */
	ESC_DONE,	/* the message is complete */
	ESC_DEAD,	/* abandoned; its body goes to dead.letter */
	ESC_ABORT,	/* abandoned */
};

struct escape {
	char		 c;
	enum esc_result	(*fn)(const struct mailx_send_env *,
			    struct mailx_draft *, const char *, int);
	const char	*help;
};

/* add_text - append text to the body, a newline after it when it lacks
 * one; -1 (having complained) when the body would grow too large */
static int
add_text(struct mailx_draft *d, const char *s, size_t n)
{
	if (d->body.len + n + 1 > MAILX_BODY_MAX) {
		fprintf(stderr, "mailx: message too long, cut at %d bytes\n",
		    MAILX_BODY_MAX);
		return -1;
	}
	buf_add(&d->body, s, n);
	if (n > 0 && s[n - 1] != '\n')
		buf_addc(&d->body, '\n');
	return 0;
}

/* add_line - one typed line of the body */
static enum esc_result
add_line(struct mailx_draft *d, const char *s, size_t n)
{
	if (add_text(d, s, n) < 0)
		return ESC_DONE;
	if (n == 0)
		buf_addc(&d->body, '\n');
	return ESC_GO;
}

/* need_arg - complain when an escape that takes an argument got none */
static int
need_arg(const char *arg, int c, const char *what)
{
	if (*arg != '\0')
		return 1;
	fprintf(stderr, "mailx: ~%c: no %s\n", c, what);
	return 0;
}

/* esc_done - ~.: the message is complete */
static enum esc_result
esc_done(const struct mailx_send_env *env, struct mailx_draft *d,
    const char *arg, int c)
{
	(void)env, (void)d, (void)arg, (void)c;
	return ESC_DONE;
}

/* esc_quit - ~q: abandon, keeping the body in dead.letter; ~x: abandon */
static enum esc_result
esc_quit(const struct mailx_send_env *env, struct mailx_draft *d,
    const char *arg, int c)
{
	(void)env, (void)d, (void)arg;
	return c == 'q' ? ESC_DEAD : ESC_ABORT;
}

/* esc_list - ~t, ~c, ~b: add addresses to To, Cc, Bcc */
static enum esc_result
esc_list(const struct mailx_send_env *env, struct mailx_draft *d,
    const char *arg, int c)
{
	(void)env;
	if (need_arg(arg, c, "addresses"))
		mailx_add_list(c == 't' ? &d->to : c == 'c' ? &d->cc :
		    &d->bcc, arg);
	return ESC_GO;
}

/* esc_subject - ~s: set the subject */
static enum esc_result
esc_subject(const struct mailx_send_env *env, struct mailx_draft *d,
    const char *arg, int c)
{
	(void)env, (void)c;
	buf_sets(&d->subject, arg);
	return ESC_GO;
}

/* esc_print - ~p: the message so far */
static enum esc_result
esc_print(const struct mailx_send_env *env, struct mailx_draft *d,
    const char *arg, int c)
{
	struct buf	 out = BUF_INIT;

	(void)env, (void)arg, (void)c;
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
	return ESC_GO;
}

/* read_file - append a file to the body (~r, ~<, ~d) */
static void
read_file(const struct mailx_send_env *env, struct mailx_draft *d,
    const char *name)
{
	struct buf	 b = BUF_INIT, path = BUF_INIT;

	mailx_folder_path(env->vars, name, &path);
	if (file_read(path.s, &b, MAILX_READ_FILE_MAX) < 0)
		fprintf(stderr, "mailx: %s: %s\n", path.s, strerror(errno));
	else if (add_text(d, b.s ? b.s : "", b.len) == 0)
		printf("\"%s\" %zu bytes\n", path.s, b.len);
	buf_free(&b);
	buf_free(&path);
}

/* esc_read - ~r FILE, ~< FILE: a file; ~<!COMMAND: its output */
static enum esc_result
esc_read(const struct mailx_send_env *env, struct mailx_draft *d,
    const char *arg, int c)
{
	struct buf	 out = BUF_INIT, none = BUF_INIT;

	if (!need_arg(arg, c, "file name"))
		return ESC_GO;
	if (*arg != '!') {
		read_file(env, d, arg);
		return ESC_GO;
	}
	/* Its standard input is empty: the rest of ours is the message. */
	if (mailx_proc_shell(arg + 1, &none, &out, MAILX_READ_FILE_MAX) >= 0 &&
	    add_text(d, out.s ? out.s : "", out.len) == 0)
		printf("\"%s\" %zu bytes\n", arg, out.len);
	buf_free(&out);
	return ESC_GO;
}

/* esc_dead - ~d: the dead.letter file */
static enum esc_result
esc_dead(const struct mailx_send_env *env, struct mailx_draft *d,
    const char *arg, int c)
{
	struct buf	 path = BUF_INIT;

	(void)arg, (void)c;
	mailx_dead_path(env->vars, &path);
	read_file(env, d, path.s);
	buf_free(&path);
	return ESC_GO;
}

/* esc_write - ~w FILE: the body into a new file */
static enum esc_result
esc_write(const struct mailx_send_env *env, struct mailx_draft *d,
    const char *arg, int c)
{
	struct buf	 path = BUF_INIT;
	int		 fd;

	if (!need_arg(arg, c, "file name"))
		return ESC_GO;
	mailx_folder_path(env->vars, arg, &path);
	fd = open(path.s, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0666);
	if (fd < 0 && errno == EEXIST)
		fprintf(stderr, "mailx: %s: File exists\n", path.s);
	else if (fd < 0 || fd_write_all(fd, d->body.s ? d->body.s : "",
	    d->body.len) < 0)
		fprintf(stderr, "mailx: %s: %s\n", path.s, strerror(errno));
	else
		printf("\"%s\" %zu bytes\n", path.s, d->body.len);
	if (fd >= 0)
		close(fd);
	buf_free(&path);
	return ESC_GO;
}

/* esc_edit - ~e: the body through $EDITOR (ed), ~v: $VISUAL (vi) */
static enum esc_result
esc_edit(const struct mailx_send_env *env, struct mailx_draft *d,
    const char *arg, int c)
{
	const char	*ed = mailx_var_env(env->vars, c == 'e' ? "EDITOR" :
			    "VISUAL");

	(void)arg;
	if (ed == NULL || *ed == '\0')
		ed = c == 'e' ? "ed" : "vi";
	if (mailx_proc_edit(ed, &d->body, MAILX_BODY_MAX) >= 0 &&
	    d->body.len > 0 && d->body.s[d->body.len - 1] != '\n')
		buf_addc(&d->body, '\n');
	printf("(continue)\n");
	return ESC_GO;
}

/* esc_filter - ~| COMMAND: the body through a command, replaced by its
 * output when it succeeds and says something */
static enum esc_result
esc_filter(const struct mailx_send_env *env, struct mailx_draft *d,
    const char *arg, int c)
{
	struct buf	 out = BUF_INIT;
	int		 status;

	(void)env;
	if (!need_arg(arg, c, "command"))
		return ESC_GO;
	status = mailx_proc_shell(arg, &d->body, &out, MAILX_BODY_MAX);
	if (status == 0 && out.len > 0) {
		buf_set(&d->body, out.s, out.len);
		if (d->body.s[d->body.len - 1] != '\n')
			buf_addc(&d->body, '\n');
		printf("(continue)\n");
	} else if (status == 0)
		fprintf(stderr, "mailx: %s: no output; message unchanged\n",
		    arg);
	else if (status > 0)
		fprintf(stderr, "mailx: %s: exit status %d; message "
		    "unchanged\n", arg, status);
	buf_free(&out);
	return ESC_GO;
}

/* esc_shell - ~! COMMAND */
static enum esc_result
esc_shell(const struct mailx_send_env *env, struct mailx_draft *d,
    const char *arg, int c)
{
	(void)env, (void)d;
	if (need_arg(arg, c, "command")) {
		mailx_proc_shell(arg, NULL, NULL, 0);
		printf("!\n");
	}
	return ESC_GO;
}

/* esc_command - ~: COMMAND, ~_ COMMAND: a mailx command (receive mode) */
static enum esc_result
esc_command(const struct mailx_send_env *env, struct mailx_draft *d,
    const char *arg, int c)
{
	(void)d;
	if (env->command == NULL)
		fprintf(stderr, "mailx: ~%c: only when reading mail\n", c);
	else if (need_arg(arg, c, "command"))
		env->command(env->ctx, arg);
	return ESC_GO;
}

/* esc_insert - ~f, ~F, ~m, ~M [MSGLIST]: messages into the body */
static enum esc_result
esc_insert(const struct mailx_send_env *env, struct mailx_draft *d,
    const char *arg, int c)
{
	if (env->insert == NULL)
		fprintf(stderr, "mailx: ~%c: only when reading mail\n", c);
	else
		env->insert(env->ctx, arg, c, &d->body);
	return ESC_GO;
}

/* esc_value - ~a, ~A: the sign or Sign variable; ~i NAME: a variable */
static enum esc_result
esc_value(const struct mailx_send_env *env, struct mailx_draft *d,
    const char *arg, int c)
{
	const char	*name = c == 'a' ? "sign" : c == 'A' ? "Sign" : arg;
	const char	*v;

	if (c == 'i' && !need_arg(arg, c, "variable"))
		return ESC_GO;
	if ((v = mailx_table_get(env->vars, name)) != NULL && *v != '\0')
		(void)add_text(d, v, strlen(v));
	return ESC_GO;
}

/* printable - whether text can be typed at a terminal as it is */
static int
printable(const struct buf *v)
{
	for (size_t i = 0; i < v->len; i++)
		if ((unsigned char)v->s[i] < 0x20 || v->s[i] == 0x7f)
			return 0;
	return 1;
}

/* push_tty - put text into the terminal's input as if typed (BSD
 * mail's way to let ~h edit a field); 0 when the terminal refuses */
static int
push_tty(const struct buf *v)
{
	for (size_t i = 0; i < v->len; i++)
		if (ioctl(STDIN_FILENO, TIOCSTI, v->s + i) < 0)
			return i > 0;
	return 1;
}

/*
 * ask_field - prompt for a header field.  At a terminal its value is
 * typed in for the user to edit, and the answer is the new value; where
 * that cannot be done the value is shown in brackets and an empty
 * answer keeps it.
 */
static void
ask_field(const struct mailx_send_env *env, const char *name,
    struct buf *val)
{
	struct buf	 line = BUF_INIT, shown = BUF_INIT;
	int		 pushed = 0;

	if (env->interactive) {
		printf("%s: ", name);
		fflush(stdout);
		if (val->len > 0 && printable(val) && (env->typeahead ==
		    NULL || !env->typeahead(env->read_ctx)))
			pushed = push_tty(val);
		if (val->len > 0 && !pushed) {
			mailx_mime_safe(val->s, val->len, &shown);
			printf("[%s] ", shown.s);
		}
		fflush(stdout);
	}
	if (env->read(env->read_ctx, &line) == 0) {
		buf_trim(&line);
		if (line.len > 0 || pushed)
			buf_set(val, line.s ? line.s : "", line.len);
	}
	buf_free(&line);
	buf_free(&shown);
}

/* esc_headers - ~h: prompt for To, Subject, Cc and Bcc */
static enum esc_result
esc_headers(const struct mailx_send_env *env, struct mailx_draft *d,
    const char *arg, int c)
{
	(void)arg, (void)c;
	ask_field(env, "To", &d->to);
	ask_field(env, "Subject", &d->subject);
	ask_field(env, "Cc", &d->cc);
	ask_field(env, "Bcc", &d->bcc);
	return ESC_GO;
}

static enum esc_result esc_help(const struct mailx_send_env *,
    struct mailx_draft *, const char *, int);

static const struct escape escapes[] = {
	{ '.', esc_done,	"~.           end the message" },
	{ '!', esc_shell,	"~!COMMAND    run a shell command" },
	{ ':', esc_command,	"~:COMMAND    run a mailx command (also ~_)" },
	{ '_', esc_command,	NULL },
	{ '?', esc_help,	"~?           this list" },
	{ 'A', esc_value,	"~A           insert the Sign variable" },
	{ 'a', esc_value,	"~a           insert the sign variable" },
	{ 'b', esc_list,	"~b ADDRS     add to Bcc" },
	{ 'c', esc_list,	"~c ADDRS     add to Cc" },
	{ 'd', esc_dead,	"~d           read in dead.letter" },
	{ 'e', esc_edit,	"~e           edit the body ($EDITOR)" },
	{ 'f', esc_insert,	"~f [MSGLIST] insert messages" },
	{ 'F', esc_insert,	"~F [MSGLIST] insert messages, all headers" },
	{ 'h', esc_headers,	"~h           ask for To, Subject, Cc, Bcc" },
	{ 'i', esc_value,	"~i NAME      insert a variable's value" },
	{ 'm', esc_insert,	"~m [MSGLIST] insert messages, indented" },
	{ 'M', esc_insert,	"~M [MSGLIST] the same, all headers" },
	{ 'p', esc_print,	"~p           print the message so far" },
	{ 'q', esc_quit,	"~q           abandon, body to dead.letter" },
	{ 'r', esc_read,	"~r FILE      read in a file (~<, ~<!CMD)" },
	{ '<', esc_read,	NULL },
	{ 's', esc_subject,	"~s TEXT      set the subject" },
	{ 't', esc_list,	"~t ADDRS     add to To" },
	{ 'v', esc_edit,	"~v           edit the body ($VISUAL)" },
	{ 'w', esc_write,	"~w FILE      write the body to a new file" },
	{ 'x', esc_quit,	"~x           abandon it" },
	{ '|', esc_filter,	"~|COMMAND    filter the body" },
};

/* esc_help - ~?: the escapes */
static enum esc_result
esc_help(const struct mailx_send_env *env, struct mailx_draft *d,
    const char *arg, int c)
{
	(void)env, (void)d, (void)arg, (void)c;
	printf("~~TEXT       a line starting with ~\n");
	for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++)
		if (escapes[i].help != NULL)
			printf("%s\n", escapes[i].help);
	return ESC_GO;
}

/* escape - one command escape: s is the line after the escape char */
static enum esc_result
escape(const struct mailx_send_env *env, struct mailx_draft *d,
    const char *s, size_t n)
{
	const char	*arg = n > 0 ? s + 1 : s;

	while (*arg == ' ' || *arg == '\t')
		arg++;
	for (size_t i = 0; n > 0 && i < sizeof(escapes) / sizeof(escapes[0]);
	    i++)
		if (escapes[i].c == s[0])
			return escapes[i].fn(env, d, arg, s[0]);
	fprintf(stderr, "mailx: unknown command escape ~%.1s; ~? for help\n",
	    s);
	return ESC_GO;
}

/* interrupted - SIGINT while collecting: "ignore" shows "@", a first
 * one warns, a second one in a row abandons the message */
static enum esc_result
interrupted(const struct mailx_send_env *env, int *count)
{
	if (mailx_table_has(env->vars, "ignore")) {
		printf("@\n");
		return ESC_GO;
	}
	if ((*count)++ == 0) {
		printf("\n(Interrupt -- one more to kill letter)\n");
		return ESC_GO;
	}
	printf("\n");
	return ESC_DEAD;
}

/* at_eof - end of input: the end of the message, unless "ignoreeof"
 * asks for "~." or "." at a terminal */
static enum esc_result
at_eof(const struct mailx_send_env *env, int *count)
{
	if (!env->interactive || !mailx_table_has(env->vars, "ignoreeof") ||
	    ++*count >= MAILX_EOF_MAX)
		return ESC_DONE;
	printf("Use \"%s\" to terminate letter\n",
	    mailx_table_has(env->vars, "dot") ? "." : "~.");
	return ESC_GO;
}

/* mailx_collect - read the body, obeying command escapes when env->escapes
 * (a terminal, or -~); otherwise each line is text, as it came */
enum mailx_send_result
mailx_collect(const struct mailx_send_env *env, struct mailx_draft *d)
{
	struct buf	 line = BUF_INIT;
	const char	*esc = mailx_table_get(env->vars, "escape");
	char		 ec = esc != NULL && *esc ? *esc : '~';
	int		 dot = mailx_table_has(env->vars, "dot");
	int		 intr = 0, eofs = 0, r;
	enum esc_result	 er = ESC_GO;

	if (env->interactive && d->subject.len == 0 &&
	    (mailx_table_has(env->vars, "asksub") ||
	    mailx_table_has(env->vars, "ask")))
		ask_field(env, "Subject", &d->subject);
	while (er == ESC_GO) {
		r = env->read(env->read_ctx, &line);
		if (r == MAILX_READ_INTR)
			er = interrupted(env, &intr);
		else if (r < 0)
			er = at_eof(env, &eofs);
		else if (dot && line.len == 1 && line.s[0] == '.')
			er = ESC_DONE;
		else if (env->escapes && line.len > 1 && line.s[0] == ec &&
		    line.s[1] == ec)
			er = add_line(d, line.s + 1, line.len - 1);
		else if (env->escapes && line.len > 0 && line.s[0] == ec)
			er = escape(env, d, line.s + 1, line.len - 1);
		else
			er = add_line(d, line.s ? line.s : "", line.len);
		if (r != MAILX_READ_INTR)
			intr = 0;
	}
	buf_free(&line);
	if (er == ESC_DEAD)
		(void)mailx_dead_letter(env->vars, &d->body);
	if (er != ESC_DONE)
		return MAILX_SEND_ABORT;
	if (env->interactive && mailx_table_has(env->vars, "askcc"))
		ask_field(env, "Cc", &d->cc);
	if (env->interactive && mailx_table_has(env->vars, "askbcc"))
		ask_field(env, "Bcc", &d->bcc);
	if (env->interactive)
		printf("EOT\n");
	return MAILX_SEND_OK;
}
