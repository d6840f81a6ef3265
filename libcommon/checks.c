/*
 * checks - header_checks and body_checks (see checks.h), after Postfix's
 * cleanup(8) and header_checks(5).
 *
 * Each logical header (with its folding newlines, as header.h's raw view
 * gives it) or body line is looked up whole in the table list; the first
 * table that answers decides.  Actions, as header_checks(5):
 *	REJECT [text]	CHECK_REJECT, default "5.7.1 message content rejected"
 *	DEFER [text]	CHECK_DEFER, default "4.7.1 message content deferred"
 *	DISCARD [text]	CHECK_DISCARD
 *	HOLD [text]	CHECK_HOLD
 *	WARN [text]	CHECK_WARN (INFO likewise)
 *	IGNORE		CHECK_IGNORE for a header; for a body line it is not
 *			supported: a warning, then as DUNNO
 *	DUNNO, OK	CHECK_NONE
 * PREPEND, REPLACE, FILTER, REDIRECT, BCC and STRIP are not supported:
 * each match logs a warning and counts as DUNNO.
 * An unknown action is a configuration error: logged, and CHECK_ERROR so
 * that the mail is deferred rather than let through unchecked.
 *
 * body_checks_size_limit: only that many body bytes of a message are
 * inspected, as Postfix does per message part.  The count starts again
 * at checks_reset(), and when a header is checked after body lines (the
 * next message).
 *
 * Folded headers are matched as one text, newlines included: "^" and "$"
 * are the start and end of the whole logical header unless the pattern
 * has the "m" flag.  maps.h compiles regexp: tables with PCRE2, where "."
 * does not match a newline (POSIX regexec(), which Postfix uses for
 * regexp:, lets it); a pattern that must span the fold says "\n" or
 * "\s", or uses a pcre: table with the "s" flag.
 */
#include "checks.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "log.h"
#include "maps.h"
#include "mem.h"

#define CHECKS_ACTION_MAX	16	/* longest action keyword + 1 */

struct checks {
	struct map_list	*header;	/* NULL: no header_checks */
	struct map_list	*body;		/* NULL: no body_checks */
	long long	 body_limit;	/* body_checks_size_limit */
	long long	 body_seen;	/* body bytes of this message */
	struct buf	 key;		/* scratch: the NUL-terminated text */
	struct buf	 value;		/* scratch: the table's answer */
	struct buf	 err;
};

/* open_list - one *_checks parameter; NULL in *out when it is empty */
static int
open_list(const char *param, struct map_list **out, struct buf *err)
{
	struct cfg_list	 l;
	struct buf	 why = BUF_INIT;
	int		 rc = 0;

	*out = NULL;
	cfg_get_list(param, &l);
	if (l.n > 0 && (*out = map_list_open(cfg_get(param), MAP_CONFIG, &why)) ==
	    NULL) {
		buf_reset(err);
		buf_printf(err, "%s: %s", param, buf_cstr(&why));
		rc = -1;
	}
	cfg_list_free(&l);
	buf_free(&why);
	return rc;
}

/* checks_open - open header_checks and body_checks; NULL with err */
struct checks *
checks_open(struct buf *err)
{
	struct checks	*c = xcalloc(1, sizeof(*c));

	buf_init(&c->key);
	buf_init(&c->value);
	buf_init(&c->err);
	c->body_limit = cfg_get_size("body_checks_size_limit");
	if (open_list("header_checks", &c->header, err) < 0 ||
	    open_list("body_checks", &c->body, err) < 0) {
		checks_close(c);
		return NULL;
	}
	return c;
}

/* checks_active - are there any tables at all? */
int
checks_active(const struct checks *c)
{
	return c != NULL && (c->header != NULL || c->body != NULL);
}

/* checks_reset - a new message: body_checks_size_limit counts again */
void
checks_reset(struct checks *c)
{
	c->body_seen = 0;
}

/* set_text - the action's text, or its default */
static void
set_text(struct buf *out, const char *text, const char *dflt)
{
	buf_reset(out);
	buf_sets(out, *text != '\0' ? text : dflt);
}

