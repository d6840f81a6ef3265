/* test_restrict - smtpd restrictions: every element, the seed's lists */
#include "restrict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "file.h"
#include "log.h"
#include "tap.h"

static char	 tmpdir[] = "/tmp/pm-test-restrict-XXXXXX";

/* Fake DNS answers (restrict_dns.h's test hook). */
static const char	 dns_text[] =
    "# name type data\n"
    "example.com MX mx.example.com\n"
    "gmail.com MX gmail-smtp-in.l.google.com\n"
    "123.net A 192.0.2.20\n"
    "remote.example MX mx.remote.example\n"
    "sub.example.net MX mx.example.net\n"
    "aaaa-only.test AAAA 2001:db8::1\n"
    "nullmx.test MX .\n"
    "broken.test SERVFAIL\n"
    "nx.test NXDOMAIN\n"
    "helo.example.com A 192.0.2.30\n"
    "99.2.0.192.bl.spamcop.net A 127.0.0.2\n"
    "99.2.0.192.bl.spamcop.net TXT Blocked - see "
    "https://www.spamcop.net/bl.shtml?192.0.2.99\n"
    "98.2.0.192.bl.spamcop.net A 127.0.0.2\n"
    "97.2.0.192.bl.spamcop.net SERVFAIL\n"
    "99.2.0.192.list.example A 127.0.0.4\n"
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2."
    "bl.spamcop.net A 127.0.0.2\n";

/* An access table whose results are restriction lists and classes. */
static const char	 lists_text[] =
    "strict@example.com      strict_class\n"
    "nx@example.com          reject_unknown_sender_domain\n"
    "two@example.com         reject_non_fqdn_recipient, permit\n"
    "loop@example.com        looping\n"
    "table@example.com       check_sender_access inline:{ a = b }\n"
    "john doe@example.com    REJECT quoted\n"
    "hold@example.com        HOLD spam suspect\n"
    "discard@example.com     DISCARD\n"
    "warn@example.com        WARN looks odd\n"
    "filter@example.com      FILTER smtp:[127.0.0.1]:10025\n";

/* Every case starts from this, with the case's lines after it. */
static const char	 base_cf[] =
    "myhostname = mx.example.test\n"
    "mydomain = example.test\n"
    "alias_maps =\n"
    "inet_interfaces = loopback-only\n";

/* The seed's lists, tables from t/data. */
#define SEED_CF \
	"mynetworks = 10.0.0.0/8, 127.0.0.0/8\n" \
	"mydestination = $myhostname, localhost.$mydomain, " \
	"texthash:t/data/seed-transport\n" \
	"relay_domains = texthash:t/data/seed-transport\n" \
	"smtpd_client_restrictions = texthash:t/data/seed-access\n" \
	"smtpd_sender_restrictions = reject_unknown_sender_domain, " \
	"texthash:t/data/seed-access\n" \
	"smtpd_recipient_restrictions = texthash:t/data/seed-access, " \
	"reject_rbl_client bl.spamcop.net, reject_non_fqdn_recipient, " \
	"reject_non_fqdn_sender, reject_unknown_sender_domain, " \
	"reject_unknown_recipient_domain, permit_mynetworks, " \
	"reject_unauth_destination, reject_multi_recipient_bounce\n" \
	"smtpd_helo_required = yes\n"

#define SASL_CF \
	"smtpd_recipient_restrictions = permit_mynetworks, " \
	"permit_sasl_authenticated, reject_unauth_destination\n"

#define OUT	"192.0.2.1"		/* a client outside mynetworks */
#define LOCAL	"root@mx.example.test"	/* a known local recipient */

enum { PERMIT = RESTRICT_PERMIT, REJECT = RESTRICT_REJECT,
	DEFER = RESTRICT_DEFER };

struct rcase {
	const char		*name;
	const char		*cf;		/* "@T@" is the temp dir */
	enum restrict_stage	 stage;
	struct restrict_info	 info;
	int			 want;
	const char		*reply;		/* "554 5.7.1 ...", "...*" */
	int			 hold, discard;
};

/* Shorthands for struct restrict_info. */
#define INFO(addr, name, helo, from, to, n, auth) \
	{ (addr), (name), (helo), (from), (to), (n), (auth), NULL }
#define ETRN(addr, domain) { (addr), NULL, "client.example.com", NULL, \
	NULL, 0, 0, (domain) }
#define RCPT(addr, from, to) INFO(addr, NULL, "client.example.com", from, to, \
	0, 0)

