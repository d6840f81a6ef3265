/*
 * mailx_mime - what mailx needs of MIME (RFC 2045-2047) to show mail on
 * a terminal and to send it: base64 and quoted-printable, Content-Type
 * parameters, multipart bodies turned into readable text, and text made
 * safe for a terminal.  Pure: no I/O, no exit; every function appends to
 * the struct buf it is given.
 *
 * mailx_mime_render() turns a message's body (given its header section)
 * into text: a text/plain part is decoded (base64 or quoted-printable)
 * and converted to UTF-8 (from ISO-8859-1 or US-ASCII; other charsets
 * pass as they are); a multipart is walked to MAILX_MIME_DEPTH_MAX
 * levels, each part after the first introduced by a line
 * "[-- #N TYPE --]"; a part that is no text is listed as
 * "[-- #N TYPE NAME, N bytes: not shown --]".  The result is made safe
 * for a terminal with mailx_mime_safe(): control characters other than
 * TAB and LF, and bytes that are no UTF-8, become '?'; CR before LF goes.
 */
#ifndef PIPEMAIL_MAILX_MIME_H
#define PIPEMAIL_MAILX_MIME_H

#include <stddef.h>

#include "buf.h"

#define MAILX_MIME_DEPTH_MAX	8	/* nested multiparts walked */
#define MAILX_MIME_PARTS_MAX	1000	/* parts listed per message */
#define MAILX_MIME_PARAM_MAX	1000	/* bytes of one parameter value */

void	 mailx_b64_encode(const void *, size_t, struct buf *);
void	 mailx_b64_decode(const char *, size_t, struct buf *);
void	 mailx_qp_decode(const char *, size_t, struct buf *);
void	 mailx_mime_encode_word(const char *, struct buf *);
int	 mailx_mime_param(const char *, size_t, const char *, struct buf *);
void	 mailx_mime_type(const char *, size_t, struct buf *);
void	 mailx_mime_render(const char *, size_t, const char *, size_t,
	    struct buf *);
void	 mailx_mime_safe(const char *, size_t, struct buf *);

#endif
