/*
 * mailx_cmd - the receive-mode session, its command table and the
 * glue the commands share (message lists, output, the screen).
 */
#include "mailx_cmd.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "file.h"
#include "mailx_compose.h"
#include "mailx_display.h"
#include "mailx_edit.h"
#include "mailx_folder.h"
#include "mailx_list.h"
#include "mailx_proc.h"
#include "mailx_send.h"
#include "mailx_show.h"
#include "mailx_state.h"
#include "mem.h"

#define SOURCE_MAX		(1024 * 1024)	/* bytes of a .mailrc */

/* mailx_cmd_say - write a buffer to stdout */
void
mailx_cmd_say(const struct buf *b)
{
	fflush(stdout);
	fd_write_all(STDOUT_FILENO, b->s ? b->s : "", b->len);
}

/* mailx_cmd_complain - one line on stderr */
void
mailx_cmd_complain(const char *msg)
{
	fflush(stdout);
	fprintf(stderr, "%s\n", msg);
}

/* mailx_cmd_screen - summary lines per screen: "screen", else the tty */
size_t
mailx_cmd_screen(const struct mailx *mx)
{
	struct winsize	 ws;
	long		 n = mailx_var_number(&mx->vars, "screen", 0);
	const char	*lines = getenv("LINES");

	if (n > 0)
		return (size_t)n;
	if (lines != NULL && atol(lines) > 4)
		return (size_t)atol(lines) - 4;
	if (mx->interactive && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_row > 4)
		return ws.ws_row - 4;
	return MAILX_SCREEN_DEFAULT;
}

/* mailx_cmd_columns - the output width: $COLUMNS, else the tty, else 80 */
long
mailx_cmd_columns(const struct mailx *mx)
{
	struct winsize	 ws;
	const char	*c = getenv("COLUMNS");

	if (c != NULL && atol(c) > 0)
		return atol(c);
	if (mx->interactive && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col > 0)
		return ws.ws_col;
	return MAILX_SHOW_COLUMNS;
}

/* mailx_cmd_page - show text, through $PAGER when it is longer than "crt" lines
 * and we talk to a terminal */
void
mailx_cmd_page(struct mailx *mx, const struct buf *text)
{
	const char	*crt = mailx_table_get(&mx->vars, "crt");
	const char	*pager = getenv("PAGER");
	size_t		 lines = 0, limit;
	FILE		*p;

	if (crt == NULL || !mx->interactive || !isatty(STDOUT_FILENO)) {
		mailx_cmd_say(text);
		return;
	}
	limit = *crt ? (size_t)atol(crt) : mailx_cmd_screen(mx);
	for (size_t i = 0; i < text->len; i++)
		lines += text->s[i] == '\n';
	if (lines <= limit) {
		mailx_cmd_say(text);
		return;
	}
	fflush(stdout);
	p = popen(pager && *pager ? pager : "more", "w");
	if (p == NULL) {
		mailx_cmd_say(text);
		return;
	}
	fwrite(text->s, 1, text->len, p);
	pclose(p);
}

/* mailx_cmd_me - the user's address for "showto" and reply, or NULL */
const char *
mailx_cmd_me(const struct mailx *mx)
{
	return mx->user;
}

/* mailx_session_init - a session with POSIX default settings */
void
mailx_session_init(struct mailx *mx)
{
	memset(mx, 0, sizeof(*mx));
	buf_init(&mx->path);
	buf_init(&mx->prev);
	buf_init(&mx->spool);
	mailx_table_init(&mx->vars, 0);
	mailx_table_init(&mx->aliases, 0);
	mailx_table_init(&mx->ignore, MAILX_T_NOCASE);
	mailx_table_init(&mx->retain, MAILX_T_NOCASE);
	/* POSIX defaults: asksub, header, save, and the prompt. */
	mailx_table_set(&mx->vars, "asksub", "");
	mailx_table_set(&mx->vars, "header", "");
	mailx_table_set(&mx->vars, "save", "");
	mailx_table_set(&mx->vars, "prompt", "? ");
	mailx_table_set(&mx->vars, "escape", "~");
	mailx_table_set(&mx->vars, "toplines", "5");
	io_init(&mx->in, STDIN_FILENO);
}

