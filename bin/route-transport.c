/*
 * route-transport - print where mail for each address goes, after
 * aliases, .forward files and transport_maps (see route-transport(8)).
 * With -s it is a co-process: one address per line in, its answer lines
 * and an empty line out.  -t selects the typed answer lines queue-run
 * reads (route.h: KIND and ORIGIN fields of their own).
 */
#include <signal.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "exits.h"
#include "io.h"
#include "log.h"
#include "route.h"

#define USAGE	"route-transport [-c config_dir] [-v] address... | " \
		"route-transport [-c config_dir] [-v] -s [-t]"

/* answer - resolve one query and queue its lines on out */
static enum route_status
answer(struct route_engine *e, struct io *out, const char *query, size_t len,
    struct route_answer *ans, struct buf *line, int typed)
{
	enum route_status	 st = route_resolve(e, query, len, ans);

	for (size_t i = 0; i < ans->n; i++) {
		buf_reset(line);
		if (typed)
			route_format_typed(line, query, len, &ans->v[i]);
		else
			route_format(line, query, len, &ans->v[i]);
		io_write(out, line->s, line->len);
	}
	return st;
}

/* serve - server mode: a query per line, answers ended by an empty line */
static int
serve(struct route_engine *e, struct route_answer *ans, int typed)
{
	struct io	 in, out;
	struct buf	 query = BUF_INIT, line = BUF_INIT;
	enum io_result	 r;
	int		 status = EX_OK;

	io_init(&in, STDIN_FILENO);
	io_init(&out, STDOUT_FILENO);
	while ((r = io_getline(&in, &query, ROUTE_QUERY_MAX)) != IO_EOF) {
		if (r != IO_OK && r != IO_TOOLONG) {
			log_warnx("read queries: %s",
			    r == IO_TIMEOUT ? "timeout" : strerror(in.err));
			status = EX_IOERR;
			break;
		}
		/* An over-long line is answered as a bad (empty) address. */
		if (r == IO_TOOLONG)
			buf_reset(&query);
		if (query.len > 0 && query.s[query.len - 1] == '\r')
			buf_truncate(&query, query.len - 1);
		(void)answer(e, &out, buf_cstr(&query), query.len, ans, &line,
		    typed);
		io_write(&out, "\n", 1);
		if (io_flush(&out) < 0) {
			log_warnx("write answers: %s", strerror(out.err));
			status = EX_IOERR;
			break;
		}
	}
	io_free(&in);
	io_free(&out);
	buf_free(&query);
	buf_free(&line);
	return status;
}

/* oneshot - command-line mode: answer each argument */
static int
oneshot(struct route_engine *e, struct route_answer *ans, char **argv,
    int argc)
{
	struct io	 out;
	struct buf	 line = BUF_INIT;
	int		 status = EX_OK;

	io_init(&out, STDOUT_FILENO);
	for (int i = 0; i < argc; i++)
		if (answer(e, &out, argv[i], strlen(argv[i]), ans, &line, 0) ==
		    ROUTE_TEMPFAIL)
			status = EX_TEMPFAIL;
	if (io_flush(&out) < 0)
		die_perm(EX_IOERR, "%s write to standard output: %s",
		    exit_info(EX_IOERR)->dsn, strerror(out.err));
	io_free(&out);
	buf_free(&line);
	return status;
}

int
main(int argc, char **argv)
{
	struct route_engine	*e;
	struct route_answer	 ans;
	struct buf		 err = BUF_INIT;
	const char		*dir = NULL;
	int			 c, server = 0, typed = 0, status;

	die_set_progname(argv[0]);
	while ((c = getopt(argc, argv, "c:stv")) != -1) {
		switch (c) {
		case 'c':
			dir = optarg;
			break;
		case 's':
			server = 1;
			break;
		case 't':
			typed = 1;
			break;
		case 'v':
			log_set_debug(1);
			break;
		default:
			die_usage(USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (server ? argc != 0 : argc == 0 || typed)
		die_usage(USAGE);

	/* A reader that went away is a write error, not a signal. */
	signal(SIGPIPE, SIG_IGN);
#ifdef __linux__
	/* Serving queue-run: end with it, not after the lookup in hand (a
	 * parent gone before this line leaves standard input at its end). */
	if (server)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
	cfg_load(dir);
	if ((e = route_open(&err)) == NULL)
		die_perm(EX_CONFIG, "%s %s", exit_info(EX_CONFIG)->dsn,
		    buf_cstr(&err));
	route_answer_init(&ans);
	status = server ? serve(e, &ans, typed) : oneshot(e, &ans, argv,
	    argc);
	route_answer_free(&ans);
	route_close(e);
	buf_free(&err);
	return status;
}
