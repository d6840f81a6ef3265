/*
 * address - mail addresses: SMTP paths, ESMTP parameters, RFC 5322
 * address lists, and the small utilities routing needs.
 */
#include "address.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codec.h"
#include "mem.h"

#define ATEXT_SPECIALS	"!#$%&'*+-/=?^_`{|}~"
#define LABEL_MAX	63		/* RFC 1035 2.3.4 */
#define LITERAL_MAX	64		/* fits any IPv4/IPv6 text form */

/*
 * Character classes and small helpers.
 */

/* is_alnum - ASCII letter or digit, whatever the locale */
static int
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* is_atext - RFC 5322 3.2.3 atext; RFC 6531/6532 add UTF-8 bytes */
static int
is_atext(unsigned char c, int utf8)
{
	if (c >= 0x80)
		return utf8;
	if (c == '\0')
		return 0;
	return is_alnum(c) || strchr(ATEXT_SPECIALS, c) != NULL;
}

/* is_wsp - RFC 5234 WSP */
static int
is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* has_8bit - any byte outside US-ASCII */
static int
has_8bit(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

/*
 * External and internal forms.
 */

/* addr_split - find the last '@' outside quotes; 1 and *at if there is one */
int
addr_split(const char *addr, size_t len, size_t *at)
{
	int	 quoted = 0, found = 0;

	for (size_t i = 0; i < len; i++) {
		if (addr[i] == '\\' && i + 1 < len)
			i++;
		else if (addr[i] == '"')
			quoted = !quoted;
		else if (addr[i] == '@' && !quoted)
			*at = i, found = 1;
	}
	return found;
}

/* addr_lower_domain - fold the domain of an address to lower case */
void
addr_lower_domain(struct buf *addr)
{
	size_t	 at;

	if (!addr_split(addr->s, addr->len, &at))
		return;
	for (size_t i = at + 1; i < addr->len; i++)
		if (addr->s[i] >= 'A' && addr->s[i] <= 'Z')
			addr->s[i] = (char)(addr->s[i] - 'A' + 'a');
}

/* addr_is_literal - is this domain an address literal such as [192.0.2.1] */
int
addr_is_literal(const char *domain)
{
	size_t	 len = strlen(domain);

	return len >= 3 && domain[0] == '[' && domain[len - 1] == ']';
}

/*
 * addr_is_fqdn - fully qualified for reject_non_fqdn_*: two or more
 * non-empty labels, or an address literal (Postfix lets those pass).
 */
int
addr_is_fqdn(const char *domain)
{
	size_t	 labels = 0, cur = 0;

	if (addr_is_literal(domain))
		return 1;
	for (const char *p = domain;; p++) {
		if (*p == '.' || *p == '\0') {
			if (cur == 0)
				return 0;
			labels++;
			cur = 0;
			if (*p == '\0')
				break;
		} else
			cur++;
	}
	return labels >= 2;
}

/* needs_quotes - is this unquoted local part not a dot-atom (RFC 5322 3.2.3) */
static int
needs_quotes(const char *s, size_t len)
{
	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return 1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.' && s[i + 1] == '.')
			return 1;
		if (s[i] != '.' && !is_atext((unsigned char)s[i], 1))
			return 1;
	}
	return 0;
}

/*
 * addr_quote_local - append an internal-form local part in external form,
 * quoted only when it is not a dot-atom (RFC 5321 4.1.2: "a Quoted-string
 * should be avoided if a Dot-string works").  Returns -1, appending
 * nothing, when it holds NUL, CR or LF, which no quoting can carry.
 */
int
addr_quote_local(const char *s, size_t len, struct buf *out)
{
	if (memchr(s, '\0', len) || memchr(s, '\r', len) ||
	    memchr(s, '\n', len))
		return -1;
	if (!needs_quotes(s, len)) {
		buf_add(out, s, len);
		return 0;
	}
	buf_addc(out, '"');
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			buf_addc(out, '\\');
		buf_addc(out, s[i]);
	}
	buf_addc(out, '"');
	return 0;
}

/*
 * addr_unquote_local - append an external-form local part in internal
 * form: quotes dropped, quoted pairs resolved.  -1 on an unterminated
 * quoted string or a trailing backslash (what was appended stays).
 */
int
addr_unquote_local(const char *s, size_t len, struct buf *out)
{
	int	 quoted = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\') {
			if (++i == len)
				return -1;
			buf_addc(out, s[i]);
		} else if (s[i] == '"')
			quoted = !quoted;
		else
			buf_addc(out, s[i]);
	}
	return quoted ? -1 : 0;
}

/* addr_unquote - replace out with the internal form of an address */
int
addr_unquote(const char *addr, struct buf *out)
{
	size_t	 len = strlen(addr), at;

	buf_reset(out);
	if (!addr_split(addr, len, &at))
		return addr_unquote_local(addr, len, out);
	if (addr_unquote_local(addr, at, out) < 0)
		return -1;
	buf_add(out, addr + at, len - at);
	return 0;
}

