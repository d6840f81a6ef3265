/*
 * config - main.cf, read once per process, in Postfix syntax.
 *
 * Syntax: "name = value"; a line starting with white space continues the
 * previous one; "#" starts a comment line; $name and ${name} expand
 * (with ${name?text} and ${name:text} as in Postfix), loops are detected.
 * Every parameter pipemail knows has a type, a Postfix default and bounds
 * in one table (config.c); a value that does not fit is an error naming
 * file:line.  Unknown names get one warning in the log.
 *
 * cfg_load() reads DIR/main.cf, where DIR is the argument, else
 * $MAIL_CONFIG, else PIPEMAIL_SYSCONFDIR; a missing main.cf means all
 * defaults.  It dies with EX_CONFIG ("file:line: message") on bad input.
 * cfg_load_text() is the same parser without I/O or exit, for tests and
 * for tools that check a file: it returns 0, or -1 with the message in err.
 *
 * Getters return expanded values that live until the next load; the
 * typed getters return the parsed value (time in seconds, size in bytes).
 * Asking for a name that is not in the table is a programming error and
 * aborts.  cfg_path() resolves a path relative to DIR (caller frees).
 */
#ifndef PIPEMAIL_CONFIG_H
#define PIPEMAIL_CONFIG_H

#include <stddef.h>

#include "buf.h"

struct cfg_list {
	char	**v;
	size_t	  n;
};

void	 cfg_load(const char *);
int	 cfg_load_text(const char *, size_t, const char *, struct buf *);
const char *cfg_dir(void);
const char *cfg_get(const char *);
int	 cfg_get_bool(const char *);
long long cfg_get_int(const char *);
long long cfg_get_time(const char *);
long long cfg_get_size(const char *);
void	 cfg_get_list(const char *, struct cfg_list *);
int	 cfg_set(const char *, const char *, struct buf *);
char	*cfg_path(const char *);

/* Pure helpers, also used by table parsers. */
void	 cfg_split_list(const char *, struct cfg_list *);
void	 cfg_list_free(struct cfg_list *);
int	 cfg_parse_time(const char *, char, long long *);
int	 cfg_parse_bool(const char *, int *);

#endif
