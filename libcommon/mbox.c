/*
 * mbox - mboxrd encoding, dotlock plus fcntl locking, and the append
 * that either completes or leaves the mailbox as it was.
 */
#define _GNU_SOURCE	/* O_TMPFILE */
#include "mbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "io.h"
#include "log.h"
#include "mem.h"

#define MBOX_CHUNK		65536	/* bytes read or written at once */
#define MBOX_LOCK_LINE_MAX	80	/* "PID BEFORE AFTER\n" */
#define MBOX_FOREIGN_STALE	300	/* s: age of a foreign lock we break */
#define MBOX_SLEEP_MIN_MS	5	/* first back-off while waiting */
#define MBOX_SLEEP_MAX_MS	100	/* longest back-off while waiting */
#define MBOX_PAUSE_SECONDS	30	/* the pause_midway test hook */

static const char from_[] = "From ";
#define FROM_LEN	(sizeof(from_) - 1)

/* emit - append n bytes to out (when there is one) and count them */
static void
emit(struct mbox_enc *e, struct buf *out, const char *p, size_t n)
{
	if (out != NULL)
		buf_add(out, p, n);
	e->total += n;
}

/* emit_held - give back the ">>>From" prefix that turned out not to match */
static void
emit_held(struct mbox_enc *e, struct buf *out)
{
	static const char gts[] = ">>>>>>>>>>>>>>>>";

	while (e->gt > 0) {
		size_t	 n = e->gt < sizeof(gts) - 1 ? e->gt : sizeof(gts) - 1;

		emit(e, out, gts, n);
		e->gt -= n;
	}
	emit(e, out, from_, e->from);
	e->from = 0;
	e->matching = 0;
}

/* quote - the mboxrd stage: one byte of LF-terminated input */
static void
quote(struct mbox_enc *e, int c, struct buf *out)
{
	char	 ch = (char)c;

	if ((e->flags & MBOX_F_QUOTE) && e->bol) {
		e->matching = 1;
		e->gt = 0;
		e->from = 0;
	}
	e->bol = 0;
	if (e->matching) {
		if (e->from == 0 && c == '>') {
			e->gt++;
			return;
		}
		if (c == from_[e->from]) {
			if (++e->from < FROM_LEN)
				return;
			/* RFC 4155 / mboxrd: one more '>' on "^>*From ". */
			emit(e, out, ">", 1);
			emit_held(e, out);
			return;
		}
		emit_held(e, out);
	}
	emit(e, out, &ch, 1);
	if (c == '\n')
		e->bol = 1;
}

/* mbox_enc_init - start encoding one message with the MBOX_F_* flags */
void
mbox_enc_init(struct mbox_enc *e, int flags)
{
	memset(e, 0, sizeof(*e));
	e->flags = flags;
	e->bol = 1;
}

/* mbox_enc_push - encode n more bytes of the message into out */
void
mbox_enc_push(struct mbox_enc *e, const char *p, size_t n, struct buf *out)
{
	size_t	 i = 0;

	while (i < n) {
		/* Fast path: copy a run of ordinary bytes in one go. */
		if (!e->cr && !e->matching &&
		    (!e->bol || !(e->flags & MBOX_F_QUOTE))) {
			size_t	 j = i;

			while (j < n && p[j] != '\r' && p[j] != '\n')
				j++;
			if (j > i) {
				emit(e, out, p + i, j - i);
				e->bol = 0;
				i = j;
				continue;
			}
		}
		/* CRLF becomes LF; a lone CR is kept as it is. */
		if (e->cr) {
			e->cr = 0;
			if (p[i] != '\n')
				quote(e, '\r', out);
		}
		if (p[i] == '\r')
			e->cr = 1;
		else
			quote(e, (unsigned char)p[i], out);
		i++;
	}
}

/* mbox_enc_end - flush, add a missing final newline and the blank line */
void
mbox_enc_end(struct mbox_enc *e, struct buf *out)
{
	if (e->cr) {
		e->cr = 0;
		quote(e, '\r', out);
	}
	if (e->matching)
		emit_held(e, out);
	if (!e->bol)
		emit(e, out, "\n", 1);
	e->bol = 1;
	if (e->flags & MBOX_F_BLANK)
		emit(e, out, "\n", 1);
}

