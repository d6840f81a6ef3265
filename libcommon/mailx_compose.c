/*
 * mailx_compose - commands that write mail: mail, reply, Reply.
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

/* send_draft - collect a body from the command input and send it */
static int
send_draft(struct mailx *mx, struct mailx_draft *d)
{
	struct mailx_send_env env = {
		mx->sendmail, &mx->vars, &mx->aliases, mailx_read_line, mx,
		mx->interactive,
	};
	int		 status;

	if (mx->interactive) {
		printf("To: %s\nSubject: %s\n", d->to.s ? d->to.s : "",
		    d->subject.s ? d->subject.s : "");
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
	r = send_draft(mx, &d);
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

/*
 * mailx_compose_reply - reply/respond (arg 1: sender and all recipients) and
 * Reply (arg 0: the senders of the list only); "flipr" swaps them
 */
int
mailx_compose_reply(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	struct mailx_draft d;
	struct buf	 v = BUF_INIT, refs = BUF_INIT;
	unsigned char	*sel;
	int		 n, all = c->arg, r;
	size_t		 first = mx->mb.n;

	if (mailx_table_has(&mx->vars, "flipr"))
		all = !all;
	if ((sel = mailx_cmd_select(mx, args, 0, &n)) == NULL)
		return 1;
	mailx_draft_init(&d);
	for (size_t i = 0; i < mx->mb.n; i++) {
		if (!sel[i])
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
	r = send_draft(mx, &d);
	mailx_draft_free(&d);
	buf_free(&v);
	buf_free(&refs);
	free(sel);
	return r;
}
