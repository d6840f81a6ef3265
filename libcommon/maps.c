/*
 * maps - table specs, dispatch, lists of tables, lookup orders and the
 * table source reader.  The table types live in maps_*.c.
 */
#include "maps.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "io.h"
#include "log.h"
#include "maps_impl.h"
#include "mem.h"

#define MAP_TYPE_MAX	32	/* longest "type" in "type:name" */

static const struct map_ops *const map_types[] = {
	&map_hash_ops,
	&map_texthash_ops,
	&map_static_ops,
	&map_inline_ops,
	&map_regexp_ops,
	&map_pcre_ops,
	&map_unix_ops,
};

/* map_fold - lower-case ASCII copy of key into out */
void
map_fold(struct buf *out, const char *key, size_t len)
{
	buf_reserve(out, len);
	for (size_t i = 0; i < len; i++) {
		unsigned char	 c = (unsigned char)key[i];

		out->s[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
	}
	out->len = len;
	out->s[len] = '\0';
}

/* map_find_type - the ops for a type name, or NULL */
static const struct map_ops *
map_find_type(const char *type, size_t len)
{
	for (size_t i = 0; i < sizeof(map_types) / sizeof(map_types[0]); i++)
		if (strlen(map_types[i]->type) == len &&
		    memcmp(map_types[i]->type, type, len) == 0)
			return map_types[i];
	return NULL;
}

/* map_is_file_type - does the name of this type name a file? */
static int
map_is_file_type(const struct map_ops *ops)
{
	return ops == &map_hash_ops || ops == &map_texthash_ops ||
	    ops == &map_regexp_ops || ops == &map_pcre_ops;
}

/* map_open - open one table from "type:name" */
struct map *
map_open(const char *spec, int flags, struct buf *err)
{
	const char		*colon = strchr(spec, ':');
	const struct map_ops	*ops;
	struct map		*m;
	int			 e;

	/*
	 * Sanity checks.
	 */
	if (colon == NULL || colon == spec) {
		buf_reset(err);
		buf_printf(err, "table \"%s\": expected type:name", spec);
		errno = EINVAL;
		return NULL;
	}
	ops = map_find_type(spec, (size_t)(colon - spec));
	if (ops == NULL) {
		buf_reset(err);
		buf_printf(err, "table \"%s\": unsupported table type \"%.*s\"",
		    spec, (int)((size_t)(colon - spec) > MAP_TYPE_MAX ?
		    MAP_TYPE_MAX : (size_t)(colon - spec)), spec);
		errno = EINVAL;
		return NULL;
	}
	m = xcalloc(1, sizeof(*m));
	m->ops = ops;
	if ((flags & MAP_CONFIG) && map_is_file_type(ops) && colon[1] != '/' &&
	    colon[1] != '\0') {
		/* CONTRACT: main.cf paths are relative to its directory. */
		struct buf	 b = BUF_INIT;

		buf_printf(&b, "%.*s:%s/%s", (int)(colon - spec), spec,
		    cfg_dir(), colon + 1);
		m->spec = buf_release(&b);
	} else
		m->spec = xstrdup(spec);
	m->name = strchr(m->spec, ':') + 1;
	m->flags = flags;
	buf_init(&m->fold);
	if ((e = ops->open(m, err)) != 0) {
		buf_free(&m->fold);
		free(m->spec);
		free(m);
		errno = e;
		return NULL;
	}
	return m;
}

/* map_lookup - look one key up in one table */
enum map_result
map_lookup(struct map *m, const char *key, struct buf *value, struct buf *err)
{
	size_t	 len = strlen(key);

	if (m->ops->pattern || (m->flags & MAP_NOFOLD))
		return m->ops->lookup(m, key, len, value, err);
	map_fold(&m->fold, key, len);
	return m->ops->lookup(m, m->fold.s, len, value, err);
}

/* map_close - release a table */
void
map_close(struct map *m)
{
	if (m == NULL)
		return;
	m->ops->close(m);
	buf_free(&m->fold);
	free(m->spec);
	free(m);
}

/* map_spec - the spec the table was opened with */
const char *
map_spec(const struct map *m)
{
	return m->spec;
}

/* map_is_pattern - does the table match patterns (regexp, pcre)? */
int
map_is_pattern(const struct map *m)
{
	return m->ops->pattern;
}

/* map_walk - call fn for each entry, where the type can list them */
int
map_walk(struct map *m, map_walk_fn *fn, void *arg, struct buf *err)
{
	if (m->ops->walk == NULL) {
		buf_reset(err);
		buf_printf(err, "table %s: type %s cannot be listed", m->spec,
		    m->ops->type);
		return -1;
	}
	return m->ops->walk(m, fn, arg, err);
}

/*
 * Lists of tables.
 */
struct map_list {
	struct map	**v;
	size_t		  n;
};

/* map_list_next_spec - the next spec in a list, braces kept together */
static int
map_list_next_spec(const char **pp, struct buf *spec, struct buf *err)
{
	const char	*p = *pp;
	int		 depth = 0;

	while (*p == ',' || *p == ' ' || *p == '\t' || *p == '\r' ||
	    *p == '\n')
		p++;
	if (*p == '\0')
		return 0;
	buf_reset(spec);
	for (; *p != '\0'; p++) {
		if (depth == 0 && (*p == ',' || *p == ' ' || *p == '\t' ||
		    *p == '\r' || *p == '\n'))
			break;
		if (*p == '{')
			depth++;
		else if (*p == '}' && depth > 0)
			depth--;
		buf_addc(spec, *p);
	}
	if (depth != 0) {
		buf_reset(err);
		buf_printf(err, "table \"%s\": missing \"}\"", buf_cstr(spec));
		errno = EINVAL;
		return -1;
	}
	*pp = p;
	return 1;
}

/* map_list_open - open every table of a list */
struct map_list *
map_list_open(const char *specs, int flags, struct buf *err)
{
	struct map_list	*l = xcalloc(1, sizeof(*l));
	struct buf	 spec = BUF_INIT;
	size_t		 cap = 0;
	int		 r;

	while ((r = map_list_next_spec(&specs, &spec, err)) > 0) {
		struct map	*m = map_open(buf_cstr(&spec), flags, err);

		if (m == NULL) {
			r = -1;
			break;
		}
		if (l->n == cap) {
			cap = cap ? cap * 2 : 4;
			l->v = xreallocarray(l->v, cap, sizeof(*l->v));
		}
		l->v[l->n++] = m;
	}
	buf_free(&spec);
	if (r < 0) {
		int	 e = errno;

		map_list_close(l);
		errno = e;
		return NULL;
	}
	return l;
}

/* map_list_lookup - the first table that knows key wins */
enum map_result
map_list_lookup(struct map_list *l, const char *key, struct buf *value,
    struct buf *err)
{
	for (size_t i = 0; i < l->n; i++) {
		enum map_result	 r = map_lookup(l->v[i], key, value, err);

		if (r != MAP_NOTFOUND)
			return r;
	}
	return MAP_NOTFOUND;
}

/* map_list_close - close every table */
void
map_list_close(struct map_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		map_close(l->v[i]);
	free(l->v);
	free(l);
}

/* map_list_count - how many tables */
size_t
map_list_count(const struct map_list *l)
{
	return l->n;
}

/*
 * Lookup orders.
 */

/* map_keys_init - an empty key sequence */
void
map_keys_init(struct map_keys *k)
{
	buf_init(&k->text);
	k->off = NULL;
	k->n = k->cap = 0;
}

/* map_keys_free - release a key sequence */
void
map_keys_free(struct map_keys *k)
{
	buf_free(&k->text);
	free(k->off);
	map_keys_init(k);
}

/* map_keys_get - key i */
const char *
map_keys_get(const struct map_keys *k, size_t i)
{
	return k->text.s + k->off[i];
}

/* keys_add - append prefix + s[0..len) as the next key */
static void
keys_add(struct map_keys *k, const char *prefix, const char *s, size_t len)
{
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 8;
		k->off = xreallocarray(k->off, k->cap, sizeof(*k->off));
	}
	k->off[k->n++] = k->text.len;
	buf_adds(&k->text, prefix);
	buf_add(&k->text, s, len);
	buf_addc(&k->text, '\0');
}

