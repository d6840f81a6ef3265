/*
 * mem - allocation that cannot fail.
 *
 * Out of memory is fatal and temporary: every function here either returns
 * usable memory or ends the process with EX_TEMPFAIL ("4.3.0").  Callers
 * carry no NULL checks.  Sizes are checked for overflow before multiplying.
 * The caller owns and frees what these return.
 */
#ifndef PIPEMAIL_MEM_H
#define PIPEMAIL_MEM_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
void	*xmemdup(const void *, size_t);

#endif