/* mbox_sender_ok - can this sender go into a From line and a header? */
int
mbox_sender_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* mbox_envelope - the From line (MBOX_F_FROM), Return-Path, Delivered-To */
void
mbox_envelope(struct buf *out, const struct mbox_msg *m, int flags)
{
	char		 date[64];
	struct tm	 tm;

	if (flags & MBOX_F_FROM) {
		/* RFC 4155: asctime(3) format, local time, C locale. */
		if (localtime_r(&m->when, &tm) == NULL ||
		    strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y",
		    &tm) == 0)
			snprintf(date, sizeof(date),
			    "Thu Jan  1 00:00:00 1970");
		buf_printf(out, "From %s %s\n",
		    *m->sender ? m->sender : "MAILER-DAEMON", date);
	}
	buf_printf(out, "Return-Path: <%s>\n", m->sender);
	if (m->recipient != NULL && *m->recipient)
		buf_printf(out, "Delivered-To: %s\n", m->recipient);
}

/* flush - write out what is buffered (fd < 0: only count) */
static int
flush(int fd, struct buf *out)
{
	if (fd >= 0 && out->len > 0 && fd_write_all(fd, out->s, out->len) < 0)
		return -1;
	buf_reset(out);
	return 0;
}

/*
 * mbox_copy - write the envelope and the encoded message to fd
 *
 * With fd < 0 nothing is written: the byte count alone comes back in
 * *total, which is how mbox_append() learns the size of an append before
 * taking the lock.  Returns 0, -1 on a write error, -2 on a read error
 * (or when the message is shorter than it claims), errno set.
 */
int
mbox_copy(int fd, const struct mbox_msg *m, int flags, off_t *total,
    struct buf *scratch)
{
	struct mbox_enc	 e;
	struct buf	 own = BUF_INIT, *out = scratch ? scratch : &own;
	char		*in = xmalloc(MBOX_CHUNK);
	off_t		 done = 0, half = m->len / 2;
	int		 paused = !m->pause_midway || fd < 0, r = 0;

	buf_reset(out);
	mbox_envelope(out, m, flags);
	mbox_enc_init(&e, flags);
	e.total = out->len;
	while (r == 0 && done < m->len) {
		size_t	 want = MBOX_CHUNK;
		ssize_t	 got;

		if ((off_t)want > m->len - done)
			want = (size_t)(m->len - done);
		if (!paused && done < half && (off_t)want > half - done)
			want = (size_t)(half - done);
		got = pread(m->fd, in, want, m->start + done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got == 0)
				errno = EIO;
			r = -2;
			break;
		}
		done += got;
		mbox_enc_push(&e, in, (size_t)got, fd >= 0 ? out : NULL);
		if (out->len >= MBOX_CHUNK && flush(fd, out) < 0)
			r = -1;
		if (r == 0 && !paused && done >= half) {
			/* Test hook: half a message on disk, then wait. */
			paused = 1;
			if (flush(fd, out) < 0)
				r = -1;
			else
				sleep(MBOX_PAUSE_SECONDS);
		}
	}
	if (r == 0) {
		mbox_enc_end(&e, fd >= 0 ? out : NULL);
		if (flush(fd, out) < 0)
			r = -1;
	}
	*total = (off_t)e.total;
	free(in);
	buf_free(&own);
	return r;
}

/*
 * mbox_why_errno - sysexits status and reason for a failed mailbox call
 *
 * Disk full is temporary (4.3.1); over quota or over the file size limit
 * bounces (5.2.2), as in Postfix; a missing directory cannot be created
 * into (5.2.0); anything else (permissions included, which an
 * administrator may fix) is temporary, 4.2.0.
 */
int
mbox_why_errno(struct buf *why, int err, const char *what, const char *path)
{
	int		 status = EX_TEMPFAIL;
	const char	*dsn = "4.2.0";

	switch (err) {
	case ENOSPC:
		dsn = "4.3.1";		/* RFC 3463: mail system full */
		break;
	case EDQUOT:
	case EFBIG:
		status = EX_CANTCREAT;	/* as Postfix: over quota bounces */
		dsn = "5.2.2";
		break;
	case ENOENT:
	case ENOTDIR:
		status = EX_CANTCREAT;
		dsn = "5.2.0";
		break;
	case EIO:
		dsn = "4.3.0";
		break;
	}
	buf_reset(why);
	buf_printf(why, "%s cannot %s %s: %s", dsn, what, path, strerror(err));
	return status;
}

/*
 * mbox_open - open a mailbox or file for appending, refusing anything odd
 *
 * O_NOFOLLOW refuses a symbolic link; fstat(2) then refuses what is not
 * a regular file, a file with more than one link (a hard link to some
 * other file) and, with MBOX_O_OWNER, a file not owned by our effective
 * uid.  O_NONBLOCK keeps a FIFO planted in its place from hanging us.
 * With MBOX_O_CREATE a missing file is created, mode 0600, and its
 * directory is fsynced so the new name survives a crash.
 */
