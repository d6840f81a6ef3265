/*
 * fuzz_mbox - libFuzzer target for the mbox index (mailbox.c, what
 * mailx reads a mailbox with) and the mboxrd encoder (mbox.c, what
 * deliver-local writes one with).
 *
 * The input, as a mailbox: indexed from memory and from a file read in
 * pieces of 16 bytes and more (the first byte picks the size), both
 * indexes and every accessor must agree; messages tile the file after
 * its prefix; their parts lie inside them.  The input, as a message:
 * encoded with quoting and the blank line behind a From line, it must
 * index as exactly one message whose unquoted bytes are the input (CRLF
 * as LF, a final newline added).
 */
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fuzz.h"
#include "mailbox.h"
#include "mbox.h"

#define FROM	"From fuzz@example.com Thu Jan  1 00:00:00 1970\n"
#define MSGS	16	/* messages compared in full */

/* parts - message i's parts lie inside it */
static void
parts(struct mailbox *mb, size_t i)
{
	struct buf	 sender = BUF_INIT, date = BUF_INIT, v = BUF_INIT;
	size_t		 all = (size_t)(mb->v[i].end - mb->v[i].start);
	size_t		 fl, hl, bl, off, len;

	(void)mailbox_from_line(mb, i, &fl);
	(void)mailbox_headers(mb, i, &hl);
	(void)mailbox_body(mb, i, &bl);
	mailbox_body_span(mb, i, &off, &len);
	CHECK(fl <= all && hl <= all && bl <= all);
	CHECK(off + len <= all && len == bl);
	CHECK(mailbox_bytes(mb, i) == all);
	mailbox_envelope(mb, i, &sender, &date);
	CHECK(sender.len + date.len <= fl);
	(void)mailbox_header(mb, i, "Subject", &v);
	CHECK(v.len <= hl);
	buf_free(&sender);
	buf_free(&date);
	buf_free(&v);
}

/* same - message i the same in two indexes */
static void
same(struct mailbox *a, struct mailbox *b, size_t i)
{
	const char	*p, *q;
	size_t		 m, n;
	struct buf	 x = BUF_INIT, y = BUF_INIT;

	CHECK(a->v[i].start == b->v[i].start && a->v[i].end == b->v[i].end);
	CHECK(mailbox_lines(a, i) == mailbox_lines(b, i));
	CHECK(mailbox_status(a, i) == mailbox_status(b, i));
	p = mailbox_from_line(a, i, &m);
	q = mailbox_from_line(b, i, &n);
	CHECK(m == n && memcmp(p, q, m) == 0);
	p = mailbox_headers(a, i, &m);
	q = mailbox_headers(b, i, &n);
	CHECK(m == n && memcmp(p, q, m) == 0);
	p = mailbox_body(a, i, &m);
	q = mailbox_body(b, i, &n);
	CHECK(m == n && memcmp(p, q, m) == 0);
	CHECK(mailbox_header(a, i, "Status", &x) ==
	    mailbox_header(b, i, "Status", &y));
	CHECK(x.len == y.len && memcmp(x.s, y.s, x.len) == 0);
	buf_free(&x);
	buf_free(&y);
}

/* index - the input as a mailbox, from memory and from a file */
static void
index_both(const char *s, size_t len, size_t rs)
{
	struct mailbox	 mem, f;
	char		 path[64];
	off_t		 at;
	int		 fd;

	memset(&mem, 0, sizeof(mem));
	mailbox_index(&mem, s, len);
	CHECK(mem.size == len);
	CHECK(mailbox_prefix(&mem) <= len);
	at = (off_t)mailbox_prefix(&mem);
	for (size_t i = 0; i < mem.n; i++) {
		CHECK(mem.v[i].start == at && mem.v[i].end > at);
		CHECK(len - (size_t)at >= 5 &&
		    memcmp(s + at, "From ", 5) == 0);
		at = mem.v[i].end;
		if (i < MSGS)
			parts(&mem, i);
	}
	CHECK(at == (off_t)len);

	fd = fuzz_memfile(s, len, path, sizeof(path));
	CHECK(mailbox_open_size(&f, path, rs) == 0);
	CHECK(f.n == mem.n && f.size == mem.size &&
	    mailbox_prefix(&f) == mailbox_prefix(&mem));
	for (size_t i = 0; i < f.n && i < MSGS; i++)
		same(&mem, &f, i);
	mailbox_close(&f);
	mailbox_close(&mem);
	close(fd);
}

/* encode - the input as one message, written and read back */
static void
encode(const char *s, size_t len, size_t piece)
{
	struct mbox_enc	 e;
	struct mailbox	 mb;
	struct buf	 box = BUF_INIT, want = BUF_INIT, got = BUF_INIT;
	size_t		 off = 0, n;

	buf_adds(&box, FROM);
	mbox_enc_init(&e, MBOX_F_QUOTE | MBOX_F_BLANK);
	while (off < len) {
		n = len - off < piece ? len - off : piece;
		mbox_enc_push(&e, s + off, n, &box);
		off += n;
	}
	mbox_enc_end(&e, &box);
	CHECK(e.total == box.len - strlen(FROM));

	for (size_t i = 0; i < len; i++)
		if (!(s[i] == '\r' && i + 1 < len && s[i + 1] == '\n'))
			buf_addc(&want, s[i]);
	if (want.len > 0 && want.s[want.len - 1] != '\n')
		buf_addc(&want, '\n');
	buf_addc(&want, '\n');		/* the blank line */

	memset(&mb, 0, sizeof(mb));
	mailbox_index(&mb, box.s, box.len);
	CHECK(mb.n == 1 && mailbox_prefix(&mb) == 0);
	CHECK(mb.v[0].end == (off_t)box.len);
	mailbox_unquote(box.s + strlen(FROM), box.len - strlen(FROM), &got);
	CHECK(got.len == want.len && memcmp(got.s, want.s, got.len) == 0);
	mailbox_close(&mb);
	buf_free(&box);
	buf_free(&want);
	buf_free(&got);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data + 1;

	if (size == 0)
		return 0;
	size--;
	index_both(s, size, MAILBOX_READ_MIN + data[0]);
	encode(s, size, (size_t)(data[0] % 13) + 1);
	return 0;
}
