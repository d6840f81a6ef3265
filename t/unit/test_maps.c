/* test_maps - lookup tables: every type, lookup orders, errors, seed tables */
#include "maps.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "exits.h"
#include "file.h"
#include "tap.h"

#define NKEYS_MAX	8

static char	 tmpdir[] = "/tmp/pm-test-maps-XXXXXX";

struct want {
	const char	*key;
	int		 result;	/* MAP_FOUND or MAP_NOTFOUND */
	const char	*value;
};

#define TPATH_SLOTS	8

static struct buf	 tpaths[TPATH_SLOTS];

/* tpath - a path in the temporary directory (one of a few static buffers) */
static const char *
tpath(const char *name)
{
	static size_t	 next;
	struct buf	*p = &tpaths[next++ % TPATH_SLOTS];

	buf_reset(p);
	buf_printf(p, "%s/%s", tmpdir, name);
	return p->s;
}

/* show - key for a test name: newlines written as \\n */
static const char *
show(struct buf *out, const char *key)
{
	buf_reset(out);
	for (; *key != '\0'; key++)
		if (*key == '\n')
			buf_adds(out, "\\n");
		else
			buf_addc(out, *key);
	return out->s;
}

/* put_file - write text to a file in the temporary directory */
static const char *
put_file(const char *name, const char *text, size_t len)
{
	const char	*path = tpath(name);

	if (file_replace(path, text, len, 0644) < 0)
		abort();
	return path;
}

/* check_table - look each key up, compare result and value */
static void
check_table(const char *spec, int flags, const struct want *w, size_t n)
{
	struct buf	 err = BUF_INIT, val = BUF_INIT, name = BUF_INIT;
	struct buf	 key = BUF_INIT;
	struct map	*m = map_open(spec, flags, &err);

	if (!ok(m != NULL, "open %s", spec)) {
		printf("#   error: %s\n", buf_cstr(&err));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		int	 r = map_lookup(m, w[i].key, &val, &err);

		buf_reset(&name);
		buf_printf(&name, "%s: %s", spec, show(&key, w[i].key));
		is_int(r, w[i].result, name.s);
		if (r == MAP_FOUND && w[i].result == MAP_FOUND)
			is_str(buf_cstr(&val), w[i].value, name.s);
	}
	map_close(m);
	buf_free(&err);
	buf_free(&val);
	buf_free(&name);
	buf_free(&key);
}

/* capture_stderr - send stderr to a file (restore with release) */
static int
capture_stderr(const char *path)
{
	int	 saved = dup(STDERR_FILENO);
	int	 fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	close(fd);
	return saved;
}

/* release_stderr - restore stderr and return what was captured */
static void
release_stderr(int saved, const char *path, struct buf *out)
{
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	buf_reset(out);
	if (file_read(path, out, 1 << 20) < 0)
		buf_reset(out);
}

static const char texthash_src[] =
	"# a comment\n"
	"Alice@Example.COM   alice-result\n"
	"bob\tbob result with  spaces   \n"
	"\n"
	"carol first\n"
	"   second line\n"
	"# comment inside\n"
	"\tthird\n"
	"novalue\n"
	"dup first\n"
	"DUP second\n"
	"nb\xc2\xa0\xc2\xa0 nbsp value\xc2\xa0\n";

