/*
 * mailx_display - commands that show messages and summaries.
 */
#include "mailx_display.h"

#include <stdio.h>
#include <stdlib.h>

#include "mailx_folder.h"
#include "mailx_show.h"

#define TOPLINES_DEFAULT	5	/* POSIX toplines */

/* mailx_display_print - print messages; arg bit 1: all headers, bit 2:
 * top only */
int
mailx_display_print(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	struct mailx_filter flt = { &mx->ignore, &mx->retain, c->arg & 1 };
	struct buf	 out = BUF_INIT;
	unsigned char	*sel;
	int		 n;
	long		 top = -1;

	if ((sel = mailx_cmd_select(mx, args, 0, &n)) == NULL)
		return 1;
	if (c->arg & 2)
		top = mailx_var_number(&mx->vars, "toplines",
		    TOPLINES_DEFAULT);
	for (size_t i = 0; i < mx->mb.n; i++) {
		if (!sel[i])
			continue;
		if (!(c->arg & 2) || n > 1)
			buf_printf(&out, "Message %zu:\n", i + 1);
		mailx_show_message(&mx->mb, i, &flt, top, &out);
		mx->mb.v[i].flags |= MAILBOX_F_TOUCHED;
		if (!(c->arg & 2))
			mx->mb.v[i].flags |= MAILBOX_F_READ;
		mx->dot = i;
		if (n > 1)
			buf_addc(&out, '\n');
	}
	mailx_cmd_page(mx, &out);
	buf_free(&out);
	free(sel);
	return 0;
}

/* mailx_display_next - next/+ (arg 1) and - (arg -1): move and print */
int
mailx_display_next(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	static const struct mailx_cmd show = { "print", 1,
	    mailx_display_print, 0, 1 };
	size_t		 i;
	char		 num[32];

	if (*args != '\0' && c->arg > 0) {
		int		 n;
		unsigned char	*sel = mailx_cmd_select(mx, args, 0, &n);

		if (sel == NULL)
			return 1;
		for (i = 0; i < mx->mb.n && !sel[i]; i++)
			;
		free(sel);
	} else if (c->arg > 0) {
		/* The current message, unless it was looked at (shown,
		 * saved, touched) or deleted: then the one after it. */
		i = mx->mb.v[mx->dot].flags & (MAILBOX_F_READ |
		    MAILBOX_F_TOUCHED | MAILBOX_F_DELETED) ?
		    mailx_cmd_next_undeleted(&mx->mb,
		    mx->dot + 1, 1) : mailx_cmd_next_undeleted(&mx->mb,
		    mx->dot, 1);
	} else {
		i = mx->dot == 0 ? mx->mb.n :
		    mailx_cmd_next_undeleted(&mx->mb, mx->dot - 1, -1);
	}
	if (i >= mx->mb.n) {
		mailx_cmd_complain(c->arg > 0 ? "At EOF" :
		    "No previous message");
		return 1;
	}
	snprintf(num, sizeof(num), "%zu", i + 1);
	return mailx_display_print(mx, &show, num);
}

/* mailx_display_headers - headers [msg]: the screen holding msg (or dot) */
int
mailx_display_headers(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	int		 n;
	unsigned char	*sel;
	size_t		 i = mx->dot, scr = mailx_cmd_screen(mx);

	(void)c;
	if (*args) {
		if ((sel = mailx_cmd_select(mx, args, 0, &n)) == NULL)
			return 1;
		for (i = 0; i < mx->mb.n && !sel[i]; i++)
			;
		free(sel);
		mx->dot = i;
	}
	mailx_headers(mx, i / scr * scr);
	return 0;
}