/*
 * addr_quote - replace out with the external form of an internal-form
 * address; the domain starts after the last '@', as in Postfix.
 */
int
addr_quote(const char *addr, struct buf *out)
{
	const char	*at = strrchr(addr, '@');
	size_t		 llen = at ? (size_t)(at - addr) : strlen(addr);

	buf_reset(out);
	if (*addr == '\0')
		return 0;
	if (addr_quote_local(addr, llen, out) < 0)
		return -1;
	if (at)
		buf_adds(out, at);
	return 0;
}

/*
 * addr_mailbox_name_ok - can this internal-form local part only ever name
 * a mailbox?  Not when it is empty, starts with '.' or '-', or holds a
 * '|', a '/' or a control character: such a name could be read as a
 * command, a file, a path out of the spool or an option somewhere
 * downstream.
 */
int
addr_mailbox_name_ok(const char *local, size_t len)
{
	if (len == 0 || local[0] == '.' || local[0] == '-')
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char	 c = (unsigned char)local[i];

		if (c == '|' || c == '/' || c < 0x20 || c == 0x7f)
			return 0;
	}
	return 1;
}

/*
 * addr_rcpt_ok - is the local part of an external-form recipient address
 * (a domain optional) a mailbox name (addr_mailbox_name_ok)?  The check
 * SMTP RCPT, sendmail and the resolver share; 1 yes, 0 no.
 */
int
addr_rcpt_ok(const char *addr)
{
	struct buf	 local = BUF_INIT;
	size_t		 len = strlen(addr), at;
	int		 ok;

	if (!addr_split(addr, len, &at))
		at = len;
	ok = addr_unquote_local(addr, at, &local) == 0 &&
	    addr_mailbox_name_ok(local.s != NULL ? local.s : "", local.len);
	buf_free(&local);
	return ok;
}

/*
 * addr_split_extension - split an internal-form local part at the first
 * recipient_delimiter character: "user+ext" gives "user" and "ext".
 * As Postfix: postmaster, MAILER-DAEMON and double-bounce are never
 * split; with '-' among the delimiters, neither are owner-* and
 * *-request; nor is a split that would leave an empty user.  Replaces
 * user and ext; returns the delimiter used, or 0 (user = the whole).
 */
int
addr_split_extension(const char *local, const char *delims, struct buf *user,
    struct buf *ext)
{
	size_t	 len = strlen(local), n;

	buf_sets(user, local);
	buf_reset(ext);
	if (delims == NULL || *delims == '\0')
		return 0;
	if (strcasecmp(local, "postmaster") == 0 ||
	    strcasecmp(local, "mailer-daemon") == 0 ||
	    strcasecmp(local, "double-bounce") == 0)
		return 0;
	if (strchr(delims, '-') != NULL) {
		if (strncasecmp(local, "owner-", 6) == 0)
			return 0;
		if (len > 8 && strcasecmp(local + len - 8, "-request") == 0)
			return 0;
	}
	n = strcspn(local, delims);
	if (n == 0 || n == len)
		return 0;
	buf_set(user, local, n);
	buf_sets(ext, local + n + 1);
	return (unsigned char)local[n];
}

/*
 * ESMTP parameters and xtext.
 */

/*
 * addr_xtext_decode - RFC 3461 4: replace out with the decoded xtext
 * ("+" and two hex digits stand for one byte).  -1 on bad xtext;
 * lower-case hex digits are accepted.
 */
int
addr_xtext_decode(const char *s, size_t len, struct buf *out)
{
	buf_reset(out);
	for (size_t i = 0; i < len; i++) {
		unsigned char	 c = (unsigned char)s[i];
		int		 hi, lo;

		if (c == '+') {
			if (len - i < 3)
				return -1;
			hi = codec_hex_value((unsigned char)s[i + 1]);
			lo = codec_hex_value((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			buf_addc(out, hi << 4 | lo);
			i += 2;
		} else if (c < 33 || c > 126 || c == '=')
			return -1;
		else
			buf_addc(out, c);
	}
	return 0;
}

/* addr_xtext_encode - RFC 3461 4: append s as xtext */
void
addr_xtext_encode(const char *s, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char	 c = (unsigned char)s[i];

		if (c < 33 || c > 126 || c == '+' || c == '=')
			buf_printf(out, "+%02X", c);
		else
			buf_addc(out, c);
	}
}

/* addr_params_free - release the parameters; the struct is empty after */
void
addr_params_free(struct addr_params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].key);
		free(p->v[i].value);
	}
	p->n = 0;
}

