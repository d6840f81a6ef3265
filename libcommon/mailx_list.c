/*
 * mailx_list - message lists.
 */
#include "mailx_list.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mailx_show.h"

/* contains - whether hay contains needle, case-blind (ASCII) */
static int
contains(const char *hay, const char *needle)
{
	size_t		 n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return n == 0;
}

/* number - parse a message number in [1, n]; 0 on error */
static size_t
number(const char *s, size_t len, size_t n)
{
	size_t		 v = 0;

	if (len == 0)
		return 0;
	if (len == 1 && s[0] == '.')
		return SIZE_MAX;	/* the caller's dot */
	if (len == 1 && s[0] == '$')
		return n;
	if (len == 1 && s[0] == '^')
		return 1;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]) || v > n)
			return 0;
		v = v * 10 + (size_t)(s[i] - '0');
	}
	return v >= 1 && v <= n ? v : 0;
}

/* pick - select message i when the deleted rule allows it */
static int
pick(struct mailbox *mb, size_t i, int deleted, unsigned char *sel)
{
	int		 is_del = (mb->v[i].flags & MAILBOX_F_DELETED) != 0;

	if (is_del != (deleted != 0))
		return 0;
	sel[i] = 1;
	return 1;
}

/* mailx_list_parse - see mailx_list.h */
int
mailx_list_parse(struct mailbox *mb, const char *spec, size_t dot,
    int deleted, unsigned char *sel, struct buf *err)
{
	struct buf	 word = BUF_INIT, v = BUF_INIT;
	const char	*p = spec, *dash;
	size_t		 a, b, n = mb->n;
	int		 count = 0, any = 0;

	memset(sel, 0, n);
	buf_reset(err);
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		a = strcspn(p, " \t");
		buf_set(&word, p, a);
		p += a;
		any = 1;
		if (n == 0) {
			buf_sets(err, "No applicable messages");
			goto fail;
		}
		if (strcmp(word.s, "*") == 0) {
			for (size_t i = 0; i < n; i++)
				count += pick(mb, i, deleted, sel);
		} else if (word.s[0] == ':' && word.len == 2) {
			int	 c = tolower((unsigned char)word.s[1]);

			if (!strchr("nuord", c)) {
				buf_printf(err, "Unknown message type: %s",
				    word.s);
				goto fail;
			}
			for (size_t i = 0; i < n; i++) {
				uint32_t f = mailbox_status(mb, i);
				int	 rd = (f & MAILBOX_F_READ) ||
					    !(f & MAILBOX_F_UNREAD);
				int	 ok = (c == 'n' && (f & MAILBOX_F_NEW) &&
					    !(f & MAILBOX_F_READ)) ||
					    (c == 'u' && !rd) ||
					    (c == 'r' && rd) ||
					    (c == 'o' && !(f & MAILBOX_F_NEW)) ||
					    c == 'd';

				if (ok)
					count += pick(mb, i,
					    c == 'd' ? 1 : deleted, sel);
			}
		} else if (word.s[0] == '/') {
			for (size_t i = 0; i < n; i++) {
				mailx_show_subject(mb, i, &v);
				if (contains(v.s, word.s + 1))
					count += pick(mb, i, deleted, sel);
			}
		} else if (isdigit((unsigned char)word.s[0]) ||
		    strchr(".$^", word.s[0])) {
			dash = strchr(word.s + 1, '-');
			a = number(word.s, dash ? (size_t)(dash - word.s) :
			    word.len, n);
			b = dash ? number(dash + 1, strlen(dash + 1), n) : a;
			if (a == SIZE_MAX)
				a = dot + 1;
			if (b == SIZE_MAX)
				b = dot + 1;
			if (a == 0 || b == 0 || a > b) {
				buf_printf(err, "%s: Invalid message number",
				    word.s);
				goto fail;
			}
			for (size_t i = a - 1; i < b; i++) {
				if (a == b && (mb->v[i].flags &
				    MAILBOX_F_DELETED) && !deleted) {
					buf_printf(err, "%zu: Inappropriate "
					    "message", i + 1);
					goto fail;
				}
				count += pick(mb, i, deleted, sel);
			}
		} else {
			for (size_t i = 0; i < n; i++) {
				mailx_show_sender(mb, i, 1, &v);
				if (contains(v.s, word.s))
					count += pick(mb, i, deleted, sel);
			}
		}
	}
	if (!any) {
		if (n == 0 || dot >= n) {
			buf_sets(err, "No applicable messages");
			goto fail;
		}
		count = pick(mb, dot, deleted, sel);
	}
	if (count == 0) {
		buf_sets(err, "No applicable messages");
		goto fail;
	}
	buf_free(&word);
	buf_free(&v);
	return count;
fail:
	buf_free(&word);
	buf_free(&v);
	return -1;
}
