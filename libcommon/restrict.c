/*
 * restrict - smtpd_*_restrictions with Postfix's semantics (see
 * restrict.h); the model is Postfix's smtpd_check.c, rewritten.
 *
 * Lists are parsed once: every word becomes an element with its table
 * or argument resolved, so that a check walks arrays and asks tables,
 * nothing else.  Each element answers DUNNO (go on), OK (this list
 * permits), REJECT (a reply is in the result: stop everything).  A
 * lookup failure answers REJECT with a 451 4.3.0 reply, as Postfix's
 * reject_dict_retry() does: a table error never reads as "not found".
 *
 * defer_if_permit (and the *_tempfail_action of DNS checks) remembers
 * the first such reply; when the lists then end without a reject, that
 * reply is given instead of the permission.  defer_if_reject turns a
 * later 5xx reject into its own 4xx reply.
 *
 * Differences from Postfix, on purpose or for want of the feature:
 * addresses are not canonicalised or virtual-aliased before checks; an
 * address with a recipient_delimiter extension is looked up as given
 * only; warn_if_reject, check_policy_service, the *_ns/mx/a_access
 * checks and the reject_rhsbl_* checks are unknown (an error at open).
 * With smtpd_delay_reject = no a defer_if_permit raised at CONNECT,
 * HELO or MAIL is not carried to RCPT (there is no session state here).
 */
#include "restrict.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "address.h"
#include "config.h"
#include "domain.h"
#include "file.h"
#include "log.h"
#include "maps.h"
#include "mem.h"
#include "restrict_dns.h"
#include "route.h"

#define RESTRICT_DEPTH_MAX	100	/* nested classes and table results */
#define RESTRICT_TEXT_MAX	500	/* reply text (RFC 5321 4.5.3.1.5) */
#define RESTRICT_NET_FILE_MAX	(1024 * 1024)	/* mynetworks /file */

/* What one element, or one list, answers. */
enum status {
	ST_DUNNO = 0,
	ST_OK,
	ST_REJECT,
};

/* The lists, in the order restrict_check() may walk them. */
enum list_id {
	L_CLIENT,
	L_HELO,
	L_SENDER,
	L_RELAY,
	L_RECIPIENT,
	L_DATA,
	L_ETRN,
	L_COUNT,
};

/* What is being checked: Postfix's reply class. */
enum rclass {
	RC_CLIENT,
	RC_HELO,
	RC_SENDER,
	RC_RECIPIENT,
	RC_DATA,
	RC_ETRN,
};

static const struct {
	const char	*param;
	enum rclass	 rclass;
} list_def[L_COUNT] = {
	[L_CLIENT] = { "smtpd_client_restrictions", RC_CLIENT },
	[L_HELO] = { "smtpd_helo_restrictions", RC_HELO },
	[L_SENDER] = { "smtpd_sender_restrictions", RC_SENDER },
	[L_RELAY] = { "smtpd_relay_restrictions", RC_RECIPIENT },
	[L_RECIPIENT] = { "smtpd_recipient_restrictions", RC_RECIPIENT },
	[L_DATA] = { "smtpd_data_restrictions", RC_DATA },
	[L_ETRN] = { "smtpd_etrn_restrictions", RC_ETRN },
};

static const char *const class_text[] = {
	[RC_CLIENT] = "Client host",
	[RC_HELO] = "Helo command",
	[RC_SENDER] = "Sender address",
	[RC_RECIPIENT] = "Recipient address",
	[RC_DATA] = "Data command",
	[RC_ETRN] = "Etrn command",
};

enum ekind {
	E_PERMIT,
	E_REJECT,
	E_DEFER,
	E_DEFER_IF_PERMIT,
	E_DEFER_IF_REJECT,
	E_PERMIT_MYNETWORKS,
	E_PERMIT_SASL,
	E_PERMIT_AUTH_DEST,
	E_REJECT_UNAUTH_DEST,
	E_DEFER_UNAUTH_DEST,
	E_CHECK_CLIENT,
	E_CHECK_HELO,
	E_CHECK_ETRN,
	E_CHECK_SENDER,
	E_CHECK_RECIPIENT,
	E_TABLE,		/* a bare table: check_<list>_access */
	E_NONFQDN_SENDER,
	E_NONFQDN_RCPT,
	E_NONFQDN_HELO,
	E_INVALID_HELO,
	E_UNKNOWN_HELO,
	E_UNKNOWN_SENDER_DOM,
	E_UNKNOWN_RCPT_DOM,
	E_RBL_CLIENT,
	E_MULTI_RCPT_BOUNCE,
	E_UNLISTED_RCPT,
	E_UNLISTED_SENDER,
	E_CLASS,		/* smtpd_restriction_classes */
};

enum earg {
	A_NONE,
	A_TABLE,		/* TYPE:TABLE follows */
	A_DOMAIN,		/* a DNS domain follows */
};

static const struct keyword {
	const char	*name;
	enum ekind	 kind;
	enum earg	 arg;
} keywords[] = {
	{ "permit", E_PERMIT, A_NONE },
	{ "reject", E_REJECT, A_NONE },
	{ "defer", E_DEFER, A_NONE },
	{ "defer_if_permit", E_DEFER_IF_PERMIT, A_NONE },
	{ "defer_if_reject", E_DEFER_IF_REJECT, A_NONE },
	{ "permit_mynetworks", E_PERMIT_MYNETWORKS, A_NONE },
	{ "permit_sasl_authenticated", E_PERMIT_SASL, A_NONE },
	{ "permit_auth_destination", E_PERMIT_AUTH_DEST, A_NONE },
	{ "reject_unauth_destination", E_REJECT_UNAUTH_DEST, A_NONE },
	{ "defer_unauth_destination", E_DEFER_UNAUTH_DEST, A_NONE },
	{ "check_client_access", E_CHECK_CLIENT, A_TABLE },
	{ "check_helo_access", E_CHECK_HELO, A_TABLE },
	{ "check_etrn_access", E_CHECK_ETRN, A_TABLE },
	{ "check_sender_access", E_CHECK_SENDER, A_TABLE },
	{ "check_recipient_access", E_CHECK_RECIPIENT, A_TABLE },
	{ "reject_non_fqdn_sender", E_NONFQDN_SENDER, A_NONE },
	{ "reject_non_fqdn_recipient", E_NONFQDN_RCPT, A_NONE },
	{ "reject_non_fqdn_helo_hostname", E_NONFQDN_HELO, A_NONE },
	{ "reject_non_fqdn_hostname", E_NONFQDN_HELO, A_NONE },
	{ "reject_invalid_helo_hostname", E_INVALID_HELO, A_NONE },
	{ "reject_invalid_hostname", E_INVALID_HELO, A_NONE },
	{ "reject_unknown_helo_hostname", E_UNKNOWN_HELO, A_NONE },
	{ "reject_unknown_hostname", E_UNKNOWN_HELO, A_NONE },
	{ "reject_unknown_sender_domain", E_UNKNOWN_SENDER_DOM, A_NONE },
	{ "reject_unknown_recipient_domain", E_UNKNOWN_RCPT_DOM, A_NONE },
	{ "reject_rbl_client", E_RBL_CLIENT, A_DOMAIN },
	{ "reject_rbl", E_RBL_CLIENT, A_DOMAIN },
	{ "reject_multi_recipient_bounce", E_MULTI_RCPT_BOUNCE, A_NONE },
	{ "reject_unlisted_recipient", E_UNLISTED_RCPT, A_NONE },
	{ "check_recipient_maps", E_UNLISTED_RCPT, A_NONE },
	{ "reject_unlisted_sender", E_UNLISTED_SENDER, A_NONE },
};

/* Restrictions that make a relay or recipient list refuse by default. */
static const char *const relay_required[] = {
	"reject_unauth_destination", "defer_unauth_destination", "reject",
	"defer", "defer_if_permit",
};

struct elem {
	enum ekind	 kind;
	const char	*name;		/* the keyword, for messages */
	struct map_list	*tab;		/* A_TABLE, E_TABLE: owned by ctx */
	const char	*spec;		/* its "type:name", owned by ctx */
	char		*arg;		/* A_DOMAIN: "domain[=a.b.c.d]" */
	size_t		 cls;		/* E_CLASS: index in ctx->cls */
};

struct rlist {
	struct elem	*v;
	size_t		 n;
};

struct rclass_def {
	char		*name;
	struct rlist	 list;
};

struct access_tab {
	char		*spec;
	struct map_list	*maps;
};

/* One mynetworks element. */
struct net {
	int		 neg;
	int		 af;		/* AF_INET, AF_INET6; 0: name, table */
	unsigned char	 b[16];
	unsigned	 bits;
	char		*name;		/* host name pattern */
	struct map_list	*tab;
};

struct netlist {
	struct net	*v;
	size_t		 n;
};

struct restrict_ctx {
	struct rlist		 list[L_COUNT];
	struct rclass_def	*cls;
	size_t			 ncls;
	struct access_tab	*tabs;
	size_t			 ntabs;
	struct netlist		 mynetworks;
	struct domain_local	*local;
	struct domain_list	*relay_domains;
	struct map_list		*local_rcpt;	/* NULL: no check */
	struct map_list		*relay_rcpt;	/* NULL: no check */
	struct restrict_dns	*dns;
	int			 delay_reject;
	int			 relay_first;
	int			 unlisted_rcpt, unlisted_sender;
	int			 soft_bounce;
	int			 addr_tf_defer;	/* unknown_address_tempfail */
	int			 helo_tf_defer;	/* unknown_helo_hostname_... */
	int			 access_reject_code, access_defer_code;
	int			 reject_code, defer_code, relay_code;
	int			 non_fqdn_code, bad_name_code;
	int			 unk_addr_code, unk_name_code, rbl_code;
	int			 mul_rcpt_code, local_rcpt_code;
	int			 relay_rcpt_code;
	char			*null_key;	/* "<>" lookup key */
	char			*myorigin;
	char			*double_bounce;
	char			*rbl_reply;	/* default_rbl_reply */
};

