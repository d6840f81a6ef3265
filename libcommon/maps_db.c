/*
 * maps_db - hash:FILE, a gdbm file FILE.db, read and built.
 *
 * Readers open FILE.db read-only without locks: writers never change a
 * FILE.db in place, they build a new one under a temporary name and
 * rename it over the old (map_build_*), so a reader sees one table or the
 * other.  A reader notices the rename (inode or mtime change) at most a
 * second later and reopens.
 *
 * Keys and values are stored without a trailing NUL, unless the table
 * was built with MAP_NUL (postmap -N); a reader tries both forms and
 * remembers which one the table uses, as Postfix does.
 */
#include "maps.h"

#include <errno.h>
#include <fcntl.h>
#include <gdbm.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "io.h"
#include "log.h"
#include "maps_impl.h"
#include "mem.h"

#define DB_SUFFIX	".db"
#define DB_BLOCK_SIZE	32768		/* bucket and block size, bytes */
#define DB_READ_CACHE_MAX 4096		/* buckets a reader keeps copied */
#define DB_MIN_CACHE	512		/* gdbm's default cache, buckets */
#define DB_BUILD_CACHE	4096		/* buckets cached while building */
#define DB_COPY_CHUNK	65536
#define DB_LOCK_TRIES	100		/* rename races before giving up */

/* How a reader found keys stored (learned from the first hit). */
#define DB_TRY_PLAIN	0x1
#define DB_TRY_NUL	0x2

struct db {
	GDBM_FILE	 dbf;
	char		*path;		/* FILE.db */
	dev_t		 dev;
	ino_t		 ino;
	struct timespec	 mtime;
	time_t		 checked;	/* last stat of path */
	int		 try;		/* DB_TRY_* */
	struct buf	 key;		/* scratch for the NUL form */
};

/* db_errstr - gdbm's message for the last error on dbf */
static const char *
db_errstr(GDBM_FILE dbf)
{
	if (dbf == NULL)
		return gdbm_strerror(gdbm_errno);
	return gdbm_db_strerror(dbf);
}

/* db_path - FILE.db for FILE (caller frees) */
static char *
db_path(const char *name)
{
	struct buf	 p = BUF_INIT;

	buf_adds(&p, name);
	buf_adds(&p, DB_SUFFIX);
	return buf_release(&p);
}

/* db_reopen - open (again) the current FILE.db */
static int
db_reopen(struct db *d, struct buf *err)
{
	GDBM_FILE	 dbf;
	struct stat	 st;
	size_t		 buckets;
	int		 fd, e;

	fd = open(d->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		e = errno;
		buf_reset(err);
		buf_printf(err, "open database %s: %s", d->path, strerror(e));
		if (fd >= 0)
			close(fd);
		return e;
	}
	dbf = gdbm_fd_open(fd, d->path, 0, GDBM_READER | GDBM_NOLOCK, NULL);
	if (dbf == NULL) {
		buf_reset(err);
		buf_printf(err, "open database %s: %s", d->path,
		    gdbm_strerror(gdbm_errno));
		close(fd);
		return EINVAL;
	}
	/*
	 * gdbm copies a bucket out of the file on a cache miss; with room
	 * for every bucket (up to a bound) each is copied once.
	 */
	if (gdbm_bucket_count(dbf, &buckets) == 0) {
		if (buckets > DB_READ_CACHE_MAX)
			buckets = DB_READ_CACHE_MAX;
		if (buckets > DB_MIN_CACHE)
			(void)gdbm_setopt(dbf, GDBM_SETCACHESIZE, &buckets,
			    sizeof(buckets));
	}
	if (d->dbf != NULL)
		gdbm_close(d->dbf);
	d->dbf = dbf;
	d->dev = st.st_dev;
	d->ino = st.st_ino;
	d->mtime = st.st_mtim;
	d->try = DB_TRY_PLAIN | DB_TRY_NUL;
	return 0;
}

