/* test_alias - aliases(5) lines and alias value items */
#include "alias.h"

#include <string.h>

#include "buf.h"
#include "tap.h"

#define ITEMS_MAX	6

static void
test_parse(void)
{
	static const struct {
		const char	*line;
		int		 r;
		const char	*name;
		const char	*value;
		int		 nbsp;
	} cases[] = {
		{"root: admin", 1, "root", "admin", 0},
		{"Root : Admin@Example.COM", 1, "Root", "Admin@Example.COM", 0},
		{"list:  a,   b ,c", 1, "list", "a, b ,c", 0},
		{"x: a,\t   b", 1, "x", "a, b", 0},
		{"\"quoted name\": a", 1, "quoted name", "a", 0},
		{"\"a:b\": c", 1, "a:b", "c", 0},
		{"prog: \"|/usr/bin/prog  a,b\"", 1, "prog",
		    "\"|/usr/bin/prog  a,b\"", 0},
		{"inc: :include:/etc/list", 1, "inc", ":include:/etc/list", 0},
		{"nb:\xc2\xa0target", 1, "nb", "target", 1},
		{"# comment", 0, "", "", 0},
		{"   ", 0, "", "", 0},
		{"nocolon value", -1, "nocolon value", "", 0},
		{"empty:", -1, "empty", "", 0},
		{": value", -1, "", "", 0},
		{"\"open: x", -1, "open: x", "", 0},
		{"bad: \"open", -1, "bad", "\"open", 0},
	};
	struct buf	 name = BUF_INIT, value = BUF_INIT, err = BUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int	 nbsp, r;

		r = alias_parse(cases[i].line, strlen(cases[i].line), &name,
		    &value, &nbsp, &err);
		is_int(r, cases[i].r, cases[i].line);
		if (r == 1) {
			is_str(buf_cstr(&name), cases[i].name, "name");
			is_str(buf_cstr(&value), cases[i].value, "value");
			is_int(nbsp, cases[i].nbsp, "no-break space flag");
		}
		if (r < 0)
			ok(err.len > 0, "reason given: %s", buf_cstr(&err));
	}
	buf_free(&name);
	buf_free(&value);
	buf_free(&err);
}

static void
test_split(void)
{
	static const struct {
		const char	*value;
		int		 n;
		struct {
			enum alias_kind	 kind;
			const char	*text;
		} items[ITEMS_MAX];
	} cases[] = {
		{"admin", 1, {{ALIAS_ADDRESS, "admin"}}},
		{"a, b@example.com ,, c", 3, {{ALIAS_ADDRESS, "a"},
		    {ALIAS_ADDRESS, "b@example.com"}, {ALIAS_ADDRESS, "c"}}},
		{"\"|/usr/bin/prog arg, more\", x", 2,
		    {{ALIAS_COMMAND, "/usr/bin/prog arg, more"},
		    {ALIAS_ADDRESS, "x"}}},
		{"|/bin/cat", 1, {{ALIAS_COMMAND, "/bin/cat"}}},
		{":include:/etc/mail/list, /var/log/mailcopy", 2,
		    {{ALIAS_INCLUDE, "/etc/mail/list"},
		    {ALIAS_FILE, "/var/log/mailcopy"}}},
		{":INCLUDE: /x", 1, {{ALIAS_INCLUDE, "/x"}}},
		{"\"/file with space\"", 1, {{ALIAS_FILE, "/file with space"}}},
		{"\"john doe\"@example.com", 1,
		    {{ALIAS_ADDRESS, "\"john doe\"@example.com"}}},
		{"\"a\\\"b\"", 1, {{ALIAS_ADDRESS, "a\"b"}}},
		{"", 0, {{ALIAS_ADDRESS, NULL}}},
		{" , ,", 0, {{ALIAS_ADDRESS, NULL}}},
		{"\"unbalanced, x", -1, {{ALIAS_ADDRESS, NULL}}},
	};
	struct alias_items	 items;
	struct buf		 err = BUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int	 n;

		alias_items_init(&items);
		n = alias_split(cases[i].value, strlen(cases[i].value), &items,
		    &err);
		is_int(n, cases[i].n, cases[i].value);
		for (int j = 0; j < n && j < cases[i].n; j++) {
			is_int(items.v[j].kind, cases[i].items[j].kind, "kind");
			is_str(items.v[j].text, cases[i].items[j].text, "text");
		}
		if (n < 0)
			ok(err.len > 0, "reason: %s", buf_cstr(&err));
		alias_items_free(&items);
	}
	buf_free(&err);
}

int
main(void)
{
	test_parse();
	test_split();
	return tap_done();
}