/* mailx_session_free - release the session */
void
mailx_session_free(struct mailx *mx)
{
	if (mx->is_open)
		mailbox_close(&mx->mb);
	buf_free(&mx->path);
	buf_free(&mx->prev);
	buf_free(&mx->spool);
	mailx_table_free(&mx->vars);
	mailx_table_free(&mx->aliases);
	mailx_table_free(&mx->ignore);
	mailx_table_free(&mx->retain);
	io_free(&mx->in);
}

/* SIGINT came (set by on_interrupt, cleared by mailx_read_line). */
static volatile sig_atomic_t interrupted;

/* on_interrupt - the SIGINT handler: note it; the read it cuts short
 * reports it */
static void
on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* read_tty - the input transport: read(2), but a read cut short by
 * SIGINT fails (ECANCELED) instead of being retried */
static ssize_t
read_tty(void *ctx, void *p, size_t n)
{
	ssize_t		 r = read(*(const int *)ctx, p, n);

	if (r < 0 && errno == EINTR && interrupted)
		errno = ECANCELED;
	return r;
}

/*
 * mailx_catch_interrupts - at a terminal, SIGINT abandons the line being
 * read (the command prompt comes again; see mailx_collect() for what it
 * does to a message being typed) instead of killing mailx
 */
void
mailx_catch_interrupts(struct mailx *mx)
{
	struct io_transport tr = mx->in.tr;
	struct sigaction sa;

	tr.read = read_tty;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: read(2) must return */
	sigaction(SIGINT, &sa, NULL);
	io_set_transport(&mx->in, &tr);
}

/* mailx_typeahead - whether input was read ahead and waits in mx->in */
int
mailx_typeahead(void *ctx)
{
	struct mailx	*mx = ctx;

	return io_buffered(&mx->in) > 0;
}

/*
 * mailx_read_line - the next line of command input (mailx_reader); at a
 * terminal an end of file (^D) ends only this read
 */
int
mailx_read_line(void *ctx, struct buf *line)
{
	struct mailx	*mx = ctx;
	enum io_result	 r;

	for (;;) {
		interrupted = 0;
		r = io_getline(&mx->in, line, MAILX_LINE_MAX);
		if (r == IO_OK) {
			if (line->len > 0 && line->s[line->len - 1] == '\r')
				buf_truncate(line, line->len - 1);
			return 0;
		}
		if (r == IO_TOOLONG) {
			mailx_cmd_complain("mailx: line too long, ignored");
			continue;
		}
		if (r == IO_ERR && interrupted) {
			interrupted = 0;
			mx->in.err = 0;
			buf_reset(line);
			return MAILX_READ_INTR;
		}
		if (r == IO_EOF && mx->interactive)
			mx->in.eof = 0;
		return MAILX_READ_EOF;
	}
}

/* first_shown - the first message mailx makes current: the first new
 * one, else the first unread one, else the first */
static size_t
first_shown(struct mailbox *mb)
{
	size_t		 unread = mb->n;

	for (size_t i = 0; i < mb->n; i++) {
		uint32_t	 f = mailbox_status(mb, i);

		if (f & MAILBOX_F_NEW)
			return i;
		if ((f & MAILBOX_F_UNREAD) && unread == mb->n)
			unread = i;
	}
	return unread < mb->n ? unread : 0;
}

/* is_maildir - whether path is a Maildir (it has a new/ and a cur/) */
static int
is_maildir(const char *path)
{
	struct buf	 sub = BUF_INIT;
	struct stat	 st;
	int		 yes;

	buf_printf(&sub, "%s/new", path);
	yes = stat(sub.s, &st) == 0 && S_ISDIR(st.st_mode);
	buf_reset(&sub);
	buf_printf(&sub, "%s/cur", path);
	yes = yes && stat(sub.s, &st) == 0 && S_ISDIR(st.st_mode);
	buf_free(&sub);
	return yes;
}

