/*
 * postsuper - queue maintenance, as Postfix's postsuper(1): delete
 * queued messages (-d), put them on hold (-h), release them (-H); list
 * the files queue-run set aside (-l) and count every queue (-s).
 *
 * Each option takes a queue id, ALL, or "-" for ids on standard input
 * (one per line; the first word counts, and a trailing "*" or "!" as
 * mailq(1) prints is dropped).  Options may repeat; deletions are done
 * first, then holds, then releases.  A trailing queue name "corrupt" (as
 * Postfix's "postsuper -d ALL deferred" names a queue) makes -d remove
 * files set aside in corrupt/ instead.  The work is queue_cmd's; this is the
 * command line, the privilege check and the report.
 */
#include <errno.h>
#include <dirent.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "exits.h"
#include "log.h"
#include "mem.h"
#include "priv.h"
#include "queue.h"
#include "queue_cmd.h"

#define USAGE	"postsuper [-c DIR] [-ls] [-d ID|ALL|-] [-h ID|ALL|-] " \
		"[-H ID|ALL|-] [corrupt]"
#define STDIN_MAX	(64 * 1024 * 1024)	/* ids read from "-", bytes */
#define NOPS		3

/* What one operation does, in the order they are done. */
static struct {
	enum queue_cmd_op	 op;
	const char		*source;	/* where ALL looks */
	const char		*done;		/* per message, logged */
	const char		*total;		/* the summary */
} ops[NOPS] = {
	{ QUEUE_CMD_DELETE, NULL, "removed", "Deleted" },
	{ QUEUE_CMD_HOLD, "active", "placed on hold", "Placed on hold" },
	{ QUEUE_CMD_RELEASE, "hold", "released from hold",
	    "Released from hold" },
};

/* corrupt_ops - "corrupt" named: -d removes set-aside files */
static void
corrupt_ops(void)
{
	ops[0].op = QUEUE_CMD_DELETE_CORRUPT;
	ops[0].source = "corrupt";
}

/* add_arg - remember one -d/-h/-H argument */
static void
add_arg(struct cfg_list *l, const char *arg)
{
	l->v = xreallocarray(l->v, l->n + 2, sizeof(*l->v));
	l->v[l->n++] = xstrdup(arg);
	l->v[l->n] = NULL;
}

