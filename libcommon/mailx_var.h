/*
 * mailx_var - mailx's named tables: variables (set/unset), aliases,
 * and the ignore/retain lists of header names.
 *
 * A struct mailx_table maps names to values, keeping the order of first
 * definition (what "set" and "alias" list).  Names compare exactly, or
 * with MAILX_T_NOCASE case-blind (header names).  The table owns its
 * strings; mailx_table_free() releases them.  Lookups return pointers
 * that live until the entry is replaced or removed.
 *
 * mailx_var_number() reads a numeric variable (crt, screen, toplines),
 * giving the default when it is unset, empty or no number.
 * mailx_var_env() gives a variable, else the environment variable of
 * the same name, else NULL (POSIX lets either set DEAD, EDITOR, ...).
 */
#ifndef PIPEMAIL_MAILX_VAR_H
#define PIPEMAIL_MAILX_VAR_H

#include <stddef.h>

#define MAILX_T_NOCASE	0x01	/* names compare case-blind */
#define MAILX_VAR_NAME_MAX	256	/* bytes in a variable name */

struct mailx_entry {
	char	*name;
	char	*value;
};

struct mailx_table {
	struct mailx_entry	*v;
	size_t			 n;
	size_t			 cap;
	int			 flags;
};

void	 mailx_table_init(struct mailx_table *, int);
void	 mailx_table_free(struct mailx_table *);
void	 mailx_table_set(struct mailx_table *, const char *, const char *);
int	 mailx_table_unset(struct mailx_table *, const char *);
const char *mailx_table_get(const struct mailx_table *, const char *);
int	 mailx_table_has(const struct mailx_table *, const char *);
long	 mailx_var_number(const struct mailx_table *, const char *, long);
const char *mailx_var_env(const struct mailx_table *, const char *);

#endif