/*
 * addr_parse_params - RFC 5321 4.1.2 Mail-parameters / Rcpt-parameters:
 * esmtp-keyword ["=" esmtp-value], separated by spaces.  UTF-8 is let
 * through in values (RFC 6531 3.3); the caller decides whether that is
 * allowed.  Replaces out.  Returns 0, or -1 (out empty) on bad syntax or
 * more than ADDR_PARAMS_MAX parameters.
 */
int
addr_parse_params(const char *s, size_t len, struct addr_params *out)
{
	size_t	 i = 0;

	addr_params_free(out);
	for (;;) {
		size_t	 k, klen, v = 0, vlen = 0;
		int	 has_value = 0;

		while (i < len && is_wsp((unsigned char)s[i]))
			i++;
		if (i == len)
			return 0;
		if (out->n == ADDR_PARAMS_MAX)
			goto bad;
		k = i;
		if (!is_alnum((unsigned char)s[i]))
			goto bad;
		while (i < len && (is_alnum((unsigned char)s[i]) ||
		    s[i] == '-'))
			i++;
		klen = i - k;
		if (i < len && s[i] == '=') {
			has_value = 1;
			v = ++i;
			while (i < len && ((unsigned char)s[i] >= 0x80 ||
			    (s[i] >= 33 && s[i] <= 126 && s[i] != '=')))
				i++;
			vlen = i - v;
			if (vlen == 0)
				goto bad;
		}
		if (i < len && !is_wsp((unsigned char)s[i]))
			goto bad;
		out->v[out->n].key = xstrndup(s + k, klen);
		out->v[out->n].value = has_value ? xstrndup(s + v, vlen) :
		    NULL;
		out->n++;
	}
bad:
	addr_params_free(out);
	return -1;
}

/*
 * addr_param_get - the value of a parameter, keyword compared case-blind;
 * "" for a keyword sent without a value, NULL when it is absent.
 */
const char *
addr_param_get(const struct addr_params *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcasecmp(p->v[i].key, key) == 0)
			return p->v[i].value ? p->v[i].value : "";
	return NULL;
}

/*
 * SMTP paths (RFC 5321 4.1.2).
 */

struct cur {
	const char	*s;
	size_t		 len;
	size_t		 i;
};

/* peek - the next byte, or -1 at the end */
static int
peek(const struct cur *c)
{
	return c->i < c->len ? (unsigned char)c->s[c->i] : -1;
}

/*
 * smtp_local - RFC 5321 4.1.2 Local-part = Dot-string / Quoted-string,
 * with UTF-8 bytes let through (checked by the caller, RFC 6531 3.3).
 * Appends the internal form to out.
 */
static int
smtp_local(struct cur *c, struct buf *out)
{
	int	 ch;

	if (peek(c) == '"') {
		c->i++;
		for (;;) {
			ch = peek(c);
			if (ch == '"')
				break;
			if (ch == '\\') {
				/* quoted-pairSMTP = %d92 %d32-126 */
				c->i++;
				ch = peek(c);
				if (ch < 32 || ch > 126)
					return -1;
			} else if (ch < 32 || ch == 127)
				return -1;	/* also the end (-1) */
			buf_addc(out, ch);
			c->i++;
		}
		c->i++;
		return 0;
	}
	for (;;) {
		size_t	 start = c->i;

		while ((ch = peek(c)) >= 0 && is_atext((unsigned char)ch, 1))
			c->i++;
		if (c->i == start)
			return -1;
		buf_add(out, c->s + start, c->i - start);
		if (peek(c) != '.')
			return 0;
		buf_addc(out, '.');
		c->i++;
	}
}

/*
 * literal_ok - RFC 5321 4.1.3 address literal contents: IPv4, "IPv6:"
 * and an IPv6 address, or a General-address-literal (tag ":" content).
 */
static int
literal_ok(const char *s, size_t len)
{
	char		 tmp[LITERAL_MAX + 1];
	unsigned char	 bin[16];
	size_t		 i;

	if (len >= 5 && strncasecmp(s, "IPv6:", 5) == 0) {
		if (len - 5 > LITERAL_MAX)
			return 0;
		memcpy(tmp, s + 5, len - 5);
		tmp[len - 5] = '\0';
		return inet_pton(AF_INET6, tmp, bin) == 1;
	}
	if (len > 0 && s[0] >= '0' && s[0] <= '9') {
		if (len > LITERAL_MAX)
			return 0;
		memcpy(tmp, s, len);
		tmp[len] = '\0';
		return inet_pton(AF_INET, tmp, bin) == 1;
	}
	/* General-address-literal: Standardized-tag ":" 1*dcontent */
	for (i = 0; i < len && (is_alnum((unsigned char)s[i]) || s[i] == '-');
	    i++)
		;
	return i > 0 && i + 1 < len && s[i] == ':' && s[i - 1] != '-';
}

