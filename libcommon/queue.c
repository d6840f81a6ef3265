/*
 * queue - the spool: queue files, their envelopes and their state.
 */
#include "queue.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sysexits.h>
#include <unistd.h>

#include "config.h"
#include "file.h"
#include "io.h"
#include "mem.h"

#define QUEUE_MAGIC	"pipemail-queue 1\n"
#define SIZE_WIDTH	20

static const char *const queue_dirs[] = {
	"tmp", "active", "hold", "maildrop", "corrupt",
};

/* queue_path - DIR/SUB/NAME (NAME may be NULL) into b */
void
queue_path(struct buf *b, const char *qdir, const char *sub,
    const char *name)
{
	buf_reset(b);
	buf_printf(b, "%s/%s", qdir, sub);
	if (name != NULL)
		buf_printf(b, "/%s", name);
}

/* queue_layout - make the spool's directories and trigger if missing */
int
queue_layout(const char *qdir, struct buf *err)
{
	struct buf	 p = BUF_INIT;
	struct stat	 st;
	int		 r = -1, made = 0;

	for (size_t i = 0; i < sizeof(queue_dirs) / sizeof(queue_dirs[0]);
	    i++) {
		queue_path(&p, qdir, queue_dirs[i], NULL);
		if (stat(buf_cstr(&p), &st) == 0 && S_ISDIR(st.st_mode))
			continue;
		made = 1;
		if (file_mkdirs(buf_cstr(&p), 0770) < 0) {
			if (err)
				buf_printf(err, "create %s: %s", buf_cstr(&p),
				    strerror(errno));
			goto out;
		}
	}
	queue_path(&p, qdir, "trigger", NULL);
	if (lstat(buf_cstr(&p), &st) < 0) {
		made = 1;
		if (mkfifo(buf_cstr(&p), 0660) < 0 && errno != EEXIST) {
			if (err)
				buf_printf(err, "create %s: %s", buf_cstr(&p),
				    strerror(errno));
			goto out;
		}
	}
	/* Only a layout made just now needs to reach the disk. */
	r = made ? file_fsync_dir(qdir) : 0;
	if (r < 0 && err)
		buf_printf(err, "fsync %s: %s", qdir, strerror(errno));
out:
	buf_free(&p);
	return r;
}

/*
 * queue_owner - who owns the spool: mail_owner, and setgid_group as its
 * group (mail_owner's own group when that group does not exist); 0, or
 * -1 with the reason in err
 */