/* read_ids - the ids on standard input */
static void
read_ids(struct cfg_list *out)
{
	struct buf	 text = BUF_INIT;
	char		 chunk[8192];
	ssize_t		 n;
	const char	*p, *end;

	while ((n = read(STDIN_FILENO, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_perm(EX_IOERR, "5.3.0 read standard input: %s",
			    strerror(errno));
		if (text.len + (size_t)n > STDIN_MAX)
			die_perm(EX_DATAERR, "5.3.4 standard input: more than "
			    "%d bytes of queue ids", STDIN_MAX);
		buf_add(&text, chunk, (size_t)n);
	}
	p = text.s;
	end = text.s + text.len;
	while (p < end) {
		const char	*nl = memchr(p, '\n', (size_t)(end - p));
		const char	*eol = nl != NULL ? nl : end, *w;
		size_t		 len;

		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		for (w = p; p < eol && *p != ' ' && *p != '\t' && *p != '\r';
		    p++)
			;
		len = (size_t)(p - w);
		while (len > 0 && (w[len - 1] == '*' || w[len - 1] == '!'))
			len--;
		if (len > 0) {
			char	*id = xstrndup(w, len);

			add_arg(out, id);
			free(id);
		}
		p = nl != NULL ? nl + 1 : end;
	}
	buf_free(&text);
}

/* become_owner - run as mail_owner: as root switch, else be it already */
static void
become_owner(void)
{
	const char	*owner = cfg_get("mail_owner");
	struct passwd	*pw = getpwnam(owner);
	struct buf	 err = BUF_INIT;

	if (pw == NULL)
		die_perm(EX_CONFIG, "5.3.5 mail_owner %s: no such user", owner);
	if (geteuid() == 0) {
		if (priv_drop(pw->pw_uid, pw->pw_gid, NULL, &err) < 0)
			die_temp("4.3.0 %s", buf_cstr(&err));
	} else if (geteuid() != pw->pw_uid)
		die_perm(EX_NOPERM, "5.7.1 must be run as root or as "
		    "mail_owner (%s)", owner);
	buf_free(&err);
}

/* run_op - one operation over its arguments; the number changed */
static size_t
run_op(const char *qdir, size_t k, const struct cfg_list *args, int *failed)
{
	struct buf	 err = BUF_INIT;
	size_t		 count = 0;

	for (size_t i = 0; i < args->n; i++) {
		struct cfg_list	 all = { NULL, 0 };
		const struct cfg_list *ids = &all;
		const char	*arg = args->v[i];

		if (strcmp(arg, "ALL") == 0) {
			if (queue_cmd_ids(qdir, ops[k].source != NULL ?
			    ops[k].source : "active", &all, &err) < 0 ||
			    (ops[k].source == NULL && (queue_cmd_ids(qdir,
			    "hold", &all, &err) < 0 || queue_cmd_ids(qdir,
			    "maildrop", &all, &err) < 0))) {
				log_warnx("%s", buf_cstr(&err));
				buf_reset(&err);
				*failed = 1;
			}
		} else if (!queue_cmd_id_ok(arg)) {
			log_warnx("invalid mail queue id: %s", arg);
			continue;
		} else
			add_arg(&all, arg);
		for (size_t j = 0; j < ids->n; j++) {
			switch (queue_cmd_apply(qdir, ops[k].op, ids->v[j],
			    &err)) {
			case 1:
				log_info("%s: %s", ids->v[j], ops[k].done);
				count++;
				break;
			case 0:
				if (strcmp(arg, "ALL") != 0)
					log_warnx("%s: no such message%s%s",
					    ids->v[j], ops[k].source != NULL ?
					    " in queue " : "", ops[k].source !=
					    NULL ? ops[k].source : "");
				break;
			default:
				log_warnx("%s: %s", ids->v[j], buf_cstr(&err));
				buf_reset(&err);
				*failed = 1;
				break;
			}
		}
		cfg_list_free(&all);
	}
	buf_free(&err);
	return count;
}

/* count - the entries of one queue subdirectory that are not dot files */
static size_t
count(const char *qdir, const char *sub)
{
	struct buf	 p = BUF_INIT;
	DIR		*d;
	struct dirent	*de;
	size_t		 n = 0;

	queue_path(&p, qdir, sub, NULL);
	if ((d = opendir(buf_cstr(&p))) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.')
				n++;
		closedir(d);
	} else if (errno != ENOENT)
		log_warn("open %s", buf_cstr(&p));
	buf_free(&p);
	return n;
}

/* list_corrupt - -l: each file set aside, its size and when; a status */
static int
list_corrupt(const char *qdir)
{
	struct cfg_list	 ids = { NULL, 0 };
	struct buf	 err = BUF_INIT, p = BUF_INIT;
	int		 r = EX_OK;

	if (queue_cmd_ids(qdir, "corrupt", &ids, &err) < 0) {
		log_warnx("%s", buf_cstr(&err));
		r = EX_TEMPFAIL;
	}
	for (size_t i = 0; i < ids.n; i++) {
		struct stat	 st;
		struct tm	 tm;
		char		 when[32];

		queue_path(&p, qdir, "corrupt", ids.v[i]);
		if (lstat(buf_cstr(&p), &st) < 0)
			continue;
		if (localtime_r(&st.st_mtime, &tm) == NULL ||
		    strftime(when, sizeof(when), "%a %b %e %H:%M:%S", &tm) == 0)
			when[0] = '\0';
		printf("%-30s %10lld %s\n", ids.v[i], (long long)st.st_size,
		    when);
	}
	printf("-- %zu file%s set aside in corrupt/\n", ids.n,
	    ids.n == 1 ? "" : "s");
	cfg_list_free(&ids);
	buf_free(&err);
	buf_free(&p);
	return r;
}

/* check - -s: how many files each queue holds */
static void
check(const char *qdir)
{
	static const char *const subs[] = { "active", "hold", "maildrop",
	    "corrupt" };

	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		printf("%s: %zu\n", subs[i], count(qdir, subs[i]));
}

int
main(int argc, char **argv)
{
	struct cfg_list	 args[NOPS];
	const char	*dir = NULL;
	char		*qdir;
	int		 ch, stdin_used = 0, failed = 0, list = 0, chk = 0;
	int		 corrupt = 0;

	die_set_progname(argv[0]);
	log_set_stderr(1);
	memset(args, 0, sizeof(args));
	while ((ch = getopt(argc, argv, "c:d:h:H:ls")) != -1) {
		size_t	 k;

		switch (ch) {
		case 'c':
			dir = optarg;
			continue;
		case 'l':
			list = 1;
			continue;
		case 's':
			chk = 1;
			continue;
		case 'd':
			k = 0;
			break;
		case 'h':
			k = 1;
			break;
		case 'H':
			k = 2;
			break;
		default:
			die_usage(USAGE);
		}
		if (strcmp(optarg, "-") == 0) {
			if (stdin_used++)
				die_usage(USAGE);
			read_ids(&args[k]);
		} else
			add_arg(&args[k], optarg);
	}
	/* A queue name after the options: only corrupt/ is ours to name. */
	if (optind + 1 == argc && strcmp(argv[optind], "corrupt") == 0) {
		if (args[1].n != 0 || args[2].n != 0)
			die_usage(USAGE);
		corrupt = 1;
	} else if (optind != argc)
		die_usage(USAGE);

	cfg_load(dir);
	qdir = cfg_path(cfg_get("queue_directory"));
	become_owner();
	if (corrupt)
		corrupt_ops();
	if (chk)
		check(qdir);
	for (size_t k = 0; k < NOPS; k++) {
		size_t	 n;

		if (args[k].n == 0)
			continue;
		n = run_op(qdir, k, &args[k], &failed);
		log_info("%s: %zu message%s", ops[k].total, n,
		    n == 1 ? "" : "s");
	}

	if (list && list_corrupt(qdir) != EX_OK)
		failed = 1;
	if (fflush(stdout) != 0)
		failed = 1;

	/* Clean up. */
	for (size_t k = 0; k < NOPS; k++)
		cfg_list_free(&args[k]);
	free(qdir);
	return failed ? EX_TEMPFAIL : EX_OK;
}
