/*
 * maps_unix - the system databases as tables, Postfix's "unix:" type.
 *
 *   unix:passwd.byname   key: a user name; value: the passwd(5) line
 *                        "name:passwd:uid:gid:gecos:home:shell"
 *   unix:group.byname    key: a group name; value: the group(5) line
 *                        "name:passwd:gid:member,member,..."
 *
 * Lookups go through getpwnam(3)/getgrnam(3), so NSS sources count too.
 * Keys arrive folded to lower case (maps.c folds them unless the table is
 * opened with MAP_NOFOLD), as Postfix folds them; a user with capitals in
 * its name is found only through MAP_NOFOLD.  A name that the system does
 * not know is MAP_NOTFOUND; a failure of the lookup itself (an NSS
 * back-end that cannot be reached, no memory) is MAP_ERROR, never "not
 * found".
 */
#include "maps.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "maps_impl.h"
#include "mem.h"

enum unix_db {
	UNIX_PASSWD,
	UNIX_GROUP,
};

/* unix_notfound - does errno after a failed getpwnam() mean "no such name"? */
static int
unix_notfound(int e)
{
	/* POSIX: 0; glibc and others: ENOENT, ESRCH, EBADF, EPERM. */
	return e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM;
}

/* unix_open - accept the databases we know */
static int
unix_open(struct map *m, struct buf *err)
{
	enum unix_db	*db;

	db = xmalloc(sizeof(*db));
	if (strcmp(m->name, "passwd.byname") == 0)
		*db = UNIX_PASSWD;
	else if (strcmp(m->name, "group.byname") == 0)
		*db = UNIX_GROUP;
	else {
		free(db);
		buf_reset(err);
		buf_printf(err, "table %s: unknown unix: map, expected "
		    "unix:passwd.byname or unix:group.byname", m->spec);
		return EINVAL;
	}
	m->priv = db;
	return 0;
}

/* unix_passwd - the passwd line of a user */
static enum map_result
unix_passwd(const char *key, struct buf *value, struct buf *err)
{
	struct passwd	*pw;

	errno = 0;
	if ((pw = getpwnam(key)) == NULL) {
		if (unix_notfound(errno))
			return MAP_NOTFOUND;
		buf_reset(err);
		buf_printf(err, "unix:passwd.byname: lookup of \"%s\": %s", key,
		    strerror(errno));
		return MAP_ERROR;
	}
	buf_reset(value);
	buf_printf(value, "%s:%s:%ld:%ld:%s:%s:%s", pw->pw_name,
	    pw->pw_passwd != NULL ? pw->pw_passwd : "",
	    (long)pw->pw_uid, (long)pw->pw_gid,
	    pw->pw_gecos != NULL ? pw->pw_gecos : "",
	    pw->pw_dir != NULL ? pw->pw_dir : "",
	    pw->pw_shell != NULL ? pw->pw_shell : "");
	return MAP_FOUND;
}

/* unix_group - the group line of a group */
static enum map_result
unix_group(const char *key, struct buf *value, struct buf *err)
{
	struct group	*gr;

	errno = 0;
	if ((gr = getgrnam(key)) == NULL) {
		if (unix_notfound(errno))
			return MAP_NOTFOUND;
		buf_reset(err);
		buf_printf(err, "unix:group.byname: lookup of \"%s\": %s", key,
		    strerror(errno));
		return MAP_ERROR;
	}
	buf_reset(value);
	buf_printf(value, "%s:%s:%ld:", gr->gr_name,
	    gr->gr_passwd != NULL ? gr->gr_passwd : "", (long)gr->gr_gid);
	for (size_t i = 0; gr->gr_mem != NULL && gr->gr_mem[i] != NULL; i++) {
		if (i > 0)
			buf_addc(value, ',');
		buf_adds(value, gr->gr_mem[i]);
	}
	return MAP_FOUND;
}

/* unix_lookup - one name in the system database */
static enum map_result
unix_lookup(struct map *m, const char *key, size_t len, struct buf *value,
    struct buf *err)
{
	const enum unix_db	*db = m->priv;

	/* A NUL inside the key would make the system look up a prefix. */
	if (len == 0 || strlen(key) != len)
		return MAP_NOTFOUND;
	if (*db == UNIX_PASSWD)
		return unix_passwd(key, value, err);
	return unix_group(key, value, err);
}

/* unix_close - free the database selector */
static void
unix_close(struct map *m)
{
	free(m->priv);
}

const struct map_ops map_unix_ops = {
	"unix", 0, unix_open, unix_lookup, NULL, unix_close,
};