/* A deferred reply: defer_if_permit, defer_if_reject. */
struct pending {
	int		 active;
	int		 code;
	char		 dsn[16];
	struct buf	 text;
};

/* One restrict_check() call. */
struct eval {
	struct restrict_ctx		*ctx;
	const struct restrict_info	*info;
	struct restrict_result		*res;
	const char			*stage;	/* "RCPT", for the log */
	const char			*client_addr;
	char				 addr4[INET_ADDRSTRLEN];
	struct buf			 namaddr;	/* name[addr] */
	struct pending			 dip, dir;
	int				 depth;
	int				 rcpt_checked;	/* unlisted recipient */
	int				 sender_checked;
};

/*
 * Small helpers.
 */

/* param_code - a reply code parameter */
static int
param_code(const char *name)
{
	return (int)cfg_get_int(name);
}

/* extra_param - a parameter that config.c may not know: value or default */
static const char *
extra_param(const char *name, const char *dflt)
{
	const char	*v = cfg_lookup(name);

	return v != NULL ? v : dflt;
}

/* is_dsn - does s start with an RFC 3463 status code "C.S.D"? length or 0 */
static size_t
is_dsn(const char *s)
{
	size_t	 i = 1, n;

	if (s[0] != '2' && s[0] != '4' && s[0] != '5')
		return 0;
	for (int part = 0; part < 2; part++) {
		if (s[i++] != '.')
			return 0;
		for (n = 0; isdigit((unsigned char)s[i]) && n < 4; n++)
			i++;
		if (n == 0 || n > 3)
			return 0;
	}
	return i;
}

/*
 * dsn_split - an optional leading status code in text: copy it (or dflt)
 * to dsn and return the text after it.
 */
static const char *
dsn_split(const char *text, const char *dflt, char dsn[16])
{
	size_t	 n = is_dsn(text);

	if (n > 0 && n < 16 && (text[n] == '\0' || text[n] == ' ' ||
	    text[n] == '\t')) {
		memcpy(dsn, text, n);
		dsn[n] = '\0';
		text += n;
		while (*text == ' ' || *text == '\t')
			text++;
		return text;
	}
	snprintf(dsn, 16, "%s", dflt);
	return text;
}

/*
 * dsn_fix - an address status code (X.1.Y) made to fit what is rejected,
 * as Postfix's smtpd_dsn_fix(): sender codes for a sender, recipient
 * codes for a recipient, X.0.0 for anything else.
 */
static void
dsn_fix(char dsn[16], enum rclass rc)
{
	static const struct {
		char		 detail;
		const char	*sender, *rcpt;
	} map[] = {
		{ '1', "4.1.8", "4.1.1" }, { '2', "4.1.8", "4.1.2" },
		{ '3', "4.1.7", "4.1.3" }, { '4', "4.1.8", "4.1.4" },
		{ '5', "4.1.0", "4.1.5" }, { '6', "4.1.8", "4.1.6" },
		{ '7', "4.1.7", "4.1.3" }, { '8', "4.1.8", "4.1.2" },
	};
	const char	*fixed = "4.1.0";
	char		 cls = dsn[0];

	if (strncmp(dsn + 1, ".1.", 3) != 0)
		return;
	if (rc != RC_SENDER && rc != RC_RECIPIENT)
		fixed = "4.0.0";
	else
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (dsn[4] == map[i].detail && dsn[5] == '\0') {
				fixed = rc == RC_SENDER ? map[i].sender :
				    map[i].rcpt;
				break;
			}
	snprintf(dsn, 16, "%c%s", cls, fixed + 1);
}

/* printable - a reply text fit for one SMTP line */
static void
printable(struct buf *b)
{
	if (b->len > RESTRICT_TEXT_MAX)
		buf_truncate(b, RESTRICT_TEXT_MAX);
	for (size_t i = 0; i < b->len; i++)
		if ((unsigned char)b->s[i] < 0x20 || b->s[i] == 0x7f)
			b->s[i] = ' ';
}

/* trim_dot - drop one trailing dot, but not from "x.." */
static void
trim_dot(struct buf *b)
{
	if (b->len > 1 && b->s[b->len - 1] == '.' && b->s[b->len - 2] != '.')
		buf_truncate(b, b->len - 1);
}

/*
 * valid_hostname - Postfix's valid_hostname(): labels of letters,
 * digits, "-" and "_", not starting or ending with "-", at most 63
 * bytes each and 255 in all, and not all-numeric.
 */