int
mbox_open(const char *path, int flags, int *fdp, struct buf *why)
{
	int		 oflags = O_WRONLY | O_APPEND | O_NOFOLLOW | O_NOCTTY |
			    O_NONBLOCK | O_CLOEXEC;
	int		 fd, created = 0;
	struct stat	 st;

	*fdp = -1;
	for (int tries = 0; tries < 2; tries++) {
		fd = open(path, oflags);
		if (fd >= 0 || errno != ENOENT || !(flags & MBOX_O_CREATE))
			break;
		fd = open(path, oflags | O_CREAT | O_EXCL, 0600);
		if (fd >= 0 || errno != EEXIST) {
			created = fd >= 0;
			break;
		}
	}
	if (fd < 0 && (errno == ELOOP || errno == ENXIO)) {
		/* ENXIO: a FIFO without a reader, or a device. */
		buf_reset(why);
		buf_printf(why, "5.7.0 refusing mailbox %s: %s", path,
		    errno == ELOOP ? "symbolic link" : "not a regular file");
		return EX_NOPERM;
	}
	if (fd < 0)
		return mbox_why_errno(why, errno, "open mailbox", path);
	if (fstat(fd, &st) < 0) {
		close(fd);
		return mbox_why_errno(why, errno, "stat mailbox", path);
	}
	buf_reset(why);
	if (!S_ISREG(st.st_mode))
		buf_printf(why, "5.7.0 refusing mailbox %s: not a regular file",
		    path);
	else if (st.st_nlink != 1)
		buf_printf(why, "5.7.0 refusing mailbox %s: it has %lu links",
		    path, (unsigned long)st.st_nlink);
	else if ((flags & MBOX_O_OWNER) && st.st_uid != geteuid())
		buf_printf(why, "5.7.0 refusing mailbox %s: owned by uid %lu, "
		    "not %lu", path, (unsigned long)st.st_uid,
		    (unsigned long)geteuid());
	if (why->len > 0) {
		close(fd);
		return EX_NOPERM;
	}
	if (fcntl(fd, F_SETFL, O_WRONLY | O_APPEND) < 0 ||
	    (created && file_fsync_parent(path) < 0)) {
		int	 saved = errno;

		close(fd);
		return mbox_why_errno(why, saved, "open mailbox", path);
	}
	*fdp = fd;
	return EX_OK;
}

/* now_ms - monotonic milliseconds, for deadlines */
static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* sleep_ms - sleep, or less when a signal comes */
static void
sleep_ms(long long ms)
{
	struct timespec	 ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	nanosleep(&ts, NULL);
}

/* boot_time - when this system booted, or 0 when we cannot tell */
static time_t
boot_time(void)
{
#ifdef CLOCK_BOOTTIME
	struct timespec	 ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) == 0)
		return time(NULL) - ts.tv_sec;
#endif
	return 0;
}

/* parse_lock - read "PID BEFORE AFTER" from a dotlock; 0 or -1 */
static int
parse_lock(const char *s, long long v[3])
{
	for (int i = 0; i < 3; i++) {
		char	*end;

		if (*s < '0' || *s > '9')
			return -1;
		errno = 0;
		v[i] = strtoll(s, &end, 10);
		if (errno != 0 || *end != (i < 2 ? ' ' : '\n'))
			return -1;
		s = end + 1;
	}
	return *s == '\0' && v[0] > 0 && v[0] <= INT_MAX ? 0 : -1;
}

enum lock_state { LOCK_HELD, LOCK_BUSY, LOCK_STALE, LOCK_ERR };

/* Why a dotlock is left alone: what the message on timeout says. */
struct lock_why {
	long		 pid;		/* its holder, 0: none known */
	char		 text[96];	/* "" or why it is not ours */
};

/* ts_le - is timespec a at or before b? */
static int
ts_le(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec <= b->tv_nsec);
}

/* lock_old - a lock untouched for MBOX_FOREIGN_STALE s, or from before
 * the last boot; such a lock is only ever removed, never acted on */
static int
lock_old(const struct stat *st)
{
	return time(NULL) - st->st_mtime > MBOX_FOREIGN_STALE ||
	    st->st_mtime < boot_time();
}

