/*
 * fuzz_header - libFuzzer target for header.c: the push scanner over
 * the input's lines, hdr_value() and hdr_find() on what it hands out,
 * RFC 2047 decoding and folding.
 *
 * Checked: every field's name, raw and value views lie inside the
 * scanner's bounds (a header never over HDR_SIZE_MAX plus a line), the
 * name is the start of raw, hdr_value() of raw gives the field's value,
 * nothing comes after HDR_END or HDR_BODY; hdr_find() walks forward;
 * decoding text with no "=?" and no line break leaves it as it is;
 * folding gives lines that end in LF, of which only the first can start
 * a header, and that unfold back to the one-line header.
 */
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "header.h"

static int
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* fields - run the scanner over all lines of s; the number of fields */
static size_t
fields(const char *s, size_t len)
{
	struct hdr_scan		 sc;
	struct hdr_field	 f;
	struct buf		 v = BUF_INIT;
	size_t			 off = 0, nf = 0;
	int			 ended = 0, eof = 0;

	hdr_scan_init(&sc);
	while (!eof) {
		enum hdr_event	 e;

		if (off < len) {
			const char	*nl = memchr(s + off, '\n', len - off);
			size_t		 n = nl ? (size_t)(nl - s) - off + 1 :
			    len - off;

			(void)hdr_scan_push(&sc, s + off, n);
			off += n;
		} else {
			hdr_scan_eof(&sc);
			eof = 1;
		}
		while ((e = hdr_scan_next(&sc, &f)) != HDR_MORE) {
			CHECK(!ended);
			if (e == HDR_END || e == HDR_BODY) {
				ended = 1;
				continue;
			}
			CHECK(e == HDR_FIELD);
			nf++;
			CHECK(f.raw_len <= HDR_SIZE_MAX + HDR_LINE_MAX + 2);
			CHECK(f.name_len <= f.raw_len);
			CHECK(f.name == f.raw);
			CHECK(f.value_len <= f.raw_len);
			CHECK(memchr(f.value, '\n', f.value_len) == NULL);
			CHECK(f.value_len == 0 || (!is_wsp(f.value[0]) &&
			    !is_wsp(f.value[f.value_len - 1])));
			if ((f.flags & (HDR_F_NUL | HDR_F_TRUNCATED)) == 0) {
				hdr_value(f.raw, f.raw_len, &v);
				CHECK(v.len == f.value_len &&
				    memcmp(v.s, f.value, v.len) == 0);
			}
		}
	}
	CHECK(ended);
	hdr_scan_free(&sc);
	buf_free(&v);
	return nf;
}

/* has_ew_start - "=?" anywhere in s */
static int
has_ew_start(const char *s, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++)
		if (s[i] == '=' && s[i + 1] == '?')
			return 1;
	return 0;
}

/* decode - RFC 2047 decoding: plain text stays as it is */
static void
decode(const char *s, size_t len)
{
	struct buf	 out = BUF_INIT;
	int		 n = hdr_decode_2047(s, len, &out);

	CHECK(n >= 0);
	if (!has_ew_start(s, len) && memchr(s, '\n', len) == NULL &&
	    memchr(s, '\r', len) == NULL)
		CHECK(n == 0 && out.len == len &&
		    (len == 0 || memcmp(out.s, s, len) == 0));
	buf_free(&out);
}

/* fold - fold "X-Fuzz: s" and unfold it again */
static void
fold(const char *s, size_t len)
{
	struct buf	 val = BUF_INIT, out = BUF_INIT, flat = BUF_INIT;
	struct buf	 want = BUF_INIT;
	size_t		 i;

	if (memchr(s, '\0', len) != NULL)
		return;
	buf_set(&val, s, len);
	hdr_fold(&out, "X-Fuzz", buf_cstr(&val));
	CHECK(out.len > 0 && out.s[out.len - 1] == '\n');
	for (i = 0; i < out.len; i++) {
		CHECK(out.s[i] != '\r');
		if (out.s[i] == '\n' && i + 1 < out.len)
			CHECK(is_wsp(out.s[i + 1]));
		if (out.s[i] != '\n')
			buf_addc(&flat, out.s[i]);
	}
	/* What folding should give back: "X-Fuzz: value" on one line. */
	buf_adds(&want, "X-Fuzz:");
	for (i = 0; i < len && is_wsp(s[i]); i++)
		;
	if (i < len)
		buf_addc(&want, ' ');
	for (; i < len; i++)
		if (s[i] != '\r' && s[i] != '\n')
			buf_addc(&want, s[i]);
	while (want.len > 7 && is_wsp(want.s[want.len - 1]))
		want.len--;
	CHECK(flat.len == want.len && memcmp(flat.s, want.s, want.len) == 0);
	buf_free(&val);
	buf_free(&out);
	buf_free(&flat);
	buf_free(&want);
}

/* find - hdr_find() over the block for the name its first line has */
static void
find(const char *s, size_t len)
{
	char	 name[64];
	size_t	 n = 0, off = 0, hlen, steps = 0;

	while (n < len && n < sizeof(name) - 1 && s[n] != ':' && s[n] != '\n')
		n++;
	memcpy(name, s, n);
	name[n] = '\0';
	if (memchr(name, '\0', n) != NULL || n == 0)
		return;
	while (hdr_find(s, len, name, &off, &hlen)) {
		CHECK(hlen > 0 && off + hlen <= len);
		CHECK(hlen >= n && hdr_name_eq(s + off, n, name));
		off += hlen;
		CHECK(++steps <= len);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data;

	(void)fields(s, size);
	decode(s, size);
	if (size <= 4096)
		fold(s, size);
	find(s, size);
	return 0;
}
