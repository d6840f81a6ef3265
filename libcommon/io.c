/*
 * io - buffered, capped, deadline-aware streams on file descriptors.
 */
#include "io.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"

/* fd_tr_read - the plain transport: read(2) */
static ssize_t
fd_tr_read(void *ctx, void *p, size_t n)
{
	return read(*(int *)ctx, p, n);
}

/* fd_tr_write - the plain transport: write(2) */
static ssize_t
fd_tr_write(void *ctx, const void *p, size_t n)
{
	return write(*(int *)ctx, p, n);
}

/* io_init - wrap a descriptor; the stream does not own it */
void
io_init(struct io *io, int fd)
{
	memset(io, 0, sizeof(*io));
	io->fd = fd;
	io->tr.read = fd_tr_read;
	io->tr.write = fd_tr_write;
	io->tr.ctx = &io->fd;
	io->in_cap = IO_BUFSIZE;
	io->in = xmalloc(io->in_cap);
	buf_init(&io->out);
}

/* io_free - release buffers (the descriptor stays open) */
void
io_free(struct io *io)
{
	free(io->in);
	io->in = NULL;
	buf_free(&io->out);
}

/* io_set_timeout - deadline in milliseconds for each read and write */
void
io_set_timeout(struct io *io, int ms)
{
	io->timeout_ms = ms;
}

/* io_set_transport - put another layer (TLS) under the stream */
void
io_set_transport(struct io *io, const struct io_transport *tr)
{
	io->tr = *tr;
}

/* io_wait - wait until fd is ready for events; 0 ready, -1 timeout/error */
static int
io_wait(struct io *io, short events)
{
	struct pollfd	 pfd;
	int		 n;

	if (io->timeout_ms <= 0)
		return 0;
	if (events == POLLIN && io->tr.pending && io->tr.pending(io->tr.ctx))
		return 0;
	pfd.fd = io->fd;
	pfd.events = events;
	do
		n = poll(&pfd, 1, io->timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	return n < 0 ? -1 : 0;
}

/* io_fill - read more input; 1 got bytes, 0 EOF, -1 error/timeout */
static int
io_fill(struct io *io)
{
	ssize_t	 n;

	if (io->eof)
		return 0;
	if (io->in_start == io->in_end)
		io->in_start = io->in_end = 0;
	else if (io->in_end == io->in_cap && io->in_start > 0) {
		memmove(io->in, io->in + io->in_start,
		    io->in_end - io->in_start);
		io->in_end -= io->in_start;
		io->in_start = 0;
	}
	for (;;) {
		if (io_wait(io, POLLIN) < 0) {
			io->err = errno;
			return -1;
		}
		n = io->tr.read(io->tr.ctx, io->in + io->in_end,
		    io->in_cap - io->in_end);
		if (n > 0) {
			io->in_end += (size_t)n;
			return 1;
		}
		if (n == 0) {
			io->eof = 1;
			return 0;
		}
		if (errno != EINTR && errno != EAGAIN) {
			io->err = errno;
			return -1;
		}
	}
}

/* io_getline - read one line of at most max bytes (see io.h) */
enum io_result
io_getline(struct io *io, struct buf *line, size_t max)
{
	int	 toolong = 0, r;
	size_t	 got = 0;

	buf_reset(line);
	for (;;) {
		char	*start = io->in + io->in_start;
		size_t	 avail = io->in_end - io->in_start;
		char	*nl = memchr(start, '\n', avail);
		size_t	 take = nl ? (size_t)(nl - start) : avail;

		if (!toolong) {
			if (line->len + take > max) {
				toolong = 1;
				buf_reset(line);
			} else
				buf_add(line, start, take);
		}
		got += take;
		if (nl) {
			io->in_start += take + 1;
			if (toolong)
				return IO_TOOLONG;
			return IO_OK;
		}
		io->in_start = io->in_end;
		r = io_fill(io);
		if (r == 0) {
			if (toolong)
				return IO_TOOLONG;
			return got ? IO_OK : IO_EOF;
		}
		if (r < 0)
			return io->err == ETIMEDOUT ? IO_TIMEOUT : IO_ERR;
	}
}

/* io_buffered - input bytes already read and not yet consumed */
size_t
io_buffered(const struct io *io)
{
	return io->in_end - io->in_start;
}

/* io_read - read up to n bytes: buffered first; 0 at EOF, -1 error */
ssize_t
io_read(struct io *io, void *p, size_t n)
{
	size_t	 avail;
	int	 r;

	if (io->in_start == io->in_end) {
		r = io_fill(io);
		if (r <= 0)
			return r;
	}
	avail = io->in_end - io->in_start;
	if (n > avail)
		n = avail;
	memcpy(p, io->in + io->in_start, n);
	io->in_start += n;
	return (ssize_t)n;
}

/* io_write - queue bytes; flushes when the buffer is large */
int
io_write(struct io *io, const void *p, size_t n)
{
	buf_add(&io->out, p, n);
	if (io->out.len >= IO_BUFSIZE)
		return io_flush(io);
	return 0;
}

/* io_puts - queue a C string */
int
io_puts(struct io *io, const char *s)
{
	return io_write(io, s, strlen(s));
}

/* io_printf - queue formatted text */
int
io_printf(struct io *io, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	buf_vprintf(&io->out, fmt, ap);
	va_end(ap);
	if (io->out.len >= IO_BUFSIZE)
		return io_flush(io);
	return 0;
}

/* io_flush - write out everything queued; 0 or -1 */
int
io_flush(struct io *io)
{
	size_t	 off = 0;
	ssize_t	 n;

	while (off < io->out.len) {
		if (io_wait(io, POLLOUT) < 0) {
			io->err = errno;
			return -1;
		}
		n = io->tr.write(io->tr.ctx, io->out.s + off,
		    io->out.len - off);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			io->err = errno;
			return -1;
		}
		off += (size_t)n;
	}
	buf_reset(&io->out);
	return 0;
}

/* fd_write_all - write everything, retrying short writes; 0 or -1 */
int
fd_write_all(int fd, const void *p, size_t n)
{
	const char	*s = p;

	while (n > 0) {
		ssize_t	 w = write(fd, s, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* fd_read_all - read until n bytes or EOF; the count, or -1 */
ssize_t
fd_read_all(int fd, void *p, size_t n)
{
	char	*s = p;
	size_t	 got = 0;

	while (got < n) {
		ssize_t	 r = read(fd, s + got, n - got);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* fd_read_file - append the rest of fd to b; -1 with EFBIG past max */
int
fd_read_file(int fd, struct buf *b, size_t max)
{
	for (;;) {
		ssize_t	 r;

		buf_reserve(b, 8192);
		r = read(fd, b->s + b->len, b->cap - b->len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			return 0;
		b->len += (size_t)r;
		b->s[b->len] = '\0';
		if (b->len > max) {
			errno = EFBIG;
			return -1;
		}
	}
}