/*
 * partial - do bytes [before, size) of the mailbox look like the start
 * of one append of ours, cut short?
 *
 * That append began at before with "From " (after "\n\n" when it had to
 * pad a torn mailbox) and, mboxrd-quoted, holds no other line starting
 * "From ".  Its lock was written before its first byte, so the lock's
 * ctime is at or before the mailbox's mtime.  A lock written later, or
 * a region holding whole messages, is not a killed append: 0.  The
 * mailbox fd may be write-only, so it is read through its name, checked
 * to be the same file.
 */
static int
partial(const char *mailbox, const struct stat *mst, const struct stat *lst,
    off_t before)
{
	static const char pad_from[] = "\n\nFrom ";
	char		*in;
	struct stat	 rst;
	off_t		 off = before;
	size_t		 k = 0, head = 0;
	int		 rfd, ok = 1, m = -1;

	if (!ts_le(&lst->st_ctim, &mst->st_mtim))
		return 0;
	rfd = open(mailbox, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (rfd < 0)
		return 0;
	if (fstat(rfd, &rst) < 0 || rst.st_dev != mst->st_dev ||
	    rst.st_ino != mst->st_ino) {
		close(rfd);
		return 0;
	}
	in = xmalloc(MBOX_CHUNK);
	while (ok && off < mst->st_size) {
		size_t	 want = MBOX_CHUNK;
		ssize_t	 got;

		if ((off_t)want > mst->st_size - off)
			want = (size_t)(mst->st_size - off);
		got = pread(rfd, in, want, off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			ok = 0;
			break;
		}
		for (ssize_t i = 0; i < got && ok; i++, k++) {
			char	 c = in[i];

			/* The head: "From " or "\n\nFrom ". */
			if (head == 0 && k == 0)
				head = c == '\n' ? sizeof(pad_from) - 1 :
				    FROM_LEN;
			if (k < head) {
				if (c != pad_from[sizeof(pad_from) - 1 -
				    head + k])
					ok = 0;
				continue;
			}
			/* Then no line that starts "From ". */
			if (m >= 0) {
				if (c == from_[m]) {
					if ((size_t)++m == FROM_LEN)
						ok = 0;
				} else {
					m = -1;
				}
			}
			if (c == '\n')
				m = 0;
		}
		off += got;
	}
	free(in);
	close(rfd);
	return ok;
}

/*
 * stale - is the dotlock at path stale?  Recover from a killed append.
 *
 * Called only while we hold the fcntl lock, so no other pipemail process
 * is between its lock and its unlock.  Only a lock this system could
 * have written is acted on: a regular file with one link, owned by our
 * effective uid or by the mailbox's owner (nobody else can make us act:
 * those two may write the mailbox anyway), opened without following a
 * link.  Anything else is someone else's lock: LOCK_BUSY, for as long
 * as it is there, and never a byte cut.
 *
 * Of our locks, one whose pid is dead (or which predates the last boot)
 * is broken.  A mailbox size equal to BEFORE or AFTER means the holder
 * wrote nothing or completed: nothing to undo.  A size strictly between
 * means it was killed in the middle of its append: the partial message
 * is cut off, after partial() has checked that those bytes are one
 * append of ours.  A lock whose sizes match nothing in the mailbox, or
 * in no format of ours, is left alone until it is MBOX_FOREIGN_STALE
 * seconds old, and then only removed.
 */
static enum lock_state
stale(int fd, const char *path, const char *mailbox, struct lock_why *lw,
    struct buf *why)
{
	char		 line[MBOX_LOCK_LINE_MAX + 1];
	long long	 v[3];
	struct stat	 st, mst;
	ssize_t		 n;
	int		 lfd;

	lw->pid = 0;
	lw->text[0] = '\0';
	lfd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC);
	if (lfd < 0) {
		if (errno == ENOENT)
			return LOCK_STALE;
		snprintf(lw->text, sizeof(lw->text), "%s", errno == ELOOP ?
		    "it is a symbolic link" : strerror(errno));
		return LOCK_BUSY;
	}
	if (fstat(lfd, &st) < 0 || fstat(fd, &mst) < 0) {
		close(lfd);
		mbox_why_errno(why, errno, "stat lock file of", mailbox);
		return LOCK_ERR;
	}
	if (!S_ISREG(st.st_mode))
		snprintf(lw->text, sizeof(lw->text), "not a regular file");
	else if (st.st_nlink != 1)
		snprintf(lw->text, sizeof(lw->text), "it has %lu links",
		    (unsigned long)st.st_nlink);
	else if (st.st_uid != geteuid() && st.st_uid != mst.st_uid)
		snprintf(lw->text, sizeof(lw->text), "owned by uid %lu",
		    (unsigned long)st.st_uid);
	else if (!S_ISREG(mst.st_mode) || mst.st_nlink != 1)
		snprintf(lw->text, sizeof(lw->text), "the mailbox is not a "
		    "plain file");
	if (lw->text[0] != '\0') {
		close(lfd);
		return LOCK_BUSY;
	}
	n = fd_read_all(lfd, line, sizeof(line) - 1);
	close(lfd);
	if (n < 0)
		return LOCK_BUSY;
	line[n] = '\0';
	if (parse_lock(line, v) < 0) {
		/* Another program's lock, ours being written, or ours from
		 * before a crash that kept its name but not its line. */
		return lock_old(&st) ? LOCK_STALE : LOCK_BUSY;
	}
	lw->pid = (long)v[0];
	if (lw->pid != (long)getpid() && (kill((pid_t)lw->pid, 0) == 0 ||
	    errno != ESRCH) && st.st_mtime >= boot_time())
		return LOCK_BUSY;
	/* The holder is dead (or from before the last boot). */
	if (mst.st_size == v[1] || mst.st_size == v[2])
		return LOCK_STALE;
	if (v[1] < mst.st_size && mst.st_size < v[2] &&
	    partial(mailbox, &mst, &st, (off_t)v[1])) {
		if (ftruncate(fd, (off_t)v[1]) < 0 || fsync(fd) < 0) {
			mbox_why_errno(why, errno, "recover mailbox", mailbox);
			return LOCK_ERR;
		}
		log_warnx("%s: removed %lld bytes of a partial message left "
		    "by pid %ld", mailbox, (long long)(mst.st_size - v[1]),
		    lw->pid);
		return LOCK_STALE;
	}
	if (lock_old(&st))
		return LOCK_STALE;
	snprintf(lw->text, sizeof(lw->text), "its sizes %lld to %lld do not "
	    "match the mailbox's %lld", v[1], v[2], (long long)mst.st_size);
	return LOCK_BUSY;
}