/*
 * smtp_domain - RFC 5321 4.1.2 Domain / address-literal, appended to out.
 * Lenient as Postfix: '_' is allowed in labels; UTF-8 bytes (U-labels,
 * RFC 6531 3.3) are let through and checked by the caller.
 */
static int
smtp_domain(struct cur *c, struct buf *out)
{
	int	 ch;

	if (peek(c) == '[') {
		size_t	 start = ++c->i;

		/* dcontent = %d33-90 / %d94-126 */
		while ((ch = peek(c)) >= 33 && ch <= 126 && ch != '[' &&
		    ch != '\\' && ch != ']')
			c->i++;
		if (ch != ']' || !literal_ok(c->s + start, c->i - start))
			return -1;
		c->i++;
		buf_add(out, c->s + start - 1, c->i - start + 1);
		return 0;
	}
	for (;;) {
		size_t	 start = c->i;

		while ((ch = peek(c)) >= 0 && (is_alnum((unsigned char)ch) ||
		    ch == '-' || ch == '_' || ch >= 0x80))
			c->i++;
		if (c->i == start || c->i - start > LABEL_MAX ||
		    c->s[start] == '-' || c->s[c->i - 1] == '-')
			return -1;
		buf_add(out, c->s + start, c->i - start);
		if (peek(c) != '.')
			return 0;
		buf_addc(out, '.');
		c->i++;
	}
}

/* addr_path_init - make an empty path result */
void
addr_path_init(struct addr_path *p)
{
	buf_init(&p->mailbox);
	p->null = 0;
	p->params = 0;
	p->err = ADDR_OK;
	p->code = 0;
	p->text = NULL;
}

/* addr_path_free - release a path result */
void
addr_path_free(struct addr_path *p)
{
	buf_free(&p->mailbox);
	addr_path_init(p);
}

/* path_fail - record an error and its reply (RFC 5321 4.2.2, 4.5.3.1.10) */
static enum addr_err
path_fail(struct addr_path *p, enum addr_err err, int flags)
{
	int	 rcpt = (flags & ADDR_F_RCPT) != 0;

	buf_reset(&p->mailbox);
	p->null = 0;
	p->err = err;
	switch (err) {
	case ADDR_ERR_TOOLONG:
		p->code = 501;
		p->text = rcpt ? "5.1.3 Path too long" : "5.1.7 Path too long";
		break;
	case ADDR_ERR_UTF8:
		/* RFC 6531 3.7.4, RFC 5248 X.6.7 */
		p->code = 553;
		p->text = rcpt ? "5.6.7 Non-ASCII addresses not permitted "
		    "for that recipient" : "5.6.7 Non-ASCII addresses not "
		    "permitted for that sender";
		break;
	default:
		p->err = ADDR_ERR_SYNTAX;
		p->code = 501;
		p->text = rcpt ? "5.1.3 Bad recipient address syntax" :
		    "5.1.7 Bad sender address syntax";
		break;
	}
	return p->err;
}

/*
 * addr_parse_path - parse the argument of MAIL FROM: or RCPT TO:.
 *
 * RFC 5321 4.1.2: Path = "<" [ A-d-l ":" ] Mailbox ">", Reverse-path also
 * "<>", then SP and the parameters.  The source route (A-d-l) is checked
 * and dropped, as RFC 5321 C allows.  Only the first ADDR_MAX + 2 bytes
 * after the white space are ever examined, so a huge argument costs no
 * more than a long one.  Returns p->err.
 */
