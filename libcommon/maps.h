/*
 * maps - lookup tables behind one interface, Postfix style.
 *
 * A table is opened from a "type:name" spec and answers lookups with
 * MAP_FOUND (value set), MAP_NOTFOUND or MAP_ERROR (message in err).  An
 * error is temporary: callers must defer, never treat it as "not found".
 *
 * Types:
 *   hash:FILE       gdbm file FILE.db built by postmap(1)/postalias(1);
 *                   reopened when FILE.db is replaced (checked at most
 *                   once a second)
 *   texthash:FILE   FILE in postmap(1) source syntax, read into memory
 *   static:VALUE    every key yields VALUE (static:{ text } keeps spaces)
 *   inline:{ k = v, { k2 = v, w }, ... }   the table in the spec itself
 *   regexp:FILE, pcre:FILE   Postfix regexp_table(5)/pcre_table(5) rules,
 *                   both compiled with PCRE2 (JIT), whole key only
 *   unix:passwd.byname, unix:group.byname   the system databases
 *                   (maps_unix.c)
 * Keys are folded to lower case when a table is built and when it is
 * searched, unless MAP_NOFOLD is given (postmap -f); regexp and pcre
 * tables see the key as given and decide case by their own flags.
 *
 * Source syntax (hash and texthash): "key value" separated by white
 * space; a line starting with white space continues the previous one;
 * blank lines and lines starting with "#" are ignored.  A no-break space
 * (U+00A0) where white space belongs is read as white space, with one
 * warning per file.  A physical or logical line longer than MAP_LINE_MAX,
 * or one holding a NUL byte, is an error naming file:line.
 *
 * When map_open() or map_list_open() fails, errno tells why: ENOENT (a
 * file is missing), EINVAL (bad syntax, "file:line" in err), or another
 * system error.
 *
 * Ownership: map_open()/map_list_open() return objects the caller closes;
 * values are written into caller buffers.  A map is not thread-safe (it
 * keeps scratch space); use one per thread.
 */
#ifndef PIPEMAIL_MAPS_H
#define PIPEMAIL_MAPS_H

#include <stddef.h>

#include "buf.h"

#define MAP_LINE_MAX	(256 * 1024)	/* longest source line, bytes */
#define MAP_QUERY_MAX	4096		/* longest query for map_find() */

enum map_result {
	MAP_FOUND = 0,
	MAP_NOTFOUND = 1,
	MAP_ERROR = -1,
};

/* Open flags. */
#define MAP_NOFOLD	0x01	/* keys are case-sensitive (postmap -f) */
#define MAP_NUL		0x02	/* build: store keys and values with a NUL */
#define MAP_CONFIG	0x40	/* the spec is a main.cf value: a relative
				 * file name is relative to the config dir */
/*
 * MAP_NO_REGSUB: in regexp and pcre tables a rule whose result takes text
 * from the key ($1) is skipped with a warning (Postfix's rule for
 * alias_maps: a sender's text must never become part of a command or a
 * file name).
 */
#define MAP_NO_REGSUB	0x80

struct map;
struct map_list;

struct map *map_open(const char *, int, struct buf *);
enum map_result map_lookup(struct map *, const char *, struct buf *,
	    struct buf *);
void	 map_close(struct map *);
const char *map_spec(const struct map *);
int	 map_is_pattern(const struct map *);

/*
 * map_walk() calls fn for every entry of a hash, texthash or inline
 * table (postmap -s); fn returns 0 to go on, non-zero to stop.  Returns 0,
 * or -1 with a message in err (also for types that cannot be listed).
 */
typedef int map_walk_fn(void *, const char *, size_t, const char *, size_t);
int	 map_walk(struct map *, map_walk_fn *, void *, struct buf *);

/*
 * A list of tables ("hash:/etc/aliases, texthash:/x", commas or white
 * space between specs; braces in inline:{...} and static:{...} are kept
 * together) is searched in order; the first table that knows a key wins,
 * and the first error ends the search with MAP_ERROR.
 */
struct map_list *map_list_open(const char *, int, struct buf *);
enum map_result map_list_lookup(struct map_list *, const char *,
	    struct buf *, struct buf *);
void	 map_list_close(struct map_list *);
size_t	 map_list_count(const struct map_list *);