/* db_check - reopen when FILE.db was replaced; at most once a second */
static int
db_check(struct db *d, struct buf *err)
{
	time_t		 now = time(NULL);
	struct stat	 st;

	if (now == d->checked)
		return 0;
	d->checked = now;
	if (stat(d->path, &st) < 0) {
		buf_reset(err);
		buf_printf(err, "database %s: %s", d->path, strerror(errno));
		return -1;
	}
	if (st.st_dev == d->dev && st.st_ino == d->ino &&
	    st.st_mtim.tv_sec == d->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == d->mtime.tv_nsec)
		return 0;
	log_debug("database %s changed: reopening", d->path);
	return db_reopen(d, err) == 0 ? 0 : -1;
}

/* db_free - close and free */
static void
db_free(struct db *d)
{
	if (d->dbf != NULL)
		gdbm_close(d->dbf);
	buf_free(&d->key);
	free(d->path);
	free(d);
}

/* hash_open - open FILE.db read-only */
static int
hash_open(struct map *m, struct buf *err)
{
	struct db	*d = xcalloc(1, sizeof(*d));
	struct stat	 src;
	int		 e;

	d->path = db_path(m->name);
	buf_init(&d->key);
	if ((e = db_reopen(d, err)) != 0) {
		db_free(d);
		return e;
	}
	d->checked = time(NULL);
	if (stat(m->name, &src) == 0 &&
	    (src.st_mtim.tv_sec > d->mtime.tv_sec ||
	    (src.st_mtim.tv_sec == d->mtime.tv_sec &&
	    src.st_mtim.tv_nsec > d->mtime.tv_nsec)))
		log_warnx("database %s is older than source file %s",
		    d->path, m->name);
	m->priv = d;
	return 0;
}

/* db_fetch - one gdbm fetch: 1 found, 0 not, -1 error */
static int
db_fetch(struct db *d, const char *key, size_t len, struct buf *value,
    struct buf *err)
{
	datum	 k, v;

	k.dptr = (char *)key;
	k.dsize = (int)len;
	v = gdbm_fetch(d->dbf, k);
	if (v.dptr == NULL) {
		if (gdbm_last_errno(d->dbf) == GDBM_ITEM_NOT_FOUND)
			return 0;
		buf_reset(err);
		buf_printf(err, "lookup in %s: %s", d->path,
		    db_errstr(d->dbf));
		return -1;
	}
	if (v.dsize > 0 && v.dptr[v.dsize - 1] == '\0')
		v.dsize--;
	buf_set(value, v.dptr, (size_t)v.dsize);
	free(v.dptr);
	return 1;
}

/* hash_lookup - fetch key, in the stored form the table uses */
static enum map_result
hash_lookup(struct map *m, const char *key, size_t len, struct buf *value,
    struct buf *err)
{
	struct db	*d = m->priv;
	int		 r;

	if (db_check(d, err) < 0)
		return MAP_ERROR;
	if (len >= INT_MAX)
		return MAP_NOTFOUND;
	if (d->try & DB_TRY_PLAIN) {
		r = db_fetch(d, key, len, value, err);
		if (r != 0) {
			if (r > 0)
				d->try = DB_TRY_PLAIN;
			return r > 0 ? MAP_FOUND : MAP_ERROR;
		}
	}
	if (d->try & DB_TRY_NUL) {
		buf_set(&d->key, key, len);
		r = db_fetch(d, d->key.s, len + 1, value, err);
		if (r != 0) {
			if (r > 0)
				d->try = DB_TRY_NUL;
			return r > 0 ? MAP_FOUND : MAP_ERROR;
		}
	}
	return MAP_NOTFOUND;
}

