/*
 * fuzz_proto - libFuzzer target for the small parsers and formatters of
 * the delivery protocol: route_format() (the answer line route-transport
 * writes and queue-run reads), route_parse_transport() (a transport(5)
 * result), route_domain_norm(), route_literal_ip(), and lspawn_reply()
 * (a delivery agent's "STATUS TEXT").  The input is split at its first
 * TAB-or-NUL-separated fields.
 *
 * Checked: an answer line is one line of four TAB-separated fields
 * within ROUTE_ANSWER_MAX bytes, whatever the fields held; a transport
 * result splits into trimmed parts no longer than it; a normalized
 * domain is lower case and loses one byte at most (a trailing dot); a
 * literal's family is 4 or 6; a reply status is 0..999 and its text the
 * rest of the packet.
 */
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "fuzz.h"
#include "lspawn.h"
#include "route.h"

/* field - the next field of s, up to a TAB or NUL (or the end); with
 * plain, without control characters, which results never hold */
static void
field(const char *s, size_t len, size_t *off, struct buf *out, int plain)
{
	size_t	 i = *off;

	buf_reset(out);
	for (; i < len && s[i] != '\t' && s[i] != '\0'; i++)
		if (!plain || ((unsigned char)s[i] >= 0x20 && s[i] != 0x7f))
			buf_addc(out, s[i]);
	*off = i < len ? i + 1 : i;
}

/* answer - route_format() with fields from the input */
static void
answer(const char *q, size_t qlen, const struct buf *nh,
    const struct buf *rcpt, unsigned kind)
{
	struct route_result	 r;
	struct buf		 line = BUF_INIT;
	size_t			 tabs = 0;

	r.kind = (enum route_kind)(kind % (ROUTE_DEFER + 1));
	r.nexthop = nh->s ? nh->s : "";
	r.recipient = rcpt->s ? rcpt->s : "";
	route_format(&line, q, qlen, &r);
	CHECK(line.len > 0 && line.len <= ROUTE_ANSWER_MAX);
	CHECK(line.s[line.len - 1] == '\n');
	for (size_t i = 0; i + 1 < line.len; i++) {
		CHECK(line.s[i] != '\n' && line.s[i] != '\r' &&
		    line.s[i] != '\0');
		tabs += line.s[i] == '\t';
	}
	CHECK(tabs == 3);
	CHECK(route_kind_name(r.kind) != NULL);
	buf_free(&line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data;
	struct buf	 a = BUF_INIT, b = BUF_INIT, c = BUF_INIT;
	struct buf	 t = BUF_INIT, n = BUF_INIT, why = BUF_INIT;
	unsigned char	 ip[16];
	size_t		 off = 0;
	int		 fam, st;

	field(s, size, &off, &a, 0);
	field(s, size, &off, &b, 1);
	field(s, size, &off, &c, 1);
	answer(a.s ? a.s : "", a.len, &b, &c, size ? data[0] : 0);

	route_parse_transport(buf_cstr(&a), &t, &n);
	CHECK(t.len + n.len <= a.len);
	if (a.len == 0 || memchr(a.s, ':', a.len) == NULL)
		CHECK(t.len <= a.len && n.len == 0);

	buf_set(&t, a.s, a.len);
	if (route_domain_norm(&t) == 0) {
		CHECK(t.len > 0 && t.len + 1 >= a.len && t.len <= a.len);
		for (size_t i = 0; i < t.len; i++)
			CHECK(!(t.s[i] >= 'A' && t.s[i] <= 'Z'));
	}
	fam = 0;
	if (route_literal_ip(buf_cstr(&a), &fam, ip) == 1)
		CHECK(fam == AF_INET || fam == AF_INET6);

	st = lspawn_reply(s, size, &why);
	if (st >= 0)
		CHECK(st <= 999 && why.len < size);
	buf_free(&a);
	buf_free(&b);
	buf_free(&c);
	buf_free(&t);
	buf_free(&n);
	buf_free(&why);
	return 0;
}