/*
 * action - turn a table result into an action; text gets what follows
 * the keyword.  where is "header_checks" or "body_checks".
 */
static enum check_action
action(const char *value, const char *where, int header, struct buf *text)
{
	char		 cmd[CHECKS_ACTION_MAX];
	size_t		 n = strcspn(value, " \t");
	const char	*rest = value + n;

	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (n >= sizeof(cmd)) {
		log_warnx("%s: unknown action in \"%.60s\"", where, value);
		set_text(text, "", "4.3.5 content filter configuration error");
		return CHECK_ERROR;
	}
	memcpy(cmd, value, n);
	cmd[n] = '\0';
	if (strcasecmp(cmd, "REJECT") == 0) {
		set_text(text, rest, "5.7.1 message content rejected");
		return CHECK_REJECT;
	}
	if (strcasecmp(cmd, "DEFER") == 0) {
		set_text(text, rest, "4.7.1 message content deferred");
		return CHECK_DEFER;
	}
	if (strcasecmp(cmd, "DISCARD") == 0) {
		set_text(text, rest, "");
		return CHECK_DISCARD;
	}
	if (strcasecmp(cmd, "HOLD") == 0) {
		set_text(text, rest, "");
		return CHECK_HOLD;
	}
	if (strcasecmp(cmd, "WARN") == 0 || strcasecmp(cmd, "INFO") == 0) {
		set_text(text, rest, "");
		return CHECK_WARN;
	}
	if (strcasecmp(cmd, "DUNNO") == 0 || strcasecmp(cmd, "OK") == 0)
		return CHECK_NONE;
	if (strcasecmp(cmd, "IGNORE") == 0 && header) {
		buf_reset(text);
		return CHECK_IGNORE;
	}
	if (strcasecmp(cmd, "IGNORE") == 0 || strcasecmp(cmd, "PREPEND") == 0 ||
	    strcasecmp(cmd, "REPLACE") == 0 || strcasecmp(cmd, "FILTER") == 0 ||
	    strcasecmp(cmd, "REDIRECT") == 0 || strcasecmp(cmd, "BCC") == 0 ||
	    strcasecmp(cmd, "STRIP") == 0) {
		log_warnx("%s: action %s is not supported, ignored", where,
		    cmd);
		return CHECK_NONE;
	}
	log_warnx("%s: unknown action \"%s\"", where, cmd);
	set_text(text, "", "4.3.5 content filter configuration error");
	return CHECK_ERROR;
}

/* check - look one text up in a list and act on the answer */
static enum check_action
check(struct checks *c, struct map_list *l, const char *where, int header,
    const char *p, size_t len, struct buf *text)
{
	enum map_result	 r;

	buf_reset(text);
	if (l == NULL || len == 0)
		return CHECK_NONE;
	buf_set(&c->key, p, len);
	r = map_list_lookup(l, c->key.s, &c->value, &c->err);
	if (r == MAP_NOTFOUND)
		return CHECK_NONE;
	if (r == MAP_ERROR) {
		log_warnx("%s: lookup error: %s", where, buf_cstr(&c->err));
		buf_sets(text, "4.3.0 content filter lookup failure");
		return CHECK_ERROR;
	}
	return action(c->value.s, where, header, text);
}

/* checks_header - one logical header (see checks.h) */
enum check_action
checks_header(struct checks *c, const char *p, size_t len, struct buf *text)
{
	if (c->body_seen > 0)
		c->body_seen = 0;	/* a new message */
	return check(c, c->header, "header_checks", 1, p, len, text);
}

/* checks_body - one body line, without its newline (see checks.h) */
enum check_action
checks_body(struct checks *c, const char *p, size_t len, struct buf *text)
{
	if (c->body_seen >= c->body_limit) {
		buf_reset(text);
		return CHECK_NONE;
	}
	c->body_seen += (long long)len + 1;
	return check(c, c->body, "body_checks", 0, p, len, text);
}

/* checks_close - close the tables */
void
checks_close(struct checks *c)
{
	if (c == NULL)
		return;
	map_list_close(c->header);
	map_list_close(c->body);
	buf_free(&c->key);
	buf_free(&c->value);
	buf_free(&c->err);
	free(c);
}
