/*
 * test_fuzz - the inputs with which the fuzz targets (fuzz/) once broke
 * a parser, each checked by what the parser must now do.  The same
 * inputs are in fuzz/regress/NAME/, which make fuzz-NAME replays.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "address.h"
#include "alias.h"
#include "buf.h"
#include "config.h"
#include "queue.h"
#include "tap.h"

/* tmpfile_with - a temporary file holding n bytes of s, unlinked */
static int
tmpfile_with(const char *s, size_t n)
{
	char	 path[] = "/tmp/test_fuzz.XXXXXX";
	int	 fd = mkstemp(path);

	if (fd < 0)
		return -1;
	unlink(path);
	if (write(fd, s, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * address: a quoted-pair in a domain literal ("[IPx\[v6...]") was
 * resolved, giving an address whose literal held a bare '[' that no
 * parser reads back; such a literal is a bad item now, and so is a
 * quoted-pair of NUL anywhere.
 */
static void
address_literal_pair(void)
{
	static const char in[] = "\"x\\\377\001\"@[IPx\\[v6:2001:\002db8::1]";
	static const char nul[] = "\"a\\\0b\"@example.com";
	static const char space[] = "f; |x@[192  0 \\ 0]";
	struct addr_list l;

	addr_list_init(&l);
	is_int((long long)addr_parse_list(in, sizeof(in) - 1, &l), 1,
	    "address: literal with a quoted '[': one bad item");
	ok(l.n == 1 && l.v[0].bad && l.v[0].addr == NULL,
	    "address: ... and no address made of it");
	addr_list_free(&l);

	addr_list_init(&l);
	(void)addr_parse_list("a@[1.2.3.4\\]]", 13, &l);
	ok(l.n >= 1 && l.v[0].bad, "address: literal with a quoted ']'");
	addr_list_free(&l);

	addr_list_init(&l);
	(void)addr_parse_list(space, sizeof(space) - 1, &l);
	ok(l.n >= 1 && l.v[l.n - 1].bad,
	    "address: literal with a quoted space");
	addr_list_free(&l);

	addr_list_init(&l);
	(void)addr_parse_list(nul, sizeof(nul) - 1, &l);
	ok(l.n == 1 && l.v[0].bad, "address: quoted NUL is a bad item");
	addr_list_free(&l);

	addr_list_init(&l);
	(void)addr_parse_list("\"a\\\"b\"@[192.0.2.1]", 18, &l);
	ok(l.n == 1 && !l.v[0].bad && l.v[0].addr != NULL &&
	    strcmp(l.v[0].addr, "\"a\\\"b\"@[192.0.2.1]") == 0,
	    "address: quoted pairs in a quoted string still read");
	addr_list_free(&l);
}

/*
 * address: a list of only empty quoted strings left the token text
 * unallocated, and an address was made from a null pointer plus zero
 * (undefined behaviour that clang's UBSan reports, as make fuzz-address
 * replaying fuzz/regress/address does; gcc's does not).
 */
static void
address_empty_text(void)
{
	static const char in[] = ".\"\"\"\"f; <h@[165.0.2.1U>, \"x\"\",,\"\"";
	struct addr_list l;

	addr_list_init(&l);
	(void)addr_parse_list(in, sizeof(in) - 1, &l);
	ok(l.n >= 1, "address: empty quoted strings parse");
	addr_list_free(&l);
	addr_list_init(&l);
	(void)addr_parse_list("\"\"", 2, &l);
	ok(l.n == 1 && !l.v[0].bad && strcmp(l.v[0].addr, "\"\"") == 0,
	    "address: \"\" alone is the empty quoted local part");
	addr_list_free(&l);
}

/*
 * queue: "arrival S.U" multiplied any microsecond count by 1000, which
 * overflowed for a large one (undefined behaviour, which make test
 * SANITIZE=1 reports); a count that no writer makes is read as 0 now.
 */
static void
queue_arrival(void)
{
	static const char	 head[] =
	    "pipemail-queue 1\nsize 00000000000000000000\n";
	static const char	 *const arrival[] = {
		"arrival 1.99999999999999999999999\n",
		"arrival 7.-5\n",
		"arrival 8.1000000\n",
		"arrival 9.123456\n",
	};
	static const long	 nsec[] = { 0, 0, 0, 123456000 };

	for (size_t i = 0; i < 4; i++) {
		struct queue_env	 env;
		struct buf		 f = BUF_INIT;
		int			 fd;

		buf_adds(&f, head);
		buf_adds(&f, arrival[i]);
		buf_adds(&f, "sender x@y\nrcpt a@b\t\t0\nend\n");
		fd = tmpfile_with(f.s, f.len);
		ok(fd >= 0 && queue_env_read(fd, &env, NULL) == 0 &&
		    env.arrival.tv_nsec == nsec[i] &&
		    env.arrival.tv_sec == (time_t)(i == 0 ? 1 : 6 + (long)i),
		    "queue: arrival record %zu read, microseconds bounded", i);
		if (fd >= 0) {
			queue_env_free(&env);
			close(fd);
		}
		buf_free(&f);
	}
}

/*
 * alias: an item that is an empty quoted string ("") unquoted to nothing,
 * and its text was copied from a null pointer plus zero (undefined
 * behaviour: clang's UBSan, make fuzz-maps, reports it); it is an empty
 * address item.
 */
static void
alias_empty_quoted(void)
{
	struct alias_items	 items;
	struct buf		 err = BUF_INIT;
	int			 n;

	alias_items_init(&items);
	n = alias_split("bob, \"\", carol", 15, &items, &err);
	ok(n == 3 && items.n == 3 && strcmp(items.v[0].text, "bob") == 0 &&
	    items.v[1].kind == ALIAS_ADDRESS &&
	    strcmp(items.v[1].text, "") == 0 &&
	    strcmp(items.v[2].text, "carol") == 0,
	    "alias: an empty quoted item is an empty address");
	alias_items_free(&items);
	buf_free(&err);
}

/* no_names - cfg_expand() lookup that knows no name */
static const char *
no_names(const char *name, void *ctx)
{
	(void)name;
	(void)ctx;
	return NULL;
}

/*
 * config: ${{a} == {b}...} compared two empty texts with memcmp() of
 * null pointers (undefined behaviour: both sanitizers report it).
 */
static void
config_logical_empty(void)
{
	static const char *const in[] = {
		"${{} == {}?{same}:{other}}",
		"${{} != {}?{same}:{other}}",
		"${{x} == {}?{same}:{other}}",
		"${{}=={}}",
	};
	static const char *const want[] = { "same", "other", "other", "true" };

	for (size_t i = 0; i < 4; i++) {
		struct buf	 out = BUF_INIT, err = BUF_INIT;

		ok(cfg_expand(in[i], no_names, NULL, &out, &err) == 0 &&
		    strcmp(buf_cstr(&out), want[i]) == 0,
		    "config: %s gives %s", in[i], want[i]);
		buf_free(&out);
		buf_free(&err);
	}
}

int
main(void)
{
	config_logical_empty();
	alias_empty_quoted();
	queue_arrival();
	address_literal_pair();
	address_empty_text();
	return tap_done();
}
