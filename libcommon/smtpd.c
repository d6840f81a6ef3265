/*
 * smtpd - the SMTP server session (RFC 5321), its extensions (RFC 1870
 * SIZE, 2920 PIPELINING, 2034 ENHANCEDSTATUSCODES, 3461 DSN, 6152
 * 8BITMIME, 6531 SMTPUTF8, 1985 ETRN) and the hand-over of each message
 * to queue-inject(8).
 */
#include "smtpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "address.h"
#include "checks.h"
#include "config.h"
#include "exits.h"
#include "header.h"
#include "io.h"
#include "log.h"
#include "mem.h"
#include "proc.h"
#include "qspace.h"
#include "queue.h"
#include "restrict.h"
#include "smtpd_limits.h"

#define HELO_MAX		255	/* RFC 1035 2.3.4 name, as text */
#define ENVELOPE_MAX		(256 * 1024)	/* records per transaction */
#define ENVID_MAX		100	/* RFC 3461 4.4, decoded */
#define ORCPT_MAX		500	/* RFC 3461 4.2, as sent */
#define INJECT_CHUNK		65536	/* message bytes written at once */
#define INJECT_REPLY_MAX	1024	/* queue-inject -s's answer line */
#define HEAD_LINE_MAX		(HDR_SIZE_MAX + 2)	/* header line kept */
#define BODY_LINE_MAX		HDR_LINE_MAX	/* body_checks piece */
#define REASON_MAX		400	/* a stage's reason in a reply */
#define SIZE_DIGITS_MAX		20	/* RFC 1870 size-value, 64 bits */
#define ETRN_SESSION_MAX	5	/* ETRN requests heeded per session */

/* What went wrong with a message while it streamed in. */
enum verdict {
	V_OK = 0,
	V_TOOBIG,		/* over message_size_limit */
	V_REJECT,		/* header/body checks: REJECT */
	V_DEFER,		/* header/body checks: DEFER */
	V_DISCARD,		/* DISCARD: accept, queue nothing */
	V_ERROR,		/* a table error: temporary */
};

/*
 * The injector: one queue-inject -s kept for every message this process
 * receives, across sessions (smtp-listen's processes serve many), so a
 * message costs no fork and no exec.  It is started on first use and
 * again after anything goes wrong with it.
 */
static struct {
	struct proc	 p;
	int		 in_fd;		/* its standard input, or -1 */
	struct buf	 out;		/* what it said, not yet a line */
	long long	 wait_ms;	/* for each write and the answer */
	int		 stuck;		/* it missed that limit: killed */
} inj = { { -1, -1 }, -1, BUF_INIT, 0, 0 };

/* One message on its way into queue-inject. */
struct sink {
	int		 running;	/* the injector has the message */
	int		 gone;		/* it stopped reading (EPIPE) */
	int		 closed;	/* given up ("A" sent) */
	int		 in_head;	/* still in the header section */
	struct hdr_scan	 scan;
	struct buf	 hline;		/* header line being gathered */
	int		 hskip;		/* drop the rest of that line */
	struct buf	 bline;		/* body line for body_checks */
	struct buf	 w;		/* bytes for queue-inject */
	enum verdict	 verdict;
	struct buf	 why;		/* check text for the reply/log */
	int		 hold;		/* HOLD seen after the start */
};

struct session {
	const struct smtpd_opts		*o;
	const struct smtpd_client	*cl;
	struct io	 in, out;
	struct buf	 line;
	const char	*host;		/* myhostname */
	char		*qdir;
	struct restrict_ctx *rc;
	struct checks	*ck;

	struct smtpd_limits lim;	/* time limits, stress */

	/* Limits from main.cf. */
	long long	 size_limit;
	long long	 rcpt_limit, overshoot_limit;
	long long	 soft_limit, error_sleep;
	int		 helo_required, vrfy_disabled;

	/* Session state. */
	char		*helo;		/* sanitised HELO/EHLO argument */
	int		 esmtp;
	int		 refused;	/* rejected at CONNECT */
	long long	 errors;
	long long	 overshoot;	/* RCPTs past the limit */
	const char	*last;		/* last command, for the log */
	unsigned	 counts[SMTPD_V_UNKNOWN + 1];
	unsigned	 ncommands;
	unsigned	 netrn;		/* ETRN requests heeded */

	/* The mail transaction (RFC 5321 3.3). */
	int		 in_mail;
	int		 smtputf8;
	struct buf	 sender;	/* "" for <> */
	struct buf	 env;		/* F, R, E, then T records */
	size_t		 nrcpt;
	int		 rcpt_seen;	/* any RCPT, accepted or not */
	struct buf	 first_rcpt;	/* for the log */
	int		 hold, discard;	/* from the restrictions */
};

/*
 * Replies.
 */

/*
 * error_pause - Postfix 2.1 and later: the first smtpd_soft_error_limit
 * errors cost nothing, each one after that smtpd_error_sleep_time; the
 * error that reaches smtpd_hard_error_limit costs nothing either, as the
 * 421 and the close follow at once
 */
static void
error_pause(struct session *s)
{
	if (s->errors <= s->soft_limit || s->errors >= s->lim.hard_limit ||
	    s->error_sleep <= 0)
		return;
	io_flush(&s->out);
	sleep(s->error_sleep > UINT_MAX ? UINT_MAX :
	    (unsigned)s->error_sleep);
}

/* vreply - queue one reply line "CODE text"; a 4xx or 5xx counts as an
 * error (RFC 5321 4.2) when counted is set */
__attribute__((format(printf, 3, 0)))
static void
vreply(struct session *s, int counted, const char *fmt, va_list ap)
{
	struct buf	 b = BUF_INIT;

	buf_vprintf(&b, fmt, ap);
	/* A reply is one line: nothing the client sent may break it. */
	for (size_t i = 0; i < b.len; i++)
		if (b.s[i] == '\r' || b.s[i] == '\n' || b.s[i] == '\0')
			b.s[i] = ' ';
	if (counted && b.len > 0 && (b.s[0] == '4' || b.s[0] == '5')) {
		s->errors++;
		error_pause(s);
	}
	buf_adds(&b, "\r\n");
	io_write(&s->out, b.s, b.len);
	buf_free(&b);
}

/* reply - a reply; a 4xx or 5xx is a client error */
__attribute__((format(printf, 2, 3)))
static void
reply(struct session *s, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vreply(s, 1, fmt, ap);
	va_end(ap);
}

/* reply_nocount - a 4xx that is no client error (a limit of ours) */
__attribute__((format(printf, 2, 3)))
static void
reply_nocount(struct session *s, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vreply(s, 0, fmt, ap);
	va_end(ap);
}

/* client_id - "name[addr]" for the log */
static const char *
client_id(struct session *s)
{
	static char	 id[SMTPD_NAME_MAX + SMTPD_ADDR_MAX + 4];

	snprintf(id, sizeof(id), "%s[%s]", s->cl->name, s->cl->addr);
	return id;
}

/* proto - the protocol for Received: (RFC 3848, RFC 6531 3.7.3) */
static const char *
proto(const struct session *s)
{
	if (s->smtputf8)
		return "UTF8SMTP";
	return s->esmtp ? "ESMTP" : "SMTP";
}

/* log_reject - one line per refused command, Postfix style */
static void
log_reject(struct session *s, const char *what, int code, const char *dsn,
    const char *text)
{
	struct buf	 b = BUF_INIT;

	buf_printf(&b, "NOQUEUE: %s: %s from %s: %d %s %s;", what,
	    s->last, client_id(s), code, dsn, text);
	if (s->in_mail)
		buf_printf(&b, " from=<%s>", buf_cstr(&s->sender));
	if (s->first_rcpt.len > 0 && s->counts[SMTPD_V_RCPT] > 0)
		buf_printf(&b, " to=<%s>", buf_cstr(&s->first_rcpt));
	buf_printf(&b, " proto=%s helo=<%s>", proto(s),
	    s->helo ? s->helo : "");
	log_info("%s", buf_cstr(&b));
	buf_free(&b);
}

/*
 * Restrictions (restrict.h).
 */

/* restricted - run the restrictions of one stage (arg: the recipient at
 * RCPT, the domain at ETRN); 1 when refused (the
 * reply is sent), 0 to go on */