/*
 * A process that appends to one mailbox again and again (a mailbox agent,
 * lspawn.h) keeps the inode of its dotlock between appends, under a name
 * of its own (the dotlock's name and ".PID"), and takes the lock by an
 * exclusive rename of that name to the dotlock's, gives it back by the
 * rename the other way: the lock is the same file with one link as
 * before, but no inode is made and freed per message.  (File systems
 * without the flag of renameat2(2) get a new file per lock.)
 */
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE	1
#endif

static struct {
	int	 on;		/* mbox_lock_keep(1) was called */
	int	 fd;		/* the kept inode, or -1 */
	char	*lock;		/* the dotlock it serves */
	char	*spare;		/* its name between appends */
} keep = { 0, -1, NULL, NULL };

/* keep_drop - forget the kept inode, removing its spare name */
static void
keep_drop(void)
{
	if (keep.spare != NULL)
		unlink(keep.spare);
	if (keep.fd >= 0)
		close(keep.fd);
	free(keep.lock);
	free(keep.spare);
	keep.fd = -1;
	keep.lock = keep.spare = NULL;
}

/* mbox_lock_keep - keep the dotlock's inode between appends (on), or no
 * longer, removing what was kept (off; before the process ends) */
void
mbox_lock_keep(int on)
{
	if (!on)
		keep_drop();
	keep.on = on;
}

/* keep_take - take the dotlock path by renaming the kept inode to it,
 * line written into it first (so the lock is whole from its first
 * instant): 0, or -1 (errno EEXIST: the lock is held; else none is kept
 * for path, and one is to be made) */