static int
valid_hostname(const char *name)
{
	size_t	 len = strlen(name), label = 0;
	int	 alldigit = 1;

	if (len == 0 || len > ADDR_DOMAIN_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char	 c = (unsigned char)name[i];

		if (c == '.') {
			if (label == 0 || name[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum(c) && c != '-' && c != '_')
			return 0;
		if (c == '-' && label == 0)
			return 0;
		if (!isdigit(c))
			alldigit = 0;
		if (++label > 63)
			return 0;
	}
	return label > 0 && name[len - 1] != '-' && !alldigit;
}

/* valid_hostaddr - a bare IPv4 or IPv6 address */
static int
valid_hostaddr(const char *s)
{
	unsigned char	 b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

/* split_addr - internal form of an address: local part and domain */
static void
split_addr(const char *addr, struct buf *local, struct buf *domain)
{
	struct buf	 in = BUF_INIT;
	const char	*at;

	if (addr_unquote(addr, &in) < 0)
		buf_sets(&in, addr);
	at = strrchr(buf_cstr(&in), '@');
	buf_set(local, in.s, at != NULL ? (size_t)(at - in.s) : in.len);
	buf_sets(domain, at != NULL ? at + 1 : "");
	buf_free(&in);
}

/*
 * Replies.
 */

/* log_event - one log line about a decision, Postfix's log_whatsup() */
static void
log_event(struct eval *ev, const char *what, const char *text)
{
	const struct restrict_info	*i = ev->info;
	struct buf			 b = BUF_INIT;

	buf_printf(&b, "NOQUEUE: %s: %s from %s: %s;", what, ev->stage,
	    buf_cstr(&ev->namaddr), text);
	if (i->sender != NULL)
		buf_printf(&b, " from=<%s>", i->sender);
	if (i->recipient != NULL)
		buf_printf(&b, " to=<%s>", i->recipient);
	if (i->helo != NULL)
		buf_printf(&b, " helo=<%s>", i->helo);
	printable(&b);
	log_info("%s", b.s);
	buf_free(&b);
}

/* pending_set - remember the first deferred reply of its kind */
static void
pending_set(struct pending *p, int code, const char *dsn, const char *text)
{
	if (p->active)
		return;
	p->active = 1;
	p->code = code;
	snprintf(p->dsn, sizeof(p->dsn), "%s", dsn);
	buf_sets(&p->text, text);
}

/*
 * reply - set the result to a reject, Postfix's smtpd_check_reject():
 * a bad code gives a generic 450, the status code takes the class of
 * the reply code, soft_bounce turns 5xx into 4xx, and a pending
 * defer_if_reject replaces a 5xx reply.  The caller, which sends the
 * reply, logs it; HOLD, DISCARD and WARN are logged here.
 */
static enum status
reply(struct eval *ev, int code, const char *dsn, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static enum status
reply(struct eval *ev, int code, const char *dsn, const char *fmt, ...)
{
	struct restrict_result	*res = ev->res;
	va_list			 ap;

	if (ev->dir.active && code / 100 == 5) {
		ev->dir.active = 0;
		return reply(ev, ev->dir.code, ev->dir.dsn, "%s",
		    buf_cstr(&ev->dir.text));
	}
	buf_reset(&res->text);
	va_start(ap, fmt);
	buf_vprintf(&res->text, fmt, ap);
	va_end(ap);
	snprintf(res->dsn, sizeof(res->dsn), "%s", dsn);
	if (code < 400 || code > 599 || is_dsn(res->dsn) != strlen(res->dsn)) {
		log_warnx("SMTP reply configuration error: %d %s %s", code,
		    res->dsn, buf_cstr(&res->text));
		code = 450;
		snprintf(res->dsn, sizeof(res->dsn), "4.7.1");
		buf_sets(&res->text, "Service unavailable");
	}
	if (ev->ctx->soft_bounce && code / 100 == 5)
		code -= 100;
	res->code = code;
	res->dsn[0] = (char)('0' + code / 100);
	printable(&res->text);
	return ST_REJECT;
}

/* defer_if_permit - a reply that holds only if the lists permit */
static enum status
defer_if_permit(struct eval *ev, int code, const char *dsn, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static enum status
defer_if_permit(struct eval *ev, int code, const char *dsn, const char *fmt,
    ...)
{
	struct buf	 text = BUF_INIT;
	va_list		 ap;

	va_start(ap, fmt);
	buf_vprintf(&text, fmt, ap);
	va_end(ap);
	pending_set(&ev->dip, code, dsn, text.s);
	buf_free(&text);
	return ST_DUNNO;
}

/* temp_lookup - a table lookup failed: 451 4.3.0, as reject_dict_retry() */
static enum status
temp_lookup(struct eval *ev, const char *what, const char *name,
    const char *why)
{
	log_warnx("%s lookup error for \"%s\": %s", what, name, why);
	return reply(ev, 451, "4.3.0", "<%s>: Temporary lookup failure", name);
}

/* config_error - 451 4.3.5, Postfix's reject_server_error() */
static enum status
config_error(struct eval *ev)
{
	return reply(ev, 451, "4.3.5", "Server configuration error");
}

/*
 * mynetworks: CIDR blocks, host name patterns, /files and tables.
 */

/* net_parse_addr - "a.b.c.d[/n]", "[v6][/n]", "v6[/n]"; -1 if not one */
static int
net_parse_addr(const char *s, struct net *n, struct buf *err)
{
	char		 tmp[INET6_ADDRSTRLEN + 8];
	const char	*slash = strrchr(s, '/');
	size_t		 alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	unsigned	 max;
	char		*end;

	if (alen >= 2 && s[0] == '[' && s[alen - 1] == ']') {
		s++;
		alen -= 2;
	}
	if (alen == 0 || alen >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, alen);
	tmp[alen] = '\0';
	memset(n->b, 0, sizeof(n->b));
	if (inet_pton(AF_INET, tmp, n->b) == 1)
		n->af = AF_INET;
	else if (inet_pton(AF_INET6, tmp, n->b) == 1)
		n->af = AF_INET6;
	else
		return -1;
	max = n->af == AF_INET ? 32 : 128;
	n->bits = max;
	if (slash != NULL) {
		unsigned long	 v;

		errno = 0;
		v = strtoul(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || errno != 0 || v > max) {
			buf_printf(err, "mynetworks: bad network mask in "
			    "\"%s\"", s);
			return -2;
		}
		n->bits = (unsigned)v;
	}
	for (unsigned i = n->bits; i < max; i++)
		if (n->b[i / 8] & (0x80 >> (i % 8))) {
			buf_printf(err, "mynetworks: non-null host address "
			    "bits in \"%s\"", s);
			return -2;
		}
	return 0;
}

/* net_add - one mynetworks element (not a file) */
static int
net_add(struct netlist *l, const char *s, int neg, struct buf *err)
{
	struct net	 n;
	int		 rc;

	memset(&n, 0, sizeof(n));
	n.neg = neg;
	if (*s != '[' && strchr(s, ':') != NULL && strchr(s, '/') == NULL &&
	    !valid_hostaddr(s)) {
		struct buf	 e = BUF_INIT;

		if ((n.tab = map_list_open(s, MAP_CONFIG, &e)) == NULL) {
			buf_printf(err, "mynetworks: %s", buf_cstr(&e));
			buf_free(&e);
			return -1;
		}
		buf_free(&e);
	} else if ((rc = net_parse_addr(s, &n, err)) == -2)
		return -1;
	else if (rc < 0) {
		struct buf	 b = BUF_INIT;

		buf_sets(&b, s);
		buf_lower(&b);
		trim_dot(&b);
		n.name = buf_release(&b);
	}
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = n;
	return 0;
}

/* net_add_file - the patterns of a mynetworks "/file/name" */
static int
net_add_file(struct netlist *l, const char *path, int neg, struct buf *err)
{
	struct buf	 text = BUF_INIT;
	struct cfg_list	 items;
	int		 rc = 0;

	if (file_read(path, &text, RESTRICT_NET_FILE_MAX) < 0) {
		buf_printf(err, "mynetworks: cannot read %s: %s", path,
		    errno == EFBIG ? "file too large" : strerror(errno));
		buf_free(&text);
		return -1;
	}
	/* "#" comments run to the end of their line. */
	for (size_t i = 0; i < text.len; i++)
		if (text.s[i] == '#')
			while (i < text.len && text.s[i] != '\n')
				text.s[i++] = ' ';
	cfg_split_list(buf_cstr(&text), &items);
	for (size_t i = 0; i < items.n && rc == 0; i++)
		rc = net_add(l, items.v[i], neg, err);
	cfg_list_free(&items);
	buf_free(&text);
	return rc;
}

/* net_open - parse mynetworks */
static int
net_open(struct netlist *l, const char *value, struct buf *err)
{
	struct cfg_list	 items;
	int		 rc = 0;

	cfg_split_list(value, &items);
	for (size_t i = 0; i < items.n && rc == 0; i++) {
		const char	*p = items.v[i];
		int		 neg = 0;

		while (*p == '!') {
			neg = !neg;
			p++;
		}
		rc = *p == '/' ? net_add_file(l, p, neg, err) :
		    net_add(l, p, neg, err);
	}
	cfg_list_free(&items);
	return rc;
}

/* net_close - free a mynetworks list */
static void
net_close(struct netlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		map_list_close(l->v[i].tab);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* prefix_match - do the first bits of a and b agree? */
static int
prefix_match(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	unsigned	 whole = bits / 8, rest = bits % 8;

	if (memcmp(a, b, whole) != 0)
		return 0;
	return rest == 0 ||
	    ((a[whole] ^ b[whole]) & (unsigned char)(0xff << (8 - rest))) == 0;
}

/* host_match - name against a pattern, parent domains matching */
static int
host_match(const char *pat, const char *name)
{
	size_t	 nlen = strlen(name), plen = strlen(pat);

	if (strcasecmp(name, pat) == 0)
		return 1;
	if (pat[0] == '.')
		return nlen > plen && strcasecmp(name + nlen - plen, pat) == 0;
	return nlen > plen && name[nlen - plen - 1] == '.' &&
	    strcasecmp(name + nlen - plen, pat) == 0;
}

/* net_match - 1 the client matches, 0 not, -1 lookup error (err) */
static int
net_match(const struct netlist *l, const char *name, const char *addr,
    struct buf *err)
{
	unsigned char	 b[16];
	int		 af = 0;
	struct buf	 v = BUF_INIT;
	int		 result = 0;

	memset(b, 0, sizeof(b));
	if (addr != NULL) {
		if (inet_pton(AF_INET, addr, b) == 1)
			af = AF_INET;
		else if (inet_pton(AF_INET6, addr, b) == 1)
			af = AF_INET6;
	}
	if (name != NULL && strcasecmp(name, "unknown") == 0)
		name = NULL;
	for (size_t i = 0; i < l->n; i++) {
		const struct net	*n = &l->v[i];
		int			 match = 0;

		if (n->af != 0)
			match = n->af == af && prefix_match(n->b, b, n->bits);
		else if (n->name != NULL)
			match = name != NULL && host_match(n->name, name);
		else {
			enum map_result	 r = MAP_NOTFOUND;

			if (addr != NULL)
				r = map_list_lookup(n->tab, addr, &v, err);
			if (r == MAP_NOTFOUND && name != NULL)
				r = map_find(n->tab, MAP_ORDER_HOST, name, 0,
				    &v, NULL, err);
			if (r == MAP_ERROR) {
				result = -1;
				break;
			}
			match = r == MAP_FOUND;
		}
		if (match) {
			result = !n->neg;
			break;
		}
	}
	buf_free(&v);
	return result;
}

/*
 * Parsing restriction lists.
 */

/* find_keyword - the built-in restriction named word, or NULL */
static const struct keyword *
find_keyword(const char *word)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strcasecmp(word, keywords[i].name) == 0)
			return &keywords[i];
	return NULL;
}

/* find_class - index of a restriction class, or SIZE_MAX */
static size_t
find_class(const struct restrict_ctx *ctx, const char *word)
{
	for (size_t i = 0; i < ctx->ncls; i++)
		if (strcmp(ctx->cls[i].name, word) == 0)
			return i;
	return SIZE_MAX;
}

/* get_table - an access table, opened once per context; -1 (err) */
static int
get_table(struct restrict_ctx *ctx, const char *param, const char *spec,
    struct elem *e, struct buf *err)
{
	struct map_list	*m;
	struct buf	 why = BUF_INIT;
	size_t		 i;

	for (i = 0; i < ctx->ntabs; i++)
		if (strcmp(ctx->tabs[i].spec, spec) == 0)
			break;
	if (i == ctx->ntabs) {
		if ((m = map_list_open(spec, MAP_CONFIG, &why)) == NULL) {
			buf_printf(err, "%s: %s", param, buf_cstr(&why));
			buf_free(&why);
			return -1;
		}
		ctx->tabs = xreallocarray(ctx->tabs, ctx->ntabs + 1,
		    sizeof(*ctx->tabs));
		ctx->tabs[i].spec = xstrdup(spec);
		ctx->tabs[i].maps = m;
		ctx->ntabs++;
	}
	buf_free(&why);
	e->tab = ctx->tabs[i].maps;
	e->spec = ctx->tabs[i].spec;
	return 0;
}

/* list_free - free the elements of a list (tables belong to ctx) */
static void
list_free(struct rlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].arg);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* is_table - does a word name a lookup table? */
static int
is_table(const char *w)
{
	return strchr(w, ':') != NULL || w[0] == '{';
}

/*
 * parse_list - words of a restriction list into elements.  With
 * runtime set (a list found in an access table) no table may be named:
 * tables are opened at start-up only, as in Postfix.
 */
static int
parse_list(struct restrict_ctx *ctx, const char *param, const char *value,
    int runtime, struct rlist *out, struct buf *err)
{
	struct cfg_list	 w;
	int		 rc = 0;

	cfg_split_list(value, &w);
	for (size_t i = 0; i < w.n && rc == 0; i++) {
		const struct keyword	*k = find_keyword(w.v[i]);
		const char		*table = NULL;
		struct elem		 e;

		memset(&e, 0, sizeof(e));
		if (k != NULL) {
			e.kind = k->kind;
			e.name = k->name;
			if (k->arg != A_NONE && (i + 1 >= w.n ||
			    (k->arg == A_TABLE) != is_table(w.v[i + 1]))) {
				buf_printf(err, "%s: restriction %s requires "
				    "%s argument", param, k->name,
				    k->arg == A_TABLE ? "a type:table" :
				    "a domain name");
				rc = -1;
			} else if (k->arg == A_TABLE)
				table = w.v[++i];
			else if (k->arg == A_DOMAIN)
				e.arg = xstrdup(w.v[++i]);
		} else if (is_table(w.v[i])) {
			e.kind = E_TABLE;
			e.name = "table";
			table = w.v[i];
		} else if ((e.cls = find_class(ctx, w.v[i])) != SIZE_MAX) {
			e.kind = E_CLASS;
			e.name = ctx->cls[e.cls].name;
		} else {
			buf_printf(err, "%s: unknown restriction \"%s\"", param,
			    w.v[i]);
			rc = -1;
		}
		if (rc == 0 && table != NULL && runtime) {
			buf_printf(err, "%s: lookup table \"%s\" in an access "
			    "table result: define a restriction class and "
			    "name it instead", param, table);
			rc = -1;
		} else if (rc == 0 && table != NULL)
			rc = get_table(ctx, param, table, &e, err);
		if (rc < 0) {
			free(e.arg);
			break;
		}
		out->v = xreallocarray(out->v, out->n + 1, sizeof(*out->v));
		out->v[out->n++] = e;
	}
	cfg_list_free(&w);
	return rc;
}

/* check_rbl_arg - "domain" or "domain=a.b.c.d" */
static int
check_rbl_arg(const char *param, const char *arg, struct buf *err)
{
	const char	*eq = strchr(arg, '=');
	unsigned char	 b[4];
	char		 tmp[INET_ADDRSTRLEN];
	size_t		 n;

	if (eq == NULL)
		return 0;
	n = strlen(eq + 1);
	if (n < sizeof(tmp)) {
		memcpy(tmp, eq + 1, n + 1);
		if (inet_pton(AF_INET, tmp, b) == 1)
			return 0;
	}
	buf_printf(err, "%s: reply filter in \"%s\": only one IPv4 address "
	    "is supported", param, arg);
	return -1;
}

/* check_args - argument checks that need the whole list */
static int
check_args(const char *param, const struct rlist *l, struct buf *err)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].kind == E_RBL_CLIENT &&
		    check_rbl_arg(param, l->v[i].arg, err) < 0)
			return -1;
	return 0;
}

