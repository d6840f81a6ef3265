/*
 * submit - preparing a locally submitted message and queueing it.
 */
#include "submit.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include "address.h"
#include "config.h"
#include "exits.h"
#include "io.h"
#include "mem.h"
#include "proc.h"
#include "qspace.h"
#include "queue.h"

#define WARNINGS_MAX	20	/* warning lines kept per message */
#define SHOW_MAX	100	/* bytes of bad input quoted in a warning */
#define READ_CHUNK	65536	/* bytes read from the message at once */
#define ENVID_FD	3	/* queue-inject -e 3 */
#define NULL_SENDER_NAME "MAILER-DAEMON"

/* Engine states. */
enum {
	ST_START,		/* leading mbox "From " lines may come */
	ST_HEAD,		/* in the header section */
	ST_BODY,
	ST_DONE,
	ST_ERROR,
};

/* Headers seen (struct submit.seen). */
#define SEEN_MSGID		0x01
#define SEEN_DATE		0x02
#define SEEN_FROM		0x04
#define SEEN_RESENT_SHIFT	3	/* the same three, Resent- */
#define SEEN_RESENT		0x40	/* any Resent- header */
#define SEEN_RESENT_RCPT	0x80	/* Resent-To, -Cc or -Bcc */

/* Postfix's message_drop_headers default. */
static const char *const drop_headers[] = {
	"Bcc", "Resent-Bcc", "Content-Length", "Return-Path",
};

/* The headers added when missing, in Postfix cleanup(8)'s order. */
static const struct {
	const char	*name;
	int		 bit;
} added_headers[] = {
	{"Message-ID", SEEN_MSGID},
	{"Date", SEEN_DATE},
	{"From", SEEN_FROM},
};

/*
 * Recipient lists.
 */

/* submit_rcpts_init - an empty list */
void
submit_rcpts_init(struct submit_rcpts *l)
{
	memset(l, 0, sizeof(*l));
}

/* submit_rcpts_add - append a copy of addr */
void
submit_rcpts_add(struct submit_rcpts *l, const char *addr)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = xstrdup(addr);
}

/* An address and where it stood, for sorting. */
struct ranked {
	const char	*addr;
	size_t		 pos;
};