static int
keep_take(const char *path, const char *line, size_t n)
{
	struct stat	 st;
	ssize_t		 w;

	if (keep.fd < 0 || strcmp(keep.lock, path) != 0) {
		keep_drop();
		errno = ENOENT;
		return -1;
	}
	/* Still our file under our name, with one link? */
	if (fstat(keep.fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_nlink != 1 || st.st_uid != geteuid()) {
		keep_drop();
		errno = ENOENT;
		return -1;
	}
	/* The spare is no lock: a holder killed here leaves no empty lock. */
	if (ftruncate(keep.fd, 0) < 0 ||
	    (w = pwrite(keep.fd, line, n, 0)) < 0 || (size_t)w != n) {
		keep_drop();
		errno = ENOENT;
		return -1;
	}
	if (syscall(SYS_renameat2, AT_FDCWD, keep.spare, AT_FDCWD, path,
	    RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EEXIST) {
		keep_drop();		/* no such rename here, or gone */
		errno = ENOENT;
	}
	return -1;
}

/* keep_adopt - after a lock made anew on lfd: keep it for next time;
 * 1 if kept (lfd is then not to be closed) */
static int
keep_adopt(const char *path, int lfd)
{
	struct buf	 b = BUF_INIT;

	if (!keep.on)
		return 0;
	keep_drop();
	buf_printf(&b, "%s.%ld", path, (long)getpid());
	keep.spare = buf_release(&b);
	keep.lock = xstrdup(path);
	keep.fd = lfd;
	return 1;
}

/* fcntl_lock - try to take (or with F_UNLCK drop) the mailbox's lock */
static int
fcntl_lock(int fd, short type)
{
	struct flock	 fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	return fcntl(fd, F_SETLK, &fl);
}

/* torn - newlines to write before an append so that it starts a line
 * after a blank one: 2 when the mailbox (open write-only, so read
 * through its name, checked to be the same file) ends inside a line, as
 * a message torn by a power failure whose dotlock did not survive; else 0 */
static int
torn(const char *mailbox, const struct stat *st)
{
	struct stat	 rst;
	char		 c = '\n';
	int		 rfd;

	if (st->st_size == 0)
		return 0;
	rfd = open(mailbox, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (rfd < 0)
		return 0;
	if (fstat(rfd, &rst) < 0 || rst.st_dev != st->st_dev ||
	    rst.st_ino != st->st_ino || pread(rfd, &c, 1, st->st_size - 1) != 1)
		c = '\n';
	close(rfd);
	return c != '\n' ? 2 : 0;
}

/*
 * lock_create - make the dotlock path holding line, whole or not at all:
 * the line goes into an unnamed file in the mailbox's directory, which
 * is then linked in under the lock's name.  A holder killed between an
 * O_EXCL create and its write would leave an empty lock that names no
 * one to test for life, and the mailbox locked until the lock is old.
 * Where O_TMPFILE is not to be had, O_EXCL and a write.  0, or -1 with
 * errno (EEXIST: there is a lock).
 */
static int
lock_create(const char *path, const char *line, size_t n, int *keepfd)
{
	int	 fd;

#ifdef O_TMPFILE
	char		 dir[PATH_MAX], proc[64];
	const char	*slash = strrchr(path, '/');
	size_t		 dl = slash == NULL ? 0 : slash == path ? 1 :
			    (size_t)(slash - path);

	if (dl == 0)
		snprintf(dir, sizeof(dir), ".");
	else if (dl < sizeof(dir)) {
		memcpy(dir, path, dl);
		dir[dl] = '\0';
	}
	if (dl < sizeof(dir) &&
	    (fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600)) >= 0) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		if (fd_write_all(fd, line, n) < 0 || linkat(AT_FDCWD, proc,
		    AT_FDCWD, path, AT_SYMLINK_FOLLOW) < 0) {
			int	 saved = errno;

			close(fd);
			errno = saved;
			if (saved != ENOENT)	/* ENOENT: no /proc */
				return -1;
		} else {
			if (keepfd != NULL)
				*keepfd = fd;
			else
				close(fd);
			return 0;
		}
	}
#endif
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0)
		return -1;
	if (fd_write_all(fd, line, n) < 0) {
		int	 saved = errno;

		close(fd);
		unlink(path);
		errno = saved;
		return -1;
	}
	if (keepfd != NULL)
		*keepfd = fd;
	else
		close(fd);
	return 0;
}

/*
 * lock_take - make the dotlock path holding line: where a process keeps
 * its lock's inode (mbox_lock_keep), by the exclusive rename of the kept
 * file, written first, and else by lock_create(), the new lock then kept
 * for next time.  0, or -1 with errno (EEXIST: there is a lock).
 */
static int
lock_take(const char *path, const char *line, size_t n)
{
	int	 fd;

	if (!keep.on)
		return lock_create(path, line, n, NULL);
	if (keep_take(path, line, n) == 0)
		return 0;
	if (errno == EEXIST)
		return -1;
	if (lock_create(path, line, n, &fd) < 0)
		return -1;
	if (!keep_adopt(path, fd))
		close(fd);
	return 0;
}

/* try_lock - one attempt at both locks */
static enum lock_state
try_lock(struct mbox_lock *lk, const char *mailbox, off_t grow,
    struct lock_why *lw, int *status, struct buf *why)
{
	char		 line[MBOX_LOCK_LINE_MAX];
	struct stat	 st;
	int		 n, pad;
	enum lock_state	 s;

