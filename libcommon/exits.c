/*
 * exits - sysexits statuses, enhanced status codes, and dying well.
 */
#include "exits.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *progname = "pipemail";

/* One table: status -> enhanced code, text, class (as Postfix sys_exits.c). */
static const struct exit_info exit_table[] = {
	{EX_OK, "2.0.0", "success", 0},
	{EX_USAGE, "5.3.0", "command line usage error", 0},
	{EX_DATAERR, "5.6.0", "data format error", 0},
	{EX_NOINPUT, "5.3.0", "cannot open input", 0},
	{EX_NOUSER, "5.1.1", "user unknown", 0},
	{EX_NOHOST, "5.1.2", "host name unknown", 0},
	{EX_UNAVAILABLE, "5.3.0", "service unavailable", 0},
	{EX_SOFTWARE, "5.3.0", "internal software error", 0},
	{EX_OSERR, "4.3.0", "system resource problem", 1},
	{EX_OSFILE, "5.3.0", "critical OS file missing", 0},
	{EX_CANTCREAT, "5.2.0", "can't create output", 0},
	{EX_IOERR, "5.3.0", "input/output error", 0},
	{EX_TEMPFAIL, "4.3.0", "temporary failure", 1},
	{EX_PROTOCOL, "5.5.0", "remote error in protocol", 0},
	{EX_NOPERM, "5.7.0", "permission denied", 0},
	{EX_CONFIG, "5.3.5", "local configuration error", 0},
};

static const struct exit_info exit_unknown =
	{-1, "4.3.0", "unknown exit status", 1};

/* exit_info - the table row for a status; unknown statuses are soft */
const struct exit_info *
exit_info(int status)
{
	for (size_t i = 0; i < sizeof(exit_table) / sizeof(exit_table[0]); i++)
		if (exit_table[i].status == status)
			return &exit_table[i];
	return &exit_unknown;
}

/* exit_is_soft - should the sender try again later? */
int
exit_is_soft(int status)
{
	return exit_info(status)->soft;
}

/* exit_from_wait - classify a child's wait status as a sysexits status */
int
exit_from_wait(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	return EX_TEMPFAIL;		/* killed or crashed: try again */
}

/* die_set_progname - name used in every fatal and warning line */
void
die_set_progname(const char *name)
{
	const char	*slash = strrchr(name, '/');

	progname = slash ? slash + 1 : name;
}

/* die_progname - the name set above */
const char *
die_progname(void)
{
	return progname;
}

/* vdie - print "prog: fatal: message" and exit */
static noreturn void
vdie(int status, const char *fmt, va_list ap)
{
	char	 line[2048];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "%s: fatal: %s\n", progname, line);
	fflush(stderr);
	exit(status);
}

/* die_temp - fatal, temporary (EX_TEMPFAIL) */
void
die_temp(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vdie(EX_TEMPFAIL, fmt, ap);
}

/* die_perm - fatal with the given sysexits status */
void
die_perm(int status, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vdie(status, fmt, ap);
}

/* die_usage - print the usage line and exit EX_USAGE */
void
die_usage(const char *usage)
{
	fprintf(stderr, "usage: %s\n", usage);
	exit(EX_USAGE);
}

/* die_nomem - out of memory: temporary */
void
die_nomem(void)
{
	static const char msg[] = ": fatal: 4.3.0 out of memory\n";

	/* No stdio: it may need memory. */
	(void)!write(STDERR_FILENO, progname, strlen(progname));
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(EX_TEMPFAIL);
}

/* warnx_stderr - "prog: warning: message" on stderr */
void
warnx_stderr(const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "%s: warning: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
