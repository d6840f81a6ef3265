/*
 * mailx_show - header summaries and messages formatted for a terminal.
 */
#include "mailx_show.h"

#include <string.h>
#include <strings.h>

#include "address.h"
#include "header.h"
#include "mailx_mime.h"

#define DATE_WIDTH	16	/* "Tue Nov 14 22:13" */

/* decoded - replace out with header text RFC 2047 decoded, made safe,
 * tabs and line breaks turned into spaces */
static void
decoded(const char *s, size_t n, struct buf *out)
{
	struct buf	 d = BUF_INIT;

	buf_sets(out, "");
	hdr_decode_2047(s, n, &d);
	mailx_mime_safe(d.s ? d.s : "", d.len, out);
	for (size_t i = 0; i < out->len; i++)
		if (out->s[i] == '\t' || out->s[i] == '\n')
			out->s[i] = ' ';
	buf_free(&d);
}

/* first_person - replace out with the display name, else the address,
 * of the first item of an address list; 0 when there is none */
static int
first_person(const char *v, size_t n, int want_addr, struct buf *out)
{
	struct addr_list l;
	int		 found = 0;

	addr_list_init(&l);
	addr_parse_list(v, n, &l);
	for (size_t i = 0; i < l.n && !found; i++) {
		if (l.v[i].bad || l.v[i].addr == NULL)
			continue;
		if (!want_addr && l.v[i].name != NULL && *l.v[i].name)
			decoded(l.v[i].name, strlen(l.v[i].name), out);
		else {
			/* An address is no safer than a name: a quoted
			 * local part may hold ESC or C1 controls. */
			buf_sets(out, "");
			mailx_mime_safe(l.v[i].addr, strlen(l.v[i].addr),
			    out);
		}
		found = 1;
	}
	addr_list_free(&l);
	return found;
}

/*
 * mailx_show_sender - replace out with who sent message i: with
 * want_addr the address of From (else the envelope sender), else the
 * display name when there is one
 */
void
mailx_show_sender(struct mailbox *mb, size_t i, int want_addr,
    struct buf *out)
{
	struct buf	 v = BUF_INIT, date = BUF_INIT;

	if (!mailbox_header(mb, i, "From", &v) ||
	    !first_person(v.s, v.len, want_addr, out)) {
		mailbox_envelope(mb, i, &v, &date);
		decoded(v.s, v.len, out);
	}
	buf_free(&v);
	buf_free(&date);
}

/*
 * mailx_show_author_file - replace out with the file name Save, Copy
 * and followup derive from the author of message i: the local part of
 * the sender's address, '/', control characters and a leading '.', '+',
 * '~', '-', '&', '%', '#', '|' or '!' made '_', never ""
 */
void
mailx_show_author_file(struct mailbox *mb, size_t i, struct buf *out)
{
	char		*at;

	mailx_show_sender(mb, i, 1, out);
	if ((at = memchr(out->s, '@', out->len)) != NULL)
		buf_truncate(out, (size_t)(at - out->s));
	/*
	 * The sender wrote this name: it must stay a plain file in the
	 * current (or folder) directory.  A leading '+' or '~' would be a
	 * folder name ("+.forward" is ~/.forward), '.' a hidden file, '-'
	 * an option to whatever reads it, and the folder names &, %, #.
	 */
	for (size_t k = 0; k < out->len; k++) {
		unsigned char	 c = (unsigned char)out->s[k];

		if (c == '/' || c < 0x20 || c == 0x7f || c == '\\' ||
		    (k == 0 && strchr(".+~-&%#|!", c) != NULL))
			out->s[k] = '_';
	}
	if (out->len == 0)
		buf_sets(out, "mbox.saved");
}

/* mailx_show_subject - replace out with the subject of message i */
void
mailx_show_subject(struct mailbox *mb, size_t i, struct buf *out)
{
	struct buf	 v = BUF_INIT;

	mailbox_header(mb, i, "Subject", &v);
	decoded(v.s, v.len, out);
	buf_free(&v);
}