static void
test_texthash(void)
{
	static const struct want	 w[] = {
		{"alice@example.com", MAP_FOUND, "alice-result"},
		{"ALICE@example.com", MAP_FOUND, "alice-result"},
		{"bob", MAP_FOUND, "bob result with  spaces"},
		{"carol", MAP_FOUND, "first   second line\tthird"},
		{"novalue", MAP_NOTFOUND, NULL},
		{"dup", MAP_FOUND, "first"},
		{"nb", MAP_FOUND, "nbsp value"},
		{"second", MAP_NOTFOUND, NULL},
		{"", MAP_NOTFOUND, NULL},
	};
	static const struct want	 nofold[] = {
		{"Alice@Example.COM", MAP_FOUND, "alice-result"},
		{"alice@example.com", MAP_NOTFOUND, NULL},
		{"DUP", MAP_FOUND, "second"},
	};
	struct buf	 spec = BUF_INIT, log = BUF_INIT;
	const char	*errpath = tpath("stderr");
	int		 saved;

	put_file("text", texthash_src, sizeof(texthash_src) - 1);
	buf_printf(&spec, "texthash:%s", tpath("text"));
	saved = capture_stderr(errpath);
	check_table(spec.s, 0, w, sizeof(w) / sizeof(w[0]));
	release_stderr(saved, errpath, &log);
	ok(strstr(log.s, "text:9: expected format: key whitespace value")
	    != NULL, "missing value warned with file:line");
	ok(strstr(log.s, "text:11: duplicate entry: \"dup\"") != NULL,
	    "duplicate warned with file:line");
	ok(strstr(log.s, "text:12: no-break space (U+00A0) read as white "
	    "space") != NULL, "no-break space warned");
	check_table(spec.s, MAP_NOFOLD, nofold,
	    sizeof(nofold) / sizeof(nofold[0]));
	buf_free(&spec);
	buf_free(&log);
}

static void
test_static_inline(void)
{
	static const struct want	 st[] = {
		{"anything", MAP_FOUND, "any"},
		{"", MAP_FOUND, "any"},
	};
	static const struct want	 sp[] = {
		{"x", MAP_FOUND, "text with spaces"},
	};
	static const struct want	 in[] = {
		{"key", MAP_FOUND, "value"},
		{"KEY2", MAP_FOUND, "value2"},
		{"k3", MAP_FOUND, "a, b"},
		{"k4", MAP_FOUND, ""},
		{"missing", MAP_NOTFOUND, NULL},
	};

	check_table("static:any", 0, st, 2);
	check_table("static:{ text with spaces }", 0, sp, 1);
	check_table("inline:{ key = value, key2=value2, { k3 = a, b }, k4= }",
	    0, in, sizeof(in) / sizeof(in[0]));
}

static void
test_hash(void)
{
	static const struct want	 w[] = {
		{"root", MAP_FOUND, "admin"},
		{"ROOT", MAP_FOUND, "admin"},
		{"mixed", MAP_FOUND, "Value Kept"},
		{"nobody", MAP_NOTFOUND, NULL},
	};
	static const struct want	 w2[] = {
		{"root", MAP_FOUND, "second"},
		{"mixed", MAP_NOTFOUND, NULL},
		{"new", MAP_FOUND, "entry"},
	};
	struct buf		 err = BUF_INIT, spec = BUF_INIT;
	struct buf		 val = BUF_INIT;
	struct map_builder	*b;
	struct map		*m;
	struct stat		 st;

	buf_printf(&spec, "hash:%s", tpath("h"));
	b = map_build_begin(spec.s, 0, &err);
	if (!ok(b != NULL, "build begin")) {
		printf("#   %s\n", err.s);
		return;
	}
	is_int(map_build_put(b, "Root", "admin", &err), MAP_PUT_STORED,
	    "put");
	is_int(map_build_put(b, "root", "other", &err), MAP_PUT_DUPLICATE,
	    "folded duplicate detected");
	is_int(map_build_put(b, "MIXED", "Value Kept", &err), MAP_PUT_STORED,
	    "put mixed");
	ok(stat(tpath("h.db"), &st) < 0, "no table before commit");
	is_int(map_build_commit(b, &err), 0, "commit");
	check_table(spec.s, 0, w, sizeof(w) / sizeof(w[0]));

	/* A reader open across an update sees the new table a second on. */
	m = map_open(spec.s, 0, &err);
	b = map_build_begin(spec.s, MAP_UPDATE | MAP_REPLACE, &err);
	ok(b != NULL, "update begin");
	is_int(map_build_put(b, "root", "second", &err), MAP_PUT_DUPLICATE,
	    "replace");
	is_int(map_build_delete(b, "Mixed", &err), 1, "delete found");
	is_int(map_build_delete(b, "none", &err), 0, "delete not found");
	is_int(map_build_put(b, "new", "entry", &err), MAP_PUT_STORED, "add");
	is_int(map_lookup(m, "root", &val, &err), MAP_FOUND, "old reader");
	is_str(val.s, "admin", "old table until commit");
	is_int(map_build_commit(b, &err), 0, "update commit");
	sleep(1);
	is_int(map_lookup(m, "root", &val, &err), MAP_FOUND, "reopened");
	is_str(val.s, "second", "reader sees the new table");
	map_close(m);
	check_table(spec.s, 0, w2, sizeof(w2) / sizeof(w2[0]));

	/* postmap -N: keys and values stored with a NUL, found all the same. */
	b = map_build_begin(spec.s, MAP_NUL, &err);
	map_build_put(b, "k", "v", &err);
	map_build_commit(b, &err);
	{
		static const struct want	 wn[] = {
			{"k", MAP_FOUND, "v"},
			{"x", MAP_NOTFOUND, NULL},
		};

		check_table(spec.s, 0, wn, 2);
	}

	/* Only hash: tables can be built; a missing .db is ENOENT. */
	ok(map_build_begin("regexp:/x", 0, &err) == NULL, "regexp not built");
	errno = 0;
	ok(map_open("hash:/nonexistent/x", 0, &err) == NULL &&
	    errno == ENOENT, "missing hash table is ENOENT");
	ok(strstr(err.s, "/nonexistent/x.db") != NULL, "error names .db");
	buf_free(&err);
	buf_free(&spec);
	buf_free(&val);
}

