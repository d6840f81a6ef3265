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
 * Getters return expanded values that live until the next load (a
 * cfg_set() does not free them); the typed getters return the parsed value
 * (time in seconds, size in bytes).  Asking for a name that is not in the
 * table, or with the wrong typed getter, is a programming error and aborts;
 * cfg_lookup() is for user-defined names (smtpd_restriction_classes) and
 * returns NULL when the name is undefined.  cfg_path() resolves a path
 * relative to DIR (caller frees).  cfg_set() overrides one parameter as
 * "-o name=value" does, checked like a file value: 0, or -1 with the
 * message in err and the previous value kept.
 *
 * Warnings of the last load (unknown names, no-break spaces, a
 * continuation line with nothing to continue) are kept as
 * "file:line: text"; cfg_load() has logged them already.
 *
 * cfg_expand() expands a text with the same $name syntax but the caller's
 * values (forward_path, mailbox_command: $user, $home, ...); values are
 * not expanded again.  It appends to out and returns 0, or -1 with the
 * reason in err and out unchanged.  cfg_split_list() and cfg_get_list()
 * allocate; free with cfg_list_free(); v[n] is NULL.
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
const char *cfg_lookup(const char *);
int	 cfg_set(const char *, const char *, struct buf *);
char	*cfg_path(const char *);
size_t	 cfg_warning_count(void);
const char *cfg_warning(size_t);
const char *cfg_param_name(size_t);

/* Pure helpers, also used by table parsers. */
void	 cfg_split_list(const char *, struct cfg_list *);
void	 cfg_list_free(struct cfg_list *);
int	 cfg_parse_time(const char *, char, long long *);
int	 cfg_parse_bool(const char *, int *);
int	 cfg_expand(const char *, const char *(*)(const char *, void *),
	    void *, struct buf *, struct buf *);

#endif