static int
restricted(struct session *s, enum restrict_stage stage,
    const char *recipient)
{
	struct restrict_info	 info;
	struct restrict_result	 res;
	enum restrict_answer	 a;
	int			 code;
	const char		*dsn;

	memset(&info, 0, sizeof(info));
	info.client_addr = s->cl->addr;
	info.client_name = s->cl->name;
	info.helo = s->helo;
	info.sender = s->in_mail ? buf_cstr(&s->sender) : NULL;
	info.recipient = stage == RESTRICT_ETRN ? NULL : recipient;
	info.etrn_domain = stage == RESTRICT_ETRN ? recipient : NULL;
	info.nrcpt = s->nrcpt;
	info.authenticated = 0;
	restrict_result_init(&res);
	a = restrict_check(s->rc, stage, &info, &res);
	if (res.hold)
		s->hold = 1;
	if (res.discard)
		s->discard = 1;
	if (a == RESTRICT_PERMIT) {
		restrict_result_free(&res);
		return 0;
	}
	code = res.code;
	if (a == RESTRICT_DEFER && (code < 400 || code > 499))
		code = 450;
	if (a == RESTRICT_REJECT && (code < 500 || code > 599))
		code = 554;
	dsn = res.dsn[0] ? res.dsn : code >= 500 ? "5.7.1" : "4.7.1";
	if (stage == RESTRICT_CONNECT) {
		/* RFC 5321 3.1: a 554 greeting; a 4xx one means "go away". */
		log_reject(s, "reject", code, dsn, buf_cstr(&res.text));
		if (code >= 500) {
			reply(s, "554 %s %s", dsn, buf_cstr(&res.text));
			s->refused = 1;
		} else
			reply(s, "421 %s %s %s", dsn, s->host,
			    buf_cstr(&res.text));
	} else {
		log_reject(s, "reject", code, dsn, buf_cstr(&res.text));
		reply(s, "%d %s %s", code, dsn, buf_cstr(&res.text));
	}
	restrict_result_free(&res);
	return 1;
}

/*
 * The mail transaction.
 */

/* txn_reset - forget the transaction (RFC 5321 4.1.1.5) */
static void
txn_reset(struct session *s)
{
	s->in_mail = 0;
	s->smtputf8 = 0;
	s->nrcpt = 0;
	s->rcpt_seen = 0;
	s->hold = 0;
	s->discard = 0;
	buf_reset(&s->sender);
	buf_reset(&s->env);
	buf_reset(&s->first_rcpt);
}

/* qualify - RFC 5321 4.5.1: a bare local part ("postmaster") gets
 * @myorigin, as Postfix's append_at_myorigin does */
static void
qualify(struct buf *addr)
{
	size_t	 at;

	if (addr->len > 0 && !addr_split(addr->s, addr->len, &at))
		buf_printf(addr, "@%s", cfg_get("myorigin"));
}

/* helo_sanitise - the HELO argument as it may go into Received: and
 * the log: printable ASCII, others turned into '?' */
static char *
helo_sanitise(const char *s, size_t n)
{
	char	*h = xstrndup(s, n);

	for (char *p = h; *p; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			*p = '?';
	return h;
}

/* cmd_helo - HELO and EHLO (RFC 5321 4.1.1.1); EHLO lists the
 * extensions (RFC 5321 4.1.1.1, 2.2.2) */
static void
cmd_helo(struct session *s, const struct smtpd_cmd *c)
{
	int		 ehlo = c->verb == SMTPD_V_EHLO;
	const char	*ext[16];
	size_t		 n = 0;
	char		 size[32];

	if (c->arg_len == 0 || c->arg_len > HELO_MAX) {
		reply(s, "501 5.5.4 Syntax: %s hostname", c->name);
		return;
	}
	free(s->helo);
	s->helo = helo_sanitise(c->arg, c->arg_len);
	txn_reset(s);
	if (restricted(s, RESTRICT_HELO, NULL)) {
		free(s->helo);
		s->helo = NULL;
		return;
	}
	s->esmtp = ehlo;
	if (!ehlo) {
		reply(s, "250 %s", s->host);
		return;
	}

	/* The extensions, in Postfix's order. */
	ext[n++] = "PIPELINING";			/* RFC 2920 */
	if (s->size_limit > 0) {			/* RFC 1870 */
		snprintf(size, sizeof(size), "SIZE %lld", s->size_limit);
		ext[n++] = size;
	} else
		ext[n++] = "SIZE";
	if (!s->vrfy_disabled)
		ext[n++] = "VRFY";
	ext[n++] = "ETRN";				/* RFC 1985 */
	/*
	 * Hook: STARTTLS (RFC 3207) and AUTH (RFC 4954) go here when
	 * smtpd_tls_security_level / smtpd_sasl_auth_enable turn them on.
	 */
	ext[n++] = "ENHANCEDSTATUSCODES";		/* RFC 2034 */
	ext[n++] = "8BITMIME";				/* RFC 6152 */
	ext[n++] = "DSN";				/* RFC 3461 */
	ext[n++] = "SMTPUTF8";				/* RFC 6531 */
	reply(s, "250-%s", s->host);
	for (size_t i = 0; i < n; i++)
		reply(s, "250%c%s", i + 1 < n ? '-' : ' ', ext[i]);
}

/* size_value - RFC 1870 size-value = 1*20DIGIT; -1 when bad */
static long long
size_value(const char *v)
{
	long long	 n = 0;
	size_t		 len = strlen(v);

	if (len == 0 || len > SIZE_DIGITS_MAX)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		if (n > (LLONG_MAX - 9) / 10)
			return LLONG_MAX;	/* too big for anyone */
		n = n * 10 + (v[i] - '0');
	}
	return n;
}

/* xtext_ok - is v valid xtext of at most max decoded bytes? */
static int
xtext_ok(const char *v, size_t max)
{
	struct buf	 d = BUF_INIT;
	int		 ok = addr_xtext_decode(v, strlen(v), &d) == 0 &&
	    d.len > 0 && d.len <= max;

	buf_free(&d);
	return ok;
}

/* mail_params - RFC 5321 4.1.1.11 MAIL parameters; 0, or -1 with the
 * reply sent */
static int
mail_params(struct session *s, const struct addr_params *p,
    const char **ret, const char **envid, long long *size)
{
	for (size_t i = 0; i < p->n; i++) {
		const char	*k = p->v[i].key, *v = p->v[i].value;

		if (strcasecmp(k, "SIZE") == 0) {		/* RFC 1870 */
			long long	 n = v ? size_value(v) : -1;

			if (n < 0) {
				reply(s, "501 5.5.4 Bad message size syntax");
				return -1;
			}
			if (s->size_limit > 0 && n > s->size_limit) {
				reply(s, "552 5.3.4 Message size exceeds "
				    "fixed limit");
				return -1;
			}
			*size = n;
		} else if (strcasecmp(k, "BODY") == 0) {	/* RFC 6152 */
			if (v == NULL || (strcasecmp(v, "7BIT") != 0 &&
			    strcasecmp(v, "8BITMIME") != 0)) {
				reply(s, "501 5.5.4 Unsupported BODY "
				    "parameter value");
				return -1;
			}
		} else if (strcasecmp(k, "RET") == 0) {		/* RFC 3461 4.3 */
			if (v == NULL || (strcasecmp(v, "FULL") != 0 &&
			    strcasecmp(v, "HDRS") != 0)) {
				reply(s, "501 5.5.4 Bad RET parameter syntax");
				return -1;
			}
			*ret = strcasecmp(v, "FULL") == 0 ? "FULL" : "HDRS";
		} else if (strcasecmp(k, "ENVID") == 0) {	/* RFC 3461 4.4 */
			if (v == NULL || !xtext_ok(v, ENVID_MAX)) {
				reply(s, "501 5.5.4 Bad ENVID parameter "
				    "syntax");
				return -1;
			}
			*envid = v;
		} else if (strcasecmp(k, "SMTPUTF8") == 0) {	/* RFC 6531 3.4 */
			if (v != NULL) {
				reply(s, "501 5.5.4 Bad SMTPUTF8 parameter "
				    "syntax");
				return -1;
			}
		} else {
			reply(s, "555 5.5.4 Unsupported option: %s", k);
			return -1;
		}
	}
	return 0;
}