static const char regexp_src[] =
	"# flags, negation, nesting, substitution\n"
	"/^exact$/\tEXACT\n"
	"/^Case$/i\tcase-sensitive\n"
	"/^(\\w+)@(\\w+)\\.example$/ user=$1 dom=${2} cost=$$5\n"
	"!/@/ no-at-sign\n"
	"if /^if-/\n"
	"if !/-no$/\n"
	"/-yes$/ nested-yes\n"
	"endif\n"
	"/-no$/ nested-no\n"
	"endif\n"
	"#pipe|delimited|\n"
	"|a\\|b| pipe-delim\n"
	"/^first@/!/second/ first-not-second\n"
	"/^(opt)?x@z$/ [$1]\n";

static void
test_regexp(void)
{
	static const struct want	 w[] = {
		{"exact", MAP_FOUND, "EXACT"},
		{"EXACT", MAP_FOUND, "EXACT"},
		{"Case", MAP_FOUND, "case-sensitive"},
		{"case", MAP_FOUND, "no-at-sign"},
		{"case@x", MAP_NOTFOUND, NULL},
		{"Joe@Host.example", MAP_FOUND, "user=Joe dom=Host cost=$5"},
		{"plain", MAP_FOUND, "no-at-sign"},
		{"if-x@a-yes", MAP_FOUND, "nested-yes"},
		{"if-x@a-no", MAP_FOUND, "nested-no"},
		{"x@a-yes", MAP_NOTFOUND, NULL},
		{"if-x@a-maybe", MAP_NOTFOUND, NULL},
		{"a|b@", MAP_FOUND, "pipe-delim"},
		{"first@x", MAP_FOUND, "first-not-second"},
		{"first@second", MAP_NOTFOUND, NULL},
		{"x@z", MAP_FOUND, "[]"},
	};
	struct buf	 spec = BUF_INIT;

	put_file("re", regexp_src, sizeof(regexp_src) - 1);
	buf_printf(&spec, "regexp:%s", tpath("re"));
	check_table(spec.s, 0, w, sizeof(w) / sizeof(w[0]));
	buf_reset(&spec);
	buf_printf(&spec, "pcre:%s", tpath("re"));
	check_table(spec.s, 0, w, sizeof(w) / sizeof(w[0]));
	buf_free(&spec);
}

/* alias_maps opens its tables with MAP_NO_REGSUB: a rule that would put
 * the key's text into the result ("|cmd $1") is skipped, the rest stay */