int
queue_owner(uid_t *uid, gid_t *gid, struct buf *err)
{
	struct passwd	*pw = getpwnam(cfg_get("mail_owner"));
	struct group	*gr;

	if (pw == NULL) {
		buf_printf(err, "mail_owner %s: no such user",
		    cfg_get("mail_owner"));
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if ((gr = getgrnam(cfg_get("setgid_group"))) != NULL)
		*gid = gr->gr_gid;
	return 0;
}

/* give_one - fchown and fchmod what fd is to uid:gid mode; 0 or -1 */
static int
give_one(int fd, int dir, uid_t uid, gid_t gid, mode_t mode)
{
	struct stat	 st;

	if (fstat(fd, &st) < 0)
		return -1;
	if (dir ? !S_ISDIR(st.st_mode) : !S_ISFIFO(st.st_mode)) {
		errno = dir ? ENOTDIR : EINVAL;
		return -1;
	}
	if ((st.st_uid != uid || st.st_gid != gid) && fchown(fd, uid, gid) < 0)
		return -1;
	if ((st.st_mode & 07777) != mode && fchmod(fd, mode) < 0)
		return -1;
	return 0;
}

/*
 * queue_give - as root, hand the layout to uid:gid (mail_owner and
 * setgid_group) with Postfix's modes: the queue directory 0750 (the
 * group reaches maildrop and the trigger); tmp, active, hold and corrupt
 * 0700, mail_owner's alone; maildrop 1770, where the group (a user's
 * set-group-id queue-inject) drops submissions for the pickup (sticky:
 * nobody's file is removed by another; readable, since a directory is
 * fsynced through a descriptor opened for reading); the trigger 0620.
 * Each is opened without following a link and changed through its
 * descriptor, so a link planted in the spool changes nothing.  0, or -1.
 */
int
queue_give(const char *qdir, uid_t uid, gid_t gid, struct buf *err)
{
	static const struct {
		const char	*sub;
		mode_t		 mode;
		int		 dir;
	} own[] = {
		{ NULL, 0750, 1 }, { "tmp", 0700, 1 }, { "active", 0700, 1 },
		{ "hold", 0700, 1 }, { "corrupt", 0700, 1 },
		{ "maildrop", 01770, 1 }, { "trigger", 0620, 0 },
	};
	int		 qfd, fd, r = 0;

	qfd = open(qdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (qfd < 0) {
		buf_printf(err, "open %s: %s", qdir, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]) && r == 0; i++) {
		int	 dir = own[i].dir;

		if (own[i].sub == NULL)
			fd = dup(qfd);
		else
			fd = openat(qfd, own[i].sub, O_RDONLY | O_NOFOLLOW |
			    O_NONBLOCK | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0 || give_one(fd, dir, uid, gid, own[i].mode) < 0) {
			buf_printf(err, "give %s/%s to uid %ld: %s", qdir,
			    own[i].sub ? own[i].sub : ".", (long)uid,
			    strerror(errno));
			r = -1;
		}
		if (fd >= 0)
			close(fd);
	}
	close(qfd);
	return r;
}

/*
 * queue_set_aside - move SUB/NAME (whatever it is: a link is moved, not
 * followed) to corrupt/SUB.NAME, never over another, so that it is kept
 * for a person to look at and never scanned again; 0 or -1
 */
int
queue_set_aside(const char *qdir, const char *sub, const char *name)
{
	struct buf	 from = BUF_INIT, to = BUF_INIT, dir = BUF_INIT;
	struct stat	 st;
	int		 r = -1;

	queue_path(&from, qdir, sub, name);
	for (int n = 0; n < 100; n++) {
		buf_reset(&to);
		buf_printf(&to, "%s/corrupt/%s.%s", qdir, sub, name);
		if (n > 0)
			buf_printf(&to, ".%d", n);
		if (lstat(buf_cstr(&to), &st) < 0 && errno == ENOENT) {
			r = rename(buf_cstr(&from), buf_cstr(&to));
			break;
		}
	}
	if (r == 0) {
		queue_path(&dir, qdir, "corrupt", NULL);
		(void)file_fsync_dir(buf_cstr(&dir));
	}
	buf_free(&from);
	buf_free(&to);
	buf_free(&dir);
	return r;
}

/*
 * queue_file_trusted - is fd, opened on a queue file, one that only the
 * queue's owner wrote: a regular file with one link, owned by uid and
 * writable by nobody else?  A link, a device, a hard link to another
 * file or a file a user made is not mail to act on.
 */
int
queue_file_trusted(int fd, uid_t uid)
{
	struct stat	 st;

	if (fstat(fd, &st) < 0)
		return 0;
	return S_ISREG(st.st_mode) && st.st_nlink == 1 && st.st_uid == uid &&
	    (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/* queue_addr_ok - may this address go into an envelope record? */
int
queue_addr_ok(const char *a)
{
	size_t	 n = 0;

	for (; *a; a++, n++)
		if ((unsigned char)*a < 0x20 || *a == 0x7f)
			return 0;
	return n <= QUEUE_ADDR_MAX;
}

/* field_ok - text of at most max bytes with no control character */
static int
field_ok(const char *s, size_t max)
{
	return s != NULL && queue_addr_ok(s) && strlen(s) <= max;
}

/*
 * queue_env_check - is env fit to queue: the sender and every recipient
 * and ORCPT bounded and free of control characters, RET empty, FULL or
 * HDRS, ENVID printable, NOTIFY a valid set (NEVER alone), at least one
 * recipient and no state.  The one check of an envelope from outside,
 * for queue-inject and the pickup alike.  0, or -1 with an enhanced
 * status code and the reason in err.
 */
int
queue_env_check(const struct queue_env *env, struct buf *err)
{
	const int	 all = QN_NEVER | QN_SUCCESS | QN_FAILURE | QN_DELAY;

	if (!field_ok(env->sender, QUEUE_ADDR_MAX)) {
		buf_adds(err, "5.1.7 bad sender address");
		return -1;
	}
	if (env->ret != NULL && *env->ret != '\0' &&
	    strcmp(env->ret, "FULL") != 0 && strcmp(env->ret, "HDRS") != 0) {
		buf_adds(err, "5.5.4 bad RET value (FULL or HDRS)");
		return -1;
	}
	if (env->envid != NULL && (!field_ok(env->envid, QUEUE_ENVID_MAX) ||
	    strchr(env->envid, ' ') != NULL)) {
		buf_adds(err, "5.5.4 bad ENVID value");
		return -1;
	}
	if (env->nrcpt == 0) {
		buf_adds(err, "5.5.1 no recipients");
		return -1;
	}
	for (size_t i = 0; i < env->nrcpt; i++) {
		const struct queue_rcpt *rc = &env->rcpt[i];

		if (!field_ok(rc->addr, QUEUE_ADDR_MAX) || *rc->addr == '\0') {
			buf_adds(err, "5.1.3 bad recipient address");
			return -1;
		}
		if (rc->orcpt != NULL &&
		    !field_ok(rc->orcpt, QUEUE_ORCPT_MAX)) {
			buf_adds(err, "5.5.4 bad ORCPT value");
			return -1;
		}
		if ((rc->notify & ~all) != 0 || ((rc->notify & QN_NEVER) &&
		    rc->notify != QN_NEVER)) {
			buf_adds(err, "5.5.4 bad NOTIFY value");
			return -1;
		}
		if (rc->state != QR_PENDING || rc->transport != NULL ||
		    rc->dsn != NULL) {
			buf_adds(err, "5.6.0 delivery state in a submission");
			return -1;
		}
	}
	if (env->ndefers != 0 || env->nstate != 0 || env->nskipped != 0) {
		buf_adds(err, "5.6.0 delivery state in a submission");
		return -1;
	}
	return 0;
}

/*
 * queue_env_add_rcpt - add a recipient with optional ORCPT and NOTIFY.
 * The array grows by doubling: its room is the smallest power of two,
 * at least 4, that holds nrcpt (only this function grows it).
 */
void
queue_env_add_rcpt(struct queue_env *env, const char *addr,
    const char *orcpt, int notify)
{
	struct queue_rcpt *rc;
	size_t		 n = env->nrcpt;

	if (n == 0 || (n >= 4 && (n & (n - 1)) == 0))
		env->rcpt = xreallocarray(env->rcpt, n == 0 ? 4 : 2 * n,
		    sizeof(*env->rcpt));
	rc = &env->rcpt[env->nrcpt++];
	memset(rc, 0, sizeof(*rc));
	rc->addr = xstrdup(addr);
	rc->orcpt = xstrdup(orcpt ? orcpt : "");
	rc->notify = notify;
}

/* env_notify - a T record's NOTIFY field: decimal bits; -1 if not */
static int
env_notify(const char *s)
{
	int	 v = 0;

	if (*s == '\0' || strlen(s) > 2)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/*
 * queue_env_parse - the records of a submission's envelope (queue.h);
 * 0 or a status.  Each field is checked here, once, by queue_env_check():
 * a record that is not one of F, R, E, T and H, a field given twice, an H
 * with a value, or a field that does not pass refuses the message.
 */
int
queue_env_parse(const char *s, size_t len, struct queue_env *env,
    int *hold, struct buf *why)
{
	const char	*p, *end;

	p = s != NULL ? s : "";
	end = p + (s != NULL ? len : 0);
	while (p < end) {
		const char	*nul = memchr(p, '\0', (size_t)(end - p));
		char		*rec, *orcpt, *notify, **one = NULL;
		int		 bad = 0, n = 0;

		if (nul == NULL)
			break;			/* unterminated: writer died */
		if (nul == p) {
			if (env->sender == NULL || env->nrcpt == 0)
				break;
			if (queue_env_check(env, why) < 0)
				return EX_DATAERR;
			return 0;		/* the closing empty record */
		}
		rec = xstrndup(p + 1, (size_t)(nul - p - 1));
		switch (*p) {
		case 'F':
			one = &env->sender;
			break;
		case 'R':
			/* RFC 3461 4.3: FULL or HDRS, in any case. */
			for (char *c = rec; *c; c++)
				*c = (char)toupper((unsigned char)*c);
			one = &env->ret;
			break;
		case 'H':
			*hold = 1;
			bad = *rec != '\0';
			break;
		case 'E':
			one = &env->envid;
			break;
		case 'T':
			orcpt = strchr(rec, '\t');
			notify = NULL;
			if (orcpt) {
				*orcpt++ = '\0';
				notify = strchr(orcpt, '\t');
				if (notify)
					*notify++ = '\0';
			}
			if (notify != NULL && (n = env_notify(notify)) < 0)
				bad = 1;
			else
				queue_env_add_rcpt(env, rec, orcpt, n);
			break;
		default:
			bad = 1;
			break;
		}
		if (one != NULL && *one != NULL)
			bad = 1;	/* given twice */
		else if (one != NULL) {
			*one = rec;
			rec = NULL;
		}
		free(rec);
		if (bad) {
			buf_adds(why, "5.6.0 bad envelope record");
			return EX_DATAERR;
		}
		p = nul + 1;
	}
	buf_adds(why, "4.3.0 incomplete envelope: message not queued");
	return EX_TEMPFAIL;
}

/* queue_new_head - the magic line and a size to be filled in later */
static int
queue_new_head(struct queue_new *qn, struct buf *err)
{
	struct buf	 b = BUF_INIT;
	int		 r;

	buf_adds(&b, QUEUE_MAGIC);
	qn->size_off = (off_t)b.len + 5;
	buf_printf(&b, "size %0*d\n", SIZE_WIDTH, 0);
	qn->data_off = (off_t)b.len;
	r = fd_write_all(qn->fd, b.s, b.len);
	if (r < 0) {
		if (err)
			buf_printf(err, "write queue file: %s",
			    strerror(errno));
		queue_new_abort(qn);
	}
	buf_free(&b);
	return r;
}

/* new_open - create a new queue file as SUB/PREFIX... and name it,
 * to be committed as FINAL/ID */
static int
new_open(const char *qdir, const char *sub, const char *prefix,
    const char *final, struct queue_new *qn, struct buf *err)
{
	struct timeval	 tv;
	struct stat	 st;
	static unsigned	 seq;

	memset(qn, 0, sizeof(*qn));
	qn->fd = -1;
	buf_init(&qn->tmp);
	buf_init(&qn->final);
	gettimeofday(&tv, NULL);
	qn->arrival.tv_sec = tv.tv_sec;
	qn->arrival.tv_nsec = (long)tv.tv_usec * 1000;
	for (int tries = 0; tries < 10; tries++) {
		buf_reset(&qn->tmp);
		buf_printf(&qn->tmp, "%s/%s/%s%ld.%ld.%u", qdir, sub, prefix,
		    (long)getpid(), (long)tv.tv_usec, seq++);
		qn->fd = open(buf_cstr(&qn->tmp), O_RDWR | O_CREAT | O_EXCL |
		    O_CLOEXEC | O_NOFOLLOW, 0600);
		if (qn->fd >= 0 || errno != EEXIST)
			break;
	}
	if (qn->fd < 0 || fstat(qn->fd, &st) < 0) {
		if (err)
			buf_printf(err, "create %s: %s", buf_cstr(&qn->tmp),
			    strerror(errno));
		queue_new_abort(qn);
		return -1;
	}

	/*
	 * The id: arrival time and inode.  The inode is unique while the
	 * file exists, and the file exists until the id is spent.
	 */
	snprintf(qn->id, sizeof(qn->id), "%" PRIXMAX "%05lX%" PRIXMAX,
	    (uintmax_t)tv.tv_sec, (unsigned long)tv.tv_usec,
	    (uintmax_t)st.st_ino);
	queue_path(&qn->final, qdir, final, qn->id);
	return queue_new_head(qn, err);
}

/* queue_new_open - create a new queue file under tmp/ and name it */
int
queue_new_open(const char *qdir, struct queue_new *qn, struct buf *err)
{
	return new_open(qdir, "tmp", "", "active", qn, err);
}

/*
 * queue_new_open_drop - a user's submission: a new file in maildrop/,
 * under a name starting with "." until it is committed, readable by the
 * pickup whoever made it (the directory keeps other users out)
 */
int
queue_new_open_drop(const char *qdir, struct queue_new *qn, struct buf *err)
{
	if (new_open(qdir, "maildrop", ".", "maildrop", qn, err) < 0)
		return -1;
	if (fchmod(qn->fd, 0444) < 0) {
		if (err)
			buf_printf(err, "chmod %s: %s", buf_cstr(&qn->tmp),
			    strerror(errno));
		queue_new_abort(qn);
		return -1;
	}
	return 0;
}

/* queue_new_envelope - write the envelope records after the message */
int
queue_new_envelope(struct queue_new *qn, const struct queue_env *env,
    struct buf *err)
{
	struct buf	 b = BUF_INIT;
	int		 r = -1;

	if (!queue_addr_ok(env->sender)) {
		if (err)
			buf_adds(err, "bad character in sender address");
		errno = EINVAL;
		goto out;
	}
	buf_printf(&b, "arrival %lld.%06ld\n", (long long)qn->arrival.tv_sec,
	    qn->arrival.tv_nsec / 1000);
	buf_printf(&b, "sender %s\n", env->sender);
	if (env->hold)
		buf_adds(&b, "hold\n");
	if (env->ret && *env->ret)
		buf_printf(&b, "ret %s\n", env->ret);
	if (env->envid && *env->envid) {
		if (!queue_addr_ok(env->envid)) {
			if (err)
				buf_adds(err, "bad character in ENVID");
			errno = EINVAL;
			goto out;
		}
		buf_printf(&b, "envid %s\n", env->envid);
	}
	for (size_t i = 0; i < env->nrcpt; i++) {
		const struct queue_rcpt *rc = &env->rcpt[i];
		const char *orcpt = rc->orcpt ? rc->orcpt : "";

		if (!queue_addr_ok(rc->addr) || !queue_addr_ok(orcpt) ||
		    strchr(rc->addr, '\t') || *rc->addr == '\0') {
			if (err)
				buf_adds(err, "bad recipient address");
			errno = EINVAL;
			goto out;
		}
		buf_printf(&b, "rcpt %s\t%s\t%d\n", rc->addr, orcpt,
		    rc->notify);
	}
	buf_adds(&b, "end\n");
	if (b.len > QUEUE_HEAD_MAX) {
		if (err)
			buf_adds(err, "envelope too large");
		errno = EFBIG;
		goto out;
	}
	if (fd_write_all(qn->fd, b.s, b.len) < 0) {
		if (err)
			buf_printf(err, "write queue file: %s",
			    strerror(errno));
		goto out;
	}
	r = 0;
out:
	buf_free(&b);
	return r;
}

/* queue_new_write - append message bytes */
int
queue_new_write(struct queue_new *qn, const void *p, size_t n)
{
	if (fd_write_all(qn->fd, p, n) < 0)
		return -1;
	qn->size += (off_t)n;
	return 0;
}

/* queue_new_commit - fill in the size, fsync, rename into place */
int
queue_new_commit(struct queue_new *qn, int hold, struct buf *err)
{
	char	 num[SIZE_WIDTH + 1];
	char	*slash;

	if (hold) {
		/* .../active/ID -> .../hold/ID */
		struct buf	 h = BUF_INIT;

		slash = strrchr(buf_cstr(&qn->final), '/');
		buf_add(&h, qn->final.s, (size_t)(slash - qn->final.s) -
		    strlen("active"));
		buf_printf(&h, "hold/%s", qn->id);
		buf_free(&qn->final);
		qn->final = h;
	}
	snprintf(num, sizeof(num), "%0*lld", SIZE_WIDTH, (long long)qn->size);
	if (pwrite(qn->fd, num, SIZE_WIDTH, qn->size_off) != SIZE_WIDTH) {
		if (err)
			buf_printf(err, "write queue file: %s",
			    strerror(errno));
		queue_new_abort(qn);
		return -1;
	}
	if (file_tmp_commit(qn->fd, buf_cstr(&qn->tmp),
	    buf_cstr(&qn->final)) < 0) {
		if (err)
			buf_printf(err, "commit queue file %s: %s", qn->id,
			    strerror(errno));
		qn->fd = -1;
		queue_new_abort(qn);
		return -1;
	}
	qn->fd = -1;
	buf_free(&qn->tmp);
	buf_free(&qn->final);
	return 0;
}

/* queue_new_abort - throw a half-written file away */
void
queue_new_abort(struct queue_new *qn)
{
	int	 saved = errno;

	if (qn->fd >= 0)
		close(qn->fd);
	qn->fd = -1;
	if (qn->tmp.len)
		unlink(buf_cstr(&qn->tmp));
	buf_free(&qn->tmp);
	buf_free(&qn->final);
	errno = saved;
}

/* field - split off the next TAB-separated field of *p (in place) */
static char *
field(char **p)
{
	char	*s = *p, *t;

	if (s == NULL)
		return NULL;
	t = strchr(s, '\t');
	if (t) {
		*t = '\0';
		*p = t + 1;
	} else
		*p = NULL;
	return s;
}

/*
 * expand_record - "expand INDEX KIND ORIGIN NEXTHOP TARGET ADDRESS": one
 * more recipient.  The older form without ORIGIN is read with origin
 * NULL; queue-run decides what it trusts of either.
 */
static int
expand_record(struct queue_env *env, char *p, size_t *cap)
{
	char		*idx = field(&p), *tr = field(&p), *origin = field(&p);
	char		*nh = field(&p), *rcpt = field(&p), *addr = p, *end;
	unsigned long	 i;
	struct queue_rcpt *rc;

	if (idx == NULL || tr == NULL || origin == NULL || nh == NULL ||
	    rcpt == NULL)
		return -1;
	if (addr == NULL) {	/* the older form: shift by one */
		addr = rcpt;
		rcpt = nh;
		nh = origin;
		origin = NULL;
	}
	errno = 0;
	i = strtoul(idx, &end, 10);
	if (errno || *end || i >= env->nrcpt)
		return -1;
	env->rcpt[i].state = QR_EXPANDED;
	if (env->nrcpt == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		env->rcpt = xreallocarray(env->rcpt, *cap, sizeof(*env->rcpt));
	}
	rc = &env->rcpt[env->nrcpt++];
	memset(rc, 0, sizeof(*rc));
	rc->addr = xstrdup(addr);
	rc->orcpt = xstrdup(env->rcpt[i].orcpt);
	rc->notify = env->rcpt[i].notify;
	rc->parent = (int)i;
	rc->transport = xstrdup(tr);
	rc->origin = origin != NULL ? xstrdup(origin) : NULL;
	rc->nexthop = xstrdup(nh);
	rc->recipient = xstrdup(rcpt);
	return 0;
}

/* state_record - apply one done/defer/expand record to the envelope */
static int
state_record(struct queue_env *env, char *line, size_t *cap)
{
	int		 done = strncmp(line, "done ", 5) == 0;
	char		*p, *idx, *second, *dsn, *reason, *end;
	unsigned long	 i;
	struct queue_rcpt *rc;

	if (strncmp(line, "expand ", 7) == 0)
		return expand_record(env, line + 7, cap);
	if (!done && strncmp(line, "defer ", 6) != 0)
		return -1;
	p = line + (done ? 5 : 6);
	idx = field(&p);
	second = field(&p);
	dsn = field(&p);
	reason = p ? p : "";
	if (idx == NULL || second == NULL || dsn == NULL)
		return -1;
	errno = 0;
	i = strtoul(idx, &end, 10);
	if (errno || *end || i >= env->nrcpt)
		return -1;
	rc = &env->rcpt[i];
	if (done) {
		if (strcmp(second, "sent") == 0)
			rc->state = QR_SENT;
		else if (strcmp(second, "bounced") == 0)
			rc->state = QR_BOUNCED;
		else
			return -1;
	} else {
		if (rc->state == QR_SENT || rc->state == QR_BOUNCED)
			return 0;
		rc->state = QR_DEFERRED;
		rc->last_try = (time_t)strtoll(second, NULL, 10);
		env->ndefers++;
	}
	free(rc->dsn);
	free(rc->reason);
	rc->dsn = xstrdup(dsn);
	rc->reason = xstrdup(reason);
	return 0;
}

/* env_record - apply one envelope record; 0, or -1 when malformed */
static int
env_record(struct queue_env *env, char *p, size_t *cap)
{
	char		*end;

	if (strncmp(p, "arrival ", 8) == 0) {
		env->arrival.tv_sec = (time_t)strtoll(p + 8, &end, 10);
		if (*end == '.') {
			long	 us = strtol(end + 1, NULL, 10);

			/* Microseconds, as written: anything else is 0. */
			env->arrival.tv_nsec = us >= 0 && us < 1000000 ?
			    us * 1000 : 0;
		}
	} else if (strncmp(p, "sender ", 7) == 0) {
		free(env->sender);
		env->sender = xstrdup(p + 7);
	} else if (strcmp(p, "hold") == 0) {
		env->hold = 1;
	} else if (strncmp(p, "ret ", 4) == 0) {
		free(env->ret);
		env->ret = xstrdup(p + 4);
	} else if (strncmp(p, "envid ", 6) == 0) {
		free(env->envid);
		env->envid = xstrdup(p + 6);
	} else if (strncmp(p, "rcpt ", 5) == 0) {
		char		*q = p + 5, *addr, *orcpt, *notify;
		struct queue_rcpt *rc;

		addr = field(&q);
		orcpt = field(&q);
		notify = q;
		if (orcpt == NULL || notify == NULL || *addr == '\0')
			return -1;
		if (env->nrcpt == *cap) {
			*cap = *cap ? *cap * 2 : 4;
			env->rcpt = xreallocarray(env->rcpt, *cap,
			    sizeof(*env->rcpt));
		}
		rc = &env->rcpt[env->nrcpt++];
		memset(rc, 0, sizeof(*rc));
		rc->addr = xstrdup(addr);
		rc->orcpt = xstrdup(orcpt);
		rc->notify = atoi(notify);
		rc->parent = -1;
	} else
		return -1;
	return 0;
}

/*
 * queue_env_read - parse a queue file's envelope and state records.
 * Damage that leaves the message and its envelope readable is read past:
 * a state record that does not parse (counted in nskipped; a delivery it
 * recorded may then be repeated, never lost) and a torn last record.
 * Anything else (a bad head or size, a file shorter than its size says,
 * a bad or missing envelope record, no recipient, records over
 * 2 x QUEUE_HEAD_MAX) is EINVAL: the file is not to be acted on.
 */
int
queue_env_read(int fd, struct queue_env *env, struct buf *err)
{
	struct buf	 b = BUF_INIT;
	char		 head[sizeof(QUEUE_MAGIC) + SIZE_WIDTH + 8];
	size_t		 headlen = strlen(QUEUE_MAGIC) + 5 + SIZE_WIDTH + 1;
	size_t		 cap = 0;
	struct stat	 st;
	char		*p, *nl, *end;
	int		 r = -1, in_env = 1;
	ssize_t		 n;

	memset(env, 0, sizeof(*env));
	n = pread(fd, head, headlen, 0);
	if (n < 0)
		goto sys;
	if ((size_t)n != headlen ||
	    memcmp(head, QUEUE_MAGIC, strlen(QUEUE_MAGIC)) != 0 ||
	    memcmp(head + strlen(QUEUE_MAGIC), "size ", 5) != 0 ||
	    head[headlen - 1] != '\n')
		goto bad;
	head[headlen - 1] = '\0';
	errno = 0;
	env->size = (off_t)strtoll(head + strlen(QUEUE_MAGIC) + 5, &end, 10);
	if (*end || errno || env->size < 0)
		goto bad;
	env->data_off = (off_t)headlen;
	if (fstat(fd, &st) < 0)
		goto sys;
	if (env->size > st.st_size - env->data_off)
		goto bad;		/* truncated, or a wrong size */

	/* The records after the message: envelope, "end", then state. */
	if (lseek(fd, env->data_off + env->size, SEEK_SET) < 0)
		goto sys;
	if (fd_read_file(fd, &b, 2 * QUEUE_HEAD_MAX) < 0) {
		if (errno == EFBIG)
			goto bad;	/* no writer makes records this long */
		goto sys;
	}
	p = b.s ? b.s : "";
	while ((nl = memchr(p, '\n', b.len - (size_t)(p - b.s))) != NULL) {
		*nl = '\0';
		if (in_env) {
			if (strcmp(p, "end") == 0)
				in_env = 0;
			else if (env_record(env, p, &cap) < 0)
				goto bad;
		} else if (state_record(env, p, &cap) < 0)
			env->nskipped++;	/* repaired: read past */
		else
			env->nstate++;
		p = nl + 1;
	}
	/* A last record without its newline was torn by a crash: ignored. */
	if (in_env || env->sender == NULL || env->nrcpt == 0)
		goto bad;
	if (env->ret == NULL)
		env->ret = xstrdup("");
	if (env->envid == NULL)
		env->envid = xstrdup("");
	r = 0;
	goto out;
bad:
	errno = EINVAL;
	if (err)
		buf_adds(err, "malformed queue file");
	goto out;
sys:
	if (err)
		buf_printf(err, "read queue file: %s", strerror(errno));
out:
	buf_free(&b);
	if (r < 0) {
		int	 saved = errno;

		queue_env_free(env);
		errno = saved;
	}
	return r;
}

/* queue_env_free - release an envelope read by queue_env_read() */
void
queue_env_free(struct queue_env *env)
{
	for (size_t i = 0; i < env->nrcpt; i++) {
		free(env->rcpt[i].addr);
		free(env->rcpt[i].orcpt);
		free(env->rcpt[i].dsn);
		free(env->rcpt[i].reason);
		free(env->rcpt[i].transport);
		free(env->rcpt[i].origin);
		free(env->rcpt[i].nexthop);
		free(env->rcpt[i].recipient);
	}
	free(env->rcpt);
	free(env->sender);
	free(env->ret);
	free(env->envid);
	memset(env, 0, sizeof(*env));
}

/* queue_append - append state records durably (one write, fdatasync) */
int
queue_append(int fd, const char *rec, size_t n)
{
	off_t	 end = lseek(fd, 0, SEEK_END);

	if (end < 0)
		return -1;
	if (fd_write_all(fd, rec, n) < 0) {
		int	 saved = errno;

		/* Leave no torn record behind a good one. */
		(void)!ftruncate(fd, end);
		errno = saved;
		return -1;
	}
	return fdatasync(fd);
}

/* queue_trigger - tell a running queue-run about message id (if any) */
int
queue_trigger(const char *qdir, const char *id)
{
	struct buf	 p = BUF_INIT, msg = BUF_INIT;
	int		 fd, r = -1;

	queue_path(&p, qdir, "trigger", NULL);
	/* O_NONBLOCK: no reader (ENXIO) means nobody to wake, not a wait. */
	fd = open(buf_cstr(&p), O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0) {
		buf_printf(&msg, "%s\n", id);
		r = write(fd, msg.s, msg.len) == (ssize_t)msg.len ? 0 : -1;
		close(fd);
	}
	buf_free(&p);
	buf_free(&msg);
	return r;
}
