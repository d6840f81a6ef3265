/*
 * route - the address resolver behind route-transport(8): where mail for
 * one address goes after transport_maps, aliases, :include: files and
 * .forward files, in Postfix's order (trivial-rewrite(8), then local(8)).
 *
 * route_open() takes a snapshot of the loaded configuration (cfg_load()
 * first) and opens every lookup table once; hash: tables reopen themselves
 * when rebuilt, and a table that could not be opened (a missing .db) is
 * retried at most once a second, its lookups being temporary errors until
 * then.  It returns NULL with a reason in err only for a bad parameter
 * value.
 *
 * route_resolve() answers one query (an address in external form, as in
 * SMTP: local@domain, a quoted local part allowed, or a bare local part)
 * with one or more deliveries in ans, replacing what ans held.  It returns
 * ROUTE_RESOLVED, or ROUTE_TEMPFAIL when a temporary failure (a table
 * lookup error, an unreadable file) stopped it: ans then holds exactly
 * one ROUTE_DEFER delivery whose nexthop is "4.X.Y reason".  A query that is
 * not an address gives one ROUTE_ERROR delivery (5.1.3), not a failure.
 *
 * Deliveries (struct route_result; text never holds control characters).
 * The kind is the delivery's type; nothing downstream reads a kind from
 * the bytes of the recipient field:
 *	kind		nexthop				recipient
 *	ROUTE_LOCAL	"-"				mailbox user name
 *	ROUTE_SMTP	"[host]:port", "host", "domain"	local@domain
 *	ROUTE_PIPE	user to run as			the command
 *	ROUTE_FILE	user to write as		"/path" (mbox)
 *	ROUTE_MAILDIR	user to write as		"/path/" (Maildir)
 *	ROUTE_ERROR	"5.X.Y text"			the address
 *	ROUTE_DISCARD	"-"				the address
 *	ROUTE_DEFER	"4.X.Y text"			the address
 * and the origin says where it came from: ROUTE_FROM_RECIPIENT (the
 * query itself), ROUTE_FROM_ALIAS, ROUTE_FROM_FORWARD or
 * ROUTE_FROM_INCLUDE (an item of an alias, .forward or :include: file).
 * Only those three produce ROUTE_PIPE, ROUTE_FILE and ROUTE_MAILDIR, and
 * only when allow_mail_to_commands / allow_mail_to_files name that
 * origin (Postfix local(8)'s alias, forward, include).  A mailbox name
 * that addr_mailbox_name_ok() refuses ('|', '/', a control character, a
 * leading '.' or '-') is answered ROUTE_ERROR 5.1.3, never ROUTE_LOCAL.
 * Error and defer answers have the origin ROUTE_FROM_RECIPIENT.
 *
 * route_format() appends one answer line in the user-facing form of
 * route-transport(8), "QUERY\tTRANSPORT\tNEXTHOP\tRECIPIENT\n", to out:
 * the query as given, with control characters shown as '?' and cut at
 * ROUTE_QUERY_MAX bytes, so that the line stays one line; an empty field
 * is "-"; TRANSPORT is route_kind_name() (a Maildir shows as "file") and
 * a command is shown as "|command".  route_format_typed() appends the
 * line of the typed protocol (route-transport -s -t, read by queue-run):
 * "QUERY\tKIND\tNEXTHOP\tTARGET\tORIGIN\n" with KIND route_kind_word()
 * (mailbox, smtp, command, file, maildir, error, discard, defer), TARGET
 * the recipient field as above (a command without any '|') and ORIGIN
 * route_origin_name() (recipient, alias, forward, include).
 * route_kind_parse() and route_origin_parse() read those words back: 0,
 * or -1 for any other word.  route_parse_typed() reads one typed line,
 * given without its newline, into a route_result (nexthop and recipient
 * allocated, the caller frees them) and, unless query is NULL, the QUERY
 * field into query: 0, or -1 with nothing allocated when the line does
 * not have exactly five TAB-separated fields, a known KIND and ORIGIN,
 * and no NUL byte.  A line is never longer than
 * ROUTE_ANSWER_MAX bytes.
 *
 * The engine only reads files; it runs no command.  When it runs as root
 * it reads .forward files, and :include: files named in them, with the
 * effective user and group of the owner of the .forward file.
 *
 * Memory: the engine owns what it opens (route_close()); ans owns its
 * strings (route_answer_free()).  An engine is not thread-safe.
 */