static void
test_no_regsub(void)
{
	static const char	 src[] =
		"/^(.*)-list$/ |/usr/bin/list $1\n"
		"/^cost$/ $$5\n"
		"/^(.*)-list$/ fallback\n";
	static const struct want	 w[] = {
		{"a;touch x;-list", MAP_FOUND, "fallback"},
		{"cost", MAP_FOUND, "$5"},
	};
	static const struct want	 w_sub[] = {
		{"a-list", MAP_FOUND, "|/usr/bin/list a"},
	};
	struct buf	 spec = BUF_INIT;

	put_file("nrs", src, sizeof(src) - 1);
	buf_printf(&spec, "regexp:%s", tpath("nrs"));
	check_table(spec.s, MAP_NO_REGSUB, w, sizeof(w) / sizeof(w[0]));
	check_table(spec.s, 0, w_sub, sizeof(w_sub) / sizeof(w_sub[0]));
	buf_reset(&spec);
	buf_printf(&spec, "pcre:%s", tpath("nrs"));
	check_table(spec.s, MAP_NO_REGSUB, w, sizeof(w) / sizeof(w[0]));
	buf_free(&spec);
}

static void
test_pcre_flags(void)
{
	static const char	 src[] =
		"/^a.b$/s dotall\n"
		"/^line2$/m multiline\n"
		"/ a b c /x extended\n"
		"/^(a+?)/U greedy:$1\n";
	static const struct want	 w[] = {
		{"a\nb", MAP_FOUND, "dotall"},
		{"line1\nline2", MAP_FOUND, "multiline"},
		{"abc", MAP_FOUND, "extended"},
		{"aaa", MAP_FOUND, "greedy:aaa"},
	};
	struct buf	 spec = BUF_INIT;

	put_file("pf", src, sizeof(src) - 1);
	buf_printf(&spec, "pcre:%s", tpath("pf"));
	check_table(spec.s, 0, w, sizeof(w) / sizeof(w[0]));
	buf_free(&spec);
}

static void
test_errors(void)
{
	static const struct {
		const char	*type;
		const char	*text;
		const char	*want;		/* in the message */
	} cases[] = {
		{"regexp", "/a/ ok\nif /b/\n/c/ x\n",
		    "bad:2: if without endif"},
		{"pcre", "/a/ ok\n/(/ x\n", "bad:2: bad regular expression"},
		{"regexp", "endif\n", "bad:1: endif without if"},
		{"regexp", "/a/q x\n", "bad:1: unknown flag \"q\""},
		{"regexp", "/a/s x\n", "bad:1: unknown flag \"s\""},
		{"regexp", "/a/x x\n", "bad:1: flag \"x\""},
		{"pcre", "/(a)/ $2\n", "bad:1: replacement $2"},
		{"pcre", "/a/ $x\n", "bad:1: bad replacement"},
		{"pcre", "!/(a)/ $1\n", "bad:1: $1 in the result of a negated"},
		{"pcre", "/abc x\n", "bad:1: no closing delimiter"},
		{"pcre", "word x\n", "bad:1: expected /pattern/"},
		{"regexp", "/a/ x\n/b\0/ y\n", "bad:2: NUL byte"},
		{"texthash", "a b\nc\0 d\n", "bad:2: NUL byte"},
		{"inline", NULL, "expected \"key = value\""},
	};
	struct buf	 err = BUF_INIT, spec = BUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct map	*m;

		buf_reset(&spec);
		if (cases[i].text == NULL)
			buf_adds(&spec, "inline:{ novalue }");
		else {
			/* The texts hold NULs: size them by hand. */
			size_t	 len = strlen(cases[i].text);

			if (strstr(cases[i].want, "NUL") != NULL)
				len += 1 + strlen(cases[i].text + len + 1);
			put_file("bad", cases[i].text, len);
			buf_printf(&spec, "%s:%s", cases[i].type, tpath("bad"));
		}
		errno = 0;
		m = map_open(spec.s, 0, &err);
		ok(m == NULL && errno == EINVAL, "%s refused (EINVAL)",
		    cases[i].want);
		if (!ok(strstr(buf_cstr(&err), cases[i].want) != NULL,
		    "message: %s", cases[i].want))
			printf("#   got: %s\n", buf_cstr(&err));
		map_close(m);
	}

	/* A line past MAP_LINE_MAX: an error naming file:line. */
	{
		size_t		 n = 1 << 20;
		char		*big = malloc(n + 4);
		struct map	*m;

		memcpy(big, "a b\n", 4);
		memset(big + 4, 'x', n - 1);
		big[n + 3] = '\n';
		put_file("big", big, n + 4);
		free(big);
		buf_reset(&spec);
		buf_printf(&spec, "texthash:%s", tpath("big"));
		m = map_open(spec.s, 0, &err);
		ok(m == NULL && strstr(buf_cstr(&err), "big:2: line longer")
		    != NULL, "1 MB line refused with file:line");
		map_close(m);
	}
	errno = 0;
	ok(map_open("regexp:/nonexistent", 0, &err) == NULL && errno == ENOENT,
	    "missing regexp file is ENOENT");
	ok(map_open("nosuchtype:x", 0, &err) == NULL &&
	    strstr(err.s, "unsupported table type") != NULL, "unknown type");
	ok(map_open("notype", 0, &err) == NULL, "spec without type");
	buf_free(&err);
	buf_free(&spec);
}

