/*
 * mailx_compose - commands that write mail: mail, reply, Reply,
 * followup, Followup.
 */
#include "mailx_compose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "address.h"
#include "header.h"
#include "mailx_send.h"
#include "mailx_show.h"
#include "mailx_tilde.h"

#define INDENT_DEFAULT	"\t"	/* POSIX indentprefix */

/* indent - append text with prefix before each line that is not empty */
static void
indent(const char *s, size_t n, const char *prefix, struct buf *out)
{
	size_t		 i = 0, end;
	const char	*nl;

	while (i < n) {
		nl = memchr(s + i, '\n', n - i);
		end = nl ? (size_t)(nl - s) + 1 : n;
		if (s[i] != '\n')
			buf_adds(out, prefix);
		buf_add(out, s + i, end - i);
		i = end;
	}
}

/*
 * insert_messages - ~f, ~F, ~m, ~M (how): the messages of list as print
 * shows them, without their "From " lines; all header fields with F and
 * M, indented by "indentprefix" with m and M (mailx_send_env.insert)
 */
static int
insert_messages(void *ctx, const char *list, int how, struct buf *body)
{
	struct mailx	*mx = ctx;
	struct mailx_filter flt = { &mx->ignore, &mx->retain,
	    how == 'F' || how == 'M' };
	const char	*prefix = mailx_table_get(&mx->vars, "indentprefix");
	struct buf	 text = BUF_INIT;
	unsigned char	*sel;
	const char	*nl;
	size_t		 skip;
	int		 n;

	if (!mx->is_open || mx->mb.n == 0) {
		mailx_cmd_complain("No applicable messages");
		return -1;
	}
	if ((sel = mailx_cmd_select(mx, list, 0, &n)) == NULL)
		return -1;
	printf("Interpolating:");
	for (size_t i = 0; i < mx->mb.n; i++) {
		if (!sel[i])
			continue;
		buf_reset(&text);
		mailx_show_message(&mx->mb, i, &flt, -1, &text);
		nl = memchr(text.s, '\n', text.len);
		skip = nl ? (size_t)(nl - text.s) + 1 : text.len;
		if (body->len + 2 * (text.len - skip) > MAILX_BODY_MAX) {
			fprintf(stderr, "\nmailx: message too long\n");
			break;
		}
		if (how == 'm' || how == 'M')
			indent(text.s + skip, text.len - skip, prefix ? prefix :
			    INDENT_DEFAULT, body);
		else
			buf_add(body, text.s + skip, text.len - skip);
		if (body->len > 0 && body->s[body->len - 1] != '\n')
			buf_addc(body, '\n');
		printf(" %zu", i + 1);
	}
	printf("\n");
	free(sel);
	buf_free(&text);
	return 0;
}

/* run_command - ~: and ~_: a mailx command while composing */
static int
run_command(void *ctx, const char *line)
{
	return mailx_command(ctx, line);
}

/* send_draft - collect a body from the command input and send it; with
 * record not NULL, a copy goes to that folder */
static int
send_draft(struct mailx *mx, struct mailx_draft *d, const char *record)
{
	struct mailx_send_env env = {
		.sendmail = mx->sendmail,
		.vars = &mx->vars,
		.aliases = &mx->aliases,
		.read = mailx_read_line,
		.read_ctx = mx,
		.interactive = mx->interactive,
		.escapes = mx->escapes,
		.typeahead = mailx_typeahead,
		.insert = insert_messages,
		.command = run_command,
		.ctx = mx,
		.record = record,
	};
	int		 status;

	if (mx->interactive) {
		printf("To: %s\n", d->to.s ? d->to.s : "");
		if (d->subject.len > 0)
			printf("Subject: %s\n", d->subject.s);
		fflush(stdout);
	}
	if (mailx_collect(&env, d) == MAILX_SEND_ABORT)
		return 0;
	status = mailx_deliver(&env, d);
	return status == EX_OK ? 0 : 1;
}

/* mailx_compose_mail - mail ADDRS: compose and send a new message */
int
mailx_compose_mail(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	struct mailx_draft d;
	int		 r;

	(void)c;
	if (*args == '\0') {
		mailx_cmd_complain("mailx: mail: no recipients");
		return 1;
	}
	mailx_draft_init(&d);
	mailx_add_list(&d.to, args);
	r = send_draft(mx, &d, NULL);
	mailx_draft_free(&d);
	return r;
}