static const struct rcase cases[] = {
	/*
	 * The seed: its access file, lists, and relay control.
	 */
	{ "seed: blocked client address", SEED_CF, RESTRICT_RCPT,
	    RCPT("83.156.130.100", "a@example.com", LOCAL), REJECT,
	    "550 5.7.1 <unknown[83.156.130.100]>: Client host rejected: "
	    "Sorry, You are BLOCKED on Our", 0, 0 },
	{ "seed: second blocked client", SEED_CF, RESTRICT_RCPT,
	    INFO("221.29.132.160", "dsl.example.org", "x.example.org",
	    "a@example.com", LOCAL, 0, 0), REJECT,
	    "550 5.7.1 <dsl.example.org[221.29.132.160]>: Client host "
	    "rejected: Sorry, You are", 0, 0 },
	{ "seed: blocked sender", SEED_CF, RESTRICT_RCPT,
	    RCPT(OUT, "zakat.guide@gmail.com", LOCAL), REJECT,
	    "550 5.7.1 <zakat.guide@gmail.com>: Sender address rejected: "
	    "Sorry, You are BLOCKED", 0, 0 },
	{ "seed: blocked sender, upper case", SEED_CF, RESTRICT_RCPT,
	    RCPT(OUT, "Zakat.Guide@GMail.com", LOCAL), REJECT,
	    "550 5.7.1 <Zakat.Guide@GMail.com>: Sender address rejected: "
	    "Sorry, You are BLOCKED", 0, 0 },
	{ "seed: xxx@123.net", SEED_CF, RESTRICT_RCPT,
	    RCPT(OUT, "xxx@123.net", LOCAL), REJECT,
	    "550 5.7.1 <xxx@123.net>: Sender address rejected: Sorry, "
	    "You are BLOCKED on Our Network", 0, 0 },
	{ "seed: blocked recipient, even from mynetworks", SEED_CF,
	    RESTRICT_RCPT, RCPT("127.0.0.1", "a@example.com",
	    "zakat.guide@gmail.com"), REJECT,
	    "550 5.7.1 <zakat.guide@gmail.com>: Recipient address rejected: "
	    "Sorry, You are BLOCKED", 0, 0 },
	{ "seed: relay refused (smtpd_relay_restrictions first)", SEED_CF,
	    RESTRICT_RCPT, RCPT(OUT, "a@example.com", "u@remote.example"),
	    DEFER, "454 4.7.1 <u@remote.example>: Relay access denied", 0, 0 },
	{ "seed: relay refused by the seed's own list", SEED_CF
	    "smtpd_relay_restrictions =\n", RESTRICT_RCPT,
	    RCPT(OUT, "a@example.com", "u@remote.example"), REJECT,
	    "554 5.7.1 <u@remote.example>: Relay access denied", 0, 0 },
	{ "seed: relay from 127.0.0.1", SEED_CF, RESTRICT_RCPT,
	    RCPT("127.0.0.1", "a@example.com", "u@remote.example"), PERMIT,
	    NULL, 0, 0 },
	{ "seed: relay from 10/8", SEED_CF, RESTRICT_RCPT,
	    RCPT("10.1.2.3", "a@example.com", "u@remote.example"), PERMIT,
	    NULL, 0, 0 },
	{ "seed: relay_domains table domain", SEED_CF, RESTRICT_RCPT,
	    RCPT(OUT, "a@example.com", "root@domain.com"), PERMIT, NULL, 0,
	    0 },
	{ "seed: local mail from outside", SEED_CF, RESTRICT_RCPT,
	    RCPT(OUT, "a@example.com", LOCAL), PERMIT, NULL, 0, 0 },
	{ "seed: bl.spamcop.net lists the client", SEED_CF, RESTRICT_RCPT,
	    RCPT("192.0.2.99", "a@example.com", LOCAL), REJECT,
	    "554 5.7.1 Service unavailable; Client host [192.0.2.99] "
	    "blocked using bl.spamcop.net; Blocked - see "
	    "https://www.spamcop.net/bl.shtml?192.0.2.99", 0, 0 },
	{ "seed: listed without TXT", SEED_CF, RESTRICT_RCPT,
	    RCPT("192.0.2.98", "a@example.com", LOCAL), REJECT,
	    "554 5.7.1 Service unavailable; Client host [192.0.2.98] "
	    "blocked using bl.spamcop.net", 0, 0 },
	{ "seed: block list down: not listed", SEED_CF, RESTRICT_RCPT,
	    RCPT("192.0.2.97", "a@example.com", LOCAL), PERMIT, NULL, 0, 0 },
	{ "seed: IPv6 client listed", SEED_CF, RESTRICT_RCPT,
	    RCPT("2001:db8::1", "a@example.com", LOCAL), REJECT,
	    "554 5.7.1 Service unavailable; Client host [2001:db8::1] "
	    "blocked using bl.spamcop.net", 0, 0 },
	{ "seed: mynetworks is permitted before the bounce check", SEED_CF,
	    RESTRICT_RCPT, INFO("127.0.0.1", "localhost", "h.example.com", "",
	    LOCAL, 1, 0), PERMIT, NULL, 0, 0 },
	{ "seed: multi-recipient bounce", SEED_CF, RESTRICT_RCPT,
	    INFO(OUT, NULL, "h.example.com", "", LOCAL, 1, 0),
	    REJECT, "550 5.5.3 <root@mx.example.test>: Recipient address "
	    "rejected: Multi-recipient bounce", 0, 0 },
	{ "seed: first recipient of a bounce", SEED_CF, RESTRICT_RCPT,
	    INFO("127.0.0.1", "localhost", "h.example.com", "", LOCAL, 0, 0),
	    PERMIT, NULL, 0, 0 },
	{ "seed: unknown sender domain", SEED_CF, RESTRICT_RCPT,
	    RCPT(OUT, "a@nx.test", LOCAL), DEFER,
	    "450 4.1.8 <a@nx.test>: Sender address rejected: Domain not "
	    "found", 0, 0 },
	{ "seed: non-FQDN recipient", SEED_CF "smtpd_relay_restrictions =\n",
	    RESTRICT_RCPT, RCPT("127.0.0.1", "a@example.com", "bob"), REJECT,
	    "504 5.5.2 <bob>: Recipient address rejected: need "
	    "fully-qualified address", 0, 0 },
	{ "SASL line: authenticated client relays", SASL_CF, RESTRICT_RCPT,
	    INFO(OUT, NULL, "c.example.com", "a@example.com",
	    "u@remote.example", 0, 1), PERMIT, NULL, 0, 0 },
	{ "SASL line: anonymous client does not", SASL_CF
	    "smtpd_relay_restrictions =\n", RESTRICT_RCPT,
	    RCPT(OUT, "a@example.com", "u@remote.example"), REJECT,
	    "554 5.7.1 <u@remote.example>: Relay access denied", 0, 0 },

	/*
	 * Defaults: no open relay, unknown local users refused.
	 */
	{ "default: no relay", "", RESTRICT_RCPT,
	    RCPT(OUT, "a@example.com", "u@remote.example"), DEFER,
	    "454 4.7.1 <u@remote.example>: Relay access denied", 0, 0 },
	{ "default: relay from loopback", "", RESTRICT_RCPT,
	    RCPT("127.0.0.1", "a@example.com", "u@remote.example"), PERMIT,
	    NULL, 0, 0 },
	{ "default: relay from ::1", "", RESTRICT_RCPT,
	    RCPT("::1", "a@example.com", "u@remote.example"), PERMIT, NULL, 0,
	    0 },
	{ "default: relay from ::ffff:127.0.0.1", "", RESTRICT_RCPT,
	    RCPT("::ffff:127.0.0.1", "a@example.com", "u@remote.example"),
	    PERMIT, NULL, 0, 0 },
	{ "default: unknown local user", "", RESTRICT_RCPT,
	    RCPT(OUT, "a@example.com", "no-such-user-xyz@mx.example.test"),
	    REJECT, "550 5.1.1 <no-such-user-xyz@mx.example.test>: Recipient "
	    "address rejected: User unknown in local recipient table", 0, 0 },
	{ "default: unknown user at localhost", "", RESTRICT_RCPT,
	    RCPT(OUT, "a@example.com", "no-such-user-xyz@localhost"),
	    REJECT, "550 5.1.1 <no-such-user-xyz@localhost>: Recipient "
	    "address rejected: User unknown in local recipient table", 0, 0 },
	{ "default: postmaster@ is never unknown", "", RESTRICT_RCPT,
	    RCPT(OUT, "a@example.com", "Postmaster@mx.example.test"), PERMIT,
	    NULL, 0, 0 },
	{ "postmaster always accepted", "smtpd_recipient_restrictions = "
	    "reject\n", RESTRICT_RCPT, RCPT(OUT, "a@example.com",
	    "postmaster"), PERMIT, NULL, 0, 0 },
	{ "unlisted recipient check off", "smtpd_reject_unlisted_recipient = "
	    "no\n", RESTRICT_RCPT, RCPT(OUT, "a@example.com",
	    "no-such-user-xyz@mx.example.test"), PERMIT, NULL, 0, 0 },
	{ "empty local_recipient_maps: no check", "local_recipient_maps =\n",
	    RESTRICT_RCPT, RCPT(OUT, "a@example.com",
	    "no-such-user-xyz@mx.example.test"), PERMIT, NULL, 0, 0 },
	{ "static:any local_recipient_maps", "local_recipient_maps = "
	    "static:any\n", RESTRICT_RCPT, RCPT(OUT, "a@example.com",
	    "anyone@mx.example.test"), PERMIT, NULL, 0, 0 },
	{ "reject_unlisted_recipient explicit", "smtpd_reject_unlisted_"
	    "recipient = no\nsmtpd_recipient_restrictions = "
	    "reject_unlisted_recipient\n", RESTRICT_RCPT, RCPT(OUT,
	    "a@example.com", "nobody-xyz@mx.example.test"), REJECT,
	    "550 5.1.1 <nobody-xyz@mx.example.test>: Recipient address "
	    "rejected: User unknown in local recipient table", 0, 0 },
	{ "reject_unlisted_sender", "smtpd_sender_restrictions = "
	    "reject_unlisted_sender\n", RESTRICT_RCPT, RCPT(OUT,
	    "ghost-xyz@mx.example.test", LOCAL), REJECT,
	    "550 5.1.0 <ghost-xyz@mx.example.test>: Sender address "
	    "rejected: User unknown in local recipient table", 0, 0 },
	{ "smtpd_reject_unlisted_sender = yes", "smtpd_reject_unlisted_sender"
	    " = yes\n", RESTRICT_RCPT, RCPT(OUT, "ghost-xyz@localhost", LOCAL),
	    REJECT, "550 5.1.0 <ghost-xyz@localhost>: Sender address "
	    "rejected: User unknown in local recipient table", 0, 0 },
	{ "relay_recipient_maps", "relay_domains = relay.example\n"
	    "relay_recipient_maps = inline:{ known@relay.example = x }\n",
	    RESTRICT_RCPT, RCPT(OUT, "a@example.com", "who@relay.example"),
	    REJECT, "550 5.1.1 <who@relay.example>: Recipient address "
	    "rejected: User unknown in relay recipient table", 0, 0 },
	{ "relay_recipient_maps: known", "relay_domains = relay.example\n"
	    "relay_recipient_maps = inline:{ known@relay.example = x }\n",
	    RESTRICT_RCPT, RCPT(OUT, "a@example.com", "known@relay.example"),
	    PERMIT, NULL, 0, 0 },

	/*
	 * Generic restrictions.
	 */
	{ "reject", "smtpd_client_restrictions = reject\n", RESTRICT_RCPT,
	    RCPT(OUT, "a@example.com", LOCAL), REJECT,
	    "554 5.7.1 <unknown[192.0.2.1]>: Client host rejected: Access "
	    "denied", 0, 0 },
	{ "defer", "smtpd_helo_restrictions = defer\n", RESTRICT_RCPT,
	    RCPT(OUT, "a@example.com", LOCAL), DEFER,
	    "450 4.3.2 <client.example.com>: Helo command rejected: Try "
	    "again later", 0, 0 },
	{ "permit ends one list only", "smtpd_client_restrictions = permit, "
	    "reject\nsmtpd_sender_restrictions = reject\n", RESTRICT_RCPT,
	    RCPT(OUT, "a@example.com", LOCAL), REJECT,
	    "554 5.7.1 <a@example.com>: Sender address rejected: Access "
	    "denied", 0, 0 },
	{ "defer_if_permit, then permit", "smtpd_sender_restrictions = "
	    "defer_if_permit, permit\n", RESTRICT_RCPT,
	    RCPT(OUT, "a@example.com", LOCAL), DEFER,
	    "450 4.7.0 <a@example.com>: Sender address rejected: "
	    "defer_if_permit requested", 0, 0 },
	{ "defer_if_permit, then reject", "smtpd_sender_restrictions = "
	    "defer_if_permit\nsmtpd_recipient_restrictions = reject\n",
	    RESTRICT_RCPT, RCPT(OUT, "a@example.com", LOCAL), REJECT,
	    "554 5.7.1 <root@mx.example.test>: Recipient address rejected: "
	    "Access denied", 0, 0 },
	{ "defer_if_reject, then reject", "smtpd_recipient_restrictions = "
	    "defer_if_reject, reject\n", RESTRICT_RCPT,
	    RCPT(OUT, "a@example.com", LOCAL), DEFER,
	    "450 4.7.0 <root@mx.example.test>: Recipient address rejected: "
	    "defer_if_reject requested", 0, 0 },
	{ "soft_bounce", "soft_bounce = yes\nsmtpd_client_restrictions = "
	    "reject\n", RESTRICT_RCPT, RCPT(OUT, "a@example.com", LOCAL),
	    DEFER, "454 4.7.1 <unknown[192.0.2.1]>: Client host rejected: "
	    "Access denied", 0, 0 },
	{ "reject_code", "reject_code = 550\nsmtpd_client_restrictions = "
	    "reject\n", RESTRICT_RCPT, RCPT(OUT, "a@example.com", LOCAL),
	    REJECT, "550 5.7.1 <unknown[192.0.2.1]>: Client host rejected: "
	    "Access denied", 0, 0 },

	/*
	 * Delayed rejects.
	 */
	{ "delay_reject: CONNECT permits", "smtpd_client_restrictions = "
	    "reject\n", RESTRICT_CONNECT, INFO(OUT, NULL, NULL, NULL, NULL,
	    0, 0), PERMIT, NULL, 0, 0 },
	{ "delay_reject: MAIL permits", "smtpd_sender_restrictions = "
	    "reject\n", RESTRICT_MAIL, INFO(OUT, NULL, "h.example.com",
	    "a@example.com", NULL, 0, 0), PERMIT, NULL, 0, 0 },
	{ "no delay_reject: CONNECT rejects", "smtpd_delay_reject = no\n"
	    "smtpd_client_restrictions = reject\n", RESTRICT_CONNECT,
	    INFO(OUT, NULL, NULL, NULL, NULL, 0, 0), REJECT,
	    "554 5.7.1 <unknown[192.0.2.1]>: Client host rejected: Access "
	    "denied", 0, 0 },
	{ "no delay_reject: HELO rejects", "smtpd_delay_reject = no\n"
	    "smtpd_helo_restrictions = reject_non_fqdn_helo_hostname\n",
	    RESTRICT_HELO, INFO(OUT, NULL, "shorty", NULL, NULL, 0, 0), REJECT,
	    "504 5.5.2 <shorty>: Helo command rejected: need "
	    "fully-qualified hostname", 0, 0 },
	{ "no delay_reject: MAIL rejects", "smtpd_delay_reject = no\n"
	    "smtpd_sender_restrictions = reject\n", RESTRICT_MAIL,
	    INFO(OUT, NULL, "h.example.com", "a@example.com", NULL, 0, 0),
	    REJECT, "554 5.7.1 <a@example.com>: Sender address rejected: "
	    "Access denied", 0, 0 },
	{ "no delay_reject: RCPT skips earlier lists", "smtpd_delay_reject = "
	    "no\nsmtpd_client_restrictions = reject\n", RESTRICT_RCPT,
	    RCPT(OUT, "a@example.com", LOCAL), PERMIT, NULL, 0, 0 },

	/*
	 * mynetworks.
	 */
	{ "mynetworks: IPv6 CIDR", "mynetworks = [2001:db8::]/32\n",
	    RESTRICT_RCPT, RCPT("2001:db8:1::5", "a@example.com",
	    "u@remote.example"), PERMIT, NULL, 0, 0 },
	{ "mynetworks: bare IPv6 CIDR", "mynetworks = 2001:db8::/32\n",
	    RESTRICT_RCPT, RCPT("2001:db9::5", "a@example.com",
	    "u@remote.example"), DEFER,
	    "454 4.7.1 <u@remote.example>: Relay access denied", 0, 0 },
	{ "mynetworks: negation first", "mynetworks = !192.0.2.1, "
	    "192.0.2.0/24\n", RESTRICT_RCPT, RCPT(OUT, "a@example.com",
	    "u@remote.example"), DEFER,
	    "454 4.7.1 <u@remote.example>: Relay access denied", 0, 0 },
	{ "mynetworks: /24", "mynetworks = !192.0.2.1, 192.0.2.0/24\n",
	    RESTRICT_RCPT, RCPT("192.0.2.2", "a@example.com",
	    "u@remote.example"), PERMIT, NULL, 0, 0 },
	{ "mynetworks: table", "mynetworks = inline:{ 192.0.2.1 = ok }\n",
	    RESTRICT_RCPT, RCPT(OUT, "a@example.com", "u@remote.example"),
	    PERMIT, NULL, 0, 0 },
	{ "mynetworks: host name", "mynetworks = trusted.example\n",
	    RESTRICT_RCPT, INFO(OUT, "mail.trusted.example", "h.example.com",
	    "a@example.com", "u@remote.example", 0, 0), PERMIT, NULL, 0, 0 },
	{ "mynetworks: /file", "mynetworks = @T@/networks\n",
	    RESTRICT_RCPT, RCPT("198.51.100.7", "a@example.com",
	    "u@remote.example"), PERMIT, NULL, 0, 0 },

	/*
	 * Relay control.
	 */
	{ "relay_domains: subdomain", "relay_domains = example.net\n",
	    RESTRICT_RCPT, RCPT(OUT, "a@example.com", "u@sub.example.net"),
	    PERMIT, NULL, 0, 0 },
	{ "relay_domains: a parent is not a subdomain", "relay_domains = "
	    "sub.example.net\n", RESTRICT_RCPT, RCPT(OUT, "a@example.com",
	    "u@example.net"), DEFER,
	    "454 4.7.1 <u@example.net>: Relay access denied", 0, 0 },
	{ "our address literal", "local_recipient_maps = static:any\n",
	    RESTRICT_RCPT, RCPT(OUT, "a@example.com", "u@[127.0.0.1]"),
	    PERMIT, NULL, 0, 0 },
	{ "someone else's address literal", "", RESTRICT_RCPT,
	    RCPT(OUT, "a@example.com", "u@[192.0.2.200]"), DEFER,
	    "454 4.7.1 <u@[192.0.2.200]>: Relay access denied", 0, 0 },
	{ "reject_unauth_destination", "smtpd_relay_restrictions = "
	    "reject_unauth_destination\n", RESTRICT_RCPT, RCPT("127.0.0.1",
	    "a@example.com", "u@remote.example"), REJECT,
	    "554 5.7.1 <u@remote.example>: Relay access denied", 0, 0 },
	{ "relay_domains_reject_code", "relay_domains_reject_code = 550\n"
	    "smtpd_relay_restrictions = reject_unauth_destination\n",
	    RESTRICT_RCPT, RCPT(OUT, "a@example.com", "u@remote.example"),
	    REJECT, "550 5.7.1 <u@remote.example>: Relay access denied", 0,
	    0 },
	{ "permit_auth_destination", "smtpd_relay_restrictions = "
	    "permit_auth_destination, reject\n", RESTRICT_RCPT,
	    RCPT(OUT, "a@example.com", LOCAL), PERMIT, NULL, 0, 0 },
	{ "relay before recipient restrictions (compatibility 3.6)",
	    "smtpd_recipient_restrictions = reject\n", RESTRICT_RCPT,
	    RCPT(OUT, "a@example.com", "u@remote.example"), DEFER,
	    "454 4.7.1 <u@remote.example>: Relay access denied", 0, 0 },
	{ "recipient restrictions first (compatibility 2)",
	    "compatibility_level = 2\nsmtpd_recipient_restrictions = "
	    "reject\n", RESTRICT_RCPT, RCPT(OUT, "a@example.com",
	    "u@remote.example"), REJECT,
	    "554 5.7.1 <u@remote.example>: Recipient address rejected: "
	    "Access denied", 0, 0 },

	/*
	 * Access tables.
	 */
	{ "client access: name and parents", "smtpd_client_restrictions = "
	    "check_client_access inline:{ bad.example = REJECT }\n",
	    RESTRICT_RCPT, INFO(OUT, "mail.bad.example", "h.example.com",
	    "a@example.com", LOCAL, 0, 0), REJECT,
	    "554 5.7.1 <mail.bad.example[192.0.2.1]>: Client host rejected: "
	    "Access denied", 0, 0 },
	{ "client access: network prefix", "smtpd_client_restrictions = "
	    "check_client_access inline:{ {192.0.2 = REJECT go away} }\n",
	    RESTRICT_RCPT, RCPT(OUT, "a@example.com", LOCAL), REJECT,
	    "554 5.7.1 <unknown[192.0.2.1]>: Client host rejected: go away",
	    0, 0 },
	{ "client access: name wins over address", "smtpd_client_restrictions"
	    " = check_client_access inline:{ {good.example = OK}, "
	    "{192.0.2.1 = REJECT} }, reject\n", RESTRICT_RCPT,
	    INFO(OUT, "good.example", "h.example.com", "a@example.com", LOCAL,
	    0, 0), PERMIT, NULL, 0, 0 },
	{ "helo access", "smtpd_helo_restrictions = check_helo_access "
	    "inline:{ {localhost = REJECT You are not me} }\n", RESTRICT_RCPT,
	    INFO(OUT, NULL, "localhost", "a@example.com", LOCAL, 0, 0), REJECT,
	    "554 5.7.1 <localhost>: Helo command rejected: You are not me",
	    0, 0 },
	{ "sender access: DEFER", "smtpd_sender_restrictions = "
	    "check_sender_access inline:{ example.com = DEFER }\n",
	    RESTRICT_RCPT, RCPT(OUT, "a@example.com", LOCAL), DEFER,
	    "450 4.7.1 <a@example.com>: Sender address rejected: Access "
	    "denied", 0, 0 },
	{ "sender access: user@ key", "smtpd_sender_restrictions = "
	    "check_sender_access inline:{ {abuse@ = REJECT 5.7.2 no} }\n",
	    RESTRICT_RCPT, RCPT(OUT, "abuse@example.com", LOCAL), REJECT,
	    "554 5.7.2 <abuse@example.com>: Sender address rejected: no", 0,
	    0 },
	{ "sender access: access_map_reject_code", "access_map_reject_code ="
	    " 550\nsmtpd_sender_restrictions = check_sender_access "
	    "inline:{ example.com = REJECT }\n", RESTRICT_RCPT,
	    RCPT(OUT, "a@example.com", LOCAL), REJECT,
	    "550 5.7.1 <a@example.com>: Sender address rejected: Access "
	    "denied", 0, 0 },
	{ "sender access: 4NN text", "smtpd_sender_restrictions = "
	    "check_sender_access inline:{ {example.com = 450 try later} }\n",
	    RESTRICT_RCPT, RCPT(OUT, "a@example.com", LOCAL), DEFER,
	    "450 4.7.1 <a@example.com>: Sender address rejected: try later",
	    0, 0 },
	{ "sender access: a recipient code fitted to the sender",
	    "smtpd_sender_restrictions = check_sender_access "
	    "inline:{ {example.com = 550 5.1.1 no such user} }\n",
	    RESTRICT_RCPT, RCPT(OUT, "a@example.com", LOCAL), REJECT,
	    "550 5.1.8 <a@example.com>: Sender address rejected: no such user",
	    0, 0 },
	{ "recipient access: 5NN with code", "smtpd_recipient_restrictions ="
	    " check_recipient_access inline:{ {root@mx.example.test = 551 "
	    "5.1.6 moved away} }\n", RESTRICT_RCPT, RCPT(OUT, "a@example.com",
	    LOCAL), REJECT, "551 5.1.6 <root@mx.example.test>: Recipient "
	    "address rejected: moved away", 0, 0 },
	{ "access: code class fixes the status class",
	    "smtpd_sender_restrictions = check_sender_access "
	    "inline:{ {example.com = 450 5.7.1 wait} }\n", RESTRICT_RCPT,
	    RCPT(OUT, "a@example.com", LOCAL), DEFER,
	    "450 4.7.1 <a@example.com>: Sender address rejected: wait", 0, 0 },
	{ "access: all digits means OK", "smtpd_sender_restrictions = "
	    "check_sender_access inline:{ example.com = 12345 }, reject\n",
	    RESTRICT_RCPT, RCPT(OUT, "a@example.com", LOCAL), PERMIT, NULL, 0,
	    0 },
	{ "access: a bare code is OK too", "smtpd_sender_restrictions = "
	    "check_sender_access inline:{ example.com = 550 }, reject\n",
	    RESTRICT_RCPT, RCPT(OUT, "a@example.com", LOCAL), PERMIT, NULL, 0,
	    0 },
	{ "access: DUNNO goes on", "smtpd_sender_restrictions = "
	    "check_sender_access inline:{ {a@example.com = DUNNO}, "
	    "{example.com = REJECT} }, permit\n", RESTRICT_RCPT,
	    RCPT(OUT, "a@example.com", LOCAL), PERMIT, NULL, 0, 0 },
	{ "access: DEFER_IF_PERMIT", "smtpd_sender_restrictions = "
	    "check_sender_access inline:{ example.com = DEFER_IF_PERMIT }\n",
	    RESTRICT_RCPT, RCPT(OUT, "a@example.com", LOCAL), DEFER,
	    "450 4.7.1 <a@example.com>: Sender address rejected: Service "
	    "unavailable", 0, 0 },
	{ "access: PERMIT names the restriction", "smtpd_sender_restrictions"
	    " = check_sender_access inline:{ example.com = PERMIT }, reject\n",
	    RESTRICT_RCPT, RCPT(OUT, "a@example.com", LOCAL), PERMIT, NULL, 0,
	    0 },
	{ "access: null sender key", "smtpd_sender_restrictions = "
	    "check_sender_access inline:{ {<> = REJECT no bounces} }\n",
	    RESTRICT_RCPT, RCPT(OUT, "", LOCAL), REJECT,
	    "554 5.7.1 <>: Sender address rejected: no bounces", 0, 0 },
	{ "access: quoted local part", "smtpd_sender_restrictions = "
	    "check_sender_access inline:{ {john doe@example.com = REJECT "
	    "quoted} }\n", RESTRICT_RCPT,
	    RCPT(OUT, "\"john doe\"@example.com", LOCAL), REJECT,
	    "554 5.7.1 <\"john doe\"@example.com>: Sender address rejected: "
	    "quoted", 0, 0 },
	{ "access: HOLD", "smtpd_sender_restrictions = check_sender_access "
	    "texthash:@T@/lists\n", RESTRICT_RCPT, RCPT(OUT,
	    "hold@example.com", LOCAL), PERMIT, NULL, 1, 0 },
	{ "access: DISCARD skips the rest", "smtpd_sender_restrictions = "
	    "check_sender_access texthash:@T@/lists\n"
	    "smtpd_recipient_restrictions = reject\n", RESTRICT_RCPT,
	    RCPT(OUT, "discard@example.com", LOCAL), PERMIT, NULL, 0, 1 },
	{ "access: WARN goes on", "smtpd_sender_restrictions = "
	    "check_sender_access texthash:@T@/lists, reject\n",
	    RESTRICT_RCPT, RCPT(OUT, "warn@example.com", LOCAL), REJECT,
	    "554 5.7.1 <warn@example.com>: Sender address rejected: Access "
	    "denied", 0, 0 },
	{ "access: FILTER unsupported, ignored", "smtpd_sender_restrictions ="
	    " check_sender_access texthash:@T@/lists\n", RESTRICT_RCPT,
	    RCPT(OUT, "filter@example.com", LOCAL), PERMIT, NULL, 0, 0 },
	{ "access: a restriction as result", "smtpd_sender_restrictions = "
	    "check_sender_access texthash:@T@/lists\n", RESTRICT_RCPT,
	    RCPT(OUT, "nx@example.com", LOCAL), PERMIT, NULL, 0, 0 },
	{ "access: a restriction list as result", "smtpd_recipient_"
	    "restrictions = check_sender_access texthash:@T@/lists, reject\n"
	    "smtpd_relay_restrictions = permit_mynetworks, "
	    "reject_unauth_destination\n", RESTRICT_RCPT,
	    RCPT("127.0.0.1", "two@example.com", "bob"), REJECT,
	    "504 5.5.2 <bob>: Recipient address rejected: need "
	    "fully-qualified address", 0, 0 },
	{ "access: restriction class as result", "smtpd_restriction_classes ="
	    " strict_class\nstrict_class = reject_non_fqdn_recipient, "
	    "reject\nsmtpd_sender_restrictions = check_sender_access "
	    "texthash:@T@/lists\n", RESTRICT_RCPT,
	    RCPT(OUT, "strict@example.com", LOCAL), REJECT,
	    "554 5.7.1 <strict@example.com>: Sender address rejected: Access "
	    "denied", 0, 0 },
	{ "class that names itself", "smtpd_restriction_classes = looping\n"
	    "looping = looping\nsmtpd_sender_restrictions = "
	    "check_sender_access texthash:@T@/lists\n", RESTRICT_RCPT,
	    RCPT(OUT, "loop@example.com", LOCAL), DEFER,
	    "451 4.3.5 Server configuration error", 0, 0 },
	{ "table named in a table result", "smtpd_sender_restrictions = "
	    "check_sender_access texthash:@T@/lists\n", RESTRICT_RCPT,
	    RCPT(OUT, "table@example.com", LOCAL), DEFER,
	    "451 4.3.5 Server configuration error", 0, 0 },
	{ "class in a list", "smtpd_restriction_classes = mine\nmine = "
	    "check_sender_access inline:{ example.com = REJECT mine }\n"
	    "smtpd_sender_restrictions = mine\n", RESTRICT_RCPT,
	    RCPT(OUT, "a@example.com", LOCAL), REJECT,
	    "554 5.7.1 <a@example.com>: Sender address rejected: mine", 0, 0 },
	{ "bare table in a class: the caller's check",
	    "smtpd_restriction_classes = mine\nmine = inline:{ {"
	    "root@mx.example.test = REJECT by class} }\n"
	    "smtpd_recipient_restrictions = mine\n", RESTRICT_RCPT,
	    RCPT(OUT, "a@example.com", LOCAL), REJECT,
	    "554 5.7.1 <root@mx.example.test>: Recipient address rejected: "
	    "by class", 0, 0 },
	{ "table lookup error is temporary", "smtpd_sender_restrictions = "
	    "check_sender_access inline:{ a = b }\n", RESTRICT_RCPT,
	    RCPT(OUT, "@LONG@", LOCAL), DEFER,
	    "451 4.3.0 <xxxxxxxx*", 0, 0 },

	/*
	 * Address and name checks.
	 */
	{ "non-FQDN sender", "smtpd_sender_restrictions = "
	    "reject_non_fqdn_sender\n", RESTRICT_RCPT,
	    RCPT(OUT, "a@localhost", LOCAL), REJECT,
	    "504 5.5.2 <a@localhost>: Sender address rejected: need "
	    "fully-qualified address", 0, 0 },
	{ "non-FQDN sender: <> is fine", "smtpd_sender_restrictions = "
	    "reject_non_fqdn_sender\n", RESTRICT_RCPT, RCPT(OUT, "", LOCAL),
	    PERMIT, NULL, 0, 0 },
	{ "non-FQDN sender: literal is fine", "smtpd_sender_restrictions = "
	    "reject_non_fqdn_sender\n", RESTRICT_RCPT,
	    RCPT(OUT, "a@[192.0.2.1]", LOCAL), PERMIT, NULL, 0, 0 },
	{ "non_fqdn_reject_code", "non_fqdn_reject_code = 550\n"
	    "smtpd_sender_restrictions = reject_non_fqdn_sender\n",
	    RESTRICT_RCPT, RCPT(OUT, "a", LOCAL), REJECT,
	    "550 5.5.2 <a>: Sender address rejected: need fully-qualified "
	    "address", 0, 0 },
	{ "invalid HELO name", "smtpd_helo_restrictions = "
	    "reject_invalid_helo_hostname\n", RESTRICT_RCPT,
	    INFO(OUT, NULL, "bad_host!", "a@example.com", LOCAL, 0, 0), REJECT,
	    "501 5.5.2 <bad_host!>: Helo command rejected: Invalid name", 0,
	    0 },
	{ "invalid HELO literal", "smtpd_helo_restrictions = "
	    "reject_invalid_helo_hostname\n", RESTRICT_RCPT,
	    INFO(OUT, NULL, "[999.1.1.1]", "a@example.com", LOCAL, 0, 0),
	    REJECT, "501 5.5.2 <[999.1.1.1]>: Helo command rejected: invalid "
	    "ip address", 0, 0 },
	{ "valid HELO literal", "smtpd_helo_restrictions = "
	    "reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname\n",
	    RESTRICT_RCPT, INFO(OUT, NULL, "[192.0.2.1]", "a@example.com",
	    LOCAL, 0, 0), PERMIT, NULL, 0, 0 },
	{ "valid HELO name with dot at end", "smtpd_helo_restrictions = "
	    "reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname\n",
	    RESTRICT_RCPT, INFO(OUT, NULL, "mail.example.com.",
	    "a@example.com", LOCAL, 0, 0), PERMIT, NULL, 0, 0 },
	{ "unknown HELO name", "smtpd_helo_restrictions = "
	    "reject_unknown_helo_hostname\n", RESTRICT_RCPT,
	    INFO(OUT, NULL, "nx.test", "a@example.com", LOCAL, 0, 0), DEFER,
	    "450 4.7.1 <nx.test>: Helo command rejected: Host not found", 0,
	    0 },
	{ "known HELO name", "smtpd_helo_restrictions = "
	    "reject_unknown_helo_hostname\n", RESTRICT_RCPT,
	    INFO(OUT, NULL, "helo.example.com", "a@example.com", LOCAL, 0, 0),
	    PERMIT, NULL, 0, 0 },
	{ "unknown sender domain: DNS down", "smtpd_sender_restrictions = "
	    "reject_unknown_sender_domain\n", RESTRICT_RCPT,
	    RCPT(OUT, "a@broken.test", LOCAL), DEFER,
	    "450 4.1.8 <a@broken.test>: Sender address rejected: Domain not "
	    "found", 0, 0 },
	{ "unknown sender domain: DNS down, then reject",
	    "smtpd_sender_restrictions = reject_unknown_sender_domain\n"
	    "smtpd_recipient_restrictions = reject\n", RESTRICT_RCPT,
	    RCPT(OUT, "a@broken.test", LOCAL), REJECT,
	    "554 5.7.1 <root@mx.example.test>: Recipient address rejected: "
	    "Access denied", 0, 0 },
	{ "unknown_address_tempfail_action = defer",
	    "unknown_address_tempfail_action = defer\n"
	    "smtpd_sender_restrictions = reject_unknown_sender_domain\n"
	    "smtpd_recipient_restrictions = reject\n", RESTRICT_RCPT,
	    RCPT(OUT, "a@broken.test", LOCAL), DEFER,
	    "450 4.1.8 <a@broken.test>: Sender address rejected: Domain not "
	    "found", 0, 0 },
	{ "unknown_address_reject_code = 550", "unknown_address_reject_code ="
	    " 550\nsmtpd_sender_restrictions = reject_unknown_sender_domain\n",
	    RESTRICT_RCPT, RCPT(OUT, "a@nx.test", LOCAL), REJECT,
	    "550 5.1.8 <a@nx.test>: Sender address rejected: Domain not "
	    "found", 0, 0 },
	{ "sender domain with AAAA only", "smtpd_sender_restrictions = "
	    "reject_unknown_sender_domain\n", RESTRICT_RCPT,
	    RCPT(OUT, "a@aaaa-only.test", LOCAL), PERMIT, NULL, 0, 0 },
	{ "sender domain with null MX", "smtpd_sender_restrictions = "
	    "reject_unknown_sender_domain\n", RESTRICT_RCPT,
	    RCPT(OUT, "a@nullmx.test", LOCAL), REJECT,
	    "550 5.7.27 <a@nullmx.test>: Sender address rejected: Domain "
	    "nullmx.test does not accept mail (nullMX)", 0, 0 },
	{ "local sender domain needs no DNS", "smtpd_sender_restrictions = "
	    "reject_unknown_sender_domain\n", RESTRICT_RCPT,
	    RCPT(OUT, "a@mx.example.test", LOCAL), PERMIT, NULL, 0, 0 },
	{ "unknown recipient domain", "smtpd_recipient_restrictions = "
	    "reject_unknown_recipient_domain\n", RESTRICT_RCPT,
	    RCPT("127.0.0.1", "a@example.com", "u@nx.test"), DEFER,
	    "450 4.1.2 <u@nx.test>: Recipient address rejected: Domain not "
	    "found", 0, 0 },
	{ "rbl reply filter: other code", "smtpd_client_restrictions = "
	    "reject_rbl_client list.example=127.0.0.2\n", RESTRICT_RCPT,
	    RCPT("192.0.2.99", "a@example.com", LOCAL), PERMIT, NULL, 0, 0 },
	{ "rbl reply filter: its code", "smtpd_client_restrictions = "
	    "reject_rbl_client list.example=127.0.0.4\n", RESTRICT_RCPT,
	    RCPT("192.0.2.99", "a@example.com", LOCAL), REJECT,
	    "554 5.7.1 Service unavailable; Client host [192.0.2.99] blocked "
	    "using list.example", 0, 0 },
	{ "multi-recipient bounce at DATA", "smtpd_data_restrictions = "
	    "reject_multi_recipient_bounce\n", RESTRICT_DATA,
	    INFO(OUT, NULL, "h.example.com", "", NULL, 2, 0), REJECT,
	    "550 5.5.3 <DATA>: Data command rejected: Multi-recipient bounce",
	    0, 0 },
	{ "one-recipient bounce at DATA", "smtpd_data_restrictions = "
	    "reject_multi_recipient_bounce\n", RESTRICT_DATA,
	    INFO(OUT, NULL, "h.example.com", "", NULL, 1, 0), PERMIT, NULL, 0,
	    0 },
	{ "ETRN: an empty list permits", "", RESTRICT_ETRN,
	    ETRN(OUT, "example.com"), PERMIT, NULL, 0, 0 },
	{ "ETRN: permit_mynetworks, reject: from mynetworks",
	    "smtpd_etrn_restrictions = permit_mynetworks, reject\n",
	    RESTRICT_ETRN, ETRN("127.0.0.1", "example.com"), PERMIT, NULL, 0,
	    0 },
	{ "ETRN: permit_mynetworks, reject: from outside",
	    "smtpd_etrn_restrictions = permit_mynetworks, reject\n",
	    RESTRICT_ETRN, ETRN(OUT, "example.com"), REJECT,
	    "554 5.7.1 <example.com>: Etrn command rejected: Access denied",
	    0, 0 },
	{ "ETRN: check_etrn_access on a parent domain",
	    "smtpd_etrn_restrictions = check_etrn_access "
	    "inline:{example.com=REJECT no flushing}\n", RESTRICT_ETRN,
	    ETRN(OUT, "mx.example.com"), REJECT,
	    "554 5.7.1 <mx.example.com>: Etrn command rejected: no flushing",
	    0, 0 },
	{ "ETRN: a bare table looks up the domain",
	    "smtpd_etrn_restrictions = inline:{other.example=OK}, reject\n",
	    RESTRICT_ETRN, ETRN(OUT, "other.example"), PERMIT, NULL, 0, 0 },
	{ "ETRN: client restrictions apply first (delayed rejects)",
	    "smtpd_client_restrictions = reject\n", RESTRICT_ETRN,
	    ETRN(OUT, "example.com"), REJECT, "554 5.7.1 <unknown[" OUT "]>: "
	    "Client host rejected: Access denied", 0, 0 },
};

