/*
 * sendmail - the Sendmail-compatible front door (see sendmail(1)); also
 * mailq (sendmail -bp) and newaliases (sendmail -bi) through argv[0].
 *
 * It parses the command line, loads main.cf and hands the work to the
 * program or engine that does it: submit_send() and queue-inject(8) to
 * queue a message, showq for the listing, postalias(1) for aliases,
 * route-transport(8) for -bv, queue-run(8) for -q, smtp-listen(8) for -bs.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "exits.h"
#include "mem.h"
#include "proc.h"
#include "queue.h"
#include "showq.h"
#include "submit.h"

#define USAGE	"sendmail [-c DIR] [-bm | -bi | -bp | -bs | -bv | -q] " \
		"[-t] [-i] [-f SENDER] [-F NAME] [-N DSN] [-R RET] " \
		"[-V ENVID] [-v] [-o OPTION] [recipient ...]"
#define OPTIONS	"+B:b:C:c:F:f:Gh:IiL:mN:nO:o:q::R:r:tUV:vX:"

enum mode {
	MODE_ENQUEUE,		/* -bm */
	MODE_MAILQ,		/* -bp, mailq */
	MODE_NEWALIASES,	/* -bi, -I, newaliases */
	MODE_SMTP,		/* -bs */
	MODE_VERIFY,		/* -bv */
	MODE_FLUSH,		/* -q */
};

/* fds_ready - make sure 0, 1 and 2 are open, so that no pipe or file we
 * open later lands on one of them */
