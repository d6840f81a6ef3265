/*
 * maps_cmd - the engine behind postmap(1) and postalias(1): build a table
 * from its source, add to it, query it, delete from it, list it.
 *
 * Every function returns the program's exit status (sysexits.h, plus
 * MAP_CMD_NOTFOUND for "-q"/"-d" misses, as Postfix).  Errors are printed
 * on stderr in the program's name ("postmap: fatal: ..."), warnings
 * through log_warnx().  Results of -q and -s go to stdout.  Run as root,
 * building or deleting from a table that is not root's (the source, its
 * .db or their directory owned by another user) is done as that owner,
 * unless keep_root (-o) is set.
 */
#ifndef PIPEMAIL_MAPS_CMD_H
#define PIPEMAIL_MAPS_CMD_H

#define MAP_CMD_NOTFOUND	1	/* -q or -d found nothing */
#define MAP_CMD_DEFAULT_TYPE	"hash"	/* Postfix default_database_type */

enum map_cmd_dup {
	MAP_DUP_WARN,		/* default: warn, keep the first */
	MAP_DUP_IGNORE,		/* -w: keep the first silently */
	MAP_DUP_REPLACE,	/* -r: the last one wins, silently */
};

struct map_cmd {
	int		 alias;		/* aliases(5) source syntax */
	int		 flags;		/* MAP_NOFOLD, MAP_NUL */
	enum map_cmd_dup dup;
	int		 keep_root;	/* -o: root on a user's table */
};

char	*map_cmd_spec(const char *);
int	 map_cmd_build(const struct map_cmd *, const char *, int);
int	 map_cmd_query(const struct map_cmd *, const char *, char **, int);
int	 map_cmd_delete(const struct map_cmd *, const char *, char **, int);
int	 map_cmd_dump(const struct map_cmd *, char **, int);
int	 map_cmd_main(int, char **, int, const char *);

#endif