/* Configurations restrict_open() must refuse, and why. */
static const struct {
	const char	*cf, *err;
} bad_cases[] = {
	{ "smtpd_client_restrictions = bogus\n",
	    "smtpd_client_restrictions: unknown restriction \"bogus\"" },
	{ "smtpd_client_restrictions = check_policy_service "
	    "inet:127.0.0.1:9998\n", "smtpd_client_restrictions: unknown "
	    "restriction \"check_policy_service\"" },
	{ "smtpd_sender_restrictions = check_sender_access\n",
	    "smtpd_sender_restrictions: restriction check_sender_access "
	    "requires a type:table argument" },
	{ "smtpd_client_restrictions = reject_rbl_client\n",
	    "smtpd_client_restrictions: restriction reject_rbl_client "
	    "requires a domain name argument" },
	{ "smtpd_relay_restrictions = permit_mynetworks\n",
	    "in parameter smtpd_relay_restrictions or "
	    "smtpd_recipient_restrictions, specify at least one working "
	    "instance of: reject_unauth_destination, defer_unauth_destination,"
	    " reject, defer or defer_if_permit" },
	{ "smtpd_relay_restrictions = permit, reject_unauth_destination\n",
	    "in parameter smtpd_relay_restrictions or "
	    "smtpd_recipient_restrictions, specify at least one working "
	    "instance of: reject_unauth_destination, defer_unauth_destination,"
	    " reject, defer or defer_if_permit" },
	{ "mynetworks = 10.0.0.1/8\n",
	    "mynetworks: non-null host address bits in \"10.0.0.1/8\"" },
	{ "mynetworks = 10.0.0.0/33\n",
	    "mynetworks: bad network mask in \"10.0.0.0/33\"" },
	{ "smtpd_restriction_classes = undefined_class\n",
	    "restriction class \"undefined_class\" needs a definition" },
	{ "smtpd_data_restrictions = inline:{ a = b }\n",
	    "smtpd_data_restrictions: a lookup table needs check_sender_access"
	    ", check_recipient_access or check_client_access before it" },
	{ "smtpd_client_restrictions = reject_rbl_client x=127.0.0.[2..4]\n",
	    "smtpd_client_restrictions: reply filter in "
	    "\"x=127.0.0.[2..4]\": only one IPv4 address is supported" },
	{ "unknown_address_tempfail_action = maybe\n",
	    "unknown_address_tempfail_action: bad value \"maybe\" (expected "
	    "defer_if_permit or defer)" },
};

