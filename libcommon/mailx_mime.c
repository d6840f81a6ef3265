/*
 * mailx_mime - MIME for reading and sending mail on a terminal.
 */
#include "mailx_mime.h"

#include <string.h>
#include <strings.h>

#include "codec.h"
#include "header.h"

#define B64_LINE	76	/* RFC 2045 6.8 */
#define WORD_BYTES	45	/* UTF-8 bytes per RFC 2047 word: 60 in base64 */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* mailx_b64_encode - append base64 of n bytes, no line breaks */
void
mailx_b64_encode(const void *p, size_t n, struct buf *out)
{
	const unsigned char *s = p;
	char		 q[4];
	size_t		 i;

	for (i = 0; i + 2 < n; i += 3) {
		q[0] = b64[s[i] >> 2];
		q[1] = b64[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		q[2] = b64[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
		q[3] = b64[s[i + 2] & 63];
		buf_add(out, q, 4);
	}
	if (i < n) {
		q[0] = b64[s[i] >> 2];
		if (i + 1 < n) {
			q[1] = b64[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
			q[2] = b64[(s[i + 1] & 15) << 2];
		} else {
			q[1] = b64[(s[i] & 3) << 4];
			q[2] = '=';
		}
		q[3] = '=';
		buf_add(out, q, 4);
	}
}

/* mailx_b64_decode - append the decoding of base64 text, skipping what
 * is no base64 digit (RFC 2045 6.8) and stopping at padding */
void
mailx_b64_decode(const char *s, size_t n, struct buf *out)
{
	unsigned long	 acc = 0;
	int		 bits = 0, v;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=')
			break;
		if ((v = codec_b64_value((unsigned char)s[i])) < 0)
			continue;
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(out, (int)((acc >> bits) & 0xff));
		}
	}
}

/*
 * mailx_qp_decode - append the decoding of quoted-printable text
 * (RFC 2045 6.7): "=XX" is a byte, "=" at the end of a line joins it to
 * the next, white space at the end of a line goes; a malformed "=" is
 * kept as it is.
 */
void
mailx_qp_decode(const char *s, size_t n, struct buf *out)
{
	size_t		 i = 0, end, keep;
	const char	*nl;
	int		 hi, lo;

	while (i < n) {
		nl = memchr(s + i, '\n', n - i);
		end = nl ? (size_t)(nl - s) : n;
		keep = end;
		while (keep > i && (s[keep - 1] == ' ' || s[keep - 1] == '\t' ||
		    s[keep - 1] == '\r'))
			keep--;
		for (size_t j = i; j < keep; j++) {
			if (s[j] != '=') {
				buf_addc(out, s[j]);
				continue;
			}
			if (j + 1 == keep)
				goto soft;
			if (j + 2 < keep &&
			    (hi = codec_hex_value((unsigned char)s[j + 1])) >= 0 &&
			    (lo = codec_hex_value((unsigned char)s[j + 2])) >= 0) {
				buf_addc(out, hi << 4 | lo);
				j += 2;
			} else
				buf_addc(out, '=');
		}
		if (nl != NULL)
			buf_addc(out, '\n');
soft:
		i = nl ? end + 1 : n;
	}
}

/*
 * mailx_mime_encode_word - append text as a header value: as it is when
 * it is all printable ASCII, else as RFC 2047 "B" encoded words of UTF-8,
 * split only between characters (RFC 2047 5: whole characters per word)
 */
void
mailx_mime_encode_word(const char *s, struct buf *out)
{
	size_t		 n = strlen(s), i, j;
	int		 plain = 1;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80 || (unsigned char)s[i] < 0x20)
			plain = 0;
	if (plain && strstr(s, "=?") == NULL) {
		buf_add(out, s, n);
		return;
	}
	for (i = 0; i < n; i = j) {
		j = i + WORD_BYTES < n ? i + WORD_BYTES : n;
		/* Back off to the start of a UTF-8 character. */
		while (j < n && j > i + 1 && ((unsigned char)s[j] & 0xc0) == 0x80)
			j--;
		if (i > 0)
			buf_adds(out, " ");
		buf_adds(out, "=?UTF-8?B?");
		mailx_b64_encode(s + i, j - i, out);
		buf_adds(out, "?=");
	}
}

