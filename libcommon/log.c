/*
 * log - Postfix-style log lines to a file or to syslog.
 */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exits.h"

#define LOG_LINE_MAX	4096

static enum { DEST_STDERR, DEST_FILE, DEST_SYSLOG } dest = DEST_STDERR;
static int	 log_fd = -1;
static int	 copy_stderr;
static int	 debug;
static char	 ident[64] = "pipemail";
static char	 host[256];

/*
 * open_logfile - open path for appending without following a symbolic
 * link that is not root's (Postfix's safe_open rule), and only when it is
 * a regular file with one link: root appending to whatever a user left
 * in a log directory he can write would write or create any file.
 * The descriptor, or -1 with errno.
 */
static int
open_logfile(const char *path)
{
	const int	 flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
			    O_NOCTTY | O_NONBLOCK;
	struct stat	 st;
	int		 fd, saved;

	fd = open(path, flags | O_NOFOLLOW, 0644);
	if (fd < 0 && errno == ELOOP) {
		if (lstat(path, &st) < 0)
			return -1;
		if (!S_ISLNK(st.st_mode) || st.st_uid != 0) {
			errno = ELOOP;
			return -1;
		}
		fd = open(path, flags, 0644);
	}
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		saved = errno;
	else if (!S_ISREG(st.st_mode))
		saved = EINVAL;
	else if (st.st_nlink != 1)
		saved = EMLINK;
	else if (fcntl(fd, F_SETFL, O_WRONLY | O_APPEND) < 0)
		saved = errno;
	else
		return fd;
	close(fd);
	errno = saved;
	return -1;
	return fd;
}

/* log_open - log to path (appending) or, when path is NULL, to syslog */
void
log_open(const char *name, const char *path)
{
	const char	*slash = strrchr(name, '/');

	snprintf(ident, sizeof(ident), "pipemail/%s", slash ? slash + 1 : name);
	log_close();
	if (path != NULL && *path != '\0') {
		log_fd = open_logfile(path);
		if (log_fd >= 0) {
			dest = DEST_FILE;
			if (gethostname(host, sizeof(host)) != 0)
				snprintf(host, sizeof(host), "localhost");
			host[sizeof(host) - 1] = '\0';
			return;
		}
		warnx_stderr("cannot open maillog_file %s: %s; using syslog",
		    path, strerror(errno));
	}
	openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
	dest = DEST_SYSLOG;
}

/* log_close - back to stderr */
void
log_close(void)
{
	if (dest == DEST_FILE && log_fd >= 0)
		close(log_fd);
	else if (dest == DEST_SYSLOG)
		closelog();
	log_fd = -1;
	dest = DEST_STDERR;
}

/* log_fileno - the maillog_file descriptor, or -1 */
int
log_fileno(void)
{
	return dest == DEST_FILE ? log_fd : -1;
}

/* log_after_fork - let syslog(3) connect again when next needed */
void
log_after_fork(void)
{
	if (dest == DEST_SYSLOG) {
		closelog();
		openlog(ident, LOG_PID, LOG_MAIL);
	}
}

/* log_set_stderr - also copy every line to stderr */
void
log_set_stderr(int on)
{
	copy_stderr = on;
}

/* log_set_debug - enable log_debug() lines */
void
log_set_debug(int on)
{
	debug = on;
}

/* utf8_len - the length of the valid UTF-8 sequence at p, its code point
 * in *cp; 0 when it is not one */
static size_t
utf8_len(const unsigned char *p, unsigned *cp)
{
	size_t	 n;
	unsigned c = p[0], min;

	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/*
 * log_sanitize - make s safe for one log line shown on a terminal: every
 * control character (C0 but tab, DEL, and C1 as UTF-8 or as a raw byte)
 * and every byte that is no part of valid UTF-8 becomes '?', so that text
 * from a client cannot end the line or send a terminal escape sequence
 */
void
log_sanitize(char *s)
{
	unsigned char	*p = (unsigned char *)s;

	while (*p != '\0') {
		unsigned	 cp;
		size_t		 n;

		if (*p < 0x80) {
			if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
				*p = '?';
			p++;
			continue;
		}
		n = utf8_len(p, &cp);
		if (n == 0 || (cp >= 0x80 && cp <= 0x9f)) {
			size_t	 k = n == 0 ? 1 : n;

			for (size_t i = 0; i < k; i++)
				p[i] = '?';
			p += k;
			continue;
		}
		p += n;
	}
}

/* log_emit - one formatted line to the chosen destination */
static void
log_emit(int prio, const char *level, const char *fmt, va_list ap, int err)
{
	char	 msg[LOG_LINE_MAX], line[LOG_LINE_MAX + 512];
	size_t	 n;
	int	 saved = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_sanitize(msg);
	if (err) {
		n = strlen(msg);
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(saved));
	}
	if (dest == DEST_STDERR || copy_stderr)
		fprintf(stderr, "%s: %s%s\n", die_progname(), level, msg);
	if (dest == DEST_SYSLOG) {
		syslog(prio, "%s%s", level, msg);
	} else if (dest == DEST_FILE) {
		char		 stamp[32];
		time_t		 now = time(NULL);
		struct tm	 tm;

		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
		snprintf(line, sizeof(line), "%s %s %s[%ld]: %s%s\n", stamp,
		    host, ident, (long)getpid(), level, msg);
		(void)!write(log_fd, line, strlen(line));
	}
	errno = saved;
}

/* log_info - an ordinary event */
void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_emit(LOG_INFO, "", fmt, ap, 0);
	va_end(ap);
}

/* log_warn - a problem, with strerror(errno) */
void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_emit(LOG_WARNING, "warning: ", fmt, ap, 1);
	va_end(ap);
}

/* log_warnx - a problem */
void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_emit(LOG_WARNING, "warning: ", fmt, ap, 0);
	va_end(ap);
}

/* log_debug - only when enabled */
void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!debug)
		return;
	va_start(ap, fmt);
	log_emit(LOG_DEBUG, "debug: ", fmt, ap, 0);
	va_end(ap);
}
