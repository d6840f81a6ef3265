/* test_mailbox - mbox indexing, header access, Status, unquoting */
#include "mailbox.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

#define BIG_MSG		(3 * 1024 * 1024)	/* over MAILBOX_READ_SIZE */
#define HEAD		"From big@x Mon Jan  1 00:00:00 2024\nSubject: big\n\n"

static const char box[] =
    "junk before\n"
    "From a@x Tue Nov 14 22:13:20 2023\n"
    "Subject: one\n"
    "Status: O\n"
    "\n"
    "body\n"
    ">From quoted\n"
    ">>From twice\n"
    "\n"
    "From b@x Wed Nov 15 10:00:00 2023\r\n"
    "Subject: two\r\n"
    "\r\n"
    "crlf\r\n"
    "\r\n"
    "From c@x Thu Nov 16 10:00:00 2023\n"
    "Subject: header only, no newline";

/* Separators and headers for read sizes to cut at every place. */
static const char cuts[] =
    "From a@x Mon Jan  1 00:00:00 2024\n"
    "Subject: a\n"
    "Status: RO\n"
    "\n"
    "From b@x Mon Jan  1 00:00:00 2024\n"
    "X-Long: 0123456789012345678901234567890123456789012345678901\n"
    "Status:\n"
    "\tO\n"
    "\n"
    "Fro\n"
    ">From quoted\n"
    "From\n"
    "From c@x Mon Jan  1 00:00:00 2024\r\n"
    "Status: \0R\r\n"
    "\r\n"
    "nul \0 bytes\r\n"
    "\r\n"
    "From d@x\n"
    "Bad header line\n"
    "Status: R\n"
    "\n"
    "From e@x\n"
    "\n"
    "From f@x Mon Jan  1 00:00:00 2024\n"
    "Subject: no final newline\n"
    "\n"
    "From";

/* same - whether message i reads the same in two mailboxes */
static int
same(struct mailbox *a, struct mailbox *b, size_t i)
{
	struct buf	 x = BUF_INIT, y = BUF_INIT;
	const char	*p, *q;
	size_t		 m, m2, n, off;
	int		 r = 1;

	r &= a->v[i].start == b->v[i].start && a->v[i].end == b->v[i].end;
	r &= mailbox_lines(a, i) == mailbox_lines(b, i);
	r &= a->v[i].body == b->v[i].body;
	r &= mailbox_status(a, i) == mailbox_status(b, i);
	p = mailbox_from_line(a, i, &m);
	q = mailbox_from_line(b, i, &n);
	r &= m == n && memcmp(p, q, m) == 0;
	p = mailbox_headers(a, i, &m);
	q = mailbox_headers(b, i, &n);
	r &= m == n && memcmp(p, q, m) == 0;
	mailbox_body_span(a, i, &off, &m);
	p = mailbox_body(a, i, &m2);
	q = mailbox_body(b, i, &n);
	r &= off == b->v[i].body && m == n && m2 == n &&
	    memcmp(p, q, m) == 0;
	r &= mailbox_header(a, i, "Subject", &x) ==
	    mailbox_header(b, i, "Subject", &y) && strcmp(x.s, y.s) == 0;
	buf_free(&x);
	buf_free(&y);
	return r;
}

