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

static const char *const subdirs[] = { "", "/tmp", "/new", "/cur" };

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

/* make_dirs - the Maildir and its three subdirectories, made durable */
static int
make_dirs(const char *dir, struct buf *why)
{
	struct buf	 p = BUF_INIT;
	struct stat	 st;
	int		 status = EX_OK;

	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		buf_reset(&p);
		buf_printf(&p, "%s%s", dir, subdirs[i]);
		if (mkdir(buf_cstr(&p), 0700) == 0) {
			if (file_fsync_parent(buf_cstr(&p)) < 0) {
				status = mbox_why_errno(why, errno,
				    "sync directory of", buf_cstr(&p));
				break;
			}
		} else if (errno != EEXIST) {
			status = mbox_why_errno(why, errno, "create Maildir",
			    buf_cstr(&p));
			break;
		} else if (stat(buf_cstr(&p), &st) < 0) {
			status = mbox_why_errno(why, errno, "use Maildir",
			    buf_cstr(&p));
			break;
		} else if (!S_ISDIR(st.st_mode)) {
			status = mbox_why_errno(why, ENOTDIR, "use Maildir",
			    buf_cstr(&p));
			break;
		}
	}
	buf_free(&p);
	return status;
}

/* maildir_deliver - one message into dir/new, all or nothing */
int
maildir_deliver(const char *dir, const struct mbox_msg *m, off_t limit,
    struct buf *why)
{
	static unsigned	 seq;
	struct buf	 name = BUF_INIT, tmp = BUF_INIT, new = BUF_INIT;
	struct timeval	 tv;
	off_t		 size = 0;
	int		 fd = -1, status, r;

	/* Sanity checks. */
	status = make_dirs(dir, why);
	if (status != EX_OK)
		goto out;

	/* A unique name in tmp/. */
	for (int tries = 0; fd < 0 && tries < MAILDIR_TRIES; tries++) {
		gettimeofday(&tv, NULL);
		buf_reset(&name);
		buf_printf(&name, "%lld.M%ldP%ldQ%u.", (long long)tv.tv_sec,
		    (long)tv.tv_usec, (long)getpid(), ++seq);
		host_part(&name);
		buf_reset(&tmp);
		buf_printf(&tmp, "%s/tmp/%s", dir, buf_cstr(&name));
		fd = open(buf_cstr(&tmp), O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		status = mbox_why_errno(why, errno, "create", buf_cstr(&tmp));
		goto out;
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
		    "read message for" : "write", buf_cstr(&tmp));
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		status = mbox_why_errno(why, errno, "write", buf_cstr(&tmp));
		goto fail;
	}
	fd = -1;

	/* Into new/ (link: never replace), made durable. */
	buf_printf(&new, "%s/new/%s,S=%lld", dir, buf_cstr(&name),
	    (long long)size);
	if (link(buf_cstr(&tmp), buf_cstr(&new)) < 0) {
		status = mbox_why_errno(why, errno, "link", buf_cstr(&new));
		goto fail;
	}
	unlink(buf_cstr(&tmp));
	buf_reset(&tmp);
	buf_printf(&tmp, "%s/new", dir);
	if (file_fsync_dir(buf_cstr(&tmp)) < 0) {
		status = mbox_why_errno(why, errno, "sync", buf_cstr(&tmp));
		unlink(buf_cstr(&new));
		goto out;
	}
	status = EX_OK;
	goto out;

fail:
	/* Clean up. */
	if (fd >= 0)
		close(fd);
	unlink(buf_cstr(&tmp));
out:
	buf_free(&name);
	buf_free(&tmp);
	buf_free(&new);
	return status;
}