/*
 * queue_full - is there no room in the queue for a message of size bytes
 * (0: not declared)?  Then 452 4.3.1 before any data is sent (Postfix's
 * smtpd_check_queue and smtpd_check_size), logged once per interval.
 */
static int
queue_full(struct session *s, long long size)
{
	struct buf	 why = BUF_INIT;

	if (qspace_check(s->qdir, size, &why) != 1) {
		buf_free(&why);
		return 0;
	}
	qspace_warn(s->qdir, "NOQUEUE: reject: MAIL from %s: 452 %s",
	    client_id(s), buf_cstr(&why));
	reply(s, "452 4.3.1 Insufficient system storage");
	buf_free(&why);
	return 1;
}

/* cmd_mail - MAIL FROM (RFC 5321 4.1.1.2) */
static void
cmd_mail(struct session *s, const struct smtpd_cmd *c)
{
	struct addr_path	 path;
	struct addr_params	 params;
	const char		*ret = NULL, *envid = NULL;
	long long		 size = 0;

	if (s->helo_required && s->helo == NULL) {
		reply(s, "503 5.5.1 Error: send HELO/EHLO first");
		return;
	}
	if (s->in_mail) {
		reply(s, "503 5.5.1 Error: nested MAIL command");
		return;
	}
	if (!smtpd_limits_message_ok(&s->lim)) {
		/* Postfix's anvil(8) answer to smtpd_client_message_rate_limit */
		log_warnx("Message delivery request rate limit exceeded for "
		    "%s", client_id(s));
		reply(s, "450 4.7.1 Error: too much mail from %s", s->cl->addr);
		return;
	}
	addr_path_init(&path);
	memset(&params, 0, sizeof(params));

	/* The path with UTF-8 allowed, to find the parameters ... */
	if (addr_parse_path(c->arg, c->arg_len, ADDR_F_SMTPUTF8, &path) !=
	    ADDR_OK) {
		reply(s, "%d %s", path.code, path.text);
		goto out;
	}
	if (addr_parse_params(c->arg + path.params, c->arg_len - path.params,
	    &params) < 0) {
		reply(s, "501 5.5.4 Bad MAIL parameter syntax");
		goto out;
	}
	if (mail_params(s, &params, &ret, &envid, &size) < 0)
		goto out;
	if (queue_full(s, size))
		goto out;
	s->smtputf8 = addr_param_get(&params, "SMTPUTF8") != NULL;

	/* ... then, without SMTPUTF8, again without it (RFC 6531 3.7.4). */
	if (!s->smtputf8 && addr_parse_path(c->arg, c->arg_len, 0, &path) !=
	    ADDR_OK) {
		reply(s, "%d %s", path.code, path.text);
		goto out;
	}
	buf_set(&s->sender, path.mailbox.s, path.mailbox.len);
	if (!path.null)
		qualify(&s->sender);
	if (!queue_addr_ok(buf_cstr(&s->sender))) {
		reply(s, "501 5.1.7 Bad sender address syntax");
		goto out;
	}
	s->in_mail = 1;
	if (restricted(s, RESTRICT_MAIL, NULL)) {
		txn_reset(s);
		goto out;
	}

	/* The envelope records queue-inject reads on descriptor 3. */
	buf_printf(&s->env, "F%s%c", buf_cstr(&s->sender), 0);
	if (ret)
		buf_printf(&s->env, "R%s%c", ret, 0);
	if (envid)
		buf_printf(&s->env, "E%s%c", envid, 0);
	reply(s, "250 2.1.0 Ok");
out:
	if (!s->in_mail)
		s->smtputf8 = 0;
	addr_path_free(&path);
	addr_params_free(&params);
}

/* notify_value - RFC 3461 4.1 NOTIFY=NEVER or a list of SUCCESS,
 * FAILURE, DELAY; the QN_* bits, or -1 */
static int
notify_value(const char *v)
{
	int		 bits = 0;
	const char	*p = v;

	if (strcasecmp(v, "NEVER") == 0)
		return QN_NEVER;
	for (;;) {
		size_t	 n = strcspn(p, ",");

		if (n == 7 && strncasecmp(p, "SUCCESS", n) == 0)
			bits |= QN_SUCCESS;
		else if (n == 7 && strncasecmp(p, "FAILURE", n) == 0)
			bits |= QN_FAILURE;
		else if (n == 5 && strncasecmp(p, "DELAY", n) == 0)
			bits |= QN_DELAY;
		else
			return -1;
		if (p[n] == '\0')
			return bits;
		p += n + 1;
	}
}