enum addr_err
addr_parse_path(const char *s, size_t len, int flags, struct addr_path *p)
{
	struct cur	 c = { s, len, 0 };
	struct buf	 local = BUF_INIT, domain = BUF_INIT;
	size_t		 start, end = 0;
	int		 bracket, has_domain = 0, rc = ADDR_ERR_SYNTAX;

	buf_reset(&p->mailbox);
	p->null = 0;
	p->params = len;
	p->err = ADDR_OK;
	p->code = 0;
	p->text = NULL;

	while (c.i < len && is_wsp((unsigned char)s[c.i]))
		c.i++;
	bracket = peek(&c) == '<';
	if (!bracket && (flags & ADDR_F_STRICT_BRACKETS))
		return path_fail(p, ADDR_ERR_SYNTAX, flags);
	if (bracket)
		c.i++;
	start = c.i;

	/* Look at no more than a maximal mailbox and its '>'. */
	if (len - start > ADDR_MAX + 1)
		c.len = start + ADDR_MAX + 1;
	if (bracket && peek(&c) == '>') {
		p->null = 1;
		end = c.i++;
		goto params;
	}

	/* RFC 5321 4.1.2 A-d-l = At-domain *( "," At-domain ), dropped. */
	if (peek(&c) == '@') {
		for (;;) {
			c.i++;
			if (smtp_domain(&c, &domain) < 0)
				goto path_error;
			buf_reset(&domain);
			if (peek(&c) == ':')
				break;
			if (peek(&c) != ',')
				goto path_error;
			c.i++;
			if (peek(&c) != '@')
				goto path_error;
		}
		c.i++;
	}
	if (smtp_local(&c, &local) < 0)
		goto path_error;
	if (peek(&c) == '@') {
		c.i++;
		if (smtp_domain(&c, &domain) < 0)
			goto path_error;
		has_domain = 1;
	}
	end = c.i;
	if (bracket) {
		if (peek(&c) != '>')
			goto path_error;
		c.i++;
	}

params:
	/* The path ends at the end of input or at white space. */
	c.len = len;
	if (c.i < len && !is_wsp((unsigned char)s[c.i]))
		goto out;
	while (c.i < len && is_wsp((unsigned char)s[c.i]))
		c.i++;
	p->params = c.i;

	/* RFC 6531 3.3: UTF-8 only after SMTPUTF8, and well-formed. */
	if (has_8bit(s + start, end - start)) {
		rc = ADDR_ERR_UTF8;
		if (!(flags & ADDR_F_SMTPUTF8))
			goto out;
		rc = ADDR_ERR_SYNTAX;
		if (!codec_utf8_valid((const unsigned char *)s + start,
		    end - start))
			goto out;
	}

	/* Canonical external form, then the length limits. */
	if (!p->null) {
		rc = ADDR_ERR_SYNTAX;
		if (addr_quote_local(local.s ? local.s : "", local.len,
		    &p->mailbox) < 0)
			goto out;
		if (has_domain) {
			buf_addc(&p->mailbox, '@');
			buf_add(&p->mailbox, domain.s, domain.len);
		}
		rc = ADDR_ERR_TOOLONG;
		if (p->mailbox.len > ADDR_MAX)
			goto out;
		if ((flags & ADDR_F_STRICT_LENGTH) && (local.len >
		    ADDR_LOCAL_MAX || domain.len > ADDR_DOMAIN_MAX ||
		    p->mailbox.len + 2 > ADDR_PATH_MAX))
			goto out;
	}
	rc = ADDR_OK;
	goto out;

path_error:
	/* Running into the window's edge means the path was too long. */
	rc = c.len < len && c.i >= c.len ? ADDR_ERR_TOOLONG : ADDR_ERR_SYNTAX;
out:
	buf_free(&local);
	buf_free(&domain);
	if (rc != ADDR_OK)
		return path_fail(p, (enum addr_err)rc, flags);
	return ADDR_OK;
}

/*
 * RFC 5322 address lists.
 *
 * A lexer turns the header value into tokens (atoms, quoted strings,
 * domain literals, specials) with comments and white space set aside, as
 * Postfix's tok822 does; the obsolete forms of RFC 5322 4.4 (CFWS around
 * dots, obs-route, empty list elements) then fall out of the token-level
 * grammar.  Nothing recurses: comment nesting is a counter, capped.
 */

enum tok_type {
	TOK_ATOM,		/* run of atext */
	TOK_QSTRING,		/* quoted string; text is its content */
	TOK_DLITERAL,		/* [domain literal]; text keeps brackets */
	TOK_SPECIAL,		/* one of ()<>@,;:\".[] */
	TOK_BAD,		/* what could not be lexed */
};

struct tok {
	enum tok_type	 type;
	int		 c;		/* TOK_SPECIAL: the character */
	int		 ws;		/* CFWS came before it */
	size_t		 start, end;	/* span in the input */
	size_t		 toff, tlen;	/* text in lex.text */
};

struct comment {
	size_t		 before;	/* index of the token after it */
	size_t		 toff, tlen;	/* text in lex.text */
};

struct lex {
	const char	*s;
	size_t		 len;
	struct tok	*t;
	size_t		 nt, tcap;
	struct comment	*cm;
	size_t		 ncm, cmcap;
	struct buf	 text;		/* decoded text of all tokens */
};

/* lex_tok - append a token; its text starts at the end of lex.text */
static struct tok *
lex_tok(struct lex *lx, enum tok_type type, size_t start, int ws)
{
	struct tok	*t;

	if (lx->nt == lx->tcap) {
		lx->tcap = lx->tcap ? lx->tcap * 2 : 16;
		lx->t = xreallocarray(lx->t, lx->tcap, sizeof(*lx->t));
	}
	t = &lx->t[lx->nt++];
	t->type = type;
	t->c = 0;
	t->ws = ws;
	t->start = start;
	t->end = start;
	t->toff = lx->text.len;
	t->tlen = 0;
	return t;
}

/*
 * lex_comment - RFC 5322 3.2.2 comment, nested, with quoted pairs;
 * i is at '('.  Records it and returns the index after it, or makes a
 * TOK_BAD of it when unterminated or nested deeper than
 * ADDR_COMMENT_DEPTH_MAX.
 */
