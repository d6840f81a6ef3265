/*
 * buf - growable, binary-safe byte strings.
 */
#include "buf.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exits.h"
#include "mem.h"

/* buf_init - make an empty buffer */
void
buf_init(struct buf *b)
{
	b->s = NULL;
	b->len = b->cap = 0;
}

/* buf_free - release storage; the buffer is empty and reusable after */
void
buf_free(struct buf *b)
{
	free(b->s);
	buf_init(b);
}

/* buf_reset - empty without releasing storage */
void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

/* buf_reserve - make room for n more bytes plus the NUL */
void
buf_reserve(struct buf *b, size_t n)
{
	size_t	 need, cap;

	if (n > SIZE_MAX - b->len - 1)
		die_nomem();
	need = b->len + n + 1;
	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->s = xrealloc(b->s, cap);
	b->cap = cap;
	b->s[b->len] = '\0';
}

/* buf_add - append n bytes */
void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* buf_adds - append a C string */
void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* buf_addc - append one byte */
void
buf_addc(struct buf *b, int c)
{
	buf_reserve(b, 1);
	b->s[b->len++] = (char)c;
	b->s[b->len] = '\0';
}

/* buf_set - replace the contents */
void
buf_set(struct buf *b, const void *p, size_t n)
{
	b->len = 0;
	buf_add(b, p, n);
}

/* buf_sets - replace the contents with a C string */
void
buf_sets(struct buf *b, const char *s)
{
	buf_set(b, s, strlen(s));
}

/* buf_truncate - shorten to n bytes (no-op when already shorter) */
void
buf_truncate(struct buf *b, size_t n)
{
	if (n < b->len) {
		b->len = n;
		b->s[n] = '\0';
	}
}

/* buf_vprintf - append formatted text */
void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list	 aq;
	int	 n;

	buf_reserve(b, 64);
	va_copy(aq, ap);
	n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, aq);
	va_end(aq);
	if (n < 0)
		die_temp("4.3.0 formatting error");
	if ((size_t)n >= b->cap - b->len) {
		buf_reserve(b, (size_t)n);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		if (n < 0 || (size_t)n >= b->cap - b->len)
			die_temp("4.3.0 formatting error");
	}
	b->len += (size_t)n;
}

/* buf_printf - append formatted text */
void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

/* buf_cstr - the contents as a C string (never NULL) */
const char *
buf_cstr(struct buf *b)
{
	if (b->s == NULL)
		buf_reserve(b, 0);
	return b->s;
}

/* buf_release - hand the storage to the caller, who frees it */
char *
buf_release(struct buf *b)
{
	char	*s;

	buf_cstr(b);
	s = b->s;
	buf_init(b);
	return s;
}

/* buf_lower - fold ASCII letters to lower case in place */
void
buf_lower(struct buf *b)
{
	for (size_t i = 0; i < b->len; i++)
		b->s[i] = (char)tolower((unsigned char)b->s[i]);
}

/* buf_trim - remove leading and trailing white space */
void
buf_trim(struct buf *b)
{
	size_t	 i = 0;

	while (b->len > 0 && isspace((unsigned char)b->s[b->len - 1]))
		b->len--;
	while (i < b->len && isspace((unsigned char)b->s[i]))
		i++;
	if (i)
		memmove(b->s, b->s + i, b->len - i);
	b->len -= i;
	if (b->s)
		b->s[b->len] = '\0';
}
