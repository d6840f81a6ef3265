/*
 * fuzz_address - libFuzzer target for address.c: RFC 5321 paths and
 * ESMTP parameters, RFC 5322 address lists, the internal and external
 * forms, xtext.  The first byte picks addr_parse_path()'s flags; the
 * rest is the text.
 *
 * Checked: a parsed path is canonical (parsing "<mailbox>" again gives
 * the same mailbox) and bounded (ADDR_MAX; the RFC 5321 limits under
 * ADDR_F_STRICT_LENGTH); its parameters start inside the input; every
 * good list item's address parses again as a one-item list with the
 * same address; addr_quote() and addr_unquote() are inverses; xtext
 * decodes back to what was encoded.
 */
#include <string.h>

#include "address.h"
#include "buf.h"
#include "fuzz.h"

/* path - an SMTP path, and its canonical form parsed again */
static void
path(const char *s, size_t len, int flags)
{
	struct addr_path	 p, q;
	struct addr_params	 pa;
	struct buf		 again = BUF_INIT;
	enum addr_err		 e;

	addr_path_init(&p);
	e = addr_parse_path(s, len, flags, &p);
	CHECK(e == p.err);
	if (e != ADDR_OK) {
		CHECK(p.code >= 400 && p.code <= 599 && p.text != NULL);
		addr_path_free(&p);
		return;
	}
	CHECK(p.params <= len);
	CHECK(p.mailbox.len <= ADDR_MAX);
	CHECK(memchr(p.mailbox.s ? p.mailbox.s : "", '\0', p.mailbox.len) ==
	    NULL);
	if (flags & ADDR_F_STRICT_LENGTH)
		CHECK(p.mailbox.len + 2 <= ADDR_PATH_MAX);
	if (p.null)
		CHECK(p.mailbox.len == 0);
	else {
		buf_addc(&again, '<');
		buf_add(&again, p.mailbox.s, p.mailbox.len);
		buf_addc(&again, '>');
		addr_path_init(&q);
		e = addr_parse_path(again.s, again.len, flags, &q);
		CHECK(e == ADDR_OK);
		CHECK(q.mailbox.len == p.mailbox.len &&
		    memcmp(q.mailbox.s, p.mailbox.s, p.mailbox.len) == 0);
		addr_path_free(&q);
	}
	memset(&pa, 0, sizeof(pa));
	if (addr_parse_params(s + p.params, len - p.params, &pa) == 0) {
		CHECK(pa.n <= ADDR_PARAMS_MAX);
		for (size_t i = 0; i < pa.n; i++)
			CHECK(pa.v[i].key != NULL && *pa.v[i].key != '\0');
	} else
		CHECK(pa.n == 0);
	addr_params_free(&pa);
	addr_path_free(&p);
	buf_free(&again);
}

/* list - an address list; each good address alone parses the same */
static void
list(const char *s, size_t len)
{
	struct addr_list	 l, one;
	size_t			 bad;

	addr_list_init(&l);
	bad = addr_parse_list(s, len, &l);
	CHECK(bad == l.nbad);
	CHECK(l.n <= ADDR_LIST_ITEMS_MAX);
	for (size_t i = 0; i < l.n && i < 50; i++) {
		const struct addr_item	*it = &l.v[i];

		if (it->bad) {
			CHECK(it->raw != NULL);
			continue;
		}
		if (it->addr == NULL)
			continue;	/* an empty group */
		addr_list_init(&one);
		CHECK(addr_parse_list(it->addr, strlen(it->addr), &one) == 0);
		CHECK(one.n == 1 && !one.v[0].bad && one.v[0].addr != NULL &&
		    strcmp(one.v[0].addr, it->addr) == 0);
		addr_list_free(&one);
	}
	addr_list_free(&l);
}

/* forms - internal to external to internal gives the same */
static void
forms(const char *s, size_t len)
{
	struct buf	 in = BUF_INIT, ext = BUF_INIT, back = BUF_INIT;

	if (memchr(s, '\0', len) != NULL)
		return;
	buf_set(&in, s, len);
	if (addr_quote(buf_cstr(&in), &ext) == 0) {
		CHECK(addr_unquote(buf_cstr(&ext), &back) == 0);
		CHECK(back.len == in.len &&
		    (in.len == 0 || memcmp(back.s, in.s, in.len) == 0));
	}
	buf_free(&in);
	buf_free(&ext);
	buf_free(&back);
}

/* xtext - decoding what was encoded gives it back */
static void
xtext(const char *s, size_t len)
{
	struct buf	 enc = BUF_INIT, dec = BUF_INIT, dec2 = BUF_INIT;

	addr_xtext_encode(s, len, &enc);
	CHECK(addr_xtext_decode(enc.s ? enc.s : "", enc.len, &dec) == 0);
	CHECK(dec.len == len && (len == 0 || memcmp(dec.s, s, len) == 0));
	(void)addr_xtext_decode(s, len, &dec2);
	buf_free(&enc);
	buf_free(&dec);
	buf_free(&dec2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data + 1;

	if (size == 0)
		return 0;
	size--;
	path(s, size, data[0] & (ADDR_F_RCPT | ADDR_F_SMTPUTF8 |
	    ADDR_F_STRICT_BRACKETS | ADDR_F_STRICT_LENGTH));
	list(s, size);
	forms(s, size);
	xtext(s, size);
	return 0;
}
