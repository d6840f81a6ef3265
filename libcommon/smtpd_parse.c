/*
 * smtpd_parse - the pure half of smtpd: the command parser and the DATA
 * decoder.  No I/O, no exit, no allocation but the caller's buffer.
 */
#include "smtpd.h"

#include <string.h>
#include <strings.h>

/* The verbs, RFC 5321 4.1.1 and the extensions we know by name. */
static const struct {
	const char	*name;
	enum smtpd_verb	 verb;
	size_t		 max;		/* line limit with CRLF */
} verbs[] = {
	{"HELO", SMTPD_V_HELO, SMTPD_CMD_MAX},
	{"EHLO", SMTPD_V_EHLO, SMTPD_CMD_MAX},
	{"MAIL", SMTPD_V_MAIL, SMTPD_MAIL_MAX},
	{"RCPT", SMTPD_V_RCPT, SMTPD_RCPT_MAX},
	{"DATA", SMTPD_V_DATA, SMTPD_CMD_MAX},
	{"BDAT", SMTPD_V_BDAT, SMTPD_CMD_MAX},	/* RFC 3030 */
	{"RSET", SMTPD_V_RSET, SMTPD_CMD_MAX},
	{"NOOP", SMTPD_V_NOOP, SMTPD_CMD_MAX},
	{"QUIT", SMTPD_V_QUIT, SMTPD_CMD_MAX},
	{"HELP", SMTPD_V_HELP, SMTPD_CMD_MAX},
	{"VRFY", SMTPD_V_VRFY, SMTPD_CMD_MAX},
	{"EXPN", SMTPD_V_EXPN, SMTPD_CMD_MAX},
	{"ETRN", SMTPD_V_ETRN, SMTPD_CMD_MAX},	/* RFC 1985 */
	{"STARTTLS", SMTPD_V_STARTTLS, SMTPD_CMD_MAX},	/* RFC 3207 */
	{"AUTH", SMTPD_V_AUTH, SMTPD_CMD_MAX + 12288},	/* RFC 4954 4 */
};

/* DATA decoder states. */
enum {
	D_BOL = 0,		/* at the start of a line */
	D_DOT,			/* the line began with "." */
	D_DOT_CR,		/* ... then CR */
	D_TEXT,			/* inside a line */
	D_CR,			/* inside a line, a CR waits */
};

/* is_space - SP or HTAB, the separators of RFC 5321 4.1.1 */
static int
is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* smtpd_verb_name - the verb as text, "" for none */
const char *
smtpd_verb_name(enum smtpd_verb v)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (verbs[i].verb == v)
			return verbs[i].name;
	return "";
}

/* has_prefix - does s (len bytes) start with p, case-blind? */
static int
has_prefix(const char *s, size_t len, const char *p)
{
	size_t	 n = strlen(p);

	return len >= n && strncasecmp(s, p, n) == 0;
}

/*
 * smtpd_parse - split one command line (RFC 5321 4.1.1: verb, then SP
 * and the argument).  Leading and trailing white space is tolerated, as
 * Postfix does; the verb is case-blind.  The line limits are those of
 * RFC 5321 4.5.3.1.4 as the extensions raise them.
 */