/* orcpt_ok - RFC 3461 4.2 ORCPT=addr-type ";" xtext */
static int
orcpt_ok(const char *v)
{
	const char	*semi = strchr(v, ';');

	if (semi == NULL || semi == v || strlen(v) > ORCPT_MAX)
		return 0;
	for (const char *p = v; p < semi; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-'))
			return 0;
	return xtext_ok(semi + 1, ORCPT_MAX);
}

/* cmd_rcpt - RCPT TO (RFC 5321 4.1.1.3) */
static void
cmd_rcpt(struct session *s, const struct smtpd_cmd *c)
{
	struct addr_path	 path;
	struct addr_params	 params;
	struct buf		 rec = BUF_INIT, rcpt = BUF_INIT;
	const char		*orcpt = NULL, *v;
	int			 notify = 0;

	if (!s->in_mail) {
		reply(s, "503 5.5.1 Error: need MAIL command");
		return;
	}
	s->rcpt_seen = 1;
	if ((long long)s->nrcpt >= s->rcpt_limit) {
		/*
		 * RFC 5321 4.5.3.1.8: 452, and the client sends the rest
		 * later.  Postfix's smtpd_recipient_overshoot_limit: only
		 * past that many extra do they count as errors.
		 */
		if (++s->overshoot > s->overshoot_limit)
			reply(s, "452 4.5.3 Error: too many recipients");
		else
			reply_nocount(s, "452 4.5.3 Error: too many "
			    "recipients");
		return;
	}
	addr_path_init(&path);
	memset(&params, 0, sizeof(params));
	if (addr_parse_path(c->arg, c->arg_len, ADDR_F_RCPT |
	    (s->smtputf8 ? ADDR_F_SMTPUTF8 : 0), &path) != ADDR_OK) {
		reply(s, "%d %s", path.code, path.text);
		goto out;
	}
	if (path.null || !queue_addr_ok(buf_cstr(&path.mailbox))) {
		reply(s, "501 5.1.3 Bad recipient address syntax");
		goto out;
	}
	if (!addr_rcpt_ok(buf_cstr(&path.mailbox))) {
		reply(s, "550 5.1.3 Bad recipient address syntax: the local "
		    "part cannot be a mailbox name");
		goto out;
	}
	if (addr_parse_params(c->arg + path.params, c->arg_len - path.params,
	    &params) < 0) {
		reply(s, "501 5.5.4 Bad RCPT parameter syntax");
		goto out;
	}
	for (size_t i = 0; i < params.n; i++) {
		const char	*k = params.v[i].key;

		v = params.v[i].value;
		if (strcasecmp(k, "NOTIFY") == 0) {
			notify = v ? notify_value(v) : -1;
			if (notify < 0) {
				reply(s, "501 5.5.4 Bad NOTIFY parameter "
				    "syntax");
				goto out;
			}
		} else if (strcasecmp(k, "ORCPT") == 0) {
			if (v == NULL || !orcpt_ok(v)) {
				reply(s, "501 5.5.4 Bad ORCPT parameter "
				    "syntax");
				goto out;
			}
			orcpt = v;
		} else {
			reply(s, "555 5.5.4 Unsupported option: %s", k);
			goto out;
		}
	}
	buf_set(&rcpt, path.mailbox.s, path.mailbox.len);
	qualify(&rcpt);
	if (!queue_addr_ok(buf_cstr(&rcpt))) {
		reply(s, "501 5.1.3 Bad recipient address syntax");
		goto out;
	}
	if (s->first_rcpt.len == 0)
		buf_set(&s->first_rcpt, rcpt.s, rcpt.len);
	if (restricted(s, RESTRICT_RCPT, buf_cstr(&rcpt)))
		goto out;

	/* "Trcpt[TAB orcpt TAB notify]" for queue-inject. */
	buf_printf(&rec, "T%s", buf_cstr(&rcpt));
	if (orcpt || notify)
		buf_printf(&rec, "\t%s\t%d", orcpt ? orcpt : "", notify);
	buf_addc(&rec, '\0');
	if (s->env.len + rec.len + 1 > ENVELOPE_MAX) {
		reply_nocount(s, "452 4.5.3 Error: too many recipients");
		goto out;
	}
	buf_add(&s->env, rec.s, rec.len);
	s->nrcpt++;
	reply(s, "250 2.1.5 Ok");
out:
	buf_free(&rec);
	buf_free(&rcpt);
	addr_path_free(&path);
	addr_params_free(&params);
}

/*
 * DATA: the message streams through the header scanner and the checks
 * into queue-inject.
 */

/* inj_stuck - the injector missed its time limit: it is killed, so that
 * it cannot queue a message the client was told was not taken */
static void
inj_stuck(void)
{
	if (!inj.stuck && inj.p.pid > 0) {
		log_warnx("queue-inject gave no answer within %llds: killed",
		    inj.wait_ms / 1000);
		kill(inj.p.pid, SIGKILL);
	}
	inj.stuck = 1;
}

/* inj_write - write all of p to the injector within inj.wait_ms; 0, or
 * -1 when it is gone or stuck */
static int
inj_write(const void *p, size_t n)
{
	const char	*c = p;
	long long	 until = smtpd_now_us() + inj.wait_ms * 1000;

	while (n > 0) {
		struct pollfd	 pfd = {inj.in_fd, POLLOUT, 0};
		long long	 left = (until - smtpd_now_us()) / 1000;
		ssize_t		 w;

		if (inj.stuck)
			return -1;
		if (left <= 0 || poll(&pfd, 1, left > INT_MAX ? INT_MAX :
		    (int)left) == 0) {
			inj_stuck();
			return -1;
		}
		w = write(inj.in_fd, c, n);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* sink_flush - hand what is gathered to queue-inject, as a D frame */
static void
sink_flush(struct sink *k)
{
	char	 frame[32];
	int	 n;

	if (k->w.len > 0 && k->running && !k->gone) {
		n = snprintf(frame, sizeof(frame), "D%zu\n", k->w.len);
		if (inj_write(frame, (size_t)n) < 0 ||
		    inj_write(k->w.s, k->w.len) < 0)
			k->gone = 1;	/* it went away: a 451 later */
	}
	buf_reset(&k->w);
}

/* sink_put - message bytes for queue-inject */
static void
sink_put(struct sink *k, const char *p, size_t n)
{
	buf_add(&k->w, p, n);
	if (k->w.len >= INJECT_CHUNK)
		sink_flush(k);
}

/* sink_close - give the message up: queue-inject queues nothing
 * ("A"); its answer is read by inject_wait() */
static void
sink_close(struct sink *k)
{
	if (k->running && !k->gone && !k->closed &&
	    inj_write("A\n", 2) < 0)
		k->gone = 1;
	k->closed = 1;
}

/* sink_verdict - a check or a limit decided the message's fate */
static void
sink_verdict(struct sink *k, enum verdict v, const struct buf *text)
{
	if (k->verdict != V_OK)
		return;
	k->verdict = v;
	if (text)
		buf_set(&k->why, text->s, text->len);
	buf_reset(&k->w);
	sink_close(k);
}

/* check_action - act on a header_checks/body_checks answer; 1 when the
 * header is to be dropped (IGNORE) */
static int
check_action(struct session *s, struct sink *k, enum check_action a,
    struct buf *text, const char *what, const char *line, size_t n)
{
	const char	*name[] = {"none", "reject", "defer", "discard",
	    "hold", "warning", "ignore", "error"};
	int		 shown = n > 200 ? 200 : (int)n;

	if (a == CHECK_NONE)
		return 0;
	if ((size_t)a < sizeof(name) / sizeof(name[0]) && a != CHECK_IGNORE)
		log_info("NOQUEUE: %s: %s %.*s from %s; from=<%s> proto=%s "
		    "helo=<%s>%s%s", name[a], what, shown, line, client_id(s),
		    buf_cstr(&s->sender), proto(s), s->helo ? s->helo : "",
		    text->len ? ": " : "", buf_cstr(text));
	switch (a) {
	case CHECK_REJECT:
		sink_verdict(k, V_REJECT, text);
		break;
	case CHECK_DEFER:
		sink_verdict(k, V_DEFER, text);
		break;
	case CHECK_DISCARD:
		sink_verdict(k, V_DISCARD, text);
		break;
	case CHECK_ERROR:
		sink_verdict(k, V_ERROR, text);
		break;
	case CHECK_HOLD:
		k->hold = 1;
		break;
	case CHECK_IGNORE:
		return 1;
	default:
		break;
	}
	return 0;
}

/* body_line - one body line (or a BODY_LINE_MAX piece) for body_checks */
static void
body_line(struct session *s, struct sink *k, const char *p, size_t n)
{
	struct buf	 text = BUF_INIT;

	check_action(s, k, checks_body(s->ck, p, n, &text), &text, "body",
	    p, n);
	buf_free(&text);
}

/* body_bytes - body text: straight on, and line by line to body_checks
 * when there are any */
static void
body_bytes(struct session *s, struct sink *k, const char *p, size_t n)
{
	sink_put(k, p, n);
	if (s->ck == NULL || !checks_active(s->ck))
		return;
	while (n > 0 && k->verdict == V_OK) {
		const char	*nl = memchr(p, '\n', n);
		size_t		 take = nl ? (size_t)(nl - p) : n;

		while (k->bline.len + take > BODY_LINE_MAX) {
			size_t	 part = BODY_LINE_MAX - k->bline.len;

			buf_add(&k->bline, p, part);
			body_line(s, k, k->bline.s, k->bline.len);
			buf_reset(&k->bline);
			p += part;
			n -= part;
			take -= part;
		}
		buf_add(&k->bline, p, take);
		if (nl == NULL)
			break;
		body_line(s, k, k->bline.s, k->bline.len);
		buf_reset(&k->bline);
		p += take + 1;
		n -= take + 1;
	}
}

/* head_events - drain the header scanner: each header through
 * header_checks, then on to queue-inject */
static void
head_events(struct session *s, struct sink *k)
{
	struct hdr_field	 f;
	enum hdr_event		 ev;
	int			 active = s->ck != NULL && checks_active(s->ck);

	while ((ev = hdr_scan_next(&k->scan, &f)) != HDR_MORE) {
		switch (ev) {
		case HDR_FIELD:
			if (active && k->verdict == V_OK) {
				struct buf	 text = BUF_INIT;
				int		 drop;

				drop = check_action(s, k, checks_header(s->ck,
				    f.raw, f.raw_len, &text), &text,
				    "header", f.raw, f.raw_len);
				buf_free(&text);
				if (drop)
					break;
			}
			sink_put(k, f.raw, f.raw_len);
			sink_put(k, "\n", 1);
			break;
		case HDR_END:
			sink_put(k, "\n", 1);
			k->in_head = 0;
			break;
		case HDR_BODY:
			/* Keep the split that every later reader sees. */
			sink_put(k, "\n", 1);
			k->in_head = 0;
			body_bytes(s, k, f.raw, f.raw_len);
			body_bytes(s, k, "\n", 1);
			break;
		default:
			break;
		}
	}
}

/* sink_feed - decoded message bytes (LF line ends) */
static void
sink_feed(struct session *s, struct sink *k, const char *p, size_t n)
{
	while (n > 0 && k->verdict == V_OK) {
		const char	*nl;
		size_t		 take;

		if (!k->in_head) {
			body_bytes(s, k, p, n);
			return;
		}
		nl = memchr(p, '\n', n);
		take = nl ? (size_t)(nl - p) + 1 : n;
		if (!k->hskip) {
			size_t	 room = HEAD_LINE_MAX - k->hline.len;

			/* header_size_limit: the excess is dropped. */
			buf_add(&k->hline, p, take < room ? take : room);
			if (take > room)
				k->hskip = 1;
		}
		p += take;
		n -= take;
		if (nl == NULL)
			continue;
		if (k->hskip)
			buf_addc(&k->hline, '\n');
		k->hskip = 0;
		hdr_scan_push(&k->scan, k->hline.s, k->hline.len);
		buf_reset(&k->hline);
		head_events(s, k);
	}
}

/* sink_end - the message is complete: the rest of the headers, if the
 * message ended inside them */
static void
sink_end(struct session *s, struct sink *k)
{
	if (k->verdict != V_OK)
		return;
	if (k->in_head) {
		if (k->hline.len > 0) {
			hdr_scan_push(&k->scan, k->hline.s, k->hline.len);
			head_events(s, k);
		}
		hdr_scan_eof(&k->scan);
		head_events(s, k);
	}
	if (k->bline.len > 0 && k->verdict == V_OK)
		body_line(s, k, k->bline.s, k->bline.len);
	if (k->verdict == V_OK)
		sink_flush(k);
}

/* injector_stop - let the injector go: closing its input ends it */
static void
injector_stop(void)
{
	int	 ws;

	if (inj.in_fd < 0)
		return;
	close(inj.in_fd);
	close(inj.p.out_fd);
	while (waitpid(inj.p.pid, &ws, 0) < 0 && errno == EINTR)
		;
	inj.in_fd = inj.p.out_fd = -1;
	inj.stuck = 0;
	buf_reset(&inj.out);
}

/* injector_start - run queue-inject -s unless it runs; 0 or -1 */
static int
injector_start(void)
{
	struct buf	 path = BUF_INIT;
	char		*argv[6];
	int		 n = 0, r;

	if (inj.in_fd >= 0)
		return 0;
	proc_bin(&path, "queue-inject");
	argv[n++] = path.s;
	argv[n++] = "-c";
	argv[n++] = (char *)cfg_dir();
	argv[n++] = "-s";
	argv[n] = NULL;
	r = proc_spawn_fed(&inj.p, argv, &inj.in_fd);
	buf_free(&path);
	/* Writes wait in inj_write(), within a time limit. */
	if (r == 0)
		fcntl(inj.in_fd, F_SETFL, O_NONBLOCK);
	return r;
}

/*
 * inject_start - hand a new message to the injector with the Received:
 * details (hold flag, protocol, "from" clause); 0, or -1 with errno
 */
static int
inject_start(struct session *s, struct sink *k)
{
	struct buf	 m = BUF_INIT;
	const char	*a = s->cl->addr;
	int		 r = -1;

	/* RFC 5321 4.4: from HELO (NAME [ADDR]); IPv6 as an address
	 * literal (RFC 5321 4.1.3). */
	buf_printf(&m, "M %d %s from %s (%s [%s%s])", s->hold, proto(s),
	    s->helo ? s->helo : s->cl->name, s->cl->name,
	    strchr(a, ':') ? "IPv6:" : "", a);
	for (size_t i = 0; i < m.len; i++)
		if (m.s[i] == '\n' || m.s[i] == '\r' || m.s[i] == '\0')
			m.s[i] = ' ';
	buf_addc(&m, '\n');
	/* The injector gets as long as a client would. */
	inj.wait_ms = s->lim.timeout_ms;
	/* An injector that died since the last message gets one
	 * successor; one that dies at once means a broken set-up. */
	for (int tries = 0; tries < 2 && r < 0; tries++) {
		if (tries > 0)
			injector_stop();
		if (injector_start() < 0)
			break;
		r = inj_write(m.s, m.len);
	}
	buf_free(&m);
	if (r < 0)
		return -1;
	k->running = 1;
	return 0;
}

/* inject_line - the injector's next answer line into line; 0, or -1
 * when it is gone (its other output is logged) */
static int
inject_line(struct buf *line)
{
	char		 chunk[256];
	char		*nl;
	long long	 until = smtpd_now_us() + inj.wait_ms * 1000;

	for (;;) {
		nl = inj.out.len ? memchr(inj.out.s, '\n', inj.out.len) : NULL;
		if (nl != NULL) {
			size_t	 n = (size_t)(nl - inj.out.s);

			buf_set(line, inj.out.s, n);
			memmove(inj.out.s, nl + 1, inj.out.len - n - 1);
			buf_truncate(&inj.out, inj.out.len - n - 1);
			if (line->len > 1 && line->s[0] >= '0' &&
			    line->s[0] <= '9')
				return 0;
			log_warnx("queue-inject: %s", buf_cstr(line));
			continue;
		}
		{
			struct pollfd	 pfd = {inj.p.out_fd, POLLIN, 0};
			long long	 left = (until - smtpd_now_us()) / 1000;
			ssize_t		 n;
			int		 r;

			if (inj.stuck)
				return -1;
			r = left <= 0 ? 0 : poll(&pfd, 1, left > INT_MAX ?
			    INT_MAX : (int)left);
			if (r == 0) {
				inj_stuck();
				return -1;
			}
			if (r < 0 && errno != EINTR)
				return -1;
			n = read(inj.p.out_fd, chunk, sizeof(chunk));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0 || inj.out.len > INJECT_REPLY_MAX)
				return -1;
			buf_add(&inj.out, chunk, (size_t)n);
		}
	}
}

/* inject_wait - the injector's answer to the message: a sysexits
 * status, the queue id on success, a reason "X.Y.Z text" otherwise */
static int
inject_wait(struct sink *k, struct buf *qid, struct buf *reason)
{
	struct buf	 line = BUF_INIT, text = BUF_INIT;
	char		*sp;
	int		 status = EX_TEMPFAIL;

	k->running = 0;
	if (k->gone || inject_line(&line) < 0) {
		buf_sets(reason, inj.stuck ? "4.3.0 queue-inject did not "
		    "answer in time" : "4.3.0 queue-inject ended unexpectedly");
		injector_stop();
		goto out;
	}
	buf_cstr(&line);
	status = (int)strtol(line.s, &sp, 10);
	if (*sp == ' ')
		sp++;
	buf_sets(&text, sp);
	if (status == EX_OK) {
		buf_set(qid, text.s, text.len);
		buf_trim(qid);
	} else
		status = proc_verdict(&text, status, reason);
out:
	buf_free(&line);
	buf_free(&text);
	return status;
}

/* inject_commit - the message is whole: the envelope, then queue-inject's
 * verdict */
static int
inject_commit(struct session *s, struct sink *k, struct buf *qid,
    struct buf *reason)
{
	sink_flush(k);
	buf_addc(&s->env, '\0');	/* the closing empty record */
	if (!k->gone && (inj_write("E\n", 2) < 0 ||
	    inj_write(s->env.s, s->env.len) < 0))
		k->gone = 1;
	return inject_wait(k, qid, reason);
}

/* data_reply - the answer to the end of DATA from queue-inject's status
 * (RFC 5321 4.2.5: 250 only once the message is safe) */
static void
data_reply(struct session *s, int status, struct buf *qid,
    struct buf *reason)
{
	const char	*r = buf_cstr(reason);
	int		 n = (int)(reason->len > REASON_MAX ? REASON_MAX :
	    reason->len);

	if (status == EX_OK) {
		log_info("%s: client=%s%s", buf_cstr(qid), client_id(s),
		    s->hold ? ", hold" : "");
		reply(s, "250 2.0.0 Ok: queued as %s", buf_cstr(qid));
		return;
	}
	if (strncmp(r, "4.3.1", 5) == 0)
		qspace_warn(s->qdir, "NOQUEUE: queue-inject failed after "
		    "DATA from %s: %s", client_id(s), r);
	else
		log_warnx("NOQUEUE: queue-inject failed after DATA from %s: "
		    "%s", client_id(s), r);
	if (status == EX_DATAERR && r[0] == '5') {
		/* The message's own fault: permanent. */
		reply(s, "%s %.*s", strncmp(r, "5.3.4", 5) == 0 ? "552" :
		    "554", n, r);
		return;
	}
	/* Anything else is ours: the client tries again later. */
	if (strncmp(r, "4.3.1", 5) == 0)	/* RFC 5321 4.2.2, 4.3.2 */
		reply(s, "452 %.*s", n, r);
	else if (reason->len > 6 && r[1] == '.' && r[0] >= '4')
		reply(s, "451 4%.*s", n - 1, r + 1);
	else
		reply(s, "451 4.3.0 Error: queue file write error");
}

/* check_reply - the answer when a check or a limit stopped the message */
static void
check_reply(struct session *s, struct sink *k)
{
	const char	*t = buf_cstr(&k->why);
	int		 coded = k->why.len > 5 && t[1] == '.' &&
	    (t[0] == '4' || t[0] == '5');

	switch (k->verdict) {
	case V_TOOBIG:
		log_info("NOQUEUE: reject: DATA from %s: 552 5.3.4 message "
		    "file too big", client_id(s));
		reply(s, "552 5.3.4 Error: message file too big");
		break;
	case V_REJECT:
		if (coded && t[0] == '5')
			reply(s, "550 %s", t);
		else
			reply(s, "550 5.7.1 %s", k->why.len && !coded ? t :
			    "message content rejected");
		break;
	case V_DEFER:
		if (coded && t[0] == '4')
			reply(s, "451 %s", t);
		else
			reply(s, "451 4.7.1 %s", k->why.len && !coded ? t :
			    "Error: message content deferred");
		break;
	case V_ERROR:
		reply(s, "451 4.3.0 Error: temporary lookup failure");
		break;
	case V_DISCARD:
		/* Postfix answers as if queued; we do not hide it less. */
		log_info("NOQUEUE: discard: DATA from %s: %s", client_id(s),
		    k->why.len ? t : "message discarded");
		reply(s, "250 2.0.0 Ok");
		break;
	default:
		break;
	}
}

/*
 * data_receive - read the message until the end-of-data line, feeding
 * the sink; 0 at the end, IO_TIMEOUT, IO_EOF or IO_ERR when the client
 * failed us
 */
static int
data_receive(struct session *s, struct sink *k)
{
	struct smtpd_data	 d;
	struct buf		 out = BUF_INIT;
	int			 r = 0;

	smtpd_data_init(&d);
	smtpd_limits_request(&s->lim, 1);
	while (!d.done) {
		size_t	 used;

		if (io_buffered(&s->in) == 0) {
			char	 none;
			ssize_t	 got = io_read(&s->in, &none, 0);

			if (io_buffered(&s->in) == 0) {
				r = got < 0 ? (s->in.err == ETIMEDOUT ?
				    IO_TIMEOUT : IO_ERR) : IO_EOF;
				break;
			}
		}
		/* Decode straight from the stream's buffer (io.h). */
		used = smtpd_data_push(&d, s->in.in + s->in.in_start,
		    io_buffered(&s->in), &out);
		s->in.in_start += used;
		if (s->size_limit > 0 && d.bytes > (unsigned long long)
		    s->size_limit)
			sink_verdict(k, V_TOOBIG, NULL);
		if (k->verdict == V_OK)
			sink_feed(s, k, out.s, out.len);
		buf_reset(&out);
	}
	smtpd_limits_request(&s->lim, 0);
	buf_free(&out);
	return r;
}

/* sink_init - an empty sink */
static void
sink_init(struct sink *k)
{
	memset(k, 0, sizeof(*k));
	k->in_head = 1;
	hdr_scan_init(&k->scan);
}

/* sink_free - release the sink's memory */
static void
sink_free(struct sink *k)
{
	hdr_scan_free(&k->scan);
	buf_free(&k->hline);
	buf_free(&k->bline);
	buf_free(&k->w);
	buf_free(&k->why);
}

/* cmd_data - DATA (RFC 5321 4.1.1.4); 0, or -1 when the session ends */
static int
cmd_data(struct session *s, const struct smtpd_cmd *c)
{
	struct sink	 k;
	struct buf	 qid = BUF_INIT, reason = BUF_INIT;
	int		 r, status, end = 0;

	if (c->arg_len > 0) {
		reply(s, "501 5.5.4 Syntax: DATA");
		return 0;
	}
	if (!s->in_mail) {
		reply(s, "503 5.5.1 Error: need MAIL command");
		return 0;
	}
	if (s->nrcpt == 0) {
		/* RFC 2920 3.1: after pipelined RCPTs that all failed. */
		if (s->rcpt_seen)
			reply(s, "554 5.5.1 Error: no valid recipients");
		else
			reply(s, "503 5.5.1 Error: need RCPT command");
		return 0;
	}
	if (restricted(s, RESTRICT_DATA, NULL))
		return 0;

	sink_init(&k);
	checks_reset(s->ck);
	if (!s->discard && inject_start(s, &k) < 0) {
		log_warn("NOQUEUE: %s: cannot run queue-inject", client_id(s));
		reply(s, "451 4.3.0 Error: queue file write error");
		sink_free(&k);
		txn_reset(s);
		return 0;
	}
	if (s->discard)
		sink_verdict(&k, V_DISCARD, NULL);

	/* RFC 2920 3.1: the 354 is sent at once. */
	reply(s, "354 End data with <CR><LF>.<CR><LF>");
	if (io_flush(&s->out) < 0) {
		r = IO_ERR;
		goto lost;
	}
	r = data_receive(s, &k);
	if (r != 0)
		goto lost;
	sink_end(s, &k);
	if (k.verdict != V_OK) {
		if (k.running)
			inject_wait(&k, &qid, &reason);
		check_reply(s, &k);
	} else {
		if (k.hold && !s->hold) {
			/* A HOLD from the content: the "H" record. */
			buf_printf(&s->env, "H%c", 0);
			s->hold = 1;
		}
		status = inject_commit(s, &k, &qid, &reason);
		data_reply(s, status, &qid, &reason);
	}
	goto done;

lost:
	/* The client went away mid-message: queue nothing. */
	sink_close(&k);
	if (k.running)
		inject_wait(&k, &qid, &reason);
	if (r == IO_TIMEOUT) {
		log_info("timeout after DATA from %s", client_id(s));
		reply(s, "421 4.4.2 %s Error: timeout exceeded", s->host);
	} else
		log_info("lost connection after DATA from %s", client_id(s));
	end = -1;
done:
	sink_free(&k);
	buf_free(&qid);
	buf_free(&reason);
	txn_reset(s);
	return end;
}

/* cmd_vrfy - VRFY (RFC 5321 3.5.3, 4.1.1.6) */
static void
cmd_vrfy(struct session *s, const struct smtpd_cmd *c)
{
	if (s->vrfy_disabled) {
		reply(s, "502 5.5.1 VRFY command is disabled");
		return;
	}
	if (c->arg_len == 0) {
		reply(s, "501 5.5.4 Syntax: VRFY address");
		return;
	}
	reply(s, "252 2.0.0 Cannot VRFY user, but will accept message and "
	    "attempt delivery");
}

/* etrn_domain_ok - a host name (RFC 1035 2.3.4: labels of letters,
 * digits and '-', at most 63 each, 255 in all) or an address literal
 * [ADDR], as Postfix takes for ETRN */
static int
etrn_domain_ok(const char *d, size_t n)
{
	size_t	 label = 0;

	if (n == 0 || n > HELO_MAX)
		return 0;
	if (d[0] == '[') {
		for (size_t i = 1; i + 1 < n; i++)
			if (!((d[i] >= '0' && d[i] <= '9') ||
			    (d[i] >= 'a' && d[i] <= 'f') ||
			    (d[i] >= 'A' && d[i] <= 'F') || d[i] == '.' ||
			    d[i] == ':'))
				return 0;
		return n > 2 && d[n - 1] == ']';
	}
	for (size_t i = 0; i < n; i++) {
		char	 c = d[i];

		if (c == '.') {
			if (label == 0 || d[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c == '-' && label > 0)) ||
		    ++label > 63)
			return 0;
	}
	return label > 0 && d[n - 1] != '-';
}

/*
 * cmd_etrn - ETRN (RFC 1985): ask queue-run, through its trigger, to
 * try now the mail queued for one destination.  smtpd_etrn_restrictions
 * decide who may; queue-run heeds one request per destination a minute
 * (qmgr.c), and a session gets at most ETRN_SESSION_MAX.
 */
static void
cmd_etrn(struct session *s, const struct smtpd_cmd *c)
{
	struct buf	 dom = BUF_INIT, trig = BUF_INIT;
	const char	*a = c->arg;
	size_t		 n = c->arg_len;

	if (s->helo_required && s->helo == NULL) {
		reply(s, "503 5.5.1 Error: send HELO/EHLO first");
		return;
	}
	if (s->in_mail) {
		reply(s, "503 5.5.1 Error: MAIL transaction in progress");
		return;
	}
	if (n == 0) {
		reply(s, "501 5.5.4 Syntax: ETRN domain");
		return;
	}
	/* RFC 1985 5.3: "@domain" and "#queue" are taken as the name. */
	if (a[0] == '@' || a[0] == '#') {
		a++;
		n--;
	}
	if (!etrn_domain_ok(a, n)) {
		reply(s, "501 5.5.4 Error: invalid parameter syntax");
		return;
	}
	for (size_t i = 0; i < n; i++)
		buf_addc(&dom, a[i] >= 'A' && a[i] <= 'Z' ? a[i] | 0x20 :
		    a[i]);
	if (restricted(s, RESTRICT_ETRN, buf_cstr(&dom)))
		goto out;
	if (s->netrn >= ETRN_SESSION_MAX) {
		reply(s, "458 4.7.1 Error: too many ETRN requests");
		goto out;
	}
	/* "@domain" on the FIFO: that destination only. */
	buf_printf(&trig, "@%s", buf_cstr(&dom));
	if (queue_trigger(s->qdir, buf_cstr(&trig)) < 0) {
		reply(s, "458 4.3.0 Unable to queue messages");
		goto out;
	}
	s->netrn++;
	log_info("ETRN %s from %s", buf_cstr(&dom), client_id(s));
	reply(s, "250 2.0.0 Queuing started");
out:
	buf_free(&dom);
	buf_free(&trig);
}

/* cmd_help - HELP (RFC 5321 4.1.1.8) */
static void
cmd_help(struct session *s)
{
	reply(s, "214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET NOOP "
	    "QUIT HELP%s ETRN", s->vrfy_disabled ? "" : " VRFY");
}

/* command - one command line; 0 to go on, -1 to end the session */
static int
command(struct session *s)
{
	struct smtpd_cmd	 c;
	enum smtpd_parse_result	 pr;

	pr = smtpd_parse(s->line.s, s->line.len, &c);
	s->counts[c.verb]++;
	s->ncommands++;
	s->last = c.verb == SMTPD_V_UNKNOWN || c.verb == SMTPD_V_EMPTY ?
	    "UNKNOWN" : c.name;
	switch (pr) {
	case SMTPD_P_NUL:
		reply(s, "500 5.5.2 Error: NUL character in command");
		return 0;
	case SMTPD_P_TOOLONG:
		reply(s, "500 5.5.6 Error: command line too long");
		return 0;
	case SMTPD_P_SYNTAX:
		reply(s, "501 5.5.4 Syntax: %s", c.verb == SMTPD_V_MAIL ?
		    "MAIL FROM:<address>" : "RCPT TO:<address>");
		return 0;
	default:
		break;
	}
	if (s->refused && c.verb != SMTPD_V_QUIT) {
		/* RFC 5321 3.1: after a 554 greeting, only QUIT. */
		reply(s, "503 5.5.1 Error: no commands accepted, send QUIT");
		return 0;
	}
	switch (c.verb) {
	case SMTPD_V_HELO:
	case SMTPD_V_EHLO:
		cmd_helo(s, &c);
		break;
	case SMTPD_V_MAIL:
		cmd_mail(s, &c);
		break;
	case SMTPD_V_RCPT:
		cmd_rcpt(s, &c);
		break;
	case SMTPD_V_DATA:
		return cmd_data(s, &c);
	case SMTPD_V_RSET:
		if (c.arg_len > 0) {
			reply(s, "501 5.5.4 Syntax: RSET");
			break;
		}
		txn_reset(s);
		reply(s, "250 2.0.0 Ok");
		break;
	case SMTPD_V_NOOP:
		reply(s, "250 2.0.0 Ok");
		break;
	case SMTPD_V_QUIT:
		reply(s, "221 2.0.0 Bye");
		return -1;
	case SMTPD_V_HELP:
		cmd_help(s);
		break;
	case SMTPD_V_VRFY:
		cmd_vrfy(s, &c);
		break;
	case SMTPD_V_ETRN:
		cmd_etrn(s, &c);
		break;
	case SMTPD_V_EXPN:
	case SMTPD_V_BDAT:
	case SMTPD_V_STARTTLS:
	case SMTPD_V_AUTH:
		/* Not offered in EHLO (hook for STARTTLS and AUTH). */
		reply(s, "502 5.5.1 Error: command not implemented");
		break;
	case SMTPD_V_EMPTY:
		reply(s, "500 5.5.2 Error: bad syntax");
		break;
	default:
		reply(s, "502 5.5.2 Error: command not recognized");
		break;
	}
	return 0;
}

/* log_disconnect - Postfix 3's summary: commands by name */
static void
log_disconnect(struct session *s)
{
	struct buf	 b = BUF_INIT;

	buf_printf(&b, "disconnect from %s", client_id(s));
	for (int v = SMTPD_V_HELO; v < SMTPD_V_UNKNOWN; v++)
		if (s->counts[v] > 0) {
			const char	*n = smtpd_verb_name(v);

			buf_addc(&b, ' ');
			for (; *n; n++)
				buf_addc(&b, *n | 0x20);	/* lower case */
			buf_printf(&b, "=%u", s->counts[v]);
		}
	if (s->counts[SMTPD_V_UNKNOWN] + s->counts[SMTPD_V_EMPTY] > 0)
		buf_printf(&b, " unknown=%u", s->counts[SMTPD_V_UNKNOWN] +
		    s->counts[SMTPD_V_EMPTY]);
	buf_printf(&b, " commands=%u", s->ncommands);
	log_info("%s", buf_cstr(&b));
	buf_free(&b);
}

/* session_loop - read commands until the session ends (RFC 2920 3.2:
 * replies are flushed only when no more input is buffered) */
static void
session_loop(struct session *s)
{
	for (;;) {
		enum io_result	 r;

		if (s->errors >= s->lim.hard_limit) {
			log_info("too many errors after %s from %s",
			    s->last ? s->last : "CONNECT", client_id(s));
			reply(s, "421 4.7.0 %s Error: too many errors",
			    s->host);
			return;
		}
		if (io_buffered(&s->in) == 0 && io_flush(&s->out) < 0) {
			log_info("lost connection after %s from %s",
			    s->last ? s->last : "CONNECT", client_id(s));
			return;
		}
		smtpd_limits_request(&s->lim, 0);
		r = io_getline(&s->in, &s->line, SMTPD_LINE_MAX);
		switch (r) {
		case IO_OK:
			if (command(s) < 0)
				return;
			break;
		case IO_TOOLONG:
			s->ncommands++;
			reply(s, "500 5.5.6 Error: command line too long");
			break;
		case IO_TIMEOUT:
			log_info("timeout after %s from %s", s->last ?
			    s->last : "CONNECT", client_id(s));
			reply(s, "421 4.4.2 %s Error: timeout exceeded",
			    s->host);
			return;
		default:
			log_info("lost connection after %s from %s",
			    s->last ? s->last : "CONNECT", client_id(s));
			return;
		}
	}
}

/* session_open - the tables the restrictions and checks need; 0, or -1
 * with the reason in err */
static int
session_open(struct session *s, struct buf *err)
{
	s->rc = restrict_open(err);
	if (s->rc == NULL)
		return -1;
	s->ck = checks_open(err);
	if (s->ck == NULL)
		return -1;
	return 0;
}

/* smtpd_config_check - open every table once, then close it */
int
smtpd_config_check(struct buf *err)
{
	struct restrict_ctx	*rc = restrict_open(err);
	struct checks		*ck;

	if (rc == NULL)
		return -1;
	restrict_close(rc);
	ck = checks_open(err);
	if (ck == NULL)
		return -1;
	checks_close(ck);
	return 0;
}

/* smtpd_session - one SMTP session (see smtpd.h) */
int
smtpd_session(const struct smtpd_opts *o)
{
	struct session		 s;
	struct buf		 err = BUF_INIT;
	struct sigaction	 ign;
	struct io_transport	 tr;
	int			 status = EX_OK;

	memset(&s, 0, sizeof(s));
	s.o = o;
	s.cl = o->client;
	s.host = cfg_get("myhostname");
	io_init(&s.in, o->fd_in);
	io_init(&s.out, o->fd_out);
	/* Reads wait in smtpd_limits_read(), within the time limits. */
	smtpd_limits_init(&s.lim, o->fd_in, &s.out, o->ctl, o->stress,
	    s.cl->addr);
	memset(&tr, 0, sizeof(tr));
	tr.read = smtpd_limits_read;
	tr.write = smtpd_limits_write;
	tr.ctx = &s.lim;
	io_set_transport(&s.in, &tr);
	io_set_timeout(&s.in, 0);
	s.size_limit = cfg_get_size("message_size_limit");
	s.rcpt_limit = cfg_get_int("smtpd_recipient_limit");
	s.overshoot_limit = cfg_get_int("smtpd_recipient_overshoot_limit");
	s.soft_limit = cfg_get_int("smtpd_soft_error_limit");
	s.error_sleep = cfg_get_time("smtpd_error_sleep_time");
	s.helo_required = cfg_get_bool("smtpd_helo_required");
	s.vrfy_disabled = cfg_get_bool("disable_vrfy_command");
	s.qdir = cfg_path(cfg_get("queue_directory"));

	/* A write to a queue-inject that gave up must not kill us. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, NULL);

	log_info("connect from %s", client_id(&s));
	if (geteuid() == 0 || getuid() == 0) {
		/* Never a session as root (smtp-listen(8) drops it). */
		log_warnx("refusing to serve %s as root", client_id(&s));
		reply(&s, "421 4.3.0 %s Server configuration error", s.host);
		status = EX_SOFTWARE;
	} else if (session_open(&s, &err) < 0) {
		log_warnx("%s", buf_cstr(&err));
		reply(&s, "421 4.3.5 %s Server configuration error", s.host);
		status = EX_CONFIG;
	} else if (!restricted(&s, RESTRICT_CONNECT, NULL) || s.refused) {
		/* RFC 5321 4.3.1: the greeting. */
		if (!s.refused)
			reply(&s, "220 %s", cfg_get("smtpd_banner"));
		s.errors = 0;	/* the refusal itself is no client error */
		session_loop(&s);
	}
	io_flush(&s.out);
	log_disconnect(&s);

	/* Clean up. */
	if (s.ck)
		checks_close(s.ck);
	if (s.rc)
		restrict_close(s.rc);
	io_free(&s.in);
	io_free(&s.out);
	buf_free(&s.line);
	buf_free(&s.sender);
	buf_free(&s.env);
	buf_free(&s.first_rcpt);
	buf_free(&err);
	free(s.helo);
	free(s.qdir);
	return status;
}

/*
 * Who the client is.
 */

/* copy_addr - a numeric address as text; a v4-mapped v6 address as v4 */
static void
copy_addr(char *dst, size_t size, const char *src)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;

	if (strncasecmp(src, "::ffff:", 7) == 0 &&
	    inet_pton(AF_INET, src + 7, &a4) == 1)
		src += 7;
	if (inet_pton(AF_INET, src, &a4) != 1 &&
	    inet_pton(AF_INET6, src, &a6) != 1)
		src = "unknown";
	snprintf(dst, size, "%s", src);
}

