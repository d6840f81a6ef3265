/* test_maps_unix - the unix:passwd.byname and unix:group.byname tables */
#include "maps.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "maps_impl.h"
#include "mem.h"
#include "tap.h"

/* Also in maps_impl.h once the type is registered in maps.c. */
extern const struct map_ops map_unix_ops;

/* unix_map - a unix: table made through its ops (not through map_open) */
static struct map *
unix_map(const char *name, struct buf *err)
{
	struct map	*m = xcalloc(1, sizeof(*m));
	struct buf	 spec = BUF_INIT;

	buf_printf(&spec, "unix:%s", name);
	m->ops = &map_unix_ops;
	m->spec = buf_release(&spec);
	m->name = m->spec + 5;
	buf_init(&m->fold);
	if (m->ops->open(m, err) != 0) {
		free(m->spec);
		free(m);
		return NULL;
	}
	return m;
}

/* unix_free - close a table made by unix_map() */
static void
unix_free(struct map *m)
{
	m->ops->close(m);
	buf_free(&m->fold);
	free(m->spec);
	free(m);
}

/* lookup - one key through the ops */
static enum map_result
lookup(struct map *m, const char *key, struct buf *value, struct buf *err)
{
	return m->ops->lookup(m, key, strlen(key), value, err);
}

int
main(void)
{
	struct buf	 v = BUF_INIT, err = BUF_INIT, want = BUF_INIT;
	struct map	*pw, *gr;
	struct passwd	*p;
	struct group	*g;

	ok(unix_map("shadow.byname", &err) == NULL, "unknown unix: map "
	    "refused");
	ok(strstr(buf_cstr(&err), "unix:passwd.byname") != NULL,
	    "the error names the known maps");
	pw = unix_map("passwd.byname", &err);
	gr = unix_map("group.byname", &err);
	ok(pw != NULL && gr != NULL, "passwd.byname and group.byname open");
	if (pw == NULL || gr == NULL)
		return tap_done();

	/* root is in every passwd database. */
	p = getpwnam("root");
	ok(p != NULL, "getpwnam(root)");
	is_int(lookup(pw, "root", &v, &err), MAP_FOUND, "root is found");
	if (p != NULL) {
		buf_printf(&want, "root:%s:0:%ld:%s:%s:%s", p->pw_passwd,
		    (long)p->pw_gid, p->pw_gecos, p->pw_dir, p->pw_shell);
		is_str(buf_cstr(&v), buf_cstr(&want),
		    "the value is the passwd line");
	}
	is_int(lookup(pw, "no-such-user-pipemail", &v, &err), MAP_NOTFOUND,
	    "an unknown user is not found");
	is_int(lookup(pw, "", &v, &err), MAP_NOTFOUND, "empty key");
	is_int(pw->ops->lookup(pw, "root\0x", 6, &v, &err), MAP_NOTFOUND,
	    "a key with a NUL is not a prefix lookup");

	g = getgrgid(0);
	ok(g != NULL, "getgrgid(0)");
	if (g != NULL) {
		char	 name[256];

		snprintf(name, sizeof(name), "%s", g->gr_name);
		is_int(lookup(gr, name, &v, &err), MAP_FOUND,
		    "group 0 is found");
		buf_reset(&want);
		buf_printf(&want, "%s:", name);
		ok(strncmp(buf_cstr(&v), want.s, want.len) == 0 &&
		    strstr(v.s, ":0:") != NULL, "the value is the group line");
	}
	is_int(lookup(gr, "no-such-group-pipemail", &v, &err), MAP_NOTFOUND,
	    "an unknown group is not found");
	unix_free(pw);
	unix_free(gr);
	buf_free(&v);
	buf_free(&err);
	buf_free(&want);
	return tap_done();
}