enum smtpd_parse_result
smtpd_parse(const char *line, size_t len, struct smtpd_cmd *c)
{
	size_t	 i = 0, v, vlen, end, max = SMTPD_CMD_MAX;

	c->verb = SMTPD_V_EMPTY;
	c->name = "";
	c->arg = line + len;
	c->arg_len = 0;

	/* Sanity checks. */
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (memchr(line, '\0', len) != NULL)
		return SMTPD_P_NUL;

	/* The verb. */
	while (i < len && is_space(line[i]))
		i++;
	v = i;
	while (i < len && !is_space(line[i]))
		i++;
	vlen = i - v;
	if (vlen > 0) {
		c->verb = SMTPD_V_UNKNOWN;
		for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
			if (strlen(verbs[k].name) == vlen &&
			    strncasecmp(verbs[k].name, line + v, vlen) == 0) {
				c->verb = verbs[k].verb;
				c->name = verbs[k].name;
				max = verbs[k].max;
				break;
			}
	}
	/* The limit counts the CRLF: len + 2. */
	if (len + 2 > max)
		return SMTPD_P_TOOLONG;

	/* The argument, trimmed. */
	while (i < len && is_space(line[i]))
		i++;
	end = len;
	while (end > i && is_space(line[end - 1]))
		end--;
	c->arg = line + i;
	c->arg_len = end - i;

	/* RFC 5321 4.1.1.2-3: "MAIL FROM:" and "RCPT TO:". */
	if (c->verb == SMTPD_V_MAIL || c->verb == SMTPD_V_RCPT) {
		const char	*kw = c->verb == SMTPD_V_MAIL ? "FROM:" : "TO:";
		size_t		 n = strlen(kw);

		if (!has_prefix(c->arg, c->arg_len, kw))
			return SMTPD_P_SYNTAX;
		c->arg += n;
		c->arg_len -= n;
		while (c->arg_len > 0 && is_space(*c->arg)) {
			c->arg++;
			c->arg_len--;
		}
		if (c->arg_len == 0)
			return SMTPD_P_SYNTAX;
	}
	return SMTPD_P_OK;
}

/* smtpd_data_init - a decoder at the start of the message */
void
smtpd_data_init(struct smtpd_data *d)
{
	memset(d, 0, sizeof(*d));
	d->state = D_BOL;
	d->crlf = 1;	/* the DATA command line ended the last line */
}

/* put - append bytes to the message */
static void
put(struct smtpd_data *d, struct buf *out, const char *p, size_t n)
{
	buf_add(out, p, n);
	d->bytes += n;
}

/*
 * smtpd_data_push - decode message bytes (see smtpd.h).  RFC 5321 4.5.2:
 * a line that starts with a period has it removed when more follows;
 * a line holding just a period after CRLF ends the data.
 */
size_t
smtpd_data_push(struct smtpd_data *d, const char *in, size_t len,
    struct buf *out)
{
	size_t	 i = 0;

	buf_reserve(out, len + 1);
	while (i < len && !d->done) {
		char	 ch = in[i];

		switch (d->state) {
		case D_BOL:
			if (ch == '.') {
				d->state = D_DOT;
				i++;
				continue;
			}
			d->state = D_TEXT;
			continue;	/* the byte is text */
		case D_DOT:
			if (ch == '\r') {
				d->state = D_DOT_CR;
				i++;
				continue;
			}
			if (ch == '\n') {
				/* "." and a bare LF: text, not the end. */
				put(d, out, ".\n", 2);
				d->crlf = 0;
				d->state = D_BOL;
				i++;
				continue;
			}
			d->state = D_TEXT;	/* the dot was stuffing */
			continue;
		case D_DOT_CR:
			if (ch == '\n') {
				i++;
				if (d->crlf) {
					d->done = 1;
					break;
				}
				put(d, out, ".\n", 2);
				d->crlf = 1;
				d->state = D_BOL;
				continue;
			}
			/* ".\r" and more: the dot was stuffing. */
			put(d, out, "\r", 1);
			d->state = D_TEXT;
			continue;
		case D_CR:
			if (ch == '\n') {
				put(d, out, "\n", 1);
				d->crlf = 1;
				d->state = D_BOL;
				i++;
				continue;
			}
			put(d, out, "\r", 1);	/* a lone CR stays */
			d->state = D_TEXT;
			continue;
		default:	/* D_TEXT */
			break;
		}
		if (d->done)
			break;

		/* D_TEXT: copy up to the next CR or LF in one go. */
		{
			size_t	 j = i;

			while (j < len && in[j] != '\r' && in[j] != '\n')
				j++;
			if (j > i)
				put(d, out, in + i, j - i);
			i = j;
			if (i == len)
				break;
			if (in[i] == '\r')
				d->state = D_CR;
			else {
				put(d, out, "\n", 1);
				d->crlf = 0;
				d->state = D_BOL;
			}
			i++;
		}
	}
	return i;
}