/* has_required - does a list refuse unauthorised relaying by default? */
static int
has_required(const struct restrict_ctx *ctx, const struct rlist *l,
    int depth)
{
	if (depth > RESTRICT_DEPTH_MAX)
		return 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct elem	*e = &l->v[i];

		if (e->kind == E_PERMIT)
			return 0;
		if (e->kind == E_CLASS) {
			if (has_required(ctx, &ctx->cls[e->cls].list,
			    depth + 1))
				return 1;
			continue;
		}
		for (size_t k = 0; k < sizeof(relay_required) /
		    sizeof(relay_required[0]); k++)
			if (strcmp(e->name, relay_required[k]) == 0)
				return 1;
	}
	return 0;
}

/* bare_table_in - a bare table in a list that has no default check? */
static int
bare_table_in(const struct rlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].kind == E_TABLE)
			return 1;
	return 0;
}

/*
 * Setting up.
 */

/* tempfail_action - "defer_if_permit" (0) or "defer" (1); -1 if bad */
static int
tempfail_action(const char *name, struct buf *err)
{
	const char	*v = extra_param(name,
	    extra_param("reject_tempfail_action", "defer_if_permit"));

	if (strcasecmp(v, "defer_if_permit") == 0)
		return 0;
	if (strcasecmp(v, "defer") == 0)
		return 1;
	buf_printf(err, "%s: bad value \"%s\" (expected defer_if_permit or "
	    "defer)", name, v);
	return -1;
}

/* relay_before_rcpt - smtpd_relay_before_recipient_restrictions */
static int
relay_before_rcpt(struct buf *err)
{
	const char	*v = cfg_lookup("smtpd_relay_before_recipient_"
	    "restrictions");
	unsigned	 major = 0, minor = 0;
	int		 yes;

	if (v != NULL && *v != '\0') {
		if (cfg_parse_bool(v, &yes) < 0) {
			buf_printf(err, "smtpd_relay_before_recipient_"
			    "restrictions: bad boolean \"%s\"", v);
			return -1;
		}
		return yes;
	}
	/* Postfix's default: yes from compatibility_level 3.6 on. */
	if (sscanf(cfg_get("compatibility_level"), "%u.%u", &major,
	    &minor) < 1)
		return 1;
	return major > 3 || (major == 3 && minor >= 6);
}

/* open_rcpt_maps - a recipient table list, NULL when it is empty */
static int
open_rcpt_maps(const char *param, struct map_list **out, struct buf *err)
{
	struct cfg_list	 l;
	struct buf	 e = BUF_INIT;

	cfg_get_list(param, &l);
	*out = NULL;
	if (l.n > 0 && (*out = map_list_open(cfg_get(param), MAP_CONFIG, &e)) == NULL)
		buf_printf(err, "%s: %s", param, buf_cstr(&e));
	cfg_list_free(&l);
	buf_free(&e);
	return l.n > 0 && *out == NULL ? -1 : 0;
}

/* load_params - the scalar parameters */
static int
load_params(struct restrict_ctx *ctx, struct buf *err)
{
	struct buf	 b = BUF_INIT;
	int		 tf;

	ctx->delay_reject = cfg_get_bool("smtpd_delay_reject");
	ctx->unlisted_rcpt = cfg_get_bool("smtpd_reject_unlisted_recipient");
	ctx->unlisted_sender = cfg_get_bool("smtpd_reject_unlisted_sender");
	ctx->soft_bounce = cfg_get_bool("soft_bounce");
	ctx->access_reject_code = param_code("access_map_reject_code");
	ctx->access_defer_code = param_code("access_map_defer_code");
	ctx->reject_code = param_code("reject_code");
	ctx->defer_code = param_code("defer_code");
	ctx->relay_code = param_code("relay_domains_reject_code");
	ctx->non_fqdn_code = param_code("non_fqdn_reject_code");
	ctx->bad_name_code = param_code("invalid_hostname_reject_code");
	ctx->unk_addr_code = param_code("unknown_address_reject_code");
	ctx->unk_name_code = param_code("unknown_hostname_reject_code");
	ctx->rbl_code = param_code("maps_rbl_reject_code");
	ctx->mul_rcpt_code = param_code("multi_recipient_bounce_reject_code");
	ctx->local_rcpt_code =
	    param_code("unknown_local_recipient_reject_code");
	ctx->relay_rcpt_code =
	    param_code("unknown_relay_recipient_reject_code");
	ctx->null_key = xstrdup(extra_param("smtpd_null_access_lookup_key",
	    "<>"));
	ctx->double_bounce = xstrdup(cfg_get("double_bounce_sender"));
	ctx->rbl_reply = xstrdup(cfg_get("default_rbl_reply"));
	buf_sets(&b, cfg_get("myorigin"));
	(void)route_domain_norm(&b);
	ctx->myorigin = buf_release(&b);
	if ((tf = tempfail_action("unknown_address_tempfail_action", err)) < 0)
		return -1;
	ctx->addr_tf_defer = tf;
	if ((tf = tempfail_action("unknown_helo_hostname_tempfail_action",
	    err)) < 0)
		return -1;
	ctx->helo_tf_defer = tf;
	if ((ctx->relay_first = relay_before_rcpt(err)) < 0)
		return -1;
	return 0;
}

/* load_classes - smtpd_restriction_classes: names first, then lists */
static int
load_classes(struct restrict_ctx *ctx, struct buf *err)
{
	struct cfg_list	 names;
	int		 rc = 0;

	cfg_get_list("smtpd_restriction_classes", &names);
	ctx->cls = xcalloc(names.n + 1, sizeof(*ctx->cls));
	for (size_t i = 0; i < names.n; i++) {
		if (find_keyword(names.v[i]) != NULL) {
			buf_printf(err, "smtpd_restriction_classes: \"%s\" is "
			    "the name of a built-in restriction", names.v[i]);
			rc = -1;
			break;
		}
		ctx->cls[ctx->ncls++].name = xstrdup(names.v[i]);
	}
	for (size_t i = 0; i < ctx->ncls && rc == 0; i++) {
		const char	*value = cfg_lookup(ctx->cls[i].name);

		if (value == NULL || *value == '\0') {
			buf_printf(err, "restriction class \"%s\" needs a "
			    "definition", ctx->cls[i].name);
			rc = -1;
		} else
			rc = parse_list(ctx, ctx->cls[i].name, value, 0,
			    &ctx->cls[i].list, err);
		if (rc == 0)
			rc = check_args(ctx->cls[i].name, &ctx->cls[i].list,
			    err);
	}
	cfg_list_free(&names);
	return rc;
}

/*
 * A network list on its own (smtpd_client_event_limit_exceptions), in
 * mynetworks syntax, for smtp-listen's connection counting.
 */
struct restrict_nets {
	struct netlist	 l;
};

/* restrict_nets_open - parse a network list; NULL with the reason */
struct restrict_nets *
restrict_nets_open(const char *param, struct buf *err)
{
	struct restrict_nets	*n = xcalloc(1, sizeof(*n));

	buf_reset(err);
	if (net_open(&n->l, cfg_get(param), err) < 0) {
		struct buf	 why = BUF_INIT;

		buf_set(&why, err->s, err->len);
		buf_reset(err);
		buf_printf(err, "%s: %s", param, buf_cstr(&why));
		buf_free(&why);
		restrict_nets_close(n);
		return NULL;
	}
	return n;
}

/* restrict_nets_match - 1 addr is in the list, 0 not, -1 lookup error */
int
restrict_nets_match(const struct restrict_nets *n, const char *addr,
    struct buf *err)
{
	return net_match(&n->l, NULL, addr, err);
}

/* restrict_nets_close - free a network list */
void
restrict_nets_close(struct restrict_nets *n)
{
	if (n == NULL)
		return;
	net_close(&n->l);
	free(n);
}

