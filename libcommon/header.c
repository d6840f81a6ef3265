/*
 * header - message header sections: scanner, lookup, folding, RFC 2047
 * decoding, Date formatting.
 */
#include "header.h"

#include <string.h>
#include <strings.h>

#include "codec.h"

#define EW_CHARSET_MAX	40	/* longest charset name we look at */

/* is_wsp - RFC 5234 WSP */
static int
is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* is_ftext - RFC 5322 3.6.8 ftext: printable US-ASCII except ':' */
static int
is_ftext(unsigned char c)
{
	return c >= 33 && c <= 126 && c != ':';
}

/* lower - ASCII lower case, whatever the locale */
static int
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* hdr_name_eq - compare a field name with a C string, ignoring case */
int
hdr_name_eq(const char *name, size_t len, const char *want)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (want[i] == '\0' || lower((unsigned char)name[i]) !=
		    lower((unsigned char)want[i]))
			return 0;
	return want[i] == '\0';
}

/*
 * unfold - RFC 5322 2.2.3 unfolding of s into out (replaced): line breaks
 * removed, white space kept, then trimmed at both ends.
 */
static void
unfold(const char *s, size_t len, struct buf *out)
{
	size_t	 a = 0, b = len;

	buf_reset(out);
	while (a < b && (is_wsp((unsigned char)s[a]) || s[a] == '\r' ||
	    s[a] == '\n'))
		a++;
	while (b > a && (is_wsp((unsigned char)s[b - 1]) || s[b - 1] == '\r' ||
	    s[b - 1] == '\n'))
		b--;
	for (size_t i = a; i < b; i++)
		if (s[i] != '\r' && s[i] != '\n')
			buf_addc(out, s[i]);
}

/*
 * header_name - length of the field name at the start of a line and the
 * offset of its colon; the reason when the line is no header.
 */
static enum hdr_bad
header_name(const char *s, size_t len, size_t *name_len, size_t *colon)
{
	size_t	 i = 0, n;

	while (i < len && is_ftext((unsigned char)s[i]))
		i++;
	n = i;
	while (i < len && is_wsp((unsigned char)s[i]))
		i++;
	if (n > 0 && i < len && s[i] == ':') {
		*name_len = n;
		*colon = i;
		return HDR_BAD_NONE;
	}
	if (len >= 5 && memcmp(s, "From ", 5) == 0)
		return HDR_BAD_MBOX_FROM;
	if (memchr(s, ':', len) == NULL)
		return HDR_BAD_NOCOLON;
	return HDR_BAD_NAME;
}

/* line_flags - the oddities of one line */
static int
line_flags(const char *s, size_t len)
{
	int	 f = 0;

	if (len > HDR_LINE_MAX)
		f |= HDR_F_LONGLINE;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\0')
			f |= HDR_F_NUL;
		else if ((unsigned char)s[i] >= 0x80)
			f |= HDR_F_8BIT;
	}
	return f;
}

/* acc_add - append to a header, dropping what goes past HDR_SIZE_MAX */
static void
acc_add(struct hdr_acc *a, const char *s, size_t len)
{
	if (a->raw.len + len > HDR_SIZE_MAX) {
		len = HDR_SIZE_MAX - a->raw.len;
		a->flags |= HDR_F_TRUNCATED;
	}
	buf_add(&a->raw, s, len);
}

/* acc_start - begin a header (or a body line) with its first line */
static void
acc_start(struct hdr_acc *a, const char *s, size_t len)
{
	buf_reset(&a->raw);
	buf_reset(&a->value);
	a->name_len = a->colon = 0;
	a->flags = line_flags(s, len);
	a->bad = HDR_BAD_NONE;
	acc_add(a, s, len);
}

