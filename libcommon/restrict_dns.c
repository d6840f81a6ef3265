/*
 * restrict_dns - MX, address and TXT lookups for the SMTP restrictions
 * (see restrict_dns.h), from res_query(3) or from the test hook's file.
 *
 * Replies are parsed here (RFC 1035 4.1) rather than with libresolv's
 * ns_parse functions, so that the program needs nothing beyond libc:
 * res_query(), dn_expand() and dn_skipname() are in glibc's libc.
 */
#include "restrict_dns.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "file.h"
#include "mem.h"

#define RR_FIXED	10	/* type, class, ttl, rdlength */

/* One line of the test hook's file. */
struct fake_rr {
	char		*name;		/* lower case, no trailing dot */
	char		*type;		/* A, AAAA, MX, TXT, NXDOMAIN... */
	char		*data;
};

struct restrict_dns {
	int		 fake;		/* answers come from the file */
	struct fake_rr	*rr;
	size_t		 nrr;
};

static const char *const type_names[] = {
	[RDNS_A] = "A",
	[RDNS_AAAA] = "AAAA",
	[RDNS_MX] = "MX",
	[RDNS_TXT] = "TXT",
};

static const int type_codes[] = {
	[RDNS_A] = ns_t_a,
	[RDNS_AAAA] = ns_t_aaaa,
	[RDNS_MX] = ns_t_mx,
	[RDNS_TXT] = ns_t_txt,
};

/* norm_name - lower case, one trailing dot dropped */
static void
norm_name(struct buf *out, const char *s, size_t len)
{
	buf_set(out, s, len);
	buf_lower(out);
	if (out->len > 1 && out->s[out->len - 1] == '.')
		buf_truncate(out, out->len - 1);
}

/* known_type - is t a TYPE the fake file may use? */
static int
known_type(const char *t)
{
	static const char *const extra[] = { "NXDOMAIN", "SERVFAIL" };

	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcmp(t, type_names[i]) == 0)
			return 1;
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		if (strcmp(t, extra[i]) == 0)
			return 1;
	return 0;
}

/* fake_line - parse "NAME TYPE [DATA]"; -1 when malformed */
static int
fake_line(struct restrict_dns *d, const char *p, const char *end)
{
	const char	*name, *type, *data;
	size_t		 nlen, tlen;
	struct buf	 b = BUF_INIT;
	struct fake_rr	*rr;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		end--;
	if (p == end || *p == '#')
		return 0;
	for (name = p; p < end && *p != ' ' && *p != '\t'; p++)
		;
	nlen = (size_t)(p - name);
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	for (type = p; p < end && *p != ' ' && *p != '\t'; p++)
		;
	tlen = (size_t)(p - type);
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	data = p;
	if (tlen == 0 || nlen >= RDNS_NAME_MAX)
		return -1;
	d->rr = xreallocarray(d->rr, d->nrr + 1, sizeof(*d->rr));
	rr = &d->rr[d->nrr++];
	norm_name(&b, name, nlen);
	rr->name = buf_release(&b);
	rr->type = xstrndup(type, tlen);
	for (char *t = rr->type; *t != '\0'; t++)
		if (*t >= 'a' && *t <= 'z')
			*t = (char)(*t - 'a' + 'A');
	rr->data = xstrndup(data, (size_t)(end - data));
	return known_type(rr->type) ? 0 : -1;
}

/* fake_load - read the test hook's file */
static int
fake_load(struct restrict_dns *d, const char *path, struct buf *err)
{
	struct buf	 text = BUF_INIT;
	const char	*p, *end;
	size_t		 lineno = 0;

	if (file_read(path, &text, RDNS_FILE_MAX) < 0) {
		buf_printf(err, "%s: cannot read %s: %s", RDNS_ENV, path,
		    errno == EFBIG ? "file too large" : strerror(errno));
		buf_free(&text);
		return -1;
	}
	p = text.s;
	end = text.s + text.len;
	while (p < end) {
		const char	*nl = memchr(p, '\n', (size_t)(end - p));
		const char	*eol = nl != NULL ? nl : end;

		lineno++;
		if (fake_line(d, p, eol) < 0) {
			buf_printf(err, "%s:%zu: expected \"name A|AAAA|MX|"
			    "TXT data\" or \"name NXDOMAIN|SERVFAIL\"", path,
			    lineno);
			buf_free(&text);
			return -1;
		}
		p = nl != NULL ? nl + 1 : end;
	}
	buf_free(&text);
	return 0;
}

/* restrict_dns_open - the real resolver, or the test hook's answers */
struct restrict_dns *
restrict_dns_open(struct buf *err)
{
	struct restrict_dns	*d = xcalloc(1, sizeof(*d));
	const char		*path = getenv(RDNS_ENV);

	if (path != NULL && *path != '\0') {
		d->fake = 1;
		if (fake_load(d, path, err) < 0) {
			restrict_dns_close(d);
			return NULL;
		}
	}
	return d;
}

/* restrict_dns_fake - 1 when answers come from the test hook's file */
int
restrict_dns_fake(const struct restrict_dns *d)
{
	return d->fake;
}

/* fake_lookup - answer from the file (see restrict_dns.h) */
static enum rdns_result
fake_lookup(const struct restrict_dns *d, const char *name,
    enum rdns_type type, struct buf *text, struct buf *err)
{
	struct buf		 n = BUF_INIT;
	const char		*want = type_names[type];
	enum rdns_result	 r = RDNS_NOTFOUND;
	int			 found = 0;

