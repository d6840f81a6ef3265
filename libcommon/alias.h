/*
 * alias - aliases(5) syntax, as a pure parser: no I/O, no exit.
 *
 * alias_parse() takes one logical line (continuation lines already joined,
 * see map_src_next() in maps.h) of the form
 *	name: value, value, ...
 * and returns 1 with the name (quotes removed, not case-folded) and the
 * value (white space outside quotes squeezed to one space, trimmed, as
 * postalias stores it), 0 for a blank or comment line, or -1 with a
 * reason in err.  *nbsp is set when a no-break space (U+00A0) was read
 * as white space.
 *
 * alias_split() splits a value at the commas outside double quotes into
 * items and classifies each:
 *	"|command args"  |command	ALIAS_COMMAND	text: "command args"
 *	:include:/file			ALIAS_INCLUDE	text: "/file"
 *	/file/name			ALIAS_FILE	text: "/file/name"
 *	user, user@domain		ALIAS_ADDRESS	text as written
 * An item wholly inside double quotes is unquoted first (backslash
 * escapes the next character).  Empty items are skipped.  Returns the
 * number of items, or -1 with a reason in err (unbalanced quote).  The
 * caller frees items with alias_items_free().
 */
#ifndef PIPEMAIL_ALIAS_H
#define PIPEMAIL_ALIAS_H

#include <stddef.h>

#include "buf.h"

#define ALIAS_ITEMS_MAX	100000	/* most items in one value */

enum alias_kind {
	ALIAS_ADDRESS,
	ALIAS_COMMAND,
	ALIAS_FILE,
	ALIAS_INCLUDE,
};

struct alias_item {
	enum alias_kind	 kind;
	char		*text;
};

struct alias_items {
	struct alias_item	*v;
	size_t			 n;
	size_t			 cap;
};

int	 alias_parse(const char *, size_t, struct buf *, struct buf *, int *,
	    struct buf *);
int	 alias_split(const char *, size_t, struct alias_items *, struct buf *);
void	 alias_items_init(struct alias_items *);
void	 alias_items_free(struct alias_items *);

#endif
