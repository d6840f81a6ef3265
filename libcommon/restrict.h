/*
 * restrict - smtpd_*_restrictions, with Postfix's semantics.
 *
 * restrict_open() reads smtpd_client_restrictions, smtpd_helo_restrictions,
 * smtpd_sender_restrictions, smtpd_recipient_restrictions,
 * smtpd_relay_restrictions, smtpd_data_restrictions and
 * smtpd_etrn_restrictions from the loaded
 * configuration, opens every table they name once, and checks every
 * element: an unknown restriction is an error (err gets "name: reason"),
 * as in Postfix.
 *
 * restrict_check() evaluates the lists that apply at one stage of an SMTP
 * session.  With smtpd_delay_reject = yes (the default) the client, helo
 * and sender lists are evaluated at RCPT time, before the recipient list,
 * as Postfix does; at CONNECT, HELO and MAIL it then answers OK.  Each
 * list is walked in order: OK/permit stops that list with "permit", a
 * reject stops everything, DUNNO goes on.  Tables are access(5) tables.
 *
 * The answer: RESTRICT_PERMIT (go on), RESTRICT_REJECT or RESTRICT_DEFER
 * with a full reply in res->code (e.g. 554), res->dsn ("5.7.1") and
 * res->text (without code), plus res->hold / res->discard flags that a
 * HOLD or DISCARD action sets for the whole message.  A table error is
 * RESTRICT_DEFER 451 4.3.0 (temporary, never "not found").
 *
 * More detail (restrict.c says what differs from Postfix):
 *  - restrict_open() fails (NULL, err) also when a table cannot be
 *    opened, when mynetworks is malformed, and when neither
 *    smtpd_relay_restrictions nor smtpd_recipient_restrictions refuses
 *    unauthorised relaying by default (Postfix's "specify at least one
 *    working instance of reject_unauth_destination ..." check), so that
 *    no configuration makes an open relay.
 *  - At RCPT the relay list runs before the recipient list from
 *    compatibility_level 3.6 on (Postfix's
 *    smtpd_relay_before_recipient_restrictions), and the implicit
 *    reject_unlisted_recipient of smtpd_reject_unlisted_recipient = yes
 *    comes last.  A bare "postmaster" recipient is always accepted.
 *  - restrict_check() resets code, dsn and text but only ever sets hold
 *    and discard: a caller may keep one result for a whole transaction
 *    (restrict_result_init() at MAIL FROM), and once discard is set the
 *    remaining lists are skipped, as in Postfix.
 *  - Rejections are not logged here (the caller that sends the reply
 *    does); HOLD, DISCARD and WARN actions are, as "NOQUEUE: hold: ...".
 *  - RESTRICT_ETRN runs smtpd_etrn_restrictions on info->etrn_domain
 *    (after the client and helo lists when rejects are delayed, as
 *    Postfix's smtpd_check_etrn); check_etrn_access, or a bare table
 *    there, looks the domain and its parents up.
 *
 * restrict_nets_open() parses the network list held by parameter param
 * in mynetworks syntax (CIDR blocks, /file, type:table; host name
 * patterns never match, as no name is given);
 * restrict_nets_match() returns 1 when the numeric address addr is in
 * it, 0 when not, -1 on a table error (err).
 *
 *  - DNS questions (reject_unknown_*, reject_rbl_client) go through
 *    restrict_dns.h, whose PIPEMAIL_DNS_FILE test hook replaces the DNS.
 */
#ifndef PIPEMAIL_RESTRICT_H
#define PIPEMAIL_RESTRICT_H

#include <stddef.h>

#include "buf.h"

enum restrict_stage {
	RESTRICT_CONNECT,
	RESTRICT_HELO,
	RESTRICT_MAIL,
	RESTRICT_RCPT,
	RESTRICT_DATA,
	RESTRICT_ETRN,
};

enum restrict_answer {
	RESTRICT_PERMIT = 0,
	RESTRICT_REJECT,
	RESTRICT_DEFER,
};

/* What the session knows; NULL where not known yet. */
struct restrict_info {
	const char	*client_addr;	/* "192.0.2.1" or "2001:db8::1" */
	const char	*client_name;	/* verified name, or "unknown" */
	const char	*helo;		/* HELO/EHLO argument */
	const char	*sender;	/* MAIL FROM address, "" for <> */
	const char	*recipient;	/* RCPT TO address */
	size_t		 nrcpt;		/* recipients accepted so far */
	int		 authenticated;	/* SASL login done */
	const char	*etrn_domain;	/* ETRN argument */
};

struct restrict_result {
	int		 code;		/* SMTP reply code */
	char		 dsn[16];	/* enhanced status code */
	struct buf	 text;		/* reply text */
	int		 hold;		/* HOLD action seen */
	int		 discard;	/* DISCARD action seen */
};

struct restrict_ctx;

struct restrict_ctx *restrict_open(struct buf *);
enum restrict_answer restrict_check(struct restrict_ctx *,
	    enum restrict_stage, const struct restrict_info *,
	    struct restrict_result *);
void	 restrict_result_init(struct restrict_result *);
void	 restrict_result_free(struct restrict_result *);
void	 restrict_close(struct restrict_ctx *);

struct restrict_nets;

struct restrict_nets *restrict_nets_open(const char *, struct buf *);
int	 restrict_nets_match(const struct restrict_nets *, const char *,
	    struct buf *);
void	 restrict_nets_close(struct restrict_nets *);

#endif
