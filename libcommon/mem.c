/*
 * mem - allocation that cannot fail.
 */
#include "mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exits.h"

/* xmalloc - malloc or die temporarily */
void *
xmalloc(size_t n)
{
	void	*p = malloc(n ? n : 1);

	if (p == NULL)
		die_nomem();
	return p;
}

/* xcalloc - zeroed array or die */
void *
xcalloc(size_t n, size_t size)
{
	void	*p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		die_nomem();
	return p;
}

/* xrealloc - resize or die */
void *
xrealloc(void *old, size_t n)
{
	void	*p = realloc(old, n ? n : 1);

	if (p == NULL)
		die_nomem();
	return p;
}

/* xreallocarray - resize an array of n elements, checking n * size */
void *
xreallocarray(void *old, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		die_nomem();
	return xrealloc(old, n * size);
}

/* xstrdup - copy a C string */
char *
xstrdup(const char *s)
{
	return xmemdup(s, strlen(s) + 1);
}

/* xstrndup - copy at most n bytes of s and terminate */
char *
xstrndup(const char *s, size_t n)
{
	size_t	 len = strnlen(s, n);
	char	*p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* xmemdup - copy n bytes */
void *
xmemdup(const void *s, size_t n)
{
	void	*p = xmalloc(n);

	if (n)
		memcpy(p, s, n);
	return p;
}