/* finish - move the header being gathered to the ready slot */
static void
finish(struct hdr_scan *sc)
{
	struct hdr_acc	 t;

	if (!sc->active)
		return;
	/* A name run past HDR_SIZE_MAX left no colon: empty value. */
	if (sc->cur.colon >= sc->cur.raw.len) {
		sc->cur.colon = sc->cur.raw.len;
		if (sc->cur.name_len > sc->cur.raw.len)
			sc->cur.name_len = sc->cur.raw.len;
		buf_reset(&sc->cur.value);
	} else
		unfold(sc->cur.raw.s + sc->cur.colon + 1,
		    sc->cur.raw.len - sc->cur.colon - 1, &sc->cur.value);
	t = sc->ready;
	sc->ready = sc->cur;
	sc->cur = t;
	sc->active = 0;
	sc->have_ready = 1;
}

/* hdr_scan_init - make a scanner ready for the first line */
void
hdr_scan_init(struct hdr_scan *sc)
{
	memset(sc, 0, sizeof(*sc));
	buf_init(&sc->cur.raw);
	buf_init(&sc->cur.value);
	buf_init(&sc->ready.raw);
	buf_init(&sc->ready.value);
	buf_init(&sc->body.raw);
	buf_init(&sc->body.value);
	sc->final = HDR_MORE;
}

/* hdr_scan_free - release a scanner */
void
hdr_scan_free(struct hdr_scan *sc)
{
	buf_free(&sc->cur.raw);
	buf_free(&sc->cur.value);
	buf_free(&sc->ready.raw);
	buf_free(&sc->ready.value);
	buf_free(&sc->body.raw);
	buf_free(&sc->body.value);
	hdr_scan_init(sc);
}

/*
 * hdr_scan_push - take one line of the header section, with its CRLF or
 * LF or without.  Returns 0, or -1 (the line ignored) when the section
 * has ended or events are waiting for hdr_scan_next().
 */
int
hdr_scan_push(struct hdr_scan *sc, const char *s, size_t len)
{
	size_t		 name_len, colon;
	enum hdr_bad	 bad;

	if (sc->final != HDR_MORE || sc->have_ready)
		return -1;
	if (len > 0 && s[len - 1] == '\n')
		len--;
	if (len > 0 && s[len - 1] == '\r')
		len--;

	/* RFC 5322 2.1: an empty line ends the header section. */
	if (len == 0) {
		finish(sc);
		sc->final = HDR_END;
		return 0;
	}

	/* RFC 5322 2.2.3: a line starting with WSP continues a header. */
	if (is_wsp((unsigned char)s[0])) {
		if (sc->active) {
			sc->cur.flags |= line_flags(s, len);
			acc_add(&sc->cur, "\n", 1);
			acc_add(&sc->cur, s, len);
			return 0;
		}
		bad = HDR_BAD_CONTINUATION;
	} else
		bad = header_name(s, len, &name_len, &colon);

	finish(sc);
	if (bad != HDR_BAD_NONE) {
		/* Not a header: the body starts here (see header.h). */
		acc_start(&sc->body, s, len);
		sc->body.bad = bad;
		sc->final = HDR_BODY;
		return 0;
	}
	acc_start(&sc->cur, s, len);
	sc->active = 1;
	sc->cur.name_len = name_len;
	sc->cur.colon = colon;
	if (colon > name_len)
		sc->cur.flags |= HDR_F_SPACE;
	return 0;
}

/* hdr_scan_eof - the input ended: the header section ends with it */
void
hdr_scan_eof(struct hdr_scan *sc)
{
	if (sc->final != HDR_MORE)
		return;
	finish(sc);
	sc->final = HDR_END;
}

/*
 * hdr_scan_next - the next event: HDR_FIELD with f filled in, then
 * HDR_END or HDR_BODY once, else HDR_MORE.
 */
enum hdr_event
hdr_scan_next(struct hdr_scan *sc, struct hdr_field *f)
{
	memset(f, 0, sizeof(*f));
	if (sc->have_ready) {
		sc->have_ready = 0;
		f->name = buf_cstr(&sc->ready.raw);
		f->name_len = sc->ready.name_len;
		f->raw = sc->ready.raw.s;
		f->raw_len = sc->ready.raw.len;
		f->value = buf_cstr(&sc->ready.value);
		f->value_len = sc->ready.value.len;
		f->flags = sc->ready.flags;
		return HDR_FIELD;
	}
	if (sc->final == HDR_MORE || sc->final_sent)
		return HDR_MORE;
	sc->final_sent = 1;
	if (sc->final == HDR_BODY) {
		f->raw = buf_cstr(&sc->body.raw);
		f->raw_len = sc->body.raw.len;
		f->flags = sc->body.flags;
		f->bad = sc->body.bad;
	}
	return sc->final;
}

