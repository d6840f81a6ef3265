/*
 * mailx_folder - appending to folders and rewriting the mailbox at quit.
 */
#include "mailx_folder.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "header.h"
#include "io.h"
#include "mbox.h"

/* lock_timeout - ms to wait for a mailbox lock: 20 s, or
 * PIPEMAIL_LOCK_TIMEOUT seconds (0 to 3600) as deliver-local takes it */
static int
lock_timeout(void)
{
	const char	*env = getenv("PIPEMAIL_LOCK_TIMEOUT");
	char		*end;
	long		 secs;

	if (env == NULL || *env < '0' || *env > '9')
		return MBOX_LOCK_TIMEOUT;
	errno = 0;
	secs = strtol(env, &end, 10);
	if (errno != 0 || *end != '\0' || secs > 3600)
		return MBOX_LOCK_TIMEOUT;
	return (int)secs * 1000;
}

/*
 * mailx_folder_path - replace out with the file a folder name means:
 * "+name" is name in the "folder" directory (relative to $HOME), "~/x"
 * is x in $HOME; anything else is itself.
 */
void
mailx_folder_path(const struct mailx_table *vars, const char *name,
    struct buf *out)
{
	const char	*home = getenv("HOME"), *dir;

	if (home == NULL)
		home = "";
	buf_sets(out, "");
	if (name[0] == '+') {
		dir = mailx_table_get(vars, "folder");
		if (dir != NULL && *dir != '\0') {
			if (*dir != '/')
				buf_printf(out, "%s/", home);
			buf_printf(out, "%s/", dir);
		} else
			buf_printf(out, "%s/", home);
		buf_adds(out, name + 1);
	} else if (name[0] == '~' && (name[1] == '/' || name[1] == '\0')) {
		buf_printf(out, "%s%s", home, name + 1);
	} else
		buf_adds(out, name);
}

/* status_value - the Status a message gets written with */
static const char *
status_value(uint32_t f)
{
	return (f & (MAILBOX_F_READ)) || !(f & MAILBOX_F_UNREAD) ? "RO" : "O";
}

/* status_same - whether message i's Status header already says st */
static int
status_same(struct mailbox *mb, size_t i, const char *st)
{
	struct buf	 v = BUF_INIT;
	size_t		 len, off = 0, hlen;
	const char	*h = mailbox_headers(mb, i, &len);
	int		 same;

	same = mailbox_header(mb, i, "Status", &v) && strcmp(v.s, st) == 0;
	/* A second Status header would be dropped on rewrite. */
	if (same && hdr_find(h, len, "Status", &off, &hlen)) {
		off += hlen;
		same = !hdr_find(h, len, "Status", &off, &hlen);
	}
	buf_free(&v);
	return same;
}

/* flush_tmp - write out what collected in b to the temporary file */
static int
flush_tmp(int fd, struct buf *b, off_t *total)
{
	if (fd_write_all(fd, b->s, b->len) < 0)
		return -1;
	*total += (off_t)b->len;
	buf_reset(b);
	return 0;
}

/*
 * put_bytes - append len bytes of message i from its byte off on, read
 * a chunk at a time; with fd not -1, out is written to it (the total
 * counted in *total) whenever it holds a chunk.  0, or -1 with
 * mb->err (a read) or errno (a write) set.
 */
static int
put_bytes(struct mailbox *mb, size_t i, size_t off, size_t len,
    struct buf *out, int fd, off_t *total)
{
	size_t		 want;
	ssize_t		 k;

	while (len > 0) {
		want = len < MAILX_COPY_CHUNK ? len : MAILX_COPY_CHUNK;
		buf_reserve(out, want);
		k = mailbox_read(mb, i, off, out->s + out->len, want);
		if (k <= 0) {
			if (k == 0)
				mb->err = EIO;
			return -1;
		}
		out->len += (size_t)k;
		out->s[out->len] = '\0';
		off += (size_t)k;
		len -= (size_t)k;
		if (fd >= 0 && out->len >= MAILX_COPY_CHUNK &&
		    flush_tmp(fd, out, total) < 0)
			return -1;
	}
	return 0;
}

/*
 * put_message - append message i as an mbox message with its Status
 * header set from its flags (other Status headers dropped), its body
 * copied in chunks (see put_bytes)
 */