/*
 * Lookup orders: the keys Postfix tries for one query, in order.  For each
 * key every table of the list is asked before the next key; regexp and
 * pcre tables are asked only with the first key (the whole query), as in
 * Postfix.  A query without "@" is looked up whole (and, for the domain
 * orders, as a domain).
 *
 * MAP_ORDER_ACCESS (access(5) for an address, with Postfix's default
 * parent_domain_matches_subdomains):
 *	user@sub.example.com, sub.example.com, example.com, com, user@
 * MAP_ORDER_HOST (access(5) for a host or domain name):
 *	sub.example.com, example.com, com
 * MAP_ORDER_IP (access(5) for a client address):
 *	192.0.2.1, 192.0.2, 192.0, 192         (IPv4)
 *	2001:db8::1, 2001:db8:, 2001:db8, 2001  (IPv6: drop a ":part" each time)
 * MAP_ORDER_TRANSPORT (transport(5)):
 *	user@sub.example.com, sub.example.com, .example.com, .com, *
 * MAP_ORDER_ALIAS (virtual(5) and aliases; with MAP_LOCAL the domain is
 * one of ours, and the bare user is tried too):
 *	user@example.com, user (MAP_LOCAL only), @example.com
 * MAP_ORDER_DOMAIN (a domain, for relay_domains-style tables):
 *	sub.example.com, .example.com, .com
 */
enum map_order {
	MAP_ORDER_ACCESS,
	MAP_ORDER_HOST,
	MAP_ORDER_IP,
	MAP_ORDER_TRANSPORT,
	MAP_ORDER_ALIAS,
	MAP_ORDER_DOMAIN,
};

#define MAP_LOCAL	0x100	/* MAP_ORDER_ALIAS: the domain is local */

/* The keys of one order; map_keys_make() returns -1 (err) on bad query. */
struct map_keys {
	struct buf	 text;		/* keys, each NUL-terminated */
	size_t		*off;		/* start of key i in text */
	size_t		 n;
	size_t		 cap;
};

void	 map_keys_init(struct map_keys *);
void	 map_keys_free(struct map_keys *);
int	 map_keys_make(struct map_keys *, enum map_order, const char *, int,
	    struct buf *);
const char *map_keys_get(const struct map_keys *, size_t);

/*
 * map_find() searches a list in one of the orders above.  On MAP_FOUND,
 * value holds the result and, when matched is not NULL, matched holds the
 * key that found it.
 */
enum map_result map_find(struct map_list *, enum map_order, const char *,
	    int, struct buf *, struct buf *, struct buf *);

/*
 * Building (postmap, postalias): map_build_begin() starts a new FILE.db
 * under a temporary name beside it; with MAP_UPDATE it starts from a copy
 * of the current FILE.db (postmap -i, -d) and holds a lock on it.
 * map_build_commit() fsyncs and renames it into place, so a reader sees
 * the old table or the new one, never half of one.  Only hash: can be
 * built.  Keys are folded unless MAP_NOFOLD.
 *
 * map_build_put() returns MAP_PUT_STORED, MAP_PUT_DUPLICATE (the key was
 * there; with MAP_REPLACE the new value replaced it, else the first value
 * was kept) or MAP_PUT_ERROR.  map_build_delete() returns 1 when the key
 * was there, 0 when not, -1 on error.
 */
#define MAP_UPDATE	0x10	/* start from the existing FILE.db */
#define MAP_REPLACE	0x20	/* a duplicate key replaces the first */

enum map_put {
	MAP_PUT_STORED = 0,
	MAP_PUT_DUPLICATE = 1,
	MAP_PUT_ERROR = -1,
};

struct map_builder;

struct map_builder *map_build_begin(const char *, int, struct buf *);
enum map_put map_build_put(struct map_builder *, const char *, const char *,
	    struct buf *);
int	 map_build_delete(struct map_builder *, const char *, struct buf *);
int	 map_build_commit(struct map_builder *, struct buf *);
void	 map_build_abort(struct map_builder *);

/*
 * Source files: map_src_open() reads logical lines (continuations joined,
 * comments and blank lines dropped) with their first line number.
 * map_src_next() returns 1 with a line, 0 at the end, -1 on an error
 * ("file:line: reason" in err, errno EINVAL for bad data).
 * map_src_nbsp() logs the one no-break space warning of a file.  map_split_kv() is the pure "key value"
 * splitter: 0 on success, -1 when there is no value; *nbsp is set when a
 * U+00A0 was read as white space.
 */
struct map_src;

struct map_src *map_src_open(const char *, struct buf *);
struct map_src *map_src_fdopen(int, const char *);
int	 map_src_next(struct map_src *, struct buf *, size_t *, struct buf *);
void	 map_src_nbsp(struct map_src *, size_t);
const char *map_src_name(const struct map_src *);
void	 map_src_close(struct map_src *);
int	 map_split_kv(const char *, size_t, struct buf *, struct buf *, int *);
size_t	 map_nbsp_space(const char *, size_t);

#endif