/* keys_parents - each parent of domain, with or without a leading dot */
static void
keys_parents(struct map_keys *k, const char *domain, size_t len, int dot)
{
	const char	*end = domain + len;

	for (const char *p = memchr(domain, '.', len); p != NULL;
	    p = memchr(p + 1, '.', (size_t)(end - p - 1))) {
		if (p + 1 >= end)
			break;
		if (dot)
			keys_add(k, "", p, (size_t)(end - p));
		else
			keys_add(k, "", p + 1, (size_t)(end - p - 1));
	}
}

/* keys_ip - an address, then its shorter prefixes ("1.2.3", "1.2", "1") */
static void
keys_ip(struct map_keys *k, const char *q, size_t len)
{
	int	 sep = memchr(q, ':', len) != NULL ? ':' : '.';
	size_t	 n = len;

	keys_add(k, "", q, len);
	for (;;) {
		while (n > 0 && q[n - 1] != sep)
			n--;
		if (n <= 1)
			break;
		n--;		/* drop the separator itself */
		keys_add(k, "", q, n);
	}
}

/* map_keys_make - the keys of one lookup order for query */
int
map_keys_make(struct map_keys *k, enum map_order order, const char *query,
    int flags, struct buf *err)
{
	size_t		 len = strlen(query);
	const char	*at = strrchr(query, '@');
	const char	*dom;
	size_t		 ulen, dlen;

	buf_reset(&k->text);
	k->n = 0;
	if (len == 0 || len > MAP_QUERY_MAX) {
		buf_reset(err);
		buf_printf(err, "lookup key %s", len ? "too long" : "is empty");
		return -1;
	}
	if (order == MAP_ORDER_HOST || order == MAP_ORDER_DOMAIN) {
		keys_add(k, "", query, len);
		keys_parents(k, query, len, order == MAP_ORDER_DOMAIN);
		return 0;
	}
	if (order == MAP_ORDER_IP) {
		keys_ip(k, query, len);
		return 0;
	}
	keys_add(k, "", query, len);
	if (at == NULL)
		return 0;
	ulen = (size_t)(at - query);
	dom = at + 1;
	dlen = len - ulen - 1;
	switch (order) {
	case MAP_ORDER_ACCESS:
		if (dlen > 0) {
			keys_add(k, "", dom, dlen);
			keys_parents(k, dom, dlen, 0);
		}
		if (ulen > 0)
			keys_add(k, "", query, ulen + 1);
		break;
	case MAP_ORDER_TRANSPORT:
		if (dlen > 0) {
			keys_add(k, "", dom, dlen);
			keys_parents(k, dom, dlen, 1);
		}
		keys_add(k, "", "*", 1);
		break;
	case MAP_ORDER_ALIAS:
		if ((flags & MAP_LOCAL) && ulen > 0)
			keys_add(k, "", query, ulen);
		if (dlen > 0)
			keys_add(k, "", at, dlen + 1);
		break;
	case MAP_ORDER_HOST:
	case MAP_ORDER_IP:
	case MAP_ORDER_DOMAIN:
		break;
	}
	return 0;
}

