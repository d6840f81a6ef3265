/*
 * mailx_edit - edit and visual: messages changed with an editor.
 */
#include "mailx_edit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailx_proc.h"
#include "mbox.h"

/* raw_text - replace text with message i as the editor gets it */
static void
raw_text(struct mailbox *mb, size_t i, struct buf *text)
{
	size_t		 hlen, blen;
	const char	*h = mailbox_headers(mb, i, &hlen);
	const char	*b;

	buf_set(text, h, hlen);
	buf_addc(text, '\n');
	b = mailbox_body(mb, i, &blen);
	mailbox_unquote(b, blen, text);
}

/* put_back - make an mbox message of the edited text (message i's
 * "From " line first) and put it in place of message i; 0, or -1 */
static int
put_back(struct mailbox *mb, size_t i, const struct buf *text)
{
	struct buf	 msg = BUF_INIT;
	struct mbox_enc	 enc;
	size_t		 flen;
	const char	*f = mailbox_from_line(mb, i, &flen);
	int		 r;

	buf_set(&msg, f, flen);
	buf_addc(&msg, '\n');
	mbox_enc_init(&enc, MBOX_F_QUOTE | MBOX_F_BLANK);
	mbox_enc_push(&enc, text->s ? text->s : "", text->len, &msg);
	mbox_enc_end(&enc, &msg);
	r = mailbox_replace(mb, i, msg.s, msg.len);
	if (r < 0)
		fprintf(stderr, "mailx: message %zu: cannot keep the changes: "
		    "%s\n", i + 1, errno == EINVAL ? "no longer one message" :
		    strerror(errno));
	buf_free(&msg);
	return r;
}

/* mailx_edit_cmd - edit (arg 0: $EDITOR, else ed) and visual (arg 1:
 * $VISUAL, else vi) [msglist] */
int
mailx_edit_cmd(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	struct buf	 text = BUF_INIT;
	const char	*ed = mailx_var_env(&mx->vars, c->arg ? "VISUAL" :
			    "EDITOR");
	unsigned char	*sel;
	int		 n, r = 0, changed;

	if (ed == NULL || *ed == '\0')
		ed = c->arg ? "vi" : "ed";
	if ((sel = mailx_cmd_select(mx, args, 0, &n)) == NULL)
		return 1;
	for (size_t i = 0; i < mx->mb.n; i++) {
		if (!sel[i])
			continue;
		raw_text(&mx->mb, i, &text);
		changed = mailx_proc_edit(ed, &text, MAILX_EDIT_MAX);
		if (changed < 0 || (changed && put_back(&mx->mb, i,
		    &text) < 0)) {
			r = 1;
			break;
		}
		mx->mb.v[i].flags |= MAILBOX_F_READ | MAILBOX_F_TOUCHED;
		mx->dot = i;
	}
	free(sel);
	buf_free(&text);
	return r;
}
