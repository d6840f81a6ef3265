/*
 * mailx_state - commands that change what becomes of messages and
 * the folder: flags, save, quit, file.
 */
#include "mailx_state.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "mailx_display.h"
#include "mailx_folder.h"
#include "mailx_proc.h"
#include "mailx_show.h"

/* mailx_state_flag - delete (arg: flag to set), hold/preserve, touch, mbox,
 * undelete (arg 0) */
int
mailx_state_flag(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	unsigned char	*sel;
	int		 n;
	size_t		 last = mx->dot;

	if ((sel = mailx_cmd_select(mx, args, c->arg == 0, &n)) == NULL)
		return 1;
	for (size_t i = 0; i < mx->mb.n; i++) {
		if (!sel[i])
			continue;
		if (c->arg == 0)
			mx->mb.v[i].flags &= ~MAILBOX_F_DELETED;
		else
			mx->mb.v[i].flags |= (uint32_t)c->arg;
		if (c->arg == MAILBOX_F_PRESERVE)
			mx->mb.v[i].flags &= ~MAILBOX_F_MBOX;
		if (c->arg == MAILBOX_F_MBOX)
			mx->mb.v[i].flags &= ~MAILBOX_F_PRESERVE;
		last = i;
	}
	free(sel);
	if (c->arg == MAILBOX_F_DELETED) {
		size_t	 nx = mailx_cmd_next_undeleted(&mx->mb, last, 1);

		if (nx < mx->mb.n)
			mx->dot = nx;
		else if ((nx = mailx_cmd_next_undeleted(&mx->mb, last, -1)) <
		    mx->mb.n)
			mx->dot = nx;
	} else
		mx->dot = last;
	return 0;
}

/* mailx_state_dp - dp/dt: delete, then print the next message */
int
mailx_state_dp(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	static const struct mailx_cmd del = { "delete", 1, mailx_state_flag,
	    MAILBOX_F_DELETED, 1 };
	static const struct mailx_cmd show = { "print", 1,
	    mailx_display_print, 0, 1 };
	size_t		 before;
	char		 num[32];

	(void)c;
	if (mailx_state_flag(mx, &del, args) != 0)
		return 1;
	before = mx->dot;
	if (mx->mb.v[before].flags & MAILBOX_F_DELETED) {
		mailx_cmd_complain("At EOF");
		return 0;
	}
	snprintf(num, sizeof(num), "%zu", before + 1);
	return mailx_display_print(mx, &show, num);
}

/* split_file - split "msglist file" at the last word; the file is
 * required (save's default, the sender's name, is the caller's) */
static char *
split_file(char *args)
{
	size_t		 n = strlen(args);

	while (n > 0 && isspace((unsigned char)args[n - 1]))
		args[--n] = '\0';
	while (n > 0 && !isspace((unsigned char)args[n - 1]))
		n--;
	if (n == 0) {
		/* One word: a file name, unless it is a message number. */
		if (*args != '\0' && !isdigit((unsigned char)*args))
			return args;
		return NULL;
	}
	args[n - 1] = '\0';
	return args + n;
}

/*
 * mailx_state_save - save/copy (arg bit 1: copy, no mark), write (bit 2: body
 * only), Save/Copy (bit 4: file named after the sender)
 */
int
mailx_state_save(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	struct buf	 out = BUF_INIT, path = BUF_INIT, why = BUF_INIT;
	struct buf	 who = BUF_INIT, tmp = BUF_INIT;
	unsigned char	*sel;
	char		*file = NULL, *list = args;
	int		 n, ok = 0, by_author = (c->arg & 4) != 0;
	size_t		 blen, first = mx->mb.n;
	const char	*b;

	if (!by_author) {
		file = split_file(args);
		if (file == args)
			list = "";
		if (file == NULL) {
			file = (c->arg & 2) ? NULL : "&";
			if (file == NULL) {
				mailx_cmd_complain("No file specified");
				return 1;
			}
		}
	}
	if ((sel = mailx_cmd_select(mx, list, 0, &n)) == NULL)
		return 1;
	for (size_t i = 0; i < mx->mb.n; i++) {
		if (!sel[i])
			continue;
		if (first == mx->mb.n)
			first = i;
		if (c->arg & 2) {
			b = mailbox_body(&mx->mb, i, &blen);
			mailbox_unquote(b, blen, &out);
		} else {
			mx->mb.v[i].flags |= MAILBOX_F_READ;
			if (mailx_folder_message(&mx->mb, i, &out) < 0) {
				fprintf(stderr, "mailx: %s: %s\n", mx->path.s,
				    strerror(mx->mb.err));
				free(sel);
				buf_free(&out);
				return 1;
			}
		}
	}
	if (by_author) {
		mailx_show_author_file(&mx->mb, first, &who);
		file = who.s;
	}
	if (file == NULL)
		file = "&";
	if (strcmp(file, "&") == 0) {
		const char	*mbox = getenv("MBOX");

		if (mbox != NULL && *mbox)
			buf_sets(&tmp, mbox);
		else
			buf_printf(&tmp, "%s/mbox", getenv("HOME") ?
			    getenv("HOME") : ".");
		file = tmp.s;
	}
	mailx_folder_path(&mx->vars, file, &path);
	if (mailx_folder_append(path.s, &out, &why) < 0) {
		fprintf(stderr, "mailx: %s\n", why.s);
		ok = 1;
	} else {
		for (size_t i = 0; i < mx->mb.n; i++) {
			if (!sel[i])
				continue;
			mx->mb.v[i].flags |= MAILBOX_F_TOUCHED;
			if (!(c->arg & 1))
				mx->mb.v[i].flags |= MAILBOX_F_SAVED;
			mx->dot = i;
		}
		printf("\"%s\" %zu bytes\n", path.s, out.len);
	}
	free(sel);
	buf_free(&out);
	buf_free(&path);
	buf_free(&why);
	buf_free(&who);
	buf_free(&tmp);
	return ok;
}