/* map_find - search a list in a lookup order (see maps.h) */
enum map_result
map_find(struct map_list *l, enum map_order order, const char *query,
    int flags, struct buf *value, struct buf *matched, struct buf *err)
{
	struct map_keys	 keys;
	enum map_result	 r = MAP_NOTFOUND;

	map_keys_init(&keys);
	if (map_keys_make(&keys, order, query, flags, err) < 0) {
		map_keys_free(&keys);
		return MAP_ERROR;
	}
	for (size_t i = 0; i < keys.n && r == MAP_NOTFOUND; i++) {
		const char	*key = map_keys_get(&keys, i);

		for (size_t j = 0; j < l->n && r == MAP_NOTFOUND; j++) {
			if (i > 0 && map_is_pattern(l->v[j]))
				continue;
			r = map_lookup(l->v[j], key, value, err);
		}
		if (r == MAP_FOUND && matched != NULL)
			buf_sets(matched, key);
	}
	map_keys_free(&keys);
	return r;
}

/*
 * Table sources.
 */
struct map_src {
	struct io	 io;
	char		*name;
	size_t		 lineno;	/* physical lines read */
	struct buf	 phys;		/* the last physical line */
	struct buf	 next;		/* a logical line read ahead */
	size_t		 next_line;
	int		 have_next;
	int		 nbsp_warned;
};