static size_t
lex_comment(struct lex *lx, size_t i, int ws)
{
	size_t	 start = i, toff = lx->text.len, depth = 0;

	for (; i < lx->len; i++) {
		char	 c = lx->s[i];

		if (c == '\\' && i + 1 < lx->len) {
			buf_addc(&lx->text, lx->s[++i]);
			continue;
		}
		if (c == '(') {
			if (++depth > ADDR_COMMENT_DEPTH_MAX)
				break;
			if (depth == 1)
				continue;
		} else if (c == ')') {
			if (--depth == 0)
				break;
		} else if (c == '\r' || c == '\n' || c == '\0')
			continue;	/* unfold; NUL dropped */
		buf_addc(&lx->text, c);
	}
	if (i < lx->len && depth == 0) {
		if (lx->ncm == lx->cmcap) {
			lx->cmcap = lx->cmcap ? lx->cmcap * 2 : 4;
			lx->cm = xreallocarray(lx->cm, lx->cmcap,
			    sizeof(*lx->cm));
		}
		lx->cm[lx->ncm].before = lx->nt;
		lx->cm[lx->ncm].toff = toff;
		lx->cm[lx->ncm].tlen = lx->text.len - toff;
		lx->ncm++;
		return i + 1;
	}

	/* Unterminated or too deep: bad up to its end, or the input's. */
	buf_truncate(&lx->text, toff);
	if (i < lx->len)
		i++;			/* past the '(' that went too deep */
	while (i < lx->len && depth > 0) {
		if (lx->s[i] == '\\')
			i++;
		else if (lx->s[i] == '(')
			depth++;
		else if (lx->s[i] == ')')
			depth--;
		i++;
	}
	if (i > lx->len)
		i = lx->len;
	lex_tok(lx, TOK_BAD, start, ws)->end = i;
	return i;
}

/*
 * lex_delimited - a quoted string (RFC 5322 3.2.4) or a domain literal
 * (3.4.1) from i, at its opening character, to the closing one; FWS is
 * unfolded.  An unterminated one is TOK_BAD up to the end of input.
 */
static size_t
lex_delimited(struct lex *lx, size_t i, int ws)
{
	int		 q = lx->s[i] == '"';
	char		 close = q ? '"' : ']';
	struct tok	*t = lex_tok(lx, q ? TOK_QSTRING : TOK_DLITERAL, i, ws);

	if (!q)
		buf_addc(&lx->text, '[');
	for (i++; i < lx->len && lx->s[i] != close; i++) {
		char	 c = lx->s[i];

		if (c == '\\' && i + 1 < lx->len) {
			c = lx->s[++i];
			/*
			 * No form carries a NUL; a literal's text is written
			 * back unquoted, so it may not get a bracket, a
			 * backslash, white space (which unfolding drops) or
			 * a control.
			 */
			if (c == '\0' || (!q && (c == '[' || c == ']' ||
			    c == '\\' || (unsigned char)c <= ' ')))
				break;
		} else if (c == '\r' || c == '\n' || (!q && is_wsp(c)))
			continue;
		else if (c == '\0' || (!q && c == '['))
			break;
		buf_addc(&lx->text, c);
	}
	if (i >= lx->len || lx->s[i] != close) {
		t->type = TOK_BAD;
		i = lx->len;
	} else {
		if (!q)
			buf_addc(&lx->text, ']');
		i++;
	}
	t->end = i;
	t->tlen = lx->text.len - t->toff;
	return i;
}

/* lex_run - split an address-list header value into tokens */
static void
lex_run(struct lex *lx)
{
	size_t	 i = 0;
	int	 ws = 0;

	buf_reserve(&lx->text, 1);	/* tokens point into text.s */

	while (i < lx->len) {
		unsigned char	 c = (unsigned char)lx->s[i];
		struct tok	*t;

		if (is_wsp(c) || c == '\r' || c == '\n') {
			ws = 1;
			i++;
		} else if (c == '(') {
			size_t	 nt = lx->nt;

			i = lex_comment(lx, i, ws);
			ws = lx->nt == nt;	/* a comment counts as CFWS */
		} else if (c == '"' || c == '[') {
			i = lex_delimited(lx, i, ws);
			ws = 0;
		} else if (is_atext(c, 1)) {
			t = lex_tok(lx, TOK_ATOM, i, ws);
			while (i < lx->len && is_atext((unsigned char)lx->s[i],
			    1))
				i++;
			buf_add(&lx->text, lx->s + t->start, i - t->start);
			t->end = i;
			t->tlen = i - t->start;
			ws = 0;
		} else {
			t = lex_tok(lx, c > ' ' && c < 127 ? TOK_SPECIAL :
			    TOK_BAD, i, ws);
			t->c = c;
			t->end = ++i;
			ws = 0;
		}
	}
}