/* hash_walk - every entry, in gdbm's order */
static int
hash_walk(struct map *m, map_walk_fn *fn, void *arg, struct buf *err)
{
	struct db	*d = m->priv;
	datum		 k, next, v;
	int		 stop = 0;

	for (k = gdbm_firstkey(d->dbf); k.dptr != NULL && !stop; k = next) {
		v = gdbm_fetch(d->dbf, k);
		if (v.dptr != NULL) {
			size_t	 klen = (size_t)k.dsize, vlen = (size_t)v.dsize;

			if (klen > 0 && k.dptr[klen - 1] == '\0')
				klen--;
			if (vlen > 0 && v.dptr[vlen - 1] == '\0')
				vlen--;
			stop = fn(arg, k.dptr, klen, v.dptr, vlen);
			free(v.dptr);
		}
		next = gdbm_nextkey(d->dbf, k);
		free(k.dptr);
	}
	if (!stop && gdbm_last_errno(d->dbf) != GDBM_ITEM_NOT_FOUND &&
	    gdbm_last_errno(d->dbf) != GDBM_NO_ERROR) {
		buf_reset(err);
		buf_printf(err, "read %s: %s", d->path, db_errstr(d->dbf));
		return -1;
	}
	return 0;
}

/* hash_close - close method */
static void
hash_close(struct map *m)
{
	db_free(m->priv);
}

const struct map_ops map_hash_ops = {
	"hash", 0, hash_open, hash_lookup, hash_walk, hash_close,
};

/*
 * Building.
 */

/*
 * gdbm writes the bucket it changed after every store, so a build costs
 * a few system calls per entry whatever we do; storing entries in the
 * order of gdbm's buckets keeps each bucket hot while it fills, and so
 * makes the build much faster.  A new table is therefore collected in
 * memory (where duplicates are found), sorted by gdbm's hash, and stored
 * at commit.  Past DB_SORT_MAX bytes of entries the rest is stored as it
 * comes.  Updates (MAP_UPDATE) always store as they come.
 */
#define DB_SORT_MAX	((size_t)256 << 20)	/* bytes of entries sorted */

struct pend {
	size_t		 koff;		/* key in the arena (input order) */
	size_t		 voff;		/* value in the arena */
	uint32_t	 klen;
	uint32_t	 vlen;
	uint32_t	 hash;		/* gdbm's hash of the key */
};

struct map_builder {
	GDBM_FILE	 dbf;
	int		 fd;		/* our own descriptor of tmp */
	int		 lock_fd;	/* old FILE.db, locked (MAP_UPDATE) */
	int		 flags;
	struct buf	 tmp;
	char		*path;
	struct buf	 key;
	struct buf	 val;
	int		 direct;	/* store at once, do not collect */
	struct buf	 arena;		/* collected keys and values */
	struct pend	*pend;
	size_t		 npend;
	size_t		 cap;
	size_t		*slots;		/* index + 1 into pend; 0 empty */
	size_t		 nslots;	/* a power of two */
};

/*
 * db_hash - the hash gdbm computes for a key, to sort entries by bucket.
 * Only the speed of a build depends on it matching gdbm's.
 */
static uint32_t
db_hash(const char *key, size_t len)
{
	uint32_t	 v = 0x238F13AFu * (uint32_t)len;

	for (size_t i = 0; i < len; i++)
		v = (v + ((uint32_t)(int32_t)(signed char)key[i] <<
		    (i * 5 % 24))) & 0x7FFFFFFFu;
	return (1103515243u * v + 12345u) & 0x7FFFFFFFu;
}

/* build_fail - put "what path: reason" into err */
static void
build_fail(struct buf *err, const char *what, const char *path,
    const char *reason)
{
	buf_reset(err);
	buf_printf(err, "%s %s: %s", what, path, reason);
}

/* build_lock - lock the current FILE.db; 0 with no file, 1 locked, -1 */
static int
build_lock(struct map_builder *b, struct buf *err)
{
	struct stat	 a, p;

	for (int tries = 0; tries < DB_LOCK_TRIES; tries++) {
		b->lock_fd = open(b->path, O_RDONLY | O_CLOEXEC);
		if (b->lock_fd < 0) {
			if (errno == ENOENT)
				return 0;
			build_fail(err, "open", b->path, strerror(errno));
			return -1;
		}
		if (flock(b->lock_fd, LOCK_EX) < 0 ||
		    fstat(b->lock_fd, &a) < 0) {
			build_fail(err, "lock", b->path, strerror(errno));
			return -1;
		}
		/* Still the current file, not one renamed away meanwhile? */
		if (stat(b->path, &p) == 0 && p.st_dev == a.st_dev &&
		    p.st_ino == a.st_ino)
			return 1;
		close(b->lock_fd);
		b->lock_fd = -1;
	}
	build_fail(err, "lock", b->path, "file keeps changing");
	return -1;
}