/* restrict_open - parse every list and open every table (restrict.h) */
struct restrict_ctx *
restrict_open(struct buf *err)
{
	struct restrict_ctx	*ctx = xcalloc(1, sizeof(*ctx));

	buf_reset(err);
	if (load_params(ctx, err) < 0 || load_classes(ctx, err) < 0)
		goto bad;
	for (int i = 0; i < L_COUNT; i++)
		if (parse_list(ctx, list_def[i].param,
		    cfg_get(list_def[i].param), 0, &ctx->list[i], err) < 0 ||
		    check_args(list_def[i].param, &ctx->list[i], err) < 0)
			goto bad;
	if (bare_table_in(&ctx->list[L_DATA])) {
		buf_printf(err, "smtpd_data_restrictions: a lookup table "
		    "needs check_sender_access, check_recipient_access or "
		    "check_client_access before it");
		goto bad;
	}
	/* No list may leave the server an open relay (Postfix checks so). */
	if (!has_required(ctx, &ctx->list[L_RELAY], 0) &&
	    !has_required(ctx, &ctx->list[L_RECIPIENT], 0)) {
		buf_printf(err, "in parameter smtpd_relay_restrictions or "
		    "smtpd_recipient_restrictions, specify at least one "
		    "working instance of: reject_unauth_destination, "
		    "defer_unauth_destination, reject, defer or "
		    "defer_if_permit");
		goto bad;
	}
	if (net_open(&ctx->mynetworks, cfg_get("mynetworks"), err) < 0 ||
	    (ctx->local = domain_local_open(err)) == NULL ||
	    (ctx->relay_domains = domain_list_open("relay_domains",
	    cfg_get("relay_domains"), DOMAIN_PARENT, err)) == NULL ||
	    open_rcpt_maps("local_recipient_maps", &ctx->local_rcpt, err) < 0 ||
	    open_rcpt_maps("relay_recipient_maps", &ctx->relay_rcpt, err) < 0 ||
	    (ctx->dns = restrict_dns_open(err)) == NULL)
		goto bad;
	return ctx;
bad:
	restrict_close(ctx);
	return NULL;
}

/* restrict_close - free everything restrict_open() made */
void
restrict_close(struct restrict_ctx *ctx)
{
	if (ctx == NULL)
		return;
	for (int i = 0; i < L_COUNT; i++)
		list_free(&ctx->list[i]);
	for (size_t i = 0; i < ctx->ncls; i++) {
		free(ctx->cls[i].name);
		list_free(&ctx->cls[i].list);
	}
	free(ctx->cls);
	for (size_t i = 0; i < ctx->ntabs; i++) {
		free(ctx->tabs[i].spec);
		map_list_close(ctx->tabs[i].maps);
	}
	free(ctx->tabs);
	net_close(&ctx->mynetworks);
	domain_local_close(ctx->local);
	domain_list_close(ctx->relay_domains);
	map_list_close(ctx->local_rcpt);
	map_list_close(ctx->relay_rcpt);
	restrict_dns_close(ctx->dns);
	free(ctx->null_key);
	free(ctx->myorigin);
	free(ctx->double_bounce);
	free(ctx->rbl_reply);
	free(ctx);
}

/* restrict_result_init - an empty result, no HOLD or DISCARD seen */
void
restrict_result_init(struct restrict_result *res)
{
	memset(res, 0, sizeof(*res));
	buf_init(&res->text);
}

/* restrict_result_free - release the reply text */
void
restrict_result_free(struct restrict_result *res)
{
	buf_free(&res->text);
	restrict_result_init(res);
}

/*
 * The checks.
 */

static enum status run_list(struct eval *, const struct rlist *,
		    enum rclass, const char *);

/* address_class - 2 local, 1 relay, 0 other, -1 after a reply */
static int
address_class(struct eval *ev, const char *domain, const char *name)
{
	struct restrict_ctx	*ctx = ev->ctx;
	struct buf		 err = BUF_INIT;
	const char		*d = *domain != '\0' ? domain : ctx->myorigin;
	int			 r;

	int			 ac = 0;

	if ((r = domain_local_match(ctx->local, d, &err)) > 0)
		ac = 2;
	else if (r == 0 &&
	    (r = domain_list_match(ctx->relay_domains, d, &err)) > 0)
		ac = 1;
	if (r < 0) {
		temp_lookup(ev, "domain", name, buf_cstr(&err));
		ac = -1;
	}
	buf_free(&err);
	return ac;
}

/*
 * access_result - act on an access(5) table result, Postfix's
 * check_table_result().  name and rc say what was looked up.
 */
static enum status
access_result(struct eval *ev, const char *value, const char *name,
    enum rclass rc, const char *table)
{
	struct restrict_ctx	*ctx = ev->ctx;
	const char		*cls = class_text[rc];
	const char		*text = value + strcspn(value, " \t");
	size_t			 cmdlen = (size_t)(text - value);
	char			 cmd[16], dsn[16];
	struct rlist		 l = { NULL, 0 };
	struct buf		 err = BUF_INIT, b = BUF_INIT;
	enum status		 st;

	while (*text == ' ' || *text == '\t')
		text++;
	snprintf(cmd, sizeof(cmd), "%.*s", (int)(cmdlen < sizeof(cmd) ?
	    cmdlen : sizeof(cmd) - 1), value);
	if (cmdlen >= sizeof(cmd))
		cmd[0] = '\0';
	if (strcasecmp(cmd, "DUNNO") == 0)
		return ST_DUNNO;
	if (strcasecmp(cmd, "OK") == 0 || strcasecmp(cmd, "RELAY") == 0 ||
	    (value[0] != '\0' && strspn(value, "0123456789") == strlen(value)))
		return ST_OK;
	if (strcasecmp(cmd, "REJECT") == 0 || strcasecmp(cmd, "DEFER") == 0) {
		int	 rej = toupper((unsigned char)cmd[0]) == 'R';

		text = dsn_split(text, rej ? "5.7.1" : "4.7.1", dsn);
		dsn_fix(dsn, rc);
		return reply(ev, rej ? ctx->access_reject_code :
		    ctx->access_defer_code, dsn, "<%s>: %s rejected: %s",
		    name, cls, *text != '\0' ? text : "Access denied");
	}
	if (strcasecmp(cmd, "DEFER_IF_PERMIT") == 0 ||
	    strcasecmp(cmd, "DEFER_IF_REJECT") == 0) {
		text = dsn_split(text, "4.7.1", dsn);
		dsn_fix(dsn, rc);
		buf_printf(&b, "<%s>: %s rejected: %s", name, cls,
		    *text != '\0' ? text : "Service unavailable");
		pending_set(strcasecmp(cmd, "DEFER_IF_PERMIT") == 0 ?
		    &ev->dip : &ev->dir, ctx->access_defer_code, dsn, b.s);
		buf_free(&b);
		return ST_DUNNO;
	}
	if (strlen(cmd) == 3 && (cmd[0] == '4' || cmd[0] == '5') &&
	    isdigit((unsigned char)cmd[1]) && isdigit((unsigned char)cmd[2]) &&
	    *text != '\0') {
		char	 dflt[] = "5.7.1";

		dflt[0] = cmd[0];
		text = dsn_split(text, dflt, dsn);
		dsn_fix(dsn, rc);
		return reply(ev, atoi(cmd), dsn, "<%s>: %s rejected: %s", name,
		    cls, *text != '\0' ? text : "Access denied");
	}
	if (strcasecmp(cmd, "HOLD") == 0 || strcasecmp(cmd, "DISCARD") == 0) {
		int	 hold = toupper((unsigned char)cmd[0]) == 'H';

		if (ev->info->sender == NULL) {
			log_warnx("access table %s: action %s is skipped "
			    "before MAIL FROM", table, cmd);
			return ST_DUNNO;
		}
		buf_printf(&b, "<%s>: %s %s", name, cls, *text != '\0' ? text :
		    hold ? "triggers HOLD action" : "triggers DISCARD action");
		log_event(ev, hold ? "hold" : "discard", b.s);
		buf_free(&b);
		if (hold) {
			ev->res->hold = 1;
			return ST_DUNNO;
		}
		ev->res->discard = 1;
		return ST_OK;
	}
	if (strcasecmp(cmd, "WARN") == 0 || strcasecmp(cmd, "INFO") == 0) {
		log_event(ev, strcasecmp(cmd, "WARN") == 0 ? "warn" : "info",
		    text);
		return ST_DUNNO;
	}
	if (strcasecmp(cmd, "FILTER") == 0 ||
	    strcasecmp(cmd, "REDIRECT") == 0 || strcasecmp(cmd, "BCC") == 0 ||
	    strcasecmp(cmd, "PREPEND") == 0 || strcasecmp(cmd, "HANGUP") == 0) {
		log_warnx("access table %s: entry for \"%s\": action %s is "
		    "not supported, ignored", table, name, cmd);
		return ST_DUNNO;
	}

	/*
	 * Anything else is a restriction list, evaluated in the context of
	 * the list that asked the table.
	 */
	if (parse_list(ctx, table, value, 1, &l, &err) < 0) {
		log_warnx("access table %s: %s", table, buf_cstr(&err));
		st = config_error(ev);
	} else if (l.n == 0) {
		log_warnx("access table %s: entry for \"%s\" has an empty "
		    "value", table, name);
		st = ST_OK;
	} else
		st = run_list(ev, &l, rc, name);
	list_free(&l);
	buf_free(&err);
	return st;
}

/* map_found - common ending of a table lookup */
static enum status
map_found(struct eval *ev, enum map_result r, const char *value,
    const char *err, const char *name, enum rclass rc, const char *table)
{
	if (r == MAP_ERROR)
		return temp_lookup(ev, table, name, err);
	if (r == MAP_NOTFOUND)
		return ST_DUNNO;
	return access_result(ev, value, name, rc, table);
}

/* check_address - check_sender_access, check_recipient_access */
static enum status
check_address(struct eval *ev, struct map_list *tab, const char *spec,
    const char *addr, enum rclass rc)
{
	struct buf	 key = BUF_INIT, v = BUF_INIT, err = BUF_INIT;
	enum map_result	 r;
	enum status	 st;

	/* The null sender is looked up as smtpd_null_access_lookup_key. */
	if (*addr == '\0') {
		buf_sets(&key, ev->ctx->null_key);
		r = map_list_lookup(tab, key.s, &v, &err);
	} else {
		if (addr_unquote(addr, &key) < 0)
			buf_sets(&key, addr);
		r = map_find(tab, MAP_ORDER_ACCESS, key.s, 0, &v, NULL, &err);
	}
	st = map_found(ev, r, buf_cstr(&v), buf_cstr(&err), addr, rc, spec);
	buf_free(&key);
	buf_free(&v);
	buf_free(&err);
	return st;
}