/* add_others - for reply-to-all: the To and Cc of message i, without
 * me unless "metoo" */
static void
add_others(struct mailx *mx, size_t i, const char *name, struct buf *list)
{
	struct buf	 v = BUF_INIT;
	struct addr_list l;

	if (!mailbox_header(&mx->mb, i, name, &v)) {
		buf_free(&v);
		return;
	}
	addr_list_init(&l);
	addr_parse_list(v.s, v.len, &l);
	for (size_t k = 0; k < l.n; k++) {
		if (l.v[k].bad || l.v[k].addr == NULL)
			continue;
		if (!mailx_table_has(&mx->vars, "metoo") && mx->user != NULL &&
		    (strcasecmp(l.v[k].addr, mx->user) == 0 ||
		    (strncasecmp(l.v[k].addr, mx->user, strlen(mx->user)) ==
		    0 && l.v[k].addr[strlen(mx->user)] == '@')))
			continue;
		mailx_add_list(list, l.v[k].addr);
	}
	addr_list_free(&l);
	buf_free(&v);
}

/* author_record - replace out with the folder a followup is recorded
 * in: named after the author of message i, in the "folder" directory
 * with "outfolder" */
static void
author_record(struct mailx *mx, size_t i, struct buf *out)
{
	struct buf	 name = BUF_INIT;

	mailx_show_author_file(&mx->mb, i, &name);
	buf_sets(out, mailx_table_has(&mx->vars, "outfolder") &&
	    mailx_table_get(&mx->vars, "folder") != NULL ? "+" : "");
	buf_add(out, name.s, name.len);
	buf_free(&name);
}

/*
 * mailx_compose_reply - reply/respond (arg 1: sender and all recipients)
 * and Reply/Respond (arg 0: the senders of the list only), "flipr"
 * swapping them; followup (arg 2: the sender of one message) and
 * Followup (arg 3: the senders of the list), recorded in a folder named
 * after the author of the first
 */
int
mailx_compose_reply(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	struct mailx_draft d;
	struct buf	 v = BUF_INIT, refs = BUF_INIT, rec = BUF_INIT;
	unsigned char	*sel;
	int		 n, all = c->arg == 1, r;
	size_t		 first = mx->mb.n;

	if (c->arg < 2 && mailx_table_has(&mx->vars, "flipr"))
		all = !all;
	if ((sel = mailx_cmd_select(mx, args, 0, &n)) == NULL)
		return 1;
	mailx_draft_init(&d);
	for (size_t i = 0; i < mx->mb.n; i++) {
		if (!sel[i] || (c->arg == 2 && first < mx->mb.n))
			continue;
		if (first == mx->mb.n)
			first = i;
		if (mailbox_header(&mx->mb, i, "Reply-To", &v) && v.len)
			mailx_add_list(&d.to, v.s);
		else {
			mailx_show_sender(&mx->mb, i, 1, &v);
			mailx_add_list(&d.to, v.s);
		}
		if (all && n == 1) {
			add_others(mx, i, "To", &d.to);
			add_others(mx, i, "Cc", &d.cc);
		}
		mx->mb.v[i].flags |= MAILBOX_F_READ | MAILBOX_F_TOUCHED;
	}
	mx->dot = first;
	mailx_show_subject(&mx->mb, first, &v);
	if (v.len > 0) {
		if (strncasecmp(v.s, "re:", 3) != 0)
			buf_adds(&d.subject, "Re: ");
		buf_adds(&d.subject, v.s);
	}
	if (mailbox_header(&mx->mb, first, "Message-ID", &v) && v.len) {
		hdr_fold(&d.extra, "In-Reply-To", v.s);
		if (mailbox_header(&mx->mb, first, "References", &refs) &&
		    refs.len)
			buf_addc(&refs, ' ');
		buf_adds(&refs, v.s);
		hdr_fold(&d.extra, "References", refs.s);
	}
	if (c->arg >= 2)
		author_record(mx, first, &rec);
	r = send_draft(mx, &d, c->arg >= 2 ? rec.s : NULL);
	mailx_draft_free(&d);
	buf_free(&v);
	buf_free(&refs);
	buf_free(&rec);
	free(sel);
	return r;
}
