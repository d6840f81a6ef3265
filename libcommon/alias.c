/*
 * alias - parse aliases(5) lines and split alias values into items.
 */
#include "alias.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "maps.h"
#include "mem.h"

#define ALIAS_INCLUDE_TAG	":include:"

/* alias_space - length of white space at p (no-break space too), else 0 */
static size_t
alias_space(const char *p, size_t len, int *nbsp)
{
	size_t	 w = map_nbsp_space(p, len);

	if (len > 0 && w == 0 && *p == '\n')
		w = 1;
	if (w == 2)
		*nbsp = 1;
	return w;
}

/* alias_parse - one logical aliases(5) line (see alias.h) */
int
alias_parse(const char *line, size_t len, struct buf *name, struct buf *value,
    int *nbsp, struct buf *err)
{
	size_t	 i = 0, w;
	int	 quoted = 0, pending_space = 0;

	*nbsp = 0;
	buf_reset(name);
	buf_reset(value);
	buf_reset(err);
	while (i < len && (w = alias_space(line + i, len - i, nbsp)) > 0)
		i += w;
	if (i == len || line[i] == '#')
		return 0;

	/*
	 * The name: up to the first colon outside quotes.
	 */
	for (; i < len; i++) {
		char	 c = line[i];

		if (c == '"') {
			quoted = !quoted;
			continue;
		}
		if (quoted && c == '\\' && i + 1 < len) {
			buf_addc(name, line[++i]);
			continue;
		}
		if (!quoted && c == ':')
			break;
		buf_addc(name, c);
	}
	if (quoted) {
		buf_adds(err, "missing closing quote in alias name");
		return -1;
	}
	if (i == len) {
		buf_adds(err, "expected format: name: value");
		return -1;
	}
	/* "name :" - white space before the colon is not part of it. */
	w = name->len;
	while (w > 0 && (name->s[w - 1] == ' ' || name->s[w - 1] == '\t'))
		w--;
	buf_truncate(name, w);
	if (name->len == 0) {
		buf_adds(err, "empty alias name");
		return -1;
	}
	i++;

	/*
	 * The value: white space outside quotes squeezed to one space.
	 */
	quoted = 0;
	while (i < len && (w = alias_space(line + i, len - i, nbsp)) > 0)
		i += w;
	for (; i < len; i++) {
		char	 c = line[i];

		if (!quoted && (w = alias_space(line + i, len - i, nbsp)) > 0) {
			pending_space = 1;
			i += w - 1;
			continue;
		}
		if (pending_space) {
			buf_addc(value, ' ');
			pending_space = 0;
		}
		if (c == '"')
			quoted = !quoted;
		else if (quoted && c == '\\' && i + 1 < len) {
			buf_addc(value, c);
			c = line[++i];
		}
		buf_addc(value, c);
	}
	if (quoted) {
		buf_adds(err, "missing closing quote in alias value");
		return -1;
	}
	if (value->len == 0) {
		buf_adds(err, "expected format: name: value");
		return -1;
	}
	return 1;
}

/* alias_items_init - an empty list */
void
alias_items_init(struct alias_items *items)
{
	items->v = NULL;
	items->n = items->cap = 0;
}

/* alias_items_free - release the items and their text */
void
alias_items_free(struct alias_items *items)
{
	for (size_t i = 0; i < items->n; i++)
		free(items->v[i].text);
	free(items->v);
	alias_items_init(items);
}

/* alias_unquote - s[0..len) without its quotes, if wholly quoted */
static void
alias_unquote(const char *s, size_t len, struct buf *out)
{
	buf_reset(out);
	if (len < 2 || s[0] != '"' || s[len - 1] != '"') {
		buf_set(out, s, len);
		return;
	}
	/* Wholly quoted only if the first quote closes at the very end. */
	for (size_t i = 1; i < len - 1; i++) {
		if (s[i] == '\\' && i + 1 < len - 1) {
			buf_addc(out, s[++i]);
			continue;
		}
		if (s[i] == '"') {
			buf_set(out, s, len);
			return;
		}
		buf_addc(out, s[i]);
	}
}

/* alias_add - classify one item and append it */
static void
alias_add(struct alias_items *items, const char *s, size_t len)
{
	struct buf		 t = BUF_INIT;
	struct alias_item	*it;
	size_t			 tag = strlen(ALIAS_INCLUDE_TAG), skip = 0;
	enum alias_kind		 kind = ALIAS_ADDRESS;

	alias_unquote(s, len, &t);
	if (t.len > 0 && t.s[0] == '|') {
		kind = ALIAS_COMMAND;
		skip = 1;
	} else if (t.len >= tag &&
	    strncasecmp(t.s, ALIAS_INCLUDE_TAG, tag) == 0) {
		kind = ALIAS_INCLUDE;
		skip = tag;
	} else if (t.len > 0 && t.s[0] == '/')
		kind = ALIAS_FILE;
	while (skip < t.len && (t.s[skip] == ' ' || t.s[skip] == '\t'))
		skip++;
	if (items->n == items->cap) {
		items->cap = items->cap ? items->cap * 2 : 4;
		items->v = xreallocarray(items->v, items->cap,
		    sizeof(*items->v));
	}
	it = &items->v[items->n++];
	it->kind = kind;
	/* t.s is NULL when the item was "" */
	it->text = xstrndup(t.s ? t.s + skip : "", t.len - skip);
	buf_free(&t);
}

/* alias_split - a value into classified items (see alias.h) */
int
alias_split(const char *value, size_t len, struct alias_items *items,
    struct buf *err)
{
	size_t	 start = 0;
	int	 quoted = 0;

	buf_reset(err);
	for (size_t i = 0; i <= len; i++) {
		const char	*s;
		size_t		 n;

		if (i + 1 < len && value[i] == '\\' && quoted) {
			i++;
			continue;
		}
		if (i < len && value[i] == '"')
			quoted = !quoted;
		if (i < len && (quoted || value[i] != ','))
			continue;
		if (quoted) {
			buf_adds(err, "missing closing quote");
			return -1;
		}
		s = value + start;
		n = i - start;
		while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n')) {
			s++;
			n--;
		}
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
		    s[n - 1] == '\n'))
			n--;
		if (n > 0) {
			if (items->n == ALIAS_ITEMS_MAX) {
				buf_printf(err, "more than %d items",
				    ALIAS_ITEMS_MAX);
				return -1;
			}
			alias_add(items, s, n);
		}
		start = i + 1;
	}
	return (int)items->n;
}