/*
 * mailx_open - open a folder (quiet: no "N messages" line); 0, or -1
 * having complained.  A missing system mailbox is an empty one.
 */
int
mailx_open(struct mailx *mx, const char *path, int quiet)
{
	struct mailbox	 mb;

	if (mailbox_open(&mb, path) < 0) {
		if (errno != ENOENT || strcmp(path, mx->spool.s ?
		    mx->spool.s : "") != 0) {
			fprintf(stderr, "mailx: %s: %s\n", path,
			    errno != EINVAL ? strerror(errno) :
			    is_maildir(path) ? "a Maildir; mailx reads mbox "
			    "files only" : "not a regular file");
			return -1;
		}
		memset(&mb, 0, sizeof(mb));
	}
	if (mx->is_open)
		mailbox_close(&mx->mb);
	if (mx->path.len > 0)
		buf_set(&mx->prev, mx->path.s, mx->path.len);
	mx->mb = mb;
	mx->is_open = 1;
	buf_sets(&mx->path, path);
	mx->system = mx->spool.len > 0 && strcmp(path, mx->spool.s) == 0;
	mx->dot = first_shown(&mx->mb);
	mx->screen_at = mx->dot / mailx_cmd_screen(mx) *
	    mailx_cmd_screen(mx);
	if (!quiet)
		mailx_banner(mx);
	return 0;
}

/* mailx_banner - the "N messages" line of the open folder */
void
mailx_banner(struct mailx *mx)
{
	size_t		 nnew = 0, nunread = 0;
	struct buf	 out = BUF_INIT;

	for (size_t i = 0; i < mx->mb.n; i++) {
		uint32_t	 f = mailbox_status(&mx->mb, i);

		if (f & MAILBOX_F_NEW)
			nnew++;
		else if (f & MAILBOX_F_UNREAD)
			nunread++;
	}
	buf_printf(&out, "\"%s\": %zu message%s", mx->path.s, mx->mb.n,
	    mx->mb.n == 1 ? "" : "s");
	if (nnew)
		buf_printf(&out, " %zu new", nnew);
	if (nunread)
		buf_printf(&out, " %zu unread", nunread);
	if (mx->readonly)
		buf_adds(&out, " [Read only]");
	buf_addc(&out, '\n');
	mailx_cmd_say(&out);
	buf_free(&out);
}

/* mailx_headers - the summary lines of the screen holding message at */
void
mailx_headers(struct mailx *mx, size_t at)
{
	struct buf	 out = BUF_INIT;
	size_t		 scr = mailx_cmd_screen(mx), shown = 0;
	const char	*who = mailx_table_has(&mx->vars, "showto") ?
			    mailx_cmd_me(mx) : NULL;
	long		 cols = mailx_cmd_columns(mx);

	mx->screen_at = at;
	for (size_t i = at; i < mx->mb.n && shown < scr; i++) {
		if (mx->mb.v[i].flags & MAILBOX_F_DELETED)
			continue;
		mailx_show_summary(&mx->mb, i, i == mx->dot, who, cols, &out);
		shown++;
		if (out.len >= MAILX_COPY_CHUNK) {
			mailx_cmd_say(&out);
			buf_reset(&out);
		}
	}
	if (shown == 0)
		buf_adds(&out, "No more mail.\n");
	mailx_cmd_say(&out);
	buf_free(&out);
}

/* mailx_cmd_select - parse a message list into a fresh selection; NULL after
 * complaining */
unsigned char *
mailx_cmd_select(struct mailx *mx, const char *spec, int deleted, int *count)
{
	unsigned char	*sel = xmalloc(mx->mb.n ? mx->mb.n : 1);
	struct buf	 err = BUF_INIT;

	*count = mailx_list_parse(&mx->mb, spec, mx->dot, deleted, sel, &err);
	if (*count < 0) {
		mailx_cmd_complain(err.s);
		free(sel);
		sel = NULL;
	}
	buf_free(&err);
	return sel;
}

/* mailx_cmd_next_undeleted - the first message from i on (dir 1) or back (-1)
 * that is not deleted; n when none */
