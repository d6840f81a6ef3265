/*
 * maps_cmd - build, update, query and list tables for postmap(1) and
 * postalias(1).
 */
#include "maps_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "alias.h"
#include "buf.h"
#include "config.h"
#include "exits.h"
#include "io.h"
#include "log.h"
#include "maps.h"
#include "mem.h"
#include "priv.h"

/* cmd_fatal - "prog: fatal: message" on stderr; returns status */
static int
cmd_fatal(int status, const struct buf *msg)
{
	fflush(stdout);
	fprintf(stderr, "%s: fatal: %s\n", die_progname(), msg->s);
	return status;
}

/* cmd_open_status - the exit status for a table that would not open */
static int
cmd_open_status(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		return EX_NOINPUT;
	case EINVAL:
		return EX_DATAERR;
	case EACCES:
	case EPERM:
		return EX_NOPERM;
	default:
		return EX_TEMPFAIL;
	}
}

/* cmd_output_status - 0, or EX_IOERR when stdout could not be written */
static int
cmd_output_status(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: fatal: write standard output: %s\n",
		    die_progname(), strerror(errno));
		return EX_IOERR;
	}
	return 0;
}

/* map_cmd_spec - "type:name", the default type added (caller frees) */
char *
map_cmd_spec(const char *arg)
{
	struct buf	 s = BUF_INIT;
	size_t		 n = 0;

	while ((arg[n] >= 'a' && arg[n] <= 'z') ||
	    (arg[n] >= '0' && arg[n] <= '9') || arg[n] == '_')
		n++;
	if (n == 0 || arg[n] != ':')
		buf_printf(&s, "%s:", MAP_CMD_DEFAULT_TYPE);
	buf_adds(&s, arg);
	return buf_release(&s);
}

/* owner_of - the first owner other than root among the source file (the
 * link itself, when it is one), FILE.db and their directory; 0 with none */
static int
owner_of(const char *name, uid_t *uid, gid_t *gid)
{
	struct buf	 p = BUF_INIT;
	struct stat	 st;
	const char	*slash = strrchr(name, '/');
	int		 found = 0;

	for (int k = 0; k < 3 && !found; k++) {
		buf_reset(&p);
		if (k == 0)
			buf_sets(&p, name);
		else if (k == 1)
			buf_printf(&p, "%s.db", name);
		else if (slash == NULL)
			buf_sets(&p, ".");
		else if (slash == name)
			buf_sets(&p, "/");
		else
			buf_set(&p, name, (size_t)(slash - name));
		if (lstat(p.s, &st) == 0 && st.st_uid != 0) {
			*uid = st.st_uid;
			*gid = st.st_gid;
			found = 1;
		}
	}
	buf_free(&p);
	return found;
}

/*
 * cmd_as_owner - as root, become the owner of a table that is not root's
 * before reading or writing it, as Postfix's postmap does (unless -o):
 * else root would read what the owner points the source at (a symbolic
 * link to a file only root may read) and write the result where the
 * owner can read it.  0, or the exit status after a complaint.
 */
static int
cmd_as_owner(const struct map_cmd *cmd, const char *spec,
    struct priv_saved *sv)
{
	struct buf	 err = BUF_INIT;
	uid_t		 uid;
	gid_t		 gid;
	int		 status = 0;

	sv->active = 0;
	if (cmd->keep_root || geteuid() != 0 ||
	    !owner_of(strchr(spec, ':') + 1, &uid, &gid))
		return 0;
	if (priv_assume(uid, gid, sv, &err) < 0)
		status = cmd_fatal(EX_TEMPFAIL, &err);
	buf_free(&err);
	return status;
}

/* cmd_as_root - back from cmd_as_owner(); status, or a new one on error */
static int
cmd_as_root(struct priv_saved *sv, int status)
{
	struct buf	 err = BUF_INIT;

	if (priv_restore(sv, &err) < 0)
		die_temp("4.3.0 %s", buf_cstr(&err));
	buf_free(&err);
	return status;
}

/* cmd_entry - parse one logical source line; 1 entry, 0 skip */
static int
cmd_entry(const struct map_cmd *cmd, struct map_src *src, struct buf *line,
    size_t lineno, struct buf *key, struct buf *val, struct buf *err)
{
	int	 nbsp, r;

	if (cmd->alias) {
		r = alias_parse(line->s, line->len, key, val, &nbsp, err);
		if (r < 0)
			log_warnx("%s:%zu: %s", map_src_name(src), lineno,
			    err->s);
	} else {
		r = map_split_kv(line->s, line->len, key, val, &nbsp) == 0;
		if (!r)
			log_warnx("%s:%zu: expected format: key whitespace "
			    "value", map_src_name(src), lineno);
	}
	if (r > 0 && nbsp)
		map_src_nbsp(src, lineno);
	/* As stored, so that a duplicate is reported as it clashed. */
	if (r > 0 && !(cmd->flags & MAP_NOFOLD))
		buf_lower(key);
	return r > 0;
}