static void
test_orders(void)
{
	static const struct {
		enum map_order	 order;
		const char	*query;
		int		 flags;
		const char	*keys[NKEYS_MAX];
	} cases[] = {
		{MAP_ORDER_ACCESS, "user@sub.example.com", 0,
		    {"user@sub.example.com", "sub.example.com", "example.com",
		    "com", "user@"}},
		{MAP_ORDER_ACCESS, "postmaster", 0, {"postmaster"}},
		{MAP_ORDER_ACCESS, "@example.com", 0,
		    {"@example.com", "example.com", "com"}},
		{MAP_ORDER_HOST, "mx.example.com", 0,
		    {"mx.example.com", "example.com", "com"}},
		{MAP_ORDER_IP, "83.156.130.100", 0,
		    {"83.156.130.100", "83.156.130", "83.156", "83"}},
		{MAP_ORDER_IP, "2001:db8::1", 0,
		    {"2001:db8::1", "2001:db8:", "2001:db8", "2001"}},
		{MAP_ORDER_TRANSPORT, "user@sub.domain.com", 0,
		    {"user@sub.domain.com", "sub.domain.com", ".domain.com",
		    ".com", "*"}},
		{MAP_ORDER_ALIAS, "user@example.com", 0,
		    {"user@example.com", "@example.com"}},
		{MAP_ORDER_ALIAS, "user@example.com", MAP_LOCAL,
		    {"user@example.com", "user", "@example.com"}},
		{MAP_ORDER_ALIAS, "root", MAP_LOCAL, {"root"}},
		{MAP_ORDER_DOMAIN, "a.b.example", 0,
		    {"a.b.example", ".b.example", ".example"}},
	};
	struct map_keys	 k;
	struct buf	 err = BUF_INIT, name = BUF_INIT;

	map_keys_init(&k);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t	 n = 0;

		while (n < NKEYS_MAX && cases[i].keys[n] != NULL)
			n++;
		is_int(map_keys_make(&k, cases[i].order, cases[i].query,
		    cases[i].flags, &err), 0, cases[i].query);
		buf_reset(&name);
		buf_printf(&name, "order %d %s: %zu keys", (int)cases[i].order,
		    cases[i].query, n);
		is_int((long long)k.n, (long long)n, name.s);
		for (size_t j = 0; j < n && j < k.n; j++)
			is_str(map_keys_get(&k, j), cases[i].keys[j], name.s);
	}
	is_int(map_keys_make(&k, MAP_ORDER_ACCESS, "", 0, &err), -1,
	    "empty query refused");
	map_keys_free(&k);
	buf_free(&err);
	buf_free(&name);
}