size_t
mailx_cmd_next_undeleted(const struct mailbox *mb, size_t i, int dir)
{
	while (i < mb->n) {
		if (!(mb->v[i].flags & MAILBOX_F_DELETED))
			return i;
		if (dir < 0 && i == 0)
			break;
		i += (size_t)dir;
	}
	return mb->n;
}

/* show_table - list a table as "name<TAB>value" lines */
static void
show_table(const struct mailx_table *t, int values)
{
	struct buf	 out = BUF_INIT;

	for (size_t i = 0; i < t->n; i++) {
		if (!values)
			buf_printf(&out, "%s\n", t->v[i].name);
		else if (*t->v[i].value)
			buf_printf(&out, "%s\t%s\n", t->v[i].name,
			    t->v[i].value);
		else
			buf_printf(&out, "%s\n", t->v[i].name);
	}
	mailx_cmd_say(&out);
	buf_free(&out);
}

/* mailx_cmd_word - the next blank-separated word of *p (quotes "..." and
 * '...' group), NUL-terminated in place; NULL at the end */
char *
mailx_cmd_word(char **p)
{
	char	*s = *p, *w, *o;
	char	 q = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return NULL;
	w = o = s;
	while (*s && (q || (*s != ' ' && *s != '\t'))) {
		if (q && *s == q)
			q = 0;
		else if (!q && (*s == '"' || *s == '\''))
			q = *s;
		else
			*o++ = *s;
		s++;
	}
	if (*s)
		s++;
	*o = '\0';
	*p = s;
	return w;
}

/* cmd_set - set [name[=value] | noname ...] */
static int
cmd_set(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	char		*w, *eq;

	(void)c;
	if (*args == '\0') {
		show_table(&mx->vars, 1);
		return 0;
	}
	while ((w = mailx_cmd_word(&args)) != NULL) {
		eq = strchr(w, '=');
		if (eq != NULL)
			*eq++ = '\0';
		if (*w == '\0' || strlen(w) > MAILX_VAR_NAME_MAX) {
			mailx_cmd_complain("mailx: set: bad variable name");
			return 1;
		}
		if (eq == NULL && strncmp(w, "no", 2) == 0 && w[2] != '\0')
			mailx_table_unset(&mx->vars, w + 2);
		else
			mailx_table_set(&mx->vars, w, eq ? eq : "");
	}
	return 0;
}

/* cmd_unset - unset name ... */
static int
cmd_unset(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	char		*w;

	(void)c;
	while ((w = mailx_cmd_word(&args)) != NULL)
		mailx_table_unset(&mx->vars, w);
	return 0;
}

/* cmd_alias - alias [name [address ...]] */
static int
cmd_alias(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	struct buf	 list = BUF_INIT;
	char		*name = mailx_cmd_word(&args), *w;
	const char	*v;

	(void)c;
	if (name == NULL) {
		show_table(&mx->aliases, 1);
		return 0;
	}
	if (*args == '\0') {
		v = mailx_table_get(&mx->aliases, name);
		if (v == NULL) {
			fprintf(stderr, "\"%s\": no such alias\n", name);
			return 1;
		}
		printf("%s\t%s\n", name, v);
		return 0;
	}
	if ((v = mailx_table_get(&mx->aliases, name)) != NULL)
		buf_sets(&list, v);
	while ((w = mailx_cmd_word(&args)) != NULL)
		mailx_add_list(&list, w);
	mailx_table_set(&mx->aliases, name, list.s);
	buf_free(&list);
	return 0;
}

/* cmd_unalias - unalias name ... */
static int
cmd_unalias(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	char		*w;

	(void)c;
	while ((w = mailx_cmd_word(&args)) != NULL)
		mailx_table_unset(&mx->aliases, w);
	return 0;
}

/* cmd_ignore - ignore/discard (arg 0) and retain (arg 1) header names */
static int
cmd_ignore(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	struct mailx_table *t = c->arg ? &mx->retain : &mx->ignore;
	char		*w;

	if (*args == '\0') {
		show_table(t, 0);
		return 0;
	}
	while ((w = mailx_cmd_word(&args)) != NULL)
		mailx_table_set(t, w, "");
	return 0;
}