/* is_tspecial - RFC 2045 5.1 tspecials, white space and controls */
static int
is_tspecial(unsigned char c)
{
	return c <= ' ' || c >= 0x7f || strchr("()<>@,;:\\\"/[]?=", c);
}

/*
 * mailx_mime_param - replace out with parameter name of a Content-Type
 * or Content-Disposition value (RFC 2045 5.1, quoted strings unquoted);
 * 1 when found, else 0.  RFC 2231 continuations are not joined.
 */
int
mailx_mime_param(const char *v, size_t n, const char *name, struct buf *out)
{
	size_t		 i = 0, k, nlen = strlen(name);
	int		 quoted;

	buf_sets(out, "");
	while (i < n) {
		/* Skip to the next ';' outside quotes. */
		quoted = 0;
		while (i < n && (quoted || v[i] != ';')) {
			if (v[i] == '"')
				quoted = !quoted;
			else if (v[i] == '\\' && quoted && i + 1 < n)
				i++;
			i++;
		}
		if (i >= n)
			return 0;
		i++;
		while (i < n && (v[i] == ' ' || v[i] == '\t'))
			i++;
		k = i;
		while (k < n && !is_tspecial((unsigned char)v[k]))
			k++;
		if (k - i != nlen || strncasecmp(v + i, name, nlen) != 0)
			continue;
		while (k < n && (v[k] == ' ' || v[k] == '\t'))
			k++;
		if (k >= n || v[k] != '=')
			continue;
		k++;
		while (k < n && (v[k] == ' ' || v[k] == '\t'))
			k++;
		if (k < n && v[k] == '"') {
			for (k++; k < n && v[k] != '"'; k++) {
				if (v[k] == '\\' && k + 1 < n)
					k++;
				if (out->len < MAILX_MIME_PARAM_MAX)
					buf_addc(out, v[k]);
			}
		} else {
			while (k < n && !is_tspecial((unsigned char)v[k]) &&
			    out->len < MAILX_MIME_PARAM_MAX)
				buf_addc(out, v[k++]);
		}
		return 1;
	}
	return 0;
}

/* mailx_mime_type - replace out with the lower-case type/subtype of a
 * Content-Type value; "text/plain" when it has none (RFC 2045 5.2) */
void
mailx_mime_type(const char *v, size_t n, struct buf *out)
{
	size_t		 i = 0, k;

	buf_sets(out, "");
	while (i < n && (v[i] == ' ' || v[i] == '\t'))
		i++;
	for (k = i; k < n && v[k] != ';' && v[k] != ' ' && v[k] != '\t'; k++)
		;
	if (k == i || memchr(v + i, '/', k - i) == NULL) {
		buf_sets(out, "text/plain");
		return;
	}
	buf_set(out, v + i, k - i);
	buf_lower(out);
}

/* latin1_to_utf8 - append ISO-8859-1 bytes as UTF-8 */
static void
latin1_to_utf8(const char *s, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char	 c = (unsigned char)s[i];

		if (c < 0x80) {
			buf_addc(out, c);
		} else {
			buf_addc(out, 0xc0 | (c >> 6));
			buf_addc(out, 0x80 | (c & 0x3f));
		}
	}
}

struct part {
	struct buf	 type;		/* type/subtype, lower case */
	struct buf	 ctv;		/* the Content-Type value */
	struct buf	 cte;		/* the Content-Transfer-Encoding */
	struct buf	 name;		/* file name, if any */
};

/* part_read - the MIME headers of one entity */
static void
part_read(const char *h, size_t hlen, struct part *p)
{
	size_t		 off = 0, len;
	struct buf	 tmp = BUF_INIT;

	buf_sets(&p->ctv, "");
	buf_sets(&p->cte, "");
	if (hdr_find(h, hlen, "Content-Type", &off, &len))
		hdr_value(h + off, len, &p->ctv);
	off = 0;
	if (hdr_find(h, hlen, "Content-Transfer-Encoding", &off, &len))
		hdr_value(h + off, len, &p->cte);
	buf_lower(&p->cte);
	buf_trim(&p->cte);
	mailx_mime_type(p->ctv.s, p->ctv.len, &p->type);
	if (!mailx_mime_param(p->ctv.s, p->ctv.len, "name", &p->name)) {
		off = 0;
		if (hdr_find(h, hlen, "Content-Disposition", &off, &len)) {
			hdr_value(h + off, len, &tmp);
			mailx_mime_param(tmp.s, tmp.len, "filename", &p->name);
		}
	}
	buf_free(&tmp);
}