static void
fds_ready(void)
{
	struct stat	 st;

	for (int fd = 0; fd <= 2; fd++)
		if (fstat(fd, &st) < 0 && errno == EBADF &&
		    open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			die_temp("4.3.0 open /dev/null: %s", strerror(errno));
}

/* exec_sibling - become the sibling program NAME with -c DIR (when
 * given) and args; only returns by dying */
static noreturn void
exec_sibling(const char *name, const char *dir, char **args, int nargs)
{
	struct buf	 path = BUF_INIT;
	char		**argv = xcalloc((size_t)nargs + 4, sizeof(*argv));
	int		 n = 0;

	proc_bin(&path, name);
	argv[n++] = path.s;
	if (dir != NULL) {
		argv[n++] = "-c";
		argv[n++] = (char *)dir;
	}
	for (int i = 0; i < nargs; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	fflush(NULL);
	execv(argv[0], argv);
	if (errno == ENOENT || errno == EACCES)
		die_perm(EX_UNAVAILABLE, "5.3.0 %s is not available: %s: %s",
		    name, buf_cstr(&path), strerror(errno));
	die_perm(EX_OSERR, "4.3.0 unable to run %s: %s", buf_cstr(&path),
	    strerror(errno));
}

/* run_sibling - run NAME [-c DIR] ARG, its output copied to stderr;
 * its sysexits status */
static int
run_sibling(const char *name, const char *dir, const char *arg)
{
	struct buf	 path = BUF_INIT, out = BUF_INIT, why = BUF_INIT;
	struct proc	 p;
	char		*argv[5], chunk[1024];
	int		 n = 0, ws, status;

	proc_bin(&path, name);
	argv[n++] = path.s;
	if (dir != NULL) {
		argv[n++] = "-c";
		argv[n++] = (char *)dir;
	}
	argv[n++] = (char *)arg;
	argv[n] = NULL;
	if (proc_spawn(&p, argv, -1, -1, 0) < 0) {
		warnx_stderr("unable to run %s: %s", buf_cstr(&path),
		    strerror(errno));
		buf_free(&path);
		return EX_OSERR;
	}
	for (;;) {
		struct pollfd	 pfd = {p.out_fd, POLLIN, 0};
		ssize_t		 r;

		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			break;
		r = read(p.out_fd, chunk, sizeof(chunk));
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			break;
		fwrite(chunk, 1, (size_t)r, stderr);
		if (out.len < PROC_OUTPUT_MAX)
			buf_add(&out, chunk, (size_t)r);
	}
	close(p.out_fd);
	while (waitpid(p.pid, &ws, 0) < 0)
		if (errno != EINTR) {
			ws = EX_TEMPFAIL << 8;
			break;
		}
	status = proc_reason(&out, ws, &why);
	if (status != EX_OK && out.len == 0)
		warnx_stderr("%s %s: %s", name, arg, buf_cstr(&why));
	buf_free(&path);
	buf_free(&out);
	buf_free(&why);
	return status;
}

/*
 * newaliases - run postalias on each alias database (-oA, else
 * alias_database).  Only hash tables are built; other types are skipped
 * with a warning, as they have nothing to build.  The first failure's
 * status is returned.
 */
static int
newaliases(const char *dir, const char *only)
{
	struct cfg_list	 dbs;
	int		 status = EX_OK;

	if (only != NULL)
		cfg_split_list(only, &dbs);
	else
		cfg_get_list("alias_database", &dbs);
	for (size_t i = 0; i < dbs.n; i++) {
		const char	*db = dbs.v[i];
		size_t		 t = strspn(db, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
		int		 r;

		/* "type:name"; a bare path is of the default type, hash. */
		if (t > 0 && db[t] == ':' && !(t == 4 &&
		    strncasecmp(db, "hash", 4) == 0)) {
			warnx_stderr("skipping alias database %s: only hash "
			    "tables are built", db);
			continue;
		}
		r = run_sibling("postalias", dir, db);
		if (r != EX_OK && status == EX_OK)
			status = r;
	}
	cfg_list_free(&dbs);
	return status;
}

/* mailq - print the queue listing */
static int
mailq(void)
{
	struct showq	 q;
	struct buf	 out = BUF_INIT, warnings = BUF_INIT, err = BUF_INIT;
	char		*qdir = cfg_path(cfg_get("queue_directory"));
	const char	*p, *nl;

	showq_init(&q);
	if (showq_scan(qdir, &q, &warnings, &err) < 0) {
		if (errno == EACCES || errno == EPERM)
			die_perm(EX_NOPERM, "5.7.0 %s", buf_cstr(&err));
		die_temp("4.3.0 %s", buf_cstr(&err));
	}
	for (p = buf_cstr(&warnings); (nl = strchr(p, '\n')) != NULL;
	    p = nl + 1)
		warnx_stderr("skipping %.*s", (int)(nl - p), p);
	showq_format(&out, &q);
	fwrite(out.s, 1, out.len, stdout);
	showq_free(&q);
	buf_free(&out);
	buf_free(&warnings);
	buf_free(&err);
	free(qdir);
	return fflush(stdout) == 0 && !ferror(stdout) ? EX_OK : EX_IOERR;
}

/* flush - sendmail -q: wake a running queue-run through its trigger
 * (an empty line means "scan and deliver now"), else run one pass */
static noreturn void
flush(const char *dir, int verbose)
{
	struct buf	 trigger = BUF_INIT;
	char		*qdir = cfg_path(cfg_get("queue_directory"));
	char		*args[] = {"-f"};
	struct stat	 st;
	int		 fd;

	queue_path(&trigger, qdir, "trigger", NULL);
	/* O_NONBLOCK: the open fails (ENXIO) unless someone reads it. */
	fd = open(buf_cstr(&trigger), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	free(qdir);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) &&
	    write(fd, "\n", 1) == 1) {
		buf_free(&trigger);
		if (verbose)
			fprintf(stderr, "%s: queue-run notified\n",
			    die_progname());
		exit(EX_OK);
	}
	if (fd >= 0)
		close(fd);
	buf_free(&trigger);
	exec_sibling("queue-run", dir, args, 1);
}

/* verify - sendmail -bv: route-transport ADDRESS..., the addresses after
 * "--" so that none is read as an option ("-c/elsewhere" would choose its
 * configuration); only returns by dying */
static noreturn void
verify(const char *dir, char **addrs, int n)
{
	char	**args = xcalloc((size_t)n + 1, sizeof(*args));

	args[0] = "--";
	for (int i = 0; i < n; i++)
		args[i + 1] = addrs[i];
	exec_sibling("route-transport", dir, args, n + 1);
}

/* other_option - -o: -oi is -i, -oA names the alias database; the
 * options MUAs pass by habit are accepted quietly, the rest warned of */
static void
other_option(const char *opt, int *flags, const char **alias_db)
{
	switch (opt[0]) {
	case 'i':
		if (opt[1] == '\0') {
			*flags &= ~SUBMIT_F_DOT;
			return;
		}
		break;
	case 'A':
		if (opt[1] == '\0')
			die_usage(USAGE);
		*alias_db = opt + 1;
		return;
	case 'm':	/* me too: the sender is never left out */
	case '7':	/* 7-bit and 8-bit: MIME says what the body is */
	case '8':
	case 'e':	/* error mode: errors go to stderr or by mail */
	case 'd':	/* delivery mode: always queued, queue-run delivers */
		return;
	default:
		break;
	}
	warnx_stderr("ignoring unsupported option -o%s", opt);
}

/* queue_flag - -q[ARG]: run the queue; the variants run all of it */
static void
queue_flag(const char *arg)
{
	if (arg == NULL || *arg == '\0')
		return;
	if (*arg == 'R' || *arg == 'I')
		warnx_stderr("-q%c is not supported: running the whole queue",
		    *arg);
	else if (*arg >= '0' && *arg <= '9')
		warnx_stderr("ignoring queue run interval -q%s: running the "
		    "queue now", arg);
	else
		die_perm(EX_USAGE, "5.5.4 unsupported option -q%s", arg);
}

/* main - parse the flags, load main.cf, run the mode */
/* -C FILE: the copy dirname(3) works on; lives as long as dir. */
static struct buf cdir = BUF_INIT;

int
main(int argc, char **argv)
{
	struct submit_opts	 o;
	struct submit_rcpts	 rcpts;
	struct buf		 sender = BUF_INIT, why = BUF_INIT;
	struct buf		 qid = BUF_INIT;
	const char		*name, *dir = NULL, *alias_db = NULL;
	enum mode		 mode = MODE_ENQUEUE;
	int			 ch, status;

	die_set_progname(argv[0]);
	fds_ready();
	name = die_progname();
	if (strcmp(name, "mailq") == 0)
		mode = MODE_MAILQ;
	else if (strcmp(name, "newaliases") == 0)
		mode = MODE_NEWALIASES;

	memset(&o, 0, sizeof(o));
	o.flags = SUBMIT_F_DOT;
	o.in_fd = STDIN_FILENO;
	submit_rcpts_init(&rcpts);
	while ((ch = getopt(argc, argv, OPTIONS)) != -1) {
		switch (ch) {
		case 'B':
			if (strcasecmp(optarg, "7BIT") != 0 &&
			    strcasecmp(optarg, "8BITMIME") != 0)
				warnx_stderr("ignoring body type -B %s",
				    optarg);
			break;
		case 'b':
			if (strlen(optarg) != 1)
				die_usage(USAGE);
			switch (optarg[0]) {
			case 'm':
				mode = MODE_ENQUEUE;
				break;
			case 'p':
				mode = MODE_MAILQ;
				break;
			case 'i':
				mode = MODE_NEWALIASES;
				break;
			case 's':
				mode = MODE_SMTP;
				break;
			case 'v':
				mode = MODE_VERIFY;
				break;
			default:
				die_perm(EX_USAGE, "5.5.4 unsupported mode "
				    "-b%s", optarg);
			}
			break;
		case 'C':
			/* Postfix and Sendmail name a file; we want its dir. */
			buf_sets(&cdir, optarg);
			dir = dirname(cdir.s);
			warnx_stderr("-C %s: using the configuration "
			    "directory %s", optarg, dir);
			break;
		case 'c':
			dir = optarg;
			break;
		case 'F':
			o.fullname = optarg;
			break;
		case 'f':
		case 'r':
			buf_reset(&why);
			if (submit_parse_sender(optarg, &sender, &why) < 0)
				die_perm(EX_USAGE, "%s", buf_cstr(&why));
			o.sender = buf_cstr(&sender);
			break;
		case 'I':
			mode = MODE_NEWALIASES;
			break;
		case 'i':
			o.flags &= ~SUBMIT_F_DOT;
			break;
		case 'N':
			if (submit_parse_notify(optarg, &o.notify, &why) < 0)
				die_perm(EX_USAGE, "%s", buf_cstr(&why));
			break;
		case 'O':
			warnx_stderr("ignoring unsupported option -O %s",
			    optarg);
			break;
		case 'o':
			other_option(optarg, &o.flags, &alias_db);
			break;
		case 'q':
			queue_flag(optarg);
			mode = MODE_FLUSH;
			break;
		case 'R':
			if (submit_parse_ret(optarg, &o.ret, &why) < 0)
				die_perm(EX_USAGE, "%s", buf_cstr(&why));
			break;
		case 't':
			o.flags |= SUBMIT_F_EXTRACT;
			break;
		case 'V':
			if (submit_check_envid(optarg, &why) < 0)
				die_perm(EX_USAGE, "%s", buf_cstr(&why));
			o.envid = optarg;
			break;
		case 'v':
			o.flags |= SUBMIT_F_VERBOSE;
			break;
		case 'X':
			warnx_stderr("ignoring unsupported option -X %s",
			    optarg);
			break;
		case 'G':	/* gateway submission */
		case 'h':	/* hop count: hopcount_limit rules */
		case 'L':	/* syslog label: sendmail logs nothing */
		case 'm':	/* me too */
		case 'n':	/* no aliasing */
		case 'U':	/* initial user submission */
			break;
		default:
			die_usage(USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	o.config_dir = dir;
	if (mode != MODE_ENQUEUE && mode != MODE_VERIFY && argc > 0)
		die_usage(USAGE);
	cfg_load(dir);

	switch (mode) {
	case MODE_MAILQ:
		return mailq();
	case MODE_NEWALIASES:
		return newaliases(dir, alias_db);
	case MODE_SMTP:
		exec_sibling("smtp-listen", dir, NULL, 0);
	case MODE_VERIFY:
		if (argc == 0)
			die_usage(USAGE);
		verify(dir, argv, argc);
	case MODE_FLUSH:
		flush(dir, o.flags & SUBMIT_F_VERBOSE);
	case MODE_ENQUEUE:
		break;
	}

	for (int i = 0; i < argc; i++) {
		int	 r;

		buf_reset(&why);
		/* A recipient that cannot be a mailbox name: no such user. */
		if ((r = submit_parse_rcpt(argv[i], &rcpts, &why)) < 0)
			die_perm(r == -2 ? EX_NOUSER : EX_USAGE, "%s",
			    buf_cstr(&why));
	}
	o.rcpt = &rcpts;
	status = submit_send(&o, &qid, &why);
	if (status != EX_OK)
		die_perm(status, "%s", buf_cstr(&why));
	if (o.flags & SUBMIT_F_VERBOSE)
		fprintf(stderr, "%s: queued as %s\n", die_progname(),
		    buf_cstr(&qid));
	submit_rcpts_free(&rcpts);
	buf_free(&sender);
	buf_free(&why);
	buf_free(&qid);
	return EX_OK;
}
