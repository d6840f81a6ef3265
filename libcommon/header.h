/*
 * header - message header sections (RFC 5322 2.2, 3.6): a push scanner,
 * lookup, folding, RFC 2047 decoding, Date formatting.  Pure: no I/O,
 * no exit (hdr_tz_offset() reads the time zone, nothing else).
 *
 * Scanner.  Push the header section one line at a time with
 * hdr_scan_push() (the line with its CRLF or LF, or without), then call
 * hdr_scan_next() until it returns HDR_MORE; at end of input call
 * hdr_scan_eof() and drain again.  Events:
 *   HDR_FIELD  one logical header, continuation lines joined;
 *   HDR_END    the empty line (or end of input) ended the headers;
 *   HDR_BODY   a line that is no header ended them: that line, in
 *              field.raw with the reason in field.bad, is the first line
 *              of the body.  Postfix's cleanup(8) likewise takes such a
 *              line as the start of the body; the caller keeps it as
 *              body text and should write an empty line before it, so
 *              every later reader sees the same split.
 * After HDR_END or HDR_BODY the scanner takes no more lines.
 *
 * A field has two views.  raw is the logical header as Postfix's
 * header_checks(5) see it: "Name: value" with the lines joined by one LF
 * (the CR of CRLF dropped, the folding white space kept), no final LF;
 * write it back by turning each LF into the output's line end, and match
 * header_checks patterns against it.  value is RFC 5322 2.2.3 unfolding
 * of the text after the colon (line breaks removed, white space kept),
 * trimmed at both ends: what address parsing, Subject display and
 * RFC 2047 decoding want.
 *
 * Oddities that do not end the header section are flags on the field:
 * 8-bit bytes (RFC 6532 allows UTF-8), NUL bytes, white space before
 * the colon (RFC 5322 4.5 obs-optional; name excludes it), a line over
 * HDR_LINE_MAX (Postfix line_length_limit), and a header over
 * HDR_SIZE_MAX (Postfix header_size_limit), whose excess is dropped as
 * Postfix does.  The scanner never holds more than about twice
 * HDR_SIZE_MAX, whatever is pushed.
 *
 * Pointers in a struct hdr_field point into the scanner and stay valid
 * until the next push or hdr_scan_free().  Other functions append to a
 * struct buf unless they say "replace".
 */
#ifndef PIPEMAIL_HEADER_H
#define PIPEMAIL_HEADER_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

#define HDR_LINE_MAX	2048	/* Postfix line_length_limit */
#define HDR_SIZE_MAX	102400	/* Postfix header_size_limit */
#define HDR_FOLD_WIDTH	78	/* RFC 5322 2.1.1 */
#define HDR_TZ_MAX	(99 * 60 + 59)	/* RFC 5322 3.3 zone, minutes */

enum hdr_event {
	HDR_MORE = 0,		/* push another line */
	HDR_FIELD,		/* a logical header is ready */
	HDR_END,		/* end of the header section */
	HDR_BODY,		/* a non-header line began the body */
};

/* Why a line is no header (HDR_BODY). */
enum hdr_bad {
	HDR_BAD_NONE = 0,
	HDR_BAD_NOCOLON,	/* no colon at all */
	HDR_BAD_NAME,		/* bad field name (RFC 5322 3.6.8 ftext) */
	HDR_BAD_MBOX_FROM,	/* "From " envelope line, mbox style */
	HDR_BAD_CONTINUATION,	/* continuation with no header before */
};

/* Flags on a field. */
#define HDR_F_8BIT	0x01	/* bytes >= 0x80 */
#define HDR_F_NUL	0x02	/* NUL bytes */
#define HDR_F_SPACE	0x04	/* white space before the colon */
#define HDR_F_LONGLINE	0x08	/* a line longer than HDR_LINE_MAX */
#define HDR_F_TRUNCATED	0x10	/* longer than HDR_SIZE_MAX, cut */

struct hdr_field {
	const char	*name;		/* field name, no colon */
	size_t		 name_len;
	const char	*raw;		/* logical header, lines joined by LF */
	size_t		 raw_len;
	const char	*value;		/* unfolded, trimmed value */
	size_t		 value_len;
	int		 flags;		/* HDR_F_* */
	enum hdr_bad	 bad;		/* HDR_BODY only */
};

/* One header being gathered or handed out; private to header.c. */
struct hdr_acc {
	struct buf	 raw;
	struct buf	 value;
	size_t		 name_len;
	size_t		 colon;		/* offset of the colon in raw */
	int		 flags;
	enum hdr_bad	 bad;
};

struct hdr_scan {
	struct hdr_acc	 cur;		/* being gathered */
	struct hdr_acc	 ready;		/* handed out by hdr_scan_next() */
	struct hdr_acc	 body;		/* the line that began the body */
	int		 active;	/* cur holds a header */
	int		 have_ready;	/* ready not yet handed out */
	enum hdr_event	 final;		/* HDR_END/HDR_BODY once known */
	int		 final_sent;
};

void	 hdr_scan_init(struct hdr_scan *);
void	 hdr_scan_free(struct hdr_scan *);
int	 hdr_scan_push(struct hdr_scan *, const char *, size_t);
void	 hdr_scan_eof(struct hdr_scan *);
enum hdr_event hdr_scan_next(struct hdr_scan *, struct hdr_field *);

int	 hdr_name_eq(const char *, size_t, const char *);
int	 hdr_find(const char *, size_t, const char *, size_t *, size_t *);
void	 hdr_value(const char *, size_t, struct buf *);
void	 hdr_fold(struct buf *, const char *, const char *);
int	 hdr_decode_2047(const char *, size_t, struct buf *);
int	 hdr_date(struct buf *, time_t, int);
int	 hdr_tz_offset(time_t);

#endif