/* decode_text - append a text part decoded and converted to UTF-8 */
static void
decode_text(const struct part *p, const char *b, size_t blen,
    struct buf *out)
{
	struct buf	 raw = BUF_INIT, cs = BUF_INIT;
	const char	*s = b;
	size_t		 n = blen;

	if (strcmp(p->cte.s, "base64") == 0) {
		mailx_b64_decode(b, blen, &raw);
		s = raw.s ? raw.s : "";
		n = raw.len;
	} else if (strcmp(p->cte.s, "quoted-printable") == 0) {
		mailx_qp_decode(b, blen, &raw);
		s = raw.s ? raw.s : "";
		n = raw.len;
	}
	mailx_mime_param(p->ctv.s, p->ctv.len, "charset", &cs);
	if (strcasecmp(cs.s, "iso-8859-1") == 0 ||
	    strcasecmp(cs.s, "latin1") == 0)
		latin1_to_utf8(s, n, out);
	else
		buf_add(out, s, n);
	if (out->len > 0 && out->s[out->len - 1] != '\n')
		buf_addc(out, '\n');
	buf_free(&raw);
	buf_free(&cs);
}

/* split_entity - split an entity into its header section and body */
static void
split_entity(const char *s, size_t n, size_t *hlen, const char **body,
    size_t *blen)
{
	size_t		 i = 0;
	const char	*nl;

	while (i < n) {
		if (s[i] == '\n' || (s[i] == '\r' && i + 1 < n &&
		    s[i + 1] == '\n')) {
			*hlen = i;
			i += s[i] == '\r' ? 2 : 1;
			*body = s + i;
			*blen = n - i;
			return;
		}
		nl = memchr(s + i, '\n', n - i);
		i = nl ? (size_t)(nl - s) + 1 : n;
	}
	*hlen = n;
	*body = s + n;
	*blen = 0;
}

struct render {
	struct buf	*out;
	unsigned	 parts;		/* parts numbered so far */
};

static void render_entity(struct render *, const char *, size_t,
    const char *, size_t, int);

/* is_delim - whether the line [s, s + n) is "--boundary" (end: "--") */
static int
is_delim(const char *s, size_t n, const struct buf *bd, int *last)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r'))
		n--;
	if (n < bd->len + 2 || s[0] != '-' || s[1] != '-' ||
	    memcmp(s + 2, bd->s, bd->len) != 0)
		return 0;
	if (n == bd->len + 2) {
		*last = 0;
		return 1;
	}
	if (n == bd->len + 4 && s[n - 2] == '-' && s[n - 1] == '-') {
		*last = 1;
		return 1;
	}
	return 0;
}

/* render_multipart - walk the body parts between the delimiter lines
 * (RFC 2046 5.1.1); the preamble and epilogue are not shown */
static void
render_multipart(struct render *r, const char *b, size_t blen,
    const struct buf *bd, int depth)
{
	size_t		 i = 0, end, pstart = 0, hlen, plen;
	const char	*nl, *pb;
	int		 inside = 0, last = 0;

	while (i < blen && r->parts < MAILX_MIME_PARTS_MAX) {
		nl = memchr(b + i, '\n', blen - i);
		end = nl ? (size_t)(nl - b) : blen;
		if (is_delim(b + i, end - i, bd, &last)) {
			if (inside) {
				/* The LF before the delimiter is part of it. */
				size_t	 pe = i > pstart ? i - 1 : pstart;

				if (pe > pstart && b[pe - 1] == '\r')
					pe--;
				split_entity(b + pstart, pe - pstart, &hlen,
				    &pb, &plen);
				render_entity(r, b + pstart, hlen, pb, plen,
				    depth + 1);
			}
			if (last)
				return;
			inside = 1;
			pstart = nl ? end + 1 : blen;
		}
		i = nl ? end + 1 : blen;
	}
	if (inside && pstart < blen) {
		/* No closing delimiter: show what there is. */
		split_entity(b + pstart, blen - pstart, &hlen, &pb, &plen);
		render_entity(r, b + pstart, hlen, pb, plen, depth + 1);
	}
}