/*
 * Lookup in a header block held in memory.
 */

/* line_end - offset just past the line starting at i (past its LF) */
static size_t
line_end(const char *s, size_t len, size_t i)
{
	const char	*nl = memchr(s + i, '\n', len - i);

	return nl ? (size_t)(nl - s) + 1 : len;
}

/*
 * hdr_find - find the next header called name in a header block (lines
 * ending in LF or CRLF), searching from *off, which must be the start of
 * a line.  On success *off is where the header starts and *hlen its
 * length with its continuation lines and final line end; continue with
 * *off += *hlen.  Returns 1, or 0 at the end of the header section (an
 * empty line, a line that is no header, or the end of the block).
 */
int
hdr_find(const char *blk, size_t len, const char *name, size_t *off,
    size_t *hlen)
{
	size_t	 i = *off;

	while (i < len) {
		size_t		 start = i, end, name_len, colon;
		enum hdr_bad	 bad;

		end = line_end(blk, len, i);
		if (blk[i] == '\n' || (blk[i] == '\r' && i + 1 < len &&
		    blk[i + 1] == '\n'))
			return 0;
		bad = header_name(blk + i, end - i, &name_len, &colon);
		if (bad != HDR_BAD_NONE)
			return 0;
		while (end < len && is_wsp((unsigned char)blk[end]))
			end = line_end(blk, len, end);
		if (hdr_name_eq(blk + start, name_len, name)) {
			*off = start;
			*hlen = end - start;
			return 1;
		}
		i = end;
	}
	return 0;
}

/*
 * hdr_value - replace out with the unfolded, trimmed value of one whole
 * header ("Name: value" with its continuation lines); "" when the text
 * has no colon.
 */
void
hdr_value(const char *hdr, size_t len, struct buf *out)
{
	const char	*colon = memchr(hdr, ':', len);

	if (colon == NULL) {
		buf_reset(out);
		buf_cstr(out);
		return;
	}
	colon++;
	unfold(colon, len - (size_t)(colon - hdr), out);
	buf_cstr(out);
}

/*
 * hdr_fold - append "Name: value" folded to HDR_FOLD_WIDTH bytes a line
 * (RFC 5322 2.1.1, 2.2.3), each line ending in LF.  Folds go before a
 * run of white space, never right after the colon; a word longer than a
 * line stays whole on its own line (RFC 5322 allows up to 998).  Line
 * breaks already in value are removed first, so a value cannot smuggle
 * in a header of its own.
 */
void
hdr_fold(struct buf *out, const char *name, const char *value)
{
	struct buf	 t = BUF_INIT;
	size_t		 min, ls = 0, last = 0;

	buf_adds(&t, name);
	buf_addc(&t, ':');
	min = t.len;
	while (is_wsp((unsigned char)*value))
		value++;
	if (*value != '\0')
		buf_addc(&t, ' ');
	for (; *value; value++)
		if (*value != '\r' && *value != '\n')
			buf_addc(&t, *value);
	while (t.len > min && is_wsp((unsigned char)t.s[t.len - 1]))
		t.len--;

	for (size_t i = min + 1; i <= t.len; i++) {
		int	 cand = i < t.len && is_wsp((unsigned char)t.s[i]) &&
		    !is_wsp((unsigned char)t.s[i - 1]);

		if (!cand && i < t.len)
			continue;
		if (i - ls > HDR_FOLD_WIDTH && last > ls) {
			/* Fold at the last place that kept the line short. */
			buf_add(out, t.s + ls, last - ls);
			buf_addc(out, '\n');
			ls = last;
		}
		if (i - ls > HDR_FOLD_WIDTH && cand) {
			/* One long word: it gets a line to itself. */
			buf_add(out, t.s + ls, i - ls);
			buf_addc(out, '\n');
			ls = i;
		}
		if (cand)
			last = i;
	}
	buf_add(out, t.s + ls, t.len - ls);
	buf_addc(out, '\n');
	buf_free(&t);
}