/* tok_is - is token k the special character c */
static int
tok_is(const struct lex *lx, size_t k, int c)
{
	return lx->t[k].type == TOK_SPECIAL && lx->t[k].c == c;
}

/* tok_is_word - RFC 5322 3.2.5 word (atom / quoted-string) */
static int
tok_is_word(const struct lex *lx, size_t k)
{
	return lx->t[k].type == TOK_ATOM || lx->t[k].type == TOK_QSTRING;
}

/*
 * phrase - RFC 5322 3.2.5 phrase with obs-phrase's dots, tokens [a, b),
 * decoded: quotes and escapes gone, CFWS between words made one space.
 * Encoded words (RFC 2047) are left as they are.  Returns NULL when the
 * range holds anything else.
 */
static char *
phrase(const struct lex *lx, size_t a, size_t b)
{
	struct buf	 out = BUF_INIT;

	for (size_t k = a; k < b; k++) {
		if (!tok_is_word(lx, k) && !tok_is(lx, k, '.')) {
			buf_free(&out);
			return NULL;
		}
		if (k > a && lx->t[k].ws)
			buf_addc(&out, ' ');
		if (tok_is(lx, k, '.'))
			buf_addc(&out, '.');
		else
			buf_add(&out, lx->text.s + lx->t[k].toff,
			    lx->t[k].tlen);
	}
	return buf_release(&out);
}

/*
 * addr_spec - RFC 5322 3.4.1 addr-spec in tokens [a, b), with
 * obs-local-part and obs-domain (4.4); replaces out with the external
 * form.  Lenient: stray dots in the local part (john..doe) are kept and
 * quoted, a lone local part without "@domain" is accepted.
 */
static int
addr_spec(const struct lex *lx, size_t a, size_t b, struct buf *out)
{
	struct buf	 local = BUF_INIT;
	size_t		 k = a;
	int		 words = 0, rc = -1;

	buf_reset(out);
	for (; k < b && (tok_is_word(lx, k) || tok_is(lx, k, '.')); k++) {
		/* Words need a dot between them: "John Doe" is no address. */
		if (tok_is_word(lx, k) && k > a && tok_is_word(lx, k - 1))
			goto done;
		if (tok_is(lx, k, '.')) {
			buf_addc(&local, '.');
		} else {
			buf_add(&local, lx->text.s + lx->t[k].toff,
			    lx->t[k].tlen);
			words++;
		}
	}
	if (words == 0 || addr_quote_local(local.s, local.len, out) < 0)
		goto done;
	if (k == b) {
		rc = 0;
		goto done;
	}
	if (!tok_is(lx, k, '@') || ++k == b)
		goto done;
	buf_addc(out, '@');
	if (lx->t[k].type == TOK_DLITERAL) {
		buf_add(out, lx->text.s + lx->t[k].toff, lx->t[k].tlen);
		k++;
	} else {
		for (;;) {
			if (k == b || lx->t[k].type != TOK_ATOM)
				goto done;
			buf_add(out, lx->text.s + lx->t[k].toff,
			    lx->t[k].tlen);
			if (++k == b || !tok_is(lx, k, '.'))
				break;
			buf_addc(out, '.');
			k++;
		}
	}
	if (k == b && out->len <= ADDR_MAX)
		rc = 0;
done:
	buf_free(&local);
	return rc;
}

/* item_new - append an empty item to the list, or NULL when it is full */
static struct addr_item *
item_new(struct addr_list *l, const char *group)
{
	struct addr_item	*it;

	if (l->n == ADDR_LIST_ITEMS_MAX)
		return NULL;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	it = &l->v[l->n++];
	memset(it, 0, sizeof(*it));
	it->group = group ? xstrdup(group) : NULL;
	return it;
}

/* item_bad - mark an item bad and keep its text, capped at ADDR_MAX */
static void
item_bad(const struct lex *lx, struct addr_item *it, size_t a, size_t b)
{
	size_t	 start = lx->t[a].start, end = lx->t[b - 1].end;

	free(it->name);
	free(it->addr);
	it->name = it->addr = NULL;
	it->bad = 1;
	if (end - start > ADDR_MAX)
		end = start + ADDR_MAX;
	it->raw = xstrndup(lx->s + start, end - start);
}

/*
 * parse_mailbox - RFC 5322 3.4 mailbox = name-addr / addr-spec, tokens
 * [a, b), into item it.  For a bare addr-spec, a comment right after it
 * becomes the display name, as in "john@example.com (John Doe)".
 */