/* render_entity - one entity: text shown, multipart walked, the rest
 * listed */
static void
render_entity(struct render *r, const char *h, size_t hlen, const char *b,
    size_t blen, int depth)
{
	struct part	 p = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT };
	struct buf	 bd = BUF_INIT;

	part_read(h, hlen, &p);
	if (strncmp(p.type.s, "multipart/", 10) == 0 &&
	    depth < MAILX_MIME_DEPTH_MAX &&
	    mailx_mime_param(p.ctv.s, p.ctv.len, "boundary", &bd) &&
	    bd.len > 0) {
		render_multipart(r, b, blen, &bd, depth);
		goto done;
	}
	r->parts++;
	if (strncmp(p.type.s, "text/", 5) == 0 &&
	    (strcmp(p.type.s, "text/plain") == 0 || r->parts == 1 ||
	    p.name.len == 0)) {
		if (r->parts > 1)
			buf_printf(r->out, "\n[-- #%u %s --]\n", r->parts,
			    p.type.s);
		decode_text(&p, b, blen, r->out);
	} else if (strcmp(p.type.s, "message/rfc822") == 0 &&
	    depth < MAILX_MIME_DEPTH_MAX) {
		size_t		 ih, ib;
		const char	*inner;

		buf_printf(r->out, "\n[-- #%u message/rfc822 --]\n", r->parts);
		split_entity(b, blen, &ih, &inner, &ib);
		buf_add(r->out, b, ih);
		buf_addc(r->out, '\n');
		render_entity(r, b, ih, inner, ib, depth + 1);
	} else {
		buf_printf(r->out, "\n[-- #%u %s%s%s, %zu bytes: not shown --]\n",
		    r->parts, p.type.s, p.name.len ? " " : "",
		    p.name.len ? p.name.s : "", blen);
	}
done:
	buf_free(&bd);
	buf_free(&p.type);
	buf_free(&p.ctv);
	buf_free(&p.cte);
	buf_free(&p.name);
}

/* mailx_mime_render - append a message body as terminal text, given its
 * header section h (for Content-Type and Content-Transfer-Encoding) */
void
mailx_mime_render(const char *h, size_t hlen, const char *b, size_t blen,
    struct buf *out)
{
	struct render	 r = { out, 0 };

	render_entity(&r, h, hlen, b, blen, 0);
}

/* utf8_len - the length of the valid UTF-8 character at s, or 0 */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t		 len;
	unsigned long	 cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	/* C1 controls would reach the terminal as escape sequences. */
	if (cp >= 0x80 && cp <= 0x9f)
		return 0;
	return len;
}

/* mailx_mime_safe - append text with what could drive a terminal
 * replaced by '?' (see the header comment) */
void
mailx_mime_safe(const char *s, size_t n, struct buf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t		 i = 0, len;

	while (i < n) {
		/* Printable ASCII, the common case, a run at a time. */
		for (len = 0; i + len < n && u[i + len] >= 0x20 &&
		    u[i + len] < 0x7f; len++)
			;
		if (len > 0) {
			buf_add(out, s + i, len);
			i += len;
			continue;
		}
		if (u[i] == '\r' && i + 1 < n && u[i + 1] == '\n') {
			i++;
			continue;
		}
		if (u[i] == '\n' || u[i] == '\t') {
			buf_addc(out, u[i++]);
			continue;
		}
		if (u[i] < 0x20 || u[i] == 0x7f) {
			buf_addc(out, '?');
			i++;
			continue;
		}
		len = utf8_len(u + i, n - i);
		if (len == 0) {
			buf_addc(out, '?');
			i++;
			continue;
		}
		buf_add(out, s + i, len);
		i += len;
	}
}
