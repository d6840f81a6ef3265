/*
 * mailx_var - named tables for variables, aliases and header lists.
 */
#include "mailx_var.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mem.h"

/* mailx_table_init - an empty table; flags MAILX_T_* */
void
mailx_table_init(struct mailx_table *t, int flags)
{
	memset(t, 0, sizeof(*t));
	t->flags = flags;
}

/* mailx_table_free - release every entry */
void
mailx_table_free(struct mailx_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].name);
		free(t->v[i].value);
	}
	free(t->v);
	mailx_table_init(t, t->flags);
}

/* find - the index of name in t, or t->n */
static size_t
find(const struct mailx_table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if ((t->flags & MAILX_T_NOCASE) ?
		    strcasecmp(t->v[i].name, name) == 0 :
		    strcmp(t->v[i].name, name) == 0)
			return i;
	return t->n;
}

/* mailx_table_set - define name as value, replacing an old value */
void
mailx_table_set(struct mailx_table *t, const char *name, const char *value)
{
	size_t		 i = find(t, name);

	if (i < t->n) {
		free(t->v[i].value);
		t->v[i].value = xstrdup(value);
		return;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	t->v[t->n].name = xstrdup(name);
	t->v[t->n].value = xstrdup(value);
	t->n++;
}

/* mailx_table_unset - remove name; 1 when it was there, else 0 */
int
mailx_table_unset(struct mailx_table *t, const char *name)
{
	size_t		 i = find(t, name);

	if (i == t->n)
		return 0;
	free(t->v[i].name);
	free(t->v[i].value);
	memmove(&t->v[i], &t->v[i + 1], (t->n - i - 1) * sizeof(*t->v));
	t->n--;
	return 1;
}

/* mailx_table_get - the value of name, or NULL when undefined */
const char *
mailx_table_get(const struct mailx_table *t, const char *name)
{
	size_t		 i = find(t, name);

	return i < t->n ? t->v[i].value : NULL;
}

/* mailx_table_has - whether name is defined */
int
mailx_table_has(const struct mailx_table *t, const char *name)
{
	return find(t, name) < t->n;
}

/* mailx_var_number - a numeric variable, or def when unset or bad */
long
mailx_var_number(const struct mailx_table *t, const char *name, long def)
{
	const char	*v = mailx_table_get(t, name);
	char		*end;
	long		 n;

	if (v == NULL || *v == '\0')
		return def;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < 0)
		return def;
	return n;
}

/* mailx_var_env - a variable's value, else the environment variable of
 * that name (EDITOR, VISUAL, DEAD, ...), else NULL */
const char *
mailx_var_env(const struct mailx_table *t, const char *name)
{
	const char	*v = mailx_table_get(t, name);

	return v != NULL ? v : getenv(name);
}