/* put_file - a temporary file holding n bytes of s; its name in path */
static int
put_file(char *path, const char *s, size_t n)
{
	int		 fd = mkstemp(path);

	if (fd < 0)
		return -1;
	if (write(fd, s, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * read_sizes - index data from a file read rsize bytes at a time, for
 * every rsize from MAILBOX_READ_MIN to past its size, and compare with
 * the index of the bytes in memory; the first size that differs, or 0
 */
static size_t
read_sizes(const char *data, size_t len)
{
	struct mailbox	 mem, f;
	char		 path[] = "/tmp/test_mailbox.XXXXXX";
	size_t		 rs, bad = 0;

	memset(&mem, 0, sizeof(mem));
	mailbox_index(&mem, data, len);
	if (put_file(path, data, len) < 0)
		return 1;
	for (rs = MAILBOX_READ_MIN; rs <= len + 1 && bad == 0; rs++) {
		if (mailbox_open_size(&f, path, rs) < 0) {
			bad = rs;
			break;
		}
		if (f.n != mem.n || f.size != mem.size ||
		    mailbox_prefix(&f) != mailbox_prefix(&mem))
			bad = rs;
		for (size_t i = 0; i < f.n && bad == 0; i++)
			if (!same(&f, &mem, i))
				bad = rs;
		mailbox_close(&f);
	}
	unlink(path);
	mailbox_close(&mem);
	return bad;
}

/* big - a message larger than a read, and a large header */
static void
big(void)
{
	struct mailbox	 mb;
	struct buf	 mbx = BUF_INIT, copy = BUF_INIT;
	char		 path[] = "/tmp/test_mailbox.XXXXXX";
	char		 chunk[4096];
	size_t		 off = 0, len, bsize;
	unsigned long	 nl = 0;
	ssize_t		 k;
	const char	*p;

	buf_adds(&mbx, HEAD);
	while (mbx.len < BIG_MSG)
		buf_adds(&mbx, "0123456789012345678901234567890123456789"
		    "01234567890123456789012345678901234567890123456789\n");
	buf_adds(&mbx, "\nFrom hdr@x Mon Jan  1 00:00:00 2024\n");
	bsize = mbx.len;
	while (mbx.len - bsize < MAILBOX_CARRY_MAX + 1000)
		buf_adds(&mbx, "X-Filler: 0123456789012345678901234567890\n");
	buf_adds(&mbx, "Status: RO\nSubject: after the filler\n\nbody\n");
	bsize -= sizeof("From hdr@x Mon Jan  1 00:00:00 2024\n") - 1;
	if (put_file(path, mbx.s, mbx.len) < 0 || mailbox_open(&mb, path) < 0) {
		ok(0, "big mailbox written and opened");
		buf_free(&mbx);
		return;
	}
	ok(mb.n == 2 && mailbox_bytes(&mb, 0) == bsize,
	    "a message larger than a read is one message");
	for (size_t i = 0; i < bsize; i++)
		nl += mbx.s[i] == '\n';
	ok(mailbox_lines(&mb, 0) == nl, "its lines counted across reads");
	while ((k = mailbox_read(&mb, 0, off, chunk, sizeof(chunk))) > 0) {
		buf_add(&copy, chunk, (size_t)k);
		off += (size_t)k;
	}
	ok(k == 0 && copy.len == bsize && memcmp(copy.s, mbx.s, bsize) == 0,
	    "read back in chunks, byte for byte");
	p = mailbox_body(&mb, 0, &len);
	ok(len == bsize - strlen(HEAD) - 1 && memcmp(p, "0123", 4) == 0,
	    "its body loaded whole");
	ok((mailbox_status(&mb, 1) & (MAILBOX_F_NEW | MAILBOX_F_UNREAD)) == 0,
	    "Status after a header larger than the carry");
	ok(mailbox_header(&mb, 1, "Subject", &copy) &&
	    strcmp(copy.s, "after the filler") == 0, "its Subject");
	p = mailbox_body(&mb, 1, &len);
	ok(len == 5 && memcmp(p, "body\n", 5) == 0, "its body");
	ok(mb.err == 0, "no read error");
	mailbox_close(&mb);
	unlink(path);
	buf_free(&mbx);
	buf_free(&copy);
}

/* replace - an edited message read back from the edit file */
static void
replace(void)
{
	static const char edited[] =
	    "From b@x Wed Nov 15 10:00:00 2023\n"
	    "Subject: new\n"
	    "Status: RO\n"
	    "\n"
	    "new body\n"
	    ">From quoted\n"
	    "\n";
	struct mailbox	 mb;
	struct buf	 b = BUF_INIT;
	const char	*p;
	size_t		 len;
	off_t		 start;

	memset(&mb, 0, sizeof(mb));
	mailbox_index(&mb, box, sizeof(box) - 1);
	start = mailbox_file_start(&mb, 2);
	mb.v[1].flags |= MAILBOX_F_DELETED;
	ok(mailbox_replace(&mb, 1, edited, sizeof(edited) - 1) == 0,
	    "replace: accepted");
	ok(mailbox_header(&mb, 1, "Subject", &b) && strcmp(b.s, "new") == 0,
	    "replace: the new header");
	p = mailbox_body(&mb, 1, &len);
	ok(len == 22 && memcmp(p, "new body\n>From quoted\n", len) == 0,
	    "replace: the new body");
	ok(mailbox_bytes(&mb, 1) == sizeof(edited) - 1 &&
	    mailbox_lines(&mb, 1) == 7, "replace: size and lines");
	ok((mailbox_status(&mb, 1) & (MAILBOX_F_NEW | MAILBOX_F_UNREAD |
	    MAILBOX_F_DELETED | MAILBOX_F_EDITED)) ==
	    (MAILBOX_F_DELETED | MAILBOX_F_EDITED),
	    "replace: Status from the new text, the reader's flags kept");
	ok(mailbox_header(&mb, 2, "Subject", &b) &&
	    strcmp(b.s, "header only, no newline") == 0 &&
	    mailbox_file_start(&mb, 2) == start,
	    "replace: the next message is untouched");
	ok(mailbox_replace(&mb, 0, "no from line\n", 13) < 0,
	    "replace: no mbox message refused");
	ok(mailbox_replace(&mb, 0, edited, 40) == 0 &&
	    mailbox_replace(&mb, 0, "From a\n\nx\nFrom b\n", 18) < 0 &&
	    mailbox_bytes(&mb, 0) == 40, "replace: two messages refused");
	mailbox_close(&mb);
	buf_free(&b);
}

int
main(void)
{
	struct mailbox	 mb;
	struct buf	 b = BUF_INIT, d = BUF_INIT;
	const char	*p;
	size_t		 len;

	memset(&mb, 0, sizeof(mb));
	mailbox_index(&mb, box, sizeof(box) - 1);
	ok(mb.n == 3, "three messages");
	ok(mailbox_prefix(&mb) == 12, "junk before the first is kept apart");
	ok(mailbox_lines(&mb, 0) == 8, "lines of message 1");
	ok(mailbox_lines(&mb, 2) == 1, "a last line without LF is not counted");

	p = mailbox_headers(&mb, 0, &len);
	ok(len == 23 && memcmp(p, "Subject: one\nStatus: O\n", len) == 0,
	    "header section");
	p = mailbox_body(&mb, 0, &len);
	ok(len == 31 && memcmp(p, "body\n", 5) == 0,
	    "body without the separating empty line");
	buf_sets(&b, "");
	mailbox_unquote(p, len, &b);
	ok(strcmp(b.s, "body\nFrom quoted\n>From twice\n") == 0,
	    "mboxrd unquoting");

	ok(mailbox_header(&mb, 1, "subject", &b) && strcmp(b.s, "two") == 0,
	    "CRLF header found, case-blind");
	p = mailbox_body(&mb, 1, &len);
	ok(len == 6 && memcmp(p, "crlf\r\n", 6) == 0, "CRLF body");
	ok(mailbox_header(&mb, 2, "Subject", &b) &&
	    strcmp(b.s, "header only, no newline") == 0,
	    "last message: header only");
	p = mailbox_body(&mb, 2, &len);
	ok(len == 0, "last message: empty body");

	ok((mailbox_status(&mb, 0) & (MAILBOX_F_NEW | MAILBOX_F_UNREAD)) ==
	    MAILBOX_F_UNREAD, "Status: O is old, unread");
	ok((mailbox_status(&mb, 1) & MAILBOX_F_NEW) != 0, "no Status is new");

	mailbox_envelope(&mb, 0, &b, &d);
	ok(strcmp(b.s, "a@x") == 0 &&
	    strcmp(d.s, "Tue Nov 14 22:13:20 2023") == 0, "envelope");

	mailbox_index(&mb, "no mbox at all\n", 15);
	ok(mb.n == 0 && mailbox_prefix(&mb) == 15, "no message");
	mailbox_index(&mb, "", 0);
	ok(mb.n == 0, "empty");
	mailbox_index(&mb, "From ", 5);
	ok(mb.n == 1 && mailbox_lines(&mb, 0) == 0, "a bare From");
	p = mailbox_headers(&mb, 0, &len);
	ok(len == 0, "a bare From has no header");

	mailbox_close(&mb);

	ok(read_sizes(box, sizeof(box) - 1) == 0,
	    "every read size indexes and reads as in memory");
	ok(read_sizes(cuts, sizeof(cuts) - 1) == 0,
	    "\"From \" lines and headers cut by reads, NUL, CRLF, folding");
	memset(&mb, 0, sizeof(mb));
	mailbox_index(&mb, cuts, sizeof(cuts) - 1);
	ok(mb.n == 6, "six messages in the cut test (\"From\" alone is none)");
	ok((mailbox_status(&mb, 1) & (MAILBOX_F_NEW | MAILBOX_F_UNREAD)) ==
	    MAILBOX_F_UNREAD, "a folded Status");
	ok((mailbox_status(&mb, 2) & MAILBOX_F_UNREAD) != 0,
	    "Status is read up to a NUL");
	ok((mailbox_status(&mb, 3) & MAILBOX_F_NEW) != 0,
	    "no Status after a line that is no header");
	mailbox_close(&mb);
	replace();
	big();
	buf_free(&b);
	buf_free(&d);
	return tap_done();
}