/* mailx_display_z - z, z+ next screen of summaries, z- the one before */
int
mailx_display_z(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	size_t		 scr = mailx_cmd_screen(mx), at = mx->screen_at;

	(void)c;
	if (*args == '-') {
		if (at == 0) {
			mailx_cmd_complain("On first screenful of messages");
			return 1;
		}
		at = at > scr ? at - scr : 0;
	} else {
		if (at + scr >= mx->mb.n) {
			mailx_cmd_complain("On last screenful of messages");
			return 1;
		}
		at += scr;
	}
	mailx_headers(mx, at);
	return 0;
}

/* mailx_display_from - from [msglist]: summary lines of those messages */
int
mailx_display_from(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	struct buf	 out = BUF_INIT;
	unsigned char	*sel;
	int		 n;
	const char	*who = mailx_table_has(&mx->vars, "showto") ?
			    mailx_cmd_me(mx) : NULL;
	long		 cols = mailx_cmd_columns(mx);

	(void)c;
	if ((sel = mailx_cmd_select(mx, args, 0, &n)) == NULL)
		return 1;
	for (size_t i = 0; i < mx->mb.n; i++) {
		if (!sel[i])
			continue;
		mailx_show_summary(&mx->mb, i, i == mx->dot, who, cols, &out);
		if (out.len >= MAILX_COPY_CHUNK) {
			mailx_cmd_say(&out);
			buf_reset(&out);
		}
	}
	mailx_cmd_say(&out);
	buf_free(&out);
	free(sel);
	return 0;
}

/* mailx_display_size - size [msglist]: the size of each message */
int
mailx_display_size(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	unsigned char	*sel;
	int		 n;

	(void)c;
	if ((sel = mailx_cmd_select(mx, args, 0, &n)) == NULL)
		return 1;
	for (size_t i = 0; i < mx->mb.n; i++)
		if (sel[i])
			printf("%zu: %lu/%llu\n", i + 1,
			    mailbox_lines(&mx->mb, i),
			    mailbox_bytes(&mx->mb, i));
	free(sel);
	return 0;
}

/* mailx_display_dot - "=": the current message number */
int
mailx_display_dot(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	(void)c;
	(void)args;
	printf("%zu\n", mx->mb.n ? mx->dot + 1 : 0);
	return 0;
}

/* mailx_display_help - ? and help */
int
mailx_display_help(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	(void)mx;
	(void)c;
	(void)args;
	printf(
	    "Commands (a [msglist] is 1 2-4 . $ ^ * :n :u :r :d /subj user):\n"
	    "t|p [msglist]    type messages     T|P  with all headers\n"
	    "top [msglist]    first lines       n|+  next     -  previous\n"
	    "h [msg]          header summary    z[+-] next/previous screen\n"
	    "f [msglist]      summary lines     size [msglist]  sizes\n"
	    "d [msglist]      delete            u [msglist]  undelete\n"
	    "dp, dt           delete, type next\n"
	    "s [msglist] file save (S: to a file named after the sender)\n"
	    "c [msglist] file copy              w [msglist] file  bodies only\n"
	    "r|R [msglist]    reply (all/sender) m addrs  mail\n"
	    "fo [msg], F [msglist]  reply, kept in a file named after the "
	    "author\n"
	    "e|v [msglist]    edit with $EDITOR, $VISUAL\n"
	    "ho|pre, mb, tou  keep here, move to mbox, mark read\n"
	    "fi|fold [file]   change folder     folders  list folders\n"
	    "set, unset       variables         alias, unalias\n"
	    "ig|discard, ret  header fields     ! cmd, | [msglist] cmd\n"
	    "=                current message   q  quit     x  exit unchanged\n");
	return 0;
}

/* mailx_display_list - list the commands */
int
mailx_display_list(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	struct buf	 out = BUF_INIT;
	size_t		 n;
	const struct mailx_cmd *t = mailx_cmd_table(&n);

	(void)mx;
	(void)c;
	(void)args;
	for (size_t i = 0; i < n; i++)
		buf_printf(&out, "%s%s", t[i].name, i + 1 < n ? " " : "\n");
	mailx_cmd_say(&out);
	buf_free(&out);
	return 0;
}