/* cmp_ranked - by address, then by position */
static int
cmp_ranked(const void *a, const void *b)
{
	const struct ranked	*x = a, *y = b;
	int			 c = strcmp(x->addr, y->addr);

	if (c != 0)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * submit_rcpts_uniq - drop repeated addresses, keeping the first of each
 * and the order (Postfix cleanup(8) eliminates duplicate recipients).
 */
void
submit_rcpts_uniq(struct submit_rcpts *l)
{
	struct ranked	*r;
	char		*keep;
	size_t		 n = 0;

	if (l->n < 2)
		return;
	r = xreallocarray(NULL, l->n, sizeof(*r));
	keep = xcalloc(l->n, 1);
	for (size_t i = 0; i < l->n; i++) {
		r[i].addr = l->v[i];
		r[i].pos = i;
	}
	qsort(r, l->n, sizeof(*r), cmp_ranked);
	for (size_t i = 0; i < l->n; i++)
		keep[r[i].pos] = i == 0 ||
		    strcmp(r[i].addr, r[i - 1].addr) != 0;
	for (size_t i = 0; i < l->n; i++) {
		if (keep[i])
			l->v[n++] = l->v[i];
		else
			free(l->v[i]);
	}
	l->n = n;
	free(r);
	free(keep);
}

/* submit_rcpts_free - release a list and its strings */
void
submit_rcpts_free(struct submit_rcpts *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	submit_rcpts_init(l);
}

/* rcpts_move - hand the contents of from to to (which must be empty) */
static void
rcpts_move(struct submit_rcpts *to, struct submit_rcpts *from)
{
	*to = *from;
	submit_rcpts_init(from);
}

/*
 * The engine.
 */

/* fail - stop with a sysexits status and a reason */
static enum submit_result
fail(struct submit *s, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum submit_result
fail(struct submit *s, int status, const char *fmt, ...)
{
	va_list	 ap;

	buf_reset(&s->reason);
	va_start(ap, fmt);
	buf_vprintf(&s->reason, fmt, ap);
	va_end(ap);
	s->status = status;
	s->state = ST_ERROR;
	return SUBMIT_ERROR;
}

/* show - append text for a warning, unprintable bytes as '?', cut short */
static void
show(struct buf *b, const char *s, size_t len)
{
	size_t	 n = len > SHOW_MAX ? SHOW_MAX : len;

	for (size_t i = 0; i < n; i++) {
		unsigned char	 c = (unsigned char)s[i];

		buf_addc(b, c < 0x20 || c == 0x7f ? '?' : c);
	}
	if (n < len)
		buf_adds(b, "...");
}

/* warn_addr - note a recipient that could not be used */
static void
warn_addr(struct submit *s, const struct hdr_field *f, const char *why,
    const char *text)
{
	size_t	 lines = s->nwarnings++;

	if (lines > WARNINGS_MAX)
		return;
	if (lines == WARNINGS_MAX) {
		buf_adds(&s->warnings, "further address warnings suppressed\n");
		return;
	}
	buf_add(&s->warnings, f->name, f->name_len);
	buf_printf(&s->warnings, " header: %s: ", why);
	show(&s->warnings, text, strlen(text));
	buf_addc(&s->warnings, '\n');
}

/* submit_init - an engine; the three values are added when missing
 * (NULL: never added) */
void
submit_init(struct submit *s, int flags, const char *from, const char *date,
    const char *msgid)
{
	memset(s, 0, sizeof(*s));
	buf_init(&s->reason);
	buf_init(&s->warnings);
	buf_init(&s->line);
	submit_rcpts_init(&s->rcpt);
	submit_rcpts_init(&s->plain);
	submit_rcpts_init(&s->resent);
	hdr_scan_init(&s->scan);
	s->flags = flags;
	s->from = from ? xstrdup(from) : NULL;
	s->date = date ? xstrdup(date) : NULL;
	s->msgid = msgid ? xstrdup(msgid) : NULL;
	s->state = ST_START;
}

/* submit_free - release an engine */
void
submit_free(struct submit *s)
{
	buf_free(&s->reason);
	buf_free(&s->warnings);
	buf_free(&s->line);
	submit_rcpts_free(&s->rcpt);
	submit_rcpts_free(&s->plain);
	submit_rcpts_free(&s->resent);
	hdr_scan_free(&s->scan);
	free(s->from);
	free(s->date);
	free(s->msgid);
	memset(s, 0, sizeof(*s));
}

/* is_lone_dot - a line holding only "." (before its CRLF or LF) */
static int
is_lone_dot(const char *l, size_t len)
{
	if (len > 0 && l[len - 1] == '\n')
		len--;
	if (len > 0 && l[len - 1] == '\r')
		len--;
	return len == 1 && l[0] == '.';
}

/* is_mbox_from - an mbox "From " line, or one quoted with '>'s */
static int
is_mbox_from(const char *l, size_t len)
{
	size_t	 i = 0;

	while (i < len && l[i] == '>')
		i++;
	return len - i >= 5 && memcmp(l + i, "From ", 5) == 0;
}

/* extract - the recipients of one To/Cc/Bcc header into list */
static enum submit_result
extract(struct submit *s, const struct hdr_field *f, struct submit_rcpts *l)
{
	struct addr_list	 al;
	size_t			 nbad = 0;
	enum submit_result	 r = SUBMIT_MORE;

	/* Postfix sendmail -t: a cut header would lose recipients. */
	if (f->flags & HDR_F_TRUNCATED)
		return fail(s, EX_DATAERR, "5.6.0 unable to extract "
		    "recipients: %.*s header longer than %d bytes",
		    (int)f->name_len, f->name, HDR_SIZE_MAX);
	addr_list_init(&al);
	addr_parse_list(f->value, f->value_len, &al);
	for (size_t i = 0; i < al.n && r == SUBMIT_MORE; i++) {
		const struct addr_item	*it = &al.v[i];

		if (it->bad) {
			nbad++;
			warn_addr(s, f, "ignoring bad address",
			    it->raw ? it->raw : "");
		} else if (it->addr == NULL) {
			continue;		/* an empty group */
		} else if (!queue_addr_ok(it->addr)) {
			warn_addr(s, f, "ignoring unusable address", it->addr);
		} else if (!addr_rcpt_ok(it->addr)) {
			warn_addr(s, f, "ignoring address whose local part "
			    "cannot be a mailbox name", it->addr);
		} else if (s->plain.n + s->resent.n >= SUBMIT_RCPT_MAX) {
			r = fail(s, EX_DATAERR, "5.5.3 too many recipients "
			    "(more than %d)", SUBMIT_RCPT_MAX);
		} else
			submit_rcpts_add(l, it->addr);
	}
	/* addr_parse_list() counts a list it had to cut as one more bad. */
	if (r == SUBMIT_MORE && al.nbad > nbad)
		r = fail(s, EX_DATAERR, "5.5.3 too many addresses in %.*s "
		    "header (more than %d)", (int)f->name_len, f->name,
		    ADDR_LIST_ITEMS_MAX);
	addr_list_free(&al);
	return r;
}

/* field - one header: note it, take its recipients, pass it on or drop it */
static enum submit_result
field(struct submit *s, const struct hdr_field *f, struct buf *out)
{
	const char	*name = f->name;
	size_t		 len = f->name_len, plen = 0;
	int		 shift = 0;

	if (len > 7 && strncasecmp(name, "Resent-", 7) == 0) {
		s->seen |= SEEN_RESENT;
		plen = 7;
		shift = SEEN_RESENT_SHIFT;
	}
	for (size_t i = 0; i < sizeof(added_headers) / sizeof(added_headers[0]);
	    i++)
		if (hdr_name_eq(name + plen, len - plen, added_headers[i].name))
			s->seen |= added_headers[i].bit << shift;

	if ((s->flags & SUBMIT_F_EXTRACT) &&
	    (hdr_name_eq(name + plen, len - plen, "To") ||
	    hdr_name_eq(name + plen, len - plen, "Cc") ||
	    hdr_name_eq(name + plen, len - plen, "Bcc"))) {
		if (plen)
			s->seen |= SEEN_RESENT_RCPT;
		if (extract(s, f, plen ? &s->resent : &s->plain) != SUBMIT_MORE)
			return SUBMIT_ERROR;
	}

	for (size_t i = 0; i < sizeof(drop_headers) / sizeof(drop_headers[0]);
	    i++)
		if (hdr_name_eq(name, len, drop_headers[i]))
			return SUBMIT_MORE;
	buf_add(out, f->raw, f->raw_len);
	buf_addc(out, '\n');
	return SUBMIT_MORE;
}

/* add_missing - the headers the message lacks, at the end of its header
 * section: Resent- ones when it is being resent (Postfix cleanup(8)) */
static void
add_missing(struct submit *s, struct buf *out)
{
	int		 resent = (s->seen & SEEN_RESENT) != 0;
	struct buf	 name = BUF_INIT;
	const char	*value[] = {s->msgid, s->date, s->from};

	for (size_t i = 0; i < sizeof(added_headers) / sizeof(added_headers[0]);
	    i++) {
		int	 bit = added_headers[i].bit <<
		    (resent ? SEEN_RESENT_SHIFT : 0);

		if ((s->seen & bit) || value[i] == NULL || *value[i] == '\0')
			continue;
		buf_reset(&name);
		buf_printf(&name, "%s%s", resent ? "Resent-" : "",
		    added_headers[i].name);
		hdr_fold(out, buf_cstr(&name), value[i]);
	}
	buf_free(&name);
}

/*
 * drain - act on the scanner's events after a line (l, len) was pushed
 * or the input ended (at_eof).
 */
static enum submit_result
drain(struct submit *s, const char *l, size_t len, int at_eof,
    struct buf *out)
{
	struct hdr_field	 f;

	for (;;) {
		switch (hdr_scan_next(&s->scan, &f)) {
		case HDR_MORE:
			return SUBMIT_MORE;
		case HDR_FIELD:
			if (field(s, &f, out) != SUBMIT_MORE)
				return SUBMIT_ERROR;
			break;
		case HDR_END:
			add_missing(s, out);
			if (!at_eof)
				buf_addc(out, '\n');
			s->state = ST_BODY;
			return SUBMIT_MORE;
		case HDR_BODY:
			/*
			 * Not a header: the body starts with this line.  An
			 * empty line goes before it (header.h), and the line
			 * is passed whole from our copy, never cut.
			 */
			add_missing(s, out);
			buf_addc(out, '\n');
			buf_add(out, l, len);
			s->state = ST_BODY;
			return SUBMIT_MORE;
		}
	}
}

/* end_message - the message ended (end of input or a lone dot) */
static enum submit_result
end_message(struct submit *s, struct buf *out)
{
	if (s->state == ST_START)
		s->state = ST_HEAD;
	if (s->state == ST_HEAD) {
		hdr_scan_eof(&s->scan);
		if (drain(s, NULL, 0, 1, out) != SUBMIT_MORE)
			return SUBMIT_ERROR;
	}
	/* Postfix sendmail -t: Resent- recipients, when any, replace. */
	submit_rcpts_free(&s->rcpt);
	rcpts_move(&s->rcpt, (s->seen & SEEN_RESENT_RCPT) ? &s->resent :
	    &s->plain);
	s->state = ST_DONE;
	return SUBMIT_END;
}

/*
 * take_line - process the gathered line; complete: it ends in LF (or the
 * input ended), else it is the first piece of an over-long line.
 */
static enum submit_result
take_line(struct submit *s, int complete, struct buf *out)
{
	const char		*l = s->line.s;
	size_t			 len = s->line.len;
	int			 partial = s->partial;
	enum submit_result	 r = SUBMIT_MORE;

	s->partial = !complete;
	if (!partial && complete && (s->flags & SUBMIT_F_DOT) &&
	    is_lone_dot(l, len)) {
		buf_reset(&s->line);
		return end_message(s, out);
	}
	if (s->state == ST_START) {
		if (!partial && is_mbox_from(l, len)) {
			s->skip = !complete;
			buf_reset(&s->line);
			return SUBMIT_MORE;
		}
		s->state = ST_HEAD;
	}
	if (s->state == ST_HEAD) {
		hdr_scan_push(&s->scan, l, len);
		r = drain(s, l, len, 0, out);
		/*
		 * The rest of an over-long header line is dropped: the
		 * scanner keeps HDR_SIZE_MAX bytes of a header, as Postfix's
		 * header_size_limit does.  One that began the body goes on.
		 */
		if (r == SUBMIT_MORE && !complete && s->state == ST_HEAD)
			s->skip = 1;
	} else
		buf_add(out, l, len);
	buf_reset(&s->line);
	return r;
}

/* gather - take bytes up to and including one LF (eol) or without one */
static enum submit_result
gather(struct submit *s, const char *p, size_t len, int eol, struct buf *out)
{
	enum submit_result	 r = SUBMIT_MORE;

	while (len > 0) {
		size_t	 cap, n;

		if (s->skip) {
			s->skip = !eol;
			s->partial = 0;
			return SUBMIT_MORE;
		}
		cap = s->state == ST_BODY ? SUBMIT_BODY_CHUNK :
		    SUBMIT_HEAD_LINE_MAX;
		n = cap - s->line.len;
		if (n > len)
			n = len;
		buf_add(&s->line, p, n);
		p += n;
		len -= n;
		if (len == 0 && eol)
			break;
		if (s->line.len >= cap) {
			r = take_line(s, 0, out);
			if (r != SUBMIT_MORE)
				return r;
		}
	}
	if (eol && s->line.len > 0)
		r = take_line(s, 1, out);
	return r;
}

/* submit_push - take len more bytes of the message */
enum submit_result
submit_push(struct submit *s, const char *p, size_t len, struct buf *out)
{
	while (len > 0) {
		const char		*nl;
		size_t			 n;
		enum submit_result	 r;

		if (s->state == ST_ERROR)
			return SUBMIT_ERROR;
		if (s->state == ST_DONE)
			return SUBMIT_END;
		nl = memchr(p, '\n', len);
		n = nl ? (size_t)(nl - p) + 1 : len;
		r = gather(s, p, n, nl != NULL, out);
		if (r != SUBMIT_MORE)
			return r;
		p += n;
		len -= n;
	}
	return s->state == ST_ERROR ? SUBMIT_ERROR : s->state == ST_DONE ?
	    SUBMIT_END : SUBMIT_MORE;
}

/* submit_finish - the input ended: flush, add what is missing */
enum submit_result
submit_finish(struct submit *s, struct buf *out)
{
	if (s->state == ST_ERROR)
		return SUBMIT_ERROR;
	if (s->state == ST_DONE)
		return SUBMIT_END;
	/* A last line without LF; a lone dot there ends the message too. */
	if (s->line.len > 0 && !s->skip &&
	    take_line(s, 1, out) != SUBMIT_MORE)
		return s->state == ST_DONE ? SUBMIT_END : SUBMIT_ERROR;
	return end_message(s, out);
}

/*
 * Pure helpers for the command line and the envelope.
 */

/* trim - the text without leading and trailing white space */
static const char *
trim(const char *s, size_t *len)
{
	size_t	 n = strlen(s);

	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	*len = n;
	return s;
}

/*
 * submit_parse_sender - a -f or -r argument into out (replaced): "" or
 * "<>" is the null sender; else exactly one address, bare or in <...>,
 * with or without a display name.
 */
int
submit_parse_sender(const char *arg, struct buf *out, struct buf *err)
{
	struct addr_list	 al;
	const char		*s, *addr = NULL;
	size_t			 len, naddr = 0;
	int			 r = -1;

	buf_reset(out);
	s = trim(arg, &len);
	if (len == 0 || (len == 2 && memcmp(s, "<>", 2) == 0))
		return 0;
	addr_list_init(&al);
	addr_parse_list(s, len, &al);
	for (size_t i = 0; i < al.n; i++)
		if (!al.v[i].bad && al.v[i].addr != NULL && naddr++ == 0)
			addr = al.v[i].addr;
	if (al.nbad == 0 && naddr == 1 && queue_addr_ok(addr)) {
		buf_sets(out, addr);
		r = 0;
	} else if (err)
		buf_printf(err, "5.1.7 bad sender address: %s", arg);
	addr_list_free(&al);
	return r;
}

/*
 * submit_parse_rcpt - a command-line recipient argument: as Postfix
 * does, an address list ("a@x, Bee <b@y>"); a bare local part stays
 * bare.  Appends to l; -1 with a reason when any part is bad, -2 when
 * a local part cannot be a mailbox name (addr_rcpt_ok()).
 */
int
submit_parse_rcpt(const char *arg, struct submit_rcpts *l, struct buf *err)
{
	struct addr_list	 al;
	const char		*s;
	size_t			 len, n0 = l->n;
	int			 r = 0, mailbox = 1;

	s = trim(arg, &len);
	addr_list_init(&al);
	addr_parse_list(s, len, &al);
	for (size_t i = 0; i < al.n && r == 0; i++) {
		const struct addr_item	*it = &al.v[i];

		if (it->bad || (it->addr && !queue_addr_ok(it->addr)))
			r = -1;
		else if (it->addr && !addr_rcpt_ok(it->addr)) {
			r = -1;
			mailbox = 0;
		} else if (it->addr)
			submit_rcpts_add(l, it->addr);
	}
	if (al.nbad || l->n == n0)
		r = -1;
	if (r < 0) {
		while (l->n > n0)
			free(l->v[--l->n]);
		if (err && !mailbox)
			buf_printf(err, "5.1.3 bad recipient address: the "
			    "local part cannot be a mailbox name (a '|', '/' "
			    "or control character, or a leading '.' or '-'): "
			    "%s", arg);
		else if (err)
			buf_printf(err, "5.1.3 bad recipient address: %s", arg);
		if (!mailbox)
			r = -2;
	}
	addr_list_free(&al);
	return r;
}

/*
 * submit_parse_notify - sendmail -N: "never", or a comma-separated list
 * of success, failure and delay (RFC 3461 4.1), as QN_* bits.
 */
int
submit_parse_notify(const char *arg, int *mask, struct buf *err)
{
	static const struct {
		const char	*name;
		int		 bit;
	} words[] = {
		{"never", QN_NEVER},
		{"success", QN_SUCCESS},
		{"failure", QN_FAILURE},
		{"delay", QN_DELAY},
	};
	const char	*p = arg;
	int		 m = 0;

	for (;;) {
		const char	*end = strchr(p, ',');
		size_t		 len = end ? (size_t)(end - p) : strlen(p);
		int		 bit = 0;

		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (strlen(words[i].name) == len &&
			    strncasecmp(p, words[i].name, len) == 0)
				bit = words[i].bit;
		if (bit == 0)
			goto bad;
		m |= bit;
		if (end == NULL)
			break;
		p = end + 1;
	}
	if ((m & QN_NEVER) && m != QN_NEVER)
		goto bad;
	*mask = m;
	return 0;
bad:
	if (err)
		buf_printf(err, "5.5.4 bad -N value: %s (want never, or "
		    "success, failure and delay separated by commas)", arg);
	return -1;
}

/* submit_parse_ret - sendmail -R: full or hdrs (RFC 3461 4.3) */
int
submit_parse_ret(const char *arg, const char **ret, struct buf *err)
{
	if (strcasecmp(arg, "full") == 0)
		*ret = "FULL";
	else if (strcasecmp(arg, "hdrs") == 0)
		*ret = "HDRS";
	else {
		if (err)
			buf_printf(err, "5.5.4 bad -R value: %s (want full or "
			    "hdrs)", arg);
		return -1;
	}
	return 0;
}

/* submit_check_envid - sendmail -V: printable US-ASCII, at most 100
 * characters (RFC 3461 4.4) */
int
submit_check_envid(const char *arg, struct buf *err)
{
	size_t	 n = strlen(arg);
	int	 printable = 1;

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)arg[i] < 0x20 ||
		    (unsigned char)arg[i] > 0x7e)
			printable = 0;
	if (n == 0 || n > SUBMIT_ENVID_MAX || !printable) {
		if (err)
			buf_printf(err, "5.5.4 bad -V value: want 1 to %d "
			    "printable ASCII characters", SUBMIT_ENVID_MAX);
		return -1;
	}
	return 0;
}