static int
put_message(struct mailbox *mb, size_t i, struct buf *out, int fd,
    off_t *total)
{
	size_t		 flen, hlen, boff, blen, off = 0, at, len;
	const char	*f, *h;
	char		 last;

	mailbox_status(mb, i);
	f = mailbox_from_line(mb, i, &flen);
	buf_add(out, f, flen);
	buf_addc(out, '\n');
	h = mailbox_headers(mb, i, &hlen);
	while (off < hlen) {
		at = off;
		if (!hdr_find(h, hlen, "Status", &at, &len)) {
			buf_add(out, h + off, hlen - off);
			break;
		}
		buf_add(out, h + off, at - off);
		off = at + len;
	}
	if (out->len > 0 && out->s[out->len - 1] != '\n')
		buf_addc(out, '\n');
	buf_printf(out, "Status: %s\n\n", status_value(mb->v[i].flags));
	mailbox_body_span(mb, i, &boff, &blen);
	if (put_bytes(mb, i, boff, blen, out, fd, total) < 0)
		return -1;
	last = blen > 0 && out->len > 0 ? out->s[out->len - 1] : '\n';
	if (blen > 0 && out->len == 0 &&
	    mailbox_read(mb, i, boff + blen - 1, &last, 1) != 1)
		return -1;
	if (last != '\n')
		buf_addc(out, '\n');
	buf_addc(out, '\n');
	return 0;
}

/*
 * mailx_folder_message - append message i as an mbox message with its
 * Status header set from its flags (other Status headers dropped); 0,
 * or -1 when it could not be read
 */
int
mailx_folder_message(struct mailbox *mb, size_t i, struct buf *out)
{
	return put_message(mb, i, out, -1, NULL);
}

/* mailx_folder_wrap - append a new message as an mbox message: a
 * "From SENDER DATE" line, mboxrd quoting, a final empty line */
void
mailx_folder_wrap(const char *sender, time_t when, const char *msg,
    size_t len, struct buf *out)
{
	struct mbox_enc	 enc;
	struct mbox_msg	 m;

	memset(&m, 0, sizeof(m));
	m.fd = -1;
	m.sender = sender;
	m.when = when;
	mbox_envelope(out, &m, MBOX_F_FROM);
	mbox_enc_init(&enc, MBOX_F_QUOTE | MBOX_F_BLANK);
	mbox_enc_push(&enc, msg, len, out);
	mbox_enc_end(&enc, out);
}

/*
 * mailx_folder_append - append data to the folder path under the
 * mailbox locks, then fsync; on a failed write the folder is cut back
 * to its size before, so it holds all of data or none of it
 */
int
mailx_folder_append(const char *path, const struct buf *data,
    struct buf *why)
{
	struct mbox_lock lk;
	int		 fd, status, err = 0;

	status = mbox_open(path, MBOX_O_CREATE, &fd, why);
	if (status != EX_OK)
		return -1;
	status = mbox_lock(&lk, fd, path, (off_t)data->len, lock_timeout(),
	    why);
	if (status != EX_OK) {
		close(fd);
		return -1;
	}
	if (fd_write_all(fd, data->s, data->len) < 0 || fsync(fd) < 0) {
		err = errno;
		if (ftruncate(fd, lk.size) == 0)
			(void)fsync(fd);
	}
	mbox_unlock(&lk);
	if (close(fd) < 0 && err == 0)
		err = errno;
	if (err != 0) {
		buf_reset(why);
		buf_printf(why, "%s: %s", path, strerror(err));
		return -1;
	}
	return 0;
}

/* Where a message goes at quit. */
enum fate {
	FATE_KEEP,	/* stays, maybe with a new Status */
	FATE_DROP,	/* deleted, or saved elsewhere */
	FATE_MBOX,	/* moved to the mbox */
};