/* sa_text - a socket address as numeric text; 0, or -1 */
static int
sa_text(const struct sockaddr *sa, socklen_t len, char *dst, size_t size)
{
	char	 tmp[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    tmp, sizeof(tmp));
	else if (sa->sa_family == AF_INET6 &&
	    len >= sizeof(struct sockaddr_in6))
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)sa)->sin6_addr, tmp,
		    sizeof(tmp));
	else
		return -1;
	copy_addr(dst, size, tmp);
	return 0;
}

/* smtpd_client_from_addr - identity from accepted socket addresses */
void
smtpd_client_from_addr(const struct sockaddr *peer, socklen_t plen,
    const struct sockaddr *local, socklen_t llen, struct smtpd_client *cl)
{
	memset(cl, 0, sizeof(*cl));
	snprintf(cl->name, sizeof(cl->name), "unknown");
	if (peer == NULL || sa_text(peer, plen, cl->addr,
	    sizeof(cl->addr)) < 0)
		snprintf(cl->addr, sizeof(cl->addr), "unknown");
	if (local != NULL)
		sa_text(local, llen, cl->local, sizeof(cl->local));
}

/* name_ok - could this be a host name (letters, digits, '-', '.')? */
static int
name_ok(const char *n)
{
	size_t	 len = strlen(n);

	if (len == 0 || len >= SMTPD_NAME_MAX)
		return 0;
	for (; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') ||
		    (*n >= '0' && *n <= '9') || *n == '-' || *n == '.' ||
		    *n == '_'))
			return 0;
	return 1;
}