/*
 * submit_from_value - the value of a generated From: header: the address,
 * after a display name in quotes when there is a name (control
 * characters in it become spaces).
 */
void
submit_from_value(struct buf *out, const char *fullname, const char *addr)
{
	if (fullname == NULL || *fullname == '\0') {
		buf_adds(out, addr);
		return;
	}
	buf_addc(out, '"');
	for (const char *p = fullname; *p; p++) {
		unsigned char	 c = (unsigned char)*p;

		if (c == '"' || c == '\\')
			buf_addc(out, '\\');
		buf_addc(out, c < 0x20 || c == 0x7f ? ' ' : c);
	}
	buf_printf(out, "\" <%s>", addr);
}

/* submit_msgid - "<YYYYMMDDhhmmss.PID.RANDOM@host>", the time in UTC */
void
submit_msgid(struct buf *out, time_t t, long pid, unsigned long long rnd,
    const char *host)
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	buf_printf(out, "<%04d%02d%02d%02d%02d%02d.%ld.%016llX@%s>",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, pid, rnd, host);
}

/*
 * submit_envelope - the records queue-inject -e reads (queue-inject(8)):
 * "F" sender, "R" ret, "E" envid, "T" recipient[TAB TAB notify], each
 * ending in NUL, then an empty record.  -1 with a reason when an
 * address cannot go into a queue file or there are too many.
 */