/* cmd_shell - !command */
static int
cmd_shell(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	(void)mx;
	(void)c;
	mailx_proc_shell(*args ? args : "${SHELL:-/bin/sh}", NULL, NULL, 0);
	if (mx->interactive)
		printf("!\n");
	return 0;
}

/* cmd_pipe - pipe/| [msglist] command: messages into a command */
static int
cmd_pipe(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	struct mailx_filter flt = { &mx->ignore, &mx->retain, 0 };
	struct buf	 out = BUF_INIT;
	unsigned char	*sel;
	char		*cmdline, *list = args;
	int		 n;
	size_t		 i;

	(void)c;
	/* The command is what follows the message list: the first word
	 * that is not one, else the whole line. */
	cmdline = args;
	while (*cmdline) {
		while (*cmdline == ' ')
			cmdline++;
		if (!(isdigit((unsigned char)*cmdline) ||
		    strchr(".$^*:-", *cmdline)) || *cmdline == '\0')
			break;
		cmdline += strcspn(cmdline, " \t");
	}
	if (*cmdline == '\0') {
		mailx_cmd_complain("mailx: pipe: no command");
		return 1;
	}
	if (cmdline > args) {
		cmdline[-1] = '\0';
	} else
		list = "";
	if ((sel = mailx_cmd_select(mx, list, 0, &n)) == NULL)
		return 1;
	for (i = 0; i < mx->mb.n; i++)
		if (sel[i]) {
			mailx_show_message(&mx->mb, i, &flt, -1, &out);
			mx->mb.v[i].flags |= MAILBOX_F_READ |
			    MAILBOX_F_TOUCHED;
			mx->dot = i;
		}
	mailx_proc_shell(cmdline, &out, NULL, 0);
	free(sel);
	buf_free(&out);
	return 0;
}

/* cmd_echo - echo words */
static int
cmd_echo(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	(void)mx;
	(void)c;
	printf("%s\n", args);
	return 0;
}

/* cmd_source - source FILE */
static int
cmd_source(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	char		*w = mailx_cmd_word(&args);

	(void)c;
	if (w == NULL) {
		mailx_cmd_complain("mailx: source: no file");
		return 1;
	}
	return mailx_source(mx, w) < 0;
}

/* cmd_cond - if r|s|t, else, endif (receive mode: "r" is true) */
static int
cmd_cond(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	if (c->arg == 0) {
		while (*args == ' ')
			args++;
		mx->cond_skip = !(*args == 'r' || *args == 't');
	} else if (c->arg == 1)
		mx->cond_skip = !mx->cond_skip;
	else
		mx->cond_skip = 0;
	return 0;
}

