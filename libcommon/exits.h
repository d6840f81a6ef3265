/*
 * exits - the one exit convention: sysexits.h statuses, their enhanced
 * status codes (RFC 3463) and their class (soft = try again later).
 *
 * A failing program prints one line, "prog: fatal: X.Y.Z reason", and
 * exits with a sysexits status.  die_temp() exits EX_TEMPFAIL, die_perm()
 * exits with the status it is given, die_usage() prints the usage line
 * and exits EX_USAGE.  exit_from_wait() turns a child's wait status into a
 * sysexits status: a crash or a signal counts as temporary.
 */
#ifndef PIPEMAIL_EXITS_H
#define PIPEMAIL_EXITS_H

#include <stdnoreturn.h>
#include <sysexits.h>

struct exit_info {
	int		 status;	/* sysexits value */
	const char	*dsn;		/* enhanced status code */
	const char	*text;		/* short reason */
	int		 soft;		/* 1: temporary, retry later */
};

const struct exit_info *exit_info(int);
int	 exit_is_soft(int);
int	 exit_from_wait(int);

void	 die_set_progname(const char *);
const char *die_progname(void);
noreturn void die_temp(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
noreturn void die_perm(int, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
noreturn void die_usage(const char *);
noreturn void die_nomem(void);
void	 warnx_stderr(const char *, ...)
	    __attribute__((format(printf, 1, 2)));

#endif
