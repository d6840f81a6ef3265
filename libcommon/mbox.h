/*
 * mbox - the mbox format (RFC 4155, "mboxrd" quoting), mailbox locking
 * and the all-or-nothing append.
 *
 * Encoding is pure: mbox_enc_push() takes message bytes in, in any
 * pieces, and appends the encoded bytes to a struct buf (or only counts
 * them when the buf is NULL).  It turns CRLF into LF and, with
 * MBOX_F_QUOTE, adds one '>' to every line matching "^>*From ".
 * mbox_enc_end() flushes what is held back, adds a final newline when the
 * message lacks one and, with MBOX_F_BLANK, the blank line that ends an
 * mbox message.  mbox_envelope() formats the lines put in front of the
 * message: the "From " line (MBOX_F_FROM), Return-Path and Delivered-To.
 *
 * The message itself is read with pread(2) from a struct mbox_msg, so a
 * spooled file can be delivered several times without being rewound.
 *
 * Locking: a dotlock MAILBOX.lock (created O_EXCL, holding "PID BEFORE
 * AFTER\n": the holder's pid, the mailbox size when it locked, the size
 * its append will reach) plus an fcntl(2) write lock on the mailbox.
 * Only a dotlock this system could have written is acted on: a regular
 * file with one link (opened O_NOFOLLOW, checked by fstat), owned by our
 * effective uid or the mailbox's owner; any other is someone else's and
 * is waited for, never a byte cut.  One of ours whose pid is dead is
 * broken at once; when the mailbox size lies strictly between BEFORE and
 * AFTER and those bytes are one append cut short, the dead holder was
 * killed in the middle of it, and the partial message is cut off first.
 * See stale() in mbox.c for the rest.
 *
 * mbox_copy() writes the envelope and the encoded message to a file
 * descriptor (or, given -1, only counts the bytes); it returns 0, -1 on
 * a write error or -2 on a read error, errno set.  The other I/O
 * functions return a sysexits status, EX_OK on success; otherwise why
 * holds one line "X.Y.Z reason" (RFC 3463 code).  Nothing here exits.
 * The caller owns every buf and fd it passes.
 */
#ifndef PIPEMAIL_MBOX_H
#define PIPEMAIL_MBOX_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"

/* Encoding flags. */
#define MBOX_F_FROM	0x01	/* "From SENDER DATE" line first */
#define MBOX_F_QUOTE	0x02	/* mboxrd: ">" before "^>*From " */
#define MBOX_F_BLANK	0x04	/* a blank line after the message */
#define MBOX_F_MBOX	(MBOX_F_FROM | MBOX_F_QUOTE | MBOX_F_BLANK)

#define MBOX_LOCK_TIMEOUT	20000	/* ms to wait for a live holder */
#define MBOX_LOCK_SUFFIX	".lock"

/* Flags for mbox_open(). */
#define MBOX_O_CREATE	0x01	/* create a missing file, mode 0600 */
#define MBOX_O_OWNER	0x02	/* it must belong to our effective uid */

struct mbox_enc {
	int		 flags;
	int		 bol;		/* the next byte starts a line */
	int		 cr;		/* a CR held back: CRLF or lone CR? */
	int		 matching;	/* inside a possible ">*From " */
	size_t		 gt;		/* '>' bytes held back */
	size_t		 from;		/* bytes of "From " held back */
	unsigned long long total;	/* bytes produced so far */
};

/* One message: bytes [start, start + len) of fd, with its envelope. */
struct mbox_msg {
	int		 fd;
	off_t		 start;
	off_t		 len;
	const char	*sender;	/* "" for the null sender */
	const char	*recipient;	/* Delivered-To; NULL: none */
	time_t		 when;		/* date of the From line */
	int		 pause_midway;	/* test hook, see deliver-local(8) */
};

struct mbox_lock {
	int		 fd;		/* the mailbox */
	char		*path;		/* the dotlock; NULL: not held */
	off_t		 size;		/* mailbox size once locked */
	int		 pad;		/* newlines mbox_append() writes first */
};

/* Pure encoding. */
void	 mbox_enc_init(struct mbox_enc *, int);
void	 mbox_enc_push(struct mbox_enc *, const char *, size_t, struct buf *);
void	 mbox_enc_end(struct mbox_enc *, struct buf *);
void	 mbox_envelope(struct buf *, const struct mbox_msg *, int);
int	 mbox_sender_ok(const char *);

/* Writing, locking, appending. */
int	 mbox_why_errno(struct buf *, int, const char *, const char *);
int	 mbox_copy(int, const struct mbox_msg *, int, off_t *, struct buf *);
int	 mbox_open(const char *, int, int *, struct buf *);
int	 mbox_lock(struct mbox_lock *, int, const char *, off_t, int,
	    struct buf *);
void	 mbox_unlock(struct mbox_lock *);
void	 mbox_lock_keep(int);
int	 mbox_append(int, const char *, const struct mbox_msg *, off_t, int,
	    struct buf *);

#endif