/* smtpd_client_from_env - identity under tcpserver/inetd (smtpd.h) */
void
smtpd_client_from_env(int fd, struct smtpd_client *cl)
{
	struct sockaddr_storage	 peer, local;
	socklen_t		 plen = sizeof(peer), llen = sizeof(local);
	const char		*ip = getenv("TCPREMOTEIP");
	const char		*host = getenv("TCPREMOTEHOST");
	const char		*lip = getenv("TCPLOCALIP");

	memset(cl, 0, sizeof(*cl));
	if (ip != NULL && *ip != '\0') {
		copy_addr(cl->addr, sizeof(cl->addr), ip);
		snprintf(cl->name, sizeof(cl->name), "%s",
		    host && name_ok(host) ? host : "unknown");
		if (lip != NULL && *lip != '\0')
			copy_addr(cl->local, sizeof(cl->local), lip);
		return;
	}
	if (getpeername(fd, (struct sockaddr *)&peer, &plen) == 0 &&
	    (peer.ss_family == AF_INET || peer.ss_family == AF_INET6)) {
		int	 have_local = getsockname(fd,
		    (struct sockaddr *)&local, &llen) == 0;

		smtpd_client_from_addr((struct sockaddr *)&peer, plen,
		    have_local ? (struct sockaddr *)&local : NULL, llen, cl);
		return;
	}
	/* A pipe or a local socket: a local user, as with sendmail -bs. */
	snprintf(cl->addr, sizeof(cl->addr), "127.0.0.1");
	snprintf(cl->name, sizeof(cl->name), "localhost");
}

