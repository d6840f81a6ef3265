/*
 * maps_impl - what the table types behind maps.h share; not for users of
 * maps.h.
 *
 * Each type supplies a struct map_ops.  open() fills m->priv from m->name
 * and returns 0, or an errno value (ENOENT, EINVAL for bad syntax, ...)
 * with a message in err.  lookup() gets the key
 * already folded (when the type is not a pattern type and MAP_NOFOLD is
 * not set) and returns a map_result.  walk() may be NULL.
 */
#ifndef PIPEMAIL_MAPS_IMPL_H
#define PIPEMAIL_MAPS_IMPL_H

#include "buf.h"
#include "maps.h"

struct map_ops {
	const char	*type;
	int		 pattern;	/* regexp-like: whole key, no fold */
	int		(*open)(struct map *, struct buf *);
	enum map_result	(*lookup)(struct map *, const char *, size_t,
			    struct buf *, struct buf *);
	int		(*walk)(struct map *, map_walk_fn *, void *,
			    struct buf *);
	void		(*close)(struct map *);
};

struct map {
	const struct map_ops	*ops;
	char			*spec;		/* "type:name" as given */
	const char		*name;		/* inside spec, after "type:" */
	int			 flags;
	struct buf		 fold;		/* scratch: the folded key */
	void			*priv;
};

extern const struct map_ops map_hash_ops;
extern const struct map_ops map_texthash_ops;
extern const struct map_ops map_static_ops;
extern const struct map_ops map_inline_ops;
extern const struct map_ops map_regexp_ops;
extern const struct map_ops map_pcre_ops;
extern const struct map_ops map_unix_ops;

/* Fold ASCII letters to lower case into out. */
void	 map_fold(struct buf *, const char *, size_t);

#endif