/* map_nbsp_space - length of one white space character at p, else 0 */
size_t
map_nbsp_space(const char *p, size_t len)
{
	if (len > 0 && (*p == ' ' || *p == '\t' || *p == '\r'))
		return 1;
	if (len > 1 && (unsigned char)p[0] == 0xc2 &&
	    (unsigned char)p[1] == 0xa0)
		return 2;
	return 0;
}

/* map_src_fdopen - read table source lines from fd (caller closes fd) */
struct map_src *
map_src_fdopen(int fd, const char *name)
{
	struct map_src	*s = xcalloc(1, sizeof(*s));

	io_init(&s->io, fd);
	s->name = xstrdup(name);
	buf_init(&s->phys);
	buf_init(&s->next);
	return s;
}

/* map_src_open - open a table source file */
struct map_src *
map_src_open(const char *path, struct buf *err)
{
	int	 fd = open(path, O_RDONLY | O_CLOEXEC), e = errno;

	if (fd < 0) {
		buf_reset(err);
		buf_printf(err, "open %s: %s", path, strerror(e));
		errno = e;
		return NULL;
	}
	return map_src_fdopen(fd, path);
}

/* map_src_close - close the file and free the reader */
void
map_src_close(struct map_src *s)
{
	if (s == NULL)
		return;
	if (s->io.fd > STDERR_FILENO)
		close(s->io.fd);
	io_free(&s->io);
	buf_free(&s->phys);
	buf_free(&s->next);
	free(s->name);
	free(s);
}

/* map_src_name - the file name, for messages */
const char *
map_src_name(const struct map_src *s)
{
	return s->name;
}

/* map_src_nbsp - the one no-break space warning per file */
void
map_src_nbsp(struct map_src *s, size_t lineno)
{
	if (s->nbsp_warned)
		return;
	s->nbsp_warned = 1;
	log_warnx("%s:%zu: no-break space (U+00A0) read as white space",
	    s->name, lineno);
}

/* src_phys - read one physical line: 1 got, 0 EOF, -1 error */
static int
src_phys(struct map_src *s, struct buf *err)
{
	enum io_result	 r = io_getline(&s->io, &s->phys, MAP_LINE_MAX);

	if (r == IO_EOF)
		return 0;
	s->lineno++;
	buf_reset(err);
	switch (r) {
	case IO_OK:
		break;
	case IO_TOOLONG:
		buf_printf(err, "%s:%zu: line longer than %d bytes", s->name,
		    s->lineno, MAP_LINE_MAX);
		errno = EINVAL;
		return -1;
	default:
		buf_printf(err, "read %s: %s", s->name, strerror(s->io.err));
		errno = s->io.err ? s->io.err : EIO;
		return -1;
	}
	if (memchr(s->phys.s, '\0', s->phys.len) != NULL) {
		buf_printf(err, "%s:%zu: NUL byte in line", s->name, s->lineno);
		errno = EINVAL;
		return -1;
	}
	return 1;
}