/* check_client - check_client_access: the name, then the address */
static enum status
check_client(struct eval *ev, struct map_list *tab, const char *spec)
{
	const struct restrict_info	*i = ev->info;
	struct buf			 v = BUF_INIT, err = BUF_INIT;
	enum map_result			 r = MAP_NOTFOUND;
	enum status			 st;

	if (i->client_name != NULL && *i->client_name != '\0')
		r = map_find(tab, MAP_ORDER_HOST, i->client_name, 0, &v, NULL,
		    &err);
	if (r == MAP_NOTFOUND && ev->client_addr != NULL &&
	    *ev->client_addr != '\0')
		r = map_find(tab, MAP_ORDER_IP, ev->client_addr, 0, &v, NULL,
		    &err);
	st = map_found(ev, r, buf_cstr(&v), buf_cstr(&err),
	    buf_cstr(&ev->namaddr), RC_CLIENT, spec);
	buf_free(&v);
	buf_free(&err);
	return st;
}

/* check_helo - check_helo_access on the HELO name and its parents */
static enum status
check_helo(struct eval *ev, struct map_list *tab, const char *spec)
{
	struct buf	 v = BUF_INIT, err = BUF_INIT;
	enum map_result	 r;
	enum status	 st;

	if (ev->info->helo == NULL || *ev->info->helo == '\0')
		return ST_DUNNO;
	r = map_find(tab, MAP_ORDER_HOST, ev->info->helo, 0, &v, NULL, &err);
	st = map_found(ev, r, buf_cstr(&v), buf_cstr(&err), ev->info->helo,
	    RC_HELO, spec);
	buf_free(&v);
	buf_free(&err);
	return st;
}

/* check_etrn - check_etrn_access on the ETRN domain and its parents */
static enum status
check_etrn(struct eval *ev, struct map_list *tab, const char *spec)
{
	const char	*d = ev->info->etrn_domain;
	struct buf	 v = BUF_INIT, err = BUF_INIT;
	enum map_result	 r;
	enum status	 st;

	if (d == NULL || *d == '\0')
		return ST_DUNNO;
	r = map_find(tab, MAP_ORDER_HOST, d, 0, &v, NULL, &err);
	st = map_found(ev, r, buf_cstr(&v), buf_cstr(&err), d, RC_ETRN, spec);
	buf_free(&v);
	buf_free(&err);
	return st;
}

/* check_access - a check_*_access element or a bare table */
static enum status
check_access(struct eval *ev, const struct elem *e, enum rclass rc)
{
	const struct restrict_info	*i = ev->info;
	enum ekind			 kind = e->kind;

	if (kind == E_TABLE)
		switch (rc) {
		case RC_CLIENT:
			kind = E_CHECK_CLIENT;
			break;
		case RC_HELO:
			kind = E_CHECK_HELO;
			break;
		case RC_SENDER:
			kind = E_CHECK_SENDER;
			break;
		case RC_RECIPIENT:
			kind = E_CHECK_RECIPIENT;
			break;
		case RC_ETRN:
			kind = E_CHECK_ETRN;
			break;
		case RC_DATA:
			log_warnx("a bare lookup table in a data restriction "
			    "has no check_*_access before it");
			return config_error(ev);
		}
	switch (kind) {
	case E_CHECK_CLIENT:
		return check_client(ev, e->tab, e->spec);
	case E_CHECK_HELO:
		return check_helo(ev, e->tab, e->spec);
	case E_CHECK_ETRN:
		return check_etrn(ev, e->tab, e->spec);
	case E_CHECK_SENDER:
		return i->sender != NULL ? check_address(ev, e->tab, e->spec,
		    i->sender, RC_SENDER) : ST_DUNNO;
	case E_CHECK_RECIPIENT:
		return i->recipient != NULL ? check_address(ev, e->tab,
		    e->spec, i->recipient, RC_RECIPIENT) : ST_DUNNO;
	default:
		return ST_DUNNO;
	}
}

/* helo_literal - reject_invalid_hostaddr for "[address]" HELO names */
static enum status
helo_literal(struct eval *ev, const char *helo)
{
	unsigned char	 b[16];
	int		 af;

	if (route_literal_ip(helo, &af, b))
		return ST_DUNNO;
	return reply(ev, ev->ctx->bad_name_code, "5.5.2",
	    "<%s>: Helo command rejected: invalid ip address", helo);
}

/* dns_first - the index of the first of types under which name has
 * records (their text in text), or -1; *temp is set when a lookup
 * failed for now */
static int
dns_first(struct restrict_ctx *ctx, const char *name,
    const enum rdns_type *types, size_t n, struct buf *text,
    struct buf *err, int *temp)
{
	for (size_t k = 0; k < n; k++)
		switch (restrict_dns_lookup(ctx->dns, name, types[k], text,
		    err)) {
		case RDNS_FOUND:
			return (int)k;
		case RDNS_TEMP:
			*temp = 1;
			break;
		case RDNS_NOTFOUND:
			break;
		}
	return -1;
}

/* check_helo_name - reject_invalid/non_fqdn/unknown_helo_hostname */
static enum status
check_helo_name(struct eval *ev, enum ekind kind)
{
	struct restrict_ctx	*ctx = ev->ctx;
	static const enum rdns_type types[] = { RDNS_A, RDNS_AAAA, RDNS_MX };
	const char		*helo = ev->info->helo;
	struct buf		 name = BUF_INIT, text = BUF_INIT;
	struct buf		 err = BUF_INIT;
	enum status		 st = ST_DUNNO;
	int			 temp = 0;

	if (helo == NULL)
		return ST_DUNNO;
	if (*helo == '[')
		return helo_literal(ev, helo);
	buf_sets(&name, helo);
	trim_dot(&name);
	switch (kind) {
	case E_INVALID_HELO:
		if (!valid_hostname(name.s) && !valid_hostaddr(name.s))
			st = reply(ev, ctx->bad_name_code, "5.5.2",
			    "<%s>: Helo command rejected: Invalid name", helo);
		break;
	case E_NONFQDN_HELO:
		if (!valid_hostname(name.s) || strchr(name.s, '.') == NULL)
			st = reply(ev, ctx->non_fqdn_code, "5.5.2",
			    "<%s>: Helo command rejected: need fully-qualified "
			    "hostname", helo);
		break;
	default:
		if (dns_first(ctx, name.s, types, sizeof(types) /
		    sizeof(types[0]), &text, &err, &temp) >= 0)
			break;
		if (!temp)
			st = reply(ev, ctx->unk_name_code, "4.7.1",
			    "<%s>: Helo command rejected: Host not found",
			    helo);
		else if (ctx->helo_tf_defer)
			st = reply(ev, 450, "4.7.1", "<%s>: Helo command "
			    "rejected: Host not found", helo);
		else
			st = defer_if_permit(ev, 450, "4.7.1", "<%s>: Helo "
			    "command rejected: Host not found", helo);
		break;
	}
	buf_free(&name);
	buf_free(&text);
	buf_free(&err);
	return st;
}

/* non_fqdn_address - reject_non_fqdn_sender/recipient */
static enum status
non_fqdn_address(struct eval *ev, const char *addr, enum rclass rc)
{
	struct buf	 local = BUF_INIT, domain = BUF_INIT;
	enum status	 st = ST_DUNNO;

	split_addr(addr, &local, &domain);
	trim_dot(&domain);
	if (domain.s[0] != '[' &&
	    (!valid_hostname(domain.s) || strchr(domain.s, '.') == NULL))
		st = reply(ev, ev->ctx->non_fqdn_code, "5.5.2",
		    "<%s>: %s rejected: need fully-qualified address", addr,
		    class_text[rc]);
	buf_free(&local);
	buf_free(&domain);
	return st;
}

/* unknown_domain - reject_unknown_sender/recipient_domain */
static enum status
unknown_domain(struct eval *ev, const char *addr, enum rclass rc)
{
	struct restrict_ctx	*ctx = ev->ctx;
	struct buf		 local = BUF_INIT, domain = BUF_INIT;
	struct buf		 text = BUF_INIT, err = BUF_INIT;
	static const enum rdns_type types[] = { RDNS_MX, RDNS_A, RDNS_AAAA };
	const char		*dsn = rc == RC_SENDER ? "4.1.8" : "4.1.2";
	const char		*cls = class_text[rc];
	enum status		 st = ST_DUNNO;
	int			 ac, k, temp = 0;

	split_addr(addr, &local, &domain);
	trim_dot(&domain);
	if (domain.len == 0 || domain.s[0] == '[')
		goto out;
	if ((ac = address_class(ev, domain.s, addr)) < 0) {
		st = ST_REJECT;
		goto out;
	}
	if (ac == 2)
		goto out;		/* final delivery here */

	/* MX first, then addresses, as Postfix's reject_unknown_mailhost. */
	k = dns_first(ctx, domain.s, types, sizeof(types) / sizeof(types[0]),
	    &text, &err, &temp);
	if (k >= 0 && types[k] == RDNS_MX && strcmp(text.s, ".") == 0)
		st = reply(ev, rc == RC_SENDER ? 550 : 556, rc == RC_SENDER ?
		    "4.7.27" : "4.1.10", "<%s>: %s rejected: Domain %s does "
		    "not accept mail (nullMX)", addr, cls, domain.s);
	if (k >= 0)
		goto out;
	if (!temp)
		st = reply(ev, ctx->unk_addr_code, dsn,
		    "<%s>: %s rejected: Domain not found", addr, cls);
	else if (ctx->addr_tf_defer)
		st = reply(ev, 450, dsn, "<%s>: %s rejected: Domain not found",
		    addr, cls);
	else
		st = defer_if_permit(ev, 450, dsn,
		    "<%s>: %s rejected: Domain not found", addr, cls);
out:
	buf_free(&local);
	buf_free(&domain);
	buf_free(&text);
	buf_free(&err);
	return st;
}

/* The names default_rbl_reply may use. */
struct rbl_vars {
	char		 code[8];
	const char	*domain, *reason, *what, *cls;
};

