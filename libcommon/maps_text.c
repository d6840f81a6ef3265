/*
 * maps_text - tables held in memory: texthash:FILE, inline:{...} and
 * static:VALUE.
 *
 * texthash and inline share one open-addressing hash table whose keys
 * and values live in one arena ("key\0value\0" per entry).  As postmap
 * does, the first of two entries with the same key wins, with a warning.
 */
#include "maps.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "maps_impl.h"
#include "mem.h"

#define TEXT_MIN_SLOTS	16

struct text_slot {
	size_t		 off;		/* key offset in arena + 1; 0: empty */
	uint64_t	 hash;
};

struct text_tab {
	struct buf	 arena;
	struct text_slot *slots;
	size_t		 nslots;	/* a power of two */
	size_t		 count;
};

/* text_hash - FNV-1a over the key */
static uint64_t
text_hash(const char *key, size_t len)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* text_slot_find - the slot holding key, or the empty slot for it */
static struct text_slot *
text_slot_find(struct text_tab *t, const char *key, size_t len, uint64_t h)
{
	size_t	 mask = t->nslots - 1;

	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
		struct text_slot	*sl = &t->slots[i];

		if (sl->off == 0)
			return sl;
		if (sl->hash == h && strncmp(t->arena.s + sl->off - 1, key,
		    len) == 0 && t->arena.s[sl->off - 1 + len] == '\0')
			return sl;
	}
}

/* text_grow - double the slots when the table is half full */
static void
text_grow(struct text_tab *t)
{
	struct text_slot	*old = t->slots;
	size_t			 n = t->nslots;

	t->nslots = n ? n * 2 : TEXT_MIN_SLOTS;
	t->slots = xcalloc(t->nslots, sizeof(*t->slots));
	for (size_t i = 0; i < n; i++) {
		size_t	 mask = t->nslots - 1, j;

		if (old[i].off == 0)
			continue;
		for (j = (size_t)old[i].hash & mask; t->slots[j].off != 0;
		    j = (j + 1) & mask)
			;
		t->slots[j] = old[i];
	}
	free(old);
}

/* text_put - add key (first one wins); 1 when it was a duplicate */
static int
text_put(struct text_tab *t, const char *key, size_t klen, const char *val,
    size_t vlen)
{
	uint64_t		 h = text_hash(key, klen);
	struct text_slot	*sl;

	if ((t->count + 1) * 2 > t->nslots)
		text_grow(t);
	sl = text_slot_find(t, key, klen, h);
	if (sl->off != 0)
		return 1;
	sl->off = t->arena.len + 1;
	sl->hash = h;
	buf_add(&t->arena, key, klen);
	buf_addc(&t->arena, '\0');
	buf_add(&t->arena, val, vlen);
	buf_addc(&t->arena, '\0');
	t->count++;
	return 0;
}

/* text_get - the value of key, or NULL */
static const char *
text_get(struct text_tab *t, const char *key, size_t len)
{
	struct text_slot	*sl;

	if (t->nslots == 0)
		return NULL;
	sl = text_slot_find(t, key, len, text_hash(key, len));
	if (sl->off == 0)
		return NULL;
	return t->arena.s + sl->off - 1 + len + 1;
}

/* text_free - release a table */
static void
text_free(struct text_tab *t)
{
	if (t == NULL)
		return;
	buf_free(&t->arena);
	free(t->slots);
	free(t);
}

/* text_lookup - lookup method shared by texthash and inline */
static enum map_result
text_lookup(struct map *m, const char *key, size_t len, struct buf *value,
    struct buf *err)
{
	const char	*v = text_get(m->priv, key, len);

	(void)err;
	if (v == NULL)
		return MAP_NOTFOUND;
	buf_sets(value, v);
	return MAP_FOUND;
}

/* text_walk - list entries in the order they were added */
static int
text_walk(struct map *m, map_walk_fn *fn, void *arg, struct buf *err)
{
	struct text_tab	*t = m->priv;
	size_t		 off = 0;

	(void)err;
	while (off < t->arena.len) {
		const char	*k = t->arena.s + off;
		size_t		 klen = strlen(k);
		const char	*v = k + klen + 1;
		size_t		 vlen = strlen(v);

		if (fn(arg, k, klen, v, vlen) != 0)
			break;
		off += klen + 1 + vlen + 1;
	}
	return 0;
}

/* text_close - close method shared by texthash and inline */
static void
text_close(struct map *m)
{
	text_free(m->priv);
}

