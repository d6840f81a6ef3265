/*
 * fuzz_maps - libFuzzer target for the table parsers: texthash: source
 * (the postmap source format of hash: too), regexp: and pcre: tables
 * (patterns, flags, if/endif, $n results), inline:{...}, static:, and
 * aliases(5) lines (alias.c) as postalias reads them.  The first byte
 * picks the format; the rest is the table's text (in a memory file for
 * the formats read from a file, the spec itself for inline: and
 * static:).
 *
 * Checked: every entry a texthash: or inline: table lists is found by a
 * lookup with the value listed, and a static: table finds any key; every
 * logical line map_src_next() gives is one line without a NUL within
 * MAP_LINE_MAX; regexp and pcre lookups of the table's own lines and of
 * fixed keys give a definite result; alias_parse() gives a name when it
 * says it found one and alias_split() items of a known kind within
 * ALIAS_ITEMS_MAX.
 */
#include <string.h>
#include <unistd.h>

#include "alias.h"
#include "buf.h"
#include "fuzz.h"
#include "maps.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

/* found - map_walk() callback: the entry's key finds its value */
static int
found(void *arg, const char *k, size_t klen, const char *v, size_t vlen)
{
	struct map	*m = arg;
	struct buf	 key = BUF_INIT, val = BUF_INIT, err = BUF_INIT;

	buf_set(&key, k, klen);
	CHECK(map_lookup(m, buf_cstr(&key), &val, &err) == MAP_FOUND);
	CHECK(val.len == vlen && (vlen == 0 || memcmp(val.s, v, vlen) == 0));
	buf_free(&key);
	buf_free(&val);
	buf_free(&err);
	return 0;
}

/* walked - a texthash: or inline: table: all it lists can be found */
static void
walked(const char *spec, int flags)
{
	struct buf	 err = BUF_INIT;
	struct map	*m = map_open(spec, flags, &err);

	if (m != NULL) {
		CHECK(map_walk(m, found, m, &err) == 0);
		map_close(m);
	} else
		CHECK(err.len > 0);
	buf_free(&err);
}

/* fixed - a static: table: every key finds its one value */
static void
fixed(const char *spec, size_t len)
{
	struct buf	 err = BUF_INIT, val = BUF_INIT;
	struct map	*m = map_open(spec, 0, &err);

	if (m != NULL) {
		CHECK(map_lookup(m, "any@example.com", &val, &err) ==
		    MAP_FOUND);
		CHECK(val.len <= len);
		map_close(m);
	} else
		CHECK(err.len > 0);
	buf_free(&err);
	buf_free(&val);
}

/* lines - the logical lines of the source file at path */
static void
lines(const char *path, size_t max)
{
	struct buf	 err = BUF_INIT, line = BUF_INIT, k = BUF_INIT;
	struct buf	 v = BUF_INIT;
	struct map_src	*src = map_src_open(path, &err);
	size_t		 lineno, last = 0;
	int		 r, nbsp;

	CHECK(src != NULL);
	while ((r = map_src_next(src, &line, &lineno, &err)) > 0) {
		CHECK(line.len > 0 && line.len <= MAP_LINE_MAX);
		CHECK(memchr(line.s, '\0', line.len) == NULL);
		CHECK(lineno > last && lineno <= max + 1);
		last = lineno;
		if (map_split_kv(line.s, line.len, &k, &v, &nbsp) == 0)
			CHECK(k.len > 0 && v.len > 0 &&
			    k.len + v.len <= line.len);
	}
	CHECK(r == 0 || err.len > 0);
	map_src_close(src);
	buf_free(&err);
	buf_free(&line);
	buf_free(&k);
	buf_free(&v);
}