/* subst - s with "@T@" replaced by the temp dir */
static void
subst(struct buf *out, const char *s)
{
	const char	*p;

	while ((p = strstr(s, "@T@")) != NULL) {
		buf_add(out, s, (size_t)(p - s));
		buf_adds(out, tmpdir);
		s = p + 3;
	}
	buf_adds(out, s);
}

/* load - base_cf plus the case's lines; 0 or -1 */
static int
load(const char *cf, struct buf *err)
{
	struct buf	 text = BUF_INIT;
	int		 rc;

	buf_adds(&text, base_cf);
	subst(&text, cf);
	rc = cfg_load_text(text.s, text.len, "main.cf", err);
	buf_free(&text);
	return rc;
}

/* run_case - one table row */
static void
run_case(const struct rcase *c)
{
	struct buf		 err = BUF_INIT, got = BUF_INIT;
	struct buf		 addr = BUF_INIT;
	struct restrict_ctx	*ctx;
	struct restrict_result	 res;
	struct restrict_info	 info = c->info;
	enum restrict_answer	 a;
	char			 name[200];
	size_t			 plen;

	if (load(c->cf, &err) < 0 || (ctx = restrict_open(&err)) == NULL) {
		ok(0, "%s: set-up: %s", c->name, buf_cstr(&err));
		buf_free(&err);
		return;
	}
	if (info.sender != NULL && strcmp(info.sender, "@LONG@") == 0) {
		for (int i = 0; i < 5000; i++)
			buf_addc(&addr, 'x');
		buf_adds(&addr, "@example.com");
		info.sender = addr.s;
	}
	restrict_result_init(&res);
	a = restrict_check(ctx, c->stage, &info, &res);
	snprintf(name, sizeof(name), "%s: answer", c->name);
	is_int(a, c->want, name);
	if (a != RESTRICT_PERMIT)
		buf_printf(&got, "%d %s %s", res.code, res.dsn,
		    buf_cstr(&res.text));
	snprintf(name, sizeof(name), "%s: reply", c->name);
	plen = c->reply != NULL ? strlen(c->reply) : 0;
	if (plen > 0 && c->reply[plen - 1] == '*')
		ok(got.len >= plen - 1 &&
		    memcmp(got.s, c->reply, plen - 1) == 0,
		    "%s (%.60s)", name, buf_cstr(&got));
	else
		is_str(a != RESTRICT_PERMIT ? got.s : NULL, c->reply, name);
	if (c->hold || c->discard) {
		snprintf(name, sizeof(name), "%s: flags", c->name);
		ok(res.hold == c->hold && res.discard == c->discard, "%s",
		    name);
	}
	restrict_result_free(&res);
	restrict_close(ctx);
	buf_free(&err);
	buf_free(&got);
	buf_free(&addr);
}

