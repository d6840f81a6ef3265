/*
 * pickup - users' submissions from maildrop/ into the queue (pickup.h).
 */
#include "pickup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "file.h"
#include "log.h"
#include "qspace.h"
#include "queue.h"

#define PICKUP_CHUNK	65536		/* bytes per copy */
#define DROP_MAX_AGE	(24 * 3600)	/* a half-written submission */

/* name_ok - can name be a queue id, as queue_new_open() makes them? */
static int
name_ok(const char *name)
{
	size_t	 n = strlen(name);

	if (n == 0 || n >= QUEUE_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= '0' && name[i] <= '9') ||
		    (name[i] >= 'A' && name[i] <= 'F')))
			return 0;
	return 1;
}

/* set_aside - a submission not to queue: to corrupt/, logged once */
static int
set_aside(const char *qdir, const char *name, const char *why)
{
	if (queue_set_aside(qdir, "maildrop", name) < 0)
		log_warn("maildrop/%s: %s; cannot set it aside", name, why);
	else
		log_warnx("maildrop/%s: %s; set aside in corrupt/", name, why);
	return -1;
}

/* exists - is qdir/sub/name there (as anything)? */
static int
exists(const char *qdir, const char *sub, const char *name)
{
	struct buf	 p = BUF_INIT;
	struct stat	 st;
	int		 r;

	queue_path(&p, qdir, sub, name);
	r = lstat(buf_cstr(&p), &st) == 0;
	buf_free(&p);
	return r;
}

/* copy_body - size message bytes of fd from off into qn; 0, or -1 with
 * errno (EINVAL: the file is shorter than its size says) */
static int
copy_body(int fd, off_t off, off_t size, struct queue_new *qn)
{
	char	 chunk[PICKUP_CHUNK];

	while (size > 0) {
		size_t	 want = size < (off_t)sizeof(chunk) ? (size_t)size :
		    sizeof(chunk);
		ssize_t	 n = pread(fd, chunk, want, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EINVAL;
			return -1;
		}
		if (queue_new_write(qn, chunk, (size_t)n) < 0)
			return -1;
		off += n;
		size -= n;
	}
	return 0;
}

/* drop_done - the submission is in the queue: remove it, durably */
static void
drop_done(const char *qdir, const char *name)
{
	struct buf	 p = BUF_INIT;

	queue_path(&p, qdir, "maildrop", name);
	if (unlink(buf_cstr(&p)) < 0 && errno != ENOENT)
		log_warn("remove %s", buf_cstr(&p));
	queue_path(&p, qdir, "maildrop", NULL);
	(void)file_fsync_dir(buf_cstr(&p));
	buf_free(&p);
}

/* requeue - write env and the message of fd as a fresh queue file
 * named id; 0, or -1 with errno and the reason in err */
static int
requeue(const char *qdir, const char *id, int fd, struct queue_env *env,
    struct buf *err)
{
	struct queue_new qn;
	struct timespec	 now;
	int		 held = env->hold;

	if (queue_new_open(qdir, &qn, err) < 0)
		return -1;
	/* Run as root, the file is still mail_owner's, as every queue file. */
	if (geteuid() == 0) {
		uid_t	 uid;
		gid_t	 gid;

		if (queue_owner(&uid, &gid, err) < 0 ||
		    fchown(qn.fd, uid, gid) < 0) {
			if (err->len == 0)
				buf_printf(err, "chown queue file: %s",
				    strerror(errno));
			queue_new_abort(&qn);
			errno = EPERM;
			return -1;
		}
	}
	snprintf(qn.id, sizeof(qn.id), "%s", id);
	queue_path(&qn.final, qdir, "active", id);
	/* The arrival the submission gives, unless it is in the future. */
	clock_gettime(CLOCK_REALTIME, &now);
	if (env->arrival.tv_sec > 0 && env->arrival.tv_sec <= now.tv_sec)
		qn.arrival = env->arrival;
	env->hold = 0;		/* hold/ says it in the queue */
	if (copy_body(fd, env->data_off, env->size, &qn) < 0) {
		buf_printf(err, "copy message: %s", strerror(errno));
		queue_new_abort(&qn);
		return -1;
	}
	if (queue_new_envelope(&qn, env, err) < 0) {
		queue_new_abort(&qn);
		return -1;
	}
	return queue_new_commit(&qn, held, err);
}

