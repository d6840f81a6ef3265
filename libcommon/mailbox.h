/*
 * mailbox - an mbox file (RFC 4155) opened for reading: indexed with
 * read(2) in one pass, its messages read back with pread(2) on demand.
 *
 * mailbox_open() reads the file once through a MAILBOX_READ_SIZE buffer
 * and indexes it: a message starts at a line beginning "From " (every
 * writer pipemail knows quotes such lines in bodies, mboxrd style) and
 * runs to the next one.  Bytes before the first "From " line are no
 * message; they are kept (mailbox_prefix) so a rewrite does not lose
 * them.  Per message the index holds only offsets, the line count, where
 * the header section ends and the flags (struct mailbox_msg, well under
 * MAILBOX_MSG_BYTES_MAX bytes); the Status header is read on the way
 * when the header fits in MAILBOX_CARRY_MAX bytes, else the first time
 * someone asks.  Nothing of the file stays in memory but the index.
 * The file stays open (close-on-exec) for the reads that follow.
 *
 * Reading: the header accessors (mailbox_from_line, mailbox_headers,
 * mailbox_header, mailbox_envelope, mailbox_status) read only the
 * message's header section, through a window of MAILBOX_WINDOW bytes
 * or more that serves the next messages too, so a listing reads the
 * file in large sequential blocks.  mailbox_body() loads the whole
 * message into a buffer of its own.  The pointers the accessors return
 * stay valid until an accessor is called for another message, or
 * mailbox_close(); mailbox_read() copies any part of a message into the
 * caller's memory instead (for copying large messages in chunks).  A
 * read that fails or comes up short (the file was cut meanwhile) gives
 * NUL bytes in place of the missing ones and sets mb->err.
 *
 * mailbox_index() indexes bytes already in memory (which must outlive
 * the mailbox; used by the tests); the accessors then point into them.
 * mailbox_open_size() is mailbox_open() with another read size, for the
 * tests of lines and headers cut by a read.  Message numbers count
 * from 0.
 *
 * Flags: MAILBOX_F_NEW and MAILBOX_F_UNREAD reflect the Status header
 * (RFC 4155 is silent; every mail reader writes "Status: RO": O for a
 * message seen in an earlier session, R for one read).  The other flags
 * belong to the reader (mailx's session state), which sets them freely.
 *
 * Editing: mailbox_replace() puts new contents in place of message i
 * (a whole mbox message: its "From " line, quoted body, the empty line
 * after it) for the rest of the session: they go to an unlinked
 * temporary file (in $TMPDIR, else /tmp), v[i] then describes them
 * (MAILBOX_F_EDITED; start and end are offsets in that file) and every
 * accessor reads them from there; the mailbox file itself is left
 * alone.  The reader's flags stay; those of the Status header are read
 * from the new contents.  It returns 0, or -1 with errno (EINVAL when
 * the bytes are not one mbox message).  mailbox_file_start() is where
 * message i (replaced or not; i == n: the end of the last) begins in the
 * mailbox file.
 *
 * mailbox_open() returns 0, or -1 with errno set (ENOENT for a missing
 * file; EINVAL for something that is no regular file).
 */
#ifndef PIPEMAIL_MAILBOX_H
#define PIPEMAIL_MAILBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

#define MAILBOX_MSG_BYTES_MAX	200	/* memory per message, the budget */
#define MAILBOX_HEADER_MAX	(1024 * 1024)	/* header bytes looked at */
#define MAILBOX_READ_SIZE	(1024 * 1024)	/* bytes per read() */
#define MAILBOX_READ_MIN	16	/* the smallest read size */
#define MAILBOX_CARRY_MAX	(MAILBOX_READ_SIZE / 4)	/* header kept */
#define MAILBOX_WINDOW		(256 * 1024)	/* header window read */

/* Status as found in the file (filled in by mailbox_status()). */
#define MAILBOX_F_NEW		0x0001	/* no "O": not seen before */
#define MAILBOX_F_UNREAD	0x0002	/* no "R" */
#define MAILBOX_F_KNOWN		0x0004	/* Status looked at */
/* Reader state. */
#define MAILBOX_F_READ		0x0010	/* read in this session */
#define MAILBOX_F_DELETED	0x0020
#define MAILBOX_F_SAVED		0x0040	/* saved to a folder */
#define MAILBOX_F_PRESERVE	0x0080	/* hold in the mailbox */
#define MAILBOX_F_TOUCHED	0x0100	/* read or touched: mbox candidate */
#define MAILBOX_F_MBOX		0x0200	/* "mbox" command: move it */
#define MAILBOX_F_LINES		0x0400	/* lines counted */
#define MAILBOX_F_HDR		0x0800	/* body offset known */
#define MAILBOX_F_EDITED	0x1000	/* replaced: bytes in the edit file */

struct mailbox_msg {
	off_t		 start;		/* the "From " line */
	off_t		 end;		/* the next message, or end of file */
	uint32_t	 body;		/* body offset from start */
	uint32_t	 lines;		/* lines of the message */
	uint32_t	 flags;		/* MAILBOX_F_* */
};

struct mailbox_orig {
	size_t		 i;		/* a replaced message */
	off_t		 start;		/* its offset in the mailbox file */
};

struct mailbox {
	int			 fd;	/* the file, when has_fd */
	int			 has_fd;
	const char		*mem;	/* or its bytes (mailbox_index) */
	size_t			 size;	/* bytes indexed */
	size_t			 prefix;	/* bytes before message 0 */
	dev_t			 dev;
	ino_t			 ino;
	struct mailbox_msg	*v;
	size_t			 n;
	size_t			 cap;
	char			*win;	/* header window: file bytes */
	size_t			 wcap;
	size_t			 wlen;
	off_t			 woff;	/* ... from this offset */
	struct buf		 msg;	/* the message loaded whole */
	size_t			 loaded;	/* its number + 1; 0: none */
	int			 err;	/* errno of a failed read, or 0 */
	int			 xfd;	/* the edit file, when has_xfd */
	int			 has_xfd;
	off_t			 xsize;	/* its size */
	struct mailbox_orig	*orig;	/* where replaced messages were */
	size_t			 norig;
};

int	 mailbox_open(struct mailbox *, const char *);
int	 mailbox_open_size(struct mailbox *, const char *, size_t);
void	 mailbox_index(struct mailbox *, const char *, size_t);
void	 mailbox_close(struct mailbox *);

size_t	 mailbox_prefix(const struct mailbox *);
off_t	 mailbox_file_start(const struct mailbox *, size_t);
int	 mailbox_replace(struct mailbox *, size_t, const char *, size_t);
const char *mailbox_from_line(struct mailbox *, size_t, size_t *);
const char *mailbox_headers(struct mailbox *, size_t, size_t *);
const char *mailbox_body(struct mailbox *, size_t, size_t *);
void	 mailbox_body_span(struct mailbox *, size_t, size_t *, size_t *);
ssize_t	 mailbox_read(struct mailbox *, size_t, size_t, char *, size_t);
int	 mailbox_header(struct mailbox *, size_t, const char *,
	    struct buf *);
unsigned long mailbox_lines(struct mailbox *, size_t);
unsigned long long mailbox_bytes(const struct mailbox *, size_t);
uint32_t mailbox_status(struct mailbox *, size_t);
void	 mailbox_unquote(const char *, size_t, struct buf *);
void	 mailbox_envelope(struct mailbox *, size_t, struct buf *,
	    struct buf *);

#endif