/* build_copy - copy the locked FILE.db into the temporary file */
static int
build_copy(struct map_builder *b, struct buf *err)
{
	char	*chunk = xmalloc(DB_COPY_CHUNK);
	ssize_t	 n;
	int	 r = 0;

	while ((n = read(b->lock_fd, chunk, DB_COPY_CHUNK)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			build_fail(err, "read", b->path, strerror(errno));
			r = -1;
			break;
		}
		if (fd_write_all(b->fd, chunk, (size_t)n) < 0) {
			build_fail(err, "write", b->tmp.s, strerror(errno));
			r = -1;
			break;
		}
	}
	free(chunk);
	return r;
}

/* map_build_begin - start building FILE.db for spec "hash:FILE" */
struct map_builder *
map_build_begin(const char *spec, int flags, struct buf *err)
{
	struct map_builder	*b;
	const char		*colon = strchr(spec, ':');
	int			 gflags, fd2, locked = 0;
	int			 cache = DB_BUILD_CACHE;
	mode_t			 mode = 0644;
	struct stat		 st, tst;

	/*
	 * Sanity checks.
	 */
	if (colon == NULL || (size_t)(colon - spec) != strlen("hash") ||
	    strncmp(spec, "hash", 4) != 0) {
		buf_reset(err);
		buf_printf(err, "table %s: only hash: tables can be built",
		    spec);
		return NULL;
	}
	b = xcalloc(1, sizeof(*b));
	b->fd = b->lock_fd = -1;
	b->flags = flags;
	b->direct = (flags & MAP_UPDATE) != 0;
	b->path = db_path(colon + 1);
	buf_init(&b->tmp);
	buf_init(&b->key);
	buf_init(&b->val);
	buf_init(&b->arena);

	/* Keep the old table's mode; the source file's for a new one. */
	if (stat(b->path, &st) == 0 || stat(colon + 1, &st) == 0)
		mode = st.st_mode & 07777;
	if ((flags & MAP_UPDATE) && (locked = build_lock(b, err)) < 0)
		goto fail;
	b->fd = file_tmp_open(b->path, &b->tmp, mode);
	if (b->fd < 0) {
		build_fail(err, "create", b->path, strerror(errno));
		goto fail;
	}
	/* umask may have narrowed the mode; the old table's mode wins. */
	(void)fchmod(b->fd, mode);
	if (locked && build_copy(b, err) < 0)
		goto fail;

	/*
	 * gdbm needs a read-write descriptor and closes it; keep the one
	 * from file_tmp_open() for the fsync and rename at commit.  No
	 * locking: nobody else knows the temporary name.  A new table is
	 * stored in bucket order, where gdbm's mmap mode turns its write per
	 * store into a memory copy (2.5 times faster); updates come in any
	 * order, where mmap is slower than plain writes.
	 */
	fd2 = open(b->tmp.s, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd2 < 0 || fstat(fd2, &st) < 0 || fstat(b->fd, &tst) < 0 ||
	    st.st_dev != tst.st_dev || st.st_ino != tst.st_ino) {
		build_fail(err, "open", b->tmp.s, fd2 < 0 ? strerror(errno) :
		    "temporary file replaced");
		if (fd2 >= 0)
			close(fd2);
		goto fail;
	}
	gflags = (locked ? GDBM_WRITER : GDBM_NEWDB) | GDBM_NOLOCK;
	if (b->direct)
		gflags |= GDBM_NOMMAP;
	b->dbf = gdbm_fd_open(fd2, b->tmp.s, DB_BLOCK_SIZE, gflags, NULL);
	if (b->dbf == NULL) {
		build_fail(err, "open database", b->tmp.s,
		    gdbm_strerror(gdbm_errno));
		close(fd2);
		goto fail;
	}
	if (gdbm_setopt(b->dbf, GDBM_SETCACHESIZE, &cache, sizeof(cache)) < 0)
		log_warnx("%s: cannot set cache size: %s", b->tmp.s,
		    db_errstr(b->dbf));
	return b;

fail:
	map_build_abort(b);
	return NULL;
}