/* src_skip - blank or comment line? */
static int
src_skip(const struct buf *line)
{
	size_t	 i = 0, w;

	while ((w = map_nbsp_space(line->s + i, line->len - i)) > 0)
		i += w;
	return i == line->len || line->s[i] == '#';
}

/* src_trim_end - drop trailing white space (no-break spaces too) */
static void
src_trim_end(struct map_src *s, struct buf *line, size_t lineno)
{
	for (;;) {
		if (line->len > 0 && (line->s[line->len - 1] == ' ' ||
		    line->s[line->len - 1] == '\t' ||
		    line->s[line->len - 1] == '\r'))
			line->len--;
		else if (line->len > 1 &&
		    (unsigned char)line->s[line->len - 1] == 0xa0 &&
		    (unsigned char)line->s[line->len - 2] == 0xc2) {
			line->len -= 2;
			map_src_nbsp(s, lineno);
		} else
			break;
	}
	line->s[line->len] = '\0';
}

/* map_src_next - the next logical line (see maps.h) */
int
map_src_next(struct map_src *s, struct buf *line, size_t *lineno,
    struct buf *err)
{
	int	 r;

	buf_reset(line);
	if (s->have_next) {
		buf_set(line, s->next.s, s->next.len);
		*lineno = s->next_line;
		s->have_next = 0;
	} else {
		/* Find the first line of a logical line. */
		for (;;) {
			if ((r = src_phys(s, err)) <= 0)
				return r;
			if (src_skip(&s->phys))
				continue;
			if (s->phys.s[0] == ' ' || s->phys.s[0] == '\t') {
				log_warnx("%s:%zu: continuation line with "
				    "nothing to continue: ignored", s->name,
				    s->lineno);
				continue;
			}
			buf_set(line, s->phys.s, s->phys.len);
			*lineno = s->lineno;
			break;
		}
	}

	/* Append continuation lines; stop at the next logical line. */
	for (;;) {
		if ((r = src_phys(s, err)) < 0)
			return -1;
		if (r == 0)
			break;
		if (src_skip(&s->phys))
			continue;
		if (s->phys.s[0] != ' ' && s->phys.s[0] != '\t') {
			buf_set(&s->next, s->phys.s, s->phys.len);
			s->next_line = s->lineno;
			s->have_next = 1;
			break;
		}
		if (line->len + s->phys.len > MAP_LINE_MAX) {
			buf_reset(err);
			buf_printf(err, "%s:%zu: logical line longer than %d "
			    "bytes", s->name, *lineno, MAP_LINE_MAX);
			errno = EINVAL;
			return -1;
		}
		buf_add(line, s->phys.s, s->phys.len);
	}
	src_trim_end(s, line, *lineno);
	return 1;
}

/* map_split_kv - "key value" into key and value (see maps.h) */
int
map_split_kv(const char *line, size_t len, struct buf *key,
    struct buf *value, int *nbsp)
{
	size_t	 i = 0, w, end = len;

	*nbsp = 0;
	while (i < len && map_nbsp_space(line + i, len - i) == 0)
		i++;
	buf_set(key, line, i);
	while (i < len && (w = map_nbsp_space(line + i, len - i)) > 0) {
		if (w == 2)
			*nbsp = 1;
		i += w;
	}
	while (end > i) {
		if (line[end - 1] == ' ' || line[end - 1] == '\t' ||
		    line[end - 1] == '\r')
			end--;
		else if (end - i > 1 && (unsigned char)line[end - 1] == 0xa0 &&
		    (unsigned char)line[end - 2] == 0xc2) {
			end -= 2;
			*nbsp = 1;
		} else
			break;
	}
	buf_set(value, line + i, end - i);
	return key->len > 0 && value->len > 0 ? 0 : -1;
}
