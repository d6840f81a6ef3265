/*
 * file - durable file operations: temporary name, fsync, rename, fsync.
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io.h"

/* file_fsync_dir - make a directory's entries durable */
int
file_fsync_dir(const char *dir)
{
	int	 fd, r, saved;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

/* file_fsync_parent - fsync the directory that holds path */
int
file_fsync_parent(const char *path)
{
	struct buf	 dir = BUF_INIT;
	const char	*slash = strrchr(path, '/');
	int		 r;

	if (slash == NULL)
		buf_sets(&dir, ".");
	else if (slash == path)
		buf_sets(&dir, "/");
	else
		buf_set(&dir, path, (size_t)(slash - path));
	r = file_fsync_dir(buf_cstr(&dir));
	buf_free(&dir);
	return r;
}

/* file_tmp_open - create a unique temporary file beside final */
int
file_tmp_open(const char *final, struct buf *tmp, mode_t mode)
{
	static unsigned	 seq;
	int		 fd;

	for (int tries = 0; tries < 100; tries++) {
		buf_reset(tmp);
		buf_printf(tmp, "%s.tmp.%ld.%u.%ld", final, (long)getpid(),
		    seq++, (long)time(NULL));
		fd = open(buf_cstr(tmp), O_WRONLY | O_CREAT | O_EXCL |
		    O_CLOEXEC | O_NOFOLLOW, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

/* file_tmp_commit - fsync, close, rename tmp to final, fsync directory */
int
file_tmp_commit(int fd, const char *tmp, const char *final)
{
	int	 saved;

	if (fsync(fd) < 0) {
		saved = errno;
		file_tmp_abort(fd, tmp);
		errno = saved;
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, final) < 0) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return file_fsync_parent(final);
}

/* file_tmp_abort - throw away a temporary file */
void
file_tmp_abort(int fd, const char *tmp)
{
	int	 saved = errno;

	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = saved;
}

/* file_replace - durably replace path with the given bytes */
int
file_replace(const char *path, const void *p, size_t n, mode_t mode)
{
	struct buf	 tmp = BUF_INIT;
	int		 fd, r = -1;

	fd = file_tmp_open(path, &tmp, mode);
	if (fd < 0)
		goto out;
	if (fd_write_all(fd, p, n) < 0) {
		file_tmp_abort(fd, buf_cstr(&tmp));
		goto out;
	}
	r = file_tmp_commit(fd, buf_cstr(&tmp), path);
out:
	buf_free(&tmp);
	return r;
}

/* file_mkdirs - mkdir -p; existing directories are fine */
int
file_mkdirs(const char *path, mode_t mode)
{
	struct buf	 p = BUF_INIT;
	struct stat	 st;
	int		 r = 0;

	buf_sets(&p, path);
	for (size_t i = 1; i <= p.len && r == 0; i++) {
		if (i < p.len && p.s[i] != '/')
			continue;
		p.s[i] = '\0';
		if (mkdir(p.s, mode) < 0 && errno != EEXIST)
			r = -1;
		else if (stat(p.s, &st) < 0)
			r = -1;
		else if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			r = -1;
		}
		if (i < p.len)
			p.s[i] = '/';
	}
	buf_free(&p);
	return r;
}

/* file_read - read a whole file of at most max bytes into b */
int
file_read(const char *path, struct buf *b, size_t max)
{
	int	 fd, r, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	buf_reset(b);
	r = fd_read_file(fd, b, max);
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}