/* patterns - a regexp: or pcre: table, asked its own lines and more */
static void
patterns(const char *spec, const char *s, size_t len)
{
	static const char *const keys[] = {
		"user@example.com", "Subject: hello world", "", "a", "1.2.3.4",
	};
	struct buf	 err = BUF_INIT, val = BUF_INIT, key = BUF_INIT;
	struct map	*m = map_open(spec, 0, &err);
	size_t		 off = 0, n = 0;

	if (m == NULL) {
		CHECK(err.len > 0);
		buf_free(&err);
		return;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		enum map_result	 r = map_lookup(m, keys[i], &val, &err);

		CHECK(r == MAP_FOUND || r == MAP_NOTFOUND || r == MAP_ERROR);
	}
	while (off < len && n++ < 8) {
		const char	*nl = memchr(s + off, '\n', len - off);
		size_t		 l = nl ? (size_t)(nl - s) - off : len - off;
		enum map_result	 r;

		buf_set(&key, s + off, l);
		r = map_lookup(m, buf_cstr(&key), &val, &err);
		CHECK(r == MAP_FOUND || r == MAP_NOTFOUND || r == MAP_ERROR);
		off += l + 1;
	}
	map_close(m);
	buf_free(&err);
	buf_free(&val);
	buf_free(&key);
}

/* aliases - the source's logical lines as aliases(5) entries */
static void
aliases(const char *path)
{
	struct buf		 err = BUF_INIT, line = BUF_INIT;
	struct buf		 name = BUF_INIT, value = BUF_INIT;
	struct alias_items	 items;
	struct map_src		*src = map_src_open(path, &err);
	size_t			 lineno;
	int			 r, nbsp;

	CHECK(src != NULL);
	while (map_src_next(src, &line, &lineno, &err) > 0) {
		r = alias_parse(line.s, line.len, &name, &value, &nbsp, &err);
		CHECK(r >= -1 && r <= 1);
		if (r < 0)
			CHECK(err.len > 0);
		if (r != 1)
			continue;
		CHECK(name.len > 0 && value.len <= line.len);
		alias_items_init(&items);
		r = alias_split(value.s, value.len, &items, &err);
		if (r >= 0) {
			CHECK((size_t)r == items.n && items.n <= ALIAS_ITEMS_MAX);
			for (size_t i = 0; i < items.n; i++) {
				CHECK(items.v[i].text != NULL);
				CHECK(items.v[i].kind == ALIAS_ADDRESS ||
				    items.v[i].kind == ALIAS_COMMAND ||
				    items.v[i].kind == ALIAS_FILE ||
				    items.v[i].kind == ALIAS_INCLUDE);
			}
		}
		alias_items_free(&items);
	}
	map_src_close(src);
	buf_free(&err);
	buf_free(&line);
	buf_free(&name);
	buf_free(&value);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data + 1;
	char		 path[64];
	struct buf	 spec = BUF_INIT;
	size_t		 nl = 0;
	int		 fd;

	if (size == 0)
		return 0;
	size--;
	for (size_t i = 0; i < size; i++)
		nl += s[i] == '\n';
	switch (data[0] % 5) {
	case 0:
	case 1:
	case 2:
	case 4:
		fd = fuzz_memfile(s, size, path, sizeof(path));
		lines(path, nl);
		if (data[0] % 5 == 0) {
			buf_printf(&spec, "texthash:%s", path);
			walked(spec.s, data[0] & 0x80 ? MAP_NOFOLD : 0);
		} else if (data[0] % 5 == 4)
			aliases(path);
		else {
			buf_printf(&spec, "%s:%s", data[0] % 5 == 1 ? "regexp" :
			    "pcre", path);
			patterns(spec.s, s, size);
		}
		close(fd);
		break;
	case 3:
		if (memchr(s, '\0', size) != NULL)
			break;
		buf_adds(&spec, "inline:");
		buf_add(&spec, s, size);
		walked(spec.s, data[0] & 0x80 ? MAP_NOFOLD : 0);
		buf_reset(&spec);
		buf_adds(&spec, "static:");
		buf_add(&spec, s, size);
		fixed(spec.s, size);
		break;
	}
	buf_free(&spec);
	return 0;
}