#ifndef PIPEMAIL_ROUTE_H
#define PIPEMAIL_ROUTE_H

#include <stddef.h>

#include "alias.h"
#include "buf.h"

#define ROUTE_QUERY_MAX		4096	/* longest query (server mode line) */
#define ROUTE_DEPTH_MAX		100	/* nested alias/.forward expansions */
#define ROUTE_RESULTS_MAX	ALIAS_ITEMS_MAX	/* deliveries per query */
#define ROUTE_WORK_MAX		(4 * ALIAS_ITEMS_MAX)	/* items per query */
#define ROUTE_FILE_MAX		(16 * 1024 * 1024) /* .forward, :include: */
#define ROUTE_ITEM_MAX		2048	/* longest |command or /file item */
#define ROUTE_TEXT_MAX		1024	/* longest error text or next hop */
#define ROUTE_READ_MAX		(4 * ROUTE_FILE_MAX)	/* file bytes/query */
#define ROUTE_ANSWER_MAX	8192	/* longest answer line, with \n */

enum route_kind {
	ROUTE_LOCAL,
	ROUTE_SMTP,
	ROUTE_PIPE,
	ROUTE_FILE,
	ROUTE_ERROR,
	ROUTE_DISCARD,
	ROUTE_DEFER,
	ROUTE_MAILDIR,
};

enum route_origin {
	ROUTE_FROM_RECIPIENT = 0,
	ROUTE_FROM_ALIAS,
	ROUTE_FROM_FORWARD,
	ROUTE_FROM_INCLUDE,
};

enum route_status {
	ROUTE_RESOLVED = 0,
	ROUTE_TEMPFAIL = 1,	/* ans holds one ROUTE_DEFER delivery */
};

struct route_result {
	enum route_kind	 kind;
	enum route_origin origin;
	char		*nexthop;
	char		*recipient;
};

struct route_answer {
	struct route_result	*v;
	size_t			 n;
	size_t			 cap;
};

struct route_engine;

struct route_engine *route_open(struct buf *);
void	 route_close(struct route_engine *);
enum route_status route_resolve(struct route_engine *, const char *, size_t,
	    struct route_answer *);

void	 route_answer_init(struct route_answer *);
void	 route_answer_free(struct route_answer *);
const char *route_kind_name(enum route_kind);
const char *route_kind_word(enum route_kind);
int	 route_kind_parse(const char *, enum route_kind *);
const char *route_origin_name(enum route_origin);
int	 route_origin_parse(const char *, enum route_origin *);
void	 route_format(struct buf *, const char *, size_t,
	    const struct route_result *);
void	 route_format_typed(struct buf *, const char *, size_t,
	    const struct route_result *);
int	 route_parse_typed(const char *, size_t, struct buf *,
	    struct route_result *);

/*
 * Pure helpers, exported for tests and for callers that read the same
 * syntax.  route_parse_transport() splits a transport(5) result
 * "transport:nexthop" (either part may be empty; a result without a colon
 * is all transport) into its parts.  route_domain_norm() lower-cases a
 * domain and drops one trailing dot, in place; it returns -1 when the
 * domain is then empty.  route_literal_ip() returns 1 when domain is an
 * address literal ("[192.0.2.1]", "[IPv6:2001:db8::1]") and fills the
 * address family and bytes, 0 when it is not one.
 */
void	 route_parse_transport(const char *, struct buf *, struct buf *);
int	 route_domain_norm(struct buf *);
int	 route_literal_ip(const char *, int *, unsigned char[16]);

#endif
