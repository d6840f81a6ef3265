/*
 * domain - "is this domain one of ours?": mydestination and relay_domains
 * style domain lists, and the local-domain test shared by the SMTP
 * restrictions and the address resolver.
 *
 * A domain list is the value of a parameter, Postfix style: a name
 * ("example.com"), ".example.com" (its subdomains), "!pattern" (a match
 * means "no"), "/file/name" (more patterns, separated by white space or
 * commas, "#" comments) and "type:table" (a lookup table keyed by domain;
 * the value does not matter).  The first element that matches decides.
 * With DOMAIN_PARENT (Postfix's parent_domain_matches_subdomains, on by
 * default for relay_domains) "example.com" matches its subdomains too and
 * a table is asked sub.example.com, example.com, com; without it
 * (mydestination) only ".example.com" reaches subdomains and a table is
 * asked sub.example.com, .example.com, .com.
 *
 * domain_local_open() reads mydestination, inet_interfaces and
 * proxy_interfaces.  A domain is local when it is empty or "localhost",
 * an address literal ("[192.0.2.1]", "[IPv6:::1]") naming a loopback
 * address or an address of this host, or when it matches mydestination.
 *
 * domain_literal_local() is that literal test alone, for a caller with a
 * mydestination of its own (route-transport): it reads this host's
 * addresses into *hosts (NULL at first; domain_hosts_free() after) when a
 * literal first needs them.
 *
 * Opening returns NULL with the reason in err ("param: ...") when a file
 * or a table cannot be read.  Matching returns 1 (yes), 0 (no) or -1 when
 * a table lookup failed (temporary: the reason in err).  Domains compare
 * case-blind, one trailing dot ignored.  The caller closes what it opens.
 */
#ifndef PIPEMAIL_DOMAIN_H
#define PIPEMAIL_DOMAIN_H

#include <stddef.h>

#include "buf.h"

#define DOMAIN_FILE_MAX	(1024 * 1024)	/* a "/file/name" element, bytes */

#define DOMAIN_PARENT	0x01	/* parent_domain_matches_subdomains */

struct domain_list;
struct domain_local;

struct domain_list *domain_list_open(const char *, const char *, int,
	    struct buf *);
int	 domain_list_match(struct domain_list *, const char *, struct buf *);
size_t	 domain_list_count(const struct domain_list *);
void	 domain_list_close(struct domain_list *);

struct domain_hosts;
int	 domain_literal_local(struct domain_hosts **, const char *);
void	 domain_hosts_free(struct domain_hosts *);

struct domain_local *domain_local_open(struct buf *);
int	 domain_local_match(struct domain_local *, const char *,
	    struct buf *);
void	 domain_local_close(struct domain_local *);

#endif