static int	 build(const struct map_cmd *, const char *, int);
static int	 delete_keys(const struct map_cmd *, const char *, char **,
		    size_t);

/* map_cmd_build - build a table from its source, or add stdin to it */
int
map_cmd_build(const struct map_cmd *cmd, const char *arg, int incremental)
{
	char			*spec = map_cmd_spec(arg);
	struct priv_saved	 sv;
	int			 status;

	if ((status = cmd_as_owner(cmd, spec, &sv)) == 0)
		status = cmd_as_root(&sv, build(cmd, spec, incremental));
	free(spec);
	return status;
}

/* build - map_cmd_build() for spec, with the right identity */
static int
build(const struct map_cmd *cmd, const char *spec, int incremental)
{
	const char		*name = strchr(spec, ':') + 1;
	struct map_src		*src;
	struct map_builder	*b = NULL;
	struct buf		 err = BUF_INIT, line = BUF_INIT;
	struct buf		 key = BUF_INIT, val = BUF_INIT;
	size_t			 lineno;
	int			 r, status = EX_OK, flags = cmd->flags;

	if (incremental)
		src = map_src_fdopen(STDIN_FILENO, "stdin");
	else if ((src = map_src_open(name, &err)) == NULL) {
		status = cmd_fatal(cmd_open_status(errno), &err);
		goto out;
	}
	if (incremental)
		flags |= MAP_UPDATE;
	if (cmd->dup == MAP_DUP_REPLACE)
		flags |= MAP_REPLACE;
	if ((b = map_build_begin(spec, flags, &err)) == NULL) {
		status = cmd_fatal(strncmp(spec, "hash:", 5) == 0 ?
		    EX_CANTCREAT : EX_DATAERR, &err);
		goto out;
	}
	while ((r = map_src_next(src, &line, &lineno, &err)) > 0) {
		if (!cmd_entry(cmd, src, &line, lineno, &key, &val, &err))
			continue;
		switch (map_build_put(b, key.s, val.s, &err)) {
		case MAP_PUT_STORED:
			continue;
		case MAP_PUT_DUPLICATE:
			if (cmd->dup == MAP_DUP_WARN)
				log_warnx("%s:%zu: duplicate entry: \"%s\"",
				    map_src_name(src), lineno, key.s);
			continue;
		case MAP_PUT_ERROR:
			break;
		}
		status = cmd_fatal(EX_CANTCREAT, &err);
		goto out;
	}
	if (r < 0) {
		status = cmd_fatal(errno == EINVAL ? EX_DATAERR : EX_IOERR,
		    &err);
		goto out;
	}
	r = map_build_commit(b, &err);
	b = NULL;
	if (r < 0)
		status = cmd_fatal(EX_CANTCREAT, &err);

out:
	map_build_abort(b);
	map_src_close(src);
	buf_free(&err);
	buf_free(&line);
	buf_free(&key);
	buf_free(&val);
	return status;
}

/* cmd_lookup - the first table that knows key; prints it */
static int
cmd_lookup(struct map **maps, int n, const char *key, int with_key,
    struct buf *val, struct buf *err)
{
	for (int i = 0; i < n; i++) {
		switch (map_lookup(maps[i], key, val, err)) {
		case MAP_FOUND:
			if (with_key)
				printf("%s\t%s\n", key, val->s);
			else
				printf("%s\n", val->s);
			return EX_OK;
		case MAP_NOTFOUND:
			continue;
		case MAP_ERROR:
			return cmd_fatal(EX_TEMPFAIL, err);
		}
	}
	return MAP_CMD_NOTFOUND;
}

/* cmd_open_all - open every named table; NULL after printing an error */
static struct map **
cmd_open_all(const struct map_cmd *cmd, char **args, int n, int *status)
{
	struct map	**maps = xcalloc((size_t)n, sizeof(*maps));
	struct buf	  err = BUF_INIT;

	for (int i = 0; i < n; i++) {
		char	*spec = map_cmd_spec(args[i]);

		maps[i] = map_open(spec, cmd->flags, &err);
		free(spec);
		if (maps[i] == NULL) {
			*status = cmd_fatal(cmd_open_status(errno), &err);
			while (i-- > 0)
				map_close(maps[i]);
			free(maps);
			maps = NULL;
			break;
		}
	}
	buf_free(&err);
	return maps;
}