	lw->pid = 0;
	lw->text[0] = '\0';
	if (fcntl_lock(lk->fd, F_WRLCK) < 0) {
		if (errno == EAGAIN || errno == EACCES || errno == EINTR)
			return LOCK_BUSY;
		*status = mbox_why_errno(why, errno, "lock mailbox", mailbox);
		return LOCK_ERR;
	}
	for (int tries = 0; tries < 2; tries++) {
		if (fstat(lk->fd, &st) < 0) {
			*status = mbox_why_errno(why, errno, "stat mailbox",
			    mailbox);
			break;
		}
		pad = lk->pad ? torn(mailbox, &st) : 0;
		n = snprintf(line, sizeof(line), "%ld %lld %lld\n",
		    (long)getpid(), (long long)st.st_size,
		    (long long)(st.st_size + pad + grow));
		if (n < 0 || (size_t)n >= sizeof(line)) {
			*status = mbox_why_errno(why, EOVERFLOW,
			    "write lock file", lk->path);
			break;
		}
		/* No fsync: the line serves a killed process, and the page
		 * cache outlives it (see mbox_append). */
		if (lock_take(lk->path, line, (size_t)n) == 0) {
			lk->pad = pad;
			lk->size = st.st_size;
			return LOCK_HELD;
		}
		if (errno != EEXIST) {
			*status = mbox_why_errno(why, errno, "create lock file",
			    lk->path);
			break;
		}
		s = stale(lk->fd, lk->path, mailbox, lw, why);
		if (s == LOCK_ERR) {
			*status = EX_TEMPFAIL;
			break;
		}
		if (s == LOCK_BUSY) {
			fcntl_lock(lk->fd, F_UNLCK);
			return LOCK_BUSY;
		}
		if (unlink(lk->path) < 0 && errno != ENOENT) {
			*status = mbox_why_errno(why, errno,
			    "remove stale lock", lk->path);
			break;
		}
		if (lw->pid > 0)
			log_info("%s: broke stale lock of pid %ld", mailbox,
			    lw->pid);
		else
			log_info("%s: broke another program's lock, over %d s "
			    "old", mailbox, MBOX_FOREIGN_STALE);
	}
	if (*status == EX_OK)
		*status = mbox_why_errno(why, EAGAIN, "lock mailbox", mailbox);
	fcntl_lock(lk->fd, F_UNLCK);
	return LOCK_ERR;
}

/*
 * lock_mailbox - lock a mailbox open on fd for an append of grow bytes
 *
 * The fcntl lock is taken first, then the dotlock; both without blocking,
 * in a loop with short sleeps (5 ms growing to 100 ms) until timeout_ms
 * have passed.  When the dotlock is busy the fcntl lock is let go before
 * sleeping, so a program that takes the locks in the other order cannot
 * deadlock with us.  Whether a dotlock in the way may be broken, and
 * what is undone then, is stale()'s to say: a lock that is not ours is
 * waited for until the time is up, and costs no byte of the mailbox.
 * On success lk->size is the mailbox size to roll back to, and, when pad
 * is set, lk->pad the newlines the append must write first (torn()).
 */
static int
lock_mailbox(struct mbox_lock *lk, int fd, const char *mailbox, off_t grow,
    int timeout_ms, int pad, struct buf *why)
{
	long long	 deadline = now_ms() + timeout_ms;
	long long	 delay = MBOX_SLEEP_MIN_MS, left;
	struct lock_why	 lw = { 0, "" };
	int		 status = EX_OK;
	struct buf	 path = BUF_INIT;

	buf_printf(&path, "%s%s", mailbox, MBOX_LOCK_SUFFIX);
	lk->fd = fd;
	lk->path = buf_release(&path);
	lk->size = 0;
	for (;;) {
		lk->pad = pad;
		switch (try_lock(lk, mailbox, grow, &lw, &status, why)) {
		case LOCK_HELD:
			return EX_OK;
		case LOCK_ERR:
			free(lk->path);
			lk->path = NULL;
			return status;
		case LOCK_BUSY:
		case LOCK_STALE:
			break;
		}
		left = deadline - now_ms();
		if (left <= 0)
			break;
		sleep_ms(delay < left ? delay : left);
		if ((delay *= 2) > MBOX_SLEEP_MAX_MS)
			delay = MBOX_SLEEP_MAX_MS;
	}
	buf_reset(why);
	if (lw.text[0] != '\0')
		buf_printf(why, "4.2.0 cannot lock mailbox %s: lock file %s is "
		    "not ours (%s), left alone for %d s", mailbox, lk->path,
		    lw.text, (timeout_ms + 999) / 1000);
	else if (lw.pid > 0)
		buf_printf(why, "4.2.0 cannot lock mailbox %s: held by pid %ld "
		    "for over %d s", mailbox, lw.pid, (timeout_ms + 999) / 1000);
	else
		buf_printf(why, "4.2.0 cannot lock mailbox %s: busy for over "
		    "%d s", mailbox, (timeout_ms + 999) / 1000);
	free(lk->path);
	lk->path = NULL;
	return EX_TEMPFAIL;
}

