/*
 * fuzz_submit - libFuzzer target for sendmail's message reader
 * (submit.c): mbox From lines, the lone dot, the header section with
 * Bcc removal and -t recipient extraction, what is added; and the
 * command-line helpers (-f, recipients, -N, -R, -V).  The first byte
 * picks the flags and the size of the pieces the message is pushed in.
 *
 * Checked: pushing in pieces gives what pushing at once gives (bytes,
 * result, recipients); no Bcc header comes out, not even from a line
 * after one that ended the header section; recipients are
 * queue-safe and within SUBMIT_RCPT_MAX; an error has a status and an
 * "X.Y.Z" reason.
 */
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "fuzz.h"
#include "queue.h"
#include "submit.h"

struct run {
	struct buf		 out;
	enum submit_result	 r;
	struct submit		 s;
};

/* run - the engine over s in pieces of step bytes */
static void
run(struct run *x, int flags, const char *s, size_t len, size_t step)
{
	size_t	 off = 0;

	buf_init(&x->out);
	submit_init(&x->s, flags, "Fuzz <fuzz@example.com>",
	    "Thu, 1 Jan 1970 00:00:00 +0000", "<id@example.com>");
	x->r = SUBMIT_MORE;
	while (off < len && x->r == SUBMIT_MORE) {
		size_t	 n = len - off < step ? len - off : step;

		x->r = submit_push(&x->s, s + off, n, &x->out);
		off += n;
	}
	if (x->r != SUBMIT_ERROR)
		x->r = submit_finish(&x->s, &x->out);
	if (x->r == SUBMIT_ERROR) {
		CHECK(x->s.status != 0);
		CHECK(x->s.reason.len >= 5 && x->s.reason.s[1] == '.');
	}
}

/* headers - the output's header section (to its first empty line) holds
 * no Bcc, whatever the input's lines were */
static void
headers(const struct buf *out)
{
	size_t	 i = 0;

	while (i < out->len && out->s[i] != '\n') {
		const char	*l = out->s + i;
		const char	*nl = memchr(l, '\n', out->len - i);
		size_t		 n = nl ? (size_t)(nl - l) : out->len - i;

		CHECK(!(n >= 4 && strncasecmp(l, "bcc:", 4) == 0));
		CHECK(!(n >= 11 && strncasecmp(l, "resent-bcc:", 11) == 0));
		i += n + 1;
	}
}

/* helpers - the command-line argument parsers */
static void
helpers(const char *s, size_t len)
{
	struct buf		 arg = BUF_INIT, out = BUF_INIT, err = BUF_INIT;
	struct submit_rcpts	 l;
	const char		*ret;
	int			 mask;

	if (memchr(s, '\0', len) != NULL)
		return;
	buf_set(&arg, s, len);
	if (submit_parse_sender(buf_cstr(&arg), &out, &err) == 0)
		CHECK(queue_addr_ok(buf_cstr(&out)));
	submit_rcpts_init(&l);
	if (submit_parse_rcpt(buf_cstr(&arg), &l, &err) == 0) {
		CHECK(l.n > 0);
		for (size_t i = 0; i < l.n; i++)
			CHECK(queue_addr_ok(l.v[i]) && *l.v[i] != '\0');
	}
	submit_rcpts_free(&l);
	if (submit_parse_notify(buf_cstr(&arg), &mask, &err) == 0)
		CHECK(mask != 0 && (mask & ~(QN_NEVER | QN_SUCCESS |
		    QN_FAILURE | QN_DELAY)) == 0);
	if (submit_parse_ret(buf_cstr(&arg), &ret, &err) == 0)
		CHECK(strcmp(ret, "FULL") == 0 || strcmp(ret, "HDRS") == 0);
	if (submit_check_envid(buf_cstr(&arg), &err) == 0)
		CHECK(len <= SUBMIT_ENVID_MAX && queue_addr_ok(arg.s));
	buf_free(&arg);
	buf_free(&out);
	buf_free(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run	 a, b;
	const char	*s = (const char *)data + 1;
	int		 flags;

	if (size == 0)
		return 0;
	size--;
	flags = data[0] & (SUBMIT_F_EXTRACT | SUBMIT_F_DOT);
	run(&a, flags, s, size, size ? size : 1);
	run(&b, flags, s, size, (size_t)(data[0] >> 2) % 9 + 1);
	CHECK(a.r == b.r);
	CHECK(a.out.len == b.out.len &&
	    memcmp(a.out.s ? a.out.s : "", b.out.s ? b.out.s : "",
	    a.out.len) == 0);
	if (a.r != SUBMIT_ERROR) {
		headers(&a.out);
		CHECK(a.s.rcpt.n == b.s.rcpt.n && a.s.rcpt.n <= SUBMIT_RCPT_MAX);
		for (size_t i = 0; i < a.s.rcpt.n; i++) {
			CHECK(strcmp(a.s.rcpt.v[i], b.s.rcpt.v[i]) == 0);
			CHECK(queue_addr_ok(a.s.rcpt.v[i]));
		}
	}
	submit_free(&a.s);
	submit_free(&b.s);
	buf_free(&a.out);
	buf_free(&b.out);
	helpers(s, size < 2000 ? size : 2000);
	return 0;
}
