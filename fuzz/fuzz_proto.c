/*
 * fuzz_proto - libFuzzer target for the small parsers and formatters of
 * the delivery protocol: route_format() (the answer line route-transport
 * writes), route_format_typed() and route_parse_typed() (the typed answer
 * line route-transport -s -t writes and queue-run reads),
 * route_parse_transport() (a transport(5) result), route_domain_norm(),
 * route_literal_ip(), and lspawn_reply() (a delivery agent's "STATUS
 * TEXT").  The input is split at its first TAB-or-NUL-separated fields;
 * the whole input is also read as a typed answer line.
 *
 * Checked: an answer line is one line of four TAB-separated fields
 * within ROUTE_ANSWER_MAX bytes, whatever the fields held; a typed line
 * is one line of five, and reads back to the kind, origin and fields
 * written (each cut, "-" when empty, controls as '?'); a line that
 * route_parse_typed() accepts has five fields and no NUL, known words,
 * and is written again byte for byte when its fields are ones the writer
 * keeps as they are; a transport
 * result splits into trimmed parts no longer than it; a normalized
 * domain is lower case and loses one byte at most (a trailing dot); a
 * literal's family is 4 or 6; a reply status is 0..999 and its text the
 * rest of the packet.
 */
#include <stdlib.h>
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

/* shown - a field as route_format_typed() writes it: cut at max,
 * control characters as '?', "-" when empty */
static void
shown(struct buf *out, const char *s, size_t len, size_t max)
{
	buf_reset(out);
	if (len > max)
		len = max;
	if (len == 0)
		buf_addc(out, '-');
	for (size_t i = 0; i < len; i++) {
		unsigned char	 c = (unsigned char)s[i];

		buf_addc(out, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
}

/* kept - a field the typed writer writes as it is */
static int
kept(const char *s, size_t len, size_t max)
{
	if (len == 0 || len > max)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* typed - route_format_typed() with fields from the input, read back */
static void
typed(const char *q, size_t qlen, const struct buf *nh,
    const struct buf *rcpt, unsigned kind, unsigned origin)
{
	struct route_result	 r, back;
	struct buf		 line = BUF_INIT, query = BUF_INIT;
	struct buf		 want = BUF_INIT;
	size_t			 tabs = 0;

	r.kind = (enum route_kind)(kind % (ROUTE_MAILDIR + 1));
	r.origin = (enum route_origin)(origin % (ROUTE_FROM_INCLUDE + 1));
	r.nexthop = nh->s ? nh->s : "";
	r.recipient = rcpt->s ? rcpt->s : "";
	route_format_typed(&line, q, qlen, &r);
	CHECK(line.len > 0 && line.len <= ROUTE_ANSWER_MAX);
	CHECK(line.s[line.len - 1] == '\n');
	for (size_t i = 0; i + 1 < line.len; i++) {
		CHECK(line.s[i] != '\n' && line.s[i] != '\r' &&
		    line.s[i] != '\0');
		tabs += line.s[i] == '\t';
	}
	CHECK(tabs == 4);
	CHECK(route_parse_typed(line.s, line.len - 1, &query, &back) == 0);
	CHECK(back.kind == r.kind && back.origin == r.origin);
	shown(&want, q, qlen, ROUTE_QUERY_MAX);
	CHECK(query.len == want.len && memcmp(query.s, want.s, want.len) == 0);
	shown(&want, r.nexthop, strlen(r.nexthop), ROUTE_TEXT_MAX);
	CHECK(strcmp(back.nexthop, buf_cstr(&want)) == 0);
	shown(&want, r.recipient, strlen(r.recipient), ROUTE_ITEM_MAX);
	CHECK(strcmp(back.recipient, buf_cstr(&want)) == 0);
	free(back.nexthop);
	free(back.recipient);
	buf_free(&line);
	buf_free(&query);
	buf_free(&want);
}

/* parsed - the whole input as a typed line: what is accepted is sound */
static void
parsed(const char *s, size_t len)
{
	struct route_result	 r;
	struct buf		 query = BUF_INIT, again = BUF_INIT;
	size_t			 tabs = 0, nl, rl;

	if (route_parse_typed(s, len, &query, &r) < 0) {
		buf_free(&query);
		return;
	}
	CHECK(memchr(s, '\0', len) == NULL);
	for (size_t i = 0; i < len; i++)
		tabs += s[i] == '\t';
	CHECK(tabs == 4);
	nl = strlen(r.nexthop);
	rl = strlen(r.recipient);
	CHECK(query.len + strlen(route_kind_word(r.kind)) + nl + rl +
	    strlen(route_origin_name(r.origin)) + 4 == len);
	CHECK(memchr(query.s ? query.s : "", '\t', query.len) == NULL);
	CHECK(strchr(r.nexthop, '\t') == NULL &&
	    strchr(r.recipient, '\t') == NULL);
	if (kept(query.s, query.len, ROUTE_QUERY_MAX) &&
	    kept(r.nexthop, nl, ROUTE_TEXT_MAX) &&
	    kept(r.recipient, rl, ROUTE_ITEM_MAX)) {
		route_format_typed(&again, query.s, query.len, &r);
		CHECK(again.len == len + 1 && memcmp(again.s, s, len) == 0);
	}
	free(r.nexthop);
	free(r.recipient);
	buf_free(&query);
	buf_free(&again);
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
	typed(a.s ? a.s : "", a.len, &b, &c, size ? data[0] : 0,
	    size > 1 ? data[1] : 0);
	parsed(s, size);

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