/* test_bad - configurations that must not open */
static void
test_bad(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct buf		 err = BUF_INIT;
		struct restrict_ctx	*ctx = NULL;

		if (load(bad_cases[i].cf, &err) == 0)
			ctx = restrict_open(&err);
		ok(ctx == NULL, "refused: %.*s", (int)strcspn(bad_cases[i].cf,
		    "\n"), bad_cases[i].cf);
		is_str(buf_cstr(&err), bad_cases[i].err, "  with the reason");
		restrict_close(ctx);
		buf_free(&err);
	}
}

/* test_missing_table - a table that cannot be opened fails the open */
static void
test_missing_table(void)
{
	struct buf		 err = BUF_INIT;
	struct restrict_ctx	*ctx = NULL;

	if (load("smtpd_client_restrictions = hash:/nonexistent/access\n",
	    &err) == 0)
		ctx = restrict_open(&err);
	ok(ctx == NULL && strncmp(buf_cstr(&err), "smtpd_client_restrictions: "
	    "", 27) == 0, "missing table: %s", buf_cstr(&err));
	restrict_close(ctx);
	buf_free(&err);
}

/* test_session - one result object kept over a transaction */
static void
test_session(void)
{
	struct buf		 err = BUF_INIT;
	struct restrict_ctx	*ctx;
	struct restrict_result	 res;
	struct restrict_info	 info = RCPT(OUT, "hold@example.com", LOCAL);

	if (load("smtpd_sender_restrictions = check_sender_access "
	    "texthash:@T@/lists\n", &err) < 0 ||
	    (ctx = restrict_open(&err)) == NULL) {
		ok(0, "session set-up: %s", buf_cstr(&err));
		buf_free(&err);
		return;
	}
	restrict_result_init(&res);
	is_int(restrict_check(ctx, RESTRICT_MAIL, &info, &res),
	    RESTRICT_PERMIT, "session: MAIL permitted");
	is_int(restrict_check(ctx, RESTRICT_RCPT, &info, &res),
	    RESTRICT_PERMIT, "session: RCPT permitted");
	info.recipient = "no-such-user-xyz@mx.example.test";
	info.nrcpt = 1;
	is_int(restrict_check(ctx, RESTRICT_RCPT, &info, &res),
	    RESTRICT_REJECT, "session: unknown user refused");
	is_int(res.code, 550, "session: with 550");
	ok(res.hold == 1, "session: HOLD kept for the message");
	restrict_result_free(&res);
	restrict_close(ctx);
	buf_free(&err);
}