int
submit_envelope(struct buf *out, const char *sender, const char *ret,
    const char *envid, const struct submit_rcpts *l, int notify,
    struct buf *err)
{
	size_t	 start = out->len;

	if (!queue_addr_ok(sender)) {
		if (err)
			buf_adds(err, "5.1.7 bad sender address");
		return -1;
	}
	if (l->n > SUBMIT_RCPT_MAX) {
		if (err)
			buf_printf(err, "5.5.3 too many recipients (more "
			    "than %d)", SUBMIT_RCPT_MAX);
		return -1;
	}
	buf_printf(out, "F%s%c", sender, 0);
	if (ret && *ret)
		buf_printf(out, "R%s%c", ret, 0);
	if (envid && *envid)
		buf_printf(out, "E%s%c", envid, 0);
	for (size_t i = 0; i < l->n; i++) {
		if (!queue_addr_ok(l->v[i]) || *l->v[i] == '\0' ||
		    !addr_rcpt_ok(l->v[i])) {
			if (err)
				buf_adds(err, "5.1.3 bad recipient address");
			goto bad;
		}
		buf_printf(out, "T%s", l->v[i]);
		if (notify)
			buf_printf(out, "\t\t%d", notify);
		buf_addc(out, '\0');
	}
	buf_addc(out, '\0');
	if (out->len - start > SUBMIT_ENVELOPE_MAX) {
		if (err)
			buf_printf(err, "5.5.3 too many recipients (envelope "
			    "over %d bytes)", SUBMIT_ENVELOPE_MAX);
		goto bad;
	}
	return 0;
bad:
	buf_truncate(out, start);
	return -1;
}

