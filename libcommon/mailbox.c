/*
 * mailbox - an mbox file indexed in one read(2) pass, read on demand.
 */
#include "mailbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "header.h"
#include "mem.h"

#define MAILBOX_FIRST_CAP	64	/* index slots allocated first */
#define FROM_LINE		"From "
#define FROM_LINE_LEN		(sizeof(FROM_LINE) - 1)

_Static_assert(sizeof(struct mailbox_msg) <= MAILBOX_MSG_BYTES_MAX,
    "the index must stay within its per-message budget");
_Static_assert(MAILBOX_CARRY_MAX < MAILBOX_READ_SIZE,
    "a read must always have room for new bytes");

/*
 * The indexer's state.  Invariants: at each line start at least
 * FROM_LINE_LEN bytes (or the rest of the file) are in buf; while the
 * current message's header is open and hdr_kept is set, all of it, from
 * its "From " line on, is in buf too.
 */
struct scan {
	struct mailbox	*mb;
	int		 fd;		/* -1: all the bytes are in buf */
	const char	*buf;		/* bytes base..base+len of the file */
	char		*own;		/* buf, when it is ours to refill */
	size_t		 cap;		/* what own holds at most */
	size_t		 len;
	off_t		 base;
	off_t		 limit;		/* the size of the file at open */
	size_t		 keep_max;	/* bytes carried over a refill */
	int		 eof;		/* nothing more to read */
	int		 err;		/* errno of a failed read */
	int		 in_hdr;	/* the last message's header is open */
	int		 hdr_first;	/* ... and its "From " line is next */
	int		 hdr_kept;	/* ... and all of it is in buf */
	uint32_t	 lines;		/* lines of the last message so far */
};

/* add_msg - append one index slot starting at off */
static void
add_msg(struct mailbox *mb, off_t off)
{
	struct mailbox_msg	*m;

	if (mb->n == mb->cap) {
		mb->cap = mb->cap ? mb->cap * 2 : MAILBOX_FIRST_CAP;
		mb->v = xreallocarray(mb->v, mb->cap, sizeof(*mb->v));
	}
	m = &mb->v[mb->n++];
	memset(m, 0, sizeof(*m));
	m->start = off;
	m->end = off;
}

/*
 * head_span - where the header fields of a message lie in its first
 * body bytes s (the "From " line and the header section): after the
 * "From " line, up to the empty line (which is left out)
 */
static void
head_span(const char *s, size_t body, size_t *from, size_t *end)
{
	const char	*nl = memchr(s, '\n', body);
	size_t		 b = body;

	*from = nl ? (size_t)(nl - s) + 1 : body;
	if (b >= 2 && s[b - 1] == '\n' && s[b - 2] == '\n')
		b--;
	else if (b >= 3 && s[b - 1] == '\n' && s[b - 2] == '\r' &&
	    s[b - 3] == '\n')
		b -= 2;
	*end = b < *from ? *from : b;
}

/*
 * status_from - set MAILBOX_F_NEW and MAILBOX_F_UNREAD in *flags from
 * the first Status header in a message's first body bytes s.  The value
 * is looked at as mailbox_header() would give it, unfolded: up to its
 * first NUL byte, an "O" makes it seen, an "R" read.
 */
static void
status_from(const char *s, size_t body, uint32_t *flags)
{
	size_t		 from, end, off = 0, hlen;
	const char	*h, *colon;

	*flags |= MAILBOX_F_KNOWN | MAILBOX_F_NEW | MAILBOX_F_UNREAD;
	head_span(s, body, &from, &end);
	h = s + from;
	if (!hdr_find(h, end - from, "Status", &off, &hlen))
		return;
	if ((colon = memchr(h + off, ':', hlen)) == NULL)
		return;
	for (const char *p = colon + 1; p < h + off + hlen && *p; p++) {
		if (*p == 'O')
			*flags &= ~MAILBOX_F_NEW;
		else if (*p == 'R')
			*flags &= ~(MAILBOX_F_UNREAD | MAILBOX_F_NEW);
	}
}

/* set_body - close the last message's header section at body */
static void
set_body(struct scan *sc, size_t body)
{
	struct mailbox_msg *m = &sc->mb->v[sc->mb->n - 1];

	m->body = (uint32_t)body;
	m->flags |= MAILBOX_F_HDR;
	sc->in_hdr = 0;
	if (sc->hdr_kept)
		status_from(sc->buf + (m->start - sc->base), body, &m->flags);
}

