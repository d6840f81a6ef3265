/*
 * fuzz_smtpd - libFuzzer target for smtpd's pure half: the command
 * parser and the DATA decoder.  The input is split at its first byte: a
 * command line, then message bytes pushed in pieces of varying size.
 * Checked: the parser's argument stays inside the line, the decoder
 * never uses more input than given, its byte count matches its output,
 * and feeding in pieces gives what feeding at once gives.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "smtpd.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* decode - the decoder over in, in pieces of at most step bytes */
static void
decode(const char *in, size_t len, size_t step, struct buf *out,
    size_t *used, int *done)
{
	struct smtpd_data	 d;
	size_t			 off = 0;

	smtpd_data_init(&d);
	while (off < len && !d.done) {
		size_t	 n = len - off < step ? len - off : step;
		size_t	 u = smtpd_data_push(&d, in + off, n, out);

		if (u > n || (u < n && !d.done))
			abort();
		off += u;
	}
	if (d.bytes != out->len)
		abort();
	*used = off;
	*done = d.done;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtpd_cmd	 c;
	struct buf		 a = BUF_INIT, b = BUF_INIT;
	const char		*s = (const char *)data;
	size_t			 cut, ua, ub;
	int			 da, db;

	if (size == 0)
		return 0;
	cut = data[0] % (size < 600 ? size : 600);

	/* The parser: any bytes, a result, an argument inside them. */
	smtpd_parse(s + 1, cut > 0 ? cut - 1 : 0, &c);
	if (c.arg < s + 1 || c.arg + c.arg_len > s + 1 + (cut ? cut - 1 : 0))
		abort();

	/* The decoder: whole, and in pieces of 1..7 bytes, agree. */
	decode(s + cut, size - cut, size, &a, &ua, &da);
	decode(s + cut, size - cut, (size_t)(data[0] % 7) + 1, &b, &ub, &db);
	if (ua != ub || da != db || a.len != b.len ||
	    (a.len > 0 && memcmp(a.s, b.s, a.len) != 0))
		abort();
	buf_free(&a);
	buf_free(&b);
	return 0;
}
