/*
 * buf - growable, binary-safe byte strings.
 *
 * A struct buf owns s; s always has a NUL after len (when s is not NULL),
 * so buf_cstr() is free.  Growth is checked for overflow and dies with
 * 4.3.0 on exhaustion (see mem.h).  Initialise with BUF_INIT or buf_init(),
 * release with buf_free().  Functions that take input never grow a buffer
 * past the limit their caller passes.
 */
#ifndef PIPEMAIL_BUF_H
#define PIPEMAIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

#define BUF_INIT	{ NULL, 0, 0 }

void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
void	 buf_reserve(struct buf *, size_t);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_adds(struct buf *, const char *);
void	 buf_addc(struct buf *, int);
void	 buf_set(struct buf *, const void *, size_t);
void	 buf_sets(struct buf *, const char *);
void	 buf_truncate(struct buf *, size_t);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_vprintf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
const char *buf_cstr(struct buf *);
char	*buf_release(struct buf *);
void	 buf_lower(struct buf *);
void	 buf_trim(struct buf *);

#endif