/* build_datum - the stored form of s: folded, NUL added with MAP_NUL */
static datum
build_datum(const struct map_builder *b, struct buf *scratch, const char *s,
    int fold)
{
	datum	 d;

	if (fold && !(b->flags & MAP_NOFOLD))
		map_fold(scratch, s, strlen(s));
	else
		buf_sets(scratch, s);
	d.dptr = scratch->s;
	d.dsize = (int)scratch->len + ((b->flags & MAP_NUL) ? 1 : 0);
	return d;
}

/* pend_slot - the slot for a key among the collected entries */
static size_t *
pend_slot(struct map_builder *b, const char *key, size_t len, uint32_t h)
{
	size_t	 mask = b->nslots - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		const struct pend	*p;

		if (b->slots[i] == 0)
			return &b->slots[i];
		p = &b->pend[b->slots[i] - 1];
		if (p->hash == h && p->klen == len &&
		    memcmp(b->arena.s + p->koff, key, len) == 0)
			return &b->slots[i];
	}
}

/* pend_grow - room for one more entry, slots at most half full */
static void
pend_grow(struct map_builder *b)
{
	if (b->npend == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 1024;
		b->pend = xreallocarray(b->pend, b->cap, sizeof(*b->pend));
	}
	if ((b->npend + 1) * 2 > b->nslots) {
		size_t	 n = b->nslots ? b->nslots * 2 : 2048;

		free(b->slots);
		b->slots = xcalloc(n, sizeof(*b->slots));
		b->nslots = n;
		for (size_t i = 0; i < b->npend; i++) {
			const struct pend	*p = &b->pend[i];

			*pend_slot(b, b->arena.s + p->koff, p->klen, p->hash) =
			    i + 1;
		}
	}
}

/* pend_put - collect one entry; 1 when the key was there */
static int
pend_put(struct map_builder *b, datum k, datum v)
{
	uint32_t	 h = db_hash(k.dptr, (size_t)k.dsize);
	size_t		*slot;
	struct pend	*p;

	pend_grow(b);
	slot = pend_slot(b, k.dptr, (size_t)k.dsize, h);
	if (*slot != 0) {
		if (b->flags & MAP_REPLACE) {
			p = &b->pend[*slot - 1];
			p->voff = b->arena.len;
			p->vlen = (uint32_t)v.dsize;
			buf_add(&b->arena, v.dptr, (size_t)v.dsize);
		}
		return 1;
	}
	p = &b->pend[b->npend];
	p->hash = h;
	p->koff = b->arena.len;
	p->klen = (uint32_t)k.dsize;
	buf_add(&b->arena, k.dptr, (size_t)k.dsize);
	p->voff = b->arena.len;
	p->vlen = (uint32_t)v.dsize;
	buf_add(&b->arena, v.dptr, (size_t)v.dsize);
	*slot = ++b->npend;
	return 0;
}

/* pend_cmp - gdbm's bucket order, then input order */
static int
pend_cmp(const void *x, const void *y)
{
	const struct pend	*a = x, *b = y;

	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	return a->koff < b->koff ? -1 : a->koff > b->koff;
}

