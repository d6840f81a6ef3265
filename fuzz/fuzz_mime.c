/*
 * fuzz_mime - libFuzzer target for mailx's MIME (mailx_mime.c): a
 * message's body rendered as terminal text given its header section
 * (multipart walked, base64 and quoted-printable decoded, charsets
 * converted), Content-Type parameters, the decoders, RFC 2047 words.
 * The input is a header section, an empty line, a body.
 *
 * Checked: render's text stays within a few times the input, and once
 * through mailx_mime_safe() (as mailx shows it), like any text through
 * it, is valid UTF-8 with no control character but TAB and LF; base64
 * decodes what it encodes; quoted-printable never grows; a parameter
 * value stays within MAILX_MIME_PARAM_MAX; a type is lower case with
 * one '/'; an encoded word decodes (header.c) back to its text.
 */
#include <string.h>

#include "buf.h"
#include "codec.h"
#include "fuzz.h"
#include "header.h"
#include "mailx_mime.h"

/* terminal_safe - valid UTF-8, no control character but TAB and LF */
static void
terminal_safe(const struct buf *b)
{
	if (b->len == 0)
		return;
	CHECK(codec_utf8_valid((const unsigned char *)b->s, b->len));
	for (size_t i = 0; i < b->len; i++) {
		unsigned char	 c = (unsigned char)b->s[i];

		CHECK(c >= 0x20 || c == '\t' || c == '\n');
		CHECK(c != 0x7f);
		/* C1 controls in UTF-8: U+0080..U+009F, C2 80..C2 9F */
		if (c == 0xc2 && i + 1 < b->len)
			CHECK((unsigned char)b->s[i + 1] > 0x9f);
	}
}

/* split - the header section and the body of s */
static size_t
split(const char *s, size_t len, size_t *body)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (s[i] == '\n' && s[i + 1] == '\n') {
			*body = i + 2;
			return i + 1;
		}
		if (s[i] == '\n' && i + 2 < len && s[i + 1] == '\r' &&
		    s[i + 2] == '\n') {
			*body = i + 3;
			return i + 1;
		}
	}
	*body = len;
	return len;
}

/* codecs - base64 round trip, quoted-printable bound */
static void
codecs(const char *s, size_t len)
{
	struct buf	 enc = BUF_INIT, dec = BUF_INIT, qp = BUF_INIT;

	mailx_b64_encode(s, len, &enc);
	mailx_b64_decode(enc.s ? enc.s : "", enc.len, &dec);
	CHECK(dec.len == len && (len == 0 || memcmp(dec.s, s, len) == 0));
	buf_reset(&dec);
	mailx_b64_decode(s, len, &dec);
	CHECK(dec.len <= len * 3 / 4 + 3);
	mailx_qp_decode(s, len, &qp);
	CHECK(qp.len <= len);
	buf_free(&enc);
	buf_free(&dec);
	buf_free(&qp);
}

/* words - a value encoded as RFC 2047 words decodes back */
static void
words(const char *s, size_t len)
{
	struct buf	 text = BUF_INIT, enc = BUF_INIT, dec = BUF_INIT;

	if (len > 300 || memchr(s, '\0', len) != NULL ||
	    !codec_utf8_valid((const unsigned char *)s, len))
		return;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return;
	buf_set(&text, s, len);
	mailx_mime_encode_word(buf_cstr(&text), &enc);
	if (enc.len > 0 && memchr(enc.s, '=', enc.len) != NULL &&
	    memchr(s, '=', len) == NULL) {
		(void)hdr_decode_2047(enc.s, enc.len, &dec);
		CHECK(dec.len == len && memcmp(dec.s, s, len) == 0);
	}
	buf_free(&text);
	buf_free(&enc);
	buf_free(&dec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data;
	struct buf	 out = BUF_INIT, v = BUF_INIT;
	size_t		 hlen, body;
	const char	*ct;
	size_t		 ctlen = 0;

	hlen = split(s, size, &body);
	/* Render, then make safe, as mailx_show_message() does. */
	mailx_mime_render(s, hlen, s + body, size - body, &out);
	CHECK(out.len <= 8 * size + 1024);
	mailx_mime_safe(out.s ? out.s : "", out.len, &v);
	terminal_safe(&v);
	buf_reset(&out);
	mailx_mime_safe(s, size, &out);
	terminal_safe(&out);

	/* The first line's value as a Content-Type. */
	ct = memchr(s, ':', hlen);
	if (ct != NULL) {
		const char	*nl = memchr(ct, '\n', hlen - (size_t)(ct - s));

		ct++;
		ctlen = nl ? (size_t)(nl - ct) : hlen - (size_t)(ct - s);
		if (mailx_mime_param(ct, ctlen, "boundary", &v) == 1)
			CHECK(v.len <= MAILX_MIME_PARAM_MAX);
		if (mailx_mime_param(ct, ctlen, "charset", &v) == 1)
			CHECK(v.len <= MAILX_MIME_PARAM_MAX);
		mailx_mime_type(ct, ctlen, &v);
		CHECK(v.len > 0 && memchr(v.s, '/', v.len) != NULL);
		for (size_t i = 0; i < v.len; i++)
			CHECK(!(v.s[i] >= 'A' && v.s[i] <= 'Z'));
	}
	codecs(s, size);
	words(s, size);
	buf_free(&out);
	buf_free(&v);
	return 0;
}