/* rbl_lookup - cfg_expand() lookup: $rbl_code, $rbl_domain, ... */
static const char *
rbl_lookup(const char *name, void *arg)
{
	const struct rbl_vars	*v = arg;

	if (strcmp(name, "rbl_code") == 0)
		return v->code;
	if (strcmp(name, "rbl_domain") == 0)
		return v->domain;
	if (strcmp(name, "rbl_reason") == 0 || strcmp(name, "rbl_txt") == 0)
		return *v->reason != '\0' ? v->reason : NULL;
	if (strcmp(name, "rbl_what") == 0)
		return v->what;
	if (strcmp(name, "rbl_class") == 0)
		return v->cls;
	return NULL;
}

/* rbl_reply - the reply for a listed client, from default_rbl_reply */
static enum status
rbl_reply(struct eval *ev, const char *domain, const char *txt)
{
	struct rbl_vars	 v;
	struct buf	 out = BUF_INIT, err = BUF_INIT;
	const char	*text;
	char		 dsn[16];
	enum status	 st;

	snprintf(v.code, sizeof(v.code), "%d", ev->ctx->rbl_code);
	v.domain = domain;
	v.reason = txt;
	v.what = ev->client_addr;
	v.cls = class_text[RC_CLIENT];
	if (cfg_expand(ev->ctx->rbl_reply, rbl_lookup, &v, &out, &err) < 0 ||
	    out.len < 4 || (out.s[0] != '4' && out.s[0] != '5') ||
	    !isdigit((unsigned char)out.s[1]) ||
	    !isdigit((unsigned char)out.s[2]) || out.s[3] != ' ') {
		log_warnx("default_rbl_reply: bad reply template: %s",
		    err.len > 0 ? err.s : buf_cstr(&out));
		st = reply(ev, 450, "4.7.1", "Service unavailable");
	} else {
		text = dsn_split(out.s + 4, "4.7.1", dsn);
		dsn_fix(dsn, RC_CLIENT);
		st = reply(ev, atoi(out.s), dsn, "%s", *text != '\0' ? text :
		    "Service unavailable");
	}
	buf_free(&out);
	buf_free(&err);
	return st;
}

/* rbl_client - reject_rbl_client DOMAIN[=a.b.c.d] */
static enum status
rbl_client(struct eval *ev, const char *arg)
{
	const char	*addr = ev->client_addr;
	const char	*eq = strchr(arg, '=');
	struct buf	 query = BUF_INIT, domain = BUF_INIT;
	struct buf	 a = BUF_INIT, txt = BUF_INIT, err = BUF_INIT;
	unsigned char	 b[16];
	enum status	 st = ST_DUNNO;
	enum rdns_result r;

	if (addr == NULL)
		return ST_DUNNO;
	buf_set(&domain, arg, eq != NULL ? (size_t)(eq - arg) : strlen(arg));
	if (inet_pton(AF_INET, addr, b) == 1)
		for (int i = 3; i >= 0; i--)
			buf_printf(&query, "%u.", b[i]);
	else if (inet_pton(AF_INET6, addr, b) == 1)
		for (int i = 15; i >= 0; i--)
			buf_printf(&query, "%x.%x.", b[i] & 0xf, b[i] >> 4);
	else
		goto out;
	buf_add(&query, domain.s, domain.len);
	r = restrict_dns_lookup(ev->ctx->dns, query.s, RDNS_A, &a, &err);
	if (r == RDNS_TEMP)
		log_warnx("%s: RBL lookup error: %s", query.s, buf_cstr(&err));
	if (r != RDNS_FOUND)
		goto out;
	if (eq != NULL) {
		/* Only the given reply address counts as "listed". */
		const char	*p = a.s, *want = eq + 1;
		size_t		 wlen = strlen(want);
		int		 hit = 0;

		while (*p != '\0' && !hit) {
			size_t	 n = strcspn(p, " ");

			hit = n == wlen && strncmp(p, want, n) == 0;
			p += n + (p[n] == ' ');
		}
		if (!hit)
			goto out;
	}
	if (restrict_dns_lookup(ev->ctx->dns, query.s, RDNS_TXT, &txt,
	    &err) != RDNS_FOUND)
		buf_reset(&txt);
	st = rbl_reply(ev, domain.s, buf_cstr(&txt));
out:
	buf_free(&query);
	buf_free(&domain);
	buf_free(&a);
	buf_free(&txt);
	buf_free(&err);
	return st;
}

/* auth_destination - 1 local or relay domain, 0 not, -1 after a reply */
static int
auth_destination(struct eval *ev, const char *rcpt)
{
	struct buf	 local = BUF_INIT, domain = BUF_INIT;
	int		 ac;

	split_addr(rcpt, &local, &domain);
	trim_dot(&domain);
	ac = address_class(ev, domain.s, rcpt);
	buf_free(&local);
	buf_free(&domain);
	return ac < 0 ? -1 : ac > 0;
}

/* unauth_destination - reject_/defer_unauth_destination */
static enum status
unauth_destination(struct eval *ev, int defer)
{
	const char	*rcpt = ev->info->recipient;
	int		 code = ev->ctx->relay_code;

	if (rcpt == NULL)
		return ST_DUNNO;
	switch (auth_destination(ev, rcpt)) {
	case -1:
		return ST_REJECT;
	case 1:
		return ST_DUNNO;
	default:
		return reply(ev, defer ? code - 100 : code,
		    defer ? "4.7.1" : "5.7.1", "<%s>: Relay access denied",
		    rcpt);
	}
}

/* is_special_local - local parts local(8)/qmgr absorb: never "unknown" */
static int
is_special_local(const struct restrict_ctx *ctx, const char *local)
{
	return strcasecmp(local, ctx->double_bounce) == 0 ||
	    strcasecmp(local, "postmaster") == 0 ||
	    strcasecmp(local, "MAILER-DAEMON") == 0;
}

/*
 * rcpt_maps - reject_unlisted_recipient/sender, Postfix's
 * check_rcpt_maps(): an address in a local domain must be in
 * local_recipient_maps, one in a relay domain in relay_recipient_maps.
 */
static enum status
rcpt_maps(struct eval *ev, const char *addr, enum rclass rc)
{
	struct restrict_ctx	*ctx = ev->ctx;
	struct buf		 local = BUF_INIT, domain = BUF_INIT;
	struct buf		 key = BUF_INIT, v = BUF_INIT, err = BUF_INIT;
	struct map_list		*maps = NULL;
	enum status		 st = ST_DUNNO;
	enum map_result		 r;
	int			 ac, code = 0;
	const char		*which = NULL;

	split_addr(addr, &local, &domain);
	trim_dot(&domain);
	if (domain.len == 0)
		buf_sets(&domain, ctx->myorigin);
	if ((ac = address_class(ev, domain.s, addr)) < 0) {
		st = ST_REJECT;
		goto out;
	}
	if (ac == 2 && !is_special_local(ctx, local.s)) {
		maps = ctx->local_rcpt;
		code = ctx->local_rcpt_code;
		which = "local";
	} else if (ac == 1) {
		maps = ctx->relay_rcpt;
		code = ctx->relay_rcpt_code;
		which = "relay";
	}
	if (maps == NULL || local.len == 0)
		goto out;
	buf_printf(&key, "%s@%s", local.s, domain.s);
	r = map_find(maps, MAP_ORDER_ALIAS, key.s, ac == 2 ? MAP_LOCAL : 0,
	    &v, NULL, &err);
	if (r == MAP_ERROR)
		st = temp_lookup(ev, ac == 2 ? "local_recipient_maps" :
		    "relay_recipient_maps", addr, buf_cstr(&err));
	else if (r == MAP_NOTFOUND)
		st = reply(ev, code, rc == RC_SENDER ? "5.1.0" : "5.1.1",
		    "<%s>: %s rejected: User unknown in %s recipient table",
		    addr, class_text[rc], which);
out:
	buf_free(&local);
	buf_free(&domain);
	buf_free(&key);
	buf_free(&v);
	buf_free(&err);
	return st;
}

/* unlisted - one reject_unlisted_* check per restrict_check() call */
static enum status
unlisted(struct eval *ev, int sender)
{
	const char	*addr = sender ? ev->info->sender : ev->info->recipient;
	int		*done = sender ? &ev->sender_checked :
			    &ev->rcpt_checked;

	if (addr == NULL || *addr == '\0' || *done)
		return ST_DUNNO;
	*done = 1;
	return rcpt_maps(ev, addr, sender ? RC_SENDER : RC_RECIPIENT);
}