/*
 * The driver: queue-inject as the next stage.
 */

/* who - the envelope sender and the display name for From:, from the
 * options and the invoking user; 0, or a sysexits status and reason */
static int
who(const struct submit_opts *o, struct buf *sender, struct buf *fullname,
    struct buf *reason)
{
	const struct passwd	*pw = getpwuid(getuid());
	const char		*origin = cfg_get("myorigin");
	const char		*name = o->fullname;
	size_t			 at;

	if (o->sender != NULL)
		buf_sets(sender, o->sender);
	else if (pw != NULL)
		buf_printf(sender, "%s@%s", pw->pw_name, origin);
	else {
		buf_printf(reason, "4.3.0 no login name found for user ID "
		    "%lu", (unsigned long)getuid());
		return EX_OSERR;
	}
	/* As Postfix's append_at_myorigin: a bare sender is qualified. */
	if (sender->len > 0 && !addr_split(sender->s, sender->len, &at) &&
	    cfg_get_bool("append_at_myorigin"))
		buf_printf(sender, "@%s", origin);

	/* The name: -F, else $NAME, else the gecos field (Postfix). */
	if (name == NULL)
		name = getenv("NAME");
	if (name != NULL)
		buf_sets(fullname, name);
	else if (pw != NULL && pw->pw_gecos != NULL) {
		/* "Name,office,phone": & stands for the login, capitalised. */
		for (const char *p = pw->pw_gecos; *p && *p != ','; p++) {
			if (*p != '&') {
				buf_addc(fullname, *p);
				continue;
			}
			buf_addc(fullname, pw->pw_name[0] >= 'a' &&
			    pw->pw_name[0] <= 'z' ? pw->pw_name[0] - 'a' + 'A' :
			    pw->pw_name[0]);
			if (pw->pw_name[0])
				buf_adds(fullname, pw->pw_name + 1);
		}
	}
	buf_trim(fullname);
	return 0;
}

