/*
 * address - mail addresses: SMTP paths, ESMTP parameters, RFC 5322
 * address lists, and the small utilities routing needs.  Pure: no I/O,
 * no exit; results are returned.
 *
 * Forms.  The "external" form of an address is what travels in SMTP and
 * in headers: local@domain with the local part quoted when it is not a
 * dot-atom ("john doe"@example.com).  The "internal" form has the quotes
 * and backslashes removed (john doe@example.com); lookups (aliases, maps,
 * access tables) use it, as in Postfix.  addr_quote() and addr_unquote()
 * convert; both split at the last '@' outside quotes.
 *
 * SMTP paths (RFC 5321 4.1.2).  addr_parse_path() takes the argument of
 * MAIL FROM: or RCPT TO: (everything after the colon) and fills a struct
 * addr_path: the mailbox in canonical external form (a quoted local part
 * is re-quoted only when it needs quotes; the domain keeps its case), or
 * the null path, and the offset of the ESMTP parameters.  On error it
 * returns a reply code and text ready for "%d %s".  Leniency, as Postfix
 * with strict_rfc821_envelopes=no: spaces before '<', missing angle
 * brackets, a mailbox without a domain (the caller qualifies it or
 * rejects it with reject_non_fqdn_*), source routes (stripped), '_' in
 * domain names.  Bounds: the mailbox never exceeds ADDR_MAX bytes; with
 * ADDR_F_STRICT_LENGTH also the RFC 5321 4.5.3.1 limits (local part 64,
 * domain 255, path 256), which Postfix does not enforce and real mail
 * sometimes exceeds.
 *
 * Address lists (RFC 5322 3.4, with the obsolete forms of 4.4).
 * addr_parse_list() parses a header value into items.  A bad item is
 * kept, flagged, with its raw text, so good items around it survive
 * (sendmail -t must still find good recipients).  UTF-8 (RFC 6532) is
 * accepted in headers.  A bare local part ("root") is accepted as an
 * address without a domain, as sendmail -t users expect.
 *
 * Mailbox names.  A recipient's local part is only ever a mailbox name:
 * addr_mailbox_name_ok() (internal form) and addr_rcpt_ok() (an address
 * in external form) refuse an empty one, a leading '.' or '-', and any
 * '|', '/' or control character.  SMTP RCPT, sendmail and the resolver
 * all apply this one rule.
 *
 * Memory: struct addr_path, struct addr_params and struct addr_list own
 * their strings; release them with the matching _free().  Functions that
 * take a struct buf append to it unless they say "replace".
 */
#ifndef PIPEMAIL_ADDRESS_H
#define PIPEMAIL_ADDRESS_H

#include <stddef.h>

#include "buf.h"

#define ADDR_MAX		1000	/* any address, bytes */
#define ADDR_LOCAL_MAX		64	/* RFC 5321 4.5.3.1.1 */
#define ADDR_DOMAIN_MAX		255	/* RFC 5321 4.5.3.1.2 */
#define ADDR_PATH_MAX		256	/* RFC 5321 4.5.3.1.3, with < > */
#define ADDR_PARAMS_MAX		16	/* ESMTP parameters per command */
#define ADDR_LIST_ITEMS_MAX	10000	/* items per address list */
#define ADDR_COMMENT_DEPTH_MAX	32	/* nested (comments) */

/* Flags for addr_parse_path(). */
#define ADDR_F_RCPT		0x01	/* RCPT TO (error texts say so) */
#define ADDR_F_SMTPUTF8		0x02	/* RFC 6531: UTF-8 allowed */
#define ADDR_F_STRICT_BRACKETS	0x04	/* require <...> */
#define ADDR_F_STRICT_LENGTH	0x08	/* RFC 5321 4.5.3.1 limits */

enum addr_err {
	ADDR_OK = 0,
	ADDR_ERR_SYNTAX,	/* 501 5.1.7 / 5.1.3 */
	ADDR_ERR_TOOLONG,	/* 501 5.1.7 / 5.1.3 Path too long */
	ADDR_ERR_UTF8,		/* 553 5.6.7, RFC 6531 3.7.4 */
};

struct addr_path {
	struct buf	 mailbox;	/* external form; "" for <> */
	int		 null;		/* 1: the null path <> */
	size_t		 params;	/* offset of the parameters in input */
	enum addr_err	 err;		/* ADDR_OK or why it failed */
	int		 code;		/* SMTP reply code when err */
	const char	*text;		/* "5.1.7 Bad sender address syntax" */
};

struct addr_param {
	char	*key;			/* as sent; compare case-blind */
	char	*value;			/* NULL when the keyword has none */
};

struct addr_params {
	struct addr_param	 v[ADDR_PARAMS_MAX];
	size_t			 n;
};

struct addr_item {
	char	*name;		/* display name, unquoted; NULL if none */
	char	*addr;		/* external form; NULL: empty group, bad */
	char	*group;		/* group name; NULL outside a group */
	char	*raw;		/* bad items: the offending text */
	int	 bad;		/* 1: this item did not parse */
};

struct addr_list {
	struct addr_item	*v;
	size_t			 n;
	size_t			 cap;
	size_t			 nbad;	/* bad items, plus 1 if truncated */
};

/* SMTP envelope (RFC 5321). */
void	 addr_path_init(struct addr_path *);
void	 addr_path_free(struct addr_path *);
enum addr_err addr_parse_path(const char *, size_t, int, struct addr_path *);
int	 addr_parse_params(const char *, size_t, struct addr_params *);
const char *addr_param_get(const struct addr_params *, const char *);
void	 addr_params_free(struct addr_params *);
int	 addr_xtext_decode(const char *, size_t, struct buf *);
void	 addr_xtext_encode(const char *, size_t, struct buf *);

/* Utilities on one address. */
int	 addr_split(const char *, size_t, size_t *);
void	 addr_lower_domain(struct buf *);
int	 addr_is_fqdn(const char *);
int	 addr_is_literal(const char *);
int	 addr_quote_local(const char *, size_t, struct buf *);
int	 addr_unquote_local(const char *, size_t, struct buf *);
int	 addr_quote(const char *, struct buf *);
int	 addr_unquote(const char *, struct buf *);
int	 addr_mailbox_name_ok(const char *, size_t);
int	 addr_rcpt_ok(const char *);
int	 addr_split_extension(const char *, const char *, struct buf *,
	    struct buf *);

/* RFC 5322 address lists. */
void	 addr_list_init(struct addr_list *);
void	 addr_list_free(struct addr_list *);
size_t	 addr_parse_list(const char *, size_t, struct addr_list *);

#endif