/* write_file - a file in the temp dir */
static int
write_file(const char *name, const char *text)
{
	struct buf	 path = BUF_INIT;
	int		 rc;

	buf_printf(&path, "%s/%s", tmpdir, name);
	rc = file_replace(path.s, text, strlen(text), 0644);
	buf_free(&path);
	return rc;
}

int
main(void)
{
	struct buf	 path = BUF_INIT;
	int		 rc;

	/* Relative table names in main.cf are relative to the config
	 * directory: here, the top of the tree, where the tests run. */
	setenv("MAIL_CONFIG", ".", 1);
	log_open("test_restrict", "/dev/null");
	if (mkdtemp(tmpdir) == NULL || write_file("dns", dns_text) < 0 ||
	    write_file("lists", lists_text) < 0 ||
	    write_file("networks", "# trusted\n198.51.100.0/24\n") < 0) {
		ok(0, "temporary files");
		return tap_done();
	}
	buf_printf(&path, "%s/dns", tmpdir);
	setenv("PIPEMAIL_DNS_FILE", path.s, 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	test_bad();
	test_missing_table();
	test_session();
	rc = tap_done();
	buf_reset(&path);
	buf_printf(&path, "%s/dns", tmpdir);
	unlink(path.s);
	buf_reset(&path);
	buf_printf(&path, "%s/lists", tmpdir);
	unlink(path.s);
	buf_reset(&path);
	buf_printf(&path, "%s/networks", tmpdir);
	unlink(path.s);
	rmdir(tmpdir);
	buf_free(&path);
	return rc;
}
