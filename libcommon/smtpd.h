/*
 * smtpd - the SMTP server side (RFC 5321): a pure command parser, a pure
 * DATA decoder, and the session engine behind smtp-listen(8).
 *
 * Parser.  smtpd_parse() takes one command line as read (with or
 * without its CR; the LF already removed) and fills a struct smtpd_cmd:
 * the verb and its argument, trimmed, pointing into the input.  For MAIL
 * and RCPT the argument starts after "FROM:" / "TO:".  It returns
 * SMTPD_P_OK or why the line is bad; it does no I/O and never allocates.
 *
 * DATA decoder.  smtpd_data_push() takes message bytes as they arrive
 * and appends the message to out: dot-stuffing removed (RFC 5321 4.5.2),
 * every line ending (CRLF, or a bare LF, accepted as Postfix does) turned
 * into LF, a lone CR kept.  It returns how many input bytes it used;
 * once d->done is set the end-of-data line has been consumed and the
 * rest of the input belongs to the next command.  Only CR LF "." CR LF
 * ends the data (Postfix smtpd_forbid_bare_newline = normalize): a dot
 * line after a bare LF is message text, which closes the "SMTP
 * smuggling" hole.  out grows by at most len + 1 bytes per call.
 *
 * Session.  smtpd_session() speaks SMTP on o->fd_in / o->fd_out until
 * QUIT, end of input, a timeout or too many errors.  Each message is
 * streamed into queue-inject(8) as it arrives and acknowledged only after
 * queue-inject exits 0.  It needs main.cf loaded (cfg_load) and must not
 * run as root.  It returns a sysexits status (EX_OK for a normal end).
 * Under smtp-listen -l, o->ctl is the serving process's socket to the
 * listener (-1 otherwise): the listener sends "S" there when its process
 * limit is reached, and answers "m" (one more message from this client?)
 * with "y" or "n" (smtpd_client_message_rate_limit).  o->stress says the
 * limit was reached when the connection came; the session then sets
 * main.cf's "stress" to "yes" (Postfix's ${stress?...} defaults).
 *
 * smtpd_client_from_env() fills the client's identity from tcpserver's
 * TCPREMOTEIP / TCPREMOTEHOST / TCPLOCALIP, else from getpeername() and
 * getsockname() on fd, else "127.0.0.1" for a pipe (sendmail -bs style);
 * smtpd_client_from_addr() does it from an accepted socket address.  No
 * DNS lookup is made: the name is "unknown" unless TCPREMOTEHOST says.
 *
 * smtpd_spool_ready() makes queue_directory's layout and, when running as
 * root, gives it to mail_owner, so that queue-inject can write it after
 * this process has dropped root.  smtpd_config_check() opens and closes
 * every table the restrictions and checks name, so that a bad main.cf
 * is found at start-up.  Both return 0, or -1 with the reason in err.
 */
#ifndef PIPEMAIL_SMTPD_H
#define PIPEMAIL_SMTPD_H

#include <stddef.h>
#include <sys/socket.h>

#include "buf.h"

/* RFC 5321 4.5.3.1.4: a command line is at most 512 octets with CRLF. */
#define SMTPD_CMD_MAX		512
/* Extensions lengthen MAIL: SIZE (RFC 1870 4) 26, BODY (RFC 6152 2) 16,
 * RET and ENVID (RFC 3461 4) 100, SMTPUTF8 (RFC 6531 3.4) 10. */
#define SMTPD_MAIL_MAX		(SMTPD_CMD_MAX + 26 + 16 + 100 + 10)
/* ... and RCPT: NOTIFY and ORCPT (RFC 3461 4) 500. */
#define SMTPD_RCPT_MAX		(SMTPD_CMD_MAX + 500)
/* The longest line the session reads at all; longer ones are skipped. */
#define SMTPD_LINE_MAX		SMTPD_RCPT_MAX
#define SMTPD_ADDR_MAX		64	/* a numeric address, as text */
#define SMTPD_NAME_MAX		256	/* a host name (RFC 1035 2.3.4) */

enum smtpd_verb {
	SMTPD_V_EMPTY = 0,	/* an empty line */
	SMTPD_V_HELO,
	SMTPD_V_EHLO,
	SMTPD_V_MAIL,
	SMTPD_V_RCPT,
	SMTPD_V_DATA,
	SMTPD_V_BDAT,
	SMTPD_V_RSET,
	SMTPD_V_NOOP,
	SMTPD_V_QUIT,
	SMTPD_V_HELP,
	SMTPD_V_VRFY,
	SMTPD_V_EXPN,
	SMTPD_V_ETRN,
	SMTPD_V_STARTTLS,
	SMTPD_V_AUTH,
	SMTPD_V_UNKNOWN,
};

enum smtpd_parse_result {
	SMTPD_P_OK = 0,
	SMTPD_P_NUL,		/* a NUL byte in the line */
	SMTPD_P_TOOLONG,	/* longer than the verb allows */
	SMTPD_P_SYNTAX,		/* MAIL without FROM:, RCPT without TO: */
};

struct smtpd_cmd {
	enum smtpd_verb	 verb;
	const char	*name;		/* "MAIL", ...; "" when unknown */
	const char	*arg;		/* into the input, trimmed */
	size_t		 arg_len;
};

/* The DATA decoder; initialise with smtpd_data_init(). */
struct smtpd_data {
	int			 state;
	int			 crlf;		/* the last line ended in CRLF */
	int			 done;		/* end of data consumed */
	unsigned long long	 bytes;		/* bytes appended to out */
};

/* Who the client is. */
struct smtpd_client {
	char	 addr[SMTPD_ADDR_MAX];		/* "192.0.2.1", "::1" */
	char	 name[SMTPD_NAME_MAX];		/* "unknown" or verified */
	char	 local[SMTPD_ADDR_MAX];		/* our address, or "" */
};

struct smtpd_opts {
	const char			*config_dir;	/* -c DIR, or NULL */
	int				 fd_in;
	int				 fd_out;
	const struct smtpd_client	*client;
	int				 ctl;		/* listener, or -1 */
	int				 stress;	/* at the limit */
};

enum smtpd_parse_result smtpd_parse(const char *, size_t,
	    struct smtpd_cmd *);
const char *smtpd_verb_name(enum smtpd_verb);

void	 smtpd_data_init(struct smtpd_data *);
size_t	 smtpd_data_push(struct smtpd_data *, const char *, size_t,
	    struct buf *);

void	 smtpd_client_from_env(int, struct smtpd_client *);
void	 smtpd_client_from_addr(const struct sockaddr *, socklen_t,
	    const struct sockaddr *, socklen_t, struct smtpd_client *);
int	 smtpd_spool_ready(struct buf *);
int	 smtpd_config_check(struct buf *);
int	 smtpd_session(const struct smtpd_opts *);

#endif
