/*
 * checks - header_checks and body_checks, as Postfix applies them while
 * a message streams in (header_checks(5)).
 *
 * checks_open() opens the header_checks and body_checks tables (regexp:
 * or pcre:, any table type works) named in the loaded configuration.
 * checks_header() is given one logical header (continuation lines
 * joined with their newlines, as header.h's raw view gives it) and
 * checks_body() one body line (without its newline).  Each returns the
 * first action that matches:
 *	CHECK_NONE	nothing matched, or DUNNO/OK
 *	CHECK_REJECT	reject the message: text in res (default
 *			"5.7.1 message content rejected")
 *	CHECK_DEFER	reject for now (4.7.1)
 *	CHECK_DISCARD	accept and drop it (log the text)
 *	CHECK_HOLD	accept and put it on hold (log the text)
 *	CHECK_WARN	log the text, go on
 *	CHECK_IGNORE	remove this header (header_checks only), go on
 *	CHECK_ERROR	a table error: temporary (451 4.3.0)
 * The caller keeps scanning after WARN and IGNORE; once REJECT, DISCARD
 * or HOLD is seen it need not call again.  In res->text the optional text
 * after the action keyword, with a leading enhanced code kept if given.
 *
 * Only the first body_checks_size_limit bytes of a message's body are
 * inspected (Postfix does so per MIME part).  checks_reset() starts a new
 * message; so does a header checked after body lines.  See checks.c for
 * the actions that are not supported (PREPEND, REPLACE, ...).
 */
#ifndef PIPEMAIL_CHECKS_H
#define PIPEMAIL_CHECKS_H

#include <stddef.h>

#include "buf.h"

enum check_action {
	CHECK_NONE = 0,
	CHECK_REJECT,
	CHECK_DEFER,
	CHECK_DISCARD,
	CHECK_HOLD,
	CHECK_WARN,
	CHECK_IGNORE,
	CHECK_ERROR,
};

struct checks;

struct checks *checks_open(struct buf *);
enum check_action checks_header(struct checks *, const char *, size_t,
	    struct buf *);
enum check_action checks_body(struct checks *, const char *, size_t,
	    struct buf *);
int	 checks_active(const struct checks *);
void	 checks_reset(struct checks *);
void	 checks_close(struct checks *);

#endif