/* pickup_one - one maildrop file into the queue (see pickup.h) */
int
pickup_one(const char *qdir, const char *name, char *id, int *held)
{
	struct buf	 p = BUF_INIT, err = BUF_INIT;
	struct queue_env env;
	struct stat	 st;
	int		 fd, r = -1;

	*held = 0;
	if (name[0] == '.' || strchr(name, '/') != NULL)
		return 0;		/* still being written, or not ours */
	queue_path(&p, qdir, "maildrop", name);
	fd = open(buf_cstr(&p), O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	buf_free(&p);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == EMFILE || errno == ENFILE || errno == ENOMEM ||
		    errno == EINTR) {
			log_warn("maildrop/%s: open", name);
			return -1;
		}
		return set_aside(qdir, name, strerror(errno));
	}
	memset(&env, 0, sizeof(env));
	if (!name_ok(name)) {
		set_aside(qdir, name, "not a queue id");
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
		set_aside(qdir, name, "not a regular file with one link");
		goto out;
	}
	if (queue_env_read(fd, &env, &err) < 0) {
		if (errno == EINVAL)
			set_aside(qdir, name, buf_cstr(&err));
		else
			log_warnx("maildrop/%s: %s", name, buf_cstr(&err));
		goto out;
	}
	if (queue_env_check(&env, &err) < 0) {
		set_aside(qdir, name, buf_cstr(&err));
		goto out;
	}
	snprintf(id, QUEUE_ID_MAX, "%s", name);
	*held = env.hold;

	/* Picked already, and the crash came before the removal. */
	if (exists(qdir, "active", name) || exists(qdir, "hold", name)) {
		*held = !exists(qdir, "active", name);
		drop_done(qdir, name);
		r = 1;
		goto out;
	}
	if (requeue(qdir, name, fd, &env, &err) < 0) {
		if (errno == EINVAL)
			set_aside(qdir, name, buf_cstr(&err));
		else if (qspace_full(errno))	/* the queue's trouble */
			qspace_warn(qdir, "maildrop/%s: 4.3.1 %s", name,
			    buf_cstr(&err));
		else
			log_warnx("maildrop/%s: %s", name, buf_cstr(&err));
		goto out;
	}
	log_info("%s: uid=%ld from=<%s>%s", name, (long)st.st_uid,
	    env.sender, *held ? " (queue hold)" : "");
	drop_done(qdir, name);
	r = 1;
out:
	close(fd);
	queue_env_free(&env);
	buf_free(&err);
	return r;
}

/* pickup_scan - every file in maildrop/ (see pickup.h) */
void
pickup_scan(const char *qdir)
{
	struct buf	 p = BUF_INIT;
	DIR		*d;
	struct dirent	*de;
	time_t		 now = time(NULL);
	char		 id[QUEUE_ID_MAX];
	int		 held;

	queue_path(&p, qdir, "maildrop", NULL);
	if ((d = opendir(buf_cstr(&p))) == NULL) {
		if (errno != ENOENT)
			log_warn("open %s", buf_cstr(&p));
		buf_free(&p);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat	 st;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_name[0] != '.') {
			(void)pickup_one(qdir, de->d_name, id, &held);
			continue;
		}
		/* Half-written by a queue-inject that died long ago. */
		if (fstatat(dirfd(d), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == 0 && now - st.st_mtime >
		    DROP_MAX_AGE && unlinkat(dirfd(d), de->d_name, 0) == 0)
			log_info("removed stale maildrop/%s", de->d_name);
	}
	closedir(d);
	buf_free(&p);
}