/* texthash_open - read FILE in postmap source syntax */
static int
texthash_open(struct map *m, struct buf *err)
{
	struct map_src	*src = map_src_open(m->name, err);
	struct text_tab	*t;
	struct buf	 line = BUF_INIT, key = BUF_INIT, val = BUF_INIT;
	size_t		 lineno;
	int		 r, nbsp, e = 0;

	if (src == NULL)
		return errno;
	t = xcalloc(1, sizeof(*t));
	while ((r = map_src_next(src, &line, &lineno, err)) > 0) {
		if (map_split_kv(line.s, line.len, &key, &val, &nbsp) < 0) {
			log_warnx("%s:%zu: expected format: key whitespace "
			    "value", m->name, lineno);
			continue;
		}
		if (nbsp)
			map_src_nbsp(src, lineno);
		if (!(m->flags & MAP_NOFOLD))
			buf_lower(&key);
		if (text_put(t, key.s, key.len, val.s, val.len))
			log_warnx("%s:%zu: duplicate entry: \"%s\"", m->name,
			    lineno, key.s);
	}
	if (r < 0)
		e = errno;
	map_src_close(src);
	buf_free(&line);
	buf_free(&key);
	buf_free(&val);
	if (r < 0) {
		text_free(t);
		return e;
	}
	m->priv = t;
	return 0;
}

const struct map_ops map_texthash_ops = {
	"texthash", 0, texthash_open, text_lookup, text_walk, text_close,
};

/* trim_span - shrink [*p, *p + *len) past white space at both ends */
static void
trim_span(const char **p, size_t *len)
{
	size_t	 w;

	while (*len > 0 && (w = map_nbsp_space(*p, *len)) > 0) {
		*p += w;
		*len -= w;
	}
	while (*len > 0 && ((*p)[*len - 1] == ' ' || (*p)[*len - 1] == '\t' ||
	    (*p)[*len - 1] == '\r' || (*p)[*len - 1] == '\n'))
		(*len)--;
}

/* unbrace - "{ text }" to "text"; 0, or -1 when braces do not pair */
static int
unbrace(const char **p, size_t *len)
{
	trim_span(p, len);
	if (*len == 0 || **p != '{')
		return 0;
	if ((*p)[*len - 1] != '}')
		return -1;
	(*p)++;
	*len -= 2;
	trim_span(p, len);
	return 0;
}

/* inline_open - parse inline:{ key = value, { key = value, w }, ... } */
static int
inline_open(struct map *m, struct buf *err)
{
	const char	*p = m->name;
	size_t		 len = strlen(p);
	struct text_tab	*t;
	struct buf	 key = BUF_INIT;

	if (*p != '{' || unbrace(&p, &len) < 0) {
		buf_reset(err);
		buf_printf(err, "table %s: expected inline:{ key = value, "
		    "... }", m->spec);
		return EINVAL;
	}
	t = xcalloc(1, sizeof(*t));
	while (len > 0) {
		const char	*e = p, *eq, *k, *v;
		size_t		 elen, klen, vlen;
		int		 depth = 0;

		/* One element: up to a comma outside braces. */
		for (elen = 0; elen < len; elen++) {
			if (p[elen] == '{')
				depth++;
			else if (p[elen] == '}')
				depth--;
			else if (p[elen] == ',' && depth == 0)
				break;
		}
		p += elen < len ? elen + 1 : elen;
		len -= elen < len ? elen + 1 : elen;
		if (unbrace(&e, &elen) < 0 || depth != 0)
			goto bad;
		if (elen == 0)
			continue;
		eq = memchr(e, '=', elen);
		if (eq == NULL)
			goto bad;
		k = e;
		klen = (size_t)(eq - e);
		v = eq + 1;
		vlen = elen - klen - 1;
		trim_span(&k, &klen);
		trim_span(&v, &vlen);
		if (klen == 0)
			goto bad;
		if (m->flags & MAP_NOFOLD)
			buf_set(&key, k, klen);
		else
			map_fold(&key, k, klen);
		if (text_put(t, key.s, key.len, v, vlen))
			log_warnx("table %s: duplicate entry: \"%s\"", m->spec,
			    key.s);
		continue;
bad:
		buf_reset(err);
		buf_printf(err, "table %s: expected \"key = value\" or "
		    "\"{ key = value }\" near \"%.*s\"", m->spec, (int)elen, e);
		text_free(t);
		buf_free(&key);
		return EINVAL;
	}
	buf_free(&key);
	m->priv = t;
	return 0;
}

const struct map_ops map_inline_ops = {
	"inline", 0, inline_open, text_lookup, text_walk, text_close,
};

/* static_open - the value is the name ("static:{ a b }" keeps spaces) */
static int
static_open(struct map *m, struct buf *err)
{
	const char	*p = m->name;
	size_t		 len = strlen(p);

	if (unbrace(&p, &len) < 0) {
		buf_reset(err);
		buf_printf(err, "table %s: missing \"}\"", m->spec);
		return EINVAL;
	}
	m->priv = xstrndup(p, len);
	return 0;
}

/* static_lookup - every key yields the value */
static enum map_result
static_lookup(struct map *m, const char *key, size_t len, struct buf *value,
    struct buf *err)
{
	(void)key;
	(void)len;
	(void)err;
	buf_sets(value, m->priv);
	return MAP_FOUND;
}

/* static_close - free the value */
static void
static_close(struct map *m)
{
	free(m->priv);
}

const struct map_ops map_static_ops = {
	"static", 0, static_open, static_lookup, NULL, static_close,
};