/*
 * header_line - one line of an open header section, at..le (le past
 * its LF; a last line without one when !lf).  The header section ends
 * at the first empty line within MAILBOX_HEADER_MAX bytes; a message
 * with none there is all header up to its last whole line in that
 * window (and up to its end when all of it is in the window).
 */
static void
header_line(struct scan *sc, off_t at, off_t le, char first, int lf)
{
	const struct mailbox_msg *m = &sc->mb->v[sc->mb->n - 1];
	off_t		 s = at - m->start, e = le - m->start;
	const off_t	 max = MAILBOX_HEADER_MAX;

	if (sc->hdr_first) {
		sc->hdr_first = 0;
		if (lf && e <= max)
			sc->mb->v[sc->mb->n - 1].body = (uint32_t)e;
		else
			set_body(sc, (size_t)(lf || e > max ? max : e));
		return;
	}
	if (e <= max) {
		if (!lf || e - s == 1 || (e - s == 2 && first == '\r'))
			set_body(sc, (size_t)e);
		return;
	}
	set_body(sc, (size_t)s);
}

/* end_msg - the last message ends at end */
static void
end_msg(struct scan *sc, off_t end)
{
	struct mailbox_msg *m = &sc->mb->v[sc->mb->n - 1];

	m->end = end;
	m->lines = sc->lines;
	m->flags |= MAILBOX_F_LINES;
	/* A header section with no empty line: the whole message. */
	if (sc->in_hdr)
		set_body(sc, (size_t)(end - m->start));
}

/* begin_msg - a "From " line at at starts a message */
static void
begin_msg(struct scan *sc, off_t at)
{
	if (sc->mb->n > 0)
		end_msg(sc, at);
	add_msg(sc->mb, at);
	sc->lines = 0;
	sc->in_hdr = 1;
	sc->hdr_first = 1;
	sc->hdr_kept = 1;
}

/*
 * refill - read on, keeping the bytes from keep on (the line being
 * looked at) when they fit in keep_max, and the open header section
 * when it fits; what does not fit was looked at already (a line start)
 * or is looked at later (a Status header, by mailbox_status())
 */
static void
refill(struct scan *sc, off_t keep)
{
	off_t		 top = sc->base + (off_t)sc->len;
	const struct mailbox_msg *m = sc->mb->n ? &sc->mb->v[sc->mb->n - 1] :
			    NULL;
	size_t		 want;
	ssize_t		 r;

	if (sc->in_hdr && sc->hdr_kept) {
		if (top - m->start <= (off_t)sc->keep_max)
			keep = m->start;
		else
			sc->hdr_kept = 0;
	}
	if (top - keep > (off_t)sc->keep_max)
		keep = top;
	memmove(sc->own, sc->own + (keep - sc->base), (size_t)(top - keep));
	sc->len = (size_t)(top - keep);
	sc->base = keep;
	while (!sc->eof) {
		want = sc->cap - sc->len;
		if (sc->limit - top < (off_t)want)
			want = (size_t)(sc->limit - top);
		if (want == 0) {
			sc->eof = 1;
			break;
		}
		r = read(sc->fd, sc->own + sc->len, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			/* An error, or the file was cut meanwhile. */
			if (r < 0)
				sc->err = errno;
			sc->limit = top;
			sc->eof = 1;
			break;
		}
		sc->len += (size_t)r;
		if (sc->base + (off_t)sc->len == sc->limit)
			sc->eof = 1;
		break;
	}
}

/*
 * body_lines - the fast path: count the body lines in buf from at on,
 * up to a "From " line or the last line start in buf that has
 * FROM_LINE_LEN bytes after it; returns where it stopped (a line start)
 */
static off_t
body_lines(struct scan *sc, off_t at)
{
	const char	*p = sc->buf + (at - sc->base);
	const char	*end = sc->buf + sc->len, *nl;
	uint32_t	 lines = sc->lines;

	while (end - p > (ptrdiff_t)FROM_LINE_LEN) {
		if (p[0] == 'F' && memcmp(p, FROM_LINE, FROM_LINE_LEN) == 0)
			break;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		if (lines < UINT32_MAX)
			lines++;
		p = nl + 1;
	}
	sc->lines = lines;
	return sc->base + (off_t)(p - sc->buf);
}