/* submit_now - the time for Date and Message-ID: $PIPEMAIL_TIME (seconds
 * since the epoch) when set and valid, so tests can pin it */
static time_t
submit_now(void)
{
	const char	*e = getenv("PIPEMAIL_TIME");
	char		*end;
	long long	 v;

	if (e != NULL && *e != '\0') {
		errno = 0;
		v = strtoll(e, &end, 10);
		if (errno == 0 && *end == '\0' && v >= 0)
			return (time_t)v;
	}
	return time(NULL);
}

/* random64 - bits for a Message-ID */
static unsigned long long
random64(void)
{
	unsigned long long	 r;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = ((unsigned long long)time(NULL) << 20) ^
		    (unsigned long long)getpid() ^ (unsigned long long)clock();
	return r;
}

/* spawn_inject - start queue-inject -e 3, with the message and envelope
 * pipes' write ends in *msg_fd and *env_fd */
static int
spawn_inject(const struct submit_opts *o, struct proc *p, int *msg_fd,
    int *env_fd, struct buf *reason)
{
	struct buf	 path = BUF_INIT;
	int		 msg[2], env[2], saved;
	char		*argv[7];
	size_t		 n = 0;

	/*
	 * The envelope pipe first: its read end then takes the lowest free
	 * descriptor, so proc_spawn() never moves it onto the message.
	 */
	if (proc_pipe(env) < 0)
		goto sys;
	if (proc_pipe(msg) < 0) {
		saved = errno;
		close(env[0]);
		close(env[1]);
		errno = saved;
		goto sys;
	}
	proc_bin(&path, "queue-inject");
	argv[n++] = path.s;
	if (o->config_dir) {
		argv[n++] = "-c";
		argv[n++] = (char *)o->config_dir;
	}
	argv[n++] = "-e";
	argv[n++] = "3";
	argv[n] = NULL;
	if (proc_spawn(p, argv, msg[0], env[0], ENVID_FD) < 0) {
		saved = errno;
		close(msg[0]);
		close(msg[1]);
		close(env[0]);
		close(env[1]);
		errno = saved;
		goto sys;
	}
	close(msg[0]);
	close(env[0]);
	*msg_fd = msg[1];
	*env_fd = env[1];
	buf_free(&path);
	return 0;
sys:
	buf_printf(reason, "4.3.0 unable to run queue-inject: %s",
	    strerror(errno));
	buf_free(&path);
	return EX_TEMPFAIL;
}