/* run_elem - one element of a list */
static enum status
run_elem(struct eval *ev, const struct elem *e, enum rclass rc,
    const char *name)
{
	struct restrict_ctx		*ctx = ev->ctx;
	const struct restrict_info	*i = ev->info;
	const char			*cls = class_text[rc];
	struct buf			 err = BUF_INIT;
	int				 r;

	switch (e->kind) {
	case E_PERMIT:
		return ST_OK;
	case E_REJECT:
		return reply(ev, ctx->reject_code, "5.7.1",
		    "<%s>: %s rejected: Access denied", name, cls);
	case E_DEFER:
		return reply(ev, ctx->defer_code, "4.3.2",
		    "<%s>: %s rejected: Try again later", name, cls);
	case E_DEFER_IF_PERMIT:
		return defer_if_permit(ev, 450, "4.7.0", "<%s>: %s rejected: "
		    "defer_if_permit requested", name, cls);
	case E_DEFER_IF_REJECT: {
		struct buf	 t = BUF_INIT;

		buf_printf(&t, "<%s>: %s rejected: defer_if_reject requested",
		    name, cls);
		pending_set(&ev->dir, 450, "4.7.0", t.s);
		buf_free(&t);
		return ST_DUNNO;
	}
	case E_PERMIT_MYNETWORKS:
		r = net_match(&ctx->mynetworks, i->client_name, ev->client_addr,
		    &err);
		if (r < 0) {
			enum status	 st = temp_lookup(ev, "mynetworks",
			    buf_cstr(&ev->namaddr), buf_cstr(&err));

			buf_free(&err);
			return st;
		}
		return r > 0 ? ST_OK : ST_DUNNO;
	case E_PERMIT_SASL:
		return i->authenticated ? ST_OK : ST_DUNNO;
	case E_PERMIT_AUTH_DEST:
		if (i->recipient == NULL)
			return ST_DUNNO;
		r = auth_destination(ev, i->recipient);
		return r < 0 ? ST_REJECT : r > 0 ? ST_OK : ST_DUNNO;
	case E_REJECT_UNAUTH_DEST:
	case E_DEFER_UNAUTH_DEST:
		return unauth_destination(ev, e->kind == E_DEFER_UNAUTH_DEST);
	case E_CHECK_CLIENT:
	case E_CHECK_HELO:
	case E_CHECK_ETRN:
	case E_CHECK_SENDER:
	case E_CHECK_RECIPIENT:
	case E_TABLE:
		return check_access(ev, e, rc);
	case E_NONFQDN_SENDER:
		return i->sender != NULL && *i->sender != '\0' ?
		    non_fqdn_address(ev, i->sender, RC_SENDER) : ST_DUNNO;
	case E_NONFQDN_RCPT:
		return i->recipient != NULL ?
		    non_fqdn_address(ev, i->recipient, RC_RECIPIENT) : ST_DUNNO;
	case E_NONFQDN_HELO:
	case E_INVALID_HELO:
	case E_UNKNOWN_HELO:
		return check_helo_name(ev, e->kind);
	case E_UNKNOWN_SENDER_DOM:
		return i->sender != NULL && *i->sender != '\0' ?
		    unknown_domain(ev, i->sender, RC_SENDER) : ST_DUNNO;
	case E_UNKNOWN_RCPT_DOM:
		return i->recipient != NULL ?
		    unknown_domain(ev, i->recipient, RC_RECIPIENT) : ST_DUNNO;
	case E_RBL_CLIENT:
		return rbl_client(ev, e->arg);
	case E_MULTI_RCPT_BOUNCE:
		/* At RCPT, one accepted recipient is already one too many. */
		if (i->sender != NULL && *i->sender == '\0' &&
		    i->nrcpt > (strcmp(ev->stage, "RCPT") == 0 ? 0U : 1U))
			return reply(ev, ctx->mul_rcpt_code, "5.5.3",
			    "<%s>: %s rejected: Multi-recipient bounce",
			    name, cls);
		return ST_DUNNO;
	case E_UNLISTED_RCPT:
		return unlisted(ev, 0);
	case E_UNLISTED_SENDER:
		return unlisted(ev, 1);
	case E_CLASS:
		return run_list(ev, &ctx->cls[e->cls].list, rc, name);
	}
	return ST_DUNNO;
}

/* run_list - walk one list: the first OK or REJECT ends it */
static enum status
run_list(struct eval *ev, const struct rlist *l, enum rclass rc,
    const char *name)
{
	enum status	 st = ST_DUNNO;

	if (++ev->depth > RESTRICT_DEPTH_MAX) {
		log_warnx("restrictions nest more than %d deep (a restriction "
		    "class or access table that names itself?)",
		    RESTRICT_DEPTH_MAX);
		st = config_error(ev);
		ev->depth--;
		return st;
	}
	for (size_t i = 0; i < l->n && st == ST_DUNNO; i++) {
		if (ev->res->discard)
			break;
		st = run_elem(ev, &l->v[i], rc, name);
		if (ev->dip.active && ev->dir.active)
			break;
	}
	ev->depth--;
	return st;
}

/*
 * run_top - one of the configured lists, skipped when what it checks is
 * not known yet (Postfix's smtpd_check_client() etc.)
 */
static enum status
run_top(struct eval *ev, enum list_id id)
{
	const struct restrict_info	*i = ev->info;
	const char			*name;

	switch (list_def[id].rclass) {
	case RC_CLIENT:
		if (ev->client_addr == NULL)
			return ST_DUNNO;
		name = buf_cstr(&ev->namaddr);
		break;
	case RC_HELO:
		if (i->helo == NULL)
			return ST_DUNNO;
		name = i->helo;
		break;
	case RC_SENDER:
		if (i->sender == NULL)
			return ST_DUNNO;
		name = i->sender;
		break;
	case RC_RECIPIENT:
		name = i->recipient != NULL ? i->recipient : "";
		break;
	case RC_ETRN:
		if (i->etrn_domain == NULL)
			return ST_DUNNO;
		name = i->etrn_domain;
		break;
	case RC_DATA:
	default:
		name = "DATA";
		break;
	}
	if (ev->res->discard)
		return ST_OK;
	return run_list(ev, &ev->ctx->list[id], list_def[id].rclass, name);
}

/* check_mail - the sender list, then the implicit unlisted sender check */
static enum status
check_mail(struct eval *ev)
{
	enum status	 st;

	ev->dir.active = 0;
	st = run_top(ev, L_SENDER);
	if (st != ST_REJECT && ev->ctx->unlisted_sender && !ev->res->discard)
		st = unlisted(ev, 1) == ST_REJECT ? ST_REJECT : st;
	return st;
}

/* apply_dip - a pending defer_if_permit replaces a permission */
static enum status
apply_dip(struct eval *ev, enum status st)
{
	if (st == ST_REJECT || !ev->dip.active)
		return st;
	ev->dir.active = 0;
	return reply(ev, ev->dip.code, ev->dip.dsn, "%s",
	    buf_cstr(&ev->dip.text));
}

/*
 * check_rcpt - RCPT TO, Postfix's smtpd_check_rcpt(): with delayed
 * rejects the client, helo and sender lists first, then the relay and
 * recipient lists, then the implicit unlisted recipient check.
 */
static enum status
check_rcpt(struct eval *ev)
{
	struct restrict_ctx	*ctx = ev->ctx;
	enum status		 st = ST_DUNNO;
	enum list_id		 order[2];

	if (ctx->delay_reject) {
		ev->dir.active = 0;
		if (run_top(ev, L_CLIENT) == ST_REJECT)
			return ST_REJECT;
		ev->dir.active = 0;
		if (run_top(ev, L_HELO) == ST_REJECT ||
		    check_mail(ev) == ST_REJECT)
			return ST_REJECT;
	}
	ev->dir.active = 0;
	order[0] = ctx->relay_first ? L_RELAY : L_RECIPIENT;
	order[1] = ctx->relay_first ? L_RECIPIENT : L_RELAY;
	for (size_t k = 0; k < 2; k++)
		if ((st = run_top(ev, order[k])) == ST_REJECT)
			return ST_REJECT;
	if ((st = apply_dip(ev, st)) == ST_REJECT)
		return ST_REJECT;
	if (ctx->unlisted_rcpt && !ev->res->discard)
		st = unlisted(ev, 0);
	return st;
}

/* restrict_check - evaluate the lists of one stage (see restrict.h) */
enum restrict_answer
restrict_check(struct restrict_ctx *ctx, enum restrict_stage stage,
    const struct restrict_info *info, struct restrict_result *res)
{
	static const char *const stage_name[] = {
		[RESTRICT_CONNECT] = "CONNECT", [RESTRICT_HELO] = "HELO",
		[RESTRICT_MAIL] = "MAIL", [RESTRICT_RCPT] = "RCPT",
		[RESTRICT_DATA] = "DATA", [RESTRICT_ETRN] = "ETRN",
	};
	struct eval	 ev;
	enum status	 st = ST_DUNNO;
	const char	*a = info->client_addr;

	res->code = 0;
	res->dsn[0] = '\0';
	buf_reset(&res->text);
	memset(&ev, 0, sizeof(ev));
	ev.ctx = ctx;
	ev.info = info;
	ev.res = res;
	ev.stage = stage_name[stage];
	ev.client_addr = a != NULL && *a != '\0' ? a : NULL;
	/* An IPv4-mapped IPv6 client is checked as the IPv4 client it is. */
	if (a != NULL && strncasecmp(a, "::ffff:", 7) == 0 &&
	    strlen(a + 7) < sizeof(ev.addr4) && strchr(a + 7, '.') != NULL) {
		memcpy(ev.addr4, a + 7, strlen(a + 7) + 1);
		ev.client_addr = ev.addr4;
	}
	buf_printf(&ev.namaddr, "%s[%s]", info->client_name != NULL &&
	    *info->client_name != '\0' ? info->client_name : "unknown",
	    ev.client_addr != NULL ? ev.client_addr : "unknown");

	switch (stage) {
	case RESTRICT_CONNECT:
		if (!ctx->delay_reject)
			st = run_top(&ev, L_CLIENT);
		break;
	case RESTRICT_HELO:
		if (!ctx->delay_reject)
			st = run_top(&ev, L_HELO);
		break;
	case RESTRICT_MAIL:
		if (!ctx->delay_reject)
			st = check_mail(&ev);
		break;
	case RESTRICT_RCPT:
		/* RFC 5321 4.5.1: "postmaster" is always accepted. */
		if (info->recipient == NULL ||
		    strcasecmp(info->recipient, "postmaster") != 0)
			st = check_rcpt(&ev);
		break;
	case RESTRICT_DATA:
		st = apply_dip(&ev, run_top(&ev, L_DATA));
		break;
	case RESTRICT_ETRN:
		/* Postfix's smtpd_check_etrn(): with delayed rejects the
		 * client and helo lists first. */
		if (ctx->delay_reject) {
			ev.dir.active = 0;
			if (run_top(&ev, L_CLIENT) == ST_REJECT ||
			    run_top(&ev, L_HELO) == ST_REJECT) {
				st = ST_REJECT;
				break;
			}
		}
		ev.dir.active = 0;
		st = apply_dip(&ev, run_top(&ev, L_ETRN));
		break;
	}
	buf_free(&ev.namaddr);
	buf_free(&ev.dip.text);
	buf_free(&ev.dir.text);
	if (st != ST_REJECT)
		return RESTRICT_PERMIT;
	return res->code / 100 == 4 ? RESTRICT_DEFER : RESTRICT_REJECT;
}