/* pend_flush - store the collected entries in bucket order */
static int
pend_flush(struct map_builder *b, struct buf *err)
{
	int	 r = 0;

	if (b->npend > 0)
		qsort(b->pend, b->npend, sizeof(*b->pend), pend_cmp);
	for (size_t i = 0; i < b->npend && r == 0; i++) {
		const struct pend	*p = &b->pend[i];
		datum			 k, v;

		k.dptr = b->arena.s + p->koff;
		k.dsize = (int)p->klen;
		v.dptr = b->arena.s + p->voff;
		v.dsize = (int)p->vlen;
		if (gdbm_store(b->dbf, k, v, GDBM_REPLACE) != 0) {
			build_fail(err, "write", b->tmp.s, db_errstr(b->dbf));
			r = -1;
		}
	}
	buf_free(&b->arena);
	free(b->pend);
	free(b->slots);
	b->pend = NULL;
	b->slots = NULL;
	b->npend = b->cap = b->nslots = 0;
	b->direct = 1;
	return r;
}

/* map_build_put - store one entry (see maps.h) */
enum map_put
map_build_put(struct map_builder *b, const char *key, const char *value,
    struct buf *err)
{
	datum	 k, v;
	int	 r;

	if (strlen(key) >= INT_MAX / 2 || strlen(value) >= INT_MAX / 2) {
		buf_reset(err);
		buf_printf(err, "%s: entry too large", b->path);
		return MAP_PUT_ERROR;
	}
	k = build_datum(b, &b->key, key, 1);
	v = build_datum(b, &b->val, value, 0);
	if (!b->direct) {
		r = pend_put(b, k, v);
		if (b->arena.len > DB_SORT_MAX && pend_flush(b, err) < 0)
			return MAP_PUT_ERROR;
		return r ? MAP_PUT_DUPLICATE : MAP_PUT_STORED;
	}
	r = gdbm_store(b->dbf, k, v, GDBM_INSERT);
	if (r == 1 && (b->flags & MAP_REPLACE))
		r = gdbm_store(b->dbf, k, v, GDBM_REPLACE) == 0 ? 1 : -1;
	if (r < 0) {
		build_fail(err, "write", b->tmp.s, db_errstr(b->dbf));
		return MAP_PUT_ERROR;
	}
	return r == 1 ? MAP_PUT_DUPLICATE : MAP_PUT_STORED;
}

/* map_build_delete - remove one key (see maps.h) */
int
map_build_delete(struct map_builder *b, const char *key, struct buf *err)
{
	datum	 k = build_datum(b, &b->key, key, 1);

	if (gdbm_delete(b->dbf, k) == 0)
		return 1;
	if (gdbm_last_errno(b->dbf) == GDBM_ITEM_NOT_FOUND)
		return 0;
	build_fail(err, "write", b->tmp.s, db_errstr(b->dbf));
	return -1;
}

/* map_build_commit - close, fsync, rename into place, fsync directory */
int
map_build_commit(struct map_builder *b, struct buf *err)
{
	int	 r = 0;

	if (!b->direct && pend_flush(b, err) < 0) {
		map_build_abort(b);
		return -1;
	}
	if (gdbm_close(b->dbf) != 0) {
		b->dbf = NULL;
		build_fail(err, "write", b->tmp.s, gdbm_strerror(gdbm_errno));
		map_build_abort(b);
		return -1;
	}
	b->dbf = NULL;
	if (file_tmp_commit(b->fd, b->tmp.s, b->path) < 0) {
		build_fail(err, "commit", b->path, strerror(errno));
		r = -1;
	}
	b->fd = -1;
	if (b->lock_fd >= 0)
		close(b->lock_fd);
	b->lock_fd = -1;
	map_build_abort(b);
	return r;
}

/* map_build_abort - throw the new table away; frees b */
void
map_build_abort(struct map_builder *b)
{
	if (b == NULL)
		return;
	if (b->dbf != NULL)
		gdbm_close(b->dbf);
	if (b->fd >= 0)
		file_tmp_abort(b->fd, b->tmp.s);
	if (b->lock_fd >= 0)
		close(b->lock_fd);
	buf_free(&b->tmp);
	buf_free(&b->key);
	buf_free(&b->val);
	buf_free(&b->arena);
	free(b->pend);
	free(b->slots);
	free(b->path);
	free(b);
}
