/*
 * qspace - room in the queue's file system (Postfix's smtpd_check_queue).
 */
#include "qspace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "queue.h"

/*
 * qspace_check - is there room in qdir's file system for a new message
 * of size bytes (0: not declared)?  0 yes, 1 no (reason in why), -1
 * cannot tell
 */
int
qspace_check(const char *qdir, long long size, struct buf *why)
{
	struct statvfs	 fs;
	long double	 avail, need, limit, minfree;

	if (statvfs(qdir, &fs) < 0)
		return -1;
	limit = (long double)cfg_get_size("message_size_limit");
	minfree = (long double)cfg_get_size("queue_minfree");
	avail = (long double)fs.f_bavail * (long double)fs.f_frsize;

	/* Postfix: max(1.5 x message_size_limit, queue_minfree) ... */
	need = limit * 1.5L > minfree ? limit * 1.5L : minfree;
	/* ... and a declared size must fit, leaving queue_minfree. */
	if (size > 0) {
		if ((long double)size * 1.5L > need)
			need = (long double)size * 1.5L;
		if ((long double)size + minfree > need)
			need = (long double)size + minfree;
	}
	if (avail < need || avail <= 0) {
		buf_printf(why, "4.3.1 Insufficient system storage (%.0Lf "
		    "bytes free in the queue file system, %.0Lf needed)",
		    avail, need);
		return 1;
	}
	/* File systems that keep no inode count say f_files 0. */
	if (fs.f_files > 0 && fs.f_favail < QSPACE_INODES_MIN) {
		buf_adds(why, "4.3.1 Insufficient system storage (no free "
		    "inode in the queue file system)");
		return 1;
	}
	return 0;
}

/* qspace_full - is err a full file system (ENOSPC, EDQUOT)? */
int
qspace_full(int err)
{
	return err == ENOSPC || err == EDQUOT;
}

/* qspace_dsn - the enhanced status code of a failed queue write */
const char *
qspace_dsn(int err)
{
	return qspace_full(err) ? "4.3.1" : "4.3.0";
}

/*
 * due - may a full-disk line be logged now?  The stamp's mtime says when
 * the last one was; setting it needs no free block or inode once the
 * stamp exists.  Without a stamp (none can be made, or it is not ours)
 * the answer is yes.
 */
static int
due(const char *qdir)
{
	struct buf	 p = BUF_INIT;
	struct stat	 st;
	int		 fd, made = 0, r = 1;

	queue_path(&p, qdir, "tmp", ".space");
	fd = open(buf_cstr(&p), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC | O_NONBLOCK, 0600);
	if (fd >= 0)
		made = 1;
	else if (errno == EEXIST)
		fd = open(buf_cstr(&p), O_RDWR | O_NOFOLLOW | O_CLOEXEC |
		    O_NONBLOCK);
	if (fd >= 0 && made && geteuid() == 0) {
		/* Root's queue-run: the stamp is the queue owner's, as tmp/. */
		queue_path(&p, qdir, "tmp", NULL);
		if (stat(buf_cstr(&p), &st) == 0)
			(void)!fchown(fd, st.st_uid, st.st_gid);
	}
	buf_free(&p);
	if (fd < 0)
		return 1;
	if (!made && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_uid == geteuid() || geteuid() == 0)) {
		time_t	 now = time(NULL);

		/*
		 * Within the interval either way: a stamp just made may be
		 * a second ahead of time(), whose clock is not the file
		 * system's; one far ahead (a clock set back) is renewed.
		 */
		if (now - st.st_mtime < QSPACE_WARN_INTERVAL &&
		    st.st_mtime - now < QSPACE_WARN_INTERVAL)
			r = 0;
		else
			(void)futimens(fd, NULL);
	}
	close(fd);
	return r;
}

/* qspace_warn - log that the queue is full, once per interval */
void
qspace_warn(const char *qdir, const char *fmt, ...)
{
	struct buf	 b = BUF_INIT;
	va_list		 ap;

	if (!due(qdir))
		return;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	log_warnx("%s (logged once per %d s)", buf_cstr(&b),
	    QSPACE_WARN_INTERVAL);
	buf_free(&b);
}