/* map_cmd_query - postmap -q KEY (or "-": keys from stdin) */
int
map_cmd_query(const struct map_cmd *cmd, const char *key, char **args, int n)
{
	struct map	**maps;
	struct buf	  val = BUF_INIT, err = BUF_INIT, line = BUF_INIT;
	struct io	  in;
	int		  status = MAP_CMD_NOTFOUND, r;
	enum io_result	  ir;

	if ((maps = cmd_open_all(cmd, args, n, &status)) == NULL)
		return status;
	if (strcmp(key, "-") != 0)
		status = cmd_lookup(maps, n, key, 0, &val, &err);
	else {
		io_init(&in, STDIN_FILENO);
		while ((ir = io_getline(&in, &line, MAP_QUERY_MAX)) != IO_EOF) {
			if (ir == IO_TOOLONG) {
				log_warnx("stdin: key longer than %d bytes: "
				    "skipped", MAP_QUERY_MAX);
				continue;
			}
			if (ir != IO_OK) {
				buf_printf(&err, "read stdin: %s",
				    strerror(in.err));
				status = cmd_fatal(EX_IOERR, &err);
				break;
			}
			if (line.len == 0 || strlen(line.s) != line.len)
				continue;
			r = cmd_lookup(maps, n, line.s, 1, &val, &err);
			if (r == EX_OK)
				status = EX_OK;
			else if (r != MAP_CMD_NOTFOUND) {
				status = r;
				break;
			}
		}
		io_free(&in);
	}
	for (int i = 0; i < n; i++)
		map_close(maps[i]);
	free(maps);
	buf_free(&val);
	buf_free(&err);
	buf_free(&line);
	if (status == EX_OK || status == MAP_CMD_NOTFOUND)
		status = cmd_output_status() ? EX_IOERR : status;
	return status;
}

/* cmd_delete_one - delete keys from one hash table; 0, NOTFOUND or error */
static int
cmd_delete_one(const struct map_cmd *cmd, const char *arg, char **keys,
    size_t nkeys)
{
	char			*spec = map_cmd_spec(arg);
	struct priv_saved	 sv;
	int			 status;

	if ((status = cmd_as_owner(cmd, spec, &sv)) == 0)
		status = cmd_as_root(&sv, delete_keys(cmd, spec, keys, nkeys));
	free(spec);
	return status;
}

/* delete_keys - cmd_delete_one() for spec, with the right identity */
static int
delete_keys(const struct map_cmd *cmd, const char *spec, char **keys,
    size_t nkeys)
{
	struct map_builder	*b = NULL;
	struct buf		 err = BUF_INIT, path = BUF_INIT;
	struct stat		 st;
	int			 status = MAP_CMD_NOTFOUND, r;

	buf_printf(&path, "%s.db", strchr(spec, ':') + 1);
	if (strncmp(spec, "hash:", 5) == 0 && stat(path.s, &st) < 0) {
		buf_printf(&err, "open database %s: %s", path.s,
		    strerror(errno));
		status = cmd_fatal(cmd_open_status(errno), &err);
		goto out;
	}
	b = map_build_begin(spec, cmd->flags | MAP_UPDATE, &err);
	if (b == NULL) {
		status = cmd_fatal(strncmp(spec, "hash:", 5) == 0 ?
		    EX_CANTCREAT : EX_DATAERR, &err);
		goto out;
	}
	for (size_t i = 0; i < nkeys; i++) {
		r = map_build_delete(b, keys[i], &err);
		if (r < 0) {
			status = cmd_fatal(EX_CANTCREAT, &err);
			goto out;
		}
		if (r > 0)
			status = EX_OK;
	}
	r = map_build_commit(b, &err);
	b = NULL;
	if (r < 0)
		status = cmd_fatal(EX_CANTCREAT, &err);
out:
	map_build_abort(b);
	buf_free(&err);
	buf_free(&path);
	return status;
}

