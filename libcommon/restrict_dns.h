/*
 * restrict_dns - the DNS questions the SMTP restrictions ask: does a
 * domain have MX or address records (reject_unknown_*_domain), is a
 * client listed in a DNS block list (reject_rbl_client).
 *
 * restrict_dns_lookup() asks for one record type of one name and answers
 * RDNS_FOUND with the records' data in text (A and AAAA: every address
 * as text, separated by spaces; MX: the first exchange, "." for a null
 * MX; TXT: the strings of every TXT record joined by " / ", cut at
 * RDNS_TXT_MAX bytes),
 * RDNS_NOTFOUND when the name does not exist or has no such record, or
 * RDNS_TEMP when no answer came (the reason in err).  It uses the
 * system's resolver, res_query(3), which blocks up to the resolver's
 * own timeout (resolv.conf(5)).
 *
 * Test hook: when the environment variable PIPEMAIL_DNS_FILE names a
 * file when restrict_dns_open() runs, no DNS query is ever sent; answers
 * come from that file, one record a line:
 *	NAME TYPE [DATA]
 * TYPE is A, AAAA, MX, TXT (DATA is the record), or NXDOMAIN or SERVFAIL
 * (no DATA).  "#" starts a comment line.  A name with a SERVFAIL line
 * answers RDNS_TEMP, one with an NXDOMAIN line or with no line at all
 * RDNS_NOTFOUND, one with lines of other types only RDNS_NOTFOUND.  Names
 * compare case-blind, a trailing dot ignored.  An unreadable or malformed
 * file makes restrict_dns_open() fail: a test never reaches the network
 * by accident.
 *
 * The handle owns its memory; restrict_dns_close() frees it.
 */
#ifndef PIPEMAIL_RESTRICT_DNS_H
#define PIPEMAIL_RESTRICT_DNS_H

#include "buf.h"

#define RDNS_ENV	"PIPEMAIL_DNS_FILE"
#define RDNS_FILE_MAX	(1024 * 1024)	/* fake answer file, bytes */
#define RDNS_ANSWER_MAX	8192		/* DNS reply buffer, bytes */
#define RDNS_TXT_MAX	500		/* TXT text kept (Postfix's limit) */
#define RDNS_NAME_MAX	1025		/* a domain name as text, with NUL */

enum rdns_type {
	RDNS_A,
	RDNS_AAAA,
	RDNS_MX,
	RDNS_TXT,
};

enum rdns_result {
	RDNS_FOUND = 0,
	RDNS_NOTFOUND = 1,
	RDNS_TEMP = -1,
};

struct restrict_dns;

struct restrict_dns *restrict_dns_open(struct buf *);
enum rdns_result restrict_dns_lookup(struct restrict_dns *, const char *,
	    enum rdns_type, struct buf *, struct buf *);
int	 restrict_dns_fake(const struct restrict_dns *);
void	 restrict_dns_close(struct restrict_dns *);

#endif