/* mbox_lock - lock a mailbox for an append of grow bytes (lock_mailbox) */
int
mbox_lock(struct mbox_lock *lk, int fd, const char *mailbox, off_t grow,
    int timeout_ms, struct buf *why)
{
	return lock_mailbox(lk, fd, mailbox, grow, timeout_ms, 0, why);
}

/* mbox_unlock - remove the dotlock, then let go of the fcntl lock */
void
mbox_unlock(struct mbox_lock *lk)
{
	if (lk->path == NULL)
		return;
	if (keep.fd >= 0 && strcmp(keep.lock, lk->path) == 0) {
		if (rename(lk->path, keep.spare) < 0) {
			keep.spare[0] = '\0';	/* no name of ours is left */
			keep_drop();
			if (unlink(lk->path) < 0)
				log_warn("cannot remove lock file %s",
				    lk->path);
		}
	} else if (unlink(lk->path) < 0)
		log_warn("cannot remove lock file %s", lk->path);
	fcntl_lock(lk->fd, F_UNLCK);
	free(lk->path);
	lk->path = NULL;
}

/*
 * mbox_append - append one message to the mailbox open on fd, or nothing
 *
 * The size of the append is computed first (a counting pass), so the
 * dotlock can record where the append will end and mailbox_size_limit
 * (limit, bytes, 0: none) is checked before a byte is written.  After
 * the write, one fdatasync(2).  On any failure the mailbox is truncated
 * back to its size before the append and fsynced; if even that fails,
 * the dotlock is left in place, so the next delivery (or the next lock
 * taken by any pipemail program) finishes the roll-back.
 *
 * The dotlock's line is not fsynced: it lets the next delivery cut away
 * what a killed one left, and a killed process leaves the page cache
 * behind.  A power failure in the middle of an append can lose the line
 * and keep part of the message; the lock then predates the boot and is
 * broken, and the next append starts after a blank line (torn()), so the
 * damage stays inside the message that is delivered again anyway.
 */
int
mbox_append(int fd, const char *mailbox, const struct mbox_msg *m,
    off_t limit, int timeout_ms, struct buf *why)
{
	struct mbox_lock lk;
	struct buf	 scratch = BUF_INIT;
	off_t		 len, wrote = 0;
	int		 status, r, saved;

	/* Sanity checks. */
	if (mbox_copy(-1, m, MBOX_F_MBOX, &len, &scratch) < 0) {
		status = mbox_why_errno(why, errno, "read message for",
		    mailbox);
		goto out;
	}
	status = lock_mailbox(&lk, fd, mailbox, len, timeout_ms, 1, why);
	if (status != EX_OK)
		goto out;
	if (limit > 0 && (lk.size > limit || len + lk.pad > limit - lk.size)) {
		buf_reset(why);
		buf_printf(why, "5.2.2 mailbox %s full: %lld + %lld bytes "
		    "exceeds mailbox_size_limit %lld", mailbox,
		    (long long)lk.size, (long long)len, (long long)limit);
		status = EX_CANTCREAT;
		mbox_unlock(&lk);
		goto out;
	}

	/* The append. */
	r = lk.pad && fd_write_all(fd, "\n\n", (size_t)lk.pad) < 0 ? -1 :
	    mbox_copy(fd, m, MBOX_F_MBOX, &wrote, &scratch);
	if (r == 0 && wrote != len) {
		errno = EIO;		/* the message changed under us */
		r = -2;
	}
	if (r == 0 && fdatasync(fd) < 0)
		r = -1;
	if (r == 0) {
		mbox_unlock(&lk);
		status = EX_OK;
		goto out;
	}

	/* Roll back. */
	saved = errno;
	status = mbox_why_errno(why, saved, r == -2 ? "read message for" :
	    "write to mailbox", mailbox);
	if (ftruncate(fd, lk.size) < 0 || fsync(fd) < 0) {
		log_warn("%s: cannot roll back to %lld bytes; lock file kept",
		    mailbox, (long long)lk.size);
		fcntl_lock(fd, F_UNLCK);
		free(lk.path);
	} else {
		mbox_unlock(&lk);
	}
	if (status == EX_OK)
		status = EX_TEMPFAIL;
out:
	buf_free(&scratch);
	return status;
}