/*
 * RFC 2047 encoded words.
 */

/* decode_q - RFC 2047 4.2 "Q" encoding into out; -1 when malformed */
static int
decode_q(const char *s, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++) {
		int	 hi, lo;

		if (s[i] == '_')
			buf_addc(out, ' ');
		else if (s[i] != '=')
			buf_addc(out, s[i]);
		else if (len - i < 3 ||
		    (hi = codec_hex_value((unsigned char)s[i + 1])) < 0 ||
		    (lo = codec_hex_value((unsigned char)s[i + 2])) < 0)
			return -1;
		else {
			buf_addc(out, hi << 4 | lo);
			i += 2;
		}
	}
	return 0;
}

/*
 * decode_b - RFC 2047 4.1 "B" encoding (base64) into out; -1 when
 * malformed.  Missing padding is forgiven, stray characters are not.
 */
static int
decode_b(const char *s, size_t len, struct buf *out)
{
	unsigned long	 acc = 0;
	int		 bits = 0;
	size_t		 i;

	for (i = 0; i < len && s[i] != '='; i++) {
		int	 v = codec_b64_value((unsigned char)s[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6 | (unsigned long)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(out, (int)(acc >> bits & 0xff));
		}
	}
	for (; i < len; i++)
		if (s[i] != '=')
			return -1;
	return bits >= 6 ? -1 : 0;
}

/* is_token_char - RFC 2047 2 token: no SPACE, CTLs or especials */
static int
is_token_char(unsigned char c)
{
	return c > ' ' && c < 127 && strchr("()<>@,;:\"/[]?.=", c) == NULL;
}

/*
 * encoded_word - RFC 2047 2: "=?" charset ["*" language] "?" encoding
 * "?" encoded-text "?=" at s (RFC 2231 5 adds the language).  On
 * success appends the text in UTF-8 to out and returns the length of the
 * word; 0 when it is no encoded word we can decode (the caller copies it
 * as it is).  Decoded control characters other than TAB become '?', so
 * no CR, LF or NUL comes out of an encoded word.
 */
static size_t
encoded_word(const char *s, size_t len, struct buf *out)
{
	struct buf	 raw = BUF_INIT;
	size_t		 i = 2, cs, cslen, enc, text, tlen, rc = 0;
	char		 charset[EW_CHARSET_MAX + 1];

	if (len < 2 || s[0] != '=' || s[1] != '?')
		return 0;
	cs = i;
	while (i < len && is_token_char((unsigned char)s[i]) && s[i] != '*')
		i++;
	cslen = i - cs;
	if (i < len && s[i] == '*')
		while (i < len && s[i] != '?')
			i++;
	if (cslen == 0 || cslen > EW_CHARSET_MAX || i + 4 > len ||
	    s[i] != '?' || s[i + 2] != '?')
		return 0;
	enc = i + 1;
	text = i + 3;
	for (i = text; i + 1 < len && !(s[i] == '?' && s[i + 1] == '='); i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 127)
			return 0;
	if (i + 1 >= len)
		return 0;
	tlen = i - text;
	memcpy(charset, s + cs, cslen);
	charset[cslen] = '\0';

	if (s[enc] == 'Q' || s[enc] == 'q') {
		if (decode_q(s + text, tlen, &raw) < 0)
			goto done;
	} else if (s[enc] == 'B' || s[enc] == 'b') {
		if (decode_b(s + text, tlen, &raw) < 0)
			goto done;
	} else
		goto done;

	if (strcasecmp(charset, "UTF-8") == 0) {
		if (!codec_utf8_valid((const unsigned char *)raw.s, raw.len))
			goto done;
	} else if (strcasecmp(charset, "US-ASCII") == 0) {
		for (size_t k = 0; k < raw.len; k++)
			if ((unsigned char)raw.s[k] >= 0x80)
				goto done;
	} else if (strcasecmp(charset, "ISO-8859-1") != 0)
		goto done;

	for (size_t k = 0; k < raw.len; k++) {
		unsigned char	 c = (unsigned char)raw.s[k];

		if ((c < ' ' && c != '\t') || c == 127)
			buf_addc(out, '?');
		else if (c >= 0x80 && strcasecmp(charset, "ISO-8859-1") == 0) {
			/* ISO-8859-1 is the first 256 code points. */
			buf_addc(out, 0xc0 | c >> 6);
			buf_addc(out, 0x80 | (c & 0x3f));
		} else
			buf_addc(out, c);
	}
	rc = i + 2;
done:
	buf_free(&raw);
	return rc;
}

/* ew_edge - may an encoded word begin or end next to c (RFC 2047 5) */
static int
ew_edge(char c, const char *also)
{
	return is_wsp((unsigned char)c) || (c != '\0' && strchr(also, c));
}

/*
 * hdr_decode_2047 - append s with its RFC 2047 encoded words decoded to
 * UTF-8; returns how many were decoded.  Charsets UTF-8, US-ASCII and
 * ISO-8859-1 are decoded; a word in any other charset, or malformed, is
 * left as it is.  As RFC 2047 6.2 says, white space between two decoded
 * words goes; line breaks (folding) are removed, white space kept.  An
 * encoded word must stand alone (RFC 2047 5): after the start, white
 * space, '(' or '"', and before the end, white space, ')' or '"'.
 * Longer words than RFC 2047's 75 characters are accepted.
 */
int
hdr_decode_2047(const char *s, size_t len, struct buf *out)
{
	struct buf	 word = BUF_INIT;
	size_t		 i = 0, mark = 0;
	int		 count = 0, after_word = 0;

	while (i < len) {
		unsigned char	 c = (unsigned char)s[i];
		size_t		 n;

		if (c == '=' && (i == 0 || ew_edge(s[i - 1], "\r\n(\""))) {
			buf_reset(&word);
			n = encoded_word(s + i, len - i, &word);
			if (n > 0 && (i + n == len ||
			    ew_edge(s[i + n], "\r\n)\""))) {
				/* RFC 2047 6.2: drop white space between. */
				if (after_word)
					buf_truncate(out, mark);
				buf_add(out, word.s, word.len);
				mark = out->len;
				after_word = 1;
				count++;
				i += n;
				continue;
			}
		}
		i++;
		if (c == '\r' || c == '\n')
			continue;
		if (!is_wsp(c))
			after_word = 0;
		buf_addc(out, c);
	}
	buf_cstr(out);
	buf_free(&word);
	return count;
}

/*
 * Dates.
 */

/*
 * hdr_date - append an RFC 5322 3.3 date-time for t in the zone tz
 * minutes east of UTC: "Wed, 25 Nov 2026 14:43:20 +0000".  Returns -1
 * (nothing appended) when tz is beyond what the zone field can say or t
 * cannot be broken down.
 */
int
hdr_date(struct buf *out, time_t t, int tz)
{
	static const char	 days[7][4] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
	};
	static const char	 months[12][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
	};
	struct tm		 tm;
	time_t			 local;
	int			 a = tz < 0 ? -tz : tz;

	if (tz < -HDR_TZ_MAX || tz > HDR_TZ_MAX)
		return -1;
	if (__builtin_add_overflow(t, (time_t)tz * 60, &local))
		return -1;
	if (gmtime_r(&local, &tm) == NULL || tm.tm_year < -1900 ||
	    tm.tm_year > 9999 - 1900)
		return -1;
	buf_printf(out, "%s, %d %s %04d %02d:%02d:%02d %c%02d%02d",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    tz < 0 ? '-' : '+', a / 60, a % 60);
	return 0;
}

/*
 * hdr_tz_offset - the local zone's offset from UTC at t, in minutes east,
 * for hdr_date(); follows TZ, so tests can pin it.  0 when unknown.
 */
int
hdr_tz_offset(time_t t)
{
	struct tm	 tm;

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return (int)(tm.tm_gmtoff / 60);
}