/*
 * scan_run - index the file: every line starting "From " begins a
 * message.  One memchr(3) from line to line: on mail, with a line end
 * every 60 bytes or so, that is ten times faster than glibc's memmem(3)
 * looking for "\nFrom ", and it counts the lines on the way.  Returns
 * the bytes indexed.
 */
static off_t
scan_run(struct scan *sc)
{
	off_t		 at = 0, top, q, le;
	const char	*p, *nl;
	char		 first;

	for (;;) {
		if (!sc->in_hdr)
			at = body_lines(sc, at);
		while ((top = sc->base + (off_t)sc->len) - at <
		    (off_t)FROM_LINE_LEN && !sc->eof)
			refill(sc, at);
		if (at >= top)
			break;
		p = sc->buf + (at - sc->base);
		if (top - at >= (off_t)FROM_LINE_LEN && p[0] == 'F' &&
		    memcmp(p, FROM_LINE, FROM_LINE_LEN) == 0)
			begin_msg(sc, at);
		first = p[0];
		for (q = at;;) {
			nl = memchr(sc->buf + (q - sc->base), '\n',
			    (size_t)(top - q));
			if (nl != NULL || sc->eof)
				break;
			q = top;
			refill(sc, at);
			top = sc->base + (off_t)sc->len;
		}
		if (nl == NULL) {
			/* A last line without LF: not counted. */
			if (sc->in_hdr)
				header_line(sc, at, top, first, 0);
			at = top;
			break;
		}
		le = sc->base + (off_t)(nl - sc->buf) + 1;
		if (sc->lines < UINT32_MAX)
			sc->lines++;
		if (sc->in_hdr)
			header_line(sc, at, le, first, 1);
		at = le;
	}
	if (sc->mb->n > 0)
		end_msg(sc, at);
	return at;
}

/* reset - forget the index and what was read, keeping the memory */
static void
reset(struct mailbox *mb)
{
	mb->n = 0;
	mb->norig = 0;
	mb->wlen = 0;
	mb->loaded = 0;
	mb->err = 0;
}

/*
 * mailbox_index - index len bytes at p (which must outlive mb)
 */
void
mailbox_index(struct mailbox *mb, const char *p, size_t len)
{
	struct scan	 sc;

	reset(mb);
	mb->mem = p;
	memset(&sc, 0, sizeof(sc));
	sc.mb = mb;
	sc.fd = -1;
	sc.buf = p;
	sc.len = len;
	sc.limit = (off_t)len;
	sc.eof = 1;
	mb->size = (size_t)scan_run(&sc);
	mb->prefix = mb->n > 0 ? (size_t)mb->v[0].start : mb->size;
}

/*
 * mailbox_open_size - open and index path, reading it size bytes at a
 * time (MAILBOX_READ_MIN at least)
 */
