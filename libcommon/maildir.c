/*
 * maildir - write to tmp/, fsync, link into new/, fsync new/.
 */
#include "maildir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sysexits.h>
#include <unistd.h>

#include "file.h"

#define MAILDIR_TRIES	3	/* unique names tried before giving up */

enum { SUB_TMP, SUB_NEW, SUB_CUR, SUB_N };
static const char *const subdirs[SUB_N] = { "tmp", "new", "cur" };

struct maildir {
	int		 dir;		/* the Maildir */
	int		 sub[SUB_N];	/* tmp/, new/, cur/ */
};

/* host_part - this host's name, '/' and ':' escaped as in Maildir names */
static void
host_part(struct buf *b)
{
	char	 host[MAILDIR_HOST_MAX];

	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	for (const char *p = host; *p; p++) {
		if (*p == '/')
			buf_adds(b, "\\057");
		else if (*p == ':')
			buf_adds(b, "\\072");
		else
			buf_addc(b, *p);
	}
}

/*
 * open_dir - open directory name (relative to at) without following a
 * link, making it (mode 0700) when missing; it must be a directory of
 * our effective uid.  *made tells whether it was made here.  Returns
 * the fd, or -1 with *status and why set (a link, someone else's
 * directory: 4.2.0, temporary, since only an administrator can sort it
 * out).
 */
static int
open_dir(int at, const char *name, const char *shown, int *made,
    int *status, struct buf *why)
{
	struct stat	 st;
	int		 fd;

	*made = 0;
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (mkdirat(at, name, 0700) == 0)
			*made = 1;
		else if (errno != EEXIST) {
			*status = mbox_why_errno(why, errno, "create Maildir",
			    shown);
			return -1;
		}
		fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	}
	buf_reset(why);
	*status = EX_TEMPFAIL;
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR)) {
		/* O_NOFOLLOW | O_DIRECTORY: a link gives ELOOP or ENOTDIR. */
		struct stat	 lst;

		buf_printf(why, "4.2.0 refusing Maildir %s: %s", shown,
		    fstatat(at, name, &lst, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(lst.st_mode) ? "it is a symbolic link" :
		    "not a directory");
		return -1;
	}
	if (fd < 0) {
		*status = mbox_why_errno(why, errno, "open Maildir", shown);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		*status = mbox_why_errno(why, errno, "stat Maildir", shown);
		close(fd);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		buf_printf(why, "4.2.0 refusing Maildir %s: owned by uid %lu, "
		    "not %lu", shown, (unsigned long)st.st_uid,
		    (unsigned long)geteuid());
		close(fd);
		return -1;
	}
	return fd;
}

/* md_close - let go of the Maildir's descriptors */
static void
md_close(struct maildir *md)
{
	if (md->dir >= 0)
		close(md->dir);
	for (int i = 0; i < SUB_N; i++)
		if (md->sub[i] >= 0)
			close(md->sub[i]);
}

/*
 * md_open - the Maildir and its three subdirectories, made durable
 *
 * Every one is opened with O_NOFOLLOW | O_DIRECTORY relative to its
 * parent's descriptor and must belong to us (the recipient), so a link
 * planted in a shared spool, or a Maildir someone else made there, is
 * refused before a byte is written anywhere.
 */
static int
md_open(struct maildir *md, const char *dir, struct buf *why)
{
	struct buf	 shown = BUF_INIT;
	int		 made, any = 0, status = EX_TEMPFAIL;

	md->dir = -1;
	for (int i = 0; i < SUB_N; i++)
		md->sub[i] = -1;
	md->dir = open_dir(AT_FDCWD, dir, dir, &made, &status, why);
	if (md->dir < 0)
		goto out;
	if (made && file_fsync_parent(dir) < 0) {
		status = mbox_why_errno(why, errno, "sync directory of", dir);
		goto out;
	}
	for (int i = 0; i < SUB_N; i++) {
		buf_reset(&shown);
		buf_printf(&shown, "%s/%s", dir, subdirs[i]);
		md->sub[i] = open_dir(md->dir, subdirs[i], buf_cstr(&shown),
		    &made, &status, why);
		if (md->sub[i] < 0)
			goto out;
		any |= made;
	}
	if (any && fsync(md->dir) < 0) {
		status = mbox_why_errno(why, errno, "sync", dir);
		goto out;
	}
	status = EX_OK;
out:
	if (status != EX_OK)
		md_close(md);
	buf_free(&shown);
	return status;
}

/* maildir_deliver - one message into dir/new, all or nothing */
int
maildir_deliver(const char *dir, const struct mbox_msg *m, off_t limit,
    struct buf *why)
{
	static unsigned	 seq;
	struct maildir	 md;
	struct buf	 name = BUF_INIT, new = BUF_INIT, shown = BUF_INIT;
	struct timeval	 tv;
	off_t		 size = 0;
	int		 fd = -1, status, r;

	/* Sanity checks. */
	status = md_open(&md, dir, why);
	if (status != EX_OK)
		goto out;

	/* A unique name in tmp/. */
	for (int tries = 0; fd < 0 && tries < MAILDIR_TRIES; tries++) {
		gettimeofday(&tv, NULL);
		buf_reset(&name);
		buf_printf(&name, "%lld.M%ldP%ldQ%u.", (long long)tv.tv_sec,
		    (long)tv.tv_usec, (long)getpid(), ++seq);
		host_part(&name);
		fd = openat(md.sub[SUB_TMP], buf_cstr(&name), O_WRONLY |
		    O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	buf_printf(&shown, "%s/tmp/%s", dir, buf_cstr(&name));
	if (fd < 0) {
		status = mbox_why_errno(why, errno, "create", buf_cstr(&shown));
		goto done;
	}

	/* Write, check the limit, fsync. */
	r = mbox_copy(fd, m, 0, &size, NULL);
	if (r == 0 && limit > 0 && size > limit) {
		buf_reset(why);
		buf_printf(why, "5.2.2 message of %lld bytes exceeds "
		    "mailbox_size_limit %lld for %s", (long long)size,
		    (long long)limit, dir);
		status = EX_CANTCREAT;
		goto fail;
	}
	if (r == 0 && fsync(fd) < 0)
		r = -1;
	if (r != 0) {
		status = mbox_why_errno(why, errno, r == -2 ?
		    "read message for" : "write", buf_cstr(&shown));
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		status = mbox_why_errno(why, errno, "write", buf_cstr(&shown));
		goto fail;
	}
	fd = -1;

	/* Into new/ (link: never replace), made durable. */
	buf_printf(&new, "%s,S=%lld", buf_cstr(&name), (long long)size);
	if (linkat(md.sub[SUB_TMP], buf_cstr(&name), md.sub[SUB_NEW],
	    buf_cstr(&new), 0) < 0) {
		status = mbox_why_errno(why, errno, "link into", dir);
		goto fail;
	}
	unlinkat(md.sub[SUB_TMP], buf_cstr(&name), 0);
	if (fsync(md.sub[SUB_NEW]) < 0) {
		status = mbox_why_errno(why, errno, "sync new/ of", dir);
		unlinkat(md.sub[SUB_NEW], buf_cstr(&new), 0);
		goto done;
	}
	status = EX_OK;
	goto done;

fail:
	/* Clean up. */
	if (fd >= 0)
		close(fd);
	unlinkat(md.sub[SUB_TMP], buf_cstr(&name), 0);
done:
	md_close(&md);
out:
	buf_free(&name);
	buf_free(&new);
	buf_free(&shown);
	return status;
}
