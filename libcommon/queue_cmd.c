/*
 * queue_cmd - delete, hold and release queued messages (see queue_cmd.h).
 *
 * A move is one rename(2) within the queue directory, so a message is
 * always in exactly one place, never in two and never in none.  The
 * destination directory is fsynced first, then the source: after a crash
 * the message is found where the last completed fsync put it.
 *
 * queue-run(8) opens active/ID by name when it loads a message and then
 * works through that descriptor.  A message that is moved or removed
 * while queue-run holds it open is not stopped by that: a delivery in
 * progress completes, its records go to the same file (now in hold/, or
 * unlinked), and queue-run's own unlink of active/ID then fails with
 * ENOENT, which it ignores.  A released message that was fully delivered
 * meanwhile is removed by queue-run as soon as it loads it.
 */
#include "queue_cmd.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "mem.h"
#include "queue.h"

/* queue_cmd_id_ok - can id name a queue file? */
int
queue_cmd_id_ok(const char *id)
{
	size_t	 len = strlen(id);

	if (len == 0 || len >= QUEUE_ID_MAX || id[0] == '.' ||
	    strchr(id, '/') != NULL)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)id[i] <= ' ' || id[i] == 0x7f)
			return 0;
	return 1;
}

/* move - rename sub/ID to dest/ID durably; 1, 0 (not there) or -1 */
static int
move(const char *qdir, const char *from, const char *to, const char *id,
    struct buf *err)
{
	struct buf	 src = BUF_INIT, dst = BUF_INIT, dir = BUF_INIT;
	int		 r = -1;

	queue_path(&src, qdir, from, id);
	queue_path(&dst, qdir, to, id);
	if (rename(src.s, dst.s) < 0) {
		if (errno == ENOENT)
			r = 0;
		else
			buf_printf(err, "rename %s to %s: %s", src.s, dst.s,
			    strerror(errno));
		goto out;
	}
	queue_path(&dir, qdir, to, NULL);
	if (file_fsync_dir(dir.s) < 0) {
		buf_printf(err, "fsync %s: %s", dir.s, strerror(errno));
		goto out;
	}
	queue_path(&dir, qdir, from, NULL);
	if (file_fsync_dir(dir.s) < 0) {
		buf_printf(err, "fsync %s: %s", dir.s, strerror(errno));
		goto out;
	}
	r = 1;
out:
	buf_free(&src);
	buf_free(&dst);
	buf_free(&dir);
	return r;
}

/* delete - unlink active/ID, hold/ID or maildrop/ID (a user's
 * submission not picked up yet) durably; 1, 0 or -1 */
static int
delete(const char *qdir, const char *id, struct buf *err)
{
	static const char *const subs[] = { "active", "hold", "maildrop" };
	struct buf	 p = BUF_INIT;
	int		 r = 0;

	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]) && r == 0;
	    i++) {
		queue_path(&p, qdir, subs[i], id);
		if (unlink(p.s) < 0) {
			if (errno != ENOENT) {
				buf_printf(err, "remove %s: %s", p.s,
				    strerror(errno));
				r = -1;
			}
			continue;
		}
		queue_path(&p, qdir, subs[i], NULL);
		if (file_fsync_dir(p.s) < 0) {
			buf_printf(err, "fsync %s: %s", p.s, strerror(errno));
			r = -1;
		} else
			r = 1;
	}
	buf_free(&p);
	return r;
}

/* delete_corrupt - unlink corrupt/ID, or corrupt/SUB.ID for the queue
 * it was set aside from, durably; 1, 0 or -1 */
static int
delete_corrupt(const char *qdir, const char *id, struct buf *err)
{
	static const char *const subs[] = { NULL, "active", "hold",
	    "maildrop" };
	struct buf	 name = BUF_INIT, p = BUF_INIT;
	int		 r = 0;

	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]) && r == 0;
	    i++) {
		buf_reset(&name);
		if (subs[i] != NULL)
			buf_printf(&name, "%s.", subs[i]);
		buf_adds(&name, id);
		queue_path(&p, qdir, "corrupt", buf_cstr(&name));
		if (unlink(p.s) < 0) {
			if (errno != ENOENT) {
				buf_printf(err, "remove %s: %s", p.s,
				    strerror(errno));
				r = -1;
			}
			continue;
		}
		queue_path(&p, qdir, "corrupt", NULL);
		if (file_fsync_dir(p.s) < 0) {
			buf_printf(err, "fsync %s: %s", p.s, strerror(errno));
			r = -1;
		} else
			r = 1;
	}
	buf_free(&name);
	buf_free(&p);
	return r;
}

/* queue_cmd_apply - one operation on one message (see queue_cmd.h) */
int
queue_cmd_apply(const char *qdir, enum queue_cmd_op op, const char *id,
    struct buf *err)
{
	int	 r;

	if (!queue_cmd_id_ok(id))
		return 0;
	switch (op) {
	case QUEUE_CMD_DELETE:
		return delete(qdir, id, err);
	case QUEUE_CMD_DELETE_CORRUPT:
		return delete_corrupt(qdir, id, err);
	case QUEUE_CMD_HOLD:
		return move(qdir, "active", "hold", id, err);
	case QUEUE_CMD_RELEASE:
		if ((r = move(qdir, "hold", "active", id, err)) == 1)
			(void)queue_trigger(qdir, id);	/* none runs: fine */
		return r;
	}
	return 0;
}

/* cmp_str - qsort() order for ids */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* queue_cmd_ids - the ids in one queue subdirectory (see queue_cmd.h) */
int
queue_cmd_ids(const char *qdir, const char *sub, struct cfg_list *out,
    struct buf *err)
{
	struct buf	 p = BUF_INIT;
	DIR		*d;
	struct dirent	*de;
	size_t		 cap = 0;
	int		 r = 0;

	queue_path(&p, qdir, sub, NULL);
	if ((d = opendir(p.s)) == NULL) {
		if (errno != ENOENT) {
			buf_printf(err, "open %s: %s", p.s, strerror(errno));
			r = -1;
		}
		buf_free(&p);
		return r;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (!queue_cmd_id_ok(de->d_name))
			continue;
		if (out->n + 2 > cap) {
			cap = (out->n + 2) * 2;
			out->v = xreallocarray(out->v, cap, sizeof(*out->v));
		}
		out->v[out->n++] = xstrdup(de->d_name);
		out->v[out->n] = NULL;
	}
	if (errno != 0) {
		buf_printf(err, "read %s: %s", p.s, strerror(errno));
		r = -1;
	}
	closedir(d);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
	buf_free(&p);
	return r;
}