static void
test_find(void)
{
	struct buf	 err = BUF_INIT, val = BUF_INIT, key = BUF_INIT;
	struct buf	 specs = BUF_INIT;
	struct map_list	*l;

	/* A pattern table sees only the whole query. */
	put_file("pat", "/^example\\.com$/ PATTERN\n/^user@/ USER\n", 39);
	buf_printf(&specs, "regexp:%s, inline:{ { .example.com = dot }, "
	    "sub.example.com = SUB }", tpath("pat"));
	l = map_list_open(specs.s, 0, &err);
	if (!ok(l != NULL, "list open")) {
		printf("#   %s\n", err.s);
		return;
	}
	is_int((long long)map_list_count(l), 2, "two tables in the list");
	is_int(map_find(l, MAP_ORDER_TRANSPORT, "x@example.com", 0, &val, &key,
	    &err), MAP_NOTFOUND, "pattern not tried on partial keys");
	is_int(map_find(l, MAP_ORDER_TRANSPORT, "x@a.example.com", 0, &val,
	    &key, &err), MAP_FOUND, "parent found");
	is_str(val.s, "dot", "parent value");
	is_str(key.s, ".example.com", "parent key reported");
	is_int(map_find(l, MAP_ORDER_TRANSPORT, "user@sub.example.com", 0,
	    &val, &key, &err), MAP_FOUND, "whole key in pattern table first");
	is_str(val.s, "USER", "pattern wins on the whole key");
	is_int(map_list_lookup(l, "sub.example.com", &val, &err), MAP_FOUND,
	    "list lookup, second table");
	is_str(val.s, "SUB", "second table value");
	map_list_close(l);
	ok(map_list_open("inline:{ a = b", 0, &err) == NULL,
	    "unbalanced brace in list refused");
	buf_free(&err);
	buf_free(&val);
	buf_free(&key);
	buf_free(&specs);
}

