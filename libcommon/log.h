/*
 * log - one line per event, Postfix style, to maillog_file or syslog(3)
 * facility mail.
 *
 * log_open() chooses the destination: a file path appends (one write(2)
 * per line, so concurrent writers do not interleave), NULL uses syslog.
 * Before log_open() lines go to stderr.  log_set_stderr(1) copies every
 * line to stderr too (interactive commands such as postmap).  log_warn()
 * appends strerror(errno).  Message bodies and passwords are never logged.
 * A forked process that closes descriptors it did not open keeps
 * log_fileno() (the maillog_file, or -1) and calls log_after_fork() first,
 * so syslog(3) reconnects on its own.  Every line is passed through
 * log_sanitize() first: control characters (C0 but tab, DEL, C1 whether
 * raw or UTF-8) and bytes that are no valid UTF-8 become '?', in place.
 */
#ifndef PIPEMAIL_LOG_H
#define PIPEMAIL_LOG_H

void	 log_open(const char *, const char *);
void	 log_close(void);
void	 log_set_stderr(int);
void	 log_set_debug(int);
int	 log_fileno(void);
void	 log_after_fork(void);
void	 log_sanitize(char *);
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