/* fate - POSIX mailx quit: see mailx_folder_sync() */
static enum fate
fate(const struct mailx_sync *s, uint32_t f)
{
	if (f & MAILBOX_F_DELETED)
		return FATE_DROP;
	if ((f & MAILBOX_F_SAVED) && !s->keepsave && !(f & MAILBOX_F_PRESERVE))
		return FATE_DROP;
	if (!s->system || (f & MAILBOX_F_PRESERVE))
		return FATE_KEEP;
	if (f & MAILBOX_F_MBOX)
		return FATE_MBOX;
	if ((f & MAILBOX_F_TOUCHED) && !s->hold)
		return FATE_MBOX;
	return FATE_KEEP;
}

/* copy_back - copy len bytes of tmp into fd at off */
static int
copy_back(int tmp, int fd, off_t off, off_t len)
{
	char		*chunk = malloc(MAILX_COPY_CHUNK);
	off_t		 done = 0;
	ssize_t		 n;

	if (chunk == NULL)
		return -1;
	while (done < len) {
		n = pread(tmp, chunk, MAILX_COPY_CHUNK, done);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n == 0)
				errno = EIO;
			free(chunk);
			return -1;
		}
		for (ssize_t w = 0, k; w < n; w += k) {
			k = pwrite(fd, chunk + w, (size_t)(n - w),
			    off + done + w);
			if (k < 0 && errno == EINTR)
				k = 0;
			else if (k <= 0) {
				free(chunk);
				return -1;
			}
		}
		done += n;
	}
	free(chunk);
	return 0;
}