/* finish_inject - queue-inject's output and end: its status and reason,
 * the queue id in qid on success */
static int
finish_inject(struct proc *p, struct buf *qid, struct buf *reason)
{
	struct buf	 out = BUF_INIT, scratch = BUF_INIT;
	char		 chunk[1024];
	int		 ws, status;

	for (;;) {
		struct pollfd	 pfd = {p->out_fd, POLLIN, 0};
		ssize_t		 n;

		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			break;
		n = read(p->out_fd, chunk, sizeof(chunk));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		if (out.len < PROC_OUTPUT_MAX)
			buf_add(&out, chunk, (size_t)n);
	}
	close(p->out_fd);
	while (waitpid(p->pid, &ws, 0) < 0)
		if (errno != EINTR) {
			ws = EX_TEMPFAIL << 8;
			break;
		}
	status = proc_reason(&out, ws, reason ? reason : &scratch);
	if (status == EX_OK && qid != NULL) {
		/* The id is queue-inject's last line; warnings come first. */
		buf_sets(qid, buf_cstr(reason ? reason : &scratch));
		buf_trim(qid);
	}
	buf_free(&out);
	buf_free(&scratch);
	return status;
}

/* put - write prepared bytes to queue-inject, emptying b */
static int
put(int fd, struct buf *b)
{
	int	 r = b->len ? fd_write_all(fd, b->s, b->len) : 0;

	buf_reset(b);
	return r;
}

/* print_warnings - the engine's warnings, one stderr line each */
static void
print_warnings(struct buf *w)
{
	const char	*p = buf_cstr(w), *nl;

	while ((nl = strchr(p, '\n')) != NULL) {
		warnx_stderr("%.*s", (int)(nl - p), p);
		p = nl + 1;
	}
	buf_reset(w);
}

/*
 * submit_send - queue the message read from o->in_fd.  Needs main.cf
 * loaded (cfg_load).  Returns 0 with the queue id in qid, or a sysexits
 * status with a reason "X.Y.Z text": queue-inject's own, or ours when we
 * gave up first (then queue-inject saw no envelope and queued nothing).
 */