/* give_maillog - maillog_file, if it is a file we made as root, to
 * mail_owner: queue-inject logs there after we have dropped root.  It is
 * changed through a descriptor opened without following a link, and
 * only when it is a regular file with one link: never another file. */
static int
give_maillog(uid_t uid, gid_t gid, struct buf *err)
{
	const char	*name = cfg_get("maillog_file");
	char		*path;
	struct stat	 st;
	int		 fd, r = 0;

	if (*name == '\0')
		return 0;
	path = cfg_path(name);
	fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_nlink == 1 && st.st_uid == 0 && st.st_uid != uid &&
	    fchown(fd, uid, gid) < 0) {
		buf_printf(err, "chown %s: %s", path, strerror(errno));
		r = -1;
	}
	if (fd >= 0)
		close(fd);
	free(path);
	return r;
}

/*
 * smtpd_spool_ready - the queue layout, owned by mail_owner when we are
 * root (queue-inject runs as whoever starts it, and we start it after
 * dropping root); 0, or -1 with the reason in err
 */
int
smtpd_spool_ready(struct buf *err)
{
	char		*qdir = cfg_path(cfg_get("queue_directory"));
	uid_t		 uid;
	gid_t		 gid;
	int		 r = -1;

	if (geteuid() == 0 && queue_owner(&uid, &gid, err) < 0)
		goto out;
	if (queue_layout(qdir, err) < 0)
		goto out;
	if (geteuid() == 0 && (queue_give(qdir, uid, gid, err) < 0 ||
	    give_maillog(uid, gid, err) < 0))
		goto out;
	r = 0;
out:
	free(qdir);
	return r;
}
