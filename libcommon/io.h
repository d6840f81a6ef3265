/*
 * io - buffered reads and writes on a file descriptor, with a hard cap on
 * every line and an optional deadline on every read and write.
 *
 * A struct io is one direction-agnostic stream: reads fill an input
 * buffer, writes collect in an output buffer until io_flush().  The
 * transport is replaceable (io_set_transport), so a TLS layer can sit
 * under an existing stream without its users changing.
 *
 * io_getline() returns IO_OK with the line (terminator removed, length in
 * line->len, NUL bytes kept), IO_EOF at end of input with nothing read,
 * IO_TOOLONG when the line exceeded the cap (the rest of the line is read
 * and thrown away, so the stream stays in step), IO_TIMEOUT or IO_ERR.
 */
#ifndef PIPEMAIL_IO_H
#define PIPEMAIL_IO_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

#define IO_BUFSIZE	16384

enum io_result {
	IO_OK = 0,
	IO_EOF = 1,
	IO_TOOLONG = 2,
	IO_TIMEOUT = -1,
	IO_ERR = -2,
};

struct io;

/* A transport moves bytes; it returns like read(2)/write(2). */
struct io_transport {
	ssize_t	(*read)(void *, void *, size_t);
	ssize_t	(*write)(void *, const void *, size_t);
	int	(*pending)(void *);	/* bytes buffered below us, or NULL */
	void	*ctx;
};

struct io {
	int			 fd;
	int			 timeout_ms;	/* <= 0: none */
	struct io_transport	 tr;
	char			*in;
	size_t			 in_start, in_end, in_cap;
	struct buf		 out;
	int			 eof;
	int			 err;
};

void	 io_init(struct io *, int);
void	 io_free(struct io *);
void	 io_set_timeout(struct io *, int);
void	 io_set_transport(struct io *, const struct io_transport *);
enum io_result io_getline(struct io *, struct buf *, size_t);
ssize_t	 io_read(struct io *, void *, size_t);
size_t	 io_buffered(const struct io *);
int	 io_write(struct io *, const void *, size_t);
int	 io_puts(struct io *, const char *);
int	 io_printf(struct io *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 io_flush(struct io *);

/* Whole-descriptor helpers, retrying on EINTR and short counts. */
int	 fd_write_all(int, const void *, size_t);
ssize_t	 fd_read_all(int, void *, size_t);
int	 fd_read_file(int, struct buf *, size_t);

#endif