int
mailbox_open_size(struct mailbox *mb, const char *path, size_t size)
{
	struct stat	 st;
	struct scan	 sc;
	int		 fd, saved;

	memset(mb, 0, sizeof(*mb));
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if ((unsigned long long)st.st_size > SIZE_MAX) {
		errno = EFBIG;
		goto fail;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (size < MAILBOX_READ_MIN)
		size = MAILBOX_READ_MIN;
	memset(&sc, 0, sizeof(sc));
	sc.mb = mb;
	sc.fd = fd;
	sc.cap = size;
	sc.own = xmalloc(size);
	sc.buf = sc.own;
	sc.limit = st.st_size;
	sc.eof = st.st_size == 0;
	/* Room for a line start and a new byte, whatever the size. */
	sc.keep_max = size / 4 > FROM_LINE_LEN ? size / 4 : FROM_LINE_LEN;
	mb->size = (size_t)scan_run(&sc);
	mb->prefix = mb->n > 0 ? (size_t)mb->v[0].start : mb->size;
	free(sc.own);
	if (sc.err != 0) {
		mailbox_close(mb);
		errno = sc.err;
		goto fail;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_NORMAL);
	mb->fd = fd;
	mb->has_fd = 1;
	mb->dev = st.st_dev;
	mb->ino = st.st_ino;
	return 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* mailbox_open - open and index path */
int
mailbox_open(struct mailbox *mb, const char *path)
{
	return mailbox_open_size(mb, path, MAILBOX_READ_SIZE);
}

/* mailbox_close - close the file and free the index and buffers */
void
mailbox_close(struct mailbox *mb)
{
	if (mb->has_fd)
		close(mb->fd);
	if (mb->has_xfd)
		close(mb->xfd);
	free(mb->v);
	free(mb->orig);
	free(mb->win);
	buf_free(&mb->msg);
	memset(mb, 0, sizeof(*mb));
}

/*
 * fill - read n bytes at off into dst, from the mailbox or, with
 * edited, from the edit file; on a failed or short read the rest is NUL
 * bytes, mb->err is set and -1 returned
 */
static int
fill(struct mailbox *mb, int edited, off_t off, char *dst, size_t n)
{
	size_t		 done = 0;
	ssize_t		 r;
	int		 fd = edited ? mb->xfd : mb->fd;

	if (mb->mem != NULL && !edited) {
		memcpy(dst, mb->mem + off, n);
		return 0;
	}
	while (done < n) {
		r = pread(fd, dst + done, n - done, off + (off_t)done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			mb->err = r < 0 ? errno : EIO;
			memset(dst + done, 0, n - done);
			return -1;
		}
		done += (size_t)r;
	}
	return 0;
}

/* msg_len - the size of message i */
static size_t
msg_len(const struct mailbox *mb, size_t i)
{
	return (size_t)(mb->v[i].end - mb->v[i].start);
}

static const char *whole(struct mailbox *, size_t);

/*
 * head - the first bytes of message i, its header section included
 * (v[i].body bytes): from memory, the message loaded whole, or the
 * header window, read anew (MAILBOX_WINDOW bytes at least, so that the
 * next messages are in it too) when it does not hold them
 */
static const char *
head(struct mailbox *mb, size_t i)
{
	const struct mailbox_msg *m = &mb->v[i];
	size_t		 want = m->body, n;

	if (m->flags & MAILBOX_F_EDITED)
		return whole(mb, i);
	if (mb->mem != NULL)
		return mb->mem + m->start;
	if (mb->loaded == i + 1)
		return mb->msg.s;
	if (mb->wlen > 0 && m->start >= mb->woff &&
	    m->start + (off_t)want <= mb->woff + (off_t)mb->wlen)
		return mb->win + (m->start - mb->woff);
	n = want > MAILBOX_WINDOW ? want : MAILBOX_WINDOW;
	if ((off_t)n > (off_t)mb->size - m->start)
		n = mb->size - (size_t)m->start;
	if (n > mb->wcap) {
		free(mb->win);
		mb->win = xmalloc(n);
		mb->wcap = n;
	}
	mb->woff = m->start;
	mb->wlen = n;
	(void)fill(mb, 0, m->start, mb->win, n);
	return mb->win;
}

/*
 * whole - message i, all of it, in its own buffer (which is freed
 * first when a far larger message had it)
 */
static const char *
whole(struct mailbox *mb, size_t i)
{
	size_t		 n = msg_len(mb, i);
	int		 edited = (mb->v[i].flags & MAILBOX_F_EDITED) != 0;

	if (mb->mem != NULL && !edited)
		return mb->mem + mb->v[i].start;
	if (mb->loaded == i + 1)
		return mb->msg.s;
	if (mb->msg.cap > MAILBOX_WINDOW && mb->msg.cap / 4 > n)
		buf_free(&mb->msg);
	buf_reset(&mb->msg);
	buf_reserve(&mb->msg, n);
	(void)fill(mb, edited, mb->v[i].start, mb->msg.s, n);
	mb->msg.len = n;
	mb->msg.s[n] = '\0';
	mb->loaded = i + 1;
	return mb->msg.s;
}

/*
 * mailbox_read - copy up to n bytes of message i from its byte off on
 * into dst; the bytes copied (0 at its end), or -1 when the read failed
 */
ssize_t
mailbox_read(struct mailbox *mb, size_t i, size_t off, char *dst, size_t n)
{
	size_t		 all = msg_len(mb, i);

	if (off >= all)
		return 0;
	if (n > all - off)
		n = all - off;
	if (n > SSIZE_MAX)
		n = SSIZE_MAX;
	if (mb->loaded == i + 1) {
		memcpy(dst, mb->msg.s + off, n);
		return (ssize_t)n;
	}
	if (fill(mb, (mb->v[i].flags & MAILBOX_F_EDITED) != 0,
	    mb->v[i].start + (off_t)off, dst, n) < 0)
		return -1;
	return (ssize_t)n;
}

/* mailbox_prefix - bytes before the first message (no mbox: all) */
size_t
mailbox_prefix(const struct mailbox *mb)
{
	return mb->prefix;
}

/* mailbox_file_start - where message i (or, i == n, the end of the
 * last) lies in the mailbox file */
off_t
mailbox_file_start(const struct mailbox *mb, size_t i)
{
	if (i >= mb->n)
		return (off_t)mb->size;
	if (!(mb->v[i].flags & MAILBOX_F_EDITED))
		return mb->v[i].start;
	for (size_t k = 0; k < mb->norig; k++)
		if (mb->orig[k].i == i)
			return mb->orig[k].start;
	return (off_t)mb->size;		/* not reached */
}

/* edit_file - the edit file, made on first use; 0, or -1 with errno */
static int
edit_file(struct mailbox *mb)
{
	const char	*dir = getenv("TMPDIR");
	char		 path[PATH_MAX];
	int		 fd, n;

	if (mb->has_xfd)
		return 0;
	n = snprintf(path, sizeof(path), "%s/mailx-edits.XXXXXX",
	    dir != NULL && *dir ? dir : "/tmp");
	if (n < 0 || (size_t)n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkstemp(path)) < 0)
		return -1;
	unlink(path);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	mb->xfd = fd;
	mb->has_xfd = 1;
	mb->xsize = 0;
	return 0;
}

/* mailbox_replace - new contents for message i (see mailbox.h) */
int
mailbox_replace(struct mailbox *mb, size_t i, const char *msg, size_t len)
{
	const uint32_t	 mine = MAILBOX_F_NEW | MAILBOX_F_UNREAD |
			    MAILBOX_F_KNOWN | MAILBOX_F_LINES | MAILBOX_F_HDR;
	struct mailbox	 one;
	struct mailbox_msg *m = &mb->v[i];
	size_t		 done = 0;
	ssize_t		 w;

	memset(&one, 0, sizeof(one));
	mailbox_index(&one, msg, len);
	if (one.n != 1 || one.prefix != 0 || len > UINT32_MAX) {
		mailbox_close(&one);
		errno = EINVAL;
		return -1;
	}
	mailbox_status(&one, 0);
	if (edit_file(mb) < 0) {
		mailbox_close(&one);
		return -1;
	}
	while (done < len) {
		w = pwrite(mb->xfd, msg + done, len - done,
		    mb->xsize + (off_t)done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			mailbox_close(&one);
			return -1;
		}
		done += (size_t)w;
	}
	if (!(m->flags & MAILBOX_F_EDITED)) {
		mb->orig = xreallocarray(mb->orig, mb->norig + 1,
		    sizeof(*mb->orig));
		mb->orig[mb->norig].i = i;
		mb->orig[mb->norig++].start = m->start;
	}
	m->start = mb->xsize;
	m->end = mb->xsize + (off_t)len;
	m->body = one.v[0].body;
	m->lines = one.v[0].lines;
	m->flags = (m->flags & ~mine) | (one.v[0].flags & mine) |
	    MAILBOX_F_EDITED;
	mb->xsize += (off_t)len;
	if (mb->loaded == i + 1)
		mb->loaded = 0;
	mailbox_close(&one);
	return 0;
}

/* mailbox_from_line - the "From " line of message i, without its LF */
const char *
mailbox_from_line(struct mailbox *mb, size_t i, size_t *len)
{
	const char	*s = head(mb, i);
	size_t		 n = mb->v[i].body;
	const char	*nl = memchr(s, '\n', n);

	/* A "From " line longer than the header window: read it all. */
	if (nl == NULL && n < msg_len(mb, i)) {
		s = whole(mb, i);
		n = msg_len(mb, i);
		nl = memchr(s, '\n', n);
	}
	*len = nl ? (size_t)(nl - s) : n;
	if (*len > 0 && s[*len - 1] == '\r')
		(*len)--;
	return s;
}

/* mailbox_headers - the header section of message i, after the "From "
 * line, with the LF of its last line but not the empty line */
const char *
mailbox_headers(struct mailbox *mb, size_t i, size_t *len)
{
	const char	*s = head(mb, i);
	size_t		 from, end;

	head_span(s, mb->v[i].body, &from, &end);
	*len = end - from;
	return s + from;
}

/*
 * body_cut - how much of a message's end is the empty line that
 * separates it from the next one, given its last bytes t[0..k-1] (k is
 * at most 3) and the body's length blen
 */
static size_t
body_cut(const char *t, size_t k, size_t blen)
{
	if (blen >= 1 && t[k - 1] == '\n' && (blen == 1 || t[k - 2] == '\n'))
		return 1;
	if (blen >= 2 && t[k - 1] == '\n' && t[k - 2] == '\r' &&
	    (blen == 2 || t[k - 3] == '\n'))
		return 2;
	return 0;
}

/*
 * mailbox_body_span - where the body of message i lies in it, as
 * mailbox_body() gives it (offset and length), reading only its end
 */
void
mailbox_body_span(struct mailbox *mb, size_t i, size_t *off, size_t *len)
{
	size_t		 n = msg_len(mb, i), b = mb->v[i].body, k;
	char		 t[3];

	k = n - b < sizeof(t) ? n - b : sizeof(t);
	*off = b;
	*len = n - b;
	if (k == 0)
		return;
	if (mailbox_read(mb, i, n - k, t, k) < 0)
		return;
	*len -= body_cut(t, k, n - b);
}

/* mailbox_body - the body of message i, without the empty line that
 * separates it from the next message (the message is read whole) */
const char *
mailbox_body(struct mailbox *mb, size_t i, size_t *len)
{
	const char	*s = whole(mb, i);
	size_t		 off;

	mailbox_body_span(mb, i, &off, len);
	return s + off;
}

/*
 * mailbox_header - replace out with the unfolded value of the first
 * header called name in message i; 1 when found, else 0 (out empty)
 */
int
mailbox_header(struct mailbox *mb, size_t i, const char *name,
    struct buf *out)
{
	size_t		 len, off = 0, hlen;
	const char	*h = mailbox_headers(mb, i, &len);

	buf_reset(out);
	buf_sets(out, "");
	if (!hdr_find(h, len, name, &off, &hlen))
		return 0;
	hdr_value(h + off, hlen, out);
	return 1;
}

/* mailbox_lines - lines in message i, its "From " line included,
 * counted when it was indexed */
unsigned long
mailbox_lines(struct mailbox *mb, size_t i)
{
	return mb->v[i].lines;
}

/* mailbox_bytes - the size of message i in the file */
unsigned long long
mailbox_bytes(const struct mailbox *mb, size_t i)
{
	return (unsigned long long)(mb->v[i].end - mb->v[i].start);
}

/*
 * mailbox_status - message i's flags with MAILBOX_F_NEW and
 * MAILBOX_F_UNREAD set from its Status header (found when it was
 * indexed, or now when its header was too large for that)
 */
uint32_t
mailbox_status(struct mailbox *mb, size_t i)
{
	struct mailbox_msg *m = &mb->v[i];

	if (!(m->flags & MAILBOX_F_KNOWN))
		status_from(head(mb, i), m->body, &m->flags);
	return m->flags;
}

/*
 * mailbox_envelope - replace sender and date with the two parts of
 * message i's "From SENDER DATE" line (either may come out empty)
 */
void
mailbox_envelope(struct mailbox *mb, size_t i, struct buf *sender,
    struct buf *date)
{
	size_t		 len, p = FROM_LINE_LEN, q;
	const char	*s = mailbox_from_line(mb, i, &len);

	buf_sets(sender, "");
	buf_sets(date, "");
	while (p < len && (s[p] == ' ' || s[p] == '\t'))
		p++;
	q = p;
	while (q < len && s[q] != ' ' && s[q] != '\t')
		q++;
	buf_set(sender, s + p, q - p);
	while (q < len && (s[q] == ' ' || s[q] == '\t'))
		q++;
	buf_set(date, s + q, len - q);
}

/*
 * mailbox_unquote - append n bytes of a message body with the mboxrd
 * quoting undone: a line matching "^>+From " loses one '>'
 */
void
mailbox_unquote(const char *s, size_t n, struct buf *out)
{
	size_t		 i = 0, j, end;
	const char	*nl;

	while (i < n) {
		nl = memchr(s + i, '\n', n - i);
		end = nl ? (size_t)(nl - s) + 1 : n;
		for (j = i; j < end && s[j] == '>'; j++)
			;
		if (j > i && end - j >= FROM_LINE_LEN &&
		    memcmp(s + j, FROM_LINE, FROM_LINE_LEN) == 0)
			i++;
		buf_add(out, s + i, end - i);
		i = end;
	}
}