static const struct mailx_cmd commands[] = {
	/* Table order resolves abbreviations, as in POSIX mailx. */
	{ "next",	1, mailx_display_next,	1, 1 },
	{ "alias",	1, cmd_alias,	0, 0 },
	{ "print",	1, mailx_display_print,	0, 1 },
	{ "type",	1, mailx_display_print,	0, 1 },
	{ "Type",	1, mailx_display_print,	1, 1 },
	{ "Print",	1, mailx_display_print,	1, 1 },
	{ "visual",	1, mailx_edit_cmd,	1, 1 },
	{ "top",	3, mailx_display_print,	2, 1 },
	{ "touch",	3, mailx_state_flag,	MAILBOX_F_TOUCHED, 1 },
	{ "preserve",	3, mailx_state_flag,	MAILBOX_F_PRESERVE, 1 },
	{ "delete",	1, mailx_state_flag,	MAILBOX_F_DELETED, 1 },
	{ "dp",		2, mailx_state_dp,	0, 1 },
	{ "dt",		2, mailx_state_dp,	0, 1 },
	{ "undelete",	1, mailx_state_flag,	0, 1 },
	{ "unset",	3, cmd_unset,	0, 0 },
	{ "unalias",	3, cmd_unalias,	0, 0 },
	{ "mail",	1, mailx_compose_mail,	0, 0 },
	{ "mbox",	2, mailx_state_flag,	MAILBOX_F_MBOX, 1 },
	{ "Save",	1, mailx_state_save,	4, 1 },
	{ "save",	1, mailx_state_save,	0, 1 },
	{ "set",	2, cmd_set,	0, 0 },
	{ "shell",	2, cmd_shell,	0, 0 },
	{ "size",	2, mailx_display_size,	0, 1 },
	{ "source",	2, cmd_source,	0, 0 },
	{ "copy",	1, mailx_state_save,	1, 1 },
	{ "Copy",	1, mailx_state_save,	5, 1 },
	{ "write",	1, mailx_state_save,	2, 1 },
	{ "from",	1, mailx_display_from,	0, 1 },
	{ "edit",	1, mailx_edit_cmd,	0, 1 },
	{ "file",	2, mailx_state_file,	0, 0 },
	{ "folders",	7, mailx_state_folders,	0, 0 },
	{ "folder",	4, mailx_state_file,	0, 0 },
	{ "followup",	2, mailx_compose_reply,	2, 1 },
	{ "Followup",	1, mailx_compose_reply,	3, 1 },
	{ "headers",	1, mailx_display_headers,	0, 1 },
	{ "help",	3, mailx_display_help,	0, 0 },
	{ "hold",	2, mailx_state_flag,	MAILBOX_F_PRESERVE, 1 },
	{ "reply",	1, mailx_compose_reply,	1, 1 },
	{ "Reply",	1, mailx_compose_reply,	0, 1 },
	{ "respond",	3, mailx_compose_reply,	1, 1 },
	{ "Respond",	3, mailx_compose_reply,	0, 1 },
	{ "retain",	3, cmd_ignore,	1, 0 },
	{ "ignore",	2, cmd_ignore,	0, 0 },
	{ "discard",	3, cmd_ignore,	0, 0 },
	{ "quit",	1, mailx_state_quit,	1, 0 },
	{ "exit",	2, mailx_state_quit,	0, 0 },
	{ "xit",	1, mailx_state_quit,	0, 0 },
	{ "echo",	2, cmd_echo,	0, 0 },
	{ "else",	2, cmd_cond,	1, 0 },
	{ "endif",	2, cmd_cond,	2, 0 },
	{ "if",		2, cmd_cond,	0, 0 },
	{ "list",	1, mailx_display_list,	0, 0 },
	{ "pipe",	2, cmd_pipe,	0, 1 },
	{ "z",		1, mailx_display_z,	0, 1 },
	{ "?",		1, mailx_display_help,	0, 0 },
	{ "!",		1, cmd_shell,	0, 0 },
	{ "|",		1, cmd_pipe,	0, 1 },
	{ "=",		1, mailx_display_dot,	0, 0 },
	{ "+",		1, mailx_display_next,	1, 1 },
	{ "-",		1, mailx_display_next,	-1, 1 },
};

/* mailx_cmd_table - the command table and its length (for "list") */
const struct mailx_cmd *
mailx_cmd_table(size_t *n)
{
	*n = sizeof(commands) / sizeof(commands[0]);
	return commands;
}

/* find_cmd - the command word names (a prefix at least abbrev long) */
static const struct mailx_cmd *
find_cmd(const char *word, size_t len)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct mailx_cmd *c = &commands[i];

		if (len >= c->abbrev && len <= strlen(c->name) &&
		    strncmp(c->name, word, len) == 0)
			return c;
	}
	return NULL;
}

/*
 * mailx_command - run one command line; 0, or 1 when it failed
 * (already said why).  A bare number prints that message; an empty line
 * in interactive mode goes to the next message.
 */