static void
test_seed(void)
{
	static const struct want	 access[] = {
		{"zakat.guide@gmail.com", MAP_FOUND,
		    "550 Sorry, You are BLOCKED"},
		{"xxx@123.net", MAP_FOUND,
		    "550 Sorry, You are BLOCKED on Our Network"},
		{"83.156.130.100", MAP_FOUND,
		    "550 Sorry, You are BLOCKED on Our"},
		{"221.29.132.160", MAP_FOUND, "550 Sorry, You are"},
		{"1.2.3.4", MAP_NOTFOUND, NULL},
	};
	static const struct want	 transport[] = {
		{"domain.com", MAP_FOUND, "local:"},
		{".domain.com", MAP_FOUND, "local:"},
		{"sub.domain.com", MAP_NOTFOUND, NULL},
	};
	static const struct want	 header[] = {
		{"Subject: 5 Minute Auto Loan", MAP_FOUND,
		    "REJECT I can\xe2\x80\x99t except mail from you!!."},
		{"From: khatun@123.net.ae", MAP_FOUND,
		    "REJECT Your PC is Virus Infected, Clean it first."},
		{"subject: you just wont a free greencard!", MAP_FOUND,
		    "REJECT I can\xe2\x80\x99t except mail from you!!."},
		{"Subject: hello", MAP_NOTFOUND, NULL},
	};
	static const struct want	 body[] = {
		{"See Your Secure Investment now", MAP_FOUND,
		    "REJECT You are BLOCKED on Our Network."},
		{"young teen bitches", MAP_FOUND,
		    "REJECT You are BLOCKED on Our Network."},
		{"an ordinary line", MAP_NOTFOUND, NULL},
	};
	struct buf		 err = BUF_INIT, val = BUF_INIT;
	struct buf		 spec = BUF_INIT, log = BUF_INIT;
	struct map_builder	*b;
	struct map_src		*src;
	struct map_list		*l;
	struct buf		 line = BUF_INIT, k = BUF_INIT, v = BUF_INIT;
	size_t			 lineno;
	int			 nbsp, saved;

	/* Build hash:seed-access as postmap does, then look up. */
	saved = capture_stderr(tpath("stderr"));
	src = map_src_open("t/data/seed-access", &err);
	buf_printf(&spec, "hash:%s", tpath("access"));
	b = map_build_begin(spec.s, 0, &err);
	ok(src != NULL && b != NULL, "seed access opened");
	while (src && b && map_src_next(src, &line, &lineno, &err) > 0)
		if (map_split_kv(line.s, line.len, &k, &v, &nbsp) == 0) {
			if (nbsp)
				map_src_nbsp(src, lineno);
			map_build_put(b, k.s, v.s, &err);
		}
	map_src_close(src);
	is_int(map_build_commit(b, &err), 0, "seed access built");
	release_stderr(saved, tpath("stderr"), &log);
	ok(strstr(log.s, "seed-access:3: no-break space") != NULL,
	    "seed access: one no-break space warning");
	ok(strstr(log.s, "seed-access:4") == NULL, "only one warning");
	check_table(spec.s, 0, access, sizeof(access) / sizeof(access[0]));

	saved = capture_stderr(tpath("stderr"));
	check_table("texthash:t/data/seed-transport", 0, transport,
	    sizeof(transport) / sizeof(transport[0]));
	check_table("regexp:t/data/seed-header_checks", 0, header,
	    sizeof(header) / sizeof(header[0]));
	check_table("pcre:t/data/seed-body_checks", 0, body,
	    sizeof(body) / sizeof(body[0]));

	/* Routing: .domain.com matches a subdomain in transport order. */
	l = map_list_open("texthash:t/data/seed-transport", 0, &err);
	is_int(map_find(l, MAP_ORDER_TRANSPORT, "u@sub.domain.com", 0, &val,
	    NULL, &err), MAP_FOUND, "transport order finds .domain.com");
	is_str(val.s, "local:", "transport result");
	map_list_close(l);
	release_stderr(saved, tpath("stderr"), &log);
	ok(strstr(log.s, "seed-header_checks:1: no-break space") != NULL,
	    "header_checks no-break space warned");

	buf_free(&err);
	buf_free(&val);
	buf_free(&spec);
	buf_free(&log);
	buf_free(&line);
	buf_free(&k);
	buf_free(&v);
}

static void
test_split_kv(void)
{
	static const struct {
		const char	*line;
		int		 r;
		const char	*key;
		const char	*value;
		int		 nbsp;
	} cases[] = {
		{"a b", 0, "a", "b", 0},
		{"a\t \tb c  ", 0, "a", "b c", 0},
		{"a\xc2\xa0 b", 0, "a", "b", 1},
		{"a b\xc2\xa0", 0, "a", "b", 1},
		{"novalue", -1, "novalue", "", 0},
		{"novalue   ", -1, "novalue", "", 0},
	};
	struct buf	 k = BUF_INIT, v = BUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int	 nbsp;

		is_int(map_split_kv(cases[i].line, strlen(cases[i].line), &k,
		    &v, &nbsp), cases[i].r, cases[i].line);
		is_str(buf_cstr(&k), cases[i].key, "key");
		is_str(buf_cstr(&v), cases[i].value, "value");
		is_int(nbsp, cases[i].nbsp, "nbsp flag");
	}
	buf_free(&k);
	buf_free(&v);
}

int
main(void)
{
	struct buf	 cmd = BUF_INIT;

	if (mkdtemp(tmpdir) == NULL)
		abort();
	test_split_kv();
	test_texthash();
	test_static_inline();
	test_hash();
	test_regexp();
	test_no_regsub();
	test_pcre_flags();
	test_errors();
	test_orders();
	test_find();
	test_seed();
	buf_printf(&cmd, "rm -rf %s", tmpdir);
	(void)!system(cmd.s);
	buf_free(&cmd);
	for (size_t i = 0; i < TPATH_SLOTS; i++)
		buf_free(&tpaths[i]);
	return tap_done();
}