/* mailx_state_sync - quit's work on the open folder; 0, or -1 */
int
mailx_state_sync(struct mailx *mx, int quiet)
{
	struct mailx_sync s;
	struct buf	 mbox = BUF_INIT;
	const char	*env = getenv("MBOX");
	int		 r;

	if (!mx->is_open || mx->readonly || mx->path.len == 0)
		return 0;
	if (env != NULL && *env)
		buf_sets(&mbox, env);
	else
		buf_printf(&mbox, "%s/mbox", getenv("HOME") ? getenv("HOME") :
		    ".");
	memset(&s, 0, sizeof(s));
	s.path = mx->path.s;
	s.system = mx->system;
	s.mbox = mbox.s;
	s.hold = mailx_table_has(&mx->vars, "hold");
	s.keepsave = mailx_table_has(&mx->vars, "keepsave");
	if (mx->mb.n == 0) {
		buf_free(&mbox);
		return 0;
	}
	r = mailx_folder_sync(&mx->mb, &s);
	if (r == 0 && !quiet && s.moved > 0)
		printf("Saved %zu message%s in %s\n", s.moved,
		    s.moved == 1 ? "" : "s", mbox.s);
	if (r == 0 && !quiet && mx->system && s.kept > 0)
		printf("Held %zu message%s in %s\n", s.kept,
		    s.kept == 1 ? "" : "s", mx->path.s);
	buf_free(&mbox);
	return r;
}

/* mailx_state_quit - quit (arg 1: write back) and exit/xit (arg 0) */
int
mailx_state_quit(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	(void)args;
	mx->done = 1;
	if (c->arg && mailx_state_sync(mx, 0) < 0)
		mx->status = EX_IOERR;
	return 0;
}

/* folder_name - what "file NAME" means: % the system mailbox, # the
 * previous file, & the mbox, +name in the folder directory */
static void
folder_name(struct mailx *mx, const char *name, struct buf *out)
{
	const char	*env = getenv("MBOX");

	if (strcmp(name, "%") == 0)
		buf_set(out, mx->spool.s, mx->spool.len);
	else if (strcmp(name, "#") == 0)
		buf_set(out, mx->prev.s, mx->prev.len);
	else if (strcmp(name, "&") == 0) {
		if (env != NULL && *env)
			buf_sets(out, env);
		else
			buf_printf(out, "%s/mbox", getenv("HOME") ?
			    getenv("HOME") : ".");
	} else
		mailx_folder_path(&mx->vars, name, out);
}

/* mailx_state_file - file/folder [name]: show the folder, or switch */
int
mailx_state_file(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	struct buf	 path = BUF_INIT;
	char		*w = mailx_cmd_word(&args);
	size_t		 del = 0, nnew = 0;

	(void)c;
	if (w == NULL) {
		for (size_t i = 0; i < mx->mb.n; i++) {
			del += (mx->mb.v[i].flags & MAILBOX_F_DELETED) != 0;
			nnew += (mailbox_status(&mx->mb, i) &
			    MAILBOX_F_NEW) != 0;
		}
		printf("\"%s\": %zu message%s", mx->path.s, mx->mb.n,
		    mx->mb.n == 1 ? "" : "s");
		if (nnew)
			printf(" %zu new", nnew);
		if (del)
			printf(" %zu deleted", del);
		printf("\n");
		return 0;
	}
	if (strcmp(w, "#") == 0 && mx->prev.len == 0) {
		mailx_cmd_complain("No previous file");
		return 1;
	}
	folder_name(mx, w, &path);
	if (mailx_state_sync(mx, 0) < 0) {
		buf_free(&path);
		return 1;
	}
	if (mailx_open(mx, path.s, 0) < 0) {
		buf_free(&path);
		return 1;
	}
	if (mx->mb.n > 0 && mailx_table_has(&mx->vars, "header"))
		mailx_headers(mx, mx->screen_at);
	buf_free(&path);
	return 0;
}

/* mailx_state_folders - list the "folder" directory with $LISTER (its
 * words, the directory last; no shell), else ls */
int
mailx_state_folders(struct mailx *mx, const struct mailx_cmd *c, char *args)
{
	struct buf	 dir = BUF_INIT;
	const char	*lister = mailx_var_env(&mx->vars, "LISTER");

	(void)c;
	(void)args;
	if (mailx_table_get(&mx->vars, "folder") == NULL) {
		mailx_cmd_complain("No value set for \"folder\"");
		return 1;
	}
	mailx_folder_path(&mx->vars, "+", &dir);
	mailx_proc_run(lister != NULL && *lister ? lister : "ls", dir.s);
	buf_free(&dir);
	return 0;
}