int
mailx_command(struct mailx *mx, const char *line)
{
	const struct mailx_cmd *c;
	char		*copy, *p, *args;
	size_t		 wl;
	int		 r;

	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '#')
		return 0;
	if (*line == '\0') {
		if (!mx->interactive || mx->depth > 0 || mx->cond_skip)
			return 0;
		line = "next";
	}
	copy = xstrdup(line);
	p = copy;
	if (isdigit((unsigned char)*p) || *p == '$' || *p == '^' ||
	    *p == '.') {
		static const struct mailx_cmd show = { "print", 1,
		    mailx_display_print, 0, 1 };

		c = &show;
		args = p;
	} else {
		if (strchr("!|=?+-", *p) != NULL)
			wl = 1;
		else if (p[0] == 'z' && (p[1] == '+' || p[1] == '-'))
			wl = 1;		/* z+ and z- */
		else
			wl = strcspn(p, " \t!|0123456789");
		c = find_cmd(p, wl);
		args = p + wl;
		while (*args == ' ' || *args == '\t')
			args++;
		if (mx->cond_skip && (c == NULL || c->fn != cmd_cond)) {
			free(copy);
			return 0;
		}
		if (c == NULL) {
			fprintf(stderr, "Unknown command: \"%.*s\"\n", (int)wl,
			    p);
			free(copy);
			return 1;
		}
	}
	/* Trailing blanks are no part of any argument. */
	for (size_t n = strlen(args); n > 0 && (args[n - 1] == ' ' ||
	    args[n - 1] == '\t'); n--)
		args[n - 1] = '\0';
	if (c->needbox && (!mx->is_open || mx->mb.n == 0)) {
		mailx_cmd_complain("No applicable messages");
		free(copy);
		return 1;
	}
	r = c->fn(mx, c, args);
	free(copy);
	fflush(stdout);
	return r;
}

/*
 * mailx_source - run the commands of a file (.mailrc, "source"); a
 * missing file is no error for start-up files.  Returns 0 or -1.
 */
int
mailx_source(struct mailx *mx, const char *path)
{
	struct buf	 text = BUF_INIT;
	size_t		 i = 0, end;
	const char	*nl;
	int		 saved_skip = mx->cond_skip;

	if (mx->depth >= MAILX_SOURCE_DEPTH_MAX) {
		mailx_cmd_complain("mailx: source: too deeply nested");
		return -1;
	}
	if (file_read(path, &text, SOURCE_MAX) < 0) {
		if (mx->depth == 0 && errno == ENOENT) {
			buf_free(&text);
			return 0;
		}
		fprintf(stderr, "mailx: %s: %s\n", path, strerror(errno));
		buf_free(&text);
		return -1;
	}
	mx->depth++;
	mx->cond_skip = 0;
	while (i < text.len && !mx->done) {
		nl = memchr(text.s + i, '\n', text.len - i);
		end = nl ? (size_t)(nl - text.s) : text.len;
		text.s[end] = '\0';
		if (memchr(text.s + i, '\0', end - i) == NULL)
			mailx_command(mx, text.s + i);
		i = end + 1;
	}
	mx->depth--;
	mx->cond_skip = saved_skip;
	buf_free(&text);
	return 0;
}

/*
 * mailx_run - the command loop: a prompt when interactive, one command
 * per line, until quit, exit or end of input (which quits, as POSIX
 * says); returns the exit status
 */
int
mailx_run(struct mailx *mx)
{
	struct buf	 line = BUF_INIT;
	const char	*prompt;
	int		 r;

	while (!mx->done) {
		if (mx->interactive) {
			prompt = mailx_table_get(&mx->vars, "prompt");
			fputs(prompt ? prompt : "? ", stdout);
			fflush(stdout);
		}
		r = mailx_read_line(mx, &line);
		if (r == MAILX_READ_INTR) {
			printf("\n");
			continue;
		}
		if (r < 0) {
			if (mailx_state_sync(mx, 0) < 0)
				mx->status = EX_IOERR;
			break;
		}
		if (memchr(line.s, '\0', line.len) != NULL) {
			mailx_cmd_complain("mailx: NUL byte in command "
			    "ignored");
			continue;
		}
		mailx_command(mx, line.s);
	}
	buf_free(&line);
	fflush(stdout);
	return mx->status;
}