int
submit_send(const struct submit_opts *o, struct buf *qid, struct buf *reason)
{
	struct buf		 sender = BUF_INIT, from = BUF_INIT;
	struct buf		 name = BUF_INIT, date = BUF_INIT;
	struct buf		 msgid = BUF_INIT, out = BUF_INIT;
	struct submit_rcpts	 all;
	struct submit		 s;
	struct proc		 p;
	struct sigaction	 ign, old;
	char			*chunk = xmalloc(READ_CHUNK);
	int			 msg_fd = -1, env_fd = -1, status;
	enum submit_result	 r = SUBMIT_MORE;
	time_t			 now = submit_now();

	buf_reset(reason);
	submit_rcpts_init(&all);
	memset(&s, 0, sizeof(s));

	/* Sanity checks. */
	status = who(o, &sender, &name, reason);
	if (status != 0)
		goto out;
	if (!(o->flags & SUBMIT_F_EXTRACT) && (o->rcpt == NULL ||
	    o->rcpt->n == 0)) {
		buf_adds(reason, "5.5.1 Recipient addresses must be specified "
		    "on the command line or via the -t option");
		status = EX_USAGE;
		goto out;
	}

	/* No room in the queue (qspace.h): say so before reading. */
	{
		char	*qdir = cfg_path(cfg_get("queue_directory"));

		if (qspace_check(qdir, 0, reason) == 1)
			status = EX_TEMPFAIL;
		free(qdir);
		if (status != 0)
			goto out;
	}

	/* The headers that may be added; From: names the sender, and
	 * MAILER-DAEMON for <> (Postfix cleanup(8)). */
	if (sender.len > 0)
		submit_from_value(&from, buf_cstr(&name), buf_cstr(&sender));
	else {
		struct buf	 a = BUF_INIT;

		buf_printf(&a, "%s@%s", NULL_SENDER_NAME, cfg_get("myorigin"));
		submit_from_value(&from, NULL, buf_cstr(&a));
		buf_free(&a);
	}
	if (hdr_date(&date, now, hdr_tz_offset(now)) < 0)
		hdr_date(&date, now, 0);
	submit_msgid(&msgid, now, (long)getpid(), random64(),
	    cfg_get("myhostname"));
	submit_init(&s, o->flags, buf_cstr(&from), buf_cstr(&date),
	    buf_cstr(&msgid));

	/* A write to a queue-inject that gave up must not kill us. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);

	status = spawn_inject(o, &p, &msg_fd, &env_fd, reason);
	if (status != 0)
		goto restore;

	/* The message, streamed as it is read. */
	while (r == SUBMIT_MORE) {
		ssize_t	 n = read(o->in_fd, chunk, READ_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf_printf(reason, "4.3.0 error reading message: %s",
			    strerror(errno));
			status = EX_TEMPFAIL;
			goto abort;
		}
		r = n == 0 ? submit_finish(&s, &out) :
		    submit_push(&s, chunk, (size_t)n, &out);
		if (n > 0 && r == SUBMIT_END)
			r = submit_finish(&s, &out);
		print_warnings(&s.warnings);
		if (r == SUBMIT_ERROR) {
			buf_set(reason, s.reason.s, s.reason.len);
			status = s.status;
			goto abort;
		}
		if (put(msg_fd, &out) < 0)
			goto early;
		if (n == 0)
			break;
	}
	close(msg_fd);
	msg_fd = -1;

	/* The envelope, only now: the message is complete. */
	for (size_t i = 0; o->rcpt && i < o->rcpt->n; i++)
		submit_rcpts_add(&all, o->rcpt->v[i]);
	for (size_t i = 0; i < s.rcpt.n; i++)
		submit_rcpts_add(&all, s.rcpt.v[i]);
	submit_rcpts_uniq(&all);
	if (all.n == 0) {
		buf_adds(reason, "5.5.1 No recipient addresses found in "
		    "message header");
		status = EX_USAGE;
		goto abort;
	}
	if (submit_envelope(&out, buf_cstr(&sender), o->ret, o->envid, &all,
	    o->notify, reason) < 0) {
		status = EX_DATAERR;
		goto abort;
	}
	if (put(env_fd, &out) < 0)
		goto early;
	close(env_fd);
	env_fd = -1;
	status = finish_inject(&p, qid, reason);
	goto restore;

early:
	/* queue-inject stopped reading: its own reason says why. */
	if (msg_fd >= 0)
		close(msg_fd);
	close(env_fd);
	status = finish_inject(&p, NULL, reason);
	if (status == EX_OK) {
		buf_reset(reason);
		buf_adds(reason, "4.3.0 queue-inject ended before the "
		    "message did");
		status = EX_TEMPFAIL;
	}
	goto restore;
abort:
	/* No envelope: queue-inject queues nothing.  Wait until it is gone. */
	if (msg_fd >= 0)
		close(msg_fd);
	close(env_fd);
	finish_inject(&p, NULL, NULL);
restore:
	sigaction(SIGPIPE, &old, NULL);
out:
	submit_free(&s);
	submit_rcpts_free(&all);
	buf_free(&sender);
	buf_free(&from);
	buf_free(&name);
	buf_free(&date);
	buf_free(&msgid);
	buf_free(&out);
	free(chunk);
	return status;
}