	norm_name(&n, name, strlen(name));
	for (size_t i = 0; i < d->nrr; i++) {
		const struct fake_rr	*rr = &d->rr[i];

		if (strcmp(rr->name, n.s) != 0)
			continue;
		if (strcmp(rr->type, "SERVFAIL") == 0) {
			buf_printf(err, "Host or domain name not found. "
			    "Name service error for name=%s type=%s: Host "
			    "not found, try again", n.s, want);
			r = RDNS_TEMP;
			break;
		}
		if (strcmp(rr->type, "NXDOMAIN") == 0)
			break;
		if (strcmp(rr->type, want) != 0)
			continue;
		if (found && type == RDNS_TXT) {
			if (text->len + 3 < RDNS_TXT_MAX)
				buf_adds(text, " / ");
		} else if (found && type == RDNS_MX)
			continue;
		else if (found)
			buf_addc(text, ' ');
		buf_adds(text, rr->data);
		found = 1;
		r = RDNS_FOUND;
	}
	if (text->len > RDNS_TXT_MAX)
		buf_truncate(text, RDNS_TXT_MAX);
	buf_free(&n);
	return r;
}

/* get16 - a network-order 16-bit value */
static unsigned
get16(const unsigned char *p)
{
	return ((unsigned)p[0] << 8) | p[1];
}

/* add_txt - the character-strings of one TXT record (RFC 1035 3.3.14) */
static void
add_txt(struct buf *text, const unsigned char *p, size_t len)
{
	while (len > 0) {
		size_t	 n = p[0];

		if (n + 1 > len)
			break;
		buf_add(text, p + 1, n);
		p += n + 1;
		len -= n + 1;
	}
}

/* parse_reply - walk the answer section for records of type code */
static enum rdns_result
parse_reply(const unsigned char *msg, int len, int code, enum rdns_type type,
    struct buf *text, struct buf *err)
{
	const unsigned char	*p = msg + NS_HFIXEDSZ, *end = msg + len;
	unsigned		 qd, an;
	int			 n, found = 0;
	char			 name[RDNS_NAME_MAX];

	if (len < NS_HFIXEDSZ)
		goto bad;
	qd = get16(msg + 4);
	an = get16(msg + 6);
	while (qd-- > 0) {
		if ((n = dn_skipname(p, end)) < 0 || end - p < n + NS_QFIXEDSZ)
			goto bad;
		p += n + NS_QFIXEDSZ;
	}
	while (an-- > 0) {
		unsigned	 rtype, rdlen;

		if ((n = dn_skipname(p, end)) < 0 || end - p < n + RR_FIXED)
			goto bad;
		p += n;
		rtype = get16(p);
		rdlen = get16(p + 8);
		p += RR_FIXED;
		if ((size_t)(end - p) < rdlen)
			goto bad;
		if (rtype == (unsigned)code) {
			char	 addr[INET6_ADDRSTRLEN];

			switch (type) {
			case RDNS_A:
			case RDNS_AAAA:
				if (rdlen != (type == RDNS_A ? 4U : 16U))
					goto bad;
				if (found)
					buf_addc(text, ' ');
				buf_adds(text, inet_ntop(type == RDNS_A ?
				    AF_INET : AF_INET6, p, addr,
				    sizeof(addr)));
				break;
			case RDNS_MX:
				if (rdlen < 3 || dn_expand(msg, end, p + 2,
				    name, sizeof(name)) < 0)
					goto bad;
				if (!found)
					buf_sets(text, name[0] != '\0' ?
					    name : ".");
				break;
			case RDNS_TXT:
				if (found && text->len + 3 < RDNS_TXT_MAX)
					buf_adds(text, " / ");
				add_txt(text, p, rdlen);
				if (text->len > RDNS_TXT_MAX)
					buf_truncate(text, RDNS_TXT_MAX);
				break;
			}
			found = 1;
		}
		p += rdlen;
	}
	return found ? RDNS_FOUND : RDNS_NOTFOUND;
bad:
	buf_reset(err);
	buf_adds(err, "malformed DNS reply");
	return RDNS_TEMP;
}

/* restrict_dns_lookup - one question (see restrict_dns.h) */
enum rdns_result
restrict_dns_lookup(struct restrict_dns *d, const char *name,
    enum rdns_type type, struct buf *text, struct buf *err)
{
	unsigned char	*msg;
	int		 len;
	enum rdns_result r;

	buf_reset(text);
	if (d->fake)
		return fake_lookup(d, name, type, text, err);
	if (strlen(name) >= RDNS_NAME_MAX)
		return RDNS_NOTFOUND;
	msg = xmalloc(RDNS_ANSWER_MAX);
	len = res_query(name, ns_c_in, type_codes[type], msg,
	    RDNS_ANSWER_MAX);
	if (len < 0) {
		free(msg);
		switch (h_errno) {
		case HOST_NOT_FOUND:
		case NO_DATA:
			return RDNS_NOTFOUND;
		default:
			buf_reset(err);
			buf_printf(err, "%s lookup of %s: %s", type_names[type],
			    name, h_errno == TRY_AGAIN ? "temporary failure" :
			    "no answer");
			return RDNS_TEMP;
		}
	}
	if (len > RDNS_ANSWER_MAX)
		len = RDNS_ANSWER_MAX;	/* truncated reply: parse what fits */
	r = parse_reply(msg, len, type_codes[type], type, text, err);
	free(msg);
	return r;
}

/* restrict_dns_close - free the handle */
void
restrict_dns_close(struct restrict_dns *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->nrr; i++) {
		free(d->rr[i].name);
		free(d->rr[i].type);
		free(d->rr[i].data);
	}
	free(d->rr);
	free(d);
}