/* open_tmp - a temporary file in $TMPDIR (else /tmp), name in path */
static int
open_tmp(struct buf *path)
{
	const char	*dir = getenv("TMPDIR");
	int		 fd;

	buf_sets(path, "");
	buf_printf(path, "%s/mailx.XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path->s);
	if (fd >= 0)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

/* rewrite - build the new contents from message `first` on in a
 * temporary file, then copy them over the mailbox (lock held) */
static int
rewrite(struct mailbox *mb, struct mailx_sync *s, int fd, size_t first,
    off_t cur)
{
	struct buf	 b = BUF_INIT, tmpname = BUF_INIT;
	off_t		 from = mailbox_file_start(mb, first), total = 0;
	int		 tmp, ok = -1;
	ssize_t		 n;

	if ((tmp = open_tmp(&tmpname)) < 0) {
		fprintf(stderr, "mailx: cannot create %s: %s\n", tmpname.s,
		    strerror(errno));
		buf_free(&tmpname);
		return -1;
	}
	for (size_t i = first; i < mb->n; i++) {
		uint32_t	 f = mailbox_status(mb, i);

		if (fate(s, f) != FATE_KEEP)
			continue;
		if (status_same(mb, i, status_value(f)) ?
		    put_bytes(mb, i, 0, (size_t)mailbox_bytes(mb, i), &b, tmp,
		    &total) < 0 : put_message(mb, i, &b, tmp, &total) < 0)
			goto fail_tmp;
	}
	if (flush_tmp(tmp, &b, &total) < 0)
		goto fail_tmp;
	/* Mail delivered since we opened: carried over as it is. */
	for (off_t at = (off_t)mb->size; at < cur; at += n) {
		buf_reserve(&b, MAILX_COPY_CHUNK);
		n = pread(fd, b.s, MAILX_COPY_CHUNK, at);
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			goto fail_tmp;
		}
		b.len = (size_t)n;
		if (flush_tmp(tmp, &b, &total) < 0)
			goto fail_tmp;
	}
	if (fsync(tmp) < 0)
		goto fail_tmp;
	/* Room first, so the copy cannot run out of space half way. */
	if (from + total > cur) {
		int	 e = posix_fallocate(fd, 0, from + total);

		if (e != 0) {
			if (ftruncate(fd, cur) < 0)
				(void)0;
			errno = e;
			fprintf(stderr, "mailx: cannot rewrite %s: %s; it is "
			    "unchanged\n", s->path, strerror(errno));
			goto out;
		}
	}
	if (copy_back(tmp, fd, from, total) < 0 ||
	    ftruncate(fd, from + total) < 0 || fsync(fd) < 0) {
		fprintf(stderr, "mailx: rewriting %s failed: %s; its new "
		    "contents are kept in %s\n", s->path, strerror(errno),
		    tmpname.s);
		close(tmp);
		buf_free(&b);
		buf_free(&tmpname);
		return -1;
	}
	ok = 0;
	goto out;
fail_tmp:
	if (mb->err != 0)
		fprintf(stderr, "mailx: cannot read %s: %s; it is unchanged\n",
		    s->path, strerror(mb->err));
	else
		fprintf(stderr, "mailx: cannot write %s: %s; %s is "
		    "unchanged\n", tmpname.s, strerror(errno), s->path);
out:
	close(tmp);
	unlink(tmpname.s);
	buf_free(&b);
	buf_free(&tmpname);
	return ok;
}

/*
 * mailx_folder_sync - bring the mailbox up to date at quit
 *
 * POSIX mailx rules: deleted messages go; saved ones go too unless
 * "keepsave"; in the system mailbox, messages read in this session (or
 * marked with "mbox") move to the mbox unless "hold" or "preserve";
 * everything else stays, with Status "O" (seen) or "RO" (read).
 *
 * Safety: the mailbox is locked as deliver-local locks it.  A mailbox
 * that shrank or was replaced since we mapped it is left alone; mail
 * appended since is carried over.  The mbox gets its messages (fsynced)
 * before the mailbox loses them, so a failure can at worst leave a
 * message in both.  The new contents are written to a temporary file
 * first and the space they need in the mailbox is allocated before they
 * are copied over it in place (a rename would race a delivery holding
 * the old file open), so a full disk or a file size limit leaves the
 * mailbox as it was.  Only the part from the first changed message on
 * is rewritten.
 */
int
mailx_folder_sync(struct mailbox *mb, struct mailx_sync *s)
{
	struct mbox_lock lk;
	struct buf	 why = BUF_INIT, out = BUF_INIT;
	struct stat	 st, pst;
	size_t		 first = mb->n, i;
	int		 fd, ok = -1;
	enum fate	 fa;

	s->kept = s->moved = 0;
	mb->err = 0;
	/* Sanity checks: anything to do at all? */
	for (i = 0; i < mb->n; i++) {
		uint32_t	 f = mailbox_status(mb, i);

		fa = fate(s, f);
		if (fa == FATE_KEEP)
			s->kept++;
		else if (fa == FATE_MBOX)
			s->moved++;
		if (first == mb->n && (fa != FATE_KEEP ||
		    (f & MAILBOX_F_EDITED) ||
		    !status_same(mb, i, status_value(f))))
			first = i;
	}
	if (first == mb->n)
		return 0;
	fd = open(s->path, O_RDWR | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "mailx: cannot open %s: %s\n", s->path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
		/* Rewritten in place, another name would change too. */
		fprintf(stderr, "mailx: %s is not a plain file (a link?); left "
		    "as it is\n", s->path);
		close(fd);
		return -1;
	}
	if (mbox_lock(&lk, fd, s->path, 0, lock_timeout(), &why) !=
	    EX_OK) {
		fprintf(stderr, "mailx: %s\n", why.s);
		close(fd);
		buf_free(&why);
		return -1;
	}
	if (fstat(fd, &st) < 0 || stat(s->path, &pst) < 0 ||
	    st.st_ino != mb->ino || st.st_dev != mb->dev ||
	    pst.st_ino != st.st_ino || st.st_size < (off_t)mb->size) {
		fprintf(stderr, "mailx: %s was changed by another program; "
		    "left as it is\n", s->path);
		goto out;
	}
	/* The mbox first: a message may be in both, never in neither. */
	if (s->moved > 0) {
		for (i = 0; i < mb->n; i++)
			if (fate(s, mb->v[i].flags) == FATE_MBOX) {
				mb->v[i].flags |= MAILBOX_F_READ;
				if (mailx_folder_message(mb, i, &out) < 0) {
					fprintf(stderr, "mailx: cannot read "
					    "%s: %s; it is unchanged\n",
					    s->path, strerror(mb->err));
					goto out;
				}
			}
		if (mailx_folder_append(s->mbox, &out, &why) < 0) {
			fprintf(stderr, "mailx: cannot save to mbox: %s; %s "
			    "is unchanged\n", why.s, s->path);
			goto out;
		}
	}
	ok = rewrite(mb, s, fd, first, st.st_size);
out:
	mbox_unlock(&lk);
	close(fd);
	buf_free(&why);
	buf_free(&out);
	return ok;
}