static void
parse_mailbox(const struct lex *lx, size_t a, size_t b, struct addr_item *it)
{
	struct buf	 addr = BUF_INIT;
	size_t		 lt, gt, k;

	for (k = a; k < b; k++)
		if (lx->t[k].type == TOK_BAD)
			goto bad;
	for (lt = a; lt < b && !tok_is(lx, lt, '<'); lt++)
		;
	if (lt == b) {
		if (addr_spec(lx, a, b, &addr) < 0)
			goto bad;
		for (k = 0; k < lx->ncm; k++) {
			if (lx->cm[k].before == b && lx->cm[k].tlen > 0) {
				it->name = xstrndup(lx->text.s +
				    lx->cm[k].toff, lx->cm[k].tlen);
				break;
			}
		}
		it->addr = buf_release(&addr);
		return;
	}

	/* name-addr: [display-name] "<" [obs-route] addr-spec ">" */
	gt = b - 1;
	if (gt == lt || !tok_is(lx, gt, '>'))
		goto bad;
	if (lt > a && (it->name = phrase(lx, a, lt)) == NULL)
		goto bad;
	k = lt + 1;
	if (k < gt && tok_is(lx, k, '@')) {
		/* RFC 5322 4.4 obs-route = obs-domain-list ":", dropped */
		while (k < gt && !tok_is(lx, k, ':'))
			k++;
		if (k++ == gt)
			goto bad;
	}
	if (k == gt || addr_spec(lx, k, gt, &addr) < 0)
		goto bad;
	it->addr = buf_release(&addr);
	return;
bad:
	buf_free(&addr);
	item_bad(lx, it, a, b);
}

/* addr_list_init - make an empty list */
void
addr_list_init(struct addr_list *l)
{
	l->v = NULL;
	l->n = l->cap = l->nbad = 0;
}

/* addr_list_free - release a list; it is empty and reusable after */
void
addr_list_free(struct addr_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].addr);
		free(l->v[i].group);
		free(l->v[i].raw);
	}
	free(l->v);
	addr_list_init(l);
}

/*
 * addr_parse_list - parse an RFC 5322 3.4 address-list (a To, Cc, Bcc,
 * From, Reply-To value; folded lines allowed) and append its items to l.
 *
 * Items: one per mailbox; one with addr NULL for an empty group (so
 * "Undisclosed recipients:;" is seen); a bad one, with bad set and its
 * raw text, for each element that does not parse, the others being kept.
 * Empty elements (",,") are skipped (obs-addr-list).  A stray ';' outside
 * a group ends an element like ','; a group without its ';' ends with the
 * value.  Returns the number of bad items this call added, plus one if
 * ADDR_LIST_ITEMS_MAX cut the list short; l->nbad adds it up.
 */
size_t
addr_parse_list(const char *s, size_t len, struct addr_list *l)
{
	struct lex		 lx;
	struct buf		 group = BUF_INIT;
	struct addr_item	*it;
	size_t			 k = 0, n0 = l->n, nbad = 0, group_items = 0;
	int			 in_group = 0, full = 0;

	memset(&lx, 0, sizeof(lx));
	lx.s = s;
	lx.len = len;
	buf_init(&lx.text);
	lex_run(&lx);

	while (k < lx.nt && !full) {
		size_t	 a = k, j;
		int	 angle = 0, route = 0, end_group = 0;

		/* Find the end of this element. */
		for (j = a; j < lx.nt; j++) {
			if (tok_is(&lx, j, '<')) {
				angle++;
				route = j + 1 < lx.nt &&
				    tok_is(&lx, j + 1, '@');
			} else if (tok_is(&lx, j, '>')) {
				angle = 0;
			} else if (tok_is(&lx, j, ',')) {
				if (!angle || !route)
					break;
			} else if (tok_is(&lx, j, ':')) {
				char	*name;

				if (angle) {
					route = 0;
					continue;
				}
				if (in_group || j == a ||
				    (name = phrase(&lx, a, j)) == NULL)
					continue;
				/* RFC 5322 3.4 group = display-name ":" */
				buf_sets(&group, name);
				free(name);
				in_group = 1;
				group_items = 0;
				a = j + 1;
			} else if (tok_is(&lx, j, ';') && !angle) {
				end_group = in_group;
				break;
			}
		}
		if (j > a) {
			it = item_new(l, in_group ? group.s : NULL);
			if (it == NULL) {
				full = 1;
				break;
			}
			if (angle)
				item_bad(&lx, it, a, j);
			else
				parse_mailbox(&lx, a, j, it);
			group_items++;
		}
		if (end_group || (j == lx.nt && in_group)) {
			if (group_items == 0) {
				if ((it = item_new(l, group.s)) == NULL)
					full = 1;
			}
			in_group = 0;
		}
		k = j + 1;
	}
	for (size_t i = n0; i < l->n; i++)
		nbad += (size_t)l->v[i].bad;
	nbad += (size_t)full;
	l->nbad += nbad;
	free(lx.t);
	free(lx.cm);
	buf_free(&lx.text);
	buf_free(&group);
	return nbad;
}