/* utf8_chars - how many characters n bytes of UTF-8 hold */
static size_t
utf8_chars(const char *s, size_t n)
{
	size_t		 c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

/* add_cut - append at most width characters of s (whole UTF-8
 * characters), padded with spaces to width when pad is set */
static void
add_cut(struct buf *out, const char *s, size_t width, int pad)
{
	size_t		 i = 0, c = 0, n = strlen(s);

	while (i < n && c < width) {
		i++;
		while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		c++;
	}
	buf_add(out, s, i);
	while (pad && c++ < width)
		buf_addc(out, ' ');
}

/* state_char - the state column of the summary */
static int
state_char(uint32_t f)
{
	if (f & MAILBOX_F_PRESERVE)
		return 'P';
	if (f & MAILBOX_F_SAVED)
		return '*';
	if (f & MAILBOX_F_MBOX)
		return 'M';
	if (!(f & MAILBOX_F_READ) && (f & MAILBOX_F_NEW))
		return 'N';
	if (!(f & MAILBOX_F_READ) && (f & MAILBOX_F_UNREAD))
		return 'U';
	return ' ';
}

/*
 * mailx_show_summary - append the summary line of message i (LF ended);
 * current marks the current message, me (with showto) is the user's
 * address, columns the width to fit
 */
void
mailx_show_summary(struct mailbox *mb, size_t i, int current,
    const char *me, long columns, struct buf *out)
{
	struct buf	 who = BUF_INIT, subj = BUF_INIT, v = BUF_INIT;
	struct buf	 date = BUF_INIT;
	uint32_t	 f = mailbox_status(mb, i);
	size_t		 start = out->len, used;
	const char	*d;

	if (columns <= 0)
		columns = MAILX_SHOW_COLUMNS;
	mailx_show_sender(mb, i, 0, &who);
	if (me != NULL) {
		mailx_show_sender(mb, i, 1, &v);
		if (strcasecmp(v.s, me) == 0 && mailbox_header(mb, i, "To",
		    &v) && first_person(v.s, v.len, 0, &subj)) {
			buf_sets(&who, "To ");
			buf_adds(&who, subj.s);
		}
	}
	mailx_show_subject(mb, i, &subj);
	mailbox_envelope(mb, i, &v, &date);
	d = date.s;
	buf_printf(out, "%c%c%4zu ", current ? '>' : ' ', state_char(f),
	    i + 1);
	add_cut(out, who.s, MAILX_SHOW_NAME_WIDTH, 1);
	buf_adds(out, "  ");
	mailx_mime_safe(d, strlen(d) < DATE_WIDTH ? strlen(d) : DATE_WIDTH,
	    out);
	for (size_t k = strlen(d); k < DATE_WIDTH; k++)
		buf_addc(out, ' ');
	buf_printf(out, " %4lu/%-5llu ", mailbox_lines(mb, i),
	    mailbox_bytes(mb, i));
	used = utf8_chars(out->s + start, out->len - start);
	if ((size_t)columns > used + 1)
		add_cut(out, subj.s, (size_t)columns - used - 1, 0);
	/* No trailing blanks when there is no subject. */
	while (out->len > start && out->s[out->len - 1] == ' ')
		out->len--;
	buf_addc(out, '\n');
	buf_free(&who);
	buf_free(&subj);
	buf_free(&v);
	buf_free(&date);
}

/* shown - whether a header field called name is displayed */
static int
shown(const struct mailx_filter *flt, const char *name, size_t n)
{
	char		 key[256];

	if (flt == NULL || flt->all)
		return 1;
	if (n >= sizeof(key))
		return flt->retain->n == 0;
	memcpy(key, name, n);
	key[n] = '\0';
	if (flt->retain->n > 0)
		return mailx_table_has(flt->retain, key);
	return !mailx_table_has(flt->ignore, key);
}

/* add_headers - the header fields shown, decoded, one per line */
static void
add_headers(const char *h, size_t n, const struct mailx_filter *flt,
    struct buf *out)
{
	struct buf	 text = BUF_INIT;
	size_t		 i = 0, end, colon;
	const char	*nl;

	while (i < n) {
		/* One field: a line and its continuation lines. */
		end = i;
		do {
			nl = memchr(h + end, '\n', n - end);
			end = nl ? (size_t)(nl - h) + 1 : n;
		} while (end < n && (h[end] == ' ' || h[end] == '\t'));
		for (colon = i; colon < end && h[colon] != ':' &&
		    h[colon] != '\n'; colon++)
			;
		if (colon < end && h[colon] == ':' &&
		    shown(flt, h + i, colon - i)) {
			decoded(h + i, end - i, &text);
			while (text.len > 0 && text.s[text.len - 1] == ' ')
				text.len--;
			buf_add(out, text.s, text.len);
			buf_addc(out, '\n');
		}
		i = end;
	}
	buf_free(&text);
}

/*
 * mailx_show_message - append message i as print/type show it; top >= 0
 * keeps only that many lines of the body
 */
void
mailx_show_message(struct mailbox *mb, size_t i,
    const struct mailx_filter *flt, long top, struct buf *out)
{
	struct buf	 body = BUF_INIT, text = BUF_INIT;
	size_t		 flen, hlen, blen, cut;
	const char	*f = mailbox_from_line(mb, i, &flen);
	const char	*h = mailbox_headers(mb, i, &hlen);
	const char	*b = mailbox_body(mb, i, &blen);

	mailx_mime_safe(f, flen, out);
	buf_addc(out, '\n');
	add_headers(h, hlen, flt, out);
	buf_addc(out, '\n');
	mailbox_unquote(b, blen, &body);
	mailx_mime_render(h, hlen, body.s ? body.s : "", body.len, &text);
	cut = text.len;
	if (top >= 0) {
		const char	*nl;

		cut = 0;
		for (long k = 0; k < top && cut < text.len; k++) {
			nl = memchr(text.s + cut, '\n', text.len - cut);
			cut = nl ? (size_t)(nl - text.s) + 1 : text.len;
		}
	}
	mailx_mime_safe(text.s ? text.s : "", cut, out);
	buf_free(&body);
	buf_free(&text);
}