/* map_cmd_delete - postmap -d KEY (or "-": keys from stdin) */
int
map_cmd_delete(const struct map_cmd *cmd, const char *key, char **args, int n)
{
	char		**keys = NULL;
	size_t		  nkeys = 0, cap = 0;
	struct buf	  line = BUF_INIT, err = BUF_INIT;
	struct io	  in;
	enum io_result	  ir;
	int		  status = MAP_CMD_NOTFOUND, r;

	if (strcmp(key, "-") != 0) {
		keys = xcalloc(1, sizeof(*keys));
		keys[nkeys++] = xstrdup(key);
	} else {
		io_init(&in, STDIN_FILENO);
		while ((ir = io_getline(&in, &line, MAP_QUERY_MAX)) != IO_EOF) {
			if (ir != IO_OK && ir != IO_TOOLONG) {
				buf_printf(&err, "read stdin: %s",
				    strerror(in.err));
				status = cmd_fatal(EX_IOERR, &err);
				break;
			}
			if (ir == IO_TOOLONG || line.len == 0 ||
			    strlen(line.s) != line.len)
				continue;
			if (nkeys == cap) {
				cap = cap ? cap * 2 : 16;
				keys = xreallocarray(keys, cap, sizeof(*keys));
			}
			keys[nkeys++] = xstrdup(line.s);
		}
		io_free(&in);
	}
	for (int i = 0; i < n && status != EX_IOERR; i++) {
		r = cmd_delete_one(cmd, args[i], keys, nkeys);
		if (r == EX_OK)
			status = EX_OK;
		else if (r != MAP_CMD_NOTFOUND) {
			status = r;
			break;
		}
	}
	for (size_t i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	buf_free(&line);
	buf_free(&err);
	return status;
}

/* cmd_print - map_walk callback for -s */
static int
cmd_print(void *arg, const char *k, size_t klen, const char *v, size_t vlen)
{
	const struct map_cmd	*cmd = arg;

	printf("%.*s%s\t%.*s\n", (int)klen, k, cmd->alias ? ":" : "",
	    (int)vlen, v);
	return ferror(stdout) ? 1 : 0;
}

/* map_cmd_dump - postmap -s: every entry of every table */
int
map_cmd_dump(const struct map_cmd *cmd, char **args, int n)
{
	struct map	**maps;
	struct buf	  err = BUF_INIT;
	int		  status = EX_OK;

	if ((maps = cmd_open_all(cmd, args, n, &status)) == NULL)
		return status;
	for (int i = 0; i < n; i++) {
		if (status == EX_OK &&
		    map_walk(maps[i], cmd_print, (void *)cmd, &err) < 0)
			status = cmd_fatal(EX_DATAERR, &err);
		map_close(maps[i]);
	}
	free(maps);
	buf_free(&err);
	if (status == EX_OK)
		status = cmd_output_status();
	return status;
}

/* set_mode - one of -i, -q, -d, -s; a second one is a usage error */
static void
set_mode(int *mode, int c, const char *usage)
{
	if (*mode != 0 && *mode != c)
		die_usage(usage);
	*mode = c;
}

/*
 * map_cmd_main - postmap(1) and postalias(1): the same flags, the same
 * work; alias selects aliases(5) source syntax.  Returns the exit status.
 */
int
map_cmd_main(int argc, char **argv, int alias, const char *usage)
{
	struct map_cmd	 cmd = { alias, 0, MAP_DUP_WARN, 0 };
	const char	*dir = NULL, *key = NULL;
	int		 c, mode = 0, status = EX_OK;

	log_set_stderr(1);	/* warnings go to the user, and the log */
	while ((c = getopt(argc, argv, "c:d:fiNnoq:rsvw")) != -1) {
		switch (c) {
		case 'c':
			dir = optarg;
			break;
		case 'd':
		case 'q':
			set_mode(&mode, c, usage);
			key = optarg;
			break;
		case 'f':
			cmd.flags |= MAP_NOFOLD;
			break;
		case 'i':
		case 's':
			set_mode(&mode, c, usage);
			break;
		case 'N':
			cmd.flags |= MAP_NUL;
			break;
		case 'n':
			cmd.flags &= ~MAP_NUL;
			break;
		case 'o':
			cmd.keep_root = 1;
			break;
		case 'r':
			cmd.dup = MAP_DUP_REPLACE;
			break;
		case 'v':
			log_set_debug(1);
			break;
		case 'w':
			cmd.dup = MAP_DUP_IGNORE;
			break;
		default:
			die_usage(usage);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		die_usage(usage);
	cfg_load(dir);

	switch (mode) {
	case 'q':
		status = map_cmd_query(&cmd, key, argv, argc);
		break;
	case 'd':
		status = map_cmd_delete(&cmd, key, argv, argc);
		break;
	case 's':
		status = map_cmd_dump(&cmd, argv, argc);
		break;
	default:
		for (int i = 0; i < argc && status == EX_OK; i++)
			status = map_cmd_build(&cmd, argv[i], mode == 'i');
		break;
	}
	return status;
}
